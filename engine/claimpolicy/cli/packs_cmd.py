"""`claimpolicy packs list|show|verify`: what packs there are and what they hold."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion

from claimpolicy.cli.common import add_engine_options, make_engine, make_plugins
from claimpolicy.engine import PACK_PATH_VARIABLE, Engine
from claimpolicy.errors import InputError, PackError, PackProblem
from claimpolicy.kinds.base import RuleKind
from claimpolicy.packs.digest import pack_digest
from claimpolicy.packs.discovery import Found, PackSource, load_sources
from claimpolicy.packs.pack import PackVersion
from claimpolicy.packs.registry import PackRegistry
from claimpolicy.packs.resolve import NoPackInForce, Resolver, effective_rules
from claimpolicy.packs.tomlfile import display_path
from claimpolicy.plugins import PluginHost

KINDS_HOOK = "claimpolicy_register_rule_kinds"


def register(commands: Any) -> None:
    parser = commands.add_parser("packs", help="list, show and verify policy packs")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="every pack version the engine can see")
    add_engine_options(listing)
    listing.set_defaults(run=run_list)

    show = actions.add_parser("show", help="a pack's rules, with inheritance resolved")
    show.add_argument("pack", metavar="NAME[@VERSION]")
    show.add_argument(
        "--date",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="show the parent versions and rules in force on this date of "
        "service (default: today); without @VERSION, the version in force then",
    )
    add_engine_options(show)
    show.set_defaults(run=run_show)

    verify = actions.add_parser(
        "verify", help="check a pack folder before publishing it (exit 1 on a problem)"
    )
    verify.add_argument("path", type=Path, metavar="PATH")
    add_engine_options(verify, lock=False)
    verify.set_defaults(run=run_verify)


def run_list(arguments: argparse.Namespace) -> int:
    engine = make_engine(arguments)
    rows = [("NAME", "VERSION", "EFFECTIVE", "PAYERS", "RULES", "SOURCE")]
    for pack in engine.registry.all():
        rows.append(
            (
                pack.name,
                str(pack.version),
                pack.effective_text(),
                ", ".join(sorted(pack.payers)) or "(all)",
                str(len(pack.rules)),
                f"{display_path(pack.folder)} ({pack.origin})",
            )
        )
    _print_table(rows)
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date like 2026-03-10"
        ) from None


def split_pack_ref(text: str) -> tuple[str, str | None]:
    """'cms-core@2026.1' -> ('cms-core', '2026.1'); an empty version is an
    error rather than the newest, so that a typo is not read as a choice."""
    name, at, version = text.partition("@")
    if at and not version:
        raise InputError(text, "no version after '@' (expected NAME@VERSION)")
    return name, version or None


def find_pack(engine: Engine, text: str, day: date | None = None) -> PackVersion:
    """A pack version by NAME@VERSION, or by NAME: the version in force on
    `day` when there is one, else the newest."""
    name, version = split_pack_ref(text)
    try:
        pack = engine.registry.get(name, version)
    except InvalidVersion:
        raise InputError(text, f"{version!r} is not a version") from None
    if version is None and day is not None:
        pack = engine.registry.in_force(name, day) or pack
    if pack is None:
        known = ", ".join(p.key for p in engine.registry.all())
        raise InputError(text, f"no such pack version (known: {known})")
    return pack


def run_show(arguments: argparse.Namespace) -> int:
    engine = make_engine(arguments)
    day = arguments.date or date.today()
    pack = find_pack(engine, arguments.pack, day)
    # Parents are chosen per date of service, as a claim of that day gets them.
    chain = Resolver(engine.registry).chain(pack, day)
    if isinstance(chain, NoPackInForce):
        raise InputError(arguments.pack, chain.message)
    _print_summary(engine, pack, chain, day)
    _print_rules(chain)
    return 0


def _print_summary(
    engine: Engine, pack: PackVersion, chain: list[PackVersion], day: date
) -> None:
    print(f"{pack.name} {pack.version}: {pack.title}")
    print(f"  effective: {pack.effective_text()}")
    print(f"  payers:    {', '.join(sorted(pack.payers)) or '(all)'}")
    in_force = "" if pack.in_force(day) else f"; {pack.key} is not in force then"
    print(
        f"  date:      {day.isoformat()} (rules as on this date of service{in_force})"
    )
    parents = ", ".join(f"{parent.name} {parent.version}" for parent in chain[:-1])
    ranges = "; ".join(f"{p.name} {p.versions}" for p in pack.extends)
    chosen = f" (in force on {day.isoformat()}, of {ranges})" if parents else ""
    print(f"  extends:   {parents or '(none)'}{chosen}")
    print(f"  codesets:  {', '.join(pack.codesets) or '(none)'}")
    print(f"  digest:    {pack_digest(pack, engine.registry.codesets)}")


def _print_rules(chain: list[PackVersion]) -> None:
    overridden = {o.target: o for p in chain for o in p.overrides}
    print("  rules:")
    for rule in sorted(effective_rules(tuple(chain)), key=lambda r: r.qualified_id):
        mark = (
            f" (overridden in {overridden[rule.qualified_id].source.file})"
            if rule.qualified_id in overridden
            else ""
        )
        print(
            f"    {rule.qualified_id:<36} {rule.severity:<7} {rule.kind:<22} "
            f"{rule.source}{mark}"
        )
    disabled = [t for t, o in overridden.items() if o.changes.get("enabled") is False]
    for target in sorted(disabled):
        print(f"    {target:<36} disabled by {overridden[target].source.file}")


def run_verify(arguments: argparse.Namespace) -> int:
    plugins = make_plugins(arguments)
    kinds = {kind.name: kind for _, kind in plugins.collect(KINDS_HOOK)}
    # The folder first: a folder reached again from an installed pack path
    # then counts as the one verified.
    sources = [PackSource(arguments.path, "verify")]
    sources += _installed_sources(plugins, arguments.pack_path)
    found = load_sources(sources, kinds)
    target = arguments.path.resolve()
    mine = [p for p in found.packs if p.folder.is_relative_to(target)]
    problems = found.problems + _whole_set_problems(found, mine, target, kinds)
    if problems:
        problems = list(dict.fromkeys(problems))
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) in {display_path(arguments.path)}")
        return 1
    if not mine:
        print(f"{display_path(arguments.path)}: no pack.toml found")
        return 1
    for pack in mine:
        counts = f"{len(pack.rules)} rules, {len(pack.overrides)} overrides"
        print(f"{pack.name} {pack.version}: {counts}: ok")
    return 0


def _installed_sources(
    plugins: PluginHost, pack_paths: Sequence[Path]
) -> list[PackSource]:
    """The pack paths a run would load, as `Engine` gathers them."""
    sources = [
        PackSource(Path(folder), f"plugin {plugin}")
        for plugin, folder in plugins.collect("claimpolicy_register_pack_paths")
    ]
    sources += [PackSource(path, "--pack-path") for path in pack_paths]
    for entry in os.environ.get(PACK_PATH_VARIABLE, "").split(os.pathsep):
        if entry:
            sources.append(PackSource(Path(entry), PACK_PATH_VARIABLE))
    return sources


def _whole_set_problems(
    found: Found,
    mine: list[PackVersion],
    target: Path,
    kinds: Mapping[str, RuleKind],
) -> list[PackProblem]:
    """The checks across packs, with the folder's pack versions and code
    sets in place of installed copies of the same ones, not beside them."""
    keys = {pack.key for pack in mine}
    packs = mine + [p for p in found.packs if p.key not in keys]
    # The registry keeps the last code set of a key: the folder's.
    codesets = sorted(
        found.codesets, key=lambda c: c.folder.resolve().is_relative_to(target)
    )
    try:
        PackRegistry(packs, codesets, kinds).check()
    except PackError as error:
        return error.problems
    return []


def _print_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
