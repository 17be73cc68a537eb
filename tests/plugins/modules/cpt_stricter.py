"""adjust_findings that raises severities: a payer that refuses what cms-core
only warns of (a repeated diagnosis pointer), and a charge cpt_sample asks
for only as information. Loaded next to cpt_sample; sees its findings."""

from __future__ import annotations

from claimpolicy import Finding, hookimpl

RAISED = {
    "cms-core/DX-POINTER-REPEATED": "error",
    "cpt-payer/NO-CHARGE": "warning",
}


@hookimpl
def claimpolicy_adjust_findings(findings: list[Finding]) -> None:
    for finding in findings:
        finding.severity = RAISED.get(finding.rule, finding.severity)
