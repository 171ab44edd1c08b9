"""Time labelwise's score-based metrics against scikit-learn and a plain numpy reference.

Run from the repository root::

    .venv/bin/python benchmarks/bench_ranking_metrics.py            # full run
    .venv/bin/python benchmarks/bench_ranking_metrics.py --quick    # 10x smaller smoke run
    .venv/bin/python benchmarks/bench_ranking_metrics.py --profile  # also cProfile evaluate()
    .venv/bin/python benchmarks/bench_ranking_metrics.py --w4-only  # W4 alone (same data)

Workloads (all data is generated here from a seeded numpy Generator):

W2      dense scores, 100,000 x 100 labels; label prevalence geometric from
        0.2 to 0.002; truth y ~ Bernoulli(prevalence); scores
        sigmoid(noise + 2y - 1) with standard normal noise, as float32.
        The six scikit-learn twins (LRAP, ranking loss, coverage error,
        ROC-AUC macro and micro, average precision macro) one by one on both
        sides, and labelwise.evaluate(y, y_score=s), which computes all six
        (and every threshold metric) in one call. Also evaluate() with the
        same scores as float64 (the same pooled sort, on 64-bit keys), and
        with float64 scores that are no float32 values (timed only), and the
        peak memory of evaluate() on both dtypes (in a fresh process).
W4      top-k predictions, 200,000 rows x 50,000 labels, about 5 true labels
        per row (CSR truth); top-5 (indices, scores) per row, about half of
        them true, distinct scores. P@1/3/5 and nDCG@1/3/5 from six
        labelwise.metrics calls, from two calls with k=(1, 3, 5), and from one
        evaluate(); values checked against a plain numpy computation of all
        six, which is also timed: the reference, evaluate() and the two calls
        run in alternation, in paired rounds, and their ratios are judged
        against the target (at most the reference's time). Peak memory of one
        call (in a fresh process), also with the same rows over 10x more labels.
        scikit-learn's ndcg_score needs a dense (n, L) matrix (40 GB as
        float32 at this size), so it is timed on a dense slice of the rows
        only and extrapolated linearly to all rows (labelled as such).
FIRST   import and first evaluate() with scores in fresh subprocesses, with an
        empty numba cache (compile) and with the cache that run filled (load).

Timings are medians of repeated calls, with min, max and process CPU time, and
the two sides of every ratio are checked to agree before it is printed
(benchmarks/_common.py describes both).
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

# Before numpy and scikit-learn: _common records the environment as this process got it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (RESULTS, START_ENV, TOL, VERDICTS, begin, bench_first_call, check_close,
                     finish, fmt_mb, fmt_s, keys_to_csr, label_popularity, parse_args,
                     print_numba_threads, ratio, run_profile, section, timeit, total, verdict,
                     within)

import numpy as np
import scipy.sparse as sp

import labelwise
import labelwise.metrics as lwm

import sklearn.metrics as skm

import _common

SEED = 20240615

# The six scikit-learn twins of W2: (labelwise.evaluate report key, function name, kwargs).
W2_METRICS = (
    ("label_ranking_average_precision", "label_ranking_average_precision_score", {}),
    ("label_ranking_loss", "label_ranking_loss", {}),
    ("coverage_error", "coverage_error", {}),
    ("roc_auc_macro", "roc_auc_score", {"average": "macro"}),
    ("roc_auc_micro", "roc_auc_score", {"average": "micro"}),
    ("average_precision_macro", "average_precision_score", {"average": "macro"}),
)
AT_K = tuple((f"{name}_at_{k}", name, k) for name in ("precision", "ndcg") for k in (1, 3, 5))


# --------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------

# Peak memory of one call, in a fresh process that holds only the W4 arrays.
# Two readings per call (after one warm-up call):
#   traced  tracemalloc's peak: Python and numpy allocations (numba's own arrays
#           are invisible to it; np.empty/np.zeros count in full even if untouched);
#   rss     growth of the peak resident set over the resident set before the call
#           (Linux: peak counter reset through /proc/self/clear_refs); the parent
#           fixes glibc's mmap threshold at 64 KiB so that freed arrays go back to
#           the system and are not silently reused. Counts pages actually touched,
#           numba's arrays included.
MEM_CHILD = r"""
import gc, json, sys, tracemalloc
import numpy as np
import scipy.sparse as sp
import labelwise
import labelwise.metrics as lwm
z = np.load(sys.argv[1])
n, L = (int(v) for v in z["shape"])
y = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=(n, L))
wide = sp.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=(n, 10 * L))
top = (z["idx"], z["scores"])
def status(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
out = {}
for key, fn in (("ndcg", lambda: lwm.ndcg_at_k(y, top, k=5)),
                ("ndcg_seq", lambda: lwm.ndcg_at_k(y, top, k=(1, 3, 5))),
                ("ndcg_wide", lambda: lwm.ndcg_at_k(wide, top, k=5)),
                ("eval", lambda: labelwise.evaluate(y, y_score=top)),
                ("eval_wide", lambda: labelwise.evaluate(wide, y_score=top))):
    fn()
    gc.collect()
    tracemalloc.start()
    fn()
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    gc.collect()
    rss = None
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak (VmHWM) to the current resident set
        before = status("VmRSS")
        fn()
        peak = status("VmHWM")
        if before is not None and peak is not None:
            rss = peak - before
    except OSError:
        pass
    gc.collect()
    out[key] = {"traced": traced, "rss": rss}
print(json.dumps(out))
"""


# Peak RSS growth of evaluate() on W2, float32 and float64 scores, in a fresh process
# holding only the W2 arrays (read as in MEM_CHILD, after one warm-up call).
W2_MEM_CHILD = r"""
import gc, json, sys
import numpy as np
import labelwise
z = np.load(sys.argv[1])
y, s32 = z["y"], z["s"]
def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
out = {}
for key, s in (("float32", s32), ("float64", s32.astype(np.float64))):
    labelwise.evaluate(y, y_score=s)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status("VmRSS")
    labelwise.evaluate(y, y_score=s)
    out[key] = {"rss": status("VmHWM") - before, "inputs": y.nbytes + s.nbytes}
    del s
    gc.collect()
print(json.dumps(out))
"""


def w2_memory_child(y: np.ndarray, s: np.ndarray) -> dict:
    with tempfile.TemporaryDirectory(prefix="labelwise-bench-") as d:
        path = os.path.join(d, "w2.npz")
        np.savez(path, y=y, s=s)
        env = dict(START_ENV, MALLOC_MMAP_THRESHOLD_="65536")
        proc = subprocess.run([sys.executable, "-c", W2_MEM_CHILD, path], env=env,
                              capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory subprocess failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def peak_memory_child(y: sp.csr_matrix, idx: np.ndarray, scores: np.ndarray) -> dict:
    with tempfile.TemporaryDirectory(prefix="labelwise-bench-") as d:
        path = os.path.join(d, "w4.npz")
        np.savez(path, data=y.data, indices=y.indices, indptr=y.indptr,
                 shape=np.array(y.shape), idx=idx, scores=scores)
        env = dict(START_ENV, MALLOC_MMAP_THRESHOLD_="65536")
        proc = subprocess.run([sys.executable, "-c", MEM_CHILD, path], env=env,
                              capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory subprocess failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def make_w2(rng, n: int, n_labels: int = 100):
    """Dense bool truth and float32 scores sigmoid(noise + 2y - 1)."""
    prev = np.geomspace(0.2, 0.002, n_labels)
    y = rng.random((n, n_labels)) < prev
    z = rng.standard_normal((n, n_labels)) + 2.0 * y - 1.0
    s = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
    return y, s


def make_w4(rng, n: int, n_labels: int, per_row: int = 5, k: int = 5, hit: float = 0.5):
    """CSR truth (~per_row popularity-weighted labels per row) and top-k predictions.

    Each row's top ``k`` holds Binomial(k, hit) of its true labels (at most all of
    them), the rest uniformly drawn false labels; labels are unique per row. The
    scores are distinct within each row, in (0, 1), sorted from high to low.
    """
    rows = np.repeat(np.arange(n, dtype=np.int64), per_row)
    t_keys = np.unique(rows * n_labels + rng.choice(n_labels, size=rows.size,
                                                    p=label_popularity(n_labels)))
    y = keys_to_csr(t_keys, n, n_labels)
    r = np.diff(y.indptr)
    # true picks: the first h of each row's true labels in a random order
    h = np.minimum(rng.binomial(k, hit, n), r)
    t_rows = t_keys // n_labels
    order = np.lexsort((rng.random(t_keys.size), t_rows))
    rank_in_row = np.arange(t_keys.size) - y.indptr[t_rows]
    picked = t_keys[order[rank_in_row < h[t_rows]]]
    # false picks: uniform labels, redrawn until none is true or repeated in its row
    f_rows = np.repeat(np.arange(n, dtype=np.int64), k - h)
    f_keys = f_rows * n_labels + rng.integers(0, n_labels, f_rows.size)
    while True:
        bad = np.isin(f_keys, t_keys)
        repeated = np.ones(f_keys.size, dtype=bool)
        repeated[np.unique(f_keys, return_index=True)[1]] = False
        bad |= repeated
        if not bad.any():
            break
        f_keys[bad] = f_rows[bad] * n_labels + rng.integers(0, n_labels, int(bad.sum()))
    keys = np.concatenate([picked, f_keys])
    keys = keys[np.argsort(keys // n_labels, kind="stable")]
    idx = (keys % n_labels).reshape(n, k)
    idx = np.take_along_axis(idx, np.argsort(rng.random((n, k)), axis=1), axis=1)
    scores = -np.sort(-rng.uniform(0.01, 1.0, (n, k)), axis=1)
    if not (np.diff(scores, axis=1) < 0).all():
        raise AssertionError("W4: tied scores in a row (the reference assumes none)")
    return y, idx, scores


def reference_at_k(y: sp.csr_matrix, idx: np.ndarray, scores: np.ndarray) -> dict:
    """P@k and nDCG@k for k = 1, 3, 5 in plain numpy (untied scores)."""
    n, L = y.shape
    width = idx.shape[1]
    t_keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(y.indptr)) * L + y.indices
    order = np.argsort(-scores, axis=1, kind="stable")
    ranked = np.take_along_axis(idx, order, axis=1).astype(np.int64)
    keys = np.arange(n, dtype=np.int64)[:, None] * L + ranked
    pos = np.minimum(np.searchsorted(t_keys, keys), t_keys.size - 1)
    hits = t_keys[pos] == keys  # (n, width): is the label at each rank true?
    discount = 1.0 / np.log2(np.arange(width) + 2.0)
    ideal = np.cumsum(discount)
    r = np.diff(y.indptr)
    out = {}
    for _, name, k in AT_K:
        if name == "precision":
            out[f"precision_at_{k}"] = float(np.mean(hits[:, :k].sum(axis=1) / k))
        else:
            dcg = (hits[:, :k] * discount[:k]).sum(axis=1)
            best = ideal[np.maximum(np.minimum(k, r), 1) - 1]
            out[f"ndcg_at_{k}"] = float(np.mean(np.where(r > 0, dcg / best, 0.0)))
    return out


def densify(y: sp.csr_matrix, idx: np.ndarray, scores: np.ndarray):
    """Dense truth and scores (unscored labels at 0, below every score) for sklearn."""
    n, L = y.shape
    t = y.toarray().astype(np.int8)
    s = np.zeros((n, L))
    np.put_along_axis(s, idx, scores, axis=1)
    return t, s


# --------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------


def bench_w2(rng, n: int, rep_fast: int, rep_slow: int, rep_lrap: int, profile: bool) -> None:
    section(f"W2: dense scores {n:,} x 100, prevalence geomspace(0.2, 0.002), float32")
    t0 = time.perf_counter()
    y, s = make_w2(rng, n)
    s64 = s.astype(np.float64)  # the same values, so the same rankings and metrics
    print(f"  data: {y.mean() * 100:.2f}% true cells, positives per label "
          f"{y.sum(axis=0).min()}-{y.sum(axis=0).max()}, {np.mean(~y.any(axis=1)) * 100:.1f}% "
          f"rows without a true label, {np.unique(s).size:,} distinct scores in {s.size:,} "
          f"cells; made in {time.perf_counter() - t0:.1f} s", flush=True)

    lw_vals, sk_vals = {}, {}
    for key, fname, kw in W2_METRICS:
        fn = getattr(lwm, fname)
        lw_vals[key] = timeit(f"w2_lw_{key}", f"labelwise {fname}({fmt_kw(kw)})",
                              lambda fn=fn, kw=kw: fn(y, s, **kw), rep_fast, warmup=1)
    total("w2_lw_sum", "labelwise, sum of the six medians",
                   [f"w2_lw_{key}" for key, _, _ in W2_METRICS])
    rep32 = timeit("w2_lw_eval", "labelwise.evaluate(y, y_score=float32 scores)",
                   lambda: labelwise.evaluate(y, y_score=s), rep_fast, warmup=1)
    rep64 = timeit("w2_lw_eval64", "labelwise.evaluate(y, y_score=float64 scores)",
                   lambda: labelwise.evaluate(y, y_score=s64), rep_fast, warmup=1)
    # float64 values of their own (not float32 values): the same path, other keys
    noise = np.random.default_rng(SEED + 2).normal(0.0, 1e-9, s64.shape)
    own = np.clip(s64 + noise, 0.0, 1.0)
    del noise
    timeit("w2_lw_eval64own", "evaluate(), float64 scores that are no float32 values",
           lambda: labelwise.evaluate(y, y_score=own), rep_fast, warmup=1)
    print(f"  ({np.mean(own.astype(np.float32) != own) * 100:.1f}% of those scores are no "
          f"float32 value)", flush=True)
    del own
    for key, fname, kw in W2_METRICS:
        fn = getattr(skm, fname)
        sk_vals[key] = timeit(f"w2_sk_{key}", f"sklearn {fname}({fmt_kw(kw)})",
                              lambda fn=fn, kw=kw: fn(y, s, **kw),
                              rep_lrap if key == "label_ranking_average_precision" else rep_slow)
    total("w2_sk_sum", "sklearn, sum of the six medians",
          [f"w2_sk_{key}" for key, _, _ in W2_METRICS])
    print_numba_threads()

    # Same numbers on both sides, or the ratios below mean nothing.
    worst = 0.0
    for key, fname, _ in W2_METRICS:
        worst = max(worst, check_close(f"W2 {fname} {key}", lw_vals[key], sk_vals[key]))
        worst = max(worst, check_close(f"W2 evaluate(float32)[{key}]", rep32[key], sk_vals[key]))
        worst = max(worst, check_close(f"W2 evaluate(float64)[{key}]", rep64[key], sk_vals[key]))
    print(f"  check: labelwise == sklearn on all six metrics, from the six functions and from "
          f"evaluate() with float32 and float64 scores (max diff {worst:.1e} < {TOL:g})",
          flush=True)

    for key, fname, _ in W2_METRICS:
        ratio(f"W2 {key}: sklearn / labelwise function", f"w2_sk_{key}", f"w2_lw_{key}")
    ratio("W2 sklearn six / labelwise six functions (sums)", "w2_sk_sum", "w2_lw_sum")
    ratio("W2 sklearn six (sum) / labelwise.evaluate(float32)", "w2_sk_sum", "w2_lw_eval",
          ">= 100x", lambda r: r >= 100)
    ratio("W2 sklearn six (sum) / labelwise.evaluate(float64)", "w2_sk_sum", "w2_lw_eval64",
          ">= 100x", lambda r: r >= 100)
    ratio("W2 same (float32), process CPU time instead of wall time", "w2_sk_sum",
          "w2_lw_eval", field="cpu")
    ratio("W2 same (float64), process CPU time instead of wall time", "w2_sk_sum",
          "w2_lw_eval64", field="cpu")
    ratio("W2 labelwise six functions (sum) / evaluate(float32)", "w2_lw_sum", "w2_lw_eval")
    ratio("W2 labelwise evaluate float64 / float32 scores", "w2_lw_eval64", "w2_lw_eval")
    found = w2_memory_child(y, s)
    print("  peak memory of evaluate() (fresh process, after a warm-up call; RSS = growth of "
          "the peak resident set):", flush=True)
    for key in ("float32", "float64"):
        rss, inputs = found[key]["rss"], found[key]["inputs"]
        v = verdict(rss < inputs)
        print(f"    {key} scores: RSS growth {fmt_mb(rss)} on {fmt_mb(inputs)} of inputs "
              f"(truth and scores), {rss / inputs:.2f}x   (target below the inputs){v}",
              flush=True)
        VERDICTS.append((f"W2 evaluate({key}) peak RSS growth", fmt_mb(rss),
                         f"below the inputs ({fmt_mb(inputs)}){v}".replace("  -> ", "; ")))
    if profile:
        run_profile("W2 evaluate(y_score=float32)", lambda: labelwise.evaluate(y, y_score=s))
        run_profile("W2 evaluate(y_score=float64)", lambda: labelwise.evaluate(y, y_score=s64))


def fmt_kw(kw: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kw.items())


def paired(calls, repeat: int) -> list:
    """Time ``calls`` ((key, label, fn), ...) in alternation: ``repeat`` rounds after a
    warm-up round, each calling every fn once, so that the calls of a round share the
    load of that moment. Records and prints each median as timeit() does; returns the
    last round's results."""
    for _, _, fn in calls:
        fn()
    times = [[] for _ in calls]
    cpu = [[] for _ in calls]
    outs = [None] * len(calls)
    for _ in range(repeat):
        gc.collect()
        for j, (_, _, fn) in enumerate(calls):
            outs[j] = None
            c0 = time.process_time()
            t0 = time.perf_counter()
            outs[j] = fn()
            times[j].append(time.perf_counter() - t0)
            cpu[j].append(time.process_time() - c0)
    for (key, label, _), t, c in zip(calls, times, cpu):
        med = statistics.median(t)
        RESULTS[key] = {"label": f"{_common.CURRENT[0]} {label}", "median": med,
                        "min": min(t), "max": max(t), "n": repeat, "cpu": statistics.median(c)}
        print(f"  {label:<58} median {fmt_s(med):>9}   (min {fmt_s(min(t))}, max "
              f"{fmt_s(max(t))}, n={repeat}, paired; cpu {fmt_s(statistics.median(c))})",
              flush=True)
    return outs


