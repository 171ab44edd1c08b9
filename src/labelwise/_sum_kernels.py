"""Hot loop of the bootstrap: column sums of a sparse matrix under many weightings.

``out[j, r] = sum_i data[i, j] * W[i, r]`` for a sparse matrix and sample-major
weights ``W`` of shape ``(n, R)``. The rows are read in order, each sample's row of
``W`` once, and added to the small ``(n_columns, R)`` output, which stays in the
cache. Rows are split into blocks of a fixed size whose partial sums are added in
block order, so the sums are the same whatever the number of threads. No validation.
"""

from __future__ import annotations

import numpy as np
from . import _sparse as sp
from ._jit import njit

from ._parallel import in_threads

__all__ = ["weighted_column_sums"]

ROWS_PER_BLOCK = 1 << 14  # fixed: the order of the sums must not depend on the threads


@njit(cache=True, nogil=True)
def _row_sums(indptr, indices, data, W, lo, hi, out):  # pragma: no cover
    R = W.shape[1]
    for i in range(lo, hi):
        a, b = indptr[i], indptr[i + 1]
        if a == b:
            continue
        row = W[i]
        for p in range(a, b):
            acc = out[indices[p]]
            v = data[p]
            for r in range(R):
                acc[r] += v * row[r]


def weighted_column_sums(m, W: np.ndarray) -> np.ndarray:
    """``(m.T @ W)`` as a ``(n_columns, R)`` float64 array, in a fixed summation order;
    ``W`` is float64, or uint8 (replicate counts, read as they are).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> m = sp.csr_matrix(np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]]))
    >>> W = np.array([[1.0, 0.0], [1.0, 2.0], [1.0, 1.0]])
    >>> weighted_column_sums(m, W).tolist()
    [[3.0, 4.0], [4.0, 5.0]]
    """
    m = m if sp.isspmatrix_csr(m) else sp.csr_matrix(m)
    W = np.ascontiguousarray(W, dtype=np.uint8 if W.dtype == np.uint8 else np.float64)
    data = np.asarray(m.data, dtype=np.float64)
    n, L, R = m.shape[0], m.shape[1], W.shape[1]
    n_blocks = max(1, -(-n // ROWS_PER_BLOCK))
    parts = [None] * n_blocks

    def run(lo: int, hi: int) -> None:  # a range of blocks
        for b in range(lo, hi):
            out = np.zeros((L, R))
            _row_sums(m.indptr, m.indices, data, W, b * ROWS_PER_BLOCK,
                      min(n, (b + 1) * ROWS_PER_BLOCK), out)
            parts[b] = out

    in_threads(run, n_blocks, max(1, m.nnz // n_blocks) * R)
    total = parts[0]
    for part in parts[1:]:
        total += part
    return total
