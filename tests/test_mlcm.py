"""The multi-label confusion matrix (MLCM) of Heydarian et al.: worked examples,
each allocation rule by hand, normalisation, input kinds, additivity, errors,
and a property test against a plain-Python reading of the rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise
from labelwise._validate import coerce_pair
from labelwise.metrics import mlcm
from labelwise.mlcm import mlcm_counts, normalize_mlcm
from strategies import MATRIX_FORMATS, as_format, cases, label_matrices, label_names

# --------------------------------------------------------------------------
# Reference: the allocation rules, one sample at a time, on Python sets
# --------------------------------------------------------------------------


def reference_mlcm(y_true, y_pred, sample_weight=None):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    n, q = y_true.shape
    none = q  # index of the NTL row and of the NPL column
    c = [[0.0] * (q + 1) for _ in range(q + 1)]
    for i in range(n):
        w = 1.0 if sample_weight is None else float(sample_weight[i])
        t = {j for j in range(q) if y_true[i, j]}
        p = {j for j in range(q) if y_pred[i, j]}
        if not t and not p:
            c[none][none] += w
        elif not t:
            for j in p:
                c[none][j] += w
        elif not p:
            for j in t:
                c[j][none] += w
        else:
            for j in t & p:
                c[j][j] += w
            missing, extra = t - p, p - t
            if missing and not extra:
                for j in missing:
                    c[j][none] += w
            elif extra and not missing:
                for j in t:
                    for k in extra:
                        c[j][k] += w
            elif missing and extra:
                for j in missing:
                    for k in extra:
                        c[j][k] += w
    return np.array(c)


def one(q, true, pred):
    """One sample over ``q`` labels as a pair of 0/1 rows, from index lists."""
    t = np.zeros((1, q), dtype=int)
    p = np.zeros((1, q), dtype=int)
    t[0, list(true)] = 1
    p[0, list(pred)] = 1
    return t, p


def cells(q, *where):
    """A (q + 1, q + 1) int matrix with 1 added at each (row, column) of ``where``."""
    m = np.zeros((q + 1, q + 1), dtype=np.int64)
    for r, c in where:
        m[r, c] += 1
    return m


# --------------------------------------------------------------------------
# The published example
# --------------------------------------------------------------------------

PAPER_TRUE = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 0], [1, 0, 0], [1, 1, 0],
                       [0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 0]])
PAPER_PRED = np.array([[1, 1, 0], [1, 0, 1], [0, 0, 0], [1, 1, 1], [1, 1, 1],
                       [0, 1, 1], [0, 1, 1], [1, 0, 1], [0, 0, 1]])
# Per sample (labels 0, 1, 2; N = NTL row / NPL column):
#   1 T={0,1}   P={0,1}    correct 0, 1                 -> [0,0] [1,1]
#   2 T={0,1,2} P={0,2}    correct 0, 2; missing 1      -> [0,0] [2,2] [1,N]
#   3 T={}      P={}                                    -> [N,N]
#   4 T={0}     P={0,1,2}  correct 0; extra 1, 2        -> [0,0] [0,1] [0,2]
#   5 T={0,1}   P={0,1,2}  correct 0, 1; extra 2        -> [0,0] [1,1] [0,2] [1,2]
#   6 T={}      P={1,2}                                 -> [N,1] [N,2]
#   7 T={0}     P={1,2}    missing 0; extra 1, 2        -> [0,1] [0,2]
#   8 T={0,1}   P={0,2}    correct 0; missing 1; extra 2 -> [0,0] [1,2]
#   9 T={0,1}   P={2}      missing 0, 1; extra 2        -> [0,2] [1,2]
# Row 0: [0,0] x5 (1,2,4,5,8), [0,1] x2 (4,7), [0,2] x4 (4,5,7,9)
# Row 1: [1,1] x2 (1,5), [1,2] x3 (5,8,9), [1,N] x1 (2)
# Row 2: [2,2] x1 (2);  Row N: [N,1] [N,2] (6), [N,N] (3)
PAPER_MLCM = np.array([[5, 2, 4, 0], [0, 2, 3, 1], [0, 0, 1, 0], [0, 1, 1, 1]])


def test_published_example():
    out = mlcm(PAPER_TRUE, PAPER_PRED)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, PAPER_MLCM)
    np.testing.assert_array_equal(reference_mlcm(PAPER_TRUE, PAPER_PRED), PAPER_MLCM)


def test_published_example_per_sample():
    expected = [
        cells(3, (0, 0), (1, 1)),
        cells(3, (0, 0), (2, 2), (1, 3)),
        cells(3, (3, 3)),
        cells(3, (0, 0), (0, 1), (0, 2)),
        cells(3, (0, 0), (1, 1), (0, 2), (1, 2)),
        cells(3, (3, 1), (3, 2)),
        cells(3, (0, 1), (0, 2)),
        cells(3, (0, 0), (1, 2)),
        cells(3, (0, 2), (1, 2)),
    ]
    for i, want in enumerate(expected):
        np.testing.assert_array_equal(mlcm(PAPER_TRUE[i:i + 1], PAPER_PRED[i:i + 1]), want)
    np.testing.assert_array_equal(sum(expected), PAPER_MLCM)


# --------------------------------------------------------------------------
# Each allocation rule by hand (q labels; index q is NTL / NPL)
# --------------------------------------------------------------------------


def test_rule_both_empty():
    # T = P = {} -> one count at [NTL, NPL] = [2, 2]
    np.testing.assert_array_equal(mlcm(*one(2, [], [])), cells(2, (2, 2)))


def test_rule_no_true_label():
    # T = {}, P = {0, 2} -> [NTL, 0] and [NTL, 2]; NTL = 3
    np.testing.assert_array_equal(mlcm(*one(3, [], [0, 2])), cells(3, (3, 0), (3, 2)))


def test_rule_no_predicted_label():
    # T = {1, 2}, P = {} -> [1, NPL] and [2, NPL]; NPL = 3
    np.testing.assert_array_equal(mlcm(*one(3, [1, 2], [])), cells(3, (1, 3), (2, 3)))


def test_rule_exact_match():
    # T = P = {0, 2}: only the diagonal, [0, 0] and [2, 2]
    np.testing.assert_array_equal(mlcm(*one(3, [0, 2], [0, 2])), cells(3, (0, 0), (2, 2)))


def test_rule_only_missing_labels():
    # T = {0, 1, 2}, P = {1}: correct 1 -> [1, 1]; missing 0, 2 -> [0, NPL], [2, NPL]
    np.testing.assert_array_equal(
        mlcm(*one(3, [0, 1, 2], [1])), cells(3, (1, 1), (0, 3), (2, 3))
    )


def test_rule_only_extra_labels():
    # T = {0, 1}, P = {0, 1, 2, 3}: correct 0, 1 -> [0, 0], [1, 1];
    # extra 2, 3 against every true label -> [0, 2], [0, 3], [1, 2], [1, 3]
    np.testing.assert_array_equal(
        mlcm(*one(4, [0, 1], [0, 1, 2, 3])),
        cells(4, (0, 0), (1, 1), (0, 2), (0, 3), (1, 2), (1, 3)),
    )


def test_rule_missing_and_extra_labels():
    # T = {0, 1}, P = {1, 2}: correct 1 -> [1, 1]; missing 0 x extra 2 -> [0, 2];
    # nothing at NPL although 0 was missed
    np.testing.assert_array_equal(mlcm(*one(3, [0, 1], [1, 2])), cells(3, (1, 1), (0, 2)))
    # T = {0, 1}, P = {2, 3}: nothing correct; missing {0, 1} x extra {2, 3}
    np.testing.assert_array_equal(
        mlcm(*one(4, [0, 1], [2, 3])), cells(4, (0, 2), (0, 3), (1, 2), (1, 3))
    )


def test_rule_missing_and_two_extra_labels():
    # T = {0, 1}, P = {0, 2, 3}: correct 0 -> [0, 0]; missing {1} x extra {2, 3}
    # -> [1, 2], [1, 3]. (The authors' mlcm package also adds [0, 3] here: it pairs
    # the missing labels with the first extra label only, and each further extra
    # label with every true label.)
    np.testing.assert_array_equal(
        mlcm(*one(4, [0, 1], [0, 2, 3])), cells(4, (0, 0), (1, 2), (1, 3))
    )


def test_rule_single_true_label():
    # T = {1}, P = {0, 1}: correct 1 -> [1, 1]; extra 0 against true 1 -> [1, 0]
    np.testing.assert_array_equal(mlcm(*one(2, [1], [0, 1])), cells(2, (1, 1), (1, 0)))
    # T = {1}, P = {0}: missing 1 x extra 0 -> [1, 0]
    np.testing.assert_array_equal(mlcm(*one(2, [1], [0])), cells(2, (1, 0)))


# --------------------------------------------------------------------------
# normalize
# --------------------------------------------------------------------------


def test_normalize_true():
    out = mlcm(PAPER_TRUE, PAPER_PRED, normalize="true")
    # rows of PAPER_MLCM sum to 11, 6, 1, 3
    expected = PAPER_MLCM / np.array([[11], [6], [1], [3]])
    np.testing.assert_allclose(out, expected)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def test_normalize_pred():
    out = mlcm(PAPER_TRUE, PAPER_PRED, normalize="pred")
    # columns of PAPER_MLCM sum to 5, 5, 9, 2
    np.testing.assert_allclose(out, PAPER_MLCM / np.array([5, 5, 9, 2]))
    np.testing.assert_allclose(out.sum(axis=0), 1.0)


def test_normalize_all():
    out = mlcm(PAPER_TRUE, PAPER_PRED, normalize="all")
    np.testing.assert_allclose(out, PAPER_MLCM / 21)  # 21 counts in all
    assert out.sum() == pytest.approx(1.0)


def test_normalize_zero_rows_and_columns_stay_zero():
    # label 1 is never true and never predicted; every sample has a true label
    y_true, y_pred = [[1, 0], [1, 0]], [[1, 0], [0, 0]]
    counts = mlcm(y_true, y_pred)  # [0,0] once, [0,NPL] once
    np.testing.assert_array_equal(counts, cells(2, (0, 0), (0, 2)))
    rows = mlcm(y_true, y_pred, normalize="true")
    np.testing.assert_array_equal(rows, [[0.5, 0, 0.5], [0, 0, 0], [0, 0, 0]])
    cols = mlcm(y_true, y_pred, normalize="pred")
    np.testing.assert_array_equal(cols, [[1, 0, 1], [0, 0, 0], [0, 0, 0]])
    assert not np.isnan(rows).any() and not np.isnan(cols).any()


def test_normalize_all_of_zero_matrix():
    np.testing.assert_array_equal(normalize_mlcm(np.zeros((3, 3)), "all"), np.zeros((3, 3)))


def test_normalize_none_is_counts():
    np.testing.assert_array_equal(mlcm(PAPER_TRUE, PAPER_PRED, normalize=None), PAPER_MLCM)


# --------------------------------------------------------------------------
# Input kinds, weights, edge cases
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["list", "bool", "int8", "csr", "csc", "coo", "csr_array"])
def test_input_kinds(fmt):
    out = mlcm(as_format(PAPER_TRUE, fmt), as_format(PAPER_PRED, fmt))
    np.testing.assert_array_equal(out, PAPER_MLCM)


def test_mixed_dense_and_sparse():
    out = mlcm(PAPER_TRUE, sp.csr_matrix(PAPER_PRED))
    np.testing.assert_array_equal(out, PAPER_MLCM)


def test_label_sets_with_labels():
    names = ["a", "b", "c"]
    t = [[names[j] for j in np.flatnonzero(r)] for r in PAPER_TRUE]
    p = [[names[j] for j in np.flatnonzero(r)] for r in PAPER_PRED]
    np.testing.assert_array_equal(mlcm(t, p, labels=names), PAPER_MLCM)
    # the vocabulary fixes the order: reversed labels reverse the first q rows/columns
    order = [2, 1, 0, 3]
    np.testing.assert_array_equal(
        mlcm(t, p, labels=names[::-1]), PAPER_MLCM[np.ix_(order, order)]
    )


def test_label_sets_vocabulary_adds_unseen_label():
    # "z" never occurs: it gets a row and a column of zeros
    out = mlcm([["a"], []], [["a"], ["a"]], labels=["a", "z"])
    np.testing.assert_array_equal(out, cells(2, (0, 0), (2, 0)))


def test_delimited_strings():
    out = mlcm(["a,b", ""], ["a", "b"], labels=["a", "b"])
    # "a,b" vs "a": correct a, missing b -> [a,a], [b,NPL]; "" vs "b" -> [NTL,b]
    np.testing.assert_array_equal(out, cells(2, (0, 0), (1, 2), (2, 1)))


def test_dataframes_matched_by_column_name():
    t = pd.DataFrame(PAPER_TRUE, columns=["a", "b", "c"])
    p = pd.DataFrame(PAPER_PRED, columns=["a", "b", "c"])[["c", "a", "b"]]
    np.testing.assert_array_equal(mlcm(t, p), PAPER_MLCM)


def test_sample_weight():
    w = np.array([1, 2, 0, 1, 1, 3, 1, 1, 0.5])
    out = mlcm(PAPER_TRUE, PAPER_PRED, sample_weight=w)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, reference_mlcm(PAPER_TRUE, PAPER_PRED, w))
    # e.g. [NTL, 1] and [NTL, 2] come from sample 6 only, weight 3; [NTL, NPL] from
    # sample 3, weight 0; [1, NPL] from sample 2, weight 2
    assert out[3, 1] == out[3, 2] == 3 and out[3, 3] == 0 and out[1, 3] == 2


def test_unit_weights_give_the_counts():
    out = mlcm(PAPER_TRUE, PAPER_PRED, sample_weight=np.ones(9))
    np.testing.assert_array_equal(out, PAPER_MLCM)


def test_weights_and_normalize():
    w = np.arange(1, 10, dtype=float)
    out = mlcm(PAPER_TRUE, PAPER_PRED, sample_weight=w, normalize="true")
    ref = reference_mlcm(PAPER_TRUE, PAPER_PRED, w)
    np.testing.assert_allclose(out, ref / ref.sum(axis=1, keepdims=True))


def test_single_sample():
    # T = {0}, P = {1} over 2 labels: missing 0 x extra 1 -> [0, 1]
    out = mlcm([[1, 0]], [[0, 1]])
    np.testing.assert_array_equal(out, cells(2, (0, 1)))


def test_single_label():
    # one column: a label, not a binary target. Rows: true 1/1, 1/0, 0/1, 0/0
    out = mlcm([[1], [1], [0], [0]], [[1], [0], [1], [0]])
    np.testing.assert_array_equal(out, [[1, 1], [1, 1]])


@pytest.mark.parametrize("sparse", [False, True])
def test_all_rows_empty(sparse):
    z = np.zeros((4, 3), dtype=int)
    y = sp.csr_matrix(z) if sparse else z
    np.testing.assert_array_equal(mlcm(y, y), cells(3, *[(3, 3)] * 4))
    # all true rows empty, some predictions: only the NTL row fills
    p = np.array([[1, 0, 0], [0, 0, 0], [1, 1, 0], [0, 0, 1]])
    out = mlcm(y, sp.csr_matrix(p) if sparse else p)
    np.testing.assert_array_equal(out[:3], 0)
    np.testing.assert_array_equal(out[3], [2, 1, 1, 1])


# --------------------------------------------------------------------------
# The state: additive, dense and CSR agree
# --------------------------------------------------------------------------


def _canonical(y_true, y_pred, sparse):
    data = coerce_pair(sp.csr_matrix(y_true) if sparse else y_true,
                       sp.csr_matrix(y_pred) if sparse else y_pred)
    return data.y_true, data.y_pred


@pytest.mark.parametrize("sparse", [False, True])
def test_counts_add_up(sparse):
    t, p = _canonical(PAPER_TRUE, PAPER_PRED, sparse)
    whole = mlcm_counts(t, p)
    for cut in range(10):
        halves = mlcm_counts(t[:cut], p[:cut]) + mlcm_counts(t[cut:], p[cut:])
        np.testing.assert_array_equal(halves, whole)
    np.testing.assert_array_equal(whole, PAPER_MLCM)


@pytest.mark.parametrize("sparse", [False, True])
def test_weighted_counts_add_up(sparse):
    t, p = _canonical(PAPER_TRUE, PAPER_PRED, sparse)
    w = np.array([1, 2, 0, 1, 1, 3, 1, 1, 0.5])
    halves = mlcm_counts(t[:4], p[:4], w[:4]) + mlcm_counts(t[4:], p[4:], w[4:])
    np.testing.assert_allclose(halves, mlcm_counts(t, p, w))


@given(label_matrices(min_rows=2, max_rows=40), st.data())
@settings(max_examples=60, deadline=None)
def test_counts_add_up_property(pair, data):
    y_true, y_pred = pair
    cut = data.draw(st.integers(0, y_true.shape[0]))
    sparse = data.draw(st.booleans())
    t, p = _canonical(y_true, y_pred, sparse)
    np.testing.assert_array_equal(
        mlcm_counts(t[:cut], p[:cut]) + mlcm_counts(t[cut:], p[cut:]), mlcm_counts(t, p)
    )


def test_large_input_in_blocks_equals_chunk_sums():
    # 60,000 x 40 runs on threads in row blocks; summing 1,000-row chunks gives the same
    rng = np.random.default_rng(7)
    y_true = rng.random((60_000, 40)) < 0.1
    y_pred = rng.random((60_000, 40)) < 0.1
    y_pred[::3] = y_true[::3]
    for sparse in (False, True):
        t, p = _canonical(y_true, y_pred, sparse)
        whole = mlcm_counts(t, p)
        chunks = sum(mlcm_counts(t[i:i + 1000], p[i:i + 1000]) for i in range(0, 60_000, 1000))
        np.testing.assert_array_equal(whole, chunks)
    assert whole.sum() > 60_000


# --------------------------------------------------------------------------
# Property: the kernel against the plain-Python reference
# --------------------------------------------------------------------------


@given(cases(max_rows=25, max_labels=8, formats=MATRIX_FORMATS))
@settings(max_examples=200, deadline=None)
def test_matches_reference(case):
    y_true, y_pred = case.inputs()
    out = mlcm(y_true, y_pred, sample_weight=case.sample_weight)
    ref = reference_mlcm(case.y_true, case.y_pred, case.sample_weight)
    assert out.shape == (case.n_labels + 1, case.n_labels + 1)
    if case.sample_weight is None:
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out, ref)
    else:
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)


@given(cases(max_rows=20, max_labels=12, weighted=False, formats=("sets", "strings")))
@settings(max_examples=60, deadline=None)
def test_label_sets_match_reference(case):
    y_true, y_pred = case.inputs()
    out = mlcm(y_true, y_pred, labels=label_names(case.n_labels))
    np.testing.assert_array_equal(out, reference_mlcm(case.y_true, case.y_pred))


@given(cases(max_rows=20, max_labels=6, weighted=False), st.sampled_from(["true", "pred", "all"]))
@settings(max_examples=60, deadline=None)
def test_normalized_sums(case, normalize):
    y_true, y_pred = case.inputs()
    counts = mlcm(y_true, y_pred)
    out = mlcm(y_true, y_pred, normalize=normalize)
    if normalize == "all":
        assert out.sum() == pytest.approx(1.0)
        return
    axis = 1 if normalize == "true" else 0
    sums = out.sum(axis=axis)
    nonzero = counts.sum(axis=axis) > 0
    np.testing.assert_allclose(sums[nonzero], 1.0)
    np.testing.assert_array_equal(sums[~nonzero], 0.0)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


def test_error_value_not_binary():
    with pytest.raises(labelwise.InputError, match=r"y_true must hold only 0 and 1, but has 2"):
        mlcm([[1, 2], [0, 1]], [[1, 0], [0, 1]])
    with pytest.raises(labelwise.InputError, match=r"y_pred must hold only 0 and 1"):
        mlcm([[1, 0], [0, 1]], [[1, 0], [0, 2]])


def test_error_shapes_differ():
    with pytest.raises(labelwise.InputError, match=r"y_pred has shape \(2, 3\) but y_true has "
                       r"shape \(2, 2\)"):
        mlcm([[1, 0], [0, 1]], [[1, 0, 0], [0, 1, 0]])
    with pytest.raises(labelwise.InputError, match=r"y_pred has shape \(1, 2\) but y_true has "
                       r"shape \(2, 2\)"):
        mlcm([[1, 0], [0, 1]], [[1, 0]])


@pytest.mark.parametrize("bad", ["rows", "True", "columns", 1, True, ["true"]])
def test_error_unknown_normalize(bad):
    with pytest.raises(labelwise.InputError, match=r"normalize must be None, 'true' .* got "):
        mlcm(PAPER_TRUE, PAPER_PRED, normalize=bad)


def test_error_unknown_normalize_before_reading_input():
    # the argument is checked first, so the message is about normalize, not y_true
    with pytest.raises(labelwise.InputError, match=r"normalize must be"):
        mlcm([[1, 2]], [[1, 1]], normalize="rows")


def test_error_sample_weight_length():
    with pytest.raises(labelwise.InputError, match=r"sample_weight has shape \(3,\) but there "
                       r"are 9 samples"):
        mlcm(PAPER_TRUE, PAPER_PRED, sample_weight=[1, 2, 3])


def test_error_matrix_labels_count():
    with pytest.raises(labelwise.InputError, match=r"y_true has 3 columns but there are 2 labels"):
        mlcm(PAPER_TRUE, PAPER_PRED, labels=["a", "b"])


def test_error_label_outside_vocabulary():
    with pytest.raises(labelwise.InputError, match=r"'c'"):
        mlcm([["a"]], [["c"]], labels=["a", "b"])


def test_counts_of_dense_integer_arrays():
    # not canonical, but read as 0/1 all the same
    np.testing.assert_array_equal(mlcm_counts(PAPER_TRUE, PAPER_PRED), PAPER_MLCM)


# --------------------------------------------------------------------------
# The sparse MLCM (plots.mlcm_sparse) and its most confused pairs
# --------------------------------------------------------------------------

RULE_CASES = [  # (q, true, pred): one sample of each allocation rule
    (2, [], []), (3, [], [0, 2]), (3, [1, 2], []), (3, [0, 2], [0, 2]),
    (3, [0, 1, 2], [1]), (4, [0, 1], [0, 1, 2, 3]), (3, [0, 1], [1, 2]),
    (4, [0, 1], [2, 3]), (4, [0, 1], [0, 2, 3]), (2, [1], [0, 1]), (2, [1], [0]),
]


def test_sparse_mlcm_gives_the_published_example():
    from labelwise.plots import mlcm_sparse

    out = mlcm_sparse(PAPER_TRUE, PAPER_PRED)
    assert sp.issparse(out) and out.shape == (4, 4)
    np.testing.assert_array_equal(out.toarray(), PAPER_MLCM)


@pytest.mark.parametrize("q, true, pred", RULE_CASES)
def test_sparse_mlcm_follows_each_rule(q, true, pred):
    from labelwise.plots import mlcm_sparse

    t, p = one(q, true, pred)
    np.testing.assert_array_equal(mlcm_sparse(t, p).toarray(), mlcm(t, p))


@given(cases(max_rows=25, max_labels=8, formats=MATRIX_FORMATS))
@settings(max_examples=100, deadline=None)
def test_sparse_mlcm_matches_reference(case):
    from labelwise.plots import mlcm_sparse

    out = mlcm_sparse(sp.csr_matrix(case.y_true), sp.csr_matrix(case.y_pred),
                      case.sample_weight).toarray()
    np.testing.assert_allclose(out, reference_mlcm(case.y_true, case.y_pred,
                                                   case.sample_weight), rtol=1e-12, atol=1e-12)


def test_confused_pairs_are_the_same_from_dense_and_sparse():
    from labelwise.plots import confused_pairs, mlcm_sparse

    rng = np.random.default_rng(5)
    t, p = rng.random((300, 30)) < 0.15, rng.random((300, 30)) < 0.2
    names = [f"l{j}" for j in range(30)]
    dense = confused_pairs(mlcm(t, p), names, top=40)
    assert confused_pairs(mlcm_sparse(t, p), names, top=40) == dense
    counts = [float(r["count"]) for r in dense]
    assert len(dense) == 40 and counts == sorted(counts, reverse=True)
    m = mlcm(t, p)
    first = dense[0]
    i = names.index(first["true"]) if first["true"] in names else 30
    assert first["share"] == f"{float(first['count']) / m[i].sum():.1%}"


def test_confused_pairs_name_the_none_row_and_column():
    from labelwise.plots import confused_pairs

    m = np.array([[0, 0, 3], [0, 1, 0], [2, 0, 9]])  # 9 at (none, none) is not a confusion
    rows = confused_pairs(m, ["x", "y"])
    assert [(r["true"], r["pred"], r["count"]) for r in rows] == [
        ("x", "(no predicted label)", "3"), ("(no true label)", "x", "2")]


def test_confused_pairs_at_five_thousand_labels_are_fast_and_sparse():
    import time

    from labelwise.plots import confused_pairs, mlcm_sparse

    rng = np.random.default_rng(0)
    n, q = 200, 5000
    t = sp.random(n, q, density=0.01, random_state=1, format="csr").astype(bool)
    p = sp.random(n, q, density=0.02, random_state=2, format="csr").astype(bool)
    start = time.perf_counter()
    m = mlcm_sparse(t, p, rng.random(n))
    rows = confused_pairs(m, [f"l{j}" for j in range(q)])
    assert time.perf_counter() - start < 5
    assert sp.issparse(m) and m.shape == (q + 1, q + 1) and m.nnz < (q + 1) ** 2 / 10
    assert len(rows) == 15
