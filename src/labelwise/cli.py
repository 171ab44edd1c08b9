"""The ``labelwise`` command: parse, load, call the library, render.

Exit codes: 0 all good, 1 a ``--require`` gate failed, 2 bad input or usage (or an
unexpected internal error, reported in one line; ``--debug`` shows its traceback).
"""

from __future__ import annotations

import difflib
import json
import operator
import re
import sys
import traceback
from pathlib import Path

import click
import numpy as np
import scipy.sparse as sp

from . import __version__
from ._validate import _Matrix, _Sets, check_threshold, coerce_pair
from .counts import Counts
from .errors import InputError, LabelwiseError
from .diagnose import DEFAULT_BANDS, Context, check_bands, check_leakage
from .evaluation import build_report, diagnosed, evaluate
from .io import Source, read_keys
from .pairing import pairs, vocabulary
from .registry import REGISTRY
from .report import render_markdown, render_rich, render_text, to_json_dict

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_REQUIRE = re.compile(r"^\s*([a-z0-9_]+)\s*(>=|<=|>|<)\s*([-+0-9.eE]+)\s*$")

EXAMPLES = """
\b
Examples:
  labelwise evaluate --true truth.csv --pred pred.csv
  labelwise evaluate --true truth.csv --scores scores.parquet --threshold 0.4
  labelwise evaluate --true truth.jsonl --labels-column tags --scores scores.csv \\
      --id-column id --format json --output report.json
  labelwise evaluate --true test.txt --scores preds.txt --require "precision_at_1>=0.6"
"""


@click.group(help="Evaluate multi-label classifiers.\n" + EXAMPLES)
@click.version_option(__version__, prog_name="labelwise")
def main() -> None:
    pass


def _parse_requirements(specs, have_scores: bool) -> list[tuple[str, str, float]]:
    out = []
    for spec in specs:
        m = _REQUIRE.match(spec)
        try:
            value = float(m.group(3)) if m else None
        except ValueError:
            value = None
        if value is None:
            raise click.UsageError(
                f"--require {spec!r}: write METRIC>=VALUE (or <=, >, <), e.g. \"f1_micro>=0.8\"."
            )
        name, op = m.group(1), m.group(2)
        if name not in REGISTRY:
            close = difflib.get_close_matches(name, list(REGISTRY), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise click.UsageError(
                f"--require names unknown metric {name!r}{hint}. Valid names: "
                + ", ".join(REGISTRY)
            )
        if REGISTRY[name].needs_scores and not have_scores:
            raise click.UsageError(
                f"--require {name}: {name} is computed from scores; give them with --scores "
                "(--pred holds hard predictions)."
            )
        out.append((name, op, value))
    return out


def _threshold(value: str, vocab: tuple):
    path = Path(value)
    if value.endswith(".json") or path.is_file():
        try:
            loaded = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            raise InputError(
                f"--threshold {value}: cannot read a JSON threshold file ({err})."
            ) from None
        try:
            return check_threshold(loaded, len(vocab), vocab)
        except InputError as err:
            raise InputError(f"--threshold {value}: {err}") from None
    try:
        number = float(value)
    except ValueError:
        raise InputError(
            f"--threshold {value!r}: give a number or a JSON file of {{label: threshold}}."
        ) from None
    try:
        return check_threshold(number, len(vocab), vocab)
    except InputError as err:
        raise InputError(f"--threshold {value}: {err}") from None


def _bands(path):
    if path is None:
        return None
    try:
        loaded = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise InputError(f"--bands {path}: not a readable JSON file ({err}).") from None
    return check_bands(loaded)


def _concat(raws: list):
    if isinstance(raws[0], _Sets):
        return _Sets([row for r in raws for row in r.rows])
    vals = [r.values for r in raws]
    joined = sp.vstack(vals, format="csr") if sp.issparse(vals[0]) else np.concatenate(vals)
    return _Matrix(joined, raws[0].names)


def _progress(it, enabled: bool):
    if not enabled:
        yield from it
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True,
                  console=_stderr_console()) as bar:
        task = bar.add_task("reading rows", total=None)
        rows = 0
        for item in it:
            rows += _rows(item[0])
            bar.update(task, description=f"read {rows:,} rows")
            yield item


