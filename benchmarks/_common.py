"""Helpers shared by the benchmark scripts in this folder.

Timing, checking and printing (with one results registry per run), the machine
description, synthetic sparse label data, the first-call subprocess runs, cProfile
and the closing summary. Each ``bench_*.py`` script keeps its own workloads.

Every timing is repeated and the median is reported (with min and max, as the
machine may be shared), together with the median process CPU time of the call
(all threads): when other jobs hold the cores, wall time grows while CPU time
stays, so the two together show how much of a time was waiting. Targets are
judged on wall time. Before any ratio is printed, the numbers that the two
sides of the comparison produced are checked to agree (max abs diff < 1e-12),
so a ratio never compares different work.

Import this module before numpy, scipy or scikit-learn: it records the environment
as the process got it (``START_ENV``) before any of them can change it.
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

import numba
import sklearn

TOL = 1e-12
ENV_PREFIXES = ("OPENBLAS", "GOTO", "OMP_", "MKL_", "NVPL_", "BLIS_", "NUMBA_", "KMP_")


# --------------------------------------------------------------------------
# Timing and printing
# --------------------------------------------------------------------------

RESULTS: dict[str, dict] = {}
VERDICTS: list[tuple[str, str, str]] = []  # (label, value, target and verdict) for the summary
QUICK = False  # set by parse_args(): targets are not judged on a --quick run
CURRENT = [""]  # short name of the workload being timed


def timeit(key: str, label: str, fn, repeat: int, warmup: int = 0):
    """Call ``fn`` ``warmup`` + ``repeat`` times; record and print the median."""
    for _ in range(warmup):
        fn()
    times, cpu = [], []
    out = None
    for _ in range(repeat):
        out = None
        gc.collect()
        c0 = time.process_time()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    med = statistics.median(times)
    RESULTS[key] = {"label": f"{CURRENT[0]} {label}", "median": med, "min": min(times),
                    "max": max(times), "n": repeat, "cpu": statistics.median(cpu)}
    print(f"  {label:<58} median {fmt_s(med):>9}   (min {fmt_s(min(times))}, max "
          f"{fmt_s(max(times))}, n={repeat}; cpu {fmt_s(RESULTS[key]['cpu'])})", flush=True)
    return out


def timeit_paired(keys, labels, fns, repeat: int, warmup: int = 1) -> list:
    """Time the calls ``fns`` in alternation, ``repeat`` rounds, each round calling every
    one once; record and print the median of each under ``keys``, as :func:`timeit`
    does. The calls of a round share the load of that moment, so their ratio is paired.
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    cpu = [[] for _ in fns]
    outs = [None] * len(fns)
    for _ in range(repeat):
        gc.collect()
        for j, fn in enumerate(fns):
            outs[j] = None
            c0 = time.process_time()
            t0 = time.perf_counter()
            outs[j] = fn()
            times[j].append(time.perf_counter() - t0)
            cpu[j].append(time.process_time() - c0)
    for key, label, t, c in zip(keys, labels, times, cpu):
        med = statistics.median(t)
        RESULTS[key] = {"label": f"{CURRENT[0]} {label}", "median": med, "min": min(t),
                        "max": max(t), "n": repeat, "cpu": statistics.median(c)}
        print(f"  {label:<58} median {fmt_s(med):>9}   (min {fmt_s(min(t))}, max "
              f"{fmt_s(max(t))}, n={repeat}, paired; cpu {fmt_s(RESULTS[key]['cpu'])})",
              flush=True)
    return outs


def _proc_status(field: str):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return None


