"""Instagram: the metadata files Instaloader writes, as the ``instaloader-json`` import format.

Instaloader (``instaloader --comments --no-pictures PROFILE``) writes, per post, a
``<date>_UTC.json.xz`` (or ``.json`` with ``--no-compress-json``) holding
``{"node": {...}, "instaloader": {...}}`` — the post as Instagram's web GraphQL API gives it
(``shortcode``, ``id``, ``owner``, ``edge_media_to_caption``, ``edge_liked_by``/
``edge_media_preview_like``, ``edge_media_to_comment``, ``taken_at_timestamp``, ``is_video``,
``video_view_count``, ``__typename`` GraphImage/GraphVideo/GraphSidecar) — and, with
``--comments``, a ``<date>_UTC_comments.json`` beside it: a list of comments (``id``,
``created_at``, ``text``, ``owner``, ``likes_count``) each with its ``answers``. The profile's
own file (``<username>_<id>.json.xz``, ``node_type`` Profile) gives the account row.

Import a folder with a shell glob, e.g. ``research import --client c folder/*.json.xz
folder/*.json``: each file is recognised on its own. A comments file names no post, so it is
read with the post file beside it (same name without ``_comments``), and its raw record is
``{"comments": <the file's list>, "post": {"id", "shortcode", "owner"}, "post_file": name}``.
Post rows are those of the GraphQL shape in ``zeeschuimer.py``, so an Instaloader file and a
Zeeschuimer capture of one post give the same row.
"""

from __future__ import annotations

import json
import lzma
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
)
from research.sources.shape import ANY, SCALAR, Pick, shaped
from research.sources.zeeschuimer import INSTAGRAM_SHAPE
from research.sources.zeeschuimer import _instagram as graphql_post  # the GraphQL post shape, shared

__all__ = ["FORMAT", "normalize", "read"]

PLATFORM = "instagram"
_XZ_MAGIC = b"\xfd7zXZ\x00"
_COMMENTS = "_comments.json"


def _load(path: Path) -> Any:
    data = path.read_bytes()
    if data.startswith(_XZ_MAGIC):
        data = lzma.decompress(data)
    return json.loads(data.decode("utf-8-sig"))


def _post_file(path: Path) -> Path | None:
    """The post file beside a comments file: ``X_comments.json`` -> ``X.json.xz`` or ``X.json``."""
    stem = path.name[: -len(_COMMENTS)] if path.name.endswith(_COMMENTS) else None
    if stem is None:
        return None
    for name in (f"{stem}.json.xz", f"{stem}.json"):
        if (path.parent / name).is_file():
            return path.parent / name
    return None


def read(path: Path, options: Mapping[str, Any] | None = None) -> Iterator[Record | Rejected]:
    """The file as one record (a comments file: with the id and owner of its post)."""
    path = Path(path)
    try:
        doc = _load(path)
    except (ValueError, lzma.LZMAError) as e:
        yield Rejected(1, f"not JSON or xz-compressed JSON ({e})")
        return
    if not isinstance(doc, list):
        yield Record(1, doc)
        return
    sibling = _post_file(path)
    if sibling is None:
        yield Rejected(
            1, f"a comments file without its post file beside it ({path.name[: -len(_COMMENTS)]}.json.xz)"
        )
        return
    node = (_load(sibling) or {}).get("node") or {}
    owner = node.get("owner") or {}
    post = {"id": node.get("id"), "shortcode": node.get("shortcode"), "owner": owner}
    yield Record(1, {"comments": doc, "post": post, "post_file": sibling.name})


def normalize(record: Any, ctx: Context) -> Rows:
    """Rows of a post file, a profile file, or a comments file read with its post."""
    if not isinstance(record, dict):
        raise ValueError("not an Instaloader JSON file")
    if isinstance(record.get("comments"), list) and isinstance(record.get("post"), dict):
        return _comments(record["comments"], record["post"], ctx)
    node = record.get("node")
    kind = (record.get("instaloader") or {}).get("node_type")
    if not isinstance(node, dict):
        raise ValueError("no node: not an Instaloader post or profile file")
    if kind == "Profile" or ("username" in node and "shortcode" not in node):
        return Rows(accounts=[_profile(node, ctx)])
    if "shortcode" not in node:
        raise ValueError("the node has no shortcode: not an Instaloader post")
    rows = graphql_post(node, ctx)
    owner = node.get("owner") or {}
    if owner.get("id") is not None:
        rows.accounts.append(_account(owner, ctx))
    return rows


