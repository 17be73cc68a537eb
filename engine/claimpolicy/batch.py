"""Checking a stream of records, in order, one report per record.

Records are read lazily and each result is handed on as soon as it is ready,
so memory stays flat whatever the size of the batch. A batch starts in the
calling process, NDJSON lines a block at a time (see `inputs.Records`). Once
it has shown itself large (`PARALLEL_AFTER` records, or a first block that
says the files hold that many more), the rest is spread over worker
processes in chunks of raw records (NDJSON still as blocks of the file), at
most `IN_FLIGHT_PER_JOB` chunks per worker at a time. A forked worker starts
with the caller's engine, packs and code sets already loaded; elsewhere
(spawn) each worker builds its own from the command line's arguments, so
packs load once per worker. Workers send back encoded reports, and the
results come out in input order. While spawned workers load their packs,
the calling process checks the next chunks itself rather than wait.

With workers, reports come back a chunk at a time: a feed that trickles in
on standard input (a claim now and then) gets each report sooner with
`--jobs 1`.

    >>> for output, outcome in check_stream(engine, records, encoder=encode):
    ...     sink.write(output)
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from claimpolicy._plugin_calls import plugin_failed, raised_type
from claimpolicy.engine import Engine
from claimpolicy.errors import ClaimpolicyError
from claimpolicy.inputs import Records, grouped
from claimpolicy.io.formats import Encoder
from claimpolicy.io.output import FORMATS_HOOK, guarded_encoder
from claimpolicy.io.readers import BrokenInput, Record
from claimpolicy.io.sources import (
    READERS_HOOK,
    LineBlock,
    Numbered,
    ReaderFault,
    place,
)
from claimpolicy.line_checks import OUTCOME_CODES, check_lines, check_text
from claimpolicy.report import OUTCOMES, Report

__all__ = [
    "CHUNK_SIZE",
    "PARALLEL_AFTER",
    "WorkerError",
    "check_record",
    "check_records",
    "check_runs",
    "check_stream",
    "default_jobs",
]

#: Records sent to a worker at a time: large enough that sending them costs
#: next to nothing, small enough that a chunk's results are never far off.
CHUNK_SIZE = 500
#: Records checked in the calling process before any worker starts (unless
#: the files left to read hold as many again, see `_large`): a batch smaller
#: than this is done before workers would have loaded their packs.
PARALLEL_AFTER = 4_000
#: Chunks waiting or being checked per worker; bounds the memory of a batch.
IN_FLIGHT_PER_JOB = 3
#: Chunks queued for output (in flight, or checked here during start-up),
#: per chunk in flight.
QUEUED_PER_IN_FLIGHT = 4


class WorkerError(ClaimpolicyError):
    """A worker process died or could not start; the batch cannot go on."""


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_record(engine: Engine, record: Record) -> Report:
    """The report of one record: raw JSON text (with its place in a file or
    not), a parsed document, a record its reader could not read, or the
    fault of a reader that raised instead of giving one."""
    if isinstance(record, bytes | str):
        return engine.check_json(record)
    if isinstance(record, Numbered):
        return _check_numbered(engine, record)
    if isinstance(record, BrokenInput):
        return engine.unreadable(record.message)
    if isinstance(record, ReaderFault):
        return _reader_failed(record)
    return engine.check(record)


def _check_numbered(engine: Engine, record: Numbered) -> Report:
    return check_text(engine, record.text, record.source, record.number, record.unit)


def _reader_failed(fault: ReaderFault) -> Report:
    where = f"reader {fault.reader!r} ({READERS_HOOK})"
    lost = (
        f"{place(fault.unit, fault.number, fault.source)} and the rest of the "
        "file were not read"
    )
    finding = plugin_failed(fault.plugin, where, raised_type(fault.error), lost)
    return Report(None, "error", (), [finding])


def check_records(
    engine: Engine,
    records: Iterable[Record],
    *,
    jobs: int | None = None,
    arguments: Any = None,
) -> Iterator[Report]:
    """One report per record, in order, read and checked lazily.

    With `jobs` above 1 and the command line's `arguments` (from which each
    worker builds its engine), a large batch is spread over processes.
    Without `arguments` the batch stays in this process: an engine built in
    code (plugins passed as objects) cannot be rebuilt elsewhere.
    """
    for report, _ in check_stream(engine, records, jobs=jobs, arguments=arguments):
        yield report


def check_stream(
    engine: Engine,
    records: Iterable[Record],
    *,
    encoder: Encoder | None = None,
    format_name: str | None = None,
    jobs: int | None = None,
    arguments: Any = None,
) -> Iterator[tuple[Any, str]]:
    """`(output, outcome)` per record, in order.

    The output is `encoder(report)` when an encoder is given, else the
    report. Workers rebuild the encoder as the format `format_name` of
    their own engine, with `arguments.explain` as its evidence switch; an
    encoder without a format name keeps the batch in this process.
    """
    for outputs, outcomes in check_runs(
        engine,
        records,
        encoder=encoder,
        format_name=format_name,
        jobs=jobs,
        arguments=arguments,
    ):
        yield from zip(outputs, outcomes, strict=True)


def check_runs(
    engine: Engine,
    records: Iterable[Record],
    *,
    encoder: Encoder | None = None,
    format_name: str | None = None,
    jobs: int | None = None,
    arguments: Any = None,
) -> Iterator[tuple[list[Any], list[str]]]:
    """What `check_stream` gives, a run of records at a time: `(outputs,
    outcomes)` of a block of NDJSON lines or of one other record while the
    batch is checked in this process, of a whole chunk once workers check it.

    A writer takes a run in one call, not one per record: per record, the
    calls between the file and the writer cost about a tenth of checking
    a claim, and with workers they are most of what the calling process does.
    """
    if jobs is None:
        jobs = default_jobs()
    local = _Checker(engine, encoder)
    unshareable = arguments is None or (encoder is not None and format_name is None)
    parallel = jobs > 1 and not unshareable
    chunks: Iterator[_Chunk]
    if isinstance(records, Records):  # files: NDJSON lines come in blocks
        items = records.items()
        yield from _runs_here(
            local, items, PARALLEL_AFTER if parallel else None, records.unread_bytes
        )
        chunks = grouped(items, CHUNK_SIZE)
    else:
        iterator = iter(records)
        # The first records are checked here, each written as soon as it is
        # ready; a batch that goes on past them is large enough for workers.
        for output, outcome in local.each(
            islice(iterator, PARALLEL_AFTER) if parallel else iterator
        ):
            yield [output], [outcome]
        chunks = iter(lambda: list(islice(iterator, CHUNK_SIZE)), [])
    if not parallel:
        return
    first = next(chunks, None)
    if first is None:
        return
    setup = _Setup(arguments, format_name if encoder is not None else None)
    with _Pool(jobs, setup, local) as pool:
        pool.feed(chain([first], chunks))
        for outputs, outcomes in pool.results():
            yield outputs, [OUTCOMES[code] for code in outcomes]


def _runs_here(
    local: _Checker,
    items: Iterator[Record | LineBlock],
    most: int | None,
    unread_bytes: Callable[[], int | None],
) -> Iterator[tuple[list[Any], list[str]]]:
    """Check `items` in this process, a block or a record at a time, until
    `most` records are done (None: all of them), or sooner when the files
    left to read hold at least as many lines again as `most`.

    A block's reports go out together, which spares every claim a round
    through the generators between the file and the writer; a block of
    standard input holds what had come, so a feed that trickles in still
    gets each report before it sends the next claim. `most` may be passed
    by up to a block.
    """
    done = 0
    for item in items:
        if type(item) is LineBlock:
            outputs, codes = local.chunk(item)
            yield outputs, [OUTCOMES[code] for code in codes]
            done += len(codes)
            if most is not None and _large(
                done, len(codes), len(item.data), unread_bytes(), most
            ):
                return
            continue
        output, outcome = local.one(item)
        yield [output], [outcome]
        done += 1
        if most is not None and done >= most:
            return


def _large(done: int, lines: int, size: int, unread: int | None, most: int) -> bool:
    """Whether a batch is past `most` records, or the bytes left to read
    hold at least `most` more lines as long as the last block's (`lines`
    in `size` bytes): then the other cores need not sit idle while this
    process checks the first `most` alone."""
    if done >= most:
        return True
    if unread is None or not lines:
        return False
    return unread * lines >= most * size


class _Checker:
    """Checks records with one engine and encodes their reports."""

    def __init__(self, engine: Engine, encoder: Encoder | None) -> None:
        self.engine = engine
        self.encoder = encoder

    def each(self, records: Iterable[Record]) -> Iterator[tuple[Any, str]]:
        engine, encoder = self.engine, self.encoder
        for record in records:
            # A line of a file, the common case, skips check_record's tests.
            if type(record) is Numbered:
                report = check_text(engine, *record)
            else:
                report = check_record(engine, record)
            yield (encoder(report) if encoder else report), report.outcome

    def one(self, record: Record) -> tuple[Any, str]:
        """The output and outcome of one record."""
        report = check_record(self.engine, record)
        return (self.encoder(report) if self.encoder else report), report.outcome

    def chunk(self, chunk: _Chunk) -> _Result:
        """The outputs and outcome codes of a chunk's records, in order."""
        if isinstance(chunk, LineBlock):
            return self._lines(chunk.lines(), chunk.source, chunk.first, chunk.unit)
        if isinstance(chunk, _Lines):
            return self._lines(chunk.texts, chunk.source, chunk.first, chunk.unit)
        outputs = []
        outcomes = bytearray()
        for output, outcome in self.each(chunk):
            outputs.append(output)
            outcomes.append(OUTCOME_CODES[outcome])
        return outputs, bytes(outcomes)

    def _lines(
        self, texts: Sequence[bytes | str], source: str, first: int, unit: str
    ) -> _Result:
        return check_lines(self.engine, self.encoder, texts, source, first, unit)


