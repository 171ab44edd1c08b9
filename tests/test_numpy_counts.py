"""The numpy counting of small inputs gives the kernels' Counts exactly."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import Accumulator, _numpy_counts
from labelwise.counts import Counts


@st.composite
def pairs(draw):
    n = draw(st.integers(1, 40))
    L = draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    density = draw(st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]))
    t = rng.random((n, L)) < density
    p = rng.random((n, L)) < draw(st.sampled_from([0.0, 0.3, 1.0]))
    if n and draw(st.booleans()):  # some rows empty on both sides
        empty = rng.random(n) < 0.4
        t[empty] = False
        p[empty] = False
    weights = None
    if draw(st.booleans()):
        weights = rng.choice([0.0, 0.1, 0.5, 1.0, 2.5, 1e-3, 7.0], size=n)
        if n and weights.sum() == 0:
            weights[0] = 1.0
    unknown = None
    if n and draw(st.booleans()):
        unknown = (rng.random((n, L)) < 0.2) & ~t
    return t.astype(int), p.astype(int), weights, unknown


def _both_paths(make):
    take = _numpy_counts.take
    try:
        _numpy_counts.take = lambda cells: True
        by_numpy = make()
        _numpy_counts.take = lambda cells: False
        by_kernel = make()
    finally:
        _numpy_counts.take = take
    return by_numpy, by_kernel


def _assert_identical(a: Counts, b: Counts):
    assert a == b
    for f in a.__dataclass_fields__:
        x, y = getattr(a, f), getattr(b, f)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, f


@settings(max_examples=150, deadline=None)
@given(pairs(), st.booleans())
def test_numpy_counts_equal_the_kernel_counts(case, sparse):
    t, p, w, unknown = case
    if sparse:
        t, p = sp.csr_matrix(t), sp.csr_matrix(p)
    a, b = _both_paths(lambda: Counts.from_arrays(t, p, sample_weight=w))
    _assert_identical(a, b)


@settings(max_examples=60, deadline=None)
@given(pairs())
def test_numpy_counts_with_unknown_entries_equal_the_kernel_counts(case):
    t, p, w, unknown = case
    if unknown is None or not unknown.any():
        return
    truth = np.where(unknown, -1, t)

    def count():
        acc = Accumulator(unknown=-1)
        acc.update(truth, p, sample_weight=w)
        return acc.counts

    a, b = _both_paths(count)
    assert a.unknown is not None
    _assert_identical(a, b)



def _weighted_case(n=30_000, L=100, seed=1):
    rng = np.random.default_rng(seed)  # n * L between the threads' size and the budget
    return rng.random((n, L)) < 0.3, rng.random((n, L)) < 0.3, rng.random(n)


def test_a_weighted_call_gives_the_same_numbers_the_second_time():
    import labelwise

    t, p, w = _weighted_case()
    first = labelwise.evaluate(t, p, sample_weight=w)
    second = labelwise.evaluate(t, p, sample_weight=w)
    assert first.metrics == second.metrics  # exactly, whichever path each call took
    assert first.counts == second.counts


def test_weighted_counts_do_not_depend_on_the_number_of_cores(monkeypatch):
    t, p, w = _weighted_case(n=60_000)
    found = []
    for cores in (1, 2, 4):
        monkeypatch.setattr("os.cpu_count", lambda cores=cores: cores)
        found.append(Counts.from_arrays(t, p, sample_weight=w))
    assert found[0] == found[1] == found[2]
    for a in found[1:]:
        assert np.array_equal(a.tp, found[0].tp) and np.array_equal(a.tn, found[0].tn)
