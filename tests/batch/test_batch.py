"""Streaming and parallel batches: every line one report, in order, whatever
the number of processes. No timing here: speed is measured in bench/."""

from __future__ import annotations

import multiprocessing
from itertools import islice

import orjson
import pytest
from batchdata import BATCH_SIZE, check_arguments, claim_id

from claimpolicy import batch as batching
from claimpolicy import inputs
from claimpolicy.batch import check_records, check_stream
from claimpolicy.cli.common import make_engine
from claimpolicy.inputs import readers_by_suffix, records
from claimpolicy.io.builtin import claimpolicy_register_formats
from claimpolicy.io.readers import BrokenInput
from claimpolicy.io.sources import Numbered, guarded_readers

FORMATS = {fmt.name: fmt for fmt in claimpolicy_register_formats()}
PLUGIN_FAILED = "claimpolicy/PLUGIN-FAILED"


def run_batch(path, *argv: str, fmt: str = "ndjson") -> list[tuple[bytes, str]]:
    """(encoded report, outcome) for each line of `path`, as `check` makes them."""
    arguments = check_arguments(str(path), *argv)
    engine = make_engine(arguments, explain=arguments.explain)
    with open(path, "rb") as stream:
        records = (line.rstrip(b"\n") for line in stream)
        return list(
            check_stream(
                engine,
                records,
                encoder=FORMATS[fmt].encoder(evidence=arguments.explain),
                format_name=fmt,
                jobs=arguments.jobs,
                arguments=arguments,
            )
        )


@pytest.fixture(scope="module")
def one_process(batch):
    path, _ = batch
    return run_batch(path, "--jobs", "1")


def test_one_process_gives_one_report_per_line_in_order(batch, one_process):
    _, expected_ids = batch

    reports = [orjson.loads(output) for output, _ in one_process]

    assert len(reports) == BATCH_SIZE
    assert [report["claim_id"] for report in reports] == expected_ids
    assert [report["outcome"] for report in reports] == [o for _, o in one_process]


def test_the_batch_holds_every_outcome_it_was_built_with(one_process):
    outcomes = {outcome for _, outcome in one_process}

    assert outcomes == {"pass", "fail", "invalid"}


@pytest.mark.parametrize("jobs", ["2", "3"])
def test_workers_give_the_same_bytes_as_one_process(batch, one_process, jobs):
    path, _ = batch

    assert run_batch(path, "--jobs", jobs) == one_process


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_every_format_encodes_the_same_across_jobs(batch, fmt):
    path, _ = batch

    assert run_batch(path, "--jobs", "2", fmt=fmt) == run_batch(
        path, "--jobs", "1", fmt=fmt
    )


def test_spawned_workers_build_the_same_engine(monkeypatch, batch, one_process):
    # Where fork is missing, each worker builds its engine from the
    # arguments instead of inheriting the caller's.
    path, _ = batch
    monkeypatch.setattr(
        batching, "_context", lambda: multiprocessing.get_context("spawn")
    )

    assert run_batch(path, "--jobs", "2") == one_process


def test_lines_of_one_file_travel_to_workers_as_one_list():
    lines = [Numbered(b"{}", "a.ndjson", number, "line") for number in (7, 8, 9)]

    packed = batching._packed(lines)

    assert packed == batching._Lines([b"{}"] * 3, "a.ndjson", 7, "line")


@pytest.mark.parametrize(
    "chunk",
    [
        # two files: numbers restart
        [
            Numbered(b"{}", "a.ndjson", 9, "line"),
            Numbered(b"{}", "b.ndjson", 1, "line"),
        ],
        # one file named twice
        [
            Numbered(b"{}", "a.ndjson", 2, "line"),
            Numbered(b"{}", "a.ndjson", 1, "line"),
            Numbered(b"{}", "a.ndjson", 2, "line"),
        ],
        # a record that is not a line between lines
        [
            Numbered(b"{}", "a.ndjson", 1, "line"),
            BrokenInput("line 2: cut short"),
            Numbered(b"{}", "a.ndjson", 3, "line"),
        ],
        [b"{}", b"{}"],
    ],
)
def test_other_chunks_travel_as_they_are(chunk):
    assert batching._packed(chunk) is chunk


def test_explain_reaches_the_workers(batch):
    path, _ = batch

    parallel = run_batch(path, "--jobs", "2", "--explain")

    assert parallel == run_batch(path, "--jobs", "1", "--explain")
    failed = orjson.loads(parallel[3][0])
    assert failed["findings"][0]["evidence"]["code"] == "99214"


def test_a_plugin_that_raises_costs_its_own_claims_only(batch):
    path, expected_ids = batch

    outputs = run_batch(path, "--jobs", "2", "--plugin", "cpt_raises_on_one")

    assert outputs == run_batch(path, "--jobs", "1", "--plugin", "cpt_raises_on_one")
    errors = [index for index, (_, outcome) in enumerate(outputs) if outcome == "error"]
    assert errors == [500, 4500]
    assert [f["rule"] for f in orjson.loads(outputs[4500][0])["findings"]] == [
        PLUGIN_FAILED
    ]
    assert len(outputs) == len(expected_ids)


