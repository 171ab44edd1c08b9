"""Reading the results: interpretation bands and pitfall detectors.

Each detector is a small function of a :class:`Context` that returns a
:class:`Finding` or ``None``. A detector must be correct, quiet when nothing is
wrong, and say what to do. The codes are stable; ``docs/findings.md`` documents
each one with a worked example.

Bands are a rule of thumb from common practice, not a verdict: what is good
depends on the task. Replace them with ``evaluate(..., bands=...)``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .counts import Counts
from .errors import InputError
from .registry import REGISTRY

__all__ = [
    "Finding",
    "Context",
    "Thresholding",
    "DEFAULT_BANDS",
    "interpret",
    "check_bands",
    "DETECTORS",
    "run_detectors",
    "check_leakage",
    "fingerprint",
]

SEVERITIES = ("info", "warning", "critical")

#: Slack for comparing computed shares and metrics with a detector's threshold, so that
#: a value meant to sit exactly on a threshold (0.9, written as 1 - 0.1) counts as on it.
EPS = 1e-9


def _is(x, t) -> bool:
    """``x >= t`` up to rounding (see :data:`EPS`)."""
    return x >= t - EPS


@dataclass(frozen=True)
class Finding:
    """One thing worth knowing about an evaluation.

    Attributes
    ----------
    code : str
        Stable identifier, e.g. ``"accuracy_paradox"``.
    severity : {"info", "warning", "critical"}
    message : str
        What was seen, with the numbers.
    suggestion : str
        What to do about it.
    labels : tuple
        The labels involved, if any.
    evidence : dict
        The figures behind the message.
    """

    code: str
    severity: str
    message: str
    suggestion: str
    labels: tuple = ()
    evidence: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain Python data (JSON-safe: no NumPy types, undefined numbers as ``None``)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
            "labels": _plain(list(self.labels)),
            "evidence": _plain(dict(self.evidence)),
        }


def _plain(x):
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return _plain(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


# --------------------------------------------------------------------------
# Interpretation bands
# --------------------------------------------------------------------------

#: pattern -> (good, bad). Higher-is-better metrics read "good" when value >= good,
#: "bad" when value < bad; lower-is-better ones "good" when value <= good, "bad" when
#: value > bad; "fair" in between. A value on a boundary (up to rounding, see :data:`EPS`)
#: gets the better reading.
DEFAULT_BANDS: dict[str, tuple[float, float]] = {
    "hamming_loss": (0.05, 0.3),
    "subset_accuracy": (0.7, 0.1),
    "label_accuracy": (0.95, 0.7),
    "precision_*": (0.8, 0.5),
    "recall_*": (0.8, 0.5),
    "f1_*": (0.8, 0.5),
    "fbeta_*": (0.8, 0.5),
    "jaccard_*": (0.7, 0.35),
    "specificity_*": (0.9, 0.7),
    "balanced_accuracy_*": (0.8, 0.6),
    "mcc_*": (0.6, 0.3),
    "roc_auc_*": (0.85, 0.65),
    "average_precision_*": (0.8, 0.5),
    "label_ranking_average_precision": (0.8, 0.5),
    "label_ranking_loss": (0.1, 0.3),
    "one_error": (0.2, 0.5),
    "precision_at_*": (0.8, 0.5),
    "ndcg_at_*": (0.8, 0.5),
}


def check_bands(bands: dict) -> dict:
    """Validate a bands table ``{metric or pattern: (good, bad)}``; patterns may use ``*``.

    Every pattern must match a registry metric, and ``good`` must be on the better side
    of ``bad`` for each metric it matches (``good >= bad`` where higher is better,
    ``good <= bad`` where lower is better).

    Examples
    --------
    >>> check_bands({"f1_*": [0.9, 0.6]})
    {'f1_*': (0.9, 0.6)}
    """
    if not hasattr(bands, "items"):
        raise InputError(
            f"bands must be a dict {{metric or pattern: [good, bad]}}, got "
            f"{type(bands).__name__}."
        )
    out = {}
    for pattern, pair in bands.items():
        if not isinstance(pattern, str):
            raise InputError(f"bands: keys must be metric names or patterns, got {pattern!r}.")
        matched = [n for n in REGISTRY if fnmatch.fnmatchcase(n, pattern)]
        if not matched:
            raise InputError(
                f"bands: {pattern!r} matches no metric; use registry names such as "
                "'f1_micro' or patterns such as 'f1_*'."
            )
        try:
            if isinstance(pair, (str, bytes)):
                raise TypeError
            good, bad = (float(x) for x in pair)
        except (TypeError, ValueError):
            raise InputError(
                f"bands: {pattern!r} needs two numbers [good, bad], got {pair!r}."
            ) from None
        if not (math.isfinite(good) and math.isfinite(bad)):
            raise InputError(f"bands: {pattern!r} needs two finite numbers, got {pair!r}.")
        for name in matched:
            higher = REGISTRY[name].higher_is_better
            if (good < bad) if higher else (good > bad):
                better = "higher" if higher else "lower"
                sign = ">=" if higher else "<="
                raise InputError(
                    f"bands: {pattern!r} gives good={good:g}, bad={bad:g}, but {name} is "
                    f"better when {better}, so good must be {sign} bad. Write [good, bad] "
                    "in that order"
                    + (" and use separate patterns for metrics that are better when higher "
                       "and when lower." if good != bad else ".")
                )
        out[pattern] = (good, bad)
    return out


def _band_for(name: str, bands: dict):
    """The band of ``name``: its exact entry, else the last pattern in ``bands`` that
    matches it (so entries appended to a table, as ``evaluate(bands=...)`` does, win)."""
    if name in bands:
        return bands[name]
    best = None
    for pattern, pair in bands.items():
        if fnmatch.fnmatchcase(name, pattern):
            best = pair
    return best


def interpret(metrics: dict, bands: dict | None = None) -> dict[str, str]:
    """``"good"``, ``"fair"`` or ``"bad"`` for every metric that has a band.

    Metrics that are NaN, not in the registry, or without a band are left out.

    Examples
    --------
    >>> interpret({"f1_micro": 0.85, "hamming_loss": 0.4, "coverage_error": 3.0})
    {'f1_micro': 'good', 'hamming_loss': 'bad'}
    """
    bands = DEFAULT_BANDS if bands is None else bands
    out = {}
    for name, value in metrics.items():
        if value is None or value != value or name not in REGISTRY:
            continue
        pair = _band_for(name, bands)
        if pair is None:
            continue
        good, bad = pair
        if REGISTRY[name].higher_is_better:
            out[name] = "good" if _is(value, good) else "fair" if _is(value, bad) else "bad"
        else:
            out[name] = "good" if _is(-value, -good) else "fair" if _is(-value, -bad) else "bad"
    return out


# --------------------------------------------------------------------------
# Detectors
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholding:
    """How scores became predictions, with the range of each label's scores.

    Attributes
    ----------
    low, high : ndarray of float64, shape (n_labels,)
        The smallest and largest score of each label. For sparse or top-k scores
        only the stored entries count; a label with none has NaN.
    threshold : float or ndarray
        The threshold as given: one value, or one per label.
    cut : float or ndarray
        The same threshold on the scores' own scale: ``logit(threshold)`` with
        ``scores_are_logits``, else ``threshold``.
    inclusive : bool
        ``score >= cut`` predicts; else ``score > cut``.
    scores_are_logits : bool
    partial : bool
        Sparse or top-k scores: unscored entries are never predicted.

    Examples
    --------
    >>> t = Thresholding.of([[0.1, 0.7], [0.3, 0.9]], threshold=0.5)
    >>> t.low.tolist(), t.high.tolist(), t.cut
    ([0.1, 0.7], [0.3, 0.9], 0.5)
    >>> import scipy.sparse as sp
    >>> t = Thresholding.of(sp.csr_matrix([[0.0, 0.8], [0.4, 0.6]]), threshold=0.5)
    >>> t.low.tolist(), t.partial
    ([0.4, 0.6], True)
    """

    low: np.ndarray
    high: np.ndarray
    threshold: Any
    cut: Any
    inclusive: bool = False
    scores_are_logits: bool = False
    partial: bool = False

    @classmethod
    def of(cls, scores, threshold, cut=None, *, inclusive=False, scores_are_logits=False):
        """The range of ``scores`` per label, without copying them: a column minimum
        and maximum of a dense matrix, or of the stored entries of a sparse one.
        ``cut`` defaults to ``threshold``."""
        cut = threshold if cut is None else cut
        if hasattr(scores, "tocsr"):
            s = scores.tocsr()
            n_labels = s.shape[1]
            low = np.full(n_labels, np.inf)
            high = np.full(n_labels, -np.inf)
            np.minimum.at(low, s.indices, s.data)
            np.maximum.at(high, s.indices, s.data)
            unscored = low == np.inf  # scores are finite, so no stored entry
            low[unscored] = high[unscored] = np.nan
            partial = True
        else:
            v = np.asarray(scores)
            if v.shape[0]:
                low = v.min(axis=0).astype(np.float64)
                high = v.max(axis=0).astype(np.float64)
            else:
                low = high = np.full(v.shape[1], np.nan)
            partial = False
        return cls(low, high, threshold, cut, bool(inclusive), bool(scores_are_logits),
                   partial)


@dataclass
class Context:
    """What the detectors may look at.

    ``label_space`` says where the label vocabulary came from when it was not
    given: ``{"source": "data", "n_labels": int, "only_in_predictions": int}``
    when it is the labels that occur in the data (label sets without
    ``labels=``), ``only_in_predictions`` counting those absent from the truth.
    ``thresholding`` describes how scores were thresholded (see
    :class:`Thresholding`); it is None for hard predictions.
    """

    metrics: dict
    labels: tuple
    counts: Counts
    scores: np.ndarray | None = None  # dense scores, when given
    zero_division: Any = 0.0
    undefined: dict = field(default_factory=dict)  # metric -> labels
    train_metrics: dict | None = None
    thresholds_tuned_on: str | None = None
    data_fingerprint: str | None = None
    label_space: dict | None = None
    thresholding: Thresholding | None = None

    @property
    def support(self) -> np.ndarray:
        return np.asarray(self.counts.tp + self.counts.fn, dtype=np.float64)

    @property
    def predicted(self) -> np.ndarray:
        return np.asarray(self.counts.tp + self.counts.fp, dtype=np.float64)

    def share(self, mask: np.ndarray) -> float:
        """Weighted share of samples whose row group satisfies ``mask``."""
        return float(self.counts.row_weight[mask].sum() / self.counts.total_weight)


def _names(labels, idx, limit=8, show=None) -> str:
    """``'a' (3 positives), 'b' (1 positive) and 5 more``: names quoted, so that label
    names with control characters stay on one line; ``show(j)`` gives the bracket."""
    idx = list(idx)
    shown = ", ".join(repr(str(labels[j])) + (f" ({show(j)})" if show else "")
                      for j in idx[:limit])
    return shown + (f" and {len(idx) - limit} more" if len(idx) > limit else "")


def _positives(sup):
    return lambda j: f"{sup[j]:g} positive" + ("" if sup[j] == 1 else "s")


def accuracy_paradox(c: Context, accuracy=0.9, recall=0.5, critical=0.2) -> Finding | None:
    """High label accuracy with low recall: most cells are negative."""
    acc = c.metrics.get("label_accuracy")
    sup = c.support
    present = np.flatnonzero(sup > 0)
    if acc is None or not present.size or not _is(acc, accuracy):
        return None
    tp = np.asarray(c.counts.tp, dtype=np.float64)
    per_label = np.full(sup.shape, np.nan)
    per_label[present] = tp[present] / sup[present]
    rmi = float(tp.sum() / sup.sum())
    rma = float(np.mean(per_label[present]))
    low = min(rmi, rma)
    if low > recall + EPS:
        return None
    cells = c.counts.total_weight * len(c.labels)
    positive = float(sup.sum() / cells)
    macro = ("macro" if present.size == len(c.labels)
             else f"macro over the {present.size} labels that occur")
    weak = present[per_label[present] <= recall + EPS]
    weak = weak[np.argsort(per_label[weak], kind="stable")]
    return Finding(
        "accuracy_paradox", "critical" if low <= critical + EPS else "warning",
        f"Label accuracy is {acc:.1%}, yet recall is only {rmi:.1%} (micro) and {rma:.1%} "
        f"({macro}): only {positive:.1%} of sample-label cells are positive, so predicting "
        f"no label at all would already score {1 - positive:.1%} label accuracy. "
        f"{weak.size} of {present.size} label(s) that occur have recall at or below "
        f"{recall:.0%}: {_names(c.labels, weak, show=lambda j: f'{per_label[j]:.0%}')}.",
        "Judge the model by recall, F1 (micro and macro) and the per-label table, not by "
        "label accuracy or Hamming loss.",
        labels=tuple(c.labels[j] for j in weak),
        evidence={"label_accuracy": acc, "recall_micro": rmi, "recall_macro_present": rma,
                  "positive_share": positive, "all_negative_accuracy": 1 - positive},
    )


def label_imbalance(c: Context, ratio=20.0, few=5) -> Finding | None:
    """Labels far rarer than the most frequent one, or with very few positives."""
    sup = c.support
    present = sup > 0
    if present.sum() < 2:
        return None
    top, low = sup[present].max(), sup[present].min()
    # In units of the mean sample weight: plain counts when samples are not weighted.
    effective = sup * (c.counts.n_samples / c.counts.total_weight)
    thin = present & (sup * ratio <= top * (1 + EPS))
    rare = present & (effective < few - EPS)
    if not thin.any() and not rare.any():
        return None
    f_mi, f_ma = c.metrics.get("f1_micro", math.nan), c.metrics.get("f1_macro", math.nan)
    most = int(np.argmax(sup))

    def ordered(mask):
        idx = np.flatnonzero(mask)
        return idx[np.argsort(sup[idx], kind="stable")]

    weighted = " (in units of the mean sample weight)" if c.counts.weighted else ""
    n_thin, n_rare = int(thin.sum()), int(rare.sum())
    clause = (f"{n_thin} label(s) have at most 1/{ratio:g} of the positives of the most "
              f"frequent label {str(c.labels[most])!r} ({top:g})" if n_thin else "")
    if n_rare and not n_thin:
        clause = f"{n_rare} label(s) have fewer than {few} positives{weighted}"
    elif n_rare and not (rare & ~thin).any():
        clause += f", {n_rare} of them fewer than {few}{weighted}"
    elif n_rare:
        clause += f", and {n_rare} label(s) have fewer than {few} positives{weighted}"
    involved = ordered(thin | rare)
    message = (
        f"Label supports range from {low:g} to {top:g} (ratio {top / low:.3g}): {clause}: "
        f"{_names(c.labels, involved, show=_positives(sup))}."
    )
    if thin.any():
        message += (" Micro averages are dominated by the frequent labels: F1 is "
                    f"{f_mi:.3f} micro and {f_ma:.3f} macro.")
    if rare.any():
        message += (f" Per-label figures of labels with fewer than {few} positives rest on "
                    "a handful of samples.")
    return Finding(
        "label_imbalance", "warning",
        message,
        "Report macro and micro averages side by side, look at the rare labels in the "
        "per-label table, and get more examples of them or weight them in training.",
        labels=tuple(c.labels[j] for j in involved),
        evidence={"max_support": float(top), "min_support": float(low),
                  "ratio": float(top / low), "n_imbalanced": int(thin.sum()),
                  "n_rare": int(rare.sum()), "f1_micro": f_mi, "f1_macro": f_ma},
    )


def no_support(c: Context) -> Finding | None:
    """Labels with no positive in the evaluated data."""
    idx = np.flatnonzero(c.support == 0)
    if not idx.size:
        return None
    n = len(c.labels)
    return Finding(
        "no_support", "warning" if idx.size > n / 4 else "info",
        f"{idx.size} of {n} label(s) never occur in the truth: {_names(c.labels, idx)}. Their "
        "recall is undefined and their precision can only be 0 (or undefined).",
        "Check that the evaluation split covers every label; drop labels that cannot occur, "
        "or read macro averages knowing these labels count at the zero_division value.",
        labels=tuple(c.labels[j] for j in idx),
        evidence={"n_labels": int(idx.size), "of": n},
    )


def never_predicted(c: Context) -> Finding | None:
    """Labels that occur in the truth but are never predicted."""
    sup = c.support
    idx = np.flatnonzero((sup > 0) & (c.predicted == 0))
    if not idx.size:
        return None
    return Finding(
        "never_predicted", "warning",
        f"{idx.size} of {len(c.labels)} label(s) occur in the truth but are never predicted: "
        f"{_names(c.labels, idx, show=_positives(sup))}. Their recall is 0.",
        "Lower the threshold for these labels (per-label thresholds), or check that the "
        "model was trained on them at all.",
        labels=tuple(c.labels[j] for j in idx),
        evidence={"support": {str(c.labels[j]): float(sup[j]) for j in idx[:20]}},
    )


def empty_predictions(c: Context, limit=0.2, critical=0.5) -> Finding | None:
    """Many samples with no predicted label, far more than have no true label."""
    cnt = c.counts
    empty = c.share(cnt.row_pred == 0)
    truth_empty = c.share(cnt.row_true == 0)
    if not _is(empty, limit) or empty <= 2 * truth_empty + EPS:
        return None
    return Finding(
        "empty_predictions", "critical" if _is(empty, critical) else "warning",
        f"{empty:.1%} of samples get no predicted label at all, while only {truth_empty:.1%} "
        "have no true label.",
        "The threshold is probably too high: try a lower one, tune it on a validation "
        "split, or always predict the top-scored label.",
        evidence={"share_empty_predicted": empty, "share_empty_true": truth_empty},
    )


def single_label_predictions(c: Context, every=0.999, multi=0.2) -> Finding | None:
    """(Nearly) every sample gets exactly one label though many carry several."""
    cnt = c.counts
    one = c.share(cnt.row_pred == 1)
    if len(c.labels) < 2 or not _is(one, every):
        return None
    several = c.share(cnt.row_true > 1)
    if not _is(several, multi):
        return None
    who = "Every sample gets" if one >= 1 else f"{one:.2%} of samples get"
    return Finding(
        "single_label_predictions", "critical",
        f"{who} exactly one predicted label, while {several:.1%} of samples carry several "
        "true labels.",
        "A softmax or argmax was probably used where a multi-label model needs independent "
        "sigmoid outputs, one per label, each thresholded on its own.",
        evidence={"share_pred_one": one, "share_true_several": several},
    )


def _bounds(c: Context) -> tuple[float, float]:
    """Smallest and largest dense score: from the per-label range when there is one,
    so that the matrix is not read again."""
    t = c.thresholding
    if t is not None and not t.partial and t.low.size and not np.isnan(t.low).any():
        return float(t.low.min()), float(t.high.max())
    return float(c.scores.min()), float(c.scores.max())


def softmax_scores(c: Context, share=0.9, tol=1e-3) -> Finding | None:
    """Scores that sum to 1 per sample on data where samples carry several labels."""
    s = c.scores
    if s is None or s.ndim != 2 or s.shape[1] < 2 or not s.shape[0] or _bounds(c)[0] < 0:
        return None
    several = c.share(c.counts.row_true > 1)
    if several <= 0:
        return None  # single-label data: a softmax is appropriate there
    sums = s.sum(axis=1, dtype=np.float64)
    hit = float(np.mean(np.abs(sums - 1) <= tol))
    if not _is(hit, share):
        return None
    return Finding(
        "softmax_scores", "critical",
        f"The scores of {hit:.1%} of samples sum to 1 across labels (within {tol:g}): they "
        "look like softmax outputs, which make labels compete, yet "
        f"{several:.1%} of samples carry several true labels.",
        "Use one sigmoid per label (binary cross-entropy), not a softmax over labels.",
        evidence={"share_rows_summing_to_1": hit, "share_true_several": several},
    )


def _unbounded(c: Context, tol=1e-6) -> tuple[float, float] | None:
    """(min, max) of dense scores thresholded as given that leave [0, 1], else None."""
    if c.scores is None or not c.scores.size:
        return None
    lo, hi = _bounds(c)
    return None if lo >= -tol and hi <= 1 + tol else (lo, hi)


def _num(x: float, *avoid: float) -> str:
    """``x`` with 3 significant digits, or more where needed to tell it apart from the
    numbers in ``avoid`` (a score of 0.4996 is not shown as the threshold 0.5)."""
    for digits in range(3, 18):
        text = f"{x:.{digits}g}"
        if all(x == a or text != f"{a:.{digits}g}" for a in avoid):
            return text
    return repr(x)


def _beyond(t: Thresholding):
    """Labels with a score, labels none of whose scores passes the threshold, and
    labels all of whose scores pass it. With sparse or top-k scores a label whose few
    stored scores all pass is normal, so that side counts only when it holds for every
    scored label (the threshold then does nothing)."""
    cut = np.broadcast_to(np.asarray(t.cut, dtype=np.float64), t.low.shape)
    scored = ~np.isnan(t.low)
    none = scored & ((t.high < cut) if t.inclusive else (t.high <= cut))
    every = scored & ((t.low >= cut) if t.inclusive else (t.low > cut))
    if t.partial and not every[scored].all():
        every = np.zeros_like(every)
    return scored, none, every


def _threshold_text(t: Thresholding) -> str:
    """``threshold 0.5``, ``per-label thresholds from 0.2 to 0.7``, and with
    ``scores_are_logits`` what that means on the scores' scale."""
    thr = np.asarray(t.threshold, dtype=np.float64)
    cut = np.asarray(t.cut, dtype=np.float64)
    if thr.ndim == 0 or thr.min() == thr.max():
        text = f"threshold {float(thr.min()):g}" + (" (every label)" if thr.ndim else "")
    else:
        text = f"per-label thresholds from {thr.min():g} to {thr.max():g}"
    if t.scores_are_logits:
        rule = ">=" if t.inclusive else ">"
        if cut.ndim == 0 or cut.min() == cut.max():
            where = f"score {rule} {_num(float(cut.min()))}"
        else:
            where = f"score {rule} {_num(cut.min())} to {_num(cut.max())}"
        text += f", which with scores_are_logits=True means {where}"
    return text


