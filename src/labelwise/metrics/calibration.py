"""Calibration of scores read as probabilities: reliability curves, ECE, Brier score
and log loss, per label, pooled (micro) or averaged over labels (macro).

Every function takes 0/1 truth ``y_true`` of shape (n_samples, n_labels) (dense,
sparse, a DataFrame or label sets, as :func:`labelwise.evaluate`) and dense scores
``y_score`` of the same shape, read as probabilities in [0, 1]. With
``scores_are_logits=True`` the scores are logits, and ``sigmoid(score)`` is
evaluated. A 1-D ``y_true`` with 1-D ``y_score`` is one label.

Bins
----
``strategy="uniform"`` uses ``n_bins`` equal-width bins with the edges
``np.linspace(0, 1, n_bins + 1)``; ``"quantile"`` uses the edges
``np.percentile(scores, np.linspace(0, 100, n_bins + 1))`` (equal-mass, "adaptive"
bins, Nixon et al. 2019), of each label's scores for a per-label value and of every
score for a pooled one. Either way a score ``p`` goes to the bin ``b`` with
``edge_b < p <= edge_{b+1}``: bins are closed on the right, the first bin also holds
0.0 (and any score at the lowest edge), and a score of exactly 1.0 falls in the last
bin. This is ``np.searchsorted(edges[1:-1], p)``, the rule of
``sklearn.calibration.calibration_curve``, and :class:`labelwise.calibration_bins.CalibrationBins`
uses it too, so that the curves, the ECE here and the streamed state agree. Empty
bins are left out (scikit-learn's convention); quantile edges are percentiles of the
scores without sample weights, as scikit-learn's.

ECE
---
The expected calibration error of one label is
``sum_b (n_b / n) * |mean(y)_b - mean(p)_b|``: each bin's gap between the frequency
of the label and the mean score, weighted by the bin's share ``n_b / n`` of the
(weighted) entries (Naeini et al. 2015). ``average="macro"`` is the classwise-ECE
of Kull et al. 2019, the mean over labels of each label's ECE; ``"micro"`` pools
every (sample, label) entry into one set of bins.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._names import near_match
from .._validate import check_average, check_sample_weight, coerce_ranking
from ..calibration_bins import (
    AVERAGES,
    EPS,
    Reliability,
    check_eps,
    check_n_bins,
    check_probabilities,
    ece_from_bins,
    reliability_from_bins,
    uniform_edges,
)
from ..errors import InputError

__all__ = ["calibration_curve", "ece", "brier_score", "log_loss"]

_STRATEGIES = ("uniform", "quantile")


def _ndim(y) -> int | None:
    """The dimensions of an array-like; None for ragged input such as label sets."""
    try:
        return np.ndim(y)
    except ValueError:
        return None


class _Probabilities:
    """Validated truth (dense float64 0/1), probabilities (float64) and weights."""

    def __init__(self, y_true, y_score, sample_weight, scores_are_logits, labels=None):
        if _ndim(y_true) == 1 and _ndim(y_score) == 1:  # one binary label
            y_true = np.asarray(y_true).reshape(-1, 1)
            y_score = np.asarray(y_score).reshape(-1, 1)
        data = coerce_ranking(y_true, y_score, labels=labels, need_dense=True)
        self.labels, self.named = data.labels, data.named
        s = np.asarray(data.dense_scores)
        dtype = s.dtype
        s = s.astype(np.float64)
        if scores_are_logits:
            from scipy.special import expit

            s = expit(s)
        else:
            check_probabilities(s, self.labels if self.named else None)
        self.scores, self.dtype = s, dtype
        self.truth = data.y_true.toarray().astype(np.float64)
        self.weight = check_sample_weight(sample_weight, data.n_samples, data.index)

    def column(self, label) -> int:
        """The column of ``label``: a name of the labels, or a column index when unnamed."""
        if self.named and label in self.labels:
            return self.labels.index(label)
        if not self.named and isinstance(label, numbers.Integral) and not isinstance(label, bool) \
                and 0 <= label < len(self.labels):
            return int(label)
        if self.named:
            close = near_match(label, self.labels)
            shown = list(self.labels[:10]) + (["..."] if len(self.labels) > 10 else [])
            raise InputError(
                f"label {label!r} is not one of the labels {shown}"
                + (f" (did you mean {close!r}?)." if close is not None else ".")
                + " Pass label=None for every entry pooled."
            )
        raise InputError(
            f"label must be a column index from 0 to {len(self.labels) - 1} (the labels "
            f"have no names), got {label!r}. Pass label=None for every entry pooled."
        )


def _check_strategy(strategy) -> str:
    if strategy not in _STRATEGIES:
        raise InputError(
            f"strategy must be 'uniform' (equal-width bins) or 'quantile' (equal-mass "
            f"bins), got {strategy!r}."
        )
    return strategy


def _edges(scores: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    """Bin edges, ``(n_bins + 1,)`` for 1-D scores, ``(n_bins + 1, L)`` per column of 2-D."""
    if strategy == "uniform":
        return uniform_edges(n_bins)
    return np.percentile(scores, np.linspace(0, 1, n_bins + 1) * 100, axis=0)


def _bin_of(scores: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """``np.searchsorted(edges[1:-1], p)`` for every score, with one edge row per column
    when ``edges`` is 2-D: the number of inner edges below each score."""
    if edges.ndim == 1:
        return np.searchsorted(edges[1:-1], scores)
    b = np.zeros(scores.shape, dtype=np.int64)
    for e in edges[1:-1]:
        b += scores > e
    return b


def _bins(p: np.ndarray, y: np.ndarray, w, b: np.ndarray, n_bins: int) -> np.ndarray:
    """``(n_bins, k, 3)`` sums (weight, sum of scores, sum of truths) of the columns of
    ``p`` (n, k), each summed in row order as scikit-learn's ``np.bincount``."""
    n, k = p.shape
    key = (b * k + np.arange(k)).ravel()
    size = n_bins * k
    if w is None:
        n_b = np.bincount(key, minlength=size).astype(np.float64)
        s_b = np.bincount(key, weights=p.ravel(), minlength=size)
        y_b = np.bincount(key, weights=y.ravel(), minlength=size)
    else:
        wr = np.repeat(w, k)
        n_b = np.bincount(key, weights=wr, minlength=size)
        s_b = np.bincount(key, weights=(p * w[:, None]).ravel(), minlength=size)
        y_b = np.bincount(key, weights=(y * w[:, None]).ravel(), minlength=size)
    return np.stack([n_b, s_b, y_b], axis=-1).reshape(n_bins, k, 3)


