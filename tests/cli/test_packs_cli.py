"""`claimpolicy packs list|show|verify` and pack errors at start-up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from claimpolicy.cli import main
from claimpolicy.resources import builtin_policies

PACKS = Path(__file__).parent.parent / "packs"


def test_packs_list_shows_versions_dates_payers_rules_and_source(capsys):
    assert main(["packs", "list", "--pack-path", str(PACKS / "payer")]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "NAME",
        "VERSION",
        "EFFECTIVE",
        "PAYERS",
        "RULES",
        "SOURCE",
    ]
    acme = next(line for line in lines if line.startswith("acme-health"))
    assert "1.0.0" in acme
    assert "2025-01-01 to open" in acme
    assert "(--pack-path)" in acme
    cms = [line for line in lines if line.startswith("cms-core")]
    assert [line.split()[1] for line in cms] == ["2025.1", "2026.1"]
    assert all("(all)" in line for line in cms)


def test_packs_show_resolves_inheritance_and_names_sources(capsys):
    argv = ["packs", "show", "acme-health", "--pack-path", str(PACKS / "payer")]
    code = main([*argv, "--date", "2025-06-30"])

    out = capsys.readouterr().out
    assert code == 0
    assert "extends:   cms-core 2025.1" in out
    assert "acme-health/HYDRATION-NEEDS-XS" in out
    assert "cms-core/DX-POINTER-REPEATED" in out
    assert "overridden in" in out
    assert "cms-core/EM-MOD25-DRUG-ADMIN" in out
    assert "disabled by" in out


@pytest.mark.parametrize(
    ("day", "parent"),
    [("2025-06-30", "cms-core 2025.1"), ("2026-03-10", "cms-core 2026.1")],
)
def test_packs_show_gives_the_parent_in_force_on_the_date(capsys, day, parent):
    argv = ["packs", "show", "acme-health", "--pack-path", str(PACKS / "payer")]

    assert main([*argv, "--date", day]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[3:5] == [
        f"  date:      {day} (rules as on this date of service)",
        f"  extends:   {parent} (in force on {day}, of cms-core <2027,>=2025.1)",
    ]


def test_packs_show_by_name_gives_the_version_in_force_on_the_date(capsys):
    assert main(["packs", "show", "cms-core", "--date", "2025-06-30"]) == 0

    assert capsys.readouterr().out.startswith("cms-core 2025.1: ")


def test_packs_show_says_when_the_version_is_not_in_force(capsys):
    assert main(["packs", "show", "cms-core@2025.1", "--date", "2026-03-10"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[3] == (
        "  date:      2026-03-10 (rules as on this date of service; "
        "cms-core@2025.1 is not in force then)"
    )


@pytest.mark.parametrize(
    ("ref", "problem"),
    [
        ("cms-core@", "no version after '@' (expected NAME@VERSION)"),
        ("cms-core@x", "'x' is not a version"),
    ],
)
def test_packs_show_with_a_bad_version_exits_2(capsys, ref, problem):
    assert main(["packs", "show", ref]) == 2

    assert capsys.readouterr().err == f"claimpolicy: error: {ref}: {problem}\n"


def test_packs_show_unknown_pack_exits_2(capsys):
    assert main(["packs", "show", "nope@1.0"]) == 2
    assert "nope@1.0: no such pack version" in capsys.readouterr().err


def test_packs_verify_accepts_a_good_pack(capsys):
    folder = PACKS / "payer" / "acme-health" / "1.0.0"

    assert main(["packs", "verify", str(folder)]) == 0
    assert "acme-health 1.0.0: 1 rules, 2 overrides: ok" in capsys.readouterr().out


def test_packs_verify_lists_every_problem_and_exits_1(capsys, monkeypatch):
    monkeypatch.chdir(PACKS / "cases" / "every-problem-of-a-file")

    assert main(["packs", "verify", "cms"]) == 1

    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "5 problem(s) in cms"
    assert out[0] == "cms/2026.1/em.toml: rules[0].codes: is required"


def test_packs_verify_judges_the_built_in_packs_on_their_own(capsys):
    assert main(["packs", "verify", str(builtin_policies())]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "cms-core 2025.1: 60 rules, 0 overrides: ok",
        "cms-core 2026.1: 60 rules, 0 overrides: ok",
    ]


def test_packs_verify_replaces_the_installed_copy_of_an_edited_pack(
    tmp_path, capsys, monkeypatch
):
    copy = tmp_path / "cms-core"
    shutil.copytree(builtin_policies() / "cms-core", copy)
    manifest = copy / "2025.1" / "pack.toml"
    manifest.write_text(
        manifest.read_text().replace("to = 2025-12-31", "to = 2026-01-31")
    )
    monkeypatch.chdir(tmp_path)

    assert main(["packs", "verify", "cms-core"]) == 1

    assert capsys.readouterr().out.splitlines() == [
        "cms-core/2026.1/pack.toml: effective: 2026-01-01 to 2026-12-31 overlaps "
        "cms-core 2025.1 (2025-01-01 to 2026-01-31)",
        "1 problem(s) in cms-core",
    ]


def test_packs_verify_without_a_manifest_exits_1(tmp_path, capsys):
    (tmp_path / "rules.toml").write_text("")

    assert main(["packs", "verify", str(tmp_path)]) == 1
    assert "no pack.toml found" in capsys.readouterr().out


def test_a_broken_pack_path_stops_check_with_exit_2(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(PACKS / "cases")
    claim = tmp_path / "c.json"
    claim.write_text("{}")

    assert main(["check", "--pack-path", "broken-toml", str(claim)]) == 2

    err = capsys.readouterr().err
    assert err == (
        "claimpolicy: error: broken-toml/cms/2026.1/em.toml: not valid TOML: "
        "Invalid value (at line 3, column 8)\n"
    )


@pytest.mark.parametrize(
    ("pack_path", "problem"),
    [
        (
            "rules-without-manifest",
            "rules-without-manifest/acme: holds rule files but no pack.toml, and no "
            "pack lists them: rules.toml (their rules would never be applied)",
        ),
        (
            "bad-severity/expected.txt",
            "bad-severity/expected.txt: is not a folder (from --pack-path)",
        ),
    ],
)
def test_a_pack_path_whose_rules_would_be_lost_exits_2(
    capsys, monkeypatch, pack_path, problem
):
    monkeypatch.chdir(PACKS / "cases")

    assert main(["packs", "list", "--pack-path", pack_path]) == 2

    assert capsys.readouterr().err == f"claimpolicy: error: {problem}\n"
