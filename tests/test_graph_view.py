"""The interactive graph view: self-contained, escaped, and working in a real browser offline."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pytest

from research.analyses.graph import interaction_graph
from research.analyses.graph.communities import detect_communities, set_communities
from research.brief.graph_view import MAX_LINKS, graph_data, graph_html, json_for_script, write_graph_html
from tests.test_graph import BRANDS, planted_world

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = "</script><script>alert(1)</script>\u2028<!--"


@pytest.fixture(scope="module")
def G():
    posts, _ = planted_world()
    G = interaction_graph(posts, brands=BRANDS)
    set_communities(G, detect_communities(G))
    G.nodes["twitter:tea01"]["label"] = HOSTILE
    G.nodes["twitter:brewbros"]["brand"] = 'Brew "Bros" & <Co>'
    return G


def embedded(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page, re.S)
    assert match, "the data block is missing or was cut short by a '</script>' in the data"
    return json.loads(match.group(1))


def test_json_for_script_cannot_break_out():
    text = json_for_script({"a": HOSTILE, "b": "x & y > z"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": HOSTILE, "b": "x & y > z"}


def test_page_is_self_contained_and_escaped(G):
    page = graph_html(G, title="<b>Fans</b> & friends")
    assert "<title>&lt;b&gt;Fans&lt;/b&gt; &amp; friends</title>" in page
    assert page.count("<script") == 2 and "<script src" not in page and "<link" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # the CSP forbids every request
    assert HOSTILE not in page and "alert(1)</script>" not in page
    data = embedded(page)
    labels = {n["label"] for n in data["nodes"]}
    assert HOSTILE in labels and 'Brew "Bros" & <Co>' in {n["brand"] for n in data["nodes"]}


def test_data_matches_the_graph(G):
    data = graph_data(G)
    assert data["total"] == {"nodes": len(G), "links": G.number_of_edges()}
    assert len(data["nodes"]) == len(G) and len(data["links"]) == min(G.number_of_edges(), MAX_LINKS)
    by_label = {n["label"]: i for i, n in enumerate(data["nodes"])}
    s, t, w, *kinds = data["links"][0]
    key = {d["label"]: n for n, d in G.nodes(data=True)}
    edge = G.edges[key[data["nodes"][s]["label"]], key[data["nodes"][t]["label"]]]
    assert w == edge["weight"] == max(d["weight"] for *_, d in G.edges(data=True))
    assert kinds == [edge[k] for k in data["kinds"]]
    assert {item["label"] for item in data["legend"]} == {f"Community {c}" for c in range(3)}
    assert all(-1 <= n["x"] <= 1 and -1 <= n["y"] <= 1 for n in data["nodes"])
    assert data["nodes"][by_label["brewbros"]]["color"] and graph_data(G) == data  # deterministic


def test_big_graphs_are_cut_to_the_most_central_accounts():
    G = nx.gnm_random_graph(400, 1200, seed=1, directed=True)
    nx.set_edge_attributes(G, 1, "weight")
    data = graph_data(G, top=50)
    assert len(data["nodes"]) == 50 and data["total"]["nodes"] == 400


# --- the real browser ----------------------------------------------------------------------------


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (CI installs chromium in .ci/run)"
)
def test_view_runs_in_headless_chromium_offline_without_errors(G, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the 'playwright' package (dev extra)")
    path = write_graph_html(G, tmp_path / "graph.html", legend={0: "Chai <fans>"})
    seen = SimpleNamespace(console=[], errors=[], requests=[], dialogs=[])
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )  # fmt: skip
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            page.on("console", lambda m: seen.console.append((m.type, m.text)))
            page.on("pageerror", lambda e: seen.errors.append(str(e)))
            page.on("request", lambda r: seen.requests.append(r.url))
            page.on("dialog", lambda d: (seen.dialogs.append(d.message), d.dismiss()))
            page.goto(path.resolve().as_uri(), wait_until="load")
            status = page.locator("#graph-status").inner_text()
            # interact: hover the canvas centre, zoom, pan and search
            page.mouse.move(550, 450)
            page.mouse.wheel(0, -300)
            page.mouse.down()
            page.mouse.move(600, 500)
            page.mouse.up()
            page.fill("#graph-search", "brewbros")
            found = page.locator("#graph-status").inner_text()
            legend = page.locator("#graph-legend li").all_inner_texts()
            drawn = page.evaluate(
                "() => { const c = document.getElementById('graph-canvas');"
                " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                " let ink = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) ink++; } return ink; }"
            )
        finally:
            browser.close()
    assert status.startswith(f"{len(G)} accounts")
    assert found == "1 account(s) match"
    assert "Chai <fans> (" in legend[0]  # shown as text, not parsed as HTML
    assert drawn > 1000  # the canvas has something on it
    assert [t for kind, t in seen.console if kind == "error"] == [] and seen.errors == []
    assert seen.dialogs == []  # the hostile label never ran
    assert seen.requests == [path.resolve().as_uri()]  # nothing but the file itself
