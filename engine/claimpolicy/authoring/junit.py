"""Test results as JUnit XML, the format CI servers (Jenkins, GitLab) read.

One `testsuite` per pack version, one `testcase` per test with a `failure`
element holding expected against actual; the suite's coverage is kept as
properties. With a minimum coverage, each suite also has a `rule coverage`
testcase, failed when the version's coverage is below it: a CI dashboard
reads the failure counts, not the exit status, and must not show green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from claimpolicy.authoring.runner import FixtureResult, PackRun
from claimpolicy.authoring.text import coverage_text, failure_text

__all__ = ["junit_xml", "write_junit"]


COVERAGE_CASE: Final = "rule coverage"


def junit_xml(
    runs: Sequence[PackRun], *, minimum: float | None = None
) -> ET.ElementTree:
    """The results of `runs`; `minimum` (percent) adds the coverage cases."""
    suites = [_suite(run, minimum) for run in runs]
    results = [result for run in runs for result in run.results]
    root = ET.Element(
        "testsuites",
        name="claimpolicy test",
        tests=str(sum(int(suite.get("tests", "0")) for suite in suites)),
        failures=str(sum(int(suite.get("failures", "0")) for suite in suites)),
        errors="0",
        time=_seconds(sum(result.seconds for result in results)),
    )
    root.extend(suites)
    ET.indent(root)
    return ET.ElementTree(root)


def _suite(run: PackRun, minimum: float | None) -> ET.Element:
    cases = [_case(run, result) for result in run.results]
    if minimum is not None:
        cases.append(_coverage_case(run, minimum))
    suite = ET.Element(
        "testsuite",
        name=run.pack.key,
        tests=str(len(cases)),
        failures=str(sum(case.find("failure") is not None for case in cases)),
        errors="0",
        skipped="0",
        time=_seconds(sum(result.seconds for result in run.results)),
    )
    coverage = run.coverage
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("coverage.percent", f"{coverage.percent:.1f}"),
        ("coverage.fired", " ".join(coverage.covered)),
        ("coverage.never_fired", " ".join(coverage.never_fired)),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    suite.extend(cases)
    return suite


def _case(run: PackRun, result: FixtureResult) -> ET.Element:
    case = ET.Element(
        "testcase",
        name=result.test.name,
        classname=f"{run.pack.key}::{result.test.stem}",
        time=_seconds(result.seconds),
    )
    if not result.passed:
        failure = ET.SubElement(
            case,
            "failure",
            message="; ".join(result.problems),
            type="PolicyTestFailure",
        )
        failure.text = failure_text(result)
    return case


def _coverage_case(run: PackRun, minimum: float) -> ET.Element:
    """A testcase that fails when the version's coverage is below `minimum`."""
    coverage = run.coverage
    case = ET.Element(
        "testcase",
        name=COVERAGE_CASE,
        classname=f"{run.pack.key}::coverage",
        time=_seconds(0),
    )
    if coverage.percent < minimum:
        never = ", ".join(coverage.never_fired)
        failure = ET.SubElement(
            case,
            "failure",
            message=f"rule coverage {coverage.percent:.1f}% is below the minimum "
            f"of {minimum:g}%; never fired: {never}",
            type="CoverageBelowMinimum",
        )
        failure.text = coverage_text(coverage, minimum=minimum)
    return case


def write_junit(
    runs: Sequence[PackRun], path: Path, *, minimum: float | None = None
) -> None:
    tree = junit_xml(runs, minimum=minimum)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _seconds(value: float) -> str:
    return f"{value:.3f}"
