"""What a plugin's custom edits report: the edit, and a hit of it on a claim."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claimpolicy.report import SEVERITIES

if TYPE_CHECKING:
    from claimpolicy.claim import Line

__all__ = ["Edit", "Hit"]


@dataclass(frozen=True, slots=True)
class Edit:
    """A custom edit a plugin performs, described once at start-up."""

    id: str  # qualified, like a pack rule: "example-payer/SITE-OF-CARE"
    severity: str
    title: str
    reference: str

    def __post_init__(self) -> None:
        if "/" not in self.id:
            raise ValueError(f"edit id {self.id!r}: expected 'prefix/NAME'")
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"edit {self.id}: severity {self.severity!r} is not one of "
                + ", ".join(SEVERITIES)
            )


@dataclass(frozen=True, slots=True)
class Hit:
    """One firing of an edit on a claim.

    `at` is a JSON Pointer tail below the line when `line` is given, from the
    root of the claim otherwise, as for rule kinds.
    """

    edit: Edit
    message: str
    line: Line | None = None
    at: str = ""
    evidence: Mapping[str, Any] | None = None
