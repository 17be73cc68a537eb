"""`claimpolicy packs list|show|verify` and pack errors at start-up."""

from __future__ import annotations

from pathlib import Path

from claimpolicy.cli import main

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
    code = main(["packs", "show", "acme-health", "--pack-path", str(PACKS / "payer")])

    out = capsys.readouterr().out
    assert code == 0
    assert "extends:   cms-core 2025.1" in out
    assert "acme-health/HYDRATION-NEEDS-XS" in out
    assert "cms-core/DX-POINTER-REPEATED" in out
    assert "overridden in" in out
    assert "cms-core/EM-MOD25-DRUG-ADMIN" in out
    assert "disabled by" in out


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
