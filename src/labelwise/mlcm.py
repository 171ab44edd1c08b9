"""State and kernel of the multi-label confusion matrix (MLCM) of Heydarian et al.

M. Heydarian, T. E. Doyle and R. Samavi, "MLCM: Multi-Label Confusion Matrix",
IEEE Access 10, pp. 19083-19095, 2022, doi:10.1109/ACCESS.2022.3151048.

The matrix has ``q + 1`` rows and columns for ``q`` labels: row ``i`` counts
samples with true label ``i`` and column ``j`` those with predicted label
``j``; the last row is *no true label* (NTL) and the last column *no predicted
label* (NPL). Each sample, with true set ``T`` and predicted set ``P``, adds
its weight to these cells:

1. ``T`` and ``P`` empty: ``[NTL, NPL]``;
2. ``T`` empty, ``P`` not: ``[NTL, p]`` for each ``p`` in ``P``;
3. ``P`` empty, ``T`` not: ``[t, NPL]`` for each ``t`` in ``T``;
4. both non-empty: ``[l, l]`` for each ``l`` in ``T & P``, and with the missing
   labels ``M = T - P`` and the extra labels ``E = P - T``:

   * only missing labels (``M`` non-empty, ``E`` empty): ``[m, NPL]`` for each
     ``m`` in ``M``;
   * only extra labels (``E`` non-empty, ``M`` empty): ``[t, e]`` for each
     ``t`` in ``T`` and each ``e`` in ``E``;
   * both: ``[m, e]`` for each ``m`` in ``M`` and each ``e`` in ``E`` (and
     nothing in ``NPL``).

The counts of two sets of samples add up to the counts of their union, so
:func:`mlcm_counts` is an additive state: chunks, batches and partitions are
summed. Kernels take canonical input only (see :mod:`labelwise._validate`) and
do not validate.
"""

from __future__ import annotations

import numpy as np
from . import _sparse as sp
from ._jit import njit

from ._parallel import in_threads
from .errors import InputError

__all__ = ["NORMALIZE", "check_normalize", "mlcm_counts", "normalize_mlcm"]

NORMALIZE = (None, "true", "pred", "all")


@njit(cache=True, nogil=True)
def _add_sample(out, q, t, nt, p, np_, wi, miss, extra):  # pragma: no cover
    """Add one sample of weight ``wi``: true labels ``t[:nt]``, predicted ``p[:np_]``.

    Both index lists are sorted and unique; ``miss`` and ``extra`` are scratch
    buffers of length ``q``.
    """
    if nt == 0:
        if np_ == 0:
            out[q, q] += wi
        else:
            for k in range(np_):
                out[q, p[k]] += wi
        return
    if np_ == 0:
        for k in range(nt):
            out[t[k], q] += wi
        return
    a = 0
    c = 0
    nm = 0
    ne = 0
    while a < nt and c < np_:
        ja = t[a]
        jc = p[c]
        if ja == jc:
            out[ja, ja] += wi
            a += 1
            c += 1
        elif ja < jc:
            miss[nm] = ja
            nm += 1
            a += 1
        else:
            extra[ne] = jc
            ne += 1
            c += 1
    while a < nt:
        miss[nm] = t[a]
        nm += 1
        a += 1
    while c < np_:
        extra[ne] = p[c]
        ne += 1
        c += 1
    if ne == 0:
        for k in range(nm):
            out[miss[k], q] += wi
    elif nm == 0:
        for k in range(nt):
            r = t[k]
            for e in range(ne):
                out[r, extra[e]] += wi
    else:
        for k in range(nm):
            r = miss[k]
            for e in range(ne):
                out[r, extra[e]] += wi


@njit(cache=True, nogil=True)
def csr_mlcm(q, t_indptr, t_indices, p_indptr, p_indices, w, lo, hi):  # pragma: no cover
    """MLCM counts of rows ``lo:hi`` of two CSR patterns with sorted unique indices.

    ``w`` holds one weight per row, or is empty for unit weights. Returns a
    ``(q + 1, q + 1)`` float64 array.
    """
    out = np.zeros((q + 1, q + 1))
    miss = np.empty(q, dtype=np.int64)
    extra = np.empty(q, dtype=np.int64)
    weighted = w.shape[0] > 0
    for i in range(lo, hi):
        wi = w[i] if weighted else 1.0
        a0 = t_indptr[i]
        c0 = p_indptr[i]
        _add_sample(out, q, t_indices[a0:t_indptr[i + 1]], t_indptr[i + 1] - a0,
                    p_indices[c0:p_indptr[i + 1]], p_indptr[i + 1] - c0, wi, miss, extra)
    return out


