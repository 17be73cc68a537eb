"""icd10cm-valid and procedure-code-active: codes in force on the date."""

from __future__ import annotations

import pytest
from code_tables import tables
from factory import claim, findings, line, params_problems, rule, run, run_each

from claimpolicy.kinds.validity import Icd10cmValid, ProcedureCodeActive

ICD = Icd10cmValid()
ICD_RULE = rule(ICD, {})
CODES = ProcedureCodeActive()
INACTIVE = rule(CODES, {"problem": "inactive"}, id="INACTIVE")
UNKNOWN = rule(CODES, {"problem": "unknown"}, id="UNKNOWN", severity="warning")


# -- icd10cm-valid ----------------------------------------------------------------


def test_billable_diagnoses_pass() -> None:
    document = claim(line("99214"), diagnoses=["M05.79", "Z79.899"])
    assert run(ICD, [ICD_RULE], document, tables()) == []


def test_a_category_with_children_asks_for_more_characters() -> None:
    document = claim(line("99214"), diagnoses=["M05.79", "G35"])
    [emitted] = run(ICD, [ICD_RULE], document, tables())
    assert (emitted.line, emitted.at) == (None, "/diagnoses/1")
    assert emitted.message == (
        "diagnosis G35 is a category with more specific codes below it in the "
        "ICD-10-CM code set in force on 2026-03-10: report a code with more "
        "characters"
    )
    assert emitted.evidence["status"] == "header"


def test_an_unknown_code_is_named() -> None:
    [emitted] = run(
        ICD, [ICD_RULE], claim(line("99214"), diagnoses=["M05.799"]), tables()
    )
    assert emitted.message == (
        "diagnosis M05.799 is not a code of the ICD-10-CM code set in force on "
        "2026-03-10"
    )


def test_a_date_without_a_code_set_is_reported_not_passed() -> None:
    # Only a pack that declares no ICD-10-CM set gets here: see the next test.
    [emitted] = run(ICD, [ICD_RULE], claim(line("99214")), tables(icd10cm=None))
    assert (emitted.line, emitted.at) == (None, "/diagnoses")
    assert emitted.message == (
        "no ICD-10-CM code set is in force on 2026-03-10, so the diagnoses "
        "cannot be checked"
    )


def test_a_date_past_the_declared_code_sets_never_reaches_the_kind() -> None:
    # cms-core 2026.1 runs to 2026-12-31, its ICD-10-CM FY2026 to 2026-09-30:
    # the engine reports that it cannot check the claim, the kind says nothing.
    document = claim(line("99214", day="2026-10-05"), diagnoses=["G35"])
    assert findings(document) == [("claimpolicy/NO-CODESET-IN-FORCE", 1)]


@pytest.mark.parametrize(
    ("day", "fires"),
    [("2025-09-30", False), ("2025-10-01", True), ("2026-03-10", True)],
)
def test_g35_is_billable_in_fy2025_and_a_header_in_fy2026(
    day: str, fires: bool
) -> None:
    # Through the engine: the real packs and the real FY2025/FY2026 code sets.
    document = claim(line("99214", day=day), diagnoses=["G35"])
    assert (("cms-core/DX-CODE-VALID", None) in findings(document)) is fires


def test_m05_is_a_header_in_both_years() -> None:
    for day in ("2025-03-10", "2026-03-10"):
        document = claim(line("99214", day=day), diagnoses=["M05"])
        assert ("cms-core/DX-CODE-VALID", None) in findings(document)


# -- procedure-code-active --------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "messages"),
    [
        ("2018-12-31", []),
        (
            "2019-01-01",
            ["J9310 ended on 2018-12-31 and is not valid for a service on 2019-01-01"],
        ),
    ],
)
def test_j9310_is_valid_through_its_last_day(day: str, messages: list[str]) -> None:
    document = claim(line("J9310", day=day))
    emitted = run(CODES, [INACTIVE, UNKNOWN], document, tables())
    assert [e.message for e in emitted] == messages
    assert all((e.rule, e.line, e.at) == ("INACTIVE", 1, "/code") for e in emitted)


