"""Timed drug administration: minimum durations, add-on hours, documented times.

Three kinds read the start and stop times of drug administration lines
(`Line.minutes`; a stop earlier than the start ran past midnight, and the
whole continuous run counts):

- infusion-minimum: an infusion code needs its minimum duration (96365 more
  than 15 minutes, otherwise it was a push; 96360 hydration more than 30).
- additional-hours: add-on hour codes (96366, 96415, 96361) may not be billed
  for more units than the documented time supports.
- times-required: timed codes need both times; a missing one is flagged for
  documentation, not denied, because CMS has no explicit stop-time rule.

A line without times is skipped by the first two kinds: times-required is
the rule that reports it, so a claim is not told the same thing three times.

Most claims bill none of these codes, or bill them with times that pass, so
each check first decides from the claim's codes and plain arithmetic whether
anything fires, and builds messages only for the lines that do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from claimpolicy.claim import MINUTES_PER_DAY, Line, PreparedClaim
from claimpolicy.kinds._code_rows import CODE, clock, code_rows
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures

__all__ = ["AdditionalHours", "InfusionMinimum", "TimesRequired", "additional_hours"]

# CPT's time rule for "each additional hour": a unit is earned when the time
# runs more than 30 minutes past the previous hour (91 minutes in all for the
# first unit, 151 for the second).
HOUR: Final = 60
PARTIAL_HOUR: Final = 30


def additional_hours(total_minutes: int) -> int:
    """Add-on hour units a continuous run of `total_minutes` supports."""
    # Not max(0, ...): compiled, that calls the builtin through Python.
    units = (total_minutes - HOUR - PARTIAL_HOUR - 1) // HOUR + 1
    return units if units > 0 else 0


def _span(line: Line) -> str:
    # Only lines with both times reach a message.
    assert line.start is not None
    assert line.stop is not None
    return f"{clock(line.start)}-{clock(line.stop)}"


class InfusionMinimum(RuleKind):
    name = "infusion-minimum"
    summary = (
        "A code of `minimums` needs a documented duration (stop - start) of more "
        "than `min_minutes` when `exclusive` is true, of at least `min_minutes` "
        "otherwise; `instead` names the code a shorter service is reported with "
        "(an infusion of 15 minutes or less is a push). Lines without both times "
        "are left to times-required."
    )
    parameters = {
        "minimums": code_rows(
            {
                "min_minutes": {"type": "integer", "min": 0, "required": True},
                "exclusive": {"type": "boolean", "required": True},
                "instead": CODE,
            }
        ),
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        # code -> [(rule, minutes, exclusive, code to report instead)]
        index: dict[str, list[tuple[Rule, int, bool, str | None]]] = {}
        for rule in rules:
            for row in rule.params["minimums"]:
                entry = (rule, row["min_minutes"], row["exclusive"], row.get("instead"))
                index.setdefault(row["code"], []).append(entry)

        # A line passes every rule of its code from this many minutes on:
        # `more than m` is `at least m + 1`.
        passes_from = {
            code: max(minimum + int(exclusive) for _, minimum, exclusive, _ in entries)
            for code, entries in index.items()
        }

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for line in claim.lines:
                least = passes_from.get(line.code)
                if least is None:
                    continue
                start, stop = line.start, line.stop
                # Line.minutes, inlined: this runs for most lines of drug claims.
                if (
                    start is not None
                    and stop is not None
                    and (stop - start) % MINUTES_PER_DAY < least
                ):
                    _report_short(index[line.code], line, emit)

        return check


def _report_short(
    entries: list[tuple[Rule, int, bool, str | None]], line: Line, emit: Emit
) -> None:
    """Each rule of the line's code whose minimum the line misses."""
    minutes = line.minutes
    assert minutes is not None  # only lines with both times get here
    for rule, minimum, exclusive, instead in entries:
        if minutes > minimum or (minutes == minimum and not exclusive):
            continue
        needed = f"more than {minimum}" if exclusive else f"at least {minimum}"
        advice = (
            f"report it as {instead}"
            if instead
            else f"a shorter service is not reported as {line.code}"
        )
        emit(
            rule,
            f"{line.code} ran {minutes} minutes ({_span(line)}) and "
            f"needs {needed}: {advice}",
            line=line,
            at="/code",
            evidence={
                "code": line.code,
                "minutes": minutes,
                "min_minutes": minimum,
                "exclusive": exclusive,
                "instead": instead,
            },
        )


