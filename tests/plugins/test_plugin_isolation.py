"""A plugin that fails on a claim costs that claim, and only that claim.

Its fault becomes a finding of category `engine` naming the plugin and the
hook, the claim's outcome is `error`, the other plugins still run, what the
faulty plugin changed is undone, and the batch goes on.
"""

from __future__ import annotations

import copy
import json
from collections import Counter

import cpt_faults
import pytest

from claimpolicy import PreparedClaim
from claimpolicy.hookspecs import hookimpl
from conftest import engine_with, run, write_ndjson


def batch(claim, count):
    claims = []
    for index in range(count):
        copied = copy.deepcopy(claim)
        copied["claim_id"] = f"C-{index:04d}"
        claims.append(copied)
    return claims


def engine_findings(report):
    """The engine findings as the report carries them (no evidence)."""
    return [f for f in report.to_dict()["findings"] if f["category"] == "engine"]


def test_one_raising_claim_in_1000_gives_1000_reports_and_one_error(
    tmp_path, passing_claim
):
    path = write_ndjson(tmp_path / "batch.ndjson", batch(passing_claim, 1000))

    result = run(
        "check", str(path), "--plugin", "cpt_raises_on_one", "--format", "ndjson"
    )

    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["claim_id"] for r in reports] == [f"C-{i:04d}" for i in range(1000)]
    assert Counter(r["outcome"] for r in reports) == {"pass": 999, "error": 1}
    (failed,) = [r for r in reports if r["outcome"] == "error"]
    assert failed["claim_id"] == "C-0500"
    assert failed["findings"] == [
        {
            "rule": "claimpolicy/PLUGIN-FAILED",
            "category": "engine",
            "severity": "error",
            "line": None,
            "path": "",
            "message": "plugin cpt_raises_on_one raised RuntimeError in "
            "claimpolicy_check_claim; the claim was not checked in full",
            "reference": "claimpolicy engine",
        }
    ]
    assert failed["packs"][0]["name"] == "cms-core"  # the rules did run
    assert result.returncode == 1


def test_a_batch_spread_over_workers_keeps_the_plugin_and_every_claim(
    tmp_path, passing_claim
):
    # Above 4,000 records the batch goes to worker processes, which load the
    # --plugin module themselves; claim C-4500 is checked by one of them.
    path = write_ndjson(tmp_path / "large.ndjson", batch(passing_claim, 5000))

    result = run(
        "check",
        str(path),
        "--plugin",
        "cpt_raises_on_one",
        "--jobs",
        "2",
        "--format",
        "ndjson",
    )

    outcomes = [json.loads(line)["outcome"] for line in result.stdout.splitlines()]
    assert len(outcomes) == 5000
    assert [i for i, o in enumerate(outcomes) if o != "pass"] == [500, 4500]
    assert set(outcomes[500:501] + outcomes[4500:4501]) == {"error"}


def test_other_plugins_still_run_when_one_raises(passing_claim):
    passing_claim["payer"] = "cpt-payer"
    passing_claim["claim_id"] = "C-0500"
    engine = engine_with("cpt_sample", "cpt_raises_on_one")

    report = engine.check(passing_claim)

    assert sorted(f.rule for f in report.findings) == [
        "claimpolicy/PLUGIN-FAILED",
        "cpt-payer/NO-CHARGE",  # cpt_sample's edit was not lost
    ]
    assert report.outcome == "error"


def test_a_raising_prepare_stops_the_claim_without_quoting_it(passing_claim):
    engine = engine_with(objects=[("prepare-raises", cpt_faults.PrepareRaises())])

    report = engine.check(passing_claim)

    assert report.outcome == "error"
    assert engine_findings(report) == [
        {
            "rule": "claimpolicy/PLUGIN-FAILED",
            "category": "engine",
            "severity": "error",
            "line": None,
            "path": "",
            "message": "plugin prepare-raises raised KeyError in "
            "claimpolicy_prepare_claim; no rule ran on the claim",
            "reference": "claimpolicy engine",
        }
    ]
    assert "P-000123" not in json.dumps(report.to_dict())


