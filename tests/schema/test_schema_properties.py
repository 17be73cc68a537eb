"""Property tests: the two validation engines agree on every claim-like document.

Valid claims are built from strategies that follow the contract; mutated ones
change, drop or add a value somewhere in a valid claim, often with a value
that nearly fits (a date that does not exist, a code with a trailing newline,
a digit from another script). Whatever the document, ``problems`` returns,
and both engines give the same problems.
"""

import json
from datetime import date
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import given, settings

from claimpolicy.validation import ClaimValidator, is_valid_npi

SCHEMA_FILE = Path(__file__).parents[2] / "schemas" / "claim.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
PASSING_EXAMPLE = Path(__file__).parents[2] / "examples" / "infusion-visit-pass.json"
FAST = ClaimValidator(SCHEMA, engine="fast")
REFERENCE = ClaimValidator(SCHEMA, engine="reference")


def regex(pattern: str) -> st.SearchStrategy[str]:
    return st.from_regex(pattern, fullmatch=True)


def npis() -> st.SearchStrategy[str]:
    def with_check_digit(base: str) -> str:
        return next(base + d for d in "0123456789" if is_valid_npi(base + d))

    return regex(r"[12][0-9]{8}").map(with_check_digit)


dates = st.dates(date(1000, 1, 1), date(9999, 12, 31)).map(date.isoformat)
times = regex(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
positive = st.integers(1, 10**6) | st.floats(
    0, 1e9, exclude_min=True, allow_nan=False, allow_infinity=False
)
not_negative = st.integers(0, 10**6) | st.floats(
    0, 1e9, allow_nan=False, allow_infinity=False
)

ndcs = st.fixed_dictionaries(
    {
        "code": regex(r"[0-9]{11}"),
        "quantity": positive,
        "unit": st.sampled_from(["UN", "ML", "GR", "F2", "ME"]),
    }
)
doses = st.fixed_dictionaries(
    {"amount": positive, "unit": st.sampled_from(["mg", "mcg", "g", "units", "mL"])},
    optional={"wasted": not_negative, "single_dose_container": st.booleans()},
)
lines = st.fixed_dictionaries(
    {
        "code": regex(r"[0-9]{4}[0-9A-Za-z]|[A-Za-z][0-9]{4}"),
        "units": positive,
        "service_date": dates,
        "diagnosis_pointers": st.lists(st.integers(1, 12), min_size=1, max_size=4),
    },
    optional={
        "modifiers": st.lists(regex(r"[A-Za-z0-9]{2}"), max_size=4, unique=True),
        "charge": not_negative,
        "start_time": times,
        "stop_time": times,
        "ndc": ndcs,
        "dose": doses,
    },
)
encounters = st.fixed_dictionaries(
    {},
    optional={
        "patient_status": st.sampled_from(["new", "established"]),
        "last_visit_date": dates,
        "em": st.fixed_dictionaries(
            {},
            optional={
                "basis": st.sampled_from(["mdm", "time"]),
                "mdm_level": st.sampled_from(
                    ["straightforward", "low", "moderate", "high"]
                ),
                "total_minutes": st.integers(0, 1440),
                "separately_documented": st.booleans(),
            },
        ),
    },
)
claims = st.fixed_dictionaries(
    {
        "claim_id": st.text(min_size=1, max_size=64),
        "patient": st.fixed_dictionaries(
            {
                "id": st.text(min_size=1, max_size=64),
                "birth_date": dates,
                "sex": st.sampled_from(["F", "M", "U"]),
            }
        ),
        "provider": st.fixed_dictionaries(
            {"npi": npis()},
            optional={"specialty": st.text(min_size=1, max_size=100)},
        ),
        "place_of_service": regex(r"[0-9]{2}"),
        "diagnoses": st.lists(
            regex(r"[A-Za-z][0-9A-Za-z][A-Za-z0-9](?:\.?[A-Za-z0-9]{1,4})?"),
            min_size=1,
            max_size=12,
        ),
        "lines": st.lists(lines, min_size=1, max_size=6),
    },
    optional={"payer": st.text(min_size=1, max_size=100), "encounter": encounters},
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=10,
)

#: Values that nearly fit a field of the claim.
near_misses = st.one_of(
    regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),  # often not a real date
    st.dates().map(date.isoformat),  # years before 1000 included
    regex(r"[0-9]{2}:[0-9]{2}"),
    regex(r"[0-9]{10}"),  # an NPI, right check digit or not
    npis(),
    regex(r"[A-Z][0-9][0-9A-Z]\.?[0-9A-Z]{0,5}"),
    regex(r"[0-9A-Z]{4,6}"),
    st.sampled_from(["99214\n", "M05.79\n", "2026-03-10\n", "11\n", "\u0661\u0661"]),
    st.sampled_from([0, -1, 0.0, 1e-300, 13, 1441, 1.5, True, False, None, "", []]),
    st.text(min_size=60, max_size=120),
    json_values,
)


def paths_in(document: object, path: tuple = ()) -> list[tuple]:
    """Every path to a value inside *document*, the document itself included."""
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found += paths_in(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths_in(value, (*path, index))
    return found


@st.composite
def mutated_claims(draw) -> object:
    document = draw(claims)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths_in(document)))
        if not path:
            continue
        parent = document
        for part in path[:-1]:
            parent = parent[part]

        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(near_misses)
        elif action == "drop":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(near_misses)
        else:
            parent.append(draw(near_misses))
    return document


@settings(max_examples=100, deadline=None)
@given(claims)
def test_a_claim_built_to_the_contract_is_valid_under_both_engines(document):
    assert FAST.problems(document) == []
    assert REFERENCE.problems(document) == []


@settings(max_examples=400, deadline=None)
@given(mutated_claims())
def test_the_engines_agree_on_mutated_claims(document):
    fast = FAST.problems(document)
    reference = REFERENCE.problems(document)

    assert {p.pointer for p in fast} == {p.pointer for p in reference}
    assert fast == reference


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_the_engines_agree_on_any_json_document(document):
    assert FAST.problems(document) == REFERENCE.problems(document)


def quick_verdict(document: object) -> bool:
    try:
        return FAST.quick_is_valid(document)
    except ValueError:  # a value no JSON reader gives: problems says why
        return False


@settings(max_examples=300, deadline=None)
@given(mutated_claims())
def test_the_quick_test_says_valid_exactly_when_there_is_no_problem(document):
    assert quick_verdict(document) == (REFERENCE.problems(document) == [])


@given(claims, st.sampled_from(["1234567890", "2234567893", 1234567893, None]))
def test_the_quick_test_checks_the_npi_it_leaves_out_of_the_schema(document, npi):
    document["provider"]["npi"] = npi

    assert quick_verdict(document) is False
    assert [p.pointer for p in REFERENCE.problems(document)] == ["/provider/npi"]


def test_a_schema_without_the_npi_where_expected_still_gets_a_quick_test():
    moved = json.loads(json.dumps(SCHEMA))
    del moved["$defs"]["provider"]
    moved["properties"]["provider"] = {
        "type": "object",
        "properties": {"npi": {"type": "string", "format": "npi"}},
    }
    quick = ClaimValidator(moved, engine="fast").quick_is_valid
    document = json.loads(PASSING_EXAMPLE.read_text(encoding="utf-8"))

    assert quick(document) is True
    document["provider"]["npi"] = "1234567890"  # a wrong check digit
    assert quick(document) is False
