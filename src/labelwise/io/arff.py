"""Mulan and MEKA ARFF files: which attributes are labels, and their 0/1 values.

An ARFF file declares its attributes in a header, then holds one row per line
after ``@data``. Rows are *dense* (``0.5,1,0``: one value per attribute, ``?``
for a missing value) or *sparse* (``{0 0.5,1 1}``: ``index value`` pairs with
0-based attribute indices; an attribute left out holds 0). Both forms may mix in
one file.

Multi-label files hold features and labels side by side. The label attributes
are, in this order of preference:

1. the names the caller gives (``label_columns``), in the caller's order;
2. the names in a Mulan label file: ``labels_xml`` if given, else ``NAME.xml``
   beside ``NAME.arff`` (or ``NAME.arff.gz``), else the data set's file for a split
   (``yeast.xml`` for ``yeast-test.arff`` or ``yeast_train.arff``). The file is
   ``<labels><label name="..."/>...</labels>``, with or without Mulan's
   namespace; the labels of a hierarchy count at every depth. As in Mulan, the
   labels take the order of their attributes in the ARFF file, whatever the order
   of the XML file (they differ in Mulan's yeast);
3. MEKA's ``-C n`` option in the ``@relation`` name (``'yeast: -C 14'``): the
   first ``n`` attributes, or the last ``|n|`` for negative ``n``. A name that
   records Weka filters applied after ``-C`` (``...-weka.filters.unsupervised
   .attribute.Remove-R1-45``) is not trusted, since those filters may have moved
   or removed attributes (Mulan's medical files are like this);
4. every nominal attribute declared exactly ``{0,1}`` (or ``{1,0}``), in file
   order. Binary features declared ``{0,1}`` (word presence, say) are taken for
   labels too: give the labels explicitly for such files.

When none of these finds a label, :class:`~labelwise.InputError` says what was
looked for and how to name the labels.

Only label values are read and checked; feature values are skipped, except that
a dense row must hold one value per attribute and a sparse row's indices must be
attributes of the file. A label value is ``0`` or ``1`` (``1.0``, ``'1'`` and
surrounding blanks are accepted too); anything else, including the missing value
``?``, raises an error naming the file, the line and the label. In a sparse row,
a label left out takes its attribute's 0: the first declared value of a nominal
attribute (so ``1`` for a label declared ``{1,0}``), else 0.

Instance weights (``{w}`` after a row) and relational attributes are not
supported. Text is read as UTF-8 unless another encoding is given.
"""

from __future__ import annotations

import bisect
import codecs
import operator
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterator, NamedTuple, Sequence

import numpy as np
from .. import _sparse as sp

from .._names import did_you_mean
from ..errors import InputError

__all__ = ["read_arff", "ArffFile", "ArffBlock", "Attribute", "BLOCK_ROWS"]

BLOCK_ROWS = 65536
# Label values and sparse entries are converted this many at a time, which bounds
# the memory a block in progress holds whatever the width of its rows.
_CHUNK = 1 << 18
_ZO = {"0": 0, "1": 1}
_MISSING, _BAD = -1, -2
_SLOW = re.compile(r"[\"'%{}]")  # characters a row needs the full tokenizer for
_KEYWORD = re.compile(r"@([A-Za-z]+)")
_MEKA_C = re.compile(r"(?:^|\s)-C\s+(-?\d+)(?=\s|$)")
_FILTERS = re.compile(r"\b[wm]eka\.filters\.[\w.]*\w")
_SPLIT = re.compile(r"^(.+?)[-_.](?:train|training|test|testing|valid|validation|val|dev)$",
                    re.IGNORECASE)
_COMPRESSED = re.compile(r"\.(?:gz|bz2|zst|xz)$", re.IGNORECASE)
_NUMERIC = ("numeric", "real", "integer")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
_SPACE = " \t\r\n\f\v"
_STOP = frozenset(_SPACE + ",{}%'\"")


@dataclass(frozen=True)
class Attribute:
    """One ``@attribute`` line.

    ``type`` is ``"numeric"``, ``"real"``, ``"integer"``, ``"nominal"``,
    ``"string"`` or ``"date"``; ``values`` holds a nominal attribute's declared
    values, in order.
    """

    name: str
    type: str
    values: tuple = ()
    line: int = 0

    @property
    def is_binary(self) -> bool:
        """Whether the attribute is declared exactly ``{0,1}``, in either order."""
        return self.type == "nominal" and sorted(self.values) == ["0", "1"]


class ArffBlock(NamedTuple):
    """Consecutive rows of an ARFF file: label values of rows ``start`` onwards.

    ``values`` has one row per data row and one column per label of
    :attr:`ArffFile.labels`, holding 0 and 1 as ``uint8``: a numpy array when
    :attr:`ArffFile.sparse` is false, else a canonical CSR matrix (sorted
    indices, no explicit zeros).
    """

    start: int
    values: np.ndarray | sp.csr_matrix

    @property
    def n_rows(self) -> int:
        return self.values.shape[0]


