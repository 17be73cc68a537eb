"""`claimpolicy check`: check claim files and write one report per claim."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from claimpolicy.batch import check_records
from claimpolicy.cli.common import add_engine_options, make_engine
from claimpolicy.errors import InputError
from claimpolicy.inputs import check_inputs, readers_by_suffix, records

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
        type=int,
        default=None,
        metavar="N",
        help="worker processes for large batches (default: the number of cores)",
    )
    add_engine_options(parser)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    engine = make_engine(arguments, explain=arguments.explain)
    formats = {
        fmt.name: fmt
        for _, fmt in engine.plugins.collect("claimpolicy_register_formats")
    }
    name = arguments.format or ("text" if sys.stdout.isatty() else "ndjson")
    if name not in formats:
        known = ", ".join(sorted(formats))
        raise InputError(
            "--format", f"{name!r} is not a report format (known: {known})"
        )
    readers = readers_by_suffix(engine.plugins)
    check_inputs(arguments.files, readers)

    writer = formats[name].open(sys.stdout.buffer, evidence=arguments.explain)
    failed = False
    try:
        for report in check_records(
            engine,
            records(arguments.files, readers),
            jobs=arguments.jobs,
            arguments=arguments,
        ):
            writer.write(report)
            failed = failed or report.outcome in FAILING_OUTCOMES
    finally:
        writer.close()
    return 1 if failed else 0
