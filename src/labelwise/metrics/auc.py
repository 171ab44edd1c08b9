"""ROC-AUC and average precision (scikit-learn twins), and the ROC and PR curves.

These rank every label, so they need a score for every label: a dense float
matrix (n_samples, n_labels).

Undefined values
----------------
A label whose truth is constant (all 0 or all 1) has no ROC-AUC. The twins
here follow scikit-learn exactly: such a label is NaN, with an
:class:`~labelwise.UndefinedMetricWarning`, and so is every average over it
(``macro``; ``weighted`` when the label has support; ``samples`` for a sample
of positive weight whose labels are all true or all false). Average precision
of a label (or sample) with no positive is 0, with a warning. The warnings use
scikit-learn's words, in its order, one per undefined unit.

:func:`labelwise.evaluate` keeps a more useful summary: its ROC-AUC averages
leave the undefined labels (or samples) out, and ``report.undefined`` lists
them (torchmetrics scores such a label 0 instead).

A single-column ``y_true`` is a binary target to scikit-learn, and so to the
twins: ``roc_auc_score`` and ``average_precision_score`` return its one value
whatever ``average`` says.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import NamedTuple

import numpy as np
from .. import _sparse as sp

from .. import ranking
from .._validate import (
    AVERAGES,
    RawMatrix,
    check_average,
    check_sample_weight,
    coerce_ranking,
    read_raw,
)
from ..errors import InputError, UndefinedMetricWarning
from ._common import is_class

__all__ = [
    "roc_auc_score",
    "average_precision_score",
    "roc_curve",
    "precision_recall_curve",
    "roc_curves",
    "precision_recall_curves",
]



# scikit-learn's words for a unit (a label, a sample, or all pairs pooled) whose
# ROC-AUC or average precision is undefined.
_ONE_CLASS = ("Only one class is present in y_true. ROC AUC score is not defined in that "
              "case.")
_NO_NEGATIVE = "No negative samples in y_true, false positive value should be meaningless"
_NO_POSITIVE = "No positive samples in y_true, true positive value should be meaningless"
_NO_POSITIVE_CLASS = ("No positive class found in y_true, recall is set to one for all "
                      "thresholds.")


class _Units(NamedTuple):
    """Per unit: positives and negatives, and those of them with positive weight."""

    pos: np.ndarray
    neg: np.ndarray
    live_pos: np.ndarray
    live_neg: np.ndarray

    def roc_warnings(self) -> list:
        """scikit-learn's warning for each unit whose ROC-AUC is undefined, in order."""
        out = []
        for p, n, lp, ln in zip(self.pos, self.neg, self.live_pos, self.live_neg):
            if p == 0 or n == 0:
                out.append(_ONE_CLASS)
            elif ln == 0:
                out.append(_NO_NEGATIVE)
            elif lp == 0:
                out.append(_NO_POSITIVE)
        return out

    def ap_warnings(self) -> list:
        return [_NO_POSITIVE_CLASS] * int(np.count_nonzero(self.live_pos == 0))


def _label_units(t, w) -> _Units:
    n, L = t.shape
    pos = np.bincount(t.indices, minlength=L)
    if w is None:
        return _Units(pos, n - pos, pos, n - pos)
    live = w > 0
    rows = np.repeat(np.arange(n), np.diff(t.indptr))
    live_pos = np.bincount(t.indices[live[rows]], minlength=L)
    return _Units(pos, n - pos, live_pos, int(live.sum()) - live_pos)


def _pooled_units(t, w) -> _Units:
    n, L = t.shape
    pos = np.array([t.nnz])
    if w is None:
        return _Units(pos, n * L - pos, pos, n * L - pos)
    live = w > 0
    live_pos = np.array([int(np.diff(t.indptr)[live].sum())])
    return _Units(pos, n * L - pos, live_pos, int(live.sum()) * L - live_pos)


def _row_units(t) -> _Units:
    # scikit-learn scores each sample's labels without weights
    pos = np.diff(t.indptr)
    return _Units(pos, t.shape[1] - pos, pos, t.shape[1] - pos)


def _warn_all(messages, stacklevel: int = 4) -> None:
    """Warn as scikit-learn does, from the caller of the public function."""
    for message in messages:
        warnings.warn(message, UndefinedMetricWarning, stacklevel=stacklevel)


def _check_max_fpr(max_fpr):
    if max_fpr is None:
        return None
    if not isinstance(max_fpr, numbers.Real) or math.isnan(max_fpr) or not 0 < max_fpr <= 1:
        raise InputError(
            f"max_fpr must be a number in (0, 1] or None, got {max_fpr!r}. It is the false "
            "positive rate up to which the standardised partial ROC-AUC is computed: pass "
            "e.g. max_fpr=0.1, or None (or 1) for the whole area."
        )
    return None if max_fpr == 1 else max_fpr


