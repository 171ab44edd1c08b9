"""``labelwise compare``: several models' files against one truth file, paired tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import numpy as np

from .. import defaults as D
from ..comparison import CORRECTIONS, TESTS, compare_accumulators
from ..errors import InputError
from ..registry import REGISTRY
from . import options as O
from .evaluate import Layout, Scoring, feed, memory_size

EXAMPLES = """
\b
Examples:
  labelwise compare --true truth.csv baseline.csv tuned.csv
  labelwise compare --true truth.csv a.csv b.csv c.csv --scores --metric f1_macro \\
      --metric roc_auc_macro --format markdown
  labelwise compare --true truth.csv --id-column id new.csv old.csv --require-better new
"""


@click.command("compare", epilog=EXAMPLES)
@click.option("--true", "true", required=True, type=click.Path(dir_okay=False),
              help="True labels (CSV, TSV, JSONL, Parquet, NPY/NPZ or XC).")
@click.argument("models", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--scores", is_flag=True,
              help="The model files hold scores (thresholded with --threshold), not 0/1.")
@click.option("--threshold", default=None,
              help="Score threshold of --scores, for every model: a number (default 0.5) or a "
                   "JSON file of thresholds (as for 'labelwise evaluate').")
@O.inclusive_option
@O.reading_options
@click.option("--metric", "metrics", multiple=True, metavar="NAME",
              help="A metric to compare (repeat it for several; default: subset accuracy, "
                   "Hamming loss, micro, macro and samples F1, and with --scores macro ROC-AUC "
                   "and AP and LRAP).")
@click.option("--test", type=click.Choice(TESTS), default="paired_bootstrap", show_default=True,
              help="The paired test.")
@click.option("--correction", type=click.Choice(CORRECTIONS), default="holm", show_default=True,
              help="Correction of the p-values for the number of model pairs.")
@click.option("--n-resamples", type=click.IntRange(min=2), default=10_000, show_default=True,
              help="Bootstrap resamples (and permutation rounds).")
@O.seed_option
@click.option("--ci", type=float, default=0.95, show_default=True, metavar="LEVEL",
              help="Level of the intervals of the values and the differences.")
@click.option("--alpha", type=float, default=0.05, show_default=True,
              help="Significance level of the marks and of --require-better.")
@O.metric_options
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="A name per model file, in order (default: the file stems).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "latex",
                                                   "html"]),
              default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="Write the result here.")
@click.option("--require-better", metavar="MODEL",
              help="Exit 1 unless MODEL is significantly better than every other model on "
                   "every compared metric: a gate for CI pipelines.")
@click.option("--allow-missing", is_flag=True,
              help="With --id-column, compare on the ids every file has (reported).")
@O.debug_option
def compare_command(true, models, scores, threshold, ge, id_column, labels_column, label_columns,
                    exclude_columns, weight_column, sep, labels, labels_file, input_format,
                    delimiter, encoding, decimal, metrics, test, correction, n_resamples, seed,
                    ci, alpha, zero_division, beta, cutoffs, names, fmt, output, require_better,
                    allow_missing, debug):
    """Compare models' predictions (or scores) on the same samples, with paired tests.

    Every model file is matched to the truth file as in 'labelwise evaluate'. Each
    metric gets each model's value with its interval, and each pair of models the
    difference, its interval and a p-value corrected for the number of pairs.
    Exit codes: 0 ok, 1 --require-better failed, 2 bad input or usage.
    """
    if len(models) < 2:
        raise click.UsageError("give at least two model files to compare.")
    O.check_level_option(ci, "--ci")
    O.check_level_option(alpha, "--alpha")
    names = list(names) if names else [Path(m).stem for m in models]
    if len(names) != len(models):
        raise click.UsageError(f"--name is given {len(names)} times for {len(models)} model "
                               "files: name every file, or none.")
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise click.UsageError(f"two model files have the name {dup[0]!r}: give each its own "
                               "with --name (in file order).")
    if require_better is not None and require_better not in names:
        raise click.UsageError(f"--require-better {require_better!r} is not one of the models "
                               f"({', '.join(names)}).")
    if labels and labels_file:
        raise click.UsageError("give --labels or --labels-file, not both.")
    label_cols, excluded = O.check_columns(id_column, labels_column, label_columns,
                                           exclude_columns, labels or labels_file,
                                           weight_column, sep)
    unknown = [m for m in metrics if m not in REGISTRY and not m.count("_at_")]
    if unknown:
        raise click.UsageError(f"--metric {unknown[0]!r} is not a metric; 'labelwise metrics' "
                               "lists them.")
    layout = Layout(id_column=id_column, labels_column=labels_column, label_columns=label_cols,
                    exclude_columns=excluded, weight_column=weight_column, sep=sep,
                    input_format=input_format, delimiter=delimiter, encoding=encoding,
                    decimal=decimal)
    if labels:
        layout.names = O._names(labels)
    if threshold is not None and not scores:
        raise click.UsageError("--threshold turns scores into predictions; it needs --scores.")
    scoring = Scoring(threshold=threshold, ge=ge, logits=False,
                      zero_division=O.zero_division_value(zero_division), beta=beta,
                      propensity_from=None, propensity_a=D.PROPENSITY_A,
                      propensity_b=D.PROPENSITY_B, k=O.cutoffs(cutoffs), auc="exact",
                      auc_auto=False, bins=D.BINS, memory_limit=memory_size(D.MEMORY_LIMIT))
    _compare(true, dict(zip(names, models)), scores, layout, scoring, labels_file=labels_file,
             metrics=list(metrics) or None, test=test, correction=correction,
             n_resamples=n_resamples, seed=seed, ci=ci, alpha=alpha, fmt=fmt, output=output,
             require_better=require_better, allow_missing=allow_missing, debug=debug)


@O.guarded
def _compare(true, models: dict, scores: bool, layout: Layout, scoring: Scoring, *, labels_file,
             metrics, test, correction, n_resamples, seed, ci, alpha, fmt, output,
             require_better, allow_missing):
    if labels_file:
        layout.names = O.read_names_file(labels_file)
    accs = {}
    matched = {}
    for name, path in models.items():
        fed = feed(true, None if scores else path, path if scores else None, layout, scoring,
                   allow_missing=allow_missing, keep_rows=True)
        rows = fed.matching.to_dict()
        if rows["left_out"]:
            click.echo(f"note: {name}: compared on the {rows['matched']} matched rows; left "
                       "out " + ", ".join(f"{v} ({k})" for k, v in rows["left_out"].items())
                       + ".", err=True)
        order = fed.matching.truth_order()
        if order is not None:  # feed() put the rows in the truth's order
            matched[name] = np.sort(order)
        accs[name] = fed.acc
    if matched:
        first = next(iter(matched))
        for name, rows in matched.items():
            if not np.array_equal(rows, matched[first]):
                raise InputError(
                    f"{models[name]} and {models[first]} match different truth ids "
                    f"({rows.size} and {matched[first].size} rows): models are compared on "
                    "the same samples, so every model file needs the same ids.")
    try:
        cmp = compare_accumulators(accs, metrics=metrics, test=test, n_resamples=n_resamples,
                                   seed=seed, correction=correction, ci=ci, alpha=alpha)
    except InputError as err:
        if "different truth rows" in str(err) or "samples but" in str(err):
            raise InputError(f"{err} With --allow-missing, every model file needs the same "
                             "ids.") from None
        raise
    if fmt == "json":
        text = json.dumps(cmp.to_dict(), indent=2)
    elif fmt == "markdown":
        text = cmp.to_markdown()
    elif fmt == "latex":
        text = cmp.to_latex()
    elif fmt == "html":
        text = cmp.to_html(inputs={"truth": true, "models": models})
    else:
        text = cmp.table()
    if output:
        Path(output).write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    else:
        click.echo(text, nl=not text.endswith("\n"))
    if require_better is not None and not cmp.significantly_better(require_better):
        lost = [(x, o) for x in cmp.metrics for o in cmp.models
                if o != require_better and not cmp.better(x, require_better, o)]
        def why(x, o):
            p = cmp.pvalue(x, require_better, o)
            if cmp.better(x, o, require_better):
                return f"significantly worse than {o} on {x} (p = {p:.3g})"
            return f"not significantly better than {o} on {x} (p = {p:.3g})"

        click.echo(f"requirement failed: {require_better} is "
                   + "; ".join(why(x, o) for x, o in lost[:6])
                   + ("; ..." if len(lost) > 6 else ""), err=True)
        sys.exit(1)
    sys.exit(0)
