"""Hot loops for scores given for some labels per row: top-k predictions and sparse scores.

Row ``i`` scores the labels ``s_indices[s_indptr[i]:s_indptr[i + 1]]`` (unique within
the row, in any order); every other label ranks below all of them, tied with the
others. Each true label ``j`` of a row gets the four counts of
:mod:`labelwise._rank_kernels` (``gt``, ``eq``, ``gtt``, ``eqt``), and the per-row
values follow from them with the same formulas as for dense scores.

A row's scored labels are looked up in a table of one slot per label (filled
with the row's entries, then cleared), so that each true label is found in one
step; rows with many entries and true labels then sort their scored true labels'
scores and place each of the row's scores among them, instead of counting.

No validation here; inputs are canonical (see ``_validate``).
"""

from __future__ import annotations

import numpy as np
from ._jit import njit

from ._rank_kernels import _at_k_values, _most_true, _row_values, _stats_by_sorting

_SORT_ABOVE = 4096  # rows with more (entries x true labels) than this sort


@njit(cache=True, nogil=True)
def _sorted_stats(val, r, L, gt, eq, gtt, eqt, tv, scored):  # pragma: no cover
    """Per-true-label counts of a long row with scores ``val``, from its ``r`` true
    labels (those scored marked in ``scored``, with their scores in ``tv``): the scored
    true ones are sorted, and each score of the row is placed among them; returns the
    top tie's size and true labels."""
    w = val.shape[0]
    work = np.empty(7 * r + 2, dtype=np.int64)
    ctv = np.empty(2 * r, dtype=tv.dtype)
    m = 0  # the scored true labels, compacted
    for a in range(r):
        if scored[a]:
            ctv[m] = tv[a]
            work[m] = a
            m += 1
    cgt = work[r : r + m]
    ceq = work[2 * r : 2 * r + m]
    cgtt = work[3 * r : 3 * r + m]
    ceqt = work[4 * r : 4 * r + m]
    # the count passed on is the length of cgt, not m: numba would also compile the
    # callee for m's first value, the literal 0
    _stats_by_sorting(val, ctv[:m], cgt.shape[0], cgt, ceq, cgtt, ceqt, ctv[r:],
                      work[5 * r : 6 * r + 1], work[6 * r + 1 : 7 * r + 2])
    for a in range(r):
        if not scored[a]:
            gt[a] = w
            eq[a] = L - w
            gtt[a] = m
            eqt[a] = r - m
    for b in range(m):
        a = work[b]
        gt[a] = cgt[b]
        eq[a] = ceq[b]
        gtt[a] = cgtt[b]
        eqt[a] = ceqt[b]
    if w == 0:
        return L, r
    top = val[0]
    for e in range(1, w):
        if val[e] > top:
            top = val[e]
    top_size = 0
    for e in range(w):
        top_size += val[e] == top
    top_true = 0
    for a in range(r):
        top_true += scored[a] and tv[a] == top
    return top_size, top_true


@njit(cache=True, nogil=True, inline="always")
def _find_true(t_indices, a0, r, s_indices, s_values, e0, w, where, tv,
               scored):  # pragma: no cover
    """Mark which of a row's ``r`` true labels are scored, with their scores in ``tv``;
    returns how many are. ``where`` (one slot per label, -1 when free) is left free."""
    for e in range(w):
        where[s_indices[e0 + e]] = e
    n_scored_true = 0
    for a in range(r):
        pos = where[t_indices[a0 + a]]
        if pos >= 0:
            scored[a] = True
            tv[a] = s_values[e0 + pos]
            n_scored_true += 1
        else:
            scored[a] = False
    for e in range(w):
        where[s_indices[e0 + e]] = -1
    return n_scored_true


