"""The plan: targets for the next period derived from the benchmarks, and progress against the last brief.

Targets follow stated rules, so a reader can check each one:

- **posts per week**: the client's current cadence, raised to the competitors' median if below it;
- **median engagement per own post**: +10% on the client's current value, or the best competitor's
  value if that is closer (never below +5%);
- **share of audience posts answered**: the best competitor's share, capped at +10 points on the client's;
- **share of voice**: half-way to the leader's share (or hold it when the client leads).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

__all__ = ["targets", "previous_results", "progress", "RULES_NOTE"]

RULES_NOTE = " ".join(__doc__.split("\n\n", 1)[1].replace("**", "").split())


def _row(
    metric: str, current: float | None, benchmark: float | None, target: float | None, rule: str
) -> dict:
    return {"metric": metric, "current": current, "benchmark": benchmark, "target": target, "rule": rule}


def targets(scorecard: pd.DataFrame, response: pd.DataFrame, sov: pd.DataFrame, client: str) -> pd.DataFrame:
    """One row per metric: client's current value, competitors' benchmark, target, and the rule used.

    Examples
    --------
    >>> card = pd.DataFrame({"brand": ["C", "X", "Y"], "posts_per_week": [10.0, 20.0, 30.0],
    ...                      "engagement_median": [50.0, 80.0, 52.0]})
    >>> resp = pd.DataFrame({"brand": ["C", "X"], "answered_share": [0.05, 0.30]})
    >>> sov = pd.DataFrame({"brand": ["C", "X"], "share_of_voice": [0.2, 0.6]})
    >>> targets(card, resp, sov, "C")[["metric", "target"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'metric': 'posts_per_week', 'target': 25.0}, {'metric': 'engagement_median', 'target': 55.0},
     {'metric': 'answered_share', 'target': 0.15}, {'metric': 'share_of_voice', 'target': 0.4}]
    """
    rows = []
    card = scorecard.set_index("brand")
    if client in card.index:
        mine = float(card.loc[client, "posts_per_week"] or 0)
        bench = float(card.drop(index=client)["posts_per_week"].astype(float).median())
        rows.append(
            _row("posts_per_week", mine, bench, round(max(mine, bench), 1), "competitors' median if higher")
        )
        mine = card.loc[client, "engagement_median"]
        if pd.notna(mine):
            mine = float(mine)
            others = card.drop(index=client)["engagement_median"].astype(float).dropna()
            best = float(others.max()) if len(others) else None
            goal = mine * 1.10
            if best is not None and mine * 1.05 <= best < goal:
                goal = best
            rows.append(
                _row(
                    "engagement_median", mine, best, round(goal, 1), "+10% (or the best competitor if closer)"
                )
            )
    resp = response.set_index("brand")["answered_share"].astype(float)
    if client in resp.index and pd.notna(resp[client]):
        others = resp.drop(index=client).dropna()
        mine = float(resp[client])
        best = float(others.max()) if len(others) else mine
        rows.append(
            _row(
                "answered_share",
                mine,
                best,
                round(min(max(mine, best), mine + 0.10), 4),
                "best competitor, at most +10 points",
            )
        )
    share = sov.set_index("brand")["share_of_voice"].astype(float)
    if client in share.index and pd.notna(share[client]):
        mine, leader = float(share[client]), float(share.max())
        rows.append(
            _row(
                "share_of_voice", mine, leader, round(mine + (leader - mine) / 2, 4), "half-way to the leader"
            )
        )
    return pd.DataFrame(rows, columns=["metric", "current", "benchmark", "target", "rule"])


def previous_results(reports_dir: Path, before: date) -> tuple[str, dict] | None:
    """The newest earlier brief's date and results.json in ``reports/<client>/``, if any."""
    candidates = []
    for folder in Path(reports_dir).glob("????-??-??"):
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            continue
        if day < before and (folder / "results.json").exists():
            candidates.append((day, folder))
    if not candidates:
        return None
    day, folder = max(candidates)
    return day.isoformat(), json.loads((folder / "results.json").read_text(encoding="utf-8"))


def progress(previous: dict, current_targets: pd.DataFrame) -> pd.DataFrame:
    """Last brief's targets against today's values: met or not, per metric."""
    old = previous.get("tables", {}).get("plan_targets", {}).get("data", [])
    now = current_targets.set_index("metric")["current"]
    rows = []
    for row in old:
        metric, target = row["metric"], row.get("target")
        actual = now.get(metric)
        lower_is_better = metric == "median_response_hours"
        met = (
            None
            if actual is None or target is None
            else (actual <= target if lower_is_better else actual >= target)
        )
        rows.append(
            {"metric": metric, "then": row.get("current"), "target": target, "now": actual, "met": met}
        )
    return pd.DataFrame(rows, columns=["metric", "then", "target", "now", "met"])
