"""The per-period simulation: one segment of the world, event by event, in time order."""

from __future__ import annotations

import heapq
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from .accounts import _brigade, _people, _profiles
from .content import _Content
from .draw import _Draw, _Table
from .formats import _Render
from .market import (
    _BB,
    _BEST,
    _BRANDS,
    _BRIGADE_BRAND,
    _BRIGADE_DATES,
    _BRIGADE_WINDOW_MS,
    _BUDGET,
    _CC,
    _COMMUNITIES,
    _CUT_MS,
    _END_MS,
    _FIRST_DAY,
    _HOURS,
    _KK,
    _LANGS,
    _MM,
    _N_DAYS,
    _NEG_END,
    _NEG_START,
    _OTHER_BRAND_AFFINITY,
    _PERIOD_START,
    _QUIET_END_MS,
    _RING_BURSTS,
    _START_MS,
    _WAVE_DAY,
    _WAVE_POSTS,
    _WEEKDAY_ACTIVITY,
    DEFAULT_POSTS,
    _midnight,
)
from .plans import _best_slot_ok, _plan_brand_posts
from .posts import (
    _BPOST,
    _BREPLY,
    _BRIGADE,
    _CMENTION,
    _CPOST,
    _DELAY,
    _MENTION,
    _QUOTE,
    _REPLY,
    _REPOST,
    _RING,
    _TROLL,
    _WAVE,
    _Live,
    _Post,
)
from .truth import _Tracking


