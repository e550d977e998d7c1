"""Spikes: days far above a brand's usual, each with its cause in one sentence built from the data.

Three daily series per brand, in the client's local dates:

- ``mentions``: audience posts addressed to the brand (replies to, quotes of and @mentions of
  its accounts: `research.analyses.competitors.addressed_to`);
- ``engagement``: engagement earned by the brand's own posts published that day;
- ``negative``: those audience posts whose sentiment is negative (the posts' ``sentiment``
  column when the run made it, else `research.analyses.text.score_sentiment`).

A day is a **spike** when it is far above the brand's usual: its robust z-score against the
``window`` days before it (``(value − median) / spread``, the spread being 1.4826 × the median
absolute deviation, at least the square root of the median and at least 1, as counts of rare
events are that noisy) is at least ``threshold``, the value is at least ``min_count`` and
``min_times`` times the usual (or than 1, when the usual is below 1). A day needs ``MIN_HISTORY`` days of data before it to be judged.

Each spike is explained from that day's posts: the most discussed post or thread (most
replies, quotes and reposts), the hashtag that rose most against the days before, the words
that rose (log-odds of the share of posts using a word that day against the days before), and
the coordinated group most of them came from, when a ``groups`` table (``account, group``) is
given; with two or three example posts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from research.analyses.competitors import addressed_to
from research.analyses.metrics import Period, annotate, why_empty
from research.analyses.words import post_terms
from research.brands import Brand, brand_names

__all__ = ["KINDS", "MIN_HISTORY", "spikes", "explain_spike"]

KINDS: tuple[str, ...] = ("mentions", "engagement", "negative")
MIN_HISTORY = 7  # days of data a day needs before it to have a usual
_MAD_SCALE = 1.4826
COLUMNS = ["brand", "kind", "date", "value", "usual", "times_usual", "score", "posts", "top_post_id", "top_post_url",
           "top_hashtag", "words", "group", "sentence", "examples"]  # fmt: skip
_USED = ["platform", "post_id", "url", "author_handle", "text", "hashtags", "replies", "reposts", "quotes",
         "reply_to_post_id", "quote_of_post_id", "brand", "own_post", "engagement", "account", "local_date",
         "created_at"]  # fmt: skip


@dataclass
class _Prepared:
    """What the spikes of one call share: the posts used, per (brand, kind) which of them count, the days."""

    posts: pd.DataFrame  # _USED columns, with ``day`` (datetime64 of the local date)
    masks: dict[tuple[str, str], np.ndarray]
    first: pd.Timestamp  # the first day with data
    period: Period
    window: int
    groups: pd.Series | None  # account -> group
    drop: frozenset[str]  # brand names and handles: they do not "rise" on a brand's own day

    def series(self, brand: str, kind: str) -> pd.Series:
        """Daily values from the first day with data to the period's end (0 on days without posts)."""
        mask = self.masks[(brand, kind)]
        rows = self.posts.loc[mask]
        if kind == "engagement":
            values = (
                rows["engagement"].astype("Float64").fillna(0).astype("float64").groupby(rows["day"]).sum()
            )
        else:
            values = rows.groupby("day").size().astype("float64")
        days = pd.date_range(self.first, pd.Timestamp(self.period.end))
        return values.reindex(days, fill_value=0.0)


