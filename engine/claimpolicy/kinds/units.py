"""unit-limit: the most units of a code one provider bills for one patient,
in the form of the CMS medically unlikely edits (MUEs).

Each row of `limits` gives a code (or a range), `max_units` and how the limit
is adjudicated, as the MUE adjudication indicator (MAI) says:

- `adjudication = "line"` (MAI 1): the units of each line are compared with
  the limit; more units may be billed on further lines with a modifier that
  shows a distinct service;
- `adjudication = "date"` (MAI 2 and 3): the units of every line of the code
  on one date of service are added up, whatever their modifiers (JW lines
  included), and compared with the limit.

With `from_drug_table = true`, a drug code without a row takes the `mue` of
the HCPCS drug table in force on the line's date, adjudicated as
`drug_adjudication` says (by date unless told otherwise).

The rows are a table in the form of the CMS practitioner MUE file (code,
value, MAI), so the quarterly CMS file can replace them row for row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds._memory import CODES_REMEMBERED, TableMemories
from claimpolicy.kinds._text import units
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_PATTERN, expand_procedures

__all__ = ["UnitLimit"]

LINE = "line"
DATE = "date"

_ROW_COMMON: dict[str, Any] = {
    "code": {"type": "string", "required": True, "regex": PROCEDURE_PATTERN},
    "max_units": {"type": "number", "required": True, "min": 0},
    "source": {"type": "string", "empty": False},
}
# The MAI, when given, must agree with the adjudication: 1 is a line edit,
# 2 and 3 are date-of-service edits.
LIMIT_ROW: dict[str, Any] = {
    "type": "dict",
    "oneof_schema": [
        {
            **_ROW_COMMON,
            "adjudication": {"type": "string", "required": True, "allowed": [LINE]},
            "mai": {"type": "integer", "allowed": [1]},
        },
        {
            **_ROW_COMMON,
            "adjudication": {"type": "string", "required": True, "allowed": [DATE]},
            "mai": {"type": "integer", "allowed": [2, 3]},
        },
    ],
}


@dataclass(frozen=True, slots=True)
class _Limit:
    rule: Rule
    max_units: float | int  # as written in the pack; float alone would be 2.0
    adjudication: str
    mai: int | None
    source: str | None

    def label(self) -> str:
        """`MUE, MAI 3` for a row of the CMS table, else where it comes from."""
        return f"MUE, MAI {self.mai}" if self.mai is not None else "unit limit"


class UnitLimit(RuleKind):
    name = "unit-limit"
    summary = (
        "MUE: the units of a code in `limits` may not pass `max_units`, "
        "counted per line (`adjudication = 'line'`, MAI 1) or summed over the "
        "code's lines on one date (`'date'`, MAI 2 and 3). With "
        "`from_drug_table = true`, drug codes without a row use the HCPCS drug "
        "table's `mue`."
    )
    parameters = {
        "limits": {"type": "list", "schema": LIMIT_ROW, "default": []},
        "from_drug_table": {"type": "boolean", "default": False},
        "drug_adjudication": {
            "type": "string",
            "allowed": [LINE, DATE],
            "default": DATE,
        },
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        index: dict[str, list[_Limit]] = {}
        for rule in rules:
            for row in rule.params.get("limits", ()):
                limit = _Limit(
                    rule,
                    row["max_units"],
                    row["adjudication"],
                    row.get("mai"),
                    row.get("source"),
                )
                for code in expand_procedures([row["code"]]):
                    index.setdefault(code, []).append(limit)
        from_drugs = [rule for rule in rules if rule.params.get("from_drug_table")]
        if not index and not from_drugs:
            return None

        def limits_of(code: str, lines: list[Line]) -> list[_Limit]:
            limits = index.get(code, [])
            if not from_drugs:
                return limits
            drug = tables.drug(code, lines[0].service_date)
            if drug is None or drug.mue is None:
                return limits
            # A rule's own row for the code wins over the drug table.
            have = {id(limit.rule) for limit in limits}
            missing = [rule for rule in from_drugs if id(rule) not in have]
            return limits + [
                _Limit(
                    rule,
                    drug.mue,
                    rule.params.get("drug_adjudication", DATE),
                    None,
                    drug.mue_source or "HCPCS drug table",
                )
                for rule in missing
            ]

        # The limits of a code depend only on the code and the HCPCS table in
        # force on its first line's date, and a batch bills the same codes
        # over and over: they are remembered, so that a code costs one dict
        # lookup instead of a drug table lookup and a list.
        memories: TableMemories[dict[str, list[_Limit]]] = TableMemories(
            tables.hcpcs, dict
        )
        limits_by_day = memories.by_day

        def remember_code(
            remembered: dict[str, list[_Limit]], code: str, lines: list[Line]
        ) -> list[_Limit]:
            if len(remembered) >= CODES_REMEMBERED:
                remembered.clear()
            found = remembered[code] = limits_of(code, lines)
            return found

        def check(claim: PreparedClaim, emit: Emit) -> None:
            # `or`: a day whose memory is empty simply starts a fresh one.
            day = claim.service_date
            remembered = limits_by_day.get(day) or memories.on(day)
            for code, lines in claim.lines_by_code.items():
                # `is not` first: the lines of a claim share their date
                # objects, and comparing dates is a call through Python.
                first_day = lines[0].service_date
                if first_day is not day and first_day != day:
                    day = first_day
                    remembered = limits_by_day.get(day) or memories.on(day)
                limits = remembered.get(code)
                if limits is None:
                    limits = remember_code(remembered, code, lines)
                if not limits:
                    continue
                if len(lines) == 1:
                    # One line: a line edit and a date edit compare the same
                    # units with the limit, and most lines are under it.
                    billed = lines[0].units
                    for limit in limits:
                        if billed > limit.max_units:
                            _check_limit(emit, limit, lines)
                    continue
                for limit in limits:
                    _check_limit(emit, limit, lines)

        return check


def _check_limit(emit: Emit, limit: _Limit, lines: list[Line]) -> None:
    if limit.adjudication == LINE:
        _check_lines(emit, limit, lines)
    else:
        _check_dates(emit, limit, lines)


def _check_lines(emit: Emit, limit: _Limit, lines: list[Line]) -> None:
    for line in lines:
        if line.units > limit.max_units:
            emit(
                limit.rule,
                f"{line.code} is billed for {units(line.units)} on one line; "
                f"the limit is {units(limit.max_units)} per line ({limit.label()})",
                line=line,
                at="/units",
                evidence=_evidence(limit, line.units, [line]),
            )


def _check_dates(emit: Emit, limit: _Limit, lines: list[Line]) -> None:
    by_date: dict[date, list[Line]] = {}
    for line in lines:
        by_date.setdefault(line.service_date, []).append(line)
    for day, same_day in by_date.items():
        total = sum(line.units for line in same_day)
        if total <= limit.max_units:
            continue
        where = (
            "on one line"
            if len(same_day) == 1
            else "on lines " + ", ".join(str(line.number) for line in same_day)
        )
        first = same_day[0]
        emit(
            limit.rule,
            f"{first.code} is billed for {units(total)} on {day} {where}; "
            f"the limit is {units(limit.max_units)} per date of service "
            f"({limit.label()})",
            line=first,
            at="/units",
            evidence=_evidence(limit, total, same_day),
        )


def _evidence(limit: _Limit, units: float | int, lines: list[Line]) -> dict[str, Any]:
    return {
        "code": lines[0].code,
        "units": units,
        "lines": [line.number for line in lines],
        "max_units": limit.max_units,
        "adjudication": limit.adjudication,
        "mai": limit.mai,
        "source": limit.source,
    }