def _beyond_clause(t: Thresholding, none, every, n: int) -> str:
    """``every score of 4 of 6 label(s) is at or below it, so they are never
    predicted``, and the same for labels predicted everywhere."""
    parts = []
    if none.any():
        parts.append(f"every score of {int(none.sum())} of {n} label(s) is "
                     + ("below" if t.inclusive else "at or below")
                     + " it, so they are never predicted")
    if every.any():
        where = "wherever they are scored" if t.partial else "for every sample"
        parts.append(f"every score of {int(every.sum())} of {n} label(s) is "
                     + ("at or above" if t.inclusive else "above")
                     + f" it, so they are predicted {where}")
    return ", and ".join(parts)


def logits_not_probabilities(c: Context, tol=1e-6) -> Finding | None:
    """Scores outside [0, 1] that were thresholded as if they were probabilities.

    When the threshold also lies beyond the scores of some labels (every score on one
    side of it), the message says for how many: the same cause, one finding.
    """
    bounds = _unbounded(c, tol)
    if bounds is None:
        return None
    lo, hi = bounds
    s = c.scores
    outside = float(np.mean((s < 0) | (s > 1)))
    message = (
        f"Scores range from {lo:.3g} to {hi:.3g}, and {outside:.1%} of them lie outside "
        "[0, 1]: they look like logits (or other unbounded scores), yet they were "
        "thresholded as given. labelwise never converts them silently."
    )
    evidence = {"min_score": lo, "max_score": hi, "share_outside_0_1": outside}
    t = c.thresholding
    if t is not None:
        scored, none, every = _beyond(t)
        if none.any() or every.any():
            message += (f" At {_threshold_text(t)}, "
                        f"{_beyond_clause(t, none, every, int(scored.sum()))}.")
        evidence.update(n_never_predicted=int(none.sum()), n_always_predicted=int(every.sum()))
    return Finding(
        "logits_not_probabilities", "warning",
        message,
        "If they are logits, pass scores_are_logits=True to evaluate() (command line: "
        "--scores-are-logits) so that the "
        "threshold applies to sigmoid(score), or apply a sigmoid yourself; otherwise pick a "
        "threshold on their own scale. Ranking metrics (ROC-AUC, P@k) are unaffected.",
        evidence=evidence,
    )