def _rows(raw) -> int:
    return len(raw.rows) if isinstance(raw, _Sets) else raw.values.shape[0]


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _run(true, pred, scores, threshold, ge, id_column, labels_column, sep, labels,
         labels_file, input_format, allow_missing, show_progress, *, train=None, bands=None,
         logits=False, own_labels_column=True):
    names = None
    if labels:
        names = [x.strip() for x in labels.split(",") if x.strip()]
    elif labels_file:
        names = [x.strip() for x in Path(labels_file).read_text().splitlines() if x.strip()]
        if not names:
            raise InputError(f"--labels-file {labels_file} names no label.")
    opts = dict(fmt=input_format, id_column=id_column, labels_column=labels_column, sep=sep)
    truth = Source(true, **opts)
    other = Source(pred or scores, **opts)
    if (own_labels_column and labels_column is not None and truth.labels_column is None
            and other.labels_column is None):
        raise InputError(
            f"--labels-column {labels_column!r}: neither file has this column ({truth.path} "
            f"has {truth.columns()[:20]}, {other.path} has {other.columns()[:20]})."
        )
    vocab = vocabulary(truth, names)
    if other.labels_column is None and other.fmt in ("csv", "tsv", "jsonl", "parquet") and names:
        other.label_columns = list(vocab)
    other.expected = frozenset(str(x) for x in vocab)
    kind = "scores" if scores else "labels"
    it, matching = pairs(truth, other, vocab, kind, allow_missing=allow_missing)
    it = _progress(it, show_progress)
    inputs = {"truth": str(truth.path), "predictions": str(other.path), "kind": kind}
    if kind == "labels":
        total = None
        for raw_t, raw_p in it:
            c = Counts.from_labelled(coerce_pair(raw_t, raw_p, labels=vocab))
            total = c if total is None else total + c
        report = build_report(total, vocab, 0.0, 2.0, {"zero_division": 0, "beta": 2.0,
                                                       "weighted": False})
        # the same findings and readings as evaluate() gives for hard predictions
        context = Context(metrics=report.metrics, labels=report.labels, counts=total,
                          zero_division=0.0, undefined=report.undefined,
                          train_metrics=None if train is None else train.metrics)
        report = diagnosed(report, context, {**DEFAULT_BANDS, **(bands or {})})
        thresholds = None
    else:
        thr = _threshold(threshold, vocab) if threshold is not None else 0.5
        got = list(it)
        t, s = _concat([g[0] for g in got]), _concat([g[1] for g in got])
        del got
        y_true = t.rows if isinstance(t, _Sets) else t.values
        y_score = s.values if not sp.issparse(s.values) else sp.csr_matrix(s.values)
        report = evaluate(y_true, y_score=y_score, labels=vocab, threshold=thr, inclusive=ge,
                          scores_are_logits=logits, train=train, bands=bands)
        thresholds = {"rule": ">=" if ge else ">",
                      "values": thr if isinstance(thr, float) else dict(zip(vocab, thr.tolist()))}
    inputs["rows"] = matching.to_dict()
    return report, thresholds, inputs


@main.command("evaluate", epilog=EXAMPLES)
@click.option("--true", "true", required=True, type=click.Path(dir_okay=False),
              help="File with the true labels.")
@click.option("--pred", type=click.Path(dir_okay=False),
              help="File with hard predictions (0/1 columns or label sets).")
@click.option("--scores", type=click.Path(dir_okay=False),
              help="File with scores or probabilities, one column per label.")
@click.option("--threshold", default=None,
              help="Score threshold: a number (default 0.5) or a JSON file {label: threshold}.")
