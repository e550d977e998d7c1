"""Reddit: the JSON listings that ``reddit.com/...json`` returns.

Reads a saved thread (``/r/<sub>/comments/<id>.json``: ``[Listing(t3 post),
Listing(t1 comments)]``) with its whole comment tree at any depth, and single listings
of posts (``/r/<sub>/new.json``) or comments (``/user/<name>/comments.json``). The whole
file is one record: a reply's parent (and its author) lives elsewhere in the file.

Identity: ids are Reddit *fullnames* (``t3_1g1dspf`` for a post, ``t1_lrfp6ta`` for a
comment), so ``parent_id`` is the ``reply_to_post_id`` as given; authors are ``t2_...``
ids with the username as handle. A deleted author has no id and no handle.

Counts: ``likes`` is the net score (upvotes minus downvotes, as Reddit shows it), floored
at 0 because counts are never negative; ``replies`` is ``num_comments`` for a post and
the direct replies in the file (loaded, plus unloaded "more" stubs) for a comment;
``reposts`` is a post's ``num_crossposts``. Reddit has no hashtags; ``mentions`` are
``u/name`` references.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from research.schema import as_id, to_utc
from research.sources.base import Context, Format, Record, Rejected, Rows, Sample, count, handle, urls_in

__all__ = ["FORMAT", "normalize", "read"]

PLATFORM = "reddit"
_USER_MENTION = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})")
_NO_AUTHOR = {"[deleted]", "[removed]"}


def read(path: Path, options: Mapping[str, Any] | None = None) -> Iterator[Record | Rejected]:
    """The whole listing file as one record (JSON lines of listings: one record per line)."""
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        yield Record(1, json.loads(text))
        return
    except ValueError:
        pass
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield Record(number, json.loads(line))
            except ValueError as e:
                yield Rejected(number, f"not valid JSON ({e})", line[:200])


def normalize(doc: Any, ctx: Context) -> Rows:
    """Rows of every post and comment in a listing file, with reply linkage.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> ctx = Context("reddit-json/1", datetime(2024, 1, 1, tzinfo=timezone.utc))
    >>> post = {"kind": "t3", "data": {"name": "t3_a", "id": "a", "author": "Ann",
    ...     "author_fullname": "t2_1", "title": "Best chai?", "selftext": "", "created_utc": 1700000000,
    ...     "score": 5, "num_comments": 1, "permalink": "/r/x/comments/a/best/", "is_self": True}}
    >>> reply = {"kind": "t1", "data": {"name": "t1_b", "id": "b", "author": "Bob", "author_fullname": "t2_2",
    ...     "parent_id": "t3_a", "body": "ask u/Cara", "created_utc": 1700000100, "score": -2, "replies": ""}}
    >>> rows = normalize([{"kind": "Listing", "data": {"children": [post]}},
    ...                   {"kind": "Listing", "data": {"children": [reply]}}], ctx)
    >>> [(p["post_id"], p["reply_to_post_id"], p["reply_to_author_id"], p["likes"], p["mentions"]) for p in rows.posts]
    [('t3_a', None, None, 5, []), ('t1_b', 't3_a', 't2_1', 0, ['cara'])]
    """
    things = list(_walk(doc))
    if not things:
        raise ValueError("no Reddit posts or comments found (expected a Listing of t3/t1 things)")
    authors = {t["name"]: t.get("author_fullname") for _, t in things if t.get("name")}
    direct: dict[str, int] = {}
    for kind, t in things:
        if kind in ("t1", "more") and t.get("parent_id"):
            step = len(t.get("children") or []) if kind == "more" else 1
            direct[t["parent_id"]] = direct.get(t["parent_id"], 0) + step
    rows = Rows()
    accounts: dict[str, dict] = {}
    for kind, t in things:
        if kind == "more":
            continue
        post = _post(kind, t, ctx)
        if kind == "t1":
            post["replies"] = direct.get(t.get("name"), 0)
            post["reply_to_author_id"] = as_id(authors.get(t.get("parent_id")), field="parent author")
        rows.posts.append(post)
        if post["author_id"] and post["author_id"] not in accounts:
            accounts[post["author_id"]] = _account(t, ctx)
    rows.accounts.extend(accounts.values())
    return rows


def _walk(node: Any) -> Iterator[tuple[str, dict]]:
    """(kind, data) of every t3, t1 and "more" thing, depth first, in file order."""
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
        return
    if not isinstance(node, dict):
        return
    kind, data = node.get("kind"), node.get("data")
    if kind == "Listing" and isinstance(data, dict):
        yield from _walk(data.get("children") or [])
    elif kind in ("t3", "t1", "more") and isinstance(data, dict):
        yield kind, data
        if kind == "t1":
            yield from _walk(data.get("replies") or [])  # "" when there are none


def _post(kind: str, t: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    author = t.get("author")
    known = author not in _NO_AUTHOR and author is not None
    if kind == "t3":
        text = "\n\n".join(p for p in (t.get("title"), t.get("selftext")) if p)
        link = None if t.get("is_self") else t.get("url_overridden_by_dest") or t.get("url")
        urls = ([link] if link else []) + [u for u in urls_in(t.get("selftext")) if u != link]
        reply_to = None
    else:
        text = t.get("body") or ""
        urls = urls_in(text)
        reply_to = as_id(t.get("parent_id"), field="parent_id")
    score = t.get("score")
    return {
        "platform": PLATFORM,
        "post_id": as_id(t.get("name") or f"{kind}_{t['id']}", field="name"),
        "url": f"https://www.reddit.com{t['permalink']}" if t.get("permalink") else None,
        "author_id": as_id(t.get("author_fullname"), field="author_fullname") if known else None,
        "author_handle": handle(author) if known else None,
        "created_at": to_utc(t["created_utc"], field="created_utc"),
        "text": text,
        "hashtags": [],
        "mentions": list(dict.fromkeys(m.lower() for m in _USER_MENTION.findall(text))),
        "urls": urls,
        "media_type": _media_type(t, urls) if kind == "t3" else ("link" if urls else "text"),
        "likes": max(int(score), 0) if score is not None else None,
        "reposts": count(t.get("num_crossposts")) if kind == "t3" else None,
        "replies": count(t.get("num_comments")) if kind == "t3" else None,
        "views": count(t.get("view_count")),
        "reply_to_post_id": reply_to,
        "reply_to_author_id": None,  # filled by normalize, which sees the whole tree
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _media_type(t: Mapping[str, Any], urls: list[str]) -> str:
    if t.get("poll_data"):
        return "poll"
    if t.get("is_gallery"):
        return "album"
    if t.get("is_video") or t.get("post_hint") in ("hosted:video", "rich:video"):
        return "video"
    if t.get("post_hint") == "image":
        return "photo"
    return "link" if urls else "text"


def _account(t: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        "platform": PLATFORM,
        "account_id": t.get("author_fullname"),
        "handle": handle(t.get("author")),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _sniff(sample: Sample) -> bool:
    head = sample.text.lstrip()[:2000]
    return head.startswith(("[", "{")) and re.search(r'"kind"\s*:\s*"(Listing|t1|t3)"', head) is not None


FORMAT = Format(
    name="reddit-json",
    platforms=(PLATFORM,),
    reads="Reddit .json listings: a thread with its whole comment tree, or listings of posts/comments",
    version="1",
    sniff=_sniff,
    read=read,
    normalize=normalize,
)
