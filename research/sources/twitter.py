"""X/Twitter: normalisers for the tweet shapes people have on disk.

- snscrape ``Tweet`` JSON (both key generations: v0.3-0.4 ``content``/``outlinks`` with
  untyped media, and v0.6-0.7 ``rawContent``/``links``/``_type`` with typed media); the
  ``snscrape-jsonl`` format (``snscrape.py``) dispatches to it.
- Twitter API v2 JSON as twarc2 writes it (format ``twarc2-jsonl``): response pages
  (``data`` + ``includes`` + ``__twarc``), flattened lines (``twarc2 flatten``: one tweet per
  line with its expansions inlined), and a single pretty-printed response page.

twarc2 files mix line kinds. Tweet pages and flattened tweets become rows; user-lookup
pages become ``accounts`` rows. Every other line (tweet counts, list metadata, compliance
events, error-only pages, empty pages) is *set aside with its line number and a reason*
(the normaliser raises ``ValueError``), so the import summary counts them; a file made
only of such lines is refused with that reason.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from research.schema import as_id, to_utc
from research.sources.base import (
    Context,
    Format,
    Record,
    Rejected,
    Rows,
    Sample,
    count,
    flag,
    handle,
    hashtags_in,
    mentions_in,
    urls_in,
)
from research.sources.reading import read_jsonl
from research.sources.shape import ANY, SCALAR, Must, Pick, shaped

__all__ = ["normalize_snscrape_tweet", "normalize_twarc", "lang", "TWARC_FORMAT", "SNSCRAPE_TWEET"]

PLATFORM = "twitter"


def _unescape(text: str | None) -> str | None:
    """Tweet text as the author typed it.

    Twitter's APIs (v1.1 ``full_text``, v2 ``text``) and so snscrape and twarc deliver text with
    ``&``, ``<`` and ``>`` HTML-escaped; kept escaped, "Chai &amp; Co" would be counted, searched
    and (escaped again) shown wrongly.

    >>> _unescape("Chai &amp; Co &lt;3")
    'Chai & Co <3'
    """
    return html.unescape(text) if text else text


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
    return _snscrape_rows(tweet, ctx, context=False)


def _snscrape_rows(tweet: dict[str, Any], ctx: Context, *, context: bool) -> Rows:
    rows = Rows()
    post = _post(tweet, ctx)
    if context:
        post["context"] = True  # embedded in a collected tweet: resolves links, is not counted
    rows.posts.append(post)
    user = tweet.get("user") or {}
    if "followersCount" in user:  # a full User, not a UserRef: worth an accounts row
        rows.accounts.append(_account(user, ctx))
    for nested in ("retweetedTweet", "quotedTweet"):
        inner = tweet.get(nested)
        if isinstance(inner, dict) and inner.get("id") is not None:
            rows.extend(_snscrape_rows(inner, ctx, context=True))
    return rows


def _post(t: dict[str, Any], ctx: Context) -> dict[str, Any]:
    user = t.get("user") or {}
    text = _unescape(t.get("rawContent", t.get("content")))
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
        "lang": lang(t.get("lang")),
        # NOTE: a key that is present but null means "none" (snscrape writes null for an empty
        # list); only files without the key at all get hashtags and mentions from the text.
        "hashtags": [h.lower().lstrip("#") for h in hashtags or []] if "hashtags" in t else hashtags_in(text),
        "mentions": [handle(u.get("username")) for u in mentioned or [] if u.get("username")]
        if "mentionedUsers" in t
        else mentions_in(text, PLATFORM),
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
        # v0.4+ replies name the replied-to user by id *and* username: one person, one account.
        "reply_to_author_handle": handle(reply_user.get("username")),
        "repost_of_author_handle": handle((rt.get("user") or {}).get("username")) or _rt_handle(text),
        "quote_of_author_handle": handle((qt.get("user") or {}).get("username")),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _rt_handle(text: str | None) -> str | None:
    """The retweeted author a classic retweet's text names: ``RT @name: ...``."""
    match = _RT_PREFIX.match(text or "")
    return match.group(1).lower() if match else None


def lang(code: str | None) -> str | None:
    """Twitter's language code, or None for its pseudo-codes.

    >>> lang("hi"), lang("und")
    ('hi', None)
    """
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
        "verified": flag(user.get("verified"), "user.verified"),
        "description": user.get("rawDescription", user.get("description")),
        "location": user.get("location") or None,
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


# --- Twitter API v2 / twarc2 ------------------------------------------------------------------

_RT_PREFIX = re.compile(r"^RT @(\w+):")
_V2_MEDIA = {"photo": "photo", "video": "video", "animated_gif": "gif"}


