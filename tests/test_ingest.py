"""Reading big files in parts, in several processes: the same tables, raw runs and set-aside lines as one.

Parts are made tiny here (a few hundred bytes) so that small hand-written files are cut
into many of them and every record boundary case meets a part boundary somewhere.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from research.errors import FormatError
from research.sources import get_format, ingest
from research.sources.reading import (
    ARRAY_LINES,
    NotThisLayout,
    _array_lines,
    layout_of,
    mapped,
    read_json_items,
    read_jsonl,
    split_lines,
)
from research.store import Store

T1 = datetime(2026, 9, 2, tzinfo=UTC)


def tweet(tid: int, user: int = 42, date: str = "2026-08-05T10:00:00+00:00", **extra) -> dict:
    """A tweet in snscrape 0.7 --jsonl shape (hand-written), with its author's full profile."""
    return {
        "_type": "snscrape.modules.twitter.Tweet",
        "url": f"https://twitter.com/fan{user}/status/{tid}",
        "date": date,
        "rawContent": f"tweet {tid} #Chai @brewbros",
        "id": tid,
        "user": {
            "username": f"Fan{user}",
            "id": user,
            "followersCount": tid,
            "created": "2020-01-01T00:00:00Z",
        },
        "likeCount": tid % 7,
        "hashtags": ["Chai"],
    } | extra


def feed_item(n: int) -> dict:
    """A Bluesky getAuthorFeed item (hand-written), every third one a reply with its thread context."""
    did = f"did:plc:author{n % 4}"
    view = {
        "uri": f"at://{did}/app.bsky.feed.post/3k{n:04d}",
        "author": {"did": did, "handle": f"author{n % 4}.bsky.social", "followersCount": n},
        "record": {"text": f"post {n} #chai", "createdAt": f"2026-08-05T10:{n % 60:02d}:00.123456789Z"},
        "likeCount": n,
    }
    item = {"post": view}
    if n % 3 == 0:
        parent = {**view, "uri": f"at://{did}/app.bsky.feed.post/3p{n:04d}", "likeCount": n + 1}
        item["reply"] = {"parent": parent, "root": parent}
    return item


def imported(tmp_path: Path, name: str, path: Path, fmt: str, processes: int):
    store = Store(tmp_path / name, "cafe")
    report = store.import_file(path, fmt, observed_at=T1, processes=processes)
    body = Path(report.raw_file).read_bytes().split(b"\n", 1)[1]
    return store, report, body


@pytest.fixture
def tiny_parts(monkeypatch):
    monkeypatch.setattr(ingest, "PART_BYTES", 400)


def assert_same_import(one, several):
    (store1, report1, body1), (store2, report2, body2) = one, several
    pd.testing.assert_frame_equal(store1.posts(), store2.posts())
    pd.testing.assert_frame_equal(store1.accounts(), store2.accounts())
    assert body1 == body2
    assert (report1.records, report1.posts, report1.accounts, report1.posts_total) == (
        report2.records,
        report2.posts,
        report2.accounts,
        report2.posts_total,
    )
    assert [(r.line, r.reason, r.text) for r in report1.rejected] == [
        (r.line, r.reason, r.text) for r in report2.rejected
    ]


def test_jsonl_in_two_processes_gives_what_one_gives_bad_lines_included(tmp_path, tiny_parts):
    lines = [json.dumps(tweet(i, user=i % 3)) for i in range(1, 31)]
    lines[14] = '{"id": 2, "date": "2026-08-05T10:00:00+00:00", "rawConte'  # truncated JSON, line 15
    lines[21] = json.dumps(tweet(22, date="2026-08-05T10:00:00"))  # naive timestamp, line 22
    lines.insert(9, "   ")  # a blank line (line 10) still counts as a line
    path = tmp_path / "tweets.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(split_lines(path, ingest.PART_BYTES)) > 10

    one = imported(tmp_path, "one", path, "snscrape-jsonl", processes=1)
    several = imported(tmp_path, "several", path, "snscrape-jsonl", processes=2)
    assert_same_import(one, several)
    store, report, body = several
    assert [r.line for r in report.rejected] == [16, 23]
    assert report.rejected[0].reason.startswith("not valid JSON")
    assert report.rejected[1].reason.startswith("date: '2026-08-05T10:00:00' has no timezone")
    assert report.records == 28 and len(store.posts()) == 28
    assert [json.loads(line)["line"] for line in body.splitlines()][8:11] == [9, 11, 12]
    # The set-aside file names the same lines.
    set_aside = Path(report.raw_file.replace(".jsonl", ".rejected.jsonl")).read_text().splitlines()
    assert [json.loads(x)["line"] for x in set_aside] == [16, 23]