class AdditionalHours(RuleKind):
    name = "additional-hours"
    summary = (
        "The units of an add-on hour code (`add_ons[].code`) billed on a date may "
        "not exceed the hours the documented time supports: each unit needs more "
        "than 30 minutes past the previous hour. The time is read from the add-on "
        "lines themselves when every one of them has start and stop times (a "
        "practice that documents each additional hour separately; their minutes "
        "count after a first full hour), otherwise from the lines of the codes "
        "in `after` on that date (the initial or sequential service, whose "
        "times span the whole run; each such line supports its own hours). "
        "Nothing is judged when neither gives times."
    )
    parameters = {
        "add_ons": code_rows({"after": {**PROCEDURE_LIST, "required": True}}),
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        # add-on code -> [(rule, codes whose run it extends)]
        index: dict[str, list[tuple[Rule, frozenset[str]]]] = {}
        for rule in rules:
            for row in rule.params["add_ons"]:
                after = expand_procedures(row["after"])
                index.setdefault(row["code"], []).append((rule, after))

        def check(claim: PreparedClaim, emit: Emit) -> None:
            found = [line for line in claim.lines if line.code in index]
            if len(found) == 1:
                # Most drug claims bill one add-on line: a group of its own.
                line = found[0]
                for rule, after in index[line.code]:
                    _check_group(rule, claim, found, after, line.service_date, emit)
                return
            groups: dict[tuple[str, date], list[Line]] = {}
            for line in found:
                groups.setdefault((line.code, line.service_date), []).append(line)
            for (code, day), add_ons in groups.items():
                for rule, after in index[code]:
                    _check_group(rule, claim, add_ons, after, day, emit)

        return check


def _check_group(
    rule: Rule,
    claim: PreparedClaim,
    add_ons: list[Line],
    after: frozenset[str],
    day: date,
    emit: Emit,
) -> None:
    timed = _supported(claim, add_ons, after, day)
    if timed is None:
        return
    supported, minutes, source = timed
    units = sum(line.units for line in add_ons)
    if units <= supported:
        return
    first = add_ons[0]
    spans = ", ".join(f"line {line.number} {_span(line)}" for line in source)
    billed = f"{units:g} unit" + ("" if units == 1 else "s")
    emit(
        rule,
        f"{first.code} is billed for {billed} on {day} but the documented time "
        f"({spans}: {minutes} minutes) supports {supported}: each additional "
        "hour needs more than 30 minutes past the previous one",
        line=first,
        at="/units",
        evidence={
            "code": first.code,
            "units": units,
            "supported_units": supported,
            "minutes": minutes,
            "time_lines": [line.number for line in source],
        },
    )


def _supported(
    claim: PreparedClaim, add_ons: list[Line], after: frozenset[str], day: date
) -> tuple[int, int, list[Line]] | None:
    """(units supported, minutes counted, lines whose times were read)."""
    extra = _total_minutes(add_ons)
    if extra is not None:
        # The add-on lines hold the time past the first hour.
        return additional_hours(HOUR + extra), extra, add_ons

    # One pass over the claim, without a list per step: every add-on group
    # of a drug claim gets here.
    base: list[Line] = []
    supported = counted = 0
    for line in claim.lines:
        if line.code in after and line.service_date == day:
            minutes = line.minutes
            if minutes is None:
                return None
            supported += additional_hours(minutes)
            counted += minutes
            base.append(line)
    if not base:
        return None
    return supported, counted, base


def _total_minutes(lines: list[Line]) -> int | None:
    """The minutes of `lines` added up; None when a line lacks a time."""
    total = 0
    for line in lines:
        minutes = line.minutes
        if minutes is None:
            return None
        total += minutes
    return total


class TimesRequired(RuleKind):
    name = "times-required"
    summary = (
        "A line of a code in `codes` (timed drug administration) needs both "
        "start_time and stop_time; the finding names the missing one."
    )
    parameters = {"codes": {**PROCEDURE_LIST, "required": True}}

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        index: dict[str, list[Rule]] = {}
        for rule in rules:
            for code in expand_procedures(rule.params["codes"]):
                index.setdefault(code, []).append(rule)

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for line in claim.lines:
                # The times first: most lines of a timed code have both, and
                # testing them costs less than looking the code up. Most
                # other lines miss, which costs less with `in` than `get`.
                if line.start is not None and line.stop is not None:
                    continue
                if line.code not in index:
                    continue
                entries = index[line.code]
                missing = [
                    name
                    for name, value in (
                        ("start_time", line.start),
                        ("stop_time", line.stop),
                    )
                    if value is None
                ]
                for rule in entries:
                    emit(
                        rule,
                        f"{line.code} is timed and has no {' or '.join(missing)}: "
                        "document when the administration started and stopped",
                        line=line,
                        at=f"/{missing[0]}",
                        evidence={"code": line.code, "missing": missing},
                    )

        return check
