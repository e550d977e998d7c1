"""The numbered notebooks' code run in this process: the same calls, without a kernel.

``research brief`` runs the notebooks with papermill, in a Jupyter kernel, and keeps the executed
copies as the audit trail. Tests and the benchmark need the *same calls* many times and fast, so
they run the notebooks' code cells here instead: each notebook in a fresh namespace that starts
with its parameters (what papermill would inject), each cell timed. Nothing is re-typed, so
what they measure or check is what the brief does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from research.errors import ResearchError

__all__ = ["CellTiming", "run_notebook", "run_notebooks"]


@dataclass
class CellTiming:
    notebook: str
    cell: int  # number among the notebook's code cells, from 1 (the parameters cell is 1)
    seconds: float
    source: str = field(repr=False)


def _code_cells(path: Path) -> list[str]:
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def run_notebook(
    path: str | Path,
    parameters: Mapping[str, Any],
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[dict[str, Any], list[CellTiming]]:
    """Run a notebook's code cells in a fresh namespace holding ``parameters``; return it and the timings.

    The parameters cell runs first (its defaults), then ``parameters`` override them, as papermill
    injects them after that cell. A failing cell raises ``ResearchError`` naming the notebook and
    the cell, with the original error chained.
    """
    path = Path(path)
    namespace: dict[str, Any] = {"__name__": "__notebook__"}
    timings = []
    for number, source in enumerate(_code_cells(path), start=1):
        started = clock()
        try:
            exec(compile(source, f"{path.name}:cell {number}", "exec"), namespace)  # noqa: S102 - our own notebooks
        except Exception as e:
            raise ResearchError(
                f"notebook {path.name} failed in code cell {number}: {type(e).__name__}: {e}"
            ) from e
        if number == 1:
            namespace.update(parameters)
        timings.append(CellTiming(path.name, number, clock() - started, source))
    return namespace, timings


def run_notebooks(parameters: Mapping[str, Any], notebooks: list[Path] | None = None) -> list[CellTiming]:
    """Run every numbered notebook in order (each in its own namespace); return the cell timings."""
    import matplotlib

    from research.run.pipeline import notebook_paths

    matplotlib.use("Agg")  # as in a kernel without a display
    import matplotlib.pyplot as plt

    timings: list[CellTiming] = []
    for path in notebooks or notebook_paths():
        _, cells = run_notebook(path, parameters)
        timings += cells
        plt.close("all")
    return timings
