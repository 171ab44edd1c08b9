"""Metric formulas on :class:`~labelwise.counts.Counts`, and THE metric registry.

A *family* (precision, recall, F1, ...) is one formula of a unit's confusion
counts ``(tp, fp, fn, tn)``. The four averages apply it to different units:

``micro``
    the counts summed over labels, one formula;
``macro``
    each label, then the unweighted mean;
``weighted``
    each label, then the mean weighted by support (``tp + fn``);
``samples``
    each sample (its counts over labels), then the mean weighted by sample weight.

A formula returns NaN where it divides zero by zero; :func:`resolve` then
applies ``zero_division`` exactly as scikit-learn does: ``"warn"`` and ``0``
give 0 (``"warn"`` also warns), ``1`` gives 1, and ``nan`` leaves NaN, which
drops that unit from the mean.

Every formula works along the last axis: counts with a leading axis (one row
per bootstrap replicate, say) give one value per row in a single call, and
plain counts give a float.

The registry of reportable metrics (:mod:`labelwise.registry`) builds on
these formulas.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .counts import Counts
from .errors import UndefinedMetricWarning

__all__ = [
    "Family",
    "FAMILIES",
    "per_label",
    "average",
    "resolve",
]


# --------------------------------------------------------------------------
# Unit formulas: arrays of tp, fp, fn, tn -> values, NaN where 0/0.
# --------------------------------------------------------------------------


def _ratio(num, den) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(num / den)
    out[den == 0] = np.nan  # x / 0 gives inf, not the NaN of 0 / 0
    return out


def precision(tp, fp, fn, tn, beta=1.0):
    return _ratio(tp, tp + fp)


def recall(tp, fp, fn, tn, beta=1.0):
    return _ratio(tp, tp + fn)


def fbeta(tp, fp, fn, tn, beta=1.0):
    if math.isinf(beta):
        return recall(tp, fp, fn, tn)
    if beta == 0:
        return precision(tp, fp, fn, tn)
    b2 = beta * beta
    tp = np.asarray(tp, dtype=np.float64)
    return _ratio((1 + b2) * tp, b2 * (tp + fn) + (tp + fp))


def f1(tp, fp, fn, tn, beta=1.0):
    return fbeta(tp, fp, fn, tn, 1.0)


def jaccard(tp, fp, fn, tn, beta=1.0):
    return _ratio(tp, tp + fp + fn)


def specificity(tp, fp, fn, tn, beta=1.0):
    return _ratio(tn, tn + fp)


def balanced_accuracy(tp, fp, fn, tn, beta=1.0):
    """Mean of recall and specificity; a class absent from the truth is left out."""
    r, s = recall(tp, fp, fn, tn), specificity(tp, fp, fn, tn)
    r_kept, s_kept = ~np.isnan(r), ~np.isnan(s)
    total = np.where(r_kept, r, 0.0) + np.where(s_kept, s, 0.0)
    with np.errstate(invalid="ignore"):  # neither defined: 0 / 0, NaN
        return total / (r_kept.astype(np.int64) + s_kept)  # np.nanmean's sum / count


def mcc(tp, fp, fn, tn, beta=1.0):
    tp, fp, fn, tn = (np.asarray(a, dtype=np.float64) for a in (tp, fp, fn, tn))
    den = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return _ratio(tp * tn - fp * fn, den)


@dataclass(frozen=True)
class Family:
    """A formula of one unit's confusion counts, averaged four ways."""

    name: str
    formula: Callable
    title: str
    undefined_when: str  # completes "... is ill-defined in units with no ..."
    warn_title: str = ""  # name in UndefinedMetricWarning, if not ``title`` (as scikit-learn)

    def __call__(self, tp, fp, fn, tn, beta=1.0):
        return self.formula(tp, fp, fn, tn, beta)


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("precision", precision, "Precision", "predicted"),
        Family("recall", recall, "Recall", "true"),
        Family("f1", f1, "F1", "true nor predicted", "F-score"),
        Family("fbeta", fbeta, "F-beta", "true nor predicted", "F-score"),
        Family("jaccard", jaccard, "Jaccard", "true or predicted"),
        Family("specificity", specificity, "Specificity", "negative"),
        Family("balanced_accuracy", balanced_accuracy, "Balanced accuracy", "samples"),
        Family("mcc", mcc, "MCC", "variation in truth or prediction"),
    )
}


# --------------------------------------------------------------------------
# zero_division and averaging
# --------------------------------------------------------------------------


def resolve(values, zero_division, family: Family | None = None, unit: str = "labels",
            size: int | None = None):
    """Replace 0/0 (NaN) by the ``zero_division`` value, warning for ``"warn"``.

    ``size`` is the number of units the warning speaks of (default: ``values.size``).
    """
    values = np.array(values, dtype=np.float64, copy=True)
    mask = np.isnan(values)
    if not mask.any():
        return values
    if zero_division == "warn":
        values[mask] = 0.0
        if family is not None:
            _warn(family, unit, values.size if size is None else size)
    else:
        values[mask] = zero_division
    return values


def _warn(family: Family, unit: str, size: int) -> None:
    other = "sample" if unit == "labels" else "label"
    where = "due to" if size == 1 else f"in {unit} with"
    warnings.warn(
        f"{family.warn_title or family.title} is ill-defined and being set to 0.0 {where} no "
        f"{family.undefined_when} {other}s. Use `zero_division` parameter to control "
        "this behavior.",
        UndefinedMetricWarning,
        stacklevel=4,
    )


