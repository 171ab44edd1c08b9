"""THE metric registry: every number a report can hold, with its properties.

Reports, the command line and the docs enumerate :data:`REGISTRY`; nothing
else lists metrics. A new metric is one entry here plus one formula. The
``*_at_k`` metrics exist for every cutoff k; :data:`REGISTRY` lists them at the
report's default cutoffs 1, 3 and 5, and :func:`lookup` resolves any other.

Threshold metrics compute from :class:`~labelwise.counts.Counts`; score-based
metrics (``needs_scores``) from a :class:`~labelwise.ranking.ScoreSummary`.

Each entry also says what it is, field by field: its ``family`` (``"f1"``,
``"roc_auc"``, ``"precision_at_k"``, ...), its ``average`` and its cutoff ``k``,
so that nothing needs to take a name apart. Its ``twin`` names the function of
:mod:`labelwise.metrics` that gives the same number on its own, with the keyword
arguments that make it so; the twin is imported only when asked for, so this
module never imports the metric functions.

Examples
--------
>>> from labelwise.registry import REGISTRY, lookup
>>> m = REGISTRY["f1_macro"]
>>> m.family, m.average, m.k
('f1', 'macro', None)
>>> m.twin.function, dict(m.twin.kwargs), m.twin.settings
('labelwise.metrics.f1_score', {'average': 'macro'}, ('zero_division',))
>>> m.twin_function()([[1, 0], [1, 1]], [[1, 0], [0, 1]], zero_division=0)
0.8333333333333333
>>> p7 = lookup("precision_at_7")
>>> p7.family, p7.k, dict(p7.twin.kwargs)
('precision_at_k', 7, {'k': 7})
>>> print(REGISTRY["mcc_micro"].twin)
None
"""

from __future__ import annotations

import functools
import importlib
import re
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, NamedTuple

from . import formulas as F
from ._validate import AVERAGES
from .ranking import REPORT_KS, ScoreSummary, average_label_values

__all__ = ["Metric", "Twin", "AtKFamily", "AT_K_FAMILIES", "REGISTRY", "lookup", "at_k_metric",
           "metric_names", "needs_sorted_scores", "threshold_values", "score_values",
           "markdown", "splice_markdown", "MARKDOWN_START", "MARKDOWN_END"]


class Twin(NamedTuple):
    """The function of :mod:`labelwise.metrics` that gives a registry metric on its own.

    Attributes
    ----------
    function : str
        Dotted path, e.g. ``"labelwise.metrics.f1_score"``.
    kwargs : mapping
        Keyword arguments that make it this metric, e.g. ``{"average": "micro"}``.
    settings : tuple of str
        Settings of :func:`labelwise.evaluate` it takes too, under the same
        names (``"zero_division"``, ``"beta"``, ``"inv_propensity"``); pass
        evaluate's values for the same number. Every twin also takes
        ``sample_weight``.
    differs : str
        Where the twin's number is not :func:`labelwise.evaluate`'s (the twin
        then returns NaN); empty when they agree on every input.

    Examples
    --------
    >>> from labelwise.registry import Twin
    >>> Twin("labelwise.metrics.fbeta_score", {"average": "micro"}, ("beta", "zero_division")).call()
    'fbeta_score(average="micro", beta=beta, zero_division=zero_division)'
    """

    function: str
    kwargs: Mapping[str, Any] = types.MappingProxyType({})
    settings: tuple[str, ...] = ()
    differs: str = ""

    def call(self) -> str:
        """The call as text: the function's own name, its keyword arguments, then the settings."""
        args = [f"{k}={_literal(v)}" for k, v in self.kwargs.items()]
        args += [f"{s}={s}" for s in self.settings]
        return f"{self.function.rpartition('.')[2]}({', '.join(args)})"


def _literal(value) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _twin(function: str, settings: tuple[str, ...] = (), differs: str = "", **kwargs) -> Twin:
    return Twin(f"labelwise.metrics.{function}", types.MappingProxyType(kwargs), settings, differs)


