"""The benchmark's market world: what it says it holds is what the importer and the graph find."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from benchmarks import world
from research.analyses.graph import interactions
from research.analyses.metrics import collected
from research.cli import DEMO_PARAMS
from research.params import load_params
from research.store import Store


def test_the_world_shape_is_what_the_importer_and_the_graph_find(tmp_path):
    params = load_params(DEMO_PARAMS)
    start, end = world.period_bounds(params)  # local midnights in Asia/Kolkata
    assert (start, end) == (
        datetime(2026, 7, 31, 18, 30, tzinfo=UTC),
        datetime(2026, 10, 29, 18, 30, tzinfo=UTC),
    )
    path = tmp_path / "world.jsonl"
    shape = world.generate(path, size=4000, seed=7, params=params)
    again = world.generate(tmp_path / "again.jsonl", size=4000, seed=7, params=params)
    assert path.read_bytes() == (tmp_path / "again.jsonl").read_bytes() and again == shape  # seeded

    store = Store(tmp_path / "ws", "bench")
    report = store.import_file(path, "snscrape-jsonl", observed_at=end)
    assert report.records == 4000 and not report.rejected
    posts = collected(store.posts())
    assert len(posts) == shape.posts == 4000
    inter = interactions(posts, store.accounts())
    pairs = inter[["source", "target"]].drop_duplicates()
    assert len(pairs) == shape.edges  # distinct directed interaction pairs, as the graph counts them
    in_period = posts["created_at"].between(pd.Timestamp(start), pd.Timestamp(end), inclusive="left")
    assert int(in_period.sum()) == shape.period_posts
    reposts = posts["repost_of_post_id"].notna().mean()
    assert (
        abs(reposts - shape.kinds["repost"]) <= 1e-4 and 0.5 < reposts < 0.8
    )  # most of a stream is retweets
    per_author = posts["author_id"].value_counts()
    assert abs((per_author == 1).mean() - shape.once) <= 1e-4 and shape.once > 0.3  # many one-time voices
