"""The co-action network: accounts that repeatedly do the same thing at the same moment.

A *co-action network* (Pacheco et al. 2021, "Uncovering Coordinated Networks on Social Media";
Schoch et al. 2022, "Coordination patterns reveal online political astroturfing"; the CooRTweet
R package) links two accounts when they do the same thing within a short window:

- ``text``: post near-duplicate texts (`research.analyses.nearduplicates`: shingle Jaccard of
  0.5 or more, 30+ characters after links, @handles and #hashtags are removed, so "Which place
  is this?" never links two customers);
- ``link``: share the same link;
- ``hashtags``: use the same set of two or more hashtags;
- ``reply``: reply to the same post;
- ``repost``: repost the same post.

Default windows are ten minutes for what is posted (texts, links, hashtags) and one minute for
acting on a post (replies, reposts) (``WINDOWS``). People who like the same café do these things
too, now and then: what sets a coordinated pair apart is repetition beyond chance. Co-actions of
a pair more than the longest window apart are separate *occasions*; a pair is coordinated when

- it co-acted on ``min_repeats`` (3) separate occasions or more, and
- more often than chance allows. If the two acted independently, each action of one would meet
  an action of the other with probability "the other's share of all actions of that kind" per
  action in its *crowd* (the actions on the same object within the window). Summed over both
  accounts' actions this is the number of co-actions ``expected`` by chance; the pair is kept
  when a Poisson count with that mean reaches its co-actions with probability at most
  ``alpha`` (0.01) divided by the number of pairs tested. Fans who reply to a busy brand post
  meet in big crowds and are expected to meet often; twelve fresh accounts posting the same
  promotion meet only each other.

Coordinated *groups* are the
connected components (or Louvain communities) of the pairs, with 3 or more accounts
(`research.analyses.coordination`, which reports them).

Candidate pairs come from posts sorted by (kind, object, time): each post is paired only with
the posts of the same object inside its window, never all pairs of accounts. A post with more
than ``max_crowd`` such neighbours (a viral post, a trending hashtag) is paired with its first
``max_crowd`` only, which still links a crowd that moves together, at bounded cost.

Brand accounts are left out (brands cross-post on purpose), as are context posts and posts
without a time or an author.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx
import numpy as np
import pandas as pd
import pyarrow.compute as pc
from scipy.special import pdtrc

from research.analyses.graph.build import author_keys
from research.analyses.metrics import list_elements
from research.analyses.nearduplicates import _mix, near_duplicate_families
from research.brands import Brand, brand_lookup

__all__ = ["KINDS", "WINDOWS", "coactions", "coaction_graph"]

KINDS: tuple[str, ...] = ("text", "link", "hashtags", "reply", "repost")
WINDOWS: dict[str, int] = {"text": 600, "link": 600, "hashtags": 600, "reply": 60, "repost": 60}  # seconds
_COLUMNS = ["kind", "object", "account_a", "account_b", "platform_a", "post_a", "at_a", "platform_b", "post_b",
            "at_b", "crowd", "usual", "occasion", "expected"]  # fmt: skip


def _brand_keys(brands: Iterable[Brand]) -> set[str]:
    return {f"{p}:{h}" for (p, h) in brand_lookup(brands)}


def _window_pairs(
    obj: np.ndarray, t: np.ndarray, window: int, max_crowd: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions ``(i, j)`` of rows with the same ``obj`` and ``0 <= t[j] - t[i] <= window`` (each pair
    once), and each row's *crowd*: the rows of its object within ``window`` before or after it."""
    empty = np.zeros(0, dtype=np.int64)
    if len(obj) < 2:
        return empty, empty, np.zeros(len(obj), dtype=np.int64)
    order = np.lexsort((t, obj))
    o, tt = obj[order], t[order] - t.min()
    span = int(tt.max()) + 2 * window + 1
    line = o.astype(np.int64) * span + tt  # one sorted line: objects apart by more than any window
    after = np.searchsorted(line, line + window, side="right") - np.arange(len(line)) - 1
    before = np.arange(len(line)) - np.searchsorted(line, line - window, side="left")
    crowd = np.empty(len(line), dtype=np.int64)
    crowd[order] = after + before
    count = np.minimum(after, max_crowd)
    i = np.repeat(np.arange(len(line)), count)
    j = i + 1 + (np.arange(len(i)) - np.repeat(np.cumsum(count) - count, count))
    return order[i], order[j], crowd


