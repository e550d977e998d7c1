"""The plan: what to do in the next four weeks, when, and how the next brief will check it.

Everything here follows from recorded results by stated rules, so a reader can check each line:

- **actions** — one per finding that calls for one (a posting slot, a format, a mechanic, answering
  the audience, a competitor's bad stretch, a language group, a hashtag set), plus the reply and
  moderation routine every brand needs; each names the finding that motivates it and its measure.
- **calendar** — the key posts of the next four weeks, from the Monday after the brief: the best
  slot of each platform carries the best-performing format every week, a giveaway every second
  week when giveaways earn more, the recommended hashtags on each.
- **targets** — for each measure: now, the best competitor, the target and the rule, and the
  date of the next check (four weeks on). Targets never go below the current value:
  posts a week rise to the competitors' median if below it; median engagement per own post +10%
  (or to the best competitor if that is closer, never less than +5%); share of audience posts
  answered to the best competitor's, at most +10 points; share of voice half-way to the leader;
  negative share of mentions down a fifth when above the market's median.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from research.analyses.metrics import why_empty
from research.brief.labels import format_value

__all__ = ["targets", "actions", "calendar", "previous_results", "progress", "next_monday", "RULES_NOTE"]

RULES_NOTE = " ".join(__doc__.split("\n\n", 1)[1].replace("**", "").split())
CHECK_AFTER = timedelta(weeks=4)


def next_monday(day: date) -> date:
    """The first Monday after ``day`` (the plan starts there).

    >>> next_monday(date(2026, 12, 6)), next_monday(date(2026, 12, 7))
    (datetime.date(2026, 12, 7), datetime.date(2026, 12, 14))
    """
    return day + timedelta(days=7 - day.weekday())


def _up(x: float, digits: int) -> float:
    """``x`` rounded up at ``digits`` decimals, so a target is never below the value it raises."""
    scale = 10**digits
    return math.ceil(round(x * scale, 9)) / scale


def _row(kpi: str, baseline, benchmark, target, rule: str, check: date, kind: str) -> dict:
    return {"kpi": kpi, "baseline": baseline, "benchmark": benchmark, "target": target, "rule": rule,
            "next_check": check.isoformat(), "kind": kind}  # fmt: skip


def targets(
    scorecard: pd.DataFrame, response: pd.DataFrame, sov: pd.DataFrame, client: str, *, day: date,
    mention_sentiment: pd.DataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """One row per measure: the client's value now, the best competitor, the target, the rule, the next check.

    Examples
    --------
    >>> card = pd.DataFrame({"brand": ["C", "X", "Y"], "posts_per_week": [10.0, 20.0, 30.0],
    ...                      "engagement_median": [50.0, 80.0, 52.0]})
    >>> resp = pd.DataFrame({"brand": ["C", "X"], "answered_share": [0.05, 0.30]})
    >>> sov = pd.DataFrame({"brand": ["C", "X"], "share_of_voice": [0.2, 0.6]})
    >>> targets(card, resp, sov, "C", day=date(2026, 12, 6))[["kpi", "target"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'kpi': 'Posts a week', 'target': 25.0}, {'kpi': 'Median engagement per post', 'target': 55.0},
     {'kpi': 'Share of audience posts answered', 'target': 0.15}, {'kpi': 'Share of voice', 'target': 0.4}]
    """
    check = next_monday(day) + CHECK_AFTER
    columns = ["kpi", "baseline", "benchmark", "target", "rule", "next_check", "kind"]
    if not has_own_posts(scorecard, client):
        return why_empty(pd.DataFrame(columns=columns), NO_OWN_POSTS.format(client=client))
    rows = []
    card = scorecard.set_index("brand") if "brand" in scorecard else pd.DataFrame()
    if client in card.index:
        mine = float(card.loc[client, "posts_per_week"] or 0)
        others = card.drop(index=client)["posts_per_week"].astype(float).dropna()
        bench = float(others.median()) if len(others) else None
        goal = _up(max(mine, bench or mine), 1)
        rows.append(
            _row(
                "Posts a week",
                mine,
                bench,
                goal,
                "the competitors' median if higher, else hold",
                check,
                "decimal",
            )
        )
        mine = card.loc[client, "engagement_median"]
        if pd.notna(mine) and float(mine) > 0:
            mine = float(mine)
            others = card.drop(index=client)["engagement_median"].astype(float).dropna()
            best = float(others.max()) if len(others) else None
            goal = mine * 1.10
            if best is not None and mine * 1.05 <= best < goal:
                goal = best
            rows.append(_row("Median engagement per post", mine, best, _up(goal, 1),
                             "+10% (or the best competitor if closer)", check, "decimal"))  # fmt: skip
    resp = (
        response.set_index("brand")["answered_share"].astype(float)
        if "brand" in response
        else pd.Series(dtype=float)
    )
    if client in resp.index and pd.notna(resp[client]):
        others = resp.drop(index=client).dropna()
        mine = float(resp[client])
        best = float(others.max()) if len(others) else mine
        rows.append(_row("Share of audience posts answered", mine, best, _up(min(max(mine, best), mine + 0.10), 4),
                         "the best competitor's, at most +10 points", check, "percent"))  # fmt: skip
    share = (
        sov.set_index("brand")["share_of_voice"].astype(float) if "brand" in sov else pd.Series(dtype=float)
    )
    if client in share.index and pd.notna(share[client]) and len(share.dropna()) > 1:
        mine, leader = float(share[client]), float(share.max())
        rows.append(_row("Share of voice", mine, leader, _up(mine + (leader - mine) / 2, 4),
                         "half-way to the leader (hold when leading)", check, "percent"))  # fmt: skip
    if mention_sentiment is not None and "brand" in mention_sentiment and len(mention_sentiment):
        neg = mention_sentiment.drop_duplicates("brand").set_index("brand")["negative_share"].astype(float)
        if client in neg.index and pd.notna(neg[client]):
            mine, median = float(neg[client]), float(neg.dropna().median())
            if mine > median:
                rows.append(_row("Negative share of mentions", mine, float(neg.min()), math.floor(mine * 0.8 * 1e4) / 1e4,
                                 "down a fifth (above the market's median)", check, "percent"))  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def actions(found: list[dict], tables: dict[str, pd.DataFrame], client: str, *, day: date) -> pd.DataFrame:
    """What to do next period, each with the finding behind it, when, and the measure it moves."""
    start = next_monday(day)
    rows = []
    for f in found:
        rule, headline = f.get("rule"), f.get("headline", "")
        if rule == "best slot":
            rows.append((f"Publish your key post of the week there: {headline[:-1]}", headline,
                         f"weekly from {_d(start)}", "Median engagement per post"))  # fmt: skip
        elif rule == "format":
            rows.append(("Make at least one key post a week in the best format, and more of your regular posts.",
                         headline, f"from {_d(start)}", "Median engagement per post"))  # fmt: skip
        elif rule == "mechanic":
            days = ", ".join(_d(d) for d in _giveaway_days(tables, start, 4))
            rows.append(("Run a giveaway every second week (see the calendar); keep the rules short and local.",
                         headline, days or f"from {_d(start)}", "Median engagement per post"))  # fmt: skip
        elif rule == "response gap":
            rows.append(("Answer audience questions and complaints the same day: check replies and @mentions at "
                         "10:00 and 17:00 and reply within 2 hours.", headline, "daily", "Share of audience posts answered"))  # fmt: skip
        elif rule == "negative stretch" and f.get("kind") == "opportunity":
            rows.append(("Post about what customers complain of at the competitor (service, quality) and answer "
                         "people comparing you.", headline, f"in the weeks of {_d(start)} and {_d(start + timedelta(weeks=1))}",
                         "Share of voice"))  # fmt: skip
        elif rule == "negative stretch":
            rows.append(("Reply to each complaint within a day, publicly, with what you fix; post the fix.",
                         headline, "now, daily", "Negative share of mentions"))  # fmt: skip
        elif rule == "language":
            rows.append(("Post in that language once a week (and answer in it).", headline,
                         f"weekly from {_d(start)}", "Share of voice"))  # fmt: skip
        elif rule == "hashtags":
            rows.append(("Use the recommended hashtags on key posts (two or three per post, not all).", headline,
                         f"from {_d(start)}", "Share of voice"))  # fmt: skip
        elif rule == "coordinated push":
            rows.append(("Do not copy the hashtags a coordinated group pushes; report spam; count only real customers.",
                         headline, "now", "Negative share of mentions"))  # fmt: skip
    rows.append(("Moderate daily: hide spam and abuse, never argue, move personal complaints to direct messages.",
                 "Every brand needs a routine; it is what the audience sees.", "daily", "Share of audience posts answered"))  # fmt: skip
    return pd.DataFrame(rows, columns=["action", "why", "when", "kpi"]).drop_duplicates(
        "action", ignore_index=True
    )


def calendar(tables: dict[str, pd.DataFrame], client: str, *, day: date, weeks: int = 4) -> pd.DataFrame:
    """The key posts of the next ``weeks`` weeks (the rest of the cadence follows the targets)."""
    start = next_monday(day)
    columns = ["day", "time", "platform", "what", "hashtags"]
    if not has_own_posts(tables.get("scorecard"), client):
        return why_empty(pd.DataFrame(columns=columns), NO_OWN_POSTS.format(client=client))
    tags = tables.get("recommended_hashtags")
    best_format = _best(tables.get("format_uplift")) or "photo"
    hashtags = " ".join(f"#{t}" for t in (tags["hashtag"].head(3) if tags is not None and len(tags) else []))
    chosen = _key_slots(tables)
    rows = []
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        for slot in chosen:
            when = monday + timedelta(days=_DAYS.index(str(slot["weekday"])))
            rows.append({"day": when.isoformat(), "time": f"{int(slot['hour']):02d}:00", "platform": str(slot["platform"]),
                         "what": f"Key post: {best_format}", "hashtags": hashtags})  # fmt: skip
    for when in _giveaway_days(tables, start, weeks):
        slot = chosen[0]
        rows.append({"day": when.isoformat(), "time": f"{int(slot['hour']):02d}:00", "platform": str(slot["platform"]),
                     "what": "Giveaway, three days after the key post (each gets its own attention)",
                     "hashtags": hashtags})  # fmt: skip
    return pd.DataFrame(rows, columns=columns).sort_values(["day", "time"], ignore_index=True)


_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NO_OWN_POSTS = (
    "{client} has no own posts in the period, so there is no baseline to set targets or a calendar from: "
    "collect or import its own accounts' posts first."
)


def has_own_posts(scorecard: pd.DataFrame | None, client: str) -> bool:
    """Whether the scorecard shows posts of the client's own (a plan needs a baseline); without a
    scorecard, nothing says otherwise."""
    if scorecard is None or "brand" not in scorecard:
        return True
    if "posts" not in scorecard:
        return client in set(scorecard["brand"])
    mine = scorecard.loc[scorecard["brand"] == client, "posts"]
    return bool(len(mine)) and float(pd.to_numeric(mine, errors="coerce").fillna(0).iloc[0]) > 0


def _key_slots(tables: dict[str, pd.DataFrame]) -> list[pd.Series]:
    """The best recommended slot per platform; the client's usual midday when none earns measurably more."""
    slots = tables.get("recommended_slots")
    chosen = []
    if slots is not None and len(slots):
        rec = slots.loc[slots["recommended"].fillna(False).astype(bool)].sort_values(["platform", "rank"])
        chosen = [r for _, r in rec.groupby("platform").head(1).iterrows()]
    return chosen or [pd.Series({"platform": "every platform", "weekday": "Tuesday", "hour": 12})]


