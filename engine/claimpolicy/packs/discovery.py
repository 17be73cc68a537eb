"""Finding and loading the pack and code set folders under pack paths.

Nothing found under a pack path may be left out without a word: a folder
that cannot be listed, or rule files that no pack reads, would make a
payer's rules vanish from every verdict. Both are problems, as a pack that
does not load is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli

from claimpolicy.codesets.registry import CODESET_MANIFEST, CodeSet, load_codeset
from claimpolicy.errors import PackError, PackProblem
from claimpolicy.kinds.base import RuleKind
from claimpolicy.packs.pack import MANIFEST, PackVersion, load_pack
from claimpolicy.packs.tomlfile import display_path

__all__ = ["Found", "PackSource", "load_sources"]


@dataclass(frozen=True, slots=True)
class PackSource:
    """A folder to look for packs in, and who provided it."""

    folder: Path
    origin: str  # "built-in", "--pack-path", "CLAIMPOLICY_PACK_PATH", "plugin NAME"


@dataclass(slots=True)
class Found:
    """What the sources hold: loaded packs and code sets, and every problem."""

    packs: list[PackVersion] = field(default_factory=list)
    codesets: list[CodeSet] = field(default_factory=list)
    problems: list[PackProblem] = field(default_factory=list)


@dataclass(slots=True)
class _Listing:
    packs: list[Path] = field(default_factory=list)
    codesets: list[Path] = field(default_factory=list)
    # Folders with neither manifest, and the .toml files each holds.
    loose: dict[Path, list[str]] = field(default_factory=dict)


def load_sources(sources: Sequence[PackSource], kinds: Mapping[str, RuleKind]) -> Found:
    """Every pack and code set under the sources, loaded once each.

    A folder reached from two sources (a pack path inside another) is
    loaded for the first; later sources do not define it a second time.
    """
    found = Found()
    everything = _Listing()
    seen: set[Path] = set()
    for source in sources:
        if not _usable(source, found.problems):
            continue
        listing = _walk(source, found.problems)
        _load(source, listing, kinds, seen, found)
        everything.packs += listing.packs
        everything.loose.update(listing.loose)
    # Only now: a rule file may be read by a pack of another source.
    found.problems.extend(_unread_rule_files(everything))
    return found


def _usable(source: PackSource, problems: list[PackProblem]) -> bool:
    if source.folder.is_dir():
        return True
    what = "is not a folder" if source.folder.exists() else "pack folder not found"
    problems.append(
        PackProblem(display_path(source.folder), "", f"{what} (from {source.origin})")
    )
    return False


def _walk(source: PackSource, problems: list[PackProblem]) -> _Listing:
    listing = _Listing()

    def unlisted(error: OSError) -> None:
        reason = error.strerror or str(error)
        problems.append(
            PackProblem(
                display_path(Path(error.filename or source.folder)),
                "",
                f"folder cannot be listed: {reason} (from {source.origin}); "
                "the packs in it would be missed",
            )
        )

    # os.walk reports a folder it cannot list, where Path.rglob skips it.
    for top, folders, names in os.walk(source.folder, onerror=unlisted):
        folders.sort()
        here = Path(top)
        if MANIFEST in names:
            listing.packs.append(here)
        elif CODESET_MANIFEST in names:
            listing.codesets.append(here)
        else:
            tomls = sorted(name for name in names if name.endswith(".toml"))
            if tomls:
                listing.loose[here] = tomls
    return listing


def _load(
    source: PackSource,
    listing: _Listing,
    kinds: Mapping[str, RuleKind],
    seen: set[Path],
    found: Found,
) -> None:
    for folder in _new(listing.packs, seen):
        try:
            found.packs.append(load_pack(folder, kinds, source.origin))
        except PackError as error:
            found.problems.extend(error.problems)
    for folder in _new(listing.codesets, seen):
        try:
            found.codesets.append(load_codeset(folder))
        except PackError as error:
            found.problems.extend(error.problems)


def _new(folders: Iterable[Path], seen: set[Path]) -> list[Path]:
    fresh = []
    for folder in folders:
        resolved = folder.resolve()
        if resolved not in seen:
            seen.add(resolved)
            fresh.append(folder)
    return fresh


def _unread_rule_files(listing: _Listing) -> list[PackProblem]:
    """Rule files outside pack folders that no manifest names as a rule
    file or test."""
    files: set[Path] = set()
    test_folders: set[Path] = set()
    for folder in listing.packs:
        _claims(folder.resolve(), files, test_folders)
    problems = []
    for folder, names in listing.loose.items():
        resolved = folder.resolve()
        if any(resolved.is_relative_to(tests) for tests in test_folders):
            continue
        unread = [
            name
            for name in names
            if resolved / name not in files and _holds_rules(resolved / name)
        ]
        if unread:
            problems.append(
                PackProblem(
                    display_path(folder),
                    "",
                    f"holds rule files but no {MANIFEST}, and no pack lists them: "
                    f"{', '.join(unread)} (their rules would never be applied)",
                )
            )
    return problems


def _claims(folder: Path, files: set[Path], test_folders: set[Path]) -> None:
    """Add the rule files and test folders a manifest names, as load_pack
    reads them; a manifest that does not load is reported by load_pack."""
    manifest = _raw_toml(folder / MANIFEST)
    rules = manifest.get("rules", [])
    tests = manifest.get("tests", ["tests"])
    for name in rules if isinstance(rules, list) else []:
        if isinstance(name, str):
            files.add((folder / name).resolve())
    for name in tests if isinstance(tests, list) else []:
        if isinstance(name, str):
            test_folders.add((folder / name).resolve())


def _holds_rules(path: Path) -> bool:
    """Whether a file reads as a rule file; other TOML (notes, settings) in
    a pack path is not the engine's business."""
    document = _raw_toml(path)
    return "rules" in document or "overrides" in document


def _raw_toml(path: Path) -> dict[str, Any]:
    try:
        return tomli.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomli.TOMLDecodeError):
        return {}
