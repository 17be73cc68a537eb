"""em-time: the time floor of an E/M level chosen by time (met or exceeded)."""

from __future__ import annotations

import pytest
from factory import claim, findings, line, params_problems, rule, run

from claimpolicy.kinds.em_time import EmTime

KIND = EmTime()
RULE = rule(
    KIND,
    {
        "minimums": [
            {"code": "99213", "min_minutes": 20},
            {"code": "99214", "min_minutes": 30},
        ],
        "not_by_time": ["99211"],
    },
)


def visit(code: str, **em: object) -> dict[str, object]:
    return claim(line(code), encounter={"em": em})


@pytest.mark.parametrize(
    ("minutes", "fires"),
    [(29, True), (30, False), (31, False), (0, True)],
)
def test_99214_needs_30_minutes_met_or_exceeded(minutes: int, fires: bool) -> None:
    emitted = run(KIND, [RULE], visit("99214", basis="time", total_minutes=minutes))
    assert [(e.line, e.at) for e in emitted] == ([(1, "/code")] if fires else [])


def test_the_message_names_the_code_and_both_numbers() -> None:
    [emitted] = run(KIND, [RULE], visit("99214", basis="time", total_minutes=29))
    assert emitted.message == (
        "99214 chosen by time needs at least 30 minutes; the encounter documents 29"
    )
    assert emitted.evidence == {"code": "99214", "total_minutes": 29, "min_minutes": 30}


def test_a_level_chosen_by_mdm_is_not_judged_by_time() -> None:
    document = visit("99214", basis="mdm", mdm_level="moderate", total_minutes=5)
    assert run(KIND, [RULE], document) == []


def test_missing_minutes_are_left_to_the_documentation_rule() -> None:
    assert run(KIND, [RULE], visit("99214", basis="time")) == []


def test_99211_cannot_be_chosen_by_time() -> None:
    [emitted] = run(KIND, [RULE], visit("99211", basis="time", total_minutes=40))
    assert emitted.message == (
        '99211 cannot be chosen by time, but the encounter gives em.basis "time"'
    )
    assert run(KIND, [RULE], visit("99211", basis="mdm")) == []


def test_a_code_without_a_row_is_not_judged() -> None:
    assert run(KIND, [RULE], visit("99215", basis="time", total_minutes=1)) == []


def test_a_code_listed_twice_is_refused_at_load() -> None:
    rows = [{"code": "99214", "min_minutes": 30}, {"code": "99214", "min_minutes": 25}]
    assert params_problems(KIND, {"minimums": rows}) == [
        "test.toml: rules[0].minimums: [{'code': '99214', 'min_minutes': 30}, "
        "{'code': '99214', ... lists 99214 more than once"
    ]


@pytest.mark.parametrize(
    ("code", "minutes", "expected"),
    [
        ("99202", 14, [("cms-core/EM-TIME-LEVEL", 1)]),
        ("99202", 15, []),
        ("99205", 59, [("cms-core/EM-TIME-LEVEL", 1)]),
        ("99205", 60, []),
        ("99212", 10, []),
        ("99213", 19, [("cms-core/EM-TIME-LEVEL", 1)]),
        ("99214", 29, [("cms-core/EM-TIME-LEVEL", 1)]),
        ("99214", 30, []),
        ("99215", 40, []),
        ("99211", 30, [("cms-core/EM-TIME-LEVEL", 1)]),
    ],
)
def test_cms_core_time_floors_of_2024_and_later(
    code: str, minutes: int, expected: list[tuple[str, int]]
) -> None:
    # A patient whose status fits the code, so that only the time can fire.
    history = (
        {"patient_status": "new"}
        if code.startswith("9920")
        else {"patient_status": "established", "last_visit_date": "2025-06-01"}
    )
    em = {"basis": "time", "total_minutes": minutes}
    assert findings(claim(line(code), encounter={**history, "em": em})) == expected
