"""Spikes: days far above a brand's usual, explained in a sentence, on planted truth."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from research.analyses.metrics import WHY_EMPTY, Period
from research.analyses.spikes import explain_spike, spikes
from research.brands import Brand
from research.schema import posts_frame

PERIOD = Period(date(2026, 9, 1), date(2026, 9, 30), "Asia/Kolkata")
BRANDS = [
    Brand("Chai & Co", "client", (("twitter", "chaiandco"),)),
    Brand("Kettle Kings", "competitor", (("twitter", "kettlekings"),)),
]
FANS = [f"fan{i}" for i in range(60)]
VIRAL_DAY = date(2026, 9, 12)
NEGATIVE_DAY = date(2026, 9, 20)
CHATTER = ["Loved the masala chai at @{b} today", "@{b} are you open on Sunday?", "Trying the bun maska at @{b}",
           "Best cutting chai in Baner, thanks @{b}", "@{b} do you deliver to Aundh?"]  # fmt: skip


def _row(i, author, day, text, *, hour=12, tags=(), mentions=(), sentiment=None, likes=1, **extra):
    created = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=hour - 5, minutes=i % 50
    )
    return {"platform": "twitter", "post_id": str(i), "author_id": f"id-{author}", "author_handle": author,
            "created_at": created, "text": text, "lang": "en", "hashtags": list(tags), "mentions": list(mentions),
            "likes": likes, "reposts": 0, "replies": 0, "quotes": 0, "sentiment": sentiment,
            "url": f"https://twitter.com/{author}/status/{i}", **extra}  # fmt: skip


def planted_world(seed=0, *, viral=True, complaints=True, sentiment=True):
    """60 days of steady chatter about two brands; a viral challenge about Kettle Kings on 12 Sep and a
    complaint wave about Chai & Co on 20 Sep."""
    rng = np.random.default_rng(seed)
    rows, i = [], 0
    for d in range(60):
        day = date(2026, 8, 2) + timedelta(days=d)
        for handle in ("chaiandco", "kettlekings"):
            for _ in range(2):  # own posts
                rows.append(_row(i, handle, day, "Fresh chai today", hour=9, likes=int(rng.integers(40, 60))))
                i += 1
            for _ in range(int(rng.integers(6, 10))):
                fan = FANS[int(rng.integers(len(FANS)))]
                sentiment_of = "negative" if rng.random() < 0.05 else "positive"
                rows.append(_row(i, fan, day, CHATTER[int(rng.integers(len(CHATTER)))].format(b=handle),
                                 mentions=[handle], tags=["chai"] if rng.random() < 0.3 else [],
                                 sentiment=sentiment_of, hour=int(rng.integers(8, 22))))  # fmt: skip
                i += 1
    if viral:
        rows.append(_row(10_000, "fan1", VIRAL_DAY, "The @kettlekings kulhad challenge: finish a clay kulhad in one sip!",
                         tags=["kulhadchallenge"], mentions=["kettlekings"], likes=900, replies=140, reposts=300,
                         quotes=40, sentiment="positive"))  # fmt: skip
        for k in range(45):
            rows.append(_row(10_001 + k, f"new{k}", VIRAL_DAY, f"Did the kulhad challenge at @kettlekings, clay cup {k}",
                             tags=["kulhadchallenge", "chai"], mentions=["kettlekings"], sentiment="positive",
                             reply_to_post_id="10000" if k % 3 == 0 else None))  # fmt: skip
    if complaints:
        for k in range(14):
            rows.append(_row(20_000 + k, FANS[30 + k], NEGATIVE_DAY, f"@chaiandco cold chai, worst service {k}",
                             mentions=["chaiandco"], sentiment="negative"))  # fmt: skip
    frame = posts_frame([{k: v for k, v in r.items() if k != "sentiment"} for r in rows])
    if sentiment:
        frame["sentiment"] = pd.array([r["sentiment"] for r in rows], dtype="string")
    return frame


@pytest.fixture(scope="module")
def world():
    return planted_world()


def test_the_viral_day_and_the_complaint_day_are_found_with_their_causes(world):
    # a group of accounts that only ever post together, and one of regular fans
    groups = pd.DataFrame({"account": [f"twitter:new{k}" for k in range(0, 45, 3)] + [f"twitter:{f}" for f in FANS[:15]],
                           "group": ["G1"] * 15 + ["G2"] * 15})  # fmt: skip
    found = spikes(world, BRANDS, PERIOD, groups=groups)
    got = {(r.brand, r.kind, r.date) for r in found.itertuples()}
    assert ("Kettle Kings", "mentions", VIRAL_DAY) in got
    assert ("Chai & Co", "negative", NEGATIVE_DAY) in got
    assert got <= {("Kettle Kings", "mentions", VIRAL_DAY), ("Chai & Co", "negative", NEGATIVE_DAY),
                   ("Chai & Co", "mentions", NEGATIVE_DAY)}  # fmt: skip
    viral = found.set_index(["brand", "kind"]).loc[("Kettle Kings", "mentions")]
    assert viral["value"] == viral["posts"] and viral["value"] >= 46 and viral["usual"] < 12
    assert viral["top_post_id"] == "10000" and viral["top_hashtag"] == "kulhadchallenge"
    assert {"kulhad", "challenge"} <= set(viral["words"].split(", "))
    assert viral["group"] == "G1"
    sentence = viral["sentence"]
    assert (
        sentence.startswith("On Saturday 12 Sep 2026, ")
        and "posts were addressed to Kettle Kings" in sentence
    )
    # a third of the day's posts reply to the viral post: its thread is the cause
    assert (
        "15 of the day's 52 posts answered or quoted @fan1's \u201cThe @kettlekings kulhad challenge"
        in sentence
    )
    alone = spikes(world.loc[world["reply_to_post_id"].isna()], BRANDS, PERIOD)
    viral_alone = alone.set_index(["brand", "kind"]).loc[("Kettle Kings", "mentions"), "sentence"]
    assert (
        "The most discussed post was @fan1's" in viral_alone
        and "140 replies, 300 reposts, 40 quotes" in viral_alone
    )
    assert "#kulhadchallenge rose most" in sentence and "(group G1)" in sentence
    assert 2 <= len(viral["examples"]) <= 3 and viral["examples"][0]["author"] == "@fan1"
    assert len({e["text"] for e in viral["examples"]}) == len(viral["examples"])
    negative = found.set_index(["brand", "kind"]).loc[("Chai & Co", "negative")]
    assert negative["value"] >= 14 and "posts about Chai & Co were negative" in negative["sentence"]
    assert pd.isna(negative["group"])  # G2 (regular fans) wrote none of the complaints
    assert {"cold", "worst", "service"} & set(negative["words"].split(", "))


def test_sentiment_is_scored_when_the_posts_have_none():
    posts = planted_world(viral=False, sentiment=False)
    found = spikes(posts, BRANDS, PERIOD, kinds=("negative",))
    assert list(zip(found["brand"], found["date"], strict=True)) == [("Chai & Co", NEGATIVE_DAY)]


def test_posts_without_text_are_explained_without_their_words(world):
    # Real exports hold posts with no text (a photo with no caption): the day is still explained.
    silent = world.assign(text=pd.Series(pd.NA, index=world.index, dtype="string"))
    found = spikes(silent, BRANDS, PERIOD)
    assert len(found) and found["sentence"].str.startswith("On ").all()


def test_explain_any_day(world):
    why = explain_spike(world, BRANDS, PERIOD, "Kettle Kings", "mentions", VIRAL_DAY)
    assert "kulhad" in why["sentence"] and why["examples"]
    calm = explain_spike(world, BRANDS, PERIOD, "Chai & Co", "engagement", date(2026, 9, 3))
    assert calm["sentence"].startswith("On Thursday 3 Sep 2026, Chai & Co's own posts (2) earned")


def test_null_world_has_no_spikes():
    found = spikes(planted_world(3, viral=False, complaints=False), BRANDS, PERIOD)
    assert found.empty and found.attrs[WHY_EMPTY] == "No day in the period was far above a brand's usual."


def test_degenerate_inputs():
    empty = spikes(posts_frame([]), BRANDS, PERIOD)
    assert empty.empty and empty.attrs[WHY_EMPTY].startswith("There are no posts")
    one = posts_frame([_row(1, "fan1", date(2026, 9, 5), "@kettlekings hi", mentions=["kettlekings"])])
    assert (
        spikes(one, BRANDS, PERIOD).attrs[WHY_EMPTY] == "No day in the period was far above a brand's usual."
    )
    late = posts_frame([_row(1, "fan1", date(2026, 9, 28), "@kettlekings hi", mentions=["kettlekings"])])
    assert "fewer than 7 days" in spikes(late, BRANDS, PERIOD).attrs[WHY_EMPTY]
    assert spikes(one, [BRANDS[0]], PERIOD).empty  # one brand, never mentioned
    with pytest.raises(ValueError, match="'likes' is not one of"):
        spikes(one, BRANDS, PERIOD, kinds=("likes",))


@st.composite
def steady_world(draw):
    """Each day 3-4 mentions of a brand and 2 own posts with engagement within 20% of a level: nothing spikes."""
    rows, i = [], 0
    level = draw(st.integers(0, 10_000))
    days = draw(st.integers(0, 50))
    for d in range(days):
        day = date(2026, 9, 30) - timedelta(days=d)
        for _ in range(draw(st.integers(3, 4))):
            rows.append(_row(i, draw(st.sampled_from(FANS)), day, draw(st.sampled_from(CHATTER)).format(b="chaiandco"),
                             mentions=["chaiandco"], sentiment=draw(st.sampled_from(["negative", "positive", None]))))  # fmt: skip
            i += 1
        for _ in range(2):
            rows.append(_row(i, "chaiandco", day, "Fresh chai", likes=int(level * draw(st.floats(0.8, 1.2)))))
            i += 1
    frame = posts_frame([{k: v for k, v in r.items() if k != "sentiment"} for r in rows])
    frame["sentiment"] = pd.array([r["sentiment"] for r in rows], dtype="string")
    return frame


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steady_world())
def test_steady_worlds_have_no_spikes(posts):
    found = spikes(posts, BRANDS, PERIOD)
    assert found.empty and found.attrs[WHY_EMPTY]


# --- the demo world ------------------------------------------------------------------------------


def test_demo_spikes_are_the_planted_ones(demo_world):
    demo, period = demo_world
    truth = demo.truth
    ring = pd.DataFrame(
        {"account": [f"twitter:{h}" for h in truth["suspicious"]], "group": "of 12 new accounts"}
    )
    found = spikes(demo.posts, demo.brands, period, groups=ring)
    rows = found.set_index(["brand", "kind", "date"])
    wave = rows.loc[("Kettle Kings", "mentions", date.fromisoformat(truth["spike"]["date"]))]
    assert (
        wave["top_hashtag"] == truth["spike"]["hashtag"]
        and wave["top_post_id"] == truth["spike"]["viral_post"]["post_id"]
    )
    assert {"kulhad", "challenge"} <= set(wave["words"].split(", ")) and wave["times_usual"] > 3
    assert "#kulhadchallenge rose most" in wave["sentence"] and pd.isna(wave["group"])
    stretch = truth["negative_stretch"]
    bursts = {date(2026, 10, 3) + timedelta(days=4 * k) for k in range(6)}  # the ring's six October bursts
    negative = found.loc[found["kind"] == "negative"]
    stretch_days = negative.loc[negative["brand"] == "Masala Mornings", "date"]
    assert len(stretch_days) >= 5 and all(
        stretch["start"] <= d.isoformat() <= stretch["end"] for d in stretch_days
    )
    # The reply brigade (truth 13) makes Kettle Kings' negative days: the days of the tweets it targets.
    posts = demo.posts.set_index("post_id")
    local = posts["created_at"].dt.tz_convert(period.timezone).dt.date
    targeted = {local[p] for p in truth["brigade"]["target_posts"]}
    brigade_days = negative.loc[negative["brand"] == "Kettle Kings", "date"]
    assert len(brigade_days) >= 3 and set(brigade_days) <= targeted
    # Anything else is noise: at most one of the 360 other brand-days.
    assert len(negative) - len(stretch_days) - len(brigade_days) <= 1
    mentions = found.loc[found["kind"] == "mentions"]
    assert set(mentions["date"]) <= bursts | {date.fromisoformat(truth["spike"]["date"])}
    ring_days = mentions.loc[mentions["brand"] == "Masala Mornings"]
    assert len(ring_days) >= 4 and (ring_days["group"] == "of 12 new accounts").all()
    assert ring_days["sentence"].str.contains("came from accounts that act together").all()
    # engagement spikes: days of a giveaway or a breakout post, or of the best slots (Thursday, Saturday)
    planted = {(p["brand"], p["date"]) for p in truth["giveaways"]["posts"]}
    planted |= {("Masala Mornings", p["date"]) for p in truth["breakouts"]["posts"]}
    for r in found.loc[found["kind"] == "engagement"].itertuples():
        assert (r.brand, r.date.isoformat()) in planted or r.date.weekday() in (3, 5), r
