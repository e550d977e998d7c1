"""Fitting the linear model: multinomial logistic regression by L-BFGS, numpy and scipy only.

The objective is the weighted mean cross-entropy plus ``l2/2 * ||W - W0||²`` (``W0`` is zero
for a fresh model, the shipped weights when adapting to a client's labels). It is convex, so
L-BFGS from a fixed start reaches the same weights on every run: training is reproducible
without a random seed, and the bias is not penalised.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import optimize, sparse

from research.analyses.sentiment.features import FeatureSpec, hash_features
from research.analyses.sentiment.model import CLASSES

__all__ = ["balanced_weights", "design", "fit", "macro_f1", "confusion_matrix"]


def design(texts: Sequence[str], spec: FeatureSpec) -> sparse.csr_matrix:
    """The feature matrix of ``texts`` (rows scaled as ``hash_features`` says)."""
    row, col, scale = hash_features(list(texts), spec)
    x = sparse.csr_matrix((scale[row], (row, col)), shape=(len(texts), 2**spec.bits), dtype=np.float64)
    x.sum_duplicates()
    return x


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """Per-row weights that give each class the same total weight (scikit-learn's ``balanced``)."""
    counts = np.bincount(y, minlength=len(CLASSES)).astype(float)
    per_class = np.where(counts > 0, len(y) / (len(CLASSES) * np.maximum(counts, 1)), 0.0)
    return per_class[y]


def fit(
    x: sparse.csr_matrix,
    y: np.ndarray,
    *,
    l2: float,
    sample_weight: np.ndarray | None = None,
    prior: tuple[np.ndarray, np.ndarray] | None = None,
    max_iter: int = 400,
) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``(D, 3)`` and bias ``(3,)`` minimising the penalised cross-entropy.

    ``prior`` = ``(W0, b0)``: start there and shrink towards ``W0`` instead of zero
    (adapting a trained model to a few hundred new labels without forgetting the rest).
    """
    n, d = x.shape
    k = len(CLASSES)
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    w = w / w.sum()
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    w0 = np.zeros((d, k)) if prior is None else prior[0].astype(np.float64)
    b0 = np.zeros(k) if prior is None else prior[1].astype(np.float64)
    xt = x.T.tocsr()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        wm, b = theta[: d * k].reshape(d, k), theta[d * k :]
        z = x @ wm + b
        z -= z.max(axis=1, keepdims=True)
        logsum = np.log(np.exp(z).sum(axis=1))
        p = np.exp(z - logsum[:, None])
        delta = wm - w0
        value = float(w @ (logsum - (z * onehot).sum(axis=1))) + 0.5 * l2 * float((delta * delta).sum())
        g = (p - onehot) * w[:, None]
        grad = np.concatenate([(xt @ g + l2 * delta).ravel(), g.sum(axis=0)])
        return value, grad

    start = np.concatenate([w0.ravel(), b0])
    result = optimize.minimize(loss, start, jac=True, method="L-BFGS-B",
                               options={"maxiter": max_iter, "maxcor": 10, "ftol": 1e-10, "gtol": 1e-6})  # fmt: skip
    theta = result.x
    return theta[: d * k].reshape(d, k).astype(np.float32), theta[d * k :]


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """Counts (or summed weights): rows the true class, columns the predicted one, in ``CLASSES`` order."""
    k = len(CLASSES)
    flat = np.bincount(np.asarray(y_true) * k + np.asarray(y_pred), weights=weight, minlength=k * k)
    return flat.reshape(k, k)


def macro_f1(confusion: np.ndarray) -> float:
    """Mean F1 over the three classes of a confusion matrix."""
    tp = np.diag(confusion)
    precision = np.divide(tp, confusion.sum(axis=0), out=np.zeros(len(tp)), where=confusion.sum(axis=0) > 0)
    recall = np.divide(tp, confusion.sum(axis=1), out=np.zeros(len(tp)), where=confusion.sum(axis=1) > 0)
    f1 = np.divide(
        2 * precision * recall, precision + recall, out=np.zeros(len(tp)), where=precision + recall > 0
    )
    return float(f1.mean())
