"""labelwise.metrics against scikit-learn: same numbers (to 1e-12), same warnings.

scikit-learn is the oracle: it always gets dense int arrays, while labelwise gets
the same data as dense int or bool arrays, sparse CSR/CSC/COO matrices or
nested lists (drawn independently for truth and predictions).

A single-column indicator matrix is *binary* to scikit-learn, not multi-label:
its ``average=None``/``"micro"``/``"macro"``/``"weighted"`` range over the
classes 0 and 1, and ``average="samples"`` is refused. The twins read it the
same way, so single-column cases are compared like the others (with their own
``labels``, the classes, and ``pos_label``), while ``evaluate()`` keeps the
one-label reading.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import UndefinedMetricWarning as SkUndefinedMetricWarning

import labelwise
import labelwise.metrics as lm
from strategies import MATRIX_FORMATS, Case, cases, column_subsets

AVERAGES = (None, "micro", "macro", "weighted", "samples")
ZERO_DIVISIONS = ("warn", 0, 1, np.nan)
SET_WISE = ("precision_score", "recall_score", "f1_score", "jaccard_score")
BETAS = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0, math.inf]), st.floats(0.05, 20.0))
WARN_FOR = st.sets(st.sampled_from(("precision", "recall", "f-score"))).map(tuple)
ATOL = 1e-12


def _is_nan(x) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _zd_id(zd) -> str:
    return "nan" if _is_nan(zd) else str(zd)


def _comparable(name: str, zd) -> bool:
    # scikit-learn's jaccard_score rejects zero_division=nan (labelwise accepts it), so
    # that combination has no reference to compare against.
    return not (name == "jaccard_score" and _is_nan(zd))


# --------------------------------------------------------------------------
# Comparison helpers
# --------------------------------------------------------------------------


def record(fn, *args, **kwargs):
    """Call ``fn`` and return its result with every warning it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    return result, caught


def assert_same_values(got, expected, what=""):
    """Equal to ATOL, NaN equal to NaN, with the same shape and kind of result."""
    if expected is None:
        assert got is None, what
        return
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), what
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same_values(g, e, f"{what}[{i}]")
        return
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), what
        assert got.shape == expected.shape, what
    else:
        assert isinstance(got, float), (what, type(got))
    np.testing.assert_allclose(
        np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64),
        rtol=0, atol=ATOL, equal_nan=True, err_msg=what,
    )


def assert_same_warnings(lw_caught, sk_caught, zero_division, what=""):
    """labelwise warns exactly as scikit-learn: same UndefinedMetricWarnings, in order.

    labelwise raises nothing else at all, and nothing whatsoever unless
    ``zero_division="warn"``.
    """
    lw = [str(w.message) for w in lw_caught]
    assert all(w.category is labelwise.UndefinedMetricWarning for w in lw_caught), (what, lw)
    sk = [str(w.message) for w in sk_caught if issubclass(w.category, SkUndefinedMetricWarning)]
    if isinstance(zero_division, str):
        assert lw == sk, what
    else:
        assert lw == [], what
        assert sk == [], what


def compare(name, case, *, labelwise_kwargs=None, sklearn_kwargs=None, **kwargs):
    """Run ``name`` from both libraries on ``case``; compare values and warnings."""
    y_true, y_pred = case.inputs()
    lw_result, lw_caught = record(getattr(lm, name), y_true, y_pred,
                                  **{**kwargs, **(labelwise_kwargs or {})})
    sk_result, sk_caught = record(getattr(skm, name), case.y_true, case.y_pred,
                                  **{**kwargs, **(sklearn_kwargs or {})})
    what = f"{name}({kwargs}) on {case!r}"
    assert_same_values(lw_result, sk_result, what)
    assert_same_warnings(lw_caught, sk_caught, kwargs.get("zero_division", 0), what)
    return lw_result, sk_result


EXPLICIT_BETAS = (0.0, 0.5, 2.0, math.inf)


def compare_everything(case, labels=None):
    """Every drop-in function, average and zero_division, and the betas 0, 0.5, 2, inf."""
    w = case.sample_weight
    compare("accuracy_score", case, sample_weight=w)
    compare("accuracy_score", case, sample_weight=w, normalize=False)
    compare("hamming_loss", case, sample_weight=w)
    for samplewise in (False, True):
        compare("multilabel_confusion_matrix", case, sample_weight=w, labels=labels,
                samplewise=samplewise)
    for i, zd in enumerate(ZERO_DIVISIONS):
        for j, average in enumerate(AVERAGES):
            kw = dict(average=average, zero_division=zd, sample_weight=w, labels=labels)
            for name in SET_WISE:
                if _comparable(name, zd):
                    compare(name, case, **kw)
            # each beta meets every zero_division, and every average, once or more
            beta = EXPLICIT_BETAS[(i + j) % len(EXPLICIT_BETAS)]
            compare("fbeta_score", case, beta=beta, **kw)
            beta = EXPLICIT_BETAS[(i + j + 1) % len(EXPLICIT_BETAS)]
            compare("precision_recall_fscore_support", case, beta=beta, **kw)
        compare_reports(case, zero_division=zd, labels=labels)


