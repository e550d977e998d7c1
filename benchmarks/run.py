"""Benchmark every stage of the product at growing sizes: ``python -m benchmarks.run [--sizes N ...]``.

For each size N (default 10k, 100k and 1M posts) a seeded world of N stored tweets is generated
once (cached under ``--workdir``): by default the market world of ``benchmarks/world.py``, a
stream with a real audience's shape (most accounts seen once, a few hubs, the corpus's shares of
retweets, replies, quotes and mentions); ``--world demo`` takes the demo world instead. Half the
posts fall in the analysis period, half in the previous one. Its shape (posts, accounts, distinct
interaction edges) is a ``world`` row. Then each phase runs in a fresh process, so its peak memory
is its own:

- ``import``: the snscrape JSONL into the canonical Parquet tables;
- ``analyses``: the text step (languages and sentiment, persisted as ``research brief`` does),
  loading the tables as ``open_run`` does, then each stage as the notebooks call it
  (``benchmarks/stages.py``); ``all_analyses`` is their sum;
- ``naive``: the same stages with every graph algorithm in pure networkx; the agreement
  checks compare its outputs with the fast run's;
- ``notebooks``: the text step and the shipped notebooks executed in-process (no kernel
  start-up; ``research.run.inprocess``), each notebook's share and its slowest cells, then
  ``render``: the brief rendered from what they recorded;
- ``research_brief`` (at ``--full-brief-size``, 1M by default): the real command, papermill
  and kernels included, on the imported data.

It prints one table (stage x size: wall seconds, peak RSS, naive/ours) with the
agreement checks and the targets, and writes ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
FULL_BRIEF_SIZE = 1_000_000
SEED = 20261126

# The targets of the issue, checked and printed at the end of a run.
TARGET_ANALYSES_S = 30.0  # all analyses at 1M posts
TARGET_RSS_MB = 4096.0
TARGET_NAIVE_RATIO = 10.0
TARGET_IMPORT_RATE = 30_000  # posts per second from JSONL
TARGET_BRIEF_S = 120.0  # full `research brief` at 1M posts
TARGET_WORLD = (150_000, 600_000)  # accounts and interaction edges of the world at 1M posts
TARGET_BRIEF_MB = 5.0
TARGET_GEXF_MB = 100.0  # what Gephi opens in seconds on a laptop
MODULARITY_TOLERANCE = 0.01
PAGERANK_TOP, PAGERANK_OVERLAP = 20, 0.9


# --- the world and the workspace of one size ----------------------------------------------------


def world_dir(workdir: Path, size: int, world: str) -> Path:
    return workdir / "worlds" / (f"demo-{SEED}-{size // 2}" if world == "demo" else f"market-{SEED}-{size}")


def workspace(workdir: Path, size: int) -> Path:
    return workdir / f"ws-{size}"  # one per size: a run imports its world into it afresh


def ensure_world(workdir: Path, size: int, world: str = "market") -> tuple[dict[str, Path], dict | None]:
    """Generate the world of ``size`` posts unless it is already there (same seed: same bytes).

    ``market`` (the default) is ``benchmarks.world``: a stream with a real audience's shape;
    ``demo`` is the demo world the brief is tested on. Returns the files to import by format
    and, for the market world, its shape (``benchmarks.world.Shape`` as a dict).
    """
    folder = world_dir(workdir, size, world)
    if world == "demo":
        from research import demo

        files = {
            "snscrape-jsonl": folder / "demo-twitter.jsonl",
            "bluesky-json": folder / "demo-bluesky.json",
        }
        if not all(p.exists() for p in files.values()) or not (folder / "truth.json").exists():
            print(f"generating the demo world for {size:,} posts in {folder} ...", flush=True)
            demo.generate(folder, seed=SEED, posts=size // 2)
        return files, None
    from benchmarks import world as market

    path, shape_file = folder / "market-twitter.jsonl", folder / "shape.json"
    if not path.exists() or not shape_file.exists():
        # About 2.9 KB a tweet (real snscrape lines are 2.5 KB), kept twice (the file and the store's
        # raw run) plus the Parquet tables: say so now rather than fail half-way through a 10M world.
        probe = folder
        while not probe.exists():  # the nearest folder that exists: nothing is created before the check
            probe = probe.parent
        need, free = size * 2900 * 2.3, shutil.disk_usage(probe).free
        if need > free:
            raise SystemExit(f"a {_label(size)}-post world needs about {need / 1e9:.0f} GB free in {workdir}; "
                             f"it has {free / 1e9:.0f} GB (choose another --workdir)")  # fmt: skip
        from research.cli import DEMO_PARAMS
        from research.params import load_params

        print(f"generating the market world for {size:,} posts in {folder} ...", flush=True)
        shape = market.generate(path, size=size, seed=SEED, params=load_params(DEMO_PARAMS))
        shape_file.write_text(json.dumps(asdict(shape), indent=1), encoding="utf-8")
    return {"snscrape-jsonl": path}, json.loads(shape_file.read_text(encoding="utf-8"))


def observed_at() -> datetime:
    """The worlds' counts are observed the day after the period ends (as ``research demo`` does)."""
    from research.cli import DEMO_PARAMS
    from research.params import load_params

    _, end = load_params(DEMO_PARAMS).period.bounds()
    return datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


