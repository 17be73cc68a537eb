"""Records of the files a batch names: one at a time, then, once workers
take over, NDJSON lines in blocks read straight from the file. Either way
every line comes once, in order, with its number and without its ending."""

from __future__ import annotations

import io
import os
import pickle
import sys
import threading
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


class Pipe(io.BytesIO):
    """Standard input fed by another program: a read gives what has come,
    one line at a time here, never more."""

    def __init__(self, lines: list[bytes]) -> None:
        super().__init__()
        self.lines = lines
        self.reads = 0

    def read1(self, size: int = -1) -> bytes:
        self.reads += 1
        return self.lines.pop(0) if self.lines else b""

    def readline(self, size: int = -1) -> bytes:
        raise AssertionError("readline refills a stream's buffer: read1 only")


def test_standard_input_goes_on_in_blocks_of_what_has_come(monkeypatch, readers):
    pipe = Pipe([b"{}\n", b"{}\n{}\n", b"\n{}"])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(pipe))
    records = Records(["-"], readers)

    chunks = records.chunks(2)

    assert next(chunks) == LineBlock(b"{}\n", "-", 1)
    assert pipe.reads == 1  # the first line went on before the next came
    assert list(chunks) == [
        LineBlock(b"{}\n{}\n", "-", 2),
        LineBlock(b"\n", "-", 4),  # what has come of line 5 waits for the rest
        LineBlock(b"{}", "-", 5),
    ]


def test_empty_standard_input_is_no_claims(monkeypatch, readers):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))

    assert list(Records(["-"], readers).chunks(2)) == []


def test_a_file_emptied_after_the_check_before_the_run_is_named(tmp_path, readers):
    path = tmp_path / "claims.ndjson"
    path.write_bytes(b"")
    records = Records([str(path)], readers)

    with pytest.raises(InputError, match="the file is empty"):
        list(records.chunks(2))


def test_blocks_are_as_large_as_asked_after_the_records(tmp_path, readers):
    # The line reader leaves the stream's 8 KiB buffer part full: the rest
    # must still come in blocks of BLOCK_BYTES, not of what that buffer holds.
    path = tmp_path / "claims.ndjson"
    path.write_bytes(b"".join(b'{"n": %d}\n' % n for n in range(20_000)))
    records = Records([str(path)], readers)

    first = list(islice(records, 5))
    rest = list(records.chunks(500))

    assert len(rest) <= 3
    assert numbered(first + rest) == line_by_line(path)


def test_a_pipe_fed_while_it_is_read_gives_every_line_once(monkeypatch, readers):
    feed = b"".join(b'{"n": %d}\r\n' % n for n in range(30_000))
    read_end, write_end = os.pipe()

    def write() -> None:
        with open(write_end, "wb", buffering=0) as pipe:
            for start in range(0, len(feed), 3_000):
                pipe.write(feed[start : start + 3_000])

    writer = threading.Thread(target=write)
    writer.start()
    with open(read_end, "rb") as stdin:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
        records = Records(["-"], readers)
        first = list(islice(records, 3))
        rest = list(records.chunks(500))
    writer.join()

    lines = [(b'{"n": %d}' % n, "-", n + 1) for n in range(30_000)]
    assert numbered(first + rest) == lines


def test_unread_bytes_count_what_is_left_of_this_file_and_the_next(
    tmp_path, monkeypatch, readers
):
    monkeypatch.setattr(inputs, "BLOCK_BYTES", 16)
    first, second = tmp_path / "a.ndjson", tmp_path / "b.ndjson"
    first.write_bytes(b'{"n": 1}\n' * 4)  # 36 bytes
    second.write_bytes(b'{"n": 2}\n' * 3)  # 27 bytes
    records = Records([str(first), str(second)], readers)
    items = records.items()

    assert records.unread_bytes() is None  # nothing opened yet
    block = next(items)
    assert records.unread_bytes() == 36 + 27 - 16
    assert block.count == 1  # 16 bytes: one whole line, the rest waits
    list(items)
    assert records.unread_bytes() is None  # all read


def test_unread_bytes_of_a_pipe_are_not_known(monkeypatch, readers):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(Pipe([b"{}\n", b"{}\n"])))
    records = Records(["-"], readers)
    items = records.items()

    next(items)

    assert records.unread_bytes() is None


def test_only_standard_input_that_is_not_a_file_may_wait(tmp_path, monkeypatch):
    path = tmp_path / "claims.ndjson"
    path.write_bytes(b"{}\n")
    assert not inputs.may_wait([str(path)])
    with open(path, "rb") as redirected:  # `check - < claims.ndjson`
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(redirected))
        assert not inputs.may_wait(["-"])
    read, write = os.pipe()
    with open(read, "rb") as piped, open(write, "wb"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(piped))
        assert inputs.may_wait([str(path), "-"])


def test_a_block_sent_to_a_worker_leaves_its_split_lines_behind():
    block = LineBlock(b'{"a": 1}\r\n{"b": 2}\n{"c"', "claims.ndjson", 7)
    counted = block.count
    lines = block.lines()

    assert lines == [b'{"a": 1}', b'{"b": 2}', b'{"c"']
    assert block.count == counted == 3
    sent = pickle.loads(pickle.dumps(block))
    assert sent == block
    assert sent._lines is None  # only data, source, first and unit travel
    assert sent.lines() == lines
