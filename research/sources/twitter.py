"""X/Twitter: normalisers for the tweet shapes people have on disk.

- snscrape ``Tweet`` JSON (both key generations: v0.3-0.4 ``content``/``outlinks`` with
  untyped media, and v0.6-0.7 ``rawContent``/``links``/``_type`` with typed media).
"""

from __future__ import annotations

from typing import Any

from research.schema import as_id, to_utc
from research.sources.base import Context, Rows, count, handle, hashtags_in, mentions_in, urls_in

__all__ = ["normalize_snscrape_tweet"]

PLATFORM = "twitter"


def normalize_snscrape_tweet(tweet: dict[str, Any], ctx: Context) -> Rows:
    """Canonical rows of one snscrape tweet, plus the retweeted and quoted tweets it embeds.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> ctx = Context("snscrape-jsonl/1", datetime(2021, 1, 1, tzinfo=timezone.utc))
    >>> t = {"id": 15, "date": "2020-07-30T23:59:34+00:00", "content": "hi #Chai @bob",
    ...      "user": {"id": 7, "username": "Ann"}, "likeCount": 2}
    >>> post = normalize_snscrape_tweet(t, ctx).posts[0]
    >>> post["post_id"], post["author_handle"], post["hashtags"], post["mentions"], post["likes"]
    ('15', 'ann', ['chai'], ['bob'], 2)
    """
    rows = Rows()
    post = _post(tweet, ctx)
    rows.posts.append(post)
    user = tweet.get("user") or {}
    if "followersCount" in user:  # a full User, not a UserRef: worth an accounts row
        rows.accounts.append(_account(user, ctx))
    for nested in ("retweetedTweet", "quotedTweet"):
        inner = tweet.get(nested)
        if isinstance(inner, dict) and inner.get("id") is not None:
            rows.extend(normalize_snscrape_tweet(inner, ctx))
    return rows


def _post(t: dict[str, Any], ctx: Context) -> dict[str, Any]:
    user = t.get("user") or {}
    text = t.get("rawContent", t.get("content"))
    rt = t.get("retweetedTweet") or {}
    qt = t.get("quotedTweet") or {}
    reply_user = t.get("inReplyToUser") or {}
    mentioned = t.get("mentionedUsers")
    links = t.get("links")
    if links is not None:
        urls = [link["url"] for link in links if link.get("url")]
    elif t.get("outlinks") is not None:
        urls = list(t["outlinks"])
    else:
        urls = urls_in(text)
    hashtags = t.get("hashtags")
    return {
        "platform": PLATFORM,
        "post_id": as_id(t["id"], field="id"),
        "url": t.get("url"),
        "author_id": as_id(user.get("id"), field="user.id"),
        "author_handle": handle(user.get("username")),
        "author_name": user.get("displayname"),
        "created_at": to_utc(t["date"], field="date"),
        "text": text,
        "lang": _lang(t.get("lang")),
        "hashtags": [h.lower().lstrip("#") for h in hashtags] if hashtags is not None else hashtags_in(text),
        "mentions": [handle(u.get("username")) for u in mentioned if u.get("username")]
        if mentioned is not None
        else mentions_in(text),
        "urls": urls,
        "media_type": _media_type(t, urls),
        "likes": count(t.get("likeCount")),
        "reposts": count(t.get("retweetCount")),
        "replies": count(t.get("replyCount")),
        "quotes": count(t.get("quoteCount")),
        "views": count(t.get("viewCount")),
        "saves": count(t.get("bookmarkCount")),
        "reply_to_post_id": as_id(t.get("inReplyToTweetId"), field="inReplyToTweetId"),
        "reply_to_author_id": as_id(reply_user.get("id"), field="inReplyToUser.id"),
        "repost_of_post_id": as_id(rt.get("id"), field="retweetedTweet.id"),
        "repost_of_author_id": as_id((rt.get("user") or {}).get("id"), field="retweetedTweet.user.id"),
        "quote_of_post_id": as_id(qt.get("id"), field="quotedTweet.id"),
        "quote_of_author_id": as_id((qt.get("user") or {}).get("id"), field="quotedTweet.user.id"),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _lang(code: str | None) -> str | None:
    # Twitter's "und" (undetermined), "qme" (media only) etc. are not languages.
    if not code or code in {"und", "zxx", "qme", "qht", "qam", "qct", "qst"}:
        return None
    return code


def _media_type(t: dict[str, Any], urls: list[str]) -> str:
    card = t.get("card") or {}
    if str(card.get("_type", "")).endswith("PollCard"):
        return "poll"
    kinds = []
    for medium in t.get("media") or []:
        # v0.6+: "_type": "snscrape.modules.twitter.Photo"; v0.3-0.4: "type": "photo"
        kind = str(medium.get("_type") or medium.get("type") or "").rsplit(".", 1)[-1].lower()
        kinds.append({"animatedgif": "gif"}.get(kind, kind))
    if "video" in kinds:
        return "video"
    if "gif" in kinds:
        return "gif"
    if kinds.count("photo") > 1:
        return "album"
    if "photo" in kinds:
        return "photo"
    return "link" if urls else "text"


def _account(user: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        "platform": PLATFORM,
        "account_id": as_id(user.get("id"), field="user.id"),
        "handle": handle(user.get("username")),
        "name": user.get("displayname"),
        "followers": count(user.get("followersCount")),
        "following": count(user.get("friendsCount")),
        "posts_count": count(user.get("statusesCount")),
        "created_at": to_utc(user.get("created"), field="user.created"),
        "verified": user.get("verified"),
        "description": user.get("rawDescription", user.get("description")),
        "location": user.get("location") or None,
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
