"""ROC-AUC and average precision under many weight vectors at once.

Bootstrap replicates reweight the samples; the order of the scores does not
change. So each label's scores are sorted once (:func:`sorted_cells`, or
:func:`pooled_cells` for the micro average over all cells), and one descending
pass over that order then serves a whole block of replicates: every running
sum is an array with one entry per replicate, and the inner loops run over
replicates, contiguous in the sample-major weight matrix ``W`` of shape
``(n, R)``.

Tied scores form one group, as scikit-learn groups them. With ``pos_g`` and
``neg_g`` the positive and negative weight of group ``g``, ``P`` and ``N``
their totals, and groups taken from the highest score down:

``AUC = sum_g neg_g * (pos above g + pos_g / 2) / (P * N)``, NaN unless
``P > 0`` and ``N > 0``;

``AP = sum_{g: pos_g > 0} pos_g * (pos in g and above) / (all in g and above) / P``,
0.0 when ``P == 0``.

Each replicate's sums are accumulated in one fixed order, whatever the number
of threads, so the results do not depend on it. Weights are non-negative. No
validation here beyond shapes; scores hold no NaN.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np
from numba import prange

from ._jit import njit
from ._prefetch import prefetch as _prefetch
from ._parallel import in_threads

__all__ = ["LabelOrder", "sorted_cells", "label_auc_ap", "pooled_cells", "pooled_auc_ap"]

_TINY = 5e-324  # the smallest positive double: any positive sum of weights is at least this


class LabelOrder(NamedTuple):
    """Cells in descending score order, one row per ordering.

    Attributes
    ----------
    rows : numpy.ndarray of int32 or int64, shape (k, m)
        Sample index of each cell, highest score first (ties in input order).
    truth : numpy.ndarray of bool, shape (k, m)
        Whether each cell is a positive.
    new_group : numpy.ndarray of bool, shape (k, m)
        Whether each cell's score differs from the previous cell's, so that it
        starts a new group of tied scores (always True for the first cell).
    """

    rows: np.ndarray
    truth: np.ndarray
    new_group: np.ndarray


# --------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------

_AHEAD = 16  # cells ahead whose weight rows are requested early from memory


@njit(cache=True, nogil=True)
def _packed_keys(bits, positive):  # pragma: no cover
    """Keys whose ascending order is descending score, then cell: score, cell, truth bits.

    ``bits`` are float32 scores viewed as uint32, at most ``2**31`` of them.
    Equal scores (``-0.0`` and ``0.0`` too) get equal top halves.
    """
    m = bits.shape[0]
    keys = np.empty(m, dtype=np.uint64)
    sign = np.uint32(0x80000000)
    for c in range(m):
        u = bits[c]
        if u == sign:  # -0.0 ties with 0.0
            u = np.uint32(0)
        if u & sign:
            d = np.uint64(u)  # negative scores: larger magnitude ranks lower
        else:
            d = np.uint64(~u & np.uint32(0x7FFFFFFF))
        keys[c] = (d << np.uint64(32)) | (np.uint64(c) << np.uint64(1)) | np.uint64(positive[c])
    return keys


@njit(cache=True, nogil=True)
def _unpack(keys, per_sample, rows, truth, new_group):  # pragma: no cover
    """One ordering from sorted :func:`_packed_keys`; cell ``c`` is sample ``c // per_sample``."""
    low = np.uint64(0xFFFFFFFF)
    one = np.uint64(1)
    for p in range(keys.shape[0]):
        k = keys[p]
        rows[p] = np.int64((k & low) >> one) // per_sample
        truth[p] = (k & one) != 0
        new_group[p] = p == 0 or (k >> np.uint64(32)) != (keys[p - 1] >> np.uint64(32))


@njit(cache=True, nogil=True)
def _fill(key, order, positive, per_sample, rows, truth, new_group):  # pragma: no cover
    """Write one ordering from ``order``, an unstable ascending argsort of ``key``.

    Runs of equal keys are put back in index order, which makes the order
    stable. Cell ``c`` is positive when ``positive[c]``; its sample is
    ``c // per_sample``.
    """
    m = order.shape[0]
    a = 0
    while a < m:
        v = key[order[a]]
        b = a + 1
        while b < m and key[order[b]] == v:
            b += 1
        if b - a > 1:
            order[a:b].sort()
        for p in range(a, b):
            c = order[p]
            rows[p] = c // per_sample
            truth[p] = positive[c]
            new_group[p] = p == a
        a = b


