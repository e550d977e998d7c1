"""The ``mastodon`` collector against a real server on 127.0.0.1 serving recorded API responses.

@brewbros has 9 statuses on 3 pages of 3 (page 3 holds a boost, so 10 post rows), then an
empty page; the server links pages with ``Link: <...max_id=...>; rel="next"`` as Mastodon does.
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
from research.params import parse_params
from research.run.pipeline import gather
from research.sources.collect import Query
from research.sources.http import Pacer, Policy
from research.sources.mastodon import MastodonCollector
from research.store import Store
from tests.recorded_server import Recorded, RecordedServer, fixture

ACCOUNT_ID = "109312345678901234"
STATUSES = f"/api/v1/accounts/{ACCOUNT_ID}/statuses"
PAGES = [fixture("mastodon", f"account_page{n}.json") for n in (1, 2, 3)]
ALL_IDS = [s["id"] for page in PAGES for s in page]
LAST = [page[-1]["id"] for page in PAGES]  # max_id of the page after each
FAST = Policy(connect_timeout=2, read_timeout=2, retries=3, backoff=0.001, backoff_max=0.01, min_interval=0)


def link(path, max_id):
    return {
        "Link": f'<{{base}}{path}?limit=40&max_id={max_id}>; rel="next", <{{base}}{path}?limit=40&min_id=1>; rel="prev"'
    }


def page(n, **kwargs):
    return Recorded(PAGES[n], headers=link(STATUSES, LAST[n]), **kwargs)


def routes(page2=None, page3=None):
    return {
        "/api/v1/accounts/lookup?acct=brewbros": [Recorded(fixture("mastodon", "account_lookup.json"))],
        STATUSES: [page(0)],
        f"{STATUSES}?max_id={LAST[0]}": page2 or [page(1)],
        f"{STATUSES}?max_id={LAST[1]}": page3 or [page(2)],
        f"{STATUSES}?max_id={LAST[2]}": [Recorded([])],  # the end: an empty page without Link
    }


def collector(**kwargs):
    return MastodonCollector(policy=kwargs.pop("policy", FAST), pacer=Pacer(), **kwargs)


def target(server):
    return collector().make_targets(["brewbros"], [], server.url)[0]


def raw_ids(store):
    ids = []
    for path in store.raw_files():
        with open(path, encoding="utf-8") as f:
            next(f)
            ids += [json.loads(line)["record"]["id"] for line in f]
    return ids


def first_page_hits(server):
    return sum(h.path == STATUSES and "max_id" not in h.params for h in server.hits)


def assert_complete(store, report):
    assert report.error is None, report.error
    assert sorted(raw_ids(store)) == sorted(ALL_IDS)  # every status once: no gap, no duplicate
    posts = store.posts()
    assert len(posts) == 10 and posts["post_id"].is_unique
    assert report.records == 9 and report.posts_total == 10


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path, "demo")


def test_pagination_to_the_end(store):
    with RecordedServer(routes()) as server:
        report = collector().collect_target(store, target(server), Query())
        assert first_page_hits(server) == 1 and server.count(STATUSES, max_id=LAST[2]) == 1
        assert server.hits[1].params == {"limit": "40"}
    assert_complete(store, report)
    assert (report.fetched, report.pages, report.resumed, report.waits) == (9, 4, False, 0)
    checkpoint = json.loads(next(store.raw_dir.glob("mastodon/*.checkpoint.json")).read_text())
    assert checkpoint["state"] == "done" and checkpoint["raw_file"] == report.raw_file
    assert not list(store.raw_dir.glob("mastodon/*.partial"))
    provenance = store.runs()[0]
    assert provenance["format"] == "mastodon-api-json" and provenance["collector"] == "mastodon/1"
    assert [p["items"] for p in provenance["pages"]] == [3, 3, 3, 0]
    assert provenance["user_agent"].startswith("research-workbench/")
    assert set(store.posts()["author_handle"]) == {"brewbros@mastodon.social", "ann@chaos.social"}
    before = store.posts()
    assert store.renormalise() == (10, 2)  # raw runs re-normalise to the same table
    assert store.posts().equals(before)


def test_a_second_run_refreshes_counts_without_duplicates(store):
    with RecordedServer(routes()) as server:
        collector().collect_target(store, target(server), Query())
        again = collector().collect_target(store, target(server), Query())
    assert not again.resumed and again.records == 9
    assert len(store.raw_files()) == 2 and len(store.posts()) == 10


def test_429_then_success(store):
    slept = []
    too_many = Recorded({"error": "Too many requests"}, 429, {"Retry-After": "30"})
    with RecordedServer(routes(page2=[too_many, page(1)])) as server:
        report = collector(sleep=slept.append).collect_target(store, target(server), Query())
        assert server.count(STATUSES, max_id=LAST[0]) == 2
    assert_complete(store, report)
    assert slept == [30.0] and (report.waits, report.waited_s) == (1, 30.0)
    assert "1 rate-limit/retry waits (30 s)" in report.summary()


def test_500s_then_success(store):
    with RecordedServer(routes(page3=[Recorded("", 500), Recorded("", 502), page(2)])) as server:
        report = collector().collect_target(store, target(server), Query())
    assert_complete(store, report)
    assert report.waits == 2


def test_500s_for_good_keep_what_was_fetched_and_resume_later(store):
    with RecordedServer(routes(page3=[Recorded("<h1>oops</h1>", 500)])) as server:
        failed = collector().collect_target(store, target(server), Query())
        assert failed.error.startswith(
            f"127.0.0.1:{server.url.rsplit(':', 1)[1]} answered 500 (server error) 4 times"
        )
        assert sorted(raw_ids(store)) == sorted(ALL_IDS[:6])  # pages 1-2 are stored already
        server.add(f"{STATUSES}?max_id={LAST[1]}", page(2))  # the server recovers
        resumed = collector().collect_target(store, target(server), Query())
        assert first_page_hits(server) == 1  # resumed at page 3, not from the top
    assert resumed.resumed and resumed.records == 3
    assert sorted(raw_ids(store)) == sorted(ALL_IDS)
    assert len(store.posts()) == 10 and store.posts()["post_id"].is_unique


def test_a_timeout_is_retried(store):
    policy = Policy(read_timeout=0.2, retries=2, backoff=0.001, min_interval=0)
    with RecordedServer(routes(page2=[page(1, delay=2), page(1)])) as server:
        started = time.monotonic()
        report = collector(policy=policy).collect_target(store, target(server), Query())
    assert time.monotonic() - started < 2
    assert_complete(store, report)
    assert report.waits == 1


def test_an_html_page_instead_of_json(store):
    wall = Recorded(
        "<html><head><title>Just a moment...</title></head></html>", headers={"Content-Type": "text/html"}
    )
    with RecordedServer(routes(page2=[wall])) as server:
        report = collector().collect_target(store, target(server), Query())
    assert "answered with an HTML page titled 'Just a moment...' instead of JSON" in report.error
    assert report.summary().startswith("mastodon @brewbros on http://127.0.0.1")
    assert sorted(raw_ids(store)) == sorted(ALL_IDS[:3])


KILLED_COLLECTOR = """
import sys
from research.sources.collect import Query
from research.sources.http import Policy
from research.sources.mastodon import MastodonCollector
from research.store import Store
collector = MastodonCollector(policy=Policy(min_interval=0, retries=0, read_timeout=120))
target = collector.make_targets(["brewbros"], [], sys.argv[2])[0]
collector.collect_target(Store(sys.argv[1], "demo"), target, Query())
"""


def test_a_killed_run_resumes_without_duplicates_or_gaps(store):
    hung = page(2, delay=120)  # page 3 hangs the first time: the run is killed waiting for it
    with RecordedServer(routes(page3=[hung, page(2)])) as server:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLED_COLLECTOR, str(store.workspace), server.url],
            env=env,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while server.count(STATUSES, max_id=LAST[1]) == 0:  # until page 3 is being fetched
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the collector never asked for page 3"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        checkpoint = json.loads(next(store.raw_dir.glob("mastodon/*.checkpoint.json")).read_text())
        assert (checkpoint["state"], checkpoint["pages"], checkpoint["posts"]) == ("fetching", 2, 6)
        assert store.raw_files() == []  # pages 1-2 wait in the partial file, flushed to disk

        report = collector().collect_target(store, target(server), Query())

        assert first_page_hits(server) == 1 and server.count(STATUSES, max_id=LAST[0]) == 1
        assert server.count("/api/v1/accounts/lookup") == 1  # the account id was checkpointed
    assert report.resumed and (report.fetched, report.pages) == (9, 4)
    assert_complete(store, report)
    assert len(store.raw_files()) == 1


def test_since_until_and_max(store, tmp_path):
    window = Query.from_dates(date(2026, 9, 7), date(2026, 9, 17))
    with RecordedServer(routes()) as server:
        report = collector().collect_target(store, target(server), window)
        assert report.records == 5
        assert server.count(STATUSES, max_id=LAST[2]) == 0  # stopped at the first status older than since
        capped = collector().collect_target(
            Store(tmp_path / "other", "demo"), target(server), Query(max_posts=4)
        )
        assert server.count(STATUSES, max_id=LAST[1]) == 1  # page 3 only for the window run
    assert sorted(raw_ids(store)) == sorted(ALL_IDS[2:7])
    assert (capped.records, capped.pages) == (4, 2)


def tag_routes(first=None):
    tag = "/api/v1/timelines/tag/chai"
    p1, p2 = fixture("mastodon", "tag_page1.json"), fixture("mastodon", "tag_page2.json")
    return {
        tag: first or [Recorded(p1, headers=link(tag, p1[-1]["id"]))],
        f"{tag}?max_id={p1[-1]['id']}": [Recorded(p2, headers=link(tag, p2[-1]["id"]))],
        f"{tag}?max_id={p2[-1]['id']}": [Recorded([])],
    }


def test_hashtag_timeline(store):
    with RecordedServer(tag_routes()) as server:
        [tag] = collector().make_targets([], ["#Chai"], server.url)
        report = collector().collect_target(store, tag, Query.from_dates(date(2026, 9, 1), None))
        assert server.count("/api/v1/timelines/tag/chai", max_id="113200000000000001") == 0
    assert report.target == f"#chai on {server.url}"
    assert (report.records, report.posts_total) == (3, 3)
    assert sorted(store.posts()["author_handle"]) == [
        "ann@chaos.social",
        "ann@chaos.social",
        "brewbros@mastodon.social",
    ]


def test_a_server_that_hides_its_hashtag_timeline_is_reported(store):
    refused = Recorded({"error": "This method requires an authenticated user"}, 422)
    with RecordedServer(tag_routes(first=[refused])) as server:
        [tag] = collector().make_targets([], ["chai"], server.url)
        report = collector().collect_target(store, tag, Query())
    assert report.skipped and report.error is None
    assert (
        "does not show its #chai timeline without logging in; choose a server that does" in report.summary()
    )


def test_an_unknown_account(store):
    with RecordedServer(
        {"/api/v1/accounts/lookup": [Recorded({"error": "Record not found"}, 404)]}
    ) as server:
        [nobody] = collector().make_targets(["nobody"], [], server.url)
        report = collector().collect_target(store, nobody, Query())
    assert (
        report.error
        == f"there is no account @nobody on {server.url[7:]} ({server.url}/api/v1/accounts/lookup?acct=nobody)"
    )


def test_targets_need_a_server():
    c = collector()
    assert [t.label for t in c.make_targets(["Ann@Chaos.Social"], ["chai"], None)] == [
        "@ann on chaos.social",
        "#chai on chaos.social",
    ]
    with pytest.raises(Exception, match="which Mastodon server"):
        c.make_targets(["ann"], [], None)


def test_research_collect_command(store, monkeypatch, capsys):
    monkeypatch.setitem(sources.COLLECTORS, "mastodon", collector())
    with RecordedServer(routes()) as server:
        argv = ["collect", "--client", "demo", "--source", "mastodon", "--account", "brewbros"]
        status = main(
            [*argv, "--instance", server.url, "--since", "2026-09-01", "--workspace", str(store.workspace)]
        )
    out = capsys.readouterr().out
    assert status == 0
    assert (
        "mastodon @brewbros on http://127.0.0.1" in out
        and "9 posts from 4 pages; 10 post rows -> 10 posts stored" in out
    )
    assert main(["collect", "--client", "demo", "--source", "nope", "--account", "x"]) == 2
    assert "'nope' is not a known collector" in capsys.readouterr().err


def test_brief_gathers_collectors_from_params(store, monkeypatch):
    monkeypatch.setitem(sources.COLLECTORS, "mastodon", collector())
    with RecordedServer(routes()) as server:
        params = parse_params(
            {
                "client": "demo",
                "period": {"start": "2026-09-05", "end": "2026-09-30"},
                "brand": {"name": "Brew Bros", "accounts": [{"platform": "mastodon", "handle": "brewbros"}]},
                "sources": [{"collect": "mastodon", "instance": server.url, "max_posts": 100}],
            }
        )
        [report] = gather(params, store.workspace)
    # The previous period of the same length is collected too: everything from 2026-08-10.
    assert report.records == 9 and len(store.posts()) == 10


def test_a_partial_run_of_another_query_is_stored_before_starting_afresh(store):
    class Interrupt:
        def __init__(self, desc, total):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            if n:
                raise KeyboardInterrupt

    with RecordedServer(routes()) as server:
        with pytest.raises(KeyboardInterrupt):
            collector().collect_target(store, target(server), Query(max_posts=100), bar=Interrupt)
        report = collector().collect_target(store, target(server), Query())
    assert not report.resumed and report.records == 9
    assert sorted(
        len(json.loads(p.read_text().splitlines()[0])["provenance"]["pages"]) for p in store.raw_files()
    ) == [1, 4]
    assert len(store.posts()) == 10 and store.posts()["post_id"].is_unique


def test_garbage_from_the_server_is_a_sentence_not_a_traceback(store):
    with RecordedServer(routes(page2=[Recorded([{"id": "1", "created_at": "yesterday"}])])) as server:
        report = collector().collect_target(store, target(server), Query())
    assert report.error == "created_at: 'yesterday' is not an ISO 8601 timestamp"
    assert len(raw_ids(store)) == 3
