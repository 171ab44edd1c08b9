"""Time what calibration and unknown truth entries add to evaluate() on W2-shaped scores.

Run from the repository root::

    .venv/bin/python benchmarks/bench_calibration.py            # full run
    .venv/bin/python benchmarks/bench_calibration.py --quick    # 10x fewer rows
    .venv/bin/python benchmarks/bench_calibration.py --profile  # also cProfile evaluate()

Workload: W2 as ``bench_ranking_metrics.py`` makes it (seeded numpy Generator):
100,000 x 100 labels, prevalence geomspace(0.2, 0.002), float32 scores
sigmoid(noise + 2y - 1), CSR truth.

* ``evaluate(y_true, y_score=scores)``: every metric, calibration included.
* ``evaluate()`` without calibration: the same call on the scores doubled, which
  ranks, sorts and thresholds alike (at 2 * 0.5) but are no probabilities, so no
  calibration is computed. The two calls also run one after the other in paired
  rounds; the median of the rounds' ratios is what calibration adds.
* The calibration parts alone, for reference: the equal-width state
  (``CalibrationBins.update``) and the adaptive ECE read off the keys that exact
  ROC-AUC sorts (``ranking.auc_ap(..., quantiles=KeyQuantiles(15))`` against the
  same call without it), which ``evaluate()`` reads in the same pass over the keys.
* Unknown entries: ``evaluate(..., unknown=-1)`` with 1% of the truth entries -1,
  and with ``unknown=-1`` but no entry unknown.
* The peer for the calibration numbers: scikit-learn's ``brier_score_loss``,
  ``log_loss`` and ``calibration_curve`` (uniform and quantile, 15 bins) called on
  each of the 100 columns (the ECE is then a weighted sum of the curves' gaps).

Targets (issue: unknown labels and calibration): calibration and unknown-entry
handling add at most 20% to ``evaluate()`` on W2.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (RESULTS, VERDICTS, begin, check_close, finish,  # noqa: E402
                     parse_args, ratio, run_profile, section, timeit, verdict)

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import labelwise  # noqa: E402
from labelwise import ranking  # noqa: E402
from labelwise.calibration_adaptive import KeyQuantiles  # noqa: E402
from labelwise.calibration_bins import CalibrationBins  # noqa: E402
from bench_ranking_metrics import make_w2  # noqa: E402

SEED = 2026


def sklearn_calibration(y: np.ndarray, s: np.ndarray) -> dict:
    """Brier, log loss and the uniform and quantile ECE, one column at a time."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss, log_loss

    out = {"brier": [], "log_loss": [], "ece": [], "ece_adaptive": []}
    for j in range(y.shape[1]):
        yj, sj = y[:, j], s[:, j].astype(np.float64)
        out["brier"].append(brier_score_loss(yj, sj))
        out["log_loss"].append(log_loss(yj, sj, labels=[0, 1]))
        for name, strategy in (("ece", "uniform"), ("ece_adaptive", "quantile")):
            pt, pp = calibration_curve(yj, sj, n_bins=15, strategy=strategy)
            # the bins' weights, from the same edges as calibration_curve
            if strategy == "uniform":
                edges = np.linspace(0, 1, 16)
            else:
                edges = np.percentile(sj, np.linspace(0, 1, 16) * 100)
            counts = np.bincount(np.searchsorted(edges[1:-1], sj), minlength=15)
            counts = counts[counts > 0]
            out[name].append(float(np.sum(counts / len(sj) * np.abs(pt - pp))))
    return {k: float(np.mean(v)) for k, v in out.items()}


