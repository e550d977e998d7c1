"""The brief's summary: what is happening to the client and what to do, from rules over recorded results.

Every finding comes from one rule below, applied to tables the notebooks recorded; none is a
canned sentence. Each states its number with its denominator, how strong the evidence is (the
test and its adjusted p, or "a count, no test") and the section that shows it; where posts
illustrate it, two or three are quoted. A rule that finds nothing says nothing.

The summary leads with the client:

- **you** — every significant change of the client's own measures against the previous period,
  then where the client stands on each measure against its competitors (``position``);
- **opportunities** — the best posting slots, formats and mechanics that earn more (measured
  against each account's own usual engagement), the audience the client answers less than a
  competitor does, a competitor's bad stretch, language groups in competitors' audiences, the
  hashtag set;
- **risks** — the client's own negative stretches, competitors' significant rises, the share
  of voice the client trails by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import pandas as pd

from research.analyses.metrics import Period, why_empty
from research.brief.labels import format_value

__all__ = [
    "Finding",
    "findings",
    "coordination",
    "position",
    "negative_stretches",
    "best_slots",
    "strongest",
    "client_changes",
    "MAX_OPPORTUNITIES",
    "MAX_RISKS",
]

MAX_OPPORTUNITIES = 7
MAX_RISKS = 4


@dataclass
class Finding:
    kind: str  # "you", "opportunity" or "risk"
    rule: str
    headline: str
    text: str
    section: str
    evidence: str = ""  # how strong: the test and its adjusted p, or that it is a count
    examples: list[dict] = field(default_factory=list)  # posts that show it (text, when, platform)


def _pct(x: float) -> str:
    return format_value(float(x), "percent")


def _p(p: float) -> str:
    """An adjusted p-value as a reader wants it.

    >>> _p(1.2e-73), _p(0.0123)
    ('adjusted p < 0.001', 'adjusted p = 0.012')
    """
    return "adjusted " + format_value(float(p), "pvalue")


def _of(name: str) -> str:
    """English possessive of a brand name.

    >>> _of("Brew Bros"), _of("Chai & Co")
    ("Brew Bros'", "Chai & Co's")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _rows(table: pd.DataFrame | None) -> pd.DataFrame:
    return pd.DataFrame() if table is None else table


def _significant_up(table: pd.DataFrame | None) -> pd.DataFrame:
    table = _rows(table)
    if table.empty:
        return table
    mask = table["significant"].fillna(False).astype(bool) & (table["uplift"].astype(float) > 1)
    return table.loc[mask].sort_values("uplift", ascending=False)


# --- you ---------------------------------------------------------------------------------------

_MEASURES = {
    "posts": ("own posts", "count", True),
    "engagement_median": ("median engagement per post", "decimal", True),
    "er_followers": ("engagement rate by followers", "percent", True),
    "er_views": ("engagement rate by views", "percent", True),
    "share_of_voice": ("share of voice", "percent", True),
    "answered_share": ("share of audience posts answered", "percent", True),
    "median_response_hours": ("median time to answer", "hours", False),
}


def client_changes(change: pd.DataFrame | None, client: str) -> list[Finding]:
    """Every significant change of the client's measures, largest first."""
    change = _rows(change)
    if change.empty:
        return []
    mine = change.loc[(change["brand"] == client) & change["significant"].fillna(False).astype(bool)]
    out = []
    for _, s in (
        mine.assign(size=mine["change_pct"].astype(float).abs())
        .sort_values("size", ascending=False)
        .iterrows()
    ):
        name, kind_, higher_better = _MEASURES.get(s["metric"], (s["metric"], "decimal", True))
        up = s["current"] > s["previous"]
        good = up == higher_better
        out.append(
            Finding(
                "you",
                "change",
                f"Your {name} {'rose' if up else 'fell'} from {format_value(s['previous'], kind_)} to "
                f"{format_value(s['current'], kind_)} on the previous period.",
                "A real change (" + ("good news" if good else "worth acting on") + ").",
                "competitors",
                f"{s['test']}, {_p(s['p_adjusted'])}",
            )
        )
    return out


