"""Hot loops: one pass over truth and predictions that returns counts.

No validation and no defaults here; inputs are canonical (see ``_validate``):
dense C-contiguous ``uint8`` views of 0/1 matrices, or the index arrays of
CSR matrices with sorted, unique indices.

:func:`csr_counts` returns per-label ``tp, fp, fn, tn`` and, per row, the number
of true labels, predicted labels and their intersection; dense 0/1 matrices are
counted by :mod:`labelwise._dense_kernels`.
"""

from __future__ import annotations

import numpy as np
from ._jit import njit


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


@njit(cache=True, nogil=True)
def dense_row_counts(t, lo, hi, indptr):  # pragma: no cover
    """``indptr[i + 1]`` = the number of nonzero cells of row ``i`` of an (n, L)
    ``uint8`` 0/1 matrix, for the rows ``lo:hi`` (their running sum is the CSR
    row pointers)."""
    L = t.shape[1]
    for i in range(lo, hi):
        c = 0
        for j in range(L):
            c += t[i, j] != 0
        indptr[i + 1] = c


@njit(cache=True, nogil=True)
def dense_indices(t, lo, hi, indptr, indices):  # pragma: no cover
    """Write the column indices of the nonzero cells of rows ``lo:hi``, row by row in
    column order, from ``indices[indptr[lo]]`` on."""
    L = t.shape[1]
    at = indptr[lo]
    for i in range(lo, hi):
        for j in range(L):
            if t[i, j] != 0:
                indices[at] = j
                at += 1


@njit(cache=True, nogil=True)
def on_places(flat, scale, out):  # pragma: no cover
    """``out[i]`` = whether ``flat[i]`` is the float64 nearest to a decimal of the places
    of ``scale`` (``10.0 ** places``): ``rint(x * scale) / scale == x``."""
    for i in range(flat.shape[0]):
        x = flat[i]
        out[i] = np.rint(x * scale) / scale == x
