"""Coordination against planted truth: near-duplicates, co-actions, groups, their brands, shares, findings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from research.analyses.coordination import (
    KINDS,
    WINDOWS,
    coaction_graph,
    coactions,
    coordinated_groups,
    coordination_findings,
    group_share,
)
from research.analyses.nearduplicates import minhash_signatures, near_duplicate_families, normalise_texts
from research.brands import Brand
from research.schema import accounts_frame, posts_frame

T0 = pd.Timestamp("2026-08-03 04:30", tz="UTC")
BRANDS = [
    Brand("Chai & Co", "client", (("twitter", "chaiandco"),)),
    Brand("Brew Bros", "competitor", (("twitter", "brewbros"),)),
    Brand("Kettle Kings", "competitor", (("twitter", "kettlekings"),)),
]
WORDS = (
    "chai coffee rain monsoon pune library board game evening morning friends office lunch snack "
    "samosa poha book music walk bus metro college exam deadline weekend market garden river hill "
    "temple festival cricket movie song recipe kitchen garden balcony window sunset laptop"
).split()


def post(pid, author, minutes=0.0, **kw):
    row = {"platform": "twitter", "post_id": str(pid), "author_id": f"id-{author}", "author_handle": author}
    return {**row, "created_at": T0 + pd.Timedelta(minutes=minutes).round("s"), **kw}


def fans(n_accounts=60, n_posts=600, days=30, seed=0, start=1_000_000):
    """Ordinary people: their own words, at their own times, replying and reposting now and then."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n_posts):
        author = f"fan{rng.integers(n_accounts)}"
        when = float(rng.uniform(0, days * 24 * 60))
        text = " ".join(rng.choice(WORDS, 9))
        tags = list(
            rng.choice(
                ["chai", "pune", "punefood", "rain", "books", "wfh"], rng.integers(0, 3), replace=False
            )
        )
        kw = {"text": text, "hashtags": tags}
        if k > 10 and rng.random() < 0.3:
            kw["reply_to_post_id"] = str(start + rng.integers(k))
        elif k > 10 and rng.random() < 0.2:
            kw = {"text": "RT", "repost_of_post_id": str(start + rng.integers(k))}
        rows.append(post(start + k, author, when, **kw))
    return rows


def promo_ring(n=5, bursts=4):
    """Fresh accounts posting promo variants for Brew Bros with one link and tags, in 3-minute bursts."""
    variants = [
        "{p}Best cold brew in Pune! Flat 50% OFF today only at @brewbros {s}",
        "{p}Best cold brew in Pune! Flat 40% OFF today only at @brewbros {s}",
        "{p}Flat 50% OFF on cold brew today at @brewbros, best in Pune! {s}",
    ]
    rows, pid = [], 0
    for b in range(bursts):
        for r in range(n):
            for i in range(2):
                pid += 1
                text = variants[(r + i + b) % 3].format(
                    p=("", "WOW ", "Hurry! ")[r % 3], s=("👉", "✅", "💯")[i % 3]
                )
                rows.append(post(pid, f"ring{r}", 3 * 24 * 60 * b + 0.3 * r + 1.1 * i,
                                 text=text + " https://bit.ly/bb50", urls=["https://bit.ly/bb50"],
                                 hashtags=["coldbrew", "offer", "pune"], mentions=["brewbros"]))  # fmt: skip
    return rows


def brigade(n=6, targets=4):
    """Older accounts answering Kettle Kings' posts within two minutes with near-identical complaints."""
    words = (("Terrible", "Awful"), ("cold", "stale"), ("rude", "careless"), ("Save your money", "Avoid it"))
    rows = [post(500 + k, "kettlekings", 5 * 24 * 60 * k, text=f"New kettle blend number {k} is here")
            for k in range(targets)]  # fmt: skip
    rng = np.random.default_rng(7)
    for k in range(targets):
        for m in range(n):
            text = "@kettlekings {} experience again: {} tea, {} staff and a long wait. {} 😡".format(
                *(pair[rng.integers(2)] for pair in words)
            )
            rows.append(post(600 + 10 * k + m, f"angry{m}", 5 * 24 * 60 * k + 10 + 2 * rng.random(), text=text,
                             reply_to_post_id=str(500 + k), reply_to_author_id="id-kettlekings",
                             mentions=["kettlekings"]))  # fmt: skip
    return rows


