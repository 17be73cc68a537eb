"""TableMemories: one memory per code table, reached by each day it is in force."""

from __future__ import annotations

from datetime import date, timedelta

from claimpolicy.kinds import _memory
from claimpolicy.kinds._memory import TableMemories

FY2025, FY2026 = "fy2025", "fy2026"


def fiscal_year(day: date) -> str:
    return FY2026 if day >= date(2025, 10, 1) else FY2025


def test_the_days_of_one_table_share_its_memory() -> None:
    memories: TableMemories[set[str]] = TableMemories(fiscal_year, set)
    september = memories.on(date(2025, 9, 30))
    september.add("G35")

    assert memories.on(date(2025, 9, 1)) is september
    assert memories.on(date(2025, 10, 1)) == set()
    assert memories.by_day[date(2025, 9, 1)] is september
    assert memories.by_day[date(2025, 10, 1)] is not september


def test_past_the_bound_days_are_mapped_again_and_memories_stay(monkeypatch) -> None:
    monkeypatch.setattr(_memory, "DAYS_REMEMBERED", 3)
    memories: TableMemories[set[str]] = TableMemories(fiscal_year, set)
    first = date(2025, 1, 1)
    memories.on(first).add("G35")
    for offset in range(1, 5):
        memories.on(first + timedelta(days=offset))

    assert len(memories.by_day) <= 3
    assert first not in memories.by_day
    assert memories.on(first) == {"G35"}
