"""Hashtag analyses on planted truth."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from research.analyses.hashtags import (
    cohashtag_graph,
    hashtag_clusters,
    hashtag_frequency,
    hashtag_gaps,
    hashtag_lift,
    recommend_hashtags,
    rising_hashtags,
)
from research.analyses.metrics import Period
from research.brands import Brand
from research.schema import posts_frame

TZ = "Asia/Kolkata"
START, END = date(2026, 9, 1), date(2026, 9, 30)
PERIOD = Period(START, END, TZ)
BRANDS = [
    Brand("Chai & Co", "client", (("twitter", "chaiandco"),)),
    Brand("Brew Bros", "competitor", (("twitter", "brewbros"),)),
    Brand("Tea Hub", "competitor", (("twitter", "teahub"),)),
]
TEA, COFFEE = ["chai", "masala", "ginger"], ["coffee", "espresso", "latte"]


def make_posts(seed=0, *, lift=2.0):
    """Brand posts with topic tags; competitors' #masalamonday posts earn ``lift``×; #diwali rises."""
    rng = np.random.default_rng(seed)
    rows = []
    for handle, base in (("chaiandco", 40), ("brewbros", 100), ("teahub", 70)):
        for day in range(-30, 30):
            for k in range(3):
                topic = TEA if rng.random() < 0.5 else COFFEE
                tags = list(rng.choice(topic, size=2, replace=False))
                mult = 1.0
                if handle != "chaiandco" and rng.random() < 0.25:
                    tags.append("masalamonday")
                    mult = lift
                if day >= 0 and rng.random() < 0.2:
                    tags.append("diwali")
                created = datetime(2026, 9, 1, 6, tzinfo=UTC) + timedelta(days=day, hours=k)
                rows.append({"platform": "twitter", "post_id": f"{handle}-{day}-{k}", "author_id": handle,
                             "author_handle": handle, "created_at": created, "hashtags": tags,
                             "likes": int(base * mult * rng.lognormal(0, 0.4))})  # fmt: skip
    return posts_frame(rows)


@pytest.fixture(scope="module")
def posts():
    return make_posts()


def test_frequency_overall_and_per_brand():
    small = posts_frame([
        {"platform": "twitter", "post_id": "1", "author_handle": "chaiandco", "created_at": "2026-09-02T10:00:00Z",
         "hashtags": ["chai", "chai", "masala"]},
        {"platform": "twitter", "post_id": "2", "author_handle": "fan", "created_at": "2026-09-02T10:00:00Z",
         "hashtags": ["chai"]},
        {"platform": "twitter", "post_id": "3", "author_handle": "fan", "created_at": "2026-07-02T10:00:00Z",
         "hashtags": ["old"]},
    ])  # fmt: skip
    freq = hashtag_frequency(small, BRANDS, PERIOD)
    overall = freq[freq["scope"] == "all posts"].set_index("hashtag")
    assert overall["posts"].to_dict() == {"chai": 2, "masala": 1}  # once per post; outside the period ignored
    assert overall.loc["chai", "share"] == 1.0
    client = freq[freq["scope"] == "Chai & Co"].set_index("hashtag")
    assert client["posts"].to_dict() == {"chai": 1, "masala": 1}
    assert freq[freq["scope"] == "Brew Bros"].empty


def test_lift_recovers_planted_tag_with_min_support(posts):
    lift = hashtag_lift(posts, BRANDS, PERIOD, among=["Brew Bros", "Tea Hub"]).set_index("hashtag")
    planted = lift.loc["masalamonday"]
    assert planted["significant"] and planted["ci_low"] <= 2.0 <= planted["ci_high"]
    assert not lift.drop(index="masalamonday")["significant"].any()
    assert (lift["n_with"] >= 5).all()
    rare = hashtag_lift(posts, BRANDS, PERIOD, min_support=10_000)
    assert rare.empty


def test_rising(posts):
    rising = rising_hashtags(posts, PERIOD).set_index("hashtag")
    assert rising.loc["diwali", "rising"] and rising.loc["diwali", "previous"] == 0
    assert rising["rising"].sum() == 1


def test_cohashtag_graph_and_clusters(posts):
    G = cohashtag_graph(posts, exclude=["diwali", "masalamonday"])
    assert set(G) == set(TEA + COFFEE)
    assert not G.has_edge("chai", "coffee")
    assert G["chai"]["masala"]["weight"] > 0 and nx.number_connected_components(G) == 2
    clusters = hashtag_clusters(G)
    groups = clusters.groupby("cluster")["hashtag"].apply(frozenset)
    assert set(groups) == {frozenset(TEA), frozenset(COFFEE)}
    assert clusters["label"].str.startswith("#").all()
    assert hashtag_clusters(nx.Graph()).empty


def test_gaps_and_recommendations(posts):
    gaps = hashtag_gaps(posts, BRANDS, PERIOD)
    assert gaps["hashtag"].tolist() == ["masalamonday"]
    assert set(gaps.iloc[0]["competitors"].split(", ")) == {"Brew Bros", "Tea Hub"}
    recs = recommend_hashtags(gaps, hashtag_lift(posts, BRANDS, PERIOD), rising_hashtags(posts, PERIOD))
    first = recs.iloc[0]
    assert first["hashtag"] == "masalamonday" and first["source"] == "gap"
    assert "client does not use it" in first["reason"] and first["uplift"] > 1.5
    assert "diwali" in set(recs.loc[recs["source"] == "rising", "hashtag"])


def test_no_lift_no_gap():
    assert hashtag_gaps(make_posts(5, lift=1.0), BRANDS, PERIOD).empty


def test_demo_cohashtag_clusters_are_the_communities(demo):
    clusters = hashtag_clusters(cohashtag_graph(demo.posts, min_count=5)).set_index("hashtag")
    seen = set()
    for community in demo.truth["communities"].values():
        tags = [t for t in community["hashtags"] if t in clusters.index]
        assert len(tags) >= len(community["hashtags"]) // 2
        cluster = clusters.loc[tags, "cluster"]
        assert cluster.nunique() == 1 and cluster.iloc[0] not in seen  # one cluster per community
        seen.add(cluster.iloc[0])


def test_a_new_one_day_tag_rises_but_is_not_recommended():
    # The demo's #kulhadchallenge: 61 posts on one day (a competitor's challenge), none before.
    rising = pd.DataFrame({"hashtag": ["kulhadchallenge", "diwali"], "current": [61, 40], "previous": [0, 0],
                           "growth": [62.0, 41.0], "p_value": [1e-18, 1e-12], "p_adjusted": [1e-17, 1e-11],
                           "rising": [True, True], "days": [1, 9]})  # fmt: skip
    empty = pd.DataFrame(
        columns=["hashtag", "n_with", "uplift", "ci_low", "ci_high", "p_adjusted", "significant"]
    )
    recs = recommend_hashtags(empty.assign(competitors=[]), empty, rising)
    assert recs["hashtag"].tolist() == ["diwali"]
    none = recommend_hashtags(empty.assign(competitors=[]), empty, rising.iloc[:1])
    assert none.empty and none.attrs["why_empty"].startswith("No hashtag earned measurably more")
