"""Installing the plugin is all it takes: no configuration, no flags."""

from __future__ import annotations

import json
import os

from claimpolicy import Engine, PluginHost
from claimpolicy.plugins import AUTOLOAD_OFF
from conftest import run

HOOKS = [
    "claimpolicy_adjust_findings",
    "claimpolicy_check_claim",
    "claimpolicy_prepare_claim",
    "claimpolicy_register_edits",
    "claimpolicy_register_formats",
    "claimpolicy_register_pack_paths",
    "claimpolicy_register_readers",
    "claimpolicy_register_rule_kinds",
]


def test_plugins_command_lists_the_plugin_with_its_distribution_and_hooks():
    result = run("plugins")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("example-payer  (claimpolicy-example-payer 1.0.0, entry point)")
    assert lines[start + 1 : start + 1 + len(HOOKS)] == [f"    {h}" for h in HOOKS]


def test_the_host_finds_it_through_the_entry_point():
    (info,) = [i for i in PluginHost().infos() if i.name == "example-payer"]

    assert (info.distribution, info.version, info.source) == (
        "claimpolicy-example-payer",
        "1.0.0",
        "entry point",
    )
    assert list(info.hooks) == HOOKS


def test_packs_list_shows_the_payer_pack_from_the_plugin():
    result = run("packs", "list")

    assert result.returncode == 0, result.stderr
    (row,) = [
        line for line in result.stdout.splitlines() if line.startswith("example-health")
    ]
    assert row.split()[:6] == [
        "example-health",
        "1.0.0",
        "2025-01-01",
        "to",
        "2026-12-31",
        "example-health",
    ]
    assert row.endswith("(plugin example-payer)")


def test_no_plugins_and_the_variable_both_turn_it_off():
    flagged = run("packs", "list", "--no-plugins")
    os.environ[AUTOLOAD_OFF] = "1"
    try:
        names = [info.name for info in PluginHost().infos()]
    finally:
        del os.environ[AUTOLOAD_OFF]

    assert "example-health" not in flagged.stdout
    assert "example-payer" not in names


def test_a_claim_for_the_payer_is_judged_by_its_pack_on_top_of_cms_core(claim):
    report = Engine().check(claim)

    assert [(p.name, p.version) for p in report.packs] == [
        ("cms-core", "2026.1"),
        ("example-health", "1.0.0"),
    ]


def test_a_2025_claim_takes_cms_core_2025(claim):
    for line in claim["lines"]:
        line["service_date"] = "2025-06-10"

    report = Engine().check(claim)

    assert [(p.name, p.version) for p in report.packs] == [
        ("cms-core", "2025.1"),
        ("example-health", "1.0.0"),
    ]


def test_a_claim_for_another_payer_gets_cms_core_only_and_no_custom_edit(claim):
    claim["payer"] = "medicare"

    report = Engine().check(claim)

    assert [p.name for p in report.packs] == ["cms-core"]
    assert [
        f.rule for f in report.findings if f.rule.startswith("example-health/")
    ] == []


def test_the_pack_changes_cms_core_for_its_claims_only(claim):
    del claim["lines"][0]["start_time"], claim["lines"][0]["stop_time"]
    claim["lines"][0]["diagnosis_pointers"] = [1, 1]
    medicare = json.loads(json.dumps(claim))
    medicare["payer"] = "medicare"
    engine = Engine()

    ours = {f.rule: f.severity for f in engine.check(claim).findings}
    national = {f.rule: f.severity for f in engine.check(medicare).findings}

    assert national["cms-core/DX-POINTER-REPEATED"] == "warning"
    assert ours["cms-core/DX-POINTER-REPEATED"] == "error"  # raised by the pack
    assert "cms-core/DRUG-TIMES-REQUIRED" in national
    assert "cms-core/DRUG-TIMES-REQUIRED" not in ours  # disabled by the pack


def test_the_packs_own_fixture_tests_pass():
    result = run("test", "example-health", "--min-coverage", "100")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "example-health@1.0.0: 2/2 rules fired (100.0%)" in result.stdout
