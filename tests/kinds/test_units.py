"""unit-limit: MUE-style limits per line (MAI 1) or per date (MAI 2 and 3)."""

from __future__ import annotations

import pytest
from code_tables import drug, hcpcs, tables
from factory import claim, findings, line, params_problems, rule, run

from claimpolicy.kinds.units import UnitLimit

KIND = UnitLimit()
LIMITS = rule(
    KIND,
    {
        "limits": [
            {"code": "96413", "max_units": 1, "adjudication": "line", "mai": 1},
            {"code": "96415", "max_units": 8, "adjudication": "date", "mai": 3},
        ]
    },
)


@pytest.mark.parametrize(("units", "fires"), [(1, False), (2, True)])
def test_a_line_edit_counts_the_units_of_one_line(units: int, fires: bool) -> None:
    emitted = run(KIND, [LIMITS], claim(line("96413", units=units)))
    assert [(e.line, e.at) for e in emitted] == ([(1, "/units")] if fires else [])


def test_a_line_edit_lets_further_lines_through() -> None:
    document = claim(line("96413"), line("96413", modifiers=["XS"]))
    assert run(KIND, [LIMITS], document) == []


def test_the_line_message_names_code_units_and_limit() -> None:
    [emitted] = run(KIND, [LIMITS], claim(line("96413", units=2)))
    assert emitted.message == (
        "96413 is billed for 2 units on one line; the limit is 1 unit per line "
        "(MUE, MAI 1)"
    )


def test_a_date_edit_adds_up_every_line_of_the_date() -> None:
    document = claim(line("96415", units=5), line("96415", units=4, modifiers=["59"]))
    [emitted] = run(KIND, [LIMITS], document)
    assert (emitted.line, emitted.at) == (1, "/units")
    assert emitted.message == (
        "96415 is billed for 9 units on 2026-03-10 on lines 1, 2; the limit is 8 "
        "units per date of service (MUE, MAI 3)"
    )
    assert emitted.evidence["lines"] == [1, 2]


def test_a_date_edit_keeps_dates_apart() -> None:
    document = claim(line("96415", units=5), line("96415", units=4, day="2026-03-11"))
    assert run(KIND, [LIMITS], document) == []


def test_the_same_units_as_line_and_as_date_edits() -> None:
    document = claim(line("96415", units=5), line("96415", units=4))
    as_line = rule(
        KIND, {"limits": [{"code": "96415", "max_units": 8, "adjudication": "line"}]}
    )
    assert run(KIND, [as_line], document) == []
    assert len(run(KIND, [LIMITS], document)) == 1


def test_the_drug_table_mue_applies_where_no_row_is_given() -> None:
    table = hcpcs({"J1745": drug("J1745", 10, mue=140)})
    by_drug = rule(KIND, {"from_drug_table": True})
    over = claim(line("J1745", units=100), line("J1745", units=50, modifiers=["JW"]))
    [emitted] = run(KIND, [by_drug], over, tables(hcpcs=table))
    assert emitted.message == (
        "J1745 is billed for 150 units on 2026-03-10 on lines 1, 2; the limit is "
        "140 units per date of service (unit limit)"
    )
    assert emitted.evidence["source"] == "test MUE"
    under = claim(line("J1745", units=140))
    assert run(KIND, [by_drug], under, tables(hcpcs=table)) == []


def test_a_row_wins_over_the_drug_table() -> None:
    table = hcpcs({"J1745": drug("J1745", 10, mue=140)})
    both = rule(
        KIND,
        {
            "from_drug_table": True,
            "limits": [{"code": "J1745", "max_units": 200, "adjudication": "date"}],
        },
    )
    assert run(KIND, [both], claim(line("J1745", units=150)), tables(hcpcs=table)) == []


def test_the_mai_must_agree_with_the_adjudication() -> None:
    row = {"code": "96413", "max_units": 1, "adjudication": "line", "mai": 3}
    assert params_problems(KIND, {"limits": [row]}) == [
        "test.toml: rules[0].limits[0].adjudication: 'line' is not one of date",
        "test.toml: rules[0].limits[0].mai: 3 is not one of 1",
    ]


def test_the_pack_limits_an_initial_infusion_to_one_unit_a_line() -> None:
    assert ("cms-core/UNITS-LIMIT", 1) in findings(claim(line("96413", units=2)))
    assert ("cms-core/UNITS-LIMIT", 1) not in findings(claim(line("96413")))
