"""code-pair: two codes that are not paid together on one date of service,
in the form of the NCCI procedure-to-procedure (PTP) edit tables.

Each row names a column 1 code (the one paid) and a column 2 code (the one
denied), either of them a range, with the dates the edit is in force and the
NCCI modifier indicator:

- 0: no modifier lets the pair through;
- 1: the pair is allowed when a bypass modifier shows distinct services. As
  in NCCI, the modifier goes on the column 2 code (59, XE, XS, XP, XU by
  default); for a pair with an E/M visit, modifier 25 on the E/M code
  (`em_codes`, `em_modifiers`) also allows it, whichever column it is in;
- 9: the edit does not apply (NCCI deletes such edits retroactively); the
  row is kept for the record and never fires.

An edit is in force on a date when `effective <= date` and, if it has a
`deleted` date, `date < deleted`. Both lines must share the date of service.
Rows are expanded into a dict keyed by column 1 code, then column 2 code, so
a claim costs only the lines whose codes appear in some row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds._reads import bills_any, has_any
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, PROCEDURE_PATTERN, expand_procedures
from claimpolicy.kinds.modifiers import MODIFIER_LIST

__all__ = ["DEFAULT_BYPASS_MODIFIERS", "CodePair"]

DEFAULT_BYPASS_MODIFIERS = ["59", "XE", "XS", "XP", "XU"]
DEFAULT_EM_MODIFIERS = ["25"]

_CODE = {"type": "string", "required": True, "regex": PROCEDURE_PATTERN}
PAIR_ROW: dict[str, Any] = {
    "type": "dict",
    "schema": {
        "column1": _CODE,
        "column2": _CODE,
        "effective": {"type": "date", "required": True},
        "deleted": {"type": "date"},
        "modifier_indicator": {
            "type": "integer",
            "required": True,
            "allowed": [0, 1, 9],
        },
        "source": {"type": "string", "empty": False},
    },
}


@dataclass(frozen=True, slots=True)
class _Edit:
    """One row of a rule, with the rule's modifiers resolved."""

    rule: Rule
    column1: str
    column2: str
    effective: date
    deleted: date | None
    indicator: int
    source: str | None
    bypass: frozenset[str]
    em_codes: frozenset[str]
    em_modifiers: frozenset[str]

    def in_force(self, day: date) -> bool:
        return self.effective <= day and (self.deleted is None or day < self.deleted)

    def bypassed(self, first: Line, second: Line) -> bool:
        """Whether modifiers let the column 2 line through (indicator 1)."""
        if has_any(second.modifiers, self.bypass):
            return True
        return any(
            line.code in self.em_codes and has_any(line.modifiers, self.em_modifiers)
            for line in (first, second)
        )


class CodePair(RuleKind):
    name = "code-pair"
    summary = (
        "NCCI PTP edit: the column 2 code of a row in `pairs` billed on the "
        "same date as its column 1 code is denied; with modifier indicator 1 "
        "a modifier of `bypass_modifiers` on the column 2 line (or one of "
        "`em_modifiers` on an E/M line of `em_codes`) allows the pair; "
        "indicator 9 never fires."
    )
    parameters = {
        "pairs": {"type": "list", "required": True, "minlength": 1, "schema": PAIR_ROW},
        "bypass_modifiers": {**MODIFIER_LIST, "default": DEFAULT_BYPASS_MODIFIERS},
        "em_codes": PROCEDURE_LIST,
        "em_modifiers": {**MODIFIER_LIST, "default": DEFAULT_EM_MODIFIERS},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        index = _index(rules)
        if not index:
            return None
        # An edit needs both of its codes, and most claims bill no column 2
        # code at all: one pass over the codes then settles the claim.
        seconds = frozenset([code for partners in index.values() for code in partners])

        def check(claim: PreparedClaim, emit: Emit) -> None:
            if not bills_any(claim, seconds):
                return
            reported: set[tuple[int, int]] = set()
            for first in claim.lines:
                partners = index.get(first.code)
                if partners is None:
                    continue
                for second in claim.lines:
                    edits = partners.get(second.code)
                    if (
                        edits is None
                        or second is first
                        or second.service_date != first.service_date
                    ):
                        continue
                    for edit in edits:
                        key = (id(edit.rule), second.index)
                        if key in reported or not edit.in_force(second.service_date):
                            continue
                        if edit.indicator == 1 and edit.bypassed(first, second):
                            continue
                        reported.add(key)
                        _emit(emit, edit, first, second)

        return check


def _index(rules: Sequence[Rule]) -> dict[str, dict[str, list[_Edit]]]:
    """column 1 code -> column 2 code -> edits; indicator 9 rows left out."""
    index: dict[str, dict[str, list[_Edit]]] = {}
    for rule in rules:
        params = rule.params
        bypass = frozenset(params.get("bypass_modifiers", DEFAULT_BYPASS_MODIFIERS))
        em_codes = expand_procedures(params.get("em_codes", ()))
        em_modifiers = frozenset(params.get("em_modifiers", DEFAULT_EM_MODIFIERS))
        for row in params["pairs"]:
            if row["modifier_indicator"] == 9:
                continue
            edit = _Edit(
                rule,
                row["column1"],
                row["column2"],
                row["effective"],
                row.get("deleted"),
                row["modifier_indicator"],
                row.get("source"),
                bypass,
                em_codes,
                em_modifiers,
            )
            seconds = expand_procedures([row["column2"]])
            for code in expand_procedures([row["column1"]]):
                partners = index.setdefault(code, {})
                for second in seconds:
                    partners.setdefault(second, []).append(edit)
    return index


def _emit(emit: Emit, edit: _Edit, first: Line, second: Line) -> None:
    day = second.service_date
    evidence = {
        "column1": first.code,
        "column1_line": first.number,
        "column2": second.code,
        "modifier_indicator": edit.indicator,
        "modifiers": list(second.modifiers),
        "effective": edit.effective.isoformat(),
        "deleted": edit.deleted.isoformat() if edit.deleted else None,
        "source": edit.source,
    }
    if edit.indicator == 0:
        emit(
            edit.rule,
            f"{second.code} is not paid with {first.code} (line {first.number}) "
            f"on the same date, {day}; no modifier allows the pair",
            line=second,
            at="/code",
            evidence=evidence,
        )
        return
    allowed = " or ".join(sorted(edit.bypass))
    if first.code in edit.em_codes or second.code in edit.em_codes:
        em_line = first if first.code in edit.em_codes else second
        em_mods = " or ".join(sorted(edit.em_modifiers))
        allowed += f" on {second.code}, or {em_mods} on {em_line.code}"
    else:
        allowed += f" on {second.code}"
    emit(
        edit.rule,
        f"{second.code} is billed with {first.code} (line {first.number}) on "
        f"{day}; the pair is paid only with modifier {allowed} when the "
        "services were distinct",
        line=second,
        at="/modifiers",
        evidence=evidence,
    )