def threshold_outside_scores(c: Context, share=0.9) -> Finding | None:
    """The threshold lies beyond the scores of at least ``share`` of the labels: every
    score of each is below it (never predicted) or above it (always predicted).

    Scores outside [0, 1] thresholded as given are :func:`logits_not_probabilities`'
    case; it reports these figures too, so this detector leaves them to it.
    """
    t = c.thresholding
    if t is None or _unbounded(c) is not None:
        return None
    scored, none, every = _beyond(t)
    n = int(scored.sum())
    beyond = none | every
    k = int(beyond.sum())
    if not n or not _is(k / n, share):
        return None
    lo, hi = float(np.nanmin(t.low)), float(np.nanmax(t.high))
    idx = np.flatnonzero(beyond)
    cut = np.broadcast_to(np.asarray(t.cut, dtype=np.float64), t.low.shape)
    cuts = np.unique(cut).tolist()
    cuts = cuts if len(cuts) <= 8 else []
    stored = "stored scores" if t.partial else "scores"
    if k < n:
        outcome = f" The threshold lies within the scores of only {n - k} of the {n} label(s)."
    elif none.any() and every.any():
        outcome = " The threshold lies within the scores of no label."
    elif t.partial and every.any():
        outcome = " Every stored entry is predicted: the threshold does nothing."
    else:
        outcome = ""
    thr = np.asarray(t.threshold, dtype=np.float64)
    own = thr.ndim == 1 and thr.min() != thr.max()  # per-label thresholds that differ

    def show(j):
        return (f"{_num(t.low[j], cut[j], 0, 1)} to {_num(t.high[j], cut[j], 0, 1)}"
                + (f", threshold {thr[j]:g}" if own else ""))

    if t.scores_are_logits:
        fix = ("If the scores are probabilities already, drop scores_are_logits (command "
               "line: --scores-are-logits) so that the threshold applies to them as given. "
               "Otherwise give")
    elif lo < 0 or hi > 1:
        fix = ("If the scores are logits, pass scores_are_logits=True (command line: "
               "--scores-are-logits) so that the threshold applies to sigmoid(score). "
               "Otherwise give")
    elif thr.min() < 0 or thr.max() > 1:
        fix = ("The scores lie within [0, 1] but the threshold does not: give it as a "
               "probability (0.5, not 50). Otherwise give")
    else:
        fix = "Give"
    fix += (" the threshold on the scores' own scale, or, if they are probabilities that "
            "seldom come near it, choose thresholds per label on a validation split.")
    return Finding(
        "threshold_outside_scores",
        "critical" if k == n and not (t.partial and every.any()) else "warning",
        f"At {_threshold_text(t)}, {_beyond_clause(t, none, every, n)}; the {stored} "
        f"range from {_num(lo, *cuts, 0, 1)} to {_num(hi, *cuts, 0, 1)}.{outcome} The "
        "labels concerned, with their score range"
        + (" and threshold: " if own else ": ")
        + _names(c.labels, idx, show=show) + ".",
        fix,
        labels=tuple(c.labels[j] for j in idx),
        evidence={"threshold": t.threshold, "cut": t.cut, "inclusive": t.inclusive,
                  "scores_are_logits": t.scores_are_logits, "min_score": lo,
                  "max_score": hi, "n_labels_scored": n, "n_never_predicted": int(none.sum()),
                  "n_always_predicted": int(every.sum())},
    )


