"""`claimpolicy test`: run the fixture tests packs carry, with rule coverage."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from claimpolicy.authoring.junit import write_junit
from claimpolicy.authoring.runner import PackRun, PinnedEngine, run_targets
from claimpolicy.authoring.selection import folders_to_load, select
from claimpolicy.authoring.text import coverage_text, failure_text, summary_text
from claimpolicy.cli.common import add_engine_options, make_plugins
from claimpolicy.engine import PACK_PATH_VARIABLE
from claimpolicy.errors import InputError
from claimpolicy.packs.tomlfile import display_path

DESCRIPTION = """\
Run the fixture tests of pack versions: with no argument every installed
version, otherwise NAME (every version), NAME@VERSION, or a PATH (a folder
of packs, a pack's test folder or one test file; a folder of packs that is
not loaded yet is loaded). Each test runs against exactly the version under
test and the parents it extends; a claim written for another year has all
its dates moved by whole years into that version's window. Then the rule
coverage of each version: its own rules that fired in at least one test.
Exit 0 when every test passes, 1 when one fails or a coverage is below
--min-coverage, 2 when a test file or pack is malformed."""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "test",
        help="run the fixture tests of packs and show their rule coverage",
        description=DESCRIPTION,
    )
    parser.add_argument("targets", nargs="*", metavar="PACK[@VERSION]|PATH")
    parser.add_argument(
        "--min-coverage",
        type=float,
        metavar="PCT",
        help="fail when a pack version's rule coverage is below PCT percent",
    )
    parser.add_argument(
        "--junit", type=Path, metavar="FILE", help="also write the results as JUnit XML"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="list passing tests too"
    )
    add_engine_options(parser, lock=False)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    minimum = arguments.min_coverage
    if minimum is not None and not 0 <= minimum <= 100:
        raise InputError("--min-coverage", f"{minimum:g} is not between 0 and 100")
    plugins = make_plugins(arguments)
    roots = [Path(p) for _, p in plugins.collect("claimpolicy_register_pack_paths")]
    roots += arguments.pack_path
    roots += [
        Path(p) for p in os.environ.get(PACK_PATH_VARIABLE, "").split(os.pathsep) if p
    ]
    extra = folders_to_load(arguments.targets, roots)
    # Resolved: a relative folder with shared rule files (../common) trips
    # the pack loader's relative names.
    pack_paths = [path.resolve() for path in (*arguments.pack_path, *extra)]
    engine = PinnedEngine(pack_paths=pack_paths, plugins=plugins)

    runs = run_targets(engine, select(engine.registry, arguments.targets))
    _print_results(runs, verbose=arguments.verbose)
    print(summary_text(runs))
    print("\nrule coverage:")
    for pack_run in runs:
        print(coverage_text(pack_run.coverage, minimum=minimum))
        if not pack_run.results:
            folders = ", ".join(display_path(f) for f in pack_run.pack.test_folders)
            print(f"  no tests found in {folders}")
    if arguments.junit:
        write_junit(runs, arguments.junit, minimum=minimum)

    failed = any(pack_run.failed for pack_run in runs)
    below = minimum is not None and any(r.coverage.percent < minimum for r in runs)
    return 1 if failed or below else 0


def _print_results(runs: list[PackRun], *, verbose: bool) -> None:
    for pack_run in runs:
        for result in pack_run.results:
            if not result.passed:
                print(failure_text(result) + "\n")
            elif verbose:
                print(f"passed {result.id}")
