"""Hot loops for score-based metrics: one pass over rows, per-row values out.

Everything rests on four integers per true label ``j`` of a row:

``gt``   labels scored strictly higher than ``j``;
``eq``   labels scored the same as ``j`` (``j`` included);
``gtt``  *true* labels scored strictly higher than ``j``;
``eqt``  *true* labels scored the same as ``j`` (``j`` included).

From them come, exactly and with ties handled as scikit-learn handles them:
label ranking average precision, ranking loss, coverage, per-row ROC-AUC and,
averaged over every order of tied labels, hits and DCG at any cutoff ``k``.

Rows with scores for only some labels (sparse scores, top-k predictions) rank
the unscored labels below every scored one, all tied with each other; their
kernels are in :mod:`labelwise._partial_kernels`, on the helpers here.

No validation here; inputs are canonical (see ``_validate``).
"""

from __future__ import annotations

import numpy as np
from ._jit import njit

# Rows with more true labels than this sort instead of counting. Counting compares each
# true score with every score of the row (r x L comparisons, vectorised); sorting places
# each score among the sorted true ones by a binary search (L log r steps, whose branches
# the processor cannot predict). Counting is the faster of the two up to about 400.
_SORT_ABOVE = 384


@njit(cache=True, nogil=True)
def _heap_sort(a):  # pragma: no cover
    """Sort ``a`` in place, ascending (a plain loop: it compiles in a fraction of the
    time of ``np.sort``, whose generic machinery numba builds per dtype). One loop
    sifts down the roots of the heap as it is built, then the root after each of the
    largest is moved to the end."""
    n = a.shape[0]
    start = n // 2
    end = n
    while True:
        if start > 0:  # building the heap
            start -= 1
            root = start
        else:  # the largest goes to the end, and the heap shrinks
            end -= 1
            if end <= 0:
                return
            x = a[0]
            a[0] = a[end]
            a[end] = x
            root = start
        while True:
            child = 2 * root + 1
            if child >= end:
                break
            if child + 1 < end and a[child] < a[child + 1]:
                child += 1
            if a[root] >= a[child]:
                break
            x = a[root]
            a[root] = a[child]
            a[child] = x
            root = child


@njit(cache=True, nogil=True)
def _below(ordered, v):  # pragma: no cover
    """How many entries of the ascending ``ordered`` are below ``v``: ``np.searchsorted``
    with side ``"left"`` (one signature, where a flag for the side would compile twice,
    once for each literal)."""
    lo = 0
    hi = ordered.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if ordered[mid] < v:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, nogil=True)
def _stats_by_sorting(s, tv, r, gt, eq, gtt, eqt, tsorted, above, same):  # pragma: no cover
    """The four counts of each true label of a row with many of them, from its ``r``
    true scores ``tv[:r]``: they are sorted, and each of the row's ``L`` scores is
    placed among them by a binary search (``L log r`` steps, with no sort of the whole
    row). ``tsorted`` (``r``), ``above`` and ``same`` (``r + 1``) are scratch."""
    L = s.shape[0]
    tsorted = tsorted[:r]
    for a in range(r):
        tsorted[a] = tv[a]
    _heap_sort(tsorted)
    # a score with c true scores below it is one of the tied group at c, or lies
    # between the groups: then it is counted in above[c]
    for c in range(r + 1):
        above[c] = 0
        same[c] = 0
    for k in range(L):
        x = s[k]
        c = _below(tsorted, x)
        if c < r and tsorted[c] == x:
            same[c] += 1
        else:
            above[c] += 1
    for c in range(r - 1, -1, -1):  # above[c]: the scores with at least c true below
        above[c] += same[c] + above[c + 1]
    for a in range(r):
        v = tv[a]
        lo = _below(tsorted, v)
        hi = lo + 1  # past the true scores tied with v (v is one of them)
        while hi < r and tsorted[hi] == v:
            hi += 1
        gt[a] = above[hi]
        eq[a] = same[lo]
        gtt[a] = r - hi
        eqt[a] = hi - lo


@njit(cache=True, nogil=True, inline="always")
def _share_gain(start, e, k, D):  # pragma: no cover
    """The share of the ranks ``start..start+e-1`` (``e`` tied labels) that fall within
    cutoff ``k``, and the DCG of that share; 0 and 0 below the cutoff."""
    if start >= k:
        return 0.0, 0.0
    stop = min(start + e, k)
    if e == 1:  # untied: x / 1 is x
        return 1.0, D[stop] - D[start]
    return (stop - start) / e, (D[stop] - D[start]) / e


