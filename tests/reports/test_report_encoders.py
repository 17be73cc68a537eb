"""The JSON formats write exactly `Report.to_dict`, whichever way they build it.

The encoders take a shorter way for a report without findings; these tests
hold both ways to the report's own dict, byte for byte.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import orjson
import pytest

from claimpolicy import Engine
from claimpolicy.io.formats import JsonFormat, NdjsonFormat, TextFormat
from claimpolicy.report import PackStamp, Report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    engine = Engine(explain=True)
    passing = json.loads((EXAMPLES / "infusion-visit-pass.json").read_text())
    failing = json.loads((EXAMPLES / "infusion-visit-fail.json").read_text())
    found = [engine.check(passing), engine.check(failing), engine.check({})]
    outcomes = [report.outcome for report in found]
    assert outcomes == ["pass", "fail", "invalid"]
    assert not found[0].findings
    assert found[0].packs
    return found


@pytest.mark.parametrize("evidence", [False, True])
def test_ndjson_lines_are_the_reports_dicts(reports, evidence):
    encode = NdjsonFormat().encoder(evidence=evidence)
    for report in reports:
        expected = orjson.dumps(report.to_dict(evidence=evidence)) + b"\n"
        assert encode(report) == expected


@pytest.mark.parametrize("evidence", [False, True])
def test_json_items_are_the_reports_dicts(reports, evidence):
    encode = JsonFormat().encoder(evidence=evidence)
    for report in reports:
        assert encode(report) == orjson.dumps(report.to_dict(evidence=evidence))


def test_a_report_without_packs_or_claim_id_keeps_its_nulls():
    report = Report(None, "invalid", (), [])
    line = NdjsonFormat().encoder()(report)
    assert orjson.loads(line) == {
        "claim_id": None,
        "outcome": "invalid",
        "packs": [],
        "findings": [],
    }


@pytest.mark.parametrize("fmt", [NdjsonFormat(), JsonFormat(), TextFormat()])
def test_a_chunk_written_at_once_reads_as_its_reports_written_one_by_one(reports, fmt):
    encode = fmt.encoder()
    encoded = [encode(report) for report in reports]
    one_by_one, at_once = io.BytesIO(), io.BytesIO()

    writer = fmt.open(one_by_one)
    for data in encoded:
        writer.write_encoded(data)
    writer.close()
    writer = fmt.open(at_once)
    writer.write_all_encoded(encoded[:1])
    writer.write_all_encoded(encoded[1:])
    writer.close()

    assert at_once.getvalue() == one_by_one.getvalue()
    assert one_by_one.getvalue().count(b"EX-2026-000") == 2


@pytest.mark.parametrize("fmt", [NdjsonFormat(), JsonFormat()])
def test_reports_without_findings_encode_as_their_dicts_whatever_the_id(reports, fmt):
    stamps = reports[0].packs
    same_stamps_again = tuple(PackStamp(s.name, s.version, s.digest) for s in stamps)
    encode = fmt.encoder()
    option = orjson.OPT_APPEND_NEWLINE if fmt.name == "ndjson" else 0
    for claim_id in ["A-1", 'quote " and \\', "caf\u00e9 \u2028 \u2029", None, ""]:
        for outcome, packs in [
            ("pass", stamps),
            ("pass", same_stamps_again),
            ("pass", ()),
            ("error", stamps),  # no findings, yet not a pass (a plugin's doing)
        ]:
            report = Report(claim_id, outcome, packs, [])
            expected = orjson.dumps(report.to_dict(), option=option)
            expected = expected.replace("\u2028".encode(), b"\\u2028")
            expected = expected.replace("\u2029".encode(), b"\\u2029")

            assert encode(report) == expected
