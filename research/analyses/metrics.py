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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from research.brands import Brand, brand_of_author
from research.schema import account_keys

__all__ = [
    "ENGAGEMENT_COLUMNS",
    "WEEKDAYS",
    "engagement",
    "engagement_rate",
    "followers_of",
    "Period",
    "ANNOTATION",
    "previous_period",
    "period_days",
    "local_times",
    "in_period",
    "split_periods",
    "own_post_mask",
    "annotate",
    "own_posts",
    "relative_engagement",
    "string_isin",
    "list_elements",
]


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
    counts = [posts[c].astype("Int64") for c in ENGAGEMENT_COLUMNS]
    total = sum(c.to_numpy(dtype="int64", na_value=0) for c in counts)
    none = np.logical_and.reduce([c.isna().to_numpy(dtype=bool) for c in counts])
    return pd.Series(pd.arrays.IntegerArray(total, none), index=posts.index, name="engagement")


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
    followers = accounts["followers"].astype("Int64")
    # Row -1 (no account found) picks the NULL appended at the end.
    values = np.append(followers.to_numpy(dtype="int64", na_value=0), 0)
    missing = np.append(followers.isna().to_numpy(dtype=bool), True)
    return pd.Series(pd.arrays.IntegerArray(values[rows], missing[rows]), index=posts.index, name="followers")


def _find_last(keys: pd.Series, queries: pd.Series) -> np.ndarray:
    """Row of the last occurrence in ``keys`` of each query (as a dict literal keeps the last), or -1."""
    ok = keys.notna().to_numpy(dtype=bool)
    known = keys[ok].reset_index(drop=True)
    last = ~known.duplicated(keep="last").to_numpy(dtype=bool)
    if not last.any():  # no account known (an import without profiles): nothing to find
        return np.full(len(queries), -1)
    # Arrow's hash lookup; a NULL query finds nothing, since no key is NULL.
    found = pc.index_in(_arrow(queries), value_set=_arrow(known[last])).fill_null(-1)
    found = found.to_numpy(zero_copy_only=False)
    return np.where(found >= 0, np.flatnonzero(ok)[last][np.maximum(found, 0)], -1)


def string_isin(values: pd.Series | pa.Array, wanted: Iterable[str] | pd.Series | pa.Array) -> np.ndarray:
    """Whether each string of ``values`` is one of ``wanted`` (bool array; NA is never in it).

    Arrow's hash lookup: ``Series.isin`` on Arrow-backed strings is several times slower.

    >>> string_isin(pd.Series(["a", None, "b"], dtype="string"), {"a", "c"}).tolist()
    [True, False, False]
    """
    arr = _arrow(values)
    if not isinstance(wanted, pd.Series | pa.Array | pa.ChunkedArray):
        wanted = pa.array(list(wanted), type=arr.type)
    value_set = pc.unique(_arrow(wanted)).drop_null().cast(arr.type)
    return pc.is_in(arr, value_set=value_set).fill_null(False).to_numpy(zero_copy_only=False)


