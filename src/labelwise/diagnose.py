"""Reading the results: interpretation bands and pitfall detectors.

Each detector is a small function of a :class:`Context` that returns a
:class:`Finding` or ``None``. A detector must be correct, quiet when nothing is
wrong, and say what to do. The codes are stable; ``docs/findings.md`` documents
each one with a worked example.

Bands are a rule of thumb from common practice, not a verdict: what is good
depends on the task. Replace them with ``evaluate(..., bands=...)`` or the
command line's ``--bands FILE``.
"""

from __future__ import annotations

import fnmatch
import hashlib
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
    "DEFAULT_BANDS",
    "interpret",
    "check_bands",
    "DETECTORS",
    "run_detectors",
    "check_leakage",
    "fingerprint",
]

SEVERITIES = ("info", "warning", "critical")


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
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
            "labels": list(self.labels),
            "evidence": dict(self.evidence),
        }


# --------------------------------------------------------------------------
# Interpretation bands
# --------------------------------------------------------------------------

#: pattern -> (good, bad): for higher-is-better metrics, good when >= good and bad
#: when < bad; for lower-is-better ones, good when <= good and bad when >= bad.
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
    """Validate a bands table (pattern -> (good, bad)); patterns may use ``*``."""
    out = {}
    for pattern, pair in bands.items():
        if not any(fnmatch.fnmatchcase(n, pattern) for n in REGISTRY):
            raise InputError(
                f"bands: {pattern!r} matches no metric; use registry names such as "
                "'f1_micro' or patterns such as 'f1_*'."
            )
        try:
            good, bad = (float(x) for x in pair)
        except (TypeError, ValueError):
            raise InputError(
                f"bands: {pattern!r} needs two numbers [good, bad], got {pair!r}."
            ) from None
        out[pattern] = (good, bad)
    return out


def _band_for(name: str, bands: dict):
    best = None
    for pattern, pair in bands.items():
        if fnmatch.fnmatchcase(name, pattern):
            exact = pattern == name
            if best is None or exact:
                best = pair
            if exact:
                break
    return best


def interpret(metrics: dict, bands: dict | None = None) -> dict[str, str]:
    """``"good"``, ``"fair"`` or ``"bad"`` for every metric that has a band.

    Examples
    --------
    >>> interpret({"f1_micro": 0.85, "hamming_loss": 0.4, "coverage_error": 3.0})
    {'f1_micro': 'good', 'hamming_loss': 'bad'}
    """
    bands = DEFAULT_BANDS if bands is None else bands
    out = {}
    for name, value in metrics.items():
        pair = _band_for(name, bands)
        if pair is None or value != value or name not in REGISTRY:
            continue
        good, bad = pair
        if REGISTRY[name].higher_is_better:
            out[name] = "good" if value >= good else "bad" if value < bad else "fair"
        else:
            out[name] = "good" if value <= good else "bad" if value >= bad else "fair"
    return out


# --------------------------------------------------------------------------
# Detectors
# --------------------------------------------------------------------------


@dataclass
class Context:
    """What the detectors may look at."""

    metrics: dict
    labels: tuple
    counts: Counts
    scores: np.ndarray | None = None  # dense scores, when given
    zero_division: Any = 0.0
    undefined: dict = field(default_factory=dict)  # metric -> labels
    train_metrics: dict | None = None
    thresholds_tuned_on: str | None = None
    data_fingerprint: str | None = None

    @property
    def support(self) -> np.ndarray:
        return np.asarray(self.counts.tp + self.counts.fn, dtype=np.float64)

    @property
    def predicted(self) -> np.ndarray:
        return np.asarray(self.counts.tp + self.counts.fp, dtype=np.float64)

    def share(self, mask: np.ndarray) -> float:
        """Weighted share of samples whose row group satisfies ``mask``."""
        return float(self.counts.row_weight[mask].sum() / self.counts.total_weight)


