"""Training the shipped models from ``shared/corpus/sentiment-train`` (``research train-sentiment``).

Per language: the rows of the sets whose terms allow a shipped model (``corpus.SOURCES[...]
.trainable``), minus every text (normalised) that occurs in an evaluation set of that language,
deduplicated, texts with conflicting labels dropped. 15 % of the rows, chosen by a hash of the
normalised text, are held out as the *calibration split*: the model is trained on the rest,
classes weighted to equal total weight, and its confusion matrix on the held-out 15 % ships
with it (``calibrate.estimate_shares`` corrects shares with it). Everything is a pure function
of the corpus files: a rerun writes byte-identical model files.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from research.analyses.sentiment import corpus
from research.analyses.sentiment.evaluate import (
    BASELINES,
    EVAL_SETS,
    baseline_labels,
    eval_set,
    figures,
    telecom_labels,
)
from research.analyses.sentiment.features import FeatureSpec
from research.analyses.sentiment.fit import balanced_weights, confusion_matrix, design, fit, macro_f1
from research.analyses.sentiment.model import CLASSES, LinearModel

__all__ = ["LANGUAGES", "L2", "VERSION", "train_language", "training_rows", "train_all"]

VERSION = "1"
LANGUAGES = ("en", "ru", "hi", "hi-Latn")
# NOTE: one penalty for every language, chosen on the English calibration split (1e-4, 3e-5, 1e-5
# tried: macro-F1 0.618, 0.640, 0.648); never on an evaluation set.
L2 = 1e-5
HELD_OUT_PERCENT = 15


def _devanagari_major(texts: pd.Series) -> pd.Series:
    return (texts.str.count(r"[\u0900-\u097f]") > texts.str.count(r"[A-Za-z]")).fillna(False).astype(bool)


# language -> [(set, which rows train)]
TRAINING: dict[str, list[tuple[str, Callable[[pd.DataFrame], pd.Series]]]] = {
    "en": [("semeval", lambda f: f["split"] == "train")],
    "ru": [
        ("rusentitweet", lambda f: f["split"] == "train"),
        ("sentirueval2015", lambda f: f["split"] == "train"),
    ],
    "hi": [("hi_ods", lambda f: (f["split"] == "train") & _devanagari_major(f["text"]))],
    "hi-Latn": [("sentimix", lambda f: f["split"].isin(["train", "dev"]))],
}


def training_rows(root: str | Path, lang: str) -> tuple[pd.DataFrame, dict]:
    """Training rows ``text, label, source, held_out`` for ``lang`` and a report of what was removed."""
    frames = []
    for name, rows in TRAINING[lang]:
        if not corpus.SOURCES[name].trainable:
            raise ValueError(f"{name} may not train a shipped model ({corpus.SOURCES[name].licence})")
        f = corpus.read(name, root)
        frames.append(f.loc[rows(f) & f["label"].notna(), ["text", "label", "source"]])
    if lang == "hi":
        frames.append(_lexicon_rows())
    rows = pd.concat(frames, ignore_index=True)
    rows["key"] = corpus.dedupe_key(rows["text"])
    evaluation = set()
    for name, _ in EVAL_SETS[lang]:
        evaluation |= set(corpus.dedupe_key(eval_set(name, root)["text"]))
    report = {"rows_read": len(rows)}
    rows = rows[(rows["key"] != "") & ~rows["key"].isin(evaluation)]
    report["removed_as_in_evaluation_sets"] = report["rows_read"] - len(rows)
    labels_per_key = rows.groupby("key")["label"].nunique()
    conflicting = rows["key"].map(labels_per_key) > 1
    report["removed_conflicting_labels"] = int(conflicting.sum())
    rows = rows[~conflicting]
    before = len(rows)
    rows = rows.drop_duplicates("key").reset_index(drop=True)
    report["removed_duplicates"] = before - len(rows)
    # salted: the Devanagari set's own evaluation split is already cut by the plain hash
    rows["held_out"] = rows["key"].map(
        lambda k: zlib.crc32(("calibration " + k).encode("utf-8")) % 100 < HELD_OUT_PERCENT
    )
    return rows.drop(columns="key"), report


def _lexicon_rows() -> pd.DataFrame:
    """The hand-written Hindi lexicon (lexicon-hi-v1, written from general knowledge) as one-word rows.

    NOTE: the only Devanagari training set is mostly news and politics, where "बहुत खराब सेवा" is
    rare; each lexicon word labelled by its valence teaches the model everyday praise and complaint.
    """
    from research.analyses.text import _HI_LEXICON, _parse  # the baseline's own word list

    words, _ = _parse(_HI_LEXICON)
    return pd.DataFrame({"text": list(words), "label": ["positive" if v > 0 else "negative" for v in words.values()],
                         "source": "lexicon-hi-v1"})  # fmt: skip


def _classes(labels: pd.Series) -> np.ndarray:
    return labels.map({c: i for i, c in enumerate(CLASSES)}).to_numpy(dtype=int)


def _counts(labels: pd.Series) -> dict[str, int]:
    return {c: int((labels == c).sum()) for c in CLASSES}


def train_language(root: str | Path, lang: str, *, l2: float = L2, bits: int = 18) -> LinearModel:
    """Train the model of ``lang`` on the corpus at ``root``; metrics on the held-out split and the evaluation sets."""
    rows, report = training_rows(root, lang)
    spec = FeatureSpec(lang=lang, bits=bits)
    train, held = rows[~rows["held_out"]], rows[rows["held_out"]]
    y = _classes(train["label"])
    weights, bias = fit(design(train["text"], spec), y, l2=l2, sample_weight=balanced_weights(y))
    model = LinearModel(lang, VERSION, spec, weights, bias, np.zeros((3, 3)))
    cm = confusion_matrix(_classes(held["label"]), model.predict(held["text"].tolist()))
    model.confusion = cm
    sources = sorted({name for name, _ in TRAINING[lang]})
    model.info = {
        "l2": l2,
        "sources": [{"set": name, "folder": corpus.SOURCES[name].folder, "origin": corpus.SOURCES[name].origin,
                     "licence": corpus.SOURCES[name].licence, "note": corpus.SOURCES[name].note,
                     "rows": _counts(train.loc[train["source"] == name, "label"])} for name in sources]
                   + ([{"set": "lexicon-hi-v1", "folder": "research/analyses/text.py", "origin": "this package",
                        "licence": "MIT (this package)", "note": "hand-written words as one-word rows",
                        "rows": _counts(train.loc[train["source"] == "lexicon-hi-v1", "label"])}] if lang == "hi" else []),
        "training_rows": _counts(train["label"]),
        "calibration_rows": _counts(held["label"]),
        "cleaning": report,
        "calibration": {"accuracy": round(float(np.trace(cm) / cm.sum()), 4), "macro_f1": round(macro_f1(cm), 4)},
        "evaluation": {name: {"title": title, **figures(s["label"], _labels(model, s["text"]))}
                       for name, title in EVAL_SETS[lang] for s in [eval_set(name, root)]},
        "baseline": {"method": BASELINES[lang], **{name: figures(s["label"], baseline_labels(s["text"], lang))
                     for name, _ in EVAL_SETS[lang] for s in [eval_set(name, root)]}},
    }  # fmt: skip
    return model


def _labels(model: LinearModel, texts: pd.Series) -> pd.Series:
    return pd.Series(np.asarray(CLASSES)[model.predict(texts.tolist())], index=texts.index, dtype="string")


def train_all(root: str | Path, out: str | Path, *, languages=LANGUAGES, progress=None) -> list[Path]:
    """Train every language's model into ``out`` and write its ``MODEL_CARD.md``; returns the JSON paths."""
    from research.analyses.sentiment.card import write_card

    paths = []
    for lang in languages:
        if progress:
            progress(lang)
        model = train_language(root, lang)
        if lang == "ru":  # entity level needs the saved model: score() reads it from ``out``
            model.save(out)
            items = eval_set("telecom2016", root)
            model.info["entity_level"] = figures(items["label"], telecom_labels(items, models=out)[1])
        paths.append(model.save(out))
    write_card(out, root)
    return paths