@dataclass(frozen=True, slots=True)
class _Lines:
    """Consecutive lines `first`, `first + 1`, ... of one file, as a worker
    receives them.

    One list of texts pickles at the cost of copying them; as many
    `Numbered` tuples cost a Python call each, to pickle and to unpickle,
    which made sending a line cost the caller more than reading it.
    """

    texts: list[bytes | str]
    source: str
    first: int
    unit: str


#: What a worker is sent: records, or lines of one file.
_Chunk = list[Record] | _Lines | LineBlock


def _packed(chunk: _Chunk) -> _Chunk:
    """`chunk` as `_Lines` when it is a list of lines of one file, else as
    it is."""
    if not isinstance(chunk, list):
        return chunk
    first, last = chunk[0], chunk[-1]
    if not (
        type(first) is Numbered
        and type(last) is Numbered
        # Numbers restart with each file: a run that spans two files (or
        # the same file named twice) cannot count up by one throughout.
        and first.source == last.source
        and last.number - first.number == len(chunk) - 1
    ):
        return chunk
    texts = []
    for record in chunk:
        if type(record) is not Numbered:
            return chunk
        texts.append(record.text)
    return _Lines(texts, first.source, first.number, first.unit)


# -- worker processes ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Setup:
    """What a worker needs to build the same engine and encoder as the caller."""

    arguments: Any
    format_name: str | None  # None: send reports back as objects


