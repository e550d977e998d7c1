"""Content pillars: themes of brands and audience, the theme one competitor owns, what earns more."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from research.analyses.metrics import WHY_EMPTY, Period
from research.analyses.pillars import AUDIENCE, content_pillars
from research.brands import Brand
from research.schema import posts_frame

PERIOD = Period(date(2026, 9, 1), date(2026, 9, 30), "Asia/Kolkata")
BRANDS = [
    Brand("Chai & Co", "client", (("twitter", "chaiandco"),)),
    Brand("Brew Bros", "competitor", (("twitter", "brewbros"),)),
    Brand("Kettle Kings", "competitor", (("twitter", "kettlekings"), ("bluesky", "kettlekings.bsky.social"))),
]
SHARED = {
    "monsoon": ["Monsoon evening, rain outside and hot {x} inside", "Rainy day special: {x} and pakoda"],
    "menu": ["New on the menu this week: {x} with cardamom", "Back by popular demand: {x} at our Baner outlet"],
    "giveaway": ["GIVEAWAY! Win a month of free {x}, follow and tag two friends",
                 "Giveaway time: win free {x} for a month, tag two friends to enter"],
}  # fmt: skip
# the theme Kettle Kings owns, in three languages; the tea names and the hashtag are shared
TASTING = ["Loose-leaf tasting: Darjeeling first flush against Assam second flush {x}",
           "Tasting session tonight: Darjeeling, Assam and Nilgiri loose-leaf, bring a friend {x}",
           "Дегустация листового чая: Darjeeling и Assam {x}", "लूज़-लीफ़ चाय चखने का सत्र: Darjeeling और Assam {x}"]  # fmt: skip
AUDIENCE_TEXTS = ["Found a quiet corner with good wifi, laptop open and {x}", "Study session number {x} at my usual cafe",
                  "Book club this Sunday, reading Malgudi Days over {x}", "Finished the novel with two cups of {x}",
                  "Street food crawl in Camp, vada pav and {x}", "Ranking the street food stalls, part {x}"]  # fmt: skip
ITEMS = ["masala chai", "cutting chai", "filter coffee", "bun maska", "cold brew", "elaichi chai"]
FACTOR = {"giveaway": 5.0}


def world(seed=0, *, owned=True, n_brand=120, n_audience=600):
    rng = np.random.default_rng(seed)
    rows, i = [], 0
    start = datetime(2026, 9, 1, 4, tzinfo=UTC)
    base = {"chaiandco": 60, "brewbros": 90, "kettlekings": 50, "kettlekings.bsky.social": 20}
    for handle, level in base.items():
        for _ in range(n_brand if "bsky" not in handle else n_brand // 3):
            r = rng.random()
            if owned and handle.startswith("kettlekings") and r < 0.35:
                theme, template = "tasting", TASTING[int(rng.integers(len(TASTING)))]
            else:
                theme = "giveaway" if r > 0.85 else ("monsoon" if rng.random() < 0.5 else "menu")
                template = SHARED[theme][int(rng.integers(len(SHARED[theme])))]
            likes = int(level * FACTOR.get(theme, 1.0) * rng.lognormal(0, 0.25))
            tags = ["teatasting"] if theme == "tasting" else ["chai", handle.split(".")[0]]
            rows.append({"platform": "bluesky" if "bsky" in handle else "twitter", "post_id": str(i),
                         "author_handle": handle, "author_id": f"id-{handle}", "text": template.format(x=ITEMS[i % 6]),
                         "created_at": start + timedelta(hours=int(rng.integers(0, 29 * 24))), "hashtags": tags,
                         "likes": likes, "reposts": 1, "replies": 0})  # fmt: skip
            i += 1
    for _ in range(n_audience):
        rows.append({"platform": "twitter", "post_id": str(i), "author_handle": f"fan{i % 97}",
                     "text": AUDIENCE_TEXTS[int(rng.integers(len(AUDIENCE_TEXTS)))].format(x=ITEMS[i % 6]),
                     "created_at": start + timedelta(hours=int(rng.integers(0, 29 * 24))), "hashtags": ["pune"],
                     "likes": int(rng.integers(0, 20))})  # fmt: skip
        i += 1
    return posts_frame(rows)


@pytest.fixture(scope="module")
def found():
    return content_pillars(world(), BRANDS, PERIOD, n_pillars=6)


def _tasting(found) -> int:
    """The pillar of the planted theme: most of its top terms are the theme's."""
    words = {"darjeeling", "assam", "tasting", "#teatasting", "loose", "leaf", "flush", "nilgiri"}
    hits = found.table.loc[found.table["terms"].map(lambda t: len(words & set(t.split(", "))) >= 3), "pillar"]
    assert len(hits) == 1, found.table
    return int(hits.iloc[0])


def test_the_theme_one_competitor_owns_is_found_and_is_the_first_gap(found):
    pillar = _tasting(found)
    shares = found.shares.set_index(["who", "pillar"])["share_posts"]
    assert shares[("Kettle Kings", pillar)] > 0.25
    assert shares[("Chai & Co", pillar)] == 0 and shares[("Brew Bros", pillar)] == 0
    assert shares[(AUDIENCE, pillar)] < 0.02
    first = found.gaps.iloc[0]
    assert (first["pillar"], first["competitor"]) == (pillar, "Kettle Kings") and first["gap"] > 0.25
    assert (
        first["sentence"].startswith("Kettle Kings gives ")
        and "Chai & Co gives it 0% (0 of " in first["sentence"]
    )
    assert not ((found.gaps["competitor"] == "Brew Bros") & (found.gaps["pillar"] == pillar)).any()
    assert found.shares.groupby("who")["share_posts"].sum().round(9).eq(1).all()
    row = found.table.set_index("pillar").loc[pillar]
    assert len(row["examples"]) == 2 and all(isinstance(t, str) and t for t in row["examples"])
    assert " · " in row["label"] and "kettlekings" not in row["terms"]


