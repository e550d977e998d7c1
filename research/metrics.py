"""Shared definitions: engagement, engagement rates, periods and local time.

Every benchmark in the brief is built from the few definitions below, so they
are stated once, here, and quoted in the brief's method section:

- **Engagement of a post** = likes + reposts + replies + quotes + saves, summing
  the counts the platform provides. NULL only when all five are NULL (the
  source gives no counts at all); a NULL count is never read as 0.
- **Engagement rate by followers** of a post = engagement / followers of the
  authoring account (as last observed). NULL where followers are unknown or 0.
  A brand's or account's rate is the mean of its posts' rates, i.e. the
  "average engagement rate per post by followers" of commercial tools.
- **Engagement rate by views** of a post = engagement / views. NULL where views
  are unknown or 0. Aggregated the same way (mean over posts that have views).
- **Own posts** of a brand = posts authored by one of its accounts that are not
  reposts and not replies to other accounts (self-threads count). Replies to the
  audience are measured separately as responses.
- **Periods**: the analysis period is ``start..end`` inclusive, in local dates of
  the client's timezone; the previous period is the same number of days
  immediately before it.
- **Relative engagement** = (engagement + 1) / (median engagement of the same
  account in the same period + 1). It removes account size, so posts of a small
  and a large brand can be pooled when measuring what a format, mechanic, slot or
  hashtag adds. The +1 keeps accounts whose median is 0 usable.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from research.brands import Brand, brand_lookup

__all__ = [
    "ENGAGEMENT_COLUMNS",
    "WEEKDAYS",
    "engagement",
    "engagement_rate",
    "followers_of",
    "previous_period",
    "period_days",
    "local_times",
    "in_period",
    "split_periods",
    "own_post_mask",
    "annotate",
    "own_posts",
    "relative_engagement",
    "READ_ONLY",
    "forget_annotations",
]

# ``posts.attrs[READ_ONLY]`` set (``research.notebook.open_run`` does) promises that the frame is
# not changed in place; ``annotate`` then derives its columns once per frame and reuses them.
READ_ONLY = "research.read_only"
_SEP = "\x1f"  # joins key parts into one string; never part of a platform name

ENGAGEMENT_COLUMNS: tuple[str, ...] = ("likes", "reposts", "replies", "quotes", "saves")
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def engagement(posts: pd.DataFrame) -> pd.Series:
    """Engagement per post: the sum of the engagement counts that are present.

    Parameters
    ----------
    posts : DataFrame
        Canonical posts.

    Returns
    -------
    Series
        ``Int64``; NULL only where every engagement count is NULL.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> p = posts_frame([{"platform": "twitter", "post_id": "1", "likes": 3, "replies": 1},
    ...                  {"platform": "twitter", "post_id": "2"}])
    >>> engagement(p).tolist()
    [4, <NA>]
    """
    return posts[list(ENGAGEMENT_COLUMNS)].sum(axis=1, min_count=1).astype("Int64").rename("engagement")


def engagement_rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator`` as ``Float64``, NULL where the denominator is NULL or 0.

    Examples
    --------
    >>> engagement_rate(pd.Series([5, 5, 5], dtype="Int64"), pd.Series([100, 0, None], dtype="Int64")).tolist()
    [0.05, <NA>, <NA>]
    """
    den = denominator.astype("Float64")
    den = den.where(den > 0)
    return numerator.astype("Float64") / den


def followers_of(posts: pd.DataFrame, accounts: pd.DataFrame) -> pd.Series:
    """Followers of each post's author, matched on ``(platform, author_id)`` then ``(platform, handle)``.

    Returns an ``Int64`` Series aligned with ``posts``; NULL where the account is
    unknown or its followers are not provided.
    """
    acc_platform = accounts["platform"].astype("string")
    platform = posts["platform"].astype("string")
    at_id = _find_last(
        acc_platform + _SEP + accounts["account_id"].astype("string"),
        platform + _SEP + posts["author_id"].astype("string"),
    )
    at_handle = _find_last(
        acc_platform + _SEP + accounts["handle"].astype("string").str.lower(),
        platform + _SEP + posts["author_handle"].astype("string").str.lower(),
    )
    # An account found by id gives its followers even when they are NULL; only unknown ids fall back.
    rows = np.where(at_id >= 0, at_id, at_handle)
    followers = np.append(accounts["followers"].astype("Int64").to_numpy(dtype=object, na_value=pd.NA), pd.NA)
    return pd.Series(followers[rows], index=posts.index, dtype="object").astype("Int64").rename("followers")


