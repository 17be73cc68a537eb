"""Hypothesis strategies for claim documents, valid and broken, by the contract.

`claims()` builds valid claim documents the way a practice bills an infusion
day: office E/M visits, drug administration codes, drug codes from the
shipped HCPCS drug table with a dose, an NDC and the JW/JZ modifier, and
ICD-10-CM codes of the year in force, often one the drug's coverage rule
accepts. Every code set is read through the package (importlib.resources),
as the engine reads it.

`broken_claims()` takes a valid claim and breaks it in one known way, so that
each broken document is certain to break the schema. `documents()` mixes the
two, mostly valid.
"""

from __future__ import annotations

import bisect
import copy
import re
from datetime import date, timedelta
from functools import cache
from typing import Any

import tomli
from hypothesis import strategies as st

from claimpolicy.codesets.registry import load_codeset
from claimpolicy.resources import builtin_policies, claim_schema
from claimpolicy.validation import is_valid_npi

CODESETS = builtin_policies() / "codesets"
FIRST_DAY = date(2025, 1, 1)
LAST_DAY = date(2026, 12, 31)
FY2026_FROM = date(2025, 10, 1)

HCPCS = load_codeset(CODESETS / "hcpcs" / "2025-10").table()
CPT = load_codeset(CODESETS / "cpt" / "2026").table()
EM_ESTABLISHED = [f"9921{level}" for level in range(1, 6)]
EM_NEW = [f"9920{level}" for level in range(2, 6)]
ADMINISTRATION = [
    str(code) for code in range(96360, 96550) if CPT.get(str(code)) is not None
]
DRUGS = sorted(HCPCS.drugs.values(), key=lambda drug: drug.code)
MODIFIERS = sorted(HCPCS.modifiers)
PLACES = ["11", "19", "22", "12"]


#: The claim schema's pattern for a diagnosis code.
ICD_PATTERN = re.compile(claim_schema()["$defs"]["icd10cm_code"]["pattern"])


@cache
def all_billable_codes(fiscal_year: str) -> list[str]:
    """The billable ICD-10-CM codes of `fy2025` or `fy2026`, sorted, no dots."""
    table = load_codeset(CODESETS / "icd10cm" / fiscal_year).table()
    return [code for code in table.codes() if table.is_billable(code)]


@cache
def billable_codes(fiscal_year: str) -> list[str]:
    """The billable codes a claim can hold (test_properties checks that the
    claim schema's pattern admits every one)."""
    return [c for c in all_billable_codes(fiscal_year) if ICD_PATTERN.match(c)]


def fiscal_year(day: date) -> str:
    return "fy2026" if day >= FY2026_FROM else "fy2025"


def _coverage_families() -> dict[str, list[str]]:
    """Drug code -> the ICD-10-CM families its cms-core coverage rule accepts."""
    families: dict[str, list[str]] = {}
    common = builtin_policies() / "cms-core" / "common" / "coverage.toml"
    for rule in tomli.loads(common.read_text(encoding="utf-8"))["rules"]:
        # "K50.-" and the start of a range "C00-C14" both name a family.
        prefixes = [entry.split("-")[0].rstrip(".") for entry in rule["diagnoses"]]
        for code in rule["codes"]:
            families.setdefault(code, []).extend(prefixes)
    return families


FAMILIES = _coverage_families()


@cache
def family_codes(fiscal_year: str, family: str) -> list[str]:
    """The billable codes of one year under a family such as `M05` or `L40.5`."""
    codes = billable_codes(fiscal_year)
    prefix = family.replace(".", "")
    start = bisect.bisect_left(codes, prefix)
    end = bisect.bisect_left(codes, prefix + "\x7f")
    return codes[start:end]


def one_of_many(items: list[str]) -> st.SearchStrategy[str]:
    """`sampled_from` for a long list: an index, which Hypothesis draws fast."""
    return st.integers(0, len(items) - 1).map(items.__getitem__)


def written(code: str, dotted: bool) -> str:
    """An ICD-10-CM code as a biller may write it, with or without the dot."""
    return f"{code[:3]}.{code[3:]}" if dotted and len(code) > 3 else code


