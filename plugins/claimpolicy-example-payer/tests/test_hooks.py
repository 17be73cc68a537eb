"""Each of the plugin's per-claim hooks, through the installed engine."""

from __future__ import annotations

import pytest

from claimpolicy import Engine

PREFERRED = "example-health/INFLIXIMAB-PREFERRED"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(explain=True)


@pytest.mark.parametrize("alias", ["EXH01", "exh", " Example Health ", "EXAMPLEHEALTH"])
def test_prepare_maps_clearinghouse_payer_ids_before_packs_are_chosen(
    engine, claim, alias
):
    claim["payer"] = alias

    report = engine.check(claim)

    assert [p.name for p in report.packs] == ["cms-core", "example-health"]


def test_prepare_leaves_other_payers_alone(engine, claim):
    claim["payer"] = "exh-02"

    report = engine.check(claim)

    assert [p.name for p in report.packs] == ["cms-core"]


def test_check_claim_warns_on_remicade_with_the_preferred_codes_and_units(
    engine, claim
):
    report = engine.check(claim)

    (finding,) = [f for f in report.findings if f.rule == PREFERRED]
    assert (finding.category, finding.severity, finding.line, finding.path) == (
        "custom",
        "warning",
        2,
        "/lines/1/code",
    )
    assert finding.message == (
        "J1745 (Remicade or unbranded infliximab) is not a preferred infliximab "
        "product: bill Q5121 (Avsola) or Q5103 (Inflectra) for the same 40 units, "
        "or keep the prior authorization for it on file"
    )
    assert finding.evidence == {
        "code": "J1745",
        "units": 40,
        "preferred": ["Q5103", "Q5121"],
    }
    assert report.outcome == "warn"


@pytest.mark.parametrize(
    ("code", "fires"),
    [
        ("J1745", True),
        ("Q5104", True),
        ("Q5109", True),
        ("Q5103", False),
        ("Q5121", False),
    ],
)
def test_check_claim_fires_on_non_preferred_products_only(engine, claim, code, fires):
    claim["lines"][1]["code"] = code
    claim["lines"][1].pop("ndc")  # the NDC is Remicade's

    rules = [f.rule for f in engine.check(claim).findings]

    assert (PREFERRED in rules) is fires


def test_adjust_waives_the_edit_for_a_gold_carded_npi_and_keeps_it(engine, claim):
    claim["provider"]["npi"] = "1234567893"

    report = engine.check(claim)

    (finding,) = [f for f in report.findings if f.rule == PREFERRED]
    assert finding.waived is not None
    assert finding.waived.by == "example-payer"
    assert finding.waived.reason == (
        "NPI 1234567893 is exempt from prior authorization for infliximab from "
        "2026-01-01 to 2026-06-30 (Example Health gold card)"
    )
    assert report.outcome == "pass"  # the waived warning no longer counts
    assert report.to_dict()["findings"][-1]["waived"]["by"] == "example-payer"


@pytest.mark.parametrize(
    ("npi", "day"), [("1234567893", "2026-07-01"), ("1558598797", "2026-03-10")]
)
def test_adjust_waives_nothing_outside_an_exemption(engine, claim, npi, day):
    claim["provider"]["npi"] = npi
    for line in claim["lines"]:
        line["service_date"] = day

    report = engine.check(claim)

    (finding,) = [f for f in report.findings if f.rule == PREFERRED]
    assert finding.waived is None