def position(tables: dict[str, pd.DataFrame], client: str) -> pd.DataFrame:
    """Where each brand stands on the measures a client asks about first (client column first).

    Rows: measures; columns: ``measure`` and one per brand; ``rank`` is the client's place
    (1 = best) among the brands with a value.
    """
    get = lambda name: _rows(tables.get(name))  # noqa: E731
    sources = [
        ("Posts a week", get("scorecard"), "posts_per_week", "decimal", True),
        ("Median engagement per post", get("scorecard"), "engagement_median", "decimal", True),
        ("Share of voice", get("share_of_voice"), "share_of_voice", "percent", True),
        ("Share of audience posts answered", get("response"), "answered_share", "percent", True),
        ("Negative share of mentions", get("mention_sentiment"), "negative_share", "percent", False),
    ]
    brands: list[str] = list(dict.fromkeys(get("scorecard").get("brand", pd.Series(dtype=str)).tolist()))
    if client in brands:
        brands.remove(client)
        brands.insert(0, client)
    rows = []
    for name, table, column, kind_, higher_better in sources:
        if table.empty or column not in table or "brand" not in table:
            continue
        values = table.drop_duplicates("brand").set_index("brand")[column].astype(float)
        if values.dropna().empty:
            continue
        row = {"measure": name, **{b: format_value(values.get(b), kind_) for b in brands}}
        known = values.dropna().sort_values(ascending=not higher_better)
        row["rank"] = (
            f"{list(known.index).index(client) + 1} of {len(known)}" if client in known.index else "–"
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=["measure", *brands, "rank"])


# --- opportunities -------------------------------------------------------------------------------


def best_slots(slots: pd.DataFrame | None) -> list[Finding]:
    slots = _rows(slots)
    if slots.empty:
        return []
    out = []
    top = slots.loc[slots["recommended"].fillna(False).astype(bool)].sort_values(["platform", "rank"])
    for platform, group in top.groupby("platform", sort=True):
        s = group.iloc[0]
        out.append(
            Finding(
                "opportunity",
                "best slot",
                f"Post on {str(platform).capitalize()} on {s['weekday']}s at {int(s['hour']):02d}:00.",
                f"The {int(s['posts'])} brand posts published in that hour earned {format_value(s['median_relative_engagement'], 'ratio')} "
                f"what their accounts usually earn (95% interval {format_value(s['ci_low'], 'ratio')}–"
                f"{format_value(s['ci_high'], 'ratio')}).",
                "timing",
                f"bootstrap interval above 1×, {_p(s['p_adjusted'])}" if "p_adjusted" in s else "",
            )
        )
    return out


def strongest(
    table: pd.DataFrame | None, rule: str, what: str, section: str = "content", usage: pd.DataFrame | None = None,
    client: str | None = None, column: str = "media_type",
) -> list[Finding]:  # fmt: skip
    """The format or mechanic with the largest real uplift, with how much the client uses it."""
    sig = _significant_up(table)
    if sig.empty:
        return []
    s = sig.iloc[0]
    feature = str(s["feature"])
    reference = s.get("reference") if "reference" in s else None
    against = (
        f"{reference} posts".replace("posts posts", "posts")
        if isinstance(reference, str) and reference
        else "other posts"
    )
    use = ""
    usage = _rows(usage)
    if client and not usage.empty and column in usage:
        share = usage.loc[(usage["brand"] == client) & (usage[column] == feature), "share"]
        others = usage.loc[(usage["brand"] != client) & (usage[column] == feature), "share"]
        if len(share) and len(others):
            use = f" {client} gives it {_pct(share.iloc[0])} of its posts; competitors {_pct(others.astype(float).mean())} on average."
    return [
        Finding(
            "opportunity",
            rule,
            f"{feature.capitalize()} {what} earn {format_value(s['uplift'], 'ratio')} the engagement of {against}.".replace(
                " posts posts", " posts"
            ),
            f"Measured on {int(s['n_with']):,} {feature} posts against {int(s['n_without']):,} {against}, each "
            f"against its own account's usual engagement (95% interval {format_value(s['ci_low'], 'ratio')}–"
            f"{format_value(s['ci_high'], 'ratio')}).{use}",
            section,
            f"Mann-Whitney U, {_p(s['p_adjusted'])}",
        )
    ]