def _pooled_bins(d: _Probabilities, n_bins: int, strategy: str) -> np.ndarray:
    """``(n_bins, 1, 3)`` sums over every entry, in row-major order."""
    p = d.scores.reshape(-1, 1)
    b = _bin_of(p, _edges(p.ravel(), n_bins, strategy))
    w = None if d.weight is None else np.repeat(d.weight, d.scores.shape[1])
    return _bins(p, d.truth.reshape(-1, 1), w, b, n_bins)


def _label_bins(d: _Probabilities, n_bins: int, strategy: str) -> np.ndarray:
    """``(n_bins, n_labels, 3)`` sums, with each label's own edges for quantile bins."""
    b = _bin_of(d.scores, _edges(d.scores, n_bins, strategy))
    return _bins(d.scores, d.truth, d.weight, b, n_bins)


def calibration_curve(y_true, y_score, *, label=None, n_bins=15, strategy="uniform",
                      sample_weight=None, scores_are_logits=False, return_counts=False):
    """Reliability diagram data: the frequency of the label against the mean score, per bin.

    Parameters
    ----------
    y_true : array-like, sparse matrix or DataFrame, shape (n_samples, n_labels)
        0/1 truth (1-D for one label).
    y_score : array-like of float, shape (n_samples, n_labels)
        Probabilities in [0, 1] (logits with ``scores_are_logits=True``).
    label : label name or column index, optional
        The label whose curve to return; None pools every (sample, label) entry.
    n_bins : int, default 15
    strategy : {"uniform", "quantile"}, default "uniform"
        Equal-width bins, or bins holding equal shares of the scores (see the module
        notes for the edges).
    sample_weight : array-like of shape (n_samples,), optional
        Weights of the bins' entries (scikit-learn's ``calibration_curve`` has none).
    scores_are_logits : bool, default False
    return_counts : bool, default False
        Also return each bin's (weighted) number of entries.

    Returns
    -------
    prob_true : ndarray
        The frequency of the label in each bin that holds an entry.
    prob_pred : ndarray
        The mean score in each of those bins.
    counts : ndarray
        With ``return_counts=True``: the weight of each of those bins.

    Notes
    -----
    For one label, ``(prob_true, prob_pred)`` equal
    ``sklearn.calibration.calibration_curve(y_true[:, j], y_score[:, j], n_bins=n_bins,
    strategy=strategy)``, whose default ``n_bins`` is 5, not 15.

    Examples
    --------
    >>> y = [[0, 1], [0, 1], [1, 0], [1, 1]]
    >>> s = [[0.1, 0.7], [0.3, 0.9], [0.8, 0.2], [0.7, 0.6]]
    >>> prob_true, prob_pred = calibration_curve(y, s, label=0, n_bins=2)
    >>> prob_true.tolist(), prob_pred.tolist()
    ([0.0, 1.0], [0.2, 0.75])
    >>> calibration_curve(y, s, n_bins=2, return_counts=True)[2].tolist()
    [3.0, 5.0]
    """
    n_bins = check_n_bins(n_bins)
    _check_strategy(strategy)
    d = _Probabilities(y_true, y_score, sample_weight, scores_are_logits)
    if label is None:
        bins = _pooled_bins(d, n_bins, strategy)[:, 0, :]
    else:
        j = d.column(label)
        sub = d.scores[:, j:j + 1]
        b = _bin_of(sub, _edges(sub.ravel(), n_bins, strategy))
        bins = _bins(sub, d.truth[:, j:j + 1], d.weight, b, n_bins)[:, 0, :]
    r: Reliability = reliability_from_bins(bins)
    if return_counts:
        return r.prob_true, r.prob_pred, r.counts
    return r.prob_true, r.prob_pred


