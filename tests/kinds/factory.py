"""A small claim factory for the rule kind tests.

`claim(line("99214", modifiers=["25"]), line("96413", start="09:30",
stop="10:25"))` is a claim document that passes the claim schema, so the same
document serves a kind called directly (`run`) and the real engine
(`findings`, with the built-in packs). `rule`
validates and normalises parameters the way the pack loader does (defaults
filled in, a misspelt key refused), so a test cannot hand a kind parameters
a pack could never give it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from cerberus import Validator

from claimpolicy import Engine
from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds.base import Rule, RuleKind, RuleSource
from claimpolicy.packs.problems import problems_from_cerberus
from claimpolicy.packs.schemas import RULE_COMMON, rule_schema

DAY = "2026-03-10"


def line(
    code: str,
    *,
    units: float = 1,
    modifiers: Sequence[str] = (),
    day: str = DAY,
    start: str | None = None,
    stop: str | None = None,
    pointers: Sequence[int] = (1,),
    **extra: Any,
) -> dict[str, Any]:
    """One service line; `extra` adds fields such as `ndc` or `dose`."""
    document: dict[str, Any] = {
        "code": code,
        "units": units,
        "service_date": day,
        "diagnosis_pointers": list(pointers),
        **extra,
    }
    if modifiers:
        document["modifiers"] = list(modifiers)
    if start is not None:
        document["start_time"] = start
    if stop is not None:
        document["stop_time"] = stop
    return document


def claim(
    *lines: dict[str, Any],
    diagnoses: Sequence[str] = ("M05.79",),
    encounter: Mapping[str, Any] | None = None,
    **top: Any,
) -> dict[str, Any]:
    """A claim document: an office claim to Medicare unless `top` says otherwise."""
    document: dict[str, Any] = {
        "claim_id": "TEST-0001",
        "payer": "medicare",
        "patient": {"id": "P-1", "birth_date": "1968-04-12", "sex": "F"},
        "provider": {"npi": "1234567893"},
        "place_of_service": "11",
        "diagnoses": list(diagnoses),
        "lines": list(lines),
        **top,
    }
    if encounter is not None:
        document["encounter"] = dict(encounter)
    return document


class FakeTables:
    """Code set tables for a kind under test: the given ones on every date."""

    def __init__(self, icd10cm: Any = None, hcpcs: Any = None, procedures: Any = None):
        self._icd10cm, self._hcpcs, self._procedures = icd10cm, hcpcs, procedures

    def icd10cm(self, on: date) -> Any:
        return self._icd10cm

    def hcpcs(self, on: date) -> Any:
        return self._hcpcs

    def procedures(self, on: date) -> Any:
        return self._procedures

    def drug(self, code: str, on: date) -> Any:
        return self._hcpcs.drug(code) if self._hcpcs is not None else None


def params_problems(kind: RuleKind, params: Mapping[str, Any]) -> list[str]:
    """The load problems of a rule of `kind` with these parameters, as text."""
    validator = Validator(rule_schema(kind.parameters), allow_unknown=False)
    validator.validate(_with_common_keys(kind, params))
    problems = problems_from_cerberus("test.toml", validator._errors, ("rules", 0))
    return [str(problem) for problem in problems]


def rule(
    kind: RuleKind,
    params: Mapping[str, Any],
    *,
    id: str = "TEST-RULE",
    category: str = "custom",
    severity: str = "error",
) -> Rule:
    """A rule of `kind` as the pack loader would build it."""
    validator = Validator(rule_schema(kind.parameters), allow_unknown=False)
    document = _with_common_keys(kind, params, id=id, category=category)
    if not validator.validate(document):
        raise AssertionError(f"bad parameters for {kind.name}: {validator.errors}")
    # The loader's document, defaults filled in, less the keys every rule has.
    own = {k: v for k, v in validator.document.items() if k not in RULE_COMMON}
    return Rule(
        pack="test",
        id=id,
        kind=kind.name,
        category=category,
        severity=severity,
        title=f"test rule of {kind.name}",
        reference="test",
        params=own,
        source=RuleSource("test.toml", 1),
    )


def _with_common_keys(
    kind: RuleKind,
    params: Mapping[str, Any],
    *,
    id: str = "TEST-RULE",
    category: str = "custom",
) -> dict[str, Any]:
    return {
        "id": id,
        "kind": kind.name,
        "category": category,
        "severity": "error",
        "title": "test",
        "reference": "test",
        **params,
    }


@dataclass(frozen=True)
class Emitted:
    """One call of `emit`, as a kind made it."""

    rule: str
    message: str
    line: int | None
    at: str
    evidence: Mapping[str, Any]


class Recorder:
    """An `emit` that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[Emitted] = []

    def __call__(
        self,
        rule: Rule,
        message: str,
        *,
        line: Line | None = None,
        at: str = "",
        evidence: Mapping[str, Any] | None = None,
    ) -> None:
        number = line.number if line is not None else None
        self.calls.append(Emitted(rule.id, message, number, at, evidence or {}))


def run(
    kind: RuleKind,
    rules: Sequence[Rule],
    document: Mapping[str, Any],
    tables: Any = None,
) -> list[Emitted]:
    """Compile `rules` with `kind` and check one claim document."""
    check = kind.compile(rules, tables or FakeTables())
    recorder = Recorder()
    if check is not None:
        check(PreparedClaim(document), recorder)
    return recorder.calls


def run_each(
    kind: RuleKind,
    rules: Sequence[Rule],
    documents: Sequence[Mapping[str, Any]],
    tables: Any = None,
) -> list[list[Emitted]]:
    """Compile `rules` with `kind` once and check each document in turn, as
    a batch does: what the check remembers from one claim meets the next."""
    check = kind.compile(rules, tables or FakeTables())
    assert check is not None
    found = []
    for document in documents:
        recorder = Recorder()
        check(PreparedClaim(document), recorder)
        found.append(recorder.calls)
    return found


@cache
def _engine() -> Engine:
    # Loading packs is the expensive part: one engine for every test.
    return Engine()


def findings(document: Mapping[str, Any]) -> list[tuple[str, int | None]]:
    """(rule, line) of each finding the real packs give the claim."""
    report = _engine().check(document)
    assert report.outcome != "invalid", report.findings
    return [(finding.rule, finding.line) for finding in report.findings]


def established(**em: Any) -> dict[str, Any]:
    """The encounter of an established patient seen last in December 2025,
    whose E/M note stands apart from any drug administration."""
    return {
        "patient_status": "established",
        "last_visit_date": "2025-12-02",
        "em": {"separately_documented": True, **em},
    }
