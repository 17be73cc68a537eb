"""`claimpolicy plugins`: the active plugins and the hooks each implements."""

from __future__ import annotations

import argparse
from typing import Any

from claimpolicy.cli.common import add_engine_options, make_plugins
from claimpolicy.plugins import AUTOLOAD_OFF


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "plugins",
        help="list the active plugins",
        description="List the active plugins: the built-in ones, those installed "
        "on this machine (entry point group 'claimpolicy') and those named with "
        "--plugin, each with its distribution, version and hooks.",
    )
    add_engine_options(parser, lock=False)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    host = make_plugins(arguments)
    for info in host.infos():
        distribution = f"{info.distribution} {info.version}".strip() or "not installed"
        print(f"{info.name}  ({distribution}, {info.source})")
        for hook in info.hooks:
            print(f"    {hook}")
    if not host.autoload:
        why = "--no-plugins" if arguments.no_plugins else f"{AUTOLOAD_OFF} is set"
        print(f"plugins installed on this machine are not loaded: {why}")
    return 0
