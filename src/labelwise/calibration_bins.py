"""Calibration as additive state: :class:`CalibrationBins`, and the formulas on bins.

A score read as a probability is *calibrated* when, among the entries scored
about ``p``, a share ``p`` is true. Binning the scores of each label gives, per
bin ``b`` and label ``j``, three sums: the weight ``n_bj``, the weighted sum of
scores ``s_bj`` and the weighted sum of truths ``y_bj``. They add up across
batches, and the expected calibration error is a formula on them:

``ECE_j = sum_b (n_bj / N_j) * |y_bj / n_bj - s_bj / n_bj| = sum_b |y_bj - s_bj| / N_j``

with ``N_j = sum_b n_bj``: the share-weighted gap between the frequency of the
label and the mean score in each bin (Naeini et al. 2015; per label, the
classwise-ECE of Kull et al. 2019). The micro ECE pools every (sample, label)
entry: the same formula on the bins summed over labels.

**Bin edges.** ``bins`` equal-width bins with the edges
``np.linspace(0, 1, bins + 1)``, as ``sklearn.calibration.calibration_curve``: a
score ``p`` goes to the bin ``b`` with ``edge_b < p <= edge_{b+1}`` (closed on the
right), the first bin also holds 0, and a score of exactly 1.0 falls in the last
bin (``np.searchsorted(edges[1:-1], p)``, side left).

The Brier score and the log loss are not functions of these bins, so the state
also keeps, per label, the exact sums ``sum w * (p - y)**2`` and
``sum -w * log(q)`` (``q = p`` where ``y = 1`` and ``1 - p`` where ``y = 0``,
clipped to ``[eps, 1 - eps]``); they add up too, so both are exact.
"""

from __future__ import annotations

import numbers
import zlib
from typing import NamedTuple

import numpy as np
from . import _sparse as sp

from ._calibration_kernels import calibration_sums, calibration_sums_weighted
from ._budget import SCORES
from ._parallel import in_threads
from ._validate import check_average, check_sample_weight
from ._validate.raw import located, plain, where
from ._packing import pack_floats, unpack_floats
from .errors import InputError

__all__ = [
    "CalibrationBins",
    "Reliability",
    "EPS",
    "uniform_edges",
    "check_eps",
    "check_n_bins",
    "check_probabilities",
    "ece_from_bins",
    "signed_gap_from_bins",
    "reliability_from_bins",
]

#: The default clipping of the log loss: float64's machine epsilon, the value
#: ``sklearn.metrics.log_loss`` uses for float64 probabilities.
EPS = float(np.finfo(np.float64).eps)
_FORMAT = "labelwise.CalibrationBins/1"
AVERAGES = (None, "micro", "macro")  # of the calibration metrics


class Reliability(NamedTuple):
    """The data of a reliability diagram, over the bins that hold weight.

    ``prob_true`` (the frequency of the label in each bin) and ``prob_pred`` (the
    mean score) in scikit-learn's order, and ``counts``, each bin's (weighted)
    number of entries.
    """

    prob_true: np.ndarray
    prob_pred: np.ndarray
    counts: np.ndarray


# ------------------------------------------------------------------------------------
# Checks
# ------------------------------------------------------------------------------------


