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

import html
import json
from collections.abc import Mapping
from pathlib import Path

import networkx as nx

from research.analyses.graph.build import KINDS
from research.brief.graph_export import community_colors, importance, layout, top_nodes

__all__ = ["json_for_script", "graph_data", "graph_html", "write_graph_html"]

# Beyond a couple of thousand nodes a canvas redraw per mouse move stutters on laptops,
# and the reader cannot see more anyway; the GEXF file carries the whole graph.
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
            "label": str(d.get("label") or n),
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
                "label": (legend or {}).get(c, f"Community {c}"),
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
    return (
        _PAGE.replace("__TITLE__", html.escape(title))
        .replace("__DATA__", json_for_script(data))
        .replace("__STYLE__", _STYLE)
        .replace("__SCRIPT__", _SCRIPT)
    )


def write_graph_html(G: nx.Graph, path: str | Path, **options: object) -> Path:
    """Write `graph_html` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(graph_html(G, **options), encoding="utf-8")  # type: ignore[arg-type]
    return out


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>__STYLE__</style>
</head>
<body>
<header>
  <h1>__TITLE__</h1>
  <label>Find an account <input id="graph-search" type="search" placeholder="handle" autocomplete="off"></label>
  <button type="button" id="zoom-in" title="Zoom in">+</button>
  <button type="button" id="zoom-out" title="Zoom out">&minus;</button>
  <button type="button" id="zoom-reset" title="Fit the graph">Fit</button>
  <span id="graph-status" role="status">Loading&hellip;</span>
</header>
<main>
  <canvas id="graph-canvas" aria-label="Network of accounts: drag to pan, scroll to zoom"></canvas>
  <div id="graph-tip" hidden></div>
  <ul id="graph-legend"></ul>
</main>
<noscript>This view needs JavaScript; the GEXF file opens the same graph in Gephi.</noscript>
<script type="application/json" id="graph-data">__DATA__</script>
<script>__SCRIPT__</script>
</body>
</html>
"""

