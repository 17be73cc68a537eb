"""The built-in packs enter through the same hook as a payer's packs."""

from __future__ import annotations

from pathlib import Path

from claimpolicy.hookspecs import hookimpl
from claimpolicy.resources import builtin_policies


@hookimpl
def claimpolicy_register_pack_paths() -> list[Path]:
    return [builtin_policies()]
