"""Map the payer ids clearinghouses use for Example Health to its own.

Each clearinghouse keeps its own list of payer ids, and practice systems
often send the payer's name instead, so one payer reaches the engine under
several spellings. The engine chooses packs by the `payer` field, so the
mapping runs in `claimpolicy_prepare_claim`, before the packs are chosen.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Final

from claimpolicy_example_payer import PAYER

# Spellings seen on incoming claims, compared without case or outer blanks.
# The ids are Example Health's own (fictional); a real payer lists the ids
# its clearinghouses publish.
ALIASES: Final = frozenset({"exh01", "exh", "example health", "examplehealth"})


def normalise(claim: MutableMapping[str, Any]) -> None:
    """Replace a known alias in `claim["payer"]` by the payer id, in place."""
    payer = claim.get("payer")
    if isinstance(payer, str) and payer.strip().lower() in ALIASES:
        claim["payer"] = PAYER
