"""required-modifier: a code billed with certain others needs a modifier."""

from __future__ import annotations

import pytest
from factory import claim, established, findings, line, params_problems, rule, run

from claimpolicy.kinds.modifiers import RequiredModifier

KIND = RequiredModifier()
RULE = rule(
    KIND,
    {
        "codes": ["99202-99205", "99212-99215"],
        "with_codes": ["96360-96549"],
        "modifiers": ["25"],
    },
)


def test_an_em_with_a_drug_administration_and_no_25_fires() -> None:
    document = claim(line("99214"), line("96365"))
    [emitted] = run(KIND, [RULE], document)
    assert (emitted.line, emitted.at) == (1, "/modifiers")
    assert emitted.message == (
        "99214 is billed on 2026-03-10 with 96365 (line 2) and needs modifier 25"
    )
    assert emitted.evidence["with_line"] == 2


def test_the_modifier_passes_whatever_else_the_line_carries() -> None:
    document = claim(line("99214", modifiers=["GT", "25"]), line("96365"))
    assert run(KIND, [RULE], document) == []


def test_the_same_partner_on_another_day_does_not_count() -> None:
    document = claim(line("99214"), line("96365", day="2026-03-11"))
    assert run(KIND, [RULE], document) == []


def test_a_code_alone_passes() -> None:
    assert run(KIND, [RULE], claim(line("99214"))) == []


def test_codes_outside_the_lists_pass() -> None:
    # 99211 is not in `codes`; 99214 with an E/M partner is not a partner.
    assert run(KIND, [RULE], claim(line("99211"), line("96365"))) == []
    assert run(KIND, [RULE], claim(line("99214"), line("99213"))) == []


def test_each_listed_modifier_is_named_in_the_message() -> None:
    either = rule(
        KIND, {"codes": ["J1745"], "with_codes": ["96365"], "modifiers": ["JZ", "JW"]}
    )
    [emitted] = run(KIND, [either], claim(line("J1745"), line("96365")))
    assert emitted.message.endswith("and needs modifier JW or JZ")


def test_a_line_is_not_its_own_partner() -> None:
    self_listed = rule(
        KIND, {"codes": ["96372"], "with_codes": ["96372"], "modifiers": ["59"]}
    )
    assert run(KIND, [self_listed], claim(line("96372"))) == []
    two = claim(line("96372"), line("96372"))
    assert [e.line for e in run(KIND, [self_listed], two)] == [1, 2]


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        (
            "modifiers",
            ["2"],
            "rules[0].modifiers[0]: '2' does not match the pattern [0-9A-Z]{2}",
        ),
        (
            "modifiers",
            [],
            "rules[0].modifiers: [] is shorter than the minimum length of 1",
        ),
    ],
)
def test_parameters_are_checked(key: str, value: object, problem: str) -> None:
    params = {**RULE.params, key: value}
    assert params_problems(KIND, params) == [f"test.toml: {problem}"]


@pytest.mark.parametrize(
    ("modifiers", "expected"),
    [([], [("cms-core/EM-MOD25-DRUG-ADMIN", 1)]), (["25"], [])],
)
def test_cms_core_rule(modifiers: list[str], expected: list[tuple[str, int]]) -> None:
    document = claim(
        line("99214", modifiers=modifiers),
        line("96413", start="09:00", stop="09:50"),
        encounter=established(basis="mdm", mdm_level="moderate"),
    )
    assert findings(document) == expected
