"""Engagement mechanics: giveaways, contests, polls, quizzes and questions.

Detection uses platform fields first (``media_type == "poll"`` is a poll), then
keyword rules in English, Hindi and Russian, applied to the lower-cased text
with links removed. The rules are regular expressions in ``RULES`` so an analyst
can read, extend and cite them. A post can carry several mechanics.

Rules are written for recall on marketing posts, not for every phrasing:
English and Russian patterns are anchored at word starts (Russian ones are
stems, to catch inflections: ``розыгр`` matches розыгрыш, розыгрыша,
разыгрываем is separate); Hindi patterns are plain substrings because Python's
``\\b`` is unreliable inside Devanagari words (vowel signs are not word
characters). A question is any ``?`` outside links, or an explicit call to
answer ("tell us", "напишите в комментариях", "कमेंट में बताएं").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from research.analyses.metrics import Period, own_posts, why_empty
from research.analyses.stats import ALPHA, uplift
from research.brands import Brand, brand_names

__all__ = ["RULES_NOTE", "MECHANICS", "RULES", "detect_mechanics", "mechanics_by_brand", "mechanics_uplift"]

RULES_NOTE = (
    "Giveaways, contests, polls, quizzes and questions are found from the platform's poll field and keyword "
    "rules in English, Hindi and Russian; each is compared with plain posts (no mechanic), each post against "
    "its own account's usual engagement."
)
MECHANICS: tuple[str, ...] = ("giveaway", "contest", "poll", "quiz", "question")

# mechanic -> language -> pattern (compiled case-insensitively on lower-cased text)
RULES: dict[str, dict[str, str]] = {
    "giveaway": {
        "en": r"\bgive ?aways?\b|\bgiving away\b|\bfreebies?\b|\bchance to win\b|\b(?:rt|retweet|repost|share|like)"
        r"\W+(?:and|&|\+)?\W*(?:follow\W+)?to win\b|\bwin (?:a|an|one|free|2|two)\b|\bprize draw\b|\blucky draw\b",
        "ru": r"\bрозыгр|\bразыгр|\bраздач|\bраздаём|\bраздаем|\bдарим\b|\bвыигра(?:й|йте|ть|ет)\b|\bприз(?:ы|ов)?\b",
        "hi": r"गिवअवे|गिव अवे|मुफ्त|मुफ़्त|जीतने का मौका|जीतें|जीतिए|इनाम|उपहार",
    },
    "contest": {
        "en": r"\bcontests?\b|\bcompetitions?\b|\bchallenge\b|\bsubmit your\b|\bentries\b|\bbest (?:photo|caption|story)\b",
        "ru": r"\bконкурс|\bсоревнован|\bчеллендж",
        "hi": r"प्रतियोगिता|कॉन्टेस्ट|कांटेस्ट|चैलेंज",
    },
    "poll": {
        "en": r"\bpolls?\b|\bvote\b|\bvoting\b|\bcast your vote\b|\bwhich (?:one )?do you prefer\b",
        "ru": r"\bопрос\b|\bопроса\b|\bголосуй|\bголосован|\bпроголосу",
        "hi": r"पोल|मतदान|वोट",
    },
    "quiz": {
        "en": r"\bquiz(?:zes)?\b|\btrivia\b|\bguess (?:the|what|who|which|how)\b|\bcan you guess\b",
        "ru": r"\bвикторин|\bугада(?:й|йте|ть)\b|\bквиз",
        "hi": r"क्विज़|क्विज|प्रश्नोत्तरी|पहेली|अंदाज़ा लगाइए|अंदाजा लगाइए",
    },
    "question": {
        "en": r"\?|\btell us\b|\blet us know\b|\bcomment below\b|\bdrop (?:a|your) \w+ (?:below|in the comments)",
        "ru": r"\?|\bнапишите в комментари|\bрасскажите\b|\bподелитесь\b",
        "hi": r"\?|बताइए|बताएं|बताएँ|कमेंट में|कमेंट करें",
    },
}

_URL = re.compile(r"https?://\S+|www\.\S+")
_COMPILED = {m: re.compile("|".join(f"(?:{p})" for p in by_lang.values())) for m, by_lang in RULES.items()}


def detect_mechanics(posts: pd.DataFrame) -> pd.DataFrame:
    """Boolean columns ``giveaway, contest, poll, quiz, question`` aligned with ``posts``.

    Examples
    --------
    >>> from research.schema import posts_frame
    >>> p = posts_frame([{"platform": "vk", "post_id": "1", "text": "Большой РОЗЫГРЫШ призов!"},
    ...                  {"platform": "twitter", "post_id": "2", "text": "Which chai? Vote now", "media_type": "poll"}])
    >>> detect_mechanics(p).astype(int).to_dict("list")
    {'giveaway': [1, 0], 'contest': [0, 0], 'poll': [0, 1], 'quiz': [0, 0], 'question': [0, 0]}
    """
    text = posts["text"].fillna("").str.lower().str.replace(_URL, " ", regex=True)
    out = pd.DataFrame(
        {m: text.str.contains(rx, regex=True).fillna(False).astype(bool) for m, rx in _COMPILED.items()},
        index=posts.index,
    )
    out["poll"] = out["poll"] | (posts["media_type"] == "poll").fillna(False).astype(bool)
    out["question"] = out["question"] & ~out["poll"]  # a poll asks its question: it is one mechanic
    return out


def mechanics_by_brand(posts: pd.DataFrame, brands: Sequence[Brand], period: Period) -> pd.DataFrame:
    """How often each brand uses each mechanic and what it earns.

    Columns: ``brand, mechanic, posts`` (own posts using it), ``share`` (of the
    brand's own posts), ``engagement_median`` (of those posts; NULL if none). Mechanics no
    brand used are left out.
    """
    own, flags = _own_mechanics(posts, brands, period)
    rows = []
    used_by_any = [m for m in MECHANICS if flags[m].any()]
    for name in brand_names(brands):
        mine = own["brand"] == name
        for m in used_by_any:
            used = mine & flags[m]
            eng = own.loc[used, "engagement"].dropna()
            rows.append({"brand": name, "mechanic": m, "posts": int(used.sum()),
                         "share": used.sum() / mine.sum() if mine.sum() else None,
                         "engagement_median": float(eng.median()) if len(eng) else None})  # fmt: skip
    columns = ["brand", "mechanic", "posts", "share", "engagement_median"]
    out = pd.DataFrame(rows, columns=columns).astype({"share": "Float64", "engagement_median": "Float64"})
    if out.empty:
        why = "No brand ran a giveaway, contest, poll or question in the period." if len(own) else _NO_OWN
        return why_empty(out, why)
    return out


_NO_OWN = "No brand has own posts in the period, so no mechanic can be measured."


def mechanics_uplift(
    posts: pd.DataFrame,
    brands: Sequence[Brand],
    period: Period,
    *,
    min_support: int = 5,
    alpha: float = ALPHA,
    seed: int = 0,
) -> pd.DataFrame:
    """Engagement of each mechanic against plain posts (no mechanic), all brands pooled.

    ``uplift`` is the ratio of the median relative engagement (engagement over the account's
    median, see ``research.analyses.metrics``) of own posts using the mechanic to that of own
    posts using none, with a bootstrap interval and a Benjamini–Hochberg-adjusted Mann–Whitney
    p-value (``research.analyses.stats.uplift``). ``feature`` holds the mechanic; mechanics no
    brand used are left out (they have nothing to measure).
    """
    own, flags = _own_mechanics(posts, brands, period)
    flags = flags.loc[:, flags.any(axis=0)]
    out = uplift(own["relative_engagement"], flags, min_support=min_support, alpha=alpha, seed=seed,
                 reference=~flags.any(axis=1) if flags.shape[1] else None)  # fmt: skip
    out = out.assign(reference="plain posts")
    if out.empty:
        why = (f"No giveaway, contest, poll or question was run on {min_support} or more own posts in the period."
               if len(own) else _NO_OWN)  # fmt: skip
        return why_empty(out, why)
    return out


def _own_mechanics(
    posts: pd.DataFrame, brands: Sequence[Brand], period: Period
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Own posts in the period and their mechanics."""
    own = own_posts(posts, None, brands, period)
    return own, detect_mechanics(own)