def read_arff(path, *, label_columns: Sequence[str] | None = None, labels_xml=None,
              block_rows: int = BLOCK_ROWS, encoding: str = "utf-8",
              opener: Callable[[], IO[str]] | None = None) -> "ArffFile":
    """Open a Mulan or MEKA ARFF file and find its label attributes.

    The header is read at once, so a bad header or an unknown label fails here;
    rows are read by :meth:`ArffFile.blocks`, in blocks of ``block_rows``.

    Parameters
    ----------
    path : str or Path
        The ``.arff`` file.
    label_columns : sequence of str, optional
        Names of the label attributes, in the order wanted. Without it, labels
        come from a Mulan ``.xml`` file, MEKA's ``-C`` or the ``{0,1}``
        attributes (see the module documentation).
    labels_xml : str or Path, optional
        The Mulan label file, when it is not ``NAME.xml`` beside the data.
    block_rows : int
        Rows per block yielded by :meth:`ArffFile.blocks`.
    encoding : str
        The text encoding of the file; bytes it cannot decode are replaced.
    opener : callable, optional
        Returns a new text stream of the file's lines each time it is called
        (once for the header, once per :meth:`ArffFile.blocks`), for files that
        are compressed or not on disk; ``path`` then only names the file in
        messages and locates the ``.xml`` label file.

    Returns
    -------
    ArffFile

    Raises
    ------
    labelwise.InputError
        A malformed header, no ``@data``, no data row, or labels that cannot be
        found; the message names the file and line.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from labelwise.io.arff import read_arff
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "tiny.arff"
    >>> _ = path.write_text(
    ...     "@relation 'tiny: -C -2'\\n"
    ...     "@attribute x numeric\\n"
    ...     "@attribute joy {0,1}\\n"
    ...     "@attribute 'quiet still' {0,1}\\n"
    ...     "@data\\n"
    ...     "0.5,1,0\\n"
    ...     "?,1,1\\n"
    ...     "{0 2.5,2 1}\\n")
    >>> arff = read_arff(path, block_rows=2)
    >>> arff.labels, arff.label_source, arff.sparse
    (('joy', 'quiet still'), "MEKA's -C -2 in @relation", False)
    >>> [(b.start, b.values.tolist()) for b in arff.blocks()]
    [(0, [[1, 0], [1, 1]]), (2, [[0, 1]])]
    >>> _ = path.write_text(
    ...     "@relation tiny\\n@attribute x numeric\\n@attribute joy {0,1}\\n"
    ...     "@data\\n{0 1.5}\\n{1 2}\\n")
    >>> list(read_arff(path).blocks())
    Traceback (most recent call last):
    ...
    labelwise.InputError: .../tiny.arff:6, label 'joy': 2 is not 0 or 1.
    >>> tmp.cleanup()
    """
    return ArffFile(path, label_columns=label_columns, labels_xml=labels_xml,
                    block_rows=block_rows, encoding=encoding, opener=opener)