def _zero_division_text(zd) -> str:
    if zd != zd:
        return "left out of the averages (zero_division=nan)"
    if zd == "warn":
        return "set to 0 (zero_division='warn')"
    return f"set to {zd:g} (zero_division={zd:g})"


def undefined_metric(c: Context, sample_share=0.01) -> Finding | None:
    """Metrics that divide zero by zero somewhere, and what was done about it.

    Per-sample terms are mentioned when at least ``sample_share`` of the samples have
    no predicted (or no true) label: fewer cannot move a ``*_samples`` average by 0.01.
    """
    sup, pred = c.support, c.predicted
    cnt = c.counts
    parts, labels, evidence = [], set(), {}
    no_pred = np.flatnonzero(pred == 0)
    no_true = np.flatnonzero(sup == 0)
    if no_pred.size:
        parts.append(f"precision of {no_pred.size} label(s) never predicted "
                     f"({_names(c.labels, no_pred, limit=5)})")
        labels.update(no_pred.tolist())
        evidence["precision_labels"] = int(no_pred.size)
    if no_true.size:
        parts.append(f"recall of {no_true.size} label(s) that never occur "
                     f"({_names(c.labels, no_true, limit=5)})")
        labels.update(no_true.tolist())
        evidence["recall_labels"] = int(no_true.size)
    rows_no_pred = c.share(cnt.row_pred == 0)
    rows_no_true = c.share(cnt.row_true == 0)
    if _is(rows_no_pred, sample_share):
        parts.append(f"the precision_samples term of the {rows_no_pred:.1%} of samples with "
                     "no predicted label")
        evidence["precision_samples_share"] = rows_no_pred
    if _is(rows_no_true, sample_share):
        parts.append(f"the recall_samples term of the {rows_no_true:.1%} of samples with no "
                     "true label")
        evidence["recall_samples_share"] = rows_no_true
    left_out = []
    for name, labs in c.undefined.items():
        names = ", ".join(repr(str(x)) for x in list(labs)[:5])
        more = f" and {len(labs) - 5} more" if len(labs) > 5 else ""
        left_out.append(f"{name} of {len(labs)} label(s) whose truth is constant "
                        f"({names}{more})")
        evidence[f"{name}_labels"] = len(labs)
    if not parts and not left_out:
        return None
    zd = c.zero_division
    sentences = []
    if parts:
        sentences.append("Some values divide zero by zero: " + "; ".join(parts)
                         + f". They were {_zero_division_text(zd)}.")
    if left_out:
        sentences.append("Undefined and always left out of the averages: "
                         + "; ".join(left_out) + ".")
    idx = sorted(labels)
    return Finding(
        "undefined_metric", "info",
        " ".join(sentences),
        "Choose zero_division on purpose: 0 penalises, 1 forgives, nan leaves such labels "
        "(or samples) out of the averages.",
        labels=tuple(c.labels[j] for j in idx),
        evidence={**evidence, "zero_division": _zero_division_text(zd)},
    )


