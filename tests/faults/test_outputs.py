"""One value never makes the report fail, and no cell of a table runs as a formula.

A control character in a top post (openpyxl refused the whole XLSX), a 1 MB handle (a figure
8,390,645 px wide), and formulas hidden after a bare carriage return inside a field, which
spreadsheet tools take for a row break (the first-character check missed them).
"""

from __future__ import annotations

import re
import struct

import openpyxl
import pandas as pd

from research.brief import figures
from research.brief.render import _cell
from research.brief.results import Results, safe_cell

HUGE = "h" * (1 << 20)  # a 1 MB handle
FORMULAS = ("=", "+", "-", "@", "\t", "\uff1d", "\uff0b", "\uff0d", "\uff20")
TRICKS = [
    "tea\r=1+1",  # the case: a bare CR, then a formula
    "tea\n@SUM(A1:A9)",
    'tea\r\n+HYPERLINK("http://evil.example")',
    "\r-2+3",
    "ok\r\r=CMD()",
    "=start",
    "\uff1dfull-width",
]


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "author_handle": ["fan", HUGE, "vt\vtab", *["x"] * len(TRICKS)][: 3 + len(TRICKS)],
            "text": ["control \x00\x01\x0b\x1f chars", "long handle", "bell\x07", *TRICKS],
            "hashtags": [["chai", "=1+1"], [], ["a\vb"], *[[]] * len(TRICKS)],
            "likes": range(3 + len(TRICKS)),
        }
    )


def test_a_table_with_control_characters_and_huge_values_is_written(tmp_path):
    Results(tmp_path).table("top_posts", table(), title="Top posts", section="content")
    sheet = openpyxl.load_workbook(tmp_path / "tables" / "top_posts.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "control \ufffd\ufffd\ufffd\ufffd chars"
    assert rows[3][0] == "vt\ufffdtab" and rows[3][2] == "a\ufffdb"
    assert len(rows[2][0]) == 32_767 and rows[2][0].endswith("…")  # Excel's limit per cell
    csv_text = (tmp_path / "tables" / "top_posts.csv").read_text(encoding="utf-8")
    assert HUGE in csv_text  # the CSV keeps the data whole


def test_no_formula_starts_a_cell_even_after_a_bare_carriage_return(tmp_path):
    Results(tmp_path).table("top_posts", table(), title="Top posts", section="content")
    raw = (tmp_path / "tables" / "top_posts.csv").read_bytes().decode("utf-8")
    # The worst a spreadsheet tool does: every CR, LF or CRLF starts a row, every comma a cell.
    pieces = [cell.lstrip('"') for line in re.split(r"\r\n|\r|\n", raw) for cell in line.split(",")]
    assert [p for p in pieces if p.startswith(FORMULAS)] == []
    # Fields holding a line break are quoted, so a careful reader gets them back whole.
    assert raw.count('"tea\r\'=1+1"') == 1
    import csv
    import io

    csv.field_size_limit(1 << 24)  # the 1 MB handle
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert [r[1] for r in rows[4:]] == [safe_cell(t) for t in TRICKS]
    assert safe_cell("ok\r\r=CMD()") == "ok\r\r'=CMD()"


def _png_width(path) -> int:
    return struct.unpack(">II", path.read_bytes()[16:24])[0]


def test_a_huge_label_does_not_make_a_huge_figure(tmp_path):
    data = pd.DataFrame({"account": ["fan", HUGE, "=1+1"], "posts": [3, 2, 1]})
    results = Results(tmp_path)
    results.figure(
        "influencers", figures.bar(data, x="posts", y="account", xlabel="posts"), title="t", section="s"
    )
    assert _png_width(tmp_path / "figures" / "influencers.png") < 1_500
    assert (tmp_path / "figures" / "influencers.svg").stat().st_size < 200_000
    uplift = pd.DataFrame({"feature": [HUGE], "uplift": [1.2], "ci_low": [1.0], "ci_high": [1.4],
                           "eligible": [True], "significant": [True]})  # fmt: skip
    results.figure("uplift", figures.uplift(uplift), title="t", section="s")
    assert _png_width(tmp_path / "figures" / "uplift.png") < 1_500


def test_the_brief_cuts_a_huge_cell_and_keeps_a_normal_one():
    assert _cell("chai") == "chai"
    shown = _cell(HUGE)
    assert len(shown) == 1_000 and shown.endswith("…")
    assert len(_cell([HUGE, "x"])) == 1_000