@njit(cache=True, nogil=True)
def partial_rows(t_indptr, t_indices, s_indptr, s_indices, s_values, n_labels, ks, D, inv_prop,
                 lo, hi, vals, at_k, ps):  # pragma: no cover
    """Per-row values of rows ``lo:hi``, written into ``vals`` (7, n), ``at_k``
    (3, len(ks), n) and ``ps`` (4, len(ks), n) as by
    :func:`labelwise._rank_kernels.dense_rows`. ``inv_prop`` is empty, or one inverse
    propensity per label.
    """
    L = n_labels
    most = _most_true(t_indptr, lo, hi)
    gt = np.empty(most, dtype=np.int64)
    eq = np.empty(most, dtype=np.int64)
    gtt = np.empty(most, dtype=np.int64)
    eqt = np.empty(most, dtype=np.int64)
    tv = np.empty(most, dtype=s_values.dtype)
    scored = np.empty(most, dtype=np.bool_)
    where = np.full(L, -1, dtype=np.int32)
    has_p = inv_prop.shape[0] > 0
    p = np.empty(most if has_p else 0)
    best = np.empty(most if has_p else 0)
    acc = np.empty((4, ks.shape[0]))
    for i in range(lo, hi):
        a0 = t_indptr[i]
        r = t_indptr[i + 1] - a0
        e0 = s_indptr[i]
        w = s_indptr[i + 1] - e0
        n_st = _find_true(t_indices, a0, r, s_indices, s_values, e0, w, where, tv, scored)
        if w * r > _SORT_ABOVE:
            top_size, top_true = _sorted_stats(s_values[e0 : e0 + w], r, L, gt, eq, gtt, eqt,
                                               tv, scored)
        else:
            for a in range(r):
                if not scored[a]:
                    gt[a] = w
                    eq[a] = L - w
                    gtt[a] = n_st
                    eqt[a] = r - n_st
                    continue
                v = tv[a]
                g = 0
                c = 0
                for e in range(e0, e0 + w):
                    x = s_values[e]
                    g += x > v
                    c += x == v
                gt[a] = g
                eq[a] = c
                g = 0
                c = 0
                for b in range(r):
                    if scored[b]:
                        g += tv[b] > v
                        c += tv[b] == v
                gtt[a] = g
                eqt[a] = c
            if w == 0:
                top_size = L
                top_true = r
            else:
                top = s_values[e0]
                for e in range(e0 + 1, e0 + w):
                    if s_values[e] > top:
                        top = s_values[e]
                top_size = 0
                for e in range(e0, e0 + w):
                    top_size += s_values[e] == top
                top_true = 0
                for a in range(r):
                    top_true += scored[a] and tv[a] == top
        if has_p:
            for a in range(r):
                p[a] = inv_prop[t_indices[a0 + a]]
        _row_values(i, r, L, gt, eq, gtt, eqt, top_size, top_true, ks, D, p[:r], best, acc,
                    vals, at_k, ps)


@njit(cache=True, nogil=True)
def partial_at_k(t_indptr, t_indices, s_indptr, s_indices, s_values, n_labels, ks, D, inv_prop,
                 lo, hi, at_k, ps):  # pragma: no cover
    """Only the @k values of rows ``lo:hi`` (``at_k`` and ``ps`` of :func:`partial_rows`,
    the same numbers): each true label's place among the row's scored labels, nothing
    else."""
    L = n_labels
    most = _most_true(t_indptr, lo, hi)
    gt = np.empty(most, dtype=np.int64)
    eq = np.empty(most, dtype=np.int64)
    gtt = np.empty(most, dtype=np.int64)  # for long rows only
    eqt = np.empty(most, dtype=np.int64)
    tv = np.empty(most, dtype=s_values.dtype)
    scored = np.empty(most, dtype=np.bool_)
    where = np.full(L, -1, dtype=np.int32)
    has_p = inv_prop.shape[0] > 0
    p = np.empty(most if has_p else 0)
    best = np.empty(most if has_p else 0)
    acc = np.empty((4, ks.shape[0]))
    for i in range(lo, hi):
        a0 = t_indptr[i]
        r = t_indptr[i + 1] - a0
        e0 = s_indptr[i]
        w = s_indptr[i + 1] - e0
        _find_true(t_indices, a0, r, s_indices, s_values, e0, w, where, tv, scored)
        if w * r > _SORT_ABOVE:
            _sorted_stats(s_values[e0 : e0 + w], r, L, gt, eq, gtt, eqt, tv, scored)
        else:
            for a in range(r):
                if not scored[a]:
                    gt[a] = w
                    eq[a] = L - w
                    continue
                v = tv[a]
                g = 0
                c = 0
                for e in range(e0, e0 + w):
                    x = s_values[e]
                    g += x > v
                    c += x == v
                gt[a] = g
                eq[a] = c
        if has_p:
            for a in range(r):
                p[a] = inv_prop[t_indices[a0 + a]]
        _at_k_values(i, r, gt, eq, ks, D, has_p and r > 0, p, best, acc, at_k, ps)