def _prepare(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    kinds: Iterable[str],
    groups: pd.DataFrame | None,
    window: int,
) -> _Prepared:
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"kinds: {unknown[0]!r} is not one of {', '.join(KINDS)}")
    ann = annotate(posts, None, brands, period.timezone)
    day = pd.to_datetime(pd.Series(ann["local_date"], index=ann.index), errors="coerce")
    first_day = pd.Timestamp(period.start) - pd.Timedelta(days=window)
    keep = (day >= first_day) & (day <= pd.Timestamp(period.end))
    keep = keep.fillna(False).to_numpy(dtype=bool)
    addressed = (
        addressed_to(posts.loc[keep], brands, period.timezone)
        if {"mentions", "negative"} & set(kinds)
        else pd.DataFrame(index=ann.index[keep])
    )
    used = ann.loc[keep, _USED].assign(day=day[keep])
    used.attrs = {}  # pandas copies attrs on every step: the annotation mark is not needed here
    masks: dict[tuple[str, str], np.ndarray] = {}
    negative = None
    if "negative" in kinds:
        negative = _negative(posts.loc[keep], addressed.any(axis=1).to_numpy(dtype=bool))
    for b in brands:
        for kind in kinds:
            if kind == "engagement":
                mask = (used["own_post"] & (used["brand"] == b.name)).fillna(False).to_numpy(dtype=bool)
            else:
                mask = addressed[b.name].to_numpy(dtype=bool)
                if kind == "negative":
                    mask = mask & negative
            masks[(b.name, kind)] = mask
    first = used["day"].min() if len(used) else pd.Timestamp(period.start)
    group_of = None
    if groups is not None and len(groups):
        group_of = (
            groups.drop_duplicates("account", keep="first").set_index("account")["group"].astype("string")
        )
    drop = {w.lower() for b in brands for w in b.name.split()} | {
        part for b in brands for _, h in b.accounts for part in (h.lower(), h.lower().split(".")[0])
    }
    return _Prepared(used, masks, max(first, first_day), period, window, group_of, frozenset(drop))


def _negative(posts: pd.DataFrame, about: np.ndarray) -> np.ndarray:
    """Which posts are negative: the run's ``sentiment`` column, else scored here (only ``about`` posts)."""
    if "sentiment" in posts:
        return (posts["sentiment"] == "negative").fillna(False).to_numpy(dtype=bool)
    from research.analyses.text import score_sentiment  # here: the text models load only when used

    out = np.zeros(len(posts), dtype=bool)
    if about.any():
        scored = score_sentiment(posts.loc[about, "text"], posts.loc[about, "lang"])["sentiment"]
        out[about] = (scored == "negative").fillna(False).to_numpy(dtype=bool)
    return out


def _baseline(values: pd.Series, window: int) -> pd.DataFrame:
    """Per day: the median and spread of the ``window`` days before it (NaN with fewer than MIN_HISTORY)."""
    before = values.shift(1).rolling(window, min_periods=MIN_HISTORY)
    median = before.median()
    mad = before.apply(lambda a: float(np.median(np.abs(a - np.median(a)))), raw=True)
    spread = np.maximum.reduce(
        [_MAD_SCALE * mad.to_numpy(), np.sqrt(median.clip(lower=0).to_numpy()), np.ones(len(values))]
    )
    return pd.DataFrame(
        {"usual": median, "spread": np.where(median.isna(), np.nan, spread)}, index=values.index
    )


