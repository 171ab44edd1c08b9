"""``labelwise.compare``: paired tests between models evaluated on the same samples.

Every p-value, difference and interval here is checked against something computed
independently: hand-worked McNemar tables, scipy's binomial and chi-square tests, a
plain numpy bootstrap loop over scikit-learn's ``f1_score``, the calibration of the
permutation test under a simulated null, and real models trained on Mulan's yeast
data from ``../shared/data`` beside the repository (skipped when that is absent).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import labelwise
from labelwise import InputError
from labelwise.comparison import compare_accumulators
from labelwise.engine import Accumulator

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"

LABEL_METRICS = ("subset_accuracy", "hamming_loss", "f1_micro", "f1_macro", "f1_samples")
SCORE_METRICS = LABEL_METRICS + ("roc_auc_macro", "average_precision_macro",
                                 "label_ranking_average_precision")
TESTS = ("paired_bootstrap", "permutation", "mcnemar")
LOWER_IS_BETTER = {"hamming_loss"}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def noisy(rng, y, keep):
    """Each cell of ``y`` kept with probability ``keep``, else flipped."""
    return np.where(rng.random(y.shape) < keep, y, ~y)


def good_and_poor(seed=0, n=600, n_labels=5, prevalence=0.3):
    rng = np.random.default_rng(seed)
    y = rng.random((n, n_labels)) < prevalence
    return y, noisy(rng, y, 0.93), noisy(rng, y, 0.70)


def scores_of(rng, y, signal):
    """Scores in (0, 1) that rank true labels higher by ``signal``, never exactly 0 or 1."""
    z = signal * (2 * y.astype(float) - 1) + rng.standard_normal(y.shape)
    return 1.0 / (1.0 + np.exp(-z))


def exact_rows(y_true, right):
    """Predictions equal to ``y_true`` on rows where ``right`` holds, and with the first
    label flipped on the others (so the row is not an exact match)."""
    pred = y_true.copy()
    pred[~right, 0] = ~pred[~right, 0]
    return pred


def mcnemar_data(pattern_counts, n_labels=3, seed=0):
    """y_true and one prediction per model from ``{(right_a, right_b, ...): count}``:
    each sample is an exact match exactly for the models marked 1 in its pattern."""
    rng = np.random.default_rng(seed)
    patterns = [p for p, c in pattern_counts.items() for _ in range(c)]
    rng.shuffle(patterns)
    right = np.array(patterns, dtype=bool)
    y = rng.random((len(patterns), n_labels)) < 0.4
    return y, [exact_rows(y, right[:, j]) for j in range(right.shape[1])]


def holm_by_hand(p):
    """Holm's step-down: sort, multiply the i-th smallest by m - i, running maximum, cap."""
    p = list(p)
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out, running = [0.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, (m - rank) * p[i])
        out[i] = min(1.0, running)
    return out


def same_result(c1, c2):
    """Every number of two comparisons equal (NaN equal to NaN)."""
    def eq(a, b):
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(eq(a[k], b[k]) for k in a)
        if isinstance(a, tuple):
            return len(a) == len(b) and all(eq(x, y) for x, y in zip(a, b))
        return (a == b) or (math.isnan(a) and math.isnan(b))

    return all(eq(getattr(c1, name), getattr(c2, name))
               for name in ("values", "intervals", "differences", "pvalues", "raw_pvalues"))


# --------------------------------------------------------------------------
# 1. a clearly better model is significant, whatever the test
# --------------------------------------------------------------------------


@pytest.mark.parametrize("test", TESTS)
def test_clearly_better_model_is_significant(test):
    y, good, poor = good_and_poor()
    R = 999
    c = labelwise.compare(y, {"good": good, "poor": poor}, test=test, n_resamples=R, seed=3)
    expected = ("subset_accuracy",) if test == "mcnemar" else LABEL_METRICS
    assert c.metrics == expected
    for x in c.metrics:
        p = c.pvalue(x, "good", "poor")
        assert p < 0.01, (x, p)
        if test != "mcnemar":
            assert p >= 1 / (R + 1)  # a resampling p-value is never below 1 / (R + 1)
        d, lo, hi = c.difference(x, "good", "poor")
        assert lo <= d <= hi
        if x in LOWER_IS_BETTER:
            assert hi < 0, (x, d, lo, hi)
        else:
            assert lo > 0, (x, d, lo, hi)
        assert c.better(x, "good", "poor")
        assert not c.better(x, "poor", "good")
        assert c.best(x) == "good"
        # the reversed question is the mirror image
        assert c.difference(x, "poor", "good") == pytest.approx((-d, -hi, -lo))
        assert c.pvalue(x, "poor", "good") == p
    assert c.significantly_better("good")
    assert not c.significantly_better("poor")
    # the values are the plain metrics of each model
    for name, pred in (("good", good), ("poor", poor)):
        assert c.values["subset_accuracy"][name] == pytest.approx(np.mean(np.all(pred == y, 1)))
    assert c.values["subset_accuracy"]["good"] > c.values["subset_accuracy"]["poor"]


