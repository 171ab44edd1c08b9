"""THE metric registry: every number a report can hold, with its properties.

Reports, the command line and the docs enumerate :data:`REGISTRY`; nothing
else lists metrics. A new metric is one entry here plus one formula. The
``*_at_k`` metrics exist for every cutoff k; :data:`REGISTRY` lists them at the
report's default cutoffs 1, 3 and 5, and :func:`lookup` resolves any other.

Threshold metrics compute from :class:`~labelwise.counts.Counts`; score-based
metrics (``needs_scores``) from a :class:`~labelwise.ranking.ScoreSummary`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from . import formulas as F
from ._validate import AVERAGES
from .ranking import REPORT_KS, ScoreSummary, average_label_values

__all__ = ["Metric", "REGISTRY", "lookup", "at_k_metric", "metric_names", "threshold_values",
           "score_values"]


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
    """

    name: str
    direction: str
    needs_scores: bool
    group: str
    description: str
    compute: Callable

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"


def _example(name, direction, description, formula) -> Metric:
    return Metric(name, direction, False, "example", description,
                  lambda c, zero_division, beta, memo: formula(c))


def _family(family: F.Family, avg: str) -> Metric:
    def compute(c, zero_division, beta, memo):
        return F.average(c, family, avg, zero_division, beta, memo)

    return Metric(f"{family.name}_{avg}", "higher", False, avg,
                  f"{family.title}, {avg}-averaged", compute)


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


# (name prefix, summary field, title, propensity-scored) of the metrics at a cutoff k
_AT_K = (
    ("precision", "precision_at_k", "Precision", False),
    ("recall", "recall_at_k", "Recall", False),
    ("ndcg", "ndcg_at_k", "nDCG", False),
    ("psprecision", "hits", "Propensity-scored precision", True),
    ("psndcg", "ndcg", "Propensity-scored nDCG", True),
)
_AT_K_NAME = re.compile(r"^(" + "|".join(p for p, *_ in _AT_K) + r")_at_([1-9][0-9]*)$")


def at_k_metric(prefix: str, k: int) -> Metric:
    """The metric ``{prefix}_at_{k}``, for any cutoff ``k >= 1``."""
    _, field, title, ps = next(x for x in _AT_K if x[0] == prefix)
    return Metric(f"{prefix}_at_{k}", "higher", True, "at_k", f"{title} at {k}",
                  (_ps_at_k if ps else _at_k)(field, k))


_RANKING = (
    ("label_ranking_average_precision", "higher", "lrap",
     "Label ranking average precision: share of labels ranked above each true label that are true"),
    ("label_ranking_loss", "lower", "ranking_loss",
     "Share of (true, false) label pairs ranked in the wrong order"),
    ("coverage_error", "lower", "coverage",
     "Mean depth of the ranking needed to cover every true label"),
    ("one_error", "lower", "one_error", "Share of samples whose top-ranked label is not true"),
)

REGISTRY: dict[str, Metric] = {
    m.name: m
    for m in (
        _example("subset_accuracy", "higher",
                 "Share of samples whose label set is predicted exactly", F.subset_accuracy),
        _example("hamming_loss", "lower",
                 "Share of sample-label cells predicted wrongly", F.hamming_loss),
        _example("label_accuracy", "higher",
                 "Share of sample-label cells predicted rightly (1 - Hamming loss)",
                 F.label_accuracy),
        *(_family(f, avg) for f in F.FAMILIES.values() for avg in AVERAGES),
        *(Metric(name, d, True, "ranking", desc, _dense_only(field))
          for name, d, field, desc in _RANKING),
        *(Metric(f"{name}_{avg}", "higher", True, avg, f"{title}, {avg}-averaged",
                 _label_average(attr, avg))
          for name, attr, title in (("roc_auc", "auc", "ROC-AUC"),
                                    ("average_precision", "ap", "Average precision"))
          for avg in AVERAGES),
        *(at_k_metric(prefix, k) for prefix, *_ in _AT_K for k in REPORT_KS),
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


def threshold_values(counts, zero_division, beta) -> dict[str, float]:
    """Every threshold metric of the registry, computed from ``counts``."""
    memo: dict = {}
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
    wanted += [at_k_metric(prefix, k) for prefix, *_ in _AT_K for k in summary.rows.ks]
    for m in wanted:
        value = m.compute(summary)
        if value is not None:
            out[m.name] = float(value)
    return out
