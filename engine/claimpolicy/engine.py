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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
from mypy_extensions import mypyc_attr

from claimpolicy._plugin_calls import ClaimHooks, kind_failed
from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.kinds.base import Rule, RuleKind
from claimpolicy.packs.lock import Lock
from claimpolicy.packs.registry import PackRegistry, PackSource
from claimpolicy.packs.resolve import NoPackInForce, Resolver
from claimpolicy.plugin_api import Edit
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


# Compiled with mypyc (setup.py); subclasses written in Python stay allowed.
@mypyc_attr(allow_interpreted_subclasses=True)
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
        # Each kind with the plugin that registered it, to name it on a fault.
        registered = self.plugins.collect("claimpolicy_register_rule_kinds")
        self.kinds: dict[str, RuleKind] = {kind.name: kind for _, kind in registered}
        self.kind_plugins = {kind.name: plugin for plugin, kind in registered}
        self.registry = PackRegistry.discover(self._sources(pack_paths), self.kinds)
        if lock is not None:
            self.registry = lock.apply(self.registry)
        self.lock = lock
        self.resolver = Resolver(self.registry)
        self.validator = ClaimValidator(claim_schema())
        self._is_valid = self.validator.quick_is_valid
        self.explain = explain
        self._rulesets: dict[tuple[str, ...], RuleSet] = {}
        # (payer, date of service) -> rule set: one lookup per claim.
        self._by_day: dict[tuple[str | None, date], RuleSet | NoPackInForce] = {}
        self._hooks = ClaimHooks(self.plugins, self.validator.problems, explain=explain)
        self.edits: dict[str, Edit] = {
            edit_id: edit for edit_id, (_, edit) in self._hooks.edits.items()
        }
        self._prepare = bool(self._hooks.prepare_impls)
        self._custom = bool(self._hooks.check_impls)
        self._adjust = bool(self._hooks.adjust_impls)
        self._compile_rulesets()

    def _compile_rulesets(self) -> None:
        # Every rule set a claim can need is compiled here, with the packs,
        # never in the middle of a batch. That also lets a process freeze
        # the loaded engine out of the garbage collector (the command line
        # does) with the compiled rules inside: about 5% faster checking on
        # the benchmark's claims (median of 5 runs against compiling on first
        # use). Which packs judge a claim changes only on a day when a pack
        # version or a code set starts or ends, so those days reach every
        # rule set there is.
        # The caches of ruleset_for are filled directly: a subclass may
        # override that method and is not yet initialised here.
        days = self._turning_days()
        for payer in self.resolver.payers:
            for day in days:
                self._by_day[payer, day] = self._ruleset_for(payer, day)

    def _turning_days(self) -> list[date]:
        spans = [
            (pack.effective_from, pack.effective_to)
            for name in self.registry.names
            for pack in self.registry.versions(name)
        ]
        spans += [
            (c.effective_from, c.effective_to) for c in self.registry.codesets.values()
        ]
        days = set()
        for start, end in spans:
            days.add(start)
            if end is not None and end < date.max:
                days.add(end + timedelta(days=1))
        return sorted(days)

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

    def load_code_sets(self) -> None:
        """Read every code set now instead of on the first claim that needs it.

        A batch calls this before its first claim: a code set that fails its
        digests stops the run before any output, and the time of reading the
        tables counts as loading, not as checking the first claims.
        """
        for codeset in self.registry.codesets.values():
            codeset.table()

    # -- public API ----------------------------------------------------------

    def check(self, claim: object) -> Report:
        """Check one claim document (a parsed JSON object)."""
        # Most claims are valid: one call into jsonschema-rs says so, and
        # only a claim it refuses pays for naming its problems.
        if self._is_valid is not None and isinstance(claim, dict):
            try:
                valid = self._is_valid(claim)
            except ValueError:  # a value no JSON reader gives; see below
                valid = False
            if valid:
                return self._check_valid(claim)
        problems = self.validator.problems(claim)
        if problems:
            return _invalid(claim, problems)
        assert isinstance(claim, dict)  # the schema says it is an object
        return self._check_valid(claim)

    def check_many(self, claims: Iterable[object]) -> Iterator[Report]:
        """Check claims lazily, one report per claim, in order."""
        for claim in claims:
            yield self.check(claim)

    def check_json(self, text: bytes | str, *, where: str = "") -> Report:
        """Check one JSON text; a blank or broken one gets an `invalid` report.

        `where` ("line 7 of claims.ndjson") leads the message of a blank or
        broken text, which then gives the column alone: the line and
        character orjson counts are those of the text, not of its file.
        """
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            # Only a text that failed is stripped: a copy of every claim's
            # text would cost more than the test of the few that are blank.
            if not text.strip():
                return _unreadable(_at(where, "blank line: expected a claim document"))
            if not where:
                return _unreadable(f"not valid JSON: {error}")
            problem = f"not valid JSON: {error.msg} at column {error.colno}"
            return _unreadable(_at(where, problem))
        return self.check(document)

    def unreadable(self, message: str) -> Report:
        """The `invalid` report of a record a reader could not read."""
        return _unreadable(message)

    def ruleset_for(self, payer: str | None, day: date) -> RuleSet | NoPackInForce:
        found = self._by_day.get((payer, day))
        if found is None:
            found = self._by_day[payer, day] = self._ruleset_for(payer, day)
        return found

    def _ruleset_for(self, payer: str | None, day: date) -> RuleSet | NoPackInForce:
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

    def _check_valid(self, claim: dict[str, Any]) -> Report:
        claim_id = claim["claim_id"]
        findings: list[Finding] = []
        if self._prepare:
            fault = self._hooks.prepare(claim)
            if fault is not None:
                return Report(claim_id, "error", (), [fault])
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
        for kind, check in ruleset.checks:
            # One kind that raises loses its own rules on this claim, no more.
            try:
                check(prepared, emit)
            except Exception as error:
                plugin = self.kind_plugins.get(kind, "unknown")
                findings.append(kind_failed(kind, plugin, error))

        if self._custom:
            self._hooks.check(claim, prepared, ruleset.stamps, findings)
        if self._adjust:
            self._hooks.adjust(claim, ruleset.stamps, findings)
        if not findings:  # most claims: nothing to sort or weigh
            return Report(claim_id, "pass", ruleset.stamps, findings)
        findings.sort(key=Finding.sort_key)
        return Report(claim_id, outcome_of(findings), ruleset.stamps, findings)


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


def _at(where: str, problem: str) -> str:
    return f"{where}: {problem}" if where else problem


def _unreadable(message: str) -> Report:
    finding = Finding(
        f"{ENGINE_RULE}/SCHEMA", "schema", "error", None, "", message, SCHEMA_REFERENCE
    )
    return Report(None, "invalid", (), [finding])


def _no_pack(reason: NoPackInForce, line: Line) -> Finding:
    # NO-PACK-IN-FORCE, or NO-CODESET-IN-FORCE when a pack is in force but a
    # code set it uses is not.
    return Finding(
        f"{ENGINE_RULE}/{reason.rule}",
        "engine",
        "error",
        line.number,
        f"/lines/{line.index}/service_date",
        reason.message,
        ENGINE_REFERENCE,
    )
