"""The per-claim hooks, each plugin called on its own and held to its word.

The engine calls `prepare_claim`, `check_claim` and `adjust_findings` one
implementation at a time rather than through pluggy's single call, so that a
plugin that raises is named exactly, the other plugins still run, and what
the faulty plugin did to the claim is undone. A fault becomes a finding of
category `engine` on that claim only; the batch goes on.

Messages name the plugin, the hook and the exception's type, never the
exception's text: it could quote claim data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any, Final

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.io.formats import WHOLE_DOCUMENT
from claimpolicy.plugin_api import Edit, Hit
from claimpolicy.plugins import PluginHost
from claimpolicy.report import SEVERITIES, Finding, PackStamp, Waiver

__all__ = [
    "PLUGIN_FAILED",
    "ClaimHooks",
    "kind_failed",
    "plugin_failed",
    "raised_type",
]

PLUGIN_FAILED: Final = "claimpolicy/PLUGIN-FAILED"
ENGINE_REFERENCE: Final = "claimpolicy engine"
PREPARE = "claimpolicy_prepare_claim"
CHECK = "claimpolicy_check_claim"
ADJUST = "claimpolicy_adjust_findings"
NOT_IN_FULL: Final = "the claim was not checked in full"
NOT_AT_ALL: Final = "no rule ran on the claim"
UNDONE: Final = "its adjustments were undone"
_POINTER = re.compile(r"(/([^~/]|~[01])*)*")


class _BrokenPromise(Exception):
    """A plugin returned or did something its hook does not allow."""


def plugin_failed(
    plugin: str, where: str, problem: str, outcome: str = NOT_IN_FULL
) -> Finding:
    """The `engine` finding of a plugin fault on one claim."""
    return Finding(
        PLUGIN_FAILED,
        "engine",
        "error",
        None,
        "",
        f"plugin {plugin} {problem} in {where}; {outcome}",
        ENGINE_REFERENCE,
        {"plugin": plugin, "hook": where},
    )


def kind_failed(kind: str, plugin: str, error: BaseException) -> Finding:
    """The finding of a rule kind that raised: its rules did not run."""
    where = f"rule kind {kind!r} (claimpolicy_register_rule_kinds)"
    return plugin_failed(plugin, where, raised(error))


def raised(error: BaseException) -> str:
    return raised_type(type(error).__name__)


def raised_type(name: str) -> str:
    """What a plugin did, by the exception's type name only."""
    return f"raised {name}"


class ClaimHooks:
    """The plugins' per-claim hooks, ready to call for each claim."""

    def __init__(
        self,
        host: PluginHost,
        problems_of: Callable[[object], list[Any]],
        *,
        explain: bool = False,
    ) -> None:
        self.prepare_impls = host.implementations(PREPARE)
        self.check_impls = host.implementations(CHECK)
        self.adjust_impls = host.implementations(ADJUST)
        self.edits: dict[str, tuple[str, Edit]] = {
            edit.id: (plugin, edit)
            for plugin, edit in host.collect("claimpolicy_register_edits")
        }
        self._problems_of = problems_of
        self._explain = explain

    # -- prepare ---------------------------------------------------------------

    def prepare(self, claim: MutableMapping[str, Any]) -> Finding | None:
        """Run every `prepare_claim`; the first fault, or None when all is well."""
        for impl in self.prepare_impls:
            try:
                impl(claim=claim)
            except Exception as error:
                return plugin_failed(impl.plugin, PREPARE, raised(error), NOT_AT_ALL)
            # A prepared claim must still be one the rules can read.
            problems = self._problems_of(claim)
            if problems:
                where = ", ".join(
                    sorted({p.pointer or WHOLE_DOCUMENT for p in problems})
                )
                problem = f"left the claim breaking the schema at {where}"
                return plugin_failed(impl.plugin, PREPARE, problem, NOT_AT_ALL)
        return None

    # -- check -----------------------------------------------------------------

    def check(
        self,
        claim: MutableMapping[str, Any],
        prepared: PreparedClaim,
        packs: tuple[PackStamp, ...],
        findings: list[Finding],
    ) -> None:
        """Run every `check_claim` and add the findings of their hits."""
        for impl in self.check_impls:
            try:
                result = impl(claim=claim, prepared=prepared, packs=packs)
                found = [
                    self._finding(impl.plugin, hit, prepared) for hit in _hits(result)
                ]
            except _BrokenPromise as problem:
                findings.append(plugin_failed(impl.plugin, CHECK, str(problem)))
            except Exception as error:
                findings.append(plugin_failed(impl.plugin, CHECK, raised(error)))
            else:
                findings.extend(found)

    def _finding(self, plugin: str, hit: object, prepared: PreparedClaim) -> Finding:
        if not isinstance(hit, Hit):
            raise _BrokenPromise(f"returned {type(hit).__name__}, not a Hit,")
        edit_id = getattr(hit.edit, "id", None)
        owner, edit = self.edits.get(edit_id, ("", None)) if edit_id else ("", None)
        if edit is None or owner != plugin:
            raise _BrokenPromise(
                f"returned a hit of edit {getattr(hit.edit, 'id', hit.edit)!r}, "
                "which it did not register with claimpolicy_register_edits,"
            )
        line = hit.line
        if line is not None and not _line_of(prepared, line):
            raise _BrokenPromise(
                f"returned a hit of {edit.id} on a line not of this claim,"
            )
        if not isinstance(hit.at, str) or not _POINTER.fullmatch(hit.at):
            raise _BrokenPromise(
                f"returned a hit of {edit.id} at {hit.at!r}, not a JSON Pointer,"
            )
        if not isinstance(hit.message, str) or not hit.message.strip():
            raise _BrokenPromise(f"returned a hit of {edit.id} without a message,")
        return Finding(
            edit.id,
            "custom",
            edit.severity,
            line.number if line is not None else None,
            f"/lines/{line.index}{hit.at}" if line is not None else hit.at,
            hit.message,
            edit.reference,
            dict(hit.evidence) if self._explain and hit.evidence else None,
        )

    # -- adjust ----------------------------------------------------------------

    def adjust(
        self,
        claim: MutableMapping[str, Any],
        packs: tuple[PackStamp, ...],
        findings: list[Finding],
    ) -> None:
        """Run every `adjust_findings`, undoing a plugin's changes on a fault."""
        for impl in self.adjust_impls:
            before = [(finding, _state(finding)) for finding in findings]
            try:
                impl(claim=claim, findings=findings, packs=packs)
                _check_adjustments(before, findings)
            except _BrokenPromise as problem:
                _restore(before, findings)
                findings.append(
                    plugin_failed(impl.plugin, ADJUST, str(problem), UNDONE)
                )
            except Exception as error:
                _restore(before, findings)
                findings.append(
                    plugin_failed(impl.plugin, ADJUST, raised(error), UNDONE)
                )


