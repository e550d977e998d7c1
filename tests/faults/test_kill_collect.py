"""A collection killed at every named point loses nothing: the rerun stores exactly what the server has.

A ``mastodon`` collector runs in a subprocess against a real HTTP server on 127.0.0.1 (the
recorded pages of tests/fixtures/mastodon, one status on page 2 unusable so that there are
set-aside records too) and is killed with SIGKILL at each pause point of collecting and of
storing. The rerun, in this process, must store every status once, the same tables as an
uninterrupted collection, and leave no partial, temporary or uncommitted file.
"""

from __future__ import annotations

import signal
import sys

import pytest

from research.files import PAUSE_POINTS
from research.sources.collect import Query
from research.sources.http import Pacer, Policy
from research.sources.mastodon import MastodonCollector
from research.store import Store
from tests.faults.harness import Paused, leftovers, raw_records
from tests.recorded_server import Recorded, RecordedServer, fixture

# Every point of collecting, and the points of storing that differ for a collector's partial
# run: before the raw run has its name, once it has it, once the tables have its rows, once
# the manifest names it (every point of storing is killed in test_kill_import).
STORING = ["import:read", "import:raw-linked", "import:accounts-written", "import:committed"]
POINTS = [p for p in PAUSE_POINTS if p.startswith("collect:")] + STORING
ACCOUNT = "109312345678901234"
STATUSES = f"/api/v1/accounts/{ACCOUNT}/statuses"
PAGES = [fixture("mastodon", f"account_page{n}.json") for n in (1, 2, 3)]
UNUSABLE = {"id": "113100000000000099", "created_at": "2026-09-14T09:00:00.000Z"}  # no account: set aside
PAGES[1] = [UNUSABLE, *PAGES[1]]
GOOD_IDS = sorted(s["id"] for page in PAGES for s in page if s is not UNUSABLE)
FAST = Policy(connect_timeout=5, read_timeout=30, retries=0, min_interval=0)

SCRIPT = """
import sys
from research.sources.collect import Query
from research.sources.http import Pacer, Policy
from research.sources.mastodon import MastodonCollector
from research.store import Store
collector = MastodonCollector(policy=Policy(min_interval=0, retries=0), pacer=Pacer())
target = collector.make_targets(["brewbros"], [], sys.argv[2])[0]
report = collector.collect_target(Store(sys.argv[1], "demo"), target, Query())
assert report.error is None, report.error
"""


def routes():
    def link(max_id):
        return {"Link": f'<{{base}}{STATUSES}?limit=40&max_id={max_id}>; rel="next"'}

    last = [page[-1]["id"] for page in PAGES]
    return {
        "/api/v1/accounts/lookup?acct=brewbros": [Recorded(fixture("mastodon", "account_lookup.json"))],
        STATUSES: [Recorded(PAGES[0], headers=link(last[0]))],
        f"{STATUSES}?max_id={last[0]}": [Recorded(PAGES[1], headers=link(last[1]))],
        f"{STATUSES}?max_id={last[1]}": [Recorded(PAGES[2], headers=link(last[2]))],
        f"{STATUSES}?max_id={last[2]}": [Recorded([])],
    }


def collect(store, server):
    collector = MastodonCollector(policy=FAST, pacer=Pacer())
    [target] = collector.make_targets(["brewbros"], [], server.url)
    return collector.collect_target(store, target, Query())


def comparable(frame):
    """A table without its observation time (each collection observes at its own time)."""
    key = "post_id" if "post_id" in frame else "account_id"
    return frame.drop(columns=["collected_at"]).sort_values(key).reset_index(drop=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("kill-collect")
    with RecordedServer(routes()) as server:
        clean = Store(root / "clean", "demo")
        report = collect(clean, server)
        assert report.error is None and len(report.stored.rejected) == 1
        expected = comparable(clean.posts()), comparable(clean.accounts())
        runs = {
            point: Paused(
                [sys.executable, "-c", SCRIPT, str(root / point.replace(":", "-")), server.url],
                point,
                root / f"{point.replace(':', '-')}.paused",
            )
            for point in POINTS
        }
        try:
            for paused in runs.values():
                paused.wait()
            killed = {point: paused.kill() for point, paused in runs.items()}
        finally:
            for paused in runs.values():
                if paused.proc.poll() is None:
                    paused.proc.kill()
        yield server, root, expected, killed


@pytest.mark.parametrize("point", POINTS)
def test_a_collection_killed_at_any_point_is_completed_by_the_rerun(world, point):
    server, root, (posts, accounts), killed = world
    assert killed[point].returncode == -signal.SIGKILL, killed[point].stderr
    store = Store(root / point.replace(":", "-"), "demo")
    report = collect(store, server)
    assert report.error is None, report.error
    assert sorted(r["id"] for r in raw_records(store.workspace, "demo")) == GOOD_IDS  # each status once
    assert comparable(store.posts()).equals(posts)
    assert comparable(store.accounts()).equals(accounts)
    [rejected] = list(store.raw_dir.glob("mastodon/*.rejected.jsonl"))
    assert '"reason": "not a Mastodon status (no id and account)"' in rejected.read_text()
    assert leftovers(store.workspace) == []
    [checkpoint] = list(store.raw_dir.glob("mastodon/*.checkpoint.json"))
    assert '"state": "done"' in checkpoint.read_text()
