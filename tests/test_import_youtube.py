"""yt-dlp .info.json files and YouTube Data API JSON: golden files, reply linkage, recognition."""

from __future__ import annotations

from research.sources import detect_format
from research.store import Store
from tests.golden import FIXTURES, assert_golden, check_fixture, normalise_file

VIDEO = FIXTURES / "youtube" / "chaiVideo05.info.json"
CHANNEL = FIXTURES / "youtube" / "chaiandco_videos.info.json"
CH = "UCchaiAndCo_Pune12345678"
RAVI = "UgzRaviA1b2c3d4e5f6g7h8i9"


def test_golden_video_with_comments():
    check_fixture("yt-dlp-json", VIDEO)


def test_golden_channel_file():
    result = normalise_file("yt-dlp-json", CHANNEL)
    assert_golden(result, CHANNEL.with_name("chaiandco_videos.expected.json"))
    assert result["posts"] == [] and [
        (a["account_id"], a["handle"], a["followers"]) for a in result["accounts"]
    ] == [(CH, "chaiandco", 5400)]


def test_video_comments_and_their_reply_links():
    result = normalise_file("yt-dlp-json", VIDEO)
    posts = {p["post_id"]: p for p in result["posts"]}
    assert len(posts) == 5 and result["rejected"] == []
    video = posts["chaiVideo05"]
    assert (video["author_id"], video["author_handle"], video["media_type"]) == (CH, "chaiandco", "video")
    assert (video["views"], video["likes"], video["replies"]) == (18200, 940, 4)
    assert video["created_at"].isoformat() == "2026-09-25T13:30:00+00:00"
    assert video["hashtags"] == ["chai", "monsoon"] and video["mentions"] == ["ravicooks"]
    links = {
        k: (p.get("reply_to_post_id"), p.get("reply_to_author_id"), p["author_handle"])
        for k, p in posts.items()
    }
    assert links == {
        "chaiVideo05": (None, None, "chaiandco"),
        RAVI: ("chaiVideo05", CH, "ravicooks"),
        f"{RAVI}.AAA1": (RAVI, "UCravi_Cooks_00000000001", "chaiandco"),
        f"{RAVI}.AAA2": (RAVI, "UCravi_Cooks_00000000001", "meera.eats"),
        "UgyMeeraB1b2c3d4e5f6g7h8": ("chaiVideo05", CH, "meera.eats"),
    }
    assert posts[RAVI]["replies"] == 2
    accounts = {a["account_id"]: a for a in result["accounts"]}
    assert sorted(accounts) == sorted([CH, "UCravi_Cooks_00000000001", "UCmeera_Eats_00000000002"])
    assert accounts[CH]["followers"] == 5400 and accounts[CH]["collected_at"] is not None


def test_recognised_and_imported(tmp_path):
    assert detect_format(VIDEO).name == "yt-dlp-json"
    assert detect_format(CHANNEL).name == "yt-dlp-json"
    store = Store(tmp_path, "chai")
    report = store.import_file(VIDEO)
    store.import_file(CHANNEL)
    assert report.format == "yt-dlp-json" and report.detected and len(store.posts()) == 5
    # the channel's own row (subscribers) stands, whatever order its rows came in
    accounts = store.accounts().set_index("account_id")
    assert accounts.loc[CH, "followers"] == 5400 and len(accounts) == 3


def test_api_resources_are_recognised():
    api = FIXTURES / "youtube" / "api"
    assert detect_format(api / "videos_page1.json").name == "youtube-api-json"
    result = normalise_file("youtube-api-json", api / "threads_v05_page1.json")
    assert [p["post_id"] for p in result["posts"]] == [RAVI, f"{RAVI}.AAA1", "UgyMeeraB1b2c3d4e5f6g7h8"]
