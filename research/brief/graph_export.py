"""Write the interaction graph where analysts open it: Gephi, yEd, a spreadsheet, the brief.

- `write_gexf`: GEXF 1.2draft for Gephi, with community colours, sizes and positions;
  it validates against the GEXF schema shipped in ``shared/specs``.
- `write_graphml`: GraphML for yEd, Cytoscape, igraph and R.
- `edge_table` / `write_edges_csv`: the edge list as a tidy table.
- `draw_graph`: a static picture of the top of the graph coloured by community, for the
  brief; returns a matplotlib ``Figure`` built without pyplot, so no global state leaks.

Layout, colours and node importance live here too (`layout`, `community_colors`,
`importance`, `top_nodes`) so the picture, the GEXF file and the interactive view agree.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from research.analyses.graph.build import KINDS
from research.analyses.graph.centrality import pagerank, seeded_igraph, to_igraph, undirected
from research.brief.chartkit import CLIENT_COLOR, empty_figure, set_alt, short_label, style
from research.brief.placement import Label, place_labels

__all__ = [
    "PALETTE",
    "OTHER_COLOR",
    "community_colors",
    "importance",
    "top_nodes",
    "GEXF_MAX_NODES",
    "layout",
    "write_gexf",
    "write_graphml",
    "edge_table",
    "write_edges_csv",
    "draw_graph",
]

# Colour-blind-safe qualitative palette (Okabe-Ito, then Tableau); communities past the
# palette share one grey, because more than a dozen hues cannot be told apart anyway.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
    "#F0E442", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD",
)  # fmt: skip
OTHER_COLOR = "#C8C8C8"
# Above this many nodes networkx's spring layout (a Python loop per node and iteration)
# takes seconds; igraph's Fruchterman-Reingold in C draws the same kind of picture at once.
_SPRING_MAX_NODES = 300
# graph.gexf keeps at most this many accounts: the most central ones (brands always) and every edge
# among them. A market stream's full graph has hundreds of thousands of one-time voices; Gephi
# needs minutes and gigabytes for that, and what an analyst explores is the connected core.
GEXF_MAX_NODES = 25_000
_GEXF_NS = "http://www.gexf.net/1.2draft"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def community_colors(G: nx.Graph, community: str = "community") -> dict:
    """Hex colour of each node from its community number (``OTHER_COLOR`` if none).

    Examples
    --------
    >>> G = nx.Graph([(1, 2)])
    >>> nx.set_node_attributes(G, {1: 0, 2: 1}, "community")
    >>> community_colors(G)
    {1: '#0072B2', 2: '#E69F00'}
    """
    out = {}
    for node, c in G.nodes(data=community):
        ok = isinstance(c, (int, np.integer)) and 0 <= c < len(PALETTE)
        out[node] = PALETTE[int(c)] if ok else OTHER_COLOR
    return out


def importance(G: nx.Graph, by: str = "pagerank", *, weight: str = "weight") -> dict:
    """Each node's attribute ``by`` when every node has it, else its PageRank.

    Sizes and rankings of the pictures use it, so a graph without metrics still draws.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b")])
    >>> importance(G)["b"] > importance(G)["a"]
    True
    """
    scores = dict(G.nodes(data=by))
    if any(v is None for v in scores.values()):
        scores = pagerank(G, weight=weight) if len(G) else {}
    return {v: float(x or 0) for v, x in scores.items()}


def top_nodes(G: nx.Graph, n: int, *, by: str = "pagerank", weight: str = "weight") -> nx.Graph:
    """The subgraph induced by the ``n`` most important nodes (see `importance`), brands always included.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "hub"), ("b", "hub"), ("c", "hub"), ("c", "d")])
    >>> sorted(top_nodes(G, 2))
    ['d', 'hub']
    """
    if len(G) <= n:
        return G.copy()
    scores = importance(G, by, weight=weight)
    brands = [v for v, b in G.nodes(data="is_brand") if b]
    ranked = sorted(G, key=lambda v: (-scores[v], str(v)))
    keep = list(dict.fromkeys([*brands, *ranked]))[: max(n, len(brands))]
    return G.subgraph(keep).copy()


def layout(G: nx.Graph, *, seed: int = 0, weight: str = "weight") -> dict:
    """Deterministic 2-D positions in [-1, 1], force-directed on the undirected view.

    Up to 300 nodes (what the pictures show), each connected component is laid out on its
    own and the components are packed side by side, largest first, instead of drifting
    apart and leaving the picture empty in the middle.

    Examples
    --------
    >>> pos = layout(nx.path_graph(4), seed=1)
    >>> sorted(pos) == [0, 1, 2, 3] and all(-1 <= x <= 1 for xy in pos.values() for x in xy)
    True
    """
    if len(G) == 0:
        return {}
    if len(G) <= _SPRING_MAX_NODES:
        coords = _packed_spring(undirected(G, weight), list(G), seed)
    else:
        g, _ = to_igraph(G, weight, undirected=True)
        with seeded_igraph(seed):
            coords = np.array(g.layout_fruchterman_reingold(weights="weight", niter=500).coords, dtype=float)
    coords -= coords.mean(axis=0)
    span = np.abs(coords).max() or 1.0
    return {v: (float(x), float(y)) for v, (x, y) in zip(G, coords / span, strict=True)}


def _packed_spring(U: nx.Graph, order: list, seed: int) -> np.ndarray:
    """Spring layout per connected component of ``U``, components packed in rows (largest first)."""
    components = sorted(nx.connected_components(U), key=lambda c: (-len(c), min(map(str, c))))
    if len(components) == 1:
        pos = nx.spring_layout(U, weight="weight", seed=seed)
        return np.array([pos[v] for v in order], dtype=float)
    # Each component in a disc of radius sqrt(nodes), so area follows size; rows of about equal width.
    radii = [math.sqrt(len(c)) for c in components]
    width = math.sqrt(sum((2 * r + 1) ** 2 for r in radii)) * 1.6  # wider than tall, like the page
    out: dict = {}
    x = y = row_height = 0.0
    for component, r in zip(components, radii, strict=True):
        if x > 0 and x + 2 * r > width:
            x, y, row_height = 0.0, y - row_height - 1, 0.0
        nodes = sorted(component, key=str)
        if len(nodes) == 1:
            local = np.zeros((1, 2))
        else:
            pos = nx.spring_layout(U.subgraph(nodes), weight="weight", seed=seed)
            local = np.array([pos[v] for v in nodes], dtype=float)
            local -= local.mean(axis=0)
            local *= r / (np.abs(local).max() or 1.0)
        for v, (px, py) in zip(nodes, local, strict=True):
            out[v] = (x + r + px, y - r + py)
        x += 2 * r + 1
        row_height = max(row_height, 2 * r)
    return np.array([out[v] for v in order], dtype=float)


def _plain(value: object) -> object:
    """A value GEXF/GraphML writers accept: no None, lists or numpy scalars."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, set)):
        return ", ".join(map(str, value))
    return value


