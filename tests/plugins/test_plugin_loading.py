"""Finding plugins, and refusing the broken ones before the first claim.

Entry points are tested with small distributions written into a temporary
folder (a `.dist-info` with METADATA and entry_points.txt), which
importlib.metadata finds on the path exactly as it finds one pip installed.
"""

from __future__ import annotations

import json

import pytest

from claimpolicy import PluginError, PluginHost
from claimpolicy.plugins import HOOK_NAMES
from conftest import MODULES, run

SAMPLE_HOOKS = tuple(HOOK_NAMES)


def install(site, distribution, version, module, entry_point):
    """Write the metadata pip would write for a distribution of `module`."""
    info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
    )
    (info / "entry_points.txt").write_text(f"[claimpolicy]\n{entry_point} = {module}\n")
    (info / "top_level.txt").write_text(f"{module}\n")
    return site


@pytest.fixture
def site(tmp_path, monkeypatch):
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def test_an_installed_plugin_is_found_by_its_entry_point(site):
    install(site, "claimpolicy-cpt-sample", "2.3.0", "cpt_sample", "cpt-sample")

    infos = {info.name: info for info in PluginHost(entry_points=True).infos()}

    info = infos["cpt-sample"]
    assert (info.distribution, info.version, info.source) == (
        "claimpolicy-cpt-sample",
        "2.3.0",
        "entry point",
    )
    assert info.hooks == SAMPLE_HOOKS


def test_built_ins_are_plugins_too():
    infos = PluginHost(entry_points=False).infos()

    assert [(i.name, i.source, i.hooks) for i in infos] == [
        ("claimpolicy.kinds.builtin", "built-in", ("claimpolicy_register_rule_kinds",)),
        (
            "claimpolicy.io.builtin",
            "built-in",
            ("claimpolicy_register_formats", "claimpolicy_register_readers"),
        ),
        ("claimpolicy.packs.builtin", "built-in", ("claimpolicy_register_pack_paths",)),
    ]


def test_tests_do_not_pick_up_installed_plugins_unless_they_ask(site):
    install(site, "claimpolicy-cpt-sample", "2.3.0", "cpt_sample", "cpt-sample")

    names = [info.name for info in PluginHost().infos()]  # the default host

    assert "cpt-sample" not in names


def test_plugins_command_shows_distribution_version_and_hooks(site):
    install(site, "claimpolicy-cpt-sample", "2.3.0", "cpt_sample", "cpt-sample")

    result = run("plugins", path=[site, MODULES], autoload=True)

    lines = result.stdout.splitlines()
    start = lines.index("cpt-sample  (claimpolicy-cpt-sample 2.3.0, entry point)")
    assert lines[start + 1 : start + 9] == [f"    {hook}" for hook in SAMPLE_HOOKS]
    assert lines[0] == "claimpolicy.kinds.builtin  (claimpolicy 0.1.0, built-in)"
    assert result.returncode == 0


def test_plugins_command_says_when_installed_plugins_are_off():
    flag = run("plugins", "--no-plugins", autoload=True)
    variable = run("plugins")

    assert flag.stdout.splitlines()[-1] == (
        "plugins installed on this machine are not loaded: --no-plugins"
    )
    assert variable.stdout.splitlines()[-1] == (
        "plugins installed on this machine are not loaded: "
        "CLAIMPOLICY_DISABLE_PLUGIN_AUTOLOAD is set"
    )


def test_a_plugin_module_shows_the_distribution_that_installed_it(site):
    install(site, "claimpolicy-cpt-sample", "2.3.0", "cpt_sample", "cpt-sample")

    result = run("plugins", "--plugin", "cpt_sample", path=[site, MODULES])

    assert (
        "cpt_sample  (claimpolicy-cpt-sample 2.3.0, --plugin)"
        in result.stdout.splitlines()
    )


def test_a_plugin_module_not_installed_says_so():
    result = run("plugins", "--plugin", "cpt_sample")

    assert "cpt_sample  (not installed, --plugin)" in result.stdout.splitlines()


def test_naming_an_installed_plugin_with_plugin_loads_it_once(site):
    install(site, "claimpolicy-cpt-sample", "2.3.0", "cpt_sample", "cpt-sample")

    host = PluginHost(entry_points=True, modules=["cpt_sample"])

    names = [info.name for info in host.infos()]
    assert names.count("cpt-sample") == 1
    assert "cpt_sample" not in names
    assert [n for n, _ in host.collect("claimpolicy_register_rule_kinds")].count(
        "cpt-sample"
    ) == 1


def test_an_installed_plugin_that_fails_to_import_stops_the_run_once(
    site, tmp_path, passing_claim
):
    install(site, "claimpolicy-cpt-broken", "0.1.0", "cpt_import_error", "cpt-broken")
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps(passing_claim))

    result = run("check", str(claim), path=[site, MODULES], autoload=True)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "claimpolicy: error: plugin cpt-broken: failed to import cpt_import_error "
        "(from claimpolicy-cpt-broken 0.1.0): ModuleNotFoundError: No module named "
        "'claimpolicy_no_such_dependency'; run with --no-plugins or set "
        "CLAIMPOLICY_DISABLE_PLUGIN_AUTOLOAD=1 to start without it"
    ]


