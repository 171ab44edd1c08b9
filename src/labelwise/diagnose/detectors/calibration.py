"""Detectors that read scores as probabilities: miscalibrated scores, and scores that
are clearly not probabilities.

Both read :attr:`Context.calibration`, the :class:`~labelwise.calibration_bins.CalibrationBins`
of the evaluated probabilities (``sigmoid(score)`` with ``scores_are_logits``), and
the :class:`~labelwise.diagnose.ScoreShape` of the scores as given.
"""

from __future__ import annotations

import math

import numpy as np

from ..bands import CALIBRATION_BANDS
from ..context import Context
from ..findings import EPS, Finding, name_labels, stable_order
from .scores import _unbounded, threshold_outside_scores

__all__ = ["miscalibrated", "threshold_not_probability", "noise_floor"]

_SIGMOID_1 = 1.0 / (1.0 + math.exp(-1.0))  # sigmoid(1) = 0.7311: sigmoid maps [0, 1] to [0.5, this]


def noise_floor(bins: np.ndarray) -> np.ndarray:
    """Per column of ``(n_bins, k, 3)`` sums, about the ECE a calibrated model would show
    on this many entries: ``sum_b (n_b / N) * sqrt(2 / pi) * sqrt(m_b * (1 - m_b) / n_b)``,
    ``m_b`` the bin's mean score.

    The frequency in bin ``b`` of a calibrated model has mean ``m_b`` and a standard
    deviation of at most ``sqrt(m_b * (1 - m_b) / n_b)``; ``sqrt(2 / pi)`` times it is
    the mean absolute deviation of a normal variable. Weights are read as counts.

    >>> noise_floor(np.array([[[100.0, 50.0, 48.0]]])).round(4).tolist()
    [0.0399]
    """
    n, s = bins[..., 0], bins[..., 1]
    total = n.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(n > 0, s / np.where(n > 0, n, 1.0), 0.0)
        spread = np.sqrt(np.clip(m * (1 - m), 0, None) * np.where(n > 0, n, 0.0))
        return np.sqrt(2 / np.pi) * spread.sum(axis=0) / np.where(total > 0, total, np.nan)


def miscalibrated(c: Context, band=None, noise=2.0, worst=8) -> Finding | None:
    """Classwise-ECE above the good side of its band, and clearly above the noise.

    Fires when the macro ECE (the mean of the labels' ECE over equal-width bins) is
    above ``band[0]`` (the ``ece_*`` band's good bound unless given) and above
    ``noise`` times what a calibrated model would show on as many entries
    (:func:`noise_floor`). The direction comes from the signed gap
    ``sum_b n_b * (conf_b - acc_b) / N`` averaged over labels (see
    :func:`labelwise.calibration_bins.signed_gap_from_bins`): positive is
    overconfident, negative underconfident.
    """
    state = getattr(c, "calibration", None)
    if state is None or threshold_not_probability(c) is not None:
        return None  # scores that are not probabilities at all: that finding says it
    good, bad = CALIBRATION_BANDS["ece_*"] if band is None else band
    weight = state.weight
    live = weight > 0
    if not live.any():
        return None
    per = state.ece(average=None)
    gap = state.signed_gap(average=None)
    floor = noise_floor(state.counts)
    macro = float(per[live].mean())
    macro_floor = float(floor[live].mean())
    if macro <= good + EPS or macro <= noise * macro_floor:
        return None
    macro_gap = float(gap[live].mean())
    direction = "overconfident" if macro_gap > 0 else "underconfident"
    over = live & (gap > 0)
    n_side = int(over.sum()) if direction == "overconfident" else int((live & (gap < 0)).sum())
    involved = np.flatnonzero(live & (per > good + EPS) & (per > noise * floor))
    involved = involved[stable_order(-per[involved])]
    if not involved.size:  # the average is high, no single label clearly is: show the worst
        involved = np.flatnonzero(live)[stable_order(-per[live])][:worst]

    def show(j):
        return f"ECE {per[j]:.3f}, " + ("over" if gap[j] > 0 else "under") + "confident"

    n_live = int(live.sum())
    side = ("more extreme than the frequencies they claim (too close to 0 and 1)"
            if direction == "overconfident" else
            "less extreme than the frequencies they claim (too close to 0.5)")
    micro = state.ece(average="micro")
    return Finding(
        "miscalibrated", "warning" if macro > bad + EPS else "info",
        f"Classwise-ECE is {macro:.3f} over {state.bins} equal-width bins (micro "
        f"{micro:.3f}), above {good:g}; a calibrated model would show about "
        f"{macro_floor:.3f} on this many entries. The scores are {direction}: on "
        f"average they are {side}, and {n_side} of {n_live} label(s) are {direction}. Read as probabilities they mislead: a score of 0.5 does "
        f"not mean 'as likely as not'. The worst labels: "
        + name_labels(c.labels, involved, limit=worst, show=show) + ".",
        "Calibrate each label's scores on validation data (not the evaluated split): "
        "per-label temperature scaling (one parameter per label; the ranking, ROC-AUC and "
        "P@k stay the same) or, with a few hundred positives per label, isotonic "
        "regression. Then evaluate again.",
        labels=c.labels_at(involved),
        evidence={"ece_macro": macro, "ece_micro": micro, "noise_floor_macro": macro_floor,
                  "signed_gap_macro": macro_gap, "direction": direction,
                  "n_overconfident": int(over.sum()),
                  "n_underconfident": int((live & (gap < 0)).sum()), "bins": state.bins,
                  "band": [good, bad]},
    )