_STYLE = """
html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; color: #222; background: #fff; }
body { display: flex; flex-direction: column; }
header { display: flex; flex-wrap: wrap; gap: .5em; align-items: center; padding: .5em 1em; border-bottom: 1px solid #ddd; }
h1 { font-size: 1.1em; margin: 0 1em 0 0; }
#graph-status { color: #555; margin-left: auto; }
main { position: relative; flex: 1; min-height: 420px; }
canvas { width: 100%; height: 100%; display: block; cursor: grab; }
canvas.dragging { cursor: grabbing; }
#graph-tip { position: absolute; pointer-events: none; background: rgba(255,255,255,.95); border: 1px solid #bbb;
  border-radius: 4px; padding: .4em .6em; font-size: 12px; max-width: 22em; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
#graph-tip b { display: block; }
#graph-legend { position: absolute; left: .5em; bottom: .5em; margin: 0; padding: .4em .6em; list-style: none;
  background: rgba(255,255,255,.9); border: 1px solid #ddd; border-radius: 4px; font-size: 12px; max-width: 40%; }
#graph-legend span { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .4em; }
@media print { header input, header button { display: none; } }
"""

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = data.nodes, links = data.links;
  var canvas = document.getElementById("graph-canvas");
  var ctx = canvas.getContext("2d");
  var tip = document.getElementById("graph-tip");
  var search = document.getElementById("graph-search");
  var status = document.getElementById("graph-status");
  var view = { x: 0, y: 0, k: 1 }, width = 0, height = 0, ratio = window.devicePixelRatio || 1;
  var hover = -1, matches = [], drag = null;
  var maxSize = nodes.reduce(function (m, n) { return Math.max(m, n.size); }, 0) || 1;
  var maxWeight = links.reduce(function (m, l) { return Math.max(m, l[2]); }, 0) || 1;
  var byImportance = nodes.map(function (n, i) { return i; }).sort(function (a, b) { return nodes[b].size - nodes[a].size; });
  var named = {};
  byImportance.slice(0, 12).forEach(function (i) { named[i] = true; });
  nodes.forEach(function (n, i) { n.r = 3 + 15 * Math.sqrt(n.size / maxSize); if (n.brand) { named[i] = true; } });

  function sx(n) { return n.x * view.k + view.x; }
  function sy(n) { return -n.y * view.k + view.y; }

  function fit() {
    view.k = Math.max(Math.min(width, height) * 0.45, 1);
    view.x = width / 2;
    view.y = height / 2;
  }

  function resize() {
    var box = canvas.getBoundingClientRect();
    width = box.width || 800;
    height = box.height || 600;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    draw();
  }

  function draw() {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    links.forEach(function (l) {
      var a = nodes[l[0]], b = nodes[l[1]], lit = hover === l[0] || hover === l[1];
      ctx.strokeStyle = lit ? "rgba(40,40,40,0.8)" : "rgba(130,130,130,0.25)";
      ctx.lineWidth = (lit ? 1.2 : 0.5) + 2 * l[2] / maxWeight;
      ctx.beginPath();
      ctx.moveTo(sx(a), sy(a));
      ctx.lineTo(sx(b), sy(b));
      ctx.stroke();
    });
    var found = {};
    matches.forEach(function (i) { found[i] = true; });
    nodes.forEach(function (n, i) {
      ctx.beginPath();
      ctx.arc(sx(n), sy(n), n.r, 0, 2 * Math.PI);
      ctx.fillStyle = n.color;
      ctx.globalAlpha = matches.length && !found[i] ? 0.25 : 1;
      ctx.fill();
      ctx.globalAlpha = 1;
      if (n.brand || found[i] || i === hover) {
        ctx.lineWidth = found[i] || i === hover ? 3 : 1.5;
        ctx.strokeStyle = found[i] ? "#d62728" : "#111";
        ctx.stroke();
      }
    });
    ctx.fillStyle = "#111";
    ctx.font = "12px system-ui, sans-serif";
    nodes.forEach(function (n, i) {
      if (named[i] || found[i] || i === hover || view.k > 1500) {
        ctx.fillText(n.brand || n.label, sx(n) + n.r + 2, sy(n) - 2);
      }
    });
  }

  function nearest(mx, my) {
    var best = -1, bestDistance = Infinity;
    nodes.forEach(function (n, i) {
      var dx = sx(n) - mx, dy = sy(n) - my, d = Math.sqrt(dx * dx + dy * dy);
      if (d <= n.r + 4 && d < bestDistance) { best = i; bestDistance = d; }
    });
    return best;
  }

  function line(parent, text, bold) {
    var el = document.createElement(bold ? "b" : "div");
    el.textContent = text;
    parent.appendChild(el);
  }

  function showTip(i, mx, my) {
    tip.replaceChildren();
    if (i < 0) { tip.hidden = true; return; }
    var n = nodes[i];
    line(tip, (n.brand ? n.brand + " \\u2014 " : "") + n.label, true);
    line(tip, n.platform + (n.community === null || n.community === undefined ? "" : " \\u00b7 community " + n.community));
    line(tip, "engagement received: " + n.received + " \\u00b7 given: " + n.given);
    tip.hidden = false;
    tip.style.left = Math.min(mx + 14, width - 200) + "px";
    tip.style.top = Math.max(my - 10, 0) + "px";
  }

  function zoom(factor, mx, my) {
    view.x = mx - (mx - view.x) * factor;
    view.y = my - (my - view.y) * factor;
    view.k *= factor;
    draw();
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  canvas.addEventListener("mousedown", function (event) {
    drag = point(event);
    canvas.classList.add("dragging");
  });
  window.addEventListener("mouseup", function () { drag = null; canvas.classList.remove("dragging"); });
  canvas.addEventListener("mousemove", function (event) {
    var p = point(event);
    if (drag) {
      view.x += p[0] - drag[0];
      view.y += p[1] - drag[1];
      drag = p;
      draw();
      return;
    }
    var i = nearest(p[0], p[1]);
    if (i !== hover) { hover = i; draw(); }
    showTip(i, p[0], p[1]);
  });
  canvas.addEventListener("mouseleave", function () { hover = -1; showTip(-1, 0, 0); draw(); });
  canvas.addEventListener("wheel", function (event) {
    event.preventDefault();
    var p = point(event);
    zoom(Math.exp(-event.deltaY * 0.0015), p[0], p[1]);
  }, { passive: false });
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.4, width / 2, height / 2); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.4, width / 2, height / 2); });
  document.getElementById("zoom-reset").addEventListener("click", function () { fit(); draw(); });

  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    matches = [];
    if (q) {
      nodes.forEach(function (n, i) {
        if (n.label.toLowerCase().indexOf(q) >= 0 || n.brand.toLowerCase().indexOf(q) >= 0) { matches.push(i); }
      });
    }
    if (matches.length) {
      var n = nodes[matches[0]];
      view.x = width / 2 - n.x * view.k;
      view.y = height / 2 + n.y * view.k;
    }
    status.textContent = q ? matches.length + " account(s) match" : summary;
    draw();
  });

  var legend = document.getElementById("graph-legend");
  data.legend.forEach(function (item) {
    var li = document.createElement("li"), dot = document.createElement("span");
    dot.style.background = item.color;
    li.appendChild(dot);
    li.appendChild(document.createTextNode(item.label + " (" + item.accounts + ")"));
    legend.appendChild(li);
  });
  if (!data.legend.length) { legend.hidden = true; }

  var summary = nodes.length + " accounts \\u00b7 " + links.length + " links shown (of " +
    data.total.nodes + " accounts and " + data.total.links + " links)";
  status.textContent = summary;
  window.addEventListener("resize", function () { resize(); });
  resize();
  fit();
  draw();
})();
"""
