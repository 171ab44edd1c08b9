"""Report: plain data about one evaluation, plus renderers.

A :class:`Report` holds numbers; it computes nothing itself. Renderers turn it
into text (``str(report)``) or a plain dict (``report.to_dict()``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Any, Iterator, NamedTuple

import numpy as np

from ._validate import AVERAGES
from .counts import Counts
from .registry import AT_K_FAMILIES, REGISTRY, lookup

__all__ = ["Report", "PerLabelTable", "ScoreSource", "safe_label"]


class ScoreSource(NamedTuple):
    """The scores a report was made from, for the plots that need them (curves,
    reliability): kept by reference, never copied.

    Attributes
    ----------
    y_true : scipy.sparse.csr_matrix of bool, shape (n, n_labels)
    scores : ndarray of shape (n, n_labels)
    sample_weight : ndarray of shape (n,) or None
    threshold : float or ndarray of shape (n_labels,)
        The threshold applied (on the scale of ``scores``).
    inclusive : bool
        Whether ``score >= threshold`` predicts (else ``>``).
    """

    y_true: Any
    scores: Any
    sample_weight: Any
    threshold: Any
    inclusive: bool

COUNT_COLUMNS = ("support", "tp", "fp", "fn", "tn")


def safe_label(name: Any, width: int | None = None) -> str:
    """Render a label name on one line: control characters escaped, long names cut.

    Examples
    --------
    >>> safe_label("bad\\nname")
    'bad\\\\nname'
    >>> safe_label("a" * 12, width=8)
    'aaaaaaa…'
    """
    text = str(name)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


class PerLabelTable:
    """Per-label results, one row per label, in column order of the input.

    Columns are ``label``, ``support``, ``tp``, ``fp``, ``fn``, ``tn`` and one
    column per metric family (``precision``, ``recall``, ``f1``, ...).
    ``table["f1"]`` gives a column as an array; iterating gives one dict per label.
    """

    def __init__(self, columns: dict[str, Any]):
        self._columns = columns

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self._columns)

    def __getitem__(self, column: str) -> np.ndarray:
        try:
            return self._columns[column]
        except KeyError:
            raise KeyError(
                f"no column {column!r}; columns are {', '.join(self._columns)}"
            ) from None

    def __len__(self) -> int:
        return len(self._columns["label"])

    def __iter__(self) -> Iterator[dict]:
        return iter(self.to_records())

    def to_records(self) -> list[dict]:
        """One plain-Python dict per label."""
        names = self.columns
        cols = [_plain_list(self._columns[c]) for c in names]
        return [dict(zip(names, row)) for row in zip(*cols)]

    def to_pandas(self):
        """The table as a :class:`pandas.DataFrame` (pandas must be installed)."""
        import pandas as pd

        return pd.DataFrame({c: self._columns[c] for c in self.columns})

    def to_polars(self):
        """The table as a :class:`polars.DataFrame` (polars must be installed)."""
        from .export import per_label_polars

        return per_label_polars(self)

    def __repr__(self) -> str:
        return f"PerLabelTable({len(self)} labels; columns: {', '.join(self.columns)})"


def _plain_list(values) -> list:
    return [v.item() if isinstance(v, np.generic) else v for v in values]


@dataclass(frozen=True, eq=False)
class Report:
    """The result of :func:`labelwise.evaluate` (or :meth:`labelwise.Accumulator.report`):
    frozen data, built once with its findings, and rendered by its ``to_*`` methods.

    Attributes
    ----------
    metrics : dict
        Registry name to value, e.g. ``report.metrics["f1_micro"]``.
    per_label : PerLabelTable
    labels : tuple
    counts : Counts
    params : dict
        How the numbers were made (threshold, zero_division, beta, ...).
    undefined : dict
        Metric name to the labels for which it is undefined and which the
        averages leave out, e.g. ``{"roc_auc": ["rare"]}``.
    findings : tuple of Finding
        Pitfalls detected (see :mod:`labelwise.diagnose`), most severe first.
    interpretation : dict
        Metric name to ``"good"``, ``"fair"`` or ``"bad"`` (a rule of thumb).
    ci : dict
        Metric name to its bootstrap confidence interval ``(low, high)``, when
        intervals were asked for (``evaluate(..., ci=0.95)``); ``params`` then
        says how they were made (``ci``, ``ci_method``, ``n_bootstrap``, ``seed``).
    scores : ScoreSource or None
        The dense scores behind the report (by reference), for its plots; None for
        hard predictions, sparse or top-k scores, or binned ROC-AUC.
    mlcm : ndarray or None
        The multi-label confusion matrix (``evaluate(..., mlcm=True)``): rows are the
        true labels then "no true label", columns the predicted labels then "no
        predicted label" (see :func:`labelwise.metrics.mlcm`).
    train : dict or None
        The same model's metrics on its training data, when ``train=`` was given
        (the overfitting finding compares them); the HTML report shows them beside
        these.
    """

    metrics: dict[str, float]
    per_label: PerLabelTable
    labels: tuple
    counts: Counts
    params: dict = field(default_factory=dict)
    undefined: dict = field(default_factory=dict)
    findings: tuple = ()
    interpretation: dict = field(default_factory=dict)
    ci: dict = field(default_factory=dict)
    scores: ScoreSource | None = field(default=None, repr=False, compare=False)
    mlcm: np.ndarray | None = field(default=None, repr=False, compare=False)
    train: dict | None = field(default=None, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "findings", tuple(self.findings))

    @property
    def n_samples(self) -> int:
        return self.counts.n_samples

    @property
    def n_labels(self) -> int:
        return self.counts.n_labels

    def __getitem__(self, name: str) -> float:
        try:
            return self.metrics[name]
        except KeyError:
            raise KeyError(
                f"no metric {name!r} in this report; available: {', '.join(self.metrics)}"
            ) from None

    def __contains__(self, name: str) -> bool:
        return name in self.metrics

    def to_dict(self) -> dict:
        """Plain data: ``n_samples``, ``n_labels``, ``labels``, ``metrics``, ``per_label``,
        ``params``, ``undefined``, ``findings``, ``interpretation`` and ``ci``."""
        return {
            "n_samples": int(self.n_samples),
            "n_labels": int(self.n_labels),
            "labels": _plain_list(self.labels),
            "metrics": {k: float(v) for k, v in self.metrics.items()},
            "per_label": self.per_label.to_records(),
            "params": dict(self.params),
            "undefined": {k: _plain_list(v) for k, v in self.undefined.items()},
            "findings": [f.to_dict() for f in self.findings],
            "interpretation": dict(self.interpretation),
            "ci": {k: [float(lo), float(hi)] for k, (lo, hi) in self.ci.items()},
            **({} if self.mlcm is None else {"mlcm": np.asarray(self.mlcm).tolist()}),
        }

    def to_flat_dict(self, prefix: str = "", *, per_label=False, ci: bool = False, nan="omit",
                     sep: str = "/") -> dict:
        """``{name: float}`` for a tracker (``mlflow.log_metrics``, ``wandb.log``, ...);
        NaN values are left out unless ``nan="keep"`` (or a number to put in their place).
        See :func:`labelwise.export.to_flat_dict`.

        >>> import labelwise
        >>> labelwise.evaluate([[1, 0], [0, 1]], [[1, 0], [1, 1]]).to_flat_dict("val/")["val/f1_micro"]
        0.8
        """
        from .export import to_flat_dict

        return to_flat_dict(self, prefix, per_label=per_label, ci=ci, nan=nan, sep=sep)

    def to_pandas(self):
        """One row per metric as a :class:`pandas.DataFrame`: ``metric``, ``value``,
        ``direction``, ``reading``, ``family``, ``average``, ``k``, and ``ci_low``/``ci_high``
        when the report has intervals. See :func:`labelwise.export.to_pandas`."""
        from .export import to_pandas

        return to_pandas(self)

    def to_polars(self):
        """:meth:`to_pandas` as a :class:`polars.DataFrame` (polars must be installed)."""
        from .export import to_polars

        return to_polars(self)

    def with_findings(self, *findings) -> "Report":
        """The same report with ``findings`` added after its own."""
        return replace(self, findings=self.findings + tuple(f for f in findings if f))

    def to_text(self) -> str:
        """A plain-text rendering: one fixed-width table per section."""
        return render_text(self)

    def to_markdown(self) -> str:
        """A Markdown rendering for pull requests: one table per section."""
        return render_markdown(self)

    def to_json(self, *, indent: int | None = 2, **extra) -> str:
        """JSON text of :meth:`to_json_data`, as ``labelwise evaluate --format json``
        prints it (NaN and infinities as null)."""
        return json.dumps(self.to_json_data(**extra), indent=indent)

    def to_json_data(self, **extra) -> dict:
        """:meth:`to_dict` made JSON-safe, plus ``thresholds`` and ``inputs`` (given
        by the command line); the layout is ``labelwise/schema/report.schema.json``."""
        return to_json_dict(self, **extra)

    def to_rich(self, console=None) -> None:
        """Print the report to a rich console (a new one on standard output by default)."""
        if console is None:
            from rich.console import Console

            console = Console()
        render_rich(self, console)

    def to_html(self, *, title: str | None = None, inputs: dict | None = None,
                other: "Report | None" = None, names=None) -> str:
        """A self-contained HTML page: a data summary, the headline metrics as cards,
        the findings, figures (inline SVG), every metric table and a sortable
        per-label table. Nothing is fetched from the network when it is opened.

        With ``other``, the page shows this report and ``other`` side by side (the
        page of :meth:`labelwise.Comparison.to_html`): each model's cards and
        findings, the values and their differences, a per-label table of F1,
        precision and recall of both with their differences, and figures (each
        label's F1 under one model against the other; the micro precision-recall
        curves when both have scores; labels per sample). The differences are not
        tested: :func:`labelwise.compare` gives them intervals and p-values.

        Parameters
        ----------
        title : str, optional
            The page title (default ``"labelwise report"``, or ``"labelwise: A
            against B"`` with ``other``).
        inputs : dict, optional
            The files the report came from, as the command line gives them
            (``{"truth": ..., "predictions": ...}``); shown in the header. With
            ``other``: ``{"truth": ..., "models": {name: path}}``.
        other : Report, optional
            A second report over the same labels (another model on the same data,
            or the same model on other data), drawn beside this one.
        names : tuple of two str, optional
            The names of this report and of ``other`` (default ``("A", "B")``).

        Returns
        -------
        str
            The page; label, model and file names are escaped.

        Raises
        ------
        labelwise.InputError
            If ``other`` is not a Report or covers other labels, if ``names`` is
            not two different strings, or if ``names`` comes without ``other``.

        Examples
        --------
        >>> import labelwise
        >>> y = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]]
        >>> tuned = labelwise.evaluate(y, [[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
        >>> base = labelwise.evaluate(y, [[1, 0, 0], [0, 1, 1], [0, 1, 0], [1, 0, 1]])
        >>> page = tuned.to_html(other=base, names=("tuned", "baseline"))
        >>> page.startswith("<!DOCTYPE html>"), "<title>labelwise: tuned against baseline</title>" in page
        (True, True)
        >>> f"{tuned['f1_micro'] - base['f1_micro']:+.4f}" in page  # the difference table
        True
        """
        from .html_report import render_html

        return render_html(self, title=title, inputs=inputs, other=other, names=names)

    def save(self, path, *, title: str | None = None, inputs: dict | None = None,
             other: "Report | None" = None, names=None):
        """Write the report to ``path`` in the format its suffix names: ``.html``
        (:meth:`to_html`), ``.json`` (:meth:`to_json`) or ``.md`` (:meth:`to_markdown`).

        Returns the path written (a :class:`pathlib.Path`); any other suffix raises
        :class:`labelwise.InputError`. ``other`` and ``names`` put a second report
        beside this one, as in :meth:`to_html` (``.html`` only).
        """
        from .html_report import save_report

        return save_report(self, path, title=title, inputs=inputs, other=other, names=names)

    def _repr_html_(self) -> str:
        """A compact HTML rendering for notebooks: cards, findings, per-label table."""
        from .html_report import render_html

        return render_html(self, compact=True)

    def __str__(self) -> str:
        return render_text(self)

    def __repr__(self) -> str:
        return f"<Report: {self.n_samples} samples, {self.n_labels} labels, {len(self.metrics)} metrics>"


# --------------------------------------------------------------------------
# Text rendering
# --------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.4f}"


def _fmt_ci(r: "Report", name: str) -> str:
    """The value, with its interval when the report has one: ``0.4620 [0.4470, 0.4780]``."""
    value = _fmt(r.metrics[name])
    if name not in r.ci:
        return value
    lo, hi = r.ci[name]
    return f"{value} [{_fmt(lo)}, {_fmt(hi)}]"


def _describe_params(p: dict) -> str:
    parts = []
    if "threshold" in p:
        thr = p["threshold"]
        rule = ">=" if p.get("inclusive") else ">"
        shown = f"{thr:g}" if isinstance(thr, float) else "per label"
        parts.append(f"predicted when score {rule} {shown}")
    parts.append(f"zero_division={p.get('zero_division')}")
    parts.append(f"fbeta beta={p.get('beta'):g}")
    if p.get("weighted"):
        parts.append("sample-weighted")
    unknown = p.get("unknown")
    if unknown:
        none = unknown.get("samples_without_known", 0)
        parts.append(f"{unknown['entries']:,} unknown truth entries ({unknown['fraction']:.1%})"
                     " left out" + (f", {none:,} sample(s) with no known entry" if none else ""))
    if p.get("ci"):
        method = {"bca": "BCa", "percentile": "percentile", "poisson": "Poisson"}.get(
            p.get("ci_method"), p.get("ci_method"))
        parts.append(f"{p['ci']:.0%} {method} intervals from {p.get('n_bootstrap')} "
                     f"bootstrap replicates, seed {p.get('seed')}")
    return ", ".join(parts)


@dataclass
class Section:
    """One table of a rendered report: a title, a header row and rows of text cells."""

    title: str
    header: list
    rows: list


_STRICT = {"subset_accuracy": " (strict: one wrong label fails the sample)"}


def _value_rows(r: Report, names) -> list:
    rows = []
    for n in names:
        hint = "" if REGISTRY[n].higher_is_better else " (lower is better)"
        reading = r.interpretation.get(n, "")
        reading += _STRICT.get(n, "") if reading else ""
        rows.append([n + hint, _fmt_ci(r, n), reading])
    return rows


def _grid(r: Report, metrics, row_of, columns, column_of) -> list:
    """Rows of a table of ``metrics``: one per distinct ``row_of(m)`` in the order met,
    one cell per column (``column_of(m)`` says which), blank where a metric is absent."""
    cells: dict = {}
    for m in metrics:
        cells.setdefault(row_of(m), {})[column_of(m)] = _fmt_ci(r, m.name)
    return [[row] + [found.get(c, "") for c in columns]
            for row, found in cells.items()]


def sections(r: Report) -> list[Section]:
    """The report laid out as tables; every renderer draws these.

    Sections and rows follow the registry's fields: the example-based metrics,
    a family by average grid of the threshold metrics, the ranking metrics, a
    family by average grid of ROC-AUC and AP, the calibration of probabilities,
    and a family by cutoff grid of the @k metrics, then the per-label table.

    Examples
    --------
    >>> import labelwise
    >>> r = labelwise.evaluate([[1, 0, 1], [0, 1, 1]], y_score=[[0.9, 0.2, 0.6], [0.3, 0.8, 0.4]],
    ...                        k=(1, 2))
    >>> [s.title for s in sections(r)]  # doctest: +NORMALIZE_WHITESPACE
    ['Example-based', 'Label-based', 'Ranking (from scores)', 'Score-based',
     'Calibration (from probabilities)', 'At k', 'Per label (by support)']
    >>> at_k = sections(r)[5]
    >>> at_k.header, at_k.rows[0]
    (['metric', '@1', '@2'], ['precision', '1.0000', '1.0000'])
    """
    present = [m for m in REGISTRY.values() if m.name in r.metrics and m.k is None]
    threshold = [m for m in present if not m.needs_scores]
    scored = [m for m in present if m.needs_scores]
    by_family, by_average = attrgetter("family"), attrgetter("average")
    out = [Section("Example-based", ["metric", "value", "reading"],
                   _value_rows(r, [m.name for m in threshold if m.average is None]))]
    out.append(Section("Label-based", ["metric", *AVERAGES],
                       _grid(r, [m for m in threshold if m.average is not None], by_family,
                             AVERAGES, by_average)))
    calibration = [m.name for m in scored if m.group == "calibration"]
    scored = [m for m in scored if m.group != "calibration"]
    ranking = [m.name for m in scored if m.average is None]
    if ranking:
        out.append(Section("Ranking (from scores)", ["metric", "value", "reading"],
                           _value_rows(r, ranking)))
    curves = _grid(r, [m for m in scored if m.average is not None], by_family, AVERAGES,
                   by_average)
    if curves:
        out.append(Section("Score-based", ["metric", *AVERAGES], curves))
    if calibration:
        out.append(Section("Calibration (from probabilities)", ["metric", "value", "reading"],
                           _value_rows(r, calibration)))
    # any cutoff: the registry lists only the default ones; rows in the report's order
    at_k = [m for m in map(lookup, r.metrics) if m is not None and m.k is not None]
    if at_k:
        ks = sorted({m.k for m in at_k})
        out.append(Section("At k", ["metric", *(f"@{k}" for k in ks)],
                           _grid(r, at_k, lambda m: AT_K_FAMILIES[m.family].prefix, ks,
                                 attrgetter("k"))))
    out.append(_per_label_section(r.per_label))
    return out


def _per_label_section(t: PerLabelTable) -> Section:
    fams = [c for c in t.columns if c not in ("label",) + COUNT_COLUMNS]
    rows = []
    for i in np.argsort(-np.asarray(t["support"], dtype=float), kind="stable"):
        row = [safe_label(t["label"][i], 32)]
        for c in COUNT_COLUMNS:
            v = float(t[c][i])
            row.append(f"{int(v)}" if v.is_integer() else f"{v:.2f}")
        row += [_fmt(float(t[c][i])) for c in fams]
        rows.append(row)
    return Section("Per label (by support)", ["label", *COUNT_COLUMNS, *map(_short, fams)], rows)


def finding_lines(r: Report) -> list[tuple[str, str, str]]:
    """(severity, "code: message", suggestion) for each finding, label names made safe."""
    return [(f.severity, f"{f.code}: {safe_label(f.message)}", safe_label(f.suggestion))
            for f in r.findings]


def _notes(r: Report) -> list[str]:
    out = []
    for name, labs in r.undefined.items():
        shown = ", ".join(safe_label(x, 24) for x in labs[:10]) + (" ..." if len(labs) > 10 else "")
        out.append(f"note: {name} is undefined for {len(labs)} label(s) whose truth is constant "
                   f"({shown}); averages leave them out.")
    left_out = r.params.get("ci_left_out") or []
    calibration = [n for n in left_out if getattr(lookup(n), "group", None) == "calibration"]
    left_out = [n for n in left_out if n not in calibration]
    if calibration:
        out.append(f"note: no interval for {', '.join(calibration)}: the bootstrap does not "
                   "resample the calibration bins yet.")
    if left_out:
        why = ("the Poisson bootstrap keeps no scores" if r.params.get("ci_method") == "poisson"
               else "the scores were not kept (binned or sparse scores)")
        out.append(f"note: no interval for {', '.join(left_out)}: they need every score, and "
                   f"{why}; ci_method='bca' or 'percentile' with exact scores gives them one.")
    shares = r.params.get("ci_undefined") or {}
    if shares:
        worst = max(shares, key=shares.get)
        out.append(
            f"note: in up to {shares[worst]:.1%} of the bootstrap replicates ({worst}; "
            f"{len(shares)} metric(s) in all), a label or the pooled counts had no positive, "
            "no prediction or no negative, so zero_division (or, for ROC-AUC, leaving the "
            "label out) set its value; those intervals include that rule's effect. More "
            "test samples of the rare labels narrow it.")
    return out


def label_summary(labels, limit: int = 20) -> str:
    """The labels a report covers, made safe: all of them up to ``limit``, else the first few.

    >>> label_summary(["joy", "calm"])
    'labels: joy, calm'
    >>> label_summary([f"l{j}" for j in range(4000)])
    'labels: 4000 (l0, l1, l2, l3, l4, ...)'
    """
    names = [safe_label(x, 30) for x in list(labels[: limit + 1])]
    if len(labels) <= limit:
        return "labels: " + ", ".join(names)
    return f"labels: {len(labels)} ({', '.join(names[:5])}, ...)"


def render_text(r: Report) -> str:
    """A plain-text rendering: one fixed-width table per section."""
    lines = [f"labelwise report: {r.n_samples} samples, {r.n_labels} labels",
             f"  ({_describe_params(r.params)})", f"  {label_summary(r.labels)}"]
    for sec in sections(r):
        widths = [max(len(str(x)) for x in col) for col in zip(sec.header, *sec.rows)]
        lines += ["", sec.title]
        for k, row in enumerate([sec.header, *sec.rows]):
            cells = [f"{c:<{w}}" if j == 0 or sec.header[j] == "reading" else f"{c:>{w}}"
                     for j, (c, w) in enumerate(zip(row, widths))]
            lines.append("  " + "  ".join(cells).rstrip())
    if r.findings:
        lines += ["", "Findings"]
        for sev, text, fix in finding_lines(r):
            lines += [f"  [{sev}] {text}", f"      what to do: {fix}"]
    notes = _notes(r)
    lines += ["", *notes] if notes else []
    return "\n".join(lines)


# --------------------------------------------------------------------------
# JSON, Markdown and rich renderings
# --------------------------------------------------------------------------


def _json_safe(x):
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def to_json_dict(r: Report, **extra) -> dict:
    """``r.to_dict()`` plus ``findings``, ``thresholds`` and ``inputs``, with NaN as null.

    The layout is described by ``labelwise/schema/report.schema.json``.
    """
    d = r.to_dict()
    d.setdefault("findings", [])
    d["thresholds"] = extra.pop("thresholds", None)
    d["inputs"] = extra.pop("inputs", None)
    d.update(extra)
    return _json_safe(d)


def _md_cell(text: str) -> str:
    return safe_label(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(r: Report) -> str:
    """A Markdown rendering for pull requests: one table per section."""
    out = [f"**labelwise report**: {r.n_samples} samples, {r.n_labels} labels "
           f"({_md_cell(_describe_params(r.params))})", "", _md_cell(label_summary(r.labels))]
    for sec in sections(r):
        out += ["", f"**{sec.title}**", "",
                "| " + " | ".join(_md_cell(h) for h in sec.header) + " |",
                "|---" + "|---:" * (len(sec.header) - 1) + "|"]
        out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in sec.rows]
    if r.findings:
        out += ["", "**Findings**", ""]
        out += [f"- **{sev}** {_md_cell(text)} *What to do:* {_md_cell(fix)}"
                for sev, text, fix in finding_lines(r)]
    notes = _notes(r)
    out += ["", *(_md_cell(n) for n in notes)] if notes else []
    return "\n".join(out) + "\n"


_READING_STYLE = {"good": "green", "fair": "yellow", "bad": "red"}
_SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "critical": "bold red"}


def render_rich(r: Report, console) -> None:
    """Print ``r`` to a rich console: one table per section."""
    from rich.markup import escape
    from rich.table import Table

    console.print(f"[bold]labelwise report[/]: {r.n_samples} samples, {r.n_labels} labels "
                  f"({escape(_describe_params(r.params))})")
    console.print(f"[dim]{escape(label_summary(r.labels))}[/]")
    for sec in sections(r):
        table = Table(title=sec.title, title_justify="left", header_style="bold")
        for j, h in enumerate(sec.header):
            table.add_column(escape(h), justify="left" if j == 0 or h == "reading" else "right")
        for row in sec.rows:
            styled = [escape(c) for c in row]
            if "reading" in sec.header:
                k = sec.header.index("reading")
                styled[k] = f"[{_READING_STYLE.get(row[k].split(' ')[0], '')}]{styled[k]}[/]" \
                    if row[k] else ""
            table.add_row(*styled)
        console.print(table)
    for sev, text, fix in finding_lines(r):
        console.print(f"[{_SEVERITY_STYLE[sev]}]{sev}[/] {escape(text)}")
        console.print(f"    [dim]what to do:[/] {escape(fix)}")
    for note in _notes(r):
        console.print(f"[yellow]{escape(note)}[/]")


def _short(column: str) -> str:
    return {
        "balanced_accuracy": "bal_acc",
        "specificity": "specif",
        "precision": "prec",
        "roc_auc": "auc",
        "average_precision": "ap",
    }.get(column, column)
