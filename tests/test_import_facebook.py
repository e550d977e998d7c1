"""facebook_scraper CSV: posts and the Python-repr comments_full column."""

from __future__ import annotations

import pytest

from research.sources import detect_format
from research.sources.facebook import parse_python_literal
from tests.golden import FIXTURES, check_fixture, normalise_file

FIXTURE = FIXTURES / "facebook" / "facebook_scraper.csv"


def test_golden():
    check_fixture("facebook-scraper-csv", FIXTURE)


def test_comments_and_replies_with_local_times():
    result = normalise_file("facebook-scraper-csv", FIXTURE)
    posts = {p["post_id"]: p for p in result["posts"]}
    reply = posts["5550001002"]
    assert (reply["reply_to_post_id"], reply["reply_to_author_id"], reply["likes"]) == (
        "5550001001",
        "100004444",
        3,
    )
    # time 18:30 local vs timestamp 13:00 UTC: the scraper ran at +05:30, so 19:10 local is 13:40 UTC
    assert reply["created_at"].isoformat() == "2024-06-10T13:40:00+00:00"
    assert posts["5550002"]["media_type"] == "video" and posts["5550002"]["views"] == 4300


def test_code_in_a_repr_is_refused_not_run():
    reasons = {r["line"]: r["reason"] for r in normalise_file("facebook-scraper-csv", FIXTURE)["rejected"]}
    assert "Call is not allowed" in reasons[10]
    assert "mangled into a float" in reasons[11]


@pytest.mark.parametrize(
    "text",
    ["__import__('os')", "datetime.datetime.now()", "open('x')", "[1, 2][0]", "datetime.datetime(2020, x)"],
)
def test_parse_python_literal_refuses_anything_but_literals(text):
    with pytest.raises(ValueError):
        parse_python_literal(text)


def test_recognised():
    assert detect_format(FIXTURE).name == "facebook-scraper-csv"
