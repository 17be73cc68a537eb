"""Running pack fixture tests against one pack version at a time.

Each test judges exactly the version under test: its claim is moved into that
version's window, and the engine is pinned to that version and the parents it
extends on the claim's date (`PinnedEngine`), whatever else is installed.
A test passes when every `expect`ed finding is there (rule, line, severity),
no `absent` rule fired and the `outcome` matches. Coverage counts the pack
version's own rules that fired in at least one of its tests.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from claimpolicy.authoring.fixtures import (
    FixtureTest,
    fixture_files,
    load_test_file,
    move_into,
    service_date,
    years_to_move,
)
from claimpolicy.authoring.selection import Target
from claimpolicy.engine import ENGINE_RULE, Engine
from claimpolicy.errors import PackError, PackProblem
from claimpolicy.packs.pack import PackVersion
from claimpolicy.packs.resolve import NoPackInForce
from claimpolicy.packs.tomlfile import display_path
from claimpolicy.report import Finding, Report
from claimpolicy.ruleset import RuleSet

__all__ = [
    "Coverage",
    "FixtureResult",
    "PackRun",
    "PinnedEngine",
    "fixture_id",
    "load_pack_tests",
    "run_pack",
    "run_targets",
]


class PinnedEngine(Engine):
    """An engine that judges every claim by one pack version, once pinned.

    The claim's payer and date no longer choose the pack: the pinned version
    does, with the versions of its parents in force on the claim's date.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.pinned: PackVersion | None = None
        self._pinned_sets: dict[tuple[str, ...], RuleSet] = {}

    def pin(self, pack: PackVersion | None) -> None:
        self.pinned = pack

    def chain(self, day: date) -> list[PackVersion] | NoPackInForce:
        assert self.pinned is not None
        return self.resolver.chain(self.pinned, day)

    def ruleset_for(self, payer: str | None, day: date) -> RuleSet | NoPackInForce:
        if self.pinned is None:
            return super().ruleset_for(payer, day)
        chain = self.chain(day)
        if isinstance(chain, NoPackInForce):
            return chain
        missing = self.resolver.codeset_missing(chain, day)
        if missing is not None:
            return missing
        key = tuple(pack.key for pack in chain)
        ruleset = self._pinned_sets.get(key)
        if ruleset is None:
            ruleset = RuleSet(tuple(chain), self.kinds, self.registry.codesets)
            self._pinned_sets[key] = ruleset
        return ruleset

    def known_rules(self, day: date) -> frozenset[str]:
        """Every id a finding may carry on `day`: rules of the chain (those an
        override disables too), plugin edits; engine ids are always known."""
        chain = self.chain(day)
        packs = chain if not isinstance(chain, NoPackInForce) else []
        ids = {f"{pack.name}/{rule.id}" for pack in packs for rule in pack.rules}
        return frozenset(ids | set(self.edits))


