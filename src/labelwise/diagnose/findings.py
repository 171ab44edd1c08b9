"""What a diagnosis reports: :class:`Finding`, its severities, and the helpers the
detectors share to compare figures with their thresholds and to name labels."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["SEVERITIES", "EPS", "Finding", "at_least", "name_labels", "show_positives",
           "stable_order"]


SEVERITIES = ("info", "warning", "critical")

#: Slack for comparing computed shares and metrics with a detector's threshold, so that
#: a value meant to sit exactly on a threshold (0.9, written as 1 - 0.1) counts as on it.
EPS = 1e-9


def at_least(x, t) -> bool:
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


def name_labels(labels, idx, limit=8, show=None) -> str:
    """``'a' (3 positives), 'b' (1 positive) and 5 more``: names quoted, so that label
    names with control characters stay on one line; ``show(j)`` gives the bracket."""
    shown = ", ".join(repr(str(labels[j])) + (f" ({show(j)})" if show else "")
                      for j in idx[:limit])
    return shown + (f" and {len(idx) - limit} more" if len(idx) > limit else "")


def show_positives(sup):
    """``show`` for :func:`name_labels`: label ``j``'s support, ``3 positives``."""
    return lambda j: f"{sup[j]:g} positive" + ("" if sup[j] == 1 else "s")


def stable_order(values) -> np.ndarray:
    """``np.argsort(values, kind="stable")``: ascending, equal values (NaNs last) in the
    order of position. A merge sort, whose time does not depend on the machine's
    sorting instructions (the unstable sort's does, several times over); whole numbers
    up to 65,535 (label supports), numpy's radix sort of uint16.

    >>> stable_order(np.array([2.0, 1.0, np.nan, 2.0, 1.0, np.nan])).tolist()
    [1, 4, 0, 3, 2, 5]
    >>> counts = np.tile([3.0, 1.0, 2.0, 1.0], 100)  # whole numbers: sorted as uint16
    >>> bool((stable_order(counts) == np.argsort(counts, kind="stable")).all())
    True
    """
    values = np.asarray(values)
    if values.size > 256 and values.dtype.kind in "biuf":  # counts: numpy's radix sort
        with np.errstate(invalid="ignore"):
            small = values.astype(np.uint16)
        if np.array_equal(small, values):
            return np.argsort(small, kind="stable")
    return np.argsort(values, kind="stable")
