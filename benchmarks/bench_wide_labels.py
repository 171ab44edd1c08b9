"""Time labelwise on sparse hard labels with many labels, against scikit-learn's set.

Run from the repository root::

    .venv/bin/python benchmarks/bench_wide_labels.py            # full run
    .venv/bin/python benchmarks/bench_wide_labels.py --quick    # 10x smaller smoke run
    .venv/bin/python benchmarks/bench_wide_labels.py --profile  # also cProfile evaluate()

Workloads (all data is generated here from a seeded numpy Generator, with the
SPARSE maker of ``bench_threshold_metrics.py``: about 5 true labels per row from a
power-law popularity; predictions drop 20% of them and add one label per row):

W3      CSR 200,000 x 50,000.
XMC     CSR 200,000 x 500,000: the same rows over ten times the labels.
SCALE   dense bool hard labels, prevalence 0.1 (predictions a second independent
        draw): n = 10^4 ... 4 * 10^6 rows at 100 labels, then L = 10 ... 10^5
        labels at a fixed 10^8 / 10 entries (n * L = 10^7); evaluate() against the
        numpy floor (count_nonzero of both arrays) at each size.

The peer of W3 and XMC is scikit-learn's full set: one call per metric and average
that ``labelwise.evaluate()`` reports and scikit-learn has for sparse indicator
input, namely ``precision_recall_fscore_support`` (beta=1 and beta=2) and
``jaccard_score`` for each of micro, macro, weighted and samples,
``hamming_loss``, ``accuracy_score`` and ``multilabel_confusion_matrix``:
15 calls. ``evaluate()`` gives all of those and more (specificity, MCC, balanced
accuracy, the per-label table, findings and bands) in one call. The time of
``evaluate()`` is split into its stages: validation and counting
(``Accumulator.update``), the formulas and the per-label table
(``engine.build_report``), and the diagnostics (detectors and bands,
``engine.diagnosed``), so the cost of the diagnostics shows as a share of the
total.
"""

from __future__ import annotations

import os
import sys
import time

# Before numpy and scikit-learn: _common records the environment as this process got it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (RESULTS, begin, check_close, finish, fmt_mb, fmt_s, parse_args, ratio,
                     rss_growth, run_profile, section, timeit)
from bench_threshold_metrics import make_sparse

import numpy as np

import labelwise
from labelwise import engine

from sklearn import metrics as skm

SEED = 20261202
AVERAGES = ("micro", "macro", "weighted", "samples")


def sklearn_set(y, p) -> dict:
    """The 15 scikit-learn calls, keyed by the labelwise report name of each value."""
    out = {}
    for avg in AVERAGES:
        pr, rc, f1, _ = skm.precision_recall_fscore_support(y, p, average=avg, zero_division=0)
        out.update({f"precision_{avg}": pr, f"recall_{avg}": rc, f"f1_{avg}": f1})
        out[f"fbeta_{avg}"] = skm.precision_recall_fscore_support(
            y, p, beta=2.0, average=avg, zero_division=0)[2]
        out[f"jaccard_{avg}"] = skm.jaccard_score(y, p, average=avg, zero_division=0)
    out["hamming_loss"] = skm.hamming_loss(y, p)
    out["subset_accuracy"] = skm.accuracy_score(y, p)
    out["mcm"] = skm.multilabel_confusion_matrix(y, p)
    return out


class StageClock:
    """Adds up the time spent in ``engine.build_report`` and ``engine.diagnosed``."""

    def __init__(self):
        self.spent = {"build_report": 0.0, "diagnosed": 0.0}
        self._orig = {}

    def __enter__(self):
        for name in self.spent:
            fn = getattr(engine, name)
            self._orig[name] = fn

            def timed(*args, _fn=fn, _name=name, **kwargs):
                t0 = time.perf_counter()
                try:
                    return _fn(*args, **kwargs)
                finally:
                    self.spent[_name] += time.perf_counter() - t0

            setattr(engine, name, timed)
        return self

    def __exit__(self, *exc):
        for name, fn in self._orig.items():
            setattr(engine, name, fn)


def stages(y, p, repeat: int) -> dict:
    """Median seconds of each stage of evaluate(), over ``repeat`` calls."""
    rows = []
    for _ in range(repeat):
        with StageClock() as clock:
            t0 = time.perf_counter()
            acc = labelwise.Accumulator().update(y, p)
            t1 = time.perf_counter()
            acc.report()
            t2 = time.perf_counter()
        rows.append({"count": t1 - t0, "formulas": clock.spent["build_report"],
                     "diagnostics": clock.spent["diagnosed"], "total": t2 - t0})
    return {k: float(np.median([r[k] for r in rows])) for k in rows[0]}


