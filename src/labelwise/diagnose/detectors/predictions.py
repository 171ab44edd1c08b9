"""Detectors that read the predictions against the truth: what the label accuracy
hides, labels never predicted, samples with no or a single predicted label, and
metrics that divide zero by zero."""

from __future__ import annotations

import numpy as np

from ..context import Context
from ..findings import (EPS, Finding, at_least, name_labels, show_positives,
                        stable_order)

__all__ = [
    "accuracy_paradox",
    "never_predicted",
    "empty_predictions",
    "single_label_predictions",
    "undefined_metric",
]


def accuracy_paradox(c: Context, accuracy=0.9, recall=0.5, critical=0.2) -> Finding | None:
    """High label accuracy with low recall: most cells are negative."""
    acc = c.metrics.get("label_accuracy")
    sup = c.support
    present = np.flatnonzero(sup > 0)
    if acc is None or not present.size or not at_least(acc, accuracy):
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
    weak = weak[stable_order(per_label[weak])]
    return Finding(
        "accuracy_paradox", "critical" if low <= critical + EPS else "warning",
        f"Label accuracy is {acc:.1%}, yet recall is only {rmi:.1%} (micro) and {rma:.1%} "
        f"({macro}): only {positive:.1%} of sample-label cells are positive, so predicting "
        f"no label at all would already score {1 - positive:.1%} label accuracy. "
        f"{weak.size} of {present.size} label(s) that occur have recall at or below "
        f"{recall:.0%}: {name_labels(c.labels, weak, show=lambda j: f'{per_label[j]:.0%}')}.",
        "Judge the model by recall, F1 (micro and macro) and the per-label table, not by "
        "label accuracy or Hamming loss.",
        labels=c.labels_at(weak),
        evidence={"label_accuracy": acc, "recall_micro": rmi, "recall_macro_present": rma,
                  "positive_share": positive, "all_negative_accuracy": 1 - positive},
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
        f"{name_labels(c.labels, idx, show=show_positives(sup))}. Their recall is 0.",
        "Lower the threshold for these labels (per-label thresholds), or check that the "
        "model was trained on them at all.",
        labels=c.labels_at(idx),
        evidence={"support": {str(c.labels[j]): float(sup[j]) for j in idx[:20]}},
    )


def empty_predictions(c: Context, limit=0.2, critical=0.5) -> Finding | None:
    """Many samples with no predicted label, far more than have no true label."""
    cnt = c.counts
    empty = c.share(cnt.row_pred == 0)
    truth_empty = c.share(cnt.row_true == 0)
    if not at_least(empty, limit) or empty <= 2 * truth_empty + EPS:
        return None
    return Finding(
        "empty_predictions", "critical" if at_least(empty, critical) else "warning",
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
    if len(c.labels) < 2 or not at_least(one, every):
        return None
    several = c.share(cnt.row_true > 1)
    if not at_least(several, multi):
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
    parts, evidence = [], {}
    no_pred = np.flatnonzero(pred == 0)
    no_true = np.flatnonzero(sup == 0)
    if no_pred.size:
        parts.append(f"precision of {no_pred.size} label(s) never predicted "
                     f"({name_labels(c.labels, no_pred, limit=5)})")
        evidence["precision_labels"] = int(no_pred.size)
    if no_true.size:
        parts.append(f"recall of {no_true.size} label(s) that never occur "
                     f"({name_labels(c.labels, no_true, limit=5)})")
        evidence["recall_labels"] = int(no_true.size)
    rows_no_pred = c.share(cnt.row_pred == 0)
    rows_no_true = c.share(cnt.row_true == 0)
    if at_least(rows_no_pred, sample_share):
        parts.append(f"the precision_samples term of the {rows_no_pred:.1%} of samples with "
                     "no predicted label")
        evidence["precision_samples_share"] = rows_no_pred
    if at_least(rows_no_true, sample_share):
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
    idx = np.flatnonzero((pred == 0) | (sup == 0))
    return Finding(
        "undefined_metric", "info",
        " ".join(sentences),
        "Choose zero_division on purpose: 0 penalises, 1 forgives, nan leaves such labels "
        "(or samples) out of the averages.",
        labels=c.labels_at(idx),
        evidence={**evidence, "zero_division": _zero_division_text(zd)},
    )
