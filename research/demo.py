"""The demo world: a seeded, believable café market written in real collector formats.

``generate(out_dir)`` writes what an analyst would have after scraping the market of
**Chai & Co**, a café chain in Pune (the client; timezone Asia/Kolkata), and its competitors
**Brew Bros**, **Masala Mornings** and **Kettle Kings**:

- ``demo-twitter.jsonl``: ``snscrape --jsonl`` output of snscrape 0.7.0.20230622: ``Tweet``
  dataclass JSON byte for byte as snscrape writes it (``_type`` first, fields in dataclass
  order, deprecated properties after them, ``_snscrape`` last, ASCII-escaped);
- ``demo-bluesky.json``: a JSON array of ``app.bsky.feed.defs#feedViewPost`` items as
  ``getAuthorFeed``/``getFeed`` return them, one item per line (UTF-8);
- ``truth.json``: the planted truths below, with exact numbers measured on the written posts.

Same ``seed`` and ``posts`` give byte-identical files: every draw comes from numpy
``SeedSequence`` streams, nothing reads the clock, and no set or ``hash()`` order reaches the
output. Posts are written in time order (oldest first) as they are simulated, so memory stays
small; from 10,000 posts the two periods are simulated in two processes (same bytes).

Time
----
The analysis period is 2026-08-01 .. 2026-10-29 (local dates, inclusive) and the previous
period the 90 days before (2026-05-03 .. 2026-07-31), at the same volume. Nothing is posted
between local midnight and 05:30 on 2026-05-03 and 2026-08-01, nor after 2026-10-29, so reading
the bounds as Asia/Kolkata dates or as UTC dates selects the same posts. A repost's time is the
retweet's ``date`` or the Bluesky ``reason.indexedAt``. The periods are simulated apart, so
replies and reposts of July posts stop at the cut (their counts still include them).

Accounts
--------
Brand accounts: Chai & Co ``chaiandco`` (twitter) and ``chaiandco.bsky.social``; Brew Bros
``brewbros`` and ``brewbros.bsky.social``; Masala Mornings ``masalamornings`` (twitter only);
Kettle Kings ``kettlekings`` and ``kettlekings.bsky.social``. About 3,000 audience accounts at
the default size (growing as ``posts ** 0.8``) belong to five communities, each on one platform
because the interaction graph keys nodes by ``platform:handle``.

Planted truths (``truth`` keys)
-------------------------------
Engagement is likes + reposts + replies + quotes (views and bookmarks excluded). "Brand posts"
are original posts (not replies) of brand accounts.

1. ``best_slot``: brand posts go out only in weekly market slots (local weekday x hour, each
   holding 20+ posts per period). Twitter Thursday 19:00-19:59 and Bluesky Saturday
   10:00-10:59 earn 2.5x what the same brand earns elsewhere (other slots: 0.95-1.15x), and
   every brand account posts there every week: 52 and 39 posts in the period. Noise is clipped
   and the brand plan is re-drawn unless the slot's mean beats the runner-up's by 1.5x. The
   pooled ratio to other slots (~2.0-2.6, brand mixes differ) and the runner-up are recorded.
2. ``format_uplift``: brand video posts earn 1.8x the engagement of photo, text, link and poll
   posts (media mixes are dealt as quotas per account and period).
3. ``giveaways``: 3 twitter and 2 bluesky posts per brand account and period are giveaways
   (English "giveaway"/"win", Hindi "गिवअवे"/"जीतें", Russian "розыгрыш"/"выиграй") earning 5x,
   never in the best slot, at most one per slot; ids, local dates and engagement are listed.
4. ``communities``: "Pune foodies" (twitter, en), "Hindi chai lovers" (twitter, hi), "Russian
   expats" (twitter, ru), "Remote workers / students" (bluesky, en) and "Pune readers &
   gamers" (bluesky, en), each with its own Zipf-popular hashtags and favourite brands. Members
   reply to, mention, repost and quote fellow members (96%; 2% "bridges" go outside 35% of
   the time) more than they touch brands (about 5:3), and each mentions a fellow member at
   least once per period, so Louvain recovers the communities (NMI ~0.95 at the default size).
   ``community_of`` maps every audience handle to its community (the ring excepted).
5. ``overlap``: a brand's engaged audience is the set of non-brand accounts that replied to,
   mentioned, reposted or quoted any of its accounts in the analysis period (tweet replies and
   retweets also list the target in ``mentionedUsers``). 30% of "Russian expats" and 20% of
   "Remote workers / students" are devoted to both Brew Bros and Kettle Kings and mention each
   at least once in the period; everyone else has one favourite and touches other brands 3%
   as often. Sizes, shared members and Jaccard of all six pairs are measured on the posts.
6. ``suspicious``: 12 twitter accounts created 3-25 days before their first post, with 0-15
   followers and 2,000-4,999 followings, post near-identical Masala Mornings promotions in six
   October bursts (each posts 2-4 times within 6 minutes). They belong to no community.
7. ``negative_stretch``: from 2026-09-15 to 2026-09-29 (local dates) 85% of audience posts
   mentioning Masala Mornings are complaints ("cold chai, worst service 😡", "बहुत खराब सेवा",
   "ужасный сервис"), such mentions rise 2.5x and retweets of its posts drop to a fifth. Outside
   it, mention posts are 60% positive, 32% neutral and 8% negative, and replies to brand posts
   positive. The complaint ids and measured negative shares are listed.
8. ``period_change``: Brew Bros earns 1.4x more per post in the analysis period than in the
   previous one; other brands are unchanged (engagement noise is dealt as the same normal
   quantiles in both periods, so medians move only here). Measured medians are given.

``counts`` has rows per platform and kind (post, reply, repost, quote), per-brand counts and the
languages of non-repost posts for each period. ``unsafe_text`` lists troll posts (every template
on both platforms in each period) carrying ``<script>alert(1)</script>``, ``<img src=x
onerror=alert(1)>`` or a leading ``=``/``+``/``-`` formula, and one account per platform with
such a display name.

Format notes for importers
--------------------------
- Tweet ``rawContent``/``renderedContent`` are HTML-escaped (``&amp;``, ``&lt;``, ``&gt;``), as
  Twitter's ``full_text`` is: unescape them. Links are ``https://t.co/...`` in ``rawContent``,
  expanded in ``links``; a photo or video tweet ends with its media's t.co link (not in
  ``links``); link tweets carry a ``SummaryCard``, polls a ``PollCard``.
- Retweets read ``RT @author: text``, nest the original in ``retweetedTweet`` and have zero
  counts and no ``viewCount`` of their own; quotes nest ``quotedTweet`` and link its permalink.
  Replies start with ``@parent`` and list the parent author first in ``mentionedUsers``.
- A Bluesky repost item is the original ``post`` plus ``reason`` (``by`` = the reposter, and
  the repost record's ``uri``/``cid``). Reply items carry ``reply.root``/``reply.parent`` post
  views. Mentions are facets with a DID whose byte span is ``@handle``. About 4% of records
  have no ``langs``. Nobody reposts the same post twice.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import heapq
import json
import math
import multiprocessing
import os
import re
import statistics
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

__all__ = ["DEFAULT_SEED", "DEFAULT_POSTS", "DemoWorld", "generate"]

DEFAULT_SEED: int = 20261126
DEFAULT_POSTS: int = 24_000  # posts inside the 90-day analysis period (the previous period adds more)

# --- the calendar --------------------------------------------------------------------------------

_TZ = 19_800  # Asia/Kolkata is UTC+05:30 all year (no DST)
_FIRST_DAY, _PERIOD_START, _PERIOD_END = date(2026, 5, 3), date(2026, 8, 1), date(2026, 10, 29)
_N_DAYS = (_PERIOD_END - _FIRST_DAY).days + 1  # 180: previous period + analysis period
_NEG_START, _NEG_END = date(2026, 9, 15), date(2026, 9, 29)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SNOWFLAKE_EPOCH = 1_288_834_974_657  # Twitter's snowflake epoch, ms
_SNSCRAPE = "0.7.0.20230622"


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


_DAYS_ISO: dict[int, str] = {}  # day number -> "YYYY-MM-DD"; datetime formatting is slow per post
_CLOCK: dict[int, str] = {}  # second of the day -> "HH:MM:SS"


def _stamp(ms: int) -> str:
    day, second = divmod(ms // 1000, 86_400)
    iso = _DAYS_ISO.get(day)
    if iso is None:
        iso = _DAYS_ISO[day] = (date(1970, 1, 1) + timedelta(day)).isoformat()
    clock = _CLOCK.get(second)
    if clock is None:
        clock = _CLOCK[second] = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
    return f"{iso}T{clock}"


def _iso_tw(ms: int) -> str:
    """snscrape's ``datetime.isoformat()`` of an aware UTC time."""
    return _stamp(ms) + "+00:00"


def _iso_bs(ms: int) -> str:
    """AT Protocol datetime: milliseconds and ``Z``."""
    return f"{_stamp(ms)}.{ms % 1000:03d}Z"


# --- the market ----------------------------------------------------------------------------------


_BEST_FACTOR, _VIDEO_FACTOR, _GIVEAWAY_FACTOR, _POP_FACTOR = 2.5, 1.8, 5.0, 1.4  # the planted effects


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

# --- words ---------------------------------------------------------------------------------------


def _bar(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split("|"))


_ITEMS = {
    "en": _bar(
        "masala chai | cutting chai | adrak chai | kulhad chai | filter coffee | cold brew | iced tea | "
        "bun maska | vada pav | poha | misal pav | samosa | cheese toast | elaichi chai | hazelnut latte"
    ),
    "hi": _bar(
        "मसाला चाय | कटिंग चाय | अदरक वाली चाय | कुल्हड़ चाय | फ़िल्टर कॉफ़ी | बन मस्का | वड़ा पाव | पोहा | समोसा | इलायची चाय"
    ),
    "ru": _bar("масала-чай | чай с имбирём | фильтр-кофе | колд брю | самосу | вада пав | чай с кардамоном"),
}
_PLACES = {
    "en": _bar(
        "Koregaon Park | FC Road | Baner | Viman Nagar | Kothrud | Aundh | Hinjewadi | Kalyani Nagar | "
        "Camp | Deccan | Wakad | Magarpatta"
    ),
    "hi": _bar("कोरेगांव पार्क | एफसी रोड | बानेर | विमान नगर | कोथरुड | औंध | हिंजवडी"),
    "ru": _bar("Корегаон-парке | Банере | Виман-Нагаре | Калиани-Нагаре | Аундхе | Котруде"),
}
_DAYS = {
    "en": _bar("Saturday | Sunday | Friday | Monday"),
    "hi": _bar("शनिवार | रविवार | शुक्रवार"),
    "ru": _bar("субботу | воскресенье | пятницу"),
}
_EMOJI = tuple("☕ 🍵 😍 🔥 ☔ ✨ 😋 🙌 💛 🥐 👌 🌧️ 😊 🧡".split())
_BOOKS = _bar(
    "Malgudi Days | The White Tiger | Sea of Poppies | The God of Small Things | Catan | Ticket to Ride"
)
_FIRST = _bar(
    "Aarav | Priya | Rohan | Sneha | Aditya | Ananya | Kunal | Neha | Siddharth | Pooja | Vikram | Isha | "
    "Rahul | Kavya | Omkar | Shruti | Nikhil | Tanvi | Yash | Riya | Manasi | Saurabh | Aditi | Harsh | "
    "Meera | Varun | Gauri | Tejas | Sakshi | Amit | Zoya | Farhan | Anjali | Dev"
)
_LAST = _bar(
    "Kulkarni | Deshpande | Joshi | Patil | Shinde | Gokhale | Bhosale | Sharma | Mehta | Iyer | Nair | "
    "Rao | Gupta | Jadhav | Pawar | Kale | Apte | Chavan | Deshmukh | Verma | Khan | DSouza"
)
_FIRST_HI = _bar("राहुल | प्रिया | अमित | नेहा | विकास | पूजा | संजय | अंजलि | रवि | सुनीता | आदित्य | कविता")
_LAST_HI = _bar("शर्मा | वर्मा | गुप्ता | सिंह | यादव | मिश्रा | तिवारी | पांडे | जोशी | कुलकर्णी")
# (handle part, display part)
_FIRST_RU = tuple(
    zip(
        _bar(
            "Anya | Dmitry | Olga | Sergey | Katya | Ivan | Masha | Alexei | Natasha | Pavel | Yulia | "
            "Nikita | Sveta | Artem | Irina"
        ),
        _bar(
            "Аня | Дмитрий | Ольга | Сергей | Катя | Иван | Маша | Алексей | Наташа | Павел | Юлия | "
            "Никита | Света | Артём | Ирина"
        ),
        strict=True,
    )
)
_LAST_RU = tuple(
    zip(
        _bar("smirnova | ivanov | petrova | volkov | sokolova | orlov"),
        _bar("С. | И. | П. | В. | С. | О."),
        strict=True,
    )
)
_SOURCES = tuple(
    (f'<a href="{url}" rel="nofollow">{label}</a>', url, label)
    for url, label in (
        ("http://twitter.com/download/android", "Twitter for Android"),
        ("http://twitter.com/download/iphone", "Twitter for iPhone"),
        ("https://mobile.twitter.com", "Twitter Web App"),
    )
)

