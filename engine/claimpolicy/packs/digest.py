"""Digests that pin a pack version: its files and the code sets it uses."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from claimpolicy.codesets.registry import CodeSet
from claimpolicy.packs.pack import PackVersion

__all__ = ["pack_digest"]


def pack_digest(pack: PackVersion, codesets: Mapping[str, CodeSet]) -> str:
    """sha256 over the pack's file digests and its code sets' digests.

    A change to any rule file, to the manifest or to a code set the pack uses
    changes the digest, so a report's digest reproduces its verdict.
    """
    lines = [f"file\t{name}\t{sha}" for name, sha in sorted(pack.file_digests.items())]
    lines += [
        f"codeset\t{key}\t{codesets[key].digest}"
        for key in sorted(pack.codesets)
        if key in codesets
    ]
    text = "\n".join(lines) + "\n"
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
