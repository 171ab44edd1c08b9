"""Time labelwise's threshold metrics against scikit-learn and a plain numpy read.

Run from the repository root::

    .venv/bin/python benchmarks/bench_threshold_metrics.py            # full run
    .venv/bin/python benchmarks/bench_threshold_metrics.py --quick    # 10x smaller smoke run
    .venv/bin/python benchmarks/bench_threshold_metrics.py --profile  # also cProfile evaluate()

Workloads (all data is generated here from a seeded numpy Generator):

W1      dense 1,000,000 x 100 bool labels, per-label prevalence geometric from
        0.3 to 0.001; predictions miss 10% of positives and raise false alarms
        on 1% of negatives.
SPARSE  CSR 200,000 x 50,000, about 5 true labels per row drawn from a
        power-law label popularity; predictions drop 20% of the true labels
        and add on average one popularity-weighted random label per row.
        Also timed with the BLAS thread pool limited to one thread (diagnostic).
SETS    the same kind of data as label-set lists (lists of string names),
        100,000 rows x 1,000 labels.
TINY    dense 50 x 4: the fixed cost of one call.
FIRST   import and first evaluate() in fresh subprocesses, with an empty numba
        cache (compile) and with the cache that run filled (load).

Every timing is repeated and the median is reported (with min and max, as the
machine may be shared). Before any ratio is printed, the numbers that the two
sides of the comparison produced are checked to agree (max abs diff < 1e-12),
so a ratio never compares different work.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

# The environment as this process got it, before any library below sets defaults
# (scikit-learn sets KMP_* variables on import); children start from this.
START_ENV = dict(os.environ)

import numpy as np
import scipy
import scipy.sparse as sp

import labelwise
import labelwise.metrics as lwm

import numba
import sklearn
from sklearn.metrics import classification_report as sk_classification_report
from sklearn.metrics import precision_recall_fscore_support as sk_prfs
from sklearn.preprocessing import MultiLabelBinarizer

TOL = 1e-12
SEED = 20240601
ENV_PREFIXES = ("OPENBLAS", "GOTO", "OMP_", "MKL_", "NVPL_", "BLIS_", "NUMBA_", "KMP_")


# --------------------------------------------------------------------------
# Timing and printing
# --------------------------------------------------------------------------

RESULTS: dict[str, dict] = {}
QUICK = False
CURRENT = [""]  # short name of the workload being timed


def timeit(key: str, label: str, fn, repeat: int, warmup: int = 0):
    """Call ``fn`` ``warmup`` + ``repeat`` times; record and print the median."""
    for _ in range(warmup):
        fn()
    times = []
    out = None
    for _ in range(repeat):
        out = None
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    RESULTS[key] = {"label": f"{CURRENT[0]} {label}", "median": med, "min": min(times),
                    "max": max(times), "n": repeat}
    print(f"  {label:<58} median {fmt_s(med):>9}   "
          f"(min {fmt_s(min(times))}, max {fmt_s(max(times))}, n={repeat})", flush=True)
    return out


def fmt_s(sec: float) -> str:
    if sec >= 1:
        return f"{sec:.2f} s"
    if sec >= 1e-3:
        return f"{sec * 1e3:.1f} ms"
    return f"{sec * 1e6:.0f} us"


def fmt_x(r: float) -> str:
    return f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


RATIOS: list[tuple[str, float, str]] = []


def ratio(label: str, num_key: str, den_key: str, target: str = "", ok=None) -> float:
    r = RESULTS[num_key]["median"] / RESULTS[den_key]["median"]
    verdict = ""
    if ok is not None and QUICK:
        verdict = "  -> not judged: targets are for the full sizes"
    elif ok is not None:
        verdict = "  -> target met" if ok(r) else "  -> target NOT met"
    line = f"  {label:<58} {fmt_x(r):>9}" + (f"   (target {target}){verdict}" if target else "")
    RATIOS.append((label, r, f"{target}{verdict}".replace("  -> ", "; ") if target else ""))
    print(line, flush=True)
    return r


def check_close(what: str, a, b, rel: bool = False) -> float:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise AssertionError(f"{what}: shapes differ {a.shape} vs {b.shape}")
    diff = np.abs(a - b)
    if rel:
        diff = diff / np.maximum(np.abs(b), 1.0)
    worst = float(diff.max()) if diff.size else 0.0
    if not worst < TOL:  # not `assert`: must also hold under python -O
        raise AssertionError(f"{what}: labelwise and scikit-learn differ by {worst:g}")
    return worst


def section(title: str) -> None:
    CURRENT[0] = title.split(":")[0].split()[0]
    print(f"\n== {title}", flush=True)


# --------------------------------------------------------------------------
# Machine description
# --------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gb() -> str:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def cpu_quota() -> str:
    try:  # cgroup v2
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()
        return "none" if quota == "max" else f"{int(quota) / int(period):g} CPUs"
    except (OSError, ValueError):
        pass
    try:  # cgroup v1
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period = int(f.read())
        return "none" if quota < 0 else f"{quota / period:g} CPUs"
    except (OSError, ValueError):
        return "unknown"


def describe_machine() -> None:
    section("Machine")
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    print(f"  CPU             {cpu_model()} ({platform.machine()})")
    print(f"  cores           {os.cpu_count()} logical, {usable} usable by this process, "
          f"cgroup quota {cpu_quota()}")
    print(f"  memory          {mem_total_gb()}")
    print(f"  OS              {platform.platform()}")
    print(f"  load average    {' '.join(f'{x:.2f}' for x in os.getloadavg())} (at start)")
    print(f"  Python          {platform.python_version()} ({platform.python_implementation()})")
    print(f"  numpy           {np.__version__}")
    print(f"  scipy           {scipy.__version__}")
    print(f"  numba           {numba.__version__} (NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS})")
    print(f"  scikit-learn    {sklearn.__version__}")
    print(f"  labelwise       {labelwise.__version__}")
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        print(f"  numpy BLAS      {blas.get('name')} {blas.get('version')}")
    except Exception:  # older numpy: no dict mode
        print("  numpy BLAS      (not reported by this numpy)")
    try:
        from threadpoolctl import threadpool_info

        pools = threadpool_info()
        if not pools:
            print("  threadpools     none loaded")
        for p in pools:
            print(f"  threadpool      {p.get('internal_api')} {p.get('version')} "
                  f"num_threads={p.get('num_threads')} layer={p.get('threading_layer')} "
                  f"arch={p.get('architecture')}")
    except ImportError:
        print("  threadpools     (threadpoolctl not installed)")
    env = {k: v for k, v in START_ENV.items() if k.startswith(ENV_PREFIXES)}
    shown = ", ".join(f"{k}={v}" for k, v in sorted(env.items())) or "none set"
    print(f"  BLAS/thread env {shown}")


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


def label_popularity(n_labels: int, exponent: float = 0.8) -> np.ndarray:
    p = 1.0 / np.arange(1, n_labels + 1) ** exponent
    return p / p.sum()


def keys_to_csr(keys: np.ndarray, n: int, n_labels: int) -> sp.csr_matrix:
    """Sorted unique ``row * n_labels + col`` keys -> CSR with sorted, unique indices."""
    rows = keys // n_labels
    cols = (keys % n_labels).astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    data = np.ones(keys.size, dtype=np.int64)
    return sp.csr_matrix((data, cols, indptr), shape=(n, n_labels))


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

    rep = timeit("w1_lw", "labelwise.evaluate (every metric, every average)",
                 lambda: labelwise.evaluate(y_true, y_pred), rep_fast, warmup=1)
    timeit("w1_np", "numpy read: count_nonzero(y_true); count_nonzero(y_pred)",
           numpy_read, rep_fast, warmup=1)
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
    print(f"  numba threading layer: {numba.threading_layer()}, "
          f"{numba.get_num_threads()} threads", flush=True)

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
    ratio("W1 labelwise.evaluate / numpy read", "w1_lw", "w1_np", "<= 10x", lambda r: r <= 10)
    ratio("W1 labelwise weighted / unweighted evaluate", "w1_lw_w", "w1_lw")
    ratio("W1 sklearn prfs(macro) / labelwise prfs(macro)", "w1_sk_prfs", "w1_lw_prfs")
    if profile:
        run_profile("W1 evaluate", lambda: labelwise.evaluate(y_true, y_pred))
        run_profile("W1 evaluate(sample_weight)",
                    lambda: labelwise.evaluate(y_true, y_pred, sample_weight=w))


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
        run_profile("SPARSE evaluate", lambda: labelwise.evaluate(y_true, y_pred))


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


CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import labelwise
t_import = time.perf_counter() - t0
import numpy as np
import scipy.sparse as sp
from labelwise import _kernels
rng = np.random.default_rng(0)
yt = rng.random((50, 4)) < 0.4
yp = rng.random((50, 4)) < 0.4
w = rng.uniform(0.5, 2.0, 50)
out = {"import": t_import}
for key, call in (
    ("dense", lambda: labelwise.evaluate(yt, yp)),
    ("dense_again", lambda: labelwise.evaluate(yt, yp)),
    ("weighted", lambda: labelwise.evaluate(yt, yp, sample_weight=w)),
    ("sparse", lambda: labelwise.evaluate(sp.csr_matrix(yt), sp.csr_matrix(yp))),
):
    t0 = time.perf_counter()
    call()
    out[key] = time.perf_counter() - t0
stats = [f.stats for f in vars(_kernels).values() if hasattr(f, "stats") and hasattr(f, "py_func")]
out["cache_hits"] = sum(sum(s.cache_hits.values()) for s in stats)
out["cache_misses"] = sum(sum(s.cache_misses.values()) for s in stats)
print(json.dumps(out))
"""


