"""``labelwise evaluate``: read two files, feed the library, render the report."""

from __future__ import annotations

import json
import math
import operator
import os
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import click
import numpy as np
from .. import _sparse as sp

from .. import defaults as D
from .._names import did_you_mean
from .._validate import RawMatrix, RawSets
from ..diagnose import Context, check_bands, label_space_from_data
from ..errors import InputError
from ..engine import AUC_MODES, Accumulator
from ..io import Source
from ..pairing import label_space, pairs, vocabulary
from ..registry import REGISTRY, lookup
from ..thresholds import Thresholds
from ..propensity import inverse_propensity
from . import options as O

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
_REQUIRE = re.compile(r"^\s*([A-Za-z0-9_@\-]+?)\s*(>=|<=|>|<)\s*([-+0-9.eE]+)\s*$")

EXAMPLES = """
\b
Examples:
  labelwise evaluate --true truth.csv --pred pred.csv
  labelwise evaluate --true truth.csv --scores scores.parquet --threshold 0.4
  labelwise evaluate --true truth.jsonl --labels-column tags --scores scores.csv \\
      --id-column id --format json --output report.json
  labelwise evaluate --true test.txt --scores preds.txt --require "precision_at_1>=0.6"
  labelwise evaluate --true truth.csv --pred pred.csv --ci 0.95 --seed 0
  cat pred.csv | labelwise evaluate --true truth.csv --pred - --input-format csv
"""


@dataclass
class Layout:
    """How to read the files of one evaluation: every reading option in one place."""

    id_column: str | None = None
    labels_column: str | None = None
    label_columns: list | None = None
    exclude_columns: list = field(default_factory=list)
    weight_column: str | None = None
    sep: str = ","
    input_format: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    names: list | None = None  # --labels / --labels-file
    unknown: str | None = None  # --unknown-value: the text of an unknown truth entry
    unknown_column: str | None = None  # --unknown-column: label sets of unknown truth

    def source(self, path, role: str, *, truth: bool) -> Source:
        return Source(
            path, fmt=self.input_format, id_column=self.id_column,
            labels_column=self.labels_column,
            label_columns=self.label_columns if self.label_columns else None,
            exclude_columns=list(self.exclude_columns)
            + ([self.weight_column] if self.weight_column and not truth else []),
            weight_column=self.weight_column if truth else None, sep=self.sep,
            delimiter=self.delimiter, encoding=self.encoding, decimal=self.decimal, role=role,
            unknown=self.unknown if truth else None,
            unknown_column=self.unknown_column if truth else None,
        )


@dataclass
class Scoring:
    """How the numbers are computed: every metric option in one place."""

    threshold: str | None  # as given: a number or a JSON file; None for the default
    ge: bool
    logits: bool
    zero_division: object
    beta: float
    propensity_from: str | None
    propensity_a: float
    propensity_b: float
    k: tuple
    auc: str  # "exact" or "binned"; with auc_auto, exact until past memory_limit
    auc_auto: bool
    bins: int
    memory_limit: float
    ci: float | None = None
    n_bootstrap: int = 1000
    ci_method: str = "bca"
    seed: int | None = None
    calibration_bins: int = D.CALIBRATION_BINS


def _parse_requirements(specs, have_scores: bool, propensities: bool):
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
        metric = lookup(name)
        if metric is None:
            raise click.UsageError(
                f"--require names unknown metric {name!r}{did_you_mean(name, REGISTRY)}. "
                "'labelwise metrics' lists the valid names."
            )
        if metric.needs_scores and not have_scores:
            raise click.UsageError(
                f"--require {name}: {name} is computed from scores; give them with --scores "
                "(--pred holds hard predictions)."
            )
        if name.startswith("ps") and not propensities:
            raise click.UsageError(
                f"--require {name}: propensity-scored metrics need label propensities; pass "
                "--propensity-from TRAIN_TRUTH_FILE."
            )
        out.append((name, op, value))
    return out


