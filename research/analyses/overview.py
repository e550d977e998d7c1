"""What data the brief stands on: sources, counts per platform and kind, completeness.

These tables feed the brief's "Method and data" section, so a reader can judge
every number: where it came from, when it was observed, and what was missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from research import schema
from research import store as _store
from research.analyses.metrics import Period, collected, previous_covered
from research.brands import Brand, brand_of_author

__all__ = ["sources", "counts", "completeness", "kind_of_post", "data_notes", "COMPLETENESS_NOTE"]

COMPLETENESS_NOTE = (
    "Share of rows in which each field is filled, per source (lists: share non-empty). "
    "0 means the source never provides the field: it is NULL there, never counted as zero."
)


def sources(store: _store.Store) -> pd.DataFrame:
    """One row per raw run: source, format version, origin, when observed and imported, records.

    ``origin`` is the file's name (not where it lies on the analyst's disk) or the collector's
    source; ``observed_at`` is when the counts were observed: the records' own times when they
    carry them (the first and last, when they differ), else the import's.
    """
    rows = [
        {
            "source": r["source"],
            "format": f"{r['format']}/{r['version']}",
            "origin": _origin(r.get("origin", "")),
            "observed_at": _observed(r),
            "imported_at": r.get("retrieved_at"),
            "records": r.get("records"),
            "set_aside": r.get("rejected"),
        }
        for r in store.runs()
    ]
    return pd.DataFrame(
        rows, columns=["source", "format", "origin", "observed_at", "imported_at", "records", "set_aside"]
    )


def kind_of_post(posts: pd.DataFrame) -> pd.Series:
    """``repost``, ``quote``, ``reply`` or ``post`` for each row (in that precedence)."""
    kind = pd.Series("post", index=posts.index, dtype="string")
    kind = kind.mask(posts["reply_to_post_id"].notna(), "reply")
    kind = kind.mask(posts["quote_of_post_id"].notna(), "quote")
    return kind.mask(posts["repost_of_post_id"].notna(), "repost")


def _origin(origin: str) -> str:
    return Path(origin).name if origin.startswith("/") else origin


def _observed(run: dict) -> str | None:
    first, last = run.get("observed_from"), run.get("observed_to")
    if first and last:
        return first if first[:16] == last[:16] else f"{first[:16]} – {last[:16]}"
    return run.get("observed_at")


def counts(posts: pd.DataFrame, brands: Iterable[Brand], period: Period) -> pd.DataFrame:
    """Posts in the period per platform: by brands and by the audience, per kind, and authors.

    Kinds: ``reply``, ``repost`` and ``quote`` count every post that is one (a reply that quotes
    counts in both); ``post`` counts posts that are none of them.
    """
    current = posts.loc[period.contains(posts)]
    if current.empty:
        return pd.DataFrame(
            columns=[
                "platform",
                "posts",
                "by_brands",
                "by_audience",
                "post",
                "reply",
                "repost",
                "quote",
                "with_mentions",
                "authors",
            ]
        )
    table = pd.DataFrame(
        {
            "platform": current["platform"],
            "by_brands": brand_of_author(current, brands).notna(),
            # A post can be a reply and a quote at once: each kind counts every post that is one.
            "reply": current["reply_to_post_id"].notna(),
            "repost": current["repost_of_post_id"].notna(),
            "quote": current["quote_of_post_id"].notna(),
            "with_mentions": current["mentions"].map(len).gt(0),
            "author": current["author_id"].fillna(current["author_handle"]),
        }
    )
    grouped = table.groupby("platform", sort=True)
    out = pd.DataFrame(
        {
            "posts": grouped.size(),
            "by_brands": grouped["by_brands"].sum(),
            "by_audience": grouped.size() - grouped["by_brands"].sum(),
        }
    )
    kinds = grouped[["reply", "repost", "quote"]].sum()
    plain = ~(table["reply"] | table["repost"] | table["quote"])
    kinds.insert(0, "post", plain.groupby(table["platform"], sort=True).sum())
    out = (
        out.join(kinds)
        .join(grouped["with_mentions"].sum())
        .join(grouped["author"].nunique().rename("authors"))
    )
    return out.reset_index().astype({c: "int64" for c in out.columns})


def completeness(posts: pd.DataFrame) -> pd.DataFrame:
    """Share of rows each source filled, per schema column (lists: share non-empty).

    One row per source, one column per field, values in [0, 1], plus ``rows``.
    A field a source never fills shows 0.0: it was NULL, not zero.
    """
    if posts.empty:
        return pd.DataFrame(columns=["source", "rows", *[c for c in schema.POST_COLUMNS if c != "source"]])
    filled = pd.DataFrame(
        {
            c.name: posts[c.name].map(len).gt(0) if c.kind == "list" else posts[c.name].notna()
            for c in schema.POSTS
        }
    )
    table = filled.groupby(posts["source"].fillna("unknown"), sort=True).mean().round(4)
    table.insert(0, "rows", posts.groupby(posts["source"].fillna("unknown"), sort=True).size())
    return table.drop(columns=["source"]).reset_index()


def data_notes(stored: pd.DataFrame, period: Period) -> list[str]:
    """What a reader must know about the data before reading any number, one sentence each.

    ``stored`` is every stored post (context posts included): context posts kept but not
    counted, collected posts without an author, a time or a text, and whether the data cover
    the previous period (which decides whether any change is claimed).
    """
    notes = []
    context = stored["context"].fillna(False).to_numpy(dtype=bool) if "context" in stored else None
    if context is not None and context.any():
        notes.append(
            f"{int(context.sum()):,} posts are kept only because collected posts retweet, quote or reply to "
            "them: they resolve who engaged with whom but are not counted anywhere."
        )
    posts = collected(stored)
    total = len(posts)
    checks = {
        "no author": posts["author_id"].isna() & posts["author_handle"].isna(),
        "no time (so they fall in no period)": posts["created_at"].isna(),
        "no text": posts["text"].isna() | posts["text"].eq(""),
    }
    for what, mask in checks.items():
        n = int(mask.fillna(False).sum())
        if n:
            by = posts.loc[mask.fillna(False).to_numpy(dtype=bool), "source"].fillna("unknown").value_counts()
            where = ", ".join(f"{source}: {count:,}" for source, count in by.items())
            notes.append(f"{n:,} of {total:,} collected posts ({n / total:.0%}) have {what} ({where}).")
    outside = int((~period.contains(posts) & ~period.previous.contains(posts)).sum())
    if outside:
        notes.append(
            f"{outside:,} of {total:,} collected posts fall outside the period and the one before it and are not used."
        )
    uncovered = previous_covered(posts, period)
    if uncovered:
        notes.append(uncovered)
    return notes
