import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import openpyxl
import pandas as pd

from research.brief import SECTIONS, render_brief
from research.brief.results import Results
from research.params import parse_params

PARAMS = parse_params(
    {
        "client": "cafe",
        "title": "Café <b>brief</b>",
        "timezone": "Asia/Kolkata",
        "period": {"start": "2026-08-01", "end": "2026-10-29"},
        "brand": {"name": "Chai & Co", "accounts": [{"platform": "twitter", "handle": "chaiandco"}]},
    }
)
EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_tables_are_written_formula_safe_as_csv_and_xlsx(tmp_path):
    results = Results(tmp_path)
    df = pd.DataFrame(
        {"text": ['=HYPERLINK("http://evil")', "+cmd|' /C calc'!A0", "plain", "-2+3"], "likes": [1, 2, 3, -4]}
    )
    results.table("top_posts", df, title="Top posts", section="content")
    csv = pd.read_csv(tmp_path / "tables" / "top_posts.csv")
    assert csv["text"].tolist() == ['\'=HYPERLINK("http://evil")', "'+cmd|' /C calc'!A0", "plain", "'-2+3"]
    assert csv["likes"].tolist() == [1, 2, 3, -4]  # numbers stay numbers
    sheet = openpyxl.load_workbook(tmp_path / "tables" / "top_posts.xlsx").active
    cells = [c.value for c in sheet["A"]][1:]
    assert cells[0].startswith("'=") and sheet["A2"].data_type == "s"
    stored = json.loads((tmp_path / "results.json").read_text())
    assert stored["tables"]["top_posts"]["rows"] == 4
    assert (
        stored["tables"]["top_posts"]["data"][0]["text"] == '=HYPERLINK("http://evil")'
    )  # JSON keeps the truth


def test_values_round_trip_and_rerecording_replaces(tmp_path):
    results = Results(tmp_path)
    results.value("posts", 3)
    results.value("posts", 4)
    results.value("share", 0.123456789)
    assert results.load()["values"] == {"posts": 4, "share": 0.123457}


def test_brief_escapes_web_text_and_embeds_figures(tmp_path):
    results = Results(tmp_path)
    results.table(
        "top_posts",
        pd.DataFrame({"text": [EVIL], "url": ["https://x.com/a/status/1"]}),
        title="Top posts",
        section="content",
    )
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    results.figure("trend", fig, title="Trend", section="competitors")
    results.value(
        "findings", [{"kind": "opportunity", "headline": "Post at 19:00.", "text": EVIL, "section": "timing"}]
    )
    html = render_brief(tmp_path, PARAMS).read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "Café &lt;b&gt;brief&lt;/b&gt;" in html
    figure = html[html.index('<figure id="fig-trend">') : html.index("</figure>")]
    assert "<svg" in figure and "<title>Trend</title>" in figure and "<script" not in figure  # inline SVG
    (tmp_path / "figures" / "trend.svg").unlink()  # a report folder from before SVGs: the PNG
    html = render_brief(tmp_path, PARAMS).read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in html
    assert '<a href="https://x.com/a/status/1" rel="noopener noreferrer">open</a>' in html
    assert 'href="#timing">See the section' in html
    # every section, in DESIGN.md order
    positions = [html.index(f'<section id="{sid}"') for sid, _ in SECTIONS]
    assert positions == sorted(positions)
    # nothing may reach the network
    assert 'http-equiv="Content-Security-Policy" content="default-src \'none\'' in html
    assert 'src="http' not in html and "<link" not in html


def test_sections_without_data_say_so(tmp_path):
    html = render_brief(tmp_path, PARAMS).read_text(encoding="utf-8")
    # every section but the summary, method and the appendix (which always say something)
    assert html.count("This section has no data in this run.") == len(SECTIONS) - 3
    assert "The data show no opportunity that survives its test in this period." in html
