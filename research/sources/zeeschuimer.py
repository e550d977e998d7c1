"""Zeeschuimer NDJSON: what the Zeeschuimer browser extension captures while you browse.

Each line is ``{"nav_index", "item_id", "timestamp_collected" (ms), "source_platform",
"source_platform_url", "source_url", "user_agent", "data": <the platform's own JSON for one
item>}``; one line is one record. Supported ``source_platform``s:

- ``instagram.com``: posts and reels, both the private-API shape (``pk``, ``code``,
  ``taken_at``, ``user``, ``caption``, ``like_count``...) and the older GraphQL shape
  (``shortcode``, ``taken_at_timestamp``, ``owner``, ``edge_media_to_caption``...);
- ``tiktok.com``: videos and photo posts (``desc``, ``createTime``, ``author``, ``stats``...);
- ``twitter.com`` / ``x.com``: GraphQL tweet results (``rest_id``, ``core``, ``legacy``),
  with retweeted and quoted tweets as rows of their own.

``collected_at`` is the line's ``timestamp_collected``: when the counts were on screen.
Items of other platforms are set aside with a sentence naming the platform. The same
normalisers read 4CAT's NDJSON exports of Zeeschuimer datasets (``fourcat.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from research.schema import as_id, to_utc
from research.sources.base import Context, Format, Rows, Sample, count, flag, handle, hashtags_in, mentions_in
from research.sources.reading import read_jsonl
from research.sources.shape import ANY, SCALAR, Must, Pick, shaped

__all__ = ["FORMAT", "NORMALIZERS", "normalize", "normalize_item"]


def normalize(line: Any, ctx: Context) -> Rows:
    """Rows of one Zeeschuimer line."""
    if not isinstance(line, dict) or "source_platform" not in line or not isinstance(line.get("data"), dict):
        raise ValueError("not a Zeeschuimer item (no source_platform and data)")
    return normalize_item(line["source_platform"], line["data"], line.get("timestamp_collected"), ctx)


def normalize_item(platform: str, item: Mapping[str, Any], collected_ms: Any, ctx: Context) -> Rows:
    """Rows of one captured item of ``platform`` (a Zeeschuimer ``source_platform``)."""
    if collected_ms:
        try:
            collected = datetime.fromtimestamp(int(collected_ms) / 1000, tz=UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            raise ValueError(f"timestamp_collected {collected_ms!r} is not a time in milliseconds") from None
        ctx = dataclasses.replace(ctx, collected_at=collected)
    try:
        normalizer = NORMALIZERS[platform]
    except KeyError:
        raise ValueError(
            f"Zeeschuimer items from {platform!r} are not supported (supported: {', '.join(NORMALIZERS)})"
        ) from None
    return normalizer(item, ctx)


# --- Instagram ---------------------------------------------------------------------------------

_IG_MEDIA = {1: "photo", 2: "video", 8: "album"}
_IG_GRAPH = {"GraphImage": "photo", "GraphVideo": "video", "GraphSidecar": "album"}


def _instagram(item: Mapping[str, Any], ctx: Context) -> Rows:
    if "shortcode" in item:  # GraphQL shape
        owner = item.get("owner") or {}
        edges = (item.get("edge_media_to_caption") or {}).get("edges") or []
        text = (edges[0].get("node") or {}).get("text") if edges else None
        code, user_id, username, name = (
            item["shortcode"],
            owner.get("id"),
            owner.get("username"),
            owner.get("full_name"),
        )
        created = item.get("taken_at_timestamp")
        likes = (item.get("edge_media_preview_like") or item.get("edge_liked_by") or {}).get("count")
        replies = (item.get("edge_media_to_comment") or item.get("edge_media_to_parent_comment") or {}).get(
            "count"
        )
        views = item.get("video_view_count")
        media = _IG_GRAPH.get(item.get("__typename"), "video" if item.get("is_video") else "photo")
        media_id = item.get("id")
    else:  # private API shape
        user = item.get("user") or item.get("owner") or {}
        text = (item.get("caption") or {}).get("text")
        code, user_id = item["code"], user.get("pk") or user.get("pk_id") or user.get("id")
        username, name = user.get("username"), user.get("full_name")
        created = item.get("taken_at")
        hidden = item.get("like_and_view_counts_disabled")
        likes = None if hidden else item.get("like_count")
        replies = item.get("comment_count")
        views = (
            None if hidden else item.get("play_count") or item.get("ig_play_count") or item.get("view_count")
        )
        media = _IG_MEDIA.get(item.get("media_type"), "other")
        media_id = item.get("pk") or str(item.get("id", "")).split("_")[0]
    reel = item.get("product_type") == "clips"
    post = {
        "platform": "instagram",
        "post_id": as_id(media_id, field="id"),
        "url": f"https://www.instagram.com/{'reel' if reel else 'p'}/{code}/",
        "author_id": as_id(user_id, field="user.pk"),
        "author_handle": handle(username),
        "author_name": name or None,
        "created_at": to_utc(created, field="taken_at"),
        "text": text,
        "hashtags": hashtags_in(text),
        "mentions": mentions_in(text),
        "urls": [],
        "media_type": media,
        "likes": count(likes),
        "replies": count(replies),
        "views": count(views),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    return Rows(posts=[post])


# --- TikTok ------------------------------------------------------------------------------------


def _tiktok(item: Mapping[str, Any], ctx: Context) -> Rows:
    author = item.get("author")
    if isinstance(author, dict):  # intercepted API response
        user_id, username, name = author.get("id"), author.get("uniqueId"), author.get("nickname")
    else:  # embedded page JSON: the author is a plain handle
        user_id, username, name = item.get("authorId"), author, item.get("nickname")
    stats = item.get("stats") or item.get("statsV2") or {}
    extra = item.get("textExtra") or []
    text = item.get("desc")
    tags = [e["hashtagName"].lower() for e in extra if e.get("hashtagName")]
    tags += [c["title"].lower() for c in item.get("challenges") or [] if c.get("title")]
    mentioned = [e["userUniqueId"].lower() for e in extra if e.get("userUniqueId")]
    images = (item.get("imagePost") or {}).get("images")
    post = {
        "platform": "tiktok",
        "post_id": as_id(item["id"], field="id"),
        "url": f"https://www.tiktok.com/@{username}/video/{item['id']}" if username else None,
        "author_id": as_id(user_id, field="author.id"),
        "author_handle": handle(username),
        "author_name": name or None,
        "created_at": to_utc(int(item["createTime"]), field="createTime"),
        "text": text,
        "hashtags": list(dict.fromkeys(tags)) or hashtags_in(text),
        "mentions": list(dict.fromkeys(mentioned)) or mentions_in(text),
        "urls": [],
        "media_type": ("album" if len(images) > 1 else "photo") if images else "video",
        "likes": count(stats.get("diggCount")),
        "reposts": count(stats.get("shareCount")),
        "replies": count(stats.get("commentCount")),
        "views": count(stats.get("playCount")),
        "saves": count(stats.get("collectCount")),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    rows = Rows(posts=[post])
    author_stats = item.get("authorStats") or {}
    if user_id and author_stats:
        rows.accounts.append(
            {
                "platform": "tiktok",
                "account_id": post["author_id"],
                "handle": post["author_handle"],
                "name": post["author_name"],
                "followers": count(author_stats.get("followerCount")),
                "following": count(author_stats.get("followingCount")),
                "posts_count": count(author_stats.get("videoCount")),
                "verified": flag(author.get("verified"), "author.verified")
                if isinstance(author, dict)
                else None,
                "source": ctx.source,
                "collected_at": ctx.collected_at,
            }
        )
    return rows


# --- X / Twitter (GraphQL) -----------------------------------------------------------------------

_X_MEDIA = {"photo": "photo", "video": "video", "animated_gif": "gif"}


def _x(item: Mapping[str, Any], ctx: Context) -> Rows:
    tweet = item.get("tweet") if item.get("__typename") == "TweetWithVisibilityResults" else item
    if not isinstance(tweet, dict) or "legacy" not in tweet:
        raise ValueError(f"not a tweet result ({item.get('__typename') or 'no __typename'})")
    legacy = tweet["legacy"]
    user = ((tweet.get("core") or {}).get("user_results") or {}).get("result") or {}
    user_legacy, user_core = user.get("legacy") or {}, user.get("core") or {}
    username = user_core.get("screen_name") or user_legacy.get("screen_name")
    note = (((tweet.get("note_tweet") or {}).get("note_tweet_results") or {}).get("result") or {}).get("text")
    entities = legacy.get("entities") or {}
    media = [
        _X_MEDIA.get(m.get("type"), "other")
        for m in (legacy.get("extended_entities") or {}).get("media") or []
    ]
    urls = [u.get("expanded_url") for u in entities.get("urls") or [] if u.get("expanded_url")]
    rows = Rows()
    post = {
        "platform": "twitter",
        "post_id": as_id(tweet["rest_id"], field="rest_id"),
        "url": f"https://x.com/{username or 'i/web'}/status/{tweet['rest_id']}",
        "author_id": as_id(user.get("rest_id") or legacy.get("user_id_str"), field="user.rest_id"),
        "author_handle": handle(username),
        "author_name": user_core.get("name") or user_legacy.get("name"),
        "created_at": datetime.strptime(legacy["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(UTC),
        "text": note or legacy.get("full_text"),
        "lang": None if legacy.get("lang") in (None, "und", "qme", "zxx") else legacy["lang"],
        "hashtags": [h["text"].lower() for h in entities.get("hashtags") or [] if h.get("text")],
        "mentions": [
            handle(m["screen_name"]) for m in entities.get("user_mentions") or [] if m.get("screen_name")
        ],
        "urls": urls,
        "media_type": _x_media(media, urls),
        "likes": count(legacy.get("favorite_count")),
        "reposts": count(legacy.get("retweet_count")),
        "replies": count(legacy.get("reply_count")),
        "quotes": count(legacy.get("quote_count")),
        "views": count((tweet.get("views") or {}).get("count")),
        "saves": count(legacy.get("bookmark_count")),
        "reply_to_post_id": as_id(legacy.get("in_reply_to_status_id_str"), field="in_reply_to_status_id_str"),
        "reply_to_author_id": as_id(legacy.get("in_reply_to_user_id_str"), field="in_reply_to_user_id_str"),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    rows.posts.append(post)
    if user.get("rest_id") and user_legacy:
        rows.accounts.append(_x_account(user, username, ctx))
    for key, kind in (("retweeted_status_result", "repost_of"), ("quoted_status_result", "quote_of")):
        inner = ((legacy if key == "retweeted_status_result" else tweet).get(key) or {}).get("result")
        if isinstance(inner, dict) and inner.get("__typename") != "TweetTombstone":
            nested = _x(inner, ctx)
            post[f"{kind}_post_id"] = nested.posts[0]["post_id"]
            post[f"{kind}_author_id"] = nested.posts[0]["author_id"]
            post[f"{kind}_author_handle"] = nested.posts[0]["author_handle"]
            rows.extend(nested.as_context())
    if post.get("repost_of_post_id"):
        post["reposts"] = 0  # X echoes the original's count on a retweet; see twitter.py
    return rows


def _x_media(kinds: list[str], urls: list[str]) -> str:
    for kind in ("video", "gif"):
        if kind in kinds:
            return kind
    if kinds:
        return "album" if len(kinds) > 1 else kinds[0]
    return "link" if urls else "text"


def _x_account(user: Mapping[str, Any], username: str | None, ctx: Context) -> dict[str, Any]:
    legacy = user.get("legacy") or {}
    created = legacy.get("created_at") or (user.get("core") or {}).get("created_at")
    return {
        "platform": "twitter",
        "account_id": as_id(user["rest_id"], field="user.rest_id"),
        "handle": handle(username),
        "name": (user.get("core") or {}).get("name") or legacy.get("name"),
        "followers": count(legacy.get("followers_count")),
        "following": count(legacy.get("friends_count")),
        "posts_count": count(legacy.get("statuses_count")),
        "created_at": datetime.strptime(created, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
        if created
        else None,
        "verified": flag(user.get("is_blue_verified", legacy.get("verified")), "is_blue_verified"),
        "description": legacy.get("description"),
        "location": (legacy.get("location") or None),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


NORMALIZERS: dict[str, Callable[[Mapping[str, Any], Context], Rows]] = {
    "instagram.com": _instagram,
    "tiktok.com": _tiktok,
    "twitter.com": _x,
    "x.com": _x,
}


# What the normalisers read, by platform (see `research.sources.shape`); Instaloader's posts share the first.
INSTAGRAM_SHAPE = _INSTAGRAM = {
    "owner": {}, "user": {}, "caption": {}, "__typename": SCALAR, "media_type": SCALAR,
    "edge_media_to_caption": {"edges": [Must({"node": {}})]}, "edge_media_preview_like": {}, "edge_liked_by": {},
    "edge_media_to_comment": {}, "edge_media_to_parent_comment": {},
}  # fmt: skip
_TIKTOK = {
    "stats": {}, "statsV2": {}, "authorStats": {}, "createTime": Must((str, int, float)), "imagePost": {"images": [ANY]},
    "textExtra": [Must({"hashtagName": str, "userUniqueId": str})], "challenges": [Must({"title": str})],
}  # fmt: skip
_X_USER = {"legacy": {"created_at": str}, "core": {"created_at": str}}
_X_ENTITIES = {"hashtags": [Must({"text": str})], "user_mentions": [Must({})], "urls": [Must({})]}
_X_LEGACY: dict[str, Any] = {
    "created_at": Must(str), "entities": _X_ENTITIES, "extended_entities": {"media": [Must({"type": SCALAR})]},
}  # fmt: skip
_X_TWEET: dict[str, Any] = {
    "legacy": Must(_X_LEGACY), "core": {"user_results": {"result": _X_USER}}, "views": {},
    "note_tweet": {"note_tweet_results": {"result": {}}},
}  # fmt: skip
_X_TWEET |= {"tweet": _X_TWEET, "quoted_status_result": {"result": _X_TWEET}}
_X_LEGACY["retweeted_status_result"] = {"result": _X_TWEET}
SHAPES = {"instagram.com": _INSTAGRAM, "tiktok.com": _TIKTOK, "twitter.com": _X_TWEET, "x.com": _X_TWEET}
_LINE = Pick(lambda line: {"source_platform": SCALAR, "data": SHAPES.get(line.get("source_platform"), ANY)}
             if isinstance(line, dict) and isinstance(line.get("source_platform"), str) else {"source_platform": str})  # fmt: skip


def _sniff(sample: Sample) -> bool:
    first = sample.first_json()
    if isinstance(first, dict):
        return {"source_platform", "data"} <= first.keys() and (
            "item_id" in first or "timestamp_collected" in first
        )
    head = sample.text.lstrip()[:4000]  # a first line longer than the sample
    return head.startswith("{") and '"source_platform"' in head and '"timestamp_collected"' in head


FORMAT = Format(
    name="zeeschuimer-ndjson",
    platforms=("instagram", "tiktok", "twitter"),
    reads="Zeeschuimer browser-extension NDJSON: Instagram posts/reels, TikTok videos, X tweets",
    version="1",
    sniff=_sniff,
    read=read_jsonl,
    normalize=shaped(normalize, _LINE),
)
