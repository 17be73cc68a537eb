"""`claimpolicy check`: check claim files and write one report per claim."""

from __future__ import annotations

import argparse
import gc
import sys
from typing import Any

from claimpolicy.batch import check_runs
from claimpolicy.cli.common import add_engine_options, make_engine
from claimpolicy.cli.progress import Progress
from claimpolicy.errors import InputError
from claimpolicy.inputs import check_inputs, may_wait, readers_by_suffix, records
from claimpolicy.io.formats import ReportFormat
from claimpolicy.io.output import FORMATS_HOOK, FormatError, Output
from claimpolicy.io.sources import check_readable, guarded_readers
from claimpolicy.plugins import PluginHost

FAILING_OUTCOMES = frozenset({"fail", "invalid", "error"})


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check",
        help="check claim documents",
        description="Check claims: a .json file holds one claim or an array, "
        "a .ndjson/.jsonl file one claim per line, and - reads NDJSON from "
        "standard input.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument(
        "--format",
        default=None,
        metavar="NAME",
        help="text (the default on a terminal), json, ndjson (the default "
        "otherwise), or a format a plugin adds",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="add to each finding the values that made its rule fire",
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes for a large batch (default: the number of cores); "
        "a batch of fewer than 4,000 claims stays in one process",
    )
    add_engine_options(parser)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    engine = make_engine(arguments, explain=arguments.explain)
    engine.load_code_sets()
    # The packs and code sets live as long as the run: the garbage collector
    # need not walk them again after every few thousand claims.
    gc.freeze()
    name = arguments.format or ("text" if sys.stdout.isatty() else "ndjson")
    plugin, fmt = _format(engine.plugins, name)
    readers = readers_by_suffix(engine.plugins)
    check_inputs(arguments.files, readers)
    check_readable(arguments.files)

    output = Output(plugin, fmt, sys.stdout.buffer, evidence=arguments.explain)
    # Reports reach a terminal, or a reader fed claim by claim, as soon as
    # they are written; otherwise they wait in the stream's buffer.
    live = sys.stdout.isatty() or may_wait(arguments.files)
    progress = Progress(sys.stderr)
    try:
        for results, outcomes in check_runs(
            engine,
            records(arguments.files, guarded_readers(engine.plugins, readers)),
            encoder=output.encoder,
            format_name=name,
            jobs=arguments.jobs,
            arguments=arguments,
        ):
            output.write(results)
            if live:
                output.flush()
            progress.add(outcomes)
    except FormatError:
        output.failed = True  # raised by its encoder: write nothing more
        raise
    finally:
        output.close()
    progress.close()
    failed = any(progress.counts[outcome] for outcome in FAILING_OUTCOMES)
    return 1 if failed else 0


def _format(plugins: PluginHost, name: str) -> tuple[str, ReportFormat]:
    """The format of that name and the plugin that registered it."""
    # The last format of a name wins, the same choice the workers make.
    formats = {fmt.name: (plugin, fmt) for plugin, fmt in plugins.collect(FORMATS_HOOK)}
    if name not in formats:
        known = ", ".join(sorted(formats))
        raise InputError(
            "--format", f"{name!r} is not a report format (known: {known})"
        )
    return formats[name]


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of processes (1 or more)"
        )
    return jobs