def test_raw_run_keeps_each_line_as_received_behind_a_provenance_line(tmp_path, tiny_parts):
    records = [tweet(i) for i in range(1, 12)]
    path = tmp_path / "tweets.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    store, report, body = imported(tmp_path, "ws", path, "snscrape-jsonl", processes=2)
    first, *rest = Path(report.raw_file).read_text(encoding="utf-8").splitlines()
    provenance = json.loads(first)["provenance"]
    assert provenance["records"] == 11 and provenance["rejected"] == 0
    assert provenance["run_id"] == Path(report.raw_file).stem
    assert provenance["sha256"] == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    assert rest == [f'{{"line": {n}, "record": {json.dumps(r)}}}' for n, r in enumerate(records, start=1)]
    assert store.runs()[0] == provenance
    # The same bytes again are recognised by their hash and not stored twice.
    again = store.import_file(path, "snscrape-jsonl", observed_at=T1, processes=2)
    assert again.skipped and len(store.raw_files()) == 1


def test_bluesky_array_in_two_processes_gives_what_one_gives(tmp_path, tiny_parts):
    items = [feed_item(n) for n in range(40)]
    path = tmp_path / "feed.json"
    path.write_text("[\n" + ",\n".join(json.dumps(i) for i in items) + "\n]\n", encoding="utf-8")
    one = imported(tmp_path, "one", path, "bluesky-json", processes=1)
    several = imported(tmp_path, "several", path, "bluesky-json", processes=2)
    assert_same_import(one, several)
    store, report, body = several
    assert report.records == 40 and [json.loads(x)["line"] for x in body.splitlines()] == list(range(1, 41))
    # What reading the file whole gives (records, their numbers and their text).
    whole = list(read_json_items(path))
    assert [(r.line, r.data) for r in whole] == list(enumerate(items, start=1))


@pytest.mark.parametrize(
    "text",
    [
        '[\n{"a": 1},\n{"a": 2},\n\n{"a": 3}\n]\n',  # one item per line (a blank line between)
        '\ufeff[\n{"a": 1}\n]',  # a byte-order mark, no final newline
        "[\n]\n",  # empty
        '[\n{"a": 1},\n]\n',  # trailing comma: not JSON
        '[\n{"a": 1}\n{"a": 2}\n]\n',  # a comma missing
        '[\n{"a": 1}\n]\n{"a": 2}\n',  # something after the closing bracket
        '{"a": 1}\n{"a": 2}\n',  # JSON lines, no brackets
        '[\n{"a":\n 1}\n]\n',  # an item over two lines
    ],
)
def test_parts_agree_with_the_whole_file_on_the_array_layout(tmp_path, text):
    path = tmp_path / "a.json"
    path.write_bytes(text.encode())
    with mapped(path) as data:
        ends, records = [], []
        for part in split_lines(path, 4):
            reading = ARRAY_LINES.reading(data, part.start, part.end)
            try:
                records += [(r.data, data[slice(*r.span)]) for r in reading]
            except NotThisLayout:
                ends = None
                break
            ends.append(reading.end)
    in_parts = ends is not None and ARRAY_LINES.fits(ends)
    whole = _array_lines(path)
    assert in_parts == (whole is not None)
    if in_parts:
        assert [data for data, _ in records] == [r.data for r in whole] == json.loads(text.lstrip("\ufeff"))
        assert all(json.loads(text) == data for data, text in records)


