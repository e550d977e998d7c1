"""The interactive workbench: filter one client's data with widgets and see the analyses follow.

``build_explorer(params_path, workspace)`` returns an `Explorer`: ipywidgets controls
(client params file, period, platforms, brands, interaction kinds) above tabs showing
the per-account scorecard, the posting heatmaps, the interaction graph (summary and
the interactive view of `research.brief.graph_view`) and its top communities. Every output is computed by the same ``research`` functions the
notebooks call (`competitors.scorecard`, `timing.posting_heatmaps`,
`graph.interaction_graph`, `communities.detect_communities`, `communities.community_labels`), so
what the analyst sees while exploring is what the brief will say for the same filters.
With ``privacy: {pseudonymize_audience: true}`` audience accounts are pseudonymised on
loading, as in the notebooks.

Callbacks are plain methods: ``explorer.refresh()`` recomputes everything from the
current widget values, and the computed tables stay on the object
(``explorer.scorecard``, ``explorer.heatmaps``, ``explorer.graph``, ...), so the
explorer can be driven and tested without a browser or a kernel. Nothing is written
to disk (but the client's pseudonym salt, created on first use when privacy asks for it).
"""

from __future__ import annotations

import html
import io
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import ipywidgets as w
import networkx as nx
import pandas as pd
from matplotlib.figure import Figure

from research.analyses import competitors, graph, timing
from research.analyses.graph import communities
from research.analyses.metrics import Period
from research.brands import Brand
from research.brief import figures, graph_view
from research.errors import ResearchError
from research.params import Params, load_params
from research.run.notebook import load_data
from research.store import Store

__all__ = ["Explorer", "build_explorer", "TOP_COMMUNITIES", "GRAPH_VIEW_NODES"]

TOP_COMMUNITIES = 10  # communities listed; the rest are usually a long tail of pairs
# Accounts drawn in the interactive view: enough to see the communities, few enough that the
# layout is computed in seconds on every Update (the brief's view shows more).
GRAPH_VIEW_NODES = 300
_PLURAL = {"reply": "replies", "mention": "mentions", "repost": "reposts", "quote": "quotes"}


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=90, bbox_inches="tight")
    return out.getvalue()


def _table_html(df: pd.DataFrame, *, empty: str) -> str:
    if df.empty:
        return f"<p><i>{html.escape(empty)}</i></p>"
    # NOTE: to_html escapes cell text by default: handles, names and words come from the web.
    return df.to_html(index=False, escape=True, na_rep="—", float_format=lambda v: f"{v:,.3g}", border=0)


