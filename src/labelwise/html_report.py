"""The HTML rendering of a :class:`~labelwise.report.Report`: one self-contained file.

The page holds a data summary, the headline metrics as cards (coloured by their
reading, with their intervals), the findings, figures drawn by
:mod:`labelwise.plots` as inline SVG, the metric tables of
:func:`labelwise.report.sections` and a sortable per-label table. Everything is
in the one file: no script, style sheet, font or image is fetched from anywhere.

Label and file names are untrusted text: the template escapes every value
(autoescaping), including inside attributes, and matplotlib escapes the text it
writes into the figures.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .errors import InputError
from .registry import REGISTRY
from .report import (
    COUNT_COLUMNS,
    Report,
    _describe_params,
    _fmt,
    _notes,
    safe_label,
    sections,
)

__all__ = ["render_html", "save_report", "HEADLINE", "SCORE_HEADLINE", "TABLE_ENDS",
           "SAVE_FORMATS"]

#: Metrics shown as cards, in order; the second group needs scores.
HEADLINE = ("subset_accuracy", "hamming_loss", "f1_micro", "f1_macro", "f1_samples")
SCORE_HEADLINE = ("roc_auc_macro", "average_precision_macro", "label_ranking_average_precision",
                  "precision_at_1")

#: With more than twice this many labels, the per-label table shows this many labels of
#: highest and this many of lowest support, and one row summing up the others.
TABLE_ENDS = 100
COMPACT_ENDS = 10

#: File suffixes :func:`save_report` knows.
SAVE_FORMATS = (".html", ".json", ".md")

_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
_LABEL_WIDTH = 48

_ENV = None


def _env():
    global _ENV
    if _ENV is None:
        import jinja2

        _ENV = jinja2.Environment(
            loader=jinja2.PackageLoader("labelwise", "templates"),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"),
                                                default_for_string=True, default=True),
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
    return _ENV


# --------------------------------------------------------------------------
# The parts of the page
# --------------------------------------------------------------------------


def _summary(r: Report, inputs: dict | None) -> dict:
    c = r.counts
    total = float(c.total_weight)
    w = np.asarray(c.row_weight, dtype=np.float64)
    card = float((np.asarray(c.row_true) * w).sum() / total) if total else float("nan")
    pred = float((np.asarray(c.row_pred) * w).sum() / total) if total else float("nan")
    L = r.n_labels
    items = [("samples", f"{r.n_samples:,}")]
    if r.params.get("weighted"):
        items.append(("total weight", f"{total:,.4g}"))
    items += [
        ("labels", f"{L:,}"),
        ("label cardinality", _fmt(card) + " true labels per sample"),
        ("label density", _fmt(card / L) if L else "nan"),
        ("predicted cardinality", _fmt(pred) + " predicted labels per sample"),
    ]
    files = []
    for key, name in (("truth", "truth"), ("predictions", "predictions"), ("scores", "scores")):
        if inputs and inputs.get(key) is not None:
            files.append((name, safe_label(inputs[key])))
    if inputs and inputs.get("kind") and files:
        files.append(("kind", safe_label(inputs["kind"])))
    return {"items": items, "files": files, "params": _describe_params(r.params)}


def _cards(r: Report) -> list[dict]:
    out = []
    for n in HEADLINE + SCORE_HEADLINE:
        if n not in r.metrics:
            continue
        entry = REGISTRY.get(n)
        ci = r.ci.get(n)
        out.append({
            "name": n,
            "value": _fmt(float(r.metrics[n])),
            "reading": r.interpretation.get(n, ""),
            "lower": entry is not None and not entry.higher_is_better,
            "ci": None if ci is None else f"[{_fmt(float(ci[0]))}, {_fmt(float(ci[1]))}]",
        })
    return out


def _findings(r: Report) -> list[dict]:
    ranked = sorted(r.findings, key=lambda f: _SEVERITY_RANK.get(f.severity, 3))
    return [{"severity": f.severity, "code": f.code, "message": safe_label(f.message),
             "suggestion": safe_label(f.suggestion)} for f in ranked]


def _metric_tables(r: Report) -> list[dict]:
    out = []
    for sec in sections(r):
        if sec.title.startswith("Per label"):
            continue  # the page has its own, sortable per-label table
        reading = sec.header.index("reading") if "reading" in sec.header else None
        rows = []
        for row in sec.rows:
            cells = []
            for j, text in enumerate(row):
                kind = "name" if j == 0 else "reading" if j == reading else "num"
                tone = text.split(" ")[0] if j == reading and text else ""
                cells.append({"text": text, "kind": kind, "tone": tone})
            rows.append(cells)
        out.append({"title": sec.title, "header": sec.header, "rows": rows})
    return out


def _number(v: float, digits: int = 4) -> tuple[str, str]:
    """(shown text, sort key) of one cell."""
    v = float(v)
    if math.isnan(v):
        return "nan", ""
    if v.is_integer() and digits == 0:
        return f"{int(v)}", f"{int(v)}"
    text = f"{v:.{digits}f}" if digits else f"{v:.2f}"
    return text, repr(v)


def _per_label(r: Report, ends: int) -> dict:
    t = r.per_label
    L = len(t)
    metric_cols = [c for c in ("precision", "recall", "f1", "roc_auc", "average_precision")
                   if c in t.columns]
    thr = r.params.get("threshold")
    per_label_thr = isinstance(thr, (list, tuple, np.ndarray)) and len(thr) == L
    columns = ([("label", "label", "text")]
               + [(c, c, "num") for c in ("support", "tp", "fp", "fn")]
               + [(c, c.replace("_", " "), "num") for c in metric_cols]
               + ([("threshold", "threshold", "num")] if per_label_thr else []))
    support = np.asarray(t["support"], dtype=np.float64)
    order = np.argsort(-support, kind="stable")
    if L > 2 * ends:
        shown, rest = np.r_[order[:ends], order[-ends:]], order[ends:-ends]
    else:
        shown, rest = order, order[:0]
    counts = {c: np.asarray(t[c], dtype=np.float64) for c in COUNT_COLUMNS}
    metrics = {c: np.asarray(t[c], dtype=np.float64) for c in metric_cols}
    thresholds = np.asarray(thr, dtype=np.float64) if per_label_thr else None

    def cells_of(values: dict) -> list[dict]:
        out = []
        for c in ("support", "tp", "fp", "fn"):
            text, key = _number(values[c], 0)
            out.append({"text": text, "key": key, "bar": None})
        for c in metric_cols:
            text, key = _number(values[c])
            bar = None if key == "" or c in ("roc_auc",) else min(max(float(key), 0.0), 1.0)
            out.append({"text": text, "key": key, "bar": None if bar is None else f"{bar:.3f}"})
        if thresholds is not None:
            text, key = _number(values["threshold"])
            out.append({"text": text, "key": key, "bar": None})
        return out

    rows = []
    for i in shown:
        values = {c: counts[c][i] for c in COUNT_COLUMNS}
        values.update({c: metrics[c][i] for c in metric_cols})
        if thresholds is not None:
            values["threshold"] = thresholds[i]
        name = str(t["label"][i])
        rows.append({"label": safe_label(name, _LABEL_WIDTH), "full": safe_label(name),
                     "cells": cells_of(values)})
    footer = None
    if rest.size:
        values = {c: counts[c][rest].sum() for c in COUNT_COLUMNS}
        for c in metric_cols:
            col = metrics[c][rest]
            values[c] = float(np.nanmean(col)) if np.isfinite(col).any() else float("nan")
        if thresholds is not None:
            values["threshold"] = float(np.nanmean(thresholds[rest]))
        footer = {"label": f"{rest.size:,} more labels",
                  "range": (f"support {_number(support[rest].min(), 0)[0]} to "
                            f"{_number(support[rest].max(), 0)[0]}"),
                  "cells": cells_of(values)}
    note = None
    if footer:
        note = (f"Showing the {ends} labels with the most positives and the {ends} with the "
                f"fewest, of {L:,}. The last row sums the counts of the other {rest.size:,} "
                "and averages their metrics (a plain mean over those labels). "
                "report.save(\"report.json\") keeps every label.")
    return {"columns": columns, "rows": rows, "footer": footer, "note": note}


def _plots(r: Report, notes: list) -> list:
    """The figures the report has data for; why one is left out goes to ``notes``."""
    from . import plots

    t = r.per_label
    f1 = np.asarray(t["f1"], dtype=np.float64)
    m = r.metrics
    out = [plots.f1_support(t["support"], f1, f1_micro=m.get("f1_micro"),
                            f1_macro=m.get("f1_macro"))]
    src = r.scores
    if src is not None:
        out.append(plots.pr_curves(src, r.labels, f1, precision_micro=m.get("precision_micro"),
                                   recall_micro=m.get("recall_micro")))
        out.append(plots.f1_threshold(src, r.params))
    matrix = mlcm_of(r)
    if matrix is not None:
        out.append(plots.mlcm_heatmap(matrix, r.labels))
    out.append(plots.cardinality(r.counts))
    if src is not None:
        out.append(plots.reliability(src))
    return [p for p in out if p is not None and (p.svg is not None or p.table)]


def mlcm_of(r: Report):
    """The report's MLCM (``evaluate(..., mlcm=True)``), else one counted from its scores
    as a sparse matrix (so at any number of labels), else None (hard labels without
    ``mlcm=True``: the report keeps no predictions)."""
    from . import plots

    if r.mlcm is not None:
        return r.mlcm
    src = r.scores
    if src is None:
        return None
    return plots.mlcm_sparse(src.y_true, plots.predictions(src), src.sample_weight)


def _train_rows(r: Report) -> list:
    """Headline metrics on the training data beside the evaluated data, when given."""
    if not r.train:
        return []
    rows = []
    for name in [*HEADLINE, *SCORE_HEADLINE]:
        if name in r.metrics and name in r.train:
            gap = r.metrics[name] - r.train[name]
            rows.append({"name": name, "train": _number(r.train[name])[0],
                         "test": _number(r.metrics[name])[0],
                         "gap": "" if math.isnan(gap) else f"{gap:+.4f}"})
    return rows


def context(r: Report, *, title=None, inputs=None, compact=False) -> dict:
    """Everything the template draws, as plain data."""
    from . import __version__

    ends = COMPACT_ENDS if compact else TABLE_ENDS
    plot_notes: list = []
    return {
        "title": safe_label(title) if title else "labelwise report",
        "compact": compact,
        "summary": _summary(r, inputs),
        "cards": _cards(r),
        "findings": _findings(r),
        "tables": [] if compact else _metric_tables(r),
        "notes": [] if compact else _notes(r),
        "per_label": _per_label(r, ends),
        "plots": [] if compact else _plots(r, plot_notes),
        "plot_notes": plot_notes,
        "train": _train_rows(r),
        "version": __version__,
        "ci_level": (f"{r.params['ci']:.0%} interval" if r.params.get("ci") else "interval"),
    }


def render_html(r: Report, *, title: str | None = None, inputs: dict | None = None,
                compact: bool = False) -> str:
    """The report as one HTML page (``compact``: a fragment without figures or metric
    tables, for notebooks)."""
    from markupsafe import Markup

    ctx = context(r, title=title, inputs=inputs, compact=compact)
    # figures are SVG text from matplotlib, which escapes the label names it draws
    ctx["plots"] = [p._replace(svg=Markup(p.svg) if p.svg else None) for p in ctx["plots"]]
    return _env().get_template("report.html.j2").render(**ctx)


def save_report(r: Report, path, *, title: str | None = None,
                inputs: dict | None = None) -> Path:
    """Write ``r`` to ``path`` in the format its suffix names (:data:`SAVE_FORMATS`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".html":
        text = render_html(r, title=title, inputs=inputs)
    elif suffix == ".json":
        text = r.to_json(inputs=inputs)
    elif suffix == ".md":
        text = r.to_markdown()
    else:
        raise InputError(f"cannot tell the format of {str(path)!r} from its suffix "
                         f"{path.suffix!r}: use one of {', '.join(SAVE_FORMATS)}.")
    path.write_text(text, encoding="utf-8")
    return path


def render_comparison_html(cmp, *, title: str | None = None) -> str:
    """A :class:`~labelwise.Comparison` as one self-contained HTML page: the metric by
    model table (best in bold, superscript letters of the models significantly worse)
    and every pairwise difference with its interval and p-value."""
    from . import __version__
    from .comparison import letters

    tags = letters(len(cmp.models))
    rows = []
    for x in cmp.metrics:
        best = cmp.best(x)
        cells = []
        for m in cmp.models:
            lo, hi = cmp.intervals[x][m]
            worse = "".join(tags[j] for j, o in enumerate(cmp.models)
                            if o != m and cmp.better(x, m, o))
            cells.append({"text": f"{cmp.values[x][m]:.4f} [{lo:.4f}, {hi:.4f}]",
                          "best": m == best, "worse": worse})
        rows.append({"metric": x, "cells": cells})
    differences = [{"metric": x, "a": a, "b": b, "diff": f"{d:+.4f}",
                    "interval": f"[{lo:+.4f}, {hi:+.4f}]", "p": f"{cmp.pvalues[(x, a, b)]:.4g}"}
                   for (x, a, b), (d, lo, hi) in cmp.differences.items()]
    return _env().get_template("comparison.html.j2").render(
        title=title or f"labelwise comparison of {len(cmp.models)} models",
        legend=cmp.legend(), version=__version__,
        models=[f"{t}: {m}" for t, m in zip(tags, cmp.models)], rows=rows,
        differences=differences)

