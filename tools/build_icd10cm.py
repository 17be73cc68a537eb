"""Build the ICD-10-CM code sets for fiscal years 2025 and 2026.

The CDC/CMS tabular list (public domain) is taken from the wheels of the PyPI
package simple-icd-10-cm, pinned by version and SHA-256; the package itself is
never imported, its data files are read straight out of the wheel zip::

    python tools/build_icd10cm.py            # rebuild policies/codesets/icd10cm/
    python tools/build_icd10cm.py --check    # exit 1 unless the committed files
                                             # are byte-identical to a rebuild

Each fiscal year gets ``codes.tsv.gz`` (one row per category, subcategory and
7th-character code; a code is billable exactly when it is a leaf) and
``codeset.toml`` (dates, counts, digest and provenance).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import re
import struct
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "policies" / "codesets" / "icd10cm"
PACKAGE = "simple-icd-10-cm"
TSV_HEADER = "code\tbillable\ttitle\n"

# Set by hand, not derived from the data: a change here is a change of format.
GZIP_LEVEL = 9


@dataclass(frozen=True)
class Release:
    """One fiscal year's code set and the wheel it is built from."""

    version: str  # our name, also the output folder
    fy_start: datetime.date
    fy_end: datetime.date
    update: str  # the CMS release the wheel holds
    package_version: str
    wheel_sha256: str
    tabular: str  # member names inside the wheel
    code_list: str

    @property
    def wheel_name(self) -> str:
        return f"simple_icd_10_cm-{self.package_version}-py3-none-any.whl"


RELEASES = (
    Release(
        version="fy2025",
        fy_start=datetime.date(2024, 10, 1),
        fy_end=datetime.date(2025, 9, 30),
        update="April 1, 2025",
        package_version="1.4.0",
        wheel_sha256="d8a1b58282315af86acf4a4fc1765a6f42f5456ec216e53173b7be880825c36c",
        tabular="simple_icd_10_cm/data/icd10cm-tabular-April-2025.xml",
        code_list="simple_icd_10_cm/data/code-list-April-2025.txt",
    ),
    Release(
        version="fy2026",
        fy_start=datetime.date(2025, 10, 1),
        fy_end=datetime.date(2026, 9, 30),
        update="April 1, 2026",
        package_version="1.5.0",
        wheel_sha256="6d461d71dc26aedc530ae65f02cfb578a154e49507c32e8241e75f701d4b7e42",
        tabular="simple_icd_10_cm/data/icd10c-tabular-April-1-2026.xml",
        code_list="simple_icd_10_cm/data/code-list-April-2026.txt",
    ),
)

# code (no dot) -> (billable, title)
Codes = dict[str, tuple[bool, str]]

# Not [A-Z][0-9]...: FY2026 brought category QA0.
DIAG_NAME = re.compile(r"[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{1,4})?")
LINE_BREAKS = re.compile(r"[\t\r\n]+")

# The tabular states one exception to a sevenChrDef only in prose, in the
# <notes> of category S06; we encode it here and insist the note is still there.
S06_NOTE = (
    "7th characters D and S do not apply to codes in category S06 with 6th character 7"
)


class BuildError(Exception):
    """The inputs are not what this script was written for."""


def fetch_wheel(release: Release, wheel_dir: Path) -> bytes:
    """Return the pinned wheel's bytes, downloading it with pip if needed."""
    path = wheel_dir / release.wheel_name
    if not path.exists():
        requirement = f"{PACKAGE}=={release.package_version}"
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        command += ["--only-binary=:all:", requirement, "-d", str(wheel_dir)]
        subprocess.run(command, check=True)
    if not path.exists():
        raise BuildError(f"{path}: pip download did not produce this wheel")

    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != release.wheel_sha256:
        raise BuildError(
            f"{path}: sha256 is {digest}, expected {release.wheel_sha256};"
            " refusing a wheel that differs from the pinned one"
        )
    return data


def clean_text(text: str | None, where: str) -> str:
    """Return a title as published, with tabs and line breaks made spaces."""
    cleaned = LINE_BREAKS.sub(" ", text or "").strip()
    if not cleaned:
        raise BuildError(f"{where}: empty title")
    return cleaned


