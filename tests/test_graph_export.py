"""Graph exports: GEXF that validates and opens, GraphML, CSV edges, and the static picture."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

from research.analyses.graph import KINDS, interaction_graph, node_metrics
from research.analyses.graph.communities import detect_communities, set_communities
from research.brief.graph_export import (
    OTHER_COLOR,
    PALETTE,
    community_colors,
    draw_graph,
    edge_table,
    layout,
    top_nodes,
    write_edges_csv,
    write_gexf,
    write_graphml,
)
from tests.test_graph import BRANDS, planted_world

SPECS = Path(__file__).resolve().parents[1].parent / "shared" / "specs"
GEXF = "{http://www.gexf.net/1.2draft}"


def gexf_schema():
    """The GEXF 1.2draft XML Schema from ../shared/specs, or a skip saying why."""
    etree = pytest.importorskip("lxml.etree", reason="validating GEXF needs lxml")
    xsd = SPECS / "gexf-1.2draft" / "gexf.xsd"
    if not xsd.is_file():
        pytest.skip(f"GEXF schema not found at {xsd} (../shared/specs sits beside the project in CI)")
    return etree, etree.XMLSchema(etree.parse(str(xsd)))


@pytest.fixture(scope="module")
def G():
    posts, _ = planted_world()
    G = interaction_graph(posts, brands=BRANDS)
    set_communities(G, detect_communities(G))
    metrics = node_metrics(G)
    nx.set_node_attributes(G, dict(zip(metrics["account"], metrics["pagerank"], strict=True)), "pagerank")
    G.nodes["twitter:tea01"]["label"] = '</script> & "quotes" <b>'
    return G


def test_gexf_validates_against_the_schema_and_opens_in_networkx(G, tmp_path):
    etree, schema = gexf_schema()
    path = write_gexf(G, tmp_path / "graph.gexf", pos=layout(G, seed=0))
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log
    back = nx.read_gexf(path)
    assert back.is_directed() and len(back) == len(G) and back.number_of_edges() == G.number_of_edges()
    u, v, data = max(G.edges(data=True), key=lambda e: e[2]["weight"])
    assert (
        back.nodes[u]["label"] == G.nodes[u]["label"]
        and back.nodes[u]["community"] == G.nodes[u]["community"]
    )
    assert back.nodes["twitter:tea01"]["label"] == '</script> & "quotes" <b>'
    assert (
        back.nodes["twitter:brewbros"]["brand"] == "Brew Bros" and back.nodes["twitter:brewbros"]["is_brand"]
    )
    assert {k: back.edges[u, v][k] for k in (*KINDS, "weight")} == {k: data[k] for k in (*KINDS, "weight")}
    # Gephi reads colour, size and position by element name: one of each per node, colour by community.
    colors = document.getroot().iter(f"{GEXF}color")
    assert sum(1 for _ in colors) == len(G)
    node = document.find(f".//{GEXF}node[@id='twitter:tea00']")
    color = node.find(f"{GEXF}color")
    expected = PALETTE[G.nodes["twitter:tea00"]["community"]]
    assert "#" + "".join(f"{int(color.get(c)):02X}" for c in "rgb") == expected.upper()
    assert node.find(f"{GEXF}position") is not None and float(node.find(f"{GEXF}size").get("value")) > 2


def test_gexf_of_a_bare_graph_validates(tmp_path):
    etree, schema = gexf_schema()
    G = nx.DiGraph([("a", "b")])
    G.nodes["a"]["tags"] = ["x", "y"]  # lists are joined, None values left out
    G.nodes["b"]["note"] = None
    G.nodes["b"]["label"] = "bell\x07 and\x00 nul"  # characters XML 1.0 cannot carry are dropped
    nx.set_node_attributes(G, {"a": float("nan"), "b": 0.5}, "score")
    path = write_gexf(G, tmp_path / "bare.gexf")
    assert schema.validate(etree.parse(str(path))), schema.error_log
    back = nx.read_gexf(path)
    assert back.nodes["a"]["tags"] == "x, y" and back.nodes["b"]["label"] == "bell and nul"
    assert back.nodes["b"]["score"] == 0.5


def test_graphml_round_trip(G, tmp_path):
    back = nx.read_graphml(write_graphml(G, tmp_path / "graph.graphml"))
    assert set(back.edges) == set(G.edges)
    assert all(back.edges[e]["weight"] == G.edges[e]["weight"] for e in G.edges)
    assert back.nodes["twitter:brewbros"]["brand"] == "Brew Bros"


def test_edge_csv(G, tmp_path):
    table = edge_table(G)
    assert list(table.columns) == ["source", "target", "source_label", "target_label", *KINDS, "weight"]
    assert len(table) == G.number_of_edges() and table["weight"].is_monotonic_decreasing
    assert (table[list(KINDS)].sum(axis=1) == table["weight"]).all()
    back = pd.read_csv(write_edges_csv(G, tmp_path / "edges.csv"))
    assert back["weight"].sum() == sum(w for *_, w in G.edges(data="weight"))
    assert '</script> & "quotes" <b>' in set(back["source_label"]) | set(back["target_label"])


def test_colors_top_nodes_and_layout():
    G = nx.star_graph(20, create_using=nx.DiGraph)
    nx.set_node_attributes(G, {n: n if n < 15 else None for n in G}, "community")
    colors = community_colors(G)
    assert colors[0] == PALETTE[0] and colors[14] == OTHER_COLOR and colors[20] == OTHER_COLOR
    H = nx.DiGraph([(i, 0) for i in range(1, 30)] + [(1, 2), (3, 2)])
    H.nodes[29]["is_brand"] = True
    assert set(top_nodes(H, 3)) == {0, 2, 29}  # the two most central, plus every brand
    assert layout(H, seed=3) == layout(H, seed=3) != layout(H, seed=4)


def test_draw_graph_returns_a_figure_of_the_top(G):
    fig = draw_graph(G, top=40, legend={0: "Chai fans"}, title="Who talks to whom", client="Brew Bros")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Who talks to whom"
    assert (
        sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)) == 40
    )  # the nodes
    texts = {t.get_text() for t in ax.texts}
    assert {"Brew Bros", "Kettle Kings"} <= texts
    assert "Chai fans" in [t.get_text() for t in fig.legends[0].get_texts()]
    assert ax.get_legend() is None  # the legend sits below the plot, never over the nodes
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:4] == b"\x89PNG"
    empty = draw_graph(nx.DiGraph())
    assert empty.axes[0].get_title(loc="left") == "All 0 accounts, coloured by community"
    assert "No data for this chart in the period" in [t.get_text() for t in empty.axes[0].texts]


def test_draw_graph_with_communities_past_the_palette():
    # blm on the corpus: the most central accounts belonged to communities 3, 15 and 40.
    G = nx.path_graph(6)
    nx.set_node_attributes(G, {0: 3, 1: 3, 2: 15, 3: 15, 4: 40, 5: 40}, "community")
    nx.set_node_attributes(G, {n: f"user{n}" for n in G}, "label")
    fig = draw_graph(G, legend={3: "three", 15: "fifteen", 40: "forty"})
    texts = {t.get_text() for t in fig.findobj(Text)}
    assert "three" in texts and "forty" not in texts and "Other communities" in texts


def test_gexf_of_a_big_graph_keeps_its_most_central_accounts_and_says_so(tmp_path):
    # A star of 40 spokes around a brand plus a long tail of pairs: 140 nodes, capped at 30.
    G = nx.DiGraph()
    G.add_node("t:brand", is_brand=True)
    for i in range(40):
        G.add_edge(f"t:fan{i}", "t:hub", weight=1)
    for i in range(50):
        G.add_edge(f"t:a{i}", f"t:b{i}", weight=1)
    G.add_edge("t:hub", "t:brand", weight=3)
    out = write_gexf(G, tmp_path / "graph.gexf", max_nodes=30)
    kept = nx.read_gexf(out)
    assert len(kept) == 30 and {"t:brand", "t:hub"} <= set(kept)  # the brand always, then by PageRank
    assert kept.number_of_edges() == G.subgraph(kept).number_of_edges()  # every edge among them
    assert len(nx.read_gexf(write_gexf(G, tmp_path / "all.gexf", max_nodes=None))) == len(G)

    from research.brief.graph_view import export_note

    note = export_note(G, max_nodes=30, view_nodes=20)
    assert note.startswith(f"The graph has {len(G):,} accounts and {G.number_of_edges():,} edges.")
    assert (
        "its 30 most central accounts and the edges among them" in note
        and "shows the 20 most central" in note
    )
    small = export_note(nx.path_graph(3), max_nodes=30, view_nodes=20)
    assert small.startswith("The full graph (3 accounts, 2 edges)")
