"""Dense hard labels against the numpy floor alone: W1 (1,000,000 x 100) and W1-10.

A short companion of bench_threshold_metrics.py (no scikit-learn): evaluate() and
the numpy floor (``np.count_nonzero`` of both arrays, reading each once) in
alternation, paired, at 100 and at 10 labels over the same number of cells, and the
peak RSS growth of one evaluate() call. With ``PYTHONPATH=<checkout>/src`` it times
another checkout of labelwise on the same data::

    .venv/bin/python benchmarks/bench_dense_floor.py            # full sizes
    .venv/bin/python benchmarks/bench_dense_floor.py --quick    # 10x fewer rows
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (begin, finish, fmt_mb, parse_args, ratio, rss_growth, section,
                     timeit_paired, verdict)

import numpy as np

import labelwise
from bench_threshold_metrics import SEED, make_w1


def bench(rng, n: int, n_labels: int, rep: int) -> None:
    section(f"W1-{n_labels}: dense {n:,} x {n_labels} bool (labelwise from "
            f"{os.path.dirname(labelwise.__file__)})")
    y_true, y_pred = make_w1(rng, n, n_labels)
    tag = f"d{n_labels}"
    timeit_paired((f"{tag}_lw", f"{tag}_np"),
                  ("labelwise.evaluate", "numpy read: count_nonzero(y_true), (y_pred)"),
                  (lambda: labelwise.evaluate(y_true, y_pred),
                   lambda: (np.count_nonzero(y_true), np.count_nonzero(y_pred))), rep)
    ratio(f"W1-{n_labels} evaluate / numpy read (paired)", f"{tag}_lw", f"{tag}_np",
          "<= 2x", lambda r: r <= 2)
    ratio(f"W1-{n_labels} evaluate / numpy read, process CPU time", f"{tag}_lw",
          f"{tag}_np", field="cpu")
    grown = rss_growth(lambda: labelwise.evaluate(y_true, y_pred))
    if grown is not None:
        print(f"  peak RSS growth of one evaluate(): {fmt_mb(grown)} (target < 50 MiB)"
              f"{verdict(grown < 50 * 2**20)}", flush=True)


def main(argv=None) -> int:
    args = parse_args(__doc__.split("\n\n")[0], "10x fewer rows", "(no profile here)", argv)
    scale = 10 if args.quick else 1
    start = begin("labelwise dense hard labels against the numpy floor")
    rng = np.random.default_rng(SEED)
    for n_labels in (100, 10):
        bench(rng, 100_000_000 // n_labels // scale, n_labels, 9)
    finish(start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
