"""``evaluate()``: validate once, count once, compute every registry metric."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._validate import (
    Labelled,
    RankingInput,
    _Matrix,
    _read,
    _Sets,
    _topk_form,
    align_scores,
    binarize,
    check_beta,
    check_cutoffs,
    check_propensity,
    check_sample_weight,
    check_threshold,
    check_zero_division,
    coerce_pair,
    coerce_ranking,
)
from .counts import Counts
from .diagnose import (
    DEFAULT_BANDS,
    Context,
    Thresholding,
    check_bands,
    fingerprint,
    interpret,
    run_detectors,
)
from .errors import InputError
from .formulas import FAMILIES, per_label
from .ranking import ScoreSummary, summarize_scores
from .registry import score_values, threshold_values
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
    inv_propensity=None,
    k=(1, 3, 5),
    scores_are_logits=False,
    train=None,
    bands=None,
) -> Report:
    """Evaluate multi-label predictions with every metric that applies.

    With hard predictions (``y_pred``) the report holds every threshold metric.
    With scores (``y_score``) it also holds the score-based ones: label ranking,
    ROC-AUC and average precision (dense scores only), and P@k, R@k, nDCG@k for
    k = 1, 3, 5 (k up to the number of labels, or the top-k width).

    Parameters
    ----------
    y_true : array-like, sparse matrix, DataFrame or label sets
        True labels: a 0/1 matrix of shape (n_samples, n_labels), a list of label
        sets such as ``[["rock", "live"], []]``, or delimited strings ``["rock,live", ""]``.
        Rows are matched by position, unless ``y_true`` and ``y_pred`` (or ``y_score``)
        are both pandas objects with an index other than the default ``0..n-1``: then
        rows are matched by index, and an index value on one side only, or repeated,
        raises :class:`InputError`. When only one of two pandas objects has such an
        index, rows are matched by position and a ``labelwise.RowOrderWarning`` says so.
        A single column ``(n, 1)`` is one label (the scikit-learn twins in
        :mod:`labelwise.metrics` read it as binary input, as scikit-learn does).
    y_pred : same kinds as ``y_true``, optional
        Predicted labels. Give exactly one of ``y_pred`` and ``y_score``.
    y_score : array-like of float, sparse matrix, or (indices, scores), optional
        Scores (probabilities or logits), binarised as ``score > threshold``.
        They are used as given: no sigmoid is ever applied (a finding says so
        when the threshold lies beyond the scores of nearly every label). A sparse matrix
        holds only the scored entries; a pair of (n_samples, k) arrays gives each
        sample's top-k label indices and their scores. Unscored labels are never
        predicted and rank below every scored label.
    threshold : float, sequence of float or dict, default 0.5
        One threshold, one per label (column order), or ``{label: threshold}``.
    inclusive : bool, default False
        If True, a score equal to the threshold counts as predicted (``>=``).
    labels : sequence, optional
        The complete label vocabulary in column order. Without it, names come
        from DataFrame columns, or the sorted union of the label sets (a
        ``label_space_from_data`` finding then notes that labels absent from
        the data are not evaluated), or are the column indices.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights; counts become weighted sums. A pandas Series with an
        index follows the rows when they were matched by index; otherwise weights
        are read in ``y_true``'s row order.
    zero_division : {0, 1, nan, "warn"}, default 0
        Value of a metric that divides zero by zero, as in scikit-learn. With
        ``nan`` such labels (or samples) drop out of the averages.
    beta : float, default 2.0
        The beta of the ``fbeta_*`` metrics (``f1_*`` are always reported).
    sep : str, default ","
        Delimiter for label sets given as strings.
    inv_propensity : array-like of shape (n_labels,), optional
        Inverse label propensities (see :func:`labelwise.inverse_propensity`);
        adds the propensity-scored ``psprecision_at_k`` and ``psndcg_at_k``.
    k : int or sequence of int, default (1, 3, 5)
        The cutoffs of the ``*_at_k`` metrics (``precision_at_10`` for ``k=10``);
        cutoffs above the number of labels (or the top-k width) are left out.
    scores_are_logits : bool, default False
        The scores are logits: predict when ``sigmoid(score) > threshold``
        (computed exactly as ``score > logit(threshold)``). Ranking metrics do
        not change.
    train : tuple, dict or Report, optional
        The same model's results on its training data, to detect overfitting:
        ``(y_true_train, y_pred_train)``, a dict with ``y_true`` and one of
        ``y_pred`` / ``y_score``, or the training data's own :class:`Report`. A
        tuple whose second item holds values other than 0 and 1 is read as scores.
    bands : dict, optional
        Interpretation bands ``{metric or pattern: (good, bad)}`` that override
        :data:`labelwise.diagnose.DEFAULT_BANDS` entry by entry.

    Returns
    -------
    Report
        ``report["f1_micro"]``, ``report.per_label``, ``report.to_dict()``, ``str(report)``,
        ``report.findings`` (pitfalls found) and ``report.interpretation`` (good/fair/bad).

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
    ks = check_cutoffs(k)
    beta = check_beta(beta)
    params: dict = {"zero_division": zero_division, "beta": beta}
    if (y_pred is None) == (y_score is None):
        raise InputError(
            "give exactly one of y_pred (hard 0/1 predictions or label sets) and y_score "
            "(scores to threshold); got "
            + ("both." if y_pred is not None else "neither.")
        )
    band_table = DEFAULT_BANDS if bands is None else {**DEFAULT_BANDS, **check_bands(bands)}
    summary = None
    dense_scores = None
    thresholding = None
    label_space = None
    if y_score is None:
        rt, rp = (y if isinstance(y, (_Matrix, _Sets)) else _read(y, name, sep)
                  for y, name in ((y_true, "y_true"), (y_pred, "y_pred")))
        data = coerce_pair(rt, rp, labels=labels, sep=sep)
        if labels is None and isinstance(rt, _Sets) and isinstance(rp, _Sets):
            label_space = _label_space_from_data(data)
    else:
        rule = _logit_threshold if scores_are_logits else (lambda t: t)
        data, ranked, thr, thresholding = _scored(y_true, y_score, labels, sep, threshold,
                                                  inclusive, rule, scores_are_logits)
        params.update(k=list(ks), threshold=thr if isinstance(thr, float) else thr.tolist(),
                      inclusive=bool(inclusive), scores_are_logits=bool(scores_are_logits))
        dense_scores = ranked.dense_scores
    weights = check_sample_weight(sample_weight, data.n_samples, data.index)
    params["weighted"] = weights is not None
    counts = Counts.from_labelled(data, weights)
    if y_score is not None:
        p = None if inv_propensity is None else check_propensity(inv_propensity, data.n_labels)
        summary = summarize_scores(ranked, weights, p, ks)
    elif inv_propensity is not None:
        raise InputError("inv_propensity needs scores: pass y_score= to get the @k metrics.")
    report = build_report(counts, data.labels, zd, beta, params, summary)
    tuned_on = getattr(threshold, "tuned_on", None)
    context = Context(
        metrics=report.metrics,
        labels=report.labels,
        counts=counts,
        scores=None if scores_are_logits else dense_scores,
        zero_division=zd,
        undefined=report.undefined,
        train_metrics=_train_metrics(train, threshold, inclusive, labels, sep, zero_division,
                                     beta, scores_are_logits),
        thresholds_tuned_on=tuned_on,
        data_fingerprint=fingerprint(data.y_true) if tuned_on else None,
        label_space=label_space,
        thresholding=thresholding,
    )
    return diagnosed(report, context, band_table)


