"""What a compiled kind remembers across the claims of a batch, per table.

A kind's answer about a code often depends on nothing but the code and a
code table in force on the day: the HCPCS drug table, a fiscal year of
ICD-10-CM. A batch spans many days and few tables, so the memory belongs to
the table, and each day seen is mapped to its table's memory: one dict
lookup a claim, and a code judged once per table rather than once per day.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import Generic, TypeVar

__all__ = ["CODES_REMEMBERED", "DAYS_REMEMBERED", "TableMemories"]

#: Days mapped at most; past it the map starts again (the memories stay).
DAYS_REMEMBERED = 4_096
#: Codes a kind remembers per table at most, bounding the memory of a batch.
CODES_REMEMBERED = 4_096

Memory = TypeVar("Memory")


class TableMemories(Generic[Memory]):
    """One memory (made by `new`) per table that `table_on(day)` names.

    The hot path reads `by_day.get(day)` itself and calls `on(day)` only
    for a day it has not seen.
    """

    __slots__ = ("_by_table", "_new", "_table_on", "by_day")

    def __init__(
        self, table_on: Callable[[date], Hashable], new: Callable[[], Memory]
    ) -> None:
        self.by_day: dict[date, Memory] = {}
        self._by_table: dict[Hashable, Memory] = {}
        self._table_on = table_on
        self._new = new

    def on(self, day: date) -> Memory:
        """The memory of the table in force on `day`."""
        table = self._table_on(day)
        found = self._by_table.get(table)
        if found is None:
            found = self._by_table[table] = self._new()
        if len(self.by_day) >= DAYS_REMEMBERED:
            self.by_day.clear()
        self.by_day[day] = found
        return found
