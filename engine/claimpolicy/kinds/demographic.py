"""demographic: diagnoses that fit only one sex or an age range.

A rule names ICD-10-CM families (`C50.01`, `O00-O9A`) and either the sex
they belong to (`sex = "F"` or `"M"`) or the ages they fit (`min_age` and
`max_age`, both ends included, age in whole years on the claim's date of
service). A diagnosis of the families fires the rule when the patient's
recorded sex is the other one (a sex of `U`, unknown, never fires) or the
age falls outside the range.

Messages name the diagnosis and the field, never the patient's values,
which are protected health information.

Families are indexed once: a code's prefixes are looked up in a dict, and
ranges are kept by their first letter, so a claim costs its own diagnoses;
what the index finds for a code is remembered, as a batch repeats few codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from claimpolicy.claim import PreparedClaim, normalize_icd
from claimpolicy.kinds._memory import CODES_REMEMBERED
from claimpolicy.kinds._text import dotted
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import DIAGNOSIS_LIST

__all__ = ["BirthBeforeService", "Demographic", "FamilyIndex"]

SEX_NAMES = {"F": "female", "M": "male"}


@dataclass(frozen=True, slots=True)
class _Restriction:
    rule: Rule
    sex: str | None
    min_age: int | None
    max_age: int | None


class FamilyIndex:
    """Which entries' families contain a diagnosis code, by prefix lookup."""

    __slots__ = ("_prefixes", "_ranges")

    def __init__(self) -> None:
        self._prefixes: dict[str, list[Any]] = {}
        # first letter -> [(low, high, value)]
        self._ranges: dict[str, list[tuple[str, str, Any]]] = {}

    def add(self, entry: str, value: Any) -> None:
        """Index `value` under one family entry (`K50`, `K50.-`, `A-B`)."""
        entry = entry.removesuffix(".-").removesuffix("-")
        low, _, high = entry.partition("-")
        if not high:
            self._prefixes.setdefault(normalize_icd(low), []).append(value)
            return
        low, high = normalize_icd(low), normalize_icd(high)
        for letter in range(ord(low[0]), ord(high[0]) + 1):
            self._ranges.setdefault(chr(letter), []).append((low, high, value))

    def find(self, code: str) -> list[Any]:
        """Every value whose family holds `code` (normalised, no dot)."""
        found: list[Any] = []
        for end in range(3, len(code) + 1):
            found.extend(self._prefixes.get(code[:end], ()))
        for low, high, value in self._ranges.get(code[:1], ()):
            if low <= code and (code <= high or code.startswith(high)):
                found.append(value)
        return found


class Demographic(RuleKind):
    name = "demographic"
    summary = (
        "A diagnosis in `diagnoses` fires when the patient's sex is not `sex` "
        "('F' or 'M'; a patient of sex 'U' never fires), or when the age on "
        "the date of service is outside `min_age`..`max_age`. A rule "
        "restricts either sex or age."
    )
    parameters = {
        "diagnoses": {**DIAGNOSIS_LIST, "required": True},
        "sex": {
            "type": "string",
            "allowed": list(SEX_NAMES),
            "required": True,
            "excludes": ["min_age", "max_age"],
        },
        "min_age": {"type": "integer", "min": 0, "required": True, "excludes": "sex"},
        "max_age": {"type": "integer", "min": 0, "required": True, "excludes": "sex"},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        if not rules:
            return None
        index = FamilyIndex()
        for rule in rules:
            params = rule.params
            restriction = _Restriction(
                rule, params.get("sex"), params.get("min_age"), params.get("max_age")
            )
            for entry in params["diagnoses"]:
                index.add(entry, restriction)

        # What the index holds for a code, remembered (bounded, for memory):
        # a batch repeats few diagnoses, and most are restricted by no rule.
        found_by_code: dict[str, list[_Restriction]] = {}

        def find(code: str) -> list[_Restriction]:
            if len(found_by_code) >= CODES_REMEMBERED:
                found_by_code.clear()
            found = found_by_code[code] = index.find(code)
            return found

        def check(claim: PreparedClaim, emit: Emit) -> None:
            age: int | None = None
            for position, code in enumerate(claim.diagnoses):
                restrictions = found_by_code.get(code)
                if restrictions is None:
                    restrictions = find(code)
                if not restrictions:
                    continue
                fired: set[int] = set()
                for restriction in restrictions:
                    if id(restriction.rule) in fired:
                        continue
                    if restriction.sex is not None:
                        message = _sex_conflict(claim, code, restriction.sex)
                    else:
                        if age is None:
                            age = claim.age_on(claim.service_date)
                        message = _age_conflict(claim, code, restriction, age)
                    if message is None:
                        continue
                    fired.add(id(restriction.rule))
                    emit(
                        restriction.rule,
                        message,
                        at=f"/diagnoses/{position}",
                        evidence={
                            "diagnosis": code,
                            "sex": restriction.sex,
                            "min_age": restriction.min_age,
                            "max_age": restriction.max_age,
                        },
                    )

        return check


def _sex_conflict(claim: PreparedClaim, code: str, sex: str) -> str | None:
    if claim.sex == sex or claim.sex not in SEX_NAMES:
        return None
    return (
        f"diagnosis {dotted(code)} is for {SEX_NAMES[sex]} patients and does "
        "not fit the patient's recorded sex (/patient/sex)"
    )


def _age_conflict(
    claim: PreparedClaim, code: str, restriction: _Restriction, age: int
) -> str | None:
    low, high = restriction.min_age, restriction.max_age
    if age < 0:
        return None  # a birth date after the service: birth-before-service says so
    if (low is None or age >= low) and (high is None or age <= high):
        return None
    return (
        f"diagnosis {dotted(code)} is for patients aged {low} to {high}; the "
        f"patient's age on {claim.service_date} (from /patient/birth_date) is "
        "outside that range"
    )


class BirthBeforeService(RuleKind):
    """The patient must be born by the first date of service of the claim.

    A later birth date is a keying error of the birth date (CMS-1500 item 3)
    or of a date of service (item 24A); age rules cannot judge such a claim,
    so the demographic kind leaves it to this one: one mistake, one finding.
    """

    name = "birth-before-service"
    summary = (
        "The patient's birth date must not be after the claim's first date of service."
    )
    parameters = {}  # none: the rule has nothing to set

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        if not rules:
            return None
        found = list(rules)

        def check(claim: PreparedClaim, emit: Emit) -> None:
            if claim.birth_date <= claim.service_date:
                return
            first = next(
                line for line in claim.lines if line.service_date == claim.service_date
            )
            for rule in found:
                emit(
                    rule,
                    "the patient's birth date (/patient/birth_date) is after the "
                    f"date of service {claim.service_date} of line {first.number}; "
                    "correct the birth date or the date of service",
                    at="/patient/birth_date",
                    evidence={
                        "service_date": claim.service_date.isoformat(),
                        "line": first.number,
                    },
                )

        return check
