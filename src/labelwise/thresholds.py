"""Threshold tuning: the threshold(s) that maximise a registry metric, found exactly.

The candidates of one label are the midpoints between its consecutive distinct
scores, plus one threshold below its lowest score (every row predicted) and one
above its highest (none predicted). Any other threshold predicts the same rows
as one of these, so the best candidate is the best threshold there is.

One sort of each label's scores and cumulative sums of its positives and
negatives give that label's ``tp, fp, fn, tn`` at every candidate at once; the
objective is the registry metric's formula applied to those counts, vectorised
over the candidates.

* Per-label tuning (``per_label=True``) of a macro or weighted objective gives
  each label the threshold that maximises its own score: that is the exact
  optimum of the average, since each label's term depends on its own threshold
  only (the weights of ``weighted`` are supports, which thresholds do not move).
* ``per_label=False`` finds the one threshold shared by all labels that
  maximises the objective exactly: the labels' candidate counts are pooled in
  one sort over every label's distinct scores.
* A micro objective (and ``hamming_loss``, ``label_accuracy``) with per-label
  thresholds couples the labels through the summed counts. It is solved by
  coordinate ascent from the best global threshold: one label at a time moves to
  its best candidate with the others held, until no label improves. The result
  is a local optimum, never below the global one (for ``hamming_loss`` and
  ``label_accuracy``, which are sums over labels, it is the exact optimum).
* ``samples``-averaged objectives and ``subset_accuracy`` depend on every label
  of a row at once and are not offered.

Examples
--------
>>> import labelwise
>>> y_true = [[1, 0], [1, 1], [0, 1], [0, 0]]
>>> y_score = [[0.9, 0.2], [0.35, 0.45], [0.3, 0.4], [0.1, 0.1]]
>>> t = labelwise.tune_thresholds(y_true, y_score, objective="f1_macro")
>>> t.values.round(3).tolist(), t.score, t.baseline
([0.325, 0.3], 1.0, 0.3333333333333333)
>>> labelwise.evaluate(y_true, y_score=y_score, threshold=t)["f1_macro"]
1.0
"""

from __future__ import annotations

import json
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from . import _sparse as sp

from ._validate import binarize, check_beta, check_sample_weight, coerce_ranking, is_topk_form
from . import defaults as D
from .diagnose.leakage import fingerprint
from .errors import InputError
from .formulas import FAMILIES, Family
from .registry import REGISTRY, lookup

__all__ = ["Thresholds", "ThresholdCurve", "tune_thresholds", "threshold_curve"]

FORMAT = "labelwise.Thresholds/1"
_TIE = 1e-12  # improvements smaller than this are rounding, not gains
_CHUNK = 1 << 22  # cells of (candidates x labels) handled at once


