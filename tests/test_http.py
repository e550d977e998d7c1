"""The shared HTTP policy, against a real server on 127.0.0.1 serving recorded responses."""

import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from research.errors import CollectorError
from research.sources.http import (
    HttpSession,
    HttpStatusError,
    Pacer,
    Policy,
    base_url_from_env,
    parse_retry_after,
    user_agent,
)
from tests.recorded_server import Recorded, RecordedServer

FAST = Policy(connect_timeout=2, read_timeout=2, retries=3, backoff=0.001, backoff_max=0.01, min_interval=0)


class Clock:
    """A fake clock: sleeping advances it and is recorded, nothing really waits."""

    def __init__(self):
        self.now, self.slept = 1000.0, []

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds

    def __call__(self):
        return self.now


def session(server, policy=FAST, **kwargs):
    return HttpSession(server.url, policy, pacer=Pacer(), **kwargs)


def test_json_and_link_header():
    page = Recorded(
        [{"id": "1"}],
        headers={"Link": '<{base}/items?max_id=1>; rel="next", <{base}/items?min_id=1>; rel="prev"'},
    )
    with RecordedServer({"/items": [page]}) as server:
        reply = session(server).get_json("items", {"limit": 40, "skip": None})
    assert reply.data == [{"id": "1"}]
    assert reply.next_url == f"{server.url}/items?max_id=1"
    assert server.hits[0].params == {"limit": "40"}  # None parameters are not sent


def test_user_agent_names_the_workbench_and_the_contact(monkeypatch):
    monkeypatch.setenv("RESEARCH_CONTACT", "mailto:analyst@agency.example")
    with RecordedServer({"/x": [Recorded({})]}) as server:
        session(server).get_json("x")
    assert server.hits[0].headers["User-Agent"] == user_agent()
    assert user_agent().endswith("(+mailto:analyst@agency.example)")
    monkeypatch.delenv("RESEARCH_CONTACT")
    assert "(" not in user_agent()


def test_429_then_success_honours_retry_after_seconds():
    clock, waits = Clock(), []
    routes = {
        "/x": [Recorded({"error": "Too many requests"}, 429, {"Retry-After": "7"}), Recorded({"ok": 1})]
    }
    with RecordedServer(routes) as server:
        reply = session(server, sleep=clock.sleep, clock=clock, on_wait=waits.append).get_json("x")
    assert reply.data == {"ok": 1}
    assert clock.slept == [7.0]
    assert [(w.reason, w.seconds, w.attempt) for w in waits] == [("rate limit (429)", 7.0, 1)]
    assert server.count("/x") == 2


def test_retry_after_as_an_http_date():
    clock = Clock()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    routes = {"/x": [Recorded("", 503, {"Retry-After": when}), Recorded({"ok": 1})]}
    with RecordedServer(routes) as server:
        session(server, sleep=clock.sleep, clock=clock).get_json("x")
    assert 27 <= clock.slept[0] <= 30


def test_mastodon_and_bluesky_reset_headers():
    now = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after({"x-ratelimit-reset": "2026-09-01T12:01:00.000Z"}, now) == 60
    assert parse_retry_after({"RateLimit-Reset": str(int(now.timestamp()) + 90)}, now) == 90
    assert parse_retry_after({"RateLimit-Reset": "12"}, now) == 12  # delta seconds (IETF draft)
    assert parse_retry_after({"Retry-After": "soon"}, now) is None
    assert parse_retry_after({}, now) is None


def test_5xx_are_retried_with_growing_backoff():
    clock = Clock()
    policy = Policy(retries=4, backoff=1.0, backoff_max=3.0, min_interval=0)
    routes = {"/x": [Recorded("", 500), Recorded("", 502), Recorded("", 503), Recorded({"ok": 1})]}
    with RecordedServer(routes) as server:
        assert session(server, policy, sleep=clock.sleep, clock=clock).get_json("x").data == {"ok": 1}
    # 1, 2, 4 s capped at 3, each with jitter in [50 %, 100 %]
    assert len(clock.slept) == 3
    assert 0.5 <= clock.slept[0] <= 1 and 1 <= clock.slept[1] <= 2 and 1.5 <= clock.slept[2] <= 3


