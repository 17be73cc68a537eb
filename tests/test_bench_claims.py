"""The benchmark's claim generator makes what bench/run.py says it measures:
seeded, realistic claims of 1 to 10 lines, a share of them broken."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import orjson
import pytest

from claimpolicy import Engine

BENCH = Path(__file__).resolve().parent.parent / "bench"
COUNT = 1_000


@pytest.fixture(scope="module")
def claims_module() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        import claims
    finally:
        sys.path.remove(str(BENCH))
    return claims


@pytest.fixture(scope="module")
def batch(claims_module: ModuleType) -> list[bytes]:
    return list(claims_module.generate(COUNT, seed=11))


def test_the_same_seed_gives_the_same_batch(
    claims_module: ModuleType, batch: list[bytes]
) -> None:
    assert list(claims_module.generate(COUNT, seed=11)) == batch
    assert list(claims_module.generate(COUNT, seed=12)) != batch


def test_the_batch_is_realistic_and_five_percent_broken(batch: list[bytes]) -> None:
    engine = Engine()
    outcomes: Counter[str] = Counter()
    line_counts: set[int] = set()
    for text in batch:
        report = engine.check_json(text)
        outcomes[report.outcome] += 1
        if report.outcome != "invalid":
            line_counts.add(len(orjson.loads(text)["lines"]))

    # 5% broken on purpose, drawn at random: 50 expected of 1,000.
    assert 30 <= outcomes["invalid"] <= 70, outcomes
    # Mostly clean infusion-day claims, some with the errors the packs catch,
    # none that the engine cannot check.
    assert outcomes["pass"] > COUNT * 0.7, outcomes
    assert outcomes["fail"] > 0, outcomes
    assert outcomes["error"] == 0, outcomes
    assert min(line_counts) >= 1
    assert max(line_counts) <= 10
