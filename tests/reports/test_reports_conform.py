"""Every report keeps the report schema, whoever shaped it.

Plugins add findings, waive them and change their severity; faulty plugins
get engine findings; a lock file narrows the packs; worker processes write
NDJSON. Each report these write is validated against the report schema, and
its outcome checked against its findings.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from claimpolicy import Engine, Lock, PluginHost
from claimpolicy.batch import PARALLEL_AFTER
from claimpolicy.packs.lock import write_lock
from reportcontract import assert_conforms

TESTS = Path(__file__).resolve().parents[1]
MODULES = (TESTS / "reports" / "modules", TESTS / "plugins" / "modules")
for folder in MODULES:
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import cpt_faults  # noqa: E402  (importable once MODULES is on the path)

PAYER_PACKS = TESTS / "packs" / "payer"
EXAMPLES = TESTS.parent / "examples"
PASSING = json.loads((EXAMPLES / "infusion-visit-pass.json").read_text())
FAILING = json.loads((EXAMPLES / "infusion-visit-fail.json").read_text())


def _variant(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    claim = copy.deepcopy(base)
    for key, value in changes.items():
        if key == "no_modifier_25":
            del claim["lines"][0]["modifiers"]
        elif key == "repeat_pointer":
            claim["lines"][1]["diagnosis_pointers"] = [1, 1]
        elif key == "day":
            for line in claim["lines"]:
                line["service_date"] = value
        else:
            claim[key] = value
    return claim


#: Claims that reach every part of a report: payer packs, custom findings,
#: waivers, softened severities, no pack in force, a schema problem.
CLAIMS = {
    "medicare passes": PASSING,
    "medicare fails": FAILING,
    "medicare warns": _variant(PASSING, repeat_pointer=True),
    "cpt-payer, waived and softened": _variant(
        PASSING, payer="cpt-payer", no_modifier_25=True, repeat_pointer=True
    ),
    "CPT PAYER, renamed by a plugin": _variant(FAILING, payer="CPT PAYER"),
    "acme-health overrides": _variant(
        PASSING, payer="acme-health", repeat_pointer=True, no_modifier_25=True
    ),
    "no pack in force": _variant(PASSING, day="2024-06-03"),
    "breaks the schema": _variant(PASSING, place_of_service="1"),
}

#: Plugin objects of tests/plugins/modules/cpt_faults.py, each breaking a
#: promise of its hook; the last one named must be caught. Waiving an engine
#: finding needs one to be there first.
FAULTS = [
    ("PrepareRaises",),
    ("PrepareBreaksSchema",),
    ("CheckReturnsText",),
    ("HitOfUnregisteredEdit",),
    ("AdjustRemoves",),
    ("CheckReturnsText", "AdjustWaivesEngineFinding"),
    ("AdjustBadSeverity",),
    ("AdjustEmptyReason",),
    ("AdjustRaisesHalfway",),
]


def engine_with(*modules: str, objects=(), lock: Lock | None = None) -> Engine:
    host = PluginHost(entry_points=False, modules=modules, objects=objects)
    return Engine(plugins=host, pack_paths=[PAYER_PACKS], lock=lock)


def check_all(engine: Engine) -> list[dict[str, Any]]:
    reports = [engine.check(copy.deepcopy(c)).to_dict() for c in CLAIMS.values()]
    for report in reports:
        assert_conforms(report)
    return reports


def test_reports_shaped_by_plugins_that_add_waive_and_soften_conform():
    engine = engine_with("cpt_sample", "conform_waive_adjust")

    reports = check_all(engine)

    findings = [f for report in reports for f in report["findings"]]
    waivers = Counter(f["waived"]["by"] for f in findings if "waived" in f)
    assert waivers == {"cpt_sample": 1, "conform_waive_adjust": 3}
    assert "cpt-payer/NO-CHARGE" in {f["rule"] for f in findings}
    assert "warning" not in {f["severity"] for f in findings}
    outcomes = dict(zip(CLAIMS, (r["outcome"] for r in reports), strict=True))
    assert outcomes == {
        "medicare passes": "pass",
        "medicare fails": "fail",
        "medicare warns": "pass",  # its warning softened to info
        "cpt-payer, waived and softened": "pass",
        "CPT PAYER, renamed by a plugin": "fail",
        "acme-health overrides": "fail",  # acme makes the repeat an error
        "no pack in force": "error",
        "breaks the schema": "invalid",
    }


@pytest.mark.parametrize("faults", FAULTS, ids="+".join)
def test_reports_of_faulty_plugins_conform(faults):
    objects = [(name, getattr(cpt_faults, name)()) for name in faults]
    engine = engine_with(objects=objects)

    reports = check_all(engine)

    caught = [
        f
        for report in reports
        for f in report["findings"]
        if f["category"] == "engine" and faults[-1] in f["message"]
    ]
    assert caught, f"{faults[-1]} was never caught"


def test_reports_under_a_lock_conform(tmp_path):
    lock_file = tmp_path / "claimpolicy.lock"
    lock_file.write_text(write_lock(engine_with().registry))
    engine = engine_with(lock=Lock.read(lock_file))

    reports = check_all(engine)

    pinned = {(p.name, p.digest) for p in engine.lock.packs}
    stamps = {(p["name"], p["digest"]) for r in reports for p in r["packs"]}
    assert {name for name, _ in stamps} == {"cms-core", "acme-health"}
    assert stamps <= pinned


def run(*argv: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, MODULES))}
    return subprocess.run(
        [sys.executable, "-m", "claimpolicy", *argv],
        capture_output=True,
        check=False,
        env=env,
    )


def test_reports_of_workers_with_plugins_and_a_lock_conform(tmp_path):
    plugins = ["--plugin", "cpt_sample", "--plugin", "conform_waive_adjust"]
    packs = ["--pack-path", str(PAYER_PACKS)]
    lock_file = tmp_path / "claimpolicy.lock"
    locked = run("lock", *packs, *plugins, "-o", str(lock_file))
    assert locked.returncode == 0, locked.stderr.decode()
    # Enough lines that workers take over after the first PARALLEL_AFTER.
    claims = list(CLAIMS.values())
    lines = []
    for index in range(PARALLEL_AFTER + 600):
        claim = {**claims[index % len(claims)], "claim_id": f"R-{index:05d}"}
        lines.append(b"{" if index % 101 == 7 else json.dumps(claim).encode())
    batch = tmp_path / "claims.ndjson"
    batch.write_bytes(b"".join(line + b"\n" for line in lines))

    result = run(
        "check",
        *("--jobs", "2", "--format", "ndjson", "--lock", str(lock_file)),
        *packs,
        *plugins,
        str(batch),
    )

    assert result.returncode == 1, result.stderr.decode()
    reports = [json.loads(text) for text in result.stdout.splitlines()]
    assert len(reports) == len(lines)
    shapes = set()
    for index, (line, report) in enumerate(zip(lines, reports, strict=True)):
        if line == b"{":
            assert report["claim_id"] is None
            assert_conforms(report)
            continue
        assert report["claim_id"] == f"R-{index:05d}"
        # The claims' reports differ in their id alone: validate each once.
        shapes.add(json.dumps({**report, "claim_id": "R"}, sort_keys=True))
    assert len(shapes) == len(CLAIMS)
    for shape in shapes:
        assert_conforms(json.loads(shape))
