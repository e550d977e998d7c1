"""Collectors against a hostile or broken server (a real HTTP server on 127.0.0.1): they never hang,
never loop, never send or keep a secret where it does not belong.

Deadlines are checked with a fake clock (every reading of it is one "second" later), never
with timing asserts.
"""

from __future__ import annotations

import itertools
import multiprocessing
from pathlib import Path

import pytest

from research.cli import main
from research.sources import COLLECTORS
from research.sources.bluesky import BlueskyCollector
from research.sources.collect import Query
from research.sources.http import HttpSession, Pacer, Policy
from research.sources.mastodon import MastodonCollector
from research.store import Store
from tests.faults.harness import raw_records
from tests.recorded_server import Recorded, RecordedServer, fixture

ACCOUNT = "109312345678901234"
STATUSES = f"/api/v1/accounts/{ACCOUNT}/statuses"
PAGES = [fixture("mastodon", f"account_page{n}.json") for n in (1, 2, 3)]
FAST = Policy(connect_timeout=5, read_timeout=30, retries=0, backoff=0.001, min_interval=0)
PASSWORD = "hunter2-app-pass"  # noqa: S105 - a test secret


def link(max_id: str) -> dict[str, str]:
    return {"Link": f'<{{base}}{STATUSES}?limit=40&max_id={max_id}>; rel="next"'}


def lookup() -> dict:
    return {"/api/v1/accounts/lookup?acct=brewbros": [Recorded(fixture("mastodon", "account_lookup.json"))]}


def mastodon(**kwargs) -> MastodonCollector:
    return MastodonCollector(policy=kwargs.pop("policy", FAST), pacer=Pacer(), **kwargs)


def target(server):
    return mastodon().make_targets(["brewbros"], [], server.url)[0]


def stored_ids(store) -> list[str]:
    return sorted(store.posts()["post_id"])


# --- 7: loops and hangs -------------------------------------------------------------------------


def looping_routes():
    """Pages 1, 2, 3; page 3's next link points back at page 2."""
    last = [page[-1]["id"] for page in PAGES]
    return lookup() | {
        STATUSES: [Recorded(PAGES[0], headers=link(last[0]))],
        f"{STATUSES}?max_id={last[0]}": [Recorded(PAGES[1], headers=link(last[1]))],
        f"{STATUSES}?max_id={last[1]}": [Recorded(PAGES[2], headers=link(last[0]))],
    }


ALL_IDS = sorted(s["id"] for page in PAGES for s in page)


def test_a_next_link_back_to_a_page_already_fetched_ends_the_run_instead_of_looping(tmp_path):
    store = Store(tmp_path, "demo")
    with RecordedServer(looping_routes()) as server:
        report = mastodon().collect_target(store, target(server), Query())
        assert server.count(STATUSES, max_id=PAGES[0][-1]["id"]) == 1  # page 2: never asked again
        assert server.count(STATUSES, max_id=PAGES[1][-1]["id"]) == 1
    assert report.error is None and report.records == 9
    assert report.note.startswith("stopped: the server's next page is one already fetched (http://127.0.0.1:")
    assert "(stopped: the server's next page is one already fetched" in report.summary()
    assert sorted(r["id"] for r in raw_records(store.workspace, "demo")) == ALL_IDS  # each once


def test_a_resumed_run_remembers_the_pages_it_was_given_and_does_not_loop_either(tmp_path):
    class StopAfterTwoPages:
        def __init__(self, desc, total):
            self.seen = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            self.seen += n
            if self.seen >= 6:
                raise KeyboardInterrupt  # Ctrl-C once page 2 is checkpointed

    store = Store(tmp_path, "demo")
    with RecordedServer(looping_routes()) as server:
        with pytest.raises(KeyboardInterrupt):
            mastodon().collect_target(store, target(server), Query(), bar=StopAfterTwoPages)
        resumed = mastodon().collect_target(store, target(server), Query())
        # Resumed at page 3, whose link back to page 2 is known from the checkpoint: no page twice.
        assert server.count(STATUSES, max_id=PAGES[0][-1]["id"]) == 1
        assert server.count(STATUSES, max_id=PAGES[1][-1]["id"]) == 1
    assert resumed.resumed and resumed.error is None and "already fetched" in resumed.note
    assert sorted(r["id"] for r in raw_records(store.workspace, "demo")) == ALL_IDS  # each once


