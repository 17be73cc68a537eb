"""Code validity: the codes of a claim must exist in the code sets in force on
its dates of service.

`icd10cm-valid` checks the diagnoses against the ICD-10-CM fiscal year in
force on the claim's date of service: only billable codes (leaves of the
tabular list) may be reported, so a category with children, such as G35 from
FY2026, is as wrong as a code that does not exist.

`procedure-code-active` checks each line's code on the line's own date: CPT
codes (digits first) against the pack's CPT table, HCPCS Level II codes
(a letter first) against the HCPCS file. A code that ended or had not yet
begun is an error; a code the pack does not know at all is a separate
problem, so that a pack can report it with a milder severity (the pack's CPT
table lists only the codes its rules name).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds._memory import CODES_REMEMBERED, TableMemories
from claimpolicy.kinds._text import dotted
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables

__all__ = ["Icd10cmValid", "ProcedureCodeActive"]

INACTIVE = "inactive"
UNKNOWN = "unknown"
HCPCS = "HCPCS Level II"
CPT = "CPT"


class Icd10cmValid(RuleKind):
    name = "icd10cm-valid"
    summary = (
        "Every diagnosis must be a billable code (a leaf) of the ICD-10-CM "
        "code set in force on the claim's date of service. A category with "
        "children, an unknown code, and a date with no code set in force are "
        "each reported."
    )
    # No parameters of its own: the code set comes from the pack.

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        if not rules:
            return None

        # A batch reports the same diagnoses over and over: the codes found
        # billable in a fiscal year's table are remembered, so that a claim
        # of billable codes costs one set test.
        memories: TableMemories[set[str]] = TableMemories(tables.icd10cm, set)
        billable_by_day = memories.by_day

        def check(claim: PreparedClaim, emit: Emit) -> None:
            day = claim.service_date
            billable = billable_by_day.get(day)
            if billable is None:
                billable = memories.on(day)
            # An empty list of diagnoses is a subset of anything, and the
            # claim must still hear that no code set is in force.
            if claim.diagnoses and billable.issuperset(claim.diagnoses):
                return
            table = tables.icd10cm(day)
            if table is None:
                # The resolver refuses a date on which a code set the packs
                # declare has no version (claimpolicy/NO-CODESET-IN-FORCE), so
                # this is left for packs that declare no ICD-10-CM set at all.
                for rule in rules:
                    emit(
                        rule,
                        f"no ICD-10-CM code set is in force on {day}, so the "
                        "diagnoses cannot be checked",
                        at="/diagnoses",
                        evidence={"service_date": day.isoformat()},
                    )
                return
            for position, code in enumerate(claim.diagnoses):
                if code in billable:
                    continue
                status = table.status(code)
                if status == "billable":
                    if len(billable) < CODES_REMEMBERED:
                        billable.add(code)
                    continue
                if status == "header":
                    message = (
                        f"diagnosis {dotted(code)} is a category with more "
                        "specific codes below it in the ICD-10-CM code set in "
                        f"force on {day}: report a code with more characters"
                    )
                else:
                    message = (
                        f"diagnosis {dotted(code)} is not a code of the "
                        f"ICD-10-CM code set in force on {day}"
                    )
                evidence = {
                    "diagnosis": code,
                    "status": status or "unknown",
                    "service_date": day.isoformat(),
                }
                for rule in rules:
                    emit(rule, message, at=f"/diagnoses/{position}", evidence=evidence)

        return check


#: A code found valid -> the first and last day of its validity.
_Spans = dict[str, tuple[date, date]]


@dataclass(frozen=True, slots=True)
class _Known:
    """What a code table says about one code."""

    system: str
    added: date
    terminated: date | None
    basis: str | None  # HCPCS only: how sure the end date is


class ProcedureCodeActive(RuleKind):
    name = "procedure-code-active"
    summary = (
        "`problem = 'inactive'`: a line's code ended before, or began after, "
        "the line's date of service (CPT table or HCPCS Level II file). "
        "`problem = 'unknown'`: the code is in neither table, or no table is "
        "in force on that date. A HCPCS code whose end is not known "
        "(termination_basis unknown-*) counts as active."
    )
    parameters = {
        "problem": {"type": "string", "required": True, "allowed": [INACTIVE, UNKNOWN]}
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        if not rules:
            return None
        by_problem: dict[str, list[Rule]] = {INACTIVE: [], UNKNOWN: []}
        for rule in rules:
            by_problem[rule.params["problem"]].append(rule)

        # A batch bills the same codes over and over: a code found valid is
        # remembered with the span of days its table gives it, so that a
        # valid line costs one lookup and a comparison.
        def in_force(day: date) -> tuple[Any, Any]:
            return tables.hcpcs(day), tables.procedures(day)

        memories: TableMemories[_Spans] = TableMemories(in_force, dict)
        spans_by_day = memories.by_day

        def check(claim: PreparedClaim, emit: Emit) -> None:
            day = claim.service_date
            spans = spans_by_day.get(day)
            if spans is None:
                spans = memories.on(day)
            for line in claim.lines:
                if line.service_date != day:
                    day = line.service_date
                    spans = spans_by_day.get(day)
                    if spans is None:
                        spans = memories.on(day)
                span = spans.get(line.code)
                if span is not None and span[0] <= day <= span[1]:
                    continue
                found = _judge(line, tables)
                if found is None:
                    if len(spans) < CODES_REMEMBERED:
                        spans[line.code] = _valid_span(line, tables)
                    continue
                problem, message, evidence = found
                for rule in by_problem[problem]:
                    emit(rule, message, line=line, at="/code", evidence=evidence)

        return check


def _valid_span(line: Line, tables: Tables) -> tuple[date, date]:
    """The first and last day on which the line's code is valid, in the
    table in force on the line's date (which `_judge` found it valid in)."""
    day = line.service_date
    system = HCPCS if line.code[0].isalpha() else CPT
    table = tables.hcpcs(day) if system == HCPCS else tables.procedures(day)
    known = _lookup(table, line.code, system)
    assert known is not None, "asked only of a code found valid"
    return known.added, known.terminated or date.max


