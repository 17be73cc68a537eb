"""What changed between two versions of a pack: rules, overrides, code sets.

Rules are compared as each version writes them (before any child pack
overrides them): added, removed, and changed field by field (kind,
category, severity, title, reference, note, then each parameter).

The code set of a version, for one code system, is the one of its listed
code sets in force on the version's first day; when none is in force then,
the first that comes into force within its window. A pack that spans the
October start of an ICD-10-CM fiscal year lists two code sets, and its first
day picks the year the version was written for: cms-core 2025.1 (from
2025-01-01) uses FY2025, 2026.1 (from 2026-01-01) uses FY2026, so their diff
shows the FY2026 changes. Code sets added to or dropped from the manifest's
list are reported besides.

`PackDiff.to_dict()` is the stable JSON form (`"format": "claimpolicy-pack-diff"`,
`"version": 2`):

    {"format", "version",
     "old": {"name", "version", "folder"}, "new": {...},
     "manifest": [{"field", "old", "new"}],
     "rules": {"added": [RULE], "removed": [RULE],
               "changed": [{"id", "changes": [{"field", "old", "new"}]}]},
     "overrides": {"added": [{"target", "changes"}], "removed": [...],
                   "changed": [{"target", "changes": [{"field", "old", "new"}]}]},
     "codesets": {"listed_added": [KEY], "listed_removed": [KEY],
                  "systems": [{"system", "old", "new", "changes": {
                      "added_billable" | "added_non_billable" | "removed" |
                      "made_non_billable" | "made_billable":
                      {"count", "examples": [{"code", "title"}]}}}]}}

Added codes are split: billable ones, which claims may carry, and
non-billable ones, the new headers of a subdivided category (G35.A in
FY2026), which a claim may not; every HCPCS and CPT code counts as billable.
An example of a code made non-billable also has "new_children": the codes
added below it (G35 -> G35.A, G35.B0, ...).

RULE is {"id", "kind", "category", "severity", "title"}; a field is
`severity`, `title`, ... or `params.NAME`; an unset value is null; dates are
ISO strings. ICD-10-CM codes are written as readers write them, with the dot
after the category (B88.01), in JSON as in text. Version 1 had one "added"
that mixed billable codes and headers, and codes without the dot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from claimpolicy.codesets.registry import CodeSet
from claimpolicy.packs.pack import Override, PackRule, PackVersion
from claimpolicy.packs.tomlfile import display_path

__all__ = [
    "CHANGE_KINDS",
    "CodeChanges",
    "FieldChange",
    "PackDiff",
    "SystemDiff",
    "codeset_of",
    "diff_packs",
    "rule_changes",
    "shown_code",
]

RULE_FIELDS: Final = ("kind", "category", "severity", "title", "reference", "note")
CHANGE_KINDS: Final = (
    "added_billable",
    "added_non_billable",
    "removed",
    "made_non_billable",
    "made_billable",
)
FORMAT_VERSION: Final = 2
DEFAULT_EXAMPLES: Final = 10


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any  # None: not set
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": _json(self.old), "new": _json(self.new)}


@dataclass(frozen=True, slots=True)
class CodeChanges:
    count: int
    examples: tuple[tuple[str, str | None], ...]  # (code, title)
    # For a code made non-billable: the added codes below it, which replace it.
    children: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        examples = []
        for code, title in self.examples:
            example: dict[str, Any] = {"code": code, "title": title}
            if code in self.children:
                example["new_children"] = list(self.children[code])
            examples.append(example)
        return {"count": self.count, "examples": examples}


@dataclass(frozen=True, slots=True)
class SystemDiff:
    """How one code system's code set differs between the two versions."""

    system: str
    old: str | None  # code set key, None when the version has none
    new: str | None
    changes: dict[str, CodeChanges]

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "old": self.old,
            "new": self.new,
            "changes": {kind: self.changes[kind].to_dict() for kind in CHANGE_KINDS},
        }