# --------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Thresholds:
    """Tuned thresholds, with what they reach on the tuning data.

    Pass it wherever a threshold is taken: ``evaluate(..., threshold=t)`` and
    ``Accumulator(threshold=t)`` match its values to the labels by name. Pass
    ``inclusive=True`` there too when ``rule`` is ``">="``.

    Attributes
    ----------
    values : float or ndarray of shape (n_labels,)
        One threshold per label, or one float shared by all labels.
    labels : tuple
        The labels, in the order of ``values`` (column indices for unnamed data).
    objective : str
        The registry metric maximised (minimised for ``*_loss``).
    rule : {">", ">="}
        ``score > threshold`` or ``score >= threshold`` predicts a label.
    score : float
        The objective on the tuning data with these thresholds.
    baseline : float
        The objective on the tuning data at threshold 0.5.
    precision, recall, f1 : ndarray of shape (n_labels,)
        Each label's figures on the tuning data at its threshold (0/0 gives 0).
    support : ndarray of shape (n_labels,)
        Each label's positives in the tuning data (weighted when samples are).
    tuned_on : str
        Fingerprint of the tuning truth; :func:`labelwise.evaluate` on the same
        truth reports the ``thresholds_tuned_on_eval`` finding.
    unmet : tuple
        Labels that could not meet ``min_precision`` or ``min_recall``; they got
        the threshold that comes closest.
    constraint : dict or None
        ``{"min_precision": p}`` or ``{"min_recall": r}`` when one was asked for.
    cv_score : float or None
        With ``cv=K``: the objective of the cross-fitted predictions, each fold
        thresholded with values tuned on the other folds.
    cv_spread : float, ndarray or None
        With ``cv=K``: the standard deviation of each threshold over the K folds.
    """

    values: Any
    labels: tuple
    objective: str
    rule: str
    score: float
    baseline: float
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    tuned_on: str | None = None
    unmet: tuple = ()
    constraint: dict | None = None
    cv_score: float | None = None
    cv_spread: Any = None
    settings: dict = field(default_factory=dict)

    @property
    def per_label(self) -> bool:
        """Whether each label has its own threshold."""
        return not isinstance(self.values, float)

    @property
    def inclusive(self) -> bool:
        return self.rule == ">="

    def as_dict(self) -> dict:
        """``{label: threshold}`` (every label, also for a global threshold)."""
        if self.per_label:
            return {lab: float(v) for lab, v in zip(self.labels, self.values)}
        return {lab: self.values for lab in self.labels}

    def __repr__(self) -> str:
        shown = (f"{self.values:.4g}" if not self.per_label
                 else f"{len(self.labels)} per-label values")
        cv = "" if self.cv_score is None else f", cv_score={self.cv_score:.4f}"
        return (f"Thresholds({shown}, objective={self.objective!r}, rule={self.rule!r}, "
                f"score={self.score:.4f}, baseline={self.baseline:.4f}{cv}"
                + (f", unmet={list(self.unmet)}" if self.unmet else "") + ")")

    # -- JSON ----------------------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain JSON-safe data; the schema is documented at :meth:`to_json`."""
        def floats(a):
            return None if a is None else [float(x) for x in np.atleast_1d(a)]

        spread = self.cv_spread
        return {
            "format": FORMAT,
            "objective": self.objective,
            "rule": self.rule,
            "per_label": self.per_label,
            "labels": [_plain(x) for x in self.labels],
            "values": floats(self.values) if self.per_label else float(self.values),
            "score": float(self.score),
            "baseline": float(self.baseline),
            "precision": floats(self.precision),
            "recall": floats(self.recall),
            "f1": floats(self.f1),
            "support": floats(self.support),
            "tuned_on": self.tuned_on,
            "unmet": [_plain(x) for x in self.unmet],
            "constraint": self.constraint,
            "cv_score": None if self.cv_score is None else float(self.cv_score),
            "cv_spread": (None if spread is None else
                          float(spread) if isinstance(spread, float) else floats(spread)),
            "settings": dict(self.settings),
        }

    def to_json(self, **kw) -> str:
        """The thresholds as JSON text.

        The object has ``"format": "labelwise.Thresholds/1"``; ``"labels"`` (names,
        or column indices); ``"values"`` (one number per label in the order of
        ``"labels"``, or one number when ``"per_label"`` is false); ``"rule"``
        (``">"`` or ``">="``); ``"objective"``, ``"score"``, ``"baseline"``;
        ``"precision"``, ``"recall"``, ``"f1"`` and ``"support"`` per label;
        ``"tuned_on"`` (fingerprint of the tuning truth); ``"unmet"`` (labels);
        ``"constraint"``; ``"cv_score"`` and ``"cv_spread"`` (null without ``cv``);
        ``"settings"`` (the other arguments of the tuning). Keyword arguments go
        to :func:`json.dumps`.

        Examples
        --------
        >>> import labelwise
        >>> t = labelwise.tune_thresholds([[1, 0], [0, 1], [1, 1]],
        ...                               [[0.6, 0.1], [0.2, 0.7], [0.4, 0.3]])
        >>> back = labelwise.Thresholds.from_json(t.to_json())
        >>> back.values.tolist() == t.values.tolist(), back.labels, back.rule
        (True, (0, 1), '>')
        """
        return json.dumps(self.to_dict(), **kw)

    @classmethod
    def from_json(cls, text, labels=None) -> "Thresholds":
        """Thresholds from :meth:`to_json` text (or its parsed dict).

        With ``labels``, the values are put in that order, matched by name; every
        label needs a value. Without it, the stored order is kept (evaluating with
        the thresholds matches them by name anyway).

        Examples
        --------
        >>> import pandas as pd
        >>> import labelwise
        >>> t = labelwise.tune_thresholds(pd.DataFrame({"a": [1, 0, 1], "b": [0, 1, 1]}),
        ...     pd.DataFrame({"a": [0.8, 0.3, 0.6], "b": [0.1, 0.9, 0.2]}))
        >>> t.as_dict()
        {'a': 0.44999999999999996, 'b': 0.15000000000000002}
        >>> labelwise.Thresholds.from_json(t.to_json(), labels=["b", "a"]).as_dict()
        {'b': 0.15000000000000002, 'a': 0.44999999999999996}
        """
        if isinstance(text, (str, bytes)):
            try:
                d = json.loads(text)
            except ValueError as err:
                raise InputError(f"thresholds JSON does not parse: {err}.") from None
        else:
            d = text
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise InputError(f"not thresholds JSON: expected an object with \"format\": "
                             f"\"{FORMAT}\", as Thresholds.to_json() writes.")
        stored = tuple(d["labels"])
        per_label = bool(d["per_label"])
        arrays = {k: np.asarray(d[k], dtype=np.float64) for k in
                  ("precision", "recall", "f1", "support")}
        values = np.asarray(d["values"], dtype=np.float64) if per_label else float(d["values"])
        spread = d.get("cv_spread")
        if isinstance(spread, list):
            spread = np.asarray(spread, dtype=np.float64)
        if per_label and len(values) != len(stored):
            raise InputError(f"thresholds JSON has {len(stored)} labels but {len(values)} "
                             "values: give one value per label.")
        out_labels = stored
        if labels is not None:
            wanted = tuple(labels)
            where = {lab: i for i, lab in enumerate(stored)}
            missing = [x for x in wanted if x not in where]
            if missing:
                raise InputError(f"thresholds JSON has no value for label(s) {missing[:10]}; "
                                 f"it holds {list(stored[:10])}.")
            order = np.array([where[x] for x in wanted], dtype=np.int64)
            arrays = {k: v[order] for k, v in arrays.items()}
            if per_label:
                values = values[order]
            if isinstance(spread, np.ndarray):
                spread = spread[order]
            out_labels = wanted
        return cls(values, out_labels, d["objective"], d["rule"], float(d["score"]),
                   float(d["baseline"]), arrays["precision"], arrays["recall"], arrays["f1"],
                   arrays["support"], d.get("tuned_on"), tuple(d.get("unmet") or ()),
                   d.get("constraint"), d.get("cv_score"), spread, dict(d.get("settings") or {}))


