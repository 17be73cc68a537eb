"""drug-units and waste-modifier: units from the dose, JW and JZ."""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction
from typing import Any

import code_tables
import pytest
from code_tables import DRUGS, tables
from factory import claim, findings, line, rule, run
from hypothesis import given
from hypothesis import strategies as st

from claimpolicy.claim import PreparedClaim
from claimpolicy.kinds.drugs import (
    JW_REQUIRED_FROM,
    JZ_REQUIRED_FROM,
    DrugUnits,
    WasteModifier,
    _drug_groups,
    _pair_passes,
    _passes_alone_all,
    _waste_units,
    _WasteCheck,
    billing_units,
)

UNITS = DrugUnits()
UNITS_RULE = rule(UNITS, {})
WASTE = WasteModifier()
WASTE_RULE = rule(WASTE, {})


def dose(amount: float, unit: str = "mg", **more: Any) -> dict[str, Any]:
    return {"amount": amount, "unit": unit, **more}


# -- billing units ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "amount", "unit", "expected"),
    [
        ("J1745", 375, "mg", 38),  # infliximab 5 mg/kg x 75 kg
        ("J1745", 400, "mg", 40),
        ("J1745", 380.5, "mg", 39),
        ("J1745", 1, "g", 100),
        ("J1745", 10_000, "mcg", 1),
        ("J9312", 1000, "mg", 100),  # rituximab 1,000 mg
        ("J9310", 1000, "mg", 10),
        ("J3380", 300, "mg", 300),  # vedolizumab
        ("J0885", 40_000, "units", 40),  # epoetin alfa 40,000 units
        ("J2326", 12, "mg", 120),  # nusinersen, 0.1 mg a unit
        ("J2326", 1.1, "mg", 11),  # exact decimals: 1.1 / 0.1 is 11, not 12
        ("J1745", 5, "mL", None),  # a volume does not convert to mg
        ("J0885", 4, "mg", None),  # nor a mass to units
    ],
)
def test_billing_units_round_the_dose_up(
    code: str, amount: float, unit: str, expected: int | None
) -> None:
    assert billing_units(amount, unit, DRUGS[code]) == expected


MICROGRAMS = {"mcg": Fraction(1), "mg": Fraction(1000), "g": Fraction(1_000_000)}


def units_by_fractions(amount: float, unit: str, unit_amount: float, billed_in: str):
    """The rule in its plainest form: exact decimals, converted, rounded up."""
    if unit == billed_in:
        scale = Fraction(1)
    elif unit in MICROGRAMS and billed_in in MICROGRAMS:
        scale = MICROGRAMS[unit] / MICROGRAMS[billed_in]
    else:
        return None
    return math.ceil(Fraction(str(amount)) * scale / Fraction(str(unit_amount)))


DOSES = st.one_of(
    st.integers(0, 10**7),
    st.decimals(0, 10**5, places=3, allow_nan=False).map(float),
)
UNIT_AMOUNTS = st.one_of(
    st.integers(1, 1000),
    st.sampled_from([0.1, 0.25, 0.5, 1.5, 2.5, 0.001, 7.5, 1e-05]),
)


@given(
    amount=DOSES,
    unit=st.sampled_from(["mcg", "mg", "g", "mL", "units"]),
    unit_amount=UNIT_AMOUNTS,
    billed_in=st.sampled_from(["mcg", "mg", "g", "mL", "units"]),
)
def test_billing_units_are_those_of_exact_fractions(
    amount: float, unit: str, unit_amount: float, billed_in: str
) -> None:
    drug = code_tables.drug("J9999", unit_amount, billed_in)
    assert billing_units(amount, unit, drug) == units_by_fractions(
        amount, unit, unit_amount, billed_in
    )


@given(amount=DOSES, wasted=DOSES, unit_amount=UNIT_AMOUNTS)
def test_discarded_units_are_those_of_exact_fractions(
    amount: float, wasted: float, unit_amount: float
) -> None:
    drug = code_tables.drug("J9999", unit_amount, "mg")
    total = Fraction(str(amount)) + Fraction(str(wasted))
    expected = math.ceil(total / Fraction(str(unit_amount))) - units_by_fractions(
        amount, "mg", unit_amount, "mg"
    )
    dose = {"amount": amount, "unit": "mg", "wasted": wasted}
    assert _waste_units(dose, drug) == expected


# -- drug-units ---------------------------------------------------------------------