@njit(cache=True, nogil=True)
def entry_range(indices, values, n_labels):  # pragma: no cover
    """The smallest and largest stored score of each label (NaN where none is stored)."""
    low = np.full(n_labels, np.inf)
    high = np.full(n_labels, -np.inf)
    for e in range(indices.shape[0]):
        j = indices[e]
        v = values[e]
        if v < low[j]:
            low[j] = v
        if v > high[j]:
            high[j] = v
    for j in range(n_labels):
        if low[j] == np.inf:
            low[j] = np.nan
            high[j] = np.nan
    return low, high


@njit(cache=True, nogil=True)
def topk_problem(idx, n_labels):  # pragma: no cover
    """The first problem of (n, k) top-k label indices: ``(1, row, column)`` for the
    first index (row by row) outside ``0..n_labels-1``; else ``(2, row, label)`` for
    the first row listing a label twice (its smallest such label); else
    ``(0, -1, -1)``."""
    n, w = idx.shape
    bad = False
    for i in range(n):  # branch-free first: problems are rare
        for c in range(w):
            x = idx[i, c]
            bad |= (x < 0) | (x >= n_labels)
    if bad:
        for i in range(n):
            for c in range(w):
                if idx[i, c] < 0 or idx[i, c] >= n_labels:
                    return 1, i, c
    seen = np.empty(n_labels if w > 32 else 0, dtype=np.bool_)
    for j in range(seen.shape[0]):
        seen[j] = False
    for i in range(n):
        if w > 32:  # long rows: each label marked in a table of one slot per label
            dup = False
            for c in range(w):
                x = idx[i, c]
                dup |= seen[x]
                seen[x] = True
            for c in range(w):
                seen[idx[i, c]] = False
            if dup:
                smallest = -1
                for c in range(w):
                    x = idx[i, c]
                    if seen[x] and (smallest < 0 or x < smallest):
                        smallest = x
                    seen[x] = True
                return 2, i, smallest
            continue
        dup = False
        for c in range(w):
            x = idx[i, c]
            for d in range(c + 1, w):
                dup |= idx[i, d] == x
        if dup:
            smallest = -1
            for c in range(w):
                for d in range(c + 1, w):
                    if idx[i, d] == idx[i, c] and (smallest < 0 or idx[i, c] < smallest):
                        smallest = idx[i, c]
            return 2, i, smallest
    return 0, -1, -1


@njit(cache=True, nogil=True)
def kept_entries(indptr, indices, values, cuts, inclusive):  # pragma: no cover
    """The CSR ``(indptr, indices)`` of the stored entries above their label's cut
    (``cuts`` has one per label, or one for all), each row's labels sorted.

    An entry is kept when its score is above the cut, or equal to it with
    ``inclusive``; the row's entries must be unique.
    """
    n = indptr.shape[0] - 1
    one = cuts.shape[0] == 1
    out_ptr = np.empty(n + 1, dtype=indptr.dtype)
    out = np.empty(indices.shape[0], dtype=indices.dtype)
    m = 0
    out_ptr[0] = 0
    for i in range(n):
        start = m
        for e in range(indptr[i], indptr[i + 1]):
            j = indices[e]
            c = cuts[0] if one else cuts[j]
            v = values[e]
            if v > c or (inclusive and v == c):
                d = m  # insertion into the row's sorted labels
                while d > start and out[d - 1] > j:
                    out[d] = out[d - 1]
                    d -= 1
                out[d] = j
                m += 1
        out_ptr[i + 1] = m
    return out_ptr, out[:m].copy()
