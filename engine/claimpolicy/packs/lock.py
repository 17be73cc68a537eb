"""Lock files: the exact pack versions and file digests a run may use.

`claimpolicy lock` writes one; `claimpolicy check --lock FILE` refuses to
start when a pinned version is missing or any file differs from its digest,
so that a compliance check can be rerun later with the same rules.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli
import tomli_w

from claimpolicy._version import __version__
from claimpolicy.codesets.registry import CODESET_MANIFEST, CodeSet
from claimpolicy.errors import LockError
from claimpolicy.packs.digest import pack_digest
from claimpolicy.packs.pack import PackVersion
from claimpolicy.packs.registry import PackRegistry

__all__ = ["LOCK_FORMAT", "Lock", "write_lock"]

LOCK_FORMAT = 1


@dataclass(frozen=True, slots=True)
class PinnedPack:
    name: str
    version: str
    digest: str
    files: dict[str, str]


@dataclass(frozen=True, slots=True)
class PinnedCodeSet:
    key: str
    files: dict[str, str]


class Lock:
    def __init__(
        self, file: str, packs: list[PinnedPack], codesets: list[PinnedCodeSet]
    ) -> None:
        self.file = file
        self.packs = packs
        self.codesets = codesets

    @classmethod
    def read(cls, path: Path) -> Lock:
        shown = str(path)
        try:
            document = tomli.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LockError(shown, "lock file not found") from None
        except (OSError, UnicodeDecodeError, tomli.TOMLDecodeError) as error:
            raise LockError(shown, f"cannot be read: {error}") from None
        if document.get("lock_format") != LOCK_FORMAT:
            raise LockError(
                shown,
                f"lock_format {document.get('lock_format')!r} is not {LOCK_FORMAT}",
            )
        try:
            packs = [
                PinnedPack(p["name"], p["version"], p["digest"], dict(p["files"]))
                for p in document.get("pack", ())
            ]
            codesets = [
                PinnedCodeSet(c["key"], dict(c["files"]))
                for c in document.get("codeset", ())
            ]
        except (KeyError, TypeError) as error:
            raise LockError(shown, f"malformed entry: missing {error}") from None
        return cls(shown, packs, codesets)

    def apply(self, registry: PackRegistry) -> PackRegistry:
        """The registry narrowed to the pinned versions, after every check."""
        chosen: list[PackVersion] = []
        for pinned in self.packs:
            pack = registry.get(pinned.name, pinned.version)
            if pack is None:
                raise LockError(
                    self.file,
                    f"pinned pack {pinned.name} {pinned.version} is not installed",
                )
            _compare(
                self.file,
                f"pack {pinned.name} {pinned.version}",
                pinned.files,
                pack.file_digests,
            )
            chosen.append(pack)
        self._check_codesets(registry, chosen)
        narrowed = PackRegistry(chosen, registry.codesets.values(), registry.kinds)
        for pinned in self.packs:
            pack = narrowed.get(pinned.name, pinned.version)
            assert pack is not None
            digest = pack_digest(pack, narrowed.codesets)
            if digest != pinned.digest:
                raise LockError(
                    self.file,
                    f"pack {pinned.name} {pinned.version}: digest {digest} differs "
                    f"from the pinned {pinned.digest} (a code set it uses changed)",
                )
        return narrowed

    def _check_codesets(
        self, registry: PackRegistry, chosen: list[PackVersion]
    ) -> None:
        """Every file of every code set a pinned pack uses, its manifest too,
        matches the lock: the manifest's dates decide which set applies."""
        pinned = {entry.key: entry for entry in self.codesets}
        for key in sorted({key for pack in chosen for key in pack.codesets}):
            if key not in pinned and key in registry.codesets:
                raise LockError(self.file, f"code set {key} is used but not pinned")
        for entry in self.codesets:
            codeset = registry.codesets.get(entry.key)
            if codeset is None:
                raise LockError(
                    self.file, f"pinned code set {entry.key} is not installed"
                )
            actual = _codeset_files(codeset)
            _compare(self.file, f"code set {entry.key}", entry.files, actual)


def _codeset_files(codeset: CodeSet) -> dict[str, str]:
    """The sha256 of each file of a code set, its manifest included."""
    names = [CODESET_MANIFEST, *(name for name, _ in codeset.files.values())]
    return {name: _sha256(codeset.folder / name) for name in sorted(names)}


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "(unreadable)"


def _compare(
    lock_file: str, what: str, pinned: dict[str, str], actual: dict[str, str]
) -> None:
    for name in sorted(set(pinned) | set(actual)):
        if name not in actual:
            raise LockError(lock_file, f"{what}: pinned file {name} is missing")
        if name not in pinned:
            raise LockError(lock_file, f"{what}: file {name} is not in the lock")
        if pinned[name] != actual[name]:
            raise LockError(
                lock_file,
                f"{what}: file {name} has sha256 {actual[name]}, the lock pins "
                f"{pinned[name]}",
            )


def write_lock(registry: PackRegistry) -> str:
    """The lock file text pinning every pack version and code set in use."""
    used_codesets = sorted({key for pack in registry.all() for key in pack.codesets})
    document: dict[str, Any] = {
        "lock_format": LOCK_FORMAT,
        "generated_by": f"claimpolicy {__version__}",
        "pack": [
            {
                "name": pack.name,
                "version": str(pack.version),
                "digest": pack_digest(pack, registry.codesets),
                "files": dict(sorted(pack.file_digests.items())),
            }
            for pack in registry.all()
        ],
        "codeset": [
            {
                "key": key,
                "files": _codeset_files(registry.codesets[key]),
            }
            for key in used_codesets
            if key in registry.codesets
        ],
    }
    header = (
        "# claimpolicy lock file: the exact pack versions and file digests a run\n"
        "# may use. Check with `claimpolicy check --lock FILE`.\n"
    )
    return header + tomli_w.dumps(document)
