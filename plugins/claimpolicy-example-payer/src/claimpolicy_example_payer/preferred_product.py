"""A custom edit in Python: infliximab should be a preferred biosimilar.

Example Health, like many commercial payers since biosimilars came to
market, prefers two infliximab biosimilars, Avsola (Q5121) and Inflectra
(Q5103), and pays for the other infliximab products only with a prior
authorization that documents a trial of the preferred ones. A claim does not
carry the authorization (an 837P would, in REF*G1, which the claim document
of version 1 has no field for), so the edit warns rather than fails, and it
tells the biller the preferred code to use for the same dose: every
infliximab code bills 10 mg per unit, so the units stay as they are.
"""

from __future__ import annotations

from typing import Final

from claimpolicy import Edit, Hit, PreparedClaim

EDIT: Final = Edit(
    "example-health/INFLIXIMAB-PREFERRED",
    "warning",
    "Infliximab: bill a preferred biosimilar, or hold a prior authorization",
    "Example Health infliximab policy (fictional), modelled on UnitedHealthcare "
    "Oxford clinical policy PHARMACY 067 'Infliximab (Avsola, Inflectra, Remicade "
    "& Renflexis)' (Inflectra and Avsola preferred) and Blue Cross Blue Shield of "
    "North Dakota's notice for 2023-01-01 (Q5103 and Q5121 preferred, J1745 and "
    "Q5104 not); HCPCS Level II descriptors (10 mg per unit)",
)

# Code -> product, for the infliximab products that are not preferred.
NOT_PREFERRED: Final = {
    "J1745": "Remicade or unbranded infliximab",
    "Q5104": "Renflexis",
    "Q5109": "Ixifi",
}
PREFERRED: Final = {"Q5121": "Avsola", "Q5103": "Inflectra"}


def check(prepared: PreparedClaim) -> list[Hit]:
    """A hit on each line of a non-preferred infliximab product."""
    instead = " or ".join(f"{code} ({name})" for code, name in PREFERRED.items())
    hits = []
    for code, product in NOT_PREFERRED.items():
        for line in prepared.lines_by_code.get(code, ()):
            units = f"{line.units:g}"
            hits.append(
                Hit(
                    EDIT,
                    f"{code} ({product}) is not a preferred infliximab product: "
                    f"bill {instead} for the same {units} units, or keep the "
                    "prior authorization for it on file",
                    line=line,
                    at="/code",
                    evidence={
                        "code": code,
                        "units": line.units,
                        "preferred": sorted(PREFERRED),
                    },
                )
            )
    return hits
