"""Hot loop of the calibration state: one pass over dense scores and CSR truth.

No validation and no defaults here: the scores are in [0, 1], except for unknown
truth entries, which hold ``-inf`` (or NaN) and are left out; the truth is the index
arrays of a CSR matrix with sorted, unique indices.
"""

from __future__ import annotations

import math

import numpy as np
from ._jit import njit

_PRODUCT_ROWS = 16  # clipped probabilities multiplied before one log: >= eps**16, no underflow
# A score p in [0, 1] goes to bin np.searchsorted(edges[1:-1], p). That is int(p * B)
# unless p * B lies within _NEAR of a whole number: the product is off the exact one
# by at most B * 2**-53, and edges[k] (np.linspace) off k / B by about 2**-52, both far
# less than _NEAR / B for fewer than _EXACT_BINS bins. Near a whole number (and at 0
# and 1) the edges decide. (Written out in each loop: a helper function ran slower.)
_EXACT_BINS = 1 << 20
_NEAR = 2.0 ** -20


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
            if not p >= 0.0:  # -inf or NaN: an unknown entry, left out
                continue
            y = t[j]
            x = p * B  # the bin is int(x), unless x is near a whole number (_NEAR)
            b = int(x)
            f = x - b
            if not (f > _NEAR and f < 1.0 - _NEAR and B < _EXACT_BINS):
                b = min(b, B - 1)
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
            if not p >= 0.0:  # -inf or NaN: an unknown entry, left out
                continue
            y = t[j]
            x = p * B  # the bin is int(x), unless x is near a whole number (_NEAR)
            b = int(x)
            f = x - b
            if not (f > _NEAR and f < 1.0 - _NEAR and B < _EXACT_BINS):
                b = min(b, B - 1)
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


# --------------------------------------------------------------------------
# Adaptive (equal-mass) bins: three passes, see labelwise.calibration_adaptive
# --------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def cell_counts(p, cells, counts):  # pragma: no cover
    """Count each label's scores in ``cells`` equal-width cells of [0, 1] (a score of 1
    in the last); ``-inf`` and NaN are left out."""
    m, L = p.shape
    for i in range(m):
        for j in range(L):
            x = np.float64(p[i, j])
            if x >= 0.0:
                c = int(x * cells)
                if c >= cells:
                    c = cells - 1
                counts[j, c] += 1


@njit(cache=True, nogil=True)
def gather_cells(p, cells, slot, buffer, fill):  # pragma: no cover
    """Copy the scores of the cells with a ``slot`` (>= 0) to ``buffer``, each slot's
    from ``fill[slot]`` on."""
    m, L = p.shape
    for i in range(m):
        for j in range(L):
            x = np.float64(p[i, j])
            if x >= 0.0:
                c = int(x * cells)
                if c >= cells:
                    c = cells - 1
                k = slot[j, c]
                if k >= 0:
                    buffer[fill[k]] = x
                    fill[k] += 1


@njit(cache=True, nogil=True)
def quantile_bin_sums(p, indptr, indices, w, inner, cells, table, bins):  # pragma: no cover
    """Add each score to its label's bin between the ``inner`` edges (L, n_bins - 1):
    the number of edges below it, as ``np.searchsorted(inner, x)``. ``table[j, c]`` is
    that number for every score of cell ``c`` (of :func:`cell_counts`) when no edge
    lies near the cell, else -1 (then it is searched). ``bins`` (L * n_bins * 3)
    receives weight, weight times score and weight times truth."""
    m, L = p.shape
    E = inner.shape[1]
    B = E + 1
    t = np.zeros(L)
    weighted = w.shape[0] > 0
    for i in range(m):
        for k in range(indptr[i], indptr[i + 1]):
            t[indices[k]] = 1.0
        wi = w[i] if weighted else 1.0
        for j in range(L):
            x = np.float64(p[i, j])
            if not x >= 0.0:
                continue
            c = int(x * cells)
            if c >= cells:
                c = cells - 1
            b = table[j, c]
            if b < 0:
                lo = 0
                hi = E
                while lo < hi:  # the first edge not below x
                    mid = (lo + hi) // 2
                    if inner[j, mid] < x:
                        lo = mid + 1
                    else:
                        hi = mid
                b = lo
            o = (j * B + b) * 3
            if weighted:
                bins[o] += wi
                bins[o + 1] += x * wi
                bins[o + 2] += t[j] * wi
            else:
                bins[o] += 1.0
                bins[o + 1] += x
                bins[o + 2] += t[j]
        for k in range(indptr[i], indptr[i + 1]):
            t[indices[k]] = 0.0
