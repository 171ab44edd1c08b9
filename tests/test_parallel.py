"""The thread pool of the kernels (``labelwise._parallel``): the caller shares the
work, every task runs once, results keep the task order, errors reach the caller, and
calls made from the pool's own threads finish even when every pool thread is busy."""

from __future__ import annotations

import threading
import time

import pytest

from labelwise import _parallel


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)


def test_every_task_runs_once_and_results_keep_their_order():
    seen = []
    lock = threading.Lock()

    def task(q):
        with lock:
            seen.append((q, threading.current_thread().name))
        time.sleep(0.001)
        return q * q

    assert _parallel._shared(task, 12) == [q * q for q in range(12)]
    assert sorted(q for q, _ in seen) == list(range(12))
    assert any(name == threading.current_thread().name for _, name in seen)  # the caller


def test_in_threads_splits_large_inputs_into_fixed_blocks(monkeypatch):
    monkeypatch.setattr(_parallel, "SERIAL_CELLS", 0)
    assert _parallel.in_threads(lambda lo, hi: (lo, hi), 10, 3) == [
        (0, 1), (1, 2), (2, 3), (3, 5), (5, 6), (6, 7), (7, 8), (8, 10)]
    monkeypatch.setattr(_parallel, "SERIAL_CELLS", 100)
    assert _parallel.in_threads(lambda lo, hi: (lo, hi), 10, 3) == [(0, 10)]  # small: serial


@pytest.mark.parametrize("failing", [0, 5])
def test_an_error_in_any_task_reaches_the_caller(failing):
    def task(q):
        if q == failing:
            raise ValueError(f"task {q} failed")
        time.sleep(0.001)
        return q

    with pytest.raises(ValueError, match=f"task {failing} failed"):
        _parallel._shared(task, 8)
    assert _parallel._shared(lambda q: q, 3) == [0, 1, 2]  # the pool works on


def test_a_call_from_a_busy_pool_finishes_without_waiting_for_the_pool():
    """Every pool thread is held; a call made from one of them still finishes: it does
    its own tasks, and its helper, never started, is cancelled rather than waited for."""
    release = threading.Event()
    pool = _parallel._pool()
    blockers = [pool.submit(release.wait, 5) for _ in range(pool._max_workers - 1)]

    def nested():
        return _parallel._shared(lambda q: q + 1, 4)

    try:
        assert pool.submit(nested).result(timeout=5) == [1, 2, 3, 4]
    finally:
        release.set()
        for b in blockers:
            b.result(timeout=5)


def test_beside_runs_at_once_with_one_core(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    ran = []
    get = _parallel.beside(lambda x: ran.append(x) or x + 1, 41)
    assert ran == [41] and get() == 42
