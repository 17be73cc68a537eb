"""The Python API: one engine, many claims, reports by the contract."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import jsonschema
import pytest

from claimpolicy import Engine, Report
from claimpolicy.resources import report_schema

REPORT_VALIDATOR = jsonschema.Draft202012Validator(report_schema())


def assert_contract(report: Report) -> dict[str, Any]:
    document = report.to_dict()
    REPORT_VALIDATOR.validate(document)
    return document


def test_passing_claim_passes_with_the_2026_pack(engine: Engine, passing_claim):
    document = assert_contract(engine.check(passing_claim))

    assert document["outcome"] == "pass"
    assert document["claim_id"] == "EX-2026-0001"
    assert [p["name"] + "@" + p["version"] for p in document["packs"]] == [
        "cms-core@2026.1"
    ]
    assert document["packs"][0]["digest"].startswith("sha256:")


def test_a_2025_claim_is_judged_by_the_2025_version(engine: Engine, passing_claim):
    for line in passing_claim["lines"]:
        line["service_date"] = "2025-06-10"
    passing_claim["encounter"]["last_visit_date"] = "2025-01-02"

    report = engine.check(passing_claim)

    assert [(p.name, p.version) for p in report.packs] == [("cms-core", "2025.1")]


def test_the_earliest_service_date_picks_the_version(engine: Engine, passing_claim):
    passing_claim["lines"][1]["service_date"] = "2025-12-31"

    report = engine.check(passing_claim)

    assert [p.version for p in report.packs] == ["2025.1"]


def test_no_pack_in_force_is_an_error_naming_date_and_pack(engine, passing_claim):
    for line in passing_claim["lines"]:
        line["service_date"] = "2023-05-01"

    document = assert_contract(engine.check(passing_claim))

    assert document["outcome"] == "error"
    (finding,) = document["findings"]
    assert finding["category"] == "engine"
    assert finding["rule"] == "claimpolicy/NO-PACK-IN-FORCE"
    assert finding["path"] == "/lines/0/service_date"
    assert finding["message"].startswith(
        "no version of pack cms-core is in force on 2023-05-01"
    )


def test_a_date_past_the_last_icd10cm_version_is_an_error(engine, passing_claim):
    # cms-core 2026.1 runs to 2026-12-31, ICD-10-CM FY2026 to 2026-09-30.
    for line in passing_claim["lines"]:
        line["service_date"] = "2026-10-05"

    document = assert_contract(engine.check(passing_claim))

    assert document["outcome"] == "error"
    assert document["packs"] == []
    (finding,) = document["findings"]
    assert (finding["rule"], finding["category"], finding["severity"]) == (
        "claimpolicy/NO-CODESET-IN-FORCE",
        "engine",
        "error",
    )
    assert (finding["line"], finding["path"]) == (1, "/lines/0/service_date")
    assert finding["message"] == (
        "cms-core 2026.1 uses ICD-10-CM, which has no version in force on "
        "2026-10-05; the shipped versions end 2026-09-30"
    )


def test_the_last_day_of_the_icd10cm_version_is_checked(engine, passing_claim):
    for line in passing_claim["lines"]:
        line["service_date"] = "2026-09-30"

    document = assert_contract(engine.check(passing_claim))

    assert (document["outcome"], document["findings"]) == ("pass", [])
    assert [p["version"] for p in document["packs"]] == ["2026.1"]


def test_the_code_set_error_is_found_once_per_payer_and_day(engine, passing_claim):
    for line in passing_claim["lines"]:
        line["service_date"] = "2026-11-20"
    engine.check(passing_claim)

    first = engine.ruleset_for("medicare", date(2026, 11, 20))

    assert engine.ruleset_for("medicare", date(2026, 11, 20)) is first


def test_modifier_25_missing_fails(engine: Engine, passing_claim):
    del passing_claim["lines"][0]["modifiers"]

    document = assert_contract(engine.check(passing_claim))

    assert document["outcome"] == "fail"
    rules = [(f["rule"], f["line"], f["path"]) for f in document["findings"]]
    assert ("cms-core/EM-MOD25-DRUG-ADMIN", 1, "/lines/0/modifiers") in rules


def test_pointer_past_the_diagnoses_fails_and_equal_count_passes(
    engine: Engine, passing_claim
):
    passing_claim["lines"][1]["diagnosis_pointers"] = [2]
    assert "cms-core/DX-POINTER-PAST-END" not in _rules(engine.check(passing_claim))

    passing_claim["lines"][1]["diagnosis_pointers"] = [3]
    report = engine.check(passing_claim)

    assert "cms-core/DX-POINTER-PAST-END" in _rules(report)
    assert report.outcome == "fail"


def test_schema_problems_make_an_invalid_report_and_no_rule_runs(
    engine: Engine, passing_claim
):
    passing_claim["lines"][1]["units"] = -1
    del passing_claim["lines"][0]["modifiers"]  # would fire if rules ran

    document = assert_contract(engine.check(passing_claim))

    assert document["outcome"] == "invalid"
    assert document["packs"] == []
    assert [(f["category"], f["path"], f["line"]) for f in document["findings"]] == [
        ("schema", "/lines/1/units", 2)
    ]


def test_check_json_reports_blank_and_broken_text(engine: Engine):
    blank = assert_contract(engine.check_json(b"   "))
    broken = assert_contract(engine.check_json(b'{"claim_id": '))

    assert blank["outcome"] == broken["outcome"] == "invalid"
    assert blank["claim_id"] is None
    assert blank["findings"][0]["message"] == "blank line: expected a claim document"
    assert broken["findings"][0]["message"].startswith("not valid JSON: ")


def test_a_claim_that_is_not_an_object_is_invalid(engine: Engine):
    document = assert_contract(engine.check([1, 2, 3]))

    assert document["outcome"] == "invalid"
    assert document["findings"][0]["path"] == ""


def test_check_many_is_lazy_and_keeps_order(engine: Engine, passing_claim):
    def claims():
        for number in range(3):
            claim = copy.deepcopy(passing_claim)
            claim["claim_id"] = f"C{number}"
            yield claim

    reports = engine.check_many(claims())

    assert next(reports).claim_id == "C0"
    assert [r.claim_id for r in reports] == ["C1", "C2"]


def test_findings_are_sorted_by_line_then_rule(engine: Engine, passing_claim):
    del passing_claim["lines"][0]["modifiers"]
    passing_claim["lines"][1]["diagnosis_pointers"] = [3, 3]

    report = engine.check(passing_claim)

    keys = [(f.line or 0, f.rule) for f in report.findings]
    assert keys == sorted(keys)


def test_evidence_only_with_explain(passing_claim):
    del passing_claim["lines"][0]["modifiers"]
    plain = Engine().check(passing_claim).to_dict()
    explained = Engine(explain=True).check(passing_claim)

    assert "evidence" not in plain["findings"][0]
    finding = next(
        f for f in explained.findings if f.rule == "cms-core/EM-MOD25-DRUG-ADMIN"
    )
    assert finding.evidence == {
        "code": "99214",
        "modifiers": [],
        "with_code": "96413",
        "with_line": 2,
        "service_date": "2026-03-10",
    }
    assert_contract(explained)


def test_evidence_keeps_numbers_as_the_claim_wrote_them(passing_claim):
    # The compiled build must not turn the JSON integer 38 into 38.0.
    drug = passing_claim["lines"][3]
    drug["units"] = 38
    report = Engine(explain=True).check(passing_claim)

    finding = next(f for f in report.findings if f.rule == "cms-core/DRUG-UNITS")
    assert finding.evidence is not None
    billed, dose = finding.evidence["billed_units"], finding.evidence["dose"]
    assert (billed, type(billed), dose, type(dose)) == (38, int, 400, int)
    drug["units"] = 38.5
    report = Engine(explain=True).check(passing_claim)
    finding = next(f for f in report.findings if f.rule == "cms-core/DRUG-UNITS")
    assert finding.evidence is not None
    assert finding.evidence["billed_units"] == 38.5
    assert finding.message.startswith("J1745 is billed for 38.5 units")


def _rules(report: Report) -> set[str]:
    return {finding.rule for finding in report.findings}


@pytest.mark.parametrize("claim_id", [None, "", "x" * 65, 12])
def test_a_claim_id_the_schema_refuses_is_reported_as_null(engine, claim_id):
    document = assert_contract(engine.check({"claim_id": claim_id}))

    assert document["claim_id"] is None
    assert document["outcome"] == "invalid"
