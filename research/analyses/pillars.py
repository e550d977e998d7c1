"""Content pillars: the themes each brand posts about and the audience talks about.

Offline topic clustering of the period's posts (the brands' own posts and the audience's posts,
reposts left out):

- **Terms** of a post are its content words (`research.analyses.words`: Latin, Cyrillic and
  Devanagari words, English/Russian/Hindi stop words, links and @handles dropped) and its
  hashtags as ``#tag``; brand names and handles are left out, or every brand would be a theme.
- **Pillars** are the components of non-negative matrix factorisations (NMF) of the TF-IDF
  matrix: one of a seeded sample of the brands' own posts, one of the audience's (at most
  ``fit_sample`` posts in all), so the brands' themes are not drowned by the audience's many
  posts; an audience theme that repeats a brand pillar is dropped. Each post is then assigned to
  the pillar its terms point to most (cosine of its TF-IDF vector with the pillar's terms), so
  the cost past the sample is one sparse product per post. Same posts and seed, same pillars.
- Each pillar is **labelled** by its top terms, with two example posts.

``Pillars`` then holds each pillar's share of posts and of engagement per brand and for the
audience (``shares``), what competitors talk about that the client does not (``gaps``: a
competitor's share at least twice the client's and ``min_gap`` above it, Fisher's exact test,
Benjamini–Hochberg-adjusted), and which pillars earn more (``performance``: each own post's
engagement over its own account's usual, `research.analyses.stats.uplift`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from research.analyses.metrics import Period, annotate, own_posts, why_empty
from research.analyses.stats import ALPHA, adjust_pvalues, proportion_test, uplift
from research.analyses.words import post_terms
from research.brands import Brand, brand_names, client_name

__all__ = ["AUDIENCE", "PILLARS_NOTE", "Pillars", "content_pillars", "pillar_shares", "pillar_gaps",
           "pillar_performance"]  # fmt: skip

AUDIENCE = "Audience"
PILLARS_NOTE = (
    "Themes (content pillars) are found from the words and hashtags of the period's posts, brands' and "
    "audience's together, and named by their most telling words; each post belongs to the theme its words fit best."
)
_CHUNK = 50_000  # posts assigned per sparse product: bounds memory at a million posts


@dataclass(frozen=True)
class Pillars:
    """What ``content_pillars`` found: the pillars and the tables the brief shows."""

    table: pd.DataFrame  # pillar, label, terms, examples, found_in, posts, share
    posts: pd.DataFrame  # platform, post_id, who, brand, account, pillar, engagement, relative_engagement
    shares: pd.DataFrame  # who, pillar, label, posts, share_posts, engagement, share_engagement
    gaps: pd.DataFrame
    performance: pd.DataFrame


def content_pillars(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    n_pillars: int = 10,
    seed: int = 0,
    fit_sample: int = 20_000,
    max_terms: int = 5_000,
    min_gap: float = 0.05,
    alpha: float = ALPHA,
) -> Pillars:
    """The period's content pillars, their shares per brand and audience, gaps and performance.

    Parameters
    ----------
    posts : DataFrame
        Canonical or annotated posts (``run.posts``).
    n_pillars : int
        How many pillars to look for (fewer when there are too few posts or terms).
    seed : int
        Seeds the fitting sample and the factorisation: the same posts and seed give the same pillars.
    fit_sample : int
        Posts the factorisation is fitted on; every post is then assigned.

    Returns
    -------
    Pillars
        ``table``: ``pillar, label, terms, examples`` (two texts), ``found_in`` ("brands" or
        "audience": whose posts the theme was found in), ``posts, share`` (of assigned posts); ``posts``: one row per post (``who`` is the brand or "Audience"; ``pillar`` NA for a
        post without a known term); ``shares``, ``gaps`` and ``performance``: see `pillar_shares`,
        `pillar_gaps` and `pillar_performance`. Empty tables say why (``metrics.WHY_EMPTY``).
    """
    ann = annotate(posts, None, brands, period.timezone)
    own = own_posts(posts, None, brands, period)
    audience = ann.loc[period.contains(ann) & ann["brand"].isna() & ann["repost_of_post_id"].isna()]
    docs = pd.concat(
        [
            own.assign(who=own["brand"].astype("string")),
            audience.assign(who=AUDIENCE, relative_engagement=np.nan),
        ]
    )
    docs.attrs = {}  # pandas copies attrs on every step: the annotation mark is not needed here
    drop = _brand_words(brands)
    terms = post_terms(docs["text"], docs["hashtags"], drop=drop)
    table, pillar = _fit(terms, docs["who"].eq(AUDIENCE).to_numpy(dtype=bool), docs, n_pillars, seed, fit_sample,
                         max_terms)  # fmt: skip
    assigned = pd.DataFrame(
        {
            "platform": docs["platform"].to_numpy(),
            "post_id": docs["post_id"].to_numpy(),
            "who": docs["who"].to_numpy(),
            "brand": docs["brand"].to_numpy(),
            "account": docs["account"].to_numpy(),
            "pillar": pd.array(pillar, dtype="Int64"),
            "engagement": docs["engagement"].to_numpy(),
            "relative_engagement": docs["relative_engagement"].astype("float64").to_numpy(),
        }
    )
    shares = pillar_shares(assigned, table)
    return Pillars(
        table=table,
        posts=assigned,
        shares=shares,
        gaps=pillar_gaps(shares, brands, min_gap=min_gap, alpha=alpha),
        performance=pillar_performance(assigned, table, alpha=alpha, seed=seed),
    )


def _brand_words(brands: Sequence[Brand]) -> set[str]:
    words = {w.lower() for b in brands for w in b.name.replace("&", " ").split()}
    for b in brands:
        for _, handle in b.accounts:
            stem = handle.lower().lstrip("@").split(".")[0]
            words |= {handle.lower(), stem}
    return words


_TABLE_COLUMNS = ["pillar", "label", "terms", "examples", "found_in", "posts", "share"]
_SAME = 0.5  # an audience theme this close (cosine of terms) to a brand pillar is that pillar


def _fit(
    terms: list[list[str]],
    is_audience: np.ndarray,
    docs: pd.DataFrame,
    n_pillars: int,
    seed: int,
    fit_sample: int,
    max_terms: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The pillars (``_TABLE_COLUMNS``) and each document's pillar (-1: none).

    The brands' pillars and the audience's themes are factorised apart (each from up to half the
    sample): fitted together, the audience's many posts take every component. An audience theme
    that repeats a brand pillar is dropped; every post then goes to the closest of the rest.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    none = np.full(len(terms), -1, dtype=np.int64)
    usable = np.flatnonzero([len(t) >= 2 for t in terms])
    if len(usable) < 20:
        return why_empty(pd.DataFrame(columns=_TABLE_COLUMNS), _TOO_FEW), none
    rng = np.random.default_rng(seed)
    groups = []
    for rows in (usable[~is_audience[usable]], usable[is_audience[usable]]):
        groups.append(np.sort(rng.choice(rows, min(len(rows), fit_sample // 2), replace=False)))
    sample = np.concatenate(groups)
    vectorizer = TfidfVectorizer(
        analyzer=_identity, min_df=max(3, int(0.0005 * len(sample))), max_df=0.3, max_features=max_terms,
        sublinear_tf=True, dtype=np.float64,
    )  # fmt: skip
    try:
        vectorizer.fit([terms[i] for i in sample])
    except ValueError:  # no term left after min_df/max_df
        return why_empty(pd.DataFrame(columns=_TABLE_COLUMNS), _TOO_FEW), none
    parts, found_in = [], []
    for rows, name in zip(groups, ("brands", "audience"), strict=True):
        if not len(rows):  # real data: brands with no words, or no audience at all
            continue
        H = _factorise(vectorizer.transform([terms[i] for i in rows]), n_pillars, seed)
        if name == "audience" and parts and len(H):
            H = H[(H @ parts[0].T).max(axis=1, initial=0.0) < _SAME]
        parts.append(H)
        found_in += [name] * len(H)
    H = np.vstack([p for p in parts if len(p)]) if any(len(p) for p in parts) else np.zeros((0, 0))
    k = len(H)
    if k < 2:
        return why_empty(pd.DataFrame(columns=_TABLE_COLUMNS), _TOO_FEW), none
    vocabulary = np.array(vectorizer.get_feature_names_out(), dtype=object)
    pillar, score = none.copy(), np.zeros(len(terms))
    for start in range(0, len(terms), _CHUNK):
        S = np.asarray(vectorizer.transform(terms[start : start + _CHUNK]) @ H.T)
        best = S.argmax(axis=1)
        top = S[np.arange(len(best)), best]
        pillar[start : start + len(best)] = np.where(top > 0, best, -1)
        score[start : start + len(best)] = top
    order = _order(pillar, k)  # pillar numbers by size, largest first
    pillar = np.where(pillar >= 0, order[np.maximum(pillar, 0)], -1)
    back = np.argsort(order)
    H, found_in = H[back], [found_in[c] for c in back]
    rows = []
    assigned = int((pillar >= 0).sum())
    for p in range(k):
        members = np.flatnonzero(pillar == p)
        top_terms = [str(vocabulary[j]) for j in np.argsort(-H[p], kind="stable")[:6] if H[p, j] > 0]
        rows.append({"pillar": p + 1, "label": " · ".join(top_terms[:3]), "terms": ", ".join(top_terms),
                     "examples": _examples(docs, members, score), "found_in": found_in[p], "posts": len(members),
                     "share": len(members) / assigned if assigned else np.nan})  # fmt: skip
    table = pd.DataFrame(rows, columns=_TABLE_COLUMNS)
    table = table.loc[table["posts"] > 0].reset_index(drop=True)
    return table, np.where(pillar >= 0, pillar + 1, -1)


def _factorise(X, n_pillars: int, seed: int) -> np.ndarray:
    """NMF components of ``X`` (rows normalised to unit length); none when ``X`` is too small."""
    from sklearn.decomposition import NMF

    k = int(min(n_pillars, X.shape[1] - 1, X.shape[0] // 10))
    if k < 1 or X.nnz == 0:
        return np.zeros((0, X.shape[1]))
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400, tol=1e-4)
    model.fit(X)
    H = model.components_
    H = H[np.linalg.norm(H, axis=1) > 0]
    return H / np.linalg.norm(H, axis=1, keepdims=True)


_TOO_FEW = "Too few posts with words in the period to find themes."


def _identity(terms: list[str]) -> list[str]:
    return terms


def _order(pillar: np.ndarray, k: int) -> np.ndarray:
    """New number of each component: by posts assigned, largest first (ties by component)."""
    sizes = np.bincount(pillar[pillar >= 0], minlength=k)
    ranked = np.lexsort((np.arange(k), -sizes))
    order = np.empty(k, dtype=np.int64)
    order[ranked] = np.arange(k)
    return order


def _examples(docs: pd.DataFrame, members: np.ndarray, score: np.ndarray, n: int = 2) -> list[str]:
    """The ``n`` distinct texts of a pillar that fit it best."""
    out: list[str] = []
    for i in members[np.argsort(-score[members], kind="stable")]:
        value = docs["text"].iat[i]
        text = " ".join(("" if value is None or pd.isna(value) else str(value)).split())
        if text and text not in out:
            out.append(text)
        if len(out) == n:
            break
    return out


SHARE_COLUMNS = ["who", "pillar", "label", "posts", "share_posts", "engagement", "share_engagement"]


def pillar_shares(assigned: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Each pillar's share of each brand's own posts and of the audience's posts, and of their engagement.

    Columns: ``who`` (a brand, or "Audience"), ``pillar, label, posts, share_posts`` (of who's posts
    with a pillar), ``engagement, share_engagement``. Every (who, pillar) pair appears, 0 if unused.
    """
    if table.empty:
        return why_empty(pd.DataFrame(columns=SHARE_COLUMNS), table.attrs.get("why_empty", _TOO_FEW))
    known = assigned.loc[assigned["pillar"].notna()]
    eng = known["engagement"].astype("Float64").fillna(0).astype("float64")
    who = list(dict.fromkeys([*assigned["who"].dropna().astype(str)]))
    grid = pd.MultiIndex.from_product([who, table["pillar"].tolist()], names=["who", "pillar"])
    counts = known.groupby(["who", "pillar"]).size().reindex(grid, fill_value=0)
    sums = eng.groupby([known["who"], known["pillar"]]).sum().reindex(grid, fill_value=0.0)
    out = pd.DataFrame({"posts": counts, "engagement": sums}).reset_index()
    totals = out.groupby("who")[["posts", "engagement"]].transform("sum")
    out["share_posts"] = (out["posts"] / totals["posts"].where(totals["posts"] > 0)).astype("Float64")
    out["share_engagement"] = (
        out["engagement"] / totals["engagement"].where(totals["engagement"] > 0)
    ).astype("Float64")
    out["label"] = out["pillar"].map(table.set_index("pillar")["label"])
    out["posts"] = out["posts"].astype("int64")
    return out[SHARE_COLUMNS]


