"""Suspicious accounts: stated rules, a stated threshold, precision and recall on planted rings, the posts without them."""

from __future__ import annotations

import re
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from research.analyses import audience
from research.analyses.competitors import share_of_voice
from research.analyses.graph.build import author_keys
from research.analyses.nearduplicates import _NORMALISE, _SPACE
from research.analyses.suspicion import (
    FLAG_THRESHOLD,
    SUSPICION_RULES,
    calibration,
    flag_precision_recall,
    flagged_accounts,
    suspicion_rules,
    suspicious_accounts,
    without_accounts,
)
from research.analyses.text import mention_sentiment
from research.schema import accounts_frame, posts_frame
from tests.test_coordination import BRANDS, T0, fans, post, small_posts


def ring_world():
    """A ring of five new, mass-following accounts copy-pasting a promo in bursts, among ordinary fans."""
    rows = fans(n_accounts=20, n_posts=300)
    pid = 0
    for r in range(5):
        for burst in range(3):
            for i in range(3):
                pid += 1
                text = f"Best masala chai in Pune! Flat 50% OFF today only at @brewbros https://t.co/{pid}"
                rows.append(post(pid, f"ring{r}", 1440 * burst + 2 * i + r, text=text, mentions=["brewbros"]))
    # one trait each does not make a ring: a chatty fan (burst) and copies of a viral line by reposts only
    for i in range(4):
        pid += 1
        rows.append(post(pid, "chatty", i, text=f"quick thought number {i} about my tea"))
    for f in range(6):
        pid += 1
        rows.append(post(pid, f"fan{f}", 900, text="RT @brewbros: Flat 50% OFF, a very long viral promo text",
                         repost_of_author_id="id-brewbros"))  # fmt: skip
    for i in range(3):
        pid += 1
        rows.append(post(pid, "brewbros", i, text="Best masala chai in Pune! Flat 50% OFF today only at"))
    accounts = [
        {"platform": "twitter", "account_id": f"id-ring{r}", "handle": f"ring{r}", "followers": r * 3,
         "following": 2_500 + r, "created_at": T0 - pd.Timedelta(days=5 + r)}
        for r in range(5)
    ] + [
        {"platform": "twitter", "account_id": f"id-fan{f}", "handle": f"fan{f}", "followers": 100 + f,
         "following": 150, "created_at": T0 - pd.Timedelta(days=900)}
        for f in range(20)
    ]  # fmt: skip
    accounts[5]["created_at"] = T0 - pd.Timedelta(days=2)  # a genuinely new fan: one rule only
    return posts_frame(rows), accounts_frame(accounts)


def test_the_planted_ring_is_flagged_and_nobody_else():
    posts, accounts = ring_world()
    found = flagged_accounts(posts, BRANDS, accounts=accounts)
    flagged = found[found["flagged"]]
    assert set(flagged["handle"]) == {f"ring{r}" for r in range(5)}
    assert (flagged["score"] == 9).all() and flagged["rank"].tolist() == [1, 2, 3, 4, 5]
    assert (
        flagged["rules"].iloc[0]
        == "coordinated, copied_text, repeated_text, burst, new_account, follow_ratio"
    )
    evidence = flagged["evidence"].iloc[0]
    assert "one of 5 accounts in coordinated group 1" in evidence and "posted one text 9 times" in evidence
    assert (
        "posted a text 4 other accounts posted within 10 minutes" in evidence and "follows 2,50" in evidence
    )
    rest = found[~found["flagged"]]
    assert rest["score"].max() == 1 and set(rest["handle"]) == {"chatty", "fan0"}
    assert "brewbros" not in set(found["handle"])  # brands are never listed
    assert not found["copied_text"][found["handle"] == "fan0"].any()  # reposts are not copied texts
    assert found["group"].dropna().unique().tolist() == [1]


def test_rules_without_profiles_still_flag_the_ring():
    posts, _ = ring_world()
    found = flagged_accounts(posts, BRANDS)
    assert set(found.loc[found["flagged"], "handle"]) == {f"ring{r}" for r in range(5)}
    assert not found["new_account"].any() and not found["follow_ratio"].any()
    assert suspicious_accounts(posts, BRANDS).equals(found)  # the earlier name, the same table
    assert audience.suspicious_accounts is suspicious_accounts and audience.suspicion_rules is suspicion_rules


def test_rules_are_documented_with_the_threshold():
    rules = suspicion_rules(burst_posts=5)
    assert rules["rule"].tolist() == [*SUSPICION_RULES, "flagged"]
    assert rules["points"].tolist() == [3, 2, 1, 1, 1, 1, FLAG_THRESHOLD] and FLAG_THRESHOLD == 3
    by_rule = rules.set_index("rule")["definition"]
    assert by_rule["burst"] == "posted 5+ times within 10 minutes"
    assert by_rule["copied_text"].startswith("posted a text of 30+ characters")
    assert by_rule["flagged"] == "an account is flagged at 3+ points"


def test_short_questions_and_everyday_phrases_are_not_copies():
    rows = fans(n_accounts=30, n_posts=200)
    for k in range(6):  # ten customers ask the same short thing within minutes, six times
        rows += [post(9000 + 10 * k + c, f"customer{c}", 600 * k + 0.5 * c, text="Which place is this?")
                 for c in range(10)]  # fmt: skip
    rng = np.random.default_rng(5)
    for d in range(40):  # an everyday phrase: twenty regulars write it every morning, 7 to 10
        rows += [post(10_000 + 20 * d + c, f"regular{c}", 1440 * d + 420 + 180 * rng.random(),
                      text="Good morning Pune, chai time again!") for c in range(20)]  # fmt: skip
    found = flagged_accounts(posts_frame(rows), BRANDS)
    assert not found["copied_text"].any() and not found["flagged"].any()
    assert set(found.loc[found["repeated_text"], "handle"]) == {f"regular{c}" for c in range(20)}


