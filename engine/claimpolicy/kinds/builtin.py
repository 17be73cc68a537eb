"""The built-in rule kinds, registered through the same hook as a plugin's."""

from __future__ import annotations

from claimpolicy.hookspecs import hookimpl
from claimpolicy.kinds.add_ons import RequiresCodes
from claimpolicy.kinds.base import RuleKind
from claimpolicy.kinds.coverage import Coverage
from claimpolicy.kinds.demographic import BirthBeforeService, Demographic
from claimpolicy.kinds.documentation import Documentation
from claimpolicy.kinds.drugs import DrugUnits, WasteModifier
from claimpolicy.kinds.duplicates import DuplicateLines
from claimpolicy.kinds.em_basis import EmBasisDocumented
from claimpolicy.kinds.em_mdm import EmMdm
from claimpolicy.kinds.em_time import EmTime
from claimpolicy.kinds.infusion_time import (
    AdditionalHours,
    InfusionMinimum,
    TimesRequired,
)
from claimpolicy.kinds.initial_service import OneInitialService
from claimpolicy.kinds.modifiers import RequiredModifier
from claimpolicy.kinds.ndc import Ndc
from claimpolicy.kinds.pairs import CodePair
from claimpolicy.kinds.patient_status import PatientStatus
from claimpolicy.kinds.pointers import DiagnosisPointers
from claimpolicy.kinds.units import UnitLimit
from claimpolicy.kinds.validity import Icd10cmValid, ProcedureCodeActive

BUILTIN_KINDS: tuple[type[RuleKind], ...] = (
    DiagnosisPointers,
    RequiredModifier,
    EmTime,
    EmMdm,
    EmBasisDocumented,
    InfusionMinimum,
    AdditionalHours,
    TimesRequired,
    PatientStatus,
    OneInitialService,
    Documentation,
    Icd10cmValid,
    ProcedureCodeActive,
    CodePair,
    UnitLimit,
    DrugUnits,
    WasteModifier,
    Ndc,
    Coverage,
    Demographic,
    BirthBeforeService,
    DuplicateLines,
    RequiresCodes,
)


@hookimpl
def claimpolicy_register_rule_kinds() -> list[RuleKind]:
    return [kind() for kind in BUILTIN_KINDS]
