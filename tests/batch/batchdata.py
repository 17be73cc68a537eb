"""Batches for the streaming and parallel tests, built from the passing example.

Claim `i` has the id `C-{i:04d}`; some lines are broken on purpose, so that
order and completeness are checked on exactly what a real feed holds.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from claimpolicy.cli import build_parser

#: The plugins of tests/plugins/modules (cpt_raises_on_one and friends), and
#: this folder's own, importable here and in forked workers.
PLUGIN_FOLDERS = (
    Path(__file__).resolve().parent.parent / "plugins" / "modules",
    Path(__file__).resolve().parent / "modules",
)
for folder in PLUGIN_FOLDERS:
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

BATCH_SIZE = 10_000


def claim_id(index: int) -> str:
    return f"C-{index:04d}"


def batch_lines(claim: dict[str, Any], count: int) -> list[tuple[bytes, str | None]]:
    """`count` NDJSON lines and the claim id each report must carry.

    Every 97th line is not JSON (null id), every 89th is blank, every 61st
    breaks the schema but keeps its id, every 7th fails a rule.
    """
    lines = []
    for index in range(count):
        document = copy.deepcopy(claim)
        document["claim_id"] = claim_id(index)
        if index % 7 == 3:
            del document["lines"][0]["modifiers"]  # EM-MOD25-DRUG-ADMIN fails
        if index % 61 == 5:
            document["lines"][0]["units"] = 0
        text = json.dumps(document).encode()
        if index % 97 == 11:
            lines.append((text[:40], None))
        elif index % 89 == 13:
            lines.append((b"", None))
        else:
            lines.append((text, claim_id(index)))
    return lines


def check_arguments(*argv: str) -> Any:
    """The parsed command line of `claimpolicy check ARGV`."""
    return build_parser().parse_args(["check", *argv])
