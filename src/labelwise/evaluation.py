"""``evaluate()``: validate once, count once, compute every registry metric."""

from __future__ import annotations

from ._validate import (
    _Matrix,
    align_scores,
    binarize,
    check_beta,
    check_sample_weight,
    check_threshold,
    check_zero_division,
    coerce_pair,
)
from .counts import Counts
from .errors import InputError
from .formulas import FAMILIES, REGISTRY, per_label
from .report import PerLabelTable, Report

__all__ = ["evaluate"]


def evaluate(
    y_true,
    y_pred=None,
    *,
    y_score=None,
    threshold=0.5,
    inclusive=False,
    labels=None,
    sample_weight=None,
    zero_division=0,
    beta=2.0,
    sep=",",
) -> Report:
    """Evaluate multi-label predictions with every threshold metric.

    Parameters
    ----------
    y_true : array-like, sparse matrix, DataFrame or label sets
        True labels: a 0/1 matrix of shape (n_samples, n_labels), a list of label
        sets such as ``[["rock", "live"], []]``, or delimited strings ``["rock,live", ""]``.
    y_pred : same kinds as ``y_true``, optional
        Predicted labels. Give exactly one of ``y_pred`` and ``y_score``.
    y_score : array-like of float, optional
        Scores (probabilities or logits), binarised as ``score > threshold``.
        They are used as given: no sigmoid is ever applied.
    threshold : float, sequence of float or dict, default 0.5
        One threshold, one per label (column order), or ``{label: threshold}``.
    inclusive : bool, default False
        If True, a score equal to the threshold counts as predicted (``>=``).
    labels : sequence, optional
        The complete label vocabulary in column order. Without it, names come
        from DataFrame columns, or the sorted union of the label sets, or are
        the column indices.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights; counts become weighted sums.
    zero_division : {0, 1, nan, "warn"}, default 0
        Value of a metric that divides zero by zero, as in scikit-learn. With
        ``nan`` such labels (or samples) drop out of the averages.
    beta : float, default 2.0
        The beta of the ``fbeta_*`` metrics (``f1_*`` are always reported).
    sep : str, default ","
        Delimiter for label sets given as strings.

    Returns
    -------
    Report
        ``report["f1_micro"]``, ``report.per_label``, ``report.to_dict()``, ``str(report)``.

    Raises
    ------
    InputError
        For any input that cannot be evaluated; the message says what, where and how to fix.

    Examples
    --------
    >>> import labelwise
    >>> y_true = [[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]]
    >>> y_pred = [[1, 0, 0], [0, 1, 1], [1, 0, 0], [0, 0, 1]]
    >>> report = labelwise.evaluate(y_true, y_pred, labels=["A", "B", "C"])
    >>> round(report["f1_micro"], 4), report["hamming_loss"]
    (0.7273, 0.25)
    >>> labelwise.evaluate([["rock", "live"], ["jazz"]], [["rock"], ["jazz"]])["recall_micro"]
    0.6666666666666666
    """
    zd = check_zero_division(zero_division)
    beta = check_beta(beta)
    params: dict = {"zero_division": zero_division, "beta": beta}
    if (y_pred is None) == (y_score is None):
        raise InputError(
            "give exactly one of y_pred (hard 0/1 predictions or label sets) and y_score "
            "(scores to threshold); got "
            + ("both." if y_pred is not None else "neither.")
        )
    if y_score is not None:
        y_true, scores, vocab = align_scores(y_true, y_score, labels=labels, sep=sep)
        thr = check_threshold(threshold, scores.values.shape[1], vocab)
        y_pred = _Matrix(binarize(scores.values, thr, inclusive), vocab)
        labels = vocab
        params.update(threshold=thr if isinstance(thr, float) else thr.tolist(),
                      inclusive=bool(inclusive))
    data = coerce_pair(y_true, y_pred, labels=labels, sep=sep)
    weights = check_sample_weight(sample_weight, data.n_samples)
    params["weighted"] = weights is not None
    counts = Counts.from_labelled(data, weights)
    return build_report(counts, data.labels, zd, beta, params)


def build_report(counts: Counts, labels, zero_division, beta, params=None) -> Report:
    """Compute every registry metric that works on counts, and the per-label table."""
    memo: dict = {}
    metrics = {
        m.name: m.compute(counts, zero_division=zero_division, beta=beta, memo=memo)
        for m in REGISTRY.values()
        if not m.needs_scores
    }
    columns = {
        "label": list(labels),
        "support": counts.tp + counts.fn,
        "tp": counts.tp,
        "fp": counts.fp,
        "fn": counts.fn,
        "tn": counts.tn,
    }
    for name, fam in FAMILIES.items():
        columns[name] = per_label(counts, fam, zero_division, beta, memo)
    return Report(metrics, PerLabelTable(columns), tuple(labels), counts, dict(params or {}))