# --------------------------------------------------------------------------
# The classification report
# --------------------------------------------------------------------------


def compare_reports(case, *, zero_division, labels=None, target_names=None, digits=2):
    """Both renderings of the report: the dict to ATOL, the text to its rounding."""
    kw = dict(sample_weight=case.sample_weight, labels=labels, target_names=target_names,
              zero_division=zero_division)
    lw_dict, sk_dict = compare_report_dicts(case, **kw)
    y_true, y_pred = case.inputs()
    lw_text, lw_caught = record(lm.classification_report, y_true, y_pred, digits=digits, **kw)
    sk_text, sk_caught = record(skm.classification_report, case.y_true, case.y_pred,
                                digits=digits, **kw)
    assert_same_warnings(lw_caught, sk_caught, zero_division)
    assert_same_report_text(lw_text, sk_text, sk_dict, digits)


def compare_report_dicts(case, **kw):
    y_true, y_pred = case.inputs()
    lw, lw_caught = record(lm.classification_report, y_true, y_pred, output_dict=True, **kw)
    sk, sk_caught = record(skm.classification_report, case.y_true, case.y_pred,
                           output_dict=True, **kw)
    assert list(lw) == list(sk)
    for key, row in sk.items():
        if key == "accuracy":  # a binary target's accuracy is one number
            assert_same_values(lw[key], row, key)
            continue
        assert list(lw[key]) == list(row), key
        for column, value in row.items():
            assert isinstance(lw[key][column], float), (key, column)
            assert_same_values(lw[key][column], value, f"{key} {column}")
    assert_same_warnings(lw_caught, sk_caught, kw["zero_division"])
    return lw, sk


_COLUMNS = ("precision", "recall", "f1-score")


def _on_rounding_boundary(value: float, digits: int) -> bool:
    scaled = value * 10**digits
    return abs(scaled - math.floor(scaled) - 0.5) < 1e-6


def assert_same_report_text(lw_text: str, sk_text: str, sk_dict: dict, digits: int):
    """Same layout and row names; numbers equal once rendered, except at a rounding tie.

    A score exactly halfway between two renderings may come out on either side
    of it from the last bit of floating-point error; that is the only difference
    allowed, and only by one unit of the last digit.
    """
    lw_lines, sk_lines = lw_text.split("\n"), sk_text.split("\n")
    assert len(lw_lines) == len(sk_lines)
    assert lw_lines[0] == sk_lines[0]  # header, whose padding fixes the name width
    width = len(sk_lines[0]) - len(" " + " {:>9}".format("") * 4)
    for lw_line, sk_line in zip(lw_lines[1:], sk_lines[1:]):
        if not sk_line.strip():
            assert lw_line == sk_line
            continue
        name = sk_line[:width]
        assert lw_line[:width] == name
        lw_cells, sk_cells = lw_line[width:].split(), sk_line[width:].split()
        if name.strip() == "accuracy":  # a binary target's one number, under f1-score
            assert len(lw_cells) == len(sk_cells) == 2
            assert lw_line == name + " " + " " * 20 + "".join(f" {c:>9}" for c in lw_cells)
            columns, exact_values = ("f1-score",), {"f1-score": sk_dict["accuracy"]}
        else:
            assert len(lw_cells) == len(sk_cells) == 4
            # every cell right-aligned in a field of 9, as scikit-learn lays them out
            assert lw_line == name + " " + "".join(f" {c:>9}" for c in lw_cells)
            columns, exact_values = _COLUMNS, sk_dict[name.strip()]
        for column, lw_cell, sk_cell in zip(columns, lw_cells, sk_cells):
            if lw_cell == sk_cell:
                continue
            exact = exact_values[column]
            assert _on_rounding_boundary(exact, digits), (name, column, lw_cell, sk_cell)
            assert abs(float(lw_cell) - float(sk_cell)) == pytest.approx(10.0**-digits)
        lw_support, sk_support = lw_cells[-1], sk_cells[-1]
        assert ("." in lw_support) == ("." in sk_support), (lw_support, sk_support)
        assert math.isclose(float(lw_support), float(sk_support), rel_tol=1e-12, abs_tol=1e-12)


# --------------------------------------------------------------------------
# Property-based comparisons
# --------------------------------------------------------------------------

SET_WISE_PARAMS = [
    pytest.param(name, average, zd, id=f"{name}-{average}-{_zd_id(zd)}")
    for name in SET_WISE
    for average in AVERAGES
    for zd in ZERO_DIVISIONS
    if _comparable(name, zd)
]
AVERAGE_ZD_PARAMS = [
    pytest.param(average, zd, id=f"{average}-{_zd_id(zd)}")
    for average in AVERAGES
    for zd in ZERO_DIVISIONS
]


def maybe_labels(data, case):
    """``labels=None`` or a column subset of ``case``, possibly reordered."""
    return data.draw(st.one_of(st.none(), column_subsets(case.n_labels)), label="labels")


