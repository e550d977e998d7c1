"""VK (VKontakte): the API's wall and comment responses, as an import format and as the ``vk`` collector.

- Import format ``vk-api-json``: ``wall.get`` and ``wall.getComments`` answers with
  ``extended=1`` (``{"response": {"items", "profiles", "groups"}}``), as the API returns them;
  the collector stores each with the request that produced it (``{"request": {"method",
  "params"}, "response": ...}``, the token never among the params).
- Collector ``vk`` (`vk_api.py`): a community's or user's wall and the comment threads under
  each post.

Identity: ids stay strings; a negative owner or author id is a community (``-1`` is VK's own
community ``apiclub``), a positive one a user. A wall post is ``<owner>_<post>`` as in VK's
links (``vk.com/wall-1_123``), the same id the ``snscrape-jsonl`` VK rows use; a comment is
``<owner>_<post>_<comment>``. A comment replies to its post, or to the comment it answers
(``reply_to_comment``, else the thread it is in); ``reply_to_user`` names the author it
answers. Handles are ``screen_name``s from the answer's ``profiles`` and ``groups``. A post
that shares another (``copy_history``) is a repost of it; the shared post is stored too,
without counts (the answer gives none for it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from research.schema import as_id, to_utc
from research.sources.base import Context, Format, Rows, Sample, count, handle, hashtags_in, urls_in
from research.sources.reading import read_json_items
from research.sources.shape import ANY, SCALAR, shaped

__all__ = ["FORMAT", "normalize", "PLATFORM", "API_VERSION"]

PLATFORM = "vk"
# The API version every call names (VK answers in the shape of the version asked for); the
# shapes this module reads are those of 5.199, current since 2023.
API_VERSION = "5.199"
_MEDIA = {
    "photo": "photo",
    "video": "video",
    "link": "link",
    "poll": "poll",
    "audio": "audio",
    "doc": "document",
}


def normalize(record: Any, ctx: Context) -> Rows:
    """Rows of one answer: its wall posts or comments (threads included) and their authors."""
    if not isinstance(record, dict):
        raise ValueError("not a VK API answer (a JSON object)")
    if "error" in record and "response" not in record:
        raise ValueError(f"a VK error answer, not data: {record['error']}")
    response = record.get("response", record)
    if not isinstance(response, dict) or not isinstance(response.get("items"), list):
        raise ValueError("not a VK API answer with items (wall.get, wall.getComments)")
    request = record.get("request") or {}
    params = request.get("params") or {}
    names = _Names(response)
    rows = Rows(accounts=names.accounts(ctx))
    comments = str(request.get("method", "")).endswith("getComments") or any(
        isinstance(i, dict) and "post_id" in i for i in response["items"]
    )
    for item in response["items"]:
        if not isinstance(item, dict) or item.get("deleted") or item.get("is_deleted"):
            continue  # a deleted comment keeps its place in a thread, with no author or text
        if comments:
            _comment(item, params, names, ctx, rows, parent=None)
        else:
            _post(item, names, ctx, rows, context=False)
    return rows


class _Names:
    """Authors of one answer by id: users as ``"123"``, communities as ``"-45"``."""

    def __init__(self, response: Mapping[str, Any]):
        self.users = {str(p["id"]): p for p in response.get("profiles") or [] if p.get("id") is not None}
        self.groups = {str(-int(g["id"])): g for g in response.get("groups") or [] if g.get("id") is not None}

    def handle(self, author_id: str | None) -> str | None:
        found = self.users.get(author_id or "") or self.groups.get(author_id or "") or {}
        return handle(found.get("screen_name"))

    def name(self, author_id: str | None) -> str | None:
        if author_id in self.users:
            user = self.users[author_id]
            return " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p) or None
        return (self.groups.get(author_id or "") or {}).get("name") or None

    def accounts(self, ctx: Context) -> list[dict[str, Any]]:
        rows = []
        for account_id, who in [*self.users.items(), *self.groups.items()]:
            rows.append(
                {
                    "platform": PLATFORM,
                    "account_id": account_id,
                    "handle": handle(who.get("screen_name")),
                    "name": self.name(account_id),
                    "followers": count(who.get("members_count", who.get("followers_count"))),
                    "verified": bool(who["verified"]) if who.get("verified") is not None else None,
                    "description": who.get("description") or None,
                    "source": ctx.source,
                    "collected_at": ctx.collected_at,
                }
            )
        return rows


def _owner(value: object, name: str) -> str:
    owner = as_id(value, field=name)
    if owner is None:
        raise ValueError(f"{name} is missing")
    return owner


def _post(item: Mapping[str, Any], names: _Names, ctx: Context, rows: Rows, *, context: bool) -> None:
    owner = _owner(item.get("owner_id", item.get("to_id")), "owner_id")
    post_id = f"{owner}_{as_id(item.get('id'), field='id')}"
    author = as_id(item.get("from_id") or item.get("owner_id"), field="from_id")
    text = item.get("text") or ""
    shared = [c for c in item.get("copy_history") or [] if isinstance(c, dict)]
    row = {
        "platform": PLATFORM,
        "post_id": post_id,
        "url": f"https://vk.com/wall{post_id}",
        "author_id": author,
        "author_handle": names.handle(author),
        "author_name": names.name(author),
        "created_at": to_utc(item.get("date"), field="date"),
        "text": text,
        "hashtags": hashtags_in(text),
        "mentions": [],
        "urls": _links(item, text),
        "media_type": _media_type(item),
        "likes": None if context else count((item.get("likes") or {}).get("count")),
        "reposts": None if context else count((item.get("reposts") or {}).get("count")),
        "replies": None if context else count((item.get("comments") or {}).get("count")),
        "views": None if context else count((item.get("views") or {}).get("count")),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }
    if shared:
        original = shared[0]
        row["repost_of_post_id"] = (
            f"{_owner(original.get('owner_id'), 'copy_history.owner_id')}_{original.get('id')}"
        )
        row["repost_of_author_id"] = as_id(
            original.get("from_id") or original.get("owner_id"), field="copy_history.from_id"
        )
        _post(original, names, ctx, rows, context=True)
    rows.posts.append(row)


def _comment(
    item: Mapping[str, Any],
    params: Mapping[str, Any],
    names: _Names,
    ctx: Context,
    rows: Rows,
    *,
    parent: Mapping[str, Any] | None,
) -> None:
    owner = _owner(item.get("owner_id", params.get("owner_id")), "owner_id")
    post = as_id(item.get("post_id", params.get("post_id")), field="post_id")
    if post is None:
        raise ValueError("post_id is missing")
    comment = as_id(item.get("id"), field="id")
    stack = [str(x) for x in item.get("parents_stack") or []]
    answers = item.get("reply_to_comment") or (stack[-1] if stack else None) or params.get("comment_id")
    author = as_id(item.get("from_id"), field="from_id")
    text = item.get("text") or ""
    thread = item.get("thread") or {}
    reply_to_user = as_id(item.get("reply_to_user"), field="reply_to_user")
    if reply_to_user is None and parent is not None:
        reply_to_user = as_id(parent.get("from_id"), field="from_id")
    rows.posts.append(
        {
            "platform": PLATFORM,
            "post_id": f"{owner}_{post}_{comment}",
            "url": f"https://vk.com/wall{owner}_{post}?reply={comment}"
            + (f"&thread={stack[0]}" if stack else ""),
            "author_id": author,
            "author_handle": names.handle(author),
            "author_name": names.name(author),
            "created_at": to_utc(item.get("date"), field="date"),
            "text": text,
            "hashtags": hashtags_in(text),
            "mentions": [],
            "urls": _links(item, text),
            "media_type": _media_type(item),
            "likes": count((item.get("likes") or {}).get("count")),
            "replies": count(thread.get("count")) if "count" in thread else None,
            "reply_to_post_id": f"{owner}_{post}_{answers}" if answers else f"{owner}_{post}",
            "reply_to_author_id": reply_to_user,
            "source": ctx.source,
            "collected_at": ctx.collected_at,
        }
    )
    for reply in thread.get("items") or []:
        if isinstance(reply, dict) and not reply.get("deleted"):
            _comment(reply, {"owner_id": owner, "post_id": post}, names, ctx, rows, parent=item)


def _media_type(item: Mapping[str, Any]) -> str:
    kinds = [str(a.get("type")) for a in item.get("attachments") or [] if isinstance(a, dict)]
    media = [_MEDIA.get(k, "other") for k in kinds]
    visual = [m for m in media if m in ("photo", "video")]
    if len(visual) > 1:
        return "album"
    if visual:
        return visual[0]
    return media[0] if media else "text"


def _links(item: Mapping[str, Any], text: str) -> list[str]:
    attached = [
        (a.get("link") or {}).get("url")
        for a in item.get("attachments") or []
        if isinstance(a, dict) and a.get("type") == "link"
    ]
    return list(dict.fromkeys([*(u for u in attached if u), *urls_in(text)]))


def _sniff(sample: Sample) -> bool:
    head = sample.text.lstrip()[:4000]
    return (
        head[:1] in "[{"
        and '"response"' in head
        and ('"owner_id"' in head or '"from_id"' in head)
        and ('"profiles"' in head or '"groups"' in head or '"items"' in head)
    )


# What `normalize` reads (see `research.sources.shape`): a wall.get or wall.getComments answer.
_WHO = {
    "id": SCALAR,
    "screen_name": str,
    "first_name": str,
    "last_name": str,
    "name": str,
    "description": ANY,
}
_COUNT = {"count": ANY}
_ITEM = {
    "owner_id": SCALAR, "to_id": SCALAR, "id": SCALAR, "from_id": SCALAR, "post_id": SCALAR, "text": str,
    "date": ANY, "likes": _COUNT, "reposts": _COUNT, "comments": _COUNT, "views": _COUNT,
    "copy_history": [{"owner_id": SCALAR, "id": SCALAR, "from_id": SCALAR, "text": str}],
    "parents_stack": [SCALAR], "reply_to_comment": SCALAR, "reply_to_user": SCALAR,
    "thread": {"count": ANY, "items": [ANY]}, "attachments": [{"type": SCALAR, "link": {"url": str}}],
}  # fmt: skip
_ITEM["thread"]["items"] = [_ITEM]  # replies in a thread are comments too
_RESPONSE = {"items": [_ITEM], "profiles": [_WHO], "groups": [_WHO]}
_RECORD = {"response": _RESPONSE, "request": {"method": ANY, "params": {}}, **_RESPONSE}

FORMAT = Format(
    name="vk-api-json",
    platforms=(PLATFORM,),
    reads=f"VK API v{API_VERSION} answers: wall.get and wall.getComments (extended=1), threads included",
    version="1",
    sniff=_sniff,
    read=read_json_items,
    normalize=shaped(normalize, _RECORD),
)
