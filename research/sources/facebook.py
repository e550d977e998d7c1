"""Facebook: the CSV that ``facebook_scraper`` (kevinzg) posts become via pandas.

One record per CSV row (a dict of strings, as in the file). A row gives the post and,
from the ``comments_full`` column, its comments and their replies as posts with reply
linkage (``reply_to_post_id`` = the post or the parent comment).

``comments_full`` (like ``images``, ``links``, ``reactions``) is a Python ``repr``, not
JSON, with ``datetime.datetime(...)`` values. It is parsed by ``parse_python_literal``:
``ast.parse`` and a walk over literal nodes that allows only ``datetime.datetime(...)``
calls with number arguments. Nothing in the file is ever executed.

Times: the post's ``timestamp`` (Unix seconds) is exact. ``time`` and the comments'
``comment_time`` are the scraping computer's local time without a zone; that zone's
offset is recovered from the post's ``time`` minus its ``timestamp`` and applied to its
comments (the ``timezone`` option, when given, is used instead). Without either, comment
times stay NULL rather than guessed.

Counts: ``likes`` is ``reaction_count`` when the scraper fetched reactions, else
``likes``; ``replies`` = ``comments``; ``reposts`` = ``shares``; ``views`` =
``video_watches`` (videos only). Comments carry their reaction count only when the
scraper fetched it; otherwise NULL.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from research.schema import as_id, to_utc
from research.sources.base import Context, Format, Rows, Sample, count, hashtags_in, urls_in
from research.sources.generic import read_table

__all__ = ["FORMAT", "normalize", "parse_python_literal"]

PLATFORM = "facebook"
_VANITY = re.compile(r"^https?://(?:www\.|m\.)?facebook\.com/([A-Za-z0-9.]+)/?(?:[?#].*)?$")


def parse_python_literal(text: str) -> Any:
    """Evaluate a Python literal ``repr`` safely, allowing ``datetime.datetime(...)`` calls.

    >>> parse_python_literal("[{'a': None, 't': datetime.datetime(2021, 11, 20, 0, 9, 14)}]")
    [{'a': None, 't': datetime.datetime(2021, 11, 20, 0, 9, 14)}]
    >>> parse_python_literal("__import__('os').system('ls')")
    Traceback (most recent call last):
    ...
    ValueError: not a plain literal: Call is not allowed
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ValueError(f"not a Python literal ({e.msg})") from None
    return _literal(tree.body)


def _literal(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_literal(e) for e in node.elts]
        return (
            items
            if isinstance(node, ast.List)
            else tuple(items)
            if isinstance(node, ast.Tuple)
            else set(items)
        )
    if isinstance(node, ast.Dict):
        return {
            _literal(k): _literal(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None
        }
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
    ):
        return -node.operand.value
    if isinstance(node, ast.Call) and _is_datetime(node.func) and not node.keywords:
        args = [_literal(a) for a in node.args]
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return datetime(*args)
    raise ValueError(f"not a plain literal: {type(node).__name__} is not allowed")


def _is_datetime(func: ast.AST) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr == "datetime" and isinstance(func.value, ast.Name) and func.value.id == "datetime"
    return isinstance(func, ast.Name) and func.id == "datetime"


def _cell(row: Mapping[str, str], name: str) -> Any:
    """A repr column's value ('' and 'None' -> None); bad reprs raise with the column named."""
    text = (row.get(name) or "").strip()
    if not text or text in ("None", "nan"):
        return None
    try:
        return parse_python_literal(text)
    except ValueError as e:
        raise ValueError(f"column {name}: {e}") from None