def fake_clock():
    ticks = itertools.count()
    return lambda: float(next(ticks))


def test_a_server_dripping_its_body_is_given_up_at_the_deadline(tmp_path):
    # One byte every 10 ms never trips the 30 s read timeout; the deadline (10 ticks of the fake
    # clock, read once per byte) ends each attempt after about ten bytes.
    policy = Policy(read_timeout=30, retries=1, backoff=0.001, min_interval=0, deadline=10)
    drip = Recorded(PAGES[0], headers=link("1"), drip=0.01)
    store = Store(tmp_path, "demo")
    with RecordedServer(lookup() | {STATUSES: [drip]}) as server:
        report = mastodon(policy=policy, clock=fake_clock()).collect_target(store, target(server), Query())
        assert server.count(STATUSES) == 2  # the attempt and its retry
    assert report.error == (
        f"127.0.0.1:{server.url.rsplit(':', 1)[1]} did not answer (no whole answer within 10 s, 2 attempts); "
        "it may be down, overloaded or unreachable from here; run again later, collection resumes where "
        f"it stopped ({server.url}{STATUSES}?limit=40)"
    )


@pytest.mark.parametrize("length", [True, False], ids=["with Content-Length", "streamed"])
def test_an_answer_larger_than_the_cap_is_refused(tmp_path, length):
    policy = Policy(retries=0, min_interval=0, max_bytes=1_000)
    big = Recorded([{"id": str(i), "pad": "x" * 100} for i in range(50)], length=length)
    with RecordedServer({"/big": [big]}) as server:
        with pytest.raises(Exception, match=r"sent an answer larger than 1,000 bytes; not a page of posts"):
            HttpSession(server.url, policy, pacer=Pacer()).get_json("big")


# --- 8: secrets -------------------------------------------------------------------------------


def search_routes():
    return {
        "/xrpc/app.bsky.feed.searchPosts": [
            Recorded(fixture("bluesky", "search_page1.json") | {"cursor": None})
        ]
    }


def test_a_login_redirected_to_another_host_is_not_sent_there(tmp_path, monkeypatch):
    monkeypatch.setenv("BLUESKY_HANDLE", "chaiandco.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", PASSWORD)
    with RecordedServer(search_routes()) as elsewhere, RecordedServer() as pds:
        pds.add("/xrpc/com.atproto.server.createSession",
                Recorded(b"", 307, {"Location": f"{elsewhere.url}/xrpc/com.atproto.server.createSession"}))  # fmt: skip
        collector = BlueskyCollector(
            base_url=pds.url + "/xrpc/", pds_url=pds.url + "/xrpc/", policy=FAST, pacer=Pacer()
        )
        [tag] = collector.make_targets([], ["chai"], None)
        report = collector.collect_target(Store(tmp_path, "demo"), tag, Query())
        assert elsewhere.hits == []  # not the password, not anything
        assert len(pds.hits) == 1 and PASSWORD in pds.hits[0].body.decode()
    assert report.error.startswith(
        f"127.0.0.1:{pds.url.rsplit(':', 1)[1]} redirected a request carrying credentials to "
        f"127.0.0.1:{elsewhere.url.rsplit(':', 1)[1]}; they were not sent there"
    )


def test_a_redirect_without_credentials_is_followed_within_the_host(tmp_path):
    with RecordedServer(
        {"/old": [Recorded(b"", 301, {"Location": "/new"})], "/new": [Recorded({"ok": 1})]}
    ) as server:
        reply = HttpSession(server.url, FAST, pacer=Pacer()).get_json("old")
    assert reply.data == {"ok": 1} and reply.url == f"{server.url}/new"


