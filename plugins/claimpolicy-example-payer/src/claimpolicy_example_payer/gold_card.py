"""Waive prior-authorization findings for physicians with a gold card.

Runs in `claimpolicy_adjust_findings`, after every rule and edit: a finding
that only says "hold a prior authorization" is waived, not removed, when the
claim's rendering NPI is exempt from prior authorization for that service on
the date of service. The report keeps the finding, marked with the reason,
so an auditor sees what was waived and why.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any, Final

from claimpolicy import Finding
from claimpolicy_example_payer import PLUGIN

# The findings each exempt service waives: those whose only remedy is an
# authorization the physician no longer has to ask for.
WAIVES: Final[Mapping[str, frozenset[str]]] = {
    "infliximab": frozenset({"example-health/INFLIXIMAB-PREFERRED"}),
}


@dataclass(frozen=True, slots=True)
class Exemption:
    npi: str
    service: str
    start: date
    end: date

    def covers(self, npi: str, day: date) -> bool:
        return self.npi == npi and self.start <= day <= self.end


@cache
def exemptions() -> tuple[Exemption, ...]:
    """The gold cards shipped with the plugin, read once."""
    text = (files("claimpolicy_example_payer") / "gold-cards.toml").read_text("utf-8")
    rows = tomllib.loads(text).get("exemption", [])
    for row in rows:
        if row["service"] not in WAIVES:
            raise ValueError(
                f"gold-cards.toml: exemption for NPI {row['npi']}: service "
                f"{row['service']!r} is not one of {', '.join(sorted(WAIVES))}"
            )
    return tuple(Exemption(r["npi"], r["service"], r["from"], r["to"]) for r in rows)


def waive(claim: MutableMapping[str, Any], findings: list[Finding]) -> None:
    """Waive, in place, the findings a gold card of the claim's NPI covers."""
    npi = claim["provider"]["npi"]
    day = min(date.fromisoformat(line["service_date"]) for line in claim["lines"])
    for exemption in exemptions():
        if not exemption.covers(npi, day):
            continue
        reason = (
            f"NPI {npi} is exempt from prior authorization for {exemption.service} "
            f"from {exemption.start} to {exemption.end} (Example Health gold card)"
        )
        for finding in findings:
            if finding.rule in WAIVES[exemption.service] and finding.waived is None:
                finding.waive(by=PLUGIN, reason=reason)
