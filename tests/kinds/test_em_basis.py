"""em-basis-documented: the basis of an E/M level must be documented."""

from __future__ import annotations

import pytest
from factory import claim, findings, line, params_problems, rule, run

from claimpolicy.kinds.em_basis import EmBasisDocumented

KIND = EmBasisDocumented()
E_M = ["99202-99205", "99212-99215"]
BY_TIME = rule(KIND, {"codes": E_M, "basis": "time"}, id="TIME-MISSING")
BY_MDM = rule(KIND, {"codes": E_M, "basis": "mdm"}, id="MDM-MISSING")


def visit(*codes: str, **em: object) -> dict[str, object]:
    return claim(*(line(code) for code in codes), encounter={"em": em})


@pytest.mark.parametrize(
    ("em", "expected"),
    [
        ({"basis": "time"}, [("TIME-MISSING", "/encounter/em/total_minutes")]),
        ({"basis": "time", "total_minutes": 25}, []),
        (
            {"basis": "time", "mdm_level": "low"},
            [("TIME-MISSING", "/encounter/em/total_minutes")],
        ),
        ({"basis": "mdm"}, [("MDM-MISSING", "/encounter/em/mdm_level")]),
        ({"basis": "mdm", "mdm_level": "low"}, []),
        (
            {"basis": "mdm", "total_minutes": 25},
            [("MDM-MISSING", "/encounter/em/mdm_level")],
        ),
        ({}, []),
    ],
)
def test_the_field_the_basis_needs(
    em: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    emitted = run(KIND, [BY_TIME, BY_MDM], visit("99213", **em))
    assert [(e.rule, e.at) for e in emitted] == expected
    assert all(e.line is None for e in emitted)


def test_one_finding_per_claim_naming_the_first_e_m_line() -> None:
    document = visit("96413", "99213", "99214", basis="time")
    [emitted] = run(KIND, [BY_TIME], document)
    assert emitted.message == (
        "99213 (line 2) was chosen by time, but the encounter has no em.total_minutes"
    )


def test_a_claim_without_an_e_m_code_is_not_judged() -> None:
    assert run(KIND, [BY_TIME], visit("96413", basis="time")) == []


def test_an_unknown_basis_is_refused_at_load() -> None:
    assert params_problems(KIND, {"codes": E_M, "basis": "history"}) == [
        "test.toml: rules[0].basis: 'history' is not one of mdm, time"
    ]


def test_cms_core_rules() -> None:
    history = {"patient_status": "established", "last_visit_date": "2025-06-01"}
    by_time = claim(line("99214"), encounter={**history, "em": {"basis": "time"}})
    by_mdm = claim(line("99214"), encounter={**history, "em": {"basis": "mdm"}})
    assert findings(by_time) == [("cms-core/EM-TIME-MINUTES-MISSING", None)]
    assert findings(by_mdm) == [("cms-core/EM-MDM-LEVEL-MISSING", None)]