def with_sentiment(posts):
    """The brigade's complaints scored negative, as the run's text step scores them; the rest unscored."""
    angry = posts["author_handle"].str.startswith("angry").fillna(False)
    return posts.assign(sentiment=pd.Series(pd.NA, index=posts.index, dtype="string").mask(angry, "negative"))


@pytest.fixture(scope="module")
def world():
    return with_sentiment(posts_frame(fans() + promo_ring() + brigade()))


# --- near-duplicates -----------------------------------------------------------------------------


def test_minhash_estimates_jaccard_and_families_are_near_duplicates():
    base = "Terrible experience again: cold tea, rude staff and a long wait. Save your money"
    texts = [base, base.replace("cold", "stale"), base.replace("Terrible", "Awful").replace("rude", "careless"),
             "Which place is this?", " ".join(WORDS[:12]), base.upper() + " https://t.co/xyz @someone #tag"]  # fmt: skip
    found = near_duplicate_families(pd.Series(texts))
    assert found.family[0] == found.family[1] == found.family[2] == found.family[5]
    assert found.family[3] == -1 and found.family[4] not in (found.family[0], -1)
    assert found.similarity(np.array([0]), np.array([5]))[0] == 1.0  # same words, links and tags removed

    def shingles(t):
        t = normalise_texts(pd.Series([t]))[0]
        return {t[i : i + 5] for i in range(len(t) - 4)}

    sig = minhash_signatures(normalise_texts(pd.Series(texts[:3])).tolist(), num_perm=256)
    for a, b in ((0, 1), (0, 2)):
        exact = len(shingles(texts[a]) & shingles(texts[b])) / len(shingles(texts[a]) | shingles(texts[b]))
        assert abs((sig[a] == sig[b]).mean() - exact) < 0.1


def test_families_do_not_depend_on_the_order_of_texts():
    texts = pd.Series([" ".join(np.random.default_rng(i).choice(WORDS, 8)) for i in range(200)] * 2)
    a = near_duplicate_families(texts).family
    order = np.random.default_rng(1).permutation(len(texts))
    b = near_duplicate_families(texts.iloc[order].reset_index(drop=True)).family
    same = lambda fam: fam[:, None] == fam[None, :]  # noqa: E731
    assert (same(a)[np.ix_(order, order)] == same(b)).all()


# --- co-actions and groups -----------------------------------------------------------------------


def test_the_ring_and_the_brigade_are_the_only_groups(world):
    G = coaction_graph(world, brands=BRANDS)
    groups = coordinated_groups(G, world, BRANDS)
    assert [set(m) for m in groups["members"]] == [
        {f"twitter:angry{m}" for m in range(6)},
        {f"twitter:ring{r}" for r in range(5)},
    ]
    brigade_row, ring_row = groups.iloc[0], groups.iloc[1]
    assert (ring_row["brand"], ring_row["occasions"], ring_row["posts"]) == ("Brew Bros", 4, 40)
    assert ring_row["text"] == ring_row["link"] == ring_row["hashtags"] == 40 and ring_row["reply"] == 0
    assert (
        ring_row["driven_hashtags"] == "coldbrew, offer" and ring_row["stance"] == "mentions"
    )  # no sentiment
    assert "bit.ly" not in ring_row["examples"] or "Flat" in ring_row["examples"]
    assert (brigade_row["brand"], brigade_row["stance"], brigade_row["reply_targets"]) == (
        "Kettle Kings",
        "attacks",
        4,
    )
    assert brigade_row["reply"] == brigade_row["coordinated_posts"] == 24 and brigade_row["occasions"] == 4
    assert not any(n.startswith("twitter:fan") for n in G)


