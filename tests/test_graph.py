"""Interaction graph: building, metrics, communities and rankings against planted truth."""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import research.analyses.graph.centrality as graph_centrality
from research.analyses.graph import (
    KINDS,
    betweenness,
    bridges,
    filter_graph,
    influencers,
    interaction_graph,
    interactions,
    node_metrics,
    pagerank,
    to_igraph,
)
from research.analyses.graph.communities import (
    community_labels,
    community_report,
    detect_communities,
    partition_nmi,
    set_communities,
)
from research.brands import Brand
from research.schema import accounts_frame, conform, posts_frame

BRANDS = [
    Brand("Brew Bros", "client", (("twitter", "brewbros"),)),
    Brand("Kettle Kings", "competitor", (("twitter", "kettlekings"), ("bluesky", "kettlekings.bsky.social"))),
]
T0 = pd.Timestamp("2026-08-01", tz="UTC")


def post(pid, author, **kw):
    """A twitter post by ``author`` (handle; its id is ``id-<handle>``)."""
    row = {"platform": "twitter", "post_id": str(pid), "author_id": f"id-{author}", "author_handle": author}
    row["created_at"] = T0 + pd.Timedelta(minutes=int(pid) if str(pid).isdigit() else 0)
    return {**row, **kw}


def planted_world(seed: int = 0):
    """Three communities of 30 fans with their own hashtags, language and brand.

    Community "tea" talks #chai in English and engages Brew Bros; "coffee" talks
    #espresso in Hindi and engages Kettle Kings; "snacks" talks #samosa in Spanish and
    engages both. ``tea00`` is the tea community's hub (everyone replies to it, and it
    mentions Brew Bros in every post); ``link``
    belongs to tea and talks to many coffee fans: the planted bridge.
    """
    rng = random.Random(seed)
    groups = {
        "tea": ("chai", "en", "masala morning ritual", ["brewbros"]),
        "coffee": ("espresso", "hi", "crema roast beans", ["kettlekings"]),
        "snacks": ("samosa", "es", "crispy spicy fried", ["brewbros", "kettlekings"]),
    }
    members = {g: [f"{g}{i:02d}" for i in range(30)] for g in groups}
    members["tea"].append("link")
    rows, pid = [], 0
    for g, (tag, lang, words, brands) in groups.items():
        for author in members[g]:
            for _ in range(6):
                pid += 1
                hub = members[g][0]
                target = hub if rng.random() < 0.3 and author != hub else rng.choice(members[g])
                mentions = [rng.choice(members[g])]
                if author == hub or rng.random() < 0.4:  # the hub always talks to its brand(s)
                    mentions.append(rng.choice(brands))
                rows.append(
                    post(pid, author, text=f"{words} #{tag} again", hashtags=[tag], lang=lang,
                         mentions=mentions, reply_to_author_id=f"id-{target}", reply_to_post_id=f"x{pid}")
                )  # fmt: skip
    for i in range(12):
        pid += 1
        rows.append(post(pid, "link", text="hello", lang="en", mentions=[members["coffee"][i], "tea01"]))
    for brand in ("brewbros", "kettlekings"):
        pid += 1
        rows.append(post(pid, brand, text="our #launch today", hashtags=["launch"], lang="en"))
    truth = {n: g for g, ms in members.items() for n in (f"twitter:{m}" for m in ms)}
    return posts_frame(rows), truth


@pytest.fixture(scope="module")
def world():
    posts, truth = planted_world()
    G = interaction_graph(posts, brands=BRANDS)
    return posts, truth, G


# --- building ------------------------------------------------------------------------------------


def test_interactions_resolve_ids_handles_and_post_references():
    posts = posts_frame(
        [
            post(1, "brand"),
            # reply known only by post id: target is the author of post 1
            post(2, "fan", reply_to_post_id="1", mentions=["brand", "pal", "pal"]),
            # repost by author id; "brand" mentioned as RT @brand: counted once, as repost
            post(3, "fan", repost_of_author_id="id-brand", repost_of_post_id="1", mentions=["brand"]),
            # quote of an account known only from the accounts table (id 42 -> handle "star")
            post(4, "fan", quote_of_author_id="42"),
            # reply to an account nobody knows the handle of; self-reply dropped
            post(5, "fan", reply_to_author_id="99"),
            post(6, "fan", reply_to_author_id="id-fan", mentions=["FAN"]),
        ]
    )
    accounts = accounts_frame([{"platform": "twitter", "account_id": "42", "handle": "Star"}])
    got = interactions(posts, accounts)[["post_id", "source", "target", "kind"]].values.tolist()
    assert got == [
        ["2", "twitter:fan", "twitter:brand", "reply"],
        ["2", "twitter:fan", "twitter:pal", "mention"],
        ["3", "twitter:fan", "twitter:brand", "repost"],
        ["4", "twitter:fan", "twitter:star", "quote"],
        ["5", "twitter:fan", "twitter:id:99", "reply"],
    ]


