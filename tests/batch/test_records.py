"""Records of the files a batch names: one at a time, then, once workers
take over, NDJSON lines in blocks read straight from the file. Either way
every line comes once, in order, with its number and without its ending."""

from __future__ import annotations

import io
import sys
from itertools import islice

import pytest
from batchdata import check_arguments

from claimpolicy import inputs
from claimpolicy.cli.common import make_engine
from claimpolicy.errors import InputError
from claimpolicy.inputs import Records, readers_by_suffix
from claimpolicy.io.readers import BOM
from claimpolicy.io.sources import LineBlock, Numbered, guarded_readers


@pytest.fixture(scope="module")
def readers():
    engine = make_engine(check_arguments("-"))
    return guarded_readers(engine.plugins, readers_by_suffix(engine.plugins))


def numbered(items) -> list[tuple[bytes, str, int]]:
    """(text, file, line number) of every line in records, chunks or blocks."""
    found = []
    for item in items:
        if isinstance(item, LineBlock):
            texts = item.lines()
            found += [(t, item.source, item.first + i) for i, t in enumerate(texts)]
        elif isinstance(item, list):
            found += numbered(item)
        else:
            assert isinstance(item, Numbered)
            found.append((item.text, item.source, item.number))
    return found


def line_by_line(*paths) -> list[tuple[bytes, str, int]]:
    """What reading each file one line at a time gives."""
    found = []
    for path in paths:
        lines = [raw.rstrip(b"\r\n") for raw in io.BytesIO(path.read_bytes())]
        lines[0] = lines[0].removeprefix(BOM).rstrip(b"\r\n")
        found += [(text, str(path), n) for n, text in enumerate(lines, 1)]
    return found


CONTENTS = {
    "plain": b"".join(b'{"n": %d}\n' % n for n in range(40)),
    "crlf, blank lines, no final newline": (
        b'{"a": 1}\r\n\r\n{"b": 2}\r\n\n{"c": 3}\r\n' * 8 + b'{"last": 1}'
    ),
    "a byte-order mark": BOM + b'{"n": 1}\n{"n": 2}\n' * 10,
    "one line longer than a block": b"{}\n" + b'{"x": "' + b"y" * 300 + b'"}\n{}\n',
}


@pytest.mark.parametrize("content", CONTENTS.values(), ids=CONTENTS.keys())
@pytest.mark.parametrize("taken", [0, 1, 5])
@pytest.mark.parametrize("block_bytes", [1, 16, 64, 1 << 19])
def test_blocks_go_on_where_the_records_stopped(
    tmp_path, monkeypatch, readers, content, taken, block_bytes
):
    monkeypatch.setattr(inputs, "BLOCK_BYTES", block_bytes)
    path = tmp_path / "claims.ndjson"
    path.write_bytes(content)
    records = Records([str(path)], readers)

    first = list(islice(records, taken))
    rest = list(records.chunks(3))

    expected = line_by_line(path)
    assert numbered(first + rest) == expected
    if taken < len(expected):
        assert all(isinstance(chunk, LineBlock) for chunk in rest)


def test_every_file_of_a_batch_goes_on_in_blocks_numbered_from_its_own_start(
    tmp_path, monkeypatch, readers
):
    monkeypatch.setattr(inputs, "BLOCK_BYTES", 32)
    paths = []
    for name in ("a.ndjson", "b.jsonl", "c.ndjson"):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(CONTENTS["crlf, blank lines, no final newline"])
    records = Records([str(p) for p in paths], readers)

    first = list(islice(records, 7))
    rest = list(records.chunks(3))

    assert numbered(first + rest) == line_by_line(*paths)


def test_a_json_file_among_them_is_read_record_by_record(tmp_path, readers):
    ndjson, array = tmp_path / "a.ndjson", tmp_path / "b.json"
    ndjson.write_bytes(b"{}\n" * 5)
    array.write_bytes(b"[{}, {}, {}, {}, {}]")
    records = Records([str(ndjson), str(array)], readers)

    chunks = list(records.chunks(2))

    assert [type(c).__name__ for c in chunks] == ["LineBlock", "list", "list", "list"]
    assert chunks[1:] == [[{}, {}], [{}, {}], [{}]]


def test_standard_input_stays_line_by_line(monkeypatch, readers):
    stdin = io.TextIOWrapper(io.BytesIO(b"{}\n" * 5))
    monkeypatch.setattr(sys, "stdin", stdin)
    records = Records(["-"], readers)

    chunks = list(records.chunks(2))

    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert numbered(chunks) == [(b"{}", "-", n) for n in range(1, 6)]


def test_a_file_emptied_after_the_check_before_the_run_is_named(tmp_path, readers):
    path = tmp_path / "claims.ndjson"
    path.write_bytes(b"")
    records = Records([str(path)], readers)

    with pytest.raises(InputError, match="the file is empty"):
        list(records.chunks(2))
