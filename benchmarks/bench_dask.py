"""Time labelwise.dask.evaluate on a local Dask cluster against evaluate() in memory,
and measure the state each partition sends on.

Run from the repository root::

    .venv/bin/python benchmarks/bench_dask.py            # full run
    .venv/bin/python benchmarks/bench_dask.py --quick    # 10x smaller smoke run
    .venv/bin/python benchmarks/bench_dask.py --profile  # also cProfile partitions' updates

The cluster is ``distributed.LocalCluster(n_workers=2, threads_per_worker=1,
processes=True)``: two worker processes, one task at a time each, the scheduler in
this process. Every array on the cluster is made ON the workers by ``map_blocks``,
each block from its block number and a fixed seed, so no data moves from the client;
this process makes the same blocks with the same functions for the in-memory side.

Workloads:

HARD    W1-shaped (bench_threshold_metrics.py): 1,000,000 x 100 bool, label
        prevalence geomspace(0.3, 0.001) (5.3% of cells true); predictions miss
        10% of the positives and raise 1% false alarms among the negatives.
        Partitions of 100,000 rows. Timed, alternating in each round:
          gen   ``dask.compute(y_true.sum(), y_pred.sum())``: makes the blocks on
                the workers and reads them once (the cost of the data alone);
          incl  ``labelwise.dask.evaluate(y_true, y_pred)``, making the blocks on
                the way (generation included);
          held  the same call on copies of the arrays persisted in the workers'
                memory beforehand (generation excluded, measured directly);
        plus ``incl - gen`` (generation excluded, by subtraction), and the same
        call on held arrays of 2 partitions x 1,000 rows: the fixed cost of one
        call, whatever the rows (``held - fixed``: the rows' own cost). Peer: one
        ``labelwise.evaluate(y_true, y_pred)`` of the same arrays in this process,
        timed in the same rounds. Throughput is rows per second per worker (rows /
        wall time / 2); target: at least 0.5x the in-memory rows/s, judged on held.
SCORES  W2-shaped (bench_ranking_metrics.py): 200,000 x 100, truth with prevalence
        geomspace(0.2, 0.002), float32 scores sigmoid(noise + 2y - 1); partitions of
        50,000 rows; ``labelwise.dask.evaluate(y_true, y_score=s)`` (binned AUC, 10,000
        bins, its default), timed as HARD. Peers in this process: the same
        Accumulator settings over the whole arrays (``auc="binned"``: the same work)
        and ``labelwise.evaluate(y_true, y_score=s)`` (exact AUC).
BINS    SCORES' arrays in memory binned with 10,000, 1,000 and 100 bins: the state's
        size (and at 10,000 labels), the error bounds the report states and the
        actual largest errors against exact ROC-AUC and AP.
STATE   the pickled Accumulator of one partition
        (``len(pickle.dumps(Accumulator(...).update(block_t, block_p)))``, what a
        worker sends on after its partition) for partitions of 10,000, 100,000 and
        1,000,000 rows at 100 labels: hard labels (HARD's data) and scores with the
        binned ROC-AUC/AP state of 10,000 bins (SCORES' data); with the parts of
        the state and the input bytes of the partition; and a hard-label state with
        ci=0.95 (Poisson bootstrap, 1,000 replicates) against its formula.
WIDE    one partition's ``Accumulator.update()`` in this process (the work of one
        worker task) at 10,000 labels against 100: HARD's generator over 10,000
        labels (10,000 x 10,000 dense bool); make_sparse of bench_threshold_metrics.py
        (100,000 x 10,000 CSR, ~5 true labels per row); SCORES' generator over 10,000
        labels (1,000 and 4,000 x 10,000 float32, binned with 1,000 bins); the first
        10,000 rows of the CSR pair with ci=0.95 (Poisson, 1,000 replicates); with the
        pickled state and tracemalloc's peak of the call. Rows per second at 100
        labels over rows per second at 10,000 labels is the per-row work ratio.

Wall times are medians of repeated calls after a warm-up call (or round), with min and
max; the cluster and in-memory calls of HARD and SCORES alternate in 9 rounds. For
the cluster calls the CPU time is given twice: of the two worker processes together
(read with ``client.run(time.process_time)`` around the call) and of this process
(the client and the scheduler). Before any ratio, the cluster's report is checked
against the in-memory one (every metric and per-label column within 1e-12; binned
ROC-AUC and AP against exact ones within the bounds the report states).
"""

from __future__ import annotations

import collections
import gc
import logging
import os
import pickle
import statistics
import sys
import time
import zlib

# Before numpy and scikit-learn: _common records the environment as this process got it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (CURRENT, RESULTS, TOL, VERDICTS, begin, check_close, finish, fmt_mb,
                     fmt_s, fmt_x, parse_args, print_numba_threads, run_profile, section,
                     timeit, verdict)

import numpy as np

import dask
import dask.array as da
import distributed
from dask.utils import key_split
from distributed import Client, LocalCluster, get_task_stream, wait

import labelwise
import labelwise.dask as lwd

