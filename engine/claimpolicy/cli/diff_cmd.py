"""`claimpolicy diff`: what changed between two versions of a pack."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from claimpolicy.authoring.diff import DEFAULT_EXAMPLES, diff_packs
from claimpolicy.authoring.diff_text import diff_text
from claimpolicy.cli.common import add_engine_options, make_engine
from claimpolicy.engine import Engine
from claimpolicy.errors import InputError
from claimpolicy.packs.pack import MANIFEST, PackVersion, load_pack

DESCRIPTION = """\
Compare two pack versions, each NAME@VERSION or a folder holding a pack.toml:
manifest fields, rules added, removed and changed (field by field and
parameter by parameter), overrides, and code sets. For each code system the
code set of a version is the one of its listed code sets in force on the
version's FIRST day (or, if none is then, the first to come into force in
its window): cms-core 2025.1 (from 2025-01-01) stands for ICD-10-CM FY2025
and 2026.1 for FY2026, although 2025.1 also lists FY2026 for its last
quarter. The codes added (billable codes apart from new non-billable
headers, such as G35.B in FY2026), removed, made non-billable (a billable
code that became a header, such as G35) and made billable are counted, with
examples; ICD-10-CM codes are shown with their dot. Code sets added to or
dropped from the manifest's list are shown too. --format json writes the
documented structure of claimpolicy.authoring.diff (format
claimpolicy-pack-diff, version 2)."""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "diff",
        help="compare two pack versions: rules, overrides, code sets",
        description=DESCRIPTION,
    )
    parser.add_argument("old", metavar="OLD", help="NAME@VERSION or a pack folder")
    parser.add_argument("new", metavar="NEW", help="NAME@VERSION or a pack folder")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="default: text"
    )
    parser.add_argument(
        "--examples",
        type=int,
        default=DEFAULT_EXAMPLES,
        metavar="N",
        help=f"codes shown per kind of change (default {DEFAULT_EXAMPLES})",
    )
    parser.add_argument(
        "--codes",
        action="append",
        default=[],
        metavar="PREFIX",
        help="show only the changes of codes starting with PREFIX "
        "(repeatable; ICD-10-CM with or without the dot: G35)",
    )
    add_engine_options(parser, lock=False)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    if arguments.examples < 0:
        raise InputError("--examples", f"{arguments.examples} is below 0")
    # Resolved: a relative folder whose packs share rule files (../common)
    # trips the pack loader's relative file names.
    arguments.pack_path = [path.resolve() for path in arguments.pack_path]
    engine = make_engine(arguments)
    old = pack_version(engine, arguments.old)
    new = pack_version(engine, arguments.new)
    prefixes = tuple(p.replace(".", "").upper() for p in arguments.codes) or ("",)
    diff = diff_packs(
        old,
        new,
        engine.registry.codesets,
        examples=arguments.examples,
        prefixes=prefixes,
    )
    if arguments.format == "json":
        print(json.dumps(diff.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(diff_text(diff))
    return 0


def pack_version(engine: Engine, text: str) -> PackVersion:
    """A pack version by NAME@VERSION, or read from a folder."""
    folder = Path(text)
    if (folder / MANIFEST).is_file():
        return load_pack(folder.resolve(), engine.kinds, "diff")
    name, _, version = text.partition("@")
    if not version:
        raise InputError(text, "expected NAME@VERSION or a folder holding a pack.toml")
    pack = engine.registry.get(name, version)
    if pack is None:
        known = ", ".join(p.key for p in engine.registry.all())
        raise InputError(text, f"no such pack version (known: {known})")
    return pack
