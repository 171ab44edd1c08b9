"""The sums of the calibration kernels (:mod:`labelwise._calibration_kernels`,
unweighted and weighted) for small inputs, in numpy passes: the same numbers, with
nothing to compile.

The calibration state takes this path for the small inputs that
:data:`labelwise._budget.SCORES` lets through (a first report on a small file then
waits for no compiler). Each sum is a
:func:`numpy.bincount`, which adds in input order (row after row, as the kernel
does), and the logarithms are taken by :func:`math.log`, the kernel's: the sums are
bit for bit the kernel's.
"""

from __future__ import annotations

import math

import numpy as np

from ._calibration_kernels import _PRODUCT_ROWS

__all__ = ["calibration_sums"]


def calibration_sums(s, indptr, indices, edges, eps, bins, sq, ll, w=None) -> None:
    """Add every row of ``s`` (n, L) with CSR truth ``indptr``, ``indices`` to ``bins``
    (flat ``(L, B, 3)``), ``sq`` and ``ll`` (L,), as the kernel does for rows ``0:n``:
    :func:`~labelwise._calibration_kernels.calibration_sums`, or with row weights ``w``
    :func:`~labelwise._calibration_kernels.calibration_sums_weighted` (every sum takes
    ``w[i]`` times its term, and each entry's log loss its own logarithm).

    Examples
    --------
    >>> import numpy as np
    >>> s = np.array([[0.2, 0.9], [0.6, 0.4]])
    >>> args = (s, np.array([0, 1, 2]), np.array([1, 0]), np.linspace(0, 1, 3), 1e-15)
    >>> bins, sq, ll = np.zeros(2 * 2 * 3), np.zeros(2), np.zeros(2)
    >>> calibration_sums(*args, bins, sq, ll)
    >>> bins.reshape(2, 2, 3)[0].tolist()  # label 0: (count, scores, truths) per bin
    [[1.0, 0.2, 0.0], [1.0, 0.6, 1.0]]
    >>> np.round(sq, 6).tolist()
    [0.2, 0.17]
    >>> bins[:] = 0
    >>> calibration_sums(*args, bins, sq, ll, w=np.array([2.0, 1.0]))
    >>> bins.reshape(2, 2, 3)[0].tolist()  # now (weight, scores, truths)
    [[2.0, 0.4, 0.0], [1.0, 0.6, 1.0]]
    """
    n, L = s.shape
    B = edges.shape[0] - 1
    if not n:
        return
    p = np.asarray(s, dtype=np.float64)
    y = np.zeros((n, L))
    y[np.repeat(np.arange(n), np.diff(indptr)), indices] = 1.0
    known = p >= 0.0  # -inf or NaN: an unknown entry, left out
    pk = np.where(known, p, 0.0)
    b = np.minimum((pk * B).astype(np.int64), B - 1)
    down = (b > 0) & (pk <= edges[b])
    up = ~down & (b < B - 1) & (pk > edges[np.minimum(b + 1, B)])
    b = b - down + up
    label = np.broadcast_to(np.arange(L), (n, L))[known]
    # a weight of 1.0 multiplies exactly: the unweighted sums are the same numbers
    wi = np.ones(label.shape[0]) if w is None else np.broadcast_to(
        np.asarray(w, dtype=np.float64)[:, None], (n, L))[known]
    slot = (label * B + b[known]) * 3
    size = L * B * 3
    bins += np.bincount(slot, weights=wi, minlength=size)
    bins += np.bincount(slot + 1, weights=wi * p[known], minlength=size)
    bins += np.bincount(slot + 2, weights=wi * y[known], minlength=size)
    d = p[known] - y[known]
    sq += np.bincount(label, weights=wi * (d * d), minlength=L)
    q = y * pk + (1.0 - y) * (1.0 - pk)
    if w is not None:  # each entry's logarithm, weighted
        logs = np.array([math.log(x) for x in
                         np.minimum(np.maximum(q[known], eps), 1.0 - eps).tolist()])
        ll -= np.bincount(label, weights=wi * logs, minlength=L)
        return
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
