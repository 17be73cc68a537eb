"""Test plugins live in tests/plugins/modules and are loaded by import path.

The session's plugin-free setting (tests/conftest.py) stays on: every test
here names the plugins it loads, with `PluginHost(modules=...)`, `--plugin`,
or a small distribution it installs into a temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from claimpolicy import Engine, PluginHost
from claimpolicy.plugins import AUTOLOAD_OFF

MODULES = Path(__file__).resolve().parent / "modules"
# Importable for `--plugin NAME` in this process and for the tests that use
# the fault plugins directly; every name there starts with cpt_.
if str(MODULES) not in sys.path:
    sys.path.insert(0, str(MODULES))


def engine_with(
    *modules: str, objects: Sequence[tuple[str, object]] = (), **options: Any
) -> Engine:
    """An engine with the built-ins and exactly the plugins named."""
    host = PluginHost(entry_points=False, modules=modules, objects=objects)
    return Engine(plugins=host, **options)


def run(
    *argv: str,
    stdin: bytes = b"",
    path: Sequence[Path] = (MODULES,),
    autoload: bool = False,
) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, with `path` importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in path)
    if autoload:
        env.pop(AUTOLOAD_OFF, None)
    else:
        env[AUTOLOAD_OFF] = "1"
    return subprocess.run(
        [sys.executable, "-m", "claimpolicy", *argv],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def write_ndjson(path: Path, claims: Sequence[object]) -> Path:
    path.write_text("".join(json.dumps(claim) + "\n" for claim in claims))
    return path
