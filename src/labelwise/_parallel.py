"""Run nogil kernels over row blocks on a small thread pool."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

__all__ = ["in_threads", "run_all", "beside", "SERIAL_CELLS", "NUMPY_CELLS", "ROW_BLOCKS"]

_POOL: ThreadPoolExecutor | None = None
SERIAL_CELLS = 1 << 21  # below this many cells, threads cost more than they save
# Below this many cells, numpy passes instead of compiled kernels where both give the
# same numbers: a first call on a small input then compiles nothing.
NUMPY_CELLS = 1 << 18
ROW_BLOCKS = 8  # row blocks of a larger input, on any number of cores


def in_threads(run, n: int, width: int) -> list:
    """``[run(lo, hi), ...]`` over row blocks: serially for small inputs, else on threads.

    The kernels release the GIL; more blocks than threads keep every core busy
    even when one of them is slowed by other work. The blocks depend on ``n`` and
    ``width`` only, never on the number of cores (with one core they run one after
    another), so that sums over blocks are the same on every machine.
    """
    global _POOL
    if n * width < SERIAL_CELLS:
        return [run(0, n)]
    n_blocks = min(n, ROW_BLOCKS)
    bounds = [n * b // n_blocks for b in range(n_blocks + 1)]
    workers = os.cpu_count() or 1
    if workers == 1:
        return [run(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:])]
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="labelwise")
    return list(_POOL.map(run, bounds[:-1], bounds[1:]))


def beside(fn, *args):
    """Start ``fn(*args)`` on the thread pool, beside the caller's own work; returns a
    callable that waits for it and gives its result (with one core, ``fn`` has run
    already). ``fn`` must release the GIL for this to save time."""
    global _POOL
    if (os.cpu_count() or 1) == 1:
        value = fn(*args)
        return lambda: value
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=os.cpu_count(), thread_name_prefix="labelwise")
    return _POOL.submit(fn, *args).result


def run_all(run, n_tasks: int) -> None:
    """``run(q)`` for ``q`` in ``range(n_tasks)`` on the thread pool (serially with one
    core); the tasks must be independent of each other."""
    global _POOL
    workers = os.cpu_count() or 1
    if workers == 1 or n_tasks <= 1:
        for q in range(n_tasks):
            run(q)
        return
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="labelwise")
    list(_POOL.map(run, range(n_tasks)))
