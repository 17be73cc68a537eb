"""`claimpolicy explain`: a rule's definition, source, versions and overrides."""

from __future__ import annotations

import argparse
from typing import Any

from claimpolicy.authoring.explain import (
    edit_text,
    explain_edit,
    explain_rule,
    explanation_text,
)
from claimpolicy.cli.common import add_engine_options, make_engine
from claimpolicy.errors import InputError


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "explain",
        help="show a rule: title, kind, parameters, source, versions, overrides",
        description="Show a rule as its newest version defines it: title, kind, "
        "severity, category, reference, note, parameters, the file and line "
        "where it is written, every pack version that has it (and how an "
        "older one differs) and the packs that override it. A custom edit a "
        "plugin registers is shown with the plugin and its distribution.",
    )
    parser.add_argument(
        "rule",
        metavar="RULE_ID",
        help="qualified (cms-core/EM-MOD25-DRUG-ADMIN), or bare if one pack has it",
    )
    add_engine_options(parser, lock=False)
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    # Resolved: a relative folder whose packs share rule files (../common)
    # trips the pack loader's relative file names.
    arguments.pack_path = [path.resolve() for path in arguments.pack_path]
    engine = make_engine(arguments)
    try:
        explanation = explain_rule(
            engine.registry, engine.kinds, arguments.rule, engine.edits
        )
    except InputError:
        edit = explain_edit(engine.plugins, arguments.rule)
        if edit is None:
            raise
        print(edit_text(edit))
        return 0
    print(explanation_text(explanation))
    return 0
