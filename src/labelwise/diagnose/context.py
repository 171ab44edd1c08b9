"""What the detectors may look at: :class:`Context`, and :class:`Thresholding`,
how scores became predictions."""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from .._budget import NUMPY_CELLS
from ..counts import Counts

if TYPE_CHECKING:
    from ..calibration_bins import CalibrationBins

__all__ = ["Context", "Thresholding", "ScoreShape", "scan_scores"]


@dataclass(frozen=True)
class Thresholding:
    """How scores became predictions, with the range of each label's scores.

    Attributes
    ----------
    low, high : ndarray of float64, shape (n_labels,)
        The smallest and largest score of each label. For sparse or top-k scores
        only the stored entries count; a label with none has NaN.
    threshold : float or ndarray
        The threshold as given: one value, or one per label.
    cut : float or ndarray
        The same threshold on the scores' own scale: ``logit(threshold)`` with
        ``scores_are_logits``, else ``threshold``.
    inclusive : bool
        ``score >= cut`` predicts; else ``score > cut``.
    scores_are_logits : bool
    partial : bool
        Sparse or top-k scores: unscored entries are never predicted.

    Examples
    --------
    >>> t = Thresholding.of([[0.1, 0.7], [0.3, 0.9]], threshold=0.5)
    >>> t.low.tolist(), t.high.tolist(), t.cut
    ([0.1, 0.7], [0.3, 0.9], 0.5)
    >>> import scipy.sparse as sp
    >>> t = Thresholding.of(sp.csr_matrix([[0.0, 0.8], [0.4, 0.6]]), threshold=0.5)
    >>> t.low.tolist(), t.partial
    ([0.4, 0.6], True)
    """

    low: np.ndarray
    high: np.ndarray
    threshold: Any
    cut: Any
    inclusive: bool = False
    scores_are_logits: bool = False
    partial: bool = False

    @classmethod
    def of(cls, scores, threshold, cut=None, *, inclusive=False, scores_are_logits=False):
        """The range of ``scores`` per label, without copying them: a column minimum
        and maximum of a dense matrix, or of the stored entries of a sparse one.
        ``cut`` defaults to ``threshold``."""
        cut = threshold if cut is None else cut
        if hasattr(scores, "tocsr"):
            from .._partial_numpy import kernels_for

            s = scores.tocsr()
            low, high = kernels_for(s.nnz).entry_range(s.indices, s.data, s.shape[1])  # NaN: none
            partial = True
        else:
            v = np.asarray(scores)
            if v.shape[0]:
                low = v.min(axis=0).astype(np.float64)
                high = v.max(axis=0).astype(np.float64)
            else:
                low = high = np.full(v.shape[1], np.nan)
            partial = False
        return cls(low, high, threshold, cut, bool(inclusive), bool(scores_are_logits),
                   partial)


SOFTMAX_TOL = 1e-3  # a row "sums to 1" within this
SCAN_CELLS = NUMPY_CELLS  # below this many cells, numpy's passes: nothing to compile


