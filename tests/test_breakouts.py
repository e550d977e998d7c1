"""Breakout posts: each own post against its own account's usual, on planted truth."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from research.analyses.breakouts import breakout_posts, breakout_traits
from research.analyses.metrics import WHY_EMPTY, Period, own_posts
from research.brands import Brand
from research.schema import posts_frame

PERIOD = Period(date(2026, 9, 1), date(2026, 9, 30), "Asia/Kolkata")
BRANDS = [
    Brand("Big", "client", (("twitter", "big"),)),
    Brand("Small", "competitor", (("twitter", "small"),)),
]
COLLECTED = datetime(2026, 10, 31, tzinfo=UTC)


def _post(
    handle, i, likes, *, media="photo", tags=(), text="Fresh chai today", day=None, collected=COLLECTED
):
    created = datetime(2026, 9, 1, 6, tzinfo=UTC) + timedelta(days=i % 29 if day is None else day, minutes=i)
    return {"platform": "twitter", "post_id": f"{handle}-{i}", "author_id": f"id-{handle}",
            "author_handle": handle, "created_at": created, "text": text, "media_type": media,
            "hashtags": list(tags), "likes": likes, "reposts": 0, "replies": 0, "collected_at": collected,
            "url": f"https://twitter.com/{handle}/status/{i}"}  # fmt: skip


def planted_world(seed=0, *, hit=True):
    """Big earns ~1000 a post (videos 1.8x), Small ~40; Small has two recipe posts at 7x and 9x."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(60):
        video = i % 4 == 0
        rows.append(_post("big", i, int(1000 * (1.8 if video else 1) * rng.lognormal(0, 0.2)),
                          media="video" if video else "photo"))  # fmt: skip
    for i in range(30):
        rows.append(_post("small", i, int(40 * rng.lognormal(0, 0.2)), tags=("chai",)))
    if hit:
        rows.append(_post("small", 100, 280, tags=("chai", "chairecipe"), text="Dadi's recipe, step by step"))
        rows.append(_post("small", 101, 360, tags=("chairecipe",), text="Our masala recipe, part two"))
    return posts_frame(rows)


def test_the_small_accounts_hits_show_beside_the_big_accounts_routine():
    posts = planted_world()
    found = breakout_posts(posts, BRANDS, PERIOD)
    assert set(found["post_id"]) == {"small-100", "small-101"}
    top = found.iloc[0]
    assert top["post_id"] == "small-101" and top["brand"] == "Small" and top["account"] == "twitter:small"
    assert 7 < top["times_usual"] < 11 and top["score"] > 3.5
    assert 30 < top["account_median"] < 50 and top["baseline_posts"] == 32
    assert top["hashtags"] == "#chairecipe" and top["counts"].startswith("as observed")
    assert top["engagement"] == 360 and top["url"].endswith("/101")
    assert "@small's photo post" in top["sentence"] and "times its usual" in top["sentence"]
    # the big account's posts earn 25x more than the hits, but are routine for it
    assert posts.loc[posts["author_handle"] == "big", "likes"].min() > 360


def test_videos_are_compared_with_the_accounts_videos():
    posts = planted_world(hit=False)
    assert breakout_posts(posts, BRANDS, PERIOD).empty
    # against all posts pooled (no format baseline), nothing 1.8x passes either: min_times is 2
    assert breakout_posts(posts, BRANDS, PERIOD, min_format_posts=10_000).empty
    video = breakout_posts(posts, BRANDS, PERIOD, min_times=1.0, threshold=1.0)
    assert not (video["baseline"] == "all posts").any()


def test_traits_name_the_planted_hashtag():
    posts = planted_world()
    found = breakout_posts(posts, BRANDS, PERIOD)
    traits = breakout_traits(found, own_posts(posts, None, BRANDS, PERIOD))
    small = traits.loc[traits["brand"] == "Small"].set_index(["trait", "value"])
    row = small.loc[("hashtag", "#chairecipe")]
    assert (row["breakouts_with"], row["breakouts"], row["others_with"], row["others"]) == (2, 2, 0, 30)
    assert (
        row["sentence"]
        == "Small: 2 of 2 breakout posts (100%) carried #chairecipe, against 0 of 30 other posts (0%)."
    )
    assert ("hashtag", "#chai") not in small.index  # 1 of 2 breakouts, and every other post
    assert set(traits["brand"]) == {"Small", "All brands"}


