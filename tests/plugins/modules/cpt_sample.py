"""A test plugin that implements every hook, each in the smallest real way.

Loaded with `--plugin cpt_sample` (tests/plugins/modules on the path). Its
pack, cpt-payer, serves the payer `cpt-payer` and extends cms-core.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from claimpolicy import (
    PROCEDURE_LIST,
    BrokenInput,
    Check,
    Edit,
    Emit,
    Finding,
    Hit,
    PackStamp,
    PreparedClaim,
    Reader,
    Report,
    ReportFormat,
    ReportWriter,
    Rule,
    RuleKind,
    Tables,
    expand_procedures,
    hookimpl,
)

PACKS = Path(__file__).resolve().parent.parent / "packs"
NO_CHARGE = Edit(
    "cpt-payer/NO-CHARGE",
    "info",
    "A line should carry its charge",
    "CMS-1500 item 24F (test plugin)",
)


class UnitsOver(RuleKind):
    name = "units-over"
    summary = "A line of `codes` billed with more than `limit` units."
    parameters: ClassVar[dict[str, Any]] = {
        "codes": {**PROCEDURE_LIST, "required": True},
        "limit": {"type": "number", "required": True, "min": 0},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        limits = {c: r for r in rules for c in expand_procedures(r.params["codes"])}

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for line in claim.lines:
                rule = limits.get(line.code)
                if rule is not None and line.units > rule.params["limit"]:
                    emit(
                        rule,
                        f"{line.code} has {line.units:g} units",
                        line=line,
                        at="/units",
                    )

        return check


class CommentedLines(Reader):
    """`.claims.txt`: one JSON claim per line; `#` lines are comments."""

    name = "commented-lines"
    suffixes = (".claims.txt",)

    def read(self, stream: BinaryIO, source: str) -> Iterator[object]:
        for number, raw in enumerate(stream, 1):
            text = raw.strip()
            if text.startswith(b"#"):
                continue
            try:
                yield json.loads(text)
            except ValueError:
                yield BrokenInput(f"{source}: line {number} is not JSON")


class _OutcomeWriter(ReportWriter):
    def write(self, report: Report) -> None:
        self.stream.write(f"{report.claim_id} {report.outcome}\n".encode())


class Outcomes(ReportFormat):
    name = "outcomes"
    summary = "claim id and outcome, one line per claim"
    writer = _OutcomeWriter


@hookimpl
def claimpolicy_register_rule_kinds() -> list[RuleKind]:
    return [UnitsOver()]


@hookimpl
def claimpolicy_register_pack_paths() -> list[Path]:
    return [PACKS]


@hookimpl
def claimpolicy_register_readers() -> list[Reader]:
    return [CommentedLines()]


@hookimpl
def claimpolicy_register_formats() -> list[ReportFormat]:
    return [Outcomes()]


@hookimpl
def claimpolicy_register_edits() -> list[Edit]:
    return [NO_CHARGE]


@hookimpl
def claimpolicy_prepare_claim(claim: MutableMapping[str, Any]) -> None:
    if claim.get("payer") == "CPT PAYER":
        claim["payer"] = "cpt-payer"


@hookimpl
def claimpolicy_check_claim(
    prepared: PreparedClaim, packs: tuple[PackStamp, ...]
) -> list[Hit]:
    if "cpt-payer" not in {pack.name for pack in packs}:
        return []
    return [
        Hit(
            NO_CHARGE,
            f"{line.code} has no charge",
            line=line,
            at="",
            evidence={"code": line.code},
        )
        for line in prepared.lines
        if "charge" not in line.document
    ]


@hookimpl
def claimpolicy_adjust_findings(
    findings: list[Finding], packs: tuple[PackStamp, ...]
) -> None:
    if "cpt-payer" not in {pack.name for pack in packs}:
        return
    for finding in findings:
        if finding.rule == "cms-core/DX-POINTER-REPEATED":
            finding.waive(by="cpt_sample", reason="cpt-payer accepts repeated pointers")