def npis() -> st.SearchStrategy[str]:
    def with_check_digit(base: str) -> str:
        return next(base + d for d in "0123456789" if is_valid_npi(base + d))

    return st.integers(10**8, 3 * 10**8 - 1).map(lambda n: with_check_digit(str(n)))


days = st.dates(FIRST_DAY, LAST_DAY)
times = st.builds(
    lambda hour, minute: f"{hour:02d}:{minute:02d}",
    st.integers(0, 23),
    st.integers(0, 59),
)
ids = st.builds(
    "{}-{:06d}".format, st.sampled_from(["C", "CLM", "EX-2026"]), st.integers(0, 10**6)
) | st.text(min_size=1, max_size=64)


@st.composite
def diagnoses_for(draw: st.DrawFn, day: date, drug_code: str | None) -> list[str]:
    """1 to 12 billable codes of the day's year; first, often, one the drug's
    coverage accepts."""
    year = fiscal_year(day)
    chosen = []
    families = [f for f in FAMILIES.get(drug_code or "", []) if family_codes(year, f)]
    if families and draw(st.integers(0, 4)) > 0:
        family = draw(st.sampled_from(families))
        chosen.append(draw(one_of_many(family_codes(year, family))))
    more = one_of_many(billable_codes(year))
    chosen += draw(st.lists(more, min_size=0 if chosen else 1, max_size=3))
    dotted = draw(st.booleans())
    return [written(code, dotted) for code in chosen][:12]


@cache
def pointers(count: int) -> st.SearchStrategy[list[int]]:
    return st.lists(
        st.integers(1, count), min_size=1, max_size=min(4, count), unique=True
    )


@st.composite
def em_line(draw: st.DrawFn, day: date, count: int, new: bool) -> dict[str, Any]:
    line: dict[str, Any] = {
        "code": draw(st.sampled_from(EM_NEW if new else EM_ESTABLISHED)),
        "units": 1,
        "service_date": day.isoformat(),
        "diagnosis_pointers": draw(pointers(count)),
    }
    if draw(st.booleans()):
        line["modifiers"] = ["25"]
    if draw(st.booleans()):
        line["charge"] = draw(st.sampled_from([95.0, 140.0, 180.0, 250]))
    return line


@st.composite
def administration_line(draw: st.DrawFn, day: date, count: int) -> dict[str, Any]:
    line: dict[str, Any] = {
        "code": draw(st.sampled_from(ADMINISTRATION)),
        "units": draw(st.integers(1, 3)),
        "service_date": day.isoformat(),
        "diagnosis_pointers": draw(pointers(count)),
    }
    if draw(st.integers(0, 3)) > 0:
        line["start_time"] = draw(times)
        line["stop_time"] = draw(times)
    if draw(st.booleans()):
        line["modifiers"] = draw(
            st.lists(st.sampled_from(["59", "XS", "XU", "JW"]), max_size=2, unique=True)
        )
    return line


@st.composite
def drug_line(draw: st.DrawFn, day: date, count: int, drug: Any) -> dict[str, Any]:
    billed_units = draw(st.integers(1, 120))
    wasted = draw(st.sampled_from([0, 0, 0, drug.unit_amount / 2, drug.unit_amount]))
    amount = billed_units * drug.unit_amount - wasted
    line: dict[str, Any] = {
        "code": drug.code,
        "modifiers": ["JW" if wasted else "JZ"],
        "units": billed_units,
        "service_date": day.isoformat(),
        "diagnosis_pointers": draw(pointers(count)),
        "dose": {"amount": amount or drug.unit_amount, "unit": drug.unit},
    }
    if draw(st.booleans()):
        line["dose"]["wasted"] = wasted
        line["dose"]["single_dose_container"] = drug.single_dose_container
    if draw(st.integers(0, 3)) > 0:
        line["ndc"] = {
            "code": f"{draw(st.integers(0, 10**11 - 1)):011d}",
            "quantity": draw(st.integers(1, 10)),
            "unit": draw(st.sampled_from(["UN", "UN", "ML", "GR", "F2", "ME"])),
        }
    if draw(st.booleans()):
        line["charge"] = round(billed_units * draw(st.floats(1, 200)), 2)
    return line


