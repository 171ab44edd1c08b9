"""Input coercion and argument checks: the single home of error wording.

Everything a user hands to labelwise passes through here once. What comes out
is one of two canonical forms, never anything else:

* a dense C-contiguous ``bool`` array of shape ``(n_samples, n_labels)``, or
* a :class:`scipy.sparse.csr_matrix` with sorted, unique indices and every
  stored value equal to 1 (only the pattern matters afterwards).

Formulas and kernels downstream never see user input and never validate again.

Rows of truth and predictions (or scores) are paired by position, unless both
are pandas objects with a row index other than the default ``0..n-1``: then the
predictions are put in the truth's index order, and an index value missing on
one side, or repeated, is an error. When only one of the two has such an index,
the rows are paired by position, with a :class:`~labelwise.errors.RowOrderWarning`
when both are pandas objects (a plain array or a list has its rows in the only
order it has, so pairing it by position with an indexed frame is not remarked).
``sample_weight`` follows the same rule (see :func:`check_sample_weight`).
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from ._names import near_match
from .errors import InputError, RowOrderWarning

__all__ = [
    "Labelled",
    "coerce_pair",
    "coerce_scores",
    "check_sample_weight",
    "check_threshold",
    "check_zero_division",
    "check_beta",
    "binarize",
]

AVERAGES = ("micro", "macro", "weighted", "samples")


class _TruthShape:
    """``n_samples`` and ``n_labels`` read off a validated ``y_true``."""

    y_true: Any

    @property
    def n_samples(self) -> int:
        return self.y_true.shape[0]

    @property
    def n_labels(self) -> int:
        return self.y_true.shape[1]


@dataclass(frozen=True)
class Labelled(_TruthShape):
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

    @property
    def is_sparse(self) -> bool:
        return sp.issparse(self.y_true)


# --------------------------------------------------------------------------
# Reading one argument into a raw form: a matrix (maybe named) or label sets.
# --------------------------------------------------------------------------


@dataclass
class _Matrix:
    values: Any  # ndarray (any dtype) or csr_matrix
    names: tuple | None
    index: Any = None  # pandas row index, when it is not the default 0..n-1
    paired: bool = False  # rows already put in the order of the other input
    pandas: bool = False  # read from a pandas object (with any index)


@dataclass
class _Sets:
    rows: list  # list of lists of labels
    index: Any = None
    paired: bool = False
    pandas: bool = False


def _where(row: int, col: int, names: Sequence | None) -> str:
    if names is not None:
        return f"row {row}, column {col} ({names[col]!r})"
    return f"row {row}, column {col}"


def _plain(x: Any) -> Any:
    """A numpy scalar as its Python scalar: messages show ``0.5``, not ``np.float64(0.5)``."""
    return x.item() if isinstance(x, np.generic) else x


def _is_missing(x: Any) -> bool:
    """None, NaN or pandas' NA (recognised without importing pandas)."""
    if x is None or type(x).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, numbers.Integral) and math.isnan(x)


def _is_dataframe(y: Any) -> bool:
    return hasattr(y, "columns") and hasattr(y, "to_numpy") and hasattr(y, "iloc")


def _is_series(y: Any) -> bool:
    return hasattr(y, "to_numpy") and hasattr(y, "iloc") and not hasattr(y, "columns")


def _row_index(y: Any) -> Any:
    """The pandas row index of ``y``, or None when it has none or it is the default 0..n-1.

    An integer index equal to ``0..n-1`` in order says no more than the row
    positions, so it counts as the default too.
    """
    index = getattr(y, "index", None)
    if index is None or not type(index).__module__.startswith("pandas"):
        return None
    if type(index).__name__ == "RangeIndex":
        return None if index.start == 0 and index.step == 1 else index
    if index.dtype.kind in "iu" and index.is_monotonic_increasing:
        values = index.to_numpy()
        if values.shape[0] == 0 or (values[0] == 0 and values[-1] == values.shape[0] - 1
                                    and index.is_unique):
            return None
    return index


def _few(values, n: int = 5) -> str:
    values = list(values)
    return ", ".join(repr(_plain(x)) for x in values[:n]) + (", ..." if len(values) > n else "")


def _warn(message: str, category=RowOrderWarning) -> None:
    """Warn, pointing at the first caller outside labelwise."""
    here = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(here):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def _index_positions(ti: Any, pi: Any, name: str, other: str, how: str):
    """Positions in ``pi`` of each value of ``ti``, or None when both are the same index.

    ``name`` is the input that follows (``y_pred``, ``y_score``, ``sample_weight``),
    ``other`` the one it follows (``y_true``); ``how`` says how to match by position.
    """
    if ti.equals(pi):
        return None  # the rows already match, even if some index value repeats
    for owner, index in ((other, ti), (name, pi)):
        if not index.is_unique:
            dups = index[index.duplicated()].unique()
            raise InputError(
                f"{owner}'s index has {len(dups)} value(s) that appear more than once "
                f"({_few(dups)}), so the rows of {name} cannot be matched to those of "
                f"{other} by index. Give each sample one row, or {how}."
            )
    pos = pi.get_indexer(ti)
    missing = ti[pos < 0]
    extra = pi[ti.get_indexer(pi) < 0]
    if len(missing) or len(extra):
        parts = []
        if len(missing):
            parts.append(f"{len(missing)} index value(s) of {other} are not in {name} "
                         f"({_few(missing)})")
        if len(extra):
            parts.append(f"{len(extra)} index value(s) of {name} are not in {other} "
                         f"({_few(extra)})")
        raise InputError(
            f"{other} and {name} both have an index, so their rows are matched by index, "
            f"but {' and '.join(parts)}. Nothing is dropped silently: select the same rows "
            f"in both (e.g. common = {other}.index.intersection({name}.index), then "
            f".loc[common] on each), or {how}."
        )
    return pos


