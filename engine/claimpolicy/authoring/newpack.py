"""A new payer pack that works at once: manifest, one rule, one test file.

The skeleton extends a national pack from the version in force today (or its
newest), carries one rule of an existing kind (required-modifier: JW or JZ
on a single-dose drug given by infusion), a commented override of one of the
parent's rules, and two tests: the sample claim passes as a whole (it is
clean under every cms-core version, so a parent version that starts to flag
it shows at once), and a mutation of it fires the new rule. The files are
written from the templates in templates/ (package data); `claimpolicy test
DIR --pack-path DIR` passes on them, and so does plain `pytest` in DIR: the
skeleton's pytest.ini opts in to the pytest plugin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Final

from claimpolicy.errors import InputError
from claimpolicy.packs.pack import PackVersion
from claimpolicy.packs.registry import PackRegistry
from claimpolicy.packs.schemas import PACK_NAME_PATTERN

__all__ = ["PAYER_PATTERN", "Skeleton", "plan_skeleton", "write_skeleton"]

PAYER_PATTERN: Final = r"[a-z0-9][a-z0-9_.-]*"
FIRST_VERSION: Final = "0.1.0"
RULE_ID: Final = "DRUG-JW-JZ"
# Template files (package data in templates/) and where each is written.
TEMPLATES: Final = {
    "pack.toml.tmpl": "pack.toml",
    "rules.toml.tmpl": "rules.toml",
    "basic.toml.tmpl": "tests/basic.toml",
    "infusion-visit.json.tmpl": "tests/claims/infusion-visit.json",
    "pytest.ini.tmpl": "pytest.ini",
}


@dataclass(frozen=True, slots=True)
class Skeleton:
    """What the files will say, decided before anything is written."""

    name: str
    payer: str
    parent: PackVersion
    effective_from: date
    service_date: date
    override_target: str

    def files(self, folder: Path) -> dict[Path, str]:
        values = {
            "name": self.name,
            "payer": self.payer,
            "parent": self.parent.name,
            "versions": f">={self.parent.version}",
            "version": FIRST_VERSION,
            "effective_from": self.effective_from.isoformat(),
            "folder": folder.as_posix(),
            "rule_id": RULE_ID,
            "override_target": self.override_target,
            "service_date": self.service_date.isoformat(),
            "birth_date": self.service_date.replace(
                year=self.service_date.year - 57, month=4, day=12
            ).isoformat(),
            "last_visit": (self.service_date - timedelta(days=98)).isoformat(),
        }
        return {
            folder / target: _template(name).substitute(values)
            for name, target in TEMPLATES.items()
        }


def plan_skeleton(
    registry: PackRegistry,
    name: str,
    parent_name: str,
    payer: str | None,
    today: date,
) -> Skeleton:
    """Check the names and choose the dates; InputError on a bad name."""
    if not re.fullmatch(PACK_NAME_PATTERN, name):
        raise InputError(
            name,
            "a pack name is lower case letters, digits and dashes, starting "
            "with a letter (like acme-health)",
        )
    if registry.versions(name):
        raise InputError(name, "a pack of this name is already installed")
    payer = payer if payer is not None else name
    if not re.fullmatch(PAYER_PATTERN, payer):
        raise InputError(
            payer, "a payer id is lower case letters, digits, '.', '_' and '-'"
        )
    versions = registry.versions(parent_name)
    if not versions:
        known = ", ".join(registry.names) or "none"
        raise InputError(parent_name, f"no such pack to extend (known: {known})")

    parent = next((p for p in versions if p.in_force(today)), versions[-1])
    start = parent.effective_from
    if parent.in_force(today):
        start = max(start, date(today.year, 1, 1))
    service = start + timedelta(days=9)
    if parent.effective_to is not None:
        service = min(service, parent.effective_to)
    rules = sorted(rule.id for rule in parent.rules)
    target = f"{parent.name}/{rules[0] if rules else 'RULE-ID'}"
    return Skeleton(name, payer, parent, start, service, target)


def _template(name: str) -> Template:
    text = files("claimpolicy.authoring").joinpath("templates", name).read_text("utf-8")
    return Template(text)


def write_skeleton(skeleton: Skeleton, folder: Path) -> list[Path]:
    """Write the files; refuse a folder that already holds anything."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(str(folder), "exists and is not empty; choose another -o")
    written = []
    for path, text in skeleton.files(folder).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
