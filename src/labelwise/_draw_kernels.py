"""Hot loop of the multinomial bootstrap weights: how often each sample is drawn.

No validation here; the draws are sample numbers in ``[0, n)``.
"""

from __future__ import annotations

from ._jit import njit

__all__ = ["draw_counts"]


@njit(cache=True, nogil=True)
def draw_counts(draws, out):  # pragma: no cover
    """Add one to ``out[r, i]`` (uint8, zeros) for each draw ``i`` in ``draws[r]``;
    returns whether a count passed 255 (it then wrapped, and ``out`` is not valid).

    ``draws`` (R, m) int32 or int64, ``out`` (R, n) uint8. It counts as
    ``np.bincount(draws[r], minlength=n)`` does, row by row, without the int64 array.
    """
    over = False
    for r in range(draws.shape[0]):
        row = out[r]
        d = draws[r]
        for t in range(d.shape[0]):
            v = row[d[t]] + 1  # an int64: 256 when the uint8 wraps to 0
            row[d[t]] = v
            over |= v > 255
    return over
