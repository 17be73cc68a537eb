"""A claim document as the rules read it (claimpolicy.claim)."""

from __future__ import annotations

from datetime import date

from factory import claim, line

from claimpolicy.claim import Line, PreparedClaim


def test_each_line_keeps_its_own_date_when_dates_alternate():
    # Lines reuse the previous line's parsed date when the text is the same:
    # a change of date in either direction must still be seen.
    days = ["2026-03-10", "2026-03-10", "2026-03-11", "2026-03-10", "2026-03-12"]
    prepared = PreparedClaim(claim(*(line("96365", day=day) for day in days)))

    assert [ln.service_date for ln in prepared.lines] == [
        date.fromisoformat(day) for day in days
    ]
    assert prepared.service_date == date(2026, 3, 10)


def test_the_claim_date_is_the_earliest_even_when_it_is_not_first():
    prepared = PreparedClaim(
        claim(line("99214", day="2026-03-12"), line("96413", day="2026-03-09"))
    )

    assert prepared.service_date == date(2026, 3, 9)


def test_codes_modifiers_and_diagnoses_are_normalised():
    prepared = PreparedClaim(
        claim(line("j1745", modifiers=["jz"]), diagnoses=["m05.79"])
    )

    only = prepared.lines[0]
    assert (only.code, only.modifiers) == ("J1745", ("JZ",))
    assert prepared.diagnoses == ("M0579",)
    assert prepared.lines_by_code == {"J1745": [only]}


def test_a_line_built_by_hand_needs_no_previous_line():
    alone = Line(2, line("96413", start="23:40", stop="00:45"))

    assert (alone.number, alone.service_date) == (3, date(2026, 3, 10))
    assert alone.minutes == 65  # past midnight
