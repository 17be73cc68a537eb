"""em-time: an E/M level chosen by time needs the minutes its code asks for.

Since 2024 each office E/M code has one floor of total practitioner time on
the date of the encounter, to be met or exceeded (99214: 30 minutes, so 30
passes and 29 does not). The rule reads the encounter only when it says the
level was chosen by time (`em.basis = "time"`); a level chosen by medical
decision making is em-mdm's business. Codes that time never selects (99211)
fire whenever the basis is time. A missing `em.total_minutes` is left to
em-basis-documented, so that each finding has one cause.
"""

from __future__ import annotations

from collections.abc import Sequence

from claimpolicy.claim import PreparedClaim
from claimpolicy.kinds._code_rows import code_rows
from claimpolicy.kinds._reads import em_of
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures

TIME = "time"


class EmTime(RuleKind):
    name = "em-time"
    summary = (
        'When `em.basis` is "time", a code of `minimums` needs `em.total_minutes` '
        "of at least its `min_minutes`; a code of `not_by_time` cannot be chosen "
        "by time at all."
    )
    parameters = {
        "minimums": code_rows(
            {"min_minutes": {"type": "integer", "min": 1, "required": True}}
        ),
        "not_by_time": PROCEDURE_LIST,
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        # code -> [(rule, minimum minutes or None when time cannot pick it)]
        index: dict[str, list[tuple[Rule, int | None]]] = {}
        for rule in rules:
            for row in rule.params["minimums"]:
                index.setdefault(row["code"], []).append((rule, row["min_minutes"]))
            for code in expand_procedures(rule.params.get("not_by_time", ())):
                index.setdefault(code, []).append((rule, None))

        def check(claim: PreparedClaim, emit: Emit) -> None:
            em = em_of(claim)
            if em.get("basis") != TIME:
                return
            minutes = em.get("total_minutes")
            for line in claim.lines:
                entries = index.get(line.code)
                if entries is None:
                    continue
                for rule, minimum in entries:
                    if minimum is None:
                        emit(
                            rule,
                            f"{line.code} cannot be chosen by time, but the "
                            'encounter gives em.basis "time"',
                            line=line,
                            at="/code",
                            evidence={"code": line.code, "basis": TIME},
                        )
                    elif minutes is not None and minutes < minimum:
                        emit(
                            rule,
                            f"{line.code} chosen by time needs at least {minimum} "
                            f"minutes; the encounter documents {minutes}",
                            line=line,
                            at="/code",
                            evidence={
                                "code": line.code,
                                "total_minutes": minutes,
                                "min_minutes": minimum,
                            },
                        )

        return check
