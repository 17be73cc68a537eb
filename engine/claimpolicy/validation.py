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

import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

import jsonschema
import jsonschema.validators
import jsonschema_rs
import orjson

from claimpolicy import cache
from claimpolicy._schema_wording import Failure, SchemaProblem, kind_of, word_failures

__all__ = ["ClaimValidator", "SchemaProblem", "is_valid_npi"]


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
        #: A yes-or-no test, for a caller that checks many claims and asks
        #: for `problems` only when it says no; None with the reference
        #: engine. It raises ValueError on a value no JSON reader gives (see
        #: the module's docstring).
        self.quick_is_valid: Callable[[object], bool] | None = (
            _quick_test(schema) if engine == "fast" else None
        )

    def problems(self, document: object) -> list[SchemaProblem]:
        """Return every problem of *document*, ``[]`` when it is valid.

        Problems are sorted by pointer (array indexes in numeric order, so
        ``/lines/2`` comes before ``/lines/10``), then by message.
        """
        if not isinstance(document, dict):
            kind = kind_of(document)
            return [SchemaProblem("", f"expected a JSON object, got {kind}")]

        if self._fast is None:
            failures = self._reference_failures(document)
        else:
            failures = self._fast_failures(self._fast, document)
        return word_failures(failures, document) if failures else []

    def _fast_failures(
        self, fast: jsonschema_rs.Validator, document: dict[str, Any]
    ) -> list[Failure]:
        try:
            if fast.is_valid(document):
                return []
            return [
                Failure(
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

    def _reference_failures(self, document: dict[str, Any]) -> list[Failure]:
        failures: list[Failure] = []
        try:
            for error in self._reference.iter_errors(document):
                path = tuple(error.absolute_path)
                failures.append(Failure(error.validator, path, error.schema))
        except (ValueError, RecursionError):
            # python-jsonschema words its own messages as it goes, and repr()
            # refuses an integer of more than 4300 digits or a very deep
            # nesting; no JSON reader returns either.
            failures.append(Failure("readable", (), {}))
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


def _compile_fast(
    schema: dict[str, Any], *, npi: bool = True
) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(
        schema,
        # Registered or not is the difference: a validator that knows a
        # Python format function takes the slow way on every claim.
        formats={"npi": _npi_format} if npi else None,
        validate_formats=True,
        ignore_unknown_formats=False,
        # The regex crate matches in linear time, which a claim from outside
        # deserves, and its verdicts came 3% faster than fancy-regex's (the
        # default) on the benchmark's claims; the claim schema's patterns
        # need no lookaround or backreference, which it lacks.
        pattern_options=jsonschema_rs.RegexOptions(),
        # Its messages are never read; the mask keeps claim values (and a
        # 50 MB string) out of them.
        mask="(value)",
    )


#: Where the claim schema asks for the "npi" format, and where a claim holds
#: the value it applies to.
_NPI_FORMAT_AT = ("$defs", "provider", "properties", "npi")
_NPI_AT = ("provider", "npi")


def _quick_test(schema: dict[str, Any]) -> Callable[[object], bool]:
    """jsonschema-rs's `is_valid`, with the NPI's check digit tested here.

    A jsonschema-rs validator that knows a Python format function costs
    1.8 us more a claim, 40% of the whole test (jsonschema-rs 0.61), for
    one value that Python tests in 0.1 us. So the quick schema leaves that
    format out, its validator knows no Python function, and the claim's
    one NPI is tested after it; `problems` keeps the whole schema. A test
    holds the two to the same verdicts.
    """
    quick = orjson.loads(orjson.dumps(schema))
    try:
        npi = _subschema(quick, list(_NPI_FORMAT_AT))
    except (KeyError, IndexError, TypeError):
        npi = {}
    if not isinstance(npi, dict) or npi.get("format") != "npi":
        # The schema moved its NPI: test it the slow way, wherever it is.
        return _compile_fast(schema).is_valid
    del npi["format"]
    if b'"format":"npi"' in orjson.dumps(quick):  # and another one
        return _compile_fast(schema).is_valid
    # Every $ref written out in place: jsonschema-rs then follows none per
    # claim, 5% of its time on the benchmark's claims (jsonschema-rs 0.61).
    is_valid = _compile_fast(jsonschema_rs.dereference(quick), npi=False).is_valid
    top, field = _NPI_AT

    def quick_is_valid(document: object) -> bool:
        if not is_valid(document):
            return False
        # Valid under the quick schema: an object whose provider is an
        # object with a string NPI.
        assert isinstance(document, dict)
        return _known_npi(document[top][field])

    return quick_is_valid


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
