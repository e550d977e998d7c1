"""What the interaction graph's structure says: PageRank, betweenness, influencers, bridges.

Metrics and rankings follow networkx conventions and return plain dicts, lists and
DataFrames. Graphs with more than ``IGRAPH_MIN_EDGES`` edges are handed to python-igraph
for PageRank, betweenness, k-core and components; networkx stays the graph model, and
the tests check that both backends agree on small graphs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Literal, TypeVar

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "IGRAPH_MIN_EDGES",
    "undirected",
    "to_igraph",
    "seeded_igraph",
    "pagerank",
    "betweenness",
    "node_metrics",
    "influencers",
    "bridges",
]

# NOTE: below this size networkx is fast enough and is the reference; above it igraph's C
# code keeps 1M-post worlds inside the 30 s budget. Tests pin both backends to agree.
IGRAPH_MIN_EDGES = 2_000
# Exact betweenness is O(nodes x edges); above this many nodes it is estimated from a
# fixed-seed sample of BETWEENNESS_SOURCES source nodes (networkx's estimator, reproduced
# for igraph): one breadth-first search per source. NOTE: the error shrinks as
# 1/sqrt(sources); with much fewer than 100 the top-10 bridges reshuffle between seeds.
EXACT_BETWEENNESS_MAX_NODES = 5_000
BETWEENNESS_SOURCES = 100

Backend = Literal["auto", "networkx", "igraph"]
T = TypeVar("T")


def _use_igraph(G: nx.Graph, backend: Backend) -> bool:
    if backend not in ("auto", "networkx", "igraph"):
        raise ValueError(f"backend: {backend!r} is not one of 'auto', 'networkx', 'igraph'")
    return backend == "igraph" or (backend == "auto" and G.number_of_edges() > IGRAPH_MIN_EDGES)


def _once(G: nx.Graph, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()`` once per frozen ``G`` and ``key``, kept by the graph itself; else every time.

    NOTE: a frozen graph (``nx.freeze``; `interaction_graph` returns one) cannot change, so what is
    derived from it stays true: the graph object owns it (``G.derived``) and it goes with the graph.
    One notebook asks for communities, PageRank, betweenness and bridges of the same graph, and
    on a million edges each igraph conversion costs about as much as the measure itself. Callers
    must not change what they get.
    """
    if not nx.is_frozen(G):
        return compute()
    known = G.__dict__.setdefault("derived", {})
    if key not in known:
        known[key] = compute()
    return known[key]


def _edge_array(G: nx.Graph, weight: str | None) -> tuple[list, np.ndarray]:
    """The nodes of ``G`` and its edges as rows ``(source index, target index, weight)``."""
    return _once(G, ("rows", weight), lambda: _rows(G, weight))


def _rows(G: nx.Graph, weight: str | None) -> tuple[list, np.ndarray]:
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    # NOTE: adjacency dicts read by generators straight into numpy: on a million edges this
    # is the slowest step of every conversion, and flat generators are 3x faster than a loop.
    nbrs = [nbr for _, nbr in G.adjacency()]
    sizes = np.fromiter(map(len, nbrs), dtype=np.int64, count=len(nbrs))
    total = int(sizes.sum())
    source = np.repeat(np.arange(len(nodes), dtype=float), sizes)
    target = np.fromiter((index[v] for nbr in nbrs for v in nbr), dtype=float, count=total)
    weights = (
        np.fromiter((d.get(weight, 1) for nbr in nbrs for d in nbr.values()), dtype=float, count=total)
        if weight
        else np.ones(total)
    )
    rows = np.column_stack([source, target, weights])
    if not G.is_directed():  # adjacency lists an undirected edge from both ends
        rows = rows[rows[:, 0] <= rows[:, 1]]
    rows = rows.reshape(-1, 3)
    rows.flags.writeable = False  # a frozen graph's rows are shared by every caller
    return nodes, rows


def to_igraph(
    G: nx.Graph, weight: str | None = "weight", *, undirected: bool = False
) -> tuple[ig.Graph, list]:
    """``G`` as an igraph graph (same direction, edge attribute "weight") and its node order.

    Vertex ``i`` of the igraph graph is ``nodes[i]``; attributes other than ``weight``
    stay behind: networkx remains the model, igraph only computes. ``undirected=True``
    gives the undirected view, the weights of both directions summed (as `undirected`).
    A frozen graph is converted once per weight and view; each caller gets a copy
    (cheap, in C).

    Examples
    --------
    >>> g, nodes = to_igraph(nx.DiGraph([("a", "b", {"weight": 3})]))
    >>> nodes, g.es["weight"], g.is_directed()
    (['a', 'b'], [3.0], True)
    """

    def convert() -> tuple[ig.Graph, list]:
        if undirected and G.is_directed():
            g, nodes = to_igraph(G, weight)
            return g.as_undirected(mode="collapse", combine_edges={"weight": "sum"}), nodes
        nodes, rows = _edge_array(G, weight)
        g = ig.Graph(n=len(nodes), edges=rows[:, :2].astype(np.int64), directed=G.is_directed())
        g.es["weight"] = rows[:, 2].tolist()
        return g, nodes

    g, nodes = _once(G, ("igraph", weight, undirected), convert)
    return g.copy(), list(nodes)


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
    fast = _use_igraph(G, backend)

    def compute() -> dict:
        if not fast:
            # NOTE: tighter than networkx's default tolerance so both backends agree to ~1e-9.
            return nx.pagerank(G, alpha=alpha, weight=weight, tol=1e-10, max_iter=1000)
        g, nodes = to_igraph(G, weight)
        ranks = g.pagerank(weights="weight", directed=g.is_directed(), damping=alpha)
        return dict(zip(nodes, ranks, strict=True))

    # Frozen graphs: metrics, labels and pictures share one computation; each caller gets a copy.
    return dict(_once(G, ("pagerank", weight, alpha, fast), compute))


def _sample_size(G: nx.Graph, k: int | Literal["auto"] | None) -> int | None:
    n = len(G)
    if k == "auto":
        k = None if n <= EXACT_BETWEENNESS_MAX_NODES else BETWEENNESS_SOURCES
    return None if k is None or k >= n else int(k)


def _ig_betweenness(ug: ig.Graph, nodes: list, k: int | None, seed: int) -> dict:
    """Betweenness on the undirected graph ``ug``, hop counts (weights ignored)."""
    n = len(nodes)
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
    up to ``EXACT_BETWEENNESS_MAX_NODES`` nodes and above samples ``BETWEENNESS_SOURCES``.

    Examples
    --------
    >>> betweenness(nx.path_graph(3))
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    k = _sample_size(G, k)
    if not _use_igraph(G, backend):
        return nx.betweenness_centrality(G.to_undirected(as_view=True), k=k, seed=seed)
    return _ig_betweenness(*to_igraph(G, None, undirected=True), k, seed)


def _order_components(groups: Iterable[Iterable]) -> dict:
    ordered = sorted((sorted(c) for c in groups), key=lambda c: (-len(c), c[0]))
    return {n: i for i, c in enumerate(ordered) for n in c}


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
        ug, _ = to_igraph(G, weight, undirected=True)
        ranks = pagerank(G, weight=weight, backend="igraph")
        pr = [ranks[n] for n in nodes]
        bt = _ig_betweenness(ug, nodes, _sample_size(G, k), seed)
        core = ug.coreness()
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
    >>> from research.analyses.graph.communities import detect_communities, set_communities
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
