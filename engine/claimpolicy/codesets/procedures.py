"""The CPT codes a pack knows, with titles of our own and effective dates.

CPT descriptors are the AMA's: this table holds code numbers, short titles
written by the project and the dates each code was valid, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import tomli

__all__ = ["Procedure", "ProcedureTable"]


@dataclass(frozen=True, slots=True)
class Procedure:
    code: str
    title: str
    group: str
    added: date
    terminated: date | None

    def active_on(self, day: date) -> bool:
        return self.added <= day and (self.terminated is None or day <= self.terminated)


class ProcedureTable:
    """Codes by number; `groups` name sets such as `em-established`."""

    def __init__(self, procedures: list[Procedure]) -> None:
        self._by_code = {procedure.code: procedure for procedure in procedures}
        groups: dict[str, set[str]] = {}
        for procedure in procedures:
            groups.setdefault(procedure.group, set()).add(procedure.code)
        self.groups = {name: frozenset(codes) for name, codes in groups.items()}

    @classmethod
    def from_file(cls, path: Path) -> ProcedureTable:
        document = tomli.loads(path.read_text(encoding="utf-8"))
        procedures = []
        for index, entry in enumerate(document.get("code", ())):
            try:
                procedures.append(
                    Procedure(
                        code=entry["code"],
                        title=entry["title"],
                        group=entry["group"],
                        added=entry["added"],
                        terminated=entry.get("terminated"),
                    )
                )
            except KeyError as missing:
                raise ValueError(
                    f"{path}: code[{index}]: the key {missing} is required"
                ) from None
        return cls(procedures)

    def get(self, code: str) -> Procedure | None:
        return self._by_code.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)
