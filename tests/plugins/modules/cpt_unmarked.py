"""A hook without @hookimpl: pluggy would skip it in silence."""


def claimpolicy_register_edits() -> list[object]:
    return []
