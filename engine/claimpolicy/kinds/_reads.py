"""Cheap reads of a prepared claim for the compiled rule kinds.

Compiled, a value typed `Mapping` is read through Python's generic method
calls, and so is `frozenset.isdisjoint`; a `dict` is read with the dict's own
C calls, and a loop over a short tuple costs next to nothing. These helpers
give the kinds the dict and the loop. A claim document is plain dicts after
the schema; a claim built by hand may hold other mappings, which are copied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claimpolicy.claim import PreparedClaim

__all__ = ["bills_any", "em_of", "encounter_of", "has_any"]


def encounter_of(claim: PreparedClaim) -> dict[str, Any]:
    """`claim.encounter` as a dict."""
    encounter = claim.encounter
    return encounter if isinstance(encounter, dict) else dict(encounter)


def em_of(claim: PreparedClaim) -> dict[str, Any]:
    """`claim.em` as a dict: empty when the encounter has no `em`."""
    em = encounter_of(claim).get("em")
    if not em:
        return {}
    return em if isinstance(em, dict) else dict(em)


def has_any(modifiers: tuple[str, ...], wanted: frozenset[str]) -> bool:
    """`Line.has_any_modifier`: most lines have no modifier to look at."""
    return any(modifier in wanted for modifier in modifiers)


def bills_any(claim: PreparedClaim, codes: frozenset[str]) -> bool:
    """Whether a line of the claim has one of `codes`."""
    return any(line.code in codes for line in claim.lines)