def _partial_auc(curve: "ranking.Curve", max_fpr) -> float:
    """McClish-standardised area under ``curve`` up to false positive rate ``max_fpr``.

    0.5 for a ranking no better than chance, 1 for a perfect one. NaN where the
    curve is undefined (no positive, or no negative, of positive weight).
    """
    fpr, tpr = curve.x, curve.y
    if np.isnan(fpr).any():
        return math.nan
    stop = int(np.searchsorted(fpr, max_fpr, "right"))
    x = np.append(fpr[:stop], max_fpr)
    y = np.append(tpr[:stop], np.interp(max_fpr, fpr[stop - 1 : stop + 1],
                                        tpr[stop - 1 : stop + 1]))
    area = float(np.trapezoid(y, x))
    low, high = 0.5 * max_fpr**2, max_fpr
    return 0.5 * (1 + (area - low) / (high - low))


def _partial_aucs(y: np.ndarray, s: np.ndarray, w, max_fpr, units: _Units) -> np.ndarray:
    """Partial ROC-AUC of each column of dense truth ``y`` and scores ``s``."""
    out = np.full(y.shape[1], math.nan)
    for j in range(y.shape[1]):
        if units.pos[j] and units.neg[j]:
            curve = ranking._roc(y[:, j], np.ascontiguousarray(s[:, j]), w, True)
            out[j] = _partial_auc(curve, max_fpr)
    return out


def _sklearn_mean(values: np.ndarray, weights=None) -> float:
    """scikit-learn's mean of unit values: units of weight 0 count as 0, any other NaN
    makes the mean NaN."""
    if weights is None:
        return float(np.mean(values))
    return float(np.average(np.where(weights == 0, 0.0, values), weights=weights))


def _auc_or_ap(y_true, y_score, average, sample_weight, which, max_fpr=None, pos_label=1):
    """ROC-AUC (``which`` 0) or average precision (1), averaged as scikit-learn does."""
    check_average(average, (None,) + AVERAGES)
    raw = read_raw(y_true, "y_true", ",")
    if which == 1 and pos_label != 1 and not _is_column(raw):
        raise InputError(
            "Parameter pos_label is fixed to 1 for multi-label y_true. Do not set "
            "pos_label or set pos_label to 1."
        )
    data = coerce_ranking(raw, y_score, need_dense=True)
    w = check_sample_weight(sample_weight, data.n_samples)
    t, s = data.y_true, data.dense_scores
    if _is_column(raw):
        return _binary_auc_or_ap(t, s, w, which, max_fpr, pos_label)
    if average == "micro":
        units = _pooled_units(t, w)
        _warn_all(units.roc_warnings() if which == 0 else units.ap_warnings())
        if which == 0 and max_fpr is not None:
            y = t.toarray().reshape(-1, 1)
            w_pooled = None if w is None else np.repeat(w, t.shape[1])
            return float(_partial_aucs(y, s.reshape(-1, 1), w_pooled, max_fpr, units)[0])
        found = ranking.auc_ap(t, s, w)
        return float((found.micro_auc, found.micro_ap)[which])
    if average == "samples":
        units = _row_units(t)
        _warn_all(units.roc_warnings() if which == 0 else units.ap_warnings())
        if which == 0 and max_fpr is not None:
            values = _partial_aucs(t.toarray().T, s.T, None, max_fpr, units)
            return _sklearn_mean(values, w)
        sums = ranking.row_sums(data, ks=(1,), sample_weight=w)
        if which == 1:
            return float(sums.mean("ap"))
        undefined = (units.pos == 0) | (units.neg == 0)
        if (undefined if w is None else undefined & (w > 0)).any():
            return math.nan
        return float(sums.mean("auc"))
    support = ranking.label_support(t, w)
    if average == "weighted" and np.isclose(support.sum(), 0):
        return 0.0  # no positive of any weight: scikit-learn's 0, without warnings
    units = _label_units(t, w)
    _warn_all(units.roc_warnings() if which == 0 else units.ap_warnings())
    if which == 0 and max_fpr is not None:
        values = _partial_aucs(t.toarray(), s, w, max_fpr, units)
    else:
        found = ranking.auc_ap(t, s, w)
        values = (found.label_auc, found.label_ap)[which]
    if average is None:
        return values
    return _sklearn_mean(values, support if average == "weighted" else None)


def _is_column(raw) -> bool:
    """A one-column indicator matrix: scikit-learn reads it as a binary target."""
    return (isinstance(raw, RawMatrix) and getattr(raw.values, "ndim", 0) == 2
            and raw.values.shape[1] == 1)