def test_a_plugin_that_raises_inside_a_worker_is_isolated_there(batch):
    path, expected_ids = batch

    outputs = run_batch(path, "--jobs", "2", "--plugin", "cpb_raises_in_workers")

    reports = [orjson.loads(output) for output, _ in outputs]
    assert [report["claim_id"] for report in reports] == expected_ids
    failed = [r for r in reports if r["outcome"] == "error"]
    # Claims ending in 7 that a worker checked failed there, and no other:
    # none of the first ones (checked in this process), none ending otherwise.
    assert len(failed) > 100
    assert all(r["claim_id"].endswith("7") for r in failed)
    assert min(int(r["claim_id"][2:]) for r in failed) >= batching.PARALLEL_AFTER
    assert all(
        [f["rule"] for f in r["findings"] if f["category"] == "engine"]
        == [PLUGIN_FAILED]
        for r in failed
    )
    assert "cannot check" not in "".join(
        f["message"] for r in failed for f in r["findings"]
    )


def test_a_small_batch_never_starts_workers(monkeypatch, batch):
    path, _ = batch

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started for a small batch")

    monkeypatch.setattr(batching, "_Pool", no_pool)
    arguments = check_arguments(str(path), "--jobs", "2")
    engine = make_engine(arguments)
    with open(path, "rb") as stream:
        records = [line.rstrip(b"\n") for line in islice(stream, 100)]

    reports = list(check_records(engine, records, jobs=2, arguments=arguments))

    assert [r.claim_id for r in reports[:3]] == [claim_id(0), claim_id(1), claim_id(2)]
    assert len(reports) == 100


def test_without_arguments_a_large_batch_stays_in_process(monkeypatch, batch):
    path, expected_ids = batch

    def no_pool(*args, **kwargs):
        raise AssertionError("workers cannot rebuild an engine built in code")

    monkeypatch.setattr(batching, "_Pool", no_pool)
    engine = make_engine(check_arguments(str(path)))
    with open(path, "rb") as stream:
        records = (line.rstrip(b"\n") for line in stream)
        ids = [r.claim_id for r in check_records(engine, records, jobs=2)]

    assert ids == expected_ids


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_records_are_read_lazily(batch, jobs):
    # A reader that fails past the first records proves that nothing reads
    # ahead of what the caller takes, with workers allowed or not.
    path, _ = batch
    arguments = check_arguments(str(path), "--jobs", jobs)
    engine = make_engine(arguments)

    def records():
        yield from (b"{}", BrokenInput("line 2: cut short"))
        raise AssertionError("read too far ahead")

    stream = check_records(engine, records(), jobs=int(jobs), arguments=arguments)

    first, second = next(stream), next(stream)
    assert (first.outcome, second.outcome) == ("invalid", "invalid")
    assert second.findings[0].message == "line 2: cut short"


def test_reading_ahead_is_bounded(monkeypatch, batch):
    path, _ = batch
    monkeypatch.setattr(batching, "CHUNK_SIZE", 100)
    read = 0
    ahead = []

    def counting(lines):
        nonlocal read
        for line in lines:
            read += 1
            yield line

    arguments = check_arguments(str(path), "--jobs", "2")
    engine = make_engine(arguments)
    with open(path, "rb") as stream:
        lines = counting(line.rstrip(b"\n") for line in stream)
        for written, _ in enumerate(
            check_stream(engine, lines, jobs=2, arguments=arguments), 1
        ):
            ahead.append(read - written)

    assert len(ahead) == BATCH_SIZE
    limit = 2 * batching.IN_FLIGHT_PER_JOB * batching.QUEUED_PER_IN_FLIGHT
    assert max(ahead) <= batching.PARALLEL_AFTER + (limit + 1) * 100


def checked_here_before_workers(monkeypatch, path, jobs="2") -> int | None:
    """How many of the file's records `check_runs` gives before it starts a
    worker pool (None: it never does), reading the file as `check` does."""
    given = 0
    started: list[int] = []
    real_pool = batching._Pool

    def pool(*args, **kwargs):
        started.append(given)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(batching, "_Pool", pool)
    arguments = check_arguments(str(path), "--jobs", jobs)
    engine = make_engine(arguments)
    readers = guarded_readers(engine.plugins, readers_by_suffix(engine.plugins))
    fmt = FORMATS["ndjson"]
    for outputs, _ in batching.check_runs(
        engine,
        records([str(path)], readers),
        encoder=fmt.encoder(),
        format_name="ndjson",
        jobs=int(jobs),
        arguments=arguments,
    ):
        given += len(outputs)
    assert given == len(path.read_bytes().splitlines())
    return started[0] if started else None


def test_a_file_plainly_larger_than_parallel_after_goes_to_workers_after_a_block(
    monkeypatch, batch
):
    # 10,000 lines: the first block's length says the rest holds far more
    # than PARALLEL_AFTER, so the other cores do not wait for 4,000 claims.
    path, _ = batch
    monkeypatch.setattr(inputs, "BLOCK_BYTES", 1 << 16)

    before = checked_here_before_workers(monkeypatch, path)

    assert before is not None
    assert before < batching.PARALLEL_AFTER // 4


def test_a_file_of_fewer_claims_than_parallel_after_stays_in_this_process(
    monkeypatch, batch, tmp_path
):
    path, _ = batch
    small = tmp_path / "small.ndjson"
    lines = path.read_bytes().splitlines(keepends=True)
    small.write_bytes(b"".join(lines[: batching.PARALLEL_AFTER - 1]))
    monkeypatch.setattr(inputs, "BLOCK_BYTES", 1 << 16)

    assert checked_here_before_workers(monkeypatch, small) is None
