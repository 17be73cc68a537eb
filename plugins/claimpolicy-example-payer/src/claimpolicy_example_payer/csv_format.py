"""`--format csv`: one row per finding, for a claims team's spreadsheet.

A claim without findings still gets one row, with its outcome and empty
finding columns, so that every claim of the batch is in the file. Columns
are those of the report (contract version 1), flattened; a waived finding
carries who waived it and why. A cell that starts with = + - or @ is
prefixed with an apostrophe, so that a spreadsheet never runs it as a
formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO, Final

from claimpolicy import Finding, Report, ReportFormat, ReportWriter

COLUMNS: Final = (
    "claim_id",
    "outcome",
    "line",
    "severity",
    "category",
    "rule",
    "path",
    "message",
    "reference",
    "waived_by",
    "waived_reason",
)
_FORMULA_STARTS: Final = ("=", "+", "-", "@")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _rows(report: Report) -> list[list[str]]:
    head = [_cell(report.claim_id), report.outcome]
    if not report.findings:
        return [head + [""] * (len(COLUMNS) - 2)]
    return [head + _finding_cells(finding) for finding in report.findings]


def _finding_cells(finding: Finding) -> list[str]:
    waived = finding.waived
    return [
        _cell(finding.line),
        finding.severity,
        finding.category,
        _cell(finding.rule),
        _cell(finding.path),
        _cell(finding.message),
        _cell(finding.reference),
        _cell(waived.by if waived else None),
        _cell(waived.reason if waived else None),
    ]


def _encode(rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)  # RFC 4180 ends
    return buffer.getvalue().encode("utf-8")


def encode_report(report: Report) -> bytes:
    """The CSV rows of one report, as bytes."""
    return _encode(_rows(report))


class CsvWriter(ReportWriter):
    def __init__(self, stream: BinaryIO, *, evidence: bool = False) -> None:
        super().__init__(stream, evidence=evidence)
        # The header goes out first, even for an empty batch.
        self.stream.write(_encode([COLUMNS]))

    def write(self, report: Report) -> None:
        self.stream.write(encode_report(report))


class CsvFormat(ReportFormat):
    name = "csv"
    summary = "one CSV row per finding (one per claim without findings), with a header"
    writer = CsvWriter

    def encoder(self, *, evidence: bool = False) -> Callable[[Report], bytes]:
        # Worker processes of a large batch encode reports themselves; the
        # writer then only joins their bytes. Evidence has no column here.
        return encode_report
