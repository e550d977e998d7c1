"""What one brief derives once and every notebook reads: the co-action network, its groups, the flags.

Each notebook opens its own `research.run.notebook.Run`. The text step is persisted by the
pipeline (`research.run.texts`); the coordination step is the other costly one every notebook
needs (share of voice and sentiment read the posts without flagged accounts), so the first
notebook to ask computes it and keeps it in the report folder, under ``.shared/<key>/``, and
the others read it. At a million posts that is one computation of about 10 s instead of four.

The key is a digest of everything the values depend on: the params file, the store's manifest
(which changes with every import), the report date and the code of the modules that compute
them. A folder with another key is never read. Files are Parquet and JSON written atomically
(no pickle: a report folder is a place people copy around).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import networkx as nx
import pandas as pd

from research.analyses import coaction, coordination, nearduplicates, suspicion
from research.files import atomic_write_json
from research.store.store import atomic_write_parquet

__all__ = ["FOLDER", "key", "load", "save"]

FOLDER = ".shared"


def key(*parts: bytes | str) -> str:
    """A digest of ``parts`` and of the code of the coordination modules."""
    digest = hashlib.sha256()
    for module in (coaction, coordination, nearduplicates, suspicion):
        digest.update(Path(module.__file__).read_bytes())
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()[:20]


def load(folder: Path, digest: str) -> tuple[nx.Graph, pd.DataFrame, pd.DataFrame] | None:
    """The co-action graph, groups and flags kept under ``digest``; None if there are none."""
    where = Path(folder) / FOLDER / digest
    if not (where / "graph.json").exists():  # written last: the folder is complete
        return None
    settings = json.loads((where / "graph.json").read_text(encoding="utf-8"))
    dtypes = settings.pop("dtypes")
    edges = _read(where, "edges", dtypes)
    G = nx.Graph()
    G.add_edges_from(
        (row.pop("a"), row.pop("b"), row) for row in edges.to_dict("records")
    )  # edge order as computed: groups and reports list them in it
    G.graph.update(settings)
    G.graph["coactions"] = _read(where, "coactions", dtypes)
    return G, _read(where, "groups", dtypes), _read(where, "flags", dtypes)


def _read(where: Path, name: str, dtypes: dict) -> pd.DataFrame:
    """A frame as it was written: Parquet keeps values, ``dtypes`` the exact pandas types."""
    frame = pd.read_parquet(where / f"{name}.parquet")
    for column, dtype in dtypes[name].items():
        if dtype == "object":  # lists come back as arrays, strings as pandas strings
            frame[column] = pd.Series(
                [v.tolist() if hasattr(v, "tolist") else v for v in frame[column]],
                index=frame.index,
                dtype=object,
            )
        elif str(frame[column].dtype) != dtype:
            frame[column] = frame[column].astype(dtype)
    return frame


def save(folder: Path, digest: str, G: nx.Graph, groups: pd.DataFrame, flags: pd.DataFrame) -> None:
    """Keep them under ``digest`` (other keys' folders are removed: they can never be read again)."""
    root = Path(folder) / FOLDER
    if root.is_dir():
        for old in root.iterdir():
            if old.name != digest:
                shutil.rmtree(old, ignore_errors=True)
    where = root / digest
    where.mkdir(parents=True, exist_ok=True)
    frames = {
        "edges": pd.DataFrame([{"a": a, "b": b, **d} for a, b, d in G.edges(data=True)]),
        "coactions": G.graph["coactions"],
        "groups": groups,
        "flags": flags,
    }
    for name, frame in frames.items():
        atomic_write_parquet(frame, where / f"{name}.parquet")
    settings = {k: v for k, v in G.graph.items() if k != "coactions"}
    settings["dtypes"] = {name: {c: str(t) for c, t in f.dtypes.items()} for name, f in frames.items()}
    atomic_write_json(where / "graph.json", settings)  # last: its presence says the folder is complete