def _bands(path):
    if path is None:
        return None
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"--bands {path}: not a readable JSON file ({err}).") from None
    return check_bands(loaded)


def _concat(raws: list):
    if isinstance(raws[0], RawSets):
        return RawSets([row for r in raws for row in r.rows])
    vals = [r.values for r in raws]
    joined = sp.vstack(vals, format="csr") if sp.issparse(vals[0]) else np.concatenate(vals)
    return RawMatrix(joined, raws[0].names)


def _progress(it, enabled: bool):
    if not enabled:
        yield from it
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True,
                  console=Console(stderr=True)) as bar:
        task = bar.add_task("reading rows", total=None)
        rows = 0
        for item in it:
            raw = item[0]
            rows += len(raw.rows) if isinstance(raw, RawSets) else raw.values.shape[0]
            bar.update(task, description=f"read {rows:,} rows")
            yield item


def _check_named_columns(layout: Layout, truth: Source, other: Source, own_labels_column):
    """Column options must name a column of at least one of the files."""
    tables = [s for s in (truth, other) if s.fmt in ("csv", "tsv", "jsonl", "parquet")]
    have = set().union(*(s.columns() for s in tables)) if tables else set()
    if (own_labels_column and layout.labels_column is not None and truth.labels_column is None
            and other.labels_column is None):
        raise InputError(
            f"--labels-column {layout.labels_column!r}{did_you_mean(layout.labels_column, have)}"
            f": neither file has this column ({truth.path} has {truth.columns()[:20]}, "
            f"{other.path} has {other.columns()[:20]})."
        )
    for c in layout.exclude_columns:
        if tables and c not in have:
            raise InputError(f"--exclude-columns names {c!r}{did_you_mean(c, have)}, which "
                             "neither file has.")


def _propensities(layout: Layout, scoring: Scoring, vocab: tuple):
    if scoring.propensity_from is None:
        return None
    train = layout.source(scoring.propensity_from, "labels", truth=True)
    if train.labels_column is None and train.fmt in ("csv", "tsv", "jsonl", "parquet"):
        train.label_columns = list(vocab)
    from ..pairing import as_raw

    raws = [as_raw(train, b, vocab, "labels", truth=True) for b in train.blocks()]
    if not raws:
        raise InputError(f"--propensity-from {train.path} has no data rows.")
    raw = _concat(raws)
    y = raw.rows if isinstance(raw, RawSets) else raw.values
    return inverse_propensity(y, scoring.propensity_a, scoring.propensity_b,
                              labels=list(vocab))


@dataclass
class Fed:
    """One pair of files streamed into an accumulator, and what the reading found."""

    acc: Accumulator
    truth: Source
    other: Source
    kind: str
    matching: object
    space: dict | None
    inclusive: bool
    binned_note: str | None


