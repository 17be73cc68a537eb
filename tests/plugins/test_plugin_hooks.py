"""Every hook, through a real plugin (tests/plugins/modules/cpt_sample.py).

Each hook has a test named `test_hook_<hook without the claimpolicy_ prefix>`;
the last test fails when a hook of claimpolicy.hookspecs has none.
"""

from __future__ import annotations

import json

import pytest

from claimpolicy.plugins import HOOK_NAMES
from conftest import engine_with, run, write_ndjson


@pytest.fixture
def cpt_claim(passing_claim):
    """The passing claim, sent to the test payer, charge missing on line 2."""
    passing_claim["payer"] = "cpt-payer"
    return passing_claim


def test_hook_register_rule_kinds(cpt_claim):
    engine = engine_with("cpt_sample")
    cpt_claim["lines"][1]["units"] = 2

    report = engine.check(cpt_claim)

    assert engine.kind_plugins["units-over"] == "cpt_sample"
    (finding,) = [f for f in report.findings if f.rule == "cpt-payer/UNITS-OVER"]
    assert (finding.line, finding.path, finding.message) == (
        2,
        "/lines/1/units",
        "96413 has 2 units",
    )


def test_hook_register_pack_paths():
    result = run("packs", "list", "--plugin", "cpt_sample")

    assert result.returncode == 0, result.stderr
    (row,) = [r for r in result.stdout.splitlines() if r.startswith("cpt-payer")]
    assert row.split()[:6] == [
        "cpt-payer",
        "1.0.0",
        "2025-01-01",
        "to",
        "2026-12-31",
        "cpt-payer",
    ]
    assert row.endswith("(plugin cpt_sample)")


def test_hook_register_readers(tmp_path, passing_claim):
    second = dict(passing_claim, claim_id="EX-2026-0002")
    path = tmp_path / "batch.claims.txt"
    path.write_text(
        "# exported 2026-03-11\n"
        + json.dumps(passing_claim)
        + "\n{broken\n"
        + json.dumps(second)
        + "\n"
    )

    result = run("check", str(path), "--plugin", "cpt_sample", "--format", "ndjson")

    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["claim_id"], r["outcome"]) for r in reports] == [
        ("EX-2026-0001", "pass"),
        (None, "invalid"),
        ("EX-2026-0002", "pass"),
    ]
    assert reports[1]["findings"][0]["message"] == f"{path}: line 3 is not JSON"


def test_hook_register_formats(tmp_path, passing_claim, cpt_claim):
    path = write_ndjson(tmp_path / "two.ndjson", [passing_claim])

    result = run("check", str(path), "--plugin", "cpt_sample", "--format", "outcomes")
    unknown = run("check", str(path), "--format", "outcomes")

    assert (result.returncode, result.stdout) == (0, "EX-2026-0001 pass\n")
    assert unknown.returncode == 2
    assert (
        "'outcomes' is not a report format (known: json, ndjson, text)"
        in unknown.stderr
    )


def test_hook_register_edits(cpt_claim):
    engine = engine_with("cpt_sample", explain=True)

    report = engine.check(cpt_claim)

    assert engine.edits["cpt-payer/NO-CHARGE"].severity == "info"
    (finding,) = [f for f in report.findings if f.category == "custom"]
    assert finding.to_dict() == {
        "rule": "cpt-payer/NO-CHARGE",
        "category": "custom",
        "severity": "info",
        "line": 2,
        "path": "/lines/1",
        "message": "96413 has no charge",
        "reference": "CMS-1500 item 24F (test plugin)",
        "evidence": {"code": "96413"},
    }


def test_hook_prepare_claim(passing_claim):
    engine = engine_with("cpt_sample")
    passing_claim["payer"] = "CPT PAYER"

    report = engine.check(passing_claim)

    assert [p.name for p in report.packs] == ["cms-core", "cpt-payer"]
    assert passing_claim["payer"] == "cpt-payer"  # prepared in place


def test_hook_check_claim(cpt_claim):
    engine = engine_with("cpt_sample")
    other = dict(cpt_claim, payer="medicare")

    ours = engine.check(cpt_claim)
    medicare = engine.check(other)

    assert [(f.rule, f.line) for f in ours.findings] == [("cpt-payer/NO-CHARGE", 2)]
    assert ours.outcome == "pass"  # an info finding does not change it
    assert medicare.findings == []  # the plugin checks its own payer's claims only


def test_hook_adjust_findings(cpt_claim):
    engine = engine_with("cpt_sample")
    cpt_claim["lines"][0]["diagnosis_pointers"] = [1, 1]

    document = engine.check(cpt_claim).to_dict()

    (waived,) = [
        f for f in document["findings"] if f["rule"] == "cms-core/DX-POINTER-REPEATED"
    ]
    assert waived["waived"] == {
        "by": "cpt_sample",
        "reason": "cpt-payer accepts repeated pointers",
    }
    assert waived["severity"] == "warning"  # kept as it was, marked
    assert document["outcome"] == "pass"  # a waived warning does not count


@pytest.mark.parametrize(
    ("payer", "pointers", "severities", "outcome"),
    [
        ("medicare", [1, 1], {"cms-core/DX-POINTER-REPEATED": "error"}, "fail"),
        ("cpt-payer", [1], {"cpt-payer/NO-CHARGE": "warning"}, "warn"),
    ],
    ids=["warning-to-error", "info-to-warning"],
)
def test_hook_adjust_findings_raising_a_severity_moves_the_outcome(
    cpt_claim, payer, pointers, severities, outcome
):
    engine = engine_with("cpt_sample", "cpt_stricter")
    cpt_claim["payer"] = payer
    cpt_claim["lines"][0]["diagnosis_pointers"] = pointers

    report = engine.check(cpt_claim)

    assert {f.rule: f.severity for f in report.findings} == severities
    assert report.outcome == outcome
    # Report version 1 has no field for who changed a severity; only a
    # waiver records its plugin.
    assert all("waived" not in f for f in report.to_dict()["findings"])


def test_every_hook_has_a_test():
    tested = {
        name.removeprefix("test_hook_")
        for name in globals()
        if name.startswith("test_hook_")
    }

    untested = [h for h in HOOK_NAMES if h.removeprefix("claimpolicy_") not in tested]

    assert untested == []
    assert len(HOOK_NAMES) == 8
