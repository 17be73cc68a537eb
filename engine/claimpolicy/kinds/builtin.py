"""The built-in rule kinds, registered through the same hook as a plugin's."""

from __future__ import annotations

from claimpolicy.hookspecs import hookimpl
from claimpolicy.kinds.base import RuleKind
from claimpolicy.kinds.modifiers import RequiredModifier
from claimpolicy.kinds.pointers import DiagnosisPointers

BUILTIN_KINDS: tuple[type[RuleKind], ...] = (
    DiagnosisPointers,
    RequiredModifier,
)


@hookimpl
def claimpolicy_register_rule_kinds() -> list[RuleKind]:
    return [kind() for kind in BUILTIN_KINDS]