class _World(_Content, _Render, _Tracking):
    """One segment of the world: the previous period (0) or the analysis period (1).

    The two segments share accounts and brand plans (drawn from the same streams) and are
    simulated independently, so they can run in two processes and give the same bytes either
    way. Replies and reposts of July posts that would fall after the cut are dropped, as a
    scrape split by period would miss them (their parents' counts still include them).
    """

    def __init__(self, seed: int, posts: int, segment: int) -> None:
        people, planning = (_Draw(s) for s in np.random.SeedSequence([seed, posts, 0]).spawn(2))
        self.r, self.rt = (_Draw(s) for s in np.random.SeedSequence([seed, posts, 1 + segment]).spawn(2))
        self.seed, self.posts, self.segment = seed, posts, segment
        self.first_ms, self.end_ms = ((_START_MS, _CUT_MS), (_QUIET_END_MS, _END_MS))[segment]
        self.days = range(0, 90) if segment == 0 else range(90, _N_DAYS)
        self.accounts = _people(seed, posts, people)
        # The brigade (truth 13) draws from its own streams: the rest of the world is drawn as without it.
        brigade, self.brigade_rt = (_Draw(s) for s in np.random.SeedSequence([seed, posts, 9]).spawn(2))
        self.accounts += _brigade(self.accounts, brigade)
        for _ in range(20):  # re-draw (deterministically) until the planted slot clearly wins
            self.plans = _plan_brand_posts(self.accounts, posts, planning)
            if _best_slot_ok(self.plans):
                break
        else:  # pragma: no cover - the margins make this practically unreachable
            raise RuntimeError("could not plant the best posting slot")
        self.ring = [a.idx for a in self.accounts if a.comm == -2]
        self.brigade = [a.idx for a in self.accounts if a.comm == -3]
        self.brigade_plan = self._plan_brigade(brigade)
        self.brigade_ids: list[str] = []
        self.brigade_targets: list[str] = []
        self.ring_posts: list[tuple[int, int]] = []
        for k in range(_RING_BURSTS):  # six October bursts: each ring account posts 2-4 times in ~6 minutes
            start = (_midnight(date(2026, 10, 3 + 4 * k)) + (10 + int(people.u() * 11)) * 3600) * 1000
            for acc in self.ring:
                for _ in range(2 + int(people.u() * 3)):
                    self.ring_posts.append((start + int(people.u() * 360_000), acc))
                    self.accounts[acc].statuses += 1
        self.unsafe_names = _profiles(self.accounts, people)
        self.audience = [a for a in self.accounts if a.comm >= 0]
        self._tables()
        self.heap: list[tuple] = []
        self.seq = self.last_ms = 0
        self.live: dict[int, _Live] = {}
        self.stat = [
            {
                "platforms": {
                    p: dict.fromkeys(("rows", "post", "reply", "repost", "quote"), 0)
                    for p in ("twitter", "bluesky")
                },
                "languages": {},
                "brands": {
                    b.name: dict.fromkeys(
                        (
                            "posts",
                            "replies",
                            "audience_replies",
                            "audience_reposts",
                            "audience_quotes",
                            "mentions",
                        ),
                        0,
                    )
                    for b in _BRANDS
                },
            }
            for _ in range(2)
        ]
        self.brand_rows: list[tuple] = []
        self.engaged: list[set[str]] = [set() for _ in _BRANDS]
        self.mm = {"stretch": [0, 0], "elsewhere": [0, 0]}  # [mention posts, negative ones]
        self.neg_ids: list[str] = []
        self.unsafe_posts: list[dict] = []
        self.wave_posts: list[tuple] = []  # truth 10: (post id, author, 0 viral / 1 fan, counts)

    def _plan_brigade(self, r: _Draw) -> dict[tuple[int, int], list[tuple[int, int, tuple[int, ...]]]]:
        """Brigade replies per targeted brand post ``(ms, account)``: ``(delay ms, member, word choices)``.

        The target is the brand's first plain tweet (not a giveaway, not in the best slot) on or
        after each date; every member joins five of the six, all within two minutes.
        """
        plan = {}
        for k, day in enumerate(_BRIGADE_DATES):
            after = _midnight(day) * 1000
            target = next(
                p
                for p in self.plans
                if p.brand == _BRIGADE_BRAND
                and p.platform == "twitter"
                and p.ms >= after
                and not p.giveaway
                and p.slot != _BEST["twitter"]
            )
            start = int((4 + 16 * r.u()) * 60_000)  # the brigade arrives 4-20 minutes after the post
            replies = []
            for m, member in enumerate(self.brigade):
                if m % len(_BRIGADE_DATES) == k:
                    continue  # each member sits one of the six out
                words = tuple(int(r.u() * 2) for _ in range(4))
                replies.append((start + int(r.u() * _BRIGADE_WINDOW_MS), member, words))
            plan[(target.ms, target.account)] = sorted(replies)
        return plan

    def _tables(self) -> None:
        aud = self.audience
        self.brand_acc = {(a.brand, a.platform): a.idx for a in self.accounts[:7]}
        mean_pop = sum(a.pop * a.activity for a in aud) / sum(a.activity for a in aud)
        for a in aud:
            a.pop /= mean_pop  # a post's expected children then follow the budget
        self.by_brand: dict[tuple[str, int], _Table] = {}
        for platform in ("twitter", "bluesky"):
            members = [a for a in aud if a.platform == platform]
            self.by_brand[(platform, -1)] = _Table([a.idx for a in members], [a.activity for a in members])
            for b in range(len(_BRANDS)):
                if (b, platform) in self.brand_acc:
                    weights = [a.activity * (1.0 if b in a.favs else _OTHER_BRAND_AFFINITY) for a in members]
                    self.by_brand[(platform, b)] = _Table([a.idx for a in members], weights)
        n = len(_COMMUNITIES)
        self.comm_act = [
            _Table([a.idx for a in aud if a.comm == c], [a.activity for a in aud if a.comm == c])
            for c in range(n)
        ]
        self.comm_pop = [
            _Table([a.idx for a in aud if a.comm == c], [a.pop for a in aud if a.comm == c]) for c in range(n)
        ]
        self.comm_lang = [_Table(_LANGS, c.langs) for c in _COMMUNITIES]
        self.comm_share = _Table(range(n), [c.share for c in _COMMUNITIES])
        self.neighbours = [
            [i for i in range(n) if _COMMUNITIES[i].platform == c.platform and i != j]
            for j, c in enumerate(_COMMUNITIES)
        ]
        self.sov = {
            "twitter": _Table([_CC, _BB, _MM, _KK], [0.3, 0.3, 0.25, 0.15]),
            "bluesky": _Table([_CC, _BB, _KK], [0.35, 0.4, 0.25]),
        }
        self.tag_tables: dict[tuple[str, ...], _Table] = {}
        self.twitter_share = sum(a.platform == "twitter" for a in aud) / len(aud)
        # Budgets per period, and the chance that a counted reply/repost/quote of a brand post was scraped.
        devoted = sum(a.devoted for a in aud)
        self.budget, self.scraped = [], []
        for period, (first, last) in enumerate(((_START_MS, _CUT_MS), (_CUT_MS, _END_MS))):
            plans = [p for p in self.plans if first <= p.ms < last]
            fixed = len(plans) + 12 + (len(self.ring_posts) if period else 0)
            total = max(
                100.0, (self.posts - fixed) / (1 + 0.07 * (_BUDGET["brand_reply"] + _BUDGET["mention"]))
            )
            budget = {k: v * total for k, v in _BUDGET.items()}
            budget["mention"] = max(0.0, budget["mention"] - (2 * devoted if period else 0))
            overflow = max(0.0, len(aud) - budget["cmention"])
            budget["cmention"] = max(0.0, budget["cmention"] - len(aud))
            shrink = max(0.1, 1 - overflow / (budget["cpost"] + budget["cchild"]))
            budget["cpost"] *= shrink
            budget["cchild"] *= shrink
            self.budget.append(budget)
            sums = [max(1, sum(p.counts[i] for p in plans)) for i in (2, 1, 3)]
            self.scraped.append(
                tuple(
                    min(1.0, budget[k] / s)
                    for k, s in zip(("brand_reply", "brand_repost", "brand_quote"), sums, strict=True)
                )
            )

    # -- events ---------------------------------------------------------------------------------------

    def push(self, ms: int, kind: int, author: int = -1, parent: int = -1, extra=None) -> int:
        """Schedule an event; 0 if it falls after the segment (never scraped), else 1."""
        if ms >= self.end_ms:
            return 0
        self.seq += 1
        heapq.heappush(self.heap, (ms, self.seq, kind, author, parent, extra))
        return 1

    def _roots(self, day: int) -> None:
        """Push the day's audience-initiated posts (brand posts come from the plan)."""
        d, r = _FIRST_DAY + timedelta(day), self.r
        budget = self.budget[int(d >= _PERIOD_START)]
        hours = list(_HOURS)
        if d in (_FIRST_DAY, _PERIOD_START):
            hours[:6] = [0.0] * 6
        hour = _Table(range(24), hours)
        base = _midnight(d) * 1000
        level = _WEEKDAY_ACTIVITY[d.weekday()] / (sum(_WEEKDAY_ACTIVITY) / 7) / 90

        def when() -> int:
            return base + hour.pick(r) * 3_600_000 + int(r.u() * 3_600_000)

        for kind, key in ((_MENTION, "mention"), (_CPOST, "cpost"), (_CMENTION, "cmention")):
            for _ in range(r.poisson(budget[key] * level)):
                self.push(when(), kind)
        if _NEG_START <= d <= _NEG_END:  # the complaint wave: 1.5x extra Masala Mornings mentions
            for _ in range(r.poisson(1.5 * budget["mention"] * level * self.twitter_share * 0.25)):
                self.push(when(), _MENTION, extra=_MM)
        if d == _WAVE_DAY:  # the kulhad challenge: a post at 11:00 goes viral, fans follow until 22:00
            self.push(base + 11 * 3_600_000 + int(r.u() * 600_000), _WAVE, extra=0)
            for _ in range(max(10, round(_WAVE_POSTS * self.posts / DEFAULT_POSTS))):
                self.push(base + int((11.5 + 10.5 * r.u()) * 3_600_000), _WAVE, extra=1)
        if day % 15 == 7:  # trolls, now and then: every template on both platforms in each period
            for platform in ("twitter", "bluesky"):
                self.push(when(), _TROLL, extra=(platform, (day % 90) // 15))

    def _planted(self) -> None:
        """Each member mentions a fellow member once per period; devoted members mention BB and KK."""
        r, first = self.r, self.first_ms
        span = self.end_ms - first - 6 * 3_600_000
        for a in self.audience:
            self.push(first + int(r.u() * span), _CMENTION, author=a.idx)
            if self.segment and a.devoted:
                self.push(first + int(r.u() * span), _MENTION, author=a.idx, extra=_BB)
                self.push(first + int(r.u() * span), _MENTION, author=a.idx, extra=_KK)
        if self.segment:
            for ms, acc in self.ring_posts:
                self.push(ms, _RING, author=acc)

    def run(self, tw_path: Path, bs_path: Path) -> dict:
        """Write the segment's tweets (JSON lines) and Bluesky items (joined by ",\\n", no brackets)."""
        with (
            open(tw_path, "w", encoding="utf-8", newline="\n") as self.tw_out,
            open(bs_path, "w", encoding="utf-8", newline="\n") as self.bs_out,
        ):
            self.bs_sep = ""
            if self.segment == 0:
                self.bs_out.write("[\n")  # the previous period opens the JSON array; _generate closes it
            self._planted()
            plans = iter(p for p in self.plans if self.first_ms <= p.ms < self.end_ms)
            plan = next(plans, None)
            for day in self.days:
                self._roots(day)
                day_end = _midnight(_FIRST_DAY + timedelta(day + 1)) * 1000
                while plan is not None and plan.ms < day_end:
                    self.push(plan.ms, _BPOST, author=plan.account, extra=plan)
                    plan = next(plans, None)
                while self.heap and self.heap[0][0] < day_end:
                    self._emit(*heapq.heappop(self.heap))
        return self.state()

    def _release(self, parent: int) -> None:
        if parent >= 0:
            live = self.live[parent]
            live.pending -= 1
            if not live.pending:
                del self.live[parent]

    def _emit(self, ms: int, seq: int, kind: int, author: int, parent: int, extra) -> None:
        ms = self.last_ms = max(ms, self.last_ms + 1)  # strictly increasing times: unique, ordered ids
        post = _Post(kind, ms, seq)
        if parent >= 0:
            post.parent = self.live[parent]
            post.target = self.accounts[post.parent.author]
        self._decide(post, author, extra)
        if post.author is not None:
            if kind == _BRIGADE:  # rendered from the brigade's own stream: the others' draws are unchanged
                self.rt, self.brigade_rt = self.brigade_rt, self.rt
                self._write(post)
                self.rt, self.brigade_rt = self.brigade_rt, self.rt
            else:
                self._write(post)
        self._release(parent)

    # -- rendering and writing ------------------------------------------------------------------------

    def _write(self, post: _Post) -> None:
        """Render ``post`` for its platform, append it, schedule its children and track the truths."""
        a = post.author
        live = _Live()
        live.author, live.giveaway, live.negative = a.idx, post.giveaway, post.sentiment == "negative"
        live.reposters = set() if post.children[1] else None
        if a.platform == "twitter":
            post_id, mentioned = self._tweet(post, live)
        else:
            post_id, mentioned = self._skeet(post, live)
        n_reply, n_repost, n_quote = post.children
        pending = 0
        for n, child in ((n_reply, _REPLY), (n_repost, _REPOST), (n_quote, _QUOTE)):
            for _ in range(n):
                minutes = 1 + min(
                    2880.0, _DELAY[child] * math.exp(1.1 * self.r.n())
                )  # lognormal, capped at 2 days
                pending += self.push(post.ms + int(60_000 * minutes), child, parent=post.seq)
        if post.brigade:  # truth 13: the brigade piles in
            for delay, member, words in self.brigade_plan[(post.ms, a.idx)]:
                pending += self.push(post.ms + delay, _BRIGADE, author=member, parent=post.seq, extra=words)
        if post.answer >= 0:  # the brand answers, at its own pace
            minutes = 5 + min(4320.0, _BRANDS[post.answer].respond_minutes * math.exp(0.8 * self.r.n()))
            pending += self.push(
                post.ms + int(60_000 * minutes),
                _BREPLY,
                author=self.brand_acc[(post.answer, a.platform)],
                parent=post.seq,
            )
        if pending:
            live.pending = pending
            self.live[post.seq] = live
        self._track(post, post_id, mentioned)