_worker: _Checker | None = None


def _start_worker(start: _Checker | _Setup) -> None:
    """Start a worker with the caller's own checker, or build its engine.

    Fork copies the caller's memory, so a forked worker is handed the
    caller's checker with the engine, packs and code sets loaded: nothing
    is pickled or built again (building anew cost each worker as much CPU
    as a few thousand claims). A spawned worker gets the `_Setup` and
    builds the same engine from the command line's arguments.
    """
    # The caller handles Ctrl-C and stops the workers; they must not print
    # tracebacks of their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _worker
    if isinstance(start, _Checker):
        _worker = start
        return
    from claimpolicy.cli.common import make_engine

    arguments = start.arguments
    engine = make_engine(arguments, explain=bool(getattr(arguments, "explain", False)))
    engine.load_code_sets()
    encoder = None
    if start.format_name is not None:
        # The same choice as the command line's: the last format of a name wins.
        formats = {
            fmt.name: (plugin, fmt)
            for plugin, fmt in engine.plugins.collect(FORMATS_HOOK)
        }
        plugin, fmt = formats[start.format_name]
        encoder = guarded_encoder(
            fmt.encoder(evidence=engine.explain), plugin, fmt.name
        )
    _worker = _Checker(engine, encoder)
    gc.freeze()  # the engine lives as long as the worker (see check_cmd)


