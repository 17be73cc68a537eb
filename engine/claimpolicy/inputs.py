"""Open the files named on the command line and read them into records."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from claimpolicy.errors import InputError
from claimpolicy.io.readers import BOM, Reader, Record
from claimpolicy.io.sources import LineBlock, reads_lines_as_they_are
from claimpolicy.plugins import PluginHost

__all__ = ["STDIN", "Records", "check_inputs", "readers_by_suffix", "records"]

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


def records(names: Sequence[str], readers: Mapping[str, Reader]) -> Records:
    """Every record of every file, in order, read lazily."""
    return Records(names, readers)


#: Bytes of an NDJSON file read at a time once a batch goes to workers:
#: about 450 claims of a kilobyte, near the records of one chunk.
BLOCK_BYTES = 1 << 19


class Records:
    """Every record of every file named, in order, read lazily.

    Iterated, it gives one record at a time. Once a batch goes to worker
    processes, `chunks` gives the rest a chunk at a time, where the lines
    of an NDJSON file read by the built-in reader come as `LineBlock`s
    read straight from the file: the calling process then no longer reads,
    wraps and sends each line by itself, which cost it as much as a
    worker's parsing. Standard input is read line by line throughout.
    """

    def __init__(self, names: Sequence[str], readers: Mapping[str, Reader]) -> None:
        self._names = list(names)
        self._readers = readers
        self._in_blocks = False
        self._each = self._records()

    def __iter__(self) -> Records:
        return self

    def __next__(self) -> Record:
        return next(self._each)

    def chunks(self, size: int) -> Iterator[list[Record] | LineBlock]:
        """The records not yet given: lists of at most `size`, and blocks."""
        self._in_blocks = True
        chunk: list[Record] = []
        for item in self._each:
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

    def _blocks_wanted(self) -> bool:
        return self._in_blocks

    def _records(self) -> Iterator[Record]:
        for name in self._names:
            reader = _reader_for(name, self._readers)
            if name == STDIN:
                yield from reader.read(sys.stdin.buffer, name)
                continue
            try:
                with open(name, "rb") as stream:
                    yield from self._file(name, reader, stream)
            except OSError as error:
                raise InputError(name, f"cannot be read: {error.strerror}") from None

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


def _blocks(stream: BinaryIO, source: str, first: int) -> Iterator[LineBlock]:
    """The lines of `stream` from line `first` on, about BLOCK_BYTES at a time."""
    number = first
    data = stream.read(BLOCK_BYTES)
    if first == 1 and not data:
        raise InputError(source, "the file is empty")
    while data:
        if not data.endswith(b"\n"):
            data += stream.readline()  # the block ends with a whole line
        if number == 1:  # the first line is whole: a mark is all there
            data = data.removeprefix(BOM)
        block = LineBlock(data, source, number)
        number += block.count
        yield block
        data = stream.read(BLOCK_BYTES)
