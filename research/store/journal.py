"""What makes the store crash-consistent: the manifest of committed runs, and orphan cleaning.

An import (or a collector storing its pages) writes, in this order: the raw run under a
temporary name, its set-aside records, the raw run's name, ``posts.parquet``,
``accounts.parquet`` and, last, ``manifest.json`` naming the run. Each step is an atomic
rename, so a run killed anywhere (SIGKILL, Ctrl-C, a full disk) leaves a prefix of these
steps. A raw run counts as imported only once the manifest names it; ``Store.recover``,
run under the client's lock before every write, finishes a named run the manifest lacks
(its rows are merged again: merging is idempotent) and removes what never got a name
(temporary files, set-aside files of a run that does not exist).

Temporary files of a live run must not be taken for orphans: every run that writes them
holds the client's writers lock shared (``writing``), and orphans are removed only by a
run that gets it exclusively, i.e. when no other run is writing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from research.files import atomic_write_json, pause_point

__all__ = ["MANIFEST", "run_key", "committed", "commit", "writing", "orphans"]

MANIFEST = "manifest.json"
_WRITERS = ".writers"


def run_key(raw: Path) -> str:
    """How the manifest names a raw run: ``<source>/<run-id>``."""
    return f"{raw.parent.name}/{raw.name.removesuffix('.jsonl')}"


def committed(processed_dir: Path) -> set[str] | None:
    """The runs whose rows the processed tables hold; None if there is no manifest (yet)."""
    try:
        data = json.loads((processed_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return set(data["committed_runs"])


def commit(processed_dir: Path, runs: Iterable[str], *, pause: str | None = None) -> None:
    """Write the manifest naming ``runs`` as committed (atomically: the last step of an import)."""
    atomic_write_json(processed_dir / MANIFEST, {"committed_runs": sorted(set(runs))})
    if pause:
        pause_point(pause)


@contextlib.contextmanager
def writing(processed_dir: Path) -> Iterator[None]:
    """Hold the client's writers lock shared while this run may leave temporary files."""
    processed_dir.mkdir(parents=True, exist_ok=True)
    with open(processed_dir / _WRITERS, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def orphans(raw_dir: Path, processed_dir: Path) -> list[Path]:
    """Files a killed run left that no run will ever use: remove them and return their paths.

    Temporary files go only when no other run is writing (the writers lock is free); set-aside
    files of a run that never got its name always go. Call under the client's lock.
    """
    removed: list[Path] = []
    processed_dir.mkdir(parents=True, exist_ok=True)
    with open(processed_dir / _WRITERS, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # another run is writing: its temporary files are alive; the next start cleans
        else:
            try:
                temporary = [*raw_dir.rglob(".*.tmp"), *processed_dir.glob(".*.tmp")]
                for path in temporary:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                        removed.append(path)
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
    for rejected in raw_dir.glob("*/*.rejected.jsonl"):
        if not rejected.with_name(rejected.name.removesuffix(".rejected.jsonl") + ".jsonl").exists():
            rejected.unlink()
            removed.append(rejected)
    return removed
