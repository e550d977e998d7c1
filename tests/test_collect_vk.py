"""The ``vk`` collector against a real server on 127.0.0.1 serving VK API v5.199 answers.

The wall of the community chaiandco_pune (owner -211111111) has 4 posts on 2 wall.get pages
(3 + 1): 130 (pinned, from January, no comments), 152 (7 comments: 153 with a thread of 2
carried inline, 156 with a thread of 3 of which 1 is inline, so wall.getComments with
comment_id=156 fetches the rest), 151 (a repost of Brew Bros' post -222222222_77; its comments
are closed: error 15) and 140 (a suggested post by user 1004, 1 comment). That is 4 posts + 1
context row + 8 comments = 13 post rows, 6 accounts, 5 raw records (answers) from 6 calls.
"""

import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from research import sources
from research.cli import main
from research.sources.collect import Query
from research.sources.http import Pacer, Policy
from research.sources.vk_api import FATAL, RETRY, SKIP, VKCollector, classify
from research.store import Store
from tests.recorded_server import Recorded, RecordedServer, fixture

TOKEN = "vk1.a.TEST-token-never-stored-0123456789"
OWNER = "-211111111"
WALL, COMMENTS = "/method/wall.get", "/method/wall.getComments"
FAST = Policy(connect_timeout=2, read_timeout=2, retries=3, backoff=0.001, backoff_max=0.01, min_interval=0)
POSTS = [f"{OWNER}_130", f"{OWNER}_152", f"{OWNER}_151", f"{OWNER}_140", "-222222222_77"]
REPLIES = {  # comment -> (what it replies to, the author it answers)
    "153": (f"{OWNER}_152", None),
    "154": (f"{OWNER}_152_153", "1001"),
    "155": (f"{OWNER}_152_153", "1001"),
    "156": (f"{OWNER}_152", None),
    "157": (f"{OWNER}_152_156", "1003"),
    "158": (f"{OWNER}_152_156", "1003"),
    "159": (f"{OWNER}_152_156", None),
}


def vk(name):
    return Recorded(fixture("vk", name))


def routes(**override):
    table = {
        f"{WALL}?offset=0": [vk("wall_page1.json")],
        f"{WALL}?offset=3": [vk("wall_page2.json")],
        f"{COMMENTS}?post_id=152": [vk("comments_152.json")],
        f"{COMMENTS}?post_id=152&comment_id=156": [vk("thread_156.json")],
        f"{COMMENTS}?post_id=151": [vk("error_15.json")],
        f"{COMMENTS}?post_id=140": [vk("comments_140.json")],
    }
    table.update(override)
    return {k if k.startswith("/") else f"/method/{k}": v for k, v in table.items()}


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path, "chai")


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("VK_TOKEN", TOKEN)


def collector(server, **kwargs):
    return VKCollector(
        base_url=server.url + "/method/", policy=kwargs.pop("policy", FAST), pacer=Pacer(), **kwargs
    )


def wall(c, name="chaiandco_pune"):
    return c.make_targets([name], [], None)[0]


def assert_complete(store):
    posts = store.posts().set_index("post_id")
    comments = {f"{OWNER}_152_{c}" for c in REPLIES} | {f"{OWNER}_140_161"}
    assert set(posts.index) == set(POSTS) | comments and len(posts) == 13
    assert posts.loc[f"{OWNER}_152", ["author_id", "author_handle", "likes", "reposts", "replies", "views"]].tolist() == [
        OWNER, "chaiandco_pune", 120, 8, 7, 4300,
    ]  # fmt: skip
    assert posts.loc[f"{OWNER}_152", "media_type"] == "album" and posts.loc[f"{OWNER}_152", "hashtags"] == [
        "chai",
        "пуна",
    ]
    assert posts.loc[f"{OWNER}_151", ["repost_of_post_id", "repost_of_author_id"]].tolist() == [
        "-222222222_77",
        "-222222222",
    ]
    shared = posts.loc["-222222222_77"]
    assert shared["author_handle"] == "brewbros_vk" and shared.isna()[["likes", "reposts", "views"]].all()
    assert posts.loc[f"{OWNER}_140", ["author_id", "author_handle"]].tolist() == ["1004", "id1004"]
    for comment, (parent, author) in REPLIES.items():
        row = posts.loc[f"{OWNER}_152_{comment}"]
        assert row["reply_to_post_id"] == parent, comment
        assert (None if row.isna()["reply_to_author_id"] else row["reply_to_author_id"]) == author, comment
    assert posts.loc[f"{OWNER}_152_154", ["author_id", "author_handle"]].tolist() == [OWNER, "chaiandco_pune"]
    assert posts.loc[f"{OWNER}_140_161", "reply_to_post_id"] == f"{OWNER}_140"
    accounts = store.accounts().set_index("account_id")
    assert sorted(accounts.index) == sorted([OWNER, "-222222222", "1001", "1002", "1003", "1004"])
    assert accounts.loc[OWNER, ["handle", "followers"]].tolist() == ["chaiandco_pune", 8450]
    assert accounts.loc["1001", ["handle", "name"]].tolist() == ["anya_k", "Аня Котова"]


