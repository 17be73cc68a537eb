"""A resolved set of packs compiled into checks, once, then reused per claim.

Rules are grouped by kind and each kind compiles its rules into indexes, so
checking a claim costs what its own codes touch, not the size of the packs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from claimpolicy.codesets.registry import CodeSet
from claimpolicy.kinds.base import Check, Rule, RuleKind
from claimpolicy.packs.digest import pack_digest
from claimpolicy.packs.pack import PackVersion
from claimpolicy.packs.resolve import effective_rules
from claimpolicy.report import PackStamp

__all__ = ["CodeTables", "RuleSet"]


class CodeTables:
    """The code sets of a rule set, each picked by the date of service."""

    def __init__(self, codesets: Sequence[CodeSet]) -> None:
        self._by_system: dict[str, list[CodeSet]] = {}
        for codeset in sorted(codesets, key=lambda c: c.effective_from):
            self._by_system.setdefault(codeset.system, []).append(codeset)
        # Kinds ask for a table per line and per rule: each system remembers
        # its answer per day, so that a lookup is one dict access.
        self._icd10cm: dict[date, Any] = {}
        self._hcpcs: dict[date, Any] = {}
        self._procedures: dict[date, Any] = {}
        self._drugs: dict[date, dict[str, Any]] = {}
        self._drug_indexes: dict[Any, dict[str, Any]] = {}

    def _on(self, system: str, day: date, found: dict[date, Any]) -> Any:
        table = None
        for codeset in self._by_system.get(system, ()):
            if codeset.in_force(day):
                table = codeset.table()
                break
        found[day] = table
        return table

    def icd10cm(self, on: date) -> Any:
        try:
            return self._icd10cm[on]
        except KeyError:
            return self._on("ICD-10-CM", on, self._icd10cm)

    def hcpcs(self, on: date) -> Any:
        try:
            return self._hcpcs[on]
        except KeyError:
            return self._on("HCPCS Level II", on, self._hcpcs)

    def drug(self, code: str, on: date) -> Any:
        """The drug table's entry for `code` (upper case) on that day, if any."""
        # Three drug kinds ask this of every line: one dict access here,
        # instead of a call into the table that re-cases codes it misses.
        drugs = self._drugs.get(on)
        if drugs is None:
            drugs = self._drugs[on] = self._drug_index(self.hcpcs(on))
        return drugs.get(code)

    def _drug_index(self, table: Any) -> dict[str, Any]:
        # A plain dict, one per table: the table's read-only view of its
        # drugs costs a Python-level call per lookup.
        if table is None:
            return {}
        index = self._drug_indexes.get(table)
        if index is None:
            index = self._drug_indexes[table] = dict(table.drugs)
        return index

    def procedures(self, on: date) -> Any:
        try:
            return self._procedures[on]
        except KeyError:
            return self._on("CPT", on, self._procedures)

    def codeset_on(self, system: str, day: date) -> CodeSet | None:
        return next(
            (c for c in self._by_system.get(system, ()) if c.in_force(day)), None
        )

    def systems(self) -> list[str]:
        return sorted(self._by_system)


class RuleSet:
    """The compiled checks of one chain of pack versions."""

    def __init__(
        self,
        packs: tuple[PackVersion, ...],
        kinds: Mapping[str, RuleKind],
        codesets: Mapping[str, CodeSet],
    ) -> None:
        self.packs = packs
        self.stamps = tuple(
            PackStamp(pack.name, str(pack.version), pack_digest(pack, codesets))
            for pack in packs
        )
        used = {key for pack in packs for key in pack.codesets}
        self.tables = CodeTables(
            [codesets[key] for key in sorted(used) if key in codesets]
        )
        self.rules = effective_rules(packs)
        by_kind: dict[str, list[Rule]] = {}
        for rule in self.rules:
            by_kind.setdefault(rule.kind, []).append(rule)
        self.checks: list[tuple[str, Check]] = []
        for name in sorted(by_kind):
            check = kinds[name].compile(by_kind[name], self.tables)
            if check is not None:
                self.checks.append((name, check))
