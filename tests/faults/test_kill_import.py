"""An import killed at every named point loses nothing: the rerun leaves exactly the posts of the input.

Each run is paused at its point (``RESEARCH_PAUSE_AT``) and killed there with SIGKILL (or
interrupted with SIGINT, as Ctrl-C does), then ``research import`` runs again on the same
file. The result must equal an import that was never interrupted: the same posts and
accounts tables, each input line once in one raw run, the same set-aside lines, and no
file a finished run would not leave. The runs are started together so the suite stays short.
"""

from __future__ import annotations

import json
import signal
from datetime import datetime
from pathlib import Path

import pytest

from research.cli import main
from research.files import PAUSE_POINTS
from research.store import Store
from tests.faults.harness import OBSERVED, Paused, import_args, leftovers, raw_records, tweets_file

IMPORT_POINTS = [p for p in PAUSE_POINTS if p.startswith("import:")]
LINES, BAD_EVERY = 1000, 250  # 4 broken lines: the run has set-aside records to keep too
# Two worker processes read the file in parts of ~60 kB (the threshold is 64 MB otherwise).
TWO_PROCESSES = {"RESEARCH_PARALLEL_BYTES": "1", "RESEARCH_PART_BYTES": "60000"}
TWO_PROCESS_POINTS = ["import:records-written"]  # mid-read, with both workers at work
SIGINT_POINTS = ["import:posts-written"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The input, what an uninterrupted import makes of it, and every run killed at its point."""
    root = tmp_path_factory.mktemp("kill-import")
    source = tweets_file(root / "tweets.jsonl", LINES, bad_every=BAD_EVERY)
    clean = Store(root / "clean", "cafe")
    report = clean.import_file(source, observed_at=datetime.fromisoformat(OBSERVED))
    expected = {
        "posts": clean.posts(),
        "accounts": clean.accounts(),
        "raw": raw_records(clean.workspace),
        "rejected": Path(report.raw_file.replace(".jsonl", ".rejected.jsonl")).read_text().splitlines(),
    }
    runs = {}
    cases = [(p, "one", signal.SIGKILL) for p in IMPORT_POINTS]
    cases += [(p, "two", signal.SIGKILL) for p in TWO_PROCESS_POINTS]
    cases += [(p, "one", signal.SIGINT) for p in SIGINT_POINTS]
    for point, procs, sig in cases:
        name = f"{point.split(':')[1]}-{procs}-{sig.name}"
        workspace = root / name
        env = TWO_PROCESSES if procs == "two" else {}
        runs[(point, procs, sig)] = (
            workspace,
            Paused(import_args(workspace, source), point, root / f"{name}.paused", **env),
        )
    try:
        for _, paused in runs.values():
            paused.wait()
        killed = {key: (workspace, paused.kill(key[2])) for key, (workspace, paused) in runs.items()}
    finally:
        for _, paused in runs.values():
            if paused.proc.poll() is None:
                paused.proc.kill()
    return source, expected, killed


def _check_rerun(world, key, capsys):
    source, expected, killed = world
    workspace, result = killed[key]
    point, _, sig = key
    if sig == signal.SIGKILL:
        assert result.returncode == -signal.SIGKILL, result.stderr
    else:
        assert result.returncode == 130, result.stderr
        assert result.stderr.strip().splitlines()[-1] == (
            "research: interrupted; nothing half-done is kept as done: the next run on this workspace "
            "finishes or removes what this one left"
        )
    status = main(["import", "--client", "cafe", "--workspace", str(workspace), "--observed-at", OBSERVED,
                   str(source)])  # fmt: skip
    out = capsys.readouterr().out
    assert status == 0, out
    store = Store(workspace, "cafe")
    assert store.posts().equals(expected["posts"])
    assert store.accounts().equals(expected["accounts"])
    assert raw_records(workspace) == expected["raw"]  # every good line once, in order: no loss, no duplicate
    [rejected] = list(workspace.glob("data/raw/cafe/*/*.rejected.jsonl"))
    assert rejected.read_text().splitlines() == expected["rejected"]
    assert leftovers(workspace) == []
    return out


@pytest.mark.parametrize("point", IMPORT_POINTS)
def test_an_import_killed_at_any_point_is_finished_by_the_rerun(world, point, capsys):
    out = _check_rerun(world, (point, "one", signal.SIGKILL), capsys)
    named = IMPORT_POINTS.index(point) >= IMPORT_POINTS.index("import:raw-linked")
    committed = point == "import:committed"
    if named and not committed:  # the run had its name: its rows are merged by the rerun's recovery
        posts_written = point in ("import:posts-written", "import:accounts-written")
        new = 0 if posts_written else LINES - LINES // BAD_EVERY
        assert "finished an interrupted import: snscrape-jsonl/" in out and f"({new} new posts)" in out
    if named:
        assert "already imported as snscrape-jsonl" in out and "nothing new stored" in out
    else:
        assert f"{LINES - LINES // BAD_EVERY} records imported, {LINES // BAD_EVERY} set aside" in out


@pytest.mark.parametrize("point", TWO_PROCESS_POINTS)
def test_an_import_read_by_two_processes_killed_is_finished_by_the_rerun(world, point, capsys):
    _check_rerun(world, (point, "two", signal.SIGKILL), capsys)


@pytest.mark.parametrize("point", SIGINT_POINTS)
def test_ctrl_c_says_what_is_true_and_the_rerun_finishes(world, point, capsys):
    out = _check_rerun(world, (point, "one", signal.SIGINT), capsys)
    assert "finished an interrupted import" in out


def test_every_pause_point_in_the_code_is_known_and_every_known_one_is_used():
    import ast

    used = set()
    for path in (Path(__file__).resolve().parents[2] / "research").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name == "pause_point" and isinstance(node.args[0], ast.Constant):
                    used.add(node.args[0].value)
                for kw in node.keywords:
                    if kw.arg == "pause" and isinstance(kw.value, ast.Constant):
                        used.add(kw.value.value)
    assert used == set(PAUSE_POINTS)


def test_a_store_from_before_manifests_is_rebuilt_once_and_then_trusted(tmp_path):
    source = tweets_file(tmp_path / "t.jsonl", 50)
    store = Store(tmp_path / "ws", "cafe")
    store.import_file(source, observed_at=datetime.fromisoformat(OBSERVED))
    before = store.posts()
    (store.processed_dir / "manifest.json").unlink()
    (store.processed_dir / "accounts.parquet").unlink()  # an old killed run's damage
    assert store.recover() == ["rebuilt the processed tables from 1 raw run(s): 50 posts"]
    assert store.posts().equals(before) and len(store.accounts()) == 37
    assert json.loads((store.processed_dir / "manifest.json").read_text())["committed_runs"] == [
        f"snscrape-jsonl/{store.raw_files()[0].stem}"
    ]
    assert store.recover() == []
