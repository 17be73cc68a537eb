"""The data files installed inside the package: schemas and built-in packs.

They are read through importlib.resources so that a wheel and an editable
install both find them (see the package-dir mapping in pyproject.toml).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = ["builtin_policies", "claim_schema", "report_schema"]


def _folder(package: str) -> Path:
    folder = files(package)
    # Packs are read as real files (digests, rglob); pip always installs
    # packages unpacked, so the traversable is a path.
    if not isinstance(folder, Path):
        raise RuntimeError(f"{package} is not installed as files on disk: {folder!r}")
    return folder


def builtin_policies() -> Path:
    return _folder("claimpolicy.policies")


@cache
def claim_schema() -> dict[str, Any]:
    return json.loads((_folder("claimpolicy.schemas") / "claim.schema.json").read_text())  # type: ignore[no-any-return]


@cache
def report_schema() -> dict[str, Any]:
    return json.loads((_folder("claimpolicy.schemas") / "report.schema.json").read_text())  # type: ignore[no-any-return]
