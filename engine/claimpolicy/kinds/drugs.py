"""Drug lines: billing units from the dose, and the waste modifiers JW/JZ.

A HCPCS drug code is billed in units of its descriptor's amount (J1745 is
"infliximab, 10 mg": 1 unit = 10 mg). The units of a dose are the dose
divided by that amount, rounded up: 375 mg of infliximab is 38 units.
Amounts convert between g, mg and mcg; `units` and `mL` only match
themselves. The billing unit comes from the HCPCS drug table in force on
the line's date.

`drug-units` compares a line's units with its documented dose.

`waste-modifier` applies the discarded-drug policy (Medicare Claims
Processing Manual, Pub. 100-04, ch. 17 sec. 40) to drugs from single-dose
containers, taking the container from the line's dose or else from the drug
table:

- from `jz_required_from` (2023-07-01), a line with nothing discarded needs
  JZ; a line never carries both JW and JZ;
- drug discarded (`dose.wasted`) goes on its own line of the same code with
  JW, for ceil((dose + wasted) / unit) - ceil(dose / unit) units; when that
  is 0 the rounded-up units already cover the discard, so there is no JW
  line and the administered line takes JZ;
- a JW line needs an administered line of the same code on the same date;
- a multiple-dose container takes neither JW nor JZ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.codesets.hcpcs import BOTH_CONTAINERS, Drug
from claimpolicy.kinds._text import number, units
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import PROCEDURE_LIST, expand_procedures

__all__ = ["DrugUnits", "WasteModifier", "billing_units"]

JW = "JW"
JZ = "JZ"
JZ_REQUIRED_FROM = date(2023, 7, 1)
JW_REQUIRED_FROM = date(2017, 1, 1)

# Mass units in micrograms; other units convert only to themselves.
_MASS = {"mcg": 1, "mg": 1000, "g": 1_000_000}


def _ratio(value: float | Fraction) -> tuple[int, int]:
    """`value` as (numerator, denominator), exactly as written in decimal:
    1.1 mg is 11/10, not the binary float nearest to it."""
    if isinstance(value, int):  # most doses and billing units
        return value, 1
    if isinstance(value, float):
        found = _RATIOS.get(value)
        if found is None:
            if len(_RATIOS) >= _UNITS_SIZE:
                _RATIOS.clear()
            # Through the text: str() gives the shortest decimal that reads
            # back as the same float, which is what the claim wrote.
            exact = Fraction(str(value))
            found = _RATIOS[value] = (exact.numerator, exact.denominator)
        return found
    # Fraction is tested last: its metaclass is ABCMeta, whose isinstance()
    # took 130 ns, more than the rest of this function for a float.
    return value.numerator, value.denominator


_RATIOS: dict[float, tuple[int, int]] = {}


def billing_units(amount: float | Fraction, unit: str, drug: Drug) -> int | None:
    """The units of `drug` that cover `amount` of `unit`, rounded up; None
    when the unit does not convert to the drug's billing unit."""
    numerator, denominator = _ratio(amount)
    return _units(numerator, denominator, unit, drug)


