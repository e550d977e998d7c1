"""The demo world: deterministic, real formats, and truths that match what was written.

Every check here re-reads the written files with plain ``json`` (no importer), so the
truths are verified independently of the code that planted them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from research import demo

SMALL = 1_500  # posts, for the determinism checks
LOCAL = timedelta(hours=5, minutes=30)  # Asia/Kolkata


def _digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return demo.generate(tmp_path_factory.mktemp("demo"))


TWEET_KEYS = {
    "_type",
    "url",
    "date",
    "rawContent",
    "id",
    "user",
    "likeCount",
    "retweetCount",
    "lang",
    "_snscrape",
}
POST_KEYS = {
    "uri",
    "cid",
    "author",
    "record",
    "replyCount",
    "repostCount",
    "likeCount",
    "quoteCount",
    "indexedAt",
}


def _row(platform, id, author, when, kind, targets, lang="", text="", engagement=0, user=None) -> dict:
    return dict(
        platform=platform,
        id=id,
        author=author,
        when=when,
        kind=kind,
        targets=targets,
        lang=lang,
        text=text,
        engagement=engagement,
        user=user,
    )


@pytest.fixture(scope="module")
def rows(world):
    """One small dict per written post, parsed with plain json; checks each item's shape on the way."""
    out = []
    with open(world.files["snscrape-jsonl"], encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            assert TWEET_KEYS <= t.keys() and t["_type"] == "snscrape.modules.twitter.Tweet"
            rt, qt, user = t["retweetedTweet"], t["quotedTweet"], t["user"]
            targets = {u["username"] for u in t["mentionedUsers"] or []}
            targets |= {x["user"]["username"] for x in (rt, qt) if x}
            if t["inReplyToUser"]:
                targets.add(t["inReplyToUser"]["username"])
            kind = "repost" if rt else "quote" if qt else "reply" if t["inReplyToTweetId"] else "post"
            engagement = t["likeCount"] + t["retweetCount"] + t["replyCount"] + t["quoteCount"]
            profile = (user["followersCount"], user["friendsCount"], _when(user["created"]))
            out.append(
                _row(
                    "twitter",
                    str(t["id"]),
                    user["username"],
                    _when(t["date"]),
                    kind,
                    targets,
                    t["lang"],
                    t["rawContent"],
                    engagement,
                    profile,
                )
            )
    items = json.loads(world.files["bluesky-json"].read_text(encoding="utf-8"))
    handles = {}
    for item in items:
        assert POST_KEYS <= item["post"].keys() and item["post"]["record"]["$type"] == "app.bsky.feed.post"
        for profile in (item["post"]["author"], (item.get("reason") or {}).get("by")):
            if profile:
                handles[profile["did"]] = profile["handle"]
    for item in items:
        post = item["post"]
        if "reason" in item:
            reason = item["reason"]
            assert reason["$type"] == "app.bsky.feed.defs#reasonRepost"
            out.append(
                _row(
                    "bluesky",
                    reason["uri"],
                    reason["by"]["handle"],
                    _when(reason["indexedAt"]),
                    "repost",
                    {post["author"]["handle"]},
                    None,
                )
            )
            continue
        record = post["record"]
        text = record["text"].encode("utf-8")
        targets = set()
        for facet in record.get("facets", []):
            for feature in facet["features"]:
                if feature["$type"] == "app.bsky.richtext.facet#mention":
                    span = text[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
                    assert span == "@" + handles.get(feature["did"], span[1:])
                    targets.add(span[1:])
        kind = "post"
        if "reply" in record:
            kind = "reply"
            targets.add(item["reply"]["parent"]["author"]["handle"])
            assert item["reply"]["parent"]["uri"] == record["reply"]["parent"]["uri"]
        elif post.get("embed", {}).get("$type") == "app.bsky.embed.record#view":
            kind = "quote"
            targets.add(post["embed"]["record"]["author"]["handle"])
        engagement = post["likeCount"] + post["repostCount"] + post["replyCount"] + post["quoteCount"]
        out.append(
            _row(
                "bluesky",
                post["uri"],
                post["author"]["handle"],
                _when(record["createdAt"]),
                kind,
                targets,
                (record.get("langs") or [None])[0],
                record["text"],
                engagement,
            )
        )
    return out


@pytest.fixture(scope="module")
def period(world):
    p = world.truth["period"]
    return _when(p["start_utc"]), _when(p["end_utc_exclusive"])


@pytest.fixture(scope="module")
def brand_of(world):
    return {h: name for name, b in world.truth["brands"].items() for h in b["accounts"].values()}


# --- determinism ---------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path):
    demo.generate(tmp_path / "a", posts=SMALL)  # below the parallel threshold: one process
    demo._generate(tmp_path / "b", demo.DEFAULT_SEED, SMALL, workers=2)  # the two-process path
    # set and dict orders of strings change with PYTHONHASHSEED: none may reach the files
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": os.pathsep.join(sys.path)}
    code = f"from pathlib import Path; from research import demo; demo.generate(Path({str(tmp_path / 'c')!r}), posts={SMALL})"
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    demo.generate(tmp_path / "d", posts=SMALL, seed=7)
    a, b, c, d = (_digest(tmp_path / x) for x in "abcd")
    assert set(a) == {"demo-twitter.jsonl", "demo-bluesky.json", "demo-twitter-profiles.jsonl", "truth.json"}
    assert a == b == c
    assert all(a[name] != d[name] for name in a)


def test_too_small_a_world_is_refused(tmp_path):
    with pytest.raises(ValueError, match="posts=10"):
        demo.generate(tmp_path, posts=10)


# --- volume and variety --------------------------------------------------------------------------


def test_the_period_holds_the_promised_volume_and_variety(world, rows, period):
    inside = [r for r in rows if period[0] <= r["when"] < period[1]]
    assert len(inside) >= 20_000
    assert len(inside) == world.truth["counts"]["posts_in_period"]
    assert len(rows) == world.truth["counts"]["posts_total"]
    kinds = {(r["platform"], r["kind"]) for r in inside}
    assert kinds == {(p, k) for p in ("twitter", "bluesky") for k in ("post", "reply", "repost", "quote")}
    assert {"en", "hi", "ru"} <= {r["lang"] for r in inside}
    assert any(r["kind"] == "post" and r["targets"] for r in inside)  # mention posts
    for platform in ("twitter", "bluesky"):
        counted = world.truth["counts"]["analysis"]["platforms"][platform]
        assert counted["rows"] == sum(r["platform"] == platform for r in inside)


def test_nothing_is_posted_in_the_hours_where_utc_and_local_period_bounds_disagree(rows, period):
    for bound in period:
        assert not [r for r in rows if bound <= r["when"] < bound + LOCAL]


def test_times_and_ids_only_grow(rows):
    for platform in ("twitter", "bluesky"):
        times = [r["when"] for r in rows if platform == r["platform"]]
        assert times == sorted(times)
    ids = [int(r["id"]) for r in rows if r["platform"] == "twitter"]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    uris = [r["id"] for r in rows if r["platform"] == "bluesky"]
    assert len(set(uris)) == len(uris)


# --- formats -------------------------------------------------------------------------------------


def test_lines_are_json_exactly_as_json_dumps_writes_it(world):
    # every line parses in the ``rows`` fixture; here a sample must also re-serialise to the same bytes
    with open(world.files["snscrape-jsonl"], encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 7 == 0:
                item = json.loads(line)
                assert json.dumps(item) + "\n" == line  # snscrape's own serialisation: ASCII-escaped
                assert list(item)[0] == "_type" and list(item)[-1] == "_snscrape"
    lines = world.files["bluesky-json"].read_text(encoding="utf-8").split("\n")
    assert lines[0] == "[" and lines[-2:] == ["]", ""]
    for line in lines[1:-2:7]:
        line = line.removesuffix(",")
        assert json.dumps(json.loads(line), ensure_ascii=False) == line


def test_tweets_have_snscrape_field_order(world):
    twitter = pytest.importorskip("snscrape.modules.twitter", reason="snscrape is an optional extra")
    base = pytest.importorskip("snscrape.base")

    def keys(cls) -> list[str]:  # as snscrape.base._json_dataclass_to_dict writes them
        fields = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]
        kinds = (property, base._DeprecatedProperty)
        props = [k for k in dir(cls) if not k.startswith("_") and isinstance(getattr(cls, k, None), kinds)]
        return ["_type", *fields, *props]

    with open(world.files["snscrape-jsonl"], encoding="utf-8") as f:
        tweet = json.loads(f.readline())
    assert [k for k in tweet if k != "_snscrape"] == keys(twitter.Tweet)
    assert list(tweet["user"]) == keys(twitter.User)


def test_ids_beyond_float_precision_survive(world, rows):
    text = world.files["snscrape-jsonl"].read_text(encoding="utf-8")
    first = int(re.search(r'"id": (\d{19}),', text).group(1))
    assert first > 2**53 and float(first) != first  # a float would corrupt it
    assert str(first) in {r["id"] for r in rows[:10]}
    assert all(int(r["id"]) > 2**53 for r in rows if r["platform"] == "twitter")


def test_unsafe_text_is_there_verbatim(world, rows):
    unsafe = world.truth["unsafe_text"]
    by_id = {r["id"]: r for r in rows}
    texts = [by_id[p["post_id"]]["text"] for p in unsafe["posts"]]
    bluesky = [t for p, t in zip(unsafe["posts"], texts, strict=True) if p["platform"] == "bluesky"]
    assert any("<script>alert(1)</script>" in t for t in bluesky)
    assert any("<img src=x onerror=alert(1)>" in t for t in bluesky)
    assert any(t.startswith(("=", "+", "-")) for t in bluesky)
    # tweets are HTML-escaped as Twitter's full_text is; importers unescape them
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in t for t in texts)
    assert unsafe["display_names"]["twitter"] and unsafe["display_names"]["bluesky"]


# --- planted truths ------------------------------------------------------------------------------


def test_engaged_audiences_and_their_overlap_match_the_files(world, rows, period, brand_of):
    engaged = defaultdict(set)
    for r in rows:
        if r["author"] in brand_of or not period[0] <= r["when"] < period[1]:
            continue
        for target in r["targets"]:
            if target in brand_of:
                engaged[brand_of[target]].add(r["author"])
    overlap = world.truth["overlap"]
    assert overlap["engaged"] == {name: len(engaged[name]) for name in world.truth["brands"]}
    bb, kk = engaged["Brew Bros"], engaged["Kettle Kings"]
    assert overlap["shared"] == len(bb & kk)
    assert overlap["jaccard"] == round(len(bb & kk) / len(bb | kk), 4)
    assert set(overlap["planted_members"]) <= bb & kk
    others = [v["jaccard"] for k, v in overlap["pairs"].items() if k != "Brew Bros & Kettle Kings"]
    assert overlap["jaccard"] > 2 * max(others)


def test_best_slots_win_in_the_files(world, rows, period, brand_of):
    for platform, truth in world.truth["best_slot"].items():
        slots = defaultdict(list)
        for r in rows:
            if (
                r["platform"] == platform
                and r["author"] in brand_of
                and r["kind"] == "post"
                and period[0] <= r["when"] < period[1]
            ):
                local = r["when"] + LOCAL
                slots[(local.strftime("%A"), local.hour)].append(r["engagement"])
        means = {k: sum(v) / len(v) for k, v in slots.items()}
        best = max(means, key=means.get)
        assert best == (truth["weekday"], truth["hour"])
        assert len(slots[best]) == truth["posts"] >= 30
        assert means[best] > 1.5 * max(m for k, m in means.items() if k != best)


def test_communities_cover_the_audience(world, rows, brand_of):
    community_of = world.truth["community_of"]
    suspicious = set(world.truth["suspicious"]) | set(world.truth["brigade"]["members"])
    authors = {r["author"] for r in rows} - set(brand_of)
    assert authors <= set(community_of) | suspicious
    assert len(community_of) == sum(c["size"] for c in world.truth["communities"].values())
    assert len(world.truth["communities"]) >= 4
    assert not suspicious & set(community_of)


def test_suspicious_ring_looks_suspicious(world, rows):
    ring = set(world.truth["suspicious"])
    assert len(ring) == 12
    posts = [r for r in rows if r["author"] in ring]
    assert {r["author"] for r in posts} == ring
    for handle in ring:
        mine = [r for r in posts if r["author"] == handle]
        followers, following, created = mine[0]["user"]
        assert followers <= 15 and following >= 2000
        assert timedelta(0) < mine[0]["when"] - created < timedelta(days=30)
        assert all("masalamornings" in r["targets"] for r in mine)


def test_reply_brigade_answers_its_targets_together_in_near_identical_words(world, rows):
    brigade = world.truth["brigade"]
    members, targets = set(brigade["members"]), brigade["target_posts"]
    assert len(members) == 8 and len(targets) == 6 and brigade["brand"] == "Kettle Kings"
    assert not members & set(world.truth["community_of"]) and not members & set(world.truth["suspicious"])
    tweets = {}
    with open(world.files["snscrape-jsonl"], encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            if t["user"]["username"] in members or str(t["id"]) in targets:
                tweets[str(t["id"])] = t
    replies = [t for t in tweets.values() if t["user"]["username"] in members]
    assert sorted(str(t["id"]) for t in replies) == sorted(brigade["replies"])
    by_target = defaultdict(list)
    for t in replies:
        assert t["inReplyToUser"]["username"] == "kettlekings" and t["rawContent"].startswith("@kettlekings ")
        by_target[str(t["inReplyToTweetId"])].append(t)
    assert sorted(by_target) == sorted(targets)
    for target, answers in by_target.items():
        assert tweets[target]["user"]["username"] == "kettlekings"
        assert (
            len({a["user"]["username"] for a in answers}) == len(answers) >= 6
        )  # each member once, most join
        times = sorted(_when(a["date"]) for a in answers)
        assert times[-1] - times[0] <= timedelta(seconds=brigade["window_seconds"])
        assert times[0] > _when(tweets[target]["date"])
    texts = [t["rawContent"] for t in replies]
    assert 1 < len(set(texts)) < len(texts)  # near-identical: a few words change, some repeat
    words = [set(re.findall(r"\w+", t.lower())) for t in texts]
    assert min(len(a & b) / len(a | b) for a in words for b in words) > 0.4  # most words shared
    assert all(sum(t["user"]["username"] == m for t in replies) == 5 for m in members)  # five of six each
    for t in replies:  # ordinary-looking profiles: only what they do together gives them away
        created = _when(t["user"]["created"])
        assert t["user"]["followersCount"] >= 40 and _when(t["date"]) - created > timedelta(days=150)


def test_negative_stretch_posts_are_complaints_in_the_window(world, rows):
    stretch = world.truth["negative_stretch"]
    by_id = {r["id"]: r for r in rows}
    words = ("worst service", "बहुत खराब सेवा", "ужасный сервис")
    assert len(stretch["posts"]) >= 20 and stretch["negative_share_in_stretch"] > 0.6
    assert stretch["negative_share_elsewhere"] < 0.2
    for post_id in stretch["posts"]:
        r = by_id[post_id]
        day = (r["when"] + LOCAL).date().isoformat()
        assert stretch["start"] <= day <= stretch["end"]
        assert "masalamornings" in r["targets"] and any(w in r["text"].lower() for w in words)


def test_giveaways_are_listed_with_their_keywords(world, rows):
    by_id = {r["id"]: r for r in rows}
    giveaways = world.truth["giveaways"]
    assert len(giveaways["posts"]) >= 20
    keywords = [w.lower() for ws in giveaways["keywords"].values() for w in ws]
    for g in giveaways["posts"]:
        assert any(k in by_id[g["post_id"]]["text"].lower() for k in keywords)
        assert by_id[g["post_id"]]["engagement"] == g["engagement"]
    assert 4 < giveaways["measured_ratio"] < 6.5


def test_brew_bros_grew_and_the_others_did_not(world):
    medians = world.truth["period_change"]["medians"]
    assert 1.25 < medians["Brew Bros"]["ratio"] < 1.55
    assert all(0.9 < m["ratio"] < 1.1 for name, m in medians.items() if name != "Brew Bros")


def test_truth_file_is_the_returned_truth(world):
    folder = world.files["snscrape-jsonl"].parent
    assert json.loads((folder / "truth.json").read_text(encoding="utf-8")) == world.truth


# --- truths 9-12: breakouts, the spike, follower growth, the owned pillar --------------------------


def test_masala_mornings_recipe_posts_break_out(world, rows, period):
    truth = world.truth["breakouts"]
    by_id = {r["id"]: r for r in rows}
    mine = sorted(
        r["engagement"]
        for r in rows
        if r["author"] == "masalamornings" and r["kind"] == "post" and period[0] <= r["when"] < period[1]
    )
    median = (mine[(len(mine) - 1) // 2] + mine[len(mine) // 2]) / 2
    assert truth["account_median"] == median and len(truth["posts"]) == 2
    for post in truth["posts"]:
        r = by_id[post["post_id"]]
        assert (
            r["author"] == "masalamornings" and "#chairecipe" in r["text"] and "recipe" in r["text"].lower()
        )
        assert r["engagement"] == post["engagement"] > 5 * median
        assert (r["when"] + LOCAL).date().isoformat() == post["date"]
    assert sum("#chairecipe" in (r["text"] or "") for r in rows if r["kind"] == "post") == 2  # theirs alone


def test_kettle_kings_mentions_spike_on_the_day_of_the_kulhad_challenge(world, rows, period):
    truth = world.truth["spike"]
    per_day = defaultdict(int)
    for r in rows:
        if (
            r["kind"] != "repost"
            and period[0] <= r["when"] < period[1]
            and {"kettlekings", "kettlekings.bsky.social"} & r["targets"]
        ):
            per_day[(r["when"] + LOCAL).date().isoformat()] += 1
    days = sorted(per_day.values())
    usual = days[len(days) // 2]
    assert per_day[truth["date"]] > 3 * usual and per_day[truth["date"]] == max(days)
    viral = next(r for r in rows if r["id"] == truth["viral_post"]["post_id"])
    assert viral["author"] == truth["viral_post"]["author"] and "#kulhadchallenge" in viral["text"]
    assert truth["viral_post"]["reposts"] >= 40 and truth["fan_posts"] >= 50
    tagged = [r for r in rows if "#kulhadchallenge" in (r["text"] or "") and r["kind"] == "post"]
    assert len(tagged) == truth["fan_posts"] + 1
    assert {(r["when"] + LOCAL).date().isoformat() for r in tagged} == {truth["date"]}


def test_brand_profiles_were_observed_twice_with_planted_growth(world, rows):
    truth = world.truth["follower_growth"]
    lookup = json.loads(world.files["twarc2-jsonl"].read_text(encoding="utf-8"))
    assert lookup["__twarc"]["retrieved_at"] == truth["first_observed_at"]
    first = {u["username"]: u["public_metrics"]["followers_count"] for u in lookup["data"]}
    last = {r["author"]: r["user"][0] for r in rows if r["platform"] == "twitter" and r["user"]}
    for key, account in truth["accounts"].items():
        handle = key.split(":", 1)[1]
        assert (first[handle], last[handle]) == (account["followers_first"], account["followers_last"])
        assert account["followers_first"] == round(account["followers_last"] / account["factor"])
    pct = {a["brand"]: a["growth_pct"] for a in truth["accounts"].values()}
    assert max(pct, key=pct.get) == "Brew Bros" and abs(pct["Brew Bros"] - 15) < 0.1


def test_kettle_kings_alone_talks_about_tea_tastings(world, rows, period):
    truth = world.truth["pillar"]
    tagged = [r for r in rows if "#teatasting" in (r["text"] or "") and r["kind"] == "post"]
    assert {r["author"] for r in tagged} == {"kettlekings", "kettlekings.bsky.social"}
    assert sum(period[0] <= r["when"] < period[1] for r in tagged) == truth["posts"]
    assert 0.25 < truth["share"] < 0.45
    words = ("darjeeling", "assam", "tasting", "дегустация", "चखने")
    assert all(any(w in r["text"].lower() for w in words) for r in tagged)
    others = [
        r
        for r in rows
        if r["author"] not in ("kettlekings", "kettlekings.bsky.social") and r["kind"] == "post"
    ]
    assert not [r for r in others if "darjeeling" in (r["text"] or "").lower()]
