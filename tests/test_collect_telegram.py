"""The ``telegram`` collector: snscrape's channel scraper on a recorded transport.

snscrape always asks ``https://t.me/...`` (its scrapers take no base URL), so a recorded
``requests`` transport serving hand-written t.me/s pages is mounted on the scraper's session,
under the workbench's policy adapter. Page 1 (``/s/brewbros``) holds posts 101-105, page 2
(``?before=101``) posts 97-100 and no link further back.
"""

import json
from datetime import date

import pytest

from research.sources.collect import Query
from research.sources.http import Pacer, Policy
from research.sources.telegram_channel import INSTALL_HINT, TelegramCollector
from research.store import Store
from tests.recorded_server import Recorded, RecordedTransport, fixture

pytest.importorskip("snscrape.modules.telegram", reason="snscrape is an optional extra")

PAGE1, PAGE2 = "https://t.me/s/brewbros", "https://t.me/s/brewbros?before=101"
FAST = Policy(retries=3, backoff=0.001, backoff_max=0.01, min_interval=0)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def transport(second=None):
    return RecordedTransport(
        {
            PAGE1: [Recorded(fixture("telegram", "brewbros_page1.html"), headers=HTML)],
            PAGE2: second or [Recorded(fixture("telegram", "brewbros_page2.html"), headers=HTML)],
        }
    )


def collector(recorded, **kwargs):
    return TelegramCollector(transport=recorded, policy=kwargs.pop("policy", FAST), pacer=Pacer(), **kwargs)


def channel(c, name="BrewBros"):
    return c.make_targets([name], [], None)[0]


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path, "demo")


def raw_records(store):
    records = []
    for path in store.raw_files():
        with open(path, encoding="utf-8") as f:
            next(f)
            records += [json.loads(line)["record"] for line in f]
    return records


def test_a_channel_is_parsed_and_stored(store):
    recorded = transport()
    c = collector(recorded)
    report = c.collect_target(store, channel(c), Query())
    assert (report.error, report.fetched, report.pages, report.records) == (None, 9, 2, 9)
    assert [h.path + ("?before=" + h.params["before"] if h.params else "") for h in recorded.hits] == [
        PAGE1,
        PAGE2,
    ]
    assert recorded.hits[0].headers["User-Agent"].startswith("research-workbench/")  # the policy applied
    records = raw_records(store)
    assert {r["_type"] for r in records} == {"snscrape.modules.telegram.TelegramPost"}
    assert [r["url"].rsplit("/", 1)[1] for r in records] == [
        "105",
        "104",
        "103",
        "102",
        "101",
        "100",
        "99",
        "98",
        "97",
    ]
    menu = next(r for r in records if r["url"].endswith("/104"))
    assert menu["date"] == "2026-09-19T05:30:00+00:00"
    assert menu["content"] == "Monsoon menu is live: brewbros.example/menu #chai #pune"
    assert menu["outlinks"][0] == "https://brewbros.example/menu"
    assert menu["linkPreview"]["title"] == "Monsoon menu"
    assert store.runs()[0]["format"] == "snscrape-jsonl" and store.runs()[0]["origin"] == PAGE1
    posts = store.posts().set_index("post_id")
    assert len(posts) == 9 and posts.index.is_unique
    assert posts.loc["brewbros/105", "text"].endswith(
        "#chai <script>alert(1)</script>"
    )  # text, escaped later
    assert posts.loc["brewbros/104", "author_handle"] == "brewbros"


def test_429_then_success_uses_the_shared_policy(store):
    slept = []
    limited = Recorded("Too Many Requests", 429, {"Retry-After": "12"})
    c = collector(
        transport(second=[limited, Recorded(fixture("telegram", "brewbros_page2.html"), headers=HTML)]),
        sleep=slept.append,
    )
    report = c.collect_target(store, channel(c), Query())
    assert slept == [12.0] and report.waits == 1 and report.records == 9


def test_a_timeout_is_retried(store):
    c = collector(
        transport(
            second=[Recorded(delay=1), Recorded(fixture("telegram", "brewbros_page2.html"), headers=HTML)]
        )
    )
    report = c.collect_target(store, channel(c), Query())
    assert report.waits == 1 and report.records == 9


def test_a_failing_page_keeps_what_came_before(store):
    c = collector(transport(second=[Recorded("Bad gateway", 502)]))
    report = c.collect_target(store, channel(c), Query())
    assert report.error.startswith("t.me answered 502 (server error) 4 times in a row")
    assert len(raw_records(store)) == 5


def test_an_interrupted_run_resumes_before_the_last_stored_post(store):
    class Interrupt:
        """A progress bar that stops the run (Ctrl-C) after the first page's five posts."""

        def __init__(self, desc, total):
            self.seen = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            self.seen += n
            if self.seen == 5:
                raise KeyboardInterrupt

    recorded = transport()
    c = collector(recorded)
    with pytest.raises(KeyboardInterrupt):
        c.collect_target(store, channel(c), Query(), bar=Interrupt)
    checkpoint = json.loads(next(store.raw_dir.glob("telegram/*.checkpoint.json")).read_text())
    assert checkpoint["cursor"] == {"before": "101"} and checkpoint["posts"] == 5
    report = c.collect_target(store, channel(c), Query())
    assert recorded.count(PAGE1) == 2 and recorded.count(PAGE1, before="101") == 1  # page 1 once only
    assert report.resumed and report.records == 9
    urls = [r["url"] for r in raw_records(store)]
    assert len(urls) == len(set(urls)) == 9


def test_window_and_max(store, tmp_path):
    recorded = transport()
    c = collector(recorded)
    report = c.collect_target(store, channel(c), Query.from_dates(date(2026, 9, 15), date(2026, 9, 18)))
    assert [r["url"][-3:] for r in raw_records(store)] == ["103", "102", "101"]
    assert recorded.count(PAGE1, before="101") == 1 and report.records == 3  # stopped at post 100
    capped = c.collect_target(Store(tmp_path / "other", "demo"), channel(c), Query(max_posts=2))
    assert capped.records == 2


def test_hashtags_and_bad_names_are_explained(store):
    c = collector(transport())
    tag = c.make_targets([], ["chai"], None)[0]
    assert c.collect_target(store, tag, Query()).summary() == (
        "telegram #chai: skipped: Telegram has no public hashtag search; list the channels as accounts instead"
    )
    report = c.collect_target(store, channel(c, "t.me/brewbros"), Query())
    assert "is not a public channel name" in report.error


def test_status_says_how_to_install_snscrape(monkeypatch):
    import importlib.util

    assert TelegramCollector().status() == "works"
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "snscrape" else real(name, *a)
    )
    assert (
        TelegramCollector().status()
        == INSTALL_HINT
        == "needs the snscrape extra: pip install research[snscrape]"
    )


def test_a_channel_without_public_posts_is_explained(store):
    # t.me sends a private or unknown channel's preview to its contact page.
    recorded = RecordedTransport(
        {
            "https://t.me/s/hiddenchai": [Recorded("", 302, {"Location": "https://t.me/hiddenchai"})],
            "https://t.me/hiddenchai": [
                Recorded(
                    "<html><head><title>Telegram: Contact @hiddenchai</title></head></html>", headers=HTML
                )
            ],
        }
    )
    c = collector(recorded)
    report = c.collect_target(store, channel(c, "hiddenchai"), Query())
    assert report.skipped and "t.me shows no public posts for hiddenchai" in report.note
