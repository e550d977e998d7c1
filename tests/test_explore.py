"""The interactive workbench driven headless: change widget values, refresh, check the outputs.

No browser and no kernel: widgets are plain objects and ``refresh`` is a plain method.
The notebook that shows the explorer is also executed under papermill.
"""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from research.analyses import graph
from research.analyses.metrics import Period, own_posts
from research.cli import DEMO_PARAMS
from research.run.explore import Explorer, build_explorer
from research.run.pipeline import NOTEBOOKS_DIR


@pytest.fixture(scope="module")
def explorer(demo_workspace) -> Explorer:
    return build_explorer(DEMO_PARAMS, demo_workspace.path)


STATE = ("scorecard", "heatmaps", "heatmap_figures", "graph", "graph_summary", "communities")
CONTROLS = ("start", "end", "platforms", "brands", "kinds")


@pytest.fixture(scope="module")
def baseline(explorer) -> tuple[dict, dict]:
    """The outputs and filter values right after loading the demo params."""
    return {k: getattr(explorer, k) for k in STATE}, {k: getattr(explorer, k).value for k in CONTROLS}


@pytest.fixture
def fresh(explorer, baseline) -> Explorer:
    """The module's explorer back at the demo params' own filters (restored, not recomputed: faster)."""
    state, controls = baseline
    for name, value in controls.items():
        getattr(explorer, name).value = value
    for name, value in state.items():
        setattr(explorer, name, value)
    explorer.status.value = ""
    return explorer


def _posts_by_account(ex: Explorer) -> dict[tuple[str, str], int]:
    return {(r.platform, r.handle): int(r.posts) for r in ex.scorecard.itertuples()}


def test_starts_with_every_filter_of_the_params(fresh, demo):
    start, end = demo.params.period.bounds()
    assert (fresh.start.value, fresh.end.value) == (start, end)
    assert set(fresh.platforms.value) == {"twitter", "bluesky"}
    assert list(fresh.brands.value) == [b.name for b in demo.brands]
    assert set(fresh.kinds.value) == set(graph.KINDS)
    accounts = {(p, h) for b in demo.brands for p, h in b.accounts}
    assert set(_posts_by_account(fresh)) == accounts
    assert set(fresh.heatmaps) == {b.name for b in demo.brands}
    assert fresh.graph_summary["communities"] >= 5  # the demo plants five audience communities
    assert len(fresh.communities) >= 5 and fresh.communities["label"].str.startswith("Community").all()
    assert fresh.scorecard_view.value.startswith("<table")
    assert all(image.value[:8] == b"\x89PNG\r\n\x1a\n" for image in fresh.heatmap_view.children)
    view = fresh.graph_view.value  # research.brief.graph_view's page, run in a sandboxed iframe
    assert view.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in view
    assert "<script" not in view  # the page's own script is inside the escaped srcdoc attribute


def test_deselecting_a_platform_removes_its_rows(fresh):
    before = _posts_by_account(fresh)
    before_heat = {name: m.to_numpy().sum() for name, m in fresh.heatmaps.items()}
    fresh.platforms.value = ("twitter",)
    assert "Update" in fresh.status.value  # a change is flagged until the analyst presses Update
    fresh.refresh()
    after = _posts_by_account(fresh)
    assert set(after) == {k for k in before if k[0] == "twitter"}
    assert all(after[k] == before[k] for k in after)  # the twitter rows themselves do not change
    assert {p for _, p in fresh.graph.nodes(data="platform")} == {"twitter"}
    for name, total in before_heat.items():
        bluesky = sum(n for (p, h), n in before.items() if p == "bluesky" and _brand(fresh, p, h) == name)
        assert fresh.heatmaps[name].to_numpy().sum() == total - bluesky


def _brand(ex: Explorer, platform: str, handle: str) -> str:
    return next(b.name for b in ex.params.brands() if (platform, handle) in b.accounts)


def test_narrowing_the_period_drops_exactly_the_posts_outside_it(fresh, demo):
    before = _posts_by_account(fresh)
    interactions = fresh.graph_summary["interactions"]
    start, end = fresh.start.value, fresh.end.value
    fresh.start.value = start + timedelta(days=30)
    fresh.refresh()
    after = _posts_by_account(fresh)
    # Own posts in the 30 days cut off, counted independently of the explorer.
    cut = own_posts(
        demo.posts, None, demo.brands, Period(start, start + timedelta(days=29), demo.params.timezone)
    )
    removed = cut.groupby(["platform", cut["author_handle"].str.lower()]).size()
    assert removed.sum() > 0
    for key, n in before.items():
        assert after[key] == n - int(removed.get(key, 0)), key
    assert fresh.graph_summary["interactions"] < interactions
    assert f"{start + timedelta(days=30)} – {end}" in fresh.status.value


