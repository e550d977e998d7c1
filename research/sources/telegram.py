"""Telegram: the Telegram Desktop export and snscrape's ``TelegramPost``.

Identity: Telegram numbers messages per chat, so a post id is ``<chat>/<message id>``,
where ``<chat>`` is the channel's public username (lower-cased) when the source knows it
(snscrape's URLs do) and the numeric chat id otherwise. A Desktop export does not carry
the username: give it as the ``channel`` import option (e.g. params
``{import: telegram-export, path: ..., channel: chaiandco}``) to get the same ids, URLs
and handles as snscrape or a collector.

**Telegram Desktop export** (``result.json``, "Export chat history" or "Export Telegram
data" in JSON): ``read`` yields one record per message, numbered from 1 in file order, as
``{"chat": {"name", "type", "id"}, "message": <the message as exported>}``, plus
``"reply_to": {"from", "from_id"}`` when the message answers one in the same export (so a
reply's author is known without the rest of the file). A poll's text is its question.
With the ``channel`` option the channel's own posts get the username as author id (as
snscrape and the collector give); otherwise ``from_id`` as exported (``channel<id>``,
``user<id>``). Service messages (channel created,
message pinned...) are not posts and give no rows. ``date`` is the exporting computer's
local time without a zone, so the exact ``date_unixtime`` (exports since 2021) is used; an
older export needs the ``timezone`` option, else its messages are refused with a sentence.
Counts: reactions (newer exports) sum into ``likes``; views and forwards are not exported
and stay NULL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
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
    handle,
    hashtags_in,
    mentions_in,
    urls_in,
)

__all__ = [
    "FORMAT",
    "normalize_export_message",
    "normalize_snscrape_telegram",
    "normalize_snscrape_channel",
    "read_export",
]

PLATFORM = "telegram"
_POST_URL = re.compile(r"^https?://t\.me/(?:s/)?([A-Za-z0-9_]+)/(\d+)")
_MEDIA = {
    "video_file": "video",
    "video_message": "video",
    "animation": "gif",
    "voice_message": "audio",
    "audio_file": "audio",
    "sticker": "other",
}


# --- snscrape TelegramPost ------------------------------------------------------------------


def normalize_snscrape_telegram(item: Mapping[str, Any], ctx: Context) -> Rows:
    """Rows of one snscrape ``TelegramPost`` (v0.4 fields, plus v0.6+ channel/views/media).

    >>> from datetime import datetime, timezone
    >>> ctx = Context("snscrape-jsonl/1", datetime(2023, 1, 1, tzinfo=timezone.utc))
    >>> post = normalize_snscrape_telegram({"url": "https://t.me/s/ChaiAndCo/12",
    ...     "date": "2022-05-01T08:00:00+00:00", "content": "New #masala chai", "outlinks": []}, ctx).posts[0]
    >>> post["post_id"], post["url"], post["author_handle"], post["hashtags"]
    ('chaiandco/12', 'https://t.me/chaiandco/12', 'chaiandco', ['masala'])
    """
    match = _POST_URL.match(item.get("url") or "")
    if not match:
        raise ValueError(f"url {item.get('url')!r} is not a t.me post link")
    channel, number = match.group(1).lower(), match.group(2)
    info = item.get("channel") if isinstance(item.get("channel"), dict) else {}
    text = item.get("content")
    urls = list(item.get("outlinks") or [])
    forwarded = _POST_URL.match(item.get("forwardedUrl") or "")
    post = {
        "platform": PLATFORM,
        "post_id": f"{channel}/{number}",
        "url": f"https://t.me/{channel}/{number}",
        "author_id": channel,
        "author_handle": channel,
        "author_name": info.get("title"),
        "created_at": to_utc(item["date"], field="date"),
        "text": text,
        "hashtags": hashtags_in(text),
        "mentions": mentions_in(text),
        "urls": urls,
        "media_type": _snscrape_media(item, urls),
        "views": count(_int_value(item.get("views"))),
        "repost_of_post_id": f"{forwarded.group(1).lower()}/{forwarded.group(2)}" if forwarded else None,
        "repost_of_author_id": forwarded.group(1).lower() if forwarded else None,
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    rows = Rows(posts=[post])
    if info.get("username"):
        rows.extend(normalize_snscrape_channel(info, ctx))
    return rows


def normalize_snscrape_channel(channel: Mapping[str, Any], ctx: Context) -> Rows:
    """The ``accounts`` row of a snscrape Telegram ``Channel`` (its profile)."""
    name = handle(channel.get("username"))
    if not name:
        raise ValueError("Telegram channel without a username")
    account = {
        "platform": PLATFORM,
        "account_id": name,
        "handle": name,
        "name": channel.get("title"),
        "followers": count(_int_value(channel.get("members"))),
        "verified": channel.get("verified"),
        "description": channel.get("description"),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    return Rows(accounts=[account])


def _int_value(value: Any) -> Any:
    # snscrape's IntWithGranularity is an int; some dumps keep it as {"value", "granularity"}.
    return value.get("value") if isinstance(value, dict) else value


def _snscrape_media(item: Mapping[str, Any], urls: list[str]) -> str:
    kinds = [str(m.get("_type", "")).rsplit(".", 1)[-1].lower() for m in item.get("media") or []]
    if "video" in kinds or "gif" in kinds:
        return "video" if "video" in kinds else "gif"
    if kinds.count("photo") > 1:
        return "album"
    if "photo" in kinds:
        return "photo"
    return "link" if urls or item.get("linkPreview") else "text"


# --- Telegram Desktop export ----------------------------------------------------------------


def read_export(path: Path, options: Mapping[str, Any] | None = None) -> Iterator[Record | Rejected]:
    """One record per message of a single-chat export or of every chat in a full export."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except ValueError as e:
        yield Rejected(1, f"not valid JSON ({e}); a Telegram export is one JSON document")
        return
    if not isinstance(doc, dict):
        yield Rejected(1, "not a Telegram Desktop export (the document is not an object)")
        return
    chats = [doc] if "messages" in doc else []
    for group in ("chats", "left_chats"):
        chats += (doc.get(group) or {}).get("list") or []
    number = 0
    for chat in chats:
        header = {k: chat.get(k) for k in ("name", "type", "id")}
        messages = [m for m in chat.get("messages") or [] if isinstance(m, dict)]
        authors = {m.get("id"): m for m in messages}
        for message in messages:
            number += 1
            record = {"chat": header, "message": message}
            replied = authors.get(message.get("reply_to_message_id"))
            if replied is not None:
                record["reply_to"] = {"from": replied.get("from"), "from_id": replied.get("from_id")}
            yield Record(number, record)