def response_gap(response: pd.DataFrame | None, client: str) -> list[Finding]:
    response = _rows(response)
    if response.empty or client not in set(response["brand"]):
        return []
    table = response.set_index("brand")
    mine = table.loc[client, "answered_share"]
    asked = int(table.loc[client, "audience_posts"]) if "audience_posts" in table else None
    others = table.drop(index=client)["answered_share"].dropna().astype(float)
    if pd.isna(mine) or others.empty or not asked:
        return []
    mine = float(mine)
    best_brand, best = others.idxmax(), float(others.max())
    if best <= mine * 1.25 or best - mine < 0.02:
        return []
    hours = table.loc[best_brand, "median_response_hours"] if "median_response_hours" in table else None
    speed = f" {best_brand} answers in {format_value(hours, 'hours')} (median)." if pd.notna(hours) else ""
    answered = int(table.loc[client, "answered"]) if "answered" in table else round(mine * asked)
    return [
        Finding(
            "opportunity",
            "response gap",
            f"Answer more of your audience: you answered {_pct(mine)}, {best_brand} {_pct(best)}.",
            f"You replied to {answered:,} of the {asked:,} audience posts that replied to, quoted or @mentioned "
            f"you.{speed}",
            "competitors",
            "a count, no test",
        )
    ]


def languages(
    audience_languages: pd.DataFrame | None, client: str, *, min_share: float = 0.15
) -> list[Finding]:
    """A language a competitor's engaged audience writes in much more than the client's does."""
    table = _rows(audience_languages)
    if table.empty or client not in set(table["brand"]):
        return []
    table = table.loc[table["lang"] != "unknown"]
    mine = table.loc[table["brand"] == client].set_index("lang")["share"].astype(float)
    best = None
    for _, r in table.loc[table["brand"] != client].iterrows():
        gap = float(r["share"]) - float(mine.get(r["lang"], 0.0))
        if float(r["share"]) >= min_share and gap >= min_share and (best is None or gap > best[0]):
            best = (gap, r)
    if best is None:
        return []
    r = best[1]
    return [
        Finding(
            "opportunity",
            "language",
            f"Reach the {r['lang']}-speaking audience: {_pct(r['share'])} of {_of(r['brand'])} engaged accounts "
            f"write in it, {_pct(mine.get(r['lang'], 0.0))} of yours.",
            f"{int(r['accounts']):,} of the accounts engaging with {r['brand']} mostly write in {r['lang']}.",
            "audience-profile",
            "a count, no test",
        )
    ]


def stretches(table: pd.DataFrame | None, client: str, examples: dict[str, list[dict]]) -> list[Finding]:
    table = _rows(table)
    if table.empty:
        return []
    out = []
    for _, s in table.sort_values("mentions", ascending=False).iterrows():
        mine = s["brand"] == client
        when = f"{format_value(s['start'], 'date')} to {format_value(s['end'], 'date')}"
        out.append(
            Finding(
                "risk" if mine else "opportunity",
                "negative stretch",
                (f"Complaints about you rose from {when}." if mine else
                 f"{_of(s['brand'])} customers complained from {when}: answer them and show what you do better."),
                f"{_pct(s['negative_share'])} of {int(s['mentions']):,} mentions with sentiment were negative, "
                f"against {_pct(s['usual_negative_share'])} usually.",
                "competitors",
                "a count, no test",
                examples.get(f"stretch:{s['brand']}", []),
            )
        )  # fmt: skip
    return out


def hashtag_set(recommended: pd.DataFrame | None, *, n: int = 4) -> list[Finding]:
    recommended = _rows(recommended)
    if recommended.empty:
        return []
    tags = ", ".join(f"#{t}" for t in recommended["hashtag"].head(n))
    return [
        Finding(
            "opportunity",
            "hashtags",
            f"Use {tags}.",
            str(recommended["reason"].iloc[0]) if "reason" in recommended else "",
            "hashtags",
            "bootstrap interval above 1×",
        )  # fmt: skip
    ]


