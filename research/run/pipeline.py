"""The whole run for one client: sources -> store -> notebooks -> brief.

``gather`` brings the data the params list into the store (importing files,
generating the demo world, running collectors); ``run_brief`` then executes the
numbered notebooks with papermill and renders the brief from what they recorded.
Notebooks never touch the network: they start from ``data/processed``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from research.errors import InputError, ResearchError
from research.files import atomic_write_text, umask
from research.params import CollectSource, GenerateSource, ImportSource, Params
from research.progress import Bar, silent
from research.run import shared
from research.run.texts import prepare_texts
from research.store import ImportReport, Store

__all__ = ["gather", "run_brief", "notebook_paths", "execute", "NOTEBOOKS_DIR"]

# The numbered notebooks ship in the package (research/run/notebooks is the top-level notebooks/).
NOTEBOOKS_DIR = Path(__file__).parent / "notebooks"


def gather(params: Params, workspace: str | Path, *, bar: Bar | None = None) -> list[ImportReport]:
    """Import, generate or collect every source of ``params`` into the client's store."""
    bar = bar or silent
    store = Store(workspace, params.client)
    reports: list[ImportReport] = []
    files = [
        (
            params.resolve(s.path),
            {"format": s.import_, "options": s.options(), "observed_at": s.observed_at, "bar": bar},
        )
        for s in params.source_specs()
        if isinstance(s, ImportSource)
    ]
    if files:  # every file first, in one merge (a folder of many small exports)
        reports += store.import_files(files)
    for i, source in enumerate(params.source_specs()):
        if isinstance(source, ImportSource):
            continue
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

    folder = (
        store.workspace / "data" / "external" / params.client / f"demo-world-{source.seed}-{source.posts}"
    )
    # Regenerating is cheap and byte-identical; the store skips files it already holds.
    with bar("generate demo world", None):
        files = demo.generate(folder, seed=source.seed, posts=source.posts).files
    # The demo's counts are "observed" the day after its period ends, so runs are reproducible.
    _, end = params.period.bounds()
    observed = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
    reports = []
    for fmt, path in files.items():
        reports.append(store.import_file(path, fmt, observed_at=observed, bar=bar))
    return reports


def notebook_paths(folder: str | Path | None = None) -> list[Path]:
    """The numbered notebooks (``NN_name.ipynb``) in run order."""
    folder = Path(folder) if folder else NOTEBOOKS_DIR
    paths = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise InputError("no numbered notebooks (NN_name.ipynb) found", path=folder)
    return paths


@contextmanager
def _shared_kernel() -> Iterator[Any]:
    """One kernel for all the notebooks of a brief, shut down at the end.

    NOTE: starting a kernel and importing pandas, scipy, matplotlib and the text models in it
    costs several seconds; paid once instead of once per notebook, a brief on 100k posts
    stays within a minute. Each notebook still starts from an empty namespace
    (``_fresh_namespace``), so none can use what another left behind.
    """
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")  # started by papermill for the first notebook
    try:
        yield km
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)


_RESET = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"
    "get_ipython().execution_count = 1\n"
)


def _fresh_namespace(km: Any) -> None:
    """Empty the kernel's namespace, close its figures and restart cell numbering (if it runs)."""
    if not km.has_kernel:
        return
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive(_RESET, store_history=False, timeout=60, output_hook=lambda msg: None)
    finally:
        kc.stop_channels()
    if reply["content"].get("status") != "ok":
        raise ResearchError(
            f"could not reset the notebook kernel: {reply['content'].get('evalue', 'unknown error')}"
        )


# NOTE: the kernel runs in the workspace (relative paths in notebooks), but a file there named
# like a module (pandas.py) must not be imported instead of it: IPython otherwise puts the
# working directory on sys.path.
KERNEL_ARGUMENTS = ["--IPKernelApp.ignore_cwd=True"]


def execute(notebook: Path, out: Path, parameters: dict[str, Any], workspace: Path, km: Any) -> None:
    """Run one notebook with papermill in the shared kernel ``km`` (started on first use), in ``workspace``."""
    import papermill as pm

    pm.execute_notebook(
        str(notebook),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(workspace),
        km=km,
        extra_arguments=KERNEL_ARGUMENTS,
    )


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

    bar = bar or silent
    workspace = Path(workspace).resolve()
    if gather_sources:
        gather(params, workspace, bar=bar)
    store = Store(workspace, params.client)
    store.recover()  # with --no-gather too: a killed import's rows are in before any notebook reads
    with bar("languages and sentiment", None):
        prepare_texts(params, store)
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
        with bar("notebooks", len(paths)) as b, _shared_kernel() as km:
            for nb in paths:
                _fresh_namespace(km)
                try:
                    execute(nb, work / "notebooks" / nb.name, parameters, workspace, km)
                except pm.PapermillExecutionError as e:
                    raise ResearchError(
                        f"notebook {nb.name} failed in cell {e.exec_count}: {e.ename}: {e.evalue} "
                        f"(executed copy kept in {work / 'notebooks' / nb.name})"
                    ) from None
                b.update(1)
        render_brief(work, params)
        shutil.rmtree(work / shared.FOLDER, ignore_errors=True)  # the notebooks' shared state, not a result
        _record_final_folder(work / "notebooks", work, final)
        os.chmod(work, 0o777 & ~umask())  # mkdtemp made it private; the report folder is for sharing
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


def _record_final_folder(notebooks: Path, work: Path, final: Path) -> None:
    """Make the executed notebooks name the report folder they end up in, not the temporary one.

    They ran with ``report_dir`` set to the temporary folder the report is built in (so a failed
    run leaves no half report); the audit trail must point where the reader finds the files.
    """
    for path in sorted(notebooks.glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        if str(work) in text:
            atomic_write_text(path, text.replace(json.dumps(str(work))[1:-1], json.dumps(str(final))[1:-1]))