@dataclass(slots=True)
class FixtureResult:
    """One test run against one pack version."""

    id: str
    pack: PackVersion
    test: FixtureTest
    years_moved: int
    report: Report | None
    problems: tuple[str, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def findings(self) -> list[Finding]:
        return self.report.findings if self.report is not None else []


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which of a pack version's own rules fired in at least one test."""

    pack: str
    rules: tuple[str, ...]
    fired: frozenset[str]

    @property
    def covered(self) -> list[str]:
        return [rule for rule in self.rules if rule in self.fired]

    @property
    def never_fired(self) -> list[str]:
        return [rule for rule in self.rules if rule not in self.fired]

    @property
    def percent(self) -> float:
        """Covered rules in percent; a pack without rules is fully covered."""
        if not self.rules:
            return 100.0
        return 100.0 * len(self.covered) / len(self.rules)


@dataclass(slots=True)
class PackRun:
    pack: PackVersion
    results: list[FixtureResult] = field(default_factory=list)

    @property
    def coverage(self) -> Coverage:
        own = tuple(sorted(f"{self.pack.name}/{rule.id}" for rule in self.pack.rules))
        fired = {finding.rule for result in self.results for finding in result.findings}
        return Coverage(self.pack.key, own, frozenset(fired))

    @property
    def failed(self) -> list[FixtureResult]:
        return [result for result in self.results if not result.passed]


def fixture_id(pack: PackVersion, test: FixtureTest) -> str:
    return f"{pack.key}::{test.stem}::{test.name}"


def load_pack_tests(
    pack: PackVersion,
    only: Sequence[Path] | None = None,
    cache: dict[Path, list[FixtureTest]] | None = None,
) -> list[FixtureTest]:
    """The tests of a pack version (of `only` these files when given).

    Test names must be unique across a pack's test files. `cache` lets packs
    that share a test folder read each file once.
    """
    cache = {} if cache is None else cache
    tests: list[FixtureTest] = []
    first: dict[str, FixtureTest] = {}
    problems: list[PackProblem] = []
    for path in fixture_files(pack.test_folders):
        if only is not None and not any(path.is_relative_to(p) for p in only):
            continue
        if path not in cache:
            cache[path] = load_test_file(path)
        for test in cache[path]:
            earlier = first.setdefault(test.name, test)
            if earlier is not test:
                problems.append(
                    PackProblem(
                        display_path(test.file),
                        "test.name",
                        f"{test.name!r} is already a test of {pack.key} in "
                        f"{display_path(earlier.file)}",
                    )
                )
            tests.append(test)
    if problems:
        raise PackError(problems)
    return tests


def run_pack(
    engine: PinnedEngine, pack: PackVersion, tests: Iterable[FixtureTest]
) -> PackRun:
    """Run tests against exactly `pack` (and its parents on each claim's date)."""
    engine.pin(pack)
    try:
        return PackRun(pack, [run_test(engine, pack, test) for test in tests])
    finally:
        engine.pin(None)


def run_test(
    engine: PinnedEngine, pack: PackVersion, test: FixtureTest
) -> FixtureResult:
    started = time.perf_counter()
    document = test.claim()
    day = service_date(document)
    years = 0
    if day is not None:
        moved = years_to_move(day, pack.effective_from, pack.effective_to)
        if moved is None:
            problem = (
                f"the claim's date of service {day.isoformat()} cannot be moved by "
                f"whole years into {pack.key} ({pack.effective_text()})"
            )
            return _result(pack, test, 0, None, [problem], started)
        years = moved
        document = move_into(document, years)
        day = service_date(document)

    report = engine.check(document)
    known = engine.known_rules(day) if day is not None else frozenset()
    problems = compare(test, report, known)
    return _result(pack, test, years, report, problems, started)


def _result(
    pack: PackVersion,
    test: FixtureTest,
    years: int,
    report: Report | None,
    problems: list[str],
    started: float,
) -> FixtureResult:
    seconds = time.perf_counter() - started
    return FixtureResult(
        fixture_id(pack, test), pack, test, years, report, tuple(problems), seconds
    )


def compare(test: FixtureTest, report: Report, known: frozenset[str]) -> list[str]:
    """What the report gets wrong against the test; empty when it passes."""
    problems: list[str] = []
    for wanted in test.expect:
        if not _is_known(wanted.rule, known):
            problems.append(f"expect: {wanted.rule} is not a rule of the packs tested")
        elif not any(_matches(finding, wanted) for finding in report.findings):
            problems.append(f"missing: {wanted}")
    for rule in test.absent:
        if not _is_known(rule, known):
            # A misspelt id would make `absent` pass whatever happens.
            problems.append(f"absent: {rule} is not a rule of the packs tested")
            continue
        lines = [_where(f) for f in report.findings if f.rule == rule]
        if lines:
            problems.append(f"fired but listed in absent: {rule} ({', '.join(lines)})")
    if test.outcome is not None and report.outcome != test.outcome:
        problems.append(f"outcome: expected {test.outcome}, got {report.outcome}")
    return problems


def _is_known(rule: str, known: frozenset[str]) -> bool:
    return rule in known or rule.startswith(f"{ENGINE_RULE}/")


def _matches(finding: Finding, wanted: Any) -> bool:
    return (
        finding.rule == wanted.rule
        and finding.line == wanted.line
        and (wanted.severity is None or finding.severity == wanted.severity)
    )


def _where(finding: Finding) -> str:
    return f"line {finding.line}" if finding.line is not None else "claim"


def run_targets(engine: PinnedEngine, targets: Iterable[Target]) -> list[PackRun]:
    """Every target's tests, all read (and checked) before the first runs."""
    cache: dict[Path, list[FixtureTest]] = {}
    planned = [(t.pack, load_pack_tests(t.pack, t.only, cache)) for t in targets]
    return [run_pack(engine, pack, tests) for pack, tests in planned]
