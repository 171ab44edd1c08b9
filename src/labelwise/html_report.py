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

__all__ = ["render_html", "save_report", "side_by_side_html", "render_comparison_html",
           "check_other", "HEADLINE", "SCORE_HEADLINE", "TABLE_ENDS", "SAVE_FORMATS"]

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
    unknown = r.params.get("unknown")
    if unknown:
        none = unknown.get("samples_without_known", 0)
        items.append(("unknown truth entries", f"{unknown['entries']:,} "
                      f"({unknown['fraction']:.1%}), left out"
                      + (f"; {none:,} sample(s) with none known" if none else "")))
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


#: per-label columns shown without a bar (not "higher is better" on [0, 1])
_NO_BAR = ("roc_auc", "ece", "brier", "unknown")
_TITLES = {"ece": "ECE", "brier": "Brier", "unknown": "unknown share"}


def _per_label(r: Report, ends: int) -> dict:
    t = r.per_label
    L = len(t)
    metric_cols = [c for c in ("precision", "recall", "f1", "roc_auc", "average_precision",
                               "ece", "brier", "unknown") if c in t.columns]
    thr = r.params.get("threshold")
    per_label_thr = isinstance(thr, (list, tuple, np.ndarray)) and len(thr) == L
    columns = ([("label", "label", "text")]
               + [(c, c, "num") for c in ("support", "tp", "fp", "fn")]
               + [(c, _TITLES.get(c, c.replace("_", " ")), "num") for c in metric_cols]
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
            bar = None if key == "" or c in _NO_BAR else min(max(float(key), 0.0), 1.0)
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
                compact: bool = False, other: Report | None = None, names=None) -> str:
    """The report as one HTML page (``compact``: a fragment without figures or metric
    tables, for notebooks); with ``other``, the two reports side by side
    (:func:`side_by_side_html`), named by ``names``."""
    from markupsafe import Markup

    if other is not None:
        names = check_other(r, other, names)
        return side_by_side_html({names[0]: r, names[1]: other}, title=title, inputs=inputs)
    if names is not None:
        raise InputError(f"names={names!r} names the two reports of a side-by-side page, but "
                         "other is not given: pass other=report_b as well, or leave out names.")
    ctx = context(r, title=title, inputs=inputs, compact=compact)
    # figures are SVG text from matplotlib, which escapes the label names it draws
    ctx["plots"] = [p._replace(svg=Markup(p.svg) if p.svg else None) for p in ctx["plots"]]
    return _env().get_template("report.html.j2").render(**ctx)


