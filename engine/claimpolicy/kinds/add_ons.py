"""requires-codes: a code that is billed only with another code, such as an
add-on code with its primary.

An add-on code describes work done in addition to a primary service and is
never reported alone (CMS NCCI add-on code edits). A rule names the codes
that need a partner (`codes`) and the partners that satisfy them
(`with_codes`); a line of `codes` fires when no other line of the claim
carries one of `with_codes` on the same date of service. A partner on
another claim or another date is not seen: the add-on goes with the primary
it extends.

Codes are indexed when the rule compiles, so a claim pays one dict lookup
per line and searches for partners only for the lines of `codes`.
"""

from __future__ import annotations

from collections.abc import Sequence

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures

__all__ = ["RequiresCodes"]


class RequiresCodes(RuleKind):
    name = "requires-codes"
    summary = (
        "A line with a code of `codes` needs another line with a code of "
        "`with_codes` on the same date of service, on the same claim (an "
        "add-on code and its primary codes)."
    )
    parameters = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "with_codes": {**PROCEDURE_LIST, "required": True},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        # code -> [(rule, partner codes, partners as the message lists them)]
        index: dict[str, list[tuple[Rule, frozenset[str], str]]] = {}
        for rule in rules:
            partners = expand_procedures(rule.params["with_codes"])
            wanted = ", ".join(rule.params["with_codes"])
            for code in expand_procedures(rule.params["codes"]):
                index.setdefault(code, []).append((rule, partners, wanted))
        if not index:
            return None

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for line in claim.lines:
                entries = index.get(line.code)
                if entries is None:
                    continue
                for rule, partners, wanted in entries:
                    if claim.same_day_line(line, partners) is None:
                        _emit(rule, emit, line, wanted)

        return check


def _emit(rule: Rule, emit: Emit, line: Line, wanted: str) -> None:
    emit(
        rule,
        f"{line.code} is billed on {line.service_date} without any of {wanted} "
        "on that date, and is reported only with one of them: bill the service "
        "it goes with, or correct the code",
        line=line,
        at="/code",
        evidence={
            "code": line.code,
            "service_date": line.service_date.isoformat(),
            "with_codes": wanted.split(", "),
        },
    )