GAP_COLUMNS = ["pillar", "label", "competitor", "competitor_posts", "competitor_share", "client_posts",
               "client_share", "gap", "audience_share", "p_adjusted", "sentence"]  # fmt: skip


def pillar_gaps(
    shares: pd.DataFrame,
    brands: Sequence[Brand],
    *,
    min_gap: float = 0.05,
    min_posts: int = 10,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """What competitors talk about that the client does not: pillars where a competitor's share of
    own posts is at least twice the client's and ``min_gap`` above it, from ``min_posts`` posts,
    with Fisher's exact test (Benjamini–Hochberg over all pairs tested) below ``alpha``.

    ``gap`` is in share points (0.30 = thirty percentage points); largest first.
    """
    client = client_name(brands)
    empty = pd.DataFrame(columns=GAP_COLUMNS)
    if shares.empty:
        return why_empty(empty, shares.attrs.get("why_empty", _TOO_FEW))
    if client is None:
        return why_empty(empty, "No client brand is named, so no gap can be measured.")
    by = shares.set_index(["who", "pillar"])
    totals = shares.groupby("who")["posts"].sum()
    n_client = int(totals.get(client, 0))
    if not n_client:
        return why_empty(empty, f"{client} has no own posts with words in the period to compare themes with.")
    rows = []
    for name in brand_names(brands):
        if name == client or not totals.get(name, 0):
            continue
        for pillar in shares["pillar"].unique():
            k_comp, k_client = int(by.loc[(name, pillar), "posts"]), int(by.loc[(client, pillar), "posts"])
            s_comp, s_client = k_comp / totals[name], k_client / n_client
            if k_comp < min_posts or s_comp - s_client < min_gap or s_comp < 2 * s_client:
                continue
            audience = by["share_posts"].get((AUDIENCE, pillar), np.nan)
            rows.append({"pillar": pillar, "label": by.loc[(name, pillar), "label"], "competitor": name,
                         "competitor_posts": k_comp, "competitor_share": s_comp, "client_posts": k_client,
                         "client_share": s_client, "gap": s_comp - s_client, "audience_share": audience,
                         "p_value": proportion_test(k_comp, int(totals[name]), k_client, n_client),
                         "n_comp": int(totals[name])})  # fmt: skip
    if not rows:
        return why_empty(
            empty, f"No competitor gives a theme a much larger share of its posts than {client} does."
        )
    out = pd.DataFrame(rows)
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(dtype="float64"))
    out = out.loc[out["p_adjusted"] < alpha]
    if out.empty:
        return why_empty(
            empty, f"No competitor gives a theme a clearly larger share of its posts than {client} does."
        )
    out["sentence"] = [
        f"{r.competitor} gives {r.competitor_share:.0%} of its posts ({r.competitor_posts} of {r.n_comp}) to "
        f"\u201c{r.label}\u201d; {client} gives it {r.client_share:.0%} ({r.client_posts} of {n_client})"
        + (f", the audience {r.audience_share:.0%} of theirs." if pd.notna(r.audience_share) else ".")
        for r in out.itertuples(index=False)
    ]
    out = out.sort_values(["gap", "pillar"], ascending=[False, True], ignore_index=True)
    return out[GAP_COLUMNS]


