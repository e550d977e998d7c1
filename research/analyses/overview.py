"""What data the brief stands on: sources, counts per platform and kind, completeness.

These tables feed the brief's "Method and data" section, so a reader can judge
every number: where it came from, when it was observed, and what was missing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from research import store as _store
from research.analyses.metrics import Period
from research.brands import Brand, brand_of_author

__all__ = ["sources", "counts", "completeness", "kind_of_post", "COMPLETENESS_NOTE"]

COMPLETENESS_NOTE = (
    "Share of rows in which each field is filled, per source (lists: share non-empty). "
    "0 means the source never provides the field: it is NULL there, never counted as zero."
)


def sources(store: _store.Store) -> pd.DataFrame:
    """One row per raw run: source, format version, origin, when observed and imported, records."""
    rows = [
        {
            "source": r["source"],
            "format": f"{r['format']}/{r['version']}",
            "origin": r.get("origin", ""),
            "observed_at": r.get("observed_at"),
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


def counts(posts: pd.DataFrame, brands: Iterable[Brand], period: Period) -> pd.DataFrame:
    """Posts in the period per platform: by brands and by the audience, per kind, and authors."""
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
            "kind": kind_of_post(current),
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
    kinds = pd.crosstab(table["platform"], table["kind"]).reindex(
        columns=["post", "reply", "repost", "quote"], fill_value=0
    )
    out = (
        out.join(kinds)
        .join(grouped["with_mentions"].sum())
        .join(grouped["author"].nunique().rename("authors"))
    )
    return out.reset_index().astype({c: "int64" for c in out.columns})


completeness = _store.completeness
