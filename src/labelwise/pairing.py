"""Pair the rows of a truth file with the rows of a predictions file.

By position (streamed, block by block) or by an id column (the truth side is
held in memory, the predictions stream). Every block is checked against the
label vocabulary here, so errors name the file, line and column. Nothing is
silently dropped: ids without a partner and duplicate ids are errors unless
``allow_missing`` is set, and then they are counted in :class:`Matching`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
from . import _sparse as sp

from ._names import did_you_mean
from ._validate import (RawMatrix, RawSets, check_finite_entries, coerce_scores, location,
                        to_canonical)
from .errors import InputError
from .io import Block, Source, is_id_name

__all__ = ["Matching", "vocabulary", "pairs", "as_raw"]


@dataclass
class Matching:
    """How the rows of the two files were matched."""

    by: str  # "position" or the id column
    truth_rows: int = 0
    pred_rows: int = 0
    matched: int = 0
    left_out: dict = field(default_factory=dict)  # reason -> count
    # matched by id: the truth row of each row yielded, block by block
    truth_index: list = field(default_factory=list, repr=False)

    def truth_order(self):
        """The truth row of every matched row, in the order they were yielded (None when
        rows were matched by position: then they are in the truth's order)."""
        return np.concatenate(self.truth_index) if self.truth_index else None

    def to_dict(self) -> dict:
        return {"by": self.by, "truth_rows": self.truth_rows, "pred_rows": self.pred_rows,
                "matched": self.matched, "left_out": dict(self.left_out)}


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------


def vocabulary(truth: Source, labels=None, pred: Source | None = None) -> tuple:
    """The label vocabulary: ``labels`` if given, else the label names of the data.

    Truth in columns has the names of its label columns; truth without names (npy,
    XC) has positional labels ``0 .. L-1``. Truth in label sets takes the names of
    the predictions' label columns when they have named columns (a scores table
    names every label of the model); else, without ``labels``, the sorted union of
    the labels that occur in the truth and in the predictions (when those are label
    sets too), as :func:`labelwise.evaluate` does: see :func:`label_space`.
    """
    if labels is not None:
        vocab = tuple(labels)
        dups = sorted(x for x, k in Counter(vocab).items() if k > 1)
        if dups:
            raise InputError(f"--labels names {dups} more than once; each label must appear once.")
        if truth.labels_column is None and truth.fmt in ("csv", "tsv", "jsonl", "parquet"):
            truth.label_columns = list(vocab)
        return vocab
    if truth.labels_column is not None:
        if pred is not None and pred.labels_column is None and _named_columns(pred) \
                and pred.names is not None:
            return pred.names  # the model's label columns name the whole label space
        if pred is not None and pred.labels_column is not None:
            return None  # both hold label sets: the engine collects their labels as it reads
        found = _labels_in(truth)
        if pred is not None and pred.labels_column is not None:
            found |= _labels_in(pred)
        if not found:
            raise InputError(f"{truth.path}: no row has any label; pass --labels to name them.")
        return tuple(sorted(found))
    width = _named_columns(truth)
    if truth.names is not None:
        return truth.names
    return tuple(str(j) for j in range(width))


def _named_columns(src: Source) -> int:
    """Read the first rows of ``src`` (which sets ``src.names`` for named columns) and
    return its number of label columns."""
    names = src.label_names()
    if names is not None:
        return len(names)
    blocks = src.blocks(block_rows=1024)
    try:
        first = next(blocks, None)
    finally:
        blocks.close()  # stop the reader (and its read-ahead) now
    if first is None:
        raise InputError(f"{src.path} has no data rows.")
    if first.sets is not None:
        return 0
    return first.values.shape[1] if first.values is not None else first.matrix.shape[1]


def _labels_in(src: Source) -> set:
    return {lab for b in src.blocks() for row in b.sets for lab in row}


def label_space(truth: Source, pred: Source, vocab: tuple, labels) -> dict | None:
    """Where the vocabulary came from, when :func:`vocabulary` read it off the truth's
    label sets (predictions in unnamed columns): ``{"source": "data", "n_labels": L,
    "only_in_predictions": 0}``, else None. (With label sets on both sides the engine
    collects the labels, and says the same.)
    """
    if labels is not None or truth.labels_column is None or pred.labels_column is not None:
        return None
    if pred.names is not None:
        return None  # named by the prediction columns
    return {"source": "data", "n_labels": len(vocab), "only_in_predictions": 0}


# --------------------------------------------------------------------------
# Checking one block against the vocabulary
# --------------------------------------------------------------------------


def _align_columns(src: Source, block: Block, vocab: tuple, scores: bool) -> np.ndarray | sp.csr_matrix:
    """The block's values as a (rows, len(vocab)) matrix in vocabulary order."""
    m = block.values if block.values is not None else block.matrix
    if src.names is None:
        if m.shape[1] != len(vocab):
            raise InputError(
                f"{src.path} has {m.shape[1]} label columns but there are {len(vocab)} labels; "
                "label positions must match, or give label names."
            )
        return m
    names = src.names
    known = set(vocab)
    unknown = [x for x in names if x not in known]
    if unknown:
        hint = did_you_mean(unknown[0], vocab)
        hint = hint[:-2] + f" for {unknown[0]!r}?)" if hint else ""
        raise InputError(
            f"{src.path} has label columns {unknown[:10]} that are not in the truth's labels "
            f"{list(vocab[:10])}{' ...' if len(vocab) > 10 else ''}{hint}. Labels are matched "
            "by name: rename them, or pass --labels listing every label."
        )
    present = set(names)
    missing = [x for x in vocab if x not in present]
    if missing:
        raise InputError(
            f"{src.path} lacks columns for the labels {missing[:10]}; "
            + ("every label needs a score." if scores else "every label needs a 0/1 column.")
        )
    if tuple(names) == tuple(vocab):
        return m
    pos = {x: i for i, x in enumerate(names)}
    return m[:, [pos[x] for x in vocab]]


def _canonical_01(src: Source, block: Block, values, vocab, truth: bool):
    """The block's 0/1 values as the library's canonical 0/1 matrix (validated once,
    here); a value other than 0 or 1 is an error naming its line and column."""
    try:
        return to_canonical(RawMatrix(values, vocab), "y_true" if truth else "y_pred", vocab)
    except InputError as err:
        found = location(err)
        if found is None:
            raise
        r, c, value = found
        raise _not_01(src, block, values, vocab, truth, r, c, value,
                      getattr(err, "summed", False)) from None


def _not_01(src: Source, block: Block, values, vocab, truth, r, c, value, summed) -> InputError:
    if isinstance(value, np.generic):  # a uint8 of a 0/1 column read as bytes: 2, not 2.0
        value = value.item()
    shown = f"{value:g}" if isinstance(value, (int, float)) else repr(value)
    if sp.issparse(values):
        note = " (the row gives the label more than once)" if summed else ""
        return InputError(f"{src.where(block.start + r)}, label {vocab[c]!r}: {shown} is not "
                          f"0 or 1{note}.")
    column = np.asarray(values[:, c])
    if _looks_like_metadata(column):
        hint = (f"The column holds whole numbers up to {column.max():g}: it looks like an "
                f"id or other metadata, not a label. Pass --id-column {vocab[c]} to match "
                f"rows by it, or --exclude-columns {vocab[c]} to leave it out.")
    elif truth:
        hint = "True labels are 0 or 1."
        if not isinstance(value, (int, float)) or value not in (0, 1):
            marker = "''" if isinstance(value, float) and value != value else shown
            hint += (f" If {shown} marks an entry nobody annotated, pass --unknown-value "
                     f"{marker} to leave such entries out.")
    else:
        hint = "Hard predictions need 0/1 values; for scores or probabilities use --scores."
    return InputError(f"{src.where(block.start + r, vocab[c])}: {shown} is not 0 or 1. {hint}")


def _looks_like_metadata(column: np.ndarray) -> bool:
    """Whole numbers, several of them outside 0/1, of three or more values: a fold number,
    a row index or another id rather than a label with a typo."""
    if not np.all(column == np.round(column)):
        return False
    outside = np.count_nonzero((column != 0) & (column != 1))
    return outside >= 2 and np.unique(column).size >= 3


def _checked_scores(src: Source, block: Block, values, vocab):
    """The block's scores, validated once (here): a score that is not finite is an error
    naming its line and column."""
    try:
        if sp.issparse(values):
            check_finite_entries(values)
            return RawMatrix(values, vocab)
        return coerce_scores(RawMatrix(np.asarray(values, np.float64), vocab))
    except InputError as err:
        found = location(err)
        if found is None or found[1] is None:
            raise
        r, c, value = found
        where = (f"{src.where(block.start + r)}, label {vocab[c]!r}" if sp.issparse(values)
                 else src.where(block.start + r, vocab[c]))
        raise InputError(f"{where}: the score {value} is not finite.") from None


def _check_sets(src: Source, block: Block, vocab: tuple, sets=None,
                column: str | None = None) -> list:
    index = {x: x for x in vocab}
    out = []
    for r, row in enumerate(block.sets if sets is None else sets):
        fixed = []
        for lab in row:
            if lab in index:
                fixed.append(lab)
            elif lab.isdigit() and int(lab) < len(vocab):
                fixed.append(vocab[int(lab)])  # an integer label index
            else:
                raise InputError(
                    f"{src.where(block.start + r, column or src.labels_column)}: the label "
                    f"{lab!r} is not "
                    f"among the {len(vocab)} known labels{did_you_mean(lab, vocab)}. The labels "
                    "are the truth's label columns, or those given by --labels/--labels-file; "
                    "add it there, or fix the file."
                )
        out.append(fixed)
    return out


def as_raw(src: Source, block: Block, vocab: tuple, kind: str, *, truth: bool = False):
    """Check ``block`` and return it in the form the library validates (sets or matrix).

    ``kind`` is ``"labels"`` (0/1 or label sets) or ``"scores"``. Matrices are validated
    here, once, by the library's own checks, whose errors say where the bad value is:
    this puts it in the file's terms (its line and column). 0/1 matrices come back
    canonical (boolean), and scores as checked finite floats, so the library takes them
    as they are.
    """
    if block.sets is not None:
        if kind == "scores":
            raise InputError(
                f"{src.path}: scores need one numeric column per label, not a label-set column."
            )
        unknown = block.unknown_sets
        if unknown is not None and vocab is not None:
            unknown = _check_sets(src, block, vocab, unknown, src.unknown_column)
        return RawSets(block.sets if vocab is None else _check_sets(src, block, vocab),
                       unknown=unknown if unknown is not None and any(unknown) else None)
    values = _align_columns(src, block, vocab, kind == "scores")
    if kind == "scores":
        return _checked_scores(src, block, values, vocab)
    if truth and src.unknown is not None:
        return _with_unknown(src, block, values, vocab)
    return RawMatrix(_canonical_01(src, block, values, vocab, truth), vocab)


def _with_unknown(src: Source, block: Block, values, vocab) -> RawMatrix:
    """Truth with unknown entries (``--unknown-value``): canonical 0/1 elsewhere, and -1
    at each unknown entry (the marker the command line gives the engine)."""
    if sp.issparse(values):
        raise InputError(f"{src.path}: --unknown-value applies to files with one column per "
                         "label; this file lists each sample's labels.")
    marker = src.unknown.strip()
    values = np.asarray(values)
    if _is_number_text(marker):  # a number: exactly it (a missing value stays an error)
        unknown = values == float(marker)
    elif values.dtype.kind == "f":  # text: the reader read it, as missing values, as NaN
        unknown = np.isnan(values)
    else:
        unknown = np.zeros(values.shape, dtype=np.bool_)
    clean = np.where(unknown, 0, values)
    out = np.asarray(_canonical_01(src, block, clean, vocab, True)).astype(np.int8)
    out[unknown] = -1
    return RawMatrix(out, vocab)


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------
# Pairing rows
# --------------------------------------------------------------------------


def _check_order(truth: Source, pred: Source, tb: Block, pb: Block) -> None:
    """Rows matched by position must carry the same ids, where both files have an id column."""
    for c, tv in (tb.keys or {}).items():
        pv = (pb.keys or {}).get(c)
        if pv is None or tv == pv:
            continue
        r = next(i for i, (a, b) in enumerate(zip(tv, pv)) if a != b)
        raise InputError(
            f"{truth.where(tb.start + r, c)} is {tv[r]!r} but {pred.where(pb.start + r, c)} "
            f"is {pv[r]!r}: without --id-column, rows are matched by position, so both files "
            f"must list the samples in the same order. Pass --id-column {c} to match rows by id."
        )


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
        t_part, p_part = tb.take(0, n), pb.take(0, n)
        _check_order(truth, pred, t_part, p_part)
        yield check(t_part, p_part)
        m.matched += n
        tb, pb = tb.take(n, tb.n_rows), pb.take(n, pb.n_rows)
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


def _first_repeat(ids: list) -> tuple[int, int]:
    """Positions of the first id seen twice: (earlier row, repeating row)."""
    seen: dict = {}
    for i, x in enumerate(ids):
        if x in seen:
            return seen[x], i
        seen[x] = i
    raise ValueError("no repeated id")


def _by_id(truth: Source, pred: Source, m: Matching, allow_missing: bool, vocab, kind):
    whole = truth.read_all()
    truth_raw = as_raw(truth, whole, vocab, "labels", truth=True)
    if whole.ids is None:
        raise InputError(f"{truth.path}: no id column {truth.id_column!r} to match rows by.")
    dups = _duplicates(whole.ids)
    if dups:
        first, again = _first_repeat(whole.ids)
        raise InputError(
            f"{truth.where(again, truth.id_column)}: the id {whole.ids[again]!r} is already "
            f"at {truth.line(first)}; {len(dups)} id(s) appear more than once "
            f"({_few(dups)}). Each sample needs one row."
        )
    position = {x: i for i, x in enumerate(whole.ids)}
    m.truth_rows = len(whole.ids)
    used = np.zeros(m.truth_rows, dtype=bool)
    pred_row = np.full(m.truth_rows, -1, dtype=np.int64)  # where each truth id was predicted
    unknown: list = []
    repeated: list = []
    first_repeat = None  # (row of the repeat, row it repeats) in the predictions file
    for pb in pred.blocks():
        if pb.ids is None:
            raise InputError(f"{pred.path}: no id column {pred.id_column!r} to match rows by.")
        pred_raw = as_raw(pred, pb, vocab, kind)
        m.pred_rows += pb.n_rows
        rows = np.array([position.get(x, -1) for x in pb.ids], dtype=np.int64)
        keep = rows >= 0
        if len(unknown) < 6:
            unknown += [x for x, k in zip(pb.ids, keep) if not k][: 6 - len(unknown)]
        n_unknown = int((~keep).sum())
        m.left_out["prediction id not in truth"] = (
            m.left_out.get("prediction id not in truth", 0) + n_unknown
        )
        sel = np.flatnonzero(keep)
        # An id repeats if an earlier block used it, or an earlier row of this block did.
        order = np.argsort(rows[sel], kind="stable")
        later = np.zeros(sel.size, dtype=bool)
        later[order[1:]] = rows[sel][order[1:]] == rows[sel][order[:-1]]
        again = later | used[rows[sel]]
        if again.any():
            for i in sel[again]:
                if len(repeated) < 6 and pb.ids[i] not in repeated:
                    repeated.append(pb.ids[i])
            if first_repeat is None:
                i = int(sel[again][0])
                earlier = pred_row[rows[i]]
                if earlier < 0:  # first seen earlier in this very block
                    earlier = pb.start + int(sel[rows[sel] == rows[i]][0])
                first_repeat = (pb.start + i, int(earlier))
            m.left_out["duplicate prediction id"] = (
                m.left_out.get("duplicate prediction id", 0) + int(again.sum())
            )
        sel = sel[~again]
        used[rows[sel]] = True
        pred_row[rows[sel]] = pb.start + sel
        if sel.size:
            w = None if whole.weights is None else whole.weights[rows[sel]]
            m.truth_index.append(rows[sel])
            yield _raw_rows(truth_raw, rows[sel]), _raw_rows(pred_raw, sel), w
            m.matched += sel.size
    missing = int((~used).sum())
    if missing:
        m.left_out["truth id without prediction"] = missing
    m.left_out = {k: v for k, v in m.left_out.items() if v}
    if first_repeat is not None:
        at, earlier = first_repeat
        raise InputError(
            f"{pred.where(at, pred.id_column)}: the id {repeated[0]!r} is already at "
            f"{pred.line(earlier)}; {m.left_out['duplicate prediction id']} row(s) repeat an "
            f"earlier id ({_few(repeated)}). Each sample needs one prediction."
        )
    if not allow_missing and m.left_out:
        parts = []
        if "truth id without prediction" in m.left_out:
            miss_ids = [whole.ids[i] for i in np.flatnonzero(~used)[:6]]
            parts.append(
                f"{missing} truth id(s) of {truth.path} have no prediction ({_few(miss_ids)})"
            )
        if "prediction id not in truth" in m.left_out:
            parts.append(
                f"{m.left_out['prediction id not in truth']} prediction id(s) of {pred.path} "
                f"are not in the truth ({_few(unknown)})"
            )
        raise InputError(
            "; ".join(parts) + ". Nothing is dropped silently: fix the files, or pass "
            "--allow-missing to evaluate only the matched rows."
        )
    if m.matched == 0:
        raise InputError(
            f"no id of {pred.path} matches an id of {truth.path} (column {truth.id_column!r}); "
            f"for example {_few(whole.ids[:3])} against {_few(unknown[:3])}."
        )


def _raw_rows(raw, rows: np.ndarray):
    if isinstance(raw, RawSets):
        unknown = None if raw.unknown is None else [raw.unknown[i] for i in rows]
        return RawSets([raw.rows[i] for i in rows], unknown=unknown)
    return RawMatrix(raw.values[rows], raw.names, checked=raw.checked)


def pairs(truth: Source, pred: Source, vocab: tuple, kind: str, *, allow_missing=False):
    """Matched, checked (truth, prediction, weights) triples ready for the library, and
    their Matching.

    ``kind`` says what the predictions hold: ``"labels"`` or ``"scores"``. The weights
    are the truth file's sample weights of the rows (None without a weight column).
    """
    by_id = truth.id_column is not None or pred.id_column is not None
    if by_id and (truth.id_column is None or pred.id_column is None):
        raise InputError("--id-column must name a column present in both files.")
    m = Matching(by=truth.id_column if by_id else "position")

    def check(tb: Block, pb: Block):
        return (as_raw(truth, tb, vocab, "labels", truth=True), as_raw(pred, pb, vocab, kind),
                tb.weights)

    if by_id:
        return _by_id(truth, pred, m, allow_missing, vocab, kind), m
    shared = [c for c in truth.columns() if is_id_name(c) and c in pred.columns()]
    truth.carry = pred.carry = tuple(shared)
    return _by_position(truth, pred, m, check), m