def _average(per_label: np.ndarray, pooled, average):
    if average is None:
        return per_label
    if average == "micro":
        return float(pooled)
    return float(np.mean(per_label))


def ece(y_true, y_score, *, average="macro", n_bins=15, strategy="uniform",
        sample_weight=None, scores_are_logits=False):
    """Expected calibration error, per label, pooled or averaged over labels.

    Parameters
    ----------
    y_true, y_score, sample_weight, scores_are_logits
        As :func:`calibration_curve`.
    average : {"macro", "micro"} or None, default "macro"
        ``"macro"``: classwise-ECE (Kull et al. 2019), the mean over labels of each
        label's ECE; ``"micro"``: one ECE over every (sample, label) entry; None: one
        value per label.
    n_bins : int, default 15
    strategy : {"uniform", "quantile"}, default "uniform"
        ``"quantile"`` gives the adaptive ECE (Nixon et al. 2019): equal-mass bins,
        from each label's own scores (or every score, for ``"micro"``).

    Returns
    -------
    float or ndarray of shape (n_labels,)

    Notes
    -----
    One label's ECE is ``sum_b (n_b / n) * |mean(y)_b - mean(p)_b|`` over the bins
    of :func:`calibration_curve`, with the same edges: bins closed on the right,
    0.0 in the first bin and 1.0 in the last. It is 0 when every bin's mean score
    matches the label's frequency in it.

    Examples
    --------
    >>> y = [[0, 1], [0, 1], [1, 0], [1, 1]]
    >>> s = [[0.1, 0.7], [0.3, 0.9], [0.8, 0.2], [0.7, 0.6]]
    >>> ece(y, s, n_bins=2, average=None).round(4).tolist()
    [0.225, 0.25]
    >>> round(ece(y, s, n_bins=2), 4)
    0.2375
    """
    check_average(average, AVERAGES)
    n_bins = check_n_bins(n_bins)
    _check_strategy(strategy)
    d = _Probabilities(y_true, y_score, sample_weight, scores_are_logits)
    per_label = ece_from_bins(_label_bins(d, n_bins, strategy)) if average != "micro" else None
    pooled = ece_from_bins(_pooled_bins(d, n_bins, strategy))[0] if average == "micro" else None
    return _average(per_label, pooled, average)