# Texts, one per line: "<group>.<language or community code>  <template>". In templates {b} is a
# brand mention, {m}/{m2} member mentions; {item} {item2} {place} {day} {e} {book} {n} are filled
# from the lists above. "bio" lines are profile descriptions.
_TEXTS = """
brand.en        Fresh from our {place} kitchen: {item} made the slow way {e}
brand.en        Monsoon mood: {item} + {item2} {e}
brand.en        Good morning, Pune! {item} is ₹{n} all day today {e}
brand.en        New this week: {item} {e} Tag a chai buddy 👇
brand.en        Back by popular demand: {item} at {place} {e}
brand.en        Rain outside, {item} inside {e} Open 7am–11pm.
brand.hi        सुप्रभात पुणे! {item} आज सिर्फ़ ₹{n} में {e}
brand.hi        बारिश का मौसम और {place} में गरमा गरम {item} {e}
brand.hi        इस हफ़्ते नया: {item} {e} अपने दोस्त को टैग करें 👇
brand.ru        Доброе утро, Пуна! {item} сегодня за ₹{n} {e}
brand.ru        Новинка недели: {item} {e}
brand.ru        Сезон дождей: заходите в {place} за {item} {e}
video.en        🎥 Watch how we make {item} at {place} {e}
video.hi        🎥 देखिए कैसे बनती है {item} {e}
video.ru        🎥 Смотрите, как мы готовим {item} {e}
poll.en         Poll time! What's your go-to order? {e}
poll.hi         पोल: आपकी पसंदीदा चाय कौन सी है? {e}
poll.ru         Опрос: что вы заказываете чаще всего? {e}
link.en         Read our story: where our {item} comes from {e}
link.hi         हमारी कहानी: {item} कहाँ से आती है {e}
link.ru         Наша история: откуда берётся {item} {e}
giveaway.en     🎉 GIVEAWAY! Win a month of free {item}! Follow, like & tag 2 friends. Winner on {day}.
giveaway.en     🎁 Giveaway time: win a {place} breakfast for two. Reply with your favourite {item}!
giveaway.hi     🎉 गिवअवे! एक महीने की मुफ़्त {item} जीतें! फॉलो करें और 2 दोस्तों को टैग करें।
giveaway.ru     🎉 Розыгрыш! Выиграй месяц бесплатного чая! Подпишись и отметь двух друзей.
pos.en          Loved the {item} at {b} today {e}
pos.en          {b} your {item} never disappoints {e}
pos.en          Best {item} in {place}, thanks {b}! {e}
pos.en          Can't start my day without {b} {item} {e}
pos.en          Quick lunch at {b} in {place}, the {item} was spot on {e}
pos.hi          {b} की {item} लाजवाब है {e}
pos.hi          आज {b} पर {item} पी, बहुत बढ़िया {e}
pos.hi          {place} में {b} की चाय सबसे अच्छी है {e}
pos.ru          {b} лучший {item} в Пуне {e}
pos.ru          Отличный {item} в {b}, спасибо {e}
pos.ru          Обожаю {item} в {b} {e}
neu.en          {b} are you open on {day}?
neu.en          {b} do you deliver to {place}?
neu.en          Trying {item} at {b} for the first time
neu.en          Anyone been to the new {b} outlet in {place}?
neu.hi          {b} क्या आप {place} में डिलीवरी करते हैं?
neu.hi          {b} {day} को कब खुलता है?
neu.ru          {b} вы работаете в {day}?
neu.ru          {b} есть ли у вас чай без сахара?
neg.en          {b} my order was late again today 😕
neg.en          {b} the {item} was too sweet this time 😕
neg.en          Not impressed with {b} in {place} today 👎
neg.hi          {b} आज ऑर्डर देर से आया 😕
neg.ru          {b} сегодня долго ждали заказ 😕
complaint.en    cold chai, worst service 😡 {b}
complaint.en    {b} waited {n} minutes in {place} and got cold chai. Worst service ever 😡
complaint.en    {b} rude staff, stale {item}, cold chai. Worst service 😡
complaint.en    Never again {b}. Cold chai, worst service 😡👎
complaint.hi    {b} बहुत खराब सेवा 😡 चाय ठंडी थी
complaint.hi    बहुत खराब सेवा {b}, {n} मिनट इंतज़ार और ठंडी चाय 😡
complaint.hi    {b} {place} में बहुत खराब सेवा, दोबारा नहीं जाऊँगा 😡
complaint.ru    {b} ужасный сервис 😡 чай холодный
complaint.ru    Ужасный сервис в {b}, ждали {n} минут 😡
complaint.ru    {b} ужасный сервис и холодный чай, больше не приду 😡
reply_pos.en    Looks delicious {e}
reply_pos.en    Need to try the {item} this weekend {e}
reply_pos.en    My favourite! {e}
reply_pos.en    Is this available in {place} too?
reply_pos.en    Price?
reply_pos.hi    बहुत बढ़िया {e}
reply_pos.hi    {place} में भी मिलेगा?
reply_pos.hi    मेरी पसंदीदा {e}
reply_pos.ru    Выглядит отлично {e}
reply_pos.ru    А в {place} тоже есть?
reply_pos.ru    Мой любимый {e}
reply_neg.en    Cold chai again, worst service 😡
reply_neg.en    Worst service in {place}, fix it 😡
reply_neg.hi    बहुत खराब सेवा, चाय ठंडी थी 😡
reply_neg.ru    Ужасный сервис, чай холодный 😡
entry.en        Done ✅ {m} {m2}
entry.en        Entered! 🤞 {m} {m2} join in
entry.hi        हो गया ✅ {m} {m2}
entry.ru        Участвую! 🤞 {m} {m2}
quote.en        Need this right now {e}
quote.en        Who's coming with me? {e}
quote.en        This is why I keep going back {e}
quote.hi        अभी चाहिए {e}
quote.hi        कौन चलेगा मेरे साथ? {e}
quote.ru        Хочу прямо сейчас {e}
quote.ru        Кто со мной? {e}
quote_neg.en    This is not what they served me 😡
quote_neg.hi    असल में बहुत खराब सेवा 😡
quote_neg.ru    В реальности ужасный сервис 😡
answer.en       Thank you! See you soon ☕
answer.en       So glad you liked it 💛
answer.en       Yes, we deliver across Pune via our app!
answer.hi       धन्यवाद! फिर मिलेंगे ☕
answer.ru       Спасибо! Ждём вас снова ☕
apology.en      We're sorry about this. Please DM us your order details.
apology.hi      हमें खेद है, कृपया अपना ऑर्डर DM करें।
apology.ru      Нам очень жаль, напишите нам в личные сообщения.
cpost.foodies   Rainy evening + {item} = perfect {e}
cpost.foodies   Hidden gem alert: a tiny tapri near {place} {e}
cpost.foodies   Weekend food crawl in {place} done {e}
cpost.foodies   Who else is hunting the best {item} in {place}? {e}
cpost.foodies   Ranking the {item} spots in {place}, part {n} {e}
cpost.hindi     सुबह की {item} और बारिश {e}
cpost.hindi     {place} की टपरी वाली {item} का कोई मुकाबला नहीं {e}
cpost.hindi     चाय पर चर्चा: आपकी पसंदीदा {item} कौन सी है? {e}
cpost.hindi     आज {n} कप चाय हो गई {e}
cpost.russian   Кто знает, где в Пуне хороший {item}? {e}
cpost.russian   Муссон, вечер, {item} {e}
cpost.russian   Встреча русскоязычных в {place} в {day}, приходите {e}
cpost.russian   Третий год в Индии и всё ещё учусь пить {item} {e}
cpost.remote    Found a quiet corner in {place} with good wifi and strong {item} {e}
cpost.remote    Deadline day fuelled by {item} {e}
cpost.remote    Study session {n} at my usual café {e}
cpost.remote    Which cafés in {place} are laptop friendly? {e}
cpost.readers   This week's pick: {book} {e}
cpost.readers   Board game night in {place}, {item} on the house {e}
cpost.readers   Finished {book} with two cups of {item} {e}
cpost.readers   Reading circle this {day} in {place}, bring your own chai {e}
cpost_other.en  {item} and a good playlist, that's my evening {e}
cpost_other.hi  आज की {item} बहुत बढ़िया थी {e}
cpost_other.ru  Сегодня {item} и дождь {e}
cmention.en     {m} you have to try the {item} in {place} {e}
cmention.en     {m} chai this weekend? {e}
cmention.en     {m} {m2} meetup in {place} on {day}?
cmention.hi     {m} इस {day} चाय पर मिलते हैं {e}
cmention.hi     {m} {m2} {place} चलें? {e}
cmention.ru     {m} пойдём в {day} на {item}? {e}
cmention.ru     {m} {m2} встречаемся в {place}? {e}
creply.en       So true {e}
creply.en       Adding this to my list {e}
creply.en       Which place is this?
creply.en       Same here {e}
creply.en       Totally agree, {place} has the best ones
creply.hi       बिल्कुल सही {e}
creply.hi       कहाँ है ये जगह?
creply.hi       मैं भी {e}
creply.ru       Согласен {e}
creply.ru       А где это?
creply.ru       Точно! {e}
troll.en        lol {b} <script>alert(1)</script>
troll.en        <img src=x onerror=alert(1)> best chai {b}
troll.en        =HYPERLINK("https://evil.example/x","Free chai") {b}
troll.en        +cmd|' /C calc'!A0 {b} promo
troll.en        -2+3 reasons to visit {b}
troll.en        =1+1 {b} <script>alert(1)</script>
ring.en         Best masala chai in Pune! Flat 50% OFF today only at {b}
ring.en         Flat 50% OFF on masala chai today at {b}, best in Pune!
bio.foodies     Eating my way through Pune 🍛
bio.foodies     Food blogger | chai > coffee
bio.foodies     Vada pav enthusiast. Opinions mine.
bio.hindi       चाय प्रेमी ☕ | पुणे
bio.hindi       सुबह की चाय के बिना कुछ नहीं
bio.hindi       पुणे का लड़का, चाय का दीवाना
bio.russian     Из Москвы в Пуну 🌴
bio.russian     Живу в Индии третий год
bio.russian     Йога, чай и муссоны
bio.remote      Remote dev, café hopper 💻
bio.remote      MBA student @ Pune
bio.remote      Designer. Working from wherever the wifi is.
bio.readers     Books, board games, chai 📚
bio.readers     Reading 52 books this year
bio.readers     Catan champion (self-declared)
"""


