"""A plugin's reader or report format that raises in the middle of a large
batch, with and without worker processes (tests/plugins/modules/cpt_io_faults).

A raising reader costs only what it cannot read: the record where it failed
gets an `error` report, the rest of its file is skipped, the next file is
read. A raising format stops the run (exit 2): its output cannot be trusted.
"""

from __future__ import annotations

import os
import subprocess
import sys

import orjson
import pytest
from batchdata import PLUGIN_FOLDERS, claim_id

from claimpolicy.batch import PARALLEL_AFTER

SECRET = b"SECRET-PATIENT-42"
FAILS_AT = 4_500  # past PARALLEL_AFTER: workers check the records around it


def check(*argv: str) -> subprocess.CompletedProcess[bytes]:
    paths = os.pathsep.join(str(folder) for folder in PLUGIN_FOLDERS)
    return subprocess.run(
        [sys.executable, "-m", "claimpolicy", "check", *argv],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": paths},
        check=False,
    )


@pytest.fixture(scope="module")
def raising_file(batch, tmp_path_factory):
    """The shared batch as a `.cptfail` file whose reader raises at FAILS_AT."""
    path, expected_ids = batch
    lines = path.read_bytes().splitlines()
    lines[FAILS_AT - 1] = b"!raise"
    raising = tmp_path_factory.mktemp("faults") / "claims.cptfail"
    raising.write_bytes(b"\n".join(lines) + b"\n")
    return raising, expected_ids[: FAILS_AT - 1]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_raising_reader_costs_the_rest_of_its_file_only(
    raising_file, tmp_path, passing_claim, jobs
):
    assert FAILS_AT > PARALLEL_AFTER
    raising, expected_ids = raising_file
    after = tmp_path / "after.json"
    after.write_bytes(orjson.dumps(passing_claim))

    result = check(
        *("--plugin", "cpt_io_faults", "--plugin", "cpb_raises_in_workers"),
        *("--jobs", jobs, str(raising), str(after)),
    )

    reports = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1
    # cpb_raises_in_workers tells which records workers checked.
    in_workers = [r for r in reports if "cpb_raises_in_workers" in str(r)]
    assert bool(in_workers) == (jobs == "2")
    assert [r["claim_id"] for r in reports] == [*expected_ids, None, "EX-2026-0001"]
    fault = reports[FAILS_AT - 1]
    assert fault["outcome"] == "error"
    assert [f["message"] for f in fault["findings"]] == [
        "plugin cpt_io_faults raised ValueError in reader 'cpt-raising-lines' "
        f"(claimpolicy_register_readers); line {FAILS_AT} of {raising} and the "
        "rest of the file were not read"
    ]
    assert fault["findings"][0]["category"] == "engine"
    assert reports[-1]["outcome"] == "pass"
    assert b"Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_format_raising_while_encoding_stops_the_run_naming_it(batch, jobs):
    path, _ = batch
    assert claim_id(FAILS_AT) == "C-4500"

    result = check(
        "--plugin",
        "cpt_io_faults",
        "--format",
        "cpt-encoder-raises",
        "--jobs",
        jobs,
        str(path),
    )

    assert result.returncode == 2
    assert result.stderr.decode() == (
        "claimpolicy: error: plugin cpt_io_faults: report format "
        "'cpt-encoder-raises' (claimpolicy_register_formats) raised KeyError "
        "while encoding a report; the output is incomplete\n"
    )
    assert len(result.stdout.splitlines()) <= FAILS_AT
    assert SECRET not in result.stdout + result.stderr
