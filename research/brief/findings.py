"""The brief's summary: findings and recommendations from explicit rules over recorded results.

Every finding comes from one rule below, applied to tables the notebooks recorded;
none is a canned sentence. Each states its numbers and names the section with the
evidence. A rule that finds nothing says nothing. Rules, in priority order:

1. **best slot** — per platform, the top recommended posting slot (enough posts, adjusted
   p < 0.05, interval above 1).
2. **format** — the media type with the largest significant uplift above 1.
3. **mechanic** — the mechanic (giveaway, contest, poll, quiz, question) with the largest
   significant uplift above 1.
4. **negative stretch** — a run of weeks in which a brand's mentions were much more negative
   than usual (see ``negative_stretches``).
5. **change** — the largest significant period-over-period change.
6. **overlap** — the pair of brands whose engaged audiences overlap most (Jaccard ≥ 0.05).
7. **response gap** — the client answers a smaller share of its audience than the best competitor.
8. **share of voice** — the client's share of voice against the leader's.
9. **hashtags** — the top recommended hashtags.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["Finding", "findings", "negative_stretches", "MAX_FINDINGS"]

MAX_FINDINGS = 8


@dataclass(frozen=True)
class Finding:
    rule: str
    headline: str
    text: str
    section: str


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _p(p: float) -> str:
    """A p-value as a reader wants it.

    >>> _p(1.2e-73), _p(0.0123)
    ('p < 0.001', 'p = 0.012')
    """
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def _significant(table: pd.DataFrame | None) -> pd.DataFrame:
    if table is None or table.empty:
        return pd.DataFrame()
    mask = table["significant"].fillna(False).astype(bool) & (table["uplift"].astype(float) > 1)
    return table.loc[mask].sort_values("uplift", ascending=False)


def best_slots(slots: pd.DataFrame | None) -> list[Finding]:
    if slots is None or slots.empty:
        return []
    out = []
    top = slots.loc[slots["recommended"].fillna(False).astype(bool)].sort_values(["platform", "rank"])
    for platform, group in top.groupby("platform", sort=True):
        s = group.iloc[0]
        out.append(
            Finding(
                "best slot",
                f"Post on {platform} on {s['weekday']}s at {int(s['hour']):02d}:00.",
                f"{int(s['posts'])} brand posts in that hour earned {s['median_relative_engagement']:.2f}× their "
                f"account's usual engagement (95% interval {s['ci_low']:.2f}–{s['ci_high']:.2f}).",
                "timing",
            )
        )
    return out


def strongest(table: pd.DataFrame | None, rule: str, what: str, section: str = "content") -> list[Finding]:
    sig = _significant(table)
    if sig.empty:
        return []
    s = sig.iloc[0]
    return [
        Finding(
            rule,
            f"{str(s['feature']).capitalize()} {what} earn {s['uplift']:.2f}× the usual engagement.",
            f"Measured on {int(s['n_with'])} posts against {int(s['n_without'])} others "
            f"(95% interval {s['ci_low']:.2f}–{s['ci_high']:.2f}, adjusted {_p(s['p_adjusted'])}).",
            section,
        )
    ]


def negative_stretches(
    weekly: pd.DataFrame, *, min_mentions: int = 10, factor: float = 2.0, floor: float = 0.3
) -> pd.DataFrame:
    """Runs of consecutive weeks in which a brand's mentions were unusually negative.

    A week is negative when it has at least ``min_mentions`` scored mentions and its
    negative share is at least ``floor`` and at least ``factor`` times the brand's median
    weekly negative share. Consecutive negative weeks form one stretch.

    Examples
    --------
    >>> weekly = pd.DataFrame({"brand": ["A"] * 5, "when": pd.date_range("2026-09-07", periods=5, freq="7D"),
    ...     "scored": [20] * 5, "negative": [2, 2, 14, 15, 2], "negative_share": [0.1, 0.1, 0.7, 0.75, 0.1]})
    >>> negative_stretches(weekly)[["brand", "start", "weeks", "negative_share"]].to_dict("records")
    [{'brand': 'A', 'start': '2026-09-21', 'weeks': 2, 'negative_share': 0.725}]
    """
    rows = []
    for brand, group in weekly.sort_values("when").groupby("brand", sort=True):
        share = group["negative_share"].astype(float)
        baseline = float(share.median())
        hot = (group["scored"] >= min_mentions) & (share >= floor) & (share >= factor * max(baseline, 1e-9))
        run_id = (hot != hot.shift()).cumsum()
        for _, weeks in group.loc[hot].groupby(run_id[hot]):
            when = pd.to_datetime(weeks["when"])
            rows.append(
                {
                    "brand": brand,
                    "start": when.min().date().isoformat(),
                    "end": (when.max() + pd.Timedelta(days=6)).date().isoformat(),
                    "weeks": len(weeks),
                    "mentions": int(weeks["scored"].sum()),
                    "negative_share": round(float(weeks["negative"].sum() / weeks["scored"].sum()), 4),
                    "usual_negative_share": round(baseline, 4),
                }
            )
    columns = ["brand", "start", "end", "weeks", "mentions", "negative_share", "usual_negative_share"]
    return pd.DataFrame(rows, columns=columns)


def stretches(table: pd.DataFrame | None) -> list[Finding]:
    if table is None or table.empty:
        return []
    s = table.sort_values(["mentions"], ascending=False).iloc[0]
    return [
        Finding(
            "negative stretch",
            f"Mentions of {s['brand']} turned negative from {s['start']} to {s['end']}.",
            f"{_pct(s['negative_share'])} of {int(s['mentions'])} scored mentions were negative, against "
            f"{_pct(s['usual_negative_share'])} in a usual week.",
            "competitors",
        )
    ]


_METRIC_NAMES = {
    "posts": "posts",
    "engagement_median": "median engagement per post",
    "share_of_voice": "share of voice",
    "answered_share": "share of audience posts answered",
    "er_followers": "engagement rate by followers",
    "er_views": "engagement rate by views",
    "median_response_hours": "median response time",
}


def changes(change: pd.DataFrame | None, *, limit: int = 1) -> list[Finding]:
    if change is None or change.empty:
        return []
    sig = (
        change.loc[change["significant"].fillna(False).astype(bool)]
        .dropna(subset=["change_pct", "previous"])
        .copy()
    )
    sig["size"] = sig["change_pct"].astype(float).abs()
    out = []
    for _, s in sig.sort_values("size", ascending=False).head(limit).iterrows():
        metric = _METRIC_NAMES.get(s["metric"], s["metric"])
        direction = "rose" if s["change"] > 0 else "fell"
        out.append(
            Finding(
                "change",
                f"{s['brand']}'s {metric} {direction} {abs(s['change_pct']):.0f}% on the previous period.",
                f"From {s['previous']:.4g} to {s['current']:.4g} ({s['test']}, adjusted {_p(s['p_adjusted'])}).",
                "competitors",
            )
        )
    return out


def overlap(table: pd.DataFrame | None, *, min_jaccard: float = 0.05) -> list[Finding]:
    if table is None or table.empty:
        return []
    s = table.sort_values("jaccard", ascending=False).iloc[0]
    if s["jaccard"] < min_jaccard:
        return []
    return [
        Finding(
            "overlap",
            f"{s['brand_a']} and {s['brand_b']} compete for the same audience.",
            f"{int(s['shared'])} accounts engaged with both (Jaccard {s['jaccard']:.2f}).",
            "audience-graph",
        )
    ]


def response_gap(response: pd.DataFrame | None, client: str) -> list[Finding]:
    if response is None or response.empty or client not in set(response["brand"]):
        return []
    table = response.set_index("brand")
    mine = float(table.loc[client, "answered_share"] or 0)
    others = table.drop(index=client)["answered_share"].dropna()
    if others.empty:
        return []
    best_brand, best = others.astype(float).idxmax(), float(others.max())
    if best <= mine * 1.25 or best - mine < 0.02:
        return []
    hours = table.loc[best_brand, "median_response_hours"]
    speed = f"; {best_brand}'s median response time is {hours:.1f} h" if pd.notna(hours) else ""
    return [
        Finding(
            "response gap",
            f"{client} answers {_pct(mine)} of its audience; {best_brand} answers {_pct(best)}.",
            f"Replying to more audience posts is the cheapest lever for engagement{speed}.",
            "competitors",
        )
    ]


def voice(sov: pd.DataFrame | None, client: str) -> list[Finding]:
    if sov is None or sov.empty or client not in set(sov["brand"]):
        return []
    table = sov.set_index("brand")["share_of_voice"].astype(float).dropna()
    if client not in table.index or table.empty:
        return []
    leader = table.idxmax()
    if leader == client:
        text = f"{client} leads the market's hashtag conversation with {_pct(table[client])} share of voice."
        return [Finding("share of voice", text, "Keep the cadence that holds the lead.", "competitors")]
    return [
        Finding(
            "share of voice",
            f"{client} holds {_pct(table[client])} of the market's voice; {leader} leads with {_pct(table[leader])}.",
            "Share of voice counts posts in the hashtag stream that the brand authored, mentioned or named.",
            "competitors",
        )
    ]


def hashtag_set(recommended: pd.DataFrame | None, *, n: int = 3) -> list[Finding]:
    if recommended is None or recommended.empty:
        return []
    tags = ", ".join(f"#{t}" for t in recommended["hashtag"].head(n))
    return [
        Finding("hashtags", f"Add {tags} to the hashtag set.", str(recommended["reason"].iloc[0]), "hashtags")
    ]


def findings(tables: dict[str, pd.DataFrame], client: str) -> list[dict]:
    """All findings, in rule order, at most ``MAX_FINDINGS``, as plain dicts for results.json."""
    get = tables.get
    found = [
        *best_slots(get("recommended_slots")),
        *strongest(get("format_uplift"), "format", "posts"),
        *strongest(get("mechanics_uplift"), "mechanic", "posts"),
        *stretches(get("negative_stretches")),
        *changes(get("period_change")),
        *overlap(get("audience_overlap")),
        *response_gap(get("response"), client),
        *voice(get("share_of_voice"), client),
        *hashtag_set(get("recommended_hashtags")),
    ]
    return [asdict(f) for f in found[:MAX_FINDINGS]]