def parse_tabular(xml: bytes, member: str) -> Codes:
    """Read every category, subcategory and 7th-character code of the tabular."""
    root = ET.fromstring(xml)
    codes: Codes = {}
    visited = 0
    for chapter in root.findall("chapter"):
        for section in chapter.findall("section"):
            for diag in section.findall("diag"):
                visited += add_diag(diag, None, codes, member)

    # Chapters and sections (blocks) are not codes; every <diag> is one.
    if visited != sum(1 for _ in root.iter("diag")):
        raise BuildError(f"{member}: found <diag> outside chapter/section/diag")
    check_s06_note(root, member)
    return codes


def add_diag(
    diag: ET.Element,
    seventh: dict[str, str] | None,
    codes: Codes,
    member: str,
) -> int:
    """Add one <diag>, its descendants and its 7th-character codes to codes.

    ``seventh`` maps each 7th character to its meaning, taken from the
    nearest <sevenChrDef> above; it applies to every leaf below it.
    """
    name = diag.findtext("name") or ""
    if not DIAG_NAME.fullmatch(name):
        raise BuildError(f"{member}: bad <diag> name {name!r}")
    code = name.replace(".", "")
    title = clean_text(diag.findtext("desc"), f"{member}: {name}")
    if code in codes:
        raise BuildError(f"{member}: {name} appears twice")

    own = diag.find("sevenChrDef")
    if own is not None:
        seventh = {
            ext.attrib["char"]: clean_text(ext.text, f"{member}: {name} 7th char")
            for ext in own.findall("extension")
        }
    children = diag.findall("diag")
    codes[code] = (not children and seventh is None, title)

    visited = 1
    for child in children:
        visited += add_diag(child, seventh, codes, member)
    if not children and seventh is not None:
        add_seventh_characters(code, title, seventh, codes, member)
    return visited


def add_seventh_characters(
    code: str, title: str, seventh: dict[str, str], codes: Codes, member: str
) -> None:
    """Add the billable 7-character codes of a leaf that needs a 7th character.

    Short codes are padded with the placeholder X to six characters first
    (S02.0 -> S02.0XXA); the title joins the leaf's and the character's, as
    CMS's own long titles do.
    """
    if len(code) >= 7:
        raise BuildError(f"{member}: {code} has 7 characters but a sevenChrDef")
    base = code.ljust(6, "X")
    for char, meaning in seventh.items():
        full = base + char
        if is_s06_exception(full):
            continue
        codes[full] = (True, f"{title}, {meaning}")


def is_s06_exception(code: str) -> bool:
    """True for S06 codes whose 6th character 7 or 8 rules out D and S."""
    return code.startswith("S06") and code[5] in "78" and code[6] in "DS"


def check_s06_note(root: ET.Element, member: str) -> None:
    """Fail unless category S06 still carries the note is_s06_exception encodes."""
    for diag in root.iter("diag"):
        if diag.findtext("name") == "S06":
            notes = diag.findall("notes/note")
            texts = (" ".join((note.text or "").split()) for note in notes)
            if any(text.startswith(S06_NOTE) for text in texts):
                return
    raise BuildError(f"{member}: S06 lacks the note {S06_NOTE!r}")


def cross_check(codes: Codes, code_list: bytes, member: str) -> None:
    """Fail unless the package's own code list has the same codes and leaves.

    That list holds chapters (digits), blocks (ranges, or a lone category
    name, which then also appears as the category) and codes, in tree order:
    a code is a leaf exactly when the next code does not extend it.
    """
    lines = code_list.decode("utf-8").split()
    listed = [line for line in lines if not line.isdigit() and "-" not in line]

    leaf: dict[str, bool] = {}
    for code, following in zip(listed, [*listed[1:], ""], strict=True):
        # A lone-category block comes first; the category's own entry wins.
        leaf[code] = not following.startswith(code)

    missing = sorted(set(leaf) - set(codes))
    extra = sorted(set(codes) - set(leaf))
    if missing or extra:
        raise BuildError(
            f"{member}: code sets differ; only in the list: {missing[:10]},"
            f" only in the tabular: {extra[:10]}"
        )
    wrong = sorted(
        code for code, (billable, _) in codes.items() if billable != leaf[code]
    )
    if wrong:
        raise BuildError(f"{member}: billable flag disagrees for {wrong[:10]}")


def tsv_bytes(codes: Codes) -> bytes:
    """Render the code set as the TSV text of codes.tsv.gz."""
    rows = [TSV_HEADER]
    for code in sorted(codes):
        billable, title = codes[code]
        rows.append(f"{code}\t{int(billable)}\t{title}\n")
    return "".join(rows).encode("utf-8")


