"""`claimpolicy plugins`: the active plugins and the hooks each implements."""

from __future__ import annotations

import argparse
from typing import Any

from claimpolicy.cli.common import add_engine_options, make_plugins


def register(commands: Any) -> None:
    parser = commands.add_parser("plugins", help="list the active plugins")
    add_engine_options(parser, lock=False)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    for info in make_plugins(arguments).infos():
        kind = (
            "built-in"
            if info.builtin
            else f"{info.distribution} {info.version}".strip()
        )
        print(f"{info.name} ({kind})")
        for hook in info.hooks:
            print(f"    {hook}")
    return 0
