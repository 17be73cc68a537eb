"""one-initial-service: one "initial" drug administration code per encounter.

After the first initial service (an IV infusion, push or hydration), every
further administration through the same access is reported with a
sequential, concurrent or additional code. A second initial code is right
only when protocol needs a separate IV site, shown by a modifier such as XE.

The encounter is taken as the date of service. Which initial code is the
right one (the main reason for the visit, in the physician's office) cannot
be read from the claim, so of the initial lines on a date that lack a
separate-site modifier the first in claim order is kept and each later one
fires, naming both lines. Units above 1 on one initial line are left to the
unit (MUE) rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures
from claimpolicy.kinds.modifiers import MODIFIER_LIST


class OneInitialService(RuleKind):
    name = "one-initial-service"
    summary = (
        "On one date of service only one line may carry a code of `codes` (the "
        "initial drug administration services) without one of "
        "`separate_site_modifiers`; each further such line fires."
    )
    parameters = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "separate_site_modifiers": {**MODIFIER_LIST, "required": True},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        compiled = [
            (
                rule,
                expand_procedures(rule.params["codes"]),
                frozenset(rule.params["separate_site_modifiers"]),
            )
            for rule in rules
        ]

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for rule, codes, modifiers in compiled:
                kept: dict[date, Line] = {}
                for line in claim.lines:
                    if line.code not in codes or line.has_any_modifier(modifiers):
                        continue
                    first = kept.setdefault(line.service_date, line)
                    if first is not line:
                        _emit(rule, emit, line, first, modifiers)

        return check


def _emit(
    rule: Rule, emit: Emit, line: Line, first: Line, modifiers: frozenset[str]
) -> None:
    allowed = ", ".join(sorted(modifiers))
    emit(
        rule,
        f"{line.code} (line {line.number}) is a second initial drug administration "
        f"service on {line.service_date} after {first.code} (line {first.number}): "
        "report it with the sequential or additional code, or add one of "
        f"{allowed} when protocol required a separate IV site",
        line=line,
        at="/modifiers",
        evidence={
            "code": line.code,
            "modifiers": list(line.modifiers),
            "initial_code": first.code,
            "initial_line": first.number,
            "service_date": line.service_date.isoformat(),
        },
    )
