"""Broken packs: every problem named with its file, key path and bad value.

Each folder under cases/ is a pack root holding one kind of mistake, and its
expected.txt the exact messages, one per line. The test id is the folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from claimpolicy.errors import PackError
from claimpolicy.kinds.modifiers import RequiredModifier
from claimpolicy.kinds.pointers import DiagnosisPointers
from claimpolicy.packs.registry import PackRegistry, PackSource

CASES = Path(__file__).parent / "cases"
KINDS = {kind.name: kind for kind in (RequiredModifier(), DiagnosisPointers())}


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_broken_pack_reports_exactly(case, monkeypatch):
    folder = CASES / case
    monkeypatch.chdir(folder)  # messages show paths relative to where we are

    with pytest.raises(PackError) as raised:
        PackRegistry.discover([PackSource(Path("."), "test")], KINDS)

    expected = (folder / "expected.txt").read_text().splitlines()
    assert [str(problem) for problem in raised.value.problems] == expected


def test_pack_error_is_a_value_error_with_fields(monkeypatch):
    monkeypatch.chdir(CASES / "bad-severity")

    with pytest.raises(ValueError, match="'fatal' is not one of") as raised:
        PackRegistry.discover([PackSource(Path("."), "test")], KINDS)

    (problem,) = raised.value.problems  # type: ignore[attr-defined]
    assert (problem.file, problem.key_path) == (
        "cms/2026.1/em.toml",
        "rules[3].severity",
    )


def test_unreadable_rule_file_is_named(monkeypatch):
    # Running as root makes chmod useless here, so the read itself fails.
    monkeypatch.chdir(CASES / "bad-severity")
    original = Path.read_text

    def refuse(self: Path, *args: object, **kwargs: object) -> str:
        if self.name == "em.toml":
            raise PermissionError(13, "Permission denied")
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", refuse)

    with pytest.raises(PackError) as raised:
        PackRegistry.discover([PackSource(Path("."), "test")], KINDS)

    assert [str(p) for p in raised.value.problems] == [
        "cms/2026.1/em.toml: cannot be read: Permission denied"
    ]


def test_missing_pack_folder_is_named():
    with pytest.raises(PackError) as raised:
        PackRegistry.discover(
            [PackSource(Path("no/such/folder"), "--pack-path")], KINDS
        )

    assert str(raised.value) == (
        "no/such/folder: pack folder not found (from --pack-path)"
    )


def test_a_folder_that_cannot_be_listed_is_named(monkeypatch):
    # Root ignores chmod 000, so the listing itself is refused.
    monkeypatch.chdir(CASES / "extends-no-version")
    original = os.scandir

    def refuse(path: Any = ".") -> Any:
        if Path(path).name == "payer":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return original(path)

    monkeypatch.setattr(os, "scandir", refuse)

    with pytest.raises(PackError) as raised:
        PackRegistry.discover([PackSource(Path("."), "--pack-path")], KINDS)

    assert [str(p) for p in raised.value.problems] == [
        "payer: folder cannot be listed: Permission denied (from --pack-path); "
        "the packs in it would be missed"
    ]


def test_a_pack_path_that_is_a_file_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("claim.json").write_text("{}")

    with pytest.raises(PackError) as raised:
        PackRegistry.discover([PackSource(Path("claim.json"), "--pack-path")], KINDS)

    assert str(raised.value) == "claim.json: is not a folder (from --pack-path)"


def test_a_path_outside_the_working_folder_is_shown_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = CASES / "bad-severity"

    with pytest.raises(PackError) as raised:
        PackRegistry.discover([PackSource(folder, "--pack-path")], KINDS)

    (problem,) = raised.value.problems
    assert problem.file == str(folder / "cms/2026.1/em.toml")


def test_an_overlap_is_reported_once_when_a_folder_is_given_twice(monkeypatch):
    monkeypatch.chdir(CASES / "overlapping-dates")
    sources = [PackSource(Path("."), "test"), PackSource(Path("cms/2025.1"), "test")]

    with pytest.raises(PackError) as raised:
        PackRegistry.discover(sources, KINDS)

    expected = (CASES / "overlapping-dates" / "expected.txt").read_text()
    assert [str(p) for p in raised.value.problems] == expected.splitlines()
