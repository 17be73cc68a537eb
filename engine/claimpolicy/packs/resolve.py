"""Which packs judge a claim, and the rules they add up to.

A claim whose payer is served by a payer pack is judged by that pack and
what it extends; any other claim by the national packs (those that name no
payer). Each pack contributes the version in force on the claim's date of
service. Parents apply first; a child's overrides then change, or disable,
the parent's rules by id; the parent's files are never touched.

A pack in force whose code set (say ICD-10-CM) has no version in force on the
date cannot be applied either: its rules would judge the claim against no
codes at all, so the claim cannot be checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from claimpolicy.codesets.registry import CodeSet
from claimpolicy.kinds.base import Rule
from claimpolicy.packs.pack import PackVersion
from claimpolicy.packs.registry import PackRegistry

__all__ = ["NoCodeSetInForce", "NoPackInForce", "Resolver", "effective_rules"]


@dataclass(frozen=True, slots=True)
class NoPackInForce:
    """Why a claim cannot be checked: no version of a pack covers its date."""

    # The id, under the engine's prefix, of the finding that reports it.
    rule: ClassVar[str] = "NO-PACK-IN-FORCE"

    pack: str
    day: date
    message: str


@dataclass(frozen=True, slots=True)
class NoCodeSetInForce(NoPackInForce):
    """Why a claim cannot be checked: a pack is in force on its date, but a
    code system the pack uses has no version in force then."""

    rule: ClassVar[str] = "NO-CODESET-IN-FORCE"

    system: str


class Resolver:
    """Resolves (payer, date of service) to pack versions, with a cache."""

    def __init__(self, registry: PackRegistry) -> None:
        self.registry = registry
        self._payer_packs: dict[str, list[str]] = {}
        national = []
        for name in registry.names:
            payers = {p for pack in registry.versions(name) for p in pack.payers}
            for payer in payers:
                self._payer_packs.setdefault(payer, []).append(name)
            if not payers:
                national.append(name)
        # A national pack that another national pack extends is applied through
        # its child, never twice.
        extended = {
            parent.name
            for name in national
            for pack in registry.versions(name)
            for parent in pack.extends
        }
        self._national = [name for name in national if name not in extended]
        self._cache: dict[
            tuple[str | None, date], tuple[PackVersion, ...] | NoPackInForce
        ] = {}

    @property
    def payers(self) -> list[str | None]:
        """The payer keys that can resolve apart: each payer a payer pack
        serves, and None for every other claim (the national packs)."""
        return [None, *sorted(self._payer_packs)]

    def resolve(
        self, payer: str | None, day: date
    ) -> tuple[PackVersion, ...] | NoPackInForce:
        key = (payer, day)
        found = self._cache.get(key)
        if found is None:
            found = self._resolve(payer, day)
            self._cache[key] = found
        return found

    def _resolve(
        self, payer: str | None, day: date
    ) -> tuple[PackVersion, ...] | NoPackInForce:
        names = self._payer_packs.get(payer.lower(), []) if payer else []
        if not names:
            names = self._national
        if not names:
            return NoPackInForce("(none)", day, "no national pack is installed")
        ordered: list[PackVersion] = []
        for name in names:
            chain = self._chain(name, day)
            if isinstance(chain, NoPackInForce):
                return chain
            for pack in chain:
                if pack not in ordered:
                    ordered.append(pack)
        missing = self.codeset_missing(ordered, day)
        return missing if missing is not None else tuple(ordered)

    def codeset_missing(
        self, packs: Sequence[PackVersion], day: date
    ) -> NoCodeSetInForce | None:
        """The first code system that `packs` use with no version in force on
        `day`, or None when every one has a version then.

        The packs are judged together, as their rule set reads them: a system
        is served when any of their code sets of that system is in force.
        """
        used = self._codesets(packs)
        for pack in packs:
            for system in _systems(self._codesets([pack])):
                versions = [c for c in used if c.system == system]
                if not any(c.in_force(day) for c in versions):
                    return _no_codeset(pack, system, versions, day)
        return None

    def _codesets(self, packs: Sequence[PackVersion]) -> list[CodeSet]:
        # A key the registry does not know was reported when it loaded.
        known = self.registry.codesets
        keys = {key for pack in packs for key in pack.codesets if key in known}
        return [known[key] for key in sorted(keys)]

    def _chain(self, name: str, day: date) -> list[PackVersion] | NoPackInForce:
        pack = self.registry.in_force(name, day)
        return self.chain(pack, day) if pack else self._missing(name, day)

    def _missing(self, name: str, day: date) -> NoPackInForce:
        versions = ", ".join(
            f"{p.version} ({p.effective_text()})" for p in self.registry.versions(name)
        )
        return NoPackInForce(
            name,
            day,
            f"no version of pack {name} is in force on {day.isoformat()}"
            f" (versions: {versions or 'none'})",
        )

    def chain(self, pack: PackVersion, day: date) -> list[PackVersion] | NoPackInForce:
        """`pack` and what it extends on `day`, parents first."""
        chain: list[PackVersion] = []
        for parent in pack.extends:
            candidates = [
                p
                for p in self.registry.versions(parent.name)
                if p.version in parent.versions and p.in_force(day)
            ]
            if not candidates:
                return NoPackInForce(
                    parent.name,
                    day,
                    f"pack {pack.name} {pack.version} extends {parent.name} "
                    f"{parent.versions}, but no such version is in force on "
                    f"{day.isoformat()}",
                )
            parent_chain = self.chain(candidates[-1], day)
            if isinstance(parent_chain, NoPackInForce):
                return parent_chain
            chain.extend(p for p in parent_chain if p not in chain)
        chain.append(pack)
        return chain


def _systems(codesets: Sequence[CodeSet]) -> list[str]:
    return sorted({codeset.system for codeset in codesets})


def _no_codeset(
    pack: PackVersion, system: str, versions: Sequence[CodeSet], day: date
) -> NoCodeSetInForce:
    return NoCodeSetInForce(
        pack.name,
        day,
        f"{pack.name} {pack.version} uses {system}, which has no version in "
        f"force on {day.isoformat()}; {_shipped(versions, day)}",
        system,
    )


def _shipped(versions: Sequence[CodeSet], day: date) -> str:
    """When the versions of a code system are in force, told from `day`."""
    ends = [c.effective_to for c in versions]
    if all(end is not None and end < day for end in ends):
        last = max(end for end in ends if end is not None)
        return f"the shipped versions end {last.isoformat()}"
    if all(c.effective_from > day for c in versions):
        first = min(c.effective_from for c in versions)
        return f"the shipped versions begin {first.isoformat()}"
    spans = ", ".join(
        f"{c.effective_from.isoformat()} to "
        f"{c.effective_to.isoformat() if c.effective_to else 'no end'}"
        for c in sorted(versions, key=lambda c: c.effective_from)
    )
    return f"the shipped versions are in force {spans}"


def effective_rules(packs: tuple[PackVersion, ...]) -> list[Rule]:
    """The rules of packs applied in order, overrides merged, disabled dropped."""
    rules: dict[str, Rule] = {}
    disabled: set[str] = set()
    for pack in packs:
        for override in pack.overrides:
            target = rules.get(override.target)
            if target is None:
                continue  # the registry reported it; a disabled target stays so
            changes = dict(override.changes)
            if changes.pop("enabled", True) is False:
                disabled.add(override.target)
            changes.pop("reason", None)
            severity = changes.pop("severity", target.severity)
            rules[override.target] = Rule(
                pack=target.pack,
                id=target.id,
                kind=target.kind,
                category=target.category,
                severity=severity,
                title=target.title,
                reference=target.reference,
                params={**target.params, **changes},
                source=target.source,
                note=target.note,
            )
        for written in pack.rules:
            rule = Rule(
                pack=pack.name,
                id=written.id,
                kind=written.kind,
                category=written.category,
                severity=written.severity,
                title=written.title,
                reference=written.reference,
                params=written.params,
                source=written.source,
                note=written.note,
            )
            rules[rule.qualified_id] = rule
    return [rule for key, rule in rules.items() if key not in disabled]
