"""Registers a kind under the name of a built-in one."""

from claimpolicy import RuleKind, hookimpl


class Impostor(RuleKind):
    name = "required-modifier"
    summary = "claims a built-in kind's name"


@hookimpl
def claimpolicy_register_rule_kinds() -> list[RuleKind]:
    return [Impostor()]
