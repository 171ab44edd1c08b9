"""The counts of small inputs with numpy alone, without loading the compiled kernels.

Loading numba and a cached kernel takes a few tenths of a second (compiling it,
on a first run, several seconds), far more than counting a few thousand rows:
numpy counts about 3-10 ms per million cells, the kernel about 1 ms. So
:func:`labelwise.counts.per_row_counts` counts here the first ``COUNTS.cells``
cells of the process (about 30 ms of numpy, a tenth of loading the kernel); after
that, the kernels count. This holds when numba is loaded for other kernels (the
score kernels of a run with scores): the counting kernel would still have to be
loaded, or compiled on a first run.
The results are identical to the kernels' (same dtypes; the weighted sums are
added row by row in the same order, so the floats agree bit for bit), so which
path ran never shows in a result.
"""

from __future__ import annotations

import numpy as np

from ._budget import COUNTS

__all__ = ["take", "dense_counts", "csr_counts"]

def take(cells: int) -> bool:
    """Whether to count ``cells`` more cells here rather than with the kernels: True
    while the process has counted at most ``COUNTS.cells`` cells here, these
    included (:data:`labelwise._budget.COUNTS`).

    Parameters
    ----------
    cells : int
        Size of the input about to be counted (``n * L``, or its entries).

    Returns
    -------
    bool
    """
    return COUNTS.take(cells)


def dense_counts(t8: np.ndarray, p8: np.ndarray, sample_weight=None) -> tuple:
    """Per-label ``tp, fp, fn, tn`` and per-row sizes of two (n, L) ``uint8`` 0/1 matrices.

    Parameters
    ----------
    t8, p8 : ndarray of uint8, shape (n, L)
        Truth and predictions, C-contiguous, 0/1.
    sample_weight : ndarray of float64, shape (n,), optional
        Row weights; the per-label counts are then float64 sums of weights.

    Returns
    -------
    tuple
        ``(tp, fp, fn, tn, row_true, row_pred, row_both)``: per-label int64 (or
        float64 when weighted) arrays, then per-row int32 arrays, as the kernels
        of :mod:`labelwise._dense_kernels` give them.

    Examples
    --------
    >>> t = np.array([[1, 0], [1, 1]], dtype=np.uint8)
    >>> p = np.array([[1, 1], [0, 1]], dtype=np.uint8)
    >>> [a.tolist() for a in dense_counts(t, p)]
    [[1, 1], [0, 1], [1, 0], [0, 0], [1, 2], [2, 1], [1, 1]]
    """
    n = t8.shape[0]
    both = t8 & p8
    row_true = t8.sum(axis=1, dtype=np.int32)
    row_pred = p8.sum(axis=1, dtype=np.int32)
    row_both = both.sum(axis=1, dtype=np.int32)
    if sample_weight is None:
        tp = both.sum(axis=0, dtype=np.int64)
        ts = t8.sum(axis=0, dtype=np.int64)
        ps = p8.sum(axis=0, dtype=np.int64)
        fp, fn = ps - tp, ts - tp
        return tp, fp, fn, n - tp - fp - fn, row_true, row_pred, row_both
    w = np.asarray(sample_weight, dtype=np.float64)[:, None]
    x = both.astype(np.float64)
    a = t8.astype(np.float64)
    c = p8.astype(np.float64)
    tp = _in_row_order(w * x)
    fp = _in_row_order(w * (c - x))
    fn = _in_row_order(w * (a - x))
    tn = _in_row_order(w * (1.0 - a - c + x))
    return tp, fp, fn, tn, row_true, row_pred, row_both


def _in_row_order(m: np.ndarray) -> np.ndarray:
    """Column sums of an (n, L) C-contiguous float64 array, adding row after row.

    With two or more columns, numpy's axis-0 sum runs over the rows in order, as
    the kernel does. A single column is one contiguous run, which numpy would sum
    pairwise (other roundings), so it goes through the sequential cumulative sum.
    """
    if m.shape[1] != 1:
        return m.sum(axis=0)
    if m.shape[0] == 0:
        return np.zeros(1)
    return np.cumsum(m[:, 0])[-1:]


def csr_counts(n_labels: int, t_indptr, t_indices, p_indptr, p_indices, w) -> tuple:
    """:func:`labelwise._kernels.csr_counts` for unweighted rows (``w`` all ones).

    Parameters
    ----------
    n_labels : int
    t_indptr, t_indices, p_indptr, p_indices : ndarray
        The CSR patterns of truth and predictions, sorted unique indices per row.
    w : ndarray of float64, shape (n,)
        Row weights, all 1: the caller leaves weighted rows to the kernel.

    Returns
    -------
    tuple
        ``(tp, fp, fn, tn, row_true, row_pred, row_both)``: float64 per-label
        counts and int32 per-row sizes, as the kernel gives them.

    Examples
    --------
    >>> ip = np.array([0, 1, 3]); t = np.array([0, 0, 1]); p = np.array([0, 1, 1])
    >>> [a.tolist() for a in csr_counts(2, ip, t, np.array([0, 2, 3]), p, np.ones(2))]
    [[1.0, 1.0], [0.0, 1.0], [1.0, 0.0], [0.0, 0.0], [1, 2], [2, 1], [1, 1]]
    """
    n = t_indptr.shape[0] - 1
    row_true = np.diff(t_indptr).astype(np.int32)
    row_pred = np.diff(p_indptr).astype(np.int32)
    rows_t = np.repeat(np.arange(n, dtype=np.int64), row_true)
    rows_p = np.repeat(np.arange(n, dtype=np.int64), row_pred)
    key_t = rows_t * n_labels + t_indices
    key_p = rows_p * n_labels + p_indices
    common = np.intersect1d(key_t, key_p, assume_unique=True)
    row_both = np.bincount(common // n_labels, minlength=n).astype(np.int32)
    tp = np.bincount(common % n_labels, minlength=n_labels).astype(np.float64)
    ts = np.bincount(t_indices, minlength=n_labels).astype(np.float64)
    ps = np.bincount(p_indices, minlength=n_labels).astype(np.float64)
    fp, fn = ps - tp, ts - tp
    tn = float(n) - (tp + fp + fn)
    return tp, fp, fn, tn, row_true, row_pred, row_both
