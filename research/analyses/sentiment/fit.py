"""Fitting the linear model: multinomial logistic regression by L-BFGS, numpy and scipy only.

The objective is the weighted mean cross-entropy plus ``l2/2 * ||W - W0||²`` (``W0`` is zero
for a fresh model, the shipped weights when adapting to a client's labels). It is convex, so
L-BFGS (``lbfgs``) from a fixed start reaches the same weights on every run: training is reproducible
without a random seed, and the bias is not penalised.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

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
    k = len(CLASSES)
    full_w0 = np.zeros((x.shape[1], k)) if prior is None else prior[0].astype(np.float64)
    # Only the columns some row uses move: the others sit at W0, where the penalty's gradient is zero.
    # Leaving them out of the problem makes each L-BFGS step far cheaper (hashed spaces are sparse).
    used = np.unique(x.indices)
    x = x[:, used].tocsr()
    n, d = x.shape
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    w = w / w.sum()
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    w0 = full_w0[used]
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

    theta = lbfgs(loss, np.concatenate([w0.ravel(), b0]), max_iter=max_iter)
    weights = full_w0.copy()
    weights[used] = theta[: d * k].reshape(d, k)
    return weights.astype(np.float32), theta[d * k :]


def lbfgs(
    fun, x0: np.ndarray, *, max_iter: int, memory: int = 10, gtol: float = 1e-6, ftol: float = 1e-10
) -> np.ndarray:
    """Minimise a smooth convex ``fun(x) -> (value, gradient)`` by L-BFGS with a backtracking line search.

    Written here rather than ``scipy.optimize.minimize(method="L-BFGS-B")``, whose bound handling
    cost a tenth of a second per step on a few hundred thousand weights (ten times the loss itself).
    Stops after ``max_iter`` steps, when no gradient entry exceeds ``gtol``, or when a step lowers
    the value by less than ``ftol`` relative (scipy's criteria).
    """

    def dot(a: np.ndarray, b: np.ndarray) -> float:
        return float(
            np.einsum("i,i->", a, b)
        )  # not BLAS: a threaded BLAS dot was 6x slower on a busy machine

    x = np.array(x0, dtype=np.float64)
    f, g = fun(x)
    steps: list[tuple[np.ndarray, np.ndarray, float]] = []
    for _ in range(max_iter):
        if np.abs(g).max() <= gtol:
            break
        q = g.copy()
        alphas = []
        for s, y, rho in reversed(steps):
            a = rho * dot(s, q)
            alphas.append(a)
            q -= a * y
        if steps:
            s, y, _ = steps[-1]
            q *= dot(s, y) / dot(y, y)
        else:
            q /= max(np.sqrt(dot(g, g)), 1e-12)  # a first step of length one
        for (s, y, rho), a in zip(steps, reversed(alphas), strict=True):
            q += s * (a - rho * dot(y, q))
        direction = -q
        slope = dot(g, direction)
        if slope >= 0:  # not a descent direction: start the memory again
            steps.clear()
            direction, slope = -g, -dot(g, g)
        step = 1.0
        while True:
            x_new = x + step * direction
            f_new, g_new = fun(x_new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s, y = x_new - x, g_new - g
        sy = dot(s, y)
        if sy > 1e-12:
            steps.append((s, y, 1.0 / sy))
            del steps[:-memory]
        done = (f - f_new) <= ftol * max(abs(f), abs(f_new), 1.0)
        x, f, g = x_new, f_new, g_new
        if done:
            break
    return x


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