# --- risks ---------------------------------------------------------------------------------------


def competitor_rises(
    change: pd.DataFrame | None, client: str, examples: dict, *, limit: int = 2
) -> list[Finding]:
    change = _rows(change)
    if change.empty:
        return []
    sig = change.loc[
        (change["brand"] != client) & change["significant"].fillna(False).astype(bool)
        & change["metric"].isin(["engagement_median", "share_of_voice", "posts", "answered_share"])
    ]  # fmt: skip
    sig = sig.loc[sig["current"].astype(float) > sig["previous"].astype(float)]
    out = []
    for _, s in (
        sig.assign(size=sig["change_pct"].astype(float).abs())
        .sort_values("size", ascending=False)
        .head(limit)
        .iterrows()
    ):
        name, kind_, _ = _MEASURES.get(s["metric"], (s["metric"], "decimal", True))
        out.append(
            Finding(
                "risk",
                "competitor rise",
                f"{_of(s['brand'])} {name} rose from {format_value(s['previous'], kind_)} to {format_value(s['current'], kind_)}.",
                "Against the previous period of equal length; see what they post below.",
                "competitors",
                f"{s['test']}, {_p(s['p_adjusted'])}",
                examples.get(f"top:{s['brand']}", []),
            )
        )
    return out


def voice(sov: pd.DataFrame | None, client: str) -> list[Finding]:
    sov = _rows(sov)
    if sov.empty or client not in set(sov["brand"]):
        return []
    table = sov.set_index("brand")["share_of_voice"].astype(float).dropna()
    if client not in table.index or len(table) < 2:
        return []
    leader = table.idxmax()
    if leader == client:
        return []
    posts = sov.set_index("brand")["posts"].astype(float) if "posts" in sov else None
    if posts is not None and posts.sum() < MIN_VOICE_POSTS:
        return []  # a handful of posts: a share of them says nothing
    total = int(sov["stream_posts"].iloc[0]) if "stream_posts" in sov else None
    counted = (
        f"Of the {total:,} posts in the market's hashtag stream, {int(posts[leader]):,} were written by, tagged "
        f"with or named {leader}, and {int(posts[client]):,} you."
        if total and posts is not None
        else "Share of voice counts the posts that a brand wrote, tagged or named."
    )
    return [
        Finding(
            "risk",
            "share of voice",
            f"{leader} leads the conversation: {_pct(table[leader])} share of voice, you {_pct(table[client])}.",
            counted,
            "competitors",
            "a count, no test",
        )
    ]


MIN_VOICE_POSTS = 30  # brand posts in the stream below which shares of voice are not a finding


def coordination(
    items: Sequence[dict], client: str, groups: pd.DataFrame | None = None, posts: pd.DataFrame | None = None
) -> list[Finding]:
    """A finding per coordinated group that drives a brand's mentions or hashtags
    (`research.analyses.coordination.coordination_items`), with two of the group's posts when
    ``groups`` (the ``coordinated_groups`` table) and ``posts`` are given.

    >>> coordination([{"group": 1, "brand": "Rival", "attack": False, "sentence": "A group posted 29%."}], "Us")[0].headline
    'A coordinated push for Rival'
    >>> coordination([{"group": 2, "brand": "Us", "attack": True, "sentence": "A group posted 22%."}], "Us")[0].headline
    'A coordinated group attacks you'
    """
    out = []
    for item in items:
        brand, attack = item["brand"], item["attack"]
        if brand == client:
            headline = "A coordinated group attacks you" if attack else "A coordinated group pushes you"
        else:
            headline = f"A coordinated attack on {brand}" if attack else f"A coordinated push for {brand}"
        quotes = []
        if groups is not None and posts is not None and not groups.empty:
            row = groups.loc[groups["group"] == item["group"]]
            if len(row):
                handles = row.iloc[0]["handles"]
                handles = handles.split(", ") if isinstance(handles, str) else list(handles)
                theirs = posts.loc[posts["author_handle"].isin(handles) & posts["repost_of_post_id"].isna()]
                quotes = _quotes(theirs.sort_values("created_at"), 2)
        out.append(Finding(
            "risk", "coordination", headline,
            f"{item['sentence']} Its accounts are left out of share of voice, sentiment, hashtags and the audience "
            "profile in this brief, so they do not set your targets.",
            "audience-profile", evidence="accounts acting together within minutes on 3+ separate occasions, beyond chance",
            examples=quotes,
        ))  # fmt: skip
    return out