def assert_no_token(workspace):
    for path in Path(workspace).rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_a_wall_its_comments_and_their_threads(store):
    with RecordedServer(routes()) as server:
        c = collector(server)
        report = c.collect_target(store, wall(c), Query())
        hits = list(server.hits)
    assert (report.error, report.fetched, report.pages, report.records) == (None, 4, 6, 5)
    assert [
        (h.path.rsplit("/", 1)[1], h.params.get("post_id"), h.params.get("comment_id")) for h in hits
    ] == [
        ("wall.get", None, None),
        ("wall.getComments", "152", None),
        ("wall.getComments", "152", "156"),
        ("wall.getComments", "151", None),
        ("wall.get", None, None),
        ("wall.getComments", "140", None),
    ]
    assert hits[0].params == {
        "domain": "chaiandco_pune", "offset": "0", "count": "100", "extended": "1",
        "fields": "screen_name,members_count,followers_count,verified", "v": "5.199", "access_token": TOKEN,
    }  # fmt: skip
    assert hits[1].params["thread_items_count"] == "10" and hits[1].params["need_likes"] == "1"
    assert hits[4].params["offset"] == "3"
    assert report.notes == [f"comments of {OWNER}_151: error 15 (Access denied: post comments are closed)"]
    assert_complete(store)
    provenance = store.runs()[0]
    assert provenance["format"] == "vk-api-json" and provenance["origin"] == "https://vk.com/chaiandco_pune"
    assert all("access_token" not in p["url"] for p in provenance["pages"])
    assert_no_token(store.workspace)
    before = store.posts()
    assert store.renormalise() == (13, 6) and store.posts().equals(before)


def test_in_band_rate_limits_429_and_5xx_are_retried(store):
    slept = []
    with RecordedServer(
        routes(
            **{
                f"{WALL}?offset=3": [vk("error_10.json"), Recorded("", 502), Recorded("", 429, {"Retry-After": "2"}),
                                      vk("wall_page2.json")],
                f"{COMMENTS}?post_id=152": [vk("error_6.json"), vk("comments_152.json")],
            }
        )
    ) as server:  # fmt: skip
        c = collector(server, sleep=slept.append)
        report = c.collect_target(store, wall(c), Query())
        assert server.count(WALL, offset="3") == 4 and server.count(COMMENTS, post_id="152") == 3
    assert report.error is None and report.waits == 4 and 2.0 in slept
    assert_complete(store)


def test_a_refused_token_stops_the_run_in_one_sentence(store, capsys, monkeypatch):
    with RecordedServer({WALL: [vk("error_5.json")]}) as server:
        monkeypatch.setitem(sources.COLLECTORS, "vk", collector(server))
        status = main(
            ["collect", "--client", "chai", "--source", "vk", "--account", "chaiandco_pune", "--account", "-1",
             "--workspace", str(store.workspace)]
        )  # fmt: skip
        assert server.count(WALL) == 1  # the second wall is not tried
    err = capsys.readouterr().err.strip()
    assert status == 1 and "\n" not in err
    assert err.startswith(
        "vk @chaiandco_pune: failed: VK refused the token in VK_TOKEN (error 5 (User authorization failed: "
        "invalid access_token (4).)); create a new one and set it again ("
    )
    assert TOKEN not in err


def test_a_private_wall_is_skipped_with_the_reason(store):
    with RecordedServer({WALL: [vk("error_30.json")]}) as server:
        c = collector(server)
        report = c.collect_target(store, wall(c, "secret_user"), Query())
    assert report.skipped and report.error is None
    assert (
        report.summary()
        == "vk @secret_user: skipped: VK does not show the wall of secret_user: error 30 (This profile is private)"
    )


