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
        "`diagnoses` families; `pointer = 'first'` checks only the first "
        "pointer (the primary reason), `'any'` every pointer."
    )
    parameters = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "diagnoses": {**DIAGNOSIS_LIST, "required": True},
        "pointer": {"type": "string", "allowed": [ANY, FIRST], "default": ANY},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        index: dict[str, list[tuple[Rule, DiagnosisFamilies, str]]] = {}
        for rule in rules:
            families = DiagnosisFamilies(rule.params["diagnoses"])
            pointer = rule.params.get("pointer", ANY)
            for code in expand_procedures(rule.params["codes"]):
                index.setdefault(code, []).append((rule, families, pointer))
        if not index:
            return None

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for line in claim.lines:
                for rule, families, pointer in index.get(line.code, ()):
                    pointed = _pointed(claim, line, pointer)
                    if any(code in families for code in pointed):
                        continue
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
