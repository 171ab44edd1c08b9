"""Labels: the ``labels`` argument, the label vocabulary, label-set encoding, and
truth and predictions in canonical 0/1 form (dense ``bool`` or canonical CSR)."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from .. import _sparse as sp

from .._names import near_match
from ..errors import InputError
from .raw import RawMatrix, RawSets, as_2d, located, match_rows, plain, read_raw, where

__all__ = [
    "TruthShape",
    "Labelled",
    "check_labels",
    "sorted_union",
    "align_named",
    "vocabulary_of",
    "to_canonical",
    "coerce_pair",
    "canonical_pair",
]


class TruthShape:
    """``n_samples`` and ``n_labels`` read off a validated ``y_true``."""

    y_true: Any

    @property
    def n_samples(self) -> int:
        return self.y_true.shape[0]

    @property
    def n_labels(self) -> int:
        return self.y_true.shape[1]


@dataclass(frozen=True)
class Labelled(TruthShape):
    """Validated truth and predictions, aligned column for column and row for row.

    Attributes
    ----------
    y_true, y_pred : ndarray of bool or scipy.sparse.csr_matrix
        Both dense or both sparse, of the same shape.
    labels : tuple
        One name per column (the column indices when no input named them).
    named : bool
        Whether ``labels`` are names given by the inputs or ``labels=``, rather
        than column indices made up for unnamed matrices.
    index : pandas.Index or None
        The rows' index when y_true and y_pred were matched by index (rows are
        in its order); None when rows were matched by position.
    """

    y_true: Any
    y_pred: Any
    labels: tuple
    named: bool = True
    index: Any = None



def _is_missing(x: Any) -> bool:
    """None, NaN or pandas' NA (recognised without importing pandas)."""
    if x is None or type(x).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, numbers.Integral) and math.isnan(x)



def _made_by_numpy(values: np.ndarray) -> bool:
    """Whether a bool array is numpy's own, or a view of one: numpy writes no bool
    bytes but 0 and 1. A view of other data as bool (``u8.view(bool)``, a foreign
    buffer) may hold other bytes, each of which reads as True."""
    while values.base is not None:
        values = values.base
        if not isinstance(values, np.ndarray) or values.dtype != np.bool_:
            return False
    return True


def canonical_pair(y_true, y_pred) -> bool:
    """Whether two inputs are already what :func:`coerce_pair` makes of unnamed dense
    matrices: numpy bool arrays (not a subclass, not a view of other bytes), 2-D,
    C-contiguous, of one non-empty shape. Such a pair needs no other check.

    >>> import numpy as np
    >>> y = np.array([[True, False], [False, False]])
    >>> canonical_pair(y, y), canonical_pair(y, y.astype(np.uint8)), canonical_pair(y, y.T)
    (True, False, False)
    """
    return (type(y_true) is np.ndarray and type(y_pred) is np.ndarray
            and y_true.dtype == np.bool_ and y_pred.dtype == np.bool_
            and y_true.ndim == 2 and y_true.shape == y_pred.shape and y_true.size > 0
            and y_true.flags.c_contiguous and y_pred.flags.c_contiguous
            and _made_by_numpy(y_true) and _made_by_numpy(y_pred))


