"""What a rule is, where it is written, and who changes it.

`explain_rule` finds a rule by its qualified id (`cms-core/EM-MOD25`) or by
its bare id when one pack alone has it, and gathers every pack version that
defines it and every override of it by the packs that extend its pack.

`explain_edit` finds a custom edit, which a plugin's code checks and
registers with `claimpolicy_register_edits`: its findings carry its id like
a rule's, so a reader of a report asks about it the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from claimpolicy.authoring.diff import FieldChange, rule_changes
from claimpolicy.authoring.diff_text import show_value
from claimpolicy.errors import InputError
from claimpolicy.kinds.base import RuleKind
from claimpolicy.packs.pack import Override, PackRule, PackVersion
from claimpolicy.packs.registry import PackRegistry
from claimpolicy.plugin_api import Edit
from claimpolicy.plugins import PluginHost, PluginInfo

__all__ = [
    "EditExplanation",
    "Explanation",
    "edit_text",
    "explain_edit",
    "explain_rule",
    "explanation_text",
]

# The category the engine stamps on every finding of a custom edit.
EDIT_CATEGORY: Final = "custom"


@dataclass(frozen=True, slots=True)
class Explanation:
    qualified_id: str
    kind: RuleKind | None  # None when no loaded plugin registers the kind
    # Every version that defines the rule, oldest first; the last is shown.
    definitions: tuple[tuple[PackVersion, PackRule], ...]
    overrides: tuple[tuple[PackVersion, Override], ...]

    @property
    def rule(self) -> PackRule:
        return self.definitions[-1][1]


@dataclass(frozen=True, slots=True)
class EditExplanation:
    edit: Edit
    plugin: PluginInfo  # the plugin that registers it


def explain_rule(
    registry: PackRegistry,
    kinds: Mapping[str, RuleKind],
    text: str,
    edits: Iterable[str] = (),
) -> Explanation:
    """The rule `text` names; InputError when none or several do.

    `edits` (custom edit ids) are only suggested when `text` is misspelt.
    """
    pack_name, rule_id = _resolve(registry, text, edits)
    definitions = tuple(
        (pack, rule)
        for pack in registry.versions(pack_name)
        for rule in pack.rules
        if rule.id == rule_id
    )
    qualified = f"{pack_name}/{rule_id}"
    overrides = tuple(
        (pack, override)
        for pack in registry.all()
        for override in pack.overrides
        if override.target == qualified
    )
    rule = definitions[-1][1]
    return Explanation(qualified, kinds.get(rule.kind), definitions, overrides)


def _resolve(
    registry: PackRegistry, text: str, edits: Iterable[str]
) -> tuple[str, str]:
    every = {(pack.name, rule.id) for pack in registry.all() for rule in pack.rules}
    if "/" in text:
        pack_name, _, rule_id = text.partition("/")
        if (pack_name, rule_id) in every:
            return pack_name, rule_id
    else:
        owners = sorted(name for name, rule_id in every if rule_id == text)
        if len(owners) == 1:
            return owners[0], text
        if owners:
            choices = ", ".join(f"{name}/{text}" for name in owners)
            raise InputError(text, f"several packs have this rule: {choices}")
    known = sorted({f"{name}/{rule_id}" for name, rule_id in every} | set(edits))
    close = difflib.get_close_matches(text, known, n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise InputError(text, f"no pack or plugin has this rule{hint}")


def explain_edit(plugins: PluginHost, text: str) -> EditExplanation | None:
    """The custom edit whose id is `text`, with its plugin; None if none."""
    for name, edit in plugins.collect("claimpolicy_register_edits"):
        if edit.id == text:
            info = next(info for info in plugins.infos() if info.name == name)
            return EditExplanation(edit, info)
    return None


def edit_text(explanation: EditExplanation) -> str:
    edit, plugin = explanation.edit, explanation.plugin
    installed = (
        f"distribution {plugin.distribution} {plugin.version}".rstrip()
        if plugin.distribution
        else "no distribution: a module imported from the path"
    )
    return "\n".join(
        [
            f"{edit.id}: {edit.title}",
            "  kind:       custom edit (the plugin's code checks it; no pack "
            "defines or overrides it)",
            f"  severity:   {edit.severity}",
            f"  category:   {EDIT_CATEGORY}",
            f"  reference:  {edit.reference}",
            f"  plugin:     {plugin.name} (loaded as {plugin.source})",
            f"  from:       {installed}",
        ]
    )


def explanation_text(explanation: Explanation) -> str:
    rule = explanation.rule
    kind = explanation.kind
    summary = f" ({kind.summary})" if kind is not None else " (kind not loaded)"
    lines = [
        f"{explanation.qualified_id}: {rule.title}",
        f"  kind:       {rule.kind}{summary}",
        f"  severity:   {rule.severity}",
        f"  category:   {rule.category}",
        f"  reference:  {rule.reference}",
    ]
    if rule.note:
        lines.append(f"  note:       {rule.note}")
    lines.append("  parameters:")
    width = max((len(name) for name in rule.params), default=0)
    lines += [
        f"    {name:<{width}} = {show_value(value)}"
        for name, value in sorted(rule.params.items())
    ]
    newest = explanation.definitions[-1][0]
    lines.append(f"  defined in: {rule.source} ({newest.key}, the newest version)")
    lines.append("  versions:")
    for pack, written in explanation.definitions:
        lines.append(
            f"    {pack.key} ({pack.effective_text()}): {written.source}"
            + _differs(rule_changes(written, rule))
        )
    lines.append("  overridden by:")
    lines += [
        f"    {pack.key}: {_override(override)} ({override.source})"
        for pack, override in explanation.overrides
    ]
    if not explanation.overrides:
        lines.append("    (no pack overrides it)")
    return "\n".join(lines)


def _differs(changes: list[FieldChange]) -> str:
    if not changes:
        return ""
    shown = ", ".join(f"{c.field} {show_value(c.old)}" for c in changes)
    return f"; differs from the newest: {shown}"


def _override(override: Override) -> str:
    changes = dict(override.changes)
    reason = changes.pop("reason", None)
    if changes.pop("enabled", True) is False:
        parts = ["disables it"]
    else:
        parts = [f"sets {key} = {show_value(value)}" for key, value in changes.items()]
    because = f", because: {reason}" if reason else ""
    return "; ".join(parts or ["changes nothing"]) + because