def _find_last(keys: pd.Series, queries: pd.Series) -> np.ndarray:
    """Row of the last occurrence in ``keys`` of each query (as a dict literal keeps the last), or -1."""
    ok = keys.notna().to_numpy(dtype=bool)
    known = keys[ok].reset_index(drop=True)
    last = ~known.duplicated(keep="last").to_numpy(dtype=bool)
    found = pd.Index(known[last]).get_indexer(queries)
    if not last.any():  # no account known (an import without profiles): nothing to find
        return np.full(len(queries), -1)
    return np.where(found >= 0, np.flatnonzero(ok)[last][np.maximum(found, 0)], -1)


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of equal length immediately before ``start..end`` (both inclusive).

    >>> previous_period(date(2026, 8, 1), date(2026, 8, 31))
    (datetime.date(2026, 7, 1), datetime.date(2026, 7, 31))
    """
    days = period_days(start, end)
    return start - timedelta(days=days), start - timedelta(days=1)


def period_days(start: date, end: date) -> int:
    """Number of days in ``start..end`` inclusive."""
    return (end - start).days + 1


def local_times(created_at: pd.Series, timezone: str) -> pd.DataFrame:
    """Local date, weekday (0 = Monday), weekday name and hour of UTC timestamps in ``timezone``.

    Examples
    --------
    >>> ts = pd.Series(pd.to_datetime(["2026-09-03T13:30:00Z"], utc=True))
    >>> row = local_times(ts, "Asia/Kolkata").iloc[0]
    >>> row["weekday_name"], int(row["hour"])
    ('Thursday', 19)
    """
    local = created_at.dt.tz_convert(timezone)
    weekday = local.dt.day_of_week
    return pd.DataFrame(
        {
            "local_date": _dates(local),
            "weekday": weekday.astype("Int64"),
            "weekday_name": weekday.map(dict(enumerate(WEEKDAYS))).astype("string"),
            "hour": local.dt.hour.astype("Int64"),
        },
        index=created_at.index,
    )


def _wall(created_at: pd.Series, timezone: str) -> np.ndarray:
    """Local wall-clock times (naive datetime64) of UTC timestamps; NaT stays NaT."""
    return created_at.dt.tz_convert(timezone).dt.tz_localize(None).to_numpy(dtype="datetime64[us]")


def _dates(local: pd.Series) -> np.ndarray:
    """``local.dt.date`` (``datetime.date`` objects, NaT where missing), without a per-row Python call."""
    days = local.dt.tz_localize(None).to_numpy(dtype="datetime64[us]").astype("datetime64[D]")
    out = days.astype(object)
    missing = np.isnat(days)
    if missing.any():
        out[missing] = pd.NaT
    return out


def in_period(posts: pd.DataFrame, start: date, end: date, timezone: str) -> pd.Series:
    """Boolean mask of posts whose local date lies in ``start..end`` (inclusive)."""
    wall = _wall(posts["created_at"], timezone)
    lo = np.datetime64(datetime.combine(start, time()), "us")
    hi = np.datetime64(datetime.combine(end + timedelta(days=1), time()), "us")
    # NaT compares False both ways, so undated posts are outside every period.
    return pd.Series((wall >= lo) & (wall < hi), index=posts.index, name="created_at")


def split_periods(
    posts: pd.DataFrame, start: date, end: date, timezone: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Posts of the current period and of the previous period of equal length.

    Parameters
    ----------
    posts : DataFrame
        Canonical (or annotated) posts.
    start, end : date
        Current period, inclusive, in local dates of ``timezone``.
    timezone : str
        The client's IANA timezone.

    Returns
    -------
    (current, previous) : tuple of DataFrame
        Row subsets of ``posts`` (copies; the input is not modified).
    """
    prev_start, prev_end = previous_period(start, end)
    current = posts.loc[in_period(posts, start, end, timezone)].copy()
    previous = posts.loc[in_period(posts, prev_start, prev_end, timezone)].copy()
    return current, previous


def own_post_mask(posts: pd.DataFrame, brand: pd.Series) -> pd.Series:
    """Posts that count as a brand's own content (see module docstring).

    ``brand`` is the authoring brand per post (NA for the audience).
    """
    is_repost = posts["repost_of_post_id"].notna()
    reply_to_other = posts["reply_to_post_id"].notna() & (
        posts["reply_to_author_id"].isna() | (posts["reply_to_author_id"] != posts["author_id"]).fillna(True)
    )
    return (brand.notna() & ~is_repost & ~reply_to_other).fillna(False).astype(bool)


