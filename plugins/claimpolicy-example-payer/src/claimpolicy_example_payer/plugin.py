"""The hooks of Example Health's plugin; each hands over to a module of its own.

claimpolicy finds this module through the entry point group `claimpolicy`
(see pyproject.toml); `claimpolicy --plugin claimpolicy_example_payer.plugin`
loads it without installing.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from claimpolicy import (
    Edit,
    Finding,
    Hit,
    PackStamp,
    PreparedClaim,
    Reader,
    ReportFormat,
    RuleKind,
    hookimpl,
)
from claimpolicy_example_payer import PAYER, gold_card, payer_ids, preferred_product
from claimpolicy_example_payer.csv_format import CsvFormat
from claimpolicy_example_payer.envelope import EnvelopeReader
from claimpolicy_example_payer.specialty import SpecialtyRequired


def _ours(packs: tuple[PackStamp, ...]) -> bool:
    # Hooks run for every claim; Example Health's edits judge only the claims
    # that its pack judges, whatever the payer field said before preparation.
    return any(pack.name == PAYER for pack in packs)


@hookimpl
def claimpolicy_register_rule_kinds() -> list[RuleKind]:
    return [SpecialtyRequired()]


@hookimpl
def claimpolicy_register_pack_paths() -> list[Path]:
    # A regular (unzipped) install: the resource folder is a real folder.
    return [Path(str(files("claimpolicy_example_payer") / "policies"))]


@hookimpl
def claimpolicy_register_readers() -> list[Reader]:
    return [EnvelopeReader()]


@hookimpl
def claimpolicy_register_formats() -> list[ReportFormat]:
    return [CsvFormat()]


@hookimpl
def claimpolicy_register_edits() -> list[Edit]:
    return [preferred_product.EDIT]


@hookimpl
def claimpolicy_prepare_claim(claim: MutableMapping[str, Any]) -> None:
    payer_ids.normalise(claim)


@hookimpl
def claimpolicy_check_claim(
    prepared: PreparedClaim, packs: tuple[PackStamp, ...]
) -> list[Hit]:
    if not _ours(packs):
        return []
    return preferred_product.check(prepared)


@hookimpl
def claimpolicy_adjust_findings(
    claim: MutableMapping[str, Any],
    findings: list[Finding],
    packs: tuple[PackStamp, ...],
) -> None:
    if _ours(packs):
        gold_card.waive(claim, findings)
