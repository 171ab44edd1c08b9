"""Bootstrap confidence intervals of ``evaluate(ci=...)`` and the ``Accumulator``.

The intervals are checked against references that share no code with labelwise:

* on Mulan's yeast data (``../shared/data/yeast``, test split, 917 samples x 14
  labels) with a one-vs-rest logistic regression trained on the train split, the
  percentile endpoints agree with a plain loop that resamples rows with numpy and
  calls scikit-learn's metric functions; the BCa endpoints agree with
  ``scipy.stats.bootstrap(method="BCa")``; Poisson and sample-weighted intervals
  agree with loops that draw the same kind of weights (yeast: A. Elisseeff and
  J. Weston, "A kernel method for multi-labelled classification", NIPS 2001, as
  distributed with the Mulan library);
* a coverage simulation: a large synthetic population with correlated and rare
  labels and a noisy predictor, many small test sets, and the share of 95%
  intervals that contain the population's value;
* determinism (seeds, thread counts), edge cases, renderings, the JSON schema,
  the Accumulator's batches, merges, checkpoints and pickles, and argument errors.
"""

from __future__ import annotations

import importlib.util
import json
import math
import pickle
import time
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import numba
import numpy as np
import pytest
from scipy.special import ndtri

import labelwise
from labelwise.registry import REGISTRY, lookup

ROOT = Path(__file__).resolve().parents[1]
#: metrics without a bootstrap interval yet: the calibration of probabilities
CALIBRATION = frozenset(m.name for m in REGISTRY.values() if m.group == "calibration")
DATA = ROOT.parent / "shared" / "data"
SCHEMA = json.loads(
    resources.files("labelwise").joinpath("schema/report.schema.json").read_text()
)
LEVEL = 0.95
# the metrics that need every score sorted (no Poisson interval)
SORTED_SCORE_METRICS = {f"{family}_{average}" for family in ("roc_auc", "average_precision")
                        for average in ("micro", "macro", "weighted")}
# what the command line adds to the JSON report (the schema describes its output)
INPUTS = {"truth": "truth.csv", "predictions": "pred.csv", "kind": "labels",
          "rows": {"by": "position", "truth_rows": 1, "pred_rows": 1, "matched": 1,
                   "left_out": {}}}
Q = ((1 - LEVEL) / 2, (1 + LEVEL) / 2)

needs_data = pytest.mark.skipif(
    not (DATA / "yeast").is_dir(),
    reason=f"needs {DATA / 'yeast'}, Mulan's yeast data set in the shared data folder "
           "beside the repository; absent",
)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _examples():
    """The ARFF readers of examples/findings_examples.py (shared with the other tests)."""
    spec = importlib.util.spec_from_file_location(
        "findings_examples", ROOT / "examples" / "findings_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_same_ci(a: dict, b: dict) -> None:
    """Exactly the same intervals (NaN bounds equal to NaN bounds)."""
    assert a.keys() == b.keys()
    for name in a:
        assert np.array_equal(np.asarray(a[name]), np.asarray(b[name]), equal_nan=True), (
            name, a[name], b[name])


def assert_endpoints_agree(got, ref, tolerance, name):
    """Both endpoints within ``tolerance`` times the reference interval's width."""
    width = ref[1] - ref[0]
    assert width > 0, (name, ref)
    lo_err, hi_err = abs(got[0] - ref[0]) / width, abs(got[1] - ref[1]) / width
    print(f"{name}: endpoint errors {lo_err:.3f}, {hi_err:.3f} of the width")
    assert lo_err <= tolerance and hi_err <= tolerance, (
        f"{name}: labelwise {got} vs reference {tuple(ref)} "
        f"(errors {lo_err:.3f}, {hi_err:.3f} of the width {width:.4g})")


def plain_percentile(statistic, n, n_resamples, seed):
    """The textbook bootstrap: resample ``n`` row indices with replacement, apply
    ``statistic`` to them, take the replicates' quantiles."""
    rng = np.random.default_rng(seed)
    values = np.array([statistic(rng.integers(0, n, size=n)) for _ in range(n_resamples)])
    return np.quantile(values, Q)


def weighted_counts(Y, P, w):
    """Per-label weighted tp, fp, fn (a straightforward reference, no labelwise code)."""
    Y = Y.astype(bool)
    P = P.astype(bool)
    tp = w @ (Y & P)
    fp = w @ (~Y & P)
    fn = w @ (Y & ~P)
    return tp, fp, fn


def f1_micro_w(Y, P, w):
    tp, fp, fn = (x.sum() for x in weighted_counts(Y, P, w))
    return 2 * tp / (2 * tp + fp + fn)


def f1_macro_w(Y, P, w):
    tp, fp, fn = weighted_counts(Y, P, w)
    den = 2 * tp + fp + fn
    return np.mean(np.where(den > 0, 2 * tp / np.where(den > 0, den, 1), 0.0))


def hamming_w(Y, P, w):
    return (w @ (Y != P).mean(axis=1)) / w.sum()


def subset_w(Y, P, w):
    return (w @ (Y == P).all(axis=1)) / w.sum()


HARD_W = {"f1_micro": f1_micro_w, "f1_macro": f1_macro_w, "hamming_loss": hamming_w,
          "subset_accuracy": subset_w}


def synthetic(n=600, n_labels=6, seed=0, prevalence=None, error=0.15):
    """Correlated labels (one shared factor), a noisy score and its 0.5 threshold."""
    rng = np.random.default_rng(seed)
    prevalence = (np.linspace(0.45, 0.08, n_labels) if prevalence is None
                  else np.asarray(prevalence))
    factor = rng.standard_normal((n, 1))
    latent = 0.6 * factor + 0.8 * rng.standard_normal((n, n_labels))
    Y = (latent > ndtri(1 - prevalence)).astype(np.int8)
    S = 1 / (1 + np.exp(-(latent - ndtri(1 - prevalence)
                          + error * 6 * rng.standard_normal((n, n_labels)))))
    return Y, S, (S > 0.5).astype(np.int8)


# --------------------------------------------------------------------------
# 1. agreement with independent bootstraps on real data
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def yeast():
    """Yeast test split, with scores of a one-vs-rest logistic regression trained on
    the train split and a fixed per-label threshold (the label's training prevalence)."""
    if not (DATA / "yeast").is_dir():
        pytest.skip(f"needs {DATA / 'yeast'}")
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ex = _examples()
    X_tr, Y_tr, labels = ex.load_dense("yeast", "train")
    X_te, Y_te, _ = ex.load_dense("yeast", "test")
    assert Y_tr.shape == (1500, 14) and Y_te.shape == (917, 14)
    model = OneVsRestClassifier(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))).fit(X_tr, Y_tr)
    S = model.predict_proba(X_te)
    thr = Y_tr.mean(axis=0)
    P = (S > thr).astype(np.int8)
    return SimpleNamespace(Y=Y_te, S=S, P=P, thr=thr, labels=labels, n=Y_te.shape[0])


# Tolerance of the agreement checks. With R replicates the Monte Carlo standard
# deviation of a 2.5% (or 97.5%) quantile is about sqrt(0.025 * 0.975 / R) / phi(1.96)
# = 0.06 sigma for R = 2000 (0.085 sigma for R = 1000), sigma the bootstrap
# distribution's spread, and a 95% interval is 3.92 sigma wide. Two independent
# estimates differ by about 0.085 sigma (R = 2000 on both sides) = 0.022 widths, or
# 0.104 sigma = 0.027 widths (2000 against 1000). 0.15 widths is then more than 5
# standard deviations of the Monte Carlo difference, yet far below what a wrong
# resampling unit (cells instead of rows) or a wrong formula moves an endpoint.
TOLERANCE = 0.15


