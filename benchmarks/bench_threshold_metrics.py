"""Time labelwise's threshold metrics against scikit-learn and a plain numpy read.

Run from the repository root::

    .venv/bin/python benchmarks/bench_threshold_metrics.py            # full run
    .venv/bin/python benchmarks/bench_threshold_metrics.py --quick    # 10x smaller smoke run
    .venv/bin/python benchmarks/bench_threshold_metrics.py --profile  # also cProfile evaluate()

Workloads (all data is generated here from a seeded numpy Generator):

W1      dense 1,000,000 x 100 bool labels, per-label prevalence geometric from
        0.3 to 0.001; predictions miss 10% of positives and raise false alarms
        on 1% of negatives.
W1-10   dense 10,000,000 x 10 bool: W1's cells over 10 labels (the per-row cost).
SPARSE  CSR 200,000 x 50,000, about 5 true labels per row drawn from a
        power-law label popularity; predictions drop 20% of the true labels
        and add on average one popularity-weighted random label per row.
        Also timed with the BLAS thread pool limited to one thread (diagnostic).
SETS    the same kind of data as label-set lists (lists of string names),
        100,000 rows x 1,000 labels.
TINY    dense 50 x 4: the fixed cost of one call.
FIRST   import and first evaluate() in fresh subprocesses, with an empty numba
        cache (compile) and with the cache that run filled (load).

W1 and W1-10 time evaluate() and the numpy floor (reading both arrays once) in
alternation, paired, and measure the peak RSS growth of one evaluate() call.

Timings are medians of repeated calls, with min, max and process CPU time, and
the two sides of every ratio are checked to agree before it is printed
(benchmarks/_common.py describes both).
"""

from __future__ import annotations

import os
import sys
import time

# Before numpy and scikit-learn: _common records the environment as this process got it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (TOL, VERDICTS, begin, bench_first_call, check_close, finish, fmt_mb,
                     keys_to_csr, label_popularity, parse_args, print_numba_threads, ratio,
                     rss_growth, run_profile, section, timeit, timeit_paired, verdict)

import numpy as np
import scipy.sparse as sp

import labelwise
import labelwise.metrics as lwm

from sklearn.metrics import classification_report as sk_classification_report
from sklearn.metrics import precision_recall_fscore_support as sk_prfs
from sklearn.preprocessing import MultiLabelBinarizer

SEED = 20240601
PROFILE = {"top": 12, "sort": "cumulative"}  # cProfile: the 12 lines of most cumulative time


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def make_w1(rng, n: int, n_labels: int = 100, chunk: int = 100_000):
    """Dense bool truth/predictions; prevalence geomspace(0.3, 0.001)."""
    prev = np.geomspace(0.3, 0.001, n_labels).astype(np.float32)
    y_true = np.empty((n, n_labels), dtype=bool)
    y_pred = np.empty((n, n_labels), dtype=bool)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        t = rng.random((hi - lo, n_labels), dtype=np.float32) < prev
        u = rng.random((hi - lo, n_labels), dtype=np.float32)
        y_true[lo:hi] = t
        y_pred[lo:hi] = np.where(t, u >= 0.10, u < 0.01)  # miss 10% of +, 1% false alarms
    return y_true, y_pred


def make_sparse(rng, n: int, n_labels: int, per_row: int = 5, drop: float = 0.2,
                add_per_row: float = 1.0):
    """Truth: ~per_row popular-weighted labels per row; predictions: drop some, add some."""
    pop = label_popularity(n_labels)
    rows = np.repeat(np.arange(n, dtype=np.int64), per_row)
    cols = rng.choice(n_labels, size=rows.size, p=pop)
    t_keys = np.unique(rows * n_labels + cols)  # removes repeated draws within a row
    kept = t_keys[rng.random(t_keys.size) >= drop]
    n_add = rng.poisson(add_per_row * n)
    add_keys = rng.integers(0, n, n_add) * n_labels + rng.choice(n_labels, size=n_add, p=pop)
    p_keys = np.unique(np.concatenate([kept, add_keys]))
    return keys_to_csr(t_keys, n, n_labels), keys_to_csr(p_keys, n, n_labels)


def csr_to_sets(m: sp.csr_matrix, names: np.ndarray) -> list:
    return [names[idx].tolist() for idx in np.split(m.indices, m.indptr[1:-1])]


# --------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------


