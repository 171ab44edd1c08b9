"""Figures of a :class:`~labelwise.report.Report`, drawn with matplotlib as SVG text.

Each function takes parts of a report and returns one SVG document as a string
(or None when the report lacks what the figure needs), ready to be placed inline
in an HTML page: no XML prolog, no metadata, no external reference, and every
``id`` prefixed so that several figures can share one page. Figures are drawn on
a :class:`matplotlib.figure.Figure` with the SVG canvas: pyplot and its global
backend are never touched.

Large inputs are thinned before drawing, so that a figure stays small whatever
the number of labels or samples: scatter plots keep at most a fixed number of
points and curves at most a fixed number of vertices.
"""

from __future__ import annotations

import io
import re
from typing import Any, NamedTuple

import numpy as np

from .report import safe_label

__all__ = [
    "Plot",
    "f1_support",
    "pr_curves",
    "f1_threshold",
    "mlcm_heatmap",
    "mlcm_sparse",
    "confused_pairs",
    "cardinality",
    "reliability",
    "predictions",
    "svg_text",
    "f1_pair",
    "pr_models",
    "cardinality_models",
    "model_colour",
]

MAX_POINTS = 1500  # scatter points drawn at most
MAX_VERTICES = 400  # vertices of a drawn curve at most
MAX_CURVE_CELLS = 4_000_000  # score cells sorted for the pooled precision-recall curve
MAX_BARS = 40  # bars of the labels-per-sample histogram

BLUE, ORANGE, RED, GREEN, GREY = "#2563a8", "#d9822b", "#c0392b", "#2e8b57", "#7a7f87"

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "labelwise",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e6ea",
    "grid.linewidth": 0.6,
    "axes.edgecolor": "#9aa0a6",
    "legend.frameon": False,
    "legend.fontsize": 8,
}


class Plot(NamedTuple):
    """One figure of the page: its element id, a title, the SVG and a caption."""

    id: str
    title: str
    svg: str | None
    caption: str
    table: Any = None  # rows shown instead of a figure (see mlcm_heatmap)


# --------------------------------------------------------------------------
# SVG output
# --------------------------------------------------------------------------


def _figure(width=5.6, height=3.5, fit=False):
    """A figure with fixed margins (fast), or laid out to fit its text (``fit``)."""
    from matplotlib.figure import Figure

    if fit:
        return Figure(figsize=(width, height), layout="constrained")
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=0.65 / width, right=1 - 0.15 / width, bottom=0.5 / height,
                        top=1 - 0.12 / height, hspace=0.12)
    return fig


_TAG = re.compile(r"<[^<>]+>")
_DROP = (
    re.compile(r"<\?xml[^>]*\?>\s*"),
    re.compile(r"<!DOCTYPE[^>]*>\s*"),
    re.compile(r"<metadata>.*?</metadata>\s*", re.S),
    re.compile(r"<style[^>]*>.*?</style>\s*", re.S),
)


def svg_text(fig, prefix: str) -> str:
    """``fig`` as inline SVG: prolog, metadata and the global style sheet removed,
    fixed sizes replaced by a viewBox-driven width, every id prefixed with ``prefix``.

    Text drawn by matplotlib is escaped by it (``<`` as ``&lt;``), so the only
    ``<`` left in the output open tags, which is what the id rewriting relies on.
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None,
                                                 "Format": None, "Type": None})
    svg = buf.getvalue()
    for pattern in _DROP:
        svg = pattern.sub("", svg)

    def fix(match):
        tag = match.group(0)
        tag = re.sub(r'\bid="', f'id="{prefix}-', tag)
        tag = tag.replace('href="#', f'href="#{prefix}-').replace("url(#", f"url(#{prefix}-")
        if tag.startswith("<svg"):
            tag = re.sub(r'\s(width|height)="[^"]*"', "", tag)
            tag = tag.replace("<svg", f'<svg class="lw-svg" role="img"', 1)
        return tag

    return _TAG.sub(fix, svg).strip()


def _draw(draw, prefix, width=5.6, height=3.5, fit=False) -> str:
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(width, height, fit)
        draw(fig)
        return svg_text(fig, prefix)


def _thin(n: int, limit: int = MAX_VERTICES) -> np.ndarray:
    """Indices of at most ``limit`` evenly spread points of ``n``, first and last kept."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


# --------------------------------------------------------------------------
# Per-label F1 against support
# --------------------------------------------------------------------------


