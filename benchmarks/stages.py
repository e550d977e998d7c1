"""The analysis stages the benchmark times, each making the calls a notebook makes.

A stage takes the loaded run (``Ctx``) and returns its outputs by name. Outputs listed
in ``EXACT`` must come out identical whichever graph engine runs (they are aggregates:
counts, medians, tests); the graph outputs (PageRank, partitions) are compared by the
agreement checks in ``benchmarks.run`` instead.

``naive()`` switches every graph algorithm to pure networkx for the naive baseline: the
size thresholds that hand large graphs to igraph are raised to infinity.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from research.analyses.metrics import Period
from research.brands import Brand
from research.params import Params

if TYPE_CHECKING:
    from research.run.notebook import Run

__all__ = [
    "Ctx",
    "warm_up",
    "texts",
    "STAGES",
    "NETWORK_STAGES",
    "EXPORT_STAGES",
    "EXACT",
    "naive",
    "load",
    "comparable",
]


@dataclass
class Ctx:
    """A loaded run: what ``research.run.notebook.open_run`` gives a notebook."""

    params: Params
    posts: pd.DataFrame
    accounts: pd.DataFrame
    brands: list[Brand]
    period: Period
    scratch: Path
    run: Run  # for its read-only ``current`` posts, as the notebooks take them
    shared: dict = field(default_factory=dict)  # outputs later stages reuse (the graph)


def texts(params: Params, workspace: Path) -> int:
    """The pipeline's text step: languages and sentiment of the period's posts, persisted once."""
    from research.run.texts import prepare_texts
    from research.store import Store

    return prepare_texts(params, Store(workspace, params.client))


def load(params: Params, workspace: Path) -> Ctx:
    """Load the processed tables exactly as ``open_run`` does."""
    from research.run.notebook import open_run

    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir=workspace))
    run = open_run(params.path, workspace, scratch)
    return Ctx(
        params=run.params,
        posts=run.posts,
        accounts=run.accounts,
        brands=run.brands,
        period=run.period,
        scratch=scratch,
        run=run,
    )


def warm_up(languages: list[str] | None = None) -> None:
    """Import what the notebooks import and load the text models: the fixed start-up cost."""
    # Imported here, untimed like a kernel start: scipy.stats alone takes ~2 s, igraph about 1 s.
    from research.analyses import audience, competitors, graph, hashtags, mechanics, text, timing  # noqa: F401
    from research.analyses.graph import communities  # noqa: F401

    text.detect_languages(pd.Series(["warm up"]), languages or ["en"])
    text.score_sentiment(pd.Series(["warm up"]), pd.Series(["en"]))


def coordination(c: Ctx) -> dict:
    """Notebooks 02 and 06 first: the co-action network, its coordinated groups, the suspicion
    flags, and the market's posts without the flagged accounts (what market-level tables read)."""
    run = c.run
    groups = run.groups
    return {
        "coaction_size": {"nodes": len(run.coaction), "edges": run.coaction.number_of_edges()},
        "coordinated_groups": groups.drop(columns=["members"]),
        "flags": run.flags,
        "market_posts": len(run.market),
    }


def competitors(c: Ctx) -> dict:
    """Notebook 02: scorecards, change, responses, share of voice, mention sentiment."""
    from research.analyses import competitors as comp
    from research.analyses import text

    P, A, B = c.posts, c.accounts, c.brands
    langs = c.params.languages or ["en"]
    return {
        "scorecard": comp.scorecard(P, A, B, c.period),
        "scorecard_accounts": comp.scorecard(P, A, B, c.period, by="account"),
        "period_change": comp.period_change(P, A, B, c.period, hashtags=c.params.hashtags),
        "response": comp.response_stats(P, B, c.period),
        "share_of_voice": comp.share_of_voice(P, B, c.period, hashtags=c.params.hashtags),
        "mention_sentiment_weekly": text.mention_sentiment(P, B, c.period, languages=langs, freq="week"),
        "mention_sentiment": text.mention_sentiment(P, B, c.period, languages=langs),
    }


