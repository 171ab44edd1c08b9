"""The pooled sort of exact ROC-AUC and AP (``ranking.auc_ap``, ``_pooled_kernels``).

Unweighted float32 and float64 scores take one pooled sort of packed keys, bucket by
bucket; the numbers must be scikit-learn's, and those of the per-label path that
weighted scores take, whatever the ties, signed zeros, subnormals and infinities,
serially and on the thread pool (both forced here on small inputs).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.metrics as skm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise import ranking
from labelwise.calibration_adaptive import KeyQuantiles, adaptive_ece

TOL = 1e-12
SPECIAL = (0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, 1e-45, 0.25, 0.5,
           np.nextafter(0.5, 1.0), 0.75, 1.0, 3.0, -2.0, np.inf, -np.inf)


def csr(y: np.ndarray) -> sp.csr_matrix:
    t = sp.csr_matrix(y.astype(bool))
    t.sort_indices()
    return t


def per_label(y: np.ndarray, s: np.ndarray):
    """The per-label path (weights of 1 take it), which sorts each column apart."""
    return ranking.auc_ap(csr(y), s, np.ones(s.shape[0]))


def assert_same(a, b, tol=TOL):
    np.testing.assert_allclose(a.label_auc, b.label_auc, rtol=0, atol=tol, equal_nan=True)
    np.testing.assert_allclose(a.label_ap, b.label_ap, rtol=0, atol=tol)
    for x, z in ((a.micro_auc, b.micro_auc), (a.micro_ap, b.micro_ap)):
        assert (math.isnan(x) and math.isnan(z)) or abs(x - z) <= tol


@pytest.fixture(autouse=True)
def pooled_when_small(monkeypatch):
    """Small inputs take the pooled sort too (they sort per label with numpy otherwise)."""
    monkeypatch.setattr(ranking, "NUMPY_CELLS", 0)


@pytest.fixture(params=["serial", "threads"])
def path(request, monkeypatch):
    """Run the pooled sort serially, or on threads with many buckets even when small
    (the same setting for every generated input)."""
    if request.param == "threads":
        monkeypatch.setattr(ranking, "SERIAL_CELLS", 0)
        monkeypatch.setattr("os.cpu_count", lambda: 2)  # the pool, even on one core
    return request.param


@st.composite
def scored(draw, special=True):
    n = draw(st.integers(1, 40))
    L = draw(st.integers(1, 6))
    y = np.array(draw(st.lists(st.booleans(), min_size=n * L, max_size=n * L))).reshape(n, L)
    values = st.sampled_from(SPECIAL) if special else st.sampled_from(SPECIAL[:-2])
    pool = st.one_of(values, st.floats(-4, 4, allow_nan=False, width=64))
    s = np.array(draw(st.lists(pool, min_size=n * L, max_size=n * L))).reshape(n, L)
    return y, s


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=scored(special=False))
def test_float64_pooled_equals_sklearn(data, path):
    y, s = data
    found = ranking.auc_ap(csr(y), s)
    for j in range(y.shape[1]):
        if 0 < y[:, j].sum() < y.shape[0]:
            assert found.label_auc[j] == pytest.approx(skm.roc_auc_score(y[:, j], s[:, j]),
                                                       abs=TOL)
        else:
            assert math.isnan(found.label_auc[j])
        if y[:, j].any():
            assert found.label_ap[j] == pytest.approx(
                skm.average_precision_score(y[:, j], s[:, j]), abs=TOL)
    if 0 < y.sum() < y.size:
        assert found.micro_auc == pytest.approx(skm.roc_auc_score(y.ravel(), s.ravel()),
                                                abs=TOL)
    if y.any():
        assert found.micro_ap == pytest.approx(
            skm.average_precision_score(y.ravel(), s.ravel()), abs=TOL)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=scored())
def test_pooled_equals_the_per_label_path_with_infinities(data, path):
    y, s = data
    assert_same(ranking.auc_ap(csr(y), s), per_label(y, s))
    s32 = s.astype(np.float32)
    assert_same(ranking.auc_ap(csr(y), s32), per_label(y, s32))


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=scored())
def test_float64_equals_float32_on_float32_values(data, path):
    y, s = data
    s32 = s.astype(np.float32)  # every value of s32 is a float64 value as well
    assert_same(ranking.auc_ap(csr(y), s32.astype(np.float64)), ranking.auc_ap(csr(y), s32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_inputs_on_threads_equal_sklearn_and_the_adaptive_ece(dtype):
    rng = np.random.default_rng(7)
    n, L = 30_000, 72  # above the serial size: buckets on the thread pool
    y = rng.random((n, L)) < np.geomspace(0.3, 0.003, L)
    s = np.round(rng.random((n, L)), 3).astype(dtype)  # ties within and across labels
    s[:, 5] = 0.5  # one label all tied
    y[:, 6] = False  # one label without positives
    read = KeyQuantiles(15)
    found = ranking.auc_ap(csr(y), s, quantiles=read)
    assert_same(found, per_label(y, s))
    defined = [j for j in range(L) if 0 < y[:, j].sum() < n]
    assert np.nanmean(found.label_auc) == pytest.approx(
        skm.roc_auc_score(y[:, defined], s[:, defined], average="macro"), abs=TOL)
    assert found.micro_auc == pytest.approx(skm.roc_auc_score(y, s, average="micro"), abs=TOL)
    assert found.micro_ap == pytest.approx(
        skm.average_precision_score(y, s, average="micro"), abs=TOL)
    assert read.ece() == pytest.approx(adaptive_ece(csr(y), s, None, 15), abs=TOL)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_bins", [15, 4])
def test_key_quantiles_leave_unknown_entries_out(dtype, n_bins):
    """Unknown entries (scored -inf, the lowest of their label) are in no bin, and each
    label's equal-mass edges are those of its known scores: the adaptive ECE equals
    the reference's, which leaves them out; a label with no known score has none."""
    rng = np.random.default_rng(13)
    n, L = 30_000, 40  # above the serial size: buckets on the thread pool
    y = rng.random((n, L)) < np.geomspace(0.4, 0.01, L)
    s = np.round(rng.random((n, L)), 3).astype(dtype)
    unknown = (rng.random((n, L)) < np.linspace(0.0, 0.5, L)) & ~y
    unknown[:, 7] = ~y[:, 7]  # a label whose known entries are its positives only
    unknown[:, 8] = True  # a label with no known entry
    y[:, 8] = False
    s[unknown] = -np.inf
    read = KeyQuantiles(n_bins, unknown=unknown.sum(axis=0))
    ranking.auc_ap(csr(y), s, quantiles=read)
    assert read.bins is not None
    np.testing.assert_array_equal(read.bins[:, :, 0].sum(axis=1), (~unknown).sum(axis=0))
    np.testing.assert_array_equal(read.bins[:, :, 2].sum(axis=1), y.sum(axis=0))
    assert read.ece() == pytest.approx(adaptive_ece(csr(y), s, None, n_bins), abs=TOL)
    blind = KeyQuantiles(n_bins)  # not told of the unknown entries: they spoil the bins
    ranking.auc_ap(csr(y), s, quantiles=blind)
    assert not np.isfinite(blind.ece())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pooled_sums_do_not_depend_on_which_task_ends_first(dtype, monkeypatch):
    rng = np.random.default_rng(11)
    n, L = 40_000, 60  # above the serial size: several tasks
    y = rng.random((n, L)) < 0.2
    s = (0.3 * rng.random((n, L)) + 0.7 * y * rng.random((n, L))).astype(dtype)
    in_order = ranking.auc_ap(csr(y), s)

    def backwards(run, n_tasks):  # the tasks end in the reverse order
        for q in reversed(range(n_tasks)):
            run(q)

    monkeypatch.setattr(ranking, "run_all", backwards)
    reversed_order = ranking.auc_ap(csr(y), s)
    for a, b in zip(in_order, reversed_order):  # bit for bit, not just close
        assert np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def test_pooled_tasks_do_not_depend_on_the_number_of_cores(monkeypatch):
    rng = np.random.default_rng(12)
    y = rng.random((40_000, 60)) < 0.2
    s = rng.random((40_000, 60)).astype(np.float32)
    here = ranking.auc_ap(csr(y), s)
    monkeypatch.setattr("os.cpu_count", lambda: 1)  # serially, as on one core
    one_core = ranking.auc_ap(csr(y), s)
    for a, b in zip(here, one_core):
        assert np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def test_key_quantiles_decode_codes_of_decimals(path):
    rng = np.random.default_rng(8)
    p = np.round(rng.random((3000, 5)), 2)
    y = rng.random((3000, 5)) < p
    read = KeyQuantiles(10, places=2)
    ranking.auc_ap(csr(y), p.astype(np.float32), quantiles=read)
    assert read.ece() == pytest.approx(adaptive_ece(csr(y), p, None, 10), abs=TOL)


