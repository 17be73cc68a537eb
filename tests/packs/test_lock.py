"""Lock files pin pack versions and digests; a changed file is refused."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomli
import tomli_w

from claimpolicy import Engine, Lock, LockError
from claimpolicy.cli import main
from claimpolicy.packs import builtin
from claimpolicy.packs.lock import write_lock
from claimpolicy.resources import builtin_policies

PAYER_PACKS = Path(__file__).parent / "payer"


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimpolicy", *argv],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def payer_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "packs"
    shutil.copytree(PAYER_PACKS, folder)
    return folder


@pytest.fixture
def lock_file(tmp_path: Path, payer_copy: Path) -> Path:
    path = tmp_path / "claimpolicy.lock"
    result = run("lock", "--pack-path", str(payer_copy), "-o", str(path))
    assert result.returncode == 0, result.stderr
    return path


def test_lock_lists_every_pack_version_with_file_digests(lock_file):
    lock = tomli.loads(lock_file.read_text())

    keys = [(p["name"], p["version"]) for p in lock["pack"]]
    assert keys == [
        ("acme-health", "1.0.0"),
        ("cms-core", "2025.1"),
        ("cms-core", "2026.1"),
    ]
    cms = lock["pack"][2]
    assert "pack.toml" in cms["files"]
    assert "../common/em.toml" in cms["files"]
    assert all(len(sha) == 64 for sha in cms["files"].values())
    assert cms["digest"].startswith("sha256:")


def test_check_with_a_matching_lock_runs(
    lock_file, payer_copy, passing_claim, tmp_path
):
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps(passing_claim))

    result = run(
        "check", "--lock", str(lock_file), "--pack-path", str(payer_copy), str(claim)
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    pinned = tomli.loads(lock_file.read_text())["pack"][2]
    assert report["packs"] == [
        {"name": "cms-core", "version": "2026.1", "digest": pinned["digest"]}
    ]


def test_a_tampered_pack_file_is_refused_naming_pack_version_and_file(
    lock_file, payer_copy, passing_claim, tmp_path
):
    rules = payer_copy / "acme-health" / "1.0.0" / "rules.toml"
    rules.write_text(rules.read_text().replace('"warning"', '"info"'))
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps(passing_claim))

    result = run(
        "check", "--lock", str(lock_file), "--pack-path", str(payer_copy), str(claim)
    )

    assert result.returncode == 2
    assert result.stdout == ""
    expected = f"{lock_file}: pack acme-health 1.0.0: file rules.toml has sha256"
    assert f"claimpolicy: error: {expected}" in result.stderr


def test_a_missing_pinned_version_is_refused(lock_file, passing_claim, tmp_path):
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps(passing_claim))

    result = run("check", "--lock", str(lock_file), str(claim))

    assert result.returncode == 2
    assert "pinned pack acme-health 1.0.0 is not installed" in result.stderr


def test_a_lock_narrows_the_engine_to_pinned_versions(tmp_path, payer_copy):
    text = Lock.read  # the API, not only the command line
    path = tmp_path / "only-2026.lock"
    run("lock", "-o", str(path))
    document = path.read_text()
    start = document.index("[[pack]]")
    second = document.index("[[pack]]", start + 1)
    path.write_text(document[:start] + document[second:])  # drop cms-core 2025.1

    engine = Engine(lock=text(path))

    assert [p.key for p in engine.registry.all()] == ["cms-core@2026.1"]


def test_unreadable_lock_is_a_lock_error(tmp_path):
    path = tmp_path / "bad.lock"
    path.write_text("lock_format = [")

    with pytest.raises(LockError, match="cannot be read"):
        Lock.read(path)


@pytest.fixture
def builtin_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The built-in packs and code sets, from a copy a test may change."""
    folder = tmp_path / "policies"
    shutil.copytree(builtin_policies(), folder)
    monkeypatch.setattr(builtin, "builtin_policies", lambda: folder)
    return folder


def test_the_lock_pins_each_code_set_manifest(builtin_copy, tmp_path):
    path = tmp_path / "claimpolicy.lock"

    assert main(["lock", "-o", str(path)]) == 0

    pinned = {c["key"]: c["files"] for c in tomli.loads(path.read_text())["codeset"]}
    assert sorted(pinned["icd10cm/fy2026"]) == ["codes.tsv.gz", "codeset.toml"]


def test_a_changed_code_set_manifest_is_refused(
    builtin_copy, passing_claim, tmp_path, capsys
):
    path = tmp_path / "claimpolicy.lock"
    assert main(["lock", "-o", str(path)]) == 0
    manifest = builtin_copy / "codesets" / "icd10cm" / "fy2026" / "codeset.toml"
    old = hashlib.sha256(manifest.read_bytes()).hexdigest()
    # Its dates in force decide which ICD-10-CM version judges a claim.
    manifest.write_text(manifest.read_text().replace("2026-09-30", "2026-12-31"))
    new = hashlib.sha256(manifest.read_bytes()).hexdigest()
    claim = tmp_path / "claim.json"
    claim.write_text(json.dumps(passing_claim))
    capsys.readouterr()

    assert main(["check", "--lock", str(path), str(claim)]) == 2

    assert capsys.readouterr().err == (
        f"claimpolicy: error: {path}: code set icd10cm/fy2026: file codeset.toml "
        f"has sha256 {new}, the lock pins {old}\n"
    )


def test_a_code_set_in_use_but_not_pinned_is_refused(tmp_path):
    engine = Engine()
    document = tomli.loads(write_lock(engine.registry))
    document["codeset"] = [c for c in document["codeset"] if c["key"] != "cpt/2026"]
    path = tmp_path / "claimpolicy.lock"
    path.write_text(tomli_w.dumps(document))

    with pytest.raises(LockError) as raised:
        Lock.read(path).apply(engine.registry)

    assert str(raised.value) == f"{path}: code set cpt/2026 is used but not pinned"
