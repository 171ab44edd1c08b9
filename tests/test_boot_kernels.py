"""ROC-AUC and average precision for many weight vectors at once.

Every replicate ``r`` of :func:`label_auc_ap` and :func:`pooled_auc_ap` is
compared with the single-vector reference ``_auc_ap_weighted`` fed the same
label (or the raveled cells) and the weights ``W[:, r]``: ties, zero weights,
bootstrap counts, float weights, replicates that leave a label without
positives or negatives, float32 and float64 scores.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise._boot_kernels import (
    LabelOrder,
    label_auc_ap,
    pooled_auc_ap,
    pooled_cells,
    sorted_cells,
)
from labelwise.ranking import _auc_ap_weighted

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12, equal_nan=True)


def reference_labels(y, s, W):
    """``(R, L)`` AUC and AP, one label and one replicate at a time."""
    R, L = W.shape[1], y.shape[1]
    auc = np.empty((R, L))
    ap = np.empty((R, L))
    for r in range(R):
        for j in range(L):
            auc[r, j], ap[r, j] = _auc_ap_weighted(y[:, j], s[:, j], W[:, r], True)
    return auc, ap


def reference_pooled(y, s, W):
    """``(R,)`` AUC and AP of the raveled cells, each weighing its sample's weight."""
    L = y.shape[1]
    pairs = [
        _auc_ap_weighted(y.ravel(), s.ravel(), np.repeat(W[:, r], L), True) for r in range(W.shape[1])
    ]
    auc, ap = np.array(pairs, dtype=np.float64).reshape(-1, 2).T
    return auc, ap


def both(y, s, W):
    """The kernels' per-label and pooled results for truth ``y``, scores ``s``, weights ``W``."""
    csr = sp.csr_matrix(y.astype(np.int8))
    csr.sort_indices()
    return label_auc_ap(sorted_cells(csr, s), W), pooled_auc_ap(pooled_cells(csr, s), W)


def check(y, s, W):
    (auc, ap), (micro_auc, micro_ap) = both(y, s, W)
    R, L = W.shape[1], y.shape[1]
    assert auc.shape == ap.shape == (R, L) and auc.dtype == ap.dtype == np.float64
    assert micro_auc.shape == micro_ap.shape == (R,)
    ref_auc, ref_ap = reference_labels(y, s, W)
    close(auc, ref_auc)
    close(ap, ref_ap)
    ref_auc, ref_ap = reference_pooled(y, s, W)
    close(micro_auc, ref_auc)
    close(micro_ap, ref_ap)


WEIGHTS = ("bootstrap", "few", "float", "sparse float", "ones", "with zero replicate")


def weights(rng, n, R, kind):
    if kind == "bootstrap":  # resampling n of n: counts, many zero
        W = rng.multinomial(n, np.full(n, 1 / n), size=R).T
    elif kind == "few":  # one or two draws: most labels lose their positives
        W = rng.multinomial(rng.integers(1, 3), np.full(n, 1 / n), size=R).T
    elif kind == "float":
        W = rng.exponential(size=(n, R))
    elif kind == "sparse float":
        W = rng.random((n, R)) * (rng.random((n, R)) < 0.4)
    elif kind == "ones":
        W = np.ones((n, R))
    else:
        W = rng.random((n, R))
        W[:, rng.integers(R)] = 0.0
    return np.ascontiguousarray(W, dtype=np.float64)


@st.composite
def cases(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(1, 30))
    L = draw(st.integers(1, 4))
    R = draw(st.integers(1, 6))
    density = draw(st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.9, 1.0]))
    ties = draw(st.booleans())
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    kind = draw(st.sampled_from(WEIGHTS))
    rng = np.random.default_rng(seed)
    y = rng.random((n, L)) < density
    if draw(st.booleans()):  # one label true everywhere, another nowhere
        y[:, 0] = True
        y[:, -1] = False
    s = rng.standard_normal((n, L))
    if ties:
        s = np.round(s, 1)  # many ties, -0.0 among them
    return y, s.astype(dtype), weights(rng, n, R, kind)


@settings(max_examples=300, **SETTINGS)
@given(cases())
def test_matches_reference(case):
    check(*case)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", WEIGHTS)