def test_375_mg_of_infliximab_is_38_units() -> None:
    passing = claim(line("J1745", units=38, dose=dose(375)))
    assert run(UNITS, [UNITS_RULE], passing, tables()) == []
    [emitted] = run(
        UNITS, [UNITS_RULE], claim(line("J1745", units=40, dose=dose(375))), tables()
    )
    assert (emitted.line, emitted.at) == (1, "/units")
    assert emitted.message == (
        "J1745 is billed for 40 units for a dose of 375 mg; at 10 mg per unit "
        "that dose is 38 units"
    )


def test_400_mg_of_infliximab_is_40_units() -> None:
    document = claim(line("J1745", units=40, dose=dose(400)))
    assert run(UNITS, [UNITS_RULE], document, tables()) == []


@pytest.mark.parametrize(
    "document",
    [
        claim(line("J1745", units=3, modifiers=["JW"], dose=dose(25))),  # a JW line
        claim(line("J1745", units=7, dose=dose(5, "mL"))),  # unit does not convert
        claim(line("J1745", units=40)),  # no dose documented
        claim(line("96413", units=1, dose=dose(375))),  # not a drug code
    ],
)
def test_lines_the_rule_cannot_judge_pass(document: dict[str, Any]) -> None:
    assert run(UNITS, [UNITS_RULE], document, tables()) == []


def test_codes_limit_the_rule() -> None:
    only_rituximab = rule(UNITS, {"codes": ["J9312"]})
    document = claim(line("J1745", units=40, dose=dose(375)))
    assert run(UNITS, [only_rituximab], document, tables()) == []


# -- waste-modifier ---------------------------------------------------------------


def infliximab(
    day: str = "2026-03-10", units: float = 38, **fields: Any
) -> dict[str, Any]:
    return line("J1745", units=units, day=day, **fields)


@pytest.mark.parametrize(
    ("day", "fires"),
    [("2023-06-30", False), ("2023-07-01", True), ("2026-03-10", True)],
)
def test_jz_is_required_from_2023_07_01(day: str, fires: bool) -> None:
    # 380 mg = 38 units exactly: nothing billable discarded.
    document = claim(infliximab(day, units=38, dose=dose(380, wasted=0)))
    emitted = run(WASTE, [WASTE_RULE], document, tables())
    assert [(e.line, e.at) for e in emitted] == ([(1, "/modifiers")] if fires else [])


def test_the_jz_message() -> None:
    document = claim(infliximab(units=38, dose=dose(380)))
    [emitted] = run(WASTE, [WASTE_RULE], document, tables())
    assert emitted.message == (
        "J1745 is from a single-dose container and no billable amount was "
        "discarded (0 mg): add JZ"
    )


def test_a_line_with_jz_and_nothing_discarded_passes() -> None:
    document = claim(infliximab(units=38, modifiers=["JZ"], dose=dose(380)))
    assert run(WASTE, [WASTE_RULE], document, tables()) == []


def test_jw_and_jz_on_one_line_is_wrong() -> None:
    document = claim(
        infliximab(units=38, modifiers=["JZ"], dose=dose(375, wasted=25)),
        line("J1745", units=2, modifiers=["JW", "JZ"]),
    )
    messages = [e.message for e in run(WASTE, [WASTE_RULE], document, tables())]
    assert "J1745 carries both JW and JZ; use one" in messages


def test_jw_and_jz_on_the_only_line_is_one_finding() -> None:
    # Not also "has no line of the administered dose": one mistake, one finding.
    document = claim(infliximab(units=38, modifiers=["JW", "JZ"], dose=dose(380)))
    emitted = run(WASTE, [WASTE_RULE], document, tables())
    assert [(e.line, e.message) for e in emitted] == [
        (1, "J1745 carries both JW and JZ; use one")
    ]


def test_discarded_drug_needs_a_jw_line_of_the_extra_units() -> None:
    # 375 mg given from four 100 mg vials: 25 mg discarded. 38 units cover
    # 380 mg; 400 mg is 40 units, so the JW line bills 2.
    given = infliximab(units=38, dose=dose(375, wasted=25))
    right = claim(given, line("J1745", units=2, modifiers=["JW"]))
    assert run(WASTE, [WASTE_RULE], right, tables()) == []

    [missing] = run(WASTE, [WASTE_RULE], claim(given), tables())
    assert (missing.line, missing.message) == (
        1,
        "25 mg of J1745 was discarded: bill 2 units on a separate line of J1745 "
        "with JW",
    )

    wrong = claim(given, line("J1745", units=3, modifiers=["JW"]))
    [emitted] = run(WASTE, [WASTE_RULE], wrong, tables())
    assert (emitted.line, emitted.message) == (
        2,
        "J1745 with JW bills 3 units, but the discarded amount is 2 units",
    )