def _export_copy(G: nx.Graph) -> nx.Graph:
    H = G.__class__()
    for node, data in G.nodes(data=True):
        H.add_node(
            node, **{k: _plain(v) for k, v in data.items() if v is not None and not isinstance(v, dict)}
        )
    for u, v, data in G.edges(data=True):
        H.add_edge(
            u, v, **{k: _plain(x) for k, x in data.items() if x is not None and not isinstance(x, dict)}
        )
    return H


def _gexf_type(types: set[type]) -> str:
    if types <= {bool}:
        return "boolean"
    if types <= {int}:
        return "long"
    return "double" if types <= {int, float} else "string"


def _attributes(items: Iterable[dict], skip: set) -> dict[str, str]:
    """Attribute name -> GEXF type, over every node's (or edge's) plain values."""
    seen: dict[str, set] = {}
    for data in items:
        for key, value in data.items():
            if key not in skip and value is not None and not isinstance(value, dict):
                seen.setdefault(key, set()).add(type(_plain(value)))
    return {key: _gexf_type(types) for key, types in seen.items()}


def _xml(value: object) -> str:
    """An attribute value as escaped XML text; characters XML 1.0 forbids are dropped."""
    if type(value) is int:  # the common case (counts), and nothing to escape
        return str(value)
    value = _plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("INF" if value > 0 else "-INF")  # xs:double spelling
    text = _NOT_XML.sub("", str(value))
    return escape(text, {'"': "&quot;"})


def _attvalues(data: dict, ids: dict[str, str]) -> str:
    values = [
        f'<attvalue for="{ids[k]}" value="{_xml(v)}"/>' for k, v in data.items() if k in ids and v is not None
    ]
    return f"<attvalues>{''.join(values)}</attvalues>" if values else ""


