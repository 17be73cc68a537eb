"""Words for schema failures: one message per problem, leading with the value.

Both validation engines report failures as (keyword, path, subschema); this
module turns them into the messages a biller reads. Values found under
``/patient`` are never repeated (protected health information): the message
names the field instead. Long values are shortened.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["Failure", "SchemaProblem", "kind_of", "word_failures"]


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One way a claim document breaks the claim schema."""

    #: JSON Pointer of the offending value (``/lines/2/units``), ``""`` for the
    #: whole document; for a missing field, the object that lacks it.
    pointer: str
    #: A sentence a biller can act on, leading with the offending value.
    message: str


class Failure(NamedTuple):
    """An engine's verdict, before it is worded: which keyword failed where."""

    keyword: str
    path: tuple[Any, ...]
    schema: Mapping[str, Any]


#: A value that fails its pattern is not also reported as too long or as not
#: a real date: the pattern's message says what is expected.
_SUPERSEDED_BY_PATTERN = frozenset({"format", "minLength", "maxLength"})

#: Keywords whose messages name fields, never values.
_STRUCTURAL = frozenset({"required", "additionalProperties", "readable"})


def word_failures(
    failures: list[Failure], document: dict[str, Any]
) -> list[SchemaProblem]:
    patterned = {failure.path for failure in failures if failure.keyword == "pattern"}
    worded: dict[tuple[Any, ...], SchemaProblem] = {}
    for failure in failures:
        if failure.keyword in _SUPERSEDED_BY_PATTERN and failure.path in patterned:
            continue
        pointer = _pointer(failure.path)
        for message in _messages(failure, _value_at(document, failure.path)):
            key = (_sort_key(failure.path), message)
            worded[key] = SchemaProblem(pointer, message)
    return [worded[key] for key in sorted(worded)]


def _messages(failure: Failure, instance: object) -> Iterator[str]:
    suffix = ""
    shown = _show(instance)
    if failure.path[:1] == ("patient",) and failure.keyword not in _STRUCTURAL:
        suffix = " (value withheld)"
        shown = _field_name(failure.path)
        instance = None

    describe = _DESCRIBERS.get(failure.keyword, _describe_other)
    for message in describe(shown, instance, failure):
        yield message + suffix