def test_no_jw_line_when_the_rounded_units_cover_the_discard() -> None:
    # 375 mg + 5 mg discarded = 380 mg, still 38 units: JZ, and no JW line.
    given = infliximab(units=38, modifiers=["JZ"], dose=dose(375, wasted=5))
    assert run(WASTE, [WASTE_RULE], claim(given), tables()) == []
    extra = claim(given, line("J1745", units=1, modifiers=["JW"]))
    [emitted] = run(WASTE, [WASTE_RULE], extra, tables())
    assert (emitted.line, emitted.message) == (
        2,
        "J1745 with JW bills 1 unit, but the units of the administered line "
        "already cover the discarded amount",
    )


def test_jz_with_a_billable_discard_is_wrong() -> None:
    given = infliximab(units=38, modifiers=["JZ"], dose=dose(375, wasted=25))
    document = claim(given, line("J1745", units=2, modifiers=["JW"]))
    [emitted] = run(WASTE, [WASTE_RULE], document, tables())
    assert emitted.message == (
        "J1745 carries JZ (nothing discarded) but 25 mg was discarded"
    )


def test_a_jw_line_needs_an_administered_line() -> None:
    document = claim(line("J1745", units=2, modifiers=["JW"]))
    [emitted] = run(WASTE, [WASTE_RULE], document, tables())
    assert emitted.message == (
        "J1745 with JW has no line of the administered dose of J1745 on 2026-03-10"
    )
    other_day = claim(
        infliximab(day="2026-03-09", modifiers=["JZ"], dose=dose(380)),
        line("J1745", units=2, modifiers=["JW"]),
    )
    assert [e.line for e in run(WASTE, [WASTE_RULE], other_day, tables())] == [2]


def test_without_a_dose_jz_or_a_jw_line_is_needed() -> None:
    assert len(run(WASTE, [WASTE_RULE], claim(infliximab()), tables())) == 1
    with_jw = claim(infliximab(), line("J1745", units=2, modifiers=["JW"]))
    assert run(WASTE, [WASTE_RULE], with_jw, tables()) == []


def test_multiple_dose_containers_take_neither_modifier() -> None:
    # J0886 is a multiple-dose drug in the test table; the dose may say so too.
    plain = claim(line("J0886", units=10))
    assert run(WASTE, [WASTE_RULE], plain, tables()) == []
    with_jz = claim(
        line(
            "J0885",
            units=10,
            modifiers=["JZ"],
            dose=dose(10_000, "units", single_dose_container=False),
        )
    )
    [emitted] = run(WASTE, [WASTE_RULE], with_jz, tables())
    assert emitted.message == (
        "J0885 is from a multiple-dose container and takes no JZ"
    )


def trastuzumab(modifiers: list[str], **dose_fields: Any) -> dict[str, Any]:
    # J9355 comes in both kinds of vial in the test table, as on its labels.
    return line("J9355", units=42, modifiers=modifiers, dose=dose(420, **dose_fields))


@pytest.mark.parametrize("modifiers", [[], ["JZ"]], ids=["none", "JZ"])
def test_either_container_takes_the_modifier_billed(modifiers: list[str]) -> None:
    # Nothing on the claim says which vial: JZ claims a single-dose one, and
    # no modifier a multiple-dose one; neither is wrong.
    document = claim(trastuzumab(modifiers, wasted=0))
    assert run(WASTE, [WASTE_RULE], document, tables()) == []


def test_either_container_with_jz_is_held_to_the_discard() -> None:
    # JZ says single-dose and nothing discarded; 30 mg discarded is 3 units.
    document = claim(trastuzumab(["JZ"], wasted=30))
    emitted = run(WASTE, [WASTE_RULE], document, tables())
    assert [e.message for e in emitted] == [
        "J9355 carries JZ (nothing discarded) but 30 mg was discarded",
        "30 mg of J9355 was discarded: bill 3 units on a separate line of J9355 "
        "with JW",
    ]


