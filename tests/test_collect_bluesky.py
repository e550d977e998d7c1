"""The ``bluesky`` collector against a real server on 127.0.0.1 serving recorded XRPC responses.

The author feed of chaiandco.bsky.social has 8 feed items on 3 cursor-linked pages: 6 posts,
a repost of Ravi and a reply to Ravi with its thread context, so 10 post rows.
"""

import json
from datetime import date

import pytest

from research.sources.bluesky import SEARCH_NEEDS_LOGIN, BlueskyCollector
from research.sources.collect import Query
from research.sources.http import Pacer, Policy
from research.store import Store
from tests.recorded_server import Recorded, RecordedServer, fixture

FEED = "/xrpc/app.bsky.feed.getAuthorFeed"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
PAGES = [fixture("bluesky", f"author_feed_page{n}.json") for n in (1, 2, 3)]
FAST = Policy(connect_timeout=2, read_timeout=2, retries=3, backoff=0.001, backoff_max=0.01, min_interval=0)


def feed_routes(first=None, second=None):
    return {
        FEED: first or [Recorded(PAGES[0])],
        f"{FEED}?cursor={PAGES[0]['cursor']}": second or [Recorded(PAGES[1])],
        f"{FEED}?cursor={PAGES[1]['cursor']}": [Recorded(PAGES[2])],
    }


def collector(server, **kwargs):
    xrpc = server.url + "/xrpc/"
    return BlueskyCollector(base_url=xrpc, pds_url=xrpc, policy=FAST, pacer=Pacer(), **kwargs)


def account(c):
    return c.make_targets(["@ChaiAndCo.bsky.social"], [], None)[0]


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path, "demo")


@pytest.fixture
def no_login(monkeypatch):
    monkeypatch.delenv("BLUESKY_HANDLE", raising=False)
    monkeypatch.delenv("BLUESKY_APP_PASSWORD", raising=False)


def raw_records(store):
    records = []
    for path in store.raw_files():
        with open(path, encoding="utf-8") as f:
            next(f)
            records += [json.loads(line)["record"] for line in f]
    return records


def test_author_feed_to_the_end(store):
    with RecordedServer(feed_routes()) as server:
        c = collector(server)
        report = c.collect_target(store, account(c), Query())
        first = server.hits[0].params
    assert first == {"actor": "chaiandco.bsky.social", "limit": "100", "filter": "posts_with_replies"}
    assert (report.error, report.fetched, report.pages, report.records) == (None, 8, 3, 8)
    posts = store.posts()
    assert len(posts) == 10 and posts["post_id"].is_unique
    repost = posts[posts["repost_of_post_id"].notna()]
    assert list(repost["post_id"]) == [
        "repost:did:plc:chaiandco7x2k4q:at://did:plc:ravi3mumbai9/app.bsky.feed.post/3lravi1aa"
    ]
    assert store.runs()[0]["format"] == "bluesky-json"


def test_an_interrupted_run_resumes_at_its_cursor(store):
    class Interrupt:
        """A progress bar that stops the run (Ctrl-C) once the first page is stored."""

        def __init__(self, desc, total):
            self.seen = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            self.seen += n
            if self.seen:
                raise KeyboardInterrupt

    with RecordedServer(feed_routes()) as server:
        c = collector(server)
        with pytest.raises(KeyboardInterrupt):
            c.collect_target(store, account(c), Query(), bar=Interrupt)
        assert store.raw_files() == []
        report = c.collect_target(store, account(c), Query())
        assert sum("cursor" not in h.params for h in server.hits) == 1  # page 1 was not fetched again
    assert report.resumed and (report.fetched, report.records) == (8, 8)
    uris = [r["post"]["uri"] + str(r.get("reason", "")) for r in raw_records(store)]
    assert len(uris) == len(set(uris)) == 8
    assert len(store.posts()) == 10


def test_429_with_bluesky_rate_limit_headers(store):
    slept = []
    limited = Recorded(
        {"error": "RateLimitExceeded"}, 429, {"RateLimit-Remaining": "0", "RateLimit-Reset": "45"}
    )
    with RecordedServer(feed_routes(second=[limited, Recorded(PAGES[1])])) as server:
        c = collector(server, sleep=slept.append)
        report = c.collect_target(store, account(c), Query())
    assert slept == [45.0] and report.waits == 1 and report.records == 8


def test_an_unknown_account(store):
    missing = Recorded({"error": "InvalidRequest", "message": "Profile not found"}, 400)
    with RecordedServer({FEED: [missing]}) as server:
        c = collector(server)
        report = c.collect_target(store, c.make_targets(["nobody.bsky.social"], [], None)[0], Query())
    assert report.error.startswith("there is no Bluesky account nobody.bsky.social")


