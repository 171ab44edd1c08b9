"""Adaptive ECE (equal-mass bins, Nixon et al. 2019) from every kept score, in three
passes over the rows and no sort of a whole column.

Each label's bin edges are percentiles of its scores, as
``np.percentile(scores, np.linspace(0, 1, n_bins + 1) * 100)`` gives them (linear
interpolation between order statistics). Only ``2 * (n_bins + 1)`` order
statistics per label are needed: a first pass counts the scores in 4,096 (or
fewer) equal-width cells of [0, 1], which tells the cell of every wanted rank; a
second pass gathers the scores of those few cells, which are sorted to read the
ranks off; a third pass bins every score between the edges and sums weight,
scores and truths per bin. The result equals
``labelwise.metrics.ece(..., strategy="quantile")``, which sorts.
"""

from __future__ import annotations

import numpy as np
from . import _sparse as sp

from ._calibration_kernels import cell_counts, gather_cells, quantile_bin_sums
from ._budget import NUMPY_CELLS
from ._parallel import in_threads
from .calibration_bins import ece_from_bins

__all__ = ["adaptive_ece", "percentile_edges", "KeyQuantiles"]

_CHUNK_ROWS = 16_384
_CELL_LIMIT = 1 << 17  # cells (labels x cells per label): counts and table stay in cache


def _chunks(n: int, whole: bool):
    step = n if whole else _CHUNK_ROWS
    for lo in range(0, n, max(step, 1)):
        yield lo, min(n, lo + step)


def percentile_edges(order_stats, n: np.ndarray, n_bins: int) -> np.ndarray:
    """``(n_labels, n_bins + 1)`` edges of the labels' ``n`` scores, interpolated
    between order statistics as :func:`numpy.percentile` does; ``order_stats(rank)``
    gives the scores of ranks ``rank`` (L, n_bins + 1), 0 the lowest."""
    q = np.true_divide(np.linspace(0, 1, n_bins + 1) * 100, 100)
    virtual = (n[:, None] - 1) * q[None, :]
    below = np.floor(virtual)
    prev = np.clip(below, 0, n[:, None] - 1).astype(np.int64)
    nxt = np.clip(prev + 1, 0, n[:, None] - 1)
    top = virtual >= n[:, None] - 1
    prev = np.where(top, n[:, None] - 1, prev)
    nxt = np.where(top, n[:, None] - 1, nxt)
    gamma = virtual - below
    a, b = order_stats(prev), order_stats(nxt)
    diff = b - a
    out = a + diff * gamma
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), out)


