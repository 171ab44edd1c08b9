"""``compare()``: is one model better than another, or is the difference noise?

All models are evaluated on the same samples, so they are compared *paired*: every
resample draws the same rows for every model, and the difference of a metric
between two models is what gets an interval and a p-value. Three tests:

``"paired_bootstrap"`` (the default; Koehn 2004)
    ``n_resamples`` multinomial resamples of the rows; the p-value of the
    difference by the shift method (the resampled differences centred on the
    observed one, two-sided).
``"permutation"`` (approximate randomisation; Riezler and Maxwell 2005)
    in each of ``n_resamples`` rounds, every sample's outputs of the two models are
    swapped with probability 1/2; the p-value is the share of rounds whose
    difference is at least as large as the observed one. It needs metrics that are
    sums over samples, so not the per-label or micro ROC-AUC and AP.
``"mcnemar"``
    for exact match (``subset_accuracy``): from the samples only one of the two
    models gets exactly right, an exact binomial test below 25 of them, else
    chi-square with continuity correction; no disagreement gives p = 1.

The p-values of each metric are corrected for the number of model pairs (Holm's
step-down method by default). Whatever the test, the interval of each difference
and of each model's value comes from the paired bootstrap (percentile).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from . import defaults as D
from ._names import did_you_mean
from .engine import Accumulator, looks_like_scores
from .errors import InputError
from .registry import lookup, needs_sorted_scores
from .report import Report, safe_label
from .stats.bootstrap import block_size, seed_entropy, weight_blocks
from .stats.intervals import check_level, percentile_interval
from .stats.significance import holm, mcnemar, permutation_pvalue, shift_pvalue

__all__ = ["compare", "compare_accumulators", "Comparison", "TESTS", "CORRECTIONS"]

TESTS = ("paired_bootstrap", "permutation", "mcnemar")
CORRECTIONS = ("holm", "bonferroni", "none")
LABEL_METRICS = ("subset_accuracy", "hamming_loss", "f1_micro", "f1_macro", "f1_samples")
SCORE_METRICS = LABEL_METRICS + ("roc_auc_macro", "average_precision_macro",
                                 "label_ranking_average_precision")


def compare(y_true, models: dict, *, metrics=None, test="paired_bootstrap",
            n_resamples=10_000, seed=None, correction="holm", ci=0.95, alpha=0.05,
            labels=None, threshold=D.THRESHOLD, inclusive=False, k=D.CUTOFFS,
            zero_division=D.ZERO_DIVISION, beta=D.BETA, sample_weight=None, sep=",",
            scores_are_logits=False) -> "Comparison":
    """Compare models evaluated on the same samples, with paired tests.

    Parameters
    ----------
    y_true : any input kind of :func:`labelwise.evaluate`
        The true labels, shared by every model.
    models : dict
        Model name to its hard predictions or its scores (read as scores when they
        hold values other than 0 and 1, or are sparse or top-k); at least two.
    metrics : sequence of str, optional
        Registry names. Default: subset accuracy, Hamming loss, micro, macro and
        samples F1, and, when every model gives scores, macro ROC-AUC and AP and
        LRAP; for ``test="mcnemar"``, subset accuracy.
    test : {"paired_bootstrap", "permutation", "mcnemar"}
        See the module notes.
    n_resamples : int, default 10000
        Bootstrap resamples (and permutation rounds).
    seed : int or tuple of int, optional
        The same seed gives the same result whatever the number of threads;
        without it, fresh entropy is drawn and kept in ``Comparison.seed``.
    correction : {"holm", "bonferroni", "none"}, default "holm"
        Correction of each metric's p-values for the number of model pairs.
    ci : float, default 0.95
        Level of the intervals of the values and of the differences.
    alpha : float, default 0.05
        Significance level of the marks in :meth:`Comparison.table`.
    labels, threshold, inclusive, k, zero_division, beta, sample_weight, sep, scores_are_logits
        As in :func:`labelwise.evaluate`; applied to every model.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import numpy as np, labelwise
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random((400, 4)) < 0.3
    >>> good = np.where(rng.random((400, 4)) < 0.9, y, ~y)
    >>> poor = np.where(rng.random((400, 4)) < 0.6, y, ~y)
    >>> cmp = labelwise.compare(y, {"good": good, "poor": poor}, n_resamples=2000, seed=0)
    >>> cmp.pvalue("f1_micro", "good", "poor") < 0.01
    True
    >>> diff, low, high = cmp.difference("f1_micro", "good", "poor")
    >>> bool(0 < low < diff < high)
    True
    >>> labelwise.compare(y, {"a": good, "b": good.copy()}, n_resamples=500,
    ...                   seed=0).pvalue("f1_macro", "a", "b")
    1.0
    """
    _check_models(models)
    accs = {}
    for name, out in models.items():
        scored = _is_scores(out)
        kw = dict(threshold=threshold, inclusive=inclusive, k=k,
                  scores_are_logits=scores_are_logits) if scored else {}
        acc = Accumulator(labels, zero_division=zero_division, beta=beta, sep=sep, **kw)
        acc.keep_rows()
        if scored:
            acc.update(y_true, y_score=out, sample_weight=sample_weight)
        else:
            acc.update(y_true, out, sample_weight=sample_weight)
        accs[name] = acc
    return compare_accumulators(accs, metrics=metrics, test=test, n_resamples=n_resamples,
                                seed=seed, correction=correction, ci=ci, alpha=alpha)


def _is_scores(out) -> bool:
    """Scores, unless a sparse matrix holds only 0 and 1 (hard predictions)."""
    import scipy.sparse as sp

    if sp.issparse(out):
        data = out.tocsr().data
        return bool(np.any((data != 0) & (data != 1)))
    return looks_like_scores(out)


def _check_models(models) -> None:
    if not isinstance(models, dict):
        raise InputError(f"models must be a dict of model name to predictions or scores, got "
                         f"a {type(models).__name__}: pass {{'a': pred_a, 'b': pred_b}}.")
    if len(models) < 2:
        raise InputError(f"compare() needs at least two models, got {len(models)}: pass "
                         "{'a': pred_a, 'b': pred_b}.")


def compare_accumulators(accs: dict, *, metrics=None, test="paired_bootstrap",
                         n_resamples=10_000, seed=None, correction="holm", ci=0.95,
                         alpha=0.05) -> "Comparison":
    """:func:`compare` of models already fed to accumulators that kept their rows
    (:meth:`~labelwise.Accumulator.keep_rows` or ``ci=``), over the same samples in the
    same order; the command line streams each file into one."""
    _check_models(accs)
    if test not in TESTS:
        raise InputError(f"test must be one of {', '.join(map(repr, TESTS))}, got {test!r}.")
    if correction not in CORRECTIONS:
        raise InputError(f"correction must be one of {', '.join(map(repr, CORRECTIONS))}, got "
                         f"{correction!r}.")
    check_level(ci, "ci")
    check_level(alpha, "alpha")
    if (isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer))
            or n_resamples < 2):
        raise InputError(f"n_resamples must be an integer of at least 2 (10000 is usual), got "
                         f"{n_resamples!r}.")
    names = tuple(accs)
    reports = {m: acc.report() for m, acc in accs.items()}
    samples = {m: acc.samples() for m, acc in accs.items()}
    if any(s is None for s in samples.values()):
        raise InputError("every accumulator must keep its rows: call keep_rows() (or give "
                         "ci=) before its first update().")
    _check_same_rows(names, reports, samples)
    wanted = _metrics(metrics, test, reports)
    zd, beta = _settings(accs)
    seed = seed_entropy(seed)
    values = {m: np.array([reports[m][x] for x in wanted]) for m in names}
    reps = {m: [] for m in names}
    for W in weight_blocks(samples[names[0]].n, n_resamples, "percentile", seed, key=(0,)):
        for m in names:
            v, _ = samples[m].metrics(W, wanted, zd, beta)
            reps[m].append(np.stack([v[x] for x in wanted], axis=1))
    reps = {m: np.concatenate(r) for m, r in reps.items()}
    level_ci = {m: percentile_interval(reps[m], ci) for m in names}
    pairs = list(combinations(names, 2))
    raw = np.full((len(pairs), len(wanted)), np.nan)
    diffs = {}
    for q, (a, b) in enumerate(pairs):
        observed = values[a] - values[b]
        replicated = reps[a] - reps[b]
        low, high = percentile_interval(replicated, ci)
        diffs[(a, b)] = (observed, low, high)
        if test == "paired_bootstrap":
            raw[q] = shift_pvalue(observed, replicated)
        elif test == "permutation":
            raw[q] = permutation_pvalue(observed, _permuted(accs[a], accs[b], wanted, zd, beta,
                                                            n_resamples, seed, q))
        else:
            raw[q] = _mcnemar(samples[a], samples[b], reports[a])
    adjusted = _corrected(raw, correction)
    return Comparison(
        models=names, metrics=wanted, test=test, correction=correction,
        n_resamples=int(n_resamples), seed=seed, ci_level=float(ci), alpha=float(alpha),
        values={x: {m: float(values[m][j]) for m in names} for j, x in enumerate(wanted)},
        intervals={x: {m: (float(level_ci[m][0][j]), float(level_ci[m][1][j])) for m in names}
                   for j, x in enumerate(wanted)},
        differences={(x, a, b): (float(diffs[(a, b)][0][j]), float(diffs[(a, b)][1][j]),
                                 float(diffs[(a, b)][2][j]))
                     for (a, b) in pairs for j, x in enumerate(wanted)},
        pvalues={(x, a, b): float(adjusted[q, j]) for q, (a, b) in enumerate(pairs)
                 for j, x in enumerate(wanted)},
        raw_pvalues={(x, a, b): float(raw[q, j]) for q, (a, b) in enumerate(pairs)
                     for j, x in enumerate(wanted)},
        reports=reports,
    )


def _settings(accs: dict):
    first = next(iter(accs.values())).settings
    for name, acc in accs.items():
        s = acc.settings
        if repr((s["zero_division"], s["beta"])) != repr((first["zero_division"],
                                                          first["beta"])):
            raise InputError(f"model {name!r} was evaluated with other zero_division or beta "
                             "settings: compare models under the same settings.")
    from ._validate import check_zero_division

    return check_zero_division(first["zero_division"]), first["beta"]


def _check_same_rows(names, reports, samples) -> None:
    first = names[0]
    for m in names[1:]:
        if reports[m].labels != reports[first].labels:
            raise InputError(f"models {first!r} and {m!r} were evaluated over different labels "
                             f"({len(reports[first].labels)} and {len(reports[m].labels)}): "
                             "give every model the same labels (labels=[...]).")
        a, b = samples[first], samples[m]
        if a.n != b.n:
            raise InputError(f"model {m!r} has {b.n} samples but {first!r} has {a.n}: every "
                             "model must be evaluated on the same samples.")
        if not _same_truth(a, b):
            raise InputError(f"models {first!r} and {m!r} were evaluated against different "
                             "truth rows: compare models on the same samples in the same "
                             "order.")


def _same_truth(a, b) -> bool:
    ta = (a.both_c + a.fn_c).tocsr()
    tb = (b.both_c + b.fn_c).tocsr()
    return (ta != tb).nnz == 0


def _metrics(metrics, test, reports) -> tuple:
    common = set.intersection(*(set(r.metrics) for r in reports.values()))
    if metrics is None:
        if test == "mcnemar":
            metrics = ("subset_accuracy",)
        else:
            default = SCORE_METRICS if all("roc_auc_macro" in r for r in reports.values()) \
                else LABEL_METRICS
            metrics = tuple(x for x in default if x in common and not (
                test == "permutation" and needs_sorted_scores(x)))
    elif isinstance(metrics, str):
        metrics = (metrics,)
    metrics = tuple(metrics)
    if not metrics:
        raise InputError("metrics is empty: name at least one metric, such as 'f1_macro'.")
    for x in metrics:
        if lookup(x) is None:
            raise InputError(f"unknown metric {x!r}{did_you_mean(x, common)}; "
                             "'labelwise metrics' lists them.")
        if x not in common:
            raise InputError(f"not every model has {x!r}: it needs scores (or a cutoff k "
                             "within the number of labels) for every model.")
    if test == "mcnemar" and metrics != ("subset_accuracy",):
        raise InputError("test='mcnemar' compares exact matches: use metrics=['subset_accuracy'] "
                         "(the default for it), or test='paired_bootstrap' for other metrics.")
    if test == "permutation":
        sorted_ = [x for x in metrics if needs_sorted_scores(x)]
        if sorted_:
            raise InputError(
                f"test='permutation' needs metrics that are sums over samples; {sorted_} are "
                "not (each needs every score sorted): use test='paired_bootstrap' for them, "
                "or their samples average (roc_auc_samples, average_precision_samples).")
    return metrics


def _permuted(a: Accumulator, b: Accumulator, wanted, zd, beta, n_resamples, seed, pair):
    """Differences with each sample's two outputs swapped at random (n_resamples, m)."""
    both = a.log.copy()
    both.extend(b.log)
    rows = both.samples(ranking=any(lookup(x).needs_scores for x in wanted), ks=a.ks,
                        has_propensity=a.inv_propensity is not None,
                        dense=a.dense and b.dense and a.kind == b.kind == "scores")
    n = rows.n // 2
    out = []
    rng_root = np.random.SeedSequence(seed, spawn_key=(1, pair))
    block = block_size(rows.n)
    n_blocks = -(-n_resamples // block)
    for i, child in enumerate(rng_root.spawn(n_blocks)):
        size = min(block, n_resamples - i * block)
        swap = np.random.default_rng(child).random((n, size)) < 0.5
        keep = (~swap).astype(np.float64)
        swap = swap.astype(np.float64)
        va, _ = rows.metrics(np.vstack([keep, swap]), wanted, zd, beta)
        vb, _ = rows.metrics(np.vstack([swap, keep]), wanted, zd, beta)
        out.append(np.stack([va[x] - vb[x] for x in wanted], axis=1))
    return np.concatenate(out)


def _mcnemar(a, b, report: Report) -> np.ndarray:
    if a.sample_weight is not None:
        raise InputError("test='mcnemar' counts samples, so it takes no sample_weight: drop "
                         "the weights, or use test='paired_bootstrap'.")
    ea, eb = a.exact_match(), b.exact_match()
    return np.array([mcnemar(int(np.sum(ea & ~eb)), int(np.sum(eb & ~ea)))])


def _corrected(raw: np.ndarray, correction: str) -> np.ndarray:
    if correction == "none":
        return raw.copy()
    if correction == "bonferroni":
        m = np.sum(~np.isnan(raw), axis=0, keepdims=True)
        return np.minimum(1.0, raw * m)
    return np.stack([holm(raw[:, j]) for j in range(raw.shape[1])], axis=1)


# --------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------

_SUPERSCRIPT = dict(zip("abcdefghijklmnoprstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"))


def letters(n: int) -> list:
    """Model tags: a, b, ..., z, aa, ab, ..."""
    out = []
    for i in range(n):
        s, i2 = "", i
        while True:
            s = "abcdefghijklmnopqrstuvwxyz"[i2 % 26] + s
            i2 = i2 // 26 - 1
            if i2 < 0:
                break
        out.append(s)
    return out


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`: values, intervals, paired differences and p-values.

    Attributes
    ----------
    models : tuple
        Model names, in the order given.
    metrics : tuple
        Registry names compared.
    test, correction, n_resamples, seed, ci_level, alpha
        How the comparison was made (``seed`` reproduces it).
    values : dict
        ``values[metric][model]``: the metric on all the data.
    intervals : dict
        ``intervals[metric][model]``: its paired-bootstrap percentile interval.
    differences : dict
        ``(metric, a, b)`` to ``(value_a - value_b, low, high)`` for each pair in
        model order; :meth:`difference` answers either order.
    pvalues, raw_pvalues : dict
        ``(metric, a, b)`` to the corrected and the uncorrected p-value.
    reports : dict
        Each model's :class:`~labelwise.Report`.
    """

    models: tuple
    metrics: tuple
    test: str
    correction: str
    n_resamples: int
    seed: object
    ci_level: float
    alpha: float
    values: dict
    intervals: dict
    differences: dict
    pvalues: dict
    raw_pvalues: dict
    reports: dict = field(repr=False, default_factory=dict)

    # -- questions ------------------------------------------------------------------

    def _key(self, metric, a, b):
        for name in (a, b):
            if name not in self.models:
                raise InputError(f"no model {name!r} in this comparison"
                                 f"{did_you_mean(name, self.models)}; models: "
                                 f"{', '.join(map(repr, self.models))}.")
        if metric not in self.metrics:
            raise InputError(f"metric {metric!r} was not compared"
                             f"{did_you_mean(metric, self.metrics)}; compared: "
                             f"{', '.join(self.metrics)}.")
        if a == b:
            raise InputError(f"compare two different models, not {a!r} with itself.")
        if (metric, a, b) in self.differences:
            return (metric, a, b), 1.0
        return (metric, b, a), -1.0

    def pvalue(self, metric: str, a, b) -> float:
        """The corrected p-value of the difference of ``metric`` between ``a`` and ``b``."""
        key, _ = self._key(metric, a, b)
        return self.pvalues[key]

    def difference(self, metric: str, a, b) -> tuple:
        """``(value_a - value_b, low, high)``: the difference and its interval."""
        key, sign = self._key(metric, a, b)
        d, lo, hi = self.differences[key]
        return (d, lo, hi) if sign > 0 else (-d, -hi, -lo)

    def best(self, metric: str):
        """The model with the best value of ``metric`` (the first one on ties)."""
        higher = lookup(metric).higher_is_better
        vals = self.values[metric]
        pick = max if higher else min
        return pick(self.models, key=lambda m: (vals[m] if not math.isnan(vals[m]) else
                                                (-math.inf if higher else math.inf)))

    def better(self, metric: str, a, b) -> bool:
        """Whether ``a`` is significantly better than ``b`` on ``metric`` (corrected
        p-value below ``alpha``, and the difference in the metric's good direction)."""
        d = self.difference(metric, a, b)[0]
        good = d > 0 if lookup(metric).higher_is_better else d < 0
        return bool(good and self.pvalue(metric, a, b) < self.alpha)

    def significantly_better(self, model, metrics=None) -> bool:
        """Whether ``model`` is significantly better than every other model on every one
        of ``metrics`` (default: all compared); the ``--require-better`` gate."""
        wanted = self.metrics if metrics is None else tuple(metrics)
        return all(self.better(x, model, other) for x in wanted for other in self.models
                   if other != model)

    # -- renderings -----------------------------------------------------------------

    def _cells(self, style: str) -> list:
        tags = letters(len(self.models))
        rows = []
        for x in self.metrics:
            best = self.best(x)
            row = [x]
            for i, m in enumerate(self.models):
                v = self.values[x][m]
                lo, hi = self.intervals[x][m]
                text = f"{v:.4f} [{lo:.4f}, {hi:.4f}]"
                worse = "".join(tags[j] for j, o in enumerate(self.models)
                                if o != m and self.better(x, m, o))
                if style == "text":
                    marks = "".join(_SUPERSCRIPT.get(c, "^" + c) for c in worse)
                    text = ("*" if m == best else "") + text + marks
                elif style == "html":
                    text = (f"<strong>{text}</strong>" if m == best else text) + (
                        f"<sup>{','.join(worse)}</sup>" if worse else "")
                elif style == "markdown":
                    text = (f"**{text}**" if m == best else text) + (
                        f"<sup>{','.join(worse)}</sup>" if worse else "")
                else:
                    text = (f"\\textbf{{{text}}}" if m == best else text) + (
                        f"$^{{{worse}}}$" if worse else "")
                row.append(text)
            rows.append(row)
        return rows

    def _header(self) -> list:
        return ["metric"] + [f"{c}: {safe_label(m, 32)}"
                             for c, m in zip(letters(len(self.models)), self.models)]

    def legend(self) -> str:
        """One sentence: how the comparison was made and what the marks mean."""
        return self._legend()

    def _legend(self) -> str:
        corr = {"holm": "Holm-corrected", "bonferroni": "Bonferroni-corrected",
                "none": "uncorrected"}[self.correction]
        return (f"{self.test.replace('_', ' ')} test, {self.n_resamples} resamples, seed "
                f"{self.seed}; values with {self.ci_level:.0%} intervals; best marked; a "
                f"letter marks each model this one is significantly better than ({corr} "
                f"p < {self.alpha:g}).")

    def table(self) -> str:
        """Metric x model values with intervals, as fixed-width text: ``*`` marks the best
        model, and superscript letters the models significantly worse than this one."""
        rows = [self._header()] + self._cells("text")
        widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) if j == 0 else c.rjust(w)
                           for j, (c, w) in enumerate(zip(r, widths))).rstrip() for r in rows]
        return "\n".join(lines + ["", self._legend()])

    def __str__(self) -> str:
        return self.table()

    def to_markdown(self) -> str:
        """The table in Markdown: the best model in bold, superscript letters of the models
        significantly worse."""
        head = self._header()
        out = ["| " + " | ".join(_md(h) for h in head) + " |",
               "|---" + "|---:" * (len(head) - 1) + "|"]
        out += ["| " + " | ".join(row) + " |" for row in self._cells("markdown")]
        return "\n".join(out + ["", _md(self._legend())]) + "\n"

    def _repr_html_(self) -> str:
        """The table as an HTML fragment for notebooks: the best model in bold, superscript
        letters of the models significantly worse, and the legend; model names escaped.

        Examples
        --------
        >>> import numpy as np, labelwise
        >>> rng = np.random.default_rng(0)
        >>> y = rng.random((200, 4)) < 0.3
        >>> good = np.where(rng.random((200, 4)) < 0.9, y, ~y)
        >>> poor = np.where(rng.random((200, 4)) < 0.6, y, ~y)
        >>> cmp = labelwise.compare(y, {"<good>": good, "poor": poor}, metrics=["f1_micro"],
        ...                         n_resamples=200, seed=0)
        >>> html = cmp._repr_html_()
        >>> "a: &lt;good&gt;" in html and "<good>" not in html
        True
        >>> "<strong>" in html and "<sup>b</sup>" in html
        True
        """
        from markupsafe import escape

        head = "".join(f"<th>{escape(h)}</th>" for h in self._header())
        body = "".join(
            f"<tr><td>{escape(row[0])}</td>"
            + "".join(f'<td style="text-align:right">{c}</td>' for c in row[1:]) + "</tr>"
            for row in self._cells("html"))
        return (f'<div class="lw-comparison"><table><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table><p>{escape(self._legend())}</p></div>")

    def to_latex(self) -> str:
        """The table as a LaTeX ``tabular``, ready for a paper."""
        head = [_tex(h) for h in self._header()]
        lines = ["\\begin{tabular}{l" + "r" * (len(head) - 1) + "}", "\\hline",
                 " & ".join(head) + " \\\\", "\\hline"]
        for row in self._cells("latex"):
            lines.append(" & ".join([_tex(row[0])] + row[1:]) + " \\\\")
        lines += ["\\hline", "\\end{tabular}"]
        return "\n".join(lines) + "\n"

    def to_html(self, *, title: str | None = None, inputs: dict | None = None) -> str:
        """The models side by side on one self-contained HTML page.

        The page holds each model's headline metrics as cards (with their paired-
        bootstrap intervals), the values table (best in bold, the letters of the
        models each is significantly better than), every pairwise difference with
        its interval, its corrected and uncorrected p-values and a verdict, each
        model's findings, a sortable per-label table (F1, precision and recall of
        every model, and the first model's difference with each other one), and
        figures: each label's F1 under the first model against each other model,
        the micro precision-recall curves when every model has scores, and labels
        per sample. Nothing is fetched from the network; model, label and file
        names are escaped.

        Parameters
        ----------
        title : str, optional
            The page title (default ``"labelwise: a against b"`` for two models).
        inputs : dict, optional
            The files compared, shown in the header: ``{"truth": path,
            "models": {model name: path}}``.

        Examples
        --------
        >>> import numpy as np, labelwise
        >>> rng = np.random.default_rng(0)
        >>> y = rng.random((200, 4)) < 0.3
        >>> good = np.where(rng.random((200, 4)) < 0.9, y, ~y)
        >>> poor = np.where(rng.random((200, 4)) < 0.6, y, ~y)
        >>> cmp = labelwise.compare(y, {"good": good, "poor": poor}, n_resamples=200, seed=0)
        >>> page = cmp.to_html()
        >>> page.count('class="lw-card ') == 2 * 5  # five headline cards per model
        True
        >>> f"{cmp.pvalue('f1_micro', 'good', 'poor'):.4g}" in page
        True
        """
        from .html_report import render_comparison_html

        return render_comparison_html(self, title=title, inputs=inputs)

    def to_dict(self) -> dict:
        """Plain JSON-safe data (NaN as None)."""
        pairs = [{"metric": x, "a": a, "b": b, "difference": d, "low": lo, "high": hi,
                  "pvalue": self.pvalues[(x, a, b)], "pvalue_raw": self.raw_pvalues[(x, a, b)],
                  "a_better": self.better(x, a, b), "b_better": self.better(x, b, a)}
                 for (x, a, b), (d, lo, hi) in self.differences.items()]
        d = {"models": list(self.models), "metrics": list(self.metrics), "test": self.test,
             "correction": self.correction, "n_resamples": self.n_resamples,
             "seed": list(self.seed) if isinstance(self.seed, tuple) else self.seed,
             "ci": self.ci_level, "alpha": self.alpha, "values": self.values,
             "intervals": {x: {m: list(v) for m, v in per.items()}
                           for x, per in self.intervals.items()},
             "best": {x: self.best(x) for x in self.metrics}, "comparisons": pairs}
        return _json_safe(d)


def _json_safe(x):
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


_MD = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "\\": "\\\\", "`": "\\`",
       "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]"}


def _md(text: str) -> str:
    return "".join(_MD.get(c, c) for c in safe_label(text))


_TEX = {"\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#",
        "_": "\\_", "{": "\\{", "}": "\\}", "~": "\\textasciitilde{}",
        "^": "\\textasciicircum{}", "<": "\\textless{}", ">": "\\textgreater{}",
        "|": "\\textbar{}"}


def _tex(text: str) -> str:
    return "".join(_TEX.get(c, c) for c in safe_label(text))