def check_n_bins(n_bins, name: str = "n_bins") -> int:
    """A positive whole number of bins.

    >>> check_n_bins(15)
    15
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, numbers.Integral) or n_bins < 1:
        raise InputError(
            f"{name} must be a positive integer (the number of score bins), got {n_bins!r}; "
            "15 is the usual choice."
        )
    return int(n_bins)


def check_probabilities(scores: np.ndarray, names=None, name: str = "y_score") -> None:
    """Reject scores outside [0, 1] (and NaN), naming the first one and the fix.

    The error carries ``row``, ``column`` and ``value`` (see
    :func:`labelwise._validate.located`).

    >>> try:
    ...     check_probabilities(np.array([[0.2, 0.4], [1.5, 0.1]]))
    ... except InputError as err:
    ...     print(err)
    y_score has 1.5 at row 1, column 0, but calibration reads scores as probabilities, which lie in [0, 1]. If the scores are logits, pass scores_are_logits=True or apply a sigmoid (scipy.special.expit) first.
    """
    if not scores.size:
        return
    lo, hi = scores.min(), scores.max()
    if lo >= 0 and hi <= 1:  # NaN fails both
        return
    bad = ~((scores >= 0) & (scores <= 1))
    r, c = np.argwhere(bad)[0]
    value = scores[r, c]
    if value != value:
        text = (f"{name} has nan at {where(r, c, names)}; scores must be finite. Check the "
                "model output for overflow or missing values.")
    else:
        text = (f"{name} has {plain(value)!r} at {where(r, c, names)}, but calibration reads "
                "scores as probabilities, which lie in [0, 1]. If the scores are logits, pass "
                "scores_are_logits=True or apply a sigmoid (scipy.special.expit) first.")
    raise located(InputError(text), r, c, value)


def uniform_edges(n_bins: int) -> np.ndarray:
    """The ``n_bins + 1`` edges of equal-width bins on [0, 1], as scikit-learn's.

    >>> uniform_edges(4).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    return np.linspace(0.0, 1.0, n_bins + 1)


# ------------------------------------------------------------------------------------
# Formulas on bins: (bins, k, 3) arrays of weight, sum of scores, sum of truths
# ------------------------------------------------------------------------------------


def ece_from_bins(bins: np.ndarray) -> np.ndarray:
    """Expected calibration error of each column of ``(n_bins, k, 3)`` sums.

    ``sum_b |sum_y_b - sum_p_b| / sum_b n_b``; NaN for a column without weight.

    >>> b = np.array([[[2.0, 0.4, 0.0]], [[2.0, 1.6, 2.0]]])  # two bins, one label
    >>> ece_from_bins(b).round(12).tolist()
    [0.2]
    """
    total = bins[..., 0].sum(axis=0)
    gap = np.abs(bins[..., 2] - bins[..., 1]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, gap / np.where(total > 0, total, 1.0), np.nan)


def signed_gap_from_bins(bins: np.ndarray) -> np.ndarray:
    """Per column, ``sum_b n_b * (conf_b - acc_b) / N``: positive when overconfident.

    For a binary label the predicted class of bin ``b`` is 1 where its mean score
    ``m_b`` is above 0.5, else 0; its confidence is ``max(m_b, 1 - m_b)`` and its
    accuracy the frequency of that class. ``conf_b - acc_b`` is then
    ``sign(m_b - 0.5) * (m_b - freq_b)``: positive when the scores are more extreme
    than the frequencies (overconfident), negative when they are closer to 0.5
    than the frequencies (underconfident). A bin whose mean is exactly 0.5
    predicts no class and adds 0. NaN for a column without weight.

    >>> b = np.array([[[10.0, 1.0, 3.0]], [[10.0, 9.0, 7.0]]])  # means 0.1 and 0.9
    >>> signed_gap_from_bins(b).tolist()  # frequencies 0.3 and 0.7: overconfident
    [0.2]
    """
    n, s, y = bins[..., 0], bins[..., 1], bins[..., 2]
    total = n.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        side = np.sign(np.where(n > 0, s / np.where(n > 0, n, 1.0), 0.5) - 0.5)
        return np.where(total > 0, (side * (s - y)).sum(axis=0) / np.where(total > 0, total, 1.0),
                        np.nan)


def reliability_from_bins(bins: np.ndarray) -> Reliability:
    """A reliability diagram from ``(n_bins, 3)`` sums: the bins with weight only.

    >>> r = reliability_from_bins(np.array([[2.0, 0.4, 0.0], [0.0, 0.0, 0.0], [2.0, 1.6, 2.0]]))
    >>> r.prob_true.tolist(), r.prob_pred.tolist(), r.counts.tolist()
    ([0.0, 1.0], [0.2, 0.8], [2.0, 2.0])
    """
    n = bins[:, 0]
    keep = n != 0
    return Reliability(bins[keep, 2] / n[keep], bins[keep, 1] / n[keep], n[keep])


