"""coverage: the diagnoses a line points to must include a covered one."""

from __future__ import annotations

from factory import claim, findings, line, params_problems, rule, run

from claimpolicy.kinds.codes import DiagnosisFamilies
from claimpolicy.kinds.coverage import Coverage

KIND = Coverage()
ANY = rule(
    KIND, {"codes": ["J1745", "Q5103-Q5104"], "diagnoses": ["K50", "M05", "M06"]}
)
FIRST = rule(
    KIND, {"codes": ["J1745"], "diagnoses": ["K50", "M05"], "pointer": "first"}
)
DIAGNOSES = ["Z79.899", "M05.79", "I10"]


def test_any_pointed_diagnosis_may_cover_the_line() -> None:
    document = claim(line("J1745", pointers=[1, 2]), diagnoses=DIAGNOSES)
    assert run(KIND, [ANY], document) == []


def test_a_line_pointing_elsewhere_fires_naming_its_diagnoses() -> None:
    document = claim(line("99214"), line("Q5104", pointers=[1, 3]), diagnoses=DIAGNOSES)
    [emitted] = run(KIND, [ANY], document)
    assert (emitted.line, emitted.at) == (2, "/diagnosis_pointers")
    assert emitted.message == (
        "Q5104 points to Z79.899, I10, none of which is a covered indication for it"
    )
    assert emitted.evidence["pointed_diagnoses"] == ["Z79899", "I10"]


def test_first_looks_only_at_the_primary_reason() -> None:
    second = claim(line("J1745", pointers=[1, 2]), diagnoses=DIAGNOSES)
    [emitted] = run(KIND, [FIRST], second)
    assert emitted.message == (
        "J1745 has Z79.899 as its first diagnosis (the primary reason), which is "
        "not a covered indication for it"
    )
    first = claim(line("J1745", pointers=[2, 1]), diagnoses=DIAGNOSES)
    assert run(KIND, [FIRST], first) == []


def test_a_pointer_equal_to_the_count_of_diagnoses_is_in_the_list() -> None:
    document = claim(
        line("J1745", pointers=[3]), diagnoses=["Z79.899", "I10", "M05.79"]
    )
    assert run(KIND, [ANY, FIRST], document) == []


def test_pointers_past_the_list_point_to_nothing() -> None:
    document = claim(
        line("J1745", pointers=[4]), diagnoses=["Z79.899", "I10", "M05.79"]
    )
    messages = {e.message for e in run(KIND, [ANY, FIRST], document)}
    assert messages == {"J1745 points to no diagnosis of the claim"}


def test_codes_outside_the_rule_are_not_checked() -> None:
    assert run(KIND, [ANY], claim(line("J9312"), diagnoses=["I10"])) == []


def test_pointer_must_be_any_or_first() -> None:
    problems = params_problems(
        KIND, {"codes": ["J1745"], "diagnoses": ["K50"], "pointer": "all"}
    )
    assert problems == ["test.toml: rules[0].pointer: 'all' is not one of any, first"]


def test_the_pack_checks_infliximab_against_its_indications() -> None:
    drug = line("J1745", units=38, modifiers=["JZ"], pointers=[2])
    uncovered = claim(
        line("99214", modifiers=["25"]), drug, diagnoses=["M05.79", "I10"]
    )
    assert ("cms-core/COV-INFLIXIMAB", 2) in findings(uncovered)
    covered = claim(drug, diagnoses=["I10", "M05.79"])
    assert ("cms-core/COV-INFLIXIMAB", 1) not in findings(covered)


def test_families_ranges_and_single_codes() -> None:
    listed = DiagnosisFamilies(["K50.-", "M05.00-M06.9", "=G35"])
    assert [code in listed for code in ("K5000", "M0579", "M069", "M07")] == [
        True,
        True,
        True,
        False,
    ]
    # "=G35" is G35 alone: not the children FY2026 gave it.
    assert ["G35" in listed, "G35A" in listed] == [True, False]
    assert "G35A" in DiagnosisFamilies(["G35"])
