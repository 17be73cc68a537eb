"""Small pieces shared by the time, E/M and drug administration kinds.

Several kinds take a table whose rows are keyed by one procedure code
(`{code = "99214", min_minutes = 30}`); a code listed twice would leave the
reader guessing which row wins, so the schema refuses it at load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = ["CODE", "clock", "code_rows"]

# One procedure code, no range: a row keyed by code applies to that code only.
CODE: Final[dict[str, Any]] = {"type": "string", "regex": "[0-9A-Z]{5}"}


def _codes_once(field: str, rows: Any, error: Callable[[str, str], None]) -> None:
    codes = [str(row.get("code")) for row in rows if isinstance(row, Mapping)]
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        error(field, f"lists {', '.join(twice)} more than once")


def code_rows(columns: Mapping[str, Any]) -> dict[str, Any]:
    """The Cerberus schema of a required table of rows keyed by `code`."""
    return {
        "type": "list",
        "required": True,
        "minlength": 1,
        "check_with": _codes_once,
        "schema": {
            "type": "dict",
            "schema": {"code": {**CODE, "required": True}, **columns},
        },
    }


def clock(minutes: int) -> str:
    """Minutes since midnight written the way the claim writes them, HH:MM."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
