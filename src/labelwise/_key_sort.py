"""The sort of the pooled ROC-AUC's packed keys: numpy's, or a radix sort, whichever is
faster on this machine.

numpy sorts unsigned integers with vector instructions where its build has them for the
machine, and several times slower elsewhere; the radix sort
(:func:`labelwise._pooled_kernels.sort_bucket`) takes about the same time per key
everywhere. Both give the same sorted keys, so the choice changes the time, never a
result. It is made once per process and key width, by sorting a sample of the keys
both ways (a few milliseconds, on inputs whose ranking takes a hundred times that).
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["sort_keys", "choose"]

_ROUNDS = 3  # timed rounds of each sort, alternating; the faster of the best rounds wins
_CHOSEN: dict = {}  # key dtype -> True for numpy's sort, False for the radix sort


def _radix(keys: np.ndarray, spare: np.ndarray) -> None:
    from . import _pooled_kernels as pk

    pk.sort_bucket(keys, spare)


def _numpy(keys: np.ndarray, spare: np.ndarray) -> None:
    keys.sort()


def choose(sample: np.ndarray) -> None:
    """Time both sorts on ``sample`` (order keys, uint64), as keys of 64 and of 32 bits
    (its low bits), and remember the faster for each width; once per process."""
    for dtype in (np.uint64, np.uint32):
        if dtype in _CHOSEN or sample.shape[0] < 2:
            continue
        trial = sample.astype(dtype)
        spare = np.empty_like(trial)
        _radix(trial.copy(), spare)  # loaded (or compiled) before it is timed
        best = {_numpy: np.inf, _radix: np.inf}
        for _ in range(_ROUNDS):
            for sort in best:
                keys = trial.copy()
                start = time.perf_counter()
                sort(keys, spare)
                best[sort] = min(best[sort], time.perf_counter() - start)
        _CHOSEN[dtype] = best[_numpy] < best[_radix]


def sort_keys(keys: np.ndarray, spare: np.ndarray) -> None:
    """Sort ``keys`` (uint32 or uint64) in place, ``spare`` (as long, same dtype) as the
    radix sort's scratch: with the sort :func:`choose` found faster for the width, else
    the radix sort.

    Examples
    --------
    >>> keys = np.array([5, 3, 9, 3], dtype=np.uint32)
    >>> sort_keys(keys, np.empty_like(keys))
    >>> keys.tolist()
    [3, 3, 5, 9]
    """
    (_numpy if _CHOSEN.get(keys.dtype.type, False) else _radix)(keys, spare)
