"""Brand posts, planned in advance for both periods with their final counts."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import timedelta

from .accounts import _Account
from .draw import _Draw
from .market import (
    _BEST,
    _BEST_FACTOR,
    _BRANDS,
    _BREAKOUT_DAYS,
    _BREAKOUT_FACTOR,
    _BS_FACTOR,
    _CUT_MS,
    _END_MS,
    _FIRST_DAY,
    _GIVEAWAY_FACTOR,
    _GIVEAWAYS_PER_ACCOUNT,
    _LANGS,
    _MM,
    _START_MS,
    _VIDEO_FACTOR,
    DEFAULT_POSTS,
    _market_slots,
    _midnight,
)

_NORMAL = statistics.NormalDist()

# --- brand posts ---------------------------------------------------------------------------------


@dataclass
class _Plan:
    ms: int
    account: int
    brand: int
    platform: str
    slot: tuple[int, int]
    media: str
    lang: str
    giveaway: bool = False
    breakout: bool = False  # truth 9: a Masala Mornings recipe post far above its usual
    tasting: bool = False  # truth 12: a Kettle Kings post about tea tastings (set when its text is chosen)
    noise: float = 1.0  # multiplicative engagement noise
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # likes, reposts, replies, quotes

    @property
    def engagement(self) -> int:
        return sum(self.counts)


_MEDIA_MIX = {
    "twitter": (("text", 0.2), ("photo", 0.45), ("video", 0.2), ("poll", 0.07), ("link", 0.08)),
    "bluesky": (("text", 0.25), ("photo", 0.45), ("video", 0.2), ("link", 0.1)),
}


def _plan_brand_posts(accounts: list[_Account], posts: int, r: _Draw) -> list[_Plan]:
    """Every brand post of both periods with its final counts: these carry truths 1, 2, 3 and 8."""
    plans: list[_Plan] = []
    for a in accounts[:7]:
        spec = _BRANDS[a.brand]
        cadence = spec.p_tw if a.platform == "twitter" else spec.p_bs
        slots = _market_slots(a.platform)
        for first_day, days in ((0, 90), (90, 90)):
            own = []
            for day in range(first_day, first_day + days):
                d = _FIRST_DAY + timedelta(day)
                for (wd, hour), factor in slots.items():
                    if wd == d.weekday() and (factor == _BEST_FACTOR or r.chance(cadence)):
                        second = (spec.minute + int(r.u() * 20)) * 60 + int(r.u() * 60)
                        ms = (_midnight(d) + hour * 3600 + second) * 1000 + int(r.u() * 1000)
                        own.append(_Plan(ms, a.idx, a.brand, a.platform, (wd, hour), "", ""))
            # NOTE: media, languages and engagement noise are dealt as shuffled quotas (noise from
            # normal quantiles), not drawn one by one: each account's mix is the same in both periods,
            # so medians move only where a truth says so.
            n = len(own)
            quantiles = [
                math.exp(max(-0.6, min(0.6, 0.3 * _NORMAL.inv_cdf((i + 0.5) / n)))) for i in range(n)
            ]
            for attr, mix in (
                ("media", _MEDIA_MIX[a.platform]),
                ("lang", tuple(zip(_LANGS, spec.langs, strict=True))),
                ("noise", tuple((q, 1 / n) for q in quantiles)),
            ):
                deck = [value for value, share in mix for _ in range(round(share * n))][:n]
                deck += [mix[0][0]] * (n - len(deck))
                for i in range(n - 1, 0, -1):
                    j = int(r.u() * (i + 1))
                    deck[i], deck[j] = deck[j], deck[i]
                for plan, value in zip(own, deck, strict=True):
                    setattr(plan, attr, value)
            plans += own
    plans.sort(key=lambda p: (p.ms, p.account))
    for acc in range(7):  # giveaways: never in the best slot, at most one per slot
        for first, last in ((_START_MS, _CUT_MS), (_CUT_MS, _END_MS)):
            own = [
                p for p in plans if p.account == acc and first <= p.ms < last and p.slot != _BEST[p.platform]
            ]
            used: set[tuple[int, int]] = set()
            want = _GIVEAWAYS_PER_ACCOUNT[accounts[acc].platform]
            while want and own:
                p = own.pop(int(r.u() * len(own)))
                if p.slot not in used:
                    used.add(p.slot)
                    p.giveaway, p.media, want = True, "photo", want - 1
    for day in _BREAKOUT_DAYS:  # chosen without a draw: the other truths' randomness is unchanged
        first = _midnight(day) * 1000
        p = next(p for p in plans if p.brand == _MM and p.ms >= first and p.media == "photo" and not p.giveaway
                 and p.slot != _BEST[p.platform])  # fmt: skip
        p.breakout = True
    scale = posts / DEFAULT_POSTS
    for p in plans:
        spec = _BRANDS[p.brand]
        e = (
            spec.base
            * scale
            * (spec.prev if p.ms < _CUT_MS else 1.0)
            * (_BS_FACTOR if p.platform == "bluesky" else 1.0)
        )
        e *= _market_slots(p.platform)[p.slot] * (_VIDEO_FACTOR if p.media == "video" else 1.0)
        e *= (_GIVEAWAY_FACTOR if p.giveaway else 1.0) * p.noise  # clipped: no thin slot can win by luck
        if p.breakout:  # its noise is set aside: the planted post earns the planted factor
            e *= _BREAKOUT_FACTOR / p.noise
        p.counts = tuple(
            max(0, round(e * s * (1 + max(-0.25, min(0.25, 0.1 * r.n()))))) for s in (0.78, 0.11, 0.08, 0.03)
        )
    return plans


def _slot_means(posts: list[tuple], platform: str) -> dict[tuple[int, int], tuple[int, float]]:
    """(weekday, hour) -> (brand posts, mean engagement) in the analysis period."""
    groups: dict[tuple[int, int], list[int]] = {}
    for p in posts:
        if p[0] == platform and p[1] >= _CUT_MS:
            groups.setdefault(p[2], []).append(p[3])
    return {k: (len(v), sum(v) / len(v)) for k, v in sorted(groups.items())}


def _best_slot_ok(plans: list[_Plan]) -> bool:
    rows = [(p.platform, p.ms, p.slot, p.engagement) for p in plans]
    for platform, best in _BEST.items():
        means = _slot_means(rows, platform)
        runner_up = max(m for k, (_, m) in means.items() if k != best)
        if means[best][0] < 30 or means[best][1] < 1.5 * runner_up:
            return False
    return True
