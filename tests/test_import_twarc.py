"""twarc2 / Twitter API v2 importer: golden files and line kinds."""

from __future__ import annotations

import pytest

from research.sources import detect_format
from tests.golden import FIXTURES, check_fixture, normalise_file

HERE = FIXTURES / "twitter"


@pytest.mark.parametrize("name", ["twarc2_pages.jsonl", "twarc2_flat.jsonl", "twarc2_page.json"])
def test_golden(name):
    check_fixture("twarc2-jsonl", HERE / name)


def test_pages_link_retweets_replies_quotes_and_set_aside_other_lines():
    result = normalise_file("twarc2-jsonl", HERE / "twarc2_pages.jsonl")
    posts = {p["post_id"]: p for p in result["posts"]}
    rt, reply, quote = (
        posts["1408874500000000001"],
        posts["1408874600000000002"],
        posts["1408874700000000003"],
    )
    assert (rt["repost_of_post_id"], rt["repost_of_author_id"], rt["reposts"]) == (
        "1408874300459491330",
        "1001",
        0,
    )
    assert (reply["reply_to_post_id"], reply["reply_to_author_id"]) == ("1408874300459491330", "1001")
    assert (quote["quote_of_post_id"], quote["quote_of_author_id"], quote["lang"]) == (
        "1408874300459491330",
        "1001",
        None,
    )
    assert quote["media_type"] == "poll" and quote["views"] == 480
    assert posts["1408874300459491330"]["media_type"] == "album"
    # __twarc.retrieved_at is when the counts were seen
    assert rt["collected_at"].isoformat() == "2021-06-26T19:56:43+00:00"
    reasons = {r["line"]: r["reason"] for r in result["rejected"]}
    assert "tweet-counts" in reasons[2] and "not valid JSON" in reasons[3]
    assert "compliance" in reasons[4] and "error-only" in reasons[5]
    # the user-lookup page gives an accounts row
    assert any(a["handle"] == "mumbaicafe" and a["followers"] == 22000 for a in result["accounts"])


def test_flattened_lines_use_inlined_expansions():
    posts = {p["post_id"]: p for p in normalise_file("twarc2-jsonl", HERE / "twarc2_flat.jsonl")["posts"]}
    assert posts["1408880000000000010"]["repost_of_author_id"] == "1002"
    assert posts["1408879000000000009"]["media_type"] == "video"
    assert posts["1408881000000000011"]["author_handle"] == "brewbros"


def test_long_tweet_uses_note_text():
    post = normalise_file("twarc2-jsonl", HERE / "twarc2_page.json")["posts"][0]
    assert post["text"].endswith("#MumbaiCafe") and post["hashtags"] == ["chai", "mumbaicafe"]


@pytest.mark.parametrize("name", ["twarc2_pages.jsonl", "twarc2_flat.jsonl", "twarc2_page.json"])
def test_recognised(name):
    assert detect_format(HERE / name).name == "twarc2-jsonl"