@dataclass(frozen=True)
class ScoreShape:
    """What the detectors need to know of dense scores, as additive counts, so that
    the scores themselves need not be kept: rows, rows summing to 1 (within
    :data:`SOFTMAX_TOL`), entries, entries outside [0, 1], and the range.

    Examples
    --------
    >>> a = ScoreShape.of([[0.2, 0.8], [0.5, 0.1]])
    >>> b = ScoreShape.of([[1.5, -0.5]])
    >>> s = a + b
    >>> s.rows, s.rows_summing_to_1, s.entries, s.outside_0_1, s.low, s.high
    (3, 2, 6, 2, -0.5, 1.5)
    """

    rows: int = 0
    rows_summing_to_1: int = 0
    entries: int = 0
    outside_0_1: int = 0
    low: float = math.inf
    high: float = -math.inf
    width: int = 0

    @classmethod
    def of(cls, scores, how: "Thresholding | None" = None) -> "ScoreShape":
        """The shape of a dense score matrix. ``how``, the :class:`Thresholding` of the
        same scores, gives their range: then a matrix within [0, 1] is not scanned
        again for entries outside it, nor for its smallest and largest score."""
        v = np.asarray(scores)
        if v.ndim != 2 or not v.size:
            return cls(rows=v.shape[0] if v.ndim else 0, width=v.shape[1] if v.ndim == 2 else 0)
        sums = v.sum(axis=1, dtype=np.float64)
        low = high = math.nan
        if how is not None and not how.partial and how.low.shape == (v.shape[1],):
            low, high = float(how.low.min()), float(how.high.max())
        # a zero is read off the scores again, so that it keeps the sign v.min() gives it
        if low != low or low == 0.0:
            low = float(v.min())
        if high != high or high == 0.0:
            high = float(v.max())
        outside = 0 if 0.0 <= low and high <= 1.0 else int(np.count_nonzero((v < 0) | (v > 1)))
        return cls(int(v.shape[0]), int(np.count_nonzero(np.abs(sums - 1) <= SOFTMAX_TOL)),
                   int(v.size), outside, low, high, int(v.shape[1]))

    def __add__(self, other: "ScoreShape") -> "ScoreShape":
        return ScoreShape(self.rows + other.rows,
                          self.rows_summing_to_1 + other.rows_summing_to_1,
                          self.entries + other.entries, self.outside_0_1 + other.outside_0_1,
                          min(self.low, other.low), max(self.high, other.high),
                          max(self.width, other.width))


def scan_scores(scores: np.ndarray, threshold, cut, *, inclusive=False,
                scores_are_logits=False):
    """Threshold dense scores and read their range and shape, in one pass.

    Returns ``(pred, thresholding, shape)``: ``pred`` is the C-contiguous bool
    ``scores > cut`` (``>=`` with ``inclusive``), compared as numpy compares (a float
    cut in the scores' dtype, per-label cuts in float64); ``thresholding`` and
    ``shape`` equal :meth:`Thresholding.of` and :meth:`ScoreShape.of` of the same
    scores. Matrices of :data:`SCAN_CELLS` cells or more take one compiled pass (over
    row blocks on threads, when large); smaller ones take numpy's passes.

    Examples
    --------
    >>> pred, how, shape = scan_scores(np.array([[0.1, 0.9], [0.3, 0.9]]), 0.5, 0.5)
    >>> pred.tolist(), how.high.tolist(), shape.rows_summing_to_1
    ([[False, True], [False, True]], [0.3, 0.9], 1)
    """
    from .._parallel import in_threads

    v = scores
    if v.ndim != 2 or v.size < SCAN_CELLS or v.dtype not in (np.float32, np.float64) \
            or not v.flags.c_contiguous:
        how = Thresholding.of(v, threshold, cut, inclusive=inclusive,
                              scores_are_logits=scores_are_logits)
        pred = v >= cut if inclusive else v > cut
        return np.ascontiguousarray(pred), how, ScoreShape.of(v, how)
    from .._scan_kernels import scan_rows

    if type(cut) is float:  # as numpy compares with a Python float: in the scores' dtype
        cuts = np.array([cut], dtype=v.dtype).astype(np.float64)
    else:
        cuts = np.asarray(cut, dtype=np.float64).reshape(-1)
    n, L = v.shape
    pred = np.empty((n, L), dtype=np.bool_)

    def run(lo, hi):
        low, high = np.full(L, np.inf), np.full(L, -np.inf)
        found = scan_rows(v, cuts, bool(inclusive), SOFTMAX_TOL, lo, hi, pred, low, high)
        return found, low, high

    parts = in_threads(run, n, L)
    low = np.minimum.reduce([p[1] for p in parts])
    high = np.maximum.reduce([p[2] for p in parts])
    zero = (low == 0.0) | (high == 0.0)
    signed = sum(int(p[0][2]) for p in parts) > 0  # both zeros may occur: numpy picks one
    if signed and zero.any():  # the sign of a zero as numpy's minimum and maximum give it
        low[zero] = v[:, zero].min(axis=0)
        high[zero] = v[:, zero].max(axis=0)
    how = Thresholding(low, high, threshold, cut, bool(inclusive), bool(scores_are_logits),
                       False)
    lo, hi = float(low.min()), float(high.max())
    if signed and (lo == 0.0 or hi == 0.0):  # a zero keeps the sign v.min() gives it
        lo, hi = (float(v.min()) if lo == 0.0 else lo), (float(v.max()) if hi == 0.0 else hi)
    shape = ScoreShape(n, sum(int(p[0][0]) for p in parts), n * L,
                       sum(int(p[0][1]) for p in parts), lo, hi, L)
    return pred, how, shape


