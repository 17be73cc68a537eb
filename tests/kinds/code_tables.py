"""Tiny code set tables for the kind tests: a few real codes with their real
dates and billing units, built in memory instead of read from the code sets.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from factory import FakeTables

from claimpolicy.codesets.hcpcs import Drug, HcpcsCode, HcpcsTable
from claimpolicy.codesets.procedures import Procedure, ProcedureTable


class FakeIcd10cm:
    """An ICD-10-CM table that knows billable codes and headers."""

    def __init__(self, billable: set[str], headers: set[str]) -> None:
        self._billable, self._headers = billable, headers

    def status(self, code: str) -> str | None:
        if code in self._billable:
            return "billable"
        return "header" if code in self._headers else None


ICD10CM = FakeIcd10cm(
    billable={"M0579", "Z79899", "I10", "K5010", "G35A", "C8338"},
    headers={"G35", "M05", "K50"},
)


def _code(
    code: str, added: date, ended: date | None = None, basis: str = ""
) -> HcpcsCode:
    basis = basis or ("cms-2020-file" if ended else "active-no-action-since-2020")
    return HcpcsCode(code, added, ended, basis, "test")


def drug(
    code: str,
    unit_amount: float,
    unit: str = "mg",
    *,
    single_dose: bool = True,
    mue: int | None = None,
    container: str | None = None,
) -> Drug:
    return Drug(
        code=code,
        drug="test drug",
        product=None,
        reference_product=True,
        biosimilar_of=None,
        descriptor=f"test, {unit_amount} {unit}",
        unit_amount=unit_amount,
        unit=unit,
        added=date(2000, 1, 1),
        terminated=None,
        container=container or ("single-dose" if single_dose else "multiple-dose"),
        mue=mue,
        mue_source="test MUE" if mue is not None else None,
        source="test",
    )


HCPCS_CODES = {
    row.code: row
    for row in (
        _code("J1745", date(2000, 1, 1)),
        _code("J9310", date(1999, 1, 1), date(2018, 12, 31)),
        _code("J9312", date(2019, 1, 1)),
        _code("Q5121", date(2020, 7, 1)),
        _code("J3380", date(2016, 1, 1), basis="unknown-action-after-2020"),
        _code("J0885", date(2000, 1, 1)),
        _code("J2326", date(2018, 1, 1)),
        _code("J0886", date(2000, 1, 1)),
        _code("J9355", date(2000, 1, 1)),
    )
}
DRUGS = {
    item.code: item
    for item in (
        drug("J1745", 10),
        drug("J9310", 100),
        drug("J9312", 10),
        drug("Q5121", 10),
        drug("J3380", 1),
        drug("J0885", 1000, "units"),
        drug("J2326", 0.1),
        drug("J0886", 1000, "units", single_dose=False),
        # Sold in single-dose and multiple-dose vials (trastuzumab).
        drug("J9355", 10, container="both"),
    )
}


def hcpcs(drugs: dict[str, Drug] | None = None) -> HcpcsTable:
    return HcpcsTable(
        dict(HCPCS_CODES), frozenset({"JW", "JZ", "25"}), drugs or DRUGS, "test"
    )


CPT = ProcedureTable(
    [
        Procedure(
            "99201", "new, level 1", "em-new", date(1992, 1, 1), date(2020, 12, 31)
        ),
        Procedure(
            "99211", "established, minimal", "em-established", date(1992, 1, 1), None
        ),
        Procedure(
            "99214", "established, moderate", "em-established", date(1992, 1, 1), None
        ),
        Procedure(
            "96413",
            "chemo infusion, first hour",
            "chemotherapy",
            date(2006, 1, 1),
            None,
        ),
        Procedure(
            "96365", "infusion, first hour", "therapeutic", date(2009, 1, 1), None
        ),
        Procedure("96377", "on-body injector", "therapeutic", date(2017, 1, 1), None),
    ]
)


def tables(**overrides: Any) -> FakeTables:
    """The fake tables, any of them replaced (or removed with None)."""
    chosen: dict[str, Any] = {"icd10cm": ICD10CM, "hcpcs": hcpcs(), "procedures": CPT}
    chosen.update(overrides)
    return FakeTables(**chosen)
