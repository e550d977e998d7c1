"""Bluesky (AT Protocol): importer for AppView JSON, and the ``bluesky`` collector.

Reads what people save from the public AppView: a JSON array (or JSON lines) of
``app.bsky.feed.defs#feedViewPost`` items (``getFeed``/``getAuthorFeed``/``getTimeline``),
bare ``postView`` objects, or whole response pages (``{"feed": [...]}`` from the feeds,
``{"posts": [...]}`` from ``searchPosts``).

Identity: a post's id is its ``at://`` URI; an account's id is its DID. A repost has no
URI in a feed view, so its id is ``repost:<reposter DID>:<original URI>``, stable across
re-imports.

The collector (below) fetches author feeds (``app.bsky.feed.getAuthorFeed``) from the
public AppView without a login, and hashtags (``app.bsky.feed.searchPosts``) through a
logged-in PDS: the public AppView no longer serves search unauthenticated. Its raw
records are feed items and post views, read by the same normaliser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from research.errors import CollectorError
from research.schema import as_id, to_utc
from research.sources.base import Context, Format, Rows, Sample, count, handle, hashtags_in, urls_in
from research.sources.collect import Collector, Fetcher, Page, Query, Skipped, Target
from research.sources.reading import read_json_items

__all__ = ["FORMAT", "COLLECTOR", "BlueskyCollector", "normalize", "normalize_post_view"]

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
    post = item.get("post")
    if isinstance(post, dict):
        rows = normalize_post_view(post, ctx)
        reason = item.get("reason")
        if reason and str(reason.get("$type", "")).endswith("reasonRepost") and reason.get("by"):
            rows.posts.append(_repost(post, reason, ctx))
            rows.accounts.append(_account(reason["by"], ctx))
        reply = item.get("reply")
        if reply:
            for key in ("parent", "root"):  # the thread context a reply came with
                ctx_post = reply.get(key) or {}
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
    if record.get("tags"):
        tags += [t.lower() for t in record["tags"]]
    external = ((record.get("embed") or {}).get("external") or {}).get("uri")
    if external:
        links.append(external)
    return _unique(tags or hashtags_in(text)), _unique(mentions), _unique(links or urls_in(text))


def _unique(values: list) -> list:
    return list(dict.fromkeys(x for x in values if x)) if values else []


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


FORMAT = Format(
    name="bluesky-json",
    platforms=(PLATFORM,),
    reads="Bluesky AppView JSON: feed items, post views, getFeed/getAuthorFeed/searchPosts pages",
    version="1",
    sniff=_sniff,
    read=read_json_items,
    normalize=normalize,
)


# --- collector -----------------------------------------------------------------------------------

# Since January 2025 Bluesky's public AppView answers 403 to unauthenticated post search
# (bluesky-social/atproto#3423, #3891; the searchPosts lexicon now says it "may require
# authentication"); through a logged-in account's PDS it works.
SEARCH_NEEDS_LOGIN = (
    "Bluesky's public AppView refuses post search without a login (it answers 403 since January 2025); "
    "set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (an app password from Settings > Privacy and security "
    "> App passwords) to collect hashtags; author feeds need no login"
)


class BlueskyCollector(Collector):
    """Author feeds from the public AppView (no login); hashtag search through a logged-in PDS.

    Without ``BLUESKY_HANDLE``/``BLUESKY_APP_PASSWORD`` the search is tried once on the public
    AppView and, when refused, the hashtag is reported as skipped with the reason.
    """

    name = "bluesky"
    platform = PLATFORM
    reads = "Bluesky public AppView: author feeds; hashtag search needs BLUESKY_HANDLE/BLUESKY_APP_PASSWORD"
    format = FORMAT
    default_base_url = "https://public.api.bsky.app/xrpc/"
    default_pds_url = "https://bsky.social/xrpc/"
    # Bluesky documents 3000 requests per 5 min per IP for its PDS hosts (10 a second) and
    # "generous" AppView limits; 5 a second leaves half for other tools on the same IP.
    min_interval = 0.2
    page_size = 100  # the API's maximum for feeds and search

    def __init__(self, *, pds_url: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._pds_url = pds_url
        self._tokens: dict[tuple[str, str], str] = {}  # (PDS, handle) -> access token, this process only

    @property
    def pds_url(self) -> str:
        return self._pds_url or os.environ.get("RESEARCH_BLUESKY_PDS_URL") or self.default_pds_url

    def origin(self, target: Target) -> str:
        if target.kind == "account":
            return f"https://bsky.app/profile/{target.value}"
        return f"https://bsky.app/hashtag/{target.value}"

    def pages(self, fetch: Fetcher, target: Target, query: Query, cursor: dict | None) -> Iterator[Page]:
        if target.kind == "account":
            return self._author_feed(fetch, target.value, cursor)
        return self._search(fetch, target.value, query, cursor)

    def _author_feed(self, fetch: Fetcher, actor: str, cursor: dict | None) -> Iterator[Page]:
        from research.sources.http import HttpStatusError

        http = fetch.json(self.base_url)
        position = (cursor or {}).get("cursor")
        while True:
            params = {
                "actor": actor,
                "limit": self.page_size,
                "filter": "posts_with_replies",
                "cursor": position,
            }
            try:
                reply = http.get_json("app.bsky.feed.getAuthorFeed", params)
            except HttpStatusError as e:
                if e.status == 400 and "not found" in (e.detail or "").lower():
                    raise CollectorError(f"there is no Bluesky account {actor}", url=e.url) from None
                raise
            feed = _listed(reply, "feed")
            position = reply.data.get("cursor") if feed else None
            yield Page(feed, reply.url, {"cursor": position} if position else None)
            if not position:
                return

    def _search(self, fetch: Fetcher, tag: str, query: Query, cursor: dict | None) -> Iterator[Page]:
        from research.sources.http import HttpStatusError

        login = os.environ.get("BLUESKY_HANDLE"), os.environ.get("BLUESKY_APP_PASSWORD")
        if all(login):
            http = fetch.json(self.pds_url)
            auth = {"Authorization": f"Bearer {self._token(http, *login)}"}  # type: ignore[arg-type]
        else:
            http, auth = fetch.json(self.base_url), {}
        position, renewed = (cursor or {}).get("cursor"), False
        iso = lambda t: t.isoformat().replace("+00:00", "Z") if t else None  # noqa: E731
        while True:
            params = {"q": f"#{tag}", "sort": "latest", "limit": self.page_size, "cursor": position}
            params |= {"since": iso(query.since), "until": iso(query.until)}
            try:
                reply = http.get_json("app.bsky.feed.searchPosts", params, **auth)
            except HttpStatusError as e:
                if e.status in (401, 403) and not auth:
                    raise Skipped(SEARCH_NEEDS_LOGIN) from None
                if auth and e.status in (400, 401) and "token" in (e.detail or "").lower() and not renewed:
                    renewed = True  # access tokens live about two hours: log in again, once
                    self._tokens.pop((http.base_url, login[0]), None)
                    auth = {"Authorization": f"Bearer {self._token(http, *login)}"}  # type: ignore[arg-type]
                    continue
                raise
            posts = _listed(reply, "posts")
            position = reply.data.get("cursor") if posts else None
            yield Page(posts, reply.url, {"cursor": position} if position else None)
            if not position:
                return

    def _token(self, http: Any, identifier: str, password: str) -> str:
        from research.sources.http import HttpStatusError

        key = (http.base_url, identifier)
        if key not in self._tokens:
            try:
                reply = http.post_json(
                    "com.atproto.server.createSession", {"identifier": identifier, "password": password}
                )
            except HttpStatusError as e:
                raise CollectorError(
                    f"Bluesky refused the login of BLUESKY_HANDLE {identifier!r} ({e.status}: "
                    f"{e.detail or 'no reason given'}); check the handle and the app password"
                ) from None
            self._tokens[key] = reply.data["accessJwt"]
        return self._tokens[key]

    def item_time(self, item: Any) -> datetime | None:
        if not isinstance(item, dict):
            return None
        reason = item.get("reason") or {}
        if str(reason.get("$type", "")).endswith("reasonRepost"):
            return to_utc(reason.get("indexedAt"), field="reason.indexedAt")
        view = item.get("post") if isinstance(item.get("post"), dict) else item
        # Feeds are ordered by when the AppView saw a post; createdAt is set by the client.
        return to_utc(view.get("indexedAt") or (view.get("record") or {}).get("createdAt"))

    def item_key(self, item: Any) -> str:
        reason = item.get("reason") or {}
        view = item.get("post") if isinstance(item.get("post"), dict) else item
        if str(reason.get("$type", "")).endswith("reasonRepost"):
            return f"repost:{(reason.get('by') or {}).get('did')}:{view.get('uri')}"
        return str(view.get("uri"))


def _listed(reply: Any, key: str) -> list[Any]:
    items = reply.data.get(key) if isinstance(reply.data, dict) else None
    if not isinstance(items, list):
        raise CollectorError(
            f"the answer has no {key!r} list; is this an AT Protocol AppView?", url=reply.url
        )
    return items


COLLECTOR = BlueskyCollector()
