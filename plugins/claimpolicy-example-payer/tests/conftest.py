"""The example plugin's tests run against the plugin as installed.

They mean to pick up installed plugins (that is what they test), so the
switch that keeps them out is cleared here; without the plugin installed
they stop at once with a hint rather than fail one by one.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from importlib import metadata
from importlib.resources import files
from typing import Any

import pytest

from claimpolicy.plugins import AUTOLOAD_OFF, ENTRY_POINT_GROUP

CLAIMS = (
    files("claimpolicy_example_payer") / "policies/example-health/1.0.0/tests/claims"
)
_CROHNS = json.loads((CLAIMS / "crohns-infliximab-office.json").read_text("utf-8"))


def pytest_configure(config: pytest.Config) -> None:
    names = {point.name for point in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    if "example-payer" not in names:
        raise pytest.UsageError(
            "claimpolicy-example-payer is not installed: run `tox -e plugin`, "
            "or `pip install plugins/claimpolicy-example-payer` in a virtual "
            "environment of its own"
        )
    os.environ.pop(AUTOLOAD_OFF, None)


@pytest.fixture
def claim() -> dict[str, Any]:
    """Infliximab for Crohn's disease in a gastroenterologist's office, 2026."""
    return copy.deepcopy(_CROHNS)


def run(*argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """The installed command, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "claimpolicy", *argv],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != AUTOLOAD_OFF},
    )