def bench_w1(rng, n: int, rep_fast: int, rep_slow: int, profile: bool) -> None:
    section(f"W1: dense {n:,} x 100 bool, prevalence geomspace(0.3, 0.001)")
    t0 = time.perf_counter()
    y_true, y_pred = make_w1(rng, n)
    w = rng.uniform(0.5, 2.0, n)
    print(f"  data: {y_true.mean() * 100:.2f}% true, {y_pred.mean() * 100:.2f}% predicted "
          f"cells; made in {time.perf_counter() - t0:.1f} s", flush=True)

    def numpy_read():
        return np.count_nonzero(y_true), np.count_nonzero(y_pred)

    rep, _ = timeit_paired(("w1_lw", "w1_np"),
                           ("labelwise.evaluate (every metric, every average)",
                            "numpy read: count_nonzero(y_true); count_nonzero(y_pred)"),
                           (lambda: labelwise.evaluate(y_true, y_pred), numpy_read), rep_fast)
    grown = rss_growth(lambda: labelwise.evaluate(y_true, y_pred))
    sk_text = timeit("w1_sk", "sklearn classification_report(zero_division=0)",
                     lambda: sk_classification_report(y_true, y_pred, zero_division=0),
                     rep_slow)
    rep_w = timeit("w1_lw_w", "labelwise.evaluate(sample_weight=w)",
                   lambda: labelwise.evaluate(y_true, y_pred, sample_weight=w),
                   rep_fast, warmup=1)
    lw_macro = timeit("w1_lw_prfs", "labelwise.metrics.precision_recall_fscore_support(macro)",
                      lambda: lwm.precision_recall_fscore_support(
                          y_true, y_pred, average="macro", zero_division=0),
                      rep_fast, warmup=1)
    sk_macro = timeit("w1_sk_prfs", "sklearn precision_recall_fscore_support(macro)",
                      lambda: sk_prfs(y_true, y_pred, average="macro", zero_division=0),
                      rep_slow)
    print_numba_threads()

    # Same numbers on both sides, or the ratios below mean nothing.
    if not (isinstance(sk_text, str) and "samples avg" in sk_text):
        raise AssertionError("sklearn classification_report returned no samples average")
    sk = sk_classification_report(y_true, y_pred, zero_division=0, output_dict=True)
    worst = 0.0
    for lw_col, sk_col in (("precision", "precision"), ("recall", "recall"),
                           ("f1", "f1-score"), ("support", "support")):
        sk_vals = [sk[str(j)][sk_col] for j in range(y_true.shape[1])]
        worst = max(worst, check_close(f"W1 per-label {lw_col}", rep.per_label[lw_col], sk_vals))
        if lw_col == "support":
            continue
        for avg in ("micro", "macro", "weighted", "samples"):
            worst = max(worst, check_close(f"W1 {lw_col}_{avg}", rep[f"{lw_col}_{avg}"],
                                           sk[f"{avg} avg"][sk_col]))
    for name, a, b in zip(("precision", "recall", "f1"), lw_macro[:3], sk_macro[:3]):
        worst = max(worst, check_close(f"W1 prfs macro {name}", a, b))
    sk_w = sk_prfs(y_true, y_pred, average=None, sample_weight=w, zero_division=0)
    for name, a, b in zip(("precision", "recall", "f1"), ("precision", "recall", "f1"), sk_w):
        worst = max(worst, check_close(f"W1 weighted {name}", rep_w.per_label[a], b))
    worst = max(worst, check_close("W1 weighted support", rep_w.per_label["support"], sk_w[3],
                                   rel=True))
    print(f"  check: labelwise == sklearn on classification_report, prfs(macro) and weighted "
          f"per-label prfs (max diff {worst:.1e} < {TOL:g})", flush=True)

    ratio("W1 sklearn classification_report / labelwise.evaluate", "w1_sk", "w1_lw",
          ">= 45x", lambda r: r >= 45)
    ratio("W1 labelwise.evaluate / numpy read (paired)", "w1_lw", "w1_np", "<= 2x",
          lambda r: r <= 2)
    peak_rss("W1", grown, y_true.nbytes + y_pred.nbytes)
    ratio("W1 labelwise weighted / unweighted evaluate", "w1_lw_w", "w1_lw")
    ratio("W1 sklearn prfs(macro) / labelwise prfs(macro)", "w1_sk_prfs", "w1_lw_prfs")
    if profile:
        run_profile("W1 evaluate", lambda: labelwise.evaluate(y_true, y_pred), **PROFILE)
        run_profile("W1 evaluate(sample_weight)",
                    lambda: labelwise.evaluate(y_true, y_pred, sample_weight=w), **PROFILE)


def peak_rss(tag: str, grown, in_bytes: int, limit: int = 50 * 2**20) -> None:
    """Print and judge the peak RSS growth of one evaluate() call."""
    if grown is None:
        print(f"  {tag} peak RSS growth of one evaluate(): not measurable here (no /proc)")
        return
    v = verdict(grown < limit)
    print(f"  {tag} peak RSS growth of one evaluate(){'':<14} {fmt_mb(grown):>9}   (inputs "
          f"{fmt_mb(in_bytes)}; target < {fmt_mb(limit)}){v}", flush=True)
    VERDICTS.append((f"{tag} peak RSS growth of evaluate()", fmt_mb(grown),
                     f"< {fmt_mb(limit)}{v}".replace("  -> ", "; ")))