def overfitting(c: Context, gap=0.1, critical=0.25) -> Finding | None:
    """F1 on the training data well above F1 on the evaluated data."""
    if not c.train_metrics:
        return None
    gaps = {}
    for n in ("f1_micro", "f1_macro"):
        tr, te = c.train_metrics.get(n), c.metrics.get(n)
        if tr is not None and te is not None and tr == tr and te == te:
            gaps[n] = float(tr - te)
    worst = max(gaps.values(), default=0.0)
    if not _is(worst, gap):
        return None
    figures = ", ".join(
        f"{n} {c.train_metrics[n]:.3f} on train vs {c.metrics[n]:.3f} on test "
        f"(gap {g:.3f})" for n, g in gaps.items()
    )
    severe = _is(worst, critical)
    return Finding(
        "overfitting", "critical" if severe else "warning",
        f"The model does much better on its training data: {figures}. "
        + ("It has memorised much of its training set." if severe
           else "Part of what it learnt does not carry over to new data."),
        "Trust the test numbers. Regularise, simplify the model, get more data, or stop "
        "training earlier; compare with a validation split while tuning.",
        evidence={"gap": gaps, "train": {n: c.train_metrics[n] for n in gaps},
                  "test": {n: c.metrics[n] for n in gaps}},
    )


