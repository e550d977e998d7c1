"""The audience interaction graph: who engages with whom, and what its structure says.

Nodes are accounts, keyed ``"<platform>:<handle>"`` when the handle is known and
``"<platform>:id:<account id>"`` otherwise. Replies, reposts and quotes name their
target by author id and mentions by handle, so ids are translated to handles with a
map built from ``posts`` and ``accounts`` before keying: one account is one node
whichever way it was reached. A directed edge runs from the acting account to its
target and carries one count per kind (``reply``, ``mention``, ``repost``,
``quote``) plus their sum, ``weight``.

Metrics, communities and rankings follow networkx conventions and return plain
dicts, lists and DataFrames. Graphs with more than ``IGRAPH_MIN_EDGES`` edges are
handed to python-igraph for PageRank, betweenness, k-core, components and communities
(Leiden where networkx runs Louvain); networkx stays the graph model, and the tests
check that both backends agree on small graphs.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Literal

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from research.brands import Brand, brand_lookup

__all__ = [
    "KINDS",
    "IGRAPH_MIN_EDGES",
    "STOPWORDS",
    "author_keys",
    "interactions",
    "interaction_graph",
    "filter_graph",
    "undirected",
    "to_igraph",
    "seeded_igraph",
    "pagerank",
    "betweenness",
    "node_metrics",
    "detect_communities",
    "partition_nmi",
    "community_report",
    "set_communities",
    "community_labels",
    "influencers",
    "bridges",
]

KINDS: tuple[str, ...] = ("reply", "mention", "repost", "quote")
# NOTE: below this size networkx is fast enough and is the reference; above it igraph's C
# code keeps 1M-post worlds inside the 30 s budget. Tests pin both backends to agree.
IGRAPH_MIN_EDGES = 2_000
# Exact betweenness is O(nodes x edges); above this many nodes it is estimated from a
# fixed-seed sample of source nodes (networkx's estimator, reproduced for igraph), as many
# as fit a budget of edge visits (one breadth-first search per source), within these bounds.
EXACT_BETWEENNESS_MAX_NODES = 5_000
BETWEENNESS_BUDGET = 10_000_000
BETWEENNESS_SAMPLE = (16, 256)

Backend = Literal["auto", "networkx", "igraph"]
_LINKS = {"reply": "reply_to", "repost": "repost_of", "quote": "quote_of"}


# --- building ----------------------------------------------------------------------------------


def _lookup(keys: pd.Series, values: pd.Series, queries: list[pd.Series]) -> list[pd.Series]:
    """For each query Series, the value of the first row of ``keys`` equal to it (else NA).

    One factorisation over keys and all queries together: on a million posts each pass
    over the strings costs a noticeable fraction of a second, so joins are pooled, and
    callers pass only the rows that need looking up.
    """
    if not sum(len(q) for q in queries):
        return [pd.Series(pd.NA, index=q.index, dtype="string") for q in queries]
    ok = (keys.notna() & values.notna()).to_numpy(dtype=bool)
    keys, values = keys[ok], values[ok]
    codes, uniques = pd.factorize(pd.concat([keys, *queries], ignore_index=True))
    table = np.full(len(uniques) + 1, None, dtype=object)  # slot -1: not found
    table[codes[: len(keys)][::-1]] = values.to_numpy(dtype=object)[::-1]  # first occurrence wins
    out, start = [], len(keys)
    for q in queries:
        out.append(pd.Series(table[codes[start : start + len(q)]], index=q.index, dtype="string"))
        start += len(q)
    return out


def _clean(handle: pd.Series) -> pd.Series:
    return handle.astype("string").str.lower().str.lstrip("@")


def _keys_for(
    posts: pd.DataFrame, accounts: pd.DataFrame | None, ids: dict[str, pd.Series], handles: dict
) -> dict:
    """Node keys for several id columns of ``posts``, translating ids to handles in one pass.

    ``handles`` gives a handle Series for some names (the author's own); ids are looked up
    only where that is missing. Profiles in ``accounts`` win over handles seen on posts.
    """
    platform = posts["platform"].astype("string")
    frames = [
        posts[["platform", "author_id", "author_handle"]].set_axis(["platform", "id", "handle"], axis=1)
    ]
    if accounts is not None and len(accounts):
        frames.insert(
            0, accounts[["platform", "account_id", "handle"]].set_axis(["platform", "id", "handle"], axis=1)
        )
    seen = pd.concat(frames, ignore_index=True).astype("string")
    known = {name: handles.get(name, pd.Series(pd.NA, index=posts.index, dtype="string")) for name in ids}
    ask = {name: known[name].isna() & ids[name].notna() for name in ids}
    queries = [platform[ask[n]] + "\x1f" + ids[n][ask[n]].astype("string") for n in ids]
    found = _lookup(seen["platform"] + "\x1f" + seen["id"], _clean(seen["handle"]), queries)
    keys = {}
    for name, extra in zip(ids, found, strict=True):
        handle = known[name].fillna(extra) if len(extra) else known[name]
        keys[name] = (platform + ":" + handle).fillna(platform + ":id:" + ids[name].astype("string"))
    return keys


def author_keys(posts: pd.DataFrame, accounts: pd.DataFrame | None = None) -> pd.Series:
    """The node key of each post's author, aligned with ``posts`` (NA if the author is unknown).

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([{"platform": "twitter", "post_id": "1", "author_id": "7", "author_handle": "Ann"},
    ...                      {"platform": "twitter", "post_id": "2", "author_id": "9"}])
    >>> author_keys(posts).tolist()
    ['twitter:ann', 'twitter:id:9']
    """
    handles = {"author": _clean(posts["author_handle"])}
    return _keys_for(posts, accounts, {"author": posts["author_id"]}, handles)["author"]


def _author_and_targets(
    posts: pd.DataFrame, accounts: pd.DataFrame | None
) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Node keys of each post's author and of its reply/repost/quote targets."""
    ids = {
        "author": posts["author_id"],
        **{kind: posts[f"{link}_author_id"] for kind, link in _LINKS.items()},
    }
    keys = _keys_for(posts, accounts, ids, {"author": _clean(posts["author_handle"])})
    source = keys.pop("author")
    # A reference with a post id but no author id targets that post's author, if we have it.
    platform = posts["platform"].astype("string")
    ask = {kind: keys[kind].isna() & posts[f"{link}_post_id"].notna() for kind, link in _LINKS.items()}
    refs = [
        platform[ask[k]] + "\x1f" + posts.loc[ask[k], f"{link}_post_id"].astype("string")
        for k, link in _LINKS.items()
    ]
    found = _lookup(platform + "\x1f" + posts["post_id"].astype("string"), source, refs)
    return source, {
        kind: keys[kind].fillna(f) if len(f) else keys[kind] for kind, f in zip(_LINKS, found, strict=True)
    }


def interactions(
    posts: pd.DataFrame, accounts: pd.DataFrame | None = None, *, kinds: Iterable[str] = KINDS
) -> pd.DataFrame:
    """One row per interaction: ``platform, post_id, created_at, source, target, kind``.

    A reply, repost or quote targets the author of the referenced post: its
    ``*_author_id`` or, when that is missing, the author of the referenced post if it
    is in ``posts``. A mention targets the mentioned handle; one post counts once per
    kind and target. A mention of the account the same post replies to, reposts or
    quotes is not counted again: the leading ``@handle`` of a reply and the
    ``RT @handle:`` of a retweet are how platforms encode those acts. Self-interactions
    (replying in one's own thread, mentioning oneself) are dropped, and so are rows
    whose source or target cannot be identified. Rows follow the order of ``posts``.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([
    ...     {"platform": "twitter", "post_id": "1", "author_id": "7", "author_handle": "brand"},
    ...     {"platform": "twitter", "post_id": "2", "author_id": "8", "author_handle": "fan",
    ...      "reply_to_post_id": "1", "mentions": ["brand", "pal"]},
    ... ])
    >>> interactions(posts)[["source", "target", "kind"]].values.tolist()
    [['twitter:fan', 'twitter:brand', 'reply'], ['twitter:fan', 'twitter:pal', 'mention']]
    """
    kinds = set(kinds)
    if kinds - set(KINDS):
        raise ValueError(
            f"kinds: {sorted(kinds - set(KINDS))} are not interaction kinds (known: {', '.join(KINDS)})"
        )
    p = posts.reset_index(drop=True)
    source, targets = _author_and_targets(p, accounts)
    rank = {k: i for i, k in enumerate(KINDS)}
    parts = []
    for kind, target in targets.items():
        if kind in kinds:
            target = target.dropna()
            parts.append(pd.DataFrame({"row": target.index, "rank": rank[kind], "target": target.array}))
    if "mention" in kinds:
        handles = p["mentions"].explode().dropna()
        rows = handles.index.to_numpy()
        target = (p["platform"].astype("string").take(rows) + ":" + _clean(handles)).reset_index(drop=True)
        # NOTE: every link target is resolved even when fewer kinds are asked for, so a
        # mention that encodes a reply or repost is dropped the same way whatever the filter.
        encoded = np.zeros(len(rows), dtype=bool)
        for link in targets.values():
            encoded |= target.eq(link.take(rows).reset_index(drop=True)).fillna(False).to_numpy(dtype=bool)
        mentions = pd.DataFrame({"row": rows, "rank": rank["mention"], "target": target.array})[~encoded]
        parts.append(mentions.drop_duplicates(["row", "target"]))
    out = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"row": [], "rank": [], "target": []})
    )
    order = np.lexsort((out["rank"].to_numpy(), out["row"].to_numpy()))
    rows = out["row"].to_numpy(dtype=np.int64)[order]
    result = pd.DataFrame(
        {
            "platform": p["platform"].astype("string").array.take(rows),
            "post_id": p["post_id"].astype("string").array.take(rows),
            "created_at": p["created_at"].array.take(rows),
            "source": source.array.take(rows),
            "target": out["target"].astype("string").array.take(order),
            "kind": pd.array(
                np.asarray(KINDS, dtype=object)[out["rank"].to_numpy(dtype=np.int64)[order]], dtype="string"
            ),
        }
    )
    keep = (
        result["source"].notna()
        & result["target"].notna()
        & result["source"].ne(result["target"]).fillna(False)
    )
    return result[keep.to_numpy(dtype=bool)].reset_index(drop=True)


