"""Start-up: ``import labelwise``, the command line's latency, and the first call after install.

Run from the repository root::

    .venv/bin/python benchmarks/bench_startup.py            # full run
    .venv/bin/python benchmarks/bench_startup.py --quick    # fewer processes
    .venv/bin/python benchmarks/bench_startup.py --profile  # also cProfile one CLI run

Every number is a median over fresh processes (11 a case, 5 with ``--quick``; the
first-call cases 5 and 2). Children get the environment this process started with,
plus a private bytecode folder (``PYTHONPYCACHEPREFIX``, written by a first
untimed run) so that modules load from bytecode as after ``pip install``; the
import is also timed without bytecode (every module compiled from source), as
with ``PYTHONDONTWRITEBYTECODE`` set.

* ``import labelwise``: ``python -X importtime`` (the cumulative time of
  ``labelwise``) and the wall time of ``python -c "import labelwise"``, beside
  ``python -c pass`` and ``python -c "import numpy"``.
* The command line, warm (the kernels in a numba cache filled beforehand), on
  5,000 x 28 CSV files of 0/1 truth, 0/1 predictions and 4-decimal scores:
  ``labelwise evaluate --true --pred``, the same with ``--format json``, and with
  ``--scores``; beside the floors ``python -c "import numpy, pandas"`` and
  ``python -c "import numpy"``. Also ``labelwise --help``, ``labelwise evaluate
  --help`` and a usage error.
* The first call after install: each run in a fresh process with an empty
  ``NUMBA_CACHE_DIR``: the command line with ``--pred`` and with ``--scores``, and
  ``import labelwise; labelwise.evaluate(...)`` on the same arrays. Whether the
  command line printed its compile notice is shown: it must on a cache miss (any
  ``.nbi`` index written), and must not on a warm run.
* Which kernels a first report with scores compiles, and how long each takes
  (numba's ``numba:compile`` events, outermost only, in one fresh process).

Targets (issue 16): ``import labelwise`` under 0.25 s; the command line warm on
5,000 rows at most 0.6 s end to end (hard labels); the first report after install
(empty kernel cache) at most 2 s for hard labels and 3 s with scores.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (RESULTS, START_ENV, VERDICTS, begin, finish, fmt_s,  # noqa: E402
                     parse_args, run_profile, section, verdict)

import numpy as np  # noqa: E402

PY = sys.executable
CLI = str(Path(sys.executable).with_name("labelwise"))
NOTICE = "compiling fast kernels, once"
N_ROWS, N_LABELS = 5000, 28


# Times each outermost numba compilation of a child (a kernel's callees compile inside it).
KERNEL_TIMES = """
import time
from numba.core import event
_times, _depth = [], [0]
class _Timer(event.Listener):
    def on_start(self, ev):
        _depth[0] += 1
        if _depth[0] == 1:
            f = ev.data["dispatcher"].py_func
            _times.append([f"{f.__module__}.{f.__qualname__}", time.perf_counter()])
    def on_end(self, ev):
        _depth[0] -= 1
        if _depth[0] == 0:
            _times[-1][1] = time.perf_counter() - _times[-1][1]
event.register("numba:compile", _Timer())
def report():
    for name, sec in _times:
        print(f"  {'compiled ' + name:<58} {sec:9.2f} s")
    print(f"  {'total of the compilations':<58} {sum(s for _, s in _times):9.2f} s")