def _dense_01(values: np.ndarray, name: str, names: tuple | None) -> np.ndarray:
    values = as_2d(values, name)
    kind = values.dtype.kind
    if kind == "b":
        if not _made_by_numpy(values) and values.size and values.view(np.uint8).max() > 1:
            values = values.view(np.uint8) != 0  # the counts read bytes: make them 0 and 1
        return np.ascontiguousarray(values)
    if kind in "iu":
        if values.max() > 1 or (kind == "i" and values.min() < 0):
            r, c = np.argwhere((values < 0) | (values > 1))[0]
            raise located(InputError(
                f"{name} must hold only 0 and 1, but has {plain(values[r, c])} at "
                f"{where(r, c, names)}. Binarise it first (e.g. y > 0)."
            ), r, c, values[r, c])
        if values.dtype.itemsize == 1:
            return np.ascontiguousarray(values).view(np.bool_)
        return np.ascontiguousarray(values != 0)
    if kind == "f":
        nonzero = values != 0
        if not np.equal(values, nonzero).all():  # each value is its 0/1 (NaN is not)
            ok = (values == 0) | (values == 1)
            r, c = np.argwhere(~ok)[0]
            if np.isnan(values[r, c]):
                raise located(InputError(
                    f"{name} has a missing value (nan) at {where(r, c, names)}; it must hold "
                    "only 0 and 1. Fill missing values first (e.g. with 0)."
                ), r, c, values[r, c])
            raise located(InputError(
                f"{name} must hold only 0 and 1, but has {plain(values[r, c])!r} at "
                f"{where(r, c, names)}. If these are scores or probabilities, pass them as "
                "y_score= with a threshold instead."
            ), r, c, values[r, c])
        return np.ascontiguousarray(nonzero)
    if kind in "OUS":
        for (r, c), x in np.ndenumerate(values):
            if isinstance(x, (str, bytes)):
                raise InputError(
                    f"{name} has the string {plain(x)!r} at {where(r, c, names)} where a "
                    "number was expected. Convert the column to numbers (0 and 1)."
                )
            if _is_missing(x):
                raise InputError(
                    f"{name} has a missing value ({x!r}) at {where(r, c, names)}; it must "
                    "hold only 0 and 1. Fill missing values first (e.g. with 0)."
                )
            if not isinstance(x, (numbers.Real, np.bool_)):
                raise InputError(
                    f"{name} has {x!r} ({type(x).__name__}) at {where(r, c, names)} where "
                    "0 or 1 was expected."
                )
        return _dense_01(values.astype(np.float64), name, names)
    raise InputError(f"{name} has dtype {values.dtype}; expected 0/1 integers or booleans.")


def _sparse_01(values: Any, name: str, names: tuple | None) -> sp.csr_matrix:
    if values.shape[0] == 0:
        raise InputError(f"{name} is empty: it has no samples (shape {values.shape}).")
    if values.shape[1] == 0:
        raise InputError(f"{name} has no labels (shape {values.shape}).")
    if values.dtype.kind not in "biuf":
        raise InputError(f"{name} has dtype {values.dtype}; expected 0/1 values.")
    m = sp.csr_matrix(values)  # CSR/CSC/COO/sparray -> CSR, never dense
    canonical = m.has_canonical_format
    if not canonical or not m.data.all():
        # csr_matrix(csr) shares the caller's arrays; the in-place clean-up below must not
        # touch them. Booleans are widened so that duplicate entries sum instead of OR-ing.
        m = m.astype(np.int64) if m.dtype.kind == "b" else m.copy()
        m.sum_duplicates()
        m.eliminate_zeros()
    bad = np.flatnonzero(m.data != 1)
    if bad.size:
        k = bad[0]
        row = int(np.searchsorted(m.indptr, k, side="right") - 1)
        col = int(m.indices[k])
        value = plain(m.data[k])
        if isinstance(value, float) and math.isnan(value):
            raise located(InputError(
                f"{name} has a missing value (nan) stored at {where(row, col, names)}; it "
                "must hold only 0 and 1. Fill or drop missing entries first."
            ), row, col, value)
        note = "" if canonical else " (duplicate entries are summed)"
        err = located(InputError(
            f"{name} must hold only 0 and 1, but has {value!r} at "
            f"{where(row, col, names)}{note}. Binarise it first."
        ), row, col, value)
        err.summed = not canonical  # the value may be a sum of entries stored twice
        raise err
    m.data = np.ones(m.nnz, dtype=np.bool_)
    return m


def _encode_sets(rows: list, vocab: dict, name: str) -> sp.csr_matrix:
    lookup = vocab.get
    try:
        flat = [lookup(lab, -1) for row in rows for lab in row]
    except TypeError:  # an unhashable item: report it below
        flat = None
    if flat is None or (flat and min(flat) < 0) or _has_odd_items(rows, vocab):
        _raise_bad_item(rows, vocab, name)
    lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = np.asarray(flat, dtype=np.int64)
    m = sp.csr_matrix((np.ones(indices.shape[0], dtype=np.int8), indices, indptr),
                      shape=(len(rows), len(vocab)))
    m.sum_duplicates()  # a label repeated within a row counts once; also sorts the indices
    m.data = np.ones(m.nnz, dtype=np.bool_)
    return m


