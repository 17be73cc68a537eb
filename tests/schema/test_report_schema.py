"""The report schema: sample reports of every outcome validate, broken ones do not.

Each ``reports/invalid/NAME.json`` has a ``NAME.expected.json`` listing the
JSON Pointers of the values that break the schema.
"""

import json
from pathlib import Path

import jsonschema
import jsonschema_rs
import pytest

HERE = Path(__file__).parent
SCHEMA_FILE = HERE.parents[1] / "schemas" / "report.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
REFERENCE = jsonschema.Draft202012Validator(SCHEMA)
FAST = jsonschema_rs.Draft202012Validator(SCHEMA)

VALID = sorted((HERE / "reports" / "valid").glob("*.json"))
INVALID = sorted(
    path
    for path in (HERE / "reports" / "invalid").glob("*.json")
    if not path.name.endswith(".expected.json")
)

CATEGORIES = [
    "schema",
    "code-validity",
    "modifier",
    "code-pair",
    "units",
    "time",
    "patient-status",
    "em-level",
    "medical-necessity",
    "diagnosis-pointer",
    "demographic",
    "drug-units",
    "ndc",
    "duplicate",
    "documentation",
    "custom",
    "engine",
]


def load(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def pointer(path: object) -> str:
    return "".join(
        "/" + str(part).replace("~", "~0").replace("/", "~1") for part in path
    )


def names(paths: list[Path]) -> list[str]:
    return [path.name for path in paths]


def test_the_schema_is_a_valid_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_categories_are_the_contract_s_seventeen():
    finding = SCHEMA["$defs"]["finding"]
    assert finding["properties"]["category"]["enum"] == CATEGORIES
    assert len(CATEGORIES) == 17


def test_every_outcome_has_a_sample():
    outcomes = {load(path)["outcome"] for path in VALID}
    assert outcomes == {"pass", "warn", "fail", "invalid", "error"}


@pytest.mark.parametrize("path", VALID, ids=names(VALID))
def test_a_sample_report_validates(path):
    report = load(path)

    assert [error.message for error in REFERENCE.iter_errors(report)] == []
    assert FAST.is_valid(report)


@pytest.mark.parametrize("path", INVALID, ids=names(INVALID))
def test_a_broken_report_does_not_validate(path):
    report = load(path)
    expected = load(path.with_name(path.stem + ".expected.json"))

    errors = REFERENCE.iter_errors(report)
    assert sorted(pointer(error.absolute_path) for error in errors) == expected
    assert sorted(
        pointer(error.instance_path) for error in FAST.iter_errors(report)
    ) == (expected)
