"""Unknown truth entries: the ``unknown=`` marker and ``y_true_unknown`` sets.

An *unknown* entry of ``y_true`` is a (sample, label) pair nobody annotated. It
is neither true nor false, so it is left out of every count (see
:mod:`labelwise.unknown_entries` for what each metric does with it).

Two ways to say which entries are unknown:

* ``unknown=VALUE`` marks the entries of a truth matrix equal to ``VALUE``
  (``-1``, say, or ``"?"``), or missing (``unknown="nan"``: NaN, None and pandas'
  NA), in dense or sparse matrices;
* ``y_true_unknown`` gives them apart: a label set per sample (for label-set
  truth, ``[["jazz"], []]``) or a 0/1 matrix of ``y_true``'s shape.

Either way the result is one boolean mask in the truth's column order, aligned
as the truth is (:func:`split_unknown` on the raw truth, then
:func:`unknown_mask` once the vocabulary is known), and the truth itself with 0
in place of every unknown entry.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import replace
from typing import Any

import numpy as np
from .. import _sparse as sp

from ..errors import InputError
from .labels import Labelled, to_canonical
from .raw import RawMatrix, RawSets, located, plain, read_raw, where

__all__ = ["check_unknown", "split_unknown", "unknown_mask", "apply_unknown"]

_NAN = "nan"


def check_unknown(unknown: Any):
    """The ``unknown`` marker, checked: None, ``"nan"``, a number other than 0 and 1,
    or a string.

    >>> check_unknown(-1), check_unknown("NaN"), check_unknown(None)
    (-1, 'nan', None)
    >>> check_unknown(1)
    Traceback (most recent call last):
    ...
    labelwise.InputError: unknown=1 would mark true (or false) entries as unknown: choose a value that the truth holds only where an entry was not annotated, such as -1, or unknown='nan' for missing values.
    """
    if unknown is None:
        return None
    if isinstance(unknown, np.generic):
        unknown = unknown.item()
    if isinstance(unknown, str):
        return _NAN if unknown.strip().lower() == _NAN else unknown
    if isinstance(unknown, bool) or not isinstance(unknown, numbers.Real):
        raise InputError(
            f"unknown must be a number such as -1, a string such as '?', or 'nan', got "
            f"{unknown!r} ({type(unknown).__name__})."
        )
    if isinstance(unknown, float) and math.isnan(unknown):
        return _NAN
    if unknown in (0, 1):
        raise InputError(
            f"unknown={unknown!r} would mark true (or false) entries as unknown: choose a "
            "value that the truth holds only where an entry was not annotated, such as -1, "
            "or unknown='nan' for missing values."
        )
    return unknown


def _missing_mask(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind != "O":
        return np.zeros(values.shape, dtype=np.bool_)
    return np.frompyfunc(_is_missing, 1, 1)(values).astype(np.bool_)


def _is_missing(x: Any) -> bool:
    if x is None or type(x).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(x, float) and math.isnan(x)


def _equal_mask(values: np.ndarray, unknown) -> np.ndarray:
    kind = values.dtype.kind
    if isinstance(unknown, str):
        if kind in "iuf":  # a number given as text, such as "-1", marks that number
            try:
                return values == float(unknown)
            except ValueError:
                return np.zeros(values.shape, dtype=np.bool_)
        if kind not in "OUS":
            return np.zeros(values.shape, dtype=np.bool_)
        return np.frompyfunc(lambda x: isinstance(x, str) and x.strip() == unknown.strip(),
                             1, 1)(values).astype(np.bool_)
    if kind == "O":
        return np.frompyfunc(lambda x: isinstance(x, numbers.Real) and not isinstance(x, bool)
                             and x == unknown, 1, 1)(values).astype(np.bool_)
    if kind in "iuf":
        return values == unknown
    return np.zeros(values.shape, dtype=np.bool_)


def split_unknown(raw, unknown, y_true_unknown=None, sep: str = ","):
    """Split the raw truth into the truth with 0 for each unknown entry and the raw
    unknown mask (a :class:`RawMatrix` of booleans, or the :class:`RawSets` of
    ``y_true_unknown``), in the truth's rows and columns; the mask is None when no
    entry is unknown.

    >>> import numpy as np
    >>> truth, mask = split_unknown(RawMatrix(np.array([[1, -1], [0, 1]]), None), -1)
    >>> truth.values.tolist(), mask.values.tolist()
    ([[1, 0], [0, 1]], [[False, True], [False, False]])
    """
    if isinstance(raw, RawSets) and raw.unknown is not None:  # sets carrying their own
        if y_true_unknown is not None:
            raise InputError("the label sets of y_true carry their unknown labels already; "
                             "do not give y_true_unknown as well.")
        y_true_unknown, raw = RawSets(raw.unknown), replace(raw, unknown=None)
    if y_true_unknown is not None:
        if unknown is not None:
            raise InputError(
                "give unknown= (a value marking unknown entries inside y_true) or "
                "y_true_unknown= (the unknown entries apart), not both."
            )
        return raw, _read_given(raw, y_true_unknown, sep)
    if unknown is None:
        return raw, None
    if isinstance(raw, RawSets):
        raise InputError(
            f"unknown={unknown!r} marks entries of a truth matrix, but y_true holds label "
            "sets: give the labels nobody annotated as a second set per sample instead, "
            "y_true_unknown=[['jazz'], [], ...]."
        )
    values = raw.values
    if sp.issparse(values):
        return _split_sparse(raw, unknown)
    values = np.asarray(values)
    mask = _missing_mask(values) if unknown == _NAN else _equal_mask(values, unknown)
    if values.ndim != 2 or not mask.any():
        return raw, None
    clean = values.copy() if values.dtype.kind != "O" else values.astype(object)
    clean[mask] = 0
    return replace(raw, values=clean), replace(raw, values=mask)


def _split_sparse(raw: RawMatrix, unknown):
    m = sp.csr_matrix(raw.values)
    if isinstance(unknown, str) and unknown != _NAN:
        return raw, None
    if m.dtype.kind not in "iuf":
        return raw, None
    hit = np.isnan(m.data) if unknown == _NAN else (m.data == unknown)
    if not hit.any():
        return raw, None
    m = m.copy()
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    mask = sp.csr_matrix((np.ones(int(hit.sum()), dtype=np.bool_), (rows[hit], m.indices[hit])),
                         shape=m.shape)
    m.data[hit] = 0
    m.eliminate_zeros()
    return replace(raw, values=m), replace(raw, values=mask)


def _read_given(raw, y_true_unknown, sep: str):
    """``y_true_unknown`` read like ``y_true``: label sets, or a 0/1 matrix."""
    given = read_raw(y_true_unknown, "y_true_unknown", sep)
    n = len(raw.rows) if isinstance(raw, RawSets) else raw.values.shape[0]
    m = len(given.rows) if isinstance(given, RawSets) else np.shape(given.values)[0]
    if m != n:
        raise InputError(
            f"y_true_unknown has {m} rows but y_true has {n}: give one entry per sample "
            "(an empty set, or a row of zeros, where every label was annotated)."
        )
    if isinstance(given, RawSets):
        if not any(given.rows):
            return None
        return replace(given, index=raw.index, paired=True, pandas=raw.pandas)
    names = given.names if given.names is not None else getattr(raw, "names", None)
    return replace(given, names=names, index=raw.index, paired=True, pandas=raw.pandas)


def unknown_mask(raw_mask, vocab: tuple | None, shape: tuple) -> sp.csr_matrix | None:
    """The raw mask of :func:`split_unknown` as a canonical boolean CSR matrix over the
    truth's validated columns (``vocab``: the label names, or None for positions)."""
    if raw_mask is None:
        return None
    if isinstance(raw_mask, RawSets) and vocab is None:  # integer ids name the columns
        vocab = tuple(range(shape[1]))
    m = sp.csr_matrix(to_canonical(raw_mask, "y_true_unknown", vocab))
    m.sort_indices()
    if m.shape != shape:
        raise InputError(
            f"y_true_unknown has shape {m.shape} but y_true has shape {shape}: give one row "
            "per sample and one column per label, in the truth's order."
        )
    return m if m.nnz else None


