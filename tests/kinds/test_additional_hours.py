"""additional-hours: add-on hour units must be supported by the documented time."""

from __future__ import annotations

import pytest
from factory import claim, established, findings, line, rule, run

from claimpolicy.kinds.infusion_time import AdditionalHours, additional_hours

KIND = AdditionalHours()
RULE = rule(
    KIND,
    {
        "add_ons": [
            {"code": "96366", "after": ["96365", "96367"]},
            {"code": "96361", "after": ["96360"]},
        ]
    },
)


def clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def run_of(minutes: int, start: int = 9 * 60) -> dict[str, str]:
    return {"start": clock(start), "stop": clock(start + minutes)}


@pytest.mark.parametrize(
    ("minutes", "units"),
    [(0, 0), (60, 0), (90, 0), (91, 1), (150, 1), (151, 2), (210, 2), (211, 3)],
)
def test_units_a_continuous_run_supports(minutes: int, units: int) -> None:
    assert additional_hours(minutes) == units


@pytest.mark.parametrize(
    ("minutes", "units", "fires"),
    [
        (90, 1, True),  # the first 96366 needs 91 minutes in all
        (91, 1, False),
        (150, 2, True),  # the second needs 151
        (151, 2, False),
        (
            151,
            1,
            False,
        ),  # billing less than the time supports is not this rule's business
    ],
)
def test_time_read_from_the_initial_line(minutes: int, units: int, fires: bool) -> None:
    document = claim(line("96365", **run_of(minutes)), line("96366", units=units))
    emitted = run(KIND, [RULE], document)
    assert [(e.line, e.at) for e in emitted] == ([(2, "/units")] if fires else [])


def test_the_message_names_the_lines_read_and_the_supported_units() -> None:
    document = claim(line("96365", start="09:00", stop="11:30"), line("96366", units=2))
    [emitted] = run(KIND, [RULE], document)
    assert emitted.message == (
        "96366 is billed for 2 units on 2026-03-10 but the documented time "
        "(line 1 09:00-11:30: 150 minutes) supports 1: each additional hour needs "
        "more than 30 minutes past the previous one"
    )
    assert emitted.evidence == {
        "code": "96366",
        "units": 2,
        "supported_units": 1,
        "minutes": 150,
        "time_lines": [1],
    }


@pytest.mark.parametrize(
    ("add_on_minutes", "units", "fires"),
    [
        (30, 1, True),  # 60 + 30 = 90 minutes in all
        (31, 1, False),
        (90, 2, True),
        (91, 2, False),
    ],
)
def test_time_read_from_the_add_on_lines_themselves(
    add_on_minutes: int, units: int, fires: bool
) -> None:
    # The practice documents the time past the first hour on the add-on line;
    # the initial line's own times are then not read.
    document = claim(
        line("96365", start="09:00", stop="10:00"),
        line("96366", units=units, **run_of(add_on_minutes, start=10 * 60)),
    )
    emitted = run(KIND, [RULE], document)
    assert [e.line for e in emitted] == ([2] if fires else [])


def test_each_hour_documented_on_its_own_line_adds_up() -> None:
    document = claim(
        line("96365", start="09:00", stop="10:00"),
        line("96366", start="10:00", stop="11:00"),
        line("96366", start="11:00", stop="11:31"),
    )
    assert run(KIND, [RULE], document) == []
    document["lines"][2]["stop_time"] = "11:30"
    assert [e.line for e in run(KIND, [RULE], document)] == [2]


def test_hydration_past_midnight_counts_the_whole_run() -> None:
    # CPT's own example: hydration from 23:00 to 02:00 is 96360 once, 96361 twice.
    document = claim(line("96360", start="23:00", stop="02:00"), line("96361", units=2))
    assert run(KIND, [RULE], document) == []
    document["lines"][1]["units"] = 3
    assert [e.line for e in run(KIND, [RULE], document)] == [2]


def test_a_sequential_infusion_supports_its_own_hours() -> None:
    document = claim(
        line("96365", **run_of(100)),  # 1 additional hour
        line("96367", **run_of(95, start=11 * 60)),  # 1 additional hour
        line("96366", units=2),
    )
    assert run(KIND, [RULE], document) == []


def test_nothing_is_judged_without_times() -> None:
    no_times = claim(line("96365"), line("96366", units=4))
    some_times = claim(
        line("96365", start="09:00", stop="09:40"),
        line("96365"),
        line("96366", units=4),
    )
    assert run(KIND, [RULE], no_times) == []
    assert run(KIND, [RULE], some_times) == []


def test_another_date_is_another_run() -> None:
    document = claim(
        line("96365", start="09:00", stop="11:00", day="2026-03-10"),
        line("96366", units=1, day="2026-03-11"),
    )
    assert run(KIND, [RULE], document) == []


@pytest.mark.parametrize(
    ("stop", "units", "expected"),
    [
        ("11:20", 1, []),
        ("11:20", 2, [("cms-core/DRUG-ADDITIONAL-HOURS", 3)]),
        ("10:35", 1, [("cms-core/DRUG-ADDITIONAL-HOURS", 3)]),  # 90 minutes
        ("10:36", 1, []),  # 91 minutes
    ],
)
def test_cms_core_chemotherapy_hours(
    stop: str, units: int, expected: list[tuple[str, int]]
) -> None:
    document = claim(
        line("99214", modifiers=["25"]),
        line("96413", start="09:05", stop=stop),
        line("96415", units=units),
        diagnoses=["C18.7", "Z51.11"],
        encounter=established(basis="time", total_minutes=34),
    )
    assert findings(document) == expected
