"""Zeeschuimer NDJSON and 4CAT exports."""

from __future__ import annotations

import pytest

from research.sources import detect_format
from tests.golden import FIXTURES, check_fixture, normalise_file

CASES = [
    ("zeeschuimer-ndjson", FIXTURES / "zeeschuimer" / "items.ndjson"),
    ("fourcat-ndjson", FIXTURES / "fourcat" / "items.ndjson"),
    ("fourcat-csv", FIXTURES / "fourcat" / "export.csv"),
]


@pytest.mark.parametrize(("fmt", "path"), CASES, ids=[c[0] for c in CASES])
def test_golden(fmt, path):
    check_fixture(fmt, path)


@pytest.mark.parametrize(("fmt", "path"), CASES, ids=[c[0] for c in CASES])
def test_recognised(fmt, path):
    assert detect_format(path).name == fmt


def test_zeeschuimer_platforms():
    result = normalise_file("zeeschuimer-ndjson", CASES[0][1])
    posts = {p["post_id"]: p for p in result["posts"]}
    assert posts["3391234567890123456"]["media_type"] == "album"
    assert posts["7379000000000000001"]["saves"] == 310
    retweet = posts["1801000000000000002"]
    assert (retweet["repost_of_post_id"], retweet["repost_of_author_id"]) == ("1800990000000000001", "1002")
    assert retweet["collected_at"].isoformat() == "2024-06-10T06:16:40+00:00"  # timestamp_collected
    assert "linkedin.com" in result["rejected"][0]["reason"]


def test_fourcat_csv_falls_back_to_timestamp_and_leaves_missing_counts_null():
    posts = {p["post_id"]: p for p in normalise_file("fourcat-csv", CASES[2][1])["posts"]}
    second = posts["7379000000000000010"]
    assert second["created_at"].isoformat() == "2024-06-08T08:00:00+00:00"
    assert (second["likes"], second["replies"], second["reposts"]) == (None, 7, None)
    assert second["platform"] == "tiktok"
