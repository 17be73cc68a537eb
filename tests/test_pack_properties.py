"""Property test: no pack file crashes the engine.

A pack `fuzz` is written to a temporary folder: a manifest and a rule file
made from the shipped cms-core rules, then broken in one of the ways a pack
author breaks them (a key dropped, a value of the wrong type, an unknown key,
a bad severity, category or kind, random values, text that is not TOML).
Building an engine over it either works, and the engine then checks claims
with it, or raises the project's own error naming the pack's file; no other
exception escapes.
"""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import tomli
import tomli_w
from hypothesis import event, given, settings
from hypothesis import strategies as st

from claimpolicy import Engine
from claimpolicy.errors import ClaimpolicyError
from claimpolicy.resources import builtin_policies, report_schema

REPO = Path(__file__).resolve().parent.parent
REPORTS = jsonschema.Draft202012Validator(report_schema())
COMMON = builtin_policies() / "cms-core" / "common"
SHIPPED_RULES = [
    rule
    for path in sorted(COMMON.glob("*.toml"))
    for rule in tomli.loads(path.read_text(encoding="utf-8")).get("rules", [])
]
MANIFEST = {
    "name": "fuzz",
    "version": "1.0.0",
    "title": "A pack drawn by the property test",
    "payers": ["fuzz"],
    "codesets": ["cpt/2026", "hcpcs/2025-10", "icd10cm/fy2025", "icd10cm/fy2026"],
    "rules": ["rules.toml"],
    "effective": {"from": date(2025, 1, 1), "to": date(2026, 12, 31)},
}
CLAIMS = [
    {**json.loads((REPO / "examples" / name).read_text()), "payer": "fuzz"}
    for name in ("infusion-visit-pass.json", "infusion-visit-fail.json")
]

toml_values = st.recursive(
    st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.dates(),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
#: What each break puts in place of a key's value; None drops the key.
BREAKS: dict[str, st.SearchStrategy[Any]] = {
    "drop a key": st.none(),
    "wrong type": st.sampled_from([1, 1.5, True, [], {}, ["x"], date(2026, 1, 1)]),
    "random value": toml_values,
    "bad severity": st.sampled_from(["critical", "Error", "", "warn"]),
    "bad category": st.sampled_from(["add-on", "Schema", "", "units "]),
    "unknown kind": st.sampled_from(["no-such-kind", "", "Coverage"]),
}
unknown_keys = st.sampled_from(["colour", "severities", "Kind", "id "]) | st.text(
    min_size=1, max_size=8
)


@st.composite
def broken_table(draw: st.DrawFn, table: dict[str, Any]) -> dict[str, Any]:
    """`table` with one key broken, or with an unknown key."""
    table = dict(table)
    how = draw(st.sampled_from(["unknown key", *BREAKS]))
    event(how)
    if how == "unknown key":
        table[draw(unknown_keys)] = draw(toml_values)
        return table
    key = {"bad severity": "severity", "bad category": "category"}.get(how, "kind")
    if how not in ("bad severity", "bad category", "unknown kind"):
        key = draw(st.sampled_from(sorted(table)))
    value = draw(BREAKS[how])
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value
    return table


@st.composite
def pack_files(draw: st.DrawFn) -> tuple[str, str]:
    """The text of `pack.toml` and `rules.toml`, one of them broken or none."""
    manifest = MANIFEST
    rules = draw(
        st.lists(
            st.sampled_from(SHIPPED_RULES),
            min_size=1,
            max_size=3,
            unique_by=lambda rule: rule["id"],
        )
    )
    broken = draw(st.sampled_from(["none", "manifest", "rule", "rule file"]))
    event(f"broken: {broken}")
    if broken == "manifest":
        manifest = draw(broken_table(MANIFEST))
    elif broken == "rule":
        index = draw(st.integers(0, len(rules) - 1))
        rules[index] = draw(broken_table(rules[index]))
    rule_file = tomli_w.dumps({"rules": rules})
    if broken == "rule file":
        rule_file = draw(
            st.sampled_from([rule_file[:-7], "[[rules]\n", "rules = 1\n"])
            | st.text(max_size=40)
            | toml_values.map(lambda value: tomli_w.dumps({"rules": [value]}))
        )
    return tomli_w.dumps(manifest), rule_file


# A pack that loads costs a fresh engine its code set tables (~0.1 s).
@settings(max_examples=max(10, settings.default.max_examples // 3))
@given(pack_files())
def test_no_pack_file_crashes_the_engine(files):
    manifest, rules = files
    with tempfile.TemporaryDirectory() as folder:
        pack = Path(folder) / "fuzz" / "1.0.0"
        pack.mkdir(parents=True)
        (pack / "pack.toml").write_text(manifest)
        (pack / "rules.toml").write_text(rules)
        try:
            engine = Engine(pack_paths=[folder])
        except ClaimpolicyError as error:
            # Every problem names the file it is in, one problem a line.
            problems = str(error).splitlines()
            assert problems
            for problem in problems:
                assert problem.startswith(str(pack / "pack.toml")) or (
                    problem.startswith(str(pack / "rules.toml"))
                ), problem
            event("the pack is refused")
            return

        assert engine.registry.get("fuzz") is not None
        for claim in CLAIMS:
            report = engine.check(claim).to_dict()
            REPORTS.validate(report)
            assert report["outcome"] in ("pass", "warn", "fail")
            applied = "fuzz" in [stamp["name"] for stamp in report["packs"]]
            # Broken payers or dates may leave the pack out of force.
            event("the pack loads and applies" if applied else "the pack loads")
