"""`claimpolicy new-pack`: write a payer pack skeleton that passes its tests."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from claimpolicy.authoring.newpack import plan_skeleton, write_skeleton
from claimpolicy.cli.common import add_engine_options, make_engine
from claimpolicy.packs.tomlfile import display_path


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "new-pack",
        help="write a new payer pack that extends a national pack",
        description="Write a payer pack skeleton: pack.toml (version 0.1.0, "
        "effective from this year's start or the parent's window), one rule, "
        "a commented override of a parent rule, and fixture tests with their "
        "claim, and a pytest.ini. `claimpolicy test DIR --pack-path DIR`, or "
        "plain `pytest` in DIR, passes on it at once.",
    )
    parser.add_argument("name", metavar="NAME", help="the new pack's name")
    parser.add_argument(
        "--extends", required=True, metavar="PACK", help="the pack it extends"
    )
    parser.add_argument(
        "--payer", metavar="ID", help="the payer id it serves (default: NAME)"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="where to write (default: ./NAME)",
    )
    add_engine_options(parser, lock=False)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    # Resolved: a relative folder whose packs share rule files (../common)
    # trips the pack loader's relative file names.
    arguments.pack_path = [path.resolve() for path in arguments.pack_path]
    engine = make_engine(arguments)
    skeleton = plan_skeleton(
        engine.registry,
        arguments.name,
        arguments.extends,
        arguments.payer,
        date.today(),
    )
    folder = arguments.output or Path(arguments.name)
    for path in write_skeleton(skeleton, folder):
        print(f"wrote {display_path(path)}")
    shown = display_path(folder)
    print(
        f"{skeleton.name} {skeleton.parent.name} {skeleton.parent.version}+ "
        f"from {skeleton.effective_from}; next: claimpolicy test {shown} "
        f"--pack-path {shown}, or pytest in {shown}"
    )
    return 0
