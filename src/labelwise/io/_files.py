"""Opening files as people have them: formats, compression, encodings, delimiters.

Everything here looks at a file's name and first bytes only; nothing reads rows.
"""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

from ..errors import InputError

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
    ".arff": "arff",
}
TABLES = ("csv", "tsv", "jsonl", "parquet")
# Compression read transparently, by extension or by the file's first bytes.
COMPRESSED = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bz2", ".zst": "zstd", ".zstd": "zstd"}
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"BZh", "bz2"))
_DELIMITERS = {",": "','", "\t": "a tab", ";": "';'", "|": "'|'"}


def compression_of(path: Path) -> str | None:
    """``"gzip"``, ``"bz2"``, ``"zstd"`` or None, from the file's first bytes."""
    with open(path, "rb") as f:
        head = f.read(4)
    return next((codec for magic, codec in _MAGIC if head.startswith(magic)), None)


def _plain_suffix(path: Path) -> str:
    """The extension that names the format: ``.csv`` for ``x.csv.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSED:
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def detect_format(path: Path, fmt: str | None = None) -> str:
    """The format of ``path``: ``fmt`` if given, else by extension (ignoring ``.gz`` etc.).

    >>> from pathlib import Path
    >>> detect_format(Path("scores.csv.gz")), detect_format(Path("x.bin"), "npy")
    ('csv', 'npy')
    """
    if fmt:
        if fmt not in set(FORMATS.values()):
            raise InputError(
                f"unknown input format {fmt!r}; choose one of {sorted(set(FORMATS.values()))}."
            )
        return fmt
    suffix = _plain_suffix(path)
    found = FORMATS.get(suffix)
    if found is None:
        raise InputError(
            f"{path}: cannot tell the format from the extension {suffix or '(none)'!r}; use one "
            f"of {', '.join(sorted(FORMATS))} (optionally compressed: "
            f"{', '.join(sorted(COMPRESSED))}) or pass --input-format."
        )
    return found


def check_encoding(encoding: str | None) -> str:
    """A known text encoding's name (default ``utf-8``), else InputError."""
    import codecs

    name = encoding or "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputError(
            f"--encoding {name!r}: unknown text encoding; use e.g. utf-8, latin-1 or cp1252."
        ) from None


def open_binary(path: Path, compression: str | None):
    """A pyarrow input stream of the file's bytes, decompressed."""
    import pyarrow as pa

    return pa.input_stream(str(path), compression=compression)


def open_utf8(path: Path, compression: str | None, encoding: str):
    """A pyarrow stream of the file's text re-encoded as UTF-8 (what pyarrow parses)."""
    import pyarrow as pa

    stream = open_binary(path, compression)
    if encoding != "utf-8":
        stream = pa.transcoding_input_stream(stream, encoding, "utf-8")
    return stream


