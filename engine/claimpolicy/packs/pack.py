"""One pack version: its manifest and rule files, read and checked.

Loading a pack checks everything that can be checked inside the folder:
each file against its Cerberus schema, each rule against the schema of its
kind, duplicate ids. What needs other packs (extends, overrides, overlapping
dates) is checked by the registry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from claimpolicy.errors import PackError, PackProblem
from claimpolicy.kinds.base import RuleKind, RuleSource
from claimpolicy.packs.rulefile import check_rule_file, schema_problems
from claimpolicy.packs.schemas import MANIFEST_SCHEMA, RULE_COMMON
from claimpolicy.packs.tomlfile import display_path, read_toml

__all__ = ["MANIFEST", "Extends", "PackRule", "PackVersion", "load_pack"]

MANIFEST = "pack.toml"
_COMMON_KEYS = frozenset(RULE_COMMON)


@dataclass(frozen=True, slots=True)
class Extends:
    """A parent pack and the versions of it this pack accepts."""

    name: str
    versions: SpecifierSet


@dataclass(frozen=True, slots=True)
class PackRule:
    """A rule as written in its pack, before any child pack overrides it."""

    id: str
    kind: str
    category: str
    severity: str
    title: str
    reference: str
    params: Mapping[str, Any]
    source: RuleSource
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """A change a pack makes to a rule of a pack it extends."""

    target: str  # the qualified id: "cms-core/EM-MOD25"
    changes: Mapping[str, Any]
    source: RuleSource


@dataclass(slots=True)
class PackVersion:
    name: str
    version: Version
    folder: Path
    title: str
    effective_from: date
    effective_to: date | None
    payers: frozenset[str]
    extends: tuple[Extends, ...]
    codesets: tuple[str, ...]
    requires_engine: SpecifierSet
    rules: tuple[PackRule, ...]
    overrides: tuple[Override, ...]
    files: tuple[Path, ...]
    origin: str
    reference: str | None = None
    test_folders: tuple[Path, ...] = ()
    file_digests: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def in_force(self, day: date) -> bool:
        if day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to

    def effective_text(self) -> str:
        end = self.effective_to.isoformat() if self.effective_to else "open"
        return f"{self.effective_from.isoformat()} to {end}"

    def relative_name(self, path: Path) -> str:
        """A file's name inside the pack, as the lock file records it."""
        try:
            return path.relative_to(self.folder).as_posix()
        except ValueError:
            # A shared file outside the version folder (../common/x.toml).
            return Path("..", path.relative_to(self.folder.parent)).as_posix()


