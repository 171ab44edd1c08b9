"""Hot loop of dense scores: one pass that thresholds them and reads off their shape.

No validation here: the scores are finite (see ``_validate``), C-contiguous float32
or float64, and the cuts float64 (one per label, or one for all).
"""

from __future__ import annotations

import math

import numpy as np
from ._jit import njit


@njit(cache=True, nogil=True)
def scan_rows(v, cuts, inclusive, tol, lo, hi, pred, low, high):  # pragma: no cover
    """Threshold rows ``lo:hi`` of the (n, L) scores ``v`` into the bool ``pred``, and
    fold their column minima and maxima into ``low`` and ``high`` (float64, L).

    An entry is predicted when it is above its label's cut (or equal to it with
    ``inclusive``), the comparison taken in float64, where a float32 score is exact.
    Returns the number of rows whose scores sum to 1 within ``tol`` (each row summed
    in float64, left to right), the number of entries outside [0, 1], and whether a
    score is ``-0.0`` (whose sign a minimum may or may not keep).
    """
    L = v.shape[1]
    one = cuts.shape[0] == 1
    summing = 0
    outside = 0
    negative_zero = False
    for i in range(lo, hi):
        row = v[i]
        out = pred[i]
        total = 0.0
        for j in range(L):
            x = np.float64(row[j])
            c = cuts[0] if one else cuts[j]
            out[j] = x > c or (inclusive and x == c)
            total += x
            if x < low[j]:
                low[j] = x
            if x > high[j]:
                high[j] = x
            outside += (x < 0.0) | (x > 1.0)
            if x == 0.0 and math.copysign(1.0, x) < 0.0:
                negative_zero = True
        summing += abs(total - 1.0) <= tol
    return summing, outside, negative_zero
