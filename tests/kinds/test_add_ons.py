"""requires-codes: an add-on code needs one of its primary codes."""

from __future__ import annotations

import pytest
from factory import claim, established, findings, line, params_problems, rule, run

from claimpolicy.kinds.add_ons import RequiresCodes

KIND = RequiresCodes()
RULE = rule(KIND, {"codes": ["96366"], "with_codes": ["96365", "96367"]})


def test_an_add_on_without_its_primary_fires() -> None:
    document = claim(line("99214", modifiers=["25"]), line("96366"))
    [emitted] = run(KIND, [RULE], document)
    assert (emitted.line, emitted.at) == (2, "/code")
    assert emitted.message == (
        "96366 is billed on 2026-03-10 without any of 96365, 96367 on that "
        "date, and is reported only with one of them: bill the service it goes "
        "with, or correct the code"
    )
    assert emitted.evidence["with_codes"] == ["96365", "96367"]


@pytest.mark.parametrize("primary", ["96365", "96367"])
def test_any_listed_primary_on_the_same_date_passes(primary: str) -> None:
    document = claim(line("96366"), line(primary))
    assert run(KIND, [RULE], document) == []


def test_a_primary_on_another_date_does_not_count() -> None:
    document = claim(line("96365", day="2026-03-09"), line("96366"))
    assert [e.line for e in run(KIND, [RULE], document)] == [2]


def test_each_add_on_line_is_judged() -> None:
    document = claim(
        line("96365"),
        line("96366"),
        line("96366", day="2026-03-11", modifiers=["59"]),
    )
    assert [e.line for e in run(KIND, [RULE], document)] == [3]


def test_a_line_does_not_satisfy_itself() -> None:
    self_paired = rule(KIND, {"codes": ["96375"], "with_codes": ["96374-96375"]})
    assert [e.line for e in run(KIND, [self_paired], claim(line("96375")))] == [1]
    two = claim(line("96375"), line("96375", modifiers=["59"]))
    assert run(KIND, [self_paired], two) == []


def test_ranges_expand_on_both_sides() -> None:
    ranged = rule(KIND, {"codes": ["96415-96417"], "with_codes": ["96409-96413"]})
    document = claim(line("96415"), line("96417"), line("96413", day="2026-03-11"))
    assert [e.line for e in run(KIND, [ranged], document)] == [1, 2]


def test_claims_without_the_codes_cost_nothing_to_pass() -> None:
    document = claim(line("99214"), line("96365"), line("J1745", units=38))
    assert run(KIND, [RULE], document) == []


def test_both_lists_are_required() -> None:
    assert params_problems(KIND, {"codes": ["96366"]}) == [
        "test.toml: rules[0].with_codes: is required"
    ]


INFUSION = line("96365", start="09:00", stop="10:40")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([line("96366")], [("cms-core/DRUG-ADDON-INFUSION-HOUR", 2)]),
        ([INFUSION, line("96366")], []),
        ([line("96415")], [("cms-core/DRUG-ADDON-CHEMO-INFUSION", 2)]),
        ([line("96361")], [("cms-core/DRUG-ADDON-HYDRATION-HOUR", 2)]),
        ([line("96374"), line("96375")], []),
    ],
)
def test_cms_core_rules(
    lines: list[dict[str, object]], expected: list[tuple[str, int]]
) -> None:
    document = claim(
        line("99214", modifiers=["25"]),
        *lines,
        encounter=established(basis="mdm", mdm_level="moderate"),
    )
    assert findings(document) == expected
