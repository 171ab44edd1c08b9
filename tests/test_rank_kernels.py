"""The plain-loop helpers of the ranking kernels (a heap sort, a binary search, a
sorted merge) against numpy, and rows with more true labels than the counting
path takes (they sort) against scikit-learn, ties and propensities included."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise
import labelwise.metrics
from labelwise import _jit
from labelwise import _pooled_kernels as pooled
from labelwise import _rank_kernels as rank

_jit.materialise(vars(rank))

values = st.lists(st.sampled_from([-np.inf, -1.5, 0.0, 0.25, 0.25, 0.5, 1.0, 3.0]),
                  max_size=40)


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from([np.float32, np.float64]))
def test_heap_sort_sorts_as_numpy_does(xs, dtype):
    a = np.array(xs, dtype=dtype)
    out = a.copy()
    rank._heap_sort(out)
    np.testing.assert_array_equal(out, np.sort(a))


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from([-np.inf, -1.5, 0.25, 0.3, 3.0, 4.0]))
def test_below_counts_as_searchsorted_does(xs, v):
    a = np.sort(np.array(xs, dtype=np.float64))
    assert rank._below(a, v) == np.searchsorted(a, v, side="left")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 20), max_size=15), st.lists(st.integers(0, 20), max_size=15))
def test_merged_is_the_sorted_union(a, b):
    a, b = np.sort(np.array(a, dtype=np.int64)), np.sort(np.array(b, dtype=np.int64))
    np.testing.assert_array_equal(pooled._merged(a, b), np.unique(np.concatenate((a, b))))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ties", [False, True])
def test_rows_with_many_true_labels_match_scikit_learn(dtype, ties):
    rng = np.random.default_rng(9)
    n, L = 60, 600
    y = rng.random((n, L)) < rng.uniform(0.5, 0.95, (n, 1))  # 300 to 570 true labels a row
    sorting = y.sum(axis=1) > rank._SORT_ABOVE
    assert 0.2 < sorting.mean() < 0.9  # rows of both paths, in one batch
    s = rng.random((n, L))
    s = (np.round(s, 1) if ties else s).astype(dtype)
    r = labelwise.evaluate(y, y_score=s)
    s64 = s.astype(np.float64)
    assert r["label_ranking_average_precision"] == pytest.approx(skm.label_ranking_average_precision_score(y, s64),
                                      abs=1e-12)
    assert r["label_ranking_loss"] == pytest.approx(skm.label_ranking_loss(y, s64), abs=1e-12)
    assert r["coverage_error"] == pytest.approx(skm.coverage_error(y, s64), abs=1e-12)


def test_propensity_scored_precision_sorts_the_true_labels_best_first():
    # one row, true labels 0, 1, 2 with inverse propensities 1, 3, 2: the best P@2
    # takes labels 1 and 2 (3 + 2); the scores put labels 0 and 1 on top (1 + 3)
    y = np.array([[1, 1, 1, 0]])
    s = np.array([[0.9, 0.8, 0.1, 0.2]])
    inv = np.array([1.0, 3.0, 2.0, 1.0])
    got = labelwise.metrics.psprecision_at_k(y, s, k=2, inv_propensity=inv)
    assert got == pytest.approx((1.0 + 3.0) / (3.0 + 2.0), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 40), st.integers(1, 30), st.booleans(),
       st.booleans())
def test_truth_csr_is_scipys_csr_on_both_paths(seed, n, L, uint8, compiled):
    from labelwise import _parallel, ranking

    rng = np.random.default_rng(seed)
    y = rng.random((n, L)) < rng.choice([0.0, 0.1, 0.5, 1.0])
    y = y.astype(np.uint8) if uint8 else y
    old = ranking.NUMPY_CELLS, _parallel.SERIAL_CELLS
    try:
        if compiled:  # the kernels, over row blocks on threads
            ranking.NUMPY_CELLS = _parallel.SERIAL_CELLS = 0
        got = ranking.truth_csr(y)
    finally:
        ranking.NUMPY_CELLS, _parallel.SERIAL_CELLS = old
    want = sp.csr_matrix(y.astype(bool))
    assert got.has_sorted_indices and got.dtype == np.bool_ and got.shape == (n, L)
    assert got.indptr.dtype == got.indices.dtype == np.int32
    np.testing.assert_array_equal(got.indptr, want.indptr)
    np.testing.assert_array_equal(got.indices, want.indices)