def _take_rows(raw, pos: np.ndarray):
    if isinstance(raw, _Sets):
        return replace(raw, rows=[raw.rows[i] for i in pos])
    values = raw.values
    if sp.issparse(values):
        values = sp.csr_matrix(values)
    return replace(raw, values=values[pos])


def _match_rows(rt, rp, name: str):
    """Put ``rp``'s rows in ``rt``'s order; return ``(rt, rp, index)``.

    Rows are matched by index when both have a non-default pandas index (``index``
    is then ``rt``'s), else by position (``index`` is None), with a warning when
    only one of them has an index. Inputs already paired pass through.
    """
    if rt.paired or rp.paired:
        return rt, rp, rt.index
    ti, pi = rt.index, rp.index
    if ti is None and pi is None:
        return rt, rp, None
    if ti is None or pi is None:
        if not (rt.pandas and rp.pandas):  # a plain array has rows in its only order
            return replace(rt, index=None), replace(rp, index=None), None
        own, lacks = (name, "y_true") if ti is None else ("y_true", name)
        _warn(
            f"the rows of y_true and {name} were matched by position, because only {own} "
            f"has an index ({lacks} has none, or the default 0..n-1). If the rows are in "
            f"different orders, give {lacks} its sample ids as a pandas index like {own}'s, "
            f"so that rows are matched by index; if the order is right, pass "
            f"{own}.reset_index(drop=True) to say so."
        )
        return replace(rt, index=None), replace(rp, index=None), None
    how = f"call .reset_index(drop=True) on both y_true and {name} to match rows by position"
    pos = _index_positions(ti, pi, name, "y_true", how)
    if pos is not None:
        rp = _take_rows(rp, pos)
    return rt, replace(rp, index=ti), ti


# DLPack device types (dlpack.h): CPU, CUDA host-pinned and CUDA managed memory can be
# read from the host; the others live on an accelerator.
_HOST_DEVICES = {1, 3, 13}
_DEVICE_NAMES = {2: "CUDA", 4: "OpenCL", 7: "Vulkan", 8: "Metal", 9: "VPI", 10: "ROCm",
                 14: "oneAPI", 15: "WebGPU", 16: "Hexagon"}


def _dlpack_device(y: Any):
    """``(device_type, device_id)`` of an object that offers DLPack, else None."""
    get = getattr(y, "__dlpack_device__", None)
    if get is None:
        return None
    try:
        device = tuple(int(x) for x in get())
    except (TypeError, ValueError, RuntimeError):
        return None
    return device if len(device) == 2 else None


def _to_numpy(y: Any, name: str) -> np.ndarray:
    """Turn a foreign array (torch, cupy, jax, ...) into numpy without importing it."""
    if isinstance(y, np.ndarray):
        return y
    device = _dlpack_device(y)
    if device is not None and device[0] not in _HOST_DEVICES:
        kind = _DEVICE_NAMES.get(device[0], f"device type {device[0]}")
        raise InputError(
            f"{name} is on a {kind} device ({type(y).__name__}); labelwise counts on the "
            "host: move it there first, e.g. tensor.cpu() (or .detach().cpu() for a tensor "
            "that requires grad)."
        )
    if hasattr(y, "__dlpack__"):
        try:
            return np.from_dlpack(y)
        except (TypeError, RuntimeError, BufferError, ValueError):
            pass  # e.g. bool tensors on older numpy: fall back to __array__
    if hasattr(y, "__array__"):
        try:
            return np.asarray(y)
        except (TypeError, RuntimeError) as err:
            raise InputError(
                f"{name} could not be converted to a numpy array ({err}). "
                "If it is a tensor on a GPU, move it to the CPU first (e.g. tensor.cpu())."
            ) from None
    if hasattr(y, "__dlpack__"):
        raise InputError(
            f"{name} offers __dlpack__ but numpy cannot read it; "
            "if it lives on a GPU, move it to the CPU first (e.g. tensor.cpu())."
        )
    return y