def label_space_from_data(c: Context) -> Finding | None:
    """The labels evaluated are those that occur in the data (label sets without
    ``labels=``): a label absent from this split is not in the evaluation."""
    space = c.label_space
    if not space or space.get("source") != "data":
        return None
    n = int(space.get("n_labels", len(c.labels)))
    only_pred = int(space.get("only_in_predictions", 0))
    return Finding(
        "label_space_from_data", "info",
        f"The {n} label(s) evaluated are those that occur in the data (in the true or the "
        "predicted label sets)"
        + (f", {only_pred} of them only in the predictions" if only_pred else "")
        + ". A label of the task that occurs in neither is left out, so the numbers "
        "change with the labels a split happens to contain: with the full label list it "
        "would count in every macro average (its precision, recall and F1 are 0/0, set by "
        "zero_division) and in the metrics that count true negatives (hamming_loss, "
        "label_accuracy, specificity, balanced accuracy, MCC). Precision, recall, F1 and "
        "Jaccard micro, weighted and samples, and subset accuracy, do not depend on it.",
        "Pass the complete label list: labels=[...] to evaluate() (command line: "
        "--labels-file or --labels), so that every label of the task counts.",
        evidence={"source": "data", "n_labels": n, "only_in_predictions": only_pred},
    )


def multiclass_data(c: Context) -> Finding | None:
    """Every sample has exactly one true label."""
    cnt = c.counts
    if len(c.labels) < 2 or (cnt.row_true != 1).any():
        return None
    return Finding(
        "multiclass_data", "info",
        f"Every one of the {cnt.n_samples} samples has exactly one of the {len(c.labels)} "
        "labels: this is multi-class data, not multi-label.",
        "Subset accuracy here is plain accuracy, micro precision equals micro recall when "
        "exactly one label is predicted per sample, and a softmax model is appropriate.",
        evidence={"n_samples": int(cnt.n_samples), "n_labels": len(c.labels)},
    )