@dataclass(frozen=True)
class Metric:
    """One reportable number.

    Attributes
    ----------
    name : str
        Report key, e.g. ``"f1_micro"``.
    direction : {"higher", "lower"}
        Which way is better.
    needs_scores : bool
        Whether it needs scores rather than hard predictions.
    group : str
        ``"example"``, an average (``"micro"``, ...), ``"ranking"`` or ``"at_k"``.
    description : str
        One line for humans.
    compute : callable
        Threshold metrics: ``compute(counts, zero_division, beta, memo)``;
        score metrics: ``compute(summary)``. ``None`` where not computable.
    family : str
        What it measures, whatever the average or cutoff: ``"f1"``,
        ``"roc_auc"``, ``"precision_at_k"``, ``"hamming_loss"``, ...
    average : {None, "micro", "macro", "weighted", "samples"}
        How units combine, for the label-based and ROC-AUC/AP families.
    k : int or None
        The cutoff of an @k metric.
    twin : Twin or None
        Its function in :mod:`labelwise.metrics`; None when that module has none.
    """

    name: str
    direction: str
    needs_scores: bool
    group: str
    description: str
    compute: Callable
    family: str
    average: str | None = None
    k: int | None = None
    twin: Twin | None = field(default=None, hash=False)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    def twin_function(self) -> Callable | None:
        """The twin as a callable ``(y_true, y_pred_or_score, **kw)``, or None without one.

        The twin's fixed keyword arguments (``average``, ``k``) are bound; pass
        ``sample_weight`` and the :attr:`Twin.settings` as ``**kw``.

        Examples
        --------
        >>> from labelwise.registry import lookup
        >>> lookup("recall_at_2").twin_function()([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]])
        0.5
        """
        if self.twin is None:
            return None
        module, _, attr = self.twin.function.rpartition(".")
        return functools.partial(getattr(importlib.import_module(module), attr),
                                 **self.twin.kwargs)


def _example(name, direction, description, formula, twin) -> Metric:
    return Metric(name, direction, False, "example", description,
                  lambda c, zero_division, beta, memo: formula(c), family=name, twin=twin)


# family -> (twin function, evaluate() settings it takes); the others have no twin
_FAMILY_TWINS = {
    "precision": ("precision_score", ("zero_division",)),
    "recall": ("recall_score", ("zero_division",)),
    "f1": ("f1_score", ("zero_division",)),
    "fbeta": ("fbeta_score", ("beta", "zero_division")),
    "jaccard": ("jaccard_score", ("zero_division",)),
}


def _family(family: F.Family, avg: str) -> Metric:
    def compute(c, zero_division, beta, memo):
        return F.average(c, family, avg, zero_division, beta, memo)

    twin = _FAMILY_TWINS.get(family.name)
    return Metric(f"{family.name}_{avg}", "higher", False, avg,
                  f"{family.title}, {avg}-averaged", compute, family=family.name, average=avg,
                  twin=None if twin is None else _twin(twin[0], twin[1], average=avg))


def _label_average(attr: str, avg: str) -> Callable:
    def compute(s: ScoreSummary):
        if not s.dense:
            return None
        if avg == "micro":
            return getattr(s, f"micro_{attr}")
        if avg == "samples":
            return s.rows.mean("auc" if attr == "auc" else "ap")
        return average_label_values(getattr(s, f"label_{attr}"), s.label_support, avg)

    return compute


def _dense_only(field: str) -> Callable:
    return lambda s: s.rows.mean(field) if s.dense else None


def _at_k(field: str, k: int) -> Callable:
    return lambda s: s.at_k(field, k) if k in s.rows.ks else None


def _ps_at_k(field: str, k: int) -> Callable:
    return lambda s: s.ps_at_k(field, k) if s.has_propensity and k in s.rows.ks else None


class AtKFamily(NamedTuple):
    """A metric that exists at every cutoff k: ``precision_at_1``, ``precision_at_2``, ...

    Attributes
    ----------
    family : str
        The family, also the twin's name: ``"precision_at_k"``.
    prefix : str
        What the names start with, and the report's row: ``"precision"``.
    field : str
        Where a :class:`~labelwise.ranking.ScoreSummary` keeps it.
    title : str
    propensity : bool
        Whether it needs ``inv_propensity``.
    """

    family: str
    prefix: str
    field: str
    title: str
    propensity: bool


