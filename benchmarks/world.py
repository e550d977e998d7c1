"""The benchmark world: a seeded market stream with a real audience's shape, as snscrape JSONL.

The demo world (``research.demo``) is built to plant answers for the brief; its audience is
small and loyal (about 30 posts per account). Real hashtag and brand streams are not: most
voices appear once and a few hubs take most of the attention. This generator writes that
shape (about 45 s and 0.7 GB per million posts), in the format the importer reads (``snscrape --jsonl``
``Tweet`` lines with their users, retweeted and quoted tweets embedded as snscrape embeds them).

The shape follows the corpus (``../shared/corpus``), measured with the project's importer:

- kinds, from the twarc2 #BLM file (the one stream that keeps retweets; snscrape searches
  leave them out): 73.4 % retweets, 7.0 % replies, 3.6 % quotes, 16.2 % originals;
- mentions, from the snscrape covid windows: 46 % of the tweets that are not retweets mention
  someone, 0.9 handles a tweet on average (a retweet carries its original's mentions);
- authors: 934 and 937 distinct authors per 1,000 tweets in the covid windows, 802 in the BLM
  file; 97 % of the covid authors and 88 % of the BLM ones are seen once. Over 90 days the same people come back, so authors are drawn
  from a pool with a heavy (Zipf) tail: at 1M posts half of the authors post once.

The brands, hashtags, period and timezone are the params' (the benchmark passes the demo's), so
the brief built on this world has brands, own posts, answers and share of voice to report. Nothing is planted:
the world has no truth file. Same seed and size: byte-identical file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from research.params import Params

__all__ = ["Shape", "generate", "period_bounds", "KIND_SHARES"]

# Share of each kind of tweet in the stream (twarc2 #BLM file, rounded to whole per mille).
KIND_SHARES = {"repost": 0.734, "reply": 0.070, "quote": 0.036, "original": 0.160}
MENTION_SHARE = 0.46  # tweets that are not retweets with at least one extra mention (covid windows)
HASHTAGS_PER_ORIGINAL = 1.3  # between the covid search (0.3) and the #BLM stream (2.8)
POOL_PER_POST = 0.45  # accounts in the pool per stored post; Zipf draws leave many of them silent
AUTHOR_ZIPF = 0.85  # author activity: weight of the k-th most active account ~ k ** -0.85
TARGET_ZIPF = 1.05  # attention: weight of the k-th most visible account ~ k ** -1.05
# Each brand's share of all interaction targets, in the params' order (client first); cycled if more.
BRAND_ATTENTION = (0.020, 0.030, 0.015, 0.010)
BRAND_FOLLOWERS = (52_000, 88_000, 31_000, 24_000)
BRAND_POSTS_PER_DAY = 4  # each brand account, on average
BRAND_ANSWER_SHARE = 0.12  # replies to a brand that the brand answers
HOURS = np.array([1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 8, 8, 9, 8, 7, 7, 8, 9, 10, 11, 10, 8, 5, 2], float)  # local
MEDIA = (("text", 0.52), ("photo", 0.30), ("video", 0.08), ("link", 0.10))
_SNOWFLAKE_EPOCH = 1_288_834_974_657
_q = json.encoder.encode_basestring_ascii  # a string exactly as json.dumps writes it
_UNLINKED = '"retweetedTweet": null, "quotedTweet": null, "inReplyToTweetId": null, "inReplyToUser": null'


@dataclass(frozen=True)
class Shape:
    """What the world holds: the figures ``results.json`` records for it."""

    posts: int  # stored tweets (retweets, replies, quotes, originals), both periods
    accounts: int  # distinct accounts that post or are interacted with
    edges: int  # distinct directed (source, target) interaction pairs
    period_posts: int  # of the posts, those in the analysis period
    period_accounts: int
    period_edges: int
    kinds: dict[str, float]  # share of each kind of tweet
    once: float  # share of authors with one tweet


def _zipf_weights(n: int, a: float) -> np.ndarray:
    w = (np.arange(n, dtype=float) + 10.0) ** -a  # +10: the head is heavy, not a single giant
    return w / w.sum()


def _draw(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """``n`` indices drawn by ``weights`` (inverse CDF: fast for millions)."""
    return np.minimum(np.searchsorted(np.cumsum(weights), rng.random(n)), len(weights) - 1)


def period_bounds(params: Params) -> tuple[datetime, datetime]:
    """The params' analysis period as UTC instants: local midnights in the client's timezone."""
    start, end = params.period.bounds()
    tz = ZoneInfo(params.timezone)
    return tuple(
        datetime.combine(d, datetime.min.time(), tzinfo=tz).astimezone(UTC)
        for d in (start, end + timedelta(1))
    )


def _brands(params: Params) -> list[tuple[str, str]]:
    """(name, Twitter handle) of each brand of the params with a Twitter account, client first."""
    found = []
    for brand in params.brands():
        handle = next((h for platform, h in brand.accounts if platform == "twitter"), None)
        if handle:
            found.append((brand.name, handle))
    return found


def _texts(
    rng: np.random.Generator, groups: tuple[str, ...], n: int, brand_names: list[str]
) -> list[tuple[str, str]]:
    """``n`` (text, language) pairs filled in from the demo's templates (mentions left out)."""
    from research.demo import texts as T  # the demo's words: a benchmark world of the same market

    fills = {
        "item": T._ITEMS,
        "item2": T._ITEMS,
        "place": T._PLACES,
        "day": T._DAYS,
    }
    out = []
    pool = [
        (t, lang) for g in groups for lang, ts in T._T[g].items() for t in ts if lang in ("en", "hi", "ru")
    ]
    weights = np.array([{"en": 6.0, "hi": 2.0, "ru": 1.0}[lang] for _, lang in pool])
    picks = _draw(rng, weights / weights.sum(), n)
    for i in picks:
        template, lang = pool[i]
        # A brand is named in words ({b}); people ({m}) are left out: mentions are drawn apart.
        text = template.replace("{b}", brand_names[int(rng.integers(len(brand_names)))])
        text = re.sub(r"\s*(with |and )?\{(m|m2)\}", "", text)
        for key, by_lang in fills.items():
            while "{" + key + "}" in text:
                choices = by_lang[lang]
                text = text.replace("{" + key + "}", choices[int(rng.integers(len(choices)))], 1)
        text = text.replace("{e}", T._EMOJI[int(rng.integers(len(T._EMOJI)))])
        text = text.replace("{book}", T._BOOKS[int(rng.integers(len(T._BOOKS)))])
        text = text.replace("{n}", str(int(rng.integers(2, 40)) * 5))
        out.append((text.strip(), lang))
    return out


