"""The sums of :func:`labelwise._calibration_kernels.calibration_sums` for small
inputs, in numpy passes: the same numbers, with nothing to compile.

Below :data:`labelwise._parallel.NUMPY_CELLS` cells, the calibration state takes
this path (a first report on a small file then waits for no compiler). Each sum is a
:func:`numpy.bincount`, which adds in input order (row after row, as the kernel
does), and the logarithms are taken by :func:`math.log`, the kernel's: the sums are
bit for bit the kernel's.
"""

from __future__ import annotations

import math

import numpy as np

from ._calibration_kernels import _PRODUCT_ROWS

__all__ = ["calibration_sums", "calibration_sums_weighted"]


def _entries(s, indptr, indices, edges):
    """The float64 scores, truths, known-entry mask, labels and bins of every entry,
    row after row, as the kernels read them."""
    n, L = s.shape
    B = edges.shape[0] - 1
    p = np.asarray(s, dtype=np.float64)
    y = np.zeros((n, L))
    y[np.repeat(np.arange(n), np.diff(indptr)), indices] = 1.0
    known = p >= 0.0  # -inf or NaN: an unknown entry, left out
    pk = np.where(known, p, 0.0)
    b = np.minimum((pk * B).astype(np.int64), B - 1)
    down = (b > 0) & (pk <= edges[b])
    up = ~down & (b < B - 1) & (pk > edges[np.minimum(b + 1, B)])
    b = b - down + up
    label = np.broadcast_to(np.arange(L), (n, L))
    return p, pk, y, known, label, b


def calibration_sums_weighted(s, indptr, indices, w, edges, eps, bins, sq, ll) -> None:
    """:func:`calibration_sums` with row ``i`` weighted by ``w[i]``, as
    :func:`labelwise._calibration_kernels.calibration_sums_weighted` adds them: every
    sum takes ``w[i]`` times its term, and each entry's log loss its own logarithm.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[0.2, 0.9], [0.6, 0.4]])
    >>> bins, sq, ll = np.zeros(2 * 2 * 3), np.zeros(2), np.zeros(2)
    >>> calibration_sums_weighted(s, np.array([0, 1, 2]), np.array([1, 0]),
    ...                           np.array([2.0, 1.0]), np.linspace(0, 1, 3), 1e-15,
    ...                           bins, sq, ll)
    >>> bins.reshape(2, 2, 3)[0].tolist()  # label 0: (weight, scores, truths) per bin
    [[2.0, 0.4, 0.0], [1.0, 0.6, 1.0]]
    """
    n, L = s.shape
    B = edges.shape[0] - 1
    if not n:
        return
    p, pk, y, known, label, b = _entries(s, indptr, indices, edges)
    wi = np.broadcast_to(np.asarray(w, dtype=np.float64)[:, None], (n, L))[known]
    label = label[known]
    slot = (label * B + b[known]) * 3
    size = L * B * 3
    bins += np.bincount(slot, weights=wi, minlength=size)
    bins += np.bincount(slot + 1, weights=wi * p[known], minlength=size)
    bins += np.bincount(slot + 2, weights=wi * y[known], minlength=size)
    d = p[known] - y[known]
    sq += np.bincount(label, weights=wi * (d * d), minlength=L)
    q = y * pk + (1.0 - y) * (1.0 - pk)
    q = np.minimum(np.maximum(q[known], eps), 1.0 - eps)
    logs = np.array([math.log(x) for x in q.tolist()])
    ll -= np.bincount(label, weights=wi * logs, minlength=L)


def calibration_sums(s, indptr, indices, edges, eps, bins, sq, ll) -> None:
    """Add every row of ``s`` (n, L) with CSR truth ``indptr``, ``indices`` to ``bins``
    (flat ``(L, B, 3)``), ``sq`` and ``ll`` (L,), as the kernel does for rows ``0:n``.

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[0.2, 0.9], [0.6, 0.4]])
    >>> bins, sq, ll = np.zeros(2 * 2 * 3), np.zeros(2), np.zeros(2)
    >>> calibration_sums(s, np.array([0, 1, 2]), np.array([1, 0]), np.linspace(0, 1, 3),
    ...                  1e-15, bins, sq, ll)
    >>> bins.reshape(2, 2, 3)[0].tolist()  # label 0: (count, scores, truths) per bin
    [[1.0, 0.2, 0.0], [1.0, 0.6, 1.0]]
    >>> np.round(sq, 6).tolist()
    [0.2, 0.17]
    """
    n, L = s.shape
    B = edges.shape[0] - 1
    if not n:
        return
    p, pk, y, known, label, b = _entries(s, indptr, indices, edges)
    label = label[known]
    slot = (label * B + b[known]) * 3
    size = L * B * 3
    bins += np.bincount(slot, minlength=size)
    bins += np.bincount(slot + 1, weights=p[known], minlength=size)
    bins += np.bincount(slot + 2, weights=y[known], minlength=size)
    d = p[known] - y[known]
    sq += np.bincount(label, weights=d * d, minlength=L)
    q = y * pk + (1.0 - y) * (1.0 - pk)
    q = np.where(known, np.minimum(np.maximum(q, eps), 1.0 - eps), 1.0)
    # the clipped q of each run of rows multiplied, then one logarithm per run and label
    runs = -(-n // _PRODUCT_ROWS)
    padded = np.ones((runs * _PRODUCT_ROWS, L))
    padded[:n] = q
    product = padded.reshape(runs, _PRODUCT_ROWS, L)[:, 0].copy()
    for a in range(1, _PRODUCT_ROWS):
        product *= padded.reshape(runs, _PRODUCT_ROWS, L)[:, a]
    logs = np.array([math.log(x) for x in product.ravel().tolist()]).reshape(runs, L)
    for run in logs:
        ll -= run
