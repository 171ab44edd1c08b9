"""Options shared by the commands, defined once, and the checks of their values."""

from __future__ import annotations

import functools
import json
import math
import sys
import traceback
from pathlib import Path

import click

from .. import defaults as D
from ..errors import InputError, LabelwiseError
from ..io import FORMATS
from .._validate import check_threshold
from ..stats.bootstrap import METHODS
from ..stats.intervals import check_level
from ..thresholds import FORMAT as THRESHOLDS_FORMAT, Thresholds

INPUT_FORMATS = list(dict.fromkeys(FORMATS.values()))  # the readers' formats


def _compose(*decorators):
    def apply(f):
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


def _names(value: str | None) -> list[str] | None:
    """A comma-separated option as a list of names (None if not given)."""
    if value is None:
        return None
    return [x.strip() for x in value.split(",") if x.strip()]


def _delimiter(ctx, param, value):
    if value in ("\\t", "tab", "TAB"):
        return "\t"
    return value


columns_options = _compose(
    click.option("--id-column", help="Match rows by this id column (else by position)."),
    click.option("--labels-column", help="Column holding each row's label set."),
    click.option("--label-columns", metavar="A,B,...",
                 help="Exactly these columns are the label columns (default: every numeric "
                      "column that is not an id, weight or excluded column)."),
    click.option("--exclude-columns", metavar="A,B,...",
                 help="Columns that are never labels, e.g. a fold number or other metadata."),
)

file_options = _compose(
    click.option("--input-format", type=click.Choice(INPUT_FORMATS),
                 help="Override the format detected from the file extension (needed for '-', "
                      "standard input)."),
    click.option("--delimiter", callback=_delimiter,
                 help="Column delimiter of CSV/TSV files (default: the one the header uses; "
                      "'\\t' for a tab)."),
    click.option("--encoding", help="Text encoding of CSV/TSV/JSONL files (default utf-8), "
                                    "e.g. latin-1."),
)

debug_option = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")

inclusive_option = click.option(
    "--inclusive", "--ge", "ge", is_flag=True,
    help="Predict when score >= threshold (default: >), as inclusive=True does in Python; "
         "--ge is the same flag.")

weight_option = click.option("--weight-column",
                             help="Column of the truth file holding sample weights.")

labels_options = _compose(
    click.option("--sep", default=",", show_default=True, help="Delimiter inside label sets."),
    click.option("--labels", help="Comma-separated label names: the vocabulary and its order."),
    click.option("--labels-file", type=click.Path(dir_okay=False, exists=True),
                 help="File with one label name per line."),
)

decimal_option = click.option("--decimal", type=click.Choice([".", ","]),
                              help="Decimal mark of numbers in CSV/TSV files (default '.').")


seed_option = click.option(
    "--seed", type=click.IntRange(min=0), default=None,
    help="Seed of the resamples; the same seed gives the same intervals (default: fresh "
         "entropy, printed with the results so they can be drawn again).")

bootstrap_options = _compose(
    click.option("--ci", type=float, default=None, metavar="LEVEL",
                 help="Give every metric a bootstrap confidence interval at this level, "
                      "e.g. --ci 0.95 (samples are resampled; the rows are kept in memory)."),
    click.option("--n-bootstrap", type=click.IntRange(min=2), default=1000, show_default=True,
                 help="Bootstrap replicates of --ci."),
    click.option("--ci-method", type=click.Choice(METHODS), default="bca", show_default=True,
                 help="Interval method: bias-corrected and accelerated, percentile, or the "
                      "Poisson bootstrap."),
    seed_option,
)


reading_options = _compose(columns_options, weight_option, labels_options, file_options,
                           decimal_option)

metric_options = _compose(
    click.option("--zero-division", type=click.Choice(["0", "1", "nan", "warn"]),
                 default=str(D.ZERO_DIVISION), show_default=True,
                 help="Value of a metric that divides by zero; nan leaves such labels out of "
                      "averages."),
    click.option("--beta", type=float, default=D.BETA, show_default=True,
                 help="The beta of the fbeta_* metrics."),
    click.option("--k", "cutoffs", default=",".join(map(str, D.CUTOFFS)), show_default=True,
                 metavar="K,K,...",
                 help="Cutoffs of the *_at_k metrics (precision_at_10 for 10)."),
)


def check_columns(id_column, labels_column, label_columns, exclude_columns, labels,
                  weight_column=None, sep=","):
    """Refuse options that contradict each other; return label_columns and exclude lists."""
    lab_cols, excl = _names(label_columns), _names(exclude_columns) or []
    if labels_column is not None and labels_column == id_column:
        raise click.UsageError(
            f"--labels-column and --id-column both name {id_column!r}: a column holds either "
            "each row's id or its labels, not both."
        )
    if weight_column is not None and weight_column in (id_column, labels_column):
        raise click.UsageError(f"--weight-column {weight_column!r} is also the id or labels "
                               "column; sample weights need a column of their own.")
    if label_columns is not None:
        if not lab_cols:
            raise click.UsageError("--label-columns names no column.")
        if labels_column is not None:
            raise click.UsageError(
                "give --labels-column (one column of label sets) or --label-columns (one "
                "column per label), not both."
            )
        if labels is not None:
            raise click.UsageError(
                "give --labels or --label-columns, not both: with one column per label, "
                "--label-columns names the labels."
            )
        clash = [c for c in lab_cols if c in excl or c in (id_column, weight_column)]
        if clash:
            raise click.UsageError(f"--label-columns names {clash}, which are also given as "
                                   "id, weight or excluded columns.")
    if sep == "":
        raise click.UsageError(
            "--sep '': the delimiter inside label sets cannot be empty (each set would be one "
            "label); give the character between labels, e.g. --sep ',' or --sep '|'."
        )
    return lab_cols, excl


