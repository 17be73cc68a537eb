"""Options shared by the commands that load packs, and building the engine."""

from __future__ import annotations

import argparse
from pathlib import Path

from claimpolicy.engine import Engine
from claimpolicy.packs.lock import Lock
from claimpolicy.plugins import PluginHost

__all__ = ["add_engine_options", "make_engine", "make_plugins"]


def add_engine_options(parser: argparse.ArgumentParser, *, lock: bool = True) -> None:
    group = parser.add_argument_group("packs and plugins")
    group.add_argument(
        "--pack-path",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="also load packs from DIR (repeatable; see also CLAIMPOLICY_PACK_PATH)",
    )
    if lock:
        group.add_argument(
            "--lock",
            type=Path,
            metavar="FILE",
            help="use exactly the packs this lock file pins",
        )
    group.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="load a plugin by import path for this run (repeatable)",
    )
    group.add_argument(
        "--no-plugins",
        action="store_true",
        help="disable third-party plugins installed on this machine",
    )


def make_plugins(arguments: argparse.Namespace) -> PluginHost:
    entry_points = None if not arguments.no_plugins else False
    return PluginHost(entry_points=entry_points, modules=arguments.plugin)


def make_engine(arguments: argparse.Namespace, *, explain: bool = False) -> Engine:
    lock_file = getattr(arguments, "lock", None)
    lock = Lock.read(lock_file) if lock_file else None
    return Engine(
        pack_paths=arguments.pack_path,
        lock=lock,
        plugins=make_plugins(arguments),
        explain=explain,
    )
