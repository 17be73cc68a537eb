"""The HCPCS Level II code set of October 2025 as the engine reads it."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
import tomli

from claimpolicy.codesets.hcpcs import Drug, HcpcsTable
from claimpolicy.errors import CodeSetFileError

FOLDER = Path(__file__).resolve().parents[2] / "policies/codesets/hcpcs/2025-10"


@pytest.fixture(scope="module")
def table() -> HcpcsTable:
    return HcpcsTable.from_folder(FOLDER)


def test_rituximab_100_mg_ended_with_2018(table: HcpcsTable) -> None:
    code = table.get("J9310")
    assert code is not None
    assert code.terminated == date(2018, 12, 31)
    assert code.termination_basis == "cms-2020-file"
    assert table.is_active("J9310", date(2018, 12, 31))
    assert not table.is_active("J9310", date(2019, 1, 1))


def test_deleted_rituximab_stays_in_the_drug_table(table: HcpcsTable) -> None:
    drug = table.drug("J9310")
    assert drug is not None
    assert (drug.unit_amount, drug.unit) == (100, "mg")
    assert drug.terminated == date(2018, 12, 31)


def test_billing_units_of_the_worked_examples(table: HcpcsTable) -> None:
    units = {
        code: (drug.unit_amount, drug.unit)
        for code in ("J1745", "J2350", "J0885")
        if (drug := table.drug(code)) is not None
    }
    assert units == {
        "J1745": (10, "mg"),
        "J2350": (1, "mg"),
        "J0885": (1000, "units"),
    }


def test_avsola_starts_on_its_add_date(table: HcpcsTable) -> None:
    code = table.get("Q5121")
    assert code is not None
    assert code.added == date(2020, 7, 1)
    assert code.termination_basis == "unknown-added-after-2020"
    assert not table.is_active("Q5121", date(2020, 6, 30))
    assert table.is_active("Q5121", date(2020, 7, 1))


def test_biosimilar_names_its_reference_product(table: HcpcsTable) -> None:
    drug = table.drug("q5121")
    assert drug is not None
    assert (drug.drug, drug.product, drug.reference_product) == (
        "infliximab",
        "Avsola",
        False,
    )
    assert drug.biosimilar_of == "J1745"


def test_every_drug_has_a_positive_unit_and_a_source(table: HcpcsTable) -> None:
    assert len(table.drugs) > 0
    assert [c for c, d in table.drugs.items() if not d.unit_amount > 0] == []
    assert [c for c, d in table.drugs.items() if not d.source] == []


# Codes whose products come in single-dose and in multiple-dose vials (FDA
# labels of Epogen/Procrit, Retacrit, Herceptin and its biosimilars).
BOTH_CONTAINERS = {
    "J0885", "Q5106",
    "J9355", "Q5112", "Q5113", "Q5114", "Q5116", "Q5117", "Q5146",
}  # fmt: skip


def test_drugs_sold_in_both_containers_are_not_assumed_single_dose(
    table: HcpcsTable,
) -> None:
    both = {code for code, drug in table.drugs.items() if drug.container == "both"}
    assert both == BOTH_CONTAINERS
    for code in BOTH_CONTAINERS:
        assert table.drugs[code].single_dose_container is False


def test_other_drugs_are_single_dose(table: HcpcsTable) -> None:
    for code, drug in table.drugs.items():
        if code not in BOTH_CONTAINERS:
            assert (drug.container, drug.single_dose_container) == (
                "single-dose",
                True,
            ), code


def test_only_a_single_dose_container_is_assumed_single_dose() -> None:
    fields = {
        "code": "J9999",
        "drug": "test",
        "product": None,
        "reference_product": True,
        "biosimilar_of": None,
        "descriptor": "test, 1 mg",
        "unit_amount": 1,
        "unit": "mg",
        "added": date(2000, 1, 1),
        "terminated": None,
        "mue": None,
        "mue_source": None,
        "source": "test",
    }
    assumed = {
        container: Drug(**fields, container=container).single_dose_container
        for container in ("single-dose", "multiple-dose", "both")
    }
    assert assumed == {"single-dose": True, "multiple-dose": False, "both": False}
    with pytest.raises(
        ValueError,
        match="container: expected one of both, multiple-dose, single-dose, got 'vial'",
    ):
        Drug(**fields, container="vial")


def test_unknown_code_is_never_active(table: HcpcsTable) -> None:
    assert table.get("J9999X") is None
    assert not table.is_active("Z9999", date(2025, 10, 1))


def test_modifiers_include_waste_and_distinct_service(table: HcpcsTable) -> None:
    assert {"JW", "JZ", "XE", "XS", "XP", "XU"} <= table.modifiers


def test_manifest_digests_match_the_files() -> None:
    manifest = tomli.loads((FOLDER / "codeset.toml").read_text(encoding="utf-8"))
    recorded = {manifest["file"]: manifest["sha256"]}
    for role, name in manifest["files"].items():
        recorded[name] = manifest["sha256_files"][role]
    actual = {
        name: hashlib.sha256((FOLDER / name).read_bytes()).hexdigest()
        for name in recorded
    }
    assert actual == recorded
    assert set(recorded) == {"codes.tsv", "modifiers.tsv", "drugs.toml"}


def test_manifest_describes_an_open_release() -> None:
    manifest = tomli.loads((FOLDER / "codeset.toml").read_text(encoding="utf-8"))
    assert (manifest["name"], manifest["version"], manifest["system"]) == (
        "hcpcs",
        "2025-10",
        "HCPCS Level II",
    )
    # In force before its release: it carries add dates and terminations
    # up to 2020, so it serves the dates of service of both cms-core years.
    assert manifest["from"] == date(2020, 1, 1)
    assert "to" not in manifest


def _copy_folder(tmp_path: Path) -> Path:
    for name in ("codeset.toml", "codes.tsv", "modifiers.tsv", "drugs.toml"):
        (tmp_path / name).write_bytes((FOLDER / name).read_bytes())
    return tmp_path


def test_bad_date_names_file_line_and_value(tmp_path: Path) -> None:
    folder = _copy_folder(tmp_path)
    codes = folder / "codes.tsv"
    lines = codes.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace("\t1982-01-01\t", "\t1982-13-01\t", 1)
    codes.write_text("\n".join(lines), encoding="utf-8")

    with pytest.raises(CodeSetFileError) as caught:
        HcpcsTable.from_folder(folder)
    assert str(caught.value) == (
        f"{codes}: line 3: added: expected a date YYYY-MM-DD, got '1982-13-01'"
    )
    assert isinstance(caught.value, ValueError)


def test_bad_unit_names_the_drug_entry(tmp_path: Path) -> None:
    folder = _copy_folder(tmp_path)
    drugs = folder / "drugs.toml"
    text = drugs.read_text(encoding="utf-8")
    drugs.write_text(text.replace('unit = "mg"', 'unit = "cc"', 1), encoding="utf-8")
    line = text.split("\n").index("[[drug]]") + 1

    with pytest.raises(CodeSetFileError) as caught:
        HcpcsTable.from_folder(folder)
    assert str(caught.value) == (
        f"{drugs}: line {line}: [[drug]] J1745: unit: expected one of "
        "g, mL, mcg, mg, units, got 'cc'"
    )


def test_bad_container_names_the_drug_entry(tmp_path: Path) -> None:
    folder = _copy_folder(tmp_path)
    drugs = folder / "drugs.toml"
    text = drugs.read_text(encoding="utf-8")
    drugs.write_text(
        text.replace('container = "single-dose"', 'container = "vial"', 1),
        encoding="utf-8",
    )
    line = text.split("\n").index("[[drug]]") + 1

    with pytest.raises(CodeSetFileError) as caught:
        HcpcsTable.from_folder(folder)
    assert str(caught.value) == (
        f"{drugs}: line {line}: [[drug]] J1745: container: expected one of "
        "both, multiple-dose, single-dose, got 'vial'"
    )
