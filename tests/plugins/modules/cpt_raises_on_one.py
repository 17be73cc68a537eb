"""check_claim raises on claim C-0500 and adds nothing anywhere else."""

from claimpolicy import PreparedClaim, hookimpl


@hookimpl
def claimpolicy_check_claim(prepared: PreparedClaim) -> list[object]:
    if prepared.claim_id.endswith("-0500") or prepared.claim_id.endswith("-4500"):
        raise RuntimeError(f"cannot check {prepared.claim_id}")  # text must not leak
    return []