def content_timing(c: Ctx) -> dict:
    """Notebook 03: content mix, format and mechanics uplift, top posts, heatmaps, slots."""
    from research.analyses import competitors as comp
    from research.analyses import mechanics, timing

    P, B = c.posts, c.brands
    slots = timing.slot_performance(P, B, c.period)
    out = {
        "content_types": comp.content_mix(P, B, c.period),
        "format_uplift": comp.format_uplift(P, B, c.period),
        "mechanics_uplift": mechanics.mechanics_uplift(P, B, c.period),
        "mechanics_by_brand": mechanics.mechanics_by_brand(P, B, c.period),
        "top_posts": comp.top_posts(P, B, c.period, n=5),
        "posting_heatmap_audience": timing.audience_heatmap(P, B, c.period),
        "slots": slots,
        "recommended_slots": timing.recommend_slots(slots),
    }
    for brand, matrix in timing.posting_heatmaps(P, B, c.period).items():
        out[f"posting_heatmap_{brand}"] = matrix
    return out


def hashtags(c: Ctx) -> dict:
    """Notebook 04: frequency, rising, lift, the co-hashtag graph and its clusters, gaps, set."""
    from research.analyses import hashtags as ht

    P, B = c.posts, c.brands
    G = ht.cohashtag_graph(P.loc[P["created_at"].notna()], min_count=3)
    rising, lift, gaps = (
        ht.rising_hashtags(P, c.period),
        ht.hashtag_lift(P, B, c.period),
        ht.hashtag_gaps(P, B, c.period),
    )
    return {
        "hashtags": ht.hashtag_frequency(P, B, c.period, top=20),
        "rising_hashtags": rising.head(30),
        "hashtag_lift": lift,
        "cohashtag_edges": G,
        "hashtag_clusters": ht.hashtag_clusters(G),
        "hashtag_gaps": gaps,
        "recommended_hashtags": ht.recommend_hashtags(gaps, lift, rising),
    }


def insights(c: Ctx) -> dict:
    """Notebooks 02 and 03: days that stood out, follower growth, breakout posts, content pillars."""
    from research.analyses import breakouts, growth, metrics, pillars, spikes
    from research.analyses import coordination as coord

    P, A, B, run = c.posts, c.accounts, c.brands, c.run
    found = breakouts.breakout_posts(P, B, c.period)
    themes = pillars.content_pillars(run.market, B, c.period, seed=0, n_pillars=16)
    return {
        "spikes": spikes.spikes(P, B, c.period, groups=coord.group_members(run.groups)),
        "follower_growth": growth.follower_growth(run.store.account_history(), B, c.period),
        "breakout_posts": found,
        "breakout_traits": breakouts.breakout_traits(found, metrics.own_posts(P, A, B, c.period)),
        "content_pillars": themes.table,
    }


def _current(c: Ctx) -> pd.DataFrame:
    return c.run.current  # as notebooks 05 and 06 take it


def interaction_graph(c: Ctx) -> dict:
    """Notebook 05, first cell: the period's posts, their interactions and interaction graph."""
    G = c.run.graph
    c.shared["G"] = G
    return {"interaction_edges": G, "graph_size": {"nodes": len(G), "edges": G.number_of_edges()}}


def graph_metrics(c: Ctx) -> dict:
    """Notebook 05: communities and their robustness, node metrics, labels, influencers, bridges."""
    from research.analyses import graph
    from research.analyses.graph import communities

    G = c.shared["G"]
    groups = communities.detect_communities(G)  # of the undirected view, as notebook 05 asks
    communities.set_communities(G, groups)
    report = communities.community_report(G, groups)
    metrics = graph.node_metrics(G)  # PageRank and betweenness once; the rankings below reuse them
    pagerank = dict(zip(metrics["account"], metrics["pagerank"], strict=True))
    betweenness = dict(zip(metrics["account"], metrics["betweenness"], strict=True))
    labels = communities.community_labels(G, _current(c), c.accounts, centrality=pagerank)
    c.shared["labels"] = dict(zip(labels["community"], labels["label"], strict=True)) if len(labels) else {}
    return {
        "node_degrees": metrics[
            ["account", "in_degree", "out_degree", "in_weight", "out_weight", "core", "component"]
        ].sort_values("account", ignore_index=True),
        "pagerank": pagerank,
        "communities": groups,
        "community_report": report,
        "community_labels": labels,
        "influencers": graph.influencers(G, centrality=pagerank),
        "bridges": graph.bridges(G, centrality=betweenness),
    }