def _period(posts: pd.DataFrame, start: object, end: object) -> pd.DataFrame:
    keep = pd.Series(True, index=posts.index)
    for bound, cmp in ((start, "ge"), (end, "lt")):
        if bound is not None:
            stamp = pd.Timestamp(bound)
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
            keep &= getattr(posts["created_at"], cmp)(stamp).fillna(False)
    return posts[keep]


def interaction_graph(
    posts: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    brands: Iterable[Brand] = (),
    *,
    kinds: Iterable[str] = KINDS,
    platforms: Iterable[str] | None = None,
    start: object = None,
    end: object = None,
    min_weight: int = 1,
) -> nx.DiGraph:
    """Build the directed interaction graph of ``posts``.

    Parameters
    ----------
    posts, accounts : DataFrame
        Canonical tables; ``accounts`` only helps translate ids to handles.
    brands : list of Brand
        Brand accounts are recognised by ``(platform, handle)``.
    kinds : iterable of str
        Interaction kinds to count, a subset of ``KINDS``.
    platforms : iterable of str, optional
        Keep only posts from these platforms.
    start, end : timestamp-like, optional
        Keep posts with ``start <= created_at < end`` (naive values are UTC).
    min_weight : int
        Drop edges whose combined count is below this.

    Returns
    -------
    G : nx.DiGraph
        Node attributes ``platform, handle, label, is_brand, brand`` (``handle`` is ""
        when only the id is known; ``brand`` is "" for audience accounts). Edge
        attributes: one count per kind in ``KINDS`` and ``weight``, their sum. Nodes are
        the accounts on kept edges plus brand accounts that posted, so a brand nobody
        engaged with still appears.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([
    ...     {"platform": "twitter", "post_id": "1", "author_id": "7", "author_handle": "brand"},
    ...     {"platform": "twitter", "post_id": "2", "author_id": "8", "author_handle": "fan",
    ...      "reply_to_post_id": "1", "reply_to_author_id": "7", "mentions": ["brand", "pal"]},
    ...     {"platform": "twitter", "post_id": "3", "author_id": "8", "author_handle": "fan", "mentions": ["brand"]},
    ... ])
    >>> G = interaction_graph(posts, brands=[Brand("Brand", "client", (("twitter", "brand"),))])
    >>> G.edges["twitter:fan", "twitter:brand"]
    {'reply': 1, 'mention': 1, 'repost': 0, 'quote': 0, 'weight': 2}
    >>> G.nodes["twitter:brand"]["brand"], G.nodes["twitter:pal"]["is_brand"]
    ('Brand', False)
    """
    if platforms is not None:
        posts = posts[posts["platform"].isin(list(platforms))]
    posts = _period(posts, start, end)
    inter = interactions(posts, accounts, kinds=kinds)
    # Aggregate on integer codes: grouping a million string pairs directly is several times slower.
    codes, nodes = pd.factorize(pd.concat([inter["source"], inter["target"]], ignore_index=True), sort=True)
    n, width = len(inter), max(len(nodes), 1)
    pairs, which = np.unique(codes[:n].astype(np.int64) * width + codes[n:], return_inverse=True)
    counts = np.zeros((len(pairs), len(KINDS) + 1), dtype=np.int64)
    np.add.at(counts, (which, pd.Categorical(inter["kind"], categories=KINDS).codes), 1)
    counts[:, -1] = counts[:, :-1].sum(axis=1)
    keep = counts[:, -1] >= min_weight
    pairs, counts = pairs[keep], counts[keep]
    nodes = np.asarray(nodes, dtype=object)
    names = [*KINDS, "weight"]
    lookup = {f"{p}:{h}": name for (p, h), name in brand_lookup(brands).items()}
    authors = posts["platform"].astype("string") + ":" + _clean(posts["author_handle"])
    G = nx.DiGraph()
    G.add_nodes_from(sorted(authors[authors.isin(list(lookup))].unique()))
    edges = zip(nodes[pairs // width].tolist(), nodes[pairs % width].tolist(), counts.tolist(), strict=True)
    G.add_edges_from((u, v, dict(zip(names, row, strict=True))) for u, v, row in edges)
    for node, data in G.nodes(data=True):
        platform, rest = node.split(":", 1)
        handle = "" if rest.startswith("id:") else rest
        brand = lookup.get(node, "")
        data.update(
            platform=platform, handle=handle, label=handle or rest[3:], is_brand=bool(brand), brand=brand
        )
    return G


def filter_graph(
    G: nx.DiGraph,
    *,
    kinds: Iterable[str] | None = None,
    platforms: Iterable[str] | None = None,
    min_weight: int = 1,
    weight: str = "weight",
) -> nx.DiGraph:
    """A copy of ``G`` restricted to some kinds and platforms, without light edges.

    With ``kinds``, ``weight`` is recomputed as the sum of those kinds' counts. Nodes
    left without edges are dropped, except brands.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edge("t:a", "t:b", reply=2, mention=0, repost=1, quote=0, weight=3)
    >>> G.add_edge("t:c", "t:b", reply=0, mention=1, repost=0, quote=0, weight=1)
    >>> list(filter_graph(G, kinds=["reply"]).edges(data="weight"))
    [('t:a', 't:b', 2)]
    """
    H = nx.DiGraph()
    H.graph.update(G.graph)
    kinds = list(kinds) if kinds is not None else None
    platforms = set(platforms) if platforms is not None else None
    for u, v, data in G.edges(data=True):
        data = dict(data)
        if kinds is not None:
            data[weight] = sum(data.get(k, 0) for k in kinds)
        if data.get(weight, 1) < min_weight or data.get(weight, 1) <= 0:
            continue
        if platforms is not None and G.nodes[u].get("platform", u.split(":", 1)[0]) not in platforms:
            continue
        H.add_edge(u, v, **data)
    keep_brand = [
        n
        for n, b in G.nodes(data="is_brand")
        if b and (platforms is None or G.nodes[n]["platform"] in platforms)
    ]
    H.add_nodes_from(keep_brand)
    nx.set_node_attributes(H, {n: G.nodes[n] for n in H})
    return H


# --- metrics ------------------------------------------------------------------------------------


def _use_igraph(G: nx.Graph, backend: Backend) -> bool:
    if backend not in ("auto", "networkx", "igraph"):
        raise ValueError(f"backend: {backend!r} is not one of 'auto', 'networkx', 'igraph'")
    return backend == "igraph" or (backend == "auto" and G.number_of_edges() > IGRAPH_MIN_EDGES)


def _edge_array(G: nx.Graph, weight: str | None) -> tuple[list, np.ndarray]:
    """The nodes of ``G`` and its edges as rows ``(source index, target index, weight)``."""
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    source, target, weights = [], [], []
    # NOTE: raw adjacency dicts and flat lists, not an edge view and tuples: on a million
    # edges this loop is the slowest step of every conversion, and this halves it.
    for u, nbrs in G.adjacency():
        i = index[u]
        for v, d in nbrs.items():
            source.append(i)
            target.append(index[v])
            weights.append(d.get(weight, 1) if weight else 1)
    rows = np.column_stack(
        [np.array(source, dtype=float), np.array(target, dtype=float), np.array(weights, dtype=float)]
    )
    if not G.is_directed():  # adjacency lists an undirected edge from both ends
        rows = rows[rows[:, 0] <= rows[:, 1]]
    return nodes, rows.reshape(-1, 3)


def to_igraph(G: nx.Graph, weight: str | None = "weight") -> tuple[ig.Graph, list]:
    """``G`` as an igraph graph (same direction, edge attribute "weight") and its node order.

    Vertex ``i`` of the igraph graph is ``nodes[i]``; attributes other than ``weight``
    stay behind: networkx remains the model, igraph only computes.

    Examples
    --------
    >>> g, nodes = to_igraph(nx.DiGraph([("a", "b", {"weight": 3})]))
    >>> nodes, g.es["weight"], g.is_directed()
    (['a', 'b'], [3.0], True)
    """
    nodes, rows = _edge_array(G, weight)
    g = ig.Graph(n=len(nodes), edges=rows[:, :2].astype(np.int64), directed=G.is_directed())
    g.es["weight"] = rows[:, 2].tolist()
    return g, nodes


def _ig_undirected(g: ig.Graph) -> ig.Graph:
    return g.as_undirected(mode="collapse", combine_edges={"weight": "sum"}) if g.is_directed() else g


def undirected(G: nx.Graph, weight: str | None = "weight") -> nx.Graph:
    """An undirected copy whose ``weight`` sums both directions (``G.to_undirected`` keeps one).

    Examples
    --------
    >>> undirected(nx.DiGraph([(1, 2, {"weight": 2}), (2, 1, {"weight": 3})])).edges[1, 2]
    {'weight': 5}
    """
    U = nx.Graph()
    U.add_nodes_from(G)
    for u, v, w in G.edges(data=weight or "", default=1):
        U.add_edge(u, v, weight=U[u][v]["weight"] + w if U.has_edge(u, v) else w)
    return U


def pagerank(
    G: nx.DiGraph, *, weight: str | None = "weight", alpha: float = 0.85, backend: Backend = "auto"
) -> dict:
    """PageRank of each node, following edges from engager to engaged.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("c", "b")])
    >>> max(pagerank(G).items(), key=lambda kv: kv[1])[0]
    'b'
    """
    if not _use_igraph(G, backend):
        # NOTE: tighter than networkx's default tolerance so both backends agree to ~1e-9.
        return nx.pagerank(G, alpha=alpha, weight=weight, tol=1e-10, max_iter=1000)
    g, nodes = to_igraph(G, weight)
    return dict(
        zip(nodes, g.pagerank(weights="weight", directed=g.is_directed(), damping=alpha), strict=True)
    )


def _sample_size(G: nx.Graph, k: int | Literal["auto"] | None) -> int | None:
    n = len(G)
    if k == "auto":
        low, high = BETWEENNESS_SAMPLE
        budget = BETWEENNESS_BUDGET // max(G.number_of_edges(), 1)
        k = None if n <= EXACT_BETWEENNESS_MAX_NODES else min(max(budget, low), high)
    return None if k is None or k >= n else int(k)


def _ig_betweenness(g: ig.Graph, nodes: list, k: int | None, seed: int) -> dict:
    n = len(nodes)
    ug = g.as_undirected(mode="collapse") if g.is_directed() else g
    if n <= 2:
        return dict.fromkeys(nodes, 0.0)
    if k is None:
        return {
            v: 2 * b / ((n - 1) * (n - 2)) for v, b in zip(nodes, ug.betweenness(directed=False), strict=True)
        }
    sources = random.Random(seed).sample(nodes, k)  # the sample networkx draws for the same seed
    pos = {v: i for i, v in enumerate(nodes)}
    raw = ug.betweenness(directed=False, sources=[pos[s] for s in sources])
    chosen = set(sources)
    # igraph counts each (source, target) path once; networkx's estimator counts ordered pairs.
    return {v: 2 * b / ((k - (v in chosen)) * (n - 2)) for v, b in zip(nodes, raw, strict=True)}


def betweenness(
    G: nx.Graph, *, k: int | Literal["auto"] | None = "auto", seed: int = 0, backend: Backend = "auto"
) -> dict:
    """Normalised betweenness of each node on the undirected, unweighted view of ``G``.

    Weights count interactions; they are not distances, so paths are counted in hops.
    ``k=None`` is exact; an int estimates from ``k`` source nodes sampled with ``seed``
    exactly as ``nx.betweenness_centrality(G, k=k, seed=seed)`` does; ``"auto"`` is exact
    up to ``EXACT_BETWEENNESS_MAX_NODES`` nodes and above samples as many sources as
    ``BETWEENNESS_BUDGET`` edge visits allow (between the bounds of ``BETWEENNESS_SAMPLE``).

    Examples
    --------
    >>> betweenness(nx.path_graph(3))
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    k = _sample_size(G, k)
    if not _use_igraph(G, backend):
        return nx.betweenness_centrality(G.to_undirected(as_view=True), k=k, seed=seed)
    return _ig_betweenness(*to_igraph(G, None), k, seed)


def _order_components(groups: Iterable[Iterable]) -> dict:
    ordered = sorted((sorted(c) for c in groups), key=lambda c: (-len(c), c[0]))
    return {n: i for i, c in enumerate(ordered) for n in c}


def node_metrics(
    G: nx.DiGraph,
    *,
    weight: str = "weight",
    k: int | Literal["auto"] | None = "auto",
    seed: int = 0,
    backend: Backend = "auto",
) -> pd.DataFrame:
    """One row per account: degrees, PageRank, betweenness, k-core and component.

    Columns: ``account, handle, platform, is_brand, brand, in_degree, out_degree``
    (distinct accounts), ``in_weight, out_weight`` (interactions received and made),
    ``pagerank``, ``betweenness`` (see `betweenness`), ``core`` (k-core number of the
    undirected view) and ``component`` (0 is the largest weakly connected component).
    Sorted by PageRank, highest first.

    Examples
    --------
    >>> G = nx.DiGraph([("t:a", "t:b"), ("t:c", "t:b")])
    >>> node_metrics(G)[["account", "in_weight", "pagerank"]].round(2).values.tolist()[0]
    ['t:b', 2, 0.57]
    """
    nodes = list(G)
    if _use_igraph(G, backend):
        g, nodes = to_igraph(G, weight)  # converted once for every measure
        pr = g.pagerank(weights="weight", directed=g.is_directed())
        bt = _ig_betweenness(g, nodes, _sample_size(G, k), seed)
        core = g.as_undirected(mode="collapse").coreness()
        component = _order_components([nodes[i] for i in c] for c in g.connected_components(mode="weak"))
        mode = ("in", "out") if g.is_directed() else ("all", "all")
        degrees = [g.degree(mode=m) for m in mode] + [g.strength(mode=m, weights="weight") for m in mode]
        values = [pr, [bt[n] for n in nodes], core, [component[n] for n in nodes]]
    else:
        pr = pagerank(G, weight=weight, backend="networkx")
        bt = betweenness(G, k=k, seed=seed, backend="networkx")
        core = nx.core_number(nx.Graph(G))
        groups = nx.weakly_connected_components(G) if G.is_directed() else nx.connected_components(G)
        component = _order_components(groups)
        ins, outs = (G.in_degree, G.out_degree) if G.is_directed() else (G.degree, G.degree)
        degrees = [[d for _, d in view(nodes, weight=w)] for w in (None, weight) for view in (ins, outs)]
        values = [[m[n] for n in nodes] for m in (pr, bt, core, component)]
    out = pd.DataFrame(
        {
            "account": nodes,
            "handle": [G.nodes[n].get("handle", "") for n in nodes],
            "platform": [G.nodes[n].get("platform", "") for n in nodes],
            "is_brand": [bool(G.nodes[n].get("is_brand", False)) for n in nodes],
            "brand": [G.nodes[n].get("brand", "") for n in nodes],
            **dict(zip(["in_degree", "out_degree", "in_weight", "out_weight"], degrees, strict=True)),
            **dict(zip(["pagerank", "betweenness", "core", "component"], values, strict=True)),
        }
    )
    # weights are counts: keep them integral when they are
    for column in ("in_weight", "out_weight"):
        if (out[column] % 1 == 0).all():
            out[column] = out[column].astype("int64")
    return out.sort_values(["pagerank", "account"], ascending=[False, True], ignore_index=True)


# --- communities -------------------------------------------------------------------------------


def _ordered(parts: Iterable[Iterable]) -> list[set]:
    return sorted((set(p) for p in parts), key=lambda c: (-len(c), min(c)))


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """Make igraph's random choices inside the block reproducible.

    python-igraph draws from Python's ``random`` module; this lends it a private
    generator seeded with ``seed`` and restores the default afterwards, so the caller's
    global random state is left alone.

    Examples
    --------
    >>> g = ig.Graph.Famous("Zachary")
    >>> runs = []
    >>> for _ in range(2):
    ...     with seeded_igraph(7):
    ...         runs.append(g.community_leiden(objective_function="modularity").membership)
    >>> runs[0] == runs[1]
    True
    """
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def _ig_partition(ug: ig.Graph, nodes: list, resolution: float, seed: int) -> list[set]:
    with seeded_igraph(seed):
        found = ug.community_leiden(objective_function="modularity", weights="weight", resolution=resolution)
    groups: dict[int, list] = {}
    for node, c in zip(nodes, found.membership, strict=True):
        groups.setdefault(c, []).append(node)
    return _ordered(groups.values())


def detect_communities(
    G: nx.Graph,
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    seed: int = 0,
    backend: Backend = "auto",
) -> list[set]:
    """Communities of the undirected view (weights of both directions summed), largest first.

    Small graphs use networkx's Louvain. Large ones use igraph's Leiden with the same
    modularity objective: Leiden refines Louvain (its communities are always internally
    connected) and stays fast where Louvain stalls; the tests check both reach the same
    modularity and agree on planted communities. Deterministic for a given ``seed``.

    Examples
    --------
    >>> G = nx.DiGraph([(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)])
    >>> detect_communities(G)
    [{0, 1, 2}, {3, 4, 5}]
    """
    if not _use_igraph(G, backend):
        U = undirected(G, weight)
        return _ordered(
            nx.community.louvain_communities(U, weight="weight", resolution=resolution, seed=seed)
        )
    g, nodes = to_igraph(G, weight)
    return _ig_partition(_ig_undirected(g), nodes, resolution, seed)


def _membership(partition: Sequence[Iterable] | dict) -> dict:
    if isinstance(partition, dict):
        return partition
    return {n: i for i, c in enumerate(partition) for n in c}


def partition_nmi(a: Sequence[Iterable] | dict, b: Sequence[Iterable] | dict) -> float:
    """Normalised mutual information of two partitions (arithmetic normalisation).

    Each partition is a list of node sets or a ``{node: label}`` dict; only nodes in
    both count. 1.0 means identical splits, 0.0 independent ones.

    Examples
    --------
    >>> partition_nmi([{1, 2}, {3, 4}], {1: "x", 2: "x", 3: "y", 4: "y"})
    1.0
    >>> partition_nmi([{1, 2}, {3, 4}], [{1, 3}, {2, 4}])
    0.0
    """
    la, lb = _membership(a), _membership(b)
    common = [n for n in la if n in lb]
    if not common:
        return float("nan")
    x = pd.factorize(pd.Series([la[n] for n in common], dtype=object))[0]
    y = pd.factorize(pd.Series([lb[n] for n in common], dtype=object))[0]
    joint = np.zeros((x.max() + 1, y.max() + 1))
    np.add.at(joint, (x, y), 1.0 / len(common))
    px, py = joint.sum(axis=1), joint.sum(axis=0)
    nz = joint > 0
    mi = float((joint[nz] * np.log(joint[nz] / np.outer(px, py)[nz])).sum())
    hx, hy = float(-(px * np.log(px)).sum()), float(-(py * np.log(py)).sum())
    return 1.0 if hx + hy == 0 else round(max(0.0, 2 * mi / (hx + hy)), 12)


ROBUST_NMI = 0.9


def community_report(
    G: nx.Graph,
    communities: list[set],
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    seeds: Iterable[int] = (1, 2, 3),
    backend: Backend = "auto",
) -> dict:
    """Quality and robustness of a community split, as JSON-serialisable named values.

    The split is re-run with each of ``seeds`` and compared with ``communities`` by
    `partition_nmi`. ``robust`` is true when every rerun agrees at NMI >= ``ROBUST_NMI``
    (0.9): then the communities are a property of the data, not of one random start.

    Examples
    --------
    >>> G = nx.DiGraph([(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (2, 3)])
    >>> report = community_report(G, detect_communities(G, seed=0))
    >>> report["communities"], round(report["modularity"], 3), report["robust"]
    (2, 0.357, True)
    """
    seeds = list(seeds)
    if _use_igraph(G, backend):
        g, nodes = to_igraph(G, weight)  # converted once for every rerun
        ug = _ig_undirected(g)
        runs = [_ig_partition(ug, nodes, resolution, s) for s in seeds]

        def modularity(parts: list[set]) -> float:
            member = _membership(parts)
            return ug.modularity([member[n] for n in nodes], weights="weight", resolution=resolution)
    else:
        U = undirected(G, weight)
        runs = [
            detect_communities(G, weight=weight, resolution=resolution, seed=s, backend="networkx")
            for s in seeds
        ]

        def modularity(parts: list[set]) -> float:
            return nx.community.modularity(U, parts, weight="weight", resolution=resolution)

    nmis = [partition_nmi(communities, run) for run in runs]
    qs = [modularity(run) for run in runs]
    report = {
        "accounts": len(G),
        "communities": len(communities),
        "modularity": modularity(communities),
        "largest_share": max((len(c) for c in communities), default=0) / max(len(G), 1),
        "stability_seeds": seeds,
        "stability_nmi_mean": float(np.mean(nmis)) if nmis else float("nan"),
        "stability_nmi_min": float(min(nmis)) if nmis else float("nan"),
        "stability_modularity_min": float(min(qs)) if qs else float("nan"),
        "stability_modularity_max": float(max(qs)) if qs else float("nan"),
    }
    report["robust"] = bool(nmis) and report["stability_nmi_min"] >= ROBUST_NMI
    verdict = "robust" if report["robust"] else "not robust: read communities as tendencies"
    report["summary"] = (
        f"{report['communities']} communities, modularity {report['modularity']:.2f}; "
        f"{len(seeds)} reruns with other seeds agree at NMI {report['stability_nmi_min']:.2f}-"
        f"{max(nmis, default=float('nan')):.2f}, so the split is {verdict}."
    )
    return report


def set_communities(G: nx.Graph, communities: list[set], name: str = "community") -> nx.Graph:
    """Store each node's community number (0 = largest) in node attribute ``name``; return ``G``.

    Like ``nx.set_node_attributes``, this changes ``G`` in place (it is returned for
    chaining): copying a million-edge graph to add one attribute would cost more than
    detecting the communities.

    Examples
    --------
    >>> G = set_communities(nx.path_graph(3), [{0, 1}, {2}])
    >>> dict(G.nodes(data="community"))
    {0: 0, 1: 0, 2: 1}
    """
    nx.set_node_attributes(G, _membership(communities), name)
    return G


# --- who matters ------------------------------------------------------------------------------


def influencers(
    G: nx.DiGraph, *, top: int = 10, weight: str = "weight", centrality: dict | None = None
) -> pd.DataFrame:
    """The most central accounts engaging with each brand.

    An influencer of a brand is a non-brand account with at least one interaction
    towards any of the brand's accounts; they are ranked by ``centrality`` (PageRank
    of the whole graph by default: how much engagement the account itself attracts),
    then by how much they engaged the brand.

    Returns
    -------
    DataFrame
        ``brand, rank, account, handle, platform, centrality, engagement, community``
        (``community`` is NA without a ``community`` node attribute).

    Examples
    --------
    >>> G = nx.DiGraph([("t:a", "t:b"), ("t:c", "t:a"), ("t:d", "t:a")])
    >>> nx.set_node_attributes(G, {"t:b": "B"}, "brand")
    >>> nx.set_node_attributes(G, {n: n == "t:b" for n in G}, "is_brand")
    >>> influencers(G)[["brand", "rank", "account"]].values.tolist()
    [['B', 1, 't:a']]
    """
    scores = centrality if centrality is not None else pagerank(G, weight=weight)
    rows = [
        (brand, u, d.get(weight, 1))
        for b, brand in G.nodes(data="brand")
        if brand
        for u, _, d in G.in_edges(b, data=True)
        if not G.nodes[u].get("is_brand")
    ]
    columns = ["brand", "rank", "account", "handle", "platform", "centrality", "engagement", "community"]
    if not rows:
        return pd.DataFrame(columns=columns)
    df = pd.DataFrame(rows, columns=["brand", "account", "engagement"])
    df = df.groupby(["brand", "account"], as_index=False)["engagement"].sum()
    df["centrality"] = df["account"].map(scores)
    df = df.sort_values(
        ["brand", "centrality", "engagement", "account"], ascending=[True, False, False, True]
    )
    df = df.groupby("brand").head(top).reset_index(drop=True)
    df["rank"] = df.groupby("brand").cumcount() + 1
    return _with_node_attrs(G, df)[columns]


def _with_node_attrs(G: nx.Graph, df: pd.DataFrame) -> pd.DataFrame:
    nodes = df["account"]
    return df.assign(
        handle=[G.nodes[n].get("handle", "") for n in nodes],
        platform=[G.nodes[n].get("platform", "") for n in nodes],
        community=pd.array([G.nodes[n].get("community") for n in nodes], dtype="Int64"),
    )


def bridges(
    G: nx.DiGraph,
    *,
    community: str = "community",
    top: int = 10,
    weight: str = "weight",
    centrality: dict | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Accounts that connect communities, ranked by betweenness.

    A bridge is a non-brand account with interactions (either direction) reaching at
    least one community other than its own. They are ranked by ``centrality``
    (`betweenness` by default), then by the share of their interaction weight that
    crosses to other communities.

    Returns
    -------
    DataFrame
        ``rank, account, handle, platform, community, centrality, communities_linked,
        outside_share``.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])
    >>> bridges(set_communities(G, detect_communities(G)))[["account", "communities_linked"]].values.tolist()
    [['c', 2], ['x', 2]]
    """
    scores = centrality if centrality is not None else betweenness(G, seed=seed)
    nodes, rows = _edge_array(G, weight)
    comm, _ = pd.factorize(pd.Series([G.nodes[n].get(community) for n in nodes], dtype=object))  # None: -1
    # Each edge seen from both ends: this end, the other end, the weight (integer arrays, no strings).
    here = np.concatenate([rows[:, 0], rows[:, 1]]).astype(np.int64)
    there = np.concatenate([rows[:, 1], rows[:, 0]]).astype(np.int64)
    w = np.concatenate([rows[:, 2], rows[:, 2]])
    crossing = (comm[here] >= 0) & (comm[there] >= 0) & (comm[here] != comm[there])
    total = np.bincount(here, weights=w, minlength=len(nodes))
    outside = np.bincount(here[crossing], weights=w[crossing], minlength=len(nodes))
    pairs = np.unique(here[crossing] * (comm.max() + 1) + comm[there[crossing]])
    linked = 1 + np.bincount(pairs // (comm.max() + 1), minlength=len(nodes)) if len(pairs) else 1
    keep = [i for i in np.flatnonzero(outside > 0) if not G.nodes[nodes[i]].get("is_brand")]
    df = pd.DataFrame(
        {
            "account": pd.Series([nodes[i] for i in keep], dtype=object),
            "centrality": [scores.get(nodes[i], 0.0) for i in keep],
            "communities_linked": np.asarray(linked)[keep] if keep else [],
            "outside_share": outside[keep] / total[keep],
        }
    )
    df = df.sort_values(["centrality", "outside_share", "account"], ascending=[False, False, True]).head(top)
    df = _with_node_attrs(G, df.reset_index(drop=True))
    df.insert(0, "rank", range(1, len(df) + 1))
    columns = [
        "account",
        "handle",
        "platform",
        "community",
        "centrality",
        "communities_linked",
        "outside_share",
    ]
    return df[["rank", *columns]]


# --- what communities are about --------------------------------------------------------------

# NOTE: the most frequent function words of the languages in our corpora; community labels
# count content words, and without this list every community would "talk about" "the".
STOPWORDS = frozenset(
    """a about after all also am an and any are as at be because been but by can could did do does
    for from get got had has have he her here him his how i if in into is it its just like me more my
    no not now of on one only or our out so some than that the their them then there these they this
    to too up us was we were what when where which who why will with would you your rt amp via
    de la el en los las del que por para con una un se es lo al no y o su le les des et est pour pas
    qui dans sur il elle ce au du une ne je di e il che per non con un una sono del della gli le da
    o os as um uma do da dos das em com não é der die das und ist nicht ein eine zu den mit von auf
    и в не на что с по как это я он она они но а к у за из то от""".split()
)
WORD_SAMPLE = 200_000
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»…—–¡¿·"


def _top(counts: pd.Series, c: object, n: int) -> list[tuple[str, float]]:
    if c not in counts.index.get_level_values(0):
        return []
    top = counts.loc[c]
    order = np.lexsort(
        (top.index.astype(str), -top.to_numpy())
    )  # ties alphabetically: stable across input order
    return list(top.iloc[order[:n]].items())


def community_labels(
    G: nx.DiGraph,
    posts: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    *,
    community: str = "community",
    weight: str = "weight",
    top: int = 3,
    centrality: dict | None = None,
) -> pd.DataFrame:
    """Describe each community by what its members post and whom they engage.

    In the spirit of NodeXL's "top items per group": from posts written by non-brand
    members, the most used hashtags, content words (stopwords, links, @handles and
    #hashtags removed) and languages; from the graph, the brands the community engages
    most (interaction weight) and its most central members (PageRank by default).
    Brands' own posts are left out so a brand's campaign hashtags do not label its
    audience.

    Returns
    -------
    DataFrame
        ``community, accounts, share, top_hashtags, top_words, top_languages,
        brands_engaged, central_members, label``; ``label`` is one readable sentence.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> posts = posts_frame([
    ...     {"platform": "twitter", "post_id": "1", "author_handle": "a", "text": "masala chai time",
    ...      "hashtags": ["chai"], "lang": "en", "mentions": ["b"]},
    ...     {"platform": "twitter", "post_id": "2", "author_handle": "b", "text": "Masala!",
    ...      "hashtags": ["chai"], "lang": "en", "mentions": ["a"]},
    ... ])
    >>> G = interaction_graph(posts)
    >>> community_labels(set_communities(G, detect_communities(G)), posts)["label"][0]
    'Community 0: 2 accounts (100%); talks about #chai; words masala, chai, time; languages en 100%; central @a, @b.'
    """
    members = {n: c for n, c in G.nodes(data=community) if c is not None}
    brand_nodes = {n for n, b in G.nodes(data="is_brand") if b}
    audience = {n: c for n, c in members.items() if n not in brand_nodes}
    comm = author_keys(posts, accounts).map(audience)
    mine = posts.assign(community=comm.to_numpy())[comm.notna().to_numpy(dtype=bool)]
    tags = mine[["community", "hashtags"]].explode("hashtags").dropna()
    tags = tags.reset_index().drop_duplicates().groupby("community")["hashtags"].value_counts()
    # NOTE: words come from a fixed-seed sample past WORD_SAMPLE posts: tokenising a million
    # texts costs more than the whole graph, and the top three words of a group do not move.
    sample = mine.sample(WORD_SAMPLE, random_state=0) if len(mine) > WORD_SAMPLE else mine
    text = sample["text"].fillna("").str.lower().str.replace(r"https?://\S+|[@#]\S+", " ", regex=True)
    words = pd.DataFrame({"community": sample["community"], "word": text.str.split()}).explode("word")
    words["word"] = words["word"].str.strip(_PUNCT)
    words = words[(words["word"].str.len() >= 3) & ~words["word"].isin(STOPWORDS)]
    words = words[words["word"].str.contains(r"[^\W\d_]", regex=True, na=False)]
    words = words.reset_index().drop_duplicates().groupby("community")["word"].value_counts()
    langs = mine.dropna(subset=["lang"]).groupby("community")["lang"].value_counts(normalize=True)
    engaged: dict[object, dict[str, float]] = {}
    for u, v, w in G.edges(data=weight, default=1):
        if u in members and u not in brand_nodes and G.nodes[v].get("brand"):
            per = engaged.setdefault(members[u], {})
            per[G.nodes[v]["brand"]] = per.get(G.nodes[v]["brand"], 0) + w
    scores = centrality if centrality is not None else pagerank(G, weight=weight)
    size = pd.Series(members).value_counts()
    ranked: dict[object, list] = {}
    for n in sorted((n for n in members if n not in brand_nodes), key=lambda n: (-scores.get(n, 0), n)):
        ranked.setdefault(members[n], []).append(n)
    rows = []
    for c in sorted(size.index):
        central = ranked.get(c, [])
        parts = {
            "top_hashtags": ", ".join(f"#{t}" for t, _ in _top(tags, c, top)),
            "top_words": ", ".join(w for w, _ in _top(words, c, top)),
            "top_languages": ", ".join(f"{lang} {share:.0%}" for lang, share in _top(langs, c, top)),
            "brands_engaged": ", ".join(
                b for b, _ in sorted(engaged.get(c, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            ),
            "central_members": ", ".join(f"@{G.nodes[n].get('label', n)}" for n in central[:top]),
        }
        said = [
            f"Community {c}: {size[c]} accounts ({size[c] / len(members):.0%})",
            parts["top_hashtags"] and f"talks about {parts['top_hashtags']}",
            parts["top_words"] and f"words {parts['top_words']}",
            parts["top_languages"] and f"languages {parts['top_languages']}",
            parts["brands_engaged"] and f"engages {parts['brands_engaged']}",
            parts["central_members"] and f"central {parts['central_members']}",
        ]
        label = "; ".join(s for s in said if s) + "."
        rows.append(
            {
                "community": c,
                "accounts": int(size[c]),
                "share": size[c] / len(members),
                **parts,
                "label": label,
            }
        )
    return pd.DataFrame(rows, columns=["community", "accounts", "share", *parts, "label"] if rows else None)
