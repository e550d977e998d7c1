"""The ``mastodon-api-json`` import format: Mastodon API Status JSON -> canonical rows."""

import copy
import json

import pytest

from research.sources import detect_format, get_format
from research.sources.mastodon import html_to_text, normalize
from research.store import Store
from tests.golden import FIXTURES, check_fixture, context

STATUSES = FIXTURES / "mastodon" / "statuses.json"


def test_golden_rows():
    result = check_fixture("mastodon-api-json", STATUSES)
    assert result["records"] == 6 and not result["rejected"]


def rows_by_id():
    statuses = json.loads(STATUSES.read_text(encoding="utf-8"))
    rows = normalize(statuses, context("mastodon-api-json"))
    return {p["post_id"]: p for p in rows.posts}, {a["account_id"]: a for a in rows.accounts}


def test_html_content_becomes_plain_text_with_its_line_breaks():
    posts, _ = rows_by_id()
    first = posts["113100000000000001"]
    assert first["text"] == (
        "New monsoon blend is here! #Chai #PuneCafe & free samples all week.\n\n"
        "Menu: https://brewbros.example/menu?utm_source=masto\nSee you there"
    )
    assert first["hashtags"] == ["chai", "punecafe"]
    assert first["urls"] == ["https://brewbros.example/menu?utm_source=masto"]  # the card's link once
    assert first["media_type"] == "link"
    # Escaped markup stays text: shown, never run.
    assert "<script>alert(1)</script>" in posts["113100000000000005"]["text"]


def test_ids_are_strings_and_handles_carry_their_server():
    posts, accounts = rows_by_id()
    reply = posts["113100000000000002"]
    assert reply["author_handle"] == "brewbros@mastodon.social"
    assert reply["mentions"] == ["ann@chaos.social"]
    assert (reply["reply_to_post_id"], reply["reply_to_author_id"]) == (
        "113099000000000555",
        "109400000000000777",
    )
    assert accounts["109400000000000777"]["handle"] == "ann@chaos.social"
    assert accounts["109312345678901234"]["followers"] == 5210
    assert accounts["109312345678901234"]["description"] == "Small-batch chai from Pune. #chai"
    assert all(isinstance(p["post_id"], str) for p in posts.values())


def test_a_boost_is_a_repost_row_plus_the_original():
    posts, _ = rows_by_id()
    boost = posts["113100000000000003"]
    assert (boost["repost_of_post_id"], boost["repost_of_author_id"]) == (
        "113050000000000001",
        "109400000000000777",
    )
    assert boost["text"] == "" and boost.get("likes") is None  # a boost has no counts of its own
    original = posts["113050000000000001"]
    assert (original["author_handle"], original["media_type"], original["likes"]) == (
        "ann@chaos.social",
        "video",
        51,
    )


def test_poll_album_quote_and_content_warning():
    posts, _ = rows_by_id()
    poll = posts["113100000000000004"]
    assert poll["media_type"] == "poll"
    assert poll["text"].startswith("Poll: spicy opinions\n\nWhich chai wins?")
    album = posts["113100000000000005"]
    assert (album["media_type"], album["lang"]) == ("album", None)
    quote = posts["113100000000000006"]
    assert (quote["quote_of_post_id"], quote["quote_of_author_id"], quote["quotes"]) == (
        "113090000000000042",
        "109400000000000777",
        1,
    )
    assert posts["113090000000000042"]["likes"] == 99  # the quoted status is a row too
    assert all(
        p.get("views") is None and p.get("saves") is None for p in posts.values()
    )  # not provided, not 0


def test_normaliser_does_not_mutate_its_input():
    statuses = json.loads(STATUSES.read_text(encoding="utf-8"))
    before = copy.deepcopy(statuses)
    normalize(statuses, context("mastodon-api-json"))
    assert statuses == before


def test_recognised_and_imported_through_the_store(tmp_path):
    assert detect_format(STATUSES).name == "mastodon-api-json"
    page = tmp_path / "page.jsonl"  # JSON lines of whole pages, as a script saving responses writes
    page.write_text(
        json.dumps(json.loads(STATUSES.read_text())[:3]) + "\n" + json.dumps({"statuses": []}) + "\n"
    )
    store = Store(tmp_path, "demo")
    report = store.import_file(page, "mastodon-api-json")
    assert (report.records, report.posts_total) == (2, 4)
    assert store.posts()["post_id"].is_unique


def test_a_non_status_is_set_aside():
    with pytest.raises(ValueError, match="not a Mastodon status"):
        normalize({"id": "1"}, context("mastodon-api-json"))
    assert get_format("mastodon-api-json").version == "1"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("line<br/>break<br>again", "line\nbreak\nagain"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
        ("<p>x<script>alert(1)</script>y</p>", "xy"),
        ("Tom &amp; Jerry &#8217;s", "Tom & Jerry ’s"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html)[0] == text
