"""Render ``brief.html`` from a report folder's ``results.json``, tables and figures.

The brief reads only recorded results (never notebook cells). Everything from the web is escaped
by Jinja's autoescaping; figures and full tables are embedded (data URIs), so the file opens
offline, can be forwarded as one attachment, and prints on A4.

What a client reads first: the summary (where the client stands, what changed, what to do),
then one section per question with its main tables (ten rows shown, the rest a click away, the
whole table downloadable), the plan, and *Method and data*. Every other recorded table is in the
appendix. Column labels, number formats and the glossary come from `research.brief.labels`.
"""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from research.brief import labels
from research.brief.results import Results
from research.brief.svg import figure_markup
from research.files import atomic_write_text
from research.params import Params

__all__ = ["SECTIONS", "MAIN_TABLES", "render_brief", "brief_context"]

# (id, title) in the order of DESIGN.md "The strategy brief", then the appendix.
SECTIONS: list[tuple[str, str]] = [
    ("summary", "At a glance"),
    ("competitors", "You and your competitors"),
    ("content", "What to post"),
    ("timing", "When to post"),
    ("hashtags", "Hashtags"),
    ("audience-graph", "Who engages with whom"),
    ("audience-profile", "Who your audience is"),
    ("plan", "The plan for the next four weeks"),
    ("method", "Method and data"),
    ("appendix", "Appendix: all tables"),
]

# The tables each section shows in the main brief; every other table goes to the appendix.
MAIN_TABLES: dict[str, list[str]] = {
    "summary": ["position"],
    "competitors": ["scorecard", "follower_growth", "share_of_voice", "response", "mention_sentiment",
                    "flagged_effect", "negative_stretches", "spikes", "period_change"],
    "content": ["format_uplift", "mechanics_uplift", "mechanics_by_brand", "top_posts", "breakout_posts",
                "breakout_traits", "content_pillars", "pillar_gaps", "pillar_performance"],
    "timing": ["recommended_slots"],
    "hashtags": ["recommended_hashtags", "hashtag_gaps", "rising_hashtags", "hashtags"],
    "audience-graph": ["communities", "influencers", "audience_overlap"],
    "audience-profile": ["audience_languages", "audience_sentiment", "account_sizes", "coordinated_groups",
                         "suspicious_accounts"],
    "plan": ["plan_actions", "plan_calendar", "plan_targets", "plan_progress"],
    "method": ["sources", "data_overview"],
}  # fmt: skip
# The columns a client reads, in order (a table not listed shows all but the hidden ones);
# the downloaded CSV keeps every column.
VIEWS: dict[str, list[str]] = {
    "scorecard": ["brand", "posts", "posts_per_week", "engagement_median", "likes_median", "followers", "er_followers", "er_views"],
    "share_of_voice": ["brand", "share_of_voice", "posts", "engagement_share"],
    "response": ["brand", "audience_posts", "answered", "answered_share", "median_response_hours"],
    "mention_sentiment": ["brand", "mentions", "scored", "negative_counted", "negative_share", "negative_low",
                          "negative_high", "share_method"],
    "negative_stretches": ["brand", "start", "end", "mentions", "negative_share", "usual_negative_share"],
    "period_change": ["brand", "metric", "previous", "current", "change_pct", "p_adjusted", "verdict"],
    "format_uplift": ["feature", "reference", "n_with", "n_without", "uplift", "ci_low", "ci_high", "p_adjusted", "significant"],
    "mechanics_uplift": ["feature", "reference", "n_with", "n_without", "uplift", "ci_low", "ci_high", "p_adjusted", "significant"],
    "top_posts": ["brand", "rank", "platform", "created_local", "media_type", "engagement", "relative_engagement", "text", "url"],
    "recommended_slots": ["platform", "weekday", "hour", "posts", "median_relative_engagement", "ci_low", "ci_high", "p_adjusted"],
    "recommended_hashtags": ["hashtag", "source", "posts", "uplift", "reason"],
    "hashtag_gaps": ["hashtag", "competitors", "n_with", "uplift", "ci_low", "ci_high", "p_adjusted"],
    "rising_hashtags": ["hashtag", "current", "previous", "growth", "p_adjusted", "rising"],
    "hashtags": ["scope", "rank", "hashtag", "posts", "share"],
    "communities": ["community", "accounts", "share", "top_hashtags", "top_languages", "brands_engaged", "central_members"],
    "influencers": ["brand", "rank", "handle", "platform", "followers", "engagement", "centrality", "community"],
    "bridges": ["rank", "handle", "platform", "community", "communities_linked", "outside_share"],
    "audience_overlap": ["brand_a", "brand_b", "audience_a", "audience_b", "shared", "jaccard"],
    "audience_sentiment": ["brand", "posts", "scored", "positive", "neutral", "negative", "negative_share", "net"],
    "suspicious_accounts": ["rank", "handle", "platform", "score", "rules"],
    "spikes": ["brand", "kind", "date", "times_usual", "sentence", "examples"],
    "follower_growth": ["brand", "platform", "followers_last", "growth_pct", "sentence"],
    "breakout_posts": ["brand", "local_date", "media_type", "hashtags", "times_usual", "sentence"],
    "breakout_traits": ["brand", "sentence", "p_value"],
    "content_pillars": ["label", "found_in", "posts", "share"],
    "pillar_gaps": ["label", "competitor", "competitor_share", "client_share", "p_adjusted"],
    "pillar_performance": ["label", "posts", "uplift", "ci_low", "ci_high", "significant"],
    "coordinated_groups": ["group", "accounts", "brand", "stance", "posts", "occasions", "first_at", "last_at",
                           "driven_hashtags"],
    "flagged_effect": ["brand", "flagged_mentions", "share_of_voice_with", "share_of_voice", "negative_share_with",
                       "negative_share"],
    "plan_targets": ["kpi", "baseline", "benchmark", "target", "rule", "next_check"],
    "sources": ["source", "format", "origin", "observed_at", "records", "set_aside"],
    "data_overview": ["platform", "posts", "by_brands", "by_audience", "post", "reply", "repost", "quote", "authors"],
}  # fmt: skip
SHOWN_ROWS = 10  # rows visible at once; the rest of the preview opens below
DOWNLOAD_MAX_BYTES = 400_000  # larger tables are in the report folder, not inside the brief

