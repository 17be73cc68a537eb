"""`claimpolicy check` on a 10,000-line batch, as a shell runs it: every line
a report, the summary line on standard error, a progress bar on a terminal
only."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys

import orjson
import pytest
from batchdata import BATCH_SIZE, PLUGIN_FOLDERS

from claimpolicy.cli import main
from claimpolicy.io.readers import BOM

SUMMARY = re.compile(
    r"claimpolicy: (\d+) claims? in \d+\.\d\d s \(([\d,]+|-)/s\): "
    r"(\d+) pass, (\d+) warn, (\d+) fail, (\d+) invalid, (\d+) error\n"
)


def command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "claimpolicy", "check", *argv]


def environment() -> dict[str, str]:
    paths = [str(folder) for folder in PLUGIN_FOLDERS]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def run(*argv: str, feed: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """`claimpolicy check ARGV` as a shell runs it, `feed` on standard input."""
    return subprocess.run(
        command(*argv), input=feed, capture_output=True, env=environment(), check=False
    )


def by_jobs(*argv: str, feed: bytes | None = None) -> dict[str, bytes]:
    """The standard output of `check --jobs N ARGV`, for N of 1 and 2."""
    return {jobs: run("--jobs", jobs, *argv, feed=feed).stdout for jobs in ("1", "2")}


def counts(reports: list[dict[str, object]]) -> tuple[int, ...]:
    outcomes = [report["outcome"] for report in reports]
    return tuple(
        outcomes.count(name) for name in ("pass", "warn", "fail", "invalid", "error")
    )


@pytest.fixture(scope="module")
def runs(batch):
    """`check --jobs N` on the batch, for N of 1 and 2, as a shell runs it."""
    path, _ = batch
    return {jobs: run("--jobs", jobs, str(path)) for jobs in ("1", "2")}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_line_gets_one_report_and_the_summary_counts_them(batch, runs, jobs):
    _, expected_ids = batch
    result = runs[jobs]

    reports = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == BATCH_SIZE
    assert [report["claim_id"] for report in reports] == expected_ids
    assert result.returncode == 1  # some claims fail, some are invalid
    summary = SUMMARY.fullmatch(result.stderr.decode())
    assert summary is not None, result.stderr
    assert int(summary[1]) == BATCH_SIZE
    assert tuple(int(n) for n in summary.groups()[2:]) == counts(reports)


def test_workers_write_the_same_bytes_as_one_process(runs):
    assert runs["2"].stdout == runs["1"].stdout


def test_a_broken_line_a_worker_checked_names_its_line_of_the_file(batch, runs):
    path, _ = batch
    # Line 9712 (index 9711) is cut short, far past what this process
    # checks before workers start: workers number lines as the file does.
    report = orjson.loads(runs["2"].stdout.splitlines()[9711])

    assert report["outcome"] == "invalid"
    assert report["findings"][0]["message"].startswith(f"line 9712 of {path}: ")


def test_piped_stderr_gets_the_summary_and_no_progress_bar(batch):
    path, _ = batch

    result = run(str(path))

    stderr = result.stderr.decode()
    assert "\r" not in stderr
    assert stderr.count("\n") == 1
    assert SUMMARY.fullmatch(stderr)


def test_a_terminal_gets_a_progress_bar_then_the_summary(batch):
    path, _ = batch
    reader, writer = pty.openpty()

    process = subprocess.Popen(
        command("--jobs", "1", str(path)),
        stdout=subprocess.DEVNULL,
        stderr=writer,
        env=environment(),
    )
    os.close(writer)
    shown = _read_all(reader)
    process.wait()

    text = shown.decode(errors="replace").replace("\r\n", "\n")
    bar, _, summary = text.rpartition("claimpolicy: ")
    assert "\r" in bar
    assert re.search(r"\d+ pass, \d+ warn, \d+ fail, \d+ invalid, \d+ error", bar)
    assert "claims" in bar
    assert SUMMARY.fullmatch("claimpolicy: " + summary)


def _read_all(descriptor: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(descriptor, 65536)
        except OSError:  # the child closed the terminal (EIO on Linux)
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(descriptor)
    return b"".join(chunks)


def test_one_claim_is_counted_in_the_singular(tmp_path, passing_claim, capsys):
    path = tmp_path / "claim.json"
    path.write_bytes(orjson.dumps(passing_claim))

    code = main(["check", str(path)])

    captured = capsys.readouterr()
    assert code == 0
    assert re.fullmatch(
        r"claimpolicy: 1 claim in \d+\.\d\d s \([\d,]+/s\): "
        r"1 pass, 0 warn, 0 fail, 0 invalid, 0 error\n",
        captured.err,
    )


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_jobs_must_be_a_positive_number(tmp_path, jobs, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["check", "--jobs", jobs, str(tmp_path / "x.ndjson")])

    assert stopped.value.code == 2
    assert (
        f"{jobs!r} is not a number of processes (1 or more)" in capsys.readouterr().err
    )


def test_workers_read_crlf_marked_files_as_one_process_does(batch, tmp_path):
    # Past the first records, workers get NDJSON files in blocks: line
    # endings, a byte-order mark, a missing last newline and a second file
    # must come out as they do line by line.
    path, _ = batch
    lines = path.read_bytes().splitlines()
    first, second = tmp_path / "first.ndjson", tmp_path / "second.jsonl"
    first.write_bytes(BOM + b"\r\n".join(lines))
    second.write_bytes(b"\n".join(lines[:5000]) + b"\n")

    outputs = by_jobs(str(first), str(second))

    assert outputs["2"] == outputs["1"]
    reports = [orjson.loads(line) for line in outputs["2"].splitlines()]
    assert len(reports) == len(lines) + 5000
    # Line 4862 (index 4861) of each file is cut short.
    assert reports[4861]["findings"][0]["message"].startswith(f"line 4862 of {first}: ")
    broken = reports[len(lines) + 4861]["findings"][0]["message"]
    assert broken.startswith(f"line 4862 of {second}: ")


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_workers_write_every_format_as_one_process_does(batch, fmt):
    path, _ = batch

    outputs = by_jobs("--format", fmt, str(path))

    assert outputs["2"] == outputs["1"]
    assert outputs["1"].count(b"C-") >= 9000  # a report for each claim with an id


def test_workers_check_standard_input_as_one_process_does(batch):
    path, _ = batch
    feed = path.read_bytes()

    outputs = by_jobs("-", feed=feed)

    assert outputs["2"] == outputs["1"]
    broken = orjson.loads(outputs["2"].splitlines()[9711])["findings"][0]["message"]
    assert broken.startswith("line 9712 of standard input: ")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_feed_fed_claim_by_claim_gets_each_report_before_the_next_claim(batch, jobs):
    # A pipe on both sides and an ordinary buffered standard output (no
    # PYTHONUNBUFFERED): each report must come out while the feed is still
    # open, not when a buffer fills or the feed ends.
    path, expected_ids = batch
    lines = path.read_bytes().splitlines(keepends=True)[:3]
    env = {k: v for k, v in environment().items() if k != "PYTHONUNBUFFERED"}
    process = subprocess.Popen(
        command("--jobs", jobs, "-"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        for line, expected in zip(lines, expected_ids, strict=False):
            process.stdin.write(line)
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 30)
            assert ready, "no report came while the feed waited for it"
            report = orjson.loads(process.stdout.readline())
            assert report["claim_id"] == expected
    finally:
        process.stdin.close()
        process.wait(timeout=60)
        process.stdout.close()
    assert process.returncode in (0, 1)
