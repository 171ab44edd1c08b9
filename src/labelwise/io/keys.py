"""Per-row keys of a file, for the leakage check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from .. import _sparse as sp

from .._names import did_you_mean
from ..errors import InputError
from .source import BLOCK_ROWS, Source, is_id_name

__all__ = ["Keys", "read_keys"]

_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_LONG = 40


@dataclass
class Keys:
    """One key per row (strings, or feature tuples), the columns they came from, and
    notes on what was detected rather than given."""

    rows: list
    columns: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def _looks_like_data(names) -> bool:
    """Whether a header row looks like a data row: a number, or a long text, as a name."""
    return any(_NUMBER.match(str(n)) or len(str(n)) > _LONG for n in names)


def _default_key(names: list, types: dict, exclude: set) -> list:
    """Every column that is not an id or a label; the text ones, when there are any."""
    import pyarrow.types as pt

    rest = [c for c in names if c not in exclude and not is_id_name(c)]
    text = [c for c in rest if pt.is_string(types[c]) or pt.is_large_string(types[c])]
    return text or rest


def read_keys(path, *, fmt=None, key_columns=None, exclude=(), header=True, delimiter=None,
              encoding=None) -> Keys:
    """Per-row keys of a file, for leakage checks: strings or feature rows.

    Tables give the ``key_columns``. By default these are the text columns that are
    neither ids (``id``, ``*_id``) nor in ``exclude`` (label and id columns), or every
    such column if none holds text. Several columns are joined by a unit separator.
    npy/npz files give each row's values.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "test.csv"
    >>> _ = path.write_text("id,text,joy\\n1,Hello there,1\\n2,bye,0\\n")
    >>> keys = read_keys(path, exclude={"joy"})
    >>> keys.columns, keys.rows
    (['text'], ['Hello there', 'bye'])
    """
    src = Source(path, fmt=fmt, header=header, delimiter=delimiter, encoding=encoding)
    if src.fmt in ("npy", "npz"):
        arr = src.load_array()
        if sp.issparse(arr):
            rows = [tuple(zip(r.indices.tolist(), r.data.tolist())) for r in arr]
        else:
            rows = list(np.asarray(arr))
        return Keys(rows, [], [])
    if src.fmt in ("xc", "arff"):
        raise InputError(f"{src.path}: {src.fmt} files hold labels and features, not keys; "
                         "give a table (csv, tsv, jsonl, parquet) or a npy/npz feature matrix.")
    import pyarrow as pa

    schema = src._inferred_schema()
    names = list(schema.names)
    types = {f.name: f.type for f in schema}
    notes = []
    if header and src.fmt in ("csv", "tsv") and _looks_like_data(names):
        notes.append(f"{src.path}: the first row was read as the header "
                     f"({', '.join(repr(str(n)[:30]) for n in names[:4])}), but it looks like "
                     "data; if the file has no header row, pass --no-header.")
    keys = list(key_columns) if key_columns else _default_key(names, types, set(exclude))
    missing = [c for c in keys if c not in names]
    if missing or not keys:
        hint = did_you_mean(missing[0], names) if missing else ""
        raise InputError(
            f"{src.path}: no key column {missing[:5] if missing else ''}{hint} among its "
            f"columns {names[:20]}; name the key with --key-column."
        )
    rows: list = []
    try:
        for batch in src._batches(BLOCK_ROWS):
            cols = [batch.column(c).to_pylist() for c in keys]
            rows += ["\x1f".join("" if v is None else str(v) for v in vals) for vals in zip(*cols)]
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as err:
        raise src._diagnose(err) from None
    return Keys(rows, keys, src.notes + notes)
