"""``labelwise tune``: read two files, tune the thresholds, write them as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import numpy as np
from .. import _sparse as sp

from .. import defaults as D
from .._names import did_you_mean
from .._validate import RawSets
from ..errors import InputError
from ..evaluation import evaluate
from ..pairing import pairs, vocabulary
from ..registry import REGISTRY
from ..report import safe_label
from ..thresholds import tune_thresholds
from . import options as O
from .evaluate import Layout, _check_named_columns, _concat

FEW_POSITIVES = 10  # fewer positives than this make a threshold fragile

EXAMPLES = """
\b
Examples:
  labelwise tune --true valid_truth.csv --scores valid_scores.csv --output thresholds.json
  labelwise tune --true truth.csv --scores scores.csv --id-column id --objective f1_micro \\
      --global --cv 5 --output thresholds.json
  labelwise tune --true truth.csv --scores scores.csv --min-precision 0.9 --output -
  labelwise evaluate --true test_truth.csv --scores test_scores.csv --threshold thresholds.json
"""


def objectives() -> list[str]:
    """The registry's threshold metrics that tune_thresholds searches."""
    return [n for n, m in REGISTRY.items() if not m.needs_scores and m.average != "samples"
            and n != "subset_accuracy"]


def _objective(ctx, param, value):
    known = objectives()
    if value not in known:
        raise click.BadParameter(
            f"{value!r} is not an objective{did_you_mean(value, known)}; choose a threshold "
            f"metric: {', '.join(known)}.", ctx=ctx, param=param)
    return value


def _truth_matrix(raw, vocab: tuple) -> np.ndarray:
    if isinstance(raw, RawSets):
        where = {lab: j for j, lab in enumerate(vocab)}
        y = np.zeros((len(raw.rows), len(vocab)), dtype=bool)
        for i, row in enumerate(raw.rows):
            y[i, [where[lab] for lab in row]] = True
        return y
    values = raw.values
    return np.asarray(values.toarray() if sp.issparse(values) else values, dtype=bool)


def read(true, scores, layout: Layout):
    """Truth (bool matrix), scores, sample weights (or None), labels and row matching,
    read and paired as ``labelwise evaluate`` reads them."""
    truth = layout.source(true, "labels", truth=True)
    other = layout.source(scores, "scores", truth=False)
    _check_named_columns(layout, truth, other, True)
    if layout.decimal == "," and truth.decimal != "," and other.decimal != ",":
        raise InputError(
            "--decimal ',' needs a file whose columns are not separated by commas; save the "
            "file with ';' between columns (then it is detected) or pass --delimiter."
        )
    names = layout.names or layout.label_columns
    vocab = vocabulary(truth, names, other)
    if other.labels_column is None and other.fmt in ("csv", "tsv", "jsonl", "parquet") and names:
        other.label_columns = list(vocab)
    other.expected = frozenset(str(x) for x in vocab or ())
    it, matching = pairs(truth, other, vocab, "scores")
    truths, score_parts, weights = [], [], []
    for raw_t, raw_p, w in it:
        truths.append(_truth_matrix(raw_t, vocab))
        score_parts.append(raw_p)
        weights.append(w)
    if not truths:
        raise InputError(f"{truth.path} and {other.path} have no rows to tune on.")
    y = np.concatenate(truths)
    s = _concat(score_parts).values
    w = None
    if any(x is not None for x in weights):
        w = np.concatenate([np.asarray(x, dtype=np.float64) for x in weights])
    return y, s, w, tuple(vocab), matching


def label_rows(t, at_half) -> list[dict]:
    """Per label: the tuned threshold and its figures beside those at 0.5."""
    half = {str(r["label"]): r for r in at_half.per_label.to_records()}
    rows = []
    for j, (label, value) in enumerate(t.as_dict().items()):
        h = half[str(label)]
        rows.append({"label": label, "threshold": float(value),
                     "support": float(t.support[j]),
                     "precision": float(t.precision[j]), "recall": float(t.recall[j]),
                     "f1": float(t.f1[j]),
                     "precision_at_0.5": _num(h["precision"]),
                     "recall_at_0.5": _num(h["recall"]), "f1_at_0.5": _num(h["f1"])})
    return rows


def _num(x):
    x = float(x)
    return None if x != x else x


def warnings(t, y, s, rows) -> list[str]:
    out = []
    thr = np.broadcast_to(np.asarray(t.values, dtype=np.float64), (s.shape[1],))
    predicted = np.count_nonzero(s >= thr if t.inclusive else s > thr, axis=0)
    for j, row in enumerate(rows):
        name = safe_label(row["label"])
        positives = row["support"]
        if positives < FEW_POSITIVES:
            out.append(f"threshold of {name!r} rests on {positives:g} positives; treat with care.")
        if predicted[j] == s.shape[0]:
            out.append(f"the best threshold of {name!r} ({row['threshold']:.4g}) predicts it for "
                       "every row.")
        elif predicted[j] == 0:
            out.append(f"the best threshold of {name!r} ({row['threshold']:.4g}) predicts it for "
                       "no row.")
    if t.unmet:
        (bound, value), = t.constraint.items()
        out.append(f"{', '.join(repr(safe_label(x)) for x in t.unmet)} cannot reach "
                   f"{bound.replace('min_', '')} {value:g}; they got the threshold that comes "
                   "closest.")
    return out