SEED = 20240720
N_LABELS = 100
N_WORKERS = 2
BINS = 10_000
WIDE = 10_000  # labels of the WIDE partitions
WIDE_BINS = 1_000
N_BOOT = 1_000
EXACT_ONLY = {"ece_adaptive_macro"}  # read off the exact path's sorted scores; no binned twin
RATE_LIMIT = 0.5  # per-worker rows/s at least half of the in-memory rows/s
W1_PREV = np.geomspace(0.3, 0.001, N_LABELS).astype(np.float32)  # as make_w1
W2_PREV = np.geomspace(0.2, 0.002, N_LABELS).astype(np.float32)  # as W2


# --------------------------------------------------------------------------
# Blocks: each made from its block number alone, on a worker or here
# --------------------------------------------------------------------------


def w1_truth(block_id=None, rows=0):
    rng = np.random.default_rng((SEED, block_id[0], 0))
    return rng.random((rows, N_LABELS), dtype=np.float32) < W1_PREV


def w1_pred(t, block_id=None):
    rng = np.random.default_rng((SEED, block_id[0], 1))
    u = rng.random(t.shape, dtype=np.float32)
    return np.where(t, u >= 0.10, u < 0.01)  # miss 10% of +, 1% false alarms


def w2_truth(block_id=None, rows=0):
    rng = np.random.default_rng((SEED, block_id[0], 2))
    return rng.random((rows, N_LABELS), dtype=np.float32) < W2_PREV


def w2_scores(t, block_id=None):
    rng = np.random.default_rng((SEED, block_id[0], 3))
    z = rng.standard_normal(t.shape, dtype=np.float32) + (2 * t - 1).astype(np.float32)
    return (1 / (1 + np.exp(-z))).astype(np.float32)


def on_cluster(n: int, rows: int, truth, other, dtype):
    """Both arrays as dask arrays whose blocks are made on the workers."""
    k = n // rows
    t = da.map_blocks(truth, chunks=((rows,) * k, (N_LABELS,)), dtype=bool,
                      meta=np.empty((0, 0), dtype=bool), rows=rows)
    o = da.map_blocks(other, t, dtype=dtype, meta=np.empty((0, 0), dtype=dtype))
    return t, o


def in_memory(n: int, rows: int, truth, other, dtype):
    """The same arrays, made here block by block with the same functions."""
    t = np.empty((n, N_LABELS), dtype=bool)
    o = np.empty((n, N_LABELS), dtype=dtype)
    for i, lo in enumerate(range(0, n, rows)):
        t[lo:lo + rows] = truth((i, 0), rows=rows)
        o[lo:lo + rows] = other(t[lo:lo + rows], (i, 0))
    return t, o


def held(client, t, o):
    """Copies of both arrays computed once and kept in the workers' memory (new keys, so
    the generated arrays themselves are still made afresh by every call on them)."""
    ht, ho = client.persist([t.map_blocks(np.copy), o.map_blocks(np.copy)])
    wait([ht, ho])
    return ht, ho


# --------------------------------------------------------------------------
# Timing on the cluster
# --------------------------------------------------------------------------


def worker_cpu(client) -> float:
    return sum(client.run(time.process_time).values())


def run_once(client, fn):
    gc.collect()
    w0, c0 = worker_cpu(client), time.process_time()
    t0 = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t0
    c1 = time.process_time()
    return out, wall, worker_cpu(client) - w0, c1 - c0


def alternate(client, calls, repeat: int) -> dict:
    """``calls``: (key, label, fn, local). One warm-up round, then ``repeat`` rounds,
    each calling every fn once in turn, so a busy moment of the machine falls on all
    sides, the in-memory ones (``local``) included."""
    runs = {key: [] for key, *_ in calls}
    for i in range(repeat + 1):
        for key, _, fn, _ in calls:
            got = run_once(client, fn)
            if i:
                runs[key].append(got[1:])
    for key, label, _, local in calls:
        record(key, label, runs[key], local)
    return runs


def record(key: str, label: str, runs: list, local: bool) -> float:
    walls = [r[0] for r in runs]
    med = statistics.median(walls)
    wcpu = statistics.median(r[1] for r in runs)
    ccpu = statistics.median(r[2] for r in runs)
    RESULTS[key] = {"label": f"{CURRENT[0]} {label}", "median": med, "min": min(walls),
                    "max": max(walls), "n": len(walls), "cpu": ccpu if local else wcpu + ccpu}
    cpu = (f"cpu {fmt_s(ccpu)}" if local else
           f"cpu workers {fmt_s(wcpu)} + client {fmt_s(ccpu)}")
    print(f"  {label:<58} median {fmt_s(med):>9}   (min {fmt_s(min(walls))}, max "
          f"{fmt_s(max(walls))}, n={len(walls)}; {cpu})", flush=True)
    return med


def subtract(key: str, label: str, a: str, b: str) -> None:
    med = RESULTS[a]["median"] - RESULTS[b]["median"]
    RESULTS[key] = {"label": f"{CURRENT[0]} {label}", "median": med, "n": None,
                    "cpu": RESULTS[a]["cpu"] - RESULTS[b]["cpu"]}
    print(f"  {label:<58} = {fmt_s(med):>9}   (difference of the medians)", flush=True)


def fmt_rate(r: float) -> str:
    if r >= 1e6:
        return f"{r / 1e6:.2f} M"
    return f"{r / 1e3:.1f} k" if r >= 1e3 else f"{r:.0f} "


