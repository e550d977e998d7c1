"""Charts: every script drawn, web text escaped, the client highlighted, colours by the tables' rule,
readable graph labels, plain-language axes, the same bytes for the same input."""

from __future__ import annotations

import itertools
import json
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.colors import to_hex
from matplotlib.text import Text

from research.brands import Brand
from research.brief import chartkit, figures
from research.brief.chartkit import CLIENT_COLOR, CSS_FONT_FAMILY, NO_DATA
from research.brief.graph_export import draw_graph
from research.brief.results import Results
from research.brief.svg import figure_markup, figure_svg, inline_svg

HINDI, RUSSIAN = "चायप्रेमी", "Привет"  # a conjunct and a vowel sign; Cyrillic
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
BRANDS = [
    Brand("Chai & Co", "client", (("twitter", "chaiandco"),)),
    Brand("Brew Bros", "competitor", (("twitter", "brewbros"),)),
    Brand("Kettle Kings", "competitor", (("twitter", "kettlekings"),)),
]
CLIENT = "Chai & Co"


def hashtags(tags: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scope": "all posts",
            "hashtag": tags,
            "posts": range(len(tags) * 1000, 0, -1000),
            "rank": range(1, 1 + len(tags)),
        }
    )


def scorecard() -> pd.DataFrame:
    return pd.DataFrame(
        {"brand": ["Chai & Co", "Brew Bros", "Kettle Kings"], "engagement_median": [61.0, 87.0, 54.0],
         "engagement_mean": [73.3, 102.3, 68.9]}
    )  # fmt: skip


def weekly() -> pd.DataFrame:
    weeks = pd.date_range("2026-09-07", periods=6, freq="7D").date
    rows = [
        (b, w, 0.1 + 0.05 * i + 0.01 * j)
        for j, b in enumerate(["Chai & Co", "Brew Bros"])
        for i, w in enumerate(weeks)
    ]
    return pd.DataFrame(rows, columns=["brand", "when", "negative_share"])


def svg_texts(svg: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)]


# --- fonts -------------------------------------------------------------------------------------


def test_svg_keeps_devanagari_and_cyrillic_as_text_in_the_font_stack():
    fig = figures.top_hashtags(hashtags(["chai", HINDI, "чай", "пуна"]))
    svg = figure_svg(fig)
    assert {f"#{HINDI}", "#чай", "#пуна"} <= set(svg_texts(svg))
    assert f"font-family: {CSS_FONT_FAMILY}" in svg
    assert "font-family: 'Noto Sans', 'Noto Sans Devanagari', 'DejaVu Sans', sans-serif" in svg
    assert 'id="DejaVuSans-' not in svg and '<use xlink:href="#DejaVu' not in svg  # no glyphs as paths
    assert "<title>Most used hashtags: #chai 4,000;" in svg  # the alt text is the SVG's accessible name