def _judge(line: Line, tables: Tables) -> tuple[str, str, dict[str, Any]] | None:
    """(problem, message, evidence) when the line's code is not valid on its
    date, None when it is."""
    day = line.service_date
    system = HCPCS if line.code[0].isalpha() else CPT
    table = tables.hcpcs(day) if system == HCPCS else tables.procedures(day)
    if table is None:
        # Reachable: the resolver checks the code sets on the claim's first
        # date only, and a pack may declare no CPT or HCPCS set at all.
        message = (
            f"no {system} code set is in force on {day}, so {line.code} cannot "
            "be checked"
        )
        return UNKNOWN, message, _evidence(line, system)
    known = _lookup(table, line.code, system)
    if known is None:
        return UNKNOWN, _unknown_message(line, system), _evidence(line, system)
    if known.terminated is not None and day > known.terminated:
        message = (
            f"{line.code} ended on {known.terminated} and is not valid for a "
            f"service on {day}"
        )
        return INACTIVE, message, _evidence(line, system, known)
    if day < known.added:
        message = (
            f"{line.code} is valid from {known.added}, after the service date {day}"
        )
        return INACTIVE, message, _evidence(line, system, known)
    return None


def _lookup(table: Any, code: str, system: str) -> _Known | None:
    row = table.get(code)
    if row is None:
        return None
    if system == HCPCS:
        return _Known(system, row.added, row.terminated, row.termination_basis)
    return _Known(system, row.added, row.terminated, None)


def _unknown_message(line: Line, system: str) -> str:
    day = line.service_date
    if system == CPT:
        # The pack's CPT table holds only the codes its rules name.
        return (
            f"{line.code} is not among the CPT codes known to the packs in "
            f"force on {day}; check the code"
        )
    return f"{line.code} is not in the HCPCS Level II code set in force on {day}"


def _evidence(line: Line, system: str, known: _Known | None = None) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "code": line.code,
        "system": system,
        "service_date": line.service_date.isoformat(),
    }
    if known is not None:
        evidence["added"] = known.added.isoformat()
        evidence["terminated"] = (
            known.terminated.isoformat() if known.terminated else None
        )
        if known.basis is not None:
            evidence["termination_basis"] = known.basis
    return evidence
