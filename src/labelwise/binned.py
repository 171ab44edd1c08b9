"""Binned ROC-AUC and average precision: a fixed-size state that adds up.

:class:`BinnedScores` keeps, for every score bin and label, the weighted count
of negatives and of positives. Its memory is set by ``bins * n_labels`` and
does not grow with the data, and two states over different samples add up to
the state of all of them, which is what streaming, training loops and
distributed evaluation need. ROC-AUC and average precision are formulas on
these counts, each returned with a bound on its distance from the exact value
(:func:`labelwise.ranking.auc_ap`) that is computed from the counts alone.

Scores in one bin are treated as tied, exactly as the exact path treats equal
scores: for ROC-AUC a tied positive/negative pair counts 1/2, and average
precision takes each bin, highest first, as one threshold (scikit-learn's
step-wise average precision with tied scores grouped). On scores that are
already tied at bin resolution the binned values therefore equal the exact
ones.
"""

from __future__ import annotations

import math
import numbers
import zlib
from typing import NamedTuple

import numpy as np
from . import _sparse as sp

from ._packing import pack_floats, unpack_floats
from .errors import InputError

__all__ = ["BinnedScores", "BinnedAucAp"]

_CHUNK_CELLS = 1 << 17  # scores binned per step: temporaries of about 1 MB each
_LABEL_CELLS = 1 << 20  # bins x labels reduced per step in auc_ap()
_FORMAT = "labelwise.BinnedScores/1"
_ASYMPTOTIC_FROM = 64.0  # harmonic differences use the series for psi from here on


class BinnedAucAp(NamedTuple):
    """ROC-AUC and average precision from binned counts, with error bounds.

    ``label_*`` are arrays with one value per label, ``micro_*`` floats over
    all labels pooled. Each ``*_bound`` bounds the distance between the binned
    value and the exact one: ``|exact - binned| <= bound``. ROC-AUC and its
    bound are NaN where a label has no positive or no negative weight; average
    precision is 0 with bound 0 where it has no positive weight.
    """

    label_auc: np.ndarray
    label_ap: np.ndarray
    micro_auc: float
    micro_ap: float
    label_auc_bound: np.ndarray
    label_ap_bound: np.ndarray
    micro_auc_bound: float
    micro_ap_bound: float


