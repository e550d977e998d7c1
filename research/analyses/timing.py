"""When to post: hour × weekday heatmaps and recommended slots, in the client's timezone.

Heatmaps are 7 × 24 float64 tables (rows ``Monday``..``Sunday``, columns hours
``0``..``23``), ready for a heatmap plot.

A *slot* is a (weekday, hour) pair in local time. Its performance is the median
relative engagement of the brands' own posts published in it (engagement over the
account's median, see ``research.analyses.metrics``), so a slot is judged against each
account's usual level rather than by which brand happens to post then. A slot is
*recommended* only when

1. at least ``min_posts`` posts were published in it (three lucky posts are not
   evidence),
2. its posts beat the rest of the platform's posts in a two-sided Mann–Whitney
   test after Benjamini–Hochberg adjustment over the platform's eligible slots,
3. the lower end of the bootstrap interval of its median relative engagement
   is above 1 (better than the accounts' typical post).

The *engaged audience* is the non-brand authors who replied to, mentioned,
reposted or quoted a brand in the period; their activity is all of their posts
in the period.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from research.analyses.competitors import handle_mentions, pairs_in
from research.analyses.metrics import WEEKDAYS, Period, annotate, own_posts, why_empty
from research.analyses.stats import ALPHA, adjust_pvalues, bootstrap_interval, mann_whitney, p_text
from research.brands import Brand, brand_names

__all__ = [
    "weekday_hour_matrix",
    "posting_heatmaps",
    "engaged_audience",
    "audience_heatmap",
    "slot_performance",
    "recommend_slots",
]

_AGGS = ("count", "sum", "mean", "median")


def weekday_hour_matrix(
    posts: pd.DataFrame, timezone: str, *, values: pd.Series | None = None, agg: str = "count"
) -> pd.DataFrame:
    """A 7 × 24 float64 weekday × hour table of ``posts`` in local time.

    Parameters
    ----------
    posts : DataFrame
        Posts with ``created_at`` (UTC).
    timezone : str
        IANA zone the hours and weekdays are taken in.
    values : Series, optional
        Per-post values aligned with ``posts`` to aggregate (e.g. engagement);
        ignored for ``agg="count"``.
    agg : {"count", "sum", "mean", "median"}
        Empty cells are 0 for ``count`` and ``sum``, NaN otherwise.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> p = posts_frame([{"platform": "twitter", "post_id": "1", "created_at": "2026-09-03T13:30:00Z"}])
    >>> m = weekday_hour_matrix(p, "Asia/Kolkata")
    >>> m.shape, float(m.loc["Thursday", 19]), float(m.to_numpy().sum())
    ((7, 24), 1.0, 1.0)
    """
    if agg not in _AGGS:
        raise ValueError(f"agg: {agg!r} is not one of {', '.join(_AGGS)}")
    local = posts["created_at"].dt.tz_convert(timezone)
    frame = pd.DataFrame(
        {
            "weekday": local.dt.day_of_week,  # 0 = Monday, as WEEKDAYS
            "hour": local.dt.hour,
            "value": 1.0 if values is None or agg == "count" else values.astype("Float64").astype("float64"),
        }
    ).dropna(subset=["weekday", "hour"])
    frame = frame.astype({"weekday": "int64", "hour": "int64"})
    table = frame.pivot_table(index="weekday", columns="hour", values="value", aggfunc=agg, observed=False)
    fill = 0.0 if agg in ("count", "sum") else np.nan
    table = table.reindex(index=range(len(WEEKDAYS)), columns=range(24)).astype("float64").fillna(fill)
    table.index = pd.Index(list(WEEKDAYS), name="weekday")
    table.columns.name = "hour"
    return table


def posting_heatmaps(posts: pd.DataFrame, brands: Sequence[Brand], period: Period) -> dict[str, pd.DataFrame]:
    """Own-post counts per weekday × hour for each brand (client first), in local time."""
    timezone = period.timezone
    own = own_posts(posts, None, brands, period)
    return {
        name: weekday_hour_matrix(own.loc[own["brand"] == name], timezone) for name in brand_names(brands)
    }


def engaged_audience(posts: pd.DataFrame, brands: Sequence[Brand], period: Period) -> pd.Series:
    """Boolean mask of posts in the period written by the engaged audience (module docstring)."""
    timezone = period.timezone
    ann = annotate(posts, None, brands, timezone)
    brand_authors = ann.loc[ann["brand"].notna(), ["platform", "author_id"]]
    # Only the audience's posts in the period can be engaged-audience posts: the rest is never looked at.
    rows = np.flatnonzero(
        period.contains(ann).to_numpy(dtype=bool) & ann["brand"].isna().to_numpy(dtype=bool)
    )
    links = ["platform", "author_id", "reply_to_author_id", "repost_of_author_id", "quote_of_author_id"]
    audience = ann[links].iloc[rows]
    platform, authors = audience["platform"], audience["author_id"]
    targets = np.zeros(len(audience), dtype=bool)
    for col in ("reply_to_author_id", "repost_of_author_id", "quote_of_author_id"):
        targets |= pairs_in(platform, audience[col], brand_authors["platform"], brand_authors["author_id"])
    mentions = handle_mentions(posts, brands).iloc[rows].any(axis=1).to_numpy(dtype=bool)
    interacting = targets | mentions
    engaged = np.zeros(len(ann), dtype=bool)
    engaged[rows] = pairs_in(platform, authors, platform[interacting], authors[interacting])
    return pd.Series(engaged, index=ann.index)


def audience_heatmap(posts: pd.DataFrame, brands: Sequence[Brand], period: Period) -> pd.DataFrame:
    """Activity (post counts) of the engaged audience per weekday × hour, in local time."""
    timezone = period.timezone
    mask = engaged_audience(posts, brands, period)
    return weekday_hour_matrix(posts.loc[mask, ["created_at"]], timezone)  # the only column it reads


def slot_performance(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    min_posts: int = 10,
    alpha: float = ALPHA,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Performance of every posted (platform, weekday, hour) slot, with the evidence.

    Columns: ``platform, weekday, hour, posts, median_relative_engagement,
    ci_low, ci_high`` (bootstrap, 95 %), ``p_value`` (Mann–Whitney against the
    platform's other slots), ``p_adjusted`` (Benjamini–Hochberg within the
    platform), ``eligible`` (``posts >= min_posts``), ``recommended`` (module
    docstring). Sorted by platform, then recommended first, then ``ci_low``.
    """
    own = own_posts(posts, None, brands, period)
    own = own.loc[own["relative_engagement"].notna()]
    rows = []
    for platform, plat in own.groupby("platform", sort=True):
        rel = plat["relative_engagement"].to_numpy(dtype="float64")
        slot = plat["weekday"].astype(int).to_numpy() * 24 + plat["hour"].astype(int).to_numpy()
        first = len(rows)
        for code in np.unique(slot):
            inside, outside = rel[slot == code], rel[slot != code]
            row = {"platform": platform, "weekday": WEEKDAYS[code // 24], "hour": int(code % 24),
                   "posts": len(inside), "median_relative_engagement": float(np.median(inside)),
                   "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "eligible": len(inside) >= min_posts}  # fmt: skip
            if row["eligible"]:
                row["ci_low"], row["ci_high"] = bootstrap_interval(
                    inside, n_boot=n_boot, seed=seed + int(code)
                )
                row["p_value"] = mann_whitney(inside, outside)["p_value"]
            rows.append(row)
        adjusted = adjust_pvalues([r["p_value"] for r in rows[first:]])
        for r, p in zip(rows[first:], adjusted, strict=True):
            r["p_adjusted"] = p
            r["recommended"] = bool(
                r["eligible"] and p < alpha and r["median_relative_engagement"] > 1 and r["ci_low"] > 1
            )
    columns = ["platform", "weekday", "hour", "posts", "median_relative_engagement", "ci_low", "ci_high",
               "p_value", "p_adjusted", "eligible", "recommended"]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    out = out.sort_values(
        ["platform", "recommended", "ci_low"], ascending=[True, False, False], ignore_index=True
    )
    return out.astype({"platform": "string", "weekday": "string", "eligible": bool, "recommended": bool})


def recommend_slots(slots: pd.DataFrame, *, per_platform: int = 3) -> pd.DataFrame:
    """The best recommended slots per platform from ``slot_performance``, with a sentence of evidence.

    Ranked by the lower bound of the interval, so a slot must be both good and
    well measured. Adds ``rank`` and ``reason``.
    """
    rec = slots.loc[slots["recommended"]].sort_values(["platform", "ci_low"], ascending=[True, False])
    rec = rec.groupby("platform", sort=True).head(per_platform).copy()
    rec["rank"] = rec.groupby("platform").cumcount() + 1
    rec["reason"] = [
        f"{r.posts} posts on {r.weekday}s at {r.hour:02d}:00 earned {r.median_relative_engagement:.2f}× the "
        f"account's median engagement (95% CI {r.ci_low:.2f}–{r.ci_high:.2f}, adjusted {p_text(r.p_adjusted)})"
        for r in rec.itertuples()
    ]
    rec = rec.reset_index(drop=True)
    if rec.empty:
        return why_empty(rec, slots.attrs.get("why_empty") or "No weekday and hour had 10 or more brand posts "
                              "earning measurably more than their accounts' usual: keep the posting rhythm and "
                              "test one slot at a time.")  # fmt: skip
    return rec
