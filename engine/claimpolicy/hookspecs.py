"""The hook specifications of claimpolicy: the one reference for plugin authors.

A plugin is a module or object with functions marked `@claimpolicy.hookimpl`
and named after the hooks below. Plugins are found through the entry point
group `claimpolicy`; the engine's own rule kinds, readers, formats and packs
enter through the same hooks.

Verbs keep one meaning across hooks:

- `register_*` hooks take no claim and return items; the engine merges the
  lists of every plugin. They are called once, when the engine starts.
- `prepare_*` hooks change their argument in place and return nothing.
- `check_*` hooks return findings of their own.
- `adjust_*` hooks change a list of findings in place.

Hooks that act on one claim receive the claim document as `claim`, and are
called once per claim, never once per rule. When a plugin raises inside a
per-claim hook, that claim's report gets an `engine` finding naming the
plugin and the hook, its outcome is `error`, and the batch goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from claimpolicy.claim import PreparedClaim
    from claimpolicy.io.formats import ReportFormat
    from claimpolicy.io.readers import Reader
    from claimpolicy.kinds.base import RuleKind
    from claimpolicy.plugin_api import Edit, Hit
    from claimpolicy.report import Finding, PackStamp

__all__ = ["hookimpl", "hookspec"]

PROJECT = "claimpolicy"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def claimpolicy_register_rule_kinds() -> Iterable[RuleKind]:
    """Return rule kinds that packs can then use by their `name`.

    Called once when the engine starts, before any pack loads. Each item is
    an instance of `claimpolicy.RuleKind`. Two kinds with one name stop the
    engine with an error naming both plugins.
    """


@hookspec
def claimpolicy_register_pack_paths() -> Iterable[Path]:
    """Return folders that hold packs (and code sets) this plugin ships.

    Called once when the engine starts. A payer ships its pack inside its
    Python package and returns `importlib.resources.files(...)` of it as a
    `Path`. Folders are searched for `pack.toml` and `codeset.toml` files.
    """


@hookspec
def claimpolicy_register_readers() -> Iterable[Reader]:
    """Return readers of input formats, each a `claimpolicy.Reader`.

    Called once when the command line starts. A reader claims files by their
    suffix and turns them into claim documents (one per claim, in order); a
    record it cannot read becomes a `BrokenInput`, so that nothing is lost.
    """


@hookspec
def claimpolicy_register_formats() -> Iterable[ReportFormat]:
    """Return report formats for `claimpolicy check --format NAME`.

    Called once when the command line starts. Each item is a
    `claimpolicy.ReportFormat`: a name and a writer of reports to a stream.
    """


@hookspec
def claimpolicy_register_edits() -> Iterable[Edit]:
    """Return the custom edits this plugin's `check_claim` may report.

    Called once when the engine starts. An `Edit` carries the id, severity,
    title and public reference that the engine stamps on each finding, so
    that `explain` and coverage know every edit before it fires.
    """


@hookspec
def claimpolicy_prepare_claim(claim: MutableMapping[str, Any]) -> None:
    """Normalise a claim document in place before the rules run.

    Called once per claim, after the document passed the schema and before
    packs are chosen. Use it to map a vendor's local codes to standard ones.
    Return nothing.
    """


@hookspec
def claimpolicy_check_claim(
    claim: MutableMapping[str, Any],
    prepared: PreparedClaim,
    packs: tuple[PackStamp, ...],
) -> Iterable[Hit] | None:
    """Return hits of this plugin's custom edits for one claim.

    Called once per claim, after the pack rules ran. `prepared` is the claim
    as the rules read it (normalised codes, parsed dates and times); `packs`
    the pack versions applied. Each `Hit` names an `Edit` from
    `claimpolicy_register_edits`, a message and where in the claim; the
    engine stamps category `custom`, the edit's severity and reference.
    """


@hookspec
def claimpolicy_adjust_findings(
    claim: MutableMapping[str, Any], findings: list[Finding]
) -> None:
    """Change the findings of one claim in place, after every rule ran.

    Called once per claim, last. A plugin may change a finding's severity or
    waive it with `finding.waive(by=..., reason=...)`; a waived finding stays
    in the report, marked, and no longer counts toward the outcome. Removing
    findings from the list is not allowed: the engine restores them.
    """
