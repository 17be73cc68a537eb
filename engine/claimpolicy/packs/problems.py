"""Turn Cerberus validation errors into `PackProblem`s a pack author can act on.

Cerberus reports errors as a tree; authors want one line per problem that
names the key path the way they would write it (`rules[3].severity`) and
leads with the bad value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cerberus import errors as cerberus_errors

from claimpolicy.errors import PackProblem

__all__ = ["format_key_path", "problems_from_cerberus", "short_repr"]

_MAX_VALUE_CHARS = 60


def format_key_path(parts: Sequence[Any]) -> str:
    """('rules', 3, 'severity') -> 'rules[3].severity'."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = _key_text(part)
            text += f".{key}" if text else key
    return text


# A key is shown bare unless that would mislead: an empty one, one with a
# character that ends or hides the line (a user's "\r" split a message in
# two), or one whose space, dot or quote would read as more than one key.
# Those are shown as TOML writes a quoted key.
_AMBIGUOUS_IN_KEYS = frozenset(" .\"'")


def _key_text(key: Any) -> str:
    text = str(key)
    if text and text.isprintable() and _AMBIGUOUS_IN_KEYS.isdisjoint(text):
        return text
    return json.dumps(text)


def short_repr(value: Any) -> str:
    text = repr(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return text


def _message(error: Any) -> str:
    value = short_repr(error.value)
    code = error.code
    if code == cerberus_errors.UNKNOWN_FIELD.code:
        return "unknown key (a misspelt key would silently change a rule)"
    if code == cerberus_errors.REQUIRED_FIELD.code:
        return "is required"
    if code == cerberus_errors.BAD_TYPE.code:
        return f"{value} is not of type {_alternatives(error.constraint)}"
    if code == cerberus_errors.UNALLOWED_VALUE.code:
        return f"{value} is not one of {_alternatives(error.constraint)}"
    if code == cerberus_errors.UNALLOWED_VALUES.code:
        return f"{value} holds values outside {_alternatives(error.constraint)}"
    if code == cerberus_errors.REGEX_MISMATCH.code:
        return f"{value} does not match the pattern {error.constraint}"
    if code == cerberus_errors.MIN_LENGTH.code:
        return f"{value} is shorter than the minimum length of {error.constraint}"
    if code == cerberus_errors.MAX_LENGTH.code:
        return f"{value} is longer than the maximum length of {error.constraint}"
    if code == cerberus_errors.MIN_VALUE.code:
        return f"{value} is less than the minimum of {error.constraint}"
    if code == cerberus_errors.MAX_VALUE.code:
        return f"{value} is more than the maximum of {error.constraint}"
    if code == cerberus_errors.EMPTY_NOT_ALLOWED.code:
        return "must not be empty"
    if code == cerberus_errors.DEPENDENCIES_FIELD.code:
        return f"needs {_alternatives(error.constraint)} beside it"
    if code == cerberus_errors.EXCLUDES_FIELD.code:
        return f"cannot stand beside {_alternatives(error.constraint)}"
    if code == cerberus_errors.CUSTOM.code and error.info:
        return f"{value} {error.info[0]}"
    return f"{value} breaks the rule {error.rule}={short_repr(error.constraint)}"


def _alternatives(constraint: Any) -> str:
    if isinstance(constraint, list | tuple | set | frozenset):
        return ", ".join(str(item) for item in constraint)
    return str(constraint)


def _leaves(errors: Iterable[Any]) -> Iterator[Any]:
    for error in errors:
        if error.is_group_error:
            yield from _leaves(error.child_errors)
        else:
            yield error


def problems_from_cerberus(
    file: Path | str, errors: Iterable[Any], prefix: Sequence[Any] = ()
) -> list[PackProblem]:
    """One problem per leaf error, in document order, under a key `prefix`."""
    located = [((*prefix, *error.document_path), error) for error in _leaves(errors)]
    # Natural order: rules[2] before rules[10], whatever order Cerberus used.
    located.sort(key=lambda item: [(isinstance(p, str), p) for p in item[0]])
    return [
        PackProblem(file, format_key_path(parts), _message(error))
        for parts, error in located
    ]