@dataclass(slots=True)
class PackDiff:
    old: PackVersion
    new: PackVersion
    manifest: list[FieldChange] = field(default_factory=list)
    added: list[PackRule] = field(default_factory=list)
    removed: list[PackRule] = field(default_factory=list)
    changed: dict[str, list[FieldChange]] = field(default_factory=dict)
    overrides_added: list[Override] = field(default_factory=list)
    overrides_removed: list[Override] = field(default_factory=list)
    overrides_changed: dict[str, list[FieldChange]] = field(default_factory=dict)
    codesets_added: list[str] = field(default_factory=list)
    codesets_removed: list[str] = field(default_factory=list)
    systems: list[SystemDiff] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "claimpolicy-pack-diff",
            "version": FORMAT_VERSION,
            "old": _pack_dict(self.old),
            "new": _pack_dict(self.new),
            "manifest": [change.to_dict() for change in self.manifest],
            "rules": {
                "added": [_rule_dict(self.new, rule) for rule in self.added],
                "removed": [_rule_dict(self.old, rule) for rule in self.removed],
                "changed": _changed_dicts("id", self.changed, self.new.name),
            },
            "overrides": {
                "added": [_override_dict(o) for o in self.overrides_added],
                "removed": [_override_dict(o) for o in self.overrides_removed],
                "changed": _changed_dicts("target", self.overrides_changed),
            },
            "codesets": {
                "listed_added": self.codesets_added,
                "listed_removed": self.codesets_removed,
                "systems": [system.to_dict() for system in self.systems],
            },
        }


def diff_packs(
    old: PackVersion,
    new: PackVersion,
    codesets: Mapping[str, CodeSet],
    *,
    examples: int = DEFAULT_EXAMPLES,
    prefixes: tuple[str, ...] = ("",),
) -> PackDiff:
    """The changes from `old` to `new`; code changes only of codes starting
    with one of `prefixes` (every code by default), `examples` of each kind."""
    result = PackDiff(old, new, manifest=_manifest_changes(old, new))
    old_rules = {rule.id: rule for rule in old.rules}
    new_rules = {rule.id: rule for rule in new.rules}
    result.added = [new_rules[i] for i in sorted(new_rules.keys() - old_rules.keys())]
    result.removed = [old_rules[i] for i in sorted(old_rules.keys() - new_rules.keys())]
    for rule_id in sorted(old_rules.keys() & new_rules.keys()):
        changes = rule_changes(old_rules[rule_id], new_rules[rule_id])
        if changes:
            result.changed[rule_id] = changes

    old_overrides = {o.target: o for o in old.overrides}
    new_overrides = {o.target: o for o in new.overrides}
    result.overrides_added = [
        new_overrides[t] for t in sorted(new_overrides.keys() - old_overrides.keys())
    ]
    result.overrides_removed = [
        old_overrides[t] for t in sorted(old_overrides.keys() - new_overrides.keys())
    ]
    for target in sorted(old_overrides.keys() & new_overrides.keys()):
        changes = _mapping_changes(
            "", old_overrides[target].changes, new_overrides[target].changes
        )
        if changes:
            result.overrides_changed[target] = changes

    result.codesets_added = sorted(set(new.codesets) - set(old.codesets))
    result.codesets_removed = sorted(set(old.codesets) - set(new.codesets))
    result.systems = _system_diffs(old, new, codesets, examples, prefixes)
    return result


def rule_changes(old: PackRule, new: PackRule) -> list[FieldChange]:
    """Field by field, then parameter by parameter."""
    changes = [
        FieldChange(name, getattr(old, name), getattr(new, name))
        for name in RULE_FIELDS
        if getattr(old, name) != getattr(new, name)
    ]
    return changes + _mapping_changes("params.", old.params, new.params)


