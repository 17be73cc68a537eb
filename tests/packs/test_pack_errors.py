"""Broken packs: every problem named with its file, key path and bad value.

Each folder under cases/ is a pack root holding one kind of mistake, and its
expected.txt the exact messages, one per line. The test id is the folder.
"""

from __future__ import annotations

from pathlib import Path

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
