"""The `claimpolicy` command line.

Exit codes, as the contract fixes them: 0 every claim passed or only warned;
1 at least one claim failed, was invalid or could not be checked (or, for
the authoring commands, a check of the packs failed); 2 the run could not
start (bad arguments, a pack that does not load, a lock that does not match).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from claimpolicy._version import __version__
from claimpolicy.cli import check_cmd, lock_cmd, packs_cmd, plugins_cmd
from claimpolicy.errors import ClaimpolicyError

__all__ = ["main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

COMMANDS = (check_cmd, packs_cmd, lock_cmd, plugins_cmd)


def _optional_commands() -> list[object]:
    # Commands for pack authors live in their own modules and register the
    # same way; they are imported here so that a missing one is loud.
    from claimpolicy.cli import authoring_cmds

    return list(authoring_cmds.COMMANDS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimpolicy",
        description="Check professional claims against versioned policy packs.",
    )
    parser.add_argument(
        "--version", action="version", version=f"claimpolicy {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (*COMMANDS, *_optional_commands()):
        module.register(commands)  # type: ignore[attr-defined]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        return int(arguments.run(arguments))
    except ClaimpolicyError as error:
        print(f"claimpolicy: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader of our output went away (`| head`): not our failure.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("claimpolicy: interrupted", file=sys.stderr)
        return 130