def write_params(workdir: Path, size: int, files: dict[str, Path]) -> Path:
    """The demo params with the generated ``files`` as import sources (so a brief re-run skips them)."""
    import yaml

    from research.cli import DEMO_PARAMS

    spec = yaml.safe_load(DEMO_PARAMS.read_text(encoding="utf-8"))
    stamp = observed_at().isoformat()
    spec["sources"] = [
        {"import": fmt, "path": str(path.resolve()), "observed_at": stamp} for fmt, path in files.items()
    ]
    path = workspace(workdir, size) / "params.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- workers: one phase of one size, in its own process ------------------------------------------


def cold(ws: Path) -> None:
    """Forget derived caches (the sentiment and language memo) so a phase measures a first run."""
    (ws / "data" / "processed" / "demo" / "text.parquet").unlink(missing_ok=True)


def _row(stage: str, m, **extra) -> dict:
    return {"stage": stage, "seconds": round(m.seconds, 3), "cpu_seconds": round(m.cpu_seconds, 3),
            "peak_rss_mb": round(m.peak_rss_mb, 1), **extra}  # fmt: skip


def worker_import(workdir: Path, size: int, world: str) -> dict:
    from benchmarks.measure import stage
    from research.store import Store

    files, _ = ensure_world(workdir, size, world)
    ws = workspace(workdir, size)
    shutil.rmtree(ws / "data", ignore_errors=True)
    shutil.rmtree(ws / "reports", ignore_errors=True)
    store = Store(ws, "demo")
    rows, total, peak, records = [], 0.0, 0.0, {}
    for fmt, path in files.items():
        with stage() as m:
            report = store.import_file(path, fmt, observed_at=observed_at())
        name = "import_jsonl" if fmt == "snscrape-jsonl" else "import_bluesky"
        records[name] = report.records
        rows.append(_row(name, m, records=report.records, posts_per_second=round(report.records / m.seconds)))
        total, peak = total + m.seconds, max(peak, m.peak_rss_mb)
    rows.append({"stage": "import", "seconds": round(total, 3), "peak_rss_mb": round(peak, 1),
                 "records": sum(records.values()), "posts": report.posts_total})  # fmt: skip
    return {"rows": rows, "posts": report.posts_total}


