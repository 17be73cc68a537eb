"""A cache of parsed data files, so that a second start loads in a blink.

Parsing code sets and checking rule files costs most of a start. Their
parsed form is kept in a folder of the user's cache, one file per entry,
named by a SHA-256 over everything the parsed form depends on: the bytes of
the source file, the engine's version and the schema it was checked with.
A changed file (or a changed engine) makes a new name, so an entry is never
stale; a file put there by someone else is found only under the digest of
the very source it claims to be.

Entries hold plain data only (strings, numbers, bytes, containers and
dates). They are read with an unpickler that refuses every other type, so an
entry cannot run code. The cache is never needed for a right answer: an
entry that is missing, unreadable or refused is parsed again from source,
and a cache folder that cannot be written is simply not used.

The folder is `$CLAIMPOLICY_CACHE_DIR` if set (empty to turn the cache off),
else `$XDG_CACHE_HOME/claimpolicy`, else `~/.cache/claimpolicy`.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from claimpolicy._version import __version__

__all__ = ["CACHE_VARIABLE", "CHECKED", "cache_folder", "digest", "load", "store"]

CACHE_VARIABLE = "CLAIMPOLICY_CACHE_DIR"
#: Bump when the layout of any entry changes.
FORMAT = "2"
#: The space of entries that only say "this passed its check" (True).
CHECKED = "checked"

# The only types an entry may name besides the built-in containers, which
# pickle writes without naming a type.
_ALLOWED = {
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
}


def cache_folder() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return Path(base, "claimpolicy")


def digest(*parts: bytes | str) -> str:
    """The entry name for a parsed form that depends on `parts`."""
    hasher = hashlib.sha256(f"claimpolicy {__version__} cache {FORMAT}".encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def load(space: str, key: str) -> Any | None:
    """The entry `key` of `space`, or None if there is none that can be read."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        data = (folder / space / f"{key}.pickle").read_bytes()
        return _PlainUnpickler(io.BytesIO(data)).load()
    except Exception:  # missing, truncated, refused: parse from source instead
        return None


def store(space: str, key: str, value: Any) -> None:
    """Keep `value` under `key`; never fails (the cache is an optimisation)."""
    folder = cache_folder()
    if folder is None:
        return
    target = folder / space
    try:
        target.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed, so a reader never sees half an entry.
        handle, partial = tempfile.mkstemp(dir=target, suffix=".partial")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, target / f"{key}.pickle")
    except (OSError, pickle.PicklingError, TypeError):
        Path(partial).unlink(missing_ok=True)


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")
