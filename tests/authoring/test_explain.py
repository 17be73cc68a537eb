"""`claimpolicy explain`, and the evidence `check --explain` prints as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimpolicy.authoring.explain import EditExplanation, edit_text
from claimpolicy.cli import main
from claimpolicy.packs.tomlfile import display_path
from claimpolicy.plugin_api import Edit
from claimpolicy.plugins import PluginInfo
from claimpolicy.resources import builtin_policies

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
GOOD = "tests/authoring/packs/good"
# Absolute: a relative --pack-path whose pack shares rule files (../common)
# trips the pack loader (PackVersion.relative_name), a known engine bug.
GOOD_PATH = str(REPO / GOOD)
MODULES = HERE / "modules"
EXAMPLE_PAYER = REPO / "plugins/claimpolicy-example-payer/src"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def line_of(path: Path, rule_id: str) -> int:
    lines = path.read_text().splitlines()
    return lines.index(f'id = "{rule_id}"') + 1


@pytest.mark.parametrize(
    "argument", ["cms-core/EM-MOD25-DRUG-ADMIN", "EM-MOD25-DRUG-ADMIN"]
)
def test_a_builtin_rule_with_its_file_and_line(
    capsys: pytest.CaptureFixture[str], argument: str
) -> None:
    em = builtin_policies() / "cms-core/common/em.toml"
    source = f"{display_path(em)}:{line_of(em, 'EM-MOD25-DRUG-ADMIN')}"

    assert main(["explain", argument]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "cms-core/EM-MOD25-DRUG-ADMIN: "
        "An office E/M billed with drug administration needs modifier 25"
    )
    assert lines[1].startswith("  kind:       required-modifier (Codes in `codes`")
    assert lines[2:4] == ["  severity:   error", "  category:   modifier"]
    assert lines[4].startswith("  reference:  CMS Claims Processing Manual")
    assert '    modifiers  = ["25"]' in lines
    assert f"  defined in: {source} (cms-core@2026.1, the newest version)" in lines
    assert f"    cms-core@2025.1 (2025-01-01 to 2025-12-31): {source}" in lines
    assert f"    cms-core@2026.1 (2026-01-01 to 2026-12-31): {source}" in lines
    assert lines[-2:] == ["  overridden by:", "    (no pack overrides it)"]


def test_a_rule_that_changed_between_versions_and_is_overridden(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "demo/DEMO-MOD25", "--pack-path", GOOD_PATH]) == 0

    out = capsys.readouterr().out
    assert out.split("\n", 5)[5] == (
        "  parameters:\n"
        '    codes      = ["99202-99205", "99212-99215"]\n'
        '    modifiers  = ["25"]\n'
        '    with_codes = ["96365-96368", "96413-96417"]\n'
        f"  defined in: {GOOD}/demo/2.0.0/mod25.toml:2 (demo@2.0.0, the newest "
        "version)\n"
        "  versions:\n"
        f"    demo@1.0.0 (2025-01-01 to 2025-12-31): {GOOD}/demo/common/mod25.toml:2;"
        ' differs from the newest: severity "error", title "An office E/M billed '
        'with an infusion needs modifier 25", params.codes ["99212-99215"]\n'
        f"    demo@2.0.0 (2026-01-01 to 2026-12-31): {GOOD}/demo/2.0.0/mod25.toml:2\n"
        "  overridden by:\n"
        '    demo-plus@1.0.0: sets severity = "error", because: the payer denies '
        "the visit without modifier 25 "
        f"({GOOD}/demo-plus/1.0.0/overrides.toml)\n"
    )


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        (
            "cms-core/EM-MOD25-DRUG",
            "claimpolicy: error: cms-core/EM-MOD25-DRUG: no pack or plugin has "
            "this rule (did you mean cms-core/EM-MOD25-DRUG-ADMIN",
        ),
        (
            "NOTHING-LIKE-IT",
            "claimpolicy: error: NOTHING-LIKE-IT: no pack or plugin has this rule\n",
        ),
    ],
)
def test_an_unknown_rule_exits_2(
    capsys: pytest.CaptureFixture[str], argument: str, message: str
) -> None:
    assert main(["explain", argument]) == 2
    assert capsys.readouterr().err.startswith(message)


def test_a_custom_edit_of_a_plugin_with_the_plugin_and_its_distribution(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(MODULES))

    code = main(["explain", "cpa-payer/NO-CHARGE", "--plugin", "cpa_sample"])

    assert code == 0
    assert capsys.readouterr().out == (
        "cpa-payer/NO-CHARGE: A line should carry its charge\n"
        "  kind:       custom edit (the plugin's code checks it; no pack defines "
        "or overrides it)\n"
        "  severity:   info\n"
        "  category:   custom\n"
        "  reference:  CMS-1500 item 24F (authoring test plugin)\n"
        "  plugin:     cpa_sample (loaded as --plugin)\n"
        "  from:       no distribution: a module imported from the path\n"
    )


def test_the_example_payers_edit_is_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE_PAYER))
    plugin = "claimpolicy_example_payer.plugin"

    code = main(["explain", "example-health/INFLIXIMAB-PREFERRED", "--plugin", plugin])

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0].startswith("example-health/INFLIXIMAB-PREFERRED: Infliximab: ")
    assert lines[2:4] == ["  severity:   warning", "  category:   custom"]
    assert lines[5] == f"  plugin:     {plugin} (loaded as --plugin)"


def test_an_installed_plugins_edit_names_its_distribution() -> None:
    edit = Edit("acme/SITE", "error", "Site of care", "Acme policy 1.2")
    plugin = PluginInfo("acme", "acme-claimpolicy", "2.1.0", "entry point", ())

    text = edit_text(EditExplanation(edit, plugin))

    assert text.splitlines()[-2:] == [
        "  plugin:     acme (loaded as entry point)",
        "  from:       distribution acme-claimpolicy 2.1.0",
    ]


def test_a_misspelt_edit_is_suggested(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.syspath_prepend(str(MODULES))

    code = main(["explain", "cpa-payer/NO-CHARGES", "--plugin", "cpa_sample"])

    assert code == 2
    assert capsys.readouterr().err == (
        "claimpolicy: error: cpa-payer/NO-CHARGES: no pack or plugin has this rule "
        "(did you mean cpa-payer/NO-CHARGE?)\n"
    )


def test_a_bare_id_two_packs_share_is_ambiguous(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "other/1.0.0"
    folder.mkdir(parents=True)
    (folder / "pack.toml").write_text(
        'name = "other"\nversion = "1.0.0"\ntitle = "t"\npayers = ["other"]\n'
        "[effective]\nfrom = 2026-01-01\n"
    )
    rules = (REPO / GOOD / "demo/common/mod25.toml").read_text()
    (folder / "rules.toml").write_text(rules)

    assert (
        main(
            [
                "explain",
                "DEMO-MOD25",
                "--pack-path",
                GOOD_PATH,
                "--pack-path",
                str(tmp_path),
            ]
        )
        == 2
    )

    assert capsys.readouterr().err == (
        "claimpolicy: error: DEMO-MOD25: several packs have this rule: "
        "demo/DEMO-MOD25, other/DEMO-MOD25\n"
    )


def test_check_explain_prints_the_evidence_as_text(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    claim = json.loads(
        (REPO / GOOD / "demo/tests/claims/infusion-visit.json").read_text()
    )
    del claim["lines"][0]["modifiers"]
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim))

    code = main(
        ["check", str(path), "--format", "text", "--explain", "--pack-path", GOOD_PATH]
    )

    out = capsysbinary.readouterr().out.decode()
    assert code == 0  # a warning in demo 2.0.0
    assert out.splitlines()[3:] == [
        "           /lines/0/modifiers: 99214 is billed on 2026-03-10 with 96413 "
        "(line 2) and needs modifier 25",
        "           because: code=99214, modifiers=[], with_code=96413, with_line=2, "
        "service_date=2026-03-10",
    ]
