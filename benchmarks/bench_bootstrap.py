"""Time bootstrap intervals and model comparison against a resampling loop over scikit-learn.

Run from the repository root::

    .venv/bin/python benchmarks/bench_bootstrap.py            # full run
    .venv/bin/python benchmarks/bench_bootstrap.py --quick    # 10x fewer rows, fewer repeats
    .venv/bin/python benchmarks/bench_bootstrap.py --profile  # also cProfile each labelwise call

Workloads (all data is generated here from a seeded numpy Generator):

BOOT     dense 100,000 x 100 int8 0/1 labels, per-label prevalence geometric
         from 0.15 to 0.01 (about 5% of cells true); predictions are the truth
         with 10% of the cells flipped. ``labelwise.evaluate(y_true, y_pred,
         ci=0.95, n_bootstrap=1000, seed=0)`` with the default BCa intervals and
         with ``ci_method="percentile"``, against a plain loop that, for each
         resample (n rows drawn with replacement), calls scikit-learn's
         ``classification_report(output_dict=True, zero_division=0)``,
         ``hamming_loss`` and ``accuracy_score``. The loop is timed on 10
         resamples and its median is extrapolated (x100) to 1000 resamples.
         ``evaluate()`` without intervals is timed too, so the cost of the
         intervals alone is shown.
COMPARE  the same truth and three models: "a" (the BOOT predictions) and "b"
         (another 10% of cells flipped, drawn independently) of equal quality,
         and "c" (12% flipped). ``labelwise.compare(y_true, {"a": ..., "b": ...,
         "c": ...}, n_resamples=10_000, seed=0)`` against one
         ``evaluate(y_true, pred_a, ci=0.95, seed=0)``. Skipped, with a line
         saying so, when this labelwise has no ``compare``.
SCORES   20,000 x 100, the same label profile, float32 scores
         sigmoid(noise + 2y - 1) with standard normal noise:
         ``evaluate(y_true, y_score=scores, ci=0.95, seed=0)`` (BCa and
         percentile) and without intervals; no peer. Printed as the time per
         1000 replicates, which covers ROC-AUC and average precision.

Targets: the resampling loop (1000 resamples, extrapolated) at least 50x the BCa
``evaluate()`` (the aim is 200x); ``compare`` of three models with 10,000
resamples under 10x one ``evaluate(ci=0.95)``. Before the first ratio, the
metrics of labelwise's own first 10 replicates (the resampling counts its seed
draws) are checked against the loop's on the same rows.

Timings are medians of repeated calls, with min, max and process CPU time
(benchmarks/_common.py describes them).
"""

from __future__ import annotations

import os
import sys

# Before numpy and scikit-learn: _common records the environment as this process got it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common
from _common import (CURRENT, RESULTS, TOL, VERDICTS, begin, check_close, finish, fmt_s, fmt_x,
                     parse_args, print_numba_threads, ratio, run_profile, section, timeit)

import numpy as np
from sklearn.metrics import accuracy_score as sk_accuracy
from sklearn.metrics import average_precision_score as sk_ap
from sklearn.metrics import classification_report as sk_classification_report
from sklearn.metrics import hamming_loss as sk_hamming
from sklearn.metrics import roc_auc_score as sk_roc_auc

import labelwise
import labelwise.engine
from labelwise.registry import lookup
from labelwise.stats.bootstrap import weight_blocks

SEED = 20261202
N_BOOT = 1000
N_LOOP = 10  # resamples of the timed scikit-learn loop, extrapolated to N_BOOT
N_CHECK = 10  # labelwise replicates checked against the loop
N_COMPARE = 10_000
BOOT_LIMIT, BOOT_AIM = 50.0, 200.0
COMPARE_LIMIT = 10.0
FLIP = {"a": 0.10, "b": 0.10, "c": 0.12}

# scikit-learn's name -> labelwise's, for the averages of classification_report
SK_AVERAGES = {"micro avg": "micro", "macro avg": "macro", "weighted avg": "weighted",
               "samples avg": "samples"}
SK_FIELDS = {"precision": "precision", "recall": "recall", "f1-score": "f1"}
LOOP_METRICS = tuple(f"{lw}_{avg}" for avg in SK_AVERAGES.values()
                     for lw in SK_FIELDS.values()) + ("hamming_loss", "subset_accuracy")


