"""Hashtags: frequency, engagement lift, rising tags, co-hashtag clusters, gaps and a recommended set.

Definitions used in the brief:

- **Frequency**: number of posts carrying the hashtag (once per post), overall
  (every post in the period) and per brand (its own posts).
- **Lift** of a hashtag: median relative engagement of own posts carrying it over
  that of own posts without it (``research.analyses.stats.uplift``); tested only for tags
  used in at least ``min_support`` posts, Benjamini–Hochberg-adjusted.
- **Rising**: used significantly more in the period than in the previous period
  of equal length (exact Poisson rate test, adjusted), ``growth = (current + 1) /
  (previous + 1)``.
- **Clusters**: Louvain communities (fixed seed) of the co-hashtag graph, whose
  edge weight is the number of posts carrying both tags.
- **Gap**: a tag with a significant lift above 1 on competitors' own posts that
  the client did not use in the period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow.compute as pc

from research.analyses.metrics import (
    Period,
    annotate,
    in_period,
    list_elements,
    own_posts,
    previous_covered,
    previous_period,
    why_empty,
)
from research.analyses.stats import ALPHA, adjust_pvalues, p_text, rate_test, uplift
from research.brands import Brand, brand_names, client_name

__all__ = [
    "hashtag_frequency",
    "hashtag_lift",
    "rising_hashtags",
    "cohashtag_graph",
    "hashtag_clusters",
    "hashtag_gaps",
    "recommend_hashtags",
]

ALL = "all posts"


def _counts(tag_lists: pd.Series) -> Counter:
    """Posts carrying each tag (once per post), in order of first use."""
    owner, codes, tags = _flat_codes(tag_lists)
    n = max(len(tags), 1)
    once, _ = _distinct(owner * n + codes)  # (post, tag) pairs, each once
    counts = np.bincount(once % n, minlength=len(tags))
    return Counter(dict(zip(tags, counts.tolist(), strict=True)))


def _flat_codes(tag_lists: pd.Series, *, sort: bool = False) -> tuple[np.ndarray, np.ndarray, list]:
    """Every (post position, tag code) of a list column, and the tags by code (first use, or sorted)."""
    values, owner = list_elements(tag_lists)
    encoded = pc.dictionary_encode(values)  # codes in order of first use, as pd.factorize gives them
    codes, tags = encoded.indices.to_numpy().astype(np.int64), encoded.dictionary.to_pylist()
    if sort:
        order = sorted(range(len(tags)), key=tags.__getitem__)
        rank = np.empty(len(tags), dtype=np.int64)
        rank[order] = np.arange(len(tags))
        codes, tags = rank[codes], [tags[i] for i in order]
    return owner, codes, tags


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_counts=True)``, by sorting: NumPy 2.4's unique is ~50x slower here."""
    values = np.sort(values)
    starts = (
        np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else np.zeros(0, dtype=np.int64)
    )
    return values[starts], np.diff(np.r_[starts, len(values)])


def hashtag_frequency(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    top: int | None = None,
) -> pd.DataFrame:
    """Posts per hashtag overall (scope ``"all posts"``) and per brand's own posts.

    Columns: ``scope, hashtag, posts, share`` (of the scope's posts), ``rank``;
    ``top`` keeps the first ``top`` tags per scope.
    """
    timezone = period.timezone
    ann = annotate(posts, None, brands, timezone)[["created_at", "hashtags", "own_post", "brand"]]
    ann = ann.loc[period.contains(ann)]
    scopes = {ALL: ann} | {
        name: ann.loc[ann["own_post"] & (ann["brand"] == name)] for name in brand_names(brands)
    }
    frames = []
    for scope, frame in scopes.items():
        counts = _counts(frame["hashtags"]).most_common(top)
        table = pd.DataFrame(counts, columns=["hashtag", "posts"]).assign(scope=scope)
        table["share"] = table["posts"] / len(frame) if len(frame) else np.nan
        table["rank"] = np.arange(1, len(table) + 1)
        frames.append(table)
    out = pd.concat(frames, ignore_index=True)[["scope", "hashtag", "posts", "share", "rank"]]
    return out.astype({"scope": "string", "hashtag": "string", "posts": "Int64"})


