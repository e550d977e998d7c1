"""Every shipped notebook, executed under papermill on the demo world, and the brief they produce."""

import json
from datetime import date

import nbformat
import pytest

from research.brief import SECTIONS
from research.run.pipeline import notebook_paths


def test_every_notebook_has_a_typed_parameters_cell_and_no_logic():
    for path in [*notebook_paths(), notebook_paths()[0].parent / "explore.ipynb"]:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", []), path.name
        assert all(": str = " in line for line in code[0].source.splitlines() if "=" in line), path.name
        for cell in code:
            assert not cell.get("outputs") and cell.get("execution_count") is None, (
                f"{path.name}: outputs not stripped"
            )
            assert not any(line.startswith(("def ", "class ")) for line in cell.source.splitlines()), (
                path.name
            )


def test_demo_brief_leaves_the_contracted_folder(demo_brief):
    folder = demo_brief
    assert (folder / "brief.html").stat().st_size < 5_000_000
    executed = sorted(p.name for p in (folder / "notebooks").glob("*.ipynb"))
    assert executed == [p.name for p in notebook_paths()]
    results = json.loads((folder / "results.json").read_text())
    for name in [
        "scorecard",
        "content_types",
        "posting_heatmap_audience",
        "hashtags",
        "completeness",
        "plan_targets",
    ]:
        assert name in results["tables"], name
        assert (folder / "tables" / f"{name}.csv").exists() and (folder / "tables" / f"{name}.xlsx").exists()
    for figure in results["figures"].values():
        assert all((folder / f).exists() for f in figure["files"])
    html = (folder / "brief.html").read_text(encoding="utf-8")
    for sid, title in SECTIONS:
        assert f'<section id="{sid}"' in html and title in html


def test_demo_summary_names_the_planted_truths_with_numbers(demo_brief, demo):
    results = json.loads((demo_brief / "results.json").read_text())
    found = results["values"]["findings"]
    headlines = " ".join(f["headline"] for f in found)
    assert "Post on Twitter on Thursdays at 19:00." in headlines
    assert "Post on Bluesky on Saturdays at 10:00." in headlines
    assert "Video posts earn" in headlines and "Giveaway posts earn" in headlines
    stretch = demo.truth["negative_stretch"]
    start, end = (date.fromisoformat(stretch[k]) for k in ("start", "end"))
    assert (
        f"Masala Mornings' customers complained from {start.day} Sep 2026 to {end.day} Sep 2026" in headlines
    )
    assert "Brew Bros' median engagement per post rose" in headlines  # the planted rise
    # The summary leads with the client's own real changes, when it has any.
    client = next(b.name for b in demo.brands if b.is_client)
    changed = [
        r for r in results["tables"]["period_change"]["data"] if r["brand"] == client and r["significant"]
    ]
    assert ([f["kind"] for f in found][0] == "you") == bool(changed)
    assert all(any(ch.isdigit() for ch in f["text"] + f["headline"]) for f in found)
    overlap = {
        (r["brand_a"], r["brand_b"]): r["shared"] for r in results["tables"]["audience_overlap"]["data"]
    }
    assert overlap[("Brew Bros", "Kettle Kings")] == demo.truth["overlap"]["shared"]


@pytest.mark.parametrize("table", ["scorecard", "period_change", "share_of_voice"])
def test_recorded_tables_match_a_fresh_computation(demo_brief, demo, table):
    from research.analyses import competitors

    args = (demo.posts, demo.brands, demo.params.analysis_period())
    fresh = {
        "scorecard": lambda: competitors.scorecard(demo.posts, demo.accounts, *args[1:]),
        "period_change": lambda: competitors.period_change(
            demo.posts, demo.accounts, *args[1:], hashtags=demo.params.hashtags
        ),
        "share_of_voice": lambda: competitors.share_of_voice(*args, hashtags=demo.params.hashtags),
    }[table]()
    recorded = json.loads((demo_brief / "results.json").read_text())["tables"][table]
    assert recorded["rows"] == len(fresh)
    assert [r["brand"] for r in recorded["data"]] == fresh["brand"].tolist()
