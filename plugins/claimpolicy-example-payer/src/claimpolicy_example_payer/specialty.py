"""specialty-required: listed drugs, given for listed diagnoses, are covered
when a specialist of the condition prescribes them or is consulted.

Commercial policies for infused biologics commonly require that the drug be
"prescribed by or in consultation with" a specialist of the indication: a
gastroenterologist for Crohn's disease and ulcerative colitis, a
rheumatologist for rheumatoid arthritis, a neurologist for multiple
sclerosis. A professional claim names the provider's specialty
(`provider.specialty`, free text or a CMS specialty code), which is the
prescriber's in the usual case of a specialist infusing in the office. When
another specialty bills, the consultation may still be in the record, so
rules of this kind are meant to warn. A claim without a specialty cannot be
judged and gets no finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from claimpolicy import (
    DIAGNOSIS_LIST,
    PROCEDURE_LIST,
    Check,
    DiagnosisFamilies,
    Emit,
    Line,
    PreparedClaim,
    Rule,
    RuleKind,
    Tables,
    expand_procedures,
)

_SHOWN = 40  # characters of a free-text specialty quoted in a message


class SpecialtyRequired(RuleKind):
    name = "specialty-required"
    summary = (
        "A line with a code in `codes` that points to a diagnosis in `diagnoses` "
        "needs a provider specialty in `specialties` (names or CMS specialty "
        "codes, compared without case); `specialist` names them in messages."
    )
    parameters = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "diagnoses": {**DIAGNOSIS_LIST, "required": True},
        "specialties": {
            "type": "list",
            "required": True,
            "minlength": 1,
            "schema": {"type": "string", "empty": False},
        },
        "specialist": {"type": "string", "required": True, "empty": False},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        # code -> [(rule, indication families, accepted specialties)]
        index: dict[str, list[tuple[Rule, DiagnosisFamilies, frozenset[str]]]] = {}
        for rule in rules:
            entry = (
                rule,
                DiagnosisFamilies(rule.params["diagnoses"]),
                frozenset(_key(text) for text in rule.params["specialties"]),
            )
            for code in expand_procedures(rule.params["codes"]):
                index.setdefault(code, []).append(entry)

        def check(claim: PreparedClaim, emit: Emit) -> None:
            specialty = claim.document["provider"].get("specialty")
            if not specialty:
                return  # nothing to judge by
            for line in claim.lines:
                for rule, families, accepted in index.get(line.code, ()):
                    if _key(specialty) in accepted:
                        continue
                    pointed = claim.pointed_diagnoses(line)
                    indication = next((dx for dx in pointed if dx in families), None)
                    if indication is not None:
                        _emit(emit, rule, line, indication, specialty)

        return check if index else None


def _key(specialty: str) -> str:
    return " ".join(specialty.split()).lower()


def _emit(emit: Emit, rule: Rule, line: Line, indication: str, specialty: str) -> None:
    shown = specialty if len(specialty) <= _SHOWN else specialty[:_SHOWN] + "..."
    evidence: dict[str, Any] = {
        "code": line.code,
        "diagnosis": indication,
        "specialty": specialty,
        "specialties": list(rule.params["specialties"]),
    }
    emit(
        rule,
        f"{line.code} for {indication} is billed by specialty {shown!r}: it is "
        f"covered when {rule.params['specialist']} prescribes it or is consulted, "
        "so keep that consultation on file",
        line=line,
        at="/code",
        evidence=evidence,
    )
