"""Time the command line's reader on wide files against pandas + scikit-learn.

Run from the repository root::

    .venv/bin/python benchmarks/bench_wide_files.py            # full run
    .venv/bin/python benchmarks/bench_wide_files.py --quick    # 10x fewer columns
    .venv/bin/python benchmarks/bench_wide_files.py --profile  # also cProfile the widest reads

The labelwise side is the command ``labelwise evaluate --true T --pred P`` (or
``--scores S``), run in this process through click's ``CliRunner`` on
``labelwise.cli.main``: parse the options, read both files, pair their rows and
label columns, count, and build the diagnosed report (with ``--scores``: the
default threshold 0.5, ``score > 0.5``, and every score-based metric too). The
command's last step, rendering the report, is replaced by keeping the report
object, so these timings are of reading and evaluating. The same command with
``--format json --output FILE`` (rendering and writing the JSON report
included) is timed on the CSV files too.

Workloads (all data is generated here from a seeded numpy Generator and written
to a temporary folder before any timing), each at 500 x 4,000 and 500 x 20,000
(500 x 400 and 500 x 2,000 with --quick):

PRED    truth and hard predictions as CSV files with a header row of label
        names and one 0/1 column per label; label prevalence geometric from
        0.3 to 0.002; predictions miss 20% of positives and raise false alarms
        on 1% of negatives, except in 10% of the rows, predicted exactly (so
        that subset accuracy is not 0).
SCORES  the same truth, with float scores in [0, 1] written with 6 decimals
        (sigmoid(noise + 2y - 1), standard normal noise; in the exactly
        predicted rows above 0.9 where true, below 0.4 where not):
        ``--scores``. The peer thresholds them with numpy (``scores > 0.5``).

Each CSV pair is also saved as two .npz files (uint8 truth and predictions,
float64 scores holding the same values as the CSV text) and read through the
same command. The peer, in the same process: ``pandas.read_csv`` of both
files, then scikit-learn's ``precision_recall_fscore_support`` (micro and
macro), ``hamming_loss`` and ``accuracy_score``.

Timings are warm: every timed call follows one untimed call of the same kind,
so numba compilation (or loading its cache) and first-import costs are not in
them. Those untimed calls give the numbers that are checked, before any timing:
f1_micro, f1_macro, hamming_loss and subset accuracy must agree (to 1e-12)
between the peer and labelwise on CSV, on npz and in the JSON report. Then
medians of repeated calls, with min, max and process CPU time
(benchmarks/_common.py describes the timing).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from unittest import mock

# Before numpy and scikit-learn: _common records the environment as this process got it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (RESULTS, TOL, begin, check_close, finish, fmt_mb, fmt_s, fmt_x,
                     parse_args, print_numba_threads, ratio, run_profile, section, timeit,
                     within)

import numpy as np
import pandas as pd
from click.testing import CliRunner

import labelwise.cli.evaluate as cli_evaluate
from labelwise.cli import main as labelwise_main

from sklearn.metrics import accuracy_score as sk_accuracy
from sklearn.metrics import hamming_loss as sk_hamming
from sklearn.metrics import precision_recall_fscore_support as sk_prfs

SEED = 20240701
N_ROWS = 500
WIDTHS = (4_000, 20_000)
THRESHOLD = 0.5
LIMIT_S = 5.0  # "500 x 20,000 in a few seconds", read as <= 5 s
PROFILE = {"top": 25, "sort": "cumulative"}  # the first ~10 lines are click's own calls
CHECKED = ("f1_micro", "f1_macro", "hamming_loss", "subset_accuracy")


# --------------------------------------------------------------------------
# Data and files
# --------------------------------------------------------------------------


def make_data(rng, n: int, n_labels: int):
    """uint8 truth and predictions; scores k / 10**6 (exactly what their 6-decimal text reads as)."""
    prev = np.geomspace(0.3, 0.002, n_labels)
    y_true = rng.random((n, n_labels)) < prev
    u = rng.random((n, n_labels))
    y_pred = np.where(y_true, u >= 0.20, u < 0.01)  # miss 20% of +, 1% false alarms
    z = rng.standard_normal((n, n_labels)) + 2.0 * y_true - 1.0
    k = np.rint(1e6 / (1.0 + np.exp(-z)))
    exact = rng.random(n) < 0.10  # rows predicted exactly
    y_pred[exact] = y_true[exact]
    k[exact] = np.where(y_true[exact], rng.integers(900_000, 1_000_001, (exact.sum(), n_labels)),
                        rng.integers(0, 400_000, (exact.sum(), n_labels)))
    # k / 1e6 is correctly rounded, as is reading "0.xxxxxx": both give the same float64.
    scores = k / 1e6
    return y_true.astype(np.uint8), y_pred.astype(np.uint8), scores


def write_files(folder: str, n_labels: int, y_true, y_pred, scores) -> dict:
    """CSV (header of label names) and npz files of the three matrices: {(kind, fmt): path}."""
    names = [f"label{j:05d}" for j in range(n_labels)]
    files = {}
    for kind, values, fmt in (("true", y_true, "%d"), ("pred", y_pred, "%d"),
                              ("scores", scores, "%.6f")):
        files[kind, "csv"] = os.path.join(folder, f"{kind}_{n_labels}.csv")
        np.savetxt(files[kind, "csv"], values, fmt=fmt, delimiter=",",
                   header=",".join(names), comments="")
        files[kind, "npz"] = os.path.join(folder, f"{kind}_{n_labels}.npz")
        np.savez(files[kind, "npz"], values)
    return files


# --------------------------------------------------------------------------
# The two sides
# --------------------------------------------------------------------------


def labelwise_command(true: str, other: str, scores: bool, *options: str) -> None:
    """``labelwise evaluate --true T --pred P`` (or ``--scores P``) with ``options``."""
    args = ["evaluate", "--true", true, "--scores" if scores else "--pred", other, *options]
    res = CliRunner().invoke(labelwise_main, args, catch_exceptions=False)
    if res.exit_code != 0:
        raise RuntimeError(f"labelwise {' '.join(args)} exited with {res.exit_code}:\n"
                           f"{res.output}")


def labelwise_run(true: str, other: str, scores: bool) -> dict:
    """The command up to its report, which is kept instead of rendered: the checked values."""
    kept = []
    with mock.patch.object(cli_evaluate, "_emit", lambda report, *a, **k: kept.append(report)):
        labelwise_command(true, other, scores)
    return {name: kept[0].metrics[name] for name in CHECKED}


def labelwise_json(true: str, other: str, scores: bool, report: str) -> None:
    """The whole command, writing its JSON report to ``report``."""
    labelwise_command(true, other, scores, "--format", "json", "--output", report)


def json_values(report: str) -> dict:
    with open(report, encoding="utf-8") as f:
        metrics = json.load(f)["metrics"]
    return {name: metrics[name] for name in CHECKED}


def peer_run(true: str, other: str, scores: bool) -> dict:
    """pandas.read_csv of both files, then the scikit-learn metrics."""
    y_true = pd.read_csv(true).to_numpy()
    y_other = pd.read_csv(other).to_numpy()
    y_pred = y_other > THRESHOLD if scores else y_other
    micro = sk_prfs(y_true, y_pred, average="micro", zero_division=0)
    macro = sk_prfs(y_true, y_pred, average="macro", zero_division=0)
    return {"f1_micro": micro[2], "f1_macro": macro[2],
            "hamming_loss": sk_hamming(y_true, y_pred),
            "subset_accuracy": sk_accuracy(y_true, y_pred)}


# --------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------

SIDES = (("lw_csv", "labelwise CSV"), ("lw_npz", "labelwise npz"),
         ("lw_json", "labelwise CSV + JSON"), ("peer", "pandas + sklearn"))


def tag_of(n_labels: int) -> str:
    return f"L{n_labels // 1000}k" if n_labels >= 1000 else f"L{n_labels}"


def bench_width(rng, folder: str, n_labels: int, rep_fast: int, rep_slow: int,
                widest: bool, profile: bool) -> None:
    """PRED and SCORES at one width; ``widest``: judge the target and (``profile``) profile."""
    tag = tag_of(n_labels)
    section(f"{tag}: {N_ROWS:,} rows x {n_labels:,} label columns")
    t0 = time.perf_counter()
    y_true, y_pred, scores = make_data(rng, N_ROWS, n_labels)
    files = write_files(folder, n_labels, y_true, y_pred, scores)
    sizes = {key: os.path.getsize(path) for key, path in files.items()}
    print(f"  data: {y_true.mean() * 100:.2f}% true, {y_pred.mean() * 100:.2f}% predicted "
          f"cells, {np.count_nonzero(y_true.any(axis=0)):,} labels with a positive, "
          f"{(scores > THRESHOLD).mean() * 100:.2f}% of scores > {THRESHOLD}; written in "
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    print(f"  files: CSV truth {fmt_mb(sizes['true', 'csv'])}, predictions "
          f"{fmt_mb(sizes['pred', 'csv'])}, scores {fmt_mb(sizes['scores', 'csv'])}; npz "
          f"truth {fmt_mb(sizes['true', 'npz'])}, predictions {fmt_mb(sizes['pred', 'npz'])}, "
          f"scores {fmt_mb(sizes['scores', 'npz'])}", flush=True)

    for kind, is_scores in (("pred", False), ("scores", True)):
        flag = "--scores" if is_scores else "--pred"
        k = f"{tag}_{kind}"
        report = os.path.join(folder, f"report_{k}.json")
        csv = (files["true", "csv"], files[kind, "csv"], is_scores)
        npz = (files["true", "npz"], files[kind, "npz"], is_scores)
        calls = {"lw_csv": lambda: labelwise_run(*csv), "lw_npz": lambda: labelwise_run(*npz),
                 "lw_json": lambda: labelwise_json(*csv, report),
                 "peer": lambda: peer_run(*csv)}
        # The untimed first call of each (its warm-up: numba kernels loaded or compiled,
        # files in the page cache) gives the numbers checked before timing.
        got = {"CSV": calls["lw_csv"](), "npz": calls["lw_npz"]()}
        calls["lw_json"]()
        got["JSON report"] = json_values(report)
        peer = calls["peer"]()
        worst = max(check_close(f"{k} {name} ({where})", values[name], peer[name],
                                peer="pandas + scikit-learn")
                    for where, values in got.items() for name in CHECKED)
        print(f"  check ({kind}): labelwise (CSV, npz, JSON report) == pandas + sklearn on "
              + ", ".join(f"{name} {peer[name]:.4f}" for name in CHECKED)
              + f" (max diff {worst:.1e} < {TOL:g})", flush=True)
        timeit(f"{k}_lw_csv", f"labelwise evaluate --true CSV {flag} CSV", calls["lw_csv"],
               rep_fast)
        timeit(f"{k}_lw_npz", f"labelwise evaluate --true NPZ {flag} NPZ", calls["lw_npz"],
               rep_fast)
        timeit(f"{k}_lw_json", f"labelwise evaluate --true CSV {flag} CSV --format json",
               calls["lw_json"], rep_slow)
        timeit(f"{k}_peer", "pandas read_csv x2 + sklearn prfs/hamming/accuracy"
               + (" (> 0.5)" if is_scores else ""), calls["peer"], rep_slow)
        ratio(f"{tag} {kind}: peer / labelwise CSV", f"{k}_peer", f"{k}_lw_csv")
        ratio(f"{tag} {kind}: labelwise CSV / labelwise npz", f"{k}_lw_csv", f"{k}_lw_npz")
        ratio(f"{tag} {kind}: labelwise CSV with / without JSON report", f"{k}_lw_json",
              f"{k}_lw_csv")
        if widest:
            within(f"{tag} {kind}: labelwise CSV, {N_ROWS} x {n_labels:,}", f"{k}_lw_csv",
                   LIMIT_S, f"a few seconds, read as <= {LIMIT_S:g} s")
        if widest and profile:
            run_profile(f"{tag} labelwise evaluate --true CSV {flag} CSV", calls["lw_csv"],
                        **PROFILE)
            run_profile(f"{tag} labelwise evaluate --true CSV {flag} CSV --format json",
                        calls["lw_json"], **PROFILE)


def growth(widths) -> None:
    """How the time grows with the column count: 5x columns is 5x time if linear."""
    lo, hi = widths
    section(f"GROWTH: {hi:,} / {lo:,} columns ({hi / lo:g}x the cells; linear = "
            f"{hi / lo:g}x the time, quadratic = {(hi / lo) ** 2:g}x)")
    for field, how in (("median", ""), ("cpu", ", process CPU time")):
        # CPU time is less sensitive to other jobs on the machine than wall time
        for kind in ("pred", "scores"):
            for side, what in SIDES:
                ratio(f"GROWTH {kind}: {what}{how}", f"{tag_of(hi)}_{kind}_{side}",
                      f"{tag_of(lo)}_{kind}_{side}", field=field)


def table(widths) -> None:
    """The medians side by side, with the ratios."""
    section("TABLE: medians (warm) and ratios")
    print(f"  {'input':<26}{'labelwise CSV':>14}{'npz':>10}{'CSV+JSON':>10}"
          f"{'pandas+sklearn':>16}{'peer/CSV':>10}{'CSV/npz':>9}")
    for w in widths:
        for kind, what in (("pred", "0/1 --pred"), ("scores", "float --scores")):
            k = f"{tag_of(w)}_{kind}"
            csv, npz, js, peer = (RESULTS[f"{k}_{side}"]["median"] for side, _ in SIDES)
            print(f"  {f'{N_ROWS} x {w:,} {what}':<26}{fmt_s(csv):>14}{fmt_s(npz):>10}"
                  f"{fmt_s(js):>10}{fmt_s(peer):>16}{fmt_x(peer / csv):>10}"
                  f"{fmt_x(csv / npz):>9}", flush=True)


def main(argv=None) -> int:
    args = parse_args(__doc__.split("\n\n")[0],
                      "10x fewer columns (500 x 400 and 500 x 2,000), fewer repeats",
                      "also print a cProfile (cumulative) of the widest CSV runs", argv)
    widths = tuple(w // 10 for w in WIDTHS) if args.quick else WIDTHS
    rep_fast, rep_slow = (3, 1) if args.quick else (7, 5)

    start = begin("labelwise wide-file benchmark (labelwise evaluate's reader)")
    rng = np.random.default_rng(SEED)
    with tempfile.TemporaryDirectory(prefix="labelwise-wide-") as folder:
        for w in widths:
            bench_width(rng, folder, w, rep_fast, rep_slow, w == max(widths), args.profile)
        print_numba_threads()
    growth(widths)
    table(widths)
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