def theme_gap(gaps: pd.DataFrame | None, performance: pd.DataFrame | None = None) -> list[Finding]:
    """The content theme a competitor owns and the client does not use (the largest gap), from
    `research.analyses.pillars.pillar_gaps`: each tested (Fisher, Benjamini–Hochberg). A theme
    that earns measurably less than the brands' other posts (``pillar_performance``) is no idea to copy."""
    rows = _rows(gaps)
    perf = _rows(performance)
    if len(rows) and len(perf) and {"pillar", "significant", "uplift"} <= set(perf.columns):
        weak = perf.loc[
            perf["significant"].fillna(False).astype(bool) & (perf["uplift"].astype(float) < 1), "pillar"
        ]
        rows = rows.loc[~rows["pillar"].isin(set(weak))]
    if rows.empty:
        return []
    g = rows.sort_values("gap", ascending=False).iloc[0]
    return [Finding(
        "opportunity", "theme_gap",
        f"{g['competitor']} owns a theme you do not use: “{g['label']}”.",
        f"{g['sentence']} Try it in your own voice, or say why you differ.",
        "content", evidence=f"Fisher's exact test, {_p(float(g['p_adjusted']))}",
    )]  # fmt: skip


def findings(
    tables: dict[str, pd.DataFrame], client: str, *, examples: dict[str, list[dict]] | None = None,
    extra: Sequence[Finding] = (),
) -> list[dict]:  # fmt: skip
    """All findings as plain dicts for results.json: the client's own first, then opportunities and risks.

    ``examples`` maps ``"stretch:<brand>"`` and ``"top:<brand>"`` to posts that illustrate them;
    ``extra`` adds findings made elsewhere (a coordinated group, say) in their kind's place.
    """
    get = tables.get
    examples = examples or {}
    you = client_changes(get("period_change"), client)
    opportunities = [
        *best_slots(get("recommended_slots")),
        *strongest(get("format_uplift"), "format", "posts", usage=get("content_types"), client=client),
        *strongest(get("mechanics_uplift"), "mechanic", "posts", usage=get("mechanics_by_brand"), client=client,
                   column="mechanic"),
        *theme_gap(get("pillar_gaps"), get("pillar_performance")),
        *response_gap(get("response"), client),
        *[f for f in stretches(get("negative_stretches"), client, examples) if f.kind == "opportunity"],
        *languages(get("audience_languages"), client),
        *hashtag_set(get("recommended_hashtags")),
    ]  # fmt: skip
    risks = [
        *[f for f in stretches(get("negative_stretches"), client, examples) if f.kind == "risk"],
        *[f for f in extra if f.kind == "risk"],
        *competitor_rises(get("period_change"), client, examples),
        *voice(get("share_of_voice"), client),
    ]
    opportunities = [*[f for f in extra if f.kind == "opportunity"], *opportunities]
    found = [*you, *opportunities[:MAX_OPPORTUNITIES], *risks[:MAX_RISKS]]
    return [asdict(f) for f in found]


