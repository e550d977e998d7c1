"""Building the audience interaction graph: who engages with whom.

Nodes are accounts, keyed ``"<platform>:<handle>"`` when the handle is known and
``"<platform>:id:<account id>"`` otherwise. Replies, reposts and quotes name their
target by author id and mentions by handle, so ids are translated to handles with a
map built from ``posts`` and ``accounts`` before keying: one account is one node
whichever way it was reached. A directed edge runs from the acting account to its
target and carries one count per kind (``reply``, ``mention``, ``repost``,
``quote``) plus their sum, ``weight``. What the structure says is measured in
`research.analyses.graph.centrality` and `research.analyses.graph.communities`.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd

from research.brands import Brand, brand_lookup
from research.schema import account_keys

__all__ = ["KINDS", "author_keys", "interactions", "interaction_graph", "filter_graph"]

KINDS: tuple[str, ...] = ("reply", "mention", "repost", "quote")
_LINKS = {"reply": "reply_to", "repost": "repost_of", "quote": "quote_of"}


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
        keys[name] = account_keys(platform, handle, ids[name])
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
    everything = _interactions(posts, accounts)
    if kinds == set(KINDS):
        return everything
    # Fewer kinds are a filter of all of them: every link target is resolved either way (below).
    return everything[everything["kind"].isin(list(kinds)).to_numpy(dtype=bool)].reset_index(drop=True)


def _interactions(posts: pd.DataFrame, accounts: pd.DataFrame | None) -> pd.DataFrame:
    """Every interaction of every kind (`interactions` documents the rules)."""
    p = posts.reset_index(drop=True)
    source, targets = _author_and_targets(p, accounts)
    rank = {k: i for i, k in enumerate(KINDS)}
    parts = []
    for kind, target in targets.items():
        target = target.dropna()
        parts.append(pd.DataFrame({"row": target.index, "rank": rank[kind], "target": target.array}))
    handles = p["mentions"].explode().dropna()
    rows = handles.index.to_numpy()
    target = account_keys(p["platform"].take(rows), handles).reset_index(drop=True)
    # A mention that encodes a reply or repost (every link target is resolved) is not counted again.
    encoded = np.zeros(len(rows), dtype=bool)
    for link in targets.values():
        encoded |= target.eq(link.take(rows).reset_index(drop=True)).fillna(False).to_numpy(dtype=bool)
    mentions = pd.DataFrame({"row": rows, "rank": rank["mention"], "target": target.array})[~encoded]
    parts.append(mentions.drop_duplicates(["row", "target"]))
    out = pd.concat(parts, ignore_index=True)
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
    if start is None and end is None:
        return posts  # the same frame: its interactions may be known already
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
    inter: pd.DataFrame | None = None,
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
    inter : DataFrame, optional
        ``interactions(posts, accounts)``, when the caller already has it (with no
        ``platforms``, ``start`` or ``end``: they filter ``posts`` before it is made).

    Returns
    -------
    G : nx.DiGraph
        Node attributes ``platform, handle, label, is_brand, brand`` (``handle`` is ""
        when only the id is known; ``brand`` is "" for audience accounts). Edge
        attributes: one count per kind in ``KINDS`` and ``weight``, their sum. Nodes are
        the accounts on kept edges plus brand accounts that posted, so a brand nobody
        engaged with still appears.
        The graph is frozen (``nx.freeze``): the analyses convert it for igraph once and
        reuse that. Node attributes can still be set (as `set_communities` does);
        ``nx.DiGraph(G)`` is an editable copy.

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
    if inter is None or platforms is not None or start is not None or end is not None:
        if platforms is not None:
            posts = posts[posts["platform"].isin(list(platforms))]
        posts = _period(posts, start, end)
        inter = interactions(posts, accounts)
    kinds = list(kinds)
    inter = inter[inter["kind"].isin(kinds).to_numpy(dtype=bool)] if set(kinds) != set(KINDS) else inter
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
    lookup = {
        f"{p}:{h}": name for (p, h), name in brand_lookup(brands).items()
    }  # brand handles: lower, no '@'
    authors = account_keys(posts["platform"], posts["author_handle"])
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
    return nx.freeze(G)


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
