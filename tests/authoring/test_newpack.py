"""`claimpolicy new-pack`: a skeleton whose tests pass at once."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from claimpolicy.authoring.newpack import plan_skeleton, write_skeleton
from claimpolicy.cli import main
from claimpolicy.engine import Engine
from claimpolicy.errors import InputError


def test_new_pack_then_test_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    assert (
        main(["new-pack", "acme-health", "--extends", "cms-core", "--payer", "acme"])
        == 0
    )
    written = capsys.readouterr().out.splitlines()
    assert written[:5] == [
        "wrote acme-health/pack.toml",
        "wrote acme-health/rules.toml",
        "wrote acme-health/tests/basic.toml",
        "wrote acme-health/tests/claims/infusion-visit.json",
        "wrote acme-health/pytest.ini",
    ]
    assert written[5].endswith(
        "next: claimpolicy test acme-health --pack-path acme-health, "
        "or pytest in acme-health"
    )

    code = main(
        ["test", "acme-health", "--pack-path", "acme-health", "--min-coverage", "100"]
    )

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[:4] == [
        "2 passed, 0 failed",
        "",
        "rule coverage:",
        "acme-health@0.1.0: 1/1 rules fired (100.0%)",
    ]
    manifest = tomllib.loads((tmp_path / "acme-health/pack.toml").read_text())
    assert (manifest["name"], manifest["version"], manifest["payers"]) == (
        "acme-health",
        "0.1.0",
        ["acme"],
    )
    assert manifest["extends"][0]["name"] == "cms-core"
    rules = (tmp_path / "acme-health/rules.toml").read_text()
    assert '# [overrides."cms-core/' in rules  # the commented override example


@pytest.mark.parametrize(
    ("today", "parent", "start", "service"),
    [
        (date(2026, 6, 15), "2026.1", date(2026, 1, 1), date(2026, 1, 10)),
        (date(2025, 3, 1), "2025.1", date(2025, 1, 1), date(2025, 1, 10)),
        # No version in force: the newest, from its first day.
        (date(2031, 2, 1), "2026.1", date(2026, 1, 1), date(2026, 1, 10)),
    ],
)
def test_dates_follow_today_and_the_parent(
    engine: Engine, today: date, parent: str, start: date, service: date
) -> None:
    skeleton = plan_skeleton(engine.registry, "acme", "cms-core", None, today)

    assert str(skeleton.parent.version) == parent
    assert (skeleton.effective_from, skeleton.service_date) == (start, service)
    assert skeleton.payer == "acme"
    files = skeleton.files(Path("out"))
    assert f'versions = ">={parent}"' in files[Path("out/pack.toml")]
    assert (
        f'"service_date": "{service}"'
        in files[Path("out/tests/claims/infusion-visit.json")]
    )


@pytest.mark.parametrize(
    ("name", "parent", "payer", "message"),
    [
        ("Acme", "cms-core", None, "Acme: a pack name is lower case letters"),
        ("1acme", "cms-core", None, "1acme: a pack name is lower case letters"),
        ("acme_health", "cms-core", None, "acme_health: a pack name is lower case"),
        ("cms-core", "cms-core", None, "cms-core: a pack of this name is already"),
        ("acme", "cms-core", "ACME", "ACME: a payer id is lower case letters"),
        ("acme", "no-such", None, "no-such: no such pack to extend (known: "),
    ],
)
def test_bad_names_are_refused(
    engine: Engine, name: str, parent: str, payer: str | None, message: str
) -> None:
    with pytest.raises(InputError) as raised:
        plan_skeleton(engine.registry, name, parent, payer, date(2026, 6, 15))

    assert str(raised.value).startswith(message)


def test_a_folder_that_holds_files_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("mine")

    code = main(["new-pack", "acme", "--extends", "cms-core", "-o", str(tmp_path)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"claimpolicy: error: {tmp_path}: exists and is not empty; choose another -o\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("today", [date(2025, 3, 1), date(2026, 6, 15)])
def test_the_sample_claim_is_clean_under_each_parent_version(
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    today: date,
) -> None:
    skeleton = plan_skeleton(engine.registry, "acme", "cms-core", None, today)
    folder = tmp_path / "acme"
    write_skeleton(skeleton, folder)
    tests = tomllib.loads((folder / "tests/basic.toml").read_text())["test"]

    code = main(["test", str(folder), "--pack-path", str(folder), "-v"])

    assert code == 0
    assert capsys.readouterr().out.splitlines()[:3] == [
        "passed acme@0.1.0::basic::clean-claim-passes",
        "passed acme@0.1.0::basic::jw-jz-missing-fires",
        "2 passed, 0 failed",
    ]
    # The whole outcome, not only the absence of the pack's own rule.
    assert [(t["name"], t["outcome"]) for t in tests] == [
        ("clean-claim-passes", "pass"),
        ("jw-jz-missing-fires", "fail"),
    ]
    assert "absent" not in tests[0]
    assert tests[1]["expect"] == [
        {"rule": "acme/DRUG-JW-JZ", "line": 3, "severity": "error"}
    ]
