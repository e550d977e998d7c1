"""The entry point: simulate both periods (in two processes when large), join the files, write the truths."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .market import DEFAULT_POSTS, DEFAULT_SEED
from .profiles import _twarc_profiles
from .simulate import _World
from .truth import _truth

# --- entry point ---------------------------------------------------------------------------------

_PARALLEL_FROM = 10_000  # below this, starting a second process costs more than it saves


@dataclass(frozen=True)
class DemoWorld:
    """The written demo world: import format name -> file, and the planted truths."""

    files: dict[str, Path]
    truth: dict


def _append(path: Path, *parts: bytes | Path) -> None:
    """Append bytes and whole files (deleted afterwards) to ``path``, in the kernel where possible."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.lseek(fd, 0, os.SEEK_END)
        for part in parts:
            if isinstance(part, bytes):
                view = memoryview(part)
                while view:
                    view = view[os.write(fd, view) :]
                continue
            with open(part, "rb") as src:
                left = os.fstat(src.fileno()).st_size
                try:
                    while left > 0:
                        n = os.copy_file_range(src.fileno(), fd, left)
                        if n == 0:
                            break
                        left -= n
                except (AttributeError, OSError):  # no copy_file_range here (not Linux, or the file system)
                    pass
                while chunk := src.read(1 << 24):
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view) :]
            part.unlink()
    finally:
        os.close(fd)


def _segment(out_dir: str, seed: int, posts: int, segment: int) -> dict:
    """Simulate and write one period (a process-pool task: arguments and result are picklable)."""
    folder = Path(out_dir)
    world = _World(seed, posts, segment)
    return world.run(folder / f".part{segment}.jsonl", folder / f".part{segment}.bsky")


def _generate(out_dir: Path, seed: int, posts: int, workers: int) -> DemoWorld:
    out_dir.mkdir(parents=True, exist_ok=True)
    args = ([str(out_dir)] * 2, [seed] * 2, [posts] * 2, [0, 1])
    # Daemon processes (Dask workers, pool workers) may not start children: generate in-process there.
    if workers > 1 and not multiprocessing.current_process().daemon:
        # NOTE: fork is fast and does not re-run the caller's script, but is unsafe once threads
        # exist (Jupyter kernels have some); spawn re-imports __main__, which kernels and CLIs allow.
        method = "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context(method)) as pool:
            states = list(pool.map(_segment, *args))
    else:
        states = [_segment(*a) for a in zip(*args, strict=True)]
    # The previous period's parts become the files (segment 0 opened the JSON array); the analysis
    # period is appended: one copy of half the bytes instead of two copies of all of them.
    files = {"snscrape-jsonl": out_dir / "demo-twitter.jsonl", "bluesky-json": out_dir / "demo-bluesky.json"}
    os.replace(out_dir / ".part0.jsonl", files["snscrape-jsonl"])
    os.replace(out_dir / ".part0.bsky", files["bluesky-json"])
    _append(files["snscrape-jsonl"], out_dir / ".part1.jsonl")
    more = (out_dir / ".part1.bsky").stat().st_size and files["bluesky-json"].stat().st_size > 2
    _append(files["bluesky-json"], b",\n" if more else b"", out_dir / ".part1.bsky", b"\n]\n")
    # Truth 11: the twitter brand profiles observed once more, at the period's start (twarc2 users lookup).
    files["twarc2-jsonl"] = out_dir / "demo-twitter-profiles.jsonl"
    lookup, earlier = _twarc_profiles(
        states[1]["profiles"], states[0]["brand_rows"] + states[1]["brand_rows"]
    )
    files["twarc2-jsonl"].write_text(lookup, encoding="utf-8")
    truth = _truth(seed, posts, files, states, earlier)
    (out_dir / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return DemoWorld(files=files, truth=truth)


def generate(out_dir: Path, *, seed: int = DEFAULT_SEED, posts: int = DEFAULT_POSTS) -> DemoWorld:
    """Write the demo world into ``out_dir`` (created if needed) and return its files and truths.

    Parameters
    ----------
    out_dir : Path
        Folder for ``demo-twitter.jsonl``, ``demo-bluesky.json``, ``demo-twitter-profiles.jsonl``
        and ``truth.json``.
    seed : int
        Same seed and ``posts`` give byte-identical files.
    posts : int
        About how many posts fall inside the 90-day analysis period (the previous period
        has as many again). The audience grows as ``posts ** 0.8``. From 10,000 posts the
        two periods are simulated in two processes (the bytes are the same either way).

    Returns
    -------
    DemoWorld
        ``files`` maps import format name to file; ``truth`` is also in ``truth.json``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     world = generate(Path(folder), posts=2_000)
    >>> sorted(world.files), world.truth["best_slot"]["twitter"]["weekday"]
    (['bluesky-json', 'snscrape-jsonl', 'twarc2-jsonl'], 'Thursday')
    """
    if posts < 100:
        raise ValueError(f"posts={posts}: the demo world needs at least 100 posts")
    workers = 2 if posts >= _PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1
    return _generate(Path(out_dir), int(seed), int(posts), workers)
