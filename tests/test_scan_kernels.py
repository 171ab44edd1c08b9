"""One pass over dense scores (threshold, range, shape) gives what the separate numpy
passes give: the predictions, :class:`Thresholding` and :class:`ScoreShape`, for float32
and float64 scores, one cut or one per label, ``>`` and ``>=``, in row blocks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise
from labelwise import _parallel
from labelwise.diagnose import context
from labelwise.diagnose.context import ScoreShape, Thresholding, scan_scores


def separate(v, thr, cut, inclusive):
    pred = v >= cut if inclusive else v > cut
    how = Thresholding.of(v, thr, cut, inclusive=inclusive)
    return pred, how, ScoreShape.of(v, how)


def assert_same(got, want):
    (p, how, shape), (p0, how0, shape0) = got, want
    assert p.dtype == np.bool_ and p.flags.c_contiguous
    np.testing.assert_array_equal(p, p0)
    np.testing.assert_array_equal(how.low, how0.low)
    np.testing.assert_array_equal(how.high, how0.high)
    assert (how.threshold is how0.threshold, how.cut is how0.cut) == (True, True)
    assert (how.inclusive, how.partial) == (how0.inclusive, how0.partial)
    assert shape == shape0


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 60), st.integers(1, 12),
       st.sampled_from([np.float32, np.float64]), st.booleans(), st.booleans(),
       st.sampled_from(["unit", "wide", "ties", "softmax", "zeros", "signed zeros"]))
def test_one_pass_equals_the_separate_passes(seed, n, L, dtype, inclusive, per_label, kind):
    rng = np.random.default_rng(seed)
    if kind == "unit":
        v = rng.random((n, L))
    elif kind == "wide":  # outside [0, 1]: logits
        v = rng.normal(0, 3, (n, L))
    elif kind == "ties":  # scores on the cut itself
        v = rng.choice([0.0, 0.25, 0.5, 1.0], (n, L))
    elif kind == "zeros":  # zero minima (of one sign: no second look at the scores)
        v = rng.choice([0.0, 0.0, 0.5, 0.7], (n, L))
    elif kind == "signed zeros":  # both signs: numpy's minimum and maximum pick one
        v = rng.choice([0.0, -0.0, 0.5, -1.0], (n, L))
    else:  # rows summing to 1
        v = rng.random((n, L))
        v /= v.sum(axis=1, keepdims=True)
    v = v.astype(dtype)
    thr = rng.uniform(0.2, 0.8, L) if per_label else 0.5
    if kind == "ties" and not per_label:
        thr = 0.25
    old = _parallel.SERIAL_CELLS, context.SCAN_CELLS
    try:
        # the compiled pass, over row blocks on threads, whatever the size
        _parallel.SERIAL_CELLS = context.SCAN_CELLS = 0
        got = scan_scores(v, thr, thr, inclusive=inclusive)
    finally:
        _parallel.SERIAL_CELLS, context.SCAN_CELLS = old
    assert_same(got, separate(v, thr, thr, inclusive))
    assert_same(scan_scores(v, thr, thr, inclusive=inclusive), separate(v, thr, thr, inclusive))


def test_a_float_cut_compares_in_the_scores_dtype_as_numpy_does():
    # 0.1 is not a float32 value: numpy compares float32 scores with float32(0.1)
    v = np.full((3000, 700), np.float32(0.1))
    got = scan_scores(v, 0.1, 0.1)
    assert v.size >= _parallel.SERIAL_CELLS >= context.SCAN_CELLS and not got[0].any()
    assert_same(got, separate(v, 0.1, 0.1, False))
    assert_same(scan_scores(v, 0.1, 0.1, inclusive=True), separate(v, 0.1, 0.1, True))


def test_a_negative_zero_keeps_the_sign_numpy_gives_the_range():
    v = np.zeros((3000, 700))
    v[5, 3] = -0.0
    v[7] = 0.5
    got = scan_scores(v, 0.5, 0.5)
    assert_same(got, separate(v, 0.5, 0.5, False))
    assert np.signbit(got[2].low) == np.signbit(v.min())


def test_evaluate_thresholds_large_scores_as_small_ones():
    rng = np.random.default_rng(3)
    y = rng.random((40_000, 60)) < 0.2
    s = rng.random((40_000, 60)).astype(np.float32)
    whole = labelwise.evaluate(y, y_score=s, threshold=0.3)
    parts = labelwise.Accumulator(threshold=0.3)
    for lo in range(0, 40_000, 2_000):  # blocks below the size of the compiled pass
        parts.update(y[lo:lo + 2_000], y_score=s[lo:lo + 2_000])
    assert 2_000 * 60 < context.SCAN_CELLS <= y.size
    for name, value in whole.metrics.items():
        assert parts.report()[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name
    assert whole["f1_micro"] == pytest.approx(
        labelwise.metrics.f1_score(y, s > np.float32(0.3), average="micro"), abs=1e-12)
