"""The engine: packs loaded once, then any number of claims checked.

    >>> engine = Engine()
    >>> report = engine.check(claim_document)
    >>> report.outcome, [f.rule for f in report.findings]

Loading is the expensive part (packs, code sets, compiled rule sets), so
keep one engine and feed it claims. A claim goes through: the schema, the
plugins' preparation, the packs in force on its date of service, the rules,
the plugins' own edits and adjustments, then one report.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.errors import PluginError
from claimpolicy.kinds.base import Rule, RuleKind
from claimpolicy.packs.lock import Lock
from claimpolicy.packs.registry import PackRegistry, PackSource
from claimpolicy.packs.resolve import NoPackInForce, Resolver
from claimpolicy.plugin_api import Edit, Hit
from claimpolicy.plugins import PluginHost
from claimpolicy.report import Finding, Report, outcome_of
from claimpolicy.resources import claim_schema
from claimpolicy.ruleset import RuleSet
from claimpolicy.validation import ClaimValidator, SchemaProblem

__all__ = ["PACK_PATH_VARIABLE", "Engine"]

PACK_PATH_VARIABLE = "CLAIMPOLICY_PACK_PATH"
ENGINE_RULE = "claimpolicy"
SCHEMA_REFERENCE = "claimpolicy claim document v1 (schemas/claim.schema.json)"
ENGINE_REFERENCE = "claimpolicy engine"


class Engine:
    """Checks claim documents against the packs in force on their dates."""

    def __init__(
        self,
        *,
        pack_paths: Sequence[Path | str] = (),
        lock: Lock | None = None,
        plugins: PluginHost | None = None,
        explain: bool = False,
    ) -> None:
        self.plugins = plugins if plugins is not None else PluginHost()
        self.kinds = _kinds(self.plugins)
        self.registry = PackRegistry.discover(self._sources(pack_paths), self.kinds)
        if lock is not None:
            self.registry = lock.apply(self.registry)
        self.lock = lock
        self.resolver = Resolver(self.registry)
        self.validator = ClaimValidator(claim_schema())
        self.explain = explain
        self.edits = _edits(self.plugins)
        self._rulesets: dict[tuple[str, ...], RuleSet] = {}
        hooks = self.plugins
        self._prepare = hooks.has_implementations("claimpolicy_prepare_claim")
        self._custom = hooks.has_implementations("claimpolicy_check_claim")
        self._adjust = hooks.has_implementations("claimpolicy_adjust_findings")

    def _sources(self, pack_paths: Sequence[Path | str]) -> list[PackSource]:
        sources = [
            PackSource(Path(folder), f"plugin {plugin}")
            for plugin, folder in self.plugins.collect(
                "claimpolicy_register_pack_paths"
            )
        ]
        sources += [PackSource(Path(p), "--pack-path") for p in pack_paths]
        for entry in os.environ.get(PACK_PATH_VARIABLE, "").split(os.pathsep):
            if entry:
                sources.append(PackSource(Path(entry), PACK_PATH_VARIABLE))
        return sources

    # -- public API ----------------------------------------------------------

    def check(self, claim: object) -> Report:
        """Check one claim document (a parsed JSON object)."""
        problems = self.validator.problems(claim)
        if problems:
            return _invalid(claim, problems)
        assert isinstance(claim, MutableMapping)  # the schema says it is one
        return self._check_valid(claim)

    def check_many(self, claims: Iterable[object]) -> Iterator[Report]:
        """Check claims lazily, one report per claim, in order."""
        for claim in claims:
            yield self.check(claim)

    def check_json(self, text: bytes | str) -> Report:
        """Check one JSON text; a blank or broken one gets an `invalid` report."""
        if not text.strip():
            return _unreadable("blank line: expected a claim document")
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            return _unreadable(f"not valid JSON: {error}")
        return self.check(document)

    def unreadable(self, message: str) -> Report:
        """The `invalid` report of a record a reader could not read."""
        return _unreadable(message)

    def ruleset_for(self, payer: str | None, day: date) -> RuleSet | NoPackInForce:
        packs = self.resolver.resolve(payer, day)
        if isinstance(packs, NoPackInForce):
            return packs
        key = tuple(pack.key for pack in packs)
        ruleset = self._rulesets.get(key)
        if ruleset is None:
            ruleset = RuleSet(packs, self.kinds, self.registry.codesets)
            self._rulesets[key] = ruleset
        return ruleset

    # -- the way of a valid claim --------------------------------------------

    def _check_valid(self, claim: MutableMapping[str, Any]) -> Report:
        claim_id = claim["claim_id"]
        findings: list[Finding] = []
        if self._prepare and not self._call_plugins(
            "claimpolicy_prepare_claim", findings, claim=claim
        ):
            return Report(claim_id, "error", (), findings)
        prepared = PreparedClaim(claim)
        ruleset = self.ruleset_for(prepared.payer, prepared.service_date)
        if isinstance(ruleset, NoPackInForce):
            first = next(
                line
                for line in prepared.lines
                if line.service_date == prepared.service_date
            )
            return Report(claim_id, "error", (), [_no_pack(ruleset, first)])

        emit = _Collector(findings, self.explain)
        kind = ""
        try:
            for kind, check in ruleset.checks:  # noqa: B007 - the except reads it
                check(prepared, emit)
        except Exception as error:
            # Name the exception's type only: its text could quote claim data.
            findings.append(
                _engine_finding(f"rule kind {kind!r} raised {type(error).__name__}")
            )

        if self._custom:
            self._custom_edits(claim, prepared, ruleset, findings, emit)
        if self._adjust:
            kept = list(findings)
            self._call_plugins(
                "claimpolicy_adjust_findings", findings, claim=claim, findings=findings
            )
            findings.extend(f for f in kept if f not in findings)
        findings.sort(key=Finding.sort_key)
        return Report(claim_id, outcome_of(findings), ruleset.stamps, findings)

    def _custom_edits(
        self,
        claim: MutableMapping[str, Any],
        prepared: PreparedClaim,
        ruleset: RuleSet,
        findings: list[Finding],
        emit: _Collector,
    ) -> None:
        hook = self.plugins.hook.claimpolicy_check_claim
        try:
            results = hook(claim=claim, prepared=prepared, packs=ruleset.stamps)
        except Exception as error:
            plugin = self.plugins.culprit(
                "claimpolicy_check_claim", error.__traceback__
            )
            findings.append(_plugin_failed(plugin, "claimpolicy_check_claim", error))
            return
        for result in results:
            for hit in result or ():
                emit.hit(hit, self.edits)

    def _call_plugins(
        self, hook_name: str, failures: list[Finding], **kwargs: Any
    ) -> bool:
        try:
            getattr(self.plugins.hook, hook_name)(**kwargs)
        except Exception as error:
            plugin = self.plugins.culprit(hook_name, error.__traceback__)
            failures.append(_plugin_failed(plugin, hook_name, error))
            return False
        return True


class _Collector:
    """The `emit` that kinds call: the one place where findings are built."""

    __slots__ = ("explain", "findings")

    def __init__(self, findings: list[Finding], explain: bool) -> None:
        self.findings = findings
        self.explain = explain

    def __call__(
        self,
        rule: Rule,
        message: str,
        *,
        line: Line | None = None,
        at: str = "",
        evidence: Mapping[str, Any] | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                rule.qualified_id,
                rule.category,
                rule.severity,
                line.number if line is not None else None,
                f"/lines/{line.index}{at}" if line is not None else at,
                message,
                rule.reference,
                evidence if self.explain else None,
            )
        )

    def hit(self, hit: Hit, edits: Mapping[str, Edit]) -> None:
        edit = edits.get(hit.edit.id, hit.edit)
        line = hit.line
        self.findings.append(
            Finding(
                edit.id,
                "custom",
                edit.severity,
                line.number if line is not None else None,
                f"/lines/{line.index}{hit.at}" if line is not None else hit.at,
                hit.message,
                edit.reference,
                hit.evidence if self.explain else None,
            )
        )


def _kinds(plugins: PluginHost) -> dict[str, RuleKind]:
    kinds: dict[str, RuleKind] = {}
    owners: dict[str, str] = {}
    for plugin, kind in plugins.collect("claimpolicy_register_rule_kinds"):
        if kind.name in kinds:
            raise PluginError(
                plugin,
                f"rule kind {kind.name!r} is already registered by {owners[kind.name]}",
            )
        kinds[kind.name] = kind
        owners[kind.name] = plugin
    return kinds


def _edits(plugins: PluginHost) -> dict[str, Edit]:
    return {edit.id: edit for _, edit in plugins.collect("claimpolicy_register_edits")}


def _claim_id(document: object) -> str | None:
    if isinstance(document, Mapping):
        claim_id = document.get("claim_id")
        if isinstance(claim_id, str) and 0 < len(claim_id) <= 64:
            return claim_id
    return None


def _invalid(document: object, problems: list[SchemaProblem]) -> Report:
    findings = [
        Finding(
            f"{ENGINE_RULE}/SCHEMA",
            "schema",
            "error",
            _line_of(problem.pointer),
            problem.pointer,
            problem.message,
            SCHEMA_REFERENCE,
        )
        for problem in problems
    ]
    findings.sort(key=Finding.sort_key)
    return Report(_claim_id(document), "invalid", (), findings)


def _line_of(pointer: str) -> int | None:
    parts = pointer.split("/")
    if len(parts) > 2 and parts[1] == "lines" and parts[2].isdigit():
        return int(parts[2]) + 1
    return None


def _unreadable(message: str) -> Report:
    finding = Finding(
        f"{ENGINE_RULE}/SCHEMA", "schema", "error", None, "", message, SCHEMA_REFERENCE
    )
    return Report(None, "invalid", (), [finding])


def _engine_finding(message: str) -> Finding:
    return Finding(
        f"{ENGINE_RULE}/ENGINE", "engine", "error", None, "", message, ENGINE_REFERENCE
    )


def _no_pack(reason: NoPackInForce, line: Line) -> Finding:
    return Finding(
        f"{ENGINE_RULE}/NO-PACK-IN-FORCE",
        "engine",
        "error",
        line.number,
        f"/lines/{line.index}/service_date",
        reason.message,
        ENGINE_REFERENCE,
    )


def _plugin_failed(plugin: str, hook: str, error: Exception) -> Finding:
    # The exception's text could quote claim data; name only its type.
    return Finding(
        f"{ENGINE_RULE}/PLUGIN-FAILED",
        "engine",
        "error",
        None,
        "",
        f"plugin {plugin} raised {type(error).__name__} in {hook}; "
        "the claim was not checked in full",
        ENGINE_REFERENCE,
    )
