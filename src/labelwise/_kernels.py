"""Hot loops: one pass over truth and predictions that returns counts.

No validation and no defaults here; inputs are canonical (see ``_validate``):
dense C-contiguous ``uint8`` views of 0/1 matrices, or the index arrays of
CSR matrices with sorted, unique indices.

Each kernel returns per-label ``tp, fp, fn, tn`` and, per row, the number of
true labels, predicted labels and their intersection.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, parallel=True)
def dense_counts(t, p):  # pragma: no cover - compiled
    """Unweighted counts of two (n, L) uint8 0/1 matrices."""
    n, L = t.shape
    n_blocks = min(n, 64)
    acc = np.zeros((n_blocks, 3, L), dtype=np.int64)
    row_true = np.empty(n, dtype=np.int32)
    row_pred = np.empty(n, dtype=np.int32)
    row_both = np.empty(n, dtype=np.int32)
    for b in prange(n_blocks):
        lo = b * n // n_blocks
        hi = (b + 1) * n // n_blocks
        tp = acc[b, 0]
        ts = acc[b, 1]
        ps = acc[b, 2]
        for i in range(lo, hi):
            nt = 0
            np_ = 0
            nb = 0
            for j in range(L):
                a = t[i, j]
                c = p[i, j]
                x = a & c
                tp[j] += x
                ts[j] += a
                ps[j] += c
                nt += a
                np_ += c
                nb += x
            row_true[i] = nt
            row_pred[i] = np_
            row_both[i] = nb
    tot = acc.sum(axis=0)
    tp = tot[0]
    fp = tot[2] - tp
    fn = tot[1] - tp
    tn = n - tp - fp - fn
    return tp, fp, fn, tn, row_true, row_pred, row_both


@njit(cache=True, nogil=True)
def dense_counts_weighted(t, p, w):  # pragma: no cover - compiled
    """Counts of two (n, L) uint8 0/1 matrices, each row weighted by ``w[i]``."""
    n, L = t.shape
    tp = np.zeros(L)
    fp = np.zeros(L)
    fn = np.zeros(L)
    tn = np.zeros(L)
    row_true = np.empty(n, dtype=np.int32)
    row_pred = np.empty(n, dtype=np.int32)
    row_both = np.empty(n, dtype=np.int32)
    for i in range(n):
        wi = w[i]
        nt = 0
        np_ = 0
        nb = 0
        for j in range(L):
            a = t[i, j]
            c = p[i, j]
            x = a & c
            tp[j] += wi * x
            fp[j] += wi * (c - x)
            fn[j] += wi * (a - x)
            tn[j] += wi * (1 - a - c + x)
            nt += a
            np_ += c
            nb += x
        row_true[i] = nt
        row_pred[i] = np_
        row_both[i] = nb
    return tp, fp, fn, tn, row_true, row_pred, row_both


@njit(cache=True, nogil=True)
def csr_counts(n_labels, t_indptr, t_indices, p_indptr, p_indices, w):  # pragma: no cover
    """Weighted counts of two CSR patterns with sorted unique indices (merge per row)."""
    n = t_indptr.shape[0] - 1
    tp = np.zeros(n_labels)
    fp = np.zeros(n_labels)
    fn = np.zeros(n_labels)
    union = np.zeros(n_labels)
    row_true = np.empty(n, dtype=np.int32)
    row_pred = np.empty(n, dtype=np.int32)
    row_both = np.empty(n, dtype=np.int32)
    total = 0.0
    for i in range(n):
        wi = w[i]
        total += wi
        a, a_end = t_indptr[i], t_indptr[i + 1]
        c, c_end = p_indptr[i], p_indptr[i + 1]
        row_true[i] = a_end - a
        row_pred[i] = c_end - c
        nb = 0
        while a < a_end and c < c_end:
            ja = t_indices[a]
            jc = p_indices[c]
            if ja == jc:
                tp[ja] += wi
                union[ja] += wi
                nb += 1
                a += 1
                c += 1
            elif ja < jc:
                fn[ja] += wi
                union[ja] += wi
                a += 1
            else:
                fp[jc] += wi
                union[jc] += wi
                c += 1
        while a < a_end:
            fn[t_indices[a]] += wi
            union[t_indices[a]] += wi
            a += 1
        while c < c_end:
            fp[p_indices[c]] += wi
            union[p_indices[c]] += wi
            c += 1
        row_both[i] = nb
    tn = total - union
    return tp, fp, fn, tn, row_true, row_pred, row_both
