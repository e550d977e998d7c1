"""Batch runs: many clients in parallel, one failure reported without stopping the others.

The briefs are real runs (every notebook under papermill) on small generated worlds
(``posts: 3000``), so the module runs each client once for the CLI test and once
more on a Dask cluster; the second run doubles as the reproducibility check.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from research.cli import DEMO_PARAMS
from research.run.batch import Outcome, run_batch, run_one, summary_lines

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 11, 2)
BROKEN_SENTENCE = "brand.accounts[0].platform: 'tiktock' is not a known platform"


def _client(folder: Path, client: str, seed: int) -> Path:
    """The demo params under another client slug, with a small generated world of its own."""
    data = yaml.safe_load(DEMO_PARAMS.read_text(encoding="utf-8"))
    data["client"] = client
    data["sources"] = [{"generate": "demo-world", "seed": seed, "posts": 3000}]
    path = folder / f"{client}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _broken(folder: Path) -> Path:
    path = folder / "broken.yaml"
    path.write_text(
        "client: broken\nperiod: {last_days: 30}\nbrand: {name: X, accounts: [{platform: tiktock, handle: x}]}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """``research batch`` run as a user runs it, on two good clients and one broken params file."""
    folder = tmp_path_factory.mktemp("params")
    workspace = tmp_path_factory.mktemp("batch-workspace")
    _client(folder, "alpha", 11)
    _client(folder, "beta", 12)
    _broken(folder)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "research", "batch", str(folder), "--workspace", str(workspace)]
        + ["--workers", "2", "--date", DAY.isoformat()],
        capture_output=True,
        text=True,
        env=env,
    )
    alpha = workspace / "reports" / "alpha" / DAY.isoformat() / "results.json"
    # Kept before anything else reruns alpha into the same folder.
    first = alpha.read_bytes() if alpha.exists() else None
    return result, folder, workspace, first


def test_cli_batch_reports_the_broken_client_and_still_writes_the_others(batch):
    result, folder, workspace, _ = batch
    assert result.returncode == 1, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "2 succeeded, 1 failed"
    rows = {line.split()[1]: line for line in lines[1:-1]}
    assert sorted(rows) == ["alpha.yaml", "beta.yaml", "broken.yaml"]
    assert rows["broken.yaml"].startswith("FAILED")
    assert BROKEN_SENTENCE in rows["broken.yaml"]
    for client in ("alpha", "beta"):
        brief = workspace / "reports" / client / DAY.isoformat() / "brief.html"
        assert rows[f"{client}.yaml"].startswith("ok")
        assert str(brief) in rows[f"{client}.yaml"]
        assert brief.stat().st_size > 10_000
        assert (brief.parent / "results.json").exists()
    assert not (workspace / "reports" / "broken").exists()


@pytest.fixture(scope="module")
def dask_rerun(batch, tmp_path_factory):
    """alpha (same params, same data, same workspace) and the broken file again, on a Dask cluster."""
    distributed = pytest.importorskip("distributed", reason="needs the optional 'dask' extra")
    _, folder, workspace, _ = batch
    again = tmp_path_factory.mktemp("params-dask")
    (again / "alpha.yaml").write_bytes((folder / "alpha.yaml").read_bytes())
    _broken(again)
    seen: list[tuple[str, int | None, int]] = []

    class Bar:
        def __init__(self, desc, total):
            seen.append((desc, total, 0))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n=1):
            desc, total, done = seen[-1]
            seen[-1] = (desc, total, done + n)

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        outcomes = run_batch(again, workspace, dask=cluster.scheduler_address, day=DAY, bar=Bar)
    return outcomes, workspace, seen


def test_dask_runs_every_client_and_reports_failures(dask_rerun):
    outcomes, workspace, seen = dask_rerun
    assert [o.params_file.name for o in outcomes] == ["alpha.yaml", "broken.yaml"]
    alpha, broken = outcomes
    assert alpha.ok and alpha.client == "alpha" and alpha.error is None
    assert alpha.brief == workspace / "reports" / "alpha" / DAY.isoformat() / "brief.html"
    assert alpha.brief.exists() and alpha.seconds > 0
    assert not broken.ok and broken.client == "broken" and broken.brief is None
    assert BROKEN_SENTENCE in broken.error
    assert seen == [("batch", 2, 2)]


def test_same_params_and_data_give_the_same_results_json(batch, dask_rerun):
    *_, first = batch
    _, workspace, _ = dask_rerun
    second = (workspace / "reports" / "alpha" / DAY.isoformat() / "results.json").read_bytes()
    assert first is not None
    assert second == first


def test_unexpected_errors_are_named_by_type_not_swallowed(tmp_path, monkeypatch):
    import research.run.pipeline

    def bug(*args, **kwargs):
        raise KeyError("engagement")

    monkeypatch.setattr(research.run.pipeline, "run_brief", bug)
    params = tmp_path / "cafe.yaml"
    params.write_text(
        "client: cafe\nperiod: {last_days: 30}\nbrand: {name: X, accounts: [{platform: twitter, handle: x}]}\n",
        encoding="utf-8",
    )
    outcome = run_one(params, tmp_path)
    assert not outcome.ok and outcome.client == "cafe"
    assert outcome.error == "KeyError: 'engagement'"


def test_summary_is_a_plain_table_with_a_count_line():
    outcomes = [
        Outcome(Path("p/a.yaml"), "a", True, Path("/ws/reports/a/2026-11-02/brief.html"), None, 12.34),
        Outcome(Path("p/bad.yaml"), None, False, None, "p/bad.yaml: not valid YAML at line 2: oops", 0.01),
    ]
    lines = summary_lines(outcomes)
    assert lines[0].split() == ["status", "params", "client", "seconds", "brief", "or", "error"]
    assert lines[1].split() == ["ok", "a.yaml", "a", "12.3", "/ws/reports/a/2026-11-02/brief.html"]
    assert lines[2].startswith("FAILED  bad.yaml") and lines[2].endswith("not valid YAML at line 2: oops")
    assert lines[-1] == "1 succeeded, 1 failed"


def test_a_client_named_by_two_params_files_runs_once(tmp_path):
    # Both files are invalid beyond their client key, so nothing slow runs.
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("client: cafe\nperiod: {last_days: 30}\n", encoding="utf-8")
    first, second = run_batch(tmp_path, tmp_path / "ws", workers=1)
    assert first.error.endswith("brand: is required")
    assert second.client == "cafe" and not second.ok
    assert "client 'cafe' is also in a.yaml" in second.error


def test_a_folder_without_params_is_one_sentence(tmp_path):
    from research.errors import InputError

    with pytest.raises(InputError, match="no \\*.yaml params files in this folder"):
        run_batch(tmp_path, tmp_path)
