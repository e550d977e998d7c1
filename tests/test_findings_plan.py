"""Findings and plan rules on tables built so the right answer is known."""

import json

import pandas as pd

from research.brief import findings, plan

SLOTS = pd.DataFrame(
    {
        "platform": ["twitter", "twitter", "bluesky"],
        "weekday": ["Thursday", "Monday", "Saturday"],
        "hour": [19, 8, 10],
        "posts": [52, 40, 3],
        "median_relative_engagement": [2.13, 1.2, 9.0],
        "ci_low": [1.95, 1.05, 0.5],
        "ci_high": [2.41, 1.4, 20.0],
        "recommended": [True, True, False],  # a lucky 3-post slot is not recommended
        "rank": [1, 2, None],
    }
)


def uplift_table(rows):
    cols = ["feature", "n_with", "n_without", "uplift", "ci_low", "ci_high", "p_adjusted", "significant"]
    return pd.DataFrame(rows, columns=cols)


def test_best_slot_only_from_recommended_slots():
    found = findings.best_slots(SLOTS)
    assert [f.headline for f in found] == ["Post on twitter on Thursdays at 19:00."]
    assert "52 brand posts" in found[0].text and "2.13×" in found[0].text and found[0].section == "timing"


def test_strongest_format_needs_significance_and_uplift_above_one():
    table = uplift_table(
        [
            ("photo", 600, 700, 0.8, 0.76, 0.85, 1e-16, True),  # significant but a loss
            ("poll", 5, 1300, 3.0, 0.5, 9.0, 0.4, False),  # big but not significant
            ("video", 269, 1115, 1.78, 1.69, 1.89, 1e-70, True),
        ]
    )
    (found,) = findings.strongest(table, "format", "posts")
    assert found.headline == "Video posts earn 1.78× the usual engagement."
    assert "adjusted p < 0.001" in found.text
    assert findings.strongest(table.iloc[:2], "format", "posts") == []


def test_negative_stretch_is_found_and_a_calm_brand_has_none():
    weeks = pd.date_range("2026-08-03", periods=10, freq="7D")
    shares = [0.1, 0.08, 0.12, 0.1, 0.7, 0.8, 0.1, 0.09, 0.11, 0.1]
    weekly = pd.concat(
        [
            pd.DataFrame(
                {
                    "brand": "Hot",
                    "when": weeks,
                    "scored": 50,
                    "negative": [round(s * 50) for s in shares],
                    "negative_share": shares,
                }
            ),
            pd.DataFrame(
                {"brand": "Calm", "when": weeks, "scored": 50, "negative": 5, "negative_share": 0.1}
            ),
        ]
    )
    table = findings.negative_stretches(weekly)
    assert table[["brand", "start", "end", "weeks"]].to_dict("records") == [
        {"brand": "Hot", "start": "2026-08-31", "end": "2026-09-13", "weeks": 2}
    ]
    assert table.loc[0, "negative_share"] == 0.75 and table.loc[0, "usual_negative_share"] == 0.1
    # a spike on too few mentions is not a stretch
    thin = weekly.assign(scored=lambda d: d["scored"].where(d["brand"] != "Hot", 5))
    assert findings.negative_stretches(thin).empty


def test_findings_are_capped_ordered_and_json_ready():
    tables = {
        "recommended_slots": SLOTS,
        "format_uplift": uplift_table([("video", 269, 1115, 1.78, 1.69, 1.89, 1e-70, True)]),
        "audience_overlap": pd.DataFrame(
            {"brand_a": ["A", "B"], "brand_b": ["C", "C"], "shared": [40, 400], "jaccard": [0.02, 0.31]}
        ),
        "response": pd.DataFrame(
            {"brand": ["Me", "Them"], "answered_share": [0.06, 0.13], "median_response_hours": [3.8, 1.1]}
        ),
    }
    found = findings.findings(tables, "Me")
    assert [f["rule"] for f in found] == ["best slot", "format", "overlap", "response gap"]
    assert (
        "B and C compete for the same audience." == found[2]["headline"]
        and "400 accounts" in found[2]["text"]
    )
    json.dumps(found)
    assert (
        len(findings.findings({**tables, "recommended_slots": pd.concat([SLOTS] * 1)}, "Me"))
        <= findings.MAX_FINDINGS
    )


def test_plan_targets_follow_their_rules_and_progress_compares_to_last_brief(tmp_path):
    card = pd.DataFrame(
        {
            "brand": ["Me", "X", "Y"],
            "posts_per_week": [30.0, 20.0, 10.0],
            "engagement_median": [62.0, 86.0, 53.0],
        }
    )
    resp = pd.DataFrame({"brand": ["Me", "X", "Y"], "answered_share": [0.06, 0.13, 0.02]})
    sov = pd.DataFrame({"brand": ["Me", "X", "Y"], "share_of_voice": [0.26, 0.34, 0.40]})
    goals = plan.targets(card, resp, sov, "Me").set_index("metric")
    assert goals.loc["posts_per_week", "target"] == 30.0  # already above the competitors' median
    assert goals.loc["engagement_median", "target"] == 68.2  # +10%, the best competitor (86) is further
    assert goals.loc["answered_share", "target"] == 0.13
    assert goals.loc["share_of_voice", "target"] == 0.33
    old = tmp_path / "2026-08-01"
    old.mkdir()
    previous = {
        "tables": {
            "plan_targets": {
                "data": [
                    {"metric": "posts_per_week", "current": 25.0, "target": 28.0},
                    {"metric": "answered_share", "current": 0.05, "target": 0.1},
                ]
            }
        }
    }
    (old / "results.json").write_text(json.dumps(previous))
    day, loaded = plan.previous_results(tmp_path, before=pd.Timestamp("2026-11-26").date())
    assert day == "2026-08-01"
    progress = plan.progress(loaded, goals.reset_index()).set_index("metric")
    assert progress.loc["posts_per_week", "met"] == True  # noqa: E712  30 >= 28
    assert progress.loc["answered_share", "met"] == False  # noqa: E712  0.06 < 0.10
    assert plan.previous_results(tmp_path, before=pd.Timestamp("2026-08-01").date()) is None


def test_rules_stay_quiet_on_thin_data():
    """A client with almost no data: every rule either finds nothing or states real numbers."""
    change = pd.DataFrame(
        {
            "brand": ["Me"],
            "metric": ["posts"],
            "current": [3.0],
            "previous": [0.0],
            "change": [3.0],
            "change_pct": [None],
            "test": ["exact Poisson rate"],
            "p_value": [0.01],
            "p_adjusted": [0.01],
            "significant": [True],
        }
    )
    response = pd.DataFrame(
        {"brand": ["Me", "X"], "answered_share": [0.0, 0.5], "median_response_hours": [None, None]}
    )
    sov = pd.DataFrame({"brand": ["Me", "X"], "share_of_voice": [None, None]})
    found = findings.findings({"period_change": change, "response": response, "share_of_voice": sov}, "Me")
    assert [f["rule"] for f in found] == ["response gap"]
    assert found[0]["text"].endswith("cheapest lever for engagement.")
    assert "nan" not in json.dumps(found).lower()