def test_giving_up_after_the_retries_says_so():
    with RecordedServer({"/x": [Recorded("", 503)]}) as server:
        with pytest.raises(
            HttpStatusError, match=r"answered 503 \(server error\) 4 times in a row; run again later"
        ):
            session(server).get_json("x")
        assert server.count("/x") == 4


def test_a_wait_longer_than_the_cap_fails_at_once():
    with RecordedServer({"/x": [Recorded("", 429, {"Retry-After": "3600"})]}) as server:
        with pytest.raises(
            HttpStatusError, match="asks to wait 60 min .* longer than the 15 min a run waits"
        ):
            session(server, Policy(min_interval=0)).get_json("x")
        assert server.count("/x") == 1


def test_a_timeout_is_retried():
    policy = Policy(read_timeout=0.2, retries=2, backoff=0.001, min_interval=0)
    waits = []
    with RecordedServer({"/x": [Recorded({"late": 1}, delay=2), Recorded({"ok": 1})]}) as server:
        started = time.monotonic()
        assert session(server, policy, on_wait=waits.append).get_json("x").data == {"ok": 1}
    assert time.monotonic() - started < 1.5
    assert [w.reason for w in waits] == ["timeout"]


def test_a_server_that_never_answers_gives_one_sentence():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    http = HttpSession(f"http://127.0.0.1:{port}", FAST, pacer=Pacer())
    with pytest.raises(CollectorError, match=r"did not answer \(connection error, 4 attempts\)"):
        http.get_json("x")


def test_html_instead_of_json():
    page = Recorded(
        "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
        headers={"Content-Type": "text/html"},
    )
    with RecordedServer({"/x": [page]}) as server:
        with pytest.raises(
            CollectorError,
            match="HTML page titled 'Just a moment...' instead of JSON; the address may be wrong",
        ):
            session(server).get_json("x")
        assert server.count("/x") == 1  # not retried: asking again gives the same page


def test_not_json_and_error_statuses():
    routes = {
        "/bad": [Recorded("{oops", headers={"Content-Type": "application/json"})],
        "/gone": [Recorded({"error": "Record not found"}, 404)],
    }
    with RecordedServer(routes) as server:
        http = session(server)
        with pytest.raises(CollectorError, match="not JSON"):
            http.get_json("bad")
        with pytest.raises(HttpStatusError, match="answered 404 Not Found: Record not found") as e:
            http.get_json("gone")
    assert e.value.status == 404 and e.value.detail == "Record not found"


def test_hosts_are_paced_by_the_minimum_interval():
    clock, pacer = Clock(), Pacer()
    with RecordedServer({"/x": [Recorded({})]}) as server:
        http = HttpSession(server.url, Policy(min_interval=1.0), sleep=clock.sleep, clock=clock, pacer=pacer)
        other = HttpSession(server.url, Policy(min_interval=1.0), sleep=clock.sleep, clock=clock, pacer=pacer)
        for s in (http, other, http):
            s.get_json("x")
    assert clock.slept == [1.0, 1.0]  # the second session waits its turn on the same host


def test_a_used_up_quota_pauses_the_host_until_it_resets():
    clock, waits = Clock(), []
    reset = (datetime.now(UTC) + timedelta(seconds=120)).isoformat()
    routes = {
        "/x": [Recorded({}, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}), Recorded({})]
    }
    with RecordedServer(routes) as server:
        http = session(server, sleep=clock.sleep, clock=clock, on_wait=waits.append)
        http.get_json("x")
        http.get_json("x")
    assert waits[0].reason == "quota used up" and 115 <= waits[0].seconds <= 120
    assert 115 <= clock.slept[0] <= 120


def test_base_url_override_from_the_environment(monkeypatch):
    assert (
        base_url_from_env("bluesky", "https://public.api.bsky.app/xrpc/")
        == "https://public.api.bsky.app/xrpc/"
    )
    monkeypatch.setenv("RESEARCH_BLUESKY_BASE_URL", "http://127.0.0.1:9/xrpc/")
    assert base_url_from_env("bluesky", "https://public.api.bsky.app/xrpc/") == "http://127.0.0.1:9/xrpc/"