@st.composite
def encounters(draw: st.DrawFn, day: date, new: bool) -> dict[str, Any]:
    encounter: dict[str, Any] = {"patient_status": "new" if new else "established"}
    if not new or draw(st.booleans()):
        back = draw(st.integers(1, 1500))
        encounter["last_visit_date"] = (day - timedelta(days=back)).isoformat()
    em: dict[str, Any] = {"basis": draw(st.sampled_from(["mdm", "time"]))}
    levels = ["straightforward", "low", "moderate", "high"]
    em["mdm_level"] = draw(st.sampled_from(levels))
    em["total_minutes"] = draw(st.integers(5, 120))
    em["separately_documented"] = draw(st.booleans())
    encounter["em"] = em
    return encounter


@st.composite
def claims(draw: st.DrawFn) -> dict[str, Any]:
    """A valid claim document of one infusion-suite day in 2025 or 2026."""
    day = draw(days)
    drugs = [d for d in DRUGS if d.added <= day and day <= (d.terminated or day)]
    drug = draw(st.none() | st.sampled_from(drugs))
    diagnoses = draw(diagnoses_for(day, drug.code if drug else None))
    count = len(diagnoses)
    new = draw(st.booleans())

    lines = []
    if draw(st.integers(0, 3)) > 0:
        lines.append(draw(em_line(day, count, new)))
    lines += draw(st.lists(administration_line(day, count), max_size=3))
    if drug is not None:
        lines.append(draw(drug_line(day, count, drug)))
    if not lines:
        lines.append(draw(em_line(day, count, new)))
    if draw(st.integers(0, 9)) == 0:
        # A line of another day, in the same year or not.
        other = copy.deepcopy(draw(st.sampled_from(lines)))
        other["service_date"] = draw(days).isoformat()
        lines.append(other)
    if draw(st.integers(0, 9)) == 0:
        # A modifier from the code set, valid or not for the code.
        line = draw(st.sampled_from(lines))
        extra = draw(st.sampled_from(MODIFIERS))
        line["modifiers"] = list(dict.fromkeys([*line.get("modifiers", []), extra]))

    claim: dict[str, Any] = {
        "claim_id": draw(ids),
        "patient": {
            "id": draw(ids),
            "birth_date": draw(st.dates(date(1925, 1, 1), day)).isoformat(),
            "sex": draw(st.sampled_from(["F", "M", "U"])),
        },
        "provider": {"npi": draw(npis())},
        "place_of_service": draw(st.sampled_from(PLACES)),
        "diagnoses": diagnoses,
        "lines": lines,
    }
    if draw(st.integers(0, 3)) > 0:
        claim["payer"] = "medicare"
    if draw(st.booleans()):
        claim["provider"]["specialty"] = draw(
            st.sampled_from(["rheumatology", "gastroenterology", "66", "oncology"])
        )
    if draw(st.integers(0, 3)) > 0:
        claim["encounter"] = draw(encounters(day, new))
    return claim


# -- broken documents ---------------------------------------------------------

