"""Label ranking metric functions: scikit-learn twins and one-error.

Each sample's labels are ranked by score, highest first, so these need a
score for every label: a dense float matrix (n_samples, n_labels). Sparse and
top-k scores give the @k metrics only (:mod:`labelwise.metrics.at_k`).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_k, check_sample_weight, coerce_ranking
from ..errors import InputError
from ..ranking import discount_cumsum, row_sums
from ._common import score_rows

__all__ = [
    "label_ranking_average_precision_score",
    "label_ranking_loss",
    "coverage_error",
    "one_error",
    "ndcg_score",
]


def label_ranking_average_precision_score(y_true, y_score, *, sample_weight=None):
    """Label ranking average precision (LRAP), as ``sklearn.metrics``.

    For each sample and each true label: the share of labels ranked at or above
    it that are true; averaged. A sample whose labels are all true or all false
    scores 1.

    Examples
    --------
    >>> label_ranking_average_precision_score([[1, 0, 0], [0, 0, 1]],
    ...                                       [[0.75, 0.5, 1], [1, 0.2, 0.1]])
    0.41666666666666663
    """
    return float(score_rows(y_true, y_score, sample_weight).mean("lrap"))


def label_ranking_loss(y_true, y_score, *, sample_weight=None):
    """Share of (true, false) label pairs ordered wrongly (ties count as wrong).

    Examples
    --------
    >>> label_ranking_loss([[1, 0, 0], [0, 0, 1]], [[0.75, 0.5, 1], [1, 0.2, 0.1]])
    0.75
    """
    return float(score_rows(y_true, y_score, sample_weight).mean("ranking_loss"))


def coverage_error(y_true, y_score, *, sample_weight=None):
    """How far down the ranking one must go to cover every true label, on average.

    Examples
    --------
    >>> coverage_error([[1, 0, 0], [0, 1, 1]], [[1, 0, 0], [0, 1, 1]])
    1.5
    """
    return float(score_rows(y_true, y_score, sample_weight).mean("coverage"))


def one_error(y_true, y_score, *, sample_weight=None):
    """Share of samples whose top-ranked label is not true.

    When several labels tie for the top score, a sample counts as the share of
    those labels that are not true (the mean over every order of the tie). A
    sample without true labels always counts as an error.

    Examples
    --------
    >>> one_error([[1, 0, 0], [0, 1, 0]], [[0.9, 0.1, 0.3], [0.8, 0.2, 0.1]])
    0.5
    """
    return float(score_rows(y_true, y_score, sample_weight).mean("one_error"))


def ndcg_score(y_true, y_score, *, k=None, sample_weight=None, ignore_ties=False):
    """Normalised discounted cumulative gain, as ``sklearn.metrics.ndcg_score``.

    Parameters
    ----------
    y_true : array-like, sparse matrix or DataFrame
        0/1 truth of shape (n_samples, n_labels), at least two labels.
    y_score : array-like of float, shape (n_samples, n_labels)
        Scores for every label.
    k : int, optional
        Only the ``k`` best-ranked labels count; None counts them all.
    sample_weight : array-like of shape (n_samples,), optional
    ignore_ties : bool, default False
        False averages the gain of tied scores over every order of the tie.
        True ranks tied labels in the order of numpy's ``argsort`` of each row
        (highest score first), as scikit-learn does: exact for untied scores,
        arbitrary within a tie.

    Returns
    -------
    float
        The mean over samples of DCG@k over the ideal DCG@k (0 for a sample
        without true labels).

    Examples
    --------
    >>> ndcg_score([[1, 0, 1], [0, 1, 0]], [[0.9, 0.8, 0.1], [0.3, 0.2, 0.1]])
    0.7753252713598224
    >>> ndcg_score([[1, 0, 0]], [[0.5, 0.5, 0.1]], k=1)  # the tie counts as half a hit
    0.5
    >>> ndcg_score([[1, 0, 0]], [[0.5, 0.5, 0.1]], k=1, ignore_ties=True)
    0.0
    """
    if not isinstance(ignore_ties, (bool, np.bool_)):
        raise InputError(
            f"ignore_ties must be True or False, got {ignore_ties!r}."
        )
    data = coerce_ranking(y_true, y_score, need_dense=True)
    if data.n_labels < 2:
        raise InputError(
            "ndcg_score needs more than one label to rank; got 1. Use a per-label "
            "metric for a single label."
        )
    kk = data.n_labels if k is None else min(check_k(k, 10**18), data.n_labels)
    w = check_sample_weight(sample_weight, data.n_samples)
    if ignore_ties:
        return _ndcg_in_argsort_order(data, kk, w)
    return float(row_sums(data, ks=(kk,), sample_weight=w).mean("ndcg_at_k")[0])


def _ndcg_in_argsort_order(data, k: int, w) -> float:
    """nDCG@k with each row ranked by a plain (reversed) argsort, ties in argsort order."""
    t = data.y_true
    top = np.argsort(data.dense_scores, axis=1)[:, ::-1][:, :k]
    gains = np.take_along_axis(t.toarray().astype(np.float64), top, axis=1)
    D = discount_cumsum(k)
    dcg = gains @ np.diff(D)
    ideal = D[np.minimum(k, np.diff(t.indptr))]
    ndcg = np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0)
    return float(np.average(ndcg, weights=w))