def test_clearly_better_model_with_scores_on_every_default_metric():
    rng = np.random.default_rng(1)
    y = rng.random((500, 4)) < 0.35
    strong, weak = scores_of(rng, y, 2.5), scores_of(rng, y, 0.4)
    c = labelwise.compare(y, {"strong": strong, "weak": weak}, n_resamples=999, seed=0)
    assert c.metrics == SCORE_METRICS
    assert c.significantly_better("strong")
    assert not c.significantly_better("weak")
    from sklearn.metrics import roc_auc_score

    assert c.values["roc_auc_macro"]["strong"] == pytest.approx(
        roc_auc_score(y, strong, average="macro"))


def test_significantly_better_needs_every_metric_and_every_rival():
    """Three models: the best beats both; the middle one beats only one, so it is not
    significantly better overall, but is on the metrics asked about one rival."""
    rng = np.random.default_rng(5)
    y = rng.random((800, 4)) < 0.3
    models = {"top": noisy(rng, y, 0.95), "mid": noisy(rng, y, 0.8), "low": noisy(rng, y, 0.6)}
    c = labelwise.compare(y, models, n_resamples=999, seed=0)
    assert c.significantly_better("top")
    assert c.significantly_better("top", metrics=["f1_micro"])
    assert not c.significantly_better("mid")
    assert all(c.better(x, "mid", "low") for x in c.metrics)
    assert not c.significantly_better("low", metrics=["hamming_loss"])


# --------------------------------------------------------------------------
# 2. a model against an exact copy of itself
# --------------------------------------------------------------------------


def _assert_identical_pair(c):
    assert len(c.metrics) > 0
    for x in c.metrics:
        assert c.differences[(x, "a", "b")] == (0.0, 0.0, 0.0), x
        assert c.difference(x, "a", "b") == (0.0, 0.0, 0.0), x
        assert c.raw_pvalues[(x, "a", "b")] == 1.0, x
        assert c.pvalue(x, "a", "b") == 1.0, x
        assert c.values[x]["a"] == c.values[x]["b"]
        assert c.intervals[x]["a"] == c.intervals[x]["b"]
        assert not c.better(x, "a", "b") and not c.better(x, "b", "a")
        assert c.best(x) == "a"  # the first one on ties


@pytest.mark.parametrize("test", TESTS)
def test_copy_of_itself_with_hard_labels(test):
    y, good, _ = good_and_poor(seed=2, n=300)
    c = labelwise.compare(y, {"a": good, "b": good.copy()}, test=test, n_resamples=500,
                          seed=0)
    assert c.metrics == (("subset_accuracy",) if test == "mcnemar" else LABEL_METRICS)
    _assert_identical_pair(c)


@pytest.mark.parametrize("test", ["paired_bootstrap", "mcnemar"])
def test_copy_of_itself_with_scores_default_metrics(test):
    rng = np.random.default_rng(4)
    y = rng.random((300, 4)) < 0.35
    s = scores_of(rng, y, 1.0)
    c = labelwise.compare(y, {"a": s, "b": s.copy()}, test=test, n_resamples=500, seed=0)
    assert c.metrics == (("subset_accuracy",) if test == "mcnemar" else SCORE_METRICS)
    _assert_identical_pair(c)


def test_copy_of_itself_with_scores_permutation_sum_metrics():
    """The permutation test on the default metrics it accepts with scores (the label
    metrics at threshold 0.5, and precision at k)."""
    rng = np.random.default_rng(4)
    y = rng.random((300, 4)) < 0.35
    s = scores_of(rng, y, 1.0)
    c = labelwise.compare(y, {"a": s, "b": s.copy()}, test="permutation",
                          metrics=LABEL_METRICS + ("precision_at_1",), n_resamples=500, seed=0)
    _assert_identical_pair(c)


def test_permutation_default_metrics_with_scores_run():
    rng = np.random.default_rng(4)
    y = rng.random((300, 4)) < 0.35
    s = scores_of(rng, y, 1.0)
    c = labelwise.compare(y, {"a": s, "b": s.copy()}, test="permutation", n_resamples=200,
                          seed=0)
    assert set(LABEL_METRICS) <= set(c.metrics)
    assert "roc_auc_macro" not in c.metrics


def test_permutation_on_samples_averaged_score_metrics():
    rng = np.random.default_rng(4)
    y = rng.random((300, 4)) < 0.35
    strong, weak = scores_of(rng, y, 2.5), scores_of(rng, y, 0.2)
    metrics = ["label_ranking_average_precision", "roc_auc_samples",
               "average_precision_samples"]
    c = labelwise.compare(y, {"a": strong, "b": strong.copy()}, test="permutation",
                          metrics=metrics, n_resamples=200, seed=0)
    assert all(c.raw_pvalues[(x, "a", "b")] == 1.0 for x in metrics), c.raw_pvalues
    c = labelwise.compare(y, {"a": strong, "b": weak}, test="permutation",
                          metrics=metrics, n_resamples=200, seed=0)
    assert all(c.raw_pvalues[(x, "a", "b")] < 0.01 for x in metrics), c.raw_pvalues


