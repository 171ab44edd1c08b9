"""Detectors that read the evaluated data and how the evaluation was set up: the
spread of label supports, labels absent from the truth, labels mostly unknown,
multi-class data, a label space taken from the data, overfitting, and thresholds
tuned on the evaluated data."""

from __future__ import annotations

import math

import numpy as np

from ..context import Context
from ..findings import (EPS, Finding, at_least, name_labels, show_positives,
                        stable_order)

__all__ = [
    "label_imbalance",
    "no_support",
    "mostly_unknown",
    "overfitting",
    "multiclass_data",
    "label_space_from_data",
    "thresholds_tuned_on_eval",
]


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
        return idx[stable_order(sup[idx])]

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
        f"{name_labels(c.labels, involved, show=show_positives(sup))}."
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
        labels=c.labels_at(involved),
        evidence={"max_support": float(top), "min_support": float(low),
                  "ratio": float(top / low), "n_imbalanced": int(thin.sum()),
                  "n_rare": int(rare.sum()), "f1_micro": f_mi, "f1_macro": f_ma},
    )


def mostly_unknown(c: Context, share=0.5) -> Finding | None:
    """Labels whose truth is unknown (not annotated) for more than half the samples."""
    unknown = c.counts.unknown
    if unknown is None or not c.counts.total_weight:
        return None
    frac = np.asarray(unknown, dtype=np.float64) / float(c.counts.total_weight)
    idx = np.flatnonzero(frac > share)
    if not idx.size:
        return None
    idx = idx[stable_order(-frac[idx])]
    shown = name_labels(c.labels, idx, show=lambda j: f"{frac[j]:.0%} unknown")
    return Finding(
        "mostly_unknown", "warning",
        f"{idx.size} label(s) are unknown (not annotated) for more than {share:.0%} of the "
        f"samples: {shown}. Their per-label figures rest on the few samples that were "
        "annotated, which may not be typical of the rest.",
        "Annotate more samples for these labels, or read their figures with that in mind; "
        "compare the annotated samples with the others before trusting them.",
        labels=c.labels_at(idx),
        evidence={"n_labels": int(idx.size), "max_unknown": float(frac[idx].max()),
                  "unknown_fraction": float(np.sum(unknown) / (float(c.counts.total_weight)
                                                               * c.counts.n_labels))},
    )


def no_support(c: Context) -> Finding | None:
    """Labels with no positive in the evaluated data."""
    idx = np.flatnonzero(c.support == 0)
    if not idx.size:
        return None
    n = len(c.labels)
    return Finding(
        "no_support", "warning" if idx.size > n / 4 else "info",
        f"{idx.size} of {n} label(s) never occur in the truth: {name_labels(c.labels, idx)}. "
        "Their recall is undefined and their precision can only be 0 (or undefined).",
        "Check that the evaluation split covers every label; drop labels that cannot occur, "
        "or read macro averages knowing these labels count at the zero_division value.",
        labels=c.labels_at(idx),
        evidence={"n_labels": int(idx.size), "of": n},
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
    if not at_least(worst, gap):
        return None
    figures = ", ".join(
        f"{n} {c.train_metrics[n]:.3f} on train vs {c.metrics[n]:.3f} on test "
        f"(gap {g:.3f})" for n, g in gaps.items()
    )
    severe = at_least(worst, critical)
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
        "Tune thresholds on a separate validation split and evaluate them on the test split; "
        "for an honest estimate from this data alone, tune with cross-fitting "
        "(tune_thresholds(..., cv=5) gives cv_score).",
        evidence={"fingerprint": c.data_fingerprint},
    )
