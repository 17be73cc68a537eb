"""Look up HCPCS Level II codes, modifiers and infusion drugs of one release.

The folder is what ``tools/build_hcpcs.py`` writes: ``codeset.toml`` naming
``codes.tsv`` (procedure codes with their add and end dates), ``modifiers.tsv``
and ``drugs.toml`` (billing unit and container of the infusion drugs). The
registry (`claimpolicy.codesets.registry`) checks each file's SHA-256 against
the manifest before it asks for the table; this module only parses.

A code's end date is known only when the CMS 2020 file gave one: the October
2025 source lost its termination dates, so `HcpcsCode.termination_basis` says
whether a code without an end date is known to be active or merely not known
to have ended. `HcpcsTable.is_active` treats both as active.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import tomli

from claimpolicy.errors import CodeSetFileError

__all__ = ["BOTH_CONTAINERS", "CONTAINERS", "Drug", "HcpcsCode", "HcpcsTable"]

CODES_HEADER = "code\tadded\tterminated\ttermination_basis\tshort_description"
MODIFIERS_HEADER = "code\tadded\tshort_description"
TERMINATION_BASES = frozenset(
    {
        "cms-2020-file",
        "active-no-action-since-2020",
        "unknown-action-after-2020",
        "unknown-added-after-2020",
    }
)
UNITS = frozenset({"mg", "mcg", "g", "units", "mL"})
# The containers a drug code's products come in, from their FDA labels:
# only single-dose, only multiple-dose, or both (epoetin alfa, trastuzumab),
# when only the claim can say which container a dose came from.
BOTH_CONTAINERS = "both"
CONTAINERS = frozenset({"single-dose", "multiple-dose", BOTH_CONTAINERS})

_CODE = re.compile(r"[A-Z][0-9]{4}")
_MODIFIER = re.compile(r"[A-Z0-9]{2}")

# Every key of a [[drug]] entry: its type, a name for messages, and whether
# it is required.
_DRUG_KEYS: dict[str, tuple[type | tuple[type, ...], str, bool]] = {
    "code": (str, "a string", True),
    "drug": (str, "a string", True),
    "product": (str, "a string", False),
    "reference_product": (bool, "true or false", True),
    "biosimilar_of": (str, "a string", False),
    "descriptor": (str, "a string", True),
    "unit_amount": ((int, float), "a number", True),
    "unit": (str, "a string", True),
    "added": (date, "a date", True),
    "terminated": (date, "a date", False),
    "container": (str, "a string", True),
    "mue": (int, "an integer", False),
    "mue_source": (str, "a string", False),
    "source": (str, "a string", True),
}


@dataclass(frozen=True, slots=True)
class HcpcsCode:
    """One procedure code: when it was added and, if known, when it ended."""

    code: str
    added: date
    terminated: date | None  # the last valid day
    termination_basis: str
    short_description: str

    def is_active(self, on: date) -> bool:
        """Whether the code is valid for a service on that day."""
        return self.added <= on and (self.terminated is None or on <= self.terminated)


@dataclass(frozen=True, slots=True)
class Drug:
    """A drug code's billing unit and container, with the facts' sources.

    `container` is "single-dose", "multiple-dose" or "both" (products of
    the code come in either).
    """

    code: str
    drug: str
    product: str | None
    reference_product: bool
    biosimilar_of: str | None
    descriptor: str
    unit_amount: float
    unit: str
    added: date
    terminated: date | None
    container: str
    mue: int | None
    mue_source: str | None
    source: str

    def __post_init__(self) -> None:
        if self.container not in CONTAINERS:
            raise ValueError(
                f"container: expected one of {', '.join(sorted(CONTAINERS))}, "
                f"got {self.container!r}"
            )

    @property
    def single_dose_container(self) -> bool:
        """What a rule may assume when a claim names no container: true only
        when every product of the code comes in single-dose containers, so
        that a drug sold in both kinds is not taken for single-dose."""
        return self.container == "single-dose"


class HcpcsTable:
    """The procedure codes, modifiers and infusion drugs of one release."""

    def __init__(
        self,
        codes: dict[str, HcpcsCode],
        modifiers: frozenset[str],
        drugs: dict[str, Drug],
        source: str,
    ) -> None:
        self._codes = codes
        self.modifiers = modifiers
        self._drugs = drugs
        self.drugs: Mapping[str, Drug] = MappingProxyType(drugs)
        self.source = source

    @classmethod
    def from_folder(cls, folder: Path) -> HcpcsTable:
        """Read a code set folder; raise CodeSetFileError if a file is malformed."""
        manifest_path = folder / "codeset.toml"
        manifest = _read_toml(manifest_path)
        files = manifest.get("files")
        if not isinstance(files, dict):
            raise CodeSetFileError(manifest_path, None, "expected a [files] table")
        codes_path = folder / _file_name(manifest_path, manifest, "file")
        modifiers_path = folder / _file_name(manifest_path, files, "modifiers")
        drugs_path = folder / _file_name(manifest_path, files, "drugs")

        codes = {row.code: row for row in _read_codes(codes_path)}
        modifiers = frozenset(_read_modifiers(modifiers_path))
        drugs = {drug.code: drug for drug in _read_drugs(drugs_path, codes)}
        return cls(codes, modifiers, drugs, str(folder))

    def to_plain(
        self,
    ) -> tuple[list[tuple[Any, ...]], list[str], list[tuple[Any, ...]]]:
        """The parsed table as plain data, for the cache of parsed code sets."""
        return (
            [_fields(row) for row in self._codes.values()],
            sorted(self.modifiers),
            [_fields(drug) for drug in self.drugs.values()],
        )

    @classmethod
    def from_plain(
        cls,
        plain: tuple[list[tuple[Any, ...]], list[str], list[tuple[Any, ...]]],
        source: str,
    ) -> HcpcsTable:
        """The table `to_plain` gave, without parsing the files again."""
        rows, modifiers, drugs = plain
        codes = {row[0]: HcpcsCode(*row) for row in rows}
        return cls(codes, frozenset(modifiers), {d[0]: Drug(*d) for d in drugs}, source)

    def get(self, code: str) -> HcpcsCode | None:
        # Rules pass codes already upper-cased: try them as they are first.
        found = self._codes.get(code)
        if found is None:
            key = code.strip().upper()
            if key != code:
                found = self._codes.get(key)
        return found

    def is_active(self, code: str, on: date) -> bool:
        """Whether code exists and is valid on that day (unknown ends count
        as active; see `HcpcsCode.termination_basis`)."""
        row = self.get(code)
        return row is not None and row.is_active(on)

    def drug(self, code: str) -> Drug | None:
        found = self._drugs.get(code)
        if found is None:
            key = code.strip().upper()
            if key != code:
                found = self._drugs.get(key)
        return found

    def codes(self) -> Iterable[str]:
        """Every procedure code of the table, in code order."""
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def __repr__(self) -> str:
        return f"HcpcsTable({self.source!r}, {len(self)} codes)"


def _fields(record: HcpcsCode | Drug) -> tuple[Any, ...]:
    return tuple(getattr(record, field.name) for field in dataclasses.fields(record))


# --- reading the files ------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise CodeSetFileError(path, None, error.strerror or str(error)) from None
    except UnicodeDecodeError as error:
        raise CodeSetFileError(path, None, f"not UTF-8: {error.reason}") from None


def _read_toml(path: Path, text: str | None = None) -> dict[str, Any]:
    try:
        return tomli.loads(_read_text(path) if text is None else text)
    except tomli.TOMLDecodeError as error:
        raise CodeSetFileError(path, None, f"not TOML: {error}") from None


def _file_name(path: Path, table: dict[str, Any], key: str) -> str:
    name = table.get(key)
    if not isinstance(name, str) or not name or "/" in name or "\\" in name:
        raise CodeSetFileError(path, None, f"{key}: expected a file name, got {name!r}")
    return name


def _read_lines(path: Path, header: str) -> list[tuple[int, list[str]]]:
    """The data rows of a TSV file as (line number, fields)."""
    lines = _read_text(path).split("\n")
    if lines[0] != header:
        raise CodeSetFileError(path, 1, f"expected header {header!r}, got {lines[0]!r}")
    if lines[-1] != "":
        raise CodeSetFileError(path, len(lines), "the file does not end with a newline")
    width = header.count("\t") + 1
    rows = []
    for number, line in enumerate(lines[1:-1], start=2):
        fields = line.split("\t")
        if len(fields) != width:
            raise CodeSetFileError(
                path, number, f"expected {width} tab-separated fields, got {line!r}"
            )
        rows.append((number, fields))
    return rows


def _read_codes(path: Path) -> list[HcpcsCode]:
    rows = []
    previous = ""
    for number, (code, added, ended, basis, title) in _read_lines(path, CODES_HEADER):
        if not _CODE.fullmatch(code):
            raise CodeSetFileError(path, number, f"bad code {code!r}")
        if code <= previous:
            raise CodeSetFileError(path, number, f"code {code} is out of order")
        if basis not in TERMINATION_BASES:
            raise CodeSetFileError(
                path,
                number,
                f"bad termination_basis {basis!r}, expected one of "
                f"{', '.join(sorted(TERMINATION_BASES))}",
            )
        terminated = _date(path, number, "terminated", ended) if ended else None
        if (terminated is not None) != (basis == "cms-2020-file"):
            raise CodeSetFileError(
                path,
                number,
                f"code {code}: terminated {ended!r} does not fit basis {basis!r}",
            )
        rows.append(
            HcpcsCode(
                code, _date(path, number, "added", added), terminated, basis, title
            )
        )
        previous = code
    return rows


def _read_modifiers(path: Path) -> list[str]:
    modifiers = []
    for number, (code, added, _title) in _read_lines(path, MODIFIERS_HEADER):
        if not _MODIFIER.fullmatch(code):
            raise CodeSetFileError(path, number, f"bad modifier {code!r}")
        _date(path, number, "added", added)
        modifiers.append(code)
    return modifiers


def _date(path: Path, line: int, column: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CodeSetFileError(
            path, line, f"{column}: expected a date YYYY-MM-DD, got {text!r}"
        ) from None


def _read_drugs(path: Path, codes: dict[str, HcpcsCode]) -> list[Drug]:
    text = _read_text(path)
    entries = _read_toml(path, text).get("drug")
    if not isinstance(entries, list):
        raise CodeSetFileError(path, None, "expected [[drug]] tables")
    # TOML keeps no line numbers; errors name the line of the entry's header.
    lines = [
        number
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip() == "[[drug]]"
    ]
    return [
        _drug(path, lines[index] if index < len(lines) else None, entry, codes)
        for index, entry in enumerate(entries)
    ]


def _drug(
    path: Path, line: int | None, entry: Any, codes: dict[str, HcpcsCode]
) -> Drug:
    if not isinstance(entry, dict):
        raise CodeSetFileError(path, line, f"expected a [[drug]] table, got {entry!r}")
    where = f"[[drug]] {entry.get('code', '?')}"
    unknown = sorted(entry.keys() - _DRUG_KEYS.keys())
    if unknown:
        raise CodeSetFileError(path, line, f"{where}: unknown key {unknown[0]!r}")
    for key, (wanted, name, required) in _DRUG_KEYS.items():
        if key not in entry:
            if required:
                raise CodeSetFileError(path, line, f"{where}: {key} is required")
        elif not _has_type(entry[key], wanted):
            raise CodeSetFileError(
                path, line, f"{where}: {key}: expected {name}, got {entry[key]!r}"
            )

    if entry["code"] not in codes:
        raise CodeSetFileError(
            path, line, f"{where}: code {entry['code']!r} is not in the code set"
        )
    if entry["unit"] not in UNITS:
        raise CodeSetFileError(
            path,
            line,
            f"{where}: unit: expected one of {', '.join(sorted(UNITS))}, "
            f"got {entry['unit']!r}",
        )
    if entry["unit_amount"] <= 0:
        raise CodeSetFileError(
            path,
            line,
            f"{where}: unit_amount: expected a number > 0, "
            f"got {entry['unit_amount']!r}",
        )
    if entry["container"] not in CONTAINERS:
        raise CodeSetFileError(
            path,
            line,
            f"{where}: container: expected one of "
            f"{', '.join(sorted(CONTAINERS))}, got {entry['container']!r}",
        )
    return Drug(
        code=entry["code"],
        drug=entry["drug"],
        product=entry.get("product"),
        reference_product=entry["reference_product"],
        biosimilar_of=entry.get("biosimilar_of"),
        descriptor=entry["descriptor"],
        unit_amount=entry["unit_amount"],
        unit=entry["unit"],
        added=entry["added"],
        terminated=entry.get("terminated"),
        container=entry["container"],
        mue=entry.get("mue"),
        mue_source=entry.get("mue_source"),
        source=entry["source"],
    )


def _has_type(value: object, wanted: type | tuple[type, ...]) -> bool:
    if wanted is date:
        return type(value) is date  # a TOML date-time is not a date
    if wanted is bool:
        return isinstance(value, bool)
    return isinstance(value, wanted) and not isinstance(value, bool)
