"""A :class:`~labelwise.report.Report` as flat data for trackers and data frames.

:func:`to_flat_dict` gives ``{name: float}`` for ``mlflow.log_metrics``, ``wandb.log``
or TensorBoard's ``add_scalars``; :func:`to_pandas` and :func:`to_polars` give one row
per metric. The :class:`~labelwise.report.Report` methods of the same names call these.

Examples
--------
>>> import labelwise
>>> r = labelwise.evaluate([[1, 0, 1], [0, 1, 0]], [[1, 0, 0], [0, 1, 0]], labels=["a", "b", "c"])
>>> flat = to_flat_dict(r, prefix="val/")
>>> flat["val/f1_micro"], flat["val/hamming_loss"]
(0.8, 0.16666666666666666)
>>> to_flat_dict(r, per_label=["f1"])["f1/c"]
0.0
"""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import InputError
from .registry import lookup

__all__ = ["to_flat_dict", "to_pandas", "to_polars", "metric_rows", "safe_key", "NAN_POLICIES"]

#: What :func:`to_flat_dict` does with NaN: leave the key out, or keep the NaN.
NAN_POLICIES = ("omit", "keep")

# Characters every common tracker takes in a metric name (MLflow is the strictest:
# letters, digits, underscore, dash, period, space and slash).
_UNSAFE = re.compile(r"[^A-Za-z0-9_\-. /]")


def safe_key(name: Any) -> str:
    """A label name as trackers take it in a metric key: other characters become ``_``.

    Examples
    --------
    >>> safe_key("rock & roll"), safe_key("joy:high"), safe_key(3)
    ('rock _ roll', 'joy_high', '3')
    """
    text = _UNSAFE.sub("_", str(name)).strip()
    return text or "_"


def _check_nan(nan) -> None:
    if isinstance(nan, str):
        if nan not in NAN_POLICIES:
            raise InputError(f"nan must be 'omit', 'keep' or a number to put in place of NaN, "
                             f"got {nan!r}.")
        return
    if isinstance(nan, bool) or not isinstance(nan, (int, float)):
        raise InputError(f"nan must be 'omit', 'keep' or a number to put in place of NaN, "
                         f"got {nan!r} ({type(nan).__name__}).")


def _put(out: dict, key: str, value, nan) -> None:
    value = float(value)
    if math.isnan(value):
        if nan == "omit":
            return
        if nan != "keep":
            value = float(nan)
    out[key] = value


def _per_label_columns(report, per_label) -> list[str]:
    table = report.per_label
    families = [c for c in table.columns if c not in ("label", "tp", "fp", "fn", "tn", "support")]
    if per_label is True:
        return families
    if isinstance(per_label, str):
        per_label = [per_label]
    try:
        wanted = list(per_label)
    except TypeError:
        raise InputError(f"per_label must be True, False or a list of per-label columns "
                         f"(e.g. ['f1', 'support']), got {per_label!r}.") from None
    unknown = [c for c in wanted if c == "label" or c not in table.columns]
    if unknown:
        raise InputError(f"per_label names {unknown}, which the per-label table does not have; "
                         f"its columns are {', '.join(table.columns[1:])}.")
    return wanted


def _label_keys(labels) -> list[str]:
    """Tracker-safe label names; labels that would clash get their column index appended."""
    keys = [safe_key(x) for x in labels]
    seen: dict[str, int] = {}
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
    return [k if seen[k] == 1 else f"{k}_{j}" for j, k in enumerate(keys)]


