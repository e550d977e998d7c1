"""A brief on a YouTube channel and its commenters, collected from a loopback Data API server.

`research brief` runs as a user would run it (a subprocess, papermill and all), with params that
name the channel as the brand by its ``@handle`` and collect it (``{collect: youtube}``); the
collector finds the server through ``RESEARCH_YOUTUBE_BASE_URL`` and the key in
``YOUTUBE_API_KEY``. The brief must count the channel's videos in the scorecard and put its
commenters in the audience graph, and the key must be nowhere in data/ or reports/.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.recorded_server import RecordedServer
from tests.test_collect_youtube import API, KEY, routes

ROOT = Path(__file__).resolve().parents[1]
COMMENTERS = ["ravicooks", "meera.eats", "arjunk", "priyabakes", "kiran"]


def test_brief_on_a_youtube_channel_and_its_commenters(tmp_path):
    params = {
        "client": "chai",
        "title": "Chai & Co on YouTube",
        "timezone": "Asia/Kolkata",
        "period": {"start": "2026-09-01", "end": "2026-09-30"},
        "brand": {"name": "Chai & Co", "accounts": [{"platform": "youtube", "handle": "@ChaiAndCo"}]},
        "hashtags": ["chai"],
        "languages": ["en"],
        "sources": [{"collect": "youtube", "quota": 100}],
    }
    path = tmp_path / "chai.yaml"
    path.write_text(json.dumps(params), encoding="utf-8")  # JSON is YAML
    with RecordedServer(routes()) as server:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "YOUTUBE_API_KEY": KEY,
            "RESEARCH_YOUTUBE_BASE_URL": server.url + API,
        }
        result = subprocess.run(
            [sys.executable, "-m", "research", "brief", str(path), "--workspace", str(tmp_path), "--date", "2026-10-01"],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        calls = len(server.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    assert calls == 12
    report = tmp_path / "reports" / "chai" / "2026-10-01"
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    [row] = results["tables"]["scorecard"]["data"]
    assert row["brand"] == "Chai & Co"
    assert row["posts"] == 4  # the channel's videos of September (chaiVideo01 is in August)
    gexf = (report / "graph.gexf").read_text(encoding="utf-8")
    assert 'label="chaiandco"' in gexf
    for handle in COMMENTERS:
        assert f'label="{handle}"' in gexf, handle
    html = (report / "brief.html").read_text(encoding="utf-8")
    assert "Chai &amp; Co" in html and "youtube" in html
    for folder in (tmp_path / "data", tmp_path / "reports"):
        for file in folder.rglob("*"):
            assert file.is_dir() or KEY.encode() not in file.read_bytes(), file


def test_a_brand_given_by_channel_id_matches_like_its_handle(tmp_path, monkeypatch):
    from research.brands import brand_of_author
    from research.run.notebook import open_run
    from research.sources.collect import Query
    from research.sources.http import Pacer, Policy
    from research.sources.youtube_api import YouTubeCollector
    from research.store import Store

    monkeypatch.setenv("YOUTUBE_API_KEY", KEY)
    with RecordedServer(
        routes(**{"channels?id=UCchaiAndCo_Pune12345678": routes()[API + "channels?forHandle=@chaiandco"]})
    ) as server:
        c = YouTubeCollector(
            base_url=server.url + API, policy=Policy(min_interval=0, retries=0), pacer=Pacer()
        )
        [target] = c.make_targets(["UCchaiAndCo_Pune12345678"], [], None)
        assert target.value == "UCchaiAndCo_Pune12345678"  # ids keep their case
        assert c.collect_target(Store(tmp_path, "chai"), target, Query()).error is None
        assert server.hits[0].params["id"] == "UCchaiAndCo_Pune12345678"
    params = {
        "client": "chai",
        "period": {"start": "2026-09-01", "end": "2026-09-30"},
        "brand": {
            "name": "Chai & Co",
            "accounts": [{"platform": "youtube", "handle": "UCchaiAndCo_Pune12345678"}],
        },
    }
    path = tmp_path / "chai.yaml"
    path.write_text(json.dumps(params), encoding="utf-8")
    run = open_run(path, tmp_path, report_dir=tmp_path / "out")
    assert run.brands[0].accounts == (("youtube", "chaiandco"),)
    by_brand = brand_of_author(run.posts, run.brands)
    assert (by_brand == "Chai & Co").sum() == 5 + 2  # the 5 videos and the channel's 2 replies
