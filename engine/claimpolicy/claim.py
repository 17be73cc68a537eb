"""A claim document turned into the form the rules read.

The document has passed the schema when it gets here, so this module only
normalises: ICD-10-CM codes lose their dot and are upper-cased, procedure codes
and modifiers are upper-cased, dates and times are parsed once. Rules never
parse the raw document themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

__all__ = ["Line", "PreparedClaim", "normalize_icd", "prepare"]

MINUTES_PER_DAY = 24 * 60


def normalize_icd(code: str) -> str:
    """`m05.79` and `M0579` are the same code: the form the code sets use."""
    return code.replace(".", "").strip().upper()


def _minutes(clock: str | None) -> int | None:
    if clock is None:
        return None
    hours, _, minutes = clock.partition(":")
    return int(hours) * 60 + int(minutes)


class Line:
    """One service line, normalised. `index` is 0-based, as in JSON Pointers."""

    __slots__ = (
        "code",
        "document",
        "dose",
        "index",
        "modifiers",
        "ndc",
        "number",
        "pointers",
        "service_date",
        "start",
        "stop",
        "units",
    )

    def __init__(self, index: int, document: Mapping[str, Any]) -> None:
        self.index = index
        self.number = index + 1
        self.document = document
        self.code: str = document["code"].upper()
        self.modifiers: tuple[str, ...] = tuple(
            modifier.upper() for modifier in document.get("modifiers", ())
        )
        self.units: float = document["units"]
        self.service_date = date.fromisoformat(document["service_date"])
        self.pointers: tuple[int, ...] = tuple(document["diagnosis_pointers"])
        self.start = _minutes(document.get("start_time"))
        self.stop = _minutes(document.get("stop_time"))
        self.ndc: Mapping[str, Any] | None = document.get("ndc")
        self.dose: Mapping[str, Any] | None = document.get("dose")

    @property
    def minutes(self) -> int | None:
        """The documented duration; a stop before the start ran past midnight."""
        if self.start is None or self.stop is None:
            return None
        return (self.stop - self.start) % MINUTES_PER_DAY

    def has_any_modifier(self, modifiers: frozenset[str]) -> bool:
        return not modifiers.isdisjoint(self.modifiers)

    def __repr__(self) -> str:
        return f"Line({self.number}, {self.code!r})"


class PreparedClaim:
    """The claim as the rules see it."""

    __slots__ = (
        "birth_date",
        "claim_id",
        "diagnoses",
        "document",
        "encounter",
        "lines",
        "lines_by_code",
        "payer",
        "place_of_service",
        "service_date",
        "sex",
    )

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.claim_id: str = document["claim_id"]
        self.payer: str | None = document.get("payer")
        patient = document["patient"]
        self.sex: str = patient["sex"]
        self.birth_date = date.fromisoformat(patient["birth_date"])
        self.place_of_service: str = document["place_of_service"]
        self.diagnoses: tuple[str, ...] = tuple(
            normalize_icd(code) for code in document["diagnoses"]
        )
        self.lines = tuple(
            Line(index, line) for index, line in enumerate(document["lines"])
        )
        self.encounter: Mapping[str, Any] = document.get("encounter") or {}
        # The claim is judged by the rules in force on its first date of service.
        self.service_date = min(line.service_date for line in self.lines)
        by_code: dict[str, list[Line]] = {}
        for line in self.lines:
            by_code.setdefault(line.code, []).append(line)
        self.lines_by_code = by_code

    def age_on(self, day: date) -> int:
        """The patient's age in whole years on `day`."""
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def pointed_diagnoses(self, line: Line) -> list[str]:
        """The diagnoses a line points to, skipping pointers past the list."""
        count = len(self.diagnoses)
        return [self.diagnoses[p - 1] for p in line.pointers if 0 < p <= count]

    @property
    def em(self) -> Mapping[str, Any]:
        return self.encounter.get("em") or {}


def prepare(document: Mapping[str, Any]) -> PreparedClaim:
    """Normalise a claim document that passed the schema."""
    return PreparedClaim(document)
