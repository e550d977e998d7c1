"""Competitor benchmark and mechanics on planted truth."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from research.analyses.competitors import (
    brand_mentions,
    content_mix,
    format_uplift,
    period_change,
    response_stats,
    scorecard,
    share_of_voice,
    top_posts,
)
from research.analyses.mechanics import detect_mechanics, mechanics_by_brand, mechanics_uplift
from research.analyses.metrics import Period
from research.brands import Brand
from research.schema import accounts_frame, posts_frame

TZ = "Asia/Kolkata"
START, END = date(2026, 9, 1), date(2026, 9, 30)
PERIOD = Period(START, END, TZ)
BRANDS = [
    Brand("Chai & Co", "client", (("twitter", "chaiandco"),)),
    Brand("Brew Bros", "competitor", (("twitter", "brewbros"), ("bluesky", "brewbros.bsky.social"))),
    Brand("Tea Hub", "competitor", (("twitter", "teahub"),)),
]
BASE = {"chaiandco": 40, "brewbros": 120, "brewbros.bsky.social": 30, "teahub": 80}


def make_world(seed=0, *, brew_lift=1.4, video=1.8, giveaway=5.0, per_day=3):
    """Own posts of every account over the period and the previous one, with planted effects."""
    rng = np.random.default_rng(seed)
    rows = []
    for handle, base in BASE.items():
        platform = "bluesky" if "bsky" in handle else "twitter"
        for day in range(-30, 30):
            for k in range(per_day):
                created = datetime(2026, 9, 1, 4, tzinfo=UTC) + timedelta(
                    days=day, hours=int(rng.integers(0, 14))
                )
                is_video, is_giveaway = rng.random() < 0.3, rng.random() < 0.08
                mult = (video if is_video else 1.0) * (giveaway if is_giveaway else 1.0)
                if handle.startswith("brewbros") and day >= 0:
                    mult *= brew_lift
                likes = int(round(base * mult * rng.lognormal(0, 0.35)))
                text = "Giveaway! RT to win a chai hamper" if is_giveaway else "New blend of the week"
                rows.append({"platform": platform, "post_id": f"{handle}-{day}-{k}", "author_id": f"id-{handle}",
                             "author_handle": handle, "created_at": created, "text": text,
                             "media_type": "video" if is_video else "photo", "likes": likes,
                             "reposts": likes // 10, "replies": likes // 20, "views": likes * 30})  # fmt: skip
    return posts_frame(rows)


@pytest.fixture(scope="module")
def world():
    return make_world()


def test_scorecard_hand_computed():
    posts = posts_frame(
        [
            {"platform": "twitter", "post_id": "1", "author_id": "a", "author_handle": "chaiandco",
             "created_at": "2026-09-02T10:00:00Z", "likes": 10, "replies": 2, "views": 100},
            {"platform": "twitter", "post_id": "2", "author_id": "a", "author_handle": "chaiandco",
             "created_at": "2026-09-03T10:00:00Z", "likes": 4, "views": None},
            {"platform": "twitter", "post_id": "3", "author_id": "a", "author_handle": "chaiandco",
             "created_at": "2026-09-04T10:00:00Z", "likes": 1, "repost_of_post_id": "x"},  # a repost: not own content
            {"platform": "twitter", "post_id": "4", "author_id": "a", "author_handle": "chaiandco",
             "created_at": "2026-08-31T20:00:00Z", "likes": 6},  # 01:30 on 1 September in Kolkata: inside
        ]
    )  # fmt: skip
    accounts = accounts_frame(
        [{"platform": "twitter", "account_id": "a", "handle": "chaiandco", "followers": 200}]
    )
    card = scorecard(posts, accounts, BRANDS, PERIOD).set_index("brand")
    client = card.loc["Chai & Co"]
    assert client["posts"] == 3
    assert client["posts_per_week"] == pytest.approx(3 / (30 / 7))
    assert client["engagement_median"] == 6 and client["engagement_mean"] == pytest.approx(22 / 3)
    assert client["er_followers"] == pytest.approx(np.mean([12 / 200, 4 / 200, 6 / 200]))
    assert client["er_views"] == pytest.approx(12 / 100)  # only one post has views
    silent = card.loc["Tea Hub"]
    assert silent["posts"] == 0 and pd.isna(silent["engagement_median"]) and pd.isna(silent["er_views"])
    # Without follower counts the rate is NULL, never 0.
    assert pd.isna(scorecard(posts, None, BRANDS, PERIOD).set_index("brand").loc["Chai & Co", "er_followers"])


def test_scorecard_per_account_and_purity(world):
    before = world.copy(deep=True)
    card = scorecard(world, None, BRANDS, PERIOD, by="account")
    pd.testing.assert_frame_equal(world, before)
    assert list(card["handle"]) == ["chaiandco", "brewbros", "brewbros.bsky.social", "teahub"]
    assert (card["posts"] == 90).all()


def test_content_mix_shares_sum_to_one(world):
    mix = content_mix(world, BRANDS, PERIOD)
    assert set(mix["media_type"]) == {"video", "photo"}
    assert mix.groupby("brand")["share"].sum().round(9).eq(1).all()
    assert list(mix["brand"].unique()) == ["Chai & Co", "Brew Bros", "Tea Hub"]


def test_format_uplift_recovers_video(world):
    table = format_uplift(world, BRANDS, PERIOD).set_index("feature")
    video = table.loc["video"]
    assert video["significant"]
    assert video["ci_low"] <= 1.8 <= video["ci_high"] or abs(video["uplift"] - 1.8) < 0.3


def test_format_uplift_null_world_claims_nothing():
    table = format_uplift(make_world(3, brew_lift=1, video=1, giveaway=1), BRANDS, PERIOD)
    assert not table["significant"].any()


def test_mechanics_detection_multilingual():
    texts = [
        "GIVEAWAY: follow & RT to win a hamper",
        "Розыгрыш! Разыгрываем 3 подарка",
        "गिवअवे! जीतने का मौका",
        "Photo contest: submit your best chai picture",
        "Объявляем конкурс рецептов",
        "फोटो प्रतियोगिता शुरू",
        "Quick poll: masala or ginger?",
        "Опрос: какой чай вы любите",
        "Quiz time! Guess the spice",
        "Викторина для подписчиков",
        "क्विज़ में हिस्सा लें",
        "What is your favourite chai? https://x.co/?a=1",
        "Our new blend is out https://example.com/?utm=1",
    ]
    posts = posts_frame([{"platform": "twitter", "post_id": str(i), "text": t} for i, t in enumerate(texts)])
    flags = detect_mechanics(posts)
    assert flags.loc[0:2, "giveaway"].all()
    assert flags.loc[3:5, "contest"].all()
    assert flags.loc[6:7, "poll"].all()
    assert flags.loc[8:10, "quiz"].all()
    assert flags.loc[11, "question"] and not flags.loc[12].any()  # a "?" inside a link is not a question
    assert not flags.loc[3:5, "giveaway"].any()


def test_mechanics_uplift_recovers_giveaway_spike(world):
    table = mechanics_uplift(world, BRANDS, PERIOD).set_index("feature")
    giveaway = table.loc["giveaway"]
    assert giveaway["significant"] and 3.5 < giveaway["uplift"] < 7
    assert not table.loc["poll", "eligible"]  # never used: no claim
    usage = mechanics_by_brand(world, BRANDS, PERIOD)
    assert usage.loc[usage["mechanic"] == "giveaway", "posts"].sum() == giveaway["n_with"]


def test_top_posts_ranked(world):
    top = top_posts(world, BRANDS, PERIOD, n=3)
    assert len(top) == 9 and list(top["rank"][:3]) == [1, 2, 3]
    brew = top[top["brand"] == "Brew Bros"]
    assert brew["engagement"].is_monotonic_decreasing


def _conversation():
    at = datetime(2026, 9, 10, 6, tzinfo=UTC)
    rows = [
        {
            "platform": "twitter",
            "post_id": "b1",
            "author_id": "id-brewbros",
            "author_handle": "brewbros",
            "created_at": at,
        },
    ]
    for i in range(4):  # four fans reply to Brew Bros; two are answered, after 1 h and 3 h
        rows.append({"platform": "twitter", "post_id": f"f{i}", "author_id": f"fan{i}", "author_handle": f"fan{i}",
                     "created_at": at + timedelta(hours=i), "reply_to_post_id": "b1", "reply_to_author_id": "id-brewbros",
                     "text": "love it #chai", "hashtags": ["chai"], "likes": 1})  # fmt: skip
    rows.append({"platform": "twitter", "post_id": "m1", "author_id": "fan9", "author_handle": "fan9",
                 "created_at": at, "mentions": ["chaiandco"], "text": "@chaiandco where is my order? #chai",
                 "hashtags": ["chai"], "likes": 5})  # fmt: skip
    rows.append({"platform": "twitter", "post_id": "x1", "author_id": "fan8", "author_handle": "fan8",
                 "created_at": at, "text": "Tea Hub or Brew Bros? #chai", "hashtags": ["chai"], "likes": 3})  # fmt: skip
    for i, delay in ((0, 1), (1, 3)):
        rows.append({"platform": "twitter", "post_id": f"r{i}", "author_id": "id-brewbros", "author_handle": "brewbros",
                     "created_at": at + timedelta(hours=i + delay), "reply_to_post_id": f"f{i}",
                     "reply_to_author_id": f"fan{i}"})  # fmt: skip
    return posts_frame(rows)


def test_response_stats():
    stats = response_stats(_conversation(), BRANDS, PERIOD).set_index("brand")
    assert stats.loc["Brew Bros", "audience_posts"] == 4 and stats.loc["Brew Bros", "answered"] == 2
    assert stats.loc["Brew Bros", "answered_share"] == 0.5
    assert stats.loc["Brew Bros", "median_response_hours"] == 2.0
    assert stats.loc["Chai & Co", "answered"] == 0 and pd.isna(
        stats.loc["Chai & Co", "median_response_hours"]
    )
    assert stats.loc["Tea Hub", "audience_posts"] == 0 and pd.isna(stats.loc["Tea Hub", "answered_share"])


def test_share_of_voice_hand_computed():
    posts = _conversation()
    sov = share_of_voice(posts, BRANDS, PERIOD, hashtags=["chai"]).set_index("brand")
    # Stream: 6 #chai posts. Chai & Co: m1 (mention). Brew Bros: x1 (name). Tea Hub: x1 (name).
    assert sov["stream_posts"].iloc[0] == 6
    assert sov["posts"].to_dict() == {"Chai & Co": 1, "Brew Bros": 1, "Tea Hub": 1}
    assert sov["share_of_voice"].sum() == pytest.approx(1)
    assert sov.loc["Chai & Co", "engagement_share"] == pytest.approx(5 / 11)
    everything = share_of_voice(posts, BRANDS, PERIOD).set_index("brand")
    assert everything.loc["Brew Bros", "posts"] == 4  # its own post, its two replies and the name mention
    named = brand_mentions(posts, BRANDS, aliases={"Tea Hub": ["teahouse"]})
    assert named.loc[posts["post_id"] == "x1"].iloc[0].tolist() == [False, True, True]


def test_period_change_finds_brew_bros_lift(world):
    change = period_change(world, None, BRANDS, PERIOD).set_index(["brand", "metric"])
    brew = change.loc[("Brew Bros", "engagement_median")]
    assert brew["verdict"] == "up" and brew["change_pct"] == pytest.approx(40, abs=15)
    for other in ("Chai & Co", "Tea Hub"):
        assert change.loc[(other, "engagement_median"), "verdict"] == "no real change"
    assert change.loc[("Chai & Co", "posts"), "change"] == 0


def test_period_change_null_world_claims_nothing():
    change = period_change(make_world(7, brew_lift=1.0), None, BRANDS, PERIOD)
    assert not change["significant"].any()
    assert set(change["verdict"]) == {"no real change"}


# --- the demo world (planted truths, see research/demo/) ----------------------------------------


def test_demo_video_uplift(demo_world):
    demo, period = demo_world
    video = format_uplift(demo.posts, demo.brands, period).set_index("feature").loc["video"]
    planted = demo.truth["format_uplift"]
    assert video["significant"] and video["ci_low"] <= planted["measured_ratio"] <= video["ci_high"]
    assert video["uplift"] == pytest.approx(planted["factor"], rel=0.15)


def test_demo_giveaways_detected_and_spike(demo_world):
    demo, period = demo_world
    planted = {p["post_id"] for p in demo.truth["giveaways"]["posts"] if p["period"] != "previous"}
    own = demo.posts[demo.posts["post_id"].isin(planted)]
    assert (
        len(own) == len(planted) and detect_mechanics(own)["giveaway"].all()
    )  # every planted giveaway found
    giveaway = mechanics_uplift(demo.posts, demo.brands, period).set_index("feature").loc["giveaway"]
    assert giveaway["n_with"] == len(planted)  # and nothing else is taken for one
    assert (
        giveaway["significant"]
        and giveaway["ci_low"] <= demo.truth["giveaways"]["measured_ratio"] <= giveaway["ci_high"]
    )


def test_demo_brew_bros_change_is_the_only_real_one(demo_world):
    demo, period = demo_world
    change = period_change(demo.posts, demo.accounts, demo.brands, period)
    engagement = change[change["metric"] == "engagement_median"].set_index("brand")
    assert engagement.loc["Brew Bros", "verdict"] == "up"
    assert engagement.loc["Brew Bros", "change_pct"] == pytest.approx(40, abs=10)
    assert (engagement.drop(index="Brew Bros")["verdict"] == "no real change").all()
    assert (change.loc[change["metric"] == "posts", "verdict"] == "no real change").all()