def _hits(result: object) -> list[object]:
    if result is None:
        return []
    if isinstance(result, Hit):
        raise _BrokenPromise("returned a single Hit, not a list of them,")
    if not isinstance(result, Iterable) or isinstance(result, str | bytes):
        raise _BrokenPromise(f"returned {type(result).__name__}, not a list of hits,")
    return list(result)


def _line_of(prepared: PreparedClaim, line: object) -> bool:
    if not isinstance(line, Line):
        return False
    return 0 <= line.index < len(prepared.lines) and prepared.lines[line.index] is line


_State = tuple[Any, ...]


def _state(finding: Finding) -> _State:
    return (
        finding.rule,
        finding.category,
        finding.severity,
        finding.line,
        finding.path,
        finding.message,
        finding.reference,
        finding.evidence,
        finding.waived,
    )


_SEVERITY, _WAIVED = 2, 8
_ADJUSTABLE = frozenset({_SEVERITY, _WAIVED})


def _check_adjustments(
    before: list[tuple[Finding, _State]], findings: list[Finding]
) -> None:
    if len(findings) != len(before) or {id(f) for f in findings} != {
        id(f) for f, _ in before
    }:
        raise _BrokenPromise("removed, added or replaced findings")
    for finding, old in before:
        new = _state(finding)
        changed = {
            index
            for index, (a, b) in enumerate(zip(old, new, strict=True))
            if a is not b and a != b
        }
        if not changed:
            continue
        if changed - _ADJUSTABLE:
            raise _BrokenPromise(
                f"changed more than severity and waiver of {finding.rule}"
            )
        if finding.category == "engine":
            raise _BrokenPromise(f"waived or changed the engine finding {finding.rule}")
        if finding.severity not in SEVERITIES:
            raise _BrokenPromise(
                f"set the severity of {finding.rule} to {finding.severity!r}"
            )
        if finding.waived is not None and not _is_waiver(finding.waived):
            raise _BrokenPromise(f"waived {finding.rule} without who and why")


def _is_waiver(waiver: object) -> bool:
    return (
        isinstance(waiver, Waiver)
        and isinstance(waiver.by, str)
        and isinstance(waiver.reason, str)
        and bool(waiver.by.strip())
        and bool(waiver.reason.strip())
    )


def _restore(before: list[tuple[Finding, _State]], findings: list[Finding]) -> None:
    findings[:] = [finding for finding, _ in before]
    for finding, state in before:
        (
            finding.rule,
            finding.category,
            finding.severity,
            finding.line,
            finding.path,
            finding.message,
            finding.reference,
            finding.evidence,
            finding.waived,
        ) = state