def _first_kind(rows: Sequence) -> str:
    """Classify a Python sequence of rows: 'strings', 'sets' or 'matrix'."""
    if any(isinstance(row, (set, frozenset)) for row in rows):
        return "sets"  # a set has no column order, so it can never be a matrix row
    for row in rows:
        if isinstance(row, str):
            return "strings"
        if isinstance(row, (set, frozenset)):
            return "sets"
        if isinstance(row, (list, tuple, np.ndarray)):
            if len(row) == 0:
                continue
            if any(isinstance(x, str) for x in row):
                return "sets"
            return "matrix"
        if row is None or (isinstance(row, float) and math.isnan(row)):
            continue
        return "matrix"
    return "sets"  # every row empty: label sets with no labels


def _read(y: Any, name: str, sep: str) -> _Matrix | _Sets:
    if isinstance(y, (_Matrix, _Sets)):  # already read (the form the file readers give)
        return y
    if y is None:
        raise InputError(f"{name} is missing: expected a 0/1 matrix or a list of label sets.")
    if sp.issparse(y):
        if y.ndim != 2:
            raise InputError(
                f"{name} must be 2-D (n_samples, n_labels), got a {y.ndim}-D sparse array "
                f"with shape {y.shape}. For a single label, reshape it to (-1, 1)."
            )
        return _Matrix(y, None)
    if isinstance(y, Mapping):
        raise InputError(
            f"{name} is a {type(y).__name__}; expected a 0/1 matrix or a list of label sets. "
            "For named label columns, pass a pandas DataFrame (pd.DataFrame(d)) or a matrix "
            "with labels=[...]."
        )
    if _is_dataframe(y):
        names = tuple(y.columns)
        if len(set(names)) != len(names):
            dup = sorted({str(c) for c in names if names.count(c) > 1})
            raise InputError(
                f"{name} has duplicate column names {dup}: each label needs exactly one column. "
                "Rename or drop the duplicates."
            )
        return _Matrix(y.to_numpy(), names, _row_index(y), pandas=True)
    if _is_series(y):
        index = _row_index(y)
        raw = _read(list(y.to_numpy()), name, sep)
        raw.index, raw.pandas = index, True
        return raw
    y = _to_numpy(y, name)
    if isinstance(y, np.ndarray):
        if y.ndim == 1 and y.dtype.kind in "OUS":
            y = list(y)
        else:
            return _Matrix(y, None)
    if isinstance(y, (str, bytes)) or not hasattr(y, "__len__"):
        raise InputError(
            f"{name} must be a 0/1 matrix or a list of label sets, got {type(y).__name__}."
        )
    rows = list(y)
    if not rows:
        raise InputError(f"{name} is empty: it has no samples.")
    kind = _first_kind(rows)
    if kind == "matrix":
        return _Matrix(_nested_to_array(rows, name), None)
    return _Sets(_parse_sets(rows, name, sep, kind))


def _nested_to_array(rows: list, name: str) -> np.ndarray:
    lengths = [len(r) if hasattr(r, "__len__") and not isinstance(r, str) else -1 for r in rows]
    if lengths and min(lengths) == -1 and max(lengths) == -1:
        raise InputError(
            f"{name} is 1-D (length {len(rows)}); expected a 2-D matrix of shape "
            "(n_samples, n_labels). For a single label, wrap each value in a list "
            "or reshape with np.reshape(y, (-1, 1))."
        )
    first = lengths[0]
    for i, n in enumerate(lengths):
        if n != first:
            raise InputError(
                f"{name} is a ragged nested list: row 0 has {first} entries but row {i} has "
                f"{n if n >= 0 else 'a scalar'}. A 0/1 matrix needs the same number of columns "
                "in every row; to give label sets of integer ids, make each row a set, "
                "e.g. [{0, 2}, {1}]."
            )
    for i, row in enumerate(rows):
        for j, x in enumerate(row):
            if isinstance(x, (str, bytes)):
                raise InputError(
                    f"{name} has the string {x!r} at row {i}, column {j} where a number was "
                    "expected. Convert the matrix to numbers, or give label names as label "
                    "sets (lists of names per sample)."
                )
    try:
        return np.asarray(rows)
    except (ValueError, TypeError) as err:
        raise InputError(f"{name} could not be read as a numeric matrix: {err}") from None


def _parse_sets(rows: list, name: str, sep: str, kind: str) -> list:
    out = []
    for i, row in enumerate(rows):
        if row is None or (isinstance(row, float) and math.isnan(row)):
            raise InputError(
                f"{name} row {i} is missing ({row!r}). Use an empty string or an empty list "
                "for a sample with no labels."
            )
        if isinstance(row, str):
            parts = [s.strip() for s in row.split(sep)] if sep else [row.strip()]
            out.append([s for s in parts if s])
        elif isinstance(row, (list, tuple, set, frozenset)):
            out.append(row)  # items are checked while encoding, where it costs nothing extra
        elif isinstance(row, np.ndarray):
            out.append(row.tolist())
        else:
            raise InputError(
                f"{name} row {i} is {row!r} ({type(row).__name__}); expected a label set "
                f"(a list of names, or a string delimited by {sep!r})."
            )
    return out