def test_profiles_without_creation_times(world):
    # Real CSV exports (the IRA sample) give profiles but no creation time: ages are unknown, not an error.
    handles = sorted(set(world["author_handle"].dropna()))
    accounts = accounts_frame(
        [{"platform": "twitter", "account_id": h, "handle": h, "created_at": None} for h in handles]
    )
    G = coaction_graph(world, brands=BRANDS, accounts=accounts)
    groups = coordinated_groups(G, world, BRANDS, accounts=accounts)
    assert len(groups) == 2 and groups["new_accounts"].isna().all() and groups["median_age_days"].isna().all()


def test_group_shares_and_the_finding(world):
    G = coaction_graph(world, brands=BRANDS)
    groups = coordinated_groups(G, world, BRANDS)
    shares = group_share(groups, world, BRANDS).set_index(["group", "brand"])
    ring = shares.loc[(2, "Brew Bros")]
    assert (ring["mentions"], ring["brand_mentions"], ring["mention_share"]) == (40, 40, 1.0)
    assert (ring["audience"], ring["engaged"]) == (5, 5)
    angry = shares.loc[(1, "Kettle Kings")]
    assert (angry["negative"], angry["brand_negative"], angry["negative_share"]) == (24, 24, 1.0)
    assert shares.loc[(1, "Chai & Co"), "mentions"] == 0 and pd.isna(
        shares.loc[(1, "Chai & Co"), "mention_share"]
    )
    found = coordination_findings(groups, shares.reset_index(), timezone="Asia/Kolkata")
    assert found == [
        "A coordinated group of 6 accounts posted 100% of the negative mentions of Kettle Kings (24 of 24), in four "
        "bursts in August, replying together to four of its posts.",
        "A coordinated group of 5 accounts posted 100% of the mentions of Brew Bros (40 of 40), in four bursts in "
        "August, pushing #coldbrew and #offer.",
    ]


def test_customers_asking_the_same_short_question_are_not_copies():
    rows = fans(n_posts=100)
    for k in range(5):  # ten customers ask the same thing under one post within a few minutes, five times
        rows += [post(9000 + 10 * k + c, f"customer{c}", 600 * k + 0.5 * c, text="Which place is this?",
                      reply_to_post_id=str(1_000_000 + k)) for c in range(10)]  # fmt: skip
    posts = posts_frame(rows)
    co = coactions(posts, windows={"reply": None})
    assert "text" not in set(co["kind"])
    assert coordinated_groups(coaction_graph(posts, windows={"reply": None}), posts, BRANDS).empty


def test_fans_of_a_busy_post_are_crowds_not_groups():
    """Thirty fans answer the same ten popular posts within the minute: chance, not coordination."""
    rng = np.random.default_rng(3)
    rows = fans(n_posts=300)
    for k in range(10):
        for f in rng.choice(30, 20, replace=False):
            rows.append(post(20_000 + 100 * k + f, f"fan{f}", 24 * 60 * k + rng.random(), text=" ".join(rng.choice(WORDS, 9)),
                             reply_to_post_id=f"viral{k}"))  # fmt: skip
    posts = posts_frame(rows)
    co = coactions(posts)
    assert (co["kind"] == "reply").sum() > 1000
    pairs = co.groupby(["account_a", "account_b"])["occasion"].max()
    assert (pairs >= 3).sum() > 100  # many pairs meet three times or more ...
    G = coaction_graph(posts)
    assert (
        G.graph["tested"] == (pairs >= 3).sum() and G.number_of_edges() == 0
    )  # ... as chance says they would


def test_two_occasions_are_a_coincidence_and_windows_are_settings():
    rows = fans(n_posts=1000)
    for k in range(3):
        for i, who in enumerate(("x", "y", "z")):
            rows.append(
                post(30_000 + 10 * k + i, who, 24 * 60 * k + 1.5 * i, repost_of_post_id=f"p{k}", text="RT")
            )
    posts = posts_frame(rows)
    assert coaction_graph(posts).number_of_edges() == 0  # 90 s apart: outside the one-minute window
    G = coaction_graph(posts, windows={"repost": 200})
    assert sorted(G.edges) == [
        ("twitter:x", "twitter:y"),
        ("twitter:x", "twitter:z"),
        ("twitter:y", "twitter:z"),
    ]
    assert G.edges["twitter:x", "twitter:y"]["repost"] == 3 and G.graph["windows"]["repost"] == 200
    two = posts_frame([r for r in rows if r["post_id"] < "30020" or not r["post_id"].startswith("300")])
    assert coaction_graph(two, windows={"repost": 200}).number_of_edges() == 0
    with pytest.raises(ValueError, match="not co-action kinds"):
        coactions(posts, windows={"likes": 60})
    assert WINDOWS == {"text": 600, "link": 600, "hashtags": 600, "reply": 60, "repost": 60}


