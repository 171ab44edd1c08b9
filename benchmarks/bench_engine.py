"""Time the engine: the Accumulator batch by batch, evaluate() before and after it,
and the command line streaming a big pair of score files.

Run from the repository root::

    .venv/bin/python benchmarks/bench_engine.py            # full run
    .venv/bin/python benchmarks/bench_engine.py --quick    # 10x smaller smoke run
    .venv/bin/python benchmarks/bench_engine.py --profile  # also cProfile, and the CLI's memory

Workloads (all data is generated here from a seeded numpy Generator):

ACC     W1 of bench_threshold_metrics.py (dense 1,000,000 x 100 bool labels, the
        same generator and seed): one ``labelwise.Accumulator`` updated with
        10,000-row batches, then ``report()``, against one ``labelwise.evaluate()``
        of the whole arrays. The two reports are checked equal first.
BASE    ``evaluate()`` on W1 with the labelwise this script imports (this
        checkout's ``src/``, or the one on ``PYTHONPATH``), and with the code of
        git commit f227d54 (the last commit before the engine) from a temporary
        ``git worktree`` (removed afterwards). Each side runs in its own child
        process (``PYTHONPATH=<tree>/src``) that makes W1 itself and times one call
        per request; the requests alternate A B A B ..., so both sides share the
        machine's noise. The metrics of both sides are checked equal first.
CLI     ``python -m labelwise evaluate --true T --scores S --format json`` on two
        CSV files of 2,000,000 rows x 20 labels (truth 0/1; scores ``0.ddd``),
        run in a child through a small wrapper process that reads the command's
        peak resident set with ``os.wait4`` (so it holds none of this process's
        memory); with the default ``--auc auto`` (exact while the kept scores
        fit in ``--memory-limit``) and with ``--auc binned``, alternated. Its
        report is checked against ``labelwise.evaluate()`` of the same arrays.
        If the exact run is not below 1 GB, the same command runs on fewer rows.
THRU    the same two files read by ``pyarrow.csv.read_csv`` in this process (warm
        file cache; one read before each timed round of the command, so that both
        sides share the machine's busy and quiet moments) against the command's
        wall time minus the wall time of a child ``python -c "import labelwise.cli"``,
        both in MB/s (10^6 bytes) of the two files' bytes; also round by round.
        Beside them, for where the command's time goes: the command's readers and
        row pairing alone (``labelwise.pairing.pairs`` over both files, every block
        checked as the command checks it, no metric), in this process.

``--profile`` also prints cProfile of the batches, of evaluate() and of the command
(in a child), and the command's resident set at the end of each engine phase.

Timings are medians of repeated runs, with min, max and CPU time, and the two
sides of every ratio are checked to agree before it is printed
(benchmarks/_common.py describes both).
"""

from __future__ import annotations

import gc
import inspect
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

# Before numpy and scikit-learn: _common records the environment as this process got it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (RESULTS, START_ENV, TOL, VERDICTS, begin, check_close, finish, fmt_mb,
                     fmt_s, parse_args, print_numba_threads, ratio, run_profile, section,
                     source_state, timeit, verdict)

import numpy as np
import pyarrow
import pyarrow.csv as pa_csv

import labelwise
from bench_threshold_metrics import SEED, make_w1

# The source tree of the labelwise this process imports (side A of BASE), and its repository.
SRC = os.path.dirname(os.path.dirname(os.path.abspath(labelwise.__file__)))
REPO = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=SRC, capture_output=True,
                      text=True, check=True).stdout.strip()
BASE_COMMIT = "f227d54"
BATCH = 10_000
ACC_LIMIT = 2.0  # the Accumulator within 2x of one evaluate()
BASE_LIMIT = 1.10  # evaluate() within 10% of the time before the engine
RSS_LIMIT = 10**9  # peak RSS below 1 GB (10^9 bytes)
THRU_LIMIT = 0.5  # CLI MB/s at least half of pyarrow's
CLI_LABELS = [f"l{j:02d}" for j in range(20)]
PROFILE = {"top": 12, "sort": "cumulative"}


def judge(label: str, shown: str, target: str, ok: bool) -> None:
    """Print and record a verdict on a value that is not a ratio of two timings."""
    v = verdict(ok)
    print(f"  {label:<58} {shown:>9}   (target {target}){v}", flush=True)
    VERDICTS.append((label, shown, f"{target}{v}".replace("  -> ", "; ")))


