"""`claimpolicy packs list|show|verify`: what packs there are and what they hold."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from claimpolicy.cli.common import add_engine_options, make_engine, make_plugins
from claimpolicy.engine import Engine
from claimpolicy.errors import InputError, PackError
from claimpolicy.packs.digest import pack_digest
from claimpolicy.packs.registry import PackRegistry, PackSource
from claimpolicy.packs.resolve import NoPackInForce, Resolver, effective_rules
from claimpolicy.packs.tomlfile import display_path


def register(commands: Any) -> None:
    parser = commands.add_parser("packs", help="list, show and verify policy packs")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="every pack version the engine can see")
    add_engine_options(listing)
    listing.set_defaults(run=run_list)

    show = actions.add_parser("show", help="a pack's rules, with inheritance resolved")
    show.add_argument("pack", metavar="NAME[@VERSION]")
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


def split_pack_ref(text: str) -> tuple[str, str | None]:
    name, _, version = text.partition("@")
    return name, version or None


def find_pack(engine: Engine, text: str) -> Any:
    name, version = split_pack_ref(text)
    pack = engine.registry.get(name, version)
    if pack is None:
        known = ", ".join(p.key for p in engine.registry.all())
        raise InputError(text, f"no such pack version (known: {known})")
    return pack


def run_show(arguments: argparse.Namespace) -> int:
    engine = make_engine(arguments)
    pack = find_pack(engine, arguments.pack)
    chain = Resolver(engine.registry).chain(pack, pack.effective_from)
    if isinstance(chain, NoPackInForce):
        raise InputError(arguments.pack, chain.message)
    print(f"{pack.name} {pack.version}: {pack.title}")
    print(f"  effective: {pack.effective_text()}")
    print(f"  payers:    {', '.join(sorted(pack.payers)) or '(all)'}")
    parents = ", ".join(f"{parent.name} {parent.version}" for parent in chain[:-1])
    print(f"  extends:   {parents or '(none)'}")
    print(f"  codesets:  {', '.join(pack.codesets) or '(none)'}")
    print(f"  digest:    {pack_digest(pack, engine.registry.codesets)}")
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
    return 0


def run_verify(arguments: argparse.Namespace) -> int:
    plugins = make_plugins(arguments)
    engine_probe = Engine(plugins=plugins, pack_paths=arguments.pack_path)
    installed = [PackSource(p.folder, p.origin) for p in engine_probe.registry.all()]
    target = arguments.path.resolve()
    # The folder is checked beside every installed pack, so that its extends
    # and overrides resolve; an installed copy of the same folder is dropped.
    sources = [s for s in installed if s.folder.resolve() != target]
    codeset_roots = {c.folder for c in engine_probe.registry.codesets.values()}
    sources += [PackSource(folder, "code sets") for folder in sorted(codeset_roots)]
    sources.append(PackSource(arguments.path, "verify"))
    try:
        registry = PackRegistry.discover(sources, engine_probe.kinds)
    except PackError as error:
        for problem in error.problems:
            print(problem)
        print(f"{len(error.problems)} problem(s) in {display_path(arguments.path)}")
        return 1
    mine = [p for p in registry.all() if p.folder.resolve().is_relative_to(target)]
    if not mine:
        print(f"{display_path(arguments.path)}: no pack.toml found")
        return 1
    for pack in mine:
        counts = f"{len(pack.rules)} rules, {len(pack.overrides)} overrides"
        print(f"{pack.name} {pack.version}: {counts}: ok")
    return 0


def _print_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
