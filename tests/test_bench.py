"""The benchmark runs end to end at a tiny size, so it cannot rot (no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_benchmark_runs_at_its_smallest_size_and_agrees_with_networkx(tmp_path):
    out = tmp_path / "results.json"
    cmd = [sys.executable, "-m", "benchmarks.run", "--sizes", "2000", "--full-brief-size", "0", "--no-notebooks",
           "--workdir", str(tmp_path / "bench"), "--out", str(out)]  # fmt: skip
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "naive/ours" in done.stdout and "agreement with the naive networkx run" in done.stdout

    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"cpu", "cores", "memory_gb", "python"} <= set(result["machine"])
    rows = result["rows"]
    timed = [r for r in rows if r["stage"] != "world"]
    assert all({"size", "stage", "seconds", "peak_rss_mb", "naive_seconds"} <= set(r) for r in timed)
    stages = {r["stage"] for r in rows}
    assert {
        "import",
        "all_analyses",
        "competitors",
        "hashtags",
        "interaction_graph",
        "graph_metrics",
    } <= stages
    assert [r["size"] for r in rows if r["stage"] == "all_analyses"] == [2000]
    assert [r["size"] for r in rows if r["stage"] == "import"] == [2000]
    assert all(r["seconds"] > 0 and r["peak_rss_mb"] > 0 for r in timed)
    analyses = next(r for r in rows if r["stage"] == "all_analyses")
    assert analyses["naive_seconds"] is not None
    # The network stages' sum, in both runs, for the ratio where the engines differ.
    seconds = {r["stage"]: r["seconds"] for r in timed}
    network = next(r for r in rows if r["stage"] == "network_stages")
    parts = ("hashtags", "interaction_graph", "graph_metrics")
    assert abs(network["seconds"] - sum(seconds[s] for s in parts)) < 0.01
    assert network["naive_seconds"] is not None and network["seconds"] < analyses["seconds"]
    assert any(
        t["target"].startswith("graph metrics and communities at 2k >= 10x") for t in result["targets"]
    )
    world = next(r for r in rows if r["stage"] == "world")
    assert world["posts"] == 2000 and 0 < world["accounts"] and 0 < world["edges"]
    assert (
        world["kinds"]["repost"] > 0.5
    )  # a market stream is mostly retweets, even with the brands' own posts

    (check,) = result["checks"]
    assert check["tables_compared"] >= 20
    assert check["tables_identical"], check["tables_different"]
    assert check["modularity_ok"] and check["pagerank_ok"]


def test_insights_benchmark_runs_at_a_tiny_size(tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.insights",
        "--sizes",
        "1500",
        "--workdir",
        str(tmp_path / "bench"),
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[-5].split() == ["posts", "stored", "analysis", "seconds", "peak", "MB", "found"]
    assert [line.split()[1] for line in lines[-4:]] == ["breakouts", "spikes", "growth", "pillars"]