def _plain(x):
    return x.item() if isinstance(x, np.generic) else x


# --------------------------------------------------------------------------
# Objectives
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Objective:
    """A registry metric as a function of per-label counts of shape (..., n_labels)."""

    name: str
    kind: str  # "micro", "macro", "weighted" or "cells" (hamming_loss, label_accuracy)
    family: Family | None
    sign: float  # +1 maximise, -1 minimise
    beta: float
    zero_division: float

    @property
    def separable(self) -> bool:
        """Whether per-label tuning of each label's own score is exact."""
        return self.kind in ("macro", "weighted")

    def unit(self, tp, fp, fn, tn):
        """Each unit's value, 0/0 replaced by ``zero_division``."""
        v = self.family(tp, fp, fn, tn, self.beta)
        return np.where(np.isnan(v), self.zero_division, v)

    def value(self, tp, fp, fn, tn) -> np.ndarray:
        """The metric from counts whose last axis is the labels."""
        if self.kind == "micro":
            return self.unit(tp.sum(-1), fp.sum(-1), fn.sum(-1), tn.sum(-1))
        if self.kind == "cells":
            total = (tp + fp + fn + tn).sum(-1)
            loss = (fp + fn).sum(-1) / np.where(total == 0, 1.0, total)
            return loss if self.name == "hamming_loss" else 1.0 - loss
        v = self.unit(tp, fp, fn, tn)
        if self.kind == "weighted":
            sup = np.asarray(tp + fn, dtype=np.float64)
            tot = sup.sum(-1)
            with np.errstate(invalid="ignore", divide="ignore"):
                w = np.where(tot == 0, v.mean(-1), (v * sup).sum(-1) / np.where(tot == 0, 1, tot))
            return w
        return v.mean(-1)

    def totals(self, tp, fp, P, N, n_labels):
        """The gain (sign * metric) of micro and cell objectives from summed counts."""
        if self.kind == "micro":
            return self.sign * self.unit(tp, fp, P - tp, N - fp)
        loss = (fp + (P - tp)) / max(float(P + N), 1e-300)
        return self.sign * (loss if self.name == "hamming_loss" else 1.0 - loss)


def _objective(objective, beta, zero_division) -> _Objective:
    if not isinstance(objective, str):
        raise InputError(f"objective must be the name of a metric, got {objective!r}.")
    m = lookup(objective)
    if m is None:
        close = [n for n in REGISTRY if not REGISTRY[n].needs_scores]
        raise InputError(f"objective {objective!r} is not a metric of the registry; choose a "
                         f"threshold metric such as f1_macro, f1_micro, fbeta_macro, "
                         f"jaccard_micro or mcc_macro (labelwise.metric_names(needs_scores="
                         f"False) lists {len(close)}).")
    if m.needs_scores:
        raise InputError(f"objective {objective!r} is computed from scores and does not depend "
                         "on the threshold; choose a threshold metric such as f1_macro.")
    if m.average == "samples" or m.name == "subset_accuracy":
        raise InputError(f"objective {objective!r} combines the labels of each sample, which "
                         "tune_thresholds does not search; use the micro, macro or weighted "
                         f"average instead (e.g. {m.family}_micro)." if m.average else
                         "objective 'subset_accuracy' combines the labels of each sample, "
                         "which tune_thresholds does not search; use f1_micro, jaccard_micro "
                         "or hamming_loss instead.")
    if m.average is None:
        return _Objective(m.name, "cells", None, 1.0 if m.higher_is_better else -1.0, beta,
                          zero_division)
    return _Objective(m.name, m.average, FAMILIES[m.family],
                      1.0 if m.higher_is_better else -1.0, beta, zero_division)


# --------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------


def _beyond(v, up: bool):
    """A threshold beyond ``v``: above it when ``up``, else below it."""
    step = np.maximum(1.0, np.abs(v))
    return v + step if up else v - step


def _cut(upper, lower, inclusive: bool):
    """A threshold between distinct scores ``upper > lower`` that keeps ``upper`` and
    drops ``lower``: their midpoint, or, when rounding puts the midpoint on one of
    them, that score itself."""
    mid = upper / 2 + lower / 2
    ok = (lower < mid) & (mid < upper)
    return np.where(ok, mid, upper if inclusive else lower)