_env = Environment(
    loader=PackageLoader("research.brief", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _cell(value: Any, column: str = "", kind: str | None = None) -> Any:
    """One table cell for reading (``research.brief.labels.format_value``).

    Returns Markup only for links it builds itself from an escaped URL; everything else is
    plain text that autoescaping escapes.
    """
    if column == "url" and isinstance(value, str) and value.startswith(("https://", "http://")):
        return Markup('<a href="{0}" rel="noopener noreferrer">open</a>').format(value)
    shown = labels.format_value(value, kind or labels.kind(column))
    # A 1 MB "handle" is cut in the brief; the CSV/XLSX files keep it all.
    return shown if len(shown) <= CELL_CHARS else shown[: CELL_CHARS - 1] + "…"


CELL_CHARS = 1_000


_ROW_KIND_COLUMNS = {
    "baseline",
    "benchmark",
    "target",
    "then",
    "now",
    "current",
    "previous",
}  # by the row's kind


def _view(name: str, table: dict, folder: Path) -> dict:
    """A recorded table as the template shows it: labelled columns, formatted rows, a download."""
    recorded = table.get("columns", [])
    wanted = VIEWS.get(name, recorded)
    columns = [c for c in wanted if c in recorded and c not in labels.HIDDEN and c != "kind"]
    rows = []
    for row in table.get("data", []):
        metric = labels.METRICS.get(row.get("metric"))
        row_kind = row.get("kind") or (metric[1] if metric else None)
        if metric:
            row = {**row, "metric": metric[0]}
        rows.append(
            [
                {
                    "column": c,
                    "value": _cell(row.get(c), c, row_kind if c in _ROW_KIND_COLUMNS and row_kind else None),
                }
                for c in columns
            ]
        )
    csv = folder / "tables" / f"{name}.csv"
    download = None
    if csv.is_file() and csv.stat().st_size <= DOWNLOAD_MAX_BYTES:
        download = "data:text/csv;charset=utf-8;base64," + base64.b64encode(csv.read_bytes()).decode("ascii")
    return {
        "name": name, "title": table.get("title", name), "note": table.get("note", ""),
        "rows": table.get("rows", 0), "why_empty": table.get("why_empty"),
        "header": [{"column": c, "label": labels.label(c), "numeric": labels.kind(c) not in ("text", "names", "list", "date", "bool")}
                   for c in columns],
        "shown": rows[:SHOWN_ROWS], "more": rows[SHOWN_ROWS:], "download": download, "file": f"{name}.csv",
    }  # fmt: skip


def _figure(name: str, fig: dict, folder: Path) -> dict:
    """A recorded figure as inline SVG (text stays text: any script, sharp at any zoom, selectable),
    else its PNG as a data URI."""
    svg = figure_markup(folder, name, fig)
    png = next((folder / f for f in fig.get("files", []) if str(f).endswith(".png")), None)
    src = None
    if svg is None and png is not None and png.exists():
        src = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")
    return {"name": name, **fig, "svg": svg, "src": src}


def brief_context(folder: Path, params: Params) -> dict[str, Any]:
    """Everything the template needs, grouped by section."""
    folder = Path(folder)
    results = Results(folder).load()
    sections = {sid: {"id": sid, "title": title, "tables": [], "figures": []} for sid, title in SECTIONS}
    placed = {name: sid for sid, names in MAIN_TABLES.items() for name in names}
    tables = results.get("tables", {})
    for sid, names in MAIN_TABLES.items():  # main tables in the order a reader needs them
        for name in names:
            if name in tables:
                sections[sid]["tables"].append(_view(name, tables[name], folder))
    for name, table in tables.items():
        if name not in placed:
            sections["appendix"]["tables"].append(_view(name, table, folder))
    for name, fig in results.get("figures", {}).items():
        sections.get(fig.get("section"), sections["appendix"])["figures"].append(_figure(name, fig, folder))
    values = results.get("values", {})
    start, end = params.period.bounds()
    client = params.brand.name
    found = values.get("findings", [])
    return {
        "title": params.title or f"{client}: competitor and audience research",
        "client": client,
        "period": f"{labels.format_value(start, 'date')} – {labels.format_value(end, 'date')}",
        "timezone": params.timezone,
        "generated": labels.format_value(date.today(), "date"),
        "values": values,
        "you": [f for f in found if f.get("kind") == "you"],
        "opportunities": [f for f in found if f.get("kind") == "opportunity"],
        "risks": [f for f in found if f.get("kind") == "risk"],
        "glossary": labels.GLOSSARY,
        "intros": labels.INTROS,
        "sections": [sections[sid] for sid, _ in SECTIONS],
    }


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """Plain text with blank-line paragraphs and "- " bullets, as ("p"|"ul", lines) blocks.

    Enough structure for docstring-style definitions; everything stays escaped text.
    """
    blocks: list[tuple[str, list[str]]] = []
    for chunk in str(text).replace("**", "").replace("``", "").split("\n\n"):
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


_env.filters["blocks"] = _blocks


def render_brief(folder: str | Path, params: Params) -> Path:
    """Write ``brief.html`` into the report folder and return its path."""
    folder = Path(folder)
    html = _env.get_template("brief.html.j2").render(**brief_context(folder, params))
    out = folder / "brief.html"
    atomic_write_text(out, html)
    return out
