"""How much of a process's work takes numpy passes before the compiled kernels do.

Small inputs have numpy twins of the kernels that give the same numbers bit for
bit. They cost more time per cell, but they compile and load nothing: a first call on
a small input takes a fraction of a second instead of waiting for numba (loading a
cached kernel takes tenths of a second, compiling it on a first run seconds). So a
process takes them for its first cells, up to a budget, and the kernels after that:
a loop over many small batches loads (or compiles) the kernels once, and then runs at
their speed. Which way ran never shows in a result.

* :data:`COUNTS`: the counts of 0/1 labels (:mod:`labelwise._numpy_counts`).
* :data:`SCORES`: the per-row ranking values (:mod:`labelwise._rank_numpy`) and the
  calibration sums (:mod:`labelwise._calibration_numpy`) of batches of fewer than
  :data:`NUMPY_CELLS` dense scores (or entries of sparse and top-k scores).
"""

from __future__ import annotations

import threading

__all__ = ["Budget", "COUNTS", "SCORES", "NUMPY_CELLS"]

# Below this many cells (or stored entries), numpy passes instead of compiled kernels
# where both give the same numbers: a first call on a small input then compiles nothing.
# The twins of the per-row and calibration kernels also spend SCORES; exact ROC-AUC/AP,
# the adaptive ECE and the small kernels of sparse scores decide by this size alone.
NUMPY_CELLS = 1 << 18


class Budget:
    """The cells a process may still handle with numpy.

    Parameters
    ----------
    cells : int
        The budget: how many cells in all.
    below : int, optional
        Only inputs of fewer cells than this take numpy's passes.

    Examples
    --------
    >>> b = Budget(100)
    >>> b.take(60), b.take(60), b.take(40), b.take(1)  # 120 would pass the budget
    (True, False, True, False)
    """

    def __init__(self, cells: int, below: int | None = None) -> None:
        self.cells, self.below, self.used = int(cells), below, 0
        self._lock = threading.Lock()

    def take(self, cells: int) -> bool:
        """Whether ``cells`` more cells take numpy's passes: the input is small enough
        and the process has handled at most :attr:`cells` cells that way, these
        included (they are then counted as used)."""
        if self.below is not None and cells >= self.below:
            return False
        with self._lock:
            if self.used + cells > self.cells:
                return False
            self.used += cells
            return True


COUNTS = Budget(1 << 22)  # about 30 ms of numpy counting, a tenth of loading the kernel
SCORES = Budget(1 << 20, below=NUMPY_CELLS)  # about 0.3 s of numpy ranking in all
