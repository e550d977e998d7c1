"""Findings and plan rules on tables built so the right answer is known."""

import json
from datetime import date

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
        "p_adjusted": [1e-9, 0.01, 0.5],
        "recommended": [True, True, False],  # a lucky 3-post slot is not recommended
        "rank": [1, 2, None],
    }
)
CHANGE_COLUMNS = [
    "brand",
    "metric",
    "current",
    "previous",
    "change",
    "change_pct",
    "test",
    "p_adjusted",
    "significant",
]


def uplift_table(rows):
    cols = ["feature", "n_with", "n_without", "uplift", "ci_low", "ci_high", "p_adjusted", "significant"]
    return pd.DataFrame(rows, columns=cols).assign(reference="photo")


def test_best_slot_only_from_recommended_slots():
    found = findings.best_slots(SLOTS)
    assert [f.headline for f in found] == ["Post on Twitter on Thursdays at 19:00."]
    assert "52 brand posts" in found[0].text and "2.13×" in found[0].text and found[0].section == "timing"


def test_strongest_format_needs_significance_and_uplift_above_one():
    table = uplift_table(
        [
            ("text", 600, 700, 0.8, 0.76, 0.85, 1e-16, True),  # significant but a loss
            ("poll", 5, 1300, 3.0, 0.5, 9.0, 0.4, False),  # big but not significant
            ("video", 269, 1115, 1.78, 1.69, 1.89, 1e-70, True),
        ]
    )
    usage = pd.DataFrame({"brand": ["Me", "X", "Y"], "media_type": "video", "share": [0.05, 0.2, 0.3]})
    (found,) = findings.strongest(table, "format", "posts", usage=usage, client="Me")
    assert found.headline == "Video posts earn 1.78× the engagement of photo posts."
    assert found.evidence == "Mann-Whitney U, adjusted p < 0.001"
    assert "Me gives it 5.0% of its posts; competitors 25.0% on average." in found.text
    assert findings.strongest(table.iloc[:2], "format", "posts") == []


def test_negative_stretch_ends_where_the_complaints_end():
    days = pd.date_range("2026-08-03", periods=60, freq="D")
    hot = [(d.date() >= date(2026, 8, 31)) and (d.date() <= date(2026, 9, 16)) for d in days]
    daily = pd.concat(
        [
            pd.DataFrame(
                {"brand": "Hot", "when": days, "scored": 8, "negative": [6 if h else 0 for h in hot]}
            ),
            pd.DataFrame({"brand": "Calm", "when": days, "scored": 8, "negative": 1}),
        ]
    )
    table = findings.negative_stretches(daily)
    assert table[["brand", "start", "end", "days"]].to_dict("records") == [
        {"brand": "Hot", "start": "2026-08-31", "end": "2026-09-16", "days": 17}
    ]
    assert table.loc[0, "negative_share"] == 0.75 and table.loc[0, "usual_negative_share"] == 0.0
    # a spike on too few mentions is not a stretch
    assert findings.negative_stretches(
        daily.assign(scored=1, negative=lambda d: d["negative"].clip(upper=1))
    ).empty