def normalize_export_message(record: Mapping[str, Any], ctx: Context) -> Rows:
    """Rows of one exported message (see the module docstring for the record's shape)."""
    chat, message = record["chat"], record["message"]
    if message.get("type") != "message":
        return Rows()  # service messages: channel created, pinned, joined...
    channel = handle(ctx.options.get("channel"))
    chat_key = channel or as_id(chat.get("id"), field="chat.id")
    own_id = f"channel{chat.get('id')}"
    is_channel_post = str(message.get("from_id", "")) == own_id
    text, entities = _export_text(message)
    if not text and isinstance(message.get("poll"), dict):
        text = message["poll"].get("question") or ""
    reply_to = message.get("reply_to_message_id")
    reactions = message.get("reactions")
    post = {
        "platform": PLATFORM,
        "post_id": f"{chat_key}/{as_id(message['id'], field='message.id')}",
        "url": f"https://t.me/{channel}/{message['id']}"
        if channel and chat.get("type") == "public_channel"
        else None,
        "author_id": _author(message.get("from_id"), own_id, channel),
        "author_handle": channel if channel and is_channel_post else None,
        "author_name": message.get("from") or message.get("author"),
        "created_at": _export_date(message, ctx),
        "text": text,
        "hashtags": [e.lstrip("#").lower() for kind, e in entities if kind == "hashtag"],
        "mentions": [handle(e) for kind, e in entities if kind == "mention"],
        "urls": [e for kind, e in entities if kind == "link"],
        "media_type": _export_media(message, entities),
        "likes": sum(count(r.get("count")) or 0 for r in reactions) if isinstance(reactions, list) else None,
        "reply_to_post_id": f"{chat_key}/{as_id(reply_to, field='reply_to_message_id')}"
        if reply_to
        else None,
        "reply_to_author_id": _author((record.get("reply_to") or {}).get("from_id"), own_id, channel),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    return Rows(posts=[post])


def _author(from_id: Any, own_id: str, channel: str | None) -> str | None:
    # With the channel's username known, its own posts use it as author id, as snscrape does.
    if channel and from_id == own_id:
        return channel
    return as_id(from_id, field="from_id")


def _export_text(message: Mapping[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """Plain text and (kind, value) entities: hashtag, mention, link."""
    parts = message.get("text_entities")
    if parts is None:  # exports before text_entities: "text" is a string or a list of parts
        raw = message.get("text") or ""
        parts = [
            {"type": "plain", "text": p} if isinstance(p, str) else p
            for p in ([raw] if isinstance(raw, str) else raw)
        ]
    text = "".join(str(p.get("text", "")) for p in parts)
    found: list[tuple[str, str]] = []
    for part in parts:
        kind, value = part.get("type"), str(part.get("text", ""))
        if kind == "hashtag":
            found.append(("hashtag", value))
        elif kind == "mention":
            found.append(("mention", value))
        elif kind == "link":
            found.append(("link", value))
        elif kind == "text_link" and part.get("href"):
            found.append(("link", part["href"]))
    if not any(kind == "link" for kind, _ in found):
        found += [("link", u) for u in urls_in(text)]
    return text, found


def _export_date(message: Mapping[str, Any], ctx: Context) -> Any:
    if message.get("date_unixtime"):
        return to_utc(int(message["date_unixtime"]), field="date_unixtime")
    return to_utc(message.get("date"), field="date", assume_tz=ctx.options.get("timezone"))


def _export_media(message: Mapping[str, Any], entities: list[tuple[str, str]]) -> str:
    if message.get("poll"):
        return "poll"
    if message.get("photo"):
        return "photo"
    if message.get("media_type"):
        return _MEDIA.get(message["media_type"], "other")
    if message.get("file"):
        return "document"
    return "link" if any(kind == "link" for kind, _ in entities) else "text"


def _sniff_export(sample: Sample) -> bool:
    text = sample.text.lstrip()
    if not text.startswith("{"):
        return False
    head = text[:4000]
    single = (
        '"messages"' in head
        and '"type"' in head
        and re.search(
            r'"type"\s*:\s*"(personal_chat|private_group|private_supergroup|public_supergroup|private_channel|public_channel|bot_chat|saved_messages)"',
            head,
        )
    )
    full = '"personal_information"' in head or ('"chats"' in head and '"list"' in head)
    return bool(single or full)


FORMAT = Format(
    name="telegram-export",
    platforms=(PLATFORM,),
    reads="Telegram Desktop JSON export (result.json): one chat or a full account export",
    version="1",
    sniff=_sniff_export,
    read=read_export,
    normalize=normalize_export_message,
)