def rate(label: str, rows: int, key: str, per: int, note: str = "") -> float:
    """Rows per second (per worker when ``per`` > 1) of the median of ``key``; NaN when
    that time (a difference of medians) is not above zero."""
    sec = RESULTS[key]["median"]
    if not sec > 0:
        print(f"  {label:<58} {'n/a':>9} (time {fmt_s(sec)}: within the noise)", flush=True)
        return float("nan")
    r = rows / sec / per
    print(f"  {label:<58} {fmt_rate(r):>9} rows/s{note}", flush=True)
    return r


def judge_rate(label: str, r: float, ref: float, target: bool) -> None:
    if np.isnan(r):
        print(f"  {label:<58} {'n/a':>9}", flush=True)
        VERDICTS.append((label, "n/a", ""))
        return
    x = r / ref
    v = verdict(x >= RATE_LIMIT) if target else ""
    t = f"   (target >= {RATE_LIMIT:g}x){v}" if target else ""
    print(f"  {label:<58} {fmt_x(x):>9}{t}", flush=True)
    VERDICTS.append((label, fmt_x(x), f">= {RATE_LIMIT:g}x{v}".replace("  -> ", "; ")
                     if target else ""))


def task_stream(client, title: str, fn) -> None:
    """Worker seconds by task kind, over one more call."""
    with get_task_stream(client) as ts:
        t0 = time.perf_counter()
        fn()
        wall = time.perf_counter() - t0
    agg = collections.defaultdict(float)
    count = collections.Counter()
    for d in ts.data:
        count[key_split(d["key"])] += 1
        for ss in d["startstops"]:
            agg[(key_split(d["key"]), ss["action"])] += ss["stop"] - ss["start"]
    parts = ", ".join(f"{name} {action} {fmt_s(sec)} ({count[name]})"
                      for (name, action), sec in sorted(agg.items(), key=lambda x: -x[1]))
    print(f"  task stream of one {title} ({fmt_s(wall)} wall): worker seconds by task "
          f"(number of tasks): {parts}", flush=True)


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


def same_report(what: str, got, ref, binned_vs_exact: bool = False) -> str:
    """Every metric and per-label column within TOL (binned AUC/AP: within the bounds)."""
    only = set()
    if binned_vs_exact:  # metrics that need every score sorted exist only in the exact report
        only = {k for k in set(ref.metrics) - set(got.metrics) if k in EXACT_ONLY}
    if set(got.metrics) != set(ref.metrics) - only:
        raise AssertionError(f"{what}: metric names differ: "
                             f"{sorted(set(got.metrics) ^ (set(ref.metrics) - only))}")
    ranked = ("roc_auc", "average_precision")
    names = sorted(k for k in got.metrics
                   if not (binned_vs_exact and k.startswith(ranked)))
    x = np.array([np.nan if got.metrics[k] is None else got.metrics[k] for k in names], float)
    y = np.array([np.nan if ref.metrics[k] is None else ref.metrics[k] for k in names], float)
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        raise AssertionError(f"{what}: NaN in different metrics")
    keep = ~np.isnan(x)
    worst = check_close(f"{what} metrics", x[keep], y[keep], peer="in memory")
    cols = [c for c in ref.per_label.columns
            if not (binned_vs_exact and c.startswith(ranked))]
    for c in cols:
        a = np.asarray(got.per_label[c], dtype=float)
        b = np.asarray(ref.per_label[c], dtype=float)
        both = ~(np.isnan(a) | np.isnan(b))
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            raise AssertionError(f"{what}: per-label {c}: NaN in different labels")
        worst = max(worst, check_close(f"{what} per-label {c}", a[both], b[both],
                                       peer="in memory"))
    text = (f"{int(keep.sum())} metrics and {len(cols)} per-label columns within "
            f"{TOL:g} (max diff {worst:.1e})")
    if only:
        text += f"; only in the exact report (needs every score sorted): {', '.join(sorted(only))}"
    if binned_vs_exact:
        auc_b, ap_b = got.params["auc_error_bound"], got.params["ap_error_bound"]
        off = {"roc_auc": 0.0, "average_precision": 0.0}
        for k in set(got.metrics) - set(names):
            bound = auc_b if k.startswith("roc_auc") else ap_b
            d = abs(got.metrics[k] - ref.metrics[k])
            if not d <= bound + TOL:
                raise AssertionError(f"{what} {k}: binned {got.metrics[k]} vs exact "
                                     f"{ref.metrics[k]}, beyond the stated bound {bound}")
            fam = "roc_auc" if k.startswith("roc_auc") else "average_precision"
            off[fam] = max(off[fam], d)
        text += (f"; binned ROC-AUC within {off['roc_auc']:.1e} of exact (stated bound "
                 f"{auc_b:.1e}), AP within {off['average_precision']:.1e} (bound {ap_b:.1e})")
    return text


# --------------------------------------------------------------------------
# HARD and SCORES: throughput
# --------------------------------------------------------------------------