def test_larger_inputs(dtype, kind):
    rng = np.random.default_rng(7)
    n, L, R = 2000, 3, 9
    y = rng.random((n, L)) < np.array([0.02, 0.3, 0.7])
    s = rng.random((n, L))
    s[:, 1] = np.round(s[:, 1], 1)  # one label in ten large tie groups
    check(y, s.astype(dtype), weights(rng, n, R, kind))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_single_sample(dtype):
    # One sample, scores 0.3 and -1.0, weighed 0, 1 and 2.5 in three replicates.
    # Per label there is one class only: AUC NaN; AP 1 if the sample weighs and is true.
    # Pooled, the two cells are one positive and one negative of equal weight:
    # the positive on top gives AUC 1 and AP 1; below, AUC 0 and AP 1/2.
    s = np.array([[0.3, -1.0]], dtype=dtype)
    W = np.array([[0.0, 1.0, 2.5]])
    weighs = W[0] > 0
    for y, micro_auc_expected, micro_ap_expected in (
        (np.array([[True, False]]), 1.0, 1.0),
        (np.array([[False, True]]), 0.0, 0.5),
    ):
        (auc, ap), (micro_auc, micro_ap) = both(y, s, W)
        assert np.isnan(auc).all()
        np.testing.assert_array_equal(ap, np.where(weighs[:, None] & y, 1.0, 0.0))
        np.testing.assert_array_equal(micro_auc, np.where(weighs, micro_auc_expected, np.nan))
        np.testing.assert_array_equal(micro_ap, np.where(weighs, micro_ap_expected, 0.0))
        check(y, s, W)


