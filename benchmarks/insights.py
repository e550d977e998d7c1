"""Time the insight analyses (breakouts, spikes, follower growth, content pillars) as a notebook calls them.

``python -m benchmarks.insights [--sizes 24000 50000] [--workdir DIR]``: for each size (posts the demo
generator is asked for in the analysis period; it writes as many again for the previous one, so
24,000, the demo's size, stores about 48,000 posts and 50,000 about 100,000), the seeded demo world
is generated (cached under ``--workdir``), imported, its text step run, and loaded as ``open_run``
loads it; each analysis is then timed once, with its peak memory. One table is printed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20261126
DEFAULT_SIZES = (24_000, 50_000)


def _world(workdir: Path, posts: int) -> dict[str, Path]:
    """The demo world's files (generated unless already there: same seed and size, same bytes)."""
    from research import demo

    folder = workdir / "worlds" / f"demo-{SEED}-{posts}"
    truth = folder / "truth.json"
    if truth.exists():
        names = json.loads(truth.read_text(encoding="utf-8"))["files"]
        if all((folder / name).exists() for name in names.values()):
            return {fmt: folder / name for fmt, name in names.items()}
    print(f"generating the demo world ({posts:,} posts in the period) in {folder} ...", flush=True)
    return demo.generate(folder, seed=SEED, posts=posts).files


def _load(workdir: Path, posts: int):
    """Import the world into a fresh workspace, run the text step, and open the run."""
    from research.cli import DEMO_PARAMS
    from research.params import load_params
    from research.run.notebook import open_run
    from research.run.texts import prepare_texts
    from research.store import Store

    params = load_params(DEMO_PARAMS)
    ws = workdir / f"ws-insights-{posts}"
    shutil.rmtree(ws, ignore_errors=True)
    store = Store(ws, params.client)
    _, end = params.period.bounds()
    observed = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    for fmt, path in _world(workdir, posts).items():
        store.import_file(path, fmt, observed_at=observed)
    prepare_texts(params, store)
    return open_run(DEMO_PARAMS, ws, report_dir=tempfile.mkdtemp(prefix="insights-", dir=ws))


def measure(workdir: Path, posts: int) -> list[dict]:
    from benchmarks.measure import stage
    from research.analyses.breakouts import breakout_posts, breakout_traits
    from research.analyses.growth import follower_growth
    from research.analyses.metrics import own_posts
    from research.analyses.pillars import content_pillars
    from research.analyses.spikes import spikes

    run = _load(workdir, posts)
    stored = len(run.posts)
    rows = []

    def timed(name: str, call) -> None:
        with stage() as m:
            out = call()
        rows.append({"posts": stored, "analysis": name, "seconds": round(m.seconds, 2),
                     "peak_rss_mb": round(m.peak_rss_mb), "found": out})  # fmt: skip

    def breakouts() -> str:
        found = breakout_posts(run.posts, run.brands, run.period)
        traits = breakout_traits(found, own_posts(run.posts, run.accounts, run.brands, run.period))
        return f"{len(found)} breakouts, {len(traits)} traits"

    def spike_days() -> str:
        return f"{len(spikes(run.posts, run.brands, run.period))} spike days"

    def growth() -> str:
        table = follower_growth(run.store.account_history(), run.brands, run.period)
        return f"{int(table['growth'].notna().sum())} rows with growth"

    def pillars() -> str:
        found = content_pillars(run.posts, run.brands, run.period)
        return f"{len(found.table)} pillars, {len(found.gaps)} gaps"

    for name, call in (
        ("breakouts", breakouts),
        ("spikes", spike_days),
        ("growth", growth),
        ("pillars", pillars),
    ):
        timed(name, call)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                        help="posts in the analysis period (the demo: 24000)")  # fmt: skip
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "research-bench")
    args = parser.parse_args(argv)
    rows = [row for size in args.sizes for row in measure(args.workdir, size)]
    print(f"{'posts stored':>12}  {'analysis':<10} {'seconds':>8} {'peak MB':>8}  found")
    for r in rows:
        print(
            f"{r['posts']:>12,}  {r['analysis']:<10} {r['seconds']:>8.2f} {r['peak_rss_mb']:>8}  {r['found']}"
        )


if __name__ == "__main__":
    main()