def _check_chunk(chunk: _Chunk) -> _Result:
    assert _worker is not None, "the worker was not started"
    return _worker.chunk(chunk)


class _Pool:
    """Worker processes fed chunks, with a bounded number in flight.

    Until the first spawned worker has answered (they are still loading
    their packs), the calling process checks the next chunks itself rather
    than wait; their results take their place in the queue, so order holds.
    """

    def __init__(self, jobs: int, setup: _Setup, local: _Checker) -> None:
        self.limit = jobs * IN_FLIGHT_PER_JOB
        # Chunks queued at most, checked here or not: memory stays bounded
        # even when the workers are slow to start.
        self.most = self.limit * QUEUED_PER_IN_FLIGHT
        self.local = local
        context = _context()
        # A forked worker's initargs are inherited, never pickled.
        forked = context.get_start_method() == "fork"
        self.executor = ProcessPoolExecutor(
            jobs,
            mp_context=context,
            initializer=_start_worker,
            initargs=(local if forked else setup,),
        )
        self.queue: deque[Future[_Result] | _Result] = deque()
        self.in_flight = 0
        # A forked worker is ready within milliseconds: checking here
        # meanwhile would only take a core from it.
        self.warm = forked
        self.chunks: Iterator[_Chunk] = iter(())

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # On an error (a closed pipe, Ctrl-C) the queued chunks are dropped.
        self.executor.shutdown(wait=True, cancel_futures=exc_info[0] is not None)

    def feed(self, chunks: Iterator[_Chunk]) -> None:
        """Take chunks from `chunks` and keep the workers busy with them."""
        self.chunks = chunks
        self._top_up()

    def _top_up(self) -> None:
        while self.in_flight < self.limit:
            chunk = next(self.chunks, None)
            if chunk is None:
                return
            self.queue.append(self.executor.submit(_check_chunk, _packed(chunk)))
            self.in_flight += 1

    def results(self) -> Iterator[_Result]:
        """Each chunk's outputs and outcome codes, in input order."""
        while self.queue:
            head = self.queue[0]
            if not isinstance(head, Future):
                self.queue.popleft()
                yield head
                continue
            if not self.warm and not head.done() and len(self.queue) < self.most:
                chunk = next(self.chunks, None)
                if chunk is not None:
                    self.queue.append(self.local.chunk(chunk))
                    continue
            self.queue.popleft()
            self.in_flight -= 1
            self.warm = True
            result = _result(head)
            self._top_up()
            yield result


_Result = tuple[list[Any], bytes]


def _result(future: Future[_Result]) -> _Result:
    try:
        return future.result()
    except BrokenProcessPool:
        raise WorkerError(
            "a worker process died (killed, out of memory, or a plugin that "
            "ended it); rerun with --jobs 1 to check in one process"
        ) from None


def _context() -> Any:
    # fork starts a worker in milliseconds with the engine loaded; spawn
    # (elsewhere) builds the same engine from the arguments, with the same
    # results.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)