@dataclass
class _Sweep:
    """Every label's candidates, as flat arrays sorted by label then candidate.

    Candidate 0 of a label predicts none of its rows; candidate c predicts the
    rows whose score is one of its c highest distinct scores.
    """

    label: np.ndarray  # label of each candidate
    first: np.ndarray  # index of each label's candidate 0
    tp: np.ndarray
    fp: np.ndarray
    low: np.ndarray  # lowest predicted score (+inf for candidate 0)
    next: np.ndarray  # highest score not predicted (-inf for the last candidate)
    P: np.ndarray  # positives per label
    N: np.ndarray  # negatives per label


def _columns(Y, S, w, j0, j1):
    """Sorted sweep of labels j0:j1: candidate mask and cumulative counts, (n+1, m).

    Each label's scores are sorted once, label by label in contiguous memory;
    the arrays returned are views of label-major arrays.
    """
    s = np.ascontiguousarray(S[:, j0:j1].T)
    order = np.argsort(s, axis=1)[:, ::-1]
    ss = np.take_along_axis(s, order, 1)
    ys = np.take_along_axis(np.ascontiguousarray(Y[:, j0:j1].T), order, 1)
    m, n = ss.shape
    tp = np.zeros((m, n + 1))
    fp = np.zeros((m, n + 1))
    if w is None:
        np.cumsum(ys, axis=1, dtype=np.float64, out=tp[:, 1:])
        np.subtract(np.arange(1, n + 1, dtype=np.float64), tp[:, 1:], out=fp[:, 1:])
    else:
        ws = w[order]
        wy = np.where(ys, ws, 0.0)
        np.cumsum(wy, axis=1, out=tp[:, 1:])
        np.cumsum(ws - wy, axis=1, out=fp[:, 1:])
    valid = np.ones((m, n + 1), dtype=bool)
    np.not_equal(ss[:, :-1], ss[:, 1:], out=valid[:, 1:n])
    return ss.T, tp.T, fp.T, valid.T


def _thresholds_at(ss, pick, inclusive):
    """The threshold of candidate ``pick[j]`` of each column of the sorted scores ``ss``."""
    n, m = ss.shape
    cols = np.arange(m)
    top, bottom = ss[0].astype(np.float64), ss[n - 1].astype(np.float64)
    upper = ss[np.clip(pick - 1, 0, n - 1), cols].astype(np.float64)
    lower = ss[np.clip(pick, 0, n - 1), cols].astype(np.float64)
    mid = _cut(upper, lower, inclusive)
    return np.where(pick == 0, _beyond(top, True), np.where(pick == n, _beyond(bottom, False),
                                                            mid))