def _mapping_changes(
    prefix: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> list[FieldChange]:
    return [
        FieldChange(f"{prefix}{key}", old.get(key), new.get(key))
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    ]


def _manifest_changes(old: PackVersion, new: PackVersion) -> list[FieldChange]:
    def facts(pack: PackVersion) -> dict[str, Any]:
        return {
            "title": pack.title,
            "effective.from": pack.effective_from,
            "effective.to": pack.effective_to,
            "payers": sorted(pack.payers),
            "extends": [f"{p.name} {p.versions}" for p in pack.extends],
            "requires_engine": str(pack.requires_engine),
            "codesets": list(pack.codesets),
        }

    return _mapping_changes("", facts(old), facts(new))


# -- code sets -----------------------------------------------------------------


def codeset_of(
    pack: PackVersion, system: str, codesets: Mapping[str, CodeSet]
) -> CodeSet | None:
    """The code set of `system` that stands for the version (module docstring)."""
    listed = sorted(
        (codesets[key] for key in pack.codesets if key in codesets),
        key=lambda codeset: codeset.effective_from,
    )
    of_system = [codeset for codeset in listed if codeset.system == system]
    first_day = pack.effective_from
    in_force = [codeset for codeset in of_system if codeset.in_force(first_day)]
    if in_force:
        return in_force[-1]
    last_day = pack.effective_to
    return next(
        (
            codeset
            for codeset in of_system
            if codeset.effective_from > first_day
            and (last_day is None or codeset.effective_from <= last_day)
        ),
        None,
    )


def _system_diffs(
    old: PackVersion,
    new: PackVersion,
    codesets: Mapping[str, CodeSet],
    examples: int,
    prefixes: tuple[str, ...],
) -> list[SystemDiff]:
    systems = sorted(
        {
            codesets[key].system
            for key in (*old.codesets, *new.codesets)
            if key in codesets
        }
    )
    diffs = []
    for system in systems:
        before = codeset_of(old, system, codesets)
        after = codeset_of(new, system, codesets)
        if before is after:
            continue
        diffs.append(
            SystemDiff(
                system,
                before.key if before else None,
                after.key if after else None,
                _code_changes(system, before, after, examples, prefixes),
            )
        )
    return diffs


class _Codes:
    """A code set seen as {code: billable?} with a title look-up."""

    def __init__(self, system: str, codeset: CodeSet | None) -> None:
        self.billable: dict[str, bool] = {}
        self.title: Callable[[str], str | None] = lambda code: None
        if codeset is None:
            return
        table = codeset.table()
        if system == "ICD-10-CM":
            self.billable = {c: table.is_billable(c) for c in table.codes()}
            self.title = table.title
        elif system == "HCPCS Level II":
            self.billable = dict.fromkeys(table.codes(), True)
            self.title = lambda code: _attribute(table.get(code), "short_description")
        elif system == "CPT":
            codes: Iterable[str] = (c for group in table.groups.values() for c in group)
            self.billable = dict.fromkeys(codes, True)
            self.title = lambda code: _attribute(table.get(code), "title")


def _attribute(row: Any, name: str) -> str | None:
    return getattr(row, name) if row is not None else None


def _code_changes(
    system: str,
    before: CodeSet | None,
    after: CodeSet | None,
    examples: int,
    prefixes: tuple[str, ...],
) -> dict[str, CodeChanges]:
    old, new = _Codes(system, before), _Codes(system, after)
    common = old.billable.keys() & new.billable.keys()
    added = sorted(new.billable.keys() - old.billable.keys())
    found = {
        "added_billable": ([c for c in added if new.billable[c]], new),
        "added_non_billable": ([c for c in added if not new.billable[c]], new),
        "removed": (sorted(old.billable.keys() - new.billable.keys()), old),
        "made_non_billable": (
            sorted(c for c in common if old.billable[c] and not new.billable[c]),
            new,
        ),
        "made_billable": (
            sorted(c for c in common if not old.billable[c] and new.billable[c]),
            new,
        ),
    }
    changes = {}
    for kind, (codes, source) in found.items():
        selected = [code for code in codes if code.startswith(prefixes)]
        shown = selected[:examples]
        children = {
            code: tuple(c for c in added if c.startswith(code) and c != code)
            for code in shown
            if kind == "made_non_billable"
        }
        changes[kind] = CodeChanges(
            len(selected),
            tuple((shown_code(system, c), source.title(c)) for c in shown),
            {
                shown_code(system, code): tuple(shown_code(system, c) for c in below)
                for code, below in children.items()
                if below
            },
        )
    return changes


def shown_code(system: str, code: str) -> str:
    """A code as readers write it: ICD-10-CM with a dot after the category."""
    if system == "ICD-10-CM" and len(code) > 3:
        return f"{code[:3]}.{code[3:]}"
    return code


# -- JSON ----------------------------------------------------------------------


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value


def _pack_dict(pack: PackVersion) -> dict[str, str]:
    return {
        "name": pack.name,
        "version": str(pack.version),
        "folder": display_path(pack.folder),
    }


def _rule_dict(pack: PackVersion, rule: PackRule) -> dict[str, str]:
    return {
        "id": f"{pack.name}/{rule.id}",
        "kind": rule.kind,
        "category": rule.category,
        "severity": rule.severity,
        "title": rule.title,
    }


def _override_dict(override: Override) -> dict[str, Any]:
    return {"target": override.target, "changes": _json(dict(override.changes))}


def _changed_dicts(
    key: str, changed: Mapping[str, list[FieldChange]], pack: str | None = None
) -> list[dict[str, Any]]:
    return [
        {
            key: f"{pack}/{name}" if pack else name,
            "changes": [change.to_dict() for change in changes],
        }
        for name, changes in changed.items()
    ]
