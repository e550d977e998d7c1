"""The workspace and the machine: nothing written outside the workspace, nothing run from the user's
folder, a hostile params file refused at once, a full disk or a read-only folder in one sentence.

Disk-full and read-only runs use a small tmpfs mounted here (as root); where mounting is not
permitted they are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from research.cli import main
from research.errors import ParamsError
from research.params import load_params, parse_params
from research.store import Store
from tests.faults.harness import OBSERVED, Paused, import_args, research_env, tweets_file

CONSOLE = Path(sys.executable).with_name(
    "research"
)  # the installed command: no folder of its own on sys.path


# --- 9: the client slug is checked wherever it comes from ------------------------------------------


@pytest.mark.parametrize("client", ["../../../x", "/abs/path", "a/b", "..", "Cafe", "", "x" * 65, "café"])
def test_a_client_that_could_leave_the_workspace_is_refused_by_the_command_line(client, tmp_path, capsys):
    source = tweets_file(tmp_path / "t.jsonl", 3)
    workspace = tmp_path / "deep" / "ws"
    for command in (
        ["import", str(source)],
        ["renormalise"],
        ["collect", "--source", "mastodon", "--account", "a"],
    ):
        assert main([command[0], "--client", client, "--workspace", str(workspace), *command[1:]]) == 2
        err = capsys.readouterr().err
        assert err == (
            f"research: error: client {client!r} is not a slug (lower-case letters, digits, '-' and '_', "
            "at most 64, starting with a letter or digit): it names folders under data/ and reports/\n"
        )
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["t.jsonl"]  # nothing made, inside or out


def test_params_and_the_command_line_share_the_check(tmp_path):
    with pytest.raises(ParamsError, match=r"^client: '\.\./x' is not a slug \(lower-case letters"):
        parse_params({"client": "../x", "period": {"last_days": 7}, "brand": {"name": "X", "accounts": [{"platform": "twitter", "handle": "x"}]}})  # fmt: skip


# --- 10: the user's folder is never on a worker's or a kernel's sys.path ---------------------------

SHADOW = "import pathlib, sys\npathlib.Path(__file__).with_suffix('.ran').write_text(' '.join(sys.argv))\nraise SystemExit('shadowed')\n"


def test_import_workers_do_not_run_modules_from_the_current_folder(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    for name in ("concurrent", "multiprocessing", "selectors", "pyarrow", "orjson"):
        (folder / f"{name}.py").write_text(SHADOW)
    source = tweets_file(folder / "tweets.jsonl", 400)
    result = subprocess.run(
        [
            str(CONSOLE),
            "import",
            "--client",
            "cafe",
            "--workspace",
            str(tmp_path / "ws"),
            "--observed-at",
            OBSERVED,
            str(source),
        ],  # fmt: skip
        cwd=folder,
        env=research_env(RESEARCH_PARALLEL_BYTES="1", RESEARCH_PART_BYTES="20000"),  # two worker processes
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "400 records imported" in result.stdout
    assert sorted(p.name for p in folder.glob("*.ran")) == []


def test_notebook_kernels_do_not_import_modules_from_the_workspace(tmp_path):
    import nbformat

    from research.run.pipeline import _shared_kernel, execute

    for name in ("pandas", "concurrent", "research"):
        (tmp_path / f"{name}.py").write_text(SHADOW)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("workspace = ''", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import concurrent.futures, pandas, research, sys\n"
            "assert '' not in sys.path and workspace not in sys.path, sys.path\n"
            "print(pandas.__file__, research.__file__)"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, tmp_path / "probe.ipynb")
    with _shared_kernel() as km:
        execute(tmp_path / "probe.ipynb", tmp_path / "out.ipynb", {"workspace": str(tmp_path)}, tmp_path, km)
    out = "".join(json.loads((tmp_path / "out.ipynb").read_text())["cells"][-1]["outputs"][0]["text"])
    assert str(tmp_path) not in out and "site-packages" in out
    assert list(tmp_path.glob("*.ran")) == []


# --- 11: a hostile params file ------------------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_before_anything_walks_it(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = (
        "client: cafe\nperiod: {last_days: 7}\nbrand: {name: X, accounts: [{platform: twitter, handle: x}]}\n"
    )
    text += "\n".join(lines) + "\nhashtags: *i\n"
    assert len(text.encode()) < 1_400  # the 1.3 KB
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    with pytest.raises(ParamsError) as refused:
        load_params(path)
    assert str(refused.value) == (
        f"{path}: holds more than 100,000 values once its aliases (*name) are expanded; not a params file"
    )


def test_params_nested_too_deep_are_refused(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("client: cafe\nx: " + "[" * 500 + "]" * 500 + "\n")
    with pytest.raises(ParamsError, match="nested more than 64 levels deep; not a params file"):
        load_params(path)


def test_aliases_a_real_params_file_may_use_still_work(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(
        "client: cafe\nperiod: {last_days: 7}\n"
        "brand: &b {name: X, accounts: [{platform: twitter, handle: x}]}\ncompetitors: [*b]\n"
    )
    assert load_params(path).competitors[0].name == "X"


# --- 11: a full disk, a read-only workspace -------------------------------------------------------


@contextlib.contextmanager
def tmpfs(folder: Path, size: str):
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'not permitted'}); needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_is_one_sentence_and_the_next_run_finishes_the_import(tmp_path):
    source = tweets_file(tmp_path / "tweets.jsonl", 300)
    with tmpfs(tmp_path / "small", "2m") as workspace:
        paused = Paused(import_args(workspace, source), "import:raw-linked", tmp_path / "paused").wait()
        filler = workspace / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as f:  # fill the disk, to the last byte
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        result = paused.resume()
        assert result.returncode == 2, result.stderr
        [line] = result.stderr.splitlines()
        assert line == (
            f"research: error: {workspace}/data/processed/cafe/posts.parquet: no space left on device; "
            "free some space and run again; nothing half-written counts as done: the next run finishes "
            "what this one started"
        )
        filler.unlink()
        again = subprocess.run(
            import_args(workspace, source), env=research_env(), capture_output=True, text=True
        )
        assert again.returncode == 0, again.stderr
        assert "finished an interrupted import" in again.stdout
        assert len(Store(workspace, "cafe").posts()) == 300
        assert not list(workspace.rglob("*.tmp"))


def test_a_read_only_workspace_is_one_sentence(tmp_path):
    source = tweets_file(tmp_path / "tweets.jsonl", 3)
    with tmpfs(tmp_path / "ro", "1m") as workspace:
        subprocess.run(["mount", "-o", "remount,ro", str(workspace)], check=True)
        result = subprocess.run(
            import_args(workspace, source), env=research_env(), capture_output=True, text=True
        )
    assert result.returncode == 2
    assert result.stderr == (
        f"research: error: {workspace}/data: read-only file system; give a --workspace that can be written\n"
    )


def test_a_folder_that_is_not_ours_is_one_sentence(tmp_path, capsys):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    assert (
        main(
            [
                "import",
                "--client",
                "cafe",
                "--workspace",
                str(tmp_path),
                str(tweets_file(tmp_path / "t.jsonl", 2)),
            ]
        )
        == 2
    )
    assert capsys.readouterr().err == f"research: error: {tmp_path}/data/processed/cafe: not a directory\n"
