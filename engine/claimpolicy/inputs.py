"""Open the files named on the command line and read them into records."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from claimpolicy.errors import InputError
from claimpolicy.io.readers import Reader, Record
from claimpolicy.plugins import PluginHost

__all__ = ["STDIN", "check_inputs", "readers_by_suffix", "records"]

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


def records(names: Sequence[str], readers: Mapping[str, Reader]) -> Iterator[Record]:
    """Every record of every file, in order, read lazily."""
    for name in names:
        reader = _reader_for(name, readers)
        if name == STDIN:
            yield from reader.read(sys.stdin.buffer, name)
            continue
        try:
            with open(name, "rb") as stream:
                yield from reader.read(stream, name)
        except OSError as error:
            raise InputError(name, f"cannot be read: {error.strerror}") from None
