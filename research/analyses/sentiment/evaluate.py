"""Held-out evaluation sets per language and the figures reported for them.

Every set here is kept out of training (``train.training_rows`` removes their texts, normalised,
from the training rows): SemEval-2017 test and Sentiment140 test (English), RuSentiTweet test
and the SentiRuEval-2016 telecom set (Russian), the held-out 15 % of the Devanagari tweet set
and the IIT Patna reviews (Hindi; the latter research-only, so evaluation is all it may do),
SentiMix test and UMSAB test (Hinglish).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from research.analyses.sentiment import corpus
from research.analyses.sentiment.fit import confusion_matrix, macro_f1
from research.analyses.sentiment.model import CLASSES

__all__ = ["EVAL_SETS", "baseline_labels", "eval_set", "figures", "telecom_items"]

# language -> (set name, what it is); the first set of each language is its headline figure.
EVAL_SETS: dict[str, list[tuple[str, str]]] = {
    "en": [("semeval2017-test", "SemEval-2017 Task 4A test, English tweets (gold file)"),
           ("sentiment140-test", "Sentiment140 hand-labelled test, 2009 tweets (out of domain)")],
    "ru": [("telecom2016", "SentiRuEval-2016 telecom tweets, one item per (tweet, operator)"),
           ("rusentitweet-test", "RuSentiTweet test split, general tweets")],
    "hi": [("iitp-dev-test", "IIT Patna product-review sentences, dev + test (research-only: evaluation)"),
           ("hi-ods-heldout", "Devanagari tweets and sentences, the 15 % held out by text hash")],
    "hi-Latn": [("sentimix-test", "SemEval-2020 SentiMix Hinglish test"),
                ("umsab-test", "UMSAB/SAIL-2015 Hinglish test (noisy labels, published F1 0.37-0.40)")],
}  # fmt: skip
BASELINES = {"en": "vader-3.3.2", "ru": "lexicon-ru-v1", "hi": "lexicon-hi-v1", "hi-Latn": "vader-3.3.2"}


def _devanagari_major(texts: pd.Series) -> pd.Series:
    deva = texts.str.count(r"[\u0900-\u097f]")
    latin = texts.str.count(r"[A-Za-z]")
    return (deva > latin).fillna(False).astype(bool)


def telecom_items(root: str | Path) -> pd.DataFrame:
    """SentiRuEval-2016 telecom: one row per (tweet, operator) with a gold label."""
    tweets = corpus.read("telecom2016", root)
    long = tweets.melt(id_vars=["id", "text"], value_vars=list(corpus.TELECOM_OPERATORS),
                       var_name="brand", value_name="gold").dropna(subset=["gold"])  # fmt: skip
    return (
        long.rename(columns={"gold": "label"})
        .sort_values(["id", "brand"], kind="stable")
        .reset_index(drop=True)
    )


def eval_set(name: str, root: str | Path) -> pd.DataFrame:
    """The evaluation set ``name`` as ``text, label`` (plus ``id, brand`` for the telecom set)."""
    if name == "semeval2017-test":
        f = corpus.read("semeval", root)
        f = f[f["split"] == "test"]
    elif name == "sentiment140-test":
        f = corpus.read("sentiment140", root)
    elif name == "telecom2016":
        return telecom_items(root)
    elif name == "rusentitweet-test":
        f = corpus.read("rusentitweet", root)
        f = f[f["split"] == "test"]
    elif name == "hi-ods-heldout":
        f = corpus.read("hi_ods", root)
        f = f[(f["split"] == "test") & _devanagari_major(f["text"])]
    elif name == "iitp-dev-test":
        f = corpus.read("iitp", root)
        f = f[f["split"].isin(["dev", "test"])]
    elif name == "sentimix-test":
        f = corpus.read("sentimix", root)
        f = f[f["split"] == "test"]
    elif name == "umsab-test":
        f = corpus.read("umsab", root)
        f = f[f["split"] == "test"]
    else:
        raise KeyError(name)
    return f.dropna(subset=["label"])[["text", "label"]].reset_index(drop=True)


def baseline_labels(texts: pd.Series, lang: str) -> pd.Series:
    """Labels from the method each model replaces: VADER (English, Hinglish) or the hand lexicons."""
    from research.analyses import text as legacy  # the documented baselines live there

    values = [legacy._vader_score(t) if BASELINES[lang].startswith("vader") else legacy.sentiment_of(t, lang)
              for t in texts.fillna("")]  # fmt: skip
    score = np.asarray(values, dtype=float)
    labels = np.where(
        score >= legacy.THRESHOLD, "positive", np.where(score <= -legacy.THRESHOLD, "negative", "neutral")
    )
    return pd.Series(labels, index=texts.index, dtype="string")


def figures(gold: pd.Series, pred: pd.Series) -> dict:
    """n, accuracy, macro-F1, recall per class, the confusion matrix (rows true), true and predicted shares."""
    index = {c: i for i, c in enumerate(CLASSES)}
    y = gold.map(index).to_numpy(dtype=int)
    p = pred.fillna("neutral").map(index).to_numpy(dtype=int)
    cm = confusion_matrix(y, p)
    rows = cm.sum(axis=1)
    return {
        "n": int(cm.sum()),
        "accuracy": round(float(np.trace(cm) / cm.sum()), 4),
        "macro_f1": round(macro_f1(cm), 4),
        "recall": {
            c: round(float(cm[i, i] / rows[i]), 4) if rows[i] else None for i, c in enumerate(CLASSES)
        },
        "confusion": cm.astype(int).tolist(),
        "true_share": {c: round(float(rows[i] / cm.sum()), 4) for i, c in enumerate(CLASSES)},
        "predicted_share": {c: round(float(cm[:, i].sum() / cm.sum()), 4) for i, c in enumerate(CLASSES)},
    }


TELECOM_ALIASES = {name: corpus.ALIASES[name] for name in corpus.TELECOM_OPERATORS}


def telecom_labels(items: pd.DataFrame, *, models: str | Path | None = None) -> tuple[pd.Series, pd.Series]:
    """Text-level and entity-level predictions for the telecom items (``telecom_items``).

    Entity level: the clause rule toward the item's operator; where the operator's name is not
    found in the text, the text-level label.
    """
    from research.analyses.sentiment.entity import entity_sentiment_frame
    from research.analyses.sentiment.route import score

    tweets = items.drop_duplicates("id")[["id", "text"]].set_index("id")["text"]
    russian = pd.Series("ru", index=tweets.index, dtype="string")
    text_level = score(tweets, russian, models=models)["sentiment"]
    entity = entity_sentiment_frame(tweets, russian, TELECOM_ALIASES, models=models)
    by_entity = entity.set_index(["row", "brand"])["sentiment"]
    text_pred = items["id"].map(text_level).astype("string")
    keys = pd.MultiIndex.from_arrays([items["id"], items["brand"]])
    entity_pred = pd.Series(by_entity.reindex(keys).to_numpy(), index=items.index, dtype="string")
    return text_pred, entity_pred.fillna(text_pred)