def test_the_audience_has_its_own_themes(found):
    audience = found.shares.loc[found.shares["who"] == AUDIENCE].sort_values("share_posts", ascending=False)
    top = found.table.set_index("pillar").loc[audience["pillar"].iloc[:2], "terms"]
    words = " ".join(top)
    assert {"study", "wifi", "book", "street", "food", "novel", "club", "laptop"} & set(
        words.replace(",", " ").split()
    )


def test_giveaways_earn_more(found):
    perf = found.performance
    best = perf.iloc[0]
    terms = found.table.set_index("pillar").loc[best["pillar"], "terms"]
    assert any(w in terms for w in ("giveaway", "win", "friends", "розыгрыш", "गिवअवे")), perf
    assert best["times_usual"] > 3 and best["significant"] and best["posts"] >= 10
    assert "times their account's usual" in best["sentence"]


def test_same_posts_and_seed_same_pillars(found):
    again = content_pillars(world(), BRANDS, PERIOD, n_pillars=6)
    pd.testing.assert_frame_equal(found.table, again.table)
    pd.testing.assert_frame_equal(found.posts, again.posts)


def test_a_market_where_everyone_talks_alike_has_no_gap():
    same = content_pillars(world(1, owned=False), BRANDS, PERIOD, n_pillars=6)
    assert same.gaps.empty and same.gaps.attrs[WHY_EMPTY].startswith("No competitor gives a theme")


def test_fitting_on_a_sample_still_assigns_every_post():
    small = content_pillars(world(2), BRANDS, PERIOD, n_pillars=6, fit_sample=300)
    assert len(small.posts) == len(world(2))
    assert small.posts["pillar"].notna().mean() > 0.95
    _tasting(small)


def test_degenerate_inputs_say_why():
    empty = content_pillars(posts_frame([]), BRANDS, PERIOD)
    for table in (empty.table, empty.shares, empty.gaps, empty.performance):
        assert table.empty and table.attrs[WHY_EMPTY]
    one = world(3, n_brand=3, n_audience=0)
    assert content_pillars(one, BRANDS, PERIOD).table.attrs[WHY_EMPTY].startswith("Too few posts")
    silent = world(4).assign(text=None, hashtags=[[] for _ in range(len(world(4)))])
    assert content_pillars(silent, BRANDS, PERIOD).table.empty
    no_client = content_pillars(world(5), BRANDS[1:], PERIOD, n_pillars=6)
    assert no_client.gaps.attrs[WHY_EMPTY].startswith("No client brand")
    # Real data (a politician's timeline, a set of troll accounts): no audience posts at all, or
    # an audience with no brand posts. The side that has posts still gives its themes.
    brands_only = content_pillars(world(6, n_audience=0), BRANDS, PERIOD, n_pillars=6)
    assert set(brands_only.table["found_in"]) == {"brands"} and len(brands_only.table) >= 2
    audience_only = content_pillars(world(7, n_brand=0), BRANDS, PERIOD, n_pillars=6)
    assert set(audience_only.table["found_in"]) == {"audience"}


WORDS = [
    "chai",
    "coffee",
    "rain",
    "book",
    "wifi",
    "tasting",
    "чай",
    "кофе",
    "चाय",
    "बारिश",
    "giveaway",
    "win",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["chaiandco", "brewbros", "fan1", "fan2"]),
                          st.lists(st.sampled_from(WORDS), max_size=6), st.one_of(st.none(), st.integers(0, 500))),
                max_size=80))  # fmt: skip
def test_any_small_market_gives_consistent_tables(rows):
    posts = posts_frame([{"platform": "twitter", "post_id": str(i), "author_handle": h, "text": " ".join(ws),
                          "created_at": datetime(2026, 9, 2 + i % 20, 6, tzinfo=UTC), "likes": n}
                         for i, (h, ws, n) in enumerate(rows)])  # fmt: skip
    found = content_pillars(posts, BRANDS, PERIOD, n_pillars=4)
    assert len(found.posts) == len(posts)
    if not found.table.empty:
        assert found.table["posts"].sum() == found.posts["pillar"].notna().sum()
        assert set(found.posts["pillar"].dropna()) <= set(found.table["pillar"])
    for table in (found.shares, found.gaps, found.performance):
        assert not table.empty or table.attrs.get(WHY_EMPTY)


# --- the demo world ------------------------------------------------------------------------------


def test_demo_kettle_kings_owns_the_tea_tasting_pillar(demo_world):
    demo, period = demo_world
    truth = demo.truth["pillar"]
    found = content_pillars(demo.posts, demo.brands, period)
    pillar = _tasting(found)
    shares = found.shares.set_index(["who", "pillar"])["share_posts"]
    assert shares[("Kettle Kings", pillar)] == pytest.approx(truth["share"], abs=0.05)
    assert all(shares[(b, pillar)] == 0 for b in ("Chai & Co", "Brew Bros", "Masala Mornings"))
    assert shares[(AUDIENCE, pillar)] < 0.01
    first = found.gaps.iloc[0]
    assert (first["pillar"], first["competitor"]) == (pillar, "Kettle Kings")
    assert found.table.set_index("pillar").loc[pillar, "found_in"] == "brands"
    # video earns more (truth 2): the pillar of the video posts' words is among the significant winners
    winners = found.performance.loc[
        found.performance["significant"] & (found.performance["uplift"] > 1), "label"
    ]
    assert winners.str.contains("watch").any()