def sklearn_hard(name, Y, P):
    """The statistic of resampled rows ``i``, straight from scikit-learn."""
    from sklearn import metrics as M

    return {
        "f1_micro": lambda i: M.f1_score(Y[i], P[i], average="micro", zero_division=0),
        "f1_macro": lambda i: M.f1_score(Y[i], P[i], average="macro", zero_division=0),
        "hamming_loss": lambda i: M.hamming_loss(Y[i], P[i]),
        "subset_accuracy": lambda i: M.accuracy_score(Y[i], P[i]),
    }[name]


@pytest.fixture(scope="module")
def yeast_hard(yeast):
    """The report of the yeast hard predictions with 2000 percentile replicates."""
    return labelwise.evaluate(yeast.Y, yeast.P, labels=yeast.labels, ci=LEVEL,
                              ci_method="percentile", n_bootstrap=2000, seed=11)


@needs_data
@pytest.mark.slow
@pytest.mark.parametrize("name", ["f1_micro", "f1_macro", "hamming_loss", "subset_accuracy"])
def test_percentile_hard_metrics_agree_with_plain_sklearn_bootstrap(yeast, yeast_hard, name):
    stat = sklearn_hard(name, yeast.Y, yeast.P)
    assert yeast_hard[name] == pytest.approx(stat(np.arange(yeast.n)), abs=1e-12)
    ref = plain_percentile(stat, yeast.n, 2000, seed=2024)
    assert_endpoints_agree(yeast_hard.ci[name], ref, TOLERANCE, name)


def p_at_1(Y, S, i):
    """P@1 of rows ``i``: the top-scored label is a true one (no ties in these scores)."""
    return float(Y[i][np.arange(len(i)), S[i].argmax(axis=1)].mean())


@pytest.fixture(scope="module")
def yeast_scored(yeast):
    """The report of the yeast scores with 2000 percentile replicates."""
    assert np.unique(yeast.S, axis=1).shape == yeast.S.shape  # no tied scores in a row
    return labelwise.evaluate(yeast.Y, y_score=yeast.S, threshold=list(yeast.thr),
                              labels=yeast.labels, ci=LEVEL, ci_method="percentile",
                              n_bootstrap=2000, seed=12)


def check_score_metric(yeast, report, name, statistic, n_resamples):
    rows = np.arange(yeast.n)
    assert report[name] == pytest.approx(statistic(rows), abs=1e-12), name
    ref = plain_percentile(statistic, yeast.n, n_resamples, seed=99)
    assert_endpoints_agree(report.ci[name], ref, TOLERANCE, name)


@needs_data
@pytest.mark.slow
def test_percentile_roc_auc_agrees_with_plain_sklearn_bootstrap(yeast, yeast_scored):
    from sklearn.metrics import roc_auc_score

    Y, S = yeast.Y, yeast.S
    # scikit-learn's ROC-AUC takes ~14 ms a call: 1000 resamples (see TOLERANCE)
    check_score_metric(yeast, yeast_scored, "roc_auc_macro",
                       lambda i: roc_auc_score(Y[i], S[i], average="macro"), 1000)


@needs_data
@pytest.mark.slow
def test_percentile_ranking_metrics_agree_with_plain_sklearn_bootstrap(yeast, yeast_scored):
    from sklearn.metrics import label_ranking_loss

    Y, S = yeast.Y, yeast.S
    check_score_metric(yeast, yeast_scored, "label_ranking_loss",
                       lambda i: label_ranking_loss(Y[i], S[i]), 1000)
    check_score_metric(yeast, yeast_scored, "precision_at_1", lambda i: p_at_1(Y, S, i), 2000)


@needs_data
def test_thresholded_scores_get_the_intervals_of_the_hard_predictions(yeast, yeast_scored):
    """Same rows, same seed: the hard metrics of the thresholded scores and of the
    hard predictions themselves get the same intervals."""
    hard = labelwise.evaluate(yeast.Y, yeast.P, labels=yeast.labels, ci=LEVEL,
                              ci_method="percentile", n_bootstrap=2000, seed=12)
    assert hard.metrics.keys() < yeast_scored.metrics.keys()
    for name in hard.ci:
        assert yeast_scored.ci[name] == hard.ci[name], name


@needs_data
def test_bca_agrees_with_scipy_bootstrap(yeast):
    """BCa from ``scipy.stats.bootstrap`` (full leave-one-out jackknife: 917 samples,
    fewer than labelwise's 1000 jackknife groups, so both use the same jackknife)."""
    from scipy import stats
    from sklearn import metrics as M

    Y, P, n = yeast.Y, yeast.P, yeast.n
    ones = np.ones(n)
    for name, f in HARD_W.items():  # the plain references equal scikit-learn
        sk = {"f1_micro": M.f1_score(Y, P, average="micro"),
              "f1_macro": M.f1_score(Y, P, average="macro", zero_division=0),
              "hamming_loss": M.hamming_loss(Y, P),
              "subset_accuracy": M.accuracy_score(Y, P)}[name]
        assert f(Y, P, ones) == pytest.approx(sk, abs=1e-12)
    r = labelwise.evaluate(Y, P, ci=LEVEL, ci_method="bca", n_bootstrap=2000, seed=13)
    for name, f in HARD_W.items():
        res = stats.bootstrap((np.arange(n),), lambda i: f(Y[i], P[i], ones[i]),
                              vectorized=False, n_resamples=2000, method="BCa",
                              confidence_level=LEVEL, random_state=np.random.default_rng(7))
        ref = (res.confidence_interval.low, res.confidence_interval.high)
        assert_endpoints_agree(r.ci[name], ref, TOLERANCE, name)
        lo, hi = r.ci[name]
        assert lo <= r[name] <= hi


@needs_data
def test_poisson_agrees_with_plain_poisson_weights(yeast):
    """Poisson bootstrap: every sample gets an independent Poisson(1) weight, so the
    replicates of batches (and of separately seeded workers) add up; in one call, in
    batches and merged from two workers, the intervals agree with a plain loop."""
    Y, P, n = yeast.Y, yeast.P, yeast.n
    kw = dict(ci=LEVEL, ci_method="poisson", n_bootstrap=2000)
    one = labelwise.evaluate(Y, P, seed=14, **kw)
    batched = labelwise.Accumulator(seed=15, **kw)
    for lo, hi in ((0, 300), (300, 301), (301, n)):
        batched.update(Y[lo:hi], P[lo:hi])
    workers = (labelwise.Accumulator(seed=(16, 0), **kw).update(Y[:500], P[:500])
               + labelwise.Accumulator(seed=(16, 1), **kw).update(Y[500:], P[500:]))
    rng = np.random.default_rng(5)
    W = rng.poisson(1.0, size=(2000, n)).astype(float)
    for name, f in HARD_W.items():
        ref = np.quantile([f(Y, P, w) for w in W], Q)
        for r in (one, batched.report(), workers.report()):
            assert r[name] == pytest.approx(f(Y, P, np.ones(n)), abs=1e-12)
            assert_endpoints_agree(r.ci[name], ref, TOLERANCE, name)


