"""Scores: dense score matrices, sparse and top-k scores for ranking, thresholds
and binarising."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any, Sequence

import numpy as np
from .. import _sparse as sp

from .._names import near_match
from ..errors import InputError
from .labels import TruthShape, align_named, to_canonical, vocabulary_of
from .raw import (RawMatrix, RawSets, as_2d, located, match_rows, plain, read_raw, to_numpy,
                  where)

__all__ = [
    "coerce_scores",
    "check_finite_entries",
    "check_threshold",
    "binarize",
    "align_scores",
    "RankingInput",
    "is_topk_form",
    "coerce_ranking",
]


def coerce_scores(y_score, name: str = "y_score") -> RawMatrix:
    """Read a dense score matrix; reject NaN, inf and non-numbers with their position.

    The matrix comes back marked ``checked``, and such a matrix is returned as it is.
    An error about one value says where it is (:func:`~labelwise._validate.raw.located`).
    """
    if isinstance(y_score, RawMatrix) and y_score.checked:
        return y_score
    if isinstance(y_score, (list, tuple)):
        _reject_strings_among_numbers(y_score, name)
    raw = read_raw(y_score, name, ",")
    if isinstance(raw, RawSets):
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
    values = as_2d(np.asarray(values), name)
    kind = values.dtype.kind
    if kind in "OUS":
        for (r, c), x in np.ndenumerate(values):
            if not isinstance(x, numbers.Real) or isinstance(x, bool):
                raise InputError(
                    f"{name} has {plain(x)!r} at {where(r, c, raw.names)} where a number "
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
        raise located(InputError(
            f"{name} has {plain(values[r, c])} at {where(r, c, raw.names)}; scores must be "
            "finite. Check the model output for overflow or missing values."
        ), r, c, values[r, c])
    return RawMatrix(values, raw.names, raw.index, pandas=raw.pandas, checked=True)


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
                    f"{name} has the string {plain(x)!r} at row {i}, column {j} where a "
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

    Tuned thresholds (any object with ``.values`` and ``.labels``, such as
    :class:`labelwise.Thresholds`, or the parsed data of ``Thresholds.to_json()``)
    are matched to the labels by name.
    """
    if isinstance(threshold, Mapping) and threshold.get("format") == _TUNED_FORMAT:
        threshold = SimpleNamespace(values=threshold.get("values"),
                                    labels=threshold.get("labels") or ())
    if _is_tuned(threshold):
        threshold = _tuned_values(threshold, n_labels, labels)
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


_TUNED_FORMAT = "labelwise.Thresholds/1"  # the "format" of Thresholds.to_json()


def _is_tuned(threshold) -> bool:
    return (hasattr(threshold, "values") and hasattr(threshold, "labels")
            and not isinstance(threshold, (Mapping, np.ndarray)) and not hasattr(threshold, "dtype"))


def _tuned_values(threshold, n_labels: int, labels):
    """Tuned thresholds as a number, or as ``{label: value}`` for the dict rule above."""
    values, tuned = threshold.values, tuple(threshold.labels)
    if isinstance(values, numbers.Real):
        return float(values)
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size != len(tuned):
        raise InputError(f"the tuned thresholds hold {len(tuned)} labels but {values.size} "
                         "values; they need one value per label.")
    if labels is None:
        if tuned == tuple(range(len(tuned))):  # tuned on unnamed columns
            return values
        raise InputError(
            f"the tuned thresholds name their labels ({list(tuned[:5])}"
            f"{', ...' if len(tuned) > 5 else ''}) but these scores do not; pass "
            "labels=[...] or give y_score as a DataFrame whose columns are the labels."
        )
    return dict(zip(tuned, values.tolist()))