def _names(labels, idx, limit=8) -> str:
    shown = ", ".join(repr(str(labels[j])) for j in idx[:limit])
    return shown + (f" and {len(idx) - limit} more" if len(idx) > limit else "")


def accuracy_paradox(c: Context) -> Finding | None:
    acc = c.metrics.get("label_accuracy")
    rmi, rma = c.metrics.get("recall_micro"), c.metrics.get("recall_macro")
    if acc is None or acc < 0.9 or min(rmi, rma) > 0.5:
        return None
    return Finding(
        "accuracy_paradox", "critical" if min(rmi, rma) <= 0.2 else "warning",
        f"Label accuracy is {acc:.1%}, yet recall is only {rmi:.1%} (micro) and {rma:.1%} "
        "(macro). Most sample-label cells are negative, so predicting 'no' almost everywhere "
        "already scores high accuracy.",
        "Judge the model by recall, F1 (micro and macro) and the per-label table, not by "
        "accuracy or Hamming loss.",
        evidence={"label_accuracy": acc, "recall_micro": rmi, "recall_macro": rma},
    )


def label_imbalance(c: Context, ratio=20.0, few=5) -> Finding | None:
    sup = c.support
    present = sup > 0
    if present.sum() < 2:
        return None
    top, low = sup[present].max(), sup[present].min()
    rare = np.flatnonzero(present & (sup < few))
    if top / low < ratio and not rare.size:
        return None
    order = rare[np.argsort(sup[rare])] if rare.size else np.flatnonzero(present & (sup == low))
    f_mi, f_ma = c.metrics.get("f1_micro"), c.metrics.get("f1_macro")
    return Finding(
        "label_imbalance", "warning",
        f"Label supports range from {low:g} to {top:g} (ratio {top / low:.0f}); "
        f"{rare.size} label(s) have fewer than {few} positives ({_names(c.labels, order)}). "
        f"Micro averages are dominated by frequent labels: F1 is {f_mi:.3f} micro but "
        f"{f_ma:.3f} macro.",
        "Report macro and micro averages side by side, look at the rare labels in the "
        "per-label table, and get more examples of them or weight them in training.",
        labels=tuple(c.labels[j] for j in order),
        evidence={"max_support": float(top), "min_support": float(low),
                  "f1_micro": f_mi, "f1_macro": f_ma},
    )


def no_support(c: Context) -> Finding | None:
    idx = np.flatnonzero(c.support == 0)
    if not idx.size:
        return None
    return Finding(
        "no_support", "warning" if idx.size > len(c.labels) / 4 else "info",
        f"{idx.size} label(s) never occur in the truth: {_names(c.labels, idx)}. Their "
        "recall is undefined and their precision can only be 0 (or undefined).",
        "Check that the evaluation split covers every label; drop labels that cannot occur, "
        "or read macro averages knowing these labels count at the zero_division value.",
        labels=tuple(c.labels[j] for j in idx),
        evidence={"n_labels": int(idx.size)},
    )


def never_predicted(c: Context) -> Finding | None:
    idx = np.flatnonzero((c.support > 0) & (c.predicted == 0))
    if not idx.size:
        return None
    return Finding(
        "never_predicted", "warning",
        f"{idx.size} label(s) occur in the truth but are never predicted: "
        f"{_names(c.labels, idx)}. Their recall is 0.",
        "Lower the threshold for these labels (per-label thresholds), or check that the "
        "model was trained on them at all.",
        labels=tuple(c.labels[j] for j in idx),
        evidence={"support": {str(c.labels[j]): float(c.support[j]) for j in idx[:20]}},
    )


def empty_predictions(c: Context, limit=0.2) -> Finding | None:
    cnt = c.counts
    empty = c.share(cnt.row_pred == 0)
    truth_empty = c.share(cnt.row_true == 0)
    if empty < limit or empty <= 2 * truth_empty:
        return None
    return Finding(
        "empty_predictions", "critical" if empty >= 0.5 else "warning",
        f"{empty:.1%} of samples get no predicted label at all, while only {truth_empty:.1%} "
        "have no true label.",
        "The threshold is probably too high: try a lower one, tune it on a validation "
        "split, or always predict the top-scored label.",
        evidence={"share_empty_predicted": empty, "share_empty_true": truth_empty},
    )