#: The @k families by family name, in report order.
AT_K_FAMILIES: dict[str, AtKFamily] = {
    f.family: f
    for f in (
        AtKFamily("precision_at_k", "precision", "precision_at_k", "Precision", False),
        AtKFamily("recall_at_k", "recall", "recall_at_k", "Recall", False),
        AtKFamily("ndcg_at_k", "ndcg", "ndcg_at_k", "nDCG", False),
        AtKFamily("psprecision_at_k", "psprecision", "hits", "Propensity-scored precision", True),
        AtKFamily("psndcg_at_k", "psndcg", "ndcg", "Propensity-scored nDCG", True),
    )
}
_AT_K_PREFIX = {f.prefix: f for f in AT_K_FAMILIES.values()}
_AT_K_NAME = re.compile(r"^(" + "|".join(_AT_K_PREFIX) + r")_at_([1-9][0-9]*)$")


def at_k_metric(prefix: str, k: int) -> Metric:
    """The metric ``{prefix}_at_{k}``, for any cutoff ``k >= 1``.

    Examples
    --------
    >>> from labelwise.registry import at_k_metric
    >>> m = at_k_metric("psndcg", 10)
    >>> m.name, m.family, m.k, m.twin.call()
    ('psndcg_at_10', 'psndcg_at_k', 10, 'psndcg_at_k(k=10, inv_propensity=inv_propensity)')
    """
    f = _AT_K_PREFIX[prefix]
    settings = ("inv_propensity",) if f.propensity else ()
    return Metric(f"{prefix}_at_{k}", "higher", True, "at_k", f"{f.title} at {k}",
                  (_ps_at_k if f.propensity else _at_k)(f.field, k), family=f.family, k=k,
                  twin=_twin(f.family, settings, k=k))


# (name, direction, summary field, twin, description)
_RANKING = (
    ("label_ranking_average_precision", "higher", "lrap", "label_ranking_average_precision_score",
     "Label ranking average precision: share of labels ranked above each true label that are true"),
    ("label_ranking_loss", "lower", "ranking_loss", "label_ranking_loss",
     "Share of (true, false) label pairs ranked in the wrong order"),
    ("coverage_error", "lower", "coverage", "coverage_error",
     "Mean depth of the ranking needed to cover every true label"),
    ("one_error", "lower", "one_error", "one_error",
     "Share of samples whose top-ranked label is not true"),
)

# Where scikit-learn's ROC-AUC (the twin) is NaN and evaluate() averages what is defined.
_AUC_DIFFERS = {
    "macro": "NaN if a label's truth is constant; `evaluate()` averages the other labels",
    "weighted": "NaN if a label with support has no negative; `evaluate()` averages the other "
                "labels",
    "samples": "NaN if a sample's labels are all true or all false; `evaluate()` averages the "
               "other samples",
}


def _calibration(compute: Callable) -> Callable:
    return lambda s: None if s.calibration is None else compute(s)


# (name, family, average, twin kwargs, description, compute from a ScoreSummary)
_CALIBRATION = (
    ("ece_macro", "ece", "macro", {"average": "macro"},
     "Classwise expected calibration error: each label's |frequency - mean score| over "
     "equal-width score bins, weighted by the bins' shares, then the mean over labels",
     _calibration(lambda s: s.calibration.ece("macro"))),
    ("ece_micro", "ece", "micro", {"average": "micro"},
     "Expected calibration error over every (sample, label) entry pooled",
     _calibration(lambda s: s.calibration.ece("micro"))),
    ("ece_adaptive_macro", "ece_adaptive", "macro", {"average": "macro", "strategy": "quantile"},
     "Classwise ECE over equal-mass bins (each label's score percentiles)",
     lambda s: s.ece_adaptive),
    ("brier_macro", "brier", "macro", {"average": "macro"},
     "Brier score: mean squared difference of score and truth per label, then the mean over "
     "labels", _calibration(lambda s: s.calibration.brier("macro"))),
    ("brier_micro", "brier", "micro", {"average": "micro"},
     "Brier score over every (sample, label) entry pooled",
     _calibration(lambda s: s.calibration.brier("micro"))),
    ("log_loss", "log_loss", None, {"average": "micro"},
     "Mean binary cross-entropy over every (sample, label) entry, probabilities clipped to "
     "[eps, 1 - eps] with eps = 2.2e-16", _calibration(lambda s: s.calibration.log_loss("micro"))),
)
_CALIBRATION_TWINS = {"ece": "ece", "ece_adaptive": "ece", "brier": "brier_score",
                      "log_loss": "log_loss"}


