"""@k metric functions for extreme classification.

P@k, R@k and nDCG@k (the Extreme Classification Repository's definitions),
and the propensity-scored P@k and nDCG@k (Jain et al., KDD 2016), whose
inverse propensities :func:`labelwise.inverse_propensity` estimates from the
training labels. The cutoff ``k`` is keyword-only.

Scores come as a dense float matrix (n_samples, n_labels), a scipy sparse
matrix holding only the scored entries, or a pair ``(indices, scores)`` of
(n_samples, k) arrays: each row's top-k label indices and their scores. All
three are taken as they are, without building a dense matrix; unscored labels
rank below every scored one. When scores tie, each metric is the mean over
every order of the tied labels.
"""

from __future__ import annotations

import math

from ._common import score_rows

__all__ = [
    "precision_at_k",
    "recall_at_k",
    "ndcg_at_k",
    "psprecision_at_k",
    "psndcg_at_k",
]


def precision_at_k(y_true, y_score, *, k=5, sample_weight=None):
    """P@k: the share of each sample's top ``k`` labels that are true, averaged.

    Examples
    --------
    >>> precision_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=2)
    0.5
    >>> precision_at_k([[1, 0, 1, 0]], ([[0, 1]], [[0.9, 0.8]]), k=2)  # top-k form
    0.5
    """
    return float(score_rows(y_true, y_score, sample_weight, ks=(k,), need_dense=False)
                 .mean("precision_at_k")[0])


def recall_at_k(y_true, y_score, *, k=5, sample_weight=None):
    """R@k: the share of each sample's true labels found in its top ``k``.

    A sample without true labels counts as 0.

    Examples
    --------
    >>> recall_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=2)
    0.5
    """
    return float(score_rows(y_true, y_score, sample_weight, ks=(k,), need_dense=False)
                 .mean("recall_at_k")[0])


def ndcg_at_k(y_true, y_score, *, k=5, sample_weight=None):
    """nDCG@k: DCG@k over the ideal DCG@min(k, |y|); samples without labels count as 0.

    Examples
    --------
    >>> round(ndcg_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=2), 6)
    0.613147
    """
    return float(score_rows(y_true, y_score, sample_weight, ks=(k,), need_dense=False)
                 .mean("ndcg_at_k")[0])


def psprecision_at_k(y_true, y_score, *, k=5, inv_propensity, sample_weight=None):
    """Propensity-scored P@k (Jain et al., 2016), normalised by the best achievable.

    The sum over samples of the inverse propensities of the true labels in the
    top ``k``, divided by the same sum for the best possible top ``k`` (the true
    labels of highest inverse propensity).

    Examples
    --------
    >>> psprecision_at_k([[1, 0, 1]], [[0.9, 0.8, 0.1]], k=1, inv_propensity=[1.0, 1.0, 3.0])
    0.3333333333333333
    """
    sums = score_rows(y_true, y_score, sample_weight, ks=(k,), need_dense=False,
                      inv_propensity=inv_propensity)
    return _ratio(sums.ps_hits_at_k[0], sums.ps_best_hits_at_k[0])


def psndcg_at_k(y_true, y_score, *, k=5, inv_propensity, sample_weight=None):
    """Propensity-scored nDCG@k, normalised by the best achievable.

    Examples
    --------
    >>> round(psndcg_at_k([[1, 0, 1]], [[0.1, 0.8, 0.9]], k=2, inv_propensity=[1, 1, 3.0]), 6)
    0.826235
    """
    sums = score_rows(y_true, y_score, sample_weight, ks=(k,), need_dense=False,
                      inv_propensity=inv_propensity)
    return _ratio(sums.ps_ndcg_at_k[0], sums.ps_best_ndcg_at_k[0])


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else math.nan
