"""patient-status: new and established E/M codes against the last visit."""

from __future__ import annotations

from datetime import date

import pytest
from factory import claim, established, findings, line, params_problems, rule, run

from claimpolicy.kinds.patient_status import PatientStatus, window_start

KIND = PatientStatus()
RULE = rule(KIND, {"new_codes": ["99202-99205"], "established_codes": ["99211-99215"]})


def visit(code: str, day: str = "2026-03-10", **history: str) -> dict[str, object]:
    return claim(line(code, day=day), encounter=history)


def test_three_years_is_the_default() -> None:
    assert RULE.params["years"] == 3


@pytest.mark.parametrize(
    ("last_visit", "fires"),
    [
        ("2026-03-09", False),
        ("2026-03-10", False),  # earlier the same day
        ("2023-03-10", False),  # exactly three years before: within
        ("2023-03-09", True),  # three years and one day
        ("2019-01-01", True),
        ("2026-03-11", True),  # after the date of service: not a prior visit
    ],
)
def test_established_code_needs_a_visit_within_three_years(
    last_visit: str, fires: bool
) -> None:
    emitted = run(KIND, [RULE], visit("99214", last_visit_date=last_visit))
    assert [(e.line, e.at) for e in emitted] == ([(1, "/code")] if fires else [])


@pytest.mark.parametrize(
    ("last_visit", "fires"),
    [("2023-03-10", True), ("2023-03-09", False), ("2026-03-11", False)],
)
def test_new_code_fires_on_a_visit_within_three_years(
    last_visit: str, fires: bool
) -> None:
    emitted = run(KIND, [RULE], visit("99204", last_visit_date=last_visit))
    assert [e.line for e in emitted] == ([1] if fires else [])


@pytest.mark.parametrize(
    ("code", "history", "message"),
    [
        (
            "99214",
            {"patient_status": "new", "last_visit_date": "2025-12-02"},
            "99214 is an established-patient code but the encounter gives "
            'patient_status "new"',
        ),
        (
            "99203",
            {"patient_status": "established"},
            "99203 is a new-patient code but the encounter gives "
            'patient_status "established"',
        ),
        (
            "99213",
            {"patient_status": "established"},
            "99213 is an established-patient code but the encounter has no "
            "last_visit_date: it needs a professional service on or after 2023-03-10",
        ),
        (
            "99213",
            {"last_visit_date": "2023-03-09"},
            "99213 is an established-patient code but the last visit (2023-03-09) is "
            "not within 3 years before 2026-03-10: it needs a professional service "
            "on or after 2023-03-10",
        ),
        (
            "99205",
            {"patient_status": "new", "last_visit_date": "2024-07-01"},
            "99205 is a new-patient code but the last visit (2024-07-01) is within "
            "3 years of 2026-03-10: bill an established-patient code",
        ),
    ],
)
def test_messages(code: str, history: dict[str, str], message: str) -> None:
    [emitted] = run(KIND, [RULE], visit(code, **history))
    assert emitted.message == message


@pytest.mark.parametrize(
    ("code", "history"),
    [
        ("99214", {"patient_status": "established", "last_visit_date": "2025-12-02"}),
        ("99204", {"patient_status": "new"}),
        ("99204", {"patient_status": "new", "last_visit_date": "2020-05-01"}),
        ("99204", {}),
    ],
)
def test_a_status_that_fits_passes(code: str, history: dict[str, str]) -> None:
    assert run(KIND, [RULE], visit(code, **history)) == []


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2026, 3, 10), date(2023, 3, 10)),
        (date(2028, 2, 29), date(2025, 2, 28)),  # no 29 February in 2025
        (date(2027, 2, 28), date(2024, 2, 28)),
    ],
)
def test_window_start(day: date, start: date) -> None:
    assert window_start(day, 3) == start


def test_years_is_a_parameter() -> None:
    five = rule(
        KIND, {"new_codes": ["99204"], "established_codes": ["99214"], "years": 5}
    )
    assert run(KIND, [five], visit("99214", last_visit_date="2021-03-10")) == []
    assert params_problems(KIND, {**RULE.params, "years": 0}) == [
        "test.toml: rules[0].years: 0 is less than the minimum of 1"
    ]


@pytest.mark.parametrize(
    ("code", "last_visit", "expected"),
    [
        ("99214", "2023-03-10", []),
        ("99214", "2023-03-09", [("cms-core/EM-PATIENT-STATUS", 1)]),
        ("99204", "2024-11-20", [("cms-core/EM-PATIENT-STATUS", 1)]),
    ],
)
def test_cms_core_rule(
    code: str, last_visit: str, expected: list[tuple[str, int]]
) -> None:
    encounter = established(basis="mdm", mdm_level="high")
    encounter["patient_status"] = "new" if code == "99204" else "established"
    encounter["last_visit_date"] = last_visit
    assert findings(claim(line(code), encounter=encounter)) == expected