def test_the_summary_leads_with_the_clients_own_changes_then_opportunities_and_risks():
    change = pd.DataFrame(
        [
            ("Me", "share_of_voice", 0.253, 0.297, -0.044, -14.8, "Fisher exact", 0.001, True),
            ("Me", "posts", 413, 403, 10, 2.5, "exact Poisson rate", 0.97, False),
            ("Them", "engagement_median", 87.0, 62.0, 25.0, 40.3, "Mann-Whitney U", 1e-6, True),
            ("Other", "share_of_voice", 0.2, 0.25, -0.05, -20.0, "Fisher exact", 0.01, True),
        ],
        columns=CHANGE_COLUMNS,
    )
    tables = {
        "period_change": change,
        "recommended_slots": SLOTS,
        "format_uplift": uplift_table([("video", 269, 1115, 1.78, 1.69, 1.89, 1e-70, True)]),
        "response": pd.DataFrame(
            {
                "brand": ["Me", "Them"],
                "audience_posts": [1036, 1707],
                "answered": [62, 202],
                "answered_share": [0.06, 0.118],
                "median_response_hours": [3.4, 1.2],
            }
        ),  # fmt: skip
        "share_of_voice": pd.DataFrame(
            {"brand": ["Me", "Them"], "share_of_voice": [0.253, 0.345], "stream_posts": [8887, 8887]}
        ),
    }
    found = findings.findings(tables, "Me")
    json.dumps(found)
    kinds = [f["kind"] for f in found]
    assert kinds == sorted(kinds, key=["you", "opportunity", "risk"].index)  # the client first
    (you,) = [f for f in found if f["kind"] == "you"]  # only its significant change
    assert you["headline"] == "Your share of voice fell from 29.7% to 25.3% on the previous period."
    assert you["evidence"] == "Fisher exact, adjusted p = 0.001"
    rules = [f["rule"] for f in found if f["kind"] == "opportunity"]
    assert rules == ["best slot", "format", "response gap"]
    gap = next(f for f in found if f["rule"] == "response gap")
    assert "62 of the 1,036 audience posts" in gap["text"]
    risks = [f["headline"] for f in found if f["kind"] == "risk"]
    assert risks == [
        "Them's median engagement per post rose from 62.0 to 87.0.",
        "Them leads the conversation: 34.5% share of voice, you 25.3%.",
    ]  # a competitor's fall is not a risk to the client


def test_position_ranks_the_client_on_each_measure():
    tables = {
        "scorecard": pd.DataFrame(
            {
                "brand": ["Me", "A", "B"],
                "posts_per_week": [32.1, 34.8, 16.8],
                "engagement_median": [61.0, 87.0, 52.0],
            }
        ),  # fmt: skip
        "mention_sentiment": pd.DataFrame({"brand": ["A", "Me", "B"], "negative_share": [0.05, 0.07, 0.19]}),
    }
    table = findings.position(tables, "Me").set_index("measure")
    assert list(table.columns) == ["Me", "A", "B", "rank"]
    assert table.loc["Posts a week", "rank"] == "2 of 3" and table.loc["Posts a week", "Me"] == "32.1"
    assert table.loc["Negative share of mentions", "rank"] == "2 of 3"  # lower is better
    assert table.loc["Negative share of mentions", "B"] == "19.0%"


def test_plan_targets_never_fall_below_the_value_they_raise(tmp_path):
    card = pd.DataFrame(
        {
            "brand": ["Me", "X", "Y"],
            "posts_per_week": [32.12, 20.0, 10.0],
            "engagement_median": [62.0, 86.0, 53.0],
        }
    )
    resp = pd.DataFrame({"brand": ["Me", "X", "Y"], "answered_share": [0.06, 0.13, 0.02]})
    sov = pd.DataFrame({"brand": ["Me", "X", "Y"], "share_of_voice": [0.26, 0.34, 0.40]})
    day = date(2026, 12, 6)
    goals = plan.targets(card, resp, sov, "Me", day=day).set_index("kpi")
    assert goals.loc["Posts a week", "target"] == 32.2  # held, rounded up: never 32.1 < 32.12
    assert (
        goals.loc["Median engagement per post", "target"] == 68.2
    )  # +10%, the best competitor (86) is further
    assert goals.loc["Share of audience posts answered", "target"] == 0.13
    assert goals.loc["Share of voice", "target"] == 0.33
    assert set(goals["next_check"]) == {"2027-01-04"}  # four weeks from the Monday after the brief
    assert (goals["target"] >= goals["baseline"]).all()
    old = tmp_path / "2026-08-01"
    old.mkdir()
    previous = {"tables": {"plan_targets": {"data": [
        {"kpi": "Posts a week", "baseline": 25.0, "target": 28.0, "kind": "decimal"},
        {"kpi": "Share of audience posts answered", "baseline": 0.05, "target": 0.1, "kind": "percent"},
    ]}}}  # fmt: skip
    (old / "results.json").write_text(json.dumps(previous))
    when, loaded = plan.previous_results(tmp_path, before=date(2026, 11, 26))
    assert when == "2026-08-01"
    progress = plan.progress(loaded, goals.reset_index()).set_index("kpi")
    assert progress.loc["Posts a week", "met"] == True  # noqa: E712  32.12 >= 28
    assert progress.loc["Share of audience posts answered", "met"] == False  # noqa: E712  0.06 < 0.10
    assert plan.previous_results(tmp_path, before=date(2026, 8, 1)) is None


