"""Named results: what notebooks record and the brief is rendered from.

The idea of scrapbook's ``glue``, kept in-house: a notebook records each number, table
and figure under a name; the brief and the tests read them back by name instead of
scraping rendered cells. Everything lives in the report folder::

    results.json        {"values": {...}, "tables": {name: meta}, "figures": {name: meta}}
    tables/<name>.csv   full table, formula-safe
    tables/<name>.xlsx  same, for Excel users
    figures/<name>.svg  every chart, text kept as text (the brief's)
    figures/<name>.png  the same chart as an image (slides)
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from research.brief.chartkit import alt_text, missing_scripts, style
from research.brief.labels import list_text
from research.brief.svg import figure_svg
from research.files import atomic_write, atomic_write_text

__all__ = ["Results", "safe_cell", "xlsx_cell", "to_jsonable"]

# A cell starting with one of these is run as a formula by Excel/LibreOffice/Sheets
# (OWASP "CSV injection"); prefixing a quote makes it inert text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# NOTE: spreadsheet tools also start a new row at a bare CR inside a field, so a formula
# after any line break starts a cell of its own: it is neutralised too, and the CSV files
# end lines with CRLF so that the csv module quotes every field holding a CR or an LF.
_AFTER_BREAK = re.compile("(\r\n|\r|\n)(?=[=+\\-@\t\uff1d\uff0b\uff0d\uff20])")


# Characters XLSX cannot hold (openpyxl refuses the whole file for one), and Excel's cell limit.
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_CELL_CHARS = 32_767
TABLE_PREVIEW_ROWS = 50  # rows of each table kept inside results.json; the files hold all


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in untrusted text, at its start and after every line break.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-5"), safe_cell(-5), safe_cell("chai")
    ('\\'=HYPERLINK("http://x")', "'-5", -5, 'chai')
    >>> safe_cell("tea time\\r=1+1\\n@SUM(A1)")
    "tea time\\r'=1+1\\n'@SUM(A1)"

    A list becomes text, never Python's repr: short items on one line, long ones (posts) one per line:

    >>> safe_cell(["chai", "pune"])
    'chai, pune'
    >>> safe_cell(["=1+1", {"author": "@ann", "text": "chai, and the best samosa in all of Pune"}])
    "'=1+1\\n'@ann: chai, and the best samosa in all of Pune"
    """
    if isinstance(value, (list, tuple, np.ndarray)):
        value = list_text(value, "\n")  # tags on a line, posts one per line
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    if "\r" in value or "\n" in value:
        value = _AFTER_BREAK.sub(r"\1'", value)
    return value


def xlsx_cell(value: Any) -> Any:
    """Text an XLSX file can hold: control characters as U+FFFD, at most Excel's 32,767 characters.

    >>> xlsx_cell("tab\\there, vertical tab\\vthere")
    'tab\\there, vertical tab\\ufffdthere'
    """
    if not isinstance(value, str):
        return value
    value = _NOT_IN_XLSX.sub("\ufffd", value)
    return value if len(value) <= XLSX_CELL_CHARS else value[: XLSX_CELL_CHARS - 1] + "…"


def to_jsonable(value: Any) -> Any:
    """Plain JSON types for numpy/pandas scalars, timestamps, frames and NA."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray, pd.Series)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict("records")]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        # 6 significant digits, not decimals: a p-value of 1e-70 must not become 0.
        return None if math.isnan(value) or math.isinf(value) else float(f"{float(value):.6g}")
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if isinstance(value, (pd.Timedelta,)):
        return value.total_seconds()
    return value


class Results:
    """The named results of one report folder."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / "results.json"

    def load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"values": {}, "tables": {}, "figures": {}}
        return json.loads(self.path.read_text(encoding="utf-8"))

    def _update(self, kind: str, name: str, entry: Any) -> None:
        data = self.load()
        data.setdefault(kind, {}).pop(name, None)  # re-recording moves the entry to the end
        data[kind][name] = to_jsonable(entry)
        atomic_write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1))

    def frames(self) -> dict[str, pd.DataFrame]:
        """Recorded tables as DataFrames (the previews kept in results.json)."""
        tables = self.load().get("tables", {})
        return {name: pd.DataFrame(t["data"], columns=t["columns"]) for name, t in tables.items()}

    def value(self, name: str, value: Any) -> Any:
        """Record a number, string or small dict under ``name``; returns it for display."""
        self._update("values", name, value)
        return value

    def table(self, name: str, df: pd.DataFrame, *, title: str, section: str, note: str = "") -> pd.DataFrame:
        """Record a table: CSV and XLSX files (formula-safe) plus a preview in results.json."""
        tables = self.folder / "tables"
        tables.mkdir(parents=True, exist_ok=True)
        safe = df.map(safe_cell) if len(df) else df
        atomic_write(
            tables / f"{name}.csv",
            lambda f: safe.to_csv(f, index=False, encoding="utf-8", lineterminator="\r\n"),
        )
        atomic_write(tables / f"{name}.xlsx", lambda f: _to_excel(safe, f))
        entry = {
            "title": title,
            "section": section,
            "note": note,
            "rows": len(df),
            "columns": [str(c) for c in df.columns],
            "data": df.head(TABLE_PREVIEW_ROWS)
            .astype(object)
            .where(df.head(TABLE_PREVIEW_ROWS).notna(), None),
            "files": [f"tables/{name}.csv", f"tables/{name}.xlsx"],
        }
        if not len(df):  # the one sentence the brief shows instead (an analysis says why, if it knows)
            entry["why_empty"] = df.attrs.get("why_empty") or "No data for this table in the period."
        self._update("tables", name, entry)
        return df

    def figure(
        self, name: str, fig: Any, *, title: str, section: str, note: str = "", alt: str | None = None
    ) -> Any:
        """Record a matplotlib figure as ``figures/<name>.svg`` (the brief's) and ``.png`` (slides).

        The SVG keeps text as text (`research.brief.svg.figure_svg`); the PNG is drawn with the
        fonts of `research.brief.chartkit.style`. The entry in results.json carries ``alt``
        (default: the summary the chart function attached, else ``title``) and
        ``png_missing_scripts``: scripts of the figure's text no installed font could draw
        in the PNG (the SVG is drawn by the reader's browser and has none missing).
        """
        figures = self.folder / "figures"
        figures.mkdir(parents=True, exist_ok=True)
        with style():
            atomic_write(
                figures / f"{name}.png",
                lambda f: fig.savefig(f, format="png", dpi=150, bbox_inches="tight"),
            )
            missing = missing_scripts(fig)
        alt = alt or alt_text(fig, title)
        atomic_write_text(figures / f"{name}.svg", figure_svg(fig, alt=alt))
        entry = {
            "title": title,
            "section": section,
            "note": note,
            "alt": alt,
            "files": [f"figures/{name}.png", f"figures/{name}.svg"],
            "png_missing_scripts": missing,
        }
        self._update("figures", name, entry)
        return fig


def _to_excel(df: pd.DataFrame, f) -> None:
    out = df.copy()
    names = []
    for i, col in enumerate(out.columns):
        column = out.iloc[:, i]
        # Excel has no time zones; write local-free UTC wall time and say so in the header.
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            out.isetitem(i, column.dt.tz_convert("UTC").dt.tz_localize(None))
            col = f"{col} (UTC)"
        elif column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            out.isetitem(
                i,
                column.map(
                    lambda v: xlsx_cell(
                        ", ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v
                    ),
                    na_action="ignore",
                ),
            )
        names.append(xlsx_cell(str(col)))
    out.columns = names
    out.to_excel(f, index=False, engine="openpyxl")
