"""Bluesky (AT Protocol): importer for AppView JSON.

Reads what people save from the public AppView: a JSON array (or JSON lines) of
``app.bsky.feed.defs#feedViewPost`` items (``getFeed``/``getAuthorFeed``/``getTimeline``),
bare ``postView`` objects, or whole response pages (``{"feed": [...]}`` from the feeds,
``{"posts": [...]}`` from ``searchPosts``).

Identity: a post's id is its ``at://`` URI; an account's id is its DID. A repost has no
URI in a feed view, so its id is ``repost:<reposter DID>:<original URI>``, stable across
re-imports.
"""

from __future__ import annotations

from typing import Any

from research.schema import as_id, to_utc
from research.sources import register
from research.sources.base import (
    Context,
    Format,
    Rows,
    Sample,
    count,
    handle,
    hashtags_in,
    read_json_items,
    urls_in,
)

__all__ = ["FORMAT", "normalize", "normalize_post_view"]

PLATFORM = "bluesky"


def normalize(item: Any, ctx: Context) -> Rows:
    """Rows of one saved item: a page, a feed item or a post view."""
    if not isinstance(item, dict):
        raise ValueError("not a Bluesky JSON object")
    rows = Rows()
    if isinstance(item.get("feed"), list) or isinstance(item.get("posts"), list):
        for inner in item.get("feed") or item.get("posts") or []:
            rows.extend(normalize(inner, ctx))
        return rows
    if isinstance(item.get("post"), dict):
        post = item["post"]
        rows.extend(normalize_post_view(post, ctx))
        reason = item.get("reason") or {}
        if str(reason.get("$type", "")).endswith("reasonRepost") and reason.get("by"):
            rows.posts.append(_repost(post, reason, ctx))
            rows.accounts.append(_account(reason["by"], ctx))
        for key in ("parent", "root"):  # the thread context a reply came with
            ctx_post = (item.get("reply") or {}).get(key) or {}
            if ctx_post.get("record"):
                rows.extend(normalize_post_view(ctx_post, ctx))
        return rows
    if "uri" in item and "record" in item:
        return normalize_post_view(item, ctx)
    raise ValueError("not a Bluesky feed item, post view or page")