def _label_space_from_data(data: Labelled) -> dict:
    """``Context.label_space`` for a vocabulary read off the label sets themselves."""
    t = data.y_true
    if sp.issparse(t):
        in_truth = np.bincount(t.indices, minlength=data.n_labels) > 0
    else:
        in_truth = np.asarray(t).any(axis=0)
    return {"source": "data", "n_labels": data.n_labels,
            "only_in_predictions": int(data.n_labels - np.count_nonzero(in_truth))}


def diagnosed(report: Report, context: Context, bands=DEFAULT_BANDS) -> Report:
    """Attach findings and interpretation to ``report`` (returns it)."""
    report.findings = run_detectors(context)
    report.interpretation = interpret(report.metrics, bands)
    return report


def _logit_threshold(t):
    """The logit-scale threshold equivalent to ``sigmoid(score) > t``."""
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = np.where(t <= 0, -np.inf, np.where(t >= 1, np.inf, np.log(t) - np.log1p(-t)))
    return float(out) if out.ndim == 0 else out


def _train_metrics(train, threshold, inclusive, labels, sep, zero_division, beta, logits):
    if train is None:
        return None
    if isinstance(train, Report):
        return train.metrics
    if isinstance(train, dict):
        unknown = set(train) - {"y_true", "y_pred", "y_score"}
        if "y_true" not in train or unknown:
            raise InputError(
                "train= as a dict needs 'y_true' and one of 'y_pred' or 'y_score'"
                + (f"; unknown keys {sorted(unknown)}" if unknown else "") + "."
            )
        kwargs = {k: v for k, v in train.items() if k != "y_true"}
        y_true = train["y_true"]
    else:
        if not isinstance(train, (tuple, list)) or len(train) != 2:
            raise InputError(
                "train= must be (y_true_train, y_pred_or_scores_train) or a dict with "
                "'y_true' and 'y_pred' or 'y_score'."
            )
        y_true, second = train
        kwargs = {"y_score" if _looks_like_scores(second) else "y_pred": second}
    got = evaluate(y_true, **kwargs, threshold=threshold, inclusive=inclusive, labels=labels,
                   sep=sep, zero_division=zero_division, beta=beta,
                   scores_are_logits=logits)
    return got.metrics


