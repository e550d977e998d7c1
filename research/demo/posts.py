"""Kinds of posts, and a post while the world is simulated: about to be written, or awaiting children."""

from __future__ import annotations

# --- the world -----------------------------------------------------------------------------------

_BPOST, _BREPLY, _REPLY, _REPOST, _QUOTE, _MENTION, _CPOST, _CMENTION, _RING, _TROLL, _BRIGADE, _WAVE = range(
    12
)
_KIND = ("post", "reply", "reply", "repost", "quote", "post", "post", "post", "post", "post", "reply", "post")
_PLURAL = {"reply": "replies", "repost": "reposts", "quote": "quotes"}
_DELAY = {_REPLY: 45.0, _REPOST: 120.0, _QUOTE: 180.0}  # median minutes before a child appears


class _Live:
    """A written post whose replies, reposts or quotes are still to come."""

    __slots__ = (
        "author",
        "tw",
        "tw_json",
        "tw_id",
        "conv",
        "view_json",
        "record_json",
        "embed_json",
        "indexed",
        "counts",
        "uri",
        "cid",
        "root_uri",
        "root_cid",
        "root_json",
        "pending",
        "reposters",
        "giveaway",
        "negative",
    )


class _Post:
    """What one post is about to say: decided in ``_World._decide``, rendered in ``_World._write``."""

    __slots__ = (
        "kind",
        "ms",
        "seq",
        "author",
        "parent",
        "target",
        "segs",
        "lang",
        "media",
        "link",
        "counts",
        "children",
        "answer",
        "giveaway",
        "sentiment",
        "plan",
        "unsafe",
        "brigade",
        "wave",
    )

    def __init__(self, kind: int, ms: int, seq: int) -> None:
        self.kind, self.ms, self.seq = kind, ms, seq
        self.parent = self.target = self.link = self.plan = self.author = None
        self.segs, self.lang, self.media, self.sentiment = [], "en", "text", "neutral"
        self.counts, self.children, self.answer = (0, 0, 0, 0), (0, 0, 0), -1
        self.giveaway = self.unsafe = False
        self.brigade = 0  # brigade replies this brand post will get (truth 13)
        self.wave = -1  # truth 10: 0 for the viral post, 1 for a fan's post about it