def search_routes(first=None):
    return {
        SEARCH: first or [Recorded(fixture("bluesky", "search_page1.json"))],
        f"{SEARCH}?cursor=2": [Recorded(fixture("bluesky", "search_page2.json"))],
        "/xrpc/com.atproto.server.createSession": [Recorded(fixture("bluesky", "create_session.json"))],
    }


def test_hashtag_search_without_a_login_is_skipped_with_the_reason(store, no_login):
    # What public.api.bsky.app answers to unauthenticated searchPosts since January 2025.
    refused = Recorded(
        '{"error":"Forbidden","message":"Forbidden"}', 403, {"Content-Type": "application/json"}
    )
    with RecordedServer(search_routes(first=[refused])) as server:
        c = collector(server)
        [tag] = c.make_targets([], ["#Chai"], None)
        report = c.collect_target(store, tag, Query())
    assert report.skipped and report.error is None and report.note == SEARCH_NEEDS_LOGIN
    assert report.summary() == f"bluesky #chai: skipped: {SEARCH_NEEDS_LOGIN}"
    assert "BLUESKY_HANDLE and BLUESKY_APP_PASSWORD" in SEARCH_NEEDS_LOGIN
    assert store.raw_files() == []


def test_hashtag_search_with_a_login(store, monkeypatch):
    monkeypatch.setenv("BLUESKY_HANDLE", "analyst.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
    window = Query.from_dates(date(2026, 9, 1), date(2026, 9, 30))
    with RecordedServer(search_routes()) as server:
        c = collector(server)
        [tag] = c.make_targets([], ["chai"], None)
        report = c.collect_target(store, tag, window)
        login = server.hits[0]
        searches = [h for h in server.hits if h.path == SEARCH]
    assert login.method == "POST" and json.loads(login.body) == {
        "identifier": "analyst.bsky.social",
        "password": "abcd-efgh-ijkl-mnop",
    }
    assert all(h.headers["Authorization"].startswith("Bearer eyJ0eXAiOiJhdCtqd3Qi") for h in searches)
    assert searches[0].params == {
        "q": "#chai",
        "sort": "latest",
        "limit": "100",
        "since": "2026-09-01T00:00:00Z",
        "until": "2026-10-01T00:00:00Z",
    }
    assert (report.records, report.pages, report.posts_total) == (3, 2, 3)
    # The password is never written anywhere.
    for path in store.workspace.rglob("*"):
        assert path.is_dir() or b"abcd-efgh" not in path.read_bytes()


def test_hashtag_search_works_unauthenticated_where_a_service_allows_it(store, no_login):
    with RecordedServer(search_routes()) as server:
        c = collector(server)
        report = c.collect_target(store, c.make_targets([], ["chai"], None)[0], Query())
        assert server.count("/xrpc/com.atproto.server.createSession") == 0
    assert report.records == 3 and not report.skipped


def test_a_wrong_app_password(store, monkeypatch):
    monkeypatch.setenv("BLUESKY_HANDLE", "analyst.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "wrong")
    denied = Recorded({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, 401)
    with RecordedServer({"/xrpc/com.atproto.server.createSession": [denied]}) as server:
        c = collector(server)
        report = c.collect_target(store, c.make_targets([], ["chai"], None)[0], Query())
    assert report.error.startswith("Bluesky refused the login of BLUESKY_HANDLE 'analyst.bsky.social' (401")
    assert "wrong" not in report.error


def test_an_expired_token_logs_in_again_once(store, monkeypatch):
    monkeypatch.setenv("BLUESKY_HANDLE", "analyst.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
    expired = Recorded({"error": "ExpiredToken", "message": "Token has expired"}, 400)
    routes = search_routes(first=[expired, Recorded(fixture("bluesky", "search_page1.json"))])
    with RecordedServer(routes) as server:
        c = collector(server)
        report = c.collect_target(store, c.make_targets([], ["chai"], None)[0], Query())
        assert server.count("/xrpc/com.atproto.server.createSession") == 2
    assert report.records == 3


def test_a_second_run_on_the_same_target_waits_for_the_first(store):
    import fcntl

    with RecordedServer(feed_routes()) as server:
        c = collector(server)
        target = account(c)
        (store.raw_dir / "bluesky").mkdir(parents=True)
        with open(store.raw_dir / "bluesky" / f"{target.slug}.lock", "a+") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            report = c.collect_target(store, target, Query())
        assert server.hits == []
    assert report.error == "another run is collecting @chaiandco.bsky.social right now; wait for it to finish"