def make_truth(rng, n: int, n_labels: int = 100) -> np.ndarray:
    prev = np.geomspace(0.15, 0.01, n_labels).astype(np.float32)
    return (rng.random((n, n_labels), dtype=np.float32) < prev).astype(np.int8)


def flipped(rng, y: np.ndarray, share: float) -> np.ndarray:
    """``y`` with ``share`` of its cells flipped (each cell independently)."""
    return y ^ (rng.random(y.shape, dtype=np.float32) < share).astype(np.int8)


def sklearn_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """The loop's work for one resample: the values of ``LOOP_METRICS``."""
    rep = sk_classification_report(y_true, y_pred, output_dict=True, zero_division=0)
    out = {f"{lw}_{avg}": rep[sk_avg][sk_f] for sk_avg, avg in SK_AVERAGES.items()
           for sk_f, lw in SK_FIELDS.items()}
    out["hamming_loss"] = sk_hamming(y_true, y_pred)
    out["subset_accuracy"] = sk_accuracy(y_true, y_pred)
    return np.array([out[k] for k in LOOP_METRICS], dtype=np.float64)


def sklearn_loop(y_true: np.ndarray, y_pred: np.ndarray, rows) -> np.ndarray:
    """``LOOP_METRICS`` of each resample in ``rows`` (row index arrays), one row each."""
    return np.stack([sklearn_metrics(y_true[r], y_pred[r]) for r in rows])


def captured_bootstrap(fn):
    """Call ``fn`` and return its result with the replicates labelwise drew for it."""
    got = []
    inner = labelwise.engine.bootstrap

    def keep(*args, **kwargs):
        got.append(inner(*args, **kwargs))
        return got[-1]

    labelwise.engine.bootstrap = keep
    try:
        out = fn()
    finally:
        labelwise.engine.bootstrap = inner
    if len(got) != 1:
        raise AssertionError(f"expected one bootstrap per evaluate(), got {len(got)}")
    return out, got[0]


def aim(label: str, r: float, target: float) -> None:
    """A second, stricter bar on a ratio already printed."""
    v = ("not judged: targets are for the full sizes" if _common.QUICK else
         "aim reached" if r >= target else "aim not reached")
    print(f"  {label:<58} {fmt_x(r):>9}   (aim >= {target:g}x)  -> {v}", flush=True)
    VERDICTS.append((label, fmt_x(r), f"aim >= {target:g}x; {v}"))


def per_1000(key: str, label: str, with_ci: str, without: str, n_boot: int) -> None:
    """The cost of the intervals alone (a run with them minus one without), per 1000."""
    med = (RESULTS[with_ci]["median"] - RESULTS[without]["median"]) * 1000 / n_boot
    cpu = (RESULTS[with_ci]["cpu"] - RESULTS[without]["cpu"]) * 1000 / n_boot
    RESULTS[key] = {"label": f"{CURRENT[0]} {label}", "median": med, "n": None, "cpu": cpu}
    print(f"  {label:<58} = {fmt_s(med):>9}   (cpu {fmt_s(cpu)})", flush=True)


# --------------------------------------------------------------------------
# BOOT: intervals for the threshold report against a resampling loop
# --------------------------------------------------------------------------


