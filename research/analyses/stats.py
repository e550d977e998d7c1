"""Significance and uncertainty for heavy-tailed social counts.

Engagement counts are heavy-tailed: one viral post moves a mean tenfold, so a
t-test on raw counts calls noise a change. The tests here are the ones the
brief relies on:

- **Two samples of per-post values** (engagement, engagement rate, response
  time): two-sided Mann–Whitney U, which compares ranks, so a single outlier
  cannot make a change "significant". Its effect size is the probability of
  superiority ``P(A > B) + 0.5 P(A = B)``.
- **Two counts over equal exposure** (posts per period, hashtag uses): the exact
  conditional binomial test for Poisson rates.
- **Two proportions** (share answered, share of voice): Fisher's exact test.
- **Intervals**: percentile bootstrap of the median (or of a ratio of medians),
  with a fixed seed so a report re-run gives the same numbers.
- **Many tests at once**: Benjamini–Hochberg false-discovery-rate adjustment; a
  change or uplift is called real only when its *adjusted* p-value is below
  alpha.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as st

__all__ = [
    "ALPHA",
    "as_array",
    "mann_whitney",
    "rate_test",
    "proportion_test",
    "adjust_pvalues",
    "bootstrap_interval",
    "ratio_interval",
    "uplift",
]

ALPHA = 0.05
_CHUNK = 250  # bootstrap resamples per batch: bounds memory at 250 * n floats


def as_array(values: object) -> np.ndarray:
    """Float64 array of the non-missing values (accepts nullable Series, lists, arrays)."""
    arr = pd.Series(values, dtype="Float64").dropna().to_numpy(dtype="float64")
    return arr[np.isfinite(arr)]


def mann_whitney(a: object, b: object) -> dict[str, float]:
    """Two-sided Mann–Whitney U test of sample ``a`` against sample ``b``.

    Returns
    -------
    dict
        ``n_a``, ``n_b``, ``u``, ``p_value`` and ``prob_superiority``
        (``U / (n_a n_b)``: the chance a random value of ``a`` beats one of
        ``b``, ties counting half). p is NaN when a sample has fewer than 2 values.

    Examples
    --------
    >>> round(mann_whitney([10, 11, 12, 13, 14], [1, 2, 3, 4, 5])["prob_superiority"], 2)
    1.0
    """
    x, y = as_array(a), as_array(b)
    out = {"n_a": int(len(x)), "n_b": int(len(y)), "u": np.nan, "p_value": np.nan, "prob_superiority": np.nan}
    if len(x) < 2 or len(y) < 2:
        return out
    if np.ptp(np.concatenate([x, y])) == 0:
        out.update(u=len(x) * len(y) / 2, p_value=1.0, prob_superiority=0.5)
        return out
    res = st.mannwhitneyu(x, y, alternative="two-sided")
    out.update(
        u=float(res.statistic),
        p_value=float(res.pvalue),
        prob_superiority=float(res.statistic) / (len(x) * len(y)),
    )
    return out


def rate_test(count_a: int, count_b: int, exposure_a: float = 1.0, exposure_b: float = 1.0) -> float:
    """Exact two-sided test that two Poisson counts share one rate per unit of exposure.

    Conditional on the total, ``count_a ~ Binomial(total, exposure_a / (exposure_a + exposure_b))``.

    >>> rate_test(10, 10)
    1.0
    >>> rate_test(40, 10) < 0.001
    True
    """
    total = int(count_a) + int(count_b)
    if total == 0:
        return 1.0
    share = exposure_a / (exposure_a + exposure_b)
    return float(st.binomtest(int(count_a), total, share).pvalue)


def proportion_test(k_a: int, n_a: int, k_b: int, n_b: int) -> float:
    """Fisher's exact two-sided test of ``k_a / n_a`` against ``k_b / n_b``; NaN if a sample is empty."""
    if n_a == 0 or n_b == 0:
        return float("nan")
    table = [[int(k_a), int(n_a - k_a)], [int(k_b), int(n_b - k_b)]]
    return float(st.fisher_exact(table).pvalue)


def adjust_pvalues(p_values: object) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values; NaN entries stay NaN and are not counted as tests.

    >>> adjust_pvalues([0.01, 0.04, float("nan"), 0.03]).round(3).tolist()
    [0.03, 0.04, nan, 0.04]
    """
    p = np.asarray(p_values, dtype="float64")
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = st.false_discovery_control(p[ok], method="bh")
    return out


def _resampled_medians(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    stats_ = []
    for size in [_CHUNK] * (n_boot // _CHUNK) + ([n_boot % _CHUNK] if n_boot % _CHUNK else []):
        idx = rng.integers(0, len(x), size=(size, len(x)))
        stats_.append(np.median(x[idx], axis=1, overwrite_input=True))  # x[idx] is a fresh copy
    return np.concatenate(stats_)


def bootstrap_interval(
    values: object, *, level: float = 0.95, n_boot: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the median, reproducible through ``seed``.

    >>> lo, hi = bootstrap_interval(range(1, 101))
    >>> lo < 50.5 < hi
    True
    """
    x = as_array(values)
    if len(x) == 0:
        return (float("nan"), float("nan"))
    meds = _resampled_medians(x, n_boot, np.random.default_rng(seed))
    tail = (1 - level) / 2
    return float(np.quantile(meds, tail)), float(np.quantile(meds, 1 - tail))