@needs_data
def test_weighted_percentile_agrees_with_plain_weighted_bootstrap(yeast):
    """With sample weights, a replicate is the resampled rows with their own weights."""
    from sklearn import metrics as M

    Y, P, n = yeast.Y, yeast.P, yeast.n
    w = np.random.default_rng(8).uniform(0.2, 3.0, size=n)
    for name, f in HARD_W.items():  # the plain weighted references equal scikit-learn
        sk = {"f1_micro": M.f1_score(Y, P, average="micro", sample_weight=w),
              "f1_macro": M.f1_score(Y, P, average="macro", sample_weight=w),
              "hamming_loss": M.hamming_loss(Y, P, sample_weight=w),
              "subset_accuracy": M.accuracy_score(Y, P, sample_weight=w)}[name]
        assert f(Y, P, w) == pytest.approx(sk, abs=1e-12)
    r = labelwise.evaluate(Y, P, sample_weight=w, ci=LEVEL, ci_method="percentile",
                           n_bootstrap=2000, seed=15)
    assert r.params["weighted"] is True
    for name, f in HARD_W.items():
        assert r[name] == pytest.approx(f(Y, P, w), abs=1e-12)
        ref = plain_percentile(lambda i: f(Y[i], P[i], w[i]), n, 2000, seed=6)
        assert_endpoints_agree(r.ci[name], ref, TOLERANCE, name)


@needs_data
def test_rows_are_resampled_not_cells(yeast):
    """Resampling cells would ignore the correlation of a sample's labels: for
    subset accuracy the row bootstrap's width is the binomial one of n rows."""
    Y, P, n = yeast.Y, yeast.P, yeast.n
    r = labelwise.evaluate(Y, P, ci=LEVEL, ci_method="percentile", n_bootstrap=2000, seed=16)
    p = r["subset_accuracy"]
    binomial = 2 * 1.96 * math.sqrt(p * (1 - p) / n)
    lo, hi = r.ci["subset_accuracy"]
    assert hi - lo == pytest.approx(binomial, rel=0.15)


@needs_data
def test_intervals_contain_the_estimate_on_real_data(yeast):
    """Percentile and Poisson intervals contain (or touch) every metric's value on
    917 samples; BCa's need not, but low <= high always. The Poisson bootstrap keeps
    sums, not scores: per-label and pooled ROC-AUC and AP get no interval from it."""
    kw = dict(y_score=yeast.S, threshold=list(yeast.thr), labels=yeast.labels, ci=LEVEL,
              n_bootstrap=1000, seed=17)
    for method in ("percentile", "poisson"):
        r = labelwise.evaluate(yeast.Y, ci_method=method, **kw)
        calibration = {n for n in r.metrics if lookup(n).group == "calibration"}
        assert calibration and "no interval for " + ", ".join(sorted(calibration, key=list(
            r.metrics).index)) + ": the bootstrap does not resample" in str(r)
        if method == "poisson":
            assert set(r.params["ci_left_out"]) == SORTED_SCORE_METRICS | calibration
            assert r.ci.keys() == r.metrics.keys() - SORTED_SCORE_METRICS - calibration
        else:
            assert set(r.params["ci_left_out"]) == calibration
            assert r.ci.keys() == r.metrics.keys() - calibration
        for name, (lo, hi) in r.ci.items():
            assert lo - 1e-12 <= r[name] <= hi + 1e-12, (method, name, r[name], lo, hi)
    r = labelwise.evaluate(yeast.Y, ci_method="bca", **kw)
    assert r.ci.keys() == r.metrics.keys() - calibration
    for name, (lo, hi) in r.ci.items():
        assert math.isfinite(lo) and math.isfinite(hi) and lo <= hi, (name, lo, hi)


# --------------------------------------------------------------------------
# 2. coverage by simulation
# --------------------------------------------------------------------------


def population(n=200_000, seed=2024):
    """8 labels from one shared factor (correlated), prevalences from 40% down to 3%,
    and a noisy predictor: the latent value plus noise, thresholded at the same cut."""
    rng = np.random.default_rng(seed)
    prevalence = np.array([0.40, 0.30, 0.22, 0.15, 0.10, 0.06, 0.04, 0.03])
    loading = np.array([0.8, 0.7, 0.6, 0.6, 0.5, 0.5, 0.4, 0.4])
    factor = rng.standard_normal((n, 1))
    latent = loading * factor + np.sqrt(1 - loading**2) * rng.standard_normal((n, 8))
    cut = ndtri(1 - prevalence)
    Y = latent > cut
    P = latent + 0.7 * rng.standard_normal((n, 8)) > cut
    return Y.astype(np.int8), P.astype(np.int8), prevalence


@pytest.mark.slow
def test_coverage_of_95_percent_intervals():
    from sklearn.metrics import f1_score

    Y, P, prevalence = population()
    assert np.allclose(Y.mean(axis=0), prevalence, atol=0.005)
    assert np.corrcoef(Y[:, 0], Y[:, 1])[0, 1] > 0.2  # correlated labels
    everything = labelwise.evaluate(Y, P)
    truth = {"f1_micro": everything["f1_micro"], "f1_macro": everything["f1_macro"]}
    assert truth["f1_micro"] == pytest.approx(f1_score(Y, P, average="micro"), abs=1e-12)
    assert truth["f1_macro"] == pytest.approx(f1_score(Y, P, average="macro"), abs=1e-12)
    assert 0.4 < truth["f1_macro"] < truth["f1_micro"] < 0.85  # a noisy predictor

    n_sets, size = 200, 300
    rng = np.random.default_rng(77)
    hits = {(m, k): 0 for m in ("percentile", "bca") for k in truth}
    widths = {k: [] for k in truth}
    started = time.perf_counter()
    for s in range(n_sets):
        rows = rng.choice(Y.shape[0], size=size, replace=False)
        for method in ("percentile", "bca"):
            r = labelwise.evaluate(Y[rows], P[rows], ci=LEVEL, ci_method=method,
                                   n_bootstrap=500, seed=s)
            for k, value in truth.items():
                lo, hi = r.ci[k]
                hits[method, k] += lo <= value <= hi
                widths[k].append(hi - lo)
    elapsed = time.perf_counter() - started
    coverage = {key: h / n_sets for key, h in hits.items()}
    print(f"coverage {coverage}, {elapsed:.1f} s")
    for key, c in coverage.items():
        # 200 sets: a true 95% coverage has a binomial sd of 0.015
        assert 0.89 <= c <= 0.99, (key, c)
    # not covering by being useless: the intervals are narrow on 300 samples
    assert np.mean(widths["f1_micro"]) < 0.15 and np.mean(widths["f1_macro"]) < 0.25


# --------------------------------------------------------------------------
# 3. determinism
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scored():
    Y, S, P = synthetic(n=1500, n_labels=6, seed=4)
    return Y, S, P


def test_same_seed_same_intervals_whatever_the_threads(scored):
    Y, S, _ = scored
    kw = dict(y_score=S, ci=LEVEL, n_bootstrap=300, seed=123)  # several weight blocks
    for method in ("bca", "percentile", "poisson"):
        first = labelwise.evaluate(Y, ci_method=method, **kw)
        assert first.ci.keys() == first.metrics.keys() - CALIBRATION - (
            SORTED_SCORE_METRICS if method == "poisson" else set())
        assert "precision_at_1" in first.ci and "label_ranking_loss" in first.ci
        assert ("roc_auc_macro" in first.ci) == (method != "poisson")
        assert_same_ci(first.ci, labelwise.evaluate(Y, ci_method=method, **kw).ci)
        before = numba.get_num_threads()
        try:
            numba.set_num_threads(1)
            one_thread = labelwise.evaluate(Y, ci_method=method, **kw)
        finally:
            numba.set_num_threads(before)
        assert_same_ci(first.ci, one_thread.ci)
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            continue
        with threadpool_limits(1):
            limited = labelwise.evaluate(Y, ci_method=method, **kw)
        assert_same_ci(first.ci, limited.ci)