def worker_analyses(workdir: Path, size: int, world: str, naive: bool) -> dict:
    from benchmarks import stages
    from benchmarks.measure import stage
    from research.params import load_params

    ws = workspace(workdir, size)
    cold(ws)
    params = load_params(ws / "params.yaml")
    with stage() as m:  # a fixed cost of every kernel, whatever the data: reported, not summed
        stages.warm_up(params.languages)
    if naive:  # after the imports, which both runs then time alike
        stages.naive()
    rows, outputs = [_row("imports", m)], {}
    with stage() as m:
        annotated = stages.texts(params, ws)
    rows.append(_row("texts", m, posts=annotated))
    total, peak = m.seconds, m.peak_rss_mb
    with stage() as m:
        ctx = stages.load(params, ws)
    rows.append(_row("load", m))
    total, peak = total + m.seconds, max(peak, m.peak_rss_mb)
    for name, fn in stages.STAGES.items():
        if naive and name in stages.EXPORT_STAGES:
            continue
        with stage() as m:
            got = fn(ctx)
        outputs.update(stages.comparable(got))
        sizes = {k: round(v, 3) for k, v in got.items() if k.endswith("_mb")}  # the export's files
        rows.append(_row(name, m, **sizes))
        if name not in stages.EXPORT_STAGES:
            total, peak = total + m.seconds, max(peak, m.peak_rss_mb)
    rows.append({"stage": "all_analyses", "seconds": round(total, 3), "peak_rss_mb": round(peak, 1)})
    network_rows = [r for r in rows if r["stage"] in stages.NETWORK_STAGES]
    rows.append({"stage": "network_stages", "seconds": round(sum(r["seconds"] for r in network_rows), 3),
                 "peak_rss_mb": max(r["peak_rss_mb"] for r in network_rows)})  # fmt: skip
    shutil.rmtree(ctx.scratch, ignore_errors=True)
    with open(ws / f"outputs-{'naive' if naive else 'fast'}.pkl", "wb") as f:
        pickle.dump(outputs, f)
    return {"rows": rows, "graph": outputs.get("graph_size")}


def worker_notebooks(workdir: Path, size: int, world: str) -> dict:
    from benchmarks import stages
    from benchmarks.measure import stage
    from research.brief import render_brief
    from research.params import load_params
    from research.run.inprocess import run_notebooks

    ws = workspace(workdir, size)
    cold(ws)
    params = load_params(ws / "params.yaml")
    report = ws / "reports" / "bench-inprocess"
    shutil.rmtree(report, ignore_errors=True)
    report.mkdir(parents=True)
    parameters = {"params_path": str(params.path), "workspace": str(ws), "report_dir": str(report),
                  "report_date": observed_at().date().isoformat()}  # fmt: skip
    with stage() as m:
        stages.texts(params, ws)  # as `research brief` does before its notebooks
        cells = run_notebooks(parameters)
    rows = [_row("notebooks", m)]
    by_notebook: dict[str, float] = {}
    for c in cells:  # each notebook's share, and its slowest cells: where a brief spends its time
        by_notebook[c.notebook] = by_notebook.get(c.notebook, 0.0) + c.seconds
    # One process runs them all: each notebook's row carries the phase's peak, not one of its own.
    rows += [{"stage": f"notebook {name.split('.')[0]}", "seconds": round(t, 3), "peak_rss_mb": m.peak_rss_mb}
             for name, t in by_notebook.items()]  # fmt: skip
    slow = sorted(cells, key=lambda c: -c.seconds)[:8]
    print("\n".join(f"    {c.seconds:7.2f} s  {c.notebook} cell {c.cell}: {c.source.strip().splitlines()[0][:80]}"
                    for c in slow), flush=True)  # fmt: skip
    with stage() as m:
        brief = render_brief(report, params)
    rows.append(_row("render", m, brief_mb=round(brief.stat().st_size / 2**20, 3)))
    return {"rows": rows}


def worker_brief_cli(workdir: Path, size: int, world: str) -> dict:
    ws = workspace(workdir, size)
    cold(ws)
    cmd = [
        str(Path(sys.executable).with_name("research")),
        "brief",
        str(ws / "params.yaml"),
        "--workspace",
        str(ws),
    ]
    if not Path(cmd[0]).exists():
        cmd = [sys.executable, "-m", "research", *cmd[1:]]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ws)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"research brief failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    brief = Path(done.stdout.strip().rsplit("brief written: ", 1)[-1].strip())
    peak = (
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    )  # the largest process: CLI or a kernel
    row = {"stage": "research_brief", "seconds": round(seconds, 3), "peak_rss_mb": round(peak, 1),
           "brief_mb": round(brief.stat().st_size / 2**20, 3)}  # fmt: skip
    return {"rows": [row]}


