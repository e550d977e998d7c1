"""The audience interaction graph: building it, measuring it, finding its communities.

``build`` turns posts into a directed graph of accounts, ``centrality`` ranks them
(PageRank, betweenness, influencers, bridges) and ``communities`` splits the graph and
says what each part is about. The names below are the public API of the first two.
"""

from research.analyses.graph.build import KINDS, author_keys, filter_graph, interaction_graph, interactions
from research.analyses.graph.centrality import (
    IGRAPH_MIN_EDGES,
    betweenness,
    bridges,
    influencers,
    node_metrics,
    pagerank,
    seeded_igraph,
    to_igraph,
    undirected,
)

__all__ = [
    "KINDS",
    "IGRAPH_MIN_EDGES",
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
    "influencers",
    "bridges",
]
