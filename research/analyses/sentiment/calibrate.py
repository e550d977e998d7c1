"""Shares of positive, neutral and negative mentions that a client can quote: corrected counts.

Counting predicted labels ("classify and count") is biased whenever the classifier errs
unevenly: if it calls 20 % of truly negative posts neutral, the negative share it counts is
too low by about that much, whatever the data. *Adjusted classify and count* (Forman 2008,
"Quantifying counts and costs via classification", Data Mining and Knowledge Discovery
17(2):164-206; its multi-class form as in Saerens, Latinne & Decaestecker 2002) undoes it with
the classifier's measured confusion: with ``M[i, j]`` = P(predicted j | true i), measured on
held-out labelled data, the predicted shares ``q`` satisfy ``q = Mᵀ p`` for the true shares
``p``; we solve for ``p``, clip negatives to zero and renormalise.

ACC assumes that the classifier's error rates per true class are the same on the client's posts
as on the rows ``M`` was measured on. Across sets they are not, and a correction with the wrong
``M`` can do worse than counting. So each shipped model carries the result of ``share_check``:
on its training pool, each group of rows (a year, a source, a fold) is treated as a client whose
shares are estimated with the confusion of the *other* groups, on the whole group and on
resamples of it with other class mixes (brands differ in mix); the estimate used is
``counted + λ (corrected − counted)`` with the ``λ`` in {0, ¼, ½, ¾, 1} of least error there
(``λ = 0``: the count itself, method ``counted``), and the mean absolute error of that estimate
on the held-out groups is the *allowance* for what the sampling interval cannot see.

The 95 % interval is a bootstrap (2,000 draws, fixed seed) over both sources of sampling error:
the predicted labels (multinomial with the observed shares) and the rows behind ``M``
(multinomial per true class), widened on each side by the allowance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from research.analyses.sentiment.model import CLASSES

__all__ = ["SHRINKS", "adjusted_shares", "estimate_shares", "estimate_shares_by", "share_check"]

_DRAWS = 2_000
SHRINKS = (0.0, 0.25, 0.5, 0.75, 1.0)
_RESAMPLES = 40  # brand-like resamples per held-out group


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


def _model_terms(confusion: np.ndarray | str) -> tuple[np.ndarray, float, float]:
    """The confusion, ``λ`` and allowance: a model's own (by name), or a matrix with full correction."""
    if isinstance(confusion, str):
        from research.analyses.sentiment.route import model_for

        model = model_for(confusion)
        check = model.info.get("shares") or {}
        return model.confusion, float(check.get("shrink", 1.0)), float(check.get("allowance", 0.0))
    return np.asarray(confusion, dtype=float), 1.0, 0.0