def record(key: str, label: str, values: list, cpu: list | None = None) -> float:
    """Record the median of ``values`` (seconds) measured outside ``timeit``."""
    med = statistics.median(values)
    RESULTS[key] = {"label": label, "median": med, "min": min(values), "max": max(values),
                    "n": len(values), "cpu": None if cpu is None else statistics.median(cpu)}
    cpu_txt = "" if cpu is None else f"; cpu {fmt_s(statistics.median(cpu))}"
    print(f"  {label.split(' ', 1)[1]:<58} median {fmt_s(med):>9}   (min {fmt_s(min(values))}, "
          f"max {fmt_s(max(values))}, n={len(values)}{cpu_txt})", flush=True)
    return med


def same_metrics(what: str, a: dict, b: dict, peer: str) -> tuple[float, int]:
    """Same metric names, NaN in the same places, the rest within ``TOL``."""
    if set(a) != set(b):
        raise AssertionError(f"{what}: metric names differ: only in labelwise "
                             f"{sorted(set(a) - set(b))}, only in {peer} "
                             f"{sorted(set(b) - set(a))}")
    names = sorted(a)
    x = np.array([np.nan if a[k] is None else a[k] for k in names], dtype=np.float64)
    y = np.array([np.nan if b[k] is None else b[k] for k in names], dtype=np.float64)
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        raise AssertionError(f"{what}: NaN in different metrics")
    keep = ~np.isnan(x)
    return check_close(what, x[keep], y[keep], peer=peer), int(keep.sum())


# --------------------------------------------------------------------------
# ACC: the Accumulator in batches against one evaluate()
# --------------------------------------------------------------------------


