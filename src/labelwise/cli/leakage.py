"""``labelwise leakage``: test rows that also occur in the training data."""

from __future__ import annotations

import json
import sys

import click

from ..diagnose import check_leakage
from ..io import read_keys
from . import options as O


@click.command("leakage")
@click.option("--train", "train", required=True, type=click.Path(dir_okay=False),
              help="Training data file.")
@click.option("--test", "test", required=True, type=click.Path(dir_okay=False),
              help="Test data file.")
@click.option("--key-column", "key_columns", multiple=True,
              help="Column(s) identifying a sample's content, e.g. the text; repeatable. "
                   "Default: the text columns that are not ids or labels (every such column "
                   "if none holds text).")
@O.columns_options
@click.option("--labels", help="Comma-separated label columns, never part of the key.")
@O.file_options
@click.option("--no-header", is_flag=True,
              help="CSV/TSV files have no header row (columns are column_1, column_2, ...).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@O.debug_option
def leakage_command(train, test, key_columns, id_column, labels_column, label_columns,
                    exclude_columns, labels, input_format, delimiter, encoding, no_header, fmt,
                    debug):
    """Find test rows that also occur in the training data (exact duplicates).

    Text keys are compared after collapsing white space and ignoring case.
    Exit codes: 0 no leakage, 1 leakage found, 2 bad input or usage.

    \b
    Example:
      labelwise leakage --train train.csv --test test.csv --key-column text
    """
    _, excluded = O.check_columns(id_column, labels_column, label_columns, exclude_columns,
                                  labels)
    exclude = {c for c in (id_column, labels_column) if c} | set(excluded)
    exclude |= set(O._names(labels) or []) | set(O._names(label_columns) or [])
    _leakage(train, test, fmt, dict(fmt=input_format, key_columns=key_columns, exclude=exclude,
                                    header=not no_header, delimiter=delimiter,
                                    encoding=encoding), debug=debug)


@O.guarded
def _leakage(train, test, fmt, opts):
    train_keys = read_keys(train, **opts)
    test_keys = read_keys(test, **opts)
    finding = check_leakage(train_keys.rows, test_keys.rows)
    notes = train_keys.notes + [n for n in test_keys.notes if n not in train_keys.notes]
    key = train_keys.columns or ["all values of each row"]
    if fmt == "json":
        click.echo(json.dumps({
            "train_rows": len(train_keys),
            "test_rows": len(test_keys),
            "key_columns": train_keys.columns,
            "notes": notes,
            "finding": None if finding is None else finding.to_dict(),
        }, indent=2))
    else:
        click.echo(f"key: {', '.join(key)}")
        if finding is None:
            click.echo(f"no leakage: none of the {len(test_keys)} test rows occurs among the "
                       f"{len(train_keys)} training rows.")
        else:
            click.echo(f"[{finding.severity}] {finding.code}: {finding.message}")
            click.echo(f"    what to do: {finding.suggestion}")
        for note in notes:
            click.echo(f"note: {note}", err=True)
    sys.exit(0 if finding is None else 1)