def ratio_interval(
    a: object, b: object, *, level: float = 0.95, n_boot: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``median(a) / median(b)``, resampling each sample independently."""
    x, y = as_array(a), as_array(b)
    if len(x) == 0 or len(y) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = _resampled_medians(x, n_boot, rng) / _resampled_medians(y, n_boot, rng)
    ratios = ratios[np.isfinite(ratios)]
    if len(ratios) == 0:
        return (float("nan"), float("nan"))
    tail = (1 - level) / 2
    return float(np.quantile(ratios, tail)), float(np.quantile(ratios, 1 - tail))


def uplift(
    values: pd.Series,
    flags: pd.DataFrame,
    *,
    min_support: int = 10,
    alpha: float = ALPHA,
    n_boot: int = 1000,
    seed: int = 0,
    reference: pd.Series | None = None,
) -> pd.DataFrame:
    """What each boolean feature adds to ``values``: posts with it against posts without it.

    Parameters
    ----------
    values : Series
        Per-post outcome, usually relative engagement (see ``research.analyses.metrics``).
    flags : DataFrame
        Boolean columns aligned with ``values``, one per feature (format, mechanic, hashtag...).
    min_support : int
        Features used by fewer posts are reported with ``eligible = False`` and no test,
        so three lucky posts cannot become a recommendation.
    reference : Series of bool, optional
        Compare with these posts only (a reference format, posts with no mechanic) instead of
        every post without the feature: against "all the others", every format but the best
        one looks worse, only because the best one is among the others.

    Returns
    -------
    DataFrame
        One row per feature: ``feature, n_with, n_without, median_with, median_without,
        uplift`` (ratio of medians), ``ci_low, ci_high`` (bootstrap), ``p_value``
        (Mann–Whitney), ``p_adjusted`` (Benjamini–Hochberg over eligible features),
        ``eligible`` and ``significant`` (``p_adjusted < alpha`` and a 95% interval that excludes
        1: the same rule colours the charts), sorted by uplift.
    """
    v = values.astype("Float64").astype("float64")
    base = pd.Series(True, index=v.index) if reference is None else reference.fillna(False).astype(bool)
    rows = []
    for i, feature in enumerate(flags.columns):
        mask = flags[feature].fillna(False).astype(bool) & v.notna()
        rest = ~flags[feature].fillna(False).astype(bool) & v.notna() & base
        with_, without = v[mask].to_numpy(), v[rest].to_numpy()
        row = {
            "feature": feature,
            "n_with": len(with_),
            "n_without": len(without),
            "median_with": float(np.median(with_)) if len(with_) else np.nan,
            "median_without": float(np.median(without)) if len(without) else np.nan,
            "eligible": len(with_) >= min_support and len(without) >= min_support,
        }
        row["uplift"] = row["median_with"] / row["median_without"] if row["median_without"] else np.nan
        row["ci_low"] = row["ci_high"] = row["p_value"] = np.nan
        if row["eligible"]:
            row["ci_low"], row["ci_high"] = ratio_interval(with_, without, n_boot=n_boot, seed=seed + i)
            row["p_value"] = mann_whitney(with_, without)["p_value"]
        rows.append(row)
    columns = ["feature", "n_with", "n_without", "median_with", "median_without", "uplift", "ci_low", "ci_high",
               "p_value", "p_adjusted", "eligible", "significant"]  # fmt: skip
    out = pd.DataFrame(rows, columns=[c for c in columns if c not in ("p_adjusted", "significant")])
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(dtype="float64"))
    excludes_one = (out["ci_low"] > 1) | (out["ci_high"] < 1)
    out["significant"] = ((out["p_adjusted"] < alpha) & excludes_one).fillna(False).astype(bool)
    out["feature"] = out["feature"].astype("string")
    return out[columns].sort_values(["eligible", "uplift"], ascending=False, ignore_index=True)


def p_text(p: float) -> str:
    """A p-value as a reader wants it: ``p < 0.001`` or ``p = 0.012`` (never 3.29e-17).

    >>> p_text(3.29e-17), p_text(0.01234)
    ('p < 0.001', 'p = 0.012')
    """
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