def _out(x):
    """A float for a single value, else the array (one value per leading index)."""
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def _mean(values: np.ndarray, weights: np.ndarray | None):
    """scikit-learn's NaN-skipping mean along the last axis: NaNs drop out with their
    weights; a weighted mean over zero total weight is the plain mean."""
    values = np.asarray(values, dtype=np.float64)
    keep = ~np.isnan(values)
    kept = keep.sum(axis=-1)
    every = bool(np.all(kept == values.shape[-1]))  # no NaN: nothing to mask out
    v = values if every else np.where(keep, values, 0.0)
    out = v.sum(axis=-1) / np.maximum(kept, 1)
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if not every or w.shape != v.shape:
            w = np.where(keep, w, 0.0)
        total = w.sum(axis=-1)
        weighted = (v * w).sum(axis=-1) / np.where(total == 0, 1.0, total)
        out = np.where(total != 0, weighted, out)
    return _out(np.where(kept == 0, np.nan, out))


def sample_units(c: Counts):
    """Per-sample (tp, fp, fn, tn) for each distinct row group of ``c``."""
    tp = c.row_both
    fp = c.row_pred - c.row_both
    fn = c.row_true - c.row_both
    row_unknown = getattr(c, "row_unknown", None)  # replicate counts have none
    known = c.n_labels if row_unknown is None else c.n_labels - row_unknown
    tn = known - c.row_true - c.row_pred + c.row_both
    return tp, fp, fn, tn


def per_label(c: Counts, family: Family, zero_division=0.0, beta=1.0, memo=None) -> np.ndarray:
    """Per-label values of ``family``, with ``zero_division`` applied.

    ``memo`` (a dict) shares the result between callers over the same counts. Its
    ``("formula", ...)`` entries hold the values before ``zero_division``: a memo of
    those alone computes no formula again, yet resolves (and warns) anew.
    """
    key = (family.name, repr(zero_division), beta)
    if memo is not None and key in memo:
        return memo[key]
    raw_key = ("formula", family.name, beta)
    raw = None if memo is None else memo.get(raw_key)
    if raw is None:
        raw = family(*_float_counts(c, memo), beta)
    values = resolve(raw, zero_division, family, "labels")
    if memo is not None:
        memo[raw_key] = raw
        memo[key] = values
    return values


def _float_counts(c: Counts, memo=None):
    """``(tp, fp, fn, tn)`` as float64, converted once per memo: the formulas compute in
    float64, and sums of whole counts are exact in it."""
    units = None if memo is None else memo.get(("float",))
    if units is None:
        units = tuple(np.asarray(x, dtype=np.float64) for x in (c.tp, c.fp, c.fn, c.tn))
        if memo is not None:
            memo[("float",)] = units
    return units


def average(c: Counts, family: Family, avg: str, zero_division=0.0, beta=1.0, memo=None):
    """One of the four averages of ``family`` over counts ``c`` (a float, or one value
    per leading index of batched counts)."""
    if avg == "micro":
        units = None if memo is None else memo.get(("micro",))
        if units is None:
            units = (c.tp.sum(-1), c.fp.sum(-1), c.fn.sum(-1), c.tn.sum(-1))
            if memo is not None:
                memo[("micro",)] = units  # the counts summed over labels
        value = family(*(np.atleast_1d(u) for u in units), beta=beta)
        value = resolve(value, zero_division, family, "labels")
        return _out(value.reshape(np.shape(units[0])))
    if avg == "samples":
        # A sample of weight 0 has weighted counts of 0, so every ratio on it is 0/0, as
        # in scikit-learn: it takes the zero_division value (and drops out under nan).
        values = np.where(c.row_weight == 0, np.nan, family(*sample_units(c), beta=beta))
        if getattr(c, "row_unknown", None) is None:
            values = resolve(values, zero_division, family, "samples", size=c.n_samples)
            return _mean(values, c.row_weight)
        # a sample with no known entry has nothing to evaluate: it drops out of the mean
        known = c.known_rows
        values = resolve(np.where(known, values, 0.0), zero_division, family, "samples",
                         size=c.n_samples)
        return _mean(np.where(known, values, np.nan), c.row_weight)
    values = per_label(c, family, zero_division, beta, memo)
    weights = None
    if avg == "weighted":
        tp, _, fn, _ = _float_counts(c, memo)
        weights = tp + fn
    return _mean(values, weights)


# --------------------------------------------------------------------------
# Example-based metrics
# --------------------------------------------------------------------------


def _per_weight(num, total):
    total = np.asarray(total, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.where(total == 0, np.nan, num / np.where(total == 0, 1.0, total)))


def hamming_loss(c: Counts):
    """Fraction of (sample, label) cells predicted wrongly (of the known cells, when some
    truth entries are unknown)."""
    if getattr(c, "unknown", None) is not None:
        known = c.n_labels * np.asarray(c.total_weight) - c.unknown.sum(-1)
        return _per_weight(c.fp.sum(-1) + c.fn.sum(-1), known)
    return _per_weight((c.fp.sum(-1) + c.fn.sum(-1)) / c.n_labels, c.total_weight)


def label_accuracy(c: Counts):
    """Fraction of (sample, label) cells predicted rightly: 1 - Hamming loss."""
    return _out(1.0 - np.asarray(hamming_loss(c)))


def subset_accuracy(c: Counts):
    """Fraction of samples whose predicted label set equals the true set exactly (on the
    known entries, over the samples with one, when some truth entries are unknown)."""
    exact = (c.row_true == c.row_both) & (c.row_pred == c.row_both)
    if getattr(c, "row_unknown", None) is not None:  # a match on the known entries only
        known = c.known_rows
        total = np.where(known, c.row_weight, 0).sum(-1)
        return _per_weight(np.where(exact & known, c.row_weight, 0).sum(-1), total)
    return _per_weight(np.where(exact, c.row_weight, 0).sum(-1), c.total_weight)
