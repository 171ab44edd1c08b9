"""Run nogil kernels over row blocks on a small thread pool.

The caller works on the blocks too, beside up to one pool thread per other core: a
call made from a pool thread (a kernel run :func:`beside` the caller's work that
splits its own rows) never waits for threads that are busy with the blocks of
another call, and a call never waits for a helper that had not started when the
work ran out.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["in_threads", "run_all", "beside", "SERIAL_CELLS", "ROW_BLOCKS"]

_POOL: ThreadPoolExecutor | None = None
SERIAL_CELLS = 1 << 21  # below this many cells, threads cost more than they save
ROW_BLOCKS = 8  # row blocks of a larger input, on any number of cores


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1,
                                   thread_name_prefix="labelwise")
    return _POOL


def _shared(task, n_tasks: int) -> list:
    """``[task(q) for q in range(n_tasks)]``, the tasks taken in turn by the caller and
    by up to one pool thread per other core."""
    out: list = [None] * n_tasks
    lock = threading.Lock()
    left = iter(range(n_tasks))
    failed: list = []

    def work() -> None:
        while not failed:
            with lock:
                q = next(left, None)
            if q is None:
                return
            try:
                out[q] = task(q)
            except BaseException as err:  # the others stop taking tasks
                failed.append(err)
                raise

    helpers = [_pool().submit(work) for _ in range(min(os.cpu_count() or 1, n_tasks) - 1)]
    try:
        work()
    finally:
        for h in helpers:
            if not h.cancel():  # started: it ends with the task it has taken
                h.exception()
    if failed:
        raise failed[0]
    return out


def in_threads(run, n: int, width: int) -> list:
    """``[run(lo, hi), ...]`` over row blocks: serially for small inputs, else on threads.

    The kernels release the GIL; more blocks than threads keep every core busy
    even when one of them is slowed by other work. The blocks depend on ``n`` and
    ``width`` only, never on the number of cores (with one core they run one after
    another), so that sums over blocks are the same on every machine.
    """
    if n * width < SERIAL_CELLS:
        return [run(0, n)]
    n_blocks = min(n, ROW_BLOCKS)
    bounds = [n * b // n_blocks for b in range(n_blocks + 1)]
    return _shared(lambda q: run(bounds[q], bounds[q + 1]), n_blocks)


def beside(fn, *args):
    """Start ``fn(*args)`` on the thread pool, beside the caller's own work; returns a
    callable that waits for it and gives its result (with one core, ``fn`` has run
    already). ``fn`` must release the GIL for this to save time."""
    if (os.cpu_count() or 1) == 1:
        value = fn(*args)
        return lambda: value
    return _pool().submit(fn, *args).result


def run_all(run, n_tasks: int) -> None:
    """``run(q)`` for ``q`` in ``range(n_tasks)``, on the caller's thread and the pool's
    (serially with one core); the tasks must be independent of each other."""
    if n_tasks <= 1:
        for q in range(n_tasks):
            run(q)
        return
    _shared(run, n_tasks)
