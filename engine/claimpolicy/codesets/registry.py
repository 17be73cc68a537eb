"""Code sets on disk: their manifests, digests and dates in force.

A code set is a folder with `codeset.toml` that names its system, version,
dates in force and data files with their SHA-256. Tables are read only when a
rule first needs them, and each file's digest is checked when it is read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from claimpolicy import cache
from claimpolicy.errors import PackError, PackProblem
from claimpolicy.packs.rulefile import schema_problems
from claimpolicy.packs.schemas import CODESET_SCHEMA
from claimpolicy.packs.tomlfile import display_path, read_toml

__all__ = ["CODESET_MANIFEST", "CodeSet", "load_codeset"]

CODESET_MANIFEST = "codeset.toml"


@dataclass(slots=True, eq=False)
class CodeSet:
    name: str
    version: str
    system: str
    title: str
    effective_from: date
    effective_to: date | None
    folder: Path
    files: dict[str, tuple[str, str]]  # role -> (file name, sha256)
    reference: str
    note: str | None = None
    _table: Any = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"{self.name}/{self.version}"

    @property
    def digest(self) -> str:
        """One digest over the manifest's recorded digests of every file."""
        text = "".join(f"{name}\t{sha}\n" for name, sha in sorted(self.files.values()))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    def in_force(self, day: date) -> bool:
        if day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to

    def verify(self) -> list[PackProblem]:
        """Files whose content no longer matches the manifest's digest."""
        problems = []
        for name, expected in self.files.values():
            path = self.folder / name
            try:
                actual = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as error:
                problems.append(
                    PackProblem(display_path(path), "", f"cannot be read: {error}")
                )
                continue
            if actual != expected:
                problems.append(
                    PackProblem(
                        display_path(path),
                        "",
                        f"sha256 {actual} differs from {expected} "
                        f"in {CODESET_MANIFEST}",
                    )
                )
        return problems

    def table(self) -> Any:
        """The parsed table, read and checked on first use."""
        if self._table is None:
            problems = self.verify()
            if problems:
                raise PackError(problems)
            self._table = _cached_table(self)
        return self._table


def _cached_table(codeset: CodeSet) -> Any:
    # The files were just checked against the manifest's digests, so those
    # digests name the parsed form (see claimpolicy.cache).
    key = cache.digest(codeset.system, codeset.digest)
    plain = cache.load("codesets", key)
    if plain is not None:
        table = _table_class(codeset)
        if table is not None:
            try:
                return table.from_plain(plain, str(codeset.folder))
            except (TypeError, ValueError):
                pass  # an entry of another shape: parse the files again
    parsed = _read_table(codeset)
    if hasattr(parsed, "to_plain"):
        cache.store("codesets", key, parsed.to_plain())
    return parsed


def _table_class(codeset: CodeSet) -> Any:
    if codeset.system == "ICD-10-CM":
        from claimpolicy.codesets.icd10cm import Icd10cmTable

        return Icd10cmTable
    if codeset.system == "HCPCS Level II":
        from claimpolicy.codesets.hcpcs import HcpcsTable

        return HcpcsTable
    return None


def _read_table(codeset: CodeSet) -> Any:
    main = codeset.folder / codeset.files["main"][0]
    if codeset.system == "ICD-10-CM":
        from claimpolicy.codesets.icd10cm import Icd10cmTable

        return Icd10cmTable.from_file(main)
    if codeset.system == "HCPCS Level II":
        from claimpolicy.codesets.hcpcs import HcpcsTable

        return HcpcsTable.from_folder(codeset.folder)
    if codeset.system == "CPT":
        from claimpolicy.codesets.procedures import ProcedureTable

        return ProcedureTable.from_file(main)
    raise PackError(
        [
            PackProblem(
                display_path(codeset.folder / CODESET_MANIFEST),
                "system",
                f"{codeset.system!r} is not a code system the engine reads "
                "(ICD-10-CM, HCPCS Level II, CPT)",
            )
        ]
    )


def load_codeset(folder: Path) -> CodeSet:
    path = folder / CODESET_MANIFEST
    document, text = read_toml(path)
    shown = display_path(path)
    problems = schema_problems(shown, document, CODESET_SCHEMA, text)
    if problems:
        raise PackError(problems)
    files = {"main": (document["file"], document["sha256"])}
    extra_shas = document.get("sha256_files", {})
    for role, name in document.get("files", {}).items():
        if role not in extra_shas:
            raise PackError([PackProblem(shown, f"sha256_files.{role}", "is required")])
        files[role] = (name, extra_shas[role])
    return CodeSet(
        name=document["name"],
        version=document["version"],
        system=document["system"],
        title=document["title"],
        effective_from=document["from"],
        effective_to=document.get("to"),
        folder=folder,
        files=files,
        reference=document["reference"],
        note=document.get("note"),
    )