def run_child(cache_dir: str) -> dict:
    env = dict(START_ENV, NUMBA_CACHE_DIR=cache_dir)
    proc = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"first-call subprocess failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_first_call(repeat: int) -> None:
    section("FIRST CALL: fresh subprocess, empty numba cache (compile) vs warm cache (load)")
    cold, warm = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="labelwise-numba-") as d:
            cold.append(run_child(d))
            warm.append(run_child(d))
    if not all(c["cache_misses"] > 0 for c in cold):
        raise AssertionError("the empty-cache run did not compile")
    if not all(c["cache_hits"] > 0 and c["cache_misses"] == 0 for c in warm):
        raise AssertionError("the warm-cache run did not load every kernel from the cache")
    rows = (("import", "import labelwise (incl. numpy/scipy/numba)"),
            ("dense", "first evaluate(), dense bool 50 x 4"),
            ("dense_again", "second evaluate(), same data"),
            ("weighted", "first evaluate(sample_weight=...)"),
            ("sparse", "first evaluate(), CSR input"))
    print(f"  {'':<45}{'empty cache':>14}{'warm cache':>14}   (medians of {repeat} processes)")
    for key, label in rows:
        c = statistics.median(r[key] for r in cold)
        h = statistics.median(r[key] for r in warm)
        RESULTS[f"first_{key}_cold"] = {"label": f"FIRST {label}, empty cache", "median": c,
                                        "min": min(r[key] for r in cold),
                                        "max": max(r[key] for r in cold), "n": repeat}
        RESULTS[f"first_{key}_warm"] = {"label": f"FIRST {label}, warm cache", "median": h,
                                        "min": min(r[key] for r in warm),
                                        "max": max(r[key] for r in warm), "n": repeat}
        print(f"  {label:<45}{fmt_s(c):>14}{fmt_s(h):>14}", flush=True)
    tot_c = statistics.median(r["import"] + r["dense"] for r in cold)
    tot_h = statistics.median(r["import"] + r["dense"] for r in warm)
    print(f"  {'import + first dense evaluate()':<45}{fmt_s(tot_c):>14}{fmt_s(tot_h):>14}")
    print(f"  (kernels compiled in the empty-cache runs: {cold[0]['cache_misses']}; "
          f"loaded from cache in the warm runs: {warm[0]['cache_hits']})", flush=True)
    RESULTS["first_total_cold"] = {"label": "FIRST import + first dense evaluate(), empty cache",
                                   "median": tot_c, "n": repeat}
    RESULTS["first_total_warm"] = {"label": "FIRST import + first dense evaluate(), warm cache",
                                   "median": tot_h, "n": repeat}