def bench_boot(rng, n: int, rep: int, rep_loop: int, profile: bool):
    section(f"BOOT: {n:,} x 100 int8 0/1, 10% of cells flipped; {N_BOOT} replicates")
    y_true = make_truth(rng, n)
    y_pred = flipped(rng, y_true, FLIP["a"])
    print(f"  data: {y_true.mean() * 100:.2f}% true, {y_pred.mean() * 100:.2f}% predicted cells, "
          f"{(y_true != y_pred).mean() * 100:.2f}% of cells differ; rows with no true label "
          f"{(y_true.sum(axis=1) == 0).mean() * 100:.2f}%", flush=True)

    def bca():
        return labelwise.evaluate(y_true, y_pred, ci=0.95, n_bootstrap=N_BOOT, seed=0)

    def percentile():
        return labelwise.evaluate(y_true, y_pred, ci=0.95, n_bootstrap=N_BOOT,
                                  ci_method="percentile", seed=0)

    # Check, untimed (it also compiles the kernels): labelwise's first replicates,
    # recomputed by the loop on the rows their resampling counts stand for.
    report, boot = captured_bootstrap(bca)
    pct_report, pct_boot = captured_bootstrap(percentile)
    counts = next(weight_blocks(n, boot.n_bootstrap, boot.method, boot.seed))[:, :N_CHECK]
    if not np.array_equal(counts.sum(axis=0), np.full(N_CHECK, n)):
        raise AssertionError("the replicate weights are not resampling counts of n rows")
    rows = [np.repeat(np.arange(n), counts[:, r].astype(np.int64)) for r in range(N_CHECK)]
    loop_values = sklearn_loop(y_true, y_pred, rows)
    cols = [boot.names.index(k) for k in LOOP_METRICS]
    worst = check_close(f"BOOT first {N_CHECK} replicates", boot.replicates[:N_CHECK, cols],
                        loop_values)
    if not np.array_equal(boot.replicates, pct_boot.replicates):
        raise AssertionError("BCa and percentile runs with one seed drew different replicates")
    estimate = np.array([report.metrics[k] for k in LOOP_METRICS])
    worst = max(worst, check_close("BOOT estimates", estimate,
                                   sklearn_metrics(y_true, y_pred)))
    outside = [k for k, (lo, hi) in report.ci.items() if not lo <= report.metrics[k] <= hi]
    print(f"  check: labelwise's first {N_CHECK} replicates == the scikit-learn loop on the same "
          f"resampled rows, and the estimates on all rows, on {len(LOOP_METRICS)} metrics "
          f"(max diff {worst:.1e} < {TOL:g}); BCa and percentile share the {boot.n_bootstrap} "
          f"replicates", flush=True)
    lo, hi = report.ci["f1_macro"]
    plo, phi = pct_report.ci["f1_macro"]
    print(f"  report.ci: {len(report.ci)} of {len(report.metrics)} metrics have an interval; "
          f"{len(outside)} BCa intervals leave out their estimate; f1_macro "
          f"{report.metrics['f1_macro']:.4f}, BCa [{lo:.4f}, {hi:.4f}], percentile "
          f"[{plo:.4f}, {phi:.4f}]", flush=True)
    del rows, loop_values, counts

    def loop():
        return sklearn_loop(y_true, y_pred, (rng.integers(0, n, n) for _ in range(N_LOOP)))

    timeit("boot_plain", "labelwise.evaluate(y_true, y_pred), no intervals",
           lambda: labelwise.evaluate(y_true, y_pred), rep, warmup=1)
    timeit("boot_bca", f"evaluate(ci=0.95, n_bootstrap={N_BOOT}) (BCa)", bca, rep, warmup=1)
    timeit("boot_pct", f"evaluate(ci=0.95, n_bootstrap={N_BOOT}, 'percentile')", percentile,
           rep, warmup=1)
    print_numba_threads()
    timeit("boot_loop", f"sklearn loop, {N_LOOP} resamples (report+hamming+accuracy)", loop,
           rep_loop, warmup=0)
    scale = N_BOOT / N_LOOP
    RESULTS["boot_loop_full"] = {
        "label": f"BOOT sklearn loop, extrapolated to {N_BOOT} resamples (x{scale:g})",
        "median": RESULTS["boot_loop"]["median"] * scale, "n": None,
        "cpu": RESULTS["boot_loop"]["cpu"] * scale}
    print(f"  {f'sklearn loop, extrapolated to {N_BOOT} resamples (x{scale:g})':<58} = "
          f"{fmt_s(RESULTS['boot_loop_full']['median']):>9}   "
          f"(cpu {fmt_s(RESULTS['boot_loop_full']['cpu'])})", flush=True)
    per_1000("boot_bca_only", "BCa intervals alone (ci - no ci), per 1000 replicates",
             "boot_bca", "boot_plain", N_BOOT)
    per_1000("boot_pct_only", "percentile alone (ci - no ci), per 1000 replicates",
             "boot_pct", "boot_plain", N_BOOT)
    r = ratio("BOOT sklearn loop (extrapolated) / labelwise BCa", "boot_loop_full",
              "boot_bca", f">= {BOOT_LIMIT:g}x", lambda r: r >= BOOT_LIMIT)
    aim("BOOT same ratio against the aim", r, BOOT_AIM)
    ratio("BOOT sklearn loop (extrapolated) / labelwise percentile",
          "boot_loop_full", "boot_pct")
    ratio("BOOT same (BCa), process CPU time instead of wall time", "boot_loop_full",
          "boot_bca", field="cpu")
    ratio("BOOT labelwise BCa / no intervals", "boot_bca", "boot_plain")
    ratio("BOOT labelwise BCa / percentile", "boot_bca", "boot_pct")
    if profile:
        run_profile(f"BOOT evaluate(ci=0.95, n_bootstrap={N_BOOT}) (BCa)", bca)
        run_profile(f"BOOT evaluate(ci=0.95, n_bootstrap={N_BOOT}) (BCa)", bca,
                    sort="cumulative", top=25)
    return y_true, y_pred