def _giveaway_days(tables: dict[str, pd.DataFrame], start: date, weeks: int) -> list[date]:
    """Every second week, three days after the first key slot, when giveaways earn measurably more."""
    if _best(tables.get("mechanics_uplift")) != "giveaway":
        return []
    first = _DAYS.index(str(_key_slots(tables)[0]["weekday"]))
    return [start + timedelta(weeks=w, days=(first + 3) % 7) for w in range(0, weeks, 2)]


def _best(table: pd.DataFrame | None) -> str | None:
    if table is None or table.empty:
        return None
    sig = table.loc[table["significant"].fillna(False).astype(bool) & (table["uplift"].astype(float) > 1)]
    return None if sig.empty else str(sig.sort_values("uplift", ascending=False)["feature"].iloc[0])


def _d(day: date) -> str:
    return format_value(day, "date")


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
    """Last brief's targets against today's values: met or not, per measure."""
    old = previous.get("tables", {}).get("plan_targets", {}).get("data", [])
    now = current_targets.set_index("kpi")["baseline"] if len(current_targets) else pd.Series(dtype=float)
    rows = []
    for row in old:
        kpi, target = row.get("kpi", row.get("metric")), row.get("target")
        actual = now.get(kpi)
        lower_is_better = kpi in ("Negative share of mentions",)
        met = (
            None
            if actual is None or target is None or pd.isna(actual)
            else bool(actual <= target if lower_is_better else actual >= target)
        )
        rows.append({"kpi": kpi, "then": row.get("baseline", row.get("current")), "target": target, "now": actual, "met": met,
                     "kind": row.get("kind", "number")})  # fmt: skip
    return pd.DataFrame(rows, columns=["kpi", "then", "target", "now", "met", "kind"])