# --------------------------------------------------------------------------
# 3. the permutation test is calibrated under the null
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_permutation_pvalues_uniform_under_exchangeable_models():
    """Two models whose outputs for each sample are two independent draws of the same
    noisy predictor are exchangeable sample by sample: the null of the test holds
    exactly, so P(p <= 0.05) <= 0.05 and the p-values are close to uniform."""
    n_sets, R = 200, 199
    pvalues = []
    for i in range(n_sets):
        rng = np.random.default_rng(1000 + i)
        y = rng.random((150, 4)) < 0.3
        a, b = noisy(rng, y, 0.75), noisy(rng, y, 0.75)
        c = labelwise.compare(y, {"a": a, "b": b}, test="permutation", metrics=["f1_micro"],
                              n_resamples=R, seed=i)
        pvalues.append(c.raw_pvalues[("f1_micro", "a", "b")])
    p = np.array(pvalues)
    assert np.all((p >= 1 / (R + 1)) & (p <= 1.0))
    # binomial bands with a two-sided 0.001 error rate each
    lo05, hi05 = stats.binom.ppf([0.0005, 0.9995], n_sets, 0.05)
    lo50, hi50 = stats.binom.ppf([0.0005, 0.9995], n_sets, 0.5)
    k05, k50 = int(np.sum(p < 0.05)), int(np.sum(p < 0.5))
    assert lo05 <= k05 <= hi05, (k05, lo05, hi05)
    assert lo50 <= k50 <= hi50, (k50, lo50, hi50)
    # and the whole distribution: Kolmogorov-Smirnov against the uniform
    assert stats.kstest(p, "uniform").pvalue > 0.001


# --------------------------------------------------------------------------
# 4. McNemar on hand-worked tables
# --------------------------------------------------------------------------


def test_mcnemar_exact_binomial_b10_c3():
    # b = 10 samples only A gets exactly right, c = 3 only B; n = 13 < 25, so exact:
    # 2 * P(X <= 3), X ~ Bin(13, 1/2) = 2 * (1 + 13 + 78 + 286) / 2**13 = 756 / 8192
    y, (a, b) = mcnemar_data({(1, 0): 10, (0, 1): 3, (1, 1): 40, (0, 0): 17})
    c = labelwise.compare(y, {"A": a, "B": b}, test="mcnemar", n_resamples=200, seed=0)
    p = c.raw_pvalues[("subset_accuracy", "A", "B")]
    assert p == pytest.approx(756 / 8192, rel=1e-12)
    assert p == pytest.approx(stats.binomtest(3, 13, 0.5).pvalue, rel=1e-12)
    # with two models the correction has nothing to do
    assert c.pvalue("subset_accuracy", "A", "B") == p
    # the difference of exact-match rates is (10 - 3) / 70
    assert c.difference("subset_accuracy", "A", "B")[0] == pytest.approx(7 / 70)
    assert not c.better("subset_accuracy", "A", "B")  # 0.092 > 0.05


def test_mcnemar_chi_square_b40_c20():
    # n = 60 >= 25: chi-square with continuity correction,
    # stat = (|40 - 20| - 1)^2 / 60 = 361 / 60 = 6.01667; p = P(chi2_1 > stat)
    # = erfc(sqrt(stat / 2)) = 0.014171
    y, (a, b) = mcnemar_data({(1, 0): 40, (0, 1): 20, (1, 1): 100, (0, 0): 40})
    c = labelwise.compare(y, {"A": a, "B": b}, test="mcnemar", n_resamples=200, seed=0)
    p = c.raw_pvalues[("subset_accuracy", "A", "B")]
    assert p == pytest.approx(math.erfc(math.sqrt(361 / 60 / 2)), rel=1e-9)
    assert p == pytest.approx(stats.chi2.sf(361 / 60, 1), rel=1e-12)
    assert p == pytest.approx(0.014171, abs=1e-6)
    assert c.better("subset_accuracy", "A", "B")
    # the order of the models only swaps b and c
    c2 = labelwise.compare(y, {"B": b, "A": a}, test="mcnemar", n_resamples=200, seed=0)
    assert c2.raw_pvalues[("subset_accuracy", "B", "A")] == p


def test_mcnemar_switches_to_chi_square_at_25_disagreements():
    # b + c = 24: exact binomial; b + c = 25: chi-square with continuity correction
    y, (a, b) = mcnemar_data({(1, 0): 17, (0, 1): 7, (1, 1): 30})
    p24 = labelwise.compare(y, {"A": a, "B": b}, test="mcnemar", n_resamples=20,
                            seed=0).raw_pvalues[("subset_accuracy", "A", "B")]
    assert p24 == pytest.approx(stats.binomtest(7, 24, 0.5).pvalue, rel=1e-12)
    y, (a, b) = mcnemar_data({(1, 0): 18, (0, 1): 7, (1, 1): 30})
    p25 = labelwise.compare(y, {"A": a, "B": b}, test="mcnemar", n_resamples=20,
                            seed=0).raw_pvalues[("subset_accuracy", "A", "B")]
    assert p25 == pytest.approx(stats.chi2.sf((11 - 1) ** 2 / 25, 1), rel=1e-12)


def test_mcnemar_without_disagreement_is_one():
    # A and B differ on rows (different wrong labels), but never in exact match
    rng = np.random.default_rng(0)
    y = rng.random((60, 3)) < 0.4
    right = rng.random(60) < 0.5
    a = exact_rows(y, right)
    b = a.copy()
    b[~right, 1] = ~b[~right, 1]  # wrong rows made wrong differently
    assert not np.array_equal(a, b)
    c = labelwise.compare(y, {"A": a, "B": b}, test="mcnemar", n_resamples=50, seed=0)
    assert c.raw_pvalues[("subset_accuracy", "A", "B")] == 1.0
    assert c.pvalue("subset_accuracy", "A", "B") == 1.0
    assert c.difference("subset_accuracy", "A", "B") == (0.0, 0.0, 0.0)


