"""Audience profile against planted truth: who engages, overlap, hours, languages, sentiment, sizes."""

from __future__ import annotations

import pandas as pd
import pytest

from research.analyses.audience import (
    SIZE_BANDS,
    WEEKDAYS,
    account_sizes,
    audience_activity,
    audience_exclusivity,
    audience_languages,
    audience_overlap,
    audience_sentiment,
    engaged_audience,
)
from research.errors import InputError
from research.schema import accounts_frame, posts_frame
from tests.test_graph import BRANDS

T0 = pd.Timestamp("2026-08-03 04:30", tz="UTC")  # a Monday, 10:00 in Asia/Kolkata


def post(pid, author, platform="twitter", minutes=0, **kw):
    row = {"platform": platform, "post_id": str(pid), "author_id": f"id-{author}", "author_handle": author}
    return {**row, "created_at": T0 + pd.Timedelta(minutes=minutes), **kw}


def overlap_world():
    """Brew Bros: fans b0..b9 (+ shared s0..s2); Kettle Kings: k0..k4 on twitter, k5, k6 on bluesky (+ shared)."""
    rows, pid = [], 0
    for i in range(10):
        pid += 1
        rows.append(post(pid, f"b{i}", mentions=["brewbros"], lang="en"))
    for i in range(5):
        pid += 1
        rows.append(post(pid, f"k{i}", reply_to_author_id="id-kettlekings", lang="hi"))
    for i in (5, 6):
        pid += 1
        rows.append(post(pid, f"k{i}", platform="bluesky", mentions=["kettlekings.bsky.social"], lang="ru"))
    for i in range(3):
        pid += 1
        rows.append(post(pid, f"s{i}", mentions=["brewbros", "kettlekings"], lang="en"))
    rows += [
        post(90, "brewbros", text="hi"),
        post(91, "kettlekings", text="hi"),
        post(92, "kettlekings", mentions=["brewbros"]),  # a brand is not audience
        post(93, "b0", repost_of_author_id="id-brewbros", minutes=60 * 24),  # Tuesday 10:00 local
        post(94, "nobody", mentions=["someoneelse"]),
    ]
    return posts_frame(rows)


@pytest.fixture(scope="module")
def engaged():
    return engaged_audience(overlap_world(), BRANDS)


def test_engaged_audience_counts_kinds_across_platforms(engaged):
    assert list(engaged.columns) == [
        "brand", "account", "platform", "handle", "interactions", "reply", "mention", "repost", "quote",
        "first_at", "last_at",
    ]  # fmt: skip
    sizes = engaged.groupby("brand").size().to_dict()
    assert sizes == {"Brew Bros": 13, "Kettle Kings": 10}
    assert "twitter:kettlekings" not in set(engaged["account"])
    b0 = engaged[(engaged["brand"] == "Brew Bros") & (engaged["account"] == "twitter:b0")].iloc[0]
    assert (b0["interactions"], b0["mention"], b0["repost"]) == (2, 1, 1)
    assert b0["last_at"] - b0["first_at"] == pd.Timedelta(days=1)
    kettle = engaged[engaged["brand"] == "Kettle Kings"]
    assert set(kettle["platform"]) == {"twitter", "bluesky"} and kettle["reply"].sum() == 5
    assert engaged["brand"].iloc[0] == "Brew Bros"  # the client first


def test_overlap_and_exclusivity_are_exact(engaged):
    pair = audience_overlap(engaged, BRANDS).iloc[0]
    assert (pair["brand_a"], pair["brand_b"], pair["audience_a"], pair["audience_b"], pair["shared"]) == (
        "Brew Bros", "Kettle Kings", 13, 10, 3,
    )  # fmt: skip
    assert pair["jaccard"] == pytest.approx(3 / 20) and pair["share_of_a"] == pytest.approx(3 / 13)
    excl = audience_exclusivity(engaged, BRANDS).set_index("brand")
    assert excl.loc["Brew Bros", "exclusive"] == 10 and excl.loc[
        "Kettle Kings", "exclusive_share"
    ] == pytest.approx(0.7)
    three = BRANDS + [type(BRANDS[0])("Masala", "competitor", (("twitter", "masala"),))]
    assert len(audience_overlap(engaged, three)) == 3  # a brand nobody engaged still gets its pairs
    assert audience_exclusivity(engaged, three).set_index("brand").loc["Masala", "audience"] == 0


