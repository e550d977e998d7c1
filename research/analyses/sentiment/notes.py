"""Plain-words notes on how sentiment was measured, for the brief's method section.

Every figure is read from the shipped models' JSON files (written by ``research train-sentiment``),
so the brief quotes what was measured, on which set, and never a number typed by hand.
"""

from __future__ import annotations

import json
from functools import lru_cache

from research.analyses.sentiment.model import MODELS_DIR

__all__ = ["LANGUAGE_NAMES", "method_note", "method_notes"]

LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "hi": "Hindi (Devanagari script)",
                  "hi-Latn": "Hinglish (Hindi in Latin letters)"}  # fmt: skip


@lru_cache(maxsize=8)
def _meta(lang: str) -> dict:
    return json.loads((MODELS_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def method_note(lang: str) -> str:
    """One paragraph for a client: what scores posts in ``lang`` and how well it did on posts it never saw."""
    meta = _meta(lang)
    name, figures = next(iter(meta["evaluation"].items()))
    base = meta["baseline"][name]
    trained = sum(meta["training_rows"].values())
    neg = figures["recall"]["negative"]
    return (
        f"{LANGUAGE_NAMES[lang]} posts are labelled positive, neutral or negative by a statistical model "
        f"(linear-{lang}-{meta['version']}) trained on {trained:,} posts labelled by people. On {figures['n']:,} "
        f"posts it had never seen ({figures['title']}) it gave the right label to {figures['accuracy']:.0%} of them "
        f"and found {neg:.0%} of the negative ones (the method used before: {base['accuracy']:.0%} right, "
        f"{base['recall']['negative']:.0%} of negatives found)."
    )


def method_notes() -> str:
    """The note for every shipped language, then how shares are corrected."""
    parts = [
        method_note(lang) for lang in ("en", "ru", "hi", "hi-Latn") if (MODELS_DIR / f"{lang}.json").is_file()
    ]
    parts.append(
        "No model is right every time, and its mistakes do not cancel out: one that calls some negative posts "
        "neutral under-counts the negative share. So shares of negative and positive mentions are not counts of "
        "labels: they are corrected for each model's measured mistakes (adjusted classify-and-count, Forman 2008) "
        "and given with a 95 % range. Posts in other languages are not scored, never counted as neutral."
    )
    return " ".join(parts)