def test_mcnemar_three_models_holm_by_hand():
    # exact-match patterns (A, B, C) and their counts
    counts = {(1, 0, 0): 12, (0, 1, 0): 4, (0, 0, 1): 5, (1, 1, 0): 8, (1, 1, 1): 50,
              (0, 0, 0): 20}
    y, (a, b, cc) = mcnemar_data(counts)
    # A vs B: b = 12 (100), c = 4 (010); n = 16, exact:
    #   2 * (1 + 16 + 120 + 560 + 1820) / 2**16 = 5034 / 65536 = 0.076813
    # A vs C: b = 12 + 8 = 20 (100, 110), c = 5 (001); n = 25, chi-square:
    #   (15 - 1)^2 / 25 = 7.84, p = 0.005110
    # B vs C: b = 4 + 8 = 12 (010, 110), c = 5 (001); n = 17, exact:
    #   2 * (1 + 17 + 136 + 680 + 2380 + 6188) / 2**17 = 18804 / 131072 = 0.143463
    p_ab, p_ac, p_bc = 5034 / 65536, stats.chi2.sf(7.84, 1), 18804 / 131072
    assert p_ab == pytest.approx(stats.binomtest(4, 16, 0.5).pvalue, rel=1e-12)
    assert p_bc == pytest.approx(stats.binomtest(5, 17, 0.5).pvalue, rel=1e-12)
    assert p_ac == pytest.approx(0.005110, abs=1e-6)
    models = {"A": a, "B": b, "C": cc}
    key = {("A", "B"): p_ab, ("A", "C"): p_ac, ("B", "C"): p_bc}

    c = labelwise.compare(y, models, test="mcnemar", n_resamples=50, seed=0)
    for (m1, m2), p in key.items():
        assert c.raw_pvalues[("subset_accuracy", m1, m2)] == pytest.approx(p, rel=1e-12)
    # Holm: the smallest (A-C) times 3 = 0.015330; then A-B times 2 = 0.153626; then
    # B-C times 1 = 0.143463, lifted to the running maximum 0.153626
    assert c.pvalue("subset_accuracy", "A", "C") == pytest.approx(3 * p_ac, rel=1e-12)
    assert c.pvalue("subset_accuracy", "A", "B") == pytest.approx(2 * p_ab, rel=1e-12)
    assert c.pvalue("subset_accuracy", "B", "C") == pytest.approx(2 * p_ab, rel=1e-12)
    assert c.pvalue("subset_accuracy", "C", "B") == pytest.approx(2 * p_ab, rel=1e-12)
    expected = holm_by_hand([p_ab, p_ac, p_bc])
    assert [c.pvalue("subset_accuracy", *k) for k in key] == pytest.approx(expected)
    assert c.better("subset_accuracy", "A", "C")
    assert not c.better("subset_accuracy", "A", "B")
    assert not c.significantly_better("A")

    bonf = labelwise.compare(y, models, test="mcnemar", n_resamples=50, seed=0,
                             correction="bonferroni")
    none = labelwise.compare(y, models, test="mcnemar", n_resamples=50, seed=0,
                             correction="none")
    for k, p in key.items():
        assert bonf.pvalue("subset_accuracy", *k) == pytest.approx(min(1.0, 3 * p))
        assert none.pvalue("subset_accuracy", *k) == pytest.approx(p, rel=1e-12)
        assert bonf.raw_pvalues == none.raw_pvalues == c.raw_pvalues


# --------------------------------------------------------------------------
# 5. the paired bootstrap against a plain loop
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_paired_bootstrap_interval_matches_plain_resampling_loop():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(11)
    n = 300
    y = rng.random((n, 5)) < 0.3
    a, b = noisy(rng, y, 0.85), noisy(rng, y, 0.8)
    R = 2000
    c = labelwise.compare(y, {"a": a, "b": b}, metrics=["f1_micro"], n_resamples=R, seed=7)
    observed = f1_score(y, a, average="micro") - f1_score(y, b, average="micro")
    d, lo, hi = c.difference("f1_micro", "a", "b")
    assert d == pytest.approx(observed, abs=1e-12)

    loop = np.random.default_rng(123)
    f1_a, f1_b = np.empty(R), np.empty(R)
    for r in range(R):
        rows = loop.integers(0, n, n)  # the same rows for both models
        f1_a[r] = f1_score(y[rows], a[rows], average="micro")
        f1_b[r] = f1_score(y[rows], b[rows], average="micro")
    diffs = f1_a - f1_b
    ref_lo, ref_hi = np.percentile(diffs, [2.5, 97.5])
    sd = diffs.std(ddof=1)
    # Monte Carlo s.e. of a 2.5% quantile from R draws is about
    # sqrt(.025 * .975 / R) / phi(1.96) * sd = 0.06 sd; two estimates: 0.085 sd; 4 s.e.
    tol = 0.34 * sd
    assert abs(lo - ref_lo) < tol, (lo, ref_lo, tol)
    assert abs(hi - ref_hi) < tol, (hi, ref_hi, tol)
    # the interval of each model's value, from the same resamples
    for name, reps in (("a", f1_a), ("b", f1_b)):
        ref = np.percentile(reps, [2.5, 97.5])
        assert c.intervals["f1_micro"][name] == pytest.approx(tuple(ref),
                                                              abs=0.34 * reps.std(ddof=1))
    # shift p-value: share of centred replicates at least as far from 0 as observed
    p_ref = (1 + np.sum(np.abs(diffs - observed) >= abs(observed))) / (R + 1)
    p = c.pvalue("f1_micro", "a", "b")
    assert abs(p - p_ref) < 4 * math.sqrt(p_ref * (1 - p_ref) / R) + 2 / R, (p, p_ref)


