"""Score-based metric functions: scikit-learn twins, one-error, curves and @k.

All of these are also available from :mod:`labelwise.metrics`.

Scores come as a dense float matrix (n_samples, n_labels), a scipy sparse
matrix holding only the scored entries, or a pair ``(indices, scores)`` of
(n_samples, k) arrays: each row's top-k label indices and their scores. Metrics
that rank every label (label ranking, ROC-AUC, average precision, curves) need
the dense form; the @k metrics take all three and never build a dense matrix.

Undefined values
----------------
A label whose truth is constant (all 0 or all 1) has no ROC-AUC: its value is
NaN, and the macro average leaves it out (scikit-learn returns NaN for the
whole average; torchmetrics scores such a label 0). A sample whose labels are
all true or all false likewise has no ROC-AUC and is left out of the samples
average. Average precision follows scikit-learn: a label (or sample) with no
positive has AP 0. With no defined value at all, the average is NaN.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import ranking
from ._validate import (
    AVERAGES,
    _canonical,
    _read,
    _vocabulary,
    check_average,
    check_k,
    check_propensity,
    check_sample_weight,
    coerce_ranking,
)
from .errors import InputError

__all__ = [
    "label_ranking_average_precision_score",
    "label_ranking_loss",
    "coverage_error",
    "one_error",
    "roc_auc_score",
    "average_precision_score",
    "ndcg_score",
    "roc_curve",
    "precision_recall_curve",
    "roc_curves",
    "precision_recall_curves",
    "precision_at_k",
    "recall_at_k",
    "ndcg_at_k",
    "psprecision_at_k",
    "psndcg_at_k",
    "inverse_propensity",
]


def _rows(y_true, y_score, sample_weight, *, ks=(1,), need_dense=True, labels=None,
          inv_propensity=None):
    data = coerce_ranking(y_true, y_score, labels=labels, need_dense=need_dense)
    w = check_sample_weight(sample_weight, data.n_samples)
    for k in ks:
        check_k(k, data.width)
    p = None if inv_propensity is None else check_propensity(inv_propensity, data.n_labels)
    return ranking.row_sums(data, ks=ks, sample_weight=w, inv_propensity=p)


# --------------------------------------------------------------------------
# Label ranking (scikit-learn twins)
# --------------------------------------------------------------------------


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
    return float(_rows(y_true, y_score, sample_weight).mean("lrap"))


def label_ranking_loss(y_true, y_score, *, sample_weight=None):
    """Share of (true, false) label pairs ordered wrongly (ties count as wrong).

    Examples
    --------
    >>> label_ranking_loss([[1, 0, 0], [0, 0, 1]], [[0.75, 0.5, 1], [1, 0.2, 0.1]])
    0.75
    """
    return float(_rows(y_true, y_score, sample_weight).mean("ranking_loss"))


def coverage_error(y_true, y_score, *, sample_weight=None):
    """How far down the ranking one must go to cover every true label, on average.

    Examples
    --------
    >>> coverage_error([[1, 0, 0], [0, 1, 1]], [[1, 0, 0], [0, 1, 1]])
    1.5
    """
    return float(_rows(y_true, y_score, sample_weight).mean("coverage"))


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
    return float(_rows(y_true, y_score, sample_weight).mean("one_error"))


def ndcg_score(y_true, y_score, *, k=None, sample_weight=None, ignore_ties=False):
    """Normalised discounted cumulative gain, as ``sklearn.metrics.ndcg_score``.

    Tied scores are always averaged over their orders (scikit-learn's default);
    ``ignore_ties`` is accepted for compatibility and changes nothing, since the
    exact computation is as fast. Truth must be 0/1 (multi-label).

    Examples
    --------
    >>> ndcg_score([[1, 0, 1], [0, 1, 0]], [[0.9, 0.8, 0.1], [0.3, 0.2, 0.1]])
    0.7753252713598224
    """
    data = coerce_ranking(y_true, y_score, need_dense=True)
    if data.n_labels < 2:
        raise InputError(
            "ndcg_score needs more than one label to rank; got 1. Use a per-label "
            "metric for a single label."
        )
    kk = data.n_labels if k is None else min(check_k(k, 10**18), data.n_labels)
    w = check_sample_weight(sample_weight, data.n_samples)
    return float(ranking.row_sums(data, ks=(kk,), sample_weight=w).mean("ndcg_at_k")[0])


# --------------------------------------------------------------------------
# ROC-AUC and average precision (scikit-learn twins)
# --------------------------------------------------------------------------


def _auc_or_ap(y_true, y_score, average, sample_weight, which):
    check_average(average, (None,) + AVERAGES)
    data = coerce_ranking(y_true, y_score, need_dense=True)
    w = check_sample_weight(sample_weight, data.n_samples)
    if average == "samples":
        sums = ranking.row_sums(data, ks=(1,), sample_weight=w)
        return float(sums.mean("auc" if which == 0 else "ap"))
    found = ranking.auc_ap(data.y_true, data.dense_scores, w)
    if average == "micro":
        return float((found.micro_auc, found.micro_ap)[which])
    values = (found.label_auc, found.label_ap)[which]
    support = ranking.label_support(data.y_true, w)
    if average is None:
        return values
    return ranking.average_label_values(values, support, average)


def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None, max_fpr=None,
                  multi_class="raise", labels=None):
    """Area under the ROC curve for multi-label input, as ``sklearn.metrics``.

    A label (or, for ``average="samples"``, a sample) whose truth is constant has
    no ROC-AUC: it is NaN with ``average=None`` and left out of the averages.
    ``multi_class`` and ``labels`` only matter for multi-class input and are
    ignored; ``max_fpr`` (partial AUC) is not supported.

    Examples
    --------
    >>> roc_auc_score([[1, 0], [0, 1], [1, 1]], [[0.9, 0.5], [0.7, 0.8], [0.6, 0.4]])
    0.5
    """
    if max_fpr is not None and max_fpr != 1:
        raise InputError(
            f"max_fpr={max_fpr!r}: partial ROC-AUC is not supported; leave max_fpr=None."
        )
    return _auc_or_ap(y_true, y_score, average, sample_weight, 0)


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1,
                            sample_weight=None):
    """Average precision (area under the step PR curve), as ``sklearn.metrics``.

    Examples
    --------
    >>> average_precision_score([[1, 0], [0, 1], [1, 1]], [[0.9, 0.5], [0.7, 0.8], [0.6, 0.4]])
    0.8333333333333333
    """
    if pos_label != 1:
        raise InputError(
            "Parameter pos_label is fixed to 1 for multi-label y_true. Do not set "
            "pos_label or set pos_label to 1."
        )
    return _auc_or_ap(y_true, y_score, average, sample_weight, 1)


class Curves(NamedTuple):
    """Curves per label (``{label: Curve}``) and the micro-averaged (pooled) curve."""

    per_label: dict
    micro: "ranking.Curve"


def roc_curves(y_true, y_score, *, sample_weight=None, drop_intermediate=True, labels=None):
    """ROC curve of every label, and the micro-averaged one.

    Each :class:`~labelwise.ranking.Curve` is ``(fpr, tpr, thresholds)``, exactly
    ``sklearn.metrics.roc_curve`` on that label's column.

    Examples
    --------
    >>> c = roc_curves([[1, 0], [0, 1]], [[0.9, 0.4], [0.2, 0.7]], labels=["a", "b"])
    >>> c.per_label["a"].y.tolist(), c.micro.x.tolist()
    ([0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 1.0])
    """
    return _curves(y_true, y_score, "roc", sample_weight, drop_intermediate, labels)


def precision_recall_curves(y_true, y_score, *, sample_weight=None, drop_intermediate=False,
                            labels=None):
    """Precision-recall curve of every label, and the micro-averaged one.

    Each :class:`~labelwise.ranking.Curve` is ``(recall, precision, thresholds)``
    with the values of ``sklearn.metrics.precision_recall_curve`` on that column.
    """
    return _curves(y_true, y_score, "pr", sample_weight, drop_intermediate, labels)


def _binary_column(y_true, y_score, pos_label):
    """A 1-D binary problem as one-label multi-label input (the sklearn curve signature)."""
    y = np.asarray(y_true)
    if pos_label is None:
        found = set(np.unique(y).tolist())
        if not found <= {0, 1} and not found <= {-1, 1}:
            raise InputError(
                f"y_true holds the classes {sorted(found)[:10]}; with classes other than "
                "{0, 1} or {-1, 1}, pass pos_label= to say which one is positive."
            )
        pos_label = 1
    return (y == pos_label).astype(np.int8).reshape(-1, 1), np.asarray(y_score).reshape(-1, 1)


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True,
              labels=None):
    """ROC curve: as ``sklearn.metrics.roc_curve`` for binary input, per label for multi-label.

    With 1-D ``y_true`` and ``y_score`` returns ``(fpr, tpr, thresholds)``, the
    same arrays as scikit-learn. With multi-label input returns
    :func:`roc_curves`'s per-label and micro-averaged curves.

    Examples
    --------
    >>> fpr, tpr, thr = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    if np.ndim(y_true) == 1 and np.ndim(y_score) == 1:
        y, s = _binary_column(y_true, y_score, pos_label)
        return tuple(roc_curves(y, s, sample_weight=sample_weight,
                                drop_intermediate=drop_intermediate).per_label[0])
    return roc_curves(y_true, y_score, sample_weight=sample_weight,
                      drop_intermediate=drop_intermediate, labels=labels)


def precision_recall_curve(y_true, y_score, *, pos_label=None, sample_weight=None,
                           drop_intermediate=False, labels=None):
    """PR curve: as ``sklearn.metrics.precision_recall_curve`` for binary input, per label otherwise.

    With 1-D input returns ``(precision, recall, thresholds)``, the same arrays
    as scikit-learn. With multi-label input returns :func:`precision_recall_curves`.

    Examples
    --------
    >>> p, r, thr = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> p.round(3).tolist(), r.tolist()
    ([0.5, 0.667, 0.5, 1.0, 1.0], [1.0, 1.0, 0.5, 0.5, 0.0])
    """
    if np.ndim(y_true) == 1 and np.ndim(y_score) == 1:
        y, s = _binary_column(y_true, y_score, pos_label)
        c = precision_recall_curves(y, s, sample_weight=sample_weight,
                                    drop_intermediate=drop_intermediate).per_label[0]
        return c.y, c.x, c.thresholds
    return precision_recall_curves(y_true, y_score, sample_weight=sample_weight,
                                   drop_intermediate=drop_intermediate, labels=labels)


def _curves(y_true, y_score, kind, sample_weight, drop_intermediate, labels):
    data = coerce_ranking(y_true, y_score, labels=labels, need_dense=True)
    w = check_sample_weight(sample_weight, data.n_samples)
    return Curves(*ranking.curves(data, kind, w, drop_intermediate))


# --------------------------------------------------------------------------
# @k metrics for extreme classification
# --------------------------------------------------------------------------


def precision_at_k(y_true, y_score, k=5, *, sample_weight=None):
    """P@k: the share of each sample's top ``k`` labels that are true, averaged.

    Examples
    --------
    >>> precision_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=2)
    0.5
    >>> precision_at_k([[1, 0, 1, 0]], ([[0, 1]], [[0.9, 0.8]]), k=2)  # top-k form
    0.5
    """
    return float(_rows(y_true, y_score, sample_weight, ks=(k,), need_dense=False)
                 .mean("precision_at_k")[0])


def recall_at_k(y_true, y_score, k=5, *, sample_weight=None):
    """R@k: the share of each sample's true labels found in its top ``k``.

    A sample without true labels counts as 0.

    Examples
    --------
    >>> recall_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=2)
    0.5
    """
    return float(_rows(y_true, y_score, sample_weight, ks=(k,), need_dense=False)
                 .mean("recall_at_k")[0])


def ndcg_at_k(y_true, y_score, k=5, *, sample_weight=None):
    """nDCG@k: DCG@k over the ideal DCG@min(k, |y|); samples without labels count as 0.

    Examples
    --------
    >>> round(ndcg_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=2), 6)
    0.613147
    """
    return float(_rows(y_true, y_score, sample_weight, ks=(k,), need_dense=False)
                 .mean("ndcg_at_k")[0])


def psprecision_at_k(y_true, y_score, k=5, *, inv_propensity, sample_weight=None):
    """Propensity-scored P@k (Jain et al., 2016), normalised by the best achievable.

    The sum over samples of the inverse propensities of the true labels in the
    top ``k``, divided by the same sum for the best possible top ``k`` (the true
    labels of highest inverse propensity).

    Examples
    --------
    >>> psprecision_at_k([[1, 0, 1]], [[0.9, 0.8, 0.1]], k=1, inv_propensity=[1.0, 1.0, 3.0])
    0.3333333333333333
    """
    sums = _rows(y_true, y_score, sample_weight, ks=(k,), need_dense=False,
                 inv_propensity=inv_propensity)
    return _ratio(sums.ps_hits_at_k[0], sums.ps_best_hits_at_k[0])


def psndcg_at_k(y_true, y_score, k=5, *, inv_propensity, sample_weight=None):
    """Propensity-scored nDCG@k, normalised by the best achievable.

    Examples
    --------
    >>> round(psndcg_at_k([[1, 0, 1]], [[0.1, 0.8, 0.9]], k=2, inv_propensity=[1, 1, 3.0]), 6)
    0.826235
    """
    sums = _rows(y_true, y_score, sample_weight, ks=(k,), need_dense=False,
                 inv_propensity=inv_propensity)
    return _ratio(sums.ps_ndcg_at_k[0], sums.ps_best_ndcg_at_k[0])


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else math.nan


def inverse_propensity(y_train, A=0.55, B=1.5, *, labels=None):
    """Inverse propensity of each label (Jain, Prabhu and Varma, KDD 2016).

    ``1 + C (N_j + B) ** -A`` with ``C = (ln N - 1) (B + 1) ** A``, where ``N`` is
    the number of training samples and ``N_j`` those carrying label ``j``.
    Usual constants: ``A=0.55, B=1.5`` in general; ``A=0.6, B=2.6`` for Amazon
    data sets; ``A=0.5, B=0.4`` for Wikipedia data sets.

    Examples
    --------
    >>> inverse_propensity([[1, 0], [1, 1], [1, 0]]).round(4).tolist()
    [1.0714, 1.0986]
    """
    raw = _read(y_train, "y_train", ",")
    t = _canonical(raw, "y_train", _vocabulary(raw, raw, labels))
    n = t.shape[0]
    freq = np.asarray(t.sum(axis=0), dtype=np.float64).ravel()
    C = (np.log(n) - 1) * (B + 1) ** A
    return 1.0 + C * (freq + B) ** -A
