"""A client's own labels: a sample to label, and models adapted to the labels.

``sample_for_labelling`` draws mentions to label, stratified by language and predicted label
(equal numbers per stratum, so rare negative posts are not swamped by neutral ones), and
writes each row's ``weight`` (posts in its stratum / rows drawn from it) so that a confusion
matrix estimated from the labels stands for all the client's mentions.

``adapt`` takes a CSV ``text,label[,lang][,weight]``, holds out a quarter of the rows of each
language (stratified by label, by a hash of the text: reruns give the same split), and
re-fits the language's model on the other rows, shrinking towards the shipped weights rather
than towards zero (``fit.fit(prior=...)``), so a few hundred labels move the model to the
client's vocabulary without erasing what 20,000+ labelled tweets taught it. The adapted
model's confusion matrix is re-measured on the held-out quarter, which is what the corrected
shares then use. The held-out accuracy of the shipped and the adapted model is reported, and
the adapted model is written only into the given folder (``data/models/<client>/``), never
into the package.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from research.analyses.sentiment.fit import confusion_matrix, design, fit, macro_f1
from research.analyses.sentiment.model import CLASSES
from research.analyses.sentiment.route import model_for, route, score
from research.errors import InputError

__all__ = ["adapt", "read_labels", "sample_for_labelling"]

_ALIASES = {"pos": "positive", "positive": "positive", "+": "positive", "1": "positive",
            "neu": "neutral", "neutral": "neutral", "0": "neutral",
            "neg": "negative", "negative": "negative", "-": "negative", "-1": "negative"}  # fmt: skip
# Client labels weigh more than the shrinkage alone would let them: with l2 = 1e-3 on the mean
# loss, a few hundred rows shift the model clearly but not wildly (smoke-tested on 200 rows).
ADAPT_L2 = 1e-3
MIN_ROWS = 20


def read_labels(path: str | Path, *, lang: str | None = None) -> pd.DataFrame:
    """The CSV ``path`` as ``text, label, lang, weight``; bad rows raise with their line number."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as e:
        raise InputError(f"cannot read labels ({e})", path=path) from e
    missing = {"text", "label"} - set(frame.columns)
    if missing:
        raise InputError(f"needs columns text and label (missing: {', '.join(sorted(missing))})", path=path)
    label = frame["label"].str.strip().str.lower().map(_ALIASES)
    bad = label.isna() & frame["label"].str.strip().ne("")
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2  # header is line 1
        raise InputError(f"label {frame['label'][bad].iloc[0]!r} is not positive, neutral or negative",
                         path=path, line=line)  # fmt: skip
    if "lang" not in frame.columns or frame["lang"].eq("").all():
        if lang is None:
            raise InputError("has no lang column; give --lang", path=path)
        frame["lang"] = lang
    elif lang is not None:
        frame["lang"] = frame["lang"].where(frame["lang"].ne(""), lang)
    weight = pd.to_numeric(frame["weight"], errors="coerce") if "weight" in frame.columns else 1.0
    out = pd.DataFrame({"text": frame["text"], "label": label, "lang": frame["lang"], "weight": weight})
    out = out[out["label"].notna() & out["text"].str.strip().ne("")]
    out["weight"] = out["weight"].fillna(1.0)
    if out.empty:
        raise InputError("holds no labelled row", path=path)
    return out.astype({"text": "string", "label": "string", "lang": "string"}).reset_index(drop=True)


def _held_out(frame: pd.DataFrame, share: float) -> np.ndarray:
    """A quarter of each label's rows (by a hash of the text, then a stable rank)."""
    h = frame["text"].map(lambda t: zlib.crc32(t.encode("utf-8"))).to_numpy()
    held = np.zeros(len(frame), bool)
    for _, idx in frame.groupby("label").indices.items():
        order = idx[np.argsort(h[idx], kind="stable")]
        held[order[: int(round(len(order) * share))]] = True
    return held


