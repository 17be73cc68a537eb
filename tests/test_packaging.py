"""The installed package carries its schemas and built-in packs.

Under tox the engine is installed from a wheel, so these tests also prove
that a wheel works with the repository out of reach.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
