"""The last step of paired tests between two models: turning counts or
resampled differences into p-values.

Each function is small and takes what the resampling produced: discordant
counts for McNemar's test, bootstrap or permutation differences for the
resampling tests, raw p-values for the Holm correction.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import InputError
from .intervals import _as_float, _matrix, _vector

__all__ = ["holm", "mcnemar", "permutation_pvalue", "shift_pvalue"]

#: Below this many discordant samples McNemar's test is the exact binomial test.
EXACT_BELOW = 25

_COUNT_MEANING = {
    "b": "the number of samples model A gets right and model B gets wrong",
    "c": "the number of samples model B gets right and model A gets wrong",
}


def mcnemar(b, c) -> float:
    """Two-sided p-value of McNemar's test from the two discordant counts.

    With ``n = b + c`` discordant samples: ``n == 0`` gives 1.0; ``n < 25``
    the exact binomial test, ``min(1, 2 * binom.cdf(min(b, c), n, 0.5))``;
    otherwise the chi-square test with continuity correction,
    ``stat = max(|b - c| - 1, 0)**2 / n`` on one degree of freedom.

    Parameters
    ----------
    b : int
        Samples model A gets right and model B gets wrong.
    c : int
        Samples model B gets right and model A gets wrong.

    Integer-valued floats and numpy scalars are accepted as counts.

    Returns
    -------
    float
        The p-value.

    Raises
    ------
    InputError
        If a count is not a single finite, non-negative whole number.

    Examples
    --------
    >>> round(mcnemar(10, 3), 6)          # exact: 2 * 378 / 2**13
    0.092285
    >>> round(mcnemar(40, 20), 6)         # chi-square: (20 - 1)**2 / 60
    0.014171
    >>> mcnemar(0, 0)
    1.0
    """
    nb = _count(b, "b")
    nc = _count(c, "c")
    n = nb + nc
    if n == 0:
        return 1.0
    if n < EXACT_BELOW:
        from scipy.stats import binom  # scipy.stats is slow to import: only when used

        return float(min(1.0, 2.0 * binom.cdf(min(nb, nc), n, 0.5)))
    stat = max(abs(nb - nc) - 1, 0) ** 2 / n
    from scipy.stats import chi2

    return float(chi2.sf(stat, 1))


def holm(pvalues) -> np.ndarray:
    """Holm-Bonferroni step-down adjusted p-values.

    With the ``m`` non-NaN p-values sorted as ``p_(1) <= ... <= p_(m)``, the
    adjusted value of ``p_(i)`` is ``min(1, max_{j <= i} (m - j + 1) p_(j))``,
    so adjusted values never decrease in the order of the raw ones.

    Parameters
    ----------
    pvalues : array_like of float, any shape
        Raw p-values in ``[0, 1]``. NaN entries (tests that were not run) stay
        NaN and do not count towards ``m``.

    Returns
    -------
    ndarray of float, same shape as ``pvalues``
        The adjusted p-values, capped at 1.

    Raises
    ------
    InputError
        If ``pvalues`` holds something other than numbers, or a value outside
        ``[0, 1]``.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03, 0.005]).round(6).tolist()
    [0.03, 0.06, 0.06, 0.02]
    >>> holm([0.2, float("nan"), 0.01]).tolist()
    [0.2, nan, 0.02]
    """
    arr = _as_float(pvalues, "pvalues")
    flat = arr.ravel()
    outside = ~np.isnan(flat) & ~((flat >= 0.0) & (flat <= 1.0))
    if outside.any():
        where = np.unravel_index(int(np.flatnonzero(outside)[0]), arr.shape)
        raise InputError(
            f"pvalues must lie between 0 and 1 (NaN for a test that was not run), "
            f"got {flat[outside][0]} at index {tuple(int(i) for i in where)}; "
            "pass raw p-values, not test statistics or percentages."
        )
    out = np.full(flat.shape, np.nan)
    present = np.flatnonzero(~np.isnan(flat))
    m = present.size
    if m:
        order = present[np.argsort(flat[present], kind="stable")]
        scaled = (m - np.arange(m)) * flat[order]
        out[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return out.reshape(arr.shape)


def shift_pvalue(observed, replicates) -> np.ndarray:
    """Two-sided paired-bootstrap p-value by the shift method.

    The bootstrap differences are centred on the observed difference to stand
    in for the null distribution (Koehn 2004; Berg-Kirkpatrick et al. 2012)::

        p = (1 + #{|replicate - observed| >= |observed|}) / (R + 1)

    per column, where ``R`` counts the column's non-NaN replicates and the
    comparison allows a tolerance of ``1e-12 * max(1, |observed|)`` so that
    rounding does not decide ties.

    Parameters
    ----------
    observed : array_like of float, shape (m,)
        Difference between the two models on the full data, per statistic.
    replicates : array_like of float, shape (R, m)
        The same differences on ``R`` paired bootstrap resamples (both models
        scored on the same resampled rows). NaN replicates are ignored.

    Returns
    -------
    ndarray of float, shape (m,)
        The p-values. Identical models (observed and replicate differences all
        0) give exactly 1.0. A NaN observed difference or a column without a
        valid replicate gives NaN.

    Raises
    ------
    InputError
        If ``replicates`` is not a non-empty 2-D array of numbers, or
        ``observed`` is not a 1-D array with one value per column.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> reps = np.column_stack([0.3 + 0.05 * rng.standard_normal(999), np.zeros(999)])
    >>> shift_pvalue([0.3, 0.0], reps).tolist()
    [0.001, 1.0]
    """
    reps = _matrix(replicates, "replicates")
    obs = _vector(observed, "observed", reps.shape[1])
    return _tail_pvalue(np.abs(reps - obs), obs, reps)


def permutation_pvalue(observed, permuted) -> np.ndarray:
    """Two-sided p-value of an approximate randomisation (permutation) test.

    The differences under random swaps of the two models' outputs, sample by
    sample, make the null distribution (Riezler and Maxwell 2005)::

        p = (1 + #{|permuted| >= |observed|}) / (R + 1)

    per column, where ``R`` counts the column's non-NaN permutations and the
    comparison allows a tolerance of ``1e-12 * max(1, |observed|)``.

    Parameters
    ----------
    observed : array_like of float, shape (m,)
        Difference between the two models on the full data, per statistic.
    permuted : array_like of float, shape (R, m)
        The differences after ``R`` random swaps. NaN values are ignored.

    Returns
    -------
    ndarray of float, shape (m,)
        The p-values. Identical models give exactly 1.0. A NaN observed
        difference or a column without a valid permutation gives NaN.

    Raises
    ------
    InputError
        If ``permuted`` is not a non-empty 2-D array of numbers, or
        ``observed`` is not a 1-D array with one value per column.

    Examples
    --------
    >>> import numpy as np
    >>> perm = np.array([[0.1, 0.0], [-0.3, 0.0], [0.05, 0.0], [0.2, 0.0]])
    >>> permutation_pvalue([0.25, 0.0], perm).tolist()
    [0.4, 1.0]
    """
    perm = _matrix(permuted, "permuted")
    obs = _vector(observed, "observed", perm.shape[1], against="permuted")
    return _tail_pvalue(np.abs(perm), obs, perm)


def _tail_pvalue(distance, observed, values) -> np.ndarray:
    """``(1 + #{distance >= |observed| - tol}) / (valid + 1)`` per column."""
    size = np.abs(observed)
    tol = 1e-12 * np.maximum(1.0, size)
    with np.errstate(invalid="ignore"):
        hits = np.count_nonzero(distance >= size - tol, axis=0)  # NaN never counts
    valid = np.count_nonzero(~np.isnan(values), axis=0)
    p = (1.0 + hits) / (valid + 1.0)
    p[(valid == 0) | np.isnan(observed)] = np.nan
    return p


def _count(value, name: str) -> int:
    """A McNemar count as an int, or an InputError saying what is wrong."""
    meaning = _COUNT_MEANING[name]
    arr = np.asarray(value) if not isinstance(value, (str, bytes)) else None
    if arr is None or arr.dtype.kind not in "iuf":
        raise InputError(
            f"{name} must be a count (a non-negative whole number), got {value!r} "
            f"of type {type(value).__name__}; pass {meaning}."
        )
    if arr.ndim != 0:
        raise InputError(
            f"{name} must be a single count, got an array of shape {arr.shape}; "
            f"pass {meaning}, one test at a time."
        )
    v = float(arr)
    if not math.isfinite(v):
        raise InputError(f"{name} must be a finite count, got {v}; pass {meaning}.")
    if v < 0:
        raise InputError(
            f"{name} must be a non-negative count, got {value}; pass {meaning}, "
            "not a difference of counts."
        )
    if v != math.floor(v):
        raise InputError(
            f"{name} must be a whole number, got {value}; pass {meaning}, "
            "not a rate or a proportion."
        )
    return int(v)