def deterministic_gzip(data: bytes) -> bytes:
    """Gzip data with a fixed header (no name, mtime 0, OS unknown).

    The header is written here rather than by the gzip module, whose header
    bytes have changed between Python versions.
    """
    header = b"\x1f\x8b\x08\x00" + struct.pack("<I", 0) + b"\x02\xff"
    deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return header + body + trailer


def toml_string(value: str) -> str:
    # JSON's string escapes are all valid TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def codeset_toml(release: Release, gz: bytes, codes: Codes) -> bytes:
    """Render codeset.toml, the code set's metadata."""
    year = release.fy_end.year
    fields: dict[str, object] = {
        "name": "icd10cm",
        "version": release.version,
        "system": "ICD-10-CM",
        "title": f"ICD-10-CM fiscal year {year} ({release.update} update)",
        "from": release.fy_start,
        "to": release.fy_end,
        "file": "codes.tsv.gz",
        "sha256": hashlib.sha256(gz).hexdigest(),
        "source": (
            f"PyPI {PACKAGE} {release.package_version}, wheel"
            f" {release.wheel_name} (sha256 {release.wheel_sha256}), files"
            f" {release.tabular} (tabular list, parsed) and {release.code_list}"
            " (code list, cross-checked); built by tools/build_icd10cm.py"
        ),
        "reference": (
            f"CDC/CMS ICD-10-CM tabular list, FY{year} {release.update} release"
            f" (public domain), via PyPI {PACKAGE} {release.package_version}"
        ),
        "note": (
            f"FY{year} is represented by its {release.update} update: codes"
            f" added on that date are also accepted from {release.fy_start},"
            " and codes it deleted or changed are not seen as they were before"
            " (a known approximation)."
        ),
        "codes": len(codes),
        "billable": sum(billable for billable, _ in codes.values()),
    }
    lines = []
    for key, value in fields.items():
        shown = toml_string(value) if isinstance(value, str) else str(value)
        lines.append(f"{key} = {shown}\n")
    text = "".join(lines)

    if tomllib.loads(text) != fields:
        raise BuildError(f"{release.version}: codeset.toml does not read back")
    return text.encode("utf-8")


def build_release(release: Release, wheel_dir: Path) -> dict[str, bytes]:
    """Return the output files of one fiscal year, by file name."""
    with zipfile.ZipFile(io.BytesIO(fetch_wheel(release, wheel_dir))) as wheel:
        tabular = wheel.read(release.tabular)
        code_list = wheel.read(release.code_list)

    codes = parse_tabular(tabular, release.tabular)
    cross_check(codes, code_list, release.code_list)
    gz = deterministic_gzip(tsv_bytes(codes))
    return {"codes.tsv.gz": gz, "codeset.toml": codeset_toml(release, gz, codes)}


def build_all(out_dir: Path, wheel_dir: Path) -> None:
    """Write every release's files under out_dir and print its counts."""
    for release in RELEASES:
        files = build_release(release, wheel_dir)
        folder = out_dir / release.version
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)

        meta = tomllib.loads(files["codeset.toml"].decode("utf-8"))
        print(
            f"{release.version}: {meta['codes']} codes, {meta['billable']} billable,"
            f" codes.tsv.gz sha256 {meta['sha256']}"
        )


def check(out_dir: Path, wheel_dir: Path) -> list[str]:
    """Rebuild into a temporary folder; return the committed files that differ."""
    differing = []
    with tempfile.TemporaryDirectory() as scratch:
        build_all(Path(scratch), wheel_dir)
        for release in RELEASES:
            for name in ("codes.tsv.gz", "codeset.toml"):
                committed = out_dir / release.version / name
                fresh = Path(scratch) / release.version / name
                if not committed.exists():
                    differing.append(f"{committed}: missing")
                elif committed.read_bytes() != fresh.read_bytes():
                    differing.append(f"{committed}: differs from a fresh build")
    return differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild into a temporary folder and compare with the committed files",
    )
    parser.add_argument(
        "--wheel-dir",
        type=Path,
        help="folder holding the pinned wheels (downloaded there when missing);"
        " default: a temporary folder",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        wheel_dir = args.wheel_dir or Path(scratch)
        try:
            if not args.check:
                build_all(OUT_DIR, wheel_dir)
                return 0
            differing = check(OUT_DIR, wheel_dir)
        except (BuildError, subprocess.CalledProcessError) as error:
            print(f"build_icd10cm: {error}", file=sys.stderr)
            return 1

    for problem in differing:
        print(f"build_icd10cm: {problem}", file=sys.stderr)
    if not differing:
        print("build_icd10cm: committed files match a fresh build")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
