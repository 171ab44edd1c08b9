"""Interpretation bands: ``good``, ``fair`` or ``bad`` for a metric's value.

Bands are a rule of thumb from common practice, not a verdict: what is good
depends on the task. Replace them with ``evaluate(..., bands=...)``.
"""

from __future__ import annotations

import fnmatch
import math

from ..errors import InputError
from ..registry import REGISTRY
from .findings import at_least

__all__ = ["DEFAULT_BANDS", "CALIBRATION_BANDS", "check_bands", "interpret"]


#: pattern -> (good, bad). Higher-is-better metrics read "good" when value >= good,
#: "bad" when value < bad; lower-is-better ones "good" when value <= good, "bad" when
#: value > bad; "fair" in between. A value on a boundary (up to rounding, see
#: :data:`labelwise.diagnose.findings.EPS`) gets the better reading.
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

#: Bands of the calibration metrics (lower is better). ECE: a gap of at most 0.05
#: between scores and frequencies reads as well calibrated, above 0.1 as poorly.
#: Brier: 0.25 is what predicting 0.5 everywhere scores. They join
#: :data:`DEFAULT_BANDS` for the metrics of the registry they match.
CALIBRATION_BANDS: dict[str, tuple[float, float]] = {
    "ece_*": (0.05, 0.1),
    "brier_*": (0.1, 0.25),
}
DEFAULT_BANDS.update({p: pair for p, pair in CALIBRATION_BANDS.items()
                      if any(fnmatch.fnmatchcase(n, p) for n in REGISTRY)})


def check_bands(bands: dict) -> dict:
    """Validate a bands table ``{metric or pattern: (good, bad)}``; patterns may use ``*``.

    Every pattern must match a registry metric, and ``good`` must be on the better side
    of ``bad`` for each metric it matches (``good >= bad`` where higher is better,
    ``good <= bad`` where lower is better). A pattern that matches metrics of both
    directions bands only those its order fits.

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
        # a pattern over metrics of both directions bands those its order fits
        fitting = [n for n in matched if _fits(n, good, bad)]
        for name in matched if not fitting or len(fitting) == len(matched) else ():
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


def _fits(name: str, good: float, bad: float) -> bool:
    """Whether ``(good, bad)`` is in the order of ``name``'s direction."""
    return good >= bad if REGISTRY[name].higher_is_better else good <= bad


def _band_for(name: str, bands: dict):
    """The band of ``name``: its exact entry, else the last pattern in ``bands`` that
    matches it (so entries appended to a table, as ``evaluate(bands=...)`` does, win)
    in the order of its direction (``"*_macro": (0.8, 0.5)`` bands ``f1_macro``, not
    ``ece_macro``)."""
    if name in bands:
        return bands[name]
    best = None
    for pattern, pair in bands.items():
        if fnmatch.fnmatchcase(name, pattern) and _fits(name, *pair):
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
            out[name] = ("good" if at_least(value, good)
                         else "fair" if at_least(value, bad) else "bad")
        else:
            out[name] = ("good" if at_least(-value, -good)
                         else "fair" if at_least(-value, -bad) else "bad")
    return out
