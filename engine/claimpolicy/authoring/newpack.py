"""A new payer pack that works at once: manifest, one rule, one test file.

The skeleton extends a national pack from the version in force today (or its
newest), carries one rule of an existing kind (required-modifier: JW or JZ
on a single-dose drug given by infusion), a commented override of one of the
parent's rules, and tests that fire the rule and leave it silent. The tests
assert only on the new pack's own rule, so that the parent's rules, which
change every quarter, cannot break them. The files are written from the
templates below; `claimpolicy test DIR --pack-path DIR` passes on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
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

PACK_TOML: Final = Template("""\
# The $name pack: $payer's own edits on top of $parent.
# Check it with: claimpolicy test $folder --pack-path $folder
name = "$name"
version = "$version"  # semantic: raise the minor for new rules
title = "$payer edits for E/M visits on drug infusion days"
maintainer = "TODO: who answers for these rules"
payers = ["$payer"]  # claims whose payer is one of these
requires_engine = ">=0.1"
extends = [{ name = "$parent", versions = "$versions" }]
rules = ["rules.toml"]
tests = ["tests"]

[effective]
from = $effective_from  # claims from this date of service on
""")

RULES_TOML: Final = Template("""\
# Rules of $name. Each rule has an id (upper case, digits, dashes), a kind,
# a category, a severity, a title and the public source it rests on.
# `claimpolicy explain RULE_ID` shows any rule of $parent.

[[rules]]
id = "$rule_id"
kind = "required-modifier"
category = "modifier"
severity = "error"
title = "A single-dose drug given by infusion needs modifier JW or JZ"
reference = "CMS JW and JZ modifier policy for single-dose container drugs (from 2023-07-01); Medicare Claims Processing Manual (Pub. 100-04) ch. 17 sec. 40"
note = "TODO: replace with the payer's own policy and its source"
codes = ["J0129"]                # abatacept, 10 mg (single-dose vials)
with_codes = ["96365", "96413"]  # the infusion that gave it
modifiers = ["JW", "JZ"]

# An override changes a rule of $parent for this payer's claims only.
# Uncomment to make it a warning, or set `enabled = false` to switch it off.
# [overrides."$override_target"]
# severity = "warning"
# reason = "TODO: why this payer differs"
""")

TESTS_TOML: Final = Template("""\
# Fixture tests of $name: a claim (claims/*.json), optional JSON Patch
# mutations of it, and what must happen. Assert on this pack's own rules:
# the rules of $parent change with its versions.

[[test]]
name = "jw-jz-present-passes"
claim = "claims/infusion-visit.json"
absent = ["$name/$rule_id"]

[[test]]
name = "jw-jz-missing-fires"
claim = "claims/infusion-visit.json"
mutations = [{ op = "remove", path = "/lines/2/modifiers" }]

[[test.expect]]
rule = "$name/$rule_id"
line = 3
severity = "error"
""")

CLAIM_JSON: Final = Template("""\
{
  "claim_id": "EXAMPLE-0001",
  "payer": "$payer",
  "patient": {"id": "P-EXAMPLE", "birth_date": "$birth_date", "sex": "F"},
  "provider": {"npi": "1234567893", "specialty": "rheumatology"},
  "place_of_service": "11",
  "diagnoses": ["M05.79"],
  "lines": [
    {"code": "99214", "modifiers": ["25"], "units": 1, "service_date": "$service_date", "diagnosis_pointers": [1]},
    {"code": "96413", "units": 1, "service_date": "$service_date", "diagnosis_pointers": [1], "start_time": "09:30", "stop_time": "10:25"},
    {"code": "J0129", "modifiers": ["JZ"], "units": 75, "service_date": "$service_date", "diagnosis_pointers": [1]}
  ],
  "encounter": {"patient_status": "established", "last_visit_date": "$last_visit"}
}
""")


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
            folder / "pack.toml": PACK_TOML.substitute(values),
            folder / "rules.toml": RULES_TOML.substitute(values),
            folder / "tests" / "basic.toml": TESTS_TOML.substitute(values),
            folder / "tests" / "claims" / "infusion-visit.json": CLAIM_JSON.substitute(
                values
            ),
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