def bench_few_labels(rng, n: int, n_labels: int, rep: int) -> None:
    """W1's cells (n * L) over fewer labels: evaluate() against the numpy floor, paired."""
    section(f"W1-{n_labels}: dense {n:,} x {n_labels} bool, the same cells as W1 over "
            f"{n_labels} labels")
    y_true, y_pred = make_w1(rng, n, n_labels)

    def numpy_read():
        return np.count_nonzero(y_true), np.count_nonzero(y_pred)

    tag = f"w1_{n_labels}"
    rep_lw, _ = timeit_paired((f"{tag}_lw", f"{tag}_np"),
                              ("labelwise.evaluate (every metric, every average)",
                               "numpy read: count_nonzero(y_true); count_nonzero(y_pred)"),
                              (lambda: labelwise.evaluate(y_true, y_pred), numpy_read), rep)
    grown = rss_growth(lambda: labelwise.evaluate(y_true, y_pred))
    t = y_true.astype(bool)
    worst = check_close(f"W1-{n_labels} tp", rep_lw.per_label["tp"], (t & y_pred).sum(0),
                        peer="numpy")
    worst = max(worst, check_close(f"W1-{n_labels} exact match", rep_lw["subset_accuracy"],
                                   (t == y_pred).all(1).mean(), peer="numpy"))
    print(f"  check: labelwise == numpy on per-label tp and exact match (max diff "
          f"{worst:.1e} < {TOL:g})", flush=True)
    ratio(f"W1-{n_labels} labelwise.evaluate / numpy read (paired)", f"{tag}_lw", f"{tag}_np",
          "<= 2x", lambda r: r <= 2)
    peak_rss(f"W1-{n_labels}", grown, y_true.nbytes + y_pred.nbytes)


def bench_sparse(rng, n: int, n_labels: int, rep_fast: int, rep_slow: int,
                 profile: bool) -> None:
    section(f"SPARSE: CSR {n:,} x {n_labels:,}, ~5 labels per row")
    t0 = time.perf_counter()
    y_true, y_pred = make_sparse(rng, n, n_labels)
    print(f"  data: {y_true.nnz / n:.2f} true and {y_pred.nnz / n:.2f} predicted labels per "
          f"row, {np.count_nonzero(y_true.getnnz(axis=0))} labels used; "
          f"made in {time.perf_counter() - t0:.1f} s", flush=True)
    rep = timeit("sp_lw", "labelwise.evaluate (every metric, every average)",
                 lambda: labelwise.evaluate(y_true, y_pred), rep_fast, warmup=1)
    sk = timeit("sp_sk", "sklearn precision_recall_fscore_support(micro), one call",
                lambda: sk_prfs(y_true, y_pred, average="micro", zero_division=0), rep_slow)
    worst = 0.0
    for name, b in zip(("precision", "recall", "f1"), sk[:3]):
        worst = max(worst, check_close(f"SPARSE {name}_micro", rep[f"{name}_micro"], b))
    print(f"  check: labelwise == sklearn on micro precision/recall/F1 "
          f"(max diff {worst:.1e} < {TOL:g})", flush=True)
    ratio("SPARSE sklearn prfs(micro) / labelwise.evaluate", "sp_sk", "sp_lw",
          "> 1x", lambda r: r > 1)
    try:  # diagnostic: the same call with the BLAS thread pool limited to one thread
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
    if threadpool_limits is not None:
        with threadpool_limits(limits=1, user_api="blas"):
            timeit("sp_lw_blas1", "labelwise.evaluate, BLAS pool limited to 1 thread",
                   lambda: labelwise.evaluate(y_true, y_pred), rep_fast, warmup=1)
        ratio("SPARSE labelwise default BLAS threads / 1 BLAS thread", "sp_lw", "sp_lw_blas1")
    if profile:
        run_profile("SPARSE evaluate", lambda: labelwise.evaluate(y_true, y_pred),
                    **PROFILE)