WORKERS = {
    "import": worker_import,
    "analyses": lambda w, n, world: worker_analyses(w, n, world, naive=False),
    "naive": lambda w, n, world: worker_analyses(w, n, world, naive=True),
    "notebooks": worker_notebooks,
    "research_brief": worker_brief_cli,
}


def run_worker(phase: str, workdir: Path, size: int, world: str) -> dict:
    """Run one phase in a fresh Python process and return what it measured."""
    out = workdir / f".{phase}-{size}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "benchmarks.run", "--worker", phase, "--sizes", str(size),
           "--workdir", str(workdir), "--out", str(out), "--world", world]  # fmt: skip
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    print(f"  {phase} ...", end="", flush=True)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env)
    print(f" {time.perf_counter() - start:.1f} s", flush=True)
    if done.returncode:
        raise SystemExit(f"benchmark phase {phase!r} at {size:,} posts failed (exit {done.returncode})")
    return json.loads(out.read_text(encoding="utf-8"))


# --- agreement checks --------------------------------------------------------------------------


def _same(a, b) -> bool:
    import pandas as pd

    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError:
            return False
        return True
    return a == b


def _top(scores: dict, n: int) -> set:
    return {k for k, _ in sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n]}


def agreement(workdir: Path, size: int) -> dict:
    """Compare the fast run's outputs with the naive run's."""
    from benchmarks.stages import EXACT
    from research.analyses.graph.communities import partition_nmi

    ws = workspace(workdir, size)
    with open(ws / "outputs-fast.pkl", "rb") as f:
        fast = pickle.load(f)
    with open(ws / "outputs-naive.pkl", "rb") as f:
        slow = pickle.load(f)
    names = [n for n in fast if n in slow and (n in EXACT or n.startswith("posting_heatmap_"))]
    different = [n for n in names if not _same(fast[n], slow[n])]
    q_fast, q_slow = fast["community_report"]["modularity"], slow["community_report"]["modularity"]
    # A shortfall only: Leiden (igraph) may find a partition of higher modularity than networkx's
    # Louvain, which is a better answer, not a disagreement. On a market stream of one-time voices
    # many partitions are about as good, so the two differ in detail (the NMI says how much).
    gap = max(0.0, q_slow - q_fast) / abs(q_slow) if q_slow else (0.0 if q_fast >= q_slow else math.inf)
    top_fast, top_slow = _top(fast["pagerank"], PAGERANK_TOP), _top(slow["pagerank"], PAGERANK_TOP)
    overlap = len(top_fast & top_slow) / max(1, min(PAGERANK_TOP, len(top_slow)))
    return {
        "size": size,
        "tables_compared": len(names),
        "tables_different": different,
        "tables_identical": not different,
        "modularity_fast": round(q_fast, 6),
        "modularity_naive": round(q_slow, 6),
        "modularity_gap": round(gap, 6),
        "modularity_ok": gap <= MODULARITY_TOLERANCE,
        "partition_nmi": round(partition_nmi(fast["communities"], slow["communities"]), 4),
        "pagerank_top20_overlap": round(overlap, 3),
        "pagerank_ok": overlap >= PAGERANK_OVERLAP,
    }


# --- report ------------------------------------------------------------------------------------


def _label(size: int) -> str:
    return (
        f"{size // 1_000_000}M"
        if size % 1_000_000 == 0
        else f"{size // 1000}k"
        if size % 1000 == 0
        else str(size)
    )


