"""Posts and the comments under them: the walk the youtube, vk and reddit collectors share.

A :class:`ThreadCollector` lists a target's posts a page at a time, newest first, and after
each page fetches the comment pages of every post on it that is in the query's window. Each
API call is one :class:`~research.sources.collect.Page`, and the cursor checkpointed after it
says exactly where the walk stands::

    {"state": {...},        what the collector learnt once (a channel's uploads playlist)
     "posts": <token>,      where the next page of posts starts (None: the first page)
     "queue": [ref, ...],   posts whose comments are still to fetch, the current one first
     "comments": <token>,   where the current post's comments continue (None: their start)
     "kept": 12,            posts kept so far (for the query's cap)
     "last": false}         no page of posts after this one

so a run that is killed, fails or stops at a quota budget resumes at the very next call:
no post and no comment page is fetched twice, none is skipped. The query's window and cap
apply to posts (a post's comments are kept whatever their date: they answer a post in the
window), so pages say how many posts they hold (``Page.posts``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from research.sources.collect import Collector, Fetcher, Page, Query, Target

__all__ = ["ThreadCollector", "Listing", "Comments", "Post"]


@dataclass(frozen=True)
class Post:
    """A post on a page of posts: its raw record, when it was posted, and what fetching its
    comments needs (JSON; None: it has none worth asking for)."""

    record: Any
    when: datetime | None
    ref: Any = None
    in_order: bool = True  # False: out of the newest-first order (pinned), so its age ends nothing


@dataclass
class Listing:
    """One page of a target's posts as the platform returned it."""

    posts: list[Post]
    url: str
    next: Any = None  # where the next page starts (JSON); None: this is the last page
    extra: list[Any] = field(default_factory=list)  # records that came with the page (profiles)
    newest_first: bool = True  # False for a "top" listing: an old post does not end the walk
    answer: Any = None  # the whole answer, for collectors that store a page as one record


@dataclass
class Comments:
    """One page of a post's comments."""

    items: list[Any]
    url: str
    next: Any = None  # where the post's comments continue (JSON); None: they are all fetched


class ThreadCollector(Collector):
    """A collector of posts with their comment threads; subclasses fill the three steps below."""

    takes_hashtags = False  # walls, channels and subreddits: the params' hashtags are not collected here

    def begin(self, fetch: Fetcher, target: Target) -> tuple[Comments | None, dict[str, Any]]:
        """Once per collection: a page to store first (a channel's profile) and the walk's state."""
        return None, {}

    def listing(self, fetch: Fetcher, target: Target, state: dict[str, Any], position: Any) -> Listing:
        """The page of posts at ``position`` (None: the newest)."""
        raise NotImplementedError

    def comments(
        self, fetch: Fetcher, target: Target, state: dict[str, Any], ref: Any, position: Any
    ) -> Comments:
        """The page of comments of the post ``ref`` at ``position`` (None: the first)."""
        raise NotImplementedError

    def stored(self, listing: Listing, kept: list[Post]) -> list[Any]:
        """The records to store for a page of posts: what came with it, and the posts kept."""
        return [*listing.extra, *(p.record for p in kept)]

    def item_time(self, item: Any) -> datetime | None:
        return None  # the walk applies the window to posts itself

    def pages(self, fetch: Fetcher, target: Target, query: Query, cursor: dict | None) -> Iterator[Page]:
        walk: dict[str, Any] = dict(cursor) if cursor else {}
        if "state" not in walk:
            first, state = self.begin(fetch, target)
            walk = {"state": state, "posts": None, "queue": [], "comments": None, "kept": 0, "last": False}
            if first is not None:
                yield Page(first.items, first.url, _next(walk), posts=0)
        while True:
            if walk["queue"]:
                ref = walk["queue"][0]
                got = self.comments(fetch, target, walk["state"], ref, walk["comments"])
                walk["comments"] = got.next
                if got.next is None:
                    walk["queue"] = walk["queue"][1:]
                yield Page(got.items, got.url, _next(walk), posts=0)
            elif walk["last"]:
                return
            else:
                listing = self.listing(fetch, target, walk["state"], walk["posts"])
                kept = _window(listing, query, walk)
                walk["kept"] += len(kept)
                walk["posts"] = listing.next
                walk["last"] = walk["last"] or listing.next is None or not listing.posts
                walk["queue"] = [p.ref for p in kept if p.ref is not None]
                yield Page(self.stored(listing, kept), listing.url, _next(walk), posts=len(kept))


def _window(listing: Listing, query: Query, walk: dict[str, Any]) -> list[Post]:
    """The listing's posts in the query's window, up to its cap; sets ``walk["last"]`` when the
    window or the cap ends the walk."""
    kept: list[Post] = []
    for post in listing.posts:
        if query.max_posts is not None and walk["kept"] + len(kept) >= query.max_posts:
            walk["last"] = True
            break
        when = post.when
        if when is not None and query.until and when >= query.until:
            continue
        if when is not None and query.since and when < query.since:
            # newest first: nothing further is in the window
            walk["last"] = walk["last"] or (listing.newest_first and post.in_order)
            continue
        kept.append(post)
    if query.max_posts is not None and walk["kept"] + len(kept) >= query.max_posts:
        walk["last"] = True
    return kept


def _next(walk: dict[str, Any]) -> dict[str, Any] | None:
    """The cursor to checkpoint after a page: None once nothing is left to fetch."""
    if walk["last"] and not walk["queue"]:
        return None
    return {**walk, "queue": list(walk["queue"])}
