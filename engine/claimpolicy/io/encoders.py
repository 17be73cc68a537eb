"""Reports turned into bytes, one call per claim.

The built-in JSON encoder and the guard that every format's encoder runs in
live here, apart from the writers, because a batch calls them for every
claim: this module is compiled with mypyc (setup.py), and a compiled class
costs a fraction of the Python frames of the closures it replaced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import orjson

from claimpolicy.report import PackStamp, Report

__all__ = [
    "SEPARATOR_LEAD",
    "Encoder",
    "GuardedEncoder",
    "JsonEncoder",
    "escape_separators",
]

Encoder = Callable[[Report], bytes]

#: The UTF-8 lead of U+2000..U+203F, which holds U+2028 and U+2029; orjson
#: leaves both unescaped, and readers that split on str.splitlines break.
SEPARATOR_LEAD: Final = b"\xe2\x80"
#: Sets of pack stamps an encoder keeps texts for: far more rule sets than a
#: batch uses; past it the texts are made again.
MOST_STAMPS: Final = 1024
_NO_ID: Final = b'{"claim_id":null'


class JsonEncoder:
    """A report as one JSON text, `Report.to_dict` to the byte.

    A report without findings (most of a batch) takes a shorter way: all of
    its text after the claim id depends only on its outcome and pack stamps,
    which a rule set shares with every claim it checks, so that text is made
    once per rule set and outcome and only the id is encoded per claim.
    """

    def __init__(self, *, evidence: bool, option: int = 0) -> None:
        self.evidence = evidence
        self.option = option
        # id(stamps) -> (stamps, {outcome: the text after the claim id}).
        # The stamps are kept with their texts: an id is only unique while
        # its object lives.
        self._tails: dict[int, tuple[tuple[PackStamp, ...], dict[str, bytes]]] = {}

    def __call__(self, report: Report) -> bytes:
        if report.findings:
            whole = report.to_dict(evidence=self.evidence)
            return escape_separators(orjson.dumps(whole, option=self.option))
        packs = report.packs
        known = self._tails.get(id(packs))
        if known is None or known[0] is not packs:
            if len(self._tails) >= MOST_STAMPS:
                self._tails.clear()
            known = self._tails[id(packs)] = (packs, {})
        tails = known[1]
        tail = tails.get(report.outcome)
        if tail is None:
            tail = tails[report.outcome] = _tail(report.outcome, packs, self.option)
        claim_id = escape_separators(orjson.dumps(report.claim_id))
        return b'{"claim_id":' + claim_id + tail


def _tail(outcome: str, packs: tuple[PackStamp, ...], option: int) -> bytes:
    """The text of a report without findings after its claim id."""
    plain: dict[str, object] = {
        "claim_id": None,
        "outcome": outcome,
        "packs": packs,
        "findings": [],
    }
    # orjson writes the stamps, dataclasses, field by field in their order,
    # as `PackStamp.to_dict` would.
    text = escape_separators(orjson.dumps(plain, option=option))
    if not text.startswith(_NO_ID):
        raise AssertionError("orjson changed how it writes an object")
    return text[len(_NO_ID) :]


def escape_separators(data: bytes) -> bytes:
    """`data` with U+2028 and U+2029 escaped (see `SEPARATOR_LEAD`)."""
    if SEPARATOR_LEAD in data:  # rare: only then pay for the replacing
        data = data.replace(b"\xe2\x80\xa8", b"\\u2028")
        data = data.replace(b"\xe2\x80\xa9", b"\\u2029")
    return data


class GuardedEncoder:
    """`encoder`, raising `failure(error)` for whatever it raises, so that a
    format that fails is named (see `claimpolicy.io.output`)."""

    def __init__(
        self, encoder: Encoder, failure: Callable[[Exception], Exception]
    ) -> None:
        self.encoder = encoder
        self.failure = failure

    def __call__(self, report: Report) -> bytes:
        try:
            return self.encoder(report)
        except Exception as error:
            raise self.failure(error) from None
