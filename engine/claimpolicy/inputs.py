"""Open the files named on the command line and read them into records."""

from __future__ import annotations

import io
import os
import select
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from claimpolicy.errors import InputError
from claimpolicy.io.readers import BOM, Reader, Record
from claimpolicy.io.sources import LineBlock, reads_lines_as_they_are
from claimpolicy.plugins import PluginHost

__all__ = [
    "STDIN",
    "Records",
    "check_inputs",
    "may_wait",
    "readers_by_suffix",
    "records",
]

STDIN = "-"


def readers_by_suffix(plugins: PluginHost) -> dict[str, Reader]:
    readers: dict[str, Reader] = {}
    for _, reader in plugins.collect("claimpolicy_register_readers"):
        for suffix in reader.suffixes:
            readers.setdefault(suffix.lower(), reader)
    return readers


def _reader_for(name: str, readers: Mapping[str, Reader]) -> Reader:
    if name == STDIN:
        return readers[".ndjson"]
    lowered = name.lower()
    # The longest matching suffix wins, so `.837.txt` can beat `.txt`.
    for suffix in sorted(readers, key=len, reverse=True):
        if lowered.endswith(suffix):
            return readers[suffix]
    known = ", ".join(sorted(readers))
    raise InputError(name, f"no reader for this file type (known: {known})")


def check_inputs(names: Sequence[str], readers: Mapping[str, Reader]) -> None:
    """Fail before any output when a named file cannot be read at all."""
    for name in names:
        _reader_for(name, readers)
        if name == STDIN:
            continue
        path = Path(name)
        if not path.exists():
            raise InputError(name, "file not found")
        if not path.is_file():
            raise InputError(name, "not a file")
        if path.stat().st_size == 0:
            raise InputError(name, "the file is empty")


def may_wait(names: Sequence[str]) -> bool:
    """Whether reading `names` may wait for input to come: they name
    standard input, and it is a pipe, a terminal or a socket, not a file."""
    if STDIN not in names:
        return False
    try:
        _size(sys.stdin.fileno())
    except (OSError, ValueError, io.UnsupportedOperation, _NotAFile):
        return True  # a pipe, or cannot tell: as if it could wait
    return False


def records(names: Sequence[str], readers: Mapping[str, Reader]) -> Records:
    """Every record of every file, in order, read lazily."""
    return Records(names, readers)


#: Bytes of an NDJSON file read at a time when a batch takes it in blocks:
#: about 450 claims of a kilobyte, near the records of a worker's chunk.
BLOCK_BYTES = 1 << 19


class Records:
    """Every record of every file named, in order, read lazily.

    Iterated, it gives one record at a time. `items` gives the rest with
    the lines of an NDJSON file read by the built-in reader as
    `LineBlock`s, read straight from the file (or standard input), and
    `chunks` gathers those items for workers. A batch takes its records
    that way: reading, wrapping and handing on each line by itself cost
    about as much as parsing it.
    """

    def __init__(self, names: Sequence[str], readers: Mapping[str, Reader]) -> None:
        self._names = list(names)
        self._readers = readers
        self._in_blocks = False
        self._reading: tuple[int, BinaryIO] | None = None  # (index, stream)
        self._each = self._records()

    def __iter__(self) -> Records:
        return self

    def __next__(self) -> Record:
        return next(self._each)

    def items(self) -> Iterator[Record | LineBlock]:
        """The records not yet given, the lines of an NDJSON file (read by
        the built-in reader) as `LineBlock`s of up to BLOCK_BYTES."""
        self._in_blocks = True
        return self._each

    def chunks(self, size: int) -> Iterator[list[Record] | LineBlock]:
        """The records not yet given: lists of at most `size`, and blocks."""
        return grouped(self.items(), size)

    def _blocks_wanted(self) -> bool:
        # A method, not the attribute read in place: chunks() sets the flag
        # while _file is suspended, which a type checker cannot see and
        # would take the second test of it for dead code.
        return self._in_blocks

    def unread_bytes(self) -> int | None:
        """Bytes of the files named that are not read yet; None when that
        cannot be known (standard input that is not a file)."""
        if self._reading is None:
            return None
        index, stream = self._reading
        try:
            left = _size(stream.fileno()) - stream.tell()
            for name in self._names[index + 1 :]:
                left += _size(sys.stdin.fileno()) if name == STDIN else _size(name)
        except (OSError, ValueError, io.UnsupportedOperation, _NotAFile):
            return None
        return max(left, 0)

    def _records(self) -> Iterator[Record]:
        for index, name in enumerate(self._names):
            reader = _reader_for(name, self._readers)
            if name == STDIN:
                self._reading = (index, sys.stdin.buffer)
                yield from self._file(name, reader, sys.stdin.buffer)
                continue
            try:
                with open(name, "rb") as stream:
                    self._reading = (index, stream)
                    yield from self._file(name, reader, stream)
            except OSError as error:
                raise InputError(name, f"cannot be read: {error.strerror}") from None
        self._reading = None

    def _file(self, name: str, reader: Reader, stream: BinaryIO) -> Iterator[Record]:
        if not reads_lines_as_they_are(reader):
            yield from reader.read(stream, name)
            return
        taken = 0
        if not self._blocks_wanted():
            for record in reader.read(stream, name):
                taken += 1
                yield record
                if self._blocks_wanted():  # chunks() was called meanwhile
                    break  # the line reader stops here; blocks go on
            else:
                return  # the whole file was read line by line
        # The stream stands at the start of line `taken + 1`: what the line
        # reader took of its buffer, it took whole lines of.
        yield from _blocks(stream, name, taken + 1)


