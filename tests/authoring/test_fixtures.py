"""Reading pack test files: every malformed one is a clear error; dates move."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from claimpolicy.authoring.fixtures import (
    Expectation,
    load_test_file,
    move_into,
    service_date,
    years_to_move,
)
from claimpolicy.cli import main
from claimpolicy.errors import PackError

CLAIM: dict[str, Any] = {
    "claim_id": "T-1",
    "patient": {"id": "P-1", "birth_date": "1960-02-29", "sex": "F"},
    "lines": [
        {"code": "99214", "service_date": "2026-03-10", "modifiers": ["25"]},
        {"code": "96413", "service_date": "2026-03-09"},
    ],
    "encounter": {"last_visit_date": "2025-12-02", "note": "2026-01-01"},
}

GOOD_TEST = """
[[test]]
name = "ok"
claim = "claims/c.json"
mutations = [{ op = "remove", path = "/lines/0/modifiers" }]
absent = ["demo/A"]
outcome = "fail"

[[test.expect]]
rule = "demo/B"
line = 1
severity = "error"

[[test.expect]]
rule = "claimpolicy/SCHEMA"
"""

# (test file text, the one problem expected, as the error prints it)
MALFORMED = [
    (
        '[[test]]\nname = "a"\nclaim = "claims/c.json"\noutcome = "passs"\n',
        "tests/t.toml: test[0].outcome: 'passs' is not one of pass, warn, fail, "
        "invalid, error",
    ),
    (
        '[[test]]\nname = "a"\noutcome = "pass"\n',
        "tests/t.toml: test[0].claim: is required",
    ),
    (
        '[[test]]\nname = "a"\nclaim = "claims/c.json"\n'
        '[[test.expect]]\nrule = "demo/A"\nline = 0\n',
        "tests/t.toml: test[0].expect[0].line: 0 is less than the minimum of 1",
    ),
    (
        '[[test]]\nname = "a"\nclaim = "claims/c.json"\n'
        '[[test.expcet]]\nrule = "demo/A"\n',
        "tests/t.toml: test[0].expcet: unknown key (a misspelt key would "
        "silently change a rule)",
    ),
    (
        '[[test]]\nname = "a"\nclaim = "claims/c.json"\nabsent = ["EM-MOD25"]\n',
        "tests/t.toml: test[0].absent[0]: 'EM-MOD25' does not match the pattern "
        "[a-z][a-z0-9]*(-[a-z0-9]+)*/[A-Z0-9]+(-[A-Z0-9]+)*",
    ),
    (
        '[[test]]\nname = "two words"\nclaim = "claims/c.json"\noutcome = "pass"\n',
        "tests/t.toml: test[0].name: 'two words' does not match the pattern "
        "[A-Za-z0-9][A-Za-z0-9._-]*",
    ),
    (
        '[[test]]\nname = "a"\nclaim = "claims/missing.json"\noutcome = "pass"\n',
        "tests/t.toml: test[0].claim: 'tests/claims/missing.json': file not found",
    ),
    (
        '[[test]]\nname = "a"\nclaim = "claims/c.json"\noutcome = "pass"\n'
        'mutations = [{ op = "remove", path = "/lines/9" }]\n',
        "tests/t.toml: test[0].mutations[0]: {'op': 'remove', 'path': '/lines/9'} "
        "does not apply: can't remove a non-existent object '9'",
    ),
    (
        '[[test]]\nname = "a"\nclaim = "claims/c.json"\noutcome = "pass"\n'
        'mutations = [{ op = "replace", path = "/claim_id" }]\n',
        "tests/t.toml: test[0].mutations[0]: {'op': 'replace', 'path': "
        "'/claim_id'} does not apply: The operation does not contain a 'value' "
        "member",
    ),
    (
        '[[test]]\nname = "a"\nclaim = "claims/c.json"\n',
        "tests/t.toml: test[0]: test 'a' asserts nothing: give expect, absent or "
        "outcome",
    ),
    (
        '[[test]]\nname = "a"\nclaim = "claims/c.json"\noutcome = "pass"\n'
        '[[test]]\nname = "a"\nclaim = "claims/c.json"\noutcome = "fail"\n',
        "tests/t.toml: test[1].name: 'a' is used twice",
    ),
    ("[[test]]\nname = \n", None),  # not TOML: tomli's own message follows
    ("", "tests/t.toml: test: is required"),
]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tests/ with claims/c.json, the working directory being its parent."""
    (tmp_path / "tests/claims").mkdir(parents=True)
    (tmp_path / "tests/claims/c.json").write_text(json.dumps(CLAIM))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "tests"