@njit(cache=True, nogil=True)
def _one_pass(rows, truth, new_group, W, r0, r1, auc, ap):  # pragma: no cover
    """Replicates ``r0:r1`` of one ordering: fills ``auc[r0:r1]`` and ``ap[r0:r1]``."""
    m = rows.shape[0]
    R = r1 - r0
    if R <= 0:
        return
    cum_pos = np.zeros(R)
    cum_neg = np.zeros(R)
    auc_num = np.zeros(R)
    ap_num = np.zeros(R)
    pos_g = np.zeros(R)
    neg_g = np.zeros(R)
    a = 0
    while a < m:
        b = a + 1
        while b < m and not new_group[b]:
            b += 1
        for p in range(a + _AHEAD, min(b + _AHEAD, m)):
            k = rows[p]
            for q in range(r0, r1, 8):
                _prefetch(W, k, q)
            _prefetch(W, k, r1 - 1)
        if b == a + 1:  # an untied score: the group's sums are the sample's weights
            w = W[rows[a], r0:r1]
            if truth[a]:
                for r in range(R):
                    x = w[r]
                    c = cum_pos[r] + x
                    cum_pos[r] = c
                    ap_num[r] += x * c / max(c + cum_neg[r], _TINY)
            else:
                for r in range(R):
                    x = w[r]
                    auc_num[r] += x * cum_pos[r]
                    cum_neg[r] += x
        else:
            for r in range(R):
                pos_g[r] = 0.0
                neg_g[r] = 0.0
            for p in range(a, b):
                w = W[rows[p], r0:r1]
                if truth[p]:
                    for r in range(R):
                        pos_g[r] += w[r]
                else:
                    for r in range(R):
                        neg_g[r] += w[r]
            for r in range(R):
                pg = pos_g[r]
                ng = neg_g[r]
                auc_num[r] += ng * (cum_pos[r] + 0.5 * pg)
                c = cum_pos[r] + pg
                cum_pos[r] = c
                d = cum_neg[r] + ng
                cum_neg[r] = d
                ap_num[r] += pg * c / max(c + d, _TINY)
        a = b
    for r in range(R):
        P = cum_pos[r]
        N = cum_neg[r]
        auc[r0 + r] = auc_num[r] / (P * N) if P > 0 and N > 0 else np.nan
        ap[r0 + r] = ap_num[r] / P if P > 0 else 0.0


@njit(cache=True, nogil=True, parallel=True)
def _passes(rows, truth, new_group, W, bounds, auc, ap):  # pragma: no cover
    """Every ordering ``j`` times every replicate chunk ``bounds[c]:bounds[c + 1]``."""
    n_chunks = bounds.shape[0] - 1
    for t in prange(rows.shape[0] * n_chunks):
        j = t // n_chunks
        c = t - j * n_chunks
        _one_pass(rows[j], truth[j], new_group[j], W, bounds[c], bounds[c + 1], auc[j], ap[j])


# --------------------------------------------------------------------------
# Wrappers
# --------------------------------------------------------------------------


def _order(s, positive, per_sample, packed, rows, truth, new_group) -> None:
    """Fill one ordering of the cells ``s`` (1-D, contiguous), highest score first."""
    if packed:
        keys = _packed_keys(s.view(np.uint32), positive)
        keys.sort()  # keys are distinct: any sort gives the stable order
        _unpack(keys, per_sample, rows, truth, new_group)
    else:
        key = np.negative(s, dtype=np.float64)
        _fill(key, np.argsort(key), positive, per_sample, rows, truth, new_group)


def sorted_cells(y_true_csr, scores: np.ndarray) -> LabelOrder:
    """Each label's samples in descending score order, with their truth and tie groups.

    Parameters
    ----------
    y_true_csr : scipy.sparse.csr_matrix or csr_array, shape (n, L)
        0/1 truth; the stored entries are the positives.
    scores : numpy.ndarray of float32 or float64, shape (n, L)
        Dense scores, no NaN.

    Returns
    -------
    LabelOrder
        Arrays of shape ``(L, n)``; row ``j`` is label ``j``, highest score
        first, tied scores in sample order. ``rows`` is int32 when
        ``n < 2**31``, else int64.
    """
    n, L = scores.shape
    cols = y_true_csr.tocsc()
    rows = np.empty((L, n), dtype=np.int32 if n < 2**31 else np.int64)
    truth = np.empty((L, n), dtype=np.bool_)
    new_group = np.empty((L, n), dtype=np.bool_)
    packed = scores.dtype == np.float32 and n <= 2**31

    def run(lo, hi):
        block = np.ascontiguousarray(scores[:, lo:hi].T)
        positive = np.zeros(n, dtype=np.bool_)
        for j in range(lo, hi):
            true_rows = cols.indices[cols.indptr[j] : cols.indptr[j + 1]]
            positive[true_rows] = True
            _order(block[j - lo], positive, 1, packed, rows[j], truth[j], new_group[j])
            positive[true_rows] = False

    in_threads(run, L, n)
    return LabelOrder(rows, truth, new_group)


