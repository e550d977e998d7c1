"""Shares of positive, neutral and negative mentions that a client can quote: corrected counts.

Counting predicted labels ("classify and count") is biased whenever the classifier errs
unevenly: if it calls 20 % of truly negative posts neutral, the negative share it counts is
too low by about that much, whatever the data. *Adjusted classify and count* (Forman 2008,
"Quantifying counts and costs via classification", Data Mining and Knowledge Discovery
17(2):164-206; its multi-class form as in Saerens, Latinne & Decaestecker 2002) undoes it with
the classifier's measured confusion: with ``M[i, j]`` = P(predicted j | true i), measured on
held-out labelled data, the predicted shares ``q`` satisfy ``q = Mᵀ p`` for the true shares
``p``; we solve for ``p``, clip negatives to zero and renormalise.

The 95 % interval is a bootstrap (2,000 draws, fixed seed) over both sources of error: the
predicted labels (multinomial with the observed shares) and the held-out rows behind ``M``
(multinomial per true class). It assumes what ACC assumes: the classifier's error rates per
true class are the same on the client's posts as on the held-out rows (the class mix may differ).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from research.analyses.sentiment.model import CLASSES

__all__ = ["adjusted_shares", "estimate_shares", "estimate_shares_by"]

_DRAWS = 2_000


def _rates(confusion: np.ndarray) -> np.ndarray:
    confusion = np.asarray(confusion, dtype=float)
    rows = confusion.sum(axis=-1, keepdims=True)
    return np.divide(confusion, rows, out=np.full_like(confusion, 1 / 3), where=rows > 0)


def adjusted_shares(predicted: np.ndarray, confusion: np.ndarray) -> np.ndarray:
    """True-class shares from predicted shares ``(..., 3)`` and confusion matrices ``(..., 3, 3)``.

    Broadcasts over leading axes. Where ``Mᵀ`` is singular, the predicted shares are returned.

    >>> cm = np.array([[60, 30, 10], [5, 90, 5], [2, 18, 80]])   # rows: true neg, neu, pos
    >>> truth = np.array([0.5, 0.3, 0.2])
    >>> counted = truth @ (cm / cm.sum(axis=1, keepdims=True))  # what classify-and-count sees
    >>> counted.round(3).tolist(), adjusted_shares(counted, cm).round(3).tolist()
    ([0.319, 0.456, 0.225], [0.5, 0.3, 0.2])
    """
    predicted = np.asarray(predicted, dtype=float)
    mt = np.swapaxes(_rates(confusion), -1, -2)
    mt, predicted = np.broadcast_arrays(mt, predicted[..., None])
    predicted = predicted[..., 0]
    ok = np.abs(np.linalg.det(mt)) > 1e-9
    p = predicted.copy()
    if ok.any():
        p[ok] = np.linalg.solve(mt[ok], predicted[ok][..., None])[..., 0]
    p = np.clip(p, 0.0, None)
    total = p.sum(axis=-1, keepdims=True)
    return np.divide(p, total, out=predicted.copy(), where=total > 0)


def _confusion_of(confusion: np.ndarray | str) -> np.ndarray:
    if isinstance(confusion, str):
        from research.analyses.sentiment.route import model_for

        return model_for(confusion).confusion
    return np.asarray(confusion, dtype=float)


def estimate_shares(
    labels: Sequence[str] | pd.Series,
    confusion: np.ndarray | str,
    *,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Corrected share of each class among ``labels``, with an interval.

    Parameters
    ----------
    labels : sequence of str
        Predicted labels (``negative``/``neutral``/``positive``); NA (not scored) is left out.
    confusion : (3, 3) array or str
        Held-out counts, rows the true class and columns the predicted one (``CLASSES``
        order), or a language / method name (``"ru"``, ``"linear-ru-1"``) whose shipped
        model's confusion is used.
    level : float
        Coverage of the interval.

    Returns
    -------
    DataFrame
        Indexed by class: ``share`` (corrected), ``low``, ``high`` (bootstrap percentiles),
        ``counted`` (the raw share of predicted labels) and ``n`` (labels counted).

    Examples
    --------
    >>> cm = np.array([[60, 30, 10], [5, 90, 5], [2, 18, 80]])
    >>> labels = ["negative"] * 32 + ["neutral"] * 45 + ["positive"] * 23
    >>> out = estimate_shares(labels, cm)
    >>> out.loc["negative", ["counted", "share"]].round(2).tolist()
    [0.32, 0.5]
    >>> bool(out.loc["negative", "low"] < 0.5 < out.loc["negative", "high"])
    True
    """
    cm = _confusion_of(confusion)
    values = pd.Series(labels, dtype="string").dropna()
    counts = np.array([(values == c).sum() for c in CLASSES], dtype=float)
    n = int(counts.sum())
    out = pd.DataFrame(index=pd.Index(CLASSES, name="sentiment"),
                       columns=["share", "low", "high", "counted"], dtype="float64")  # fmt: skip
    out["n"] = n
    if n == 0:
        return out
    counted = counts / n
    out["counted"] = counted
    out["share"] = adjusted_shares(counted, cm)
    rng = np.random.default_rng(seed)
    q = rng.multinomial(n, counted, size=_DRAWS) / n
    rows = cm.sum(axis=1)
    rates = _rates(cm)
    m = np.stack([rng.multinomial(int(rows[i]), rates[i], size=_DRAWS) for i in range(len(CLASSES))], axis=1)
    draws = adjusted_shares(q, m)
    tail = (1 - level) / 2 * 100
    out["low"], out["high"] = np.percentile(draws, [tail, 100 - tail], axis=0)
    return out


def estimate_shares_by(
    frame: pd.DataFrame,
    by: str | list[str],
    confusion: np.ndarray | str,
    *,
    label: str = "sentiment",
    **kwargs,
) -> pd.DataFrame:
    """``estimate_shares`` per group of ``frame`` (e.g. per brand): one row per group and class."""
    parts = []
    for key, group in frame.groupby(by, sort=True, dropna=False):
        shares = estimate_shares(group[label], confusion, **kwargs).reset_index()
        keys = key if isinstance(key, tuple) else (key,)
        for name, value in zip([by] if isinstance(by, str) else by, keys, strict=True):
            shares.insert(0, name, value)
        parts.append(shares)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