def write_gexf(
    G: nx.Graph,
    path: str | Path,
    *,
    community: str = "community",
    size: str = "pagerank",
    pos: Mapping | None = None,
    description: str = "Audience interaction graph",
    max_nodes: int | None = GEXF_MAX_NODES,
) -> Path:
    """Write ``G`` as GEXF 1.2draft, with colours by community, sizes and positions.

    A graph of more than ``max_nodes`` nodes is cut to its ``max_nodes`` most important ones
    (`top_nodes`: brands always, then by ``size``) and the edges among them; `export_note`
    says so in words. ``max_nodes=None`` writes every node.

    Node and edge attributes become typed GEXF attributes (lists are joined with
    ", ", None values left out; ``weight`` is the edge weight). Each node gets a colour
    from `community_colors`, a size from attribute ``size`` (PageRank when nodes lack it;
    scaled to 2-20) and, with
    ``pos``, a position. The file is streamed, so a million edges need no XML tree in
    memory, and it validates against the GEXF 1.2draft schema.

    Examples
    --------
    >>> import tempfile
    >>> G = nx.DiGraph()
    >>> G.add_edge("t:a", "t:b", reply=1, mention=0, repost=0, quote=0, weight=1)
    >>> out = write_gexf(G, Path(tempfile.mkdtemp()) / "graph.gexf")
    >>> sorted(nx.read_gexf(out).edges())
    [('t:a', 't:b')]
    """
    if G.is_multigraph():
        raise ValueError("G: write_gexf takes a Graph or DiGraph, not a multigraph")
    if max_nodes is not None and len(G) > max_nodes:
        G = top_nodes(G, max_nodes, by=size)
    node_types = _attributes((d for _, d in G.nodes(data=True)), {"label"})
    edge_types = _attributes((d for *_, d in G.edges(data=True)), {"weight"})
    node_ids = {k: str(i) for i, k in enumerate(node_types)}
    edge_ids = {k: str(i) for i, k in enumerate(edge_types)}
    colors = community_colors(G, community)
    values = importance(G, size)
    top = max(values.values(), default=0) or 1.0
    out = Path(path)
    with out.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write(f'<gexf xmlns="{_GEXF_NS}" version="1.2">\n')
        f.write(
            f"<meta><creator>research workbench</creator>"
            f"<description>{_xml(description)}</description></meta>\n"
        )
        kind = "directed" if G.is_directed() else "undirected"
        f.write(f'<graph defaultedgetype="{kind}" mode="static">\n')
        for cls, types, ids in (("node", node_types, node_ids), ("edge", edge_types, edge_ids)):
            declared = "".join(
                f'<attribute id="{ids[k]}" title="{_xml(k)}" type="{t}"/>' for k, t in types.items()
            )
            f.write(f'<attributes class="{cls}" mode="static">{declared}</attributes>\n')
        # NOTE: colour, size and position go in the GEXF namespace, not networkx's viz one:
        # the published 1.2draft XSD declares them there, and Gephi reads them by local name.
        f.write(f'<nodes count="{len(G)}">\n')
        lines = []
        for node, data in G.nodes(data=True):
            r, g, b = (int(colors[node][i : i + 2], 16) for i in (1, 3, 5))
            viz = f'<color r="{r}" g="{g}" b="{b}" a="1.0"/><size value="{2 + 18 * values[node] / top:.3f}"/>'
            if pos is not None and node in pos:
                x, y = (float(c) * 1000 for c in pos[node][:2])
                viz += f'<position x="{x:.3f}" y="{y:.3f}" z="0.0"/>'
            label = data.get("label", node)
            lines.append(
                f'<node id="{_xml(node)}" label="{_xml(label)}">{_attvalues(data, node_ids)}{viz}</node>\n'
            )
            if len(lines) >= 10_000:
                f.write("".join(lines))
                lines.clear()
        f.write("".join(lines) + f'</nodes>\n<edges count="{G.number_of_edges()}">\n')
        lines.clear()
        xml_id = {node: _xml(node) for node in G}  # escaped once, used by every edge
        for i, (u, v, data) in enumerate(G.edges(data=True)):
            weight = f' weight="{_xml(data["weight"])}"' if data.get("weight") is not None else ""
            ends = f'source="{xml_id[u]}" target="{xml_id[v]}"'
            lines.append(f'<edge id="{i}" {ends}{weight}>{_attvalues(data, edge_ids)}</edge>\n')
            if len(lines) >= 10_000:
                f.write("".join(lines))
                lines.clear()
        f.write("".join(lines) + "</edges>\n</graph>\n</gexf>\n")
    return out


def write_graphml(G: nx.Graph, path: str | Path) -> Path:
    """Write ``G`` as GraphML (lists joined with ", ", None values left out).

    Examples
    --------
    >>> import tempfile
    >>> G = nx.DiGraph([("a", "b")], weight=1)
    >>> sorted(nx.read_graphml(write_graphml(G, Path(tempfile.mkdtemp()) / "g.graphml")).edges())
    [('a', 'b')]
    """
    out = Path(path)
    nx.write_graphml(_export_copy(G), out)
    return out