def load_pack(folder: Path, kinds: Mapping[str, RuleKind], origin: str) -> PackVersion:
    """Read and check one pack version folder. Raises PackError listing all."""
    # Rule files may live beside the folder (../common); names inside the pack
    # are computed from absolute paths, whatever form the caller gave.
    folder = folder.resolve()
    manifest_path = folder / MANIFEST
    manifest, text = read_toml(manifest_path)
    shown = display_path(manifest_path)
    problems = schema_problems(shown, manifest, MANIFEST_SCHEMA, text)
    # Go on after a schema problem, so that the file's other problems are
    # listed too; a key of the wrong shape (reported) is left out below.
    bad = {_top_key(problem.key_path) for problem in problems}
    manifest = {key: value for key, value in manifest.items() if key not in bad}

    version, requires_engine = _parse_versions(shown, manifest, problems)
    extends = _parse_extends(shown, manifest, problems)
    _check_effective(shown, manifest.get("effective"), problems)

    rule_files = (
        [] if "rules" in bad else _rule_files(folder, manifest, shown, problems)
    )
    rules: list[PackRule] = []
    overrides: list[Override] = []
    for path in rule_files:
        name = manifest.get("name", "")
        _read_rule_file(path, name, kinds, rules, overrides, problems)
    _check_duplicates(rules, problems)
    if problems:
        raise PackError(problems)

    files = (manifest_path, *rule_files)
    pack = PackVersion(
        name=manifest["name"],
        version=version,
        folder=folder,
        title=manifest["title"],
        effective_from=manifest["effective"]["from"],
        effective_to=manifest["effective"].get("to"),
        payers=frozenset(manifest.get("payers", ())),
        extends=extends,
        codesets=tuple(manifest.get("codesets", ())),
        requires_engine=requires_engine,
        rules=tuple(rules),
        overrides=tuple(overrides),
        files=files,
        origin=origin,
        reference=manifest.get("reference"),
        test_folders=tuple(
            (folder / name).resolve() for name in manifest.get("tests", ("tests",))
        ),
    )
    pack.file_digests = {
        pack.relative_name(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in files
    }
    return pack


def _top_key(key_path: str) -> str:
    """'extends[0].name' -> 'extends'."""
    return key_path.split(".", 1)[0].split("[", 1)[0]


def _check_effective(
    shown: str, effective: dict[str, Any] | None, problems: list[PackProblem]
) -> None:
    if effective and "to" in effective and effective["to"] < effective["from"]:
        problems.append(
            PackProblem(
                shown,
                "effective.to",
                f"{effective['to']} is before effective.from {effective['from']}",
            )
        )


def _parse_versions(
    shown: str, manifest: dict[str, Any], problems: list[PackProblem]
) -> tuple[Version, SpecifierSet]:
    version = Version("0")
    try:
        version = Version(manifest.get("version", "0"))
    except InvalidVersion:
        problems.append(
            PackProblem(
                shown,
                "version",
                f"{manifest['version']!r} does not parse as a version "
                "(calendar 2026.1 or semantic 1.2.0)",
            )
        )
    requires = SpecifierSet()
    try:
        requires = SpecifierSet(manifest.get("requires_engine", ""))
    except InvalidSpecifier:
        problems.append(
            PackProblem(
                shown,
                "requires_engine",
                f"{manifest['requires_engine']!r} is not a version range like '>=0.1'",
            )
        )
    return version, requires


def _parse_extends(
    shown: str, manifest: dict[str, Any], problems: list[PackProblem]
) -> tuple[Extends, ...]:
    parents = []
    for index, entry in enumerate(manifest.get("extends", ())):
        try:
            parents.append(Extends(entry["name"], SpecifierSet(entry["versions"])))
        except InvalidSpecifier:
            problems.append(
                PackProblem(
                    shown,
                    f"extends[{index}].versions",
                    f"{entry['versions']!r} is not a version range like '>=2026.1'",
                )
            )
    return tuple(parents)


def _rule_files(
    folder: Path, manifest: dict[str, Any], shown: str, problems: list[PackProblem]
) -> list[Path]:
    if "rules" not in manifest:
        return sorted(p for p in folder.glob("*.toml") if p.name != MANIFEST)
    files = []
    for index, name in enumerate(manifest["rules"]):
        path = (folder / name).resolve()
        if path.is_file():
            files.append(path)
        else:
            problems.append(
                PackProblem(shown, f"rules[{index}]", f"{name!r}: file not found")
            )
    return files


def _read_rule_file(
    path: Path,
    pack_name: str,
    kinds: Mapping[str, RuleKind],
    rules: list[PackRule],
    overrides: list[Override],
    problems: list[PackProblem],
) -> None:
    checked = check_rule_file(path, kinds, problems)
    if checked is None:
        return
    shown = display_path(path)
    lines = checked.lines
    for rule in checked.rules:
        rules.append(
            PackRule(
                id=rule["id"],
                kind=rule["kind"],
                category=rule["category"],
                severity=rule["severity"],
                title=rule["title"],
                reference=rule["reference"],
                params={k: v for k, v in rule.items() if k not in _COMMON_KEYS},
                source=RuleSource(shown, lines.get(rule["id"])),
                note=rule.get("note"),
            )
        )

    for target, changes in checked.overrides.items():
        if target.split("/", 1)[0] == pack_name:
            problems.append(
                PackProblem(
                    shown,
                    f"overrides.{target}",
                    "a pack overrides the packs it extends, not its own rules",
                )
            )
            continue
        overrides.append(Override(target, changes, RuleSource(shown, None)))


def _check_duplicates(rules: list[PackRule], problems: list[PackProblem]) -> None:
    seen: dict[str, PackRule] = {}
    for rule in rules:
        first = seen.setdefault(rule.id, rule)
        if first is not rule:
            problems.append(
                PackProblem(
                    rule.source.file,
                    f"rules.{rule.id}",
                    f"duplicate rule id {rule.id!r}, first defined at {first.source}",
                )
            )