def thresholds_tuned_on_eval(c: Context) -> Finding | None:
    """Thresholds whose ``tuned_on`` fingerprint is that of the evaluated truth."""
    if not c.thresholds_tuned_on or c.thresholds_tuned_on != c.data_fingerprint:
        return None
    return Finding(
        "thresholds_tuned_on_eval", "critical",
        "The thresholds were tuned on the very data being evaluated (the true labels have "
        f"the same fingerprint, {c.data_fingerprint}), so these numbers are optimistic.",
        "Tune thresholds on a separate validation split and evaluate them on the test split.",
        evidence={"fingerprint": c.data_fingerprint},
    )


DETECTORS: tuple[Callable[[Context], Finding | None], ...] = (
    accuracy_paradox,
    label_imbalance,
    no_support,
    never_predicted,
    empty_predictions,
    single_label_predictions,
    softmax_scores,
    logits_not_probabilities,
    threshold_outside_scores,
    undefined_metric,
    overfitting,
    multiclass_data,
    label_space_from_data,
    thresholds_tuned_on_eval,
)


def run_detectors(c: Context) -> list[Finding]:
    """Every finding, most severe first (stable within a severity)."""
    found = [f for f in (d(c) for d in DETECTORS) if f is not None]
    return sorted(found, key=lambda f: -SEVERITIES.index(f.severity))


# --------------------------------------------------------------------------
# Fingerprints and leakage
# --------------------------------------------------------------------------