def bench_acc(n: int, rep: int, profile: bool) -> None:
    section(f"ACC: W1 dense {n:,} x 100 bool, Accumulator in {BATCH:,}-row batches")
    t0 = time.perf_counter()
    y_true, y_pred = make_w1(np.random.default_rng(SEED), n)
    print(f"  data: {y_true.mean() * 100:.2f}% true, {y_pred.mean() * 100:.2f}% predicted "
          f"cells; made in {time.perf_counter() - t0:.1f} s", flush=True)

    def batches_only():
        acc = labelwise.Accumulator()
        for lo in range(0, n, BATCH):
            acc.update(y_true[lo : lo + BATCH], y_pred[lo : lo + BATCH])
        return acc

    def batches():
        return batches_only().report()

    # The untimed first calls give the reports that are checked, before any timing.
    whole, batched = labelwise.evaluate(y_true, y_pred), batches()
    worst, n_checked = same_metrics("ACC metrics", batched.metrics, whole.metrics,
                                    peer="evaluate()")
    for col in whole.per_label.columns:
        worst = max(worst, check_close(f"ACC per-label {col}", batched.per_label[col],
                                       whole.per_label[col], peer="evaluate()"))
    a_json = json.dumps(batched.to_json_data(), sort_keys=True)
    b_json = json.dumps(whole.to_json_data(), sort_keys=True)
    print(f"  check: Accumulator report == evaluate() report on {n_checked} metrics and "
          f"{len(whole.per_label.columns)} per-label columns (max diff {worst:.1e} < {TOL:g}); "
          f"whole JSON reports (counts, params, findings) "
          f"{'identical' if a_json == b_json else 'DIFFERENT'}", flush=True)
    if a_json != b_json:
        raise AssertionError("ACC: the JSON reports of the Accumulator and evaluate() differ")

    timeit("acc_eval", "labelwise.evaluate(y_true, y_pred), whole arrays",
           lambda: labelwise.evaluate(y_true, y_pred), rep, warmup=1)
    timeit("acc_batches", f"Accumulator: {n // BATCH} update()s of {BATCH:,} rows + report()",
           batches, rep, warmup=1)
    acc = timeit("acc_updates", f"  of which the {n // BATCH} update()s alone", batches_only,
                 rep, warmup=1)
    timeit("acc_report", "  of which report() alone", acc.report, rep, warmup=1)
    print_numba_threads()
    ratio("ACC Accumulator in batches / one evaluate()", "acc_batches", "acc_eval",
          f"<= {ACC_LIMIT:g}x", lambda r: r <= ACC_LIMIT)
    ratio("ACC same, process CPU time instead of wall time", "acc_batches", "acc_eval",
          field="cpu")
    per_batch = RESULTS["acc_updates"]["median"] / (n // BATCH)
    print(f"  per update() of {BATCH:,} rows: {fmt_s(per_batch)}", flush=True)
    if profile:
        run_profile(f"ACC {n // BATCH} update()s + report()", batches, **PROFILE)
        run_profile("ACC one evaluate()", lambda: labelwise.evaluate(y_true, y_pred), **PROFILE)


# --------------------------------------------------------------------------
# BASE: evaluate() now and at the last commit before the engine
# --------------------------------------------------------------------------

# A BASE child: makes W1, checks which labelwise it imported, warms up, then serves
# "time" (one timed evaluate()), "report" (the metrics) and "quit" on stdin.
BASE_CHILD = r"""
import gc, json, sys, time
import numpy as np
import labelwise

SEED, N = int(sys.argv[1]), int(sys.argv[2])
""" + inspect.getsource(make_w1) + r"""
y_true, y_pred = make_w1(np.random.default_rng(SEED), N)
labelwise.evaluate(y_true, y_pred)  # warm-up: kernels compiled or loaded from the cache
print(json.dumps({"file": labelwise.__file__}), flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "time":
        gc.collect()
        c0 = time.process_time()
        t0 = time.perf_counter()
        labelwise.evaluate(y_true, y_pred)
        t = time.perf_counter() - t0
        print(json.dumps({"t": t, "cpu": time.process_time() - c0}), flush=True)
    elif cmd == "report":
        rep = labelwise.evaluate(y_true, y_pred)
        print(json.dumps({"metrics": {k: float(v) for k, v in rep.metrics.items()},
                          "per_label": {c: np.asarray(rep.per_label[c], dtype=float).tolist()
                                        for c in rep.per_label.columns}}), flush=True)
    else:
        break
"""


class Child:
    """A BASE child process for the labelwise package under ``src`` (PYTHONPATH)."""

    def __init__(self, src: str, n: int):
        env = dict(START_ENV, PYTHONPATH=src)
        self.proc = subprocess.Popen([sys.executable, "-c", BASE_CHILD, str(SEED), str(n)],
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.tree = src
        self.file = self._read()["file"]
        if not os.path.realpath(self.file).startswith(os.path.realpath(src) + os.sep):
            raise AssertionError(f"the child for {src} imported labelwise from {self.file}")

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError(f"BASE child for {self.tree} ended (exit {self.proc.returncode})")
        return json.loads(line)

    def ask(self, cmd: str) -> dict:
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=60)


def bench_base(n: int, pairs: int) -> None:
    section(f"BASE: evaluate() on W1 ({n:,} x 100) now vs at git {BASE_COMMIT} "
            "(before the engine)")
    head = source_state().split(",")[0].removeprefix("git ")
    base = subprocess.run(["git", "rev-parse", "--short", BASE_COMMIT], cwd=REPO,
                          capture_output=True, text=True, check=True).stdout.strip()
    tmp = tempfile.mkdtemp(prefix="labelwise-base-")
    tree = os.path.join(tmp, BASE_COMMIT)
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", tree, BASE_COMMIT],
                   cwd=REPO, check=True)
    children = []
    try:
        t0 = time.perf_counter()
        now = Child(SRC, n)
        children.append(now)
        old = Child(os.path.join(tree, "src"), n)
        children.append(old)
        print(f"  A = the labelwise this script imports ({source_state()}, "
              f"{os.path.relpath(now.file, SRC)} under {SRC}); B = git {base} in a temporary "
              f"worktree ({os.path.relpath(old.file, tree)}); "
              f"children ready in {time.perf_counter() - t0:.1f} s "
              "(W1 made, one warm-up call each)", flush=True)
        a, b = now.ask("report"), old.ask("report")
        worst, n_checked = same_metrics("BASE metrics", a["metrics"], b["metrics"],
                                        peer=f"git {base}")
        if set(a["per_label"]) != set(b["per_label"]):
            raise AssertionError("BASE: the per-label columns differ")
        for col in a["per_label"]:
            worst = max(worst, check_close(f"BASE per-label {col}", a["per_label"][col],
                                           b["per_label"][col], peer=f"git {base}"))
        print(f"  check: evaluate() now == at git {base} on {n_checked} metrics and "
              f"{len(a['per_label'])} per-label columns (max diff {worst:.1e} < {TOL:g})",
              flush=True)
        runs = {"now": [], "old": []}
        for _ in range(pairs):  # A B A B ...
            runs["now"].append(now.ask("time"))
            runs["old"].append(old.ask("time"))
    finally:
        for c in children:
            c.close()
        subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=REPO, check=False)
        subprocess.run(["git", "worktree", "prune"], cwd=REPO, check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"  worktree removed: {not os.path.exists(tree)}", flush=True)
    record("base_now", f"BASE evaluate() now (git {head}), child A",
           [r["t"] for r in runs["now"]], [r["cpu"] for r in runs["now"]])
    record("base_old", f"BASE evaluate() at git {base}, child B",
           [r["t"] for r in runs["old"]], [r["cpu"] for r in runs["old"]])
    ratio("BASE evaluate() now / before the engine", "base_now", "base_old",
          f"<= {BASE_LIMIT:.2f}x", lambda r: r <= BASE_LIMIT)
    ratio("BASE same, process CPU time instead of wall time", "base_now", "base_old",
          field="cpu")
    pair = statistics.median(x["t"] / y["t"] for x, y in zip(runs["now"], runs["old"]))
    print(f"  median of the {pairs} per-pair ratios (A_i / B_i): {pair:.2f}x; fastest A / "
          f"fastest B: {RESULTS['base_now']['min'] / RESULTS['base_old']['min']:.2f}x", flush=True)