# --------------------------------------------------------------------------
# 6. real data: yeast, two logistic regressions
# --------------------------------------------------------------------------

needs_data = pytest.mark.skipif(
    not (DATA / "yeast").is_dir(),
    reason=f"needs {DATA / 'yeast'}, Mulan's yeast data set (ARFF), beside the repository")


def load_yeast(split):
    from scipy.io import arff

    data, meta = arff.loadarff(DATA / "yeast" / f"yeast-{split}.arff")
    names = meta.names()
    labels = [n for n in names if re.fullmatch(r"Class\d+", n)]
    assert len(labels) == 14
    features = [n for n in names if n not in labels]
    X = np.column_stack([data[n].astype(np.float64) for n in features])
    Y = np.column_stack([data[n].astype(str).astype(int) for n in labels])
    return X, Y


@pytest.fixture(scope="module")
def yeast_models():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    X_train, Y_train = load_yeast("train")
    X_test, Y_test = load_yeast("test")
    out = {}
    for name, C in (("lr_C0.001", 0.001), ("lr_C1", 1.0)):
        model = OneVsRestClassifier(LogisticRegression(C=C, max_iter=2000)).fit(X_train,
                                                                                 Y_train)
        out[name] = (model.predict_proba(X_test), model.predict(X_test))
    return Y_test, out


@needs_data
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["scores", "hard"])
def test_yeast_strong_regularisation_is_significantly_worse(yeast_models, kind):
    from sklearn.metrics import f1_score

    Y, out = yeast_models
    models = {name: (s if kind == "scores" else p) for name, (s, p) in out.items()}
    # the fact under test, checked first with scikit-learn on its own
    f1 = {name: f1_score(Y, p, average="macro", zero_division=0)
          for name, (_, p) in out.items()}
    assert f1["lr_C1"] > f1["lr_C0.001"] + 0.15, f1

    c = labelwise.compare(Y, models, n_resamples=1000, seed=0)
    assert c.metrics == (SCORE_METRICS if kind == "scores" else LABEL_METRICS)
    for name in models:
        assert c.values["f1_macro"][name] == pytest.approx(f1[name])
    d, lo, hi = c.difference("f1_macro", "lr_C0.001", "lr_C1")
    assert hi < 0 and d == pytest.approx(f1["lr_C0.001"] - f1["lr_C1"])
    assert c.pvalue("f1_macro", "lr_C0.001", "lr_C1") < 0.01
    assert c.better("f1_macro", "lr_C1", "lr_C0.001")
    assert not c.better("f1_macro", "lr_C0.001", "lr_C1")
    assert c.best("f1_macro") == "lr_C1"
    assert c.significantly_better("lr_C1", metrics=["f1_macro", "f1_micro"])

    text = c.table()
    row = next(line for line in text.splitlines() if line.startswith("f1_macro "))
    cells = re.findall(r"\*?\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]\S*", row)
    assert len(cells) == 2
    assert not cells[0].startswith("*") and cells[1].startswith("*")
    assert cells[1].endswith("ᵃ")  # lr_C1 (b) is significantly better than lr_C0.001 (a)
    assert "a: lr_C0.001" in text and "b: lr_C1" in text

    md = c.to_markdown()
    assert "a: lr\\_C0.001" in md and "b: lr\\_C1" in md  # underscores escaped
    md_row = next(line for line in md.splitlines() if line.startswith("| f1_macro |"))
    assert re.search(r"\| \*\*\d\.\d{4} \[[^]]+\]\*\*<sup>a</sup> \|$", md_row), md_row

    tex = c.to_latex()
    assert "a: lr\\_C0.001" in tex and "b: lr\\_C1" in tex
    tex_row = next(line for line in tex.splitlines() if line.startswith("f1\\_macro"))
    assert re.search(r"& \\textbf\{\d\.\d{4} \[[^]]+\]\}\$\^\{a\}\$ \\\\$", tex_row), tex_row

    html = c._repr_html_()  # the notebook rendering: a fragment, not a page
    assert html.startswith('<div class="lw-comparison">') and "<html" not in html
    html_row = re.search(r"<tr><td>f1_macro</td>(.*?)</tr>", html).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html_row)
    assert not cells[0].startswith("<strong>")
    assert re.fullmatch(r"<strong>\d\.\d{4} \[[^]]+\]</strong><sup>a</sup>", cells[1]), cells
    assert "a: lr_C0.001" in html and "Holm-corrected" in html

    d = json.loads(json.dumps(c.to_dict(), allow_nan=False))
    assert d["models"] == ["lr_C0.001", "lr_C1"]
    assert d["best"]["f1_macro"] == "lr_C1"
    entry = next(e for e in d["comparisons"] if e["metric"] == "f1_macro")
    assert entry["a"] == "lr_C0.001" and entry["b"] == "lr_C1"
    assert entry["b_better"] and not entry["a_better"]
    assert entry["pvalue"] < 0.01 and entry["high"] < 0