def negative_stretches(
    daily: pd.DataFrame, *, min_mentions: int = 10, factor: float = 2.0, floor: float = 0.3, window: int = 7
) -> pd.DataFrame:
    """Runs of days in which a brand's mentions were unusually negative, edges to the day.

    ``daily`` is `research.analyses.text.mention_sentiment` per day. A day is in a stretch when
    the ``window`` days around it hold at least ``min_mentions`` scored mentions whose negative
    share is at least ``floor`` and at least ``factor`` times the brand's usual (median
    window) share; the stretch then runs from its first to its last day that is itself that
    negative, so it ends where the complaints end, not at a week's edge.

    Examples
    --------
    >>> days = pd.date_range("2026-09-01", periods=40, freq="D")
    >>> neg = [1 if 14 <= i <= 24 else 0 for i in range(40)]
    >>> daily = pd.DataFrame({"brand": "A", "when": days, "scored": 4, "negative": [3 * n for n in neg]})
    >>> negative_stretches(daily)[["brand", "start", "end"]].to_dict("records")
    [{'brand': 'A', 'start': '2026-09-15', 'end': '2026-09-25'}]
    """
    rows = []
    for brand, group in daily.groupby("brand", sort=True):
        days = group.assign(when=pd.to_datetime(group["when"])).set_index("when")[["scored", "negative"]]
        days = days.resample("D").sum().astype(float)
        scored = days["scored"].rolling(window, center=True, min_periods=1).sum()
        negative = days["negative"].rolling(window, center=True, min_periods=1).sum()
        share = (negative / scored.where(scored > 0)).fillna(0.0)
        usual = float(share[scored >= min_mentions].median()) if (scored >= min_mentions).any() else 0.0
        hot = (scored >= min_mentions) & (share >= floor) & (share >= factor * max(usual, 1e-9))
        own = (days["negative"] / days["scored"].where(days["scored"] > 0)).fillna(0.0)
        run_id = (hot != hot.shift()).cumsum()
        for _, run in hot[hot].groupby(run_id[hot]):
            inside = days.loc[run.index]
            core = run.index[(own.loc[run.index] >= floor).to_numpy()]
            if core.empty:
                continue
            span = days.loc[core.min() : core.max()]
            rows.append(
                {
                    "brand": brand,
                    "start": core.min().date().isoformat(),
                    "end": core.max().date().isoformat(),
                    "days": len(span),
                    "mentions": int(span["scored"].sum()),
                    "negative_share": round(float(span["negative"].sum() / max(span["scored"].sum(), 1)), 4),
                    "usual_negative_share": round(usual, 4),
                }
            )
            del inside
    columns = ["brand", "start", "end", "days", "mentions", "negative_share", "usual_negative_share"]
    if not rows:
        return why_empty(pd.DataFrame(columns=columns), f"No brand had a week with {min_mentions} or more mentions "
                                                         "with sentiment that were unusually negative.")  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def examples_for(posts: pd.DataFrame, stretches: pd.DataFrame, change: pd.DataFrame | None, period: Period,
                 client: str, *, n: int = 3) -> dict[str, list[dict]]:  # fmt: skip
    """Posts that show a stretch (its most negative mentions) or a rise (the brand's most engaging posts)."""
    from research.analyses.competitors import brand_mentions  # noqa: F401 - names are matched as the brief does

    out: dict[str, list[dict]] = {}
    current = posts.loc[period.contains(posts)]
    if "sentiment" in current and not stretches.empty:
        for _, s in stretches.iterrows():
            mask = (
                (current["local_date"].astype(str) >= s["start"]) & (current["local_date"].astype(str) <= s["end"])
                & current["brand"].isna() & current["sentiment"].eq("negative").fillna(False)
            )  # fmt: skip
            about = current.loc[mask.to_numpy(dtype=bool)]
            named = (
                about["text"]
                .astype("string")
                .str.contains(str(s["brand"]).split()[0], case=False, regex=False)
            )
            out[f"stretch:{s['brand']}"] = _quotes(about.loc[named.fillna(False).to_numpy(dtype=bool)], n)
    change = _rows(change)
    for brand in set(change.get("brand", pd.Series(dtype=str))) - {client}:
        own = current.loc[current["own_post"] & current["brand"].eq(brand).fillna(False)]
        out[f"top:{brand}"] = _quotes(own.sort_values("engagement", ascending=False), n)
    return out


def _quotes(posts: pd.DataFrame, n: int) -> list[dict]:
    return [
        {"text": str(r.text)[:280], "when": format_value(r.local_date, "date"), "platform": str(r.platform),
         "author": str(r.author_handle or ""), "engagement": None if pd.isna(r.engagement) else int(r.engagement)}
        for r in posts.head(n).itertuples()
    ]  # fmt: skip
