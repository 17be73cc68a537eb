"""Property tests: no claim document and no pack file crashes the engine."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from claimpolicy import Engine
from claimpolicy.errors import PackError
from claimpolicy.kinds.modifiers import RequiredModifier
from claimpolicy.kinds.pointers import DiagnosisPointers
from claimpolicy.packs.pack import load_pack
from claimpolicy.resources import report_schema

REPO = Path(__file__).resolve().parent.parent
BASE_CLAIM = json.loads((REPO / "examples" / "infusion-visit-pass.json").read_text())
REPORTS = jsonschema.Draft202012Validator(report_schema())
ENGINE = Engine()

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
claim_values = (
    st.sampled_from(
        [
            "2026-02-30",
            "2026-03-10",
            "25:00",
            "09:30",
            "M05.79",
            "G35",
            "99214",
            "J1745",
            "25",
            "JZ",
            "1234567893",
            "1234567890",
            "11",
            "",
            "x" * 70,
            -1,
            0,
            1,
            13,
            1.5,
        ]
    )
    | json_values
)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_claims(draw: st.DrawFn) -> Any:
    """The passing example with a few values replaced, removed or added."""
    claim = copy.deepcopy(BASE_CLAIM)
    for _ in range(draw(st.integers(0, 4))):
        paths = [p for p in _paths(claim) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = claim
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "remove":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(claim_values)
        else:
            parent[path[-1]] = draw(claim_values)
    return claim


@given(mutated_claims() | json_values)
def test_every_document_gets_one_report_by_the_contract(document):
    report = ENGINE.check(document)

    REPORTS.validate(report.to_dict())
    if report.outcome == "invalid":
        assert all(f.category == "schema" for f in report.findings)


@given(st.binary(max_size=200))
def test_every_ndjson_line_gets_one_report(line):
    report = ENGINE.check_json(line)

    REPORTS.validate(report.to_dict())


KINDS = {kind.name: kind for kind in (RequiredModifier(), DiagnosisPointers())}
toml_scalars = st.booleans() | st.integers(-5, 5) | st.text(max_size=12) | st.dates()
toml_values = st.recursive(
    toml_scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
rule_keys = st.sampled_from(
    [
        "id",
        "kind",
        "category",
        "severity",
        "title",
        "reference",
        "codes",
        "with_codes",
        "modifiers",
        "problem",
        "note",
    ]
) | st.text(min_size=1, max_size=8)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "name",
                "version",
                "title",
                "effective",
                "payers",
                "extends",
                "rules",
                "codesets",
            ]
        )
        | st.text(min_size=1, max_size=6),
        toml_values,
        max_size=6,
    ),
    st.lists(st.dictionaries(rule_keys, toml_values, max_size=8), max_size=3),
)
def test_no_pack_file_crashes_the_loader(manifest, rules):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "pack.toml").write_text(tomli_w.dumps(manifest))
        (root / "rules.toml").write_text(tomli_w.dumps({"rules": rules}))
        problems = []
        try:
            load_pack(root, KINDS, "test")
        except PackError as error:
            problems = error.problems
        assert all(str(problem) for problem in problems)
