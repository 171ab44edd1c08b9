"""One input file and its layout options: :class:`Source` yields :class:`Block` objects."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from .. import _sparse as sp

from .._names import did_you_mean
from ..errors import InputError
from . import _files
from ._files import TABLES, detect_format

__all__ = ["Source", "Block", "is_id_name", "BLOCK_ROWS", "BLOCK_BYTES"]

BLOCK_ROWS = 65536
# Bytes per block of the CSV and JSON readers. They read up to 32 blocks ahead in a
# background thread, so this bounds the memory each open reader holds. Files with
# thousands of columns get blocks of WIDE_ROWS rows (at most MAX_BLOCK_BYTES), since
# the per-column cost of a block would otherwise dominate.
BLOCK_BYTES = 1 << 20
MAX_BLOCK_BYTES = 16 << 20
WIDE_COLUMNS = 1000
WIDE_ROWS = 256
# A Block joins the reader's consecutive blocks up to STREAM_ROWS rows (or the rows asked
# for, if fewer) or STREAM_BLOCKS times BLOCK_BYTES of values: few Blocks, so that the
# work per Block stays small beside the work per row, each of a bounded size (the
# memory of the Blocks in flight, and of the work on one, grows with it).
STREAM_ROWS = 32768
STREAM_BLOCKS = 16
# Blocks a table's reader converts ahead of the one in use, in a thread of its own (so
# that reading the two files overlaps with the work on their rows). Blocks of few columns
# are small, and the reader runs further ahead of them (READ_AHEAD_SMALL), up to
# SMALL_BLOCK_BYTES a Block: so that it keeps reading while the first Blocks wait for
# the work on them to start (the first update loads the compiled kernels).
READ_AHEAD = 2
READ_AHEAD_SMALL = 8
SMALL_BLOCK_BYTES = 8 << 20
_NULLS = {"", "NA", "N/A", "#N/A", "NULL", "null", "-NaN", "-nan", "NaN", "nan", "n/a"}
# A number, also with a decimal comma (so that such a column is seen as a label column
# and its values get a clear error instead of the column being ignored as notes).
_NUMBER = r"^\s*[-+]?(\d+[.,]?\d*|[.,]\d+)([eE][-+]?\d+)?\s*$"
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d*,\d+\s*$")
_UNNAMED = re.compile(r"^(Unnamed: \d+|\s*)$")
_ROW_IN_MESSAGE = re.compile(r"\bin row (\d+)")


@dataclass
class Block:
    """Consecutive rows of one file.

    Exactly one of ``values`` (a dense (rows, labels) array), ``matrix`` (a CSR
    matrix) and ``sets`` (a list of label lists) is set. ``keys`` holds the
    columns named in :attr:`Source.carry`, as text; ``weights`` the sample
    weights of the rows, when the file has a weight column.
    """

    start: int
    ids: list | None
    values: np.ndarray | None = None
    matrix: sp.csr_matrix | None = None
    sets: list | None = None
    keys: dict | None = None
    weights: np.ndarray | None = None
    unknown_sets: list | None = None  # with sets: each row's labels of unknown truth

    @property
    def n_rows(self) -> int:
        if self.values is not None:
            return self.values.shape[0]
        if self.matrix is not None:
            return self.matrix.shape[0]
        return len(self.sets)

    def take(self, lo: int, hi: int) -> "Block":
        """Rows ``lo:hi`` of this block."""
        def cut(x):
            return None if x is None else x[lo:hi]

        keys = None if self.keys is None else {c: v[lo:hi] for c, v in self.keys.items()}
        return Block(self.start + lo, cut(self.ids), values=cut(self.values),
                     matrix=cut(self.matrix), sets=cut(self.sets), keys=keys,
                     weights=cut(self.weights), unknown_sets=cut(self.unknown_sets))


class Source:
    """One input file with its layout options.

    Parameters
    ----------
    path : str or Path
        The file, or ``"-"`` for standard input (then ``fmt`` is needed).
    fmt : str, optional
        Override the format detected from the extension.
    id_column : str, optional
        Column holding row ids (tables only).
    labels_column : str, optional
        Column holding label sets; without it, numeric columns are label columns.
    label_columns : sequence of str, optional
        Exactly these columns are label columns (columns layout).
    exclude_columns : sequence of str, optional
        Columns that are never label columns (metadata such as a fold number).
    weight_column : str, optional
        Column holding each row's sample weight; never a label column.
    sep : str
        Delimiter of label sets held as strings.
    delimiter : str, optional
        Column delimiter of CSV/TSV files; by default the one the header line uses.
    encoding : str, optional
        Text encoding of CSV/TSV/JSONL files (default UTF-8).
    decimal : str, optional
        Decimal mark of numbers in CSV/TSV files (default ``.``). A ``,`` applies
        only to files whose columns are not separated by commas (see :attr:`decimal`).
    header : bool
        Whether a CSV/TSV file starts with a header row; without one, the columns
        are named ``column_1``, ``column_2``, ...
    role : {"labels", "scores"}
        What the file holds; XC files with an ``N D L`` header read as scores
        take ``label:score`` entries.
    unknown : str, optional
        The text that marks an unknown (not annotated) truth entry in a label column,
        such as ``"-1"``, ``"?"`` or ``""`` (an empty cell). A number is read as the
        number; any other text, and missing values, are read as NaN (null).
    unknown_column : str, optional
        With ``labels_column``: the column holding each sample's labels of unknown
        truth (nobody annotated them), a label set as in ``labels_column``.
    """

    def __init__(self, path, *, fmt=None, id_column=None, labels_column=None,
                 label_columns=None, exclude_columns=(), weight_column=None, sep=",",
                 delimiter=None, encoding=None, decimal=None, header=True, role="labels",
                 unknown=None, unknown_column=None):
        if str(path) == "-":
            self.file = _files.spool_stdin(fmt)
            self.path = Path("<stdin>")
        else:
            self.file = self.path = Path(path)
            if not self.path.exists():
                raise InputError(f"{self.path}: no such file.")
            if self.path.is_dir():
                raise InputError(f"{self.path} is a folder; give a file.")
        if sep == "":
            raise InputError(
                "--sep '': the delimiter inside label sets cannot be empty (each set would "
                "be one label); give the character between labels, e.g. --sep ',' or '|'."
            )
        self.fmt = detect_format(self.path, fmt)
        self.id_column = id_column
        self.labels_column = labels_column
        self.label_columns = None if label_columns is None else list(label_columns)
        self.exclude = frozenset(exclude_columns or ())
        self.weight_column = weight_column
        self.sep = sep
        self.encoding = _files.check_encoding(encoding)
        self.decimal = decimal
        self.header = header
        self.role = role
        self.unknown = unknown  # the text of an unknown truth entry, or None
        self.unknown_column = unknown_column  # label sets of unknown truth, or None
        self.names: tuple | None = None  # label column names, once known
        self.expected: frozenset = frozenset()  # text columns with these names hold labels
        self.carry: tuple = ()  # columns kept as text in Block.keys (to check row order)
        self.notes: list[str] = []  # what was detected rather than given, for the user
        self._schema = None
        self._head: str | None = None
        self.arff = None  # the ArffFile of an ARFF source, once opened
        if self.file.stat().st_size == 0:
            raise InputError(f"{self.path} is empty: expected a header and data rows.")
        self.compression = _files.compression_of(self.file)
        self.delimiter = ","
        if self.fmt in ("csv", "tsv", "jsonl"):
            self._sniff(delimiter)
        elif delimiter is not None or decimal is not None:
            raise InputError(
                f"{self.path}: --delimiter and --decimal apply to CSV/TSV files, not {self.fmt}."
            )
        if decimal is not None and decimal not in (".", ","):
            raise InputError(f"--decimal {decimal!r}: the decimal mark is '.' or ','.")
        if decimal == "," and self.delimiter == ",":
            self.decimal = None  # commas separate this file's columns: its decimals are '.'

        if self.fmt in TABLES:
            self._check_header()
        if labels_column is not None and labels_column not in self.columns():
            self.labels_column = None  # this file holds one column per label instead

    # -- what the file looks like ----------------------------------------------

    def _sniff(self, delimiter) -> None:
        try:
            self._head = _files.first_line(self.file, self.compression, self.encoding)
        except OSError as err:
            raise InputError(f"{self.path}: cannot be read as {self.compression} ({err}).") \
                from None
        hint = _files.content_hint(self.path, self.fmt, self._head)
        if hint:
            raise InputError(hint)
        if self.fmt == "jsonl":
            return
        self.delimiter = _files.sniff_delimiter(self._head, self.fmt, delimiter)
        usual = "\t" if self.fmt == "tsv" else ","
        if delimiter is None and self.delimiter != usual:
            self.notes.append(
                f"{self.path}: columns are separated by {_files.delimiter_name(self.delimiter)} "
                "(as its header line shows)."
            )

    def columns(self) -> list[str]:
        """Column names of a table (empty for npy, npz, XC and ARFF files)."""
        if self.fmt not in TABLES:
            return []
        return list(self._inferred_schema().names)

    def _check_header(self) -> None:
        names = self.columns()
        dups = sorted(n for n, k in Counter(names).items() if k > 1)
        if dups:
            raise InputError(
                f"{self.path}: the header names the columns {dups[:10]} more than once; "
                "each column needs its own name."
            )
        for i, n in enumerate(names):
            if _UNNAMED.match(str(n)) and n not in self.exclude:
                what = ("a pandas index written by to_csv(): save with to_csv(index=False)"
                        if i == 0 else "give it a name")
                raise InputError(
                    f"{self.path}: column {i + 1} has no name ({n!r}); it looks like {what}, "
                    "or name it and pass --id-column NAME if it identifies the samples "
                    "(--exclude-columns NAME to ignore it)."
                )

    def _inferred_schema(self):
        """Column names and types, as inferred from the first block of the file."""
        import pyarrow as pa

        if self._schema is None:
            try:
                if self.fmt == "parquet":
                    import pyarrow.parquet as pq

                    self._schema = pq.ParquetFile(self.file).schema_arrow
                else:
                    reader = self._open()
                    try:
                        schema = reader.schema
                        schema.names  # column names are decoded here
                        self._schema = schema
                        self._first = next(iter(reader), None)  # parsed with the schema
                    finally:
                        reader.close()
            except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as err:
                raise self._diagnose(err) from None
        return self._schema

    # -- locating rows, as an editor shows them --------------------------------

    @property
    def _line_offset(self) -> int | None:
        if self.fmt in ("csv", "tsv"):
            return 2 if self.header else 1
        return {"xc": 2, "jsonl": 1}.get(self.fmt)

    def line(self, row: int) -> str:
        """``line N`` (header is line 1) or ``row N``: where a row is, within the file."""
        if getattr(self, "arff", None) is not None:
            return f"line {self.arff.line(row)}"
        off = self._line_offset
        return f"line {row + off}" if off is not None else f"row {row}"

    def where(self, row: int, column=None) -> str:
        """``file:line`` (header is line 1) or ``file row N``, plus the column."""
        off = self._line_offset
        if getattr(self, "arff", None) is not None:
            place = f"{self.path}:{self.arff.line(row)}"
        elif off is not None:
            place = f"{self.path}:{row + off}"
        else:
            place = f"{self.path} row {row}"
        if column is not None:
            place += f", column {column!r}"
        return place

    # -- reading ---------------------------------------------------------------

    def blocks(self, block_rows: int = BLOCK_ROWS) -> Iterator[Block]:
        """Yield the file's rows in blocks; raises InputError naming file:line on bad content."""
        if self.fmt in TABLES:
            yield from self._table_blocks(block_rows)
        elif self.fmt in ("npy", "npz"):
            yield from self._array_blocks(block_rows)
        elif self.fmt == "arff":
            from .arff_blocks import arff_blocks

            yield from arff_blocks(self, block_rows)
        else:
            from .xc import xc_blocks

            yield from xc_blocks(self, block_rows)

    def read_all(self) -> Block:
        """All rows in one block (ids, values/matrix/sets and weights concatenated)."""
        parts = list(self.blocks())
        if not parts:
            raise InputError(f"{self.path} has no data rows.")

        def joined(attr, join):
            first = getattr(parts[0], attr)
            return None if first is None else join([getattr(b, attr) for b in parts])

        return Block(0, joined("ids", lambda xs: [i for x in xs for i in x]),
                     values=joined("values", np.concatenate),
                     matrix=joined("matrix", lambda xs: sp.vstack(xs, format="csr")),
                     sets=joined("sets", lambda xs: [s for x in xs for s in x]),
                     unknown_sets=joined("unknown_sets", lambda xs: [s for x in xs for s in x]),
                     weights=joined("weights", np.concatenate))

    # tables: csv, tsv, jsonl, parquet ----------------------------------------

    def label_names(self) -> tuple | None:
        """The label columns of a table in the column layout, found from its first block
        as the schema was read (no second pass over the file); None in other layouts."""
        if self.fmt not in ("csv", "tsv", "jsonl") or self.labels_column is not None:
            return None
        if self.names is None:
            self._inferred_schema()
            first = getattr(self, "_first", None)
            if first is None or first.num_rows == 0:
                return None
            self.names = tuple(self._column_names(first))
        return self.names

    def _text_columns(self) -> tuple:
        return tuple(c for c in (self.id_column, self.labels_column, self.unknown_column,
                                 *self.carry) if c)

    def _generated_names(self) -> list[str]:
        """Column names of a CSV/TSV file without a header row."""
        return [f"column_{i + 1}" for i in range((self._head or "").count(self.delimiter) + 1)]

    def _block_bytes(self) -> int:
        width = (self._head or "").count(self.delimiter) + 1
        if width < WIDE_COLUMNS:
            return BLOCK_BYTES
        return max(BLOCK_BYTES, min(MAX_BLOCK_BYTES, 2 * width * WIDE_ROWS))

    def _open(self, schema=None):
        """A streaming reader of a CSV, TSV or JSONL file; ``schema`` fixes column types."""
        import pyarrow as pa

        stream = _files.open_utf8(self.file, self.compression, self.encoding)
        if self.fmt in ("csv", "tsv"):
            import pyarrow.csv as pc

            types = {} if schema is None else {f.name: f.type for f in schema}
            types.update({c: pa.string() for c in self._text_columns()})
            names = None if self.header else self._generated_names()
            return pc.open_csv(
                stream,
                read_options=pc.ReadOptions(block_size=self._block_bytes(), column_names=names),
                parse_options=pc.ParseOptions(delimiter=self.delimiter),
                convert_options=pc.ConvertOptions(column_types=types,
                                                  decimal_point=self.decimal or ".",
                                                  **self._null_text()),
            )
        import pyarrow.json as pj

        if self.unknown is not None and not _is_number(self.unknown):
            stream = _files.MarkerAsNull(stream, self.unknown.strip())  # text marker: null
        return pj.open_json(
            stream,
            read_options=pj.ReadOptions(block_size=BLOCK_BYTES),
            parse_options=pj.ParseOptions(explicit_schema=schema),
        )

    def _null_text(self) -> dict:
        """The CSV reader's null values: the unknown marker's text, when it is not a
        number, else pyarrow's own list."""
        if self.unknown is None or _is_number(self.unknown):
            return {}
        return {"null_values": [self.unknown]}

    def _batches(self, block_rows: int, narrow: bool = False):
        """The file's record batches; with ``narrow``, the columns of
        :meth:`_narrow_columns` are read as uint8 (a value that is not a whole number
        from 0 to 255 then fails the read: :meth:`_table_blocks` reads on as floats)."""
        import pyarrow as pa
        import pyarrow.types as pt

        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(self.file).iter_batches(batch_size=block_rows)
        # Types are inferred from the first block only, and a column of whole numbers (or
        # of empty cells) there may hold fractions further down: read such columns as floats.
        text = self._text_columns()
        small = self._narrow_columns() if narrow else frozenset()
        fields = []
        for f in self._inferred_schema():
            widen = (pt.is_integer(f.type) or pt.is_null(f.type)) and f.name not in text
            if f.name in small:
                fields.append(pa.field(f.name, pa.uint8()))
            else:
                fields.append(pa.field(f.name, pa.float64()) if widen else f)
        return self._open(pa.schema(fields))

    def _narrow_columns(self) -> frozenset:
        """The label columns of a CSV/TSV file of labels (truth or hard predictions) whose
        first block holds whole numbers only: 0/1 columns, read as uint8 (one byte a
        value, checked for 0/1 in one pass) rather than as float64. Not with an unknown
        marker, whose cells are read as floats (NaN) or as its number."""
        import pyarrow.types as pt

        if (self.role != "labels" or self.unknown is not None or self.labels_column is not None
                or self.fmt not in ("csv", "tsv")):
            return frozenset()
        names = set(self.label_names() or ())
        return frozenset(f.name for f in self._inferred_schema()
                         if f.name in names and pt.is_integer(f.type))

    def _table_blocks(self, block_rows: int) -> Iterator[Block]:
        import pyarrow as pa

        most = STREAM_BLOCKS * BLOCK_BYTES
        target = min(block_rows, STREAM_ROWS)

        def read(emit) -> None:
            start = 0
            group: list = []  # consecutive batches, joined into one Block
            rows = size = 0
            narrow = bool(self._narrow_columns())
            skip = 0  # rows emitted before a narrow read failed, read again as floats
            while True:
                try:
                    for batch in self._batches(block_rows, narrow=narrow):
                        if skip:
                            if batch.num_rows <= skip:
                                skip -= batch.num_rows
                                continue
                            batch, skip = batch.slice(skip), 0
                        if batch.num_rows == 0:
                            continue
                        group.append(batch)
                        rows, size = rows + batch.num_rows, size + batch.nbytes
                        if rows >= target or size >= most:
                            emit(self._block_from_batch(_table_of(group), start))
                            start, group, rows, size = start + rows, [], 0, 0
                    if group:
                        emit(self._block_from_batch(_table_of(group), start))
                        start += rows
                    break
                except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as err:
                    if not narrow:
                        raise self._diagnose(err) from None
                    # a value of a 0/1 column that is not a byte (a fraction, a typo): the
                    # rows from the first one not yet emitted are read again, as floats, so
                    # that the checks name it as they do in any other file
                    narrow, skip, group, rows, size = False, start, [], 0, 0
            if start == 0:
                raise InputError(f"{self.path} has a header but no data rows.")

        width = (self._head or "").count(self.delimiter) + 1 if self._head else None
        small = width is not None and target * width * 8 <= SMALL_BLOCK_BYTES
        yield from _read_ahead(read, READ_AHEAD_SMALL if small else READ_AHEAD,
                               f"labelwise reader of {self.path.name}")
        _files.release_memory()  # what the blocks held, now that they have been used

    def _never_labels(self) -> set:
        return {c for c in (self.id_column, self.weight_column, *self.carry) if c} | self.exclude

    def _column_names(self, batch) -> list[str]:
        import pyarrow.types as pt

        names = batch.schema.names
        present = set(names)
        for c, option in ((self.id_column, "--id-column"), (self.labels_column, None),
                          (self.weight_column, "--weight-column")):
            if c is not None and c not in present:
                raise InputError(
                    f"{self.path} has no column {c!r}{did_you_mean(c, names)}; its columns are "
                    f"{names[:20]}."
                )
        if self.labels_column is not None:
            return []
        if self.label_columns is not None:
            missing = [c for c in self.label_columns if c not in present]
            if missing:
                hint = did_you_mean(missing[0], names)
                raise InputError(
                    f"{self.path} lacks the label columns {missing[:10]}{hint}; its columns "
                    f"are {names[:20]}."
                )
            return list(self.label_columns)
        skip = self._never_labels()
        numeric = [
            f.name
            for f in batch.schema
            if f.name not in skip and not is_id_name(f.name)
            and (pt.is_integer(f.type) or pt.is_floating(f.type) or pt.is_boolean(f.type)
                 or pt.is_null(f.type)
                 or ((pt.is_string(f.type) or pt.is_large_string(f.type))
                     and (f.name in self.expected or _holds_numbers(batch.column(f.name)))))
        ]
        if not numeric:
            raise InputError(
                f"{self.path} has no numeric label columns (columns: {names[:20]}). For one "
                "column of label sets, pass --labels-column; to name the label columns, pass "
                "--label-columns."
            )
        return numeric

    def _block_from_batch(self, batch, start: int) -> Block:
        block = self._read_batch(batch, start)
        if self.carry:
            index = {n: i for i, n in enumerate(batch.schema.names)}
            block.keys = {c: [str(x) for x in batch.column(index[c]).to_pylist()]
                          for c in self.carry if c in index}
        return block

    def _null_row(self, col) -> int:
        return int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])

    def _read_batch(self, batch, start: int) -> Block:
        if self.names is None and self.labels_column is None:
            self.names = tuple(self._column_names(batch))
        elif self.names is None:
            self._column_names(batch)
        index = {n: i for i, n in enumerate(batch.schema.names)}
        ids = None
        if self.id_column is not None:
            col = batch.column(index[self.id_column])
            if col.null_count:
                raise InputError(
                    f"{self.where(start + self._null_row(col), self.id_column)}: the id is empty."
                )
            ids = [str(x) for x in col.to_pylist()]
        weights = None if self.weight_column is None else self._weights(batch, index, start)
        if self.labels_column is not None:
            col = batch.column(index[self.labels_column])
            unknown = None
            if self.unknown_column is not None:
                if self.unknown_column not in index:
                    shown = ", ".join(repr(c) for c in list(index)[:10])
                    raise InputError(f"{self.path}: no column {self.unknown_column!r} (the "
                                     f"--unknown-column) among its columns ({shown}); name "
                                     "the column that holds the unannotated label sets.")
                unknown = [self._parse_set(x, start + r) for r, x in
                           enumerate(batch.column(index[self.unknown_column]).to_pylist())]
            return Block(start, ids, sets=[
                self._parse_set(x, start + r) for r, x in enumerate(col.to_pylist())
            ], weights=weights, unknown_sets=unknown)
        fast = self._as_matrix(batch, index)
        if fast is not None:
            return Block(start, ids, values=fast, weights=weights)
        columns = []
        for name in self.names:
            i = index.get(name)
            if i is None:
                raise InputError(f"{self.path}: column {name!r} vanished after row {start}.")
            col = batch.column(i)
            if col.null_count and self.unknown is None:
                row = self._null_row(col)
                raise InputError(
                    f"{self.where(start + row, name)}: {self._missing(start + row, name)}; "
                    "every label column needs a number in every row."
                )
            arr = col.to_numpy(zero_copy_only=False)
            if col.null_count and arr.dtype.kind in "biu":  # nulls of an unknown marker
                arr = col.cast("double").to_numpy(zero_copy_only=False)
            if arr.dtype.kind not in "biuf":  # a text column holding numbers (or typos)
                arr = self._text_numbers(arr, start, name)
            columns.append(arr)
        return Block(start, ids, values=np.column_stack(columns), weights=weights)

    def _as_matrix(self, batch, index: dict) -> np.ndarray | None:
        """The label columns as one matrix, converted a record batch at a time, when they
        all hold floats of one type (or all 0/1 bytes, :meth:`_narrow_columns`) without
        a missing value; else None (the column by
        column path then converts them, and names any bad cell)."""
        import pyarrow as pa
        import pyarrow.types as pt

        where = [index.get(name) for name in self.names]
        if None in where or len(where) < 2:
            return None
        sub = batch.select(where)
        kinds = {f.type for f in sub.schema}
        if len(kinds) != 1 or not (pt.is_floating(next(iter(kinds)))
                                   or next(iter(kinds)) == pa.uint8()):
            return None
        if any(col.null_count for col in sub.columns):  # counted as the block was read
            return None
        parts = sub.to_batches() if isinstance(sub, pa.Table) else [sub]
        out = None
        lo = 0
        try:
            for part in parts:
                # column-major is the columns as they are; the copy below lays them in rows
                m = np.asarray(part.to_tensor(row_major=False))
                if out is None:  # in pyarrow's pool, like the blocks it was read from
                    room = pa.allocate_buffer(sub.num_rows * len(where) * m.dtype.itemsize)
                    out = np.frombuffer(room, dtype=m.dtype).reshape(sub.num_rows, len(where))
                out[lo : lo + m.shape[0]] = m
                lo += m.shape[0]
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
            return None
        return out

    def _text_numbers(self, arr, start: int, name: str) -> np.ndarray:
        if self.unknown is not None:  # the unknown marker (and nulls) read as NaN
            marker = self.unknown.strip()
            arr = np.array([np.nan if v is None or (isinstance(v, str) and v.strip() == marker)
                            else v for v in arr], dtype=object)
        bad = next((r for r, v in enumerate(arr) if not _is_number(v)), None)
        if bad is not None:
            raise InputError(
                f"{self.where(start + bad, name)}: {arr[bad]!r} is not a number."
                + _number_hint(arr[bad])
            )
        return arr.astype(np.float64)

    def _weights(self, batch, index: dict, start: int) -> np.ndarray:
        col = batch.column(index[self.weight_column])
        where = self.weight_column
        if col.null_count:
            raise InputError(f"{self.where(start + self._null_row(col), where)}: the sample "
                             "weight is empty; every row needs a weight.")
        w = col.to_numpy(zero_copy_only=False)
        if w.dtype.kind not in "biuf":
            w = self._text_numbers(w, start, where)
        w = np.asarray(w, dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
        if bad.size:
            r = int(bad[0])
            raise InputError(f"{self.where(start + r, where)}: the sample weight {w[r]:g} is "
                             "not a finite number >= 0.")
        return w

    def _missing(self, row: int, column: str) -> str:
        """How a missing value looks in the file (slow path, errors only)."""
        if self.fmt not in ("csv", "tsv"):
            return "the value is missing (null or absent)"
        with _files.open_text(self.file, self.compression, self.encoding) as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            header = next(reader, []) if self.header else self._generated_names()
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
                items = [t.strip() for t in text.split(self.sep)]
        return [str(t) for t in items if str(t) != ""]

    def _diagnose(self, err: Exception) -> InputError:
        """Find the line behind a parse or conversion error (slow path, errors only)."""
        bad = _files.first_bad_utf8(self.file, self.compression) \
            if self.encoding == "utf-8" else None
        if bad is not None:
            return _files.not_utf8(self.path, bad)
        if self.fmt in ("csv", "tsv"):
            found = self._diagnose_csv()
        elif self.fmt == "jsonl":
            found = self._diagnose_jsonl()
        else:
            found = None
        if found is not None:
            return found
        text = str(err)
        if self.fmt == "jsonl":  # pyarrow counts rows from 0; editors count lines from 1
            text = _ROW_IN_MESSAGE.sub(lambda m: f"at line {int(m.group(1)) + 1}", text)
        return InputError(f"{self.path}: could not be read ({text}).")

    def _diagnose_csv(self) -> InputError | None:
        with _files.open_text(self.file, self.compression, self.encoding) as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            header = next(reader, []) if self.header else self._generated_names()
            first = 2 if self.header else 1
            text_cols = set(self._text_columns()) | self._never_labels()
            label_cols = [i for i, h in enumerate(header)
                          if h in (self.names or ()) or (self.names is None and h not in
                                                         text_cols)]
            for line, row in enumerate(reader, start=first):
                if len(row) != len(header):
                    hint = ""
                    if len(row) > len(header) and re.search(r"\d,\d", self.delimiter.join(row)):
                        hint = (" If the numbers use decimal commas (0,5), save the file with "
                                "'.' decimals, or with ';' between columns and pass "
                                "--decimal ','.")
                    return InputError(
                        f"{self.path}:{line}: expected {len(header)} columns as in the "
                        f"header, found {len(row)} (a ragged row).{hint}"
                    )
                for i in label_cols:
                    cell = row[i].strip()
                    if self.names is not None and cell not in _NULLS and not _is_number(cell):
                        return InputError(
                            f"{self.path}:{line}, column {header[i]!r}: {row[i]!r} is not "
                            "a number." + _number_hint(cell)
                        )
        return None

    def _diagnose_jsonl(self) -> InputError | None:
        numbers: set = set()
        texts: dict = {}
        marker = self.unknown.strip() if self.unknown is not None else None
        with _files.open_text(self.file, self.compression, self.encoding) as f:
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
                    if name in (self.id_column, self.labels_column) or v is None or (
                            isinstance(v, str) and v == marker):  # as MarkerAsNull reads it
                        continue
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        if name in texts:  # text first, numbers later: the text is bad
                            at, text = texts[name]
                            return InputError(
                                f"{self.path}:{at}, column {name!r}: {text!r} is not a number."
                            )
                        numbers.add(name)
                    elif name in numbers or name in (self.names or ()):
                        return InputError(
                            f"{self.path}:{line}, column {name!r}: {v!r} is not a number."
                        )
                    else:
                        texts.setdefault(name, (line, v))
        return None

    # arrays: npy, npz ---------------------------------------------------------

    def load_array(self):
        """The matrix of a npy/npz file (memory-mapped for npy; CSR for sparse npz)."""
        try:
            if self.fmt == "npy":
                return np.load(self.file, mmap_mode="r", allow_pickle=False)
            with np.load(self.file, allow_pickle=False) as z:
                keys = list(z.keys())
                if {"indptr", "indices", "format"} <= set(keys):
                    return sp.load_npz(self.file).tocsr()
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

    def refuse_columns(self, what: str) -> None:
        """Column options make no sense for files without columns."""
        given = [o for o, v in (("--id-column", self.id_column),
                                ("--labels-column", self.labels_column),
                                ("--weight-column", self.weight_column)) if v]
        if given:
            raise InputError(
                f"{self.path}: {what}; {' and '.join(given)} "
                f"{'applies' if len(given) == 1 else 'apply'} to tables only (csv, tsv, "
                "jsonl, parquet)."
            )

    def _array_blocks(self, block_rows: int) -> Iterator[Block]:
        self.refuse_columns(f"{self.fmt} files hold a plain matrix")
        arr = self.load_array()
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


def _table_of(batches: list):
    """Consecutive record batches as one table, without copying them: its columns are
    read like a batch's (its label columns converted batch by batch, in _as_matrix)."""
    import pyarrow as pa

    return pa.Table.from_batches(batches)


class _Stopped(Exception):
    """The consumer of a reader's blocks has stopped taking them."""


def _read_ahead(read, depth: int, name: str) -> Iterator:
    """The items ``read(emit)`` emits, read in a thread of its own up to ``depth`` items
    ahead of the one taken (pyarrow parses and converts without the GIL, so this overlaps
    with the caller's work). An error of ``read`` is raised here, after the items before
    it; closing the generator stops the thread after the item it is reading."""
    import queue
    import threading

    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> None:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return
            except queue.Full:
                continue
        raise _Stopped

    def run() -> None:
        try:
            read(lambda block: put((True, block)))
            put((False, None))
        except _Stopped:
            pass
        except BaseException as err:  # handed to the consumer, which raises it
            try:
                put((False, err))
            except _Stopped:
                pass

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        while True:
            more, item = items.get()
            if more:
                yield item
            elif item is None:
                return
            else:
                raise item
    finally:
        stop.set()
        thread.join()


def is_id_name(name: str) -> bool:
    """Whether a column name says it holds row ids (``id``, ``sample_id``, ...).

    Such columns are never taken for label columns, even when they hold numbers.

    >>> is_id_name("sample_id"), is_id_name("ID"), is_id_name("idea")
    (True, True, False)
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


def _number_hint(value) -> str:
    if isinstance(value, str) and _DECIMAL_COMMA.match(value):
        return (" It looks like a decimal comma: save the file with '.' decimals, or pass "
                "--decimal ','.")
    return ""
