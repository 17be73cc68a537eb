"""diagnosis-pointers: each line's pointers must point into the diagnosis
list (CMS-1500 item 24E, at most 4, to A-L), and a line must not point to
the same diagnosis twice."""

from __future__ import annotations

from collections.abc import Sequence

from claimpolicy.claim import PreparedClaim
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables

PAST_END = "past-end"
REPEATED = "repeated"


class DiagnosisPointers(RuleKind):
    name = "diagnosis-pointers"
    summary = (
        "`problem = 'past-end'`: a pointer beyond the diagnosis list; "
        "`problem = 'repeated'`: a line points to one diagnosis twice."
    )
    parameters = {
        "problem": {"type": "string", "required": True, "allowed": [PAST_END, REPEATED]}
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        past_end = [rule for rule in rules if rule.params["problem"] == PAST_END]
        repeated = [rule for rule in rules if rule.params["problem"] == REPEATED]

        def check(claim: PreparedClaim, emit: Emit) -> None:
            count = len(claim.diagnoses)
            for line in claim.lines:
                pointers = line.pointers
                for position, pointer in enumerate(pointers):
                    if pointer > count:
                        for rule in past_end:
                            emit(
                                rule,
                                f"diagnosis pointer {pointer} points past the "
                                f"{count} diagnoses of the claim",
                                line=line,
                                at=f"/diagnosis_pointers/{position}",
                                evidence={"pointer": pointer, "diagnoses": count},
                            )
                    elif pointer in pointers[:position]:
                        for rule in repeated:
                            emit(
                                rule,
                                f"diagnosis pointer {pointer} is repeated on the line",
                                line=line,
                                at=f"/diagnosis_pointers/{position}",
                                evidence={"pointers": list(pointers)},
                            )

        return check
