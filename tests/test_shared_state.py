"""The brief's shared coordination state: computed by the first notebook, read back identical by the others."""

from __future__ import annotations

import pandas as pd

from research.run import shared
from research.run.notebook import open_run


def _edges(G):
    return sorted((a, b, tuple(sorted(d.items()))) for a, b, d in G.edges(data=True))


def test_second_notebook_reads_what_the_first_computed(demo_workspace, tmp_path):
    params = demo_workspace.params
    first = open_run(params.path, demo_workspace.path, tmp_path, "2026-11-01")
    G, groups, flags = first.coaction, first.groups, first.flags
    assert len(G) > 0 and flags["flagged"].astype(bool).sum() > 0  # the demo's planted ring is there
    (kept,) = list((tmp_path / shared.FOLDER).iterdir())

    second = open_run(params.path, demo_workspace.path, tmp_path, "2026-11-01")
    before = kept.stat().st_mtime_ns
    pd.testing.assert_frame_equal(second.flags, flags)
    pd.testing.assert_frame_equal(second.groups, groups)
    pd.testing.assert_frame_equal(second.coaction.graph["coactions"], G.graph["coactions"])
    assert _edges(second.coaction) == _edges(G)
    assert {k: v for k, v in second.coaction.graph.items() if k != "coactions"} == {
        k: v for k, v in G.graph.items() if k != "coactions"
    }
    assert kept.stat().st_mtime_ns == before  # read, not recomputed


def test_another_date_or_new_data_is_never_read_from_an_old_key(demo_workspace, tmp_path):
    params = demo_workspace.params
    assert len(open_run(params.path, demo_workspace.path, tmp_path, "2026-11-01").flags)
    (old,) = list((tmp_path / shared.FOLDER).iterdir())
    assert len(open_run(params.path, demo_workspace.path, tmp_path, "2026-11-02").flags)
    (new,) = list((tmp_path / shared.FOLDER).iterdir())
    assert new.name != old.name  # another key, and the old folder is gone
    assert shared.key(b"a", b"manifest 1") != shared.key(b"a", b"manifest 2")
    assert shared.load(tmp_path, "no-such-key") is None
