"""Batch runs: one brief per params file, in parallel, one client's failure never stopping the rest.

``run_batch(folder, workspace)`` runs `research.run.pipeline.run_brief` for every
``*.yaml`` file in ``folder`` (sorted by name) and returns one `Outcome` per file:
the brief's path, or the one sentence saying why that client failed. Runs go to
local processes (``workers``) or, with ``dask="tcp://host:8786"``, to a Dask
distributed scheduler whose workers see the same ``workspace`` (a shared disk).

Each run is a pure function of its params file and the workspace's data: the
same params and data give the same ``results.json`` whichever process ran them.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from research.errors import InputError, ResearchError
from research.progress import Bar, silent

__all__ = ["Outcome", "run_batch", "run_one", "params_files", "summary_lines"]


@dataclass(frozen=True)
class Outcome:
    """What became of one params file in a batch."""

    params_file: Path
    client: str | None  # None when the file could not be read far enough to know it
    ok: bool
    brief: Path | None  # the brief written, when ok
    error: str | None  # one sentence, when not ok
    seconds: float

    @property
    def detail(self) -> str:
        """The brief's path when the run succeeded, else the error sentence."""
        return str(self.brief) if self.ok else str(self.error)


def params_files(folder: str | Path) -> list[Path]:
    """The ``*.yaml`` params files of ``folder``, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("not a folder of params files", path=folder)
    files = sorted(p for p in folder.glob("*.yaml") if p.is_file())
    if not files:
        raise InputError("no *.yaml params files in this folder", path=folder)
    return files


def _describe(error: BaseException) -> str:
    # NOTE: our own errors are already one sentence for the user; anything else is a bug, and
    # its type is kept so it is reported as one rather than passed off as bad input.
    if isinstance(error, ResearchError):
        return str(error)
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _client_of(path: Path) -> str | None:
    """The ``client`` key of a params file that failed validation, if it can be read at all."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    client = data.get("client") if isinstance(data, dict) else None
    return client if isinstance(client, str) else None


def run_one(params_file: str | Path, workspace: str | Path, day: date | None = None) -> Outcome:
    """Run one client's brief and return its `Outcome`; never raises for a failed run.

    A module-level function taking and returning picklable values, so a spawned
    process or a Dask worker can run it.
    """
    from research.params import load_params
    from research.run.pipeline import run_brief

    path = Path(params_file)
    started = time.perf_counter()
    client = None
    try:
        params = load_params(path)
        client = params.client
        brief = run_brief(params, workspace, day=day)
    except Exception as e:  # noqa: BLE001 - every failure becomes this client's outcome, named
        return Outcome(
            path, client or _client_of(path), False, None, _describe(e), time.perf_counter() - started
        )
    return Outcome(path, client, True, brief, None, time.perf_counter() - started)


def _lost(path: Path, error: BaseException, started: float) -> Outcome:
    """The outcome of a run whose process died (killed, out of memory, crashed)."""
    return Outcome(path, _client_of(path), False, None, _describe(error), time.perf_counter() - started)


def run_batch(
    folder: str | Path,
    workspace: str | Path,
    *,
    workers: int = 2,
    dask: str | None = None,
    day: date | None = None,
    bar: Bar | None = None,
) -> list[Outcome]:
    """Run one brief per ``*.yaml`` params file in ``folder``; return the outcomes in file order.

    Parameters
    ----------
    folder : path
        Folder of params YAML files; every ``*.yaml`` in it is one client run.
    workspace : path
        Folder holding ``data/`` and ``reports/``; with ``dask`` it must be the same
        path on every worker.
    workers : int
        Local processes running briefs at the same time (ignored with ``dask``).
    dask : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``) to run on instead.
    day : date, optional
        Report date folder (default: today).
    bar : callable, optional
        Progress-bar factory ``bar(description, total)``; advanced once per finished client.

    Returns
    -------
    list of Outcome
        One per params file, sorted like the files. A failed client is an outcome with
        ``ok=False`` and its error sentence; it never stops the other runs.
    """
    files = params_files(folder)
    if workers < 1:
        raise InputError(f"workers={workers}: at least one worker is needed")
    workspace = Path(workspace).resolve()
    bar = bar or silent
    outcomes = _duplicates(files)
    todo = [f for f in files if f not in outcomes]
    with bar("batch", len(files)) as progress:
        progress.update(len(outcomes))
        if todo and dask:
            outcomes |= _on_dask(todo, workspace, day, dask, progress.update)
        elif todo:
            outcomes |= _on_processes(todo, workspace, day, workers, progress.update)
    return [outcomes[f] for f in files]


