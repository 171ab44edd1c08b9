"""Raw input forms, and reading any user input into them.

A raw form is an input as read, before validation: :class:`RawMatrix` (a matrix,
its columns maybe named) or :class:`RawSets` (one label set per sample). They are
the protocol the file readers speak: a reader, or any caller, may pass a raw form
wherever ``y_true``, ``y_pred`` or ``y_score`` is accepted, and it is taken as it
is. Everything else (numpy, lists, pandas, sparse, ``__array__``/``__dlpack__``)
is read into one by :func:`read_raw`.

Rows of two raw forms are paired by :func:`match_rows`: by index when both are
pandas objects with an index other than the default ``0..n-1``, else by position.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Sequence

import numpy as np
from .. import _sparse as sp

from ..errors import InputError, RowOrderWarning

__all__ = [
    "RawMatrix",
    "RawSets",
    "read_raw",
    "to_numpy",
    "match_rows",
    "index_positions",
    "row_index",
    "is_series",
    "as_2d",
    "where",
    "plain",
    "located",
    "location",
]


@dataclass
class RawMatrix:
    """A matrix as read, before validation (the columns maybe named).

    File readers give their blocks in this form, and any caller may pass one
    wherever ``y_true``, ``y_pred`` or ``y_score`` is accepted: it is taken as it
    is, not read again. Its values are checked like those of any other input
    when they become canonical 0/1 (or scores).

    Attributes
    ----------
    values : ndarray or scipy.sparse matrix
        The values of shape ``(n_samples, n_labels)``, of any dtype: 0/1 truth or
        predictions, or scores.
    names : tuple or None
        One label name per column; None for unnamed columns, which are matched
        by position.
    index : pandas.Index or None
        The rows' pandas index, when it is not the default ``0..n-1``. When two
        inputs both have one, their rows are matched by it.
    paired : bool
        True when the rows are already in the order of the other input: they
        are then paired as they are.
    pandas : bool
        Whether the values were read from a pandas object (with any index).
    checked : bool
        True for scores that :func:`~labelwise._validate.coerce_scores` has read
        (finite floats): they are taken as they are when they come back, so that a
        reader that checks its blocks (and names the file's line of a bad value)
        does not have them checked twice.
    """

    values: Any  # ndarray (any dtype) or csr_matrix
    names: tuple | None
    index: Any = None  # pandas row index, when it is not the default 0..n-1
    paired: bool = False  # rows already put in the order of the other input
    pandas: bool = False  # read from a pandas object (with any index)
    checked: bool = False  # scores as coerce_scores returns them: not checked again


@dataclass
class RawSets:
    """Label sets as read, before validation: one collection of labels per sample.

    Like :class:`RawMatrix`, accepted as it is wherever ``y_true`` or ``y_pred``
    is. The labels are names (strings) or integer label ids; they are checked
    against the vocabulary when the sets are encoded.

    Attributes
    ----------
    rows : list
        One list (or tuple, or set) of labels per sample.
    index, paired, pandas
        As in :class:`RawMatrix`.
    unknown : list, optional
        For truth: one list per sample of the labels whose truth is unknown (nobody
        annotated them), as ``y_true_unknown`` gives them; None when every entry is
        known.
    """

    rows: list  # list of lists of labels
    index: Any = None
    paired: bool = False
    pandas: bool = False
    unknown: list | None = None


def where(row: int, col: int, names: Sequence | None) -> str:
    if names is not None:
        return f"row {row}, column {col} ({names[col]!r})"
    return f"row {row}, column {col}"


def located(err: InputError, row: int, column: int | None, value: Any) -> InputError:
    """``err``, saying where its bad value is: ``err.row`` and ``err.column`` (positions
    in the matrix as given; ``column`` None when the error is about a whole row) and
    ``err.value``. A caller that knows more of where the rows came from (a file and its
    lines) can put it in its own terms; see :func:`location`."""
    err.row, err.column, err.value = int(row), None if column is None else int(column), \
        plain(value)
    return err


def location(err: BaseException):
    """``(row, column, value)`` of an error made by :func:`located`, else None."""
    if not hasattr(err, "row"):
        return None
    return err.row, err.column, err.value


def plain(x: Any) -> Any:
    """A numpy scalar as its Python scalar: messages show ``0.5``, not ``np.float64(0.5)``."""
    return x.item() if isinstance(x, np.generic) else x


def _is_dataframe(y: Any) -> bool:
    return hasattr(y, "columns") and hasattr(y, "to_numpy") and hasattr(y, "iloc")


def is_series(y: Any) -> bool:
    return hasattr(y, "to_numpy") and hasattr(y, "iloc") and not hasattr(y, "columns")


def row_index(y: Any) -> Any:
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
    return ", ".join(repr(plain(x)) for x in values[:n]) + (", ..." if len(values) > n else "")


def _warn(message: str, category=RowOrderWarning) -> None:
    """Warn, pointing at the first caller outside labelwise."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(here):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def index_positions(ti: Any, pi: Any, name: str, other: str, how: str):
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
    if isinstance(raw, RawSets):
        unknown = None if raw.unknown is None else [raw.unknown[i] for i in pos]
        return replace(raw, rows=[raw.rows[i] for i in pos], unknown=unknown)
    values = raw.values
    if sp.issparse(values):
        values = sp.csr_matrix(values)
    return replace(raw, values=values[pos])


def match_rows(rt, rp, name: str):
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
    pos = index_positions(ti, pi, name, "y_true", how)
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


def to_numpy(y: Any, name: str) -> np.ndarray:
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


def read_raw(y: Any, name: str, sep: str) -> RawMatrix | RawSets:
    if type(y) is np.ndarray and (y.ndim != 1 or y.dtype.kind not in "OUS"):
        return RawMatrix(y, None)  # the commonest input, before the other forms' checks
    if isinstance(y, (RawMatrix, RawSets)):  # already read (the form the file readers give)
        return y
    if y is None:
        raise InputError(f"{name} is missing: expected a 0/1 matrix or a list of label sets.")
    if sp.issparse(y):
        if y.ndim != 2:
            raise InputError(
                f"{name} must be 2-D (n_samples, n_labels), got a {y.ndim}-D sparse array "
                f"with shape {y.shape}. For a single label, reshape it to (-1, 1)."
            )
        return RawMatrix(y, None)
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
        return RawMatrix(y.to_numpy(), names, row_index(y), pandas=True)
    if is_series(y):
        index = row_index(y)
        raw = read_raw(list(y.to_numpy()), name, sep)
        raw.index, raw.pandas = index, True
        return raw
    y = to_numpy(y, name)
    if isinstance(y, np.ndarray):
        if y.ndim == 1 and y.dtype.kind in "OUS":
            y = list(y)
        else:
            return RawMatrix(y, None)
    if isinstance(y, (str, bytes)) or not hasattr(y, "__len__"):
        raise InputError(
            f"{name} must be a 0/1 matrix or a list of label sets, got {type(y).__name__}."
        )
    rows = list(y)
    if not rows:
        raise InputError(f"{name} is empty: it has no samples.")
    kind = _first_kind(rows)
    if kind == "matrix":
        return RawMatrix(_nested_to_array(rows, name), None)
    return RawSets(_parse_sets(rows, name, sep, kind))


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


def as_2d(values: np.ndarray, name: str) -> np.ndarray:
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

