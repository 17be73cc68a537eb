"""documentation: a fact the encounter must state when codes are billed together."""

from __future__ import annotations

from typing import Any

import pytest
from factory import claim, established, findings, line, params_problems, rule, run

from claimpolicy.kinds.documentation import Documentation

KIND = Documentation()
PARAMS = {
    "codes": ["99202-99205", "99212-99215"],
    "with_codes": ["96360-96549"],
    "field": "em.separately_documented",
    "expected": True,
}
RULE = rule(KIND, PARAMS)


def visit(em: dict[str, Any], *codes: str) -> dict[str, Any]:
    return claim(*(line(code) for code in codes), encounter={"em": em})


@pytest.mark.parametrize(
    ("em", "state"),
    [
        ({"separately_documented": False}, "it is false"),
        ({}, "it is missing"),
    ],
)
def test_a_missing_or_different_value_fires(em: dict[str, Any], state: str) -> None:
    [emitted] = run(KIND, [RULE], visit(em, "99214", "96413"))
    assert (emitted.line, emitted.at) == (None, "/encounter/em/separately_documented")
    assert emitted.message == (
        "99214 (line 1) with 96413 (line 2) on 2026-03-10 needs the encounter to "
        f"state em.separately_documented = true; {state}"
    )


def test_the_expected_value_passes() -> None:
    document = visit({"separately_documented": True}, "99214", "96413")
    assert run(KIND, [RULE], document) == []


def test_without_a_partner_code_the_rule_does_not_apply() -> None:
    assert run(KIND, [RULE], visit({}, "99214")) == []
    other_day = claim(line("99214"), line("96413", day="2026-03-11"))
    assert run(KIND, [RULE], other_day) == []


def test_without_with_codes_the_codes_alone_apply() -> None:
    alone = rule(KIND, {"codes": ["99214"], "field": "em.basis", "expected": "mdm"})
    [emitted] = run(KIND, [alone], visit({"basis": "time"}, "99214"))
    assert emitted.message == (
        '99214 (line 1) needs the encounter to state em.basis = "mdm"; it is "time"'
    )
    assert run(KIND, [alone], visit({"basis": "mdm"}, "99214")) == []


def test_a_top_level_field_is_read_too() -> None:
    status = rule(
        KIND, {"codes": ["99214"], "field": "patient_status", "expected": "established"}
    )
    [emitted] = run(KIND, [status], claim(line("99214")))
    assert emitted.at == "/encounter/patient_status"


def test_one_finding_per_claim() -> None:
    document = visit({}, "99213", "96413", "99214", "96365")
    assert [e.rule for e in run(KIND, [RULE], document)] == ["TEST-RULE"]


def test_an_unknown_field_is_refused_at_load() -> None:
    problems = params_problems(KIND, {**PARAMS, "field": "em.total_minutes"})
    assert problems[-1] == (
        "test.toml: rules[0].field: 'em.total_minutes' is not one of em.basis, "
        "em.mdm_level, em.separately_documented, patient_status"
    )


def test_a_value_the_field_cannot_hold_is_refused_at_load() -> None:
    # `expected` must fit the field named beside it; Cerberus reports every
    # alternative it tried, the one of the named field among them.
    problems = params_problems(KIND, {**PARAMS, "field": "em.basis", "expected": True})
    assert problems == [
        "test.toml: rules[0].expected: True is not of type string",
        "test.toml: rules[0].expected: True is not of type string",
        "test.toml: rules[0].expected: True is not of type string",
        "test.toml: rules[0].expected: True breaks the rule "
        "dependencies={'field': ['em.separately_documented']}",
    ]
    problems = params_problems(KIND, {**PARAMS, "expected": "yes"})
    assert "test.toml: rules[0].expected: 'yes' is not of type boolean" in problems
    problems = params_problems(
        KIND, {**PARAMS, "field": "em.basis", "expected": "hours"}
    )
    assert "test.toml: rules[0].expected: 'hours' is not one of mdm, time" in problems


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("em.separately_documented", False),
        ("em.basis", "time"),
        ("em.mdm_level", "high"),
        ("patient_status", "new"),
    ],
)
def test_every_encounter_field_with_fitting_values_loads(
    field: str, expected: Any
) -> None:
    assert params_problems(KIND, {**PARAMS, "field": field, "expected": expected}) == []


@pytest.mark.parametrize(
    ("separately_documented", "expected"),
    [(True, []), (False, [("cms-core/EM-SEPARATELY-DOCUMENTED", None)])],
)
def test_cms_core_rule(
    separately_documented: bool, expected: list[tuple[str, int | None]]
) -> None:
    encounter = established(basis="mdm", mdm_level="moderate")
    encounter["em"]["separately_documented"] = separately_documented
    document = claim(
        line("99214", modifiers=["25"]),
        line("96365", start="09:00", stop="09:40"),
        encounter=encounter,
    )
    assert findings(document) == expected
