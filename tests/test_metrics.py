"""Shared definitions (research.analyses.metrics) and significance (research.analyses.stats)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from research.analyses.metrics import (
    Period,
    annotate,
    engagement,
    engagement_rate,
    followers_of,
    own_post_mask,
    previous_period,
    relative_engagement,
    split_periods,
)
from research.analyses.stats import (
    adjust_pvalues,
    bootstrap_interval,
    mann_whitney,
    proportion_test,
    rate_test,
    uplift,
)
from research.brands import Brand
from research.schema import accounts_frame, posts_frame

BRANDS = [Brand("Chai & Co", "client", (("twitter", "chaiandco"),))]


def test_engagement_sums_present_counts_and_keeps_null():
    posts = posts_frame([
        {"platform": "twitter", "post_id": "1", "likes": 3, "reposts": 1, "replies": 0, "quotes": 2, "saves": 4},
        {"platform": "twitter", "post_id": "2", "likes": 5},  # the rest not provided: not zero, just absent
        {"platform": "twitter", "post_id": "3", "likes": 0},
        {"platform": "twitter", "post_id": "4", "views": 100},  # views are not engagement
    ])  # fmt: skip
    assert engagement(posts).tolist() == [10, 5, 0, pd.NA]
    assert str(engagement(posts).dtype) == "Int64"


def test_engagement_rate_null_where_denominator_missing():
    rate = engagement_rate(
        pd.Series([10, 10, 10, pd.NA], dtype="Int64"), pd.Series([200, 0, pd.NA, 5], dtype="Int64")
    )
    assert rate.tolist() == [0.05, pd.NA, pd.NA, pd.NA]


def test_followers_matched_by_id_then_handle():
    posts = posts_frame([
        {"platform": "twitter", "post_id": "1", "author_id": "42", "author_handle": "renamed"},
        {"platform": "twitter", "post_id": "2", "author_id": None, "author_handle": "ChaiAndCo"},
        {"platform": "bluesky", "post_id": "3", "author_id": "42", "author_handle": "x"},
    ])  # fmt: skip
    accounts = accounts_frame(
        [{"platform": "twitter", "account_id": "42", "handle": "chaiandco", "followers": 900}]
    )
    assert followers_of(posts, accounts).tolist() == [900, 900, pd.NA]


def test_periods_equal_length_in_local_time():
    assert previous_period(date(2026, 8, 1), date(2026, 10, 31)) == (date(2026, 5, 1), date(2026, 7, 31))
    posts = posts_frame([
        {"platform": "twitter", "post_id": "a", "created_at": "2026-08-31T18:29:00Z"},  # 23:59 IST, 31 Aug: previous
        {"platform": "twitter", "post_id": "b", "created_at": "2026-08-31T18:31:00Z"},  # 00:01 IST, 1 Sep: current
        {"platform": "twitter", "post_id": "c", "created_at": "2026-08-02T00:00:00Z"},  # previous
        {"platform": "twitter", "post_id": "d", "created_at": "2026-08-01T00:00:00Z"},  # before both
    ])  # fmt: skip
    before = posts.copy(deep=True)
    current, previous = split_periods(posts, Period(date(2026, 9, 1), date(2026, 9, 30), "Asia/Kolkata"))
    assert current["post_id"].tolist() == ["b"] and previous["post_id"].tolist() == ["a", "c"]
    pd.testing.assert_frame_equal(posts, before)


def test_own_posts_exclude_reposts_and_replies_to_others():
    posts = posts_frame([
        {"platform": "twitter", "post_id": "1", "author_id": "c", "author_handle": "chaiandco"},
        {"platform": "twitter", "post_id": "2", "author_id": "c", "author_handle": "chaiandco", "repost_of_post_id": "9"},
        {"platform": "twitter", "post_id": "3", "author_id": "c", "author_handle": "chaiandco",
         "reply_to_post_id": "8", "reply_to_author_id": "fan"},
        {"platform": "twitter", "post_id": "4", "author_id": "c", "author_handle": "chaiandco",
         "reply_to_post_id": "1", "reply_to_author_id": "c"},  # a self-thread continues the post
        {"platform": "twitter", "post_id": "5", "author_id": "f", "author_handle": "fan"},
    ])  # fmt: skip
    ann = annotate(posts, None, BRANDS, "UTC")
    assert own_post_mask(posts, ann["brand"]).tolist() == [True, False, False, True, False]
    assert {"brand", "engagement", "er_followers", "er_views", "weekday_name", "hour"} <= set(ann.columns)
    assert "brand" not in posts.columns


def test_relative_engagement_within_group():
    rel = relative_engagement(pd.Series([9, 19, 29, pd.NA], dtype="Int64"), pd.Series(["a", "a", "a", "a"]))
    assert rel.tolist()[:3] == [0.5, 1.0, 1.5] and np.isnan(rel.iloc[3])


# --- stats ---------------------------------------------------------------------------------------


def test_mann_whitney_robust_to_one_outlier():
    rng = np.random.default_rng(1)
    a = rng.lognormal(3, 1, 40)
    b = np.append(rng.lognormal(3, 1, 39), 1e7)  # one viral post
    assert mann_whitney(a, b)["p_value"] > 0.05
    assert np.isnan(mann_whitney([1], [2, 3])["p_value"])  # too small to test
    assert mann_whitney([5, 5, 5], [5, 5])["p_value"] == 1.0


def test_false_positive_rate_under_null_is_controlled():
    rng = np.random.default_rng(2)
    p = [
        mann_whitney(rng.negative_binomial(1, 0.02, 60), rng.negative_binomial(1, 0.02, 60))["p_value"]
        for _ in range(400)
    ]
    assert np.mean(np.array(p) < 0.05) < 0.08
    assert (adjust_pvalues(p) < 0.05).sum() == 0  # after BH, no claim at all on pure noise


def test_rate_and_proportion_tests():
    assert rate_test(30, 30) == 1.0 and rate_test(60, 30) < 0.01 and rate_test(0, 0) == 1.0
    assert proportion_test(5, 10, 5, 10) == 1.0 and proportion_test(45, 50, 10, 50) < 1e-6
    assert np.isnan(proportion_test(1, 0, 1, 2))


def test_bootstrap_is_reproducible_and_covers():
    x = np.random.default_rng(3).lognormal(2, 1, 200)
    assert bootstrap_interval(x, seed=5) == bootstrap_interval(x, seed=5)
    lo, hi = bootstrap_interval(x)
    assert lo < np.median(x) < hi
    assert all(np.isnan(bootstrap_interval([])))


def test_uplift_min_support_and_adjustment():
    rng = np.random.default_rng(4)
    values = pd.Series(rng.lognormal(0, 0.3, 300))
    flags = pd.DataFrame(
        {"big": np.arange(300) < 60, "rare": np.arange(300) < 3, "noise": rng.random(300) < 0.5}
    )
    values[flags["big"]] *= 2
    table = uplift(values, flags).set_index("feature")
    assert table.loc["big", "significant"] and table.loc["big", "uplift"] == pytest.approx(2, rel=0.2)
    assert not table.loc["rare", "eligible"] and np.isnan(table.loc["rare", "p_value"])
    assert not table.loc["noise", "significant"]


def test_followers_of_without_any_account_profile_is_null():
    from research.analyses.metrics import followers_of
    from research.schema import empty_accounts, posts_frame

    posts = posts_frame([{"platform": "twitter", "post_id": "1", "author_id": "7", "author_handle": "a"}])
    assert followers_of(posts, empty_accounts()).isna().all()


def test_an_annotated_frame_is_used_as_it_is_and_only_for_what_it_was_made_for():
    posts = posts_frame([{"platform": "twitter", "post_id": "1", "author_handle": "chaiandco", "likes": 2,
                          "created_at": datetime(2026, 9, 1, 22, tzinfo=UTC)}])  # fmt: skip
    ann = annotate(posts, None, BRANDS, "UTC")
    assert "brand" not in posts  # the input is not changed
    assert annotate(ann, None, BRANDS, "UTC") is ann  # the run annotates once; analyses reuse it
    again = annotate(ann, None, BRANDS, "Asia/Kolkata")  # another timezone: annotated afresh
    assert again is not ann and again["hour"].tolist() != ann["hour"].tolist()
    other = [Brand("Tea Hub", "client", (("twitter", "teahub"),))]
    assert annotate(ann, None, other, "UTC")["brand"].isna().all()  # other brands: afresh
    pd.testing.assert_frame_equal(ann, annotate(posts.copy(), None, BRANDS, "UTC"))