def feed(true, pred, scores, layout: Layout, scoring: Scoring, *, allow_missing=False,
         show_progress=False, own_labels_column=True, keep_rows=False) -> Fed:
    """Stream one pair of files into a new accumulator (each file read once)."""
    truth = layout.source(true, "labels", truth=True)
    other = layout.source(pred or scores, "scores" if scores else "labels", truth=False)
    _check_named_columns(layout, truth, other, own_labels_column)
    if layout.decimal == "," and truth.decimal != "," and other.decimal != ",":
        raise InputError(
            "--decimal ',' needs a file whose columns are not separated by commas; save the "
            "file with ';' between columns (then it is detected) or pass --delimiter."
        )
    names = layout.names or layout.label_columns
    vocab = vocabulary(truth, names, other)  # None: label sets, whose labels the engine collects
    space = label_space(truth, other, vocab, names) if vocab is not None else None
    if other.labels_column is None and other.fmt in ("csv", "tsv", "jsonl", "parquet") and names:
        other.label_columns = list(vocab)
    other.expected = frozenset(str(x) for x in vocab or ())
    kind = "scores" if scores else "labels"
    it, matching = pairs(truth, other, vocab, kind, allow_missing=allow_missing)
    thr = (O.threshold_value(scoring.threshold, vocab) if scoring.threshold is not None
           else D.THRESHOLD)
    inclusive = scoring.ge
    if isinstance(thr, Thresholds):  # a tuned file carries its rule
        if scoring.ge and thr.rule != ">=":
            raise InputError(f"--inclusive: the thresholds of {scoring.threshold} were tuned "
                             "for score > threshold; drop --inclusive to apply them as tuned.")
        inclusive = thr.rule == ">="
    scored = {} if not scores else dict(
        threshold=thr, inclusive=inclusive, k=scoring.k, scores_are_logits=scoring.logits,
        inv_propensity=_propensities(layout, scoring, vocab))
    if layout.unknown is not None and truth.labels_column is not None:
        raise InputError(
            f"{truth.path}: --unknown-value marks entries of files with one column per label; "
            f"this file holds label sets in {truth.labels_column!r}."
        )
    acc = Accumulator(vocab, auc=scoring.auc, bins=scoring.bins,
                      zero_division=scoring.zero_division, beta=scoring.beta, ci=scoring.ci,
                      n_bootstrap=scoring.n_bootstrap, ci_method=scoring.ci_method,
                      seed=scoring.seed, calibration_bins=scoring.calibration_bins,
                      unknown=-1 if layout.unknown is not None else None, **scored)
    if keep_rows:
        acc.keep_rows()
    if kind == "scores":
        acc._compact_scores()  # short decimals (as text files hold them) kept as float32 codes
        if vocab and other.fmt in ("csv", "tsv") and other.labels_column is None:
            # a row of L scores takes at least 2L bytes ("0," each): room for every row
            # the file can hold, within the memory limit, so the kept scores are never moved
            try:
                most = os.path.getsize(other.path) // (2 * len(vocab)) + 1
            except (OSError, TypeError):  # not a file on disk (standard input)
                most = 0
            if most and math.isfinite(scoring.memory_limit):
                most = min(most, int(scoring.memory_limit) // (4 * len(vocab)) + 1)
            acc._expect_rows(most)
    binned_note = None
    for raw_t, raw_p, w in _progress(it, show_progress):
        if kind == "labels":
            acc.update(raw_t, raw_p, sample_weight=w)
            continue
        # dense scores as the reader checked them (not checked again); sparse ones bare
        acc.update(raw_t, y_score=raw_p if raw_p.checked else raw_p.values, sample_weight=w)
        if scoring.auc_auto and acc.exact_bytes > scoring.memory_limit:
            acc.bin_scores()
            binned_note = (f"the scores outgrew --memory-limit ({_size(scoring.memory_limit)}): "
                           f"ROC-AUC and average precision are binned ({scoring.bins} bins; "
                           "error bounds in params); pass --auc exact to keep them exact.")
    order = matching.truth_order()
    if order is not None and acc.log is not None and acc.n_samples:
        # rows came in the predictions' order: resample them in the truth's, so that the
        # intervals (and model pairs) do not depend on how a file was sorted
        acc.reorder_rows(np.argsort(order, kind="stable"))
    return Fed(acc, truth, other, kind, matching, space, inclusive, binned_note)


def run(true, pred, scores, layout: Layout, scoring: Scoring, *, allow_missing=False,
        show_progress=False, train=None, bands=None, own_labels_column=True):
    """Evaluate one pair of files: (report, thresholds, inputs)."""
    fed = feed(true, pred, scores, layout, scoring, allow_missing=allow_missing,
               show_progress=show_progress, own_labels_column=own_labels_column)
    report = fed.acc.report(train=train, bands=bands)
    if layout.unknown is not None:  # the marker as the user gave it (the engine reads -1)
        report = replace(report, params={**report.params, "unknown_value": layout.unknown})
    if fed.space is not None:  # the labels were read off the truth's sets beforehand
        report = report.with_findings(label_space_from_data(Context(
            metrics=report.metrics, labels=report.labels, counts=None, label_space=fed.space)))
    thresholds = None
    if fed.kind == "scores":
        thr = report.params["threshold"]
        thresholds = {"rule": ">=" if fed.inclusive else ">",
                      "values": thr if isinstance(thr, float) else dict(zip(report.labels, thr))}
    inputs = {"truth": str(fed.truth.path), "predictions": str(fed.other.path), "kind": fed.kind,
              "label_columns": list(report.labels), "rows": fed.matching.to_dict(),
              "notes": fed.truth.notes + [n for n in fed.other.notes if n not in fed.truth.notes]
              + ([fed.binned_note] if fed.binned_note else [])}
    return report, thresholds, inputs


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _size(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n:g} bytes"


def memory_size(value: str) -> float:
    """``2GB``, ``500MB``, ``1.5G`` or a number of bytes."""
    import re as _re

    m = _re.fullmatch(r"\s*([0-9.]+)\s*([kKmMgGtT]?)[bB]?\s*", value)
    try:
        number = float(m.group(1)) if m else None
    except ValueError:
        number = None
    if number is None or number <= 0:
        raise click.UsageError(f"--memory-limit {value!r}: give a size such as 2GB or 500MB.")
    return number * {"": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12}[m.group(2).lower()]


@click.command("evaluate", epilog=EXAMPLES)
@click.option("--true", "true", required=True, type=click.Path(dir_okay=True, allow_dash=True),
              help="File with the true labels ('-' for standard input).")
@click.option("--pred", type=click.Path(dir_okay=True, allow_dash=True),
              help="File with hard predictions (0/1 columns or label sets).")
@click.option("--scores", type=click.Path(dir_okay=True, allow_dash=True),
              help="File with scores or probabilities, one column per label.")
@click.option("--threshold", default=None,
              help="Score threshold: a number (default 0.5) or a JSON file: {label: threshold}, "
                   "with \"*\" for the other labels, or a list in label order.")
@O.inclusive_option
@O.reading_options
@O.metric_options
@click.option("--auc", "auc_mode", type=click.Choice(["auto", *AUC_MODES]),
              default="auto", show_default=True,
              help="ROC-AUC and average precision: exact (keeps the scores), binned (bounded "
                   "memory, error bound in params), or auto: exact until the scores outgrow "
                   "--memory-limit, then binned.")
@click.option("--memory-limit", default=D.MEMORY_LIMIT, show_default=True,
              help="Memory for the scores kept for exact ROC-AUC/AP under --auc auto.")
@click.option("--bins", type=click.IntRange(min=1), default=D.BINS, show_default=True,
              help="Score bins of binned ROC-AUC/AP.")
@click.option("--propensity-from", type=click.Path(dir_okay=False, allow_dash=False),
              help="Training truth file: label propensities for the ps*_at_k metrics.")
@click.option("--propensity-a", type=float, default=D.PROPENSITY_A, show_default=True,
              help="Propensity model constant A.")
@click.option("--propensity-b", type=float, default=D.PROPENSITY_B, show_default=True,
              help="Propensity model constant B.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown", "html"]),
              default="table", show_default=True,
              help="Output format; html is one self-contained page with figures (give "
                   "--output report.html).")
