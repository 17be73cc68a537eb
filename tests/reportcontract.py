"""What every report must be by the contract, for the tests to assert."""

from __future__ import annotations

from typing import Any

import jsonschema

from claimpolicy.resources import report_schema

REPORTS = jsonschema.Draft202012Validator(report_schema())


def contract_outcome(report: dict[str, Any]) -> str:
    """The outcome the contract gives a report's findings (waived ones aside)."""
    counted = [f for f in report["findings"] if "waived" not in f]
    if any(f["category"] == "engine" for f in counted):
        return "error"
    if any(f["category"] == "schema" for f in counted):
        return "invalid"
    if any(f["severity"] == "error" for f in counted):
        return "fail"
    if any(f["severity"] == "warning" for f in counted):
        return "warn"
    return "pass"


def assert_conforms(report: dict[str, Any]) -> None:
    """The report validates against the report schema; its outcome follows
    from its findings; an invalid report ran no pack."""
    REPORTS.validate(report)
    assert report["outcome"] == contract_outcome(report), report
    if report["outcome"] == "invalid":
        assert report["packs"] == []
        assert {f["category"] for f in report["findings"]} == {"schema"}
