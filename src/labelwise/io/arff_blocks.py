"""ARFF files as blocks of label values (the parsing lives in :mod:`labelwise.io.arff`)."""

from __future__ import annotations

from typing import Iterator

from . import _files


def open_arff(src):
    """The :class:`~labelwise.io.arff.ArffFile` of a source, read once and kept on it."""
    from .arff import read_arff

    if src.arff is None:
        src.arff = read_arff(
            src.path if src.file is src.path else src.file,
            label_columns=src.label_columns,
            opener=lambda: _files.open_text(src.file, src.compression, src.encoding),
        )
        note = f"{src.path}: labels from {src.arff.label_source}."
        if note not in src.notes:
            src.notes.append(note)
    return src.arff


def arff_blocks(src, block_rows: int) -> Iterator:
    from .source import Block

    src.refuse_columns("ARFF files have attributes, not table columns")
    arff = open_arff(src)
    src.names = arff.labels
    for b in arff.blocks(block_rows):
        if arff.sparse:
            yield Block(b.start, None, matrix=b.values)
        else:
            yield Block(b.start, None, values=b.values)
