"""`research brief` on params that import real corpus files: a complete brief, and sections without data say so."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEAMS = {
    "Melbourne Vixens": "MelbourneVixens",
    "NSW Swifts": "NSWSwifts",
    "Queensland Firebirds": "FirebirdsQld",
    "Collingwood Magpies": "collingwoodsn",
    "Sunshine Coast Lightning": "sc_lightning",
    "GIANTS Netball": "GIANTS_Netball",
    "Adelaide Thunderbirds": "AdelaideTBirds",
    "West Coast Fever": "WestCoastFever",
}


def test_netball_brief_from_real_files(corpus, tmp_path):
    folder = corpus / "netball-teams-competitor"
    client, *rivals = TEAMS.items()
    brand = lambda name, handle: {"name": name, "accounts": [{"platform": "twitter", "handle": handle}]}  # noqa: E731
    params = {
        "client": "netball",
        "title": "Melbourne Vixens — off-season trade period",
        "timezone": "Australia/Melbourne",
        "period": {"start": "2021-09-07", "end": "2021-10-08"},
        "brand": brand(*client),
        "competitors": [brand(*r) for r in rivals],
        "hashtags": ["ssntrade", "ssnsignings"],
        "languages": ["en"],
        "sources": [
            {"import": "auto", "path": str(folder / "somethingAboutRiddlesAndFruit_teamTweets.csv"),
             "observed_at": "2021-10-25T00:00:00+00:00"},
            {"import": "auto", "path": str(folder / "somethingAboutRiddlesAndFruit.csv"),
             "observed_at": "2021-10-25T00:00:00+00:00"},
        ],
    }  # fmt: skip
    path = tmp_path / "netball.yaml"
    path.write_text(json.dumps(params), encoding="utf-8")  # JSON is YAML
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "research", "brief", str(path), "--workspace", str(tmp_path), "--date", "2021-10-26"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report = tmp_path / "reports" / "netball" / "2021-10-26"
    results = json.loads((report / "results.json").read_text())
    card = {row["brand"]: row["posts"] for row in results["tables"]["scorecard"]["data"]}
    # own posts per team in the period (README: 576 team tweets; replies to others are not own posts)
    assert set(card) == set(TEAMS) and sum(card.values()) <= 576 and min(card.values()) > 0
    html = (report / "brief.html").read_text(encoding="utf-8")
    assert "Melbourne Vixens" in html and "West Coast Fever" in html
    # the corpus has no Bluesky, no follower counts and no previous period: said, not failed
    assert "No data for this table in the period." in html or "This section has no data in this run." in html
    assert (report / "graph.gexf").exists() and len(results["values"]["findings"]) >= 1
