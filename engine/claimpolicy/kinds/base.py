"""The one interface between the engine and rule kinds, built-in or plugged in.

A rule kind is a typed template. Pack authors fill its parameters in TOML;
the kind declares them as a Cerberus schema, compiles all the rules of its
kind into indexes once, when the packs load, and then checks prepared claims.

Kinds never build findings: they call `emit` with the rule, a message that
names the offending value, the line and a path, and the engine stamps the
rest. That keeps one place that builds findings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from claimpolicy.claim import Line, PreparedClaim
    from claimpolicy.codesets.hcpcs import Drug, HcpcsTable
    from claimpolicy.codesets.icd10cm import Icd10cmTable
    from claimpolicy.codesets.procedures import ProcedureTable

__all__ = ["Check", "Emit", "Rule", "RuleKind", "RuleSource", "Tables"]


@dataclass(frozen=True, slots=True)
class RuleSource:
    """Where a rule is written: the file and the line of its `id`."""

    file: str
    line: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    """A rule as it applies: its pack's overrides already merged in."""

    pack: str
    id: str
    kind: str
    category: str
    severity: str
    title: str
    reference: str
    params: Mapping[str, Any]
    source: RuleSource
    note: str | None = None
    # Stamped on every finding, so it is built once rather than per finding.
    qualified_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "qualified_id", f"{self.pack}/{self.id}")


class Emit(Protocol):
    """How a kind reports a hit; the engine turns it into a finding.

    `at` is a JSON Pointer tail: below the line when `line` is given
    (`/modifiers`), from the root of the claim otherwise (`/diagnoses/2`).
    `evidence` holds the values that made the rule fire (codes, times,
    dates, pointers); it reaches the report with `check --explain`.
    """

    def __call__(
        self,
        rule: Rule,
        message: str,
        *,
        line: Line | None = None,
        at: str = "",
        evidence: Mapping[str, Any] | None = None,
    ) -> None: ...


Check = Callable[["PreparedClaim", Emit], None]


class Tables(Protocol):
    """The code sets of the packs in force, chosen by date of service."""

    def icd10cm(self, on: date) -> Icd10cmTable | None: ...

    def hcpcs(self, on: date) -> HcpcsTable | None: ...

    def drug(self, code: str, on: date) -> Drug | None:
        """`hcpcs(on).drug(code)` for a code already in upper case."""
        ...

    def procedures(self, on: date) -> ProcedureTable | None: ...


class RuleKind:
    """Base class of rule kinds. Subclasses set the class attributes.

    `parameters` is the Cerberus schema of the kind's own keys; the keys every
    rule has (id, kind, category, severity, title, reference, note) are
    checked by the pack loader. `compile` receives every rule of the kind in
    the rule set and returns one check, or None when nothing is left to do.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    parameters: ClassVar[dict[str, Any]] = {}

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        raise NotImplementedError