def audience(c: Ctx) -> dict:
    """Notebooks 05 and 06: engaged audiences, overlap, languages, activity, sentiment, sizes, suspicion."""
    from research.analyses import audience as au

    current, A, B = _current(c), c.accounts, c.brands
    engaged = au.engaged_audience(current, B, accounts=A, inter=c.run.interactions)
    return {
        "engaged_audience": engaged,
        "audience_overlap": au.audience_overlap(engaged, B),
        "audience_exclusivity": au.audience_exclusivity(engaged, B),
        "audience_languages": au.audience_languages(current, engaged, accounts=A),
        "audience_activity": au.audience_activity(current, engaged, c.period.timezone, accounts=A),
        "audience_sentiment": au.audience_sentiment(
            current, B, accounts=A, sentiment=current["sentiment"], inter=c.run.interactions
        ),
        "account_sizes": au.account_sizes(A, engaged),
        "suspicious_accounts": c.run.flags.head(25),  # computed once per run (the coordination stage)
    }


def graph_export(c: Ctx) -> dict:
    """Notebook 05, last cell: the network picture, graph.gexf and graph.html."""
    from research.brands import client_name
    from research.brief import graph_export as gx
    from research.brief import graph_view

    G = c.shared["G"]
    labels = c.shared.get("labels")
    fig = gx.draw_graph(G, legend=labels, client=client_name(c.brands))
    fig.savefig(c.scratch / "network.png", dpi=100)
    gexf = gx.write_gexf(G, c.scratch / "graph.gexf")
    html = graph_view.write_graph_html(G, c.scratch / "graph.html", legend=labels)
    return {"gexf_mb": gexf.stat().st_size / 2**20, "graph_html_mb": Path(html).stat().st_size / 2**20}


def comparable(outputs: dict) -> dict:
    """Outputs as the agreement checks compare them: graphs become sorted edge tables.

    Called after the stage's clock stops: the notebooks never build these tables.
    """
    import networkx as nx

    return {k: nx_edges(v) if isinstance(v, nx.Graph) else v for k, v in outputs.items()}


def nx_edges(G) -> pd.DataFrame:
    """Edges with their attributes as a sorted table (for exact comparison)."""
    rows = [{"u": u, "v": v, **d} for u, v, d in G.edges(data=True)]
    df = pd.DataFrame(rows)
    return df.sort_values(["u", "v"], ignore_index=True) if len(df) else df


STAGES: dict[str, Callable[[Ctx], dict]] = {
    "coordination": coordination,
    "competitors": competitors,
    "content_timing": content_timing,
    "insights": insights,
    "hashtags": hashtags,
    "interaction_graph": interaction_graph,
    "graph_metrics": graph_metrics,
    "audience": audience,
    "graph_export": graph_export,
}
# The network stages, summed as ``network_stages`` for the naive/ours ratio: the co-hashtag graph
# and its clusters, the interaction graph, its metrics and communities. ``naive`` reroutes their
# algorithms to networkx; the graph build is the same code in both runs, counted in both.
NETWORK_STAGES = ("hashtags", "interaction_graph", "graph_metrics")
# Writing files for people (the picture, graph.gexf) is part of the brief, not an analysis:
# timed, but left out of ``all_analyses`` and of the naive run (it runs no graph algorithm).
EXPORT_STAGES = ("graph_export",)

# Outputs that must be identical between the fast and the naive run (all but graph algorithms' own).
EXACT = (
    "scorecard", "scorecard_accounts", "period_change", "response", "share_of_voice", "mention_sentiment",
    "mention_sentiment_weekly", "content_types", "format_uplift", "mechanics_uplift", "mechanics_by_brand",
    "top_posts", "posting_heatmap_audience", "slots", "recommended_slots", "hashtags", "rising_hashtags",
    "hashtag_lift", "cohashtag_edges", "hashtag_gaps", "recommended_hashtags", "interaction_edges", "node_degrees",
    "engaged_audience", "audience_overlap", "audience_exclusivity", "audience_activity", "audience_languages",
    "audience_sentiment", "account_sizes", "suspicious_accounts",
)  # fmt: skip


def naive() -> None:
    """Route every graph algorithm to networkx (the naive baseline), whatever the graph size."""
    from research.analyses.graph import centrality
    from research.brief import graph_export

    centrality.IGRAPH_MIN_EDGES = math.inf  # every engine choice (communities, centralities, k-core) reads it
    graph_export._SPRING_MAX_NODES = math.inf
