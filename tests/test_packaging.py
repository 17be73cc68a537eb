"""The installed package carries its schemas and built-in packs.

Under tox the engine is installed from a wheel, so these tests also prove
that a wheel works with the repository out of reach.
"""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomli

import claimpolicy
from claimpolicy.resources import builtin_policies, claim_schema, report_schema

REPO = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(
        tomli.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )
    on_disk = {
        ".".join(init.parent.relative_to(REPO / "engine").parts)
        for init in (REPO / "engine" / "claimpolicy").rglob("__init__.py")
    }

    data_only = {
        "claimpolicy.policies",
        "claimpolicy.schemas",
        "claimpolicy.authoring.templates",
    }
    assert on_disk | data_only == listed


def test_schemas_and_packs_are_inside_the_package():
    assert claim_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert report_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (builtin_policies() / "cms-core" / "2026.1" / "pack.toml").is_file()


def _imported_from_the_sources() -> bool:
    return Path(claimpolicy.__file__).resolve().is_relative_to(REPO / "engine")


def test_the_tested_package_is_the_installed_wheel():
    if os.environ.get("CLAIMPOLICY_EXPECT_BUILD") is None:
        pytest.skip("run outside tox: the package may be an editable install")
    assert not _imported_from_the_sources(), claimpolicy.__file__


def _compiled_modules() -> list[str]:
    """The modules setup.py hands to mypyc, by import name."""
    tree = ast.parse((REPO / "setup.py").read_text())
    listed = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and node.targets[0].id == "COMPILED"
    )
    paths = [Path(element.value) for element in listed.elts]
    return [
        ".".join(path.relative_to("engine").with_suffix("").parts) for path in paths
    ]


def test_the_modules_setup_py_compiles_exist():
    for name in _compiled_modules():
        assert (REPO / "engine" / Path(*name.split("."))).with_suffix(".py").is_file()


@pytest.mark.parametrize("name", _compiled_modules())
def test_the_build_is_what_tox_asked_for(name):
    expected = os.environ.get("CLAIMPOLICY_EXPECT_BUILD")
    if expected is None:
        pytest.skip("run outside tox: either build may be installed")
    module = importlib.import_module(name)
    suffix = Path(module.__file__).name.partition(".")[2]
    compiled = f".{suffix}" in importlib.machinery.EXTENSION_SUFFIXES
    assert compiled == (expected == "compiled"), module.__file__


def test_the_command_works_from_outside_the_repository(tmp_path, passing_claim):
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps(passing_claim))

    result = subprocess.run(
        [sys.executable, "-m", "claimpolicy", "check", str(claim)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outcome"] == "pass"


def test_version_matches_the_distribution():
    from importlib.metadata import version

    assert claimpolicy.__version__ == version("claimpolicy")
