"""Additive sufficient statistics of multi-label predictions.

Every threshold metric labelwise reports is a formula over :class:`Counts`.
Counts of two chunks of data add up to the counts of the whole, which is what
makes streaming, merging accumulators and distributed evaluation exact.
"""

from __future__ import annotations

import mmap
import threading
from dataclasses import dataclass, replace

import numpy as np
from . import _sparse as sp

from . import _kernels, _numpy_counts
from ._parallel import ROW_BLOCKS, SERIAL_CELLS, in_threads
from ._validate import Labelled, check_sample_weight, coerce_pair
from .errors import InputError

__all__ = ["Counts", "RowTally"]

_DENSE_KEY_LIMIT = 1 << 22  # histogram by bincount when base**3 keys fit in this
_ADD_KEY_LIMIT = 1 << 16  # adding counts: the same, while it costs less than a sort
_HIST_KEYS = 1 << 21  # dense input: row groups counted in the kernel when (L + 1)**3 fit


@dataclass(frozen=True, eq=False)
class Counts:
    """Per-label confusion counts plus a histogram of per-sample counts.

    Attributes
    ----------
    tp, fp, fn, tn : ndarray of shape (n_labels,)
        Per-label true positives, false positives, false negatives and true
        negatives; integers, or floats when samples are weighted.
    row_true, row_pred, row_both : ndarray of shape (n_groups,)
        The distinct per-sample triples ``(|true|, |pred|, |true & pred|)``,
        sorted, each with ``row_count`` samples of total weight ``row_weight``.
    row_count : ndarray of int64, shape (n_groups,)
    row_weight : ndarray of float64, shape (n_groups,)
    n_samples : int
    total_weight : float
    labels : tuple or None
        The label of each column, or None when the input named no label (plain
        matrices without ``labels=``).
    unknown : ndarray of shape (n_labels,) or None
        With unknown truth entries (``unknown=`` in :func:`labelwise.evaluate`): the
        number (or weight) of each label's unknown entries. They are in none of
        ``tp``, ``fp``, ``fn``, ``tn``; None when every entry is known.
    row_unknown : ndarray of int64, shape (n_groups,), or None
        With unknown entries: each row group's number of unknown entries, a fourth
        part of the group's key beside the three sizes.

    Notes
    -----
    Counts add up (``a + b``, ``sum(chunks)``) only over the same columns: two
    counts with labels must have the same labels in the same order, and counts
    with ``labels=None`` add to any counts of the same width (the sum keeps the
    labels of the one that has them). Count every chunk with the same
    ``labels=[...]`` so that a label absent from one chunk still has its column.

    Examples
    --------
    >>> from labelwise import Counts
    >>> a = Counts.from_arrays([[1, 0, 1], [0, 1, 0]], [[1, 0, 0], [0, 1, 1]])
    >>> b = Counts.from_arrays([[1, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 0, 1]])
    >>> (a + b).tp.tolist(), (a + b).n_samples, (a + b).labels
    ([2, 1, 1], 4, None)
    >>> rock = Counts.from_arrays([["rock"]], [["rock", "jazz"]])
    >>> rock.labels
    ('jazz', 'rock')
    >>> rock + Counts.from_arrays([["rock"]], [["soul"]])
    Traceback (most recent call last):
    ...
    labelwise.InputError: cannot add counts over different labels: column 0 is 'jazz' on the left of + but 'rock' on the right (left: ['jazz', 'rock'], right: ['rock', 'soul']). Count every chunk with the same labels=[...], the whole vocabulary in one order, so that the columns line up.
    >>> vocab = ["jazz", "rock", "soul"]
    >>> total = sum(Counts.from_arrays(t, p, labels=vocab)
    ...             for t, p in [([["rock"]], [["rock", "jazz"]]), ([["rock"]], [["soul"]])])
    >>> total.tp.tolist(), total.fp.tolist(), total.labels
    ([0, 1, 0], [1, 0, 1], ('jazz', 'rock', 'soul'))
    """

    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray
    row_true: np.ndarray
    row_pred: np.ndarray
    row_both: np.ndarray
    row_count: np.ndarray
    row_weight: np.ndarray
    n_samples: int
    total_weight: float
    labels: tuple | None = None
    unknown: np.ndarray | None = None
    row_unknown: np.ndarray | None = None

    def __post_init__(self):
        if self.labels is None:
            return
        labels = tuple(self.labels)
        if len(labels) != self.tp.shape[0]:
            raise InputError(
                f"Counts has {self.tp.shape[0]} label columns but {len(labels)} labels "
                f"({_shown(labels)}): give one label per column, or labels=None."
            )
        object.__setattr__(self, "labels", labels)

    # -- construction ------------------------------------------------------

    @classmethod
    def from_arrays(cls, y_true, y_pred, *, sample_weight=None, labels=None, sep=","):
        """Validate ``y_true`` and ``y_pred`` (any supported input kind) and count them.

        The counts carry the labels: ``labels=``, else the DataFrame columns or
        the sorted union of the label sets, else None for unnamed matrices.
        Rows are matched as in :func:`labelwise._validate.coerce_pair`, and a
        ``sample_weight`` Series follows them (see
        :func:`labelwise._validate.check_sample_weight`).
        """
        data = coerce_pair(y_true, y_pred, labels=labels, sep=sep)
        weights = check_sample_weight(sample_weight, data.n_samples, data.index)
        return cls.from_labelled(data, weights)

    @classmethod
    def from_labelled(cls, data: Labelled, sample_weight=None, unknown=None,
                      tally: "RowTally | None" = None) -> "Counts":
        """Count validated data (see :func:`labelwise._validate.coerce_pair`).

        The counts take ``data.labels`` when they are names (``data.named``),
        else ``labels=None``. ``unknown`` is the boolean CSR mask of unknown truth
        entries, already taken out of ``data`` (0 on both sides,
        :func:`labelwise._validate.unknown.apply_unknown`): they are then left out
        of ``tn`` and counted in :attr:`unknown` and :attr:`row_unknown`. With a
        :class:`RowTally` of as many labels, the rows of a small dense batch may be
        counted into it instead: the counts then have no row groups of their own.
        """
        n = data.n_samples
        w = None if sample_weight is None else sample_weight
        total = float(n) if w is None else float(w.sum())
        labels = tuple(data.labels) if getattr(data, "named", True) else None
        if unknown is None and _groups_fit(data.y_true):
            tp, fp, fn, tn, *groups = _dense_grouped(data.y_true, data.y_pred, w, tally)
            return cls(tp, fp, fn, tn, *groups, n_samples=n, total_weight=total,
                       labels=labels)
        tp, fp, fn, tn, rt, rp, rb = per_row_counts(data, sample_weight)
        if unknown is None:
            groups = _group_rows(rt, rp, rb, w)
            return cls(tp, fp, fn, tn, *groups, n_samples=n, total_weight=total,
                       labels=labels)
        ru = np.diff(unknown.indptr).astype(np.int64)
        per_label = np.bincount(unknown.indices, None if w is None else np.repeat(w, ru),
                                minlength=unknown.shape[1])
        per_label = per_label.astype(tn.dtype)
        *groups, g_unknown = _group_rows_unknown(rt, rp, rb, ru, w)
        return cls(tp, fp, fn, tn - per_label, *groups, n_samples=n, total_weight=total,
                   labels=labels, unknown=per_label, row_unknown=g_unknown)

    @classmethod
    def of_row_groups(cls, groups: tuple, like: "Counts") -> "Counts":
        """Counts holding only row groups ``(row_true, row_pred, row_both, row_count,
        row_weight)`` (no rows, no per-label counts), over the labels of ``like``: what a
        :class:`RowTally` adds to the counts of the batches it tallied."""
        zeros = np.zeros_like(like.tp)
        return cls(zeros, zeros.copy(), zeros.copy(), zeros.copy(), *groups, n_samples=0,
                   total_weight=0.0, labels=like.labels)

    @classmethod
    def of_unlabelled_rows(cls, n_samples: int, sample_weight=None) -> "Counts":
        """Counts of ``n_samples`` rows over no label yet (label sets that were all empty):
        :meth:`widen` gives them columns later.

        >>> c = Counts.of_unlabelled_rows(2).widen(["rock"])
        >>> c.tn.tolist(), c.n_samples
        ([2], 2)
        """
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        total = float(n_samples) if w is None else float(w.sum())
        empty = np.zeros(0, dtype=np.int64 if w is None else np.float64)
        zero = np.zeros(1, dtype=np.int64)
        return cls(empty, empty.copy(), empty.copy(), empty.copy(), zero, zero.copy(),
                   zero.copy(), np.array([n_samples], dtype=np.int64), np.array([total]),
                   n_samples=n_samples, total_weight=total, labels=())

    # -- algebra -------------------------------------------------------------

    @property
    def n_labels(self) -> int:
        return self.tp.shape[0]

    @property
    def weighted(self) -> bool:
        return self.tp.dtype.kind == "f"

    def __add__(self, other: "Counts") -> "Counts":
        if not isinstance(other, Counts):
            return NotImplemented
        labels = _common_labels(self.labels, other.labels)
        if other.n_labels != self.n_labels:
            raise InputError(
                f"cannot add counts over {other.n_labels} labels to counts over "
                f"{self.n_labels} labels: chunks must share the same label columns."
            )
        rt = np.concatenate([self.row_true, other.row_true])
        rp = np.concatenate([self.row_pred, other.row_pred])
        rb = np.concatenate([self.row_both, other.row_both])
        if self.unknown is not None or other.unknown is not None:
            return self._add_unknown(other, labels, rt, rp, rb)
        return Counts(
            self.tp + other.tp,
            self.fp + other.fp,
            self.fn + other.fn,
            self.tn + other.tn,
            *_merge_groups(rt, rp, rb, [self, other], _ADD_KEY_LIMIT),
            self.n_samples + other.n_samples,
            self.total_weight + other.total_weight,
            labels,
        )

    def _add_unknown(self, other: "Counts", labels, rt, rp, rb) -> "Counts":
        """``self + other`` when either has unknown entries (four-part row keys)."""
        ru = np.concatenate([_row_unknown(self), _row_unknown(other)])
        *sizes, g_unknown, inv = _unique4(rt, rp, rb, ru)
        count = np.bincount(inv, np.concatenate([self.row_count, other.row_count]))
        weight = np.bincount(inv, np.concatenate([self.row_weight, other.row_weight]))
        unknown = _label_unknown(self) + _label_unknown(other)
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn,
                      self.tn + other.tn, *sizes, count.astype(np.int64), weight,
                      self.n_samples + other.n_samples,
                      self.total_weight + other.total_weight, labels,
                      unknown=unknown, row_unknown=g_unknown)

    @property
    def known_rows(self) -> np.ndarray:
        """Per row group: whether its rows have at least one known entry (all True
        without unknown entries)."""
        if self.row_unknown is None:
            return np.ones(self.row_true.shape[-1], dtype=np.bool_)
        return self.row_unknown < self.n_labels

    def __radd__(self, other):
        if isinstance(other, int) and other == 0:  # lets sum() work
            return self
        return NotImplemented

    @staticmethod
    def total(parts: list) -> "Counts":
        """``parts[0] + parts[1] + ...``, the same numbers (every sum is taken in that
        order), with the row groups merged once instead of once per ``+``.

        >>> a = Counts.from_arrays([[1, 0]], [[1, 1]])
        >>> Counts.total([a, a, a]) == a + a + a
        True
        """
        if not parts:
            raise InputError("Counts.total() needs at least one Counts to add up; got none.")
        if len(parts) == 1:
            return parts[0]
        if any(p.unknown is not None for p in parts):
            out = parts[0]
            for p in parts[1:]:
                out = out + p
            return out
        first = parts[0]
        labels = first.labels
        for p in parts[1:]:
            labels = _common_labels(labels, p.labels)
            if p.n_labels != first.n_labels:
                return first + p  # raises, as + does
        sums = []
        for name in ("tp", "fp", "fn", "tn"):
            total = getattr(first, name)
            for p in parts[1:]:
                total = total + getattr(p, name)
            sums.append(total)
        rt = np.concatenate([p.row_true for p in parts])
        rp = np.concatenate([p.row_pred for p in parts])
        rb = np.concatenate([p.row_both for p in parts])
        n_samples, total_weight = first.n_samples, first.total_weight
        for p in parts[1:]:
            n_samples, total_weight = n_samples + p.n_samples, total_weight + p.total_weight
        return Counts(*sums, *_merge_groups(rt, rp, rb, parts, _DENSE_KEY_LIMIT), n_samples,
                      total_weight, labels)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Counts):
            return NotImplemented
        return self.labels == other.labels and all(
            np.array_equal(getattr(self, f), getattr(other, f))
            for f in self.__dataclass_fields__
            if f != "labels"
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        labels = "" if self.labels is None else f", labels={_shown(self.labels)}"
        return (
            f"Counts(n_samples={self.n_samples}, n_labels={self.n_labels}{labels}, "
            f"total_weight={self.total_weight:g}, row_groups={self.row_true.shape[0]})"
        )

    def widen(self, labels) -> "Counts":
        """The same counts over ``labels``, a superset of :attr:`labels` in any order:
        a label not counted so far was never true nor predicted, so every sample is one
        of its true negatives.

        >>> c = Counts.from_arrays([["rock"], []], [["rock"], ["rock"]]).widen(["jazz", "rock"])
        >>> c.labels, c.tp.tolist(), c.fp.tolist(), c.tn.tolist()
        (('jazz', 'rock'), [0, 1], [0, 1], [2, 0])
        """
        labels = tuple(labels)
        if self.labels is None:
            raise InputError("counts without label names cannot be widened to named labels.")
        pos = {x: j for j, x in enumerate(labels)}
        lost = [x for x in self.labels if x not in pos]
        if lost:
            raise InputError(f"widen() needs a superset of the labels; {_shown(lost)} are "
                             "missing from the new labels.")
        where = np.array([pos[x] for x in self.labels], dtype=np.int64)
        empty = self.total_weight if self.weighted else self.n_samples

        def spread(values, fill):
            out = np.full(len(labels), fill, dtype=values.dtype)
            out[where] = values
            return out

        unknown = None if self.unknown is None else spread(self.unknown, 0)
        return replace(self, tp=spread(self.tp, 0), fp=spread(self.fp, 0),
                       fn=spread(self.fn, 0), tn=spread(self.tn, empty), labels=labels,
                       unknown=unknown)

    def to_dict(self) -> dict:
        """Plain JSON-safe data; :meth:`from_dict` restores the counts exactly.

        >>> import json
        >>> c = Counts.from_arrays([[1, 0], [1, 1]], [[1, 1], [0, 1]], sample_weight=[0.5, 2])
        >>> Counts.from_dict(json.loads(json.dumps(c.to_dict()))) == c
        True
        """
        out = {f: getattr(self, f) for f in self.__dataclass_fields__}
        for f, v in out.items():
            if isinstance(v, np.ndarray):
                out[f] = {"dtype": v.dtype.str, "values": v.tolist()}
        out["labels"] = None if self.labels is None else [
            x.item() if isinstance(x, np.generic) else x for x in self.labels]
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Counts":
        """Counts from :meth:`to_dict` data."""
        try:
            kw = {f: (np.asarray(v["values"], dtype=np.dtype(v["dtype"]))
                      if isinstance(v, dict) else v) for f, v in d.items()}
            kw["labels"] = None if kw["labels"] is None else tuple(kw["labels"])
            return cls(**kw)
        except (KeyError, TypeError, ValueError) as err:
            raise InputError(f"not the data of Counts.to_dict() ({err}).") from None

    def confusion_matrices(self) -> np.ndarray:
        """Per-label 2x2 matrices ``[[tn, fp], [fn, tp]]``, shape (n_labels, 2, 2)."""
        return np.stack([self.tn, self.fp, self.fn, self.tp], axis=1).reshape(-1, 2, 2)


def _shown(labels, n: int = 10) -> str:
    """``['a', 'b', ...]``: the first ``n`` labels as a list."""
    head = ", ".join(repr(x) for x in labels[:n])
    return f"[{head}{', ...' if len(labels) > n else ''}]"


def _common_labels(left, right):
    """The labels of ``left + right``; raise when both have labels and they differ.

    Counts without labels (None) take the other side's; widths are checked by
    the caller.
    """
    if left is None or right is None or left == right:
        return right if left is None else left
    j = next((j for j, (x, y) in enumerate(zip(left, right)) if x != y), None)
    if j is None:  # one is the other with more labels at the end
        j = min(len(left), len(right))
        longer, side = (left, "left") if len(left) > len(right) else (right, "right")
        where = (f"only the {side} of + has column {j} ({longer[j]!r}); the other has "
                 f"{j} label(s)")
    else:
        where = f"column {j} is {left[j]!r} on the left of + but {right[j]!r} on the right"
    order = " (the same labels in another order)" if set(left) == set(right) else ""
    raise InputError(
        f"cannot add counts over different labels{order}: {where} (left: {_shown(left)}, "
        f"right: {_shown(right)}). Count every chunk with the same labels=[...], the whole "
        "vocabulary in one order, so that the columns line up."
    )


def _groups_fit(t) -> bool:
    """Whether ``t`` is dense with few enough labels for the kernels to count its row
    groups in a histogram of ``(L + 1)**3`` keys per row block."""
    return not sp.issparse(t) and (t.shape[1] + 1) ** 3 <= _HIST_KEYS


def _numpy_path(cells: int, sample_weight) -> bool:
    """Whether dense input of ``cells`` cells is counted with numpy. Weighted input only
    below the size the kernels split into row blocks: their float sums are then added
    in the same order on both paths, so the same call gives the same numbers whichever
    path it takes."""
    if sample_weight is not None and cells >= SERIAL_CELLS:
        return False
    return _numpy_counts.take(cells)


def _dense_grouped(t, p, sample_weight=None, tally=None):
    """Per-label ``tp, fp, fn, tn`` and the row groups of :class:`Counts` (``row_true,
    row_pred, row_both, row_count, row_weight``) of dense 0/1 input: with numpy for
    small inputs, as :func:`per_row_counts` does, else with the kernels (into ``tally``,
    when it takes the batch: then with no row groups)."""
    n, L = t.shape
    if _numpy_path(n * L, sample_weight):
        tp, fp, fn, tn, rt, rp, rb = _numpy_counts.dense_counts(
            t.view(np.uint8), p.view(np.uint8), sample_weight)
        return tp, fp, fn, tn, *_group_rows(rt, rp, rb, sample_weight)
    if tally is not None and tally.takes(n, L, sample_weight is not None):
        return _dense_kernel_counts(t, p, sample_weight, tally=tally)
    return _dense_kernel_counts(t, p, sample_weight)


def per_row_counts(data: Labelled, sample_weight=None):
    """Run the counting kernel: per-label tp, fp, fn, tn and per-row sizes."""
    t, p = data.y_true, data.y_pred
    if sp.issparse(t):
        w = np.ones(t.shape[0]) if sample_weight is None else sample_weight
        small = sample_weight is None and _numpy_counts.take(t.indices.size + p.indices.size)
        out = (_numpy_counts if small else _kernels).csr_counts(
            t.shape[1], t.indptr, t.indices, p.indptr, p.indices, w
        )
        if sample_weight is None:
            out = tuple(a.astype(np.int64) for a in out[:4]) + out[4:]
        return out
    n, L = t.shape
    t8, p8 = t.view(np.uint8), p.view(np.uint8)
    if _numpy_path(n * L, sample_weight):
        return _numpy_counts.dense_counts(t8, p8, sample_weight)
    return _dense_kernel_counts(t, p, sample_weight, grouped=False)


def _dense_kernels():
    """:mod:`labelwise._dense_kernels`, imported (with numba) on first use."""
    global _DENSE_KERNELS
    if _DENSE_KERNELS is None:
        from . import _dense_kernels as k

        _DENSE_KERNELS = k
    return _DENSE_KERNELS


_DENSE_KERNELS = None


def _narrow_kernels():
    """:mod:`labelwise._narrow_kernels`, imported on first use."""
    from . import _narrow_kernels as k

    return k


def _dense_kernel_counts(t, p, sample_weight=None, grouped: bool = True, tally=None):
    """Count two dense (n, L) 0/1 matrices with the compiled kernels, over row blocks
    on threads.

    Parameters
    ----------
    t, p : ndarray of shape (n, L)
        Truth and predictions, bool (or int8/uint8 holding 0 and 1).
    sample_weight : ndarray of float64, shape (n,), optional
    grouped : bool, default True
        Give the row groups of :class:`Counts` (each block counts its rows into a
        histogram of ``(|true|, |pred|, |true & pred|)``; needs ``(L + 1)**3`` at most
        :data:`_HIST_KEYS`), instead of every row's sizes.

    Returns
    -------
    tuple
        ``(tp, fp, fn, tn, *rest)``: per-label int64 counts (float64 when weighted);
        ``rest`` is ``(row_true, row_pred, row_both, row_count, row_weight)`` of the
        distinct triples in sorted order when ``grouped``, else the per-row int32
        sizes ``(row_true, row_pred, row_both)``.
    """
    k = _dense_kernels()
    n, L = t.shape
    weighted = sample_weight is not None
    if weighted:
        t2 = np.ascontiguousarray(t).view(np.uint8)
        p2 = np.ascontiguousarray(p).view(np.uint8)
    else:
        t8, p8 = k.flat_bytes(t), k.flat_bytes(p)
    base = L + 1
    keys = base**3 if grouped else 0
    rows = (np.zeros(0, dtype=np.int32),) * 3 if grouped else tuple(
        np.empty(n, dtype=np.int32) for _ in range(3))

    def run(lo: int, hi: int):
        acc = np.zeros((4, L) if weighted else (3, L), np.float64 if weighted else np.int64)
        if tally is not None:  # rows into the tally's histograms, read once for many batches
            hist, hist_w, top = tally.hist, tally.hist_w, tally.top
        else:
            hist = _HISTOGRAMS.take(keys, np.int64)
            hist_w = _HISTOGRAMS.take(keys if weighted else 0, np.float64)
            top = np.zeros(2, dtype=np.int64)
        if weighted:
            k.dense_counts_weighted(t2, p2, L, sample_weight, lo, hi, acc, hist, hist_w,
                                    base, top, *rows)
        elif grouped and L <= 16:  # a kernel written for this row width
            _narrow_kernels().KERNELS[L](t8, p8, lo, hi, acc, hist, base, top)
        else:
            count = k.dense_counts_narrow if L <= 16 else k.dense_counts
            count(t8, p8, L, lo, hi, acc, hist, base, top, *rows)
        return acc, hist, hist_w, top

    parts = [run(0, n)] if tally is not None else in_threads(run, n, L)  # one tally: serial
    acc = parts[0][0] if len(parts) == 1 else sum(part[0] for part in parts)
    if weighted:
        tp, fp, fn, tn = acc
    else:
        tp, fp, fn = acc[0], acc[2] - acc[0], acc[1] - acc[0]
        tn = n - tp - fp - fn
    if not grouped:
        return tp, fp, fn, tn, *rows
    if tally is not None:
        tally.rows += n
        none = np.zeros(0, dtype=np.int64)
        return tp, fp, fn, tn, none, none, none, none, np.zeros(0)
    mt = max(int(part[3][0]) for part in parts)
    mp = max(int(part[3][1]) for part in parts)
    groups, corner = _corner_groups([part[1] for part in parts],
                                    [part[2] for part in parts] if weighted else None,
                                    base, mt, mp)
    for part in parts:  # zero again where the rows wrote, and kept for the next batch
        _HISTOGRAMS.give_back(part[1], base, corner)
        _HISTOGRAMS.give_back(part[2], base, corner)
    return (tp, fp, fn, tn, *groups)


def _corner_groups(hists: list, hists_w, base: int, mt: int, mp: int):
    """The row groups ``(row_true, row_pred, row_both, row_count, row_weight)`` in the
    row-group histograms ``hists`` (and their weights ``hists_w``, or None), summed;
    and the corner they were read from. Only the corner up to the largest sizes seen
    (``mt`` true, ``mp`` predicted labels) was written; the caller zeroes it again."""
    corner = (slice(0, mt + 1), slice(0, mp + 1), slice(0, min(mt, mp) + 1))
    count = hists[0].reshape(base, base, base)[corner].copy()
    for hist in hists[1:]:
        count += hist.reshape(base, base, base)[corner]
    at = np.flatnonzero(count)
    sizes = tuple(a.astype(np.int64) for a in np.unravel_index(at, count.shape))
    if hists_w is not None:  # block by block, in row order within each block
        weight = hists_w[0].reshape(base, base, base)[corner].copy()
        for hist in hists_w[1:]:
            weight += hist.reshape(base, base, base)[corner]
        weight = weight.ravel()[at]
    count = count.ravel()[at]
    if hists_w is None:
        weight = count.astype(np.float64)
    return (*sizes, count, weight), corner


class RowTally:
    """The row groups of many small dense batches, counted into one histogram of
    ``(|true|, |pred|, |true & pred|)`` keys over calls and read once
    (:meth:`groups`), where each batch's own would be read and merged per batch.

    Parameters
    ----------
    n_labels : int
        The batches' labels; ``(n_labels + 1)**3`` keys.
    weighted : bool
        Whether the batches are weighted (their row weights are tallied too).
    """

    MOST_ROWS = SERIAL_CELLS  # batches of fewer cells: counted on one block

    @staticmethod
    def fits(n_labels: int) -> bool:
        """Whether batches of ``n_labels`` labels can be tallied."""
        return (n_labels + 1) ** 3 <= _HIST_KEYS

    def __init__(self, n_labels: int, weighted: bool) -> None:
        self.n_labels, self.weighted = int(n_labels), bool(weighted)
        self.base = self.n_labels + 1
        self.hist = _untouched_zeros(self.base**3, np.int64)
        self.hist_w = _untouched_zeros(self.base**3 if weighted else 0, np.float64)
        self.top = np.zeros(2, dtype=np.int64)
        self.rows = 0

    def takes(self, n: int, n_labels: int, weighted: bool) -> bool:
        """Whether a batch of ``n`` rows goes into this tally: same labels and
        weighting, and small enough to be counted in one row block."""
        return (n_labels == self.n_labels and weighted == self.weighted
                and n * n_labels < self.MOST_ROWS)

    def groups(self) -> tuple:
        """``(row_true, row_pred, row_both, row_count, row_weight)`` of the rows so far,
        in sorted key order; the tally is empty again afterwards."""
        base = self.base
        groups, corner = _corner_groups([self.hist], [self.hist_w] if self.weighted else None,
                                        base, int(self.top[0]), int(self.top[1]))
        self.hist.reshape(base, base, base)[corner] = 0
        if self.weighted:
            self.hist_w.reshape(base, base, base)[corner] = 0
        self.top[:] = 0
        self.rows = 0
        return groups


class _Histograms:
    """Zeroed row-group histograms, kept between batches: a fresh one takes a page
    fault for every page its rows touch (hundreds, for a corner of (L + 1)**3 keys),
    which costs more than counting a batch of 10,000 rows; a kept one is zeroed again
    in the corner that was written. Safe for the counting threads."""

    KEEP = ROW_BLOCKS  # histograms kept per size and dtype: one per row block of a call

    def __init__(self) -> None:
        self._free: dict = {}
        self._lock = threading.Lock()

    def take(self, size: int, dtype) -> np.ndarray:
        with self._lock:
            free = self._free.get((size, np.dtype(dtype)))
            if free:
                return free.pop()
        return _untouched_zeros(size, dtype)

    def give_back(self, hist: np.ndarray, base: int, corner: tuple) -> None:
        if hist.size != base**3 or not hist.size:
            return
        hist.reshape(base, base, base)[corner] = 0
        with self._lock:
            free = self._free.setdefault((hist.size, hist.dtype), [])
            if len(free) < self.KEEP:
                free.append(hist)


_HISTOGRAMS = _Histograms()


def _untouched_zeros(size: int, dtype) -> np.ndarray:
    """Zeros whose pages take memory only once written: a large histogram of which
    rows touch a corner costs that corner (an anonymous mapping; ``np.zeros`` may
    take recycled memory and write every page)."""
    nbytes = size * np.dtype(dtype).itemsize
    if nbytes < 1 << 20:
        return np.zeros(size, dtype=dtype)
    return np.frombuffer(mmap.mmap(-1, nbytes), dtype=dtype)


def _key_base(rt, rp, ru=None) -> int:
    """Smallest base that encodes every per-row size present (sizes are < base)."""
    if rt.size == 0:
        return 1
    top = max(rt.max(), rp.max()) if ru is None else max(rt.max(), rp.max(), ru.max())
    return int(top) + 1


def _row_unknown(c: Counts) -> np.ndarray:
    if c.row_unknown is None:
        return np.zeros(c.row_true.shape[0], dtype=np.int64)
    return c.row_unknown


def _label_unknown(c: Counts) -> np.ndarray:
    if c.unknown is None:
        return np.zeros(c.n_labels, dtype=c.tn.dtype)
    return c.unknown


def _unique4(rt, rp, rb, ru):
    """The distinct rows of ``(rt, rp, rb, ru)``, sorted, and each row's group."""
    base = _key_base(rt, rp, ru)
    if float(base) ** 4 < 2.0**62:  # one int64 key per row
        b = np.int64(base)
        key = _row_key(rt, rp, rb, base) * b + ru
        uniq, inv = np.unique(key, return_inverse=True)
        return uniq // (b * b * b), uniq // (b * b) % b, uniq // b % b, uniq % b, inv
    rows = np.stack([np.asarray(a, dtype=np.int64) for a in (rt, rp, rb, ru)], axis=1)
    uniq, inv = np.unique(rows, axis=0, return_inverse=True)
    return (*(np.ascontiguousarray(uniq[:, j]) for j in range(4)), inv.reshape(-1))


def _group_rows_unknown(rt, rp, rb, ru, w):
    """:func:`_group_rows` with each row's number of unknown entries in its key."""
    rt, rp, rb, ru, inv = _unique4(rt, rp, rb, ru)
    count = np.bincount(inv)
    weight = count.astype(np.float64) if w is None else np.bincount(inv, w)
    return rt, rp, rb, count.astype(np.int64), weight, ru


def _merge_groups(rt, rp, rb, parts: list, dense_limit: int) -> tuple:
    """The row groups of ``parts`` (whose concatenated sizes are ``rt, rp, rb``) with
    equal keys merged: ``(row_true, row_pred, row_both, row_count, row_weight)``, the
    counts and weights summed in the parts' order. A histogram over every key while
    there are at most ``dense_limit`` of them, else a sort."""
    base = _key_base(rt, rp)
    key = _row_key(rt, rp, rb, base)
    counts = np.concatenate([p.row_count for p in parts])
    weights = np.concatenate([p.row_weight for p in parts])
    if base**3 <= dense_limit:  # no sort
        count = np.bincount(key, counts)
        uniq = np.flatnonzero(count)
        count, weight = count[uniq], np.bincount(key, weights)[uniq]
    else:
        uniq, inv = np.unique(key, return_inverse=True)
        count, weight = np.bincount(inv, counts), np.bincount(inv, weights)
    return (*_decode_key(uniq, base), count.astype(np.int64), weight)


def _row_key(rt, rp, rb, base: int) -> np.ndarray:
    b = np.int64(base)
    return (rt.astype(np.int64) * b + rp) * b + rb


def _decode_key(key: np.ndarray, base: int):
    key = key.astype(np.int64)
    return key // (base * base), key // base % base, key % base


def _group_rows(rt, rp, rb, w):
    """Histogram of per-row triples: distinct triples, their counts and weights."""
    base = _key_base(rt, rp)
    key = _row_key(rt, rp, rb, base)
    if base**3 <= _DENSE_KEY_LIMIT:
        count = np.bincount(key)
        uniq = np.flatnonzero(count)
        weight = count[uniq].astype(np.float64) if w is None else np.bincount(key, w)[uniq]
        count = count[uniq]
    else:
        uniq, inv = np.unique(key, return_inverse=True)
        count = np.bincount(inv)
        weight = count.astype(np.float64) if w is None else np.bincount(inv, w)
    return (*_decode_key(uniq, base), count.astype(np.int64), weight)
