"""The per-row values of :func:`labelwise._rank_kernels.dense_rows` and
:func:`labelwise._partial_kernels.partial_rows` for small inputs, in numpy passes: the
same numbers, with nothing to compile.

A first report on a small file would otherwise wait seconds for the row kernels to
compile (once per machine). :func:`labelwise.ranking.row_values` takes this path for
the small inputs that :data:`labelwise._budget.SCORES` lets through.

The four counts of each true label (``gt``, ``eq``, ``gtt``, ``eqt``; see
:mod:`labelwise._rank_kernels`) come from two sorts: the ranks of all scores (ties
share one) offset by row, so that each row's keys follow the row before; then one
binary search per true label among all keys and among the true labels' keys. The
sums over a row's true labels are :func:`numpy.bincount` sums, which add in input
order (the row's true labels in label order), as the kernel's loop does: the values
are bit for bit the kernel's.
"""

from __future__ import annotations

import numpy as np

__all__ = ["dense_row_values", "partial_row_values"]


def _row_sum(rows: np.ndarray, values, n: int) -> np.ndarray:
    """Per-row sums of ``values`` (one per true label, grouped by row), in order."""
    return np.bincount(rows, weights=values, minlength=n)


def _counts(indptr, indices, scores, rows):
    """``gt``, ``eq``, ``gtt``, ``eqt`` of every true label (CSR order)."""
    n, L = scores.shape
    _, rank = np.unique(scores, return_inverse=True)
    rank = rank.reshape(n, L).astype(np.int64, copy=False)
    span = int(rank.max()) + 1
    key = rank + (np.arange(n, dtype=np.int64) * span)[:, None]
    every = np.sort(key, axis=None)  # row i's keys fill places i*L .. (i + 1)*L - 1
    mine = key[rows, indices]
    lo = np.searchsorted(every, mine, side="left")
    hi = np.searchsorted(every, mine, side="right")
    gt = (rows + 1) * L - hi
    eq = hi - lo
    true_keys = np.sort(mine)  # row i's true keys fill places indptr[i] .. indptr[i + 1] - 1
    lo = np.searchsorted(true_keys, mine, side="left")
    hi = np.searchsorted(true_keys, mine, side="right")
    gtt = indptr[rows + 1] - hi
    eqt = hi - lo
    return gt, eq, gtt, eqt


def dense_row_values(indptr, indices, scores, ks, D, inv_prop, vals, at_k, ps) -> None:
    """Fill ``vals`` (7, n), ``at_k`` (3, len(ks), n) and, with inverse propensities
    ``inv_prop`` (one per label, else empty), ``ps`` (4, len(ks), n) as
    :func:`labelwise._rank_kernels.dense_rows` does for every row.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[0.9, 0.2, 0.5], [0.1, 0.1, 0.7]])
    >>> indptr, indices = np.array([0, 1, 3]), np.array([2, 0, 1])
    >>> ks, D = np.array([1, 2]), np.array([0.0, 1.0, 1.63, 1.63])
    >>> vals, at_k, ps = np.empty((7, 2)), np.empty((3, 2, 2)), np.zeros((4, 2, 2))
    >>> dense_row_values(indptr, indices, s, ks, D, np.empty(0), vals, at_k, ps)
    >>> np.round(vals[:4], 3).tolist()  # LRAP, ranking loss, coverage, one-error per row
    [[0.5, 0.667], [0.5, 1.0], [2.0, 3.0], [1.0, 1.0]]
    >>> at_k[0].tolist()  # hits at k = 1 and 2: the tie of row 1 shares rank 2
    [[0.0, 0.0], [1.0, 1.0]]
    """
    n, L = scores.shape
    if not n:
        return
    indptr = np.asarray(indptr, dtype=np.int64)
    r = np.diff(indptr)
    rows = np.repeat(np.arange(n, dtype=np.int64), r)
    indices = np.asarray(indices, dtype=np.int64)
    gt, eq, gtt, eqt = _counts(indptr, indices, scores, rows)
    # one-error: the top score's ties, those of a true label with none above it if any
    top_size = (scores == scores.max(axis=1, keepdims=True)).sum(axis=1)
    top_true = np.zeros(n, dtype=np.int64)
    at_top = gt == 0
    top_size[rows[at_top]] = eq[at_top]
    top_true[rows[at_top]] = eqt[at_top]
    _finish(L, indptr, rows, indices, (gt, eq, gtt, eqt), top_size, top_true, ks, D, inv_prop,
            vals, at_k, ps)