class ArffFile:
    """An ARFF file's header, its label attributes, and its rows in blocks.

    Made by :func:`read_arff`, which documents the parameters.

    Attributes
    ----------
    path : Path
    relation : str
        The ``@relation`` name, unquoted.
    attributes : tuple of Attribute
        Every ``@attribute``, in file order.
    labels : tuple of str
        Names of the label attributes, in the order of the columns of each block.
    label_indices : tuple of int
        0-based attribute index of each label.
    label_source : str
        Where the labels came from: ``"label_columns"``, the path of the XML
        file, ``"MEKA's -C n in @relation"`` or ``"the attributes declared {0,1}"``.
    sparse : bool
        Whether blocks hold CSR matrices: true when the first data row is sparse.
    data_line : int
        The line of ``@data`` (the first line is 1).
    """

    def __init__(self, path, *, label_columns=None, labels_xml=None, block_rows=BLOCK_ROWS,
                 encoding="utf-8", opener=None):
        self.path = Path(path)
        self._opener = opener
        if opener is None:
            if not self.path.exists():
                raise InputError(f"{self.path}: no such file.")
            if self.path.is_dir():
                raise InputError(f"{self.path} is a folder; give an .arff file.")
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"unknown text encoding {encoding!r}; use e.g. utf-8, latin-1 or "
                             "cp1252.") from None
        self.encoding = "utf-8-sig" if name == "utf-8" else encoding  # a BOM is not text
        self.block_rows = _check_block_rows(block_rows)
        self.relation = ""
        self._relation_line = 0
        self.attributes: tuple = ()
        self.data_line = 0
        self.sparse = False
        self._read_header()
        self.labels, self.label_source = self._find_labels(label_columns, labels_xml)
        self.label_indices = self._resolve(self.labels)
        self._check_label_types()
        n = len(self.attributes)
        self._label_pos = np.full(n, -1, dtype=np.int64)
        self._label_pos[list(self.label_indices)] = np.arange(len(self.labels))
        self._default_one = np.array(
            [p for p, i in enumerate(self.label_indices)
             if self.attributes[i].type == "nominal" and self.attributes[i].values[0] == "1"],
            dtype=np.int64)
        if len(self.label_indices) == 1:
            only = self.label_indices[0]
            self._get = lambda cells: (cells[only],)
        else:
            self._get = operator.itemgetter(*self.label_indices)
        self._break_rows = [0]
        self._break_offsets = [self._first_row_line]

    def __repr__(self) -> str:
        return (f"ArffFile({str(self.path)!r}, {len(self.attributes)} attributes, "
                f"{len(self.labels)} labels from {self.label_source}, "
                f"{'sparse' if self.sparse else 'dense'})")

    # -- where rows are --------------------------------------------------------

    def line(self, row: int) -> int:
        """The line (the first is 1) of data row ``row`` (the first is 0).

        Exact for rows already read by :meth:`blocks`; rows further on are
        assumed to follow without blank or comment lines.
        """
        k = bisect.bisect_right(self._break_rows, row) - 1
        return row + self._break_offsets[k]

    def where(self, row: int, label: str | None = None) -> str:
        """``file:line`` of data row ``row``, plus ``, label 'name'`` if given."""
        place = f"{self.path}:{self.line(row)}"
        return place if label is None else f"{place}, label {label!r}"

    # -- header ----------------------------------------------------------------

    def _open(self):
        if self._opener is not None:
            return self._opener()
        return open(self.path, encoding=self.encoding, errors="replace")

    def _read_header(self) -> None:
        attributes = []
        relation_seen = False
        lineno = 0
        with self._open() as f:
            for lineno, raw in enumerate(f, start=1):
                s = raw.strip().lstrip("\ufeff") if lineno == 1 else raw.strip()
                if not s or s[0] == "%":
                    continue
                m = _KEYWORD.match(s)
                key = m.group(1).lower() if m else None
                if key == "relation" and not relation_seen:
                    self.relation = _relation_name(s[m.end():], f"{self.path}:{lineno}")
                    self._relation_line = lineno
                    relation_seen = True
                elif key == "attribute":
                    attributes.append(self._attribute(s[m.end():], lineno))
                elif key == "data":
                    self.data_line = lineno
                    if s[m.end():].strip():
                        raise InputError(
                            f"{self.path}:{lineno}: expected the data rows to start on the "
                            f"line after @data, found {s[m.end():].strip()[:40]!r} beside it."
                        )
                    break
                else:
                    expected = ("@attribute or @data" if relation_seen or attributes
                                else "@relation, @attribute or @data")
                    raise InputError(
                        f"{self.path}:{lineno}: expected {expected} (an ARFF header), found "
                        f"{_clip(s)!r}."
                    )
            if not self.data_line:
                what = f"{len(attributes)} @attribute lines" if attributes else "the header"
                raise InputError(
                    f"{self.path}: no @data line; the file ends at line {lineno} after "
                    f"{what}. An ARFF file declares its attributes, then '@data', then one "
                    "row per line."
                )
            if not attributes:
                raise InputError(
                    f"{self.path}:{self.data_line}: @data comes before any @attribute line; "
                    "declare each attribute with '@attribute NAME TYPE'."
                )
            self.attributes = tuple(attributes)
            for lineno, raw in enumerate(f, start=self.data_line + 1):
                s = raw.strip()
                if s and s[0] != "%":
                    self.sparse = s[0] == "{"
                    self._first_row_line = lineno
                    return
        raise InputError(
            f"{self.path}:{self.data_line}: @data is followed by no data row; expected one "
            "row per line."
        )

    def _attribute(self, text: str, lineno: int) -> Attribute:
        where = f"{self.path}:{lineno}"
        tokens = _tokens(text, where)
        if not tokens or tokens[0][0] not in ("word", "quoted"):
            raise InputError(
                f"{where}: expected '@attribute NAME TYPE', found "
                f"{_clip('@attribute ' + text.strip())!r}."
            )
        name = tokens[0][1]
        rest = tokens[1:]
        if not rest:
            raise InputError(
                f"{where}: the attribute {name!r} has no type; expected numeric, real, "
                "integer, string, date or {value,value,...}."
            )
        kind, word = rest[0]
        if kind == "{":
            values, slot = [], []
            for kind, word in rest[1:]:
                if kind == "}":
                    break
                if kind == ",":
                    values.append(" ".join(slot))
                    slot = []
                elif kind in ("word", "quoted"):
                    slot.append(word)
                else:
                    raise InputError(f"{where}: unexpected {kind!r} in the nominal values of "
                                     f"{name!r}.")
            else:
                raise InputError(
                    f"{where}: the nominal values of {name!r} lack their closing '}}'."
                )
            if slot or values:
                values.append(" ".join(slot))
            return Attribute(name, "nominal", tuple(values), lineno)
        low = word.lower() if kind == "word" else ""
        if low in _NUMERIC or low in ("string", "date"):
            return Attribute(name, low, (), lineno)
        if low == "relational":
            raise InputError(
                f"{where}: the attribute {name!r} is relational (multi-instance data), "
                "which this reader does not support."
            )
        raise InputError(
            f"{where}: the attribute {name!r} has type {word!r}; expected numeric, real, "
            "integer, string, date or {value,value,...}."
        )

    # -- labels ----------------------------------------------------------------

    def _xml_candidates(self) -> list[Path]:
        stem = _COMPRESSED.sub("", self.path.name)
        stem = stem[:-5] if stem.lower().endswith(".arff") else Path(stem).stem
        out = [self.path.with_name(stem + ".xml")]
        m = _SPLIT.match(stem)
        if m:
            out.append(self.path.with_name(m.group(1) + ".xml"))
        return out

    def _find_labels(self, label_columns, labels_xml) -> tuple[tuple, str]:
        if label_columns is not None:
            if isinstance(label_columns, str):
                label_columns = [label_columns]
            names = [str(x) for x in label_columns]
            if not names:
                raise InputError(f"{self.path}: label_columns is empty; name at least one "
                                 "label attribute.")
            return self._named(names, "label_columns"), "label_columns"
        if labels_xml is not None:
            xml = Path(labels_xml)
            if not xml.is_file():
                raise InputError(f"{xml}: no such label file (given for {self.path}).")
            return self._in_file_order(self._named(_xml_labels(xml), str(xml))), str(xml)
        candidates = self._xml_candidates()
        for xml in candidates:
            if xml.is_file():
                return self._in_file_order(self._named(_xml_labels(xml), str(xml))), str(xml)
        n_attr = len(self.attributes)
        m = _MEKA_C.search(self.relation.partition(":")[2]) if ":" in self.relation else None
        if m:
            n = int(m.group(1))
            option = f"-C {n}"
            where = f"{self.path}:{self._relation_line}"
            if n == 0 or abs(n) > n_attr:
                raise InputError(
                    f"{where}: the @relation name gives MEKA's {option}, but the file has "
                    f"{n_attr} attributes; expected n with 1 <= |n| <= {n_attr}."
                )
            later = _FILTERS.search(self.relation, self.relation.index(m.group(0)))
            if later:
                raise InputError(
                    f"{where}: the @relation name gives MEKA's {option}, then records Weka "
                    f"filters applied after it ({later.group(0)}, ...), "
                    "which may have moved or removed label attributes. Name the label "
                    f"attributes (label_columns), or put a Mulan label file at "
                    f"{candidates[-1]}."
                )
            chosen = self.attributes[:n] if n > 0 else self.attributes[n:]
            return tuple(a.name for a in chosen), f"MEKA's {option} in @relation"
        binary = [a.name for a in self.attributes if a.is_binary]
        if binary:
            return tuple(binary), "the attributes declared {0,1}"
        looked = " or ".join(str(c) for c in candidates)
        raise InputError(
            f"{self.path}: cannot tell which attributes are labels. Looked for a Mulan "
            f"label file ({looked}: not found), MEKA's '-C n' in the @relation name "
            "(absent) and nominal attributes declared {0,1} (none). Name the label "
            f"attributes (label_columns), or put a Mulan label file at {candidates[-1]}: "
            "<labels><label name=\"...\"/>...</labels>."
        )

    def _named(self, names: list, source: str) -> tuple:
        seen: dict = {}
        for x in names:
            if x in seen:
                raise InputError(f"{source} names the label {x!r} twice; each label is one "
                                 "attribute.")
            seen[x] = True
        have = {a.name for a in self.attributes}
        missing = [x for x in names if x not in have]
        if missing:
            all_names = [a.name for a in self.attributes]
            shown = all_names if len(all_names) <= 12 else (
                all_names[:5] + ["..."] + all_names[-5:])
            origin = ("label_columns names" if source == "label_columns"
                      else f"the label file {source} names")
            raise InputError(
                f"{self.path}: {origin} {len(missing)} label(s) that are not attributes "
                f"of the file: {missing[:10]}{did_you_mean(missing[0], all_names)}. The "
                f"file's {len(all_names)} attributes are {shown}."
            )
        return tuple(names)

    def _in_file_order(self, names: tuple) -> tuple:
        first = {}
        for i, a in enumerate(self.attributes):
            first.setdefault(a.name, i)
        return tuple(sorted(names, key=first.__getitem__))

    def _resolve(self, names: tuple) -> tuple:
        index: dict = {}
        for i, a in enumerate(self.attributes):
            index.setdefault(a.name, []).append(i)
        out = []
        for x in names:
            where = index[x]
            if len(where) > 1:
                lines = ", ".join(str(self.attributes[i].line) for i in where)
                raise InputError(
                    f"{self.path}: the label {x!r} is declared by several @attribute lines "
                    f"({lines}); attribute names must be unique."
                )
            out.append(where[0])
        return tuple(out)

    def _check_label_types(self) -> None:
        for name, i in zip(self.labels, self.label_indices):
            a = self.attributes[i]
            where = f"{self.path}:{a.line}"
            if a.type == "nominal" and (not a.values or not set(a.values) <= {"0", "1"}):
                declared = "{" + ",".join(a.values) + "}"
                raise InputError(
                    f"{where}: the label {name!r} is declared {declared}; a label attribute "
                    "holds 0 or 1 (declare it {0,1})."
                )
            if a.type in ("string", "date"):
                raise InputError(
                    f"{where}: the label {name!r} is declared {a.type}; a label attribute "
                    "holds 0 or 1 (declare it {0,1} or numeric)."
                )

    # -- rows ------------------------------------------------------------------

    def blocks(self, block_rows: int | None = None) -> Iterator[ArffBlock]:
        """Yield the label values of every data row, in file order, in blocks.

        Parameters
        ----------
        block_rows : int, optional
            Rows per block (the last may hold fewer); default ``self.block_rows``.

        Yields
        ------
        ArffBlock
            ``(start, values)``: the index of the block's first row, and a
            (rows, labels) uint8 array, or CSR matrix when :attr:`sparse`.

        Raises
        ------
        labelwise.InputError
            A malformed row or a label value that is not 0 or 1, with its line.
        """
        size = self.block_rows if block_rows is None else _check_block_rows(block_rows)
        self._break_rows, self._break_offsets = [0], [self._first_row_line]
        rows, offset = 0, self._first_row_line
        builder = _Builder(self, 0)
        with self._open() as f:
            for _ in range(self.data_line):
                next(f)
            for lineno, raw in enumerate(f, start=self.data_line + 1):
                s = raw.strip()
                if not s or s[0] == "%":
                    continue
                if lineno - rows != offset:
                    offset = lineno - rows
                    self._break_rows.append(rows)
                    self._break_offsets.append(offset)
                builder.add(s, lineno)
                rows += 1
                if builder.n == size:
                    yield builder.build()
                    builder = _Builder(self, rows)
        if builder.n:
            yield builder.build()

    def read_all(self) -> np.ndarray | sp.csr_matrix:
        """Every row's label values in one (rows, labels) array or CSR matrix."""
        parts = [b.values for b in self.blocks()]
        if self.sparse:
            return sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]


