"""Every pack version and code set the engine can see, checked as a whole.

The registry finds packs under the folders it is given, then checks what no
single pack can check alone: two versions of one pack whose dates overlap,
an `extends` that names a missing pack or forms a cycle, an override of a
rule that does not exist, a code set that is not there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from cerberus import Validator
from packaging.version import Version

from claimpolicy._version import __version__
from claimpolicy.codesets.registry import CodeSet
from claimpolicy.errors import PackError, PackProblem
from claimpolicy.kinds.base import RuleKind
from claimpolicy.packs.discovery import PackSource, load_sources
from claimpolicy.packs.pack import MANIFEST, Override, PackRule, PackVersion
from claimpolicy.packs.problems import problems_from_cerberus
from claimpolicy.packs.schemas import OVERRIDE_COMMON
from claimpolicy.packs.tomlfile import display_path

__all__ = ["PackRegistry", "PackSource"]


class PackRegistry:
    def __init__(
        self,
        packs: Iterable[PackVersion],
        codesets: Iterable[CodeSet],
        kinds: Mapping[str, RuleKind] | None = None,
    ) -> None:
        self.kinds = dict(kinds or {})
        self._versions: dict[str, list[PackVersion]] = {}
        for pack in packs:
            self._versions.setdefault(pack.name, []).append(pack)
        for versions in self._versions.values():
            versions.sort(key=lambda pack: pack.version)
        self.codesets = {codeset.key: codeset for codeset in codesets}

    @classmethod
    def discover(
        cls, sources: Sequence[PackSource], kinds: Mapping[str, RuleKind]
    ) -> PackRegistry:
        """Load every pack and code set under the sources; raise all problems."""
        found = load_sources(sources, kinds)
        if found.problems:
            raise PackError(_unique(found.problems))
        registry = cls(found.packs, found.codesets, kinds)
        registry.check()
        return registry

    # -- queries ---------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return sorted(self._versions)

    def versions(self, name: str) -> list[PackVersion]:
        return list(self._versions.get(name, ()))

    def all(self) -> list[PackVersion]:
        return [pack for name in self.names for pack in self._versions[name]]

    def get(self, name: str, version: str | None = None) -> PackVersion | None:
        """A version by its text, or the newest when `version` is None."""
        versions = self._versions.get(name)
        if not versions:
            return None
        if version is None:
            return versions[-1]
        wanted = Version(version)
        return next((pack for pack in versions if pack.version == wanted), None)

    def in_force(self, name: str, day) -> PackVersion | None:  # type: ignore[no-untyped-def]
        return next((p for p in self._versions.get(name, ()) if p.in_force(day)), None)

    # -- whole-set checks ------------------------------------------------------

    def check(self) -> None:
        problems: list[PackProblem] = []
        for name in self.names:
            self._check_dates(name, problems)
        for pack in self.all():
            self._check_engine(pack, problems)
            self._check_extends(pack, problems)
            self._check_codesets(pack, problems)
            self._check_overrides(pack, problems)
        self._check_cycles(problems)
        if problems:
            raise PackError(_unique(problems))

    def _check_dates(self, name: str, problems: list[PackProblem]) -> None:
        versions = self._versions[name]
        for index, first in enumerate(versions):
            for second in versions[index + 1 :]:
                if first.version == second.version:
                    problems.append(
                        _problem(
                            second,
                            "version",
                            f"{name} {second.version} is defined twice: also in "
                            f"{display_path(first.folder)}",
                        )
                    )
                elif _overlap(first, second):
                    problems.append(
                        _problem(
                            second,
                            "effective",
                            f"{second.effective_text()} overlaps {name} "
                            f"{first.version} ({first.effective_text()})",
                        )
                    )

    def _check_engine(self, pack: PackVersion, problems: list[PackProblem]) -> None:
        if not pack.requires_engine.contains(__version__, prereleases=True):
            problems.append(
                _problem(
                    pack,
                    "requires_engine",
                    f"needs claimpolicy {pack.requires_engine}, this is {__version__}",
                )
            )

    def _check_extends(self, pack: PackVersion, problems: list[PackProblem]) -> None:
        for index, parent in enumerate(pack.extends):
            versions = self._versions.get(parent.name)
            if not versions:
                problems.append(
                    _problem(
                        pack, f"extends[{index}]", f"pack {parent.name!r} not found"
                    )
                )
            elif not any(p.version in parent.versions for p in versions):
                known = ", ".join(str(p.version) for p in versions)
                problems.append(
                    _problem(
                        pack,
                        f"extends[{index}].versions",
                        f"no version of {parent.name} matches {str(parent.versions)!r}"
                        f" (found {known})",
                    )
                )

    def _check_codesets(self, pack: PackVersion, problems: list[PackProblem]) -> None:
        for index, key in enumerate(pack.codesets):
            if key not in self.codesets:
                problems.append(
                    _problem(pack, f"codesets[{index}]", f"code set {key!r} not found")
                )

    def _check_overrides(self, pack: PackVersion, problems: list[PackProblem]) -> None:
        for override in pack.overrides:
            parent_name, _, rule_id = override.target.partition("/")
            candidates = [
                parent for parent in self.ancestors(pack) if parent.name == parent_name
            ]
            targets = [
                rule for p in candidates for rule in p.rules if rule.id == rule_id
            ]
            if not targets:
                problems.append(
                    PackProblem(
                        override.source.file,
                        f"overrides.{override.target}",
                        f"no rule {rule_id!r} in the {parent_name} versions "
                        f"{pack.name} {pack.version} extends",
                    )
                )
            elif self.kinds:
                problems.extend(self._check_override_values(override, targets[0]))

    def _check_override_values(
        self, override: Override, target: PackRule
    ) -> list[PackProblem]:
        """An override may change severity, enabled and the kind's parameters."""
        kind = self.kinds.get(target.kind)
        if kind is None:
            return []
        schema = {**kind.parameters, **OVERRIDE_COMMON}
        # Parameters the override leaves alone are not required of it.
        schema = {key: {**rule, "required": False} for key, rule in schema.items()}
        validator = Validator(schema, allow_unknown=False)
        if validator.validate(dict(override.changes)):
            return []
        return problems_from_cerberus(
            override.source.file, validator._errors, ("overrides", override.target)
        )

    def _check_cycles(self, problems: list[PackProblem]) -> None:
        graph = {
            name: {parent.name for p in versions for parent in p.extends}
            for name, versions in self._versions.items()
        }
        for start in graph:
            path = _cycle_from(start, graph)
            if path:
                first = self._versions[start][0]
                problems.append(
                    _problem(first, "extends", "cycle: " + " -> ".join(path))
                )
                return  # one report of a cycle is enough

    def ancestors(self, pack: PackVersion) -> list[PackVersion]:
        """Every version of every pack `pack` may extend, transitively."""
        found: list[PackVersion] = []
        pending = [pack]
        seen = {pack.key}
        while pending:
            current = pending.pop()
            for parent in current.extends:
                for candidate in self._versions.get(parent.name, ()):
                    if (
                        candidate.version in parent.versions
                        and candidate.key not in seen
                    ):
                        seen.add(candidate.key)
                        found.append(candidate)
                        pending.append(candidate)
        return found


def _unique(problems: list[PackProblem]) -> list[PackProblem]:
    """The problems in order, each once: a pair of versions can be reached
    twice (a version defined twice overlaps its neighbour twice)."""
    return list(dict.fromkeys(problems))


def _overlap(first: PackVersion, second: PackVersion) -> bool:
    first_end = first.effective_to
    second_end = second.effective_to
    starts_before_other_ends = second_end is None or first.effective_from <= second_end
    ends_after_other_starts = first_end is None or second.effective_from <= first_end
    return starts_before_other_ends and ends_after_other_starts


def _problem(pack: PackVersion, key_path: str, message: str) -> PackProblem:
    return PackProblem(display_path(pack.folder / MANIFEST), key_path, message)


def _cycle_from(start: str, graph: Mapping[str, set[str]]) -> list[str] | None:
    stack = [(start, [start])]
    while stack:
        node, path = stack.pop()
        for parent in sorted(graph.get(node, ())):
            if parent == start:
                return [*path, parent]
            if parent not in path:
                stack.append((parent, [*path, parent]))
    return None
