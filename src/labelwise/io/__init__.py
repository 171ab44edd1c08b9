"""File readers: tables, arrays and sparse text in, blocks of rows out. No metric logic.

Supported formats, chosen by extension (or ``fmt=``); CSV, TSV, JSONL and XC files
may be compressed (``.gz``, ``.bz2``, ``.zst``, also recognised by their first bytes):

======================  =========================================================
``csv``, ``tsv``        ``.csv``, ``.tsv``; a header row names the columns; the
                        delimiter is the one the header uses (``,``, tab, ``;``
                        or ``|``) unless given
``jsonl``               ``.jsonl``, ``.ndjson``; one JSON object per line
``parquet``             ``.parquet``, ``.pq``
``npy``, ``npz``        ``.npy``, ``.npz`` (a dense array, or a scipy sparse ``.npz``)
``xc``                  ``.xc``, ``.svm``, ``.txt``: Extreme Classification Repository
                        sparse text (header ``N L`` then ``label:value ...`` per row,
                        or header ``N D L`` then ``l1,l2,... feature:value ...``)
``arff``                ``.arff``: Mulan/MEKA ARFF, dense or sparse; the labels are
                        named by the ``.xml`` file beside it, MEKA's ``-C``, or are
                        the ``{0,1}`` attributes
======================  =========================================================

Two layouts of a table:

* **columns**: one numeric column per label (0/1 or scores), headed by the label
  name, plus optional id and weight columns; other non-numeric columns are ignored,
  and ``label_columns``/``exclude_columns`` say exactly which columns are labels;
* **label sets**: one column holding each row's labels, as delimited names
  (``"joy,love"``), a JSON list, or integer label indices.

Readers stream: :meth:`Source.blocks` yields :class:`Block` objects of bounded
size, so files larger than memory can be reduced block by block.
"""

from ._files import FORMATS, detect_format
from .keys import read_keys
from .source import Block, Source, is_id_name

__all__ = ["Source", "Block", "FORMATS", "detect_format", "read_keys", "is_id_name"]
