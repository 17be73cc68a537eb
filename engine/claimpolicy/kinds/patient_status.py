"""patient-status: new-patient and established-patient E/M codes must match
the patient's history with the practice.

A patient is established when they had a professional service from the same
physician, or the same specialty in the same group, within the past `years`
(3) years; otherwise they are new. The encounter gives that history as
`last_visit_date` and the practice's own reading as `patient_status`.

The edge of the window: a last visit on the same month and day `years`
earlier counts as within (2023-03-10 is within three years of 2026-03-10;
2023-03-09 is not). When that day does not exist (29 February three years
before a leap day), the window starts on 28 February. A last visit after the
date of service is not a prior service and is treated as none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from claimpolicy.claim import Line, PreparedClaim, parse_date
from claimpolicy.kinds._reads import encounter_of
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures

NEW = "new"
ESTABLISHED = "established"
_CODE_OF = {NEW: "a new-patient code", ESTABLISHED: "an established-patient code"}
# A code's rule, the status the code claims, the rule's years and the windows
# of those years by day.
_Entry = tuple[Rule, str, int, dict[date, date]]


def window_start(day: date, years: int) -> date:
    """The earliest last-visit date that still counts as within `years`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


class PatientStatus(RuleKind):
    name = "patient-status"
    summary = (
        "An established-patient code (`established_codes`) needs a last visit "
        "within `years` years of the date of service (same month and day counts "
        'as within) and no patient_status "new"; a new-patient code '
        "(`new_codes`) fires on a last visit within `years` or a patient_status "
        '"established". A missing last_visit_date fails an established code.'
    )
    parameters = {
        "new_codes": {**PROCEDURE_LIST, "required": True},
        "established_codes": {**PROCEDURE_LIST, "required": True},
        "years": {"type": "integer", "min": 1, "max": 10, "default": 3},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        # The first day of the window of a date of service is the same for
        # every claim of the day, and `date.replace` is slow: each `years`
        # remembers its windows by day (bounded, for memory).
        starts_by_years: dict[int, dict[date, date]] = {}
        index: dict[str, list[_Entry]] = {}
        for rule in rules:
            years = rule.params["years"]
            starts = starts_by_years.setdefault(years, {})
            for code in expand_procedures(rule.params["new_codes"]):
                index.setdefault(code, []).append((rule, NEW, years, starts))
            for code in expand_procedures(rule.params["established_codes"]):
                index.setdefault(code, []).append((rule, ESTABLISHED, years, starts))

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for line in claim.lines:
                entries = index.get(line.code)
                if entries is None:
                    continue
                encounter = encounter_of(claim)
                status = encounter.get("patient_status")
                written = encounter.get("last_visit_date")
                last = parse_date(written) if written else None
                day = line.service_date
                for rule, claimed, years, starts in entries:
                    start = starts.get(day) or _remember_start(starts, day, years)
                    # The verdict of `_problem`, without building its message
                    # and evidence, which most lines do not need.
                    within = last is not None and start <= last <= day
                    if claimed == NEW:
                        fits = status != ESTABLISHED and not within
                    else:
                        fits = status != NEW and within
                    if fits:
                        continue
                    problem = _problem(encounter, line, claimed, years)
                    if problem is not None:
                        message, evidence = problem
                        emit(rule, message, line=line, at="/code", evidence=evidence)

        return check


_STARTS_REMEMBERED = 4_096


def _remember_start(starts: dict[date, date], day: date, years: int) -> date:
    if len(starts) >= _STARTS_REMEMBERED:
        starts.clear()
    found = starts[day] = window_start(day, years)
    return found


def _problem(
    encounter: Mapping[str, Any], line: Line, claimed: str, years: int
) -> tuple[str, dict[str, Any]] | None:
    status = encounter.get("patient_status")
    written = encounter.get("last_visit_date")
    last = parse_date(written) if written else None
    day = line.service_date
    start = window_start(day, years)
    within = last is not None and start <= last <= day
    evidence = {
        "code": line.code,
        "code_status": claimed,
        "patient_status": status,
        "last_visit_date": written,
        "service_date": day.isoformat(),
        "window_start": start.isoformat(),
    }
    other = ESTABLISHED if claimed == NEW else NEW
    if status == other:
        return (
            f"{line.code} is {_CODE_OF[claimed]} but the encounter gives "
            f'patient_status "{status}"',
            evidence,
        )
    if claimed == NEW and within:
        return (
            f"{line.code} is a new-patient code but the last visit ({written}) is "
            f"within {years} years of {day}: bill an established-patient code",
            evidence,
        )
    if claimed == ESTABLISHED and not within:
        reason = (
            "the encounter has no last_visit_date"
            if last is None
            else f"the last visit ({written}) is not within {years} years before {day}"
        )
        return (
            f"{line.code} is an established-patient code but {reason}: it needs a "
            f"professional service on or after {start}",
            evidence,
        )
    return None
