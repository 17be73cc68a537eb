"""one-initial-service: one "initial" drug administration code per encounter.

After the initial service (an IV infusion, push or hydration), every further
administration through the same access is reported with a sequential,
concurrent or additional code. A second initial code is right only when
protocol needs a separate IV site, shown by a modifier such as XE.

The encounter is taken as the date of service. Of the initial lines on a
date that lack a separate-site modifier, the one kept as the initial service
is the highest in `hierarchy` (highest first; a code not listed ranks below
every listed one, and equal ranks keep claim order), so the finding points
at the line that should become a sequential or additional code whatever the
order of the lines. CPT sets that hierarchy for facilities; in the office
the initial service is the main reason for the visit, which the claim
cannot show, so the hierarchy is the best reading of it.

A line that repeats an earlier initial line exactly (same code and
modifiers) is left to the duplicate-lines rule: one mistake, one finding.
Units above 1 on one initial line are left to the unit rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds._reads import has_any
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures
from claimpolicy.kinds.modifiers import MODIFIER_LIST

__all__ = ["OneInitialService"]


class OneInitialService(RuleKind):
    name = "one-initial-service"
    summary = (
        "On one date of service only one line may carry a code of `codes` (the "
        "initial drug administration services) without one of "
        "`separate_site_modifiers`; the line kept is the highest in "
        "`hierarchy` (highest first), else the first, and each other such "
        "line fires."
    )
    parameters = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "separate_site_modifiers": {**MODIFIER_LIST, "required": True},
        "hierarchy": PROCEDURE_LIST,
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        compiled = [
            (
                rule,
                expand_procedures(rule.params["codes"]),
                frozenset(rule.params["separate_site_modifiers"]),
                _ranks(rule.params.get("hierarchy", ())),
            )
            for rule in rules
        ]

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for rule, codes, modifiers, ranks in compiled:
                # Most claims bill one initial line at most, which is never
                # a second one: counting them costs less than grouping.
                if not _billed_twice(claim, codes):
                    continue
                by_date: dict[date, list[Line]] = {}
                for line in claim.lines:
                    if line.code in codes and not has_any(line.modifiers, modifiers):
                        by_date.setdefault(line.service_date, []).append(line)
                for lines in by_date.values():
                    if len(lines) > 1:
                        _check_date(rule, emit, lines, ranks, modifiers)

        return check


def _billed_twice(claim: PreparedClaim, codes: frozenset[str]) -> bool:
    """Whether two lines of the claim have a code of `codes`."""
    seen = False
    for line in claim.lines:
        if line.code in codes:
            if seen:
                return True
            seen = True
    return False


def _ranks(hierarchy: Sequence[str]) -> dict[str, int]:
    """code -> its place in the hierarchy, 0 the highest."""
    ranks: dict[str, int] = {}
    for place, entry in enumerate(hierarchy):
        for code in expand_procedures([entry]):
            ranks.setdefault(code, place)
    return ranks


def _check_date(
    rule: Rule,
    emit: Emit,
    lines: list[Line],
    ranks: dict[str, int],
    modifiers: frozenset[str],
) -> None:
    """Fire on every initial line of one date but the one kept."""
    lowest = len(ranks)
    kept = min(lines, key=lambda line: (ranks.get(line.code, lowest), line.index))
    kept_rank = ranks.get(kept.code, lowest)
    seen: set[tuple[str, frozenset[str]]] = set()
    for line in lines:
        key = (line.code, frozenset(line.modifiers))
        if key in seen:
            continue  # an exact repeat: the duplicate-lines rule reports it
        seen.add(key)
        if line is not kept:
            higher = ranks.get(line.code, lowest) > kept_rank
            _emit(rule, emit, line, kept, higher, modifiers)


def _emit(
    rule: Rule,
    emit: Emit,
    line: Line,
    kept: Line,
    higher: bool,
    modifiers: frozenset[str],
) -> None:
    allowed = ", ".join(sorted(modifiers))
    why = "which ranks higher as the initial service" if higher else "billed first"
    emit(
        rule,
        f"{line.code} (line {line.number}) is a second initial drug administration "
        f"service on {line.service_date} besides {kept.code} (line {kept.number}), "
        f"{why}: report {line.code} with its sequential, concurrent or additional "
        f"code, or add one of {allowed} when protocol required a separate IV site",
        line=line,
        at="/modifiers",
        evidence={
            "code": line.code,
            "modifiers": list(line.modifiers),
            "initial_code": kept.code,
            "initial_line": kept.number,
            "service_date": line.service_date.isoformat(),
        },
    )
