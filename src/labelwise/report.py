"""Report: plain data about one evaluation, plus renderers.

A :class:`Report` holds numbers; it computes nothing itself. Renderers turn it
into text (``str(report)``) or a plain dict (``report.to_dict()``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from ._validate import AVERAGES
from .counts import Counts
from .formulas import FAMILIES
from .registry import REGISTRY

__all__ = ["Report", "PerLabelTable", "safe_label"]

COUNT_COLUMNS = ("support", "tp", "fp", "fn", "tn")


def safe_label(name: Any, width: int | None = None) -> str:
    """Render a label name on one line: control characters escaped, long names cut.

    Examples
    --------
    >>> safe_label("bad\\nname")
    'bad\\\\nname'
    >>> safe_label("a" * 12, width=8)
    'aaaaaaa…'
    """
    text = str(name)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


class PerLabelTable:
    """Per-label results, one row per label, in column order of the input.

    Columns are ``label``, ``support``, ``tp``, ``fp``, ``fn``, ``tn`` and one
    column per metric family (``precision``, ``recall``, ``f1``, ...).
    ``table["f1"]`` gives a column as an array; iterating gives one dict per label.
    """

    def __init__(self, columns: dict[str, Any]):
        self._columns = columns

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self._columns)

    def __getitem__(self, column: str) -> np.ndarray:
        try:
            return self._columns[column]
        except KeyError:
            raise KeyError(
                f"no column {column!r}; columns are {', '.join(self._columns)}"
            ) from None

    def __len__(self) -> int:
        return len(self._columns["label"])

    def __iter__(self) -> Iterator[dict]:
        return iter(self.to_records())

    def to_records(self) -> list[dict]:
        """One plain-Python dict per label."""
        names = self.columns
        cols = [_plain_list(self._columns[c]) for c in names]
        return [dict(zip(names, row)) for row in zip(*cols)]

    def to_pandas(self):
        """The table as a :class:`pandas.DataFrame` (pandas must be installed)."""
        import pandas as pd

        return pd.DataFrame({c: self._columns[c] for c in self.columns})

    def __repr__(self) -> str:
        return f"PerLabelTable({len(self)} labels; columns: {', '.join(self.columns)})"


def _plain_list(values) -> list:
    return [v.item() if isinstance(v, np.generic) else v for v in values]


@dataclass
class Report:
    """The result of :func:`labelwise.evaluate`.

    Attributes
    ----------
    metrics : dict
        Registry name to value, e.g. ``report.metrics["f1_micro"]``.
    per_label : PerLabelTable
    labels : tuple
    counts : Counts
    params : dict
        How the numbers were made (threshold, zero_division, beta, ...).
    undefined : dict
        Metric name to the labels for which it is undefined and which the
        averages leave out, e.g. ``{"roc_auc": ["rare"]}``.
    """

    metrics: dict[str, float]
    per_label: PerLabelTable
    labels: tuple
    counts: Counts
    params: dict = field(default_factory=dict)
    undefined: dict = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return self.counts.n_samples

    @property
    def n_labels(self) -> int:
        return self.counts.n_labels

    def __getitem__(self, name: str) -> float:
        try:
            return self.metrics[name]
        except KeyError:
            raise KeyError(
                f"no metric {name!r} in this report; available: {', '.join(self.metrics)}"
            ) from None

    def __contains__(self, name: str) -> bool:
        return name in self.metrics

    def to_dict(self) -> dict:
        """Plain data: ``n_samples``, ``n_labels``, ``labels``, ``metrics``, ``per_label``,
        ``params`` and ``undefined``."""
        return {
            "n_samples": int(self.n_samples),
            "n_labels": int(self.n_labels),
            "labels": _plain_list(self.labels),
            "metrics": {k: float(v) for k, v in self.metrics.items()},
            "per_label": self.per_label.to_records(),
            "params": dict(self.params),
            "undefined": {k: _plain_list(v) for k, v in self.undefined.items()},
        }

    def __str__(self) -> str:
        return render_text(self)

    def __repr__(self) -> str:
        return f"<Report: {self.n_samples} samples, {self.n_labels} labels, {len(self.metrics)} metrics>"


# --------------------------------------------------------------------------
# Text rendering
# --------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.4f}"


def _describe_params(p: dict) -> str:
    parts = []
    if "threshold" in p:
        thr = p["threshold"]
        rule = ">=" if p.get("inclusive") else ">"
        shown = f"{thr:g}" if isinstance(thr, float) else "per label"
        parts.append(f"predicted when score {rule} {shown}")
    parts.append(f"zero_division={p.get('zero_division')}")
    parts.append(f"fbeta beta={p.get('beta'):g}")
    if p.get("weighted"):
        parts.append("sample-weighted")
    return ", ".join(parts)


def render_text(r: Report) -> str:
    """A plain-text rendering: summary, averaged metrics, per-label table."""
    lines = [
        f"labelwise report: {r.n_samples} samples, {r.n_labels} labels",
        f"  ({_describe_params(r.params)})",
        "",
        "Example-based",
    ]
    for m in REGISTRY.values():
        if m.group == "example" and m.name in r.metrics:
            hint = "  (lower is better)" if not m.higher_is_better else ""
            lines.append(f"  {m.name:<18}{_fmt(r.metrics[m.name]):>8}{hint}")
    lines += ["", f"  {'Label-based':<18}" + "".join(f"{a:>10}" for a in AVERAGES)]
    for fam in FAMILIES:
        cells = [r.metrics.get(f"{fam}_{a}") for a in AVERAGES]
        if all(c is None for c in cells):
            continue
        lines.append(
            f"  {fam:<18}" + "".join(f"{'' if c is None else _fmt(c):>10}" for c in cells)
        )
    lines += _score_lines(r)
    lines += ["", "Per label (by support)"]
    lines += _per_label_lines(r.per_label)
    for name, labs in r.undefined.items():
        shown = ", ".join(safe_label(x, 24) for x in labs[:10]) + (" ..." if len(labs) > 10 else "")
        lines.append(
            f"  note: {name} is undefined for {len(labs)} label(s) whose truth is constant "
            f"({shown}); averages leave them out."
        )
    return "\n".join(lines)


def _score_lines(r: Report) -> list[str]:
    ranking = [m for m in REGISTRY.values() if m.group == "ranking" and m.name in r.metrics]
    curves = [f for f in ("roc_auc", "average_precision") if f"{f}_macro" in r.metrics]
    at_k = [m for m in REGISTRY.values() if m.group == "at_k" and m.name in r.metrics]
    out: list[str] = []
    if ranking:
        out += ["", "Ranking (from scores)"]
        for m in ranking:
            hint = "  (lower is better)" if not m.higher_is_better else ""
            out.append(f"  {m.name:<32}{_fmt(r.metrics[m.name]):>8}{hint}")
    if curves:
        out += ["", f"  {'Score-based':<18}" + "".join(f"{a:>10}" for a in AVERAGES)]
        for f in curves:
            out.append(f"  {f:<18}" + "".join(f"{_fmt(r.metrics[f'{f}_{a}']):>10}" for a in AVERAGES))
    if at_k:
        ks = sorted({int(m.name.rsplit("_", 1)[1]) for m in at_k})
        names = list(dict.fromkeys(m.name.rsplit("_at_", 1)[0] for m in at_k))
        out += ["", f"  {'At k':<18}" + "".join(f"{'@' + str(k):>10}" for k in ks)]
        for name in names:
            cells = [r.metrics.get(f"{name}_at_{k}") for k in ks]
            out.append(f"  {name:<18}" + "".join(f"{'' if c is None else _fmt(c):>10}" for c in cells))
    return out


def _per_label_lines(t: PerLabelTable) -> list[str]:
    fams = [c for c in t.columns if c not in ("label",) + COUNT_COLUMNS]
    names = [safe_label(x, 24) for x in t["label"]]
    w = max([5] + [len(n) for n in names])
    head = f"  {'label':<{w}}" + "".join(f"{c:>9}" for c in COUNT_COLUMNS)
    head += "".join(f"{_short(c):>10}" for c in fams)
    out = [head]
    for i in np.argsort(-np.asarray(t["support"], dtype=float), kind="stable"):
        row = f"  {names[i]:<{w}}"
        for c in COUNT_COLUMNS:
            v = t[c][i]
            row += f"{int(v) if float(v).is_integer() else round(float(v), 2):>9}"
        row += "".join(f"{_fmt(float(t[c][i])):>10}" for c in fams)
        out.append(row)
    return out


def _short(family: str) -> str:
    return {
        "balanced_accuracy": "bal_acc",
        "specificity": "specif",
        "precision": "prec",
        "roc_auc": "auc",
        "average_precision": "ap",
    }.get(family, family)