def test_a_missing_token_names_vk_token(capsys, monkeypatch):
    monkeypatch.delenv("VK_TOKEN")
    monkeypatch.delenv("YOUTUBE_API_KEY", raising=False)
    assert main(["collect", "--client", "chai", "--source", "vk", "--account", "apiclub"]) == 2
    assert capsys.readouterr().err.startswith("research: error: collector 'vk' needs VK_TOKEN (vk.com/apps")
    assert main(["formats"]) == 0
    listed = {
        line.split()[0]: line.split()[1] for line in capsys.readouterr().out.splitlines()[1:] if line.strip()
    }
    assert [listed[f] for f in ("youtube-api-json", "yt-dlp-json", "vk-api-json", "instaloader-json")] == [
        "works"
    ] * 4
    assert (listed["vk"], listed["youtube"], listed["reddit"]) == ("needs", "needs", "works")


def test_the_window_skips_an_old_pinned_post_without_ending_the_walk(store):
    with RecordedServer(routes()) as server:
        c = collector(server)
        report = c.collect_target(store, wall(c), Query.from_dates(date(2026, 9, 15), None))
        assert server.count(WALL) == 2  # the walk ends at post 140 (2026-09-10), not at the pinned 130
    assert report.fetched == 2 and f"{OWNER}_130" not in set(store.posts()["post_id"])
    assert len(store.posts()) == 2 + 1 + 7  # 152 and 151, 151's shared post, 152's comments


def test_owner_ids_and_links_as_targets():
    c = VKCollector()
    targets = c.make_targets(["https://vk.com/ChaiAndCo_Pune", "-1", "club1", "id5", "@apiclub"], [], None)
    assert [t.value for t in targets] == ["chaiandco_pune", "-1", "club1", "id5", "apiclub"]
    assert [c.origin(t) for t in targets] == [
        "https://vk.com/chaiandco_pune", "https://vk.com/wall-1", "https://vk.com/wall-1", "https://vk.com/wall5",
        "https://vk.com/apiclub",
    ]  # fmt: skip


KILLED_AT_PAGE = {f"{WALL}?offset=3": [Recorded("", 503)]}


def test_a_run_failing_after_page_four_resumes_without_duplicates(store):
    with RecordedServer(routes(**KILLED_AT_PAGE)) as server:
        c = collector(server)
        failed = c.collect_target(store, wall(c), Query())
        assert (
            failed.error.startswith("127.0.0.1")
            and "answered 503 (server error) 4 times in a row" in failed.error
        )
        assert len(store.posts()) == 3 + 1 + 7  # page 1 and its comments are stored
        server.add(f"{WALL}?offset=3", vk("wall_page2.json"))
        resumed = collector(server).collect_target(store, wall(c), Query())
        assert (
            server.count(COMMENTS, post_id="152") == 2 and server.count(WALL, offset="0") == 1
        )  # top + thread
    assert resumed.resumed and (resumed.fetched, resumed.records) == (4, 2)
    assert_complete(store)
    assert_no_token(store.workspace)


# --- VK's error answers, whatever they hold --------------------------------------------------------

ERRORS = st.fixed_dictionaries(
    {"error_code": st.one_of(st.sampled_from(sorted(RETRY | FATAL | SKIP | {1, 8, 14, 113})), st.integers())},
    optional={
        "error_msg": st.text(max_size=40),
        "request_params": st.lists(
            st.fixed_dictionaries({"key": st.text(max_size=8), "value": st.text(max_size=8)})
        ),
        "captcha_sid": st.text(max_size=8),
    },
)


@settings(max_examples=40, deadline=None)
@given(error=st.one_of(ERRORS, st.text(max_size=10), st.integers(), st.none()))
def test_any_error_answer_is_retried_skipped_or_reported_never_a_crash(error):
    kind = classify(error)
    with RecordedServer({WALL: [Recorded({"error": error})]}) as server, tempfile.TemporaryDirectory() as tmp:
        c = collector(server)
        report = c.collect_target(Store(tmp, "chai"), wall(c), Query())
        calls = server.count(WALL)
    assert calls == (FAST.retries + 1 if kind == "retry" else 1)
    if kind == "skip":
        assert report.skipped and report.error is None and "VK does not show the wall" in report.note
    else:
        assert report.error and not report.skipped
        assert report.stopped == (kind == "fatal")
        assert ("VK_TOKEN" in report.error) == (kind == "fatal")
        assert "expected shape" not in report.error  # understood, not a KeyError
        if kind == "retry":
            assert "times in a row" in report.error
    assert TOKEN not in (report.error or "") + (report.note or "")


def test_collected_answers_import_as_vk_api_json(store, tmp_path):
    saved = tmp_path / "wall.json"
    saved.write_text(json.dumps(fixture("vk", "wall_page1.json")), encoding="utf-8")
    report = store.import_file(saved)
    assert report.format == "vk-api-json" and report.posts == 4