PERFORMANCE_COLUMNS = ["pillar", "label", "posts", "accounts", "times_usual", "uplift", "ci_low", "ci_high",
                       "significant", "sentence"]  # fmt: skip


def pillar_performance(
    assigned: pd.DataFrame, table: pd.DataFrame, *, min_support: int = 10, alpha: float = ALPHA, seed: int = 0
) -> pd.DataFrame:
    """Which pillars earn more: own posts' engagement over their own account's usual, per pillar.

    ``times_usual`` is the median over the pillar's own posts of (engagement + 1) / (the account's
    median + 1); ``uplift`` compares it with the own posts of other pillars (bootstrap interval,
    Mann–Whitney, Benjamini–Hochberg: `research.analyses.stats.uplift`). Pillars with fewer than
    ``min_support`` own posts are left out. Highest first.
    """
    empty = pd.DataFrame(columns=PERFORMANCE_COLUMNS)
    own = assigned.loc[(assigned["who"] != AUDIENCE) & assigned["pillar"].notna()]
    if table.empty or own.empty:
        return why_empty(empty, table.attrs.get("why_empty") or "No own posts have a theme in the period.")
    flags = pd.DataFrame(
        {str(p): (own["pillar"] == p).to_numpy(dtype=bool) for p in table["pillar"]}, index=own.index
    )
    result = uplift(own["relative_engagement"], flags, min_support=min_support, alpha=alpha, seed=seed)
    result["pillar"] = result["feature"].astype(int)
    accounts = own.groupby("pillar")["account"].nunique()
    out = result.merge(table[["pillar", "label"]], on="pillar")
    out = out.loc[out["eligible"]]  # a pillar with a handful of own posts says nothing about what earns
    if out.empty:
        return why_empty(
            empty, f"No theme has {min_support} or more own posts and as many outside it to compare."
        )
    out["posts"], out["accounts"] = out["n_with"].astype("int64"), out["pillar"].map(accounts).astype("int64")
    out["times_usual"] = out["median_with"]
    out["sentence"] = [
        f"Own posts about \u201c{r.label}\u201d earned {r.times_usual:.1f} times their account's usual "
        f"(median of {r.posts} posts from {r.accounts} account{'s' if r.accounts != 1 else ''})"
        + (
            f", {r.uplift:.1f} times what the brands' other posts earned."
            if r.significant
            else ", no clear difference from the brands' other posts."
        )
        for r in out.itertuples(index=False)
    ]
    out = out.sort_values(["times_usual", "pillar"], ascending=[False, True], ignore_index=True)
    return out[PERFORMANCE_COLUMNS]
