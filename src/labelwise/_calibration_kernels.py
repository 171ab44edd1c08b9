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
            if not p >= 0.0:  # -inf or NaN: an unknown entry, left out
                continue
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


@njit(cache=True, nogil=True)
def sorted_key_quantile_sums(keys, n_labels, n, q, scale, bins):  # pragma: no cover
    """Equal-mass bin sums from the sorted pooled keys of exact ROC-AUC (high 32 bits:
    the float32 score, order-preserving; low 32 bits: ``label << 1 | truth``).

    Every label holds ``n`` scores. Its inner edges interpolate its order statistics
    as :func:`numpy.percentile` does at the fractions ``q`` (n_bins + 1,); as the keys
    come in score order, each label's ranks count up, the order statistics are picked
    as they pass, and each edge is known by the time a score above it comes. A score
    goes to the bin of the number of edges below it. ``scale`` > 0 decodes float32
    codes of short decimals (``rint(code * scale) / scale``). ``bins`` (n_labels,
    n_bins, 3) receives count, sum of scores and sum of truths.
    """
    E = q.shape[0] - 2
    prev = np.empty(E, dtype=np.int64)
    nxt = np.empty(E, dtype=np.int64)
    gamma = np.empty(E)
    for k in range(E):
        virtual = (n - 1) * q[k + 1]
        below = np.floor(virtual)
        gamma[k] = virtual - below
        p = min(max(int(below), 0), n - 1)
        x = min(p + 1, n - 1)
        if virtual >= n - 1:
            p = n - 1
            x = n - 1
        prev[k] = p
        nxt[k] = x
    # the ranks to watch, in order (shared by every label: each holds n scores)
    marks = np.unique(np.concatenate((prev, nxt)))
    M = marks.shape[0]
    low = np.zeros((n_labels, E))
    edge = np.full((n_labels, E), np.inf)  # an edge not yet known is above every score
    rank = np.zeros(n_labels, dtype=np.int64)
    watch = np.zeros(n_labels, dtype=np.int64)
    current = np.zeros(n_labels, dtype=np.int64)
    word = np.zeros(1, dtype=np.uint32)
    value = word.view(np.float32)
    sign = np.uint32(0x80000000)
    for key in keys:
        lo_bits = np.uint32(key & np.uint64(0xFFFFFFFF))
        j = np.int64(lo_bits >> np.uint32(1))
        y = np.float64(lo_bits & np.uint32(1))
        hi_bits = np.uint32(key >> np.uint64(32))
        word[0] = hi_bits ^ sign if hi_bits & sign else ~hi_bits
        x = np.float64(value[0])
        if scale > 0.0:
            x = np.rint(x * scale) / scale
        r = rank[j]
        rank[j] = r + 1
        w = watch[j]
        if w < M and marks[w] == r:
            watch[j] = w + 1
            for k in range(E):
                if prev[k] == r:
                    low[j, k] = x
                if nxt[k] == r:  # numpy's linear interpolation, as np.percentile
                    a = low[j, k]
                    diff = x - a
                    g = gamma[k]
                    edge[j, k] = x - diff * (1 - g) if g >= 0.5 else a + diff * g
        b = current[j]
        while b < E and x > edge[j, b]:
            b += 1
        current[j] = b
        bins[j, b, 0] += 1.0
        bins[j, b, 1] += x
        bins[j, b, 2] += y
