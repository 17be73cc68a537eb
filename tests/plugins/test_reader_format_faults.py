"""A plugin's reader or report format that raises, on a small batch in one
process (tests/plugins/modules/cpt_io_faults.py; the large batches with
workers are in tests/batch/test_io_faults.py)."""

from __future__ import annotations

import copy
import json

from conftest import run, write_ndjson

SECRET = "SECRET-PATIENT-42"


def test_a_reader_raising_at_its_first_line_gives_that_line_a_report(
    tmp_path, passing_claim
):
    path = tmp_path / "claims.cptfail"
    path.write_text("!raise\n")
    after = write_ndjson(tmp_path / "after.ndjson", [passing_claim])

    result = run("check", "--plugin", "cpt_io_faults", str(path), str(after))

    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["outcome"] for r in reports] == ["error", "pass"]
    assert reports[0]["findings"][0]["message"] == (
        "plugin cpt_io_faults raised ValueError in reader 'cpt-raising-lines' "
        f"(claimpolicy_register_readers); line 1 of {path} and the rest of the "
        "file were not read"
    )
    assert result.returncode == 1
    assert SECRET not in result.stdout + result.stderr


def test_a_writer_that_raises_stops_the_run_with_one_line(tmp_path, passing_claim):
    second = copy.deepcopy(passing_claim)
    second["claim_id"] = "EX-2"
    path = write_ndjson(tmp_path / "claims.ndjson", [passing_claim, second, second])

    result = run(
        "check", "--plugin", "cpt_io_faults", "--format", "cpt-writer-raises", str(path)
    )

    assert result.returncode == 2
    assert result.stdout == "EX-2026-0001\n"
    assert result.stderr == (
        "claimpolicy: error: plugin cpt_io_faults: report format "
        "'cpt-writer-raises' (claimpolicy_register_formats) raised RuntimeError "
        "while writing a report; the output is incomplete\n"
    )
