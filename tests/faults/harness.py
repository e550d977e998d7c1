"""What the fault tests share: generated inputs, runs paused at a named point, the checks after.

Inputs are generated here, never copied from ``../shared/corpus``. A run is paused with
``RESEARCH_PAUSE_AT=<point>`` (`research.files.pause_point`): it creates a marker file and
waits, so a test kills it exactly there, with no sleeps.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OBSERVED = "2026-09-01T00:00:00+00:00"
PAUSE_WAIT_S = 180  # generous: several runs start at once on two cores; a stuck run fails, never flakes


def tweet(n: int, *, user: int | None = None, text: str | None = None, **extra: Any) -> dict:
    """One tweet as ``snscrape --jsonl`` writes it (fields the normaliser reads)."""
    user = n % 37 if user is None else user
    when = datetime(2026, 8, 1, tzinfo=UTC) + timedelta(minutes=7 * n)
    return {
        "_type": "snscrape.modules.twitter.Tweet",
        "url": f"https://twitter.com/fan{user}/status/{1_500_000_000_000_000_000 + n}",
        "date": when.isoformat(),
        "rawContent": text if text is not None else f"tweet {n} #chai @brewbros",
        "id": 1_500_000_000_000_000_000 + n,
        "user": {"_type": "snscrape.modules.twitter.User", "username": f"fan{user}", "id": 10_000 + user,
                 "displayname": f"Fan {user}", "followersCount": 10 + user, "friendsCount": 3,
                 "statusesCount": 50, "created": "2020-01-01T00:00:00+00:00", "verified": False},
        "replyCount": n % 3, "retweetCount": n % 5, "likeCount": n % 11, "quoteCount": 0,
        "conversationId": 1_500_000_000_000_000_000 + n, "lang": "en", "hashtags": ["chai"],
    } | extra  # fmt: skip


def tweets_file(path: Path, lines: int, *, bad_every: int = 0) -> Path:
    """``lines`` tweets as JSON lines; with ``bad_every``, every such line is broken JSON instead."""
    with open(path, "w", encoding="utf-8") as f:
        for n in range(1, lines + 1):
            if bad_every and n % bad_every == 0:
                f.write('{"broken": \n')
            else:
                f.write(json.dumps(tweet(n)) + "\n")
    return path


def research_env(point: str | None = None, marker: Path | None = None, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    env.pop("RESEARCH_PAUSE_AT", None)
    if point:
        env |= {"RESEARCH_PAUSE_AT": point, "RESEARCH_PAUSE_FILE": str(marker)}
    return env


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Paused:
    """A subprocess run until it reaches a pause point (``wait``), then killed or let go."""

    def __init__(self, args: list[str], point: str, marker: Path, *, cwd: Path | None = None, **env: str):
        self.point, self.marker = point, marker
        marker.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            args,
            env=research_env(point, marker, **env),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # A test runner started in the background (``cmd &``) ignores Ctrl-C, and its children
            # inherit that: give the run the default, as a terminal would, so SIGINT means Ctrl-C.
            preexec_fn=_default_sigint,
        )

    def wait(self) -> Paused:
        """Until the run is paused at its point (fails with the run's stderr if it ends first)."""
        deadline = time.monotonic() + PAUSE_WAIT_S
        while not self.marker.exists():
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise AssertionError(
                    f"the run ended before {self.point}: {self.proc.returncode}\n{out}\n{err}"
                )
            assert time.monotonic() < deadline, f"the run never reached {self.point}"
            time.sleep(0.02)
        return self

    def kill(self, sig: int = signal.SIGKILL) -> subprocess.CompletedProcess:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=PAUSE_WAIT_S)
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)

    def resume(self) -> subprocess.CompletedProcess:
        self.marker.unlink()
        out, err = self.proc.communicate(timeout=PAUSE_WAIT_S)
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)


def import_args(workspace: Path, path: Path, client: str = "cafe") -> list[str]:
    return [sys.executable, "-m", "research", "import", "--client", client, "--workspace", str(workspace),
            "--observed-at", OBSERVED, str(path)]  # fmt: skip


def leftovers(workspace: Path) -> list[str]:
    """Files under ``data/`` that no finished run would leave: temporary files, set-aside files
    without their run, raw runs the manifest does not name, partial collector runs."""
    data = workspace / "data"
    found = [str(p.relative_to(data)) for p in data.rglob("*.tmp")]
    found += [str(p.relative_to(data)) for p in data.rglob("*.partial")]
    for rejected in data.glob("raw/*/*/*.rejected.jsonl"):
        if not rejected.with_name(rejected.name.replace(".rejected.jsonl", ".jsonl")).exists():
            found.append(str(rejected.relative_to(data)))
    for client in (data / "raw").glob("*"):
        manifest = data / "processed" / client.name / "manifest.json"
        named = set(json.loads(manifest.read_text())["committed_runs"]) if manifest.exists() else set()
        for run in client.glob("*/*.jsonl"):
            if not run.name.endswith(".rejected.jsonl") and f"{run.parent.name}/{run.stem}" not in named:
                found.append(f"uncommitted {run.relative_to(data)}")
    return sorted(found)


def raw_records(workspace: Path, client: str = "cafe") -> list[Any]:
    """Every record of every raw run of ``client``, in run order."""
    records = []
    for run in sorted((workspace / "data" / "raw" / client).glob("*/*.jsonl")):
        if run.name.endswith(".rejected.jsonl"):
            continue
        with open(run, encoding="utf-8") as f:
            next(f)
            records += [json.loads(line)["record"] for line in f]
    return records
