"""Bootstrap confidence intervals for many statistics at once.

Every function takes replicates as a float array of shape ``(R, m)``: ``R``
bootstrap replicates of ``m`` statistics (for example one column per label and
metric). Columns are independent; a NaN replicate (a statistic that was
undefined on that resample) is left out of its own column only.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..errors import InputError

__all__ = ["bca_interval", "check_level", "percentile_interval"]


def check_level(level, name: str = "ci") -> float:
    """Check a confidence level and return it as a float.

    Parameters
    ----------
    level : float
        Confidence level, strictly between 0 and 1 (such as 0.95).
    name : str, default "ci"
        Name of the argument, used in the error message.

    Returns
    -------
    float
        ``level`` as a Python float.

    Raises
    ------
    InputError
        If ``level`` is not a real number (booleans are refused) or does not
        lie strictly between 0 and 1. A level between 1 and 100 is taken for a
        percentage, and the message says to divide it by 100.

    Examples
    --------
    >>> check_level(0.9)
    0.9
    >>> check_level(95)
    Traceback (most recent call last):
    ...
    labelwise.InputError: ci must be a confidence level between 0 and 1 (such as 0.95), got 95; divide by 100 to give 0.95.
    """
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, numbers.Real):
        raise InputError(
            f"{name} must be a confidence level between 0 and 1 (such as 0.95), "
            f"got {level!r} of type {type(level).__name__}; pass a float such as 0.95."
        )
    value = float(level)
    if not 0.0 < value < 1.0:  # also refuses NaN
        if 1.0 < value <= 100.0:
            hint = f"divide by 100 to give {value / 100:g}"
        else:
            hint = "pass a float such as 0.9, 0.95 or 0.99"
        raise InputError(
            f"{name} must be a confidence level between 0 and 1 (such as 0.95), "
            f"got {level}; {hint}."
        )
    return value


def percentile_interval(replicates, level: float = 0.95):
    """Percentile bootstrap interval of every column of ``replicates``.

    Parameters
    ----------
    replicates : array_like of float, shape (R, m)
        ``R`` bootstrap replicates of ``m`` statistics. NaN replicates are
        ignored, column by column.
    level : float, default 0.95
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    low, high : ndarray of float, shape (m,)
        The ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of each
        column (linear interpolation, as :func:`numpy.quantile`). A column
        whose replicates are all NaN gives NaN.

    Raises
    ------
    InputError
        If ``level`` is not strictly between 0 and 1, or ``replicates`` is not
        a non-empty 2-D array of numbers.

    Examples
    --------
    >>> import numpy as np
    >>> reps = np.column_stack([np.arange(101.0), np.full(101, np.nan)])
    >>> low, high = percentile_interval(reps, 0.9)
    >>> low.round(6).tolist(), high.round(6).tolist()
    ([5.0, nan], [95.0, nan])
    """
    level = check_level(level, "level")
    reps = _matrix(replicates, "replicates")
    if reps.shape[1] == 0:
        return np.empty(0), np.empty(0)
    q = np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN
        low, high = np.nanquantile(reps, q, axis=0)
    return low, high


def bca_interval(replicates, estimate, jackknife, level: float = 0.95):
    """Bias-corrected and accelerated (BCa) bootstrap interval, per column.

    The interval of Efron (1987): the replicate quantiles at levels moved by a
    bias correction ``z0`` and an acceleration ``a``::

        z0 = ndtri((#{theta* < theta_hat} + #{theta* == theta_hat} / 2) / R)

    where replicates within ``1e-12 * max(1, |theta_hat|)`` of the estimate count
    as equal to it (the same data summed in another order differs by rounding).
        d = mean(jackknife) - jackknife
        a = sum(d**3) / (6 * sum(d**2)**1.5)          (0 when sum(d**2) == 0)
        alpha_i = ndtr(z0 + (z0 + z_i) / (1 - a * (z0 + z_i)))

    with ``z_i = ndtri((1 - level) / 2)`` and ``ndtri((1 + level) / 2)``.
    Counting ties as one half keeps ``z0`` finite for a statistic that does
    not change between resamples; the proportion is also clipped to
    ``[1/(2R), 1 - 1/(2R)]``.

    Parameters
    ----------
    replicates : array_like of float, shape (R, m)
        ``R`` bootstrap replicates of ``m`` statistics. NaN replicates are
        ignored, column by column, and ``R`` above is the number of the
        column's valid replicates.
    estimate : array_like of float, shape (m,)
        Each statistic computed on the full data.
    jackknife : array_like of float, shape (J, m)
        Each statistic with one sample (or one group of samples) left out, one
        row per left-out sample or group. NaN values are ignored; a column with
        fewer than two distinct values gets ``a = 0``.
    level : float, default 0.95
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    low, high : ndarray of float, shape (m,)
        The interval of each statistic (quantiles with linear interpolation,
        as :func:`numpy.quantile`). A column whose valid replicates all equal
        the estimate gives ``(estimate, estimate)``; a column with no valid
        replicate, or a NaN estimate, gives NaN.

    Raises
    ------
    InputError
        If ``level`` is not strictly between 0 and 1, the arrays are not 2-D,
        1-D and 2-D respectively, hold something other than numbers, or do not
        have one column (one value for ``estimate``) per statistic.

    Examples
    --------
    The mean of a skewed sample, and a statistic that never changes:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.exponential(size=100)
    >>> means = x[rng.integers(0, x.size, size=(4000, x.size))].mean(axis=1)
    >>> loo = (x.sum() - x) / (x.size - 1)
    >>> reps = np.column_stack([means, np.ones(4000)])
    >>> est = np.array([x.mean(), 1.0])
    >>> jack = np.column_stack([loo, np.ones(x.size)])
    >>> low, high = bca_interval(reps, est, jack, 0.95)
    >>> bool(low[0] < est[0] < high[0]), low[1].item(), high[1].item()
    (True, 1.0, 1.0)
    """
    level = check_level(level, "level")
    reps = _matrix(replicates, "replicates")
    m = reps.shape[1]
    est = _vector(estimate, "estimate", m)
    jack = _matrix(jackknife, "jackknife", m)

    valid = ~np.isnan(reps)
    n = valid.sum(axis=0)
    # replicates within rounding of the estimate are ties: the same data summed in
    # another order (batches, merged states) must give the same interval
    tol = 1e-12 * np.maximum(1.0, np.abs(est))
    less = np.count_nonzero(reps < est - tol, axis=0)
    ties = np.count_nonzero(np.abs(reps - est) <= tol, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        proportion = (less + 0.5 * ties) / n
        proportion = np.clip(proportion, 0.5 / n, 1.0 - 0.5 / n)
    from scipy.special import ndtr, ndtri

    z0 = ndtri(proportion)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN jackknife columns
        d = np.nanmean(jack, axis=0) - jack
    ss = np.nansum(d**2, axis=0)
    cube = np.nansum(d**3, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(ss > 0, cube / (6.0 * ss**1.5), 0.0)

    z = ndtri(np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0]))[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        shifted = z0 + z
        alpha = ndtr(z0 + shifted / (1.0 - a * shifted))
    low, high = _column_quantiles(reps, n, alpha)

    constant = (ties == n) & (n > 0)
    low[constant] = est[constant]
    high[constant] = est[constant]
    undefined = (n == 0) | np.isnan(est)
    low[undefined] = np.nan
    high[undefined] = np.nan
    return low, high


def _column_quantiles(values, n_valid, q):
    """Quantiles ``q[i, j]`` of column ``j`` of ``values``, NaN ignored.

    Linear interpolation between order statistics, computed as numpy's
    default ``"linear"`` method does, so that equal levels give the same
    numbers as :func:`numpy.nanquantile`.
    """
    ordered = np.sort(values, axis=0)  # NaN sort last
    last = np.maximum(n_valid - 1, 0)
    q = np.clip(np.nan_to_num(q, nan=0.5), 0.0, 1.0)
    position = q * last
    below = np.minimum(np.floor(position).astype(np.intp), last)
    above = np.minimum(below + 1, last)
    t = position - below
    a = np.take_along_axis(ordered, below, axis=0)
    b = np.take_along_axis(ordered, above, axis=0)
    with np.errstate(invalid="ignore"):
        diff = b - a
        out = np.where(t >= 0.5, b - diff * (1.0 - t), a + diff * t)
    out = np.where(t == 0, a, out)
    return out[0].copy(), out[1].copy()


def _as_float(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            f"{name} must be an array of numbers, got {type(values).__name__} "
            "that cannot be read as floats; pass numeric values, with NaN for an undefined statistic."
        ) from None
    return arr


def _matrix(values, name: str, n_columns: int | None = None) -> np.ndarray:
    """``values`` as a 2-D float array with at least one row."""
    arr = _as_float(values, name)
    if arr.ndim != 2:
        hint = (
            f"for a single statistic pass {name}.reshape(-1, 1)" if arr.ndim == 1
            else "pass one row per replicate and one column per statistic"
        )
        raise InputError(
            f"{name} must be a 2-D array of shape (replicates, statistics), "
            f"got {arr.ndim}-D shape {arr.shape}; {hint}."
        )
    if arr.shape[0] == 0:
        raise InputError(
            f"{name} must have at least one row, got shape {arr.shape}; "
            "pass one row per replicate."
        )
    if n_columns is not None and arr.shape[1] != n_columns:
        raise InputError(
            f"{name} has {_plural(arr.shape[1], 'column')} but replicates has {n_columns}; "
            "both need one column per statistic, in the same order."
        )
    return arr


def _vector(values, name: str, length: int, against: str = "replicates") -> np.ndarray:
    """``values`` as a 1-D float array of ``length`` values."""
    arr = _as_float(values, name)
    if arr.ndim != 1:
        hint = "wrap a single value as [value]" if arr.ndim == 0 else "pass one value per statistic"
        raise InputError(
            f"{name} must be a 1-D array with one value per statistic, "
            f"got {arr.ndim}-D shape {arr.shape}; {hint}."
        )
    if arr.shape[0] != length:
        raise InputError(
            f"{name} has {_plural(arr.shape[0], 'value')} but {against} has "
            f"{_plural(length, 'column')}; "
            "both need one entry per statistic, in the same order."
        )
    return arr


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
