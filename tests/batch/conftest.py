"""The 10,000-line batch the streaming and parallel tests share."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from batchdata import BATCH_SIZE, batch_lines

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "infusion-visit-pass.json"


@pytest.fixture(scope="session")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str | None]]:
    """A 10,000-line NDJSON file and the claim id of each line's report."""
    lines = batch_lines(json.loads(EXAMPLE.read_text()), BATCH_SIZE)
    path = tmp_path_factory.mktemp("batch") / "claims.ndjson"
    path.write_bytes(b"".join(text + b"\n" for text, _ in lines))
    return path, [expected for _, expected in lines]