def f1_support(support, f1, *, f1_micro=None, f1_macro=None, max_points=MAX_POINTS) -> Plot:
    """Each label's F1 against its support (log scale); lines at micro and macro F1."""
    support = np.asarray(support, dtype=np.float64)
    f1 = np.asarray(f1, dtype=np.float64)
    keep = np.flatnonzero((support > 0) & np.isfinite(f1))
    absent = support.size - keep.size
    order = keep[np.argsort(support[keep], kind="stable")]
    shown = order[_thin(order.size, max_points)]
    notes = []
    if shown.size < keep.size:
        notes.append(f"{shown.size:,} of {keep.size:,} labels drawn, evenly spread by support")
    if absent:
        notes.append(f"{absent:,} label(s) with no positive (or no F1) left out")

    def draw(fig):
        ax = fig.add_subplot()
        ax.scatter(support[shown], f1[shown], s=14, alpha=0.55, color=BLUE, linewidths=0)
        if f1_micro is not None and np.isfinite(f1_micro):
            ax.axhline(f1_micro, color=ORANGE, lw=1, ls="--", label=f"F1 micro {f1_micro:.3f}")
        if f1_macro is not None and np.isfinite(f1_macro):
            ax.axhline(f1_macro, color=GREY, lw=1, ls=":", label=f"F1 macro {f1_macro:.3f}")
        ax.set_xscale("log")
        _plain_log_ticks(ax.xaxis, support[shown])
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("support (positives in the truth, log scale)")
        ax.set_ylabel("F1 of the label")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="lower right")

    caption = ("Rare labels are where F1 is noisy and often lowest; a macro average far "
               "below the micro one points at them.")
    if notes:
        caption += " (" + "; ".join(notes) + ".)"
    svg = _draw(draw, "plot-f1-support") if keep.size else None
    return Plot("plot-f1-support", "F1 against support, per label", svg, caption)


