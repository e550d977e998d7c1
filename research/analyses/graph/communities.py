"""Communities of the interaction graph: finding them, checking them, saying what they are about.

Communities are found on the undirected view of `research.analyses.graph.interaction_graph`
(weights of both directions summed): networkx's Louvain on small graphs, igraph's Leiden
above ``research.analyses.graph.IGRAPH_MIN_EDGES`` edges, with the same modularity objective and
results the tests check agree. `community_report` reruns the split with other seeds to
say whether it is robust; `community_labels` describes each community NodeXL-style.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from research.analyses.graph.build import author_keys
from research.analyses.graph.centrality import (
    Backend,
    _edge_array,
    _use_igraph,
    pagerank,
    seeded_igraph,
    to_igraph,
    undirected,
)

__all__ = [
    "ROBUST_NMI",
    "STOPWORDS",
    "detect_communities",
    "partition_nmi",
    "community_report",
    "set_communities",
    "community_labels",
]


def _ordered(parts: Iterable[Iterable]) -> list[set]:
    return sorted((set(p) for p in parts), key=lambda c: (-len(c), min(c)))


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
    return _ig_partition(*to_igraph(G, weight, undirected=True), resolution, seed)


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
    if G.number_of_edges() == 0:  # modularity is undefined without edges: say why, claim nothing
        return {
            "accounts": len(G), "communities": 0, "modularity": None, "largest_share": None,
            "stability_seeds": seeds, "stability_nmi_mean": None, "stability_nmi_min": None,
            "stability_modularity_min": None, "stability_modularity_max": None, "robust": False,
            "summary": f"No account interacted with another in the period ({len(G):,} accounts, no links), "
            "so there are no communities to find.",
        }  # fmt: skip
    if _use_igraph(G, backend):
        ug, nodes = to_igraph(G, weight, undirected=True)  # converted once for every rerun
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
WORD_SAMPLE = 100_000
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’«»…—–¡¿·"
_NOT_WORDS = re.compile(r"https?://\S+|[@#]\S+")
_LETTER = re.compile(r"[^\W\d_]")


def _tops(counts: pd.Series, n: int) -> dict[object, list[tuple[str, float]]]:
    """Each community's ``n`` largest items of ``counts`` (indexed by community, item); ties
    alphabetically, so the result does not depend on input order. One sort for all communities:
    a market stream has thousands of small ones."""
    if counts.empty:
        return {}
    frame = pd.DataFrame(
        {
            "c": counts.index.get_level_values(0),
            "item": counts.index.get_level_values(1),
            "v": counts.to_numpy(),
        }
    )
    frame["key"] = frame["item"].astype(str)
    frame = frame.sort_values(["c", "v", "key"], ascending=[True, False, True], kind="stable")
    out: dict[object, list[tuple[str, float]]] = {}
    for c, item, v in frame.groupby("c", sort=False).head(n)[["c", "item", "v"]].itertuples(index=False):
        out.setdefault(c, []).append((item, v))
    return out


def _content_words(text: object) -> set[str]:
    """The distinct content words of one post: lower case, without links, @handles, #hashtags,
    surrounding punctuation, stopwords, words under three characters and words without a letter."""
    if not isinstance(text, str):
        return set()
    found = set()
    for word in _NOT_WORDS.sub(" ", text.lower()).split():
        word = word.strip(_PUNCT)
        if len(word) >= 3 and word not in STOPWORDS and (word.isalpha() or _LETTER.search(word)):
            found.add(word)
    return found


def _brands_engaged(G: nx.Graph, audience: dict, weight: str) -> dict[object, dict[str, float]]:
    """Interaction weight from each community's audience members to each brand."""
    nodes, rows = _edge_array(G, weight)
    if not G.is_directed():  # either end of an undirected edge may be the engaging one
        rows = np.concatenate([rows, rows[:, [1, 0, 2]]])
    member = np.array([n in audience for n in nodes], dtype=bool)
    community_of = np.array([audience.get(n) for n in nodes], dtype=object)
    brand_of = np.array([G.nodes[n].get("brand") or "" for n in nodes], dtype=object)
    source, target = rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64)
    keep = member[source] & (brand_of[target] != "")
    sums = (
        pd.DataFrame(
            {"community": community_of[source[keep]], "brand": brand_of[target[keep]], "w": rows[keep, 2]}
        )
        .groupby(["community", "brand"])["w"]
        .sum()
    )
    engaged: dict[object, dict[str, float]] = {}
    for (c, brand), w in sums.items():
        engaged.setdefault(c, {})[brand] = w
    return engaged


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
    >>> from research.analyses.graph import interaction_graph
    >>> G = interaction_graph(posts)
    >>> community_labels(set_communities(G, detect_communities(G)), posts)["label"][0]
    'Community 0: 2 accounts (100%); talks about #chai; words masala, chai, time; languages en 100%; central @a, @b.'
    """
    members = {n: c for n, c in G.nodes(data=community) if c is not None}
    brand_nodes = {n for n, b in G.nodes(data="is_brand") if b}
    audience = {n: c for n, c in members.items() if n not in brand_nodes}
    comm = author_keys(posts, accounts).map(audience)
    mine = posts[["hashtags", "text", "lang"]].assign(community=comm.to_numpy())
    mine = mine[comm.notna().to_numpy(dtype=bool)]
    tags = mine[["community", "hashtags"]].explode("hashtags").dropna()
    tags = tags.reset_index().drop_duplicates().groupby("community")["hashtags"].value_counts()
    # NOTE: words come from a fixed-seed sample past WORD_SAMPLE posts: tokenising a million
    # texts costs more than the whole graph, and the top three words of a group do not move.
    sample = mine.sample(WORD_SAMPLE, random_state=0) if len(mine) > WORD_SAMPLE else mine
    codes, texts = pd.factorize(sample["text"])  # reposts and copy-paste repeat texts
    distinct = [_content_words(t) for t in texts] + [set()]  # code -1: no text
    per_post = [distinct[k] for k in codes]
    words = pd.DataFrame(
        {
            "community": sample["community"].repeat([len(w) for w in per_post]).array,
            "word": [w for ws in per_post for w in ws],
        }
    )
    words = words.groupby("community")["word"].value_counts()
    langs = mine.dropna(subset=["lang"]).groupby("community")["lang"].value_counts(normalize=True)
    engaged = _brands_engaged(G, audience, weight)
    scores = centrality if centrality is not None else pagerank(G, weight=weight)
    size = pd.Series(members).value_counts()
    ranked = pd.DataFrame(
        {
            "node": list(audience),
            "community": list(audience.values()),
            "score": [scores.get(n, 0) for n in audience],
        }
    ).sort_values(["score", "node"], ascending=[False, True], kind="stable")
    ranked = (
        ranked.groupby("community", sort=False).head(top).groupby("community", sort=False)["node"].agg(list)
    )
    rows = []
    top_tags, top_words, top_langs = _tops(tags, top), _tops(words, top), _tops(langs, top)
    for c in sorted(size.index):
        central = ranked.get(c, [])
        parts = {
            "top_hashtags": ", ".join(f"#{t}" for t, _ in top_tags.get(c, [])),
            "top_words": ", ".join(w for w, _ in top_words.get(c, [])),
            "top_languages": ", ".join(f"{lang} {share:.0%}" for lang, share in top_langs.get(c, [])),
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
    names = ["top_hashtags", "top_words", "top_languages", "brands_engaged", "central_members"]
    return pd.DataFrame(rows, columns=["community", "accounts", "share", *names, "label"])
