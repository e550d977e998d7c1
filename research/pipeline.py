"""The whole run for one client: sources -> store -> notebooks -> brief.

``gather`` brings the data the params list into the store (importing files,
generating the demo world, running collectors); ``run_brief`` then executes the
numbered notebooks with papermill and renders the brief from what they recorded.
Notebooks never touch the network: they start from ``data/processed``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from research.errors import InputError, ResearchError
from research.params import CollectSource, GenerateSource, ImportSource, Params
from research.store import ImportReport, Store

__all__ = ["gather", "run_brief", "notebook_paths", "NOTEBOOKS_DIR", "Bar"]

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"

# A progress-bar factory: Bar(description, total) -> context manager with .update(n).
# The CLI passes tqdm; the library itself never prints.
Bar = Callable[[str, int | None], AbstractContextManager[Any]]


class _Silent:
    def update(self, n: int = 1) -> None:
        pass


def _silent_bar(desc: str, total: int | None) -> AbstractContextManager[Any]:
    return nullcontext(_Silent())


def gather(params: Params, workspace: str | Path, *, bar: Bar | None = None) -> list[ImportReport]:
    """Import, generate or collect every source of ``params`` into the client's store."""
    bar = bar or _silent_bar
    store = Store(workspace, params.client)
    reports: list[ImportReport] = []
    for i, source in enumerate(params.source_specs()):
        if isinstance(source, ImportSource):
            path = params.resolve(source.path)
            options = {k: v for k, v in {"mapping": source.mapping, "timezone": source.timezone}.items() if v}
            with bar(f"import {path.name}", None) as b:
                reports.append(
                    store.import_file(path, source.import_, options=options, observed_at=source.observed_at, progress=b.update)
                )
        elif isinstance(source, GenerateSource):
            reports.extend(_generate(params, source, store, bar))
        elif isinstance(source, CollectSource):
            from research import sources

            collector = sources.COLLECTORS[source.collect]
            reports.extend(collector.run(store, params, source, bar=bar))
        else:  # pragma: no cover - params validation makes this unreachable
            raise ResearchError(f"sources[{i}]: unknown source kind")
    return reports


def _generate(params: Params, source: GenerateSource, store: Store, bar: Bar) -> list[ImportReport]:
    from research import demo

    folder = store.workspace / "data" / "external" / params.client / f"demo-world-{source.seed}-{source.posts}"
    # Regenerating is cheap and byte-identical; the store skips files it already holds.
    with bar("generate demo world", None):
        files = demo.generate(folder, seed=source.seed, posts=source.posts).files
    # The demo's counts are "observed" the day after its period ends, so runs are reproducible.
    _, end = params.period.bounds()
    observed = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
    reports = []
    for fmt, path in files.items():
        with bar(f"import {Path(path).name}", None) as b:
            reports.append(store.import_file(path, fmt, observed_at=observed, progress=b.update))
    return reports


def notebook_paths(folder: str | Path | None = None) -> list[Path]:
    """The numbered notebooks (``NN_name.ipynb``) in run order."""
    folder = Path(folder) if folder else NOTEBOOKS_DIR
    paths = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise InputError("no numbered notebooks (NN_name.ipynb) found", path=folder)
    return paths


def run_brief(
    params: Params,
    workspace: str | Path,
    *,
    day: date | None = None,
    notebooks: str | Path | None = None,
    bar: Bar | None = None,
    gather_sources: bool = True,
) -> Path:
    """Gather data, run every notebook with papermill, render ``brief.html``; return its path.

    The report folder ``reports/<client>/<YYYY-MM-DD>/`` is built in a temporary folder
    beside it and swapped in at the end, so a failed run never leaves half a report.
    """
    import papermill as pm

    from research.brief import render_brief

    bar = bar or _silent_bar
    workspace = Path(workspace).resolve()
    if gather_sources:
        gather(params, workspace, bar=bar)
    day = day or date.today()
    final = workspace / "reports" / params.client / day.isoformat()
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{day.isoformat()}.", dir=final.parent))
    try:
        (work / "notebooks").mkdir()
        paths = notebook_paths(notebooks)
        parameters = {
            "params_path": str(params.path.resolve()) if params.path else "",
            "workspace": str(workspace),
            "report_dir": str(work),
            "report_date": day.isoformat(),
        }
        with bar("notebooks", len(paths)) as b:
            for nb in paths:
                try:
                    pm.execute_notebook(
                        str(nb),
                        str(work / "notebooks" / nb.name),
                        parameters=parameters,
                        kernel_name="python3",
                        progress_bar=False,
                        cwd=str(workspace),
                    )
                except pm.PapermillExecutionError as e:
                    raise ResearchError(
                        f"notebook {nb.name} failed in cell {e.exec_count}: {e.ename}: {e.evalue} "
                        f"(executed copy kept in {work / 'notebooks' / nb.name})"
                    ) from None
                b.update(1)
        render_brief(work, params)
        # Swap in: keep the previous report of the same day until the new one is complete.
        if final.exists():
            old = final.with_name(f".{final.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(work, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, final)
    except BaseException:
        if work.exists() and not any(work.glob("notebooks/*.ipynb")):
            shutil.rmtree(work, ignore_errors=True)
        raise
    return final / "brief.html"