class MarkerAsNull(io.RawIOBase):
    r"""A JSON Lines stream in which every value that is the string ``marker`` reads as
    ``null``, so that a column mixing the marker with numbers parses as numbers with
    nulls (pyarrow's reader refuses a column that changes type).

    Only a value stands for the marker: ``"?"`` after a colon and before a comma or a
    closing brace, not a key, and not a quote inside another string (whose quotes
    are escaped). Lines are rewritten whole, a chunk of complete lines at a time.

    Examples
    --------
    >>> src = io.BytesIO(b'{"a": 1, "b": "?"}\n{"a": "?", "id": "x: ?"}\n')
    >>> MarkerAsNull(src, "?").read().decode()
    '{"a": 1, "b": null}\n{"a": null, "id": "x: ?"}\n'
    """

    def __init__(self, stream, marker: str, chunk: int = 1 << 20):
        super().__init__()
        spellings = {json.dumps(marker, ensure_ascii=escaped)[1:-1].encode("utf-8")
                     for escaped in (False, True)}  # "é" as UTF-8, or as "\u00e9"
        tokens = b"|".join(re.escape(t) for t in sorted(spellings))
        self._pattern = re.compile(rb'(:\s*)"(?:' + tokens + rb')"(?=\s*[,}])')
        self._stream = stream
        self._chunk = chunk
        self._out = b""
        self._rest = b""  # a line not yet complete
        self._done = False

    def readable(self) -> bool:
        return True

    def _fill(self, size: int) -> None:
        while len(self._out) < size and not self._done:
            data = self._stream.read(self._chunk)
            if not data:
                self._done = True
                text, self._rest = self._rest, b""
            else:
                text = self._rest + bytes(data)
                cut = text.rfind(b"\n") + 1
                text, self._rest = text[:cut], text[cut:]
            self._out += self._pattern.sub(rb"\1null", text)

    def readinto(self, buffer) -> int:
        self._fill(len(buffer))
        n = min(len(buffer), len(self._out))
        buffer[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            super().close()


def release_memory() -> None:
    """Hand memory that a file's blocks held, and freed, back to the system: pyarrow's
    pool keeps freed buffers for reuse, and the C heap keeps freed space below its top.
    Memory still in use is untouched; this only lowers the process's resident size."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=None)
def _malloc_trim():
    """glibc's ``malloc_trim``, or None (other C libraries and systems)."""
    import ctypes
    import ctypes.util

    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def open_text(path: Path, compression: str | None, encoding: str = "utf-8"):
    """The file as text lines (slow paths and small reads: headers, error lines)."""
    return io.TextIOWrapper(open_binary(path, compression), encoding=encoding,
                            errors="replace", newline="")


def first_line(path: Path, compression: str | None, encoding: str) -> str:
    with open_text(path, compression, encoding) as f:
        return f.readline().rstrip("\r\n")


def first_bad_utf8(path: Path, compression: str | None) -> tuple[int, int, int] | None:
    """(line, column, byte) of the first byte that is not valid UTF-8, or None."""
    with open_binary(path, compression) as f:
        data = f.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return line, column, data[err.start]
    return None


def not_utf8(path: Path, where: tuple[int, int, int]) -> InputError:
    line, column, byte = where
    return InputError(
        f"{path}:{line}: the file is not UTF-8 (byte 0x{byte:02x} at column {column}); save it "
        "as UTF-8, or pass its encoding, e.g. --encoding latin-1 (or cp1252)."
    )


def sniff_delimiter(header: str, fmt: str, given: str | None) -> str:
    """The delimiter of a CSV/TSV file: ``given``, else the one its header line uses.

    A ``.csv`` whose header has no comma but a tab, ``;`` or ``|`` is read with
    that delimiter (a ``.tsv`` without tabs likewise with the one it has).

    >>> sniff_delimiter("id;joy;love", "csv", None)
    ';'
    >>> sniff_delimiter("id,joy", "tsv", None)
    ','
    >>> sniff_delimiter("tags", "csv", None)
    ','
    """
    if given is not None:
        if len(given) != 1 or given in "\r\n\"":
            raise InputError(
                f"--delimiter {given!r}: give one character that separates columns, e.g. ',' "
                "or ';' (write '\\t' or tab for a tab)."
            )
        return given
    usual = "\t" if fmt == "tsv" else ","
    if usual in header:
        return usual
    seen = [d for d in _DELIMITERS if d != usual and d in _unquoted(header)]
    return seen[0] if len(seen) == 1 else usual


def delimiter_name(delim: str) -> str:
    return _DELIMITERS.get(delim, repr(delim))


def _unquoted(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def content_hint(path: Path, fmt: str, head: str) -> str | None:
    """What the file's first line says about its real format, when it does not match ``fmt``."""
    text = head.lstrip("\ufeff").strip()
    if fmt in ("csv", "tsv") and text.startswith(("{", "[")):
        return f"{path}:1 starts with {text[:1]!r}: this looks like JSON lines; rename it to " \
               ".jsonl or pass --input-format jsonl."
    if fmt in ("csv", "tsv") and re.fullmatch(r"\d+\s+\d+(\s+\d+)?", text):
        return f"{path}:1 is {text!r}, an XC header 'N L' or 'N D L'; pass --input-format xc."
    if fmt == "jsonl" and text and not text.startswith("{"):
        return f"{path}:1 does not start with '{{': a JSON-lines file holds one object per " \
               "line; for a table with a header row, pass --input-format csv (or tsv)."
    return None


def spool_stdin(fmt: str | None) -> Path:
    """Copy standard input to a temporary file, so that it can be read like any file."""
    if fmt is None:
        raise InputError(
            "'-' reads standard input, which has no extension to tell its format; pass "
            "--input-format (csv, tsv, jsonl, parquet, npy, npz, xc or arff)."
        )
    tmp = tempfile.NamedTemporaryFile(prefix="labelwise-stdin-", suffix="." + fmt, delete=False)
    with tmp:
        shutil.copyfileobj(sys.stdin.buffer, tmp)
    return Path(tmp.name)