class Explorer:
    """Widgets and outputs for exploring one client's data; see the module docstring.

    Attributes set by `refresh`: ``scorecard`` (per account), ``heatmaps`` (brand ->
    7 × 24 counts of own posts) and ``heatmap_figures`` (brand -> Figure), ``graph``
    (the filtered interaction graph, nodes carrying ``community`` and ``pagerank``),
    ``graph_summary`` (dict) and ``communities`` (top communities with labels).
    ``widget`` is the whole interface, ready to display in a notebook.
    """

    def __init__(self, params_path: str | Path, workspace: str | Path = "."):
        self.workspace = Path(workspace)
        params_path = Path(params_path)
        choices = sorted({*params_path.parent.glob("*.yaml"), params_path}, key=lambda p: (p.stem, str(p)))
        self.params_file = w.Dropdown(
            options=[(p.stem, str(p)) for p in choices], value=str(params_path), description="Client"
        )
        self.start = w.DatePicker(description="From")
        self.end = w.DatePicker(description="To")
        self.platforms = w.SelectMultiple(description="Platforms", rows=4)
        self.brands = w.SelectMultiple(description="Brands", rows=4)
        self.kinds = w.SelectMultiple(
            options=list(graph.KINDS), value=list(graph.KINDS), description="Interactions", rows=4
        )
        self.update = w.Button(description="Update", button_style="primary", icon="refresh")
        self.status = w.HTML()
        self.scorecard_view = w.HTML()
        self.heatmap_view = w.VBox()
        self.graph_summary_view = w.HTML()
        self.graph_view = w.HTML()
        self.communities_view = w.HTML()

        self.params: Params
        self.posts = pd.DataFrame()
        self.accounts = pd.DataFrame()
        self.scorecard = pd.DataFrame()
        self.heatmaps: dict[str, pd.DataFrame] = {}
        self.heatmap_figures: dict[str, Figure] = {}
        self.graph = nx.DiGraph()
        self.graph_summary: dict[str, Any] = {}
        self.communities = pd.DataFrame()

        self._loading = False
        self.params_file.observe(self._picked, names="value")
        for control in (self.start, self.end, self.platforms, self.brands, self.kinds):
            control.observe(self._changed, names="value")
        self.update.on_click(lambda _: self.refresh())
        self.widget = self._layout()
        self.load(params_path)

    def _layout(self) -> w.Widget:
        controls = w.HBox(
            [
                w.VBox([self.params_file, self.start, self.end, self.update]),
                self.platforms,
                self.brands,
                self.kinds,
            ]
        )
        tabs = w.Tab(
            [
                self.scorecard_view,
                self.heatmap_view,
                w.VBox([self.graph_summary_view, self.graph_view]),
                self.communities_view,
            ]
        )
        for i, title in enumerate(("Scorecard", "Posting heatmap", "Interaction graph", "Communities")):
            tabs.set_title(i, title)
        return w.VBox([controls, self.status, tabs])

    # --- callbacks -----------------------------------------------------------------------------

    def load(self, params_path: str | Path) -> None:
        """Switch to another client: read its params and data, reset the filters, refresh.

        Raises ``ResearchError`` (bad params, unreadable store) before changing anything.
        """
        params = load_params(params_path)
        posts, accounts = self._data(params)
        self._loading = True
        try:
            self.params, self.posts, self.accounts = params, posts, accounts
            self.start.value, self.end.value = params.period.bounds()
            platforms = sorted({*params.platforms(), *posts["platform"].dropna().unique()})
            self.platforms.options = platforms
            self.platforms.value = tuple(platforms)
            names = [b.name for b in params.brands()]
            self.brands.options = names
            self.brands.value = tuple(names)
            self.kinds.value = tuple(graph.KINDS)
            path = str(params_path)
            if path not in [value for _, value in self.params_file.options]:
                self.params_file.options = [*self.params_file.options, (Path(path).stem, path)]
            self.params_file.value = path
        finally:
            self._loading = False
        self.refresh()

    def _data(self, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
        return load_data(params, Store(self.workspace, params.client))

    def _picked(self, change: dict) -> None:
        if self._loading:
            return
        try:
            self.load(change["new"])
        except ResearchError as e:
            # Keep showing the client that was loaded, and say why the other one could not be.
            self._loading = True
            try:
                self.params_file.value = change["old"]
            finally:
                self._loading = False
            self.status.value = (
                f"<b>Cannot load {html.escape(Path(change['new']).name)}:</b> {html.escape(str(e))}"
            )

    def _changed(self, change: dict) -> None:
        if not self._loading:
            self.status.value = "<i>Filters changed: press <b>Update</b> to recompute.</i>"

    def selected_brands(self) -> list[Brand]:
        """The selected brands, each keeping only its accounts on the selected platforms."""
        platforms = set(self.platforms.value)
        chosen = [b for b in self.params.brands() if b.name in set(self.brands.value)]
        kept = [replace(b, accounts=tuple(a for a in b.accounts if a[0] in platforms)) for b in chosen]
        return [b for b in kept if b.accounts]

    def period(self) -> Period:
        """The selected period (local dates, inclusive); an empty or reversed picker is an error."""
        start, end = self.start.value, self.end.value
        if start is None or end is None:
            raise ValueError("pick both a start and an end date")
        if isinstance(start, datetime):
            start = start.date()
        if isinstance(end, datetime):
            end = end.date()
        if end < start:
            raise ValueError(f"the end date {end} is before the start date {start}")
        return Period(start, end, self.params.timezone)

    def refresh(self) -> None:
        """Recompute every output from the current widget values."""
        try:
            period = self.period()
        except ValueError as e:
            self.status.value = f"<b>Cannot update:</b> {html.escape(str(e))}."
            return
        start, end, tz = period.start, period.end, period.timezone
        platforms = list(self.platforms.value)
        brands = self.selected_brands()
        posts = self.posts.loc[self.posts["platform"].isin(platforms)]

        self.scorecard = competitors.scorecard(posts, self.accounts, brands, period, by="account")
        self.scorecard_view.value = _table_html(
            self.scorecard, empty="No brand account on the selected platforms."
        )

        self.heatmaps = timing.posting_heatmaps(posts, brands, period)
        self.heatmap_figures = {
            name: figures.heatmap(matrix, title=f"{name}: own posts", unit="posts", timezone=tz)
            for name, matrix in self.heatmaps.items()
        }
        self.heatmap_view.children = [
            w.Image(value=_png(f), format="png") for f in self.heatmap_figures.values()
        ] or [w.HTML("<p><i>No brand account on the selected platforms.</i></p>")]

        self._refresh_graph(posts, period, platforms)
        shown = int(self.scorecard["posts"].sum()) if len(self.scorecard) else 0
        self.status.value = html.escape(
            f"{self.params.client}: {start} – {end} ({tz}), {len(platforms)} platform(s), "
            f"{len(brands)} brand(s), {shown} own posts, {self.graph.number_of_nodes()} accounts in the graph."
        )

    def _refresh_graph(self, posts: pd.DataFrame, period: Period, platforms: list[str]) -> None:
        # Local calendar days -> the UTC instants interaction_graph filters on (end exclusive).
        t0 = pd.Timestamp(period.start).tz_localize(period.timezone)
        t1 = pd.Timestamp(period.end + timedelta(days=1)).tz_localize(period.timezone)
        kinds = list(self.kinds.value)
        G = graph.interaction_graph(
            posts, self.accounts, self.params.brands(), kinds=kinds, platforms=platforms, start=t0, end=t1
        )
        parts = communities.detect_communities(G, seed=0) if G.number_of_edges() else []
        H = communities.set_communities(G, parts)
        # PageRank once: community labels, the view's node sizes and its top-node cut all use it.
        rank = graph.pagerank(H) if len(H) else {}
        nx.set_node_attributes(H, rank, "pagerank")
        self.graph = H
        in_range = posts.loc[period.contains(posts)]
        labels = (
            communities.community_labels(H, in_range, self.accounts, centrality=rank)
            if parts
            else pd.DataFrame()
        )
        self.communities = labels.head(TOP_COMMUNITIES)
        weights = {k: sum(d.get(k, 0) for *_, d in G.edges(data=True)) for k in kinds}
        self.graph_summary = {
            "accounts": G.number_of_nodes(),
            "links": G.number_of_edges(),
            "interactions": sum(weights.values()),
            **{_PLURAL[k]: v for k, v in weights.items()},
            "brand_accounts": sum(1 for _, b in G.nodes(data="is_brand") if b),
            "communities": len(parts),
            "modularity": nx.community.modularity(graph.undirected(G), parts, weight="weight")
            if parts
            else None,
        }
        summary = pd.DataFrame(
            {"measure": list(self.graph_summary), "value": list(self.graph_summary.values())}
        )
        self.graph_summary_view.value = _table_html(summary, empty="")
        legend = {r.community: r.top_hashtags or f"Community {r.community}" for r in labels.itertuples()}
        page = graph_view.graph_html(
            H, title=f"{self.params.client}: interaction graph", legend=legend, top=GRAPH_VIEW_NODES, seed=0
        )
        # NOTE: the viewer is a whole HTML document with its own script; an iframe runs it, and the
        # sandbox without allow-same-origin keeps it away from the notebook page.
        self.graph_view.value = (
            f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
            'style="width:100%;height:560px;border:0" title="interaction graph"></iframe>'
        )
        self.communities_view.value = _table_html(
            self.communities, empty="No interactions between accounts for these filters."
        )


def build_explorer(params_path: str | Path, workspace: str | Path = ".") -> Explorer:
    """The interactive workbench for the client of ``params_path`` (data read from ``workspace``).

    Other params files in the same folder can be picked in the widget. Display
    ``explorer.widget`` in a notebook; call ``explorer.refresh()`` after changing
    widget values from code.
    """
    return Explorer(params_path, workspace)
