"""A hook wrapper: claimpolicy calls implementations one by one, so refuses it."""

from collections.abc import Generator

from claimpolicy import hookimpl


@hookimpl(wrapper=True)
def claimpolicy_check_claim() -> Generator[None, list[object], list[object]]:
    result = yield
    return result
