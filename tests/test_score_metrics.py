"""Score-based metrics: scikit-learn twins, @k metrics, tie averaging and input errors.

* The scikit-learn twins (label ranking, nDCG, ROC-AUC, average precision and
  their curves) are compared with scikit-learn on random data, ties included.
* The @k metrics are compared with a plain implementation of the Extreme
  Classification Repository definitions on untied scores, in all three score
  forms (dense, sparse, top-k), and with a brute-force mean over every order of
  tied labels on small tied cases.
"""

from __future__ import annotations

import inspect
import itertools
import math
import re
import warnings
from typing import NamedTuple

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

import labelwise
from labelwise import InputError, UndefinedMetricWarning
from labelwise import metrics as sm
from labelwise.metrics.auc import Curves
from labelwise.propensity import inverse_propensity

ATOL = 1e-12
AVERAGES = ("micro", "macro", "weighted", "samples")
AT_K = ("precision", "recall", "ndcg", "psprecision", "psndcg")
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same(actual, expected, what=""):
    """Equal to ATOL; NaN exactly where the other side has NaN; infinities equal."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    np.testing.assert_allclose(a, e, rtol=0, atol=ATOL, equal_nan=True, err_msg=what)


def quiet(f, *args, **kwargs):
    """Call scikit-learn without its UndefinedMetricWarning noise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*args, **kwargs)


def nan_mean(values, weights=None):
    """Weighted mean over the non-NaN values; NaN when nothing (or no weight) is left."""
    values = np.asarray(values, dtype=np.float64)
    weights = np.ones_like(values) if weights is None else np.asarray(weights, np.float64)
    keep = ~np.isnan(values)
    total = weights[keep].sum()
    return float(weights[keep] @ values[keep] / total) if total > 0 else math.nan


# --------------------------------------------------------------------------
# Random cases
# --------------------------------------------------------------------------


class Case(NamedTuple):
    y: np.ndarray  # (n, L) int 0/1
    s: np.ndarray  # (n, L) float32 or float64
    w: np.ndarray | None
    rng: np.random.Generator


