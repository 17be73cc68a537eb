"""Look up ICD-10-CM codes in one fiscal year's code set.

The code set is the ``codes.tsv.gz`` that ``tools/build_icd10cm.py`` writes:
a header line ``code<TAB>billable<TAB>title``, then one row per category,
subcategory and full code, sorted by code, without dots. Only billable codes
(leaves of the tabular list) are valid on a claim; a header such as M05 is in
the code set but is not billable.

The engine loads every year at start-up and asks for a status on its hot
path, so loading keeps two sets of codes and the raw text; a title, wanted
only for messages, is found by binary search in the sorted rows when asked.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterator
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from claimpolicy.errors import CodeSetFileError

__all__ = ["Icd10cmTable", "normalize_icd"]

HEADER = b"code\tbillable\ttitle\n"

# Each pattern matches a row's start, from the newline ending the line before.
# The codes stay bytes: decoding 98,000 of them would add a sixth to the load.
_BILLABLE = re.compile(rb"\n([A-Z0-9]{3,7})\t1\t[^\t\n]")
_HEADER = re.compile(rb"\n([A-Z0-9]{3,7})\t0\t[^\t\n]")
_ROW = re.compile(r"[A-Z0-9]{3,7}\t[01]\t[^\t\n]+")

Status = Literal["billable", "header"]
#: Statuses remembered per table, as given (dotted or not); a bound, not a
#: working set: claims use a few thousand distinct codes at most.
_STATUSES_KEPT = 65_536


def normalize_icd(code: str) -> str:
    """Return code as the code set spells it: no blanks, no dot, upper case."""
    return code.strip().replace(".", "").upper()


def _key(code: str) -> bytes:
    # A character outside ASCII becomes "?", which no code contains.
    return normalize_icd(code).encode("ascii", "replace")


class Icd10cmTable:
    """One fiscal year's ICD-10-CM codes, their billable flag and titles."""

    def __init__(
        self,
        data: bytes,
        billable: frozenset[bytes],
        headers: frozenset[bytes],
        source: str,
    ) -> None:
        self._data = data  # the whole TSV, sorted by code
        self._billable = billable
        self._headers = headers
        self.source = source
        self.billable_count = len(billable)
        # Rules ask the status of the same few codes claim after claim.
        self._statuses: dict[str, Status | None] = {}

    @classmethod
    def from_file(cls, path: Path | Traversable) -> Icd10cmTable:
        """Read a codes.tsv.gz; raise CodeSetFileError if it is malformed.

        path may also be an ``importlib.resources`` file, as for the code sets
        shipped inside the package.
        """
        data = _read_tsv(path)
        if not data.startswith(HEADER):
            raise CodeSetFileError(path, 1, f"expected the header {HEADER.decode()!r}")

        # Every row but none of its title is matched once, so the counts of
        # newlines and tabs show whether each line is a well-formed row.
        billable = _BILLABLE.findall(data)
        headers = _HEADER.findall(data)
        rows = len(billable) + len(headers)
        newlines_ok = data.count(b"\n") == rows + 1 and data.endswith(b"\n")
        if not newlines_ok or data.count(b"\t") != 2 * (rows + 1):
            raise _first_bad_line(path, data)

        billable_set, header_set = frozenset(billable), frozenset(headers)
        unique = len(billable_set) + len(header_set) == rows
        if not unique or not header_set.isdisjoint(billable_set):
            raise _first_disorder(path, data)
        return cls(data, billable_set, header_set, str(path))

    def to_plain(self) -> tuple[bytes, bytes, bytes]:
        """The parsed table as plain bytes, for the cache of parsed code sets."""
        billable, headers = sorted(self._billable), sorted(self._headers)
        return self._data, b"\n".join(billable), b"\n".join(headers)

    @classmethod
    def from_plain(cls, plain: tuple[bytes, bytes, bytes], source: str) -> Icd10cmTable:
        """The table `to_plain` gave, without parsing the file again."""
        data, billable, headers = plain
        return cls(data, _code_set(billable), _code_set(headers), source)

    def status(self, code: str) -> Status | None:
        """Say whether code is billable, a header, or (None) not in the set."""
        try:
            return self._statuses[code]
        except KeyError:
            pass
        if len(self._statuses) >= _STATUSES_KEPT:
            self._statuses.clear()
        key = _key(code)
        found: Status | None = None
        if key in self._billable:
            found = "billable"
        elif key in self._headers:
            found = "header"
        self._statuses[code] = found
        return found

    def is_billable(self, code: str) -> bool:
        return _key(code) in self._billable

    def title(self, code: str) -> str | None:
        """Return the code's title as published, or None if it is unknown."""
        key = _key(code)
        if key not in self._billable and key not in self._headers:
            return None
        row = _find_row(self._data, key)
        if row is None:
            raise _first_disorder(self.source, self._data)
        return row.split(b"\t", 2)[2].decode("utf-8")

    def codes(self) -> list[str]:
        """Every code in the set, sorted, without dots."""
        return sorted(code.decode("ascii") for code in self._billable | self._headers)

    def __len__(self) -> int:
        return len(self._billable) + len(self._headers)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.status(code) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes())

    def __repr__(self) -> str:
        return f"Icd10cmTable({self.source!r}, {len(self)} codes)"


