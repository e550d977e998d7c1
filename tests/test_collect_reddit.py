"""The ``reddit`` collector against a real server on 127.0.0.1 serving reddit.com's public JSON.

r/punefood/new has 3 posts on 2 listing pages (``after`` paging): 1fpc001 (3 comments: one with
a reply, one deleted, and a "more" stub), 1fpc002 (no comments: its thread is not asked for) and
1fpc003 (1 comment). Threads are the ``/comments/<id>.json`` documents the ``reddit-json``
importer reads. 3 posts + 4 comments = 7 post rows, 4 accounts, 5 records from 4 calls.
"""

from datetime import date

import pytest

from research import sources
from research.cli import main
from research.params import parse_params
from research.run.pipeline import gather
from research.sources.collect import Query
from research.sources.http import Pacer, Policy
from research.sources.reddit import RedditCollector
from research.store import Store
from tests.recorded_server import Recorded, RecordedServer, fixture

NEW = "/r/punefood/new.json"
FAST = Policy(connect_timeout=2, read_timeout=2, retries=3, backoff=0.001, backoff_max=0.01, min_interval=0)
LINKS = {  # comment -> (replies to, author it answers)
    "t1_lq0001": ("t3_1fpc001", "t2_aaa111"),
    "t1_lq0002": ("t1_lq0001", "t2_ddd444"),
    "t1_lq0003": ("t3_1fpc001", "t2_aaa111"),
    "t1_lq0004": ("t3_1fpc003", "t2_ccc333"),
}


def rd(name, **kwargs):
    return Recorded(fixture("reddit", "api", name), **kwargs)


def routes(**override):
    table = {
        NEW: [rd("new_page1.json")],
        f"{NEW}?after=t3_1fpc002": [rd("new_page2.json")],
        "/comments/1fpc001.json": [rd("thread_1fpc001.json")],
        "/comments/1fpc003.json": [rd("thread_1fpc003.json")],
    }
    table.update(override)
    return table


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path, "chai")


def collector(server, **kwargs):
    return RedditCollector(base_url=server.url, policy=kwargs.pop("policy", FAST), pacer=Pacer(), **kwargs)


def sub(c, name="r/PuneFood"):
    return c.make_targets([name], [], None)[0]


def assert_complete(store):
    posts = store.posts().set_index("post_id")
    assert sorted(posts.index) == sorted(["t3_1fpc001", "t3_1fpc002", "t3_1fpc003", *LINKS])
    for comment, (parent, author) in LINKS.items():
        assert posts.loc[comment, ["reply_to_post_id", "reply_to_author_id"]].tolist() == [parent, author]
    assert posts.loc["t3_1fpc001", ["likes", "replies", "mentions"]].tolist() == [
        42,
        3,
        ["chaiandco_official"],
    ]
    assert posts.loc["t1_lq0001", "replies"] == 1 and posts.isna().loc["t1_lq0003", "author_id"]
    assert sorted(store.accounts()["account_id"]) == ["t2_aaa111", "t2_bbb222", "t2_ccc333", "t2_ddd444"]


def test_a_subreddit_and_each_thread(store):
    with RecordedServer(routes()) as server:
        c = collector(server)
        report = c.collect_target(store, sub(c), Query())
        hits = list(server.hits)
    assert (report.error, report.fetched, report.pages, report.records) == (None, 3, 4, 5)
    assert [h.path for h in hits] == [NEW, "/comments/1fpc001.json", NEW, "/comments/1fpc003.json"]
    assert hits[0].params == {"limit": "100", "raw_json": "1"} and hits[2].params["after"] == "t3_1fpc002"
    assert all(h.headers["User-Agent"].startswith("research-workbench/") for h in hits)
    assert store.runs()[0]["format"] == "reddit-json"
    assert store.runs()[0]["origin"] == "https://www.reddit.com/r/punefood"
    assert_complete(store)
    before = store.posts()
    assert store.renormalise() == (7, 4) and store.posts().equals(before)


