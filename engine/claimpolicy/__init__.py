"""claimpolicy: policy-as-code edits for professional claims.

Checks E/M visits billed on infusion days, the ICD-10-CM diagnoses behind
them and the HCPCS drug codes, against versioned TOML policy packs in force
on each claim's date of service.

    >>> from claimpolicy import Engine
    >>> engine = Engine()
    >>> engine.check(claim).to_dict()
"""

from claimpolicy._version import __version__
from claimpolicy.claim import Line, PreparedClaim
from claimpolicy.engine import Engine
from claimpolicy.errors import (
    ClaimpolicyError,
    InputError,
    LockError,
    PackError,
    PackProblem,
    PluginError,
)
from claimpolicy.hookspecs import hookimpl
from claimpolicy.io.formats import ReportFormat, ReportWriter
from claimpolicy.io.readers import BrokenInput, Reader
from claimpolicy.kinds.base import Check, Emit, Rule, RuleKind, Tables
from claimpolicy.kinds.codes import (
    DIAGNOSIS_LIST,
    PROCEDURE_LIST,
    DiagnosisFamilies,
    expand_procedures,
)
from claimpolicy.packs.lock import Lock
from claimpolicy.plugin_api import Edit, Hit
from claimpolicy.plugins import PluginHost
from claimpolicy.report import Finding, PackStamp, Report, Waiver

__all__ = [
    "DIAGNOSIS_LIST",
    "PROCEDURE_LIST",
    "BrokenInput",
    "Check",
    "ClaimpolicyError",
    "DiagnosisFamilies",
    "Edit",
    "Emit",
    "Engine",
    "Finding",
    "Hit",
    "InputError",
    "Line",
    "Lock",
    "LockError",
    "PackError",
    "PackProblem",
    "PackStamp",
    "PluginError",
    "PluginHost",
    "PreparedClaim",
    "Reader",
    "Report",
    "ReportFormat",
    "ReportWriter",
    "Rule",
    "RuleKind",
    "Tables",
    "Waiver",
    "__version__",
    "expand_procedures",
    "hookimpl",
]
