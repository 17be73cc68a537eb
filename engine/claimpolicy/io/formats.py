"""Report formats for the command line: ndjson, json and text.

A format opens a writer on a binary stream; the writer takes reports one at
a time, as soon as each is ready, so a batch never waits in memory.
"""

from __future__ import annotations

from typing import BinaryIO, ClassVar

import orjson

from claimpolicy.report import Report

__all__ = ["JsonFormat", "NdjsonFormat", "ReportFormat", "ReportWriter", "TextFormat"]


class ReportWriter:
    def __init__(self, stream: BinaryIO, *, evidence: bool = False) -> None:
        self.stream = stream
        self.evidence = evidence

    def write(self, report: Report) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.stream.flush()


class ReportFormat:
    """Base of report formats. Subclasses set `name` and `writer`."""

    name: ClassVar[str]
    summary: ClassVar[str]
    writer: ClassVar[type[ReportWriter]]

    def open(self, stream: BinaryIO, *, evidence: bool = False) -> ReportWriter:
        return self.writer(stream, evidence=evidence)


class _NdjsonWriter(ReportWriter):
    def write(self, report: Report) -> None:
        self.stream.write(orjson.dumps(report.to_dict(evidence=self.evidence)) + b"\n")


class _JsonWriter(ReportWriter):
    def __init__(self, stream: BinaryIO, *, evidence: bool = False) -> None:
        super().__init__(stream, evidence=evidence)
        self._count = 0

    def write(self, report: Report) -> None:
        self.stream.write(b"[\n" if self._count == 0 else b",\n")
        self.stream.write(orjson.dumps(report.to_dict(evidence=self.evidence)))
        self._count += 1

    def close(self) -> None:
        self.stream.write(b"\n]\n" if self._count else b"[]\n")
        super().close()


class _TextWriter(ReportWriter):
    def write(self, report: Report) -> None:
        lines = [f"{report.claim_id or '(no claim id)'}: {report.outcome.upper()}"]
        if report.packs:
            lines.append(
                "  packs: " + ", ".join(f"{p.name} {p.version}" for p in report.packs)
            )
        for finding in report.findings:
            where = f"line {finding.line}" if finding.line else "claim"
            waived = f" [waived by {finding.waived.by}: {finding.waived.reason}]" if finding.waived else ""
            lines.append(
                f"  {where:<8} {finding.severity:<7} {finding.category:<17} "
                f"{finding.rule}{waived}"
            )
            lines.append(f"           {finding.path or '/'}: {finding.message}")
            if self.evidence and finding.evidence:
                shown = ", ".join(f"{k}={v}" for k, v in finding.evidence.items())
                lines.append(f"           because: {shown}")
        self.stream.write(("\n".join(lines) + "\n").encode())


class NdjsonFormat(ReportFormat):
    name = "ndjson"
    summary = "one JSON report per line, in input order"
    writer = _NdjsonWriter


class JsonFormat(ReportFormat):
    name = "json"
    summary = "a JSON array of reports"
    writer = _JsonWriter


class TextFormat(ReportFormat):
    name = "text"
    summary = "a readable summary per claim (the default on a terminal)"
    writer = _TextWriter