def edge_table(G: nx.Graph, *, label: str = "label") -> pd.DataFrame:
    """The edges as a table: ``source, target, source_label, target_label``, kind counts, ``weight``.

    Heaviest edges first.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edge("t:a", "t:b", reply=2, mention=0, repost=0, quote=0, weight=2)
    >>> edge_table(G)[["source", "target", "reply", "weight"]].values.tolist()
    [['t:a', 't:b', 2, 2]]
    """
    rows = [(u, v, *(d.get(k, 0) for k in KINDS), d.get("weight", 1)) for u, v, d in G.edges(data=True)]
    df = pd.DataFrame(rows, columns=["source", "target", *KINDS, "weight"])
    labels = {n: str(x if x is not None else n) for n, x in G.nodes(data=label)}
    df.insert(2, "source_label", df["source"].map(labels))
    df.insert(3, "target_label", df["target"].map(labels))
    return df.sort_values(["weight", "source", "target"], ascending=[False, True, True], ignore_index=True)


def write_edges_csv(G: nx.Graph, path: str | Path) -> Path:
    """Write `edge_table` as UTF-8 CSV (opens in Excel and Gephi's spreadsheet import)."""
    out = Path(path)
    edge_table(G).to_csv(out, index=False)
    return out


def draw_graph(
    G: nx.Graph,
    *,
    top: int = 150,
    community: str = "community",
    size: str = "pagerank",
    labels: int = 15,
    legend: Mapping[int, str] | None = None,
    seed: int = 0,
    title: str | None = None,
    client: str | None = None,
) -> Figure:
    """A static picture of the ``top`` most central accounts, coloured by community.

    Node area follows attribute ``size`` (PageRank by default). Brand accounts are
    diamonds with a dark edge, the ``client``'s (the brand name in node attribute
    ``brand``) with a thick edge in `chartkit.CLIENT_COLOR` and a bold label. Brands and
    the ``labels`` most central other accounts are labelled beside their node, never on
    top of another label (`research.brief.labels.place_labels`; a label with no free spot
    is left out, least central first). The legend (``legend`` maps community numbers to
    short names, e.g. from ``community_labels``) sits below the plot. Deterministic for a
    ``seed``; an empty graph gives a figure saying there is no data.

    Examples
    --------
    >>> G = nx.DiGraph([("t:a", "t:b"), ("t:c", "t:b")])
    >>> draw_graph(G).axes[0].get_title(loc="left")
    'All 3 accounts, coloured by community'
    """
    with style():
        return _draw_graph(G, top, community, size, labels, legend, seed, title, client)


