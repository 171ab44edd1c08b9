"""Drop-in twins of scikit-learn's multi-label metric functions.

Same names, signatures, defaults and numbers as :mod:`sklearn.metrics` for
multi-label input, computed from one pass of additive counts. Beyond
scikit-learn, every function also accepts label-set lists, delimited strings,
pandas DataFrames and tensors (see :func:`labelwise.evaluate`).

Differences, all on purpose:

* input that scikit-learn would reject or misread raises
  :class:`labelwise.InputError` with a message that says how to fix it;
* ``sample_weight`` must be non-negative and not all zero;
* ``jaccard_score`` also accepts ``zero_division=nan``.

For matrix input, ``labels`` selects and orders columns by index, as in
scikit-learn. For label sets and DataFrames, ``labels`` is the vocabulary.

Examples
--------
>>> from labelwise.metrics import f1_score
>>> f1_score([[1, 0, 1], [0, 1, 0]], [[1, 0, 0], [0, 1, 1]], average="micro")
0.6666666666666666
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp

from . import formulas as F
from ._validate import (
    AVERAGES,
    _Matrix,
    _read,
    check_average,
    check_beta,
    check_sample_weight,
    check_zero_division,
    coerce_pair,
)
from .counts import Counts, per_row_counts
from . import score_metrics as _score_metrics
from .errors import InputError
from .score_metrics import (  # noqa: F401  (re-exported: one home for every metric function)
    average_precision_score,
    coverage_error,
    inverse_propensity,
    label_ranking_average_precision_score,
    label_ranking_loss,
    ndcg_at_k,
    ndcg_score,
    one_error,
    precision_at_k,
    precision_recall_curve,
    precision_recall_curves,
    psndcg_at_k,
    psprecision_at_k,
    recall_at_k,
    roc_auc_score,
    roc_curve,
    roc_curves,
)

__all__ = [
    "accuracy_score",
    "hamming_loss",
    "precision_score",
    "recall_score",
    "f1_score",
    "fbeta_score",
    "jaccard_score",
    "precision_recall_fscore_support",
    "multilabel_confusion_matrix",
    "classification_report",
    *_score_metrics.__all__,
]

_ALL_WARN = ("precision", "recall", "f-score")


# --------------------------------------------------------------------------
# Shared plumbing
# --------------------------------------------------------------------------


def _coerce(y_true, y_pred, labels, sep=","):
    """Validate, then (for unnamed matrices) select the ``labels`` columns by index."""
    rt, rp = _read(y_true, "y_true", sep), _read(y_pred, "y_pred", sep)
    unnamed = all(isinstance(r, _Matrix) and r.names is None for r in (rt, rp))
    if not unnamed or labels is None:
        return coerce_pair(rt, rp, labels=labels, sep=sep)
    data = coerce_pair(rt, rp)
    idx = np.asarray(labels)
    if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu":
        raise InputError(
            f"labels must be a non-empty list of column indices for matrix input, got "
            f"{labels!r}. (To name labels, use label sets or a DataFrame.)"
        )
    if idx.max() >= data.n_labels or idx.min() < 0:
        bad = int(idx.max() if idx.max() >= data.n_labels else idx.min())
        raise InputError(
            f"labels holds column index {bad}, but the input has {data.n_labels} columns: "
            f"indices must be in [0, {data.n_labels})."
        )
    t, p = data.y_true[:, idx], data.y_pred[:, idx]
    if sp.issparse(t):
        t, p = sp.csr_matrix(t), sp.csr_matrix(p)
        t.sort_indices()
        p.sort_indices()
    else:
        t, p = np.ascontiguousarray(t), np.ascontiguousarray(p)
    return type(data)(t, p, tuple(int(i) for i in idx))


def _counts(y_true, y_pred, labels=None, sample_weight=None):
    """Validated data, its counts, and whether some sample has weight 0."""
    data = _coerce(y_true, y_pred, labels)
    w = check_sample_weight(sample_weight, data.n_samples)
    zero_weight = w is not None and not w.all()
    return data, Counts.from_labelled(data, w), zero_weight


def _check_set_wise(average, pos_label, n_labels):
    """scikit-learn's rules for ``average`` and ``pos_label`` on multi-label input."""
    check_average(average, (None, "binary") + AVERAGES)
    if average == "binary":
        if n_labels == 1:
            return "binary"
        raise InputError(
            "Target is multilabel-indicator but average='binary'. Please choose another "
            "average setting, one of [None, 'micro', 'macro', 'weighted', 'samples']."
        )
    if pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != "
            f"'binary' (got {average!r}). You may use labels=[pos_label] to specify a "
            "single positive class.",
            UserWarning,
            stacklevel=3,
        )
    return average


