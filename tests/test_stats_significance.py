"""Paired tests: McNemar, Holm, and the shift and permutation p-values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from labelwise.errors import InputError
from labelwise.stats.significance import holm, mcnemar, permutation_pvalue, shift_pvalue

# ---------------------------------------------------------------- McNemar


def test_mcnemar_exact_by_hand():
    # b = 10, c = 3: n = 13 < 25, exact binomial test.
    # P(X <= 3 | n = 13, p = 1/2) = (C(13,0) + C(13,1) + C(13,2) + C(13,3)) / 2**13
    #                            = (1 + 13 + 78 + 286) / 8192 = 378 / 8192
    # two-sided p = 2 * 378 / 8192 = 756 / 8192 = 0.0922851...
    hand = 756 / 8192
    assert mcnemar(10, 3) == pytest.approx(hand, rel=1e-12)
    assert mcnemar(3, 10) == pytest.approx(hand, rel=1e-12)
    assert mcnemar(10, 3) == pytest.approx(stats.binomtest(10, 13, 0.5).pvalue, rel=1e-12)


def test_mcnemar_chi_square_by_hand():
    # b = 40, c = 20: n = 60 >= 25, chi-square with continuity correction.
    # stat = (|40 - 20| - 1)**2 / 60 = 19**2 / 60 = 361 / 60 = 6.01667
    # on one degree of freedom P(chi2 >= s) = P(|Z| >= sqrt(s)) = erfc(sqrt(s / 2))
    #   = erfc(sqrt(361 / 120)) = 0.014171...
    hand = math.erfc(math.sqrt(361 / 120))
    assert hand == pytest.approx(0.014171, abs=1e-6)
    assert mcnemar(40, 20) == pytest.approx(hand, rel=1e-10)
    assert mcnemar(20, 40) == pytest.approx(hand, rel=1e-10)
    # The approximation is close to the exact binomial test at this size.
    assert mcnemar(40, 20) == pytest.approx(stats.binomtest(40, 60, 0.5).pvalue, rel=0.15)


def test_mcnemar_boundaries():
    assert mcnemar(0, 0) == 1.0
    assert isinstance(mcnemar(0, 0), float)
    assert mcnemar(5, 5) == 1.0                          # exact, capped at 1
    assert mcnemar(30, 30) == 1.0                        # chi-square, |b - c| - 1 floored at 0
    assert mcnemar(0, 1) == 1.0                          # 2 * P(X <= 0 | n = 1) = 1
    assert mcnemar(24, 0) == pytest.approx(2 * 0.5**24)  # largest exact case
    assert mcnemar(25, 0) == pytest.approx(stats.chi2.sf(24**2 / 25, 1))


@pytest.mark.parametrize("b, c", [(np.int64(7), np.uint8(2)), (7.0, 2.0), (np.float32(7), 2)])
def test_mcnemar_integer_like_counts(b, c):
    assert mcnemar(b, c) == mcnemar(7, 2)


def test_mcnemar_exact_agrees_with_binomtest_everywhere():
    for n in range(1, 25):
        for b in range(n + 1):
            assert mcnemar(b, n - b) == pytest.approx(stats.binomtest(b, n, 0.5).pvalue, rel=1e-9)


def test_mcnemar_negative():
    with pytest.raises(InputError, match=r"^b must be a non-negative count, got -1; pass the number "
                       r"of samples model A gets right and model B gets wrong, not a difference "
                       r"of counts\.$"):
        mcnemar(-1, 3)
    with pytest.raises(InputError, match=r"^c must be a non-negative count, got -2\.0; pass the "
                       r"number of samples model B gets right and model A gets wrong"):
        mcnemar(3, -2.0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -np.inf])
def test_mcnemar_non_finite(bad):
    with pytest.raises(InputError, match=r"^c must be a finite count, got -?(nan|inf); pass the "
                       r"number of samples model B gets right and model A gets wrong\.$"):
        mcnemar(1, bad)


def test_mcnemar_fraction():
    with pytest.raises(InputError, match=r"^b must be a whole number, got 2\.5; pass the number of "
                       r"samples model A gets right and model B gets wrong, not a rate or a "
                       r"proportion\.$"):
        mcnemar(2.5, 1)


@pytest.mark.parametrize("bad", [True, "10", None, 1j])
def test_mcnemar_not_a_count(bad):
    with pytest.raises(InputError, match=r"^b must be a count \(a non-negative whole number\), "
                       r"got .* of type \w+; pass the number of samples model A gets right"):
        mcnemar(bad, 1)


def test_mcnemar_array():
    with pytest.raises(InputError, match=r"^b must be a single count, got an array of shape \(3,\); "
                       r"pass the number .*, one test at a time\.$"):
        mcnemar([1, 2, 3], 1)


# ---------------------------------------------------------------- Holm


def test_holm_by_hand():
    # sorted: 0.005 (x4 = 0.02), 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> max 0.06)
    # back in input order [0.01, 0.04, 0.03, 0.005] -> [0.03, 0.06, 0.06, 0.02]
    out = holm([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(out, [0.03, 0.06, 0.06, 0.02], rtol=1e-12)


def test_holm_caps_at_one_and_keeps_order():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=50) ** 3
    adj = holm(p)
    order = np.argsort(p)
    assert np.all(np.diff(adj[order]) >= 0)
    assert np.all(adj >= p) and np.all(adj <= 1.0)
    np.testing.assert_array_equal(holm([0.5, 0.6, 0.9]), [1.0, 1.0, 1.0])


def test_holm_ties():
    np.testing.assert_allclose(holm([0.02, 0.02, 0.5]), [0.06, 0.06, 0.5])


def test_holm_nan_does_not_count():
    out = holm([0.01, np.nan, 0.04, np.nan])
    # m = 2: 0.01 x 2 = 0.02, 0.04 x 1 = 0.04
    np.testing.assert_allclose(out, [0.02, np.nan, 0.04, np.nan])
    assert np.isnan(holm([np.nan, np.nan])).all()


def test_holm_shapes():
    p = np.array([[0.01, 0.04], [0.03, 0.005]])
    out = holm(p)
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[0.03, 0.06], [0.06, 0.02]])
    assert holm([]).shape == (0,)
    assert holm(0.2) == pytest.approx(0.2)
    assert holm([0.0, 1.0]).tolist() == [0.0, 1.0]


@pytest.mark.parametrize("bad, shown, where", [([0.1, 1.5], r"1\.5", r"\(1,\)"),
                                               ([[0.1], [-0.2]], r"-0\.2", r"\(1, 0\)"),
                                               ([np.inf], "inf", r"\(0,\)")])
def test_holm_out_of_range(bad, shown, where):
    with pytest.raises(InputError, match=rf"^pvalues must lie between 0 and 1 \(NaN for a test that "
                       rf"was not run\), got {shown} at index {where}; pass raw p-values, not test "
                       rf"statistics or percentages\.$"):
        holm(bad)


def test_holm_not_numbers():
    with pytest.raises(InputError, match=r"^pvalues must be an array of numbers, got list that cannot "
                       r"be read as floats"):
        holm(["a"])


# ---------------------------------------------------------------- shift and permutation


def test_identical_models_give_one():
    zeros = np.zeros((999, 3))
    assert shift_pvalue(np.zeros(3), zeros).tolist() == [1.0, 1.0, 1.0]
    assert permutation_pvalue(np.zeros(3), zeros).tolist() == [1.0, 1.0, 1.0]


def test_tolerance_counts_rounding_ties():
    # 0.1 + 0.2 - 0.3 is 5.6e-17, not 0: within the tolerance of a tie.
    reps = np.full((9, 1), 0.1 + 0.2 - 0.3)
    assert shift_pvalue([0.0], reps).tolist() == [1.0]
    assert permutation_pvalue([0.3], np.full((9, 1), 0.1 + 0.2)).tolist() == [1.0]


def test_clearly_shifted_gives_small_p():
    rng = np.random.default_rng(1)
    reps = 0.05 + 0.01 * rng.standard_normal((999, 1))
    assert shift_pvalue([0.05], reps)[0] == pytest.approx(1 / 1000)
    perm = 0.01 * rng.standard_normal((999, 1))
    assert permutation_pvalue([0.05], perm)[0] == pytest.approx(1 / 1000)
    assert permutation_pvalue([-0.05], perm)[0] == pytest.approx(1 / 1000)  # two-sided


def test_counts_by_hand():
    # observed 0.25; |replicate - observed| = 0.15, 0.55, 0.2, 0.05: 0.55 >= 0.25 -> (1 + 1) / 5
    assert shift_pvalue([0.25], [[0.1], [-0.3], [0.05], [0.2]]).tolist() == [0.4]
    # |permuted| = 0.1, 0.3, 0.05, 0.25: 0.3 and 0.25 (a tie) count -> (1 + 2) / 5
    assert permutation_pvalue([0.25], [[0.1], [-0.3], [0.05], [0.25]]).tolist() == [0.6]


def test_nan_replicates_ignored():
    reps = np.array([[0.1, np.nan, np.nan], [-0.3, 0.0, np.nan], [np.nan, 0.0, np.nan]])
    out = shift_pvalue([0.25, 0.0, 0.1], reps)
    # column 0: 2 valid, one hit -> 2 / 3; column 1: 2 valid, both hit -> 1; column 2: none -> NaN
    np.testing.assert_allclose(out, [2 / 3, 1.0, np.nan])
    out = permutation_pvalue([np.nan, 0.0, 0.1], reps)
    assert np.isnan(out[0]) and out[1] == 1.0 and np.isnan(out[2])


def test_permutation_pvalue_uniform_under_null():
    # Two exchangeable 0/1 vectors x and y; the statistic is mean(x - y), and a swap of the
    # two models' outputs on a sample flips the sign of that sample's difference. With K
    # nonzero differences the sum of randomly signed differences is 2 * Binomial(K, 1/2) - K,
    # which draws the sign flips of all samples at once. The statistic moves in steps of
    # 2 / n, so n is large enough to make p nearly continuous.
    rng = np.random.default_rng(2)
    n_sets, n, n_perm = 300, 5000, 999
    pvalues = np.empty(n_sets)
    for k in range(n_sets):
        d = rng.integers(0, 2, n) - rng.integers(0, 2, n)
        nonzero = np.count_nonzero(d)
        permuted = (2.0 * rng.binomial(nonzero, 0.5, size=n_perm) - nonzero) / n
        pvalues[k] = permutation_pvalue([d.mean()], permuted[:, None])[0]
    below = np.mean(pvalues <= 0.05)
    assert abs(below - 0.05) <= 3 * math.sqrt(0.05 * 0.95 / n_sets)
    # Kolmogorov-Smirnov distance to the uniform: 1.63 / sqrt(N) is the 1% critical
    # value; a little more is allowed for the steps of the statistic and of p = k / 1000.
    ordered = np.sort(pvalues)
    ks = max(np.max(np.arange(1, n_sets + 1) / n_sets - ordered),
             np.max(ordered - np.arange(n_sets) / n_sets))
    assert ks <= 1.63 / math.sqrt(n_sets) + 0.02


def test_permutation_pvalue_with_explicit_swaps():
    # The same null with the swaps drawn sample by sample, on fewer samples: p is never
    # below its level by more than chance (ties make it conservative, not liberal).
    rng = np.random.default_rng(4)
    n_sets, n, n_perm = 300, 200, 999
    pvalues = np.empty(n_sets)
    for k in range(n_sets):
        x, y = rng.integers(0, 2, n), rng.integers(0, 2, n)
        swap = rng.random((n_perm, n)) < 0.5
        permuted = np.where(swap, y - x, x - y).mean(axis=1)
        pvalues[k] = permutation_pvalue([np.mean(x - y)], permuted[:, None])[0]
    for level in (0.05, 0.1, 0.25, 0.5):
        assert np.mean(pvalues <= level) <= level + 3 * math.sqrt(level * (1 - level) / n_sets)
    assert np.mean(pvalues <= 0.5) >= 0.3


def test_shift_pvalue_roughly_uniform_under_null():
    # Paired bootstrap of the mean of a symmetric difference with true mean 0.
    rng = np.random.default_rng(3)
    n_sets, n, n_res = 200, 100, 499
    pvalues = np.empty(n_sets)
    for k in range(n_sets):
        d = rng.standard_normal(n)
        reps = d[rng.integers(0, n, size=(n_res, n))].mean(axis=1)
        pvalues[k] = shift_pvalue([d.mean()], reps[:, None])[0]
    assert abs(np.mean(pvalues < 0.05) - 0.05) <= 3 * math.sqrt(0.05 * 0.95 / n_sets) + 0.01


@pytest.mark.parametrize("func, name", [(shift_pvalue, "replicates"), (permutation_pvalue, "permuted")])
def test_resampling_input_errors(func, name):
    with pytest.raises(InputError, match=rf"^{name} must be a 2-D array of shape \(replicates, "
                       rf"statistics\), got 1-D shape \(4,\); for a single statistic pass "
                       rf"{name}\.reshape\(-1, 1\)\.$"):
        func([0.1], np.zeros(4))
    with pytest.raises(InputError, match=rf"^{name} must have at least one row"):
        func([0.1], np.zeros((0, 1)))
    with pytest.raises(InputError, match=r"^observed must be a 1-D array with one value per "
                       r"statistic, got 0-D shape \(\); wrap a single value as \[value\]\.$"):
        func(0.1, np.zeros((4, 1)))
    with pytest.raises(InputError, match=rf"^observed has 2 values but {name} has 1 column; both "
                       r"need one entry per statistic, in the same order\.$"):
        func([0.1, 0.2], np.zeros((4, 1)))
    with pytest.raises(InputError, match=rf"^{name} must be an array of numbers"):
        func([0.1], [["x"]])
