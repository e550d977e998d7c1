"""Telegram Desktop export (result.json)."""

from __future__ import annotations

import json

from research.sources import detect_format
from tests.golden import FIXTURES, assert_golden, check_fixture, normalise_file

FIXTURE = FIXTURES / "telegram" / "result.json"


def test_golden_with_channel_and_timezone():
    result = normalise_file("telegram-export", FIXTURE, {"channel": "ChaiAndCo", "timezone": "Asia/Kolkata"})
    assert_golden(result, FIXTURE.with_name("result_channel.expected.json"))


def test_golden_plain():
    check_fixture("telegram-export", FIXTURE)


def test_naive_date_without_timezone_is_refused_with_a_sentence():
    result = normalise_file("telegram-export", FIXTURE)
    assert [r["line"] for r in result["rejected"]] == [5]
    assert "--timezone" in result["rejected"][0]["reason"]
    posts = {p["post_id"]: p for p in result["posts"]}
    assert posts["1712345678/2"]["likes"] == 17 and posts["1712345678/2"]["hashtags"] == ["chai"]
    assert posts["1712345678/3"]["reply_to_author_id"] == "channel1712345678"
    assert posts["1712345678/3"]["text"] == "Masala or ginger?"


def test_full_account_export(tmp_path):
    chat = json.loads(FIXTURE.read_text(encoding="utf-8"))
    path = tmp_path / "result.json"
    path.write_text(
        json.dumps({"about": "x", "personal_information": {}, "chats": {"about": "y", "list": [chat]}})
    )
    assert detect_format(path).name == "telegram-export"
    assert normalise_file("telegram-export", path)["records"] == 4


def test_recognised():
    assert detect_format(FIXTURE).name == "telegram-export"
