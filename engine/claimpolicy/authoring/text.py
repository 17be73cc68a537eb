"""Test results as a pack author reads them: failures, summary, coverage.

A failure shows what the test expected beside what the engine found, so the
author sees at once whether the rule or the test is wrong. Findings are
shown by rule, line, severity and message: messages name codes and fields,
never patient data.
"""

from __future__ import annotations

from collections.abc import Sequence

from claimpolicy.authoring.runner import Coverage, FixtureResult, PackRun
from claimpolicy.packs.tomlfile import display_path
from claimpolicy.report import Finding

__all__ = ["coverage_text", "failure_text", "summary_text"]


def failure_text(result: FixtureResult, *, heading: bool = True) -> str:
    """Expected against actual for one failed test.

    The first line names the test, or without `heading` (where the caller
    names it already, as pytest does) sums up its problems.
    """
    test = result.test
    where = display_path(test.file) + (f":{test.line}" if test.line else "")
    moved = (
        f", dates moved by {result.years_moved:+d} year(s)"
        if result.years_moved
        else ""
    )
    first = f"FAILED {result.id}" if heading else "; ".join(result.problems)
    lines = [
        first,
        f"  test:   {where}",
        f"  claim:  {display_path(test.claim_file)}{moved}",
        "  problems:",
        *(f"    {problem}" for problem in result.problems),
        "  expected:",
        *_expected(result),
    ]
    if result.report is not None:
        lines.append(f"  actual (outcome {result.report.outcome}):")
        lines.extend(_finding(finding) for finding in result.report.findings)
        if not result.report.findings:
            lines.append("    (no findings)")
    return "\n".join(lines)


def _expected(result: FixtureResult) -> list[str]:
    test = result.test
    lines = [f"    finding  {wanted}" for wanted in test.expect]
    lines += [f"    absent   {rule}" for rule in test.absent]
    if test.outcome is not None:
        lines.append(f"    outcome  {test.outcome}")
    return lines


def _finding(finding: Finding) -> str:
    where = f"line {finding.line}" if finding.line is not None else "claim"
    waived = " (waived)" if finding.waived is not None else ""
    return f"    {finding.rule} {where} {finding.severity}{waived}: {finding.message}"


def summary_text(runs: Sequence[PackRun]) -> str:
    results = [result for run in runs for result in run.results]
    failed = sum(not result.passed for result in results)
    return f"{len(results) - failed} passed, {failed} failed"


def coverage_text(coverage: Coverage, *, minimum: float | None = None) -> str:
    """One pack version's coverage: the percentage, then rules by status."""
    below = minimum is not None and coverage.percent < minimum
    mark = f" (below the minimum of {minimum:g}%)" if below else ""
    lines = [
        f"{coverage.pack}: {len(coverage.covered)}/{len(coverage.rules)} rules "
        f"fired ({coverage.percent:.1f}%){mark}"
    ]
    lines += [f"  fired        {rule}" for rule in coverage.covered]
    lines += [f"  never fired  {rule}" for rule in coverage.never_fired]
    return "\n".join(lines)