def test_counts_read_at_the_same_age_where_observed_more_than_once():
    # Every post ends near 100 after a month; one got there in a day, the others took weeks.
    rows, earlier = [], []
    for i in range(20):
        fast = i == 7
        rows.append(_post("small", i, 100 + i % 3, day=i))
        created = rows[-1]["created_at"]
        earlier.append({"platform": "twitter", "post_id": f"small-{i}", "collected_at": created + timedelta(hours=12),
                        "likes": 60 if fast else 5, "reposts": 0, "replies": 0})  # fmt: skip
        earlier.append({"platform": "twitter", "post_id": f"small-{i}", "collected_at": created + timedelta(hours=48),
                        "likes": 95 if fast else 12, "reposts": 0, "replies": 0})  # fmt: skip
    posts = posts_frame(rows)
    assert breakout_posts(posts, BRANDS, PERIOD).empty  # final counts: all alike
    found = breakout_posts(posts, BRANDS, PERIOD, observations=pd.DataFrame(earlier))
    assert list(found["post_id"]) == ["small-7"]
    row = found.iloc[0]
    assert row["counts"] == "at 1 day old (counts observed more than once)"
    assert row["engagement"] == round(60 + (95 - 60) * 12 / 36)  # interpolated at 24 h
    # one post observed once: the account is compared as observed, and says so
    partial = pd.DataFrame(earlier[2:])
    found = breakout_posts(posts, BRANDS, PERIOD, observations=partial)
    assert found.empty


def test_degenerate_inputs_say_why():
    assert (
        breakout_posts(posts_frame([]), BRANDS, PERIOD).attrs[WHY_EMPTY].startswith("There are no own posts")
    )
    few = posts_frame([_post("small", i, 10 * i) for i in range(5)])
    assert "8 or more" in breakout_posts(few, BRANDS, PERIOD).attrs[WHY_EMPTY]
    no_counts = posts_frame(
        [{**_post("small", i, None), "reposts": None, "replies": None} for i in range(20)]
    )
    assert breakout_posts(no_counts, BRANDS, PERIOD).empty
    same = posts_frame([_post("small", i, 50) for i in range(20)])
    assert breakout_posts(same, BRANDS, PERIOD).attrs[WHY_EMPTY].startswith("No own post earned")
    traits = breakout_traits(breakout_posts(same, BRANDS, PERIOD), own_posts(same, None, BRANDS, PERIOD))
    assert traits.empty and traits.attrs[WHY_EMPTY]


@st.composite
def calm_world(draw):
    """Any number of accounts and posts whose engagement stays within +-40% of the account's level."""
    rows = []
    for handle in draw(st.lists(st.sampled_from(["big", "small"]), unique=True)):
        level = draw(st.integers(0, 5000))
        for i in range(draw(st.integers(0, 40))):
            noise = draw(st.floats(0.6, 1.4))
            rows.append(
                _post(handle, i, int(level * noise), media=draw(st.sampled_from(["photo", "video", None])))
            )
    return posts_frame(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calm_world())
def test_null_worlds_have_no_breakouts(posts):
    found = breakout_posts(posts, BRANDS, PERIOD)
    assert found.empty and found.attrs[WHY_EMPTY]
    assert list(found.columns) == list(breakout_posts(planted_world(), BRANDS, PERIOD).columns)


# --- the demo world ------------------------------------------------------------------------------


def test_demo_breakouts_are_the_planted_ones(demo_world):
    demo, period = demo_world
    truth = demo.truth
    found = breakout_posts(demo.posts, demo.brands, period)
    planted = {p["post_id"] for p in truth["breakouts"]["posts"]}
    mm = found.loc[found["brand"] == "Masala Mornings"].sort_values("times_usual", ascending=False)
    assert set(mm["post_id"].iloc[:2]) == planted
    assert (mm["times_usual"].iloc[:2] > 5).all() and (
        mm["hashtags"].iloc[:2].str.contains("#chairecipe")
    ).all()
    # every other breakout is another planted truth: a giveaway (5x) or a post in the best slot (2.5x)
    giveaways = {p["post_id"] for p in truth["giveaways"]["posts"]}
    best = {p: (b["weekday"], b["hour"]) for p, b in truth["best_slot"].items()}
    for r in found.itertuples():
        assert r.post_id in planted | giveaways or (r.weekday, r.hour) == best[r.platform], r
    traits = breakout_traits(found, own_posts(demo.posts, demo.accounts, demo.brands, period))
    row = traits.set_index(["brand", "trait", "value"]).loc[("Masala Mornings", "hashtag", "#chairecipe")]
    assert row["breakouts_with"] == 2 and row["others_with"] == 0
    giveaway = traits.set_index(["brand", "trait", "value"]).loc[("All brands", "mechanic", "giveaway")]
    assert giveaway["share_breakouts"] > 0.3 and giveaway["share_others"] < 0.02


def test_one_like_against_none_is_not_a_breakout():
    # Found by the null-world property: an account whose posts earn 0 or 1 like. 1 is "2x usual"
    # by ratio and far out by robust score (no spread), but it is not a hit anyone would act on.
    quiet = posts_frame([_post("big", i, 1 if i < 3 else 0, media="photo") for i in range(8)])
    assert breakout_posts(quiet, BRANDS, PERIOD).empty
    loud = posts_frame([_post("big", i, 12 if i < 1 else 0, media="photo") for i in range(8)])
    assert list(breakout_posts(loud, BRANDS, PERIOD)["post_id"]) == ["big-0"]  # 12 more than usual is one
