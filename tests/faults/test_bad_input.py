"""Bad input as a careless operator brings it: every case imported with its bad records set aside,
or refused with one sentence and exit status 2; never a traceback, never rows silently lost.

Every input is generated here (none is a copy of ../shared/corpus). Each case names what the
command must do: ``("imported", records, set_aside)`` or ``("refused", words of the sentence)``.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from research.cli import main
from tests.faults.harness import tweet

GOOD = json.dumps(tweet(1))


def lines(*items: str) -> bytes:
    return ("\n".join(items) + "\n").encode("utf-8", "surrogatepass")


def nested(depth: int) -> str:
    return json.dumps(tweet(2)).replace('"tweet 2 #chai @brewbros"', "[" * depth + "]" * depth)


def csv_rows(n: int, big_at: int | None = None, size: int = 0) -> bytes:
    rows = ["id,date,text,username,url"]
    for i in range(1, n + 1):
        text = "x" * size if i == big_at else f"post {i}"
        rows.append(
            f'{1_000 + i},2026-08-0{1 + i % 9}T10:00:00+00:00,"{text}",fan{i},https://x.com/fan{i}/status/{1_000 + i}'
        )
    return ("\n".join(rows) + "\n").encode()


def xlsx_bytes() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["id", "date", "text", "username"])
    book.active.append(["1", "2026-08-01T10:00:00+00:00", "hi", "fan"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def truncated_zip() -> bytes:
    return xlsx_bytes()[:-200]


def zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return out.getvalue()


# name: (file name, --format, content, expected)
CASES = {
    "empty file": ("a.jsonl", None, b"", ("refused", "the file is empty; nothing to import")),
    "only blank lines": ("a.jsonl", "snscrape-jsonl", b"\n\n  \n", ("refused", "no record could be read")),
    "binary noise": ("a.bin", None, bytes(range(256)) * 4, ("refused", "")),
    "a broken line among good ones": ("a.jsonl", None, lines(GOOD, "{broken", json.dumps(tweet(3))), ("imported", 2, 1)),
    "every line broken": ("a.jsonl", "snscrape-jsonl", lines("{", "[1,", "nope"), ("refused", "first problem: line 1")),
    "nested 5,000 deep": ("a.jsonl", "snscrape-jsonl", lines(GOOD, nested(5000)), ("imported", 1, 1)),
    "nested 900 deep": ("a.jsonl", "snscrape-jsonl", lines(GOOD, nested(900)), ("imported", 1, 1)),
    "a lone surrogate": ("a.jsonl", "snscrape-jsonl", lines(GOOD, json.dumps(tweet(2, text="a\ud800b"))), ("imported", 1, 1)),
    "bytes that are not UTF-8": ("a.jsonl", "snscrape-jsonl", lines(GOOD) + b'{"id": "\xff\xfe"}\n', ("imported", 1, 1)),
    "NaN and Infinity counts": ("a.jsonl", "snscrape-jsonl", lines(GOOD, json.dumps(tweet(2, likeCount=float("inf"))), json.dumps(tweet(3, retweetCount=float("nan")))), ("imported", 1, 2)),
    "a count of 1e30": ("a.jsonl", "snscrape-jsonl", lines(GOOD, json.dumps(tweet(2, likeCount=1e30))), ("imported", 1, 1)),
    "a date of 1e20": ("a.jsonl", "snscrape-jsonl", lines(GOOD, json.dumps(tweet(2, date=1e20))), ("imported", 1, 1)),
    "a date in year 10000 in UTC": ("a.jsonl", "snscrape-jsonl", lines(GOOD, json.dumps(tweet(2, date="9999-12-31T23:59:59-12:00"))), ("imported", 1, 1)),
    "verified 'yes'": ("a.jsonl", "snscrape-jsonl", lines(GOOD, json.dumps(tweet(2) | {"user": tweet(2)["user"] | {"verified": "yes"}})), ("imported", 1, 1)),
    "a user that is a list": ("a.jsonl", "snscrape-jsonl", lines(GOOD, json.dumps(tweet(2) | {"user": ["fan"]})), ("imported", 1, 1)),
    "a JSON null line": ("a.jsonl", "snscrape-jsonl", lines(GOOD, "null"), ("imported", 1, 1)),
    "a JSON document that is a number": ("a.json", "bluesky-json", b"42", ("refused", "no record could be read as bluesky-json")),
    "a Bluesky array cut short": ("a.json", "bluesky-json", b'[\n{"uri": "at://did:plc:a/app.bsky.feed.post/1", "record": {"text": "hi", "createdAt": "2026-08-01T00:00:00Z"}},\n{"uri": "at://', ("refused", "no record could be read as bluesky-json")),
    "a Reddit thread nested 3,000 deep": ("a.json", "reddit-json", ("[" * 3000 + "]" * 3000).encode(), ("refused", "no record could be read as reddit-json")),
    "a Telegram export that is a list": ("result.json", "telegram-export", b"[1, 2]", ("refused", "not a Telegram Desktop export")),
    "a mastodon page with a number in it": ("a.json", "mastodon-api-json", b'[{"id": "1", "account": {"id": "2", "acct": "a"}, "created_at": "2026-08-01T00:00:00Z", "content": "hi"}, 5]', ("imported", 1, 1)),
    "a corrupt .xlsx": ("a.xlsx", "generic-csv", truncated_zip(), ("refused", "not a readable XLSX workbook")),
    "a zip that is no workbook, named .xlsx": ("a.xlsx", "generic-csv", zip_without_workbook(), ("refused", "not a readable XLSX workbook")),
    "a CSV named .xlsx": ("a.xlsx", "generic-csv", csv_rows(3), ("refused", "not a readable XLSX workbook")),
    "a CSV field of 200 KiB": ("a.csv", "generic-csv", csv_rows(20, big_at=3, size=200 * 1024), ("imported", 20, 0)),
    "a CSV field of 2 MiB": ("a.csv", "generic-csv", csv_rows(5, big_at=5, size=2 << 20), ("imported", 5, 0)),
    "a CSV row with too many fields": ("a.csv", "generic-csv", csv_rows(3) + b"9,2026-08-01T00:00:00+00:00,x,y,z,w\n", ("imported", 3, 1)),
    "a CSV with NUL bytes": ("a.csv", "generic-csv", csv_rows(3).replace(b"post 2", b"po\x00st 2"), ("imported", 3, 0)),
    "a CSV in UTF-16": ("a.csv", "generic-csv", b"\xff\xfe" + csv_rows(3).decode().encode("utf-16-le"), ("imported", 3, 0)),
    "a CSV with a Windows-1252 byte": ("a.csv", "generic-csv", csv_rows(3).replace(b"post 2", b"caf\xe9"), ("imported", 3, 0)),
    "a CSV id mangled by Excel": ("a.csv", "generic-csv", csv_rows(2).replace(b"1001,", b"5.70306E+17,"), ("imported", 1, 1)),
    "a CSV without a time zone": ("a.csv", "generic-csv", csv_rows(2).replace(b"+00:00", b""), ("refused", "has no timezone")),
    "an unknown --format": ("a.jsonl", "tweets", lines(GOOD), ("refused", "unknown import format 'tweets'")),
    "the wrong --format": ("a.jsonl", "mastodon-api-json", lines(GOOD), ("refused", "no record could be read as mastodon-api-json")),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_set_aside_or_refused_in_one_sentence(case, tmp_path, capsys):
    name, fmt, content, (outcome, *expected) = CASES[case]
    path = tmp_path / name
    path.write_bytes(content)
    args = ["import", "--client", "cafe", "--workspace", str(tmp_path / "ws"), str(path)]
    status = main(args + (["--format", fmt] if fmt else []))
    out, err = capsys.readouterr()
    if outcome == "refused":
        assert status == 2, out
        assert err.startswith("research: error: ") and err.count("\n") == 1, err
        assert expected[0] in err
        assert not list((tmp_path / "ws").glob("data/raw/cafe/*/*.jsonl"))  # nothing stored
    else:
        records, set_aside = expected
        assert (status, err) == (0, ""), err
        assert f"{records} records imported, {set_aside} set aside" in out


def test_a_directory_is_refused(tmp_path, capsys):
    assert main(["import", "--client", "cafe", "--workspace", str(tmp_path), str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"research: error: {tmp_path}: not a file\n"


def test_every_row_after_a_huge_csv_field_is_kept(tmp_path):
    """The issue's case: a field over 128 KiB silently dropped the 17 rows after it."""
    from research.store import Store

    path = tmp_path / "big.csv"
    path.write_bytes(csv_rows(20, big_at=3, size=200 * 1024))
    report = Store(tmp_path / "ws", "cafe").import_file(path, "generic-csv")
    assert (report.records, report.rejected, report.posts_total) == (20, [], 20)
    texts = Store(tmp_path / "ws", "cafe").posts().set_index("post_id")["text"]
    assert len(texts["1003"]) == 200 * 1024 and texts["1020"] == "post 20"