def _chunks(n, L):
    step = max(1, _CHUNK // max(n + 1, 1))
    return [(j, min(L, j + step)) for j in range(0, L, step)]


def _best_per_label(Y, S, w, obj: _Objective, inclusive, min_precision, min_recall):
    """Each label's best candidate threshold, and the labels that miss the constraint."""
    n, L = S.shape
    values = np.empty(L)
    unmet = np.zeros(L, dtype=bool)
    P_all = (Y.sum(0).astype(np.float64) if w is None else (w[:, None] * Y).sum(0))
    W = float(n if w is None else w.sum())
    for j0, j1 in _chunks(n, L):
        ss, tp, fp, valid = _columns(Y, S, w, j0, j1)
        P = P_all[j0:j1]
        N = W - P
        if min_precision is None and min_recall is None:
            gain = obj.sign * obj.unit(tp, fp, P - tp, N - fp)
            gain[~valid] = -np.inf
            pick = np.argmax(gain, axis=0)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                prec = np.where(tp + fp > 0, tp / np.where(tp + fp > 0, tp + fp, 1), np.nan)
                rec = np.where(P > 0, tp / np.where(P > 0, P, 1), np.nan)
            if min_precision is not None:
                want, other, bound = prec, rec, min_precision
            else:
                want, other, bound = rec, prec, min_recall
            ok = valid & (want >= bound - _TIE)
            meets = ok.any(axis=0)
            # Meeting: the best of the other figure, ties to the highest threshold.
            g_ok = np.where(ok, np.nan_to_num(other, nan=-1.0), -np.inf)
            # Not meeting: the closest to the bound, then the best of the other figure.
            close = np.where(valid, np.nan_to_num(want, nan=-1.0), -np.inf)
            best_close = close.max(axis=0)
            g_no = np.where(valid & (close >= best_close - _TIE),
                            np.nan_to_num(other, nan=-1.0), -np.inf)
            pick = np.where(meets, np.argmax(g_ok, axis=0), np.argmax(g_no, axis=0))
            unmet[j0:j1] = ~meets
        values[j0:j1] = _thresholds_at(ss, pick, inclusive)
    return values, unmet


def _sweep(Y, S, w) -> _Sweep:
    """Every label's candidates with their counts (for the coupled searches)."""
    n, L = S.shape
    parts = []
    for j0, j1 in _chunks(n, L):
        ss, tp, fp, valid = _columns(Y, S, w, j0, j1)
        cols, rows = np.nonzero(valid.T)  # by label, then candidate
        ext = np.vstack([np.full((1, ss.shape[1]), np.inf), ss.astype(np.float64),
                         np.full((1, ss.shape[1]), -np.inf)])
        parts.append((cols + j0, tp[rows, cols], fp[rows, cols], ext[rows, cols],
                      ext[rows + 1, cols]))
    label, tp, fp, low, nxt = (np.concatenate(p) for p in zip(*parts))
    first = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    P = (Y.sum(0).astype(np.float64) if w is None else (w[:, None] * Y).sum(0))
    W = float(n if w is None else w.sum())
    return _Sweep(label, first, tp, fp, low, nxt, P, W - P)


def _pooled(sw: _Sweep, obj: _Objective, L: int):
    """The pooled distinct scores (descending) and the gain at each shared threshold.

    ``gain[k]`` is the objective (times its sign) when every label predicts the
    rows whose score is among the ``k`` highest pooled distinct scores.
    """
    # Each label's change from one of its candidates to the next happens at the
    # pooled threshold that first admits that candidate's lowest score.
    step = np.ones(sw.label.shape[0], dtype=bool)
    step[sw.first] = False
    prev = np.r_[0, np.arange(sw.label.shape[0] - 1)]
    if obj.separable:
        P, N = sw.P[sw.label], sw.N[sw.label]
        g = obj.unit(sw.tp, sw.fp, P - sw.tp, N - sw.fp)
        weight = (sw.P if obj.kind == "weighted" and sw.P.sum() > 0 else np.ones(L))
        wl = weight[sw.label]
        base = float((g[sw.first] * wl[sw.first]).sum())
        deltas = [((g - g[prev]) * wl)[step]]
    else:
        base = 0.0
        deltas = [(sw.tp - sw.tp[prev])[step], (sw.fp - sw.fp[prev])[step]]
    at = sw.low[step]
    order = np.argsort(at, kind="stable")[::-1]
    at = at[order]
    sums = [np.cumsum(d[order]) for d in deltas]
    ends = np.flatnonzero(np.r_[at[:-1] != at[1:], True]) if at.size else np.array([], int)
    sums = [np.r_[0.0, s[ends]] for s in sums]  # candidate 0: nothing predicted
    if obj.separable:
        gain = obj.sign * (base + sums[0]) / weight.sum()
    else:
        gain = obj.totals(sums[0], sums[1], sw.P.sum(), sw.N.sum(), L)
    return at[ends], gain


def _pooled_cuts(vals, inclusive):
    """The threshold of each pooled candidate k = 0 .. len(vals)."""
    if vals.size == 0:
        return np.array([0.5])
    mid = _cut(vals[:-1], vals[1:], inclusive)
    return np.r_[_beyond(vals[0], True), mid, _beyond(vals[-1], False)]


def _global(sw: _Sweep, obj: _Objective, inclusive: bool, L: int) -> float:
    """The one threshold for all labels that maximises the objective, exactly."""
    vals, gain = _pooled(sw, obj, L)
    best = int(np.argmax(gain))
    if vals.size == 0:  # no scores at all
        return 0.5
    if best == 0:
        return float(_beyond(vals[0], True))
    if best == vals.size:
        return float(_beyond(vals[-1], False))
    return float(_cut(vals[best - 1], vals[best], inclusive))


def _ascent(sw: _Sweep, obj: _Objective, start: float, inclusive: bool, L: int,
            max_passes: int = 100):
    """Per-label thresholds by coordinate ascent on a coupled objective from ``start``."""
    ends = np.r_[sw.first[1:], sw.label.shape[0]]
    lows = [sw.low[a:b] for a, b in zip(sw.first, ends)]
    tps = [sw.tp[a:b] for a, b in zip(sw.first, ends)]
    fps = [sw.fp[a:b] for a, b in zip(sw.first, ends)]
    pick = np.array([int(np.count_nonzero(lo[1:] >= start if inclusive else lo[1:] > start))
                     for lo in lows])
    tp = np.array([t[k] for t, k in zip(tps, pick)])
    fp = np.array([f[k] for f, k in zip(fps, pick)])
    Pt, Nt = sw.P.sum(), sw.N.sum()
    T, F = tp.sum(), fp.sum()
    current = float(obj.totals(T, F, Pt, Nt, L))
    for _ in range(max_passes):
        moved = False
        for j in range(L):
            gain = obj.totals(T - tp[j] + tps[j], F - fp[j] + fps[j], Pt, Nt, L)
            k = int(np.argmax(gain))
            if gain[k] > current + _TIE:
                T += tps[j][k] - tp[j]
                F += fps[j][k] - fp[j]
                tp[j], fp[j], pick[j], current = tps[j][k], fps[j][k], k, float(gain[k])
                moved = True
        if not moved:
            break
    values = np.empty(L)
    for j, (a, k) in enumerate(zip(sw.first, pick)):
        hi, lo = sw.low[a + k], sw.next[a + k]
        if np.isinf(hi):  # nothing predicted
            values[j] = _beyond(lo, True) if np.isfinite(lo) else start
        elif np.isinf(lo):  # everything predicted
            values[j] = _beyond(hi, False)
        else:
            values[j] = _cut(hi, lo, inclusive)
    return values


# --------------------------------------------------------------------------
# Counts at given thresholds
# --------------------------------------------------------------------------


def _counts(Y, S, w, thr, inclusive):
    pred = binarize(S, thr, inclusive)
    if w is None:
        tp = np.count_nonzero(pred & Y, axis=0).astype(np.float64)
        pp = np.count_nonzero(pred, axis=0).astype(np.float64)
        P = np.count_nonzero(Y, axis=0).astype(np.float64)
        W = float(S.shape[0])
    else:
        tp = (w[:, None] * (pred & Y)).sum(0)
        pp = (w[:, None] * pred).sum(0)
        P = (w[:, None] * Y).sum(0)
        W = float(w.sum())
    fp = pp - tp
    return tp, fp, P - tp, W - P - fp


def _ratio(a, b):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1), 0.0)