def fingerprint(y) -> str:
    """A short hash of a 0/1 matrix: the same labels give the same print, whether the
    matrix is dense (any numeric or bool dtype) or sparse.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> y = [[1, 0, 1], [0, 0, 1]]
    >>> fingerprint(y) == fingerprint(sp.csr_matrix(y)) == fingerprint([[True, False, True],
    ...                                                                 [False, False, True]])
    True
    >>> fingerprint(y) == fingerprint([[1, 0, 1], [0, 1, 0]])
    False
    """
    if hasattr(y, "tocsr"):
        m = y.tocsr(copy=True)
        m.sum_duplicates()
        m.eliminate_zeros()
        m.sort_indices()
        shape, indptr, indices = m.shape, m.indptr, m.indices
    else:
        arr = np.asarray(y)
        if arr.ndim != 2:
            raise InputError(f"fingerprint needs a 2-D 0/1 matrix, got shape {arr.shape}.")
        rows, indices = np.nonzero(arr)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=arr.shape[0]))])
        shape = arr.shape
    h = hashlib.blake2b(digest_size=12)
    h.update(np.asarray(shape, dtype=np.int64).tobytes())
    h.update(np.asarray(indptr, dtype=np.int64).tobytes())
    h.update(np.asarray(indices, dtype=np.int64).tobytes())
    return h.hexdigest()


_SPACE = re.compile(r"\s+")
_EXACT_FLOAT = 2.0 ** 53


def _key(x) -> bytes:
    if isinstance(x, str):
        return b"s" + _SPACE.sub(" ", x).strip().lower().encode("utf-8")
    if isinstance(x, bytes):
        return b"b" + x
    arr = np.ascontiguousarray(np.asarray(x))
    if arr.dtype.kind == "O":
        return b"o" + repr(arr.tolist()).encode("utf-8")
    if arr.dtype.kind in "biuf" and (
        arr.dtype.kind == "f" or not arr.size or np.abs(arr).max() <= _EXACT_FLOAT
    ):
        # Equal numbers give equal keys whatever their dtype (1 == 1.0 == True; -0.0 == 0.0).
        arr = arr.astype(np.float64) + 0.0
    return b"n" + arr.dtype.str.encode() + str(arr.shape).encode() + arr.tobytes()


def _rows(keys, name: str) -> Sequence:
    if isinstance(keys, (str, bytes)) or not hasattr(keys, "__len__"):
        raise InputError(
            f"{name} must be a sequence of keys (strings or feature rows), got "
            f"{type(keys).__name__}."
        )
    if hasattr(keys, "to_numpy"):  # pandas Series (one key per row) or DataFrame (rows)
        keys = keys.to_numpy()
    elif hasattr(keys, "tocsr"):
        keys = keys.toarray()
    elif not hasattr(keys, "__getitem__"):  # a set, a dict view, ...
        keys = list(keys)
    return keys


def check_leakage(train_keys, test_keys, *, examples: int = 3) -> Finding | None:
    """Test rows that also appear in the training data (exact duplicates).

    Keys are strings (compared after collapsing white space and lower-casing) or
    feature rows (arrays, compared value by value: 1, 1.0 and True are equal). A
    pandas Series gives one key per entry, a DataFrame or 2-D array one per row.
    Near-duplicates are not detected.

    Examples
    --------
    >>> f = check_leakage(["A cat", "a dog"], ["a  CAT ", "a bird"])
    >>> f.code, f.evidence["n_leaked"], f.evidence["share"]
    ('leakage', 1, 0.5)
    >>> check_leakage(["x"], ["y"]) is None
    True
    """
    train = _rows(train_keys, "train_keys")
    test = _rows(test_keys, "test_keys")
    if len(test) == 0:
        raise InputError("test_keys is empty: there is nothing to check.")
    seen = {hashlib.blake2b(_key(k), digest_size=16).digest() for k in train}
    leaked = [i for i, k in enumerate(test)
              if hashlib.blake2b(_key(k), digest_size=16).digest() in seen]
    if not leaked:
        return None
    share = len(leaked) / len(test)
    shown = [_preview(test[i]) for i in leaked[:examples]]
    strings = any(isinstance(test[i], str) for i in leaked)
    return Finding(
        "leakage", "critical" if _is(share, 0.01) else "warning",
        f"{len(leaked)} of {len(test)} test rows ({share:.1%}) also appear in the training "
        "data" + (" (after normalising white space and case)" if strings else "")
        + f", e.g. rows {leaked[:examples]}: " + "; ".join(shown)
        + ". Test numbers on them measure memory, not generalisation.",
        "Remove the duplicates from the test split (or deduplicate before splitting), then "
        "evaluate again.",
        evidence={"n_leaked": len(leaked), "n_test": len(test), "share": share,
                  "test_rows": leaked[:20]},
    )


def _preview(x) -> str:
    """A short, one-line rendering of a key; mostly-zero feature rows show their
    non-zero entries as ``{column: value}``."""
    if isinstance(x, str):
        text = x
    else:
        arr = np.asarray(x)
        if arr.ndim == 1 and arr.dtype.kind in "biuf" and np.count_nonzero(arr) < arr.size / 2:
            nz = np.flatnonzero(arr)
            text = "non-zero {" + ", ".join(f"{i}: {float(arr[i]):g}" for i in nz[:12]) \
                + (", ..." if nz.size > 12 else "") + "}"
        else:
            text = repr(arr.tolist())
    text = _SPACE.sub(" ", text).strip()
    return repr(text[:80] + ("…" if len(text) > 80 else ""))
