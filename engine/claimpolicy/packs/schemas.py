"""Cerberus schemas of the pack files: the manifest, rule files, overrides.

A rule's own keys are checked against `RULE_COMMON` merged with the schema of
its kind, so that a misspelt parameter is an error, never silently ignored.
"""

from __future__ import annotations

from typing import Any, Final

from claimpolicy.report import CATEGORIES, SEVERITIES

__all__ = [
    "CODESET_SCHEMA",
    "MANIFEST_SCHEMA",
    "OVERRIDE_COMMON",
    "RULE_COMMON",
    "RULE_FILE_SCHEMA",
    "rule_schema",
]

PACK_NAME_PATTERN: Final = r"[a-z][a-z0-9]*(-[a-z0-9]+)*"
RULE_ID_PATTERN: Final = r"[A-Z0-9]+(-[A-Z0-9]+)*"
QUALIFIED_ID_PATTERN: Final = rf"{PACK_NAME_PATTERN}/{RULE_ID_PATTERN}"
CODESET_REF_PATTERN: Final = r"[a-z0-9-]+/[A-Za-z0-9._-]+"

_TEXT: Final = {"type": "string", "empty": False}

MANIFEST_SCHEMA: Final[dict[str, Any]] = {
    "name": {**_TEXT, "required": True, "regex": PACK_NAME_PATTERN},
    "version": {**_TEXT, "required": True},
    "title": {**_TEXT, "required": True},
    "description": _TEXT,
    "reference": _TEXT,
    "maintainer": _TEXT,
    "effective": {
        "type": "dict",
        "required": True,
        "schema": {"from": {"type": "date", "required": True}, "to": {"type": "date"}},
    },
    "payers": {"type": "list", "schema": {**_TEXT, "regex": r"[a-z0-9][a-z0-9_.-]*"}},
    "extends": {
        "type": "list",
        "schema": {
            "type": "dict",
            "schema": {
                "name": {**_TEXT, "required": True, "regex": PACK_NAME_PATTERN},
                "versions": {**_TEXT, "required": True},
            },
        },
    },
    "codesets": {"type": "list", "schema": {**_TEXT, "regex": CODESET_REF_PATTERN}},
    "requires_engine": _TEXT,
    "rules": {"type": "list", "schema": {**_TEXT, "regex": r".+\.toml"}},
    "tests": {"type": "list", "schema": _TEXT},
}

RULE_COMMON: Final[dict[str, Any]] = {
    "id": {**_TEXT, "required": True, "regex": RULE_ID_PATTERN},
    "kind": {**_TEXT, "required": True},
    "category": {**_TEXT, "required": True, "allowed": sorted(CATEGORIES)},
    "severity": {**_TEXT, "required": True, "allowed": list(SEVERITIES)},
    "title": {**_TEXT, "required": True},
    "reference": {**_TEXT, "required": True},
    "note": _TEXT,
}

OVERRIDE_COMMON: Final[dict[str, Any]] = {
    "enabled": {"type": "boolean"},
    "severity": {**_TEXT, "allowed": list(SEVERITIES)},
    "reason": _TEXT,
}

RULE_FILE_SCHEMA: Final[dict[str, Any]] = {
    "rules": {"type": "list", "schema": {"type": "dict"}},
    "overrides": {
        "type": "dict",
        "keysrules": {"type": "string", "regex": QUALIFIED_ID_PATTERN},
        "valuesrules": {"type": "dict"},
    },
}

CODESET_SCHEMA: Final[dict[str, Any]] = {
    "name": {**_TEXT, "required": True, "regex": r"[a-z0-9-]+"},
    "version": {**_TEXT, "required": True},
    "system": {**_TEXT, "required": True},
    "title": {**_TEXT, "required": True},
    "from": {"type": "date", "required": True},
    "to": {"type": "date"},
    "file": {**_TEXT, "required": True},
    "sha256": {**_TEXT, "required": True, "regex": "[0-9a-f]{64}"},
    "files": {"type": "dict", "valuesrules": _TEXT},
    "sha256_files": {"type": "dict", "valuesrules": {**_TEXT, "regex": "[0-9a-f]{64}"}},
    "source": _TEXT,
    "reference": {**_TEXT, "required": True},
    "note": _TEXT,
    "codes": {"type": "integer", "min": 0},
    "billable": {"type": "integer", "min": 0},
}


def rule_schema(kind_parameters: dict[str, Any]) -> dict[str, Any]:
    """The full schema of a rule of one kind."""
    return {**kind_parameters, **RULE_COMMON}
