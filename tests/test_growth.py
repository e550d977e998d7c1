"""Account history in the store, and follower growth read from it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from research.analyses.growth import follower_growth, follower_series
from research.analyses.metrics import Period
from research.brands import Brand
from research.store import Store
from research.store.history import HISTORY_COLUMNS

PERIOD = Period(date(2026, 8, 1), date(2026, 10, 29), "Asia/Kolkata")
BRANDS = [
    Brand("Chai & Co", "client", (("twitter", "chaiandco"), ("bluesky", "chaiandco.bsky.social"))),
    Brand("Brew Bros", "competitor", (("twitter", "brewbros"),)),
]


def tweet(tid: int, user: str, uid: int, followers: int) -> dict:
    return {"_type": "snscrape.modules.twitter.Tweet", "url": f"https://twitter.com/{user}/status/{tid}",
            "date": "2026-08-05T10:00:00+00:00", "rawContent": f"post {tid}", "id": tid,
            "user": {"_type": "snscrape.modules.twitter.User", "username": user, "id": uid, "displayname": user,
                     "followersCount": followers, "friendsCount": 300, "statusesCount": 4000 + tid,
                     "created": "2015-01-01T00:00:00+00:00"},
            "replyCount": 0, "retweetCount": 0, "likeCount": 5, "quoteCount": 0, "conversationId": tid,
            "lang": "en"}  # fmt: skip


def users_page(retrieved: str, counts: dict[str, int]) -> dict:
    """A twarc2 ``users`` lookup line, stamped with when twarc fetched it."""
    data = [{"id": str(uid), "username": name, "name": name, "created_at": "2015-01-01T00:00:00.000Z",
             "public_metrics": {"followers_count": n, "following_count": 300, "tweet_count": 4000}}
            for (name, uid), n in counts.items()]  # fmt: skip
    return {"data": data, "__twarc": {"url": "https://api.twitter.com/2/users/by", "version": "2.14.0",
                                      "retrieved_at": retrieved}}  # fmt: skip


def write_jsonl(path: Path, lines) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    """Two snscrape exports a month apart and a twarc2 lookup with two stamped lines."""
    s = Store(tmp_path / "ws", "cafe")
    first = write_jsonl(
        tmp_path / "a.jsonl", [tweet(1, "chaiandco", 11, 1000), tweet(2, "brewbros", 22, 5000)]
    )
    s.import_file(first, observed_at=datetime(2026, 8, 2, tzinfo=UTC))
    second = write_jsonl(tmp_path / "b.jsonl", [tweet(3, "chaiandco", 11, 1100), tweet(4, "fan", 99, 12)])
    s.import_file(second, observed_at=datetime(2026, 9, 2, tzinfo=UTC))
    lookup = [users_page("2026-10-01T06:00:00+00:00", {("chaiandco", 11): 1210, ("brewbros", 22): 5000}),
              users_page("2026-10-28T06:00:00+00:00", {("chaiandco", 11): 1331})]  # fmt: skip
    s.import_file(write_jsonl(tmp_path / "c.jsonl", lookup), "twarc2-jsonl")
    return s


def test_every_observation_is_kept_and_renormalise_rebuilds_the_same_history(store):
    history = store.account_history()
    assert list(history.columns) == HISTORY_COLUMNS
    chai = history.loc[history["handle"] == "chaiandco"]
    assert chai["followers"].tolist() == [1000, 1100, 1210, 1331]
    assert chai["collected_at"].is_monotonic_increasing
    assert set(history["handle"]) == {"chaiandco", "brewbros", "fan"}
    assert store.accounts().set_index("handle").loc["chaiandco", "followers"] == 1331  # latest, as before
    before = pq.read_table(store.history_path)
    store.renormalise()
    assert pq.read_table(store.history_path).equals(before)


def test_reimporting_a_file_adds_no_observation(store, tmp_path):
    rows = len(store.account_history())
    again = write_jsonl(
        tmp_path / "a2.jsonl", [tweet(1, "chaiandco", 11, 1000), tweet(2, "brewbros", 22, 5000)]
    )
    store.import_file(again, observed_at=datetime(2026, 8, 2, tzinfo=UTC))  # same observation, another file
    assert len(store.account_history()) == rows


def test_a_store_from_before_the_history_starts_from_its_accounts(store):
    store.history_path.unlink()
    history = store.account_history()
    assert len(history) == 3 and history.set_index("handle").loc["chaiandco", "followers"] == 1331


def test_follower_growth_per_account_and_brand(store):
    growth = follower_growth(store.account_history(), BRANDS, PERIOD).set_index("account")
    chai = growth.loc["twitter:chaiandco"]
    assert (chai["followers_first"], chai["followers_last"], chai["growth"], chai["observations"]) == (
        1000,
        1331,
        331,
        4,
    )
    assert chai["growth_pct"] == pytest.approx(33.1)
    assert chai["weeks"] == pytest.approx(
        (datetime(2026, 10, 28, 6) - datetime(2026, 8, 2)).days / 7 + 0.25 / 7
    )
    assert chai["per_week"] == pytest.approx(331 / chai["weeks"])
    assert chai["first_date"] == date(2026, 8, 2) and chai["last_date"] == date(2026, 10, 28)
    assert chai["note"] == "" and chai["sentence"].startswith(
        "Chai & Co on Twitter (@chaiandco): 1,000 → 1,331 followers from 2 Aug 2026 to 28 Oct 2026 (+331, +33.1%; about"
    )
    flat = growth.loc["twitter:brewbros"]
    assert flat["growth"] == 0 and flat["growth_pct"] == 0 and flat["observations"] == 2
    bluesky = growth.loc["bluesky:chaiandco.bsky.social"]
    assert bluesky["note"] == "no follower counts" and pd.isna(bluesky["growth"])
    brand = growth.loc[(growth.index == "all accounts") & (growth["brand"] == "Chai & Co")].iloc[0]
    assert brand["growth"] == 331 and "1 of its 2 accounts observed twice" in brand["sentence"]
    assert "fan" not in set(
        follower_series(store.account_history(), BRANDS, PERIOD)["handle"]
    )  # brand accounts only


def _history(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    frame["collected_at"] = pd.to_datetime(frame["collected_at"], utc=True)
    for col in ("followers", "following", "posts_count"):
        frame[col] = frame[col].astype("Int64")
    return frame


def test_one_observation_no_counts_and_far_from_the_period():
    t = datetime(2026, 9, 1, tzinfo=UTC)
    history = _history([
        ("twitter", "11", "chaiandco", t, 1000, 300, 10, "x"),
        ("bluesky", "did:1", "chaiandco.bsky.social", t, None, None, 50, "x"),
        ("twitter", "22", "brewbros", t - timedelta(days=200), 10, None, None, "x"),  # long before the period
        ("twitter", "22", "brewbros", t + timedelta(days=200), 99, None, None, "x"),
    ])  # fmt: skip
    growth = follower_growth(history, BRANDS, PERIOD).set_index("account")
    one = growth.loc["twitter:chaiandco"]
    assert one["note"] == "one observation" and one["followers_last"] == 1000 and pd.isna(one["growth"])
    assert "one observation (1,000 followers on 1 Sep 2026)" in one["sentence"]
    assert growth.loc["bluesky:chaiandco.bsky.social", "note"] == "no follower counts"
    assert growth.loc["twitter:brewbros", "note"] == "no follower counts"  # observed, but far from the period
    brands = growth.loc[growth.index == "all accounts"].set_index("brand")
    assert (
        brands.loc["Chai & Co", "note"] == "one observation"
        and brands.loc["Brew Bros", "note"] == "no follower counts"
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["chaiandco", "brewbros", "fan"]), st.integers(-120, 120),
                          st.one_of(st.none(), st.integers(0, 10**7))), max_size=12))  # fmt: skip
def test_any_history_gives_one_row_per_account_and_brand(observations):
    t = datetime(2026, 9, 15, tzinfo=UTC)
    history = _history(
        [("twitter", h, h, t + timedelta(days=d), n, None, None, "x") for h, d, n in observations]
    )
    growth = follower_growth(history, BRANDS, PERIOD)
    assert len(growth) == 3 + 2 and growth["sentence"].map(bool).all()
    assert not growth["sentence"].str.contains("nan|None|<NA>").any()
    measured = growth.loc[growth["growth"].notna()]
    assert (measured["growth"] == measured["followers_last"] - measured["followers_first"]).all()
    assert (measured["observations"] >= 2).all()
    assert follower_growth(history.iloc[0:0], BRANDS, PERIOD)["note"].eq("no follower counts").all()


# --- the demo world ------------------------------------------------------------------------------


def test_demo_follower_growth_is_the_planted_one(demo_world):
    demo, period = demo_world
    truth = demo.truth["follower_growth"]
    history = demo.store.account_history()
    assert len(history) > len(
        demo.accounts.dropna(subset=["followers"])
    )  # the brand profiles were seen twice
    growth = follower_growth(history, demo.brands, period).set_index("account")
    for key, planted in truth["accounts"].items():
        row = growth.loc[key]
        assert (row["followers_first"], row["followers_last"]) == (
            planted["followers_first"],
            planted["followers_last"],
        )
        assert (
            row["growth_pct"] == pytest.approx(planted["growth_pct"], abs=0.01) and row["observations"] == 2
        )
        assert row["first_date"] == date(2026, 8, 1) and row["per_week"] > 0
    bluesky = growth.loc[growth["platform"] == "bluesky"]
    assert len(bluesky) == 3 and (bluesky["note"] == "no follower counts").all()
    brands = growth.loc[growth.index == "all accounts"].set_index("brand")
    assert brands["growth_pct"].idxmax() == "Brew Bros"
    assert brands.loc["Brew Bros", "sentence"].startswith(
        "Brew Bros (1 of its 2 accounts observed twice): 36,"
    )
