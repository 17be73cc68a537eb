"""ICD-10-CM FY2026 split G35 from 2025-10-01, while cms-core 2025.1 is in force
to 2025-12-31: both versions must judge an MS drug with a child of G35 alike."""

from __future__ import annotations

from typing import Any

import pytest

from claimpolicy import Engine

FY2026_CHILDREN = (
    "G35.A",
    "G35.B0",
    "G35.B1",
    "G35.B2",
    "G35.C0",
    "G35.C1",
    "G35.C2",
    "G35.D",
)
MS_DRUGS = ("J2323", "Q5134", "J2350", "J2351")


def coverage_rules(engine: Engine, claim: dict[str, Any], day: str) -> list[str]:
    for line in claim["lines"]:
        line["service_date"] = day
    report = engine.check(claim)
    return sorted(f.rule for f in report.findings if "/COV-" in f.rule)


@pytest.mark.parametrize("drug", MS_DRUGS)
@pytest.mark.parametrize("diagnosis", FY2026_CHILDREN)
def test_q4_2025_and_2026_judge_the_same(
    engine: Engine, passing_claim: dict[str, Any], drug: str, diagnosis: str
) -> None:
    passing_claim["diagnoses"] = [diagnosis, "I10"]
    passing_claim["encounter"]["last_visit_date"] = "2025-06-02"
    # The MS drug takes the place of the claim's infliximab.
    passing_claim["lines"][3] = {
        "code": drug,
        "units": 300,
        "service_date": "",
        "diagnosis_pointers": [1],
    }

    in_2025 = coverage_rules(engine, passing_claim, "2025-11-10")
    in_2026 = coverage_rules(engine, passing_claim, "2026-03-10")

    assert in_2025 == in_2026


@pytest.mark.parametrize(
    ("drug", "rule"),
    [("J2323", "cms-core/COV-NATALIZUMAB"), ("J2350", "cms-core/COV-OCRELIZUMAB")],
)
def test_g35_itself_is_covered_to_the_end_of_2025_only(
    engine: Engine, passing_claim: dict[str, Any], drug: str, rule: str
) -> None:
    # Billable through 2025-09-30; from 2025-10-01 DX-CODE-VALID refuses it.
    passing_claim["diagnoses"] = ["G35", "I10"]
    passing_claim["encounter"]["last_visit_date"] = "2025-01-02"
    # The MS drug takes the place of the claim's infliximab.
    passing_claim["lines"][3] = {
        "code": drug,
        "units": 300,
        "service_date": "",
        "diagnosis_pointers": [1],
    }

    assert coverage_rules(engine, passing_claim, "2025-09-30") == []
    assert coverage_rules(engine, passing_claim, "2025-11-10") == []
    assert coverage_rules(engine, passing_claim, "2026-03-10") == [rule]