# --------------------------------------------------------------------------
# CLI and THRU: the command line on a big pair of score files, and pyarrow
# --------------------------------------------------------------------------


def csv_header() -> bytes:
    return (",".join(CLI_LABELS) + "\n").encode()


def write_indicator_csv(path: str, values: np.ndarray, chunk: int = 500_000) -> None:
    """A 0/1 matrix as CSV text ``d,d,...``, built as bytes with numpy."""
    width = values.shape[1]
    with open(path, "wb") as f:
        f.write(csv_header())
        for lo in range(0, values.shape[0], chunk):
            part = values[lo : lo + chunk]
            buf = np.empty((part.shape[0], 2 * width), dtype=np.uint8)
            buf[:, 0::2] = part + ord("0")
            buf[:, 1::2] = ord(",")
            buf[:, -1] = ord("\n")
            f.write(buf.tobytes())


def write_score_csv(path: str, milli: np.ndarray, chunk: int = 250_000) -> None:
    """Scores in thousandths (0..999) as CSV text ``0.ddd``, built as bytes with numpy."""
    width = milli.shape[1]
    with open(path, "wb") as f:
        f.write(csv_header())
        for lo in range(0, milli.shape[0], chunk):
            part = milli[lo : lo + chunk]
            buf = np.empty((part.shape[0], width, 6), dtype=np.uint8)
            buf[:, :, 0] = ord("0")
            buf[:, :, 1] = ord(".")
            buf[:, :, 2] = part // 100 + ord("0")
            buf[:, :, 3] = part // 10 % 10 + ord("0")
            buf[:, :, 4] = part % 10 + ord("0")
            buf[:, :, 5] = ord(",")
            buf[:, -1, 5] = ord("\n")
            f.write(buf.tobytes())


def make_scored(n: int):
    """uint8 truth (prevalence 0.02..0.4) and scores in thousandths, higher for positives."""
    rng = np.random.default_rng(SEED + 1)
    shape = (n, len(CLI_LABELS))
    rates = np.linspace(0.02, 0.4, len(CLI_LABELS), dtype=np.float32)
    y_true = (rng.random(shape, dtype=np.float32) < rates).astype(np.uint8)
    noise = rng.integers(0, 700, shape, dtype=np.int16)
    milli = np.minimum(noise + 300 * y_true.astype(np.int16), 999)
    return y_true, milli


# Started straight from this process, a child's peak RSS would include this
# process's: Linux keeps the high-water mark of the memory a process had before exec.
# So a small Python process starts the command and reports its peak, wall and CPU time.
MEASURE = r"""
import json, os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - t0
with open(sys.argv[1], "w") as f:
    json.dump({"wall": wall, "maxrss": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime,
               "code": os.waitstatus_to_exitcode(status)}, f)
"""


def run_measured(args: list, out_path: str) -> dict:
    """Run ``args`` under MEASURE: wall and CPU time, peak RSS in bytes, exit code, stderr."""
    stats = out_path + ".stats"
    with open(out_path, "wb") as out:
        proc = subprocess.run([sys.executable, "-c", MEASURE, stats, *args], stdout=out,
                              stderr=subprocess.PIPE, env=START_ENV, timeout=1800)
    with open(stats) as f:
        got = json.load(f)
    got["rss"] = got["maxrss"] * (1 if sys.platform == "darwin" else 1024)  # macOS: bytes
    got["stderr"] = proc.stderr.decode()
    if got["code"] != 0:
        raise RuntimeError(f"{' '.join(args)} exited {got['code']}:\n{got['stderr']}")
    return got


def cli_args(true: str, scores: str, mode: str | None) -> list:
    args = [sys.executable, "-m", "labelwise", "evaluate", "--true", true, "--scores", scores,
            "--format", "json"]
    return args + ([] if mode is None else ["--auc", mode])


def fmt_rss(nbytes: float) -> str:
    return f"{nbytes / 2**20:.0f} MiB"