def _plain_log_ticks(axis, values) -> None:
    """Tick labels of a log axis as plain numbers (``50``, ``200``), minor ones too
    when the values span less than two decades."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    values = values[values > 0]
    span = float(np.log10(values.max() / values.min())) if values.size else 0.0
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    if span >= 2:
        axis.set_minor_formatter(NullFormatter())
        return

    def minor(v, _):
        mantissa = round(v / 10 ** np.floor(np.log10(v)))
        return f"{v:g}" if span < 0.6 or mantissa in (2, 5) else ""

    axis.set_minor_formatter(FuncFormatter(minor))


# --------------------------------------------------------------------------
# Score curves
# --------------------------------------------------------------------------


def _dense_truth(source) -> np.ndarray:
    y = source.y_true
    return np.asarray(y.toarray() if hasattr(y, "toarray") else y, dtype=bool)


def _pr_points(y: np.ndarray, s: np.ndarray, w: np.ndarray | None):
    """Precision and recall at every distinct threshold of one score vector, from
    the highest threshold down (ties taken together)."""
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    w = np.ones(s.size) if w is None else w[order]
    tp = np.cumsum(w * y)
    fp = np.cumsum(w * ~y)
    last = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    tp, fp = tp[last], fp[last]
    pos = tp[-1] if tp.size else 0.0
    if pos <= 0:
        return None
    precision = tp / np.maximum(tp + fp, np.finfo(float).tiny)
    recall = tp / pos
    return np.r_[1.0, precision], np.r_[0.0, recall]


def _micro_curve(y: np.ndarray, s: np.ndarray, w: np.ndarray | None):
    """The pooled (micro) precision-recall points of dense truth ``y`` and scores ``s``,
    from a random subset of the samples when there are more than
    :data:`MAX_CURVE_CELLS` cells (the same rows whatever the model); and a note
    saying so (or "")."""
    n, L = s.shape
    rows = np.arange(n)
    note = ""
    if n * L > MAX_CURVE_CELLS:
        take = max(1, MAX_CURVE_CELLS // L)
        rows = np.sort(np.random.default_rng(0).choice(n, take, replace=False))
        note = f" The micro curve is drawn from {take:,} of the {n:,} samples, drawn at random."
    ww = None if w is None else np.repeat(w[rows], L)
    return _pr_points(y[rows].ravel(), s[rows].ravel(), ww), note


def pr_curves(source, labels, f1, *, precision_micro=None, recall_micro=None) -> Plot | None:
    """Precision against recall: pooled over labels (micro), and for the labels of
    lowest and highest F1 (among those with positives); the operating point marked."""
    if source is None:
        return None
    y = _dense_truth(source)
    s = np.asarray(source.scores, dtype=np.float64)
    w = None if source.sample_weight is None else np.asarray(source.sample_weight, float)
    micro, note = _micro_curve(y, s, w)
    if micro is None:
        return None
    f1 = np.asarray(f1, dtype=np.float64)
    sup = y.sum(axis=0) if w is None else (y * w[:, None]).sum(axis=0)
    ok = np.flatnonzero((sup > 0) & np.isfinite(f1))
    picks = []
    if ok.size >= 2:
        worst = ok[np.lexsort((-sup[ok], f1[ok]))[0]]
        best = ok[np.lexsort((-sup[ok], -f1[ok]))[0]]
        picks = [(worst, "lowest F1", RED), (best, "highest F1", GREEN)]

    def draw(fig):
        ax = fig.add_subplot()
        p, r = micro
        k = _thin(p.size)
        ax.plot(r[k], p[k], color=BLUE, lw=1.8, label="micro (all labels pooled)")
        for j, why, colour in picks:
            pts = _pr_points(y[:, j], s[:, j], w)
            if pts is None:
                continue
            p, r = pts
            k = _thin(p.size)
            ax.plot(r[k], p[k], color=colour, lw=1.2,
                    label=f"{safe_label(labels[j], 28)} ({why}, {f1[j]:.2f})")
        if precision_micro is not None and recall_micro is not None:
            ax.plot([recall_micro], [precision_micro], "o", color=BLUE, ms=6, mfc="white",
                    mew=1.6, label="micro at the threshold used")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.05)
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.legend(loc="lower left")

    caption = ("Each curve sweeps the threshold from high (left) to low (right); the dot "
               "is where the report's threshold puts the pooled predictions." + note)
    return Plot("plot-pr", "Precision-recall curves", _draw(draw, "plot-pr"), caption)


def f1_threshold(source, params) -> Plot | None:
    """Micro and macro F1 as one threshold shared by every label moves, exactly (by
    :func:`labelwise.threshold_curve`); the threshold of the report marked."""
    if source is None:
        return None
    from .thresholds import threshold_curve

    zd = params.get("zero_division")
    zd = zd if isinstance(zd, (int, float)) and zd in (0, 1) else 0
    s = np.asarray(source.scores)
    lo, hi = float(np.nanmin(s)), float(np.nanmax(s))
    if 0 <= lo and hi <= 1:
        lo, hi = 0.0, 1.0
    curves = {}
    if s.size <= EXACT_CURVE_CELLS:
        for average in ("micro", "macro"):
            c = threshold_curve(source.y_true, source.scores, "f1", average=average,
                                sample_weight=source.sample_weight,
                                inclusive=source.inclusive, zero_division=zd)
            curves[average] = (c.thresholds, c.values)
        note = ""
    else:
        grid = np.linspace(lo, hi, GRID_THRESHOLDS)
        curves = _grid_f1(source, grid, zd)
        note = (f" Drawn at {GRID_THRESHOLDS} evenly spaced thresholds (the scores have "
                f"{s.size:,} cells).")
    thr = np.asarray(source.threshold, dtype=np.float64)
    t_micro, v_micro = curves["micro"]
    k_best = len(v_micro) - 1 - int(np.argmax(v_micro[::-1]))
    best_t, best_v = float(t_micro[k_best]), float(v_micro[k_best])

    def draw(fig):
        ax = fig.add_subplot()
        for (average, (ts, vs)), colour in zip(curves.items(), (BLUE, ORANGE)):
            inside = np.flatnonzero((ts >= lo) & (ts <= hi))
            k = inside[_thin(inside.size, 2 * MAX_VERTICES)]
            ax.plot(ts[k], vs[k], color=colour, lw=1.6, label=f"F1 {average}")
        if thr.ndim == 0:
            ax.axvline(float(thr), color="#333333", lw=1, ls="--",
                       label=f"threshold used ({float(thr):g})")
        else:
            ticks = thr[_thin(thr.size, MAX_POINTS)]
            ax.plot(ticks, np.full(ticks.size, -0.02), "|", color="#333333", ms=8,
                    label="per-label thresholds used")
        ax.plot([best_t], [best_v], "o", color=BLUE, ms=5,
                label=f"best shared: {best_t:.3g} (F1 micro {best_v:.3f})")
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.05, 1.03)
        ax.set_xlabel(f"threshold (predicted when score {'>=' if source.inclusive else '>'} t)")
        ax.set_ylabel("F1")
        ax.legend(loc="best")

    caption = ("One threshold for every label; per-label thresholds "
               "(labelwise.tune_thresholds) can do better than the best shared one." + note)
    return Plot("plot-threshold", "F1 against the threshold", _draw(draw, "plot-threshold"),
                caption)


EXACT_CURVE_CELLS = 1_000_000  # score cells up to which the F1 curve is exact
GRID_THRESHOLDS = 501  # thresholds of the F1 curve of larger score matrices


def _grid_f1(source, grid, zero_division) -> dict:
    """Micro and macro F1 at each threshold of ``grid`` (increasing), from one pass of
    per-label histograms of the scores: ``{average: (grid, values)}``."""
    s = np.asarray(source.scores, dtype=np.float64)
    n, L = s.shape
    G = grid.size
    w = (np.ones(n) if source.sample_weight is None
         else np.asarray(source.sample_weight, dtype=np.float64))
    # b = how many grid thresholds a score passes: score > grid[k] (or >=) iff k < b
    b = np.searchsorted(grid, s, side="right" if source.inclusive else "left")
    cols = np.broadcast_to(np.arange(L) * (G + 1), s.shape)
    everything = np.bincount((cols + b).ravel(), weights=np.broadcast_to(w[:, None], s.shape)
                             .ravel(), minlength=L * (G + 1)).reshape(L, G + 1)
    y = _dense_truth(source)
    r, c = np.nonzero(y)
    positives = np.bincount(c * (G + 1) + b[r, c], weights=w[r],
                            minlength=L * (G + 1)).reshape(L, G + 1)
    # predicted at grid[k]: scores with b > k, a reversed cumulative sum
    pred = np.cumsum(everything[:, ::-1], axis=1)[:, ::-1][:, 1:]
    tp = np.cumsum(positives[:, ::-1], axis=1)[:, ::-1][:, 1:]
    support = positives.sum(axis=1, keepdims=True)
    fp, fn = pred - tp, support - tp
    num, den = 2 * tp, 2 * tp + fp + fn
    micro_den = den.sum(axis=0)
    micro = np.divide(num.sum(axis=0), micro_den, out=np.full(G, float(zero_division)),
                      where=micro_den > 0)
    per = np.divide(num, den, out=np.full(num.shape, float(zero_division)), where=den > 0)
    return {"micro": (grid, micro), "macro": (grid, per.mean(axis=0))}


def predictions(source) -> Any:
    """The thresholded predictions of ``source`` as a CSR matrix of bool."""
    import scipy.sparse as sp

    s = np.asarray(source.scores)
    thr = np.asarray(source.threshold, dtype=np.float64)
    return sp.csr_matrix(s >= thr if source.inclusive else s > thr)


# --------------------------------------------------------------------------
# Multi-label confusion matrix
# --------------------------------------------------------------------------

HEATMAP_LIMIT = 40  # labels drawn as a heatmap; more give a table of confused pairs
PAIRS_SHOWN = 15


def mlcm_sparse(y_true, y_pred, sample_weight=None):
    """The multi-label confusion matrix as a sparse matrix, from sparse products.

    The same cells as :func:`labelwise.metrics.mlcm`, without ever holding the
    ``(q + 1)^2`` dense matrix: memory grows with the cells that are not zero,
    so it serves any number of labels. With ``T`` the truth, ``P`` the
    predictions, ``M = T - P`` the missing and ``E = P - T`` the extra labels
    (rows weighted by ``W``), the allocation rules of Heydarian et al. are
    products over the samples each rule covers: the diagonal is the column sums
    of ``T & P``; samples with missing and extra labels add ``M' W E``, those
    with only extra labels ``T' W E``; the last column sums ``M`` of the samples
    with only missing labels and ``T`` of those with no prediction, the last row
    ``P`` of those with no true label.

    Parameters
    ----------
    y_true, y_pred : array-like or scipy.sparse matrix of shape (n_samples, q)
        Canonical 0/1 truth and predictions (as a report's
        :class:`~labelwise.report.ScoreSource` holds them); not validated.
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    scipy.sparse.csr_matrix of float64, shape (q + 1, q + 1)
        Rows: the true labels, then *no true label*; columns: the predicted
        labels, then *no predicted label*.

    Examples
    --------
    >>> import numpy as np, labelwise
    >>> t = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 0], [1, 0, 0], [1, 1, 0],
    ...               [0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 0]])
    >>> p = np.array([[1, 1, 0], [1, 0, 1], [0, 0, 0], [1, 1, 1], [1, 1, 1],
    ...               [0, 1, 1], [0, 1, 1], [1, 0, 1], [0, 0, 1]])
    >>> mlcm_sparse(t, p).toarray().astype(int)
    array([[5, 2, 4, 0],
           [0, 2, 3, 1],
           [0, 0, 1, 0],
           [0, 1, 1, 1]])
    >>> bool((mlcm_sparse(t, p).toarray() == labelwise.metrics.mlcm(t, p)).all())
    True
    """
    import scipy.sparse as sp

    def pattern(y):
        m = sp.csr_matrix(y)
        m = m.astype(bool).astype(np.float64)
        m.eliminate_zeros()
        return m

    T, P = pattern(y_true), pattern(y_pred)
    n, q = T.shape
    w = (np.ones(n) if sample_weight is None
         else np.asarray(sample_weight, dtype=np.float64).reshape(n))
    C = T.multiply(P).tocsr()
    M = (T - C).tocsr()
    E = (P - C).tocsr()
    for x in (C, M, E):
        x.eliminate_zeros()
    nt, npred = np.diff(T.indptr), np.diff(P.indptr)
    nm, ne = np.diff(M.indptr), np.diff(E.indptr)
    both = (nt > 0) & (npred > 0)

    def rows(mask):
        return sp.diags(np.where(mask, w, 0.0))

    square = (sp.diags(C.T @ w)
              + M.T @ (rows(both & (nm > 0) & (ne > 0)) @ E)
              + T.T @ (rows(both & (nm == 0) & (ne > 0)) @ E))
    no_pred = (M.T @ np.where(both & (ne == 0), w, 0.0)
               + T.T @ np.where((nt > 0) & (npred == 0), w, 0.0))
    no_true = P.T @ np.where((nt == 0) & (npred > 0), w, 0.0)
    corner = float(w[(nt == 0) & (npred == 0)].sum())
    out = sp.bmat([[square, sp.csr_matrix(no_pred.reshape(q, 1))],
                   [sp.csr_matrix(no_true.reshape(1, q)), sp.csr_matrix([[corner]])]],
                  format="csr")
    out.eliminate_zeros()
    return out


def confused_pairs(matrix, labels, top: int = PAIRS_SHOWN) -> list:
    """The ``top`` largest off-diagonal cells of an MLCM (dense or sparse, any size),
    largest first (ties in row-major order), as rows of the pairs table: ``true``,
    ``pred``, ``count`` and ``share`` (of the true label's row).

    Examples
    --------
    >>> m = np.array([[5, 2, 4, 0], [0, 2, 3, 1], [0, 0, 1, 0], [0, 1, 1, 1]])
    >>> [(r["true"], r["pred"], r["count"], r["share"])
    ...  for r in confused_pairs(m, ["a", "b", "c"], top=3)]
    [('a', 'c', '4', '36.4%'), ('b', 'c', '3', '50.0%'), ('a', 'b', '2', '18.2%')]
    """
    import scipy.sparse as sp

    if sp.issparse(matrix):
        c = sp.coo_matrix(matrix)
        i, j, v = c.row.astype(np.int64), c.col.astype(np.int64), c.data.astype(np.float64)
        row_sums = np.asarray(matrix.sum(axis=1), dtype=np.float64).ravel()
    else:
        m = np.asarray(matrix, dtype=np.float64)
        i, j = np.nonzero(m)
        v = m[i, j]
        row_sums = m.sum(axis=1)
    q = len(row_sums) - 1
    off = (i != j) & (v > 0)
    i, j, v = i[off], j[off], v[off]
    pick = np.lexsort((i * (q + 1) + j, -v))[:top]
    out = []
    for k in pick:
        a, b = int(i[k]), int(j[k])
        out.append({"true": safe_label(labels[a]) if a < q else "(no true label)",
                    "pred": safe_label(labels[b]) if b < q else "(no predicted label)",
                    "count": _num(v[k]),
                    "share": f"{v[k] / row_sums[a]:.1%}" if row_sums[a] > 0 else ""})
    return out


def mlcm_heatmap(matrix, labels) -> Plot:
    """The MLCM (true labels by rows, predicted by columns, plus *no true label* and
    *no predicted label*) as a heatmap of row shares, or with more than
    :data:`HEATMAP_LIMIT` labels a table of the most confused pairs.

    ``matrix`` is dense or sparse (:func:`mlcm_sparse`); the table is computed from
    its nonzero cells, so any number of labels is fine."""
    import scipy.sparse as sp

    q = matrix.shape[0] - 1
    title = "Multi-label confusion matrix"
    if q > HEATMAP_LIMIT:
        pairs = confused_pairs(matrix, labels)
        caption = (f"The {len(pairs)} largest off-diagonal cells of the {q + 1:,} x {q + 1:,} "
                   "matrix: true label (row), what was predicted in its place (column), "
                   "and the share of the row.")
        return Plot("plot-mlcm", title + ": most confused pairs", None, caption, pairs)
    m = np.asarray(matrix.toarray() if sp.issparse(matrix) else matrix, dtype=np.float64)
    names = [safe_label(x, 18) for x in labels] + ["(none)"]
    rows = m.sum(axis=1, keepdims=True)
    share = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    size = min(9.0, max(4.2, 0.2 * q + 2.6))
    annotate = q <= 12

    def draw(fig):
        ax = fig.add_subplot()
        # vector cells (pcolormesh), not an embedded raster image
        edges = np.arange(q + 2) - 0.5
        im = ax.pcolormesh(edges, edges, share, cmap="Blues", vmin=0, vmax=1)
        ax.set_xlim(edges[0], edges[-1])
        ax.set_ylim(edges[-1], edges[0])
        ax.set_aspect("equal")
        ax.grid(False)
        ax.set_xticks(range(q + 1), [*names[:q], "(no pred)"], rotation=60, ha="right",
                      rotation_mode="anchor")
        ax.set_yticks(range(q + 1), [*names[:q], "(no true)"])
        ax.set_xlabel("predicted label")
        ax.set_ylabel("true label")
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if annotate:
            for i in range(q + 1):
                for j in range(q + 1):
                    if m[i, j]:
                        ax.text(j, i, _num(m[i, j]), ha="center", va="center", fontsize=7,
                                color="white" if share[i, j] > 0.55 else "#222222")
        bar = fig.colorbar(im, ax=ax, shrink=0.75, label="share of the true label's row")
        bar.solids.set_rasterized(False)
        bar.solids.set_edgecolor("face")  # no seams between the vector cells

    caption = ("Row: a true label; column: a predicted one. The diagonal is hits; off it, the "
               "labels predicted in place of (or beside) the true ones; the last column is "
               "true labels left unpredicted, the last row predictions on samples with no "
               "true label. Colour: share of the row.")
    return Plot("plot-mlcm", title, _draw(draw, "plot-mlcm", size + 1.0, size, fit=True),
                caption)


def _num(v: float) -> str:
    return f"{int(v)}" if float(v).is_integer() else f"{v:.2f}"


# --------------------------------------------------------------------------
# Label counts per sample
# --------------------------------------------------------------------------


def cardinality(counts) -> Plot:
    """Share of samples by number of labels, true against predicted (from the
    per-sample histogram of the counts, so hard predictions have it too)."""
    rt = np.asarray(counts.row_true, dtype=np.int64)
    rp = np.asarray(counts.row_pred, dtype=np.int64)
    w = np.asarray(counts.row_weight, dtype=np.float64)
    total = float(w.sum())
    top = int(max(rt.max(initial=0), rp.max(initial=0)))
    t = np.bincount(rt, weights=w, minlength=top + 1) / (total or 1.0)
    p = np.bincount(rp, weights=w, minlength=top + 1) / (total or 1.0)
    mean_t = float((rt * w).sum() / total) if total else 0.0
    mean_p = float((rp * w).sum() / total) if total else 0.0
    x = np.arange(top + 1)
    step = max(1, -(-(top + 1) // MAX_BARS))  # labels per bar, so that bars stay few

    def draw(fig):
        ax = fig.add_subplot()
        true_label, pred_label = f"true (mean {mean_t:.2f})", f"predicted (mean {mean_p:.2f})"
        if step == 1:
            width = 0.42
            ax.bar(x - width / 2, t, width, color=GREY, label=true_label)
            ax.bar(x + width / 2, p, width, color=BLUE, label=pred_label)
            ax.set_xlabel("labels per sample")
        else:
            edges = np.arange(0, top + step + 1, step)
            tb = np.add.reduceat(np.r_[t, np.zeros(edges[-1] - t.size)], edges[:-1])
            pb = np.add.reduceat(np.r_[p, np.zeros(edges[-1] - p.size)], edges[:-1])
            ax.stairs(tb, edges, fill=True, color=GREY, alpha=0.55, label=true_label)
            ax.stairs(pb, edges, color=BLUE, lw=1.6, label=pred_label)
            ax.set_xlabel(f"labels per sample (bins of {step})")
        ax.set_ylabel("share of samples")
        ax.grid(axis="x", visible=False)
        if top <= 20:
            ax.set_xticks(x)
        ax.legend(loc="upper right")

    caption = ("A model that predicts too few labels per sample shifts the blue bars left "
               "(empty predictions at 0); too many, right.")
    return Plot("plot-cardinality", "Labels per sample: true and predicted",
                _draw(draw, "plot-cardinality"), caption)


# --------------------------------------------------------------------------
# Reliability
# --------------------------------------------------------------------------


def reliability(source, bins: int = 10) -> Plot | None:
    """Mean predicted score against the observed share of positives in ``bins``
    equal-width score bins, pooled over labels; None unless scores lie in [0, 1]."""
    if source is None:
        return None
    s = np.asarray(source.scores, dtype=np.float64)
    if s.size == 0 or not (np.nanmin(s) >= 0 and np.nanmax(s) <= 1):
        return None
    n, L = s.shape
    w = (np.ones(n) if source.sample_weight is None
         else np.asarray(source.sample_weight, dtype=np.float64))
    idx = np.minimum((s * bins).astype(np.int64), bins - 1)
    cell_w = np.broadcast_to(w[:, None], s.shape)
    weight = np.bincount(idx.ravel(), weights=cell_w.ravel(), minlength=bins)
    score_sum = np.bincount(idx.ravel(), weights=(s * w[:, None]).ravel(), minlength=bins)
    y = source.y_true
    if hasattr(y, "tocsr"):
        y = y.tocsr()
        r = np.repeat(np.arange(n), np.diff(y.indptr))
        c = y.indices
        if y.data.dtype != bool or not y.data.all():
            keep = y.data.astype(bool)
            r, c = r[keep], c[keep]
    else:
        r, c = np.nonzero(np.asarray(y, dtype=bool))
    pos = np.bincount(idx[r, c], weights=w[r], minlength=bins)
    filled = weight > 0
    mean_s = np.divide(score_sum, weight, out=np.full(bins, np.nan), where=filled)
    freq = np.divide(pos, weight, out=np.full(bins, np.nan), where=filled)
    total = weight.sum()
    ece = float(np.nansum(weight / total * np.abs(freq - mean_s))) if total else float("nan")

    def draw(fig):
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.3])
        top.plot([0, 1], [0, 1], color=GREY, lw=1, ls="--", label="perfectly calibrated")
        top.plot(mean_s[filled], freq[filled], "o-", color=BLUE, ms=4, lw=1.5,
                 label="scores, pooled over labels")
        top.set_ylim(-0.02, 1.02)
        top.set_ylabel("observed share of positives")
        top.legend(loc="upper left")
        edges = np.linspace(0, 1, bins + 1)
        bottom.bar(edges[:-1], weight / (total or 1.0), width=1 / bins, align="edge",
                   color=BLUE, alpha=0.35, edgecolor="white")
        bottom.set_yscale("log")
        filled_share = weight[filled] / (total or 1.0)
        bottom.set_ylim(10 ** np.floor(np.log10(filled_share.min())), 1.0)
        _log_share_ticks(bottom.yaxis)
        bottom.set_ylabel("cells")
        bottom.set_xlabel("mean predicted score in the bin")
        bottom.set_xlim(0, 1)

    caption = (f"{bins} equal-width bins of (sample, label) scores. Points below the diagonal: "
               f"scores too high for how often the label is true. Expected calibration "
               f"error {ece:.3f}. The lower panel shows how the cells spread over the bins.")
    return Plot("plot-reliability", "Reliability (calibration)",
                _draw(draw, "plot-reliability", 5.6, 4.3), caption)


def _log_share_ticks(axis) -> None:
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    axis.set_major_locator(LogLocator(base=10, numticks=4))
    axis.set_major_formatter(FuncFormatter(
        lambda v, _: f"{v:.0%}" if v >= 0.01 else f"{v * 100:.2g}%"))
    axis.set_minor_locator(NullLocator())


# --------------------------------------------------------------------------
# Models side by side
# --------------------------------------------------------------------------

#: Colours of the models of a side-by-side page, in model order (then repeated).
MODEL_COLOURS = (BLUE, ORANGE, GREEN, "#8e44ad", RED, "#16a085", "#7f6a00", GREY)


def model_colour(i: int) -> str:
    """The colour of the ``i``-th model of a side-by-side page."""
    return MODEL_COLOURS[i % len(MODEL_COLOURS)]


def f1_pair(support, f1_a, f1_b, names, *, pid: str = "plot-f1-pair",
            colours=(BLUE, ORANGE), max_points=MAX_POINTS) -> Plot | None:
    """Each label's F1 under model ``a`` (x) against model ``b`` (y), coloured by its
    support (log scale), with the diagonal: above it ``b`` does better.

    Labels without positives (or without an F1) are left out; at most
    ``max_points`` are drawn, evenly spread by support, but the caption counts
    every label. None when no label is left.

    Examples
    --------
    >>> p = f1_pair([10, 3, 50, 0], [0.5, 0.2, 0.9, 1.0], [0.6, 0.2, 0.8, 0.0], ("a", "b"))
    >>> p.id
    'plot-f1-pair'
    >>> print(p.caption.split(".")[1].strip())
    b has the higher F1 on 1 label, a on 1, and they tie on 1 (of 3 with positives)
    """
    support = np.asarray(support, dtype=np.float64)
    fa = np.asarray(f1_a, dtype=np.float64)
    fb = np.asarray(f1_b, dtype=np.float64)
    keep = np.flatnonzero((support > 0) & np.isfinite(fa) & np.isfinite(fb))
    if not keep.size:
        return None
    order = keep[np.argsort(support[keep], kind="stable")]
    shown = order[_thin(order.size, max_points)]
    a_name, b_name = (safe_label(x, 28) for x in names)
    above = int(np.sum(fb[keep] > fa[keep]))
    below = int(np.sum(fb[keep] < fa[keep]))
    ties = keep.size - above - below

    def draw(fig):
        from matplotlib.colors import LogNorm

        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], color=GREY, lw=1, ls="--")
        from matplotlib.cm import ScalarMappable

        lo, hi = float(support[shown].min()), float(support[shown].max())
        norm = LogNorm(lo, hi if hi > lo else lo * 10)
        ax.scatter(fa[shown], fb[shown], c=support[shown], cmap="viridis", norm=norm, s=16,
                   alpha=0.7, linewidths=0)
        dots = ScalarMappable(norm=norm, cmap="viridis")  # the colour bar without the alpha
        ax.text(0.04, 0.96, f"{b_name} better", transform=ax.transAxes, va="top",
                color=colours[1], fontsize=8)
        ax.text(0.96, 0.04, f"{a_name} better", transform=ax.transAxes, ha="right",
                color=colours[0], fontsize=8)
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        ax.set_aspect("equal")
        ax.set_xlabel(f"F1 of {a_name}")
        ax.set_ylabel(f"F1 of {b_name}")
        bar = fig.colorbar(dots, ax=ax, shrink=0.85, label="support (log scale)")
        bar.solids.set_rasterized(False)
        bar.solids.set_edgecolor("face")
        _plain_log_ticks(bar.ax.yaxis, support[shown])

    def plural(k):
        return f"{k:,} label" + ("" if k == 1 else "s")

    caption = (f"One point per label, coloured by its support; above the diagonal "
               f"{b_name} does better. {b_name} has the higher F1 on {plural(above)}, "
               f"{a_name} on {below:,}, and they tie on {ties:,} (of {keep.size:,} with "
               "positives).")
    if shown.size < keep.size:
        caption += f" {shown.size:,} of them are drawn, evenly spread by support."
    return Plot(pid, f"F1 per label: {a_name} against {b_name}",
                _draw(draw, pid, 5.2, 4.3, fit=True), caption)


def pr_models(sources: dict, points: dict | None = None, *, colours=None) -> Plot | None:
    """The micro (pooled) precision-recall curve of each model, from its
    :class:`~labelwise.report.ScoreSource`, with its operating point
    (``points[name] = (precision_micro, recall_micro)``). When the scores are
    many, every curve is drawn from the same random samples."""
    colours = colours or [model_colour(i) for i in range(len(sources))]
    curves = {}
    note = ""
    for name, src in sources.items():
        if src is None:
            return None
        y = _dense_truth(src)
        s = np.asarray(src.scores, dtype=np.float64)
        w = None if src.sample_weight is None else np.asarray(src.sample_weight, float)
        curves[name], note = _micro_curve(y, s, w)
    if any(c is None for c in curves.values()):
        return None
    points = points or {}

    def draw(fig):
        ax = fig.add_subplot()
        for (name, (p, r)), colour in zip(curves.items(), colours):
            k = _thin(p.size)
            ax.plot(r[k], p[k], color=colour, lw=1.7, label=safe_label(name, 32))
            pr = points.get(name)
            if pr is not None and None not in pr and np.all(np.isfinite(pr)):
                ax.plot([pr[1]], [pr[0]], "o", color=colour, ms=6, mfc="white", mew=1.6)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.05)
        ax.set_xlabel("recall (micro)")
        ax.set_ylabel("precision (micro)")
        ax.legend(loc="lower left")

    caption = ("Every label pooled, for each model; a curve above another is better at "
               "every recall. The dots are where each model's threshold puts it." + note)
    return Plot("plot-pr-models", "Precision-recall curves (micro), per model",
                _draw(draw, "plot-pr-models"), caption)


def cardinality_models(truth, predicted: dict, *, colours=None) -> Plot:
    """Share of samples by number of labels: the truth (``truth`` is a
    :class:`~labelwise.counts.Counts`) against each model's predictions
    (``predicted[name]`` its Counts)."""
    colours = colours or [model_colour(i) for i in range(len(predicted))]
    w = np.asarray(truth.row_weight, dtype=np.float64)
    rt = np.asarray(truth.row_true, dtype=np.int64)
    series = [("true", rt, w, GREY)]
    for (name, c), colour in zip(predicted.items(), colours):
        series.append((safe_label(name, 28), np.asarray(c.row_pred, dtype=np.int64),
                       np.asarray(c.row_weight, dtype=np.float64), colour))
    top = int(max(x.max(initial=0) for _, x, _, _ in series))
    step = max(1, -(-(top + 1) // MAX_BARS))
    edges = np.arange(0, top + step + 1, step)
    k = len(series)

    def draw(fig):
        ax = fig.add_subplot()
        width = 0.84 / k
        for j, (name, x, wx, colour) in enumerate(series):
            tw = float(wx.sum()) or 1.0
            share = np.bincount(x, weights=wx, minlength=top + 1) / tw
            mean = float((x * wx).sum() / tw)
            label = f"{name} (mean {mean:.2f})"
            if step == 1:
                ax.bar(np.arange(top + 1) - 0.42 + width * (j + 0.5), share, width,
                       color=colour, label=label)
            else:
                binned = np.add.reduceat(np.r_[share, np.zeros(edges[-1] - share.size)],
                                         edges[:-1])
                if j == 0:
                    ax.stairs(binned, edges, fill=True, color=colour, alpha=0.45, label=label)
                else:
                    ax.stairs(binned, edges, color=colour, lw=1.6, label=label)
        ax.set_xlabel("labels per sample" + (f" (bins of {step})" if step > 1 else ""))
        ax.set_ylabel("share of samples")
        ax.grid(axis="x", visible=False)
        if top <= 20:
            ax.set_xticks(np.arange(top + 1))
        ax.legend(loc="upper right")

    caption = ("The grey bars are the truth; a model whose bars sit left of them predicts "
               "too few labels per sample, right of them too many.")
    return Plot("plot-cardinality-models", "Labels per sample: true and each model's",
                _draw(draw, "plot-cardinality-models"), caption)