def _calibration_metric(name, family, avg, kwargs, description, compute) -> Metric:
    twin = _twin(_CALIBRATION_TWINS[family], ("scores_are_logits",), **kwargs)
    return Metric(name, "lower", True, "calibration", description, compute, family=family,
                  average=avg, twin=twin)


def _curve_metric(family: str, attr: str, title: str, twin: str, avg: str) -> Metric:
    differs = _AUC_DIFFERS.get(avg, "") if family == "roc_auc" else ""
    return Metric(f"{family}_{avg}", "higher", True, avg, f"{title}, {avg}-averaged",
                  _label_average(attr, avg), family=family, average=avg,
                  twin=_twin(twin, differs=differs, average=avg))

REGISTRY: dict[str, Metric] = {
    m.name: m
    for m in (
        _example("subset_accuracy", "higher",
                 "Share of samples whose label set is predicted exactly", F.subset_accuracy,
                 _twin("accuracy_score")),
        _example("hamming_loss", "lower",
                 "Share of sample-label cells predicted wrongly", F.hamming_loss,
                 _twin("hamming_loss")),
        _example("label_accuracy", "higher",
                 "Share of sample-label cells predicted rightly (1 - Hamming loss)",
                 F.label_accuracy, None),
        *(_family(f, avg) for f in F.FAMILIES.values() for avg in AVERAGES),
        *(Metric(name, d, True, "ranking", desc, _dense_only(field), family=name,
                 twin=_twin(twin))
          for name, d, field, twin, desc in _RANKING),
        *(_curve_metric(family, attr, title, twin, avg)
          for family, attr, title, twin in (
              ("roc_auc", "auc", "ROC-AUC", "roc_auc_score"),
              ("average_precision", "ap", "Average precision", "average_precision_score"))
          for avg in AVERAGES),
        *(_calibration_metric(*entry) for entry in _CALIBRATION),
        *(at_k_metric(f.prefix, k) for f in AT_K_FAMILIES.values() for k in REPORT_KS),
    )
}


def lookup(name: str) -> Metric | None:
    """The registry's metric called ``name``, including ``*_at_k`` for any k; else None.

    Examples
    --------
    >>> from labelwise.registry import lookup
    >>> lookup("ndcg_at_10").description, lookup("hamming_loss").direction
    ('nDCG at 10', 'lower')
    >>> print(lookup("f1_mikro"))
    None
    """
    found = REGISTRY.get(name)
    if found is None:
        m = _AT_K_NAME.match(name)
        if m:
            found = at_k_metric(m.group(1), int(m.group(2)))
    return found


def needs_sorted_scores(name: str) -> bool:
    """Whether ``name`` is a per-label or pooled ROC-AUC or AP: not a sum over samples,
    so it needs every score (sorted), not only per-sample values.

    >>> needs_sorted_scores("roc_auc_macro"), needs_sorted_scores("roc_auc_samples")
    (True, False)
    """
    m = lookup(name)
    return (m is not None and m.family in ("roc_auc", "average_precision")
            and m.average != "samples")


def metric_names(*, needs_scores: bool | None = None) -> list[str]:
    """Names in the registry, optionally only those that (do not) need scores.

    Examples
    --------
    >>> from labelwise import metric_names
    >>> metric_names()[:5]
    ['subset_accuracy', 'hamming_loss', 'label_accuracy', 'precision_micro', 'precision_macro']
    >>> metric_names(needs_scores=True)[:2]
    ['label_ranking_average_precision', 'label_ranking_loss']
    """
    return [
        m.name for m in REGISTRY.values() if needs_scores is None or m.needs_scores == needs_scores
    ]


def threshold_values(counts, zero_division, beta, memo=None) -> dict[str, float]:
    """Every threshold metric of the registry, computed from ``counts``; ``memo`` as in
    :func:`labelwise.formulas.per_label`, to share the per-label values with the caller."""
    memo = {} if memo is None else memo
    return {
        m.name: float(m.compute(counts, zero_division, beta, memo))
        for m in REGISTRY.values()
        if not m.needs_scores
    }