def main(argv=None) -> int:
    args = parse_args(__doc__.split("\n\n")[0], "10x fewer rows: a smoke run",
                      "also print cProfile of evaluate()", argv)
    n = 10_000 if args.quick else 100_000
    rep = 3 if args.quick else 7
    start = begin("labelwise calibration and unknown-entry benchmark")
    rng = np.random.default_rng(SEED)
    y, s = make_w2(rng, n)
    y = y.astype(np.int8)
    t = sp.csr_matrix(y)
    y_unknown = y.copy()
    y_unknown[rng.random(y.shape) < 0.01] = -1

    section(f"W2: {n:,} x 100 float32 scores")
    labelwise.evaluate(t[:100], y_score=s[:100])  # compile outside the timings
    labelwise.evaluate(y_unknown[:100], y_score=s[:100], unknown=-1)
    labelwise.evaluate(y_unknown, y_score=s, unknown=-1)  # and the unknown paths' kernels
    r = timeit("eval", "evaluate(y_true, y_score=scores)", lambda: labelwise.evaluate(
        t, y_score=s), rep, warmup=1)
    doubled = 2 * s
    timeit("base", "evaluate(2 * scores, threshold=1.0): no calibration",
           lambda: labelwise.evaluate(t, y_score=doubled, threshold=1.0), rep, warmup=1)
    def rounds(with_them, label):  # one call after the other: both meet the same load
        out = []
        for _ in range(rep):
            t0 = time.perf_counter()
            with_them()
            t1 = time.perf_counter()
            labelwise.evaluate(t, y_score=doubled, threshold=1.0)
            out.append((t1 - t0) / (time.perf_counter() - t1))
        print(f"  {label:<58} " + ", ".join(f"{x:.2f}" for x in out))
        return out

    paired = rounds(lambda: labelwise.evaluate(t, y_score=s),
                    "paired rounds: calibration / neither")
    paired_u = rounds(lambda: labelwise.evaluate(y_unknown, y_score=s, unknown=-1),
                      "paired rounds: calibration and 1% unknown / neither")
    timeit("state", "CalibrationBins(100).update(truth, scores)", lambda: CalibrationBins(
        100).update(t, s, checked=True), rep, warmup=1)
    timeit("auc", "exact ROC-AUC and AP (the pooled sort)", lambda: ranking.auc_ap(t, s), rep,
           warmup=1)
    timeit("adaptive", "the same, and the adaptive ECE read off its sorted keys", lambda:
           ranking.auc_ap(t, s, quantiles=KeyQuantiles(15)), rep, warmup=1)
    timeit("eval_u0", "evaluate(..., unknown=-1), no entry unknown", lambda: labelwise.evaluate(
        t, y_score=s, unknown=-1), rep)
    timeit("eval_u1", "evaluate(..., unknown=-1), 1% of entries unknown",
           lambda: labelwise.evaluate(y_unknown, y_score=s, unknown=-1), rep)
    peer = timeit("sk", "scikit-learn, per column: Brier, log loss, 2 curves", lambda:
                  sklearn_calibration(y, s), 3 if not args.quick else 1)
    check_close("ece_macro", r["ece_macro"], peer["ece"])
    check_close("ece_adaptive_macro", r["ece_adaptive_macro"], peer["ece_adaptive"])
    check_close("brier_macro", r["brier_macro"], peer["brier"])
    check_close("log_loss", r["log_loss"], peer["log_loss"])

    section("Ratios")
    cal = RESULTS["state"]["median"] + max(0.0, RESULTS["adaptive"]["median"]
                                           - RESULTS["auc"]["median"])
    RESULTS["cal"] = {"label": "W2 calibration parts (reference)", "median": cal, "n": None,
                      "cpu": None}
    share = statistics.median(paired) - 1  # the median of the paired rounds
    unknown = RESULTS["eval_u1"]["median"] / RESULTS["eval"]["median"] - 1
    both = statistics.median(paired_u) - 1
    for label, value in (("calibration: added to evaluate() without it", share),
                         ("1% unknown entries against none (medians)", unknown)):
        print(f"  {label:<58} {value:>8.1%}")
        VERDICTS.append((label, f"{value:.1%}", ""))
    v = verdict(both <= 0.20)
    print(f"  {'calibration and unknown entries together (paired rounds)':<58} {both:>8.1%}   (target at most "
          f"20%){v}")
    VERDICTS.append(("calibration and unknown entries together (paired rounds)", f"{both:.1%}",
                     f"target at most 20%{v}".replace("  -> ", "; ")))
    ratio("scikit-learn's per-column calibration / labelwise's parts", "sk", "cal")
    if args.profile:
        run_profile("evaluate(y_true, y_score=scores)", lambda: labelwise.evaluate(t, y_score=s))
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