@dataclass
class _Expansions:
    """The ``includes`` of a page (or the inlined expansions of a flattened tweet), by id."""

    users: dict[str, dict] = field(default_factory=dict)
    tweets: dict[str, dict] = field(default_factory=dict)
    media: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def of_page(cls, includes: Mapping[str, Any]) -> _Expansions:
        return cls(
            users={u["id"]: u for u in includes.get("users") or [] if "id" in u},
            tweets={t["id"]: t for t in includes.get("tweets") or [] if "id" in t},
            media={m["media_key"]: m for m in includes.get("media") or [] if "media_key" in m},
        )

    @classmethod
    def of_flat(cls, tweet: Mapping[str, Any]) -> _Expansions:
        found = cls()
        found._add_flat(tweet)
        return found

    def _add_flat(self, tweet: Mapping[str, Any]) -> None:
        for user in (tweet.get("author"), tweet.get("in_reply_to_user")):
            if isinstance(user, dict) and "id" in user:
                self.users[user["id"]] = user
        for medium in (tweet.get("attachments") or {}).get("media") or []:
            if isinstance(medium, dict) and "media_key" in medium:
                self.media[medium["media_key"]] = medium
        for ref in tweet.get("referenced_tweets") or []:
            if isinstance(ref, dict) and "text" in ref:  # flattened: the referenced tweet inlined
                self.tweets[ref["id"]] = ref
                self._add_flat(ref)


def normalize_twarc(line: Any, ctx: Context) -> Rows:
    """Rows of one twarc2 line: a response page, a flattened tweet or a user-lookup page.

    ``collected_at`` is the line's ``__twarc.retrieved_at`` when it has one (when twarc
    fetched it), else the import's. Lines that hold no tweets or users raise ValueError
    with the kind of line they are, so the store sets them aside and counts them.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> ctx = Context("twarc2-jsonl/1", datetime(2021, 1, 1, tzinfo=timezone.utc))
    >>> page = {"data": [{"id": "2", "text": "RT @ann: hi", "author_id": "7",
    ...     "created_at": "2021-06-26T19:56:40.000Z", "referenced_tweets": [{"type": "retweeted", "id": "1"}]}],
    ...     "includes": {"tweets": [{"id": "1", "text": "hi", "author_id": "5",
    ...     "created_at": "2021-06-26T19:00:00.000Z"}]}}
    >>> [(p["post_id"], p["repost_of_post_id"], p["repost_of_author_id"]) for p in normalize_twarc(page, ctx).posts]
    [('2', '1', '5'), ('1', None, None)]
    """
    if not isinstance(line, dict):
        raise ValueError("skipped: not a JSON object, so not a twarc2 line")
    retrieved = (line.get("__twarc") or {}).get("retrieved_at")
    if retrieved:
        ctx = dataclasses.replace(ctx, collected_at=to_utc(retrieved, field="__twarc.retrieved_at"))
    kind = _line_kind(line)
    rows = Rows()
    if kind == "flat":
        tweets, found = [line], _Expansions.of_flat(line)
    elif kind == "page":
        data = line["data"]
        tweets = data if isinstance(data, list) else [data]
        found = _Expansions.of_page(line.get("includes") or {})
        for tweet in tweets:  # streamed pages are not expanded but may be flattened
            found._add_flat(tweet)
    elif kind == "users":
        rows.accounts.extend(_v2_account(u, ctx) for u in line["data"])
        return rows
    else:
        raise ValueError(f"skipped: {kind}")
    seen = set()
    for tweet in tweets:
        rows.posts.append(_v2_post(tweet, found, ctx))
        seen.add(tweet["id"])
    # Referenced tweets (retweeted originals, quoted and replied-to tweets) are posts too, kept
    # as context: they resolve who reposted whom and keep their real counts, but were not collected.
    for tid, tweet in found.tweets.items():
        if tid not in seen and tweet.get("text") is not None and tweet.get("created_at"):
            rows.posts.append({**_v2_post(tweet, found, ctx), "context": True})
    rows.accounts.extend(_v2_account(u, ctx) for u in found.users.values() if "username" in u)
    return rows


def _line_kind(line: Mapping[str, Any]) -> str:
    """'page', 'flat', 'users', or a phrase saying what else the line is."""
    if "data" in line:
        data = line["data"]
        first = data[0] if isinstance(data, list) and data else data
        if not isinstance(first, dict) or not first:
            if line.get("errors"):
                return f"an error-only page ({_first_error(line)})"
            return "a page with no tweets (result_count 0)"
        if "text" in first and "id" in first:
            return "page"
        if "tweet_count" in first:
            return "a tweet-counts line (counts endpoint), not tweets"
        if "username" in first:
            return "users"
        if "member_count" in first or "owner_id" in first:
            return "a Twitter Lists line (list metadata), not tweets"
        return "a twarc2 page whose data are not tweets"
    if "action" in line and "reason" in line:
        return f"a compliance event ({line.get('action')}: {line.get('reason')}), not a tweet"
    if "id" in line and "text" in line and ("author_id" in line or "created_at" in line):
        return "flat"
    if line.get("errors"):
        return f"an error-only line ({_first_error(line)})"
    return "a JSON object that is neither a twarc2 page nor a tweet"