@njit(cache=True, nogil=True, inline="always")
def _at_k_values(i, r, gt, eq, ks, D, has_p, p, best, acc, at_k, ps):  # pragma: no cover
    """Write row ``i``'s @k values into ``at_k[:, :, i]`` and, when ``has_p``, with the
    inverse propensities ``p[:r]`` of its ``r`` true labels, ``ps[:, :, i]`` (see
    :func:`_row_values`), from its true labels' ``gt`` and ``eq`` counts.

    Each value is the mean over the orders of tied labels: each true label adds its
    share of the ranks ``gt..gt+eq-1`` that fall within the cutoff, in label order.
    """
    nk = ks.shape[0]
    kmax = 0
    for q in range(nk):
        acc[0, q] = 0.0
        acc[1, q] = 0.0
        acc[2, q] = 0.0
        acc[3, q] = 0.0
        if ks[q] > kmax:
            kmax = ks[q]
    for a in range(r):
        start = gt[a]
        if start >= kmax:  # below every cutoff
            continue
        e = eq[a]
        if has_p:
            for q in range(nk):
                share, gain = _share_gain(start, e, ks[q], D)
                acc[0, q] += share
                acc[1, q] += gain
                acc[2, q] += share * p[a]
                acc[3, q] += gain * p[a]
        else:  # the same loop without inverse propensities, kept apart to stay lean
            for q in range(nk):
                share, gain = _share_gain(start, e, ks[q], D)
                acc[0, q] += share
                acc[1, q] += gain
    for q in range(nk):
        k = ks[q]
        hits = acc[0, q]
        at_k[0, q, i] = hits
        if r > 0:
            at_k[1, q, i] = hits / r
            at_k[2, q, i] = acc[1, q] / D[min(k, r)]
        else:
            at_k[1, q, i] = 0.0
            at_k[2, q, i] = 0.0
    if has_p:
        _ps_values(i, r, ks, D, p, best, acc, ps)


@njit(cache=True, nogil=True)
def _ps_values(i, r, ks, D, p, best, acc, ps):  # pragma: no cover
    """The ``ps[:, :, i]`` part of :func:`_at_k_values`, from its sums in ``acc[2:]``."""
    for a in range(r):  # the true labels' inverse propensities, highest first
        best[a] = -p[a]
    _heap_sort(best[:r])
    for a in range(r):
        best[a] = -best[a]
    for q in range(ks.shape[0]):
        k = ks[q]
        # the best achievable: the k true labels of highest inverse propensity on top
        bhits = 0.0
        bdcg = 0.0
        for a in range(min(k, r)):
            bhits += best[a]
            bdcg += best[a] * (D[a + 1] - D[a])
        ps[0, q, i] = acc[2, q]
        ps[1, q, i] = bhits
        if r > 0:
            ideal = D[min(k, r)]
            ps[2, q, i] = acc[3, q] / ideal
            ps[3, q, i] = bdcg / ideal
        else:
            ps[2, q, i] = 0.0
            ps[3, q, i] = 0.0


@njit(cache=True, nogil=True, inline="always")
def _row_values(i, r, L, gt, eq, gtt, eqt, top_size, top_true, ks, D, p, best, acc, vals,
                at_k, ps):  # pragma: no cover
    """Write row ``i``'s values into column ``i`` of ``vals`` (7, n), ``at_k``
    (3, len(ks), n) and, with inverse propensities ``p`` of its true labels, ``ps``
    (4, len(ks), n), from its true labels' counts.

    ``vals`` rows: label ranking average precision, ranking loss, coverage,
    one-error, average precision (LRAP, or 0 without true labels), ROC-AUC (0 where
    undefined) and its weight (1 where defined). ``at_k[:, q]`` holds, at cutoff
    ``ks[q]``: hits, recall and nDCG; ``ps[:, q]`` propensity-weighted hits, the best
    achievable of them, propensity-weighted nDCG and the best achievable of it (left
    as they are without ``p``). ``best`` (as long as ``p``) and ``acc`` (4, len(ks))
    are scratch.
    """
    if r == 0 or r == L:
        lrap = 1.0
        vals[0, i] = 1.0
        vals[1, i] = 0.0
        vals[5, i] = 0.0
        vals[6, i] = 0.0
    else:
        lrap = 0.0
        wrong = 0.0
        bad = 0.0
        for a in range(r):
            lrap += (gtt[a] + eqt[a]) / (gt[a] + eq[a])
            wrong += (gt[a] + eq[a]) - (gtt[a] + eqt[a])
            bad += (gt[a] - gtt[a]) + 0.5 * (eq[a] - eqt[a])
        lrap = lrap / r
        vals[0, i] = lrap
        vals[1, i] = wrong / (r * (L - r))
        vals[5, i] = 1.0 - bad / (r * (L - r))
        vals[6, i] = 1.0
    cov = 0
    for a in range(r):
        c = gt[a] + eq[a]
        if c > cov:
            cov = c
    vals[2, i] = cov
    vals[3, i] = 1.0 - top_true / top_size
    vals[4, i] = lrap if r > 0 else 0.0  # a row without true labels has AP 0, as sklearn
    _at_k_values(i, r, gt, eq, ks, D, p.shape[0] > 0, p, best, acc, at_k, ps)


@njit(cache=True, nogil=True)
def _most_true(t_indptr, lo, hi):  # pragma: no cover
    most = 0
    for i in range(lo, hi):
        r = t_indptr[i + 1] - t_indptr[i]
        if r > most:
            most = r
    return most