def test_different_seeds_give_different_intervals(scored):
    Y, S, _ = scored
    a = labelwise.evaluate(Y, y_score=S, ci=LEVEL, n_bootstrap=200, seed=1)
    b = labelwise.evaluate(Y, y_score=S, ci=LEVEL, n_bootstrap=200, seed=2)
    assert a.metrics == b.metrics
    for name in ("f1_micro", "f1_macro", "roc_auc_macro", "label_ranking_loss"):
        assert a.ci[name] != b.ci[name], name
    changed = sum(a.ci[k] != b.ci[k] for k in a.ci)
    assert changed > 0.9 * len(a.ci)


def test_seed_none_records_a_seed_that_reproduces(scored):
    Y, S, _ = scored
    r = labelwise.evaluate(Y, y_score=S, ci=LEVEL, n_bootstrap=200)
    seed = r.params["seed"]
    assert isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0
    again = labelwise.evaluate(Y, y_score=S, ci=LEVEL, n_bootstrap=200, seed=seed)
    assert_same_ci(r.ci, again.ci)
    assert again.params["seed"] == seed
    # also after the report's JSON (a 128-bit seed survives as a JSON integer)
    from_json = json.loads(r.to_json())["params"]["seed"]
    assert from_json == seed
    assert_same_ci(r.ci, labelwise.evaluate(Y, y_score=S, ci=LEVEL, n_bootstrap=200,
                                            seed=from_json).ci)
    other = labelwise.evaluate(Y, y_score=S, ci=LEVEL, n_bootstrap=200)
    assert other.params["seed"] != seed and other.ci != r.ci


def test_tuple_seed_is_recorded_as_a_list_that_reproduces(scored):
    Y, _, P = scored
    r = labelwise.evaluate(Y, P, ci=LEVEL, n_bootstrap=100, seed=(3, 7))
    assert r.params["seed"] == [3, 7]
    assert_same_ci(r.ci, labelwise.evaluate(Y, P, ci=LEVEL, n_bootstrap=100,
                                            seed=r.params["seed"]).ci)
    assert r.ci != labelwise.evaluate(Y, P, ci=LEVEL, n_bootstrap=100, seed=(3, 8)).ci


def test_params_say_how_the_intervals_were_made(scored):
    Y, _, P = scored
    plain = labelwise.evaluate(Y, P)
    assert plain.ci == {} and not {"ci", "ci_method", "n_bootstrap", "seed"} & set(plain.params)
    r = labelwise.evaluate(Y, P, ci=0.9, n_bootstrap=50, ci_method="percentile", seed=4)
    assert {k: r.params[k] for k in ("ci", "ci_method", "n_bootstrap", "seed")} == {
        "ci": 0.9, "ci_method": "percentile", "n_bootstrap": 50, "seed": 4}
    assert "ci_undefined" not in r.params and "ci_left_out" not in r.params
    assert r.metrics == plain.metrics  # intervals change no value
    wider = labelwise.evaluate(Y, P, ci=0.99, n_bootstrap=50, ci_method="percentile", seed=4)
    for k in ("f1_micro", "hamming_loss"):  # same replicates, outer quantiles
        assert wider.ci[k][0] <= r.ci[k][0] and r.ci[k][1] <= wider.ci[k][1]
    assert r.params["ci_method"] == "percentile"
    assert labelwise.evaluate(Y, P, ci=LEVEL, n_bootstrap=50).params["ci_method"] == "bca"


# --------------------------------------------------------------------------
# 4. edge cases
# --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["bca", "percentile", "poisson"])
def test_perfect_predictions_give_point_intervals(method):
    rng = np.random.default_rng(3)
    Y = (rng.random((80, 5)) < 0.4).astype(int)
    Y[Y.sum(axis=1) == 0, 0] = 1  # every sample has a label ...
    full = Y.sum(axis=1) == Y.shape[1]
    Y[full, -1] = 0  # ... and lacks one
    assert Y.sum(axis=0).min() > 0 and (1 - Y).sum(axis=0).min() > 0
    r = labelwise.evaluate(Y, Y, ci=LEVEL, ci_method=method, n_bootstrap=200, seed=1)
    assert r.ci.keys() == r.metrics.keys() - CALIBRATION
    for name, (lo, hi) in r.ci.items():
        assert lo == hi == r[name], (name, r[name], lo, hi)
    assert r.ci["f1_micro"] == (1.0, 1.0) and r.ci["hamming_loss"] == (0.0, 0.0)


def rare_case(n=200, seed=3):
    """Four ordinary labels and one with a single positive, predicted right."""
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, 4)) < 0.4).astype(int)
    P = np.where(rng.random(Y.shape) < 0.85, Y, 1 - Y)
    rare = np.zeros((n, 1), int)
    rare[17] = 1
    return np.hstack([Y, rare]), np.hstack([P, rare]), ["a", "b", "c", "d", "rare"]


def test_a_vanishing_rare_label_is_reported():
    Y, P, labels = rare_case()
    n = Y.shape[0]
    r = labelwise.evaluate(Y, P, labels=labels, ci=LEVEL, ci_method="percentile",
                           n_bootstrap=1000, seed=5)
    shares = r.params["ci_undefined"]
    # sample 17 is left out of a replicate with probability (1 - 1/n)^n; then the rare
    # label has no positive and no prediction, so its precision, recall and F1 are 0/0
    expected = (1 - 1 / n) ** n
    for name in ("f1_macro", "recall_macro", "precision_macro", "f1_weighted"):
        assert shares[name] == pytest.approx(expected, abs=0.06), name
    for name in ("f1_micro", "hamming_loss", "subset_accuracy", "precision_micro"):
        assert name not in shares  # pooled counts and per-sample metrics are unaffected
    assert set(shares) <= set(r.metrics)
    worst = max(shares.values())
    for text in (r.to_text(), r.to_markdown()):
        assert f"in up to {worst:.1%} of the bootstrap replicates" in text
        assert f"{len(shares)} metric(s) in all" in text
    assert json.loads(r.to_json())["params"]["ci_undefined"] == pytest.approx(shares)
    # without the rare label nothing is reported
    clean = labelwise.evaluate(Y[:, :4], P[:, :4], ci=LEVEL, ci_method="percentile",
                               n_bootstrap=1000, seed=5)
    assert "ci_undefined" not in clean.params
    assert "bootstrap replicates (" not in clean.to_text()


def test_renderings_and_json_show_the_intervals():
    Y, S, _ = synthetic(n=400, seed=9)
    r = labelwise.evaluate(Y, y_score=S, ci=LEVEL, ci_method="percentile",
                           n_bootstrap=300, seed=3)
    text, md = r.to_text(), r.to_markdown()
    header = "95% percentile intervals from 300 bootstrap replicates, seed 3"
    assert header in text and header in md
    assert header in str(r)
    for name in ("f1_micro", "hamming_loss", "f1_macro", "roc_auc_macro", "precision_at_1",
                 "label_ranking_loss"):
        lo, hi = r.ci[name]
        cell = f"{r[name]:.4f} [{lo:.4f}, {hi:.4f}]"
        assert cell in text and cell in md, name
    doc = json.loads(r.to_json(inputs=INPUTS))
    jsonschema.validate(doc, SCHEMA)
    assert doc["ci"].keys() == r.metrics.keys() - CALIBRATION
    for name, pair in doc["ci"].items():
        assert pair == [r.ci[name][0], r.ci[name][1]]
    assert {k: doc["params"][k] for k in ("ci", "ci_method", "n_bootstrap", "seed")} == {
        "ci": 0.95, "ci_method": "percentile", "n_bootstrap": 300, "seed": 3}
    assert r.to_dict()["ci"] == doc["ci"]
    # without intervals nothing of them shows
    plain = labelwise.evaluate(Y, y_score=S)
    assert "bootstrap" not in plain.to_text() and "bootstrap" not in plain.to_markdown()
    assert f"{plain['f1_micro']:.4f} [" not in plain.to_text()
    assert f"{plain['f1_micro']:.4f}" in plain.to_text()
    assert json.loads(plain.to_json())["ci"] == {}


