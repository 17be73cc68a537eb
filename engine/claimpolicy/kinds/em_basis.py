"""em-basis-documented: the basis an E/M level was chosen by must be documented.

An encounter that says the level was chosen by time must give the total
minutes, one chosen by medical decision making must give the MDM level;
without them em-time and em-mdm have nothing to judge, so the gap is a
finding of its own. The finding is claim-level and points at the missing
field of the encounter, because the fix is in the visit note, not the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from claimpolicy.claim import PreparedClaim
from claimpolicy.kinds._reads import em_of
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures

# The encounter field each basis needs.
NEEDED_FIELD: Final = {"time": "total_minutes", "mdm": "mdm_level"}


class EmBasisDocumented(RuleKind):
    name = "em-basis-documented"
    summary = (
        "When a code of `codes` is billed and `em.basis` equals `basis`, the field "
        'that basis needs must be present: em.total_minutes for "time", '
        'em.mdm_level for "mdm". One finding per claim, at the missing field.'
    )
    parameters = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "basis": {"type": "string", "required": True, "allowed": sorted(NEEDED_FIELD)},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        # basis -> [(rule, E/M codes)]
        by_basis: dict[str, list[tuple[Rule, frozenset[str]]]] = {}
        for rule in rules:
            codes = expand_procedures(rule.params["codes"])
            by_basis.setdefault(rule.params["basis"], []).append((rule, codes))

        def check(claim: PreparedClaim, emit: Emit) -> None:
            em = em_of(claim)
            basis = em.get("basis")
            if basis not in by_basis:
                return
            field = NEEDED_FIELD[basis]
            if em.get(field) is not None:
                return
            for rule, codes in by_basis[basis]:
                line = next((line for line in claim.lines if line.code in codes), None)
                if line is None:
                    continue
                emit(
                    rule,
                    f"{line.code} (line {line.number}) was chosen by {basis}, but "
                    f"the encounter has no em.{field}",
                    at=f"/encounter/em/{field}",
                    evidence={"code": line.code, "line": line.number, "basis": basis},
                )

        return check
