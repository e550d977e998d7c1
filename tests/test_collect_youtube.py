"""The ``youtube`` collector against a real server on 127.0.0.1 serving Data API v3 responses.

The fixtures (tests/fixtures/youtube/api/, written from the API reference) hold @chaiandco's
channel, 5 uploads on 2 playlistItems pages (3 + 2), their statistics (videos.list) and the
comment threads: chaiVideo05 has threads A, B (page 1) and C (page 2); A has 3 replies of which
the thread carries 1, so comments.list fetches all 3 over 2 pages; chaiVideo04 has comments
turned off (403 commentsDisabled); chaiVideo03 has thread D; chaiVideo02 thread E with a reply;
chaiVideo01 has no comments (not asked). That is 5 videos + 10 comments = 15 post rows, 14 raw
records, 6 accounts, 12 API calls (quota units) on 10 pages.
"""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from research import sources
from research.cli import main
from research.sources.collect import Query
from research.sources.http import Pacer, Policy
from research.sources.youtube_api import YouTubeCollector
from research.store import Store
from tests.recorded_server import Recorded, RecordedServer, fixture

KEY = "AIzaSyTEST-key-never-stored-0123456789"
CH = "UCchaiAndCo_Pune12345678"
API = "/youtube/v3/"
A = "UgzRaviA1b2c3d4e5f6g7h8i9"
VIDEOS = ["chaiVideo05", "chaiVideo04", "chaiVideo03", "chaiVideo02", "chaiVideo01"]
COMMENTS = {
    A: ("chaiVideo05", CH),
    "UgyMeeraB1b2c3d4e5f6g7h8": ("chaiVideo05", CH),
    "UgxArjunC1b2c3d4e5f6g7h8": ("chaiVideo05", CH),
    "UgwRaviD1b2c3d4e5f6g7h8i": ("chaiVideo03", CH),
    "UgvPriyaE1b2c3d4e5f6g7h8": ("chaiVideo02", CH),
    A + ".AAA1": (A, None),  # fetched again by comments.list, which does not name the parent's author
    A + ".AAA2": (A, None),
    A + ".AAA3": (A, None),
    "UgxArjunC1b2c3d4e5f6g7h8.CCC1": ("UgxArjunC1b2c3d4e5f6g7h8", "UCarjun_K_0000000000003a"),
    "UgvPriyaE1b2c3d4e5f6g7h8.EEE1": ("UgvPriyaE1b2c3d4e5f6g7h8", "UCpriya_Bakes_0000000004"),
}
FAST = Policy(connect_timeout=2, read_timeout=2, retries=3, backoff=0.001, backoff_max=0.01, min_interval=0)


def yt(name):
    return Recorded(fixture("youtube", "api", name))


def error(name, status):
    return Recorded(fixture("youtube", "api", name), status)


def routes(**override):
    table = {
        "channels?forHandle=@chaiandco": [yt("channels.json")],
        "playlistItems": [yt("playlist_page1.json")],
        "playlistItems?pageToken=EAAaBlBUOkNBTQ": [yt("playlist_page2.json")],
        "videos?id=chaiVideo05,chaiVideo04,chaiVideo03": [yt("videos_page1.json")],
        "videos?id=chaiVideo02,chaiVideo01": [yt("videos_page2.json")],
        "commentThreads?videoId=chaiVideo05": [yt("threads_v05_page1.json")],
        "commentThreads?videoId=chaiVideo05&pageToken=QURTSl9pMlZzcTQ": [yt("threads_v05_page2.json")],
        "commentThreads?videoId=chaiVideo04": [error("error_comments_disabled.json", 403)],
        "commentThreads?videoId=chaiVideo03": [yt("threads_v03.json")],
        "commentThreads?videoId=chaiVideo02": [yt("threads_v02.json")],
        f"comments?parentId={A}": [yt("replies_A_page1.json")],
        f"comments?parentId={A}&pageToken=R0FJQVJkZ3hP": [yt("replies_A_page2.json")],
    }
    table.update(override)
    return {API + k: v for k, v in table.items()}


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path, "chai")


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("YOUTUBE_API_KEY", KEY)