def test_rate_limit_headers_pause_until_the_reset_and_429_is_retried(store):
    slept, now = [], [0.0]

    def sleep(seconds):  # a clock that moves only when the collector sleeps
        slept.append(round(seconds, 3))
        now[0] += seconds

    spent = {"X-Ratelimit-Used": "100", "X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "42"}
    limited = Recorded({"message": "Too Many Requests", "error": 429}, 429, {"Retry-After": "7"})
    with RecordedServer(
        routes(
            **{
                NEW: [rd("new_page1.json", headers=spent)],
                "/comments/1fpc003.json": [limited, rd("thread_1fpc003.json")],
            }
        )
    ) as server:
        c = collector(server, sleep=sleep, clock=lambda: now[0])
        report = c.collect_target(store, sub(c), Query())
    assert report.error is None and slept == [42.0, 7.0]  # held until the reset, then the 429's Retry-After
    assert report.waits == 2  # the quota wait and the 429
    assert_complete(store)


def test_a_user_and_a_top_listing(store):
    submitted = "/user/chaiandco_official/submitted.json"
    top = "/r/punefood/top.json"
    with RecordedServer(
        {submitted: [rd("new_page2.json")], top: [rd("new_page1.json")], f"{top}?after=t3_1fpc002": [rd("new_page2.json")],
         "/comments/1fpc003.json": [rd("thread_1fpc003.json")],
         "/comments/1fpc001.json": [rd("thread_1fpc001.json")]}
    ) as server:  # fmt: skip
        c = collector(server)
        user, best = c.make_targets(["u/ChaiAndCo_Official", "r/punefood/top"], [], None)
        assert (user.value, best.value) == ("u/chaiandco_official", "r/punefood/top")
        report = c.collect_target(store, user, Query())
        assert server.hits[0].params == {"limit": "100", "raw_json": "1", "sort": "new"}
        window = Query.from_dates(date(2026, 9, 24), None)
        top_report = c.collect_target(store, best, window)
        assert server.hits[-1].params["t"] == "all"
    assert (report.fetched, report.records) == (1, 2)
    assert top_report.fetched == 1  # 1fpc002 is older than the window; a top listing is not by date


def test_a_private_subreddit_is_skipped(store):
    with RecordedServer({"/r/hidden/new.json": [rd("private.json", status=403)]}) as server:
        c = collector(server)
        report = c.collect_target(store, sub(c, "r/hidden"), Query())
    assert report.skipped and report.note == "reddit.com does not show r/hidden: it is private (403)"


def test_targets_and_the_command(store, monkeypatch, capsys):
    with pytest.raises(Exception, match="Reddit has no hashtags"):
        RedditCollector().make_targets([], ["chai"], None)
    with pytest.raises(Exception, match="is not a subreddit"):
        RedditCollector().make_targets(["r/a b"], [], None)
    with RecordedServer(routes()) as server:
        monkeypatch.setitem(sources.COLLECTORS, "reddit", collector(server))
        status = main(["collect", "--client", "chai", "--source", "reddit", "--account", "r/punefood",
                       "--workspace", str(store.workspace)])  # fmt: skip
    assert status == 0
    assert (
        "reddit @r/punefood: 3 posts from 4 pages; 9 post rows -> 7 posts stored" in capsys.readouterr().out
    )


def test_params_name_subreddits_for_the_reddit_collector(store, monkeypatch):
    with RecordedServer(routes()) as server:
        monkeypatch.setitem(sources.COLLECTORS, "reddit", collector(server))
        params = parse_params(
            {
                "client": "chai",
                "period": {"start": "2026-09-01", "end": "2026-09-30"},
                "brand": {
                    "name": "Chai & Co",
                    "accounts": [{"platform": "reddit", "handle": "u/chaiandco_official"}],
                },
                "sources": [{"collect": "reddit", "accounts": ["r/punefood"]}],
            }
        )
        server.add("/user/chaiandco_official/submitted.json", rd("new_page2.json"))
        reports = gather(params, store.workspace)
    assert [r.records for r in reports] == [2, 5]  # the brand's user, then the subreddit
    assert_complete(store)
    assert params.brands()[0].accounts == (("reddit", "chaiandco_official"),)  # u/ as Reddit writes it
