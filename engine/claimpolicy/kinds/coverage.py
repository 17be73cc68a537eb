"""coverage: a line's code is paid only for the listed diagnoses (medical
necessity, as in a coverage article's ICD-10-CM list or a drug's labelled
indications).

The diagnoses a line points to (CMS-1500 item 24E) must include one of the
rule's diagnosis families. `pointer = "first"` looks only at the first
pointer, the primary reason for the line; `"any"` (the default) at every
pointer of the line. Pointers past the end of the diagnosis list point to
nothing (`diagnosis-pointers` reports them).
"""

from __future__ import annotations

from collections.abc import Sequence

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds._text import dotted_list
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import (
    DIAGNOSIS_LIST,
    PROCEDURE_LIST,
    DiagnosisFamilies,
    expand_procedures,
)

__all__ = ["Coverage"]

ANY = "any"
FIRST = "first"


class Coverage(RuleKind):
    name = "coverage"
    summary = (
        "A line whose code is in `codes` must point to a diagnosis in the "
        "`diagnoses` families (`K50`, `K50.-`), ranges (`M05.00-M06.9`) or "
        "single codes (`=G35`); `pointer = 'first'` checks only the first "
        "pointer (the primary reason), `'any'` every pointer."
    )
    parameters = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "diagnoses": {**DIAGNOSIS_LIST, "required": True},
        "pointer": {"type": "string", "allowed": [ANY, FIRST], "default": ANY},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        index: dict[str, list[_Entry]] = {}
        for rule in rules:
            families = DiagnosisFamilies(rule.params["diagnoses"])
            pointer = rule.params.get("pointer", ANY)
            # Whether a diagnosis is in the rule's families, remembered: a
            # batch repeats few diagnoses, and a family lookup walks prefixes.
            covered: dict[str, bool] = {}
            for code in expand_procedures(rule.params["codes"]):
                index.setdefault(code, []).append((rule, families, pointer, covered))
        if not index:
            return None

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for line in claim.lines:
                entries = index.get(line.code)
                if entries is None:
                    continue
                for rule, families, pointer, covered in entries:
                    if _points_to_covered(claim, line, families, pointer, covered):
                        continue
                    pointed = _pointed(claim, line, pointer)
                    emit(
                        rule,
                        _message(line, pointed, pointer),
                        line=line,
                        at="/diagnosis_pointers",
                        evidence={
                            "code": line.code,
                            "pointer": pointer,
                            "pointed_diagnoses": pointed,
                            "covered": list(families.entries),
                        },
                    )

        return check


# A code's rule, its diagnosis families, which pointers count and what the
# families were found to hold.
_Entry = tuple[Rule, DiagnosisFamilies, str, dict[str, bool]]
_COVERED_REMEMBERED = 4_096


def _points_to_covered(
    claim: PreparedClaim,
    line: Line,
    families: DiagnosisFamilies,
    pointer: str,
    covered: dict[str, bool],
) -> bool:
    """Whether a diagnosis of `_pointed` is in the families, without building
    the list: most lines point to a covered diagnosis."""
    diagnoses = claim.diagnoses
    if pointer == ANY:
        count = len(diagnoses)
        for position in line.pointers:
            if 0 < position <= count and _covers(
                families, covered, diagnoses[position - 1]
            ):
                return True
        return False
    first = line.pointers[0]
    return first <= len(diagnoses) and _covers(families, covered, diagnoses[first - 1])


def _covers(families: DiagnosisFamilies, covered: dict[str, bool], code: str) -> bool:
    found = covered.get(code)
    if found is None:
        if len(covered) >= _COVERED_REMEMBERED:
            covered.clear()
        found = covered[code] = code in families
    return found


def _pointed(claim: PreparedClaim, line: Line, pointer: str) -> list[str]:
    if pointer == ANY:
        return claim.pointed_diagnoses(line)
    first = line.pointers[0]
    return [claim.diagnoses[first - 1]] if first <= len(claim.diagnoses) else []


def _message(line: Line, pointed: list[str], pointer: str) -> str:
    if not pointed:
        return f"{line.code} points to no diagnosis of the claim"
    if pointer == FIRST:
        return (
            f"{line.code} has {dotted_list(pointed)} as its first diagnosis "
            "(the primary reason), which is not a covered indication for it"
        )
    return (
        f"{line.code} points to {dotted_list(pointed)}, none of which is a "
        "covered indication for it"
    )
