"""Follower growth of the brands' accounts, from every observation of their counts.

The store keeps each observation of an account's counts (``Store.account_history()``,
`research.store.history`): every import or collection that saw the profile adds one. Growth
is read from the first and the last observation in or around the period (``margin_days``
either side, since a collection rarely falls on the period's first day):

- ``growth`` = last − first followers, ``growth_pct`` = growth / first;
- ``per_week`` = growth / weeks between the two observations;
- with one observation there is no growth to measure: ``note`` says "one observation" and the
  count is shown as it is; an account whose source gives no follower counts says so.

A brand's row adds up its accounts observed at least twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

import numpy as np
import pandas as pd

from research.analyses.metrics import Period, why_empty
from research.brands import Brand, brand_names

__all__ = ["GROWTH_NOTE", "follower_growth", "follower_series"]

GROWTH_NOTE = (
    "Follower growth compares the first and the last time each account's profile was observed in or around "
    "the period (every import or collection observes it once); one observation shows the count without growth."
)
ALL = "all accounts"
COLUMNS = ["brand", "account", "platform", "handle", "observations", "first_date", "last_date", "followers_first",
           "followers_last", "growth", "growth_pct", "weeks", "per_week", "following_first", "following_last",
           "posts_first", "posts_last", "note", "sentence"]  # fmt: skip
_PLATFORM_NAMES = {"twitter": "Twitter", "bluesky": "Bluesky", "youtube": "YouTube", "vk": "VK",
                   "instagram": "Instagram", "telegram": "Telegram", "mastodon": "Mastodon", "reddit": "Reddit",
                   "facebook": "Facebook", "tiktok": "TikTok"}  # fmt: skip


def follower_series(
    history: pd.DataFrame, brands: Sequence[Brand], period: Period, *, margin_days: int = 14
) -> pd.DataFrame:
    """The brands' accounts' observations in or around the period, oldest first.

    Columns: ``brand, account`` (``platform:handle``), ``platform, handle, collected_at, local_date,
    followers, following, posts_count, source``. Only brand accounts: the history holds the
    audience's profiles too, which a brief does not show.
    """
    columns = ["brand", "account", "platform", "handle", "collected_at", "local_date", "followers", "following",
               "posts_count", "source"]  # fmt: skip
    if history is None or history.empty:
        return pd.DataFrame(columns=columns)
    lo = pd.Timestamp(
        datetime.combine(period.start - timedelta(days=margin_days), time()), tz=period.timezone
    )
    hi = pd.Timestamp(
        datetime.combine(period.end + timedelta(days=margin_days + 1), time()), tz=period.timezone
    )
    at = history["collected_at"]
    near = history.loc[((at >= lo) & (at < hi)).fillna(False).to_numpy(dtype=bool)]
    frames = []
    for b in brands:
        for platform, handle in b.accounts:
            handle = handle.lower().lstrip("@")
            on = near["platform"] == platform
            ids = near.loc[on & (near["handle"].str.lower() == handle), "account_id"].dropna().unique()
            rows = near.loc[on & near["account_id"].isin(ids)]
            frames.append(rows.assign(brand=b.name, account=f"{platform}:{handle}", handle=handle))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    if out.empty:
        return pd.DataFrame(columns=columns)
    out["local_date"] = out["collected_at"].dt.tz_convert(period.timezone).dt.date
    return out.sort_values(["brand", "account", "collected_at"], kind="stable", ignore_index=True)[columns]


def follower_growth(
    history: pd.DataFrame, brands: Sequence[Brand], period: Period, *, margin_days: int = 14
) -> pd.DataFrame:
    """Follower growth per brand account, and per brand (``account == "all accounts"``).

    Parameters
    ----------
    history : DataFrame
        ``Store.account_history()``: ``platform, account_id, handle, collected_at, followers,
        following, posts_count, source``.

    Returns
    -------
    DataFrame
        ``brand, account, platform, handle, observations`` (with a follower count, in or around the
        period), ``first_date, last_date`` (local), ``followers_first, followers_last, growth,
        growth_pct`` (%), ``weeks, per_week`` (followers a week), ``following_first, following_last,
        posts_first, posts_last``, ``note`` ("one observation", "no follower counts" (in or
        around the period), or empty where growth is measured) and ``sentence`` (for a client). Growth
        columns are NULL where fewer than two observations exist.
    """
    series = follower_series(history, brands, period, margin_days=margin_days)
    rows = []
    for name in brand_names(brands):
        brand = next(b for b in brands if b.name == name)
        accounts = []
        for platform, handle in brand.accounts:
            handle = handle.lower().lstrip("@")
            obs = series.loc[series["account"] == f"{platform}:{handle}"]
            accounts.append(_account_row(name, platform, handle, obs))
        rows += accounts
        rows.append(_brand_row(name, accounts))
    if not rows:
        return why_empty(pd.DataFrame(columns=COLUMNS), "There are no brand accounts to measure.")
    out = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("followers_first", "followers_last", "growth", "following_first", "following_last", "posts_first",
                "posts_last"):  # fmt: skip
        out[col] = out[col].astype("Int64")
    for col in ("growth_pct", "weeks", "per_week"):
        out[col] = out[col].astype("Float64")
    out["observations"] = out["observations"].astype("int64")
    return out


def _value(obs: pd.DataFrame, column: str, first: bool) -> int | None:
    values = obs[column].dropna()
    if values.empty:
        return None
    return int(values.iloc[0 if first else -1])


def _account_row(brand: str, platform: str, handle: str, obs: pd.DataFrame) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(brand=brand, account=f"{platform}:{handle}", platform=platform, handle=handle)
    counted = obs.loc[obs["followers"].notna()].drop_duplicates("collected_at", keep="last")
    row["observations"] = len(counted)
    where = f"{brand} on {_PLATFORM_NAMES.get(platform, platform)} (@{handle})"
    if counted.empty:  # not observed, or observed without counts: the history keeps only counts
        row["note"] = "no follower counts"
        row["sentence"] = f"{where}: the data give no follower count in or around the period."
        return row
    first, last = counted.iloc[0], counted.iloc[-1]
    row.update(first_date=first["local_date"], last_date=last["local_date"],
               followers_first=int(first["followers"]), followers_last=int(last["followers"]),
               following_first=_value(obs, "following", True), following_last=_value(obs, "following", False),
               posts_first=_value(obs, "posts_count", True), posts_last=_value(obs, "posts_count", False))  # fmt: skip
    if len(counted) < 2:
        row.update(followers_first=None, first_date=None, following_first=None, posts_first=None)
        row["note"] = "one observation"
        row["sentence"] = (
            f"{where}: one observation ({row['followers_last']:,} followers on {_day(last['local_date'])}); "
            "growth needs a second import or collection."
        )
        return row
    _grow(row, (last["collected_at"] - first["collected_at"]).total_seconds() / (7 * 86_400))
    row["note"] = ""
    row["sentence"] = _growth_sentence(where, row)
    return row


def _grow(row: dict, weeks: float) -> None:
    row["growth"] = row["followers_last"] - row["followers_first"]
    row["growth_pct"] = 100 * row["growth"] / row["followers_first"] if row["followers_first"] else None
    row["weeks"] = weeks
    row["per_week"] = row["growth"] / weeks if weeks > 0 else None


def _brand_row(brand: str, accounts: list[dict]) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(brand=brand, account=ALL, platform="", handle="")
    row["observations"] = sum(a["observations"] for a in accounts)
    grown = [a for a in accounts if a["growth"] is not None]
    if not grown:
        once = [a for a in accounts if a["note"] == "one observation"]
        row["note"] = "one observation" if once else "no follower counts"
        if once:
            row["followers_last"] = sum(a["followers_last"] for a in once)
            row["last_date"] = max(a["last_date"] for a in once)
            row["sentence"] = (
                f"{brand}: {row['followers_last']:,} followers, observed once; growth needs a second import or "
                "collection."
            )
        else:
            row["sentence"] = f"{brand}: the data give no follower count in or around the period."
        return row
    row.update(first_date=min(a["first_date"] for a in grown), last_date=max(a["last_date"] for a in grown),
               followers_first=sum(a["followers_first"] for a in grown),
               followers_last=sum(a["followers_last"] for a in grown))  # fmt: skip
    row["growth"] = row["followers_last"] - row["followers_first"]
    row["growth_pct"] = 100 * row["growth"] / row["followers_first"] if row["followers_first"] else None
    row["weeks"] = max(a["weeks"] for a in grown)
    per_week = [a["per_week"] for a in grown if a["per_week"] is not None]
    row["per_week"] = float(np.sum(per_week)) if per_week else None
    row["note"] = ""
    which = (
        ""
        if len(grown) == len(accounts)
        else f" ({len(grown)} of its {len(accounts)} accounts observed twice)"
    )
    row["sentence"] = _growth_sentence(f"{brand}{which}", row)
    return row


def _day(d) -> str:
    return f"{d.day} {d:%b %Y}"


def _growth_sentence(where: str, row: dict) -> str:
    sign = "+" if row["growth"] >= 0 else "−"
    pct = f", {sign}{abs(row['growth_pct']):.1f}%" if row["growth_pct"] is not None else ""
    rate = ""
    if row["per_week"] is not None:
        rate = f"; about {abs(row['per_week']):,.0f} a week over {row['weeks']:.1f} weeks"
    return (
        f"{where}: {row['followers_first']:,} → {row['followers_last']:,} followers from {_day(row['first_date'])} "
        f"to {_day(row['last_date'])} ({sign}{abs(row['growth']):,}{pct}{rate})."
    )
