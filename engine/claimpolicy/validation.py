"""Check claim documents against the claim schema and name every problem.

A claim that breaks ``schemas/claim.schema.json`` becomes an ``invalid``
report: one finding per problem, each with the JSON Pointer of the offending
value, so that a biller can fix them all in one pass. :class:`ClaimValidator`
finds the problems with one of two engines that must agree:

``fast``
    jsonschema-rs, compiled once. A valid claim costs a single ``is_valid``
    call; errors are collected only when the claim is invalid.
``reference``
    python-jsonschema: slower, and the yardstick the tests hold ``fast`` to.

Both engines feed one message builder, so a problem reads the same whichever
engine found it. Messages lead with the offending value, shorten values
longer than 40 characters, and never repeat a value found under ``/patient``
(protected health information): they name the field instead.

The document is expected as a JSON reader returns it. Values no reader
returns (NaN, infinities, integers of more than 4300 digits, non-string keys,
nesting deeper than a reader allows) are reported as problems, not raised.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import jsonschema
import jsonschema.validators
import jsonschema_rs
import orjson

from claimpolicy import cache

__all__ = ["ClaimValidator", "SchemaProblem", "is_valid_npi"]


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One way a claim document breaks the claim schema."""

    #: JSON Pointer of the offending value (``/lines/2/units``), ``""`` for the
    #: whole document; for a missing field, the object that lacks it.
    pointer: str
    #: A sentence a biller can act on, leading with the offending value.
    message: str


def is_valid_npi(value: str) -> bool:
    """Tell whether *value* is an NPI with a valid check digit.

    An NPI is 10 digits, the first 1 or 2; the last is a Luhn check digit
    computed as if the first 9 were prefixed with ``80840`` (80 for health,
    840 for the USA)::

        >>> is_valid_npi("1234567893"), is_valid_npi("1234567890")
        (True, False)
    """
    if not isinstance(value, str) or len(value) != 10:
        return False
    if not (value.isascii() and value.isdigit() and value[0] in "12"):
        return False
    return _luhn_sum("80840" + value) % 10 == 0


# A digit in a doubled position counts as the digit sum of its double.
_DOUBLED = str.maketrans("0123456789", "0246813579")


def _luhn_sum(digits: str) -> int:
    # From the right, every second digit is doubled; the last is not.
    plain = digits[::-2]
    doubled = digits[-2::-2].translate(_DOUBLED)
    return sum(map(int, plain)) + sum(map(int, doubled))


def _npi_format(instance: object) -> bool:
    # A format applies to strings only; the schema's "type" judges the rest.
    return not isinstance(instance, str) or _known_npi(instance)


# This runs for every claim, and a batch names the same few providers over
# and over: each distinct NPI is checked once.
_known_npi = functools.lru_cache(maxsize=16_384)(is_valid_npi)


class _Failure(NamedTuple):
    """An engine's verdict, before it is worded: which keyword failed where."""

    keyword: str
    path: tuple[Any, ...]
    schema: Mapping[str, Any]