def partial_row_values(t_indptr, t_indices, s_indptr, s_indices, s_values, n_labels, ks, D,
                       inv_prop, vals, at_k, ps) -> None:
    """:func:`dense_row_values` for scores of some labels per row (CSR, unique indices),
    as :func:`labelwise._partial_kernels.partial_rows` gives them: the labels a row
    does not score rank below every label it scores, all tied with each other.

    Examples
    --------
    >>> import numpy as np
    >>> # row 0 scores labels 0 and 2 (0.9, 0.5) of 4; its true labels are 2 and 3
    >>> t_indptr, t_indices = np.array([0, 2]), np.array([2, 3])
    >>> s_indptr, s_indices, s_values = np.array([0, 2]), np.array([0, 2]), np.array([0.9, 0.5])
    >>> ks, D = np.array([1, 2]), np.array([0.0, 1.0, 1.63, 1.63, 1.63])
    >>> vals, at_k, ps = np.empty((7, 1)), np.empty((3, 2, 1)), np.zeros((4, 2, 1))
    >>> partial_row_values(t_indptr, t_indices, s_indptr, s_indices, s_values, 4, ks, D,
    ...                    np.empty(0), vals, at_k, ps)
    >>> vals[2].tolist(), at_k[0].ravel().tolist()  # coverage 4: label 3 ties at 3-4
    ([4.0], [0.0, 1.0])
    """
    n = t_indptr.shape[0] - 1
    L = int(n_labels)
    if not n:
        return
    t_indptr = np.asarray(t_indptr, dtype=np.int64)
    s_indptr = np.asarray(s_indptr, dtype=np.int64)
    r, w = np.diff(t_indptr), np.diff(s_indptr)
    rows = np.repeat(np.arange(n, dtype=np.int64), r)
    score_rows = np.repeat(np.arange(n, dtype=np.int64), w)
    indices = np.asarray(t_indices, dtype=np.int64)
    # which true labels are scored, and where their scores are
    cell = score_rows * L + np.asarray(s_indices, dtype=np.int64)
    order = np.argsort(cell, kind="stable")
    cells = np.append(cell[order], -1)  # a sentinel that no true cell equals
    at = np.minimum(np.searchsorted(cells[:-1], rows * L + indices), cells.shape[0] - 1)
    scored = cells[at] == rows * L + indices
    where = np.append(order, 0)[at]
    tv = np.append(s_values, 0)[where]
    # the scored true labels' places among the row's scores, and among its scored true
    # labels: ranks of the scores (ties share one) offset by row, as in _counts
    gt, eq = w[rows].copy(), L - w[rows]
    gtt = np.zeros(rows.shape[0], dtype=np.int64)
    eqt = np.zeros(rows.shape[0], dtype=np.int64)
    n_st = np.bincount(rows[scored], minlength=n)
    if scored.any():
        _, rank = np.unique(s_values, return_inverse=True)
        rank = rank.reshape(-1).astype(np.int64, copy=False)
        span = int(rank.max()) + 1
        key = rank + score_rows * span
        every = np.sort(key)  # row i's keys fill places s_indptr[i] .. s_indptr[i + 1] - 1
        mine = key[where[scored]]
        mine_rows = rows[scored]
        lo = np.searchsorted(every, mine, side="left")
        hi = np.searchsorted(every, mine, side="right")
        gt[scored] = s_indptr[mine_rows + 1] - hi
        eq[scored] = hi - lo
        true_ptr = np.concatenate([[0], np.cumsum(n_st)])
        true_keys = np.sort(mine)  # row i's scored true keys fill true_ptr[i] .. [i + 1] - 1
        lo = np.searchsorted(true_keys, mine, side="left")
        hi = np.searchsorted(true_keys, mine, side="right")
        gtt[scored] = true_ptr[mine_rows + 1] - hi
        eqt[scored] = hi - lo
    gtt[~scored] = n_st[rows[~scored]]
    eqt[~scored] = r[rows[~scored]] - n_st[rows[~scored]]
    # one-error: the top score's ties (a row without scores ties every label)
    top_size = np.full(n, L, dtype=np.int64)
    top_true = r.copy()
    some = w > 0
    if some.any():
        top = np.full(n, -np.inf)
        top[some] = np.maximum.reduceat(s_values, s_indptr[:-1][some])
        top_size[some] = np.bincount(score_rows, weights=s_values == top[score_rows],
                                     minlength=n)[some].astype(np.int64)
        top_true[some] = np.bincount(rows, weights=scored & (tv == top[rows]),
                                     minlength=n)[some].astype(np.int64)
    _finish(L, t_indptr, rows, indices, (gt, eq, gtt, eqt), top_size, top_true, ks, D,
            inv_prop, vals, at_k, ps)


