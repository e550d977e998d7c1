"""Shared fixtures: the demo world, generated and imported once per test session."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory):
    """A workspace holding the demo world imported exactly as `research demo` imports it."""
    from research.cli import DEMO_PARAMS
    from research.params import load_params
    from research.run.pipeline import gather

    workspace = tmp_path_factory.mktemp("demo-workspace")
    params = load_params(DEMO_PARAMS)
    reports = gather(params, workspace)
    return SimpleNamespace(path=workspace, params=params, reports=reports)


@pytest.fixture(scope="session")
def demo(demo_workspace):
    """The demo world as analyses see it: ``posts``, ``accounts``, ``truth``, ``params``, ``brands``."""
    from research.store import Store

    params = demo_workspace.params
    source = params.source_specs()[0]
    folder = (
        demo_workspace.path / "data" / "external" / params.client / f"demo-world-{source.seed}-{source.posts}"
    )
    store = Store(demo_workspace.path, params.client)
    return SimpleNamespace(
        posts=store.posts(),
        accounts=store.accounts(),
        truth=json.loads((folder / "truth.json").read_text(encoding="utf-8")),
        params=params,
        brands=params.brands(),
        workspace=demo_workspace.path,
        store=store,
    )


@pytest.fixture(scope="session")
def corpus():
    """The real-data corpus beside the project, or a skip saying why."""
    if not CORPUS.is_dir():
        pytest.skip(f"real-data corpus not found at {CORPUS} (it sits beside the project in CI)")
    return CORPUS


@pytest.fixture(scope="session")
def demo_brief(demo_workspace):
    """The demo brief built once per session with every notebook under papermill: its report folder."""
    from research.run.pipeline import run_brief

    brief = run_brief(demo_workspace.params, demo_workspace.path, gather_sources=False)
    return brief.parent


@pytest.fixture(scope="session")
def demo_world(demo):
    """``(demo, period)``: the demo world with its analysis period, as analyses take them."""
    from datetime import date

    from research.analyses.metrics import Period

    period = demo.truth["period"]
    return demo, Period(
        date.fromisoformat(period["start"]), date.fromisoformat(period["end"]), demo.truth["timezone"]
    )


@pytest.fixture(scope="session")
def demo_run(demo_workspace, tmp_path_factory):
    """The demo world as a notebook opens it (`research.run.notebook.open_run`): annotated posts, sentiment included."""
    from research.run.notebook import open_run

    params = demo_workspace.params
    return open_run(
        params.path, demo_workspace.path, tmp_path_factory.mktemp("demo-run-report"), "2026-11-01"
    )