def collector(server, **kwargs):
    return YouTubeCollector(
        base_url=server.url + API, policy=kwargs.pop("policy", FAST), pacer=Pacer(), **kwargs
    )


def channel(c, name="@ChaiAndCo"):
    return c.make_targets([name], [], None)[0]


def raw_records(store):
    records = []
    for path in store.raw_files():
        with open(path, encoding="utf-8") as f:
            next(f)
            records += [json.loads(line)["record"] for line in f]
    return records


def assert_complete(store):
    posts = store.posts().set_index("post_id")
    assert sorted(posts.index) == sorted(VIDEOS + list(COMMENTS))  # 15 rows, each once
    videos = posts.loc[VIDEOS]
    assert set(videos["media_type"]) == {"video"} and set(videos["author_id"]) == {CH}
    assert set(videos["author_handle"]) == {"chaiandco"}  # from the channel's account row
    assert videos.loc["chaiVideo05", ["views", "likes", "replies"]].tolist() == [18200, 940, 7]
    assert videos.loc["chaiVideo05", "hashtags"] == ["chai", "monsoon"]
    for comment, (parent, parent_author) in COMMENTS.items():
        row = posts.loc[comment]
        assert row["reply_to_post_id"] == parent, comment
        assert (None if row["reply_to_author_id"] is pd_na() else row["reply_to_author_id"]) == parent_author
    assert posts.loc[A, ["author_handle", "likes", "replies"]].tolist() == ["ravicooks", 31, 3]
    accounts = store.accounts().set_index("account_id")
    assert len(accounts) == 6
    assert accounts.loc[CH, ["handle", "followers", "posts_count"]].tolist() == ["chaiandco", 5400, 48]
    assert accounts.loc["UCkiran_00000000000005aa", "handle"] == "kiran"
    keys = [f"{r['kind']}:{r['id']}" for r in raw_records(store)]
    assert len(keys) == len(set(keys)) == 14  # no record stored twice


def pd_na():
    import pandas as pd

    return pd.NA


def assert_no_key(workspace):
    for path in Path(workspace).rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def test_a_channel_its_videos_and_their_comment_threads(store):
    with RecordedServer(routes()) as server:
        c = collector(server)
        report = c.collect_target(store, channel(c), Query())
        hits = list(server.hits)
    assert (report.error, report.fetched, report.pages, report.records) == (None, 5, 10, 14)
    assert report.usage == "12 of 9000 quota units spent" and c.spent == 12
    assert_complete(store)
    assert [h.path.rsplit("/", 1)[1] for h in hits] == [
        "channels", "playlistItems", "videos", "commentThreads", "commentThreads", "comments", "comments",
        "commentThreads", "commentThreads", "playlistItems", "videos", "commentThreads",
    ]  # fmt: skip
    assert all(h.params["key"] == KEY for h in hits)
    assert hits[0].params == {
        "part": "snippet,statistics,contentDetails",
        "forHandle": "@chaiandco",
        "key": KEY,
    }
    assert hits[1].params["maxResults"] == "50" and hits[3].params["maxResults"] == "100"
    assert hits[3].params["textFormat"] == "plainText" and hits[3].params["part"] == "snippet,replies"
    provenance = store.runs()[0]
    assert provenance["format"] == "youtube-api-json" and provenance["collector"] == "youtube/1"
    assert provenance["origin"] == "https://www.youtube.com/@chaiandco"
    assert all("key=" not in p["url"] and p["url"].startswith(server.url) for p in provenance["pages"])
    assert report.summary().endswith("; skipped 1: comments of chaiVideo04: comments are turned off")
    assert_no_key(store.workspace)
    before = store.posts()
    assert store.renormalise() == (15, 6)
    assert store.posts().equals(before)