@click.option("--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--require", multiple=True, metavar="METRIC>=VALUE",
              help="Fail (exit 1) unless the metric meets the bound; repeatable.")
@click.option("--allow-missing", is_flag=True,
              help="Evaluate only rows whose id is in both files; report the rest.")
@click.option("--unknown-value", "unknown_value", metavar="TEXT",
              help="The value that marks an unknown (not annotated) entry in the truth "
                   "file's label columns, such as -1, ? or '' (an empty cell): left out of "
                   "every count. See 'Unknown truth entries' in docs/metrics.md.")
@click.option("--unknown-column", "unknown_column", metavar="COLUMN",
              help="With --labels-column: the truth file's column of label sets that "
                   "nobody annotated for each sample (unknown, left out of every count).")
@click.option("--calibration-bins", type=click.IntRange(min=1), default=D.CALIBRATION_BINS,
              show_default=True, help="Equal-width bins of the calibration errors (ece_*).")
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
@O.bootstrap_options
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Evaluate on a Dask cluster: a scheduler address (tcp://host:8786), or "
                   "local:N to start N local worker processes. The files are then Parquet "
                   "files, globs or directories of partitions; only counts leave the "
                   "workers.")
@O.debug_option
def evaluate_command(true, pred, scores, threshold, ge, id_column, labels_column, label_columns,
                     exclude_columns, weight_column, sep, labels, labels_file, input_format,
                     delimiter, encoding, decimal, zero_division, beta, cutoffs, auc_mode,
                     memory_limit, bins, propensity_from,
                     propensity_a, propensity_b, fmt, output, require, allow_missing,
                     scores_are_logits, train_true, train_pred, train_scores, bands_file, quiet,
                     ci, n_bootstrap, ci_method, seed, dask_address, unknown_value,
                     unknown_column, calibration_bins, debug):
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
    if [true, pred, scores].count("-") > 1:
        raise click.UsageError("only one of the files can be '-' (standard input).")
    if scores is None and (threshold is not None or ge):
        raise click.UsageError(
            "--threshold and --inclusive (--ge) turn scores into predictions; they need --scores."
        )
    if unknown_column and not labels_column:
        raise click.UsageError("--unknown-column names a column of label sets: it needs "
                               "--labels-column (for files with one column per label, use "
                               "--unknown-value).")
    if scores_are_logits and scores is None:
        raise click.UsageError("--scores-are-logits needs --scores.")
    if propensity_from and scores is None:
        raise click.UsageError("--propensity-from adds the ps*_at_k metrics, which need "
                               "--scores.")
    if (train_pred or train_scores) and not train_true:
        raise click.UsageError("--train-pred/--train-scores need --train-true.")
    if train_true and not (train_pred or train_scores) or (train_pred and train_scores):
        raise click.UsageError("--train-true needs exactly one of --train-pred and --train-scores.")
    if beta <= 0 or beta != beta:
        raise click.UsageError(f"--beta {beta}: beta must be a positive number.")
    label_cols, excluded = O.check_columns(id_column, labels_column, label_columns,
                                           exclude_columns, labels or labels_file,
                                           weight_column, sep)
    if ci is not None:
        O.check_level_option(ci, "--ci")
    ks = O.cutoffs(cutoffs)
    if scores is None and O.cutoffs(cutoffs) != D.CUTOFFS:
        raise click.UsageError("--k sets the cutoffs of the *_at_k metrics, which need --scores.")
    gates = _parse_requirements(require, scores is not None, propensity_from is not None)
    wanted = [int(n.rsplit("_at_", 1)[1]) for n, _, _ in gates if lookup(n).group == "at_k"]
    ks = tuple(sorted(set(ks) | set(wanted)))  # a required precision_at_10 brings k=10
    layout = Layout(id_column=id_column, labels_column=labels_column, label_columns=label_cols,
                    exclude_columns=excluded, weight_column=weight_column, sep=sep,
                    input_format=input_format, delimiter=delimiter, encoding=encoding,
                    decimal=decimal, unknown=unknown_value, unknown_column=unknown_column)
    scoring = Scoring(threshold=threshold, ge=ge, logits=scores_are_logits,
                      zero_division=O.zero_division_value(zero_division), beta=beta,
                      propensity_from=propensity_from, propensity_a=propensity_a,
                      propensity_b=propensity_b, k=ks,
                      auc="binned" if auc_mode == "binned" else "exact",
                      auc_auto=auc_mode == "auto", bins=bins,
                      memory_limit=memory_size(memory_limit),
                      ci=ci, n_bootstrap=n_bootstrap, ci_method=ci_method, seed=seed,
                      calibration_bins=calibration_bins)
    _evaluate((true, pred, scores), (train_true, train_pred, train_scores), layout, scoring,
              labels=labels, labels_file=labels_file, bands_file=bands_file, gates=gates,
              allow_missing=allow_missing, output=(fmt, output, quiet), dask=dask_address,
              debug=debug)