"""


def make_files(folder: Path) -> None:
    """5,000 x 28 CSV files: 0/1 truth and predictions, scores with 4 decimals."""
    rng = np.random.default_rng(16)
    header = ",".join(f"l{j}" for j in range(N_LABELS))
    prevalence = np.geomspace(0.4, 0.02, N_LABELS)
    t = (rng.random((N_ROWS, N_LABELS)) < prevalence).astype(int)
    s = np.clip(0.6 * t + 0.5 * rng.random((N_ROWS, N_LABELS)) - 0.05, 0, 1).round(4)
    p = (s > 0.5).astype(int)
    for name, m, fmt in (("true.csv", t, "%d"), ("pred.csv", p, "%d"), ("scores.csv", s, "%.4f")):
        np.savetxt(folder / name, m, fmt=fmt, delimiter=",", header=header, comments="")


def child_env(**extra) -> dict:
    env = dict(START_ENV)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def run(cmd, env, cwd) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - t0, proc


def median_runs(key: str, label: str, cmd, env, cwd, n: int, ok_codes=(0,)) -> list:
    times, procs = [], []
    for _ in range(n):
        dt, proc = run(cmd, env, cwd)
        if proc.returncode not in ok_codes:
            raise RuntimeError(f"{label}: exit {proc.returncode}\n{proc.stderr}")
        times.append(dt)
        procs.append(proc)
    med = statistics.median(times)
    RESULTS[key] = {"label": label, "median": med, "min": min(times), "max": max(times), "n": n}
    print(f"  {label:<58} median {fmt_s(med):>9}   (min {fmt_s(min(times))}, max "
          f"{fmt_s(max(times))}, n={n})", flush=True)
    return procs


def importtime_runs(label: str, env, cwd, n: int) -> float:
    values = []
    for _ in range(n):
        _, proc = run([PY, "-X", "importtime", "-c", "import labelwise"], env, cwd)
        last = [m for m in re.finditer(r"\|\s+(\d+) \| labelwise\n", proc.stderr)]
        if not last:
            raise RuntimeError(f"no importtime line for labelwise:\n{proc.stderr[-2000:]}")
        values.append(int(last[-1].group(1)) / 1e6)
    med = statistics.median(values)
    RESULTS[f"importtime_{label}"] = {"label": f"import labelwise, -X importtime, {label}",
                                      "median": med, "min": min(values), "max": max(values),
                                      "n": n}
    print(f"  {'-X importtime: labelwise cumulative, ' + label:<58} median {fmt_s(med):>9}   "
          f"(min {fmt_s(min(values))}, max {fmt_s(max(values))}, n={n})", flush=True)
    return med


def judge(label: str, value: float, limit: float, target: str) -> None:
    v = verdict(value <= limit)
    print(f"  {label:<58} {fmt_s(value):>9}   (target {target}){v}", flush=True)
    VERDICTS.append((label, fmt_s(value), f"target {target}{v}".replace("  -> ", "; ")))


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv=None) -> int:
    args = parse_args(__doc__.splitlines()[0], "5 processes a case (2 for the first calls)",
                      "also cProfile one command-line run with --pred", argv)
    n = 5 if args.quick else 11
    n_cold = 2 if args.quick else 5
    start = begin("Start-up: import, first call, command-line latency")
    with tempfile.TemporaryDirectory(prefix="labelwise-startup-") as tmp:
        tmp = Path(tmp)
        make_files(tmp)
        warm_cache = tmp / "numba-warm"
        env = child_env(PYTHONPYCACHEPREFIX=str(tmp / "pyc"), NUMBA_CACHE_DIR=str(warm_cache))
        env_source = dict(env, PYTHONDONTWRITEBYTECODE="1")
        env_source.pop("PYTHONPYCACHEPREFIX")
        hard = [CLI, "evaluate", "--true", "true.csv", "--pred", "pred.csv"]
        scores = [CLI, "evaluate", "--true", "true.csv", "--scores", "scores.csv"]
        for cmd in (hard, scores, hard + ["--format", "json"]):  # bytecode, warm kernels
            _, proc = run(cmd, env, tmp)
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr)

        section(f"import labelwise (load {loadavg()})")
        median_runs("py_pass", "python -c pass", [PY, "-c", "pass"], env, tmp, n)
        median_runs("py_numpy", 'python -c "import numpy"', [PY, "-c", "import numpy"], env,
                    tmp, n)
        median_runs("py_labelwise", 'python -c "import labelwise" (wall)',
                    [PY, "-c", "import labelwise"], env, tmp, n)
        imp = importtime_runs("from bytecode", env, tmp, n)
        importtime_runs("from source (no bytecode)", env_source, tmp, n)
        _, proc = run([PY, "-c", "import sys, labelwise; print(' '.join(sorted(m for m in ("
                       "'numba', 'scipy', 'pandas', 'pyarrow', 'rich') if m in sys.modules)) "
                       "or 'none')"], env, tmp)
        print(f"  {'heavy modules imported by import labelwise':<58} {proc.stdout.strip()}")

        section(f"Command line, warm kernel cache, {N_ROWS:,} x {N_LABELS} CSV (load {loadavg()})")
        median_runs("floor_pandas", 'floor: python -c "import numpy, pandas"',
                    [PY, "-c", "import numpy, pandas"], env, tmp, n)
        median_runs("cli_pred", "labelwise evaluate --pred", hard, env, tmp, n)
        median_runs("cli_json", "labelwise evaluate --pred --format json",
                    hard + ["--format", "json"], env, tmp, n)
        procs = median_runs("cli_scores", "labelwise evaluate --scores", scores, env, tmp, n)
        shown = sum(NOTICE in p.stderr for p in procs)
        print(f"  {'compile notice on these warm runs':<58} {shown} of {n}"
              + ("" if shown == 0 else "  (WRONG: nothing was compiled)"))
        median_runs("cli_help", "labelwise --help", [CLI, "--help"], env, tmp, n)
        median_runs("cli_ev_help", "labelwise evaluate --help", [CLI, "evaluate", "--help"],
                    env, tmp, n)
        median_runs("cli_usage", "labelwise evaluate (usage error, exit 2)",
                    [CLI, "evaluate"], env, tmp, n, ok_codes=(2,))
        for key in ("cli_pred", "cli_json", "cli_scores"):
            r = RESULTS[key]["median"]
            print(f"  {RESULTS[key]['label'] + ' / numpy+pandas floor':<58} "
                  f"{r / RESULTS['floor_pandas']['median']:>8.2f}x   "
                  f"({r / RESULTS['py_numpy']['median']:.2f}x python -c \"import numpy\")")

        section(f"First call after install: fresh process, empty numba cache (load {loadavg()})")
        api = ("import numpy as np, labelwise\n"
               "t = np.loadtxt('true.csv', delimiter=',', skiprows=1)\n"
               "x = np.loadtxt('{f}', delimiter=',', skiprows=1)\n"
               "labelwise.evaluate(t, {arg}=x)\n")
        cases = [
            ("cold_pred", "labelwise evaluate --pred, empty cache", hard, True),
            ("cold_scores", "labelwise evaluate --scores, empty cache", scores, True),
            ("cold_api_pred", "evaluate(y_true, y_pred) in a fresh process, empty cache",
             [PY, "-c", api.format(f="pred.csv", arg="y_pred")], False),
            ("cold_api_scores", "evaluate(y_true, y_score=) in a fresh process, empty cache",
             [PY, "-c", api.format(f="scores.csv", arg="y_score")], False),
        ]
        for key, label, cmd, is_cli in cases:
            times, notices = [], []
            for i in range(n_cold):
                cold = tmp / f"numba-{key}-{i}"
                cold.mkdir()
                dt, proc = run(cmd, dict(env, NUMBA_CACHE_DIR=str(cold)), tmp)
                if proc.returncode != 0:
                    raise RuntimeError(f"{label}: exit {proc.returncode}\n{proc.stderr}")
                compiled = any(cold.rglob("*.nbi"))
                times.append(dt)
                notices.append((compiled, NOTICE in proc.stderr))
            med = statistics.median(times)
            RESULTS[key] = {"label": label, "median": med, "min": min(times),
                            "max": max(times), "n": n_cold}
            said = ""
            if is_cli:
                kinds = sorted({("compiled" if c else "nothing compiled")
                                + (", notice shown" if s else ", no notice")
                                for c, s in notices})
                said = "; " + " / ".join(kinds)
                if any(c != s for c, s in notices):
                    said += " (WRONG: the notice must come with a compilation only)"
            print(f"  {label:<58} median {fmt_s(med):>9}   (min {fmt_s(min(times))}, max "
                  f"{fmt_s(max(times))}, n={n_cold}{said})", flush=True)
        section(f"Which kernels a first report with scores compiles (one fresh process, load "
                f"{loadavg()})")
        cold = tmp / "numba-kernels"
        cold.mkdir()
        _, proc = run([PY, "-c", KERNEL_TIMES + api.format(f="scores.csv", arg="y_score")
                       + "report()\n"], dict(env, NUMBA_CACHE_DIR=str(cold)), tmp)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr)
        print(proc.stdout.rstrip(), flush=True)
        if args.profile:
            import cProfile  # noqa: F401

            os.chdir(tmp)
            from labelwise.cli import main as cli_main

            def one():
                try:
                    cli_main(hard[1:], standalone_mode=False)
                except SystemExit:
                    pass

            run_profile("labelwise evaluate --pred (in process)", one)

        section("Verdicts")
        judge("import labelwise (-X importtime, bytecode)", imp, 0.25, "under 0.25 s")
        judge("labelwise evaluate --pred, warm", RESULTS["cli_pred"]["median"], 0.6,
              "at most 0.6 s")
        judge("labelwise evaluate --pred --format json, warm", RESULTS["cli_json"]["median"],
              0.6, "at most 0.6 s")
        print(f"  {'labelwise evaluate --scores, warm (no target)':<58} "
              f"{fmt_s(RESULTS['cli_scores']['median']):>9}")
        VERDICTS.append(("labelwise evaluate --scores, warm", 
                         fmt_s(RESULTS["cli_scores"]["median"]), "no target"))
        judge("first report, hard labels (command line, empty cache)",
              RESULTS["cold_pred"]["median"], 2.0, "at most 2 s")
        judge("first report, scores (command line, empty cache)",
              RESULTS["cold_scores"]["median"], 3.0, "at most 3 s")
        judge("first evaluate(), hard labels (empty cache)", RESULTS["cold_api_pred"]["median"],
              2.0, "at most 2 s")
        judge("first evaluate(), scores (empty cache)", RESULTS["cold_api_scores"]["median"],
              3.0, "at most 3 s")
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
