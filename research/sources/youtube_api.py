"""The ``youtube`` collector: a channel, its uploads and the comments under them, from the Data API v3.

For a channel given as ``@handle`` or ``UC…`` id: the channel (``channels.list``), its uploads
(``playlistItems.list`` over the uploads playlist, 50 a page, newest first), each page's videos
with their statistics (``videos.list``, up to 50 ids a call) and, for each video in the
window, its comment threads (``commentThreads.list``, 100 a page, with the replies the thread
carries) and, for threads with more replies than that, the rest (``comments.list``). The raw
records are the API's resources as received, read by the ``youtube-api-json`` format.

Key and quota: the key comes from ``YOUTUBE_API_KEY`` only. Every call used here costs 1 unit
of the key's daily 10,000; the collector counts the requests it sends (retries included, as
Google counts them) and stops before the call that would pass its budget (``--quota``,
default 9,000, shared by the targets of one run), storing what it fetched: the next run
resumes at the checkpoint, after the daily reset (midnight Pacific time). ``quotaExceeded`` is
reported in one sentence and not retried; ``rateLimitExceeded`` (a per-minute limit) is
retried with the shared policy's backoff. The key is sent as the documented ``key`` query
parameter and removed from every URL the policy hands back (``research.sources.http.redact``).
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Sequence
from typing import Any

from research.errors import CollectorError, ResearchError
from research.schema import to_utc
from research.sources.collect import Fetcher, Paused, RunStopped, Skipped, Target
from research.sources.http import HttpStatusError
from research.sources.threads import Comments, Listing, Post, ThreadCollector
from research.sources.youtube import API_FORMAT, PLATFORM, channel_handle

__all__ = ["COLLECTOR", "YouTubeCollector", "KEY_VARIABLE", "DEFAULT_QUOTA"]

KEY_VARIABLE = "YOUTUBE_API_KEY"
DEFAULT_QUOTA = 9_000  # of the 10,000 units a day Google gives a project: room for other tools
CHANNEL_ID = re.compile(r"^UC[0-9A-Za-z_-]{22}$")
SETUP = (
    "Google Cloud console > APIs & Services > enable YouTube Data API v3 > Credentials > "
    f"Create credentials > API key; then export {KEY_VARIABLE}=..."
)
_RETRY_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}


def _reasons(data: Any) -> list[str]:
    """The ``reason`` of each entry of a Google error body (``error.errors``, ``error.details``)."""
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return []
    entries = [*(error.get("errors") or []), *(error.get("details") or [])]
    return [str(e["reason"]) for e in entries if isinstance(e, dict) and e.get("reason")]


def _retry_if(response: Any) -> str | None:
    """YouTube's per-minute limits come as 403 ``rateLimitExceeded``: wait and retry those."""
    if response.status_code != 403:
        return None
    try:
        reasons = _reasons(response.json())
    except ValueError:
        return None
    hit = _RETRY_REASONS.intersection(reasons)
    return f"rate limit (403 {sorted(hit)[0]})" if hit else None


