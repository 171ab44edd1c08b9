"""The small kernels of sparse and top-k scores in numpy passes, for small inputs:
the same results (integers, and scores as they are stored), with nothing to compile.

:func:`kernels_for` picks the module: this one for fewer than
:data:`~labelwise._budget.NUMPY_CELLS` entries, else
:mod:`labelwise._partial_kernels`, whose functions of the same names take the same
arguments.
"""

from __future__ import annotations

import numpy as np

from ._budget import NUMPY_CELLS

__all__ = ["kernels_for", "entry_range", "topk_problem", "kept_entries"]


def kernels_for(entries: int):
    """The module whose ``entry_range``, ``topk_problem`` and ``kept_entries`` serve an
    input of ``entries`` stored scores (or top-k indices).

    >>> kernels_for(10).__name__
    'labelwise._partial_numpy'
    """
    if entries < NUMPY_CELLS:
        import sys

        return sys.modules[__name__]
    from . import _partial_kernels

    return _partial_kernels


def entry_range(indices, values, n_labels):
    """The smallest and largest stored score of each label (NaN where none is stored);
    of equal scores (0.0 and -0.0), the first stored one.

    >>> entry_range(np.array([1, 0, 1]), np.array([0.5, 0.25, 0.75]), 3)
    (array([0.25, 0.5 ,  nan]), array([0.25, 0.75,  nan]))
    """
    v = np.asarray(values, dtype=np.float64)
    j = np.asarray(indices, dtype=np.int64)
    low = np.full(n_labels, np.inf)
    high = np.full(n_labels, -np.inf)
    np.minimum.at(low, j, v)
    np.maximum.at(high, j, v)
    for ends in (low, high):  # a zero end: the label's first stored zero, with its sign
        hits = np.flatnonzero((ends[j] == 0.0) & (v == 0.0))
        if hits.size:
            zero_labels, first = np.unique(j[hits], return_index=True)
            ends[zero_labels] = v[hits[first]]
    none = low == np.inf
    low[none] = np.nan
    high[none] = np.nan
    return low, high


def topk_problem(idx, n_labels):
    """The first problem of (n, k) top-k label indices: ``(1, row, column)`` for the
    first index (row by row) outside ``0..n_labels-1``; else ``(2, row, label)`` for
    the first row listing a label twice (its smallest such label); else
    ``(0, -1, -1)``.

    >>> topk_problem(np.array([[0, 2], [1, 1]]), 3), topk_problem(np.array([[0, 3]]), 3)
    ((2, 1, 1), (1, 0, 1))
    """
    bad = (idx < 0) | (idx >= n_labels)
    if bad.any():
        i, c = np.argwhere(bad)[0]
        return 1, int(i), int(c)
    ordered = np.sort(idx, axis=1)
    twice = ordered[:, 1:] == ordered[:, :-1]
    rows = twice.any(axis=1)
    if rows.any():
        i = int(np.argmax(rows))
        return 2, i, int(ordered[i, 1:][twice[i]].min())
    return 0, -1, -1


def kept_entries(indptr, indices, values, cuts, inclusive):
    """The CSR ``(indptr, indices)`` of the stored entries above their label's cut
    (``cuts`` has one per label, or one for all; compared in float64), or equal to it
    with ``inclusive``; each row's labels sorted.

    >>> kept_entries(np.array([0, 2, 3]), np.array([2, 0, 1]), np.array([0.9, 0.4, 0.6]),
    ...              np.array([0.5]), False)
    (array([0, 1, 2]), array([2, 1]))
    """
    n = indptr.shape[0] - 1
    v = np.asarray(values, dtype=np.float64)
    c = cuts[0] if cuts.shape[0] == 1 else cuts[indices]
    keep = (v > c) | (inclusive & (v == c))
    rows = np.repeat(np.arange(n), np.diff(indptr))[keep]
    labels = np.asarray(indices)[keep]
    order = np.lexsort((labels, rows))
    out_ptr = np.zeros(n + 1, dtype=indptr.dtype)
    np.cumsum(np.bincount(rows, minlength=n), out=out_ptr[1:])
    return out_ptr, labels[order].astype(indices.dtype, copy=False)
