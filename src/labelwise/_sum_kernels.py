"""Hot loop of the bootstrap: column sums of a sparse matrix under many weightings.

``out[j, r] = sum_i data[i, j] * W[i, r]`` for a CSC matrix and sample-major
weights ``W`` of shape ``(n, R)``: the replicate axis is the inner loop, and each
column is summed in one fixed order, so the sums are the same whatever the number
of threads. No validation here.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit

from ._parallel import in_threads

__all__ = ["weighted_column_sums"]


@njit(cache=True, nogil=True)
def _column_sums(indptr, indices, data, W, lo, hi, out):  # pragma: no cover
    R = W.shape[1]
    for j in range(lo, hi):
        acc = out[j]
        for p in range(indptr[j], indptr[j + 1]):
            i = indices[p]
            v = data[p]
            row = W[i]
            for r in range(R):
                acc[r] += v * row[r]


def weighted_column_sums(m: sp.csc_matrix, W: np.ndarray) -> np.ndarray:
    """``(m.T @ W)`` as a ``(n_columns, R)`` float64 array, in a fixed summation order.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> m = sp.csc_matrix(np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]]))
    >>> W = np.array([[1.0, 0.0], [1.0, 2.0], [1.0, 1.0]])
    >>> weighted_column_sums(m, W).tolist()
    [[3.0, 4.0], [4.0, 5.0]]
    """
    out = np.zeros((m.shape[1], W.shape[1]))
    W = np.ascontiguousarray(W, dtype=np.float64)
    data = np.asarray(m.data, dtype=np.float64)

    def run(lo: int, hi: int) -> None:
        _column_sums(m.indptr, m.indices, data, W, lo, hi, out)

    in_threads(run, m.shape[1], max(1, m.nnz // max(1, m.shape[1])) * W.shape[1])
    return out