def single_label_predictions(c: Context, multi=0.2) -> Finding | None:
    cnt = c.counts
    if len(c.labels) < 2 or c.share(cnt.row_pred == 1) < 0.999:
        return None
    several = c.share(cnt.row_true > 1)
    if several < multi:
        return None
    return Finding(
        "single_label_predictions", "critical",
        f"Every sample gets exactly one predicted label, while {several:.1%} of samples "
        "carry several true labels.",
        "A softmax or argmax was probably used where a multi-label model needs independent "
        "sigmoid outputs, one per label, each thresholded on its own.",
        evidence={"share_true_several": several},
    )


def softmax_scores(c: Context, share=0.9, tol=1e-3) -> Finding | None:
    s = c.scores
    if s is None or s.shape[1] < 2 or s.min() < 0:
        return None
    sums = s.sum(axis=1, dtype=np.float64)
    hit = float(np.mean(np.abs(sums - 1) <= tol))
    if hit < share:
        return None
    return Finding(
        "softmax_scores", "critical",
        f"The scores of {hit:.1%} of samples sum to 1 across labels: they look like softmax "
        "outputs, which make labels compete, so a sample can hardly get two labels.",
        "Use one sigmoid per label (binary cross-entropy), not a softmax over labels.",
        evidence={"share_rows_summing_to_1": hit},
    )


def logits_not_probabilities(c: Context) -> Finding | None:
    s = c.scores
    if s is None:
        return None
    lo, hi = float(s.min()), float(s.max())
    if lo >= 0 and hi <= 1:
        return None
    return Finding(
        "logits_not_probabilities", "warning",
        f"Scores range from {lo:.3g} to {hi:.3g}, outside [0, 1]: they look like logits, yet "
        "they were thresholded as given. labelwise never converts them silently.",
        "Pass scores_are_logits=True (command line: --scores-are-logits) to apply a sigmoid "
        "first, or apply it yourself. Ranking metrics (ROC-AUC, P@k) are unaffected.",
        evidence={"min_score": lo, "max_score": hi},
    )


def undefined_metric(c: Context) -> Finding | None:
    sup, pred = c.support, c.predicted
    parts, labels, evidence = [], set(), {}
    no_pred = np.flatnonzero(pred == 0)
    no_true = np.flatnonzero(sup == 0)
    zd = c.zero_division
    shown = "NaN (left out of averages)" if zd != zd else f"{0.0 if zd == 'warn' else zd:g}"
    if no_pred.size:
        parts.append(f"precision for {no_pred.size} label(s) never predicted")
        labels.update(no_pred.tolist())
        evidence["precision"] = no_pred.size
    if no_true.size:
        parts.append(f"recall for {no_true.size} label(s) never true")
        labels.update(no_true.tolist())
        evidence["recall"] = no_true.size
    for name, labs in c.undefined.items():
        parts.append(f"{name} for {len(labs)} label(s) whose truth is constant (left out)")
        evidence[name] = len(labs)
    if not parts:
        return None
    idx = sorted(labels)
    return Finding(
        "undefined_metric", "info",
        "Some values divide zero by zero: " + "; ".join(parts) + f". They were set to {shown}.",
        "Choose zero_division on purpose: 0 penalises, 1 forgives, nan leaves such labels "
        "out of macro and weighted averages.",
        labels=tuple(c.labels[j] for j in idx),
        evidence={**evidence, "zero_division": shown},
    )


