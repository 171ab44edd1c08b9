"""The sparse text format of the Extreme Classification Repository.

Two headers occur:

* ``N L``: ``N`` rows over ``L`` labels, each row ``label:value ...`` (or bare
  ``label`` for a 1), as written for labels and for scores;
* ``N D L``: the repository's data files, each row ``l1,l2,... feature:value ...``.
  Read as labels, the row's first token holds its labels and the features are
  skipped. Read as scores (a scores file whose header was copied from the data
  file), every entry is ``label:score`` over the ``L`` labels, and a row that starts
  with a label list is refused.

Every label index must lie in ``0 .. L-1``; anything else is an error naming the line.
"""

from __future__ import annotations

import math
import re
from typing import Iterator

import numpy as np
from .. import _sparse as sp

from ..errors import InputError
from . import _files

__all__ = ["xc_blocks"]


def _header(src, text: str) -> tuple[int, int, bool]:
    header = text.split()
    if len(header) in (2, 3) and all(h.isdigit() for h in header):
        return int(header[0]), int(header[-1]), len(header) == 3
    hint = ""
    if re.search(r"[,\t;]", text) and not re.fullmatch(r"[\d\s]*", text):
        hint = " If the file is a table with a header row, pass --input-format csv (or tsv)."
    raise InputError(
        f"{src.path}:1: expected an XC header 'N L' or 'N D L' (numbers), found "
        f"{text.strip()[:60]!r}.{hint}"
    )


def xc_blocks(src, block_rows: int) -> Iterator:
    """Blocks of CSR rows of an XC file (see the module docstring)."""
    from .source import Block

    src.refuse_columns("the XC format has no columns")
    src.names = None
    with _files.open_text(src.file, src.compression, src.encoding) as f:
        n, L, with_features = _header(src, f.readline())
        as_scores = with_features and src.role == "scores"
        if as_scores:
            note = (f"{src.path}: header 'N D L' read as {n} rows over {L} labels, with "
                    "'label:score' entries.")
            if note not in src.notes:
                src.notes.append(note)
        start = 0
        rows: list = []
        cols: list = []
        vals: list = []
        count = 0
        for count, text in enumerate(f, start=1):
            r = count - 1 - start
            for j, v in _entries(src, text, count + 1, L, with_features and not as_scores,
                                 as_scores):
                rows.append(r)
                cols.append(j)
                vals.append(v)
            if count - start == block_rows:
                yield Block(start, None, matrix=_matrix(src, start, rows, cols, vals, count - start, L))
                start, rows, cols, vals = count, [], [], []
        if count - start > 0:
            yield Block(start, None, matrix=_matrix(src, start, rows, cols, vals, count - start, L))
        if count != n:
            raise InputError(
                f"{src.path}:1: the header announces {n} rows but the file has {count}."
            )


def _entries(src, text: str, line: int, L: int, labels_first: bool, as_scores: bool):
    if labels_first:
        first = text.split(" ", 1)[0].strip() if not text.startswith(" ") else ""
        tokens = [(t, "1") for t in first.split(",") if t and ":" not in t]
    else:
        parts = text.split()
        if as_scores and parts and ":" not in parts[0]:
            raise InputError(
                f"{src.path}:{line}: {parts[0]!r} is a label list, as in an XC data file "
                "(labels, then features); a scores file holds 'label:score' entries. Give "
                "the data file as --true, and the scores with a 'N L' header."
            )
        tokens = [tuple(t.split(":", 1)) if ":" in t else (t, "1") for t in parts]
    for tok, val in tokens:
        try:
            j = int(tok)
        except ValueError:
            raise InputError(
                f"{src.path}:{line}: {tok!r} is not an integer label index (entries are "
                "'label:value' or 'label')."
            ) from None
        try:
            v = float(val)
        except ValueError:
            raise InputError(f"{src.path}:{line}, label {j}: {val!r} is not a number.") from None
        if not 0 <= j < L:
            raise InputError(
                f"{src.path}:{line}: label {j} is outside the {L} labels of the header "
                f"(indices 0 to {L - 1})."
            )
        if not math.isfinite(v):
            raise InputError(f"{src.path}:{line}, label {j}: the value {val} is not finite.")
        yield j, v


def _matrix(src, start: int, rows, cols, vals, n_rows: int, L: int) -> sp.csr_matrix:
    m = sp.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(n_rows, L))
    if m.nnz != len(vals):  # the constructor summed a label given twice in one row
        keys = np.asarray(rows, dtype=np.int64) * L + np.asarray(cols, dtype=np.int64)
        uniq, first = np.unique(keys, return_index=True)
        again = np.setdiff1d(np.arange(keys.size), first)[0]
        r, j = divmod(int(keys[again]), L)
        raise InputError(
            f"{src.path}:{start + r + 2}: label {j} appears more than once in the row; "
            "give each label once."
        )
    return m