def annotate(
    posts: pd.DataFrame, accounts: pd.DataFrame | None, brands: Iterable[Brand], timezone: str
) -> pd.DataFrame:
    """A copy of ``posts`` with the derived columns every benchmark uses.

    Added columns: ``brand`` (authoring brand or NA), ``own_post`` (bool),
    ``engagement`` (Int64), ``followers`` (Int64), ``er_followers`` and
    ``er_views`` (Float64), ``account`` (``platform:handle``), and the local
    ``local_date``, ``weekday``, ``weekday_name``, ``hour``.
    """
    brands = list(brands)
    key = _cache_key(posts, accounts, brands, timezone)
    hit = _ANNOTATED.get(key) if key is not None else None
    if hit is not None and hit[0]() is posts and hit[1]() is accounts:
        return hit[2].copy(deep=False)  # copy-on-write: the caller may add columns freely
    out = posts.copy(deep=False)
    out["brand"] = _brand_of_author(posts, brands)
    out["own_post"] = own_post_mask(posts, out["brand"])
    out["engagement"] = engagement(posts)
    if accounts is None:
        out["followers"] = pd.Series(pd.NA, index=posts.index, dtype="Int64")
    else:
        out["followers"] = followers_of(posts, accounts)
    out["er_followers"] = engagement_rate(out["engagement"], out["followers"])
    out["er_views"] = engagement_rate(out["engagement"], posts["views"])
    out["account"] = (posts["platform"] + ":" + posts["author_handle"].str.lower()).astype("string")
    local = local_times(posts["created_at"], timezone)
    for col in local.columns:
        out[col] = local[col]
    if key is not None:
        if len(_ANNOTATED) >= _CACHE_SIZE:
            _ANNOTATED.pop(next(iter(_ANNOTATED)))
        _ANNOTATED[key] = (
            weakref.ref(posts),
            (lambda: None) if accounts is None else weakref.ref(accounts),
            out,
        )
        return out.copy(deep=False)
    return out


_CACHE_SIZE = 4  # with and without accounts, in one or two timezones: what one notebook asks for
_ANNOTATED: dict[tuple, tuple] = {}


def forget_annotations() -> None:
    """Drop the columns ``annotate`` keeps for read-only frames (a new run loads new frames)."""
    _ANNOTATED.clear()


def _cache_key(
    posts: pd.DataFrame, accounts: pd.DataFrame | None, brands: list[Brand], timezone: str
) -> tuple | None:
    token = posts.attrs.get(READ_ONLY)
    if token is None:
        return None
    spec = tuple((b.name, b.role, tuple(b.accounts)) for b in brands)
    return (token, id(posts), len(posts), None if accounts is None else id(accounts), spec, timezone)


def _brand_of_author(posts: pd.DataFrame, brands: list[Brand]) -> pd.Series:
    """``research.brands.brand_of_author`` as one vectorised lookup (same result)."""
    lookup = {f"{p}{_SEP}{h}": name for (p, h), name in brand_lookup(brands).items()}
    keys = posts["platform"].astype("string") + _SEP + posts["author_handle"].astype("string").str.lower()
    return keys.map(lookup).astype(pd.StringDtype())


def own_posts(
    posts: pd.DataFrame,
    accounts: pd.DataFrame | None,
    brands: Iterable[Brand],
    start: date,
    end: date,
    timezone: str,
) -> pd.DataFrame:
    """Annotated own posts of all brands in ``start..end`` (see ``annotate``), with ``relative_engagement``.

    Relative engagement is computed within each account over this period.
    """
    ann = annotate(posts, accounts, brands, timezone)
    own = ann.loc[ann["own_post"] & in_period(ann, start, end, timezone)].copy()
    own["relative_engagement"] = relative_engagement(own["engagement"], own["account"])
    return own


def relative_engagement(values: pd.Series, groups: pd.Series) -> pd.Series:
    """``(value + 1) / (median value of the row's group + 1)`` as float64 (NaN where value is NULL).

    Examples
    --------
    >>> relative_engagement(pd.Series([9, 19, 29, 90]), pd.Series(["a", "a", "a", "b"])).tolist()
    [0.5, 1.0, 1.5, 1.0]
    """
    v = values.astype("Float64").astype("float64")
    median = v.groupby(groups.to_numpy()).transform("median")
    return ((v + 1.0) / (median + 1.0)).rename("relative_engagement")