def overfitting(c: Context, gap=0.1) -> Finding | None:
    if not c.train_metrics:
        return None
    gaps = {
        n: c.train_metrics[n] - c.metrics[n]
        for n in ("f1_micro", "f1_macro")
        if n in c.train_metrics and n in c.metrics
    }
    worst = max(gaps.values(), default=0.0)
    if worst < gap:
        return None
    figures = ", ".join(
        f"{n} {c.train_metrics[n]:.3f} on train vs {c.metrics[n]:.3f} on test" for n in gaps
    )
    return Finding(
        "overfitting", "critical" if worst >= 0.25 else "warning",
        f"The model does much better on its training data: {figures}. It has memorised part "
        "of the training set.",
        "Trust the test numbers. Regularise, simplify the model, get more data, or stop "
        "training earlier; compare with a validation split while tuning.",
        evidence={"gap": gaps, "train": {n: c.train_metrics[n] for n in gaps}},
    )


def multiclass_data(c: Context) -> Finding | None:
    cnt = c.counts
    if len(c.labels) < 2 or c.share(cnt.row_true == 1) < 1.0:
        return None
    return Finding(
        "multiclass_data", "info",
        "Every sample has exactly one true label: this is multi-class data, not multi-label.",
        "Subset accuracy here is plain accuracy, micro precision equals micro recall when "
        "exactly one label is predicted per sample, and a softmax model is appropriate.",
    )


def thresholds_tuned_on_eval(c: Context) -> Finding | None:
    if not c.thresholds_tuned_on or c.thresholds_tuned_on != c.data_fingerprint:
        return None
    return Finding(
        "thresholds_tuned_on_eval", "critical",
        "The thresholds were tuned on the very data being evaluated, so these numbers are "
        "optimistic.",
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
    undefined_metric,
    overfitting,
    multiclass_data,
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
    """A short hash of a validated 0/1 matrix (dense or CSR): same data, same print."""
    h = hashlib.blake2b(digest_size=12)
    if hasattr(y, "indptr"):
        h.update(np.asarray(y.indptr, dtype=np.int64).tobytes())
        h.update(np.asarray(y.indices, dtype=np.int64).tobytes())
    else:
        arr = np.ascontiguousarray(y)
        h.update(str(arr.shape).encode())
        h.update(np.packbits(arr.astype(bool)).tobytes())
    return h.hexdigest()


_SPACE = re.compile(r"\s+")


def _key(x) -> bytes:
    if isinstance(x, str):
        return _SPACE.sub(" ", x).strip().lower().encode("utf-8")
    if isinstance(x, bytes):
        return x
    arr = np.ascontiguousarray(np.asarray(x))
    if arr.dtype.kind == "O":
        return repr(arr.tolist()).encode("utf-8")
    return arr.dtype.str.encode() + str(arr.shape).encode() + arr.tobytes()


def _rows(keys, name: str) -> Sequence:
    if isinstance(keys, (str, bytes)) or not hasattr(keys, "__len__"):
        raise InputError(f"{name} must be a sequence of keys (strings or feature rows).")
    if hasattr(keys, "to_numpy") and not hasattr(keys, "columns"):
        keys = keys.to_numpy()
    if hasattr(keys, "columns"):
        keys = keys.to_numpy()
    return keys


def check_leakage(train_keys, test_keys, *, examples: int = 3) -> Finding | None:
    """Test rows that also appear in the training data (exact duplicates).

    Keys are strings (compared after collapsing white space and lower-casing) or
    feature rows (arrays, compared exactly). Near-duplicates are not detected.

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
    return Finding(
        "leakage", "critical" if share >= 0.01 else "warning",
        f"{len(leaked)} of {len(test)} test rows ({share:.1%}) also appear in the training "
        f"data (after normalising white space and case), e.g. rows {leaked[:examples]}: "
        + "; ".join(shown) + ". Test numbers on them measure memory, not generalisation.",
        "Remove the duplicates from the test split (or deduplicate before splitting), then "
        "evaluate again.",
        evidence={"n_leaked": len(leaked), "n_test": len(test), "share": share,
                  "test_rows": leaked[:20]},
    )


def _preview(x) -> str:
    text = x if isinstance(x, str) else repr(np.asarray(x).tolist())
    text = _SPACE.sub(" ", text).strip()
    return repr(text[:60] + ("…" if len(text) > 60 else ""))
