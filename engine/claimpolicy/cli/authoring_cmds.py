"""The commands for pack authors: test, explain, diff, new-pack."""

from __future__ import annotations

COMMANDS: tuple[object, ...] = ()