def test_key_quantiles_stay_empty_without_the_pooled_sort():
    rng = np.random.default_rng(9)
    p = rng.random((50, 3))
    y = rng.random((50, 3)) < p
    read = KeyQuantiles(5)
    ranking.auc_ap(csr(y), p, np.ones(50), quantiles=read)  # weighted: sorted apart
    assert read.bins is None and read.ece() is None


def test_float64_with_more_labels_than_the_keys_hold_sorts_apart():
    rng = np.random.default_rng(10)
    n, L = 3, 2**15 + 1  # label << 1 | truth needs 17 bits: no room in 64 with 48 of score
    y = rng.random((n, L)) < 0.5
    s = rng.random((n, L))
    assert ranking._pooled(csr(y), s) is None
    assert_same(ranking.auc_ap(csr(y), s), per_label(y, s))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_buckets_taken_in_groups_give_the_same_numbers(dtype, path, monkeypatch):
    rng = np.random.default_rng(11)
    y = rng.random((4000, 9)) < 0.2
    s = np.round(rng.random((4000, 9)), 2).astype(dtype)
    read_whole = KeyQuantiles(7)
    whole = ranking.auc_ap(csr(y), s, quantiles=read_whole)
    monkeypatch.setattr(ranking, "_KEY_BUDGET", 0)
    monkeypatch.setattr(ranking, "_KEY_SHARE", 0.05)  # keys for a few buckets at a time
    read = KeyQuantiles(7)
    assert_same(ranking.auc_ap(csr(y), s, quantiles=read), whole)
    assert_same(whole, per_label(y, s))
    np.testing.assert_allclose(read.bins, read_whole.bins, rtol=TOL)  # sums, other order