def test_no_positive_or_negative_weight():
    y = np.array([[1], [0], [1], [0]], dtype=bool)
    s = np.array([[0.4], [0.3], [0.2], [0.1]])
    W = np.array([[0, 1, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0]], dtype=np.float64)
    (auc, ap), (micro_auc, micro_ap) = both(y, s, W)
    # r = 0: negatives only; r = 1: positives only; r = 2: nothing at all
    np.testing.assert_array_equal(auc[:, 0], [np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(ap[:, 0], [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(micro_auc, [np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(micro_ap, [0.0, 1.0, 0.0])


def test_worked_example():
    # Scores 0.9, 0.8, 0.8, 0.1 with truth 1, 0, 1, 0: three tie groups, highest first
    #   g1 = {0.9}: pos = w0,  neg = 0
    #   g2 = {0.8}: pos = w2,  neg = w1
    #   g3 = {0.1}: pos = 0,   neg = w3
    # AUC = sum neg_g * (pos above + pos_g / 2) / (P * N);
    # AP  = sum pos_g / P * (pos at or above) / (all at or above).
    #
    # w = (1, 2, 3, 4): P = 4, N = 6.
    #   AUC = (0 + 2 * (1 + 3/2) + 4 * (4 + 0)) / 24 = (5 + 16) / 24 = 0.875
    #   AP  = 1/4 * 1/1 + 3/4 * 4/6 = 0.25 + 0.5 = 0.75
    # w = (0, 1, 1, 1): P = 1, N = 2; g1 holds no weight.
    #   AUC = (1 * (0 + 1/2) + 1 * (1 + 0)) / 2 = 0.75
    #   AP  = 1/1 * 1/2 = 0.5
    # w = (0, 1, 0, 1): P = 0: AUC NaN, AP 0.
    # w = (1, 0, 1, 0): N = 0: AUC NaN; AP = 1/2 * 1/1 + 1/2 * 2/2 = 1.0
    y = np.array([[1], [0], [1], [0]], dtype=bool)
    s = np.array([[0.9], [0.8], [0.8], [0.1]])
    W = np.array([[1, 0, 0, 1], [2, 1, 1, 0], [3, 1, 0, 1], [4, 1, 1, 0]], dtype=np.float64)
    (auc, ap), (micro_auc, micro_ap) = both(y, s, W)
    close(auc[:, 0], [0.875, 0.75, np.nan, np.nan])
    close(ap[:, 0], [0.75, 0.5, 0.0, 1.0])
    close(micro_auc, auc[:, 0])  # one label: the pooled cells are the label's
    close(micro_ap, ap[:, 0])
    check(y, s, W)


def test_worked_example_pooled():
    # Cells (sample, label): (0,0) 0.9 pos, (0,1) 0.2 neg, (1,0) 0.5 neg, (1,1) 0.5 pos.
    # Sample weights 1 and 2. Groups, highest first:
    #   0.9: pos 1;  0.5: pos 2, neg 2;  0.2: neg 1.   P = 3, N = 3.
    #   AUC = (0 + 2 * (1 + 2/2) + 1 * (3 + 0)) / 9 = 7/9
    #   AP  = 1/3 * 1/1 + 2/3 * 3/5 = 1/3 + 2/5 = 11/15
    y = np.array([[1, 0], [0, 1]], dtype=bool)
    s = np.array([[0.9, 0.2], [0.5, 0.5]])
    W = np.array([[1.0], [2.0]])
    csr = sp.csr_matrix(y.astype(np.int8))
    order = pooled_cells(csr, s)
    np.testing.assert_array_equal(order.rows, [[0, 1, 1, 0]])
    np.testing.assert_array_equal(order.truth, [[True, False, True, False]])
    np.testing.assert_array_equal(order.new_group, [[True, True, False, True]])
    auc, ap = pooled_auc_ap(order, W)
    close(auc, [7 / 9])
    close(ap, [11 / 15])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_orders(dtype):
    rng = np.random.default_rng(3)
    n, L = 50, 3
    y = rng.random((n, L)) < 0.4
    s = np.round(rng.standard_normal((n, L)), 1).astype(dtype)
    s[:3, 0] = [0.0, -0.0, 0.0]  # signed zeros tie
    csr = sp.csr_matrix(y.astype(np.int8))
    order = sorted_cells(csr, s)
    assert isinstance(order, LabelOrder)
    assert order.rows.shape == order.truth.shape == order.new_group.shape == (L, n)
    assert order.rows.dtype == np.int32
    assert order.truth.dtype == order.new_group.dtype == np.bool_
    for j in range(L):
        expected = np.argsort(-s[:, j], kind="stable")
        np.testing.assert_array_equal(order.rows[j], expected)
        np.testing.assert_array_equal(order.truth[j], y[expected, j])
        ordered = s[expected, j]
        np.testing.assert_array_equal(order.new_group[j], np.r_[True, ordered[1:] != ordered[:-1]])
    pooled = pooled_cells(csr, s)
    assert pooled.rows.shape == pooled.truth.shape == pooled.new_group.shape == (1, n * L)
    assert pooled.rows.dtype == np.int32
    cells = np.argsort(-s.ravel(), kind="stable")
    np.testing.assert_array_equal(pooled.rows[0], cells // L)
    np.testing.assert_array_equal(pooled.truth[0], y.ravel()[cells])
    ordered = s.ravel()[cells]
    np.testing.assert_array_equal(pooled.new_group[0], np.r_[True, ordered[1:] != ordered[:-1]])


def test_float32_and_float64_orders_agree():
    rng = np.random.default_rng(5)
    y = rng.random((300, 4)) < 0.3
    s32 = np.round(rng.standard_normal((300, 4)), 1).astype(np.float32)
    csr = sp.csr_matrix(y.astype(np.int8))
    for make in (sorted_cells, pooled_cells):
        a, b = make(csr, s32), make(csr, s32.astype(np.float64))
        for x, z in zip(a, b):
            np.testing.assert_array_equal(x, z)


def test_empty_and_degenerate_shapes():
    W = np.ones((3, 2))
    csr = sp.csr_matrix(np.zeros((3, 0), dtype=np.int8))
    auc, ap = label_auc_ap(sorted_cells(csr, np.zeros((3, 0))), W)
    assert auc.shape == ap.shape == (2, 0)
    y = np.ones((3, 1), dtype=bool)
    s = np.zeros((3, 1))
    auc, ap = label_auc_ap(sorted_cells(sp.csr_matrix(y), s), np.empty((3, 0)))
    assert auc.shape == ap.shape == (0, 1)
    with pytest.raises(ValueError):
        label_auc_ap(sorted_cells(sp.csr_matrix(y), s), np.ones((2, 2)))


def test_weights_any_layout():
    rng = np.random.default_rng(11)
    y = rng.random((40, 2)) < 0.5
    s = rng.random((40, 2))
    W = np.asfortranarray(rng.random((40, 5)))
    (auc, ap), (micro_auc, micro_ap) = both(y, s, W)
    (auc_c, ap_c), (micro_auc_c, micro_ap_c) = both(y, s, np.ascontiguousarray(W))
    for a, b in ((auc, auc_c), (ap, ap_c), (micro_auc, micro_auc_c), (micro_ap, micro_ap_c)):
        np.testing.assert_array_equal(a, b)
    check(y, s, W)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="numba has a single thread")
@pytest.mark.parametrize("L", [1, 5])
def test_thread_count_does_not_change_results(L):
    rng = np.random.default_rng(13)
    n, R = 3000, 7
    y = rng.random((n, L)) < 0.2
    s = np.round(rng.random((n, L)), 2)
    W = weights(rng, n, R, "float")
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = both(y, s, W)
        numba.set_num_threads(2)
        two = both(y, s, W)
    finally:
        numba.set_num_threads(before)
    for a, b in zip(one, two):
        for x, z in zip(a, b):
            np.testing.assert_array_equal(x, z)