class _NotAFile(Exception):
    """A pipe, terminal or socket: how much is left to read is not known."""


def _size(file: int | str) -> int:
    status = os.stat(file)
    if not stat.S_ISREG(status.st_mode):
        raise _NotAFile
    return status.st_size


def grouped(
    items: Iterator[Record | LineBlock], size: int
) -> Iterator[list[Record] | LineBlock]:
    """`items` with the records between blocks gathered in lists of at
    most `size`; each block stays one item."""
    chunk: list[Record] = []
    for item in items:
        if type(item) is LineBlock:
            if chunk:
                yield chunk
                chunk = []
            yield item
            continue
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _blocks(stream: BinaryIO, source: str, first: int) -> Iterator[LineBlock]:
    """The lines of `stream` from line `first` on, up to BLOCK_BYTES at a time.

    A file gives BLOCK_BYTES a read, a pipe what has come (see
    `_reads_what_has_come`), so a feed that trickles in on standard input
    waits for no more than the end of the line it is in. A line cut by a
    read waits for the next one here, not through readline, which would
    refill the stream's small buffer and leave every later read that little.
    """
    read = _reads_what_has_come(stream)
    number = first
    unfinished: list[bytes] = []  # the start of a line a read cut
    data = read(BLOCK_BYTES)
    if first == 1 and not data and source != STDIN:
        raise InputError(source, "the file is empty")
    while data:
        end = data.rfind(b"\n") + 1
        if end == 0:  # no line ends in it: a long line goes on
            unfinished.append(data)
        else:
            unfinished.append(data[:end])
            block = _line_block(b"".join(unfinished), source, number)
            yield block
            # Counted once the block was taken: a block checked in this
            # process has split its lines by then, and counts them for free.
            number += block.count
            unfinished = [data[end:]] if end < len(data) else []
        data = read(BLOCK_BYTES)
    if unfinished:  # the last line, without a newline
        yield _line_block(b"".join(unfinished), source, number)


def _line_block(data: bytes, source: str, first: int) -> LineBlock:
    if first == 1:  # a file's first line: it may start with a byte-order mark
        data = data.removeprefix(BOM)
    return LineBlock(data, source, first)


def _reads_what_has_come(stream: BinaryIO) -> Callable[[int], bytes]:
    """A read of up to `size` bytes that waits for one read of the stream
    at most, then takes whatever else is ready without waiting.

    A pipe holds 64 KiB at most: read1 alone would cut a fast feed into
    blocks of some 60 claims, each a chunk for a worker, where a file
    gives blocks of 500. Where readiness cannot be asked (no descriptor,
    or select refuses it), one read1 it is.
    """
    read1 = getattr(stream, "read1", None)
    if read1 is None:
        return stream.read
    try:
        descriptor = stream.fileno()
        select.select([descriptor], [], [], 0)
    except (OSError, ValueError, io.UnsupportedOperation):
        return read1  # type: ignore[no-any-return]

    def read(size: int) -> bytes:
        pieces = [read1(size)]
        got = len(pieces[0])
        while pieces[-1] and got < size and select.select([descriptor], [], [], 0)[0]:
            pieces.append(read1(size - got))
            got += len(pieces[-1])
        return b"".join(pieces)

    return read