def share_draws(
    counts: np.ndarray, confusion: np.ndarray, shrink: float, *, draws: int = _DRAWS, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The estimate from class ``counts`` and bootstrap draws of it, ``(3,)`` and ``(draws, 3)``."""
    n = counts.sum()
    counted = counts / n
    corrected = adjusted_shares(counted, confusion)
    estimate = counted + shrink * (corrected - counted)
    rng = np.random.default_rng(seed)
    q = rng.multinomial(int(n), counted, size=draws) / n
    rows = confusion.sum(axis=1)
    rates = _rates(confusion)
    m = np.stack([rng.multinomial(int(rows[i]), rates[i], size=draws) for i in range(len(CLASSES))], axis=1)
    return estimate, q + shrink * (adjusted_shares(q, m) - q)


def estimate_shares(
    labels: Sequence[str] | pd.Series,
    confusion: np.ndarray | str,
    *,
    level: float = 0.95,
    seed: int = 0,
    shrink: float | None = None,
    allowance: float | None = None,
) -> pd.DataFrame:
    """Corrected share of each class among ``labels``, with an interval.

    Parameters
    ----------
    labels : sequence of str
        Predicted labels (``negative``/``neutral``/``positive``); NA (not scored) is left out.
    confusion : (3, 3) array or str
        Counts, rows the true class and columns the predicted one (``CLASSES`` order), or a
        language / method name (``"ru"``, ``"linear-ru-2"``) whose shipped model's confusion,
        ``λ`` and allowance (``share_check``, module docstring) are used.
    level : float
        Coverage of the interval.
    shrink, allowance : float, optional
        ``λ`` (0: the count, 1: the full correction) and the interval's widening; by default the
        model's own, or 1 and 0 for a matrix.

    Returns
    -------
    DataFrame
        Indexed by class: ``share`` (the estimate), ``low``, ``high`` (bootstrap percentiles
        widened by the allowance, within [0, 1]), ``counted`` (the raw share of predicted labels),
        ``n`` (labels counted) and ``method`` (``calibrated``, or ``counted`` where ``λ = 0``).

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
    cm, model_shrink, model_allowance = _model_terms(confusion)
    shrink = model_shrink if shrink is None else shrink
    allowance = model_allowance if allowance is None else allowance
    values = pd.Series(labels, dtype="string").dropna()
    counts = np.array([(values == c).sum() for c in CLASSES], dtype=float)
    n = int(counts.sum())
    out = pd.DataFrame(index=pd.Index(CLASSES, name="sentiment"),
                       columns=["share", "low", "high", "counted"], dtype="float64")  # fmt: skip
    out["n"] = n
    out["method"] = "calibrated" if shrink > 0 else "counted"
    if n == 0:
        return out
    estimate, draws = share_draws(counts, cm, shrink, seed=seed)
    out["counted"] = counts / n
    out["share"] = estimate
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail], axis=0)
    out["low"], out["high"] = np.clip(low - allowance, 0, 1), np.clip(high + allowance, 0, 1)
    return out


def share_check(y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray, *, seed: int = 0) -> dict:
    """How well counted and corrected shares do on groups held out of the confusion (module docstring).

    ``y_true``, ``y_pred``: class indices of out-of-group predictions; ``groups``: each row's group.
    Returns ``shrink`` (the chosen ``λ``), ``method``, ``allowance`` and the mean absolute error of the
    negative and positive shares for each ``λ`` tried, over the groups and their resamples.
    """
    rng = np.random.default_rng(seed)
    k = len(CLASSES)
    errors = {lam: [] for lam in SHRINKS}
    names = sorted(set(groups.tolist()))
    for group in names:
        inside = groups == group
        others = confusion_of(y_true[~inside], y_pred[~inside])
        t, p = y_true[inside], y_pred[inside]
        samples = [np.arange(len(t))]
        base = np.bincount(t, minlength=k) / len(t)
        for _ in range(_RESAMPLES):  # a brand: another mix of the classes, a few hundred posts
            target = rng.dirichlet(np.ones(k))
            weight = (target / np.maximum(base, 1e-9))[t]
            samples.append(rng.choice(len(t), size=min(300, len(t)), p=weight / weight.sum()))
        for idx in samples:
            truth = np.bincount(t[idx], minlength=k) / len(idx)
            counted = np.bincount(p[idx], minlength=k) / len(idx)
            corrected = adjusted_shares(counted, others)
            for lam in SHRINKS:
                estimate = counted + lam * (corrected - counted)
                errors[lam].append(float(np.abs(estimate - truth)[[0, 2]].mean()))
    mean = {lam: float(np.mean(e)) for lam, e in errors.items()}
    best = min(SHRINKS, key=lambda lam: (round(mean[lam], 4), lam))
    return {"shrink": best, "method": "calibrated" if best > 0 else "counted",
            "allowance": round(mean[best], 4), "groups": names, "samples": len(errors[best]),
            "error_by_shrink": {str(lam): round(v, 4) for lam, v in mean.items()}}  # fmt: skip


def confusion_of(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    k = len(CLASSES)
    return (
        np.bincount(np.asarray(y_true) * k + np.asarray(y_pred), minlength=k * k).reshape(k, k).astype(float)
    )


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