def _weighted_mean(values: np.ndarray, w) -> np.ndarray:
    """Column means of ``values`` (n, L), weighted by rows."""
    if w is None:
        return values.mean(axis=0)
    return (values * w[:, None]).sum(axis=0) / w.sum()


def brier_score(y_true, y_score, *, average="macro", sample_weight=None,
                scores_are_logits=False):
    """Brier score: the mean squared difference between probability and truth.

    ``None`` gives one value per label, each equal to
    ``sklearn.metrics.brier_score_loss`` on that label's column; ``"micro"`` the
    mean over every (sample, label) entry; ``"macro"`` the mean of the labels'
    values (the same as ``"micro"``, since every label has the same entries and
    weights). Lower is better; 0.25 is the score of predicting 0.5 everywhere.

    Examples
    --------
    >>> y = [[0, 1], [0, 1], [1, 0], [1, 1]]
    >>> s = [[0.1, 0.7], [0.3, 0.9], [0.8, 0.2], [0.7, 0.6]]
    >>> brier_score(y, s, average=None).round(4).tolist()
    [0.0575, 0.075]
    >>> round(brier_score(y, s), 5)
    0.06625
    """
    check_average(average, AVERAGES)
    d = _Probabilities(y_true, y_score, sample_weight, scores_are_logits)
    per_label = _weighted_mean((d.scores - d.truth) ** 2, d.weight)
    return _average(per_label, per_label.mean(), average)


def log_loss(y_true, y_score, *, average="macro", sample_weight=None, eps=EPS,
             scores_are_logits=False):
    """Log loss: the mean binary cross-entropy ``-[y log p + (1 - y) log(1 - p)]``.

    Parameters
    ----------
    y_true, y_score, sample_weight, scores_are_logits
        As :func:`calibration_curve`.
    average : {"macro", "micro"} or None, default "macro"
        None: one value per label; ``"micro"``: the mean over every (sample, label)
        entry; ``"macro"``: the mean of the labels' values.
    eps : float or "auto", default float64's machine epsilon (2.220446049250313e-16)
        ``p`` (where ``y = 1``) and ``1 - p`` (where ``y = 0``) are clipped to
        ``[eps, 1 - eps]``, so a score of exactly 0 or 1 on the wrong side costs
        ``-log(eps)`` (36.04 by default), not infinity. ``"auto"`` takes the
        machine epsilon of the scores' dtype, as ``sklearn.metrics.log_loss`` does
        (1.19e-07 for float32 scores); the default is the same for every dtype.

    Notes
    -----
    Per label the value equals ``sklearn.metrics.log_loss(y_true[:, j],
    y_score[:, j], labels=[0, 1], sample_weight=sample_weight)`` for float64 scores
    (and with ``eps="auto"`` for float32 ones, up to float32 rounding there). The
    logarithm is natural.

    Examples
    --------
    >>> y = [[0, 1], [0, 1], [1, 0], [1, 1]]
    >>> s = [[0.1, 0.7], [0.3, 0.9], [0.8, 0.2], [0.7, 0.6]]
    >>> log_loss(y, s, average=None).round(4).tolist()
    [0.2605, 0.299]
    >>> round(log_loss([[1], [0]], [[1.0], [1.0]]), 4)  # -log(eps) / 2
    18.0218
    """
    check_average(average, AVERAGES)
    d = _Probabilities(y_true, y_score, sample_weight, scores_are_logits)
    e = check_eps(eps, d.dtype)
    q = np.clip(np.where(d.truth == 1, d.scores, 1.0 - d.scores), e, 1.0 - e)
    per_label = _weighted_mean(-np.log(q), d.weight)
    return _average(per_label, per_label.mean(), average)
