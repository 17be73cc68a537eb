"""The commands for pack authors: test, explain, diff, new-pack."""

from __future__ import annotations

from claimpolicy.cli import diff_cmd, explain_cmd, newpack_cmd, pack_test_cmd

COMMANDS: tuple[object, ...] = (pack_test_cmd, explain_cmd, diff_cmd, newpack_cmd)