def _lift(own: pd.DataFrame, *, min_support: int, alpha: float, seed: int) -> pd.DataFrame:
    counts = _counts(own["hashtags"])
    tags = sorted(t for t, n in counts.items() if n >= min_support)
    table = uplift(
        own["relative_engagement"],
        _carries(own["hashtags"], tags),
        min_support=min_support,
        alpha=alpha,
        seed=seed,
    )
    return table.rename(columns={"feature": "hashtag"})


def _carries(tag_lists: pd.Series, tags: list[str]) -> pd.DataFrame:
    """One boolean column per tag of ``tags``: whether each post carries it."""
    owner, codes, found = _flat_codes(tag_lists)
    column = pd.Index(tags, dtype=object).get_indexer(found)[codes]  # -1: a tag not asked for
    wanted = column >= 0
    carries = np.zeros((len(tag_lists), len(tags)), dtype=bool)
    carries[owner[wanted], column[wanted]] = True
    return pd.DataFrame(carries, index=tag_lists.index, columns=tags)


def hashtag_lift(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    among: Iterable[str] | None = None,
    min_support: int = 5,
    alpha: float = ALPHA,
    seed: int = 0,
) -> pd.DataFrame:
    """Engagement lift per hashtag on own posts of ``among`` brands (default all), with evidence.

    Columns as ``research.analyses.stats.uplift`` with ``hashtag`` for ``feature``: counts,
    medians, ``uplift``, bootstrap ``ci_low``/``ci_high``, ``p_value``,
    ``p_adjusted``, ``eligible``, ``significant``. Only tags with at least
    ``min_support`` posts are listed.
    """
    own = own_posts(posts, None, brands, period)
    if among is not None:
        own = own.loc[own["brand"].isin(list(among))]
    return _lift(own, min_support=min_support, alpha=alpha, seed=seed)


def rising_hashtags(
    posts: pd.DataFrame, period: Period, *, min_posts: int = 5, alpha: float = ALPHA
) -> pd.DataFrame:
    """Hashtags used more in ``start..end`` than in the previous period of equal length (all posts).

    Columns: ``hashtag, current, previous, growth, p_value, p_adjusted, rising, days`` (distinct
    local days of the period the tag was used on); tags with fewer than ``min_posts`` uses in
    both periods together are left out.
    Sorted rising first, then by growth. Empty, saying why, when the data do not cover the
    previous period (``metrics.previous_covered``): then nothing can be called rising.
    """
    start, end, timezone = period.start, period.end, period.timezone
    uncovered = previous_covered(posts, period)
    if uncovered:
        columns = ["hashtag", "current", "previous", "growth", "p_value", "p_adjusted", "rising", "days"]
        return why_empty(pd.DataFrame(columns=columns).astype({"rising": bool}), uncovered)
    prev_start, prev_end = previous_period(start, end)
    cur = _counts(posts.loc[period.contains(posts), "hashtags"])
    prev = _counts(posts.loc[in_period(posts, prev_start, prev_end, timezone), "hashtags"])
    tags = sorted(t for t in set(cur) | set(prev) if cur[t] + prev[t] >= min_posts)
    out = pd.DataFrame(
        {"hashtag": tags, "current": [cur[t] for t in tags], "previous": [prev[t] for t in tags]}
    )
    out["growth"] = (out["current"] + 1) / (out["previous"] + 1)
    out["p_value"] = [rate_test(c, p) for c, p in zip(out["current"], out["previous"], strict=True)]
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(dtype="float64"))
    out["rising"] = (out["p_adjusted"] < alpha) & (out["current"] > out["previous"])
    now = posts.loc[period.contains(posts), ["hashtags", "created_at"]]
    days = now.assign(day=now["created_at"].dt.tz_convert(timezone).dt.date).explode("hashtags")
    days = days.dropna(subset=["hashtags"]).groupby("hashtags")["day"].nunique()
    out["days"] = out["hashtag"].map(days).fillna(0).astype("int64")
    out = out.sort_values(["rising", "growth", "current"], ascending=False, ignore_index=True)
    return out.astype({"hashtag": "string", "rising": bool})


