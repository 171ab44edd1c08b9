"""Pair the rows of a truth file with the rows of a predictions file.

By position (streamed, block by block) or by an id column (the truth side is
held in memory, the predictions stream). Every block is checked against the
label vocabulary here, so errors name the file, line and column. Nothing is
silently dropped: ids without a partner and duplicate ids are errors unless
``allow_missing`` is set, and then they are counted in :class:`Matching`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import scipy.sparse as sp

from ._validate import _Matrix, _Sets
from .errors import InputError
from .io import Block, Source

__all__ = ["Matching", "vocabulary", "pairs", "as_raw"]


@dataclass
class Matching:
    """How the rows of the two files were matched."""

    by: str  # "position" or the id column
    truth_rows: int = 0
    pred_rows: int = 0
    matched: int = 0
    left_out: dict = field(default_factory=dict)  # reason -> count

    def to_dict(self) -> dict:
        return {"by": self.by, "truth_rows": self.truth_rows, "pred_rows": self.pred_rows,
                "matched": self.matched, "left_out": dict(self.left_out)}


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------


def vocabulary(truth: Source, labels=None) -> tuple:
    """The label vocabulary: ``labels`` if given, else the truth file's label names.

    Truth given as label sets is read once to collect its labels (sorted);
    truth without names (npy, XC) has positional labels ``0 .. L-1``.
    """
    if labels is not None:
        vocab = tuple(labels)
        dups = sorted({x for x in vocab if vocab.count(x) > 1})
        if dups:
            raise InputError(f"--labels names {dups} more than once; each label must appear once.")
        if truth.labels_column is None and truth.fmt in ("csv", "tsv", "jsonl", "parquet"):
            truth.label_columns = list(vocab)
        return vocab
    if truth.labels_column is not None:
        found = {lab for b in truth.blocks() for row in b.sets for lab in row}
        if not found:
            raise InputError(f"{truth.path}: no row has any label; pass --labels to name them.")
        return tuple(sorted(found))
    first = next(truth.blocks(block_rows=1024))
    if truth.names is not None:
        return truth.names
    width = first.values.shape[1] if first.values is not None else first.matrix.shape[1]
    return tuple(str(j) for j in range(width))


# --------------------------------------------------------------------------
# Checking one block against the vocabulary
# --------------------------------------------------------------------------


def _align_columns(src: Source, block: Block, vocab: tuple, scores: bool) -> np.ndarray | sp.csr_matrix:
    """The block's values as a (rows, len(vocab)) matrix in vocabulary order."""
    if block.values is None:
        m = block.matrix
        if m.shape[1] != len(vocab):
            raise InputError(
                f"{src.path} has {m.shape[1]} label columns but there are {len(vocab)} labels; "
                "label positions must match, or give label names."
            )
        return m
    names = src.names
    if names is None:
        if block.values.shape[1] != len(vocab):
            raise InputError(
                f"{src.path} has {block.values.shape[1]} columns but there are {len(vocab)} "
                "labels; label positions must match."
            )
        return block.values
    unknown = [x for x in names if x not in vocab]
    if unknown:
        raise InputError(
            f"{src.path} has label columns {unknown[:10]} that are not in the truth's labels "
            f"{list(vocab[:10])}{' ...' if len(vocab) > 10 else ''}. Labels are matched by "
            "name: rename them, or pass --labels listing every label."
        )
    missing = [x for x in vocab if x not in names]
    if missing:
        raise InputError(
            f"{src.path} lacks columns for the labels {missing[:10]}; "
            + ("every label needs a score." if scores else "every label needs a 0/1 column.")
        )
    pos = {x: i for i, x in enumerate(names)}
    return block.values[:, [pos[x] for x in vocab]]


def _check_01(src: Source, block: Block, values, vocab) -> None:
    if sp.issparse(values):
        bad = np.flatnonzero((values.data != 0) & (values.data != 1))
        if bad.size:
            k = bad[0]
            row = int(np.searchsorted(values.indptr, k, side="right") - 1)
            raise InputError(
                f"{src.where(block.start + row)}, label {vocab[values.indices[k]]!r}: "
                f"{values.data[k]:g} is not 0 or 1."
            )
        return
    bad = (values != 0) & (values != 1)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InputError(
            f"{src.where(block.start + r, vocab[c])}: {values[r, c]:g} is not 0 or 1. Hard "
            "predictions need 0/1 values; for scores or probabilities use --scores."
        )


