"""Reddit .json listing: post and the whole comment tree."""

from __future__ import annotations

from research.sources import detect_format
from tests.golden import FIXTURES, check_fixture, normalise_file

FIXTURE = FIXTURES / "reddit" / "thread.json"


def test_golden():
    check_fixture("reddit-json", FIXTURE)


def test_tree_linkage_any_depth():
    posts = {p["post_id"]: p for p in normalise_file("reddit-json", FIXTURE)["posts"]}
    assert len(posts) == 5
    deep = posts["t1_l1ccccc"]
    assert (deep["reply_to_post_id"], deep["reply_to_author_id"], deep["author_id"]) == (
        "t1_l1bbbbb",
        "t2_ccc333",
        None,
    )
    assert posts["t1_l1bbbbb"]["likes"] == 0  # net score -3 floored
    assert posts["t1_l1bbbbb"]["replies"] == 3  # one loaded reply + two in a "more" stub
    assert posts["t1_l1aaaaa"]["mentions"] == ["brewbros_official"]
    assert posts["t3_1x2y3z"]["replies"] == 5 and posts["t3_1x2y3z"]["reposts"] == 1


def test_recognised():
    assert detect_format(FIXTURE).name == "reddit-json"
