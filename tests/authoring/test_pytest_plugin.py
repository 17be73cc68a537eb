"""The pytest plugin: pack tests as pytest items, only where a project asks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from claimpolicy.cli import main

pytest_plugins = ["pytester"]

PACKS = Path(__file__).resolve().parent / "packs"
PLUGIN = "claimpolicy.authoring.pytest_plugin"
MODULES = Path(__file__).resolve().parent / "modules"


@pytest.fixture
def project(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> pytest.Pytester:
    """A payer's repository: packs/ with the good fixture packs, one plain test.

    Plugins installed on the machine stay out; the plugin is named with -p.
    """
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    shutil.copytree(PACKS / "good", pytester.path / "packs")
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest("-p", PLUGIN, "-p", "no:cacheprovider", *args)


def test_without_configuration_nothing_of_the_packs_is_collected(
    project: pytest.Pytester,
) -> None:
    result = run(project, "--collect-only", "-q")

    assert result.ret == 0
    assert [line for line in result.outlines if "::" in line] == [
        "test_plain.py::test_plain"
    ]


def test_the_ini_option_collects_one_item_per_version_and_test(
    project: pytest.Pytester,
) -> None:
    project.makeini("[pytest]\nclaimpolicy_packs = packs\n")

    result = run(project, "--collect-only", "-q")

    assert [line for line in result.outlines if "::" in line] == [
        "packs/demo/1.0.0/tests/pointers.toml::demo@1.0.0::pointer-past-end-fires",
        "packs/demo/2.0.0/tests/jz.toml::demo@2.0.0::jz-missing-fires",
        "packs/demo/2.0.0/tests/jz.toml::demo@2.0.0::mod25-is-a-warning-in-2026",
        "packs/demo/tests/mod25.toml::demo@1.0.0::mod25-present-passes",
        "packs/demo/tests/mod25.toml::demo@1.0.0::mod25-missing-fires",
        "packs/demo/tests/mod25.toml::demo@2.0.0::mod25-present-passes",
        "packs/demo/tests/mod25.toml::demo@2.0.0::mod25-missing-fires",
        "packs/demo-plus/1.0.0/tests/strict.toml::demo-plus@1.0.0::"
        "mod25-missing-is-an-error",
        "test_plain.py::test_plain",
    ]


def test_plain_pytest_runs_the_pack_tests_beside_testpaths(
    project: pytest.Pytester,
) -> None:
    project.mkdir("unit")
    project.makepyfile(**{"unit/test_unit": "def test_unit():\n    pass\n"})
    project.makeini("[pytest]\ntestpaths = unit\nclaimpolicy_packs = packs\n")

    result = run(project)

    result.assert_outcomes(passed=9)
    result.stdout.fnmatch_lines(
        [
            "*claimpolicy rule coverage*",
            "demo@1.0.0: 2/2 rules fired (100.0%)",
            "*",
            "*",
            "demo@2.0.0: 2/2 rules fired (100.0%)",
        ]
    )


def test_the_command_line_option_works_without_ini(project: pytest.Pytester) -> None:
    result = run(project, "--claimpolicy-packs", "packs")

    result.assert_outcomes(passed=9)


def test_unrelated_toml_is_left_alone(project: pytest.Pytester) -> None:
    # A tests/ folder of TOML, but no pack says it holds its tests.
    (project.path / "packs/stray/tests").mkdir(parents=True)
    (project.path / "packs/stray/tests/notes.toml").write_text('title = "notes"\n')
    (project.path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nclaimpolicy_packs = ["packs"]\n'
    )

    result = run(project, "--collect-only", "-q")

    assert result.ret == 0
    assert not [line for line in result.outlines if "notes.toml" in line]
    assert len([line for line in result.outlines if "::" in line]) == 9


def test_a_failing_item_shows_expected_against_actual(project: pytest.Pytester) -> None:
    shutil.copytree(PACKS / "shaky", project.path / "shaky")

    result = run(project, "--claimpolicy-packs", "shaky", "shaky")

    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ shaky@1.0.0::cases::mod25-fires-but-is-listed-absent _*",
            "fired but listed in absent: shaky/SHAKY-MOD25 (line 1); "
            "outcome: expected pass, got fail",
            "  test:   shaky/shaky/1.0.0/tests/cases.toml:16",
            "*",
            "*",
            "*",
            "*",
            "  expected:",
            "    absent   shaky/SHAKY-MOD25",
            "    outcome  pass",
            "  actual (outcome fail):",
            "    shaky/SHAKY-MOD25 line 1 error: 99214 is billed on 2026-03-10 *",
        ]
    )


def test_a_malformed_test_file_is_a_collection_error(project: pytest.Pytester) -> None:
    (project.path / "packs/demo/tests/broken.toml").write_text(
        '[[test]]\nname = "b"\nclaim = "claims/infusion-visit.json"\n'
        'outcome = "passs"\n'
    )

    result = run(project, "--claimpolicy-packs", "packs")

    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting packs/demo/tests/broken.toml*",
            "packs/demo/tests/broken.toml: test[0].outcome: 'passs' is not one of "
            "pass, warn, fail, invalid, error",
        ]
    )


def test_naming_one_test_file_collects_only_it(project: pytest.Pytester) -> None:
    result = run(
        project, "--claimpolicy-packs", "packs", "packs/demo/2.0.0/tests/jz.toml"
    )

    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["packs/demo/2.0.0/tests/jz.toml .. *"])


def new_pack(project: pytest.Pytester, name: str) -> Path:
    folder = project.path / name
    argv = ["new-pack", name, "--extends", "cms-core", "-o", str(folder)]
    assert main(argv) == 0
    return folder


def test_plain_pytest_in_a_new_pack_runs_its_tests(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = new_pack(project, "acme")
    monkeypatch.chdir(folder)

    result = run(project)

    assert (
        (folder / "pytest.ini")
        .read_text()
        .endswith("[pytest]\nclaimpolicy_packs = .\n")
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "configfile: pytest.ini",
            "tests/basic.toml .. *",
            "*claimpolicy rule coverage*",
            "acme@0.1.0: 1/1 rules fired (100.0%)",
        ]
    )


UNITS_RULE = """
[[rules]]
id = "J0129-UNITS"
kind = "units-above"
category = "units"
severity = "error"
title = "At most 100 units of abatacept on a line"
reference = "test rule of the authoring tests"
codes = ["J0129"]
limit = 100
"""
UNITS_TEST = """
[[test]]
name = "too-many-units-fires"
claim = "claims/infusion-visit.json"
mutations = [{ op = "replace", path = "/lines/2/units", value = 150 }]

