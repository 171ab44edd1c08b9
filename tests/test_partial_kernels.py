"""Scores for some labels per row (top-k, sparse): the lean @k pass and the full pass
give the same numbers, short and long rows alike; the top-k entries are checked, short
rows and long; per-label score ranges of stored entries; thresholded entries."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import InputError
from labelwise import metrics as sm
from labelwise._validate import coerce_ranking
from labelwise.diagnose.context import Thresholding
from labelwise.ranking import AT_K_FIELDS, PS_FIELDS, at_k_values, row_values


def random_partial(rng, n, L, width, ties):
    y = rng.random((n, L)) < rng.choice([0.1, 0.5, 0.9])
    y[0] = False  # a row without true labels
    s = np.round(rng.random((n, L)), 1) if ties else rng.random((n, L))
    idx = np.argsort(rng.random((n, L)), axis=1)[:, :width]
    return y, idx, np.take_along_axis(s, idx, axis=1)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(1, 40), st.booleans(),
       st.booleans())
def test_lean_at_k_pass_equals_the_full_pass(seed, n, L, ties, with_p):
    rng = np.random.default_rng(seed)
    width = int(rng.integers(1, L + 1))
    y, idx, vals = random_partial(rng, n, L, width, ties)
    p = rng.uniform(1, 5, L) if with_p else None
    ks = tuple(int(k) for k in rng.integers(1, width + 1, rng.integers(1, 4)))
    sparse = sp.csr_matrix((vals.ravel(), idx.ravel(), np.arange(0, n * width + 1, width)),
                           shape=(n, L))  # rows' entries in the order given, unsorted
    for scores in ((idx, vals), sparse):
        data = coerce_ranking(y, scores)
        full = row_values(data, ks, p)
        lean = at_k_values(data, ks, p)
        names = AT_K_FIELDS + (PS_FIELDS if with_p else ())
        assert set(lean) == {"weight", *names}
        for name in names:
            np.testing.assert_array_equal(lean[name], full[name], err_msg=name)


def test_long_rows_take_the_sorting_path_with_the_same_numbers():
    # rows of 300 scored labels with 30 true ones: more than the counting path takes
    rng = np.random.default_rng(3)
    n, L, width = 4, 400, 300
    y = np.zeros((n, L), dtype=bool)
    for i in range(n):
        y[i, rng.choice(L, 30, replace=False)] = True
    s = np.round(rng.random((n, L)), 2)  # ties
    idx = np.argsort(rng.random((n, L)), axis=1)[:, :width]
    top = (idx, np.take_along_axis(s, idx, axis=1))
    # the same rows as a dense matrix: unscored labels below every scored one, tied
    dense = np.full((n, L), -1.0)
    np.put_along_axis(dense, idx, top[1], axis=1)
    p = rng.uniform(1, 3, L)
    ks = (1, 10, 300)
    for data in (coerce_ranking(y, top), coerce_ranking(y, sp.csr_matrix(
            (top[1].ravel(), idx.ravel(), np.arange(0, n * width + 1, width)), shape=(n, L)))):
        full = row_values(data, ks, p)
        lean = at_k_values(data, ks, p)
        want = row_values(coerce_ranking(y, dense), ks, p)
        for name in ("lrap", "ranking_loss", "coverage", "one_error", "auc"):
            np.testing.assert_allclose(full[name], want[name], rtol=0, atol=1e-12)
        for name in AT_K_FIELDS + PS_FIELDS:
            np.testing.assert_array_equal(lean[name], full[name], err_msg=name)
            np.testing.assert_allclose(full[name], want[name], rtol=0, atol=1e-12)


def test_top_k_entries_keep_their_order_and_long_rows_are_checked():
    idx = np.array([[3, 0, 2], [1, 2, 0]])
    vals = np.array([[0.1, 0.9, 0.5], [0.7, 0.2, 0.4]], dtype=np.float32)
    part = coerce_ranking([[1, 0, 0, 1], [0, 1, 0, 0]], (idx, vals)).partial_scores
    assert part.indices.tolist() == [3, 0, 2, 1, 2, 0]
    assert part.data.tolist() == pytest.approx([0.1, 0.9, 0.5, 0.7, 0.2, 0.4])
    assert part.data.dtype == np.float64
    # rows longer than 32 entries are checked another way: the same message
    wide = np.tile(np.arange(40), (2, 1))
    wide[1, 39] = 17
    with pytest.raises(InputError, match=r"^top-k row 1 lists label 17 more than once"):
        sm.precision_at_k(np.zeros((2, 50)), (wide, np.ones((2, 40))), k=1)
    short = np.array([[0, 1, 2], [4, 3, 4]])  # the smallest repeated label is named
    with pytest.raises(InputError, match=r"^top-k row 1 lists label 4 more than once"):
        sm.precision_at_k(np.zeros((2, 5)), (short, np.ones((2, 3))), k=1)
    wide[1, 39] = 39
    wide = wide[:, ::-1]  # each row given from its highest label down
    got = sm.precision_at_k(np.eye(2, 50), (wide, np.linspace(1, 0, 80).reshape(2, 40)),
                            k=(1, 40))
    # row 0 lists label 0 last (rank 40), row 1 lists label 1 at rank 39
    np.testing.assert_allclose(got, [0.0, (1 + 1) / 40 / 2], rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_wide_top_k_rows_name_their_smallest_repeated_label(seed, repeat):
    from labelwise._partial_kernels import topk_problem

    rng = np.random.default_rng(seed)
    n, L = int(rng.integers(1, 6)), int(rng.integers(40, 120))
    w = int(rng.integers(33, L + 1))  # rows of more than 32 entries
    idx = np.argsort(rng.random((n, L)), axis=1)[:, :w]
    if repeat:
        for _ in range(int(rng.integers(1, 4))):
            i, c, d = rng.integers(0, n, 3)[0], *rng.integers(0, w, 2)
            idx[i, c] = idx[i, d]
    want = (0, -1, -1)
    for i in range(n):
        labels, counts = np.unique(idx[i], return_counts=True)
        if (counts > 1).any():
            want = (2, i, int(labels[counts > 1][0]))
            break
    got = topk_problem(idx.astype(rng.choice([np.int32, np.int64])), L)
    assert tuple(int(x) for x in got) == want


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans(), st.booleans())
def test_long_rows_count_as_dense_scores_do(seed, ties, single):
    # rows of (entries x true labels) above 4096 sort; the counts match a dense matrix
    # whose unscored labels tie below every scored one
    rng = np.random.default_rng(seed)
    n, L = int(rng.integers(1, 5)), int(rng.integers(200, 300))
    width = int(rng.integers(2 * L // 3, L + 1))
    y = rng.random((n, L)) < rng.choice([0.4, 0.7, 0.95])
    s = np.round(rng.random((n, L)), 1) if ties else rng.random((n, L))
    if single:
        s = s.astype(np.float32)
    idx = np.argsort(rng.random((n, L)), axis=1)[:, :width]
    vals = np.take_along_axis(s, idx, axis=1)
    dense = np.full((n, L), -1.0, dtype=s.dtype)
    np.put_along_axis(dense, idx, vals, axis=1)
    ks = (1, int(rng.integers(1, width + 1)), width)
    want = row_values(coerce_ranking(y, dense), ks)
    sparse = sp.csr_matrix((vals.ravel(), idx.ravel(), np.arange(0, n * width + 1, width)),
                           shape=(n, L))
    for scores in ((idx, vals), sparse):
        data = coerce_ranking(y, scores)
        got = row_values(data, ks)
        lean = at_k_values(data, ks)
        for name in ("lrap", "ranking_loss", "coverage", "one_error", "ap", "auc",
                     "auc_weight") + AT_K_FIELDS:
            np.testing.assert_allclose(got[name], want[name], rtol=0, atol=1e-12,
                                       err_msg=name)
        for name in AT_K_FIELDS:
            np.testing.assert_array_equal(lean[name], got[name], err_msg=name)


def test_score_range_of_stored_entries():
    rng = np.random.default_rng(5)
    m = sp.random(50, 20, density=0.2, random_state=6, format="csr", dtype=np.float64)
    m.data = rng.standard_normal(m.nnz)
    m.data[:5] = 0.0  # a stored zero counts
    t = Thresholding.of(m, threshold=0.5)
    low = np.full(20, np.inf)
    high = np.full(20, -np.inf)
    np.minimum.at(low, m.indices, m.data)
    np.maximum.at(high, m.indices, m.data)
    low[low == np.inf] = np.nan
    high[np.isnan(low)] = np.nan
    np.testing.assert_array_equal(t.low, low)
    np.testing.assert_array_equal(t.high, high)
    assert t.partial
    # float32 entries, and a label without any
    m32 = sp.csr_matrix(([0.25, -1.5, 3.0], ([0, 1, 1], [0, 0, 2])), shape=(2, 4),
                        dtype=np.float32)
    t = Thresholding.of(m32, threshold=0.5)
    np.testing.assert_array_equal(t.low, [-1.5, np.nan, 3.0, np.nan])
    np.testing.assert_array_equal(t.high, [0.25, np.nan, 3.0, np.nan])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans(), st.booleans())
def test_thresholded_top_k_and_sparse_scores_predict_the_kept_entries(seed, inclusive,
                                                                      per_label):
    import labelwise

    rng = np.random.default_rng(seed)
    n, L, width = 12, 7, 4
    y, idx, vals = random_partial(rng, n, L, width, ties=True)  # scores on a 0.1 grid
    thr = np.round(rng.random(L), 1) if per_label else 0.5
    cut = np.broadcast_to(thr, (L,))[idx]
    kept = (vals >= cut) if inclusive else (vals > cut)
    want = np.zeros((n, L), dtype=bool)
    for i in range(n):
        want[i, idx[i][kept[i]]] = True
    hard = labelwise.evaluate(y, want)
    sparse = sp.csr_matrix((vals.ravel(), idx.ravel(), np.arange(0, n * width + 1, width)),
                           shape=(n, L))
    for scores in ((idx, vals), sparse):
        got = labelwise.evaluate(y, y_score=scores, threshold=thr, inclusive=inclusive)
        for name in ("f1_micro", "f1_macro", "precision_samples", "hamming_loss",
                     "subset_accuracy"):
            assert got[name] == hard[name] or (np.isnan(got[name]) and np.isnan(hard[name])), \
                name


def test_float32_sparse_scores_meet_a_threshold_in_their_own_dtype():
    import labelwise

    # float32(0.1) is above the float64 0.1; compared in float32 it equals the threshold
    y = np.array([[1, 0, 1], [0, 1, 1]])
    s = np.array([[0.1, 0.05, 0.7], [0.1, 0.2, 0.0]], dtype=np.float32)
    sparse = sp.csr_matrix(s)
    for inclusive in (False, True):
        dense = labelwise.evaluate(y, y_score=s, threshold=0.1, inclusive=inclusive)
        got = labelwise.evaluate(y, y_score=sparse, threshold=0.1, inclusive=inclusive)
        for name in ("f1_micro", "precision_micro", "recall_micro", "hamming_loss"):
            assert got[name] == dense[name], (name, inclusive)
    # the labels above 0.1 (scores 0.7 and 0.2) are both true: P = 1, R = 2 of 4
    got = labelwise.evaluate(y, y_score=sparse, threshold=0.1)
    assert got["precision_micro"] == 1.0 and got["recall_micro"] == 0.5
