"""A claim document turned into the form the rules read.

The document has passed the schema when it gets here, so this module only
normalises: ICD-10-CM codes lose their dot and are upper-cased, procedure codes
and modifiers are upper-cased, dates and times are parsed once. Rules never
parse the raw document themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Final, Generic, TypeVar

from claimpolicy.codesets.icd10cm import normalize_icd

__all__ = ["Line", "PreparedClaim", "normalize_icd", "parse_date", "prepare"]

MINUTES_PER_DAY: Final = 24 * 60

T = TypeVar("T")


def _minutes(clock: str) -> int:
    minutes = _CLOCK.get(clock)
    if minutes is None:  # not HH:MM as the schema writes it; a plugin's value
        hours, _, rest = clock.partition(":")
        minutes = int(hours) * 60 + int(rest)
    return minutes


# Every HH:MM of a day: one dict lookup instead of parsing on the hot path.
_CLOCK: Final = {f"{m // 60:02d}:{m % 60:02d}": m for m in range(MINUTES_PER_DAY)}


class _TextMemo(Generic[T]):
    """What `make` gives for each distinct text, remembered: a batch repeats
    few dates, diagnosis codes, procedure codes and modifiers, and a dict
    lookup costs less than parsing or re-casing them again. Bounded, for
    memory: past `size` texts it starts afresh."""

    def __init__(self, make: Callable[[str], T], size: int = 65_536) -> None:
        self._make = make
        self._size = size
        self._found: dict[str, T] = {}

    def of(self, text: str) -> T:
        found = self._found.get(text)
        if found is None:
            if len(self._found) >= self._size:
                self._found.clear()
            found = self._found[text] = self._make(text)
        return found


_DATES: Final = _TextMemo(date.fromisoformat)
_ICD_CODES: Final = _TextMemo(normalize_icd)
# upper() would make a new string on every line; the memo gives one that
# already knows its hash.
_UPPER_CASE: Final = _TextMemo(str.upper)


def parse_date(text: str) -> date:
    """A date of the claim document (YYYY-MM-DD), parsed once per batch: for
    rules that read one the claim does not prepare, such as a last visit."""
    return _DATES.of(text)


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
        "service_date_text",
        "start",
        "stop",
        "units",
    )

    # Declared here: __init__ reads them on the previous line before it sets
    # its own.
    service_date: date
    service_date_text: str

    def __init__(
        self, index: int, document: Mapping[str, Any], previous: Line | None = None
    ) -> None:
        # The hot path of every claim. Compiled, a `dict` is read with the
        # dict's own calls rather than the generic mapping protocol; the
        # schema has made every line a JSON object, which orjson gives as
        # a dict, so the copy below is for callers that build lines by hand.
        line: dict[str, Any] = (
            document if isinstance(document, dict) else dict(document)
        )
        self.index = index
        self.number = index + 1
        self.document = document
        self.code: str = _UPPER_CASE.of(line["code"])
        modifiers = line.get("modifiers")
        self.modifiers: tuple[str, ...] = (
            tuple([_UPPER_CASE.of(text) for text in modifiers]) if modifiers else ()
        )
        # Not `float`: compiled, that would turn the JSON integer 2 into 2.0.
        self.units: float | int = line["units"]
        # The lines of a claim mostly share their date: the previous line's
        # is reused after comparing ten characters, where the memo of dates
        # would hash the text and probe its table on every line.
        text: str = line["service_date"]
        if previous is not None and previous.service_date_text == text:
            self.service_date = previous.service_date
        else:
            self.service_date = _DATES.of(text)
        self.service_date_text = text
        self.pointers: tuple[int, ...] = tuple(line["diagnosis_pointers"])
        start = line.get("start_time")
        self.start = _minutes(start) if start is not None else None
        stop = line.get("stop_time")
        self.stop = _minutes(stop) if stop is not None else None
        self.ndc: Mapping[str, Any] | None = line.get("ndc")
        self.dose: Mapping[str, Any] | None = line.get("dose")

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
        # As in Line: dict calls on the hot path, a copy for hand-made claims.
        claim: dict[str, Any] = (
            document if isinstance(document, dict) else dict(document)
        )
        self.document = document
        self.claim_id: str = claim["claim_id"]
        self.payer: str | None = claim.get("payer")
        patient = claim["patient"]
        self.sex: str = patient["sex"]
        self.birth_date = _DATES.of(patient["birth_date"])
        self.place_of_service: str = claim["place_of_service"]
        self.diagnoses: tuple[str, ...] = tuple(
            [_ICD_CODES.of(code) for code in claim["diagnoses"]]
        )
        documents: list[Any] = claim["lines"]
        lines: list[Line] = []
        previous: Line | None = None
        for index, line in enumerate(documents):
            previous = Line(index, line, previous)
            lines.append(previous)
        self.lines: tuple[Line, ...] = tuple(lines)
        self.encounter: Mapping[str, Any] = claim.get("encounter") or {}
        by_code: dict[str, list[Line]] = {}
        # The claim is judged by the rules in force on its first date of service.
        first = self.lines[0].service_date
        for line in self.lines:
            if line.service_date < first:
                first = line.service_date
            found = by_code.get(line.code)
            if found is None:
                by_code[line.code] = [line]
            else:
                found.append(line)
        self.service_date = first
        self.lines_by_code = by_code

    def age_on(self, day: date) -> int:
        """The patient's age in whole years on `day`."""
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def same_day_line(self, line: Line, codes: frozenset[str]) -> Line | None:
        """Another line billed on `line`'s date with one of `codes`, if any."""
        for other in self.lines:
            if (
                other.code in codes
                and other.service_date == line.service_date
                and other is not line
            ):
                return other
        return None

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
