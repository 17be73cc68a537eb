"""required-modifier: codes of one set, billed on the same day as codes of
another, need one of the listed modifiers (25 on an E/M with a drug
administration, for example)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from claimpolicy.claim import PreparedClaim
from claimpolicy.kinds._reads import has_any
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures

MODIFIER_LIST: dict[str, Any] = {
    "type": "list",
    "minlength": 1,
    "schema": {"type": "string", "regex": "[0-9A-Z]{2}"},
}


class RequiredModifier(RuleKind):
    name = "required-modifier"
    summary = (
        "Codes in `codes` billed on the same date as any code in `with_codes` "
        "need one of `modifiers`."
    )
    parameters = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "with_codes": {**PROCEDURE_LIST, "required": True},
        "modifiers": {**MODIFIER_LIST, "required": True},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        # code -> [(rule, partner codes, modifiers)]
        index: dict[str, list[tuple[Rule, frozenset[str], frozenset[str]]]] = {}
        for rule in rules:
            partners = expand_procedures(rule.params["with_codes"])
            modifiers = frozenset(rule.params["modifiers"])
            for code in expand_procedures(rule.params["codes"]):
                index.setdefault(code, []).append((rule, partners, modifiers))

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for line in claim.lines:
                entries = index.get(line.code)
                if entries is None:
                    continue
                for rule, partners, modifiers in entries:
                    if has_any(line.modifiers, modifiers):
                        continue
                    partner = claim.same_day_line(line, partners)
                    if partner is None:
                        continue
                    wanted = " or ".join(sorted(modifiers))
                    emit(
                        rule,
                        f"{line.code} is billed on {line.service_date} with "
                        f"{partner.code} (line {partner.number}) and needs "
                        f"modifier {wanted}",
                        line=line,
                        at="/modifiers",
                        evidence={
                            "code": line.code,
                            "modifiers": list(line.modifiers),
                            "with_code": partner.code,
                            "with_line": partner.number,
                            "service_date": line.service_date.isoformat(),
                        },
                    )

        return check