@pytest.mark.parametrize("name, average, zero_division", SET_WISE_PARAMS)
@settings(max_examples=10, deadline=None)
@given(case=cases(min_labels=2), data=st.data())
def test_set_wise_score_matches_sklearn(name, average, zero_division, case, data):
    compare(name, case, average=average, zero_division=zero_division,
            sample_weight=case.sample_weight, labels=maybe_labels(data, case))


@pytest.mark.parametrize("average, zero_division", AVERAGE_ZD_PARAMS)
@settings(max_examples=10, deadline=None)
@given(case=cases(min_labels=2), beta=BETAS, data=st.data())
def test_fbeta_score_matches_sklearn(average, zero_division, case, beta, data):
    compare("fbeta_score", case, beta=beta, average=average, zero_division=zero_division,
            sample_weight=case.sample_weight, labels=maybe_labels(data, case))


@pytest.mark.parametrize("average, zero_division", AVERAGE_ZD_PARAMS)
@settings(max_examples=10, deadline=None)
@given(case=cases(min_labels=2), beta=BETAS, warn_for=WARN_FOR, data=st.data())
def test_precision_recall_fscore_support_matches_sklearn(average, zero_division, case, beta,
                                                         warn_for, data):
    got, _ = compare(
        "precision_recall_fscore_support", case, beta=beta, average=average,
        zero_division=zero_division, sample_weight=case.sample_weight, warn_for=warn_for,
        labels=maybe_labels(data, case),
    )
    assert (got[3] is None) == (average is not None)  # support only per label


@settings(max_examples=60, deadline=None)
@given(case=cases(min_labels=1), normalize=st.booleans())
def test_accuracy_and_hamming_loss_match_sklearn(case, normalize):
    compare("accuracy_score", case, normalize=normalize, sample_weight=case.sample_weight)
    compare("hamming_loss", case, sample_weight=case.sample_weight)


@settings(max_examples=60, deadline=None)
@given(case=cases(min_labels=2), samplewise=st.booleans(), data=st.data())
def test_multilabel_confusion_matrix_matches_sklearn(case, samplewise, data):
    labels = maybe_labels(data, case)
    got, expected = compare("multilabel_confusion_matrix", case, sample_weight=case.sample_weight,
                            labels=labels, samplewise=samplewise)
    n_units = case.n_samples if samplewise else len(labels or range(case.n_labels))
    assert got.shape == (n_units, 2, 2)
    if case.sample_weight is None:
        assert got.dtype.kind == expected.dtype.kind == "i"
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("zero_division", ZERO_DIVISIONS, ids=_zd_id)
@settings(max_examples=15, deadline=None)
@given(case=cases(min_labels=1, max_labels=1), beta=BETAS, data=st.data())
def test_single_column_matches_sklearn_binary(zero_division, case, beta, data):
    # One column is a binary target to scikit-learn and to the twins: every average
    # but "samples" ranges over the classes 0 and 1, and labels= names classes.
    classes = data.draw(st.one_of(st.none(), st.lists(st.sampled_from([0, 1, 2]), min_size=1,
                                                      max_size=3, unique=True)),
                        label="labels")
    w = case.sample_weight
    for average in (None, "micro", "macro", "weighted", "binary"):
        kw = dict(average=average, zero_division=zero_division, sample_weight=w,
                  labels=classes)
        for name in SET_WISE:
            if _comparable(name, zero_division):
                compare(name, case, **kw)
        compare("fbeta_score", case, beta=beta, **kw)
        compare("precision_recall_fscore_support", case, beta=beta, **kw)
    for pos_label in (0, 1):
        compare_or_raise("f1_score", case, average="binary", pos_label=pos_label,
                         zero_division=zero_division, sample_weight=w)
    compare("accuracy_score", case, sample_weight=w)
    compare("hamming_loss", case, sample_weight=w)
    got, expected = compare("multilabel_confusion_matrix", case, sample_weight=w,
                            labels=classes)
    assert got.dtype.kind == expected.dtype.kind
    compare_reports(case, zero_division=zero_division, labels=classes,
                    digits=data.draw(st.integers(0, 4), label="digits"))


