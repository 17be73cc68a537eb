"""`claimpolicy plugins`: the active plugins, the hooks each implements and
what each registers (rule kinds, pack folders, readers, formats, edits)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from claimpolicy.cli.common import add_engine_options, make_plugins
from claimpolicy.plugins import AUTOLOAD_OFF, Implementation, PluginHost

#: The `register_*` hooks, what their items are called, and how one is shown.
REGISTERED: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("claimpolicy_register_rule_kinds", "rule kinds", lambda kind: kind.name),
    ("claimpolicy_register_pack_paths", "pack folders", str),
    (
        "claimpolicy_register_readers",
        "readers",
        lambda reader: f"{reader.name} ({' '.join(reader.suffixes)})",
    ),
    ("claimpolicy_register_formats", "formats", lambda fmt: fmt.name),
    ("claimpolicy_register_edits", "edits", lambda edit: edit.id),
)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "plugins",
        help="list the active plugins",
        description="List the active plugins: the built-in ones, those installed "
        "on this machine (entry point group 'claimpolicy') and those named with "
        "--plugin, each with its distribution, version and hooks, and the rule "
        "kinds, pack folders, readers (with their file suffixes), report formats "
        "and custom edits it registers.",
    )
    add_engine_options(parser, lock=False)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    host = make_plugins(arguments)
    registered = _registered(host)
    for info in host.infos():
        distribution = f"{info.distribution} {info.version}".strip() or "not installed"
        print(f"{info.name}  ({distribution}, {info.source})")
        for hook in info.hooks:
            print(f"    {hook}")
        for label, items in registered.get(info.name, {}).items():
            print(f"    {label}: {', '.join(items)}")
    if not host.autoload:
        why = "--no-plugins" if arguments.no_plugins else f"{AUTOLOAD_OFF} is set"
        print(f"plugins installed on this machine are not loaded: {why}")
    return 0


def _registered(host: PluginHost) -> dict[str, dict[str, list[str]]]:
    """By plugin, then by kind of item (in REGISTERED order): what it added.

    Each plugin's hook is called on its own and nothing is checked, so that
    the listing still shows the plugins that `check` refuses (two claiming
    one format name, say): it is where one looks to find out why.
    """
    result: dict[str, dict[str, list[str]]] = {}
    for hook, label, show in REGISTERED:
        for impl in reversed(host.implementations(hook)):
            shown = _shown(impl, show)
            if shown:
                result.setdefault(impl.plugin, {})[label] = shown
    return result


def _shown(impl: Implementation, show: Callable[[Any], str]) -> list[str]:
    try:
        return [show(item) for item in impl() or ()]
    except Exception as error:  # a broken plugin is listed, not fatal here
        return [f"(none: {impl.plugin} raised {type(error).__name__})"]
