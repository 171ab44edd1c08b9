"""``evaluate()``: one batch through the :class:`~labelwise.engine.Accumulator`."""

from __future__ import annotations

from . import defaults as D
from .engine import Accumulator
from .report import Report

__all__ = ["evaluate"]


def evaluate(
    y_true,
    y_pred=None,
    *,
    y_score=None,
    threshold=D.THRESHOLD,
    inclusive=False,
    labels=None,
    sample_weight=None,
    zero_division=D.ZERO_DIVISION,
    beta=D.BETA,
    sep=",",
    inv_propensity=None,
    k=D.CUTOFFS,
    scores_are_logits=False,
    train=None,
    bands=None,
    mlcm=False,
    ci=None,
    n_bootstrap=1000,
    ci_method="bca",
    seed=None,
    unknown=None,
    y_true_unknown=None,
    calibration_bins=D.CALIBRATION_BINS,
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
    mlcm : bool, default False
        Also compute the multi-label confusion matrix (Heydarian et al. 2022) as
        ``report.mlcm``; see :func:`labelwise.metrics.mlcm`.
    ci : float, optional
        A confidence level such as 0.95: every metric gets a bootstrap interval,
        in ``report.ci`` and beside each value in the renderings. Samples (rows)
        are resampled, never single cells, because a sample's labels are
        correlated. See :mod:`labelwise.stats.bootstrap`.
    n_bootstrap : int, default 1000
        Bootstrap replicates.
    ci_method : {"bca", "percentile", "poisson"}, default "bca"
        Bias-corrected and accelerated (Efron 1987; better coverage for skewed
        metrics such as macro-F1 on rare labels), plain percentile, or the Poisson
        bootstrap (independent Poisson(1) weights per sample, Chamandy et al. 2012).
    seed : int or tuple of int, optional
        Seeds the replicates; the same seed gives the same intervals whatever the
        number of threads. Without it, fresh entropy is drawn and recorded in
        ``report.params["seed"]``, so the intervals can be drawn again.

    unknown : number, str or "nan", optional
        The value that marks unknown (not annotated) entries of a ``y_true`` matrix,
        such as ``-1``, ``"?"``, or ``"nan"`` for missing values (NaN, None, pandas'
        NA). Without it, such a value is an error, as any value other than 0 and 1.
        An unknown entry is left out of every count; see "Unknown truth entries" in
        ``docs/metrics.md`` (and :mod:`labelwise.unknown_entries`) for what each
        metric does. ``report.params["unknown"]`` says how many entries were
        unknown, and ``report.per_label["unknown"]`` their fraction per label.
    calibration_bins : int, default 15
        Equal-width score bins of the calibration errors (``ece_*``), computed
        whenever the scores are probabilities (dense, in [0, 1]) or logits with
        ``scores_are_logits`` (read through the sigmoid); see "Calibration" in
        ``docs/metrics.md``. Other scores get none, and ``report.params["calibration"]``
        says why.
    y_true_unknown : label sets or 0/1 matrix, optional
        The unknown entries given apart: for label-set truth, a second set per
        sample (``[["jazz"], [], ...]``); for a matrix, a 0/1 matrix of its shape.
        An entry both true and unknown is an error.

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

    With intervals:

    >>> r = labelwise.evaluate(y_true * 25, y_pred * 25, ci=0.95, seed=0)
    >>> low, high = r.ci["f1_micro"]
    >>> bool(low < r["f1_micro"] < high)
    True
    """
    acc = Accumulator(labels, threshold=threshold, inclusive=inclusive, k=k,
                      zero_division=zero_division, beta=beta, inv_propensity=inv_propensity,
                      scores_are_logits=scores_are_logits, sep=sep, mlcm=mlcm, ci=ci,
                      n_bootstrap=n_bootstrap, ci_method=ci_method, seed=seed, unknown=unknown,
                      calibration_bins=calibration_bins)
    acc.update(y_true, y_pred, y_score=y_score, sample_weight=sample_weight,
               y_true_unknown=y_true_unknown)
    return acc.report(train=train, bands=bands)