@pytest.mark.parametrize("method", ["bca", "poisson"])
def test_method_names_in_the_renderings(method):
    Y, _, P = synthetic(n=200, seed=2)
    r = labelwise.evaluate(Y, P, ci=0.9, ci_method=method, n_bootstrap=64, seed=0)
    shown = {"bca": "BCa", "poisson": "Poisson"}[method]
    assert f"90% {shown} intervals from 64 bootstrap replicates, seed 0" in r.to_text()
    jsonschema.validate(json.loads(r.to_json(inputs=INPUTS)), SCHEMA)


def test_an_undefined_metric_has_null_bounds_in_json():
    """zero_division=nan and a label set without any positive: recall_micro is NaN on
    all the data and in every replicate, so its interval is NaN, null in JSON."""
    Y = np.zeros((30, 2), int)
    P = np.zeros((30, 2), int)
    P[::3, 0] = 1
    r = labelwise.evaluate(Y, P, zero_division=float("nan"), ci=LEVEL, n_bootstrap=50,
                           seed=0)
    assert math.isnan(r["recall_micro"])
    assert all(math.isnan(b) for b in r.ci["recall_micro"])
    doc = json.loads(r.to_json(inputs=INPUTS))
    assert doc["ci"]["recall_micro"] == [None, None]
    jsonschema.validate(doc, SCHEMA)
    assert "nan [nan, nan]" in r.to_text()


def test_poisson_intervals_are_like_the_multinomial_ones(scored):
    Y, _, P = scored
    kw = dict(ci=LEVEL, n_bootstrap=1000, seed=21)
    pois = labelwise.evaluate(Y, P, ci_method="poisson", **kw)
    perc = labelwise.evaluate(Y, P, ci_method="percentile", **kw)
    assert pois.params["ci_method"] == "poisson"
    for name in ("f1_micro", "f1_macro", "hamming_loss", "subset_accuracy", "jaccard_samples"):
        (a, b), (c, d) = pois.ci[name], perc.ci[name]
        assert a <= pois[name] <= b
        assert b - a == pytest.approx(d - c, rel=0.2), name  # same sampling spread


@pytest.mark.parametrize("method", ["bca", "percentile", "poisson"])
def test_all_ones_weights_give_the_unweighted_intervals(scored, method):
    Y, S, P = scored
    n = Y.shape[0]
    for kind in ({"y_pred": P}, {"y_score": S}):
        kw = dict(ci=LEVEL, ci_method=method, n_bootstrap=150, seed=8, **kind)
        plain = labelwise.evaluate(Y, **kw)
        weighted = labelwise.evaluate(Y, sample_weight=np.ones(n), **kw)
        assert weighted.params["weighted"] is True
        assert_same_ci(plain.ci, weighted.ci)


def test_scaled_weights_give_the_same_intervals(scored):
    """The metrics are ratios of weighted sums: scaling every weight changes nothing."""
    Y, _, P = scored
    w = np.random.default_rng(1).uniform(0.5, 2.0, size=Y.shape[0])
    kw = dict(ci=LEVEL, ci_method="percentile", n_bootstrap=200, seed=9)
    a = labelwise.evaluate(Y, P, sample_weight=w, **kw)
    b = labelwise.evaluate(Y, P, sample_weight=4 * w, **kw)
    for name in a.ci:
        np.testing.assert_allclose(a.ci[name], b.ci[name], rtol=1e-12, atol=1e-12,
                                   err_msg=name)
    unweighted = labelwise.evaluate(Y, P, **kw)
    assert a.ci["f1_micro"] != unweighted.ci["f1_micro"]


def test_label_sets_give_the_matrix_intervals():
    rng = np.random.default_rng(6)
    names = ["jazz", "live", "rock", "soul"]  # sorted: the union's column order
    Y = (rng.random((150, 4)) < 0.35).astype(int)
    P = np.where(rng.random(Y.shape) < 0.8, Y, 1 - Y)

    def sets(M):
        return [[names[j] for j in np.flatnonzero(row)] for row in M]

    kw = dict(ci=LEVEL, n_bootstrap=200, seed=10)
    r_sets = labelwise.evaluate(sets(Y), sets(P), **kw)
    r_matrix = labelwise.evaluate(Y, P, labels=names, **kw)
    assert r_sets.labels == tuple(names)
    assert_same_ci(r_sets.ci, r_matrix.ci)
    assert r_sets.ci.keys() == r_sets.metrics.keys() - CALIBRATION
    strings = labelwise.evaluate([",".join(s) for s in sets(Y)],
                                 [",".join(s) for s in sets(P)], **kw)
    assert_same_ci(strings.ci, r_matrix.ci)


def test_top_k_input_gives_intervals():
    Y, S, _ = synthetic(n=500, n_labels=8, seed=12)
    idx = np.argsort(-S, axis=1, kind="stable")[:, :3]
    top = np.take_along_axis(S, idx, axis=1)
    kw = dict(ci=LEVEL, ci_method="percentile", n_bootstrap=300, seed=4)
    r = labelwise.evaluate(Y, y_score=(idx, top), **kw)
    dense = labelwise.evaluate(Y, y_score=S, **kw)
    assert r.ci.keys() == r.metrics.keys() - CALIBRATION
    assert "precision_at_1" in r.ci and "precision_at_3" in r.ci
    assert not any(k.startswith("roc_auc_macro") for k in r.metrics)
    # the top 3 decide P@1 and P@3 (and the predictions above 0.5 that rank in the
    # top 3): the same per-sample values under the same replicate weights
    for name in ("precision_at_1", "precision_at_3", "recall_at_3", "ndcg_at_3"):
        assert r[name] == pytest.approx(dense[name], abs=1e-12)
        np.testing.assert_allclose(r.ci[name], dense.ci[name], rtol=0, atol=1e-12,
                                   err_msg=name)
    for name, (lo, hi) in r.ci.items():
        assert lo - 1e-12 <= r[name] <= hi + 1e-12, name


def test_binned_scores_leave_roc_auc_out():
    Y, S, _ = synthetic(n=300, seed=13)
    acc = labelwise.Accumulator(auc="binned", ci=LEVEL, n_bootstrap=100, seed=0)
    r = acc.update(Y, y_score=S).report()
    left = r.params["ci_left_out"]
    assert "roc_auc_macro" in left and "average_precision_micro" in left
    assert set(left).isdisjoint(r.ci) and set(left) | set(r.ci) == set(r.metrics)
    assert "roc_auc_samples" in r.ci  # per-sample AUC is a sum over samples
    note = "note: no interval for " + ", ".join(n for n in left if n not in CALIBRATION) \
        + ": they need every score, and the "
    assert note + "scores were not kept (binned or sparse scores)" in r.to_text()


# --------------------------------------------------------------------------
# 5. Accumulator
# --------------------------------------------------------------------------

CUTS = (0, 130, 140, 333, 600)


def batches(*arrays):
    return [tuple(a[lo:hi] for a in arrays) for lo, hi in zip(CUTS, CUTS[1:])]