@st.composite
def cases(draw, ties=None, n_max=25, l_max=10, weights=True, l_min=2):
    """Random truth and scores: 1..n_max rows, l_min..l_max labels.

    Some columns are forced to all 0 / all 1, some rows to empty / all true.
    Tied scores are small integers around 0 (1 to 4 distinct values per matrix,
    some zeros written as -0.0, which ties with 0.0); untied scores are standard
    normal. Sample weights are absent, positive, or partly zero (never all zero).
    """
    n = draw(st.integers(1, n_max))
    L = draw(st.integers(l_min, l_max))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y = rng.random((n, L)) < draw(st.sampled_from([0.15, 0.4, 0.7, 0.9]))
    for value in (False, True):
        for j in draw(st.sets(st.integers(0, L - 1), max_size=2)):
            y[:, j] = value
    for value in (False, True):
        for i in draw(st.sets(st.integers(0, n - 1), max_size=2)):
            y[i, :] = value
    tied = draw(st.booleans()) if ties is None else ties
    if tied:
        levels = draw(st.integers(1, 4))
        s = (rng.integers(0, levels, (n, L)) - levels // 2).astype(np.float64)
        s[(s == 0) & (rng.random((n, L)) < 0.5)] = -0.0
    else:
        s = rng.standard_normal((n, L))
    s = s.astype(draw(st.sampled_from([np.float32, np.float64])))
    if not tied:
        assume(all(np.unique(row).shape[0] == L for row in s))
    w = None
    kind = draw(st.sampled_from(["none", "positive", "some zero"])) if weights else "none"
    if kind == "positive":
        w = rng.choice([0.5, 1.0, 2.0, 3.0], n)
    elif kind == "some zero":
        w = rng.choice([0.0, 0.0, 1.0, 2.5], n)
        w[rng.integers(n)] = 1.5
    return Case(y.astype(np.int64), s, w, rng)


def rows_untied(s) -> bool:
    return all(np.unique(row).shape[0] == row.shape[0] for row in s)


# --------------------------------------------------------------------------
# 1. scikit-learn twins
# --------------------------------------------------------------------------


@settings(max_examples=80, **SETTINGS)
@given(cases())
def test_label_ranking_and_ndcg_score_match_sklearn(case):
    y, s, w, _ = case
    L = y.shape[1]
    assert_same(sm.label_ranking_average_precision_score(y, s, sample_weight=w),
                skm.label_ranking_average_precision_score(y, s, sample_weight=w), "lrap")
    assert_same(sm.label_ranking_loss(y, s, sample_weight=w),
                quiet(skm.label_ranking_loss, y, s, sample_weight=w), "ranking loss")
    assert_same(sm.coverage_error(y, s, sample_weight=w),
                skm.coverage_error(y, s, sample_weight=w), "coverage")
    for k in (None, 1, 2, 3, L, L + 2):
        assert_same(sm.ndcg_score(y, s, k=k, sample_weight=w),
                    skm.ndcg_score(y, s, k=k, sample_weight=w), f"ndcg k={k}")
        if k is not None and k <= L:  # the @k twin agrees with sklearn, ties included
            assert_same(sm.ndcg_at_k(y, s, k=k, sample_weight=w),
                        skm.ndcg_score(y, s, k=k, sample_weight=w), f"ndcg_at_k k={k}")
        # ties ranked in argsort order, as scikit-learn does: the same numbers, tied or not
        ignoring = sm.ndcg_score(y, s, k=k, sample_weight=w, ignore_ties=True)
        assert_same(ignoring, skm.ndcg_score(y, s, k=k, sample_weight=w, ignore_ties=True),
                    f"ndcg ignore_ties k={k}")
        if rows_untied(s):
            assert_same(ignoring, sm.ndcg_score(y, s, k=k, sample_weight=w),
                        f"ndcg ignore_ties untied k={k}")


def record(fn, *args, **kwargs):
    """Call ``fn``; return its result and every warning it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    return result, list(caught)


def compare_auc_or_ap(name, y, s, what="", **kwargs):
    """labelwise's ``name`` equals scikit-learn's: value, NaN and warnings, in order.

    scikit-learn's undefined-value warnings are UndefinedMetricWarnings, except
    average precision's "No positive class found", a plain UserWarning; labelwise
    raises every one of them as a labelwise.UndefinedMetricWarning (a UserWarning).
    """
    got, lw_caught = record(getattr(sm, name), y, s, **kwargs)
    want, sk_caught = record(getattr(skm, name), y, s, **kwargs)
    what = f"{name}({kwargs}) {what}"
    assert all(x.category is UndefinedMetricWarning for x in lw_caught), what
    sk_messages = [str(x.message) for x in sk_caught if issubclass(x.category, UserWarning)]
    assert [str(x.message) for x in lw_caught] == sk_messages, what
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), what
    else:
        assert isinstance(got, float), what
    assert_same(got, want, what)
    return got, want


def check_auc_or_ap(name, y, s, w, **kwargs):
    for average in (None,) + AVERAGES:
        _, want = compare_auc_or_ap(name, y, s, average=average, sample_weight=w, **kwargs)
        if np.isnan(want).any():
            event(f"{name} {average}: NaN")


@settings(max_examples=100, **SETTINGS)
@given(cases(l_min=1))
def test_roc_auc_and_average_precision_match_sklearn(case):
    # values, NaN where scikit-learn gives NaN, and the same warnings; a single
    # column is a binary target to both
    y, s, w, _ = case
    check_auc_or_ap("roc_auc_score", y, s, w)
    check_auc_or_ap("average_precision_score", y, s, w)


MAX_FPRS = st.one_of(st.sampled_from([1e-3, 0.1, 0.25, 0.5, 0.75, 0.999, 1.0]),
                     st.floats(1e-6, 1.0, exclude_min=True))


@settings(max_examples=100, **SETTINGS)
@given(cases(l_min=1), MAX_FPRS)
def test_partial_roc_auc_matches_sklearn(case, max_fpr):
    y, s, w, _ = case
    for average in (None,) + AVERAGES:
        try:
            quiet(skm.roc_auc_score, y, s, average=average, sample_weight=w, max_fpr=max_fpr)
        except ValueError as err:
            # scikit-learn fails on a label whose negatives all weigh 0; it is NaN here
            assert "At least 2 points are needed" in str(err)
            event("scikit-learn fails: negatives of weight 0")
            got = quiet(sm.roc_auc_score, y, s, average=average, sample_weight=w,
                        max_fpr=max_fpr)
            assert np.isnan(got).any()
            continue
        compare_auc_or_ap("roc_auc_score", y, s, average=average, sample_weight=w,
                          max_fpr=max_fpr)


# Labels 0 and 3 are always true: their ROC-AUC is undefined. Sample 2 has every
# label true: its ROC-AUC is undefined.
Y_UNDEFINED = np.array([[1, 1, 0, 1], [1, 0, 1, 1], [1, 1, 1, 1], [1, 0, 0, 1]])
S_UNDEFINED = np.array([[0.3, 0.9, 0.2, 0.1], [0.8, 0.1, 0.6, 0.2],
                        [0.5, 0.4, 0.7, 0.9], [0.1, 0.2, 0.3, 0.4]])
ONE_CLASS = r"Only one class is present in y_true\. ROC AUC score is not defined"


def test_undefined_roc_auc_is_nan_in_the_twin_and_left_out_by_evaluate():
    y, s = Y_UNDEFINED, S_UNDEFINED
    for average in ("macro", "weighted", "samples"):
        with pytest.warns(UndefinedMetricWarning, match=ONE_CLASS) as caught:
            got = sm.roc_auc_score(y, s, average=average)
        assert math.isnan(got)
        assert len(caught) == 2 if average != "samples" else 1  # labels 0, 3; sample 2
        compare_auc_or_ap("roc_auc_score", y, s, average=average)
    with pytest.warns(UndefinedMetricWarning, match=ONE_CLASS):
        per_label = sm.roc_auc_score(y, s, average=None)
    np.testing.assert_array_equal(np.isnan(per_label), [True, False, False, True])
    # label 1: positives (samples 0, 2) score 0.9, 0.4 against the negatives' 0.1, 0.2:
    # AUC 1. Label 2: positives (samples 1, 2) score 0.6, 0.7 against 0.2, 0.3: AUC 1.
    assert per_label[1] == per_label[2] == 1.0
    # evaluate() averages the defined labels and samples, and lists the others
    report = labelwise.evaluate(y, y_score=s)
    assert report["roc_auc_macro"] == 1.0
    assert report["roc_auc_weighted"] == 1.0
    # samples: row 0 positives {0.3, 0.9, 0.1} vs negative {0.2}: 2 of 3 pairs right.
    # Row 1 positives {0.8, 0.6, 0.2} vs {0.1}: 1. Row 3 positives {0.1, 0.4} vs
    # {0.2, 0.3}: 2 of 4 pairs right. Mean (2/3 + 1 + 1/2) / 3 = 13/18.
    assert report["roc_auc_samples"] == pytest.approx(13 / 18, abs=ATOL)
    assert report.undefined["roc_auc"] == [0, 3]
    # with row 2 weighted 0 nothing undefined counts in the samples average; it still
    # warns, as scikit-learn scores each sample's labels unweighted
    w = [1.0, 2.0, 0.0, 1.0]
    got, _ = compare_auc_or_ap("roc_auc_score", y, s, average="samples", sample_weight=w)
    assert got == pytest.approx((2 / 3 + 2 * 1 + 1 / 2) / 4, abs=ATOL)
    # nothing defined at all: NaN in the twin and in evaluate()
    for y_none, average in (([[1, 0], [1, 0]], "macro"), ([[1, 1], [0, 0]], "samples"),
                            ([[1, 1], [1, 1]], "micro")):
        got, _ = compare_auc_or_ap("roc_auc_score", np.array(y_none),
                                   np.array([[0.2, 0.4], [0.3, 0.1]]), average=average)
        assert math.isnan(got)
        assert math.isnan(labelwise.evaluate(y_none, y_score=[[0.2, 0.4], [0.3, 0.1]])[
            f"roc_auc_{average}"])


def test_weighted_roc_auc_warnings_name_the_missing_class():
    # label 0: both classes occur, but its negatives (rows 1, 3) weigh 0; label 1: its
    # positives (rows 0, 3) weigh 0 under the second weights
    y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    s = np.array([[0.3, 0.2], [0.5, 0.6], [0.1, 0.9], [0.7, 0.4]])
    with pytest.warns(UndefinedMetricWarning, match="No negative samples in y_true"):
        got = sm.roc_auc_score(y, s, average=None, sample_weight=[1, 0, 1, 0])
    assert math.isnan(got[0]) and got[1] == 1.0
    compare_auc_or_ap("roc_auc_score", y, s, average=None, sample_weight=[1, 0, 1, 0])
    with pytest.warns(UndefinedMetricWarning, match="No positive samples in y_true"):
        sm.roc_auc_score(y, s, average="weighted", sample_weight=[0, 1, 0, 1])
    for average in (None,) + AVERAGES:
        compare_auc_or_ap("roc_auc_score", y, s, average=average, sample_weight=[0, 1, 0, 1])
    # the partial AUC of a label without negatives of weight: NaN (scikit-learn fails)
    with pytest.raises(ValueError, match="At least 2 points"):
        quiet(skm.roc_auc_score, y, s, average=None, sample_weight=[1, 0, 1, 0], max_fpr=0.5)
    got = quiet(sm.roc_auc_score, y, s, average=None, sample_weight=[1, 0, 1, 0], max_fpr=0.5)
    assert math.isnan(got[0]) and got[1] == 1.0


def test_average_precision_without_positives_warns_like_sklearn():
    y = np.array([[1, 0, 0], [0, 0, 1], [1, 0, 0]])
    s = np.array([[0.9, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.1, 0.8]])
    no_positive = r"No positive class found in y_true, recall is set to one for all thresholds"
    for average in (None, "macro", "weighted", "micro", "samples"):
        compare_auc_or_ap("average_precision_score", y, s, average=average)
    with pytest.warns(UserWarning, match=no_positive) as caught:  # as scikit-learn's
        got = sm.average_precision_score(y, s, average=None)
    assert [x.category for x in caught] == [UndefinedMetricWarning]  # label 1 only
    assert got[1] == 0.0
    with pytest.warns(UndefinedMetricWarning, match=no_positive):
        assert sm.average_precision_score(np.zeros((3, 3), int), s, average="micro") == 0.0
    # the weighted mean over no support at all is 0, without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sm.average_precision_score(np.zeros((3, 3), int), s, average="weighted") == 0.0
        assert sm.roc_auc_score(np.zeros((3, 3), int), s, average="weighted") == 0.0
    compare_auc_or_ap("average_precision_score", np.zeros((3, 3), int), s, average="weighted")


def test_single_column_is_a_binary_target():
    y, s = np.array([[0], [1], [1], [0]]), np.array([[0.2], [0.8], [0.3], [0.5]])
    for average in (None,) + AVERAGES:  # one value, whatever the average
        got, _ = compare_auc_or_ap("roc_auc_score", y, s, average=average)
        assert got == 0.75
        got, _ = compare_auc_or_ap("average_precision_score", y, s, average=average)
        assert got == pytest.approx(5 / 6, abs=ATOL)
        compare_auc_or_ap("roc_auc_score", y, s, average=average, max_fpr=0.5)
    # class 0 as the positive class: scores ranked highest first are those of class 1
    got, _ = compare_auc_or_ap("average_precision_score", y, s, pos_label=0)
    assert got == pytest.approx((1 / 2 + 2 / 4) / 2, abs=ATOL)
    for column in (np.zeros((4, 1), int), np.ones((4, 1), int)):
        for pos_label in (0, 1, 2):
            compare_auc_or_ap("average_precision_score", column, s, pos_label=pos_label)
        with pytest.warns(UndefinedMetricWarning, match=ONE_CLASS):
            assert math.isnan(sm.roc_auc_score(column, s))
    # a one-column DataFrame too, as scikit-learn reads it
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"spam": y[:, 0]})
    assert sm.roc_auc_score(frame, s, average="samples") == 0.75
    assert skm.roc_auc_score(frame, s, average="samples") == 0.75


def test_average_precision_pos_label_of_a_single_column():
    y, s = [[1], [0], [1]], [[0.9], [0.3], [0.2]]
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        skm.average_precision_score(y, s, pos_label=2)
    with pytest.raises(InputError, match=r"pos_label=2 is not a valid label: the single-column "
                                         r"y_true is read as a binary target, with the "
                                         r"classes \[0, 1\]\. Pass pos_label=1"):
        sm.average_precision_score(y, s, pos_label=2)
    assert sm.average_precision_score(y, s, pos_label=0) == 0.5


def check_curve(curve, want, what):
    assert_same(curve.x, want[0], f"{what} x")
    assert_same(curve.y, want[1], f"{what} y")
    assert_same(curve.thresholds, want[2], f"{what} thresholds")


@settings(max_examples=80, **SETTINGS)
@given(cases())
def test_curves_match_sklearn(case):
    y, s, w, _ = case
    n, L = y.shape
    w_micro = None if w is None else np.repeat(w, L)
    for drop in (True, False):
        roc = sm.roc_curves(y, s, sample_weight=w, drop_intermediate=drop)
        pr = sm.precision_recall_curves(y, s, sample_weight=w, drop_intermediate=drop)
        assert sorted(roc.per_label) == sorted(pr.per_label) == list(range(L))
        for j in range(L):
            check_curve(roc.per_label[j], quiet(skm.roc_curve, y[:, j], s[:, j],
                        sample_weight=w, drop_intermediate=drop), f"roc {j} {drop}")
            precision, recall, thr = quiet(skm.precision_recall_curve, y[:, j], s[:, j],
                                           sample_weight=w, drop_intermediate=drop)
            check_curve(pr.per_label[j], (recall, precision, thr), f"pr {j} {drop}")
        check_curve(roc.micro, quiet(skm.roc_curve, y.ravel(), s.ravel(),
                    sample_weight=w_micro, drop_intermediate=drop), f"roc micro {drop}")
        precision, recall, thr = quiet(skm.precision_recall_curve, y.ravel(), s.ravel(),
                                       sample_weight=w_micro, drop_intermediate=drop)
        check_curve(pr.micro, (recall, precision, thr), f"pr micro {drop}")
    # defaults as in sklearn: ROC drops intermediate points, PR keeps them
    check_curve(sm.roc_curves(y, s).per_label[0], quiet(skm.roc_curve, y[:, 0], s[:, 0]),
                "roc default")
    precision, recall, thr = quiet(skm.precision_recall_curve, y[:, 0], s[:, 0])
    check_curve(sm.precision_recall_curves(y, s).per_label[0], (recall, precision, thr),
                "pr default")


def dense_battery(y, s, w):
    """Every metric that takes dense scores, as one flat dict."""
    out = {
        "lrap": sm.label_ranking_average_precision_score(y, s, sample_weight=w),
        "loss": sm.label_ranking_loss(y, s, sample_weight=w),
        "coverage": sm.coverage_error(y, s, sample_weight=w),
        "one_error": sm.one_error(y, s, sample_weight=w),
        "ndcg": sm.ndcg_score(y, s, sample_weight=w),
        "ndcg2": sm.ndcg_score(y, s, k=2, sample_weight=w),
    }
    for average in (None,) + AVERAGES:
        out[f"auc {average}"] = quiet(sm.roc_auc_score, y, s, average=average,
                                      sample_weight=w)
        out[f"ap {average}"] = quiet(sm.average_precision_score, y, s, average=average,
                                     sample_weight=w)
    p = np.linspace(1.0, 3.0, np.shape(s)[1])
    for k in (1, 2):
        for name in AT_K:
            kw = {"inv_propensity": p} if name.startswith("ps") else {}
            out[f"{name}@{k}"] = getattr(sm, f"{name}_at_k")(y, s, k=k, sample_weight=w, **kw)
    return out


@settings(max_examples=30, **SETTINGS)
@given(cases())
def test_input_forms_give_the_same_results(case):
    y, s, w, _ = case
    n, L = y.shape
    want = dense_battery(y, s, w)
    w_list = None if w is None else w.tolist()
    for y_form, s_form in ((y.tolist(), s.tolist()), (sp.csr_matrix(y), s),
                           (sp.csr_matrix(y), s.tolist()), (y.astype(bool), s)):
        got = dense_battery(y_form, s_form, w_list)
        assert got.keys() == want.keys()
        for key in want:
            assert_same(got[key], want[key], key)
    # label sets need labels= to be matched to the score columns (curves take it)
    names = [f"L{j}" for j in range(L)]
    sets = [{names[j] for j in np.flatnonzero(row)} for row in y]
    for fn in (sm.roc_curves, sm.precision_recall_curves):
        ref = fn(y, s, sample_weight=w)
        for truth in (sets, sp.csr_matrix(y), y.tolist()):
            got = fn(truth, s, sample_weight=w, labels=names)
            assert list(got.per_label) == names
            for j, name in enumerate(names):
                check_curve(got.per_label[name], ref.per_label[j], f"{fn.__name__} {name}")
            check_curve(got.micro, ref.micro, f"{fn.__name__} micro")


def test_many_true_labels_per_row_match_sklearn():
    # rows with more than a handful of true labels take another counting path
    rng = np.random.default_rng(7)
    y = (rng.random((30, 40)) < 0.5).astype(int)
    for s in (rng.integers(0, 3, (30, 40)).astype(float), rng.random((30, 40))):
        assert_same(sm.label_ranking_average_precision_score(y, s),
                    skm.label_ranking_average_precision_score(y, s))
        assert_same(sm.label_ranking_loss(y, s), skm.label_ranking_loss(y, s))
        assert_same(sm.coverage_error(y, s), skm.coverage_error(y, s))
        for k in (None, 5, 20):
            assert_same(sm.ndcg_score(y, s, k=k), skm.ndcg_score(y, s, k=k))
        for average in AVERAGES:
            assert_same(sm.roc_auc_score(y, s, average=average),
                        skm.roc_auc_score(y, s, average=average))
            assert_same(sm.average_precision_score(y, s, average=average),
                        skm.average_precision_score(y, s, average=average))


def test_long_rows_take_the_sorting_paths():
    # many true labels and many scored labels per row: the kernels sort instead of
    # counting; sparse and top-k rows are checked against the dense kernel and,
    # untied, against the reference
    rng = np.random.default_rng(11)
    n, L = 12, 300
    y = (rng.random((n, L)) < 0.3).astype(int)
    p = rng.uniform(1, 4, L)
    for tied in (True, False):
        s = rng.integers(0, 6, (n, L)).astype(float) if tied else rng.standard_normal((n, L))
        stored = rng.random((n, L)) < 0.5
        rows, cols = np.nonzero(stored)
        sparse = sp.csr_matrix((s[rows, cols], (rows, cols)), shape=(n, L))
        dense_equivalent = np.where(stored, s, s.min() - 1)
        for k in (1, 5, 60, 250):
            want = labelwise_at_k(y, dense_equivalent, k, p)
            got = labelwise_at_k(y, sparse, k, p)
            for name in AT_K:
                assert_same(got[name], want[name], f"sparse {name}@{k} tied={tied}")
        if not tied:
            idx, vals = top_scores(s, 150, rng)
            for k in (1, 5, 60, 150):
                want = reference_at_k(y, s, k, p)
                got = labelwise_at_k(y, (idx, vals), k, p)
                for name in AT_K:
                    assert_same(got[name], want[name], f"top-k {name}@{k}")


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble, np.int64, np.uint8, bool])
def test_other_score_dtypes_are_read_as_floats(dtype):
    y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0]])
    s = np.array([[3, 1, 2], [0, 2, 1], [1, 2, 0]]).astype(dtype)
    s_float = s.astype(np.float64)
    battery = dense_battery(y, s, None)
    want = dense_battery(y, s_float, None)
    for key in want:
        assert_same(battery[key], want[key], key)
    # booleans tie a lot: row 0 ties everything (2 of 2 pairs wrong), row 1 ties its
    # true label with a false one (1 of 2), row 2 is right
    want_loss = (1 + 1 / 2 + 0) / 3 if dtype is bool else 0.0
    assert sm.label_ranking_loss(y, s) == pytest.approx(want_loss, abs=ATOL)
    if dtype is not np.float16:  # scipy.sparse has no float16
        assert sm.ndcg_at_k(y, sp.csr_matrix(s), k=2) == sm.ndcg_at_k(y, s_float, k=2)
    if dtype is not bool:
        idx = np.array([[0, 2]] * 3)
        assert sm.recall_at_k(y, (idx, s[:, [0, 2]]), k=2) == sm.recall_at_k(
            y, (idx, s_float[:, [0, 2]]), k=2)


# --------------------------------------------------------------------------
# 2. @k metrics
# --------------------------------------------------------------------------


def reference_at_k(y, s, k, inv_propensity=None, sample_weight=None) -> dict:
    """The Extreme Classification Repository @k metrics, written out plainly.

    Each row is ranked by score, highest first (the scores must not tie).
    P@k: hits in the top k over k. R@k: hits over |y| (0 without labels).
    nDCG@k: DCG@k over IDCG@min(k, |y|) (0 without labels). PSP@k: the summed
    inverse propensities of the hits over those of the best possible top k.
    PSnDCG@k: mean PS-DCG@k / IDCG@min(k, |y|) over the mean of the same for the
    best possible top k. Samples are weighted by ``sample_weight``.
    """
    y, s = np.asarray(y), np.asarray(s)
    n, L = y.shape
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    p = np.ones(L) if inv_propensity is None else np.asarray(inv_propensity, dtype=float)
    P = R = N = ps_num = ps_den = psn_num = psn_den = 0.0
    for i in range(n):
        ranked = sorted(range(L), key=lambda j: -s[i, j])[:k]
        true = {j for j in range(L) if y[i, j]}
        hits = [j in true for j in ranked]
        P += w[i] * sum(hits) / k
        if not true:
            continue
        ideal = sum(1 / math.log2(t + 2) for t in range(min(k, len(true))))
        dcg = sum(1 / math.log2(t + 2) for t, hit in enumerate(hits) if hit)
        R += w[i] * sum(hits) / len(true)
        N += w[i] * dcg / ideal
        best = sorted((p[j] for j in true), reverse=True)[:k]
        ps_num += w[i] * sum(p[j] for j in ranked if j in true)
        ps_den += w[i] * sum(best)
        ps_dcg = sum(p[j] / math.log2(t + 2) for t, j in enumerate(ranked) if j in true)
        best_dcg = sum(b / math.log2(t + 2) for t, b in enumerate(best))
        psn_num += w[i] * ps_dcg / ideal
        psn_den += w[i] * best_dcg / ideal
    W = w.sum()
    return {
        "precision": P / W,
        "recall": R / W,
        "ndcg": N / W,
        "psprecision": ps_num / ps_den if ps_den > 0 else math.nan,
        "psndcg": psn_num / psn_den if psn_den > 0 else math.nan,
    }


def labelwise_at_k(y, scores, k, inv_propensity, sample_weight=None) -> dict:
    out = {}
    for name in AT_K:
        kw = {"inv_propensity": inv_propensity} if name.startswith("ps") else {}
        value = getattr(sm, f"{name}_at_k")(y, scores, k=k, sample_weight=sample_weight, **kw)
        assert isinstance(value, float)
        out[name] = value
    return out


def top_scores(s, m, rng):
    """Each row's m highest-scoring labels and their scores, in shuffled order."""
    order = np.argsort(-s, axis=1, kind="stable")[:, :m]
    for row in order:
        rng.shuffle(row)
    return order, np.take_along_axis(s, order, axis=1)


def as_sparse(s, idx, vals):
    """CSR of shape s.shape holding only (idx, vals), rows' entries left unsorted."""
    n, m = idx.shape
    indptr = np.arange(0, n * m + 1, m)
    return sp.csr_matrix((vals.ravel(), idx.ravel(), indptr), shape=s.shape)


@st.composite
def untied_at_k_cases(draw):
    case = draw(cases(ties=False))
    L = case.y.shape[1]
    k = draw(st.integers(1, L))
    m = draw(st.integers(k, L))  # entries kept in the sparse form
    width = draw(st.integers(k, L))  # columns of the top-k form
    p = case.rng.uniform(1.0, 5.0, L)
    return case, k, m, width, p


@settings(max_examples=60, **SETTINGS)
@given(untied_at_k_cases())
def test_at_k_match_reference_in_every_score_form(data):
    (y, s, w, rng), k, m, width, p = data
    want = reference_at_k(y, s, k, p, w)
    idx, vals = top_scores(s, width, rng)
    sparse = as_sparse(s, *top_scores(s, m, rng))
    forms = {
        "dense": s,
        "dense list": s.tolist(),
        "sparse": sparse,
        "sparse csc": sparse.tocsc(),
        "sparse coo": sparse.tocoo(),
        "top-k": (idx, vals),
        "top-k lists": (idx.tolist(), vals.tolist()),
        "top-k int32/float32": (idx.astype(np.int32), vals.astype(np.float32)),
    }
    for form, scores in forms.items():
        truths = (y, sp.csr_matrix(y)) if form in ("dense", "sparse", "top-k") else (y,)
        for truth in truths:
            got = labelwise_at_k(truth, scores, k, p, w)
            for name in AT_K:
                assert_same(got[name], want[name], f"{name}@{k} {form}")
    # one-error is 1 - P@1 (a sample without labels always errs)
    assert_same(sm.one_error(y, s, sample_weight=w),
                1 - reference_at_k(y, s, 1, None, w)["precision"], "one_error")


def orders_of(row):
    """Every strict order of a row's labels that its scores allow (ties permuted)."""
    groups = [np.flatnonzero(row == v) for v in sorted(set(row.tolist()), reverse=True)]
    for perms in itertools.product(*(itertools.permutations(g) for g in groups)):
        yield [j for perm in perms for j in perm]


def brute_force_at_k(y, s, k, p, w) -> dict:
    """The untied metrics averaged over every joint order of the tied labels."""
    n, L = y.shape
    totals = dict.fromkeys(AT_K + ("one_error",), 0.0)
    count = 0
    for joint in itertools.product(*(list(orders_of(row)) for row in s)):
        untied = np.empty((n, L))
        for i, order in enumerate(joint):
            untied[i, order] = np.arange(L, 0, -1)  # first in the order scores highest
        values = reference_at_k(y, untied, k, p, w)
        values["one_error"] = 1 - reference_at_k(y, untied, 1, None, w)["precision"]
        for name in totals:
            totals[name] += values[name]
        count += 1
    return {name: total / count for name, total in totals.items()}


def n_joint_orders(s) -> int:
    return math.prod(
        math.prod(math.factorial(c) for c in np.unique(row, return_counts=True)[1])
        for row in s
    )


@st.composite
def tied_at_k_cases(draw):
    case = draw(cases(ties=True, n_max=3, l_max=5))
    y, s, w, rng = case
    assume(n_joint_orders(s) <= 400)
    n, L = y.shape
    k = draw(st.integers(1, L))
    p = rng.choice([1.0, 1.5, 2.0, 4.0], L)
    # partial forms: which labels each row scores; the rest tie below them
    stored = rng.random((n, L)) < draw(st.sampled_from([0.3, 0.6, 1.0]))
    width = draw(st.integers(k, L))
    chosen = np.argsort(rng.random((n, L)), axis=1)[:, :width]
    return case, k, p, stored, chosen


@settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
@given(tied_at_k_cases())
def test_ties_average_over_every_order(data):
    (y, s, w, _), k, p, stored, chosen = data
    n, L = y.shape
    want = brute_force_at_k(y, s, k, p, w)
    got = labelwise_at_k(y, s, k, p, w)
    for name in AT_K:
        assert_same(got[name], want[name], f"dense {name}@{k}")
    assert_same(sm.one_error(y, s, sample_weight=w), want["one_error"], "one_error")

    # a sparse matrix scoring only some labels ranks the others below, all tied:
    # the same as a dense matrix giving them one score below every stored score
    below = float(s.min()) - 1
    rows, cols = np.nonzero(stored)
    sparse = sp.csr_matrix((s[rows, cols], (rows, cols)), shape=(n, L))
    dense_equivalent = np.where(stored, s, below)
    if n_joint_orders(dense_equivalent) <= 3000:
        event("sparse form checked")
        want = brute_force_at_k(y, dense_equivalent, k, p, w)
        got = labelwise_at_k(y, sparse, k, p, w)
        for name in AT_K:
            assert_same(got[name], want[name], f"sparse {name}@{k}")

    # top-k predictions: any `width` labels per row with their scores, the rest below
    in_top = np.zeros((n, L), dtype=bool)
    np.put_along_axis(in_top, chosen, True, axis=1)
    dense_equivalent = np.where(in_top, s, below)
    if n_joint_orders(dense_equivalent) <= 3000:
        event("top-k form checked")
        want = brute_force_at_k(y, dense_equivalent, k, p, w)
        got = labelwise_at_k(y, (chosen, np.take_along_axis(s, chosen, axis=1)), k, p, w)
        for name in AT_K:
            assert_same(got[name], want[name], f"top-k {name}@{k}")


@settings(max_examples=60, **SETTINGS)
@given(cases())
def test_ndcg_at_k_equals_sklearn_ndcg_score_with_ties(case):
    y, s, w, _ = case
    for k in range(1, y.shape[1] + 1):
        assert_same(sm.ndcg_at_k(y, s, k=k, sample_weight=w),
                    skm.ndcg_score(y, s, k=k, sample_weight=w), f"k={k}")
    # one-error is 1 - P@1, ties included (both take the share of the top tie)
    assert_same(sm.one_error(y, s, sample_weight=w),
                1 - sm.precision_at_k(y, s, k=1, sample_weight=w), "one_error")


# Worked examples ------------------------------------------------------------

# Three samples, five labels, no ties. Rankings (highest score first):
#   sample 0: 0, 1, 3, 4, 2   truth {0, 2}
#   sample 1: 0, 1, 2, 3, 4   truth {}
#   sample 2: 2, 4, 3, 1, 0   truth {1, 2, 3}
Y = [[1, 0, 1, 0, 0], [0, 0, 0, 0, 0], [0, 1, 1, 1, 0]]
S = [[0.9, 0.8, 0.1, 0.3, 0.2], [0.5, 0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.9, 0.3, 0.8]]
PROP = [1.0, 2.0, 4.0, 1.0, 3.0]
D2, D3 = 1 / math.log2(3), 1 / math.log2(4)  # discounts of ranks 2 and 3 (D3 = 1/2)


def worked_example_forms():
    idx = [[3, 0, 1], [1, 2, 0], [4, 2, 3]]  # each row's top 3, not in score order
    vals = [[S[i][j] for j in row] for i, row in enumerate(idx)]
    return {"dense": S, "top-k": (idx, vals), "sparse": sp.csr_matrix(S)}


@pytest.mark.parametrize("form", ["dense", "top-k", "sparse"])
def test_worked_example_untied(form):
    scores = worked_example_forms()[form]
    # hits: top 1 -> 1, 0, 1; top 3 -> 1 (label 0), 0, 2 (labels 2 and 3)
    assert sm.precision_at_k(Y, scores, k=1) == pytest.approx(2 / 3, abs=ATOL)
    assert sm.precision_at_k(Y, scores, k=3) == pytest.approx((1 / 3 + 0 + 2 / 3) / 3, abs=ATOL)
    # recall: 1/2 and 1/3 at k=1; 1/2 and 2/3 at k=3; sample 1 counts 0
    assert sm.recall_at_k(Y, scores, k=1) == pytest.approx((1 / 2 + 0 + 1 / 3) / 3, abs=ATOL)
    assert sm.recall_at_k(Y, scores, k=3) == pytest.approx(7 / 18, abs=ATOL)
    # nDCG@3: sample 0 has DCG 1 over IDCG@2 = 1 + D2; sample 2 has DCG 1 + D3 (ranks
    # 1 and 3) over IDCG@3 = 1 + D2 + D3
    ndcg3 = (1 / (1 + D2) + (1 + D3) / (1 + D2 + D3)) / 3
    assert sm.ndcg_at_k(Y, scores, k=3) == pytest.approx(ndcg3, abs=ATOL)
    assert sm.ndcg_at_k(Y, scores, k=1) == pytest.approx(2 / 3, abs=ATOL)
    # PSP@1: hits' propensities 1 (label 0) and 4 (label 2); best top-1: 4 and 4
    assert sm.psprecision_at_k(Y, scores, k=1, inv_propensity=PROP) \
        == pytest.approx(5 / 8, abs=ATOL)
    # PSP@3: hits 1 and 4 + 1 = 5; best: 4 + 1 = 5 and 4 + 2 + 1 = 7 -> 6/12
    assert sm.psprecision_at_k(Y, scores, k=3, inv_propensity=PROP) \
        == pytest.approx(1 / 2, abs=ATOL)
    # PSnDCG@3: sample 0 PS-DCG 1 (label 0 at rank 1), best 4 + D2 (labels 2, 0);
    # sample 2 PS-DCG 4 + 1 * D3 (labels 2 and 3 at ranks 1, 3), best 4 + 2 D2 + D3;
    # each over its IDCG: 1 + D2 and 1 + D2 + D3
    i0, i2 = 1 + D2, 1 + D2 + D3
    psndcg3 = (1 / i0 + (4 + D3) / i2) / ((4 + D2) / i0 + (4 + 2 * D2 + D3) / i2)
    assert sm.psndcg_at_k(Y, scores, k=3, inv_propensity=PROP) == pytest.approx(psndcg3, abs=ATOL)
    # weights 1, 3, 2: P@1 = (1*1 + 3*0 + 2*1) / 6
    w = [1, 3, 2]
    assert sm.precision_at_k(Y, scores, k=1, sample_weight=w) == pytest.approx(1 / 2, abs=ATOL)
    # R@3 = (1*1/2 + 0 + 2*2/3) / 6 = (11/6) / 6
    assert sm.recall_at_k(Y, scores, k=3, sample_weight=w) == pytest.approx(11 / 36, abs=ATOL)


def test_worked_example_one_error_and_ranking():
    # top labels 0 (true), 0 (sample without labels: an error), 2 (true)
    assert sm.one_error(Y, S) == pytest.approx(1 / 3, abs=ATOL)
    # coverage: lowest true label's depth: sample 0 label 2 at rank 5; sample 1 none
    # (0); sample 2 label 1 at rank 4 -> (5 + 0 + 4) / 3
    assert sm.coverage_error(Y, S) == pytest.approx(3.0, abs=ATOL)
    # ranking loss: sample 0 label 2 is below 1, 3, 4 (3 of 2*3 pairs wrong); sample 2
    # label 3 below 4, label 1 below 4 (2 of 3*2 pairs); sample 1 scores 0
    assert sm.label_ranking_loss(Y, S) == pytest.approx((3 / 6 + 0 + 2 / 6) / 3, abs=ATOL)
    # LRAP: sample 0: label 0 rank 1 (1/1), label 2 rank 5 (2/5); sample 1 scores 1;
    # sample 2: label 2 rank 1 (1/1), label 3 rank 3 (2/3), label 1 rank 4 (3/4)
    lrap = ((1 + 2 / 5) / 2 + 1 + (1 + 2 / 3 + 3 / 4) / 3) / 3
    assert sm.label_ranking_average_precision_score(Y, S) == pytest.approx(lrap, abs=ATOL)


def test_worked_example_ties():
    # label 0 (the only true one) ties with labels 1 and 2 for the top: in the six
    # orders of the tie it is at rank 1, 2 or 3 equally often.
    y, s = [[1, 0, 0, 0]], [[0.5, 0.5, 0.5, 0.1]]
    assert sm.precision_at_k(y, s, k=1) == pytest.approx(1 / 3, abs=ATOL)
    assert sm.precision_at_k(y, s, k=2) == pytest.approx((2 / 3) / 2, abs=ATOL)
    assert sm.recall_at_k(y, s, k=2) == pytest.approx(2 / 3, abs=ATOL)
    assert sm.precision_at_k(y, s, k=4) == pytest.approx(1 / 4, abs=ATOL)
    # nDCG@2: gain 1, D2 or 0 (rank 3 falls outside); IDCG@min(2, 1) = 1
    assert sm.ndcg_at_k(y, s, k=2) == pytest.approx((1 + D2) / 3, abs=ATOL)
    assert sm.ndcg_at_k(y, s, k=3) == pytest.approx((1 + D2 + D3) / 3, abs=ATOL)
    # one-error: two of the three labels tied for the top are not true
    assert sm.one_error(y, s) == pytest.approx(2 / 3, abs=ATOL)
    # the same from top-3 predictions and from sparse scores
    top3 = ([[2, 0, 1]], [[0.5, 0.5, 0.5]])
    assert sm.ndcg_at_k(y, top3, k=2) == pytest.approx((1 + D2) / 3, abs=ATOL)
    assert sm.precision_at_k(y, sp.csr_matrix(s), k=1) == pytest.approx(1 / 3, abs=ATOL)
    # top-2 predictions listing labels 1 and 0: labels 2 and 3 are unscored and rank
    # below, so label 0 now ties with one label only
    assert sm.precision_at_k(y, ([[1, 0]], [[0.5, 0.5]]), k=1) == pytest.approx(1 / 2, abs=ATOL)

    # label 0 alone on top, true label 1 tied with labels 2 and 3 below it
    y, s = [[1, 1, 0, 0]], [[1.0, 0.5, 0.5, 0.5]]
    # P@2: label 0 always a hit, label 1 at rank 2 in a third of the orders
    assert sm.precision_at_k(y, s, k=2) == pytest.approx((1 + 1 / 3) / 2, abs=ATOL)
    assert sm.ndcg_at_k(y, s, k=2) == pytest.approx((1 + D2 / 3) / (1 + D2), abs=ATOL)
    # PSP@2 with propensities 1, 3: hits 1 + 3/3 = 2 of the best 3 + 1 = 4
    psp = sm.psprecision_at_k(y, s, k=2, inv_propensity=[1, 3, 1, 1])
    assert psp == pytest.approx(1 / 2, abs=ATOL)


def test_worked_example_sparse_row_with_fewer_entries_than_k():
    # only label 0 is scored; labels 1, 2, 3 rank below it, tied. The true label 2
    # is at rank 2, 3 or 4 equally often.
    y = [[0, 0, 1, 0]]
    scores = sp.csr_matrix(([0.9], ([0], [0])), shape=(1, 4))
    assert sm.precision_at_k(y, scores, k=2) == pytest.approx((1 / 3) / 2, abs=ATOL)
    assert sm.recall_at_k(y, scores, k=2) == pytest.approx(1 / 3, abs=ATOL)
    assert sm.ndcg_at_k(y, scores, k=2) == pytest.approx(D2 / 3, abs=ATOL)
    # a row with no stored entry at all ties every label
    scores = sp.csr_matrix((1, 4))
    assert sm.precision_at_k(y, scores, k=1) == pytest.approx(1 / 4, abs=ATOL)
    # a stored score below zero still ranks above the unscored labels
    scores = sp.csr_matrix(([-5.0], ([0], [2])), shape=(1, 4))
    assert sm.precision_at_k(y, scores, k=1) == 1.0


def test_psprecision_and_psndcg_without_true_labels_are_nan():
    y, s = [[0, 0, 0]], [[0.3, 0.2, 0.1]]
    assert math.isnan(sm.psprecision_at_k(y, s, k=1, inv_propensity=[1, 2, 3]))
    assert math.isnan(sm.psndcg_at_k(y, s, k=1, inv_propensity=[1, 2, 3]))
    assert sm.recall_at_k(y, s, k=1) == 0.0 and sm.ndcg_at_k(y, s, k=1) == 0.0


def test_k_is_keyword_only_in_every_metric_function():
    with_k = [n for n in sm.__all__ if "k" in inspect.signature(getattr(sm, n)).parameters]
    assert sorted(with_k) == sorted(["ndcg_score", *(f"{name}_at_k" for name in AT_K)])
    for name in with_k:
        k = inspect.signature(getattr(sm, name)).parameters["k"]
        assert k.kind is inspect.Parameter.KEYWORD_ONLY, name
    for name in AT_K:
        kw = {"inv_propensity": [1.0, 2.0, 3.0]} if name.startswith("ps") else {}
        with pytest.raises(TypeError, match="positional"):
            getattr(sm, f"{name}_at_k")([[1, 0, 1]], [[0.9, 0.8, 0.1]], 1, **kw)


# inverse propensity ---------------------------------------------------------


def test_inverse_propensity_is_not_a_metric_function():
    assert labelwise.inverse_propensity is inverse_propensity
    assert "inverse_propensity" not in sm.__all__ and not hasattr(sm, "inverse_propensity")


def propensity_formula(y, A, B):
    N = y.shape[0]
    counts = np.asarray(y).sum(axis=0)
    C = (math.log(N) - 1) * (B + 1) ** A
    return 1 + C * (counts + B) ** -A


def test_inverse_propensity_worked_example():
    # N = 3 samples; label 0 in all 3, label 1 in 1. C = (ln 3 - 1) 2.5^0.55
    C = (math.log(3) - 1) * 2.5**0.55
    got = inverse_propensity([[1, 0], [1, 1], [1, 0]])
    assert_same(got, [1 + C * 4.5**-0.55, 1 + C * 2.5**-0.55])


@settings(max_examples=40, **SETTINGS)
@given(cases(weights=False), st.sampled_from([(0.55, 1.5), (0.6, 2.6), (0.5, 0.4)]))
def test_inverse_propensity_matches_formula(case, constants):
    y = case.y
    A, B = constants
    want = propensity_formula(y, A, B)
    assert_same(inverse_propensity(y, A, B), want, "dense")
    assert_same(inverse_propensity(y.tolist(), A=A, B=B), want, "nested list")
    assert_same(inverse_propensity(sp.csr_matrix(y), A, B), want, "sparse")
    names = [f"tag{j:02d}" for j in range(y.shape[1])]
    sets = [{names[j] for j in np.flatnonzero(row)} for row in y]
    assert_same(inverse_propensity(sets, A, B, labels=names), want, "label sets")
    # without labels=, the vocabulary is the sorted union of the labels seen
    seen = np.flatnonzero(y.sum(axis=0) > 0)
    if seen.size:
        assert_same(inverse_propensity(sets, A, B), want[seen], "label sets, seen only")
    # rarer labels get larger inverse propensities (when ln N > 1)
    if y.shape[0] >= 3:
        counts = y.sum(axis=0)
        order = np.argsort(counts, kind="stable")
        assert np.all(np.diff(want[order]) <= 1e-15)


# --------------------------------------------------------------------------
# 3. Errors
# --------------------------------------------------------------------------

Y4 = np.array([[1, 0, 1, 0], [0, 1, 0, 0]])
S4 = np.array([[0.9, 0.1, 0.8, 0.3], [0.2, 0.7, 0.4, 0.6]])
TOPK = (np.array([[0, 2], [1, 3]]), np.array([[0.9, 0.8], [0.7, 0.6]]))
AT_K_FNS = [sm.precision_at_k, sm.recall_at_k, sm.ndcg_at_k,
            lambda y, s, *, k=5: sm.psprecision_at_k(y, s, k=k, inv_propensity=[1, 2, 3, 4]),
            lambda y, s, *, k=5: sm.psndcg_at_k(y, s, k=k, inv_propensity=[1, 2, 3, 4])]


@pytest.mark.parametrize("fn", AT_K_FNS)
def test_k_larger_than_what_is_scored(fn):
    with pytest.raises(InputError, match=r"k=3 is larger than the 2 labels scored per row"):
        fn(Y4, TOPK, k=3)
    with pytest.raises(InputError, match=r"k=5 is larger than the 4 labels scored per row"):
        fn(Y4, S4, k=5)
    with pytest.raises(InputError, match=r"k=5 is larger than the 4 labels"):
        fn(Y4, sp.csr_matrix(S4), k=5)
    assert 0 <= fn(Y4, TOPK, k=2) <= 1


@pytest.mark.parametrize("fn", AT_K_FNS)
@pytest.mark.parametrize("k", [0, -1, 1.5, 2.0, True, "2", None])
def test_k_must_be_a_positive_integer(fn, k):
    with pytest.raises(InputError, match=r"k must be a positive integer, got"):
        fn(Y4, S4, k=k)


def test_ndcg_score_k_must_be_a_positive_integer():
    for k in (0, -2, 1.5):
        with pytest.raises(InputError, match=r"k must be a positive integer"):
            sm.ndcg_score(Y4, S4, k=k)
    assert sm.ndcg_score(Y4, S4, k=np.int64(2)) == sm.ndcg_score(Y4, S4, k=2)


@pytest.mark.parametrize("bad, where", [(-1, "-1 at row 1, position 0"),
                                         (4, "4 at row 1, position 0"),
                                         (99, "99 at row 1, position 0")])
def test_topk_index_out_of_range(bad, where):
    idx = np.array([[0, 2], [bad, 3]])
    with pytest.raises(InputError, match=rf"top-k index {where} is outside the 4 labels "
                                         r"\(valid: 0 to 3\)"):
        sm.precision_at_k(Y4, (idx, TOPK[1]), k=1)


def test_topk_duplicate_index():
    with pytest.raises(InputError, match=r"top-k row 1 lists label 3 more than once"):
        sm.precision_at_k(Y4, (np.array([[0, 2], [3, 3]]), TOPK[1]), k=1)


def test_topk_malformed():
    with pytest.raises(InputError, match=r"got indices \(2, 2\) and scores \(2, 3\)"):
        sm.precision_at_k(Y4, (TOPK[0], np.ones((2, 3))), k=1)
    with pytest.raises(InputError, match=r"got indices \(2,\) and scores \(2,\)"):
        sm.precision_at_k(Y4, ([0, 1], [0.5, 0.4]), k=1)
    with pytest.raises(InputError, match=r"top-k predictions have 3 rows but y_true has 2"):
        sm.precision_at_k(Y4, (np.zeros((3, 2), int), np.ones((3, 2))), k=1)
    with pytest.raises(InputError, match=r"top-k indices must be integer label indices"):
        sm.precision_at_k(Y4, (TOPK[0].astype(float), TOPK[1]), k=1)
    with pytest.raises(InputError, match=r"ragged rows"):
        sm.precision_at_k(Y4, ([[0, 1], [2]], [[0.9, 0.8], [0.7]]), k=1)
    with pytest.raises(InputError, match=r"top-k predictions have no columns"):
        sm.precision_at_k(Y4, (np.zeros((2, 0), int), np.zeros((2, 0))), k=1)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_scores_are_located(bad):
    s = S4.copy()
    s[1, 2] = bad
    text = {"nan": "nan", "inf": "inf", "-inf": "-inf"}[str(bad)]
    with pytest.raises(InputError, match=rf"y_score has {text} at row 1, column 2"):
        sm.precision_at_k(Y4, s, k=1)
    with pytest.raises(InputError, match=rf"y_score has {text} at row 1, column 2"):
        sm.roc_auc_score(Y4, s)
    with pytest.raises(InputError, match=rf"y_score has {text} at row 1, column 2"):
        sm.label_ranking_loss(Y4, s.tolist())
    # sparse: the position among the row's stored entries
    sparse = sp.csr_matrix(([0.5, 0.4, bad], [0, 1, 3], [0, 2, 3]), shape=(2, 4))
    with pytest.raises(InputError, match=rf"y_score has {text} in row 1 \(entry 0\)"):
        sm.ndcg_at_k(Y4, sparse, k=1)
    vals = TOPK[1].copy()
    vals[1, 1] = bad
    with pytest.raises(InputError, match=rf"top-k scores has {text} in row 1 \(entry 1\)"):
        sm.recall_at_k(Y4, (TOPK[0], vals), k=1)


def test_mismatched_shapes():
    for s in (S4[:, :3], S4[:1], np.vstack([S4, S4])):
        shape = rf"\({s.shape[0]}, {s.shape[1]}\)"
        with pytest.raises(InputError, match=rf"y_score has shape {shape} but y_true has "
                                             r"shape \(2, 4\)"):
            sm.precision_at_k(Y4, s, k=1)
        with pytest.raises(InputError, match=rf"y_score has shape {shape} but y_true"):
            sm.label_ranking_average_precision_score(Y4, s)
        with pytest.raises(InputError, match=rf"y_score has shape {shape} but y_true"):
            sm.ndcg_at_k(Y4, sp.csr_matrix(s), k=1)
    with pytest.raises(InputError, match=r"sample_weight has shape \(3,\) but there are 2"):
        sm.precision_at_k(Y4, S4, k=1, sample_weight=[1, 1, 1])
    with pytest.raises(InputError, match=r"sample_weight sums to 0"):
        sm.roc_auc_score(Y4, S4, sample_weight=[0, 0])


DENSE_ONLY = [
    sm.label_ranking_average_precision_score, sm.label_ranking_loss, sm.coverage_error,
    sm.one_error, sm.roc_auc_score, sm.average_precision_score, sm.ndcg_score,
    sm.roc_curves, sm.precision_recall_curves,
]


@pytest.mark.parametrize("fn", DENSE_ONLY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("form", ["sparse", "top-k"])
def test_metrics_ranking_every_label_need_dense_scores(fn, form):
    scores = sp.csr_matrix(S4) if form == "sparse" else TOPK
    with pytest.raises(InputError, match=r"needs a dense score matrix"):
        fn(Y4, scores)
    with pytest.raises(InputError, match=r"needs a dense score matrix"):
        fn(Y4, sp.csr_matrix(S4).tocoo() if form == "sparse" else tuple(map(list, TOPK)))
    # the dense scores themselves are fine (with both classes in every label)
    result = fn(np.array([[1, 0, 1, 0], [0, 1, 0, 1]]), S4)
    values = result.micro.y if isinstance(result, Curves) else result
    assert np.isfinite(values).all()


def test_inv_propensity_checks():
    for fn in (sm.psprecision_at_k, sm.psndcg_at_k):
        with pytest.raises(InputError, match=r"inv_propensity has shape \(3,\) but there "
                                             r"are 4 labels"):
            fn(Y4, S4, k=1, inv_propensity=[1, 2, 3])
        with pytest.raises(InputError, match=r"inv_propensity has shape \(1, 4\)"):
            fn(Y4, S4, k=1, inv_propensity=[[1, 2, 3, 4]])
        for bad, shown in ((0, "0.0"), (-2, "-2.0"), (np.nan, "nan"), (np.inf, "inf")):
            with pytest.raises(InputError, match=rf"inv_propensity\[2\] is {shown}; inverse "
                                                 "propensities must be finite and positive"):
                fn(Y4, TOPK, k=1, inv_propensity=[1, 2, bad, 4])
        with pytest.raises(TypeError):  # inv_propensity is required, by keyword
            fn(Y4, S4, k=1)


def test_average_precision_pos_label():
    with pytest.raises(InputError, match=r"pos_label is fixed to 1"):
        sm.average_precision_score(Y4, S4, pos_label=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)  # label 3 has no positive
        assert sm.average_precision_score(Y4, S4, pos_label=1) == sm.average_precision_score(
            Y4, S4)


@pytest.mark.parametrize("fn", [sm.roc_auc_score, sm.average_precision_score])
@pytest.mark.parametrize("average", ["binary", "Macro", "mean", ""])
def test_bad_average(fn, average):
    with pytest.raises(InputError, match=r"average must be one of \[None, 'micro', 'macro', "
                                         r"'weighted', 'samples'\]"):
        fn(Y4, S4, average=average)


@pytest.mark.parametrize("max_fpr", [0, -0.1, 1.5, "0.5", np.nan, False, np.True_, [0.5]],
                         ids=repr)
def test_max_fpr_out_of_range(max_fpr):
    with pytest.raises(ValueError, match="The 'max_fpr' parameter of roc_auc_score must be"):
        skm.roc_auc_score(Y4, S4, max_fpr=max_fpr)
    with pytest.raises(InputError, match=r"max_fpr must be a number in \(0, 1\] or None, got "
                                         rf"{re.escape(repr(max_fpr))}\. .*pass e\.g\. "
                                         r"max_fpr=0\.1, or None \(or 1\) for the whole area"):
        sm.roc_auc_score(Y4, S4, max_fpr=max_fpr)


def test_max_fpr_of_one_is_the_whole_area():
    y = np.array([[1, 0, 1, 0], [0, 1, 0, 1]])  # both classes in every label
    whole = sm.roc_auc_score(y, S4)
    for max_fpr in (None, 1, 1.0, True, np.float32(1)):  # True is 1 to scikit-learn too
        assert sm.roc_auc_score(y, S4, max_fpr=max_fpr) == whole
        assert skm.roc_auc_score(y, S4, max_fpr=max_fpr) == pytest.approx(whole, abs=ATOL)


def test_partial_roc_auc_worked_example():
    # one label: positives score 0.9, 0.5; negatives 0.7, 0.3, 0.1. The ROC curve runs
    # (0, 0), (0, 1/2), (1/3, 1/2), (1/3, 1), (1, 1). Up to fpr 1/2 its area is
    # 1/3 * 1/2 + 1/6 * 1 = 1/3; McClish: min 1/8 (chance), max 1/2 (perfect), so
    # 0.5 * (1 + (1/3 - 1/8) / (1/2 - 1/8)) = 0.5 * (1 + 5/9) = 7/9.
    y = np.array([[1, 0], [0, 1], [1, 0], [0, 1], [0, 0]])
    s = np.array([[0.9, 0.1], [0.7, 0.2], [0.5, 0.3], [0.3, 0.4], [0.1, 0.5]])
    got = sm.roc_auc_score(y, s, average=None, max_fpr=0.5)
    assert got[0] == pytest.approx(7 / 9, abs=ATOL)
    assert_same(got, skm.roc_auc_score(y, s, average=None, max_fpr=0.5))
    # a chance-level label (all scores tied: the diagonal) is 0.5 whatever max_fpr; the
    # reversed ranking has no area up to fpr 2/3: 0.5 * (1 - m^2/2 / (m - m^2/2))
    tied_and_reversed = np.column_stack([-s[:, 0], np.full(5, 0.5)])
    for m in (0.05, 0.3, 0.5):
        got = sm.roc_auc_score(y, tied_and_reversed, average=None, max_fpr=m)
        assert got[0] == pytest.approx((1 - m) / (2 - m), abs=ATOL)
        assert got[1] == pytest.approx(0.5, abs=ATOL)
        assert_same(got, skm.roc_auc_score(y, tied_and_reversed, average=None, max_fpr=m))
    # float32 max_fpr works in float32 arithmetic, as in scikit-learn
    assert_same(sm.roc_auc_score(y, s, max_fpr=np.float32(0.3)),
                skm.roc_auc_score(y, s, max_fpr=np.float32(0.3)))


def test_ndcg_ignore_ties_ranks_ties_in_argsort_order():
    # row 0 ties labels 0 and 1 at the top: averaged, the first rank holds half a true
    # label; in argsort order (reversed) label 1 comes first, a miss
    y, s = [[1, 0, 0], [0, 1, 0]], [[0.5, 0.5, 0.1], [0.2, 0.9, 0.1]]
    assert sm.ndcg_score(y, s, k=1) == pytest.approx((0.5 + 1) / 2, abs=ATOL)
    assert sm.ndcg_score(y, s, k=1, ignore_ties=True) == pytest.approx((0 + 1) / 2, abs=ATOL)
    for k in (None, 1, 2):
        for ignore_ties in (False, True, np.True_):
            assert_same(sm.ndcg_score(y, s, k=k, ignore_ties=ignore_ties),
                        skm.ndcg_score(y, s, k=k, ignore_ties=ignore_ties))
    # ties in long rows (another sorting path in numpy), float32 and float64 scores
    rng = np.random.default_rng(5)
    y = (rng.random((20, 200)) < 0.1).astype(int)
    for dtype in (np.float32, np.float64):
        s = rng.integers(0, 4, (20, 200)).astype(dtype)
        for k in (None, 5, 50):
            assert_same(sm.ndcg_score(y, s, k=k, ignore_ties=True),
                        skm.ndcg_score(y, s, k=k, ignore_ties=True), f"{dtype} k={k}")


@pytest.mark.parametrize("ignore_ties", [1, 0, "yes", None], ids=repr)
def test_ndcg_ignore_ties_must_be_a_bool(ignore_ties):
    with pytest.raises(ValueError, match="The 'ignore_ties' parameter of ndcg_score must be"):
        skm.ndcg_score(Y4, S4, ignore_ties=ignore_ties)
    with pytest.raises(InputError, match=rf"ignore_ties must be True or False, got "
                                         rf"{re.escape(repr(ignore_ties))}\."):
        sm.ndcg_score(Y4, S4, ignore_ties=ignore_ties)


def test_ndcg_score_single_label():
    with pytest.raises(InputError, match=r"ndcg_score needs more than one label to rank; "
                                         r"got 1"):
        sm.ndcg_score([[1], [0]], [[0.3], [0.2]])


def test_sparse_scores_with_duplicate_entries():
    # entry (0, 1) stored twice
    csr = sp.csr_matrix(([0.5, 0.4, 0.3], [1, 1, 2], [0, 2, 3]), shape=(2, 4))
    coo = sp.coo_matrix(([0.5, 0.4, 0.3], ([0, 0, 1], [1, 1, 2])), shape=(2, 4))
    for scores in (csr, coo, sp.coo_array(coo), csr.tocsc()):
        with pytest.raises(InputError, match=r"stores some \(row, label\) entry more than "
                                             r"once"):
            sm.precision_at_k(Y4, scores, k=1)
    # the same entries without the duplicate are fine, in any sparse format
    ok = sp.coo_matrix(([0.5, 0.3], ([0, 1], [1, 2])), shape=(2, 4))
    assert sm.precision_at_k(Y4, ok, k=1) == sm.precision_at_k(Y4, ok.tocsr(), k=1) == 0.0


def test_label_sets_need_labels_for_dense_scores():
    with pytest.raises(InputError, match=r"Pass labels=\[...\]"):
        sm.precision_at_k([{"a"}, {"b"}], [[0.9, 0.1], [0.2, 0.8]], k=1)
    got = sm.roc_curves([{"a"}, {"b"}], [[0.9, 0.1], [0.2, 0.8]], labels=["a", "b"])
    assert list(got.per_label) == ["a", "b"]
    assert got.per_label["a"].y.tolist() == [0.0, 1.0, 1.0]


def test_label_sets_with_partial_scores_need_labels():
    with pytest.raises(InputError, match=r"label sets in y_true need labels="):
        sm.precision_at_k([{"a", "b"}, {"c"}], ([[2, 0], [1, 0]], [[0.9, 0.1], [0.8, 0.2]]), k=1)
    # with the vocabulary named, index 2 is 'c' and the top label of row 0 is wrong
    from labelwise import evaluate

    report = evaluate([{"a", "b"}, {"c"}], y_score=([[2, 0], [2, 0]], [[0.9, 0.1], [0.8, 0.2]]),
                      labels=["a", "b", "c"])
    assert report["precision_at_1"] == pytest.approx(0.5)


def test_half_precision_scores_are_widened_in_evaluate():
    from labelwise import evaluate

    scores = np.array([[0.9, 0.1], [0.2, 0.7]], dtype=np.float16)
    report = evaluate([[1, 0], [0, 1]], y_score=scores)
    assert report["roc_auc_macro"] == 1.0 and report["f1_micro"] == 1.0


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 30), st.booleans(), st.booleans(), st.booleans(), st.integers(0, 2**31 - 1))
def test_binary_curve_twins_equal_sklearn(n, tied, weighted, drop, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = rng.integers(0, 5, n) / 4 if tied else rng.random(n)
    w = rng.random(n) + 0.01 if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = [
            (skm.roc_curve(y, s, sample_weight=w, drop_intermediate=drop),
             sm.roc_curve(y, s, sample_weight=w, drop_intermediate=drop)),
            (skm.precision_recall_curve(y, s, sample_weight=w, drop_intermediate=drop),
             sm.precision_recall_curve(y, s, sample_weight=w, drop_intermediate=drop)),
        ]
    for ours_theirs in pairs:
        for theirs, ours in zip(*ours_theirs):
            assert ours.shape == theirs.shape
            np.testing.assert_allclose(ours, theirs, atol=1e-12, equal_nan=True)


def test_binary_curve_pos_label_and_multilabel_dispatch():
    fpr, tpr, _ = sm.roc_curve(np.array([-1, 1, 1, -1]), [0.1, 0.9, 0.8, 0.3])
    assert tpr.tolist() == [0.0, 0.5, 1.0, 1.0]
    _, tpr2, _ = sm.roc_curve(["b", "a", "a", "b"], [0.1, 0.9, 0.8, 0.3], pos_label="a")
    assert tpr2.tolist() == tpr.tolist()
    with pytest.raises(InputError, match="pass pos_label="):
        sm.roc_curve(["b", "a"], [0.1, 0.9])
    curves = sm.roc_curve([[1, 0], [0, 1], [1, 1]], [[0.9, 0.5], [0.7, 0.8], [0.6, 0.4]])
    assert set(curves.per_label) == {0, 1} and curves.micro.x[0] == 0.0


# --------------------------------------------------------------------------
# 4. Several cutoffs in one pass
# --------------------------------------------------------------------------

AT_K_CALLS = {
    "precision": lambda y, s, k, p, w: sm.precision_at_k(y, s, k=k, sample_weight=w),
    "recall": lambda y, s, k, p, w: sm.recall_at_k(y, s, k=k, sample_weight=w),
    "ndcg": lambda y, s, k, p, w: sm.ndcg_at_k(y, s, k=k, sample_weight=w),
    "psprecision": lambda y, s, k, p, w: sm.psprecision_at_k(y, s, k=k, inv_propensity=p,
                                                             sample_weight=w),
    "psndcg": lambda y, s, k, p, w: sm.psndcg_at_k(y, s, k=k, inv_propensity=p,
                                                   sample_weight=w),
}


@st.composite
def cutoff_cases(draw):
    """Random cases (ties or not, weights or not) in every score form, with a
    sequence of cutoffs (any order, repeats allowed) within the top-k width."""
    case = draw(cases())
    y, s, w, rng = case
    n, L = y.shape
    width = draw(st.integers(1, L))
    ks = draw(st.lists(st.integers(1, width), min_size=1, max_size=5))
    p = rng.choice([1.0, 1.5, 2.0, 4.0], L)
    stored = rng.random((n, L)) < draw(st.sampled_from([0.3, 0.6, 1.0]))
    rows, cols = np.nonzero(stored)
    chosen = np.argsort(rng.random((n, L)), axis=1)[:, :width]
    forms = {
        "dense": s,
        "sparse": sp.csr_matrix((s[rows, cols], (rows, cols)), shape=(n, L)),
        "top-k": (chosen, np.take_along_axis(s, chosen, axis=1)),
    }
    return case, ks, p, forms


@settings(max_examples=80, **SETTINGS)
@given(cutoff_cases())
def test_several_cutoffs_equal_one_call_per_cutoff(data):
    (y, s, w, _), ks, p, forms = data
    for form, scores in forms.items():
        for name, call in AT_K_CALLS.items():
            got = call(y, scores, ks, p, w)
            assert isinstance(got, np.ndarray) and got.dtype == np.float64, (form, name)
            assert got.shape == (len(ks),)
            want = [call(y, scores, k, p, w) for k in ks]
            assert all(isinstance(v, float) for v in want)
            assert_same(got, want, f"{name} {form} k={ks}")
            # a tuple, a list, a range-like array: the same values
            assert_same(call(y, scores, tuple(ks), p, w), want, f"{name} {form} tuple")
            assert_same(call(y, scores, np.asarray(ks), p, w), want, f"{name} {form} array")


def test_several_cutoffs_worked_example():
    # the three-sample example of section 2: each value at k = 1, 3 and 2
    for form, scores in worked_example_forms().items():
        got = sm.precision_at_k(Y, scores, k=(1, 3, 2))
        # hits at 2: sample 0 label 0 (of 0, 1); sample 2 label 2 (of 2, 4)
        assert_same(got, [2 / 3, (1 / 3 + 0 + 2 / 3) / 3, (1 / 2 + 0 + 1 / 2) / 3], form)
        assert_same(sm.recall_at_k(Y, scores, k=[3, 1]), [7 / 18, (1 / 2 + 0 + 1 / 3) / 3],
                    form)
        ndcg3 = (1 / (1 + D2) + (1 + D3) / (1 + D2 + D3)) / 3
        assert_same(sm.ndcg_at_k(Y, scores, k=range(1, 4, 2)), [2 / 3, ndcg3], form)
        assert_same(sm.psprecision_at_k(Y, scores, k=(3, 1), inv_propensity=PROP),
                    [1 / 2, 5 / 8], form)
        # weights 1, 3, 2, and a cutoff given twice
        assert_same(sm.recall_at_k(Y, scores, k=(3, 3), sample_weight=[1, 3, 2]),
                    [11 / 36, 11 / 36], form)


def test_several_cutoffs_with_ties_and_rows_without_labels():
    # label 0 (the only true one) ties with labels 1 and 2 for the top; the second
    # sample has no true label: it counts 0 in P, R and nDCG, and nothing in PS*
    y = [[1, 0, 0, 0], [0, 0, 0, 0]]
    s = [[0.5, 0.5, 0.5, 0.1], [0.9, 0.8, 0.7, 0.6]]
    top3 = ([[2, 0, 1], [0, 1, 2]], [[0.5, 0.5, 0.5], [0.9, 0.8, 0.7]])
    for scores in (s, top3, sp.csr_matrix(s)):
        assert_same(sm.precision_at_k(y, scores, k=(1, 2, 3)),
                    [(1 / 3) / 2, (2 / 3) / 2 / 2, (3 / 3) / 3 / 2])
        assert_same(sm.recall_at_k(y, scores, k=(1, 3)), [1 / 3 / 2, 1 / 2])
        assert_same(sm.ndcg_at_k(y, scores, k=(2, 3)), [(1 + D2) / 3 / 2,
                                                        (1 + D2 + D3) / 3 / 2])
        # PS*: only the first sample counts; with propensity 2 on label 0 the ratio is
        # the plain tie share
        p = [2.0, 1.0, 1.0, 1.0]
        assert_same(sm.psprecision_at_k(y, scores, k=(1, 2), inv_propensity=p),
                    [1 / 3, 2 / 3])
        assert_same(sm.psndcg_at_k(y, scores, k=(1, 2), inv_propensity=p),
                    [1 / 3, (1 + D2) / 3])
    # no sample with a true label: NaN for every cutoff of the PS* metrics
    got = sm.psndcg_at_k([[0, 0, 0]], [[0.3, 0.2, 0.1]], k=(1, 2), inv_propensity=[1, 2, 3])
    assert np.isnan(got).all() and got.shape == (2,)
    assert_same(sm.recall_at_k([[0, 0, 0]], [[0.3, 0.2, 0.1]], k=[1, 2]), [0.0, 0.0])


@pytest.mark.parametrize("fn", AT_K_FNS)
def test_several_cutoffs_errors(fn):
    with pytest.raises(InputError, match=r"^k is an empty sequence: give at least one "
                                         r"cutoff, e\.g\. k=\(1, 3, 5\)\.$"):
        fn(Y4, S4, k=())
    with pytest.raises(InputError, match=r"k is an empty sequence"):
        fn(Y4, TOPK, k=np.array([], dtype=int))
    with pytest.raises(InputError, match=r"^k\[1\] must be a positive integer, got 0\.$"):
        fn(Y4, S4, k=[1, 0])
    with pytest.raises(InputError, match=r"^k\[0\] must be a positive integer, got 1\.5\.$"):
        fn(Y4, S4, k=(1.5, 2))
    with pytest.raises(InputError, match=r"^k\[2\] must be a positive integer, got True\.$"):
        fn(Y4, S4, k=(1, 2, True))
    with pytest.raises(InputError, match=r"^k\[1\]=3 is larger than the 2 labels scored per "
                                         r"row; the metric needs at least 3 ranked labels\."):
        fn(Y4, TOPK, k=(2, 3))
    with pytest.raises(InputError, match=r"^k must be one cutoff or a 1-d sequence of cutoffs, "
                                         r"got an array of shape \(1, 2\)\.$"):
        fn(Y4, S4, k=np.array([[1, 2]]))
    with pytest.raises(InputError, match=r"^k must be a positive integer, got \{1, 2\}\.$"):
        fn(Y4, S4, k={1, 2})  # a set has no order to give the values in
    # a numpy integer, or a 0-d array, is one cutoff, as an integer is
    assert fn(Y4, S4, k=np.int64(2)) == fn(Y4, S4, k=2)
    assert fn(Y4, S4, k=np.array(2)) == fn(Y4, S4, k=2)
    with pytest.raises(InputError, match=r"^k must be a positive integer, got 0\.$"):
        fn(Y4, S4, k=np.array(0))


def test_evaluate_at_k_equals_the_functions_with_top_k_input():
    rng = np.random.default_rng(7)
    n, L, width = 40, 30, 6
    y = rng.random((n, L)) < 0.15
    y[:3] = False  # rows without true labels
    s = np.round(rng.random((n, L)), 1)  # ties
    idx = np.argsort(-s, axis=1, kind="stable")[:, :width]
    top = (idx, np.take_along_axis(s, idx, axis=1))
    w = rng.choice([0.5, 1.0, 2.0], n)
    p = rng.uniform(1, 4, L)
    report = labelwise.evaluate(y, y_score=top, k=[1, 3, 5], inv_propensity=p, sample_weight=w)
    for name, call in AT_K_CALLS.items():
        got = call(y, top, [1, 3, 5], p, w)
        for q, k in enumerate((1, 3, 5)):
            assert report[f"{name}_at_{k}"] == got[q], (name, k)