def test_brands_and_interaction_kinds_filter_their_outputs(fresh):
    keep = [b for b in fresh.brands.value if b != "Kettle Kings"]
    fresh.brands.value = tuple(keep)
    fresh.kinds.value = ("mention",)
    fresh.refresh()
    assert "Kettle Kings" not in set(fresh.scorecard["brand"])
    assert set(fresh.heatmaps) == set(keep)
    summary = fresh.graph_summary
    assert "replies" not in summary and summary["interactions"] == summary["mentions"] > 0
    assert all(d["weight"] == d["mention"] for *_, d in fresh.graph.edges(data=True))


def test_a_reversed_period_is_refused_and_keeps_the_outputs(fresh):
    card = fresh.scorecard
    fresh.start.value, fresh.end.value = fresh.end.value, fresh.start.value
    fresh.refresh()
    assert "Cannot update" in fresh.status.value and "before the start date" in fresh.status.value
    assert fresh.scorecard is card


def test_picking_another_params_file_reloads_its_filters(explorer, demo_workspace, tmp_path):
    folder = tmp_path / "params"
    folder.mkdir()
    shutil.copy(DEMO_PARAMS, folder / "demo.yaml")
    text = DEMO_PARAMS.read_text(encoding="utf-8")
    (folder / "demo-september.yaml").write_text(
        text.replace(
            "period: {start: 2026-08-01, end: 2026-10-29}", "period: {start: 2026-09-01, end: 2026-09-30}"
        ),
        encoding="utf-8",
    )
    (folder / "broken.yaml").write_text("client: demo\nperiod: {last_days: 0}\n", encoding="utf-8")
    ex = build_explorer(folder / "demo.yaml", demo_workspace.path)
    assert [label for label, _ in ex.params_file.options] == ["broken", "demo", "demo-september"]
    full = int(ex.scorecard["posts"].sum())
    ex.params_file.value = str(folder / "demo-september.yaml")  # the widget's own callback reloads
    assert str(ex.start.value) == "2026-09-01" and str(ex.end.value) == "2026-09-30"
    assert 0 < int(ex.scorecard["posts"].sum()) < full
    card = ex.scorecard
    ex.params_file.value = str(folder / "broken.yaml")  # refused: the loaded client stays
    assert (
        ex.status.value.startswith("<b>Cannot load broken.yaml:</b>")
        and "period.last_days" in ex.status.value
    )
    assert ex.params_file.value == str(folder / "demo-september.yaml") and ex.scorecard is card


def test_privacy_pseudonymises_the_audience_as_the_notebooks_do(demo_workspace, tmp_path):
    workspace = tmp_path / "ws"
    shutil.copytree(demo_workspace.path / "data" / "processed", workspace / "data" / "processed")
    params = tmp_path / "demo.yaml"
    params.write_text(
        DEMO_PARAMS.read_text(encoding="utf-8").replace(
            "privacy: {pseudonymize_audience: false}", "privacy: {pseudonymize_audience: true}"
        ),
        encoding="utf-8",
    )
    ex = build_explorer(params, workspace)
    audience = [h for h, brand in ex.graph.nodes(data="brand") if not brand]
    assert audience and all(ex.graph.nodes[n]["handle"].startswith("user-") for n in audience)
    assert {h for _, h in ex.graph.nodes(data="handle") if not h.startswith("user-")} == {
        h for b in ex.params.brands() for _, h in b.accounts
    }
    assert (workspace / "data" / "private" / "demo.salt").exists()


def test_web_text_is_escaped_in_the_html_outputs(fresh):
    views = [fresh.scorecard_view, fresh.graph_summary_view, fresh.communities_view]
    assert all("<script" not in v.value and "<img" not in v.value for v in views)


def test_explore_notebook_runs_under_papermill(demo_workspace, tmp_path):
    import nbformat
    import papermill as pm

    source = NOTEBOOKS_DIR / "explore.ipynb"
    nb = nbformat.read(source, as_version=4)
    assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")  # committed stripped
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "def " not in code and "class " not in code
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(source),
        str(out),
        parameters={"params_path": str(DEMO_PARAMS), "workspace": str(demo_workspace.path)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(demo_workspace.path),
    )
    last = nbformat.read(out, as_version=4).cells[-1]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in last.outputs)
