"""Sentiment toward each brand a text names (``entity_sentiment``).

"МТС отличный, а Билайн опять без связи" is one text but two opinions. The clause rule:

1. Mentions: a brand matches where one of its names (or aliases) starts a word, followed by at
   most four more word characters, so inflected forms match without listing them (МТС/МТСа,
   Билайн/Билайна/Билайном, Мегафон/Мегафону) and so do handles and tags (@mts_ru, #билайн).
2. A text naming one brand gives it the whole text's sentiment.
3. A text naming several is cut into regions, one per run of mentions of the same brand: the
   cut between a mention of A and the next mention of B goes at the last clause boundary
   between them (``. ! ? ; , …`` or a contrasting conjunction: но, а, зато, однако, but,
   however, whereas, while, लेकिन, मगर, lekin, magar), or right before B's mention when there
   is none. The text before the first mention belongs to the first brand, after the last to the last.
4. Each brand's regions, joined, are scored by the model of the text's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from research.analyses.sentiment.route import score

__all__ = ["brand_spans", "entity_sentiment", "entity_sentiment_frame"]

_BOUNDARY = re.compile(
    r"[.!?;,…\n]+|\s(?:но|а|зато|однако|but|however|whereas|while|though|although|लेकिन|मगर|lekin|magar)\s",
    re.IGNORECASE,
)


def _aliases(brands: Mapping[str, Iterable[str]] | Sequence[str]) -> dict[str, list[str]]:
    if isinstance(brands, Mapping):
        return {name: [name, *aliases] for name, aliases in brands.items()}
    return {name: [name] for name in brands}


def _pattern(names: list[str]) -> re.Pattern:
    forms = sorted({n.strip().lower().replace("ё", "е") for n in names if n.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(f).replace(r"\ ", r"\s*") for f in forms)
    return re.compile(rf"(?<![\w])[@#]?(?:{body})\w{{0,4}}(?!\w)", re.IGNORECASE)


def brand_spans(text: str, brands: Mapping[str, Iterable[str]] | Sequence[str]) -> list[tuple[int, int, str]]:
    """``(start, end, brand)`` of every brand mention in ``text``, in order.

    >>> brand_spans("Перешёл с МТСа на Билайн, @mts_ru не звоните", {"МТС": ["mts"], "Билайн": ["beeline"]})
    [(10, 14, 'МТС'), (18, 24, 'Билайн'), (26, 33, 'МТС')]
    """
    folded = text.lower().replace("ё", "е")
    spans = []
    for name, names in _aliases(brands).items():
        spans += [(m.start(), m.end(), name) for m in _pattern(names).finditer(folded)]
    spans.sort()
    out: list[tuple[int, int, str]] = []
    for span in spans:  # overlapping matches (an alias inside another brand's name): the first wins
        if not out or span[0] >= out[-1][1]:
            out.append(span)
    return out


def _regions(text: str, spans: list[tuple[int, int, str]]) -> dict[str, str]:
    """Each brand's part of ``text`` by the clause rule (module docstring)."""
    runs: list[list] = []  # [brand, first start, last end]
    for start, end, brand in spans:
        if runs and runs[-1][0] == brand:
            runs[-1][2] = end
        else:
            runs.append([brand, start, end])
    cuts = [0]
    for left, right in zip(runs, runs[1:], strict=False):
        between = [m.start() for m in _BOUNDARY.finditer(text, left[2], right[1])]
        cuts.append(between[-1] if between else right[1])
    cuts.append(len(text))
    parts: dict[str, list[str]] = {}
    for k, run in enumerate(runs):
        parts.setdefault(run[0], []).append(text[cuts[k] : cuts[k + 1]].strip(" ,;"))
    return {brand: " … ".join(p) for brand, p in parts.items()}


def entity_sentiment_frame(
    texts: pd.Series,
    langs: pd.Series,
    brands: Mapping[str, Iterable[str]] | Sequence[str],
    *,
    models: str | Path | None = None,
) -> pd.DataFrame:
    """Sentiment toward each brand named in each text.

    Returns
    -------
    DataFrame
        One row per (text, brand named in it): ``row`` (the index label of the text),
        ``brand``, ``sentiment``, ``score``, ``method``, ``part`` (the text the label
        comes from: the whole text, or the brand's clauses).
    """
    rows = []
    for idx, text, lang in zip(texts.index, texts.astype("string").fillna(""), langs, strict=True):
        spans = brand_spans(text, brands)
        named = list(dict.fromkeys(b for _, _, b in spans))
        regions = {named[0]: text} if len(named) == 1 else _regions(text, spans) if named else {}
        rows += [{"row": idx, "brand": b, "part": part, "lang": lang} for b, part in regions.items()]
    frame = pd.DataFrame(rows, columns=["row", "brand", "part", "lang"])
    scored = score(frame["part"], frame["lang"].astype("string"), models=models)
    return pd.concat([frame.drop(columns="lang"), scored], axis=1)[
        ["row", "brand", "sentiment", "score", "method", "part"]
    ]


def entity_sentiment(
    text: str,
    brands: Mapping[str, Iterable[str]] | Sequence[str],
    lang: str,
    *,
    models: str | Path | None = None,
) -> dict[str, str | None]:
    """Label (``positive``/``neutral``/``negative``) toward each brand named in ``text``.

    ``brands`` are names, or a mapping of name to aliases. Brands not named are left out;
    a text in a language without a model gives ``None`` per brand.

    >>> entity_sentiment("МТС молодцы, всё работает отлично, а Билайн опять без связи, ужас", ["МТС", "Билайн"], "ru")
    {'МТС': 'positive', 'Билайн': 'negative'}
    """
    frame = entity_sentiment_frame(pd.Series([text]), pd.Series([lang]), brands, models=models)
    return {
        b: (None if pd.isna(s) else str(s)) for b, s in zip(frame["brand"], frame["sentiment"], strict=True)
    }