@dataclass
class Context:
    """What the detectors may look at.

    ``label_space`` says where the label vocabulary came from when it was not
    given: ``{"source": "data", "n_labels": int, "only_in_predictions": int}``
    when it is the labels that occur in the data (label sets without
    ``labels=``), ``only_in_predictions`` counting those absent from the truth.
    ``thresholding`` describes how scores were thresholded (see
    :class:`Thresholding`); it is None for hard predictions.

    ``calibration`` is the :class:`~labelwise.calibration_bins.CalibrationBins` of
    the evaluated probabilities (``sigmoid(score)`` with ``scores_are_logits``), in
    the order of ``labels``; None when no dense scores in [0, 1] were read as
    probabilities. ``scores_are_logits`` says how the scores were read, also when
    they were not thresholded (None: not said; ``thresholding`` may say it).
    """

    metrics: dict
    labels: tuple
    counts: Counts
    scores: np.ndarray | None = None  # dense scores, when given (or their score_shape)
    zero_division: Any = 0.0
    undefined: dict = field(default_factory=dict)  # metric -> labels
    train_metrics: dict | None = None
    thresholds_tuned_on: str | None = None
    data_fingerprint: str | None = None
    label_space: dict | None = None
    thresholding: Thresholding | None = None
    score_shape: ScoreShape | None = None
    calibration: CalibrationBins | None = None
    scores_are_logits: bool | None = None
    positions: bool = False  # labels are the column numbers 0 .. n_labels - 1

    @property
    def shape(self) -> ScoreShape | None:
        """The :class:`ScoreShape` of the dense scores (None without dense scores)."""
        if self.score_shape is not None:
            return self.score_shape
        return None if self.scores is None else ScoreShape.of(self.scores)

    @cached_property
    def support(self) -> np.ndarray:
        """Each label's positives in the truth (``tp + fn``), as float64; read-only."""
        return _frozen(np.asarray(self.counts.tp + self.counts.fn, dtype=np.float64))

    @cached_property
    def predicted(self) -> np.ndarray:
        """Each label's predicted positives (``tp + fp``), as float64; read-only."""
        return _frozen(np.asarray(self.counts.tp + self.counts.fp, dtype=np.float64))

    @cached_property
    def _label_objects(self) -> np.ndarray:
        return np.fromiter(self.labels, dtype=object, count=len(self.labels))

    def labels_at(self, idx) -> tuple:
        """``tuple(self.labels[j] for j in idx)``, gathered in one call.

        >>> from labelwise.counts import Counts
        >>> c = Context({}, ("a", "b", "c"), Counts.from_arrays([[1, 0, 1]], [[1, 1, 0]]))
        >>> c.labels_at(np.array([2, 0])), c.labels_at([])
        (('c', 'a'), ())
        >>> Context({}, (0, 1, 2), c.counts, positions=True).labels_at([2, 0])
        (2, 0)
        """
        idx = np.asarray(idx, dtype=np.intp)
        if self.positions:  # column numbers: the numbers themselves
            return tuple(idx.tolist())
        return tuple(self._label_objects[idx])

    def share(self, mask: np.ndarray) -> float:
        """Weighted share of samples whose row group satisfies ``mask``."""
        return float(self.counts.row_weight[mask].sum() / self.counts.total_weight)


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a