@click.option("--ge", is_flag=True, help="Predict when score >= threshold (default: >).")
@click.option("--id-column", help="Match rows by this id column (else by position).")
@click.option("--labels-column", help="Column holding each row's label set.")
@click.option("--sep", default=",", show_default=True, help="Delimiter inside label sets.")
@click.option("--labels", help="Comma-separated label names: the vocabulary and its order.")
@click.option("--labels-file", type=click.Path(dir_okay=False, exists=True),
              help="File with one label name per line.")
@click.option("--input-format",
              type=click.Choice(["csv", "tsv", "jsonl", "parquet", "npy", "npz", "xc"]),
              help="Override the format detected from the file extension.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True, help="Output format.")
@click.option("--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--require", multiple=True, metavar="METRIC>=VALUE",
              help="Fail (exit 1) unless the metric meets the bound; repeatable.")
@click.option("--allow-missing", is_flag=True,
              help="Evaluate only rows whose id is in both files; report the rest.")
@click.option("--scores-are-logits", is_flag=True,
              help="The scores are logits: predict when sigmoid(score) > threshold.")
@click.option("--train-true", type=click.Path(dir_okay=False),
              help="True labels of the training data, to detect overfitting.")
@click.option("--train-pred", type=click.Path(dir_okay=False),
              help="The model's hard predictions on the training data.")
@click.option("--train-scores", type=click.Path(dir_okay=False),
              help="The model's scores on the training data.")
@click.option("--bands", "bands_file", type=click.Path(dir_okay=False, exists=True),
              help='JSON file of interpretation bands {"metric or pattern": [good, bad]}.')
@click.option("--quiet", is_flag=True, help="Print nothing but errors and failed requirements.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def evaluate_command(true, pred, scores, threshold, ge, id_column, labels_column, sep, labels,
                     labels_file, input_format, fmt, output, require, allow_missing,
                     scores_are_logits, train_true, train_pred, train_scores, bands_file, quiet,
                     debug):
    """Evaluate predictions (or scores) in a file against the true labels in another.

    Rows are matched by position, or by --id-column. Labels are matched by name:
    a column per label (0/1 for --pred, numbers for --scores), or one column of
    label sets (--labels-column). Exit codes: 0 ok, 1 a --require failed, 2 bad
    input or usage.
    """
    if (pred is None) == (scores is None):
        raise click.UsageError("give exactly one of --pred (0/1 or label sets) and --scores.")
    if labels and labels_file:
        raise click.UsageError("give --labels or --labels-file, not both.")
    if scores is None and (threshold is not None or ge):
        raise click.UsageError(
            "--threshold and --ge turn scores into predictions; they need --scores."
        )
    if scores_are_logits and scores is None:
        raise click.UsageError("--scores-are-logits needs --scores.")
    if (train_pred or train_scores) and not train_true:
        raise click.UsageError("--train-pred/--train-scores need --train-true.")
    if train_true and not (train_pred or train_scores) or (train_pred and train_scores):
        raise click.UsageError("--train-true needs exactly one of --train-pred and --train-scores.")
    gates = _parse_requirements(require, have_scores=scores is not None)
    show_progress = sys.stderr.isatty() and not quiet and fmt != "json"
    try:
        bands = _bands(bands_file)
        common = (id_column, labels_column, sep, labels, labels_file, input_format,
                  allow_missing, show_progress)
        train = None
        if train_true:  # --labels-column may then fit the training or the test files only
            train = _run(train_true, train_pred, train_scores, threshold, ge, *common,
                         bands=bands, logits=scores_are_logits, own_labels_column=False)[0]
        report, thresholds, inputs = _run(
            true, pred, scores, threshold, ge, *common, train=train, bands=bands,
            logits=scores_are_logits, own_labels_column=train is None,
        )
        if train is not None:
            inputs["train"] = {"truth": train_true, "predictions": train_pred or train_scores}
        _emit(report, thresholds, inputs, fmt, output, quiet)
    except (LabelwiseError, OSError) as err:
        if debug:
            traceback.print_exc()
        click.echo(f"labelwise: error: {err}", err=True)
        sys.exit(2)
    except Exception as err:  # a bug: one line, unless --debug
        if debug:
            traceback.print_exc()
        click.echo(
            f"labelwise: internal error: {type(err).__name__}: {err}. This is a bug in labelwise;"
            " rerun with --debug for the traceback and report it.",
            err=True,
        )
        sys.exit(2)
    sys.exit(_gate(report, gates))


def _emit(report, thresholds, inputs, fmt, output, quiet) -> None:
    if fmt == "json":
        text = json.dumps(to_json_dict(report, thresholds=thresholds, inputs=inputs), indent=2)
    elif fmt == "markdown":
        text = render_markdown(report)
    elif output or not sys.stdout.isatty():
        text = render_text(report)  # files, pipes and logs get plain fixed-width tables
    else:
        text = None
    if output:
        Path(output).write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    elif quiet:
        return
    elif text is not None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        from rich.console import Console

        render_rich(report, Console())
    rows = inputs["rows"]
    if rows["left_out"] and not quiet:
        click.echo(
            f"note: --allow-missing: evaluated the {rows['matched']} matched rows; left out "
            + ", ".join(f"{v} ({k})" for k, v in rows["left_out"].items()) + ".",
            err=True,
        )


def _gate(report, gates) -> int:
    failed = 0
    for name, op, bound in gates:
        if name not in report.metrics:
            why = ("propensity-scored metrics need inverse propensities, which the command "
                   "line does not take" if name.startswith("ps") else
                   "these inputs do not define it (e.g. k above the number of labels, or "
                   "a per-label average of sparse scores)")
            click.echo(f"labelwise: error: --require {name}: the report has no {name}: {why}.",
                       err=True)
            return 2
        value = report.metrics[name]
        if not (value == value and _OPS[op](value, bound)):
            click.echo(f"requirement failed: {name} = {value:.4f}, required {op} {bound:g}",
                       err=True)
            failed += 1
    return 1 if failed else 0


@main.command("leakage")
@click.option("--train", "train", required=True, type=click.Path(dir_okay=False),
              help="Training data file.")
@click.option("--test", "test", required=True, type=click.Path(dir_okay=False),
              help="Test data file.")
@click.option("--key-column", "key_columns", multiple=True,
              help="Column(s) identifying a sample's content, e.g. the text; repeatable. "
                   "Default: every column except ids and labels.")
@click.option("--id-column", help="Row id column, never part of the key.")
@click.option("--labels-column", help="Label-set column, never part of the key.")
@click.option("--labels", help="Comma-separated label columns, never part of the key.")
@click.option("--input-format",
              type=click.Choice(["csv", "tsv", "jsonl", "parquet", "npy", "npz"]),
              help="Override the format detected from the file extension.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def leakage_command(train, test, key_columns, id_column, labels_column, labels, input_format,
                    fmt, debug):
    """Find test rows that also occur in the training data (exact duplicates).

    Text keys are compared after collapsing white space and ignoring case.
    Exit codes: 0 no leakage, 1 leakage found, 2 bad input or usage.

    \b
    Example:
      labelwise leakage --train train.csv --test test.csv --key-column text
    """
    exclude = {c for c in (id_column, labels_column) if c}
    exclude |= {x.strip() for x in (labels or "").split(",") if x.strip()}
    try:
        opts = dict(fmt=input_format, key_columns=key_columns, exclude=exclude)
        train_keys = read_keys(train, **opts)
        test_keys = read_keys(test, **opts)
        finding = check_leakage(train_keys, test_keys)
    except (LabelwiseError, OSError) as err:
        if debug:
            traceback.print_exc()
        click.echo(f"labelwise: error: {err}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps({
            "train_rows": len(train_keys),
            "test_rows": len(test_keys),
            "finding": None if finding is None else finding.to_dict(),
        }, indent=2))
    elif finding is None:
        click.echo(f"no leakage: none of the {len(test_keys)} test rows occurs among the "
                   f"{len(train_keys)} training rows.")
    else:
        click.echo(f"[{finding.severity}] {finding.code}: {finding.message}")
        click.echo(f"    what to do: {finding.suggestion}")
    sys.exit(0 if finding is None else 1)