def test_429_5xx_and_per_minute_limits_are_retried(store):
    slept = []
    limited = Recorded({"error": {"code": 429, "message": "Too Many Requests"}}, 429, {"Retry-After": "3"})
    with RecordedServer(
        routes(
            **{
                "playlistItems?pageToken=EAAaBlBUOkNBTQ": [
                    limited,
                    Recorded("<html>busy</html>", 503),
                    yt("playlist_page2.json"),
                ],
                "commentThreads?videoId=chaiVideo03": [
                    error("error_rate_limit.json", 403),
                    yt("threads_v03.json"),
                ],
            }
        )
    ) as server:
        c = collector(server, sleep=slept.append)
        report = c.collect_target(store, channel(c), Query())
    assert report.error is None and report.waits == 3 and 3.0 in slept
    assert report.usage == "15 of 9000 quota units spent"  # retried requests cost quota too
    assert_complete(store)


def test_a_quota_budget_pauses_the_run_and_the_next_run_resumes(store):
    with RecordedServer(routes()) as server:
        c = collector(server, quota=6)
        paused = c.collect_target(store, channel(c), Query())
        assert paused.paused and paused.error is None and c.spent == 6
        assert "quota budget of 6 units is spent; run again after the daily reset" in paused.summary()
        assert len(store.posts()) == 3 + 6  # videos 05-03; A, B, C, C's reply and 2 of A's 3 replies
        resumed = collector(server).collect_target(store, channel(collector(server)), Query())
        assert server.count(API + "channels") == 1 and server.count(API + "playlistItems") == 2
        assert server.count(API + "comments", parentId=A) == 2  # page 2 only once: resumed, not restarted
    assert resumed.resumed and resumed.error is None and resumed.usage == "6 of 9000 quota units spent"
    assert_complete(store)


def test_quota_exceeded_is_one_sentence_and_not_retried(store):
    quota = error("error_quota.json", 403)
    with RecordedServer(routes(**{"commentThreads?videoId=chaiVideo03": [quota]})) as server:
        c = collector(server)
        report = c.collect_target(store, channel(c), Query())
        assert server.count(API + "commentThreads", videoId="chaiVideo03") == 1
        assert report.error == (
            "YouTube's daily quota for the key in YOUTUBE_API_KEY is used up (quotaExceeded); it resets at "
            "midnight Pacific time: run again then, collection resumes where it stopped"
        )
        assert report.stopped
        server.add(API + "commentThreads?videoId=chaiVideo03", yt("threads_v03.json"))  # the next day
        again = collector(server).collect_target(store, channel(c), Query())
    assert again.resumed and again.error is None
    assert_complete(store)


def test_a_refused_key_stops_the_run(store, capsys, monkeypatch):
    with RecordedServer(
        routes(**{"channels?forHandle=@chaiandco": [error("error_key_invalid.json", 400)]})
    ) as server:
        monkeypatch.setitem(sources.COLLECTORS, "youtube", collector(server))
        status = main(
            ["collect", "--client", "chai", "--source", "youtube", "--account", "@chaiandco",
             "--account", "@other", "--workspace", str(store.workspace)]
        )  # fmt: skip
        assert server.count(API + "channels") == 1  # the second channel is not tried with a refused key
    err = capsys.readouterr().err
    assert status == 1
    assert (
        "youtube @chaiandco: failed: YouTube refused the key in YOUTUBE_API_KEY (badRequest: API key not valid. "
        "Please pass a valid API key.); check it in the Google Cloud console" in err
    )
    assert KEY not in err


