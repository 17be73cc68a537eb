"""`claimpolicy test` on the fixture packs of tests/authoring/packs.

good/ holds demo 1.0.0 (2025) and 2.0.0 (2026), which share tests written for
2026, and demo-plus, which overrides a demo rule; every test passes. shaky/
holds one pack whose tests fail on purpose and whose coverage is 50%.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from claimpolicy.authoring.fixtures import load_test_file
from claimpolicy.authoring.runner import FixtureResult, PinnedEngine, run_pack
from claimpolicy.authoring.selection import select
from claimpolicy.cli import main

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PACKS = HERE / "packs"
GOOD = PACKS / "good"
SHAKY = PACKS / "shaky"
SHOWN_SHAKY = "tests/authoring/packs/shaky/shaky/1.0.0/tests"


@pytest.fixture(scope="module")
def engine() -> PinnedEngine:
    return PinnedEngine(pack_paths=[GOOD, SHAKY])


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def run_all(engine: PinnedEngine, *selectors: str) -> dict[str, FixtureResult]:
    from claimpolicy.authoring.runner import run_targets

    runs = run_targets(engine, select(engine.registry, selectors))
    return {result.id: result for run in runs for result in run.results}


def test_every_good_test_passes_against_the_version_it_names(
    engine: PinnedEngine,
) -> None:
    results = run_all(engine, "demo", "demo-plus")

    assert {i: (r.passed, r.years_moved) for i, r in results.items()} == {
        "demo@1.0.0::mod25::mod25-present-passes": (True, -1),
        "demo@1.0.0::mod25::mod25-missing-fires": (True, -1),
        "demo@1.0.0::pointers::pointer-past-end-fires": (True, -1),
        "demo@2.0.0::mod25::mod25-present-passes": (True, 0),
        "demo@2.0.0::mod25::mod25-missing-fires": (True, 0),
        "demo@2.0.0::jz::jz-missing-fires": (True, 0),
        "demo@2.0.0::jz::mod25-is-a-warning-in-2026": (True, 0),
        "demo-plus@1.0.0::strict::mod25-missing-is-an-error": (True, 0),
    }


@pytest.mark.parametrize(
    ("test_id", "packs", "service_date"),
    [
        (
            "demo@1.0.0::mod25::mod25-missing-fires",
            [("demo", "1.0.0")],
            "2025-03-10",
        ),
        (
            "demo@2.0.0::mod25::mod25-missing-fires",
            [("demo", "2.0.0")],
            "2026-03-10",
        ),
        (
            "demo-plus@1.0.0::strict::mod25-missing-is-an-error",
            [("demo", "2.0.0"), ("demo-plus", "1.0.0")],
            "2026-03-10",
        ),
    ],
)
def test_the_report_names_the_version_under_test(
    engine: PinnedEngine, test_id: str, packs: list[tuple[str, str]], service_date: str
) -> None:
    result = run_all(engine, test_id.split("::")[0])[test_id]

    report = result.report
    assert report is not None
    assert [(p.name, p.version) for p in report.packs] == packs
    (finding,) = report.findings
    assert finding.rule == "demo/DEMO-MOD25"
    assert f"billed on {service_date}" in finding.message


def test_coverage_counts_own_rules_that_fired(engine: PinnedEngine) -> None:
    from claimpolicy.authoring.runner import run_targets

    runs = run_targets(engine, select(engine.registry, ["demo", "demo-plus", "shaky"]))

    assert [
        (
            r.coverage.pack,
            r.coverage.covered,
            r.coverage.never_fired,
            r.coverage.percent,
        )
        for r in runs
    ] == [
        ("demo@1.0.0", ["demo/DEMO-MOD25", "demo/DEMO-POINTER"], [], 100.0),
        ("demo@2.0.0", ["demo/DEMO-JZ", "demo/DEMO-MOD25"], [], 100.0),
        ("demo-plus@1.0.0", [], [], 100.0),
        ("shaky@1.0.0", ["shaky/SHAKY-MOD25"], ["shaky/SHAKY-POINTER"], 50.0),
    ]


def test_an_unknown_rule_in_a_test_fails_it_rather_than_passing(
    engine: PinnedEngine, tmp_path: Path
) -> None:
    (tmp_path / "claim.json").write_text(
        (GOOD / "demo/tests/claims/infusion-visit.json").read_text()
    )
    (tmp_path / "typo.toml").write_text(
        '[[test]]\nname = "typo"\nclaim = "claim.json"\nabsent = ["demo/DEMO-MOD52"]\n'
        '[[test.expect]]\nrule = "demo/NOPE"\n'
        '[[test.expect]]\nrule = "claimpolicy/SCHEMA"\n'
    )
    pack = engine.registry.get("demo", "2.0.0")
    assert pack is not None

    (result,) = run_pack(engine, pack, load_test_file(tmp_path / "typo.toml")).results

    assert result.problems == (
        "expect: demo/NOPE is not a rule of the packs tested",
        "missing: claimpolicy/SCHEMA claim",
        "absent: demo/DEMO-MOD52 is not a rule of the packs tested",
    )


def test_a_claim_that_cannot_move_into_the_window_fails(
    engine: PinnedEngine, tmp_path: Path
) -> None:
    claim = json.loads((GOOD / "demo/tests/claims/infusion-visit.json").read_text())
    for line in claim["lines"]:
        line["service_date"] = "2026-03-10T00:00"  # not a date: nothing moves
    (tmp_path / "claim.json").write_text(json.dumps(claim))
    (tmp_path / "t.toml").write_text(
        '[[test]]\nname = "t"\nclaim = "claim.json"\noutcome = "invalid"\n'
    )
    pack = engine.registry.get("demo", "1.0.0")
    assert pack is not None

    (result,) = run_pack(engine, pack, load_test_file(tmp_path / "t.toml")).results

    assert (result.passed, result.years_moved) == (True, 0)
    assert result.report is not None
    assert result.report.outcome == "invalid"


def test_cli_all_good_exits_0(
    in_repo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["test", "tests/authoring/packs/good", "--min-coverage", "100"])

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == "8 passed, 0 failed"
    assert "demo@2.0.0: 2/2 rules fired (100.0%)" in out


def test_cli_failures_show_expected_against_actual(
    in_repo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["test", "tests/authoring/packs/shaky"])

    assert code == 1
    assert capsys.readouterr().out == (
        "FAILED shaky@1.0.0::cases::expects-a-pointer-finding-that-never-comes\n"
        f"  test:   {SHOWN_SHAKY}/cases.toml:7\n"
        f"  claim:  {SHOWN_SHAKY}/claims/infusion-visit.json\n"
        "  problems:\n"
        "    missing: shaky/SHAKY-POINTER line 2 error\n"
        "  expected:\n"
        "    finding  shaky/SHAKY-POINTER line 2 error\n"
        "  actual (outcome pass):\n"
        "    (no findings)\n"
        "\n"
        "FAILED shaky@1.0.0::cases::mod25-fires-but-is-listed-absent\n"
        f"  test:   {SHOWN_SHAKY}/cases.toml:16\n"
        f"  claim:  {SHOWN_SHAKY}/claims/infusion-visit.json\n"
        "  problems:\n"
        "    fired but listed in absent: shaky/SHAKY-MOD25 (line 1)\n"
        "    outcome: expected pass, got fail\n"
        "  expected:\n"
        "    absent   shaky/SHAKY-MOD25\n"
        "    outcome  pass\n"
        "  actual (outcome fail):\n"
        "    shaky/SHAKY-MOD25 line 1 error: 99214 is billed on 2026-03-10 with "
        "96413 (line 2) and needs modifier 25\n"
        "\n"
        "1 passed, 2 failed\n"
        "\n"
        "rule coverage:\n"
        "shaky@1.0.0: 1/2 rules fired (50.0%)\n"
        "  fired        shaky/SHAKY-MOD25\n"
        "  never fired  shaky/SHAKY-POINTER\n"
    )


@pytest.mark.parametrize(
    ("minimum", "code", "mark"),
    [("100", 1, " (below the minimum of 100%)"), ("50", 0, ""), ("49.5", 0, "")],
)
def test_min_coverage_fails_when_a_version_is_below(
    in_repo: None,
    capsys: pytest.CaptureFixture[str],
    minimum: str,
    code: int,
    mark: str,
) -> None:
    # The shared file alone fires DEMO-MOD25 only: half of each version's rules.
    shared = "tests/authoring/packs/good/demo/tests/mod25.toml"

    argv = ["test", shared, "--pack-path", "tests/authoring/packs/good"]

    assert main([*argv, "--min-coverage", minimum]) == code

    out = capsys.readouterr().out
    assert out.splitlines()[0] == "4 passed, 0 failed"
    assert f"demo@1.0.0: 1/2 rules fired (50.0%){mark}\n" in out
    assert f"demo@2.0.0: 1/2 rules fired (50.0%){mark}\n" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["test", "no-such-pack"],
            "claimpolicy: error: no-such-pack: no such pack, pack version or path",
        ),
        (
            ["test", "demo@9.9.9", "--pack-path", "tests/authoring/packs/good"],
            "claimpolicy: error: demo@9.9.9: no such pack, pack version or path",
        ),
        (
            ["test", "schemas"],
            "claimpolicy: error: schemas: no loaded pack version and no pack "
            "test is here",
        ),
        (
            ["test", "--min-coverage", "101"],
            "claimpolicy: error: --min-coverage: 101 is not between 0 and 100",
        ),
    ],
)
def test_cli_bad_selection_exits_2(
    in_repo: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(message)


def test_a_named_folder_already_on_the_pack_path_is_loaded_once(
    in_repo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    good = "tests/authoring/packs/good"

    assert main(["test", f"{good}/demo", "--pack-path", good]) == 0
    assert capsys.readouterr().out.startswith("7 passed, 0 failed\n")


def test_junit_output_follows_the_junit_schema(
    in_repo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "junit.xml"
    schema = xmlschema.XMLSchema(str(HERE / "junit.xsd"))

    main(["test", "tests/authoring/packs/good", "tests/authoring/packs/shaky",
          "--junit", str(report)])  # fmt: skip

    schema.validate(str(report))
    document: Any = schema.to_dict(str(report))
    suites = {s["@name"]: s for s in document["testsuite"]}
    assert (document["@tests"], document["@failures"]) == (11, 2)
    assert {name: (s["@tests"], s["@failures"]) for name, s in suites.items()} == {
        "demo@1.0.0": (3, 0),
        "demo@2.0.0": (4, 0),
        "demo-plus@1.0.0": (1, 0),
        "shaky@1.0.0": (3, 2),
    }
    shaky = suites["shaky@1.0.0"]
    assert shaky["properties"]["property"][0] == {
        "@name": "coverage.percent",
        "@value": "50.0",
    }
    cases = {case["@name"]: case for case in shaky["testcase"]}
    assert "failure" not in cases["clean-claim-passes"]
    failure = cases["mod25-fires-but-is-listed-absent"]["failure"]
    assert failure["@message"] == (
        "fired but listed in absent: shaky/SHAKY-MOD25 (line 1); "
        "outcome: expected pass, got fail"
    )
    assert "actual (outcome fail):" in failure["$"]
    assert cases["clean-claim-passes"]["@classname"] == "shaky@1.0.0::cases"


def test_junit_fails_a_coverage_case_when_coverage_is_below_the_minimum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every test passes, yet half the rules never fire: the exit status is 1
    # and the XML must say so too, or a CI dashboard shows green.
    packs = tmp_path / "packs"
    shutil.copytree(SHAKY, packs)
    (packs / "shaky/1.0.0/tests/cases.toml").write_text(
        '[[test]]\nname = "mod25-missing-fires"\n'
        'claim = "claims/infusion-visit.json"\n'
        'mutations = [{ op = "remove", path = "/lines/0/modifiers" }]\n'
        'outcome = "fail"\n'
    )
    report = tmp_path / "junit.xml"
    schema = xmlschema.XMLSchema(str(HERE / "junit.xsd"))

    code = main([
        "test", str(packs), "--pack-path", str(packs),
        "--min-coverage", "75", "--junit", str(report),
    ])  # fmt: skip

    assert code == 1
    schema.validate(str(report))
    document: Any = schema.to_dict(str(report))
    (suite,) = document["testsuite"]
    assert (document["@tests"], document["@failures"]) == (2, 1)
    assert (suite["@tests"], suite["@failures"]) == (2, 1)
    passed, coverage = suite["testcase"]
    assert (passed["@name"], "failure" in passed) == ("mod25-missing-fires", False)
    assert (coverage["@name"], coverage["@classname"]) == (
        "rule coverage",
        "shaky@1.0.0::coverage",
    )
    assert coverage["failure"]["@type"] == "CoverageBelowMinimum"
    assert coverage["failure"]["@message"] == (
        "rule coverage 50.0% is below the minimum of 75%; "
        "never fired: shaky/SHAKY-POINTER"
    )
    assert coverage["failure"]["$"] == (
        "shaky@1.0.0: 1/2 rules fired (50.0%) (below the minimum of 75%)\n"
        "  fired        shaky/SHAKY-MOD25\n"
        "  never fired  shaky/SHAKY-POINTER"
    )


def test_junit_coverage_case_passes_when_the_minimum_is_met(
    in_repo: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "junit.xml"

    code = main(["test", "tests/authoring/packs/good", "--min-coverage", "100",
                 "--junit", str(report)])  # fmt: skip

    assert code == 0
    schema = xmlschema.XMLSchema(str(HERE / "junit.xsd"))
    document: Any = schema.to_dict(str(report))
    assert (document["@tests"], document["@failures"]) == (11, 0)
    names = [case["@name"] for s in document["testsuite"] for case in s["testcase"]]
    assert names.count("rule coverage") == 3