def rss_growth(fn):
    """Peak resident-set growth of one call of ``fn`` in bytes (None where /proc is
    missing): the peak (VmHWM) is reset to the current resident set first."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = _proc_status("VmRSS")
        fn()
        peak = _proc_status("VmHWM")
    except OSError:
        return None
    return None if before is None or peak is None else peak - before


def total(key: str, label: str, keys) -> float:
    """Record and print the sum of the medians of ``keys``."""
    med = sum(RESULTS[k]["median"] for k in keys)
    cpu = sum(RESULTS[k]["cpu"] for k in keys)
    RESULTS[key] = {"label": f"{CURRENT[0]} {label}", "median": med, "n": None, "cpu": cpu}
    print(f"  {label:<58} = {fmt_s(med):>9}   (cpu {fmt_s(cpu)})", flush=True)
    return med


def fmt_s(sec: float) -> str:
    if sec >= 1:
        return f"{sec:.2f} s"
    if sec >= 1e-3:
        return f"{sec * 1e3:.1f} ms"
    return f"{sec * 1e6:.0f} us"


def fmt_x(r: float) -> str:
    return f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


def fmt_mb(nbytes: float) -> str:
    if nbytes >= 2**30:
        return f"{nbytes / 2**30:.1f} GiB"
    return f"{nbytes / 2**20:.1f} MiB"


def verdict(ok) -> str:
    if QUICK:
        return "  -> not judged: targets are for the full sizes"
    return "  -> target met" if ok else "  -> target NOT met"


def ratio(label: str, num_key: str, den_key: str, target: str = "", ok=None,
          field: str = "median") -> float:
    """Ratio of two medians (``field="cpu"``: of the process CPU times, a diagnostic)."""
    r = RESULTS[num_key][field] / RESULTS[den_key][field]
    v = verdict(ok(r)) if ok is not None else ""
    print(f"  {label:<58} {fmt_x(r):>9}" + (f"   (target {target}){v}" if target else ""),
          flush=True)
    VERDICTS.append((label, fmt_x(r), f"{target}{v}".replace("  -> ", "; ") if target else ""))
    return r


def within(label: str, key: str, limit: float, target: str) -> None:
    """Judge an absolute time against ``limit`` seconds."""
    med = RESULTS[key]["median"]
    v = verdict(med <= limit)
    print(f"  {label:<58} {fmt_s(med):>9}   (target {target}){v}", flush=True)
    VERDICTS.append((label, fmt_s(med), f"{target}{v}".replace("  -> ", "; ")))


def check_close(what: str, a, b, peer: str = "scikit-learn", rel: bool = False) -> float:
    """Largest difference of ``a`` and ``b``; raises unless it is below ``TOL``.

    ``rel``: the difference relative to ``|b|`` where ``|b| > 1`` (for large sums).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise AssertionError(f"{what}: shapes differ {a.shape} vs {b.shape}")
    diff = np.abs(a - b)
    if rel:
        diff = diff / np.maximum(np.abs(b), 1.0)
    worst = float(diff.max()) if diff.size else 0.0
    if not worst < TOL:  # not `assert`: must also hold under python -O
        raise AssertionError(f"{what}: labelwise and {peer} differ by {worst:g}")
    return worst


def section(title: str) -> None:
    CURRENT[0] = title.split(":")[0].split()[0]
    print(f"\n== {title}", flush=True)


def print_numba_threads() -> None:
    # get_num_threads() starts numba's thread pool if no parallel kernel has yet,
    # so it comes first: threading_layer() raises until the pool is started.
    n = numba.get_num_threads()
    print(f"  numba threading layer: {numba.threading_layer()}, {n} threads", flush=True)


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


def source_state() -> str:
    """The git commit of the labelwise source being timed, and whether src/ has changes."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(labelwise.__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"git {head}" + (", with uncommitted changes in src/" if dirty else "")


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
    print(f"  labelwise       {labelwise.__version__} ({source_state()})")
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


# --------------------------------------------------------------------------
# First call: import and first evaluate() in fresh subprocesses
# --------------------------------------------------------------------------

# A first-call child is CHILD_HEAD + the script's own setup + CHILD_TAIL. The setup
# imports what it needs and defines CALLS, a sequence of (key, zero-argument call)
# timed in order, and KERNEL_MODULES, the modules whose numba kernels are counted.
CHILD_HEAD = r"""
import json, sys, time
t0 = time.perf_counter()
import labelwise
t_import = time.perf_counter() - t0
"""

CHILD_TAIL = r"""
out = {"import": t_import}
for key, call in CALLS:
    t0 = time.perf_counter()
    call()
    out[key] = time.perf_counter() - t0
stats = [f.stats for mod in KERNEL_MODULES for f in vars(mod).values()
         if hasattr(f, "stats") and hasattr(f, "py_func")]