def run_profile(title: str, fn) -> None:
    import cProfile
    import pstats

    fn()
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    print(f"\n  -- cProfile: {title} (top 12 by cumulative time)")
    pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats("cumulative").print_stats(12)


def summary() -> None:
    section("Summary (medians)")
    for key, r in RESULTS.items():
        print(f"  {r['label']:<72} {fmt_s(r['median']):>9}")
    print()
    for label, r, target in RATIOS:
        print(f"  {label:<58} {fmt_x(r):>9}" + (f"   ({target})" if target else ""))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="10x fewer rows and fewer repeats: a smoke run of a few seconds")
    ap.add_argument("--profile", action="store_true",
                    help="also print cProfile of evaluate() for W1 and SPARSE")
    args = ap.parse_args(argv)
    global QUICK
    QUICK = args.quick
    scale = 10 if args.quick else 1
    rep_fast, rep_slow, rep_first = (3, 1, 1) if args.quick else (7, 3, 3)

    start = time.perf_counter()
    print("labelwise threshold-metric benchmark" + (" (--quick: 10x smaller)" if args.quick
                                                     else ""))
    print(f"command: {os.path.basename(sys.executable)} {' '.join(sys.argv)}")
    describe_machine()
    rng = np.random.default_rng(SEED)
    bench_w1(rng, 1_000_000 // scale, rep_fast, rep_slow, args.profile)
    bench_sparse(rng, 200_000 // scale, 50_000 // scale, rep_fast, rep_slow, args.profile)
    bench_sets(rng, 100_000 // scale, 1_000, rep_fast, rep_slow)
    bench_tiny(rng, 2 * rep_fast + 1)
    bench_first_call(rep_first)
    summary()
    print(f"\n  load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  total runtime: {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