def _finish(L, indptr, rows, indices, counts, top_size, top_true, ks, D, inv_prop, vals,
            at_k, ps) -> None:
    """The values of every row from its true labels' four counts and its top tie, as
    ``_row_values`` of :mod:`labelwise._rank_kernels` writes them (``indptr``, int64:
    the rows' true labels)."""
    gt, eq, gtt, eqt = counts
    r = np.diff(indptr)
    n = r.shape[0]
    some = (r > 0) & (r < L)  # rows whose ranking metrics are defined
    pairs = np.where(some, r * (L - r), 1)
    lrap = np.where(some, _row_sum(rows, (gtt + eqt) / (gt + eq), n) / np.maximum(r, 1), 1.0)
    vals[0] = lrap
    vals[1] = np.where(some, _row_sum(rows, (gt + eq) - (gtt + eqt), n) / pairs, 0.0)
    vals[5] = np.where(some, 1.0 - _row_sum(rows, (gt - gtt) + 0.5 * (eq - eqt), n) / pairs,
                       0.0)
    vals[6] = np.where(some, 1.0, 0.0)
    cover = np.zeros(n, dtype=np.int64)
    np.maximum.at(cover, rows, gt + eq)
    vals[2] = cover
    vals[3] = 1.0 - top_true / top_size
    vals[4] = np.where(r > 0, lrap, 0.0)
    has_p = inv_prop.shape[0] > 0
    p = inv_prop[indices] if has_p else None
    for q, k in enumerate(int(x) for x in ks):
        inside = gt < k
        stop = np.minimum(gt + eq, k)
        share = np.where(inside, (stop - gt) / eq, 0.0)
        gain = np.where(inside, (D[np.where(inside, stop, 0)] - D[np.where(inside, gt, 0)])
                        / eq, 0.0)
        hits = _row_sum(rows, share, n)
        at_k[0, q] = hits
        at_k[1, q] = np.where(r > 0, hits / np.maximum(r, 1), 0.0)
        at_k[2, q] = np.where(r > 0, _row_sum(rows, gain, n) / D[np.minimum(k, r)], 0.0)
        if has_p:
            ps[0, q] = _row_sum(rows, share * p, n)
            ps[2, q] = np.where(r > 0, _row_sum(rows, gain * p, n) / D[np.minimum(k, r)], 0.0)
    if has_p:
        _best_achievable(rows, indptr, p, ks, D, r, ps)


def _best_achievable(rows, indptr, p, ks, D, r, ps) -> None:
    """``ps[1]`` and ``ps[3]``: the propensity-scored hits and nDCG of the best ranking,
    each row's true labels of highest inverse propensity on top."""
    n = r.shape[0]
    order = np.lexsort((-p, rows))  # by row, then highest first (rows keep their places)
    best = p[order]
    place = np.arange(best.shape[0]) - indptr[rows]
    for q, k in enumerate(int(x) for x in ks):
        on_top = place < k
        ps[1, q] = _row_sum(rows, np.where(on_top, best, 0.0), n)
        dcg = np.where(on_top, best * (D[np.minimum(place + 1, k)] - D[np.minimum(place, k)]),
                       0.0)
        ps[3, q] = np.where(r > 0, _row_sum(rows, dcg, n) / D[np.minimum(k, r)], 0.0)
