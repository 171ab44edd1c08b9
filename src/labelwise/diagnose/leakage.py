"""Fingerprints of a label matrix, and test rows that also appear in the training
data."""

from __future__ import annotations

import hashlib
import re
from typing import Sequence

import numpy as np

from ..errors import InputError
from .findings import Finding, at_least

__all__ = ["fingerprint", "check_leakage"]


def fingerprint(y) -> str:
    """A short hash of a 0/1 matrix: the same labels give the same print, whether the
    matrix is dense (any numeric or bool dtype) or sparse.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> y = [[1, 0, 1], [0, 0, 1]]
    >>> fingerprint(y) == fingerprint(sp.csr_matrix(y)) == fingerprint([[True, False, True],
    ...                                                                 [False, False, True]])
    True
    >>> fingerprint(y) == fingerprint([[1, 0, 1], [0, 1, 0]])
    False
    """
    if hasattr(y, "tocsr"):
        m = y.tocsr(copy=True)
        m.sum_duplicates()
        m.eliminate_zeros()
        m.sort_indices()
        shape, indptr, indices = m.shape, m.indptr, m.indices
    else:
        arr = np.asarray(y)
        if arr.ndim != 2:
            raise InputError(f"fingerprint needs a 2-D 0/1 matrix, got shape {arr.shape}.")
        rows, indices = np.nonzero(arr)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=arr.shape[0]))])
        shape = arr.shape
    h = hashlib.blake2b(digest_size=12)
    h.update(np.asarray(shape, dtype=np.int64).tobytes())
    h.update(np.asarray(indptr, dtype=np.int64).tobytes())
    h.update(np.asarray(indices, dtype=np.int64).tobytes())
    return h.hexdigest()


_SPACE = re.compile(r"\s+")
_EXACT_FLOAT = 2.0 ** 53


def _key(x) -> bytes:
    if isinstance(x, str):
        return b"s" + _SPACE.sub(" ", x).strip().lower().encode("utf-8")
    if isinstance(x, bytes):
        return b"b" + x
    arr = np.ascontiguousarray(np.asarray(x))
    if arr.dtype.kind == "O":
        return b"o" + repr(arr.tolist()).encode("utf-8")
    if arr.dtype.kind in "biuf" and (
        arr.dtype.kind == "f" or not arr.size or np.abs(arr).max() <= _EXACT_FLOAT
    ):
        # Equal numbers give equal keys whatever their dtype (1 == 1.0 == True; -0.0 == 0.0).
        arr = arr.astype(np.float64) + 0.0
    return b"n" + arr.dtype.str.encode() + str(arr.shape).encode() + arr.tobytes()


def _rows(keys, name: str) -> Sequence:
    if isinstance(keys, (str, bytes)) or not hasattr(keys, "__len__"):
        raise InputError(
            f"{name} must be a sequence of keys (strings or feature rows), got "
            f"{type(keys).__name__}."
        )
    if hasattr(keys, "to_numpy"):  # pandas Series (one key per row) or DataFrame (rows)
        keys = keys.to_numpy()
    elif hasattr(keys, "tocsr"):
        keys = keys.toarray()
    elif not hasattr(keys, "__getitem__"):  # a set, a dict view, ...
        keys = list(keys)
    return keys


def check_leakage(train_keys, test_keys, *, examples: int = 3) -> Finding | None:
    """Test rows that also appear in the training data (exact duplicates).

    Keys are strings (compared after collapsing white space and lower-casing) or
    feature rows (arrays, compared value by value: 1, 1.0 and True are equal). A
    pandas Series gives one key per entry, a DataFrame or 2-D array one per row.
    Near-duplicates are not detected.

    Examples
    --------
    >>> f = check_leakage(["A cat", "a dog"], ["a  CAT ", "a bird"])
    >>> f.code, f.evidence["n_leaked"], f.evidence["share"]
    ('leakage', 1, 0.5)
    >>> check_leakage(["x"], ["y"]) is None
    True
    """
    train = _rows(train_keys, "train_keys")
    test = _rows(test_keys, "test_keys")
    if len(test) == 0:
        raise InputError("test_keys is empty: there is nothing to check.")
    seen = {hashlib.blake2b(_key(k), digest_size=16).digest() for k in train}
    leaked = [i for i, k in enumerate(test)
              if hashlib.blake2b(_key(k), digest_size=16).digest() in seen]
    if not leaked:
        return None
    share = len(leaked) / len(test)
    shown = [_preview(test[i]) for i in leaked[:examples]]
    strings = any(isinstance(test[i], str) for i in leaked)
    return Finding(
        "leakage", "critical" if at_least(share, 0.01) else "warning",
        f"{len(leaked)} of {len(test)} test rows ({share:.1%}) also appear in the training "
        "data" + (" (after normalising white space and case)" if strings else "")
        + f", e.g. rows {leaked[:examples]}: " + "; ".join(shown)
        + ". Test numbers on them measure memory, not generalisation.",
        "Remove the duplicates from the test split (or deduplicate before splitting), then "
        "evaluate again.",
        evidence={"n_leaked": len(leaked), "n_test": len(test), "share": share,
                  "test_rows": leaked[:20]},
    )


def _preview(x) -> str:
    """A short, one-line rendering of a key; mostly-zero feature rows show their
    non-zero entries as ``{column: value}``."""
    if isinstance(x, str):
        text = x
    else:
        arr = np.asarray(x)
        if arr.ndim == 1 and arr.dtype.kind in "biuf" and np.count_nonzero(arr) < arr.size / 2:
            nz = np.flatnonzero(arr)
            text = "non-zero {" + ", ".join(f"{i}: {float(arr[i]):g}" for i in nz[:12]) \
                + (", ..." if nz.size > 12 else "") + "}"
        else:
            text = repr(arr.tolist())
    text = _SPACE.sub(" ", text).strip()
    return repr(text[:80] + ("…" if len(text) > 80 else ""))
