"""check_claim raises in worker processes, on claims whose id ends in 7.

In the process that imported it first (the test's), it raises on nothing, so
a claim that fails tells which process checked it.
"""

import os

from claimpolicy import PreparedClaim, hookimpl

MAIN_PROCESS = os.getpid()


@hookimpl
def claimpolicy_check_claim(prepared: PreparedClaim) -> list[object]:
    if os.getpid() != MAIN_PROCESS and prepared.claim_id.endswith("7"):
        raise RuntimeError(f"cannot check {prepared.claim_id}")  # text must not leak
    return []
