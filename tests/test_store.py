import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from research import schema
from research.analyses.overview import completeness
from research.errors import FormatError, InputError, StoreError
from research.store import Store, atomic_write_parquet

T0 = datetime(2026, 9, 1, tzinfo=UTC)
T1 = datetime(2026, 9, 2, tzinfo=UTC)
T2 = datetime(2026, 9, 3, tzinfo=UTC)


def tweet(tid: int, likes: int = 1, date: str = "2026-08-05T10:00:00+00:00", **extra) -> dict:
    """A tweet in snscrape 0.7 --jsonl shape (hand-written)."""
    return {
        "_type": "snscrape.modules.twitter.Tweet",
        "url": f"https://twitter.com/fan/status/{tid}",
        "date": date,
        "rawContent": f"tweet {tid} #Chai @brewbros",
        "renderedContent": f"tweet {tid} #Chai @brewbros",
        "id": tid,
        "user": {
            "_type": "snscrape.modules.twitter.User",
            "username": "Fan",
            "id": 42,
            "displayname": "A fan",
            "followersCount": 10,
            "friendsCount": 5,
            "statusesCount": 99,
            "created": "2020-01-01T00:00:00+00:00",
        },
        "replyCount": 0,
        "retweetCount": 2,
        "likeCount": likes,
        "quoteCount": 0,
        "conversationId": tid,
        "lang": "en",
        "hashtags": ["Chai"],
        "mentionedUsers": [{"_type": "snscrape.modules.twitter.User", "username": "brewbros", "id": 7}],
    } | extra


def write_jsonl(path: Path, lines) -> Path:
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines), encoding="utf-8"
    )
    return path


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "ws", "cafe")


def test_import_keeps_raw_records_exactly_and_fills_processed(store, tmp_path):
    records = [tweet(1288987632328826881), tweet(1288987632328826882, likes=0)]
    report = store.import_file(write_jsonl(tmp_path / "a.jsonl", records), observed_at=T1)
    assert report.detected and report.format == "snscrape-jsonl" and report.records == 2
    posts = store.posts()
    assert posts["post_id"].tolist() == ["1288987632328826881", "1288987632328826882"]
    assert posts["likes"].tolist() == [1, 0] and posts["views"].isna().all()
    assert posts["collected_at"].eq(pd.Timestamp(T1)).all()
    raw = Path(report.raw_file).read_text(encoding="utf-8").splitlines()
    provenance = json.loads(raw[0])["provenance"]
    assert provenance["format"] == "snscrape-jsonl" and provenance["origin"].endswith("a.jsonl")
    assert provenance["observed_at"] == T1.isoformat() and "retrieved_at" in provenance
    assert [json.loads(line)["record"] for line in raw[1:]] == records
    accounts = store.accounts()
    assert accounts.loc[0, "followers"] == 10 and accounts.loc[0, "handle"] == "fan"


def test_bad_records_are_set_aside_with_line_numbers(store, tmp_path):
    lines = [
        tweet(1),
        '{"id": 2, "date": "2026-08-05T10:00:00+00:00", "rawConte',  # truncated JSON
        tweet(3, date="2026-08-05T10:00:00"),  # naive timestamp
        tweet(4) | {"id": 1.2889876323288269e18},  # id that went through a float
        tweet(5),
    ]
    report = store.import_file(write_jsonl(tmp_path / "mixed.jsonl", lines), observed_at=T1)
    assert report.records == 2
    assert [r.line for r in report.rejected] == [2, 3, 4]
    assert report.rejected[0].reason.startswith("not valid JSON")
    assert report.rejected[1].reason.startswith("date: '2026-08-05T10:00:00' has no timezone")
    assert report.rejected[2].reason.startswith("id: 1.288987632328827e+18 is a number with a decimal point")
    assert store.posts()["post_id"].tolist() == ["1", "5"]
    set_aside = Path(report.raw_file.replace(".jsonl", ".rejected.jsonl")).read_text().splitlines()
    assert [json.loads(x)["line"] for x in set_aside] == [2, 3, 4]
    assert "line 2: not valid JSON" in report.summary()


def test_refused_files_store_nothing(store, tmp_path):
    store.import_file(write_jsonl(tmp_path / "ok.jsonl", [tweet(1)]), observed_at=T1)
    before = store.posts()
    raw_before = store.raw_files()
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(FormatError, match=r"empty\.jsonl: the file is empty"):
        store.import_file(tmp_path / "empty.jsonl", "snscrape-jsonl")
    with pytest.raises(InputError, match=r"missing\.jsonl: no such file"):
        store.import_file(tmp_path / "missing.jsonl")
    naive = write_jsonl(tmp_path / "naive.jsonl", [tweet(9, date="2026-08-05T10:00:00")])
    with pytest.raises(
        FormatError,
        match=r"naive\.jsonl: no record could be read as snscrape-jsonl; first problem: line 1: date: .* has no timezone",
    ):
        store.import_file(naive)
    with pytest.raises(FormatError, match="format of this file was not recognised.*known: .*snscrape-jsonl"):
        store.import_file(write_jsonl(tmp_path / "other.jsonl", [{"hello": "world"}]))
    pd.testing.assert_frame_equal(store.posts(), before)
    assert store.raw_files() == raw_before


