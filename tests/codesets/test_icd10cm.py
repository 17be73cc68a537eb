"""The ICD-10-CM code sets of FY2025 and FY2026 as shipped and as loaded."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import importlib.util
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from claimpolicy.codesets.icd10cm import Icd10cmTable, normalize_icd
from claimpolicy.errors import CodeSetFileError

FOLDER = Path(__file__).resolve().parents[2] / "policies/codesets/icd10cm"
YEARS = ("fy2025", "fy2026")
G35_CHILDREN_FY2026 = ("G35A", "G35B0", "G35B1", "G35B2", "G35C0", "G35C1", "G35C2")


@pytest.fixture(scope="module")
def fy2025() -> Icd10cmTable:
    return Icd10cmTable.from_file(FOLDER / "fy2025/codes.tsv.gz")


@pytest.fixture(scope="module")
def fy2026() -> Icd10cmTable:
    return Icd10cmTable.from_file(FOLDER / "fy2026/codes.tsv.gz")


def manifest(year: str) -> dict[str, object]:
    return tomllib.loads((FOLDER / year / "codeset.toml").read_text("utf-8"))


def rows(year: str) -> list[list[str]]:
    text = gzip.decompress((FOLDER / year / "codes.tsv.gz").read_bytes()).decode()
    return [line.split("\t") for line in text.splitlines()]


# What the code sets say


def test_g35_is_billable_in_fy2025_only(
    fy2025: Icd10cmTable, fy2026: Icd10cmTable
) -> None:
    assert fy2025.status("G35") == "billable"
    assert fy2026.status("G35") == "header"
    assert not fy2026.is_billable("G35")


def test_g35_children_exist_from_fy2026(
    fy2025: Icd10cmTable, fy2026: Icd10cmTable
) -> None:
    for code in (*G35_CHILDREN_FY2026, "G35D"):
        assert fy2026.status(code) == "billable", code
        assert fy2025.status(code) is None, code
    assert fy2026.status("G35B") == "header"
    assert fy2026.status("G35C") == "header"
    assert fy2026.title("G35D") == "Multiple sclerosis, unspecified"
    assert fy2026.title("G35A") == "Relapsing-remitting multiple sclerosis"


def test_m05_is_a_header_and_m0579_billable(
    fy2025: Icd10cmTable, fy2026: Icd10cmTable
) -> None:
    for table in (fy2025, fy2026):
        assert table.status("M05") == "header"
        assert table.status("M0579") == "billable"
        assert table.status("m05.79 ") == "billable"
        assert table.title("M05.79") == (
            "Rheumatoid arthritis with rheumatoid factor of multiple sites"
            " without organ or systems involvement"
        )


def test_seventh_character_codes_are_billable_and_their_stems_not(
    fy2026: Icd10cmTable,
) -> None:
    assert fy2026.status("S52521A") == "billable"
    assert fy2026.status("S52.521") == "header"
    assert fy2026.status("T36.0X1A") == "billable"
    assert fy2026.status("T360X1") == "header"
    assert fy2026.title("S52.521A") == (
        "Torus fracture of lower end of right radius,"
        " initial encounter for closed fracture"
    )


def test_s06_death_before_consciousness_takes_only_initial_encounter(
    fy2025: Icd10cmTable, fy2026: Icd10cmTable
) -> None:
    for table in (fy2025, fy2026):
        assert table.status("S061X7A") == "billable"
        assert table.status("S061X7D") is None
        assert table.status("S061X8S") is None
        assert table.status("S061X6D") == "billable"


def test_unknown_codes_have_no_status(fy2026: Icd10cmTable) -> None:
    for code in ("G35E", "M05.80X", "ZZZ", "", "S52521Z", "G35\u00e9"):
        assert fy2026.status(code) is None, code
        assert not fy2026.is_billable(code)
        assert fy2026.title(code) is None
        assert code not in fy2026


def test_titles_keep_accents_as_published(fy2026: Icd10cmTable) -> None:
    assert fy2026.title("A81.82") == "Gerstmann-Str\u00e4ussler-Scheinker syndrome"
    assert fy2026.title("C84.10") == "S\u00e9zary disease, unspecified site"


def test_titles_are_found_for_first_last_and_sampled_codes(
    fy2025: Icd10cmTable,
) -> None:
    expected = {code: title for code, _, title in rows("fy2025")[1:]}
    codes = list(expected)
    for code in [codes[0], codes[-1], *codes[::97]]:
        assert fy2025.title(code) == expected[code], code


def test_container_protocol(fy2025: Icd10cmTable) -> None:
    assert "g35" in fy2025
    assert 35 not in fy2025
    assert len(fy2025) == 97584
    assert fy2025.codes()[:3] == ["A00", "A000", "A001"]
    assert list(fy2025) == fy2025.codes()
    assert [row[0] for row in rows("fy2025")[1:]] == fy2025.codes()


def test_normalize_icd() -> None:
    assert normalize_icd(" m05.79\n") == "M0579"
    assert normalize_icd("G35.A") == "G35A"


# The shipped files


@pytest.mark.parametrize("year", YEARS)
def test_counts_match_the_manifest_and_are_plausible(year: str) -> None:
    table = Icd10cmTable.from_file(FOLDER / year / "codes.tsv.gz")
    meta = manifest(year)
    assert (meta["codes"], meta["billable"]) == (len(table), table.billable_count)
    assert 70_000 <= table.billable_count <= 80_000


def test_exact_counts(fy2025: Icd10cmTable, fy2026: Icd10cmTable) -> None:
    assert (len(fy2025), fy2025.billable_count) == (97584, 74260)
    assert (len(fy2026), fy2026.billable_count) == (98186, 74719)


@pytest.mark.parametrize("year", YEARS)
def test_manifest_digest_matches_the_file(year: str) -> None:
    data = (FOLDER / year / "codes.tsv.gz").read_bytes()
    assert manifest(year)["sha256"] == hashlib.sha256(data).hexdigest()


def test_manifest_fields() -> None:
    meta = manifest("fy2026")
    assert list(meta) == [
        "name",
        "version",
        "system",
        "title",
        "from",
        "to",
        "file",
        "sha256",
        "source",
        "reference",
        "note",
        "codes",
        "billable",
    ]
    assert (meta["name"], meta["version"], meta["system"], meta["file"]) == (
        "icd10cm",
        "fy2026",
        "ICD-10-CM",
        "codes.tsv.gz",
    )
    assert meta["title"] == "ICD-10-CM fiscal year 2026 (April 1, 2026 update)"
    assert (meta["from"], meta["to"]) == (
        datetime.date(2025, 10, 1),
        datetime.date(2026, 9, 30),
    )
    assert meta["reference"] == (
        "CDC/CMS ICD-10-CM tabular list, FY2026 April 1, 2026 release"
        " (public domain), via PyPI simple-icd-10-cm 1.5.0"
    )
    fy2025 = manifest("fy2025")
    assert (fy2025["from"], fy2025["to"]) == (
        datetime.date(2024, 10, 1),
        datetime.date(2025, 9, 30),
    )
    assert "April 1, 2025" in str(fy2025["note"])
    assert "simple-icd-10-cm 1.4.0" in str(fy2025["source"])


@pytest.mark.parametrize("year", YEARS)
def test_rows_are_sorted_unique_and_well_formed(year: str) -> None:
    header, *body = rows(year)
    assert header == ["code", "billable", "title"]
    codes = [row[0] for row in body]
    assert codes == sorted(set(codes))
    for row in body:
        assert len(row) == 3
        assert row[1] in ("0", "1")
        assert row[2] == row[2].strip()
        assert row[2]


@pytest.mark.parametrize("year", YEARS)
def test_gzip_header_is_reproducible(year: str) -> None:
    head = (FOLDER / year / "codes.tsv.gz").read_bytes()[:10]
    # Deflate, no flags (so no file name), mtime 0, maximum compression.
    assert head == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"


# Bad files


def write_gz(folder: Path, text: bytes) -> Path:
    path = folder / "codes.tsv.gz"
    path.write_bytes(gzip.compress(text, mtime=0))
    return path


GOOD = b"code\tbillable\ttitle\nA00\t0\tCholera\nA000\t1\tCholera due to 01\n"


def load_error(path: Path) -> str:
    with pytest.raises(CodeSetFileError) as caught:
        Icd10cmTable.from_file(path)
    assert isinstance(caught.value, ValueError)
    return str(caught.value)


def test_a_small_good_file_loads(tmp_path: Path) -> None:
    table = Icd10cmTable.from_file(write_gz(tmp_path, GOOD))
    assert (len(table), table.billable_count) == (2, 1)
    assert table.title("A000") == "Cholera due to 01"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            b"code\tflag\ttitle\n",
            "line 1: expected the header 'code\\tbillable\\ttitle\\n'",
        ),
        (
            GOOD + b"A001\t2\tx\n",
            "line 4: expected code<TAB>0 or 1<TAB>title, got 'A001\\t2\\tx'",
        ),
        (
            GOOD + b"A001\t1\t\n",
            "line 4: expected code<TAB>0 or 1<TAB>title, got 'A001\\t1\\t'",
        ),
        (
            GOOD + b"A001\t1\tx\ty\n",
            "line 4: expected code<TAB>0 or 1<TAB>title, got 'A001\\t1\\tx\\ty'",
        ),
        (
            GOOD + b"a001\t1\tx\n",
            "line 4: expected code<TAB>0 or 1<TAB>title, got 'a001\\t1\\tx'",
        ),
        (GOOD + b"\n", "line 4: expected code<TAB>0 or 1<TAB>title, got ''"),
        (GOOD + b"A001\t1\tx", "line 4: the file does not end with a newline"),
        (GOOD + b"A000\t1\tagain\n", "line 4: code A000 appears twice"),
        (GOOD + b"A000\t0\tagain\n", "line 4: code A000 appears twice"),
        (
            GOOD + b"A0\t1\tshort\n",
            "line 4: expected code<TAB>0 or 1<TAB>title, got 'A0\\t1\\tshort'",
        ),
        (
            GOOD + b"A001\t1\tS\xe9zary\n",
            "line 4: not UTF-8: invalid continuation byte",
        ),
    ],
)
def test_a_bad_row_is_named_by_line(tmp_path: Path, text: bytes, problem: str) -> None:
    path = write_gz(tmp_path, text)
    assert load_error(path) == f"{path}: {problem}"


def test_rows_out_of_order_are_found_when_a_title_is_asked(tmp_path: Path) -> None:
    header, good_rows = GOOD.split(b"\n", 1)
    path = write_gz(tmp_path, header + b"\nB00\t1\tmisplaced\n" + good_rows)
    table = Icd10cmTable.from_file(path)
    assert table.status("B00") == "billable"
    with pytest.raises(CodeSetFileError) as caught:
        table.title("B00")
    assert str(caught.value) == f"{path}: line 3: code A00 is out of order"


def test_a_file_that_is_not_gzip(tmp_path: Path) -> None:
    path = tmp_path / "codes.tsv.gz"
    path.write_bytes(GOOD)
    assert load_error(path) == (
        f"{path}: not a gzip file: Error -3 while decompressing data:"
        " incorrect header check"
    )


def test_a_truncated_or_padded_gzip(tmp_path: Path) -> None:
    path = tmp_path / "codes.tsv.gz"
    whole = gzip.compress(GOOD, mtime=0)
    path.write_bytes(whole[:-4])
    assert load_error(path) == f"{path}: truncated gzip data"
    path.write_bytes(whole + whole)
    assert load_error(path) == f"{path}: data after the end of the gzip stream"


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.tsv.gz"
    assert load_error(path).startswith(f"{path}: cannot be read: ")


# The builder's parsing, on a tabular small enough to read (no download)


@pytest.fixture(scope="module")
def builder() -> Iterator[ModuleType]:
    path = FOLDER.parents[2] / "tools/build_icd10cm.py"
    spec = importlib.util.spec_from_file_location("build_icd10cm", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Its dataclass looks its own module up while being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


TABULAR = b"""<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <chapter><name>19</name><desc>Injury</desc>
    <section id="S00-S09"><desc>Head</desc>
      <diag><name>S02</name><desc>Fracture of skull</desc>
        <sevenChrDef>
          <extension char="A">initial encounter</extension>
          <extension char="D">subsequent encounter</extension>
        </sevenChrDef>
        <diag><name>S02.0</name><desc>Fracture of vault of skull</desc></diag>
      </diag>
      <diag><name>S06</name><desc>Intracranial injury</desc>
        <sevenChrDef><extension char="A">initial encounter</extension>
          <extension char="D">subsequent encounter</extension></sevenChrDef>
        <notes><note>7th characters D and S do not apply to codes in category S06
          with 6th character 7 - death</note></notes>
        <diag><name>S06.1X7</name><desc>Cerebral edema, died</desc></diag>
      </diag>
      <diag><name>T71</name><desc>Asphyxiation</desc>
        <sevenChrDef><extension char="S">sequela</extension></sevenChrDef>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""