def bench_rate(client, tag: str, title: str, n: int, rows: int, make, kind: str,
               rep: int, small_rows: int) -> dict:
    section(f"{tag}: {title}")
    truth, other, dtype = make
    t0 = time.perf_counter()
    yt, yo = in_memory(n, rows, truth, other, dtype)
    print(f"  data: {yt.mean() * 100:.2f}% true cells"
          + (f", {yo.mean() * 100:.2f}% predicted" if kind == "labels" else
             f", scores {yo.dtype} in [{yo.min():.3f}, {yo.max():.3f}]")
          + f"; {n // rows} partitions of {rows:,} rows; input {fmt_mb(yt.nbytes + yo.nbytes)} "
          f"(made here in {time.perf_counter() - t0:.1f} s for the in-memory side)", flush=True)
    ct, co = on_cluster(n, rows, truth, other, dtype)
    if kind == "labels":
        def dask_eval(t, o):
            return lwd.evaluate(t, o)

        def mem_eval():
            return labelwise.evaluate(yt, yo)
    else:
        def dask_eval(t, o):
            return lwd.evaluate(t, y_score=o)

        def mem_eval():
            return labelwise.evaluate(yt, y_score=yo)

        def mem_binned():
            return labelwise.Accumulator(auc="binned", bins=BINS).update(yt, y_score=yo).report()

    # Checks before any timing: the cluster's report against the in-memory one.
    t0 = time.perf_counter()
    got = dask_eval(ct, co)
    first = time.perf_counter() - t0
    sums = dask.compute(ct.sum(), co.sum())
    here = float(yo.sum(dtype=np.float64))
    if int(sums[0]) != int(yt.sum()) or not np.isclose(float(sums[1]), here, rtol=1e-5):
        raise AssertionError(f"{tag}: the blocks made on the workers differ from those made here")
    print(f"  check: the workers' blocks sum as those made here ({int(sums[0]):,} true cells)",
          flush=True)
    if kind == "labels":
        print(f"  check: cluster report == in-memory evaluate(): "
              f"{same_report(tag, got, mem_eval())}", flush=True)
    else:
        print(f"  check: cluster report == in-memory Accumulator(auc='binned'): "
              f"{same_report(tag, got, mem_binned())}", flush=True)
        print(f"  check: cluster report vs in-memory evaluate() (exact AUC): "
              f"{same_report(tag, got, mem_eval(), binned_vs_exact=True)}", flush=True)
    print(f"  first cluster call (workers load the numba kernels): {fmt_s(first)}", flush=True)

    key = tag.lower()
    ht, ho = held(client, ct, co)
    place = collections.Counter(w for a in (ht, ho) for ws in client.who_has(a).values()
                                for w in ws)
    print(f"  held arrays: blocks (truth + {'predictions' if kind == 'labels' else 'scores'}) "
          f"per worker, as persist placed them: "
          f"{', '.join(str(place[w]) for w in sorted(place))}", flush=True)
    st, so = on_cluster(N_WORKERS * small_rows, small_rows, truth, other, dtype)
    hst, hso = held(client, st, so)
    calls = [(f"{key}_mem", "in memory: " + ("labelwise.evaluate(y_true, y_pred)"
                                             if kind == "labels" else
                                             "labelwise.evaluate(y_true, y_score=s) (exact)"),
              mem_eval, True)]
    if kind != "labels":
        calls.append((f"{key}_mem_binned", "in memory: Accumulator(auc='binned').update().report()",
                      mem_binned, True))
    calls += [
        (f"{key}_gen", "cluster: compute(y_true.sum(), other.sum()) (generation)",
         lambda: dask.compute(ct.sum(), co.sum()), False),
        (f"{key}_incl", "cluster: evaluate(), generating the blocks",
         lambda: dask_eval(ct, co), False),
        (f"{key}_held", "cluster: evaluate() on arrays held in worker memory",
         lambda: dask_eval(ht, ho), False),
        (f"{key}_fixed", f"cluster: evaluate() on held {N_WORKERS} x {small_rows:,} rows",
         lambda: dask_eval(hst, hso), False),
    ]
    runs = alternate(client, calls, rep)
    print_numba_threads()
    subtract(f"{key}_excl", "cluster: evaluate() minus generation (incl - gen)",
             f"{key}_incl", f"{key}_gen")
    subtract(f"{key}_marginal", "cluster: held minus the fixed cost (held - fixed)",
             f"{key}_held", f"{key}_fixed")
    task_stream(client, "evaluate(), generating the blocks", lambda: dask_eval(ct, co))
    task_stream(client, "evaluate() on held arrays", lambda: dask_eval(ht, ho))

    print(f"  -- throughput: rows/s in memory, and per worker on the cluster (rows / wall / "
          f"{N_WORKERS})", flush=True)
    mem = rate("in memory: evaluate()" + ("" if kind == "labels" else " (exact AUC)"), n,
               f"{key}_mem", 1)
    ref = mem
    if kind != "labels":
        ref = rate("in memory: Accumulator(auc='binned') (the cluster's work)", n,
                   f"{key}_mem_binned", 1)
    r_incl = rate("cluster per worker, generation INCLUDED", n, f"{key}_incl", N_WORKERS)
    r_excl = rate("cluster per worker, generation EXCLUDED (incl - gen)", n, f"{key}_excl",
                  N_WORKERS)
    r_held = rate("cluster per worker, generation EXCLUDED (held arrays)", n, f"{key}_held",
                  N_WORKERS)
    r_marg = rate("cluster per worker, held, fixed cost of a call taken out", n,
                  f"{key}_marginal", N_WORKERS)
    r_gen = rate("cluster per worker, the generation pass alone", n, f"{key}_gen", N_WORKERS)
    cpu_mem = n / RESULTS[f"{key}_mem_binned" if kind != "labels" else f"{key}_mem"]["cpu"]
    cpu_held = n / RESULTS[f"{key}_held"]["cpu"]
    peer = "in memory" if kind == "labels" else "in-memory binned"
    judge_rate(f"{tag} per worker, generation included / {peer}", r_incl, ref, False)
    judge_rate(f"{tag} per worker, excluded (incl - gen) / {peer}", r_excl, ref, False)
    judge_rate(f"{tag} per worker, excluded (held) / {peer}", r_held, ref, True)
    judge_rate(f"{tag} per worker, held minus fixed cost / {peer}", r_marg, ref, False)
    if kind != "labels":
        judge_rate(f"{tag} per worker, excluded (held) / in-memory exact", r_held, mem, False)
    ref_key = f"{key}_mem" if kind == "labels" else f"{key}_mem_binned"
    paired = statistics.median(m[0] / (N_WORKERS * h[0])
                               for m, h in zip(runs[ref_key], runs[f"{key}_held"]))
    best = RESULTS[ref_key]["min"] / (N_WORKERS * RESULTS[f"{key}_held"]["min"])
    print(f"  held / {peer}, per worker: median of the {rep} per-round ratios {fmt_x(paired)}; "
          f"fastest runs {fmt_x(best)}", flush=True)
    print(f"  rows per CPU-second: in memory {fmt_rate(cpu_mem)}, cluster held "
          f"{fmt_rate(cpu_held)} (workers + client); ratio {fmt_x(cpu_held / cpu_mem)}",
          flush=True)
    return {"mem": mem, "ref": ref, "incl": r_incl, "excl": r_excl, "held": r_held,
            "gen": r_gen, "arrays": (yt, yo)}