def zero_division_value(value: str):
    """The --zero-division value as the library takes it."""
    return {"0": 0, "1": 1, "nan": math.nan, "warn": "warn"}[value]


# Seconds numba takes to compile what a first run needs on a quiet 2-core machine
# (benchmarks/bench_startup.py lists each kernel's time; a busy machine takes two to
# three times as long): the counting kernels of large hard-label inputs, and
# everything a report with scores uses (4.3 s in docs/benchmarks.md).
COMPILE_SECONDS = {"counts": 4, "scores": 5}
_COUNTING_KERNELS = ("dense_counts", "dense_counts_narrow", "dense_counts_weighted",
                     "csr_counts")


def compile_notice(kernel: str) -> str:
    """The line shown when the first compilation of a run starts.

    Parameters
    ----------
    kernel : str
        Dotted name of the kernel numba starts compiling.

    Returns
    -------
    str

    Examples
    --------
    >>> compile_notice("labelwise._kernels.dense_counts")
    'labelwise: compiling fast kernels, once: about 4 s (later runs load them from the cache).'
    >>> compile_notice("labelwise._narrow_kernels.counts_10")
    'labelwise: compiling fast kernels, once: about 4 s (later runs load them from the cache).'
    """
    name = kernel.rsplit(".", 1)[-1]
    counting = name in _COUNTING_KERNELS or name.startswith("counts_")  # by row width
    family = "counts" if counting else "scores"
    return (f"labelwise: compiling fast kernels, once: about {COMPILE_SECONDS[family]} s "
            "(later runs load them from the cache).")


def _announce_compilation():
    """Show :func:`compile_notice` on stderr at the first cache miss; returns the undo."""
    from .._jit import on_compile

    shown = []

    def hook(kernel: str) -> None:
        if not shown:
            shown.append(kernel)
            click.echo(compile_notice(kernel), err=True)

    return on_compile(hook)


def guarded(command):
    """Run a command body: library errors become one line and exit code 2.

    A compilation of kernels (a first run, with an empty cache) is announced on
    stderr before it starts.
    """

    @functools.wraps(command)
    def run(*args, debug=False, **kwargs):
        stop_announcing = _announce_compilation()
        try:
            return command(*args, **kwargs)
        except (LabelwiseError, OSError) as err:
            if debug:
                traceback.print_exc()
            click.echo(f"labelwise: error: {err}", err=True)
            sys.exit(2)
        except click.ClickException:
            raise
        except Exception as err:  # a bug: one line, unless --debug
            if debug:
                traceback.print_exc()
            click.echo(
                f"labelwise: internal error: {type(err).__name__}: {err}. This is a bug in "
                "labelwise; rerun with --debug for the traceback and report it.",
                err=True,
            )
            sys.exit(2)
        finally:
            stop_announcing()

    return run


def read_names_file(path: str) -> list[str]:
    names = [x.strip() for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]
    if not names:
        raise InputError(f"--labels-file {path} names no label.")
    return names


def cutoffs(value: str) -> tuple:
    """--k: positive whole numbers, sorted and without repeats."""
    try:
        ks = [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        ks = []
    if not ks or min(ks) < 1:
        raise click.UsageError(f"--k {value!r}: give positive whole numbers, e.g. --k 1,3,5,10.")
    return tuple(sorted(set(ks)))


def threshold_value(value: str, vocab: tuple):
    """--threshold: a number, or a JSON file (a dict by label, "*" for the rest, or a list)."""
    path = Path(value)
    if value.endswith(".json") or path.is_file():
        try:
            given = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(
                f"--threshold {value}: cannot read a JSON threshold file ({err})."
            ) from None
    else:
        try:
            given = float(value)
        except ValueError:
            raise InputError(
                f"--threshold {value!r}: give a number or a JSON file of {{label: threshold}}."
            ) from None
    try:
        if isinstance(given, dict) and given.get("format") == THRESHOLDS_FORMAT:
            return Thresholds.from_json(given, labels=list(vocab))  # keeps where it was tuned
        return check_threshold(given, len(vocab), vocab)
    except InputError as err:
        raise InputError(f"--threshold {value}: {err}") from None


def check_level_option(value, name: str) -> None:
    """A level option: out of range is a usage error in the option's own name."""
    try:
        check_level(value, name)
    except InputError as err:
        raise click.UsageError(str(err)) from None
