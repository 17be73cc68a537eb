"""Shared test setup.

Tests load only the plugins they ask for: the variable below keeps plugins
installed on the machine out, the way PYTEST_DISABLE_PLUGIN_AUTOLOAD does.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from claimpolicy.plugins import AUTOLOAD_OFF

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

os.environ[AUTOLOAD_OFF] = "1"

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

_PASSING = json.loads((EXAMPLES / "infusion-visit-pass.json").read_text())


@pytest.fixture
def passing_claim() -> dict[str, Any]:
    """A realistic infusion-day claim that passes every cms-core 2026 rule."""
    return copy.deepcopy(_PASSING)


@pytest.fixture(scope="session")
def engine() -> Any:
    """One engine for the session: loading packs is the expensive part."""
    from claimpolicy import Engine

    return Engine()