def test_interactions_keep_kinds_apart_and_handle_empty_input():
    assert interactions(posts_frame([])).empty
    posts = posts_frame([post(1, "a", mentions=["b"], reply_to_author_id="id-c")])
    assert interactions(posts, kinds=["mention"])["kind"].tolist() == ["mention"]
    assert len(interaction_graph(posts_frame([]))) == 0


def test_graph_counts_per_kind_and_weight():
    posts = posts_frame(
        [
            post(1, "fan", mentions=["brewbros"]),
            post(2, "fan", mentions=["brewbros"], reply_to_author_id="id-brewbros"),
            post(3, "fan", repost_of_author_id="id-brewbros"),
            post(4, "brewbros", text="hi"),
            post(5, "kettlekings", text="nobody engages us"),
        ]
    )
    G = interaction_graph(posts, brands=BRANDS)
    assert G.edges["twitter:fan", "twitter:brewbros"] == {
        "reply": 1,
        "mention": 1,
        "repost": 1,
        "quote": 0,
        "weight": 3,
    }
    assert G.nodes["twitter:brewbros"] == {
        "platform": "twitter", "handle": "brewbros", "label": "brewbros", "is_brand": True, "brand": "Brew Bros",
    }  # fmt: skip
    assert G.nodes["twitter:kettlekings"]["brand"] == "Kettle Kings"  # a brand without engagement still shows
    assert G.nodes["twitter:fan"]["brand"] == "" and not G.nodes["twitter:fan"]["is_brand"]


def test_build_filters_match_filter_graph(world):
    posts, _, G = world
    for kinds in (["reply"], ["mention", "quote"]):
        built = interaction_graph(posts, brands=BRANDS, kinds=kinds)
        filtered = filter_graph(G, kinds=kinds)
        assert set(built.edges) == set(filtered.edges)
        assert all(built.edges[e]["weight"] == filtered.edges[e]["weight"] for e in built.edges)
    heavy = interaction_graph(posts, brands=BRANDS, min_weight=3)
    assert set(heavy.edges) == set(filter_graph(G, min_weight=3).edges)
    assert all(w >= 3 for *_, w in heavy.edges(data="weight"))


def test_platform_and_period_filters():
    posts = posts_frame(
        [
            post(1, "a", mentions=["b"]),
            {**post(2, "a", mentions=["b"]), "platform": "bluesky", "created_at": T0 + pd.Timedelta(days=40)},
        ]
    )
    assert list(interaction_graph(posts, platforms=["bluesky"]).edges) == [("bluesky:a", "bluesky:b")]
    assert list(interaction_graph(posts, end="2026-08-02").edges) == [("twitter:a", "twitter:b")]
    assert list(interaction_graph(posts, start=T0 + pd.Timedelta(days=1)).edges) == [
        ("bluesky:a", "bluesky:b")
    ]
    assert list(filter_graph(interaction_graph(posts), platforms=["twitter"]).nodes) == [
        "twitter:a",
        "twitter:b",
    ]


def test_build_on_a_hundred_thousand_posts():
    rng = np.random.default_rng(0)
    n = 100_000
    authors = rng.integers(0, 20_000, n).astype(str)
    frame = pd.DataFrame(
        {
            "platform": "twitter",
            "post_id": np.arange(n).astype(str),
            "author_id": authors,
            "author_handle": np.char.add("u", authors),
            "created_at": T0,
            "mentions": [[f"u{m}"] for m in rng.integers(0, 20_000, n)],
            "reply_to_author_id": np.where(rng.random(n) < 0.5, rng.integers(0, 20_000, n).astype(str), None),
        }
    )
    posts = conform(frame)
    G = interaction_graph(posts)  # how fast is for `make bench` to say, not for a test
    assert G.number_of_edges() > 120_000


def test_a_graph_built_from_given_interactions_is_the_graph_of_the_posts(world):
    posts = world[0]
    inter = interactions(posts)
    G = interaction_graph(posts, brands=BRANDS, inter=inter)
    assert sorted(G.edges(data=True)) == sorted(interaction_graph(posts, brands=BRANDS).edges(data=True))
    replies = interaction_graph(posts, brands=BRANDS, inter=inter, kinds=["reply"])
    assert all(d["weight"] == d["reply"] for *_, d in replies.edges(data=True))
    assert (
        replies.number_of_edges()
        == interaction_graph(posts, brands=BRANDS, kinds=["reply"]).number_of_edges()
    )