def spikes(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    kinds: Iterable[str] = KINDS,
    groups: pd.DataFrame | None = None,
    window: int = 28,
    threshold: float = 4.0,
    min_count: int = 5,
    min_times: float = 2.0,
) -> pd.DataFrame:
    """Days in the period far above each brand's usual, each explained (module docstring).

    Parameters
    ----------
    posts : DataFrame
        Canonical or annotated posts, the days before the period included (``run.posts``): the
        first ``window`` days of the period are judged against the days before them.
    kinds : iterable of {"mentions", "engagement", "negative"}
    groups : DataFrame, optional
        Coordinated groups: ``account`` (``platform:handle``) and ``group``.

    Returns
    -------
    DataFrame
        One row per spike, highest score first: ``brand, kind, date`` (local), ``value`` (posts, or
        engagement), ``usual`` (median of the days before), ``times_usual`` (value / usual; NULL
        when the usual is 0), ``score, posts`` (that
        day's posts of the kind), ``top_post_id, top_post_url, top_hashtag, words`` (that rose),
        ``group``, ``sentence`` (for a client) and ``examples`` (2-3 dicts: ``author, text, url,
        time, engagement``). Empty, saying why (``metrics.WHY_EMPTY``), when no day stands out.
    """
    prep = _prepare(posts, brands, period, kinds, groups, window)
    rows = []
    for b in brand_names(brands):
        for kind in kinds:
            values = prep.series(b, kind)
            base = _baseline(values, window)
            score = (values - base["usual"]) / base["spread"]
            times = values / base["usual"].where(base["usual"] > 0)
            hit = (values.index >= pd.Timestamp(period.start)) & (score >= threshold) & (values >= min_count)
            hit &= values >= min_times * base["usual"].clip(lower=1)
            for day in values.index[hit.fillna(False).to_numpy(dtype=bool)]:
                why = _explain(prep, b, kind, day, values[day], base.loc[day, "usual"])
                rows.append({"brand": b, "kind": kind, "date": day.date(), "value": float(values[day]),
                             "usual": float(base.loc[day, "usual"]), "times_usual": float(times[day]),
                             "score": float(score[day]), **why})  # fmt: skip
    if not rows:
        if prep.posts.empty:
            reason = "There are no posts in the period or the days before it, so no day can stand out."
        elif prep.first + pd.Timedelta(days=MIN_HISTORY) > pd.Timestamp(period.end):
            reason = f"The data hold fewer than {MIN_HISTORY} days before the period's last day, so no day has a usual."
        else:
            reason = "No day in the period was far above a brand's usual."
        return why_empty(pd.DataFrame(columns=COLUMNS), reason)
    out = pd.DataFrame(rows)
    out = out.sort_values(
        ["score", "date", "brand", "kind"], ascending=[False, True, True, True], ignore_index=True
    )
    return out[COLUMNS]


def explain_spike(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    brand: str,
    kind: str,
    day: date,
    *,
    groups: pd.DataFrame | None = None,
    window: int = 28,
) -> dict:
    """Why ``brand``'s ``kind`` was what it was on ``day``: ``sentence`` and ``examples`` (and the parts).

    The same explanation ``spikes`` gives its rows, for any day (a day the analyst points at).
    """
    prep = _prepare(posts, brands, period, (kind,), groups, window)
    values = prep.series(brand, kind)
    day = pd.Timestamp(day)
    base = _baseline(values, window)
    usual = base["usual"].get(day, np.nan)
    return _explain(prep, brand, kind, day, float(values.get(day, 0.0)), usual)


def _explain(prep: _Prepared, brand: str, kind: str, day: pd.Timestamp, value: float, usual: float) -> dict:
    mask = prep.masks[(brand, kind)]
    rows = prep.posts.loc[mask]
    today = rows.loc[rows["day"] == day]
    before = rows.loc[(rows["day"] < day) & (rows["day"] >= day - pd.Timedelta(days=prep.window))]
    days_before = max(1, min(prep.window, (day - prep.first).days))
    top, top_sentence = _top_post(prep.posts, today, kind)
    tag, tag_today, tag_usual = _rising_tag(today, before, days_before)
    words = _rising_words(today, before, prep.drop)
    group, group_posts = _group(today, before, days_before, prep.groups)
    parts = [_opening(brand, kind, day, value, usual, len(today))]
    if top_sentence:
        parts.append(top_sentence)
    if tag:
        parts.append(
            f"#{tag} rose most: in {tag_today} of the day's {len(today)} posts, against "
            + (f"{_rate(tag_usual)} a day before." if tag_usual > 0 else "none in the days before.")
        )
    if words:
        parts.append(f"Words that rose: {', '.join(words)}.")
    if group:
        parts.append(
            f"{group_posts} of the {len(today)} posts ({group_posts / len(today):.0%}) came from accounts that act "
            f"together (group {group})."
        )
    return {
        "posts": len(today),
        "top_post_id": None if top is None else top["post_id"],
        "top_post_url": None if top is None else top["url"],
        "top_hashtag": tag,
        "words": ", ".join(words),
        "group": group,
        "sentence": " ".join(parts),
        "examples": _examples(prep, today, top, tag, words),
    }