class _Builder:
    """The rows of one block in progress: label values kept, feature values skipped."""

    def __init__(self, arff: ArffFile, start: int):
        self.arff = arff
        self.start = start
        self.n = 0
        self.L = len(arff.labels)
        self.n_attr = len(arff.attributes)
        self.lines: list = []
        # dense rows: label tokens pending conversion, then their codes
        self.dense_rows: list = []
        self.dense_tokens: list = []
        self.dense_codes: list = []
        self.dense_done = 0
        # sparse rows: entries pending conversion (index and value text), then label entries
        self.sparse_rows: list = []
        self.pend_idx: list = []
        self.pend_val: list = []
        self.pend_rows: list = []
        self.pend_counts: list = []
        self.ent_rows: list = []
        self.ent_pos: list = []
        self.ent_codes: list = []

    # -- one line ---------------------------------------------------------------

    def add(self, s: str, lineno: int) -> None:
        if len(self.dense_tokens) + len(self.pend_idx) >= _CHUNK:
            self.flush()
        row = self.n
        self.lines.append(lineno)
        if s[0] == "{":
            self.sparse_rows.append(row)
            if s[-1] == "}" and not _SLOW.search(s, 1, len(s) - 1):
                inner = s[1:-1]
                parts = inner.replace(",", " ").split()
                if not parts:
                    count = 0 if not inner.strip() else -1
                else:
                    count = inner.count(",") + 1
                    if len(parts) != 2 * count:
                        count = -1
                if count >= 0:
                    self.pend_idx += parts[0::2]
                    self.pend_val += parts[1::2]
                    self.pend_rows.append(row)
                    self.pend_counts.append(count)
                    self.n += 1
                    return
            self._sparse_slow(s, lineno, row)
        else:
            self.dense_rows.append(row)
            if _SLOW.search(s):
                self._dense_slow(s, lineno, row)
            else:
                cells = s.split(",")
                if len(cells) != self.n_attr:
                    self._fail(self._count_message(lineno, len(cells)))
                self.dense_tokens += self.arff._get(cells)
        self.n += 1

    def _where(self, lineno: int, label_pos: int | None = None) -> str:
        place = f"{self.arff.path}:{lineno}"
        return place if label_pos is None else f"{place}, label {self.arff.labels[label_pos]!r}"

    def _count_message(self, lineno: int, found: int) -> str:
        return (f"{self._where(lineno)}: expected {self.n_attr} values (one per @attribute), "
                f"found {found}.")

    def _fail(self, message: str):
        """Raise ``message``, unless a row before this one holds an error: raise that."""
        self.flush()
        raise InputError(message)

    def _value_message(self, lineno: int, pos: int, code: int, shown: str) -> str:
        where = self._where(lineno, pos)
        if code == _MISSING:
            return f"{where}: the value is missing ('?'); every label needs 0 or 1."
        return f"{where}: {shown} is not 0 or 1."

    def _dense_slow(self, s: str, lineno: int, row: int) -> None:
        where = self._where(lineno)
        tokens = _tokens(s, where)
        values, slot = [], []
        for k, (kind, word) in enumerate(tokens):
            if kind == ",":
                values.append(slot)
                slot = []
            elif kind in ("word", "quoted"):
                slot.append((kind, word))
            else:
                self._fail(_brace_message(where, tokens, k, "a dense row"))
        values.append(slot)
        if len(values) != self.n_attr:
            self._fail(self._count_message(lineno, len(values)))
        for pos, i in enumerate(self.arff.label_indices):
            slot = values[i]
            if len(slot) != 1:
                shown = " ".join(w for _, w in slot)
                code, text = _BAD, (repr(shown) if shown else "an empty value")
            else:
                (kind, word), = slot
                code = _label_code(word, kind == "quoted")
                text = repr(word) if kind == "quoted" else word
            if code < 0:
                self._fail(self._value_message(lineno, pos, code, text))
            self.dense_tokens.append("1" if code else "0")

    def _sparse_slow(self, s: str, lineno: int, row: int) -> None:
        where = self._where(lineno)
        tokens = _tokens(s, where)
        entries, slot, end = [], [], None
        for k in range(1, len(tokens)):
            kind, word = tokens[k]
            if kind == "}":
                end = k
                break
            if kind == ",":
                entries.append(slot)
                slot = []
            elif kind in ("word", "quoted"):
                slot.append((kind, word))
            else:
                self._fail(f"{where}: unexpected {kind!r} inside the sparse row.")
        if end is None:
            self._fail(f"{where}: expected '}}' closing the sparse row, found "
                       f"{_clip(s)!r}.")
        if end + 1 < len(tokens):
            self._fail(_brace_message(where, tokens, end + 1, "a sparse row"))
        if slot or entries:
            entries.append(slot)
        idx, val = [], []
        for slot in entries:
            if len(slot) != 2 or slot[0][0] != "word":
                shown = " ".join(w for _, w in slot)
                self._fail(
                    f"{where}: expected 'index value' pairs separated by commas inside "
                    f"{{...}}, found {shown!r}."
                )
            (_, index), (kind, word) = slot
            i = _index(index)
            if i is None:
                self._fail(self._index_message(lineno, index))
            if not 0 <= i < self.n_attr:
                self._fail(self._range_message(lineno, i))
            pos = self.arff._label_pos[i]
            if pos >= 0:
                code = _label_code(word, kind == "quoted")
                if code < 0:
                    shown = repr(word) if kind == "quoted" else word
                    self._fail(self._value_message(lineno, pos, code, shown))
                word = "1" if code else "0"
            idx.append(index)
            val.append(word)
        self.pend_idx += idx
        self.pend_val += val
        self.pend_rows.append(row)
        self.pend_counts.append(len(idx))

    def _index_message(self, lineno: int, text: str) -> str:
        return (f"{self._where(lineno)}: {text!r} is not an attribute index; a sparse row "
                "holds 'index value' pairs with 0-based indices.")

    def _range_message(self, lineno: int, i: int) -> str:
        return (f"{self._where(lineno)}: attribute index {i} is out of range; the file "
                f"declares {self.n_attr} attributes (0-based indices 0 to {self.n_attr - 1}).")

    # -- conversion -------------------------------------------------------------

    def flush(self) -> None:
        """Convert pending label tokens and sparse entries; raise the first error among them."""
        errors = []
        if self.dense_tokens:
            errors += self._flush_dense()
        if self.pend_idx or self.pend_rows:
            errors += self._flush_sparse()
        if errors:
            raise InputError(min(errors)[2])

    def _flush_dense(self) -> list:
        tokens, L = self.dense_tokens, self.L
        self.dense_tokens = []
        try:
            codes = np.fromiter(map(_ZO.__getitem__, tokens), np.uint8, len(tokens))
        except KeyError:
            slow = np.array([_label_code(t, False) for t in tokens], dtype=np.int8)
            bad = np.flatnonzero(slow < 0)
            if bad.size:
                k = int(bad[0])
                row = self.dense_rows[self.dense_done + k // L]
                text = tokens[k].strip()
                shown = text if text else "an empty value"
                msg = self._value_message(self.lines[row], k % L, int(slow[k]), shown)
                return [(row, k % L, msg)]
            codes = slow.astype(np.uint8)
        self.dense_codes.append(codes)
        self.dense_done += len(tokens) // L
        return []

    def _flush_sparse(self) -> list:
        idx_text, val_text = self.pend_idx, self.pend_val
        rows = np.asarray(self.pend_rows, dtype=np.int64)
        counts = np.asarray(self.pend_counts, dtype=np.int64)
        self.pend_idx, self.pend_val, self.pend_rows, self.pend_counts = [], [], [], []
        ends = np.cumsum(counts)
        errors = []

        def row_of(k: int) -> int:
            return int(rows[np.searchsorted(ends, k, side="right")])

        try:
            idx = np.fromiter(map(int, idx_text), np.int64, len(idx_text))
            valid = None
        except ValueError:
            parsed = [_index(t) for t in idx_text]
            k = next(k for k, i in enumerate(parsed) if i is None)
            errors.append((row_of(k), -1, self._index_message(self.lines[row_of(k)],
                                                              idx_text[k])))
            idx = np.array([-1 if i is None else i for i in parsed], dtype=np.int64)
            valid = np.array([i is not None for i in parsed], dtype=bool)
        out = (idx < 0) | (idx >= self.n_attr)
        if valid is not None:
            out &= valid
        bad = np.flatnonzero(out)
        if bad.size:
            k = int(bad[0])
            errors.append((row_of(k), -1, self._range_message(self.lines[row_of(k)],
                                                              int(idx[k]))))
        pos = np.where((idx >= 0) & (idx < self.n_attr), self.arff._label_pos[
            np.clip(idx, 0, self.n_attr - 1)], -1)
        sel = np.flatnonzero(pos >= 0)
        values = [val_text[k] for k in sel]
        try:
            codes = np.fromiter(map(_ZO.__getitem__, values), np.uint8, len(values))
        except KeyError:
            slow = np.array([_label_code(t, False) for t in values], dtype=np.int8)
            bad = np.flatnonzero(slow < 0)
            if bad.size:
                j = int(bad[0])
                k = int(sel[j])
                row = row_of(k)
                errors.append((row, int(pos[k]), self._value_message(
                    self.lines[row], int(pos[k]), int(slow[j]), values[j])))
            codes = slow.clip(0).astype(np.uint8)
        ent_rows = np.repeat(rows, counts)[sel]
        ent_pos = pos[sel]
        keys = ent_rows * self.L + ent_pos
        if np.unique(keys).size != keys.size:
            order = np.argsort(keys, kind="stable")
            dup = np.flatnonzero(np.diff(keys[order]) == 0)
            k = int(order[dup[0] + 1])
            row, p = int(ent_rows[k]), int(ent_pos[k])
            errors.append((row, p, (
                f"{self._where(self.lines[row], p)}: the row gives this label twice (index "
                f"{self.arff.label_indices[p]}); each index may appear once per row.")))
        if not errors:
            self.ent_rows.append(ent_rows)
            self.ent_pos.append(ent_pos)
            self.ent_codes.append(codes)
        return errors

    def build(self) -> ArffBlock:
        self.flush()
        n, L = self.n, self.L
        codes = (np.concatenate(self.dense_codes) if self.dense_codes
                 else np.zeros(0, np.uint8)).reshape(-1, L)
        dense_rows = np.asarray(self.dense_rows, dtype=np.int64)
        ent_rows = _cat(self.ent_rows)
        ent_pos = _cat(self.ent_pos)
        ent_codes = (np.concatenate(self.ent_codes) if self.ent_codes
                     else np.zeros(0, np.uint8))
        sparse_rows = np.asarray(self.sparse_rows, dtype=np.int64)
        ones = self.arff._default_one
        if not self.arff.sparse:
            if dense_rows.size == n:
                return ArffBlock(self.start, codes)
            out = np.zeros((n, L), dtype=np.uint8)
            out[dense_rows] = codes
            if ones.size and sparse_rows.size:
                out[np.ix_(sparse_rows, ones)] = 1
            out[ent_rows, ent_pos] = ent_codes
            return ArffBlock(self.start, out)
        r, c, v = [ent_rows], [ent_pos], [ent_codes]
        if ones.size and sparse_rows.size:
            # labels whose sparse 0 is "1": set where the row leaves them out
            given = np.zeros((n, L), dtype=bool)
            given[ent_rows, ent_pos] = True
            grid_r = np.repeat(sparse_rows, ones.size)
            grid_c = np.tile(ones, sparse_rows.size)
            keep = ~given[grid_r, grid_c]
            r.append(grid_r[keep])
            c.append(grid_c[keep])
            v.append(np.ones(int(keep.sum()), dtype=np.uint8))
        if dense_rows.size:
            rr, cc = np.nonzero(codes)
            r.append(dense_rows[rr])
            c.append(cc.astype(np.int64))
            v.append(codes[rr, cc])
        rows, cols, vals = np.concatenate(r), np.concatenate(c), np.concatenate(v)
        nz = vals != 0
        m = sp.csr_matrix((vals[nz], (rows[nz], cols[nz])), shape=(n, L), dtype=np.uint8)
        m.sum_duplicates()
        return ArffBlock(self.start, m)


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def _cat(parts: list) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _check_block_rows(block_rows) -> int:
    if isinstance(block_rows, bool) or not isinstance(block_rows, (int, np.integer)) \
            or block_rows < 1:
        raise InputError(f"block_rows must be a positive integer, got {block_rows!r}.")
    return int(block_rows)


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _index(text: str) -> int | None:
    digits = text[1:] if text[:1] == "-" else text
    return int(text) if digits.isascii() and digits.isdigit() else None


def _label_code(text: str, quoted: bool) -> int:
    """0 or 1 for a label value, ``_MISSING`` for ``?``, ``_BAD`` for anything else."""
    t = text.strip()
    code = _ZO.get(t)
    if code is not None:
        return code
    if t == "?" and not quoted:
        return _MISSING
    try:
        v = float(t)
    except ValueError:
        return _BAD
    return int(v) if v in (0.0, 1.0) else _BAD


def _tokens(s: str, where: str) -> list:
    """ARFF tokens of one line: ``("word"|"quoted", text)``, or ``(",", ",")`` and the
    braces; a ``%`` outside quotes starts a comment. Quotes take backslash escapes."""
    out = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c in _SPACE:
            i += 1
        elif c == "%":
            break
        elif c in ",{}":
            out.append((c, c))
            i += 1
        elif c in "'\"":
            j, buf = i + 1, []
            while j < n and s[j] != c:
                if s[j] == "\\" and j + 1 < n:
                    buf.append(_ESCAPES.get(s[j + 1], s[j + 1]))
                    j += 2
                else:
                    buf.append(s[j])
                    j += 1
            if j >= n:
                raise InputError(f"{where}: the quote {c} opened at {_clip(s[i:], 30)!r} is "
                                 "never closed on this line.")
            out.append(("quoted", "".join(buf)))
            i = j + 1
        else:
            j = i
            while j < n and s[j] not in _STOP:
                j += 1
            out.append(("word", s[i:j]))
            i = j
    return out


def _relation_name(text: str, where: str) -> str:
    tokens = _tokens(text, where)
    if tokens and tokens[0][0] == "quoted":
        return tokens[0][1]
    return text.strip()


def _brace_message(where: str, tokens: list, k: int, what: str) -> str:
    rest = tokens[k:]
    if (len(rest) == 4 and rest[0][0] == "," and rest[1][0] == "{" and rest[3][0] == "}") or \
            (len(rest) == 3 and rest[0][0] == "{" and rest[2][0] == "}"):
        weight = rest[-2][1]
        return (f"{where}: the row ends with an instance weight {{{weight}}}, which this "
                "reader does not support; remove the weights.")
    return f"{where}: unexpected {tokens[k][1]!r} in {what}."


def _xml_labels(xml: Path) -> list:
    """Label names of a Mulan label file, in document order."""
    example = ('<labels xmlns="http://mulan.sourceforge.net/labels"><label name="...">'
               '</label>...</labels>')
    try:
        root = ET.parse(xml).getroot()
    except ET.ParseError as err:
        line = err.position[0] if getattr(err, "position", None) else "?"
        raise InputError(f"{xml}:{line}: not a readable XML label file ({err}); expected "
                         f"{example}.") from None
    except OSError as err:
        raise InputError(f"{xml}: cannot be read ({err.strerror or err}).") from None

    def local(tag) -> str:
        return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""

    if local(root.tag) != "labels":
        raise InputError(f"{xml}: expected a Mulan label file {example}, found the root "
                         f"element <{local(root.tag)}>.")
    names = []
    for e in root.iter():
        if local(e.tag) == "label":
            name = e.get("name")
            if name is None:
                raise InputError(f"{xml}: a <label> element has no name attribute; "
                                 f"expected {example}.")
            names.append(name)
    if not names:
        raise InputError(f"{xml}: names no label; expected {example}.")
    return names
