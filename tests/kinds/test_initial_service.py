"""one-initial-service: one initial drug administration code per encounter."""

from __future__ import annotations

import pytest
from factory import claim, established, findings, line, params_problems, rule, run

from claimpolicy.kinds.initial_service import OneInitialService

KIND = OneInitialService()
PARAMS = {
    "codes": ["96360", "96365", "96374", "96409", "96413"],
    "separate_site_modifiers": ["59", "XE", "XP", "XS", "XU"],
}
RULE = rule(KIND, PARAMS)
RANKED = rule(
    KIND, {**PARAMS, "hierarchy": ["96413", "96409", "96365", "96374", "96360"]}
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
        "2026-03-10 besides 96413 (line 2), billed first: report 96365 with its "
        "sequential, concurrent or additional code, or add one of 59, XE, XP, "
        "XS, XU when protocol required a separate IV site"
    )


def test_the_hierarchy_keeps_the_chemotherapy_infusion_whatever_the_order() -> None:
    document = claim(
        line("99214", modifiers=["25"]),
        line("96365", start="09:00", stop="09:40"),
        line("96413", start="10:00", stop="11:00"),
    )
    [emitted] = run(KIND, [RANKED], document)
    assert (emitted.line, emitted.evidence["initial_line"]) == (2, 3)
    assert emitted.message == (
        "96365 (line 2) is a second initial drug administration service on "
        "2026-03-10 besides 96413 (line 3), which ranks higher as the initial "
        "service: report 96365 with its sequential, concurrent or additional "
        "code, or add one of 59, XE, XP, XS, XU when protocol required a "
        "separate IV site"
    )


@pytest.mark.parametrize(
    ("codes", "kept"),
    [
        (["96360", "96374", "96365"], 3),  # infusion over push over hydration
        (["96374", "96409"], 2),  # chemotherapy push over therapeutic push
        (["96409", "96413"], 2),  # infusion over push within chemotherapy
    ],
)
def test_every_line_but_the_highest_fires(codes: list[str], kept: int) -> None:
    document = claim(*(line(code) for code in codes))
    emitted = run(KIND, [RANKED], document)
    assert {e.evidence["initial_line"] for e in emitted} == {kept}
    assert sorted(e.line for e in emitted) == [
        n for n in range(1, len(codes) + 1) if n != kept
    ]


def test_an_exact_repeat_is_left_to_the_duplicate_rule() -> None:
    document = claim(line("96365"), line("96413"), line("96413"), line("96365"))
    # Line 1 is a second initial service; lines 3 and 4 repeat lines 2 and 1.
    assert [e.line for e in run(KIND, [RANKED], document)] == [1]


def test_the_pack_reports_a_repeated_initial_line_once() -> None:
    document = claim(
        line("99214", modifiers=["25"]),
        line("96413", start="09:00", stop="09:50"),
        line("96413", start="09:00", stop="09:50"),
        encounter=established(basis="mdm", mdm_level="moderate"),
    )
    assert findings(document) == [("cms-core/DUPLICATE-LINE", 3)]


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


@pytest.mark.parametrize("ranked", [False, True])
def test_an_unrelated_modifier_does_not_allow_it(ranked: bool) -> None:
    # Equal ranks keep claim order; the lines differ by a modifier, so they
    # are no exact repeat.
    document = claim(line("96374"), line("96374", modifiers=["JZ"]))
    assert [e.line for e in run(KIND, [RANKED if ranked else RULE], document)] == [2]


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
    [([], [("cms-core/DRUG-ONE-INITIAL", 2)]), (["XE"], [])],
)
def test_cms_core_rule(modifiers: list[str], expected: list[tuple[str, int]]) -> None:
    document = claim(
        line("99214", modifiers=["25"]),
        line("96365", modifiers=modifiers, start="09:10", stop="09:50"),
        line("96413", start="09:00", stop="10:00"),
        encounter=established(basis="mdm", mdm_level="moderate"),
    )
    assert findings(document) == expected
