"""Small dense score inputs take numpy passes instead of compiled kernels (nothing to
compile for a first report): the per-row ranking values and the calibration sums
(the first cells of a process) are the kernels' bit for bit, the adaptive ECE and
ROC-AUC/AP (small inputs) agree to 1e-12, and a first report with scores compiles no
kernel."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelwise
from labelwise import _calibration_kernels, _calibration_numpy, _jit, _partial_kernels
from labelwise import _partial_numpy, _rank_kernels
from labelwise import _budget, _numpy_counts, _rank_numpy, calibration_adaptive, ranking
from labelwise.calibration_bins import uniform_edges
from labelwise.metrics import ece

_jit.materialise(vars(_rank_kernels))
_jit.materialise(vars(_calibration_kernels))
_jit.materialise(vars(_partial_kernels))

TOL = 1e-12
LEVELS = st.sampled_from([0.0, 0.25, 0.5, 0.5, 0.75, 1.0])


@st.composite
def batch(draw, unknown=True):
    """Truth (CSR, sorted indices) and scores with ties, zeros, ones and (optionally)
    -inf entries, rows without true labels and rows of only true labels."""
    n = draw(st.integers(1, 25))
    L = draw(st.integers(1, 9))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    y = np.array(draw(st.lists(st.booleans(), min_size=n * L, max_size=n * L))).reshape(n, L)
    pool = st.one_of(LEVELS, st.floats(0, 1, allow_nan=False))
    if unknown:
        pool = st.one_of(pool, st.just(-np.inf))
    s = np.array(draw(st.lists(pool, min_size=n * L, max_size=n * L))).reshape(n, L)
    t = sp.csr_matrix(y)
    t.sort_indices()
    return t, s.astype(dtype)


def _discounts(ks, L):
    D = ranking.discount_cumsum(int(max(ks)))
    return np.concatenate([D, np.full(max(0, L + 1 - D.shape[0]), D[-1])])


def _same_rows(kernel, twin, n, L, ks, propensities):
    """The per-row values of a kernel (rows ``0:n``) and of its numpy twin, compared
    bit for bit; ``kernel(ks, D, p, lo, hi, vals, at_k, ps)``, ``twin`` without lo, hi."""
    ks = np.array(sorted(k for k in ks if k <= L) or [1], dtype=np.int64)
    D = _discounts(ks, L)
    p = np.linspace(1.0, 3.0, L) if propensities else np.empty(0)
    out = []
    for way in ("kernel", "numpy"):
        vals, at_k = np.full((7, n), 9.0), np.full((3, len(ks), n), 9.0)
        ps = np.zeros((4, len(ks), n))
        if way == "kernel":
            kernel(ks, D, p, 0, n, vals, at_k, ps)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                twin(ks, D, p, vals, at_k, ps)
        out.append((vals, at_k, ps))
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


CUTOFFS = st.lists(st.integers(1, 9), min_size=1, max_size=3, unique=True)


@settings(max_examples=300, deadline=None)
@given(batch(), CUTOFFS, st.booleans())
def test_row_values_are_the_kernels_bit_for_bit(data, ks, propensities):
    t, s = data
    _same_rows(lambda *a: _rank_kernels.dense_rows(t.indptr, t.indices, s, *a),
               lambda *a: _rank_numpy.dense_row_values(t.indptr, t.indices, s, *a),
               *s.shape, ks, propensities)


@st.composite
def partial(draw):
    """CSR truth and CSR scores of some labels per row (unique, sorted), with ties,
    rows without scores and true labels that are not scored."""
    t, s = draw(batch(unknown=False))
    n, L = s.shape
    stored = np.array(draw(st.lists(st.booleans(), min_size=n * L, max_size=n * L)))
    rows, cols = np.nonzero(stored.reshape(n, L))
    negative = draw(st.booleans())  # scores below 0 too: still above every unscored label
    values = s[rows, cols] - (0.5 if negative else 0.0)
    scores = sp.csr_matrix((values.astype(s.dtype), (rows, cols)), shape=(n, L))
    scores.sort_indices()
    return t, scores


@settings(max_examples=300, deadline=None)
@given(partial(), CUTOFFS, st.booleans())
def test_partial_row_values_are_the_kernels_bit_for_bit(data, ks, propensities):
    t, s = data
    args = (t.indptr, t.indices, s.indptr, s.indices, s.data, s.shape[1])
    _same_rows(lambda *a: _partial_kernels.partial_rows(*args, *a),
               lambda *a: _rank_numpy.partial_row_values(*args, *a),
               *s.shape, ks, propensities)


@settings(max_examples=300, deadline=None)
@given(partial(), st.sampled_from([0.0, 0.25, 0.5]), st.booleans(), st.booleans())
def test_small_kernels_of_sparse_scores_are_the_compiled_ones(data, cut, per_label, inclusive):
    _, s = data
    n, L = s.shape
    data_ = s.data.copy()
    data_[::3] = -0.0  # zeros of both signs: the label's first stored one is its end
    low, high = _partial_numpy.entry_range(s.indices, data_, L)
    low0, high0 = _partial_kernels.entry_range(s.indices, data_, L)
    np.testing.assert_array_equal(low, low0)
    np.testing.assert_array_equal(np.signbit(low), np.signbit(low0))
    np.testing.assert_array_equal(np.signbit(high), np.signbit(high0))
    np.testing.assert_array_equal(high, high0)
    cuts = np.linspace(0.0, 0.5, L) if per_label else np.array([cut])
    got = _partial_numpy.kept_entries(s.indptr, s.indices, s.data, cuts, inclusive)
    want = _partial_kernels.kept_entries(s.indptr, s.indices, s.data, cuts, inclusive)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 8), st.integers(1, 6), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_the_top_k_check_finds_what_the_kernel_finds(n, k, L, seed):
    rng = np.random.default_rng(seed)
    idx = rng.integers(-1 if seed % 5 == 0 else 0, L + (seed % 7 == 0), (n, k))
    got = _partial_numpy.topk_problem(idx, L)
    assert tuple(int(x) for x in got) == tuple(int(x) for x in
                                               _partial_kernels.topk_problem(idx, L))


@settings(max_examples=300, deadline=None)
@given(batch(), st.integers(1, 16), st.sampled_from([1e-15, 1e-3]))
def test_calibration_sums_are_the_kernels_bit_for_bit(data, n_bins, eps):
    t, s = data
    n, L = s.shape
    edges = uniform_edges(n_bins)
    w = np.linspace(0.0, 3.0, n)  # a weight of 0 too
    for kernel, weights in ((_calibration_kernels.calibration_sums, None),
                            (_calibration_kernels.calibration_sums_weighted, w)):
        out = [(np.zeros(L * n_bins * 3), np.zeros(L), np.zeros(L)) for _ in range(2)]
        kernel(s, t.indptr, t.indices, *(() if weights is None else (weights,)), edges, eps,
               0, n, *out[0])
        _calibration_numpy.calibration_sums(s, t.indptr, t.indices, edges, eps, *out[1],
                                            w=weights)
        for a, b in zip(*out):
            np.testing.assert_array_equal(a, b)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=batch(), n_bins=st.integers(1, 12), weighted=st.booleans())
def test_adaptive_ece_of_both_paths_and_of_the_sorting_function(data, n_bins, weighted,
                                                                monkeypatch):
    t, s = data
    s = s.astype(np.float64)
    w = np.linspace(0.5, 2.0, s.shape[0]) if weighted else None
    small = calibration_adaptive.adaptive_ece(t, s, w, n_bins)
    monkeypatch.setattr(calibration_adaptive, "NUMPY_CELLS", 0)
    big = calibration_adaptive.adaptive_ece(t, s, w, n_bins)
    monkeypatch.undo()
    assert (np.isnan(small) and np.isnan(big)) or abs(small - big) <= TOL
    if np.isfinite(s).all():
        assert small == pytest.approx(ece(t.toarray(), s, n_bins=n_bins, strategy="quantile",
                                          sample_weight=w), abs=TOL)


def _metrics(y, s, **kw):
    r = labelwise.evaluate(y, y_score=s, **kw)
    return {k: v for k, v in r.metrics.items() if isinstance(v, float)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("decimals", [None, 2])
def test_evaluate_gives_the_same_report_on_either_path(dtype, decimals, monkeypatch):
    rng = np.random.default_rng(4)
    n, L = 400, 12
    s = rng.random((n, L))
    s = (s if decimals is None else np.round(s, decimals)).astype(dtype)
    y = rng.random((n, L)) < s
    y[:5] = False  # rows without true labels
    y[5:8] = True  # rows of only true labels
    kw = dict(inv_propensity=np.linspace(1.0, 4.0, L), k=(1, 3, 5))
    monkeypatch.setattr(_budget.SCORES, "used", 0)  # a budget left: numpy's passes
    small = _metrics(y, s, **kw)
    assert _budget.SCORES.used == 2 * n * L  # the row values and the calibration sums
    for module in (ranking, calibration_adaptive):
        monkeypatch.setattr(module, "NUMPY_CELLS", 0)
    monkeypatch.setattr(_budget.SCORES, "used", _budget.SCORES.cells)  # spent
    big = _metrics(y, s, **kw)
    assert small.keys() == big.keys() and len(small) > 60
    for key in small:
        assert small[key] == pytest.approx(big[key], abs=TOL, nan_ok=True), key
    for key in ("label_ranking_average_precision", "label_ranking_loss", "coverage_error",
                "one_error", "roc_auc_samples", "brier_macro", "log_loss", "ece_macro",
                "ndcg_at_3", "precision_at_5", "psprecision_at_3", "psndcg_at_5"):
        assert small[key] == big[key], key  # the same per-row values and sums, bit for bit


@pytest.mark.parametrize("budget", [_budget.COUNTS, _budget.SCORES], ids=["counts", "scores"])
def test_a_budget_hands_later_inputs_over_to_the_kernels(budget, monkeypatch):
    import numba  # noqa: F401  (loaded or not, the budget decides)

    monkeypatch.setattr(budget, "used", 0)
    monkeypatch.setattr(budget, "cells", 100)
    assert budget.take(60)
    assert not budget.take(60)  # 120 would pass the budget
    assert budget.take(40)
    assert not budget.take(1)
    monkeypatch.setattr(budget, "used", 0)
    monkeypatch.setattr(budget, "cells", 1 << 40)
    assert budget.take(1 << 21) == (budget is _budget.COUNTS)  # scores: too big for numpy
    if budget is _budget.COUNTS:  # the counts' way in
        used = budget.used
        assert _numpy_counts.take(10) and budget.used == used + 10


def test_a_first_report_with_scores_compiles_no_kernel(tmp_path):
    """In a fresh process with an empty kernel cache, reports with dense scores, top-k
    scores and weighted scores on a small input compile nothing: they have nothing to
    wait for."""
    script = textwrap.dedent("""
        import numpy as np, labelwise
        from labelwise import _jit
        compiled = []
        _jit.on_compile(compiled.append)
        rng = np.random.default_rng(0)
        s = np.round(rng.random((5000, 28)), 4)
        y = rng.random((5000, 28)) < s
        r = labelwise.evaluate(y, y_score=s.astype(np.float32))
        assert np.isfinite(r["roc_auc_macro"]) and np.isfinite(r["ece_adaptive_macro"])
        top = np.argsort(-s, axis=1)[:, :5]  # top-k (indices, scores) of the same scores
        r = labelwise.evaluate(y, y_score=(top, np.take_along_axis(s, top, axis=1)))
        assert 0 < r["precision_at_5"] < 1
        r = labelwise.evaluate(y, y_score=s, sample_weight=rng.random(5000) + 0.5)
        assert np.isfinite(r["log_loss"])
        print("compiled:", compiled)
    """)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "compiled: []"