def _check_finite(src: Source, block: Block, values, vocab) -> None:
    data = values.data if sp.issparse(values) else values
    bad = ~np.isfinite(np.asarray(data, dtype=np.float64))
    if bad.any():
        if sp.issparse(values):
            k = int(np.flatnonzero(bad)[0])
            row = int(np.searchsorted(values.indptr, k, side="right") - 1)
            where = f"{src.where(block.start + row)}, label {vocab[values.indices[k]]!r}"
            value = values.data[k]
        else:
            r, c = np.argwhere(bad)[0]
            where, value = src.where(block.start + r, vocab[c]), values[r, c]
        raise InputError(f"{where}: the score {value} is not finite.")


def _check_sets(src: Source, block: Block, vocab: tuple) -> list:
    index = {x: x for x in vocab}
    out = []
    for r, row in enumerate(block.sets):
        fixed = []
        for lab in row:
            if lab in index:
                fixed.append(lab)
            elif lab.isdigit() and int(lab) < len(vocab):
                fixed.append(vocab[int(lab)])  # an integer label index
            else:
                close = difflib.get_close_matches(lab, [str(v) for v in vocab], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise InputError(
                    f"{src.where(block.start + r, src.labels_column)}: the label {lab!r} is not "
                    f"among the truth's labels{hint}. Add it with --labels, or fix the file."
                )
        out.append(fixed)
    return out


def as_raw(src: Source, block: Block, vocab: tuple, kind: str):
    """Check ``block`` and return it in the form the library validates (sets or matrix).

    ``kind`` is ``"labels"`` (0/1 or label sets) or ``"scores"``.
    """
    if block.sets is not None:
        if kind == "scores":
            raise InputError(
                f"{src.path}: scores need one numeric column per label, not a label-set column."
            )
        return _Sets(_check_sets(src, block, vocab))
    values = _align_columns(src, block, vocab, kind == "scores")
    if kind == "scores":
        _check_finite(src, block, values, vocab)
        return _Matrix(values if sp.issparse(values) else np.asarray(values, np.float64), vocab)
    _check_01(src, block, values, vocab)
    return _Matrix(values, vocab)


# --------------------------------------------------------------------------
# Pairing rows
# --------------------------------------------------------------------------


def _take(block: Block, lo: int, hi: int) -> Block:
    ids = None if block.ids is None else block.ids[lo:hi]
    if block.values is not None:
        return Block(block.start + lo, ids, values=block.values[lo:hi])
    if block.matrix is not None:
        return Block(block.start + lo, ids, matrix=block.matrix[lo:hi])
    return Block(block.start + lo, ids, sets=block.sets[lo:hi])


def _by_position(truth: Source, pred: Source, m: Matching, check) -> Iterator[tuple]:
    ti, pi = truth.blocks(), pred.blocks()
    tb = pb = None
    while True:
        if tb is None or tb.n_rows == 0:
            tb = next(ti, None)
        if pb is None or pb.n_rows == 0:
            pb = next(pi, None)
        if tb is None or pb is None:
            break
        n = min(tb.n_rows, pb.n_rows)
        yield check(_take(tb, 0, n), _take(pb, 0, n))
        m.matched += n
        tb, pb = _take(tb, n, tb.n_rows), _take(pb, n, pb.n_rows)
    t_rest = (tb.n_rows if tb else 0) + sum(b.n_rows for b in ti)
    p_rest = (pb.n_rows if pb else 0) + sum(b.n_rows for b in pi)
    m.truth_rows, m.pred_rows = m.matched + t_rest, m.matched + p_rest
    if t_rest or p_rest:
        raise InputError(
            f"{truth.path} has {m.truth_rows} rows but {pred.path} has {m.pred_rows}; without "
            "--id-column, rows are matched by position, so the counts must agree. Pass "
            "--id-column to match rows by id."
        )


def _duplicates(ids: list) -> list:
    seen, dups = set(), []
    for x in ids:
        if x in seen and x not in dups:
            dups.append(x)
        seen.add(x)
    return dups


def _few(ids) -> str:
    ids = list(ids)
    return ", ".join(repr(x) for x in ids[:5]) + (", ..." if len(ids) > 5 else "")


def _by_id(truth: Source, pred: Source, m: Matching, allow_missing: bool, vocab, kind):
    whole = truth.read_all()
    truth_raw = as_raw(truth, whole, vocab, "labels")
    if whole.ids is None:
        raise InputError(f"{truth.path}: no id column {truth.id_column!r} to match rows by.")
    dups = _duplicates(whole.ids)
    if dups:
        raise InputError(
            f"{truth.path} has {len(dups)} duplicate id(s) in column {truth.id_column!r}: "
            f"{_few(dups)}. Each sample needs one row."
        )
    position = {x: i for i, x in enumerate(whole.ids)}
    m.truth_rows = len(whole.ids)
    used = np.zeros(m.truth_rows, dtype=bool)
    unknown: list = []
    repeated: list = []
    for pb in pred.blocks():
        if pb.ids is None:
            raise InputError(f"{pred.path}: no id column {pred.id_column!r} to match rows by.")
        pred_raw = as_raw(pred, pb, vocab, kind)
        m.pred_rows += pb.n_rows
        rows = np.array([position.get(x, -1) for x in pb.ids], dtype=np.int64)
        keep = rows >= 0
        unknown += [x for x, k in zip(pb.ids, keep) if not k][: 6 - len(unknown[:6])]
        n_unknown = int((~keep).sum())
        m.left_out["prediction id not in truth"] = (
            m.left_out.get("prediction id not in truth", 0) + n_unknown
        )
        seen_before = used[rows[keep]]
        if seen_before.any():
            repeated += [pb.ids[i] for i in np.flatnonzero(keep)[seen_before]][:5]
            m.left_out["duplicate prediction id"] = (
                m.left_out.get("duplicate prediction id", 0) + int(seen_before.sum())
            )
        sel = np.flatnonzero(keep)
        sel = sel[~seen_before]
        used[rows[sel]] = True
        if sel.size:
            yield _raw_rows(truth_raw, rows[sel]), _raw_rows(pred_raw, sel)
            m.matched += sel.size
    missing = int((~used).sum())
    if missing:
        m.left_out["truth id without prediction"] = missing
    m.left_out = {k: v for k, v in m.left_out.items() if v}
    if repeated:
        raise InputError(
            f"{pred.path} has duplicate id(s) in column {pred.id_column!r}: {_few(repeated)}. "
            "Each sample needs one prediction."
        )
    if not allow_missing and m.left_out:
        parts = []
        if "truth id without prediction" in m.left_out:
            miss_ids = [whole.ids[i] for i in np.flatnonzero(~used)[:6]]
            parts.append(f"{missing} truth id(s) have no prediction ({_few(miss_ids)})")
        if "prediction id not in truth" in m.left_out:
            parts.append(
                f"{m.left_out['prediction id not in truth']} prediction id(s) are not in the "
                f"truth ({_few(unknown)})"
            )
        raise InputError(
            "; ".join(parts) + ". Nothing is dropped silently: fix the files, or pass "
            "--allow-missing to evaluate only the matched rows."
        )
    if m.matched == 0:
        raise InputError(f"no id of {pred.path} matches an id of {truth.path}.")


def _raw_rows(raw, rows: np.ndarray):
    if isinstance(raw, _Sets):
        return _Sets([raw.rows[i] for i in rows])
    return _Matrix(raw.values[rows], raw.names)


def pairs(truth: Source, pred: Source, vocab: tuple, kind: str, *, allow_missing=False):
    """Matched, checked (truth, prediction) pairs ready for the library, and their Matching.

    ``kind`` says what the predictions hold: ``"labels"`` or ``"scores"``.
    """
    by_id = truth.id_column is not None or pred.id_column is not None
    if by_id and (truth.id_column is None or pred.id_column is None):
        raise InputError("--id-column must name a column present in both files.")
    m = Matching(by=truth.id_column if by_id else "position")

    def check(tb: Block, pb: Block):
        return as_raw(truth, tb, vocab, "labels"), as_raw(pred, pb, vocab, kind)

    if by_id:
        return _by_id(truth, pred, m, allow_missing, vocab, kind), m
    return _by_position(truth, pred, m, check), m
