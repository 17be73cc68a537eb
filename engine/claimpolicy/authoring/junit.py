"""Test results as JUnit XML, the format CI servers (Jenkins, GitLab) read.

One `testsuite` per pack version, one `testcase` per test with a `failure`
element holding expected against actual; the suite's coverage is kept as
properties.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from claimpolicy.authoring.runner import PackRun
from claimpolicy.authoring.text import failure_text

__all__ = ["junit_xml", "write_junit"]


def junit_xml(runs: Sequence[PackRun]) -> ET.ElementTree:
    results = [result for run in runs for result in run.results]
    root = ET.Element(
        "testsuites",
        name="claimpolicy test",
        tests=str(len(results)),
        failures=str(sum(not result.passed for result in results)),
        errors="0",
        time=_seconds(sum(result.seconds for result in results)),
    )
    for run in runs:
        root.append(_suite(run))
    ET.indent(root)
    return ET.ElementTree(root)


def _suite(run: PackRun) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        name=run.pack.key,
        tests=str(len(run.results)),
        failures=str(len(run.failed)),
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
    for result in run.results:
        case = ET.SubElement(
            suite,
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
    return suite


def write_junit(runs: Sequence[PackRun], path: Path) -> None:
    junit_xml(runs).write(path, encoding="utf-8", xml_declaration=True)


def _seconds(value: float) -> str:
    return f"{value:.3f}"