# --------------------------------------------------------------------------
# 7. determinism
# --------------------------------------------------------------------------


@pytest.mark.parametrize("test", TESTS)
def test_same_seed_same_comparison(test):
    rng = np.random.default_rng(8)
    y = rng.random((150, 4)) < 0.35
    models = {"s": scores_of(rng, y, 1.5), "t": scores_of(rng, y, 1.0),
              "u": scores_of(rng, y, 0.8)}
    metrics = {"paired_bootstrap": None, "mcnemar": None,
               "permutation": ["f1_micro", "f1_macro", "hamming_loss"]}[test]
    run = lambda seed: labelwise.compare(y, models, test=test, metrics=metrics,  # noqa: E731
                                         n_resamples=300, seed=seed)
    first, second = run(42), run(42)
    assert same_result(first, second)
    assert not same_result(first, run(43))  # another seed resamples other rows
    fresh = run(None)
    assert isinstance(fresh.seed, int)
    assert same_result(fresh, run(fresh.seed))


def test_same_seed_same_comparison_on_one_thread():
    numba = pytest.importorskip("numba")
    rng = np.random.default_rng(9)
    y = rng.random((400, 6)) < 0.3
    models = {"s": scores_of(rng, y, 1.5), "t": scores_of(rng, y, 1.0)}
    before = numba.get_num_threads()
    many = labelwise.compare(y, models, n_resamples=1000, seed=5)
    try:
        numba.set_num_threads(1)
        one = labelwise.compare(y, models, n_resamples=1000, seed=5)
        perm_one = labelwise.compare(y, models, test="permutation", metrics=LABEL_METRICS,
                                     n_resamples=600, seed=5)
    finally:
        numba.set_num_threads(before)
    assert numba.get_num_threads() == before
    assert same_result(many, one)
    perm_many = labelwise.compare(y, models, test="permutation", metrics=LABEL_METRICS,
                                  n_resamples=600, seed=5)
    assert same_result(perm_many, perm_one)


# --------------------------------------------------------------------------
# 8. renderings
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_models():
    """good >> mid >> poor on 1000 samples: every pair is significantly different."""
    rng = np.random.default_rng(12)
    y = rng.random((1000, 4)) < 0.3
    models = {"good": noisy(rng, y, 0.95), "poor": noisy(rng, y, 0.6),
              "mid": noisy(rng, y, 0.8)}
    c = labelwise.compare(y, models, metrics=["f1_micro", "hamming_loss"], n_resamples=999,
                          seed=0)
    # the facts the marks should show, checked on the numbers
    for x in c.metrics:
        sign = -1 if x in LOWER_IS_BETTER else 1
        for hi, lo in (("good", "mid"), ("good", "poor"), ("mid", "poor")):
            assert sign * (c.values[x][hi] - c.values[x][lo]) > 0
            assert c.pvalue(x, hi, lo) < 0.01
    return c


def test_text_table_marks_best_and_worse_models(three_models):
    c = three_models
    lines = c.table().splitlines()
    header = lines[0]
    assert "a: good" in header and "b: poor" in header and "c: mid" in header
    for x in ("f1_micro", "hamming_loss"):
        row = next(line for line in lines if line.startswith(x + " "))
        cells = re.findall(r"(\*?)(\d\.\d{4}) \[(\d\.\d{4}), (\d\.\d{4})\](\S*)", row)
        assert len(cells) == 3
        (star_a, va, *_, sup_a), (star_b, vb, *_, sup_b), (star_c, vc, *_, sup_c) = cells
        assert (star_a, star_b, star_c) == ("*", "", "")
        assert (sup_a, sup_b, sup_c) == ("ᵇᶜ", "", "ᵇ")
        assert float(va) == pytest.approx(c.values[x]["good"], abs=5e-5)
        assert float(vc) == pytest.approx(c.values[x]["mid"], abs=5e-5)
    assert "Holm-corrected p < 0.05" in c.table()
    assert str(c) == c.table()


def test_markdown_marks_best_in_bold_and_worse_in_sup(three_models):
    md = three_models.to_markdown()
    lines = md.splitlines()
    assert lines[0] == "| metric | a: good | b: poor | c: mid |"
    assert lines[1] == "|---|---:|---:|---:|"
    for x in ("f1_micro", "hamming_loss"):
        row = next(line for line in lines if line.startswith(f"| {x} |"))
        cells = [s.strip() for s in row.strip("|").split("|")][1:]
        assert re.fullmatch(r"\*\*\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]\*\*<sup>b,c</sup>",
                            cells[0]), cells
        assert re.fullmatch(r"\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]", cells[1]), cells
        assert re.fullmatch(r"\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]<sup>b</sup>", cells[2]), cells


