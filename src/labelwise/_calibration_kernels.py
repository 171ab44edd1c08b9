"""Hot loop of the calibration state: one pass over dense scores and CSR truth.

No validation and no defaults here: the scores are finite and in [0, 1], the truth
is the index arrays of a CSR matrix with sorted, unique indices.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_PRODUCT_ROWS = 16  # clipped probabilities multiplied before one log: >= eps**16, no underflow


@njit(cache=True, nogil=True)
def calibration_sums(s, indptr, indices, edges, eps, lo, hi, bins, sq, ll):  # pragma: no cover
    """Add rows ``lo:hi`` to the per-label bin sums and the exact per-label losses.

    ``bins`` is a flat ``(L, B, 3)`` float64 array receiving, for label ``j`` and bin
    ``b``, the number of entries, the sum of their scores and of their truths. A
    score ``p`` goes to the bin ``b`` with ``edges[b] < p <= edges[b + 1]`` (bin 0
    also holds 0): ``np.searchsorted(edges[1:-1], p)``, as
    ``sklearn.calibration.calibration_curve``. ``sq`` receives ``(p - y)**2`` and
    ``ll`` ``-log(q)``, ``q`` being ``p`` (``y = 1``) or ``1 - p`` (``y = 0``)
    clipped to ``[eps, 1 - eps]``; the ``q`` of 16 rows are multiplied before one
    logarithm is taken.
    """
    L = s.shape[1]
    B = edges.shape[0] - 1
    t = np.zeros(L)
    prod = np.ones(L)
    pending = 0
    top = 1.0 - eps
    for i in range(lo, hi):
        for k in range(indptr[i], indptr[i + 1]):
            t[indices[k]] = 1.0
        for j in range(L):
            p = np.float64(s[i, j])
            y = t[j]
            b = min(int(p * B), B - 1)
            if b > 0 and p <= edges[b]:
                b -= 1
            elif b < B - 1 and p > edges[b + 1]:
                b += 1
            o = (j * B + b) * 3
            bins[o] += 1.0
            bins[o + 1] += p
            bins[o + 2] += y
            d = p - y
            sq[j] += d * d
            q = y * p + (1.0 - y) * (1.0 - p)
            prod[j] *= min(max(q, eps), top)
        for k in range(indptr[i], indptr[i + 1]):
            t[indices[k]] = 0.0
        pending += 1
        if pending == _PRODUCT_ROWS:
            for j in range(L):
                ll[j] -= math.log(prod[j])
                prod[j] = 1.0
            pending = 0
    if pending:
        for j in range(L):
            ll[j] -= math.log(prod[j])


@njit(cache=True, nogil=True)
def calibration_sums_weighted(s, indptr, indices, w, edges, eps, lo, hi, bins, sq,
                              ll):  # pragma: no cover
    """:func:`calibration_sums` with row ``i`` weighted by ``w[i]``: every sum takes
    ``w[i]`` times its term, and each entry's log loss its own logarithm."""
    L = s.shape[1]
    B = edges.shape[0] - 1
    t = np.zeros(L)
    top = 1.0 - eps
    for i in range(lo, hi):
        wi = w[i]
        for k in range(indptr[i], indptr[i + 1]):
            t[indices[k]] = 1.0
        for j in range(L):
            p = np.float64(s[i, j])
            y = t[j]
            b = min(int(p * B), B - 1)
            if b > 0 and p <= edges[b]:
                b -= 1
            elif b < B - 1 and p > edges[b + 1]:
                b += 1
            o = (j * B + b) * 3
            bins[o] += wi
            bins[o + 1] += wi * p
            bins[o + 2] += wi * y
            d = p - y
            sq[j] += wi * (d * d)
            q = y * p + (1.0 - y) * (1.0 - p)
            ll[j] -= wi * math.log(min(max(q, eps), top))
        for k in range(indptr[i], indptr[i + 1]):
            t[indices[k]] = 0.0