# --------------------------------------------------------------------------
# COMPARE: three models, 10,000 resamples, against one evaluate(ci=0.95)
# --------------------------------------------------------------------------


def bench_compare(rng, y_true: np.ndarray, pred_a: np.ndarray, rep: int, profile: bool) -> None:
    n = y_true.shape[0]
    section(f"COMPARE: three models on the BOOT truth ({n:,} x 100), "
            f"n_resamples={N_COMPARE:,}")
    if not hasattr(labelwise, "compare"):
        print("  labelwise.compare does not exist in this labelwise: COMPARE skipped",
              flush=True)
        return
    preds = {"a": pred_a, "b": flipped(rng, y_true, FLIP["b"]),
             "c": flipped(rng, y_true, FLIP["c"])}
    print("  models: " + ", ".join(f"{k} {(p != y_true).mean() * 100:.2f}% of cells flipped"
                                   for k, p in preds.items()), flush=True)

    def one_eval():
        return labelwise.evaluate(y_true, pred_a, ci=0.95, seed=0)

    def compare():
        return labelwise.compare(y_true, preds, n_resamples=N_COMPARE, seed=0)

    # Check, untimed: each model's values == its own evaluate(); the differences are
    # the differences of those values.
    result = compare()
    worst = 0.0
    for m, p in preds.items():
        rep_m = labelwise.evaluate(y_true, p)
        worst = max(worst, check_close(f"COMPARE values of {m}",
                                       [result.values[x][m] for x in result.metrics],
                                       [rep_m.metrics[x] for x in result.metrics],
                                       peer="evaluate()"))
    for (x, a, b), (d, lo, hi) in result.differences.items():
        worst = max(worst, check_close(f"COMPARE difference {x} {a}-{b}", d,
                                       result.values[x][a] - result.values[x][b],
                                       peer="the values"))
    print(f"  check: compare() values == evaluate() of each model on {len(result.metrics)} "
          f"metrics ({', '.join(result.metrics)}), and each difference == the difference of "
          f"the values (max diff {worst:.1e} < {TOL:g})", flush=True)
    for a, b in (("a", "b"), ("a", "c")):
        d, lo, hi = result.difference("f1_macro", a, b)
        print(f"  f1_macro {a} - {b}: {d:+.4f} [{lo:+.4f}, {hi:+.4f}], {result.correction} "
              f"p = {result.pvalue('f1_macro', a, b):.4f}", flush=True)

    timeit("cmp_eval", "evaluate(y_true, pred_a, ci=0.95) (1000 BCa replicates)", one_eval,
           rep, warmup=1)
    timeit("cmp_compare", f"compare(y_true, {{a, b, c}}, n_resamples={N_COMPARE:,})", compare,
           rep, warmup=0)
    ratio("COMPARE compare (3 models) / one evaluate(ci=0.95)", "cmp_compare", "cmp_eval",
          f"< {COMPARE_LIMIT:g}x", lambda r: r < COMPARE_LIMIT)
    ratio("COMPARE same, process CPU time instead of wall time", "cmp_compare", "cmp_eval",
          field="cpu")
    if profile:
        run_profile(f"COMPARE compare(n_resamples={N_COMPARE:,})", compare)
        run_profile(f"COMPARE compare(n_resamples={N_COMPARE:,})", compare, sort="cumulative",
                    top=25)


# --------------------------------------------------------------------------
# SCORES: intervals that include ROC-AUC and average precision
# --------------------------------------------------------------------------