def test_a_good_file_is_read_with_its_mutations_applied(folder: Path) -> None:
    (folder / "t.toml").write_text(GOOD_TEST)

    (test,) = load_test_file(folder / "t.toml")

    assert (test.name, test.stem, test.line) == ("ok", "t", 3)
    assert test.claim_file == (folder / "claims/c.json").resolve()
    assert "modifiers" not in test.document["lines"][0]
    assert test.expect == (
        Expectation("demo/B", 1, "error"),
        Expectation("claimpolicy/SCHEMA", None, None),
    )
    assert (test.absent, test.outcome) == (("demo/A",), "fail")
    assert str(test.expect[0]) == "demo/B line 1 error"
    assert str(test.expect[1]) == "claimpolicy/SCHEMA claim"


def test_the_claim_copy_is_fresh_each_time(folder: Path) -> None:
    (folder / "t.toml").write_text(GOOD_TEST)
    (test,) = load_test_file(folder / "t.toml")

    test.claim()["claim_id"] = "changed"

    assert test.claim()["claim_id"] == "T-1"


@pytest.mark.parametrize(
    ("text", "problem"), MALFORMED, ids=[str(i) for i in range(len(MALFORMED))]
)
def test_a_malformed_file_names_file_key_path_and_value(
    folder: Path, text: str, problem: str | None
) -> None:
    (folder / "t.toml").write_text(text)

    with pytest.raises(PackError) as raised:
        load_test_file(folder / "t.toml")

    if problem is None:
        assert str(raised.value).startswith("tests/t.toml: not valid TOML: ")
    else:
        assert [str(p) for p in raised.value.problems] == [problem]


def test_the_command_exits_2_on_a_malformed_test_file(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder.parent / "pack.toml").write_text(
        'name = "tmp-pack"\nversion = "1.0.0"\ntitle = "t"\n'
        "[effective]\nfrom = 2026-01-01\n"
    )
    (folder / "t.toml").write_text(MALFORMED[0][0])

    code = main(["test", str(folder.parent)])

    assert code == 2
    assert capsys.readouterr().err == f"claimpolicy: error: {MALFORMED[0][1]}\n"


# (date of service, window start, window end, whole years to move or None)
MOVES = [
    (date(2026, 3, 10), date(2026, 1, 1), date(2026, 12, 31), 0),
    (date(2026, 3, 10), date(2025, 1, 1), date(2025, 12, 31), -1),
    (date(2024, 3, 10), date(2026, 1, 1), None, 2),
    (date(2027, 3, 10), date(2025, 7, 1), date(2026, 6, 30), -1),
    (date(2026, 3, 10), date(2025, 7, 1), date(2026, 6, 30), 0),
    (date(2026, 8, 10), date(2025, 7, 1), date(2026, 6, 30), -1),
    (date(2026, 3, 10), date(2026, 4, 1), date(2026, 4, 30), None),
    (date(2028, 2, 29), date(2026, 1, 1), date(2026, 12, 31), -2),
]


@pytest.mark.parametrize(("day", "start", "end", "years"), MOVES)
def test_years_to_move(
    day: date, start: date, end: date | None, years: int | None
) -> None:
    assert years_to_move(day, start, end) == years


def test_moving_changes_every_date_field_and_nothing_else() -> None:
    moved = move_into(CLAIM, -1)

    assert moved["patient"]["birth_date"] == "1959-02-28"  # no 29 February
    assert [line["service_date"] for line in moved["lines"]] == [
        "2025-03-10",
        "2025-03-09",
    ]
    assert moved["encounter"] == {"last_visit_date": "2024-12-02", "note": "2026-01-01"}
    assert CLAIM["lines"][0]["service_date"] == "2026-03-10"  # a copy was moved
    assert service_date(moved) == date(2025, 3, 9)


def test_a_claim_without_lines_has_no_date_of_service() -> None:
    assert service_date({"claim_id": "x"}) is None
    assert service_date([]) is None
