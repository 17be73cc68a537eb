"""`claimpolicy diff`: rules, overrides, manifest and code set changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimpolicy.authoring.diff import FieldChange, codeset_of, diff_packs
from claimpolicy.cli import main
from claimpolicy.engine import Engine
from claimpolicy.packs.pack import PackVersion

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
GOOD = HERE / "packs/good"
G35_ADDED = [
    "G35.A",
    "G35.B",
    "G35.B0",
    "G35.B1",
    "G35.B2",
    "G35.C",
    "G35.C0",
    "G35.C1",
    "G35.C2",
    "G35.D",
]
G35_HEADERS = ["G35.B", "G35.C"]


@pytest.fixture(scope="module")
def demo_engine() -> Engine:
    return Engine(pack_paths=[GOOD])


def version(engine: Engine, name: str, number: str) -> PackVersion:
    pack = engine.registry.get(name, number)
    assert pack is not None
    return pack


def test_rules_added_removed_and_changed_parameter_by_parameter(
    demo_engine: Engine,
) -> None:
    old = version(demo_engine, "demo", "1.0.0")
    new = version(demo_engine, "demo", "2.0.0")

    diff = diff_packs(old, new, demo_engine.registry.codesets)

    assert [rule.id for rule in diff.added] == ["DEMO-JZ"]
    assert [rule.id for rule in diff.removed] == ["DEMO-POINTER"]
    assert diff.changed == {
        "DEMO-MOD25": [
            FieldChange("severity", "error", "warning"),
            FieldChange(
                "title",
                "An office E/M billed with an infusion needs modifier 25",
                "An office E/M billed with an infusion or injection needs modifier 25",
            ),
            FieldChange(
                "params.codes", ["99212-99215"], ["99202-99205", "99212-99215"]
            ),
        ]
    }
    assert [change.field for change in diff.manifest] == [
        "effective.from",
        "effective.to",
        "title",
    ]
    assert (diff.overrides_added, diff.overrides_changed, diff.systems) == ([], {}, [])


def test_the_json_form_is_the_documented_structure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    old, new = GOOD / "demo/1.0.0", GOOD / "demo/2.0.0"

    assert main(["diff", str(old), str(new), "--format", "json"]) == 0

    document = json.loads(capsys.readouterr().out)
    assert document["format"] == "claimpolicy-pack-diff"
    assert document["version"] == 2
    assert document["old"] == {
        "name": "demo",
        "version": "1.0.0",
        "folder": "tests/authoring/packs/good/demo/1.0.0",
    }
    assert document["manifest"][0] == {
        "field": "effective.from",
        "old": "2025-01-01",
        "new": "2026-01-01",
    }
    assert document["rules"]["added"] == [
        {
            "id": "demo/DEMO-JZ",
            "kind": "required-modifier",
            "category": "modifier",
            "severity": "error",
            "title": "A single-dose drug given by infusion needs modifier JZ or JW",
        }
    ]
    assert [r["id"] for r in document["rules"]["removed"]] == ["demo/DEMO-POINTER"]
    (changed,) = document["rules"]["changed"]
    assert changed["id"] == "demo/DEMO-MOD25"
    assert changed["changes"][0] == {
        "field": "severity",
        "old": "error",
        "new": "warning",
    }
    assert document["overrides"] == {"added": [], "removed": [], "changed": []}
    assert document["codesets"] == {
        "listed_added": [],
        "listed_removed": [],
        "systems": [],
    }


def test_folders_and_names_give_the_same_diff(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    by_folder = ["diff", str(GOOD / "demo/1.0.0"), str(GOOD / "demo/2.0.0")]
    by_name = ["diff", "demo@1.0.0", "demo@2.0.0", "--pack-path", str(GOOD)]

    assert main(by_folder) == 0
    from_folders = capsys.readouterr().out
    assert main(by_name) == 0

    assert capsys.readouterr().out == from_folders
    assert from_folders.splitlines()[:12] == [
        "demo 1.0.0 -> demo 2.0.0",
        "manifest:",
        '  effective.from: "2025-01-01" -> "2026-01-01"',
        '  effective.to: "2025-12-31" -> "2026-12-31"',
        '  title: "Demo payer edits, 2025" -> "Demo payer edits, 2026"',
        "rules added (1):",
        "  + demo/DEMO-JZ  required-modifier error: A single-dose drug given by "
        "infusion needs modifier JZ or JW",
        "rules removed (1):",
        "  - demo/DEMO-POINTER  diagnosis-pointers error: A diagnosis pointer must "
        "point into the diagnosis list",
        "rules changed (1):",
        "  ~ demo/DEMO-MOD25",
        '      severity: "error" -> "warning"',
    ]


def test_overrides_added_and_dropped(demo_engine: Engine) -> None:
    plus = version(demo_engine, "demo-plus", "1.0.0")
    demo = version(demo_engine, "demo", "2.0.0")

    diff = diff_packs(demo, plus, demo_engine.registry.codesets)

    (added,) = diff.overrides_added
    assert added.target == "demo/DEMO-MOD25"
    assert dict(added.changes) == {
        "severity": "error",
        "reason": "the payer denies the visit without modifier 25",
    }
    assert diff_packs(plus, demo, demo_engine.registry.codesets).overrides_removed == [
        added
    ]


@pytest.mark.parametrize(
    ("number", "system", "key"),
    [
        ("2025.1", "ICD-10-CM", "icd10cm/fy2025"),
        ("2026.1", "ICD-10-CM", "icd10cm/fy2026"),
        ("2025.1", "Nothing", None),
    ],
)
def test_the_code_set_of_a_version_is_the_one_in_force_on_its_first_day(
    engine: Engine, number: str, system: str, key: str | None
) -> None:
    pack = version(engine, "cms-core", number)

    codeset = codeset_of(pack, system, engine.registry.codesets)

    assert (codeset.key if codeset else None) == key


def test_cms_core_2025_to_2026_shows_g35_made_non_billable(engine: Engine) -> None:
    old = version(engine, "cms-core", "2025.1")
    new = version(engine, "cms-core", "2026.1")

    diff = diff_packs(old, new, engine.registry.codesets, prefixes=("G35",))

    icd = next(system for system in diff.systems if system.system == "ICD-10-CM")
    assert (icd.old, icd.new) == ("icd10cm/fy2025", "icd10cm/fy2026")
    non_billable = icd.changes["made_non_billable"]
    assert non_billable.examples == (("G35", "Multiple sclerosis"),)
    assert list(non_billable.children["G35"]) == G35_ADDED
    billable = icd.changes["added_billable"]
    assert [code for code, _ in billable.examples] == [
        code for code in G35_ADDED if code not in G35_HEADERS
    ]
    assert billable.examples[0] == ("G35.A", "Relapsing-remitting multiple sclerosis")
    headers = icd.changes["added_non_billable"]
    assert (headers.count, headers.examples) == (
        2,
        (
            ("G35.B", "Primary progressive multiple sclerosis"),
            ("G35.C", "Secondary progressive multiple sclerosis"),
        ),
    )
    assert (icd.changes["removed"].count, icd.changes["made_billable"].count) == (0, 0)


def test_cms_core_diff_text_lists_g35_among_ten_examples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["diff", "cms-core@2025.1", "cms-core@2026.1"]) == 0

    out = capsys.readouterr().out
    assert "  ICD-10-CM: icd10cm/fy2025 -> icd10cm/fy2026\n" in out
    section = out.split("made non-billable (now a header): ", 1)[1]
    count = int(section.split("\n", 1)[0])
    assert count >= 1
    assert "      G35       Multiple sclerosis\n" in section
    assert (
        "                new codes below it: G35.A, G35.B, G35.B0, G35.B1, G35.B2, "
        "G35.C, G35.C0, G35.C1, G35.C2, G35.D\n" in section
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["diff", "cms-core", "cms-core@2026.1"], "cms-core: expected NAME@VERSION"),
        (["diff", "cms-core@1999.1", "cms-core@2026.1"], "cms-core@1999.1: no such"),
        (["diff", "a@1", "b@1", "--examples", "-1"], "--examples: -1 is below 0"),
    ],
)
def test_bad_arguments_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(f"claimpolicy: error: {message}")


def test_cms_core_diff_counts_new_headers_apart_from_billable_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["diff", "cms-core@2025.1", "cms-core@2026.1", "--codes", "G35"]

    assert main(argv) == 0
    text = capsys.readouterr().out
    assert main([*argv, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)

    assert text.split("  ICD-10-CM: icd10cm/fy2025 -> icd10cm/fy2026\n")[1] == (
        "    added (billable): 8\n"
        "      G35.A     Relapsing-remitting multiple sclerosis\n"
        "      G35.B0    Primary progressive multiple sclerosis, unspecified\n"
        "      G35.B1    Active primary progressive multiple sclerosis\n"
        "      G35.B2    Non-active primary progressive multiple sclerosis\n"
        "      G35.C0    Secondary progressive multiple sclerosis, unspecified\n"
        "      G35.C1    Active secondary progressive multiple sclerosis\n"
        "      G35.C2    Non-active secondary progressive multiple sclerosis\n"
        "      G35.D     Multiple sclerosis, unspecified\n"
        "    added (non-billable headers): 2\n"
        "      G35.B     Primary progressive multiple sclerosis\n"
        "      G35.C     Secondary progressive multiple sclerosis\n"
        "    removed: 0\n"
        "    made non-billable (now a header): 1\n"
        "      G35       Multiple sclerosis\n"
        "                new codes below it: G35.A, G35.B, G35.B0, G35.B1, G35.B2, "
        "G35.C, G35.C0, G35.C1, G35.C2, G35.D\n"
        "    made billable: 0\n"
    )
    (icd,) = document["codesets"]["systems"]
    changes = icd["changes"]
    assert list(changes) == [
        "added_billable",
        "added_non_billable",
        "removed",
        "made_non_billable",
        "made_billable",
    ]
    # JSON shows the codes as the text does: dotted.
    assert [e["code"] for e in changes["added_billable"]["examples"]] == [
        code for code in G35_ADDED if code not in G35_HEADERS
    ]
    assert changes["added_non_billable"] == {
        "count": 2,
        "examples": [
            {"code": "G35.B", "title": "Primary progressive multiple sclerosis"},
            {"code": "G35.C", "title": "Secondary progressive multiple sclerosis"},
        ],
    }
    assert changes["made_non_billable"]["examples"] == [
        {"code": "G35", "title": "Multiple sclerosis", "new_children": G35_ADDED}
    ]