# --------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------


def _check_bound(x, name):
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 <= x <= 1:
        raise InputError(f"{name} must be a number between 0 and 1, got {x!r}.")
    return float(x)


def _check_cv(cv, n):
    if cv is None:
        return None
    if isinstance(cv, bool) or not isinstance(cv, (int, np.integer)) or cv < 2:
        raise InputError(f"cv must be an integer number of folds of at least 2, got {cv!r}.")
    if cv > n:
        raise InputError(f"cv={cv} folds need at least {cv} samples, but there are {n}: "
                         "use fewer folds.")
    return int(cv)


def _tune(Y, S, w, obj, per_label, min_precision, min_recall, inclusive):
    """Thresholds (float or per-label array) and the mask of unmet labels."""
    L = S.shape[1]
    unmet = np.zeros(L, dtype=bool)
    if min_precision is not None or min_recall is not None:
        return _best_per_label(Y, S, w, obj, inclusive, min_precision, min_recall)
    if per_label and obj.separable:
        return _best_per_label(Y, S, w, obj, inclusive, None, None)
    sw = _sweep(Y, S, w)
    start = _global(sw, obj, inclusive, L)
    if not per_label:
        return start, unmet
    return _ascent(sw, obj, start, inclusive, L), unmet


def tune_thresholds(y_true, y_score, *, objective="f1_macro", per_label=True,
                    min_precision=None, min_recall=None, sample_weight=None, inclusive=False,
                    cv=None, seed=None, labels=None, beta=D.BETA,
                    zero_division=D.ZERO_DIVISION) -> Thresholds:
    """The thresholds that maximise ``objective`` on ``(y_true, y_score)``, exactly.

    Parameters
    ----------
    y_true : array-like, sparse matrix, DataFrame or label sets
        True labels, as :func:`labelwise.evaluate` takes them.
    y_score : array-like of float or DataFrame, shape (n_samples, n_labels)
        Dense scores; DataFrame columns are matched to the labels by name.
    objective : str, default "f1_macro"
        A threshold metric of the registry: ``{family}_{average}`` with family
        ``precision``, ``recall``, ``f1``, ``fbeta``, ``jaccard``, ``specificity``,
        ``balanced_accuracy`` or ``mcc`` and average ``micro``, ``macro`` or
        ``weighted``; or ``hamming_loss`` (minimised) or ``label_accuracy``.
        ``samples`` averages and ``subset_accuracy`` are refused.
    per_label : bool, default True
        One threshold per label; with False, one threshold shared by all labels,
        the exact optimum. Macro and weighted objectives are exact per label; micro
        ones use coordinate ascent from the best global threshold (a local optimum,
        never below the global one).
    min_precision, min_recall : float, optional
        At most one. Per label, the threshold of highest recall whose precision is
        at least ``min_precision`` (or of highest precision whose recall is at
        least ``min_recall``). A label that cannot meet it gets the threshold that
        comes closest and is listed in :attr:`Thresholds.unmet`. The objective is
        then only reported, not maximised.
    sample_weight : array-like of shape (n_samples,), optional
    inclusive : bool, default False
        Predict with ``score >= threshold`` instead of ``score > threshold``.
    cv : int, optional
        Number of folds for the cross-fitted estimate :attr:`Thresholds.cv_score`
        (each fold thresholded with values tuned on the other folds) and the
        fold-to-fold spread :attr:`Thresholds.cv_spread`. The thresholds returned
        are still those tuned on all the data.
    seed : int, optional
        Seed of the fold assignment; the same seed gives the same folds.
    labels : sequence, optional
        The label vocabulary, as in :func:`labelwise.evaluate`.
    beta : float, default 2.0
        The beta of ``fbeta_*`` objectives.
    zero_division : {0, 1}, default 0
        The value of a ratio whose denominator is 0.

    Returns
    -------
    Thresholds

    Notes
    -----
    Of several equally good thresholds, the highest (fewest predictions) is
    chosen. Candidates between two scores are their midpoint.

    Examples
    --------
    >>> import labelwise
    >>> y = [[1, 0], [1, 0], [0, 1], [0, 0]]
    >>> s = [[0.8, 0.1], [0.4, 0.3], [0.3, 0.6], [0.1, 0.2]]
    >>> labelwise.tune_thresholds(y, s, per_label=False, objective="f1_micro").values
    0.35
    >>> t = labelwise.tune_thresholds(y, s, min_precision=1.0)
    >>> t.values.round(3).tolist(), t.recall.tolist(), t.unmet
    ([0.35, 0.45], [1.0, 1.0], ())
    """
    if sp.issparse(y_score) or is_topk_form(y_score):
        raise InputError("tune_thresholds needs a dense score matrix (n_samples, n_labels): a "
                         "threshold is tuned over every score of a label, and sparse or top-k "
                         "scores leave some out. Pass np.asarray(scores.todense()) or the full "
                         "score matrix.")
    zd = _check_zero_division(zero_division)
    obj = _objective(objective, check_beta(beta), zd)
    min_precision = _check_bound(min_precision, "min_precision")
    min_recall = _check_bound(min_recall, "min_recall")
    if min_precision is not None and min_recall is not None:
        raise InputError("give at most one of min_precision and min_recall: each one chooses "
                         "the threshold that maximises the other.")
    if not per_label and (min_precision is not None or min_recall is not None):
        raise InputError("min_precision and min_recall choose one threshold per label; they "
                         "cannot be combined with per_label=False.")
    if not isinstance(per_label, (bool, np.bool_)):
        raise InputError(f"per_label must be True or False, got {per_label!r}.")
    ranked = coerce_ranking(y_true, y_score, labels=labels)
    w = check_sample_weight(sample_weight, ranked.n_samples, ranked.index)
    Y = np.asarray(ranked.y_true.toarray(), dtype=bool)
    S = ranked.dense_scores  # float32 or float64
    if S.shape[0] == 0:
        raise InputError("y_score has no rows: thresholds need at least one sample to tune on.")
    folds = _check_cv(cv, S.shape[0])
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise InputError(f"seed must be an integer or None, got {seed!r}.")
    seed = None if seed is None else int(seed)
    inclusive = bool(inclusive)
    values, unmet = _tune(Y, S, w, obj, bool(per_label), min_precision, min_recall, inclusive)
    tp, fp, fn, tn = _counts(Y, S, w, values, inclusive)
    score = float(obj.value(tp, fp, fn, tn))
    baseline = float(obj.value(*_counts(Y, S, w, D.THRESHOLD, inclusive)))
    prec, rec = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    cv_score = cv_spread = None
    if folds is not None:
        cv_score, cv_spread = _cross_fit(Y, S, w, obj, bool(per_label), min_precision,
                                         min_recall, inclusive, folds, seed)
    constraint = ({"min_precision": min_precision} if min_precision is not None else
                  {"min_recall": min_recall} if min_recall is not None else None)
    lab = tuple(ranked.labels)
    settings = {"per_label": bool(per_label), "beta": obj.beta, "zero_division": zd,
                "cv": folds, "seed": seed, "weighted": w is not None}
    return Thresholds(values if isinstance(values, float) else np.asarray(values), lab,
                      obj.name, ">=" if inclusive else ">", score, baseline, prec, rec, f1,
                      tp + fn, fingerprint(ranked.y_true),
                      tuple(lab[j] for j in np.flatnonzero(unmet)), constraint, cv_score,
                      cv_spread, settings)


