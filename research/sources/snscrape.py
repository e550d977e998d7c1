"""snscrape ``--jsonl`` output: one scraped item per line, for any snscrape module.

The item's ``_type`` (``snscrape.modules.twitter.Tweet``, ``...telegram.TelegramPost``, ...)
says which platform normaliser applies. Files from snscrape before v0.4 have no
``_type``; their tweets are recognised by their keys.

Supported items: Twitter ``Tweet`` (``twitter.py``), Telegram ``TelegramPost`` and
``Channel`` (a profile: an ``accounts`` row; ``telegram.py``), Mastodon ``Toot`` and ``Boost``, and VKontakte ``VKontaktePost`` (both
below). snscrape scrapes Mastodon and VK web pages, which show no counts: their count
columns stay NULL.

snscrape itself (GPL-3.0, unmaintained) is not needed to import its files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from research.schema import to_utc
from research.sources.base import Context, Format, Rows, Sample, handle, hashtags_in, mentions_in
from research.sources.reading import read_jsonl
from research.sources.telegram import normalize_snscrape_channel, normalize_snscrape_telegram
from research.sources.twitter import normalize_snscrape_tweet

__all__ = ["FORMAT", "NORMALIZERS", "normalize_toot", "normalize_boost", "normalize_vk_post"]


# --- Mastodon (snscrape.modules.mastodon) ---------------------------------------------------
# NOTE: a toot's numeric id is local to the server that showed it, so the post id is the
# toot's URL (globally unique, like Bluesky's at:// URIs); accounts are "user@server".

_VIDEO_EXT = (".mp4", ".webm", ".mov", ".m4v")


def normalize_toot(toot: Mapping[str, Any], ctx: Context) -> Rows:
    """Rows of one snscrape Mastodon ``Toot``.

    With a content warning snscrape puts the warning in ``text`` and the body in
    ``spoilerText``; the canonical text is both, warning first.
    """
    user = toot.get("user") or {}
    text = "\n\n".join(t for t in (toot.get("text"), toot.get("spoilerText")) if t)
    names = [str(a.get("url") or a.get("name") or "").lower() for a in toot.get("attachments") or []]
    links = list(toot.get("links") or [])
    if toot.get("poll"):
        media = "poll"
    elif any(n.endswith(_VIDEO_EXT) for n in names):
        media = "video"
    elif len(names) > 1:
        media = "album"
    elif names:
        media = "gif" if names[0].endswith(".gif") else "photo"
    else:
        media = "link" if links else "text"
    hashtags = toot.get("hashtags")
    mentioned = toot.get("mentionedUsers")
    post = {
        "platform": "mastodon",
        "post_id": toot["url"],
        "url": toot["url"],
        "author_id": _account(user),
        "author_handle": _account(user),
        "author_name": user.get("displayName"),
        "created_at": to_utc(toot["date"], field="date"),
        "text": text,
        "hashtags": [h.lstrip("#").lower() for h in hashtags] if hashtags is not None else hashtags_in(text),
        "mentions": [_account(u) for u in mentioned if u.get("account")]
        if mentioned is not None
        else mentions_in(text),
        "urls": links,
        "media_type": media,
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    return Rows(posts=[post])


def normalize_boost(boost: Mapping[str, Any], ctx: Context) -> Rows:
    """Rows of a snscrape ``Boost``: the boosted toot, and the boost as a repost.

    A boost has no URL of its own; its id is ``boost:<booster>:<toot URL>``, stable across
    re-imports. snscrape gives no time for a boost, so its ``created_at`` is NULL.
    """
    rows = normalize_toot(boost["toot"], ctx)
    original = rows.posts[0]
    booster = _account(boost.get("user") or {})
    rows.posts.append(
        {
            "platform": "mastodon",
            "post_id": f"boost:{booster}:{original['post_id']}",
            "author_id": booster,
            "author_handle": booster,
            "author_name": (boost.get("user") or {}).get("displayName"),
            "created_at": None,
            "text": None,
            "hashtags": [],
            "mentions": [],
            "urls": [],
            "media_type": original["media_type"],
            "repost_of_post_id": original["post_id"],
            "repost_of_author_id": original["author_id"],
            "source": ctx.source,
            "collected_at": ctx.collected_at,
        }
    )
    return rows


def _account(user: Mapping[str, Any]) -> str | None:
    # snscrape writes "@user@server"; the canonical handle drops the leading "@".
    return handle(user.get("account"))


# --- VKontakte (snscrape.modules.vkontakte) -------------------------------------------------

_VK_WALL = re.compile(r"^https?://(?:m\.)?vk\.com/wall(-?\d+)_(\d+)")


def normalize_vk_post(post: Mapping[str, Any], ctx: Context) -> Rows:
    """Rows of one snscrape ``VKontaktePost`` and the wall post it reposts, if any.

    The id is VK's ``<owner id>_<post id>`` from the URL (a negative owner is a community).
    VK shows old posts with a date only; such a post gets a NULL ``created_at`` rather
    than an invented hour. A post that shares another wall post is a repost, or a quote
    when it adds text of its own.
    """
    match = _VK_WALL.match(post.get("url") or "")
    if not match:
        raise ValueError(f"url {post.get('url')!r} is not a vk.com wall post link")
    owner, number = match.groups()
    date = post.get("date")
    created = to_utc(date, field="date") if isinstance(date, str) and "T" in date else None
    text = post.get("content")
    urls = list(post.get("outlinks") or [])
    rows = Rows()
    row = {
        "platform": "vk",
        "post_id": f"{owner}_{number}",
        "url": f"https://vk.com/wall{owner}_{number}",
        "author_id": owner,
        "created_at": created,
        "text": text,
        "hashtags": hashtags_in(text),
        "mentions": [],
        "urls": urls,
        "media_type": _vk_media(post, urls),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    rows.posts.append(row)
    shared = post.get("quotedPost") or {}
    shared_match = _VK_WALL.match(shared.get("url") or "")
    if shared_match:
        inner = normalize_vk_post(shared, ctx)
        kind = "quote_of" if (text or "").strip() else "repost_of"
        row[f"{kind}_post_id"] = inner.posts[0]["post_id"]
        row[f"{kind}_author_id"] = inner.posts[0]["author_id"]
        rows.extend(inner)
    return rows


def _vk_media(post: Mapping[str, Any], urls: list[str]) -> str:
    photos = post.get("photos") or []
    if post.get("video"):
        return "video"
    if photos:
        return "album" if len(photos) > 1 else "photo"
    return "link" if urls else "text"


# _type -> normaliser
NORMALIZERS: dict[str, Callable[[dict, Context], Rows]] = {
    "snscrape.modules.twitter.Tweet": normalize_snscrape_tweet,
    "snscrape.modules.telegram.TelegramPost": normalize_snscrape_telegram,
    "snscrape.modules.telegram.Channel": normalize_snscrape_channel,
    "snscrape.modules.mastodon.Toot": normalize_toot,
    "snscrape.modules.mastodon.Boost": normalize_boost,
    "snscrape.modules.vkontakte.VKontaktePost": normalize_vk_post,
}

_OLD_TWEET_KEYS = {"url", "date", "id", "user"}


def _item_type(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if "_type" in item:
        return item["_type"]
    if _OLD_TWEET_KEYS <= item.keys() and ("content" in item or "rawContent" in item):
        return "snscrape.modules.twitter.Tweet"
    return None


def normalize(item: Any, ctx: Context) -> Rows:
    kind = _item_type(item)
    if kind is None:
        raise ValueError("not a snscrape item (no _type and not a tweet)")
    try:
        normalizer = NORMALIZERS[kind]
    except KeyError:
        raise ValueError(
            f"snscrape item type {kind!r} is not supported (supported: {', '.join(NORMALIZERS)})"
        ) from None
    return normalizer(item, ctx)


def _sniff(sample: Sample) -> bool:
    kind = _item_type(sample.first_json())
    return kind is not None and kind.startswith("snscrape.modules.")


FORMAT = Format(
    name="snscrape-jsonl",
    platforms=("twitter", "telegram", "mastodon", "vk"),
    reads="snscrape --jsonl output: Twitter Tweet (every version), Telegram TelegramPost, "
    "Mastodon Toot/Boost, VKontakte VKontaktePost",
    version="1",
    sniff=_sniff,
    read=read_jsonl,
    normalize=normalize,
)
