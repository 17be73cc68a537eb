"""The plugin's reader (.envelope.json) and report format (csv) on the command line."""

from __future__ import annotations

import csv
import io
import json

from claimpolicy_example_payer.csv_format import COLUMNS
from conftest import run


def test_envelope_file_gives_one_report_per_element_in_order(tmp_path, claim):
    other = json.loads(json.dumps(claim))
    other["claim_id"] = "EXH-2026-0102"
    path = tmp_path / "batch-0001.envelope.json"
    path.write_text(
        json.dumps({"batch_id": "B-1", "claims": [claim, "not a claim", other]})
    )

    result = run("check", str(path), "--format", "ndjson")

    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["claim_id"], r["outcome"]) for r in reports] == [
        ("EXH-2026-0101", "warn"),
        (None, "invalid"),
        ("EXH-2026-0102", "warn"),
    ]
    assert result.returncode == 1  # the invalid element


def test_envelope_without_claims_array_stops_with_exit_2(tmp_path):
    path = tmp_path / "bad.envelope.json"
    path.write_text(json.dumps({"batch_id": "B-1", "claim": []}))

    result = run("check", str(path))

    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"claimpolicy: error: {path}: claims: expected an array of claim documents"
    )


def test_csv_has_a_header_and_a_row_per_finding_or_per_clean_claim(tmp_path, claim):
    clean = json.loads(json.dumps(claim))
    clean["claim_id"] = "EXH-2026-0103"
    clean["lines"][1]["code"] = "Q5121"  # Avsola, NDC 55513-670-01 (DailyMed)
    clean["lines"][1]["ndc"]["code"] = "55513067001"
    clean["provider"]["npi"] = "1234567893"
    claim["provider"]["npi"] = "1234567893"  # gold card: the warning is waived
    path = tmp_path / "claims.ndjson"
    path.write_text(json.dumps(claim) + "\n" + json.dumps(clean) + "\n")

    result = run("check", str(path), "--format", "csv")

    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(COLUMNS)
    assert [row[:6] for row in rows[1:]] == [
        [
            "EXH-2026-0101",
            "pass",
            "2",
            "warning",
            "custom",
            "example-health/INFLIXIMAB-PREFERRED",
        ],
        ["EXH-2026-0103", "pass", "", "", "", ""],
    ]
    assert rows[1][9:] == [
        "example-payer",
        "NPI 1234567893 is exempt from prior authorization for infliximab from "
        "2026-01-01 to 2026-06-30 (Example Health gold card)",
    ]
    assert result.returncode == 0