def bench_sets(rng, n: int, n_labels: int, rep_fast: int, rep_slow: int) -> None:
    section(f"SETS: label-set lists (strings), {n:,} rows x {n_labels:,} labels")
    t0 = time.perf_counter()
    t_csr, p_csr = make_sparse(rng, n, n_labels)
    names = np.array([f"label{j:04d}" for j in range(n_labels)], dtype=object)
    t_sets, p_sets = csr_to_sets(t_csr, names), csr_to_sets(p_csr, names)
    print(f"  data: {t_csr.nnz / n:.2f} true and {p_csr.nnz / n:.2f} predicted labels per "
          f"row; made in {time.perf_counter() - t0:.1f} s", flush=True)

    def sklearn_route(output_dict=False):
        mlb = MultiLabelBinarizer(sparse_output=True)
        both = mlb.fit_transform(t_sets + p_sets)
        return sk_classification_report(both[:n], both[n:], target_names=list(mlb.classes_),
                                        zero_division=0, output_dict=output_dict)

    rep = timeit("sets_lw", "labelwise.evaluate(list of label lists)",
                 lambda: labelwise.evaluate(t_sets, p_sets), rep_fast, warmup=1)
    timeit("sets_sk", "sklearn MultiLabelBinarizer + classification_report",
           sklearn_route, rep_slow)
    sk = sklearn_route(output_dict=True)
    labels = [str(x) for x in rep.labels]
    worst = 0.0
    for lw_col, sk_col in (("precision", "precision"), ("recall", "recall"),
                           ("f1", "f1-score"), ("support", "support")):
        worst = max(worst, check_close(f"SETS per-label {lw_col}", rep.per_label[lw_col],
                                       [sk[x][sk_col] for x in labels]))
        if lw_col == "support":
            continue
        for avg in ("micro", "macro", "weighted", "samples"):
            worst = max(worst, check_close(f"SETS {lw_col}_{avg}", rep[f"{lw_col}_{avg}"],
                                           sk[f"{avg} avg"][sk_col]))
    print(f"  check: labelwise == sklearn on the whole classification_report "
          f"(max diff {worst:.1e} < {TOL:g})", flush=True)
    ratio("SETS sklearn MLB+classification_report / labelwise", "sets_sk", "sets_lw")


def bench_tiny(rng, rep: int) -> None:
    section("TINY: fixed per-call cost, dense 50 x 4 (cache warm, kernels loaded)")
    y_true = rng.random((50, 4)) < 0.4
    y_pred = rng.random((50, 4)) < 0.4
    w = rng.uniform(0.5, 2.0, 50)
    timeit("tiny_lw", "labelwise.evaluate, 50 x 4",
           lambda: labelwise.evaluate(y_true, y_pred), rep, warmup=1)
    timeit("tiny_lw_w", "labelwise.evaluate(sample_weight=w), 50 x 4",
           lambda: labelwise.evaluate(y_true, y_pred, sample_weight=w), rep, warmup=1)
    timeit("tiny_sk", "sklearn classification_report, 50 x 4",
           lambda: sk_classification_report(y_true, y_pred, zero_division=0), rep, warmup=1)


# FIRST: the child's own part (its data, timed calls and kernel modules; see
# _common.CHILD_HEAD) and the rows printed from what it timed.
FIRST_CALL_SETUP = r"""
import numpy as np
import scipy.sparse as sp
from labelwise import _dense_kernels, _kernels
rng = np.random.default_rng(0)
yt = rng.random((50, 4)) < 0.4
yp = rng.random((50, 4)) < 0.4
w = rng.uniform(0.5, 2.0, 50)
CALLS = (
    ("dense", lambda: labelwise.evaluate(yt, yp)),
    ("dense_again", lambda: labelwise.evaluate(yt, yp)),
    ("weighted", lambda: labelwise.evaluate(yt, yp, sample_weight=w)),
    ("sparse", lambda: labelwise.evaluate(sp.csr_matrix(yt), sp.csr_matrix(yp))),
)
KERNEL_MODULES = (_kernels, _dense_kernels)
"""
FIRST_CALL_ROWS = (("import", "import labelwise"),
                   ("dense", "first evaluate(), dense bool 50 x 4"),
                   ("dense_again", "second evaluate(), same data"),
                   ("weighted", "first evaluate(sample_weight=...)"),
                   ("sparse", "first evaluate(), CSR input"))


def main(argv=None) -> int:
    args = parse_args(__doc__.split("\n\n")[0],
                      "10x fewer rows and fewer repeats: a smoke run of a few seconds",
                      "also print cProfile of evaluate() for W1 and SPARSE", argv)
    scale = 10 if args.quick else 1
    rep_fast, rep_slow, rep_first = (3, 1, 1) if args.quick else (7, 3, 3)

    start = begin("labelwise threshold-metric benchmark")
    rng = np.random.default_rng(SEED)
    bench_w1(rng, 1_000_000 // scale, rep_fast, rep_slow, args.profile)
    bench_few_labels(rng, 10_000_000 // scale, 10, rep_fast)
    bench_sparse(rng, 200_000 // scale, 50_000 // scale, rep_fast, rep_slow, args.profile)
    bench_sets(rng, 100_000 // scale, 1_000, rep_fast, rep_slow)
    bench_tiny(rng, 2 * rep_fast + 1)
    bench_first_call(rep_first, FIRST_CALL_SETUP, FIRST_CALL_ROWS, "dense",
                     "import + first dense evaluate()")
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
