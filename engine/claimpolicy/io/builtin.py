"""The built-in readers and formats enter through the plugin hooks."""

from __future__ import annotations

from claimpolicy.hookspecs import hookimpl
from claimpolicy.io.formats import JsonFormat, NdjsonFormat, ReportFormat, TextFormat
from claimpolicy.io.readers import JsonReader, NdjsonReader, Reader


@hookimpl
def claimpolicy_register_readers() -> list[Reader]:
    return [JsonReader(), NdjsonReader()]


@hookimpl
def claimpolicy_register_formats() -> list[ReportFormat]:
    return [NdjsonFormat(), JsonFormat(), TextFormat()]
