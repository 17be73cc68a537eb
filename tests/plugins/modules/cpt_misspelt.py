"""A hook name with a typo: must stop the start-up, not be ignored."""

from claimpolicy import hookimpl


@hookimpl
def claimpolicy_register_rulekinds() -> list[object]:
    return []