def _describe_type(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    expected = failure.schema["type"]
    names = [expected] if isinstance(expected, str) else expected
    yield f"{shown} is not {' or '.join(_TYPE_NAMES[name] for name in names)}"


def _describe_required(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    for name in failure.schema["required"]:
        if name not in instance:
            yield f"{name!r} is a required property"


def _describe_additional(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    allowed = list(failure.schema.get("properties", {}))
    for key in instance:
        if key not in allowed:
            yield f"{_show(key)} is not an allowed property{_hint(key, allowed)}"


def _hint(key: object, allowed: list[str]) -> str:
    if isinstance(key, str) and len(key) <= 64:
        close = _closest(key, tuple(allowed))
        if close is not None:
            return f"; did you mean {close!r}?"
    return f"; expected one of: {', '.join(allowed)}"


@functools.lru_cache(maxsize=4096)
def _closest(key: str, allowed: tuple[str, ...]) -> str | None:
    # difflib costs about 100 us a call, and a batch repeats its mistakes
    # (one sender, one misspelt member): each is matched once.
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.7)
    return close[0] if close else None


def _describe_enum(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    choices = ", ".join(_show(choice) for choice in failure.schema["enum"])
    yield f"{shown} is not one of {choices}"


def _describe_pattern(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    title = failure.schema.get("title")
    if title:
        yield f"{shown} is not {title}"
    else:
        yield f"{shown} does not match {failure.schema['pattern']!r}"


def _describe_format(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    name = failure.schema["format"]
    yield f"{shown} {_FORMAT_FAULTS.get(name, f'is not a valid {name}')}"


def _describe_bound(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    keyword = failure.keyword
    limit = _show(failure.schema[keyword])
    yield f"{shown} {_BOUND_FAULTS[keyword]} {limit}"


def _describe_length(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    keyword = failure.keyword
    limit = failure.schema[keyword]
    noun = "character" if keyword.endswith("Length") else "item"
    if keyword.startswith("min"):
        yield f"{shown} is too short (at least {_count(limit, noun)})"
    else:
        yield f"{shown} is too long (at most {_count(limit, noun)})"


def _describe_unique(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    repeated = _first_repeat(instance)
    if repeated is None:
        yield f"{shown} has repeated items"
    else:
        yield f"{_show(repeated)} appears more than once"


def _describe_readable(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    yield (
        "the document holds a value no JSON reader returns, such as an "
        "integer of more than 4300 digits or a very deep nesting"
    )


def _describe_other(shown: str, instance: Any, failure: Failure) -> Iterator[str]:
    yield f"{shown} breaks the schema's {failure.keyword!r} rule"


_DESCRIBERS = {
    "type": _describe_type,
    "required": _describe_required,
    "additionalProperties": _describe_additional,
    "enum": _describe_enum,
    "pattern": _describe_pattern,
    "format": _describe_format,
    "minimum": _describe_bound,
    "maximum": _describe_bound,
    "exclusiveMinimum": _describe_bound,
    "exclusiveMaximum": _describe_bound,
    "minLength": _describe_length,
    "maxLength": _describe_length,
    "minItems": _describe_length,
    "maxItems": _describe_length,
    "uniqueItems": _describe_unique,
    "readable": _describe_readable,
}

_BOUND_FAULTS = {
    "minimum": "is less than the minimum of",
    "maximum": "is greater than the maximum of",
    "exclusiveMinimum": "is not greater than",
    "exclusiveMaximum": "is not less than",
}

_FORMAT_FAULTS = {
    "date": "is not a real date",
    "npi": "is not a valid NPI: its check digit does not match",
}

_TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "object": "an object",
    "array": "an array",
    "boolean": "true or false",
    "null": "null",
}


def _first_repeat(items: object) -> object | None:
    # JSON equality: 1 and 1.0 are the same value, true and 1 are not.
    seen: set[tuple[str, object]] = set()
    item: object
    for item in items if isinstance(items, list) else ():
        key: tuple[str, object]
        if isinstance(item, bool):
            key = ("boolean", item)
        elif isinstance(item, (int, float, str)):
            key = ("scalar", item)
        else:
            continue
        if key in seen:
            return item
        seen.add(key)
    return None


# Showing values and places.


def _show(value: object) -> str:
    """Write *value* for a message, shortened, never at full length."""
    if isinstance(value, str):
        return _show_text(value)
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return _show_integer(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list):
        return f"an array of {_count(len(value), 'item')}" if value else "[]"
    if isinstance(value, dict):
        return f"an object with {_count(len(value), 'field')}" if value else "{}"
    return f"a Python {type(value).__name__}"


def _show_text(text: str) -> str:
    if len(text) <= 40:
        return repr(text)
    head = repr(text[:20])
    return f"{head[:-1]}...{head[-1]} ({len(text)} characters)"


def _show_integer(number: int) -> str:
    if number.bit_length() <= 128:
        return str(number)
    digits = int(number.bit_length() * math.log10(2)) + 1
    return f"a number of about {digits} digits"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def kind_of(value: object) -> str:
    if value is None:
        return "null"
    for kind, name in _KINDS:
        if isinstance(value, kind):
            return name
    return f"a Python {type(value).__name__}"


_KINDS = (
    (bool, "a boolean"),
    ((int, float), "a number"),
    (str, "a string"),
    (list, "an array"),
)


def _field_name(path: tuple[Any, ...]) -> str:
    return "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in path
    ).lstrip(".")


def _value_at(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def _pointer(path: tuple[Any, ...]) -> str:
    return "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in path
    )


def _sort_key(path: tuple[Any, ...]) -> tuple[Any, ...]:
    # Array indexes sort as numbers and before names.
    return tuple(
        (0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in path
    )
