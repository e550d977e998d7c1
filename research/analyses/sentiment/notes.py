"""Plain-words notes on how sentiment was measured, for the brief's method section.

Every figure is read from the shipped models' JSON files (written by ``research train-sentiment``),
so the brief quotes what was measured, on which set, and never a number typed by hand.
"""

from __future__ import annotations

import json
from functools import lru_cache

from research.analyses.sentiment.model import MODELS_DIR

__all__ = ["LANGUAGE_NAMES", "SET_NAMES", "method_note", "method_notes", "share_note", "uses_baseline"]

LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "hi": "Hindi (Devanagari script)",
                  "hi-Latn": "Hinglish (Hindi in Latin letters)"}  # fmt: skip
# What each evaluation set is, for a client: who wrote the posts and who labelled them.
SET_NAMES = {
    "semeval2017-test": "English tweets labelled by people (SemEval-2017 test set)",
    "sentiment140-test": "English tweets from 2009 labelled by people (Sentiment140 test set)",
    "telecom2016": "Russian tweets about mobile operators, each judged by people per operator (SentiRuEval-2016)",
    "rusentitweet-test": "Russian tweets labelled by people (RuSentiTweet test set)",
    "iitp-dev-test": "Hindi product-review sentences labelled by people (IIT Patna, research use)",
    "hi-ods-heldout": "Hindi tweets and sentences of unknown origin, labelled",
    "sentimix-test": "Hinglish tweets labelled by people (SemEval-2020 SentiMix test set)",
    "umsab-test": "Hinglish tweets with noisy labels (SAIL-2015)",
}
_BASELINE_NAMES = {"vader-3.3.2": "the VADER word list", "lexicon-ru-v1": "a hand-built Russian word list",
                   "lexicon-hi-v1": "a hand-built Hindi word list"}  # fmt: skip


@lru_cache(maxsize=8)
def _meta(lang: str) -> dict:
    return json.loads((MODELS_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def uses_baseline(lang: str) -> bool:
    """Whether posts in ``lang`` are scored by the baseline, which measured better than the model (``train._route``)."""
    return _meta(lang).get("route") == "baseline"


def method_note(lang: str) -> str:
    """Two or three sentences for a client: what labels posts in ``lang`` and how often it agreed with people.

    >>> "the same label as the person" in method_note("en")
    True
    """
    meta = _meta(lang)
    name, figures = next(iter(meta["evaluation"].items()))
    baseline = meta["baseline"]
    if uses_baseline(lang):
        figures = baseline[name]
        who = (f"{LANGUAGE_NAMES[lang]} posts are labelled positive, neutral or negative with "
               f"{_BASELINE_NAMES.get(baseline['method'], baseline['method'])} ({baseline['method']}): it measured "
               f"better than the trained model on the test below")  # fmt: skip
    else:
        trained = sum(
            sum(src["rows"].values()) for src in meta["sources"] if not src["set"].startswith("lexicon-")
        )
        who = (f"{LANGUAGE_NAMES[lang]} posts are labelled positive, neutral or negative by a statistical model "
               f"(linear-{lang}-{meta['version']}) trained on {trained:,} labelled posts")  # fmt: skip
    neg = figures["recall"]["negative"]
    return (
        f"{who}. On {figures['n']:,} {SET_NAMES.get(name, name)}, none of them used in training, it gave the same "
        f"label as the person {figures['accuracy']:.0%} of the time and found {neg:.0%} of the posts the person "
        f"called negative. {share_note(lang)}"
    )


def share_note(lang: str) -> str:
    """How shares in ``lang`` are estimated, with the error measured on held-out groups, in plain words."""
    meta = _meta(lang)
    check = meta.get("shares") or {}
    allowance = check.get("allowance")
    if uses_baseline(lang) or not check:
        return ("Shares of negative and positive posts are counts of these labels, with a range that allows for "
                "the counting error measured on that test.")  # fmt: skip
    if check.get("method") == "counted":
        how = ("Shares of negative and positive posts are counts of the model's labels: correcting them for its "
               "measured mistakes did not bring them closer to the truth on groups of posts held out from training")  # fmt: skip
    else:
        part = "" if check.get("shrink", 1.0) >= 1 else "partly "
        how = (f"Shares of negative and positive posts are {part}corrected for the model's measured mistakes (so a "
               "model that misses some negative posts does not under-count them), as far as that helped on groups "
               "of posts held out from training")  # fmt: skip
    return (f"{how}. There they were {100 * allowance:.1f} points from the true share on average; the 95 % range "
            f"given allows for that as well as for the number of posts.")  # fmt: skip


def method_notes() -> str:
    """The note for every shipped language, then how posts in other languages are treated."""
    parts = [
        method_note(lang) for lang in ("en", "ru", "hi", "hi-Latn") if (MODELS_DIR / f"{lang}.json").is_file()
    ]
    parts.append("Posts in other languages are not scored, never counted as neutral.")
    return " ".join(parts)
