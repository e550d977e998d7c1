"""Breakout posts: own posts that did far better than their own account usually does.

A post is scored against its own account's usual performance in the period, so a small
account's hit shows beside a big account's routine:

- **Usual** is the median of log engagement (``log(1 + engagement)``) of the account's own
  posts in the period, and its **spread** the median absolute deviation of the same (×1.4826,
  so it reads as a standard deviation for bell-shaped data; at least ``MIN_SPREAD``). Both are
  robust: one viral post moves neither.
- **By format**: where the account has at least ``min_format_posts`` posts of the post's format
  (video, photo, ...), the post is compared with those only, so a video is a breakout only
  when it beats the account's usual video.
- **At the same age**: counts grow as a post ages, so a post collected an hour after it was
  published cannot be compared with one collected a month later. Where every post of an
  account was observed more than once (``observations``), each post's engagement is read at
  the same age (``age``, one day by default, interpolated between observations); where counts
  were observed once, they are used as they are, and ``counts`` says so.
- The **score** is the robust z-score ``(log engagement − usual) / spread``; ``times_usual`` is
  ``(engagement + 1) / (usual engagement + 1)``. A breakout has ``score >= threshold``,
  ``times_usual >= min_times`` and at least ``MIN_GAIN`` interactions more than usual, from an
  account with at least ``min_posts`` own posts.

``breakout_traits`` then says what a brand's breakouts share (format, mechanic, hashtag,
weekday, hour) against its other posts: the content ideas section's evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pandas as pd

from research.analyses.mechanics import MECHANICS, detect_mechanics
from research.analyses.metrics import ENGAGEMENT_COLUMNS, WHY_EMPTY, Period, engagement, own_posts, why_empty
from research.analyses.stats import ALPHA, proportion_test
from research.brands import Brand

__all__ = ["MIN_SPREAD", "MIN_GAIN", "BREAKOUT_NOTE", "breakout_posts", "breakout_traits"]

MIN_SPREAD = 0.1  # of log engagement: an account whose posts all earn the same still needs a real jump
# A breakout earns at least this many interactions more than its account's usual: for an account whose
# posts usually earn nothing, one like is not "twice the usual" in any sense a client would act on.
MIN_GAIN = 5
_MAD_SCALE = 1.4826
BREAKOUT_NOTE = (
    "Each own post is compared with its own account's usual post in the period (the median, and the "
    "typical spread around it, of the same format where the account has enough posts of it): a breakout "
    "earned far more than usual for its account, whatever the account's size."
)
_ONE = "as observed (counts observed once)"

COLUMNS = ["brand", "account", "platform", "post_id", "url", "text", "media_type", "mechanics", "hashtags",
           "local_date", "weekday", "hour", "local_time", "engagement", "account_median", "baseline", "baseline_posts",
           "score", "times_usual", "counts", "sentence"]  # fmt: skip


def breakout_posts(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    observations: pd.DataFrame | None = None,
    age: timedelta = timedelta(days=1),
    min_posts: int = 8,
    min_format_posts: int = 8,
    threshold: float = 3.5,
    min_times: float = 2.0,
) -> pd.DataFrame:
    """Own posts that earned far more than their own account usually does (module docstring).

    Parameters
    ----------
    posts : DataFrame
        Canonical or annotated posts (``run.posts``).
    observations : DataFrame, optional
        Earlier observations of posts' counts: ``platform, post_id, collected_at`` and the
        count columns (or ``engagement``). With them, accounts whose posts were all observed
        more than once are compared at the same ``age``.
    min_posts, min_format_posts : int
        Own posts an account needs in the period to have a usual; posts of a format it needs
        to be compared by format.
    threshold, min_times : float
        Robust z-score and "times usual" a breakout needs.

    Returns
    -------
    DataFrame
        One row per breakout, highest score first: ``brand, account, platform, post_id, url, text,
        media_type, mechanics`` (names, comma-separated), ``hashtags`` (``#a #b``), ``local_date,
        weekday, hour`` (local), ``engagement, account_median`` (the usual engagement it is
        compared with), ``baseline`` ("all posts" or "<format> posts"), ``baseline_posts, score,
        times_usual, counts`` (how counts were read) and ``sentence`` (for a client). Empty,
        saying why (``metrics.WHY_EMPTY``), when nothing stands out.
    """
    own = own_posts(posts, None, brands, period)
    own = own.loc[own["engagement"].notna()]
    empty = pd.DataFrame(columns=COLUMNS)
    if own.empty:
        return why_empty(empty, "There are no own posts with engagement counts in the period.")
    value, basis = _values(own, observations, age)
    scored = _score(own.assign(value=value, counts=basis), min_posts, min_format_posts)
    if scored.empty:
        return why_empty(
            empty, f"No account has {min_posts} or more own posts in the period, so none has a usual to beat."
        )
    gain = scored["value"] - scored["usual"]
    hits = scored.loc[
        (scored["score"] >= threshold) & (scored["times_usual"] >= min_times) & (gain >= MIN_GAIN)
    ]
    if hits.empty:
        return why_empty(empty, "No own post earned far more than its account usually does in the period.")
    flags = detect_mechanics(hits)
    mechanics = flags.apply(lambda row: ", ".join(m for m in MECHANICS if row[m]), axis=1)
    out = pd.DataFrame(
        {
            "brand": hits["brand"].astype("string"),
            "account": hits["account"].astype("string"),
            "platform": hits["platform"],
            "post_id": hits["post_id"],
            "url": hits["url"],
            "text": hits["text"],
            "media_type": hits["media_type"].fillna("unknown"),
            "mechanics": mechanics.astype("string"),
            "hashtags": [" ".join(f"#{t}" for t in tags) for tags in hits["hashtags"]],
            "local_date": hits["local_date"],
            "weekday": hits["weekday_name"],
            "hour": hits["hour"],
            "local_time": hits["created_at"].dt.tz_convert(period.timezone).dt.strftime("%H:%M"),
            "engagement": hits["value"].round().astype("Int64"),
            "account_median": hits["usual"].astype("float64"),
            "baseline": hits["baseline"],
            "baseline_posts": hits["baseline_posts"].astype("int64"),
            "score": hits["score"].astype("float64"),
            "times_usual": hits["times_usual"].astype("float64"),
            "counts": hits["counts"],
        }
    )
    out["sentence"] = [_sentence(r) for r in out.itertuples(index=False)]
    out = out.sort_values(
        ["score", "times_usual", "post_id"], ascending=[False, False, True], ignore_index=True
    )
    return out[COLUMNS]


def _values(
    own: pd.DataFrame, observations: pd.DataFrame | None, age: timedelta
) -> tuple[pd.Series, pd.Series]:
    """Engagement per post (at ``age`` where every post of its account has 2+ observations) and how it was read."""
    value = own["engagement"].astype("float64")
    basis = pd.Series(_ONE, index=own.index, dtype="string")
    if observations is None or observations.empty:
        return value, basis
    obs = observations[["platform", "post_id", "collected_at"]].copy()
    if "engagement" in observations:
        obs["engagement"] = observations["engagement"].astype("Float64")
    else:  # the counts it has; a count it lacks is unknown, not 0
        missing = {c: pd.Series(pd.NA, index=observations.index, dtype="Int64") for c in ENGAGEMENT_COLUMNS}
        obs["engagement"] = engagement(
            observations.assign(**{c: v for c, v in missing.items() if c not in observations})
        )
        obs["engagement"] = obs["engagement"].astype("Float64")
    mine = own[["platform", "post_id", "collected_at"]].assign(engagement=own["engagement"].astype("Float64"))
    obs = pd.concat([mine, obs], ignore_index=True).dropna(subset=["collected_at", "engagement"])
    obs = obs.drop_duplicates(["platform", "post_id", "collected_at"], keep="first")
    created = own.set_index(["platform", "post_id"])["created_at"]
    obs = obs.join(created.rename("created_at"), on=["platform", "post_id"], how="inner")
    at = {}
    hours = age.total_seconds() / 3600
    for key, group in obs.groupby(["platform", "post_id"], sort=False):
        if len(group) < 2:
            continue
        ages = (group["collected_at"] - group["created_at"]).dt.total_seconds().to_numpy() / 3600
        order = np.argsort(ages)
        xs = np.concatenate([[0.0], np.maximum(ages[order], 0.0)])
        ys = np.concatenate([[0.0], group["engagement"].to_numpy(dtype="float64")[order]])
        at[key] = float(np.interp(hours, xs, ys))
    keys = list(zip(own["platform"], own["post_id"], strict=True))
    found = pd.Series([at.get(k, np.nan) for k in keys], index=own.index, dtype="float64")
    # An account is compared at the same age only when all its posts can be: mixing ages is unfair.
    whole = found.notna().groupby(own["account"]).transform("all")
    label = f"at {_age_label(age)} old (counts observed more than once)"
    value = value.where(~whole, found)
    basis = basis.where(~whole, label)
    return value, basis


def _age_label(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    if hours % 24 == 0:
        days = int(hours // 24)
        return f"{days} day" + ("s" if days != 1 else "")
    return f"{hours:g} hours"


def _score(own: pd.DataFrame, min_posts: int, min_format_posts: int) -> pd.DataFrame:
    """Own posts of accounts with a usual, with ``usual``, ``baseline``, ``score`` and ``times_usual``."""
    own = own.loc[own.groupby("account")["value"].transform("size") >= min_posts].copy()
    if own.empty:
        return own
    own["media_type"] = own["media_type"].fillna("unknown")
    x = np.log1p(own["value"].clip(lower=0))
    own["x"] = x
    by_account = own.groupby("account")["x"]
    by_format = own.groupby(["account", "media_type"])["x"]
    n_account, n_format = by_account.transform("size"), by_format.transform("size")
    med_account, med_format = by_account.transform("median"), by_format.transform("median")
    mad_account = (x - med_account).abs().groupby(own["account"]).transform("median")
    mad_format = (x - med_format).abs().groupby([own["account"], own["media_type"]]).transform("median")
    use_format = n_format >= min_format_posts
    med = med_format.where(use_format, med_account)
    spread = (_MAD_SCALE * mad_format.where(use_format, mad_account)).clip(lower=MIN_SPREAD)
    own["usual"] = np.expm1(med)
    own["baseline"] = np.where(use_format, own["media_type"] + " posts", "all posts")
    own["baseline_posts"] = n_format.where(use_format, n_account)
    own["score"] = (x - med) / spread
    own["times_usual"] = (own["value"] + 1) / (own["usual"] + 1)
    return own


def _number(x: float) -> str:
    return f"{x:,.0f}"


def _sentence(r) -> str:
    handle = r.account.split(":", 1)[-1]
    when = (
        f"{r.weekday} {pd.Timestamp(r.local_date):%-d %b} at {r.local_time}"
        if pd.notna(r.hour)
        else "in the period"
    )
    kind = r.media_type if r.media_type != "unknown" else ""
    what = f"{kind} post".strip() if kind else "post"
    usual = (
        f"its usual {r.baseline.replace(' posts', '')} post"
        if r.baseline != "all posts"
        else "its usual post"
    )
    return (
        f"@{handle}'s {what} on {when} earned {_number(r.engagement)} engagements, "
        f"{r.times_usual:.1f} times {usual} ({_number(r.account_median)}, the median of {r.baseline_posts} posts)."
    )


TRAIT_COLUMNS = ["brand", "trait", "value", "breakouts_with", "breakouts", "share_breakouts", "others_with",
                 "others", "share_others", "difference", "p_value", "sentence"]  # fmt: skip


def breakout_traits(
    breakouts: pd.DataFrame, own_posts: pd.DataFrame, *, min_difference: float = 0.2, alpha: float = ALPHA
) -> pd.DataFrame:
    """What each brand's breakout posts share, against its other own posts in the period.

    Parameters
    ----------
    breakouts : DataFrame
        ``breakout_posts``'s table.
    own_posts : DataFrame
        The brands' own posts in the period, annotated (``research.analyses.metrics.own_posts``).
    min_difference : float
        A trait is kept when its share among breakouts beats its share among the brand's other
        posts by this much (0.2: twenty percentage points), at least two breakouts carry it or no
        other post does, and Fisher's exact test of the two shares gives ``p_value < alpha`` (a
        trait a few breakouts share by chance is left out).

    Returns
    -------
    DataFrame
        ``brand`` (a brand, then "All brands" pooled), ``trait`` (format, mechanic, hashtag,
        weekday, hour), ``value``, ``breakouts_with`` of ``breakouts``, ``share_breakouts``,
        ``others_with`` of ``others``, ``share_others``, ``difference`` (of shares), ``p_value``
        and ``sentence``; largest difference first within a brand.
    """
    empty = pd.DataFrame(columns=TRAIT_COLUMNS)
    if breakouts.empty or own_posts.empty:
        return why_empty(empty, breakouts.attrs.get(WHY_EMPTY) or "There are no breakout posts to describe.")
    traits = _traits(own_posts)
    keys = set(zip(breakouts["platform"], breakouts["post_id"], strict=True))
    is_breakout = np.fromiter(
        ((p, i) in keys for p, i in zip(own_posts["platform"], own_posts["post_id"], strict=True)),
        dtype=bool,
        count=len(own_posts),
    )
    brand = own_posts["brand"].astype("string").to_numpy(dtype=object)
    # Brands in the order of their best breakout.
    order = [b for b in dict.fromkeys(breakouts["brand"].astype(str)) if (brand == b).any()]
    rows = []
    for name in [*order, "All brands"]:
        mine = np.ones(len(own_posts), dtype=bool) if name == "All brands" else brand == name
        hit, rest = mine & is_breakout, mine & ~is_breakout
        n_hit, n_rest = int(hit.sum()), int(rest.sum())
        if not n_hit:
            continue
        for (trait, value), column in traits.items():
            k_hit, k_rest = int(column[hit].sum()), int(column[rest].sum())
            share_hit, share_rest = k_hit / n_hit, (k_rest / n_rest if n_rest else 0.0)
            if share_hit - share_rest < min_difference or not (k_hit >= 2 or (k_hit >= 1 and k_rest == 0)):
                continue
            p = proportion_test(k_hit, n_hit, k_rest, n_rest) if n_rest else float("nan")
            if not p < alpha:
                continue
            rows.append({"brand": name, "trait": trait, "value": value, "breakouts_with": k_hit, "breakouts": n_hit,
                         "share_breakouts": share_hit, "others_with": k_rest, "others": n_rest,
                         "share_others": share_rest, "difference": share_hit - share_rest, "p_value": p})  # fmt: skip
    if not rows:
        return why_empty(
            empty, "The breakout posts share no format, mechanic, hashtag or time that the other posts lack."
        )
    out = pd.DataFrame(rows)
    out["sentence"] = [_trait_sentence(r) for r in out.itertuples(index=False)]
    rank = {name: i for i, name in enumerate([*order, "All brands"])}
    out = out.assign(_rank=out["brand"].map(rank)).sort_values(
        ["_rank", "difference", "breakouts_with", "trait", "value"],
        ascending=[True, False, False, True, True],
    )
    return out.drop(columns="_rank").reset_index(drop=True)[TRAIT_COLUMNS]


def _traits(own: pd.DataFrame) -> dict[tuple[str, str], np.ndarray]:
    """(trait, value) -> which own posts have it."""
    out: dict[tuple[str, str], np.ndarray] = {}
    formats = own["media_type"].fillna("unknown").astype(str).to_numpy(dtype=object)
    for value in sorted(set(formats)):
        out[("format", value)] = formats == value
    flags = detect_mechanics(own)
    for m in MECHANICS:
        if flags[m].any():
            out[("mechanic", m)] = flags[m].to_numpy(dtype=bool)
    tags: dict[str, np.ndarray] = {}
    for i, post_tags in enumerate(own["hashtags"].tolist()):
        for t in set(post_tags if post_tags is not None else []):
            tags.setdefault(str(t).lower(), np.zeros(len(own), dtype=bool))[i] = True
    for t in sorted(tags):
        out[("hashtag", f"#{t}")] = tags[t]
    if "weekday_name" in own:
        days = own["weekday_name"].astype("string").fillna("").to_numpy(dtype=object)
        for value in sorted(set(days) - {""}):
            out[("weekday", value)] = days == value
    if "hour" in own:
        hours = own["hour"].astype("Int64").to_numpy(dtype="float64", na_value=np.nan)
        for h in sorted(set(hours[~np.isnan(hours)].astype(int))):
            out[("hour", f"{h:02d}:00")] = hours == h
    return out


def _trait_sentence(r) -> str:
    what = {
        "format": f"were {r.value} posts",
        "mechanic": f"were {r.value}s" if r.value != "question" else "asked a question",
        "hashtag": f"carried {r.value}",
        "weekday": f"went out on a {r.value}",
        "hour": f"went out at {r.value}",
    }[r.trait]
    who = "" if r.brand == "All brands" else f"{r.brand}: "
    return (
        f"{who}{r.breakouts_with} of {r.breakouts} breakout posts ({r.share_breakouts:.0%}) {what}, "
        f"against {r.others_with} of {r.others} other posts ({r.share_others:.0%})."
    )
