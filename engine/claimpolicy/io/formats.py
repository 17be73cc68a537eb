"""Report formats for the command line: ndjson, json and text.

A format opens a writer on a binary stream; the writer takes reports one at
a time, as soon as each is ready, so a batch never waits in memory.

A format may also give an `encoder`: a function that turns one report into
the bytes its writer would write for it. Worker processes then send those
bytes back instead of report objects, and the writer only joins them
(`write_encoded`); the output is the same byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, ClassVar

import orjson

from claimpolicy.report import Report

__all__ = [
    "Encoder",
    "JsonFormat",
    "NdjsonFormat",
    "ReportFormat",
    "ReportWriter",
    "TextFormat",
]

Encoder = Callable[[Report], bytes]


class ReportWriter:
    def __init__(self, stream: BinaryIO, *, evidence: bool = False) -> None:
        self.stream = stream
        self.evidence = evidence

    def write(self, report: Report) -> None:
        raise NotImplementedError

    def write_encoded(self, data: bytes) -> None:
        """Write one report that the format's encoder already turned into bytes."""
        self.stream.write(data)

    def close(self) -> None:
        self.stream.flush()


class ReportFormat:
    """Base of report formats. Subclasses set `name` and `writer`."""

    name: ClassVar[str]
    summary: ClassVar[str]
    writer: ClassVar[type[ReportWriter]]

    def open(self, stream: BinaryIO, *, evidence: bool = False) -> ReportWriter:
        return self.writer(stream, evidence=evidence)

    def encoder(self, *, evidence: bool = False) -> Encoder | None:
        """The report-to-bytes function that `write_encoded` expects, if any.

        None (the default) means the writer needs report objects; a format
        that returns an encoder must write `encoder(report)` through
        `write_encoded` and nothing else per report.
        """
        return None


def _ndjson_encoder(evidence: bool) -> Encoder:
    def encode(report: Report) -> bytes:
        return orjson.dumps(report.to_dict(evidence=evidence)) + b"\n"

    return encode


def _json_encoder(evidence: bool) -> Encoder:
    def encode(report: Report) -> bytes:
        return orjson.dumps(report.to_dict(evidence=evidence))

    return encode


class _NdjsonWriter(ReportWriter):
    def __init__(self, stream: BinaryIO, *, evidence: bool = False) -> None:
        super().__init__(stream, evidence=evidence)
        self._encode = _ndjson_encoder(evidence)

    def write(self, report: Report) -> None:
        self.stream.write(self._encode(report))


class _JsonWriter(ReportWriter):
    def __init__(self, stream: BinaryIO, *, evidence: bool = False) -> None:
        super().__init__(stream, evidence=evidence)
        self._encode = _json_encoder(evidence)
        self._count = 0

    def write(self, report: Report) -> None:
        self.write_encoded(self._encode(report))

    def write_encoded(self, data: bytes) -> None:
        self.stream.write(b"[\n" if self._count == 0 else b",\n")
        self.stream.write(data)
        self._count += 1

    def close(self) -> None:
        self.stream.write(b"\n]\n" if self._count else b"[]\n")
        super().close()


def _text_encoder(evidence: bool) -> Encoder:
    def encode(report: Report) -> bytes:
        return _text(report, evidence).encode()

    return encode


class _TextWriter(ReportWriter):
    def write(self, report: Report) -> None:
        self.stream.write(_text(report, self.evidence).encode())


def _text(report: Report, evidence: bool) -> str:
    lines = [f"{report.claim_id or '(no claim id)'}: {report.outcome.upper()}"]
    if report.packs:
        lines.append(
            "  packs: " + ", ".join(f"{p.name} {p.version}" for p in report.packs)
        )
    for finding in report.findings:
        where = f"line {finding.line}" if finding.line else "claim"
        waived = (
            f" [waived by {finding.waived.by}: {finding.waived.reason}]"
            if finding.waived
            else ""
        )
        lines.append(
            f"  {where:<8} {finding.severity:<7} {finding.category:<17} "
            f"{finding.rule}{waived}"
        )
        lines.append(f"           {finding.path or '/'}: {finding.message}")
        if evidence and finding.evidence:
            shown = ", ".join(f"{k}={v}" for k, v in finding.evidence.items())
            lines.append(f"           because: {shown}")
    return "\n".join(lines) + "\n"


class NdjsonFormat(ReportFormat):
    name = "ndjson"
    summary = "one JSON report per line, in input order"
    writer = _NdjsonWriter

    def encoder(self, *, evidence: bool = False) -> Encoder:
        return _ndjson_encoder(evidence)


class JsonFormat(ReportFormat):
    name = "json"
    summary = "a JSON array of reports"
    writer = _JsonWriter

    def encoder(self, *, evidence: bool = False) -> Encoder:
        return _json_encoder(evidence)


class TextFormat(ReportFormat):
    name = "text"
    summary = "a readable summary per claim (the default on a terminal)"
    writer = _TextWriter

    def encoder(self, *, evidence: bool = False) -> Encoder:
        return _text_encoder(evidence)
