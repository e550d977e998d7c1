"""A wheel works, not only an editable install: notebooks, demo params and templates ship in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_runs_from_a_built_wheel(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("research-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "research/run/demo.yaml" in names
    assert {f"research/run/notebooks/0{i}_{n}.ipynb" for i, n in [(1, "data"), (7, "brief")]} <= set(names)
    assert "research/brief/templates/brief.html.j2" in names
    models = {f"research/analyses/sentiment/models/{lang}.{suffix}"
              for lang in ("en", "ru", "hi", "hi-Latn") for suffix in ("json", "npz")}  # fmt: skip
    assert models | {"research/analyses/sentiment/models/MODEL_CARD.md"} <= set(names)
    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)  # what pip does with a pure-Python wheel
    # Run outside the source tree, with the unpacked wheel first on the path: nothing may be
    # read from the repository (its notebooks/ or params/ folders).
    env = {**os.environ, "PYTHONPATH": str(installed)}
    where = subprocess.run(
        [sys.executable, "-c", "import research; print(research.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(installed))
    workspace = tmp_path / "ws"
    result = subprocess.run(
        [sys.executable, "-m", "research", "demo", "--workspace", str(workspace), "--date", "2026-11-02"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report = workspace / "reports" / "demo" / "2026-11-02"
    assert (report / "brief.html").is_file()
    executed = json.loads((report / "notebooks" / "02_competitors.ipynb").read_text())
    assert executed["metadata"]["papermill"]["input_path"].startswith(str(installed))  # the wheel's notebook
    # the brief's sentiment came from the trained models the wheel ships, not from the baselines
    texts = pd.read_parquet(workspace / "data" / "processed" / "demo" / "text.parquet")
    methods = texts["sentiment_method"].dropna()
    assert methods.str.startswith("linear-").sum() > methods.size / 2, methods.value_counts().to_dict()
