"""A payer pack's [overrides] change a parent rule's parameters in effect."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimpolicy import Engine

PARAMS_PACKS = Path(__file__).parent / "params"
RULE = "cms-core/EM-MOD25-DRUG-ADMIN"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(pack_paths=[PARAMS_PACKS])


def _fired(engine: Engine, claim: dict, payer: str) -> list[str]:
    claim["payer"] = payer
    return [f.message for f in engine.check(claim).findings if f.rule == RULE]


def test_an_overridden_parameter_takes_effect(engine, passing_claim):
    # The passing claim's E/M carries modifier 25, which Strict Health no
    # longer accepts: it asks for 57.
    assert _fired(engine, passing_claim, "strict-health") == [
        "99214 is billed on 2026-03-10 with 96413 (line 2) and needs modifier 57"
    ]


def test_the_parent_rule_is_unchanged_for_other_payers(engine, passing_claim):
    assert _fired(engine, passing_claim, "medicare") == []


def test_the_overridden_value_is_the_one_met(engine, passing_claim):
    passing_claim["lines"][0]["modifiers"] = ["57"]

    assert _fired(engine, passing_claim, "strict-health") == []
