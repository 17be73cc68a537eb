"""A payer plugin that waives one cms-core finding and softens warnings.

Loaded with `--plugin conform_waive_adjust` (tests/reports/modules on the
path) or `PluginHost(modules=["conform_waive_adjust"])`. It changes only what
`claimpolicy_adjust_findings` allows: a finding's severity and its waiver.
"""

from __future__ import annotations

from claimpolicy import Finding, hookimpl

WAIVED = "cms-core/EM-MOD25-DRUG-ADMIN"


@hookimpl
def claimpolicy_adjust_findings(findings: list[Finding]) -> None:
    for finding in findings:
        if finding.category == "engine":
            continue
        if finding.rule == WAIVED:
            finding.waive(
                by="conform_waive_adjust",
                reason="modifier 25 is reviewed after payment",
            )
        elif finding.severity == "warning":
            finding.severity = "info"
