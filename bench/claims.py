"""Generate realistic claim batches for the benchmark, seeded and repeatable.

Each claim is an office E/M visit on an infusion day: the visit (its level
from the documented decision making or time), a drug from the HCPCS drug
table the engine ships with its units, NDC and JZ or a JW waste line, the
infusion with its times and add-on hours, and premedication pushes; 1 to 10
lines, diagnoses that fit the drug. About 12% of the claims carry one coding
error of the kinds the packs catch. A share of the lines (5% by default) is
broken on purpose: half are not JSON at all (cut short, blank, text), half
are JSON that breaks the claim schema (a missing field, a date that does not
exist, a bad NPI, units of 0).
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from claimpolicy.resources import builtin_policies

__all__ = ["drug_table", "generate", "write_batch"]

DRUGS_FILE = Path("codesets", "hcpcs", "2025-10", "drugs.toml")

# Office E/M codes by level of medical decision making, for established and
# new patients, and the least total time each level needs when chosen by time.
EM_BY_LEVEL = {
    "straightforward": ("99212", "99202"),
    "low": ("99213", "99203"),
    "moderate": ("99214", "99204"),
    "high": ("99215", "99205"),
}
EM_MINUTES = {
    "99212": 10, "99213": 20, "99214": 30, "99215": 40,
    "99202": 15, "99203": 30, "99204": 45, "99205": 60,
}  # fmt: skip
LEVELS = ("low", "moderate", "moderate", "moderate", "high", "straightforward")
# Drugs given as chemotherapy-type infusions (96413 family); the rest 96365.
CHEMO = frozenset(
    {"rituximab", "trastuzumab", "bevacizumab", "pembrolizumab", "nivolumab"}
)
# Premedications pushed before a biologic: (code, amount of one unit in mg).
PREMEDS = (("J1100", 1), ("J2405", 1), ("J1200", 50), ("J2930", 125))

# Diagnoses that fit each drug's labelled uses (checked billable in ICD-10-CM
# FY2025 and FY2026, but G35, which FY2026 splits into G35.A and more).
INDICATIONS = {
    "infliximab": ("M05.79", "M06.9", "K50.90", "K51.90", "L40.50", "M45.9"),
    "natalizumab": ("G35", "K50.80"),
    "ocrelizumab": ("G35",),
    "ocrelizumab and hyaluronidase-ocsq": ("G35",),
    "vedolizumab": ("K50.90", "K51.90"),
    "tocilizumab": ("M05.79", "M06.9", "M31.6"),
    "rituximab": ("C83.30", "C91.10", "M05.79"),
    "trastuzumab": ("C50.911", "C50.912", "C16.9"),
    "bevacizumab": ("C18.9", "C34.90", "C71.9"),
    "abatacept": ("M05.79", "M06.9", "M08.00"),
    "golimumab": ("M05.79", "M45.9", "L40.50"),
    "certolizumab pegol": ("K50.90", "M05.79"),
    "ustekinumab": ("L40.0", "K50.90", "K51.90"),
    "immune globulin": ("D80.1", "D83.9"),
    "epoetin alfa": ("D63.1",),
    "denosumab": ("M81.0", "C79.51"),
    "zoledronic acid": ("M81.0", "C79.51", "M88.9"),
    "iron sucrose": ("D50.9", "D63.1"),
    "ferric carboxymaltose": ("D50.9", "D50.0"),
    "pembrolizumab": ("C34.90", "C43.9"),
    "nivolumab": ("C34.90", "C43.9", "C64.9"),
}
OTHER_DIAGNOSES = ("Z79.899", "I10", "E11.9", "R53.83", "M54.50", "E78.5")
FEMALE_ONLY = frozenset({"C50.911", "C50.912"})
PLACES = ("11", "11", "11", "11", "19", "22")
PAYERS = ("medicare", "medicare", "medicare", None)
# The ICD-10-CM code sets shipped cover 2024-10-01 to 2026-09-30.
FIRST_DAY = date(2025, 1, 1)
DAYS = (date(2026, 9, 30) - FIRST_DAY).days + 1
FY2026 = date(2025, 10, 1)
#: Share of the well-formed claims that carry one deliberate coding error.
CODING_ERRORS = 0.12


def drug_table() -> list[dict[str, Any]]:
    """The [[drug]] entries of the drug table shipped with the engine."""
    path = builtin_policies() / DRUGS_FILE
    return list(tomllib.loads(path.read_text(encoding="utf-8"))["drug"])


def _npi(rng: random.Random) -> str:
    body = f"{rng.choice('12')}{rng.randrange(10**8):08d}"
    total = 0
    for position, char in enumerate(reversed("80840" + body)):
        digit = int(char)
        if position % 2 == 0:  # doubled, counting from the check digit's left
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return body + str((10 - total % 10) % 10)


def _clock(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _additional_hours(minutes: int) -> int:
    # An hour after the first counts once more than 30 minutes of it pass.
    return 0 if minutes <= 90 else (minutes - 91) // 60 + 1


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.drugs = drug_table()
        self.npis = [_npi(self.rng) for _ in range(200)]
        self.ndcs = [f"{self.rng.randrange(10**11):011d}" for _ in range(300)]

    def claim(self, number: int) -> dict[str, Any]:
        rng = self.rng
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        drug = rng.choice([d for d in self.drugs if _active(d, day)])
        fitting = [_in_year(code, day) for code in INDICATIONS[drug["drug"]]]
        principal = rng.choice(fitting)
        sex = "F" if principal in FEMALE_ONLY else rng.choice("FFMMU")
        diagnoses = [principal, *rng.sample(OTHER_DIAGNOSES, rng.randrange(0, 4))]
        new_patient = rng.random() < 0.1
        level = rng.choice(LEVELS)
        em_code = EM_BY_LEVEL[level][1 if new_patient else 0]
        by_time = rng.random() < 0.2
        encounter: dict[str, Any] = {
            "patient_status": "new" if new_patient else "established",
            "em": {
                "basis": "time" if by_time else "mdm",
                "mdm_level": level,
                "total_minutes": EM_MINUTES[em_code] + rng.randrange(0, 10),
                "separately_documented": True,
            },
        }
        if not new_patient:
            last = day - timedelta(days=rng.randrange(14, 400))
            encounter["last_visit_date"] = last.isoformat()
        claim: dict[str, Any] = {
            "claim_id": f"B{number:08d}",
            "patient": {
                "id": f"P{rng.randrange(10**7):07d}",
                "birth_date": (
                    date(1935, 1, 1) + timedelta(days=rng.randrange(25000))
                ).isoformat(),
                "sex": sex,
            },
            "provider": {"npi": rng.choice(self.npis), "specialty": "rheumatology"},
            "place_of_service": rng.choice(PLACES),
            "diagnoses": diagnoses,
            "lines": self._lines(rng, drug, day, em_code, len(diagnoses)),
            "encounter": encounter,
        }
        payer = rng.choice(PAYERS)
        if payer is not None:
            claim["payer"] = payer
        if rng.random() < CODING_ERRORS:
            _coding_error(rng, claim)
        return claim

    def _lines(
        self,
        rng: random.Random,
        drug: dict[str, Any],
        day: date,
        em_code: str,
        diagnoses: int,
    ) -> list[dict[str, Any]]:
        when = day.isoformat()
        pointers = list(range(1, min(diagnoses, 4) + 1))
        visit = {
            "code": em_code,
            "units": 1,
            "service_date": when,
            "diagnosis_pointers": pointers,
            "charge": float(rng.randrange(90, 260)),
        }
        if rng.random() < 0.08:  # a visit alone, no drug given that day
            return [visit]
        visit["modifiers"] = ["25"]
        lines = [visit, *self._drug_lines(rng, drug, when)]
        start = rng.randrange(8 * 60, 15 * 60)
        minutes = rng.choice((rng.randrange(20, 85), rng.randrange(95, 240)))
        chemo = drug["drug"] in CHEMO
        lines.append(
            {
                "code": "96413" if chemo else "96365",
                "units": 1,
                "service_date": when,
                "diagnosis_pointers": [1],
                "start_time": _clock(start),
                "stop_time": _clock(start + minutes),
            }
        )
        hours = _additional_hours(minutes)
        if hours:
            lines.append(
                {
                    "code": "96415" if chemo else "96366",
                    "units": hours,
                    "service_date": when,
                    "diagnosis_pointers": [1],
                }
            )
        premeds = rng.sample(PREMEDS, rng.randrange(0, 4))
        if premeds:
            lines.append(
                {
                    "code": "96375",
                    "units": len(premeds),
                    "service_date": when,
                    "diagnosis_pointers": [1],
                }
            )
        for code, unit_mg in premeds:
            lines.append(
                {
                    "code": code,
                    "units": 1,
                    "service_date": when,
                    "diagnosis_pointers": [1],
                    "ndc": self._ndc(rng, 1),
                    "dose": {"amount": unit_mg, "unit": "mg"},
                }
            )
        return lines

    def _drug_lines(
        self, rng: random.Random, drug: dict[str, Any], when: str
    ) -> list[dict[str, Any]]:
        unit_amount = drug["unit_amount"]
        units = rng.randint(2, 60)
        amount = units * unit_amount
        line: dict[str, Any] = {
            "code": drug["code"],
            "modifiers": ["JZ"],
            "units": units,
            "service_date": when,
            "diagnosis_pointers": [1],
            "ndc": self._ndc(rng, rng.randint(1, 4)),
            "dose": {"amount": amount, "unit": drug["unit"], "wasted": 0},
        }
        if rng.random() > 0.25 or drug["container"] != "single-dose":
            return [line]
        # Part of a vial discarded: billed on its own line with JW.
        wasted_units = rng.randint(1, 5)
        line["modifiers"] = []
        line["dose"]["wasted"] = wasted_units * unit_amount
        waste = {
            **line,
            "modifiers": ["JW"],
            "units": wasted_units,
            "dose": {"amount": wasted_units * unit_amount, "unit": drug["unit"]},
        }
        return [line, waste]

    def _ndc(self, rng: random.Random, quantity: int) -> dict[str, Any]:
        return {"code": rng.choice(self.ndcs), "quantity": quantity, "unit": "UN"}


def _active(drug: dict[str, Any], day: date) -> bool:
    ended = drug.get("terminated")
    return bool(drug["added"] <= day and (ended is None or day <= ended))


def _in_year(code: str, day: date) -> str:
    # G35 gained more specific codes in FY2026.
    return "G35.A" if code == "G35" and day >= FY2026 else code


def _coding_error(rng: random.Random, claim: dict[str, Any]) -> None:
    """One of the mistakes the packs are there to catch."""
    lines = claim["lines"]
    roll = rng.randrange(8)
    if roll == 0:
        lines[0].pop("modifiers", None)  # no 25 on the visit
    elif roll == 1:
        lines[-1]["units"] += 3  # units that do not match the dose
    elif roll == 2:
        for line in lines:
            line.pop("ndc", None)
    elif roll == 3:
        claim["diagnoses"][0] = rng.choice(OTHER_DIAGNOSES)  # off-label use
    elif roll == 4:
        claim["encounter"]["em"]["mdm_level"] = "straightforward"
    elif roll == 5:
        lines.append(dict(lines[-1]))  # the same line twice
    elif roll == 6:
        claim["encounter"]["em"]["separately_documented"] = False
    else:
        claim["diagnoses"].append("M05")  # a category, not a billable code


def _broken(rng: random.Random, text: bytes, claim: dict[str, object]) -> bytes:
    """A broken line: half not JSON, half JSON that breaks the schema."""
    roll = rng.randrange(8)
    if roll == 0:
        return text[: rng.randrange(1, len(text) - 1)]  # cut short
    if roll == 1:
        return b""
    if roll == 2:
        return b"claim " + text[:20] + b" ... (not JSON)"
    if roll == 3:
        return text + b" trailing"
    if roll == 4:
        del claim["claim_id"]
    elif roll == 5:
        claim["lines"][0]["service_date"] = "2026-02-30"  # type: ignore[index]
    elif roll == 6:
        claim["provider"] = {"npi": "1234567890"}  # check digit wrong
    else:
        claim["lines"][0]["units"] = 0  # type: ignore[index]
        claim["diagnosis"] = claim.pop("diagnoses")
    return orjson.dumps(claim)


def generate(count: int, seed: int = 2026, broken: float = 0.05) -> Iterator[bytes]:
    """`count` NDJSON lines (without newlines), a share `broken` of them broken."""
    generator = _Generator(seed)
    for number in range(count):
        claim = generator.claim(number)
        text = orjson.dumps(claim)
        if generator.rng.random() < broken:
            text = _broken(generator.rng, text, claim)
        yield text


def write_batch(path: Path, count: int, seed: int = 2026, broken: float = 0.05) -> Path:
    """Write a batch to `path` (once: an existing file of the same name is kept)."""
    if not path.exists():
        partial = path.with_suffix(".partial")
        with open(partial, "wb") as stream:
            block: list[bytes] = []
            for line in generate(count, seed, broken):
                block.append(line)
                if len(block) == 10_000:
                    stream.write(b"\n".join(block) + b"\n")
                    block.clear()
            if block:
                stream.write(b"\n".join(block) + b"\n")
        partial.rename(path)
    return path