def test_actions_and_calendar_follow_the_findings():
    tables = {
        "recommended_slots": SLOTS,
        "format_uplift": uplift_table([("video", 269, 1115, 1.78, 1.69, 1.89, 1e-70, True)]),
        "mechanics_uplift": uplift_table([("giveaway", 18, 1300, 4.0, 3.3, 4.7, 1e-12, True)]),
        "recommended_hashtags": pd.DataFrame({"hashtag": ["chai", "pune", "tea", "x"]}),
    }
    found = findings.findings(tables, "Me")
    actions = plan.actions(found, tables, "Me", day=date(2026, 12, 6))
    assert actions["why"].iloc[0] == "Post on Twitter on Thursdays at 19:00."
    assert any("giveaway" in a for a in actions["action"]) and actions["action"].iloc[-1].startswith(
        "Moderate daily"
    )
    cal = plan.calendar(tables, "Me", day=date(2026, 12, 6))
    key = cal[cal["what"] == "Key post: video"]
    assert key["day"].tolist() == ["2026-12-10", "2026-12-17", "2026-12-24", "2026-12-31"]  # Thursdays
    assert (key["time"] == "19:00").all() and (cal["hashtags"] == "#chai #pune #tea").all()
    assert cal[cal["what"].str.startswith("Giveaway")]["day"].tolist() == ["2026-12-13", "2026-12-27"]
    giveaway = actions.loc[actions["action"].str.contains("giveaway"), "when"].iloc[0]
    assert giveaway == "13 Dec 2026, 27 Dec 2026"  # the same days as the calendar's


def test_no_plan_without_the_clients_own_posts():
    # The IRA market: the client's account never posts in the data, so nothing to plan from.
    card = pd.DataFrame({"brand": ["Me", "X"], "posts": [0, 0], "posts_per_week": [0.0, 0.0],
                         "engagement_median": [None, None]})  # fmt: skip
    tables = {"scorecard": card, "recommended_slots": SLOTS}
    goals = plan.targets(card, pd.DataFrame(), pd.DataFrame(), "Me", day=date(2026, 12, 6))
    cal = plan.calendar(tables, "Me", day=date(2026, 12, 6))
    for table in (goals, cal):
        assert table.empty and table.attrs["why_empty"].startswith("Me has no own posts in the period")


def test_rules_stay_quiet_on_thin_data():
    """A client with almost no data: every rule either finds nothing or states real numbers."""
    change = pd.DataFrame(
        [("Me", "posts", 3.0, 0.0, 3.0, None, "exact Poisson rate", 0.01, False)], columns=CHANGE_COLUMNS
    )
    response = pd.DataFrame(
        {"brand": ["Me", "X"], "audience_posts": [0, 4], "answered": [0, 2], "answered_share": [None, 0.5],
         "median_response_hours": [None, None]}
    )  # fmt: skip
    sov = pd.DataFrame({"brand": ["Me", "X"], "share_of_voice": [None, None]})
    found = findings.findings({"period_change": change, "response": response, "share_of_voice": sov}, "Me")
    assert found == []
    assert findings.position({}, "Me").empty
    assert plan.targets(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), "Me", day=date(2026, 12, 6)).empty