[[test.expect]]
rule = "cpa-units/J0129-UNITS"
line = 3
"""


@pytest.fixture
def needs_plugin(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new pack with a rule of the kind only cpa_sample registers."""
    project.syspathinsert(MODULES)
    folder = new_pack(project, "cpa-units")
    with (folder / "rules.toml").open("a") as rules:
        rules.write(UNITS_RULE)
    with (folder / "tests/basic.toml").open("a") as tests:
        tests.write(UNITS_TEST)
    monkeypatch.chdir(folder)
    return folder


def test_the_plugin_option_loads_a_plugin_for_the_pack_tests(
    project: pytest.Pytester, needs_plugin: Path
) -> None:
    result = run(project, "--claimpolicy-plugin", "cpa_sample")

    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["cpa-units@0.1.0: 2/2 rules fired (100.0%)"])


def test_the_plugin_ini_option_loads_a_plugin_for_the_pack_tests(
    project: pytest.Pytester, needs_plugin: Path
) -> None:
    ini = needs_plugin / "pytest.ini"
    ini.write_text(ini.read_text() + "claimpolicy_plugins = cpa_sample\n")

    result = run(project)

    result.assert_outcomes(passed=3)


def test_without_the_plugin_the_pack_does_not_load(
    project: pytest.Pytester, needs_plugin: Path
) -> None:
    result = run(project)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines[0] == "ERROR: claimpolicy pack tests cannot start:"
    assert result.errlines[1].startswith(
        "rules.toml: rules[1].kind: 'units-above' is not a known rule kind "
        "(known: additional-hours, "
    )
