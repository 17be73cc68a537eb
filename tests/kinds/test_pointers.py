"""diagnosis-pointers: pointers past the diagnosis list, or repeated."""

from __future__ import annotations

import pytest
from factory import claim, findings, line, params_problems, rule, run

from claimpolicy.kinds.pointers import DiagnosisPointers

KIND = DiagnosisPointers()
PAST_END = rule(KIND, {"problem": "past-end"}, id="PAST")
REPEATED = rule(KIND, {"problem": "repeated"}, id="TWICE")
BOTH = [PAST_END, REPEATED]
DIAGNOSES = ("M05.79", "Z79.899", "I10")


@pytest.mark.parametrize(("pointer", "fires"), [(3, False), (4, True)])
def test_a_pointer_equal_to_the_count_is_the_last_diagnosis(
    pointer: int, fires: bool
) -> None:
    document = claim(line("99214", pointers=[1, pointer]), diagnoses=DIAGNOSES)
    emitted = run(KIND, BOTH, document)
    assert [(e.rule, e.line, e.at) for e in emitted] == (
        [("PAST", 1, "/diagnosis_pointers/1")] if fires else []
    )


def test_the_past_end_message_names_the_pointer_and_the_count() -> None:
    document = claim(line("99214", pointers=[5]), diagnoses=DIAGNOSES)
    [emitted] = run(KIND, BOTH, document)
    assert (
        emitted.message
        == "diagnosis pointer 5 points past the 3 diagnoses of the claim"
    )
    assert emitted.evidence == {"pointer": 5, "diagnoses": 3}


def test_a_repeated_pointer_fires_at_the_repeat() -> None:
    document = claim(line("99214", pointers=[2, 1, 2]), diagnoses=DIAGNOSES)
    [emitted] = run(KIND, BOTH, document)
    assert (emitted.rule, emitted.at) == ("TWICE", "/diagnosis_pointers/2")
    assert emitted.message == "diagnosis pointer 2 is repeated on the line"


def test_the_same_pointer_on_other_lines_and_days_passes() -> None:
    # Pointers are per line: two lines, even of one code on different days,
    # may point to the same diagnosis.
    document = claim(
        line("96365", pointers=[1, 2]),
        line("96365", pointers=[1, 2], day="2026-03-11"),
        diagnoses=DIAGNOSES,
    )
    assert run(KIND, BOTH, document) == []


def test_each_rule_reports_only_its_problem() -> None:
    document = claim(line("99214", pointers=[4, 4]), diagnoses=DIAGNOSES)
    # Both pointers are past the end; a pointer past the end is not also
    # reported as repeated.
    assert [e.rule for e in run(KIND, BOTH, document)] == ["PAST", "PAST"]
    assert run(KIND, [REPEATED], document) == []


def test_the_problem_is_one_of_two() -> None:
    assert params_problems(KIND, {"problem": "missing"}) == [
        "test.toml: rules[0].problem: 'missing' is not one of past-end, repeated"
    ]


def test_cms_core_rules() -> None:
    document = claim(line("99214", pointers=[1, 2, 2]), diagnoses=["M05.79"])
    pointer_findings = [f for f in findings(document) if "DX-POINTER" in f[0]]
    assert pointer_findings == [
        ("cms-core/DX-POINTER-PAST-END", 1),
        ("cms-core/DX-POINTER-PAST-END", 1),
    ]