def adapt(
    labels: pd.DataFrame, out: str | Path, *, held_out: float = 0.25, base: str | Path | None = None
) -> dict:
    """Adapt each language's model to the client's ``labels`` and write it into ``out``.

    Returns a report per model: rows used, held-out accuracy and macro-F1 of the shipped and
    the adapted model, and the path written. Languages with fewer than ``MIN_ROWS`` rows are
    skipped (reported), as are texts no model serves.
    """
    index = {c: i for i, c in enumerate(CLASSES)}
    names = route(labels["text"], labels["lang"])
    report: dict[str, dict] = {}
    for name in sorted(names.dropna().unique()):
        part = labels[(names == name).fillna(False)].reset_index(drop=True)
        if len(part) < MIN_ROWS:
            report[name] = {"rows": len(part), "skipped": f"fewer than {MIN_ROWS} labelled rows"}
            continue
        base_model = model_for(name, base)
        held = _held_out(part, held_out)
        train, test = part[~held], part[held]
        y = train["label"].map(index).to_numpy(dtype=int)
        w = train["weight"].to_numpy(float)
        weights, bias = fit(design(train["text"], base_model.spec), y, l2=ADAPT_L2, sample_weight=w,
                            prior=(base_model.weights, base_model.bias))  # fmt: skip
        adapted = type(base_model)(name, base_model.version + "-client", base_model.spec, weights, bias,
                                   base_model.confusion.copy(), dict(base_model.info))  # fmt: skip
        y_test = test["label"].map(index).to_numpy(dtype=int)
        before = confusion_matrix(
            y_test, base_model.predict(test["text"].tolist()), test["weight"].to_numpy(float)
        )
        after = confusion_matrix(
            y_test, adapted.predict(test["text"].tolist()), test["weight"].to_numpy(float)
        )
        entry = {
            "rows": len(part), "trained_on": len(train), "held_out": len(test),
            "shipped": {"accuracy": _accuracy(before), "macro_f1": round(macro_f1(before), 4)},
            "adapted": {"accuracy": _accuracy(after), "macro_f1": round(macro_f1(after), 4)},
        }  # fmt: skip
        # NOTE: the client's held-out confusion replaces the shipped one once it has rows of
        # every class; with fewer, the shipped one (thousands of rows) is the better estimate.
        if (np.bincount(y_test, minlength=3) >= 5).all():
            adapted.confusion = after
            entry["confusion"] = "re-measured on the client's held-out labels"
        else:
            entry["confusion"] = "shipped (held-out labels lack a class)"
        adapted.info = {**adapted.info, "adapted": entry, "base_method": base_model.method}
        entry["path"] = str(adapted.save(out))
        report[name] = entry
    unserved = int(names.isna().sum())
    if unserved:
        report["not scored"] = {"rows": unserved, "skipped": "no model for their language"}
    return report


def _accuracy(cm: np.ndarray) -> float | None:
    return round(float(np.trace(cm) / cm.sum()), 4) if cm.sum() else None


def sample_for_labelling(texts: pd.Series, langs: pd.Series, n: int, *, seed: int = 0) -> pd.DataFrame:
    """A stratified sample of ``n`` texts to label: ``text, lang, predicted, label (empty), weight``.

    Strata are (language model, predicted label); each gets an equal share of ``n`` (or all
    its texts when it has fewer). ``weight`` is the stratum's size over the rows drawn from it.
    Duplicate texts are drawn once.
    """
    frame = pd.DataFrame({"text": texts.astype("string"), "lang": langs.astype("string")}).dropna(
        subset=["text"]
    )
    frame = frame.drop_duplicates("text")
    scored = score(frame["text"], frame["lang"])
    frame = frame.assign(model=route(frame["text"], frame["lang"]), predicted=scored["sentiment"])
    frame = frame.dropna(subset=["predicted"])
    groups = list(frame.groupby(["model", "predicted"], sort=True))
    if not groups:
        return pd.DataFrame(columns=["text", "lang", "predicted", "label", "weight"])
    per = max(1, n // len(groups))
    rng = np.random.default_rng(seed)
    parts = []
    for _, group in groups:
        take = group.iloc[np.sort(rng.permutation(len(group))[: min(per, len(group))])]
        parts.append(take.assign(weight=len(group) / len(take)))
    out = pd.concat(parts, ignore_index=True)
    return out.assign(label="")[["text", "lang", "predicted", "label", "weight"]]