def check_cli(doc: dict, reference, n: int, exact: bool) -> tuple[float, int]:
    """The command's JSON report against evaluate() of the same arrays."""
    if doc["n_samples"] != n or doc["labels"] != CLI_LABELS:
        raise AssertionError(f"CLI: {doc['n_samples']} rows and labels {doc['labels'][:3]}...; "
                             f"expected {n} rows")
    m = doc["metrics"]
    if exact:
        return same_metrics("CLI metrics", m, reference.metrics, peer="evaluate()")
    # binned ROC-AUC and AP: within their stated bounds; every other metric equal
    other = {k: v for k, v in m.items() if not k.startswith(("roc_auc", "average_precision"))}
    worst, n_checked = same_metrics("CLI binned, other metrics", other,
                                    {k: reference.metrics[k] for k in other}, peer="evaluate()")
    for k in set(m) - set(other):
        bound = doc["params"]["auc_error_bound" if k.startswith("roc_auc") else "ap_error_bound"]
        if not abs(m[k] - reference.metrics[k]) <= bound + TOL:
            raise AssertionError(f"CLI binned {k}: {m[k]} vs exact {reference.metrics[k]}, "
                                 f"beyond the stated bound {bound}")
    return worst, n_checked


def bench_cli(n: int, rep: int, rep_read: int, full: bool, profile: bool) -> None:
    section(f"CLI: labelwise evaluate --scores, CSV {n:,} x {len(CLI_LABELS)}, in a child")
    folder = tempfile.mkdtemp(prefix="labelwise-cli-")
    try:
        _bench_cli(folder, n, rep, rep_read, full, profile)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _bench_cli(folder: str, n: int, rep: int, rep_read: int, full: bool, profile: bool) -> None:
    t0 = time.perf_counter()
    y_true, milli = make_scored(n)
    true, scores = os.path.join(folder, "truth.csv"), os.path.join(folder, "scores.csv")
    write_indicator_csv(true, y_true)
    write_score_csv(scores, milli)
    sizes = os.path.getsize(true), os.path.getsize(scores)
    total_bytes = sum(sizes)
    print(f"  data: {y_true.mean() * 100:.2f}% true cells, scores 0.000-0.999 (3 decimals); "
          f"files truth {fmt_mb(sizes[0])}, scores {fmt_mb(sizes[1])} "
          f"({total_bytes / 1e6:.1f} MB together); written in {time.perf_counter() - t0:.1f} s",
          flush=True)

    # The reference: evaluate() of the same arrays ("0.ddd" reads as the float64 milli/1000).
    t0 = time.perf_counter()
    s = milli / 1000.0
    reference = labelwise.evaluate(y_true, y_score=s, labels=CLI_LABELS)
    print(f"  reference: labelwise.evaluate(y_true, y_score=float64 scores) in this process, "
          f"{time.perf_counter() - t0:.1f} s", flush=True)

    # pyarrow side: warm the file cache, check what it read, then time it.
    def pyarrow_read():
        return pa_csv.read_csv(true), pa_csv.read_csv(scores)

    t_tab, s_tab = pyarrow_read()
    got_t = np.column_stack([c.to_numpy() for c in t_tab.columns])
    got_s = np.column_stack([c.to_numpy() for c in s_tab.columns])
    if t_tab.column_names != CLI_LABELS or s_tab.column_names != CLI_LABELS:
        raise AssertionError("pyarrow read other column names")
    worst = max(check_close("pyarrow truth", got_t, y_true, peer="the generated arrays"),
                check_close("pyarrow scores", got_s, s, peer="the generated arrays"))
    print(f"  check: pyarrow read both files back as the generated arrays ({t_tab.num_rows:,} "
          f"rows; max diff {worst:.1e} < {TOL:g})", flush=True)
    del t_tab, s_tab, got_t, got_s, s

    # The command: exact (default --auc auto) and binned, alternated, each timed round
    # followed by one pyarrow read of the same files (so both sides share the machine's
    # moments); and the import.
    out = os.path.join(folder, "report.json")
    runs = {"auto": [], "binned": []}
    peer: dict = {"wall": [], "cpu": []}
    for i in range(rep + 1):  # the first round warms the file cache and the numba cache
        if i > 0:
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            pyarrow_read()
            peer["wall"].append(time.perf_counter() - t0)
            peer["cpu"].append(time.process_time() - c0)
        for mode in runs:
            got = run_measured(cli_args(true, scores, None if mode == "auto" else mode), out)
            with open(out) as f:
                got["doc"] = json.load(f)
            if i == 0:
                worst, n_checked = check_cli(got["doc"], reference, n, mode == "auto")
                auc = got["doc"]["params"]["auc"]
                print(f"  check ({'default --auc auto' if mode == 'auto' else '--auc binned'}): "
                      f"params.auc = {auc!r}; report == evaluate() of the same arrays on "
                      f"{n_checked} metrics (max diff {worst:.1e} < {TOL:g})"
                      + ("" if mode == "auto" else
                         f", binned ROC-AUC/AP within their bounds (auc "
                         f"{got['doc']['params']['auc_error_bound']:.1e}, ap "
                         f"{got['doc']['params']['ap_error_bound']:.1e})"), flush=True)
                continue
            runs[mode].append(got)
    imports = []
    for _ in range(max(rep, 5)):
        imports.append(run_measured([sys.executable, "-c", "import labelwise.cli"], out))
    probe = ("import sys, labelwise.cli; "
             "print('pyarrow' in sys.modules, 'numba' in sys.modules, labelwise.__file__)")
    has_pa = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=START_ENV, check=True)
    pa_loaded, nb_loaded, lw_file = has_pa.stdout.split()
    if not os.path.realpath(lw_file).startswith(os.path.realpath(SRC) + os.sep):
        raise AssertionError(f"the command's child imports labelwise from {lw_file}, not {SRC}")

    for mode, label in (("auto", "labelwise evaluate --scores (default --auc auto)"),
                        ("binned", "labelwise evaluate --scores --auc binned")):
        record(f"cli_{mode}", f"CLI {label}", [r["wall"] for r in runs[mode]],
               [r["cpu"] for r in runs[mode]])
    record("cli_import", 'CLI python -c "import labelwise.cli" (subtracted)',
           [r["wall"] for r in imports], [r["cpu"] for r in imports])
    print(f"  (the import child starts the interpreter and imports labelwise.cli: pyarrow "
          f"loaded {pa_loaded}, numba loaded {nb_loaded})", flush=True)
    for mode in runs:
        peaks = [r["rss"] for r in runs[mode]]
        auc = {r["doc"]["params"]["auc"] for r in runs[mode]}
        print(f"  {'--auc ' + ('auto' if mode == 'auto' else 'binned') + ': peak RSS':<58} "
              f"median {fmt_rss(statistics.median(peaks)):>9}   (min {fmt_rss(min(peaks))}, "
              f"max {fmt_rss(max(peaks))}); params.auc {', '.join(sorted(auc))}", flush=True)
    print(f"  {'import labelwise.cli alone: peak RSS':<58} median "
          f"{fmt_rss(statistics.median(r['rss'] for r in imports)):>9}", flush=True)

    peak_exact = statistics.median(r["rss"] for r in runs["auto"])
    exact = all(r["doc"]["params"]["auc"] == "exact" for r in runs["auto"])
    judge(f"CLI {n:,} x 20 default: params.auc == 'exact'", "yes" if exact else "NO",
          "exact AUC", exact)
    judge(f"CLI {n:,} x 20 default (exact): peak RSS", fmt_rss(peak_exact),
          f"< 1 GB = {RSS_LIMIT / 2**20:.0f} MiB", peak_exact < RSS_LIMIT)
    peak_binned = statistics.median(r["rss"] for r in runs["binned"])
    judge(f"CLI {n:,} x 20 --auc binned: peak RSS", fmt_rss(peak_binned),
          f"< 1 GB = {RSS_LIMIT / 2**20:.0f} MiB", peak_binned < RSS_LIMIT)

    section(f"THRU: MB/s on the same two files ({total_bytes / 1e6:.1f} MB), "
            "pyarrow in this process vs the CLI child")
    print(f"  pyarrow {pyarrow.__version__}, use_threads=True ({pyarrow.cpu_count()} CPU "
          "threads), default ReadOptions; file cache warm", flush=True)
    record("thru_pyarrow", "THRU pyarrow.csv.read_csv(truth); read_csv(scores)", peer["wall"],
           peer["cpu"])
    imp = RESULTS["cli_import"]["median"]
    for mode in runs:
        net = [r["wall"] - imp for r in runs[mode]]
        net_cpu = RESULTS[f"cli_{mode}"]["cpu"] - RESULTS["cli_import"]["cpu"]
        RESULTS[f"thru_{mode}"] = {"label": f"THRU CLI --auc {mode} wall minus import",
                                   "median": statistics.median(net), "min": min(net),
                                   "max": max(net), "n": len(net), "cpu": net_cpu}
    mbs = {k: total_bytes / 1e6 / RESULTS[k]["median"]
           for k in ("thru_pyarrow", "thru_auto", "thru_binned")}
    print(f"  {'pyarrow read_csv of both files':<58} {mbs['thru_pyarrow']:>6.1f} MB/s", flush=True)
    for mode in runs:
        wall, net = RESULTS[f"cli_{mode}"]["median"], RESULTS[f"thru_{mode}"]["median"]
        what = f"CLI --auc {mode}: wall {fmt_s(wall)} - import {fmt_s(imp)} = {fmt_s(net)}"
        print(f"  {what:<58} {mbs['thru_' + mode]:>6.1f} MB/s", flush=True)
    ratio("THRU CLI (default) MB/s / pyarrow read_csv MB/s", "thru_pyarrow", "thru_auto",
          f">= {THRU_LIMIT:g}x", lambda r: r >= THRU_LIMIT)
    rounds = [p / (r["wall"] - imp) for p, r in zip(peer["wall"], runs["auto"])]
    shown = ", ".join(f"{x:.2f}x" for x in rounds)
    print(f"    the same, round by round (a pyarrow read, then the command): {shown}; median "
          f"{statistics.median(rounds):.2f}x", flush=True)
    ratio("THRU same, process CPU time instead of wall time", "thru_pyarrow", "thru_auto",
          field="cpu")
    ratio("THRU CLI --auc binned MB/s / pyarrow read_csv MB/s", "thru_pyarrow", "thru_binned")
    timeit("thru_readers", "labelwise readers + pairing alone (both files, no metric)",
           lambda: read_and_pair(true, scores), rep, warmup=1)
    print(f"  {'labelwise readers + pairing alone':<58} "
          f"{total_bytes / 1e6 / RESULTS['thru_readers']['median']:>6.1f} MB/s", flush=True)
    ratio("THRU readers + pairing alone MB/s / pyarrow read_csv MB/s", "thru_pyarrow",
          "thru_readers")

    if full and (not exact or peak_exact >= RSS_LIMIT):
        largest_below(folder, y_true, milli, n)
    if profile:
        profile_cli(folder, true, scores)
        memory_phases(folder, true, scores)


