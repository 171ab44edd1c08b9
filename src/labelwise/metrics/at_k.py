"""@k metric functions for extreme classification.

P@k, R@k and nDCG@k (the Extreme Classification Repository's definitions),
and the propensity-scored P@k and nDCG@k (Jain et al., KDD 2016), whose
inverse propensities :func:`labelwise.inverse_propensity` estimates from the
training labels. The cutoff ``k`` is keyword-only; a sequence of cutoffs gives
one value per cutoff from one pass over the rows.

Scores come as a dense float matrix (n_samples, n_labels), a scipy sparse
matrix holding only the scored entries, or a pair ``(indices, scores)`` of
(n_samples, k) arrays: each row's top-k label indices and their scores. All
three are taken as they are, without building a dense matrix; unscored labels
rank below every scored one. When scores tie, each metric is the mean over
every order of the tied labels.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import score_at_k

__all__ = [
    "precision_at_k",
    "recall_at_k",
    "ndcg_at_k",
    "psprecision_at_k",
    "psndcg_at_k",
]


_PARAMETERS = """
    Parameters
    ----------
    y_true : array-like or sparse matrix of shape (n_samples, n_labels)
        Ground truth (0/1).
    y_score : array-like of shape (n_samples, n_labels), sparse matrix, or
        ``(indices, scores)``
        Scores, in any of the three forms described in :mod:`labelwise.metrics.at_k`.
    k : int or sequence of int, default=5
        The cutoff, or several (a list, tuple, range or 1-d array): one value per
        cutoff, all from one pass over the rows. Each must be at least 1 and at most
        the labels scored per row.
    sample_weight : array-like of shape (n_samples,), default=None
        Weight of each sample."""

_RETURNS = """
    Returns
    -------
    float or ndarray of shape (len(k),)
        A float for one cutoff; for a sequence, one value per cutoff, in its order."""


def _at_k_doc(fn):
    fn.__doc__ = fn.__doc__.replace("    PARAMETERS\n", _PARAMETERS + "\n").replace(
        "    RETURNS\n", _RETURNS + "\n")
    return fn


def _one_or_many(values, many: bool):
    values = np.asarray(values, dtype=np.float64)
    return values.copy() if many else float(values[0])


@_at_k_doc
def precision_at_k(y_true, y_score, *, k=5, sample_weight=None):
    """P@k: the share of each sample's top ``k`` labels that are true, averaged.
    PARAMETERS
    RETURNS

    Examples
    --------
    >>> precision_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=2)
    0.5
    >>> precision_at_k([[1, 0, 1, 0]], ([[0, 1]], [[0.9, 0.8]]), k=2)  # top-k form
    0.5

    Several cutoffs share one pass over the rows:

    >>> precision_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=(1, 2, 4))
    array([1. , 0.5, 0.5])
    """
    sums, many = score_at_k(y_true, y_score, sample_weight, k)
    return _one_or_many(sums.mean("precision_at_k"), many)


@_at_k_doc
def recall_at_k(y_true, y_score, *, k=5, sample_weight=None):
    """R@k: the share of each sample's true labels found in its top ``k``.

    A sample without true labels counts as 0.
    PARAMETERS
    RETURNS

    Examples
    --------
    >>> recall_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=2)
    0.5
    >>> recall_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=[1, 4])
    array([0.5, 1. ])
    """
    sums, many = score_at_k(y_true, y_score, sample_weight, k)
    return _one_or_many(sums.mean("recall_at_k"), many)


@_at_k_doc
def ndcg_at_k(y_true, y_score, *, k=5, sample_weight=None):
    """nDCG@k: DCG@k over the ideal DCG@min(k, |y|); samples without labels count as 0.
    PARAMETERS
    RETURNS

    Examples
    --------
    >>> round(ndcg_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=2), 6)
    0.613147
    >>> ndcg_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=(1, 2)).round(6)
    array([1.      , 0.613147])
    """
    sums, many = score_at_k(y_true, y_score, sample_weight, k)
    return _one_or_many(sums.mean("ndcg_at_k"), many)


@_at_k_doc
def psprecision_at_k(y_true, y_score, *, k=5, inv_propensity, sample_weight=None):
    """Propensity-scored P@k (Jain et al., 2016), normalised by the best achievable.

    The sum over samples of the inverse propensities of the true labels in the
    top ``k``, divided by the same sum for the best possible top ``k`` (the true
    labels of highest inverse propensity); NaN when no sample has a true label.
    PARAMETERS
    inv_propensity : array-like of shape (n_labels,)
        One finite, positive inverse propensity per label
        (see :func:`labelwise.inverse_propensity`).
    RETURNS

    Examples
    --------
    >>> psprecision_at_k([[1, 0, 1]], [[0.9, 0.8, 0.1]], k=1, inv_propensity=[1.0, 1.0, 3.0])
    0.3333333333333333
    >>> psprecision_at_k([[1, 0, 1]], [[0.9, 0.8, 0.1]], k=(1, 3), inv_propensity=[1, 1, 3])
    array([0.33333333, 1.        ])
    """
    sums, many = score_at_k(y_true, y_score, sample_weight, k, inv_propensity)
    return _one_or_many(_ratio(sums.ps_hits_at_k, sums.ps_best_hits_at_k), many)


@_at_k_doc
def psndcg_at_k(y_true, y_score, *, k=5, inv_propensity, sample_weight=None):
    """Propensity-scored nDCG@k, normalised by the best achievable; NaN when no sample
    has a true label.
    PARAMETERS
    inv_propensity : array-like of shape (n_labels,)
        One finite, positive inverse propensity per label
        (see :func:`labelwise.inverse_propensity`).
    RETURNS

    Examples
    --------
    >>> round(psndcg_at_k([[1, 0, 1]], [[0.1, 0.8, 0.9]], k=2, inv_propensity=[1, 1, 3.0]), 6)
    0.826235
    """
    sums, many = score_at_k(y_true, y_score, sample_weight, k, inv_propensity)
    return _one_or_many(_ratio(sums.ps_ndcg_at_k, sums.ps_best_ndcg_at_k), many)


def _ratio(num, den) -> np.ndarray:
    """``num / den`` per cutoff, NaN where ``den`` is 0."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), math.nan)