ORDER = ("import_jsonl", "import_bluesky", "import", "imports", "texts", "load", "coordination", "competitors",
         "content_timing", "insights", "hashtags", "interaction_graph", "graph_metrics", "audience", "all_analyses",
         "network_stages", "graph_export", "notebooks", "render", "research_brief")  # fmt: skip


def print_table(rows: list[dict], sizes: list[int]) -> None:
    rows = [r for r in rows if "seconds" in r]  # the world rows describe, they do not time
    found = list(dict.fromkeys(r["stage"] for r in rows))
    stages = [s for s in ORDER if s in found] + [s for s in found if s not in ORDER]
    cell = {(r["size"], r["stage"]): r for r in rows}
    head = f"{'stage':<18}" + "".join(f"| {_label(n) + ' posts':^27}" for n in sizes)
    sub = f"{'':<18}" + "".join(f"| {'s':>7} {'MB':>7} {'naive/ours':>10} " for _ in sizes)
    print(head)
    print(sub)
    print("-" * len(sub))
    for stage in stages:
        line = f"{stage:<18}"
        for n in sizes:
            r = cell.get((n, stage))
            if r is None:
                line += f"| {'':>7} {'':>7} {'':>10} "
                continue
            ratio = (
                f"{r['naive_seconds'] / r['seconds']:.1f}x" if r.get("naive_seconds") and r["seconds"] else ""
            )
            line += f"| {r['seconds']:>7.2f} {r['peak_rss_mb']:>7.0f} {ratio:>10} "
        print(line)


def targets(rows: list[dict], checks: list[dict], sizes: list[int]) -> list[dict]:
    """Each target of the issue with the measured value and whether it is met (None: not measured)."""
    cell = {(r["size"], r["stage"]): r for r in rows}
    top = max(sizes)
    out = []

    def add(name: str, value, ok, unit: str = "") -> None:
        out.append({"target": name, "value": value, "unit": unit, "met": ok})

    a = cell.get((top, "all_analyses"))
    if a:
        add(
            f"all analyses at {_label(top)} <= {TARGET_ANALYSES_S:.0f} s",
            a["seconds"],
            a["seconds"] <= TARGET_ANALYSES_S,
            "s",
        )
        add(f"peak RSS of the analyses at {_label(top)} <= {TARGET_RSS_MB:.0f} MB", a["peak_rss_mb"],
            a["peak_rss_mb"] <= TARGET_RSS_MB, "MB")  # fmt: skip
        # The ratio that counts is the stage where networkx's own algorithms run (communities,
        # centralities, k-core); the table prints the others: every other stage runs the same code in both.
        for stage, what in (("graph_metrics", "graph metrics and communities"),):
            r = cell.get((top, stage))
            if r and r.get("naive_seconds"):
                ratio = r["naive_seconds"] / r["seconds"]
                add(f"{what} at {_label(top)} >= {TARGET_NAIVE_RATIO:.0f}x faster than naive networkx",
                    round(ratio, 1), ratio >= TARGET_NAIVE_RATIO, "x")  # fmt: skip
    w = cell.get((top, "world"))
    if w and top >= 1_000_000:
        add(f"world at {_label(top)}: >= {TARGET_WORLD[0]:,} accounts and >= {TARGET_WORLD[1]:,} interaction edges",
            f"{w['accounts']:,} accounts, {w['edges']:,} edges ({w['period_accounts']:,} and {w['period_edges']:,} "
            "in the analysis period)", w["period_accounts"] >= TARGET_WORLD[0] and w["period_edges"] >= TARGET_WORLD[1])  # fmt: skip
    for (n, stage), r in sorted(cell.items()):
        if stage == "graph_export":
            gexf, html = r.get("gexf_mb", 0.0), r.get("graph_html_mb", 0.0)
            add(f"graph files at {_label(n)}: graph.gexf <= {TARGET_GEXF_MB:.0f} MB, graph.html <= {TARGET_BRIEF_MB:.0f} MB",
                f"{gexf:.1f} MB and {html:.1f} MB", gexf <= TARGET_GEXF_MB and html <= TARGET_BRIEF_MB)  # fmt: skip
    imp = cell.get((top, "import_jsonl"))
    if imp:
        rate = imp["posts_per_second"]
        add(
            f"import from JSONL at {_label(top)} >= {TARGET_IMPORT_RATE:,} posts/s",
            rate,
            rate >= TARGET_IMPORT_RATE,
            "posts/s",
        )
    for (n, stage), r in sorted(cell.items()):
        if stage == "research_brief":
            add(
                f"full research brief at {_label(n)} <= {TARGET_BRIEF_S:.0f} s",
                r["seconds"],
                r["seconds"] <= TARGET_BRIEF_S,
                "s",
            )
        if "brief_mb" in r:
            add(
                f"brief.html at {_label(n)} ({stage}) <= {TARGET_BRIEF_MB:.0f} MB",
                r["brief_mb"],
                r["brief_mb"] <= TARGET_BRIEF_MB,
                "MB",
            )
    for c in checks:
        add(f"agreement at {_label(c['size'])}: aggregate tables identical ({c['tables_compared']} compared)",
            c["tables_different"] or "identical", c["tables_identical"])  # fmt: skip
        add(f"agreement at {_label(c['size'])}: modularity no more than {MODULARITY_TOLERANCE:.0%} below networkx's",
            f"{c['modularity_fast']:.4f} vs {c['modularity_naive']:.4f}", c["modularity_ok"])  # fmt: skip
        add(f"agreement at {_label(c['size'])}: top-{PAGERANK_TOP} PageRank overlap >= {PAGERANK_OVERLAP}",
            c["pagerank_top20_overlap"], c["pagerank_ok"])  # fmt: skip
    return out