def _code_set(joined: bytes) -> frozenset[bytes]:
    return frozenset(joined.split(b"\n")) if joined else frozenset()


def _read_tsv(path: Path | Traversable) -> bytes:
    """Return the file's uncompressed bytes, checked to be UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CodeSetFileError(path, None, f"cannot be read: {error}") from None
    # zlib rather than gzip.decompress, which checks the CRC a second time.
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(raw)
    except zlib.error as error:
        raise CodeSetFileError(path, None, f"not a gzip file: {error}") from None
    if not inflater.eof:
        raise CodeSetFileError(path, None, "truncated gzip data")
    if inflater.unused_data:
        raise CodeSetFileError(path, None, "data after the end of the gzip stream")

    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise CodeSetFileError(path, line, f"not UTF-8: {error.reason}") from None
    return data


def _find_row(data: bytes, key: bytes) -> bytes | None:
    """Binary search the sorted rows of data for the row of code key."""
    low, high = len(HEADER), len(data)  # both are row starts
    while low < high:
        newline = data.rfind(b"\n", low, (low + high) // 2)
        start = low if newline < 0 else newline + 1
        end = data.index(b"\n", start)
        code = data[start : data.index(b"\t", start)]
        if code == key:
            return data[start:end]
        if code < key:
            low = end + 1
        else:
            high = start
    return None


def _first_bad_line(path: object, data: bytes) -> CodeSetFileError:
    """The error for the first line that is not a row (the slow path)."""
    lines = data.decode("utf-8").split("\n")
    for number, line in enumerate(lines[1:-1], start=2):
        if not _ROW.fullmatch(line):
            shown = line if len(line) <= 80 else line[:77] + "..."
            expected = "code<TAB>0 or 1<TAB>title"
            return CodeSetFileError(path, number, f"expected {expected}, got {shown!r}")
    return CodeSetFileError(path, len(lines), "the file does not end with a newline")


def _first_disorder(path: object, data: bytes) -> CodeSetFileError:
    """The error for the first code that repeats or breaks the sort order."""
    lines = data.decode("utf-8").split("\n")[1:-1]
    codes = [line.split("\t", 1)[0] for line in lines]
    for number, (before, code) in enumerate(itertools.pairwise(codes), 3):
        if code == before:
            return CodeSetFileError(path, number, f"code {code} appears twice")
        if code < before:
            return CodeSetFileError(path, number, f"code {code} is out of order")
    return CodeSetFileError(path, None, "rows are not unique and sorted")