# --------------------------------------------------------------------------
# BINS: fewer bins, a smaller state and a wider bound
# --------------------------------------------------------------------------


def bench_bins(scores) -> None:
    t, s = scores
    section(f"BINS: SCORES' {len(t):,} x {N_LABELS} in memory, binned with fewer bins")
    exact = labelwise.evaluate(t, y_score=s)
    ranked = [k for k in exact.metrics if k.startswith(("roc_auc", "average_precision"))]
    cols = [c for c in exact.per_label.columns if c.startswith(("roc_auc", "average_precision"))]
    print(f"  actual error = the largest |binned - exact| over {', '.join(sorted(ranked))} and "
          f"the per-label {', '.join(cols)}; bound = the largest the report states "
          "(params auc_error_bound, ap_error_bound)", flush=True)
    print(f"  {'bins':>7} {'binned state':>14} {'at 10,000 labels':>17} {'AUC bound':>10} "
          f"{'AUC error':>10} {'AP bound':>10} {'AP error':>10}", flush=True)
    for bins in (BINS, 1_000, 100):
        acc = labelwise.Accumulator(auc="binned", bins=bins).update(t, y_score=s)
        rep = acc.report()
        err = {}
        for fam in ("roc_auc", "average_precision"):
            d = [abs(rep.metrics[k] - exact.metrics[k]) for k in ranked if k.startswith(fam)]
            for c in cols:
                if c.startswith(fam):
                    a = np.asarray(rep.per_label[c], float)
                    b = np.asarray(exact.per_label[c], float)
                    keep = ~(np.isnan(a) | np.isnan(b))
                    d.append(float(np.abs(a[keep] - b[keep]).max()))
            err[fam] = max(d)
        auc_b, ap_b = rep.params["auc_error_bound"], rep.params["ap_error_bound"]
        if not (err["roc_auc"] <= auc_b + TOL and err["average_precision"] <= ap_b + TOL):
            raise AssertionError(f"BINS {bins}: an error beyond its stated bound")
        print(f"  {bins:>7,} {acc.binned.counts.nbytes:>14,} {bins * WIDE * 2 * 8:>17,} "
              f"{auc_b:>10.1e} {err['roc_auc']:>10.1e} {ap_b:>10.1e} "
              f"{err['average_precision']:>10.1e}", flush=True)
        VERDICTS.append((f"BINS {bins:,}: AUC bound, actual error",
                         f"{auc_b:.1e}", f"actual {err['roc_auc']:.1e}; AP bound {ap_b:.1e}, "
                         f"actual {err['average_precision']:.1e}"))


# --------------------------------------------------------------------------
# STATE: bytes each partition sends on
# --------------------------------------------------------------------------


def state_parts(acc) -> tuple[int, int, int, int]:
    """(counts bytes, distinct triples, triple bytes, binned bytes) of a state."""
    c = acc.counts
    counts = sum(getattr(c, f).nbytes for f in ("tp", "fp", "fn", "tn"))
    triples = sum(getattr(c, f).nbytes for f in ("row_true", "row_pred", "row_both",
                                                  "row_count", "row_weight"))
    binned = 0 if acc.binned is None else acc.binned.counts.nbytes
    return counts, len(c.row_count), triples, binned