def _reads_logits(c: Context) -> bool:
    flag = getattr(c, "scores_are_logits", None)
    if flag is None and c.thresholding is not None:
        flag = c.thresholding.scores_are_logits
    return bool(flag)


def threshold_not_probability(c: Context, tol=1e-6) -> Finding | None:
    """Scores that are clearly not probabilities, though read as such.

    * With ``scores_are_logits``, every score as given lies in [0, 1]: they are
      probabilities already, and their sigmoids all lie in [0.5, 0.731].
    * Without it, every score lies in [0.5, 0.731] (the range of a sigmoid over
      [0, 1]) while fewer than half the entries are true: a sigmoid was applied
      to probabilities.

    Scores outside [0, 1] read as probabilities are
    :func:`~labelwise.diagnose.logits_not_probabilities`' case, and a threshold
    that these scores all pass is :func:`~labelwise.diagnose.threshold_outside_scores`';
    this detector leaves those to them (one cause, one finding).
    """
    shape = c.shape
    if shape is None or not shape.entries or _unbounded(c, tol) is not None:
        return None
    lo, hi = shape.low, shape.high
    logits = _reads_logits(c)
    if logits:
        if lo < -tol or hi > 1 + tol:
            return None
        what = (f"Every score lies in [0, 1] ({lo:.3g} to {hi:.3g}), yet scores_are_logits "
                "is set: their sigmoids all lie between 0.5 and 0.731, so every probability "
                "read from them says 'more likely than not'.")
        fix = ("If the scores are probabilities, drop scores_are_logits (command line: "
               "--scores-are-logits). Then ECE, Brier score, log loss and the threshold "
               "read them as they are.")
    else:
        known = c.counts.total_weight * max(len(c.labels), 1)
        if c.counts.unknown is not None:  # the share of the known entries that are true
            known -= float(np.sum(c.counts.unknown))
        prevalence = float(c.support.sum() / known) if known else 0.0
        if not (lo >= 0.5 - tol and hi <= _SIGMOID_1 + tol and hi > lo and prevalence < 0.5):
            return None
        what = (f"Every score lies between {lo:.3g} and {hi:.3g}, inside [0.5, 0.731], the "
                "range of a sigmoid applied to numbers in [0, 1], while only "
                f"{prevalence:.1%} of the entries are true: the scores look like "
                "sigmoid(probability), not probabilities.")
        fix = ("Pass the model's probabilities as they are (apply the sigmoid once), or its "
               "logits with scores_are_logits=True (command line: --scores-are-logits).")
    if threshold_outside_scores(c) is not None:
        return None
    return Finding(
        "threshold_not_probability", "warning",
        what + " Calibration metrics and any threshold read as a probability mean little "
        "on them.",
        fix,
        evidence={"min_score": lo, "max_score": hi, "scores_are_logits": logits},
    )