def test_a_file_that_is_not_one_item_per_line_is_read_whole(tmp_path, tiny_parts):
    items = [feed_item(n) for n in range(12)]
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps(items, indent=2), encoding="utf-8")  # items span lines
    one = imported(tmp_path, "one", path, "bluesky-json", processes=1)
    several = imported(tmp_path, "several", path, "bluesky-json", processes=2)
    assert_same_import(one, several)
    assert several[1].records == 12


def test_an_array_with_one_broken_item_line_is_read_as_its_whole_document_is(tmp_path, tiny_parts):
    # The last item has a comma: the lines are not an array; the document is not JSON either,
    # so the file is read as JSON lines and every line is set aside, exactly as in one process.
    items = [json.dumps(feed_item(n)) + "," for n in range(10)]
    path = tmp_path / "broken.json"
    path.write_text("[\n" + "\n".join(items) + "\n]\n", encoding="utf-8")
    for processes in (1, 2):
        with pytest.raises(
            FormatError, match="no record could be read as bluesky-json; first problem: line 1"
        ):
            Store(tmp_path / f"ws{processes}", "cafe").import_file(path, "bluesky-json", processes=processes)
    assert list((tmp_path / "ws2").glob("data/raw/*/*/*")) == []


def test_parts_cut_at_line_ends_and_cover_the_file(tmp_path):
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"a\n\nbcdef\ng" * 5)
    parts = split_lines(path, 3)
    data = path.read_bytes()
    assert parts[0].start == 0 and parts[-1].end == len(data)
    assert all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False))
    assert all(data[p.end - 1 : p.end] == b"\n" for p in parts[:-1])


def test_whole_file_readers_are_the_part_readers_over_one_part(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes('\ufeff{"a": 1}\n\n  {"b": NaN}  \r\nnot json\n{"c": "é"}'.encode())
    got = [(type(r).__name__, r.line, getattr(r, "data", None)) for r in read_jsonl(path)]
    assert got[0] == ("Record", 1, {"a": 1})
    assert got[1][:2] == ("Record", 3) and got[1][2]["b"] != got[1][2]["b"]  # NaN, via the standard library
    assert got[2][:2] == ("Rejected", 4)
    assert got[3] == ("Record", 5, {"c": "é"})
    records = [r for r in read_jsonl(path) if hasattr(r, "span")]
    assert records[1].span is None  # not strict JSON: the raw run gets it serialised again
    data = path.read_bytes()
    assert data[slice(*records[2].span)] == '{"c": "é"}'.encode()
    assert (
        layout_of(get_format("snscrape-jsonl")) is not None and layout_of(get_format("twarc2-jsonl")) is None
    )


def test_raw_run_survives_short_writes_and_mixes_copied_and_reserialised_records(tmp_path, monkeypatch):
    # A kernel may write less than asked (a signal, a full pipe, a quota): every byte must still
    # land once, in order. Here pwritev writes at most 7 bytes per call.
    real = ingest._pwritev
    monkeypatch.setattr(
        ingest, "_pwritev", lambda fd, buffers, offset: real(fd, [bytes(b"".join(buffers)[:7])], offset)
    )
    lines = [json.dumps(tweet(i)) for i in range(1, 6)]
    lines[2] = lines[2][:-1] + ', "score": NaN}'  # not strict JSON: serialised again
    path = tmp_path / "tweets.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store, report, body = imported(tmp_path, "ws", path, "snscrape-jsonl", processes=1)
    got = [json.loads(line) for line in body.splitlines()]
    assert [g["line"] for g in got] == [1, 2, 3, 4, 5]
    assert body.splitlines()[0] == f'{{"line": 1, "record": {lines[0]}}}'.encode()  # copied byte for byte
    score = got[2]["record"]["score"]
    assert got[2]["record"]["id"] == 3 and score != score  # NaN, as the standard library reads and writes it
    assert report.records == 5 and len(store.posts()) == 5
