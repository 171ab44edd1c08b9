"""Bootstrap intervals: percentile and BCa, checked against numpy, scipy and a coverage simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from labelwise.errors import InputError
from labelwise.stats.intervals import bca_interval, check_level, percentile_interval


def mean_resamples(x, n_resamples, rng):
    """Bootstrap means of ``x`` and its leave-one-out means."""
    idx = rng.integers(0, x.size, size=(n_resamples, x.size))
    return x[idx].mean(axis=1), (x.sum() - x) / (x.size - 1)


# ---------------------------------------------------------------- check_level


@pytest.mark.parametrize("level", [0.5, 0.95, np.float64(0.99), 1e-9])
def test_check_level_accepts(level):
    assert check_level(level) == float(level)
    assert type(check_level(level)) is float


def test_check_level_percentage_hint():
    with pytest.raises(InputError, match=r"^ci must be a confidence level between 0 and 1 "
                       r"\(such as 0\.95\), got 95; divide by 100 to give 0\.95\.$"):
        check_level(95)
    with pytest.raises(InputError, match=r"got 99\.9; divide by 100 to give 0\.999\."):
        check_level(99.9)
    with pytest.raises(InputError, match=r"got 100; divide by 100 to give 1\."):
        check_level(100)


@pytest.mark.parametrize("level", [0, 1, 1.0, -0.5, 150, float("nan"), float("inf")])
def test_check_level_out_of_range(level):
    with pytest.raises(InputError, match=r"ci must be a confidence level between 0 and 1 .*"
                       r"pass a float such as 0\.9, 0\.95 or 0\.99\."):
        check_level(level)


@pytest.mark.parametrize("level", [True, np.bool_(False), "0.95", None, [0.95]])
def test_check_level_not_a_number(level):
    with pytest.raises(InputError, match=r"ci must be a confidence level between 0 and 1 .*"
                       r"of type \w+; pass a float such as 0\.95\."):
        check_level(level)


def test_check_level_names_the_argument():
    with pytest.raises(InputError, match=r"^level must be a confidence level"):
        percentile_interval(np.zeros((3, 1)), 95)
    with pytest.raises(InputError, match=r"^level must be a confidence level"):
        bca_interval(np.zeros((3, 1)), [0.0], np.zeros((3, 1)), 0)


# ---------------------------------------------------------------- array checks


def test_replicates_must_be_2d():
    with pytest.raises(InputError, match=r"replicates must be a 2-D array of shape \(replicates, "
                       r"statistics\), got 1-D shape \(5,\); for a single statistic pass "
                       r"replicates\.reshape\(-1, 1\)\."):
        percentile_interval(np.zeros(5))
    with pytest.raises(InputError, match=r"got 3-D shape \(2, 2, 2\); pass one row per replicate "
                       r"and one column per statistic\."):
        bca_interval(np.zeros((2, 2, 2)), [0, 0], np.zeros((2, 2)))


def test_replicates_need_a_row():
    with pytest.raises(InputError, match=r"replicates must have at least one row, got shape "
                       r"\(0, 3\); pass one row per replicate\."):
        percentile_interval(np.zeros((0, 3)))
    with pytest.raises(InputError, match=r"jackknife must have at least one row"):
        bca_interval(np.zeros((4, 3)), np.zeros(3), np.zeros((0, 3)))


def test_not_numbers():
    with pytest.raises(InputError, match=r"replicates must be an array of numbers, got list that "
                       r"cannot be read as floats; pass numeric values, with NaN for an undefined "
                       r"statistic\."):
        percentile_interval([["a", "b"]])
    with pytest.raises(InputError, match=r"estimate must be an array of numbers, got str"):
        bca_interval(np.zeros((4, 1)), "x", np.zeros((4, 1)))


def test_estimate_shape():
    with pytest.raises(InputError, match=r"estimate must be a 1-D array with one value per "
                       r"statistic, got 0-D shape \(\); wrap a single value as \[value\]\."):
        bca_interval(np.zeros((4, 1)), 0.0, np.zeros((4, 1)))
    with pytest.raises(InputError, match=r"got 2-D shape \(1, 1\); pass one value per statistic\."):
        bca_interval(np.zeros((4, 1)), [[0.0]], np.zeros((4, 1)))
    with pytest.raises(InputError, match=r"estimate has 2 values but replicates has 3 columns; "
                       r"both need one entry per statistic, in the same order\."):
        bca_interval(np.zeros((4, 3)), [0.0, 0.0], np.zeros((4, 3)))


def test_jackknife_columns():
    with pytest.raises(InputError, match=r"jackknife has 2 columns but replicates has 3; both "
                       r"need one column per statistic, in the same order\."):
        bca_interval(np.zeros((4, 3)), np.zeros(3), np.zeros((4, 2)))


# ---------------------------------------------------------------- percentile


@pytest.mark.parametrize("level", [0.5, 0.9, 0.95, 0.99])
def test_percentile_matches_numpy(level):
    rng = np.random.default_rng(1)
    reps = rng.gamma(2.0, size=(1001, 7))
    low, high = percentile_interval(reps, level)
    assert low.shape == high.shape == (7,)
    np.testing.assert_allclose(low, np.quantile(reps, (1 - level) / 2, axis=0), rtol=0, atol=1e-14)
    np.testing.assert_allclose(high, np.quantile(reps, (1 + level) / 2, axis=0), rtol=0, atol=1e-14)


def test_percentile_ignores_nan_per_column():
    rng = np.random.default_rng(2)
    reps = rng.normal(size=(200, 3))
    reps[:50, 0] = np.nan
    reps[:, 2] = np.nan
    low, high = percentile_interval(reps, 0.9)
    np.testing.assert_allclose([low[0], high[0]], np.quantile(reps[50:, 0], [0.05, 0.95]))
    np.testing.assert_allclose([low[1], high[1]], np.quantile(reps[:, 1], [0.05, 0.95]))
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_percentile_no_columns():
    low, high = percentile_interval(np.zeros((10, 0)))
    assert low.shape == high.shape == (0,)
    low, high = bca_interval(np.zeros((10, 0)), np.zeros(0), np.zeros((4, 0)))
    assert low.shape == high.shape == (0,)


# ---------------------------------------------------------------- BCa


def test_bca_symmetric_statistic_close_to_percentile():
    # Mean of a normal sample: no skew, so a ~ 0 and z0 ~ 0 and BCa ~ percentile.
    rng = np.random.default_rng(3)
    x = rng.normal(size=400)
    reps, loo = mean_resamples(x, 20000, rng)
    est = np.array([x.mean()])
    d = loo.mean() - loo
    assert abs((d**3).sum() / (6 * (d**2).sum() ** 1.5)) < 0.01
    assert abs(stats.norm.ppf(np.mean(reps < est[0]))) < 0.05
    p_low, p_high = percentile_interval(reps[:, None], 0.95)
    b_low, b_high = bca_interval(reps[:, None], est, loo[:, None], 0.95)
    width = p_high[0] - p_low[0]
    assert abs(b_low[0] - p_low[0]) < 0.03 * width
    assert abs(b_high[0] - p_high[0]) < 0.03 * width


def test_bca_equals_percentile_when_no_correction():
    # z0 = 0 exactly (half the replicates below the estimate, none tied) and a = 0
    # exactly (constant jackknife): BCa is the percentile interval.
    reps = np.arange(1.0, 101.0)[:, None]  # 50 values below 50.5, 50 above
    low, high = bca_interval(reps, [50.5], np.ones((10, 1)), 0.9)
    p_low, p_high = percentile_interval(reps, 0.9)
    np.testing.assert_allclose([low[0], high[0]], [p_low[0], p_high[0]], rtol=1e-12)


@pytest.mark.parametrize("level", [0.9, 0.95])
def test_bca_matches_scipy_for_skewed_mean(level):
    rng = np.random.default_rng(4)
    x = rng.exponential(size=200)
    ref = stats.bootstrap((x,), np.mean, n_resamples=20000, method="BCa",
                          confidence_level=level, rng=np.random.default_rng(5))
    reps, loo = mean_resamples(x, 20000, np.random.default_rng(6))
    low, high = bca_interval(reps[:, None], [x.mean()], loo[:, None], level)
    ci = ref.confidence_interval
    # Endpoints are about 1 +- 0.15: 1% relative is several Monte Carlo standard errors.
    assert low[0] == pytest.approx(ci.low, rel=0.01)
    assert high[0] == pytest.approx(ci.high, rel=0.01)
    # The skew moves both endpoints to the right of the percentile ones, as scipy's do.
    p_low, p_high = percentile_interval(reps[:, None], level)
    assert low[0] > p_low[0] and high[0] > p_high[0]


def test_bca_same_inputs_as_scipy_internals():
    # Same replicates and jackknife values as scipy computes: identical up to rounding.
    x = np.random.default_rng(7).exponential(size=60)
    ref = stats.bootstrap((x,), np.mean, n_resamples=5000, method="BCa",
                          confidence_level=0.95, rng=np.random.default_rng(8))
    reps = ref.bootstrap_distribution
    loo = (x.sum() - x) / (x.size - 1)
    low, high = bca_interval(reps[:, None], [x.mean()], loo[:, None], 0.95)
    ci = ref.confidence_interval
    np.testing.assert_allclose([low[0], high[0]], [ci.low, ci.high], rtol=1e-9)


def test_bca_many_columns_match_one_at_a_time():
    rng = np.random.default_rng(9)
    data = rng.exponential(size=(5, 80))
    reps = np.empty((3000, 5))
    loo = np.empty((80, 5))
    for j, x in enumerate(data):
        reps[:, j], loo[:, j] = mean_resamples(x, 3000, rng)
    est = data.mean(axis=1)
    low, high = bca_interval(reps, est, loo, 0.9)
    for j in range(5):
        lj, hj = bca_interval(reps[:, [j]], est[[j]], loo[:, [j]], 0.9)
        np.testing.assert_allclose([lj[0], hj[0]], [low[j], high[j]], rtol=1e-12)


def test_bca_constant_statistic():
    low, high = bca_interval(np.full((500, 2), 0.25), [0.25, 0.25],
                             np.column_stack([np.full(9, 0.25), np.linspace(0, 1, 9)]), 0.95)
    assert low.tolist() == [0.25, 0.25]
    assert high.tolist() == [0.25, 0.25]


def test_bca_replicates_all_on_one_side_stay_finite():
    # Every replicate above the estimate: the proportion is clipped, z0 stays finite.
    reps = np.linspace(1.0, 2.0, 100)[:, None]
    low, high = bca_interval(reps, [0.5], np.linspace(0, 1, 10)[:, None], 0.95)
    assert np.isfinite(low[0]) and np.isfinite(high[0])
    assert 1.0 <= low[0] <= high[0] <= 2.0


def test_bca_nan_handling():
    rng = np.random.default_rng(10)
    x = rng.exponential(size=100)
    reps, loo = mean_resamples(x, 4000, rng)
    with_nan = reps.copy()
    with_nan[::4] = np.nan
    table = np.column_stack([with_nan, reps, np.full(4000, np.nan), reps])
    est = np.array([x.mean(), x.mean(), x.mean(), np.nan])
    jack = np.column_stack([loo, loo, loo, loo])
    low, high = bca_interval(table, est, jack, 0.95)
    kept = with_nan[~np.isnan(with_nan)]
    l0, h0 = bca_interval(kept[:, None], est[:1], loo[:, None], 0.95)
    np.testing.assert_allclose([low[0], high[0]], [l0[0], h0[0]], rtol=1e-12)
    assert np.isfinite(low[1]) and np.isfinite(high[1])
    assert np.isnan(low[2:]).all() and np.isnan(high[2:]).all()


def test_bca_jackknife_nan_ignored():
    rng = np.random.default_rng(11)
    x = rng.exponential(size=50)
    reps, loo = mean_resamples(x, 2000, rng)
    jack = np.column_stack([np.append(loo, np.nan), np.append(loo, loo[0])])
    jack[-1, 1] = np.nan
    low, high = bca_interval(np.column_stack([reps, reps]), [x.mean()] * 2, jack, 0.95)
    np.testing.assert_allclose([low[0], high[0]], [low[1], high[1]], rtol=1e-12)
    # an all-NaN jackknife column means no acceleration: a bias-corrected interval
    low_nan, _ = bca_interval(reps[:, None], [x.mean()], np.full((5, 1), np.nan), 0.95)
    low_zero, _ = bca_interval(reps[:, None], [x.mean()], np.ones((5, 1)), 0.95)
    assert low_nan[0] == low_zero[0]


def test_bca_coverage_exponential_mean():
    # 400 exponential samples of n = 50 (true mean 1), each a column of one call.
    rng = np.random.default_rng(12)
    n_sets, n, n_res = 400, 50, 999
    data = rng.exponential(size=(n_sets, n))
    reps = np.empty((n_res, n_sets))
    loo = np.empty((n, n_sets))
    for j, x in enumerate(data):
        reps[:, j], loo[:, j] = mean_resamples(x, n_res, rng)
    low, high = bca_interval(reps, data.mean(axis=1), loo, 0.95)
    coverage = np.mean((low <= 1.0) & (1.0 <= high))
    assert 0.89 <= coverage <= 0.99
    p_low, p_high = percentile_interval(reps, 0.95)
    # the percentile interval is known to under-cover here; BCa should not do worse
    assert coverage >= np.mean((p_low <= 1.0) & (1.0 <= p_high)) - 0.01