def _check_zero_division(zd):
    if isinstance(zd, str) and zd == "warn":
        return 0.0
    if isinstance(zd, numbers.Real) and not isinstance(zd, bool) and zd in (0, 1):
        return float(zd)
    raise InputError(f"zero_division must be 0 or 1 for tuning (nan would drop labels from "
                     f"the average as the threshold moves), got {zd!r}.")


def _cross_fit(Y, S, w, obj, per_label, min_precision, min_recall, inclusive, folds, seed):
    n, L = S.shape
    rng = np.random.default_rng(seed)
    parts = np.array_split(rng.permutation(n), folds)
    totals = [np.zeros(L) for _ in range(4)]
    fold_values = []
    for held in parts:
        train = np.ones(n, dtype=bool)
        train[held] = False
        wt = None if w is None else w[train]
        values, _ = _tune(Y[train], S[train], wt, obj, per_label, min_precision, min_recall,
                          inclusive)
        fold_values.append(values)
        counts = _counts(Y[held], S[held], None if w is None else w[held], values, inclusive)
        for t, c in zip(totals, counts):
            t += c
    spread = np.std(np.asarray(fold_values, dtype=np.float64), axis=0)
    return float(obj.value(*totals)), (float(spread) if not per_label else spread)


# --------------------------------------------------------------------------
# Curves
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ThresholdCurve:
    """A metric as a function of the threshold, with precision and recall beside it.

    Attributes
    ----------
    thresholds : ndarray
        Every candidate threshold, increasing: one below the lowest score, the
        midpoints between consecutive distinct scores, one above the highest.
    values, precision, recall : ndarray
        The metric, precision and recall (same average) at each threshold.
    metric : str
    label : label or None
        The label of a one-label curve; None for a curve averaged over labels,
        where every label takes the same threshold.
    average : str or None
        The average of an averaged curve.
    rule : {">", ">="}
    """

    thresholds: np.ndarray
    values: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    metric: str
    label: Any
    average: str | None
    rule: str

    def best(self) -> tuple[float, float]:
        """``(threshold, value)`` of the highest value (the highest threshold of ties)."""
        k = len(self.values) - 1 - int(np.argmax(self.values[::-1]))
        return float(self.thresholds[k]), float(self.values[k])

    def to_dict(self) -> dict:
        """Plain JSON-safe data: the settings and the four columns as lists."""
        return {"metric": self.metric, "label": _plain(self.label), "average": self.average,
                "rule": self.rule, "thresholds": self.thresholds.tolist(),
                "values": self.values.tolist(), "precision": self.precision.tolist(),
                "recall": self.recall.tolist()}