def read_and_pair(true: str, scores: str) -> int:
    """Both files through the command's readers and row pairing, every block checked as
    ``labelwise evaluate`` checks it, and nothing computed; the number of rows."""
    from labelwise.io import Source
    from labelwise.pairing import pairs, vocabulary

    truth, other = Source(true), Source(scores, role="scores")
    vocab = vocabulary(truth, None, other)
    other.expected = frozenset(vocab)
    it, matching = pairs(truth, other, vocab, "scores")
    for _ in it:
        pass
    return matching.matched


def largest_below(folder: str, y_true: np.ndarray, milli: np.ndarray, n: int) -> None:
    """The default (exact) command at fewer rows: the largest tried that stays below 1 GB.

    Each size runs once; the first below 1 GB runs twice more and counts only if all
    three runs stay below (the peak varies by a few tens of MiB from run to run).
    """
    print(f"\n  the default run at {n:,} rows was not exact below 1 GB; the same command on "
          "the first rows of the same data:", flush=True)
    out = os.path.join(folder, "report_small.json")
    t, s = os.path.join(folder, "t_small.csv"), os.path.join(folder, "s_small.csv")
    best = None
    for rows in (1_500_000, 1_250_000, 1_000_000, 750_000, 500_000):
        if rows >= n:
            continue
        write_indicator_csv(t, y_true[:rows])
        write_score_csv(s, milli[:rows])
        peaks, walls, modes = [], [], set()
        while len(peaks) < 3:
            got = run_measured(cli_args(t, s, None), out)
            with open(out) as f:
                modes.add(json.load(f)["params"]["auc"])
            peaks.append(got["rss"])
            walls.append(got["wall"])
            if max(peaks) >= RSS_LIMIT or modes != {"exact"}:
                break
        ok = max(peaks) < RSS_LIMIT and modes == {"exact"}
        print(f"    {rows:>9,} rows: peak RSS {', '.join(fmt_rss(p) for p in peaks)}; wall "
              f"{', '.join(fmt_s(w) for w in walls)}; params.auc {', '.join(sorted(modes))}"
              + ("" if ok else "  (not below 1 GB)"), flush=True)
        if ok:
            best = rows
            break
    if best is not None:
        print(f"  largest row count tried that stays below 1 GB with exact AUC: {best:,} "
              f"x {len(CLI_LABELS)}", flush=True)
        VERDICTS.append(("CLI largest rows tried, exact below 1 GB", f"{best:,}", ""))


