"""Read one rule file and check it against the schemas of its rule kinds.

Checking with Cerberus is the slow part of loading packs, so it is done
once per version of a file: the checked rules of a file without problems
are kept in the cache of parsed data (`claimpolicy.cache`), under a digest
of the file's bytes and of every rule kind's schema. A Cerberus validator
is built once per schema, not once per rule.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cerberus import Validator

from claimpolicy import cache
from claimpolicy.errors import PackError, PackProblem
from claimpolicy.kinds.base import RuleKind
from claimpolicy.packs.problems import problems_from_cerberus
from claimpolicy.packs.schemas import RULE_FILE_SCHEMA, rule_schema
from claimpolicy.packs.tomlfile import display_path, id_lines, read_toml

__all__ = ["CheckedRuleFile", "check_rule_file", "schema_problems", "validator_for"]

CACHE_SPACE = "rule-files"


@dataclass(frozen=True, slots=True)
class CheckedRuleFile:
    """The rules of a file that passed their kinds' schemas, as Cerberus
    normalised them; its overrides as written; the line of each rule id."""

    rules: list[dict[str, Any]]
    overrides: dict[str, Any]
    lines: dict[str, int]


def check_rule_file(
    path: Path, kinds: Mapping[str, RuleKind], problems: list[PackProblem]
) -> CheckedRuleFile | None:
    """The checked content of `path`; its problems are added to `problems`.

    None when the file cannot be read. A file that breaks the rule file
    schema, or some of whose rules break their kind's schema, gives what
    is left; every problem is listed, not only the first found.
    """
    try:
        key = cache.digest(path.read_bytes(), _kinds_signature(kinds))
    except OSError:
        key = None  # read_toml below says why, naming the file
    if key is not None:
        cached = cache.load(CACHE_SPACE, key)
        if cached is not None:
            rules, overrides, lines = cached
            return CheckedRuleFile(rules, overrides, lines)

    before = len(problems)
    checked = _check(path, kinds, problems)
    if checked is not None and key is not None and len(problems) == before:
        cache.store(CACHE_SPACE, key, (checked.rules, checked.overrides, checked.lines))
    return checked


def _check(
    path: Path, kinds: Mapping[str, RuleKind], problems: list[PackProblem]
) -> CheckedRuleFile | None:
    try:
        document, text = read_toml(path)
    except PackError as error:
        problems.extend(error.problems)
        return None
    shown = display_path(path)
    validator = validator_for(RULE_FILE_SCHEMA)
    if not validator.validate(document):
        problems.extend(problems_from_cerberus(shown, validator._errors))
        # Go on: a misspelt top-level key must not hide the rules' problems.
        # Only what has its expected shape is checked further.
        document = _well_formed(document)

    rules = []
    for index, raw in enumerate(document.get("rules", ())):
        if not isinstance(raw, dict):
            continue  # reported above as not a table
        name = raw.get("kind")
        kind = kinds.get(name) if isinstance(name, str) else None
        if kind is None and isinstance(name, str):
            known = ", ".join(sorted(kinds))
            problems.append(
                PackProblem(
                    shown,
                    f"rules[{index}].kind",
                    f"{raw['kind']!r} is not a known rule kind (known: {known})",
                )
            )
            continue
        validator = validator_for(rule_schema(kind.parameters if kind else {}))
        if not validator.validate(raw):
            problems.extend(
                problems_from_cerberus(shown, validator._errors, ("rules", index))
            )
            continue
        rules.append(validator.document)
    return CheckedRuleFile(rules, document.get("overrides", {}), id_lines(text))


def _well_formed(document: dict[str, Any]) -> dict[str, Any]:
    """The parts of a rule file that have their expected shape."""
    kept: dict[str, Any] = {}
    if isinstance(document.get("rules"), list):
        kept["rules"] = document["rules"]
    overrides = document.get("overrides")
    if isinstance(overrides, dict) and validator_for(
        {"overrides": RULE_FILE_SCHEMA["overrides"]}
    ).validate({"overrides": overrides}):
        kept["overrides"] = overrides
    return kept


def schema_problems(
    shown: str, document: Any, schema: dict[str, Any], source: str
) -> list[PackProblem]:
    """The problems of `document` (parsed from the text `source`) against a
    Cerberus `schema`; a text that passed once is not checked again."""
    key = cache.digest(source, _stable(schema))
    if cache.load(cache.CHECKED, key) is True:
        return []
    validator = validator_for(schema)
    if validator.validate(document):
        cache.store(cache.CHECKED, key, True)
        return []
    return problems_from_cerberus(shown, validator._errors)


def validator_for(schema: dict[str, Any]) -> Validator:
    """A Cerberus validator of `schema`, built once: building one checks the
    schema itself, which costs more than checking a rule with it."""
    text = _stable(schema)
    validator = _VALIDATORS.get(text)
    if validator is None:
        if len(_VALIDATORS) >= 256:  # kinds come and go in tests
            _VALIDATORS.clear()
        # Cerberus expands a schema in place; a copy keeps the kind's own
        # parameters as written, and so the cache's digest of them stable.
        validator = Validator(copy.deepcopy(schema), allow_unknown=False)
        _VALIDATORS[text] = validator
    return validator


_VALIDATORS: dict[str, Validator] = {}


def _kinds_signature(kinds: Mapping[str, RuleKind]) -> str:
    """Text that changes whenever a schema a rule file is checked with does."""
    # Worked out once per set of kinds: the schemas of large kinds are long.
    identity = tuple(
        (name, id(kind), id(kind.parameters)) for name, kind in kinds.items()
    )
    found = _SIGNATURES.get(identity)
    if found is None:
        if len(_SIGNATURES) >= 64:
            _SIGNATURES.clear()
        found = _SIGNATURES[identity] = _signature(kinds)
    return found


_SIGNATURES: dict[tuple[tuple[str, int, int], ...], str] = {}


def _signature(kinds: Mapping[str, RuleKind]) -> str:
    parts = [f"file {_stable(RULE_FILE_SCHEMA)}"]
    for name in sorted(kinds):
        parts.append(f"kind {name} {_stable(rule_schema(kinds[name].parameters))}")
    return "\n".join(parts)


def _stable(value: Any) -> str:
    """A text of a schema that is the same in every process (no addresses)."""
    if isinstance(value, Mapping):
        items = ", ".join(f"{_stable(k)}: {_stable(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list | tuple | set | frozenset):
        shown = (
            sorted(map(_stable, value))
            if isinstance(value, set | frozenset)
            else map(_stable, value)
        )
        return "[" + ", ".join(shown) + "]"
    if callable(value):
        # A function's bytecode too: a plugin's new version of a check_with
        # function must not find the verdicts of the old one.
        module = getattr(value, "__module__", "?")
        code = getattr(value, "__code__", None)
        body = hashlib.sha256(code.co_code).hexdigest()[:16] if code else ""
        return f"<{module}.{getattr(value, '__qualname__', '?')} {body}>"
    return repr(value)
