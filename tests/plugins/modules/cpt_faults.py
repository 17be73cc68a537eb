"""Plugins that break their hook's rules, one class per fault.

Each is an object, not a module, so one file holds them all; the tests
register them by name next to the well-behaved cpt_sample module.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

from claimpolicy import (
    Check,
    Edit,
    Emit,
    Finding,
    Hit,
    PreparedClaim,
    Rule,
    RuleKind,
    Tables,
    Waiver,
    hookimpl,
)

STRAY = Edit("cpt-faults/STRAY", "error", "An edit nobody registered", "none")


class PrepareRaises:
    @hookimpl
    def claimpolicy_prepare_claim(self, claim: MutableMapping[str, Any]) -> None:
        raise KeyError(claim["patient"]["id"])  # the id must not reach the report


class PrepareBreaksSchema:
    @hookimpl
    def claimpolicy_prepare_claim(self, claim: MutableMapping[str, Any]) -> None:
        claim["lines"][0]["code"] = "not a code"


class HitOfUnregisteredEdit:
    @hookimpl
    def claimpolicy_check_claim(self, prepared: PreparedClaim) -> list[Hit]:
        return [Hit(STRAY, "stray")]


class HitOnForeignLine:
    def __init__(self, other: PreparedClaim) -> None:
        self.other = other

    @hookimpl
    def claimpolicy_register_edits(self) -> list[Edit]:
        return [Edit("cpt-faults/FOREIGN", "error", "Foreign line", "none")]

    @hookimpl
    def claimpolicy_check_claim(self, prepared: PreparedClaim) -> list[Hit]:
        edit = Edit("cpt-faults/FOREIGN", "error", "Foreign line", "none")
        return [Hit(edit, "wrong line", line=self.other.lines[0])]


class CheckReturnsText:
    @hookimpl
    def claimpolicy_check_claim(self) -> str:
        return "not a list of hits"


class AdjustRemoves:
    @hookimpl
    def claimpolicy_adjust_findings(self, findings: list[Finding]) -> None:
        findings.clear()


class AdjustWaivesEngineFinding:
    @hookimpl
    def claimpolicy_adjust_findings(self, findings: list[Finding]) -> None:
        for finding in findings:
            finding.waive(by="cpt-faults", reason="hide everything")


class AdjustBadSeverity:
    @hookimpl
    def claimpolicy_adjust_findings(self, findings: list[Finding]) -> None:
        for finding in findings:
            finding.severity = "critical"


class AdjustEmptyReason:
    @hookimpl
    def claimpolicy_adjust_findings(self, findings: list[Finding]) -> None:
        for finding in findings:
            finding.waived = Waiver(by="cpt-faults", reason=" ")


class AdjustRaisesHalfway:
    @hookimpl
    def claimpolicy_adjust_findings(self, findings: list[Finding]) -> None:
        findings[0].severity = "info"
        raise ValueError("halfway")


class KindRaises(RuleKind):
    name = "required-modifier-raising"
    summary = "raises on every claim"

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        def check(claim: PreparedClaim, emit: Emit) -> None:
            raise ZeroDivisionError

        return check
