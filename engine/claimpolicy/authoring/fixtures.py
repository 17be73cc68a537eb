"""Pack fixture tests: reading test files, applying mutations, moving dates.

A test file is TOML with `[[test]]` tables; each names a claim file (JSON,
relative to the test file), optional JSON Patch `mutations` (RFC 6902) applied
to a copy of it, and what must happen: `expect`ed findings, `absent` rules, an
`outcome`. Everything that can be wrong in a test file is found when it is
read, before any test runs, and reported as a `PackError` naming the file,
the key path and the bad value.

Shared tests are written for one year. `move_into` shifts every date of a
claim by whole years so that its date of service falls in the window of the
pack version under test.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import jsonpatch
from cerberus import Validator

from claimpolicy.errors import PackError, PackProblem
from claimpolicy.packs.problems import problems_from_cerberus, short_repr
from claimpolicy.packs.schemas import QUALIFIED_ID_PATTERN
from claimpolicy.packs.tomlfile import display_path, read_toml
from claimpolicy.report import OUTCOMES, SEVERITIES

__all__ = [
    "TEST_FILE_SCHEMA",
    "Expectation",
    "FixtureTest",
    "fixture_files",
    "load_test_file",
    "move_into",
    "service_date",
    "years_to_move",
]

TEST_NAME_PATTERN: Final = r"[A-Za-z0-9][A-Za-z0-9._-]*"
# Rule ids in tests may also name engine findings (claimpolicy/SCHEMA) and
# plugin edits, which follow the same `prefix/NAME` shape.
_RULE_ID: Final = {"type": "string", "regex": QUALIFIED_ID_PATTERN}
_PATCH_OPS: Final = ["add", "remove", "replace", "move", "copy", "test"]

TEST_FILE_SCHEMA: Final[dict[str, Any]] = {
    "test": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {
            "type": "dict",
            "schema": {
                "name": {
                    "type": "string",
                    "required": True,
                    "regex": TEST_NAME_PATTERN,
                },
                "description": {"type": "string", "empty": False},
                "claim": {"type": "string", "required": True, "empty": False},
                "mutations": {
                    "type": "list",
                    "schema": {
                        "type": "dict",
                        "schema": {
                            "op": {
                                "type": "string",
                                "required": True,
                                "allowed": _PATCH_OPS,
                            },
                            "path": {
                                "type": "string",
                                "required": True,
                                "regex": r"(/.*)?",
                            },
                            "from": {"type": "string", "regex": r"(/.*)?"},
                            "value": {"nullable": True},
                        },
                    },
                },
                "outcome": {"type": "string", "allowed": list(OUTCOMES)},
                "absent": {"type": "list", "schema": _RULE_ID},
                "expect": {
                    "type": "list",
                    "schema": {
                        "type": "dict",
                        "schema": {
                            "rule": {**_RULE_ID, "required": True},
                            "line": {"type": "integer", "min": 1},
                            "severity": {"type": "string", "allowed": list(SEVERITIES)},
                        },
                    },
                },
            },
        },
    }
}

_NAME_LINE = re.compile(r'^\s*name\s*=\s*"([^"]+)"', re.MULTILINE)
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True, slots=True)
class Expectation:
    """A finding a test requires: `line` None means a claim-level finding,
    `severity` None means any severity."""

    rule: str
    line: int | None
    severity: str | None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "claim"
        severity = f" {self.severity}" if self.severity else ""
        return f"{self.rule} {where}{severity}"


@dataclass(frozen=True, slots=True)
class FixtureTest:
    """One `[[test]]` of a test file, its claim read and mutated."""

    file: Path
    name: str
    claim_file: Path
    document: Any  # the mutated claim, before dates are moved
    expect: tuple[Expectation, ...]
    absent: tuple[str, ...]
    outcome: str | None
    line: int | None  # where `name = "..."` is written, for tools to point at

    @property
    def stem(self) -> str:
        return self.file.stem

    def claim(self) -> Any:
        """A fresh copy of the mutated claim, safe to change."""
        return copy.deepcopy(self.document)


def fixture_files(folders: Iterable[Path]) -> list[Path]:
    """The test files of a pack: `*.toml` directly in its test folders."""
    found: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            found.extend(sorted(folder.glob("*.toml")))
    return found


def load_test_file(path: Path) -> list[FixtureTest]:
    """Read and check one test file; raise PackError listing every problem."""
    document, text = read_toml(path)
    shown = display_path(path)
    validator = Validator(TEST_FILE_SCHEMA, allow_unknown=False)
    if not validator.validate(document):
        raise PackError(problems_from_cerberus(shown, validator._errors))

    problems: list[PackProblem] = []
    lines = _name_lines(text)
    tests: list[FixtureTest] = []
    seen: set[str] = set()
    claims: dict[Path, Any] = {}
    for index, raw in enumerate(document["test"]):
        where = f"test[{index}]"
        if raw["name"] in seen:
            problems.append(
                PackProblem(shown, f"{where}.name", f"{raw['name']!r} is used twice")
            )
        seen.add(raw["name"])
        if not (raw.get("expect") or raw.get("absent") or "outcome" in raw):
            problems.append(
                PackProblem(
                    shown,
                    where,
                    f"test {raw['name']!r} asserts nothing: give expect, "
                    "absent or outcome",
                )
            )
        claim_file = (path.parent / raw["claim"]).resolve()
        claim = _read_claim(claim_file, claims, shown, f"{where}.claim", problems)
        if claim is None:
            continue
        mutated = _mutate(claim, raw.get("mutations", ()), shown, where, problems)
        if mutated is None:
            continue
        tests.append(
            FixtureTest(
                file=path,
                name=raw["name"],
                claim_file=claim_file,
                document=mutated,
                expect=tuple(
                    Expectation(e["rule"], e.get("line"), e.get("severity"))
                    for e in raw.get("expect", ())
                ),
                absent=tuple(raw.get("absent", ())),
                outcome=raw.get("outcome"),
                line=lines.get(raw["name"]),
            )
        )
    if problems:
        raise PackError(problems)
    return tests


def _name_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for match in _NAME_LINE.finditer(text):
        lines.setdefault(match.group(1), text.count("\n", 0, match.start()) + 1)
    return lines


def _read_claim(
    path: Path,
    cache: dict[Path, Any],
    shown: str,
    key_path: str,
    problems: list[PackProblem],
) -> Any:
    if path in cache:
        return cache[path]
    try:
        cache[path] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(
            PackProblem(shown, key_path, f"{display_path(path)!r}: file not found")
        )
        return None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        problems.append(
            PackProblem(
                shown, key_path, f"{display_path(path)!r} is not a JSON file: {error}"
            )
        )
        return None
    return cache[path]


def _mutate(
    claim: Any,
    mutations: Iterable[Mapping[str, Any]],
    shown: str,
    where: str,
    problems: list[PackProblem],
) -> Any:
    """The claim with each mutation applied in order, or None on a bad one."""
    document = copy.deepcopy(claim)
    for index, operation in enumerate(mutations):
        try:
            document = jsonpatch.JsonPatch([dict(operation)]).apply(document)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as error:
            problems.append(
                PackProblem(
                    shown,
                    f"{where}.mutations[{index}]",
                    f"{short_repr(dict(operation))} does not apply: {error}",
                )
            )
            return None
    return document


# -- moving a claim's dates ----------------------------------------------------


def service_date(document: Any) -> date | None:
    """The earliest date of service of a claim document, if it has one."""
    days = []
    lines = document.get("lines") if isinstance(document, dict) else None
    for line in lines if isinstance(lines, list) else ():
        day = _as_date(line.get("service_date") if isinstance(line, dict) else None)
        if day is not None:
            days.append(day)
    return min(days, default=None)


def years_to_move(day: date, start: date, end: date | None) -> int | None:
    """Whole years that bring `day` into [start, end]; None when none do."""
    candidates = (0, start.year - day.year, start.year - day.year + 1)
    for years in candidates:
        moved = _add_years(day, years)
        if moved >= start and (end is None or moved <= end):
            return years
    return None


def move_into(document: Any, years: int) -> Any:
    """A copy of the claim with every date moved by `years`.

    Every value of a key ending in `date` (service dates, the birth date, the
    last visit date) moves, so ages and intervals stay what the test meant.
    """
    if years == 0:
        return copy.deepcopy(document)
    return _move(document, years)


def _move(value: Any, years: int) -> Any:
    if isinstance(value, dict):
        return {
            key: _moved_date(item, years)
            if key.endswith("date") and _as_date(item) is not None
            else _move(item, years)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_move(item, years) for item in value]
    return value


def _moved_date(text: str, years: int) -> str:
    day = _as_date(text)
    assert day is not None  # the caller checked
    return _add_years(day, years).isoformat()


def _as_date(value: object) -> date | None:
    if not isinstance(value, str) or not _DATE_TEXT.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year that has none
        return day.replace(year=day.year + years, day=28)
