"""demographic: diagnoses that fit one sex or an age range."""

from __future__ import annotations

import pytest
from factory import claim, findings, line, params_problems, rule, run

from claimpolicy.kinds.demographic import BirthBeforeService, Demographic, FamilyIndex

KIND = Demographic()
FEMALE_BREAST = rule(KIND, {"sex": "F", "diagnoses": ["C50.01", "C50.91"]}, id="F")
PREGNANCY = rule(KIND, {"sex": "F", "diagnoses": ["O00-O9A"]}, id="O")
MATERNAL_AGE = rule(
    KIND, {"min_age": 9, "max_age": 64, "diagnoses": ["O00-O9A"]}, id="AGE"
)


def patient(sex: str, birth_date: str = "1968-04-12") -> dict[str, str]:
    return {"id": "P-1", "birth_date": birth_date, "sex": sex}


@pytest.mark.parametrize(("sex", "fires"), [("M", True), ("F", False), ("U", False)])
def test_a_female_code_fires_on_a_patient_not_recorded_female(
    sex: str, fires: bool
) -> None:
    document = claim(line("99214"), diagnoses=["I10", "C50.911"], patient=patient(sex))
    emitted = run(KIND, [FEMALE_BREAST], document)
    assert [(e.line, e.at) for e in emitted] == (
        [(None, "/diagnoses/1")] if fires else []
    )


def test_the_message_names_the_diagnosis_and_field_not_the_patient() -> None:
    document = claim(line("99214"), diagnoses=["C50.911"], patient=patient("M"))
    [emitted] = run(KIND, [FEMALE_BREAST], document)
    assert emitted.message == (
        "diagnosis C50.911 is for female patients and does not fit the patient's "
        "recorded sex (/patient/sex)"
    )


@pytest.mark.parametrize("code", ["O00.00", "O09.90", "O80", "O9A.53"])
def test_a_range_covers_its_ends_and_their_children(code: str) -> None:
    document = claim(line("99214"), diagnoses=[code], patient=patient("M"))
    assert [e.rule for e in run(KIND, [PREGNANCY], document)] == ["O"]


def test_codes_outside_the_range_pass() -> None:
    document = claim(line("99214"), diagnoses=["P00.0", "N40.0"], patient=patient("M"))
    assert run(KIND, [PREGNANCY], document) == []


@pytest.mark.parametrize(
    ("birth_date", "fires"),
    [
        ("2017-03-11", True),  # 8 on 2026-03-10
        ("2017-03-10", False),  # 9 that day: the lower end is included
        ("1961-03-11", False),  # 64
        ("1961-03-10", True),  # 65 that day
    ],
)
def test_an_age_range_includes_both_ends(birth_date: str, fires: bool) -> None:
    document = claim(line("99214"), diagnoses=["O80"], patient=patient("F", birth_date))
    emitted = run(KIND, [MATERNAL_AGE], document)
    assert bool(emitted) is fires
    if fires:
        assert emitted[0].message == (
            "diagnosis O80 is for patients aged 9 to 64; the patient's age on "
            "2026-03-10 (from /patient/birth_date) is outside that range"
        )


def test_a_rule_restricts_sex_or_age_not_both() -> None:
    problems = params_problems(KIND, {"sex": "F", "min_age": 9, "diagnoses": ["O80"]})
    assert problems == [
        "test.toml: rules[0].min_age: cannot stand beside sex",
        "test.toml: rules[0].sex: cannot stand beside min_age, max_age",
    ]
    assert params_problems(KIND, {"diagnoses": ["O80"]}) == [
        "test.toml: rules[0].max_age: is required",
        "test.toml: rules[0].min_age: is required",
        "test.toml: rules[0].sex: is required",
    ]


def test_the_family_index_finds_prefixes_and_ranges() -> None:
    index = FamilyIndex()
    index.add("C50.01", "female")
    index.add("C50.-", "breast")
    index.add("M05.00-M06.9", "ra")
    assert sorted(index.find("C50011")) == ["breast", "female"]
    assert index.find("C50021") == ["breast"]
    assert index.find("M0579") == ["ra"]
    assert index.find("M069") == ["ra"]
    assert index.find("M0690") == ["ra"]  # a child of the range's upper end
    assert index.find("M07") == []


def test_the_pack_warns_on_sex_conflicts() -> None:
    male = claim(line("99214"), diagnoses=["C50.911", "N40.0"], patient=patient("M"))
    assert ("cms-core/DX-SEX-FEMALE-BREAST", None) in findings(male)
    assert ("cms-core/DX-SEX-PROSTATE", None) not in findings(male)
    female = claim(line("99214"), diagnoses=["N40.0"], patient=patient("F"))
    assert ("cms-core/DX-SEX-PROSTATE", None) in findings(female)


BORN = BirthBeforeService()
BORN_RULE = rule(BORN, {}, category="demographic")


@pytest.mark.parametrize(
    ("birth_date", "fires"),
    [("2026-03-11", True), ("2026-03-10", False), ("1968-04-12", False)],
)
def test_a_birth_date_after_the_service_fires(birth_date: str, fires: bool) -> None:
    document = claim(line("99214"), patient=patient("F", birth_date))
    emitted = run(BORN, [BORN_RULE], document)
    assert [(e.line, e.at) for e in emitted] == (
        [(None, "/patient/birth_date")] if fires else []
    )


def test_the_birth_date_message_names_the_first_date_and_line() -> None:
    document = claim(
        line("96365", day="2026-03-12"),
        line("99214", day="2026-03-11"),
        patient=patient("F", "2026-03-12"),
    )
    [emitted] = run(BORN, [BORN_RULE], document)
    assert emitted.message == (
        "the patient's birth date (/patient/birth_date) is after the date of "
        "service 2026-03-11 of line 2; correct the birth date or the date of "
        "service"
    )


def test_an_age_rule_leaves_a_birth_after_the_service_to_the_birth_date_rule() -> None:
    document = claim(
        line("99214"), diagnoses=["O80"], patient=patient("F", "2027-01-01")
    )
    assert run(KIND, [MATERNAL_AGE], document) == []


def test_the_pack_reports_a_birth_after_the_service_once() -> None:
    document = claim(
        line("99214"), diagnoses=["O80"], patient=patient("F", "2027-01-01")
    )
    assert [rule for rule, _ in findings(document)].count(
        "cms-core/PATIENT-BORN-AFTER-SERVICE"
    ) == 1
