"""Detectors that read the scores and how they were thresholded: softmax outputs,
logits thresholded as probabilities, and a threshold beyond the scores."""

from __future__ import annotations

import numpy as np

from ..context import SOFTMAX_TOL, Context, Thresholding
from ..findings import Finding, at_least, name_labels

__all__ = ["softmax_scores", "logits_not_probabilities", "threshold_outside_scores"]


def softmax_scores(c: Context, share=0.9) -> Finding | None:
    """Scores that sum to 1 per sample on data where samples carry several labels."""
    shape = c.shape
    if shape is None or shape.width < 2 or not shape.rows or shape.low < 0:
        return None
    several = c.share(c.counts.row_true > 1)
    if several <= 0:
        return None  # single-label data: a softmax is appropriate there
    hit = shape.rows_summing_to_1 / shape.rows
    if not at_least(hit, share):
        return None
    return Finding(
        "softmax_scores", "critical",
        f"The scores of {hit:.1%} of samples sum to 1 across labels (within "
        f"{SOFTMAX_TOL:g}): they look like softmax outputs, which make labels compete, yet "
        f"{several:.1%} of samples carry several true labels.",
        "Use one sigmoid per label (binary cross-entropy), not a softmax over labels.",
        evidence={"share_rows_summing_to_1": hit, "share_true_several": several},
    )


def _unbounded(c: Context, tol=1e-6) -> tuple[float, float] | None:
    """(min, max) of dense scores thresholded as given that leave [0, 1], else None."""
    shape = c.shape
    if shape is None or not shape.entries:
        return None
    lo, hi = shape.low, shape.high
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
    outside = c.shape.outside_0_1 / c.shape.entries
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
    if not n or not at_least(k / n, share):
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
        + name_labels(c.labels, idx, show=show) + ".",
        fix,
        labels=c.labels_at(idx),
        evidence={"threshold": t.threshold, "cut": t.cut, "inclusive": t.inclusive,
                  "scores_are_logits": t.scores_are_logits, "min_score": lo,
                  "max_score": hi, "n_labels_scored": n, "n_never_predicted": int(none.sum()),
                  "n_always_predicted": int(every.sum())},
    )