def save_report(r: Report, path, *, title: str | None = None,
                inputs: dict | None = None, other: Report | None = None, names=None) -> Path:
    """Write ``r`` to ``path`` in the format its suffix names (:data:`SAVE_FORMATS`);
    ``other`` and ``names`` as in :func:`render_html` (HTML only)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if (other is not None or names is not None) and suffix != ".html":
        raise InputError(f"other= and names= draw two reports side by side, which only the "
                         f"HTML report does, but {str(path)!r} ends in {path.suffix!r}: save "
                         "to a .html path, or save each report on its own.")
    if suffix == ".html":
        text = render_html(r, title=title, inputs=inputs, other=other, names=names)
    elif suffix == ".json":
        text = r.to_json(inputs=inputs)
    elif suffix == ".md":
        text = r.to_markdown()
    else:
        raise InputError(f"cannot tell the format of {str(path)!r} from its suffix "
                         f"{path.suffix!r}: use one of {', '.join(SAVE_FORMATS)}.")
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# Models side by side: a Comparison, or a report with another one
# --------------------------------------------------------------------------

#: The per-label metrics of the side-by-side table, each per model and as a difference.
PAIR_COLUMNS = ("f1", "precision", "recall")


def _tone(d: float, colours) -> dict:
    """A difference ``first - other`` coloured by the model it favours."""
    text, key = _number(d)
    if key and d != 0:
        text = f"{d:+.4f}"
    colour = colours[0] if key and d > 0 else colours[1] if key and d < 0 else None
    return {"text": text, "key": key, "bar": None, "colour": colour}


def _side_summary(reports: dict, tags: list, inputs: dict | None) -> dict:
    first = next(iter(reports.values()))
    base = _summary(first, None)
    items = [x for x in base["items"] if x[0] != "predicted cardinality"]
    sizes = {r.n_samples for r in reports.values()}
    if len(sizes) > 1:
        items = [x for x in items if x[0] not in ("samples", "label cardinality",
                                                  "label density", "total weight")]
        items[:0] = [(f"samples ({t})", f"{r.n_samples:,}")
                     for t, r in zip(tags, reports.values())]
    for t, r in zip(tags, reports.values()):
        c = r.counts
        total = float(c.total_weight)
        pred = (float((np.asarray(c.row_pred) * np.asarray(c.row_weight, dtype=np.float64)).sum()
                      / total) if total else float("nan"))
        items.append((f"predicted cardinality ({t})", _fmt(pred)))
    files = []
    if inputs:
        if inputs.get("truth") is not None:
            files.append(("truth", safe_label(inputs["truth"])))
        for (t, name) in zip(tags, reports):
            path = (inputs.get("models") or {}).get(name)
            if path is not None:
                files.append((f"{t}: {safe_label(name, 40)}", safe_label(path)))
    return {"items": items, "files": files,
            "params": [f"{t}: {_describe_params(r.params)}" for t, r in zip(tags, reports.values())]}


def _side_values(reports: dict, cmp, tags: list) -> tuple[list, list]:
    """The metric by model table (best in bold; with a comparison, the letters of the
    models each one is significantly better than) and the differences."""
    models = list(reports)
    colours = _colours(models)
    rows, differences = [], []
    if cmp is not None:
        for x in cmp.metrics:
            best = cmp.best(x)
            cells = []
            for m in models:
                lo, hi = cmp.intervals[x][m]
                worse = "".join(tags[j] for j, o in enumerate(models)
                                if o != m and cmp.better(x, m, o))
                cells.append({"text": f"{cmp.values[x][m]:.4f} [{lo:.4f}, {hi:.4f}]",
                              "best": m == best, "worse": worse})
            rows.append({"metric": x, "cells": cells})
        index = {m: t for m, t in zip(models, tags)}
        for (x, a, b), (d, lo, hi) in cmp.differences.items():
            winner = a if cmp.better(x, a, b) else b if cmp.better(x, b, a) else None
            verdict = (f"{index[winner]} better" if winner is not None
                       else "no significant difference")
            differences.append({
                "metric": x, "a": a, "b": b, "ta": index[a], "tb": index[b],
                "diff": f"{d:+.4f}", "interval": f"[{lo:+.4f}, {hi:+.4f}]",
                "p": f"{cmp.pvalues[(x, a, b)]:.4g}", "p_raw": f"{cmp.raw_pvalues[(x, a, b)]:.4g}",
                "verdict": verdict, "significant": winner is not None,
                "colour": None if winner is None else colours[models.index(winner)]})
        return rows, differences
    names = [n for n in HEADLINE + SCORE_HEADLINE
             if all(n in r.metrics for r in reports.values())]
    for x in names:
        entry = REGISTRY[x]
        vals = [float(reports[m].metrics[x]) for m in models]
        finite = [v for v in vals if not math.isnan(v)]
        best = (max if entry.higher_is_better else min)(finite) if finite else None
        cells = []
        for m, v in zip(models, vals):
            ci = reports[m].ci.get(x)
            text = _fmt(v) + ("" if ci is None else f" [{_fmt(ci[0])}, {_fmt(ci[1])}]")
            cells.append({"text": text, "best": best is not None and v == best
                          and finite.count(best) < len(finite), "worse": ""})
        rows.append({"metric": x, "cells": cells})
        a, b = models[0], models[1]
        d = vals[0] - vals[1]
        differences.append({"metric": x, "a": a, "b": b, "ta": tags[0], "tb": tags[1],
                            "diff": "nan" if math.isnan(d) else f"{d:+.4f}", "interval": "",
                            "p": "", "p_raw": "", "verdict": "", "significant": False,
                            "colour": None})
    return rows, differences


def _colours(models) -> list:
    from . import plots

    return [plots.model_colour(i) for i in range(len(models))]


def _side_cards(reports: dict, cmp, tags: list) -> list:
    out = []
    for t, (m, r) in zip(tags, reports.items()):
        cards = _cards(r)
        if cmp is not None:
            for card in cards:
                if card["name"] in cmp.intervals:
                    lo, hi = cmp.intervals[card["name"]][m]
                    card["ci"] = f"[{_fmt(lo)}, {_fmt(hi)}]"
        out.append({"tag": t, "name": safe_label(m), "cards": cards})
    return out


def _side_per_label(reports: dict, tags: list, ends: int) -> dict:
    """Per label: support, then for F1, precision and recall each model's value and
    the difference of the first model with each other one; the ``ends`` labels of
    most and of fewest positives, and one row for the others."""
    models = list(reports)
    tables = [r.per_label for r in reports.values()]
    first = tables[0]
    L = len(first)
    colours = _colours(models)
    supports = [np.asarray(t["support"], dtype=np.float64) for t in tables]
    same_truth = all(np.array_equal(supports[0], s) for s in supports[1:])
    columns = [("label", "label", "text")]
    columns += ([("support", "support", "num")] if same_truth else
                [(f"support-{t}", f"support ({t})", "num") for t in tags])
    wanted = [c for c in PAIR_COLUMNS if all(c in t.columns for t in tables)]
    values = {}
    for c in wanted:
        cols = [np.asarray(t[c], dtype=np.float64) for t in tables]
        for t, col in zip(tags, cols):
            columns.append((f"{c}-{t}", f"{c} ({t})", "num"))
            values[(c, t)] = col
        for t, col in zip(tags[1:], cols[1:]):
            columns.append((f"{c}-{tags[0]}-{t}", f"{c} {tags[0]} \u2212 {t}", "num"))
            values[(c, tags[0], t)] = cols[0] - col
    support = supports[0]
    order = np.argsort(-support, kind="stable")
    if L > 2 * ends:
        shown, rest = np.r_[order[:ends], order[-ends:]], order[ends:-ends]
    else:
        shown, rest = order, order[:0]

    def cells(pick) -> list:
        def agg(col):
            if np.ndim(pick) == 0:
                return col[pick]
            col = col[pick]
            return float(np.nanmean(col)) if np.isfinite(col).any() else float("nan")

        out = []
        for s in ([supports[0]] if same_truth else supports):
            v = s[pick] if np.ndim(pick) == 0 else s[pick].sum()
            text, key = _number(v, 0)
            out.append({"text": text, "key": key, "bar": None, "colour": None})
        for c in wanted:
            for t in tags:
                text, key = _number(agg(values[(c, t)]))
                bar = None if key == "" else f"{min(max(float(key), 0.0), 1.0):.3f}"
                out.append({"text": text, "key": key, "bar": bar, "colour": None})
            for j, t in enumerate(tags[1:], start=1):
                out.append(_tone(agg(values[(c, tags[0], t)]), (colours[0], colours[j])))
        return out

    rows = []
    for i in shown:
        name = str(first["label"][i])
        rows.append({"label": safe_label(name, _LABEL_WIDTH), "full": safe_label(name),
                     "cells": cells(i)})
    footer = note = None
    if rest.size:
        footer = {"label": f"{rest.size:,} more labels",
                  "range": (f"support {_number(support[rest].min(), 0)[0]} to "
                            f"{_number(support[rest].max(), 0)[0]}"),
                  "cells": cells(rest)}
        note = (f"Showing the {ends} labels with the most positives and the {ends} with the "
                f"fewest, of {L:,}. The last row sums the support of the other {rest.size:,} "
                "and averages their metrics and differences (a plain mean over those labels); "
                "the F1 figure draws every label.")
    return {"columns": columns, "rows": rows, "footer": footer, "note": note,
            "same_truth": same_truth}


def _side_plots(reports: dict, tags: list, notes: list) -> list:
    from . import plots

    models = list(reports)
    colours = _colours(models)
    first = reports[models[0]]
    f1 = {m: np.asarray(r.per_label["f1"], dtype=np.float64) for m, r in reports.items()}
    support = np.asarray(first.per_label["support"], dtype=np.float64)
    out = []
    for j, m in enumerate(models[1:], start=1):
        pid = "plot-f1-pair" if len(models) == 2 else f"plot-f1-pair-{tags[j]}"
        out.append(plots.f1_pair(support, f1[models[0]], f1[m], (models[0], m), pid=pid,
                                 colours=(colours[0], colours[j])))
    sources = {m: r.scores for m, r in reports.items()}
    if all(s is not None for s in sources.values()):
        out.append(plots.pr_models(sources, {m: (r.metrics.get("precision_micro"),
                                                 r.metrics.get("recall_micro"))
                                             for m, r in reports.items()}, colours=colours))
    elif any(s is not None for s in sources.values()):
        missing = [t for t, s in zip(tags, sources.values()) if s is None]
        notes.append("The precision-recall curves need the dense scores of every model; "
                     f"{', '.join(missing)} gave hard predictions (or sparse or top-k scores).")
    out.append(plots.cardinality_models(first.counts,
                                        {m: r.counts for m, r in reports.items()},
                                        colours=colours))
    return [p for p in out if p is not None and p.svg is not None]


#: Confused pairs listed per model on the side-by-side page.
SIDE_PAIRS = 10


def _side_confusions(reports: dict, tags: list) -> list:
    """Each model's most confused pairs (from its MLCM: kept with ``mlcm=True``, or
    counted sparsely from its scores); empty unless every model has one."""
    from . import plots

    matrices = [mlcm_of(r) for r in reports.values()]
    if any(m is None for m in matrices):
        return []
    labels = next(iter(reports.values())).labels
    return [{"tag": t, "name": safe_label(name), "pairs": plots.confused_pairs(m, labels,
                                                                              SIDE_PAIRS)}
            for t, name, m in zip(tags, reports, matrices)]


def _side_findings(reports: dict, tags: list) -> list:
    return [{"tag": t, "name": safe_label(m), "findings": _findings(r)}
            for t, (m, r) in zip(tags, reports.items())]


def side_by_side_html(reports: dict, comparison=None, *, title: str | None = None,
                      inputs: dict | None = None) -> str:
    """Models side by side on one self-contained page.

    ``reports`` maps each model's name to its :class:`Report` (over the same
    labels); ``comparison`` is the :class:`~labelwise.Comparison` they came from,
    whose intervals, differences and p-values the page shows (without one, the
    differences are plain, untested). ``inputs`` may name the files:
    ``{"truth": path, "models": {name: path}}``.
    """
    from markupsafe import Markup

    from . import __version__
    from .comparison import letters

    models = list(reports)
    tags = letters(len(models))
    notes: list = []
    values, differences = _side_values(reports, comparison, tags)
    figures = _side_plots(reports, tags, notes)
    per_label = _side_per_label(reports, tags, TABLE_ENDS)
    if not per_label["same_truth"]:
        notes.append("The reports were made on different truth (their supports differ), so "
                     "each model's support has its own column.")
    if comparison is not None:
        legend = comparison.legend()
        level = f"{comparison.ci_level:.0%} paired-bootstrap interval"
    else:
        legend = ("Each report as it was evaluated, with its own intervals where it has "
                  "them; the differences are not tested: labelwise.compare(y_true, "
                  "{name: predictions, ...}) gives their intervals and p-values.")
        level = "interval"
    names = [safe_label(m, 40) for m in models]
    default = (f"labelwise: {names[0]} against {names[1]}" if len(models) == 2
               else f"labelwise comparison of {len(models)} models")
    return _env().get_template("comparison.html.j2").render(
        title=safe_label(title) if title else default,
        legend=legend, version=__version__, tested=comparison is not None,
        ci_level=level, summary=_side_summary(reports, tags, inputs),
        models=[{"tag": t, "name": safe_label(m), "colour": c}
                for t, m, c in zip(tags, models, _colours(models))],
        header=[f"{t}: {n}" for t, n in zip(tags, names)],
        model_cards=_side_cards(reports, comparison, tags), rows=values,
        differences=differences, findings=_side_findings(reports, tags),
        confusions=_side_confusions(reports, tags), pairs_shown=SIDE_PAIRS,
        plots=[p._replace(svg=Markup(p.svg)) for p in figures], plot_notes=notes,
        per_label=per_label)


def render_comparison_html(cmp, *, title: str | None = None,
                           inputs: dict | None = None) -> str:
    """A :class:`~labelwise.Comparison` as one self-contained HTML page: the models
    side by side (:func:`side_by_side_html` over ``cmp.reports``)."""
    missing = [m for m in cmp.models if m not in cmp.reports]
    if missing:
        raise InputError(f"this Comparison holds no report of {', '.join(map(repr, missing))} "
                         f"({len(cmp.reports)} of its {len(cmp.models)} models have one), "
                         "and the page draws each model's report: make it with "
                         "labelwise.compare(...) or compare_accumulators(...).")
    return side_by_side_html({m: cmp.reports[m] for m in cmp.models}, cmp, title=title,
                             inputs=inputs)


def check_other(report: Report, other, names) -> tuple:
    """The two names of ``report.to_html(other=..., names=...)``, after checking both."""
    if not isinstance(other, Report):
        raise InputError(f"other must be a labelwise Report, got a {type(other).__name__}: "
                         "pass other=labelwise.evaluate(y_true, y_pred_b) (or use "
                         "labelwise.compare(...).to_html() for paired tests).")
    if names is None:
        names = ("A", "B")
    if (isinstance(names, str) or not isinstance(names, (tuple, list)) or len(names) != 2
            or not all(isinstance(x, str) and x for x in names)):
        raise InputError(f"names must be two non-empty strings, one for this report and one "
                         f"for other, got {names!r}: pass names=('A', 'B').")
    if names[0] == names[1]:
        raise InputError(f"names must differ, got {names[0]!r} twice: pass names=('A', 'B').")
    if tuple(report.labels) != tuple(other.labels):
        if len(report.labels) != len(other.labels):
            where = (f"this report has {len(report.labels)} labels and other has "
                     f"{len(other.labels)}")
        else:
            j = next(i for i, (x, y) in enumerate(zip(report.labels, other.labels)) if x != y)
            where = (f"label {j} is {safe_label(report.labels[j], 30)!r} here and "
                     f"{safe_label(other.labels[j], 30)!r} in other")
        raise InputError(f"this report and other must cover the same labels in the same "
                         f"order, but {where}: evaluate both with the same labels=[...].")
    return tuple(names)