def _usual(obj: np.ndarray, t: np.ndarray, window: int) -> np.ndarray:
    """How many actions on each action's object its window would hold at the object's usual share.

    The object's share of all actions of the kind, times all the actions of the kind within the
    window around this one: busy hours hold more of everything, so a phrase people write every
    morning is usual in the morning.
    """
    if len(obj) < 2:
        return np.zeros(len(obj))
    order = np.argsort(t, kind="stable")
    ts = t[order]
    traffic = np.empty(len(t), dtype=np.int64)
    traffic[order] = np.searchsorted(ts, ts + window, side="right") - np.searchsorted(ts, ts - window) - 1
    return (np.bincount(obj)[obj] - 1) / (len(obj) - 1) * traffic


# What the co-actions read of each post: selecting these first keeps every row take narrow.
_USED = ["platform", "post_id", "created_at", "text", "urls", "hashtags", "reply_to_post_id",
         "repost_of_post_id", "repost_of_author_id"]  # fmt: skip


def _select(
    posts: pd.DataFrame, accounts: pd.DataFrame | None, brands: Iterable[Brand]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The posts that can co-act (their used columns), their author keys and times in seconds."""
    keys = author_keys(posts, accounts)
    keep = keys.notna() & posts["created_at"].notna()
    keep &= ~keys.isin(list(_brand_keys(brands))).fillna(False)
    if "context" in posts:
        keep &= ~posts["context"].fillna(False).astype(bool)
    rows = np.flatnonzero(keep.to_numpy(dtype=bool))
    sub = posts[_USED].iloc[rows]
    t = sub["created_at"].dt.as_unit("s").astype("int64").to_numpy() if len(rows) else np.zeros(0, np.int64)
    return sub, keys.iloc[rows].to_numpy(dtype=object), t


def _objects(
    sub: pd.DataFrame, kind: str, *, min_chars: int, similarity: float, min_hashtags: int
) -> tuple[np.ndarray, np.ndarray, object]:
    """For one kind: the positions in ``sub`` that act, the object each acts on (int codes), and a checker."""
    original = (sub["repost_of_post_id"].isna() & sub["repost_of_author_id"].isna()).to_numpy(dtype=bool)
    if kind in ("reply", "repost"):
        column = "reply_to_post_id" if kind == "reply" else "repost_of_post_id"
        target = sub["platform"].astype("string") + "\x1f" + sub[column].astype("string")
        has = target.notna().to_numpy(dtype=bool)
        return np.flatnonzero(has), pd.factorize(target[has])[0], None
    if kind == "text":
        at = np.flatnonzero(original)
        found = near_duplicate_families(sub["text"].iloc[at], min_chars=min_chars, similarity=similarity)
        ok = np.flatnonzero(found.family >= 0)

        def check(i: np.ndarray, j: np.ndarray) -> np.ndarray:  # i, j: positions among the acting posts
            return found.similarity(ok[i], ok[j]) >= similarity

        return at[ok], found.family[ok], check
    column = "urls" if kind == "link" else "hashtags"
    values, owner = list_elements(sub[column].iloc[np.flatnonzero(original)])
    owner = np.flatnonzero(original)[owner]
    if not len(owner):
        return owner, owner, None
    if kind == "link":
        codes = pd.factorize(pd.Series(values, dtype="string"))[0]
        return owner, codes, None
    codes = pd.factorize(pd.Series(pc.utf8_lower(values), dtype="string"))[0]
    pairs = np.unique(np.stack([owner, codes], axis=1), axis=0)  # distinct tags per post, by post
    owner, codes = pairs[:, 0], pairs[:, 1]
    first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    size = np.diff(np.r_[first, len(owner)])
    with np.errstate(over="ignore"):  # an order-free hash of each post's set of tags
        key = np.add.reduceat(_mix(codes.astype(np.uint64) + np.uint64(1)), first)
    big = size >= min_hashtags
    return owner[first][big], pd.factorize(key[big])[0], None


def coactions(
    posts: pd.DataFrame,
    *,
    accounts: pd.DataFrame | None = None,
    brands: Iterable[Brand] = (),
    windows: Mapping[str, int | None] | None = None,
    min_chars: int = 30,
    similarity: float = 0.5,
    min_hashtags: int = 2,
    max_crowd: int = 200,
) -> pd.DataFrame:
    """Every co-action: two posts by two accounts doing the same thing within the kind's window.

    Parameters
    ----------
    windows : mapping kind -> seconds
        Overrides ``WINDOWS``; a kind set to ``None`` or 0 is not looked for.
    min_chars, similarity : the near-duplicate text rule (module docstring).
    min_hashtags : a hashtag co-action needs the same set of this many hashtags or more.
    max_crowd : a post is paired with at most this many later posts of the same object.

    Returns
    -------
    DataFrame
        ``kind, object`` (what they shared: the link, the hashtags, ``platform:post id`` of the
        replied or reposted post, ``text family N``), ``account_a, account_b`` (account keys,
        ``a < b``), ``platform_a, post_a, at_a, platform_b, post_b, at_b``; ``crowd`` (actions on the
        object within the window around the earlier post) and ``usual`` (how many it would hold at the
        object's usual share of all actions of the kind in that window: a phrase people write every
        morning has a high one in the morning), ``occasion``
        (numbered per pair: co-actions more than the longest window apart are separate occasions)
        and ``expected``: the co-actions of the pair (all kinds) expected by chance (module docstring).

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([{"platform": "twitter", "post_id": f"{a}{k}", "author_handle": a,
    ...     "created_at": pd.Timestamp("2026-10-03 10:00", tz="UTC") + pd.Timedelta(hours=k, seconds=9 * (a == "y")),
    ...     "repost_of_post_id": f"p{k}"} for a in ("x", "y") for k in range(3)])
    >>> coactions(posts)[["kind", "object", "account_a", "account_b", "occasion"]].values.tolist()
    [['repost', 'twitter:p0', 'twitter:x', 'twitter:y', 1], ['repost', 'twitter:p1', 'twitter:x', 'twitter:y', 2], ['repost', 'twitter:p2', 'twitter:x', 'twitter:y', 3]]
    """
    windows = {**WINDOWS, **(windows or {})}
    unknown = set(windows) - set(KINDS)
    if unknown:
        raise ValueError(f"windows: {sorted(unknown)} are not co-action kinds (known: {', '.join(KINDS)})")
    sub, account, t = _select(posts, accounts, brands)
    codes, names = pd.factorize(pd.Series(account, dtype=object))
    parts, chance = [], []
    for kind in KINDS:
        window = windows.get(kind)
        if not window or len(sub) < 2:
            continue
        at, obj, check = _objects(
            sub, kind, min_chars=min_chars, similarity=similarity, min_hashtags=min_hashtags
        )
        i, j, crowd = _window_pairs(obj, t[at], int(window), max_crowd)
        usual = _usual(obj, t[at], int(window))
        # The chance model: each account's actions of this kind and the crowds it acted in.
        acts = np.bincount(codes[at], minlength=len(names)).astype(float)
        crowded = np.bincount(codes[at], weights=crowd, minlength=len(names))
        chance.append((acts, crowded, max(len(at), 1)))
        other = codes[at[i]] != codes[at[j]]
        i, j = i[other], j[other]
        if check is not None and len(i):
            ok = check(i, j)
            i, j = i[ok], j[ok]
        if len(i):
            parts.append(
                pd.DataFrame(
                    {
                        "kind": kind,
                        "obj": obj[i],
                        "x": at[i],
                        "y": at[j],
                        "crowd": crowd[i],
                        "usual": usual[i],
                    }
                )
            )
    if not parts:
        numeric = {"crowd": "int64", "usual": "float64", "occasion": "int64", "expected": "float64"}
        return pd.DataFrame({c: pd.Series(dtype=numeric.get(c, "object")) for c in _COLUMNS})
    pairs = pd.concat(parts, ignore_index=True)
    x, y = pairs["x"].to_numpy(), pairs["y"].to_numpy()
    swap = names[codes[x]] > names[codes[y]]
    x, y = np.where(swap, y, x), np.where(swap, x, y)
    out = _describe(sub, account, pairs.assign(x=x, y=y))
    ca, cb = codes[x], codes[y]
    # Expected co-actions if b acted independently of a: each of a's actions has ``crowd`` others near
    # it, each b's with probability b's share of all actions of the kind; averaged over both directions.
    out["crowd"], out["usual"] = pairs["crowd"].to_numpy(), pairs["usual"].to_numpy()
    out["expected"] = sum((m[cb] * s[ca] + m[ca] * s[cb]) / (2 * n) for m, s, n in chance)
    # Occasions: per pair, co-actions in time order; a gap longer than the longest window starts a new one.
    longest = max(int(w) for w in windows.values() if w)
    start = np.minimum(t[x], t[y])
    pair = ca.astype(np.int64) * len(names) + cb
    order = np.lexsort((start, pair))
    p, s = pair[order], start[order]
    new = np.r_[True, (p[1:] != p[:-1]) | (np.diff(s) > longest)]
    first = np.r_[True, p[1:] != p[:-1]]
    counter = np.cumsum(new)
    base = np.maximum.accumulate(np.where(first, counter - 1, 0))
    occasion = np.empty(len(order), dtype=np.int64)
    occasion[order] = counter - base
    out["occasion"] = occasion
    return out.sort_values(["account_a", "account_b", "at_a", "kind"], ignore_index=True)[_COLUMNS]


def _describe(sub: pd.DataFrame, account: np.ndarray, pairs: pd.DataFrame) -> pd.DataFrame:
    """The co-action rows: accounts, posts, times and a readable object."""
    # Column by column, and only the rows each kind needs: at a million posts a market's reposts
    # give millions of co-action rows, and taking whole rows of ``sub`` (texts included) costs seconds.
    x, y = pairs["x"].to_numpy(), pairs["y"].to_numpy()
    px = {c: sub[c].iloc[x] for c in ("platform", "post_id", "created_at")}
    py = {c: sub[c].iloc[y] for c in ("platform", "post_id", "created_at")}
    kind = pairs["kind"].to_numpy(dtype=object)
    obj = np.empty(len(pairs), dtype=object)
    for k, column in (("reply", "reply_to_post_id"), ("repost", "repost_of_post_id")):
        hit = np.flatnonzero(kind == k)
        if len(hit):
            obj[hit] = (
                sub["platform"].iloc[x[hit]].astype(str) + ":" + sub[column].iloc[x[hit]].astype(str)
            ).to_numpy(dtype=object)
    hit = kind == "text"
    obj[hit] = ["text family " + str(v) for v in pairs["obj"].to_numpy()[hit]]
    for k, column in (("link", "urls"), ("hashtags", "hashtags")):
        hit = np.flatnonzero(kind == k)
        mine, theirs = sub[column].to_numpy(dtype=object)[x[hit]], sub[column].to_numpy(dtype=object)[y[hit]]
        for n, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            if k == "link":
                obj[hit[n]] = sorted(set(a) & set(b))[0]
            else:
                obj[hit[n]] = " ".join("#" + h for h in sorted({h.lower() for h in a}))
    return pd.DataFrame(
        {
            "kind": pairs["kind"].astype("string"),
            "object": pd.array(obj, dtype="string"),
            "account_a": pd.array(account[pairs["x"].to_numpy()], dtype="string"),
            "account_b": pd.array(account[pairs["y"].to_numpy()], dtype="string"),
            "platform_a": px["platform"].astype("string").to_numpy(),
            "post_a": px["post_id"].astype("string").to_numpy(),
            "at_a": px["created_at"].array,
            "platform_b": py["platform"].astype("string").to_numpy(),
            "post_b": py["post_id"].astype("string").to_numpy(),
            "at_b": py["created_at"].array,
        }
    )


def coaction_graph(
    posts: pd.DataFrame,
    *,
    accounts: pd.DataFrame | None = None,
    brands: Iterable[Brand] = (),
    windows: Mapping[str, int | None] | None = None,
    min_repeats: int = 3,
    alpha: float = 0.01,
    rows: pd.DataFrame | None = None,
    **options: object,
) -> nx.Graph:
    """The co-action network: accounts that did the same thing at the same moment on ``min_repeats`` occasions.

    A pair is kept when it co-acted on ``min_repeats`` separate occasions or more and its
    co-actions are more than chance gives (module docstring): Poisson probability of as many at
    most ``alpha`` divided by the number of pairs tested (Bonferroni). ``options`` go to
    `coactions` (``min_chars``, ``similarity``, ``min_hashtags``, ``max_crowd``); ``rows``: the
    `coactions` of ``posts`` with the same settings, when the caller already has them.

    Returns
    -------
    nx.Graph
        Undirected; nodes are account keys; an edge per coordinated pair with ``weight`` (the
        number of separate occasions), one count of occasions per kind (``text``, ``link``,
        ``hashtags``, ``reply``, ``repost``), ``coactions`` (the co-action rows), ``expected`` (by
        chance), ``p_value`` and ``first_at``/``last_at``. ``G.graph`` holds the settings
        (``windows``, ``min_repeats``, ``alpha``, ``tested`` pairs) and ``coactions``, every co-action
        row with ``kept`` (its pair is an edge): the evidence `coordinated_groups` reports from, and
        the copies `research.analyses.suspicion.flagged_accounts` reads.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> t0 = pd.Timestamp("2026-10-03 10:00", tz="UTC")
    >>> trio = [{"platform": "twitter", "post_id": f"{a}{k}", "author_handle": a,
    ...     "created_at": t0 + pd.Timedelta(hours=k, seconds=5 * i), "repost_of_post_id": f"p{k}"}
    ...     for i, a in enumerate("xyz") for k in range(3)]
    >>> others = [{"platform": "twitter", "post_id": f"o{i}", "author_handle": f"o{i}",
    ...     "created_at": t0 + pd.Timedelta(minutes=7 * i), "repost_of_post_id": f"q{i}"} for i in range(100)]
    >>> G = coaction_graph(posts_frame(trio + others))
    >>> sorted(G.edges(data="weight"))
    [('twitter:x', 'twitter:y', 3), ('twitter:x', 'twitter:z', 3), ('twitter:y', 'twitter:z', 3)]
    """
    windows = {**WINDOWS, **(windows or {})}
    if rows is None:
        rows = coactions(posts, accounts=accounts, brands=brands, windows=windows, **options)
    G = nx.Graph(
        windows={k: v for k, v in windows.items() if v}, min_repeats=min_repeats, alpha=alpha, tested=0
    )
    if rows.empty:
        G.graph["coactions"] = rows.assign(kept=pd.Series(dtype=bool))
        return G
    by_pair = rows.groupby(["account_a", "account_b"], sort=True)
    stats = by_pair.agg(
        weight=("occasion", "max"), coactions=("occasion", "size"), expected=("expected", "first")
    )
    tested = stats[stats["weight"] >= min_repeats]
    p_value = pd.Series(pdtrc(tested["coactions"] - 1, tested["expected"]), index=tested.index)
    kept = tested[p_value <= alpha / max(len(tested), 1)]
    G.graph["tested"] = len(tested)
    kinds = (
        rows.groupby(["account_a", "account_b", "kind"])["occasion"].nunique().unstack("kind", fill_value=0)
    ).reindex(columns=list(KINDS), fill_value=0)
    times = pd.DataFrame(
        {"first": rows[["at_a", "at_b"]].min(axis=1), "last": rows[["at_a", "at_b"]].max(axis=1)}
    )
    times = times.groupby([rows["account_a"], rows["account_b"]]).agg({"first": "min", "last": "max"})
    first, last = times["first"], times["last"]
    for (a, b), row in kept.iterrows():
        counts = {k: int(kinds.at[(a, b), k]) for k in KINDS}
        G.add_edge(a, b, weight=int(row["weight"]), **counts, coactions=int(row["coactions"]),
                   expected=float(row["expected"]), p_value=float(p_value[(a, b)]),
                   first_at=first[(a, b)], last_at=last[(a, b)])  # fmt: skip
    pairs = pd.MultiIndex.from_frame(rows[["account_a", "account_b"]])
    G.graph["coactions"] = rows.assign(kept=pairs.isin(kept.index))
    return G