def _first_error(line: Mapping[str, Any]) -> str:
    error = (line.get("errors") or [{}])[0]
    return str(error.get("title") or error.get("detail") or error.get("message") or "API error")


def _v2_post(t: Mapping[str, Any], found: _Expansions, ctx: Context) -> dict[str, Any]:
    refs = {r.get("type"): r.get("id") for r in t.get("referenced_tweets") or []}
    author = found.users.get(t.get("author_id")) or t.get("author") or {}
    note = t.get("note_tweet") or {}  # long tweets: the full text and its entities
    text = _unescape(note.get("text") or t.get("text"))
    entities = note.get("entities") or t.get("entities") or {}
    urls = [u.get("unwound_url") or u.get("expanded_url") or u.get("url") for u in entities.get("urls") or []]
    metrics = t.get("public_metrics") or {}
    retweeted = refs.get("retweeted")
    post = {
        "platform": PLATFORM,
        "post_id": as_id(t["id"], field="id"),
        "url": f"https://twitter.com/{author.get('username') or 'i/web'}/status/{t['id']}",
        "author_id": as_id(t.get("author_id") or author.get("id"), field="author_id"),
        "author_handle": handle(author.get("username")),
        "author_name": author.get("name"),
        "created_at": to_utc(t["created_at"], field="created_at"),
        "text": text,
        "lang": lang(t.get("lang")),
        "hashtags": [h["tag"].lower() for h in entities.get("hashtags") or [] if h.get("tag")],
        "mentions": [handle(m["username"]) for m in entities.get("mentions") or [] if m.get("username")],
        "urls": [u for u in urls if u],
        "media_type": _v2_media_type(t, found, urls),
        "likes": count(metrics.get("like_count")),
        "reposts": count(metrics.get("retweet_count")),
        "replies": count(metrics.get("reply_count")),
        "quotes": count(metrics.get("quote_count")),
        "views": count(metrics.get("impression_count")),
        "saves": count(metrics.get("bookmark_count")),
        "reply_to_post_id": as_id(refs.get("replied_to"), field="referenced_tweets.replied_to"),
        "reply_to_author_id": as_id(t.get("in_reply_to_user_id"), field="in_reply_to_user_id"),
        "repost_of_post_id": as_id(retweeted, field="referenced_tweets.retweeted"),
        "repost_of_author_id": _ref_author(retweeted, found, text) if retweeted else None,
        "quote_of_post_id": as_id(refs.get("quoted"), field="referenced_tweets.quoted"),
        "quote_of_author_id": _ref_author(refs["quoted"], found) if refs.get("quoted") else None,
        "reply_to_author_handle": _username(t.get("in_reply_to_user_id"), found),
        "repost_of_author_handle": (_ref_handle(retweeted, found) or _rt_handle(text)) if retweeted else None,
        "quote_of_author_handle": _ref_handle(refs["quoted"], found) if refs.get("quoted") else None,
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    if retweeted:
        # NOTE: v2 gives a retweet the *original's* retweet count; a retweet itself cannot be
        # retweeted (that retweets the original), so its own count is 0. The original keeps
        # its count on its own row.
        post["reposts"] = 0 if post["reposts"] is not None else None
    return post


def _username(user_id: str | None, found: _Expansions) -> str | None:
    return handle((found.users.get(user_id) or {}).get("username")) if user_id else None


def _ref_handle(tweet_id: str, found: _Expansions) -> str | None:
    """The handle of a referenced tweet's author, when the expansions hold it."""
    return _username((found.tweets.get(tweet_id) or {}).get("author_id"), found)


def _ref_author(tweet_id: str, found: _Expansions, text: str | None = None) -> str | None:
    ref = found.tweets.get(tweet_id) or {}
    if ref.get("author_id"):
        return as_id(ref["author_id"], field="referenced tweet author_id")
    match = _RT_PREFIX.match(text or "")  # original not expanded: "RT @name:" names its author
    if match:
        name = match.group(1).lower()
        for user in found.users.values():
            if str(user.get("username", "")).lower() == name:
                return as_id(user["id"], field="users.id")
    return None


def _v2_media_type(t: Mapping[str, Any], found: _Expansions, urls: list[str]) -> str:
    attachments = t.get("attachments") or {}
    if attachments.get("poll_ids"):
        return "poll"
    keys = attachments.get("media_keys") or []
    kinds = [_V2_MEDIA.get((found.media.get(k) or {}).get("type"), "other") for k in keys]
    if "video" in kinds:
        return "video"
    if "gif" in kinds:
        return "gif"
    if kinds.count("photo") > 1:
        return "album"
    if kinds:
        return kinds[0]
    return "link" if urls else "text"


def _v2_account(user: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    metrics = user.get("public_metrics") or {}
    return {
        "platform": PLATFORM,
        "account_id": as_id(user["id"], field="users.id"),
        "handle": handle(user.get("username")),
        "name": user.get("name"),
        "followers": count(metrics.get("followers_count")),
        "following": count(metrics.get("following_count")),
        "posts_count": count(metrics.get("tweet_count")),
        "created_at": to_utc(user.get("created_at"), field="users.created_at"),
        "verified": flag(user.get("verified"), "users.verified"),
        "description": user.get("description"),
        "location": user.get("location") or None,
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


# What the normalisers read (see `research.sources.shape`): a record of another shape is set aside.
SNSCRAPE_TWEET: dict[str, Any] = {
    "rawContent": str, "content": str, "lang": SCALAR, "user": {}, "inReplyToUser": {}, "card": {},
    "links": [Must({})], "outlinks": [ANY], "hashtags": [Must(str)], "mentionedUsers": [Must({})],
    "media": [Must({})],
}  # fmt: skip
SNSCRAPE_TWEET |= {"retweetedTweet": SNSCRAPE_TWEET, "quotedTweet": SNSCRAPE_TWEET}
_V2_ENTITIES = {"urls": [Must({})], "hashtags": [Must({"tag": str})], "mentions": [Must({})]}
_V2_USER = {"id": SCALAR, "public_metrics": {}}
_V2_TWEET: dict[str, Any] = {
    "id": SCALAR, "type": SCALAR, "text": str, "author_id": SCALAR, "lang": SCALAR, "author": _V2_USER,
    "in_reply_to_user_id": SCALAR,
    "in_reply_to_user": _V2_USER, "note_tweet": {"text": str, "entities": _V2_ENTITIES},
    "entities": _V2_ENTITIES, "public_metrics": {},
    "attachments": {"media_keys": [SCALAR], "media": [Must({"media_key": SCALAR, "type": SCALAR})]},
}  # fmt: skip
_V2_TWEET["referenced_tweets"] = [Must(_V2_TWEET)]
_V2_ITEM = {**_V2_TWEET, **_V2_USER}
TWARC_LINE = {
    "data": Pick(lambda data: [Must(_V2_ITEM)] if isinstance(data, list) else _V2_ITEM),
    "includes": {"users": [Must(_V2_USER)], "tweets": [Must(_V2_TWEET)], "media": [Must({"media_key": SCALAR, "type": SCALAR})]},
    "errors": [Must({})], "__twarc": {}, **_V2_TWEET,
}  # fmt: skip


def _read_twarc(path: Path, options: Mapping[str, Any] | None = None) -> Iterator[Record | Rejected]:
    """JSON lines, or one pretty-printed response page (as twitwi and the API docs save them)."""
    with open(path, "rb") as f:
        first = next((line.strip() for line in f if line.strip()), b"")
    try:
        json.loads(first.removeprefix(b"\xef\xbb\xbf"))
    except ValueError:
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        except ValueError:
            doc = None  # not one document either: read line by line, bad lines set aside
        if isinstance(doc, dict):
            yield Record(1, doc)
            return
    yield from read_jsonl(path, options)


_PRETTY_PAGE = re.compile(r'^\s*\{\s*"(data|includes|meta)"\s*:')


def _sniff_twarc(sample: Sample) -> bool:
    first = sample.first_json()
    if isinstance(first, dict):
        if "__import_meta" in first or "source_platform" in first or "_type" in first:
            return False  # 4CAT / Zeeschuimer / snscrape items
        if "__twarc" in first or ("data" in first and ("includes" in first or "meta" in first)):
            return True
        if {"id", "text", "author_id"} <= first.keys() or {"id", "action", "reason"} <= first.keys():
            return True
        return False
    # A pretty-printed page, or a first line longer than the sample (big pages are).
    text = sample.text
    return bool(_PRETTY_PAGE.match(text)) and any(
        key in text for key in ('"author_id"', '"username"', '"tweet_count"', '"__twarc"')
    )


TWARC_FORMAT = Format(
    name="twarc2-jsonl",
    platforms=(PLATFORM,),
    reads="twarc2 / Twitter API v2 JSON: response pages, flattened tweets, user lookups "
    "(counts, lists, compliance and error lines are set aside and counted)",
    version="1",
    sniff=_sniff_twarc,
    read=_read_twarc,
    normalize=shaped(normalize_twarc, TWARC_LINE),
)