def print_scaling(rows: list[dict], sizes: list[int]) -> None:
    """Seconds per 100k posts of each stage at each size: flat means linear growth."""
    if len(sizes) < 2:
        return
    posts = {r["size"]: r["posts"] for r in rows if r["stage"] == "import" and "posts" in r}
    print("\nscaling (seconds per 100k stored posts; equal across sizes = linear):")
    for stage in ("import", "all_analyses", "notebooks"):
        per = []
        for n in sizes:
            r = next((x for x in rows if x["size"] == n and x["stage"] == stage), None)
            if r and posts.get(n):
                per.append(f"{_label(n)}: {r['seconds'] / posts[n] * 1e5:6.2f}")
        if per:
            print(f"  {stage:<14} " + "   ".join(per))


# --- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(DEFAULT_SIZES),
        help="posts per world (default: 10k 100k 1M)",
    )
    p.add_argument("--full-brief-size", type=int, default=FULL_BRIEF_SIZE,
                   help="size at which the full `research brief` runs (papermill included); 0 skips it")  # fmt: skip
    p.add_argument(
        "--no-naive", action="store_true", help="skip the naive networkx baseline and agreement checks"
    )
    p.add_argument(
        "--no-notebooks", action="store_true", help="skip the in-process notebooks and brief rendering"
    )
    p.add_argument(
        "--workdir", type=Path, default=ROOT / "data" / "bench", help="generated worlds and workspaces"
    )
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json", help="where results go")
    p.add_argument(
        "--phases", nargs="+", choices=sorted(WORKERS), help="run only these phases (default: all)"
    )
    p.add_argument("--world", choices=("market", "demo"), default="market",
                   help="market: a stream with a real audience's shape (benchmarks/world.py, default); demo: the demo world")  # fmt: skip
    p.add_argument("--merge", action="store_true", help="keep the other rows of an existing --out file")
    p.add_argument("--print", action="store_true", help="print the report of an existing --out file and stop")
    p.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir.resolve()
    if args.worker:
        result = WORKERS[args.worker](workdir, args.sizes[0], args.world)
        args.out.write_text(json.dumps(result), encoding="utf-8")
        return 0
    if args.print:
        result = json.loads(args.out.read_text(encoding="utf-8"))
        report(result, sorted({r["size"] for r in result["rows"]}), args.out)
        return 0

    from benchmarks.measure import machine

    sizes = sorted(set(args.sizes))
    info = machine()
    rows: list[dict] = []
    checks: list[dict] = []
    brief_sizes = [n for n in sizes if n == args.full_brief_size]
    for size in sizes:
        print(f"{_label(size)} posts:", flush=True)
        files, shape = ensure_world(workdir, size, args.world)
        write_params(workdir, size, files)
        if shape:
            rows.append({"size": size, "stage": "world", **shape})
            print(f"  world: {shape['posts']:,} posts, {shape['accounts']:,} accounts, {shape['edges']:,} edges "
                  f"({shape['period_accounts']:,} accounts and {shape['period_edges']:,} edges in the period)")  # fmt: skip
        phases = ["import", "analyses"] + ([] if args.no_naive else ["naive"])
        phases += [] if args.no_notebooks else ["notebooks"]
        phases += ["research_brief"] if size in brief_sizes else []
        phases = [ph for ph in phases if not args.phases or ph in args.phases]
        got = {phase: run_worker(phase, workdir, size, args.world) for phase in phases}
        naive = {r["stage"]: r["seconds"] for r in got.get("naive", {}).get("rows", [])}
        for phase, result in got.items():
            if phase == "naive":
                continue
            for r in result["rows"]:
                rows.append(
                    {
                        "size": size,
                        **r,
                        "naive_seconds": naive.get(r["stage"]) if phase == "analyses" else None,
                    }
                )
        if got.get("analyses", {}).get("graph"):
            print(f"  interaction graph: {got['analyses']['graph']}")
        if "naive" in got:
            checks.append(agreement(workdir, size))
    if args.full_brief_size and args.full_brief_size not in sizes:
        print(f"(full research brief skipped: its size {args.full_brief_size:,} is not among --sizes)")
    if args.merge and args.out.exists():
        # Keep what an earlier run measured and this one did not (other sizes, other phases).
        earlier = json.loads(args.out.read_text(encoding="utf-8"))
        fresh = {(r["size"], r["stage"]) for r in rows}
        rows = [r for r in earlier["rows"] if (r["size"], r["stage"]) not in fresh] + rows
        rows.sort(key=lambda r: r["size"])
        redone = {c["size"] for c in checks}
        checks = sorted(
            [c for c in earlier.get("checks", []) if c["size"] not in redone] + checks,
            key=lambda c: c["size"],
        )
        sizes = sorted({r["size"] for r in rows})
    goals = targets(rows, checks, sizes)
    result = {"machine": info, "generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "rows": rows,
              "checks": checks, "targets": goals}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    report(result, sizes, args.out)
    return 0


