"""Code lists as pack authors write them, compiled for constant-time lookup.

Procedure lists hold codes and ranges (`96360-96549`, `J9000-J9999`); ranges
are expanded when the rule compiles, so a lookup is one dict access however
many rules there are. Diagnosis lists hold ICD-10-CM families: a code covers
itself and every code below it (`K50` or `K50.-`), and a range such as
`M05.00-M06.9` covers the codes between its ends, children of the last
included.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from claimpolicy.claim import normalize_icd

__all__ = [
    "DIAGNOSIS_LIST",
    "PROCEDURE_LIST",
    "DiagnosisFamilies",
    "expand_procedures",
]

PROCEDURE_PATTERN: Final = r"[0-9A-Z]{5}(-[0-9A-Z]{5})?"
DIAGNOSIS_PATTERN: Final = (
    r"=?[A-Z][0-9A-Z][0-9A-Z](\.?[0-9A-Z]{0,4})?(\.-)?"
    r"(-[A-Z][0-9A-Z][0-9A-Z](\.?[0-9A-Z]{0,4})?)?"
)
PROCEDURE_LIST: Final[dict[str, Any]] = {
    "type": "list",
    "minlength": 1,
    "schema": {"type": "string", "regex": PROCEDURE_PATTERN},
}
DIAGNOSIS_LIST: Final[dict[str, Any]] = {
    "type": "list",
    "minlength": 1,
    "schema": {"type": "string", "regex": DIAGNOSIS_PATTERN},
}
_MAX_RANGE = 100_000


def expand_procedures(entries: Iterable[str]) -> frozenset[str]:
    """Every code a list names, ranges expanded over their digits."""
    codes: set[str] = set()
    for entry in entries:
        low, _, high = entry.partition("-")
        codes.update(_expand(low, high) if high else (low,))
    return frozenset(codes)


def _expand(low: str, high: str) -> list[str]:
    # Both ends must have letters in the same places (9XXXX, JXXXX, XXXXT):
    # the digits between them are counted through.
    shape = [c.isdigit() for c in low]
    if shape != [c.isdigit() for c in high] or any(
        not is_digit and a != b for is_digit, a, b in zip(shape, low, high, strict=True)
    ):
        raise ValueError(
            f"range {low}-{high}: both ends need letters in the same places"
        )
    first = int("".join(c for c in low if c.isdigit()))
    last = int("".join(c for c in high if c.isdigit()))
    if last < first or last - first > _MAX_RANGE:
        raise ValueError(f"range {low}-{high} is empty or too wide")
    width = sum(shape)
    codes = []
    for number in range(first, last + 1):
        digits = iter(f"{number:0{width}d}")
        codes.append(
            "".join(
                next(digits) if is_digit else c
                for is_digit, c in zip(shape, low, strict=True)
            )
        )
    return codes


class DiagnosisFamilies:
    """Does an ICD-10-CM code fall in one of the listed families or ranges?

    An entry names a family (``K50`` or ``K50.-``: the code and every code
    under it), a range (``M05.00-M06.9``: the codes between, each with its
    own children), or, with a leading ``=``, one code alone (``=G35``: G35
    but not the children a later fiscal year gives it).
    """

    __slots__ = ("_exact", "_prefixes", "_ranges", "entries")

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = tuple(entries)
        exact: set[str] = set()
        prefixes: set[str] = set()
        ranges: list[tuple[str, str]] = []
        for entry in self.entries:
            if entry.startswith("="):
                exact.add(normalize_icd(entry[1:]))
                continue
            entry = (
                entry.removesuffix(".-").removesuffix("-")
                if entry.endswith("-")
                else entry
            )
            low, _, high = entry.partition("-")
            if high:
                ranges.append((normalize_icd(low), normalize_icd(high)))
            else:
                prefixes.add(normalize_icd(low))
        self._exact = frozenset(exact)
        self._prefixes = frozenset(prefixes)
        self._ranges = tuple(ranges)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        if code in self._exact:
            return True
        prefixes = self._prefixes
        for end in range(3, len(code) + 1):
            if code[:end] in prefixes:
                return True
        return any(
            low <= code and (code <= high or code.startswith(high))
            for low, high in self._ranges
        )