REQUIRED = {
    (): ["claim_id", "patient", "provider", "place_of_service", "diagnoses", "lines"],
    ("patient",): ["id", "birth_date", "sex"],
    ("provider",): ["npi"],
    ("lines", 0): ["code", "units", "service_date", "diagnosis_pointers"],
}
#: A value of the wrong JSON type for each field.
WRONG_TYPES = {
    ("claim_id",): 1001,
    ("patient",): ["P-1"],
    ("patient", "sex"): 1,
    ("provider", "npi"): 1234567893,
    ("place_of_service",): 11,
    ("diagnoses",): "M05.79",
    ("diagnoses", 0): ["M05.79"],
    ("lines",): {"code": "99214"},
    ("lines", 0): "99214",
    ("lines", 0, "units"): "1",
    ("lines", 0, "service_date"): 20260310,
    ("lines", 0, "diagnosis_pointers"): 1,
    ("lines", 0, "diagnosis_pointers", 0): 1.5,
    ("lines", 0, "modifiers"): "25",
    ("lines", 0, "charge"): None,
}
#: A value of the right type that the contract rules out.
OUT_OF_RANGE = {
    ("claim_id",): ["", "x" * 65],
    ("patient", "birth_date"): ["2026-02-30", "0999-01-01", "1968-4-12"],
    ("patient", "sex"): ["X", "f"],
    ("provider", "npi"): ["123456789", "3234567893"],
    ("place_of_service",): ["1", "111", "\u0661\u0661"],
    ("diagnoses",): [[], ["M05.79"] * 13],
    ("diagnoses", 0): ["M05.79\n", "M0", "5M.79"],
    ("lines",): [[]],
    ("lines", 0, "code"): ["9921", "992145", "J-1745"],
    ("lines", 0, "units"): [0, -1, -0.5],
    ("lines", 0, "service_date"): ["2025-13-01", "2026-02-29"],
    ("lines", 0, "diagnosis_pointers"): [[], [0], [13], [1, 1, 1, 1, 1]],
    ("lines", 0, "modifiers"): [["25", "25"], ["2"], ["25", "59", "XS", "XU", "JW"]],
    ("lines", 0, "start_time"): ["24:00", "9:30", "09:60"],
    ("lines", 0, "charge"): [-0.01],
}
BREAKS = [
    "drop a required field",
    "wrong type",
    "out of range",
    "extra key",
    "not an object",
]
OUTSIDE = [None, True, 0, 1.5, "a claim", [], [{"claim_id": "C-1"}]]


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    _at(document, path[:-1])[path[-1]] = value


def _objects(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every object in the document, which the schema closes."""
    if isinstance(document, dict):
        found = [path]
        for key, value in document.items():
            found += _objects(value, (*path, key))
        return found
    if isinstance(document, list):
        return [p for i, v in enumerate(document) for p in _objects(v, (*path, i))]
    return []


@st.composite
def broken_claims(draw: st.DrawFn) -> tuple[str, Any]:
    """`(how, document)`: a valid claim broken in one way the schema forbids."""
    claim = draw(claims())
    how = draw(st.sampled_from(BREAKS))
    if how == "drop a required field":
        parent = draw(st.sampled_from(sorted(REQUIRED)))
        del _at(claim, parent)[draw(st.sampled_from(REQUIRED[parent]))]
    elif how == "wrong type":
        path = draw(st.sampled_from(sorted(WRONG_TYPES, key=str)))
        _set(claim, path, copy.deepcopy(WRONG_TYPES[path]))
    elif how == "out of range":
        path = draw(st.sampled_from(sorted(OUT_OF_RANGE, key=str)))
        _set(claim, path, copy.deepcopy(draw(st.sampled_from(OUT_OF_RANGE[path]))))
    elif how == "extra key":
        target = _at(claim, draw(st.sampled_from(_objects(claim))))
        key = draw(st.sampled_from(["note", "claimId", "Code", "units ", ""]))
        target[key] = draw(st.sampled_from([None, "x", 1, {"a": []}]))
    else:
        claim = draw(st.sampled_from(OUTSIDE))
    return how, claim


# -- valid claims with random values in random places -------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
#: Values that nearly fit some field of a claim.
near_misses = (
    st.sampled_from(
        [
            *("2026-02-30", "2026-03-10", "1990-01-01", "25:00", "09:30", "M05.79"),
            *("G35", "99214", "J1745", "25", "JZ", "1234567893", "1234567890", "11"),
            *("", "x" * 70, -1, 0, 1, 13, 1.5, 1e300),
        ]
    )
    | json_values
)


def _paths(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*path, index))
    return found


@st.composite
def scrambled_claims(draw: st.DrawFn) -> Any:
    """A valid claim with one to three values replaced, removed or added:
    valid or not, only the schema can tell."""
    claim = draw(claims())
    for _ in range(draw(st.integers(1, 3))):
        paths = [path for path in _paths(claim) if path]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _at(claim, path[:-1])
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "remove":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(near_misses)
        else:
            parent[path[-1]] = draw(near_misses)
    return claim


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, Any]:
    """`(how, document)`: mostly valid claims (`how` is "valid"), some broken
    in a known way, some with random values ("random values")."""
    choice = draw(st.integers(0, 5))
    if choice < 4:
        return "valid", draw(claims())
    if choice == 4:
        return draw(broken_claims())
    return "random values", draw(scrambled_claims() | json_values)
