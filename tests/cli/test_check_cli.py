"""`claimpolicy check` as a user runs it: formats, exit codes, bad input."""

from __future__ import annotations

import copy
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from claimpolicy.cli import main
from claimpolicy.packs import builtin
from claimpolicy.resources import report_schema

REPORTS = jsonschema.Draft202012Validator(report_schema())


def run(*argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """The real command in a child process, as a shell would start it."""
    return subprocess.run(
        [sys.executable, "-m", "claimpolicy", *argv],
        input=stdin,
        capture_output=True,
        check=False,
    )


def write_claims(path: Path, claims: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(claim) for claim in claims) + "\n")
    return path


def test_version():
    result = run("--version")

    assert result.returncode == 0
    assert result.stdout.decode().startswith("claimpolicy ")


def test_passing_file_exits_0_with_one_ndjson_report(tmp_path, passing_claim):
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(passing_claim))

    result = run("check", str(path))

    assert result.returncode == 0
    (line,) = result.stdout.decode().splitlines()
    report = json.loads(line)
    REPORTS.validate(report)
    assert report["outcome"] == "pass"


def test_a_failing_claim_exits_1(tmp_path, passing_claim):
    del passing_claim["lines"][0]["modifiers"]
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(passing_claim))

    assert run("check", str(path)).returncode == 1


def test_json_array_in_json_format(tmp_path, passing_claim, capsys):
    second = copy.deepcopy(passing_claim)
    second["claim_id"] = "EX-2"
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([passing_claim, second]))

    code = main(["check", "--format", "json", str(path)])

    reports = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["claim_id"] for r in reports] == ["EX-2026-0001", "EX-2"]
    for report in reports:
        REPORTS.validate(report)


def test_text_format_names_line_severity_category_rule_and_message(
    tmp_path, passing_claim, capsys
):
    del passing_claim["lines"][0]["modifiers"]
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(passing_claim))

    main(["check", "--format", "text", str(path)])

    text = capsys.readouterr().out
    assert "EX-2026-0001: FAIL" in text
    assert "line 1" in text
    assert "error" in text
    assert "modifier" in text
    assert "cms-core/EM-MOD25-DRUG-ADMIN" in text
    assert "/lines/0/modifiers: 99214 is billed on 2026-03-10 with 96413" in text


def test_stdin_ndjson(passing_claim):
    lines = (json.dumps(passing_claim) + "\n").encode() * 3

    result = run("check", "-", stdin=lines)

    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 3


def test_ten_thousand_lines_with_broken_ones_give_ten_thousand_reports_in_order(
    tmp_path, passing_claim
):
    lines = []
    for number in range(10_000):
        if number % 97 == 0:
            lines.append("{not json")
        elif number % 89 == 0:
            lines.append("")
        else:
            claim = copy.deepcopy(passing_claim)
            claim["claim_id"] = f"C{number}"
            if number % 83 == 0:
                claim["lines"][0]["units"] = 0  # schema-invalid
            lines.append(json.dumps(claim))
    path = tmp_path / "batch.ndjson"
    path.write_text("\n".join(lines) + "\n")

    result = run("check", "--jobs", "1", str(path))

    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == 10_000
    for number, report in enumerate(reports):
        if number % 97 == 0 or number % 89 == 0:
            assert report["claim_id"] is None
            assert report["outcome"] == "invalid"
        else:
            assert report["claim_id"] == f"C{number}"
            expected = "invalid" if number % 83 == 0 else "pass"
            assert report["outcome"] == expected
    assert result.returncode == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        (b"", "the file is empty"),
        (b"{not json", "not valid JSON"),
    ],
    ids=["missing", "empty", "not-json"],
)
def test_bad_input_file_is_one_line_exit_2_without_traceback(
    tmp_path, content, message
):
    path = tmp_path / "claims.json"
    if content is not None:
        path.write_bytes(content)

    result = run("check", str(path))

    stderr = result.stderr.decode()
    assert result.returncode == 2
    assert result.stdout == b""
    assert stderr.count("\n") == 1
    assert stderr.startswith(f"claimpolicy: error: {path}: {message}")
    assert "Traceback" not in stderr


def test_unknown_format_is_exit_2(tmp_path, passing_claim):
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(passing_claim))

    result = run("check", "--format", "yaml", str(path))

    assert result.returncode == 2
    assert "'yaml' is not a report format (known: json, ndjson, text)" in (
        result.stderr.decode()
    )


def test_bad_arguments_exit_2():
    assert run("check").returncode == 2


def test_errors_never_print_patient_data(tmp_path, passing_claim):
    passing_claim["patient"]["birth_date"] = "1968-02-30"
    passing_claim["patient"]["id"] = "SECRET-PATIENT-42"
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(passing_claim))

    result = run("check", "--format", "text", str(path))

    assert b"1968-02-30" not in result.stdout + result.stderr
    assert b"SECRET-PATIENT-42" not in result.stdout + result.stderr


