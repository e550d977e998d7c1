"""snscrape JSONL items beyond tweets: Telegram, Mastodon, VKontakte."""

from __future__ import annotations

from tests.golden import FIXTURES, check_fixture, normalise_file

FIXTURE = FIXTURES / "snscrape" / "other_platforms.jsonl"


def test_golden():
    check_fixture("snscrape-jsonl", FIXTURE)


def test_each_platform():
    result = normalise_file("snscrape-jsonl", FIXTURE)
    posts = {p["post_id"]: p for p in result["posts"]}
    tg = posts["chaiandco/42"]
    assert (tg["platform"], tg["views"], tg["media_type"], tg["repost_of_post_id"]) == (
        "telegram",
        3400,
        "album",
        "brewbros/7",
    )
    assert {a["account_id"]: a["followers"] for a in result["accounts"]} == {
        "chaiandco": 12840,
        "brewbros": 20500,
    }
    toot = posts["https://mastodon.social/@chaiandco/110231234567890123"]
    assert toot["author_id"] == "chaiandco@mastodon.social" and toot["mentions"] == ["priya@fosstodon.org"]
    assert toot.get("likes") is None  # snscrape reads Mastodon web pages: no counts
    boost = posts["boost:brewbros@mastodon.social:https://chaos.social/@teanerd/110230000000000001"]
    assert boost["repost_of_author_id"] == "teanerd@chaos.social" and boost["created_at"] is None
    share = posts["987_65"]
    assert (share["repost_of_post_id"], share["created_at"]) == ("-123456_700", None)  # date-only VK post
    assert posts["-123456_789"]["hashtags"] == ["чай"]
    assert "not supported" in result["rejected"][0]["reason"]