@pytest.mark.skipif(
    "Noto Sans Devanagari" not in chartkit.font_families(),
    reason="Noto Sans Devanagari is not installed (Debian: fonts-noto-core; .ci/run installs it)",
)
def test_png_fonts_cover_devanagari_and_cyrillic_when_noto_is_installed(tmp_path):
    from fontTools.ttLib import TTFont

    fig = figures.top_hashtags(hashtags([HINDI, RUSSIAN]))
    labels = [t for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert labels and all("Noto Sans Devanagari" in t.get_fontfamily() for t in labels)
    prop = labels[0].get_fontproperties()
    cmaps = []
    for family in prop.get_family():
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        cmaps.append(TTFont(path, fontNumber=0).getBestCmap())
    for char in set(HINDI + RUSSIAN):
        assert any(ord(char) in cmap for cmap in cmaps), f"no font of {prop.get_family()} has {char!r}"
    assert chartkit.missing_scripts(fig) == []
    Results(tmp_path).figure("tags", fig, title="Tags", section="hashtags")
    assert json.loads((tmp_path / "results.json").read_text())["figures"]["tags"]["png_missing_scripts"] == []


def test_a_machine_without_noto_draws_silently_and_records_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(chartkit, "font_families", lambda: ("DejaVu Sans",))
    fig = figures.top_hashtags(hashtags(["chai", HINDI, RUSSIAN]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Glyph ... missing" warning reaches the notebook
        Results(tmp_path).figure("tags", fig, title="Tags", section="hashtags")
    entry = json.loads((tmp_path / "results.json").read_text())["figures"]["tags"]
    assert entry["png_missing_scripts"] == ["Devanagari"]  # DejaVu Sans has Cyrillic
    svg = (tmp_path / "figures" / "tags.svg").read_text(encoding="utf-8")
    assert f"#{HINDI}" in svg_texts(svg) and CSS_FONT_FAMILY in svg  # the browser still draws it


def test_web_text_is_never_mathtext():
    fig = figures.top_hashtags(hashtags(["$5 off $10", "a_b_c"]))
    assert "#$5 off $10" in svg_texts(figure_svg(fig))


# --- escaping ----------------------------------------------------------------------------------


class Tags(HTMLParser):
    """Start tags, attributes and text of markup, as a browser's HTML parser reads them."""

    def __init__(self, markup: str):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def assert_inert(markup: str) -> Tags:
    parsed = Tags(markup)
    assert set(parsed.tags) <= {"svg", "g", "defs", "path", "rect", "text", "tspan", "clippath", "use", "style",
                                "title", "circle", "image"}, set(parsed.tags)  # fmt: skip
    assert not [name for name, _ in parsed.attrs if name.startswith("on")]
    assert not [v for name, v in parsed.attrs if "href" in name and not v.startswith(("#", "data:image/png"))]
    assert "<script" not in markup.lower() and "<img" not in markup.lower()
    return parsed


def test_hostile_labels_stay_text_in_the_inlined_svg():
    fig = figures.bar(
        pd.DataFrame({"label": [SCRIPT, ATTRIBUTE, "ok"], "n": [3, 2, 1]}), x="n", y="label", xlabel="n",
        title=SCRIPT,
    )  # fmt: skip
    svg = figure_svg(fig)
    assert "<script" not in svg and "<img" not in svg  # matplotlib escapes text and the title
    markup = str(inline_svg(svg, alt=ATTRIBUTE, id_prefix="fig-tags"))
    parsed = assert_inert(markup)
    assert SCRIPT in "".join(parsed.text) and ATTRIBUTE in "".join(parsed.text)
    assert ("aria-label", ATTRIBUTE) in parsed.attrs


def test_hostile_graph_labels_and_brand_names_stay_text():
    G = nx.DiGraph([("t:a", "t:b"), ("t:c", "t:b"), ("t:d", "t:b")])
    nx.set_node_attributes(G, {"t:a": SCRIPT, "t:b": ATTRIBUTE, "t:c": "c", "t:d": "d"}, "label")
    G.nodes["t:d"].update(is_brand=True, brand=SCRIPT)
    parsed = assert_inert(str(inline_svg(figure_svg(draw_graph(G, client=SCRIPT)), id_prefix="g")))
    assert SCRIPT in "".join(parsed.text) and ATTRIBUTE in "".join(parsed.text)


def test_inline_svg_drops_scripts_handlers_and_external_references():
    hostile = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
    <style>@import url(http://evil.example/x.css);</style>
    <script>alert(2)</script><foreignObject><div>x</div></foreignObject>
    <a xlink:href="javascript:alert(3)"><text>link</text></a>
    <image href="http://evil.example/x.png"/><image xlink:href="data:image/png;base64,AAAA"/>
    <use xlink:href="http://evil.example/s.svg#x"/><use xlink:href="#m1"/>
    <path id="m1" d="M0 0" style="fill: url(http://evil.example/p)"/>
    <g clip-path="url(#p1)"><text onclick="alert(4)" x="1">kept &amp; escaped &lt;b&gt;</text></g>
    <clipPath id="p1"><rect width="1" height="1"/></clipPath></svg>"""
    markup = str(inline_svg(hostile, id_prefix="fig-1"))
    parsed = assert_inert(markup)
    assert "evil" not in markup and "javascript" not in markup and "alert" not in markup
    assert "link" not in parsed.text  # <a> dropped with its content
    assert 'xlink:href="data:image/png;base64,AAAA"' in markup
    assert (
        'xlink:href="#fig-1-m1"' in markup and '<path id="fig-1-m1" d="M0 0">' in markup
    )  # unsafe style gone
    assert 'clip-path="url(#fig-1-p1)"' in markup and 'id="fig-1-p1"' in markup
    assert "kept &amp; escaped &lt;b&gt;" in markup
    for bad in ('<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
                "<html><svg/></html>", "<svg"):  # fmt: skip
        with pytest.raises(ValueError, match="svg:"):
            inline_svg(bad)


def test_figures_inlined_on_one_page_keep_their_own_ids(tmp_path):
    results = Results(tmp_path)
    results.figure("a", figures.uplift(uplift_table()), title="A", section="content")
    results.figure("b", figures.uplift(uplift_table()), title="B", section="content")
    meta = json.loads((tmp_path / "results.json").read_text())["figures"]
    a, b = (str(figure_markup(tmp_path, name, meta[name])) for name in "ab")
    ids_a, ids_b = (set(re.findall(r' id="([^"]+)"', m)) for m in (a, b))
    assert ids_a and not ids_a & ids_b
    for markup, ids in ((a, ids_a), (b, ids_b)):
        refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', markup))
        assert refs and refs <= ids  # every reference resolves inside its own figure
    assert f'aria-label="{meta["a"]["alt"]}"' in a and meta["a"]["alt"].startswith("Engagement uplift: video")
    assert figure_markup(tmp_path, "x", {"files": ["figures/x.svg"]}) is None


# --- the client --------------------------------------------------------------------------------


def test_brand_palette_is_the_same_in_every_chart_and_marks_the_client():
    palette = figures.brand_palette(BRANDS)
    assert palette.client == CLIENT and palette[CLIENT] == CLIENT_COLOR
    assert palette == figures.brand_palette(["Brew Bros", "Chai & Co", "Kettle Kings"], client=CLIENT)
    assert len(set(palette.values())) == 3 and CLIENT_COLOR not in chartkit.COMPETITOR_COLORS


def bars_by_label(ax) -> dict[str, str]:
    labels = [t.get_text() for t in ax.get_yticklabels()]
    bars = [p for p in ax.patches if p.get_height() > 0]
    return dict(zip(labels, [to_hex(p.get_facecolor()) for p in bars[: len(labels)]], strict=True))


def test_the_client_has_the_client_colour_and_a_bold_label():
    palette = figures.brand_palette(BRANDS)
    for fig in (
        figures.engagement_per_post(scorecard(), palette),
        figures.share_of_voice(
            pd.DataFrame({"brand": ["Chai & Co", "Brew Bros", "Kettle Kings"], "share_of_voice": [0.3, 0.5, 0.2],
                          "engagement_share": [0.2, 0.6, 0.2]}), palette),
        figures.engagement_per_post(scorecard(), client=CLIENT),  # names and a client instead of a palette
    ):  # fmt: skip
        ax = fig.axes[0]
        colours = bars_by_label(ax)
        assert colours[CLIENT] == CLIENT_COLOR.lower()
        assert all(c != CLIENT_COLOR.lower() for b, c in colours.items() if b != CLIENT)
        bold = {t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"}
        assert bold == {CLIENT}
    mix = pd.DataFrame(
        {"brand": ["Brew Bros", "Chai & Co"], "media_type": ["video", "photo"], "share": [1.0, 1.0]}
    )
    ticks = figures.content_mix(mix, palette).axes[0].get_yticklabels()
    assert [t.get_text() for t in ticks if t.get_fontweight() == "bold"] == [CLIENT]


def test_the_client_line_is_the_strong_one():
    fig = figures.sentiment_weekly(weekly(), figures.brand_palette(BRANDS), timezone="Asia/Kolkata")
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert to_hex(lines[CLIENT].get_color()) == CLIENT_COLOR.lower()
    assert lines[CLIENT].get_linewidth() > lines["Brew Bros"].get_linewidth()
    assert to_hex(lines["Brew Bros"].get_color()) != CLIENT_COLOR.lower()
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()][0] == CLIENT
    assert legend.get_texts()[0].get_fontweight() == "bold"


def test_the_client_node_and_label_stand_out_in_the_graph():
    G = nx.DiGraph([(f"t:fan{i}", "t:chai" if i % 2 else "t:brew") for i in range(20)])
    G.nodes["t:chai"].update(is_brand=True, brand=CLIENT, label="chaiandco")
    G.nodes["t:brew"].update(is_brand=True, brand="Brew Bros", label="brewbros")
    ax = draw_graph(G, client=CLIENT).axes[0]
    edges = {to_hex(c) for coll in ax.collections[1:] for c in coll.get_edgecolors()}
    assert CLIENT_COLOR.lower() in edges
    label = next(t for t in ax.texts if t.get_text() == CLIENT)
    assert label.get_fontweight() == "bold" and to_hex(label.get_color()) == CLIENT_COLOR.lower()


# --- uplift: the tables' rule ------------------------------------------------------------------


def uplift_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feature": ["video", "link_preview", "text", "poll", "quiz"],
            "uplift": [1.8, 1.05, 0.8, 1.3, np.nan],
            "ci_low": [1.7, 0.9, 0.7, 1.1, np.nan],
            "ci_high": [1.9, 1.2, 0.9, 1.5, np.nan],
            "p_adjusted": [1e-9, 0.01, 0.001, 0.2, np.nan],
            "eligible": [True, True, True, True, False],
            # link_preview: the table says significant though its interval crosses 1; poll: not
            # significant though its interval excludes 1. The chart follows the column, both ways.
            "significant": [True, True, True, False, False],
        }
    )


def test_uplift_colours_follow_the_significant_column_only():
    ax = figures.uplift(uplift_table(), title="Formats").axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == ["text", "link preview", "poll", "video"]  # by uplift; ineligible quiz left out
    points = ax.collections[-1]
    colours = dict(zip(names, [to_hex(c) for c in points.get_facecolors()], strict=True))
    assert colours == {"video": figures.BETTER.lower(), "link preview": figures.BETTER.lower(),
                       "text": figures.WORSE.lower(), "poll": figures.NEUTRAL.lower()}  # fmt: skip
    spans = sorted(tuple(np.round(s[:, 0], 3)) for c in ax.collections[:-1] for s in c.get_segments())
    assert (0.7, 0.9) in spans and (1.1, 1.5) in spans  # the intervals are drawn
    assert "times the engagement of the account's usual post" in ax.get_xlabel().lower()
    ax.figure.canvas.draw()
    assert "1×" in [t.get_text() for t in ax.get_xticklabels()]
    assert any(t.get_text() == "1× = the usual post" for t in ax.texts)


# --- the audience graph ------------------------------------------------------------------------


def random_world(n: int = 300, seed: int = 1) -> nx.DiGraph:
    rng = np.random.default_rng(seed)
    G = nx.gnm_random_graph(n, 3 * n, seed=seed, directed=True)
    G = nx.relabel_nodes(G, {i: f"twitter:user{i:03d}_{'x' * int(rng.integers(0, 14))}" for i in G})
    for i, v in enumerate(sorted(G)):
        G.nodes[v].update(label=v.split(":")[1], community=i % 7)
    for v, name in zip(
        sorted(G)[:4], ["Chai & Co", "Brew Bros", "Kettle Kings", "Masala Mornings"], strict=True
    ):
        G.nodes[v].update(is_brand=True, brand=name)
    return G


def test_graph_labels_never_overlap_and_the_legend_is_outside_the_plot():
    G = random_world()
    fig = draw_graph(G, top=300, labels=60, client="Chai & Co", legend={0: "Chai fans " * 12})
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    ax = fig.axes[0]
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts if t.get_text()]
    assert len(boxes) >= 40  # most of the 64 asked for found a free place
    for a, b in itertools.combinations(boxes, 2):
        assert not (a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1), (a, b)
    plot = ax.get_window_extent(renderer)
    assert all(plot.x0 <= b.x0 and b.x1 <= plot.x1 and plot.y0 <= b.y0 and b.y1 <= plot.y1 for b in boxes)
    legend = fig.legends[0].get_window_extent(renderer)
    assert legend.y1 <= plot.y0  # below the plot, covering no node
    assert {"Chai & Co", "Brew Bros", "Kettle Kings", "Masala Mornings"} <= {t.get_text() for t in ax.texts}
    assert ax.get_title(loc="left") == "All 300 accounts, coloured by community"


def test_graph_title_says_what_is_shown():
    G = random_world(200)
    assert draw_graph(G, top=150).axes[0].get_title(loc="left") == (
        "The 150 most central of 200 accounts, coloured by community"
    )


# --- determinism -------------------------------------------------------------------------------


def test_same_input_and_seed_give_the_same_svg_bytes(tmp_path):
    G = random_world(120)
    first, second = (figure_svg(draw_graph(G, seed=3, client="Chai & Co")) for _ in range(2))
    assert first == second and "<dc:date>" not in first
    assert figure_svg(draw_graph(G, seed=4, client="Chai & Co")) != first
    for folder in (tmp_path / "a", tmp_path / "b"):
        Results(folder).figure("fmt", figures.uplift(uplift_table()), title="F", section="content")
    assert (tmp_path / "a/figures/fmt.svg").read_bytes() == (tmp_path / "b/figures/fmt.svg").read_bytes()


# --- plain language ----------------------------------------------------------------------------


def every_chart():
    palette = figures.brand_palette(BRANDS)
    matrix = pd.DataFrame(np.arange(7 * 24).reshape(7, 24) * 10, index=["Monday", "Tuesday", "Wednesday",
                          "Thursday", "Friday", "Saturday", "Sunday"], columns=range(24))  # fmt: skip
    sov = pd.DataFrame(
        {"brand": ["Chai & Co", "Brew Bros"], "share_of_voice": [0.4, 0.6], "engagement_share": [0.5, 0.5]}
    )
    mix = pd.DataFrame({"brand": ["Chai & Co"], "media_type": ["video"], "share": [1.0]})
    return {
        "engagement_per_post": figures.engagement_per_post(scorecard(), palette),
        "heatmap": figures.heatmap(
            matrix, title="When Chai & Co posts", unit="posts", timezone="Asia/Kolkata"
        ),
        "content_mix": figures.content_mix(mix, palette),
        "uplift": figures.uplift(uplift_table()),
        "share_of_voice": figures.share_of_voice(sov, palette),
        "sentiment_weekly": figures.sentiment_weekly(weekly(), palette, timezone="Asia/Kolkata"),
        "top_hashtags": figures.top_hashtags(hashtags(["a", "b"])),
    }


def words(fig) -> list[str]:
    ax = fig.axes[0]
    legends = [t.get_text() for lg in [*fig.legends, ax.get_legend()] if lg for t in lg.get_texts()]
    return [ax.get_xlabel(), ax.get_ylabel(), ax.get_title(loc="left"), *legends]


def test_axes_speak_plain_language():
    charts = every_chart()
    for name, fig in charts.items():
        fig.canvas.draw()
        assert not [w for w in words(fig) if re.search(r"[a-z]_[a-z]", w)], name
        assert chartkit.alt_text(fig), name
    ticks = {name: [t.get_text() for t in fig.axes[0].get_xticklabels()] for name, fig in charts.items()}
    assert any(t.endswith("%") for t in ticks["share_of_voice"])
    assert "1,000" in ticks["top_hashtags"]
    assert all(re.fullmatch(r"\d{1,2} (Aug|Sep|Oct|Nov)", t) for t in ticks["sentiment_weekly"] if t)
    sentiment = charts["sentiment_weekly"].axes[0]
    assert "Asia/Kolkata" in sentiment.get_xlabel()
    assert [t.get_text() for t in sentiment.get_yticklabels()][-1] == "100%"
    assert "Asia/Kolkata" in charts["heatmap"].axes[0].get_xlabel()
    colorbar = charts["heatmap"].axes[1]
    assert "1,000" in [t.get_text() for t in colorbar.get_yticklabels()]


def test_empty_tables_give_a_figure_that_says_so():
    empty = {
        "engagement_per_post": figures.engagement_per_post(scorecard().iloc[:0], client=CLIENT),
        "heatmap": figures.heatmap(pd.DataFrame(), title="t", unit="posts", timezone="UTC"),
        "content_mix": figures.content_mix(pd.DataFrame(columns=["brand", "media_type", "share"])),
        "uplift": figures.uplift(uplift_table().iloc[4:]),
        "share_of_voice": figures.share_of_voice(
            pd.DataFrame(columns=["brand", "share_of_voice", "engagement_share"])
        ),
        "sentiment_weekly": figures.sentiment_weekly(weekly().iloc[:0], timezone="UTC"),
        "top_hashtags": figures.top_hashtags(hashtags([])),
        "draw_graph": draw_graph(nx.DiGraph()),
    }
    for name, fig in empty.items():
        assert NO_DATA in [t.get_text() for t in fig.axes[0].texts], name
        assert NO_DATA.lower() in chartkit.alt_text(fig).lower(), name


# --- in a browser ------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (CI installs chromium in .ci/run)"
)
def test_chromium_draws_the_inlined_svg_text_with_the_font_stack(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the 'playwright' package (dev extra)")
    markup = inline_svg(figure_svg(figures.top_hashtags(hashtags([HINDI, RUSSIAN, SCRIPT]))), id_prefix="t")
    page_file = tmp_path / "page.html"
    page_file.write_text(
        "<!doctype html><meta charset=utf-8><meta http-equiv='Content-Security-Policy' content=\"default-src "
        f"'none'; style-src 'unsafe-inline'\"><body>{markup}</body>",
        encoding="utf-8",
    )
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        try:
            page = browser.new_page()
            requests, errors = [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri(), wait_until="load")
            found = page.evaluate(
                """() => [...document.querySelectorAll('svg text')].map(t => [t.textContent,
                     getComputedStyle(t).fontFamily, t.getBBox().width])"""
            )
        finally:
            browser.close()
    drawn = {text: (family, width) for text, family, width in found}
    assert f"#{HINDI}" in drawn and f"#{SCRIPT}" in drawn
    family, width = drawn[f"#{HINDI}"]
    assert "Noto Sans Devanagari" in family and width > 0
    assert errors == [] and requests == [page_file.as_uri()]