def test_a_frozen_graph_is_converted_for_igraph_once(world, monkeypatch):
    G = interaction_graph(world[0], brands=BRANDS)
    assert nx.is_frozen(G)
    calls = []
    real = graph_centrality._edge_array
    monkeypatch.setattr(graph_centrality, "_edge_array", lambda g, w: calls.append(w) or real(g, w))
    g1, nodes = to_igraph(G)
    g1.es["weight"] = [0.0] * g1.ecount()  # each caller gets its own copy
    g2, _ = to_igraph(G)
    undirected_view, _ = to_igraph(G, undirected=True)
    ranks = pagerank(G, backend="igraph")
    assert calls == ["weight"]
    assert sum(g2.es["weight"]) == sum(w for *_, w in G.edges(data="weight"))
    assert undirected_view.ecount() == nx.Graph(G).number_of_edges()
    assert ranks == pagerank(nx.DiGraph(G), backend="igraph")  # an editable copy is converted afresh
    assert calls == ["weight", "weight"] and nodes == list(G)


# --- metrics and backends ----------------------------------------------------------------------


def test_backends_agree_on_pagerank_betweenness_core_and_components(world):
    _, _, G = world
    a, b = pagerank(G, backend="networkx"), pagerank(G, backend="igraph")
    assert max(abs(a[n] - b[n]) for n in G) < 1e-5
    top = lambda d: sorted(d, key=lambda n: (-round(d[n], 6), n))[:10]  # noqa: E731
    assert top(a) == top(b)
    for k in (None, 25):
        x, y = betweenness(G, k=k, seed=3, backend="networkx"), betweenness(G, k=k, seed=3, backend="igraph")
        assert max(abs(x[n] - y[n]) for n in G) < 1e-9
    reference = nx.betweenness_centrality(G.to_undirected(), k=25, seed=3)
    assert betweenness(G, k=25, seed=3) == pytest.approx(reference, abs=1e-12)
    m1, m2 = node_metrics(G, backend="networkx"), node_metrics(G, backend="igraph")
    merged = m1.merge(m2, on="account")
    assert (merged["core_x"] == merged["core_y"]).all() and (
        merged["component_x"] == merged["component_y"]
    ).all()


def test_backends_agree_on_undirected_graphs_too():
    G = nx.karate_club_graph()
    for a, b in (
        (pagerank(G, backend="networkx"), pagerank(G, backend="igraph")),
        (betweenness(G, backend="networkx"), betweenness(G, backend="igraph")),
    ):
        assert max(abs(a[n] - b[n]) for n in G) < 1e-6
    nx_metrics, ig_metrics = node_metrics(G, backend="networkx"), node_metrics(G, backend="igraph")
    assert nx_metrics["account"].tolist()[:5] == ig_metrics["account"].tolist()[:5]
    assert (nx_metrics.set_index("account")["core"] == ig_metrics.set_index("account")["core"]).all()
    with pytest.raises(ValueError, match="backend"):
        pagerank(G, backend="gpu")


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="retweet"):
        interactions(posts_frame([]), kinds=["retweet"])


def test_node_metrics_columns_and_values(world):
    _, _, G = world
    m = node_metrics(G)
    assert list(m.columns) == [
        "account", "handle", "platform", "is_brand", "brand", "in_degree", "out_degree",
        "in_weight", "out_weight", "pagerank", "betweenness", "core", "component",
    ]  # fmt: skip
    row = m.set_index("account").loc["twitter:tea00"]
    assert row["in_weight"] == G.in_degree("twitter:tea00", weight="weight")
    assert m["pagerank"].is_monotonic_decreasing and abs(m["pagerank"].sum() - 1) < 1e-9
    assert m["component"].eq(0).sum() == len(max(nx.weakly_connected_components(G), key=len))


def test_louvain_recovers_planted_communities_on_both_backends(world):
    _, truth, G = world
    for backend in ("networkx", "igraph"):
        found = detect_communities(G, seed=0, backend=backend)
        assert partition_nmi(found, truth) >= 0.9
        assert found == detect_communities(G, seed=0, backend=backend)  # deterministic per seed
    q = {
        b: community_report(G, detect_communities(G, backend=b), backend=b, seeds=[1])["modularity"]
        for b in ("networkx", "igraph")
    }
    assert abs(q["networkx"] - q["igraph"]) < 0.02


def test_community_report_says_whether_the_split_is_robust(world):
    _, _, G = world
    report = community_report(G, detect_communities(G))
    assert report["robust"] and report["stability_nmi_min"] >= 0.9 and report["modularity"] > 0.4
    assert report["communities"] == 3 and report["largest_share"] == pytest.approx(32 / len(G))
    assert "robust" in report["summary"]
    noise = nx.gnm_random_graph(300, 600, seed=1, directed=True)
    shaky = community_report(noise, detect_communities(noise))
    assert not shaky["robust"] and shaky["stability_nmi_min"] < 0.9
    pd.io.json.ujson_dumps(report)  # JSON-serialisable named values