def _opening(brand: str, kind: str, day: pd.Timestamp, value: float, usual: float, n: int) -> str:
    when = f"{day:%A} {day.day} {day:%b %Y}"
    known = usual == usual  # not NaN
    against = ""
    if known:
        amount = _rate(usual) if kind != "engagement" else f"{usual:,.0f}"
        against = (
            f", against a usual {amount} a day ({value / usual:.1f} times as much)"
            if usual > 0
            else ", against none on a usual day"
        )
    if kind == "engagement":
        own = f"{brand}'" if brand.endswith("s") else f"{brand}'s"  # Kettle Kings' own posts
        return f"On {when}, {own} own posts ({n}) earned {value:,.0f} engagements{against}."
    if kind == "mentions":
        return f"On {when}, {value:,.0f} posts were addressed to {brand}{against}."
    return f"On {when}, {value:,.0f} posts about {brand} were negative{against}."


def _short(text: object, n: int = 90) -> str:
    text = " ".join(("" if text is None or pd.isna(text) else str(text)).split())  # NA: a post without text
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _counts(post: pd.Series) -> str:
    parts = []
    for col, word in (("replies", "repl"), ("reposts", "repost"), ("quotes", "quote")):
        v = post.get(col)
        if pd.notna(v) and int(v) > 0:
            v = int(v)
            parts.append(
                f"{v:,} {word}{('ies' if v != 1 else 'y') if word == 'repl' else ('s' if v != 1 else '')}"
            )
    return ", ".join(parts) or "no replies, reposts or quotes counted"


def _rate(x: float) -> str:
    """A daily count as a reader wants it: 0.3, 2.5, 13."""
    return f"{x:.1f}".removesuffix(".0") if x < 10 else f"{x:,.0f}"


def _top_post(every: pd.DataFrame, today: pd.DataFrame, kind: str) -> tuple[pd.Series | None, str]:
    """The day's top post and how to say it: the best own post (engagement), the post a thread of the
    day's posts hangs from (a fifth or more of them, 3 at least), or the most discussed of the day's posts."""
    if today.empty:
        return None, ""
    eng = today["engagement"].astype("Float64").fillna(0).to_numpy(dtype=float)
    key = today["post_id"].astype(str).to_numpy()
    if kind == "engagement":
        best = today.iloc[np.lexsort((key, -eng))[0]]
        return (
            best,
            f"Its best post was @{best['author_handle']}'s \u201c{_short(best['text'])}\u201d ({_number(best['engagement'])} engagements).",
        )
    links = pd.concat([today[["platform", "reply_to_post_id"]].set_axis(["platform", "parent"], axis=1),
                       today[["platform", "quote_of_post_id"]].set_axis(["platform", "parent"], axis=1)]).dropna()  # fmt: skip
    threads = links.value_counts()
    if len(threads) and threads.iloc[0] >= max(3, 0.2 * len(today)):
        (platform, parent), n = threads.index[0], int(threads.iloc[0])
        found = every.loc[(every["platform"] == platform) & (every["post_id"] == parent)]
        if len(found):
            root = found.iloc[0]
            return root, (
                f"{n} of the day's {len(today)} posts answered or quoted @{root['author_handle']}'s "
                f"\u201c{_short(root['text'])}\u201d."
            )
    talk = sum(today[c].astype("Float64").fillna(0) for c in ("replies", "reposts", "quotes")).to_numpy(
        dtype=float
    )
    order = np.lexsort((key, -eng, -talk))
    best = today.iloc[order[0]]
    if talk[order[0]] < 3:
        return None, ""
    return (
        best,
        f"The most discussed post was @{best['author_handle']}'s \u201c{_short(best['text'])}\u201d ({_counts(best)}).",
    )


def _number(x: object) -> str:
    return "0" if pd.isna(x) else f"{float(x):,.0f}"


