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
the unscored labels below every scored one, all tied with each other.

No validation here; inputs are canonical (see ``_validate``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_SORT_ABOVE = 8  # rows with more true labels than this sort instead of counting


@njit(cache=True, nogil=True)
def _stats_by_counting(s, true_idx, gt, eq, gtt, eqt):  # pragma: no cover
    r = true_idx.shape[0]
    L = s.shape[0]
    for a in range(r):
        v = s[true_idx[a]]
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
            x = s[true_idx[b]]
            g += x > v
            e += x == v
        gtt[a] = g
        eqt[a] = e


@njit(cache=True, nogil=True)
def _stats_by_sorting(s, true_idx, gt, eq, gtt, eqt):  # pragma: no cover
    L = s.shape[0]
    r = true_idx.shape[0]
    ordered = np.sort(s)
    tv = np.empty(r, dtype=s.dtype)
    for a in range(r):
        tv[a] = s[true_idx[a]]
    tsorted = np.sort(tv)
    for a in range(r):
        v = tv[a]
        lo = np.searchsorted(ordered, v, side="left")
        hi = np.searchsorted(ordered, v, side="right")
        gt[a] = L - hi
        eq[a] = hi - lo
        lo = np.searchsorted(tsorted, v, side="left")
        hi = np.searchsorted(tsorted, v, side="right")
        gtt[a] = r - hi
        eqt[a] = hi - lo


@njit(cache=True, nogil=True)
def _row_values(i, r, L, gt, eq, gtt, eqt, top_size, top_true, ks, D, p, out, at_k):  # pragma: no cover
    """Write row ``i``'s values into ``out`` (n, 5) and ``at_k`` (n, len(ks), 6).

    ``at_k[i, q]`` holds, at cutoff ``ks[q]``: hits, DCG, and with inverse
    propensities ``p`` of the true labels: propensity-weighted hits and DCG and
    the best achievable values of both.
    """
    # out columns: 0 lrap, 1 ranking loss, 2 coverage, 3 roc auc (nan if undefined), 4 one error
    if r == 0 or r == L:
        out[i, 0] = 1.0
        out[i, 1] = 0.0
        out[i, 3] = np.nan
    else:
        lrap = 0.0
        wrong = 0.0
        bad = 0.0
        for a in range(r):
            lrap += (gtt[a] + eqt[a]) / (gt[a] + eq[a])
            wrong += (gt[a] + eq[a]) - (gtt[a] + eqt[a])
            bad += (gt[a] - gtt[a]) + 0.5 * (eq[a] - eqt[a])
        out[i, 0] = lrap / r
        out[i, 1] = wrong / (r * (L - r))
        out[i, 3] = 1.0 - bad / (r * (L - r))
    cov = 0
    for a in range(r):
        c = gt[a] + eq[a]
        if c > cov:
            cov = c
    out[i, 2] = cov
    out[i, 4] = 1.0 - top_true / top_size
    # @k values, averaged over the orders of tied labels
    has_p = p.shape[0] > 0
    best = -np.sort(-p) if has_p else p  # the true labels' inverse propensities, highest first
    for q in range(ks.shape[0]):
        k = ks[q]
        hits = 0.0
        dcg = 0.0
        phits = 0.0
        pdcg = 0.0
        for a in range(r):
            start = gt[a]
            if start >= k:
                continue
            stop = min(start + eq[a], k)
            share = (stop - start) / eq[a]
            gain = (D[stop] - D[start]) / eq[a]
            hits += share
            dcg += gain
            if has_p:
                phits += share * p[a]
                pdcg += gain * p[a]
        at_k[i, q, 0] = hits
        at_k[i, q, 1] = dcg
        if has_p:
            # the best achievable: the k true labels of highest inverse propensity on top
            bhits = 0.0
            bdcg = 0.0
            for a in range(min(k, r)):
                bhits += best[a]
                bdcg += best[a] * (D[a + 1] - D[a])
            at_k[i, q, 2] = phits
            at_k[i, q, 3] = pdcg
            at_k[i, q, 4] = bhits
            at_k[i, q, 5] = bdcg


@njit(cache=True, nogil=True)
def dense_rows(t_indptr, t_indices, scores, ks, D, inv_prop, lo, hi, out, at_k, work, p_work):  # pragma: no cover
    """Per-row values of rows ``lo:hi`` for a dense (n, L) score matrix and CSR truth.

    Writes ``out`` (n, 5) and ``at_k`` (n, len(ks), 6) (see :func:`_row_values`);
    ``work`` (4, nnz) int64 and ``p_work`` (nnz or 0) are per-true-label scratch.
    """
    L = scores.shape[1]
    for i in range(lo, hi):
        a0, a1 = t_indptr[i], t_indptr[i + 1]
        true_idx = t_indices[a0:a1]
        r = true_idx.shape[0]
        s = scores[i]
        gt = work[0, a0:a1]
        eq = work[1, a0:a1]
        gtt = work[2, a0:a1]
        eqt = work[3, a0:a1]
        if r > _SORT_ABOVE:
            _stats_by_sorting(s, true_idx, gt, eq, gtt, eqt)
        else:
            _stats_by_counting(s, true_idx, gt, eq, gtt, eqt)
        top = s[0]
        for k in range(1, L):
            if s[k] > top:
                top = s[k]
        top_size = 0
        for k in range(L):
            top_size += s[k] == top
        top_true = 0
        for a in range(r):
            top_true += s[true_idx[a]] == top
        p = p_work[a0:a1] if p_work.shape[0] > 0 else p_work
        for a in range(p.shape[0]):
            p[a] = inv_prop[true_idx[a]]
        _row_values(i, r, L, gt, eq, gtt, eqt, top_size, top_true, ks, D, p, out, at_k)


@njit(cache=True, nogil=True)
def _partial_stats(idx, val, true_idx, L, gt, eq, gtt, eqt, tv, scored):  # pragma: no cover
    """Per-true-label counts for a row scoring only the labels ``idx``; returns top-tie info.

    Small rows (the usual top-k case) count directly; large ones sort.
    """
    w = idx.shape[0]
    r = true_idx.shape[0]
    n_scored_true = 0
    big = w * r > 4096
    order = np.argsort(idx) if big else np.empty(0, dtype=np.int64)
    sorted_idx = idx[order] if big else idx[:0]
    for a in range(r):
        scored[a] = False
        if big:
            pos = np.searchsorted(sorted_idx, true_idx[a])
            if pos < w and sorted_idx[pos] == true_idx[a]:
                scored[a] = True
                tv[a] = val[order[pos]]
        else:
            for e in range(w):
                if idx[e] == true_idx[a]:
                    scored[a] = True
                    tv[a] = val[e]
                    break
        n_scored_true += scored[a]
    ordered = np.sort(val) if big else val[:0]
    for a in range(r):
        if not scored[a]:
            gt[a] = w
            eq[a] = L - w
            gtt[a] = n_scored_true
            eqt[a] = r - n_scored_true
            continue
        v = tv[a]
        if big:
            hi = np.searchsorted(ordered, v, side="right")
            gt[a] = w - hi
            eq[a] = hi - np.searchsorted(ordered, v, side="left")
        else:
            g = 0
            e_ = 0
            for e in range(w):
                g += val[e] > v
                e_ += val[e] == v
            gt[a] = g
            eq[a] = e_
        g = 0
        e_ = 0
        for b in range(r):
            if scored[b]:
                g += tv[b] > v
                e_ += tv[b] == v
        gtt[a] = g
        eqt[a] = e_
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


@njit(cache=True, nogil=True)
def partial_rows(t_indptr, t_indices, s_indptr, s_indices, s_values, n_labels, ks, D, inv_prop,
                 lo, hi, out, at_k, work, p_work, tv_work, scored_work):  # pragma: no cover
    """Per-row values of rows ``lo:hi`` when each row scores only some labels (CSR layout).

    Row ``i`` scores labels ``s_indices[s_indptr[i]:s_indptr[i+1]]``, which must be
    unique; the other labels rank below all of them, tied with each other. The
    ``*_work`` arrays are per-true-label scratch, as in :func:`dense_rows`.
    """
    for i in range(lo, hi):
        a0, a1 = t_indptr[i], t_indptr[i + 1]
        true_idx = t_indices[a0:a1]
        r = true_idx.shape[0]
        idx = s_indices[s_indptr[i] : s_indptr[i + 1]]
        val = s_values[s_indptr[i] : s_indptr[i + 1]]
        gt = work[0, a0:a1]
        eq = work[1, a0:a1]
        gtt = work[2, a0:a1]
        eqt = work[3, a0:a1]
        top_size, top_true = _partial_stats(
            idx, val, true_idx, n_labels, gt, eq, gtt, eqt, tv_work[a0:a1], scored_work[a0:a1]
        )
        p = p_work[a0:a1] if p_work.shape[0] > 0 else p_work
        for a in range(p.shape[0]):
            p[a] = inv_prop[true_idx[a]]
        _row_values(i, r, n_labels, gt, eq, gtt, eqt, top_size, top_true, ks, D, p, out, at_k)


@njit(cache=True, nogil=True)
def pooled_keys(bits, t_indptr, t_indices):  # pragma: no cover
    """Sortable uint64 keys of float32 scores given as their uint32 bits (n, L).

    The high 32 bits order the scores (IEEE bits flipped so that unsigned order is
    numeric order, with -0.0 read as 0.0); the low 32 bits hold ``label << 1 | y``.
    """
    n, L = bits.shape
    keys = np.empty(n * L, dtype=np.uint64)
    sign = np.uint32(0x80000000)
    for i in range(n):
        row = i * L
        for j in range(L):
            b = bits[i, j]
            if b == sign:  # -0.0 ties with 0.0
                b = np.uint32(0)
            b = ~b if b & sign else b | sign
            keys[row + j] = (np.uint64(b) << np.uint64(32)) | np.uint64(j << 1)
        for a in range(t_indptr[i], t_indptr[i + 1]):
            keys[row + t_indices[a]] |= np.uint64(1)
    return keys


@njit(cache=True, nogil=True)
def pooled_auc_ap(keys, n, L, positives):  # pragma: no cover
    """Per-label and micro ROC-AUC and AP from sorted :func:`pooled_keys`.

    ``positives[j]`` is the number of true entries of label ``j``. Tied scores
    form one threshold, as in scikit-learn. A label without positives or without
    negatives gets NaN ROC-AUC; without positives, AP 0.
    """
    m = keys.shape[0]
    seen = np.zeros(L, dtype=np.int64)
    pos_seen = np.zeros(L, dtype=np.int64)
    auc_num = np.zeros(L)
    ap = np.zeros(L)
    P_all = positives.sum()
    micro_auc_num = 0.0
    micro_ap = 0.0
    all_seen = 0
    all_pos_seen = 0
    block_pos = 0  # the current run of one score (micro) ...
    block_n = 0
    run_pos = 0  # ... and of one (score, label) pair
    run_n = 0
    low = np.uint64(0xFFFFFFFF)
    prev = keys[0] >> np.uint64(1) if m > 0 else np.uint64(0)
    for c in range(m + 1):
        key = keys[c] if c < m else np.uint64(0)
        here = key >> np.uint64(1)
        if c == m or here != prev:  # the (score, label) run ends: credit its label
            j = int(prev & (low >> np.uint64(1)))
            P = positives[j]
            if run_pos > 0:
                auc_num[j] += run_pos * ((seen[j] - pos_seen[j]) + 0.5 * (run_n - run_pos))
                ap[j] += run_pos / P * ((P - pos_seen[j]) / (n - seen[j]))
            seen[j] += run_n
            pos_seen[j] += run_pos
            block_pos += run_pos
            block_n += run_n
            run_pos = 0
            run_n = 0
            if c == m or (here >> np.uint64(31)) != (prev >> np.uint64(31)):  # the score ends
                if block_pos > 0:
                    micro_auc_num += block_pos * (
                        (all_seen - all_pos_seen) + 0.5 * (block_n - block_pos)
                    )
                    micro_ap += block_pos / P_all * ((P_all - all_pos_seen) / (m - all_seen))
                all_seen += block_n
                all_pos_seen += block_pos
                block_pos = 0
                block_n = 0
            prev = here
        run_pos += int(key & np.uint64(1))
        run_n += 1
    auc = np.empty(L)
    for j in range(L):
        P = positives[j]
        N = n - P
        auc[j] = auc_num[j] / (P * N) if P > 0 and N > 0 else np.nan
    N_all = m - P_all
    micro_auc = micro_auc_num / (P_all * N_all) if P_all > 0 and N_all > 0 else np.nan
    return auc, ap, micro_auc, micro_ap
