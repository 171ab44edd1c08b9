"""Reading the results: interpretation bands and pitfall detectors.

Each detector is a small function of a :class:`Context` that returns a
:class:`Finding` or ``None``. A detector must be correct, quiet when nothing is
wrong, and say what to do. The codes are stable; ``docs/findings.md`` documents
each one with a worked example.

Bands are a rule of thumb from common practice, not a verdict: what is good
depends on the task. Replace them with ``evaluate(..., bands=...)``.

The package holds :mod:`.findings` (:class:`Finding`, severities, helpers shared by
the detectors), :mod:`.bands`, :mod:`.context` (:class:`Context`,
:class:`Thresholding`), :mod:`.detectors` (one function per finding code, grouped
by what it reads) and :mod:`.leakage` (:func:`fingerprint`, :func:`check_leakage`).
"""

from __future__ import annotations

from .bands import DEFAULT_BANDS, check_bands, interpret
from .context import Context, ScoreShape, Thresholding
from .detectors import (
    DETECTORS,
    accuracy_paradox,
    empty_predictions,
    label_imbalance,
    label_space_from_data,
    logits_not_probabilities,
    miscalibrated,
    mostly_unknown,
    multiclass_data,
    never_predicted,
    no_support,
    overfitting,
    run_detectors,
    single_label_predictions,
    softmax_scores,
    threshold_outside_scores,
    threshold_not_probability,
    thresholds_tuned_on_eval,
    undefined_metric,
)
from .findings import SEVERITIES, Finding
from .leakage import check_leakage, fingerprint

# Each detector is also reachable by its finding code, labelwise.diagnose.<code>.
__all__ = [
    "Finding",
    "Context",
    "Thresholding",
    "ScoreShape",
    "DEFAULT_BANDS",
    "interpret",
    "check_bands",
    "DETECTORS",
    "run_detectors",
    "check_leakage",
    "fingerprint",
]