def _score(c: Counts, family, average, zero_division, beta=1.0, warn=True, zero_weight=False):
    zd = zero_division if (warn or zero_division != "warn") else 0.0
    fam = F.FAMILIES[family]
    if average in (None, "binary"):
        values = F.per_label(c, fam, zd, beta)
        return float(values[0]) if average == "binary" else values
    if average == "samples" and zero_weight and zd == "warn":
        # scikit-learn counts each sample at its weight, so a sample of weight 0 is 0/0
        # and warns even where an identical row of positive weight is well defined.
        F._warn(fam, "samples", c.n_samples)
        return F.average(c, fam, average, 0.0, beta)
    return F.average(c, fam, average, zd, beta)


# --------------------------------------------------------------------------
# Example-based
# --------------------------------------------------------------------------


def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """Subset accuracy: the share of samples whose label set is predicted exactly.

    Examples
    --------
    >>> accuracy_score([[1, 0], [1, 1]], [[1, 0], [0, 1]])
    0.5
    >>> accuracy_score([["a"], ["a", "b"]], [["a"], ["b"]], normalize=False)
    1.0
    """
    _, c, _ = _counts(y_true, y_pred, sample_weight=sample_weight)
    score = F.subset_accuracy(c)
    return score if normalize else float(score * c.total_weight)


def hamming_loss(y_true, y_pred, *, sample_weight=None):
    """The share of sample-label cells predicted wrongly.

    Examples
    --------
    >>> hamming_loss([[1, 0], [1, 1]], [[1, 0], [0, 1]])
    0.25
    """
    _, c, _ = _counts(y_true, y_pred, sample_weight=sample_weight)
    return F.hamming_loss(c)


# --------------------------------------------------------------------------
# Set-wise scores
# --------------------------------------------------------------------------


def precision_recall_fscore_support(
    y_true,
    y_pred,
    *,
    beta=1.0,
    labels=None,
    pos_label=1,
    average=None,
    warn_for=_ALL_WARN,
    sample_weight=None,
    zero_division="warn",
):
    """Precision, recall, F-beta and support, per label or averaged.

    Examples
    --------
    >>> p, r, f, s = precision_recall_fscore_support(
    ...     [[1, 0, 1], [0, 1, 0]], [[1, 0, 0], [0, 1, 1]], zero_division=0)
    >>> p.tolist(), r.tolist(), s.tolist()
    ([1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [1, 1, 1])
    """
    zd = check_zero_division(zero_division)
    beta = check_beta(beta)
    data, c, zw = _counts(y_true, y_pred, labels, sample_weight)
    avg = _check_set_wise(average, pos_label, data.n_labels)
    p = _score(c, "precision", avg, zd, warn="precision" in warn_for, zero_weight=zw)
    r = _score(c, "recall", avg, zd, warn="recall" in warn_for, zero_weight=zw)
    # With beta 0 or inf the F-score is precision or recall itself, which warn (if asked
    # to) under their own names, as in scikit-learn; the F-score never warns then.
    warn_f = "f-score" in warn_for and 0 < beta < np.inf
    f = _score(c, "fbeta", avg, zd, beta, warn=warn_f, zero_weight=zw)
    support = c.tp + c.fn if avg is None else None
    return p, r, f, support


def fbeta_score(
    y_true,
    y_pred,
    *,
    beta,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    """F-beta score: the weighted harmonic mean of precision and recall.

    Examples
    --------
    >>> fbeta_score([[1, 0], [1, 1]], [[1, 0], [0, 1]], beta=2, average="micro")
    0.7142857142857143
    """
    return precision_recall_fscore_support(
        y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label, average=average,
        warn_for=("f-score",), sample_weight=sample_weight, zero_division=zero_division,
    )[2]


def f1_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    """F1 score: the harmonic mean of precision and recall.

    Examples
    --------
    >>> f1_score([[1, 0], [1, 1]], [[1, 0], [0, 1]], average=None).tolist()
    [0.6666666666666666, 1.0]
    """
    return fbeta_score(
        y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label, average=average,
        sample_weight=sample_weight, zero_division=zero_division,
    )


def precision_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    """Precision: the share of predicted labels that are true.

    Examples
    --------
    >>> precision_score([[1, 0], [1, 1]], [[1, 1], [0, 1]], average="macro")
    0.75
    """
    return precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        warn_for=("precision",), sample_weight=sample_weight, zero_division=zero_division,
    )[0]


