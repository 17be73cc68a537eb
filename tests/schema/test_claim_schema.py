"""The claim schema and the validator that reports every problem of a claim.

The fixtures are files: ``claims/valid/*.json`` must pass, and each
``claims/invalid/NAME.json`` must give exactly the problems listed in
``NAME.expected.json``, pointer and message, under both engines.
"""

import json
from pathlib import Path

import jsonschema
import pytest

from claimpolicy.validation import ClaimValidator, SchemaProblem, is_valid_npi

HERE = Path(__file__).parent
SCHEMA_FILE = HERE.parents[1] / "schemas" / "claim.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
ENGINES = {name: ClaimValidator(SCHEMA, engine=name) for name in ("fast", "reference")}

VALID = sorted((HERE / "claims" / "valid").glob("*.json"))
INVALID = sorted(
    path
    for path in (HERE / "claims" / "invalid").glob("*.json")
    if not path.name.endswith(".expected.json")
)


def load(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def expected_problems(path: Path) -> list[SchemaProblem]:
    sidecar = path.with_name(path.stem + ".expected.json")
    return [SchemaProblem(**problem) for problem in load(sidecar)]


def names(paths: list[Path]) -> list[str]:
    return [path.name for path in paths]


def test_the_schema_is_a_valid_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_there_are_fixtures_of_both_kinds():
    assert len(VALID) >= 10
    assert len(INVALID) >= 40


def test_every_invalid_fixture_has_its_expected_problems():
    sidecars = {path.name for path in (HERE / "claims" / "invalid").glob("*.json")}
    orphans = {name for name in sidecars if name.endswith(".expected.json")}
    assert orphans == {path.stem + ".expected.json" for path in INVALID}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", VALID, ids=names(VALID))
def test_a_valid_claim_has_no_problem(path, engine):
    assert ENGINES[engine].problems(load(path)) == []


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", INVALID, ids=names(INVALID))
def test_an_invalid_claim_has_exactly_the_expected_problems(path, engine):
    problems = ENGINES[engine].problems(load(path))

    expected = expected_problems(path)
    assert [problem.pointer for problem in problems] == [e.pointer for e in expected]
    assert problems == expected


@pytest.mark.parametrize("path", VALID + INVALID, ids=names(VALID + INVALID))
def test_both_engines_give_the_same_problems(path):
    document = load(path)
    assert ENGINES["fast"].problems(document) == ENGINES["reference"].problems(document)


def patient_values(document: object) -> list[str]:
    patient = document.get("patient") if isinstance(document, dict) else None
    if not isinstance(patient, dict):
        return [json.dumps(patient)] if patient is not None else []
    return [str(value) for value in patient.values()]


@pytest.mark.parametrize("path", INVALID, ids=names(INVALID))
def test_messages_never_repeat_a_patient_value(path):
    document = load(path)
    messages = [p.message for p in ENGINES["fast"].problems(document)]

    for value in patient_values(document):
        if len(value) > 1:  # "F" is also one of the choices a message lists
            assert not any(value in message for message in messages)


@pytest.mark.parametrize("engine", ENGINES)
def test_patient_values_are_withheld_whatever_the_problem(engine):
    document = load(HERE / "claims" / "valid" / "minimal.json")
    document["patient"] = {
        "id": ["SECRET-ID"],
        "birth_date": "1911-02-30",
        "sex": "SECRET-SEX",
        "name": "SECRET-NAME",
    }

    problems = ENGINES[engine].problems(document)

    assert problems == [
        SchemaProblem(
            "/patient",
            "'name' is not an allowed property; expected one of: id, birth_date, sex",
        ),
        SchemaProblem(
            "/patient/birth_date",
            "patient.birth_date is not a real date (value withheld)",
        ),
        SchemaProblem("/patient/id", "patient.id is not a string (value withheld)"),
        SchemaProblem(
            "/patient/sex",
            "patient.sex is not one of 'F', 'M', 'U' (value withheld)",
        ),
    ]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("field", "expected"),
    [
        pytest.param(
            ("claim_id",),
            SchemaProblem(
                "/claim_id",
                "'AAAAAAAAAAAAAAAAAAAA...' (50000000 characters) is too long "
                "(at most 64 characters)",
            ),
            id="claim_id",
        ),
        pytest.param(
            ("patient", "id"),
            SchemaProblem(
                "/patient/id",
                "patient.id is too long (at most 64 characters) (value withheld)",
            ),
            id="patient.id",
        ),
        pytest.param(
            ("lines", 0, "code"),
            SchemaProblem(
                "/lines/0/code",
                "'AAAAAAAAAAAAAAAAAAAA...' (50000000 characters) is not a CPT "
                "code (five digits, or four digits and a letter) or a HCPCS "
                "Level II code (a letter and four digits)",
            ),
            id="lines.0.code",
        ),
    ],
)
def test_a_50_mb_string_is_refused_and_shortened(engine, field, expected):
    document = load(HERE / "claims" / "valid" / "minimal.json")
    *parents, last = field
    target = document
    for part in parents:
        target = target[part]
    target[last] = "A" * 50_000_000

    assert ENGINES[engine].problems(document) == [expected]


@pytest.mark.parametrize(
    ("value", "pointers"),
    [
        pytest.param(float("nan"), {"/lines/0/units"}, id="nan"),
        pytest.param(float("inf"), {"/lines/0/units"}, id="infinity"),
        pytest.param(10**400, set(), id="400-digit-integer"),
        pytest.param(10**5000, {"/lines/0/units"}, id="5000-digit-integer"),
        pytest.param({1: "a"}, {"/lines/0/units"}, id="integer-key"),
        pytest.param({1.5, 2}, {"/lines/0/units"}, id="python-set"),
    ],
)
def test_values_no_json_reader_returns_are_reported_not_raised(value, pointers):
    document = load(HERE / "claims" / "valid" / "minimal.json")
    document["lines"][0]["units"] = value

    for validator in ENGINES.values():
        problems = validator.problems(document)
        assert {problem.pointer for problem in problems} == pointers


def test_nesting_deeper_than_jsonschema_rs_accepts_is_reported():
    nested: list[object] = []
    for _ in range(5_000):
        nested = [nested]
    document = load(HERE / "claims" / "valid" / "minimal.json")
    document["diagnoses"] = nested

    expected = [SchemaProblem("/diagnoses/0", "an array of 1 item is not a string")]
    assert ENGINES["fast"].problems(document) == expected
    assert ENGINES["reference"].problems(document) == expected


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("1234567893", True),
        ("1558598797", True),
        ("1234567890", False),
        ("2453198766", True),
        ("2453198765", False),
        ("123456789", False),
        ("12345678930", False),
        ("3234567893", False),
        ("123456789\N{ARABIC-INDIC DIGIT THREE}", False),
        (1234567893, False),
    ],
)
def test_is_valid_npi(value, valid):
    assert is_valid_npi(value) is valid


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="'turbo' is not a validation engine"):
        ClaimValidator(SCHEMA, engine="turbo")


def test_a_broken_schema_is_refused():
    with pytest.raises(jsonschema.SchemaError):
        ClaimValidator({"type": "claim"})