def test_a_missing_key_is_one_sentence_naming_it(store, capsys, monkeypatch):
    monkeypatch.delenv("YOUTUBE_API_KEY")
    status = main(["collect", "--client", "chai", "--source", "youtube", "--account", "@chaiandco"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1
    assert err[0].startswith(
        "research: error: collector 'youtube' needs YOUTUBE_API_KEY (Google Cloud console"
    )


def test_an_unknown_channel(store):
    with RecordedServer({API + "channels": [yt("channels_none.json")]}) as server:
        c = collector(server)
        report = c.collect_target(store, channel(c, "@nobody"), Query())
    assert report.error.startswith("there is no YouTube channel @nobody (http://127.0.0.1")


def test_since_and_max_limit_the_uploads_not_their_comments(store, tmp_path):
    with RecordedServer(routes()) as server:
        c = collector(server)
        report = c.collect_target(store, channel(c), Query.from_dates(date(2026, 9, 12), None))
        # Page 2 starts with chaiVideo02, older than the window: the walk ends without its comments.
        assert server.count(API + "playlistItems") == 2
        assert server.count(API + "commentThreads", videoId="chaiVideo02") == 0
        capped = collector(server).collect_target(
            Store(tmp_path / "capped", "chai"), channel(c), Query(max_posts=2)
        )
    assert report.fetched == 3 and sorted(store.posts()["post_id"]) == sorted(
        ["chaiVideo05", "chaiVideo04", "chaiVideo03"] + [k for k, (v, _) in COMMENTS.items() if v in (
            "chaiVideo05", "chaiVideo03", A, "UgxArjunC1b2c3d4e5f6g7h8")]
    )  # fmt: skip
    assert capped.fetched == 2 and capped.records == 1 + 2 + 6  # channel, 2 videos, 05's 6 comment records


def test_research_collect_command_and_no_key_anywhere(tmp_path, monkeypatch, capsys):
    with RecordedServer(routes()) as server:
        monkeypatch.setenv("RESEARCH_YOUTUBE_BASE_URL", server.url + API)
        monkeypatch.setitem(sources.COLLECTORS, "youtube", YouTubeCollector(policy=FAST, pacer=Pacer()))
        status = main(
            ["collect", "--client", "chai", "--source", "youtube", "--account", "@chaiandco",
             "--quota", "100", "--workspace", str(tmp_path)]
        )  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0, out
    assert (
        "youtube @chaiandco: 5 posts from 10 pages; 16 post rows -> 15 posts stored; 12 of 100 quota units spent"
        in out
    )
    assert_complete(Store(tmp_path, "chai"))
    assert_no_key(tmp_path)


KILLED = """
import sys
from research.sources.collect import Query
from research.sources.http import Policy
from research.sources.youtube_api import YouTubeCollector
from research.store import Store
c = YouTubeCollector(policy=Policy(min_interval=0, retries=0, read_timeout=120))
c.collect_target(Store(sys.argv[1], "chai"), c.make_targets(["@chaiandco"], [], None)[0], Query())
"""


def test_a_killed_run_resumes_without_duplicates_or_gaps(store, monkeypatch):
    hung = Recorded(fixture("youtube", "api", "threads_v03.json"), delay=120)
    with RecordedServer(
        routes(**{"commentThreads?videoId=chaiVideo03": [hung, yt("threads_v03.json")]})
    ) as server:
        env = {
            **os.environ,
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
            "RESEARCH_YOUTUBE_BASE_URL": server.url + API,
        }
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLED, str(store.workspace)], env=env, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while server.count(API + "commentThreads", videoId="chaiVideo03") == 0:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the collector never asked for chaiVideo03's comments"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        checkpoint = json.loads(next(store.raw_dir.glob("youtube/*.checkpoint.json")).read_text())
        assert (checkpoint["state"], checkpoint["pages"], checkpoint["posts"]) == ("fetching", 7, 3)
        assert checkpoint["cursor"]["queue"] == ["chaiVideo03"]
        assert store.raw_files() == []  # the pages wait in the partial file

        monkeypatch.setenv("RESEARCH_YOUTUBE_BASE_URL", server.url + API)
        c = YouTubeCollector(policy=FAST, pacer=Pacer())
        report = c.collect_target(store, channel(c), Query())
        assert server.count(API + "channels") == 1 and server.count(API + "comments") == 2
        assert server.count(API + "commentThreads", videoId="chaiVideo05") == 2
    assert report.resumed and (report.fetched, report.pages, report.records) == (5, 10, 14)
    assert_complete(store)
    assert len(store.raw_files()) == 1
    assert_no_key(store.workspace)