def test_float32_with_many_labels_takes_64_bit_keys(path):
    rng = np.random.default_rng(12)
    n, L = 40, 5000  # 32-bit keys would need too many narrow buckets
    y = rng.random((n, L)) < 0.3
    s = rng.random((n, L)).astype(np.float32) ** 8  # over many binades
    found = ranking._pooled(csr(y), s)
    assert found is not None
    assert_same(found, per_label(y, s))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([np.uint32, np.uint64]), st.integers(0, 3000),
       st.integers(0, 63), st.integers(1, 64), st.integers(0, 2**32 - 1))
def test_bucket_sort_matches_numpy(dtype, size, low_bit, n_bits, seed):
    """The radix sort of a bucket's keys gives numpy's order, whichever bits vary:
    a few low ones, a band in the middle (keys sharing their low and high bits, as
    float64 scores that are float32 values do), or all of them."""
    from labelwise import _pooled_kernels as pk

    width = 8 * np.dtype(dtype).itemsize
    low_bit = min(low_bit, width - 1)
    n_bits = min(n_bits, width - low_bit)
    rng = np.random.default_rng(seed)
    fixed = rng.integers(0, 2**63, dtype=np.uint64).astype(dtype)
    band = ((1 << n_bits) - 1) << low_bit
    varying = rng.integers(0, 2**63, size, dtype=np.uint64) << np.uint64(1)
    varying |= rng.integers(0, 2, size, dtype=np.uint64)
    keys = ((fixed & dtype(~band & (2**width - 1))) | (varying.astype(dtype) & dtype(band)))
    keys = keys.astype(dtype)
    expected = np.sort(keys)
    spare = np.empty(size + int(rng.integers(0, 5)), dtype=dtype)
    pk.sort_bucket(keys, spare)
    np.testing.assert_array_equal(keys, expected)


def test_bucket_sort_small_and_equal_keys():
    """No key, one key, and keys that are all the same are left as they are."""
    from labelwise import _pooled_kernels as pk

    for keys in (np.zeros(0, np.uint32), np.array([7], np.uint64),
                 np.full(9, 2**40 + 3, np.uint64)):
        before = keys.copy()
        pk.sort_bucket(keys, np.empty(keys.shape[0], keys.dtype))
        np.testing.assert_array_equal(keys, before)
    keys = np.array([3, 1, 2, 1], np.uint32)
    pk.sort_bucket(keys, np.empty(4, np.uint32))
    assert keys.tolist() == [1, 1, 2, 3]


def test_key_sort_choice_changes_no_result(monkeypatch):
    """The pooled sort takes numpy's sort or the radix sort, whichever it timed faster;
    both give the same keys, so the same numbers, and a choice is made for each width."""
    from labelwise import _key_sort

    rng = np.random.default_rng(5)
    y = rng.random((3000, 40)) < 0.1
    s = rng.random((3000, 40)).astype(np.float32)
    s[:, 3] = np.round(s[:, 3], 1)  # ties
    monkeypatch.setattr(ranking, "SERIAL_CELLS", 0)  # buckets from a sample of the keys
    monkeypatch.setattr(_key_sort, "_CHOSEN", {})
    first = {dtype: ranking.auc_ap(csr(y), s.astype(dtype))
             for dtype in (np.float32, np.float64)}
    assert set(_key_sort._CHOSEN) == {np.uint32, np.uint64}
    assert_same(first[np.float32], per_label(y, s))
    for numpy_sort in (True, False):
        monkeypatch.setattr(_key_sort, "_CHOSEN", {np.uint32: numpy_sort,
                                                   np.uint64: numpy_sort})
        for dtype in (np.float32, np.float64):
            assert_same(ranking.auc_ap(csr(y), s.astype(dtype)), first[dtype], tol=0)
        for dtype in (np.uint32, np.uint64):
            keys = rng.integers(0, 2**31, 999).astype(dtype)
            sorted_keys = keys.copy()
            _key_sort.sort_keys(sorted_keys, np.empty_like(keys))
            np.testing.assert_array_equal(sorted_keys, np.sort(keys))