def test_a_broken_installed_plugin_can_be_switched_off(site, tmp_path, passing_claim):
    install(site, "claimpolicy-cpt-broken", "0.1.0", "cpt_import_error", "cpt-broken")
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps(passing_claim))

    flag = run("check", str(claim), "--no-plugins", path=[site, MODULES], autoload=True)
    variable = run("check", str(claim), path=[site, MODULES], autoload=False)

    assert (flag.returncode, variable.returncode) == (0, 0)
    assert json.loads(flag.stdout)["outcome"] == "pass"
    assert json.loads(variable.stdout)["outcome"] == "pass"


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (
            "cpt_misspelt",
            "plugin cpt_misspelt: claimpolicy_register_rulekinds is not a claimpolicy "
            "hook (did you mean claimpolicy_register_rule_kinds?); the hooks are: "
            + ", ".join(HOOK_NAMES),
        ),
        (
            "cpt_unmarked",
            "plugin cpt_unmarked: claimpolicy_register_edits is named like a hook "
            "but not marked @claimpolicy.hookimpl",
        ),
        (
            "cpt_wrapper",
            "plugin cpt_wrapper: claimpolicy_check_claim is declared as a wrapper; "
            "claimpolicy hooks take plain implementations only",
        ),
        (
            "cpt_bad_argument",
            "plugin cpt_bad_argument: claimpolicy_check_claim takes report, which "
            "the hook does not offer (it offers: claim, prepared, packs)",
        ),
        (
            "cpt_import_error",
            "plugin cpt_import_error: failed to import: ModuleNotFoundError: "
            "No module named 'claimpolicy_no_such_dependency'",
        ),
    ],
)
def test_a_broken_plugin_fails_at_start_up_naming_it(module, message):
    with pytest.raises(PluginError) as caught:
        PluginHost(entry_points=False, modules=[module])

    assert str(caught.value) == message
    assert caught.value.plugin == module


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (
            "cpt_duplicate_kind",
            "plugin cpt_duplicate_kind: rule kind 'required-modifier' is already "
            "registered by plugin claimpolicy.kinds.builtin",
        ),
        (
            "cpt_wrong_item",
            "plugin cpt_wrong_item: claimpolicy_register_rule_kinds returned "
            "'required-modifier': expected claimpolicy.RuleKind",
        ),
    ],
)
def test_bad_registrations_fail_at_start_up_naming_the_plugin(module, message):
    host = PluginHost(entry_points=False, modules=[module])

    with pytest.raises(PluginError) as caught:
        host.collect("claimpolicy_register_rule_kinds")

    assert str(caught.value) == message


def test_a_misspelt_hook_stops_the_command_with_exit_2(tmp_path, passing_claim):
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps(passing_claim))

    result = run("check", str(claim), "--plugin", "cpt_misspelt")

    assert result.returncode == 2
    assert result.stdout == ""
    assert "did you mean claimpolicy_register_rule_kinds?" in result.stderr


def test_two_plugins_claiming_one_format_name_both_named(tmp_path):
    module = tmp_path / "cpt_second_outcomes.py"
    module.write_text(
        "from claimpolicy import hookimpl\n"
        "from cpt_sample import Outcomes\n\n"
        "@hookimpl\n"
        "def claimpolicy_register_formats():\n"
        "    return [Outcomes()]\n"
    )

    result = run(
        "plugins",
        "--plugin",
        "cpt_sample",
        "--plugin",
        "cpt_second_outcomes",
        path=[tmp_path, MODULES],
    )
    checked = run(
        "check",
        "-",
        "--plugin",
        "cpt_sample",
        "--plugin",
        "cpt_second_outcomes",
        path=[tmp_path, MODULES],
    )

    assert result.returncode == 0  # listing does not call register hooks
    assert checked.returncode == 2
    assert checked.stderr.strip() == (
        "claimpolicy: error: plugin cpt_second_outcomes: report format 'outcomes' "
        "is already registered by plugin cpt_sample"
    )


def test_plugins_command_shows_what_each_plugin_registers():
    result = run("plugins", "--plugin", "cpt_sample")

    lines = result.stdout.splitlines()
    start = lines.index("cpt_sample  (not installed, --plugin)")
    assert lines[start + 9 : start + 14] == [
        "    rule kinds: units-over",
        f"    pack folders: {MODULES.parent / 'packs'}",
        "    readers: commented-lines (.claims.txt)",
        "    formats: outcomes",
        "    edits: cpt-payer/NO-CHARGE",
    ]
    io = lines.index("claimpolicy.io.builtin  (claimpolicy 0.1.0, built-in)")
    assert lines[io + 3 : io + 5] == [
        "    readers: json (.json), ndjson (.ndjson .jsonl)",
        "    formats: ndjson, json, text",
    ]
    assert result.returncode == 0