def _profile(node: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        **_account(node, ctx),
        "collected_at": ctx.collected_at,  # the profile's counts, observed then
        "followers": count((node.get("edge_followed_by") or {}).get("count")),
        "following": count((node.get("edge_follow") or {}).get("count")),
        "posts_count": count((node.get("edge_owner_to_timeline_media") or {}).get("count")),
        "description": node.get("biography") or None,
    }


def _account(owner: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    verified = owner.get("is_verified")
    return {
        "platform": PLATFORM,
        "account_id": as_id(owner.get("id"), field="owner.id"),
        "handle": handle(owner.get("username")),
        "name": owner.get("full_name") or None,
        "verified": bool(verified) if verified is not None else None,
        "source": ctx.source,
        # NOTE: an owner or commenter seen on a post carries no counts: no observation time, so
        # the profile file's row (followers) wins over it whatever the order (NULL is oldest).
        "collected_at": None,
    }


def _comments(comments: list[Any], post: Mapping[str, Any], ctx: Context) -> Rows:
    post_id = as_id(post.get("id"), field="post.id")
    if post_id is None:
        raise ValueError("the post file beside the comments has no id")
    owner_id = as_id((post.get("owner") or {}).get("id"), field="post.owner.id")
    rows, seen = Rows(), set()

    def add(
        comment: Mapping[str, Any], reply_to: str, reply_to_author: str | None, answers: int | None
    ) -> None:
        owner = comment.get("owner") or {}
        text = comment.get("text") or ""
        comment_id = as_id(comment.get("id"), field="id")
        rows.posts.append(
            {
                "platform": PLATFORM,
                "post_id": comment_id,
                "url": f"https://www.instagram.com/p/{post.get('shortcode')}/c/{comment_id}/"
                if post.get("shortcode")
                else None,
                "author_id": as_id(owner.get("id"), field="owner.id"),
                "author_handle": handle(owner.get("username")),
                "created_at": to_utc(comment.get("created_at"), field="created_at"),
                "text": text,
                "hashtags": hashtags_in(text),
                "mentions": mentions_in(text),
                "media_type": "text",
                "likes": count(comment.get("likes_count")),
                "replies": answers,
                "reply_to_post_id": reply_to,
                "reply_to_author_id": reply_to_author,
                "source": ctx.source,
                "collected_at": ctx.collected_at,
            }
        )
        if owner.get("id") is not None and str(owner["id"]) not in seen:
            seen.add(str(owner["id"]))
            rows.accounts.append(_account(owner, ctx))

    for comment in comments:
        if not isinstance(comment, dict):
            continue
        answers = [a for a in comment.get("answers") or [] if isinstance(a, dict)]
        add(comment, post_id, owner_id, len(answers))
        parent, parent_author = as_id(comment.get("id"), field="id"), (comment.get("owner") or {}).get("id")
        for answer in answers:
            add(answer, parent, as_id(parent_author, field="owner.id"), None)
    return rows


def _sniff(sample: Sample) -> bool:
    head = sample.head
    if head.startswith(_XZ_MAGIC):
        try:
            head = lzma.LZMADecompressor().decompress(head, max_length=64 * 1024)
        except lzma.LZMAError:
            return False
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("{"):  # Instaloader writes the node first and its own stamp after it
        return (
            re.match(r'\{\s*"node"\s*:\s*\{', text) is not None
            or re.search(r'"instaloader"\s*:\s*\{\s*"(version|node_type)"', text) is not None
        )
    return sample.path.name.endswith(_COMMENTS) and text.startswith("[") and '"answers"' in text


# What `normalize` reads (see `research.sources.shape`): a post or profile node, or comments with their post.
_OWNER = {"id": SCALAR, "username": str, "full_name": ANY, "is_verified": ANY}
_COMMENT: dict[str, Any] = {"owner": _OWNER, "text": str, "id": SCALAR}
_COMMENT["answers"] = [_COMMENT]  # answers are comments too
_NODE = {**INSTAGRAM_SHAPE, "owner": _OWNER, "id": SCALAR, "shortcode": SCALAR, "username": str,
         "edge_followed_by": {}, "edge_follow": {}, "edge_owner_to_timeline_media": {}}  # fmt: skip
_RECORD = Pick(
    lambda r: (
        {"comments": [_COMMENT], "post": {"id": SCALAR, "shortcode": SCALAR, "owner": _OWNER}}
        if isinstance(r, dict) and "comments" in r
        else {"node": _NODE, "instaloader": {}}
    )
)

FORMAT = Format(
    name="instaloader-json",
    platforms=(PLATFORM,),
    reads="Instaloader metadata: <date>_UTC.json(.xz) posts, their _comments.json, profile files",
    version="1",
    sniff=_sniff,
    read=read,
    normalize=shaped(normalize, _RECORD),
)