def list_elements(lists: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """Every element of a list-of-strings column (as Arrow strings) and the row position it came from.

    >>> values, rows = list_elements(pd.Series([["chai", "pune"], [], ["tea"]]))
    >>> values.to_pylist(), rows.tolist()
    (['chai', 'pune', 'tea'], [0, 0, 2])
    """
    arr = pa.array(lists.to_numpy(dtype=object), type=pa.list_(pa.string()))
    return pc.list_flatten(arr), pc.list_parent_indices(arr).to_numpy().astype(np.int64)


def _arrow(strings: pd.Series | pa.Array) -> pa.Array:
    """The Arrow array behind strings (no copy for the Arrow-backed ``string`` dtype)."""
    if isinstance(strings, pa.Array | pa.ChunkedArray):
        return strings
    return pa.array(strings.astype("string").array)


@dataclass(frozen=True)
class Period:
    """The analysis period: ``start..end`` inclusive, in local dates of ``timezone``.

    Examples
    --------
    >>> period = Period(date(2026, 8, 1), date(2026, 8, 31), "Asia/Kolkata")
    >>> period.days, period.previous.start, period.previous.end
    (31, datetime.date(2026, 7, 1), datetime.date(2026, 7, 31))
    """

    start: date
    end: date
    timezone: str

    @property
    def days(self) -> int:
        return period_days(self.start, self.end)

    @property
    def previous(self) -> Period:
        """The period of equal length immediately before this one."""
        return Period(*previous_period(self.start, self.end), self.timezone)

    def contains(self, posts: pd.DataFrame) -> pd.Series:
        """Boolean mask of ``posts`` published in this period (see ``in_period``)."""
        return in_period(posts, self.start, self.end, self.timezone)

    def label(self) -> str:
        """``1 Aug – 31 Aug 2026``: how the brief names the period."""
        same_year = self.start.year == self.end.year
        first = f"{self.start.day} {self.start:%b}" + ("" if same_year else f" {self.start.year}")
        return f"{first} – {self.end.day} {self.end:%b} {self.end.year}"


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
    weekday = local.dt.day_of_week.astype("Int64")
    # Seven names taken by weekday number: no per-row mapping.
    names = pd.array(list(WEEKDAYS), dtype="string").take(
        weekday.fillna(-1).to_numpy(dtype=int), allow_fill=True
    )
    return pd.DataFrame(
        {
            "local_date": _dates(local),
            "weekday": weekday,
            "weekday_name": names,
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
    # A period holds few distinct days: make one object per day and spread them by code.
    codes, uniques = pd.factorize(days.view("int64"))
    uniques = uniques.astype("int64").view("datetime64[D]")
    objects = uniques.astype(object)
    objects[np.isnat(uniques)] = pd.NaT
    return objects[codes]


def in_period(posts: pd.DataFrame, start: date, end: date, timezone: str) -> pd.Series:
    """Boolean mask of posts whose local date lies in ``start..end`` (inclusive)."""
    wall = _wall(posts["created_at"], timezone)
    lo = np.datetime64(datetime.combine(start, time()), "us")
    hi = np.datetime64(datetime.combine(end + timedelta(days=1), time()), "us")
    # NaT compares False both ways, so undated posts are outside every period.
    return pd.Series((wall >= lo) & (wall < hi), index=posts.index, name="created_at")


def split_periods(posts: pd.DataFrame, period: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    start, end, timezone = period.start, period.end, period.timezone
    prev_start, prev_end = previous_period(start, end)
    current = posts.loc[period.contains(posts)].copy()
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


ANNOTATION = "research.annotation"  # posts.attrs key: what the annotation columns were made for


def annotate(
    posts: pd.DataFrame, accounts: pd.DataFrame | None, brands: Iterable[Brand], timezone: str
) -> pd.DataFrame:
    """``posts`` with the derived columns every benchmark uses (a shallow copy; the input is unchanged).

    Added columns: ``brand`` (authoring brand or NA), ``own_post`` (bool),
    ``engagement`` (Int64), ``followers`` (Int64), ``er_followers`` and
    ``er_views`` (Float64), ``account`` (``platform:handle``), and the local
    ``local_date``, ``weekday``, ``weekday_name``, ``hour``.

    A frame already annotated for the same brands, timezone and accounts (``run.posts`` is:
    the run annotates once) is returned as it is, so analyses can be handed either; so is one
    annotated with accounts when none are given (its followers are known, not missing).
    """
    brands = list(brands)
    mark = _annotation_mark(brands, timezone, accounts)
    done = posts.attrs.get(ANNOTATION)
    if done == mark or (accounts is None and done is not None and done[:2] == mark[:2]):
        return posts
    out = posts.copy(deep=False)
    out["brand"] = brand_of_author(posts, brands)
    out["own_post"] = own_post_mask(posts, out["brand"])
    out["engagement"] = engagement(posts)
    out["followers"] = (
        followers_of(posts, accounts)
        if accounts is not None
        else pd.Series(pd.NA, index=posts.index, dtype="Int64")
    )
    out["er_followers"] = engagement_rate(out["engagement"], out["followers"])
    out["er_views"] = engagement_rate(out["engagement"], posts["views"])
    out["account"] = account_keys(posts["platform"], posts["author_handle"])
    local = local_times(posts["created_at"], timezone)
    for col in local.columns:
        out[col] = local[col]
    out.attrs[ANNOTATION] = mark
    return out


def _annotation_mark(brands: list[Brand], timezone: str, accounts: pd.DataFrame | None) -> tuple:
    # NOTE: accounts only change ``followers``; the run keeps its accounts alive while its posts
    # are used, so their identity (with their length) tells its annotation from another's.
    brands_key = tuple((b.name, b.role, tuple(b.accounts)) for b in brands)
    return (brands_key, timezone, None if accounts is None else (id(accounts), len(accounts)))


def own_posts(
    posts: pd.DataFrame, accounts: pd.DataFrame | None, brands: Iterable[Brand], period: Period
) -> pd.DataFrame:
    """Annotated own posts of all brands in ``period`` (see ``annotate``), with ``relative_engagement``.

    Relative engagement is computed within each account over this period.
    """
    ann = annotate(posts, accounts, brands, period.timezone)
    own = ann.loc[ann["own_post"] & period.contains(ann)].copy()
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
