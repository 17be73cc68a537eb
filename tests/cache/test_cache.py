"""The cache of parsed data: plain entries only, keyed by digest, never needed."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import pytest

from claimpolicy import Engine, cache
from claimpolicy.codesets.registry import CodeSet, load_codeset
from claimpolicy.errors import PackError
from claimpolicy.resources import builtin_policies


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path / "cache"))
    return tmp_path / "cache"


def entries(folder: Path, space: str) -> list[Path]:
    return sorted((folder / space).glob("*.pickle"))


def test_an_entry_comes_back_as_it_was_stored(folder):
    value = {"rules": [{"id": "A-1", "from": date(2026, 1, 1)}], "lines": (1, 2)}

    cache.store("space", "key", value)

    assert cache.load("space", "key") == value
    assert [p.name for p in entries(folder, "space")] == ["key.pickle"]


def test_an_entry_naming_any_other_type_is_refused(folder):
    (folder / "space").mkdir(parents=True)
    # This pickle names a class (pathlib's); a hostile one would name
    # os.system the same way, and is refused the same way.
    hostile = pickle.dumps(Path("/tmp"))
    (folder / "space" / "key.pickle").write_bytes(hostile)

    assert cache.load("space", "key") is None


def test_a_truncated_entry_is_a_miss(folder):
    cache.store("space", "key", list(range(1000)))
    path = entries(folder, "space")[0]
    path.write_bytes(path.read_bytes()[:50])

    assert cache.load("space", "key") is None


def test_an_empty_variable_turns_the_cache_off(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.CACHE_VARIABLE, "")

    cache.store("space", "key", [1])

    assert cache.cache_folder() is None
    assert cache.load("space", "key") is None


def test_the_folder_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    assert cache.cache_folder() == tmp_path / "claimpolicy"


def test_a_folder_that_cannot_be_written_is_not_used(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(blocker))

    cache.store("space", "key", [1])

    assert cache.load("space", "key") is None


def test_digests_change_with_any_part():
    assert cache.digest(b"a", "b") != cache.digest(b"a", "c")
    assert cache.digest(b"ab", "c") != cache.digest(b"a", "bc")
    assert cache.digest(b"a", "b") == cache.digest(b"a", "b")


def test_a_warm_engine_checks_exactly_as_a_cold_one(folder, passing_claim):
    cold = Engine()
    cold_reports = [cold.check(passing_claim).to_dict()]
    for codeset in cold.registry.codesets.values():
        codeset.table()

    warm = Engine()

    assert entries(folder, "codesets")
    assert entries(folder, "rule-files")
    assert [warm.check(passing_claim).to_dict()] == cold_reports
    assert [(r.id, r.params) for p in warm.registry.all() for r in p.rules] == [
        (r.id, r.params) for p in cold.registry.all() for r in p.rules
    ]


@pytest.mark.parametrize("system", ["ICD-10-CM", "HCPCS Level II"])
def test_a_code_set_read_from_the_cache_equals_the_parsed_one(folder, system):
    def codeset() -> CodeSet:
        engine = Engine()
        return next(c for c in engine.registry.codesets.values() if c.system == system)

    parsed = codeset().table()
    cached = codeset().table()

    assert cached.to_plain() == parsed.to_plain()


def test_a_changed_code_set_file_is_refused_before_the_cache_is_read(folder, tmp_path):
    # The digest check of the manifest runs first, so a cached table of the
    # old file is never served for a changed file.
    source = builtin_policies() / "codesets" / "hcpcs" / "2025-10"
    copy = tmp_path / "hcpcs"
    copy.mkdir()
    for path in source.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    load_codeset(copy).table()
    with open(copy / "codes.tsv", "a") as stream:
        stream.write("J9999\t2020-01-01\t\tactive-no-action-since-2020\tx\n")

    with pytest.raises(PackError, match="sha256"):
        load_codeset(copy).table()
