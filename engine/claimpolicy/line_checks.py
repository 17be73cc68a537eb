"""Lines of NDJSON checked one after the other: parse, check, encode, count.

Every claim of a file passes through `check_lines`, in the calling process
or in a worker, so this module is compiled with mypyc (setup.py); the rest
of a batch (reading files, starting workers) is not, and need not be.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import orjson

from claimpolicy.engine import Engine
from claimpolicy.io.encoders import Encoder
from claimpolicy.io.sources import place
from claimpolicy.report import OUTCOMES, Report

__all__ = ["OUTCOME_CODES", "check_lines", "check_text"]

#: An outcome as one byte, the way outcomes travel back from workers.
OUTCOME_CODES: Final = {outcome: index for index, outcome in enumerate(OUTCOMES)}


def check_text(
    engine: Engine, text: bytes | str, source: str, number: int, unit: str
) -> Report:
    """`engine.check_json(text)`, its message led by the text's place when
    the text is broken: the column alone does not say which of ten thousand
    lines it is."""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        # The place is worded only here: few texts are broken, and the
        # engine parses those again to word what is wrong with them.
        return engine.check_json(text, where=place(unit, number, source))
    return engine.check(document)


def check_lines(
    engine: Engine,
    encoder: Encoder | None,
    texts: Sequence[bytes | str],
    source: str,
    first: int,
    unit: str,
) -> tuple[list[Any], bytes]:
    """The outputs (encoded, or reports when there is no encoder) and the
    outcome codes of lines `first`, `first + 1`, ... of `source`."""
    outputs: list[Any] = []
    outcomes = bytearray()
    number = first
    for text in texts:
        report = check_text(engine, text, source, number, unit)
        outputs.append(encoder(report) if encoder is not None else report)
        outcomes.append(OUTCOME_CODES[report.outcome])
        number += 1
    return outputs, bytes(outcomes)
