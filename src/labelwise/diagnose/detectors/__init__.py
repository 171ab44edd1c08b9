"""The pitfall detectors, in the order they run, and :func:`run_detectors`.

Each detector is a small function of a :class:`~labelwise.diagnose.Context` that
returns a :class:`~labelwise.diagnose.Finding` or ``None``; its name is the
finding's code. They are grouped by what they read: the predictions against the
truth (:mod:`.predictions`), the scores (:mod:`.scores`), and the data and how the
evaluation was set up (:mod:`.data`). :mod:`.calibration` reads the scores as
probabilities; its detectors (:data:`CALIBRATION_DETECTORS`, which run last) need
``Context.calibration``, and stay silent without it.
"""

from __future__ import annotations

from typing import Callable

from ..context import Context
from ..findings import SEVERITIES, Finding
from .calibration import miscalibrated, threshold_not_probability
from .data import (
    label_imbalance,
    label_space_from_data,
    mostly_unknown,
    multiclass_data,
    no_support,
    overfitting,
    thresholds_tuned_on_eval,
)
from .predictions import (
    accuracy_paradox,
    empty_predictions,
    never_predicted,
    single_label_predictions,
    undefined_metric,
)
from .scores import logits_not_probabilities, softmax_scores, threshold_outside_scores

__all__ = [
    "DETECTORS",
    "run_detectors",
    "accuracy_paradox",
    "label_imbalance",
    "no_support",
    "mostly_unknown",
    "never_predicted",
    "empty_predictions",
    "single_label_predictions",
    "softmax_scores",
    "logits_not_probabilities",
    "threshold_outside_scores",
    "undefined_metric",
    "overfitting",
    "multiclass_data",
    "label_space_from_data",
    "thresholds_tuned_on_eval",
    "CALIBRATION_DETECTORS",
    "miscalibrated",
    "threshold_not_probability",
]


DETECTORS: tuple[Callable[[Context], Finding | None], ...] = (
    accuracy_paradox,
    label_imbalance,
    no_support,
    mostly_unknown,
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
    miscalibrated,
    threshold_not_probability,
)

#: The detectors of scores read as probabilities, in the order they run.
CALIBRATION_DETECTORS: tuple[Callable[[Context], Finding | None], ...] = (
    miscalibrated,
    threshold_not_probability,
)


def run_detectors(c: Context) -> list[Finding]:
    """Every finding, most severe first (stable within a severity)."""
    found = [f for f in (d(c) for d in DETECTORS) if f is not None]
    return sorted(found, key=lambda f: -SEVERITIES.index(f.severity))