def test_huge_claims_are_refused_by_the_schema_not_a_crash(engine, passing_claim):
    passing_claim["lines"] = passing_claim["lines"] * 2_500
    passing_claim["provider"]["specialty"] = "x" * 50_000_000

    report = engine.check(passing_claim)

    assert report.outcome == "invalid"
    paths = {finding.path for finding in report.findings}
    assert {"/lines", "/provider/specialty"} <= paths
    for finding in report.findings:
        assert len(finding.message) < 300


def test_json_output_of_an_empty_stream_is_an_empty_array(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))

    assert main(["check", "--format", "json", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_missing_second_file_stops_the_run_before_any_report(tmp_path, passing_claim):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(passing_claim))
    missing = tmp_path / "missing.json"

    result = run("check", str(good), str(missing))

    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode() == f"claimpolicy: error: {missing}: file not found\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 000")
def test_an_unreadable_second_file_stops_the_run_before_any_report(
    tmp_path, passing_claim
):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(passing_claim))
    locked = tmp_path / "locked.json"
    locked.write_text(json.dumps(passing_claim))
    locked.chmod(0)

    result = run("check", str(good), str(locked))

    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode() == (
        f"claimpolicy: error: {locked}: cannot be read: Permission denied\n"
    )


@pytest.mark.parametrize("suffix", [".json", ".ndjson"])
def test_a_leading_byte_order_mark_is_skipped(tmp_path, passing_claim, suffix):
    path = tmp_path / f"claims{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(passing_claim).encode() + b"\n")

    result = run("check", str(path))

    (report,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert report["outcome"] == "pass"
    assert result.returncode == 0


def test_broken_ndjson_lines_say_which_line_of_which_file(tmp_path, passing_claim):
    path = write_claims(tmp_path / "batch.ndjson", [passing_claim] * 6)
    lines = path.read_text().splitlines()
    lines[2] = ""
    lines[6 - 1] = '{"claim_id": '
    path.write_text("\n".join(lines) + "\n")

    result = run("check", str(path))

    reports = [json.loads(line) for line in result.stdout.splitlines()]
    messages = [[f["message"] for f in r["findings"]] for r in reports]
    assert messages == [
        [],
        [],
        [f"line 3 of {path}: blank line: expected a claim document"],
        [],
        [],
        [f"line 6 of {path}: not valid JSON: unexpected end of data at column 14"],
    ]
    for report in reports:
        REPORTS.validate(report)


def test_broken_lines_on_standard_input_name_it(passing_claim):
    lines = json.dumps(passing_claim).encode() + b"\n{not json\n"

    result = run("check", "-", stdin=lines)

    second = json.loads(result.stdout.splitlines()[1])
    assert [f["message"] for f in second["findings"]] == [
        "line 2 of standard input: not valid JSON: unexpected character, "
        "expected a string key at column 2"
    ]


def test_text_shows_the_whole_document_pointer_as_document(tmp_path, capsys):
    path = tmp_path / "claim.json"
    path.write_text("{}")

    main(["check", "--format", "text", str(path)])

    text = capsys.readouterr().out
    assert "           (document): 'claim_id' is a required property\n" in text
    assert "/:" not in text


@pytest.mark.parametrize(
    ("claim_id", "shown"),
    [
        ("EX-1\nEX-2: PASS", "EX-1\\nEX-2: PASS: FAIL"),
        ("EX-1\u2028EX-2: PASS", "EX-1\\u2028EX-2: PASS: FAIL"),
        ("EX-1\r\x1b[2K\x85", "EX-1\\r\\x1b[2K\\x85: FAIL"),
    ],
    ids=["newline", "line-separator", "controls"],
)
def test_text_escapes_what_could_fake_a_report_line(
    tmp_path, passing_claim, capsys, claim_id, shown
):
    del passing_claim["lines"][0]["modifiers"]
    passing_claim["claim_id"] = claim_id
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(passing_claim))

    main(["check", "--format", "text", str(path)])

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == shown
    assert all(line.startswith(" ") for line in lines[1:])


def test_ndjson_escapes_the_unicode_line_separators(tmp_path, passing_claim):
    passing_claim["claim_id"] = "EX\u2028-\u2029-\u2013"
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(passing_claim))

    result = run("check", "--format", "ndjson", str(path))

    assert b'"claim_id":"EX\\u2028-\\u2029-\xe2\x80\x93"' in result.stdout
    (line,) = result.stdout.decode().splitlines()
    assert json.loads(line)["claim_id"] == "EX\u2028-\u2029-\u2013"


def test_a_changed_code_set_stops_check_before_any_report(
    tmp_path, passing_claim, monkeypatch, capsys
):
    # Code sets are read when the run starts, not on the first claim that
    # needs one: FY2025 is not in force on this claim's date, and still its
    # changed file stops the run before a report is written.
    folder = tmp_path / "policies"
    shutil.copytree(builtin.builtin_policies(), folder)
    monkeypatch.setattr(builtin, "builtin_policies", lambda: folder)
    codes = folder / "codesets" / "icd10cm" / "fy2025" / "codes.tsv.gz"
    codes.write_bytes(codes.read_bytes() + b"\0")
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(passing_claim))

    assert main(["check", "--format", "ndjson", str(path)]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "codes.tsv.gz" in captured.err
    assert "sha256" in captured.err
