"""What a post says: its author, text, hashtags, links and counts."""

from __future__ import annotations

import math

from .accounts import _Account
from .draw import _Table
from .market import (
    _BRANDS,
    _BREAKOUT_TAG,
    _BRIDGE_CROSS,
    _CHILD_SPLIT,
    _COMMUNITIES,
    _CROSS,
    _CUT_MS,
    _KK,
    _MM,
    _NEG_MS,
    _TASTING_SHARE,
    _TASTING_TAG,
    _WAVE_TAG,
    DEFAULT_POSTS,
)
from .posts import (
    _BPOST,
    _BREPLY,
    _BRIGADE,
    _CMENTION,
    _CPOST,
    _MENTION,
    _QUOTE,
    _REPLY,
    _REPOST,
    _TROLL,
    _WAVE,
    _Post,
)
from .texts import _BOOKS, _BRIGADE_TEXT, _BRIGADE_WORDS, _DAYS, _EMOJI, _ITEMS, _PLACES, _T, _TOKEN


class _Content:
    """How ``_World`` decides who writes each post and what it says (mixed into ``_World``)."""

    def _near(self, a: _Account, by: str = "activity") -> int:
        """A member of ``a``'s community, or now and then (bridges: often) of a neighbouring one."""
        r, c = self.r, a.comm
        if self.neighbours[c] and r.chance(_BRIDGE_CROSS if a.bridge else _CROSS):
            c = r.pick(self.neighbours[c])
        table = self.comm_act[c] if by == "activity" else self.comm_pop[c]
        idx = table.pick(r)
        for _ in range(3):
            if idx != a.idx:
                break
            idx = table.pick(r)
        return idx

    def _fill(self, template: str, lang: str, b: int = -1, m: tuple[int, ...] = ()) -> list[tuple]:
        """Segments of a text: ("t", text) | ("m", account) | ("h", tag) | ("u", url, title, description)."""
        rt = self.rt
        if "{" in template:
            for key, values in (
                ("{item2}", _ITEMS[lang]),
                ("{item}", _ITEMS[lang]),
                ("{place}", _PLACES[lang]),
                ("{day}", _DAYS[lang]),
                ("{e}", _EMOJI),
                ("{book}", _BOOKS),
            ):
                if key in template:
                    template = template.replace(key, rt.pick(values))
            template = template.replace("{n}", str(10 + int(rt.u() * 140)))
        segs: list[tuple] = []
        for part in _TOKEN.split(template):
            if part == "{b}":
                segs.append(("m", b))
            elif part in ("{m}", "{m2}"):
                if len(m) > (part == "{m2}"):
                    segs.append(("m", m[part == "{m2}"]))
            elif part:
                segs.append(("t", part))
        return segs

    def _tags(self, post: _Post, tags: tuple[str, ...], k: int) -> None:
        table = self.tag_tables.get(tags)
        if table is None:  # Zipf-like popularity: the first tag of a list is the most used
            table = self.tag_tables[tags] = _Table(tags, [1 / (i + 1) ** 1.1 for i in range(len(tags))])
        chosen: list[str] = []
        for _ in range(3 * k):
            t = table.pick(self.rt)
            if t not in chosen:
                chosen.append(t)
            if len(chosen) == k:
                break
        for t in chosen:
            if t.isascii() and self.rt.chance(0.1):  # people type #PuneFood as often as #punefood
                t = t[0].upper() + t[1:]
            post.segs += [("t", " "), ("h", t)]

    def _decide(self, post: _Post, author: int, extra) -> None:
        r, kind, target = self.r, post.kind, post.target
        period = int(post.ms >= _CUT_MS)
        in_stretch = _NEG_MS[0] <= post.ms < _NEG_MS[1]
        if kind == _BPOST:
            plan = post.plan = extra
            a = self.accounts[plan.account]
            post.lang, post.media, post.giveaway = plan.lang, plan.media, plan.giveaway
            group = (
                "giveaway"
                if plan.giveaway
                else "recipe"
                if plan.breakout
                else plan.media
                if plan.media in ("video", "poll", "link")
                else "brand"
            )
            # NOTE: chosen from the post's time, not drawn: the other truths' randomness is unchanged.
            if group == "brand" and a.brand == _KK and (plan.ms // 1000) % 100 < 100 * _TASTING_SHARE:
                group, plan.tasting = "tasting", True
            post.segs = self._fill(r.pick(_T[group][plan.lang]), plan.lang)
            local = {"hi": ("चाय",), "ru": ("чай",)}.get(plan.lang, ())
            self._tags(
                post,
                (_BRANDS[a.brand].tag, "chai", "pune", "punefood", "chailover") + local,
                1 + int(r.u() * 3),
            )
            extra_tag = _BREAKOUT_TAG if plan.breakout else _TASTING_TAG if plan.tasting else None
            if extra_tag:
                post.segs += [("t", " "), ("h", extra_tag)]
            if plan.media == "link":
                post.link = (
                    f"https://{a.handle.split('.')[0]}.in/story/{10 + int(r.u() * 90)}",
                    "Our story",
                    "From leaf to cup.",
                )
            post.counts = plan.counts
            post.brigade = len(self.brigade_plan.get((plan.ms, plan.account), ()))
            replies, reposts, quotes = self.scraped[period]
            if in_stretch and a.brand == _MM:
                reposts *= 0.2  # nobody retweets a café people are angry with
            post.children = (
                r.binomial(plan.counts[2], replies),
                r.binomial(plan.counts[1], reposts),
                r.binomial(plan.counts[3], quotes),
            )
        elif kind == _BRIGADE:  # truth 13: a near-identical complaint, drawn nowhere (its words are planned)
            a = self.accounts[author]
            text = _BRIGADE_TEXT.format(*(pair[w] for pair, w in zip(_BRIGADE_WORDS, extra, strict=True)))
            post.segs = [("m", target.idx), ("t", " " + text)]
            post.lang, post.sentiment, post.counts = "en", "negative", (sum(extra), 0, 0, 0)
        elif kind == _BREPLY:
            a = self.accounts[author]
            post.lang = self.comm_lang[target.comm].pick(r) if target.comm >= 0 else "en"
            post.segs = self._fill(
                r.pick(_T["apology" if post.parent.negative else "answer"][post.lang]), post.lang
            )
            if a.platform == "twitter":
                post.segs[:0] = [("m", target.idx), ("t", " ")]
            post.counts = (r.poisson(1.5), 0, 0, 0)
        elif kind in (_REPLY, _REPOST, _QUOTE):
            for _ in range(4):
                author = (
                    self.by_brand[(target.platform, target.brand)].pick(r)
                    if target.brand >= 0
                    else self._near(target)
                )
                if kind != _REPOST or author not in post.parent.reposters:
                    break
            else:  # nobody can repost the same post twice: this repost is not scraped
                post.author = None
                return
            if kind == _REPOST:
                post.parent.reposters.add(author)
            a = self.accounts[author]
            post.lang = lang = self.comm_lang[a.comm].pick(r)
            complaint = in_stretch and target.brand == _MM and r.chance(0.85)
            if kind == _REPLY:
                if post.parent.giveaway:  # entries tag two friends
                    post.segs = self._fill(
                        r.pick(_T["entry"][lang]), lang, m=(self._near(a, "pop"), self._near(a, "pop"))
                    )
                elif target.brand >= 0:
                    post.sentiment = "negative" if complaint else "positive"
                    post.segs = self._fill(r.pick(_T["reply_neg" if complaint else "reply_pos"][lang]), lang)
                    if r.chance(_BRANDS[target.brand].respond):
                        post.answer = target.brand
                else:
                    post.segs = self._fill(r.pick(_T["creply"][lang]), lang)
                if a.platform == "twitter":  # a tweet reply starts with @parent
                    post.segs[:0] = [("m", target.idx), ("t", " ")]
            elif kind == _QUOTE:
                post.sentiment = "negative" if complaint else "positive"
                post.segs = self._fill(r.pick(_T["quote_neg" if complaint else "quote"][lang]), lang)
            if kind != _REPOST:
                post.counts = (r.poisson(0.8 * a.pop), r.poisson(0.05), 0, 0)
        elif kind in (_MENTION, _TROLL):
            b = extra if kind == _MENTION else None
            if author < 0:
                platform = (
                    extra[0]
                    if kind == _TROLL
                    else "twitter"
                    if b == _MM or r.chance(self.twitter_share)
                    else "bluesky"
                )
                if b is None:
                    b = self.sov[platform].pick(r)
                if kind == _TROLL or (b == _MM and in_stretch and r.chance(0.3)):
                    author = self.by_brand[(platform, -1)].pick(r)  # trolls, and people who tried it once
                else:
                    author = self.by_brand[(platform, b)].pick(r)
            a = self.accounts[author]
            lang = post.lang = self.comm_lang[a.comm].pick(r)
            if kind == _TROLL:
                template, post.lang, post.unsafe = _T["troll"]["en"][extra[1]], "en", True
            elif b == _MM and in_stretch and r.chance(0.85):
                template, post.sentiment = r.pick(_T["complaint"][lang]), "negative"
            else:
                x = r.u()
                post.sentiment = "positive" if x < 0.6 else "neutral" if x < 0.92 else "negative"
                template = r.pick(_T[post.sentiment[:3]][lang])
            post.segs = self._fill(template, post.lang, b=self.brand_acc[(b, a.platform)])
            if kind == _MENTION:
                self._tags(post, (_BRANDS[b].tag,) + _COMMUNITIES[a.comm].hashtags[:3], int(r.u() * 2))
                post.media = "photo" if r.chance(0.15) else "text"
                post.counts = (r.poisson(1.2 * a.pop), r.poisson(0.1), 0, 0)
                if r.chance(_BRANDS[b].respond):
                    post.answer = b
        elif kind == _WAVE:  # truth 10: the kulhad challenge (extra 0: the viral post, 1: a fan's)
            a = self.accounts[self.by_brand[("bluesky", _KK)].pick(r)]
            post.lang, post.sentiment, post.wave = "en", "positive", extra
            post.segs = self._fill(
                r.pick(_T["wave" if extra else "viral"]["en"]), "en", b=self.brand_acc[(_KK, "bluesky")]
            )
            post.segs += [("t", " "), ("h", _WAVE_TAG)]
            if extra:
                post.counts = (r.poisson(1.2 * a.pop), r.poisson(0.1), 0, 0)
            else:
                scale = self.posts / DEFAULT_POSTS
                post.children = tuple(
                    max(2, round(n * scale)) for n in (40, 60, 12)
                )  # replies, reposts, quotes
                post.counts = (max(20, round(700 * scale)), 0, 0, 0)
        elif kind == _CPOST:
            a = self.accounts[self.comm_act[self.comm_share.pick(r)].pick(r)]
            comm = _COMMUNITIES[a.comm]
            lang = post.lang = self.comm_lang[a.comm].pick(r)
            post.segs = self._fill(
                r.pick(_T["cpost"][comm.code] if lang == comm.lang else _T["cpost_other"][lang]), lang
            )
            self._tags(post, comm.hashtags, 1 + int(r.u() * 3))
            x = r.u()
            post.media = "photo" if x < 0.3 else "video" if x < 0.35 else "link" if x < 0.38 else "text"
            if post.media == "link":
                post.link = (
                    f"https://medium.com/@{a.handle.split('.')[0]}/{self.rt.token(12).lower()}",
                    "My café diary",
                    "Notes from Pune",
                )
            budget = self.budget[period]
            mean_children = budget["cchild"] / max(1.0, budget["cpost"])
            kids = tuple(r.poisson(mean_children * s * a.pop) for s in _CHILD_SPLIT)
            post.children = kids
            likes = round((kids[0] + kids[1] + 1) * math.exp(1.0 + 0.6 * r.n()))
            post.counts = (
                likes,
                kids[1] + r.poisson(0.3 * kids[1]),
                kids[0] + r.poisson(0.2 * kids[0]),
                kids[2],
            )
        elif kind == _CMENTION:
            a = self.accounts[author if author >= 0 else self.comm_act[self.comm_share.pick(r)].pick(r)]
            lang = post.lang = self.comm_lang[a.comm].pick(r)
            m = (self._near(a, "pop"), self._near(a, "pop"))
            post.segs = self._fill(r.pick(_T["cmention"][lang]), lang, m=m)
            self._tags(post, _COMMUNITIES[a.comm].hashtags, int(r.u() * 2))
            post.counts = (r.poisson(1.0), 0, 0, 0)
        else:  # _RING: the same promotion, lightly varied
            a = self.accounts[author]
            post.segs = [("t", r.pick(("", "WOW ", "Hurry! ", "🔥 ")))] + self._fill(
                r.pick(_T["ring"]["en"]), "en", b=self.brand_acc[(_MM, "twitter")]
            )
            post.segs.append(("t", r.pick((" 👉", " ✅ 👉", " 💯", " >>"))))
            post.link = ("https://bit.ly/mm-chai50", "Masala Mornings offer", "50% off today")
            self._tags(post, ("chai", "punefood", "offer", "masalachai"), 3)
            post.counts, post.sentiment = (int(r.u() * 3), 0, 0, 0), "positive"
        post.author = a
        if post.link:
            post.segs += [("t", " "), ("u",) + post.link]
        likes, reposts, replies, quotes = post.counts  # counts always cover the children that will be scraped
        n_reply, n_repost, n_quote = post.children
        post.counts = (
            likes,
            max(reposts, n_repost),
            max(replies, n_reply + (post.answer >= 0) + post.brigade),
            max(quotes, n_quote),
        )