@njit(cache=True, nogil=True, inline="always")
def _finish_row(i, r, L, s, a0, t_indices, gt, eq, gtt, eqt, inv_prop, p, ks, D, best, acc,
                vals, at_k, ps):  # pragma: no cover
    """Row ``i``'s values from its true labels' four counts (see :func:`dense_rows`)."""
    # the top score's ties: those of a true label with none above it, if there is one
    at_top = -1
    for a in range(r):
        if gt[a] == 0:
            at_top = a
            break
    if at_top >= 0:
        top_size = eq[at_top]
        top_true = eqt[at_top]
    else:  # no true label has the top score
        top = s[0]
        for k in range(1, L):
            if s[k] > top:
                top = s[k]
        top_size = 0
        for k in range(L):
            top_size += s[k] == top
        top_true = 0
    if inv_prop.shape[0] > 0:
        for a in range(r):
            p[a] = inv_prop[t_indices[a0 + a]]
    _row_values(i, r, L, gt, eq, gtt, eqt, top_size, top_true, ks, D, p[:r], best, acc, vals,
                at_k, ps)


@njit(cache=True, nogil=True)
def dense_rows(t_indptr, t_indices, scores, ks, D, inv_prop, lo, hi, vals, at_k,
               ps):  # pragma: no cover
    """Per-row values of rows ``lo:hi`` for a dense (n, L) score matrix and CSR truth
    (sorted indices), written into ``vals`` (7, n), ``at_k`` (3, len(ks), n) and ``ps``
    (4, len(ks), n) (see :func:`_row_values`). ``inv_prop`` is empty, or one inverse
    propensity per label.

    A row's counts take one pass over its scores per true label, allocation-free.
    Rows with more than ``_SORT_ABOVE`` true labels are left as they are, for
    :func:`dense_rows_sorting`; returns how many there are (a separate kernel, so that
    the sorting code compiles only for data that has such rows).
    """
    L = scores.shape[1]
    most = min(_most_true(t_indptr, lo, hi), _SORT_ABOVE)
    gt = np.empty(most, dtype=np.int64)
    eq = np.empty(most, dtype=np.int64)
    gtt = np.empty(most, dtype=np.int64)
    eqt = np.empty(most, dtype=np.int64)
    tv = np.empty(most, dtype=scores.dtype)
    p = np.empty(most if inv_prop.shape[0] > 0 else 0)
    best = np.empty(most if inv_prop.shape[0] > 0 else 0)
    acc = np.empty((4, ks.shape[0]))
    left = 0
    for i in range(lo, hi):
        a0 = t_indptr[i]
        r = t_indptr[i + 1] - a0
        if r > _SORT_ABOVE:
            left += 1
            continue
        s = scores[i]
        for a in range(r):
            tv[a] = s[t_indices[a0 + a]]
        for a in range(r):
            v = tv[a]
            g = 0
            e = 0
            for k in range(L):
                x = s[k]
                g += x > v
                e += x == v
            gt[a] = g
            eq[a] = e
            g = 0
            e = 0
            for b in range(r):
                x = tv[b]
                g += x > v
                e += x == v
            gtt[a] = g
            eqt[a] = e
        _finish_row(i, r, L, s, a0, t_indices, gt, eq, gtt, eqt, inv_prop, p, ks, D, best, acc,
                    vals, at_k, ps)
    return left


@njit(cache=True, nogil=True)
def dense_rows_sorting(t_indptr, t_indices, scores, ks, D, inv_prop, lo, hi, vals, at_k,
                       ps):  # pragma: no cover
    """:func:`dense_rows` for the rows it leaves: those of rows ``lo:hi`` with more than
    ``_SORT_ABOVE`` true labels (the others are left as they are)."""
    L = scores.shape[1]
    most = _most_true(t_indptr, lo, hi)
    gt = np.empty(most, dtype=np.int64)
    eq = np.empty(most, dtype=np.int64)
    gtt = np.empty(most, dtype=np.int64)
    eqt = np.empty(most, dtype=np.int64)
    tv = np.empty(most, dtype=scores.dtype)
    tsorted = np.empty(most, dtype=scores.dtype)
    above = np.empty(most + 1, dtype=np.int64)
    same = np.empty(most + 1, dtype=np.int64)
    p = np.empty(most if inv_prop.shape[0] > 0 else 0)
    best = np.empty(most if inv_prop.shape[0] > 0 else 0)
    acc = np.empty((4, ks.shape[0]))
    for i in range(lo, hi):
        a0 = t_indptr[i]
        r = t_indptr[i + 1] - a0
        if r <= _SORT_ABOVE:
            continue
        s = scores[i]
        for a in range(r):
            tv[a] = s[t_indices[a0 + a]]
        _stats_by_sorting(s, tv, r, gt, eq, gtt, eqt, tsorted, above, same)
        _finish_row(i, r, L, s, a0, t_indices, gt, eq, gtt, eqt, inv_prop, p, ks, D, best, acc,
                    vals, at_k, ps)
