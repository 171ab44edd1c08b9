"""File readers: tables and sparse text in, blocks of rows out. No metric logic.

Supported formats, chosen by extension (or ``fmt=``):

======================  =========================================================
``csv``, ``tsv``        ``.csv``, ``.tsv``; a header row names the columns
``jsonl``               ``.jsonl``, ``.ndjson``; one JSON object per line
``parquet``             ``.parquet``, ``.pq``
``npy``, ``npz``        ``.npy``, ``.npz`` (a dense array, or a scipy sparse ``.npz``)
``xc``                  ``.xc``, ``.svm``, ``.txt``: Extreme Classification Repository
                        sparse text (header ``N L`` then ``label:value ...`` per row,
                        or header ``N D L`` then ``l1,l2,... feature:value ...``)
======================  =========================================================

Two layouts of a table:

* **columns**: one numeric column per label (0/1 or scores), headed by the label
  name, plus an optional id column; other non-numeric columns are ignored;
* **label sets**: one column holding each row's labels, as delimited names
  (``"joy,love"``), a JSON list, or integer label indices.

Readers stream: :meth:`Source.blocks` yields :class:`Block` objects of bounded
size, so files larger than memory can be reduced block by block.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import scipy.sparse as sp

from .errors import InputError

__all__ = ["Source", "Block", "FORMATS", "detect_format"]

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".npy": "npy",
    ".npz": "npz",
    ".xc": "xc",
    ".svm": "xc",
    ".svmlight": "xc",
    ".txt": "xc",
}
BLOCK_ROWS = 65536
# Bytes per block of the CSV and JSON readers. They read up to 32 blocks ahead in a
# background thread, so this bounds the memory each open reader holds.
BLOCK_BYTES = 1 << 20
_NULLS = {"", "NA", "N/A", "#N/A", "NULL", "null", "-NaN", "-nan", "NaN", "nan", "n/a"}
_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"


def detect_format(path: Path, fmt: str | None = None) -> str:
    """The format of ``path``: ``fmt`` if given, else by extension."""
    if fmt:
        if fmt not in set(FORMATS.values()):
            raise InputError(
                f"unknown input format {fmt!r}; choose one of {sorted(set(FORMATS.values()))}."
            )
        return fmt
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise InputError(
            f"{path}: cannot tell the format from the extension {path.suffix!r}; use one of "
            f"{', '.join(sorted(FORMATS))} or pass --input-format."
        )
    return found


@dataclass
class Block:
    """Consecutive rows of one file.

    Exactly one of ``values`` (a dense (rows, labels) array), ``matrix`` (a CSR
    matrix) and ``sets`` (a list of label lists) is set. ``keys`` holds the
    columns named in :attr:`Source.carry`, as text.
    """

    start: int
    ids: list | None
    values: np.ndarray | None = None
    matrix: sp.csr_matrix | None = None
    sets: list | None = None
    keys: dict | None = None

    @property
    def n_rows(self) -> int:
        if self.values is not None:
            return self.values.shape[0]
        if self.matrix is not None:
            return self.matrix.shape[0]
        return len(self.sets)


class Source:
    """One input file with its layout options.

    Parameters
    ----------
    path : str or Path
    fmt : str, optional
        Override the format detected from the extension.
    id_column : str, optional
        Column holding row ids (tables only).
    labels_column : str, optional
        Column holding label sets; without it, numeric columns are label columns.
    label_columns : sequence of str, optional
        Exactly these columns are label columns (columns layout).
    sep : str
        Delimiter of label sets held as strings.
    """

    def __init__(self, path, *, fmt=None, id_column=None, labels_column=None,
                 label_columns=None, sep=","):
        self.path = Path(path)
        if not self.path.exists():
            raise InputError(f"{self.path}: no such file.")
        if self.path.is_dir():
            raise InputError(f"{self.path} is a folder; give a file.")
        self.fmt = detect_format(self.path, fmt)
        self.id_column = id_column
        self.labels_column = labels_column
        self.label_columns = None if label_columns is None else list(label_columns)
        self.sep = sep
        self.names: tuple | None = None  # label column names, once known
        self.expected: frozenset = frozenset()  # text columns with these names hold labels
        self.carry: tuple = ()  # columns kept as text in Block.keys (to check row order)
        self._schema = None
        if self.path.stat().st_size == 0:
            raise InputError(f"{self.path} is empty: expected a header and data rows.")
        if labels_column is not None and labels_column not in self.columns():
            self.labels_column = None  # this file holds one column per label instead

    def columns(self) -> list[str]:
        """Column names of a table (empty for npy, npz and XC files)."""
        import pyarrow as pa

        if self.fmt not in ("csv", "tsv", "jsonl", "parquet"):
            return []
        try:
            return list(self._inferred_schema().names)
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as err:
            raise self._diagnose(err) from None

    # -- locating rows, as an editor shows them --------------------------------

    @property
    def _line_offset(self) -> int | None:
        return {"csv": 2, "tsv": 2, "xc": 2, "jsonl": 1}.get(self.fmt)

    def line(self, row: int) -> str:
        """``line N`` (header is line 1) or ``row N``: where a row is, within the file."""
        off = self._line_offset
        return f"line {row + off}" if off is not None else f"row {row}"

    def where(self, row: int, column=None) -> str:
        """``file:line`` (header is line 1) or ``file row N``, plus the column."""
        off = self._line_offset
        place = f"{self.path}:{row + off}" if off is not None else f"{self.path} row {row}"
        if column is not None:
            place += f", column {column!r}"
        return place

    # -- reading ---------------------------------------------------------------

    def blocks(self, block_rows: int = BLOCK_ROWS) -> Iterator[Block]:
        """Yield the file's rows in blocks; raises InputError naming file:line on bad content."""
        if self.fmt in ("csv", "tsv", "jsonl", "parquet"):
            yield from self._table_blocks(block_rows)
        elif self.fmt in ("npy", "npz"):
            yield from self._array_blocks(block_rows)
        else:
            yield from self._xc_blocks(block_rows)

    def read_all(self) -> Block:
        """All rows in one block (ids, values/matrix/sets concatenated)."""
        parts = list(self.blocks())
        if not parts:
            raise InputError(f"{self.path} has no data rows.")
        ids = None if parts[0].ids is None else [i for b in parts for i in b.ids]
        if parts[0].values is not None:
            return Block(0, ids, values=np.concatenate([b.values for b in parts]))
        if parts[0].matrix is not None:
            return Block(0, ids, matrix=sp.vstack([b.matrix for b in parts], format="csr"))
        return Block(0, ids, sets=[s for b in parts for s in b.sets])

    # tables: csv, tsv, jsonl, parquet ----------------------------------------

    def _open(self, schema=None):
        """A streaming reader of a CSV, TSV or JSONL file; ``schema`` fixes column types."""
        import pyarrow as pa

        if self.fmt in ("csv", "tsv"):
            import pyarrow.csv as pc

            types = {} if schema is None else {f.name: f.type for f in schema}
            types.update({c: pa.string() for c in (self.id_column, self.labels_column, *self.carry)
                          if c})
            return pc.open_csv(
                self.path,
                read_options=pc.ReadOptions(block_size=BLOCK_BYTES),
                parse_options=pc.ParseOptions(delimiter="\t" if self.fmt == "tsv" else ","),
                convert_options=pc.ConvertOptions(column_types=types),
            )
        import pyarrow.json as pj

        return pj.open_json(
            self.path,
            read_options=pj.ReadOptions(block_size=BLOCK_BYTES),
            parse_options=pj.ParseOptions(explicit_schema=schema),
        )

    def _inferred_schema(self):
        """Column names and types, as inferred from the first block of the file."""
        if self._schema is None:
            if self.fmt == "parquet":
                import pyarrow.parquet as pq

                self._schema = pq.ParquetFile(self.path).schema_arrow
            else:
                reader = self._open()
                try:
                    self._schema = reader.schema
                finally:
                    reader.close()
        return self._schema

    def _batches(self, block_rows: int):
        import pyarrow as pa
        import pyarrow.types as pt

        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(self.path).iter_batches(batch_size=block_rows)
        # Types are inferred from the first block only, and a column of whole numbers (or
        # of empty cells) there may hold fractions further down: read such columns as floats.
        fields = []
        for f in self._inferred_schema():
            widen = (pt.is_integer(f.type) or pt.is_null(f.type)) and f.name not in (
                self.id_column, self.labels_column, *self.carry)
            fields.append(pa.field(f.name, pa.float64()) if widen else f)
        return self._open(pa.schema(fields))

    def _table_blocks(self, block_rows: int) -> Iterator[Block]:
        import pyarrow as pa

        start = 0
        try:
            for batch in self._batches(block_rows):
                if batch.num_rows == 0:
                    continue
                yield self._block_from_batch(batch, start)
                start += batch.num_rows
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as err:
            raise self._diagnose(err) from None
        if start == 0:
            raise InputError(f"{self.path} has a header but no data rows.")

    def _column_names(self, batch) -> list[str]:
        import pyarrow.types as pt

        names = batch.schema.names
        for c in (self.id_column, self.labels_column):
            if c is not None and c not in names:
                raise InputError(
                    f"{self.path} has no column {c!r}; its columns are {names[:20]}."
                )
        if self.labels_column is not None:
            return []
        if self.label_columns is not None:
            missing = [c for c in self.label_columns if c not in names]
            if missing:
                raise InputError(
                    f"{self.path} lacks the label columns {missing[:10]}; its columns are "
                    f"{names[:20]}."
                )
            return list(self.label_columns)
        numeric = [
            f.name
            for f in batch.schema
            if f.name != self.id_column and f.name not in self.carry and not is_id_name(f.name)
            and (pt.is_integer(f.type) or pt.is_floating(f.type) or pt.is_boolean(f.type)
                 or pt.is_null(f.type)
                 or ((pt.is_string(f.type) or pt.is_large_string(f.type))
                     and (f.name in self.expected or _holds_numbers(batch.column(f.name)))))
        ]
        if not numeric:
            raise InputError(
                f"{self.path} has no numeric label columns (columns: {names[:20]}). For one "
                "column of label sets, pass --labels-column."
            )
        return numeric

    def _block_from_batch(self, batch, start: int) -> Block:
        block = self._read_batch(batch, start)
        if self.carry:
            names = batch.schema.names
            block.keys = {c: [str(x) for x in batch.column(c).to_pylist()]
                          for c in self.carry if c in names}
        return block

    def _read_batch(self, batch, start: int) -> Block:
        if self.names is None and self.labels_column is None:
            self.names = tuple(self._column_names(batch))
        elif self.names is None:
            self._column_names(batch)
        ids = None
        if self.id_column is not None:
            col = batch.column(self.id_column)
            if col.null_count:
                row = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])
                raise InputError(f"{self.where(start + row, self.id_column)}: the id is empty.")
            ids = [str(x) for x in col.to_pylist()]
        if self.labels_column is not None:
            col = batch.column(self.labels_column)
            return Block(start, ids, sets=[
                self._parse_set(x, start + r) for r, x in enumerate(col.to_pylist())
            ])
        columns = []
        for name in self.names:
            if name not in batch.schema.names:
                raise InputError(f"{self.path}: column {name!r} vanished after row {start}.")
            col = batch.column(name)
            if col.null_count:
                row = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])
                raise InputError(
                    f"{self.where(start + row, name)}: {self._missing(start + row, name)}; "
                    "every label column needs a number in every row."
                )
            arr = col.to_numpy(zero_copy_only=False)
            if arr.dtype.kind not in "biuf":  # a text column holding numbers (or typos)
                bad = next((r for r, v in enumerate(arr) if not _is_number(v)), None)
                if bad is not None:
                    raise InputError(
                        f"{self.where(start + bad, name)}: {arr[bad]!r} is not a number."
                    )
                arr = arr.astype(np.float64)
            columns.append(arr)
        return Block(start, ids, values=np.column_stack(columns))

    def _missing(self, row: int, column: str) -> str:
        """How a missing value looks in the file (slow path, errors only)."""
        if self.fmt not in ("csv", "tsv"):
            return "the value is missing (null or absent)"
        with open(self.path, newline="", encoding="utf-8", errors="replace") as f:
            reader = csv.reader(f, delimiter="\t" if self.fmt == "tsv" else ",")
            header = next(reader, [])
            for r, cells in enumerate(reader):
                if r == row:
                    if column in header and header.index(column) < len(cells):
                        text = cells[header.index(column)]
                        if text.strip():
                            return f"{text!r} marks a missing value, not a number"
                    break
        return "the value is empty"

    def _parse_set(self, x, row: int) -> list:
        if x is None:
            return []
        if isinstance(x, list):
            items = x
        else:
            text = str(x).strip()
            if text.startswith("["):
                try:
                    items = json.loads(text)
                except ValueError:
                    raise InputError(
                        f"{self.where(row, self.labels_column)}: {text!r} starts like a JSON "
                        "list but is not valid JSON."
                    ) from None
            else:
                items = [t.strip() for t in text.split(self.sep)] if self.sep else [text]
        return [str(t) for t in items if str(t) != ""]

    def _diagnose(self, err: Exception) -> InputError:
        """Find the line behind a parse or conversion error (slow path, errors only)."""
        if self.fmt in ("csv", "tsv"):
            delim = "\t" if self.fmt == "tsv" else ","
            with open(self.path, newline="", encoding="utf-8", errors="replace") as f:
                reader = csv.reader(f, delimiter=delim)
                header = next(reader, [])
                label_cols = [i for i, h in enumerate(header)
                              if h in (self.names or ()) or (self.names is None and h not in
                                                             (self.id_column, self.labels_column))]
                for line, row in enumerate(reader, start=2):
                    if len(row) != len(header):
                        return InputError(
                            f"{self.path}:{line}: expected {len(header)} columns as in the "
                            f"header, found {len(row)} (a ragged row)."
                        )
                    for i in label_cols:
                        cell = row[i].strip()
                        if self.names is not None and cell not in _NULLS and not _is_number(cell):
                            return InputError(
                                f"{self.path}:{line}, column {header[i]!r}: {row[i]!r} is not "
                                "a number."
                            )
        if self.fmt == "jsonl":
            numbers: set = set()
            texts: dict = {}
            with open(self.path, encoding="utf-8", errors="replace") as f:
                for line, text in enumerate(f, start=1):
                    if not text.strip():
                        continue
                    try:
                        obj = json.loads(text)
                    except ValueError as e:
                        return InputError(f"{self.path}:{line}: not valid JSON ({e.msg}).")
                    if not isinstance(obj, dict):
                        return InputError(
                            f"{self.path}:{line}: expected a JSON object {{column: value}}, "
                            f"found {type(obj).__name__}."
                        )
                    for name, v in obj.items():
                        if name in (self.id_column, self.labels_column) or v is None:
                            continue
                        if isinstance(v, (int, float)) and not isinstance(v, bool):
                            if name in texts:  # text first, numbers later: the text is bad
                                at, text = texts[name]
                                return InputError(
                                    f"{self.path}:{at}, column {name!r}: {text!r} is not a "
                                    "number."
                                )
                            numbers.add(name)
                        elif name in numbers or name in (self.names or ()):
                            return InputError(
                                f"{self.path}:{line}, column {name!r}: {v!r} is not a number."
                            )
                        else:
                            texts.setdefault(name, (line, v))
        return InputError(f"{self.path}: could not be read ({err}).")

    # arrays: npy, npz ---------------------------------------------------------

    def _load_array(self):
        try:
            if self.fmt == "npy":
                return np.load(self.path, mmap_mode="r", allow_pickle=False)
            with np.load(self.path, allow_pickle=False) as z:
                keys = list(z.keys())
                if {"indptr", "indices", "format"} <= set(keys):
                    return sp.load_npz(self.path).tocsr()
                if len(keys) != 1:
                    raise InputError(
                        f"{self.path} holds several arrays {keys[:10]}; save exactly one "
                        "(n_samples, n_labels) array, or a scipy sparse matrix."
                    )
                return z[keys[0]]
        except InputError:
            raise
        except (ValueError, OSError) as err:
            raise InputError(f"{self.path}: not a readable {self.fmt} file ({err}).") from None

    def _array_blocks(self, block_rows: int) -> Iterator[Block]:
        if self.id_column or self.labels_column:
            raise InputError(
                f"{self.path}: {self.fmt} files hold a plain matrix; --id-column and "
                "--labels-column apply to tables only."
            )
        arr = self._load_array()
        if arr.ndim != 2 or arr.shape[0] == 0:
            raise InputError(
                f"{self.path} holds an array of shape {arr.shape}; expected a non-empty "
                "(n_samples, n_labels) matrix."
            )
        self.names = None
        for start in range(0, arr.shape[0], block_rows):
            part = arr[start : start + block_rows]
            if sp.issparse(part):
                yield Block(start, None, matrix=sp.csr_matrix(part))
            else:
                yield Block(start, None, values=np.asarray(part))

    # sparse text: xc ----------------------------------------------------------

    def _xc_blocks(self, block_rows: int) -> Iterator[Block]:
        if self.id_column or self.labels_column:
            raise InputError(
                f"{self.path}: the XC format has no columns; --id-column and --labels-column "
                "apply to tables only."
            )
        with open(self.path, encoding="utf-8", errors="replace") as f:
            header = f.readline().split()
            if len(header) not in (2, 3) or not all(h.isdigit() for h in header):
                raise InputError(
                    f"{self.path}:1: expected an XC header 'N L' or 'N D L' (numbers), found "
                    f"{' '.join(header)[:60]!r}."
                )
            n, L = int(header[0]), int(header[-1])
            with_features = len(header) == 3
            self.names = None
            start = 0
            rows, cols, vals = [], [], []
            count = 0
            for count, text in enumerate(f, start=1):
                r = count - 1 - start
                for j, v in self._xc_entries(text, count + 1, L, with_features):
                    rows.append(r)
                    cols.append(j)
                    vals.append(v)
                if count - start == block_rows:
                    yield self._xc_block(start, rows, cols, vals, count - start, L)
                    start, rows, cols, vals = count, [], [], []
            if count - start > 0:
                yield self._xc_block(start, rows, cols, vals, count - start, L)
            if count != n:
                raise InputError(
                    f"{self.path}:1: the header announces {n} rows but the file has {count}."
                )

    def _xc_entries(self, text: str, line: int, L: int, with_features: bool):
        if with_features:
            first = text.split(" ", 1)[0].strip() if not text.startswith(" ") else ""
            tokens = [(t, "1") for t in first.split(",") if t and ":" not in t]
        else:
            tokens = [tuple(t.split(":", 1)) if ":" in t else (t, "1") for t in text.split()]
        for tok, val in tokens:
            try:
                j = int(tok)
            except ValueError:
                raise InputError(
                    f"{self.path}:{line}: {tok!r} is not an integer label index (entries are "
                    "'label:value' or 'label')."
                ) from None
            try:
                v = float(val)
            except ValueError:
                raise InputError(
                    f"{self.path}:{line}, label {j}: {val!r} is not a number."
                ) from None
            if not 0 <= j < L:
                raise InputError(
                    f"{self.path}:{line}: label {j} is outside the {L} labels of the header."
                )
            if not math.isfinite(v):
                raise InputError(f"{self.path}:{line}, label {j}: the value {val} is not finite.")
            yield j, v

    @staticmethod
    def _xc_block(start, rows, cols, vals, n_rows, L) -> Block:
        m = sp.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(n_rows, L))
        return Block(start, None, matrix=m)


