"""duplicate-lines: one service billed twice on a claim.

Two lines with the same code, date of service and modifiers (compared as
sets, so `25, GT` equals `GT, 25`) bill the same service twice; the units of
one service belong on one line. Drug lines of one code with different NDCs
bill two products and are not duplicates. A line with a repeat modifier (76 and 77
repeat procedure, 91 repeat laboratory test, by default) says the service
was truly done again and is left alone. Each repeat is reported on the later
line, naming the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds._reads import has_any
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.modifiers import MODIFIER_LIST

__all__ = ["DuplicateLines"]

REPEAT_MODIFIERS = ["76", "77", "91"]


class DuplicateLines(RuleKind):
    name = "duplicate-lines"
    summary = (
        "Two lines with the same code, date of service, modifiers (as sets) "
        "and NDC are a duplicate, unless a line carries one of "
        "`repeat_modifiers` (76, 77, 91 by default)."
    )
    parameters = {"repeat_modifiers": {**MODIFIER_LIST, "default": REPEAT_MODIFIERS}}

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        if not rules:
            return None
        # Rules with the same repeat modifiers find the same duplicates.
        by_repeats: dict[frozenset[str], list[Rule]] = {}
        for rule in rules:
            repeats = frozenset(rule.params.get("repeat_modifiers", REPEAT_MODIFIERS))
            by_repeats.setdefault(repeats, []).append(rule)

        def check(claim: PreparedClaim, emit: Emit) -> None:
            # A duplicate repeats a code: most claims bill each code once.
            by_code = claim.lines_by_code
            if len(by_code) == len(claim.lines):
                return
            for lines in by_code.values():
                if len(lines) < 2:
                    continue
                for repeats, same in by_repeats.items():
                    for line, first in _duplicates(repeats, lines):
                        for rule in same:
                            _emit(rule, emit, line, first)

        return check


def _duplicates(repeats: frozenset[str], lines: list[Line]) -> list[tuple[Line, Line]]:
    """(line, the earlier line it repeats) for each duplicate among `lines`."""
    first_of: dict[tuple[date, frozenset[str], str | None], Line] = {}
    found = []
    for line in lines:
        if has_any(line.modifiers, repeats):
            continue
        ndc = line.ndc["code"] if line.ndc is not None else None
        key = (line.service_date, frozenset(line.modifiers), ndc)
        first = first_of.setdefault(key, line)
        if first is not line:
            found.append((line, first))
    return found


def _emit(rule: Rule, emit: Emit, line: Line, first: Line) -> None:
    emit(
        rule,
        f"line {line.number} repeats line {first.number}: {line.code} on "
        f"{line.service_date} with the same modifiers; put the units on one "
        "line, or add a repeat modifier if the service was done again",
        line=line,
        at="/code",
        evidence={
            "code": line.code,
            "service_date": line.service_date.isoformat(),
            "modifiers": sorted(line.modifiers),
            "first_line": first.number,
        },
    )