def test_a_code_used_before_it_was_added_names_its_start() -> None:
    document = claim(line("Q5121", day="2020-06-30"))
    [emitted] = run(CODES, [INACTIVE, UNKNOWN], document, tables())
    assert emitted.message == (
        "Q5121 is valid from 2020-07-01, after the service date 2020-06-30"
    )
    assert (
        run(CODES, [INACTIVE], claim(line("Q5121", day="2020-07-01")), tables()) == []
    )


def test_a_code_remembered_valid_is_judged_again_past_its_span() -> None:
    # One compiled check, as in a batch: J9310 found valid in 2018 must not
    # pass in 2019, nor Q5121 found valid on 2020-07-01 the day before.
    documents = [
        claim(line("J9310", day="2018-12-31")),
        claim(line("J9310", day="2019-01-01")),
        claim(line("Q5121", day="2020-07-01")),
        claim(line("Q5121", day="2020-06-30")),
        claim(line("J9310", day="2018-06-01"), line("Q5121", day="2020-07-02")),
    ]
    emitted = run_each(CODES, [INACTIVE, UNKNOWN], documents, tables())
    assert [[e.message for e in found] for found in emitted] == [
        [],
        ["J9310 ended on 2018-12-31 and is not valid for a service on 2019-01-01"],
        [],
        ["Q5121 is valid from 2020-07-01, after the service date 2020-06-30"],
        [],
    ]


def test_a_diagnosis_remembered_billable_in_one_year_is_judged_again_in_the_next() -> (
    None
):
    # Through one engine, whose compiled checks remember across claims: G35
    # is billable in FY2025 and a header from 2025-10-01 (FY2026).
    fired = [
        ("cms-core/DX-CODE-VALID", None)
        in findings(claim(line("99214", day=day), diagnoses=["G35"]))
        for day in ("2025-09-30", "2025-10-01", "2025-09-29", "2025-10-02")
    ]
    assert fired == [False, True, False, True]


def test_a_deleted_cpt_code_is_inactive() -> None:
    [emitted] = run(CODES, [INACTIVE, UNKNOWN], claim(line("99201")), tables())
    assert (emitted.rule, emitted.message) == (
        "INACTIVE",
        "99201 ended on 2020-12-31 and is not valid for a service on 2026-03-10",
    )


def test_an_uncertain_end_date_counts_as_active() -> None:
    # J3380's termination_basis is unknown-action-after-2020: no false error.
    assert run(CODES, [INACTIVE, UNKNOWN], claim(line("J3380")), tables()) == []


def test_unknown_codes_go_to_the_unknown_rule_only() -> None:
    document = claim(line("99214"), line("36415"), line("Z9999"))
    emitted = run(CODES, [INACTIVE, UNKNOWN], document, tables())
    assert [(e.rule, e.line, e.message) for e in emitted] == [
        (
            "UNKNOWN",
            2,
            "36415 is not among the CPT codes known to the packs in force on "
            "2026-03-10; check the code",
        ),
        (
            "UNKNOWN",
            3,
            "Z9999 is not in the HCPCS Level II code set in force on 2026-03-10",
        ),
    ]


def test_a_date_without_a_code_set_is_an_unknown_code() -> None:
    document = claim(line("96413"), line("J1745"))
    emitted = run(CODES, [INACTIVE, UNKNOWN], document, tables(procedures=None))
    assert [(e.rule, e.line, e.message) for e in emitted] == [
        (
            "UNKNOWN",
            1,
            "no CPT code set is in force on 2026-03-10, so 96413 cannot be checked",
        )
    ]


def test_problem_must_be_named() -> None:
    assert params_problems(CODES, {"problem": "deleted"}) == [
        "test.toml: rules[0].problem: 'deleted' is not one of inactive, unknown"
    ]


def test_the_packs_report_99201_and_an_unknown_cpt_code() -> None:
    document = claim(line("99201"), line("36415"))
    found = findings(document)
    assert ("cms-core/CODE-INACTIVE", 1) in found
    assert ("cms-core/CODE-UNKNOWN", 2) in found
    assert ("cms-core/CODE-UNKNOWN", 1) not in found
