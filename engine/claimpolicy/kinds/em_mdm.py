"""em-mdm: an E/M level chosen by medical decision making needs that level.

The four MDM levels are ordered (straightforward < low < moderate < high);
a code asks for one of them (99214: moderate) and the documented level must
reach it. The rule reads the encounter only when `em.basis` is "mdm"; a
missing `em.mdm_level` is left to em-basis-documented.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from claimpolicy.claim import PreparedClaim
from claimpolicy.kinds._code_rows import code_rows
from claimpolicy.kinds._reads import em_of
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables

MDM = "mdm"
# Lowest first: the claim schema's order of `em.mdm_level`.
LEVELS: Final = ("straightforward", "low", "moderate", "high")
_RANK: Final = {level: rank for rank, level in enumerate(LEVELS)}


class EmMdm(RuleKind):
    name = "em-mdm"
    summary = (
        'When `em.basis` is "mdm", a code of `levels` needs `em.mdm_level` at or '
        "above its `level` (straightforward < low < moderate < high)."
    )
    parameters = {
        "levels": code_rows(
            {"level": {"type": "string", "required": True, "allowed": list(LEVELS)}}
        ),
    }

    def compile(self, rules: Sequence[Rule], tables: Tables) -> Check | None:
        # code -> [(rule, level the code needs, its rank)]
        index: dict[str, list[tuple[Rule, str, int]]] = {}
        for rule in rules:
            for row in rule.params["levels"]:
                needed = row["level"]
                index.setdefault(row["code"], []).append((rule, needed, _RANK[needed]))

        def check(claim: PreparedClaim, emit: Emit) -> None:
            em = em_of(claim)
            documented = em.get("mdm_level")
            if em.get("basis") != MDM or documented not in _RANK:
                return
            rank = _RANK[documented]
            for line in claim.lines:
                entries = index.get(line.code)
                if entries is None:
                    continue
                for rule, needed, needed_rank in entries:
                    if rank < needed_rank:
                        emit(
                            rule,
                            f"{line.code} chosen by medical decision making needs "
                            f"{needed} MDM; the encounter documents {documented}",
                            line=line,
                            at="/code",
                            evidence={
                                "code": line.code,
                                "mdm_level": documented,
                                "needed_level": needed,
                            },
                        )

        return check
