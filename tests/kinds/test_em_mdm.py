"""em-mdm: the documented MDM level must reach the level of the E/M code."""

from __future__ import annotations

import pytest
from factory import claim, findings, line, params_problems, rule, run

from claimpolicy.kinds.em_mdm import EmMdm

KIND = EmMdm()
RULE = rule(
    KIND,
    {
        "levels": [
            {"code": "99212", "level": "straightforward"},
            {"code": "99214", "level": "moderate"},
            {"code": "99215", "level": "high"},
        ]
    },
)


def visit(code: str, **em: object) -> dict[str, object]:
    return claim(line(code), encounter={"em": em})


@pytest.mark.parametrize(
    ("documented", "fires"),
    [("straightforward", True), ("low", True), ("moderate", False), ("high", False)],
)
def test_99214_needs_moderate_or_higher(documented: str, fires: bool) -> None:
    emitted = run(KIND, [RULE], visit("99214", basis="mdm", mdm_level=documented))
    assert [(e.line, e.at) for e in emitted] == ([(1, "/code")] if fires else [])


def test_the_message_names_both_levels() -> None:
    [emitted] = run(KIND, [RULE], visit("99215", basis="mdm", mdm_level="moderate"))
    assert emitted.message == (
        "99215 chosen by medical decision making needs high MDM; "
        "the encounter documents moderate"
    )


def test_a_level_chosen_by_time_is_not_judged_by_mdm() -> None:
    document = visit("99215", basis="time", mdm_level="low", total_minutes=45)
    assert run(KIND, [RULE], document) == []


def test_a_missing_level_is_left_to_the_documentation_rule() -> None:
    assert run(KIND, [RULE], visit("99215", basis="mdm")) == []


def test_the_lowest_code_passes_with_the_lowest_level() -> None:
    document = visit("99212", basis="mdm", mdm_level="straightforward")
    assert run(KIND, [RULE], document) == []


def test_an_unknown_level_is_refused_at_load() -> None:
    rows = [{"code": "99214", "level": "medium"}]
    assert params_problems(KIND, {"levels": rows}) == [
        "test.toml: rules[0].levels[0].level: 'medium' is not one of "
        "straightforward, low, moderate, high"
    ]


@pytest.mark.parametrize(
    ("code", "documented", "expected"),
    [
        ("99203", "straightforward", [("cms-core/EM-MDM-LEVEL", 1)]),
        ("99203", "low", []),
        ("99205", "moderate", [("cms-core/EM-MDM-LEVEL", 1)]),
        ("99213", "low", []),
        ("99214", "low", [("cms-core/EM-MDM-LEVEL", 1)]),
        ("99215", "high", []),
    ],
)
def test_cms_core_levels(
    code: str, documented: str, expected: list[tuple[str, int]]
) -> None:
    history = (
        {"patient_status": "new"}
        if code.startswith("9920")
        else {"patient_status": "established", "last_visit_date": "2025-06-01"}
    )
    em = {"basis": "mdm", "mdm_level": documented}
    assert findings(claim(line(code), encounter={**history, "em": em})) == expected
