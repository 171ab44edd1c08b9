"""Set-wise metric functions: scikit-learn's twins for predicted labels.

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

One column is a binary target
-----------------------------
scikit-learn reads a single-column indicator ``(n_samples, 1)`` (an array, a
nested list, a sparse matrix or a one-column DataFrame) as a *binary* target,
not as one label, and so do these twins: ``average=None``, ``"micro"``,
``"macro"`` and ``"weighted"`` then range over the classes 0 and 1 (those
found in ``y_true`` or ``y_pred``), ``labels`` chooses among the classes,
``average="binary"`` gives the class ``pos_label``, ``average="samples"`` and
``samplewise=True`` are refused, and :func:`classification_report` prints an
``accuracy`` row. :func:`labelwise.evaluate` keeps the one-label reading: its
``f1_macro`` of a single column is that label's F1. Label sets with a single
label are one label here too.

Examples
--------
>>> from labelwise.metrics import f1_score
>>> f1_score([[1, 0, 1], [0, 1, 0]], [[1, 0, 0], [0, 1, 1]], average="micro")
0.6666666666666666
>>> f1_score([[0], [1]], [[1], [1]], average="macro")  # classes 0 and 1: (0 + 2/3) / 2
0.3333333333333333
>>> f1_score([[0], [1]], [[1], [1]])  # average="binary": class 1, the column itself
0.6666666666666666
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
from .. import _sparse as sp

from .. import formulas as F
from .._validate import (
    AVERAGES,
    Labelled,
    RawMatrix,
    check_average,
    check_beta,
    check_sample_weight,
    check_zero_division,
    coerce_pair,
    read_raw,
)
from ..counts import Counts, per_row_counts
from ..errors import InputError
from ._common import is_class

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
]

_ALL_WARN = ("precision", "recall", "f-score")


# --------------------------------------------------------------------------
# Shared plumbing
# --------------------------------------------------------------------------


def _is_matrix(r) -> bool:
    return isinstance(r, RawMatrix) and getattr(r.values, "ndim", 0) == 2


def _select(rt, rp, labels, sep=","):
    """Validate read inputs, then (for unnamed matrices) select ``labels`` columns by index.

    Returns the validated data and the number of columns of the input as given,
    before ``labels`` selected any.
    """
    unnamed = all(isinstance(r, RawMatrix) and r.names is None for r in (rt, rp))
    if not unnamed or labels is None:
        data = coerce_pair(rt, rp, labels=labels, sep=sep)
        return data, (int(rt.values.shape[1]) if _is_matrix(rt) else data.n_labels)
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
    return replace(data, y_true=t, y_pred=p, labels=tuple(int(i) for i in idx)), data.n_labels


def _counts(y_true, y_pred, labels=None, sample_weight=None):
    """Validated data, its counts, and whether some sample has weight 0."""
    data, _ = _select(read_raw(y_true, "y_true", ","), read_raw(y_pred, "y_pred", ","), labels)
    w = check_sample_weight(sample_weight, data.n_samples)
    zero_weight = w is not None and not w.all()
    return data, Counts.from_labelled(data, w), zero_weight


@dataclass(frozen=True)
class _Target:
    """Validated input as scikit-learn reads it, with the counts to score.

    For multi-label input ``counts`` has one unit per label (``names``). A
    single-column indicator is a *binary* target: ``counts`` then has one unit
    per class in ``names`` (the classes found, or ``labels``), ``column`` holds
    the counts of the column itself (class 1), and ``present`` the classes found
    in ``y_true`` or ``y_pred``.
    """

    data: Labelled
    weights: np.ndarray | None
    counts: Counts
    names: tuple
    binary: bool = False
    column: Counts | None = None
    present: tuple = ()
    n_columns: int = 1

    @property
    def zero_weight(self) -> bool:
        return self.weights is not None and not self.weights.all()


def _target(y_true, y_pred, labels, sample_weight, average=None) -> _Target:
    """Read and count the input; ``average="binary"`` ignores ``labels`` of a binary target
    (it scores the class ``pos_label``), as scikit-learn does."""
    rt, rp = read_raw(y_true, "y_true", ","), read_raw(y_pred, "y_pred", ",")
    if not (_is_matrix(rt) and _is_matrix(rp) and rt.values.shape[1] == rp.values.shape[1] == 1):
        data, n_columns = _select(rt, rp, labels)
        w = check_sample_weight(sample_weight, data.n_samples)
        return _Target(data, w, Counts.from_labelled(data, w), data.labels, n_columns=n_columns)
    data = coerce_pair(rt, rp)
    w = check_sample_weight(sample_weight, data.n_samples)
    column = Counts.from_labelled(data, w)
    present = _present_classes(data)
    classes = present if labels is None or average == "binary" else _check_classes(labels)
    return _Target(data, w, _class_counts(column, classes), classes, True, column, present)


def _present_classes(data: Labelled) -> tuple:
    """The classes (0, 1) found in a single-column ``y_true`` or ``y_pred``."""
    ones = [int(y.count_nonzero()) if sp.issparse(y) else int(np.count_nonzero(y))
            for y in (data.y_true, data.y_pred)]
    return tuple(k for k, found in ((0, min(ones) < data.n_samples), (1, max(ones) > 0)) if found)


def _check_classes(labels) -> tuple:
    classes = np.asarray(labels)
    if classes.ndim != 1 or classes.size == 0:
        raise InputError(
            f"labels must be a non-empty list of classes, got {labels!r}. A single-column "
            "indicator is read as a binary target, as scikit-learn does, so labels= "
            "chooses among its classes 0 and 1 (e.g. labels=[1])."
        )
    return tuple(classes.tolist())


def _class_counts(column: Counts, classes) -> Counts:
    """Counts of each class of a binary target, from the counts of its column.

    Class 1 is the column; class 0 swaps true and false; any other class is
    never true and never predicted (as scikit-learn counts a class absent from
    both).
    """
    tp, fp, fn, tn = column.tp[0], column.fp[0], column.fn[0], column.tn[0]
    zero = tp - tp

    def units(k):
        if is_class(k, 1):
            return tp, fp, fn, tn
        if is_class(k, 0):
            return tn, fn, fp, tp
        return zero, zero, zero, tp + fp + fn + tn

    tp_, fp_, fn_, tn_ = (np.array(u) for u in zip(*(units(k) for k in classes)))
    if tp + tn == 0:
        # scikit-learn's counts of a binary target are floats when no sample is right,
        # which shows in the dtype of the confusion matrices and the report's support.
        tp_, fp_, fn_, tn_ = (a.astype(np.float64) for a in (tp_, fp_, fn_, tn_))
    changes = dict(tp=tp_, fp=fp_, fn=fn_, tn=tn_)
    if getattr(column, "labels", None) is not None:  # counts that carry their label names
        changes["labels"] = tuple(classes)
    return replace(column, **changes)


def _set_wise_counts(target: _Target, average, pos_label) -> Counts:
    """scikit-learn's rules for ``average`` and ``pos_label``; the counts to average."""
    if average == "binary":
        if not target.binary:
            if target.n_columns > 1:
                raise InputError(
                    f"Target is multilabel-indicator but average='binary': y_true has "
                    f"{target.n_columns} label columns, and average='binary' needs a binary "
                    "target (a single column). Please choose another average setting, one "
                    "of [None, 'micro', 'macro', 'weighted', 'samples']; for the value of "
                    "one label j, pass labels=[j] with average='macro' (or average=None)."
                )
            return target.counts
        if len(target.present) == 2 and not any(is_class(pos_label, k) for k in (0, 1)):
            raise InputError(
                f"pos_label={pos_label!r} is not a valid label: the single-column target "
                "is read as binary, with the classes [0, 1]. Pass pos_label=1 (the "
                "column's own value) or pos_label=0."
            )
        return _class_counts(target.column, (pos_label,))
    if pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != "
            f"'binary' (got {average!r}). You may use labels=[pos_label] to specify a "
            "single positive class.",
            UserWarning,
            stacklevel=3,
        )
    if average == "samples" and target.binary:
        raise InputError(
            "average='samples' needs multi-label input, but y_true and y_pred have a "
            "single column, which is read as a binary target (classes 0 and 1), as "
            "scikit-learn does. Pass average='binary' for the column's own value, or "
            "None, 'micro', 'macro' or 'weighted' for the classes 0 and 1."
        )
    return target.counts


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

    A single-column indicator is a binary target, as in scikit-learn: per class
    (0 and 1, or ``labels``) rather than per label, and ``average="samples"``
    is refused (see the module notes).

    Examples
    --------
    >>> p, r, f, s = precision_recall_fscore_support(
    ...     [[1, 0, 1], [0, 1, 0]], [[1, 0, 0], [0, 1, 1]], zero_division=0)
    >>> p.tolist(), r.tolist(), s.tolist()
    ([1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [1, 1, 1])
    >>> p, r, f, s = precision_recall_fscore_support([[1], [0], [1]], [[1], [1], [1]],
    ...                                              zero_division=0)
    >>> p.tolist(), r.tolist(), s.tolist()  # classes 0 and 1
    ([0.0, 0.6666666666666666], [0.0, 1.0], [1, 2])
    """
    zd = check_zero_division(zero_division)
    beta = check_beta(beta)
    check_average(average, (None, "binary") + AVERAGES)
    target = _target(y_true, y_pred, labels, sample_weight, average)
    c = _set_wise_counts(target, average, pos_label)
    zw = target.zero_weight
    p = _score(c, "precision", average, zd, warn="precision" in warn_for, zero_weight=zw)
    r = _score(c, "recall", average, zd, warn="recall" in warn_for, zero_weight=zw)
    # With beta 0 or inf the F-score is precision or recall itself, which warn (if asked
    # to) under their own names, as in scikit-learn; the F-score never warns then.
    warn_f = "f-score" in warn_for and 0 < beta < np.inf
    f = _score(c, "fbeta", average, zd, beta, warn=warn_f, zero_weight=zw)
    support = c.tp + c.fn if average is None else None
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
    check_average(average, (None, "binary") + AVERAGES)
    target = _target(y_true, y_pred, labels, sample_weight, average)
    c = _set_wise_counts(target, average, pos_label)
    return _score(c, "jaccard", average, zd, zero_weight=target.zero_weight)


# --------------------------------------------------------------------------
# Confusion matrices and the classification report
# --------------------------------------------------------------------------


def multilabel_confusion_matrix(y_true, y_pred, *, sample_weight=None, labels=None,
                                samplewise=False):
    """Per-label (or per-sample) 2x2 confusion matrices ``[[tn, fp], [fn, tp]]``.

    A single-column indicator is a binary target, as in scikit-learn: the
    matrices are those of its classes (0 and 1, those found, or ``labels``),
    and ``samplewise=True`` is refused.

    Examples
    --------
    >>> multilabel_confusion_matrix([[1, 0], [1, 1]], [[1, 1], [0, 1]]).tolist()
    [[[0, 0], [1, 1]], [[0, 1], [0, 1]]]
    >>> multilabel_confusion_matrix([[1], [0], [1]], [[1], [1], [0]]).tolist()
    [[[1, 1], [1, 0]], [[0, 1], [1, 1]]]
    """
    target = _target(y_true, y_pred, labels, sample_weight)
    if target.binary and samplewise:
        raise InputError(
            "samplewise=True needs multi-label input, but y_true and y_pred have a single "
            "column, which is read as a binary target (classes 0 and 1), as scikit-learn "
            "does. Use samplewise=False for the confusion matrices of the classes."
        )
    if not samplewise:
        return target.counts.confusion_matrices()
    data, w = target.data, target.weights
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

    For a single-column indicator (a binary target, as in scikit-learn) the
    rows are its classes, and the averages are ``accuracy`` (or ``micro avg``
    when ``labels`` leaves out a class that occurs), ``macro avg`` and
    ``weighted avg``.

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
    >>> print(classification_report([[1], [0], [1], [1]], [[1], [0], [0], [1]]))
                  precision    recall  f1-score   support
    <BLANKLINE>
               0       0.50      1.00      0.67         1
               1       1.00      0.67      0.80         3
    <BLANKLINE>
        accuracy                           0.75         4
       macro avg       0.75      0.83      0.73         4
    weighted avg       0.88      0.75      0.77         4
    <BLANKLINE>
    """
    zd = check_zero_division(zero_division)
    target = _target(y_true, y_pred, labels, sample_weight)
    c, zw = target.counts, target.zero_weight
    names = [str(x) for x in target.names] if target_names is None else list(target_names)
    if len(names) != c.n_labels:
        if target.binary:
            raise InputError(
                f"target_names has {len(names)} names but there are {c.n_labels} classes (a "
                "single column is read as a binary target, as in scikit-learn): give one "
                "name per class, or pass labels= to choose the classes (e.g. labels=[1])."
            )
        raise InputError(
            f"target_names has {len(names)} names but there are {c.n_labels} labels: "
            "give one name per label, or pass labels= to choose the labels."
        )
    averages = ("micro", "macro", "weighted") if target.binary else AVERAGES
    accuracy = target.binary and (labels is None or set(target.names) >= set(target.present))
    headers = ["precision", "recall", "f1-score", "support"]
    support = c.tp + c.fn
    per = [_score(c, fam, None, zd) for fam in ("precision", "recall", "f1")]
    avgs = {
        ("accuracy" if avg == "micro" and accuracy else f"{avg} avg"):
            [_score(c, fam, avg, zd, zero_weight=zw) for fam in ("precision", "recall", "f1")]
        for avg in averages
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
        if accuracy:
            out["accuracy"] = out["accuracy"]["precision"]
        return out
    width = max(max(len(n) for n in names), len("weighted avg"), digits)
    text = f"{'':>{width}s} " + "".join(f" {h:>9}" for h in headers) + "\n\n"
    for j, n in enumerate(names):
        text += _report_row(n, [per[k][j] for k in range(3)], support[j], width, digits)
    text += "\n"
    for key, vals in avgs.items():
        if key == "accuracy":  # one number, in the F1 column, as scikit-learn prints it
            text += (f"{key:>{width}s} " + " " * 20 + f" {vals[2]:>9.{digits}f}"
                     + f" {total:>9}\n")
        else:
            text += _report_row(key, vals, total, width, digits)
    return text


def _report_row(name, values, support, width, digits) -> str:
    return f"{name:>{width}s} " + "".join(f" {v:>9.{digits}f}" for v in values) + f" {support:>9}\n"
