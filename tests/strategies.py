"""Hypothesis strategies and input-format helpers for the property-based tests.

The matrices are generated from a drawn seed and drawn densities (0 and 1
included), then shaped by drawn structure that random densities rarely
produce on their own: rows copied from the truth (exact matches), empty true
or predicted rows, and labels that are never true or never predicted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from hypothesis import strategies as st

MATRIX_FORMATS = ("int64", "int8", "bool", "csr", "csc", "coo", "csr_array", "list")
SET_FORMATS = ("sets", "strings")

DENSITIES = st.one_of(
    st.sampled_from([0.0, 1.0, 0.05, 0.2, 0.5, 0.8, 0.95]),
    st.floats(0.0, 1.0),
)


def label_names(n_labels: int) -> list[str]:
    """Column names for label-set inputs (not in sorted order once there are 11+)."""
    return [f"L{j}" for j in range(n_labels)]


def as_format(y: np.ndarray, fmt: str):
    """The 0/1 matrix ``y`` in one of the input kinds labelwise accepts."""
    y = np.asarray(y)
    if fmt == "int64":
        return y.astype(np.int64)
    if fmt == "int8":
        return y.astype(np.int8)
    if fmt == "bool":
        return y.astype(bool)
    if fmt == "csr":
        return sp.csr_matrix(y.astype(np.int64))
    if fmt == "csc":
        return sp.csc_matrix(y.astype(np.int64))
    if fmt == "coo":
        return sp.coo_matrix(y.astype(np.int64))
    if fmt == "csr_array":
        return sp.csr_array(y.astype(np.int64))
    if fmt == "list":
        return [[int(v) for v in row] for row in y]
    names = label_names(y.shape[1])
    sets = [[names[j] for j in np.flatnonzero(row)] for row in y]
    if fmt == "sets":
        return sets
    if fmt == "strings":
        return [",".join(row) for row in sets]
    raise ValueError(fmt)


@dataclass
class Case:
    """Truth and predictions as int arrays, optional weights, and the input kinds to use."""

    y_true: np.ndarray
    y_pred: np.ndarray
    sample_weight: np.ndarray | None
    fmt_true: str
    fmt_pred: str

    @property
    def n_samples(self) -> int:
        return self.y_true.shape[0]

    @property
    def n_labels(self) -> int:
        return self.y_true.shape[1]

    def inputs(self):
        """``(y_true, y_pred)`` in the drawn input kinds, for labelwise."""
        return as_format(self.y_true, self.fmt_true), as_format(self.y_pred, self.fmt_pred)

    def __repr__(self) -> str:
        w = None if self.sample_weight is None else self.sample_weight.tolist()
        return (
            f"Case(y_true={self.y_true.tolist()}, y_pred={self.y_pred.tolist()}, "
            f"sample_weight={w}, fmt_true={self.fmt_true!r}, fmt_pred={self.fmt_pred!r})"
        )


@st.composite
def label_matrices(draw, min_rows=1, max_rows=30, min_labels=1, max_labels=12):
    """A pair ``(y_true, y_pred)`` of int64 0/1 matrices of the same drawn shape."""
    n = draw(st.integers(min_rows, max_rows))
    n_labels = draw(st.integers(min_labels, max_labels))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y_true = rng.random((n, n_labels)) < draw(DENSITIES)
    y_pred = rng.random((n, n_labels)) < draw(DENSITIES)
    copied = rng.random(n) < draw(st.sampled_from([0.0, 0.3, 0.8]))
    y_pred[copied] = y_true[copied]
    if draw(st.booleans()):  # empty true rows
        y_true[rng.random(n) < 0.3] = False
    if draw(st.booleans()):  # empty predicted rows
        y_pred[rng.random(n) < 0.3] = False
    if draw(st.booleans()):  # labels without support
        y_true[:, rng.random(n_labels) < 0.3] = False
    if draw(st.booleans()):  # labels never predicted
        y_pred[:, rng.random(n_labels) < 0.3] = False
    return y_true.astype(np.int64), y_pred.astype(np.int64)


@st.composite
def sample_weights(draw, n: int, integer_valued: bool = False):
    """Non-negative weights, some of them zero, never all zero.

    ``integer_valued`` weights make every weighted sum exact in floating point.
    """
    if integer_valued:
        element = st.integers(0, 5).map(float)
    else:
        element = st.one_of(st.just(0.0), st.floats(0.01, 10.0))
    w = np.array(draw(st.lists(element, min_size=n, max_size=n)), dtype=np.float64)
    if not w.any():
        w[draw(st.integers(0, n - 1))] = 1.0
    return w


@st.composite
def cases(draw, min_rows=1, max_rows=30, min_labels=1, max_labels=12, weighted=None,
          formats=MATRIX_FORMATS):
    """A :class:`Case`; ``weighted`` None draws whether to weight the samples."""
    y_true, y_pred = draw(label_matrices(min_rows, max_rows, min_labels, max_labels))
    if weighted is None:
        weighted = draw(st.booleans())
    w = draw(sample_weights(y_true.shape[0])) if weighted else None
    return Case(y_true, y_pred, w, draw(st.sampled_from(formats)),
                draw(st.sampled_from(formats)))


@st.composite
def column_subsets(draw, n_labels: int):
    """``labels=``: a non-empty list of distinct column indices, in drawn order."""
    order = draw(st.permutations(range(n_labels)))
    return [int(j) for j in order[: draw(st.integers(1, n_labels))]]