def generate(path: Path, *, size: int, seed: int, params: Params) -> Shape:
    """Write ``size`` tweets to ``path`` (snscrape JSONL) about the brands and hashtags of ``params``:
    half in its analysis period, half in the period of the same length before; return the world's shape."""
    rng = np.random.default_rng(seed)
    start, end = period_bounds(params)
    brands = _brands(params)
    attention = [BRAND_ATTENTION[i % len(BRAND_ATTENTION)] for i in range(len(brands))]
    offset = ZoneInfo(params.timezone).utcoffset(start.replace(tzinfo=None))
    span = end - start
    t0 = int((start - span).timestamp() * 1000)
    t_start, t_end = int(start.timestamp() * 1000), int(end.timestamp() * 1000)

    # --- who: a pool of accounts; brands first, then by activity ---------------------------------
    n_brands = len(brands)
    pool = max(1000, int(size * POOL_PER_POST))
    activity = _zipf_weights(pool, AUTHOR_ZIPF)
    # Attention follows activity loosely: an account's rank is its activity rank plus noise.
    rank = np.argsort(np.argsort(np.arange(pool) + rng.normal(0, pool / 20, pool)))
    visibility = _zipf_weights(pool, TARGET_ZIPF)[rank]

    # --- what: the kind of each tweet and when ---------------------------------------------------
    days = (t_end - t0) // 86_400_000
    brand_posts = min(size // 10, BRAND_POSTS_PER_DAY * n_brands * days)
    n = size - brand_posts
    kinds = rng.choice(4, size=n, p=[KIND_SHARES[k] for k in ("original", "reply", "quote", "repost")])
    original = np.concatenate([np.ones(brand_posts, bool), kinds == 0])
    kind = np.concatenate(
        [np.zeros(brand_posts, np.int8), kinds.astype(np.int8)]
    )  # 0 orig 1 reply 2 quote 3 RT
    author = np.concatenate([rng.integers(0, n_brands, brand_posts), n_brands + _draw(rng, activity, n)])
    hour_p = np.roll(HOURS / HOURS.sum(), -int(offset.total_seconds() // 3600))  # local hours -> UTC hours
    ms = (
        t0
        + rng.integers(0, days, size) * 86_400_000
        + _draw(rng, hour_p, size) * 3_600_000
        + rng.integers(0, 3_600_000, size)
    )
    ms -= int(offset.total_seconds() % 3600) * 1000

    # --- whom: replies, quotes and retweets point at earlier originals ---------------------------
    orig_idx = np.flatnonzero(original)
    by = author[orig_idx]
    weight = visibility[np.maximum(by - n_brands, 0)] * rng.lognormal(0, 1, len(orig_idx))
    weight[by < n_brands] = 0.0
    weight *= (1 - sum(attention)) / weight.sum()
    for b, share in enumerate(attention):  # each brand's posts share the brand's attention
        own = by == b
        weight[own] = share * rng.lognormal(0, 0.7, int(own.sum())) / max(1, int(own.sum())) / 1.28
    target = np.full(size, -1, np.int64)
    linked = ~original
    target[linked] = orig_idx[_draw(rng, weight / weight.sum(), int(linked.sum()))]
    delay = rng.lognormal(np.log(2 * 3_600_000), 1.2, size).astype(np.int64)
    ms[linked] = ms[target[linked]] + delay[linked]
    late = linked & (ms >= t_end)
    ms[late] = ms[target[late]] + 60_000

    # Brands answer some of the replies to their posts: an audience reply elsewhere in the stream
    # becomes the brand's answer to one of those (same number of tweets, a real two-tweet thread).
    to_brand = np.flatnonzero(linked & (kind == 1) & (author[np.maximum(target, 0)] < n_brands))
    spare = np.flatnonzero(linked & (kind == 1) & (author[np.maximum(target, 0)] >= n_brands))
    k = min(len(spare), int(len(to_brand) * BRAND_ANSWER_SHARE))
    answers = rng.choice(to_brand, k, replace=False) if k else np.zeros(0, np.int64)
    spare = rng.choice(spare, k, replace=False) if k else np.zeros(0, np.int64)
    author[spare] = author[target[answers]]
    target[spare] = answers
    ms[spare] = ms[answers] + rng.lognormal(np.log(3 * 3_600_000), 0.8, k).astype(np.int64)
    order = np.argsort(ms, kind="stable")  # the file runs in time order, as a collector writes it
    ids = ((ms - _SNOWFLAKE_EPOCH) << 22) | (np.arange(size) & 0x3FFFFF)

    # --- extra mentions and hashtags of tweets that are not retweets -----------------------------
    mentions = np.where(rng.random(size) < MENTION_SHARE, rng.geometric(0.6, size), 0)
    mentions[kind == 3] = 0
    mention_targets = _draw(rng, visibility, int(mentions.sum())) + n_brands
    brand_hit = rng.random(len(mention_targets)) < sum(attention) * 4
    mention_targets[brand_hit] = rng.integers(0, n_brands, int(brand_hit.sum()))
    mention_start = np.concatenate([[0], np.cumsum(mentions)])
    n_tags = np.where(original | (kind == 2), rng.poisson(HASHTAGS_PER_ORIGINAL, size), 0)
    market_tags = list(params.hashtags)  # half of all hashtag uses; the other half a long tail
    tag_pool = np.array(market_tags + [f"tag{k}" for k in range(5000)], dtype=object)
    tag_weights = np.concatenate(
        [np.full(len(market_tags), 0.5 / len(market_tags)), 0.5 * _zipf_weights(5000, 1.1)]
    )
    tags = tag_pool[_draw(rng, tag_weights, int(n_tags.sum()))]
    tag_start = np.concatenate([[0], np.cumsum(n_tags)])

    # --- counts: the stream's own retweets, replies and quotes, plus likes -----------------------
    got = {k: np.bincount(target[kind == k], minlength=size) for k in (1, 2, 3)}
    likes = (got[3] * rng.uniform(1.5, 4, size) + rng.poisson(1, size)).astype(np.int64)
    media = rng.choice(len(MEDIA), size=size, p=[p for _, p in MEDIA])

    # --- words ---------------------------------------------------------------------------------
    names = [name for name, _ in brands]
    banks = {
        "audience": _texts(rng, ("pos", "neu", "neg", "complaint", "cpost_other", "cmention"), 4000, names),
        "brand": _texts(rng, ("brand", "video", "link", "giveaway", "recipe", "tasting"), 600, names),
        "reply": _texts(rng, ("reply_pos", "reply_neg", "creply"), 2000, names),
        "quote": _texts(rng, ("quote", "quote_neg"), 600, names),
        "answer": _texts(rng, ("answer", "apology"), 300, names),
    }
    pick = rng.integers(0, 1 << 30, size)
    users = _Users(rng, pool + n_brands, brands, visibility)
    lines = _Lines(users)

    def post(i: int) -> dict:
        k = int(kind[i])
        if k == 0:
            bank = banks["brand" if author[i] < n_brands else "audience"]
        elif k == 1:
            bank = banks["answer" if author[i] < n_brands and kind[target[i]] == 1 else "reply"]
        else:
            bank = banks["quote"]
        text, lang = bank[int(pick[i]) % len(bank)]
        return {
            "id": int(ids[i]), "ms": int(ms[i]), "author": int(author[i]), "text": text, "lang": lang,
            "mentions": mention_targets[mention_start[i] : mention_start[i + 1]].tolist(),
            "tags": tags[tag_start[i] : tag_start[i + 1]].tolist(), "media": MEDIA[int(media[i])][0],
            "likes": int(likes[i]), "retweets": int(got[3][i]), "replies": int(got[1][i]), "quotes": int(got[2][i]),
        }  # fmt: skip

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8") as f:
        chunk = []
        for i in order.tolist():
            k = int(kind[i])
            chunk.append(lines.tweet(post(i), kind=k, parent=post(int(target[i])) if k else None))
            if len(chunk) >= 20_000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))
    tmp.replace(path)
    return _shape(kind, author, target, mention_targets, mention_start, ms, t_start, t_end)


def _shape(kind, author, target, mention_targets, mention_start, ms, t_start, t_end) -> Shape:
    """Count accounts and distinct interaction pairs, as the interaction graph will see them."""
    size = len(kind)
    linked = target >= 0
    src = [author[linked]]
    dst = [author[target[linked]]]
    rows = np.repeat(np.arange(size), np.diff(mention_start))
    src.append(author[rows])
    dst.append(mention_targets)
    reposts = np.flatnonzero(kind == 3)  # a retweet carries the original's mentions
    parents = target[reposts]
    counts = np.diff(mention_start)[parents]
    first = np.repeat(mention_start[parents], counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    src.append(np.repeat(author[reposts], counts))
    dst.append(mention_targets[first + offset])
    in_period = (ms >= t_start) & (ms < t_end)
    periods = [np.ones(size, bool), in_period]
    rows_all = [np.flatnonzero(linked), rows, np.repeat(reposts, counts)]
    out = []
    for keep in periods:
        s = np.concatenate([x[keep[r]] for x, r in zip(src, rows_all, strict=True)])
        d = np.concatenate([x[keep[r]] for x, r in zip(dst, rows_all, strict=True)])
        ok = s != d
        pairs = np.unique(s[ok].astype(np.int64) * (1 << 32) + d[ok])
        accounts = np.union1d(np.unique(author[keep]), np.unique(d))
        out.append((int(keep.sum()), len(accounts), len(pairs)))
    per_author = np.bincount(author)
    active = per_author[per_author > 0]
    names = ("original", "reply", "quote", "repost")
    return Shape(
        posts=out[0][0], accounts=out[0][1], edges=out[0][2],
        period_posts=out[1][0], period_accounts=out[1][1], period_edges=out[1][2],
        kinds={names[k]: round(float((kind == k).mean()), 4) for k in range(4)},
        once=round(float((active == 1).mean()), 4),
    )  # fmt: skip


class _Users:
    """Each account's snscrape ``User`` JSON, built once and reused for every tweet it writes."""

    def __init__(
        self, rng: np.random.Generator, n: int, brands: list[tuple[str, str]], visibility: np.ndarray
    ) -> None:
        from research.demo import texts as T

        n_brands = self.n_brands = len(brands)
        self.handles = [handle for _, handle in brands] + [
            f"{T._FIRST[i % len(T._FIRST)]}{T._LAST[(i // len(T._FIRST)) % len(T._LAST)]}{i}".lower()
            for i in range(n - n_brands)
        ]
        self.names = [name for name, _ in brands] + [
            f"{T._FIRST[i % len(T._FIRST)]} {T._LAST[(i // len(T._FIRST)) % len(T._LAST)]}"
            for i in range(n - n_brands)
        ]
        base = np.concatenate([np.full(n_brands, 1e-3), visibility])
        self.followers = (rng.lognormal(4.5, 1.5, n) + base / base.max() * 2e5).astype(np.int64)
        self.followers[:n_brands] = [BRAND_FOLLOWERS[i % len(BRAND_FOLLOWERS)] for i in range(n_brands)]
        self.created = rng.integers(1_230_000_000, 1_780_000_000, n)  # 2008-12 to 2026-05
        self.statuses = rng.lognormal(6, 1.8, n).astype(np.int64)
        self.friends = rng.lognormal(5, 1.2, n).astype(np.int64)
        self._json: dict[int, str] = {}

    def id(self, i: int) -> int:
        return 1_000_000 + i

    def json(self, i: int) -> str:
        s = self._json.get(i)
        if s is None:
            h = self.handles[i]
            created = datetime.fromtimestamp(int(self.created[i]), UTC).isoformat()
            s = self._json[i] = (
                f'{{"_type": "snscrape.modules.twitter.User", "username": "{h}", "id": {self.id(i)}, '
                f'"displayname": {_q(self.names[i])}, "rawDescription": "", "renderedDescription": "", '
                f'"verified": {"true" if i < self.n_brands else "false"}, "created": "{created}", '
                f'"followersCount": {self.followers[i]}, "friendsCount": {self.friends[i]}, '
                f'"statusesCount": {self.statuses[i]}, "favouritesCount": 0, "listedCount": 0, '
                f'"mediaCount": 0, "location": "Pune", "protected": false, '
                f'"profileImageUrl": "https://pbs.twimg.com/profile_images/{self.id(i)}/p_normal.jpg", '
                f'"url": "https://twitter.com/{h}"}}'
            )
        return s


class _Lines:
    """snscrape ``Tweet`` lines."""

    def __init__(self, users: _Users) -> None:
        self.users = users

    def full_text(self, tw: dict) -> str:
        """The text as posted: words, then mentions and hashtags."""
        text = tw["text"]
        if tw["mentions"]:
            text += " " + " ".join("@" + self.users.handles[m] for m in tw["mentions"])
        if tw["tags"]:
            text += " " + " ".join("#" + t for t in tw["tags"])
        return text

    def tweet(self, tw: dict, kind: int = 0, parent: dict | None = None) -> str:
        u = self.users
        handle = u.handles[tw["author"]]
        mentioned = [u.handles[m] for m in tw["mentions"]]
        if kind == 3:  # the retweet's text, mentions and hashtags are its original's
            body = self._body(parent)
            p_handle = u.handles[parent["author"]]
            text = f"RT @{p_handle}: {self.full_text(parent)}"
            mentioned = [p_handle] + [u.handles[m] for m in parent["mentions"] if u.handles[m] != p_handle]
            extra = f'"retweetedTweet": {body}, "quotedTweet": null, "inReplyToTweetId": null, "inReplyToUser": null'
            return self._line(tw, handle, text, mentioned, parent["tags"], extra, likes=0, counts=(0, 0, 0))
        text = self.full_text(tw)
        if kind == 1:
            p_handle = u.handles[parent["author"]]
            text = f"@{p_handle} {text}"
            mentioned = [p_handle, *mentioned]
            ref = (
                f'{{"_type": "snscrape.modules.twitter.UserRef", "username": "{p_handle}", '
                f'"id": {u.id(parent["author"])}, "displayname": {_q(u.names[parent["author"]])}}}'
            )
            extra = f'"retweetedTweet": null, "quotedTweet": null, "inReplyToTweetId": {parent["id"]}, "inReplyToUser": {ref}'
        elif kind == 2:
            extra = f'"retweetedTweet": null, "quotedTweet": {self._body(parent)}, "inReplyToTweetId": null, "inReplyToUser": null'
        else:
            extra = _UNLINKED
        return self._line(tw, handle, text, mentioned, tw["tags"], extra)

    def _body(self, tw: dict) -> str:
        """The embedded original of a retweet or quote (one line, no newline)."""
        mentioned = [self.users.handles[m] for m in tw["mentions"]]
        return self._line(
            tw,
            self.users.handles[tw["author"]],
            self.full_text(tw),
            mentioned,
            tw["tags"],
            _UNLINKED,
            newline=False,
        )

    def _line(
        self, tw, handle, text, mentioned, tags, extra, *, likes=None, counts=None, newline=True
    ) -> str:
        u = self.users
        stamp = datetime.fromtimestamp(tw["ms"] / 1000, UTC).replace(microsecond=0).isoformat()
        retweets, replies, quotes = counts or (tw["retweets"], tw["replies"], tw["quotes"])
        media = "null"
        if tw["media"] in ("photo", "video"):
            kind = "Photo" if tw["media"] == "photo" else "Video"
            media = f'[{{"_type": "snscrape.modules.twitter.{kind}", "previewUrl": "https://pbs.twimg.com/media/{tw["id"]}.jpg"}}]'
        links = "null"
        if tw["media"] == "link":
            links = f'[{{"_type": "snscrape.modules.twitter.TextLink", "text": "chai.example/{tw["id"] % 997}", "url": "https://chai.example/{tw["id"] % 997}", "tcourl": "https://t.co/x{tw["id"] % 99991}", "indices": [0, 0]}}]'
        mention_json = (
            "["
            + ", ".join(
                f'{{"_type": "snscrape.modules.twitter.UserRef", "username": "{h}"}}' for h in mentioned
            )
            + "]"
            if mentioned
            else "null"
        )
        tag_json = "[" + ", ".join(_q(t) for t in tags) + "]" if tags else "null"
        line = (
            f'{{"_type": "snscrape.modules.twitter.Tweet", "url": "https://twitter.com/{handle}/status/{tw["id"]}", '
            f'"date": "{stamp}", "rawContent": {_q(text)}, "renderedContent": {_q(text)}, "id": {tw["id"]}, '
            f'"user": {u.json(tw["author"])}, "replyCount": {replies}, "retweetCount": {retweets}, '
            f'"likeCount": {tw["likes"] if likes is None else likes}, "quoteCount": {quotes}, '
            f'"conversationId": {tw["id"]}, "lang": "{tw["lang"]}", "source": "<a href=\\"https://mobile.twitter.com\\" '
            f'rel=\\"nofollow\\">Twitter Web App</a>", "links": {links}, "media": {media}, {extra}, '
            f'"mentionedUsers": {mention_json}, "hashtags": {tag_json}, "cashtags": null, "card": null, '
            f'"viewCount": null, "vibe": null, "place": null, "coordinates": null}}'
        )
        return line + "\n" if newline else line