def _duplicates(files: list[Path]) -> dict[Path, Outcome]:
    """Failed outcomes for params files naming a client an earlier file already names.

    Two runs of one client would write the same store and report folder at the same time.
    """
    first: dict[str, Path] = {}
    out = {}
    for path in files:
        client = _client_of(path)
        if client is None:
            continue
        if client in first:
            message = (
                f"{path}: client {client!r} is also in {first[client].name}; one client per batch, "
                "since both runs would write the same report folder"
            )
            out[path] = Outcome(path, client, False, None, message, 0.0)
        else:
            first[client] = path
    return out


def _pool(workers: int) -> ProcessPoolExecutor:
    # NOTE: spawn, not fork: the caller may hold threads (tqdm's monitor, a Jupyter kernel's),
    # and forking a threaded process can deadlock. One task per process keeps clients from
    # sharing any state (matplotlib, caches), so each run is as if started alone.
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, max_tasks_per_child=1)


def _on_processes(
    files: list[Path], workspace: Path, day: date | None, workers: int, advance: Callable[[int], object]
) -> dict[Path, Outcome]:
    outcomes: dict[Path, Outcome] = {}
    broken: list[Path] = []
    with _pool(min(workers, len(files))) as pool:
        futures: dict[Future, Path] = {pool.submit(run_one, f, workspace, day): f for f in files}
        try:
            for future in as_completed(futures):
                path = futures[future]
                try:
                    outcomes[path] = future.result()
                except BrokenProcessPool:
                    broken.append(path)  # maybe this client, maybe a neighbour: retried alone below
                    continue
                advance(1)
        except KeyboardInterrupt:
            # Ctrl-C reaches the workers too (same process group); start no more clients.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    # A process that died takes the whole pool down with it; rerun each affected client in a
    # pool of its own, so only the one that really kills its process is reported failed.
    for path in sorted(broken):
        began = time.perf_counter()
        with _pool(1) as pool:
            try:
                outcomes[path] = pool.submit(run_one, path, workspace, day).result()
            except BrokenProcessPool as e:
                outcomes[path] = _lost(path, e, began)
        advance(1)
    return outcomes


def _on_dask(
    files: list[Path], workspace: Path, day: date | None, address: str, advance: Callable[[int], object]
) -> dict[Path, Outcome]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ResearchError(
            "--dask needs the Dask distributed package: pip install 'research[dask]'"
        ) from None
    outcomes: dict[Path, Outcome] = {}
    started = time.perf_counter()
    try:
        client = Client(address, timeout="30s", set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise ResearchError(f"cannot reach the Dask scheduler at {address}: {e}") from None
    with client:
        # pure=False: every call is a real run (Dask would otherwise reuse results for equal args).
        futures = client.map(run_one, files, workspace=workspace, day=day, pure=False)
        paths = {future.key: path for future, path in zip(futures, files, strict=True)}
        for future in dask_completed(futures, loop=client.loop):
            path = paths[future.key]
            try:
                outcomes[path] = future.result()
            except Exception as e:  # noqa: BLE001 - a worker died or was killed: this client failed
                outcomes[path] = _lost(path, e, started)
            advance(1)
    return outcomes


def summary_lines(outcomes: Iterable[Outcome]) -> list[str]:
    """A plain-text table of ``outcomes`` and a last line ``N succeeded, M failed`` (the CLI prints it)."""
    outcomes = list(outcomes)
    rows = [
        (
            "ok" if o.ok else "FAILED",
            o.params_file.name,
            o.client or "?",
            f"{o.seconds:.1f}",
            o.detail,
        )
        for o in outcomes
    ]
    header = ("status", "params", "client", "seconds", "brief or error")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = []
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2])]
        lines.append("  ".join([*cells, row[3].rjust(widths[3]), row[4]]))
    ok = sum(o.ok for o in outcomes)
    return [*lines, f"{ok} succeeded, {len(outcomes) - ok} failed"]