@O.guarded
def _evaluate(files, train_files, layout: Layout, scoring: Scoring, *, labels, labels_file,
              bands_file, gates, allow_missing, output, dask=None):
    if labels:
        layout.names = O._names(labels)
    elif labels_file:
        layout.names = O.read_names_file(labels_file)
    fmt, path, quiet = output
    show_progress = sys.stderr.isatty() and not quiet and fmt != "json"
    bands = _bands(bands_file)
    if dask is not None:
        if train_files[0] or bands_file:
            raise click.UsageError("--dask takes no --train-* files or --bands.")
        if layout.unknown is not None or layout.unknown_column is not None:
            raise click.UsageError(
                "--unknown-value and --unknown-column read CSV-like files on this machine; "
                "with --dask, call labelwise.dask.evaluate(..., unknown=-1) on the Parquet "
                "data instead (-1, or NaN with unknown='nan', in the truth's label columns).")
        from . import on_dask

        names = layout.names or layout.label_columns
        thr = D.THRESHOLD
        if scoring.threshold is not None:
            if names is None and not _is_number(scoring.threshold):
                raise click.UsageError("--dask with a thresholds file needs the label names "
                                       "(--labels, --labels-file or --label-columns).")
            thr = O.threshold_value(scoring.threshold, tuple(names or ()))
        report, thresholds, inputs = on_dask.run(dask, *files, layout, scoring, thr,
                                                 allow_missing=allow_missing)
        _emit(report, thresholds, inputs, fmt, path, quiet)
        sys.exit(_gate(report, gates))
    for f in files:
        if f is not None and f != "-" and Path(f).is_dir():
            raise InputError(f"{f} is a directory: give a file (--dask reads directories of "
                             "Parquet partitions).")
    train = None
    if train_files[0]:  # --labels-column may then fit the training or the test files only
        train = run(*train_files, layout, replace(scoring, ci=None),
                    allow_missing=allow_missing,
                    show_progress=show_progress, bands=bands, own_labels_column=False)[0]
    report, thresholds, inputs = run(
        *files, layout, scoring, allow_missing=allow_missing, show_progress=show_progress,
        train=train, bands=bands, own_labels_column=train is None,
    )
    if train is not None:
        inputs["train"] = {"truth": train_files[0],
                           "predictions": train_files[1] or train_files[2]}
    _emit(report, thresholds, inputs, fmt, path, quiet)
    sys.exit(_gate(report, gates))