def test_latex_marks_best_in_textbf_and_worse_in_superscript(three_models):
    tex = three_models.to_latex()
    lines = tex.splitlines()
    assert lines[0] == "\\begin{tabular}{lrrr}" and lines[-1] == "\\end{tabular}"
    assert "metric & a: good & b: poor & c: mid \\\\" in lines
    for x in ("f1\\_micro", "hamming\\_loss"):
        row = next(line for line in lines if line.startswith(x + " & "))
        cells = [s.strip() for s in row.removesuffix("\\\\").split(" & ")][1:]
        assert re.fullmatch(r"\\textbf\{\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]\}\$\^\{bc\}\$",
                            cells[0]), cells
        assert re.fullmatch(r"\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]", cells[1]), cells
        assert re.fullmatch(r"\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]\$\^\{b\}\$", cells[2]), cells


def test_no_marks_without_significance():
    y, good, _ = good_and_poor(seed=2, n=200)
    c = labelwise.compare(y, {"a": good, "b": good.copy()}, metrics=["f1_micro"],
                          n_resamples=200, seed=0)
    assert "<sup>" not in c.to_markdown()
    assert "$^" not in c.to_latex()
    row = next(line for line in c.table().splitlines() if line.startswith("f1_micro"))
    assert row.count("*") == 1 and not re.search("[ᵃᵇ]", row)


AWKWARD = {"a|b<c>": "pipe and angle brackets", "R&D_v2": "ampersand and underscore"}


@pytest.fixture(scope="module")
def awkward():
    rng = np.random.default_rng(13)
    y = rng.random((400, 3)) < 0.3
    c = labelwise.compare(y, {"a|b<c>": noisy(rng, y, 0.95), "R&D_v2": noisy(rng, y, 0.6)},
                          metrics=["f1_micro"], n_resamples=300, seed=0)
    assert c.better("f1_micro", "a|b<c>", "R&D_v2")
    return c


def test_markdown_escapes_awkward_model_names(awkward):
    md = awkward.to_markdown()
    header = md.splitlines()[0]
    assert "a\\|b&lt;c&gt;" in header
    assert "<c>" not in md
    # unescaped pipes delimit exactly three columns on every table line
    for line in md.splitlines()[:3]:
        assert len(re.findall(r"(?<!\\)\|", line)) == 4, line
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(md)
    heads = re.findall(r"<th[^>]*>(.*?)</th>", html)
    assert heads == ["metric", "a: a|b&lt;c&gt;", "b: R&amp;D_v2"]


def test_notebook_html_escapes_awkward_model_names(awkward):
    html = awkward._repr_html_()
    heads = re.findall(r"<th>(.*?)</th>", html)
    assert heads == ["metric", "a: a|b&lt;c&gt;", "b: R&amp;D_v2"]
    assert "<c>" not in html and "R&D" not in html


def test_latex_escapes_awkward_model_names(awkward):
    tex = awkward.to_latex()
    header = tex.splitlines()[2]
    assert "b: R\\&D\\_v2" in header
    assert "R&D" not in tex and "D_v2" not in tex
    # unescaped ampersands separate exactly three columns
    rows = [line for line in tex.splitlines() if line.endswith("\\\\")]
    assert len(rows) == 2
    for line in rows:
        assert len(re.findall(r"(?<!\\)&", line)) == 2, line


def test_text_table_keeps_names_on_one_line():
    y, good, poor = good_and_poor(seed=3, n=200)
    c = labelwise.compare(y, {"line\nbreak": good, "x" * 50: poor}, metrics=["f1_micro"],
                          n_resamples=100, seed=0)
    header = c.table().splitlines()[0]
    assert "line\\nbreak" in header
    assert "x" * 50 not in header and "x" * 31 + "…" in header


def test_markdown_renders_emphasis_and_entity_characters_literally():
    markdown_it = pytest.importorskip("markdown_it")
    rng = np.random.default_rng(14)
    y = rng.random((200, 3)) < 0.3
    names = ["_base_", "__v2__", "A&amp;B"]
    c = labelwise.compare(y, {n: noisy(rng, y, k) for n, k in zip(names, (0.9, 0.8, 0.7))},
                          metrics=["f1_micro"], n_resamples=100, seed=0)
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(c.to_markdown())
    heads = re.findall(r"<th[^>]*>(.*?)</th>", html)
    assert heads == ["metric", "a: _base_", "b: __v2__", "c: A&amp;amp;B"]


def test_latex_escapes_angle_brackets_and_pipe(awkward):
    tex = awkward.to_latex()
    assert not re.search(r"[<>|]", tex), tex


# --------------------------------------------------------------------------
# 9. errors
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(15)
    y = rng.random((80, 4)) < 0.3
    return y, noisy(rng, y, 0.8), noisy(rng, y, 0.7), rng.random((80, 4))


def test_one_model_only(small):
    y, a, _, _ = small
    with pytest.raises(InputError, match=r"at least two models, got 1"):
        labelwise.compare(y, {"a": a})


def test_models_not_a_dict(small):
    y, a, b, _ = small
    with pytest.raises(InputError, match=r"models must be a dict .* got a list"):
        labelwise.compare(y, [a, b])


