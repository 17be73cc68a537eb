"""Read `.envelope.json` files: a batch of claims inside an envelope.

Example Health's clearinghouse sends claims as one JSON object per batch,
with the batch's own fields beside a `claims` array:

    {"batch_id": "B-2026-03-10-01", "sender": "...", "claims": [{...}, ...]}

Each element of `claims` is one record, in order; an element that is not a
claim document still becomes a record (and an `invalid` report), so that the
count of reports matches the count the envelope announced.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from claimpolicy import InputError, Reader


class EnvelopeReader(Reader):
    name = "envelope"
    suffixes = (".envelope.json",)

    def read(self, stream: BinaryIO, source: str) -> Iterator[object]:
        try:
            document = json.loads(stream.read())
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(source, f"not valid JSON: {error}") from None
        if not isinstance(document, dict):
            raise InputError(
                source,
                "expected an object with a claims array, "
                f"got {type(document).__name__}",
            )
        claims = document.get("claims")
        if not isinstance(claims, list):
            raise InputError(source, "claims: expected an array of claim documents")
        yield from claims
