"""Telegram public channels, collected through snscrape (an optional extra).

snscrape (GPL-3.0, unmaintained) reads the channel's public web preview
(``https://t.me/s/<channel>``, about 20 posts a page, ``?before=<id>`` for older ones).
It is imported lazily, inside functions, so the workbench works without it; ``research
formats`` says how to install it.

Raw records are snscrape's own item JSON (``item.json()``), exactly what
``snscrape --jsonl telegram-channel`` writes, so they are normalised by the
``snscrape-jsonl`` import format, and a collected run and an imported snscrape file of the
same channel give the same rows. The channel's profile (subscribers) is not collected:
snscrape 0.7 cannot serialise a ``Channel`` that lacks one of its media counters, and the
``snscrape-jsonl`` format has no normaliser for it.

snscrape keeps its own ``requests`` session and its own retries; the collector turns its
retries off and mounts the workbench's :class:`~research.sources.http.PolicyAdapter` on that
session, so Telegram obeys the same timeouts, User-Agent, backoff and pacing as every other
collector. Resuming: the checkpoint keeps the id of the last post stored, and a resumed run
starts at ``t.me/s/<channel>?before=<id>``.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from research.errors import CollectorError
from research.schema import to_utc
from research.sources import snscrape
from research.sources.collect import Collector, Fetcher, Page, Query, Skipped, Target

__all__ = ["COLLECTOR", "TelegramCollector", "INSTALL_HINT"]

INSTALL_HINT = "needs the snscrape extra: pip install research[snscrape]"
_CHANNEL = re.compile(r"^[a-z][a-z0-9_]{4,31}$")
_POST_ID = re.compile(r"/(\d+)/?$")


class TelegramCollector(Collector):
    """Posts of public Telegram channels from their t.me web preview, via snscrape."""

    name = "telegram"
    platform = "telegram"
    reads = "Telegram public channels (t.me/s web preview) through snscrape"
    format = snscrape.FORMAT
    default_base_url = "https://t.me/"
    # Telegram publishes no limit for t.me and answers 429 to fast scrapers; one page
    # (about 20 posts) a second is a human reader's pace.
    min_interval = 1.0

    def status(self) -> str:
        return "works" if importlib.util.find_spec("snscrape") is not None else INSTALL_HINT

    def origin(self, target: Target) -> str:
        return f"https://t.me/s/{target.value}"

    def pages(self, fetch: Fetcher, target: Target, query: Query, cursor: dict | None) -> Iterator[Page]:
        if target.kind != "account":
            raise Skipped("Telegram has no public hashtag search; list the channels as accounts instead")
        if not _CHANNEL.match(target.value):
            raise CollectorError(f"{target.value!r} is not a public channel name (5-32 letters, digits, '_')")
        return self._posts(fetch, target.value, (cursor or {}).get("before"))

    def _posts(self, fetch: Fetcher, channel: str, before: str | None) -> Iterator[Page]:
        base, telegram = _snscrape()
        # NOTE: snscrape builds its first URL as f"https://t.me/s/{name}", so a name with a
        # query starts the scrape at an older page; its own "more" links carry on from there.
        scraper = telegram.TelegramChannelScraper(
            f"{channel}?before={before}" if before else channel, retries=0
        )
        adapter = fetch.adapter()
        scraper._session.mount("https://", adapter)
        scraper._session.mount("http://", adapter)
        seen = posts = 0
        try:
            for item in scraper.get_items():
                posts += 1
                fetched, seen = adapter.requests != seen, adapter.requests
                post_id = _POST_ID.search(item.url)
                yield Page(
                    [json.loads(item.json())],
                    item.url,
                    {"before": post_id.group(1) if post_id else None},
                    fetched,
                )
        except base.ScraperException as e:
            raise CollectorError(f"t.me/s/{channel}: {e}", url=f"https://t.me/s/{channel}") from None
        if not posts and before is None:
            raise Skipped(
                f"t.me shows no public posts for {channel}: the channel does not exist, is private, "
                "or has its web preview turned off"
            )

    def item_time(self, item: Any) -> datetime | None:
        return to_utc(item.get("date"), field="date") if isinstance(item, dict) and item.get("date") else None

    def item_key(self, item: Any) -> str:
        return str(item.get("url") or item.get("_type"))


def _snscrape() -> tuple[Any, Any]:
    try:
        import snscrape.base as base
        import snscrape.modules.telegram as telegram
    except ImportError:
        raise CollectorError(f"the telegram collector {INSTALL_HINT}") from None
    return base, telegram


COLLECTOR = TelegramCollector()
