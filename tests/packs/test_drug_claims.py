"""A realistic infusion-day claim for each drug code (reference products and
biosimilars) passes clean on two dates of 2025 and of 2026, and the same
claim with a diagnosis outside the label, one the drug's specialty might
bill, fails (or, where the national pack only warns because compendia may
support the use, warns) on medical necessity. The claims are data:
drug_claims.toml."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tomli

from claimpolicy import Engine

TABLE = tomli.loads((Path(__file__).parent / "drug_claims.toml").read_text())
DEFAULTS = TABLE["defaults"]
DRUGS = [{**DEFAULTS, **drug} for drug in TABLE["drug"]]
YEARS = (2025, 2026)
# Two days of each year, both before 1 October so that a year's claims stay
# in one ICD-10-CM fiscal year (the MS indications differ between FY2025 and
# FY2026).
DAYS = ("03-10", "09-16")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def infusion_claim(
    drug: dict[str, Any], year: int, diagnosis: str, month_day: str = "03-10"
) -> dict[str, Any]:
    """An office visit and the drug's administration on `month_day` of `year`."""
    day = f"{year}-{month_day}"
    diagnoses = [diagnosis] + ([drug["secondary"]] if "secondary" in drug else [])
    administration: dict[str, Any] = {
        "code": drug["administration"],
        "units": 1,
        "service_date": day,
        "diagnosis_pointers": [1],
    }
    lines = [
        {
            "code": "99214",
            "modifiers": ["25"],
            "units": 1,
            "service_date": day,
            "diagnosis_pointers": [1],
        },
        administration,
    ]
    if drug["administration"] not in ("96372", "96374"):  # timed infusions
        start = 9 * 60
        administration["start_time"] = _clock(start)
        administration["stop_time"] = _clock(start + drug["minutes"])
        extra_hours = max(0, (drug["minutes"] - 91) // 60 + 1)
        if extra_hours:
            add_on = {"96365": "96366", "96413": "96415"}[drug["administration"]]
            lines.append(
                {
                    "code": add_on,
                    "units": extra_hours,
                    "service_date": day,
                    "diagnosis_pointers": [1],
                }
            )
    if "dose_units" in drug:
        dose = {"amount": drug["dose_units"], "unit": "units"}
    else:
        dose = {"amount": drug["dose_mg"], "unit": "mg"}
    lines.append(
        {
            "code": drug["code"],
            "modifiers": ["JZ"],
            "units": drug["units"],
            "service_date": day,
            "diagnosis_pointers": [1],
            "ndc": {"code": drug["ndc"], "quantity": 1, "unit": "UN"},
            "dose": {**dose, "wasted": 0, "single_dose_container": True},
        }
    )
    return {
        "claim_id": f"DRUG-{drug['code']}-{day}",
        "payer": "medicare",
        "patient": {"id": "P-1", "birth_date": "1966-05-14", "sex": drug["sex"]},
        "provider": {"npi": "1558598797", "specialty": "rheumatology"},
        "place_of_service": "11",
        "diagnoses": diagnoses,
        "lines": lines,
        "encounter": {
            "patient_status": "established",
            "last_visit_date": f"{year - 1}-11-20",
            "em": {
                "basis": "mdm",
                "mdm_level": "moderate",
                "total_minutes": 32,
                "separately_documented": True,
            },
        },
    }


def _indication(drug: dict[str, Any], year: int) -> str:
    indication = drug["indication"]
    return indication[str(year)] if isinstance(indication, dict) else indication


def _ids(drug: dict[str, Any]) -> str:
    return f"{drug['code']}-{drug['drug']}"


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("drug", DRUGS, ids=_ids)
def test_labelled_indication_passes_clean(engine: Engine, drug, year, day):
    report = engine.check(infusion_claim(drug, year, _indication(drug, year), day))

    assert [f.to_dict() for f in report.findings] == []
    assert report.outcome == "pass"
    assert report.packs[0].version == f"{year}.1"


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("drug", DRUGS, ids=_ids)
def test_diagnosis_outside_the_label_fails_on_medical_necessity(
    engine: Engine, drug, year, day
):
    claim = infusion_claim(drug, year, drug["off_label"], day)

    report = engine.check(claim)

    (finding,) = [f for f in report.findings if f.category == "medical-necessity"]
    assert finding.rule.startswith("cms-core/COV-")
    assert finding.line == len(claim["lines"])  # the drug line comes last
    expected = "fail" if finding.severity == "error" else "warn"
    assert report.outcome == expected


def test_every_drug_tested_here_has_a_coverage_rule(engine):
    ruleset = engine.ruleset_for(None, date(2026, 3, 10))
    covered = {
        code
        for rule in ruleset.rules
        if rule.kind == "coverage"
        for code in rule.params["codes"]
    }
    tested = {drug["code"] for drug in DRUGS}

    assert tested <= covered


BIOSIMILARS_TESTED = {
    "infliximab": {"Q5103", "Q5104", "Q5121"},
    "rituximab": {"Q5115", "Q5119", "Q5123"},
    "trastuzumab": {"Q5112", "Q5113", "Q5114", "Q5116", "Q5117", "Q5146"},
    "bevacizumab": {"Q5107", "Q5118", "Q5126", "Q5129"},
}


def test_each_listed_biosimilar_code_has_a_claim() -> None:
    tested = {drug["code"] for drug in DRUGS}
    for codes in BIOSIMILARS_TESTED.values():
        assert codes <= tested


def test_off_label_diagnoses_are_not_all_the_same() -> None:
    assert len({drug["off_label"] for drug in DRUGS}) > len(DRUGS) // 3
    assert "I10" not in {drug["off_label"] for drug in DRUGS}