class BinnedScores:
    """(bins, n_labels, 2) weighted counts of negatives [..., 0] and positives [..., 1] per score bin.

    An additive state for ROC-AUC and average precision: :meth:`update` adds
    a batch of scores, ``a + b`` (or :meth:`merge`) adds two states, and
    :meth:`auc_ap` computes per-label and micro ROC-AUC and average precision
    from the counts, each with a bound on its error.

    Parameters
    ----------
    n_labels : int
        Number of label columns.
    bins : int, default 10_000
        Number of equal-width score bins.
    score_range : (float, float), default (0.0, 1.0)
        The edges ``lo`` and ``hi`` of the bins. Bin ``k`` holds the scores
        ``s`` with ``lo + k * width <= s < lo + (k + 1) * width`` (the score
        ``hi`` itself goes in the last bin). A score outside the range is an
        error: nothing is clipped.
    logits : bool, default False
        The scores are logits: the bins are equal-width on ``sigmoid(score)``
        over (0, 1), so every finite score fits. ``score_range`` is then not
        used, and reported as ``(0.0, 1.0)``.

    Attributes
    ----------
    counts : ndarray of float64, shape (bins, n_labels, 2)
        Weighted counts of negatives (``[..., 0]``) and positives (``[..., 1]``).
        Without sample weights (or with whole-number weights) they are
        integers, held exactly up to 2**53.
    integer_weights : bool
        Whether every sample weight seen so far was a whole number, as when
        no weights are given. The bound on average precision is tighter then.

    Notes
    -----
    Bin assignment is non-decreasing in the score, so equal scores share a bin
    and a higher bin holds only higher scores; only the order *within* a bin is
    lost. Write ``pos_b`` and ``neg_b`` for the weighted positives and
    negatives of one label in bin ``b``, ``P`` and ``N`` for their totals, and,
    for the bins above ``b``, ``T_b`` for their total weight and ``A_b`` for
    their positive weight. Then:

    * **ROC-AUC.** Pairs in different bins are ordered as in the exact
      computation; a pair within one bin counts 1/2 here and 0, 1/2 or 1
      there. Hence

      ``|AUC - AUC_exact| <= 0.5 * sum_b pos_b * neg_b / (P * N)``.

    * **Average precision.** A positive in bin ``b`` sees, in the exact
      computation, the precision ``(A_b + p) / (T_b + p + n)`` at its own
      score, with ``p`` and ``n`` the positive and negative weight in bin
      ``b`` scored at or above it (``p`` counts itself and the positives tied
      with it). This increases with ``p`` and decreases with ``n``, so bin
      ``b`` adds to the exact AP between

      ``U_b = pos_b * (A_b + pos_b) / (T_b + pos_b) / P`` (its positives
      first, all tied) and

      ``L_b = integral from 0 to pos_b of (A_b + q) / (c_b + q) dq / P``, with
      ``c_b = T_b + neg_b`` (its negatives first, its positives spread as
      thinly as weights allow), that is
      ``(pos_b - (c_b - A_b) * log(1 + pos_b / c_b)) / P``. With whole-number
      weights every positive weighs at least 1, and the integral becomes the
      sum over ``q = 1, ..., pos_b``.

      The binned AP lies between ``sum L_b`` and ``sum U_b`` too, so

      ``|AP - AP_exact| <= max(sum_b U_b - AP, AP - sum_b L_b)``.

      This is never larger than the share of positives whose bin also holds
      a negative or lies below one, and it is 0 (without weights) when no bin
      holds more than one sample. Note that a bin of positives only can
      still move AP when negatives score above it: tied positives all see the
      precision at the bottom of their group.

    Micro values and bounds use the same formulas on the counts pooled over
    labels. The bounds are worst cases, reached only when the order hidden in
    every bin goes the same way; the actual error is usually far smaller.

    States pickle, and :meth:`to_dict` gives JSON-safe data.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from labelwise.binned import BinnedScores
    >>> y = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 1], [0, 0]]))
    >>> s = np.array([[0.92, 0.21], [0.33, 0.84], [0.65, 0.47], [0.16, 0.55]])
    >>> first = BinnedScores(n_labels=2, bins=10).update(y[:2], s[:2])
    >>> second = BinnedScores(n_labels=2, bins=10).update(y[2:], s[2:])
    >>> r = (first + second).auc_ap()
    >>> r.label_auc.tolist(), np.round(r.label_ap, 4).tolist()
    ([1.0, 0.75], [1.0, 0.8333])
    >>> r.label_auc_bound.tolist(), r.label_ap_bound.tolist()
    ([0.0, 0.0], [0.0, 0.0])

    No bin holds two scores of one label, so these are the exact values and the
    bounds are 0. With two bins, label 0 keeps its order (its positives fill
    the upper bin), while each bin of label 1 holds a positive and a negative;
    the exact 0.75 and 0.8333 lie within the bounds:

    >>> r = BinnedScores(2, bins=2).update(y, s).auc_ap()
    >>> r.label_auc.tolist(), r.label_auc_bound.tolist()
    ([1.0, 0.5], [0.0, 0.25])
    >>> np.round(r.label_ap, 4).tolist(), np.round(r.label_ap_bound, 4).tolist()
    ([1.0, 0.5], [0.0, 0.3333])
    """

    def __init__(self, n_labels: int, bins: int = 10_000, score_range=(0.0, 1.0),
                 logits: bool = False):
        self._n_labels = _positive_int(n_labels, "n_labels")
        self._bins = _positive_int(bins, "bins")
        lo, hi = _check_range(score_range)
        self._logits = bool(logits)
        self._range = (0.0, 1.0) if self._logits else (lo, hi)
        self.counts = np.zeros((self._bins, self._n_labels, 2))
        self.integer_weights = True

    # -- settings --------------------------------------------------------------------

    @property
    def n_labels(self) -> int:
        return self._n_labels

    @property
    def bins(self) -> int:
        return self._bins

    @property
    def score_range(self) -> tuple:
        """``(lo, hi)``; ``(0.0, 1.0)``, the range of the sigmoid, when ``logits``."""
        return self._range

    @property
    def logits(self) -> bool:
        return self._logits

    @property
    def edges(self) -> np.ndarray:
        """The ``bins + 1`` bin edges (on the sigmoid scale when ``logits``)."""
        return np.linspace(*self._range, self._bins + 1)

    def __repr__(self) -> str:
        logits = ", logits=True" if self._logits else f", score_range={self._range}"
        return (f"BinnedScores(n_labels={self._n_labels}, bins={self._bins}{logits}, "
                f"weight={self.counts[:, 0, :].sum():g})")

    # -- counting --------------------------------------------------------------------

    def update(self, y_true_csr, scores: np.ndarray, sample_weight=None,
               unknown=None) -> "BinnedScores":
        """Add a batch of samples to the counts, in place.

        Parameters
        ----------
        y_true_csr : scipy.sparse CSR matrix of shape (n_samples, n_labels)
            The true labels: the stored entries, each equal to 1.
        scores : ndarray of shape (n_samples, n_labels)
            Scores, float32 or float64, inside ``score_range`` (any finite
            value with ``logits=True``).
        sample_weight : ndarray of shape (n_samples,), optional
            Non-negative weights.
        unknown : boolean ndarray or CSR matrix of shape (n_samples, n_labels), optional
            Unknown truth entries: left out of the counts (their scores are still
            checked against the range).

        Returns
        -------
        BinnedScores
            ``self``, so that ``BinnedScores(L).update(y, s).auc_ap()`` works.

        Raises
        ------
        labelwise.InputError
            On shapes that do not match, non-finite scores or weights, negative
            weights, or scores outside ``score_range``. The counts are left as
            they were.

        Examples
        --------
        >>> import numpy as np, scipy.sparse as sp
        >>> state = BinnedScores(1, bins=4)
        >>> _ = state.update(sp.csr_matrix([[1], [0]]), np.array([[0.9], [0.1]]))
        >>> state.counts[:, 0].tolist()
        [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 1.0]]
        """
        scores = self._check_scores(scores)
        n, L = scores.shape
        y = _check_truth(y_true_csr, scores.shape)
        w = _check_weight(sample_weight, n)
        if n == 0:
            return self
        if unknown is not None:
            unknown = sp.csr_matrix(unknown, dtype=np.bool_)
            if unknown.shape != scores.shape:
                raise InputError(f"unknown has shape {unknown.shape} but the scores have "
                                 f"shape {scores.shape}: one entry per score.")
        self._check_values(scores)
        if w is not None and self.integer_weights:
            self.integer_weights = bool(np.all(w == np.floor(w)))
        flat = self.counts.reshape(-1)
        lo, hi = self._range
        scale = self._bins / (hi - lo)
        offsets = 2 * np.arange(L, dtype=np.int64)
        step = max(1, _CHUNK_CELLS // L)
        for r0 in range(0, n, step):
            r1 = min(n, r0 + step)
            x = scores[r0:r1].astype(np.float64)
            if self._logits:
                x = _sigmoid(x)
                x *= self._bins
            else:
                x -= lo
                x *= scale
            key = x.astype(np.int64)  # x >= 0, so this is the floor
            np.minimum(key, self._bins - 1, out=key)
            key *= 2 * L
            key += offsets
            a, b = y.indptr[r0], y.indptr[r1]
            rows = np.repeat(np.arange(r1 - r0), np.diff(y.indptr[r0:r1 + 1]))
            key.reshape(-1)[rows * L + y.indices[a:b]] += 1
            if unknown is not None and unknown[r0:r1].nnz:
                part = unknown[r0:r1]
                cell = np.ones((r1 - r0) * L) if w is None else np.repeat(w[r0:r1], L)
                u_rows = np.repeat(np.arange(r1 - r0), np.diff(part.indptr))
                cell[u_rows * L + part.indices] = 0.0
                np.add.at(flat, key.reshape(-1), cell)
            elif w is None:
                np.add.at(flat, key.reshape(-1), 1.0)
            else:
                np.add.at(flat, key.reshape(-1), np.repeat(w[r0:r1], L))
        return self

    def _check_scores(self, scores) -> np.ndarray:
        if sp.issparse(scores):
            raise InputError("scores must be a dense (n_samples, n_labels) array, got a "
                             "sparse matrix: binned ROC-AUC and AP need a score for every "
                             "label (use scores.toarray()).")
        s = np.asarray(scores)
        if s.dtype.kind in "biu":
            s = s.astype(np.float64)
        elif s.dtype.kind != "f":
            raise InputError(f"scores must be numbers, got an array of dtype {s.dtype}.")
        if s.ndim != 2:
            raise InputError(f"scores must be a 2-D (n_samples, n_labels) array, got "
                             f"{s.ndim} dimension(s) with shape {s.shape}.")
        if s.shape[1] != self._n_labels:
            raise InputError(f"scores have {s.shape[1]} columns but this BinnedScores counts "
                             f"{self._n_labels} labels: one column per label, in the same "
                             "order.")
        return s.astype(np.float32) if s.dtype == np.float16 else s

    def _check_values(self, s: np.ndarray) -> None:
        low, high = float(s.min()), float(s.max())
        if not (math.isfinite(low) and math.isfinite(high)):
            bad = int(s.size - np.count_nonzero(np.isfinite(s)))
            raise InputError(f"scores hold {bad:,} non-finite value(s) (NaN or infinite) "
                             f"among {s.size:,}: binned ROC-AUC and AP need finite scores; "
                             "replace or drop them before update().")
        if self._logits:
            return
        lo, hi = self._range
        if low < lo or high > hi:
            outside = int(np.count_nonzero((s < np.float64(lo)) | (s > np.float64(hi))))
            wide_lo, wide_hi = min(lo, math.floor(low)), max(hi, math.ceil(high))
            raise InputError(
                f"scores range from {low:.6g} to {high:.6g}, but the bins cover "
                f"score_range=({lo:g}, {hi:g}): {outside:,} of {s.size:,} scores fall "
                f"outside. Pass score_range=({wide_lo:g}, {wide_hi:g}) (or wider) to "
                "BinnedScores, or logits=True if the scores are logits; a state's range is "
                "fixed, so start a new one."
            )

    # -- merging ---------------------------------------------------------------------

    def _compatible(self, other) -> None:
        if not isinstance(other, BinnedScores):
            raise InputError(f"can only merge a BinnedScores, got {type(other).__name__}.")
        diffs = [f"{name} {theirs!r} vs {ours!r}" for name, ours, theirs in (
            ("n_labels", self._n_labels, other._n_labels),
            ("bins", self._bins, other._bins),
            ("score_range", self._range, other._range),
            ("logits", self._logits, other._logits),
        ) if ours != theirs]
        if diffs:
            raise InputError("cannot merge BinnedScores with different settings ("
                             + "; ".join(diffs) + "): states add up only over the same "
                             "labels and the same bins.")

    def merge(self, other: "BinnedScores") -> "BinnedScores":
        """Add the counts of ``other`` to these, in place; returns ``self``.

        Raises :class:`labelwise.InputError` naming the difference when the
        two differ in ``n_labels``, ``bins``, ``score_range`` or ``logits``.
        """
        self._compatible(other)
        self.counts += other.counts
        self.integer_weights = self.integer_weights and other.integer_weights
        return self

    def __add__(self, other: "BinnedScores") -> "BinnedScores":
        if not isinstance(other, BinnedScores):
            return NotImplemented
        return self.copy().merge(other)

    def __radd__(self, other):
        if isinstance(other, int) and other == 0:  # lets sum() work
            return self.copy()
        return NotImplemented

    def copy(self) -> "BinnedScores":
        """An independent copy of the state."""
        new = BinnedScores.__new__(BinnedScores)
        new.__dict__.update(self.__dict__)
        new.counts = self.counts.copy()
        return new

    # -- metrics ---------------------------------------------------------------------

    def auc_ap(self) -> BinnedAucAp:
        """Per-label and micro ROC-AUC and average precision, with error bounds.

        Returns
        -------
        BinnedAucAp
            Values and bounds; see the class notes for how the bounds follow
            from the counts.
        """
        L = self._n_labels
        auc, ap, auc_bound, ap_bound = (np.empty(L) for _ in range(4))
        step = max(1, _LABEL_CELLS // self._bins)
        for j0 in range(0, L, step):
            j1 = min(L, j0 + step)
            neg = np.ascontiguousarray(self.counts[:, j0:j1, 0])
            pos = np.ascontiguousarray(self.counts[:, j0:j1, 1])
            found = _from_bins(neg, pos, self.integer_weights)
            auc[j0:j1], ap[j0:j1], auc_bound[j0:j1], ap_bound[j0:j1] = found
        pooled = self.counts.sum(axis=1)
        micro = _from_bins(pooled[:, :1], pooled[:, 1:], self.integer_weights)
        m_auc, m_ap, m_auc_bound, m_ap_bound = (float(v[0]) for v in micro)
        return BinnedAucAp(auc, ap, m_auc, m_ap, auc_bound, ap_bound, m_auc_bound, m_ap_bound)

    # -- serialisation ---------------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain JSON-safe data; :meth:`from_dict` restores the state exactly.

        The counts travel as base64 of their zlib-compressed little-endian
        float64 bytes.

        >>> import json
        >>> import numpy as np, scipy.sparse as sp
        >>> state = BinnedScores(2, bins=8).update(sp.csr_matrix([[1, 0]]), np.array([[0.7, 0.2]]))
        >>> back = BinnedScores.from_dict(json.loads(json.dumps(state.to_dict())))
        >>> np.array_equal(back.counts, state.counts), back.bins, back.score_range
        (True, 8, (0.0, 1.0))
        """
        return {
            "format": _FORMAT,
            "n_labels": self._n_labels,
            "bins": self._bins,
            "score_range": list(self._range),
            "logits": self._logits,
            "integer_weights": self.integer_weights,
            "counts": pack_floats(self.counts),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "BinnedScores":
        """A state from :meth:`to_dict` data."""
        if not isinstance(d, dict) or d.get("format") != _FORMAT:
            raise InputError(f"not the data of BinnedScores.to_dict() (no 'format': "
                             f"'{_FORMAT}').")
        try:
            new = cls(d["n_labels"], d["bins"], tuple(d["score_range"]), logits=d["logits"])
            counts = unpack_floats(d["counts"])
            new.counts = counts.reshape(new.counts.shape)
            new.integer_weights = bool(d["integer_weights"])
        except (KeyError, TypeError, ValueError, zlib.error) as err:
            raise InputError(f"not the data of BinnedScores.to_dict() ({err}).") from None
        return new


# ------------------------------------------------------------------------------------
# Formulas on the counts
# ------------------------------------------------------------------------------------


def _from_bins(neg: np.ndarray, pos: np.ndarray, integer: bool):
    """ROC-AUC, AP and their bounds for each column of ``(bins, k)`` counts, bins ascending.

    Only bins holding positives add to any of the sums, so after three running
    sums over all bins the work is on those bins alone.
    """
    k = pos.shape[1]
    P = pos.sum(axis=0)
    N = neg.sum(axis=0)
    neg_le = np.cumsum(neg, axis=0)  # negatives in this bin and below
    neg_ge = np.cumsum(neg[::-1], axis=0)[::-1]  # negatives in this bin and above
    pos_ge = np.cumsum(pos[::-1], axis=0)[::-1]  # positives in this bin and above
    b, j = np.nonzero(pos > 0)
    p, q = pos[b, j], neg[b, j]
    n_ge, gain = neg_ge[b, j], pos_ge[b, j]
    all_ge = gain + n_ge  # everything in this bin and above

    def per_column(values):
        return np.bincount(j, weights=values, minlength=k)

    PN = P * N
    has_auc = PN > 0
    den = np.where(has_auc, PN, 1.0)
    auc_num = per_column(p * (neg_le[b, j] - 0.5 * q))
    auc = np.where(has_auc, auc_num / den, np.nan)
    auc_bound = np.where(has_auc, 0.5 * per_column(p * q) / den, np.nan)

    ap_sum = per_column(p * gain / all_ge)
    upper = per_column(p * gain / (all_ge - q))  # the bin's positives above its negatives
    c = all_ge - p  # the bin's negatives and everything above it
    if integer:
        lower = per_column(p - n_ge * _harmonic_difference(c, p))
    else:
        ratio = np.divide(p, c, out=np.zeros_like(p), where=c > 0)
        lower = per_column(p - n_ge * np.log1p(ratio))
    has_ap = P > 0
    Pd = np.where(has_ap, P, 1.0)
    ap = np.where(has_ap, ap_sum / Pd, 0.0)
    ap_bound = np.where(has_ap, np.maximum(upper - ap_sum, ap_sum - lower) / Pd, 0.0)
    return auc, ap, auc_bound, np.maximum(ap_bound, 0.0)


def _harmonic_difference(c: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``sum_{j=1..m} 1 / (c + j)`` = ``psi(c + m + 1) - psi(c + 1)`` for whole ``m >= 0``.

    For ``c + 1 >= 64`` the difference of the asymptotic series of psi, term by
    term, avoids cancelling two large values of nearly the same size.
    """
    x = c + 1.0
    y = x + m
    small = x < _ASYMPTOTIC_FROM
    out = np.empty(np.broadcast(c, m).shape)
    if small.any():
        from scipy.special import digamma

        out[small] = digamma(y[small]) - digamma(x[small])
    big = ~small
    if big.any():
        xb, yb, mb = x[big], y[big], m[big]
        ix, iy = 1.0 / xb, 1.0 / yb
        ix2, iy2 = ix * ix, iy * iy
        out[big] = (np.log1p(mb / xb) - 0.5 * (iy - ix) - (iy2 - ix2) / 12.0
                    + (iy2 * iy2 - ix2 * ix2) / 120.0
                    - (iy2 * iy2 * iy2 - ix2 * ix2 * ix2) / 252.0)
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` without overflow: ``exp`` only ever sees ``-|x|``."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


# ------------------------------------------------------------------------------------
# Argument checks
# ------------------------------------------------------------------------------------


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InputError(f"{name} must be a positive whole number, got {value!r}.")
    return int(value)


def _check_range(score_range) -> tuple:
    try:
        lo, hi = (float(v) for v in score_range)
    except (TypeError, ValueError):
        raise InputError(f"score_range must be two numbers (lo, hi), got {score_range!r}.") \
            from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InputError(f"score_range must be finite with lo < hi, got ({lo:g}, {hi:g}).")
    return lo, hi


def _check_truth(y, shape: tuple):
    if sp.issparse(y):
        y = y.tocsr()
    else:
        arr = np.asarray(y)
        if arr.ndim != 2 or not np.isin(arr, (0, 1)).all():
            raise InputError("y_true must be a scipy.sparse CSR matrix (or a 2-D array of "
                             f"0 and 1) of shape {shape}, got {type(y).__name__} with shape "
                             f"{arr.shape}.")
        y = sp.csr_matrix(arr.astype(bool))
    if y.shape != shape:
        raise InputError(f"y_true has shape {y.shape} but scores have shape {shape}: both "
                         "need one row per sample and one column per label, in the same "
                         "order.")
    if y.data.size and not np.all(y.data == 1):
        raise InputError("y_true stores values other than 1: true labels are the stored "
                         "entries, each 1 (use (y_true != 0).astype(int) or "
                         "y_true.eliminate_zeros()).")
    return y


def _check_weight(sample_weight, n: int):
    if sample_weight is None:
        return None
    try:
        w = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("sample_weight must be numbers, one per sample.") from None
    if w.shape != (n,):
        raise InputError(f"sample_weight has shape {w.shape} but there are {n} samples: "
                         "give one weight per row of the scores.")
    if not np.isfinite(w).all() or (w < 0).any():
        bad = int(np.count_nonzero(~np.isfinite(w) | (w < 0)))
        raise InputError(f"sample_weight must be finite and >= 0; {bad} of {n} weights are "
                         "not.")
    return w
