"""The calendar and the market: period bounds, brands, communities, budgets and activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_SEED: int = 20261126
DEFAULT_POSTS: int = 24_000  # posts inside the 90-day analysis period (the previous period adds more)

# --- the calendar --------------------------------------------------------------------------------

_TZ = 19_800  # Asia/Kolkata is UTC+05:30 all year (no DST)
_FIRST_DAY, _PERIOD_START, _PERIOD_END = date(2026, 5, 3), date(2026, 8, 1), date(2026, 10, 29)
_N_DAYS = (_PERIOD_END - _FIRST_DAY).days + 1  # 180: previous period + analysis period
_NEG_START, _NEG_END = date(2026, 9, 15), date(2026, 9, 29)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _midnight(d: date) -> int:
    """Local midnight starting ``d``, as UTC epoch seconds."""
    return (d - date(1970, 1, 1)).days * 86_400 - _TZ


# NOTE: the 5.5 h between local and UTC midnight at each period bound stay empty, so both
# readings of "2026-08-01" agree on which posts are in the period.
_START_MS = (_midnight(_FIRST_DAY) + _TZ) * 1000
_CUT_MS = _midnight(_PERIOD_START) * 1000
_QUIET_END_MS = _CUT_MS + _TZ * 1000
_END_MS = _midnight(_PERIOD_END + timedelta(1)) * 1000
_NEG_MS = (_midnight(_NEG_START) * 1000, _midnight(_NEG_END + timedelta(1)) * 1000)


# --- the market ----------------------------------------------------------------------------------


_BEST_FACTOR, _VIDEO_FACTOR, _GIVEAWAY_FACTOR, _POP_FACTOR = 2.5, 1.8, 5.0, 1.4  # the planted effects
# Truth 9: two Masala Mornings recipe posts (#chairecipe) earn 7x its usual, on the first plain
# twitter post on or after each of these local dates.
_BREAKOUT_FACTOR, _BREAKOUT_TAG, _BREAKOUT_DAYS = 7.0, "chairecipe", (date(2026, 9, 6), date(2026, 10, 11))
# Truth 10: on this local day a Bluesky post about Kettle Kings' kulhad challenge goes viral and its
# fans post about it (mentions of Kettle Kings spike).
_WAVE_DAY, _WAVE_TAG, _WAVE_POSTS = date(2026, 9, 5), "kulhadchallenge", 60
# Truth 11: a second, earlier observation of the twitter brand profiles (a twarc2 users lookup at
# the period's start); followers grew by these factors to the counts the tweets carry.
_PROFILES_AT = "2026-08-01T06:00:00+00:00"
_FOLLOWER_GROWTH = (1.04, 1.15, 1.02, 1.08)  # Chai & Co, Brew Bros, Masala Mornings, Kettle Kings
# Truth 12: Kettle Kings' plain posts talk about tea tastings (its own content pillar) this often.
_TASTING_SHARE, _TASTING_TAG = 0.4, "teatasting"


@dataclass(frozen=True)
class _Brand:
    name: str
    twitter: str | None
    bluesky: str | None
    tag: str
    base: float  # mean engagement of a plain twitter post at the default size
    prev: float  # previous-period level relative to ``base``
    langs: tuple[float, float, float]  # en, hi, ru shares of its posts
    respond: float  # chance it answers an audience reply or mention
    respond_minutes: float  # median answer delay
    p_tw: float  # chance of using each twitter market slot in a week (its cadence)
    p_bs: float
    minute: int  # its posts go out at minute ``minute`` .. ``minute + 19`` of the slot hour
    followers: int
    bio: str


_BRANDS = (
    _Brand(
        "Chai & Co",
        "chaiandco",
        "chaiandco.bsky.social",
        "chaiandco",
        base=60,
        prev=1.0,
        langs=(0.75, 0.25, 0.0),
        respond=0.06,
        respond_minutes=180,
        p_tw=0.85,
        p_bs=0.8,
        minute=0,
        followers=18_400,
        bio="Pune's neighbourhood chai bar since 2016 ☕ 9 outlets · order on the app",
    ),
    _Brand(
        "Brew Bros",
        "brewbros",
        "brewbros.bsky.social",
        "brewbros",
        base=85,
        prev=1 / _POP_FACTOR,
        langs=(0.8, 0.0, 0.2),
        respond=0.12,
        respond_minutes=60,
        p_tw=0.95,
        p_bs=0.85,
        minute=20,
        followers=41_800,
        bio="Cold brew, filter coffee & big mugs. Koregaon Park · Baner · Hinjewadi",
    ),
    _Brand(
        "Masala Mornings",
        "masalamornings",
        None,
        "masalamornings",
        base=45,
        prev=1.0,
        langs=(0.6, 0.4, 0.0),
        respond=0.02,
        respond_minutes=720,
        p_tw=0.75,
        p_bs=0.0,
        minute=10,
        followers=9_300,
        bio="Masala chai, poha & misal from 7am. Family-run in Pune 🧡",
    ),
    _Brand(
        "Kettle Kings",
        "kettlekings",
        "kettlekings.bsky.social",
        "kettlekings",
        base=55,
        prev=1.0,
        langs=(0.8, 0.05, 0.15),
        respond=0.08,
        respond_minutes=240,
        p_tw=0.55,
        p_bs=0.7,
        minute=35,
        followers=15_200,
        bio="Tea kings of Pune 👑 Loose-leaf, kulhad & kettles to go",
    ),
)
_CC, _BB, _MM, _KK = range(4)
_BS_FACTOR = 0.6  # bluesky audiences are smaller: same brand, 60% of the engagement
_BEST = {"twitter": (3, 19), "bluesky": (5, 10)}
_GIVEAWAYS_PER_ACCOUNT = {"twitter": 3, "bluesky": 2}


def _market_slots(platform: str) -> dict[tuple[int, int], float]:
    """(weekday, hour) -> engagement factor of the weekly slots brands post in."""
    if platform == "twitter":
        slots = {(wd, h): f for wd in range(7) for h, f in ((9, 0.95), (13, 1.0), (18, 1.1))}
        slots.update({(5, 11): 1.1, (6, 17): 1.15})
    else:
        slots = {(wd, h): f for wd in range(7) for h, f in ((10, 1.0), (20, 1.05))}
    slots[_BEST[platform]] = _BEST_FACTOR
    return slots


@dataclass(frozen=True)
class _Community:
    name: str
    code: str  # key of its texts
    platform: str  # one platform each: the graph keys nodes by platform:handle
    lang: str
    share: float  # of the audience
    hashtags: tuple[str, ...]  # most popular first (Zipf)
    favourites: tuple[tuple[int, float], ...]  # (brand, share of members for whom it is the favourite)
    langs: tuple[float, float, float]  # en, hi, ru shares of members' posts
    devoted: float = 0.0  # share planted as devoted to both Brew Bros and Kettle Kings


_COMMUNITIES = (
    _Community(
        "Pune foodies",
        "foodies",
        "twitter",
        "en",
        0.28,
        tuple(
            "punefood chailover punecafes foodiesofpune punefoodie streetfood vadapav monsoonvibes "
            "punediaries".split()
        ),
        favourites=((_CC, 0.75), (_MM, 0.25)),
        langs=(0.9, 0.1, 0.0),
    ),
    _Community(
        "Hindi chai lovers",
        "hindi",
        "twitter",
        "hi",
        0.24,
        tuple("चाय चायप्रेमी चाय_पे_चर्चा पुणे सुबह_की_चाय अदरक_वाली_चाय मानसून चाय_की_चुस्की".split()),
        favourites=((_MM, 0.75), (_CC, 0.25)),
        langs=(0.2, 0.8, 0.0),
    ),
    _Community(
        "Russian expats",
        "russian",
        "twitter",
        "ru",
        0.14,
        tuple("чай пуна индия экспаты жизньвиндии русскиевиндии кофе завтрак".split()),
        favourites=((_BB, 0.5), (_KK, 0.5)),
        langs=(0.15, 0.0, 0.85),
        devoted=0.3,
    ),
    _Community(
        "Remote workers / students",
        "remote",
        "bluesky",
        "en",
        0.20,
        tuple("wfh studygram cafework remotework digitalnomad studywithme laptopfriendly coldbrew".split()),
        favourites=((_BB, 0.55), (_KK, 0.45)),
        langs=(0.93, 0.05, 0.02),
        devoted=0.2,
    ),
    _Community(
        "Pune readers & gamers",
        "readers",
        "bluesky",
        "en",
        0.14,
        tuple("punereads bookclub boardgames booksandchai sundayreads bookstagram".split()),
        favourites=((_CC, 1.0),),
        langs=(0.95, 0.03, 0.02),
    ),
)
_LANGS = ("en", "hi", "ru")
_OTHER_BRAND_AFFINITY = 0.03  # a member touching a brand that is not its favourite
_CROSS, _BRIDGE_CROSS, _BRIDGE_SHARE = 0.04, 0.35, 0.02
_RING_SIZE, _RING_BURSTS = 12, 6
# Truth 9, the reply brigade: 8 ordinary-looking accounts answer six Kettle Kings tweets (the first
# plain one on or after each date) within two minutes of each other, with near-identical complaints.
_BRIGADE_SIZE, _BRIGADE_BRAND, _BRIGADE_WINDOW_MS = 8, _KK, 120_000
_BRIGADE_DATES = tuple(date(2026, m, d) for m, d in ((8, 6), (8, 20), (9, 3), (9, 17), (10, 1), (10, 15)))

# Shares of the audience's budget of posts per period (they sum to 1).
# NOTE: interactions inside communities outweigh those with brands ~5:3, or Louvain groups fans by brand.
_BUDGET = {
    "brand_reply": 0.12,
    "brand_repost": 0.09,
    "brand_quote": 0.02,
    "mention": 0.07,
    "cpost": 0.20,
    "cchild": 0.36,
    "cmention": 0.14,
}
_CHILD_SPLIT = (0.54, 0.37, 0.09)  # replies, reposts, quotes among community children

# Hourly activity of the audience, local time (people post at breakfast, lunch and evening).
_HOURS = (
    0.6,
    0.3,
    0.15,
    0.1,
    0.1,
    0.2,
    0.6,
    1.2,
    2.0,
    2.2,
    1.8,
    1.6,
    1.9,
    2.1,
    1.6,
    1.4,
    1.5,
    1.8,
    2.3,
    2.6,
    2.7,
    2.4,
    1.8,
    1.1,
)
_WEEKDAY_ACTIVITY = (0.95, 0.93, 0.95, 0.97, 1.0, 1.12, 1.08)