def _has_odd_items(rows: list, vocab: dict) -> bool:
    """Items that match a vocabulary entry only by numeric equality (True == 1, 1.0 == 1)."""
    if all(isinstance(k, str) for k in vocab):
        return False
    return any(isinstance(lab, (bool, float, np.bool_, np.floating)) for row in rows for lab in row)


def _check_items(rows: list, name: str) -> None:
    for i, row in enumerate(rows):
        for x in row:
            if isinstance(x, np.generic):
                x = x.item()
            if not isinstance(x, (str, numbers.Integral)) or isinstance(x, bool):
                raise InputError(
                    f"{name} row {i} holds {x!r} ({type(x).__name__}); label sets must "
                    "contain label names (strings) or integer label ids."
                )


def _raise_bad_item(rows: list, vocab: dict, name: str):
    _check_items(rows, name)
    for i, row in enumerate(rows):
        for x in row:
            if x not in vocab:
                raise InputError(_unknown_label_message(name, i, x, vocab))


def _unknown_label_message(name: str, row: int, lab: Any, vocab: dict) -> str:
    known = list(vocab)
    msg = f"{name} row {row} has the label {lab!r}, which is not in the label vocabulary"
    by_text = {str(k): k for k in known}
    same_text = by_text.get(str(lab))
    if same_text is not None:  # e.g. the string '1' among integer labels
        msg += (f" (it is a {type(lab).__name__}; did you mean the "
                f"{type(same_text).__name__} {same_text!r}?)")
    else:
        close = near_match(lab, by_text)
        if close is not None:
            msg += f" (did you mean {by_text[close]!r}?)"
    shown = ", ".join(repr(k) for k in known[:10]) + (", ..." if len(known) > 10 else "")
    return msg + f". Known labels: {shown}. Add it to labels= or fix the data."


def check_labels(labels: Any) -> tuple:
    if isinstance(labels, (str, bytes)):
        raise InputError(
            f"labels must be a list of label names, got the string {labels!r}; "
            "write labels=[...] (or split it first)."
        )
    try:
        out = tuple(x.item() if isinstance(x, np.generic) else x for x in labels)
    except TypeError:
        raise InputError(
            f"labels must be a list of label names, got {type(labels).__name__} {labels!r}."
        ) from None
    if not out:
        raise InputError("labels is empty: give at least one label name.")
    for x in out:
        try:
            hash(x)
        except TypeError:
            raise InputError(
                f"labels holds {x!r} ({type(x).__name__}), which cannot be a label name; "
                "use strings or integers."
            ) from None
    seen: set = set()
    dups = [x for x in out if x in seen or seen.add(x)]
    if dups:
        raise InputError(
            f"labels has duplicate names {sorted(set(map(str, dups)))}: each label must appear once."
        )
    return out


def sorted_union(named_sets: list) -> tuple:
    """The sorted union of ``[(name, rows), ...]`` label sets."""
    found = {lab for _, rows in named_sets for row in rows for lab in row}
    try:
        return tuple(sorted(found))
    except TypeError:
        for name, rows in named_sets:  # a non-label item, or ids mixed with names?
            _check_items(rows, name)
        raise InputError(
            "label sets mix integer ids and string names, which cannot be ordered; "
            "use one kind, or pass labels= to fix the vocabulary and its order."
        ) from None


def align_named(m: RawMatrix, name: str, labels: tuple) -> RawMatrix:
    """Reorder a named matrix's columns to ``labels``; every name must match."""
    if m.names is None or m.names == labels:
        return m
    missing = [x for x in labels if x not in m.names]
    extra = [x for x in m.names if x not in labels]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"lacks {missing[:10]}")
        if extra:
            parts.append(f"has columns not in the vocabulary {extra[:10]}")
        shown = list(labels[:10]) + (["..."] if len(labels) > 10 else [])
        raise InputError(
            f"{name}'s columns do not match the labels {shown}: it {' and '.join(parts)}. "
            "Labels are matched by name; rename the columns or pass labels= listing exactly "
            "the label columns."
        )
    pos = {x: i for i, x in enumerate(m.names)}
    order = [pos[x] for x in labels]
    return replace(m, values=m.values[:, order], names=labels)