def to_flat_dict(report, prefix: str = "", *, per_label=False, ci: bool = False,
                 nan="omit", sep: str = "/") -> dict[str, float]:
    """The report's numbers as one flat ``{name: float}`` dict, ready for a tracker.

    Parameters
    ----------
    report : Report
    prefix : str, default ""
        Put before every key, e.g. ``"val/"`` or ``"test_"``.
    per_label : bool or list of str, default False
        Also give per-label values, keyed ``{column}{sep}{label}`` (``f1/joy``):
        True for every metric column of :attr:`Report.per_label`, or a list of
        its columns (``["f1", "support"]``). Label names are made safe for the
        trackers (characters other than letters, digits, ``_ - . /`` and space
        become ``_``); two labels that end up alike get their column index
        appended (``a_b_3``).
    ci : bool, default False
        Also give each interval of :attr:`Report.ci` as ``{name}{sep}ci_low`` and
        ``{name}{sep}ci_high``.
    nan : {"omit", "keep"} or float, default "omit"
        What an undefined value (NaN, e.g. with ``zero_division=nan``) becomes: left
        out, kept as NaN, or replaced by the number given.
    sep : str, default "/"
        Between a column and a label, and before ``ci_low``/``ci_high``.

    Returns
    -------
    dict of str to float
        Metrics in registry order (as in :attr:`Report.metrics`), then the
        intervals, then the per-label values.

    Examples
    --------
    >>> import labelwise
    >>> r = labelwise.evaluate([[1, 0], [1, 1], [1, 1]], [[1, 0], [0, 0], [1, 1]],
    ...                        labels=["joy", "anger/rage"], zero_division=float("nan"))
    >>> d = to_flat_dict(r, prefix="val/", per_label=["recall", "specificity"])
    >>> d["val/recall_macro"], d["val/recall/joy"], d["val/recall/anger/rage"]
    (0.5833333333333333, 0.6666666666666666, 0.5)

    Joy has no negative, so its specificity is undefined (NaN): left out by default.

    >>> "val/specificity/joy" in d
    False
    >>> to_flat_dict(r, per_label=["specificity"], nan="keep")["specificity/joy"]
    nan
    >>> to_flat_dict(r, per_label=["specificity"], nan=-1.0)["specificity/joy"]
    -1.0
    """
    _check_nan(nan)
    if not isinstance(prefix, str) or not isinstance(sep, str):
        raise InputError(f"prefix and sep must be strings, got prefix={prefix!r}, sep={sep!r}.")
    out: dict[str, float] = {}
    for name, value in report.metrics.items():
        _put(out, prefix + name, value, nan)
    if ci:
        for name, (lo, hi) in report.ci.items():
            _put(out, f"{prefix}{name}{sep}ci_low", lo, nan)
            _put(out, f"{prefix}{name}{sep}ci_high", hi, nan)
    if per_label is not False and per_label is not None:
        columns = _per_label_columns(report, per_label)
        keys = _label_keys(report.per_label["label"])
        for column in columns:
            for key, value in zip(keys, report.per_label[column]):
                _put(out, f"{prefix}{column}{sep}{key}", value, nan)
    return out


def metric_rows(report) -> dict[str, list]:
    """One row per metric, as columns: ``metric``, ``value``, ``direction`` (``"higher"``
    or ``"lower"`` is better), ``reading`` (good, fair or bad; None where the report
    gives no reading), ``family``, ``average``, ``k``, and ``ci_low``/``ci_high`` when
    the report has intervals (NaN for a metric without one).

    Examples
    --------
    >>> import labelwise
    >>> rows = metric_rows(labelwise.evaluate([[1, 0], [0, 1]], [[1, 0], [1, 1]]))
    >>> list(rows)
    ['metric', 'value', 'direction', 'reading', 'family', 'average', 'k']
    >>> rows["metric"][1], rows["value"][1], rows["direction"][1], rows["reading"][1]
    ('hamming_loss', 0.25, 'lower', 'fair')
    """
    names = list(report.metrics)
    found = [lookup(n) for n in names]
    cols: dict[str, list] = {
        "metric": names,
        "value": [float(report.metrics[n]) for n in names],
        "direction": [None if m is None else m.direction for m in found],
        "reading": [report.interpretation.get(n) for n in names],
        "family": [None if m is None else m.family for m in found],
        "average": [None if m is None else m.average for m in found],
        "k": [None if m is None else m.k for m in found],
    }
    if report.ci:
        cols["ci_low"] = [float(report.ci[n][0]) if n in report.ci else math.nan for n in names]
        cols["ci_high"] = [float(report.ci[n][1]) if n in report.ci else math.nan for n in names]
    return cols


def _need(module: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(f"{what} needs {module}, which is not installed: pip install "
                          f"{module}") from err


def to_pandas(report):
    """:func:`metric_rows` as a :class:`pandas.DataFrame`, one row per metric.

    Raises ImportError, naming the package to install, when pandas is missing.

    Examples
    --------
    >>> import labelwise
    >>> df = to_pandas(labelwise.evaluate([[1, 0], [0, 1]], [[1, 0], [1, 1]]))
    >>> row = df.set_index("metric").loc["f1_micro"]
    >>> float(row["value"]), row["direction"]
    (0.8, 'higher')
    """
    pd = _need("pandas", "report.to_pandas()")
    rows = metric_rows(report)
    df = pd.DataFrame(rows)
    df["k"] = df["k"].astype("Int64")
    return df


def to_polars(report):
    """:func:`metric_rows` as a :class:`polars.DataFrame`, one row per metric.

    Raises ImportError, naming the package to install, when polars is missing.
    """
    pl = _need("polars", "report.to_polars()")
    return pl.DataFrame(metric_rows(report), strict=False)


def per_label_polars(table):
    """A :class:`~labelwise.report.PerLabelTable` as a :class:`polars.DataFrame`."""
    pl = _need("polars", "report.per_label.to_polars()")
    import numpy as np

    return pl.DataFrame({c: (list(table[c]) if c == "label" else np.asarray(table[c]))
                         for c in table.columns}, strict=False)