def bench_w4(rng, n: int, n_labels: int, n_slice: int, rep_fast: int, rep_paired: int,
             profile: bool) -> None:
    section(f"W4: top-5 (indices, scores), {n:,} rows x {n_labels:,} labels, CSR truth")
    t0 = time.perf_counter()
    y, idx, sc = make_w4(rng, n, n_labels)
    top = (idx, sc)
    ref = reference_at_k(y, idx, sc)
    print(f"  data: {y.nnz / n:.2f} true labels per row, {ref['precision_at_5'] * 100:.1f}% of "
          f"the top-5 true, {np.count_nonzero(y.getnnz(axis=0)):,} labels used; "
          f"made in {time.perf_counter() - t0:.1f} s", flush=True)

    lw_vals = {}
    for key, name, k in AT_K:
        fn = getattr(lwm, f"{name}_at_k")
        lw_vals[key] = timeit(f"w4_lw_{key}", f"labelwise.metrics.{name}_at_k(k={k})",
                              lambda fn=fn, k=k: fn(y, top, k=k), rep_fast, warmup=1)
    total("w4_lw_sum", "labelwise, sum of the six medians", [f"w4_lw_{key}" for key, _, _ in AT_K])
    # the reference, evaluate() and the two calls with k=(1, 3, 5), in alternation
    ks = (1, 3, 5)
    calls = (("w4_ref", "plain numpy reference, all six (one pass)",
              lambda: reference_at_k(y, idx, sc)),
             ("w4_lw_eval", "labelwise.evaluate(y, y_score=(indices, scores))",
              lambda: labelwise.evaluate(y, y_score=top)),
             ("w4_lw_seq", "precision_at_k + ndcg_at_k, each k=(1, 3, 5)",
              lambda: (lwm.precision_at_k(y, top, k=ks), lwm.ndcg_at_k(y, top, k=ks))))
    ref_out, rep, (seq_p, seq_n) = paired(calls, rep_paired)
    seq_vals = {f"precision_at_{k}": v for k, v in zip(ks, seq_p)}
    seq_vals.update({f"ndcg_at_{k}": v for k, v in zip(ks, seq_n)})
    worst = 0.0
    for key, _, _ in AT_K:
        worst = max(worst, check_close(f"W4 {key} function", lw_vals[key], ref[key], "numpy"))
        worst = max(worst, check_close(f"W4 {key} evaluate", rep[key], ref[key], "numpy"))
        worst = max(worst, check_close(f"W4 {key} k=(1, 3, 5)", seq_vals[key], ref[key],
                                       "numpy"))
        worst = max(worst, check_close(f"W4 {key} timed reference", ref_out[key], ref[key],
                                       "numpy"))
    print(f"  check: labelwise == plain numpy reference on P@1/3/5 and nDCG@1/3/5, from the six "
          f"functions, from the two k=(1, 3, 5) calls and from evaluate() (max diff "
          f"{worst:.1e} < {TOL:g})", flush=True)
    ratio("W4 evaluate / numpy reference (paired)", "w4_lw_eval", "w4_ref", "<= 1x",
          lambda r: r <= 1.0)
    ratio("W4 two k=(1, 3, 5) calls / numpy reference (paired)", "w4_lw_seq", "w4_ref",
          "<= 1x", lambda r: r <= 1.0)
    ratio("W4 six one-k calls (sum) / numpy reference", "w4_lw_sum", "w4_ref")
    r_eval = RESULTS["w4_lw_eval"]["median"] / RESULTS["w4_ref"]["median"]
    r_seq = RESULTS["w4_lw_seq"]["median"] / RESULTS["w4_ref"]["median"]
    print(f"  verdict: all six @k values from top-k input in at most the numpy reference's "
          f"time: evaluate() {_common.fmt_x(r_eval)}, the functions {_common.fmt_x(r_seq)}"
          + _common.verdict(r_eval <= 1.0 and r_seq <= 1.0), flush=True)
    within("W4 labelwise.evaluate, all six @k values", "w4_lw_eval", 0.5,
           "well under 1 s, read as <= 0.5 s")
    within("W4 labelwise six @k functions (sum)", "w4_lw_sum", 0.5,
           "well under 1 s, read as <= 0.5 s")
    ratio("W4 labelwise six functions (sum) / evaluate", "w4_lw_sum", "w4_lw_eval")

    # Peak memory of one call, against the stored entries and against n x L.
    entries = y.nnz + idx.size
    in_bytes = (y.data.nbytes + y.indices.nbytes + y.indptr.nbytes + idx.nbytes + sc.nbytes)
    dense_bytes = n * n_labels * 4
    print(f"  memory: inputs {fmt_mb(in_bytes)} ({y.nnz:,} true entries + {idx.size:,} top-k "
          f"entries); a dense float32 {n:,} x {n_labels:,} score matrix would be "
          f"{fmt_mb(dense_bytes)} ({dense_bytes / 1e9:.1f} GB)", flush=True)
    found = peak_memory_child(y, idx, sc)
    print("  peak memory of one call (fresh process, after a warm-up call; traced = numpy/Python "
          "allocations,\n  numba's arrays not seen; RSS = growth of the peak resident set, "
          "numba's arrays included):", flush=True)
    for key, what in (("ndcg", f"ndcg_at_k(k=5), {n_labels:,} labels"),
                      ("ndcg_seq", f"ndcg_at_k(k=(1, 3, 5)), {n_labels:,} labels"),
                      ("ndcg_wide", f"ndcg_at_k(k=5), same data, {10 * n_labels:,} labels"),
                      ("eval", f"evaluate(), {n_labels:,} labels"),
                      ("eval_wide", f"evaluate(), same data, {10 * n_labels:,} labels")):
        traced, rss = found[key]["traced"], found[key]["rss"]
        rss_txt = "n/a" if rss is None else f"{fmt_mb(rss)} ({rss / entries:.0f} B/entry)"
        print(f"    {what:<46} traced {fmt_mb(traced):>10} ({traced / entries:.0f} B/entry), "
              f"RSS {rss_txt}", flush=True)

    # scikit-learn: ndcg_score needs dense matrices, so only a slice of the rows.
    m = n_slice
    sub_top = (idx[:m], sc[:m])
    t_dense, s_dense = densify(y[:m], idx[:m], sc[:m])
    print(f"  sklearn slice: first {m:,} rows as dense matrices (int8 truth, float64 scores: "
          f"{fmt_mb(t_dense.nbytes + s_dense.nbytes)})", flush=True)
    sk_vals = {}
    for k in (1, 3, 5):
        sk_vals[k] = timeit(f"w4_sk_ndcg{k}_slice", f"sklearn ndcg_score(k={k}), {m:,} dense rows",
                            lambda k=k: skm.ndcg_score(t_dense, s_dense, k=k), 1)
    q = max(1, m // 4)
    timeit("w4_sk_ndcg5_quarter", f"sklearn ndcg_score(k=5), first {q:,} rows only",
           lambda: skm.ndcg_score(t_dense[:q], s_dense[:q], k=5), 1)
    worst = 0.0
    for k in (1, 3, 5):
        worst = max(worst, check_close(f"W4 slice ndcg@{k}",
                                       lwm.ndcg_at_k(y[:m], sub_top, k=k), sk_vals[k]))
    print(f"  check: labelwise ndcg_at_k on the top-k slice == sklearn ndcg_score on the dense "
          f"slice, k = 1, 3, 5 (max diff {worst:.1e} < {TOL:g})", flush=True)
    per_row = RESULTS["w4_sk_ndcg5_slice"]["median"] / m
    per_row_q = RESULTS["w4_sk_ndcg5_quarter"]["median"] / q
    print(f"  sklearn ndcg_score(k=5) per row: {fmt_s(per_row)} over {m:,} rows, "
          f"{fmt_s(per_row_q)} over {q:,} rows (linear in rows if these agree)", flush=True)
    sk_keys = [f"w4_sk_ndcg{k}_slice" for k in (1, 3, 5)]
    est = sum(RESULTS[key]["median"] for key in sk_keys) * n / m
    RESULTS["w4_sk_extrap"] = {"label": f"W4 sklearn ndcg_score k=1,3,5 EXTRAPOLATED to {n:,} "
                                        f"rows", "median": est, "n": None}
    print(f"  EXTRAPOLATION, not measured: sklearn ndcg_score for k = 1, 3, 5 on all {n:,} rows "
          f"~ {fmt_s(est)} (slice time x {n / m:g}), not counting the dense "
          f"{fmt_mb(dense_bytes)} score matrix it would need", flush=True)
    ratio("W4 EXTRAPOLATED sklearn ndcg k=1,3,5 / labelwise evaluate", "w4_sk_extrap",
          "w4_lw_eval")
    del t_dense, s_dense
    if profile:
        run_profile("W4 evaluate(y_score=(indices, scores))",
                    lambda: labelwise.evaluate(y, y_score=top))


# FIRST: the child's own part (its data, timed calls and kernel modules; see
# _common.CHILD_HEAD) and the rows printed from what it timed.
FIRST_CALL_SETUP = r"""
import numpy as np
from labelwise import _kernels, _partial_kernels, _pooled_kernels, _rank_kernels
rng = np.random.default_rng(0)
yt = rng.random((50, 6)) < 0.4
s32 = rng.random((50, 6)).astype(np.float32)
s64 = s32.astype(np.float64)
idx = np.argsort(-s64, axis=1)[:, :3]
top = (idx, np.take_along_axis(s64, idx, axis=1))
CALLS = (
    ("f32", lambda: labelwise.evaluate(yt, y_score=s32)),
    ("f32_again", lambda: labelwise.evaluate(yt, y_score=s32)),
    ("f64", lambda: labelwise.evaluate(yt, y_score=s64)),
    ("topk", lambda: labelwise.evaluate(yt, y_score=top)),
)
KERNEL_MODULES = (_kernels, _rank_kernels, _partial_kernels, _pooled_kernels)
"""
FIRST_CALL_ROWS = (("import", "import labelwise"),
                   ("f32", "first evaluate(y_score=), dense float32 50 x 6"),
                   ("f32_again", "second evaluate(), same data"),
                   ("f64", "first evaluate(y_score=), dense float64"),
                   ("topk", "first evaluate(y_score=(indices, scores))"))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    w4_only = "--w4-only" in argv  # W4 alone, on the data of a full run
    args = parse_args(__doc__.split("\n\n")[0],
                      "10x fewer rows (and labels for W4), fewer repeats: a smoke run",
                      "also print cProfile of evaluate() for W2 and W4",
                      [a for a in argv if a != "--w4-only"])
    scale = 10 if args.quick else 1
    rep_fast, rep_slow, rep_lrap, rep_first = (3, 1, 1, 1) if args.quick else (7, 3, 2, 3)
    rep_paired = 5 if args.quick else 11

    start = begin("labelwise ranking-metric benchmark" + (" (W4 only)" if w4_only else ""))
    rng = np.random.default_rng(SEED)
    if w4_only:
        make_w2(rng, 100_000 // scale)  # draws what W2 does, so that W4 gets the same data
    else:
        bench_w2(rng, 100_000 // scale, rep_fast, rep_slow, rep_lrap, args.profile)
    bench_w4(rng, 200_000 // scale, 50_000 // scale, 2_000 // scale, rep_fast, rep_paired,
             args.profile)
    if not w4_only:
        bench_first_call(rep_first, FIRST_CALL_SETUP, FIRST_CALL_ROWS, "f32",
                         "import + first evaluate(y_score=float32)")
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