def recall_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    """Recall: the share of true labels that are predicted.

    Examples
    --------
    >>> recall_score([[1, 0], [1, 1]], [[1, 1], [0, 1]], average="macro")
    0.75
    """
    return precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        warn_for=("recall",), sample_weight=sample_weight, zero_division=zero_division,
    )[1]


def jaccard_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=1,
    average="binary",
    sample_weight=None,
    zero_division="warn",
):
    """Jaccard index: intersection over union of true and predicted labels.

    Examples
    --------
    >>> jaccard_score([[1, 0, 1], [0, 1, 0]], [[1, 1, 1], [0, 1, 0]], average="samples")
    0.8333333333333333
    """
    zd = check_zero_division(zero_division)
    data, c, zw = _counts(y_true, y_pred, labels, sample_weight)
    avg = _check_set_wise(average, pos_label, data.n_labels)
    return _score(c, "jaccard", avg, zd, zero_weight=zw)


# --------------------------------------------------------------------------
# Confusion matrices and the classification report
# --------------------------------------------------------------------------


def multilabel_confusion_matrix(y_true, y_pred, *, sample_weight=None, labels=None,
                                samplewise=False):
    """Per-label (or per-sample) 2x2 confusion matrices ``[[tn, fp], [fn, tp]]``.

    Examples
    --------
    >>> multilabel_confusion_matrix([[1, 0], [1, 1]], [[1, 1], [0, 1]]).tolist()
    [[[0, 0], [1, 1]], [[0, 1], [0, 1]]]
    """
    data = _coerce(y_true, y_pred, labels)
    w = check_sample_weight(sample_weight, data.n_samples)
    if not samplewise:
        return Counts.from_labelled(data, w).confusion_matrices()
    _, _, _, _, rt, rp, rb = per_row_counts(data, w)
    tp = rb.astype(np.int64)
    fp = rp - tp
    fn = rt - tp
    if w is None:
        tn = data.n_labels - tp - fp - fn
    else:
        tp, fp, fn = tp * w, fp * w, fn * w
        tn = w * data.n_labels - tp - fp - fn
    return np.stack([tn, fp, fn, tp], axis=1).reshape(-1, 2, 2)


def classification_report(
    y_true,
    y_pred,
    *,
    labels=None,
    target_names=None,
    sample_weight=None,
    digits=2,
    output_dict=False,
    zero_division="warn",
):
    """Text (or dict) summary of precision, recall, F1 and support per label.

    Examples
    --------
    >>> print(classification_report([["a"], ["a", "b"]], [["a"], ["b"]]))
                  precision    recall  f1-score   support
    <BLANKLINE>
               a       1.00      0.50      0.67         2
               b       1.00      1.00      1.00         1
    <BLANKLINE>
       micro avg       1.00      0.67      0.80         3
       macro avg       1.00      0.75      0.83         3
    weighted avg       1.00      0.67      0.78         3
     samples avg       1.00      0.75      0.83         3
    <BLANKLINE>
    """
    zd = check_zero_division(zero_division)
    data, c, zw = _counts(y_true, y_pred, labels, sample_weight)
    names = [str(x) for x in data.labels] if target_names is None else list(target_names)
    if len(names) != data.n_labels:
        raise InputError(
            f"target_names has {len(names)} names but there are {data.n_labels} labels: "
            "give one name per label, or pass labels= to choose the labels."
        )
    headers = ["precision", "recall", "f1-score", "support"]
    support = c.tp + c.fn
    per = [_score(c, fam, None, zd) for fam in ("precision", "recall", "f1")]
    avgs = {
        f"{avg} avg": [_score(c, fam, avg, zd, zero_weight=zw)
                       for fam in ("precision", "recall", "f1")]
        for avg in AVERAGES
    }
    total = support.sum()
    if output_dict:
        out = {
            n: dict(zip(headers, [float(per[0][j]), float(per[1][j]), float(per[2][j]),
                                  float(support[j])]))
            for j, n in enumerate(names)
        }
        for key, vals in avgs.items():
            out[key] = dict(zip(headers, [float(v) for v in vals] + [float(total)]))
        return out
    width = max(max(len(n) for n in names), len("weighted avg"), digits)
    text = f"{'':>{width}s} " + "".join(f" {h:>9}" for h in headers) + "\n\n"
    for j, n in enumerate(names):
        text += _report_row(n, [per[k][j] for k in range(3)], support[j], width, digits)
    text += "\n"
    for key, vals in avgs.items():
        text += _report_row(key, vals, total, width, digits)
    return text


def _report_row(name, values, support, width, digits) -> str:
    return f"{name:>{width}s} " + "".join(f" {v:>9.{digits}f}" for v in values) + f" {support:>9}\n"