# --------------------------------------------------------------------------
# Turning raw forms into canonical 0/1 matrices.
# --------------------------------------------------------------------------


def _as_2d(values: np.ndarray, name: str) -> np.ndarray:
    if values.ndim == 1 and values.shape[0] == 0:
        raise InputError(f"{name} is empty: it has no samples (shape {values.shape}).")
    if values.ndim != 2:
        raise InputError(
            f"{name} must be 2-D (n_samples, n_labels), got {values.ndim}-D with shape "
            f"{values.shape}. For a single label, reshape with np.reshape(y, (-1, 1))."
        )
    if values.shape[0] == 0:
        raise InputError(f"{name} is empty: it has no samples (shape {values.shape}).")
    if values.shape[1] == 0:
        raise InputError(f"{name} has no labels (shape {values.shape}).")
    return values


def _dense_01(values: np.ndarray, name: str, names: tuple | None) -> np.ndarray:
    values = _as_2d(values, name)
    kind = values.dtype.kind
    if kind == "b":
        return np.ascontiguousarray(values)
    if kind in "iu":
        if values.max() > 1 or (kind == "i" and values.min() < 0):
            r, c = np.argwhere((values < 0) | (values > 1))[0]
            raise InputError(
                f"{name} must hold only 0 and 1, but has {_plain(values[r, c])} at "
                f"{_where(r, c, names)}. Binarise it first (e.g. y > 0)."
            )
        if values.dtype.itemsize == 1:
            return np.ascontiguousarray(values).view(np.bool_)
        return np.ascontiguousarray(values != 0)
    if kind == "f":
        ok = (values == 0) | (values == 1)
        if not ok.all():
            r, c = np.argwhere(~ok)[0]
            if np.isnan(values[r, c]):
                raise InputError(
                    f"{name} has a missing value (nan) at {_where(r, c, names)}; it must hold "
                    "only 0 and 1. Fill missing values first (e.g. with 0)."
                )
            raise InputError(
                f"{name} must hold only 0 and 1, but has {_plain(values[r, c])!r} at "
                f"{_where(r, c, names)}. If these are scores or probabilities, pass them as "
                "y_score= with a threshold instead."
            )
        return np.ascontiguousarray(values != 0)
    if kind in "OUS":
        for (r, c), x in np.ndenumerate(values):
            if isinstance(x, (str, bytes)):
                raise InputError(
                    f"{name} has the string {_plain(x)!r} at {_where(r, c, names)} where a "
                    "number was expected. Convert the column to numbers (0 and 1)."
                )
            if _is_missing(x):
                raise InputError(
                    f"{name} has a missing value ({x!r}) at {_where(r, c, names)}; it must "
                    "hold only 0 and 1. Fill missing values first (e.g. with 0)."
                )
            if not isinstance(x, (numbers.Real, np.bool_)):
                raise InputError(
                    f"{name} has {x!r} ({type(x).__name__}) at {_where(r, c, names)} where "
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
        value = _plain(m.data[k])
        if isinstance(value, float) and math.isnan(value):
            raise InputError(
                f"{name} has a missing value (nan) stored at {_where(row, col, names)}; it "
                "must hold only 0 and 1. Fill or drop missing entries first."
            )
        note = "" if canonical else " (duplicate entries are summed)"
        raise InputError(
            f"{name} must hold only 0 and 1, but has {value!r} at "
            f"{_where(row, col, names)}{note}. Binarise it first."
        )
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
    raise InputError(f"{name}: a label set holds an item that is not a label.")  # unreachable


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


def _check_labels_arg(labels: Any) -> tuple:
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


def _sorted_union(named_sets: list) -> tuple:
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


def _align_named(m: _Matrix, name: str, labels: tuple) -> _Matrix:
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


def _vocabulary(rt, rp, labels) -> tuple | None:
    if labels is not None:
        return _check_labels_arg(labels)
    named = [r.names for r in (rt, rp) if isinstance(r, _Matrix) and r.names is not None]
    if named:
        return named[0]
    sets = [(n, r.rows) for n, r in (("y_true", rt), ("y_pred", rp)) if isinstance(r, _Sets)]
    if sets:
        if any(isinstance(r, _Matrix) for r in (rt, rp)):
            raise InputError(
                "one input is a matrix without label names and the other holds label sets, "
                "so the sets cannot be matched to the matrix columns. Pass labels=[...] "
                "naming the matrix columns in order."
            )
        vocab = _sorted_union(sets)
        if not vocab:
            raise InputError(
                "the label sets contain no labels at all; pass labels=[...] to name the "
                "vocabulary (every sample then counts as having no label)."
            )
        return vocab
    return None


def _canonical(raw, name: str, vocab: tuple | None):
    if isinstance(raw, _Sets):
        if not raw.rows:
            raise InputError(f"{name} is empty: it has no samples.")
        return _encode_sets(raw.rows, {lab: j for j, lab in enumerate(vocab)}, name)
    if vocab is not None:
        raw = _align_named(raw, name, vocab)
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
    rt = y_true if isinstance(y_true, (_Matrix, _Sets)) else _read(y_true, "y_true", sep)
    rp = y_pred if isinstance(y_pred, (_Matrix, _Sets)) else _read(y_pred, "y_pred", sep)
    rt, rp, index = _match_rows(rt, rp, "y_pred")
    vocab = _vocabulary(rt, rp, labels)
    t = _canonical(rt, "y_true", vocab)
    p = _canonical(rp, "y_pred", vocab)
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


# --------------------------------------------------------------------------
# Scores, thresholds and the other arguments.
# --------------------------------------------------------------------------


def coerce_scores(y_score, name: str = "y_score") -> _Matrix:
    """Read a dense score matrix; reject NaN, inf and non-numbers with their position."""
    if isinstance(y_score, (list, tuple)):
        _reject_strings_among_numbers(y_score, name)
    raw = _read(y_score, name, ",")
    if isinstance(raw, _Sets):
        raise InputError(
            f"{name} must be a numeric matrix of scores (n_samples, n_labels), but it looks "
            "like label sets. Pass hard labels as y_pred= instead."
        )
    values = raw.values
    if sp.issparse(values):
        raise InputError(
            f"{name} is a sparse matrix; sparse scores are not supported for thresholding "
            "yet. Pass a dense array (np.asarray(m.todense()))."
        )
    values = _as_2d(np.asarray(values), name)
    kind = values.dtype.kind
    if kind in "OUS":
        for (r, c), x in np.ndenumerate(values):
            if not isinstance(x, numbers.Real) or isinstance(x, bool):
                raise InputError(
                    f"{name} has {_plain(x)!r} at {_where(r, c, raw.names)} where a number "
                    "was expected. Convert the scores to floats."
                )
        values = values.astype(np.float64)
    elif kind == "b" or kind in "iu" or (kind == "f" and values.dtype not in (np.float32, np.float64)):
        values = values.astype(np.float64)  # the kernels take float32 or float64
    elif kind != "f":
        raise InputError(f"{name} has dtype {values.dtype}; expected floating-point scores.")
    finite = np.isfinite(values)
    if not finite.all():
        r, c = np.argwhere(~finite)[0]
        raise InputError(
            f"{name} has {_plain(values[r, c])} at {_where(r, c, raw.names)}; scores must be "
            "finite. Check the model output for overflow or missing values."
        )
    return _Matrix(values, raw.names, raw.index, pandas=raw.pandas)


def _reject_strings_among_numbers(rows: Sequence, name: str) -> None:
    """A score matrix with a stray string reads like label sets; name the string instead."""
    for i, row in enumerate(rows):
        if not isinstance(row, (list, tuple, np.ndarray)):
            continue
        if not any(isinstance(x, numbers.Number) and not isinstance(x, bool) for x in row):
            continue
        for j, x in enumerate(row):
            if isinstance(x, (str, bytes)):
                raise InputError(
                    f"{name} has the string {_plain(x)!r} at row {i}, column {j} where a "
                    "number was expected. Convert the scores to floats."
                )


def check_threshold(threshold, n_labels: int, labels: Sequence | None = None):
    """Return a float or a float64 array of one threshold per label.

    ``threshold`` is one number, one number per label (column order), or a dict
    ``{label: number}`` naming every label, where the key ``"*"`` (unless a label
    is called that) gives the value of the labels not named.

    Examples
    --------
    >>> check_threshold({"rare": 0.2, "*": 0.5}, 3, ["common", "rare", "other"]).tolist()
    [0.5, 0.2, 0.5]
    """
    if isinstance(threshold, Mapping):
        if labels is None:
            raise InputError(
                "a dict of thresholds needs label names; pass labels=[...] (or give y_score "
                "as a DataFrame whose columns are the labels)."
            )
        known = set(labels)
        default = threshold.get("*") if "*" not in known else None
        missing = [] if default is not None else [x for x in labels if x not in threshold]
        extra = [x for x in threshold if x not in known and not (x == "*" and default is not None)]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {missing[:10]}")
            if extra:
                close = near_match(extra[0], labels)
                parts.append(f"unknown {extra[:10]}"
                             + (f" (did you mean {close!r}?)" if close is not None else ""))
            raise InputError(
                f"threshold dict must give one value per label, or a default under \"*\": "
                f"{', '.join(parts)}. "
                f"The labels are {list(labels[:10]) + (['...'] if len(labels) > 10 else [])}."
            )
        threshold = [threshold.get(x, default) for x in labels]
    if threshold is None or isinstance(threshold, (str, bytes, bool, np.bool_)):
        raise InputError(
            f"threshold must be a number, one number per label or a dict {{label: number}}, "
            f"got {threshold!r}."
        )
    if isinstance(threshold, numbers.Real):
        if not math.isfinite(threshold):
            raise InputError(f"threshold must be a finite number, got {threshold}.")
        return float(threshold)
    try:
        arr = np.asarray(threshold, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"threshold must be a number or one number per label, got {threshold!r}."
        ) from None
    if arr.ndim == 0:
        return check_threshold(float(arr), n_labels, labels)
    if arr.ndim != 1:
        raise InputError(
            f"threshold must be one number or a 1-D list of one number per label, got shape "
            f"{arr.shape}."
        )
    if arr.shape[0] != n_labels:
        raise InputError(
            f"threshold has {arr.size} values but there are {n_labels} labels: give one "
            "number, or exactly one per label in column order."
        )
    if not np.isfinite(arr).all():
        j = int(np.flatnonzero(~np.isfinite(arr))[0])
        named = labels is not None and len(labels) == n_labels
        which = f"{j} ({labels[j]!r})" if named else f"{j}"
        raise InputError(f"threshold for label {which} is {arr[j]}; thresholds must be finite.")
    return arr


def binarize(scores: np.ndarray, threshold, inclusive: bool = False) -> np.ndarray:
    """``scores > threshold`` (or ``>=`` when ``inclusive``), as a C-contiguous bool array."""
    out = scores >= threshold if inclusive else scores > threshold
    return np.ascontiguousarray(out)


def check_sample_weight(sample_weight, n_samples: int, index=None):
    """Return None or a float64 array of ``n_samples`` finite, non-negative weights.

    Weights are read in the rows' order, by position. When the rows were matched
    by index (``index`` is the :attr:`Labelled.index` of the validated data) and
    ``sample_weight`` is a pandas Series with an index other than the default
    ``0..n-1``, the weights are matched to the rows by that index instead: every
    row needs exactly one weight. A weight Series with an index is read by
    position when the rows were matched by position.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.Index(["s1", "s2", "s3"])
    >>> w = pd.Series([3.0, 1.0, 2.0], index=["s3", "s1", "s2"])
    >>> check_sample_weight(w, 3, index=rows).tolist()
    [1.0, 2.0, 3.0]
    >>> check_sample_weight(w, 3).tolist()
    [3.0, 1.0, 2.0]
    """
    if sample_weight is None:
        return None
    if index is not None and _is_series(sample_weight):
        wi = _row_index(sample_weight)
        if wi is not None:
            how = "pass sample_weight.to_numpy() to give the weights in the rows' order"
            pos = _index_positions(index, wi, "sample_weight", "y_true", how)
            if pos is not None:
                sample_weight = sample_weight.to_numpy()[pos]
    try:
        w = np.asarray(_to_numpy(sample_weight, "sample_weight"), dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("sample_weight must be numeric, one weight per sample.") from None
    if w.ndim != 1 or w.shape[0] != n_samples:
        raise InputError(
            f"sample_weight has shape {w.shape} but there are {n_samples} samples: "
            "give one weight per sample."
        )
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"sample_weight[{i}] is {w[i]}; weights must be finite and non-negative."
        )
    if w.sum() == 0:
        raise InputError("sample_weight sums to 0: at least one sample needs a positive weight.")
    return w


def check_zero_division(zero_division):
    """Return ``"warn"`` or the float to use for 0/0 (0.0, 1.0 or nan)."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return "warn"
        if zero_division.lower() == "nan":
            return math.nan
    elif isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool):
        if math.isnan(zero_division):
            return math.nan
        if zero_division in (0, 1):
            return float(zero_division)
    raise InputError(
        f"zero_division must be 'warn', 0, 1 or nan, got {zero_division!r}."
    )


def check_beta(beta) -> float:
    if not isinstance(beta, numbers.Real) or isinstance(beta, bool) or not beta >= 0:
        raise InputError(f"beta must be a non-negative number, got {beta!r}.")
    return float(beta)


def check_average(average, allowed=(None,) + AVERAGES) -> Any:
    if average not in allowed:
        raise InputError(
            f"average must be one of {list(allowed)}, got {average!r}."
        )
    return average


# --------------------------------------------------------------------------
# Truth paired with scores.
# --------------------------------------------------------------------------


def align_scores(y_true, y_score, *, labels=None, sep: str = ",", name: str = "y_score"):
    """Read truth and a dense score matrix and align the scores' columns by label name.

    Returns ``(truth, scores, vocab)``: the truth still raw (for :func:`coerce_pair`),
    the scores as a named float matrix in vocabulary order, and the vocabulary
    (None when neither side names its labels).

    Rows follow the rule of :func:`coerce_pair`: by index when both are pandas
    objects with a non-default index (the scores are put in the truth's order),
    else by position. The truth returned is marked as paired, so that passing
    it on to :func:`coerce_pair` with predictions made from these scores matches
    rows as they are; its ``index`` is set only when rows were matched by index.
    """
    rt = y_true if isinstance(y_true, (_Matrix, _Sets)) else _read(y_true, "y_true", sep)
    scores = coerce_scores(y_score, name)
    rt, scores, index = _match_rows(rt, scores, name)
    rt = replace(rt, index=index, paired=True)
    vocab = _vocabulary(rt, scores, labels)
    if vocab is not None:
        scores = _align_named(scores, name, vocab)
        if scores.values.shape[1] != len(vocab):
            raise InputError(
                f"{name} has {scores.values.shape[1]} columns but there are {len(vocab)} "
                "labels: give one score column per label, in label order."
            )
        scores = replace(scores, names=vocab)
    return rt, scores, vocab


@dataclass(frozen=True)
class RankingInput(_TruthShape):
    """Validated truth with scores, for score-based metrics.

    Attributes
    ----------
    y_true : scipy.sparse.csr_matrix
        0/1 truth with sorted, unique indices.
    dense_scores : ndarray of float, shape (n_samples, n_labels), or None
        Scores for every label.
    partial_scores : scipy.sparse.csr_matrix or None
        Scores for some labels per row (sparse scores, or top-k predictions);
        the unscored labels rank below every scored one.
    labels : tuple
    width : int
        The largest usable cutoff ``k``: the ``k`` of top-k predictions, else ``n_labels``.
    named : bool
        Whether ``labels`` are names rather than column indices (see :class:`Labelled`).
    index : pandas.Index or None
        The rows' index when truth and scores were matched by index, else None.
    """

    y_true: Any
    dense_scores: Any
    partial_scores: Any
    labels: tuple
    width: int
    named: bool = True
    index: Any = None


def _topk_form(y_score) -> bool:
    return (
        isinstance(y_score, tuple)
        and len(y_score) == 2
        and all(hasattr(a, "__len__") and not isinstance(a, str) for a in y_score)
    )


def _truth_csr(raw, vocab) -> sp.csr_matrix:
    t = _canonical(raw, "y_true", vocab)
    t = sp.csr_matrix(t)
    t.sort_indices()
    return t


def coerce_ranking(y_true, y_score, *, labels=None, sep: str = ",", need_dense=False):
    """Validate truth with scores given as a dense matrix, a sparse matrix, or top-k.

    ``y_score`` may be a dense float matrix, a scipy sparse matrix holding only the
    scored entries, or a pair ``(indices, scores)`` of (n_samples, k) arrays giving
    each row's top-k label indices and their scores. With ``need_dense``, only a
    dense matrix is accepted (metrics that rank every label need every score).

    Rows of dense scores are matched as in :func:`align_scores`. Sparse and top-k
    scores have no index, so they are matched by position.
    """
    if y_score is None:
        raise InputError("y_score is missing: score-based metrics need scores.")
    sparse = sp.issparse(y_score)
    topk = _topk_form(y_score)
    if need_dense and (sparse or topk):
        raise InputError(
            "this metric ranks every label, so it needs a dense score matrix "
            "(n_samples, n_labels); sparse scores and top-k predictions only support "
            "the @k metrics (precision_at_k, recall_at_k, ndcg_at_k, psprecision_at_k, "
            "psndcg_at_k)."
        )
    if not sparse and not topk:
        rt, scores, vocab = align_scores(y_true, y_score, labels=labels, sep=sep)
        t = _truth_csr(rt, vocab)
        if t.shape != scores.values.shape:
            raise InputError(
                f"y_score has shape {scores.values.shape} but y_true has shape {t.shape}: "
                "both need one row per sample and one column per label, in the same order."
            )
        named = vocab is not None
        vocab = vocab or tuple(range(t.shape[1]))
        values = scores.values
        if values.dtype not in (np.float32, np.float64):  # e.g. float16, longdouble
            values = values.astype(np.float64)
        return RankingInput(t, np.ascontiguousarray(values), None, vocab, t.shape[1],
                            named, rt.index)
    rt = _read(y_true, "y_true", sep)
    if isinstance(rt, _Sets) and labels is None:
        raise InputError(
            "sparse or top-k scores address labels by column index, so label sets in "
            "y_true need labels=[...] to say which label each index is."
        )
    vocab = _vocabulary(rt, rt, labels)
    t = _truth_csr(rt, vocab)
    named = vocab is not None
    vocab = vocab or tuple(range(t.shape[1]))
    if sparse:  # rows may score any number of labels; the rest tie below them
        return RankingInput(t, None, _sparse_scores(y_score, t.shape), vocab, t.shape[1],
                            named)
    part = _topk_scores(y_score, t.shape)
    return RankingInput(t, None, part, vocab, int(part.indptr[1] - part.indptr[0]), named)


def _check_finite_entries(values, indptr, name):
    bad = ~np.isfinite(values)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        row = int(np.searchsorted(indptr, k, side="right") - 1)
        raise InputError(
            f"{name} has {_plain(values[k])} in row {row} (entry {k - indptr[row]}); scores "
            "must be finite. Check the model output for overflow or missing values."
        )


_DUPLICATE_SCORES = (
    "y_score (sparse) stores some (row, label) entry more than once; each scored "
    "label needs exactly one score. Call .sum_duplicates() only if summing is right."
)


def _sparse_scores(y_score, shape) -> sp.csr_matrix:
    if y_score.format == "coo" and y_score.ndim == 2:  # CSR conversion would sum duplicates
        keys = y_score.row.astype(np.int64) * y_score.shape[1] + y_score.col
        if np.unique(keys).shape[0] != keys.shape[0]:
            raise InputError(_DUPLICATE_SCORES)
    m = sp.csr_matrix(y_score)
    if m.ndim != 2 or m.shape != shape:
        raise InputError(
            f"y_score has shape {m.shape} but y_true has shape {shape}: both need one row "
            "per sample and one column per label."
        )
    if m.dtype.kind not in "biuf":
        raise InputError(f"y_score has dtype {m.dtype}; expected numeric scores.")
    if not m.has_canonical_format:
        m = m.copy()
        n_stored = m.nnz
        m.sum_duplicates()
        if m.nnz != n_stored:
            raise InputError(_DUPLICATE_SCORES)
    data = m.data if m.dtype in (np.float32, np.float64) else m.data.astype(np.float64)
    _check_finite_entries(data, m.indptr, "y_score")
    return sp.csr_matrix((data, m.indices, m.indptr), shape=m.shape)


def _topk_scores(y_score, shape) -> sp.csr_matrix:
    idx_raw, val_raw = y_score
    try:
        idx = np.asarray(_to_numpy(idx_raw, "top-k indices"))
        val = np.asarray(_to_numpy(val_raw, "top-k scores"))
    except ValueError:
        raise InputError(
            "top-k predictions need indices and scores as (n_samples, k) arrays with the "
            "same k in every row; got ragged rows."
        ) from None
    n, L = shape
    if idx.ndim != 2 or idx.shape != val.shape:
        raise InputError(
            f"top-k predictions need indices and scores of the same shape (n_samples, k); "
            f"got indices {idx.shape} and scores {val.shape}."
        )
    if idx.shape[0] != n:
        raise InputError(
            f"top-k predictions have {idx.shape[0]} rows but y_true has {n}: give one row "
            "of top-k labels per sample."
        )
    if idx.shape[1] == 0:
        raise InputError(
            "top-k predictions have no columns: give at least one (index, score) per row."
        )
    if idx.dtype.kind not in "iu":
        raise InputError(
            f"top-k indices must be integer label indices, got dtype {idx.dtype}. Pass "
            "(indices, scores) in that order."
        )
    if val.dtype.kind not in "iuf":
        raise InputError(f"top-k scores must be numbers, got dtype {val.dtype}.")
    out = (idx < 0) | (idx >= L)
    if out.any():
        r, c = np.argwhere(out)[0]
        raise InputError(
            f"top-k index {int(idx[r, c])} at row {r}, position {c} is outside the "
            f"{L} labels (valid: 0 to {L - 1})."
        )
    srt = np.sort(idx, axis=1)
    dup = srt[:, 1:] == srt[:, :-1]
    if dup.any():
        r, c = np.argwhere(dup)[0]
        raise InputError(
            f"top-k row {r} lists label {int(srt[r, c])} more than once; each label may "
            "appear once per row."
        )
    k = idx.shape[1]
    indptr = np.arange(0, n * k + 1, k, dtype=np.int64)
    values = val.astype(np.float64).ravel()
    _check_finite_entries(values, indptr, "top-k scores")
    return sp.csr_matrix((values, idx.astype(np.int64).ravel(), indptr), shape=shape)


def check_propensity(inv_propensity, n_labels: int) -> np.ndarray:
    """One finite, positive inverse propensity per label."""
    try:
        p = np.asarray(_to_numpy(inv_propensity, "inv_propensity"), dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("inv_propensity must be numeric, one value per label.") from None
    if p.ndim != 1 or p.shape[0] != n_labels:
        raise InputError(
            f"inv_propensity has shape {p.shape} but there are {n_labels} labels: give one "
            "inverse propensity per label (see labelwise.inverse_propensity)."
        )
    bad = ~np.isfinite(p) | (p <= 0)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"inv_propensity[{j}] is {p[j]}; inverse propensities must be finite and positive."
        )
    return p


def check_k(k, width: int, name: str = "k") -> int:
    """A positive integer cutoff no larger than the scores given per row."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise InputError(f"{name} must be a positive integer, got {k!r}.")
    if k > width:
        raise InputError(
            f"{name}={k} is larger than the {width} labels scored per row; the metric "
            f"needs at least {k} ranked labels. Use k <= {width} or give more predictions."
        )
    return int(k)


def check_cutoffs(k) -> tuple:
    """The report's ``*_at_k`` cutoffs: one positive integer or several, as a sorted tuple.

    >>> check_cutoffs(10), check_cutoffs([5, 1, 3])
    ((10,), (1, 3, 5))
    """
    items = [k] if isinstance(k, numbers.Integral) else k
    try:
        items = list(items)
    except TypeError:
        raise InputError(f"k must be a positive integer or a list of them, got {k!r}.") from None
    bad = [x for x in items
           if isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < 1]
    if bad or not items:
        raise InputError(
            f"k must be a positive integer or a list of them, got {k!r}"
            + (f" ({bad[0]!r} is not a positive integer)." if bad else " (empty).")
        )
    return tuple(sorted({int(x) for x in items}))
