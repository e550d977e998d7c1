"""YouTube: the Data API v3 resources and yt-dlp's ``.info.json`` files, as import formats.

- ``youtube-api-json``: resources exactly as the YouTube Data API v3 returns them
  (``youtube#channel``, ``youtube#video``, ``youtube#commentThread``, ``youtube#comment``), one
  per record or as whole list responses. The ``youtube`` collector (`youtube_api.py`) stores
  these.
- ``yt-dlp-json``: the ``.info.json`` file ``yt-dlp --write-info-json --write-comments`` writes
  per video (with its ``comments``), or per channel/playlist (the channel's profile), so users
  without an API key can bring YouTube data.

Rows: a video is a post of its channel (``media_type`` video; ``views``, ``likes``, ``replies``
= the comment count); a top-level comment replies to the video (``reply_to_post_id`` = the
video id, ``reply_to_author_id`` = the channel id); a reply replies to its parent comment.
Channels and commenters are accounts keyed by channel id (``UC…``), with the handle
(``@name``, stored lower-case without '@') where the source gives it. A video resource names
its channel by id only: its ``author_handle`` is taken from the channel's account row when
the tables are read (``Store.posts``). Duration and tags stay in the raw records: the
canonical schema has no column for them (tags are search keywords, not hashtags; hashtags
are the ``#words`` of the title and description).

yt-dlp gives a comment's time as it reads it from YouTube's "2 days ago", so comment times
in ``yt-dlp-json`` are approximate; a video without ``timestamp`` (only ``upload_date``, a
day) gets a NULL ``created_at`` rather than an invented hour.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from research.schema import as_id, to_utc
from research.sources.base import (
    Context,
    Format,
    Rows,
    Sample,
    count,
    handle,
    hashtags_in,
    mentions_in,
    urls_in,
)
from research.sources.reading import read_json_items
from research.sources.reddit import read as read_documents
from research.sources.shape import ANY, SCALAR, shaped

__all__ = ["API_FORMAT", "YTDLP_FORMAT", "normalize_api", "normalize_ytdlp", "channel_handle"]

PLATFORM = "youtube"
_AT_URL = re.compile(r"youtube\.com/@([^/?#\s]+)", re.IGNORECASE)


def channel_handle(*candidates: object) -> str | None:
    """The ``@handle`` among a display name, a ``youtube.com/@name`` URL or a ``customUrl``.

    >>> channel_handle("Ravi K", "http://www.youtube.com/@RaviCooks")
    'ravicooks'
    >>> channel_handle("@chaiandco") , channel_handle("Chai & Co", None)
    ('chaiandco', None)
    """
    for value in candidates:
        text = str(value or "").strip()
        found = _AT_URL.search(text)
        if found:
            return handle(found.group(1))
        if text.startswith("@") and " " not in text:
            return handle(text)
    return None


def _text(title: str | None, description: str | None) -> str:
    return "\n\n".join(p for p in (title, description) if p)


def _video_url(video_id: str, comment_id: str | None = None) -> str:
    return f"https://www.youtube.com/watch?v={video_id}" + (f"&lc={comment_id}" if comment_id else "")


# --- the Data API's resources ----------------------------------------------------------------------


def normalize_api(item: Any, ctx: Context) -> Rows:
    """Rows of one API resource, or of every resource of a list response (``items``)."""
    if not isinstance(item, dict):
        raise ValueError("not a YouTube API resource (a JSON object with a kind)")
    kind = str(item.get("kind", ""))
    if kind.endswith("ListResponse") or (isinstance(item.get("items"), list) and not kind):
        rows = Rows()
        for inner in item.get("items") or []:
            rows.extend(normalize_api(inner, ctx))
        return rows
    if kind == "youtube#channel":
        return Rows(accounts=[_api_channel(item, ctx)])
    if kind == "youtube#video":
        return Rows(posts=[_api_video(item, ctx)])
    if kind == "youtube#commentThread":
        return _api_thread(item, ctx)
    if kind == "youtube#comment":
        rows = Rows()
        _api_comment(item, None, None, ctx, rows)
        return rows
    raise ValueError(f"kind {kind!r} is not a YouTube channel, video, comment thread or comment")


def _api_channel(channel: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    snippet, stats = channel.get("snippet") or {}, channel.get("statistics") or {}
    hidden = stats.get("hiddenSubscriberCount") is True
    return {
        "platform": PLATFORM,
        "account_id": as_id(channel.get("id"), field="id"),
        "handle": channel_handle(snippet.get("customUrl")),
        "name": snippet.get("title") or None,
        "followers": None if hidden else count(stats.get("subscriberCount")),
        "posts_count": count(stats.get("videoCount")),
        "created_at": to_utc(snippet.get("publishedAt"), field="snippet.publishedAt"),
        "description": snippet.get("description") or None,
        "location": snippet.get("country") or None,
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _api_video(video: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    snippet, stats = video.get("snippet") or {}, video.get("statistics") or {}
    video_id = as_id(video.get("id"), field="id")
    text = _text(snippet.get("title"), snippet.get("description"))
    lang = snippet.get("defaultAudioLanguage") or snippet.get("defaultLanguage")
    return {
        "platform": PLATFORM,
        "post_id": video_id,
        "url": _video_url(video_id),
        "author_id": as_id(snippet.get("channelId"), field="snippet.channelId"),
        "author_handle": None,  # the video names its channel by id only; see the module docstring
        "author_name": snippet.get("channelTitle") or None,
        "created_at": to_utc(snippet.get("publishedAt"), field="snippet.publishedAt"),
        "text": text,
        "lang": lang if lang and lang != "zxx" else None,
        "hashtags": hashtags_in(text),
        "mentions": mentions_in(snippet.get("description")),
        "urls": urls_in(snippet.get("description")),
        "media_type": "video",
        "likes": count(stats.get("likeCount")),  # absent when the channel hides likes
        "replies": count(stats.get("commentCount")),  # absent when comments are off
        "views": count(stats.get("viewCount")),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _api_thread(thread: Mapping[str, Any], ctx: Context) -> Rows:
    snippet = thread.get("snippet") or {}
    top = snippet.get("topLevelComment") or {}
    rows = Rows()
    _api_comment(top, snippet, snippet.get("totalReplyCount"), ctx, rows)
    parent_author = ((top.get("snippet") or {}).get("authorChannelId") or {}).get("value")
    for reply in (thread.get("replies") or {}).get("comments") or []:
        _api_comment(reply, None, None, ctx, rows, parent_author=parent_author)
    return rows


def _api_comment(
    comment: Mapping[str, Any],
    thread: Mapping[str, Any] | None,
    replies: object,
    ctx: Context,
    rows: Rows,
    *,
    parent_author: str | None = None,
) -> None:
    s = comment.get("snippet") or {}
    comment_id = as_id(comment.get("id"), field="id")
    author_id = as_id((s.get("authorChannelId") or {}).get("value"), field="authorChannelId.value")
    author = channel_handle(s.get("authorChannelUrl"), s.get("authorDisplayName"))
    video_id = s.get("videoId") or (thread or {}).get("videoId")
    parent = s.get("parentId")
    text = s.get("textOriginal") or s.get("textDisplay") or ""
    if parent:  # a reply: to its parent comment, whose author the thread (if given) names
        reply_to, reply_to_author = as_id(parent, field="parentId"), parent_author
    else:  # a top-level comment answers the video's channel
        reply_to = as_id(video_id, field="videoId")
        reply_to_author = (thread or {}).get("channelId") or s.get("channelId")
    rows.posts.append(
        {
            "platform": PLATFORM,
            "post_id": comment_id,
            "url": _video_url(video_id, comment_id) if video_id else None,
            "author_id": author_id,
            "author_handle": author,
            "author_name": s.get("authorDisplayName") or None,
            "created_at": to_utc(s.get("publishedAt"), field="publishedAt"),
            "text": text,
            "hashtags": hashtags_in(text),
            "mentions": mentions_in(text),
            "urls": urls_in(text),
            "media_type": "text",
            "likes": count(s.get("likeCount")),
            "replies": count(replies),
            "reply_to_post_id": reply_to,
            "reply_to_author_id": as_id(reply_to_author, field="reply author"),
            "source": ctx.source,
            "collected_at": ctx.collected_at,
        }
    )
    if author_id:
        rows.accounts.append(_commenter(author_id, author, s.get("authorDisplayName"), ctx))


def _commenter(account_id: str, author: str | None, name: object, ctx: Context) -> dict[str, Any]:
    # NOTE: a comment shows its author's id, handle and name but no counts: the row has no
    # observation time, so the channel's own profile row (subscribers) wins over it however
    # the rows are ordered (``ingest.latest``: NULL is oldest).
    return {
        "platform": PLATFORM,
        "account_id": account_id,
        "handle": author,
        "name": str(name) if name else None,
        "source": ctx.source,
        "collected_at": None,
    }


def _sniff_api(sample: Sample) -> bool:
    head = sample.text.lstrip()
    return head[:1] in "[{" and re.search(r'"kind"\s*:\s*"youtube#', head[:4000]) is not None


# What `normalize_api` reads (see `research.sources.shape`): a resource, or a list response of them.
_SNIPPET = {
    "customUrl": str, "title": str, "description": str, "country": ANY, "defaultAudioLanguage": str,
    "defaultLanguage": str, "channelId": SCALAR, "channelTitle": ANY, "authorChannelId": {"value": SCALAR},
    "authorChannelUrl": str, "videoId": SCALAR, "parentId": SCALAR, "textOriginal": str, "textDisplay": str,
}  # fmt: skip
_COMMENT = {"id": SCALAR, "snippet": _SNIPPET}
_RESOURCE: dict[str, Any] = {
    "kind": SCALAR, "id": SCALAR, "snippet": {**_SNIPPET, "topLevelComment": _COMMENT},
    "statistics": {}, "replies": {"comments": [_COMMENT]},
}  # fmt: skip
_RESOURCE["items"] = [_RESOURCE]

API_FORMAT = Format(
    name="youtube-api-json",
    platforms=(PLATFORM,),
    reads="YouTube Data API v3 JSON: channels, videos, commentThreads and comments (resources or list pages)",
    version="1",
    sniff=_sniff_api,
    read=read_json_items,
    normalize=shaped(normalize_api, _RESOURCE),
)


# --- yt-dlp --------------------------------------------------------------------------------------------


def normalize_ytdlp(info: Any, ctx: Context) -> Rows:
    """Rows of one ``.info.json``: a video with its comments, or a channel/playlist's profile."""
    if not isinstance(info, dict) or not info.get("id"):
        raise ValueError("not a yt-dlp info JSON (no id)")
    channel_id = as_id(info.get("channel_id"), field="channel_id")
    owner = channel_handle(info.get("uploader_id"), info.get("uploader_url"), info.get("channel_url"))
    rows = Rows()
    if channel_id:
        rows.accounts.append(
            {
                "platform": PLATFORM,
                "account_id": channel_id,
                "handle": owner,
                "name": info.get("channel") or info.get("uploader") or None,
                "followers": count(info.get("channel_follower_count")),
                "source": ctx.source,
                "collected_at": ctx.collected_at,
            }
        )
    if info.get("_type", "video") != "video":
        if not channel_id:
            raise ValueError(f"a yt-dlp {info.get('_type')} info JSON without a channel_id")
        return rows  # a channel or playlist file: its profile only
    if not channel_id:
        raise ValueError("channel_id is missing")
    video_id = as_id(info["id"], field="id")
    text = _text(info.get("title"), info.get("description"))
    rows.posts.append(
        {
            "platform": PLATFORM,
            "post_id": video_id,
            "url": info.get("webpage_url") or _video_url(video_id),
            "author_id": channel_id,
            "author_handle": owner,
            "author_name": info.get("channel") or info.get("uploader") or None,
            "created_at": _when(info.get("timestamp") or info.get("release_timestamp"), "timestamp"),
            "text": text,
            "lang": info.get("language") or None,
            "hashtags": hashtags_in(text),
            "mentions": mentions_in(info.get("description")),
            "urls": urls_in(info.get("description")),
            "media_type": "video",
            "likes": count(info.get("like_count")),
            "replies": count(info.get("comment_count")),
            "views": count(info.get("view_count")),
            "source": ctx.source,
            "collected_at": ctx.collected_at,
        }
    )
    comments = [c for c in info.get("comments") or [] if isinstance(c, dict) and c.get("id")]
    authors = {str(c["id"]): c.get("author_id") for c in comments}
    direct: dict[str, int] = {}
    for c in comments:
        direct[str(c.get("parent", "root"))] = direct.get(str(c.get("parent", "root")), 0) + 1
    seen: set[str] = {channel_id}  # the channel has its own row (with its subscribers) above
    for c in comments:
        comment_id = as_id(c["id"], field="comments[].id")
        parent = str(c.get("parent") or "root")
        author_id = as_id(c.get("author_id"), field="comments[].author_id")
        author = channel_handle(c.get("author_url"), c.get("author"))
        body = c.get("text") or ""
        rows.posts.append(
            {
                "platform": PLATFORM,
                "post_id": comment_id,
                "url": _video_url(video_id, comment_id),
                "author_id": author_id,
                "author_handle": author,
                "author_name": c.get("author") or None,
                "created_at": _when(c.get("timestamp"), "comments[].timestamp"),
                "text": body,
                "hashtags": hashtags_in(body),
                "mentions": mentions_in(body),
                "urls": urls_in(body),
                "media_type": "text",
                "likes": count(c.get("like_count")),
                "replies": direct.get(comment_id, 0),
                "reply_to_post_id": video_id if parent == "root" else parent,
                "reply_to_author_id": channel_id
                if parent == "root"
                else as_id(authors.get(parent), field="parent author"),
                "source": ctx.source,
                "collected_at": ctx.collected_at,
            }
        )
        if author_id and author_id not in seen:
            seen.add(author_id)
            rows.accounts.append(_commenter(author_id, author, c.get("author"), ctx))
    return rows


def _when(value: object, name: str) -> Any:
    return to_utc(int(value), field=name) if isinstance(value, (int, float)) and value else None


def _sniff_ytdlp(sample: Sample) -> bool:
    # yt-dlp writes "formats" (often hundreds of kilobytes) before "extractor": the file name
    # and YouTube's own hosts in the first 64 KB are what can be seen.
    head = sample.text.lstrip()
    if head[:1] != "{" or '"id"' not in head:
        return False
    youtube = re.search(r'"extractor(_key)?"\s*:\s*"youtube', head, re.IGNORECASE) is not None
    hosts = "i.ytimg.com" in head or "googlevideo.com" in head or "youtube.com/" in head
    return youtube or (sample.path.name.endswith((".info.json", ".info.json.xz")) and hosts)


YTDLP_FORMAT = Format(
    name="yt-dlp-json",
    platforms=(PLATFORM,),
    reads="yt-dlp .info.json files (--write-info-json --write-comments): videos with comments, channels",
    version="1",
    sniff=_sniff_ytdlp,
    read=read_documents,
    normalize=normalize_ytdlp,
)