def bench_state(sizes, hard, scores, rows_hard: int, rows_scores: int) -> None:
    section(f"STATE: pickled Accumulator of one partition, {N_LABELS} labels")
    print("  pickle = len(pickle.dumps(acc)), what a worker sends on after its partition; "
          "zlib = the same bytes zlib level 1 (for reference: distributed does not "
          "compress by default)", flush=True)
    print(f"  {'rows':>10} {'input':>10} | {'hard pickle':>12} {'zlib':>10} {'triples':>8} "
          f"{'counts':>7} {'triple B':>9} | {'scores pickle':>14} {'zlib':>10} {'binned':>11} "
          f"{'triples':>8}", flush=True)
    out = {}
    for rows in sizes:
        tt, pp = hard
        a = labelwise.Accumulator().update(tt[:rows], pp[:rows])
        ha = pickle.dumps(a)
        hc, hg, htb, _ = state_parts(a)
        st, ss = scores
        b = labelwise.Accumulator(auc="binned", bins=BINS).update(st[:rows], y_score=ss[:rows])
        sb = pickle.dumps(b)
        _, sg, _, sbin = state_parts(b)
        inp = tt[:rows].nbytes + pp[:rows].nbytes
        out[rows] = (len(ha), len(sb))
        print(f"  {rows:>10,} {fmt_mb(inp):>10} | {len(ha):>12,} {len(zlib.compress(ha, 1)):>10,} "
              f"{hg:>8,} {hc:>7,} {htb:>9,} | {len(sb):>14,} {len(zlib.compress(sb, 1)):>10,} "
              f"{sbin:>11,} {sg:>8,}", flush=True)
        print(f"  {'':>10} {'':>10} | hard input / state {inp / len(ha):,.0f}x; scores input "
              f"{fmt_mb(st[:rows].nbytes + ss[:rows].nbytes)}, input / state "
              f"{(st[:rows].nbytes + ss[:rows].nbytes) / len(sb):.2f}x", flush=True)
    # The merged states of the cluster runs: what reaches the client.
    n_h, n_s = len(hard[0]), len(scores[0])
    merged_h = sum(labelwise.Accumulator().update(hard[0][lo:lo + rows_hard],
                                                  hard[1][lo:lo + rows_hard])
                   for lo in range(0, n_h, rows_hard))
    merged_s = sum(labelwise.Accumulator(auc="binned", bins=BINS).update(
        scores[0][lo:lo + rows_scores], y_score=scores[1][lo:lo + rows_scores])
        for lo in range(0, n_s, rows_scores))
    mh, ms = pickle.dumps(merged_h), pickle.dumps(merged_s)
    print(f"  merged state of HARD ({n_h // rows_hard} partitions of {rows_hard:,} rows = "
          f"{n_h:,} rows), what reaches the client: {len(mh):,} bytes "
          f"({state_parts(merged_h)[1]:,} triples)", flush=True)
    print(f"  merged state of SCORES ({n_s // rows_scores} partitions of {rows_scores:,} rows = "
          f"{n_s:,} rows), what reaches the client: {len(ms):,} bytes", flush=True)
    lo_r, hi_r = sizes[0], sizes[-1]
    print(f"  growth {hi_r:,} / {lo_r:,} rows ({hi_r // lo_r}x the rows): hard state "
          f"{out[hi_r][0] / out[lo_r][0]:.2f}x, scores state {out[hi_r][1] / out[lo_r][1]:.3f}x",
          flush=True)
    rows_p = sizes[0]
    c = timeit("state_poisson", f"hard labels, {rows_p:,} rows, ci=0.95 Poisson "
               f"n_bootstrap={N_BOOT:,}: update()",
               lambda: labelwise.Accumulator(ci=0.95, ci_method="poisson", n_bootstrap=N_BOOT,
                                             seed=(SEED, 0)).update(hard[0][:rows_p],
                                                                    hard[1][:rows_p]), 3,
               warmup=1)
    made = RESULTS["state_poisson"]["median"]
    cp = pickle.dumps(c)
    g = len(c.counts.row_count)
    formula = N_BOOT * (3 * N_LABELS + g + 1) * 8
    print(f"  hard labels with ci=0.95 (Poisson, n_bootstrap={N_BOOT:,}), {rows_p:,} rows: "
          f"{len(cp):,} bytes; n_bootstrap x (3 x {N_LABELS} labels + {g} triples + 1) x 8 = "
          f"{formula:,} ({fmt_rate(rows_p / made)} rows/s)", flush=True)
    VERDICTS.append((f"STATE hard, {hi_r:,} / {lo_r:,} rows", f"{out[hi_r][0] / out[lo_r][0]:.2f}x",
                     ""))
    VERDICTS.append((f"STATE scores binned, {hi_r:,} / {lo_r:,} rows",
                     f"{out[hi_r][1] / out[lo_r][1]:.3f}x", ""))


# --------------------------------------------------------------------------
# WIDE: one partition at 10,000 labels, in this process
# --------------------------------------------------------------------------


def wide_w1(i: int, rows: int):
    """W1's generator over WIDE labels (the same prevalence range, geomspace over more)."""
    prev = np.geomspace(0.3, 0.001, WIDE).astype(np.float32)
    rng = np.random.default_rng((SEED, i, 4))
    t = rng.random((rows, WIDE), dtype=np.float32) < prev
    u = rng.random((rows, WIDE), dtype=np.float32)
    return t, np.where(t, u >= 0.10, u < 0.01)