def bench_wide(tag: str, rng, n: int, n_labels: int, rep: int, profile: bool,
               target: float | None) -> None:
    section(f"{tag}: CSR {n:,} x {n_labels:,}, ~5 labels per row")
    t0 = time.perf_counter()
    y, p = make_sparse(rng, n, n_labels)
    used = np.count_nonzero(np.bincount(np.concatenate([y.indices, p.indices]),
                                        minlength=n_labels))
    print(f"  data: {y.nnz / n:.2f} true and {p.nnz / n:.2f} predicted labels per row, "
          f"{used:,} of {n_labels:,} labels used; made in {time.perf_counter() - t0:.1f} s",
          flush=True)
    key = tag.lower()
    rep_lw = timeit(f"{key}_lw", "labelwise.evaluate(y, p)",
                    lambda: labelwise.evaluate(y, p), rep, warmup=1)
    sk = timeit(f"{key}_sk", "scikit-learn full set (15 calls)",
                lambda: sklearn_set(y, p), max(3, rep // 2), warmup=0)
    worst = 0.0
    for name, value in sk.items():
        if name == "mcm":
            mcm = rep_lw.per_label  # tp, fp, fn, tn per label
            mine = np.stack([np.asarray(mcm["tn"]), np.asarray(mcm["fp"]),
                             np.asarray(mcm["fn"]), np.asarray(mcm["tp"])], axis=1)
            worst = max(worst, check_close(f"{tag} confusion matrices", mine.reshape(-1, 2, 2),
                                           value))
        else:
            worst = max(worst, check_close(f"{tag} {name}", rep_lw[name], value))
    print(f"  check: labelwise == scikit-learn on all {len(sk)} values, the per-label "
          f"confusion matrices included (max diff {worst:.1e})", flush=True)
    ok = None if target is None else (lambda r: r >= target)
    ratio(f"{tag} sklearn full set / labelwise.evaluate", f"{key}_sk", f"{key}_lw",
          f">= {target:g}x" if target else "", ok)
    in_bytes = sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in (y, p))
    grown = rss_growth(lambda: labelwise.evaluate(y, p))
    grown_txt = "n/a" if grown is None else (
        f"{fmt_mb(grown)}, {grown / in_bytes:.0%} of the inputs"
        + ("  -> below the inputs' size" if grown < in_bytes else "  -> NOT below the inputs"))
    print(f"  memory: inputs {fmt_mb(in_bytes)} (two CSR matrices); peak RSS growth of one "
          f"evaluate() {grown_txt}", flush=True)
    st = stages(y, p, rep)
    print(f"  stages of evaluate() (medians of {rep} calls):", flush=True)
    for name, what in (("count", "validate + count (Accumulator.update)"),
                       ("formulas", "formulas + per-label table (build_report)"),
                       ("diagnostics", "detectors + bands (diagnosed)"),
                       ("total", "total")):
        share = st[name] / st["total"]
        print(f"    {what:<46} {fmt_s(st[name]):>9}  {share:6.1%}", flush=True)
    RESULTS[f"{key}_diag"] = {"label": f"{tag} diagnostics share of evaluate()",
                              "median": st["diagnostics"], "n": rep,
                              "cpu": None}
    if profile:
        run_profile(f"{tag} evaluate", lambda: labelwise.evaluate(y, p), top=15,
                    sort="cumulative")


def floor(y, p):
    return np.count_nonzero(y), np.count_nonzero(p)


def bench_scale(rng, rep: int, quick: bool) -> None:
    section("SCALE: dense bool hard labels, prevalence 0.1; evaluate() and the numpy floor")
    div = 10 if quick else 1
    print(f"  {'rows':>10} {'labels':>8} {'entries':>12} {'evaluate':>10} {'floor':>10} "
          f"{'ratio':>7} {'ns/entry':>9}", flush=True)
    shapes = [(n // div, 100) for n in (10_000, 100_000, 1_000_000, 4_000_000)]
    shapes += [(10_000_000 // div // L, L) for L in (10, 100, 1_000, 10_000, 100_000)]
    for n, L in shapes:
        y = rng.random((n, L), dtype=np.float32) < 0.1
        p = rng.random((n, L), dtype=np.float32) < 0.1
        labelwise.evaluate(y, p)
        floor(y, p)
        lw, fl = [], []
        for _ in range(rep):  # paired: the two alternate
            t0 = time.perf_counter()
            labelwise.evaluate(y, p)
            t1 = time.perf_counter()
            floor(y, p)
            t2 = time.perf_counter()
            lw.append(t1 - t0)
            fl.append(t2 - t1)
        a, b = float(np.median(lw)), float(np.median(fl))
        print(f"  {n:>10,} {L:>8,} {n * L:>12,} {fmt_s(a):>10} {fmt_s(b):>10} "
              f"{a / b:>6.1f}x {a / (n * L) * 1e9:>9.2f}", flush=True)
        del y, p


def main(argv=None) -> int:
    args = parse_args(__doc__.split("\n\n")[0],
                      "10x fewer rows and labels and fewer repeats: a smoke run",
                      "also print cProfile of evaluate() for W3 and XMC", argv)
    scale = 10 if args.quick else 1
    rep = 3 if args.quick else 7
    start = begin("labelwise wide-label benchmark")
    rng = np.random.default_rng(SEED)
    bench_wide("W3", rng, 200_000 // scale, 50_000 // scale, rep, args.profile, 10.0)
    bench_wide("XMC", rng, 200_000 // scale, 500_000 // scale, rep, args.profile, None)
    bench_scale(rng, 5 if not args.quick else 3, args.quick)
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