def test_activity_is_in_the_clients_timezone(engaged):
    posts = overlap_world()
    grid = audience_activity(posts, engaged, "Asia/Kolkata")
    assert grid.shape == (7, 24) and list(grid.index) == list(WEEKDAYS)
    assert grid.loc["Mon", 10] == 20 and grid.loc["Tue", 10] == 1 and grid.to_numpy().sum() == 21
    utc = audience_activity(posts, engaged, "UTC", brand="Kettle Kings")
    assert utc.loc["Mon", 4] == 10 and utc.to_numpy().sum() == 10
    with pytest.raises(InputError, match="timezone"):
        audience_activity(posts, engaged, "Mars/Olympus")


def test_languages_one_per_account(engaged):
    posts = pd.concat([overlap_world(), posts_frame([post(95, "s0", lang="fr"), post(96, "s0", lang="fr")])])
    langs = audience_languages(posts.reset_index(drop=True), engaged).set_index(["brand", "lang"])
    assert (
        langs.loc[("Kettle Kings", "hi"), "accounts"] == 5
        and langs.loc[("Kettle Kings", "ru"), "accounts"] == 2
    )
    assert langs.loc[("Brew Bros", "fr"), "accounts"] == 1  # s0 writes French more than English
    assert langs.loc[("Brew Bros", "en"), "share"] == pytest.approx(12 / 13)


def test_sentiment_toward_each_brand():
    posts = posts_frame(
        [
            post(1, "a", mentions=["brewbros"]),
            post(2, "b", reply_to_author_id="id-brewbros"),
            post(3, "c", mentions=["brewbros", "kettlekings"]),
            post(4, "d", quote_of_author_id="id-kettlekings"),
            # a repost carries the brand's own words
            post(5, "e", repost_of_author_id="id-brewbros", mentions=["brewbros"]),
            post(6, "brewbros", mentions=["kettlekings"]),  # a brand is not audience
            post(7, "kettlekings", text="x"),
            post(8, "brewbros", text="x"),
            post(9, "f", mentions=["brewbros"]),
        ]
    )
    labels = pd.Series(
        ["positive", "negative", "positive", "neutral", "negative", "negative", None, None, pd.NA]
    )
    given = pd.DataFrame({"sentiment": labels, "score": 0.0})
    out = audience_sentiment(posts, BRANDS, sentiment=given).set_index("brand")
    assert out.loc["Brew Bros", ["posts", "scored", "positive", "negative"]].tolist() == [4, 3, 2, 1]
    assert out.loc["Brew Bros", "net"] == pytest.approx(1 / 3)
    assert out.loc["Kettle Kings", ["posts", "positive", "neutral", "negative"]].tolist() == [2, 1, 1, 0]
    with pytest.raises(InputError, match="aligned"):
        audience_sentiment(posts, BRANDS, sentiment=labels.iloc[:3])


def test_account_sizes_by_band(engaged):
    accounts = accounts_frame(
        [{"platform": "twitter", "account_id": f"id-b{i}", "handle": f"b{i}", "followers": f}
         for i, f in enumerate([5, 150, 150, 2_000, 50_000, 2_000_000])]
        + [{"platform": "twitter", "account_id": "id-b6", "handle": "b6"}]  # profile without a count
    )  # fmt: skip
    sizes = account_sizes(accounts, engaged)
    brew = sizes[sizes["brand"] == "Brew Bros"].set_index("band")
    assert list(brew.index) == [name for _, name in SIZE_BANDS] + ["unknown"]
    assert brew["accounts"].tolist() == [1, 2, 1, 1, 0, 1, 7]
    assert brew.loc["100-1k", "share"] == pytest.approx(2 / 6) and pd.isna(brew.loc["unknown", "share"])


# --- the demo world --------------------------------------------------------------------------------


def test_demo_planted_overlap_is_measured_exactly(demo):
    tz = demo.params.timezone
    start = pd.Timestamp(demo.params.period.start).tz_localize(tz)
    end = (pd.Timestamp(demo.params.period.end) + pd.Timedelta(days=1)).tz_localize(tz)
    posts = demo.posts[(demo.posts["created_at"] >= start) & (demo.posts["created_at"] < end)]
    engaged = engaged_audience(posts, demo.brands, accounts=demo.accounts)
    planted = demo.truth["overlap"]
    assert engaged.groupby("brand").size().to_dict() == planted["engaged"]
    pairs = audience_overlap(engaged, demo.brands)
    for row in pairs.itertuples():
        truth = planted["pairs"][f"{row.brand_a} & {row.brand_b}"]
        assert (row.shared, round(row.jaccard, 4)) == (truth["shared"], truth["jaccard"])
    a, b = planted["brands"]
    pair = pairs[(pairs["brand_a"] == a) & (pairs["brand_b"] == b)].iloc[0]
    assert pair["shared"] == planted["shared"]