def _emit(report, thresholds, inputs, fmt, output, quiet) -> None:
    if fmt == "json":
        text = report.to_json(thresholds=thresholds, inputs=inputs)
    elif fmt == "markdown":
        text = report.to_markdown()
    elif fmt == "html":
        text = report.to_html(inputs=inputs)
    elif output or not sys.stdout.isatty():
        text = report.to_text()  # files, pipes and logs get plain fixed-width tables
    else:
        text = None
    if output:
        Path(output).write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    elif quiet:
        return
    elif text is not None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        report.to_rich()
    for note in inputs.get("notes", []):
        click.echo(f"note: {note}", err=True)
    rows = inputs["rows"]
    if rows["left_out"]:
        click.echo(
            f"note: --allow-missing: evaluated the {rows['matched']} matched rows; left out "
            + ", ".join(f"{v} ({k})" for k, v in rows["left_out"].items()) + ".",
            err=True,
        )


def _gate(report, gates) -> int:
    failed = 0
    for name, op, bound in gates:
        if name not in report.metrics:
            click.echo(f"labelwise: error: --require {name}: the report has no {name}: these "
                       "inputs do not define it (e.g. k above the number of labels, or a "
                       "per-label average of sparse scores).", err=True)
            return 2
        value = report.metrics[name]
        if not (value == value and _OPS[op](value, bound)):
            click.echo(f"requirement failed: {name} = {value:.4f}, required {op} {bound:g}",
                       err=True)
            failed += 1
    return 1 if failed else 0
