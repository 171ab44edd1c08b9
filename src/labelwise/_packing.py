"""Float arrays as compact JSON-safe text: little-endian float64, zlib, base64.

The checkpoint formats of the additive states (binned scores, calibration bins)
store their sums this way.

>>> import numpy as np
>>> unpack_floats(pack_floats(np.array([0.5, 2.0]))).tolist()
[0.5, 2.0]
"""

from __future__ import annotations

import base64
import zlib

import numpy as np

__all__ = ["pack_floats", "unpack_floats"]


def pack_floats(values: np.ndarray) -> str:
    """``values`` (any shape) as text: the flat float64 values, compressed."""
    raw = np.ascontiguousarray(values, dtype="<f8").tobytes()
    return base64.b64encode(zlib.compress(raw, 1)).decode("ascii")


def unpack_floats(text: str) -> np.ndarray:
    """The flat float64 values of :func:`pack_floats` text; raises ``ValueError`` or
    ``zlib.error`` on text that is not such data."""
    raw = zlib.decompress(base64.b64decode(text, validate=True))
    return np.frombuffer(raw, dtype="<f8").astype(np.float64)