def test_dedupe_keeps_the_latest_observation(store, tmp_path):
    store.import_file(
        write_jsonl(tmp_path / "mid.jsonl", [tweet(1, likes=5), tweet(2, likes=1)]), observed_at=T1
    )
    store.import_file(write_jsonl(tmp_path / "new.jsonl", [tweet(1, likes=9)]), observed_at=T2)
    store.import_file(
        write_jsonl(tmp_path / "old.jsonl", [tweet(1, likes=3), tweet(2, likes=0)]), observed_at=T0
    )
    posts = store.posts().set_index("post_id")
    assert len(posts) == 2
    assert posts.loc["1", "likes"] == 9 and posts.loc["1", "collected_at"] == pd.Timestamp(T2)
    assert posts.loc["2", "likes"] == 1  # the T0 observation is older than the stored T1 one


def test_reimporting_the_same_file_adds_nothing(store, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [tweet(1)])
    store.import_file(path, observed_at=T1)
    again = store.import_file(path, observed_at=T1)
    assert again.skipped and "already imported" in again.summary()
    assert len(store.raw_files()) == 1 and len(store.posts()) == 1


def test_renormalise_reproduces_processed_data_exactly(store, tmp_path):
    store.import_file(write_jsonl(tmp_path / "a.jsonl", [tweet(1, likes=5), tweet(2)]), observed_at=T1)
    store.import_file(
        write_jsonl(tmp_path / "b.jsonl", [tweet(1, likes=7), tweet(3)]), observed_at=T1
    )  # tie: later run wins
    posts, accounts = store.posts(), store.accounts()
    assert posts.set_index("post_id").loc["1", "likes"] == 7
    os.unlink(store.posts_path)
    os.unlink(store.accounts_path)
    assert store.renormalise() == (3, 1)
    pd.testing.assert_frame_equal(store.posts(), posts)
    pd.testing.assert_frame_equal(store.accounts(), accounts)
    assert schema.violations(store.posts()) == []


def test_many_files_are_one_merge_with_the_same_result(tmp_path, monkeypatch):
    import research.store.store as store_module

    files = [write_jsonl(tmp_path / f"{n}.jsonl", [tweet(1, likes=n), tweet(10 + n)]) for n in range(1, 5)]
    files.append(tmp_path / "missing.jsonl")  # one that cannot be read does not stop the others
    one_by_one = Store(tmp_path / "a", "c")
    for path in files[:-1]:
        one_by_one.import_file(path, observed_at=T1)
    writes = []
    real = store_module.atomic_write_parquet
    monkeypatch.setattr(store_module, "atomic_write_parquet", lambda data, path, **kw: (writes.append(path.name), real(data, path, **kw)))  # fmt: skip
    together, refused = Store(tmp_path / "b", "c"), []
    reports = together.import_files(
        [(p, {"observed_at": T1}) for p in files], on_error=lambda p, e: refused.append(p.name)
    )
    assert writes.count("posts.parquet") == 1  # not one rewrite per file
    assert refused == ["missing.jsonl"] and [r.posts_total for r in reports] == [5] * 4
    pd.testing.assert_frame_equal(together.posts(), one_by_one.posts())  # tie on post 1: the last file wins
    assert together.posts().set_index("post_id").loc["1", "likes"] == 4 and len(together.raw_files()) == 4


def test_completeness_shows_null_fields_as_unfilled(store, tmp_path):
    store.import_file(
        write_jsonl(tmp_path / "a.jsonl", [tweet(1), tweet(2) | {"viewCount": 100}]), observed_at=T1
    )
    table = completeness(store.posts()).set_index("source")
    assert table.loc["snscrape-jsonl/1", "rows"] == 2
    assert table.loc["snscrape-jsonl/1", "likes"] == 1.0
    assert table.loc["snscrape-jsonl/1", "views"] == 0.5
    assert table.loc["snscrape-jsonl/1", "saves"] == 0.0
    assert table.loc["snscrape-jsonl/1", "hashtags"] == 1.0


KILLED_WRITER = """
import sys, pandas as pd
from pathlib import Path
from research.store import atomic_write_parquet
df = pd.DataFrame({"x": range(30_000_000)})
print("writing", flush=True)
atomic_write_parquet(df, Path(sys.argv[1]))
"""


def test_a_killed_write_leaves_the_old_parquet_intact(tmp_path):
    target = tmp_path / "posts.parquet"
    old = schema.posts_frame([{"platform": "twitter", "post_id": "1", "created_at": T1}])
    atomic_write_parquet(old, target)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE, env=env
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".posts.parquet.*.tmp")):  # the new file is being written
        assert proc.poll() is None, "writer finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    pd.testing.assert_frame_equal(schema.conform(pd.read_parquet(target)), old)


def test_lock_keeps_two_runs_apart(store):
    code = (
        "import sys, time\nfrom research.store import Store\n"
        "with Store(sys.argv[1], 'cafe').lock():\n    print('held', flush=True)\n    time.sleep(30)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(store.workspace)], stdout=subprocess.PIPE, env=env
    )
    try:
        assert proc.stdout.readline().strip() == b"held"
        with pytest.raises(StoreError, match="client 'cafe' is locked by another run"):
            with store.lock(timeout=0.3):
                pass
    finally:
        proc.kill()
        proc.wait()
    with store.lock(timeout=5):  # released when the holder dies
        pass