def _looks_like_scores(x) -> bool:
    if sp.issparse(x) or _topk_form(x):
        return True
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        return False  # label sets
    return arr.ndim == 2 and bool(np.any((arr != 0) & (arr != 1)))


def _scored(y_true, y_score, labels, sep, threshold, inclusive, rule, logits=False):
    """Validate truth with scores once; return counts input, ranking input, threshold,
    and the :class:`Thresholding` (each label's score range, read where the scores are
    binarised)."""
    if sp.issparse(y_score) or _topk_form(y_score):
        ranked = coerce_ranking(y_true, y_score, labels=labels, sep=sep)
        thr = check_threshold(threshold, ranked.n_labels, ranked.labels)
        s = ranked.partial_scores
        cut = rule(thr)
        how = Thresholding.of(s, thr, cut, inclusive=inclusive, scores_are_logits=logits)
        col_thr = cut if isinstance(cut, float) else cut[s.indices]
        keep = s.data >= col_thr if inclusive else s.data > col_thr
        rows = np.repeat(np.arange(s.shape[0]), np.diff(s.indptr))[keep]
        ones = np.ones(rows.shape[0], dtype=np.bool_)
        pred = sp.csr_matrix((ones, (rows, s.indices[keep])), shape=s.shape)
        pred.sort_indices()
        return (Labelled(ranked.y_true, pred, ranked.labels, ranked.named, ranked.index),
                ranked, thr, how)
    y_true, scores, vocab = align_scores(y_true, y_score, labels=labels, sep=sep)
    thr = check_threshold(threshold, scores.values.shape[1], vocab)
    cut = rule(thr)
    how = Thresholding.of(scores.values, thr, cut, inclusive=inclusive, scores_are_logits=logits)
    pred = _Matrix(binarize(scores.values, cut, inclusive), vocab)
    data = coerce_pair(y_true, pred, labels=vocab, sep=sep)
    t = sp.csr_matrix(data.y_true)
    t.sort_indices()
    ranked = RankingInput(t, np.ascontiguousarray(scores.values), None, data.labels,
                          data.n_labels, data.named, data.index)
    return data, ranked, thr, how


def build_report(counts: Counts, labels, zero_division, beta, params=None,
                 summary: ScoreSummary | None = None) -> Report:
    """Compute every registry metric the inputs allow, and the per-label table."""
    metrics = threshold_values(counts, zero_division, beta)
    memo: dict = {}
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
    undefined: dict = {}
    if summary is not None:
        metrics.update(score_values(summary))
        if summary.dense:
            columns["roc_auc"] = summary.label_auc
            columns["average_precision"] = summary.label_ap
            no_auc = [labels[j] for j in np.flatnonzero(np.isnan(summary.label_auc))]
            if no_auc:
                undefined["roc_auc"] = no_auc
    return Report(metrics, PerLabelTable(columns), tuple(labels), counts, dict(params or {}),
                  undefined)