def routes_all_pages():
    last = [page[-1]["id"] for page in PAGES]
    return lookup() | {
        STATUSES: [Recorded(PAGES[0], headers=link(last[0]))],
        f"{STATUSES}?max_id={last[0]}": [Recorded(PAGES[1])],
    }


def everything_written(workspace: Path) -> str:
    return "\n".join(
        p.read_text(errors="replace") for p in workspace.rglob("*") if p.is_file() and p.suffix != ".parquet"
    )


def test_credentials_in_a_base_url_are_used_but_never_recorded_or_shown(tmp_path, monkeypatch, capsys):
    with RecordedServer(routes_all_pages()) as server:
        secret_url = server.url.replace("http://", f"http://ann:{PASSWORD}@") + "/"
        monkeypatch.setenv("RESEARCH_MASTODON_BASE_URL", secret_url)
        monkeypatch.setitem(COLLECTORS, "mastodon", mastodon())
        status = main(["collect", "--client", "demo", "--source", "mastodon", "--account", "brewbros",
                       "--instance", "mastodon.example", "--workspace", str(tmp_path)])  # fmt: skip
        assert server.hits[0].headers.get("Authorization", "").startswith("Basic ")  # used
    out, err = capsys.readouterr()
    assert status == 0, err
    written = everything_written(tmp_path)
    assert PASSWORD not in written and PASSWORD not in out + err and "ann:" not in written
    provenance = Store(tmp_path, "demo").runs()[0]
    assert provenance["origin"] == f"{server.url}/@brewbros"
    assert provenance["pages"][0]["url"] == f"{server.url}{STATUSES}?limit=40"


def test_a_password_echoed_by_the_server_is_masked(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BLUESKY_HANDLE", "chaiandco.bsky.social")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", PASSWORD)
    echo = Recorded(
        {"error": "AuthenticationRequired", "message": f"Invalid identifier or password: {PASSWORD}"}, 401
    )
    with RecordedServer({"/xrpc/com.atproto.server.createSession": [echo]}) as pds:
        collector = BlueskyCollector(
            base_url=pds.url + "/xrpc/", pds_url=pds.url + "/xrpc/", policy=FAST, pacer=Pacer()
        )
        monkeypatch.setitem(COLLECTORS, "bluesky", collector)
        status = main(["collect", "--client", "demo", "--source", "bluesky", "--hashtag", "chai",
                       "--workspace", str(tmp_path)])  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 1
    assert PASSWORD not in out + err + everything_written(tmp_path)
    assert "Invalid identifier or password: ***" in err


# --- 11: one pace per host for the whole machine -------------------------------------------------


def _book(folder: str, times: int, queue) -> None:
    pacer = Pacer(folder)
    for _ in range(times):
        queue.put(pacer.reserve("mastodon.example", 1.0, 100.0))


def test_processes_share_one_pace_per_host(tmp_path):
    # Three processes each book four requests at the same instant (t = 100 on a clock they
    # share): the host gets one request a second, whoever asks. Without the shared file each
    # process would book 0, 1, 2, 3 for itself: three requests a second.
    context = multiprocessing.get_context("fork")  # cheap: the booking needs nothing but this module
    queue = context.Queue()
    procs = [context.Process(target=_book, args=(str(tmp_path), 4, queue)) for _ in range(3)]
    for p in procs:
        p.start()
    waits = sorted(queue.get(timeout=120) for _ in range(12))
    for p in procs:
        p.join(timeout=120)
    assert waits == [float(n) for n in range(12)]
    other = Pacer(tmp_path)
    assert other.reserve("mastodon.example", 1.0, 100.0) == 12.0
    assert other.reserve("another.example", 1.0, 100.0) == 0.0


def test_a_pace_file_from_before_a_reboot_is_ignored(tmp_path):
    Pacer(tmp_path).hold("mastodon.example", 1e9)  # far ahead of this machine's clock now
    assert Pacer(tmp_path).reserve("mastodon.example", 1.0, 5.0) == 0.0
