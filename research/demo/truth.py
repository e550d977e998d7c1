"""The planted truths: tracked as posts are written, then measured on what was written."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from .formats import _SNSCRAPE, _iso_tw
from .market import (
    _BEST,
    _BEST_FACTOR,
    _BRANDS,
    _BREAKOUT_FACTOR,
    _BREAKOUT_TAG,
    _BRIGADE_BRAND,
    _BRIGADE_WINDOW_MS,
    _CC,
    _COMMUNITIES,
    _CUT_MS,
    _FIRST_DAY,
    _FOLLOWER_GROWTH,
    _GIVEAWAY_FACTOR,
    _KK,
    _MM,
    _NEG_END,
    _NEG_MS,
    _NEG_START,
    _PERIOD_END,
    _PERIOD_START,
    _POP_FACTOR,
    _PROFILES_AT,
    _RING_BURSTS,
    _TASTING_TAG,
    _TZ,
    _VIDEO_FACTOR,
    _WAVE_DAY,
    _WAVE_TAG,
    _WEEKDAYS,
    _midnight,
)
from .plans import _slot_means
from .posts import _BPOST, _BRIGADE, _KIND, _PLURAL, _Post


class _Tracking:
    """What ``_World`` records of each written post for the truths (mixed into ``_World``)."""

    def _track(self, post: _Post, post_id: str, mentioned: list[int]) -> None:
        a, kind = post.author, _KIND[post.kind]
        period = int(post.ms >= _CUT_MS)
        st = self.stat[period]
        st["platforms"][a.platform]["rows"] += 1
        st["platforms"][a.platform][kind] += 1
        if kind != "repost":  # a repost's language is its original's
            st["languages"][post.lang] = st["languages"].get(post.lang, 0) + 1
        if a.brand >= 0:
            st["brands"][_BRANDS[a.brand].name]["posts" if post.kind == _BPOST else "replies"] += 1
            if post.kind == _BPOST:
                plan = post.plan
                self.brand_rows.append(
                    (
                        a.platform,
                        post.ms,
                        plan.slot,
                        sum(post.counts),
                        plan.brand,
                        plan.media,
                        plan.giveaway,
                        post_id,
                        plan.lang,
                        plan.breakout,
                        plan.tasting,
                    )
                )
            return
        if post.wave >= 0:
            self.wave_posts.append((post_id, a.handle, post.wave, post.counts))
        brands: list[int] = []
        t = post.target
        if t is not None and t.brand >= 0:
            brands.append(t.brand)
            st["brands"][_BRANDS[t.brand].name]["audience_" + _PLURAL[kind]] += 1
        for i in mentioned:
            b = self.accounts[i].brand
            if b >= 0:
                if kind != "repost":
                    st["brands"][_BRANDS[b].name]["mentions"] += 1
                if b not in brands:
                    brands.append(b)
        if period:
            for b in brands:
                self.engaged[b].add(a.handle)
        if kind != "repost" and self.brand_acc[(_MM, "twitter")] in mentioned:
            in_stretch = _NEG_MS[0] <= post.ms < _NEG_MS[1]
            bucket = self.mm["stretch" if in_stretch else "elsewhere"]
            bucket[0] += 1
            if post.sentiment == "negative":
                bucket[1] += 1
                if in_stretch:
                    self.neg_ids.append(post_id)
        if post.kind == _BRIGADE:
            self.brigade_ids.append(post_id)
            if str(post.parent.tw_id) not in self.brigade_targets:
                self.brigade_targets.append(str(post.parent.tw_id))
        if post.unsafe:
            self.unsafe_posts.append({"platform": a.platform, "post_id": post_id, "author": a.handle})

    def state(self) -> dict:
        """What the truths need from this segment (picklable: it may come from another process)."""
        out = {
            "stat": self.stat[self.segment],
            "brand_rows": self.brand_rows,
            "mm": self.mm,
            "unsafe_posts": self.unsafe_posts,
        }
        if self.segment:
            out.update(
                engaged=[sorted(e) for e in self.engaged],
                neg_ids=self.neg_ids,
                unsafe_names=self.unsafe_names,
                ring=sorted(self.accounts[i].handle for i in self.ring),
                ring_posts=len(self.ring_posts),
                brigade=sorted(self.accounts[i].handle for i in self.brigade),
                brigade_ids=self.brigade_ids,
                brigade_targets=self.brigade_targets,
                devoted=sorted(a.handle for a in self.audience if a.devoted),
                wave=self.wave_posts,
                profiles=[
                    {
                        "brand": a.brand,
                        "handle": a.handle,
                        "id": a.uid,
                        "name": a.name,
                        "created_ms": a.created_ms,
                        "followers": a.followers,
                        "following": a.friends,
                        "posts": a.statuses,
                    }
                    for a in self.accounts[:7]
                    if a.platform == "twitter"
                ],  # fmt: skip
                members=[
                    sorted(a.handle for a in self.audience if a.comm == c) for c in range(len(_COMMUNITIES))
                ],
            )
        return out


def _truth(seed: int, posts: int, files: dict[str, Path], states: list[dict], earlier: dict) -> dict:
    """The planted truths, measured on what the two segments wrote (``earlier``: the profile lookup's counts)."""
    names = [b.name for b in _BRANDS]
    last = states[1]
    rows = states[0]["brand_rows"] + last["brand_rows"]
    current = [row for row in rows if row[1] >= _CUT_MS]

    def mean(values) -> float:
        values = list(values)
        return sum(values) / len(values) if values else 0.0

    def median(values) -> float:
        values = sorted(values)
        n = len(values)
        return float(values[n // 2]) if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2

    def local_date(ms: int) -> str:
        return (date(1970, 1, 1) + timedelta((ms // 1000 + _TZ) // 86_400)).isoformat()

    def bounds(first: date, end: date) -> dict:
        return {
            "start": first.isoformat(),
            "end": end.isoformat(),
            "start_utc": _iso_tw(_midnight(first) * 1000),
            "end_utc_exclusive": _iso_tw(_midnight(end + timedelta(1)) * 1000),
        }

    best_slot = {}
    for platform, slot in _BEST.items():
        means = _slot_means(rows, platform)
        others = mean(row[3] for row in current if row[0] == platform and row[2] != slot)
        runner = max((k for k in means if k != slot), key=lambda k: means[k][1])
        best_slot[platform] = {
            "weekday": _WEEKDAYS[slot[0]],
            "hour": slot[1],
            "posts": means[slot][0],
            "mean_engagement": round(means[slot][1], 1),
            "other_slots_mean_engagement": round(others, 1),
            "ratio": round(means[slot][1] / others, 2),
            "factor": _BEST_FACTOR,
            "runner_up": {
                "weekday": _WEEKDAYS[runner[0]],
                "hour": runner[1],
                "posts": means[runner][0],
                "mean_engagement": round(means[runner][1], 1),
            },
        }
    plain = [row for row in current if not row[6] and not row[9] and row[2] != _BEST[row[0]]]
    video = [row[3] for row in plain if row[5] == "video"]
    other = [row[3] for row in plain if row[5] != "video"]
    giveaways = [row for row in rows if row[6]]
    # each giveaway against the plain (not video, not best-slot) posts of the same account and period
    baseline = {}
    for row in rows:
        if not row[6] and not row[9] and row[5] != "video" and row[2] != _BEST[row[0]]:
            baseline.setdefault((row[0], row[4], row[1] >= _CUT_MS), []).append(row[3])
    giveaway_ratio = mean(row[3] / mean(baseline[(row[0], row[4], row[1] >= _CUT_MS)]) for row in giveaways)
    medians = {}
    for b, name in enumerate(names):
        prev = median(row[3] for row in rows if row[4] == b and row[1] < _CUT_MS)
        cur = median(row[3] for row in current if row[4] == b)
        medians[name] = {"previous": prev, "analysis": cur, "ratio": round(cur / prev, 3)}
    engaged = [set(e) for e in last["engaged"]]
    pairs = {}
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            shared, union = len(engaged[i] & engaged[j]), len(engaged[i] | engaged[j])
            pairs[f"{names[i]} & {names[j]}"] = {
                "shared": shared,
                "jaccard": round(shared / union, 4) if union else 0.0,
            }
    communities, community_of = {}, {}
    for comm, members in zip(_COMMUNITIES, last["members"], strict=True):
        communities[comm.name] = {
            "platform": comm.platform,
            "language": comm.lang,
            "hashtags": list(comm.hashtags),
            "favourite_brands": [names[b] for b, _ in comm.favourites],
            "size": len(members),
            "members": members,
        }
        community_of.update(dict.fromkeys(members, comm.name))
    stretch = last["mm"]["stretch"]
    elsewhere = [states[0]["mm"]["elsewhere"][i] + last["mm"]["elsewhere"][i] for i in (0, 1)]
    stats = [states[0]["stat"], last["stat"]]
    return {
        "generator": "research.demo",
        "seed": seed,
        "posts": posts,
        "snscrape_version": _SNSCRAPE,
        "files": {k: v.name for k, v in files.items()},
        "timezone": "Asia/Kolkata",
        "period": bounds(_PERIOD_START, _PERIOD_END),
        "previous_period": bounds(_FIRST_DAY, _PERIOD_START - timedelta(1)),
        "brands": {
            b.name: {
                "client": i == _CC,
                "accounts": {p: h for p, h in (("twitter", b.twitter), ("bluesky", b.bluesky)) if h},
            }
            for i, b in enumerate(_BRANDS)
        },
        "engagement": "likes + reposts + replies + quotes (views and bookmarks excluded)",
        "best_slot": best_slot,
        "format_uplift": {
            "media_type": "video",
            "factor": _VIDEO_FACTOR,
            "versus": ["photo", "text", "link", "poll"],
            "measured_ratio": round(mean(video) / mean(other), 2),
            "posts": {"video": len(video), "other": len(other)},
            "measured_on": "brand posts in the analysis period, giveaways and best-slot posts excluded",
        },
        "giveaways": {
            "factor": _GIVEAWAY_FACTOR,
            "measured_ratio": round(giveaway_ratio, 2),
            "keywords": {"en": ["giveaway", "win"], "hi": ["गिवअवे", "जीतें"], "ru": ["розыгрыш", "выиграй"]},
            "posts": [
                {
                    "platform": row[0],
                    "post_id": row[7],
                    "brand": names[row[4]],
                    "date": local_date(row[1]),
                    "period": "analysis" if row[1] >= _CUT_MS else "previous",
                    "lang": row[8],
                    "engagement": row[3],
                }
                for row in giveaways
            ],
        },
        "communities": communities,
        "community_of": dict(sorted(community_of.items())),
        "overlap": {
            "brands": ["Brew Bros", "Kettle Kings"],
            "engaged": {name: len(engaged[b]) for b, name in enumerate(names)},
            "shared": pairs["Brew Bros & Kettle Kings"]["shared"],
            "jaccard": pairs["Brew Bros & Kettle Kings"]["jaccard"],
            "pairs": pairs,
            "planted_members": last["devoted"],
            "definition": "non-brand accounts that replied to, mentioned, reposted or quoted any account of the brand "
            "in the analysis period (a repost counts at its own time)",
        },
        "suspicious": last["ring"],
        "suspicious_detail": {
            "brand": "Masala Mornings",
            "posts": last["ring_posts"],
            "bursts": _RING_BURSTS,
            "burst_minutes": 6,
            "max_followers": 15,
            "min_following": 2000,
            "created_days_before_first_post": [3, 25],
        },
        "brigade": {
            "brand": _BRANDS[_BRIGADE_BRAND].name,
            "platform": "twitter",
            "members": last["brigade"],
            "target_posts": last["brigade_targets"],
            "replies": last["brigade_ids"],
            "window_seconds": _BRIGADE_WINDOW_MS // 1000,
            "stance": "attack",
            "how": "each member replies to five of the six targeted tweets with a near-identical complaint "
            "(one of two words in four places), all replies to a tweet within two minutes",
        },
        "negative_stretch": {
            "brand": "Masala Mornings",
            "start": _NEG_START.isoformat(),
            "end": _NEG_END.isoformat(),
            "posts": last["neg_ids"],
            "mentions_in_stretch": stretch[0],
            "negative_share_in_stretch": round(stretch[1] / max(1, stretch[0]), 3),
            "negative_share_elsewhere": round(elsewhere[1] / max(1, elsewhere[0]), 3),
            "measured_on": "audience posts (not reposts) mentioning @masalamornings; tweet replies start with the mention",
        },
        "period_change": {
            "brand": "Brew Bros",
            "metric": "median engagement of brand posts, both platforms",
            "factor": _POP_FACTOR,
            "medians": medians,
        },
        **_insight_truths(names, rows, current, last, earlier, local_date),
        "unsafe_text": {
            "display_names": last["unsafe_names"],
            "posts": states[0]["unsafe_posts"] + last["unsafe_posts"],
        },
        "counts": {
            "analysis": stats[1],
            "previous": stats[0],
            "posts_in_period": sum(v["rows"] for v in stats[1]["platforms"].values()),
            "posts_total": sum(v["rows"] for st in stats for v in st["platforms"].values()),
            "audience_accounts": len(community_of),
        },
    }


def _insight_truths(names: list[str], rows: list[tuple], current: list[tuple], last: dict, earlier: dict,
                    local_date) -> dict:  # fmt: skip
    """Truths 9-12: the breakout posts, the spike, follower growth and the owned content pillar."""
    mm = [row for row in current if row[4] == _MM and row[0] == "twitter"]
    usual = sorted(row[3] for row in mm)
    median = (usual[(len(usual) - 1) // 2] + usual[len(usual) // 2]) / 2
    breakouts = [row for row in rows if row[9]]
    viral = next(w for w in last["wave"] if w[2] == 0)
    kk = [row for row in current if row[4] == _KK]
    tasting = [row for row in kk if row[10]]
    growth = {}
    for p in last["profiles"]:
        first, final = earlier[p["handle"]]["followers"], p["followers"]
        growth[f"twitter:{p['handle']}"] = {
            "brand": names[p["brand"]],
            "followers_first": first,
            "followers_last": final,
            "growth": final - first,
            "growth_pct": round(100 * (final - first) / first, 2),
            "factor": _FOLLOWER_GROWTH[p["brand"]],
        }
    return {
        "breakouts": {
            "brand": "Masala Mornings",
            "factor": _BREAKOUT_FACTOR,
            "hashtag": _BREAKOUT_TAG,
            "account": "twitter:masalamornings",
            "account_median": median,
            "posts": [
                {
                    "platform": row[0],
                    "post_id": row[7],
                    "date": local_date(row[1]),
                    "engagement": row[3],
                    "media_type": row[5],
                    "times_median": round(row[3] / median, 2),
                }
                for row in breakouts
            ],  # fmt: skip
            "measured_on": "engagement over the median engagement of the account's posts in the analysis period",
        },
        "spike": {
            "brand": "Kettle Kings",
            "kind": "mentions",
            "date": _WAVE_DAY.isoformat(),
            "hashtag": _WAVE_TAG,
            "words": ["kulhad", "challenge"],
            "viral_post": {
                "platform": "bluesky",
                "post_id": viral[0],
                "author": viral[1],
                "replies": viral[3][2],
                "reposts": viral[3][1],
                "quotes": viral[3][3],
            },  # fmt: skip
            "fan_posts": sum(1 for w in last["wave"] if w[2] == 1),
        },
        "follower_growth": {
            "first_observed_at": _PROFILES_AT,
            "last_observed_at": "when the tweets file was observed (research demo: the day after the period)",
            "accounts": growth,
            "no_counts": "Bluesky profiles in feed items carry no follower counts",
        },
        "pillar": {
            "brand": "Kettle Kings",
            "hashtag": _TASTING_TAG,
            "words": ["tasting", "darjeeling", "assam", "loose-leaf", "flush"],
            "posts": len(tasting),
            "brand_posts": len(kk),
            "share": round(len(tasting) / max(1, len(kk)), 3),
            "others": 0,
            "measured_on": "Kettle Kings' own posts in the analysis period; no other account posts about tastings",
        },
    }
