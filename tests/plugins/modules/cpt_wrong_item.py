"""Returns text where rule kinds are expected."""

from claimpolicy import hookimpl


@hookimpl
def claimpolicy_register_rule_kinds() -> list[object]:
    return ["required-modifier"]
