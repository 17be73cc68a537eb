"""The hook specifications of claimpolicy: the one reference for plugin authors.

A plugin is a module (or an object) with functions marked
`@claimpolicy.hookimpl` and named after the hooks below. Installed plugins are
found through the entry point group `claimpolicy`; `--plugin MODULE` loads one
by import path for a single run. The engine's own rule kinds, readers, report
formats and packs enter through the same hooks, registered first.

Verbs keep one meaning across hooks:

- `register_*` hooks take nothing and return a list of items. They are called
  once, when the engine (or the command line) starts, and the lists of every
  plugin are merged. A name claimed twice (a rule kind, an edit id, a report
  format, a file suffix) stops the run with an error naming both plugins.
- `prepare_*` hooks change their argument in place and return nothing.
- `check_*` hooks return findings of their own, as a list of `Hit`s.
- `adjust_*` hooks change a list of findings in place and return nothing.

No hook is first-result: every implementation is called. Per-claim hooks run
in pluggy's order (plugins registered later first; `tryfirst`/`trylast` move
one). Hook wrappers are refused. An implementation may take fewer arguments
than its hook offers, never other ones.

Hooks that act on one claim receive the claim document as `claim` and are
called once per claim, never once per rule. When a plugin raises inside one
of them, or inside a rule kind it registered, that claim's report gets a
finding of category `engine` naming the plugin and the hook, its outcome is
`error`, the other plugins still run, and the batch goes on with the next
claim. An exception in a `register_*` hook stops the run at start-up.
"""

# The specifications are signatures with documentation and no body.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from os import PathLike
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from claimpolicy.claim import PreparedClaim
    from claimpolicy.io.formats import ReportFormat
    from claimpolicy.io.readers import Reader
    from claimpolicy.kinds.base import RuleKind
    from claimpolicy.plugin_api import Edit, Hit
    from claimpolicy.report import Finding, PackStamp

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "claimpolicy"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def claimpolicy_register_rule_kinds() -> Iterable[RuleKind]:
    """Add rule kinds that packs can then use by their `name`.

    Called once when the engine starts, before any pack loads.
    Returns a list of `claimpolicy.RuleKind` instances.
    Results of all plugins are merged; two kinds of one name stop the run
    with an error naming both plugins. A kind that raises while checking a
    claim gives that claim an `engine` finding naming this plugin.
    """


@hookspec
def claimpolicy_register_pack_paths() -> Iterable[str | PathLike[str]]:
    """Provide folders that hold packs (and code sets) this plugin ships.

    Called once when the engine starts, before `--pack-path` folders and
    CLAIMPOLICY_PACK_PATH. Returns a list of folders on disk; a payer ships
    its pack inside its Python package and returns
    `importlib.resources.files(package) / "policies"`. Every `pack.toml` and
    `codeset.toml` below a folder is loaded.
    Results of all plugins are merged.
    """


@hookspec
def claimpolicy_register_readers() -> Iterable[Reader]:
    """Add readers of input formats for `claimpolicy check FILE`.

    Called once when the command line starts. Returns a list of
    `claimpolicy.Reader` instances. A reader claims the files whose names end
    with one of its `suffixes` (the longest matching suffix wins) and yields
    one record per claim, in order: raw JSON bytes, a parsed document, or a
    `BrokenInput` for a record it cannot read, so that nothing is lost.
    A reader that raises instead costs the rest of its file: the record it
    failed on gets an `error` report naming the plugin and the exception
    type, and the next file is read. Results of all plugins are merged; one
    suffix claimed twice stops the run.
    """


@hookspec
def claimpolicy_register_formats() -> Iterable[ReportFormat]:
    """Add report formats for `claimpolicy check --format NAME`.

    Called once when the command line starts. Returns a list of
    `claimpolicy.ReportFormat` instances: a `name` and a writer that takes
    reports one at a time and writes them to a binary stream. A writer
    that raises stops the run (exit 2, one line naming the plugin and the
    format), since its output can no longer be trusted. Results of all
    plugins are merged; one name claimed twice stops the run.
    """


@hookspec
def claimpolicy_register_edits() -> Iterable[Edit]:
    """Declare the custom edits this plugin's `claimpolicy_check_claim` reports.

    Called once when the engine starts. Returns a list of `claimpolicy.Edit`:
    id (`prefix/NAME`), severity, title and public reference, which the
    engine stamps on each finding, so that every edit is known before it
    fires. Results of all plugins are merged; one id claimed twice stops the
    run.
    """


@hookspec
def claimpolicy_prepare_claim(claim: MutableMapping[str, Any]) -> None:
    """Normalise one claim document, `claim`, in place before packs are chosen.

    Called once per claim, after the document passed the schema and before
    the engine reads it, so a change of `payer` or of a code decides which
    packs and rules apply. Use it to map a clearinghouse's payer id or a
    vendor's local code to the standard one. Returns nothing.
    Every implementation is called. The document is checked against the
    schema again afterwards; a plugin that leaves it broken, or raises, gets
    the claim an `engine` finding and no rule runs on it.
    """


@hookspec
def claimpolicy_check_claim(
    claim: MutableMapping[str, Any],
    prepared: PreparedClaim,
    packs: tuple[PackStamp, ...],
) -> Iterable[Hit] | None:
    """Add findings of this plugin's own edits (custom edits in Python).

    Called once per claim, after the pack rules ran. `claim` is the document
    (read it, do not change it), `prepared` the claim as rules read it
    (normalised codes, parsed dates and times, `lines`), `packs` the pack
    versions applied: a payer's edit checks that its own pack is among them.
    Returns a list of `claimpolicy.Hit`, or None. Each hit names an `Edit`
    this plugin registered, a message and where in the claim; the engine
    stamps category `custom` and the edit's id, severity and reference.
    Results of all plugins are merged.
    """


@hookspec
def claimpolicy_adjust_findings(
    claim: MutableMapping[str, Any],
    findings: list[Finding],
    packs: tuple[PackStamp, ...],
) -> None:
    """Adjust the findings of one claim in place, after every rule and edit.

    Called once per claim, last, with the document (`claim`), its
    `findings` and the pack versions applied (`packs`: a payer's plugin
    checks that its own pack is among them). A plugin may change a
    finding's `severity` or waive it with `finding.waive(by=..., reason=...)`:
    a waived finding stays in the report, marked with who waived it and why,
    and no longer counts toward the outcome. Nothing else may change:
    findings cannot be removed or added, and `engine` findings cannot be
    waived or softened. A plugin that breaks these rules, or raises, has its
    adjustments undone and the claim gets an `engine` finding.
    Returns nothing. Every implementation is called, each seeing the
    adjustments of those before it.
    """