def compare_or_raise(name, case, **kwargs):
    """As :func:`compare`, or, where scikit-learn raises ValueError, labelwise raises
    InputError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(skm, name)(case.y_true, case.y_pred, **kwargs)
    except ValueError:
        with pytest.raises(labelwise.InputError):
            getattr(lm, name)(*case.inputs(), **kwargs)
        return None
    return compare(name, case, **kwargs)


@settings(max_examples=40, deadline=None)
@given(case=cases(min_labels=1, max_labels=1), zero_division=st.sampled_from(ZERO_DIVISIONS))
def test_single_column_refuses_samples_like_sklearn(case, zero_division):
    for name in SET_WISE:
        if _comparable(name, zero_division):
            with pytest.raises(ValueError, match="Samplewise metrics"):
                getattr(skm, name)(case.y_true, case.y_pred, average="samples",
                                   zero_division=zero_division)
            with pytest.raises(labelwise.InputError, match=r"average='samples' needs "
                                                           r"multi-label input"):
                getattr(lm, name)(*case.inputs(), average="samples",
                                  zero_division=zero_division)
    with pytest.raises(labelwise.InputError, match=r"samplewise=True needs multi-label"):
        lm.multilabel_confusion_matrix(*case.inputs(), samplewise=True)


@settings(max_examples=40, deadline=None)
@given(case=cases(min_labels=2), data=st.data())
def test_average_binary_on_several_columns_raises_like_sklearn(case, data):
    labels = data.draw(st.one_of(st.none(), column_subsets(case.n_labels)), label="labels")
    for name in SET_WISE:
        with pytest.raises(ValueError, match="average='binary'"):
            getattr(skm, name)(case.y_true, case.y_pred, average="binary", labels=labels)
        with pytest.raises(labelwise.InputError, match=r"pass labels=\[j\] with "
                                                       r"average='macro'"):
            getattr(lm, name)(*case.inputs(), average="binary", labels=labels)


@pytest.mark.parametrize("zero_division", ZERO_DIVISIONS, ids=_zd_id)
@settings(max_examples=20, deadline=None)
@given(case=cases(min_labels=2), digits=st.integers(0, 6), named=st.booleans(), data=st.data())
def test_classification_report_matches_sklearn(zero_division, case, digits, named, data):
    labels = maybe_labels(data, case)
    n = len(labels) if labels is not None else case.n_labels
    target_names = None
    if named:
        lengths = data.draw(st.lists(st.integers(1, 16), min_size=n, max_size=n), label="lengths")
        target_names = [f"{'n' * k}{j}" for j, k in enumerate(lengths)]
    compare_reports(case, zero_division=zero_division, labels=labels,
                    target_names=target_names, digits=digits)


# --------------------------------------------------------------------------
# Explicit edge cases
# --------------------------------------------------------------------------

Y = np.array([[1, 0, 1, 0], [0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0]])
P = np.array([[1, 0, 0, 0], [0, 1, 1, 0], [1, 0, 0, 1], [0, 0, 1, 0], [0, 0, 0, 0]])

EDGE_CASES = {
    # rows 1 and 3 have no true label
    "empty true rows": (np.array([[1, 0, 1], [0, 0, 0], [1, 1, 0], [0, 0, 0]]),
                        np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 0]])),
    "empty predicted rows": (Y, P),
    "labels without support": (np.array([[1, 0, 0], [1, 0, 0], [0, 0, 0]]),
                               np.array([[1, 1, 0], [0, 0, 1], [0, 0, 0]])),
    "all-zero predictions": (Y, np.zeros_like(Y)),
    "all-zero truth": (np.zeros_like(P), P),
    "all zero": (np.zeros((3, 2), int), np.zeros((3, 2), int)),
    "all one": (np.ones((3, 2), int), np.ones((3, 2), int)),
    "perfect": (Y, Y),
    "complement": (Y, 1 - Y),
    "single sample": (np.array([[1, 0, 1]]), np.array([[1, 1, 0]])),
    "single empty sample": (np.array([[0, 0]]), np.array([[0, 0]])),
}


def _edge_case(name, weights, fmt):
    """One of EDGE_CASES, unweighted or with weights that include a zero."""
    y_true, y_pred = EDGE_CASES[name]
    n = y_true.shape[0]
    w = None
    if weights == "weighted":
        w = np.linspace(0.5, 2.0, n)
        if n > 1:
            w[-1] = 0.0  # a zero weight, never all of them
    return Case(np.asarray(y_true), np.asarray(y_pred), w, fmt, fmt)


@pytest.mark.parametrize("weights", ["unweighted", "weighted"])
@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_case_matches_sklearn_everywhere(name, weights):
    fmt = MATRIX_FORMATS[list(EDGE_CASES).index(name) % len(MATRIX_FORMATS)]
    compare_everything(_edge_case(name, weights, fmt))


def test_edge_cases_take_their_defining_values():
    """The edge cases are what they claim to be, so the comparisons above cover them."""
    y, p = EDGE_CASES["empty true rows"]
    assert (y.sum(axis=1) == 0).sum() == 2
    assert lm.recall_score(y, p, average="samples", zero_division=1) == pytest.approx(
        (1 / 2 + 1 + 1 / 2 + 1) / 4)
    y, p = EDGE_CASES["empty predicted rows"]
    assert lm.precision_score(y, p, average="samples", zero_division=0) == pytest.approx(
        (1 + 1 / 2 + 1 / 2 + 1 + 0) / 5)
    y, p = EDGE_CASES["labels without support"]
    np.testing.assert_array_equal(
        lm.recall_score(y, p, average=None, zero_division=np.nan), [0.5, np.nan, np.nan])
    assert lm.f1_score(*EDGE_CASES["all-zero predictions"], average="micro",
                       zero_division=1) == 0.0
    assert lm.f1_score(*EDGE_CASES["all zero"], average="micro", zero_division=1) == 1.0
    assert lm.jaccard_score(*EDGE_CASES["complement"], average="macro", zero_division=0) == 0.0
    assert lm.accuracy_score(*EDGE_CASES["perfect"]) == 1.0


def test_single_label_explicit():
    y_true = np.array([[1], [0], [1], [1], [0]])
    y_pred = np.array([[1], [1], [0], [1], [0]])
    for fmt in MATRIX_FORMATS:
        case = Case(y_true, y_pred, None, fmt, fmt)
        for zd in ZERO_DIVISIONS:
            for name in SET_WISE:
                if _comparable(name, zd):
                    compare(name, case, average="binary", zero_division=zd)
    assert lm.precision_score(y_true, y_pred, average="binary") == pytest.approx(2 / 3)
    assert lm.recall_score(y_true, y_pred, average="binary") == pytest.approx(2 / 3)
    assert lm.jaccard_score(y_true, y_pred, average="binary") == pytest.approx(1 / 2)
    # No positives at all: ill-defined everywhere, and warned about like scikit-learn.
    none = Case(np.zeros((3, 1), int), np.zeros((3, 1), int), None, "csr", "list")
    for name in SET_WISE:
        got, _ = compare(name, none, average="binary", zero_division="warn")
        assert got == 0.0


def test_single_column_is_a_binary_target_in_the_twins_and_one_label_in_evaluate():
    y_true, y_pred = [[0], [1]], [[1], [1]]
    # classes 0 (F1 0: never predicted right) and 1 (F1 2/3), as in scikit-learn
    for average, expected in ((None, [0.0, 2 / 3]), ("macro", 1 / 3), ("micro", 1 / 2),
                              ("weighted", 1 / 3), ("binary", 2 / 3)):
        got = lm.f1_score(y_true, y_pred, average=average, zero_division=0)
        assert_same_values(got, skm.f1_score(y_true, y_pred, average=average,
                                             zero_division=0), average)
        np.testing.assert_allclose(got, expected, rtol=0, atol=ATOL)
    # evaluate() reads the same column as one label: its macro F1 is that label's
    report = labelwise.evaluate(y_true, y_pred)
    assert report["f1_macro"] == pytest.approx(2 / 3, abs=ATOL)
    # label sets name one label, never a binary target
    assert lm.f1_score([[], ["a"]], [["a"], ["a"]], average="macro") == pytest.approx(2 / 3)
    # labels= chooses classes; pos_label=0 scores class 0
    case = Case(np.array([[1], [0], [1], [1], [0]]), np.array([[1], [1], [0], [1], [0]]),
                None, "csr", "list")
    got, _ = compare("precision_score", case, average=None, labels=[1, 0], zero_division=0)
    np.testing.assert_allclose(got, [2 / 3, 1 / 2], rtol=0, atol=ATOL)
    got, _ = compare("recall_score", case, average="binary", pos_label=0, zero_division=0)
    assert got == pytest.approx(1 / 2, abs=ATOL)
    got, _ = compare("multilabel_confusion_matrix", case, labels=[0, 2])
    np.testing.assert_array_equal(got, [[[2, 1], [1, 1]], [[5, 0], [0, 0]]])
    compare_reports(case, zero_division="warn")
    compare_reports(case, zero_division=0, labels=[1])  # leaves out class 0: "micro avg"
    # a one-column DataFrame too, as scikit-learn reads it
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"spam": [1, 0, 1, 1, 0]})
    assert lm.f1_score(frame, case.y_pred, average="macro") == pytest.approx(
        skm.f1_score(frame, case.y_pred, average="macro"), abs=ATOL)


def test_single_column_warnings_match_sklearn():
    # nothing true and nothing predicted: only class 0 occurs, so class 1 is ill-defined
    case = Case(np.zeros((3, 1), int), np.zeros((3, 1), int), None, "int64", "csr")
    for average in (None, "macro", "binary"):
        got, _ = compare("f1_score", case, average=average, zero_division="warn",
                         labels=None if average == "binary" else [0, 1])
    with pytest.warns(labelwise.UndefinedMetricWarning, match=r"F-score is ill-defined and "
                                                             r"being set to 0.0 in labels"):
        lm.f1_score(case.y_true, case.y_pred, average=None, labels=[0, 1])
    # every sample wrong: scikit-learn's counts come out as floats, and so do ours
    case = Case(np.array([[1], [0], [0]]), np.array([[0], [1], [1]]), None, "list", "int8")
    got, expected = compare("multilabel_confusion_matrix", case)
    assert got.dtype.kind == expected.dtype.kind == "f"
    compare_reports(case, zero_division=0)


def test_single_column_errors():
    t, p = [[1], [0], [1]], [[1], [1], [0]]
    with pytest.raises(labelwise.InputError, match=r"pos_label=2 is not a valid label: the "
                                                   r"single-column target is read as binary, "
                                                   r"with the classes \[0, 1\]\. Pass "
                                                   r"pos_label=1"):
        lm.f1_score(t, p, pos_label=2)
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        skm.f1_score(t, p, pos_label=2)
    # with one class only, scikit-learn accepts any pos_label (it is never true)
    compare("f1_score", Case(np.zeros((3, 1), int), np.zeros((3, 1), int), None, "list",
                             "list"), pos_label=2, zero_division=0)
    with pytest.raises(labelwise.InputError, match=r"average='samples' needs multi-label "
                                                   r"input, .* Pass average='binary'"):
        lm.recall_score(t, p, average="samples")
    with pytest.raises(labelwise.InputError, match=r"samplewise=True needs multi-label "
                                                   r"input, .* Use samplewise=False"):
        lm.multilabel_confusion_matrix(t, p, samplewise=True)
    with pytest.raises(labelwise.InputError, match=r"labels must be a non-empty list of "
                                                   r"classes, got \[\]\. .*labels=\[1\]"):
        lm.f1_score(t, p, average=None, labels=[])
    # average="binary" scores pos_label and ignores labels=, as scikit-learn does
    for labels in ([], [0], [5]):
        assert lm.f1_score(t, p, labels=labels) == skm.f1_score(t, p, labels=labels) == 0.5
    with pytest.raises(labelwise.InputError, match=r"target_names has 1 names but there are "
                                                   r"2 classes .* one name per class"):
        lm.classification_report(t, p, target_names=["spam"])


def test_average_binary_with_one_selected_column_raises_like_sklearn():
    with pytest.raises(ValueError, match="Target is multilabel-indicator but average='binary'"):
        skm.f1_score(Y, P, labels=[2])
    for name in SET_WISE:
        with pytest.raises(labelwise.InputError,
                           match=r"Target is multilabel-indicator but average='binary': "
                                 r"y_true has 4 label columns.*for the value of one label j, "
                                 r"pass labels=\[j\] with average='macro' \(or average=None\)"):
            getattr(lm, name)(Y, P, labels=[2])
    # ... which is what the message says to pass
    assert lm.f1_score(Y, P, labels=[2], average="macro") == skm.f1_score(
        Y, P, labels=[2], average="macro")


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 2.0, math.inf])
@pytest.mark.parametrize("average", AVERAGES)
def test_beta_extremes(beta, average):
    case = Case(Y, P, np.array([1.0, 2.0, 0.0, 0.5, 1.5]), "csc", "bool")
    for zd in ZERO_DIVISIONS:
        kw = dict(average=average, zero_division=zd, sample_weight=case.sample_weight)
        f, _ = compare("fbeta_score", case, beta=beta, **kw)
        compare("precision_recall_fscore_support", case, beta=beta, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", labelwise.UndefinedMetricWarning)
            if beta == 0:  # F-0 is precision, F-inf is recall
                assert_same_values(f, lm.precision_score(Y, P, **kw))
            if beta == math.inf:
                assert_same_values(f, lm.recall_score(Y, P, **kw))


def test_fbeta_at_beta_zero_or_inf_warns_only_as_precision_or_recall():
    # Nothing predicted: precision is 0/0 for every label; recall is 0 for every label
    # with support (the last column of Y has none).
    case = Case(Y, np.zeros_like(Y), None, "int64", "int64")
    for beta in (0.0, math.inf):
        got, _ = compare("fbeta_score", case, beta=beta, average="macro", zero_division="warn")
        assert got == 0.0
        _, caught = record(lm.fbeta_score, Y, np.zeros_like(Y), beta=beta, average="macro")
        assert caught == []
    # With beta 0 or inf there is no F-score division of its own to warn about.
    for beta, expected in ((0.0, ["Precision", "Recall"]),
                           (1.0, ["Precision", "Recall", "F-score"]),
                           (math.inf, ["Precision", "Recall"])):
        _, caught = record(lm.precision_recall_fscore_support, Y, np.zeros_like(Y), beta=beta,
                           average="macro")
        assert [str(w.message).split()[0] for w in caught] == expected


@pytest.mark.parametrize(
    "labels", [[2, 0], [3], [1, 2, 3, 0]], ids=str)
def test_label_subsets(labels):
    w = np.array([1.0, 0.0, 2.5, 1.0, 0.25])
    compare_everything(Case(Y, P, None, "coo", "list"), labels=labels)
    compare_everything(Case(Y, P, w, "list", "csc"), labels=labels)
    for weights in (None, w):
        # Selecting columns by index is the same as slicing them out first (but one
        # column sliced out is a binary target, so compare that with all columns).
        for average in AVERAGES:
            kw = dict(average=average, zero_division=0, sample_weight=weights)
            if len(labels) > 1:
                assert_same_values(lm.f1_score(Y, P, labels=labels, **kw),
                                   lm.f1_score(Y[:, labels], P[:, labels], **kw))
        kw = dict(average=None, zero_division=0, sample_weight=weights)
        assert_same_values(lm.f1_score(Y, P, labels=labels, **kw),
                           lm.f1_score(Y, P, **kw)[labels])


def test_samplewise_confusion_matrices():
    w = np.array([1.0, 0.0, 2.5, 1.0, 0.25])
    for weights in (None, w):
        for labels in (None, [3, 1, 0]):
            case = Case(Y, P, weights, "csr", "int8")
            got, _ = compare("multilabel_confusion_matrix", case, sample_weight=weights,
                             labels=labels, samplewise=True)
            assert got.shape == (5, 2, 2)
    got = lm.multilabel_confusion_matrix(Y, P, samplewise=True)
    # sample 1: true {1}, predicted {1, 2}: tn 2, fp 1, fn 0, tp 1
    np.testing.assert_array_equal(got[1], [[2, 1], [0, 1]])
    got = lm.multilabel_confusion_matrix(Y, P, samplewise=True, sample_weight=w)
    # sample 2: true {0, 1}, predicted {0, 3}: tn 1, fp 1, fn 1, tp 1, each weighing 2.5
    np.testing.assert_allclose(got[2], [[2.5, 2.5], [2.5, 2.5]])
    np.testing.assert_array_equal(got[1], [[0, 0], [0, 0]])


def test_classification_report_explicit():
    case = Case(Y, P, None, "bool", "csr")
    for zd in ZERO_DIVISIONS:
        for digits in (0, 2, 4):
            compare_reports(case, zero_division=zd, digits=digits)
        compare_reports(case, zero_division=zd, labels=[3, 0],
                        target_names=["a rather long label name", "b"])
    text = lm.classification_report(Y, P, zero_division=0)
    assert [line.split()[0] for line in text.splitlines() if line.strip()][1:5] == [
        "0", "1", "2", "3"]
    assert "samples avg" in text


def test_classification_report_rounding_tie_is_the_only_tolerated_difference():
    sk_dict = {"a": {"precision": 0.125, "recall": 0.5, "f1-score": 0.2}}

    def render(*cells):
        header = f"{'':>12s} " + "".join(f" {h:>9}" for h in (*_COLUMNS, "support"))
        return header + "\n\n" + f"{'a':>12s} " + "".join(f" {c:>9}" for c in cells) + "\n"

    sk_text = render("0.12", "0.50", "0.20", "8")
    lw_text = render("0.13", "0.50", "0.20", "8")
    assert_same_report_text(lw_text, sk_text, sk_dict, 2)  # 0.125 sits on the tie
    off = render("0.13", "0.50", "0.21", "8")
    with pytest.raises(AssertionError):
        assert_same_report_text(off, sk_text, sk_dict, 2)  # 0.2 is no tie


def test_samples_average_warns_for_a_zero_weight_sample_like_sklearn():
    # Rows 0 and 1 are identical, but row 1 weighs nothing: scikit-learn counts it at
    # weight 0, so its 0/0 ratios warn although row 0 is well defined.
    y = np.array([[1, 0], [1, 0], [0, 1]])
    case = Case(y, y, np.array([1.0, 0.0, 2.0]), "int64", "int64")
    for name in SET_WISE:
        got, _ = compare(name, case, average="samples", zero_division="warn",
                         sample_weight=case.sample_weight)
        assert got == 1.0
    compare("precision_recall_fscore_support", case, average="samples", zero_division="warn",
            sample_weight=case.sample_weight)
    compare_reports(case, zero_division="warn")
    # Under nan, a zero-weight sample drops out; if nothing of weight is left, it is nan.
    case = Case(np.array([[0, 0], [1, 0]]), np.array([[1, 1], [1, 1]]), np.array([1.0, 0.0]),
                "list", "csr")
    got, _ = compare("recall_score", case, average="samples", zero_division=np.nan,
                     sample_weight=case.sample_weight)
    assert math.isnan(got)


def test_nothing_warns_unless_zero_division_is_warn():
    ill = [(Y, np.zeros_like(Y)), (np.zeros_like(Y), P), EDGE_CASES["all zero"]]
    for y_true, y_pred in ill:
        for zd in (0, 1, np.nan):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                for average in AVERAGES:
                    kw = dict(average=average, zero_division=zd, sample_weight=None)
                    for name in SET_WISE:
                        getattr(lm, name)(y_true, y_pred, **kw)
                    lm.fbeta_score(y_true, y_pred, beta=2, **kw)
                    lm.precision_recall_fscore_support(y_true, y_pred, **kw)
                lm.classification_report(y_true, y_pred, zero_division=zd)
                lm.classification_report(y_true, y_pred, zero_division=zd, output_dict=True)
        # ... while "warn" does, for the same input
        _, caught = record(lm.precision_recall_fscore_support, y_true, y_pred, average="macro")
        assert caught and all(w.category is labelwise.UndefinedMetricWarning for w in caught)


# --------------------------------------------------------------------------
# evaluate() against scikit-learn
# --------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(case=cases(min_labels=1), beta=BETAS)
def test_evaluate_per_label_columns_match_sklearn_binary(case, beta):
    y_true, y_pred = case.inputs()
    table = labelwise.evaluate(y_true, y_pred, sample_weight=case.sample_weight,
                               zero_division=0, beta=beta).per_label
    w = case.sample_weight
    for j in range(case.n_labels):
        t, p = case.y_true[:, j], case.y_pred[:, j]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Specificity is the recall of the negative class.
            specificity = skm.recall_score(t, p, pos_label=0, zero_division=0, sample_weight=w)
            # Leaves out a class absent from the truth, like labelwise.
            balanced = skm.balanced_accuracy_score(t, p, sample_weight=w)
            # Returns 0 where undefined, which zero_division=0 gives labelwise too.
            mcc = skm.matthews_corrcoef(t, p, sample_weight=w)
            prf = skm.precision_recall_fscore_support(t, p, beta=beta, average="binary",
                                                      zero_division=0, sample_weight=w)
            jaccard = skm.jaccard_score(t, p, average="binary", zero_division=0,
                                        sample_weight=w)
        if _mcc_undefined(t, p, w):
            # scikit-learn's weighted MCC may give nan here instead of 0: its variance
            # of a constant column can round to just below zero before the square root.
            assert mcc == 0 or math.isnan(mcc)
            mcc = 0.0
        expected = {"specificity": specificity, "balanced_accuracy": balanced, "mcc": mcc,
                    "precision": prf[0], "recall": prf[1], "fbeta": prf[2],
                    "jaccard": jaccard}
        for column, value in expected.items():
            assert table[column][j] == pytest.approx(value, abs=ATOL), (column, j, case)
    if case.n_labels > 1:
        mcm = skm.multilabel_confusion_matrix(case.y_true, case.y_pred, sample_weight=w)
        for k, column in enumerate(("tn", "fp", "fn", "tp")):
            np.testing.assert_allclose(table[column], mcm[:, k // 2, k % 2], atol=ATOL)


def _mcc_undefined(t, p, w) -> bool:
    """Truth or prediction constant over the samples of positive weight."""
    keep = np.ones(t.shape[0], bool) if w is None else w > 0
    return len(set(t[keep])) < 2 or len(set(p[keep])) < 2


def test_mcc_of_a_weighted_constant_prediction_is_zero():
    # Only a zero-weight sample is predicted positive, so the prediction is constant
    # where it counts and the MCC is undefined: 0 under zero_division=0.
    t = np.array([[0], [0], [1], [0], [0], [0], [0]])
    p = np.array([[0], [0], [0], [0], [0], [1], [0]])
    w = np.array([2.8773600961994683, 0.0, 4.6304801003478815, 9.999769098974433,
                  6.935347299776095, 0.0, 6.256690202924891])
    table = labelwise.evaluate(t, p, sample_weight=w, zero_division=0).per_label
    assert table["mcc"][0] == 0.0
    assert _mcc_undefined(t[:, 0], p[:, 0], w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = skm.matthews_corrcoef(t[:, 0], p[:, 0], sample_weight=w)
    assert reference == 0 or math.isnan(reference)  # nan from rounding in scikit-learn 1.9


EVALUATE_FAMILIES = {"precision": "precision_score", "recall": "recall_score",
                     "f1": "f1_score", "fbeta": "fbeta_score", "jaccard": "jaccard_score"}


@pytest.mark.parametrize("zero_division", [0, 1, np.nan], ids=_zd_id)
@settings(max_examples=20, deadline=None)
@given(case=cases(min_labels=2), beta=BETAS)
def test_evaluate_averages_match_sklearn(zero_division, case, beta):
    y_true, y_pred = case.inputs()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # zero_division is never "warn" here
        report = labelwise.evaluate(y_true, y_pred, sample_weight=case.sample_weight,
                                    zero_division=zero_division, beta=beta)
    for family, name in EVALUATE_FAMILIES.items():
        if not _comparable(name, zero_division):
            continue
        extra = {"beta": beta} if family == "fbeta" else {}
        for average in AVERAGES[1:]:
            expected = getattr(skm, name)(case.y_true, case.y_pred, average=average,
                                          zero_division=zero_division,
                                          sample_weight=case.sample_weight, **extra)
            assert_same_values(report[f"{family}_{average}"], expected, f"{family}_{average}")
    assert report["subset_accuracy"] == pytest.approx(
        skm.accuracy_score(case.y_true, case.y_pred, sample_weight=case.sample_weight), abs=ATOL)
    assert report["hamming_loss"] == pytest.approx(
        skm.hamming_loss(case.y_true, case.y_pred, sample_weight=case.sample_weight), abs=ATOL)


def test_report_text_parser_reads_real_reports():
    """The parser used above reads every row of a real report (it is not vacuous)."""
    text = lm.classification_report(Y, P, zero_division=0, digits=3)
    rows = [line for line in text.split("\n")[1:] if line.strip()]
    assert len(rows) == Y.shape[1] + 4
    assert all(re.fullmatch(r"\s*[\w ]+?(\s+\d\.\d{3}){3}\s+\d+", row) for row in rows)