def _draw_graph(G, top, community, size, labels, legend, seed, title, client) -> Figure:
    H = top_nodes(G, top, by=size)
    if title is None:
        title = (
            f"The {len(H):,} most central of {len(G):,} accounts, coloured by community"
            if len(H) < len(G)
            else f"All {len(G):,} accounts, coloured by community"
        )
    if len(H) == 0:
        return empty_figure(title, width=9)
    pos = layout(H, seed=seed)
    colors = community_colors(H, community)
    scores = importance(H, size)
    present = sorted({c for _, c in H.nodes(data=community) if isinstance(c, (int, np.integer))})
    # Communities past the palette are drawn in the "other" colour (community_colors): no legend entry.
    names = [
        (c, short_label((legend or {}).get(c, f"Community {c}"), 70, one_line=True))
        for c in present
        if 0 <= c < len(PALETTE)
    ]
    nodes = sorted(H, key=lambda v: (scores[v], str(v)))  # the most central drawn last, on top
    xy = np.array([pos[v] for v in nodes])
    # Equal scale on both axes, a margin for labels, and a plot only as tall as the drawing needs.
    low, high = xy.min(axis=0), xy.max(axis=0)
    extent = np.maximum(high - low, 0.2) * 1.25
    width_in = 8.8
    plot_in = float(np.clip(width_in * extent[1] / extent[0], 3.5, 6.7))
    scale = max(extent[0] / width_in, extent[1] / plot_in)  # data units per inch
    rows = math.ceil((len(names) + 3) / 2)
    legend_in = 0.35 + 0.24 * rows
    height = legend_in + 0.1 + plot_in + 0.45
    fig = Figure(figsize=(9, height))
    FigureCanvasAgg(fig)  # a renderer to measure labels with
    ax = fig.add_axes((0.1 / 9, (legend_in + 0.1) / height, width_in / 9, plot_in / height))
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=11)
    centre = (low + high) / 2
    ax.set_xlim(centre[0] - scale * width_in / 2, centre[0] + scale * width_in / 2)
    ax.set_ylim(centre[1] - scale * plot_in / 2, centre[1] + scale * plot_in / 2)
    weights = np.array([w for *_, w in H.edges(data="weight", default=1)], dtype=float)
    segments = [(pos[u], pos[v]) for u, v in H.edges()]
    widths = 0.3 + 1.7 * weights / weights.max() if len(weights) else []
    ax.add_collection(
        LineCollection(segments, colors="#999999", linewidths=widths, alpha=0.35, zorder=1), autolim=False
    )
    value = np.array([scores[v] for v in nodes])
    area = 20 + 600 * value / (value.max() or 1.0)
    brand = np.array([bool(H.nodes[v].get("is_brand")) for v in nodes])
    is_client = np.array([client is not None and H.nodes[v].get("brand") == client for v in nodes])
    fill = np.array([colors[v] for v in nodes])
    ax.scatter(*xy[~brand].T, s=area[~brand], c=fill[~brand], edgecolors="white", linewidths=0.8, zorder=2)
    for mask, edge, width in ((brand & ~is_client, "#222222", 1.8), (is_client, CLIENT_COLOR, 3.0)):
        if mask.any():
            ax.scatter(*xy[mask].T, s=area[mask] * 1.3, c=fill[mask], marker="D", edgecolors=edge,
                       linewidths=width, zorder=3)  # fmt: skip
    renderer = fig.canvas.get_renderer()
    # A marker's size is its area in points²; its radius in pixels keeps labels off the node.
    radius = np.sqrt(area * np.where(brand, 1.3, 1.0)) / 2 * fig.dpi / 72
    discs = np.column_stack([ax.transData.transform(xy), radius])
    at = {v: i for i, v in enumerate(nodes)}
    ranked = sorted(nodes, key=lambda v: (-scores[v], str(v)))
    chosen = sorted(
        (v for v in nodes if H.nodes[v].get("is_brand")), key=lambda v: (not is_client[at[v]], -scores[v])
    )
    chosen += [v for v in ranked if not H.nodes[v].get("is_brand")][:labels]
    box_pad = 0.15
    box = {"boxstyle": f"round,pad={box_pad}", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}
    todo = []
    for v in chosen:
        data = H.nodes[v]
        text = short_label(data.get("brand") or data.get("label") or v, 24, one_line=True)
        props = {"fontsize": 8, "zorder": 4, "bbox": box}
        if data.get("is_brand"):
            props.update(fontsize=9, fontweight="bold", color=CLIENT_COLOR if is_client[at[v]] else "#111111")
        todo.append(Label(text, pos[v], float(radius[at[v]]), props))
    margin = box_pad * 9 * fig.dpi / 72 + 1  # the label boxes' padding at the largest font, in pixels
    place_labels(ax, todo, renderer=renderer, discs=discs, margin=margin)
    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=8, color=PALETTE[c], label=name)
        for c, name in names
    ]
    if any(colors[v] == OTHER_COLOR for v in nodes):
        handles.append(
            Line2D(
                [], [], marker="o", linestyle="", markersize=8, color=OTHER_COLOR, label="Other communities"
            )
        )
    if brand.any():
        handles.append(Line2D([], [], marker="D", linestyle="", markersize=7, color="white", markeredgecolor="#222222",
                              markeredgewidth=1.8, label="Brand account"))  # fmt: skip
    if is_client.any():
        handles.append(Line2D([], [], marker="D", linestyle="", markersize=7, color="white",
                              markeredgecolor=CLIENT_COLOR, markeredgewidth=2.5, label=f"{client} (client)"))  # fmt: skip
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.02, legend_in / height), ncols=2, fontsize=8,
               title="Node size: centrality (PageRank). Lines: replies, mentions, reposts and quotes.",
               title_fontsize=8, alignment="left", frameon=False)  # fmt: skip
    brands_shown = sorted({str(H.nodes[v].get("brand")) for v in nodes if H.nodes[v].get("is_brand")})
    alt = f"{title}: {len(present)} communities"
    if brands_shown:
        alt += f"; brand accounts of {', '.join(brands_shown)}"
    most = [str(H.nodes[v].get("label") or v) for v in ranked if not H.nodes[v].get("is_brand")][:5]
    return set_alt(fig, f"{alt}; most central accounts: {', '.join(most)}." if most else f"{alt}.")