def profile_cli(folder: str, true: str, scores: str) -> None:
    """cProfile of the default command in a child (its own file, read here)."""
    import pstats

    prof = os.path.join(folder, "cli.prof")
    subprocess.run([sys.executable, "-m", "cProfile", "-o", prof, "-m", "labelwise", "evaluate",
                    "--true", true, "--scores", scores, "--format", "json", "--output",
                    os.path.join(folder, "prof.json")], env=START_ENV, check=True)
    print("\n  -- cProfile: CLI default --auc auto, in a child (labelwise functions, top 20 "
          "by cumulative time)")
    pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(
        re.escape(os.sep + "labelwise" + os.sep), 20)
    print("\n  -- cProfile: the same (every function, top 20 by own time)")
    pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(20)


# A child that runs the default command in its own process and marks its resident set
# (VmRSS) and its peak since the previous mark (VmHWM, reset after each mark through
# /proc/self/clear_refs) at the ends of the engine's phases; prints the marks as JSON.
PHASES_CHILD = r"""
import functools, json, sys, time
T0 = time.perf_counter()
MARKS = []

def mark(label):
    with open("/proc/self/status") as f:
        mem = {l.split(":")[0]: int(l.split()[1]) * 1024 for l in f
               if l.startswith(("VmRSS", "VmHWM"))}
    MARKS.append((label, time.perf_counter() - T0, mem["VmRSS"], mem["VmHWM"]))
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")

import labelwise.cli
import labelwise.engine as E
import labelwise.ranking as R
mark("import labelwise.cli (after the interpreter started)")

def wrap(owner, name, before, after):
    f = getattr(owner, name, None)
    if f is None:  # not in this version of the engine
        return

    @functools.wraps(f)
    def g(*a, **k):
        if before:
            mark(before)
        out = f(*a, **k)
        if after:
            mark(after(*a) if callable(after) else after)
        return out
    setattr(owner, name, g)

# Marks that apply to the engine before and after the exact scores were kept in one
# array (only the functions a run calls make marks).
wrap(E.Accumulator, "report", "read both files, update() block by block",
     "report(): ranking sums, formulas, findings")
wrap(E.Accumulator, "_summary", "report(): start", None)
wrap(E, "_joined", None, "join the kept scores into one array")
wrap(E, "auc_ap", "report(): the scores to rank", "exact ROC-AUC/AP: auc_ap() (after marks above)")
wrap(R, "_auc_ap", None, lambda y, s, *rest: f"exact ROC-AUC/AP over {s.size:,} scores")
try:
    labelwise.cli.main(sys.argv[1:])
except SystemExit:
    pass
mark("render and write the JSON report")
print(json.dumps(MARKS))
"""


