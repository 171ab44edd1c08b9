"""``python -m labelwise.demo [HTML_PATH]``: evaluate a real model on the shipped example
data, print the report, and write it as HTML (``labelwise-demo.html`` by default)."""

from __future__ import annotations

import sys
from pathlib import Path

from .datasets import load_emotions
from .evaluation import evaluate

HTML = "labelwise-demo.html"


def main(html: str | Path | None = HTML) -> None:
    data = load_emotions()
    print(
        "Mulan emotions, test split: one logistic regression per label, "
        "scores thresholded at 0.5, with 95% bootstrap intervals\n"
    )
    report = evaluate(data.y_true, y_score=data.y_score, threshold=0.5, labels=data.labels,
                      ci=0.95, seed=0)
    print(report)
    if html is not None:
        path = report.save(html, title="Mulan emotions, test split")
        print(f"\nHTML report: {Path(path).resolve()}")


def compile_kernels() -> list:
    """Compile (or load from the cache) the kernels the demo does not need.

    The demo's 202 rows are counted and ranked with numpy; inputs of more than a
    few million cells, as the command line meets them, use the counting kernels of
    dense 0/1 labels (one for each row width up to 16 labels, one for wider rows,
    and one with sample weights), and scores of more than
    :data:`~labelwise._budget.NUMPY_CELLS` cells the kernels of the ranking
    metrics, of exact ROC-AUC and AP and of calibration, for float32 and float64
    scores, and those of top-k scores. Calling them here, once after install (``make demo``), saves that
    compilation on a first large run. A line says so when something is compiled.

    Returns
    -------
    list of str
        The kernels that were compiled (empty when all came from the cache).
    """
    import numpy as np
    import scipy.sparse as sp

    from . import _jit
    from ._budget import COUNTS, NUMPY_CELLS
    from .counts import Counts

    compiled: list = []

    def hook(kernel: str) -> None:
        if not compiled:
            print("\nCompiling the kernels of large inputs, once (about a minute)...",
                  flush=True)
        compiled.append(kernel)

    remove = _jit.on_compile(hook)
    try:
        for width in (*range(1, 17), 32):  # one kernel per width up to 16 labels
            n = COUNTS.cells // width + 1  # past the budget: the kernels count
            t = np.zeros((n, width), dtype=bool)
            t[::3, width // 2] = True
            Counts.from_arrays(t, t)
            if width in (8, 32):
                Counts.from_arrays(t, t, sample_weight=np.ones(n))
        width = 32
        n = NUMPY_CELLS // width + 1  # past the small inputs' numpy passes
        t = np.zeros((n, width), dtype=bool)
        t[::3, 1] = t[::2, 5] = True
        s = (np.arange(n * width) % 1000 / 999).reshape(n, width)
        for dtype in (np.float32, np.float64):
            evaluate(t, y_score=s.astype(dtype))
        k = 5  # top-k scores past the small inputs' numpy passes, and their sparse truth
        top = np.tile(np.arange(k), (NUMPY_CELLS // k + 1, 1))
        truth = sp.eye(top.shape[0], width, dtype=bool, format="csr")
        evaluate(truth, y_score=(top, 1.0 - top / k))
    finally:
        remove()
    return compiled


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HTML)
    compile_kernels()