def test_a_prepare_that_breaks_the_schema_is_caught(passing_claim):
    engine = engine_with(objects=[("breaks", cpt_faults.PrepareBreaksSchema())])

    report = engine.check(passing_claim)

    assert report.outcome == "error"
    assert engine_findings(report)[0]["message"] == (
        "plugin breaks left the claim breaking the schema at /lines/0/code in "
        "claimpolicy_prepare_claim; no rule ran on the claim"
    )


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        (
            cpt_faults.HitOfUnregisteredEdit(),
            "returned a hit of edit 'cpt-faults/STRAY', which it did not register "
            "with claimpolicy_register_edits,",
        ),
        (cpt_faults.CheckReturnsText(), "returned str, not a list of hits,"),
    ],
)
def test_check_claim_results_are_held_to_the_hook(passing_claim, fault, problem):
    engine = engine_with(objects=[("faulty", fault)])

    report = engine.check(passing_claim)

    assert [f["message"] for f in engine_findings(report)] == [
        f"plugin faulty {problem} in claimpolicy_check_claim; "
        "the claim was not checked in full"
    ]


def test_a_hit_on_another_claims_line_is_refused(passing_claim):
    other = PreparedClaim(copy.deepcopy(passing_claim))
    engine = engine_with(objects=[("foreign", cpt_faults.HitOnForeignLine(other))])

    report = engine.check(passing_claim)

    assert "on a line not of this claim" in engine_findings(report)[0]["message"]


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        (cpt_faults.AdjustRemoves(), "removed, added or replaced findings"),
        (
            cpt_faults.AdjustBadSeverity(),
            "set the severity of cms-core/DX-POINTER-REPEATED to 'critical'",
        ),
        (
            cpt_faults.AdjustEmptyReason(),
            "waived cms-core/DX-POINTER-REPEATED without who and why",
        ),
        (cpt_faults.AdjustRaisesHalfway(), "raised ValueError"),
    ],
)
def test_adjustments_beyond_the_rules_are_undone(passing_claim, fault, problem):
    passing_claim["lines"][0]["diagnosis_pointers"] = [1, 1]
    engine = engine_with(objects=[("faulty", fault)])

    report = engine.check(passing_claim)

    (kept,) = [f for f in report.findings if f.rule == "cms-core/DX-POINTER-REPEATED"]
    assert (kept.severity, kept.waived) == ("warning", None)  # as the rule made it
    assert [f["message"] for f in engine_findings(report)] == [
        f"plugin faulty {problem} in claimpolicy_adjust_findings; "
        "its adjustments were undone"
    ]
    assert report.outcome == "error"


def test_an_engine_finding_cannot_be_waived(passing_claim):
    passing_claim["claim_id"] = "C-0500"
    engine = engine_with(
        "cpt_raises_on_one", objects=[("hider", cpt_faults.AdjustWaivesEngineFinding())]
    )

    report = engine.check(passing_claim)

    messages = sorted(f["message"] for f in engine_findings(report))
    assert messages == [
        "plugin cpt_raises_on_one raised RuntimeError in claimpolicy_check_claim; "
        "the claim was not checked in full",
        "plugin hider waived or changed the engine finding claimpolicy/PLUGIN-FAILED "
        "in claimpolicy_adjust_findings; its adjustments were undone",
    ]
    assert all(f.waived is None for f in report.findings)
    assert report.outcome == "error"


def test_a_rule_kind_that_raises_loses_its_own_rules_only(tmp_path, passing_claim):
    pack = tmp_path / "raising" / "1.0.0"
    pack.mkdir(parents=True)
    (pack / "pack.toml").write_text(
        'name = "raising"\nversion = "1.0.0"\ntitle = "t"\npayers = ["raising"]\n'
        'extends = [{ name = "cms-core", versions = ">=2026.1,<2027" }]\n'
        "[effective]\nfrom = 2026-01-01\nto = 2026-12-31\n"
    )
    (pack / "rules.toml").write_text(
        '[[rules]]\nid = "ALWAYS"\nkind = "required-modifier-raising"\n'
        'category = "custom"\nseverity = "error"\ntitle = "t"\nreference = "r"\n'
    )

    class Kinds:
        @hookimpl
        def claimpolicy_register_rule_kinds(self):
            return [cpt_faults.KindRaises()]

    engine = engine_with(objects=[("raising-kind", Kinds())], pack_paths=[tmp_path])
    passing_claim["payer"] = "raising"
    passing_claim["lines"][0]["modifiers"] = []  # cms-core still judges this

    report = engine.check(passing_claim)

    assert sorted(f.rule for f in report.findings) == [
        "claimpolicy/PLUGIN-FAILED",
        "cms-core/EM-MOD25-DRUG-ADMIN",
    ]
    assert engine_findings(report)[0]["message"] == (
        "plugin raising-kind raised ZeroDivisionError in rule kind "
        "'required-modifier-raising' (claimpolicy_register_rule_kinds); "
        "the claim was not checked in full"
    )
