"""How the brief says things to a client: column labels, number formats, and the glossary.

Every table column the notebooks record has one human label and one kind, declared here once;
the renderer formats each cell by its kind (percentages as %, p-values as "p < 0.001", ratios as
"1.8×", counts with thousands separators), so no table in the brief shows ``snake_case``,
fractions like 0.0598 or numbers like 3.29e-17. Columns an analyst needs but a client does not
(raw p-values, eligibility flags) are ``HIDDEN`` from the page and kept in the downloads.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any, Literal

from research.analyses.stats import p_text

__all__ = ["COLUMNS", "METRICS", "HIDDEN", "GLOSSARY", "INTROS", "label", "kind", "format_value", "humanize"]

Kind = Literal[
    "text",
    "count",
    "number",
    "decimal",
    "percent",
    "percent_points",
    "ratio",
    "pvalue",
    "hours",
    "date",
    "bool",
    "list",
    "names",  # identifiers an analysis gives (copied_text), shown in words
]

COLUMNS: dict[str, tuple[str, Kind]] = {
    # who and what
    "brand": ("Brand", "text"), "brand_a": ("Brand", "text"), "brand_b": ("Other brand", "text"),
    "scope": ("Posts of", "text"), "platform": ("Platform", "text"), "account": ("Account", "text"),
    "handle": ("Account", "text"), "role": ("Role", "text"), "metric": ("Measure", "text"),
    "feature": ("What", "text"), "mechanic": ("Mechanic", "text"), "media_type": ("Format", "text"),
    "hashtag": ("Hashtag", "text"), "lang": ("Language", "text"), "band": ("Followers", "text"),
    "text": ("Post", "text"), "url": ("Link", "text"), "source": ("Source", "text"), "format": ("Format", "text"),
    "origin": ("File or feed", "text"), "label": ("About", "text"), "reason": ("Why", "text"),
    "rule": ("Rule", "text"), "rules": ("Signals", "names"), "evidence": ("Evidence", "text"),
    "definition": ("Definition", "text"), "test": ("Test", "text"), "verdict": ("Verdict", "text"),
    "weekday": ("Day", "text"), "hour": ("Hour", "count"), "community": ("Community", "count"),
    "cluster": ("Topic", "count"), "rank": ("#", "count"), "author_handle": ("Author", "text"),
    "top_hashtags": ("Top hashtags", "text"), "top_words": ("Top words", "text"),
    "top_languages": ("Languages", "text"), "brands_engaged": ("Brands they engage", "text"),
    "central_members": ("Most central members", "text"), "competitors": ("Used by", "text"),
    "action": ("Action", "text"), "why": ("Why", "text"), "when": ("When", "date"), "what": ("What", "text"),
    "kpi": ("Measure", "text"), "baseline": ("Now", "number"), "next_check": ("Next check", "date"),
    "slot": ("Slot", "text"), "format_": ("Format", "text"), "hashtags": ("Hashtags", "list"),
    "day": ("Day", "date"), "time": ("Time", "text"), "then": ("Then", "number"), "now": ("Now", "number"),
    "met": ("Met", "bool"), "example": ("Example", "text"), "created_local": ("Posted (local time)", "text"),
    # counts
    "posts": ("Posts", "count"), "mentions": ("Mentions", "count"), "scored": ("With sentiment", "count"),
    "positive": ("Positive", "count"), "neutral": ("Neutral", "count"), "negative": ("Negative", "count"),
    "accounts": ("Accounts", "count"), "authors": ("Authors", "count"), "shared": ("Shared accounts", "count"),
    "audience": ("Engaged accounts", "count"), "audience_a": ("Engaged accounts", "count"),
    "audience_b": ("Engaged accounts (other)", "count"), "exclusive": ("Only this brand", "count"),
    "audience_posts": ("Audience posts to the brand", "count"), "answered": ("Answered", "count"),
    "stream_posts": ("Posts in the stream", "count"), "engagement": ("Engagement", "count"),
    "engagement_total": ("Engagement, total", "count"), "n_with": ("Posts with it", "count"),
    "n_without": ("Posts compared", "count"), "current": ("This period", "number"),
    "previous": ("Previous period", "number"), "weeks": ("Weeks", "count"), "records": ("Records", "count"),
    "set_aside": ("Set aside", "count"), "rows": ("Rows", "count"), "by_brands": ("By brands", "count"),
    "by_audience": ("By the audience", "count"), "post": ("Original posts", "count"), "reply": ("Replies", "count"),
    "repost": ("Reposts", "count"), "quote": ("Quotes", "count"), "with_mentions": ("With mentions", "count"),
    "cluster_size": ("Hashtags in topic", "count"), "communities_linked": ("Communities linked", "count"),
    "followers": ("Followers", "count"), "interactions": ("Interactions", "count"), "burst": ("Burst posts", "count"),
    # measures
    "posts_per_week": ("Posts a week", "decimal"), "engagement_median": ("Median engagement per post", "decimal"),
    "engagement_mean": ("Mean engagement per post", "decimal"), "likes_median": ("Median likes per post", "decimal"),
    "er_followers": ("Engagement rate by followers", "percent"), "er_views": ("Engagement rate by views", "percent"),
    "share": ("Share", "percent"), "share_of_voice": ("Share of voice", "percent"),
    "engagement_share": ("Share of engagement", "percent"), "share_of_stream": ("Share of the stream", "percent"),
    "answered_share": ("Share answered", "percent"), "median_response_hours": ("Median time to answer", "hours"),
    "negative_share": ("Negative share", "percent"), "usual_negative_share": ("Usual negative share", "percent"),
    "positive_share": ("Positive share", "percent"), "net": ("Net sentiment", "percent"),
    "negative_low": ("Negative share, 95% interval from", "percent"), "negative_high": ("to", "percent"),
    "negative_counted": ("Share labelled negative", "percent"), "share_method": ("How the share was made", "text"),
    "flagged_mentions": ("Mentions by flagged accounts", "count"),
    "group": ("Group", "count"), "stance": ("Towards the brand", "text"), "occasions": ("Bursts", "count"),
    "first_at": ("First seen", "date"), "last_at": ("Last seen", "date"), "driven_hashtags": ("Hashtags it drives", "list"),
    "examples": ("Example posts", "text"), "new_accounts": ("Accounts under 30 days old", "count"),
    "handles": ("Accounts", "list"), "flagged": ("Flagged", "bool"),
    "kind": ("What rose", "text"), "date": ("Day", "date"), "local_date": ("Day", "date"),
    "times_usual": ("Times the usual", "ratio"), "sentence": ("What happened", "text"),
    "followers_first": ("Followers then", "count"), "followers_last": ("Followers now", "count"),
    "growth_pct": ("Follower growth (%)", "decimal"), "per_week": ("New followers a week", "decimal"),
    "first_date": ("First seen", "date"), "last_date": ("Last seen", "date"),
    "trait": ("Trait", "text"), "value": ("Value", "text"), "share_breakouts": ("Share of breakouts", "percent"),
    "share_others": ("Share of other posts", "percent"), "p_value": ("p", "pvalue"), "terms": ("Words", "text"),
    "found_in": ("Found in", "text"), "competitor": ("Competitor", "text"), "who": ("Who", "text"),
    "share_posts": ("Share of its posts", "percent"), "share_engagement": ("Share of its engagement", "percent"),
    "competitor_share": ("Competitor's share", "percent"), "client_share": ("Your share", "percent"),
    "share_of_voice_with": ("Share of voice with flagged accounts", "percent"),
    "negative_share_with": ("Negative share with flagged accounts", "percent"),
    "mean_score": ("Mean sentiment score", "decimal"), "jaccard": ("Overlap", "percent"),
    "share_of_a": ("Share of its audience", "percent"), "share_of_b": ("Share of the other's audience", "percent"),
    "exclusive_share": ("Share only this brand", "percent"), "outside_share": ("Ties outside own community", "percent"),
    "uplift": ("Engagement vs usual", "ratio"), "ci_low": ("95% interval from", "ratio"),
    "ci_high": ("95% interval to", "ratio"), "median_relative_engagement": ("Engagement vs usual", "ratio"),
    "median_with": ("Median with", "ratio"), "median_without": ("Median without", "ratio"),
    "relative_engagement": ("Engagement vs the account's usual", "ratio"), "growth": ("Growth", "ratio"),
    "change": ("Change", "decimal"), "change_pct": ("Change", "percent_points"), "p_adjusted": ("Adjusted p", "pvalue"),
    "centrality": ("Influence (PageRank)", "number"), "score": ("Suspicion score", "count"),
    "points": ("Points", "count"), "target": ("Target", "number"), "benchmark": ("Competitors (see the rule)", "number"),
    "significant": ("Real difference", "bool"), "recommended": ("Recommended", "bool"),
    "rising": ("Rising", "bool"), "observed_at": ("Counts observed", "text"), "imported_at": ("Imported", "text"),
    "start": ("From", "date"), "end": ("To", "date"),
}  # fmt: skip

# Measures named in rows (the ``metric`` column of change tables): label and kind of their values.
METRICS: dict[str, tuple[str, Kind]] = {
    "posts": ("Own posts", "count"), "engagement_median": ("Median engagement per post", "decimal"),
    "er_followers": ("Engagement rate by followers", "percent"), "er_views": ("Engagement rate by views", "percent"),
    "median_response_hours": ("Median time to answer", "hours"), "answered_share": ("Share answered", "percent"),
    "share_of_voice": ("Share of voice", "percent"),
}  # fmt: skip

# Kept in the downloaded tables, not shown on the page.
HIDDEN = frozenset({"p_value", "eligible", "median_with", "median_without", "copied_text", "repeated_text",
                    "new_account", "follow_ratio", "engagement_mean", "change", "label_code"})  # fmt: skip

GLOSSARY: dict[str, str] = {
    "Engagement": "likes + reposts + replies + quotes + saves of a post, summing the counts the platform gives.",
    "Engagement vs usual": "a post's engagement divided by the median engagement of the same account in the "
    "period (both + 1): 2× means twice what that account usually gets. It puts small and large accounts "
    "on one scale.",
    "Engagement rate": "engagement divided by the account's followers (or by the post's views), averaged over posts.",
    "Own posts": "a brand's posts that are not reposts and not replies to others.",
    "Share of voice": "of the posts in the market's hashtag stream that name or tag a brand, the share that "
    "name or tag this brand (or that it wrote).",
    "Audience posts to a brand": "posts by non-brand accounts that reply to the brand, quote it or @mention it. "
    "Answered: the brand replied.",
    "Mentions": "audience posts that @mention a brand or name it in their text (inflected names and aliases "
    "included).",
    "Median": "the middle value: half the posts are above it, half below.",
    "95% interval": "the range in which the true value lies with 95% confidence, from resampling the posts.",
    "p": "how likely a difference at least this large would be by chance alone; p < 0.05 is read as a real "
    "difference. 'Adjusted' corrects for testing many things at once (Benjamini-Hochberg), so a table of many "
    "tests does not produce false alarms.",
    "Real difference": "adjusted p < 0.05 and, for ratios, a 95% interval that does not include 1×.",
    "Overlap": "shared accounts divided by all accounts engaging with either brand (Jaccard).",
    "Influence (PageRank)": "how much an account is engaged with by accounts that are themselves engaged with.",
    "Community": "a group of accounts that interact more among themselves than with others.",
    "Flagged accounts": "accounts whose behaviour matches automated or coordinated posting (rules in the appendix); "
    "they are left out of market-level measures unless a table says otherwise.",
}


# One sentence under each section's heading: the question it answers.
INTROS: dict[str, str] = {
    "competitors": "How much each brand posts, what its posts earn, how it answers its audience, how much of the "
    "conversation it holds, how people feel about it, and what changed since the previous period.",
    "content": "Which formats and mechanics earn more than each account's usual engagement, and which posts did best.",
    "timing": "When the brands post, when their audience is active, and the hours that earn measurably more.",
    "hashtags": "The tags the market uses, the ones rising, the ones that go with more engagement, and the set to use.",
    "audience-graph": "Who engages with whom: the groups in the audience, the accounts with reach, and the audiences "
    "brands share.",
    "audience-profile": "Who the engaged accounts are: their languages, when they post, how they feel and how big "
    "they are; and which accounts look automated.",
    "plan": "What to do in the next four weeks, when, and the targets the next brief will check.",
    "method": "Where the numbers come from, what the data cover and what they lack, and the words used in this brief.",
}


def humanize(name: str) -> str:
    """A column name as words, for a column without a declared label.

    >>> humanize("median_response_hours")
    'Median response hours'
    """
    words = re.sub(r"_+", " ", str(name)).strip()
    return words[:1].upper() + words[1:] if words else words


def label(column: str) -> str:
    return COLUMNS[column][0] if column in COLUMNS else humanize(column)


def kind(column: str) -> str:
    return COLUMNS[column][1] if column in COLUMNS else "text"


def item_text(item: Any) -> str:
    """One item of a list cell as text: an example post as ``author: text``, anything else as written.

    >>> item_text({"author": "@ann", "text": "chai", "url": "https://x"}), item_text("pune")
    ('@ann: chai', 'pune')
    """
    if isinstance(item, dict):
        if "text" in item:
            return f"{item.get('author') or ''}: {item['text']}".lstrip(": ")
        return "; ".join(f"{k}: {v}" for k, v in item.items())
    return str(item)


def list_text(values: Any, long_sep: str) -> str:
    """A list cell as text: short items (tags, names) joined by commas, long ones (posts) by ``long_sep``.

    >>> list_text(["chai", "pune"], "\\n"), list_text([{"author": "@ann", "text": "x" * 50}], " | ")[:9]
    ('chai, pune', '@ann: xxx')
    """
    items = [item_text(v) for v in values]
    return (long_sep if any(len(t) > 40 for t in items) else ", ").join(items)


def format_value(value: Any, kind_: str = "text") -> str:
    """One cell as a client reads it; missing values as an en dash.

    >>> format_value(0.0598, "percent"), format_value(3.29e-17, "pvalue"), format_value(1.813, "ratio")
    ('6.0%', 'p < 0.001', '1.81×')
    >>> format_value(32492, "count"), format_value(32.125, "decimal"), format_value(None, "count")
    ('32,492', '32.1', '–')
    >>> format_value(0.0004, "percent"), format_value(float("nan"), "ratio"), format_value(12.5, "percent_points")
    ('0.04%', '–', '+12.5%')
    >>> format_value("2026-10-03T14:30:26+00:00", "date")
    '3 Oct 2026'
    """
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "–"
    if isinstance(value, bool) or kind_ == "bool":
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return list_text(value, " | ")
    if isinstance(value, (datetime, date)):
        return f"{value.day} {value:%b %Y}" if kind_ == "date" else str(value)
    if not isinstance(value, (int, float)):
        if kind_ == "names":  # names an analysis gives its rules (copied_text), in words
            return str(value).replace("_", " ")
        if kind_ == "date" and isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\d", value):
            return format_value(date.fromisoformat(value[:10]), "date")  # a time too: the day is enough
        return str(value)
    x = float(value)
    if kind_ == "percent":
        pct = 100 * x
        return f"{pct:.1f}%" if abs(pct) >= 0.1 or pct == 0 else f"{pct:.2f}%"
    if kind_ == "percent_points":
        return f"{x:+.1f}%"
    if kind_ == "pvalue":
        return p_text(x)
    if kind_ == "ratio":
        return f"{x:.2f}×"
    if kind_ == "hours":
        return f"{x:.1f} h" if x < 48 else f"{x / 24:.1f} days"
    if kind_ == "count" or (kind_ in ("number", "text") and x == int(x) and abs(x) < 1e15):
        return f"{int(round(x)):,}"
    if kind_ == "decimal" or abs(x) >= 100:
        return f"{x:,.1f}"
    return f"{x:,.3g}" if abs(x) < 1 else f"{x:,.2f}"