def test_precision_recall_and_calibration():
    posts, accounts = ring_world()
    found = flagged_accounts(posts, BRANDS, accounts=accounts)
    planted = [f"ring{r}" for r in range(5)] + ["twitter:fan0"]  # handles or keys
    got = flag_precision_recall(found, planted, audience=27)
    assert got == {"planted": 6, "flagged": 5, "true_positives": 5, "precision": 1.0, "recall": 5 / 6,
                   "flagged_share": 5 / 27}  # fmt: skip
    table = calibration(found, planted).set_index("threshold")
    assert table.loc[1, "flagged"] == len(found) and table.loc[3, "precision"] == 1.0
    assert table.loc[1, "recall"] == 1.0 and table.index.max() == 9
    assert flag_precision_recall(found.iloc[:0], [], audience=0)["precision"] is None


def test_without_accounts_removes_their_posts_only():
    posts, accounts = ring_world()
    found = flagged_accounts(posts, BRANDS, accounts=accounts)
    clean = without_accounts(posts, found, accounts=accounts)
    assert len(clean) == len(posts) - 45 and not clean["author_handle"].str.startswith("ring").any()
    assert clean.index.isin(posts.index).all() and list(clean.columns) == list(posts.columns)
    assert len(without_accounts(posts, ["twitter:ring0", "twitter:ring1"])) == len(posts) - 18
    assert without_accounts(posts, []) is posts
    assert len(without_accounts(posts, found.assign(flagged=False))) == len(posts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_posts())
def test_degenerate_inputs_give_a_table(posts):
    found = flagged_accounts(posts, BRANDS)
    assert list(found.columns[:10]) == ["rank", "account", "platform", "handle", "score", "flagged", "rules",
                                        "evidence", "posts", "group"]  # fmt: skip
    assert (found["score"] > 0).all() and (found["flagged"] == (found["score"] >= FLAG_THRESHOLD)).all()
    assert "twitter:brewbros" not in set(found["account"])
    assert len(without_accounts(posts, found)) <= len(posts)


def test_text_normalisation_means_the_same_in_python_and_arrow():
    """Texts are normalised with RE2 (pyarrow); its whitespace must be Python's."""
    spaces = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert {c for c in map(chr, range(sys.maxunicode + 1)) if re.fullmatch(f"[{_SPACE}]", c)} == spaces
    texts = [
        "Flat 50%\u00a0OFF!!  see https://x.co/a\u2009now",
        "@brand\u3000hi #tag\u2028yo",
        "a\x1cb\x85c\u200bd",
    ]
    arrow = pd.Series(texts, dtype="string[pyarrow]").str.replace(_NORMALISE, " ", regex=True).tolist()
    python = [re.sub(r"https?://\S+|[@#]\S+|\s+", " ", t) for t in texts]  # the rule, in Python's terms
    assert arrow == python == ["Flat 50% OFF!! see   now", "  hi   yo", "a b c\u200bd"]


# --- the demo world --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_flags(demo_run):
    run = demo_run
    return flagged_accounts(run.current, run.brands, accounts=run.accounts)


def test_demo_flags_the_ring_and_the_brigade_and_almost_nobody_else(demo_flags, demo_run, demo):
    run = demo_run
    planted = demo.truth["suspicious"] + demo.truth["brigade"]["members"]
    keys = author_keys(run.current, run.accounts)
    brand_keys = {f"{p}:{h}" for b in run.brands for p, h in b.accounts}
    scored = keys[~keys.isin(list(brand_keys))].nunique()
    got = flag_precision_recall(demo_flags, planted, audience=scored)
    assert got["recall"] == 1.0 and got["precision"] >= 0.9
    assert got["flagged_share"] < 0.03 and len(demo_flags) < 0.03 * scored  # not 88% of the audience
    ring = demo_flags[demo_flags["handle"].isin(demo.truth["suspicious"])]
    assert ring["rules"].str.contains("coordinated, copied_text").all() and ring["new_account"].all()
    brigade = demo_flags[demo_flags["handle"].isin(demo.truth["brigade"]["members"])]
    assert (
        brigade["coordinated"].all()
        and not brigade["new_account"].any()
        and not brigade["follow_ratio"].any()
    )
    table = calibration(demo_flags, planted).set_index("threshold")
    assert table.loc[FLAG_THRESHOLD, "precision"] >= 0.9 and table.loc[FLAG_THRESHOLD, "recall"] == 1.0


def test_demo_with_and_without_flagged_accounts(demo_flags, demo_run):
    run = demo_run
    clean = without_accounts(run.posts, demo_flags, accounts=run.accounts)
    sov = {
        name: share_of_voice(posts, run.brands, run.period, hashtags=run.params.hashtags).set_index("brand")
        for name, posts in (("with", run.posts), ("without", clean))
    }
    mm_with, mm_without = (sov[k].loc["Masala Mornings", "share_of_voice"] for k in ("with", "without"))
    # The ring's 217 posts about Masala Mornings are about a fifth of its share of voice.
    assert mm_with - mm_without > 0.03 and mm_without / mm_with < 0.85
    neg = {
        name: mention_sentiment(posts, run.brands, run.period, languages=run.params.languages).set_index(
            "brand"
        )
        for name, posts in (("with", run.posts), ("without", clean))
    }
    neg_with, neg_without = (neg[k].loc["Masala Mornings", "negative_share"] for k in ("with", "without"))
    assert neg_without - neg_with > 0.04  # the ring's praise hid part of the complaints
    assert (
        neg["without"].loc["Kettle Kings", "negative_share"]
        < neg["with"].loc["Kettle Kings", "negative_share"]
    )