def table(t, rows) -> str:
    width = max([5, *(len(safe_label(r["label"], 30)) for r in rows)])
    head = (f"{'label':<{width}}  threshold  precision  recall      f1"
            f"  |  precision@0.5  recall@0.5  f1@0.5")
    lines = [head]
    for r in rows:
        at = [("   nan" if r[k] is None else f"{r[k]:.4f}")
              for k in ("precision_at_0.5", "recall_at_0.5", "f1_at_0.5")]
        lines.append(f"{safe_label(r['label'], 30):<{width}}  {r['threshold']:9.4f}"
                     f"  {r['precision']:9.4f}  {r['recall']:6.4f}  {r['f1']:6.4f}"
                     f"  |  {at[0]:>13}  {at[1]:>10}  {at[2]:>6}")
    return "\n".join(lines)


def summary(t) -> str:
    line = f"{t.objective}: {t.baseline:.4f} at 0.5 -> {t.score:.4f} tuned (on these rows)"
    if t.cv_score is not None:
        line += f"; cross-fitted over {t.settings.get('cv')} folds: {t.cv_score:.4f}"
    return line


@click.command("tune", epilog=EXAMPLES)
@click.option("--true", "true", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File with the true labels ('-' for standard input).")
@click.option("--scores", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File with scores or probabilities, one column per label.")
@click.option("--objective", default="f1_macro", show_default=True, callback=_objective,
              metavar="METRIC",
              help="The threshold metric to maximise (minimised for hamming_loss): "
                   "{precision,recall,f1,fbeta,jaccard,specificity,balanced_accuracy,mcc}_"
                   "{micro,macro,weighted}, hamming_loss or label_accuracy.")
@click.option("--global", "shared", is_flag=True,
              help="One threshold shared by every label (default: one per label).")
@click.option("--min-precision", type=float,
              help="Per label, the threshold of highest recall with at least this precision.")
@click.option("--min-recall", type=float,
              help="Per label, the threshold of highest precision with at least this recall.")
@click.option("--cv", type=int, help="Folds of a cross-fitted estimate of the objective.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the folds.")
@O.inclusive_option
@O.reading_options
@click.option("--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the thresholds (JSON) here; '-' prints them instead of the table.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="What to print: a table, or a JSON document.")
@O.debug_option
def tune_command(true, scores, objective, shared, min_precision, min_recall, cv, seed, ge,
                 id_column, labels_column, label_columns, exclude_columns, weight_column, sep,
                 labels, labels_file, input_format, delimiter, encoding, decimal, output, fmt,
                 debug):
    """Tune the score thresholds that maximise an objective on a truth and a scores file.

    The files are read as 'labelwise evaluate' reads them: rows matched by
    position or by --id-column, labels by name. The thresholds are written as
    JSON to --output; 'labelwise evaluate --threshold FILE' applies them. Exit
    codes: 0 ok, 2 bad input or usage.
    """
    if min_precision is not None and min_recall is not None:
        raise click.UsageError("give --min-precision or --min-recall, not both: each one "
                               "chooses the threshold that maximises the other.")
    if shared and (min_precision is not None or min_recall is not None):
        raise click.UsageError("--min-precision and --min-recall choose one threshold per "
                               "label; they cannot be combined with --global.")
    if labels and labels_file:
        raise click.UsageError("give --labels or --labels-file, not both.")
    if true == "-" and scores == "-":
        raise click.UsageError("only one of the files can be '-' (standard input).")
    if output == "-" and fmt == "json":
        raise click.UsageError("--output - prints the thresholds; it cannot be combined with "
                               "--format json, which prints a document of its own.")
    label_cols, excluded = O.check_columns(id_column, labels_column, label_columns,
                                           exclude_columns, labels or labels_file,
                                           weight_column, sep)
    layout = Layout(id_column=id_column, labels_column=labels_column, label_columns=label_cols,
                    exclude_columns=excluded, weight_column=weight_column, sep=sep,
                    input_format=input_format, delimiter=delimiter, encoding=encoding,
                    decimal=decimal)
    _tune(true, scores, layout, labels=labels, labels_file=labels_file,
          tuning=dict(objective=objective, per_label=not shared, min_precision=min_precision,
                      min_recall=min_recall, cv=cv, seed=seed, inclusive=ge),
          output=output, fmt=fmt, debug=debug)


@O.guarded
def _tune(true, scores, layout: Layout, *, labels, labels_file, tuning, output, fmt):
    if labels:
        layout.names = O._names(labels)
    elif labels_file:
        layout.names = O.read_names_file(labels_file)
    y, s, w, vocab, matching = read(true, scores, layout)
    t = tune_thresholds(y, s, labels=vocab, sample_weight=w, **tuning)
    at_half = evaluate(y, y_score=s, labels=list(vocab), threshold=D.THRESHOLD,
                       inclusive=tuning["inclusive"], sample_weight=w)
    rows = label_rows(t, at_half)
    text = t.to_json(indent=2) + "\n"
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
    if fmt == "json":
        doc = {"thresholds": t.to_dict(), "per_label": rows,
               "summary": {"objective": t.objective, "at_0.5": t.baseline, "tuned": t.score,
                           "cv_score": t.cv_score},
               "inputs": {"truth": str(true), "scores": str(scores),
                          "rows": matching.to_dict()}}
        click.echo(json.dumps(doc, indent=2))
    elif output != "-":
        rule = "score >= threshold" if t.inclusive else "score > threshold"
        kind = (f"{len(vocab)} per-label thresholds" if t.per_label
                else "one threshold for every label")
        click.echo(f"labelwise tune: {y.shape[0]} samples, {len(vocab)} labels: {kind} "
                   f"({rule}) written to {output}")
        click.echo(table(t, rows))
        click.echo(summary(t))
    for message in warnings(t, y, s, rows):
        click.echo(f"warning: {message}", err=True)
    sys.stdout.flush()
