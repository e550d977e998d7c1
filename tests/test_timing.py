"""Heatmaps and recommended slots on planted truth."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from research.analyses.metrics import Period
from research.analyses.timing import (
    audience_heatmap,
    engaged_audience,
    posting_heatmaps,
    recommend_slots,
    slot_performance,
    weekday_hour_matrix,
)
from research.brands import Brand
from research.schema import posts_frame

TZ = "Asia/Kolkata"
START, END = date(2026, 8, 1), date(2026, 10, 31)
PERIOD = Period(START, END, TZ)
BRANDS = [
    Brand("Chai & Co", "client", (("twitter", "chaiandco"), ("bluesky", "chaiandco.bsky.social"))),
    Brand("Brew Bros", "competitor", (("twitter", "brewbros"),)),
]
HOURS = (10, 13, 19, 21)


def make_posts(seed=0, *, best=None, lucky=False):
    """Posts at local hours HOURS on every weekday; ``best`` = (platform, weekday, hour) earns 2×."""
    rng = np.random.default_rng(seed)
    rows = []
    accounts = [
        ("twitter", "chaiandco", 50),
        ("twitter", "brewbros", 150),
        ("bluesky", "chaiandco.bsky.social", 20),
    ]
    for platform, handle, base in accounts:
        for day in range((END - START).days + 1):
            local_day = START + timedelta(days=day)
            for hour in HOURS:
                if rng.random() < 0.5:
                    continue
                local = datetime(
                    local_day.year, local_day.month, local_day.day, hour, 15, tzinfo=ZoneInfo(TZ)
                )
                mult = 2.0 if best == (platform, local.weekday(), hour) else 1.0
                rows.append({"platform": platform, "post_id": f"{handle}-{day}-{hour}", "author_id": handle,
                             "author_handle": handle, "created_at": local, "likes": int(base * mult * rng.lognormal(0, 0.4))})  # fmt: skip
    if lucky:  # three viral posts at an odd hour: not enough evidence for a slot
        for i in range(3):
            local = datetime(2026, 8, 4 + 7 * i, 3, 0, tzinfo=ZoneInfo(TZ))  # Tuesdays 03:00
            rows.append({"platform": "twitter", "post_id": f"lucky{i}", "author_id": "brewbros",
                         "author_handle": "brewbros", "created_at": local, "likes": 5000})  # fmt: skip
    return posts_frame(rows)


def test_matrix_shape_and_local_time():
    posts = posts_frame([
        {"platform": "twitter", "post_id": "1", "created_at": "2026-09-03T13:30:00Z", "likes": 4},  # Thu 19:00 IST
        {"platform": "twitter", "post_id": "2", "created_at": "2026-09-03T13:45:00Z", "likes": 8},
        {"platform": "twitter", "post_id": "3", "created_at": "2026-09-06T20:00:00Z", "likes": 1},  # Mon 01:30 IST
    ])  # fmt: skip
    counts = weekday_hour_matrix(posts, TZ)
    assert counts.shape == (7, 24) and counts.dtypes.eq("float64").all()
    assert list(counts.index) == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert list(counts.columns) == list(range(24))
    assert counts.loc["Thursday", 19] == 2 and counts.loc["Monday", 1] == 1 and counts.to_numpy().sum() == 3
    medians = weekday_hour_matrix(posts, TZ, values=posts["likes"], agg="median")
    assert medians.loc["Thursday", 19] == 6 and np.isnan(medians.loc["Friday", 0])
    with pytest.raises(ValueError, match="agg"):
        weekday_hour_matrix(posts, TZ, agg="mode")


def test_posting_heatmaps_per_brand():
    posts = make_posts()
    maps = posting_heatmaps(posts, BRANDS, PERIOD)
    assert list(maps) == ["Chai & Co", "Brew Bros"]
    chai = maps["Chai & Co"]
    assert chai.loc[:, list(HOURS)].to_numpy().sum() == chai.to_numpy().sum()  # only the planted hours
    assert chai.to_numpy().sum() == (posts["author_handle"] != "brewbros").sum()


def test_best_slot_recovered_and_lucky_slot_refused():
    posts = make_posts(best=("twitter", 3, 19), lucky=True)
    slots = slot_performance(posts, BRANDS, PERIOD)
    recommended = recommend_slots(slots, per_platform=1)
    twitter = recommended[recommended["platform"] == "twitter"].iloc[0]
    assert (twitter["weekday"], twitter["hour"]) == ("Thursday", 19)
    assert "Thursday" in twitter["reason"] and twitter["ci_low"] > 1
    lucky = slots[
        (slots["platform"] == "twitter") & (slots["weekday"] == "Tuesday") & (slots["hour"] == 3)
    ].iloc[0]
    assert lucky["posts"] == 3 and lucky["median_relative_engagement"] > 10
    assert not lucky["eligible"] and not lucky["recommended"]
    assert (recommended["platform"] != "bluesky").all()  # nothing planted there


def test_no_slot_recommended_without_effect():
    for seed in range(3):
        slots = slot_performance(make_posts(seed), BRANDS, PERIOD)
        assert slots["eligible"].any() and not slots["recommended"].any()


def test_audience_heatmap_counts_engaged_audience_only():
    at = datetime(2026, 9, 3, 19, 5, tzinfo=ZoneInfo(TZ))
    posts = posts_frame([
        {"platform": "twitter", "post_id": "b", "author_id": "brewbros", "author_handle": "brewbros", "created_at": at},
        {"platform": "twitter", "post_id": "f1", "author_id": "fan", "author_handle": "fan", "created_at": at,
         "reply_to_post_id": "b", "reply_to_author_id": "brewbros"},
        {"platform": "twitter", "post_id": "f2", "author_id": "fan", "author_handle": "fan",
         "created_at": at + timedelta(days=2, hours=2)},  # the same fan's other activity counts
        {"platform": "twitter", "post_id": "s", "author_id": "fan2", "author_handle": "fan2",
         "created_at": at, "mentions": ["chaiandco"]},
        {"platform": "twitter", "post_id": "x", "author_id": "stranger", "author_handle": "stranger", "created_at": at},
    ])  # fmt: skip
    mask = engaged_audience(posts, BRANDS, PERIOD)
    assert mask.tolist() == [False, True, True, True, False]
    heat = audience_heatmap(posts, BRANDS, PERIOD)
    assert heat.loc["Thursday", 19] == 2 and heat.loc["Saturday", 21] == 1 and heat.to_numpy().sum() == 3


def test_demo_best_slot_per_platform(demo_world):
    demo, period = demo_world
    best = recommend_slots(slot_performance(demo.posts, demo.brands, period), per_platform=1)
    found = {r.platform: (r.weekday, r.hour) for r in best.itertuples()}
    planted = {p: (s["weekday"], s["hour"]) for p, s in demo.truth["best_slot"].items()}
    assert found == planted