def binarize(scores: np.ndarray, threshold, inclusive: bool = False) -> np.ndarray:
    """``scores > threshold`` (or ``>=`` when ``inclusive``), as a C-contiguous bool array."""
    out = scores >= threshold if inclusive else scores > threshold
    return np.ascontiguousarray(out)



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
    rt = read_raw(y_true, "y_true", sep)
    scores = coerce_scores(y_score, name)
    rt, scores, index = match_rows(rt, scores, name)
    rt = replace(rt, index=index, paired=True)
    vocab = vocabulary_of(rt, scores, labels)
    if vocab is not None:
        scores = align_named(scores, name, vocab)
        if scores.values.shape[1] != len(vocab):
            raise InputError(
                f"{name} has {scores.values.shape[1]} columns but there are {len(vocab)} "
                "labels: give one score column per label, in label order."
            )
        scores = replace(scores, names=vocab)
    return rt, scores, vocab


@dataclass(frozen=True)
class RankingInput(TruthShape):
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


def is_topk_form(y_score) -> bool:
    return (
        isinstance(y_score, tuple)
        and len(y_score) == 2
        and all(hasattr(a, "__len__") and not isinstance(a, str) for a in y_score)
    )


def _truth_csr(raw, vocab) -> sp.csr_matrix:
    t = to_canonical(raw, "y_true", vocab)
    if type(t) is not sp.csr_matrix:  # a new matrix would forget that its indices are sorted
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
    topk = is_topk_form(y_score)
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
    rt = read_raw(y_true, "y_true", sep)
    if isinstance(rt, RawSets) and labels is None:
        raise InputError(
            "sparse or top-k scores address labels by column index, so label sets in "
            "y_true need labels=[...] to say which label each index is."
        )
    vocab = vocabulary_of(rt, rt, labels)
    t = _truth_csr(rt, vocab)
    named = vocab is not None
    vocab = vocab or tuple(range(t.shape[1]))
    if sparse:  # rows may score any number of labels; the rest tie below them
        return RankingInput(t, None, _sparse_scores(y_score, t.shape), vocab, t.shape[1],
                            named)
    part = _topk_scores(y_score, t.shape)
    return RankingInput(t, None, part, vocab, int(part.indptr[1] - part.indptr[0]), named)


def _check_finite_entries(values, indptr, name, indices=None):
    bad = ~np.isfinite(values)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        row = int(np.searchsorted(indptr, k, side="right") - 1)
        raise located(InputError(
            f"{name} has {plain(values[k])} in row {row} (entry {k - indptr[row]}); scores "
            "must be finite. Check the model output for overflow or missing values."
        ), row, None if indices is None else indices[k], values[k])


def check_finite_entries(m: sp.csr_matrix, name: str = "y_score") -> None:
    """Reject NaN and inf among the stored entries of sparse scores, saying where the
    first one is (its row and label column)."""
    _check_finite_entries(m.data, m.indptr, name, m.indices)



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
    _check_finite_entries(data, m.indptr, "y_score", m.indices)
    return sp.csr_matrix((data, m.indices, m.indptr), shape=m.shape)


def _topk_scores(y_score, shape) -> sp.csr_matrix:
    idx_raw, val_raw = y_score
    try:
        idx = np.asarray(to_numpy(idx_raw, "top-k indices"))
        val = np.asarray(to_numpy(val_raw, "top-k scores"))
    except InputError:
        raise
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
    from .._parallel import beside
    from .._partial_numpy import kernels_for

    problem = beside(kernels_for(idx.size).topk_problem, idx, L)  # beside the CSR arrays
    k = idx.shape[1]
    # the index dtype scipy would choose, so that it keeps these arrays as they are
    wide = max(n * k, L) >= 2**31
    indptr = np.arange(0, n * k + 1, k, dtype=np.int64 if wide else np.int32)
    indices = idx.astype(np.int64 if wide else np.int32).ravel()
    values = val.astype(np.float64).ravel()
    what, r, c = problem()
    if what == 1:
        raise InputError(
            f"top-k index {int(idx[r, c])} at row {r}, position {c} is outside the "
            f"{L} labels (valid: 0 to {L - 1})."
        )
    if what == 2:
        raise InputError(
            f"top-k row {r} lists label {int(c)} more than once; each label may "
            "appear once per row."
        )
    _check_finite_entries(values, indptr, "top-k scores", indices)
    return sp.csr_matrix((values, indices, indptr), shape=shape)

