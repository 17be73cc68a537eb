"""Check that every code a coverage rule lists exists in the code sets.

A build-time tool, not part of the engine: it imports the PyPI package
simple-icd-10-cm, whose version fixes the ICD-10-CM release checked (1.4.0
holds FY2025, 1.5.0 holds FY2026). Run it once with each, from a throwaway
virtual environment VENV outside the repository::

    python -m venv VENV && VENV/bin/pip install simple-icd-10-cm==1.5.0
    VENV/bin/python tools/check_coverage_codes.py [RULE_FILE ...]

For each coverage rule it checks the rule's keys, that each HCPCS code is in
policies/codesets/hcpcs/2025-10/codes.tsv, and that each diagnosis entry (a
code, a code followed by ".-", or a range "A-B") names ICD-10-CM codes or
categories that exist. It prints one line per problem and exits 1 if any.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import simple_icd_10_cm as icd

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FILES = [REPO / "policies" / "cms-core" / "common" / "coverage.toml"]
HCPCS_CODES = REPO / "policies" / "codesets" / "hcpcs" / "2025-10" / "codes.tsv"

REQUIRED = {
    "id",
    "kind",
    "category",
    "severity",
    "title",
    "reference",
    "codes",
    "diagnoses",
}
ALLOWED = REQUIRED | {"note"}
_ID = re.compile(r"[A-Z0-9]+(-[A-Z0-9]+)*")
_ICD = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")


def main(argv: list[str]) -> int:
    files = [Path(arg) for arg in argv] or DEFAULT_FILES
    hcpcs = _hcpcs_codes()
    problems = []
    rules = 0
    for path in files:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        for rule in document.get("rules", []):
            if rule.get("kind") == "coverage":
                rules += 1
                problems += [f"{path}: {p}" for p in rule_problems(rule, hcpcs)]
    for problem in problems:
        print(problem)
    release = f"simple-icd-10-cm {version('simple-icd-10-cm')}"
    print(f"{rules} coverage rules checked against {release}: {len(problems)} problems")
    return 1 if problems else 0


def rule_problems(rule: dict[str, object], hcpcs: set[str]) -> list[str]:
    where = f"rule {rule.get('id', '?')}"
    problems = [
        f"{where}: unknown key {key!r}" for key in sorted(rule.keys() - ALLOWED)
    ]
    problems += [
        f"{where}: missing key {key!r}" for key in sorted(REQUIRED - rule.keys())
    ]
    if not _ID.fullmatch(str(rule.get("id", ""))):
        problems.append(f"{where}: id must be upper case letters, digits and dashes")
    codes = rule.get("codes", [])
    diagnoses = rule.get("diagnoses", [])
    if not isinstance(codes, list) or not isinstance(diagnoses, list):
        return [*problems, f"{where}: codes and diagnoses must be lists"]

    for code in codes:
        if code not in hcpcs:
            problems.append(
                f"{where}: HCPCS code {code!r} is not in {HCPCS_CODES.name}"
            )
    if len(set(diagnoses)) != len(diagnoses):
        problems.append(f"{where}: a diagnosis entry appears twice")
    for entry in diagnoses:
        problems += [
            f"{where}: diagnosis {entry!r}: {p}" for p in entry_problems(entry)
        ]
    return problems


def entry_problems(entry: object) -> list[str]:
    """What is wrong with one diagnosis entry, for the ICD-10-CM release."""
    if not isinstance(entry, str):
        return ["not a string"]
    text = entry.removesuffix(".-")
    first, _, last = text.partition("-")
    ends = [first, last] if last else [first]
    problems = []
    for code in ends:
        if not _ICD.fullmatch(code):
            problems.append(f"{code!r} is not written as an ICD-10-CM code")
        elif not icd.is_valid_item(code):
            problems.append(f"{code} is not in this ICD-10-CM release")
    if last and not problems and first >= last:
        problems.append("the range ends before it starts")
    return problems


def _hcpcs_codes() -> set[str]:
    lines = HCPCS_CODES.read_text(encoding="ascii").splitlines()[1:]
    return {line.split("\t", 1)[0] for line in lines}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
