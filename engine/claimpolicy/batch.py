"""Checking a stream of records, in order, one report per record."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from claimpolicy.engine import Engine
from claimpolicy.io.readers import BrokenInput, Record
from claimpolicy.report import Report

__all__ = ["check_record", "check_records"]


def check_record(engine: Engine, record: Record) -> Report:
    if isinstance(record, bytes | str):
        return engine.check_json(record)
    if isinstance(record, BrokenInput):
        return engine.unreadable(record.message)
    return engine.check(record)


def check_records(
    engine: Engine,
    records: Iterable[Record],
    *,
    jobs: int | None = None,
    arguments: Any = None,
) -> Iterator[Report]:
    for record in records:
        yield check_record(engine, record)
