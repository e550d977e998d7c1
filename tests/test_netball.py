"""Real data: Suncorp Super Netball, 8 rival team accounts and the #SSNTrade/#SSNSignings stream.

The benchmark must agree exactly with an independent pandas computation on the
raw CSVs (../shared/corpus/netball-teams-competitor, see its README).
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from research.analyses.competitors import scorecard, share_of_voice
from research.analyses.metrics import Period
from research.brands import Brand
from research.schema import posts_frame

FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "netball-teams-competitor"
pytestmark = pytest.mark.skipif(
    not FOLDER.is_dir(), reason="shared corpus (netball-teams-competitor) not available"
)

TZ = "Australia/Melbourne"
START, END = date(2021, 9, 6), date(2021, 10, 8)
PERIOD = Period(START, END, TZ)
STREAM = ["ssntrade", "ssnsignings"]
TEAMS = {  # handle -> (name, nickname fans use)
    "MelbourneVixens": ("Melbourne Vixens", "Vixens"),
    "NSWSwifts": ("NSW Swifts", "Swifts"),
    "FirebirdsQld": ("Queensland Firebirds", "Firebirds"),
    "collingwoodsn": ("Collingwood Magpies", "Magpies"),
    "sc_lightning": ("Sunshine Coast Lightning", "Lightning"),
    "GIANTS_Netball": ("GIANTS Netball", "Giants"),
    "AdelaideTBirds": ("Adelaide Thunderbirds", "Thunderbirds"),
    "WestCoastFever": ("West Coast Fever", "Fever"),
}
README_COUNTS = {"MelbourneVixens": 141, "NSWSwifts": 103, "FirebirdsQld": 86, "collingwoodsn": 74,
                 "sc_lightning": 65, "GIANTS_Netball": 46, "AdelaideTBirds": 34, "WestCoastFever": 27}  # fmt: skip
MENTION = re.compile(r"(?<!\w)@(\w+)")


@pytest.fixture(scope="module")
def raw():
    read = {"encoding": "utf-8-sig", "dtype": {"id": str, "username": str}}
    teams = pd.read_csv(FOLDER / "somethingAboutRiddlesAndFruit_teamTweets.csv", **read)
    stream = pd.read_csv(FOLDER / "somethingAboutRiddlesAndFruit.csv", **read)
    both = pd.concat([teams, stream], ignore_index=True).drop_duplicates("id", keep="first")
    both["tags"] = both["hashtags"].map(
        lambda v: [t.lower() for t in ast.literal_eval(v)] if isinstance(v, str) else []
    )
    return teams, both


@pytest.fixture(scope="module")
def posts(raw):
    _, both = raw
    rows = [
        {"platform": "twitter", "post_id": r.id, "url": r.url, "author_id": r.username.lower(),
         "author_handle": r.username.lower(), "created_at": r.date, "text": r.content, "lang": r.lang,
         "hashtags": r.tags, "mentions": [m.lower() for m in MENTION.findall(r.content)], "likes": r.likeCount,
         "reposts": r.retweetCount, "replies": r.replyCount, "quotes": r.quoteCount}
        for r in both.itertuples()
    ]  # fmt: skip
    return posts_frame(rows)


BRANDS = [Brand(name, "competitor", (("twitter", handle.lower()),)) for handle, (name, _) in TEAMS.items()]
ALIASES = {name: [nick] for name, nick in TEAMS.values()}


def test_posts_and_median_likes_per_team(raw, posts):
    teams, _ = raw
    card = scorecard(posts, None, BRANDS, PERIOD).set_index("brand")
    expected_posts = teams["username"].value_counts()
    engagement = teams[["likeCount", "retweetCount", "replyCount", "quoteCount"]].sum(axis=1)
    for handle, (name, _) in TEAMS.items():
        mine = teams["username"] == handle
        assert card.loc[name, "posts"] == expected_posts[handle] == README_COUNTS[handle]
        assert card.loc[name, "likes_median"] == teams.loc[mine, "likeCount"].median()
        assert card.loc[name, "engagement_median"] == engagement[mine].median()
        assert card.loc[name, "posts_per_week"] == pytest.approx(expected_posts[handle] / (33 / 7))


def test_share_of_voice_matches_pandas(raw, posts):
    _, both = raw
    sov = share_of_voice(posts, BRANDS, PERIOD, hashtags=STREAM, aliases=ALIASES).set_index("brand")
    stream = both[both["tags"].map(lambda tags: bool(set(tags) & set(STREAM)))]
    mentioned = stream["content"].map(lambda text: {m.lower() for m in MENTION.findall(text)})
    engagement = stream[["likeCount", "retweetCount", "replyCount", "quoteCount"]].sum(axis=1)
    counts, engaged = {}, {}
    for handle, (name, nick) in TEAMS.items():
        named = stream["content"].str.contains(
            rf"(?<!\w)(?:{re.escape(name)}|{nick})(?!\w)", case=False, regex=True
        )
        voice = (stream["username"] == handle) | mentioned.map(lambda ms, h=handle: h.lower() in ms) | named
        counts[name], engaged[name] = int(voice.sum()), int(engagement[voice].sum())
    total, total_engaged = sum(counts.values()), sum(engaged.values())
    assert sov["stream_posts"].iloc[0] == len(stream)
    for name in counts:
        assert sov.loc[name, "posts"] == counts[name]
        assert sov.loc[name, "share_of_voice"] == pytest.approx(counts[name] / total, abs=1e-12)
        assert sov.loc[name, "share_of_stream"] == pytest.approx(counts[name] / len(stream), abs=1e-12)
        assert sov.loc[name, "engagement_share"] == pytest.approx(engaged[name] / total_engaged, abs=1e-12)
    assert sov["share_of_voice"].sum() == pytest.approx(1)
    assert sov["posts"].min() > 0  # every team is talked about in the trade period
