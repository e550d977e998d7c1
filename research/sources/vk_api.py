"""The ``vk`` collector: a public community's or user's wall and the comment threads under each post.

Calls (API version pinned in ``research.sources.vk.API_VERSION``): ``wall.get`` (100 posts a
call, paged by ``offset``, ``extended=1`` for the authors' names and screen names), then for
each post with comments ``wall.getComments`` (100 top-level comments a call, each with up to 10
replies of its thread: ``thread_items_count``), and ``wall.getComments`` with ``comment_id`` for
threads longer than that. The token comes from ``VK_TOKEN`` only (a service token of a VK app
reads public walls; a user token also reads what that user may see) and is removed from every
URL the policy records.

VK reports errors inside a 200 answer (``{"error": {"error_code", "error_msg"}}``). Codes 6 (too
many requests per second), 9 (flood control), 10 (internal error) and 29 (rate limit) are
retried with the shared policy's backoff; 5 (the token is refused) stops the run with one
sentence naming ``VK_TOKEN``; 15, 18, 30 and 100-range errors (access denied, deleted or banned,
private profile, invalid parameters) skip that wall or that post's comments and are reported.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from typing import Any, Literal

from research.errors import CollectorError, ResearchError
from research.schema import to_utc
from research.sources.collect import Fetcher, RunStopped, Skipped, Target
from research.sources.threads import Comments, Listing, Post, ThreadCollector
from research.sources.vk import API_VERSION, FORMAT, PLATFORM

__all__ = ["COLLECTOR", "VKCollector", "TOKEN_VARIABLE", "classify", "VkError"]

TOKEN_VARIABLE = "VK_TOKEN"
SETUP = (
    "vk.com/apps?act=manage > Create an app (a Standalone/Mini app) > Settings > Service token; "
    f"then export {TOKEN_VARIABLE}=..."
)
RETRY = frozenset({6, 9, 10, 29})
FATAL = frozenset({5})
SKIP = frozenset({15, 18, 19, 30, 100, 113, 203, 212})
_OWNER = re.compile(r"^(?:(id)|(club|public|event))?(-?\d+)$")
_FIELDS = "screen_name,members_count,followers_count,verified"


def classify(error: Any) -> Literal["retry", "fatal", "skip", "fail"]:
    """What to do about a VK error object: wait and retry, stop the run, skip this part, or fail it.

    >>> classify({"error_code": 6, "error_msg": "Too many requests per second"})
    'retry'
    >>> classify({"error_code": 30, "error_msg": "This profile is private"}), classify("garbage")
    ('skip', 'fail')
    """
    code = error.get("error_code") if isinstance(error, dict) else None
    if isinstance(code, bool) or not isinstance(code, int):
        return "fail"
    return "retry" if code in RETRY else "fatal" if code in FATAL else "skip" if code in SKIP else "fail"


def describe(error: Any) -> str:
    """``error 30 (This profile is private)``, whatever the error object holds."""
    if not isinstance(error, dict):
        return f"an error answer ({str(error)[:80]!r})"
    message = str(error.get("error_msg") or "no message")[:200]
    return f"error {error.get('error_code', '?')} ({message})"


class VkError(CollectorError):
    """VK answered a call with an error object; ``kind`` is what :func:`classify` makes of it."""

    def __init__(self, message: str, *, error: Any, url: str | None = None):
        self.error, self.kind = error, classify(error)
        super().__init__(message, url=url)


def _in_band(response: Any) -> str | None:
    """The reason to retry a 200 answer that carries a rate-limit or internal error, else None."""
    if response.status_code != 200:
        return None
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    return f"VK {describe(error)}" if classify(error) == "retry" else None


class VKCollector(ThreadCollector):
    """Walls of public VK communities and users, with the comment threads under each post."""

    name = "vk"
    platform = PLATFORM
    reads = f"VK API v{API_VERSION} (token in {TOKEN_VARIABLE}): walls and comment threads"
    format = FORMAT
    setup = SETUP
    default_base_url = "https://api.vk.com/method/"
    # VK allows 3 calls a second per token (error 6 beyond that); one every 0.4 s stays under it.
    min_interval = 0.4
    page_size = 100  # wall.get and wall.getComments maxima
    thread_items = 10  # replies wall.getComments returns inline per comment (its maximum)

    def status(self) -> str:
        return "works" if os.environ.get(TOKEN_VARIABLE, "").strip() else f"needs {TOKEN_VARIABLE}"

    def make_targets(
        self, accounts: Sequence[str], hashtags: Sequence[str], instance: str | None
    ) -> list[Target]:
        if hashtags:
            raise ResearchError(
                "the vk collector takes walls (--account screen name or owner id), not hashtags"
            )
        out = []
        for text in accounts:
            value = re.sub(r"^(https?://)?(m\.)?vk\.com/", "", text.strip()).strip("/@").lower()
            if not value:
                raise ResearchError("an empty VK wall: give a screen name (apiclub) or an owner id (-1)")
            out.append(Target("account", value))
        return out

    def origin(self, target: Target) -> str:
        owner = _owner_id(target.value)
        return f"https://vk.com/{'wall' + owner if owner else target.value}"

    def listing(self, fetch: Fetcher, target: Target, state: dict[str, Any], position: Any) -> Listing:
        offset = int(position or 0)
        owner = _owner_id(target.value)
        params = {"owner_id": owner} if owner else {"domain": target.value}
        params |= {"offset": offset, "count": self.page_size, "extended": 1, "fields": _FIELDS}
        try:
            record, url = self._call(fetch, "wall.get", params)
        except VkError as e:
            if e.kind == "skip":
                raise Skipped(f"VK does not show the wall of {target.value}: {describe(e.error)}") from None
            raise
        items = [i for i in record["response"].get("items") or [] if isinstance(i, dict)]
        total = record["response"].get("count")
        posts = [
            Post(
                i,
                to_utc(i.get("date"), field="date") if i.get("date") else None,
                {"owner_id": i.get("owner_id"), "post_id": i.get("id")}
                if (i.get("comments") or {}).get("count")
                else None,
                in_order=not i.get("is_pinned"),  # a pinned post tops the wall whatever its age
            )
            for i in items
        ]
        done = not items or (isinstance(total, int) and offset + len(items) >= total)
        return Listing(posts, url, None if done else offset + len(items), answer=record)

    def comments(
        self, fetch: Fetcher, target: Target, state: dict[str, Any], ref: Any, position: Any
    ) -> Comments:
        at = position or {"offset": 0, "expand": [], "top_done": False}
        base = {"owner_id": ref["owner_id"], "post_id": ref["post_id"], "count": self.page_size}
        base |= {"need_likes": 1, "extended": 1, "fields": _FIELDS, "sort": "asc"}
        if at["top_done"]:
            comment_id = at["expand"][0]
            params = {**base, "comment_id": comment_id, "offset": at["offset"]}
        else:
            params = {**base, "offset": at["offset"], "thread_items_count": self.thread_items}
        try:
            record, url = self._call(fetch, "wall.getComments", params)
        except VkError as e:
            if e.kind != "skip":
                raise
            fetch.notes.append(f"comments of {ref['owner_id']}_{ref['post_id']}: {describe(e.error)}")
            return Comments([], e.url or "", None)
        items = [i for i in record["response"].get("items") or [] if isinstance(i, dict)]
        total = record["response"].get("current_level_count", record["response"].get("count"))
        more = not (not items or (isinstance(total, int) and at["offset"] + len(items) >= total))
        if not at["top_done"]:
            longer = [
                i["id"]
                for i in items
                if (i.get("thread") or {}).get("count", 0) > len((i.get("thread") or {}).get("items") or [])
            ]
            expand = [*at["expand"], *longer]
            at = {"offset": at["offset"] + len(items), "expand": expand, "top_done": not more}
            if not more:
                at["offset"] = 0
        else:
            expand = at["expand"] if more else at["expand"][1:]
            at = {"offset": at["offset"] + len(items) if more else 0, "expand": expand, "top_done": True}
        finished = at["top_done"] and not at["expand"]
        return Comments([record] if items else [], url, None if finished else at)

    def stored(self, listing: Listing, kept: list[Post]) -> list[Any]:
        """One record per page: VK's answer with the posts kept in the window (and all its authors)."""
        if not kept:
            return []
        answer = listing.answer
        return [{**answer, "response": {**answer["response"], "items": [p.record for p in kept]}}]

    def item_key(self, item: Any) -> str:
        request = item.get("request") or {}
        params = request.get("params") or {}
        return f"{request.get('method')}?" + "&".join(f"{k}={params[k]}" for k in sorted(params))

    def _call(self, fetch: Fetcher, method: str, params: dict[str, Any]) -> tuple[dict[str, Any], str]:
        token = os.environ.get(TOKEN_VARIABLE, "").strip()
        if not token:
            raise RunStopped(f"the vk collector needs an access token in {TOKEN_VARIABLE} ({SETUP})")
        http = fetch.json(self.base_url, retry_if=_in_band)
        reply = http.get_json(method, {**params, "v": API_VERSION, "access_token": token})
        data = reply.data
        if not isinstance(data, dict):
            raise CollectorError(f"VK answered {method} without a JSON object", url=reply.url)
        if "error" in data:
            error = data["error"]
            if classify(error) == "fatal":
                raise RunStopped(
                    f"VK refused the token in {TOKEN_VARIABLE} ({describe(error)}); create a new one "
                    "and set it again",
                    url=reply.url,
                )
            raise VkError(f"VK answered {method} with {describe(error)}", error=error, url=reply.url)
        if not isinstance(data.get("response"), dict):
            raise CollectorError(f"VK answered {method} without a response object", url=reply.url)
        return {"request": {"method": method, "params": params}, **data}, reply.url


def _owner_id(value: str) -> str | None:
    """``-1`` for ``-1``, ``club1`` or ``public1``; ``1`` for ``1`` or ``id1``; None for a screen name."""
    match = _OWNER.match(value)
    if not match:
        return None
    _, group, number = match.groups()
    return "-" + number.lstrip("-") if group else number


COLLECTOR = VKCollector()