class ClaimValidator:
    """Validates claim documents against ``schemas/claim.schema.json``.

    *schema* is the parsed schema; callers read it from the package
    ``claimpolicy.schemas`` with :mod:`importlib.resources`. *engine* picks
    jsonschema-rs (``"fast"``) or python-jsonschema (``"reference"``); both
    give the same problems for the same document.

        >>> validator = ClaimValidator(schema)  # doctest: +SKIP
        >>> validator.problems({"claim_id": "A1"})  # doctest: +SKIP
        [SchemaProblem(pointer='', message="'diagnoses' is a required property"), ...]
    """

    def __init__(
        self,
        schema: dict[str, Any],
        *,
        engine: Literal["fast", "reference"] = "fast",
    ) -> None:
        if engine not in ("fast", "reference"):
            raise ValueError(
                f"{engine!r} is not a validation engine; expected 'fast' or 'reference'"
            )
        _check_schema(schema)
        self._schema = schema
        self._reference = _ReferenceValidator(
            schema, format_checker=_reference_format_checker()
        )
        self._fast = _compile_fast(schema) if engine == "fast" else None

    def problems(self, document: object) -> list[SchemaProblem]:
        """Return every problem of *document*, ``[]`` when it is valid.

        Problems are sorted by pointer (array indexes in numeric order, so
        ``/lines/2`` comes before ``/lines/10``), then by message.
        """
        if not isinstance(document, dict):
            kind = _kind_of(document)
            return [SchemaProblem("", f"expected a JSON object, got {kind}")]

        if self._fast is None:
            failures = self._reference_failures(document)
        else:
            failures = self._fast_failures(self._fast, document)
        return _word(failures, document) if failures else []

    def _fast_failures(
        self, fast: jsonschema_rs.Validator, document: dict[str, Any]
    ) -> list[_Failure]:
        try:
            if fast.is_valid(document):
                return []
            return [
                _Failure(
                    str(error.schema_path[-1]),
                    tuple(error.instance_path),
                    _subschema(self._schema, error.schema_path[:-1]),
                )
                for error in fast.iter_errors(document)
            ]
        except ValueError:
            # jsonschema-rs refuses some Python values on the way in (a
            # non-string key, nesting past its recursion limit), where
            # python-jsonschema still gives an answer.
            return self._reference_failures(document)

    def _reference_failures(self, document: dict[str, Any]) -> list[_Failure]:
        failures: list[_Failure] = []
        try:
            for error in self._reference.iter_errors(document):
                path = tuple(error.absolute_path)
                failures.append(_Failure(error.validator, path, error.schema))
        except (ValueError, RecursionError):
            # python-jsonschema words its own messages as it goes, and repr()
            # refuses an integer of more than 4300 digits or a very deep
            # nesting; no JSON reader returns either.
            failures.append(_Failure("readable", (), {}))
        return failures


def _check_schema(schema: dict[str, Any]) -> None:
    # Checking a schema against the meta-schema costs a tenth of a second at
    # every start; a schema that passed once is remembered by its digest.
    key = cache.digest(
        "claim schema", orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
    )
    if cache.load(cache.CHECKED, key) is True:
        return
    jsonschema.Draft202012Validator.check_schema(schema)
    cache.store(cache.CHECKED, key, True)


# The fast engine.


def _compile_fast(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(
        schema,
        formats={"npi": _npi_format},
        validate_formats=True,
        ignore_unknown_formats=False,
        # Its messages are never read; the mask keeps claim values (and a
        # 50 MB string) out of them.
        mask="(value)",
    )


def _subschema(schema: Mapping[str, Any], location: list[str | int]) -> Any:
    found: Any = schema
    for part in location:
        found = found[part]
    return found


# The reference engine: python-jsonschema, brought to the semantics JSON
# Schema prescribes where Python's own differ.


@functools.cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    """Compile an ECMA-262 *pattern* (what JSON Schema uses) with :mod:`re`.

    Two differences matter: ECMA's ``$`` is the end of the string while
    Python's also matches before a final newline (``"99214\\n"`` would pass
    ``^[0-9]{5}$``), and ECMA's ``\\d`` and ``\\w`` are ASCII. Bare ``$``
    becomes ``\\Z``; escapes and character classes are kept as they are.
    """
    translated = re.sub(
        r"\\.|\[(?:\\.|[^\]\\])*\]|\$",
        lambda match: r"\Z" if match.group() == "$" else match.group(),
        pattern,
    )
    return re.compile(translated, re.ASCII)


def _pattern_keyword(
    validator: Any, pattern: str, instance: object, schema: object
) -> Iterator[jsonschema.ValidationError]:
    if isinstance(instance, str) and not _ecma_regex(pattern).search(instance):
        yield jsonschema.ValidationError(f"does not match {pattern!r}")


def _type_keyword(
    validator: Any, types: str | list[str], instance: object, schema: object
) -> Iterator[jsonschema.ValidationError]:
    # As python-jsonschema's, without repr() of the instance in the message:
    # a number of more than 4300 digits cannot be written out.
    types = [types] if isinstance(types, str) else types
    if not any(validator.is_type(instance, kind) for kind in types):
        yield jsonschema.ValidationError(f"is not of type {types!r}")


def _is_number(checker: object, instance: object) -> bool:
    # A number must fit where JSON numbers live: no NaN or infinity, and an
    # integer that can be written out in digits (jsonschema-rs agrees).
    if isinstance(instance, bool):
        return False
    if isinstance(instance, float):
        return math.isfinite(instance)
    return isinstance(instance, int) and _can_write_out(instance)


def _is_integer(checker: object, instance: object) -> bool:
    if isinstance(instance, float):
        return math.isfinite(instance) and instance.is_integer()
    return _is_number(checker, instance)


def _can_write_out(number: int) -> bool:
    if number.bit_length() < 14_000:  # fewer than 4300 digits
        return True
    try:
        str(number)
    except ValueError:
        return False
    return True


# types-jsonschema leaves `extend` untyped; its result is a validator class.
_ReferenceValidator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator,
    validators={"pattern": _pattern_keyword, "type": _type_keyword},
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"number": _is_number, "integer": _is_integer}
    ),
)