def _units(numerator: int, denominator: int, unit: str, drug: Drug) -> int | None:
    """`billing_units` of the amount numerator/denominator, in integers: a
    batch's doses are seldom repeated (they follow the patient's weight),
    and fractions.Fraction cost microseconds a line."""
    if unit == drug.unit:
        scale, drug_scale = 1, 1
    elif unit in _MASS and drug.unit in _MASS:
        scale, drug_scale = _MASS[unit], _MASS[drug.unit]
    else:
        return None
    per_unit, per_unit_denominator = _ratio(drug.unit_amount)
    # ceil((n / d) * scale / drug_scale / (p / q)) = ceil(n*scale*q / (d*drug_scale*p))
    top = numerator * scale * per_unit_denominator
    bottom = denominator * drug_scale * per_unit
    return -(-top // bottom)


_UNITS_SIZE = 65_536


def _drug(tables: Tables, line: Line) -> Drug | None:
    return tables.drug(line.code, line.service_date)


def _in_scope(codes: frozenset[str] | None, line: Line) -> bool:
    return codes is None or line.code in codes


def _codes(params: Mapping[str, Any]) -> frozenset[str] | None:
    entries = params.get("codes")
    return expand_procedures(entries) if entries else None


class DrugUnits(RuleKind):
    name = "drug-units"
    summary = (
        "A drug line with a `dose` must bill ceil(dose / billing unit) units, "
        "the billing unit taken from the HCPCS drug table (g, mg and mcg "
        "convert; a dose in another unit is not checked). JW lines are left "
        "to `waste-modifier`. `codes` limits the rule to some drug codes."
    )
    parameters = {"codes": PROCEDURE_LIST}

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        if not rules:
            return None
        scoped = [(rule, _codes(rule.params)) for rule in rules]

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for line in claim.lines:
                dose = line.dose
                if dose is None or JW in line.modifiers:
                    continue
                drug = _drug(tables, line)
                if drug is None:
                    continue
                expected = billing_units(dose["amount"], dose["unit"], drug)
                if expected is None or line.units == expected:
                    continue
                message = (
                    f"{line.code} is billed for {units(line.units)} for a dose "
                    f"of {number(dose['amount'])} {dose['unit']}; at "
                    f"{number(drug.unit_amount)} {drug.unit} per unit that dose "
                    f"is {units(expected)}"
                )
                evidence = {
                    "code": line.code,
                    "dose": dose["amount"],
                    "dose_unit": dose["unit"],
                    "unit_amount": drug.unit_amount,
                    "unit": drug.unit,
                    "expected_units": expected,
                    "billed_units": line.units,
                }
                for rule, codes in scoped:
                    if _in_scope(codes, line):
                        emit(rule, message, line=line, at="/units", evidence=evidence)

        return check


class WasteModifier(RuleKind):
    name = "waste-modifier"
    summary = (
        "JW/JZ on single-dose drug lines: JZ when nothing billable was "
        "discarded (from `jz_required_from`), a JW line of the same code for "
        "the discarded units (from `jw_required_from`), never JW and JZ on "
        "one line, no JW line without an administered line, neither on a "
        "multiple-dose container."
    )
    parameters = {
        "codes": PROCEDURE_LIST,
        "jz_required_from": {"type": "date", "default": JZ_REQUIRED_FROM},
        "jw_required_from": {"type": "date", "default": JW_REQUIRED_FROM},
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        if not rules:
            return None
        # Rules that share their dates share one evaluation of each group.
        by_dates: dict[tuple[date, date], list[tuple[Rule, frozenset[str] | None]]]
        by_dates = {}
        for rule in rules:
            dates = (
                rule.params.get("jz_required_from", JZ_REQUIRED_FROM),
                rule.params.get("jw_required_from", JW_REQUIRED_FROM),
            )
            by_dates.setdefault(dates, []).append((rule, _codes(rule.params)))

        date_pairs = list(by_dates)

        def check(claim: PreparedClaim, emit: Emit) -> None:
            for code, lines in claim.lines_by_code.items():
                if len(lines) == 1:
                    # Most codes are not drugs, and most drugs are billed on
                    # one line that passes: decide that without building the
                    # group and its messages.
                    line = lines[0]
                    drug = tables.drug(code, line.service_date)
                    if drug is None or _passes_alone_all(line, drug, date_pairs):
                        continue
                    groups = [_Group(lines, drug)]
                elif len(lines) == 2 and _pair_passes(lines, tables):
                    # The other common case: the dose and, with JW, what
                    # was discarded of it.
                    continue
                else:
                    groups = _drug_groups(lines, tables)
                for group in groups:
                    for (jz_from, jw_from), scoped in by_dates.items():
                        problems = _WasteCheck(group, jz_from, jw_from).run()
                        if problems:
                            _emit_problems(emit, scoped, group, problems)

        return check


def _passes_alone_all(
    line: Line, drug: Drug, date_pairs: list[tuple[date, date]]
) -> bool:
    # A loop, not all() over a generator: this runs for every drug line.
    for jz_from, jw_from in date_pairs:
        if not _passes_alone(line, drug, jz_from, jw_from):
            return False
    return True


def _passes_alone(line: Line, drug: Drug, jz_from: date, jw_from: date) -> bool:
    """Whether `_WasteCheck` finds nothing wrong with a drug billed on this
    one line: the same judgement, without the messages."""
    modifiers = line.modifiers
    if JW in modifiers:  # a JW line with no administered line
        return False
    has_jz = JZ in modifiers
    single = _single_dose(line, drug)
    if single is None:  # either container: the modifier billed says which
        single = has_jz
    if not single:
        return not has_jz
    dose = line.dose
    waste = _waste_units(dose, drug) if dose is not None else None
    if not waste:  # nothing billable discarded, or nothing known of it
        return has_jz or line.service_date < jz_from
    # Discarded units need a JW line of their own, and the line takes no JZ.
    return not has_jz and line.service_date < jw_from


def _pair_passes(lines: list[Line], tables: Tables) -> bool:
    """Whether `_WasteCheck` finds nothing wrong with two lines of a drug on
    one date, the administered dose and its discarded part with JW: the
    same judgement, without building the group, under any dates."""
    first, second = lines
    if first.service_date != second.service_date:
        return False
    if JW in second.modifiers and JW not in first.modifiers:
        given, waste = first, second
    elif JW in first.modifiers and JW not in second.modifiers:
        given, waste = second, first
    else:
        return False
    drug = tables.drug(given.code, given.service_date)
    if drug is None or JZ in waste.modifiers:
        return False
    # Unknown from the claim and the table, the JW line says single-dose.
    if _single_dose(given, drug) is False:
        return False
    dose = given.dose
    discarded = _waste_units(dose, drug) if dose is not None else None
    if discarded is None:  # the JW line's units cannot be checked
        return True
    return discarded > 0 and JZ not in given.modifiers and waste.units == discarded


Problem = tuple[Line, str, dict[str, Any]]


def _emit_problems(
    emit: Emit,
    scoped: list[tuple[Rule, frozenset[str] | None]],
    group: _Group,
    problems: list[Problem],
) -> None:
    for rule, codes in scoped:
        if _in_scope(codes, group.lines[0]):
            for line, message, evidence in problems:
                emit(rule, message, line=line, at="/modifiers", evidence=evidence)


def _single_dose(line: Line, drug: Drug) -> bool | None:
    """The container the line's dose names, else the drug table's; None
    when the dose names none and the code's products come in both kinds."""
    dose = line.dose
    if dose is not None and "single_dose_container" in dose:
        return bool(dose["single_dose_container"])
    if drug.container == BOTH_CONTAINERS:
        return None
    return drug.single_dose_container


class _Group:
    """The lines of one drug code on one date, with the drug's table entry."""

    __slots__ = ("administered", "day", "drug", "lines", "waste")

    def __init__(self, lines: list[Line], drug: Drug) -> None:
        self.lines = lines
        self.drug = drug
        self.day = lines[0].service_date
        self.administered = [line for line in lines if JW not in line.modifiers]
        self.waste = [line for line in lines if JW in line.modifiers]

    def single_dose(self, line: Line) -> bool:
        """Whether the line's dose came from a single-dose container.

        When neither the claim nor the drug table can say (products of the
        code come in both kinds), JW and JZ, which only single-dose
        containers take, are the biller's word that it did.
        """
        single = _single_dose(line, self.drug)
        if single is None:
            return JZ in line.modifiers or bool(self.waste)
        return single

    def waste_units(self, line: Line) -> int | None:
        """Units of discarded drug beyond the administered units; None when
        the line has no dose or its unit does not convert."""
        dose = line.dose
        return _waste_units(dose, self.drug) if dose is not None else None


def _waste_units(dose: Mapping[str, Any], drug: Drug) -> int | None:
    """Units of discarded drug the dose's `wasted` adds to its own units."""
    numerator, denominator = _ratio(dose["amount"])
    given = _units(numerator, denominator, dose["unit"], drug)
    if given is None:
        return None
    wasted = dose.get("wasted", 0)
    if not wasted:
        return 0
    wasted_numerator, wasted_denominator = _ratio(wasted)
    total = _units(
        numerator * wasted_denominator + wasted_numerator * denominator,
        denominator * wasted_denominator,
        dose["unit"],
        drug,
    )
    assert total is not None  # the same unit as `given`
    return total - given


def _drug_groups(lines: list[Line], tables: Tables) -> list[_Group]:
    """The lines of one code, by date, when the code is a drug on that date."""
    by_date: dict[date, list[Line]] = {}
    for line in lines:
        by_date.setdefault(line.service_date, []).append(line)
    groups = []
    for same_day in by_date.values():
        drug = _drug(tables, same_day[0])
        if drug is not None:
            groups.append(_Group(same_day, drug))
    return groups


class _WasteCheck:
    """The problems of one group under one pair of dates; each method looks
    for one problem and `report` keeps it."""

    def __init__(self, group: _Group, jz_from: date, jw_from: date) -> None:
        self.group = group
        self.jz_required = group.day >= jz_from
        self.jw_required = group.day >= jw_from
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        """(line, message, evidence) of each problem found."""
        self.look()
        return self.problems

    def look(self) -> None:
        group = self.group
        for line in group.lines:
            if JW in line.modifiers and JZ in line.modifiers:
                self.report(line, f"{line.code} carries both JW and JZ; use one")
        if not group.administered:
            for line in group.waste:
                if JZ in line.modifiers:
                    # Reported above; alone, the line is most likely the
                    # administered dose, so a missing one is no second error.
                    continue
                self.report(
                    line,
                    f"{line.code} with JW has no line of the administered dose "
                    f"of {line.code} on {group.day}",
                )
            return
        single = [line for line in group.administered if group.single_dose(line)]
        for line in group.administered:
            if line not in single:
                self.multiple_dose(line)
        if not single:
            for line in group.waste:
                self.report(
                    line,
                    f"{line.code} is from a multiple-dose container, so no "
                    "discarded amount is billed with JW",
                )
            return
        known = {line.index: group.waste_units(line) for line in single}
        for line in single:
            self.zero_waste(line, known[line.index])
        if None not in known.values():
            self.waste_lines(single, sum(u for u in known.values() if u is not None))

    def multiple_dose(self, line: Line) -> None:
        if JZ in line.modifiers:
            self.report(
                line,
                f"{line.code} is from a multiple-dose container and takes no JZ",
            )

    def zero_waste(self, line: Line, waste: int | None) -> None:
        """JZ where nothing billable was discarded, and only there."""
        has_jz = JZ in line.modifiers
        if waste is None:
            if self.jz_required and not has_jz and not self.group.waste:
                self.report(
                    line,
                    f"{line.code} is from a single-dose container: add JZ if "
                    "nothing was discarded, or bill the discarded amount on a "
                    "line with JW",
                )
        elif waste == 0 and self.jz_required and not has_jz:
            self.report(
                line,
                f"{line.code} is from a single-dose container and no billable "
                f"amount was discarded ({_wasted(line)}): add JZ",
            )
        elif waste > 0 and has_jz:
            self.report(
                line,
                f"{line.code} carries JZ (nothing discarded) but "
                f"{_wasted(line)} was discarded",
            )

    def waste_lines(self, single: list[Line], expected: int) -> None:
        """The JW lines must bill exactly the discarded units."""
        group = self.group
        billed = sum(line.units for line in group.waste)
        if expected == 0 and group.waste:
            for line in group.waste:
                self.report(
                    line,
                    f"{line.code} with JW bills {units(line.units)}, but "
                    "the units of the administered line already cover the "
                    "discarded amount",
                )
        elif expected > 0 and not group.waste and self.jw_required:
            line = next(x for x in single if (group.waste_units(x) or 0) > 0)
            self.report(
                line,
                f"{_wasted(line)} of {line.code} was discarded: bill "
                f"{units(expected)} on a separate line of {line.code} with JW",
            )
        elif expected > 0 and group.waste and billed != expected:
            line = group.waste[0]
            self.report(
                line,
                f"{line.code} with JW bills {units(billed)}, but the "
                f"discarded amount is {units(expected)}",
            )

    def report(self, line: Line, message: str) -> None:
        group = self.group
        self.problems.append(
            (
                line,
                message,
                {
                    "code": line.code,
                    "modifiers": list(line.modifiers),
                    "service_date": group.day.isoformat(),
                    "dose": dict(line.dose) if line.dose is not None else None,
                    "unit_amount": group.drug.unit_amount,
                    "unit": group.drug.unit,
                    "single_dose_container": group.single_dose(line),
                    "jw_lines": [x.number for x in group.waste],
                },
            )
        )


def _wasted(line: Line) -> str:
    dose = line.dose or {}
    return f"{number(dose.get('wasted', 0))} {dose.get('unit', '')}".strip()