def test_louvain_splits_groups_that_touch():
    rows = promo_ring()
    other = [{**r, "post_id": "x" + r["post_id"], "author_handle": r["author_handle"].replace("ring", "gang"),
              "author_id": r["author_id"].replace("ring", "gang"), "created_at": r["created_at"] + pd.Timedelta(days=1),
              "urls": ["https://bit.ly/other"], "text": r["text"].replace("cold brew", "masala chai").replace("bb50", "o")}
             for r in rows]  # fmt: skip
    posts = posts_frame(fans() + rows + other)
    G = coaction_graph(posts)
    assert [len(p) for p in coordinated_groups(G, posts, BRANDS)["members"]] == [5, 5]
    assert len(coordinated_groups(G, posts, BRANDS, method="louvain")) == 2
    with pytest.raises(ValueError, match="louvain"):
        coordinated_groups(G, posts, BRANDS, method="kmeans")


# --- degenerate inputs and a world without coordination ------------------------------------------


@st.composite
def small_posts(draw):
    n = draw(st.integers(0, 25))
    rows = []
    for k in range(n):
        row = {
            "platform": draw(st.sampled_from(["twitter", "bluesky"])),
            "post_id": str(k),
            "author_handle": draw(st.sampled_from(["a", "b", "c", "brewbros", None])),
            "text": draw(st.sampled_from(["", None, "Which place is this?", "Flat 50% OFF on masala chai at the cafe today"])),
            "hashtags": draw(st.sampled_from([[], ["chai"], ["chai", "pune"]])),
            "urls": draw(st.sampled_from([[], ["https://x.co/1"]])),
        }  # fmt: skip
        if draw(st.booleans()):
            row["created_at"] = T0 + pd.Timedelta(seconds=draw(st.integers(0, 3600)))
        if draw(st.booleans()):
            row["reply_to_post_id"] = draw(st.sampled_from(["0", "1"]))
        elif draw(st.booleans()):
            row["repost_of_post_id"] = draw(st.sampled_from(["0", "1"]))
        if row["author_handle"] is None:
            row["author_id"] = draw(st.sampled_from([None, "7"]))
        rows.append(row)
    return posts_frame(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_posts())
def test_degenerate_inputs_never_break_the_chain(posts):
    co = coactions(posts, brands=BRANDS)
    assert list(co.columns) == ["kind", "object", "account_a", "account_b", "platform_a", "post_a", "at_a",
                                "platform_b", "post_b", "at_b", "crowd", "usual", "occasion", "expected"]  # fmt: skip
    if len(co):
        assert (co["account_a"] < co["account_b"]).all() and set(co["kind"]) <= set(KINDS)
        assert "twitter:brewbros" not in set(co["account_a"]) | set(
            co["account_b"]
        )  # the brand's own account
        gap = (co["at_a"] - co["at_b"]).abs().dt.total_seconds()
        assert (gap <= co["kind"].map(WINDOWS).astype(float)).all()
    G = coaction_graph(posts, brands=BRANDS, rows=co)
    assert nx_self_loops(G) == 0
    groups = coordinated_groups(G, posts, BRANDS)
    shares = group_share(groups, posts, BRANDS)
    assert coordination_findings(groups, shares) == [] or len(groups)


def nx_self_loops(G) -> int:
    return sum(1 for a, b in G.edges if a == b)