def _texts(table: str) -> dict[str, dict[str, tuple[str, ...]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for line in table.strip().splitlines():
        key, text = line.split(None, 1)
        group, sub = key.split(".")
        out.setdefault(group, {}).setdefault(sub, []).append(text)
    return {g: {k: tuple(v) for k, v in by.items()} for g, by in out.items()}


_T = _texts(_TEXTS)
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_TID = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable, as AT Protocol record keys use
_B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_NORMAL = statistics.NormalDist()
_TOKEN = re.compile(r"(\{b\}|\{m\}|\{m2\})")
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_q = json.encoder.encode_basestring_ascii  # C: a string exactly as json.dumps writes it
_qu = json.encoder.encode_basestring  # C: the same, non-ASCII kept (ensure_ascii=False)


# --- randomness ----------------------------------------------------------------------------------


class _Draw:
    """Scalar draws from a numpy ``Generator``, fetched in blocks (per-call numpy overhead would dominate)."""

    def __init__(self, seq: np.random.SeedSequence) -> None:
        self.gen = np.random.Generator(np.random.PCG64(seq))
        self._u: list[float] = []
        self._n: list[float] = []

    def u(self) -> float:
        if not self._u:
            self._u = self.gen.random(1 << 16).tolist()
        return self._u.pop()

    def n(self) -> float:
        if not self._n:
            self._n = self.gen.standard_normal(1 << 16).tolist()
        return self._n.pop()

    def pick(self, seq):
        return seq[int(self.u() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.u() < p

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam < 30:  # Knuth's method: exact, and cheap for the small means used here
            limit, k, p = math.exp(-lam), 0, self.u()
            while p > limit:
                k += 1
                p *= self.u()
            return k
        return max(0, round(lam + math.sqrt(lam) * self.n()))

    def binomial(self, n: int, p: float) -> int:
        if n <= 0 or p <= 0:
            return 0
        if p >= 1:
            return n
        if n < 40:
            return sum(self.u() < p for _ in range(n))
        mu = n * p
        return min(n, max(0, round(mu + math.sqrt(mu * (1 - p)) * self.n())))

    def token(self, n: int, alphabet: str = _B62) -> str:
        size = len(alphabet)
        return "".join([alphabet[int(self.u() * size)] for _ in range(n)])


class _Table:
    """Weighted choice among ``items`` (cumulative weights + bisect)."""

    def __init__(self, items, weights) -> None:
        self.items = list(items)
        self.cum = np.cumsum(np.asarray(list(weights), dtype=float)).tolist()
        self.total = self.cum[-1]
        self.cum[-1] = math.inf  # u() * total may round up to total: it still lands on the last item

    def pick(self, r: _Draw):
        return self.items[bisect.bisect(self.cum, r.u() * self.total)]


_HEX_TO_B32 = str.maketrans("0123456789abcdef", _B32[::2])


def _cid(data: str, blob: bool = False) -> str:
    """A CIDv1-looking id of ``data``: ``bafyrei...`` for records, ``bafkrei...`` for blobs (59 characters).

    The 52 characters after the prefix come from sha-256 mapped onto the base32 alphabet:
    it looks and sorts like a real CID; ``base64.b32encode`` is too slow per post.
    """
    return ("bafkrei" if blob else "bafyrei") + hashlib.sha256(data.encode()).hexdigest()[:52].translate(
        _HEX_TO_B32
    )


def _tid(us: int, clock: int) -> str:
    """An AT Protocol TID record key: microseconds and a 10-bit clock id, base32-sortable."""
    v = (us << 10) | (clock & 1023)
    return "".join([_TID[(v >> (60 - 5 * i)) & 31] for i in range(13)])


def _text_links(links: list[tuple]) -> str:
    """snscrape ``TextLink`` JSON of (text, url, t.co url, start, end) tuples."""
    if not links:
        return "null"
    return (
        "["
        + ", ".join(
            f'{{"_type": "snscrape.modules.twitter.TextLink", "text": {_q(text)}, "url": {_q(url)}, "tcourl": "{tco}", '
            f'"indices": [{start}, {end}]}}'
            for text, url, tco, start, end in links
        )
        + "]"
    )


def _facets(facets: list[tuple]) -> str:
    """Bluesky rich-text facets JSON of (feature type, key, value, byteStart, byteEnd) tuples."""
    return (
        "["
        + ", ".join(
            f'{{"features": [{{"$type": "app.bsky.richtext.facet#{kind}", "{key}": {_qu(value)}}}], '
            f'"index": {{"byteEnd": {end}, "byteStart": {start}}}}}'
            for kind, key, value, start, end in facets
        )
        + "]"
    )


def _snowflake(ms: int, low: int) -> int:
    return ((ms - _SNOWFLAKE_EPOCH) << 22) | (low & 0x3FFFFF)


def _epoch_ms(d: datetime) -> int:
    return int(d.replace(tzinfo=UTC).timestamp() * 1000)


_MS_2010, _MS_2016, _MS_BLUESKY, _MS_2026_03 = (
    _epoch_ms(datetime(*ymd)) for ymd in ((2010, 1, 1), (2016, 1, 1), (2023, 3, 1), (2026, 3, 1))
)


# --- accounts ------------------------------------------------------------------------------------


class _Account:
    __slots__ = (
        "idx",
        "platform",
        "handle",
        "name",
        "brand",
        "comm",
        "activity",
        "pop",
        "favs",
        "devoted",
        "bridge",
        "followers",
        "friends",
        "statuses",
        "created_ms",
        "uid",
        "did",
        "source",
        "tw_user_json",
        "tw_ref_json",
        "bs_json",
    )

    def __init__(self, **kw) -> None:
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def _people(seed: int, posts: int, r: _Draw) -> list[_Account]:
    """Brand accounts (indices 0..6), then the audience, community by community, then the ring."""
    accounts: list[_Account] = []
    taken: set[str] = set()

    def add(**kw) -> _Account:
        a = _Account(idx=len(accounts), **kw)
        taken.add(a.handle)
        if a.platform == "bluesky":
            digest = hashlib.sha256(f"{seed}:{a.handle}".encode()).digest()[:15]
            a.did = "did:plc:" + base64.b32encode(digest).decode().lower()
        elif a.created_ms >= _MS_2016:
            a.uid = _snowflake(a.created_ms, int(r.u() * 4_000_000))  # 18-19 digits, as modern user ids
        else:
            a.uid = 100_000_000 + int(r.u() * 3_000_000_000)  # pre-2016 accounts have short ids
        accounts.append(a)
        return a

    for b, spec in enumerate(_BRANDS):
        for platform, handle in (("twitter", spec.twitter), ("bluesky", spec.bluesky)):
            if handle:
                created = (
                    datetime(2015 + b, 3 + 2 * b, 11, 9, 30)
                    if platform == "twitter"
                    else datetime(2024, 11, 5 + 3 * b, 12)
                )
                add(
                    platform=platform,
                    handle=handle,
                    name=spec.name,
                    brand=b,
                    comm=-1,
                    activity=0.0,
                    pop=1.0,
                    favs=(),
                    devoted=False,
                    bridge=False,
                    source=_SOURCES[2],
                    created_ms=_epoch_ms(created),
                    followers=int(
                        spec.followers
                        * (1 if platform == "twitter" else 0.2)
                        * (posts / DEFAULT_POSTS) ** 0.5
                    ),
                    friends=300 + 40 * b,
                    statuses=4_000 + 900 * b,
                )

    n_audience = max(300, round(3000 * (posts / DEFAULT_POSTS) ** 0.8))
    for c, comm in enumerate(_COMMUNITIES):
        favourites = _Table([b for b, _ in comm.favourites], [s for _, s in comm.favourites])
        for _ in range(round(n_audience * comm.share)):
            if comm.lang == "ru":
                (first, first_ru), (last, last_ru) = r.pick(_FIRST_RU), r.pick(_LAST_RU)
                name, base = f"{first_ru} {last_ru}", f"{first.lower()}_{last[:4]}"
            else:
                first, last = r.pick(_FIRST), r.pick(_LAST)
                if comm.lang == "hi" and r.chance(0.6):
                    name = f"{r.pick(_FIRST_HI)} {r.pick(_LAST_HI)}"
                else:
                    name = f"{first} {last[0]}." if r.chance(0.3) else f"{first} {last}"
                base = (
                    f"{first.lower()}{last[:3].lower()}"
                    if comm.lang == "hi"
                    else f"{first.lower()}_{last.lower()}"
                )
            suffix = ".bsky.social" if comm.platform == "bluesky" else ""
            if suffix:  # Bluesky handles are domain names: hyphens, not underscores
                base = base.replace("_", "-")
            handle = base[:11] + str(10 + int(r.u() * 990)) + suffix
            while handle in taken:
                handle = base[:10] + str(int(r.u() * 100_000)) + suffix
            z = r.n()  # popular people also post more
            followers = max(3, round(math.exp(5.0 + 1.2 * z)))
            first_day = _MS_2010 if comm.platform == "twitter" else _MS_BLUESKY
            add(
                platform=comm.platform,
                handle=handle,
                name=name,
                brand=-1,
                comm=c,
                activity=0.35 + math.exp(0.9 * (0.5 * z + 0.87 * r.n()) - 0.4),
                pop=math.sqrt(followers),
                favs=(_BB, _KK) if r.chance(comm.devoted) else (favourites.pick(r),),
                devoted=False,
                bridge=r.chance(_BRIDGE_SHARE),
                followers=followers,
                source=r.pick(_SOURCES[:2]),
                friends=max(10, round(followers * (0.4 + 1.5 * r.u()))),
                statuses=round(followers * (2 + 10 * r.u())) + 50,
                created_ms=first_day + int(r.u() * (_MS_2026_03 - first_day)),
            )
            accounts[-1].devoted = len(accounts[-1].favs) == 2

    for i in range(_RING_SIZE):
        handle = f"{('chai', 'pune', 'best', 'deal', 'offer', 'masala')[i % 6]}{('deals', 'offers', 'promo', 'hub')[i % 4]}{2026 + i}"
        # created 3-25 days before the first burst (2026-10-03): fresh accounts
        created = _midnight(date(2026, 10, 3)) * 1000 - int((3 + 22 * r.u()) * 86_400_000)
        add(
            platform="twitter",
            handle=handle,
            name=f"Pune Deals {i + 1} 💰",
            brand=-1,
            comm=-2,
            activity=0.0,
            pop=0.1,
            favs=(),
            devoted=False,
            bridge=False,
            followers=int(r.u() * 16),
            friends=2000 + int(r.u() * 3000),
            statuses=0,
            created_ms=created,
            source=_SOURCES[2],
        )
    return accounts


def _profiles(accounts: list[_Account], r: _Draw) -> dict[str, list[str]]:
    """Attach each account's snscrape ``User`` / Bluesky profile; plant two unsafe display names."""
    unsafe = {}
    for platform, name in (
        ("twitter", "<b>Chai</b> fan <script>alert(1)</script>"),
        ("bluesky", "<img src=x onerror=alert(1)> Meera"),
    ):
        a = next(a for a in accounts if a.comm >= 0 and a.platform == platform)
        a.name = name
        unsafe[platform] = [a.handle]
    for a in accounts:
        if a.platform == "bluesky":
            p = {
                "did": a.did,
                "handle": a.handle,
                "displayName": a.name,
                "avatar": f"https://cdn.bsky.app/img/avatar/plain/{a.did}/{_cid(a.did, blob=True)}@jpeg",
            }
            if a.brand >= 0:
                p["associated"] = {"chat": {"allowIncoming": "following"}}
            p.update(
                {
                    "viewer": {"muted": False, "blockedBy": False},
                    "labels": [],
                    "createdAt": _iso_bs(a.created_ms),
                }
            )
            a.bs_json = json.dumps(p, ensure_ascii=False)
            continue
        brand = a.brand >= 0
        if brand:
            bio, location = _BRANDS[a.brand].bio, "Pune, India"
        elif a.comm == -2:
            bio, location = r.pick(("Best deals in Pune 💰 DM for promos", "Offers | Discounts | Pune")), ""
        else:
            comm = _COMMUNITIES[a.comm]
            bio = r.pick(_T["bio"][comm.code])
            location = r.pick(
                {"hi": ("पुणे", "Pune, India", ""), "ru": ("Пуна, Индия", "Pune", "")}.get(
                    comm.lang, ("Pune, India", "Pune", "Maharashtra, India", "")
                )
            )
        link = None
        if brand:
            tco = "https://t.co/" + r.token(10)
            link = {
                "_type": "snscrape.modules.twitter.TextLink",
                "text": f"{a.handle}.in",
                "url": f"https://{a.handle}.in",
                "tcourl": tco,
                "indices": [0, 23],
            }
        image = (
            "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
            if a.comm == -2
            else f"https://pbs.twimg.com/profile_images/{a.uid % 10**12 + 10**18}/{r.token(8)}_normal.jpg"
        )
        # Field order is snscrape's User dataclass order, then its properties in dir() order.
        user = {
            "_type": "snscrape.modules.twitter.User",
            "username": a.handle,
            "id": a.uid,
            "displayname": a.name,
            "rawDescription": bio,
            "renderedDescription": bio,
            "descriptionLinks": None,
            "verified": False,
            "created": _iso_tw(a.created_ms),
            "followersCount": a.followers,
            "friendsCount": a.friends,
            "statusesCount": a.statuses,
            "favouritesCount": int(a.statuses * (0.5 + 2 * r.u())),
            "listedCount": a.followers // 60,
            "mediaCount": int(a.statuses * 0.12),
            "location": location,
            "protected": False,
            "link": link,
            "profileImageUrl": image,
            "profileBannerUrl": f"https://pbs.twimg.com/profile_banners/{a.uid}/1{r.token(9, '0123456789')}"
            if brand
            else None,
            "label": None,
            "blue": brand,
            "blueType": "Business" if brand else None,
            "profileImageShape": "square" if brand else "circle",
            "description": bio,
            "descriptionUrls": None,
            "linkTcourl": link and link["tcourl"],
            "linkUrl": link and link["url"],
            "url": f"https://twitter.com/{a.handle}",
        }
        # Mentions and reply targets are Users built from tweet entities: username, id, name only.
        ref = dict.fromkeys(user)
        ref.update(_type=user["_type"], username=a.handle, id=a.uid, displayname=a.name, url=user["url"])
        a.tw_user_json, a.tw_ref_json = json.dumps(user), json.dumps(ref)
        html, url, label = a.source
        a.source = f'"source": {_q(html)}, "sourceUrl": "{url}", "sourceLabel": "{label}"'
    return unsafe


# --- brand posts ---------------------------------------------------------------------------------


@dataclass
class _Plan:
    ms: int
    account: int
    brand: int
    platform: str
    slot: tuple[int, int]
    media: str
    lang: str
    giveaway: bool = False
    noise: float = 1.0  # multiplicative engagement noise
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # likes, reposts, replies, quotes

    @property
    def engagement(self) -> int:
        return sum(self.counts)


_MEDIA_MIX = {
    "twitter": (("text", 0.2), ("photo", 0.45), ("video", 0.2), ("poll", 0.07), ("link", 0.08)),
    "bluesky": (("text", 0.25), ("photo", 0.45), ("video", 0.2), ("link", 0.1)),
}


def _plan_brand_posts(accounts: list[_Account], posts: int, r: _Draw) -> list[_Plan]:
    """Every brand post of both periods with its final counts: these carry truths 1, 2, 3 and 8."""
    plans: list[_Plan] = []
    for a in accounts[:7]:
        spec = _BRANDS[a.brand]
        cadence = spec.p_tw if a.platform == "twitter" else spec.p_bs
        slots = _market_slots(a.platform)
        for first_day, days in ((0, 90), (90, 90)):
            own = []
            for day in range(first_day, first_day + days):
                d = _FIRST_DAY + timedelta(day)
                for (wd, hour), factor in slots.items():
                    if wd == d.weekday() and (factor == _BEST_FACTOR or r.chance(cadence)):
                        second = (spec.minute + int(r.u() * 20)) * 60 + int(r.u() * 60)
                        ms = (_midnight(d) + hour * 3600 + second) * 1000 + int(r.u() * 1000)
                        own.append(_Plan(ms, a.idx, a.brand, a.platform, (wd, hour), "", ""))
            # NOTE: media, languages and engagement noise are dealt as shuffled quotas (noise from
            # normal quantiles), not drawn one by one: each account's mix is the same in both periods,
            # so medians move only where a truth says so.
            n = len(own)
            quantiles = [
                math.exp(max(-0.6, min(0.6, 0.3 * _NORMAL.inv_cdf((i + 0.5) / n)))) for i in range(n)
            ]
            for attr, mix in (
                ("media", _MEDIA_MIX[a.platform]),
                ("lang", tuple(zip(_LANGS, spec.langs, strict=True))),
                ("noise", tuple((q, 1 / n) for q in quantiles)),
            ):
                deck = [value for value, share in mix for _ in range(round(share * n))][:n]
                deck += [mix[0][0]] * (n - len(deck))
                for i in range(n - 1, 0, -1):
                    j = int(r.u() * (i + 1))
                    deck[i], deck[j] = deck[j], deck[i]
                for plan, value in zip(own, deck, strict=True):
                    setattr(plan, attr, value)
            plans += own
    plans.sort(key=lambda p: (p.ms, p.account))
    for acc in range(7):  # giveaways: never in the best slot, at most one per slot
        for first, last in ((_START_MS, _CUT_MS), (_CUT_MS, _END_MS)):
            own = [
                p for p in plans if p.account == acc and first <= p.ms < last and p.slot != _BEST[p.platform]
            ]
            used: set[tuple[int, int]] = set()
            want = _GIVEAWAYS_PER_ACCOUNT[accounts[acc].platform]
            while want and own:
                p = own.pop(int(r.u() * len(own)))
                if p.slot not in used:
                    used.add(p.slot)
                    p.giveaway, p.media, want = True, "photo", want - 1
    scale = posts / DEFAULT_POSTS
    for p in plans:
        spec = _BRANDS[p.brand]
        e = (
            spec.base
            * scale
            * (spec.prev if p.ms < _CUT_MS else 1.0)
            * (_BS_FACTOR if p.platform == "bluesky" else 1.0)
        )
        e *= _market_slots(p.platform)[p.slot] * (_VIDEO_FACTOR if p.media == "video" else 1.0)
        e *= (_GIVEAWAY_FACTOR if p.giveaway else 1.0) * p.noise  # clipped: no thin slot can win by luck
        p.counts = tuple(
            max(0, round(e * s * (1 + max(-0.25, min(0.25, 0.1 * r.n()))))) for s in (0.78, 0.11, 0.08, 0.03)
        )
    return plans


def _slot_means(posts: list[tuple], platform: str) -> dict[tuple[int, int], tuple[int, float]]:
    """(weekday, hour) -> (brand posts, mean engagement) in the analysis period."""
    groups: dict[tuple[int, int], list[int]] = {}
    for p in posts:
        if p[0] == platform and p[1] >= _CUT_MS:
            groups.setdefault(p[2], []).append(p[3])
    return {k: (len(v), sum(v) / len(v)) for k, v in sorted(groups.items())}


def _best_slot_ok(plans: list[_Plan]) -> bool:
    rows = [(p.platform, p.ms, p.slot, p.engagement) for p in plans]
    for platform, best in _BEST.items():
        means = _slot_means(rows, platform)
        runner_up = max(m for k, (_, m) in means.items() if k != best)
        if means[best][0] < 30 or means[best][1] < 1.5 * runner_up:
            return False
    return True


# --- the world -----------------------------------------------------------------------------------

_BPOST, _BREPLY, _REPLY, _REPOST, _QUOTE, _MENTION, _CPOST, _CMENTION, _RING, _TROLL = range(10)
_KIND = ("post", "reply", "reply", "repost", "quote", "post", "post", "post", "post", "post")
_PLURAL = {"reply": "replies", "repost": "reposts", "quote": "quotes"}
_DELAY = {_REPLY: 45.0, _REPOST: 120.0, _QUOTE: 180.0}  # median minutes before a child appears


class _Live:
    """A written post whose replies, reposts or quotes are still to come."""

    __slots__ = (
        "author",
        "tw",
        "tw_json",
        "tw_id",
        "conv",
        "view_json",
        "record_json",
        "embed_json",
        "indexed",
        "counts",
        "uri",
        "cid",
        "root_uri",
        "root_cid",
        "root_json",
        "pending",
        "reposters",
        "giveaway",
        "negative",
    )


class _Post:
    """What one post is about to say: decided in ``_World._decide``, rendered in ``_World._write``."""

    __slots__ = (
        "kind",
        "ms",
        "seq",
        "author",
        "parent",
        "target",
        "segs",
        "lang",
        "media",
        "link",
        "counts",
        "children",
        "answer",
        "giveaway",
        "sentiment",
        "plan",
        "unsafe",
    )

    def __init__(self, kind: int, ms: int, seq: int) -> None:
        self.kind, self.ms, self.seq = kind, ms, seq
        self.parent = self.target = self.link = self.plan = self.author = None
        self.segs, self.lang, self.media, self.sentiment = [], "en", "text", "neutral"
        self.counts, self.children, self.answer = (0, 0, 0, 0), (0, 0, 0), -1
        self.giveaway = self.unsafe = False


class _World:
    """One segment of the world: the previous period (0) or the analysis period (1).

    The two segments share accounts and brand plans (drawn from the same streams) and are
    simulated independently, so they can run in two processes and give the same bytes either
    way. Replies and reposts of July posts that would fall after the cut are dropped, as a
    scrape split by period would miss them (their parents' counts still include them).
    """

    def __init__(self, seed: int, posts: int, segment: int) -> None:
        people, planning = (_Draw(s) for s in np.random.SeedSequence([seed, posts, 0]).spawn(2))
        self.r, self.rt = (_Draw(s) for s in np.random.SeedSequence([seed, posts, 1 + segment]).spawn(2))
        self.seed, self.posts, self.segment = seed, posts, segment
        self.first_ms, self.end_ms = ((_START_MS, _CUT_MS), (_QUIET_END_MS, _END_MS))[segment]
        self.days = range(0, 90) if segment == 0 else range(90, _N_DAYS)
        self.accounts = _people(seed, posts, people)
        for _ in range(20):  # re-draw (deterministically) until the planted slot clearly wins
            self.plans = _plan_brand_posts(self.accounts, posts, planning)
            if _best_slot_ok(self.plans):
                break
        else:  # pragma: no cover - the margins make this practically unreachable
            raise RuntimeError("could not plant the best posting slot")
        self.ring = [a.idx for a in self.accounts if a.comm == -2]
        self.ring_posts: list[tuple[int, int]] = []
        for k in range(_RING_BURSTS):  # six October bursts: each ring account posts 2-4 times in ~6 minutes
            start = (_midnight(date(2026, 10, 3 + 4 * k)) + (10 + int(people.u() * 11)) * 3600) * 1000
            for acc in self.ring:
                for _ in range(2 + int(people.u() * 3)):
                    self.ring_posts.append((start + int(people.u() * 360_000), acc))
                    self.accounts[acc].statuses += 1
        self.unsafe_names = _profiles(self.accounts, people)
        self.audience = [a for a in self.accounts if a.comm >= 0]
        self._tables()
        self.heap: list[tuple] = []
        self.seq = self.last_ms = 0
        self.live: dict[int, _Live] = {}
        self.stat = [
            {
                "platforms": {
                    p: dict.fromkeys(("rows", "post", "reply", "repost", "quote"), 0)
                    for p in ("twitter", "bluesky")
                },
                "languages": {},
                "brands": {
                    b.name: dict.fromkeys(
                        (
                            "posts",
                            "replies",
                            "audience_replies",
                            "audience_reposts",
                            "audience_quotes",
                            "mentions",
                        ),
                        0,
                    )
                    for b in _BRANDS
                },
            }
            for _ in range(2)
        ]
        self.brand_rows: list[tuple] = []
        self.engaged: list[set[str]] = [set() for _ in _BRANDS]
        self.mm = {"stretch": [0, 0], "elsewhere": [0, 0]}  # [mention posts, negative ones]
        self.neg_ids: list[str] = []
        self.unsafe_posts: list[dict] = []

    def _tables(self) -> None:
        aud = self.audience
        self.brand_acc = {(a.brand, a.platform): a.idx for a in self.accounts[:7]}
        mean_pop = sum(a.pop * a.activity for a in aud) / sum(a.activity for a in aud)
        for a in aud:
            a.pop /= mean_pop  # a post's expected children then follow the budget
        self.by_brand: dict[tuple[str, int], _Table] = {}
        for platform in ("twitter", "bluesky"):
            members = [a for a in aud if a.platform == platform]
            self.by_brand[(platform, -1)] = _Table([a.idx for a in members], [a.activity for a in members])
            for b in range(len(_BRANDS)):
                if (b, platform) in self.brand_acc:
                    weights = [a.activity * (1.0 if b in a.favs else _OTHER_BRAND_AFFINITY) for a in members]
                    self.by_brand[(platform, b)] = _Table([a.idx for a in members], weights)
        n = len(_COMMUNITIES)
        self.comm_act = [
            _Table([a.idx for a in aud if a.comm == c], [a.activity for a in aud if a.comm == c])
            for c in range(n)
        ]
        self.comm_pop = [
            _Table([a.idx for a in aud if a.comm == c], [a.pop for a in aud if a.comm == c]) for c in range(n)
        ]
        self.comm_lang = [_Table(_LANGS, c.langs) for c in _COMMUNITIES]
        self.comm_share = _Table(range(n), [c.share for c in _COMMUNITIES])
        self.neighbours = [
            [i for i in range(n) if _COMMUNITIES[i].platform == c.platform and i != j]
            for j, c in enumerate(_COMMUNITIES)
        ]
        self.sov = {
            "twitter": _Table([_CC, _BB, _MM, _KK], [0.3, 0.3, 0.25, 0.15]),
            "bluesky": _Table([_CC, _BB, _KK], [0.35, 0.4, 0.25]),
        }
        self.tag_tables: dict[tuple[str, ...], _Table] = {}
        self.twitter_share = sum(a.platform == "twitter" for a in aud) / len(aud)
        # Budgets per period, and the chance that a counted reply/repost/quote of a brand post was scraped.
        devoted = sum(a.devoted for a in aud)
        self.budget, self.scraped = [], []
        for period, (first, last) in enumerate(((_START_MS, _CUT_MS), (_CUT_MS, _END_MS))):
            plans = [p for p in self.plans if first <= p.ms < last]
            fixed = len(plans) + 12 + (len(self.ring_posts) if period else 0)
            total = max(
                100.0, (self.posts - fixed) / (1 + 0.07 * (_BUDGET["brand_reply"] + _BUDGET["mention"]))
            )
            budget = {k: v * total for k, v in _BUDGET.items()}
            budget["mention"] = max(0.0, budget["mention"] - (2 * devoted if period else 0))
            overflow = max(0.0, len(aud) - budget["cmention"])
            budget["cmention"] = max(0.0, budget["cmention"] - len(aud))
            shrink = max(0.1, 1 - overflow / (budget["cpost"] + budget["cchild"]))
            budget["cpost"] *= shrink
            budget["cchild"] *= shrink
            self.budget.append(budget)
            sums = [max(1, sum(p.counts[i] for p in plans)) for i in (2, 1, 3)]
            self.scraped.append(
                tuple(
                    min(1.0, budget[k] / s)
                    for k, s in zip(("brand_reply", "brand_repost", "brand_quote"), sums, strict=True)
                )
            )

    # -- events ---------------------------------------------------------------------------------------

    def push(self, ms: int, kind: int, author: int = -1, parent: int = -1, extra=None) -> int:
        """Schedule an event; 0 if it falls after the segment (never scraped), else 1."""
        if ms >= self.end_ms:
            return 0
        self.seq += 1
        heapq.heappush(self.heap, (ms, self.seq, kind, author, parent, extra))
        return 1

    def _roots(self, day: int) -> None:
        """Push the day's audience-initiated posts (brand posts come from the plan)."""
        d, r = _FIRST_DAY + timedelta(day), self.r
        budget = self.budget[int(d >= _PERIOD_START)]
        hours = list(_HOURS)
        if d in (_FIRST_DAY, _PERIOD_START):
            hours[:6] = [0.0] * 6
        hour = _Table(range(24), hours)
        base = _midnight(d) * 1000
        level = _WEEKDAY_ACTIVITY[d.weekday()] / (sum(_WEEKDAY_ACTIVITY) / 7) / 90

        def when() -> int:
            return base + hour.pick(r) * 3_600_000 + int(r.u() * 3_600_000)

        for kind, key in ((_MENTION, "mention"), (_CPOST, "cpost"), (_CMENTION, "cmention")):
            for _ in range(r.poisson(budget[key] * level)):
                self.push(when(), kind)
        if _NEG_START <= d <= _NEG_END:  # the complaint wave: 1.5x extra Masala Mornings mentions
            for _ in range(r.poisson(1.5 * budget["mention"] * level * self.twitter_share * 0.25)):
                self.push(when(), _MENTION, extra=_MM)
        if day % 15 == 7:  # trolls, now and then: every template on both platforms in each period
            for platform in ("twitter", "bluesky"):
                self.push(when(), _TROLL, extra=(platform, (day % 90) // 15))

    def _planted(self) -> None:
        """Each member mentions a fellow member once per period; devoted members mention BB and KK."""
        r, first = self.r, self.first_ms
        span = self.end_ms - first - 6 * 3_600_000
        for a in self.audience:
            self.push(first + int(r.u() * span), _CMENTION, author=a.idx)
            if self.segment and a.devoted:
                self.push(first + int(r.u() * span), _MENTION, author=a.idx, extra=_BB)
                self.push(first + int(r.u() * span), _MENTION, author=a.idx, extra=_KK)
        if self.segment:
            for ms, acc in self.ring_posts:
                self.push(ms, _RING, author=acc)

    def run(self, tw_path: Path, bs_path: Path) -> dict:
        """Write the segment's tweets (JSON lines) and Bluesky items (joined by ",\\n", no brackets)."""
        with (
            open(tw_path, "w", encoding="utf-8", newline="\n") as self.tw_out,
            open(bs_path, "w", encoding="utf-8", newline="\n") as self.bs_out,
        ):
            self.bs_sep = ""
            if self.segment == 0:
                self.bs_out.write("[\n")  # the previous period opens the JSON array; _generate closes it
            self._planted()
            plans = iter(p for p in self.plans if self.first_ms <= p.ms < self.end_ms)
            plan = next(plans, None)
            for day in self.days:
                self._roots(day)
                day_end = _midnight(_FIRST_DAY + timedelta(day + 1)) * 1000
                while plan is not None and plan.ms < day_end:
                    self.push(plan.ms, _BPOST, author=plan.account, extra=plan)
                    plan = next(plans, None)
                while self.heap and self.heap[0][0] < day_end:
                    self._emit(*heapq.heappop(self.heap))
        return self.state()

    def _release(self, parent: int) -> None:
        if parent >= 0:
            live = self.live[parent]
            live.pending -= 1
            if not live.pending:
                del self.live[parent]

    def _emit(self, ms: int, seq: int, kind: int, author: int, parent: int, extra) -> None:
        ms = self.last_ms = max(ms, self.last_ms + 1)  # strictly increasing times: unique, ordered ids
        post = _Post(kind, ms, seq)
        if parent >= 0:
            post.parent = self.live[parent]
            post.target = self.accounts[post.parent.author]
        self._decide(post, author, extra)
        if post.author is not None:
            self._write(post)
        self._release(parent)

    # -- what a post says -----------------------------------------------------------------------------

    def _near(self, a: _Account, by: str = "activity") -> int:
        """A member of ``a``'s community, or now and then (bridges: often) of a neighbouring one."""
        r, c = self.r, a.comm
        if self.neighbours[c] and r.chance(_BRIDGE_CROSS if a.bridge else _CROSS):
            c = r.pick(self.neighbours[c])
        table = self.comm_act[c] if by == "activity" else self.comm_pop[c]
        idx = table.pick(r)
        for _ in range(3):
            if idx != a.idx:
                break
            idx = table.pick(r)
        return idx

    def _fill(self, template: str, lang: str, b: int = -1, m: tuple[int, ...] = ()) -> list[tuple]:
        """Segments of a text: ("t", text) | ("m", account) | ("h", tag) | ("u", url, title, description)."""
        rt = self.rt
        if "{" in template:
            for key, values in (
                ("{item2}", _ITEMS[lang]),
                ("{item}", _ITEMS[lang]),
                ("{place}", _PLACES[lang]),
                ("{day}", _DAYS[lang]),
                ("{e}", _EMOJI),
                ("{book}", _BOOKS),
            ):
                if key in template:
                    template = template.replace(key, rt.pick(values))
            template = template.replace("{n}", str(10 + int(rt.u() * 140)))
        segs: list[tuple] = []
        for part in _TOKEN.split(template):
            if part == "{b}":
                segs.append(("m", b))
            elif part in ("{m}", "{m2}"):
                if len(m) > (part == "{m2}"):
                    segs.append(("m", m[part == "{m2}"]))
            elif part:
                segs.append(("t", part))
        return segs

    def _tags(self, post: _Post, tags: tuple[str, ...], k: int) -> None:
        table = self.tag_tables.get(tags)
        if table is None:  # Zipf-like popularity: the first tag of a list is the most used
            table = self.tag_tables[tags] = _Table(tags, [1 / (i + 1) ** 1.1 for i in range(len(tags))])
        chosen: list[str] = []
        for _ in range(3 * k):
            t = table.pick(self.rt)
            if t not in chosen:
                chosen.append(t)
            if len(chosen) == k:
                break
        for t in chosen:
            if t.isascii() and self.rt.chance(0.1):  # people type #PuneFood as often as #punefood
                t = t[0].upper() + t[1:]
            post.segs += [("t", " "), ("h", t)]

    def _decide(self, post: _Post, author: int, extra) -> None:
        r, kind, target = self.r, post.kind, post.target
        period = int(post.ms >= _CUT_MS)
        in_stretch = _NEG_MS[0] <= post.ms < _NEG_MS[1]
        if kind == _BPOST:
            plan = post.plan = extra
            a = self.accounts[plan.account]
            post.lang, post.media, post.giveaway = plan.lang, plan.media, plan.giveaway
            group = (
                "giveaway"
                if plan.giveaway
                else plan.media
                if plan.media in ("video", "poll", "link")
                else "brand"
            )
            post.segs = self._fill(r.pick(_T[group][plan.lang]), plan.lang)
            local = {"hi": ("चाय",), "ru": ("чай",)}.get(plan.lang, ())
            self._tags(
                post,
                (_BRANDS[a.brand].tag, "chai", "pune", "punefood", "chailover") + local,
                1 + int(r.u() * 3),
            )
            if plan.media == "link":
                post.link = (
                    f"https://{a.handle.split('.')[0]}.in/story/{10 + int(r.u() * 90)}",
                    "Our story",
                    "From leaf to cup.",
                )
            post.counts = plan.counts
            replies, reposts, quotes = self.scraped[period]
            if in_stretch and a.brand == _MM:
                reposts *= 0.2  # nobody retweets a café people are angry with
            post.children = (
                r.binomial(plan.counts[2], replies),
                r.binomial(plan.counts[1], reposts),
                r.binomial(plan.counts[3], quotes),
            )
        elif kind == _BREPLY:
            a = self.accounts[author]
            post.lang = self.comm_lang[target.comm].pick(r) if target.comm >= 0 else "en"
            post.segs = self._fill(
                r.pick(_T["apology" if post.parent.negative else "answer"][post.lang]), post.lang
            )
            if a.platform == "twitter":
                post.segs[:0] = [("m", target.idx), ("t", " ")]
            post.counts = (r.poisson(1.5), 0, 0, 0)
        elif kind in (_REPLY, _REPOST, _QUOTE):
            for _ in range(4):
                author = (
                    self.by_brand[(target.platform, target.brand)].pick(r)
                    if target.brand >= 0
                    else self._near(target)
                )
                if kind != _REPOST or author not in post.parent.reposters:
                    break
            else:  # nobody can repost the same post twice: this repost is not scraped
                post.author = None
                return
            if kind == _REPOST:
                post.parent.reposters.add(author)
            a = self.accounts[author]
            post.lang = lang = self.comm_lang[a.comm].pick(r)
            complaint = in_stretch and target.brand == _MM and r.chance(0.85)
            if kind == _REPLY:
                if post.parent.giveaway:  # entries tag two friends
                    post.segs = self._fill(
                        r.pick(_T["entry"][lang]), lang, m=(self._near(a, "pop"), self._near(a, "pop"))
                    )
                elif target.brand >= 0:
                    post.sentiment = "negative" if complaint else "positive"
                    post.segs = self._fill(r.pick(_T["reply_neg" if complaint else "reply_pos"][lang]), lang)
                    if r.chance(_BRANDS[target.brand].respond):
                        post.answer = target.brand
                else:
                    post.segs = self._fill(r.pick(_T["creply"][lang]), lang)
                if a.platform == "twitter":  # a tweet reply starts with @parent
                    post.segs[:0] = [("m", target.idx), ("t", " ")]
            elif kind == _QUOTE:
                post.sentiment = "negative" if complaint else "positive"
                post.segs = self._fill(r.pick(_T["quote_neg" if complaint else "quote"][lang]), lang)
            if kind != _REPOST:
                post.counts = (r.poisson(0.8 * a.pop), r.poisson(0.05), 0, 0)
        elif kind in (_MENTION, _TROLL):
            b = extra if kind == _MENTION else None
            if author < 0:
                platform = (
                    extra[0]
                    if kind == _TROLL
                    else "twitter"
                    if b == _MM or r.chance(self.twitter_share)
                    else "bluesky"
                )
                if b is None:
                    b = self.sov[platform].pick(r)
                if kind == _TROLL or (b == _MM and in_stretch and r.chance(0.3)):
                    author = self.by_brand[(platform, -1)].pick(r)  # trolls, and people who tried it once
                else:
                    author = self.by_brand[(platform, b)].pick(r)
            a = self.accounts[author]
            lang = post.lang = self.comm_lang[a.comm].pick(r)
            if kind == _TROLL:
                template, post.lang, post.unsafe = _T["troll"]["en"][extra[1]], "en", True
            elif b == _MM and in_stretch and r.chance(0.85):
                template, post.sentiment = r.pick(_T["complaint"][lang]), "negative"
            else:
                x = r.u()
                post.sentiment = "positive" if x < 0.6 else "neutral" if x < 0.92 else "negative"
                template = r.pick(_T[post.sentiment[:3]][lang])
            post.segs = self._fill(template, post.lang, b=self.brand_acc[(b, a.platform)])
            if kind == _MENTION:
                self._tags(post, (_BRANDS[b].tag,) + _COMMUNITIES[a.comm].hashtags[:3], int(r.u() * 2))
                post.media = "photo" if r.chance(0.15) else "text"
                post.counts = (r.poisson(1.2 * a.pop), r.poisson(0.1), 0, 0)
                if r.chance(_BRANDS[b].respond):
                    post.answer = b
        elif kind == _CPOST:
            a = self.accounts[self.comm_act[self.comm_share.pick(r)].pick(r)]
            comm = _COMMUNITIES[a.comm]
            lang = post.lang = self.comm_lang[a.comm].pick(r)
            post.segs = self._fill(
                r.pick(_T["cpost"][comm.code] if lang == comm.lang else _T["cpost_other"][lang]), lang
            )
            self._tags(post, comm.hashtags, 1 + int(r.u() * 3))
            x = r.u()
            post.media = "photo" if x < 0.3 else "video" if x < 0.35 else "link" if x < 0.38 else "text"
            if post.media == "link":
                post.link = (
                    f"https://medium.com/@{a.handle.split('.')[0]}/{self.rt.token(12).lower()}",
                    "My café diary",
                    "Notes from Pune",
                )
            budget = self.budget[period]
            mean_children = budget["cchild"] / max(1.0, budget["cpost"])
            kids = tuple(r.poisson(mean_children * s * a.pop) for s in _CHILD_SPLIT)
            post.children = kids
            likes = round((kids[0] + kids[1] + 1) * math.exp(1.0 + 0.6 * r.n()))
            post.counts = (
                likes,
                kids[1] + r.poisson(0.3 * kids[1]),
                kids[0] + r.poisson(0.2 * kids[0]),
                kids[2],
            )
        elif kind == _CMENTION:
            a = self.accounts[author if author >= 0 else self.comm_act[self.comm_share.pick(r)].pick(r)]
            lang = post.lang = self.comm_lang[a.comm].pick(r)
            m = (self._near(a, "pop"), self._near(a, "pop"))
            post.segs = self._fill(r.pick(_T["cmention"][lang]), lang, m=m)
            self._tags(post, _COMMUNITIES[a.comm].hashtags, int(r.u() * 2))
            post.counts = (r.poisson(1.0), 0, 0, 0)
        else:  # _RING: the same promotion, lightly varied
            a = self.accounts[author]
            post.segs = [("t", r.pick(("", "WOW ", "Hurry! ", "🔥 ")))] + self._fill(
                r.pick(_T["ring"]["en"]), "en", b=self.brand_acc[(_MM, "twitter")]
            )
            post.segs.append(("t", r.pick((" 👉", " ✅ 👉", " 💯", " >>"))))
            post.link = ("https://bit.ly/mm-chai50", "Masala Mornings offer", "50% off today")
            self._tags(post, ("chai", "punefood", "offer", "masalachai"), 3)
            post.counts, post.sentiment = (int(r.u() * 3), 0, 0, 0), "positive"
        post.author = a
        if post.link:
            post.segs += [("t", " "), ("u",) + post.link]
        likes, reposts, replies, quotes = post.counts  # counts always cover the children that will be scraped
        n_reply, n_repost, n_quote = post.children
        post.counts = (
            likes,
            max(reposts, n_repost),
            max(replies, n_reply + (post.answer >= 0)),
            max(quotes, n_quote),
        )

    # -- rendering and writing ------------------------------------------------------------------------

    def _write(self, post: _Post) -> None:
        """Render ``post`` for its platform, append it, schedule its children and track the truths."""
        a = post.author
        live = _Live()
        live.author, live.giveaway, live.negative = a.idx, post.giveaway, post.sentiment == "negative"
        live.reposters = set() if post.children[1] else None
        if a.platform == "twitter":
            post_id, mentioned = self._tweet(post, live)
        else:
            post_id, mentioned = self._skeet(post, live)
        n_reply, n_repost, n_quote = post.children
        pending = 0
        for n, child in ((n_reply, _REPLY), (n_repost, _REPOST), (n_quote, _QUOTE)):
            for _ in range(n):
                minutes = 1 + min(
                    2880.0, _DELAY[child] * math.exp(1.1 * self.r.n())
                )  # lognormal, capped at 2 days
                pending += self.push(post.ms + int(60_000 * minutes), child, parent=post.seq)
        if post.answer >= 0:  # the brand answers, at its own pace
            minutes = 5 + min(4320.0, _BRANDS[post.answer].respond_minutes * math.exp(0.8 * self.r.n()))
            pending += self.push(
                post.ms + int(60_000 * minutes),
                _BREPLY,
                author=self.brand_acc[(post.answer, a.platform)],
                parent=post.seq,
            )
        if pending:
            live.pending = pending
            self.live[post.seq] = live
        self._track(post, post_id, mentioned)

    def _tweet(self, post: _Post, live: _Live) -> tuple[str, list[int]]:
        """Write one snscrape ``Tweet`` line; its JSON is assembled from a template for speed.

        The template reproduces ``json.dumps`` of snscrape's dataclass dict byte for byte (the
        test suite checks ``json.dumps(json.loads(line)) == line``).
        """
        a, p, kind, rt = post.author, post.parent, post.kind, self.rt
        likes, reposts, replies, quotes = post.counts
        tid = _snowflake(post.ms, (int(rt.u() * 1024) << 12) | (post.seq & 4095))
        card = media = "null"
        if kind == _REPOST:
            raw0, rendered0, links0, media, card, tags, lang, handle = p.tw
            prefix = f"RT @{handle}: "
            raw, rendered = prefix + raw0, prefix + rendered0
            links = [
                (text, url, tco, start + len(prefix), end + len(prefix))
                for text, url, tco, start, end in links0
            ]
            mentioned = [post.target.idx]
        else:
            raw, rendered, links, mentioned, tags = self._tw_text(post.segs)
            lang = post.lang
            if post.media in ("photo", "video"):
                tco, key = "https://t.co/" + rt.token(10), rt.token(15)
                raw, rendered = f"{raw} {tco}", f"{rendered} {tco}"  # the media link stays in both texts
                if post.media == "photo":
                    media = (
                        f'[{{"_type": "snscrape.modules.twitter.Photo", "previewUrl": "https://pbs.twimg.com/media/'
                        f'{key}?format=jpg&name=small", "fullUrl": "https://pbs.twimg.com/media/{key}?format=jpg'
                        f'&name=orig", "altText": null}}]'
                    )
                else:
                    vid, base = tid >> 3, "https://video.twimg.com/ext_tw_video"
                    media = json.dumps(
                        [
                            {
                                "_type": "snscrape.modules.twitter.Video",
                                "thumbnailUrl": f"https://pbs.twimg.com/ext_tw_video_thumb/{vid}/pu/img/{key}.jpg",
                                "variants": [
                                    {
                                        "_type": "snscrape.modules.twitter.VideoVariant",
                                        "url": f"{base}/{vid}/pu/pl/{key}.m3u8?tag=12",
                                        "contentType": "application/x-mpegURL",
                                        "bitrate": None,
                                    },
                                    {
                                        "_type": "snscrape.modules.twitter.VideoVariant",
                                        "url": f"{base}/{vid}/pu/vid/720x1280/{key}.mp4?tag=12",
                                        "contentType": "video/mp4",
                                        "bitrate": 2176000,
                                    },
                                ],
                                "duration": round(8 + 50 * rt.u(), 3),
                                "views": (likes + 1) * (20 + int(40 * rt.u())),
                                "altText": None,
                            }
                        ]
                    )
            elif post.media == "poll":
                end = _iso_tw(post.ms + 86_400_000)
                split = [rt.u() + 0.2 for _ in range(3)]
                votes = 3 * likes + 10
                card = json.dumps(
                    {
                        "_type": "snscrape.modules.twitter.PollCard",
                        "options": [
                            {
                                "_type": "snscrape.modules.twitter.PollOption",
                                "label": label,
                                "count": int(votes * share / sum(split)),
                            }
                            for label, share in zip(
                                ("Masala chai", "Filter coffee", "Cold brew"), split, strict=True
                            )
                        ],
                        "endDate": end,
                        "duration": 1440,
                        "finalResults": True,
                        "lastUpdateDate": end,
                        "medium": None,
                    }
                )
            elif post.link and links:
                card = json.dumps(
                    {
                        "_type": "snscrape.modules.twitter.SummaryCard",
                        "title": post.link[1],
                        "url": post.link[0],
                        "description": post.link[2],
                        "thumbnailUrl": f"https://pbs.twimg.com/card_img/{tid >> 5}/{rt.token(8)}?format=jpg&name=600x314",
                        "siteUser": None,
                        "creatorUser": None,
                    }
                )
            if kind == _QUOTE:
                tco, url = "https://t.co/" + rt.token(10), f"https://twitter.com/{p.tw[7]}/status/{p.tw_id}"
                display = url.split("://", 1)[1][:25] + "…"
                links.append((display, url, tco, len(raw) + 1, len(raw) + 1 + len(tco)))
                raw, rendered = f"{raw} {tco}", f"{rendered} {display}"
        own = kind != _REPOST  # a retweet's own counts are zero; the original's are in retweetedTweet
        is_reply = kind in (_REPLY, _BREPLY)
        live.conv = p.conv if is_reply else tid
        if own:
            views = (likes + reposts + 1) * (15 + int(45 * rt.u())) + int(a.followers * 0.2 * rt.u())
            counts = (
                f'"replyCount": {replies}, "retweetCount": {reposts}, "likeCount": {likes}, '
                f'"quoteCount": {quotes}'
            )
            bookmarks = int(likes * 0.06 * rt.u())
        else:
            views, counts, bookmarks = (
                "null",
                '"replyCount": 0, "retweetCount": 0, "likeCount": 0, "quoteCount": 0',
                0,
            )
        raw_q = _q(raw)
        urls = [x[1] for x in links]
        tcos = [x[2] for x in links]
        mentions = (
            "[" + ", ".join(self.accounts[i].tw_ref_json for i in mentioned) + "]" if mentioned else "null"
        )
        text = (
            f'{{"_type": "snscrape.modules.twitter.Tweet", "url": "https://twitter.com/{a.handle}/status/{tid}", '
            f'"date": "{_iso_tw(post.ms)}", "rawContent": {raw_q}, "renderedContent": {_q(rendered)}, "id": {tid}, '
            f'"user": {a.tw_user_json}, {counts}, "conversationId": {live.conv}, "lang": "{lang}", {a.source}, '
            f'"links": {_text_links(links)}, "media": {media}, '
            f'"retweetedTweet": {"null" if own else p.tw_json}, '
            f'"quotedTweet": {p.tw_json if kind == _QUOTE else "null"}, '
            f'"inReplyToTweetId": {p.tw_id if is_reply else "null"}, '
            f'"inReplyToUser": {post.target.tw_ref_json if is_reply else "null"}, "mentionedUsers": {mentions}, '
            f'"coordinates": null, "place": null, "hashtags": {"[" + ", ".join(map(_q, tags)) + "]" if tags else "null"}, '
            f'"cashtags": null, "card": {card}, "viewCount": {views}, "vibe": null, "bookmarkCount": {bookmarks}, '
            f'"pinned": null, "editState": {{"_type": "snscrape.modules.twitter.EditState", "editTweetIds": [{tid}], '
            f'"editableUntilDate": "{_iso_tw(post.ms + 3_600_000)}", "editsRemaining": 5}}, '
            f'"conversationControlPolicy": "everyone", "content": {raw_q}, '  # snscrape's deprecated properties follow
            f'"outlinks": [{", ".join(map(_q, urls))}], "outlinksss": {_q(" ".join(urls))}, '
            f'"tcooutlinks": [{", ".join(map(_q, tcos))}], "tcooutlinksss": {_q(" ".join(tcos))}, '
            f'"username": "{a.handle}"}}'
        )
        self.tw_out.write(f'{text[:-1]}, "_snscrape": "{_SNSCRAPE}"}}\n')  # only the top-level item has it
        live.tw, live.tw_json, live.tw_id = (
            (raw, rendered, links, media, card, tags, lang, a.handle),
            text,
            tid,
        )
        return str(tid), mentioned

    def _tw_text(self, segs: list[tuple]) -> tuple[str, str, list, list, list]:
        """rawContent, renderedContent, links, mentioned accounts and hashtags of a tweet."""
        raw, rendered, links, mentioned, tags, pos = [], [], [], [], [], 0
        for seg in segs:
            if seg[0] == "t":
                s = shown = seg[1].translate(_ESCAPE)  # Twitter's full_text is HTML-escaped
            elif seg[0] == "m":
                s = shown = "@" + self.accounts[seg[1]].handle
                if seg[1] not in mentioned:
                    mentioned.append(seg[1])
            elif seg[0] == "h":
                s = shown = "#" + seg[1]
                tags.append(seg[1])
            else:
                s = "https://t.co/" + self.rt.token(10)
                shown = seg[1].split("://", 1)[1]
                shown = shown if len(shown) <= 26 else shown[:25] + "…"
                links.append((shown, seg[1], s, pos, pos + len(s)))
            raw.append(s)
            rendered.append(shown)
            pos += len(s)
        return "".join(raw), "".join(rendered), links, mentioned, tags

    def _skeet(self, post: _Post, live: _Live) -> tuple[str, list[int]]:
        """Write one ``feedViewPost`` item (JSON assembled from templates, like ``_tweet``)."""
        a, p, kind, rt = post.author, post.parent, post.kind, self.rt
        likes, reposts, replies, quotes = post.counts
        rkey = _tid(post.ms * 1000 + int(rt.u() * 1000), post.seq)
        created = _iso_bs(post.ms)
        if kind == _REPOST:  # the feed shows the original post, with the reposter in ``reason``
            uri = f"at://{a.did}/app.bsky.feed.repost/{rkey}"
            self.bs_out.write(
                f'{self.bs_sep}{{"post": {p.view_json}, "reason": {{"$type": "app.bsky.feed.defs#reasonRepost", '
                f'"by": {a.bs_json}, "uri": "{uri}", "cid": "{_cid(uri)}", "indexedAt": "{created}"}}}}'
            )
            self.bs_sep = ",\n"
            return uri, [post.target.idx]
        uri = f"at://{a.did}/app.bsky.feed.post/{rkey}"
        cid = _cid(uri)
        text, facets, mentioned = self._bs_text(post.segs)
        record = (
            f'{{"$type": "app.bsky.feed.post", "createdAt": "{created}"'  # record keys are sorted (DAG-CBOR)
        )
        embed = None
        if kind == _QUOTE or post.media in ("photo", "video") or post.link:
            embedded, embed = self._bs_embed(a, post)
            record += f', "embed": {embedded}'
        if facets:
            record += f', "facets": {_facets(facets)}'
        if rt.u() > 0.04:  # some clients send no langs
            record += f', "langs": ["{post.lang}"]'
        if kind in (_REPLY, _BREPLY):
            record += (
                f', "reply": {{"parent": {{"cid": "{p.cid}", "uri": "{p.uri}"}}, '
                f'"root": {{"cid": "{p.root_cid}", "uri": "{p.root_uri}"}}}}'
            )
        record += f', "text": {_qu(text)}}}'
        bookmarks = int(likes * 0.1 * rt.u())
        indexed = _iso_bs(post.ms + 200 + int(rt.u() * 2500))
        view = (
            f'{{"uri": "{uri}", "cid": "{cid}", "author": {a.bs_json}, "record": {record}'
            + (f', "embed": {embed}' if embed else "")
            + f', "bookmarkCount": {bookmarks}, "replyCount": {replies}, "repostCount": {reposts}, '
            f'"likeCount": {likes}, "quoteCount": {quotes}, "indexedAt": "{indexed}", '
            f'"viewer": {{"threadMuted": false, "embeddingDisabled": false}}, "labels": []}}'
        )
        live.view_json, live.record_json, live.embed_json, live.indexed = view, record, embed, indexed
        live.uri, live.cid, live.counts = uri, cid, post.counts
        if kind in (_REPLY, _BREPLY):  # feed items of replies carry their thread's root and parent
            typed = ', "$type": "app.bsky.feed.defs#postView"}'
            item = f'{{"post": {view}, "reply": {{"root": {p.root_json[:-1]}{typed}, "parent": {p.view_json[:-1]}{typed}}}}}'
            live.root_uri, live.root_cid, live.root_json = p.root_uri, p.root_cid, p.root_json
        else:
            item = f'{{"post": {view}}}'
            live.root_uri, live.root_cid, live.root_json = uri, cid, view
        self.bs_out.write(self.bs_sep + item)
        self.bs_sep = ",\n"
        return uri, mentioned

    def _bs_text(self, segs: list[tuple]) -> tuple[str, list, list]:
        """Text, facets (UTF-8 byte ranges) and mentioned accounts of a Bluesky record."""
        parts, facets, mentioned, pos = [], [], [], 0
        for seg in segs:
            feature = None
            if seg[0] == "t":
                s = seg[1]
            elif seg[0] == "m":
                acc = self.accounts[seg[1]]
                s, feature = "@" + acc.handle, ("mention", "did", acc.did)
                if seg[1] not in mentioned:
                    mentioned.append(seg[1])
            elif seg[0] == "h":
                s, feature = "#" + seg[1], ("tag", "tag", seg[1])
            else:
                s, feature = seg[1], ("link", "uri", seg[1])
            size = len(s) if s.isascii() else len(s.encode("utf-8"))
            if feature:
                facets.append(feature + (pos, pos + size))
            parts.append(s)
            pos += size
        return "".join(parts), facets, mentioned

    def _bs_embed(self, a: _Account, post: _Post) -> tuple[str, str]:
        """(record embed, view embed), as JSON, for a quoted post, an image, a video or a link card."""
        rt = self.rt
        if post.kind == _QUOTE:
            q = post.parent
            likes, reposts, replies, quotes = q.counts
            embeds = f', "embeds": [{q.embed_json}]' if q.embed_json else ""
            return (
                f'{{"$type": "app.bsky.embed.record", "record": {{"cid": "{q.cid}", "uri": "{q.uri}"}}}}',
                f'{{"$type": "app.bsky.embed.record#view", "record": {{"$type": "app.bsky.embed.record#viewRecord", '
                f'"uri": "{q.uri}", "cid": "{q.cid}", "author": {self.accounts[q.author].bs_json}, '
                f'"value": {q.record_json}, "labels": [], "likeCount": {likes}, "replyCount": {replies}, '
                f'"repostCount": {reposts}, "quoteCount": {quotes}, "indexedAt": "{q.indexed}"{embeds}}}}}',
            )
        blob = _cid(f"{post.ms}:{a.did}", blob=True)  # times are unique across segments
        if post.media == "photo":
            ratio = {"height": 1350 if rt.chance(0.5) else 1080, "width": 1080}
            record = {
                "$type": "app.bsky.embed.images",
                "images": [
                    {
                        "alt": "",
                        "aspectRatio": ratio,
                        "image": {
                            "$type": "blob",
                            "ref": {"$link": blob},
                            "mimeType": "image/jpeg",
                            "size": 200_000 + int(rt.u() * 800_000),
                        },
                    }
                ],
            }
            view = {
                "$type": "app.bsky.embed.images#view",
                "images": [
                    {
                        "thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{a.did}/{blob}@jpeg",
                        "fullsize": f"https://cdn.bsky.app/img/feed_fullsize/plain/{a.did}/{blob}@jpeg",
                        "alt": "",
                        "aspectRatio": ratio,
                    }
                ],
            }
        elif post.media == "video":
            ratio, watch = (
                {"height": 1920, "width": 1080},
                f"https://video.bsky.app/watch/{a.did.replace(':', '%3A')}/{blob}",
            )
            record = {
                "$type": "app.bsky.embed.video",
                "aspectRatio": ratio,
                "video": {
                    "$type": "blob",
                    "ref": {"$link": blob},
                    "mimeType": "video/mp4",
                    "size": 3_000_000 + int(rt.u() * 9_000_000),
                },
            }
            view = {
                "$type": "app.bsky.embed.video#view",
                "cid": blob,
                "playlist": f"{watch}/playlist.m3u8",
                "thumbnail": f"{watch}/thumbnail.jpg",
                "aspectRatio": ratio,
            }
        else:
            uri, title, description = post.link
            record = {
                "$type": "app.bsky.embed.external",
                "external": {"description": description, "title": title, "uri": uri},
            }
            view = {
                "$type": "app.bsky.embed.external#view",
                "external": {"uri": uri, "title": title, "description": description},
            }
        return json.dumps(record, ensure_ascii=False), json.dumps(view, ensure_ascii=False)

    # -- truths ---------------------------------------------------------------------------------------

    def _track(self, post: _Post, post_id: str, mentioned: list[int]) -> None:
        a, kind = post.author, _KIND[post.kind]
        period = int(post.ms >= _CUT_MS)
        st = self.stat[period]
        st["platforms"][a.platform]["rows"] += 1
        st["platforms"][a.platform][kind] += 1
        if kind != "repost":  # a repost's language is its original's
            st["languages"][post.lang] = st["languages"].get(post.lang, 0) + 1
        if a.brand >= 0:
            st["brands"][_BRANDS[a.brand].name]["posts" if post.kind == _BPOST else "replies"] += 1
            if post.kind == _BPOST:
                plan = post.plan
                self.brand_rows.append(
                    (
                        a.platform,
                        post.ms,
                        plan.slot,
                        sum(post.counts),
                        plan.brand,
                        plan.media,
                        plan.giveaway,
                        post_id,
                        plan.lang,
                    )
                )
            return
        brands: list[int] = []
        t = post.target
        if t is not None and t.brand >= 0:
            brands.append(t.brand)
            st["brands"][_BRANDS[t.brand].name]["audience_" + _PLURAL[kind]] += 1
        for i in mentioned:
            b = self.accounts[i].brand
            if b >= 0:
                if kind != "repost":
                    st["brands"][_BRANDS[b].name]["mentions"] += 1
                if b not in brands:
                    brands.append(b)
        if period:
            for b in brands:
                self.engaged[b].add(a.handle)
        if kind != "repost" and self.brand_acc[(_MM, "twitter")] in mentioned:
            in_stretch = _NEG_MS[0] <= post.ms < _NEG_MS[1]
            bucket = self.mm["stretch" if in_stretch else "elsewhere"]
            bucket[0] += 1
            if post.sentiment == "negative":
                bucket[1] += 1
                if in_stretch:
                    self.neg_ids.append(post_id)
        if post.unsafe:
            self.unsafe_posts.append({"platform": a.platform, "post_id": post_id, "author": a.handle})

    def state(self) -> dict:
        """What the truths need from this segment (picklable: it may come from another process)."""
        out = {
            "stat": self.stat[self.segment],
            "brand_rows": self.brand_rows,
            "mm": self.mm,
            "unsafe_posts": self.unsafe_posts,
        }
        if self.segment:
            out.update(
                engaged=[sorted(e) for e in self.engaged],
                neg_ids=self.neg_ids,
                unsafe_names=self.unsafe_names,
                ring=sorted(self.accounts[i].handle for i in self.ring),
                ring_posts=len(self.ring_posts),
                devoted=sorted(a.handle for a in self.audience if a.devoted),
                members=[
                    sorted(a.handle for a in self.audience if a.comm == c) for c in range(len(_COMMUNITIES))
                ],
            )
        return out


def _truth(seed: int, posts: int, files: dict[str, Path], states: list[dict]) -> dict:
    """The planted truths, measured on what the two segments wrote."""
    names = [b.name for b in _BRANDS]
    last = states[1]
    rows = states[0]["brand_rows"] + last["brand_rows"]
    current = [row for row in rows if row[1] >= _CUT_MS]

    def mean(values) -> float:
        values = list(values)
        return sum(values) / len(values) if values else 0.0

    def median(values) -> float:
        values = sorted(values)
        n = len(values)
        return float(values[n // 2]) if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2

    def local_date(ms: int) -> str:
        return (date(1970, 1, 1) + timedelta((ms // 1000 + _TZ) // 86_400)).isoformat()

    def bounds(first: date, end: date) -> dict:
        return {
            "start": first.isoformat(),
            "end": end.isoformat(),
            "start_utc": _iso_tw(_midnight(first) * 1000),
            "end_utc_exclusive": _iso_tw(_midnight(end + timedelta(1)) * 1000),
        }

    best_slot = {}
    for platform, slot in _BEST.items():
        means = _slot_means(rows, platform)
        others = mean(row[3] for row in current if row[0] == platform and row[2] != slot)
        runner = max((k for k in means if k != slot), key=lambda k: means[k][1])
        best_slot[platform] = {
            "weekday": _WEEKDAYS[slot[0]],
            "hour": slot[1],
            "posts": means[slot][0],
            "mean_engagement": round(means[slot][1], 1),
            "other_slots_mean_engagement": round(others, 1),
            "ratio": round(means[slot][1] / others, 2),
            "factor": _BEST_FACTOR,
            "runner_up": {
                "weekday": _WEEKDAYS[runner[0]],
                "hour": runner[1],
                "posts": means[runner][0],
                "mean_engagement": round(means[runner][1], 1),
            },
        }
    plain = [row for row in current if not row[6] and row[2] != _BEST[row[0]]]
    video = [row[3] for row in plain if row[5] == "video"]
    other = [row[3] for row in plain if row[5] != "video"]
    giveaways = [row for row in rows if row[6]]
    # each giveaway against the plain (not video, not best-slot) posts of the same account and period
    baseline = {}
    for row in rows:
        if not row[6] and row[5] != "video" and row[2] != _BEST[row[0]]:
            baseline.setdefault((row[0], row[4], row[1] >= _CUT_MS), []).append(row[3])
    giveaway_ratio = mean(row[3] / mean(baseline[(row[0], row[4], row[1] >= _CUT_MS)]) for row in giveaways)
    medians = {}
    for b, name in enumerate(names):
        prev = median(row[3] for row in rows if row[4] == b and row[1] < _CUT_MS)
        cur = median(row[3] for row in current if row[4] == b)
        medians[name] = {"previous": prev, "analysis": cur, "ratio": round(cur / prev, 3)}
    engaged = [set(e) for e in last["engaged"]]
    pairs = {}
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            shared, union = len(engaged[i] & engaged[j]), len(engaged[i] | engaged[j])
            pairs[f"{names[i]} & {names[j]}"] = {
                "shared": shared,
                "jaccard": round(shared / union, 4) if union else 0.0,
            }
    communities, community_of = {}, {}
    for comm, members in zip(_COMMUNITIES, last["members"], strict=True):
        communities[comm.name] = {
            "platform": comm.platform,
            "language": comm.lang,
            "hashtags": list(comm.hashtags),
            "favourite_brands": [names[b] for b, _ in comm.favourites],
            "size": len(members),
            "members": members,
        }
        community_of.update(dict.fromkeys(members, comm.name))
    stretch = last["mm"]["stretch"]
    elsewhere = [states[0]["mm"]["elsewhere"][i] + last["mm"]["elsewhere"][i] for i in (0, 1)]
    stats = [states[0]["stat"], last["stat"]]
    return {
        "generator": "research.demo",
        "seed": seed,
        "posts": posts,
        "snscrape_version": _SNSCRAPE,
        "files": {k: v.name for k, v in files.items()},
        "timezone": "Asia/Kolkata",
        "period": bounds(_PERIOD_START, _PERIOD_END),
        "previous_period": bounds(_FIRST_DAY, _PERIOD_START - timedelta(1)),
        "brands": {
            b.name: {
                "client": i == _CC,
                "accounts": {p: h for p, h in (("twitter", b.twitter), ("bluesky", b.bluesky)) if h},
            }
            for i, b in enumerate(_BRANDS)
        },
        "engagement": "likes + reposts + replies + quotes (views and bookmarks excluded)",
        "best_slot": best_slot,
        "format_uplift": {
            "media_type": "video",
            "factor": _VIDEO_FACTOR,
            "versus": ["photo", "text", "link", "poll"],
            "measured_ratio": round(mean(video) / mean(other), 2),
            "posts": {"video": len(video), "other": len(other)},
            "measured_on": "brand posts in the analysis period, giveaways and best-slot posts excluded",
        },
        "giveaways": {
            "factor": _GIVEAWAY_FACTOR,
            "measured_ratio": round(giveaway_ratio, 2),
            "keywords": {"en": ["giveaway", "win"], "hi": ["गिवअवे", "जीतें"], "ru": ["розыгрыш", "выиграй"]},
            "posts": [
                {
                    "platform": row[0],
                    "post_id": row[7],
                    "brand": names[row[4]],
                    "date": local_date(row[1]),
                    "period": "analysis" if row[1] >= _CUT_MS else "previous",
                    "lang": row[8],
                    "engagement": row[3],
                }
                for row in giveaways
            ],
        },
        "communities": communities,
        "community_of": dict(sorted(community_of.items())),
        "overlap": {
            "brands": ["Brew Bros", "Kettle Kings"],
            "engaged": {name: len(engaged[b]) for b, name in enumerate(names)},
            "shared": pairs["Brew Bros & Kettle Kings"]["shared"],
            "jaccard": pairs["Brew Bros & Kettle Kings"]["jaccard"],
            "pairs": pairs,
            "planted_members": last["devoted"],
            "definition": "non-brand accounts that replied to, mentioned, reposted or quoted any account of the brand "
            "in the analysis period (a repost counts at its own time)",
        },
        "suspicious": last["ring"],
        "suspicious_detail": {
            "brand": "Masala Mornings",
            "posts": last["ring_posts"],
            "bursts": _RING_BURSTS,
            "burst_minutes": 6,
            "max_followers": 15,
            "min_following": 2000,
            "created_days_before_first_post": [3, 25],
        },
        "negative_stretch": {
            "brand": "Masala Mornings",
            "start": _NEG_START.isoformat(),
            "end": _NEG_END.isoformat(),
            "posts": last["neg_ids"],
            "mentions_in_stretch": stretch[0],
            "negative_share_in_stretch": round(stretch[1] / max(1, stretch[0]), 3),
            "negative_share_elsewhere": round(elsewhere[1] / max(1, elsewhere[0]), 3),
            "measured_on": "audience posts (not reposts) mentioning @masalamornings; tweet replies start with the mention",
        },
        "period_change": {
            "brand": "Brew Bros",
            "metric": "median engagement of brand posts, both platforms",
            "factor": _POP_FACTOR,
            "medians": medians,
        },
        "unsafe_text": {
            "display_names": last["unsafe_names"],
            "posts": states[0]["unsafe_posts"] + last["unsafe_posts"],
        },
        "counts": {
            "analysis": stats[1],
            "previous": stats[0],
            "posts_in_period": sum(v["rows"] for v in stats[1]["platforms"].values()),
            "posts_total": sum(v["rows"] for st in stats for v in st["platforms"].values()),
            "audience_accounts": len(community_of),
        },
    }


# --- entry point ---------------------------------------------------------------------------------

_PARALLEL_FROM = 10_000  # below this, starting a second process costs more than it saves


@dataclass(frozen=True)
class DemoWorld:
    """The written demo world: import format name -> file, and the planted truths."""

    files: dict[str, Path]
    truth: dict


def _append(path: Path, *parts: bytes | Path) -> None:
    """Append bytes and whole files (deleted afterwards) to ``path``, in the kernel where possible."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.lseek(fd, 0, os.SEEK_END)
        for part in parts:
            if isinstance(part, bytes):
                view = memoryview(part)
                while view:
                    view = view[os.write(fd, view) :]
                continue
            with open(part, "rb") as src:
                left = os.fstat(src.fileno()).st_size
                try:
                    while left > 0:
                        n = os.copy_file_range(src.fileno(), fd, left)
                        if n == 0:
                            break
                        left -= n
                except (AttributeError, OSError):  # no copy_file_range here (not Linux, or the file system)
                    pass
                while chunk := src.read(1 << 24):
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view) :]
            part.unlink()
    finally:
        os.close(fd)


def _segment(out_dir: str, seed: int, posts: int, segment: int) -> dict:
    """Simulate and write one period (a process-pool task: arguments and result are picklable)."""
    folder = Path(out_dir)
    world = _World(seed, posts, segment)
    return world.run(folder / f".part{segment}.jsonl", folder / f".part{segment}.bsky")


def _generate(out_dir: Path, seed: int, posts: int, workers: int) -> DemoWorld:
    out_dir.mkdir(parents=True, exist_ok=True)
    args = ([str(out_dir)] * 2, [seed] * 2, [posts] * 2, [0, 1])
    # Daemon processes (Dask workers, pool workers) may not start children: generate in-process there.
    if workers > 1 and not multiprocessing.current_process().daemon:
        # NOTE: fork is fast and does not re-run the caller's script, but is unsafe once threads
        # exist (Jupyter kernels have some); spawn re-imports __main__, which kernels and CLIs allow.
        method = "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context(method)) as pool:
            states = list(pool.map(_segment, *args))
    else:
        states = [_segment(*a) for a in zip(*args, strict=True)]
    # The previous period's parts become the files (segment 0 opened the JSON array); the analysis
    # period is appended: one copy of half the bytes instead of two copies of all of them.
    files = {"snscrape-jsonl": out_dir / "demo-twitter.jsonl", "bluesky-json": out_dir / "demo-bluesky.json"}
    os.replace(out_dir / ".part0.jsonl", files["snscrape-jsonl"])
    os.replace(out_dir / ".part0.bsky", files["bluesky-json"])
    _append(files["snscrape-jsonl"], out_dir / ".part1.jsonl")
    more = (out_dir / ".part1.bsky").stat().st_size and files["bluesky-json"].stat().st_size > 2
    _append(files["bluesky-json"], b",\n" if more else b"", out_dir / ".part1.bsky", b"\n]\n")
    truth = _truth(seed, posts, files, states)
    (out_dir / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return DemoWorld(files=files, truth=truth)


def generate(out_dir: Path, *, seed: int = DEFAULT_SEED, posts: int = DEFAULT_POSTS) -> DemoWorld:
    """Write the demo world into ``out_dir`` (created if needed) and return its files and truths.

    Parameters
    ----------
    out_dir : Path
        Folder for ``demo-twitter.jsonl``, ``demo-bluesky.json`` and ``truth.json``.
    seed : int
        Same seed and ``posts`` give byte-identical files.
    posts : int
        About how many posts fall inside the 90-day analysis period (the previous period
        has as many again). The audience grows as ``posts ** 0.8``. From 10,000 posts the
        two periods are simulated in two processes (the bytes are the same either way).

    Returns
    -------
    DemoWorld
        ``files`` maps import format name to file; ``truth`` is also in ``truth.json``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     world = generate(Path(folder), posts=2_000)
    >>> sorted(world.files), world.truth["best_slot"]["twitter"]["weekday"]
    (['bluesky-json', 'snscrape-jsonl'], 'Thursday')
    """
    if posts < 100:
        raise ValueError(f"posts={posts}: the demo world needs at least 100 posts")
    workers = 2 if posts >= _PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1
    return _generate(Path(out_dir), int(seed), int(posts), workers)
