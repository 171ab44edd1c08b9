"""Hot loop of dense scores: one pass that thresholds them and reads off their shape.

No validation here: the scores are finite (see ``_validate``), C-contiguous float32
or float64, and the cuts float64 (one per label, or one for all).
"""

from __future__ import annotations

import numpy as np
from ._jit import njit


@njit(cache=True, nogil=True)
def scan_rows(v, cuts, inclusive, tol, lo, hi, pred, low, high):  # pragma: no cover
    """Threshold rows ``lo:hi`` of the (n, L) scores ``v`` into the bool ``pred``, and
    fold their column minima and maxima into ``low`` and ``high`` (float64, L).

    An entry is predicted when it is above its label's cut (or equal to it with
    ``inclusive``), the comparison taken in float64, where a float32 score is exact.
    Returns the number of rows whose scores sum to 1 within ``tol`` (each row summed
    in float64, left to right), the number of entries outside [0, 1] and the number
    of ``-0.0`` entries. A zero minimum or maximum may come out as ``0.0`` or ``-0.0``
    when both occur.
    """
    L = v.shape[1]
    c = np.empty(L)
    for j in range(L):
        c[j] = cuts[0] if cuts.shape[0] == 1 else cuts[j]
    summing = 0
    outside = 0
    negative_zeros = 0
    for i in range(lo, hi):
        row = v[i]
        out = pred[i]
        if inclusive:  # loops without branches, which the compiler vectorises
            for j in range(L):
                out[j] = np.float64(row[j]) >= c[j]
        else:
            for j in range(L):
                out[j] = np.float64(row[j]) > c[j]
        total = 0.0
        for j in range(L):
            x = np.float64(row[j])
            total += x
            low[j] = min(low[j], x)
            high[j] = max(high[j], x)
            outside += (x < 0.0) | (x > 1.0)
            negative_zeros += (x == 0.0) & np.signbit(x)
        summing += abs(total - 1.0) <= tol
    return summing, outside, negative_zeros