def score_values(summary: ScoreSummary) -> dict[str, float]:
    """Every score metric of the registry that ``summary`` can give (others are left out),
    the ``*_at_k`` metrics at the cutoffs the summary was made for."""
    out = {}
    wanted = [m for m in REGISTRY.values() if m.needs_scores and m.group != "at_k"]
    wanted += [at_k_metric(f.prefix, k) for f in AT_K_FAMILIES.values() for k in summary.rows.ks]
    for m in wanted:
        value = m.compute(summary)
        if value is not None:
            out[m.name] = float(value)
    return out


# --------------------------------------------------------------------------
# The registry as Markdown (docs/metrics.md)
# --------------------------------------------------------------------------

MARKDOWN_START = "<!-- registry:start -->"
MARKDOWN_END = "<!-- registry:end -->"

# (heading, which metrics): the report's sections
_MARKDOWN_SECTIONS = (
    ("Example-based", lambda m: not m.needs_scores and m.average is None),
    ("Label-based", lambda m: not m.needs_scores and m.average is not None),
    ("Ranking (from scores)", lambda m: m.needs_scores and m.average is None and m.k is None
     and m.group != "calibration"),
    ("Score-based", lambda m: m.needs_scores and m.average is not None
     and m.group != "calibration"),
    ("Calibration (from probabilities)", lambda m: m.group == "calibration"),
    ("At k", lambda m: m.k is not None),
)


def _md_row(m: Metric) -> str:
    if m.twin is None:
        twin = "none"
    else:
        twin = f"`{m.twin.call()}`" + (f"; {m.twin.differs}" if m.twin.differs else "")
    cells = [f"`{m.name}`", m.direction, "yes" if m.needs_scores else "no", m.description, twin]
    return "| " + " | ".join(cells) + " |"


def markdown() -> str:
    """The metric tables of ``docs/metrics.md``, made from :data:`REGISTRY`.

    One table per report section, one row per entry: its name, which way is
    better, whether it needs scores, its description and its twin in
    :mod:`labelwise.metrics` (``none`` where that module has none). The text
    goes between :data:`MARKDOWN_START` and :data:`MARKDOWN_END`; see
    :func:`splice_markdown`.

    Examples
    --------
    >>> from labelwise.registry import markdown
    >>> print(markdown().splitlines()[4])
    | name | better | needs scores | description | twin in `labelwise.metrics` |
    >>> print([line for line in markdown().splitlines() if "`f1_macro`" in line][0])
    | `f1_macro` | higher | no | F1, macro-averaged | `f1_score(average="macro", zero_division=zero_division)` |
    """
    lines = ["<!-- made from labelwise.registry by docs/make_metrics_doc.py: edit the registry, "
             "not this part -->"]
    for heading, chosen in _MARKDOWN_SECTIONS:
        lines += ["", f"### {heading}", "",
                  "| name | better | needs scores | description | twin in `labelwise.metrics` |",
                  "|---|---|---|---|---|"]
        lines += [_md_row(m) for m in REGISTRY.values() if chosen(m)]
    return "\n".join(lines) + "\n"


def splice_markdown(text: str) -> str:
    """``text`` with :func:`markdown` between its markers, the rest kept as it is.

    Examples
    --------
    >>> from labelwise.registry import splice_markdown, MARKDOWN_START, MARKDOWN_END
    >>> page = f"# Metrics\\n\\n{MARKDOWN_START}\\nold\\n{MARKDOWN_END}\\n\\nMore prose.\\n"
    >>> new = splice_markdown(page)
    >>> new.startswith("# Metrics\\n\\n<!-- registry:start -->\\n<!-- made from")
    True
    >>> new.endswith("|\\n<!-- registry:end -->\\n\\nMore prose.\\n")
    True
    >>> splice_markdown("no markers")
    Traceback (most recent call last):
    ...
    ValueError: the text needs one line '<!-- registry:start -->' and, after it, one line '<!-- registry:end -->'
    """
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == MARKDOWN_START]
    ends = [i for i, line in enumerate(lines) if line.strip() == MARKDOWN_END]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise ValueError(f"the text needs one line {MARKDOWN_START!r} and, after it, "
                         f"one line {MARKDOWN_END!r}")
    start, end = starts[0], ends[0]
    return "".join(lines[: start + 1]) + markdown() + "".join(lines[end:])
