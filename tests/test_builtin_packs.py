"""The fixture tests the built-in packs carry, run as `claimpolicy test` runs
them: every test passes against every version, every rule fires in one, and
every rule is named in the `absent` list of one, so that each rule is shown
both catching its mistake and keeping quiet on a claim close to it."""

from __future__ import annotations

import pytest

from claimpolicy.authoring.runner import (
    PackRun,
    PinnedEngine,
    load_pack_tests,
    run_pack,
)
from claimpolicy.authoring.text import failure_text
from claimpolicy.plugins import PluginHost

# Built-ins only: no plugin installed on the machine adds packs or kinds.
ENGINE = PinnedEngine(plugins=PluginHost(entry_points=False))
VERSIONS = [pack.key for pack in ENGINE.registry.all()]


@pytest.fixture(scope="module")
def runs() -> dict[str, PackRun]:
    return {
        pack.key: run_pack(ENGINE, pack, load_pack_tests(pack))
        for pack in ENGINE.registry.all()
    }


def test_there_are_builtin_pack_versions() -> None:
    assert "cms-core@2026.1" in VERSIONS
    assert "cms-core@2025.1" in VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
def test_every_pack_test_passes(runs: dict[str, PackRun], version: str) -> None:
    run = runs[version]

    assert run.results, f"{version} has no fixture tests"
    failures = "\n\n".join(failure_text(result) for result in run.failed)
    assert not run.failed, f"{len(run.failed)} pack test(s) failed:\n{failures}"


@pytest.mark.parametrize("version", VERSIONS)
def test_every_rule_fires_in_a_test(runs: dict[str, PackRun], version: str) -> None:
    coverage = runs[version].coverage

    never = "\n  ".join(coverage.never_fired)
    assert not coverage.never_fired, (
        f"{version}: {coverage.percent:.1f}% covered; never fired:\n  {never}"
    )
    assert coverage.percent == 100.0


@pytest.mark.parametrize("version", VERSIONS)
def test_every_rule_is_absent_in_a_test(runs: dict[str, PackRun], version: str) -> None:
    # A clean outcome alone would count for every rule on any claim, so only
    # an `absent` entry, checked by the test that lists it, shows a rule
    # staying quiet where it might have fired.
    run = runs[version]
    named = {rule for result in run.results for rule in result.test.absent}

    never = [rule for rule in run.coverage.rules if rule not in named]
    assert not never, (
        f"{version}: rules never listed in an `absent` of a test:\n  "
        + "\n  ".join(never)
    )