def normalize_post_view(view: dict[str, Any], ctx: Context) -> Rows:
    """Rows of one ``app.bsky.feed.defs#postView``."""
    record = view.get("record") or {}
    author = view.get("author") or {}
    uri = view["uri"]
    text = record.get("text") or ""
    hashtags, mentions, urls = _facets(record, text)
    embed = record.get("embed") or {}
    quoted = _quoted_uri(embed)
    parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
    langs = record.get("langs") or []
    post = {
        "platform": PLATFORM,
        "post_id": as_id(uri, field="uri"),
        "url": _web_url(author.get("handle"), uri),
        "author_id": author.get("did"),
        "author_handle": handle(author.get("handle")),
        "author_name": author.get("displayName") or None,
        "created_at": to_utc(record.get("createdAt") or view.get("indexedAt"), field="record.createdAt"),
        "text": text,
        "lang": langs[0] if langs else None,
        "hashtags": hashtags,
        "mentions": mentions,
        "urls": urls,
        "media_type": _media_type(embed, urls),
        "likes": count(view.get("likeCount")),
        "reposts": count(view.get("repostCount")),
        "replies": count(view.get("replyCount")),
        "quotes": count(view.get("quoteCount")),
        "views": None,  # Bluesky publishes no view counts
        "saves": count(view.get("bookmarkCount")),
        "reply_to_post_id": parent,
        "reply_to_author_id": _did_of(parent),
        "quote_of_post_id": quoted,
        "quote_of_author_id": _did_of(quoted),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    return Rows(posts=[post], accounts=[_account(author, ctx)] if author.get("did") else [])


def _repost(post: dict[str, Any], reason: dict[str, Any], ctx: Context) -> dict[str, Any]:
    by = reason["by"]
    original_author = (post.get("author") or {}).get("did")
    return {
        "platform": PLATFORM,
        "post_id": f"repost:{by['did']}:{post['uri']}",
        "author_id": by["did"],
        "author_handle": handle(by.get("handle")),
        "author_name": by.get("displayName") or None,
        "created_at": to_utc(reason.get("indexedAt") or post.get("indexedAt"), field="reason.indexedAt"),
        "text": "",
        "media_type": "text",
        "repost_of_post_id": post["uri"],
        "repost_of_author_id": original_author,
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _facets(record: dict[str, Any], text: str) -> tuple[list[str], list[str], list[str]]:
    """Hashtags, mentioned handles and links from rich-text facets (byte ranges into UTF-8 text)."""
    data = text.encode("utf-8")
    tags, mentions, links = [], [], []
    for facet in record.get("facets") or []:
        index = facet.get("index") or {}
        span = data[index.get("byteStart", 0) : index.get("byteEnd", 0)].decode("utf-8", errors="replace")
        for feature in facet.get("features") or []:
            kind = str(feature.get("$type", ""))
            if kind.endswith("#tag") and feature.get("tag"):
                tags.append(feature["tag"].lower().lstrip("#"))
            elif kind.endswith("#mention"):
                # The facet holds only the DID; the handle as written is the text it spans.
                mentions.append(handle(span) or feature.get("did"))
            elif kind.endswith("#link") and feature.get("uri"):
                links.append(feature["uri"])
    tags += [t.lower() for t in record.get("tags") or []]
    external = ((record.get("embed") or {}).get("external") or {}).get("uri")
    if external:
        links.append(external)
    unique = lambda xs: list(dict.fromkeys(x for x in xs if x))  # noqa: E731
    return unique(tags or hashtags_in(text)), unique(mentions), unique(links or urls_in(text))


def _quoted_uri(embed: dict[str, Any]) -> str | None:
    kind = str(embed.get("$type", ""))
    if kind == "app.bsky.embed.record":
        return (embed.get("record") or {}).get("uri")
    if kind == "app.bsky.embed.recordWithMedia":
        return ((embed.get("record") or {}).get("record") or {}).get("uri")
    return None


def _media_type(embed: dict[str, Any], urls: list[str]) -> str:
    kind = str(embed.get("$type", ""))
    if kind == "app.bsky.embed.recordWithMedia":
        return _media_type(embed.get("media") or {}, urls)
    if kind == "app.bsky.embed.images":
        return "album" if len(embed.get("images") or []) > 1 else "photo"
    if kind == "app.bsky.embed.video":
        return "video"
    if kind == "app.bsky.embed.external" or urls:
        return "link"
    return "text"


def _did_of(uri: str | None) -> str | None:
    """``at://did:plc:abc/app.bsky.feed.post/3k`` -> ``did:plc:abc``."""
    if not uri or not uri.startswith("at://"):
        return None
    return uri[5:].split("/", 1)[0]


def _web_url(author_handle: str | None, uri: str) -> str | None:
    if not uri.startswith("at://"):
        return None
    did, _, rkey = uri[5:].split("/", 2)
    return f"https://bsky.app/profile/{author_handle or did}/post/{rkey.rsplit('/', 1)[-1]}"


def _account(profile: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        "platform": PLATFORM,
        "account_id": profile.get("did"),
        "handle": handle(profile.get("handle")),
        "name": profile.get("displayName") or None,
        "followers": count(profile.get("followersCount")),
        "following": count(profile.get("followsCount")),
        "posts_count": count(profile.get("postsCount")),
        "created_at": to_utc(profile.get("createdAt"), field="author.createdAt"),
        "description": profile.get("description"),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _sniff(sample: Sample) -> bool:
    text = sample.text.lstrip()
    return (
        text[:1] in "[{"
        and ('"app.bsky.feed.post"' in text or '"at://did:' in text)
        and '"commit"' not in text
    )


FORMAT = register(
    Format(
        name="bluesky-json",
        platforms=(PLATFORM,),
        reads="Bluesky AppView JSON: feed items, post views, getFeed/getAuthorFeed/searchPosts pages",
        version="1",
        sniff=_sniff,
        read=read_json_items,
        normalize=normalize,
    )
)
