"""Readers held to their word while the command line reads its files.

Each reader a plugin registered is wrapped before the first file is opened:

- a record of raw JSON text travels with where it came from (`Numbered`),
  so that a line that is not JSON is reported as "line 7 of claims.ndjson";
- a reader that raises costs only what it could not read: the record it
  failed to give becomes a `ReaderFault` (an `error` report naming the
  plugin), and the rest of that file is skipped, because a reader that
  raised cannot be trusted to resume. The next file is read as usual.

An `InputError` is a reader's own verdict that a file cannot be read at all;
it still stops the run, as it does before the first claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, NamedTuple

from claimpolicy.errors import ClaimpolicyError, InputError
from claimpolicy.io.readers import NdjsonReader, Reader, Record
from claimpolicy.plugins import PluginHost

__all__ = [
    "READERS_HOOK",
    "LineBlock",
    "Numbered",
    "ReaderFault",
    "check_readable",
    "guarded_readers",
    "place",
    "reads_lines_as_they_are",
]

READERS_HOOK = "claimpolicy_register_readers"
STDIN = "-"


class Numbered(NamedTuple):
    """Raw JSON text and its place: record `number` (1-based) of `source`.

    A tuple, because a batch sends these to worker processes by the
    thousand and a tuple pickles at next to no cost.
    """

    text: bytes | str
    source: str
    number: int
    unit: str


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Lines `first`, `first + 1`, ... of an NDJSON file, as read: `data`
    holds them whole, each ended by a newline but perhaps the last.

    A batch sends lines to its workers this way, so that the calling
    process reads a block of a file where it would otherwise read, wrap
    and send each line by itself. `lines` splits them as `NdjsonReader`
    would.
    """

    data: bytes
    source: str
    first: int
    unit: str = "line"
    # The lines once split, so that `count` need not scan the block again
    # (a twentieth of what checking a claim costs). Not sent to workers:
    # see __reduce__.
    _lines: list[bytes] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def lines(self) -> list[bytes]:
        if self._lines is not None:
            return self._lines
        lines = self.data.split(b"\n")
        if self.data.endswith(b"\n"):
            lines.pop()  # the newline ends the last line; it starts none
        if b"\r" in self.data:
            lines = [line.rstrip(b"\r") for line in lines]
        object.__setattr__(self, "_lines", lines)  # frozen: a cache, not a field
        return lines

    @property
    def count(self) -> int:
        if self._lines is not None:
            return len(self._lines)
        return self.data.count(b"\n") + (not self.data.endswith(b"\n"))

    def __reduce__(self) -> tuple[Any, ...]:
        # A worker splits the block itself: the list would double what the
        # pipe carries.
        return (LineBlock, (self.data, self.source, self.first, self.unit))


@dataclass(frozen=True, slots=True)
class ReaderFault:
    """A reader raised instead of giving record `number` of `source`."""

    plugin: str
    reader: str
    error: str  # the exception's type name; its text may quote a claim
    source: str
    number: int
    unit: str


def place(unit: str, number: int, source: str) -> str:
    """Where a record is, in words: "line 7 of claims.ndjson"."""
    shown = "standard input" if source == STDIN else source
    return f"{unit} {number} of {shown}"


def reads_lines_as_they_are(reader: Reader) -> bool:
    """Whether `reader`, guarded or not, is the built-in NDJSON reader,
    whose records are its file's lines as they are (see `LineBlock`)."""
    inner = reader.reader if isinstance(reader, _Guarded) else reader
    return type(inner) is NdjsonReader


def guarded_readers(
    plugins: PluginHost, readers: dict[str, Reader]
) -> dict[str, Reader]:
    """The same suffix-to-reader table, each reader wrapped (see above)."""
    owners = {id(reader): plugin for plugin, reader in plugins.collect(READERS_HOOK)}
    guarded: dict[int, Reader] = {}
    for reader in readers.values():
        if id(reader) not in guarded:
            guarded[id(reader)] = _Guarded(reader, owners.get(id(reader), "?"))
    return {suffix: guarded[id(reader)] for suffix, reader in readers.items()}


class _Guarded(Reader):
    def __init__(self, reader: Reader, plugin: str) -> None:
        self.reader = reader
        self.plugin = plugin

    def read(self, stream: BinaryIO, source: str) -> Iterator[Record]:
        unit = getattr(self.reader, "unit", "record")
        number = 0
        records = iter(self.reader.read(stream, source))
        while True:
            number += 1
            try:
                record = next(records)
            except StopIteration:
                return
            except ClaimpolicyError:
                raise
            except Exception as error:
                yield self._fault(error, source, number, unit)
                return
            if isinstance(record, bytes | str):
                yield Numbered(record, source, number, unit)
            else:
                yield record

    def _fault(
        self, error: Exception, source: str, number: int, unit: str
    ) -> ReaderFault:
        name = getattr(self.reader, "name", type(self.reader).__name__)
        kind = type(error).__name__
        return ReaderFault(self.plugin, str(name), kind, source, number, unit)


def check_readable(names: list[str]) -> None:
    """Fail before any output when a named file cannot be opened for reading."""
    for name in names:
        if name == STDIN:
            continue
        try:
            with open(name, "rb"):
                pass
        except OSError as error:
            raise InputError(name, f"cannot be read: {error.strerror}") from None