def cohashtag_graph(posts: pd.DataFrame, *, min_count: int = 2, exclude: Iterable[str] = ()) -> nx.Graph:
    """Undirected co-hashtag graph: nodes are tags used in ``>= min_count`` posts (attribute
    ``posts``), edges join tags used together, ``weight`` = posts carrying both (``>= min_count``).

    ``exclude`` drops tags such as the tracked stream tags, which co-occur with everything.

    Examples
    --------
    >>> p = pd.DataFrame({"hashtags": [["chai", "mumbai"], ["chai", "mumbai"], ["chai"]]})
    >>> G = cohashtag_graph(p)
    >>> G.nodes["chai"]["posts"], G["chai"]["mumbai"]["weight"]
    (3, 2)
    """
    skip = {t.lower().lstrip("#") for t in exclude}
    owner, codes, tags = _flat_codes(posts["hashtags"], sort=True)  # code order = alphabetical order
    n = max(len(tags), 1)
    keep = ~pd.Series(tags, dtype=object).isin(skip).to_numpy(dtype=bool)[codes] if len(tags) else codes >= 0
    pairs_once, _ = _distinct(owner[keep] * n + codes[keep])  # each post's distinct tags, sorted
    owner, codes = pairs_once // n, pairs_once % n
    posts_per_tag = np.bincount(codes, minlength=len(tags))
    nodes = {tags[c]: int(k) for c, k in enumerate(posts_per_tag) if k >= min_count}
    # Pairs of node tags within a post (a < b, as combinations of a sorted list give them).
    node = (posts_per_tag >= min_count)[codes] if len(tags) else codes >= 0
    frame = pd.DataFrame({"post": owner[node], "tag": codes[node]})
    both = frame.merge(frame, on="post", suffixes=("_a", "_b"))
    both = both.loc[both["tag_a"] < both["tag_b"]]
    pair_codes, weights = _distinct(both["tag_a"].to_numpy() * n + both["tag_b"].to_numpy())
    G = nx.Graph()
    G.add_nodes_from((t, {"posts": k}) for t, k in sorted(nodes.items()))
    G.add_edges_from(
        (tags[int(pc // n)], tags[int(pc % n)], {"weight": int(w)})
        for pc, w in zip(pair_codes, weights, strict=True)
        if w >= min_count
    )
    return G


def hashtag_clusters(G: nx.Graph, *, weight: str = "weight", seed: int = 0) -> pd.DataFrame:
    """Topic clusters of a co-hashtag graph: Louvain communities with a label.

    Columns: ``hashtag, cluster`` (0 = largest), ``label`` (the cluster's three
    most used tags), ``cluster_size``, ``posts``. Isolated tags form their own
    one-tag clusters.
    """
    communities = nx.community.louvain_communities(G, weight=weight, seed=seed) if len(G) else []
    posts = nx.get_node_attributes(G, "posts")
    ordered = sorted(communities, key=lambda c: (-len(c), -sum(posts.get(t, 0) for t in c), min(c)))
    rows = []
    for i, community in enumerate(ordered):
        members = sorted(community, key=lambda t: (-posts.get(t, 0), t))
        label = ", ".join(f"#{t}" for t in members[:3])
        rows += [{"hashtag": t, "cluster": i, "label": label, "cluster_size": len(members), "posts": posts.get(t, 0)}
                 for t in members]  # fmt: skip
    out = pd.DataFrame(rows, columns=["hashtag", "cluster", "label", "cluster_size", "posts"])
    return out.astype({"hashtag": "string", "label": "string"})


def hashtag_gaps(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    min_support: int = 5,
    alpha: float = ALPHA,
    seed: int = 0,
) -> pd.DataFrame:
    """Hashtags that significantly lift competitors' engagement and the client did not use.

    Columns: the lift evidence of ``hashtag_lift`` on competitors' posts plus
    ``competitors`` (who used it, most uses first).
    """
    own = own_posts(posts, None, brands, period)
    client = client_name(brands)
    rivals = own.loc[own["brand"] != client] if client else own
    used_by_client = set(_counts(own.loc[own["brand"] == client, "hashtags"])) if client else set()
    lift = _lift(rivals, min_support=min_support, alpha=alpha, seed=seed)
    gaps = lift.loc[lift["significant"] & (lift["uplift"] > 1) & ~lift["hashtag"].isin(used_by_client)].copy()
    users = rivals[["brand", "hashtags"]].explode("hashtags")
    gaps["competitors"] = [
        ", ".join(users.loc[users["hashtags"] == t, "brand"].value_counts().index) for t in gaps["hashtag"]
    ]
    if gaps.empty:
        why = (
            f"No hashtag used on {min_support} or more competitor posts earned measurably more, or the client "
            "already uses those that did."
            if len(rivals)
            else "No competitor has own posts in the period, so no hashtag of theirs can be compared."
        )
        return why_empty(gaps.reset_index(drop=True), why)
    return gaps.reset_index(drop=True)


def recommend_hashtags(
    gaps: pd.DataFrame, lift: pd.DataFrame, rising: pd.DataFrame, *, n: int = 10
) -> pd.DataFrame:
    """A recommended hashtag set, each with its reason and evidence.

    Built from the tables ``hashtag_gaps``, ``hashtag_lift`` and ``rising_hashtags`` made:
    candidates in order of strength are gaps (lift competitors, unused by the client), tags
    with a significant lift across all brands, then significantly rising tags that were used in
    more than three days (a new tag of a day or two is someone's campaign, not a trend). Columns:
    ``hashtag, source`` (``gap``/``lift``/``rising``), ``reason``, ``posts``, ``uplift``,
    ``ci_low``, ``ci_high``, ``p_adjusted``.
    """
    lift = lift.loc[lift["significant"] & (lift["uplift"] > 1)]
    # A tag nobody used before this period and used on three days or fewer is someone's campaign or
    # a one-day event (a competitor's challenge): shown among the rising ones, not recommended.
    new_and_brief = (rising["previous"] == 0) & (rising["days"] <= 3) if "days" in rising else False
    rising = rising.loc[rising["rising"] & ~new_and_brief]
    rows = []
    for source, table in (("gap", gaps), ("lift", lift)):
        for r in table.itertuples():
            who = (
                f"for {r.competitors}; the client does not use it" if source == "gap" else "across all brands"
            )
            rows.append({"hashtag": r.hashtag, "source": source, "posts": r.n_with, "uplift": r.uplift,
                         "ci_low": r.ci_low, "ci_high": r.ci_high, "p_adjusted": r.p_adjusted,
                         "reason": f"{r.n_with} posts with #{r.hashtag} earned {r.uplift:.2f}× the engagement of posts "
                                   f"without it (95% CI {r.ci_low:.2f}–{r.ci_high:.2f}, adjusted {p_text(r.p_adjusted)}) {who}"})  # fmt: skip
    for r in rising.itertuples():
        rows.append({"hashtag": r.hashtag, "source": "rising", "posts": r.current, "uplift": np.nan,
                     "ci_low": np.nan, "ci_high": np.nan, "p_adjusted": r.p_adjusted,
                     "reason": f"#{r.hashtag} is rising: {r.current} posts this period against {r.previous} in the "
                               f"previous one (adjusted {p_text(r.p_adjusted)})"})  # fmt: skip
    columns = ["hashtag", "source", "reason", "posts", "uplift", "ci_low", "ci_high", "p_adjusted"]
    out = pd.DataFrame(rows, columns=columns).drop_duplicates("hashtag").head(n).reset_index(drop=True)
    out = out.astype({"hashtag": "string", "source": "string", "reason": "string"})
    if out.empty:
        return why_empty(out, "No hashtag earned measurably more or rose against the previous period beyond a "
                              "new campaign of someone else's: keep your own tags and test one new tag at a time.")  # fmt: skip
    return out