@njit(cache=True, nogil=True)
def dense_mlcm(t, p, w, lo, hi):  # pragma: no cover
    """MLCM counts of rows ``lo:hi`` of two dense ``(n, q)`` 0/1 matrices (bool or uint8).

    ``w`` as in :func:`csr_mlcm`.
    """
    q = t.shape[1]
    out = np.zeros((q + 1, q + 1))
    t_idx = np.empty(q + 1, dtype=np.int64)
    p_idx = np.empty(q + 1, dtype=np.int64)
    miss = np.empty(q, dtype=np.int64)
    extra = np.empty(q, dtype=np.int64)
    weighted = w.shape[0] > 0
    for i in range(lo, hi):
        wi = w[i] if weighted else 1.0
        nt = 0
        np_ = 0
        for j in range(q):  # branch-free: write every j, advance only past set ones
            t_idx[nt] = j
            nt += t[i, j]
            p_idx[np_] = j
            np_ += p[i, j]
        _add_sample(out, q, t_idx, nt, p_idx, np_, wi, miss, extra)
    return out


def mlcm_counts(y_true_csr, y_pred_csr, sample_weight=None) -> np.ndarray:
    """The multi-label confusion matrix of canonical truth and predictions.

    Parameters
    ----------
    y_true_csr, y_pred_csr : scipy.sparse.csr_matrix or ndarray
        Canonical input of the same shape ``(n_samples, q)``: CSR matrices with
        sorted, unique indices (only the pattern is read), or dense 0/1 arrays
        (bool or uint8 are read in place). Not validated.
    sample_weight : ndarray of float64, optional
        One non-negative weight per sample (already checked).

    Returns
    -------
    ndarray of shape (q + 1, q + 1)
        int64 counts without weights, float64 sums of weights with them. Rows
        are the true labels then NTL; columns the predicted labels then NPL.
        The counts of two sets of samples sum to the counts of their union.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> t = sp.csr_matrix(np.array([[1, 1, 0], [0, 0, 0]], dtype=bool))
    >>> p = sp.csr_matrix(np.array([[1, 0, 1], [0, 1, 0]], dtype=bool))
    >>> mlcm_counts(t, p)
    array([[1, 0, 0, 0],
           [0, 0, 1, 0],
           [0, 0, 0, 0],
           [0, 1, 0, 0]])
    """
    w = (np.empty(0) if sample_weight is None
         else np.ascontiguousarray(sample_weight, dtype=np.float64))
    n, q = y_true_csr.shape
    if sp.issparse(y_true_csr):
        t, p = y_true_csr, y_pred_csr

        def run(lo, hi):
            return csr_mlcm(q, t.indptr, t.indices, p.indptr, p.indices, w, lo, hi)

        width = max(1, (t.nnz + p.nnz) // max(n, 1))
    else:
        t, p = (np.ascontiguousarray(y).view(np.uint8) if y.dtype in (np.bool_, np.uint8)
                else np.ascontiguousarray(y, dtype=np.uint8) for y in (y_true_csr, y_pred_csr))

        def run(lo, hi):
            return dense_mlcm(t, p, w, lo, hi)

        width = q
    blocks = in_threads(run, n, width)
    out = blocks[0] if len(blocks) == 1 else np.sum(blocks, axis=0)
    return out.astype(np.int64) if sample_weight is None else out


def check_normalize(normalize):
    """Return ``normalize`` if it is one of :data:`NORMALIZE`, else raise InputError."""
    if normalize is None or (isinstance(normalize, str) and normalize in NORMALIZE):
        return normalize
    raise InputError(
        f"normalize must be None, 'true' (rows sum to 1), 'pred' (columns sum to 1) or "
        f"'all' (the matrix sums to 1), got {normalize!r}."
    )


def normalize_mlcm(counts: np.ndarray, normalize=None) -> np.ndarray:
    """The MLCM ``counts`` as they are, or divided by row, column or total sums.

    ``"true"`` divides each row by its sum, ``"pred"`` each column, ``"all"``
    the whole matrix by its total. A row or column whose sum is 0 (a label
    never true, or never predicted) stays 0, as does a matrix of zeros.

    Examples
    --------
    >>> normalize_mlcm(np.array([[1, 3], [0, 0]]), "true")
    array([[0.25, 0.75],
           [0.  , 0.  ]])
    """
    normalize = check_normalize(normalize)
    if normalize is None:
        return counts
    c = np.asarray(counts, dtype=np.float64)
    if normalize == "all":
        total = c.sum()
        return c / total if total > 0 else np.zeros_like(c)
    axis = 1 if normalize == "true" else 0
    s = c.sum(axis=axis, keepdims=True)
    return np.divide(c, s, out=np.zeros_like(c), where=s > 0)