def _reference_format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=("date",))
    checker.checks("npi")(_npi_format)
    return checker


# Wording: one message builder for both engines.

#: A value that fails its pattern is not also reported as too long or as not
#: a real date: the pattern's message says what is expected.
_SUPERSEDED_BY_PATTERN = frozenset({"format", "minLength", "maxLength"})

#: Keywords whose messages name fields, never values.
_STRUCTURAL = frozenset({"required", "additionalProperties", "readable"})


def _word(failures: list[_Failure], document: dict[str, Any]) -> list[SchemaProblem]:
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


def _messages(failure: _Failure, instance: object) -> Iterator[str]:
    suffix = ""
    shown = _show(instance)
    if failure.path[:1] == ("patient",) and failure.keyword not in _STRUCTURAL:
        suffix = " (value withheld)"
        shown = _field_name(failure.path)
        instance = None

    describe = _DESCRIBERS.get(failure.keyword, _describe_other)
    for message in describe(shown, instance, failure):
        yield message + suffix


def _describe_type(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
    expected = failure.schema["type"]
    names = [expected] if isinstance(expected, str) else expected
    yield f"{shown} is not {' or '.join(_TYPE_NAMES[name] for name in names)}"


def _describe_required(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
    for name in failure.schema["required"]:
        if name not in instance:
            yield f"{name!r} is a required property"


def _describe_additional(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
    allowed = list(failure.schema.get("properties", {}))
    for key in instance:
        if key not in allowed:
            yield f"{_show(key)} is not an allowed property{_hint(key, allowed)}"


def _hint(key: object, allowed: list[str]) -> str:
    if isinstance(key, str) and len(key) <= 64:
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.7)
        if close:
            return f"; did you mean {close[0]!r}?"
    return f"; expected one of: {', '.join(allowed)}"


def _describe_enum(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
    choices = ", ".join(_show(choice) for choice in failure.schema["enum"])
    yield f"{shown} is not one of {choices}"


def _describe_pattern(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
    title = failure.schema.get("title")
    if title:
        yield f"{shown} is not {title}"
    else:
        yield f"{shown} does not match {failure.schema['pattern']!r}"


def _describe_format(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
    name = failure.schema["format"]
    yield f"{shown} {_FORMAT_FAULTS.get(name, f'is not a valid {name}')}"


def _describe_bound(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
    keyword = failure.keyword
    limit = _show(failure.schema[keyword])
    yield f"{shown} {_BOUND_FAULTS[keyword]} {limit}"


def _describe_length(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
    keyword = failure.keyword
    limit = failure.schema[keyword]
    noun = "character" if keyword.endswith("Length") else "item"
    if keyword.startswith("min"):
        yield f"{shown} is too short (at least {_count(limit, noun)})"
    else:
        yield f"{shown} is too long (at most {_count(limit, noun)})"


def _describe_unique(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
    repeated = _first_repeat(instance)
    if repeated is None:
        yield f"{shown} has repeated items"
    else:
        yield f"{_show(repeated)} appears more than once"


def _describe_readable(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
    yield (
        "the document holds a value no JSON reader returns, such as an "
        "integer of more than 4300 digits or a very deep nesting"
    )


def _describe_other(shown: str, instance: Any, failure: _Failure) -> Iterator[str]:
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


def _kind_of(value: object) -> str:
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