_CURVE_FAMILIES = ("precision", "recall", "f1", "fbeta", "jaccard", "specificity",
                   "balanced_accuracy", "mcc")


def threshold_curve(y_true, y_score, metric="f1", label=None, average="micro", *,
                    sample_weight=None, inclusive=False, labels=None, beta=D.BETA,
                    zero_division=D.ZERO_DIVISION) -> ThresholdCurve:
    """The metric at every threshold that changes the predictions, exactly.

    Parameters
    ----------
    y_true, y_score
        As in :func:`tune_thresholds` (dense scores).
    metric : str, default "f1"
        A family of threshold metrics: ``precision``, ``recall``, ``f1``,
        ``fbeta``, ``jaccard``, ``specificity``, ``balanced_accuracy`` or ``mcc``.
    label : label, optional
        One label's curve (its name, or its column index for unnamed data). Without
        it, every label takes the same threshold and the metric is averaged.
    average : {"micro", "macro", "weighted"}, default "micro"
        The average of a curve over labels (ignored with ``label``).
    sample_weight, inclusive, labels, beta, zero_division
        As in :func:`tune_thresholds`.

    Returns
    -------
    ThresholdCurve

    Examples
    --------
    >>> import labelwise
    >>> c = labelwise.threshold_curve([[1], [0], [1]], [[0.9], [0.5], [0.3]], label=0)
    >>> c.thresholds.tolist(), c.values.round(3).tolist()
    ([-0.7, 0.4, 0.7, 1.9], [0.8, 0.5, 0.667, 0.0])
    >>> c.best()
    (-0.7, 0.8)
    """
    if sp.issparse(y_score) or is_topk_form(y_score):
        raise InputError("threshold_curve needs a dense score matrix (n_samples, n_labels); "
                         "pass the full score matrix.")
    if metric not in _CURVE_FAMILIES:
        raise InputError(f"metric must be one of {list(_CURVE_FAMILIES)}, got {metric!r}.")
    if label is None and average not in ("micro", "macro", "weighted"):
        raise InputError(f"average must be 'micro', 'macro' or 'weighted', got {average!r} "
                         "(samples averages combine the labels of each row, which a curve "
                         "over one shared threshold does not follow).")
    zd = _check_zero_division(zero_division)
    beta = check_beta(beta)
    ranked = coerce_ranking(y_true, y_score, labels=labels)
    w = check_sample_weight(sample_weight, ranked.n_samples, ranked.index)
    Y = np.asarray(ranked.y_true.toarray(), dtype=bool)
    S = ranked.dense_scores
    inclusive = bool(inclusive)
    rule = ">=" if inclusive else ">"
    if S.shape[0] == 0:
        raise InputError("y_score has no rows: a curve needs at least one sample.")
    if label is not None:
        names = tuple(ranked.labels)
        if label not in names:
            raise InputError(f"label {label!r} is not one of the labels "
                             f"{list(names[:10]) + (['...'] if len(names) > 10 else [])}.")
        j = names.index(label)
        ss, tp, fp, valid = _columns(Y, S, w, j, j + 1)
        n = ss.shape[0]
        rows = np.flatnonzero(valid[:, 0])
        cuts = _thresholds_at(np.broadcast_to(ss, (n, rows.size)), rows, inclusive)
        tp, fp = tp[rows, 0], fp[rows, 0]
        P = float(Y[:, j].sum() if w is None else w[Y[:, j]].sum())
        N = float((n if w is None else w.sum()) - P)
        out = []
        for fam in (metric, "precision", "recall"):
            obj = _Objective(fam, "macro", FAMILIES[fam], 1.0, beta, zd)
            out.append(obj.unit(tp, fp, P - tp, N - fp))
        return ThresholdCurve(cuts[::-1].copy(), *(v[::-1].copy() for v in out), metric,
                              label, None, rule)
    sw = _sweep(Y, S, w)
    L = S.shape[1]
    out = []
    vals = None
    for fam in (metric, "precision", "recall"):
        obj = _Objective(f"{fam}_{average}", average, FAMILIES[fam], 1.0, beta, zd)
        vals, gain = _pooled(sw, obj, L)
        out.append(np.asarray(gain, dtype=np.float64))
    cuts = _pooled_cuts(vals, inclusive)
    return ThresholdCurve(cuts[::-1].copy(), *(v[::-1].copy() for v in out), metric, None,
                          average, rule)
