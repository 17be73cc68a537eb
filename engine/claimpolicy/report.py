"""Findings and reports: the output half of the contract (report version 1).

One place builds findings (`Finding`), one place decides a claim's outcome
(`outcome_of`). `to_dict` gives exactly the fields of the contract, plus the
optional `waived` and `evidence` fields the report schema allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "CATEGORIES",
    "OUTCOMES",
    "SEVERITIES",
    "Finding",
    "PackStamp",
    "Report",
    "Waiver",
    "outcome_of",
]

CATEGORIES: Final = frozenset(
    {
        "schema",
        "code-validity",
        "modifier",
        "code-pair",
        "units",
        "time",
        "patient-status",
        "em-level",
        "medical-necessity",
        "diagnosis-pointer",
        "demographic",
        "drug-units",
        "ndc",
        "duplicate",
        "documentation",
        "custom",
        "engine",
    }
)
SEVERITIES: Final = ("error", "warning", "info")
OUTCOMES: Final = ("pass", "warn", "fail", "invalid", "error")


@dataclass(frozen=True, slots=True)
class Waiver:
    """Why a plugin waived a finding. A waived finding stays in the report."""

    by: str
    reason: str


@dataclass(slots=True)
class Finding:
    """One problem found in a claim, stamped with the rule that found it."""

    rule: str
    category: str
    severity: str
    line: int | None
    path: str
    message: str
    reference: str
    evidence: Mapping[str, Any] | None = None
    waived: Waiver | None = None

    def waive(self, *, by: str, reason: str) -> None:
        """Mark the finding waived; it stays in the report, marked, uncounted."""
        self.waived = Waiver(by=by, reason=reason)

    def sort_key(self) -> tuple[int, str, str]:
        # Claim-level findings (no line) come first, then by line and rule id;
        # the path breaks ties so that the order never depends on rule order.
        return (self.line or 0, self.rule, self.path)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "line": self.line,
            "path": self.path,
            "message": self.message,
            "reference": self.reference,
        }
        if self.waived is not None:
            result["waived"] = {"by": self.waived.by, "reason": self.waived.reason}
        if self.evidence is not None:
            result["evidence"] = dict(self.evidence)
        return result


@dataclass(frozen=True, slots=True)
class PackStamp:
    """A pack version applied to a claim, with the digest that pins it."""

    name: str
    version: str
    digest: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "digest": self.digest}


@dataclass(slots=True)
class Report:
    """The verdict on one claim."""

    claim_id: str | None
    outcome: str
    packs: tuple[PackStamp, ...] = ()
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self, *, evidence: bool = False) -> dict[str, Any]:
        findings = [finding.to_dict() for finding in self.findings]
        if not evidence:
            for finding in findings:
                finding.pop("evidence", None)
        return {
            "claim_id": self.claim_id,
            "outcome": self.outcome,
            "packs": [pack.to_dict() for pack in self.packs],
            "findings": findings,
        }


def outcome_of(findings: Iterable[Finding]) -> str:
    """The outcome of a checked claim, from its findings.

    A waived finding does not count. An `engine` finding means the claim
    could not be checked in full, which outranks any rule's verdict.
    """
    outcome = "pass"
    for finding in findings:
        if finding.waived is not None:
            continue
        if finding.category == "engine":
            return "error"
        if finding.category == "schema":
            outcome = "invalid"
        elif finding.severity == "error" and outcome != "invalid":
            outcome = "fail"
        elif finding.severity == "warning" and outcome == "pass":
            outcome = "warn"
    return outcome
