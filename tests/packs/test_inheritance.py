"""A payer pack extends the national pack without editing it."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimpolicy import Engine

PAYER_PACKS = Path(__file__).parent / "payer"


@pytest.fixture(scope="module")
def payer_engine() -> Engine:
    return Engine(pack_paths=[PAYER_PACKS])


def _failing_claim(claim: dict, payer: str) -> dict:
    claim["payer"] = payer
    del claim["lines"][0]["modifiers"]  # EM-MOD25 would fire
    claim["lines"][1]["diagnosis_pointers"] = [1, 1]  # DX-POINTER-REPEATED
    claim["lines"].append(
        {
            "code": "96360",
            "units": 1,
            "service_date": "2026-03-10",
            "diagnosis_pointers": [1],
            "start_time": "10:30",
            "stop_time": "11:15",
        }
    )
    return claim


def test_payer_claim_uses_the_payer_pack_and_its_parent(payer_engine, passing_claim):
    report = payer_engine.check(_failing_claim(passing_claim, "acme-health"))

    assert [(p.name, p.version) for p in report.packs] == [
        ("cms-core", "2026.1"),
        ("acme-health", "1.0.0"),
    ]
    found = {(f.rule, f.severity) for f in report.findings}
    assert ("cms-core/DX-POINTER-REPEATED", "error") in found
    assert ("acme-health/HYDRATION-NEEDS-XS", "warning") in found
    assert not any(f.rule == "cms-core/EM-MOD25-DRUG-ADMIN" for f in report.findings)


def test_the_parent_pack_extended_is_the_one_in_force(payer_engine, passing_claim):
    claim = _failing_claim(passing_claim, "acme-health")
    for line in claim["lines"]:
        line["service_date"] = "2025-03-10"

    report = payer_engine.check(claim)

    assert [(p.name, p.version) for p in report.packs] == [
        ("cms-core", "2025.1"),
        ("acme-health", "1.0.0"),
    ]


def test_other_payers_get_the_national_pack_unchanged(payer_engine, passing_claim):
    report = payer_engine.check(_failing_claim(passing_claim, "medicare"))

    assert [p.name for p in report.packs] == ["cms-core"]
    found = {(f.rule, f.severity) for f in report.findings}
    assert ("cms-core/DX-POINTER-REPEATED", "warning") in found
    assert ("cms-core/EM-MOD25-DRUG-ADMIN", "error") in found
    assert not any(f.rule.startswith("acme-health/") for f in report.findings)


def test_payer_match_ignores_case(payer_engine, passing_claim):
    report = payer_engine.check(_failing_claim(passing_claim, "ACME-Health"))

    assert report.packs[-1].name == "acme-health"


def test_the_pack_path_variable_finds_packs_too(monkeypatch, passing_claim):
    monkeypatch.setenv("CLAIMPOLICY_PACK_PATH", str(PAYER_PACKS))

    report = Engine().check(_failing_claim(passing_claim, "acme-health"))

    assert report.packs[-1].name == "acme-health"