@pytest.mark.parametrize("method", ["bca", "percentile"])
def test_accumulator_batches_and_merges_match_evaluate_hard(method):
    Y, _, P = synthetic(n=600, seed=20)
    w = np.random.default_rng(0).uniform(0.5, 2.0, size=600)
    kw = dict(ci=LEVEL, ci_method=method, n_bootstrap=150, seed=31)
    for weights in (None, w):
        whole = labelwise.evaluate(Y, P, sample_weight=weights, **kw)
        parts = batches(Y, P) if weights is None else batches(Y, P, w)

        def fed(chunks):
            acc = labelwise.Accumulator(**kw)
            for c in chunks:
                acc.update(c[0], c[1], sample_weight=c[2] if len(c) > 2 else None)
            return acc

        assert_same_ci(fed(parts).report().ci, whole.ci)
        merged = fed(parts[:2]).merge(fed(parts[2:]))
        assert_same_ci(merged.report().ci, whole.ci)
        summed = fed(parts[:1]) + fed(parts[1:3]) + fed(parts[3:])
        r = summed.report()
        assert_same_ci(r.ci, whole.ci)
        assert r.params["seed"] == 31 and r.params["ci_method"] == method
        assert_same_ci(sum([fed(parts[:2]), fed(parts[2:])]).report().ci, whole.ci)


@pytest.mark.parametrize("method", ["percentile"])
def test_accumulator_batches_and_merges_match_evaluate_scores(method):
    Y, S, _ = synthetic(n=600, seed=21)
    kw = dict(ci=LEVEL, ci_method=method, n_bootstrap=150, seed=32)
    whole = labelwise.evaluate(Y, y_score=S, **kw)
    assert "roc_auc_macro" in whole.ci and "average_precision_micro" in whole.ci
    parts = batches(Y, S)

    def fed(chunks):
        acc = labelwise.Accumulator(**kw)
        for y, s in chunks:
            acc.update(y, y_score=s)
        return acc

    assert_same_ci(fed(parts).report().ci, whole.ci)
    assert_same_ci((fed(parts[:3]) + fed(parts[3:])).report().ci, whole.ci)
    assert_same_ci(fed(parts[:1]).merge(fed(parts[1:])).report().ci, whole.ci)
    # reporting in between does not change what comes after
    acc = fed(parts[:2])
    acc.report()
    for y, s in parts[2:]:
        acc.update(y, y_score=s)
    assert_same_ci(acc.report().ci, whole.ci)


def fed_scores(chunks, **kw):
    acc = labelwise.Accumulator(**kw)
    for y, s in chunks:
        acc.update(y, y_score=s)
    return acc


def test_accumulator_bca_scores_match_evaluate_where_the_estimates_match():
    """BCa also depends on the point estimate; where the accumulator's estimate is
    bitwise that of evaluate() the intervals are identical (the test below covers
    the estimates that differ in the last bit)."""
    Y, S, _ = synthetic(n=600, seed=21)
    kw = dict(ci=LEVEL, ci_method="bca", n_bootstrap=150, seed=32)
    whole = labelwise.evaluate(Y, y_score=S, **kw)
    for acc in (fed_scores(batches(Y, S), **kw),
                fed_scores(batches(Y, S)[:2], **kw) + fed_scores(batches(Y, S)[2:], **kw)):
        r = acc.report()
        assert r.ci.keys() == whole.ci.keys()
        same = [k for k in r.metrics if r[k] == whole[k] and k in r.ci]
        assert len(same) > 0.9 * len(r.ci)
        assert "roc_auc_macro" in same and "f1_micro" in same and "label_ranking_loss" in same
        for k in r.metrics:
            assert r[k] == pytest.approx(whole[k], rel=1e-14, abs=1e-15), k
        assert_same_ci({k: r.ci[k] for k in same}, {k: whole.ci[k] for k in same})


def test_accumulator_bca_scores_match_evaluate_exactly():
    Y, S, _ = synthetic(n=600, seed=21)
    parts = batches(Y, S)
    whole = labelwise.evaluate(Y, y_score=S)
    acc = fed_scores(parts).report()
    # the estimates agree to rounding only
    assert acc["precision_at_3"] == pytest.approx(whole["precision_at_3"], rel=1e-15)
    assert acc["precision_at_3"] != whole["precision_at_3"]
    for seed in range(8):  # ties of a replicate with the estimate are common at n=600
        kw = dict(ci=LEVEL, n_bootstrap=150, seed=seed)
        perc = labelwise.evaluate(Y, y_score=S, ci_method="percentile", **kw)
        assert fed_scores(parts, ci_method="percentile", **kw).report().ci == perc.ci
        assert_same_ci(fed_scores(parts, ci_method="bca", **kw).report().ci,
                       labelwise.evaluate(Y, y_score=S, ci_method="bca", **kw).ci)


