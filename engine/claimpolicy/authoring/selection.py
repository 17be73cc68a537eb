"""Which pack versions and test files `claimpolicy test` runs.

A selector is `NAME` (every version), `NAME@VERSION`, or a path: a folder
holding packs (every version under it), a pack's test folder or one test
file (those tests, for every version that carries them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from claimpolicy.errors import InputError
from claimpolicy.packs.pack import MANIFEST, PackVersion
from claimpolicy.packs.registry import PackRegistry

__all__ = ["Target", "folders_to_load", "select"]


@dataclass(frozen=True, slots=True)
class Target:
    """A pack version to test; `only` limits it to test files under paths."""

    pack: PackVersion
    only: tuple[Path, ...] | None = None


def folders_to_load(selectors: Iterable[str], roots: Iterable[Path]) -> list[Path]:
    """Folders named by selectors that hold packs no pack root covers yet.

    `claimpolicy test ./my-pack` then works without `--pack-path ./my-pack`,
    and naming a folder that is already loaded does not load it twice.
    """
    resolved = [root.resolve() for root in roots]
    found = []
    for selector in selectors:
        path = Path(selector)
        if not path.is_dir() or not any(path.rglob(MANIFEST)):
            continue
        folder = path.resolve()
        if not any(folder.is_relative_to(root) for root in resolved):
            found.append(folder)
            resolved.append(folder)
    return found


def select(registry: PackRegistry, selectors: Sequence[str]) -> list[Target]:
    """The targets in registry order; raise InputError for a selector that
    matches nothing."""
    if not selectors:
        return [Target(pack) for pack in registry.all()]
    chosen: dict[str, Target] = {}
    for selector in selectors:
        targets = _by_path(registry, selector) if Path(selector).exists() else None
        if targets is None:
            targets = _by_name(registry, selector)
        for target in targets:
            chosen[target.pack.key] = _merge(chosen.get(target.pack.key), target)
    return [chosen[pack.key] for pack in registry.all() if pack.key in chosen]


def _merge(old: Target | None, new: Target) -> Target:
    if old is None:
        return new
    if old.only is None or new.only is None:
        return Target(new.pack)
    return Target(new.pack, old.only + new.only)


def _by_name(registry: PackRegistry, selector: str) -> list[Target]:
    name, _, version = selector.partition("@")
    packs = registry.versions(name)
    if version:
        packs = [pack for pack in packs if str(pack.version) == version]
    if not packs:
        known = ", ".join(pack.key for pack in registry.all()) or "none"
        raise InputError(
            selector, f"no such pack, pack version or path (known: {known})"
        )
    return [Target(pack) for pack in packs]


def _by_path(registry: PackRegistry, selector: str) -> list[Target]:
    path = Path(selector).resolve()
    if path.name == MANIFEST:
        path = path.parent
    targets = []
    for pack in registry.all():
        if pack.folder.resolve().is_relative_to(path):
            targets.append(Target(pack))
        elif any(_overlaps(folder, path) for folder in pack.test_folders):
            targets.append(Target(pack, (path,)))
    if not targets:
        raise InputError(
            selector,
            "no loaded pack version and no pack test is here "
            "(give the folder of its packs with --pack-path)",
        )
    return targets


def _overlaps(test_folder: Path, path: Path) -> bool:
    return test_folder.is_relative_to(path) or path.is_relative_to(test_folder)
