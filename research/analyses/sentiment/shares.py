"""Per-brand shares of negative and positive mentions, for the brief: estimate, 95 % interval, method.

``brand_shares`` takes the brief's mention rows (one per mention: the brand, the predicted label,
and the method that scored it or the post's language) and gives per brand the share of negative
and of positive mentions, each with a 95 % interval, and how the share was made:

- ``calibrated``: corrected for the model's confusion, as far as the held-out check allows
  (``calibrate.share_check``: ``λ`` and the allowance shipped in the model's JSON);
- ``counted``: the share of labels, where the correction did not help on held-out data, or where
  the label comes from a baseline (a word list) that has no correction; the interval then also
  allows for the counting error measured on that language's first evaluation set;
- ``calibrated and counted``: a brand whose mentions span languages of both kinds.

A brand whose mentions are in several languages gets the mention-weighted mix of each language's
estimate, its bootstrap draws and its allowance. ``share_notes`` gives the plain sentences per language.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from research.analyses.sentiment.calibrate import share_draws
from research.analyses.sentiment.model import CLASSES

__all__ = ["brand_shares", "share_notes"]

_MODEL_NAMES = ("en", "ru", "hi", "hi-Latn")


def _model_name(method: object, lang: object) -> str | None:
    """The shipped model behind a row: from its method (``linear-ru-2``, ``lexicon-hi-v1``) or its language."""
    if isinstance(method, str) and method.startswith("linear-"):
        rest = method.removeprefix("linear-")
        return next((n for n in ("hi-Latn", "en", "ru", "hi") if rest.startswith(n + "-")), None)
    if isinstance(method, str):
        baselines = {"lexicon-ru-v1": "ru", "lexicon-hi-v1": "hi", "vader-3.3.2": "en"}
        if method in baselines:
            return baselines[method]
    if isinstance(lang, str) and lang:
        if lang in _MODEL_NAMES:
            return lang
        primary = lang.split("-")[0].lower()
        return primary if primary in _MODEL_NAMES else None
    return None


def _terms(name: str, baseline: bool) -> tuple[np.ndarray, float, float, str]:
    """Confusion, ``λ``, allowance and method for rows of model ``name`` (or its baseline)."""
    from research.analyses.sentiment.route import model_for

    model = model_for(name)
    if baseline or model.info.get("route") == "baseline":
        first = next(iter(model.info["evaluation"]))
        figures = model.info["baseline"][first]
        error = np.mean(
            [abs(figures["predicted_share"][c] - figures["true_share"][c]) for c in ("negative", "positive")]
        )
        return np.eye(len(CLASSES)) * 1000, 0.0, float(error), "counted"
    check = model.info.get("shares") or {}
    shrink = float(check.get("shrink", 1.0))
    return (
        model.confusion,
        shrink,
        float(check.get("allowance", 0.0)),
        ("calibrated" if shrink > 0 else "counted"),
    )


def brand_shares(
    mentions: pd.DataFrame,
    *,
    brand: str = "brand",
    sentiment: str = "sentiment",
    method: str = "sentiment_method",
    lang: str = "lang",
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Share of negative and positive mentions per brand, with a ``level`` interval and the method.

    Parameters
    ----------
    mentions : DataFrame
        One row per mention: ``brand``, ``sentiment`` (predicted label; NA where not scored), and
        ``method`` (as ``score_sentiment`` writes it, e.g. ``linear-ru-2``, ``lexicon-hi-v1``) or,
        failing that, ``lang`` (``en``, ``ru``, ``hi``, ``hi-Latn`` or a BCP-47 code).

    Returns
    -------
    DataFrame
        One row per brand (sorted): ``brand``, ``mentions``, ``scored``, ``negative_share``,
        ``negative_low``, ``negative_high``, ``positive_share``, ``positive_low``,
        ``positive_high``, ``negative_counted``, ``positive_counted`` (raw shares of labels),
        ``method`` (``calibrated``, ``counted``, ``calibrated and counted``; ``none scored``).

    Examples
    --------
    >>> rows = pd.DataFrame({"brand": ["A"] * 6, "sentiment": ["negative"] * 3 + ["neutral", "positive", None],
    ...                      "sentiment_method": ["linear-en-2"] * 5 + ["not scored"]})
    >>> out = brand_shares(rows).iloc[0]
    >>> int(out["mentions"]), int(out["scored"]), float(out["negative_counted"])
    (6, 5, 0.6)
    >>> bool(out["negative_low"] <= out["negative_share"] <= out["negative_high"])
    True
    """
    frame = mentions
    methods = frame[method] if method in frame else pd.Series(pd.NA, index=frame.index)
    langs = frame[lang] if lang in frame else pd.Series(pd.NA, index=frame.index)
    names = [_model_name(m, g) for m, g in zip(methods.astype(object), langs.astype(object), strict=True)]
    baseline = [isinstance(m, str) and not m.startswith("linear-") for m in methods.astype(object)]
    work = pd.DataFrame({"brand": frame[brand].to_numpy(), "label": frame[sentiment].astype("string").to_numpy(),
                         "model": names, "baseline": baseline}, index=frame.index)  # fmt: skip
    tail = (1 - level) / 2 * 100
    out = []
    for key, part in work.groupby("brand", sort=True, dropna=False):
        scored = part[part["label"].isin(CLASSES) & part["model"].notna()]
        row = {"brand": key, "mentions": len(part), "scored": len(scored)}
        if scored.empty:
            out.append({**row, "method": "none scored"})
            continue
        estimate, draws, allowance, kinds = np.zeros(3), 0.0, 0.0, set()
        counted = np.array([(scored["label"] == c).mean() for c in CLASSES])
        for (name, is_base), lang_part in scored.groupby(["model", "baseline"], sort=True):
            counts = np.array([(lang_part["label"] == c).sum() for c in CLASSES], dtype=float)
            cm, shrink, allow, kind = _terms(str(name), bool(is_base))
            est, sample = share_draws(counts, cm, shrink, seed=seed)
            weight = len(lang_part) / len(scored)
            estimate, draws, allowance = (
                estimate + weight * est,
                draws + weight * sample,
                allowance + weight * allow,
            )
            kinds.add(kind)
        low, high = np.percentile(draws, [tail, 100 - tail], axis=0)
        for i, c in ((0, "negative"), (2, "positive")):
            row[f"{c}_share"] = float(estimate[i])
            row[f"{c}_low"] = float(np.clip(min(low[i], estimate[i]) - allowance, 0, 1))
            row[f"{c}_high"] = float(np.clip(max(high[i], estimate[i]) + allowance, 0, 1))
            row[f"{c}_counted"] = float(counted[i])
        row["method"] = " and ".join(sorted(kinds))
        out.append(row)
    columns = ["brand", "mentions", "scored", "negative_share", "negative_low", "negative_high", "positive_share",
               "positive_low", "positive_high", "negative_counted", "positive_counted", "method"]  # fmt: skip
    return pd.DataFrame(out, columns=columns)


def share_notes(languages: Iterable[str] = _MODEL_NAMES) -> dict[str, str]:
    """Per language, the plain sentences a brief quotes: what labelled the posts, how it measured, how shares were made."""
    from research.analyses.sentiment.notes import method_note

    return {lang: method_note(lang) for lang in languages if lang in _MODEL_NAMES}