def growing_sets():
    """Label sets whose vocabulary grows from batch to batch."""
    rng = np.random.default_rng(40)
    vocab = ["alpha", "beta", "gamma", "delta", "omega"]
    truth, pred = [], []
    for i in range(300):
        # labels become available over time: the first batch knows only two
        avail = vocab[: 2 + min(3, i // 70)]
        t = [x for x in avail if rng.random() < 0.4]
        p = [x for x in t if rng.random() < 0.8] + [x for x in avail
                                                     if x not in t and rng.random() < 0.1]
        truth.append(t)
        pred.append(p)
    return truth, pred


@pytest.mark.parametrize("method", ["bca", "percentile"])
def test_accumulator_label_sets_with_a_growing_vocabulary(method):
    truth, pred = growing_sets()
    kw = dict(ci=LEVEL, ci_method=method, n_bootstrap=150, seed=33)
    whole = labelwise.evaluate(truth, pred, **kw)
    assert whole.labels == ("alpha", "beta", "delta", "gamma", "omega")
    cuts = (0, 60, 150, 230, 300)
    chunks = [(truth[a:b], pred[a:b]) for a, b in zip(cuts, cuts[1:])]

    def fed(part):
        acc = labelwise.Accumulator(**kw)
        for t, p in part:
            acc.update(t, p)
        return acc

    first = fed(chunks[:1]).report()
    assert first.labels == ("alpha", "beta")  # the vocabulary did grow
    one = fed(chunks)
    assert one.report().labels == whole.labels
    assert_same_ci(one.report().ci, whole.ci)
    assert_same_ci((fed(chunks[:2]) + fed(chunks[2:])).report().ci, whole.ci)
    assert_same_ci(fed(chunks[2:]).merge(fed(chunks[:2])).report().ci,
                   labelwise.evaluate(truth[150:] + truth[:150], pred[150:] + pred[:150],
                                      **kw).ci)


def test_accumulator_json_checkpoint_and_pickle_keep_the_intervals():
    Y, S, P = synthetic(n=500, seed=22)
    w = np.random.default_rng(2).uniform(0.5, 2.0, size=500)
    kw = dict(ci=LEVEL, n_bootstrap=150, seed=34)
    for feed in ({"y_pred": P}, {"y_score": S}):
        (name, values), = feed.items()
        acc = labelwise.Accumulator(**kw)
        acc.update(Y[:200], sample_weight=w[:200], **{name: values[:200]})
        acc.update(Y[200:350], sample_weight=w[200:350], **{name: values[200:350]})
        expected = acc.report()
        back = labelwise.Accumulator.from_dict(json.loads(json.dumps(acc.to_dict())))
        got = back.report()
        assert_same_ci(got.ci, expected.ci)
        assert got.params == expected.params
        unpickled = pickle.loads(pickle.dumps(acc))
        assert_same_ci(unpickled.report().ci, expected.ci)
        # both go on as the original would
        whole = labelwise.evaluate(Y, sample_weight=w, **kw, **feed)
        for a in (acc, back, unpickled):
            a.update(Y[350:], sample_weight=w[350:], **{name: values[350:]})
            assert_same_ci(a.report().ci, whole.ci)


def test_accumulator_checkpoint_of_growing_label_sets():
    truth, pred = growing_sets()
    kw = dict(ci=LEVEL, ci_method="percentile", n_bootstrap=100, seed=35)
    acc = labelwise.Accumulator(**kw).update(truth[:100], pred[:100])
    back = labelwise.Accumulator.from_dict(json.loads(json.dumps(acc.to_dict())))
    again = pickle.loads(pickle.dumps(acc))
    whole = labelwise.evaluate(truth, pred, **kw)
    for a in (back, again):
        a.update(truth[100:], pred[100:])
        assert_same_ci(a.report().ci, whole.ci)


def test_accumulator_seed_none_records_a_reproducing_seed():
    Y, _, P = synthetic(n=300, seed=23)
    acc = labelwise.Accumulator(ci=LEVEL, n_bootstrap=100)
    acc.update(Y[:100], P[:100]).update(Y[100:], P[100:])
    r = acc.report()
    seed = r.params["seed"]
    assert isinstance(seed, int) and seed >= 0
    assert_same_ci(r.ci, labelwise.evaluate(Y, P, ci=LEVEL, n_bootstrap=100, seed=seed).ci)


def test_merged_accumulators_draw_with_the_left_ones_seed():
    Y, _, P = synthetic(n=300, seed=24)
    a = labelwise.Accumulator(ci=LEVEL, n_bootstrap=100, seed=1).update(Y[:150], P[:150])
    b = labelwise.Accumulator(ci=LEVEL, n_bootstrap=100, seed=2).update(Y[150:], P[150:])
    for merged, seed in ((a + b, 1), (b + a, 2)):
        r = merged.report()
        assert r.params["seed"] == seed
    assert_same_ci((a + b).report().ci,
                   labelwise.evaluate(Y, P, ci=LEVEL, n_bootstrap=100, seed=1).ci)


def test_merging_into_an_empty_accumulator_keeps_its_seed():
    Y, _, P = synthetic(n=300, seed=25)
    kw = dict(ci=LEVEL, n_bootstrap=100)
    empty = labelwise.Accumulator(seed=1, **kw)
    full = labelwise.Accumulator(seed=2, **kw).update(Y, P)
    r = empty.merge(full).report()
    assert r.params["seed"] == 1
    assert_same_ci(r.ci, labelwise.evaluate(Y, P, seed=1, **kw).ci)


def test_accumulators_with_different_ci_settings_do_not_merge():
    Y, _, P = synthetic(n=100, seed=26)
    a = labelwise.Accumulator(ci=LEVEL, n_bootstrap=100, seed=1).update(Y, P)
    for other in (labelwise.Accumulator(ci=0.9, n_bootstrap=100, seed=1),
                  labelwise.Accumulator(ci=LEVEL, n_bootstrap=200, seed=1),
                  labelwise.Accumulator(ci=LEVEL, n_bootstrap=100, ci_method="poisson"),
                  labelwise.Accumulator()):
        with pytest.raises(labelwise.InputError, match="different settings"):
            a.merge(other.update(Y, P))
    assert_same_ci(a.report().ci,
                   labelwise.evaluate(Y, P, ci=LEVEL, n_bootstrap=100, seed=1).ci)


# Poisson accumulators keep replicate sums, not rows: each batch draws its own
# weights, so batches give other (equally valid) replicates than one evaluate() call;
# agreement with a plain Poisson loop is checked on yeast above.

POISSON = dict(ci=LEVEL, ci_method="poisson", n_bootstrap=150)


def poisson_fed(chunks, **kw):
    acc = labelwise.Accumulator(**{**POISSON, **kw})
    for c in chunks:
        acc.update(c[0], **{c[1]: c[2]})
    return acc


def test_poisson_accumulator_of_one_batch_is_evaluate():
    Y, S, P = synthetic(n=600, seed=50)
    w = np.random.default_rng(3).uniform(0.5, 2.0, size=600)
    for feed in ({"y_pred": P}, {"y_score": S}):
        for weights in (None, w):
            whole = labelwise.evaluate(Y, sample_weight=weights, seed=41, **POISSON, **feed)
            acc = labelwise.Accumulator(seed=41, **POISSON)
            r = acc.update(Y, sample_weight=weights, **feed).report()
            assert_same_ci(r.ci, whole.ci)
            assert r.params["ci_method"] == "poisson" and r.params["seed"] == 41


def test_poisson_accumulator_same_batches_same_intervals():
    Y, S, P = synthetic(n=600, seed=51)
    for name, values in (("y_pred", P), ("y_score", S)):
        chunks = [(y, name, v) for y, v in batches(Y, values)]
        a = poisson_fed(chunks, seed=42).report()
        b = poisson_fed(chunks, seed=42).report()
        assert_same_ci(a.ci, b.ci)
        assert a.ci != poisson_fed(chunks, seed=43).report().ci
        # other batches are other draws, of the same distribution
        assert a.ci != poisson_fed([(Y, name, values)], seed=42).report().ci
        assert a.metrics == pytest.approx(labelwise.evaluate(Y, **{name: values}).metrics,
                                          nan_ok=True)


def test_poisson_workers_with_their_own_seeds_merge():
    Y, S, P = synthetic(n=600, seed=52)
    chunks = [(y, "y_score", s) for y, s in batches(Y, S)]
    a = poisson_fed(chunks[:2], seed=(0, 0))
    b = poisson_fed(chunks[2:], seed=(0, 1))
    ab, ba = (a + b).report(), (b + a).report()
    assert_same_ci(ab.ci, ba.ci)  # replicate sums add up in either order
    assert ab.params["seed"] == [0, 0] and ba.params["seed"] == [0, 1]
    assert_same_ci(ab.ci, poisson_fed(chunks[:2], seed=(0, 0)).merge(b).report().ci)
    assert ab.n_samples == 600 and ab.metrics == pytest.approx(
        labelwise.evaluate(Y, y_score=S).metrics, nan_ok=True)
    # a third worker joins; the inputs of a merge are left as they were
    c = poisson_fed([(Y[:50], "y_score", S[:50])], seed=(0, 2))
    abc = a + b + c
    assert abc.n_samples == 650 and a.n_samples == 140 and b.n_samples == 460
    assert_same_ci((c + (b + a)).report().ci, abc.report().ci)


def test_poisson_states_from_one_seed_do_not_merge():
    Y, _, P = synthetic(n=300, seed=53)
    a = poisson_fed([(Y[:100], "y_pred", P[:100])], seed=7)
    b = poisson_fed([(Y[100:], "y_pred", P[100:])], seed=7)
    with pytest.raises(labelwise.InputError, match=(
            r"both accumulators drew their Poisson weights from seed 7, so their replicates "
            r"are not independent: give each worker its own seed, such as seed=\(0, rank\)")):
        a + b
    c = poisson_fed([(Y[100:], "y_pred", P[100:])], seed=(1, 2))
    merged = a + c
    with pytest.raises(labelwise.InputError, match=r"from seed \(1, 2\)"):
        merged.merge(poisson_fed([(Y[:10], "y_pred", P[:10])], seed=(1, 2)))
    assert_same_ci(merged.report().ci, (a + c).report().ci)  # a failed merge changed nothing


def test_poisson_growing_vocabulary_equals_the_fixed_vocabulary():
    """Column moves of the replicate sums: label sets whose vocabulary grows give what
    the same batches give with the whole vocabulary named from the start."""
    truth, pred = growing_sets()
    vocab = sorted({x for t in truth + pred for x in t})
    cuts = (0, 60, 150, 230, 300)
    growing = labelwise.Accumulator(seed=44, **POISSON)
    fixed = labelwise.Accumulator(labels=vocab, seed=44, **POISSON)
    for lo, hi in zip(cuts, cuts[1:]):
        growing.update(truth[lo:hi], pred[lo:hi])
        fixed.update(truth[lo:hi], pred[lo:hi])
    rg, rf = growing.report(), fixed.report()
    assert rg.labels == rf.labels == tuple(vocab)
    assert_same_ci(rg.ci, rf.ci)
    # and merged from two workers whose vocabularies differ
    w1 = labelwise.Accumulator(seed=(5, 0), **POISSON).update(truth[:100], pred[:100])
    w2 = labelwise.Accumulator(seed=(5, 1), **POISSON).update(truth[100:], pred[100:])
    f1 = labelwise.Accumulator(labels=vocab, seed=(5, 0), **POISSON).update(truth[:100],
                                                                            pred[:100])
    f2 = labelwise.Accumulator(labels=vocab, seed=(5, 1), **POISSON).update(truth[100:],
                                                                            pred[100:])
    assert w1.report().labels != w2.report().labels
    assert_same_ci((w1 + w2).report().ci, (f1 + f2).report().ci)


def test_poisson_memory_does_not_grow_with_the_rows():
    """Replicate sums, never rows: a pickled Poisson accumulator of hard predictions
    barely grows with ten times the samples; a percentile one keeps every row."""
    Y, _, P = synthetic(n=6000, seed=54)

    def size(method, n):
        acc = labelwise.Accumulator(ci=LEVEL, ci_method=method, n_bootstrap=150, seed=0)
        return len(pickle.dumps(acc.update(Y[:n], P[:n])))

    assert size("poisson", 6000) < 1.5 * size("poisson", 600)
    assert size("percentile", 6000) > 5 * size("percentile", 600)


def test_poisson_pickle_and_json_checkpoints():
    Y, S, P = synthetic(n=600, seed=55)
    for name, values in (("y_pred", P), ("y_score", S)):
        chunks = [(y, name, v) for y, v in batches(Y, values)]
        acc = poisson_fed(chunks[:2], seed=45)
        expected = acc.report()
        unpickled = pickle.loads(pickle.dumps(acc))
        assert_same_ci(unpickled.report().ci, expected.ci)
        back = labelwise.Accumulator.from_dict(json.loads(json.dumps(acc.to_dict())))
        got = back.report()
        assert got.params == expected.params and got.metrics == expected.metrics
        for k in expected.ci:  # equal to rounding (exact equality: the test below)
            np.testing.assert_allclose(got.ci[k], expected.ci[k], rtol=1e-13, atol=0,
                                       err_msg=k)
        # both go on as the original does
        whole = poisson_fed(chunks, seed=45).report()
        for a in (acc, unpickled, back):
            for y, _, v in chunks[2:]:
                a.update(y, **{name: v})
            assert_same_ci(a.report().ci, whole.ci)


def test_poisson_json_checkpoint_gives_identical_intervals():
    Y, _, P = synthetic(n=600, seed=55)
    acc = poisson_fed([(y, "y_pred", p) for y, p in batches(Y, P)][:2], seed=45)
    back = labelwise.Accumulator.from_dict(json.loads(json.dumps(acc.to_dict())))
    assert_same_ci(back.report().ci, acc.report().ci)


def test_poisson_leaves_out_the_sorted_score_metrics_with_a_note():
    Y, S, _ = synthetic(n=400, seed=56)
    r = labelwise.evaluate(Y, y_score=S, seed=46, **POISSON)
    left = r.params["ci_left_out"]
    assert set(left) - CALIBRATION == SORTED_SCORE_METRICS and set(left).isdisjoint(r.ci)
    assert set(r.ci) | set(left) == set(r.metrics)
    for text in (r.to_text(), r.to_markdown()):
        assert "no interval for " + ", ".join(n for n in left if n not in CALIBRATION) in text
        assert "the Poisson bootstrap keeps no scores" in text
    assert json.loads(r.to_json())["params"]["ci_left_out"] == left
    jsonschema.validate(json.loads(r.to_json(inputs=INPUTS)), SCHEMA)
    for k in left:  # their values are still reported, without an interval
        assert k in r.metrics and f"{r[k]:.4f} [" not in r.to_text()


# --------------------------------------------------------------------------
# 6. errors
# --------------------------------------------------------------------------

LEVEL_MSG = r"ci must be a confidence level between 0 and 1 \(such as 0\.95\), got "
BAD = [
    (dict(ci=95), LEVEL_MSG + r"95; divide by 100 to give 0\.95\."),
    (dict(ci=0), LEVEL_MSG + r"0; pass a float such as 0\.9, 0\.95 or 0\.99\."),
    (dict(ci=1.5), LEVEL_MSG + r"1\.5; "),
    (dict(ci=LEVEL, n_bootstrap=1),
     r"n_bootstrap must be an integer of at least 2 \(1000 is usual\), got 1\."),
    (dict(ci=LEVEL, n_bootstrap=True),
     r"n_bootstrap must be an integer of at least 2 \(1000 is usual\), got True\."),
    (dict(ci=LEVEL, ci_method="bootstrap"),
     r"ci_method must be one of 'bca', 'percentile', 'poisson', got 'bootstrap'\."),
    (dict(ci=LEVEL, seed=-1),
     r"seed must be a non-negative integer \(or a tuple of them\), got -1\."),
    (dict(ci=LEVEL, seed="x"),
     r"seed must be a non-negative integer \(or a tuple of them\), got 'x'\."),
]


@pytest.mark.parametrize("kwargs, message", BAD, ids=[repr(b[0]) for b in BAD])
def test_bad_bootstrap_arguments(kwargs, message):
    Y = np.array([[1, 0], [0, 1], [1, 1]])
    with pytest.raises(labelwise.InputError, match="^" + message):
        labelwise.evaluate(Y, Y, **kwargs)
    with pytest.raises(labelwise.InputError, match="^" + message):
        labelwise.Accumulator(**kwargs)


# --------------------------------------------------------------------------
# Multinomial weights as uint8 counts
# --------------------------------------------------------------------------


def test_multinomial_weights_are_uint8_counts_of_n_draws():
    from labelwise.stats.bootstrap import block_size, weight_blocks

    n = 3000
    size = block_size(n)
    blocks = list(weight_blocks(n, size + 10, "percentile", seed=4))
    assert [b.shape for b in blocks] == [(n, size), (n, 10)]
    for b in blocks:
        assert b.dtype == np.uint8 and b.flags.c_contiguous
        assert (b.sum(axis=0, dtype=np.int64) == n).all()  # each replicate draws n samples
    poisson = next(weight_blocks(n, 10, "poisson", seed=4))
    assert poisson.dtype == np.float64


def test_a_sample_drawn_more_than_255_times_makes_a_float64_block(monkeypatch):
    from labelwise.stats import bootstrap as B

    class Always0:  # every draw picks sample 0
        def integers(self, low, high, size, dtype):
            return np.zeros(size, dtype=dtype)

    monkeypatch.setattr(B.np.random, "default_rng", lambda child: Always0())
    (block,) = list(B.weight_blocks(300, 3, "percentile", seed=0))
    assert block.dtype == np.float64
    assert block[0].tolist() == [300.0] * 3 and not block[1:].any()


def test_uint8_weights_give_the_intervals_of_float64_weights(monkeypatch):
    from labelwise.stats import bootstrap as B

    rng = np.random.default_rng(5)
    y = rng.random((400, 6)) < 0.3
    p = np.where(rng.random((400, 6)) < 0.85, y, ~y)
    as_counts = labelwise.evaluate(y, p, ci=0.95, n_bootstrap=300, seed=1)
    plain = B.weight_blocks
    monkeypatch.setattr(B, "weight_blocks", lambda *a, **k: (
        w.astype(np.float64) for w in plain(*a, **k)))
    as_floats = labelwise.evaluate(y, p, ci=0.95, n_bootstrap=300, seed=1)
    assert len(as_counts.ci) > 20 and as_counts.ci == as_floats.ci