def test_partition_nmi_edge_cases():
    assert partition_nmi([{1, 2, 3}], [{1, 2, 3}]) == 1.0
    assert math.isnan(partition_nmi({1: "a"}, {2: "b"}))  # no node in common
    assert 0 < partition_nmi([{1, 2}, {3, 4}], [{1, 2, 3}, {4}]) < 1


def test_community_labels_read_as_sentences(world):
    posts, truth, G = world
    H = set_communities(G.copy(), detect_communities(G))
    labels = community_labels(H, posts).set_index("community")
    assert labels["accounts"].sum() == len(H) and abs(labels["share"].sum() - 1) < 1e-9
    by_tag = {row.top_hashtags.split(", ")[0]: row for row in labels.itertuples()}
    assert set(by_tag) >= {"#chai", "#espresso", "#samosa"}
    assert by_tag["#espresso"].top_languages.startswith("hi ")
    assert by_tag["#espresso"].brands_engaged == "Kettle Kings"
    assert by_tag["#chai"].brands_engaged == "Brew Bros"
    assert set(by_tag["#samosa"].brands_engaged.split(", ")) == {"Brew Bros", "Kettle Kings"}
    assert by_tag["#chai"].central_members.startswith("@tea00")
    assert by_tag["#espresso"].top_words == "again, beans, crema"  # ties broken alphabetically
    assert "#launch" not in " ".join(labels["top_hashtags"])  # brands' own posts do not label
    assert by_tag["#chai"].label.startswith("Community ") and "talks about #chai" in by_tag["#chai"].label


def test_influencers_rank_central_fans_and_exclude_brands(world):
    _, _, G = world
    inf = influencers(G, top=5)
    assert set(inf["brand"]) == {"Brew Bros", "Kettle Kings"}
    assert inf.groupby("brand").size().max() <= 5
    assert not inf["account"].isin(["twitter:brewbros", "twitter:kettlekings"]).any()
    brew = inf[inf["brand"] == "Brew Bros"]
    assert brew["rank"].tolist() == [1, 2, 3, 4, 5]
    # the hubs of the communities that engage a brand are its most central engagers
    assert set(brew["account"].head(2)) == {"twitter:tea00", "twitter:snacks00"}
    kettle = inf[inf["brand"] == "Kettle Kings"]
    assert set(kettle["account"].head(2)) == {"twitter:coffee00", "twitter:snacks00"}
    for row in brew.itertuples():
        assert (
            G.has_edge(row.account, "twitter:brewbros")
            and row.engagement == G.edges[row.account, "twitter:brewbros"]["weight"]
        )


def test_bridges_find_the_planted_link(world):
    _, _, G = world
    H = set_communities(G.copy(), detect_communities(G))
    b = bridges(H, top=5)
    assert b.iloc[0]["account"] == "twitter:link"
    assert b.iloc[0]["communities_linked"] >= 2 and 0 < b.iloc[0]["outside_share"] <= 1
    assert b["rank"].tolist() == list(range(1, len(b) + 1))
    assert not b["account"].isin(["twitter:brewbros", "twitter:kettlekings"]).any()


def test_kinds_constant():
    assert KINDS == ("reply", "mention", "repost", "quote")


# --- the demo world --------------------------------------------------------------------------------


def demo_period(demo):
    """The analysis period of the demo params as UTC instants (local dates, end inclusive)."""
    tz = demo.params.timezone
    start, end = demo.params.period.start, demo.params.period.end
    return pd.Timestamp(start).tz_localize(tz), (pd.Timestamp(end) + pd.Timedelta(days=1)).tz_localize(tz)


def test_demo_planted_communities_are_recovered(demo):
    start, end = demo_period(demo)
    G = interaction_graph(demo.posts, demo.accounts, demo.brands, start=start, end=end)
    truth = {
        f"{c['platform']}:{handle}": name
        for name, c in demo.truth["communities"].items()
        for handle in c["members"]
    }
    found = detect_communities(G, seed=0)
    assert partition_nmi(found, truth) >= 0.8
    report = community_report(G, found)
    assert report["robust"] and report["communities"] >= len(demo.truth["communities"])
    H = set_communities(G, found)
    labels = community_labels(
        H, demo.posts[(demo.posts["created_at"] >= start) & (demo.posts["created_at"] < end)]
    )
    for name, planted in demo.truth["communities"].items():
        members = {f"{planted['platform']}:{h}" for h in planted["members"]}
        biggest = max(range(len(found)), key=lambda i: len(found[i] & members))
        row = labels.set_index("community").loc[biggest]
        assert row["top_languages"].startswith(planted["language"]), name
        assert set(row["top_hashtags"].replace("#", "").split(", ")) & set(planted["hashtags"]), name
