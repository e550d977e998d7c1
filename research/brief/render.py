"""Render ``brief.html`` from a report folder's ``results.json``, tables and figures.

The brief reads only recorded results (never notebook cells). Everything from the web
is escaped by Jinja's autoescaping; figures are embedded as data URIs, so the file
opens offline and can be forwarded as one attachment.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from research.brief.results import Results
from research.params import Params

__all__ = ["SECTIONS", "render_brief", "brief_context"]

# (id, title) in the order of DESIGN.md "The strategy brief".
SECTIONS: list[tuple[str, str]] = [
    ("summary", "Summary"),
    ("competitors", "Competitor scorecard"),
    ("content", "Content"),
    ("timing", "Timing"),
    ("hashtags", "Hashtags"),
    ("audience-graph", "Audience graph"),
    ("audience-profile", "Audience profile"),
    ("plan", "Plan"),
    ("method", "Method and data"),
]

_env = Environment(
    loader=PackageLoader("research.brief", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _cell(value: Any, column: str = "") -> Any:
    """Format one table cell for reading: thousands separators, 2 decimals, lists joined.

    Returns Markup only for links it builds itself from an escaped URL; everything else is
    plain text that autoescaping escapes.
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 1000 or value == int(value):
            return f"{value:,.0f}"
        if abs(value) < 1:  # rates and shares: keep 3 significant digits, 0.0045 must not read as 0
            return f"{value:.3g}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return _capped(", ".join(map(str, value)))
    if column == "url" and isinstance(value, str) and value.startswith(("https://", "http://")):
        return Markup('<a href="{0}" rel="noopener noreferrer">open</a>').format(value)
    return _capped(value) if isinstance(value, str) else value


CELL_CHARS = 1_000  # longer text (a 1 MB "handle") is cut in the brief; the CSV/XLSX files keep it all


def _capped(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """Plain text with blank-line paragraphs and "- " bullets, as ("p"|"ul", lines) blocks.

    Enough structure for docstring-style definitions; everything stays escaped text.
    """
    blocks: list[tuple[str, list[str]]] = []
    for chunk in str(text).replace("**", "").split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines()]
        if not any(lines):
            continue
        if lines[0].startswith("- "):
            items: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line[2:])
                elif items:
                    items[-1] += " " + line
            blocks.append(("ul", items))
        else:
            blocks.append(("p", [" ".join(lines)]))
    return blocks


_env.filters["cell"] = _cell
_env.filters["blocks"] = _blocks


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def brief_context(folder: Path, params: Params) -> dict[str, Any]:
    """Everything the template needs, grouped by section."""
    results = Results(folder).load()
    sections = {sid: {"id": sid, "title": title, "tables": [], "figures": []} for sid, title in SECTIONS}
    for name, table in results.get("tables", {}).items():
        sections.get(table.get("section"), sections["method"])["tables"].append({"name": name, **table})
    for name, fig in results.get("figures", {}).items():
        png = folder / fig["files"][0]
        item = {"name": name, **fig, "src": _data_uri(png) if png.exists() else None}
        sections.get(fig.get("section"), sections["method"])["figures"].append(item)
    values = results.get("values", {})
    start, end = params.period.bounds()
    return {
        "title": params.title or f"{params.client}: competitor and audience research",
        "client": params.client,
        "params": params,
        "period": f"{start} – {end}",
        "timezone": params.timezone,
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "values": values,
        "findings": values.get("findings", []),
        "sections": [sections[sid] for sid, _ in SECTIONS],
    }


def render_brief(folder: str | Path, params: Params) -> Path:
    """Write ``brief.html`` into the report folder and return its path."""
    folder = Path(folder)
    html = _env.get_template("brief.html.j2").render(**brief_context(folder, params))
    out = folder / "brief.html"
    tmp = folder / ".brief.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
