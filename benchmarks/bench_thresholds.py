"""Time labelwise.tune_thresholds against one np.sort of the same score matrix.

Run from the repository root::

    .venv/bin/python benchmarks/bench_thresholds.py            # full run
    .venv/bin/python benchmarks/bench_thresholds.py --quick    # 10x fewer rows
    .venv/bin/python benchmarks/bench_thresholds.py --profile  # also cProfile one tuning

Workload (generated here from a seeded numpy Generator):

T1      dense scores, 400,000 x 40 labels; label prevalence geometric from 0.3
        to 0.01; truth y ~ Bernoulli(prevalence); scores sigmoid(noise + 2y - 1)
        with standard normal noise, as float32 and as float64. Timed: one
        np.sort(scores, axis=0); tune_thresholds(objective="f1_macro") (per
        label, exact); the same with cv=5; per_label=False (global, exact) and
        f1_micro per label (coordinate ascent from the global optimum).

Targets (from the issue): per-label tuning at most 8x one np.sort(axis=0) of the
same matrix; cv=5 at most 6x one tuning. Before the ratios are printed, the
per-label thresholds are checked against a plain per-column reference (sorted
scores, cumulative counts, argmax of F1), so that the ratio compares the same
work.
"""

from __future__ import annotations

import sys

from _common import (begin, check_close, finish, parse_args, ratio, run_profile, section,
                     timeit)

import numpy as np

import labelwise

SEED = 20261201


def data(rng, n: int, L: int):
    prevalence = np.geomspace(0.3, 0.01, L)
    y = rng.random((n, L)) < prevalence
    logits = rng.standard_normal((n, L)) + 2.0 * y - 1.0
    return y, 1.0 / (1.0 + np.exp(-logits))


def reference_f1(y, s, j):
    """Label j's best F1 over its candidates, one column at a time (the check)."""
    col = s[:, j].astype(np.float64)
    order = np.argsort(-col, kind="stable")
    yy = y[order, j]
    tp = np.r_[0, np.cumsum(yy)]
    pp = np.arange(col.shape[0] + 1)
    P = yy.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(P + pp > 0, 2 * tp / (P + pp), 0.0)
    keep = np.r_[True, col[order][:-1] != col[order][1:], True]
    return f1[keep].max()


def bench(rng, n: int, L: int, repeat: int, profile: bool) -> None:
    y, s64 = data(rng, n, L)
    for name, s in (("float32", s64.astype(np.float32)), ("float64", s64)):
        section(f"T1 {name}: {n:,} x {L} dense scores")
        timeit(f"sort_{name}", "np.sort(scores, axis=0)", lambda: np.sort(s, axis=0), repeat)
        t = timeit(f"tune_{name}", "tune_thresholds(objective='f1_macro')",
                   lambda: labelwise.tune_thresholds(y, s), repeat)
        ref = np.array([reference_f1(y, s, j) for j in range(L)])
        check_close("per-label F1 at the tuned thresholds", t.f1, ref, peer="the reference")
        timeit(f"cv_{name}", "tune_thresholds(..., cv=5, seed=0)",
               lambda: labelwise.tune_thresholds(y, s, cv=5, seed=0), max(1, repeat // 2))
        timeit(f"global_{name}", "tune_thresholds(..., per_label=False)",
               lambda: labelwise.tune_thresholds(y, s, per_label=False), max(1, repeat // 2))
        timeit(f"micro_{name}", "tune_thresholds(objective='f1_micro') (ascent)",
               lambda: labelwise.tune_thresholds(y, s, objective="f1_micro"),
               max(1, repeat // 2))
        ratio(f"{name}: per-label tuning / np.sort(axis=0)", f"tune_{name}", f"sort_{name}",
              "<= 8x", ok=lambda r: r <= 8)
        ratio(f"{name}: cv=5 / one tuning", f"cv_{name}", f"tune_{name}", "<= 6x",
              ok=lambda r: r <= 6)
        if profile:
            run_profile(f"tune_thresholds, {name}", lambda: labelwise.tune_thresholds(y, s))


def main(argv=None) -> int:
    args = parse_args(__doc__.split("\n\n")[0], "10x fewer rows: a smoke run of a few seconds",
                      "also print cProfile of one tuning", argv)
    scale = 10 if args.quick else 1
    start = begin("labelwise threshold-tuning benchmark")
    bench(np.random.default_rng(SEED), 400_000 // scale, 40, 3 if args.quick else 5,
          args.profile)
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