def _rising_tag(today: pd.DataFrame, before: pd.DataFrame, days_before: int) -> tuple[str | None, int, float]:
    """The hashtag whose use that day rose most above its daily average before (used by 3+ posts, 2x)."""
    now = Counter(t.lower() for tags in today["hashtags"] for t in set(tags if tags is not None else []))
    then = Counter(t.lower() for tags in before["hashtags"] for t in set(tags if tags is not None else []))
    best, rise = None, 0.0
    for tag, k in sorted(now.items()):
        usual = then.get(tag, 0) / days_before
        if k >= 3 and k >= 2 * usual and k - usual > rise:
            best, rise = tag, k - usual
    if best is None:
        return None, 0, 0.0
    return best, now[best], then.get(best, 0) / days_before


def _rising_words(today: pd.DataFrame, before: pd.DataFrame, drop: frozenset[str], top: int = 3) -> list[str]:
    """Words used by a larger share of the day's posts than of the posts before (log-odds z >= 2.5, 3+ posts)."""
    if len(today) < 3:
        return []
    now = Counter(w for ws in post_terms(today["text"], drop=drop) for w in ws)
    then = Counter(w for ws in post_terms(before["text"], drop=drop) for w in ws)
    n_now, n_then = len(today), max(len(before), 1)
    scored = []
    for word, a in now.items():
        if a < 3:
            continue
        b = then.get(word, 0)
        lor = np.log((a + 0.5) / (n_now - a + 0.5)) - np.log((b + 0.5) / (n_then - b + 0.5))
        se = np.sqrt(1 / (a + 0.5) + 1 / (n_now - a + 0.5) + 1 / (b + 0.5) + 1 / (n_then - b + 0.5))
        if lor / se >= 2.5:
            scored.append((-lor / se, word))
    return [w for _, w in sorted(scored)[:top]]


def _group(
    today: pd.DataFrame, before: pd.DataFrame, days_before: int, group_of: pd.Series | None
) -> tuple[str | None, int]:
    """The coordinated group behind 3+ and a fifth or more of the day's posts, twice its daily average
    before (a group that always posts this much is not the day's cause), if any."""
    if group_of is None or today.empty:
        return None, 0
    counts = today["account"].map(group_of).dropna().value_counts()
    if counts.empty:
        return None, 0
    name, k = str(counts.index[0]), int(counts.iloc[0])
    usual = (before["account"].map(group_of) == name).fillna(False).sum() / days_before
    return (name, k) if k >= 3 and k >= 0.2 * len(today) and k >= 2 * usual else (None, 0)


def _examples(
    prep: _Prepared, today: pd.DataFrame, top: pd.Series | None, tag: str | None, words: list[str]
) -> list[dict]:
    """Two or three posts of the day: the most discussed, then the most engaged with the rising hashtag or words."""
    picked: list[pd.Series] = [] if top is None else [top]
    eng = today["engagement"].astype("Float64").fillna(0)
    ranked = today.assign(_e=eng).sort_values(["_e", "post_id"], ascending=[False, True])
    terms = post_terms(ranked["text"].head(200), ranked["hashtags"].head(200), drop=prep.drop)
    wanted = set(words) | ({f"#{tag}"} if tag else set())
    rows = [r for _, r in ranked.head(200).iterrows()]  # the most engaged are enough to pick from
    ordered = [r for r, t in zip(rows, terms, strict=False) if wanted & set(t)] + rows
    texts = {_short(p["text"]) for p in picked}
    for row in ordered:
        if len(picked) >= 3:
            break
        if _short(row["text"]) not in texts:
            picked.append(row)
            texts.add(_short(row["text"]))
    tz = prep.period.timezone
    return [
        {
            "author": f"@{p['author_handle']}",
            "text": _short(p["text"], 200),
            "url": p["url"],
            "time": pd.Timestamp(p["created_at"]).tz_convert(tz).strftime("%Y-%m-%d %H:%M"),
            "engagement": 0 if pd.isna(p["engagement"]) else int(p["engagement"]),
        }
        for p in picked
    ]