def adaptive_ece(y_true: sp.csr_matrix, scores: np.ndarray, sample_weight=None,
                 n_bins: int = 15, *, logits: bool = False, decode=None) -> float:
    """Macro adaptive ECE of dense ``scores`` (n, L) against CSR ``y_true``.

    ``logits`` applies the sigmoid first; ``decode`` turns a block of kept scores
    into their values (float32 codes of short decimals). Scores of ``-inf`` (unknown
    truth entries) are left out, and each label's edges are its known scores'
    percentiles.

    >>> import numpy as np, scipy.sparse as sp
    >>> from labelwise.metrics import ece
    >>> rng = np.random.default_rng(0)
    >>> s = rng.random((200, 3))
    >>> y = (rng.random((200, 3)) < s).astype(int)
    >>> bool(np.isclose(adaptive_ece(sp.csr_matrix(y), s, n_bins=5),
    ...                 ece(y, s, n_bins=5, strategy="quantile"), rtol=0, atol=1e-12))
    True
    """
    n, L = scores.shape
    cells = int(max(16, min(1024, _CELL_LIMIT // max(L, 1))))

    def block(lo, hi):
        p = scores[lo:hi] if decode is None else decode(scores[lo:hi])
        if logits:  # in float64, and -inf (an unknown entry) stays out
            from scipy.special import expit

            unknown = np.isneginf(p)
            p = expit(np.asarray(p, dtype=np.float64))
            p[unknown] = -np.inf
        return np.ascontiguousarray(p)

    if n * L < NUMPY_CELLS:  # numpy's sorts: nothing to compile
        return _sorted_ece(y_true, np.asarray(block(0, n), dtype=np.float64), sample_weight,
                           n_bins)
    whole = decode is None and not logits  # else values are made a block at a time

    def counted(p):
        def run(a, b):
            out = np.zeros((L, cells), dtype=np.int32)  # small: stays in cache
            cell_counts(p[a:b], cells, out)
            return out.astype(np.int64)
        return sum(in_threads(run, p.shape[0], L))

    counts = sum(counted(block(lo, hi)) for lo, hi in _chunks(n, whole))
    total = counts.sum(axis=1)
    if not total.any():  # no known score: no label has an ECE
        return float("nan")
    cum = np.cumsum(counts, axis=1)
    q = np.true_divide(np.linspace(0, 1, n_bins + 1) * 100, 100)
    virtual = (total[:, None] - 1) * q[None, :]
    prev = np.clip(np.floor(virtual), 0, total[:, None] - 1).astype(np.int64)
    ranks = np.concatenate([prev, np.minimum(prev + 1, total[:, None] - 1)], axis=1)
    # each wanted rank's cell, and its place among that cell's scores
    cell = np.stack([np.searchsorted(cum[j], ranks[j], side="right") for j in range(L)])
    slot = -np.ones((L, cells), dtype=np.int64)
    wanted = np.unique(np.stack([np.repeat(np.arange(L), cell.shape[1]), cell.ravel()], 1),
                       axis=0)
    slot[wanted[:, 0], wanted[:, 1]] = np.arange(wanted.shape[0])
    sizes = counts[wanted[:, 0], wanted[:, 1]]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    buffer = np.empty(int(offsets[-1]))
    fill = offsets[:-1].copy()
    for lo, hi in _chunks(n, whole):
        gather_cells(block(lo, hi), cells, slot, buffer, fill)
    for k in range(wanted.shape[0]):
        buffer[offsets[k]:offsets[k + 1]].sort()

    def order_stats(rank):
        c = np.stack([np.searchsorted(cum[j], rank[j], side="right") for j in range(L)])
        first = np.where(c > 0, np.take_along_axis(cum, np.maximum(c - 1, 0), 1), 0)
        return buffer[offsets[slot[np.arange(L)[:, None], c]] + (rank - first)]

    edges = percentile_edges(order_stats, total, n_bins)
    inner = np.ascontiguousarray(edges[:, 1:-1])
    table = _cell_table(inner, cells)
    w = np.ones(0) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    ip, ix = y_true.indptr, y_true.indices

    def summed(p, lo):
        def run(a, b):
            out = np.zeros(L * n_bins * 3)
            r0, r1 = lo + a, lo + b
            quantile_bin_sums(p[a:b], ip[r0:r1 + 1] - ip[r0], ix[ip[r0]:ip[r1]],
                              w[r0:r1] if w.size else w, inner, cells, table, out)
            return out
        return sum(in_threads(run, p.shape[0], L))

    bins = sum(summed(block(lo, hi), lo) for lo, hi in _chunks(n, whole))
    per_label = ece_from_bins(bins.reshape(L, n_bins, 3).transpose(1, 0, 2))
    live = total > 0  # a label with no known score has no ECE
    return float(np.mean(per_label[live])) if live.any() else float("nan")


def _sorted_ece(y_true, p: np.ndarray, sample_weight, n_bins: int) -> float:
    """:func:`adaptive_ece` of float64 probabilities ``p`` (-inf: unknown) by sorting
    each label's scores, for small inputs."""
    n, L = p.shape
    total = (p >= 0.0).sum(axis=0)  # each label's known scores
    ordered = np.sort(p, axis=0).T  # unknown ones (-inf) first
    first = n - total

    def order_stats(rank):
        return np.take_along_axis(ordered, np.clip(first[:, None] + rank, 0, n - 1), 1)

    with np.errstate(invalid="ignore"):  # labels without a known score: NaN edges
        inner = percentile_edges(order_stats, total, n_bins)[:, 1:-1]  # (L, n_bins - 1)
    b = np.zeros((n, L), dtype=np.int64)
    for e in inner.T:  # a score's bin: the number of edges below it
        b += p > e
    known = p >= 0.0
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    w = np.broadcast_to(w[:, None], (n, L))[known]
    y = y_true.toarray().astype(np.float64)
    slot = (np.broadcast_to(np.arange(L), (n, L))[known] * n_bins + b[known]) * 3
    size = L * n_bins * 3
    bins = (np.bincount(slot, weights=w, minlength=size)
            + np.bincount(slot + 1, weights=w * p[known], minlength=size)
            + np.bincount(slot + 2, weights=w * y[known], minlength=size))
    per_label = ece_from_bins(bins.reshape(L, n_bins, 3).transpose(1, 0, 2))
    live = total > 0  # a label with no known score has no ECE
    return float(np.mean(per_label[live])) if live.any() else float("nan")


def _cell_table(inner: np.ndarray, cells: int) -> np.ndarray:
    """Per label and cell, the bin of every score of the cell, or -1 where an edge lies
    in the cell or next to it (those scores are searched)."""
    L, E = inner.shape
    edge_cell = np.clip((inner * cells).astype(np.int64), 0, cells - 1)  # (L, E)
    table = np.empty((L, cells), dtype=np.int8 if E < 127 else np.int64)
    c = np.arange(cells)
    for j in range(L):
        table[j] = np.searchsorted(edge_cell[j], c, side="left")  # edges in cells below c
        near = np.unique(np.clip(np.concatenate([edge_cell[j] - 1, edge_cell[j],
                                                 edge_cell[j] + 1]), 0, cells - 1))
        table[j, near] = -1
    return table


class KeyQuantiles:
    """Asks the pooled sort of exact ROC-AUC (:func:`labelwise.ranking.auc_ap`) for
    each label's equal-mass bin sums, read off its sorted keys, so that the adaptive
    ECE needs no sort of its own.

    Parameters
    ----------
    n_bins : int
        Equal-mass bins per label.
    places : int, optional
        The scores are float32 codes of decimals of this many places (decoded as
        ``rint(code * 10**places) / 10**places``).
    unknown : array-like of int, optional
        Each label's number of unknown entries, whose scores are ``-inf``
        (:func:`labelwise.unknown_entries.sentinel_scores`): they are left out of
        its bins, and a label with no other entry out of the mean.

    Attributes
    ----------
    bins : ndarray of shape (n_labels, n_bins, 3) or None
        Count, sum of scores and sum of truths per label and bin, once the pooled
        sort has run; None while it has not (weighted scores sort apart).
    """

    def __init__(self, n_bins: int, places: int | None = None, unknown=None) -> None:
        self.n_bins = int(n_bins)
        self.scale = 0.0 if places is None else 10.0 ** places
        self.unknown = None if unknown is None else np.asarray(unknown, dtype=np.int64)
        self.bins = None

    def ece(self) -> float | None:
        """The macro adaptive ECE of the bins; None before the sort ran. Equals
        :func:`adaptive_ece` on the same scores (up to the order of the sums)."""
        if self.bins is None:
            return None
        live = self.bins[:, :, 0].sum(axis=1) > 0  # a label with no known score has no ECE
        if not live.any():
            return float("nan")
        return float(np.mean(ece_from_bins(self.bins[live].transpose(1, 0, 2))))