def test_unknown_test(small):
    y, a, b, _ = small
    with pytest.raises(InputError, match=r"test must be one of .*'mcnemar'.* got 'wilcoxon'"):
        labelwise.compare(y, {"a": a, "b": b}, test="wilcoxon")


def test_unknown_correction(small):
    y, a, b, _ = small
    with pytest.raises(InputError, match=r"correction must be one of .*'holm'.* got 'fdr'"):
        labelwise.compare(y, {"a": a, "b": b}, correction="fdr")


def test_unknown_metric_suggests_the_near_one(small):
    y, a, b, _ = small
    with pytest.raises(InputError, match=r"unknown metric 'f1_mikro' \(did you mean "
                                         r"'f1_micro'\?\)"):
        labelwise.compare(y, {"a": a, "b": b}, metrics=["f1_mikro"])


def test_empty_metrics(small):
    y, a, b, _ = small
    with pytest.raises(InputError, match=r"metrics is empty"):
        labelwise.compare(y, {"a": a, "b": b}, metrics=[])


def test_score_metric_with_a_hard_model(small):
    y, a, _, s = small
    with pytest.raises(InputError, match=r"not every model has 'roc_auc_macro'.*needs scores"):
        labelwise.compare(y, {"scores": s, "hard": a}, metrics=["roc_auc_macro"])
    # without metrics=, only the metrics every model has are compared
    c = labelwise.compare(y, {"scores": s, "hard": a}, n_resamples=50, seed=0)
    assert c.metrics == LABEL_METRICS


def test_mcnemar_only_for_subset_accuracy(small):
    y, a, b, _ = small
    with pytest.raises(InputError, match=r"test='mcnemar' compares exact matches.*"
                                         r"subset_accuracy"):
        labelwise.compare(y, {"a": a, "b": b}, test="mcnemar", metrics=["f1_micro"])
    with pytest.raises(InputError, match=r"test='mcnemar'"):
        labelwise.compare(y, {"a": a, "b": b}, test="mcnemar",
                          metrics=["subset_accuracy", "f1_micro"])


def test_permutation_refuses_sorted_score_metrics(small):
    y, _, _, s = small
    with pytest.raises(InputError, match=r"test='permutation' needs metrics that are sums "
                                         r"over samples; \['roc_auc_macro'\]"):
        labelwise.compare(y, {"a": s, "b": s[::-1].copy()}, test="permutation",
                          metrics=["roc_auc_macro"])


def test_mcnemar_refuses_sample_weight(small):
    y, a, b, _ = small
    with pytest.raises(InputError, match=r"test='mcnemar' counts samples, so it takes no "
                                         r"sample_weight"):
        labelwise.compare(y, {"a": a, "b": b}, test="mcnemar", sample_weight=np.ones(len(y)))


def test_different_numbers_of_rows(small):
    y, a, b, _ = small
    with pytest.raises(InputError, match=r"shape \(70, 4\).*\(80, 4\)"):
        labelwise.compare(y, {"a": a, "b": b[:70]})
    # accumulators fed separately: the comparison itself notices
    accs = {}
    for name, (truth, pred) in {"a": (y, a), "b": (y[:70], b[:70])}.items():
        acc = Accumulator().keep_rows()
        acc.update(truth, pred)
        accs[name] = acc
    with pytest.raises(InputError, match=r"model 'b' has 70 samples but 'a' has 80"):
        compare_accumulators(accs)


def test_pvalue_questions_out_of_the_comparison(small):
    y, a, b, _ = small
    c = labelwise.compare(y, {"alpha": a, "beta": b}, n_resamples=50, seed=0)
    with pytest.raises(InputError, match=r"no model 'gamma' in this comparison; models: "
                                         r"'alpha', 'beta'"):
        c.pvalue("f1_micro", "alpha", "gamma")
    with pytest.raises(InputError, match=r"no model 'gamma'"):
        c.difference("f1_micro", "gamma", "beta")
    with pytest.raises(InputError, match=r"metric 'f1_mikro' was not compared \(did you mean "
                                         r"'f1_micro'\?\)"):
        c.pvalue("f1_mikro", "alpha", "beta")
    with pytest.raises(InputError, match=r"metric 'roc_auc_macro' was not compared"):
        c.better("roc_auc_macro", "alpha", "beta")
    with pytest.raises(InputError, match=r"compare two different models, not 'alpha' with "
                                         r"itself"):
        c.pvalue("f1_micro", "alpha", "alpha")


@pytest.mark.parametrize("n_resamples", [1, 0, -5, True, 100.0, "1000"])
def test_bad_n_resamples(small, n_resamples):
    y, a, b, _ = small
    with pytest.raises(InputError, match=r"n_resamples must be an integer of at least 2"):
        labelwise.compare(y, {"a": a, "b": b}, n_resamples=n_resamples)


def test_ci_as_a_percentage(small):
    y, a, b, _ = small
    with pytest.raises(InputError, match=r"ci must be a confidence level between 0 and 1.*"
                                         r"got 95; divide by 100"):
        labelwise.compare(y, {"a": a, "b": b}, ci=95)


def test_two_resamples_are_enough(small):
    y, a, b, _ = small
    c = labelwise.compare(y, {"a": a, "b": b}, n_resamples=2, seed=0)
    assert all(1 / 3 <= p <= 1 for p in c.raw_pvalues.values())
