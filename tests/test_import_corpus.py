"""Every corpus format through ``Store.import_file``, checked against the corpus README's counts.

The corpus (../shared/corpus) holds real files that must never be copied into the repo; these
tests read it in place and skip when it is absent, as on a fresh clone. Expected numbers are
the README's; where the store's table also holds embedded posts (retweeted and quoted
originals), the counts are taken over the ids the file itself lists, read here with plain json.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from research.errors import FormatError
from research.sources import get_format
from research.store import Store
from tests.golden import CORPUS, context

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="../shared/corpus is not present (not part of a fresh clone)"
)
OBSERVED = datetime(2024, 1, 1, tzinfo=UTC)


def _import(tmp_path: Path, relative: str, **options):
    store = Store(tmp_path, "corpus")
    report = store.import_file(CORPUS / relative, options=options or None, observed_at=OBSERVED)
    return store, report, store.posts()


def _subset(posts: pd.DataFrame, ids) -> pd.DataFrame:
    return posts[posts["post_id"].isin(set(ids))]


# --- snscrape -----------------------------------------------------------------------------------


def test_snscrape_ssr(tmp_path):
    _, report, posts = _import(tmp_path, "snscrape-jsonl/ssr_2020-07-30_text-query-tweets.jsonl")
    assert (report.format, report.detected, report.records, len(report.rejected)) == (
        "snscrape-jsonl",
        True,
        500,
        0,
    )
    lines = [json.loads(x) for x in (CORPUS / "snscrape-jsonl/ssr_2020-07-30_text-query-tweets.jsonl").open()]
    own = _subset(posts, [str(t["id"]) for t in lines])
    assert len(own) == 500
    langs = own["lang"].value_counts(dropna=False)
    assert (langs["en"], langs["hi"], own["lang"].isna().sum()) == (400, 36, 33)  # und -> NULL
    assert own["mentions"].map(len).gt(0).sum() == 285
    assert own["quote_of_post_id"].notna().sum() == 85


@pytest.mark.parametrize(
    ("name", "users", "langs"),
    [
        (
            "covid_2021-02-19_multilingual.jsonl",
            934,
            {"en": 592, "es": 203, "pt": 107, "in": 32, "fr": 31, "ru": 3},
        ),
        ("covid_2021-03-19_multilingual.jsonl", 937, {"en": 486, "pt": 274, "es": 159}),
    ],
)
def test_snscrape_covid(tmp_path, name, users, langs):
    _, report, posts = _import(tmp_path, f"snscrape-jsonl/{name}")
    assert report.records == 1000
    ids = [str(json.loads(x)["id"]) for x in (CORPUS / "snscrape-jsonl" / name).open()]
    own = _subset(posts, ids)
    assert len(own) == 1000 and own["author_id"].nunique() == users
    counts = own["lang"].value_counts()
    assert {k: counts[k] for k in langs} == langs


# --- twarc2 -------------------------------------------------------------------------------------


def _twarc_ids(relative: str) -> list[str]:
    ids = []
    for line in (CORPUS / relative).open(encoding="utf-8"):
        try:
            page = json.loads(line)
        except ValueError:
            continue
        data = page.get("data") if "data" in page else [page]
        ids += [
            t["id"]
            for t in (data if isinstance(data, list) else [data])
            if isinstance(t, dict) and "text" in t
        ]
    return ids


def test_twarc_network_blm(tmp_path):
    relative = "twarc2-api-v2-jsonl/twarc-network/blm_2021-06-26_tweets.jsonl"
    _, report, posts = _import(tmp_path, relative)
    assert (report.format, report.records, len(report.rejected)) == ("twarc2-jsonl", 5, 0)
    own = _subset(posts, _twarc_ids(relative))
    assert len(own) == 500
    assert own["repost_of_post_id"].notna().sum() == 367
    assert own["reply_to_post_id"].notna().sum() == 35
    assert own["quote_of_post_id"].notna().sum() == 18
    assert own["author_id"].nunique() == 401
    assert (own["lang"] == "en").sum() == 222 and (own["lang"] == "it").sum() == 203
    # retweets are linked to the retweeted author, for the graph
    assert own.loc[own["repost_of_post_id"].notna(), "repost_of_author_id"].notna().all()
    assert own["collected_at"].min() == pd.Timestamp("2021-06-26T19:56:43Z")  # __twarc.retrieved_at


@pytest.mark.parametrize(
    ("name", "tweets", "checks"),
    [
        ("2sets.jsonl", 200, {"repost_of_post_id": 145, "reply_to_post_id": 10, "quote_of_post_id": 11}),
        ("withheld.jsonl", 215, {"reply_to_post_id": 62}),
        ("brexit.jsonl", 100, {}),
        ("kpop.jsonl", 100, {"ko": 26}),
        ("entities_test.jsonl", 474, {}),
        ("media_policy_violation_on.jsonl", 100, {"ar": 10}),
        ("flat.jsonl", 100, {}),
    ],
)
def test_twarc_files(tmp_path, name, tweets, checks):
    relative = f"twarc2-api-v2-jsonl/{name}"
    _, report, posts = _import(tmp_path, relative)
    own = _subset(posts, _twarc_ids(relative))
    assert len(own) == tweets and not report.rejected
    for key, expected in checks.items():
        got = own[key].notna().sum() if key in own.columns else (own["lang"] == key).sum()
        assert got == expected, key


def test_twarc_stream_with_a_malformed_line(tmp_path):
    _, report, _ = _import(tmp_path, "twarc2-api-v2-jsonl/streaming_output_with_error.jsonl")
    assert report.records == 7 and [r.line for r in report.rejected] == [8]
    assert "not valid JSON" in report.rejected[0].reason


def test_twarc_users_become_accounts(tmp_path):
    store, report, posts = _import(tmp_path, "twarc2-api-v2-jsonl/users.jsonl")
    assert posts.empty and report.records == 1
    assert len(store.accounts()) == 91  # 96 user objects, 91 distinct ids


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("counts.jsonl", "tweet-counts"),
        ("tweets_compliance.jsonl", "compliance"),
        ("users_compliance.jsonl", "compliance"),
        ("lists.jsonl", "Lists"),
        ("empty.json", "empty"),
    ],
)
def test_twarc_files_without_tweets_are_refused_with_a_sentence(tmp_path, name, phrase):
    with pytest.raises(FormatError, match=phrase):
        _import(tmp_path, f"twarc2-api-v2-jsonl/{name}")


def test_failed_import_leaves_processed_data_as_it_was(tmp_path):
    store, _, _ = _import(tmp_path, "twarc2-api-v2-jsonl/brexit.jsonl")
    before = store.posts_path.read_bytes()
    with pytest.raises(FormatError):
        store.import_file(CORPUS / "twarc2-api-v2-jsonl/counts.jsonl", observed_at=OBSERVED)
    assert store.posts_path.read_bytes() == before


# --- Reddit, Facebook ---------------------------------------------------------------------------


def test_reddit_thread(tmp_path):
    _, report, posts = _import(
        tmp_path, "reddit-thread-raw-json/austinfood_1g1dspf_best_special_in_austin.json"
    )
    assert (report.format, report.records) == ("reddit-json", 1)
    kinds = posts["post_id"].str[:3].value_counts()
    assert (kinds["t3_"], kinds["t1_"]) == (1, 182)
    comments = posts[posts["post_id"].str.startswith("t1_")]
    # 104 distinct author names, one of them "[deleted]" (no id, no handle)
    assert comments["author_handle"].nunique() == 103 and comments["author_handle"].isna().any()
    parent = dict(zip(posts["post_id"], posts["reply_to_post_id"], strict=True))

    def depth(post_id):
        steps = 0
        while parent.get(post_id) and parent[post_id].startswith("t1_"):
            post_id, steps = parent[post_id], steps + 1
        return steps

    assert max(depth(p) for p in comments["post_id"]) == 8
    assert comments["reply_to_post_id"].notna().all()


def test_facebook_scraper(tmp_path):
    _, report, posts = _import(tmp_path, "facebook-scraper-straitstimes/the_straits_times_fb.csv")
    assert (report.format, report.records, len(report.rejected)) == ("facebook-scraper-csv", 38, 0)
    top = posts[posts["reply_to_post_id"].isna()]
    assert len(top) == 38
    assert posts.loc[posts["reply_to_post_id"].isin(top["post_id"]), "reply_to_post_id"].nunique() == 32
    # README: 2021-11-19 11:25 to 2021-11-20 00:15 (Singapore time, UTC+8)
    assert top["created_at"].min().floor("min") == pd.Timestamp("2021-11-19T03:25:00Z")
    assert top["created_at"].max().floor("min") == pd.Timestamp("2021-11-19T16:15:00Z")
    comments = posts[posts["reply_to_post_id"].notna()]
    assert comments["created_at"].notna().all() and comments["author_id"].notna().all()


@pytest.mark.parametrize(
    "name", ["dataset_Facebook.csv", "dataset_Facebook_rsw0-semicolon-renamed-headers.csv"]
)
def test_facebook_insights(tmp_path, name):
    _, report, posts = _import(tmp_path, f"facebook-brand-page-metrics-uci/{name}")
    assert (report.format, report.records, len(posts)) == ("generic-csv", 500, 500)
    assert posts["likes"].isna().sum() + posts["reposts"].isna().sum() == 5  # 4 rows lack like or share
    assert posts["text"].isna().all() and posts["created_at"].isna().all()  # the file has neither


# --- generic CSV layouts --------------------------------------------------------------------------

NETBALL_TEAMS = {"melbournevixens": 141, "nswswifts": 103, "firebirdsqld": 86, "collingwoodsn": 74,
                 "sc_lightning": 65, "giants_netball": 46, "adelaidetbirds": 34, "westcoastfever": 27}  # fmt: skip


def test_netball_team_tweets(tmp_path):
    _, report, posts = _import(
        tmp_path, "netball-teams-competitor/somethingAboutRiddlesAndFruit_teamTweets.csv"
    )
    assert (report.format, report.records, len(posts)) == ("generic-csv", 576, 576)
    assert posts["author_handle"].value_counts().to_dict() == NETBALL_TEAMS
    # local +10:00/+11:00 offsets converted: the file's first row is 2021-10-04 13:43:57+11:00
    row = posts.set_index("post_id").loc["1444855783418593283"]
    assert row["created_at"] == pd.Timestamp("2021-10-04T02:43:57Z")


def test_netball_hashtag_tweets(tmp_path):
    _, report, posts = _import(tmp_path, "netball-teams-competitor/somethingAboutRiddlesAndFruit.csv")
    assert (report.records, len(posts)) == (1552, 1552)
    day = posts["created_at"].dt.tz_convert("UTC").dt.date
    assert str(day.min()) == "2021-09-07" and str(day.max()) == "2021-10-08"
    assert posts["hashtags"].map(lambda h: "ssntrade" in h or "ssnsignings" in h).mean() > 0.9


def test_hindi_timeline(tmp_path):
    _, report, posts = _import(tmp_path, "indian-politician-tweets-hindi/tweets.csv", author="arvindkejriwal")
    assert report.records + len(report.rejected) == 12063
    mangled = [r for r in report.rejected if "mangled into a float" in r.reason]
    assert len(mangled) == 59 and len(report.rejected) == 60  # + one "CHECK,CHECK,Self,CHECK" row
    assert len(posts) == 10655  # some tweets are listed twice
    assert posts["created_at"].min().year == 2015 and posts["created_at"].max().year == 2017
    assert posts["text"].str.contains(r"[\u0900-\u097F]").sum() > 2000


def test_troll_csv_needs_a_timezone(tmp_path):
    with pytest.raises(FormatError, match="--timezone"):
        _import(tmp_path, "russian-troll-tweets-sample/tweets/10_gop.csv")
    _, report, posts = _import(tmp_path, "russian-troll-tweets-sample/tweets/10_gop.csv", timezone="UTC")
    assert report.records == 372 and posts["post_id"].str.startswith("derived:").all()


def test_troll_sample_all_files():
    # 422 files through the reader and normaliser (the store's merge per file would make this slow)
    fmt, ctx = get_format("generic-csv"), context("generic-csv", {"timezone": "UTC"})
    records, langs = 0, Counter()
    for path in sorted((CORPUS / "russian-troll-tweets-sample" / "tweets").glob("*.csv")):
        for record in fmt.read(path, ctx.options):
            post = fmt.normalize(record.data, ctx).posts[0]
            records += 1
            langs[post["lang"]] += 1
    assert records == 129386
    assert (langs["en"], langs["ru"], langs["uk"], langs["it"], langs["ar"]) == (
        94142,
        21384,
        1380,
        3018,
        523,
    )


def test_non_post_tables_are_refused_with_a_sentence(tmp_path):
    with pytest.raises(FormatError, match="columns not recognised"):
        _import(tmp_path, "russian-troll-tweets-sample/authors.csv")
