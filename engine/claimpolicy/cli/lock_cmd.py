"""`claimpolicy lock`: pin every pack version and code set in use."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from claimpolicy.cli.common import add_engine_options, make_engine
from claimpolicy.packs.lock import write_lock


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "lock", help="write a lock file pinning every pack version and file digest"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write here instead of standard output",
    )
    add_engine_options(parser, lock=False)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    engine = make_engine(arguments)
    text = write_lock(engine.registry)
    if arguments.output:
        arguments.output.write_text(text, encoding="utf-8")
        print(
            f"wrote {arguments.output}: {len(engine.registry.all())} pack versions",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    return 0