def test_either_container_named_single_dose_on_the_claim_needs_jz() -> None:
    document = claim(trastuzumab([], wasted=0, single_dose_container=True))
    [emitted] = run(WASTE, [WASTE_RULE], document, tables())
    assert emitted.message == (
        "J9355 is from a single-dose container and no billable amount was "
        "discarded (0 mg): add JZ"
    )


def test_the_dates_are_parameters() -> None:
    later = rule(WASTE, {"jz_required_from": date(2024, 1, 1)})
    document = claim(infliximab("2023-09-01", dose=dose(380)))
    assert run(WASTE, [later], document, tables()) == []


# -- the shortcuts judge as the whole check ---------------------------------------

#: The packs' dates and a later JZ date, so that a line can fall on either side.
DATE_PAIRS = [
    (JZ_REQUIRED_FROM, JW_REQUIRED_FROM),
    (date(2024, 1, 1), date(2017, 1, 1)),
]

DRUG_DOSES = st.none() | st.fixed_dictionaries(
    {"amount": st.sampled_from([10, 35, 375, 400, 0.5]), "unit": st.just("mg")},
    optional={
        "wasted": st.sampled_from([0, 5, 10, 25, 30]),
        "single_dose_container": st.booleans(),
    },
)


@st.composite
def drug_line(draw: st.DrawFn, code: str) -> dict[str, Any]:
    chosen_dose = draw(DRUG_DOSES)
    return line(
        code,
        units=draw(st.sampled_from([1, 2, 3, 38, 40, 2.0])),
        modifiers=draw(st.lists(st.sampled_from(["JW", "JZ"]), unique=True)),
        day=draw(st.sampled_from(["2016-12-31", "2023-06-30", "2023-07-01"])),
        **({"dose": chosen_dose} if chosen_dose is not None else {}),
    )


def whole_check_passes(prepared: PreparedClaim) -> bool:
    groups = _drug_groups(list(prepared.lines), tables())
    return not any(
        _WasteCheck(group, jz_from, jw_from).run()
        for group in groups
        for jz_from, jw_from in DATE_PAIRS
    )


@given(code=st.sampled_from(["J1745", "J0886", "J9355"]), data=st.data())
def test_a_drug_alone_on_its_line_is_judged_as_by_the_whole_check(
    code: str, data: st.DataObject
) -> None:
    prepared = PreparedClaim(claim(data.draw(drug_line(code))))
    [only] = prepared.lines
    passes = _passes_alone_all(only, DRUGS[code], DATE_PAIRS)
    assert passes == whole_check_passes(prepared)


@given(code=st.sampled_from(["J1745", "J0886", "J9355"]), data=st.data())
def test_a_dose_and_its_jw_line_are_judged_as_by_the_whole_check(
    code: str, data: st.DataObject
) -> None:
    pair = [data.draw(drug_line(code)), data.draw(drug_line(code))]
    prepared = PreparedClaim(claim(*pair))
    passes = _pair_passes(list(prepared.lines), tables())
    # The shortcut may leave a pair to the whole check, never pass a wrong
    # one; a dose and its JW line on one date it judges in full.
    first, second = prepared.lines
    judged = first.service_date == second.service_date and (
        ("JW" in first.modifiers) != ("JW" in second.modifiers)
    )
    if judged:
        assert passes == whole_check_passes(prepared)
    else:
        assert not passes


def test_a_dose_and_its_jw_line_pass_by_the_shortcut() -> None:
    # 375 mg given and 25 mg discarded of 10 mg units: 38 units and 2 with JW.
    document = claim(
        line("J1745", units=38, dose=dose(375, wasted=25)),
        line("J1745", units=2, modifiers=["JW"], dose=dose(20)),
    )
    assert _pair_passes(list(PreparedClaim(document).lines), tables())
    assert run(WASTE, [WASTE_RULE], document, tables()) == []


# -- through the packs --------------------------------------------------------------


def test_the_pack_checks_units_and_waste_on_a_drug_line() -> None:
    good = claim(infliximab(modifiers=["JZ"], dose=dose(380), ndc=NDC))
    assert [f for f in findings(good) if f[0].startswith("cms-core/DRUG-")] == []
    bad = claim(infliximab(units=40, dose=dose(375, wasted=25), ndc=NDC))
    assert ("cms-core/DRUG-UNITS", 1) in findings(bad)
    assert ("cms-core/DRUG-WASTE-MODIFIER", 1) in findings(bad)


NDC = {"code": "57894003001", "quantity": 4, "unit": "UN"}
