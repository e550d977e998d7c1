"""4CAT exports: a dataset downloaded from a 4CAT server as NDJSON or CSV.

- **NDJSON** (``fourcat-ndjson``): 4CAT keeps items of imported Zeeschuimer datasets as
  the platform's item with the Zeeschuimer envelope moved into ``__import_meta``:
  ``{...item..., "__import_meta": {"source_platform", "timestamp_collected", ...}}``.
  Each line is normalised by the Zeeschuimer normaliser of its ``source_platform``
  (Instagram, TikTok, X), with ``timestamp_collected`` as ``collected_at``.
- **CSV** (``fourcat-csv``): 4CAT's mapped items, one row per item, with at least
  ``id, thread_id, body, author, timestamp`` and platform-specific extras (``likes``,
  ``comments``, ``shares``, ``plays``, ``hashtags``, ``tiktok_url``, ``author_fullname``...).
  4CAT writes ``timestamp`` as ``YYYY-MM-DD HH:MM:SS`` in UTC, and often ``unix_timestamp``
  (used first). The CSV does not name its platform: it is taken from the ``platform``
  option, else a platform-specific column (``tiktok_url``, ``subreddit``...), else each
  row's URL domain; a row where none tells is refused with a sentence. Columns the CSV
  lacks stay NULL; ``hashtags``/``mentions`` are comma-separated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from research.sources import generic
from research.sources.base import Context, Format, Rows, Sample
from research.sources.reading import read_jsonl
from research.sources.zeeschuimer import normalize_item

__all__ = ["NDJSON_FORMAT", "CSV_FORMAT", "normalize_ndjson", "normalize_csv"]

_IMPORT_META = "__import_meta"


def normalize_ndjson(line: Any, ctx: Context) -> Rows:
    """Rows of one 4CAT NDJSON item (a Zeeschuimer item with ``__import_meta``)."""
    if not isinstance(line, dict) or not isinstance(line.get(_IMPORT_META), dict):
        raise ValueError(
            "not a 4CAT item from a Zeeschuimer import (no __import_meta); "
            "only 4CAT datasets imported from Zeeschuimer can be read as NDJSON"
        )
    meta = line[_IMPORT_META]
    item = {k: v for k, v in line.items() if k != _IMPORT_META}
    return normalize_item(str(meta.get("source_platform")), item, meta.get("timestamp_collected"), ctx)


# canonical -> 4CAT column names, first present wins
_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "post_id": ("id",),
    "text": ("body",),
    "author_handle": ("author",),
    "author_name": ("author_fullname", "author_full", "author_name"),
    "author_id": ("author_id", "author_user_id"),
    "created_at": ("unix_timestamp", "timestamp"),
    "url": ("url", "tiktok_url", "post_url", "link", "permalink"),
    "lang": ("language_guess", "lang", "language"),
    "likes": ("likes", "like_count", "likes_count", "num_likes"),
    "replies": ("comments", "reply_count", "num_comments", "comment_count", "num_replies"),
    "reposts": ("shares", "retweet_count", "num_shares", "reposts"),
    "quotes": ("quote_count", "quotes"),
    "views": ("plays", "views", "impression_count", "video_view_count", "num_views"),
    "hashtags": ("hashtags",),
    "mentions": ("mentions",),
}
_PLATFORM_COLUMNS = {
    "tiktok_url": "tiktok",
    "subreddit": "reddit",
    "shortcode": "instagram",
    "channel_id": "telegram",
}


def normalize_csv(row: Mapping[str, str], ctx: Context) -> Rows:
    """Rows of one 4CAT CSV row, through the generic table normaliser with 4CAT's mapping."""
    if not isinstance(row, dict) or "id" not in row or "body" not in row:
        raise ValueError("not a 4CAT CSV row (no id and body columns)")
    mapping = {}
    for canonical, names in _CSV_COLUMNS.items():
        present = [n for n in names if n in row]
        # the first column with a value in this row (unix_timestamp is often left empty)
        found = next((n for n in present if (row[n] or "").strip()), present[0] if present else None)
        if found:
            mapping[canonical] = found
    options = {"timezone": "UTC", **ctx.options, "mapping": mapping}  # 4CAT writes UTC
    if not options.get("platform"):
        platform = next((p for column, p in _PLATFORM_COLUMNS.items() if column in row), None)
        if platform:
            options["platform"] = platform
    return generic.normalize(row, replace(ctx, options=options))


def _sniff_ndjson(sample: Sample) -> bool:
    first = sample.first_json()
    if isinstance(first, dict):
        return isinstance(first.get(_IMPORT_META), dict)
    return sample.text.lstrip().startswith("{") and f'"{_IMPORT_META}"' in sample.text


def _sniff_csv(sample: Sample) -> bool:
    header = sample.text.split("\n", 1)[0].strip()
    names = {h.strip().strip('"') for h in header.split(",")}
    return {"id", "thread_id", "body", "author", "timestamp"} <= names


NDJSON_FORMAT = Format(
    name="fourcat-ndjson",
    platforms=("instagram", "tiktok", "twitter"),
    reads="4CAT NDJSON export of a Zeeschuimer-imported dataset (items with __import_meta)",
    version="1",
    sniff=_sniff_ndjson,
    read=read_jsonl,
    normalize=normalize_ndjson,
)

CSV_FORMAT = Format(
    name="fourcat-csv",
    platforms=("any",),
    reads="4CAT CSV export (id, thread_id, body, author, timestamp, ...); platform from URL or option",
    version="1",
    sniff=_sniff_csv,
    read=generic.read_table,
    normalize=normalize_csv,
)
