"""Named results: what notebooks record and the brief is rendered from.

The idea of scrapbook's ``glue``, kept in-house: a notebook records each number, table
and figure under a name; the brief and the tests read them back by name instead of
scraping rendered cells. Everything lives in the report folder::

    results.json        {"values": {...}, "tables": {name: meta}, "figures": {name: meta}}
    tables/<name>.csv   full table, formula-safe
    tables/<name>.xlsx  same, for Excel users
    figures/<name>.png  every chart
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from research.files import atomic_write, atomic_write_text

__all__ = ["Results", "safe_cell", "to_jsonable"]

# A cell starting with one of these is run as a formula by Excel/LibreOffice/Sheets
# (OWASP "CSV injection"); prefixing a quote makes it inert text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
TABLE_PREVIEW_ROWS = 50  # rows of each table kept inside results.json; the files hold all


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in untrusted text; other values pass through.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-5"), safe_cell(-5), safe_cell("chai")
    ('\\'=HYPERLINK("http://x")', "'-5", -5, 'chai')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


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
        atomic_write(tables / f"{name}.csv", lambda f: safe.to_csv(f, index=False, encoding="utf-8"))
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
        self._update("tables", name, entry)
        return df

    def figure(self, name: str, fig: Any, *, title: str, section: str, note: str = "") -> Any:
        """Record a matplotlib figure as ``figures/<name>.png`` (and SVG)."""
        figures = self.folder / "figures"
        figures.mkdir(parents=True, exist_ok=True)
        for ext, kwargs in (("png", {"dpi": 110}), ("svg", {})):
            atomic_write(
                figures / f"{name}.{ext}",
                lambda f, e=ext, k=kwargs: fig.savefig(f, format=e, bbox_inches="tight", **k),
            )
        self._update(
            "figures",
            name,
            {
                "title": title,
                "section": section,
                "note": note,
                "files": [f"figures/{name}.png", f"figures/{name}.svg"],
            },
        )
        return fig


def _to_excel(df: pd.DataFrame, f) -> None:
    out = df.copy()
    for col in out.columns:
        # Excel has no time zones; write local-free UTC wall time and say so in the header.
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
            out = out.rename(columns={col: f"{col} (UTC)"})
        elif out[col].dtype == object:
            out[col] = out[col].map(
                lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else v
            )
    out.to_excel(f, index=False, engine="openpyxl")