def memory_phases(folder: str, true: str, scores: str) -> None:
    """Where the default command's time and peak memory go, phase by phase."""
    args = ["evaluate", "--true", true, "--scores", scores, "--format", "json", "--output",
            os.path.join(folder, "phases.json")]
    proc = subprocess.run([sys.executable, "-c", PHASES_CHILD, *args], env=START_ENV,
                          capture_output=True, text=True, check=True)
    marks = json.loads(proc.stdout.strip().splitlines()[-1])
    rows, prev_t = [], 0.0
    for label, t, rss, hwm in marks:  # runs of the same label (one per label column) join
        if rows and rows[-1][0] == label:
            rows[-1] = [label, rows[-1][1] + 1, rows[-1][2] + t - prev_t, rss,
                        max(rows[-1][4], hwm)]
        else:
            rows.append([label, 1, t - prev_t, rss, hwm])
        prev_t = t
    print("\n  -- memory: the default command phase by phase, in a child (RSS at the end of "
          "the phase, peak RSS within it)")
    for label, count, dt, rss, hwm in rows:
        what = label if count == 1 else f"{count} x {label}"
        print(f"  {what:<58} {fmt_s(dt):>9}   RSS {fmt_rss(rss):>9}   peak {fmt_rss(hwm):>9}",
              flush=True)


def main(argv=None) -> int:
    args = parse_args(__doc__.split("\n\n")[0],
                      "10x fewer rows and fewer repeats: a smoke run",
                      "also print cProfile of the Accumulator, evaluate() and the CLI", argv)
    scale = 10 if args.quick else 1
    rep, pairs, rep_cli = (3, 5, 1) if args.quick else (7, 41, 5)

    start = begin("labelwise engine benchmark")
    bench_acc(1_000_000 // scale, rep, args.profile)
    bench_base(1_000_000 // scale, pairs)
    bench_cli(2_000_000 // scale, rep_cli, rep, not args.quick, args.profile)
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
