"""A pack in force whose code set has no version in force cannot be applied:
the resolver says why, naming the pack, the code system and the date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from claimpolicy.codesets.registry import CodeSet
from claimpolicy.packs.pack import Extends, PackVersion
from claimpolicy.packs.registry import PackRegistry
from claimpolicy.packs.resolve import NoCodeSetInForce, Resolver

FY2025 = (date(2024, 10, 1), date(2025, 9, 30))
FY2026 = (date(2025, 10, 1), date(2026, 9, 30))
FY2027 = (date(2026, 10, 1), None)


def codeset(version: str, dates: tuple[date, date | None]) -> CodeSet:
    return CodeSet(
        name="icd10cm",
        version=version,
        system="ICD-10-CM",
        title=f"ICD-10-CM {version}",
        effective_from=dates[0],
        effective_to=dates[1],
        folder=Path("unused"),
        files={},
        reference="test",
    )


def pack(
    name: str,
    codesets: tuple[str, ...],
    *,
    payers: frozenset[str] = frozenset(),
    extends: tuple[Extends, ...] = (),
) -> PackVersion:
    return PackVersion(
        name=name,
        version=Version("2026.1"),
        folder=Path("unused"),
        title=name,
        effective_from=date(2026, 1, 1),
        effective_to=date(2026, 12, 31),
        payers=payers,
        extends=extends,
        codesets=codesets,
        requires_engine=SpecifierSet(),
        rules=(),
        overrides=(),
        files=(),
        origin="test",
    )


def resolver(*packs: PackVersion) -> Resolver:
    sets = [codeset("fy2025", FY2025), codeset("fy2026", FY2026)]
    sets.append(codeset("fy2027", FY2027))
    return Resolver(PackRegistry(packs, sets))


def test_a_date_after_the_last_version_names_its_end() -> None:
    found = resolver(pack("core", ("icd10cm/fy2026",))).resolve(None, date(2026, 10, 5))

    assert isinstance(found, NoCodeSetInForce)
    assert (found.rule, found.pack, found.system) == (
        "NO-CODESET-IN-FORCE",
        "core",
        "ICD-10-CM",
    )
    assert found.message == (
        "core 2026.1 uses ICD-10-CM, which has no version in force on "
        "2026-10-05; the shipped versions end 2026-09-30"
    )


def test_a_date_before_the_first_version_names_its_start() -> None:
    found = resolver(pack("core", ("icd10cm/fy2027",))).resolve(None, date(2026, 3, 10))

    assert isinstance(found, NoCodeSetInForce)
    assert found.message == (
        "core 2026.1 uses ICD-10-CM, which has no version in force on "
        "2026-03-10; the shipped versions begin 2026-10-01"
    )


def test_a_date_between_versions_names_every_span() -> None:
    core = pack("core", ("icd10cm/fy2025", "icd10cm/fy2027"))

    found = resolver(core).resolve(None, date(2026, 3, 10))

    assert isinstance(found, NoCodeSetInForce)
    assert found.message == (
        "core 2026.1 uses ICD-10-CM, which has no version in force on "
        "2026-03-10; the shipped versions are in force 2024-10-01 to "
        "2025-09-30, 2026-10-01 to no end"
    )


def test_a_version_in_force_resolves_the_packs() -> None:
    core = pack("core", ("icd10cm/fy2026",))

    assert resolver(core).resolve(None, date(2026, 9, 30)) == (core,)


def test_a_parent_code_set_serves_the_child_as_the_rule_set_does() -> None:
    # The rule set reads the code sets of the whole chain together.
    core = pack("core", ("icd10cm/fy2027",))
    payer = pack(
        "acme",
        ("icd10cm/fy2026",),
        payers=frozenset({"acme"}),
        extends=(Extends("core", SpecifierSet(">=2026")),),
    )

    assert resolver(core, payer).resolve("acme", date(2026, 10, 5)) == (core, payer)


def test_the_first_pack_without_a_version_is_named() -> None:
    core = pack("core", ("icd10cm/fy2026",))
    payer = pack(
        "acme",
        ("icd10cm/fy2026",),
        payers=frozenset({"acme"}),
        extends=(Extends("core", SpecifierSet(">=2026")),),
    )

    found = resolver(core, payer).resolve("acme", date(2026, 10, 5))

    assert isinstance(found, NoCodeSetInForce)
    assert found.message.startswith("core 2026.1 uses ICD-10-CM")
