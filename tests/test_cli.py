"""The command line as a user runs it: a real subprocess, exit codes, one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def research(*args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "research", *args], capture_output=True, text=True, cwd=cwd, env=env
    )


def test_formats_lists_every_registered_format():
    from research.sources import FORMATS

    result = research("formats")
    assert result.returncode == 0
    for name in FORMATS:
        assert name in result.stdout


def test_import_reports_counts_and_set_aside_lines(tmp_path):
    good = {
        "_type": "snscrape.modules.twitter.Tweet",
        "id": 1288987632328826881,
        "date": "2026-08-05T10:00:00+00:00",
        "rawContent": "hi",
        "user": {"id": 1, "username": "fan"},
        "url": "https://twitter.com/fan/status/1",
    }
    path = tmp_path / "tweets.jsonl"
    path.write_text(json.dumps(good) + "\n{broken\n", encoding="utf-8")
    result = research("import", "--client", "cafe", "--workspace", str(tmp_path), str(path))
    assert result.returncode == 0, result.stderr
    assert "recognised as snscrape-jsonl; 1 records imported, 1 set aside" in result.stdout
    assert "line 2: not valid JSON" in result.stdout
    assert (tmp_path / "data" / "processed" / "cafe" / "posts.parquet").exists()


def test_bad_input_gives_one_sentence_and_nonzero_exit(tmp_path):
    missing = research(
        "import", "--client", "cafe", "--workspace", str(tmp_path), str(tmp_path / "nope.jsonl")
    )
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"research: error: {tmp_path / 'nope.jsonl'}: no such file"
    bad_params = tmp_path / "bad.yaml"
    bad_params.write_text(
        "client: cafe\nperiod: {last_days: 30}\nbrand: {name: X, accounts: [{platform: tiktock, handle: x}]}\n"
    )
    result = research("brief", str(bad_params), "--workspace", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "brand.accounts[0].platform: 'tiktock' is not a known platform" in result.stderr
    unknown = research(
        "import", "--client", "cafe", "--format", "tweets", "--workspace", str(tmp_path), str(bad_params)
    )
    assert unknown.returncode == 2 and "unknown import format 'tweets' (known:" in unknown.stderr