class YouTubeCollector(ThreadCollector):
    """A channel's videos with their statistics and comment threads, from the YouTube Data API v3."""

    name = "youtube"
    platform = PLATFORM
    reads = f"YouTube Data API v3 (key in {KEY_VARIABLE}): a channel's videos, statistics, comments"
    format = API_FORMAT
    setup = SETUP
    default_base_url = "https://www.googleapis.com/youtube/v3/"
    # The API has no published per-second limit, only the daily quota; 5 calls a second keeps a
    # run of 9,000 calls to half an hour and well clear of the per-minute "rateLimitExceeded".
    min_interval = 0.2
    uploads_page = 50  # playlistItems.list and videos.list maxima
    comments_page = 100  # commentThreads.list and comments.list maxima

    def __init__(self, *, quota: int = DEFAULT_QUOTA, **kwargs: Any):
        super().__init__(**kwargs)
        if quota < 1:
            raise ResearchError(f"the YouTube quota budget must be at least 1 unit (got {quota})")
        self.quota, self.spent = quota, 0  # units this collector (one run) has spent

    def status(self) -> str:
        return "works" if os.environ.get(KEY_VARIABLE, "").strip() else f"needs {KEY_VARIABLE}"

    def configure(self, *, quota: int | None = None, **options: Any) -> YouTubeCollector:
        super().configure(**options)
        configured = copy.copy(self)
        configured.quota, configured.spent = quota or self.quota, 0
        return configured

    def make_targets(
        self, accounts: Sequence[str], hashtags: Sequence[str], instance: str | None
    ) -> list[Target]:
        if hashtags:
            raise ResearchError(
                "the youtube collector takes channels (--account @handle or UC… id), not hashtags"
            )
        targets = []
        for text in accounts:
            value = text.strip().lstrip("@")
            value = value if CHANNEL_ID.match(value) else value.lower()
            if not value:
                raise ResearchError("an empty YouTube channel: give @handle or a UC… channel id")
            targets.append(Target("account", value))
        return targets

    def origin(self, target: Target) -> str:
        if CHANNEL_ID.match(target.value):
            return f"https://www.youtube.com/channel/{target.value}"
        return f"https://www.youtube.com/@{target.value}"

    # --- the walk ------------------------------------------------------------------------------

    def begin(self, fetch: Fetcher, target: Target) -> tuple[Comments, dict[str, Any]]:
        by = {"id": target.value} if CHANNEL_ID.match(target.value) else {"forHandle": "@" + target.value}
        reply = self._get(fetch, "channels", {"part": "snippet,statistics,contentDetails", **by})
        items = reply.data.get("items") or []
        if not items:
            raise CollectorError(f"there is no YouTube channel {_label(target)}", url=reply.url)
        channel = items[0]
        uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
        if not uploads:
            raise Skipped(f"YouTube lists no uploads playlist for {_label(target)}")
        state = {
            "channel_id": channel["id"],
            "handle": channel_handle((channel.get("snippet") or {}).get("customUrl")),
            "uploads": uploads,
        }
        return Comments([channel], reply.url), state

    def listing(self, fetch: Fetcher, target: Target, state: dict[str, Any], position: Any) -> Listing:
        params = {"part": "contentDetails", "playlistId": state["uploads"], "maxResults": self.uploads_page}
        try:
            page = self._get(fetch, "playlistItems", {**params, "pageToken": position})
        except HttpStatusError as e:
            if e.status == 404 and "playlistNotFound" in _reasons(e.data):
                raise Skipped(f"{_label(target)} has no public uploads") from None
            raise
        ids = [
            (i.get("contentDetails") or {}).get("videoId") for i in page.data.get("items") or []
        ]  # newest first
        ids = [v for v in ids if v]
        videos: dict[str, Any] = {}
        url = page.url
        if ids:
            found = self._get(
                fetch, "videos", {"part": "snippet,statistics,contentDetails", "id": ",".join(ids)}
            )
            videos = {v["id"]: v for v in found.data.get("items") or [] if v.get("id")}
        posts = [
            # A video that is private or deleted is listed but not returned by videos.list.
            Post(videos[v], to_utc(videos[v]["snippet"]["publishedAt"], field="publishedAt"), _ref(videos[v]))
            for v in ids
            if v in videos
        ]
        return Listing(posts, url, page.data.get("nextPageToken") or None)

    def comments(
        self, fetch: Fetcher, target: Target, state: dict[str, Any], ref: Any, position: Any
    ) -> Comments:
        at = position or {"thread": None, "expand": [], "replies": None, "threads_done": False}
        if not at["threads_done"]:
            params = {"part": "snippet,replies", "videoId": ref, "maxResults": self.comments_page}
            try:
                reply = self._get(
                    fetch, "commentThreads", {**params, "textFormat": "plainText", "pageToken": at["thread"]}
                )
            except HttpStatusError as e:
                why = {"commentsDisabled": "comments are turned off", "videoNotFound": "the video is gone"}
                found = [why[r] for r in _reasons(e.data) if r in why]
                if e.status in (403, 404) and found:
                    fetch.notes.append(f"comments of {ref}: {found[0]}")
                    return Comments([], e.url or "", None)
                raise
            threads = reply.data.get("items") or []
            more = [
                t["id"]
                for t in threads
                if (t.get("snippet") or {}).get("totalReplyCount", 0)
                > len((t.get("replies") or {}).get("comments") or [])
            ]
            token = reply.data.get("nextPageToken") or None
            at = {**at, "thread": token, "expand": [*at["expand"], *more], "threads_done": token is None}
            return Comments(threads, reply.url, at if token or at["expand"] else None)
        parent = at["expand"][0]
        params = {"part": "snippet", "parentId": parent, "maxResults": self.comments_page}
        reply = self._get(
            fetch, "comments", {**params, "textFormat": "plainText", "pageToken": at["replies"]}
        )
        token = reply.data.get("nextPageToken") or None
        expand = at["expand"] if token else at["expand"][1:]
        at = {**at, "replies": token, "expand": expand}
        return Comments(reply.data.get("items") or [], reply.url, at if expand else None)

    def item_key(self, item: Any) -> str:
        return f"{item.get('kind')}:{item.get('id')}"

    # --- one call --------------------------------------------------------------------------------

    def _get(self, fetch: Fetcher, method: str, params: dict[str, Any]) -> Any:
        key = os.environ.get(KEY_VARIABLE, "").strip()
        if not key:
            raise RunStopped(f"the youtube collector needs an API key in {KEY_VARIABLE} ({SETUP})")
        if self.spent >= self.quota:
            raise Paused(
                f"the run's YouTube quota budget of {self.quota} units is spent; run again after the "
                "daily reset (midnight Pacific time) to continue where it stopped"
            )
        http = fetch.json(self.base_url, retry_if=_retry_if)
        before = fetch.requests
        try:
            reply = http.get_json(method, {**params, "key": key})
        except HttpStatusError as e:
            reasons = _reasons(e.data)
            if "quotaExceeded" in reasons or "dailyLimitExceeded" in reasons:
                raise RunStopped(
                    f"YouTube's daily quota for the key in {KEY_VARIABLE} is used up (quotaExceeded); it "
                    "resets at midnight Pacific time: run again then, collection resumes where it stopped"
                ) from None
            if {"keyInvalid", "API_KEY_INVALID", "keyExpired", "API_KEY_EXPIRED"}.intersection(reasons):
                raise RunStopped(
                    f"YouTube refused the key in {KEY_VARIABLE} ({e.detail or 'key not valid'}); "
                    "check it in the Google Cloud console"
                ) from None
            if e.status == 403 and "accessNotConfigured" in reasons:
                raise RunStopped(
                    f"the YouTube Data API v3 is not enabled for the project of the key in {KEY_VARIABLE}; "
                    "enable it in the Google Cloud console"
                ) from None
            raise
        finally:
            self.spent += fetch.requests - before
            fetch.usage = f"{self.spent} of {self.quota} quota units spent"
        if not isinstance(reply.data, dict):
            raise CollectorError(f"YouTube answered {method} without a JSON object", url=reply.url)
        return reply


def _ref(video: dict[str, Any]) -> str | None:
    """The video's id if it has comments to fetch (no count: comments may be hidden, so ask)."""
    stated = (video.get("statistics") or {}).get("commentCount")
    return None if stated is not None and str(stated) == "0" else video["id"]


def _label(target: Target) -> str:
    return target.value if CHANNEL_ID.match(target.value) else "@" + target.value


COLLECTOR = YouTubeCollector()