def _averaged(per_label: np.ndarray, pooled: float, weight: np.ndarray, average):
    """``None``: the per-label values; ``"micro"``: the pooled one; ``"macro"``: the mean
    over the labels that hold weight (NaN when none does)."""
    if average is None:
        return per_label
    if average == "micro":
        return pooled
    live = weight > 0
    return float(per_label[live].mean()) if live.any() else float("nan")


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_eps(eps, dtype=None) -> float:
    """The log loss's clipping ``eps``: a number in (0, 0.5); with the scores' ``dtype``
    given, also ``"auto"``, that dtype's machine epsilon (float64's for other dtypes)."""
    if dtype is not None and isinstance(eps, str) and eps == "auto":
        return float(np.finfo(dtype if dtype in (np.float32, np.float64) else np.float64).eps)
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < 0.5:
        auto = "'auto' or " if dtype is not None else ""
        raise InputError(
            f"eps must be {auto}a number in (0, 0.5): "
            f"probabilities are clipped to [eps, 1 - eps] before the logarithm; got {eps!r}. "
            f"The default is float64's machine epsilon ({EPS!r})."
        )
    return float(eps)


# ------------------------------------------------------------------------------------
# The state
# ------------------------------------------------------------------------------------


class CalibrationBins:
    """Additive calibration state: equal-width bins of the scores, per label.

    :meth:`update` adds a batch, ``a + b`` (or :meth:`merge`) adds two states, and
    the calibration error, Brier score and log loss, per label, micro (pooled) or
    macro (mean over labels), are formulas on the sums. States over different
    samples add up to the state of all of them.

    Parameters
    ----------
    n_labels : int
        Number of label columns.
    bins : int, default 15
        Number of equal-width bins on [0, 1], with the edges of
        ``np.linspace(0, 1, bins + 1)``: a score ``p`` goes to the bin ``b`` with
        ``edge_b < p <= edge_{b+1}``, the first bin also holds 0.0, and 1.0 falls
        in the last bin (scikit-learn's ``calibration_curve`` convention).
    eps : float, default float64's machine epsilon
        The log loss clips ``p`` and ``1 - p`` to ``[eps, 1 - eps]``.

    Attributes
    ----------
    counts : ndarray of float64, shape (bins, n_labels, 3)
        Per bin and label: the weight of the entries (their number without sample
        weights), the weighted sum of their scores and of their truths.
    squared : ndarray of float64, shape (n_labels,)
        ``sum w * (p - y)**2`` per label.
    log_losses : ndarray of float64, shape (n_labels,)
        ``sum -w * log(clip(q))`` per label.

    Notes
    -----
    Equal-mass (quantile) bins need every score, so they are not additive; see
    :func:`labelwise.metrics.ece` with ``strategy="quantile"``.

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.calibration_bins import CalibrationBins
    >>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    >>> s = np.array([[0.9, 0.2], [0.3, 0.8], [0.6, 0.4], [0.1, 0.3]])
    >>> a = CalibrationBins(2, bins=5).update(y[:2], s[:2])
    >>> b = CalibrationBins(2, bins=5).update(y[2:], s[2:])
    >>> state = a + b
    >>> state.ece(average=None).round(4).tolist(), round(state.ece("micro"), 4)
    ([0.225, 0.175], 0.125)
    >>> state.brier(average=None).round(4).tolist(), round(state.log_loss("micro"), 4)
    ([0.0675, 0.1325], 0.3497)
    >>> state.reliability(label=0).prob_true.tolist()
    [0.0, 0.0, 1.0, 1.0]
    """

    def __init__(self, n_labels: int, bins: int = 15, *, eps: float = EPS):
        self._n_labels = _positive_int(n_labels, "n_labels")
        self._bins = check_n_bins(bins, "bins")
        self._eps = check_eps(eps)
        self._edges = uniform_edges(self._bins)
        self.counts = np.zeros((self._bins, self._n_labels, 3))
        self.squared = np.zeros(self._n_labels)
        self.log_losses = np.zeros(self._n_labels)

    # -- settings --------------------------------------------------------------------

    @property
    def n_labels(self) -> int:
        return self._n_labels

    @property
    def bins(self) -> int:
        return self._bins

    @property
    def eps(self) -> float:
        return self._eps

    @property
    def edges(self) -> np.ndarray:
        """The ``bins + 1`` bin edges, from 0 to 1."""
        return self._edges.copy()

    @property
    def weight(self) -> np.ndarray:
        """The total weight of each label's entries (their number without weights)."""
        return self.counts[..., 0].sum(axis=0)

    def __repr__(self) -> str:
        return (f"CalibrationBins(n_labels={self._n_labels}, bins={self._bins}, "
                f"weight={float(self.weight.sum()):g})")

    # -- adding data -----------------------------------------------------------------

    def update(self, y_true, scores, weights=None, *, checked: bool = False) -> "CalibrationBins":
        """Add a batch: 0/1 truth (CSR or dense) and dense probabilities, both (n, n_labels).

        ``weights`` gives one non-negative weight per row. Scores must lie in
        [0, 1]; ``checked=True`` skips that check, for scores known to be so.
        Returns ``self``.
        """
        s = scores if isinstance(scores, np.ndarray) else np.asarray(scores)
        if s.dtype not in (np.float32, np.float64):
            if s.dtype.kind not in "biuf":
                raise InputError(f"scores have dtype {s.dtype}; expected floating-point "
                                 "probabilities.")
            s = s.astype(np.float64)
        if s.ndim != 2 or s.shape[1] != self._n_labels:
            raise InputError(
                f"scores have shape {s.shape} but the state holds {self._n_labels} labels: "
                "give an (n_samples, n_labels) matrix with one column per label."
            )
        t = _truth(y_true, s.shape)
        w = check_sample_weight(weights, s.shape[0], allow_zero_sum=True)
        if not checked:
            check_probabilities(s, name="scores")
        s = np.ascontiguousarray(s)
        L, B = self._n_labels, self._bins

        def run(lo, hi):
            bins, sq, ll = np.zeros(L * B * 3), np.zeros(L), np.zeros(L)
            if w is None:
                calibration_sums(s, t.indptr, t.indices, self._edges, self._eps, lo, hi,
                                 bins, sq, ll)
            else:
                calibration_sums_weighted(s, t.indptr, t.indices, w, self._edges, self._eps,
                                          lo, hi, bins, sq, ll)
            return bins, sq, ll

        if SCORES.take(s.size):  # the same sums, with nothing to compile
            from . import _calibration_numpy as small

            parts = [(np.zeros(L * B * 3), np.zeros(L), np.zeros(L))]
            small.calibration_sums(s, t.indptr, t.indices, self._edges, self._eps, *parts[0],
                                   w=w)
        else:
            parts = in_threads(run, s.shape[0], L)
        for bins, sq, ll in parts:
            self.counts += bins.reshape(L, B, 3).transpose(1, 0, 2)
            self.squared += sq
            self.log_losses += ll
        return self

    def _check_same(self, other) -> None:
        if not isinstance(other, CalibrationBins):
            raise InputError(f"can only merge another CalibrationBins, got "
                             f"{type(other).__name__}.")
        if (other._bins, other._n_labels) != (self._bins, self._n_labels):
            raise InputError(
                f"cannot merge calibration states with {other._bins} bins and "
                f"{other._n_labels} labels into one with {self._bins} bins and "
                f"{self._n_labels} labels: both need the same bins and labels (widen the "
                "narrower one with .over(positions, n_labels) first)."
            )
        if other._eps != self._eps:
            raise InputError(
                f"cannot merge calibration states whose log losses clip at eps={other._eps!r} "
                f"and eps={self._eps!r}: make both with the same eps."
            )

    def merge(self, other: "CalibrationBins") -> "CalibrationBins":
        """Add ``other``'s sums into this state (same bins, labels and eps); returns ``self``."""
        self._check_same(other)
        self.counts += other.counts
        self.squared += other.squared
        self.log_losses += other.log_losses
        return self

    def copy(self) -> "CalibrationBins":
        new = CalibrationBins(self._n_labels, self._bins, eps=self._eps)
        new.counts = self.counts.copy()
        new.squared = self.squared.copy()
        new.log_losses = self.log_losses.copy()
        return new

    def __add__(self, other):
        if not isinstance(other, CalibrationBins):
            return NotImplemented
        return self.copy().merge(other)

    def __radd__(self, other):
        if isinstance(other, int) and other == 0:  # lets sum() work
            return self
        return NotImplemented

    def over(self, positions, n_labels: int) -> "CalibrationBins":
        """This state over a wider vocabulary of ``n_labels`` labels: label ``j`` moved to
        ``positions[j]``; the labels new to it hold no entries (they were not scored).

        >>> s = CalibrationBins(2, bins=2).update([[1, 0]], [[0.8, 0.3]])
        >>> w = s.over([2, 0], 3)
        >>> w.weight.tolist(), w.counts[1, 2].tolist()
        ([1.0, 0.0, 1.0], [1.0, 0.8, 1.0])
        """
        pos = np.asarray(positions, dtype=np.int64)
        n_labels = _positive_int(n_labels, "n_labels")
        if (pos.shape != (self._n_labels,) or (pos < 0).any() or (pos >= n_labels).any()
                or np.unique(pos).size != pos.size):
            raise InputError(
                f"positions must give each of the {self._n_labels} labels a distinct place "
                f"among {n_labels}, got {pos.tolist()[:10]}."
            )
        new = CalibrationBins(n_labels, self._bins, eps=self._eps)
        new.counts[:, pos, :] = self.counts
        new.squared[pos] = self.squared
        new.log_losses[pos] = self.log_losses
        return new

    # -- formulas --------------------------------------------------------------------

    def ece(self, average="macro"):
        """Expected calibration error from the bins.

        ``"macro"``: classwise-ECE, the mean of the per-label ECE over the labels
        with entries; ``"micro"``: every (sample, label) entry pooled; None: per
        label (NaN for a label without entries).
        """
        check_average(average, AVERAGES)
        per_label = ece_from_bins(self.counts)
        pooled = float(ece_from_bins(self.counts.sum(axis=1, keepdims=True))[0])
        return _averaged(per_label, pooled, self.weight, average)

    def signed_gap(self, average="macro"):
        """``sum_b n_b * (conf_b - acc_b) / N`` (see :func:`signed_gap_from_bins`):
        positive when overconfident, negative when underconfident."""
        check_average(average, AVERAGES)
        per_label = signed_gap_from_bins(self.counts)
        pooled = float(signed_gap_from_bins(self.counts.sum(axis=1, keepdims=True))[0])
        return _averaged(per_label, pooled, self.weight, average)

    def _loss(self, sums, average):
        check_average(average, AVERAGES)
        weight = self.weight
        with np.errstate(invalid="ignore", divide="ignore"):
            per_label = np.where(weight > 0, sums / np.where(weight > 0, weight, 1.0), np.nan)
        total = weight.sum()
        pooled = float(sums.sum() / total) if total > 0 else float("nan")
        return _averaged(per_label, pooled, weight, average)

    def brier(self, average="macro"):
        """Brier score, the weighted mean of ``(p - y)**2``: exact, not binned.

        None: per label; ``"micro"``: over every entry; ``"macro"``: the mean of the
        labels'.
        """
        return self._loss(self.squared, average)

    def log_loss(self, average="macro"):
        """Mean binary cross-entropy, with ``p`` clipped to ``[eps, 1 - eps]``: exact."""
        return self._loss(self.log_losses, average)

    def reliability(self, label=None) -> Reliability:
        """The reliability diagram of label ``label`` (a column index), or of every entry
        pooled (None): :class:`Reliability` ``(prob_true, prob_pred, counts)``."""
        if label is None:
            return reliability_from_bins(self.counts.sum(axis=1))
        if (isinstance(label, bool) or not isinstance(label, numbers.Integral)
                or not 0 <= label < self._n_labels):
            raise InputError(f"label must be a column index from 0 to {self._n_labels - 1}, "
                             f"got {label!r}.")
        return reliability_from_bins(self.counts[:, int(label), :])

    # -- serialisation ---------------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain JSON-safe data; :meth:`from_dict` restores the state exactly.

        The sums travel as base64 of their zlib-compressed little-endian float64 bytes.

        >>> import json
        >>> s = CalibrationBins(2, bins=4).update([[1, 0]], [[0.7, 0.2]])
        >>> back = CalibrationBins.from_dict(json.loads(json.dumps(s.to_dict())))
        >>> np.array_equal(back.counts, s.counts), back.bins, back.log_loss() == s.log_loss()
        (True, 4, True)
        """
        raw = np.concatenate([self.counts.ravel(), self.squared, self.log_losses])
        return {
            "format": _FORMAT,
            "n_labels": self._n_labels,
            "bins": self._bins,
            "eps": self._eps,
            "sums": pack_floats(raw),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "CalibrationBins":
        """A state from :meth:`to_dict` data."""
        if not isinstance(d, dict) or d.get("format") != _FORMAT:
            raise InputError(f"not the data of CalibrationBins.to_dict() (no 'format': "
                             f"'{_FORMAT}').")
        try:
            new = cls(d["n_labels"], d["bins"], eps=d["eps"])
            values = unpack_floats(d["sums"])
            size = new.counts.size
            if values.size != size + 2 * new.n_labels:
                raise ValueError(f"{values.size} sums for {size + 2 * new.n_labels} cells")
            new.counts = values[:size].reshape(new.counts.shape)
            new.squared = values[size:size + new.n_labels].copy()
            new.log_losses = values[size + new.n_labels:].copy()
        except (KeyError, TypeError, ValueError, zlib.error) as err:
            raise InputError(f"not the data of CalibrationBins.to_dict() ({err}).") from None
        return new


def _truth(y_true, shape) -> sp.csr_matrix:
    """0/1 truth as CSR with sorted, unique indices, of the scores' shape."""
    if sp.issparse(y_true):
        t = y_true if y_true.format == "csr" else y_true.tocsr()
    else:
        a = np.asarray(y_true)
        if a.ndim != 2:
            raise InputError(f"y_true has shape {a.shape}; expected (n_samples, n_labels) "
                             "0/1 truth.")
        if a.dtype != np.bool_ and (a.dtype.kind not in "biuf"
                                    or not ((a == 0) | (a == 1)).all()):
            raise InputError("y_true must hold 0/1 truth (or booleans).")
        t = sp.csr_matrix(a != 0)
    if t.shape != shape:
        raise InputError(
            f"y_true has shape {t.shape} but the scores have shape {shape}: both need one "
            "row per sample and one column per label, in the same order."
        )
    if not t.has_canonical_format:
        t = t.copy()
        t.sum_duplicates()
    ones = t.data if t.data.dtype == np.bool_ else t.data == 1
    if not ones.all():
        if not ((t.data == 0) | (t.data == 1)).all():
            raise InputError("y_true must hold 0/1 truth (or booleans).")
        t = t.copy()
        t.eliminate_zeros()
    return t
