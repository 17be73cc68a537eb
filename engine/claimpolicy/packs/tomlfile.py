"""Read a TOML file, or say in one line why it cannot be read."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import tomli

from claimpolicy.errors import PackError, PackProblem

__all__ = ["display_path", "id_lines", "read_toml"]

_ID_LINE = re.compile(r'^\s*id\s*=\s*"([^"]+)"', re.MULTILINE)


def display_path(path: Path) -> str:
    """A path as a person would type it: relative to here when it is below
    here, else as given (a `../../..` chain names nothing a reader knows)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
    return str(path) if outside else relative


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed document and its text. Raises PackError naming the file."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackError([PackProblem(shown, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise PackError([PackProblem(shown, "", f"cannot be read: {reason}")]) from None
    try:
        return tomli.loads(text), text
    except tomli.TOMLDecodeError as error:
        # tomli's message already carries the line and the column.
        problem = PackProblem(shown, "", f"not valid TOML: {error}")
        raise PackError([problem]) from None


def id_lines(text: str) -> dict[str, int]:
    """The line on which each `id = "..."` of a rule file is written."""
    return {
        match.group(1): text.count("\n", 0, match.start()) + 1
        for match in _ID_LINE.finditer(text)
    }
