"""Competitor benchmark: scorecard, content mix, top posts, responses, share of voice, change.

All functions take canonical ``posts`` (and ``accounts``), the brands, the
period ``start..end`` (local dates, inclusive) and the client's timezone, and
return tidy DataFrames ready to be shown as report tables. Definitions of
engagement, engagement rates and own posts are those of ``research.analyses.metrics``.

Response to the audience
    An *audience post addressed to a brand* is a post by a non-brand author,
    not a repost, that replies to or quotes one of the brand's accounts or posts, or
    @mentions one of its handles (the one definition every table that counts them uses,
    `research.analyses.audience.audience_sentiment` included). It is *answered* when the brand replied to it (any time in the
    data). Response time = first answer minus the audience post, in hours.

Share of voice
    The *stream* is every post in the period carrying one of ``hashtags`` or
    containing one of ``keywords`` (all posts when both are empty). A stream post
    is in a brand's voice when the brand authored it, @mentions one of its
    handles, or names it (brand name or alias as a whole word). ``share_of_voice``
    = the brand's stream posts / the sum over brands (sums to 1);
    ``engagement_share`` is the same with engagement; ``share_of_stream`` = the
    brand's posts / all stream posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from research.analyses.metrics import (
    Period,
    annotate,
    in_period,
    list_elements,
    own_posts,
    period_days,
    previous_covered,
    previous_period,
    string_isin,
    why_empty,
)
from research.analyses.names import names_in
from research.analyses.stats import ALPHA, adjust_pvalues, mann_whitney, proportion_test, rate_test, uplift
from research.brands import Brand, brand_names

__all__ = [
    "scorecard",
    "content_mix",
    "format_uplift",
    "top_posts",
    "brand_mentions",
    "handle_mentions",
    "addressed_to",
    "response_stats",
    "share_of_voice",
    "period_change",
    "names_in",
    "any_in",
    "pairs_in",
]


def _mean(s: pd.Series) -> float | None:
    s = s.dropna()
    return float(s.mean()) if len(s) else None


def _median(s: pd.Series) -> float | None:
    s = s.dropna()
    return float(s.median()) if len(s) else None


def _summary(group: pd.DataFrame, weeks: float) -> dict:
    return {
        "posts": len(group),
        "posts_per_week": len(group) / weeks,
        "engagement_total": group["engagement"].sum(min_count=1) if len(group) else None,
        "engagement_mean": _mean(group["engagement"]),
        "engagement_median": _median(group["engagement"]),
        "likes_median": _median(group["likes"]),
        "er_followers": _mean(group["er_followers"]),
        "er_views": _mean(group["er_views"]),
    }


def scorecard(
    posts: pd.DataFrame,
    accounts: pd.DataFrame | None,
    brands: Sequence[Brand],
    period: Period,
    *,
    by: str = "brand",
) -> pd.DataFrame:
    """Posting and engagement benchmark per brand (``by="brand"``) or per account (``by="account"``).

    Columns: ``brand, role`` (plus ``platform, handle`` per account), ``posts``,
    ``posts_per_week`` (posts / (days / 7)), ``engagement_total``,
    ``engagement_mean``, ``engagement_median`` (engagement per own post),
    ``likes_median``,
    ``er_followers`` (mean over posts of engagement / followers), ``er_views``
    (mean over posts of engagement / views), ``followers`` (the latest observed count,
    summed over the brand's accounts; NULL where no profile gives it). Rates are NULL
    where no post has the denominator. Every brand (account) appears, with 0 posts if silent.
    """
    start, end = period.start, period.end
    own = own_posts(posts, accounts, brands, period)
    weeks = period_days(start, end) / 7
    rows = []
    for b in brands:
        units = [(None, None)] if by == "brand" else list(b.accounts)
        for platform, handle in units:
            group = own.loc[own["brand"] == b.name]
            row = {"brand": b.name, "role": b.role}
            if by != "brand":
                group = group.loc[
                    (group["platform"] == platform) & (group["author_handle"].str.lower() == handle)
                ]
                row |= {"platform": platform, "handle": handle}
            known = (
                group.groupby("account")["followers"].max().dropna() if len(group) else pd.Series(dtype=float)
            )
            rows.append(
                row | _summary(group, weeks) | {"followers": float(known.sum()) if len(known) else None}
            )
    out = pd.DataFrame(rows)
    out["followers"] = out["followers"].astype("Float64")
    out["posts"] = out["posts"].astype("Int64")
    for col in (
        "posts_per_week",
        "engagement_total",
        "engagement_mean",
        "engagement_median",
        "er_followers",
        "er_views",
    ):
        out[col] = out[col].astype("Float64")
    return out


def content_mix(posts: pd.DataFrame, brands: Sequence[Brand], period: Period) -> pd.DataFrame:
    """Content-type mix and engagement by type per brand.

    Columns: ``brand, media_type, posts, share`` (of the brand's own posts),
    ``engagement_mean, engagement_median``. Unknown media types show as ``unknown``.
    """
    own = own_posts(posts, None, brands, period).assign(
        media_type=lambda d: d["media_type"].fillna("unknown")
    )
    grouped = own.groupby(["brand", "media_type"])["engagement"]
    out = grouped.agg(posts="size", engagement_mean="mean", engagement_median="median").reset_index()
    out["share"] = out["posts"] / out.groupby("brand")["posts"].transform("sum")
    out["brand"] = pd.Categorical(out["brand"], categories=brand_names(brands))
    out = out.sort_values(["brand", "posts"], ascending=[True, False], ignore_index=True)
    out["brand"] = out["brand"].astype("string")
    out[["engagement_mean", "engagement_median"]] = out[["engagement_mean", "engagement_median"]].astype(
        "Float64"
    )
    return out[["brand", "media_type", "posts", "share", "engagement_mean", "engagement_median"]]


def format_uplift(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    min_support: int = 10,
    alpha: float = ALPHA,
    seed: int = 0,
) -> pd.DataFrame:
    """Engagement of each content type against the reference type, all brands pooled.

    Each own post's engagement is made relative to its account's median
    (``research.analyses.metrics.relative_engagement``), so big and small brands pool
    fairly. The reference is the most common type of own posts (stated in ``reference``);
    ``uplift`` is the ratio of the median relative engagement of posts of a type to that of
    reference posts, with a bootstrap interval and a Benjamini–Hochberg-adjusted
    Mann–Whitney p-value (``research.analyses.stats.uplift``). ``feature`` holds the type.
    """
    own = own_posts(posts, None, brands, period)
    kinds = own["media_type"].fillna("unknown")
    if kinds.empty:
        return why_empty(uplift(own["relative_engagement"], pd.DataFrame(index=own.index)).assign(reference=""),
                         "No own posts in the period, so no format can be compared.")  # fmt: skip
    reference = str(kinds.value_counts().idxmax())
    flags = pd.get_dummies(kinds).astype(bool).drop(columns=[reference])
    out = uplift(own["relative_engagement"], flags, min_support=min_support, alpha=alpha, seed=seed,
                 reference=kinds.eq(reference))  # fmt: skip
    return out.assign(reference=reference)


def top_posts(posts: pd.DataFrame, brands: Sequence[Brand], period: Period, *, n: int = 5) -> pd.DataFrame:
    """The ``n`` own posts per brand that beat their own account's usual engagement the most.

    Ranked by relative engagement (engagement over the account's median in the period), not
    by raw engagement, so a brand's smaller platform shows its hits too instead of being
    crowded out by the bigger one. Text is raw: escape it before display.

    Columns: ``brand, rank, platform, author_handle, created_local, media_type,
    engagement, relative_engagement, url, text``.
    """
    timezone = period.timezone
    own = own_posts(posts, None, brands, period)
    own = own.assign(
        created_local=own["created_at"].dt.tz_convert(timezone).dt.strftime("%Y-%m-%d %H:%M"),
    ).sort_values(
        ["relative_engagement", "engagement", "created_at"],
        ascending=[False, False, True],
        na_position="last",
    )
    top = own.groupby("brand", sort=False).head(n).copy()
    top["rank"] = top.groupby("brand").cumcount() + 1
    top["brand"] = pd.Categorical(top["brand"], categories=brand_names(brands))
    columns = ["brand", "rank", "platform", "author_handle", "created_local", "media_type", "engagement",
               "relative_engagement", "url", "text"]  # fmt: skip
    out = top.sort_values(["brand", "rank"], ignore_index=True)[columns]
    out["brand"] = out["brand"].astype("string")
    return (
        out
        if len(out)
        else why_empty(out, "No brand has own posts in the period, so there are no posts to rank.")
    )


def brand_mentions(
    posts: pd.DataFrame, brands: Iterable[Brand], *, aliases: Mapping[str, Iterable[str]] | None = None,
    by_name: bool = True,
) -> pd.DataFrame:  # fmt: skip
    """Which brands each post @mentions (by handle, same platform) or names in its text.

    Returns one boolean column per brand name, aligned with ``posts``. Names and
    ``aliases`` match case-insensitively as whole words; ``by_name=False`` keeps
    handle mentions only.
    """
    brands = list(brands)
    out = _mentioned(posts, {b.name: b.accounts for b in brands})
    if by_name:
        named = _named(posts["text"], {b.name: [b.name, *(aliases or {}).get(b.name, [])] for b in brands})
        for b in brands:
            out[b.name] = out[b.name].to_numpy(dtype=bool) | named[b.name]
    return out


def _mentioned(posts: pd.DataFrame, accounts: Mapping[str, Iterable[tuple[str, str]]]) -> pd.DataFrame:
    """Per brand, which posts @mention one of its ``(platform, handle)`` accounts."""
    handles = {
        name: pd.DataFrame(
            [(p, h.lower().lstrip("@")) for p, h in pairs], columns=["platform", "handle"], dtype="string"
        )
        for name, pairs in accounts.items()
    }
    values, owner = list_elements(posts["mentions"])
    mention = pc.utf8_lower(values)
    # Only mentions of some brand's handle need pairing with their post's platform.
    maybe = np.flatnonzero(string_isin(mention, {h for frame in handles.values() for h in frame["handle"]}))
    rows = owner[maybe]
    platform = posts["platform"].iloc[rows]
    mention = pd.Series(mention.take(maybe), dtype="string")
    out = {}
    for name, frame in handles.items():
        hit = np.zeros(len(posts), dtype=bool)
        hit[rows[pairs_in(platform, mention, frame["platform"], frame["handle"])]] = True
        out[name] = hit
    out = pd.DataFrame(out, index=posts.index)
    if not posts.index.is_unique:  # rows sharing a label pool their mentions, as groupby does
        out = out.groupby(level=0).transform("any").astype(bool)
    return out


def _named(texts: pd.Series, names: Mapping[str, list[str]]) -> dict[str, np.ndarray]:
    """Per brand, which texts name it (``names_in``), searching every text once for all brands."""
    every = [n for brand_names_ in names.values() for n in brand_names_]
    maybe = names_in(texts, every).to_numpy(dtype=bool)  # a text naming no brand names none of them
    out = {}
    for brand, own_names in names.items():
        hit = np.zeros(len(texts), dtype=bool)
        hit[maybe] = names_in(texts[maybe], own_names).to_numpy(dtype=bool)
        out[brand] = hit
    return out


def any_in(lists: pd.Series, values: Iterable[str]) -> pd.Series:
    """Whether each list of a list column holds one of ``values`` (bool, aligned with ``lists``).

    >>> any_in(pd.Series([["chai", "pune"], [], ["tea"]]), {"pune"}).tolist()
    [True, False, False]
    """
    flat, owner = list_elements(lists)
    hit = np.zeros(len(lists), dtype=bool)
    hit[owner[string_isin(flat, values)]] = True
    return pd.Series(hit, index=lists.index)


def handle_mentions(posts: pd.DataFrame, brands: Sequence[Brand]) -> pd.DataFrame:
    """``brand_mentions(posts, brands, by_name=False)``: which brands each post @mentions.

    Responses and the engaged audience both start from the @mentions of every post.
    """
    return brand_mentions(posts, brands, by_name=False)


def addressed_to(posts: pd.DataFrame, brands: Sequence[Brand], timezone: str = "UTC") -> pd.DataFrame:
    """Per brand, which posts are audience posts addressed to it (bool columns aligned with ``posts``):
    replies to, quotes of and @mentions of its accounts (module docstring). ``timezone``: the one
    ``posts`` were annotated in, if they were (then they are used as they are)."""
    return _addressed(posts, annotate(posts, None, brands, timezone)[_USED], brands)


def _addressed(posts: pd.DataFrame, ann: pd.DataFrame, brands: Sequence[Brand]) -> pd.DataFrame:
    """Per brand, which audience posts reply to or @mention it (bool columns); reposts ask nothing.

    ``ann`` is ``posts`` annotated.
    """
    return _find_addressed(posts, ann, brands)


def _find_addressed(posts: pd.DataFrame, ann: pd.DataFrame, brands: Sequence[Brand]) -> pd.DataFrame:
    mentions = handle_mentions(posts, brands)
    audience = (ann["brand"].isna() & ann["repost_of_post_id"].isna()).to_numpy(dtype=bool)
    replies, quotes = _linked_to(ann, brands, "reply_to"), _linked_to(ann, brands, "quote_of")
    return pd.DataFrame(
        {
            b.name: audience & (replies[b.name] | quotes[b.name] | mentions[b.name].to_numpy(dtype=bool))
            for b in brands
        },
        index=ann.index,
    )


def _replies_to(ann: pd.DataFrame, brands: Sequence[Brand]) -> dict[str, np.ndarray]:
    """Per brand, which posts reply to one of its accounts or posts (matched as ``(platform, id)``)."""
    return _linked_to(ann, brands, "reply_to")


def _linked_to(ann: pd.DataFrame, brands: Sequence[Brand], link: str) -> dict[str, np.ndarray]:
    """Per brand, which posts reply to (``link="reply_to"``) or quote (``"quote_of"``) one of its
    accounts or posts, matched as ``(platform, id)``."""
    own = ann.loc[ann["brand"].notna(), ["brand", "platform", "author_id", "post_id"]]  # few rows

    def replying(posts: pd.DataFrame, to: pd.DataFrame) -> np.ndarray:
        return pairs_in(
            posts["platform"], posts[f"{link}_author_id"], to["platform"], to["author_id"]
        ) | pairs_in(posts["platform"], posts[f"{link}_post_id"], to["platform"], to["post_id"])

    # One pass over every post finds the links to any brand; each brand's are then sorted out of those.
    maybe = replying(ann, own)
    replies = ann.loc[maybe, ["platform", f"{link}_author_id", f"{link}_post_id"]]
    out = {}
    for b in brands:
        hit = np.zeros(len(ann), dtype=bool)
        hit[maybe] = replying(replies, own.loc[(own["brand"] == b.name).fillna(False)])
        out[b.name] = hit
    return out


def pairs_in(
    platform: pd.Series, value: pd.Series, among_platform: pd.Series, among_value: pd.Series
) -> np.ndarray:
    """Whether each ``(platform, value)`` is one of the ``(among_platform, among_value)`` pairs (bool array).

    NA equals NA, as in tuples: a reply to no known author matches a brand post with no author id
    on the same platform.

    >>> platform, value = pd.Series(["x", "x", "y"]), pd.Series(["1", None, "1"])
    >>> pairs_in(platform, value, pd.Series(["x", "x"]), pd.Series(["1", None])).tolist()
    [True, True, False]
    """
    value, among_value = value.astype("string"), among_value.astype("string")
    # Only rows whose value occurs at all need their platform checked: pair keys are built for those.
    maybe = string_isin(value, among_value)
    if among_value.isna().any():
        maybe = maybe | value.isna().to_numpy(dtype=bool)
    rows = np.flatnonzero(maybe)
    hit = np.zeros(len(value), dtype=bool)
    hit[rows] = string_isin(
        _pair_keys(platform.iloc[rows], value.iloc[rows]), _pair_keys(among_platform, among_value)
    )
    return hit


_MISSING = "\x00"  # stands for NA inside a key: (platform, NA) matches (platform, NA) as tuples do


def _pair_keys(platform: pd.Series, value: pd.Series) -> pa.Array:
    """One string per ``(platform, value)`` pair (by position), equal exactly when the tuples are equal."""
    parts = [pa.array(s.astype("string").array).fill_null(_MISSING) for s in (platform, value)]
    return pc.binary_join_element_wise(*parts, pa.scalar("\x1f", type=parts[0].type))


# The columns responses, share of voice and change read: selecting them first makes every row
# filter below copy a third of the annotated frame.
_USED = ["platform", "post_id", "author_id", "created_at", "text", "hashtags", "mentions", "reply_to_post_id",
         "reply_to_author_id", "quote_of_post_id", "quote_of_author_id", "repost_of_post_id", "brand", "own_post",
         "engagement", "er_followers", "er_views"]  # fmt: skip


def _responses(
    ann: pd.DataFrame, brands: Sequence[Brand], addressed: pd.DataFrame, period: pd.Series
) -> dict:
    """Per brand: its audience posts in ``period`` with ``answered`` and ``response_hours``."""
    # The brands' replies (few), whatever they answer and whenever.
    replies = ann["brand"].notna() & ann["reply_to_post_id"].notna()
    answers = ann.loc[replies, ["brand", "platform", "reply_to_post_id", "created_at"]]
    out = {}
    for b in brands:
        asked = ann.loc[addressed[b.name] & period, ["platform", "post_id", "created_at"]]
        mine = answers.loc[answers["brand"] == b.name]
        first = mine.groupby(["platform", "reply_to_post_id"])["created_at"].min()
        first.index = first.index.set_names(["platform", "post_id"])
        merged = asked.join(first.rename("answered_at"), on=["platform", "post_id"])
        hours = (merged["answered_at"] - merged["created_at"]).dt.total_seconds() / 3600
        out[b.name] = merged.assign(answered=merged["answered_at"].notna(), response_hours=hours)
    return out


def response_stats(posts: pd.DataFrame, brands: Sequence[Brand], period: Period) -> pd.DataFrame:
    """How each brand answers its audience.

    Columns: ``brand, audience_posts`` (replies/mentions addressed to it in the
    period), ``answered``, ``answered_share`` (NULL when no audience post),
    ``median_response_hours`` (NULL when nothing was answered).
    """
    timezone = period.timezone
    ann = annotate(posts, None, brands, timezone)[_USED]
    resp = _responses(ann, brands, _addressed(posts, ann, brands), period.contains(ann))
    rows = []
    for b in brands:
        r = resp[b.name]
        n, k = len(r), int(r["answered"].sum())
        rows.append({"brand": b.name, "audience_posts": n, "answered": k, "answered_share": k / n if n else None,
                     "median_response_hours": _median(r["response_hours"])})  # fmt: skip
    out = pd.DataFrame(rows)
    return out.astype({"answered_share": "Float64", "median_response_hours": "Float64"})


def _stream(posts: pd.DataFrame, hashtags: Iterable[str] | None, keywords: Iterable[str] | None) -> pd.Series:
    """Which posts are in the stream (module docstring)."""
    tags = {h.lower().lstrip("#") for h in hashtags or []}
    words = [k for k in keywords or [] if k]
    return _in_stream(posts, tags, words)


def _in_stream(posts: pd.DataFrame, tags: set[str], words: list[str]) -> pd.Series:
    if not tags and not words:
        return pd.Series(True, index=posts.index)
    hit = any_in(posts["hashtags"], tags)
    if words:
        pattern = "|".join(re.escape(w) for w in words)
        hit = hit | posts["text"].str.contains(pattern, case=False, regex=True).fillna(False).astype(bool)
    return hit


def _voice(
    stream: pd.DataFrame, brands: Sequence[Brand], aliases: Mapping[str, Iterable[str]] | None
) -> tuple[pd.DataFrame, pd.Series]:
    """Per brand, which stream posts are in its voice, and the posts' engagement (0 where unknown)."""
    voice = brand_mentions(stream, brands, aliases=aliases)
    for b in brands:
        voice[b.name] = voice[b.name] | (stream["brand"] == b.name).fillna(False).astype(bool)
    return voice, stream["engagement"].astype("Float64").fillna(0.0)


# What ``_voice`` reads of the stream posts.
_VOICE = ["platform", "mentions", "text", "brand", "engagement"]


def share_of_voice(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    hashtags: Iterable[str] | None = None,
    keywords: Iterable[str] | None = None,
    aliases: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """Share of voice of each brand in the hashtag/keyword stream (definitions in the module docstring).

    Columns: ``brand, posts, share_of_stream, share_of_voice, engagement,
    engagement_share``; ``stream_posts`` repeats the stream size for reference.
    """
    timezone = period.timezone
    ann = annotate(posts, None, brands, timezone)[_USED]
    stream = period.contains(ann) & _stream(posts, hashtags, keywords)
    voice, eng = _voice(ann.loc[stream, _VOICE], brands, aliases)
    counts = voice.sum()
    engaged = voice.astype(float).mul(eng, axis=0).sum()
    out = pd.DataFrame({"brand": [b.name for b in brands]})
    out["posts"] = out["brand"].map(counts).astype("Int64")
    out["stream_posts"] = len(voice)
    out["share_of_stream"] = out["posts"] / len(voice) if len(voice) else np.nan
    out["share_of_voice"] = out["posts"] / counts.sum() if counts.sum() else np.nan
    out["engagement"] = out["brand"].map(engaged).astype("Float64")
    out["engagement_share"] = out["engagement"] / engaged.sum() if engaged.sum() else np.nan
    return out.astype(
        {"share_of_stream": "Float64", "share_of_voice": "Float64", "engagement_share": "Float64"}
    )


def _change_rows(brand: str, cur: dict, prev: dict) -> list[dict]:
    """Rows of the change table for one brand from per-period samples and counts."""
    rows = [{"brand": brand, "metric": "posts", "current": cur["posts"], "previous": prev["posts"],
             "test": "exact Poisson rate", "p_value": rate_test(cur["posts"], prev["posts"])}]  # fmt: skip
    for metric, sample, stat in [
        ("engagement_median", "engagement", np.median),
        ("er_followers", "er_followers", np.mean),
        ("er_views", "er_views", np.mean),
        ("median_response_hours", "response_hours", np.median),
    ]:
        a, b = cur[sample].dropna().astype(float), prev[sample].dropna().astype(float)
        rows.append({"brand": brand, "metric": metric,
                     "current": float(stat(a)) if len(a) else np.nan, "previous": float(stat(b)) if len(b) else np.nan,
                     "test": "Mann-Whitney U", "p_value": mann_whitney(a, b)["p_value"]})  # fmt: skip
    for metric, k, n in [("answered_share", "answered", "asked"), ("share_of_voice", "voice", "voice_total")]:
        rows.append({"brand": brand, "metric": metric,
                     "current": cur[k] / cur[n] if cur[n] else np.nan, "previous": prev[k] / prev[n] if prev[n] else np.nan,
                     "test": "Fisher exact", "p_value": proportion_test(cur[k], cur[n], prev[k], prev[n])})  # fmt: skip
    return rows


def period_change(
    posts: pd.DataFrame,
    accounts: pd.DataFrame | None,
    brands: Sequence[Brand],
    period: Period,
    *,
    hashtags: Iterable[str] | None = None,
    keywords: Iterable[str] | None = None,
    aliases: Mapping[str, Iterable[str]] | None = None,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """Change of each brand's metrics against the previous period of equal length, with tests.

    Metrics and tests: ``posts`` (exact Poisson rate test, equal exposure),
    ``engagement_median``, ``er_followers``, ``er_views`` (means of per-post
    rates) and ``median_response_hours`` (Mann–Whitney U on the per-post values),
    ``answered_share`` and ``share_of_voice`` (Fisher's exact test). p-values are
    Benjamini–Hochberg-adjusted over the whole table; ``significant`` is
    ``p_adjusted < alpha`` and ``verdict`` is ``up``/``down`` only then, else
    ``no real change``.

    Columns: ``brand, metric, current, previous, change, change_pct, test,
    p_value, p_adjusted, significant, verdict``. Empty, saying why (``metrics.WHY_EMPTY``),
    when the data do not cover the previous period (``metrics.previous_covered``).
    """
    start, end, timezone = period.start, period.end, period.timezone
    uncovered = previous_covered(posts, period)
    if uncovered:
        columns = ["brand", "metric", "current", "previous", "change", "change_pct", "test", "p_value",
                   "p_adjusted", "significant", "verdict"]  # fmt: skip
        return why_empty(pd.DataFrame(columns=columns), uncovered)
    ann = annotate(posts, accounts, brands, timezone)[_USED]
    prev_start, prev_end = previous_period(start, end)
    addressed = _addressed(posts, ann, brands)
    stream = _stream(posts, hashtags, keywords)
    samples: dict[str, dict] = {}
    for label, (s, e) in {"current": (start, end), "previous": (prev_start, prev_end)}.items():
        mask = in_period(ann, s, e, timezone)
        voice, _ = _voice(ann.loc[mask & stream, _VOICE], brands, aliases)
        resp = _responses(ann, brands, addressed, mask)
        own = ann.loc[mask & ann["own_post"], ["brand", "engagement", "er_followers", "er_views"]]
        for b in brands:
            mine = own.loc[own["brand"] == b.name]
            samples.setdefault(b.name, {})[label] = {
                "posts": len(mine), "engagement": mine["engagement"], "er_followers": mine["er_followers"],
                "er_views": mine["er_views"], "response_hours": resp[b.name]["response_hours"],
                "answered": int(resp[b.name]["answered"].sum()), "asked": len(resp[b.name]),
                "voice": int(voice[b.name].sum()), "voice_total": int(voice.to_numpy().sum()),
            }  # fmt: skip
    rows = [
        r
        for b in brands
        for r in _change_rows(b.name, samples[b.name]["current"], samples[b.name]["previous"])
    ]
    out = pd.DataFrame(rows)
    out["current"] = out["current"].astype("float64")
    out["previous"] = out["previous"].astype("float64")
    out["change"] = out["current"] - out["previous"]
    out["change_pct"] = np.where(out["previous"] != 0, out["change"] / out["previous"] * 100, np.nan)
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(dtype="float64"))
    out["significant"] = (out["p_adjusted"] < alpha).fillna(False).astype(bool)
    out["verdict"] = np.where(out["significant"], np.where(out["change"] > 0, "up", "down"), "no real change")
    return out[["brand", "metric", "current", "previous", "change", "change_pct", "test", "p_value", "p_adjusted",
                "significant", "verdict"]]  # fmt: skip
