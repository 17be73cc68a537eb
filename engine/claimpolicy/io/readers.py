"""Readers turn input files into records: one per claim, in order.

A record is the raw JSON text of one claim (bytes, parsed by the engine so
that workers share the parsing), an already parsed document, or a
`BrokenInput` that becomes an `invalid` report. Nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, ClassVar

import orjson

from claimpolicy.errors import InputError

__all__ = ["BrokenInput", "JsonReader", "NdjsonReader", "Reader", "Record"]


@dataclass(frozen=True, slots=True)
class BrokenInput:
    """A record that could not be read; the message says what and where."""

    message: str


Record = bytes | object

#: A UTF-8 byte-order mark, which some editors put at the start of a file.
BOM = b"\xef\xbb\xbf"


class Reader:
    """Base of input readers. Subclasses set `name` and `suffixes`."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    streaming: ClassVar[bool] = False  # True when it reads standard input too
    #: What one record is in the file, for messages: "line 7 of claims.ndjson".
    unit: ClassVar[str] = "record"

    def read(self, stream: BinaryIO, source: str) -> Iterator[Record]:
        raise NotImplementedError


class NdjsonReader(Reader):
    """One claim per line; blank and broken lines are records too."""

    name = "ndjson"
    suffixes = (".ndjson", ".jsonl")
    streaming = True
    unit = "line"

    def read(self, stream: BinaryIO, source: str) -> Iterator[Record]:
        empty = True
        for raw in stream:
            if empty:
                raw = raw.removeprefix(BOM)
            empty = False
            # Lines are handed on unparsed: the engine (or a worker) parses.
            yield raw.rstrip(b"\r\n")
        if empty and source != "-":
            raise InputError(source, "the file is empty")


class JsonReader(Reader):
    """A JSON file holding one claim or an array of claims."""

    name = "json"
    suffixes = (".json",)

    def read(self, stream: BinaryIO, source: str) -> Iterator[Record]:
        data = stream.read().removeprefix(BOM)
        if not data.strip():
            raise InputError(source, "the file is empty")
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise InputError(source, f"not valid JSON: {error}") from None
        if isinstance(document, list):
            yield from document
        else:
            yield document