def report(result: dict, sizes: list[int], out: Path) -> None:
    """Print the machine, the stage table, the scaling, the agreement checks and the targets."""
    info, rows, checks, goals = result["machine"], result["rows"], result["checks"], result["targets"]
    print()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB; Python {info['python']}; "
          f"load average at start {info['load_average_at_start']}")  # fmt: skip
    print_table(rows, sizes)
    print_scaling(rows, sizes)
    if checks:
        print("\nagreement with the naive networkx run:")
        for c in checks:
            print(f"  {_label(c['size'])}: {c['tables_compared']} aggregate tables "
                  f"{'identical' if c['tables_identical'] else 'DIFFERENT: ' + ', '.join(c['tables_different'])}; "
                  f"modularity {c['modularity_fast']:.4f} vs {c['modularity_naive']:.4f} (shortfall {c['modularity_gap']:.2%}); "
                  f"partition NMI {c['partition_nmi']:.3f}; top-{PAGERANK_TOP} PageRank overlap {c['pagerank_top20_overlap']:.2f}")  # fmt: skip
    print("\ntargets:")
    for t in goals:
        mark = "met" if t["met"] else "NOT MET"
        print(f"  [{mark:^7}] {t['target']}: {t['value']} {t['unit']}".rstrip())
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    sys.exit(main())
