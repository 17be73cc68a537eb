"""one-initial-service: one initial drug administration code per encounter."""

from __future__ import annotations

import pytest
from factory import claim, established, findings, line, params_problems, rule, run

from claimpolicy.kinds.initial_service import OneInitialService

KIND = OneInitialService()
RULE = rule(
    KIND,
    {
        "codes": ["96360", "96365", "96374", "96409", "96413"],
        "separate_site_modifiers": ["59", "XE", "XP", "XS", "XU"],
    },
)


def test_two_initial_codes_without_a_modifier_fire_on_the_second() -> None:
    document = claim(
        line("99214", modifiers=["25"]),
        line("96413", start="09:00", stop="10:00"),
        line("96365", start="10:05", stop="10:45"),
    )
    [emitted] = run(KIND, [RULE], document)
    assert (emitted.line, emitted.at) == (3, "/modifiers")
    assert emitted.message == (
        "96365 (line 3) is a second initial drug administration service on "
        "2026-03-10 after 96413 (line 2): report it with the sequential or "
        "additional code, or add one of 59, XE, XP, XS, XU when protocol "
        "required a separate IV site"
    )


@pytest.mark.parametrize("modifier", ["XE", "59", "XU"])
def test_a_separate_site_modifier_allows_a_second_initial_code(modifier: str) -> None:
    document = claim(
        line("96413", start="09:00", stop="10:00"),
        line("96365", modifiers=[modifier], start="09:10", stop="09:50"),
    )
    assert run(KIND, [RULE], document) == []


def test_the_modifier_may_sit_on_either_line() -> None:
    document = claim(line("96374", modifiers=["XE"]), line("96409"))
    assert run(KIND, [RULE], document) == []


def test_an_unrelated_modifier_does_not_allow_it() -> None:
    document = claim(line("96374"), line("96374", modifiers=["JZ"]))
    assert [e.line for e in run(KIND, [RULE], document)] == [2]


def test_each_further_initial_code_fires() -> None:
    document = claim(line("96360"), line("96374"), line("96365"))
    assert [e.line for e in run(KIND, [RULE], document)] == [2, 3]


def test_subsequent_codes_and_other_dates_do_not_count() -> None:
    document = claim(
        line("96413", start="09:00", stop="10:00"),
        line("96417", start="10:00", stop="10:40"),
        line("96375"),
        line("96401"),
        line("96365", start="09:00", stop="10:00", day="2026-03-11"),
    )
    assert run(KIND, [RULE], document) == []


def test_modifiers_are_two_characters() -> None:
    problems = params_problems(KIND, {**RULE.params, "separate_site_modifiers": ["X"]})
    assert problems == [
        "test.toml: rules[0].separate_site_modifiers[0]: 'X' does not match the "
        "pattern [0-9A-Z]{2}"
    ]


@pytest.mark.parametrize(
    ("modifiers", "expected"),
    [([], [("cms-core/DRUG-ONE-INITIAL", 3)]), (["XE"], [])],
)
def test_cms_core_rule(modifiers: list[str], expected: list[tuple[str, int]]) -> None:
    document = claim(
        line("99214", modifiers=["25"]),
        line("96413", start="09:00", stop="10:00"),
        line("96365", modifiers=modifiers, start="09:10", stop="09:50"),
        encounter=established(basis="mdm", mdm_level="moderate"),
    )
    assert findings(document) == expected