def pooled_cells(y_true_csr, scores: np.ndarray) -> LabelOrder:
    """All ``n * L`` cells in one descending score order, for the micro average.

    Parameters
    ----------
    y_true_csr : scipy.sparse.csr_matrix or csr_array, shape (n, L)
        0/1 truth with sorted indices; the stored entries are the positives.
    scores : numpy.ndarray of float32 or float64, shape (n, L)
        Dense scores, no NaN.

    Returns
    -------
    LabelOrder
        Arrays of shape ``(1, n * L)``, highest score first, tied cells in
        row-major order. ``rows`` holds each cell's sample index (``cell // L``),
        int32 when ``n * L < 2**31``, else int64.
    """
    n, L = scores.shape
    m = n * L
    positive = np.zeros(m, dtype=np.bool_)
    samples = np.repeat(np.arange(n, dtype=np.int64), np.diff(y_true_csr.indptr))
    positive[samples * L + y_true_csr.indices] = True
    del samples
    rows = np.empty((1, m), dtype=np.int32 if m < 2**31 else np.int64)
    truth = np.empty((1, m), dtype=np.bool_)
    new_group = np.empty((1, m), dtype=np.bool_)
    packed = scores.dtype == np.float32 and m <= 2**31
    s = np.ascontiguousarray(scores).reshape(m)
    _order(s, positive, max(L, 1), packed, rows[0], truth[0], new_group[0])
    return LabelOrder(rows, truth, new_group)


def _weights(order: LabelOrder, W) -> np.ndarray:
    W = np.ascontiguousarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"weights must have shape (n, R), got {W.shape}")
    n = W.shape[0]
    top = order.rows.max() if order.rows.size else -1
    if top >= n:
        raise ValueError(f"weights have {n} rows; the cells index samples up to {top}")
    return W


def _bounds(R: int, chunks: int) -> np.ndarray:
    chunks = max(1, min(R, chunks))
    return np.array([R * c // chunks for c in range(chunks + 1)], dtype=np.int64)


def label_auc_ap(order: LabelOrder, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-label ROC-AUC and average precision under each of ``R`` weight vectors.

    Parameters
    ----------
    order : LabelOrder
        From :func:`sorted_cells`.
    W : numpy.ndarray of float64, shape (n, R)
        Non-negative weights, sample-major: ``W[i, r]`` is the weight of sample
        ``i`` in replicate ``r``. Passed through untouched when C-contiguous
        float64.

    Returns
    -------
    auc, ap : numpy.ndarray of float64, shape (R, L)
        ``auc`` is NaN where a replicate gives a label no positive or no
        negative weight; ``ap`` is 0.0 where it gives no positive weight.
    """
    W = _weights(order, W)
    L = order.rows.shape[0]
    R = W.shape[1]
    auc = np.empty((L, R))
    ap = np.empty((L, R))
    threads = numba.get_num_threads()
    chunks = 1 if L >= threads else -(-threads // max(L, 1))
    _passes(order.rows, order.truth, order.new_group, W, _bounds(R, chunks), auc, ap)
    return np.ascontiguousarray(auc.T), np.ascontiguousarray(ap.T)


def pooled_auc_ap(order: LabelOrder, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Micro-averaged ROC-AUC and average precision under each of ``R`` weight vectors.

    Every cell of sample ``i`` weighs ``W[i, r]`` in replicate ``r``. The
    replicates are split into chunks that run in parallel, one sequential pass
    over the cells each.

    Parameters
    ----------
    order : LabelOrder
        From :func:`pooled_cells`.
    W : numpy.ndarray of float64, shape (n, R)
        Non-negative weights, sample-major, as for :func:`label_auc_ap`.

    Returns
    -------
    auc, ap : numpy.ndarray of float64, shape (R,)
        NaN AUC where a replicate has no positive or no negative weight; 0.0 AP
        where it has no positive weight.
    """
    W = _weights(order, W)
    R = W.shape[1]
    auc = np.empty((1, R))
    ap = np.empty((1, R))
    bounds = _bounds(R, numba.get_num_threads())
    _passes(order.rows, order.truth, order.new_group, W, bounds, auc, ap)
    return auc[0], ap[0]