def apply_unknown(data: Labelled, mask: sp.csr_matrix | None) -> Labelled:
    """``data`` with every unknown entry taken out of the predictions too (the truth is
    0 there already); a true entry also marked unknown is an error."""
    if mask is None:
        return data
    t = data.y_true
    if sp.issparse(t):
        both = t.multiply(mask)
        clash = both.nnz > 0 and sp.csr_matrix(both).count_nonzero() > 0
    else:
        rows = np.repeat(np.arange(mask.shape[0]), np.diff(mask.indptr))
        clash = bool(t[rows, mask.indices].any())
    if clash:
        m = sp.csr_matrix(t).multiply(mask).tocoo()
        r, c = int(m.row[0]), int(m.col[0])
        names = data.labels if data.named else None
        raise located(InputError(
            f"y_true marks the entry at {where(r, c, names)} as true, and y_true_unknown "
            "marks it as unknown: an entry is either annotated or not. Remove it from one "
            "of the two."
        ), r, c, plain(True))
    p = data.y_pred
    if sp.issparse(p):
        p = sp.csr_matrix(p - p.multiply(mask).astype(p.dtype))
        p.eliminate_zeros()
        p.data = np.ones(p.nnz, dtype=np.bool_)
        p.sort_indices()
    else:
        p = np.array(p, dtype=np.bool_, copy=True)
        rows = np.repeat(np.arange(mask.shape[0]), np.diff(mask.indptr))
        p[rows, mask.indices] = False
    return replace(data, y_pred=p)
