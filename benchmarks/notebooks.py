"""Run the shipped notebooks in this process, without a kernel, to time what they cost.

Each code cell is executed in one namespace per notebook, in order, with the
``parameters`` cell replaced by the values papermill would inject. This is what a
brief run spends inside its kernels, without kernel start-up and papermill's own
overhead (which the full ``research brief`` stage includes).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import nbformat

__all__ = ["run_notebook"]


def run_notebook(path: Path, parameters: dict) -> None:
    """Execute the code cells of notebook ``path`` with ``parameters``; raise what a cell raises."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    warnings.filterwarnings("ignore", category=UserWarning)  # missing glyphs and layout notes of figures
    nb = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            exec(compile(cell.source, f"{path.name}:parameters", "exec"), namespace)  # the defaults
            namespace.update(parameters)
            continue
        exec(compile(cell.source, f"{path.name}:cell", "exec"), namespace)
    import matplotlib.pyplot as plt

    plt.close("all")
