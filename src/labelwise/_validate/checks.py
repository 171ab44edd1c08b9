"""Argument checks: sample weights, ``zero_division``, ``beta``, ``average``,
inverse propensities and the cutoffs ``k``."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..errors import InputError
from .raw import index_positions, is_series, row_index, to_numpy

__all__ = [
    "AVERAGES",
    "check_sample_weight",
    "check_zero_division",
    "check_beta",
    "check_average",
    "check_propensity",
    "check_k",
    "check_ks",
    "check_cutoffs",
]

AVERAGES = ("micro", "macro", "weighted", "samples")



def check_sample_weight(sample_weight, n_samples: int, index=None, *, allow_zero_sum=False):
    """Return None or a float64 array of ``n_samples`` finite, non-negative weights.

    Weights are read in the rows' order, by position. When the rows were matched
    by index (``index`` is the :attr:`Labelled.index` of the validated data) and
    ``sample_weight`` is a pandas Series with an index other than the default
    ``0..n-1``, the weights are matched to the rows by that index instead: every
    row needs exactly one weight. A weight Series with an index is read by
    position when the rows were matched by position. ``allow_zero_sum`` takes
    weights that are all zero (a batch of the accumulator: the whole may still
    weigh something).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.Index(["s1", "s2", "s3"])
    >>> w = pd.Series([3.0, 1.0, 2.0], index=["s3", "s1", "s2"])
    >>> check_sample_weight(w, 3, index=rows).tolist()
    [1.0, 2.0, 3.0]
    >>> check_sample_weight(w, 3).tolist()
    [3.0, 1.0, 2.0]
    """
    if sample_weight is None:
        return None
    if index is not None and is_series(sample_weight):
        wi = row_index(sample_weight)
        if wi is not None:
            how = "pass sample_weight.to_numpy() to give the weights in the rows' order"
            pos = index_positions(index, wi, "sample_weight", "y_true", how)
            if pos is not None:
                sample_weight = sample_weight.to_numpy()[pos]
    try:
        w = np.asarray(to_numpy(sample_weight, "sample_weight"), dtype=np.float64)
    except InputError:
        raise
    except (TypeError, ValueError):
        raise InputError("sample_weight must be numeric, one weight per sample.") from None
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise InputError(
            f"sample_weight has shape {w.shape} but there are {n_samples} samples: "
            "give one weight per sample."
        )
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"sample_weight[{i}] is {w[i]}; weights must be finite and non-negative."
        )
    if w.sum() == 0 and not allow_zero_sum:
        raise InputError("sample_weight sums to 0: at least one sample needs a positive weight.")
    return w


def check_zero_division(zero_division):
    """Return ``"warn"`` or the float to use for 0/0 (0.0, 1.0 or nan)."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return "warn"
        if zero_division.lower() == "nan":
            return math.nan
    elif isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool):
        if math.isnan(zero_division):
            return math.nan
        if zero_division in (0, 1):
            return float(zero_division)
    raise InputError(
        f"zero_division must be 'warn', 0, 1 or nan, got {zero_division!r}."
    )


def check_beta(beta) -> float:
    if not isinstance(beta, numbers.Real) or isinstance(beta, bool) or not beta >= 0:
        raise InputError(f"beta must be a non-negative number, got {beta!r}.")
    return float(beta)


def check_average(average, allowed=(None,) + AVERAGES) -> Any:
    if average not in allowed:
        raise InputError(
            f"average must be one of {list(allowed)}, got {average!r}."
        )
    return average


def check_propensity(inv_propensity, n_labels: int) -> np.ndarray:
    """One finite, positive inverse propensity per label."""
    try:
        p = np.asarray(to_numpy(inv_propensity, "inv_propensity"), dtype=np.float64)
    except InputError:
        raise
    except (TypeError, ValueError):
        raise InputError("inv_propensity must be numeric, one value per label.") from None
    if p.ndim != 1 or p.shape[0] != n_labels:
        raise InputError(
            f"inv_propensity has shape {p.shape} but there are {n_labels} labels: give one "
            "inverse propensity per label (see labelwise.inverse_propensity)."
        )
    bad = ~np.isfinite(p) | (p <= 0)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"inv_propensity[{j}] is {p[j]}; inverse propensities must be finite and positive."
        )
    return p


def check_k(k, width: int, name: str = "k") -> int:
    """A positive integer cutoff no larger than the scores given per row."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise InputError(f"{name} must be a positive integer, got {k!r}.")
    if k > width:
        raise InputError(
            f"{name}={k} is larger than the {width} labels scored per row; the metric "
            f"needs at least {k} ranked labels. Use k <= {width} or give more predictions."
        )
    return int(k)


def check_ks(k, width: int) -> tuple[tuple, bool]:
    """One cutoff ``k``, or a sequence of them (a list, tuple, range or 1-d array), each
    checked as by :func:`check_k`.

    Returns the cutoffs in the order given, and whether ``k`` was a sequence.

    >>> check_ks(3, 5), check_ks([5, 1], 5), check_ks(np.array(2), 5)
    (((3,), False), ((5, 1), True), ((2,), False))
    """
    if isinstance(k, np.ndarray) and k.ndim == 0:  # np.array(5): one cutoff
        k = k.item()
    if isinstance(k, np.ndarray) and k.ndim != 1:
        raise InputError(
            f"k must be one cutoff or a 1-d sequence of cutoffs, got an array of shape "
            f"{k.shape}."
        )
    if not isinstance(k, (list, tuple, range, np.ndarray)):
        return (check_k(k, width),), False
    if len(k) == 0:
        raise InputError("k is an empty sequence: give at least one cutoff, e.g. k=(1, 3, 5).")
    return tuple(check_k(x, width, f"k[{q}]") for q, x in enumerate(k)), True


def check_cutoffs(k) -> tuple:
    """The report's ``*_at_k`` cutoffs: one positive integer or several, as a sorted tuple.

    >>> check_cutoffs(10), check_cutoffs([5, 1, 3])
    ((10,), (1, 3, 5))
    """
    items = [k] if isinstance(k, numbers.Integral) else k
    try:
        items = list(items)
    except TypeError:
        raise InputError(f"k must be a positive integer or a list of them, got {k!r}.") from None
    bad = [x for x in items
           if isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < 1]
    if bad or not items:
        raise InputError(
            f"k must be a positive integer or a list of them, got {k!r}"
            + (f" ({bad[0]!r} is not a positive integer)." if bad else " (empty).")
        )
    return tuple(sorted({int(x) for x in items}))

