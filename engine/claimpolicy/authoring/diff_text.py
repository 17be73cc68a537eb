"""A pack diff as a compliance reviewer reads it."""

from __future__ import annotations

import json
from typing import Any

from claimpolicy.authoring.diff import CHANGE_KINDS, FieldChange, PackDiff, SystemDiff

__all__ = ["diff_text", "show_value"]

_CHANGE_NAMES = {
    "added_billable": "added (billable)",
    "added_non_billable": "added (non-billable headers)",
    "removed": "removed",
    "made_non_billable": "made non-billable (now a header)",
    "made_billable": "made billable",
}


def show_value(value: Any) -> str:
    """A value as a pack author writes it; `(unset)` for a missing one."""
    if value is None:
        return "(unset)"
    return json.dumps(value, default=str, ensure_ascii=False)


def diff_text(diff: PackDiff) -> str:
    old, new = diff.old, diff.new
    lines = [f"{old.name} {old.version} -> {new.name} {new.version}"]
    if diff.manifest:
        lines.append("manifest:")
        lines += [f"  {_change(change)}" for change in diff.manifest]

    lines.append(_count("rules added", diff.added))
    lines += [
        f"  + {new.name}/{r.id}  {r.kind} {r.severity}: {r.title}" for r in diff.added
    ]
    lines.append(_count("rules removed", diff.removed))
    lines += [
        f"  - {old.name}/{r.id}  {r.kind} {r.severity}: {r.title}" for r in diff.removed
    ]
    lines.append(_count("rules changed", diff.changed))
    for rule_id, changes in diff.changed.items():
        lines.append(f"  ~ {new.name}/{rule_id}")
        lines += [f"      {_change(change)}" for change in changes]

    overrides = len(diff.overrides_added) + len(diff.overrides_removed)
    lines.append(f"overrides changed ({overrides + len(diff.overrides_changed)}):")
    lines += [
        f"  + {o.target} {show_value(dict(o.changes))}" for o in diff.overrides_added
    ]
    lines += [f"  - {o.target}" for o in diff.overrides_removed]
    for target, changes in diff.overrides_changed.items():
        lines.append(f"  ~ {target}")
        lines += [f"      {_change(change)}" for change in changes]

    lines.append("code sets:")
    if diff.codesets_added or diff.codesets_removed:
        lines.append(f"  listed: added {_keys(diff.codesets_added)}")
        lines.append(f"  listed: dropped {_keys(diff.codesets_removed)}")
    if not diff.systems:
        lines.append(
            "  the code sets in force on each version's first day are the same"
        )
    for system in diff.systems:
        lines += _system(system)
    return "\n".join(lines)


def _count(label: str, items: Any) -> str:
    return f"{label} ({len(items)}):"


def _change(change: FieldChange) -> str:
    return f"{change.field}: {show_value(change.old)} -> {show_value(change.new)}"


def _keys(keys: list[str]) -> str:
    return ", ".join(keys) if keys else "(none)"


def _system(system: SystemDiff) -> list[str]:
    lines = [f"  {system.system}: {system.old or '(none)'} -> {system.new or '(none)'}"]
    for kind in CHANGE_KINDS:
        changes = system.changes[kind]
        lines.append(f"    {_CHANGE_NAMES[kind]}: {changes.count}")
        for code, title in changes.examples:
            lines.append(f"      {code:<9} {title or ''}".rstrip())
            children = changes.children.get(code)
            if children:
                below = ", ".join(children)
                lines.append(f"                new codes below it: {below}")
        if changes.count > len(changes.examples):
            lines.append(f"      ... and {changes.count - len(changes.examples)} more")
    return lines