def test_builder_expands_seventh_characters_with_placeholders(
    builder: ModuleType,
) -> None:
    codes = builder.parse_tabular(TABULAR, "tabular.xml")
    assert codes == {
        "S02": (False, "Fracture of skull"),
        "S020": (False, "Fracture of vault of skull"),
        "S020XXA": (True, "Fracture of vault of skull, initial encounter"),
        "S020XXD": (True, "Fracture of vault of skull, subsequent encounter"),
        "S06": (False, "Intracranial injury"),
        "S061X7": (False, "Cerebral edema, died"),
        "S061X7A": (True, "Cerebral edema, died, initial encounter"),
        "T71": (False, "Asphyxiation"),
        "T71XXXS": (True, "Asphyxiation, sequela"),
    }


def test_builder_cross_checks_leaves_against_the_code_list(builder: ModuleType) -> None:
    codes = builder.parse_tabular(TABULAR, "tabular.xml")
    listed = b"19\r\nS00-S09\r\nS02\r\nS020\r\nS020XXA\r\nS020XXD\r\nS06\r\n"
    listed += b"S061X7\r\nS061X7A\r\nT71\r\nT71XXXS"
    builder.cross_check(codes, listed, "list.txt")

    with pytest.raises(builder.BuildError) as caught:
        builder.cross_check(codes, listed + b"\r\nT71XXXA", "list.txt")
    assert str(caught.value) == (
        "list.txt: code sets differ; only in the list: ['T71XXXA'],"
        " only in the tabular: []"
    )


def test_builder_gzip_is_deterministic_and_standard(builder: ModuleType) -> None:
    packed = builder.deterministic_gzip(GOOD)
    assert packed == builder.deterministic_gzip(GOOD)
    assert gzip.decompress(packed) == GOOD