def test_empty_one_account_no_text_no_time():
    empty = posts_frame([])
    assert coactions(empty).empty and coaction_graph(empty).number_of_nodes() == 0
    assert coordinated_groups(coaction_graph(empty), empty, BRANDS).empty
    lone = posts_frame([post(i, "solo", i, text="Flat 50% OFF on masala chai today only!!", repost_of_post_id="p")
                        for i in range(10)])  # fmt: skip
    assert coactions(lone).empty
    silent = posts_frame([post(i, f"u{i % 3}", i / 10, text="") for i in range(30)])
    assert coactions(silent).empty
    timeless = posts_frame([{**post(i, f"u{i % 3}", text="Flat 50% OFF on masala chai today only!!"), "created_at": None}
                            for i in range(30)])  # fmt: skip
    assert coactions(timeless).empty


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(20, 80), st.integers(200, 800))
def test_a_market_without_coordination_has_no_groups(seed, accounts, posts):
    world = posts_frame(fans(n_accounts=accounts, n_posts=posts, days=60, seed=seed))
    G = coaction_graph(world)
    assert coordinated_groups(G, world, BRANDS).empty


# --- the demo world ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_groups(demo_run):
    run = demo_run
    G = coaction_graph(run.current, accounts=run.accounts, brands=run.brands)
    groups = coordinated_groups(G, run.current, run.brands, accounts=run.accounts)
    return G, groups


def test_demo_finds_the_ring_and_the_brigade_with_their_targets(demo_groups, demo):
    G, groups = demo_groups
    ring = {f"twitter:{h}" for h in demo.truth["suspicious"]}
    brigade = demo.truth["brigade"]
    assert [set(m) for m in groups["members"]] == [ring, {f"twitter:{h}" for h in brigade["members"]}]
    r, b = groups.iloc[0], groups.iloc[1]
    assert (r["brand"], r["stance"], r["new_accounts"], r["occasions"]) == (
        "Masala Mornings",
        "pushes",
        12,
        6,
    )
    assert r["posts"] == r["coordinated_posts"] == demo.truth["suspicious_detail"]["posts"]
    assert set(r["driven_hashtags"].split(", ")) == {"masalachai", "offer"}
    assert r["first_at"].month == r["last_at"].month == 10
    assert (b["brand"], b["stance"], b["new_accounts"], b["occasions"]) == ("Kettle Kings", "attacks", 0, 6)
    assert b["posts"] == b["reply"] == len(brigade["replies"]) and b["reply_targets"] == len(
        brigade["target_posts"]
    )
    replied = G.graph["coactions"].query("kind == 'reply' and kept")["object"].str.split(":").str[1]
    assert set(replied) == set(brigade["target_posts"])


def test_demo_without_its_rings_has_no_groups(demo_run, demo):
    run = demo_run
    planted = set(demo.truth["suspicious"]) | set(demo.truth["brigade"]["members"])
    null = run.current[~run.current["author_handle"].isin(planted)]
    G = coaction_graph(null, accounts=run.accounts, brands=run.brands)
    assert coordinated_groups(G, null, run.brands, accounts=run.accounts).empty


def test_demo_shares_and_findings(demo_groups, demo_run):
    run = demo_run
    _, groups = demo_groups
    shares = group_share(groups, run.current, run.brands, accounts=run.accounts, inter=run.interactions)
    mm = shares.set_index(["group", "brand"]).loc[(1, "Masala Mornings")]
    assert mm["mentions"] == 217 and 0.25 < mm["mention_share"] < 0.33 and mm["audience"] == 12
    kk = shares.set_index(["group", "brand"]).loc[(2, "Kettle Kings")]
    assert kk["negative"] == 40 and kk["negative_share"] > 0.2  # 40 of Kettle Kings' ~135 negative mentions
    found = coordination_findings(groups, shares, timezone=run.period.timezone)
    assert found[0].startswith("A coordinated group of 12 new accounts posted ")
    assert f"of the mentions of Masala Mornings (217 of {int(mm['brand_mentions']):,}), in six bursts in October, " \
           "pushing #" in found[0] and "#masalachai" in found[0] and "#offer" in found[0]  # fmt: skip
    assert (
        "negative mentions of Kettle Kings (40 of" in found[1]
        and "replying together to six of its posts" in found[1]
    )