def normalize(row: Mapping[str, str], ctx: Context) -> Rows:
    """Rows of one facebook_scraper CSV row: the post, its comments and their replies."""
    if not isinstance(row, dict) or "post_id" not in row:
        raise ValueError("not a facebook_scraper row (no post_id column)")
    post_id = as_id(row["post_id"], field="post_id")
    if post_id is None:
        raise ValueError("post_id is empty")
    author_id = as_id(row.get("user_id") or row.get("page_id"), field="user_id")
    author_handle = _vanity(row.get("user_url"))
    text = row.get("post_text") or row.get("text") or ""
    links = [link.get("link") for link in _cell(row, "links") or [] if isinstance(link, dict)]
    urls = list(dict.fromkeys(u for u in [row.get("link"), *links, *urls_in(text)] if u))
    images = _cell(row, "images") or []
    created = to_utc(int(float(row["timestamp"])), field="timestamp") if row.get("timestamp") else None
    if created is None:
        created = to_utc(row.get("time"), field="time", assume_tz=ctx.options.get("timezone"))
    zone = _local_zone(row, created, ctx)
    post = {
        "platform": PLATFORM,
        "post_id": post_id,
        "url": row.get("post_url") or None,
        "author_id": author_id,
        "author_handle": author_handle,
        "author_name": row.get("username") or None,
        "created_at": created,
        "text": text,
        "hashtags": hashtags_in(text),
        "mentions": [],  # Facebook tags people by name, not by handle
        "urls": urls,
        "media_type": _media_type(row, images),
        "likes": count(row.get("reaction_count") or row.get("likes")),
        "reposts": count(row.get("shares")),
        "replies": count(row.get("comments")),
        "views": count(row.get("video_watches")),
        "reply_to_post_id": None,
        "reply_to_author_id": None,
        "repost_of_post_id": as_id(row.get("shared_post_id"), field="shared_post_id"),
        "repost_of_author_id": as_id(row.get("shared_user_id"), field="shared_user_id"),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    rows = Rows(posts=[post])
    if author_id:
        rows.accounts.append(_account(author_id, row.get("username"), author_handle, ctx))
    for comment in _cell(row, "comments_full") or []:
        _comment(comment, post_id, author_id, zone, ctx, rows, top_level=True)
    return rows


def _comment(
    c: Mapping[str, Any],
    parent: str,
    parent_author: str | None,
    zone,
    ctx: Context,
    rows: Rows,
    *,
    top_level: bool,
) -> None:
    comment_id = as_id(c.get("comment_id"), field="comment_id")
    commenter = as_id(c.get("commenter_id"), field="commenter_id")
    replies = c.get("replies") or []
    when = c.get("comment_time")
    text = c.get("comment_text") or ""
    rows.posts.append(
        {
            "platform": PLATFORM,
            "post_id": comment_id,
            "url": c.get("comment_url"),
            "author_id": commenter,
            "author_handle": _vanity(c.get("commenter_url")),
            "author_name": c.get("commenter_name"),
            "created_at": when.replace(tzinfo=zone).astimezone(UTC)
            if isinstance(when, datetime) and zone
            else None,
            "text": text,
            "hashtags": hashtags_in(text),
            "mentions": [],
            "urls": urls_in(text),
            "media_type": "photo" if c.get("comment_image") else "text",
            "likes": count(c.get("comment_reaction_count")),
            "replies": len(replies) if top_level else None,
            "reply_to_post_id": parent,
            "reply_to_author_id": parent_author,
            "source": ctx.source,
            "collected_at": ctx.collected_at,
        }
    )
    if commenter:
        rows.accounts.append(
            _account(commenter, c.get("commenter_name"), _vanity(c.get("commenter_url")), ctx)
        )
    for reply in replies:
        _comment(reply, comment_id, commenter, zone, ctx, rows, top_level=False)


def _local_zone(row: Mapping[str, str], created: datetime | None, ctx: Context) -> Any:
    """The zone of the scraper's naive local times (see the module docstring)."""
    if ctx.options.get("timezone"):
        return ZoneInfo(ctx.options["timezone"])
    try:
        local = datetime.fromisoformat(row.get("time") or "")
    except ValueError:
        return None
    if created is None or local.tzinfo is not None:
        return local.tzinfo
    minutes = round((local - created.replace(tzinfo=None)).total_seconds() / 900) * 15
    return timezone(timedelta(minutes=minutes))


def _media_type(row: Mapping[str, str], images: list) -> str:
    if row.get("video") or row.get("video_id"):
        return "video"
    if len(images) > 1:
        return "album"
    if row.get("link") and not row.get("link", "").startswith("https://www.facebook.com/photo"):
        return "link"
    return "photo" if images or row.get("image") else "text"


def _vanity(url: str | None) -> str | None:
    match = _VANITY.match(url or "")
    name = match.group(1).lower() if match else None
    return None if name in (None, "profile.php", "people", "groups") else name


def _account(account_id: str, name: str | None, handle: str | None, ctx: Context) -> dict[str, Any]:
    return {
        "platform": PLATFORM,
        "account_id": account_id,
        "handle": handle,
        "name": name,
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _sniff(sample: Sample) -> bool:
    header = sample.text.split("\n", 1)[0]
    names = {h.strip().strip('"') for h in header.split(",")}
    return "post_id" in names and ("comments_full" in names or {"post_text", "shared_text"} <= names)


FORMAT = Format(
    name="facebook-scraper-csv",
    platforms=(PLATFORM,),
    reads="facebook_scraper posts saved as CSV, with comments and replies from comments_full",
    version="1",
    sniff=_sniff,
    read=read_table,
    normalize=normalize,
)
