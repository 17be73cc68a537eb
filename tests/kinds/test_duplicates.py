"""duplicate-lines: the same service billed twice."""

from __future__ import annotations

import pytest
from factory import claim, findings, line, rule, run

from claimpolicy.kinds.duplicates import DuplicateLines

KIND = DuplicateLines()
RULE = rule(KIND, {})


def test_the_same_code_date_and_modifiers_fire_on_the_later_line() -> None:
    document = claim(
        line("96372", modifiers=["59", "JZ"]),
        line("99214"),
        line("96372", modifiers=["JZ", "59"]),  # modifiers compared as sets
    )
    [emitted] = run(KIND, [RULE], document)
    assert (emitted.line, emitted.at) == (3, "/code")
    assert emitted.message == (
        "line 3 repeats line 1: 96372 on 2026-03-10 with the same modifiers; put "
        "the units on one line, or add a repeat modifier if the service was done "
        "again"
    )


@pytest.mark.parametrize(
    "second",
    [
        line("96372", modifiers=["76"]),  # repeat procedure
        line("96372", modifiers=["59"]),  # other modifiers
        line("96372", day="2026-03-11"),  # other date
        line("96373"),  # other code
    ],
)
def test_distinct_services_pass(second: dict[str, object]) -> None:
    assert run(KIND, [RULE], claim(line("96372"), second)) == []


def test_two_products_of_one_drug_code_are_not_duplicates() -> None:
    vial_a = {"code": "57894003001", "quantity": 3, "unit": "UN"}
    vial_b = {"code": "00069080901", "quantity": 1, "unit": "UN"}
    document = claim(
        line("J1745", units=30, ndc=vial_a), line("J1745", units=8, ndc=vial_b)
    )
    assert run(KIND, [RULE], document) == []


def test_the_repeat_modifiers_are_a_parameter() -> None:
    only_91 = rule(KIND, {"repeat_modifiers": ["91"]})
    document = claim(line("96372", modifiers=["76"]), line("96372", modifiers=["76"]))
    assert [e.line for e in run(KIND, [only_91], document)] == [2]


def test_the_pack_reports_a_duplicate_line() -> None:
    document = claim(line("99214", modifiers=["25"]), line("99214", modifiers=["25"]))
    assert ("cms-core/DUPLICATE-LINE", 2) in findings(document)
    assert ("cms-core/DUPLICATE-LINE", 1) not in findings(document)
