"""ndc: drug lines carry an NDC, and not a placeholder one."""

from __future__ import annotations

from typing import Any

import pytest
from code_tables import tables
from factory import claim, findings, line, params_problems, rule, run

from claimpolicy.kinds.ndc import Ndc

KIND = Ndc()
MISSING = rule(KIND, {"problem": "missing"}, id="MISSING", severity="warning")
MALFORMED = rule(KIND, {"problem": "malformed"}, id="MALFORMED")
BOTH = [MISSING, MALFORMED]


def ndc(code: str) -> dict[str, Any]:
    return {"code": code, "quantity": 4, "unit": "UN"}


def test_a_drug_line_without_ndc_fires_missing() -> None:
    [emitted] = run(KIND, BOTH, claim(line("99214"), line("J1745", units=38)), tables())
    assert (emitted.rule, emitted.line, emitted.at) == ("MISSING", 2, "/ndc")
    assert emitted.message == (
        "J1745 is a drug code and the line has no NDC: give the 11-digit NDC of "
        "the product, its quantity and unit"
    )


def test_a_drug_line_with_an_ndc_passes() -> None:
    document = claim(line("J1745", units=38, ndc=ndc("57894003001")))
    assert run(KIND, BOTH, document, tables()) == []


def test_listed_codes_count_as_drug_lines_too() -> None:
    unlisted = rule(
        KIND, {"problem": "missing", "codes": ["J3590"], "drug_table": False}
    )
    assert [e.line for e in run(KIND, [unlisted], claim(line("J3590")), tables())] == [
        1
    ]
    assert run(KIND, [unlisted], claim(line("J1745")), tables()) == []


@pytest.mark.parametrize(
    ("code", "zero"),
    [
        ("00000003001", "labeler"),
        ("57894000001", "product"),
        ("00000000001", "labeler and product"),
    ],
)
def test_an_all_zero_segment_is_malformed(code: str, zero: str) -> None:
    document = claim(line("J1745", units=38, ndc=ndc(code)))
    [emitted] = run(KIND, BOTH, document, tables())
    assert (emitted.rule, emitted.at) == ("MALFORMED", "/ndc/code")
    assert emitted.message == (
        f"NDC {code[:5]}-{code[5:9]}-{code[9:]} has a {zero} segment of all "
        "zeros, a placeholder rather than the product's code"
    )


def test_a_zero_package_segment_is_allowed() -> None:
    # 5-4-1 NDCs padded to 5-4-2 can end in 00 (60575-4112-0 -> 60575411200).
    document = claim(line("J1745", units=38, ndc=ndc("60575411200")))
    assert run(KIND, BOTH, document, tables()) == []


def test_problem_is_required() -> None:
    assert params_problems(KIND, {}) == ["test.toml: rules[0].problem: is required"]


def test_the_pack_warns_on_a_missing_ndc() -> None:
    found = findings(claim(line("J9312", units=100, modifiers=["JZ"])))
    assert ("cms-core/NDC-MISSING", 1) in found
    with_ndc = claim(line("J9312", units=100, modifiers=["JZ"], ndc=ndc("50242005306")))
    assert ("cms-core/NDC-MISSING", 1) not in findings(with_ndc)