def bench_scores(rng, n: int, rep: int, profile: bool) -> None:
    section(f"SCORES: {n:,} x 100 float32 scores; {N_BOOT} replicates")
    y_true = make_truth(rng, n)
    logits = rng.standard_normal(y_true.shape, dtype=np.float32) + 2 * y_true - 1
    scores = (1 / (1 + np.exp(-logits))).astype(np.float32)
    del logits
    print(f"  data: {y_true.mean() * 100:.2f}% true cells, {(scores > 0.5).mean() * 100:.2f}% "
          f"of scores > 0.5", flush=True)

    def plain():
        return labelwise.evaluate(y_true, y_score=scores)

    def bca():
        return labelwise.evaluate(y_true, y_score=scores, ci=0.95, seed=0)

    def percentile():
        return labelwise.evaluate(y_true, y_score=scores, ci=0.95, ci_method="percentile",
                                  seed=0)

    report = bca()
    want = [f"{m}_{avg}" for m in ("roc_auc", "average_precision")
            for avg in ("micro", "macro", "weighted", "samples")]
    missing = [k for k in want if k not in report.ci]
    # calibration metrics have no interval yet (documented: params["ci_left_out"])
    left_out = report.params.get("ci_left_out") or []
    unexpected = [k for k in left_out if getattr(lookup(k), "group", None) != "calibration"]
    if missing or unexpected:
        raise AssertionError(f"SCORES: no interval for {missing or unexpected}")
    y = y_true.astype(bool)
    avgs = ("micro", "macro", "weighted")  # scikit-learn's samples ROC-AUC needs both classes
    got = [report.metrics[f"{m}_{a}"] for m in ("roc_auc", "average_precision") for a in avgs]
    ref = [sk_roc_auc(y, scores, average=a) for a in avgs]
    ref += [sk_ap(y, scores, average=a) for a in avgs]
    worst = check_close("SCORES ROC-AUC and AP estimates", got, ref)
    lo, hi = report.ci["roc_auc_macro"]
    print(f"  check: ROC-AUC and AP (micro, macro, weighted) == scikit-learn (max diff "
          f"{worst:.1e} < {TOL:g}); {len(report.ci)} of {len(report.metrics)} metrics have an "
          f"interval, the 8 ROC-AUC and AP averages among them ({len(left_out)} calibration "
          f"metrics without one); roc_auc_macro "
          f"{report.metrics['roc_auc_macro']:.4f} [{lo:.4f}, {hi:.4f}]", flush=True)
    del y

    timeit("sc_plain", "labelwise.evaluate(y_true, y_score=scores), no intervals", plain, rep,
           warmup=1)
    timeit("sc_bca", f"evaluate(y_score=scores, ci=0.95) (BCa, {N_BOOT} replicates)", bca, rep,
           warmup=1)
    timeit("sc_pct", "evaluate(y_score=scores, ci=0.95, 'percentile')", percentile, rep,
           warmup=1)
    per_1000("sc_bca_only", "BCa intervals alone (ci - no ci), per 1000 replicates",
             "sc_bca", "sc_plain", N_BOOT)
    per_1000("sc_pct_only", "percentile alone (ci - no ci), per 1000 replicates",
             "sc_pct", "sc_plain", N_BOOT)
    ratio("SCORES labelwise BCa / no intervals", "sc_bca", "sc_plain")
    ratio("SCORES labelwise BCa / percentile", "sc_bca", "sc_pct")
    if profile:
        run_profile("SCORES evaluate(y_score=scores, ci=0.95) (BCa)", bca)
        run_profile("SCORES evaluate(y_score=scores, ci=0.95) (BCa)", bca, sort="cumulative",
                    top=25)


def main(argv=None) -> int:
    args = parse_args(__doc__.split("\n\n")[0],
                      "10x fewer rows and fewer repeats: a smoke run of about a minute",
                      "also print cProfile of the labelwise calls (BCa, compare, scores)", argv)
    scale = 10 if args.quick else 1
    rep, rep_loop, rep_slow = (3, 1, 1) if args.quick else (5, 3, 3)

    start = begin("labelwise bootstrap benchmark")
    rng = np.random.default_rng(SEED)
    y_true, y_pred = bench_boot(rng, 100_000 // scale, rep, rep_loop, args.profile)
    bench_compare(rng, y_true, y_pred, rep_slow, args.profile)
    bench_scores(rng, 20_000 // scale, rep_slow, args.profile)
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
