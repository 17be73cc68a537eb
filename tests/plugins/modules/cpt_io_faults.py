"""A reader and report formats that raise, for the tests of a run that goes on.

- `.cptfail` files: one JSON claim per line, like NDJSON, until a line that
  reads `!raise`, where the reader raises with claim-like text in the message;
- `--format cpt-encoder-raises`: NDJSON, but encoding the report of a claim
  whose id ends in `-4500` or is `RAISE` raises (in worker processes too);
- `--format cpt-writer-raises`: writes one line per report, and raises when
  writing the second.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import orjson

from claimpolicy import Reader, Report, ReportFormat, ReportWriter, hookimpl

SECRET = "SECRET-PATIENT-42"


class RaisingLines(Reader):
    name = "cpt-raising-lines"
    suffixes = (".cptfail",)
    unit = "line"

    def read(self, stream: BinaryIO, source: str) -> Iterator[bytes]:
        for raw in stream:
            text = raw.rstrip(b"\n")
            if text == b"!raise":
                raise ValueError(f"cannot read the claim of {SECRET}")
            yield text


def _encode(report: Report) -> bytes:
    claim_id = report.claim_id or ""
    if claim_id.endswith("-4500") or claim_id == "RAISE":
        raise KeyError(f"{SECRET} in {claim_id}")
    return orjson.dumps({"id": claim_id, "outcome": report.outcome}) + b"\n"


class _EncodedWriter(ReportWriter):
    def write(self, report: Report) -> None:
        self.write_encoded(_encode(report))


class EncoderRaises(ReportFormat):
    name = "cpt-encoder-raises"
    summary = "claim id and outcome as JSON; raises on claims ending in -4500"
    writer = _EncodedWriter

    def encoder(self, *, evidence: bool = False) -> object:
        return _encode


class _SecondWriteRaises(ReportWriter):
    written = 0

    def write(self, report: Report) -> None:
        self.written += 1
        if self.written == 2:
            raise RuntimeError(f"{SECRET}: disk full")
        self.stream.write(f"{report.claim_id}\n".encode())


class WriterRaises(ReportFormat):
    name = "cpt-writer-raises"
    summary = "claim ids, one a line; raises on the second"
    writer = _SecondWriteRaises


@hookimpl
def claimpolicy_register_readers() -> list[Reader]:
    return [RaisingLines()]


@hookimpl
def claimpolicy_register_formats() -> list[ReportFormat]:
    return [EncoderRaises(), WriterRaises()]
