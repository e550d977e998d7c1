"""A self-contained interactive view of the interaction graph: one HTML file, no network.

The layout is computed in Python (`research.brief.graph_export.layout`), nodes and links are
embedded as JSON, and a small vanilla-JavaScript canvas viewer is inlined: pan (drag),
zoom (wheel or buttons), hover tooltips, search by handle, community colours and a
legend. There is no external script, style, font or image, and a Content-Security-Policy
forbids the page any request, so it works offline, inside the brief, and by e-mail.

Text from the web (handles, display names, community labels) only reaches the page as
JSON read with ``JSON.parse`` and shown with ``textContent``; the JSON is escaped so
that a handle like ``</script><script>alert(1)`` cannot end the script element.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import networkx as nx
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from research.analyses.graph.build import KINDS
from research.brief.chartkit import short_label
from research.brief.graph_export import GEXF_MAX_NODES, community_colors, importance, layout, top_nodes

VIEW_LABEL_CHARS = 80  # the view shows labels on hover; a 1 MB handle would still be cut

# The page, its style and script are package files (templates/graph_view.*), rendered by Jinja
# with autoescaping, as the brief is.
_TEMPLATES = Environment(
    loader=PackageLoader("research.brief", "templates"), autoescape=select_autoescape(default=True)
)

__all__ = ["json_for_script", "graph_data", "graph_html", "write_graph_html", "export_note"]

# Beyond a couple of thousand nodes a canvas redraw per mouse move stutters on laptops,
# and the reader cannot see more anyway; graph.gexf carries far more (up to GEXF_MAX_NODES).
MAX_NODES = 1_500
MAX_LINKS = 6_000
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_for_script(value: object) -> str:
    """JSON safe to place inside ``<script>``: ``<``, ``>``, ``&``, U+2028/9 escaped.

    Examples
    --------
    >>> json_for_script({"label": "</script><script>alert(1)"})
    '{"label":"\\\\u003c/script\\\\u003e\\\\u003cscript\\\\u003ealert(1)"}'
    >>> json.loads(json_for_script(["a\\u2028b"])) == ["a\\u2028b"]
    True
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def graph_data(
    G: nx.Graph,
    *,
    community: str = "community",
    size: str = "pagerank",
    legend: Mapping[int, str] | None = None,
    top: int = MAX_NODES,
    seed: int = 0,
) -> dict:
    """The viewer's data: the ``top`` most central nodes with positions, their links, a legend.

    Nodes are ``{"label", "platform", "brand", "community", "size", "x", "y", "color",
    "received", "given"}`` (interaction weights); links are ``[source index, target index, weight, *kind counts]``,
    heaviest first and at most ``MAX_LINKS``.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edge("t:a", "t:b", reply=1, mention=0, repost=0, quote=0, weight=1)
    >>> data = graph_data(G)
    >>> [n["label"] for n in data["nodes"]], data["links"], data["total"]
    (['t:a', 't:b'], [[0, 1, 1, 1, 0, 0, 0]], {'nodes': 2, 'links': 1})
    """
    H = top_nodes(G, top, by=size)
    pos = layout(H, seed=seed)
    colors = community_colors(H, community)
    scores = importance(H, size)
    index = {n: i for i, n in enumerate(H)}
    nodes = [
        {
            "label": short_label(d.get("label") or n, VIEW_LABEL_CHARS),
            "platform": str(d.get("platform", "")),
            "brand": str(d.get("brand") or ""),
            "community": d.get(community),
            "size": scores[n],
            "x": round(pos[n][0], 5),
            "y": round(pos[n][1], 5),
            "color": colors[n],
            "received": H.in_degree(n, weight="weight") if H.is_directed() else H.degree(n, weight="weight"),
            "given": H.out_degree(n, weight="weight") if H.is_directed() else 0,
        }
        for n, d in H.nodes(data=True)
    ]
    links = sorted(H.edges(data=True), key=lambda e: (-e[2].get("weight", 1), str(e[0]), str(e[1])))[
        :MAX_LINKS
    ]
    present = sorted({c for c in (n["community"] for n in nodes) if isinstance(c, int)})
    counts = {c: sum(1 for n in nodes if n["community"] == c) for c in present}
    return {
        "nodes": nodes,
        "links": [
            [index[u], index[v], d.get("weight", 1), *(d.get(k, 0) for k in KINDS)] for u, v, d in links
        ],
        "kinds": list(KINDS),
        "legend": [
            {
                "community": c,
                "color": colors[next(n for n in H if H.nodes[n].get(community) == c)],
                "label": short_label((legend or {}).get(c, f"Community {c}"), VIEW_LABEL_CHARS),
                "accounts": counts[c],
            }
            for c in present[:12]
        ],  # fmt: skip
        "total": {"nodes": G.number_of_nodes(), "links": G.number_of_edges()},
    }


def graph_html(
    G: nx.Graph,
    *,
    title: str = "Audience interaction graph",
    community: str = "community",
    size: str = "pagerank",
    legend: Mapping[int, str] | None = None,
    top: int = MAX_NODES,
    seed: int = 0,
) -> str:
    """The interactive view of ``G`` as one self-contained HTML document (a string).

    Examples
    --------
    >>> G = nx.DiGraph([("t:a", "t:b")])
    >>> page = graph_html(G, title="Fans & <brands>")
    >>> "<title>Fans &amp; &lt;brands&gt;</title>" in page and "<script src" not in page
    True
    """
    data = graph_data(G, community=community, size=size, legend=legend, top=top, seed=seed)
    # NOTE: the title is autoescaped; the data is JSON made safe for a <script> element by
    # json_for_script (it cannot close the element), so it goes in as it is.
    return _TEMPLATES.get_template("graph_view.html.j2").render(
        title=title, data=Markup(json_for_script(data))
    )


def write_graph_html(G: nx.Graph, path: str | Path, **options: object) -> Path:
    """Write `graph_html` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(graph_html(G, **options), encoding="utf-8")  # type: ignore[arg-type]
    return out


def export_note(G: nx.Graph, max_nodes: int = GEXF_MAX_NODES, view_nodes: int | None = None) -> str:
    """What graph.gexf and graph.html hold, in one sentence for the report.

    >>> import networkx as nx
    >>> export_note(nx.path_graph(3))
    'The full graph (3 accounts, 2 edges) is in graph.gexf (opens in Gephi) and graph.html (interactive, works offline) in the report folder.'
    """
    view_nodes = view_nodes or MAX_NODES
    n, m = G.number_of_nodes(), G.number_of_edges()
    if n <= min(max_nodes, view_nodes):
        return (
            f"The full graph ({n:,} accounts, {m:,} edges) is in graph.gexf (opens in Gephi) and graph.html "
            "(interactive, works offline) in the report folder."
        )
    gexf = (
        "the full graph"
        if n <= max_nodes
        else f"its {max_nodes:,} most central accounts and the edges among them"
    )
    return (
        f"The graph has {n:,} accounts and {m:,} edges. graph.gexf (opens in Gephi) holds {gexf}; graph.html "
        f"(interactive, works offline) shows the {min(n, view_nodes):,} most central, so a browser stays quick. "
        "Both are in the report folder."
    )