def _binary_auc_or_ap(t, s, w, which, max_fpr, pos_label) -> float:
    """The one value of a binary target (a single column), whatever ``average`` says."""
    if which == 1:
        has = (t.nnz > 0, t.nnz < t.shape[0])
        if all(has) and not any(is_class(pos_label, k) for k in (0, 1)):
            raise InputError(
                f"pos_label={pos_label!r} is not a valid label: the single-column y_true is "
                "read as a binary target, with the classes [0, 1]. Pass pos_label=1 (the "
                "column's own value) or pos_label=0."
            )
        if not is_class(pos_label, 1):  # class 0, or a class that never occurs
            positive = t.toarray() == 0 if is_class(pos_label, 0) else np.zeros(t.shape, bool)
            t = sp.csr_matrix(positive)
            t.sort_indices()
    units = _label_units(t, w)
    _warn_all(units.roc_warnings() if which == 0 else units.ap_warnings(), stacklevel=5)
    if which == 0 and max_fpr is not None:
        return float(_partial_aucs(t.toarray(), s, w, max_fpr, units)[0])
    found = ranking.auc_ap(t, s, w)
    return float((found.label_auc, found.label_ap)[which][0])


def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None, max_fpr=None,
                  multi_class="raise", labels=None):
    """Area under the ROC curve for multi-label input, as ``sklearn.metrics``.

    Parameters
    ----------
    y_true : array-like, sparse matrix or DataFrame
        True labels, 0/1 of shape (n_samples, n_labels). A single column is a
        binary target, as in scikit-learn: its one value is returned whatever
        ``average`` says.
    y_score : array-like of float, shape (n_samples, n_labels)
        Scores for every label.
    average : {"macro", "micro", "weighted", "samples"} or None, default "macro"
        How per-label (or, for ``"samples"``, per-sample) values combine; None
        returns the per-label values.
    sample_weight : array-like of shape (n_samples,), optional
    max_fpr : float in (0, 1], optional
        Return the standardised partial AUC over false positive rates
        ``[0, max_fpr]`` (McClish, 1989): 0.5 for chance, 1 for a perfect ranking.
    multi_class, labels
        Only used by scikit-learn for multi-class input; ignored.

    Returns
    -------
    float or ndarray of shape (n_labels,)

    Notes
    -----
    A label (or sample) whose truth is constant has no ROC-AUC. As in
    scikit-learn it is NaN with an :class:`~labelwise.UndefinedMetricWarning`,
    and so is any average over it: the ``micro`` average only when every pair
    has the same truth, the ``weighted`` average only when the label has
    support, the ``samples`` average only when the sample has weight.
    :func:`labelwise.evaluate` instead averages the labels (or samples) where
    the ROC-AUC is defined, and lists the others in ``report.undefined``.

    Where the negatives of a label all weigh 0, scikit-learn's partial AUC
    raises an error; here it is NaN, with the same warning as the full AUC.

    Examples
    --------
    >>> roc_auc_score([[1, 0], [0, 1], [1, 1]], [[0.9, 0.5], [0.7, 0.8], [0.6, 0.4]])
    0.5
    >>> round(roc_auc_score([[1, 0], [0, 1], [1, 1], [0, 0]],
    ...                     [[0.9, 0.5], [0.7, 0.8], [0.6, 0.4], [0.1, 0.3]],
    ...                     max_fpr=0.5), 4)
    0.6667
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     value = roc_auc_score([[1, 0], [1, 1]], [[0.2, 0.4], [0.3, 0.9]])
    >>> value, str(caught[0].message)
    (nan, 'Only one class is present in y_true. ROC AUC score is not defined in that case.')
    """
    max_fpr = _check_max_fpr(max_fpr)
    return _auc_or_ap(y_true, y_score, average, sample_weight, 0, max_fpr)


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1,
                            sample_weight=None):
    """Average precision (area under the step PR curve), as ``sklearn.metrics``.

    A label (or, for ``average="samples"``, a sample) without positives has
    AP 0 and an :class:`~labelwise.UndefinedMetricWarning` with
    scikit-learn's words ("No positive class found in y_true, ...", a plain
    ``UserWarning`` there; this one is a subclass of it). A single-column
    ``y_true`` is a binary target, as in scikit-learn: its one value is
    returned whatever ``average`` says, and ``pos_label`` may be 0 or 1.

    Examples
    --------
    >>> average_precision_score([[1, 0], [0, 1], [1, 1]], [[0.9, 0.5], [0.7, 0.8], [0.6, 0.4]])
    0.8333333333333333
    >>> average_precision_score([[1], [0], [1]], [[0.9], [0.3], [0.2]], pos_label=0)
    0.5
    """
    return _auc_or_ap(y_true, y_score, average, sample_weight, 1, pos_label=pos_label)


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