out["cache_hits"] = sum(sum(s.cache_hits.values()) for s in stats)
out["cache_misses"] = sum(sum(s.cache_misses.values()) for s in stats)
print(json.dumps(out))
"""


def run_child(setup: str, cache_dir: str) -> dict:
    env = dict(START_ENV, NUMBA_CACHE_DIR=cache_dir)
    proc = subprocess.run([sys.executable, "-c", CHILD_HEAD + setup + CHILD_TAIL], env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"first-call subprocess failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_first_call(repeat: int, setup: str, rows, first: str, total_label: str) -> None:
    """Time the child ``setup`` in ``repeat`` pairs of processes sharing an empty cache.

    ``rows``: (key, label) of the calls to print; ``first``: the key of the call that
    is added to the import time in the closing ``total_label`` line.
    """
    section("FIRST CALL: fresh subprocess, empty numba cache (compile) vs warm cache (load)")
    cold, warm = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="labelwise-numba-") as d:
            cold.append(run_child(setup, d))
            warm.append(run_child(setup, d))
    # Small inputs may need no kernel at all (counted with numpy): then neither run
    # compiles, and the two columns time the same work.
    if not all(c["cache_misses"] == cold[0]["cache_misses"] for c in cold):
        raise AssertionError("the empty-cache runs compiled different numbers of kernels")
    if not all(c["cache_misses"] == 0 for c in warm):
        raise AssertionError("the warm-cache run did not load every kernel from the cache")
    width = max(45, max(len(label) for _, label in rows) + 1)
    print(f"  {'':<{width}}{'empty cache':>14}{'warm cache':>14}   "
          f"(medians of {repeat} processes)")
    for key, label in rows:
        c = statistics.median(r[key] for r in cold)
        h = statistics.median(r[key] for r in warm)
        RESULTS[f"first_{key}_cold"] = {"label": f"FIRST {label}, empty cache", "median": c,
                                        "min": min(r[key] for r in cold),
                                        "max": max(r[key] for r in cold), "n": repeat}
        RESULTS[f"first_{key}_warm"] = {"label": f"FIRST {label}, warm cache", "median": h,
                                        "min": min(r[key] for r in warm),
                                        "max": max(r[key] for r in warm), "n": repeat}
        print(f"  {label:<{width}}{fmt_s(c):>14}{fmt_s(h):>14}", flush=True)
    tot_c = statistics.median(r["import"] + r[first] for r in cold)
    tot_h = statistics.median(r["import"] + r[first] for r in warm)
    print(f"  {total_label:<{width}}{fmt_s(tot_c):>14}{fmt_s(tot_h):>14}")
    if cold[0]["cache_misses"]:
        print(f"  (kernel compilations in the empty-cache runs: {cold[0]['cache_misses']}; "
              f"kernels loaded from cache in the warm runs: {warm[0]['cache_hits']})",
              flush=True)
    else:
        print("  (no kernel compiled in the empty-cache runs: these calls need none)",
              flush=True)
    RESULTS["first_total_cold"] = {"label": f"FIRST {total_label}, empty cache",
                                   "median": tot_c, "n": repeat}
    RESULTS["first_total_warm"] = {"label": f"FIRST {total_label}, warm cache",
                                   "median": tot_h, "n": repeat}


# --------------------------------------------------------------------------
# Profile, command line and summary
# --------------------------------------------------------------------------


def run_profile(title: str, fn, top: int = 15, sort: str = "tottime") -> None:
    """cProfile one call of ``fn`` after a warm-up call; ``sort``: tottime or cumulative."""
    import cProfile
    import pstats

    fn()
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    if sort == "tottime":
        how = "by own time; a numba kernel's time is its own line"
    else:
        how = f"by {sort} time"
    print(f"\n  -- cProfile: {title} (top {top} {how})")
    pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats(sort).print_stats(top)


def parse_args(description: str, quick_help: str, profile_help: str, argv=None):
    """``--quick`` and ``--profile``; records ``--quick`` for the target verdicts."""
    global QUICK
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help=quick_help)
    ap.add_argument("--profile", action="store_true", help=profile_help)
    args = ap.parse_args(argv)
    QUICK = args.quick
    return args


def begin(title: str) -> float:
    """Print the heading, the command and the machine; return the start time."""
    start = time.perf_counter()
    print(title + (" (--quick: 10x smaller)" if QUICK else ""))
    print(f"command: {os.path.basename(sys.executable)} {' '.join(sys.argv)}")
    describe_machine()
    return start


def summary() -> None:
    section("Summary (medians)")
    for key, r in RESULTS.items():
        cpu = f"   (cpu {fmt_s(r['cpu'])})" if r.get("cpu") is not None else ""
        print(f"  {r['label']:<72} {fmt_s(r['median']):>9}{cpu}")
    print()
    for label, value, target in VERDICTS:
        print(f"  {label:<58} {value:>9}" + (f"   ({target})" if target else ""))


def finish(start: float) -> None:
    """Print the summary, the load average and the total runtime since ``start``."""
    summary()
    print(f"\n  load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  total runtime: {time.perf_counter() - start:.0f} s")
