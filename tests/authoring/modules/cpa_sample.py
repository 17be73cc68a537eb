"""A test plugin for the authoring tools: one rule kind and one custom edit.

Not installed: tests load it by import path (tests/authoring/modules on the
path), as `--plugin cpa_sample` or `--claimpolicy-plugin cpa_sample`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from claimpolicy import (
    PROCEDURE_LIST,
    Check,
    Edit,
    Emit,
    Hit,
    PackStamp,
    PreparedClaim,
    Rule,
    RuleKind,
    Tables,
    expand_procedures,
    hookimpl,
)

NO_CHARGE = Edit(
    "cpa-payer/NO-CHARGE",
    "info",
    "A line should carry its charge",
    "CMS-1500 item 24F (authoring test plugin)",
)


class UnitsAbove(RuleKind):
    name = "units-above"
    summary = "A line of `codes` billed with more than `limit` units."
    parameters: ClassVar[dict[str, Any]] = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "limit": {"type": "number", "required": True, "min": 0},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        limits = {c: r for r in rules for c in expand_procedures(r.params["codes"])}

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for line in claim.lines:
                rule = limits.get(line.code)
                if rule is not None and line.units > rule.params["limit"]:
                    emit(rule, f"{line.code} has {line.units:g} units", line=line)

        return check


@hookimpl
def claimpolicy_register_rule_kinds() -> list[RuleKind]:
    return [UnitsAbove()]


@hookimpl
def claimpolicy_register_edits() -> list[Edit]:
    return [NO_CHARGE]


@hookimpl
def claimpolicy_check_claim(
    prepared: PreparedClaim, packs: tuple[PackStamp, ...]
) -> list[Hit]:
    if "cpa-payer" not in {pack.name for pack in packs}:
        return []
    return [
        Hit(NO_CHARGE, f"{line.code} has no charge", line=line)
        for line in prepared.lines
        if "charge" not in line.document
    ]
