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
from collections.abc import Callable
from typing import BinaryIO, ClassVar

import orjson

from claimpolicy.report import Finding, PackStamp, Report

__all__ = [
    "WHOLE_DOCUMENT",
    "Encoder",
    "JsonFormat",
    "NdjsonFormat",
    "ReportFormat",
    "ReportWriter",
    "TextFormat",
]

Encoder = Callable[[Report], bytes]

#: How the text format shows the JSON Pointer "" (the whole document): "/" is
#: another pointer (the member named "" of the document).
WHOLE_DOCUMENT = "(document)"
#: What could break a line of text output: control characters, NEL and the
#: Unicode line and paragraph separators (all that str.splitlines splits on).
_UNSAFE_IN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: The UTF-8 lead of U+2000..U+203F, which holds U+2028 and U+2029; orjson
#: leaves both unescaped, and readers that split on str.splitlines break.
_SEPARATOR_LEAD = b"\xe2\x80"


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


def _json_bytes(evidence: bool, option: int = 0) -> Encoder:
    """The encoder of a report as one JSON text, `Report.to_dict` to the byte.

    A report without findings (most of a batch) takes a shorter way: all
    of its text after the claim id depends only on its outcome and pack
    stamps, which a rule set shares with every claim it checks, so that
    text is made once per rule set and outcome and only the id is encoded
    per claim. One function per report, for it runs on every claim.
    """
    # id(stamps) -> (stamps, {outcome: the text after the claim id}). The
    # stamps are kept with their texts: an id is only unique while its
    # object lives.
    tails: dict[int, tuple[tuple[PackStamp, ...], dict[str, bytes]]] = {}

    def encode(report: Report) -> bytes:
        if report.findings:
            return _safe(orjson.dumps(report.to_dict(evidence=evidence), option=option))
        packs = report.packs
        known = tails.get(id(packs))
        if known is None or known[0] is not packs:
            if len(tails) >= _MOST_STAMPS:
                tails.clear()
            known = tails[id(packs)] = (packs, {})
        tail = known[1].get(report.outcome)
        if tail is None:
            tail = known[1][report.outcome] = _tail(report.outcome, packs, option)
        return b'{"claim_id":' + _safe(orjson.dumps(report.claim_id)) + tail

    return encode


#: Sets of pack stamps an encoder keeps texts for: far more rule sets than a
#: batch uses; past it the texts are made again.
_MOST_STAMPS = 1024
_NO_ID = b'{"claim_id":null'


def _tail(outcome: str, packs: tuple[PackStamp, ...], option: int) -> bytes:
    """The text of a report without findings after its claim id."""
    plain: dict[str, object] = {
        "claim_id": None,
        "outcome": outcome,
        "packs": packs,
        "findings": [],
    }
    # orjson writes the stamps, dataclasses, field by field in their order,
    # as `PackStamp.to_dict` would.
    text = _safe(orjson.dumps(plain, option=option))
    assert text.startswith(_NO_ID), "orjson changed how it writes an object"
    return text[len(_NO_ID) :]


def _safe(data: bytes) -> bytes:
    """`data` with U+2028 and U+2029 escaped (see `_SEPARATOR_LEAD`)."""
    if _SEPARATOR_LEAD in data:  # rare: only then pay for the replacing
        data = data.replace(b"\xe2\x80\xa8", b"\\u2028")
        data = data.replace(b"\xe2\x80\xa9", b"\\u2029")
    return data


def _ndjson_encoder(evidence: bool) -> Encoder:
    return _json_bytes(evidence, orjson.OPT_APPEND_NEWLINE)


def _json_encoder(evidence: bool) -> Encoder:
    return _json_bytes(evidence)


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
