"""What a plugin's custom edits report: the edit, and a hit of it on a claim.

>>> PREFERRED = Edit(
...     "example-health/INFLIXIMAB-PREFERRED",
...     "warning",
...     "Infliximab: bill a preferred biosimilar",
...     "Example Health drug policy 12.3",
... )
>>> Hit(PREFERRED, "J1745 is not a preferred product", line=line, at="/code")
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from claimpolicy.report import SEVERITIES

if TYPE_CHECKING:
    from claimpolicy.claim import Line

__all__ = ["Edit", "Hit"]

# Like a pack rule's qualified id, so that reports read the same either way.
EDIT_ID: Final = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*/[A-Z0-9]+(-[A-Z0-9]+)*")


@dataclass(frozen=True, slots=True)
class Edit:
    """A custom edit a plugin performs, declared once at start-up."""

    id: str  # "example-health/INFLIXIMAB-PREFERRED": a prefix, "/", a rule id
    severity: str
    title: str
    reference: str  # the public source, as for a pack rule

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not EDIT_ID.fullmatch(self.id):
            raise ValueError(
                f"edit id {self.id!r}: expected 'prefix/NAME' like "
                "'example-health/SITE-OF-CARE' (lower-case prefix, upper-case name)"
            )
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"edit {self.id}: severity {self.severity!r} is not one of "
                + ", ".join(SEVERITIES)
            )
        for name in ("title", "reference"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"edit {self.id}: {name} {value!r} must be text")


@dataclass(frozen=True, slots=True)
class Hit:
    """One firing of an edit on a claim.

    `line` is one of `prepared.lines`, or None for a claim-level hit. `at` is
    a JSON Pointer tail below the line when `line` is given (`/code`), from
    the root of the claim otherwise (`/diagnoses/0`), as for rule kinds.
    `evidence` holds the values that made the edit fire; it reaches the
    report with `check --explain`.
    """

    edit: Edit
    message: str
    line: Line | None = None
    at: str = ""
    evidence: Mapping[str, Any] | None = None