def vocabulary_of(rt, rp, labels) -> tuple | None:
    if labels is not None:
        return check_labels(labels)
    named = [r.names for r in (rt, rp) if isinstance(r, RawMatrix) and r.names is not None]
    if named:
        return named[0]
    sets = [(n, r.rows) for n, r in (("y_true", rt), ("y_pred", rp)) if isinstance(r, RawSets)]
    if sets:
        if any(isinstance(r, RawMatrix) for r in (rt, rp)):
            raise InputError(
                "one input is a matrix without label names and the other holds label sets, "
                "so the sets cannot be matched to the matrix columns. Pass labels=[...] "
                "naming the matrix columns in order."
            )
        vocab = sorted_union(sets)
        if not vocab:
            raise InputError(
                "the label sets contain no labels at all; pass labels=[...] to name the "
                "vocabulary (every sample then counts as having no label)."
            )
        return vocab
    return None


def to_canonical(raw, name: str, vocab: tuple | None):
    if isinstance(raw, RawSets):
        if not raw.rows:
            raise InputError(f"{name} is empty: it has no samples.")
        return _encode_sets(raw.rows, {lab: j for j, lab in enumerate(vocab)}, name)
    if vocab is not None:
        raw = align_named(raw, name, vocab)
    if sp.issparse(raw.values):
        m = _sparse_01(raw.values, name, vocab)
    else:
        m = _dense_01(raw.values, name, vocab)
    if vocab is not None and m.shape[1] != len(vocab):
        raise InputError(
            f"{name} has {m.shape[1]} columns but there are {len(vocab)} labels: "
            "give one name per column in labels=."
        )
    return m


def coerce_pair(y_true, y_pred, *, labels=None, sep: str = ",") -> Labelled:
    """Validate truth and predictions and align them column for column, row for row.

    Columns are matched by name when the inputs name them (DataFrame columns,
    label sets, ``labels=``), else by position. Rows are matched by position,
    unless both inputs are pandas objects with an index other than the default
    ``0..n-1``: then ``y_pred``'s rows are put in ``y_true``'s index order, and
    an index value on one side only, or repeated, raises :class:`InputError`.
    When only one of them has such an index, rows are matched by position, and a
    :class:`~labelwise.errors.RowOrderWarning` says so if both are pandas objects.

    Parameters
    ----------
    y_true, y_pred
        0/1 matrices (numpy, lists, pandas, sparse, ``__array__``/``__dlpack__``),
        label-set lists, delimited strings, or an already validated 0/1 matrix.
    labels : sequence, optional
        The complete label vocabulary, in column order. A label of ``y_true`` or
        ``y_pred`` outside it is an error. Without it, the vocabulary is the
        DataFrame columns, or the sorted union of the labels in both label sets,
        or the column indices.
    sep : str
        Delimiter for label sets given as strings.

    Returns
    -------
    Labelled
        With ``index`` set to ``y_true``'s index when rows were matched by index.

    Examples
    --------
    >>> import pandas as pd
    >>> y_true = pd.DataFrame({"a": [1, 0, 1], "b": [0, 1, 1]}, index=["s1", "s2", "s3"])
    >>> y_pred = pd.DataFrame({"b": [1, 0, 1], "a": [1, 1, 0]}, index=["s3", "s1", "s2"])
    >>> data = coerce_pair(y_true, y_pred)
    >>> data.labels, data.y_pred.astype(int).tolist(), list(data.index)
    (('a', 'b'), [[1, 0], [0, 1], [1, 1]], ['s1', 's2', 's3'])
    >>> coerce_pair([["b"], ["a", "c"]], [["a"], []]).labels
    ('a', 'b', 'c')
    """
    rt = read_raw(y_true, "y_true", sep)
    rp = read_raw(y_pred, "y_pred", sep)
    rt, rp, index = match_rows(rt, rp, "y_pred")
    vocab = vocabulary_of(rt, rp, labels)
    t = to_canonical(rt, "y_true", vocab)
    p = to_canonical(rp, "y_pred", vocab)
    if t.shape != p.shape:
        raise InputError(
            f"y_pred has shape {p.shape} but y_true has shape {t.shape}: both need one row "
            "per sample and one column per label, in the same order."
        )
    if sp.issparse(t) != sp.issparse(p):
        t, p = sp.csr_matrix(t), sp.csr_matrix(p)
        t.sort_indices()
        p.sort_indices()
    named = vocab is not None
    if vocab is None:
        vocab = tuple(range(t.shape[1]))
    return Labelled(t, p, tuple(vocab), named, index)

