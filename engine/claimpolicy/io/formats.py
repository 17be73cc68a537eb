"""Report formats for the command line: ndjson, json and text.

A format opens a writer on a binary stream; the writer takes reports one at
a time, as soon as each is ready, so a batch never waits in memory.

A format may also give an `encoder`: a function that turns one report into
the bytes its writer would write for it. Worker processes then send those
bytes back instead of report objects, and the writer only joins them
(`write_encoded`); the output is the same byte for byte.
"""

from __future__ import annotations

import re
from typing import BinaryIO, ClassVar

import orjson

from claimpolicy.io.encoders import Encoder, JsonEncoder
from claimpolicy.report import Finding, Report

__all__ = [
    "WHOLE_DOCUMENT",
    "Encoder",
    "JsonFormat",
    "NdjsonFormat",
    "ReportFormat",
    "ReportWriter",
    "TextFormat",
]

#: How the text format shows the JSON Pointer "" (the whole document): "/" is
#: another pointer (the member named "" of the document).
WHOLE_DOCUMENT = "(document)"
#: What could break a line of text output: control characters, NEL and the
#: Unicode line and paragraph separators (all that str.splitlines splits on).
_UNSAFE_IN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class ReportWriter:
    def __init__(self, stream: BinaryIO, *, evidence: bool = False) -> None:
        self.stream = stream
        self.evidence = evidence

    def write(self, report: Report) -> None:
        raise NotImplementedError

    def write_encoded(self, data: bytes) -> None:
        """Write one report that the format's encoder already turned into bytes."""
        self.stream.write(data)

    def write_all_encoded(self, data: list[bytes]) -> None:
        """Write several encoded reports, in order (a worker's chunk at a time).

        Calls `write_encoded` for each; a writer that only concatenates can
        write them in one call instead.
        """
        for one in data:
            self.write_encoded(one)

    def close(self) -> None:
        self.stream.flush()


class _ConcatenatingWriter(ReportWriter):
    """A writer whose output is its reports' bytes, one after the other."""

    def write_all_encoded(self, data: list[bytes]) -> None:
        self.stream.write(b"".join(data))


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
    return JsonEncoder(evidence=evidence, option=orjson.OPT_APPEND_NEWLINE)


def _json_encoder(evidence: bool) -> Encoder:
    return JsonEncoder(evidence=evidence)


class _NdjsonWriter(_ConcatenatingWriter):
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


class _TextWriter(_ConcatenatingWriter):
    def write(self, report: Report) -> None:
        self.stream.write(_text(report, self.evidence).encode())


def _text(report: Report, evidence: bool) -> str:
    claim_id = _shown(report.claim_id) if report.claim_id else "(no claim id)"
    lines = [f"{claim_id}: {report.outcome.upper()}"]
    if report.packs:
        packs = ", ".join(f"{p.name} {p.version}" for p in report.packs)
        lines.append(f"  packs: {_shown(packs)}")
    for finding in report.findings:
        lines.extend(_finding_lines(finding, evidence))
    return "\n".join(lines) + "\n"


def _finding_lines(finding: Finding, evidence: bool) -> list[str]:
    where = f"line {finding.line}" if finding.line else "claim"
    waived = (
        f" [waived by {finding.waived.by}: {finding.waived.reason}]"
        if finding.waived
        else ""
    )
    path = finding.path or WHOLE_DOCUMENT
    lines = [
        f"  {where:<8} {finding.severity:<7} {finding.category:<17} "
        f"{_shown(finding.rule + waived)}",
        f"           {_shown(path)}: {_shown(finding.message)}",
    ]
    if evidence and finding.evidence:
        shown = ", ".join(f"{k}={v}" for k, v in finding.evidence.items())
        lines.append(f"           because: {_shown(shown)}")
    return lines


def _shown(text: str) -> str:
    """`text` on one line: a newline in a claim id cannot fake a report line."""
    if _UNSAFE_IN_TEXT.search(text) is None:
        return text
    return _UNSAFE_IN_TEXT.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


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