def wide_w2(i: int, rows: int):
    prev = np.geomspace(0.2, 0.002, WIDE).astype(np.float32)
    rng = np.random.default_rng((SEED, i, 5))
    t = rng.random((rows, WIDE), dtype=np.float32) < prev
    z = rng.standard_normal(t.shape, dtype=np.float32) + (2 * t - 1).astype(np.float32)
    return t, (1 / (1 + np.exp(-z))).astype(np.float32)


def traced_peak(fn) -> int:
    """tracemalloc's peak over one call (numpy's allocations; numba's are not seen)."""
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def bench_wide(scale: int, rep: int, hard, scores, rows_h: int, rows_s: int,
               profile: bool) -> None:
    section(f"WIDE: one partition's update() in this process (one worker task), {WIDE:,} labels "
            f"vs {N_LABELS}")
    from bench_threshold_metrics import make_sparse

    nd, ns, nw, nb = 10_000 // scale, 100_000 // scale, 1_000 // scale, 10_000 // scale
    t0 = time.perf_counter()
    dt, dp = wide_w1(0, nd)
    st, sp_ = make_sparse(np.random.default_rng((SEED, 6)), ns, WIDE)
    wt, ws = wide_w2(0, nw)
    wt4, ws4 = wide_w2(1, 4 * nw)
    print(f"  data made in {time.perf_counter() - t0:.1f} s: dense {nd:,} x {WIDE:,} bool "
          f"({dt.mean() * 100:.2f}% true, {dp.mean() * 100:.2f}% predicted; "
          f"{dt.sum(1).mean():.0f} true labels per row); sparse CSR {ns:,} x {WIDE:,} "
          f"({st.nnz / ns:.2f} true, {sp_.nnz / ns:.2f} predicted labels per row); scores "
          f"{nw:,} and {4 * nw:,} x {WIDE:,} float32 ({wt.mean() * 100:.2f}% true)", flush=True)
    yt, yp = hard
    ut, us = scores
    cases = [
        ("wide_h100", f"{N_LABELS} labels: update({rows_h:,} x {N_LABELS} dense bool)", rows_h,
         rows_h * N_LABELS, lambda: labelwise.Accumulator().update(yt[:rows_h], yp[:rows_h]),
         yt[:rows_h].nbytes + yp[:rows_h].nbytes),
        ("wide_dense", f"{WIDE:,} labels: update({nd:,} x {WIDE:,} dense bool)", nd, nd * WIDE,
         lambda: labelwise.Accumulator().update(dt, dp), dt.nbytes + dp.nbytes),
        ("wide_sparse", f"{WIDE:,} labels: update({ns:,} x {WIDE:,} CSR, ~5 per row)", ns,
         st.nnz + sp_.nnz,
         lambda: labelwise.Accumulator().update(st, sp_),
         sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in (st, sp_))),
        ("wide_s100", f"{N_LABELS} labels: update({rows_s:,} x {N_LABELS} scores), {BINS:,} bins",
         rows_s, rows_s * N_LABELS,
         lambda: labelwise.Accumulator(auc="binned", bins=BINS).update(ut[:rows_s],
                                                                        y_score=us[:rows_s]),
         ut[:rows_s].nbytes + us[:rows_s].nbytes),
        ("wide_scores", f"{WIDE:,} labels: update({nw:,} x {WIDE:,} scores), {WIDE_BINS:,} bins",
         nw, nw * WIDE,
         lambda: labelwise.Accumulator(auc="binned", bins=WIDE_BINS).update(wt, y_score=ws),
         wt.nbytes + ws.nbytes),
        ("wide_scores4", f"{WIDE:,} labels: update({4 * nw:,} x {WIDE:,} scores), "
         f"{WIDE_BINS:,} bins", 4 * nw, 4 * nw * WIDE,
         lambda: labelwise.Accumulator(auc="binned", bins=WIDE_BINS).update(wt4, y_score=ws4),
         wt4.nbytes + ws4.nbytes),
        ("wide_poisson", f"{WIDE:,} labels: update({nb:,} x {WIDE:,} CSR), Poisson {N_BOOT:,}",
         nb, st[:nb].nnz + sp_[:nb].nnz,
         lambda: labelwise.Accumulator(ci=0.95, ci_method="poisson", n_bootstrap=N_BOOT,
                                       seed=(SEED, 1)).update(st[:nb], sp_[:nb]),
         sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in (st[:nb], sp_[:nb]))),
    ]
    rows_out = []
    for key, label, n, cells, fn, inp in cases:
        acc = timeit(key, label, fn, rep, warmup=1)
        size = len(pickle.dumps(acc))
        peak = traced_peak(fn)
        rows_out.append((key, label, n, cells, inp, size, len(acc.counts.row_count), peak))
    print("  state = pickled bytes of the updated Accumulator; traced peak = tracemalloc's peak "
          "during update() (allocated beyond the input; numba's own arrays are not seen); "
          "cells/s = rows x labels per second for dense input, the nonzeros of both CSR "
          "matrices per second for CSR", flush=True)
    print(f"  {'partition':<52} {'rows/s':>9} {'cells/s':>9} {'input':>10} {'state':>13} "
          f"{'triples':>8} {'traced peak':>12}", flush=True)
    for key, label, n, cells, inp, size, g, peak in rows_out:
        sec = RESULTS[key]["median"]
        print(f"  {label:<52} {fmt_rate(n / sec):>9} {cells / sec / 1e6:>8.0f}M "
              f"{fmt_mb(inp):>10} {size:>13,} {g:>8,} {fmt_mb(peak):>12}", flush=True)
    per = {k: n / RESULTS[k]["median"] for k, _, n, *_ in rows_out}
    for a, b, what in (("wide_h100", "wide_dense", "dense hard labels"),
                       ("wide_h100", "wide_sparse", "hard labels, 100 dense vs 10,000 sparse"),
                       ("wide_s100", "wide_scores", "binned scores")):
        print(f"  rows/s at {N_LABELS} / at {WIDE:,} labels, {what}: "
              f"{fmt_x(per[a] / per[b])}", flush=True)
        VERDICTS.append((f"WIDE rows/s {N_LABELS} / {WIDE:,} labels, {what}",
                         fmt_x(per[a] / per[b]), ""))
    a, b = RESULTS["wide_scores"], RESULTS["wide_scores4"]
    print(f"  {WIDE:,} labels, binned scores: 4x the rows took {b['median'] / a['median']:.2f}x "
          f"the wall time and {b['cpu'] / a['cpu']:.2f}x the CPU time", flush=True)
    if profile:
        run_profile(f"one WIDE scores partition: Accumulator(auc='binned', bins={WIDE_BINS:,})"
                    f".update({nw:,} x {WIDE:,})",
                    lambda: labelwise.Accumulator(auc="binned", bins=WIDE_BINS).update(
                        wt, y_score=ws), top=12, sort="cumulative")


