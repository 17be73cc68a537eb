"""A pytest plugin: a payer's repository runs its pack tests with plain `pytest`.

It does nothing unless asked. A project opts in by naming the folders that
hold its packs, in its pytest configuration or on the command line:

    [tool.pytest.ini_options]
    claimpolicy_packs = ["packs"]

    pytest --claimpolicy-packs packs

`claimpolicy new-pack` writes a pytest.ini that does so into the pack it
creates. A pack whose rules need a plugin that is not installed names its
module with `claimpolicy_plugins` (ini, one per line) or
`--claimpolicy-plugin MODULE`; installed plugins load as they do for the
`claimpolicy` command.

Then the test files of every pack version found under those folders (the
`*.toml` files of the folders its `tests = [...]` names, `tests/` by
default) become pytest items, one per pack version and test, with ids like
`packs/acme/tests/basic.toml::acme@0.1.0::jz-missing-fires`. No other TOML
file is touched. When pytest runs without path arguments, the pack folders
are collected beside the configured `testpaths`. A failing item shows the
test's expectations against the engine's findings, and the terminal summary
gives the rule coverage of each pack version tested.

Nothing of the engine is imported until a project opts in, so the plugin
costs nothing to the projects that do not use it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from claimpolicy.authoring.fixtures import FixtureTest
    from claimpolicy.authoring.runner import FixtureResult, PackRun, PinnedEngine
    from claimpolicy.packs.pack import PackVersion

__all__ = ["PackTestFailure", "PackTestFile", "PackTestItem"]

OPTION = "claimpolicy_packs"
PLUGINS = "claimpolicy_plugins"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("claimpolicy", "claimpolicy pack tests")
    group.addoption(
        "--claimpolicy-packs",
        dest=OPTION,
        action="append",
        default=[],
        metavar="DIR",
        help="collect the fixture tests of the claimpolicy packs under DIR "
        "(repeatable; adds to the ini option claimpolicy_packs)",
    )
    group.addoption(
        "--claimpolicy-plugin",
        dest=PLUGINS,
        action="append",
        default=[],
        metavar="MODULE",
        help="load a claimpolicy plugin by import path for the pack tests "
        "(repeatable; adds to the ini option claimpolicy_plugins)",
    )
    parser.addini(
        OPTION,
        type="paths",
        default=[],
        help="folders of claimpolicy packs whose fixture tests pytest collects",
    )
    parser.addini(
        PLUGINS,
        type="linelist",
        default=[],
        help="claimpolicy plugins (import paths) to load for the pack tests",
    )


def pytest_configure(config: pytest.Config) -> None:
    folders = [Path(p).resolve() for p in config.getoption(OPTION)]
    folders += [Path(p).resolve() for p in config.getini(OPTION)]
    if not folders:
        return
    modules = [*config.getini(PLUGINS), *config.getoption(PLUGINS)]
    config.stash[_STATE] = _State(folders, modules)
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        # Plain `pytest`: collect the pack folders beside testpaths.
        walked = [Path(arg).resolve() for arg in config.args]
        config.args += [
            str(folder)
            for folder in folders
            if not any(folder.is_relative_to(path) for path in walked)
        ]


def pytest_sessionstart(session: pytest.Session) -> None:
    state = session.config.stash.get(_STATE, None)
    if state is not None:
        # Packs or plugins that do not load are a usage error, shown once as
        # such, not a traceback at the first file collected.
        state.engine  # noqa: B018 - built for its errors


def pytest_collect_file(
    file_path: Path, parent: pytest.Collector
) -> pytest.Collector | None:
    state = parent.config.stash.get(_STATE, None)
    if state is None or file_path.suffix != ".toml":
        return None
    if not state.packs_testing(file_path):
        return None
    return PackTestFile.from_parent(parent, path=file_path)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None or not state.runs:
        return
    from claimpolicy.authoring.text import coverage_text

    terminalreporter.section("claimpolicy rule coverage")
    for run in state.runs.values():
        terminalreporter.write_line(coverage_text(run.coverage))


class _State:
    """The engine and the packs of one pytest session, built on first use."""

    def __init__(self, folders: list[Path], modules: list[str]) -> None:
        self.folders = folders
        self.modules = modules
        self.runs: dict[str, PackRun] = {}
        self._engine: PinnedEngine | None = None
        self._by_file: dict[Path, list[PackVersion]] = {}

    @property
    def engine(self) -> PinnedEngine:
        if self._engine is None:
            self._engine = self._build()
        return self._engine

    def _build(self) -> PinnedEngine:
        from claimpolicy.authoring.fixtures import fixture_files
        from claimpolicy.authoring.runner import PinnedEngine
        from claimpolicy.authoring.selection import folders_to_load
        from claimpolicy.errors import ClaimpolicyError
        from claimpolicy.plugins import PluginHost

        selectors = [str(folder) for folder in self.folders]
        try:
            plugins = PluginHost(modules=self.modules)
            pack_paths = folders_to_load(selectors, _pack_roots(plugins))
            engine = PinnedEngine(pack_paths=pack_paths, plugins=plugins)
        except ClaimpolicyError as error:
            raise pytest.UsageError(
                f"claimpolicy pack tests cannot start:\n{error}"
            ) from None

        for pack in engine.registry.all():
            folder = pack.folder.resolve()
            if any(folder.is_relative_to(root) for root in self.folders):
                for path in fixture_files(pack.test_folders):
                    self._by_file.setdefault(path.resolve(), []).append(pack)
        return engine

    def packs_testing(self, path: Path) -> list[PackVersion]:
        self.engine  # noqa: B018 - the index of test files is built with it
        return self._by_file.get(path.resolve(), [])

    def record(self, result: FixtureResult) -> None:
        from claimpolicy.authoring.runner import PackRun

        self.runs.setdefault(result.pack.key, PackRun(result.pack)).results.append(
            result
        )


_STATE = pytest.StashKey[_State]()


def _pack_roots(plugins: Any) -> list[Path]:
    """Folders already on the pack path: plugins' and the environment's."""
    from claimpolicy.engine import PACK_PATH_VARIABLE

    roots = [Path(p) for _, p in plugins.collect("claimpolicy_register_pack_paths")]
    variable = os.environ.get(PACK_PATH_VARIABLE, "")
    return roots + [Path(p) for p in variable.split(os.pathsep) if p]


class PackTestFile(pytest.File):
    """A pack test file: one item per pack version carrying it and test."""

    def collect(self) -> Iterator[pytest.Item]:
        from claimpolicy.authoring.fixtures import load_test_file
        from claimpolicy.errors import PackError

        state = self.config.stash[_STATE]
        try:
            tests = load_test_file(self.path)
        except PackError as error:
            raise self.CollectError(str(error)) from None
        for pack in state.packs_testing(self.path):
            for test in tests:
                yield PackTestItem.from_parent(
                    self, name=f"{pack.key}::{test.name}", pack=pack, test=test
                )


class PackTestFailure(Exception):
    """A pack test whose findings differ from its expectations."""

    def __init__(self, result: FixtureResult) -> None:
        super().__init__(result.id)
        self.result = result


class PackTestItem(pytest.Item):
    def __init__(self, *, pack: PackVersion, test: FixtureTest, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pack = pack
        self.test = test

    def runtest(self) -> None:
        from claimpolicy.authoring.runner import run_pack

        state = self.config.stash[_STATE]
        (result,) = run_pack(state.engine, self.pack, [self.test]).results
        state.record(result)
        if not result.passed:
            raise PackTestFailure(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> Any:
        if isinstance(excinfo.value, PackTestFailure):
            from claimpolicy.authoring.text import failure_text

            return failure_text(excinfo.value.result, heading=False)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        from claimpolicy.authoring.runner import fixture_id

        # The CLI's test id; pytest would turn the dots of a domain that ends
        # the node id into `::`, and this one never does.
        line = self.test.line - 1 if self.test.line else None
        return self.path, line, fixture_id(self.pack, self.test)
