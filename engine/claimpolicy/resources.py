"""The data files installed inside the package: schemas and built-in packs.

They are read through importlib.resources so that a wheel and an editable
install both find them (see the package-dir mapping in pyproject.toml).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

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
    return _read_json("claim.schema.json")


@cache
def report_schema() -> dict[str, Any]:
    return _read_json("report.schema.json")


def _read_json(name: str) -> dict[str, Any]:
    text = (_folder("claimpolicy.schemas") / name).read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))