def is_id_name(name: str) -> bool:
    """Whether a column name says it holds row ids (``id``, ``sample_id``, ...).

    Such columns are never taken for label columns, even when they hold numbers.
    """
    low = str(name).lower()
    return low == "id" or low.endswith("_id")


def _holds_numbers(col) -> bool:
    """Whether some value of a text column is a number: then the column holds labels with
    a bad value somewhere, rather than notes (which are ignored)."""
    import pyarrow.compute as pc

    return bool(pc.any(pc.match_substring_regex(col, _NUMBER)).as_py())


def _is_number(v) -> bool:
    if isinstance(v, (bool, np.bool_, int, float, np.number)):
        return True
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def read_keys(path, *, fmt=None, key_columns=None, exclude=()) -> list:
    """Per-row keys of a file, for leakage checks: strings or feature rows.

    Tables give the ``key_columns`` (default: every column not in ``exclude``),
    one string per row (several columns joined by a unit separator); npy/npz and
    XC files give each row's values.
    """
    src = Source(path, fmt=fmt)
    if src.fmt in ("npy", "npz"):
        arr = src._load_array()
        if sp.issparse(arr):
            return [tuple(zip(r.indices.tolist(), r.data.tolist())) for r in arr]
        return list(np.asarray(arr))
    if src.fmt == "xc":
        raise InputError(f"{src.path}: XC files hold labels and features, not keys; "
                         "give a table (csv, tsv, jsonl, parquet) or a npy/npz feature matrix.")
    import pyarrow as pa

    names = src.columns()
    keys = list(key_columns) if key_columns else [c for c in names if c not in set(exclude)]
    missing = [c for c in keys if c not in names]
    if missing or not keys:
        raise InputError(
            f"{src.path}: no key column {missing[:5] if missing else ''} among its columns "
            f"{names[:20]}; name the key with --key-column."
        )
    rows: list = []
    try:
        for batch in src._batches(BLOCK_ROWS):
            cols = [batch.column(c).to_pylist() for c in keys]
            rows += ["\x1f".join("" if v is None else str(v) for v in vals) for vals in zip(*cols)]
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as err:
        raise src._diagnose(err) from None
    return rows