def main(argv=None) -> int:
    args = parse_args(__doc__.split("\n\n")[0],
                      "10x fewer rows and fewer repeats: a smoke run",
                      "also print cProfile of one partition's update() in this process (HARD, "
                      "SCORES and WIDE's 10,000-label scores)", argv)
    scale = 10 if args.quick else 1
    rep = 3 if args.quick else 9

    start = begin("labelwise Dask benchmark")
    print(f"  dask            {dask.__version__}, distributed {distributed.__version__}")
    section(f"CLUSTER: LocalCluster(n_workers={N_WORKERS}, threads_per_worker=1, "
            "processes=True)")
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=N_WORKERS, threads_per_worker=1, processes=True,
                           dashboard_address=":0", silence_logs=logging.ERROR)
    client = Client(cluster)
    client.wait_for_workers(N_WORKERS)
    print(f"  started in {time.perf_counter() - t0:.1f} s", flush=True)

    def worker_env():
        import numba

        import labelwise as lw
        return (os.cpu_count(), numba.get_num_threads(), os.environ.get("OMP_NUM_THREADS"),
                lw.__file__)

    info = client.scheduler_info()["workers"]
    for addr, env in client.run(worker_env).items():
        w = info[addr]
        print(f"  worker {addr}: {w['nthreads']} task thread, memory limit "
              f"{fmt_mb(w['memory_limit'])}; os.cpu_count() {env[0]} (labelwise's row-block "
              f"threads), numba {env[1]} threads, OMP_NUM_THREADS={env[2]}", flush=True)
        if os.path.realpath(env[3]) != os.path.realpath(labelwise.__file__):
            raise AssertionError(f"worker {addr} imported labelwise from {env[3]}, this "
                                 f"process from {labelwise.__file__}")
    print(f"  labelwise imported from {os.path.dirname(labelwise.__file__)} here and on both "
          "workers", flush=True)
    try:
        rows_h, rows_s = 100_000 // scale, 50_000 // scale
        hard = bench_rate(client, "HARD", f"W1-shaped {1_000_000 // scale:,} x {N_LABELS} bool, "
                          "hard predictions", 1_000_000 // scale, rows_h,
                          (w1_truth, w1_pred, bool), "labels", rep, 1_000)
        scores = bench_rate(client, "SCORES", f"W2-shaped {200_000 // scale:,} x {N_LABELS} "
                            "float32 scores, binned AUC", 200_000 // scale, rows_s,
                            (w2_truth, w2_scores, np.float32), "scores", rep, 1_000)
    finally:
        client.close()
        cluster.close()

    bench_bins(scores["arrays"])
    # STATE: the scores of up to 1,000,000 rows, made here with the same blocks.
    sizes = [10_000 // scale, 100_000 // scale, 1_000_000 // scale]
    t0 = time.perf_counter()
    big_scores = in_memory(sizes[-1], rows_s, w2_truth, w2_scores, np.float32)
    print(f"\n  ({sizes[-1]:,} rows of SCORES' data made here for STATE in "
          f"{time.perf_counter() - t0:.1f} s)", flush=True)
    bench_state(sizes, hard["arrays"], big_scores, rows_h, rows_s)
    bench_wide(scale, 3, hard["arrays"], big_scores, rows_h, rows_s, args.profile)
    if args.profile:
        yt, yp = hard["arrays"]
        run_profile(f"one HARD partition: Accumulator().update({rows_h:,} rows)",
                    lambda: labelwise.Accumulator().update(yt[:rows_h], yp[:rows_h]), top=12,
                    sort="cumulative")
        st, ss = scores["arrays"]
        run_profile(f"one SCORES partition: Accumulator(auc='binned').update({rows_s:,} rows)",
                    lambda: labelwise.Accumulator(auc="binned", bins=BINS).update(
                        st[:rows_s], y_score=ss[:rows_s]), top=12, sort="cumulative")
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
