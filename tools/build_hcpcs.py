"""Build the HCPCS Level II code set of October 2025 and its drug table.

Reads the CMS tables kept beside the repository (``../shared/data/hcpcs``, see
its README for their provenance and defects) and the hand-checked drug catalog
``tools/hcpcs/drug_catalog.toml``; writes ``policies/codesets/hcpcs/2025-10/``::

    python tools/build_hcpcs.py                 # rebuild the folder
    python tools/build_hcpcs.py --check         # exit 1 naming each file that
                                                # differs from a fresh rebuild
    python tools/build_hcpcs.py --source DIR    # read the CMS tables from DIR

Only this script reads ``../shared``; the engine and the tests read what it
writes. The output depends on nothing but its inputs, so a rebuild is
byte-identical.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tomli
import tomli_w

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "hcpcs"
OUT_DIR = REPO / "policies" / "codesets" / "hcpcs" / "2025-10"
CATALOG = REPO / "tools" / "hcpcs" / "drug_catalog.toml"

VERSION = "2025-10"
CODES_CSV = "hcpcs-2025-10.csv"
SUPPLEMENT_CSV = "hcpcs-2025-10-supplement.csv"
OLD_CSV = "hcpcs-2020.csv"
OUTPUT_FILES = ("codes.tsv", "modifiers.tsv", "drugs.toml", "codeset.toml")

# The supplement's inferred status, renamed for the engine.
TERMINATION_BASIS = {
    "terminated_per_2020_file": "cms-2020-file",
    "not_terminated_no_action_since_2020_file": "active-no-action-since-2020",
    "unknown_action_after_2020_file": "unknown-action-after-2020",
    "unknown_not_in_2020_file": "unknown-added-after-2020",
}

CMS_SOURCE = "CMS HCPCS Level II, October 2025 (descriptor, unit, dates)"
TERMINATION_NOTE = (
    "Termination dates come from the CMS 2020 annual file: the October 2025 "
    "source lost its termination and action dates, so a code discontinued "
    "after January 2020 cannot be seen here; termination_basis in codes.tsv "
    "says for each code whether its status is known."
)

CATALOG_KEYS: dict[str, type | tuple[type, ...]] = {
    "code": str,
    "drug": str,
    "product": str,
    "reference_product": bool,
    "biosimilar_of": str,
    "unit_amount": (int, float),
    "unit": str,
    "container": str,
    "mue": int,
    "mue_source": str,
    "label": str,
}
CATALOG_OPTIONAL = {"product", "biosimilar_of", "mue", "mue_source"}
# Which containers the code's products come in, from their FDA labels; the
# engine's loader accepts the same three (claimpolicy.codesets.hcpcs).
CONTAINERS = ("single-dose", "multiple-dose", "both")

# A billing unit: a number and a unit, maybe after "up to" or "per".
_DOSE = re.compile(
    r"(?:up to |per )?(\d+(?:\.\d+)?)\s*"
    r"(mg|mcg|micrograms?|grams?|gm|g|units?|iu|ml)\b",
    re.IGNORECASE,
)
_DOSE_AT_END = re.compile(_DOSE.pattern + "$", re.IGNORECASE)
_UNIT_NAMES = {
    "mg": "mg",
    "mcg": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "g": "g",
    "gram": "g",
    "grams": "g",
    "gm": "g",
    "unit": "units",
    "units": "units",
    "iu": "units",
    "ml": "mL",
}


class BuildError(Exception):
    """An input that the build refuses; the message names file and value."""


@dataclass(frozen=True)
class Row:
    """One code of the October 2025 file with its inferred termination."""

    code: str
    long_description: str
    short_description: str
    added: date
    terminated: date | None
    basis: str


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    try:
        if not args.check:
            build(args.source, OUT_DIR)
            return 0
        with tempfile.TemporaryDirectory() as scratch:
            build(args.source, Path(scratch))
            differing = _differing_files(Path(scratch), OUT_DIR)
    except BuildError as error:
        print(f"build_hcpcs: {error}", file=sys.stderr)
        return 2
    for name in differing:
        print(f"differs from a rebuild: {OUT_DIR.relative_to(REPO) / name}")
    return 1 if differing else 0


def build(source: Path, out: Path) -> None:
    """Write the four output files of the code set into out."""
    rows = read_rows(source)
    out.mkdir(parents=True, exist_ok=True)
    procedures = [row for row in rows if len(row.code) == 5]
    modifiers = [row for row in rows if len(row.code) == 2]
    (out / "codes.tsv").write_bytes(codes_tsv(procedures))
    (out / "modifiers.tsv").write_bytes(modifiers_tsv(modifiers))
    by_code = {row.code: row for row in procedures}
    (out / "drugs.toml").write_bytes(tomli_w.dumps(drug_table(by_code)).encode())
    (out / "codeset.toml").write_bytes(tomli_w.dumps(manifest(out)).encode())


# --- reading the CMS tables -------------------------------------------------


def read_rows(source: Path) -> list[Row]:
    """The October 2025 codes, sorted, each with its termination status."""
    codes = _read_csv(source / CODES_CSV)
    supplement = {row["code"]: row for row in _read_csv(source / SUPPLEMENT_CSV)}
    old_terminations = {
        row["code"]: row["termination_date"] for row in _read_csv(source / OLD_CSV)
    }
    rows = []
    for record in codes:
        code = record["code"]
        extra = supplement.get(code)
        if extra is None:
            raise BuildError(f"{SUPPLEMENT_CSV}: no row for code {code}")
        rows.append(_row(record, extra, old_terminations.get(code)))
    return sorted(rows, key=lambda row: row.code)


def _row(record: dict[str, str], extra: dict[str, str], old_end: str | None) -> Row:
    code = record["code"]
    status = extra["termination_status"]
    if status not in TERMINATION_BASIS:
        raise BuildError(
            f"{SUPPLEMENT_CSV}: code {code}: unknown termination_status {status!r}"
        )
    end = extra["termination_date_from_2020_file"]
    if (status == "terminated_per_2020_file") != bool(end):
        raise BuildError(
            f"{SUPPLEMENT_CSV}: code {code}: status {status!r} "
            f"with termination date {end!r}"
        )
    # The supplement copies its dates from the 2020 file; say so if not.
    if end and end != old_end:
        raise BuildError(
            f"{SUPPLEMENT_CSV}: code {code}: termination {end} "
            f"but {OLD_CSV} says {old_end!r}"
        )
    return Row(
        code=code,
        long_description=record["long_description"],
        short_description=record["short_description"],
        added=_date(CODES_CSV, code, record["add_date"]),
        terminated=_date(SUPPLEMENT_CSV, code, end) if end else None,
        basis=TERMINATION_BASIS[status],
    )


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="ascii") as stream:
            return list(csv.DictReader(stream))
    except (OSError, UnicodeDecodeError) as error:
        raise BuildError(f"{path}: cannot be read: {error}") from None


def _date(file: str, code: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BuildError(f"{file}: code {code}: bad date {text!r}") from None


# --- the two TSV tables -----------------------------------------------------


def codes_tsv(rows: list[Row]) -> bytes:
    lines = ["code\tadded\tterminated\ttermination_basis\tshort_description"]
    for row in rows:
        end = row.terminated.isoformat() if row.terminated else ""
        fields = [row.code, row.added.isoformat(), end, row.basis]
        lines.append("\t".join([*fields, _cell(row)]))
    return ("\n".join(lines) + "\n").encode("ascii")


def modifiers_tsv(rows: list[Row]) -> bytes:
    lines = ["code\tadded\tshort_description"]
    for row in rows:
        lines.append(f"{row.code}\t{row.added.isoformat()}\t{_cell(row)}")
    return ("\n".join(lines) + "\n").encode("ascii")


def _cell(row: Row) -> str:
    text = row.short_description
    if not text or "\t" in text or "\n" in text:
        raise BuildError(f"{CODES_CSV}: code {row.code}: bad short description")
    return text


# --- the drug table ---------------------------------------------------------


def parse_unit(descriptor: str) -> tuple[int | float, str] | None:
    """The billing unit of a drug descriptor, or None if it names none.

    The unit follows the last comma ("Injection, infliximab, ..., 10 mg"). A
    closing note in brackets is dropped first (J0129 "10 mg (code may be used
    for medicare ...)"), and when the last part is not a dose the parts before
    it are tried, for descriptors such as J1602 "1 mg, for intravenous use". A
    part that holds one dose after the drug name, with no comma between them
    (J0584 "burosumab-twza 1 mg"), also counts; one with two doses (J0138
    "acetaminophen 10 mg and ibuprofen 3 mg") names no single unit.
    """
    parts = _drop_closing_note(descriptor).split(",")
    for part in reversed(parts):
        part = part.strip()
        match = _DOSE.match(part)
        if match is None and len(_DOSE.findall(part)) == 1:
            match = _DOSE_AT_END.search(part)
        if match:
            return _number(match[1]), _UNIT_NAMES[match[2].lower()]
    return None


def _drop_closing_note(text: str) -> str:
    text = text.rstrip()
    if not text.endswith(")"):
        return text
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            return text[:index].rstrip()
    return text


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def drug_table(codes: dict[str, Row]) -> dict[str, Any]:
    """The document of drugs.toml: a header and one entry per catalog drug."""
    entries = read_catalog(CATALOG)
    known = {entry["code"]: entry for entry in entries}
    drugs = [_drug(entry, codes, known) for entry in entries]
    return {
        "table": {
            "name": "hcpcs-drugs",
            "version": VERSION,
            "reference": (
                "CMS HCPCS Level II alpha-numeric file, October 2025 quarterly "
                "update (public domain); FDA labels (DailyMed) for the containers"
            ),
            "note": (
                "Drugs given in rheumatology, gastroenterology, neurology and "
                "oncology infusion suites. Billing units are parsed from the CMS "
                "descriptor and checked against tools/hcpcs/drug_catalog.toml. "
                "container is single-dose, multiple-dose, or both when the "
                "code's products come in either (epoetin alfa and trastuzumab, "
                "reference products and biosimilars): for those only the "
                "claim's dose can say whether JW/JZ apply. No practitioner MUE "
                "value is given: no public, citable value was found for these "
                "codes when this table was built. " + TERMINATION_NOTE
            ),
        },
        "drug": drugs,
    }


def read_catalog(path: Path) -> list[dict[str, Any]]:
    try:
        document = tomli.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomli.TOMLDecodeError) as error:
        raise BuildError(f"{path}: {error}") from None
    if set(document) != {"drug"}:
        raise BuildError(f"{path}: expected only [[drug]] tables")
    entries: list[dict[str, Any]] = document["drug"]
    for number, entry in enumerate(entries, start=1):
        _check_catalog_entry(path, number, entry)
    codes = [entry["code"] for entry in entries]
    if len(set(codes)) != len(codes):
        raise BuildError(f"{path}: a code appears twice")
    return entries


def _check_catalog_entry(path: Path, number: int, entry: dict[str, Any]) -> None:
    where = f"{path.name}: drug {number} ({entry.get('code', '?')})"
    unknown = set(entry) - set(CATALOG_KEYS)
    missing = set(CATALOG_KEYS) - CATALOG_OPTIONAL - set(entry)
    if unknown or missing:
        raise BuildError(
            f"{where}: unknown keys {sorted(unknown)}, missing {sorted(missing)}"
        )
    for key, value in entry.items():
        wanted = CATALOG_KEYS[key]
        # bool is an int to Python; a unit amount of true is not a number.
        if not isinstance(value, wanted) or isinstance(value, bool) != (wanted is bool):
            raise BuildError(f"{where}: {key} = {value!r} has the wrong type")
    if entry["reference_product"] == ("biosimilar_of" in entry):
        raise BuildError(
            f"{where}: a biosimilar names biosimilar_of, a reference product not"
        )
    if entry["container"] not in CONTAINERS:
        raise BuildError(
            f"{where}: container = {entry['container']!r}, "
            f"expected one of {', '.join(CONTAINERS)}"
        )
    if ("mue" in entry) != ("mue_source" in entry):
        raise BuildError(f"{where}: mue and mue_source go together")


def _drug(
    entry: dict[str, Any], codes: dict[str, Row], known: dict[str, Any]
) -> dict[str, Any]:
    code = entry["code"]
    row = codes.get(code)
    if row is None:
        raise BuildError(f"{CATALOG.name}: {code} is not a code of the {VERSION} file")
    parsed = parse_unit(row.long_description)
    wanted = (entry["unit_amount"], entry["unit"])
    if parsed != wanted:
        raise BuildError(
            f"{CATALOG.name}: {code}: the descriptor {row.long_description!r} "
            f"gives the unit {parsed}, the catalog says {wanted}"
        )
    reference = entry.get("biosimilar_of")
    if reference is not None and not known.get(reference, {}).get("reference_product"):
        raise BuildError(
            f"{CATALOG.name}: {code}: biosimilar_of {reference!r} "
            "is not a reference product of the catalog"
        )

    drug: dict[str, Any] = {"code": code, "drug": entry["drug"]}
    if "product" in entry:
        drug["product"] = entry["product"]
    drug["reference_product"] = entry["reference_product"]
    if reference is not None:
        drug["biosimilar_of"] = reference
    drug["descriptor"] = row.long_description
    drug["unit_amount"], drug["unit"] = wanted
    drug["added"] = row.added
    if row.terminated is not None:
        drug["terminated"] = row.terminated
    drug["container"] = entry["container"]
    if "mue" in entry:
        drug["mue"] = entry["mue"]
        drug["mue_source"] = entry["mue_source"]
    drug["source"] = f"{CMS_SOURCE}; {entry['label']}"
    return drug


# --- the manifest -----------------------------------------------------------


def manifest(out: Path) -> dict[str, Any]:
    """codeset.toml, with the digests of the files already written to out."""
    return {
        "name": "hcpcs",
        "version": VERSION,
        "system": "HCPCS Level II",
        "title": "HCPCS Level II procedure codes and modifiers, October 2025",
        # Earlier than the release: the file carries every code's add date and,
        # through the 2020 file, the terminations up to 2020, so it serves
        # dates of service from 2020 on (both years of the cms-core packs).
        "from": date(2020, 1, 1),
        "file": "codes.tsv",
        "sha256": _sha256(out / "codes.tsv"),
        "files": {"modifiers": "modifiers.tsv", "drugs": "drugs.toml"},
        "sha256_files": {
            "modifiers": _sha256(out / "modifiers.tsv"),
            "drugs": _sha256(out / "drugs.toml"),
        },
        "source": (
            "../shared/data/hcpcs (see its README): hcpcs-2025-10.csv, rebuilt "
            "from output/HCPC2025_OCT_ANWEB.csv of the GitHub repository "
            "rpatole24/medical-codex-pipeline (git blob 1a0551bc); "
            "hcpcs-2025-10-supplement.csv (termination status inferred from "
            "the year of the last action); hcpcs-2020.csv (CMS 2020 annual "
            "file, tannerbyers/Ediapi, used to cross-check termination dates); "
            "tools/hcpcs/drug_catalog.toml; built by tools/build_hcpcs.py"
        ),
        "reference": (
            "CMS HCPCS Level II alpha-numeric file, October 2025 quarterly "
            "update HCPC2025_OCT_ANWEB (public domain), with termination dates "
            "from the CMS 2020 annual alpha-numeric file"
        ),
        "note": (
            TERMINATION_NOTE + " Codes whose basis is unknown-action-after-2020 or "
            "unknown-added-after-2020 are treated as active from their add "
            "date; some of them may have ended (for example J0135 adalimumab "
            "20 mg, probably replaced by J0139 on 2025-01-01, unconfirmed). "
            "In force from 2020-01-01 rather than from the release date: the "
            "October 2025 file carries each code's add date and, through the "
            "CMS 2020 file, the terminations up to 2020, so it also serves "
            "earlier dates of service (a code added after the date of service "
            "is seen as not yet valid)."
        ),
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _differing_files(built: Path, committed: Path) -> list[str]:
    differing = []
    for name in OUTPUT_FILES:
        target = committed / name
        if not target.is_file() or target.read_bytes() != (built / name).read_bytes():
            differing.append(name)
    return differing


if __name__ == "__main__":
    sys.exit(main())
