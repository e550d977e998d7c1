"""snscrape ``--jsonl`` output: one scraped item per line, for any snscrape module.

The item's ``_type`` (``snscrape.modules.twitter.Tweet``, ``...telegram.TelegramPost``, ...)
says which platform normaliser applies. Files from snscrape before v0.4 have no
``_type``; their tweets are recognised by their keys.

snscrape itself (GPL-3.0, unmaintained) is not needed to import its files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from research.sources import register
from research.sources.base import Context, Format, Rows, Sample, read_jsonl
from research.sources.twitter import normalize_snscrape_tweet

__all__ = ["FORMAT", "NORMALIZERS"]

# _type -> normaliser; other platforms' modules add theirs here.
NORMALIZERS: dict[str, Callable[[dict, Context], Rows]] = {
    "snscrape.modules.twitter.Tweet": normalize_snscrape_tweet,
}

_OLD_TWEET_KEYS = {"url", "date", "id", "user"}


def _item_type(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if "_type" in item:
        return item["_type"]
    if _OLD_TWEET_KEYS <= item.keys() and ("content" in item or "rawContent" in item):
        return "snscrape.modules.twitter.Tweet"
    return None


def normalize(item: Any, ctx: Context) -> Rows:
    kind = _item_type(item)
    if kind is None:
        raise ValueError("not a snscrape item (no _type and not a tweet)")
    try:
        normalizer = NORMALIZERS[kind]
    except KeyError:
        raise ValueError(
            f"snscrape item type {kind!r} is not supported (supported: {', '.join(NORMALIZERS)})"
        ) from None
    return normalizer(item, ctx)


def _sniff(sample: Sample) -> bool:
    kind = _item_type(sample.first_json())
    return kind is not None and kind.startswith("snscrape.modules.")


FORMAT = register(
    Format(
        name="snscrape-jsonl",
        platforms=("twitter",),
        reads="snscrape --jsonl output (Tweet items of every snscrape version)",
        version="1",
        sniff=_sniff,
        read=read_jsonl,
        normalize=normalize,
    )
)
