"""The word-at-a-time dense kernels count exactly what a brute-force numpy count does.

Every case goes to the kernels (the numpy path for small inputs is switched off),
over one row block or many, with row widths on both sides of 8 and 16 (the
narrow kernel) and not divisible by 8, more than 255 rows (the byte counters are
flushed), empty rows, weights, unknown entries, several dtypes and memory orders.
"""

from __future__ import annotations

import pickle
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import Accumulator, _numpy_counts, _parallel
from labelwise import counts as counts_module
from labelwise import counts as counts_module
from labelwise.counts import Counts
from labelwise._dense_kernels import flat_bytes

DTYPES = (np.bool_, np.int8, np.uint8, np.int64)
LAYOUTS = ("C", "F", "strided")


@st.composite
def dense_pairs(draw, max_rows=700, max_labels=40):
    n = draw(st.integers(1, max_rows))
    L = draw(st.one_of(st.integers(1, 18), st.integers(1, max_labels)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    t = rng.random((n, L)) < draw(st.sampled_from([0.0, 0.05, 0.3, 0.9, 1.0]))
    p = rng.random((n, L)) < draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    if draw(st.booleans()):  # rows empty on both sides
        empty = rng.random(n) < 0.3
        t[empty] = False
        p[empty] = False
    weights = None
    if draw(st.booleans()):
        weights = rng.choice([0.0, 0.1, 0.5, 1.0, 2.5, 1e-3, 7.0], size=n)
        if weights.sum() == 0:
            weights[0] = 1.0
    return t, p, weights, draw(st.sampled_from(DTYPES)), draw(st.sampled_from(LAYOUTS))


def _laid_out(x: np.ndarray, dtype, layout: str) -> np.ndarray:
    """``x`` as ``dtype`` in the memory order ``layout``: C, Fortran, or a strided view."""
    x = x.astype(dtype)
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "strided":  # every other column of a wider matrix
        wide = np.zeros((x.shape[0], 2 * x.shape[1]), dtype=dtype)
        wide[:, ::2] = x
        return wide[:, ::2]
    return np.ascontiguousarray(x)


def _brute_force(t: np.ndarray, p: np.ndarray, w) -> dict:
    """Per-label counts and row groups of bool matrices, by numpy sums and np.unique."""
    t = t.astype(bool)
    p = p.astype(bool)
    ww = np.ones(t.shape[0]) if w is None else w
    cells = {"tp": t & p, "fp": ~t & p, "fn": t & ~p, "tn": ~t & ~p}
    out = {k: (v.sum(axis=0) if w is None else (ww[:, None] * v).sum(axis=0))
           for k, v in cells.items()}
    triples = np.stack([t.sum(1), p.sum(1), (t & p).sum(1)], axis=1)
    uniq, inv = np.unique(triples, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    out.update(row_true=uniq[:, 0], row_pred=uniq[:, 1], row_both=uniq[:, 2],
               row_count=np.bincount(inv), row_weight=np.bincount(inv, ww))
    return out


def _kernels_only(blocks: bool):
    """Count with the kernels, on one row block or (``blocks``) on many."""
    patches = [mock.patch.object(_numpy_counts, "take", lambda cells: False)]
    if blocks:
        patches.append(mock.patch.object(_parallel, "SERIAL_CELLS", 0))
    return patches


def _count(make, blocks: bool):
    patches = _kernels_only(blocks)
    for patch in patches:
        patch.start()
    try:
        return make()
    finally:
        for patch in reversed(patches):
            patch.stop()


@settings(max_examples=150, deadline=None)
@given(dense_pairs(), st.booleans())
def test_kernel_counts_equal_a_brute_force_count(case, blocks):
    t, p, w, dtype, layout = case
    c = _count(lambda: Counts.from_arrays(_laid_out(t, dtype, layout),
                                          _laid_out(p, dtype, layout), sample_weight=w),
               blocks)
    ref = _brute_force(t, p, w)
    for f in ("tp", "fp", "fn", "tn"):
        if w is None:
            assert getattr(c, f).dtype == np.int64
            np.testing.assert_array_equal(getattr(c, f), ref[f], err_msg=f)
        else:
            np.testing.assert_allclose(getattr(c, f), ref[f], rtol=1e-12, atol=1e-9,
                                       err_msg=f)
    for f in ("row_true", "row_pred", "row_both", "row_count"):
        assert getattr(c, f).dtype == np.int64, f
        np.testing.assert_array_equal(getattr(c, f), ref[f], err_msg=f)
    np.testing.assert_allclose(c.row_weight, ref["row_weight"], rtol=1e-12)
    assert c.n_samples == t.shape[0]


@settings(max_examples=80, deadline=None)
@given(dense_pairs(max_rows=400))
def test_kernel_row_sizes_equal_the_row_sums(case):
    t, p, w, dtype, layout = case
    data = counts_module.coerce_pair(_laid_out(t, dtype, layout), _laid_out(p, dtype, layout))
    out = _count(lambda: counts_module.per_row_counts(data, w), blocks=True)
    for got, want in zip(out[4:], (t.sum(1), p.sum(1), (t & p).sum(1))):
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, want)


@settings(max_examples=60, deadline=None)
@given(dense_pairs(max_rows=400), st.booleans())
def test_kernel_counts_equal_the_numpy_counts(case, blocks):
    """Counts identical to those of the numpy path, dtypes included (same order of
    sums when the rows are one block)."""
    t, p, w, dtype, layout = case
    make = lambda: Counts.from_arrays(_laid_out(t, dtype, layout),  # noqa: E731
                                      _laid_out(p, dtype, layout), sample_weight=w)
    with mock.patch.object(_numpy_counts, "take", lambda cells: True):
        by_numpy = make()
    by_kernel = _count(make, blocks)
    if w is None or not blocks:
        assert by_numpy == by_kernel
    for f in by_numpy.__dataclass_fields__:
        a, b = getattr(by_numpy, f), getattr(by_kernel, f)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, f
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9, err_msg=f)


@settings(max_examples=60, deadline=None)
@given(dense_pairs(max_rows=400), st.booleans())
def test_kernel_counts_with_unknown_entries(case, blocks):
    t, p, w, _, _ = case
    unknown = (np.random.default_rng(t.shape[0]).random(t.shape) < 0.2) & ~t
    if not unknown.any():
        return
    truth = np.where(unknown, -1, t.astype(int))

    def count():
        acc = Accumulator(unknown=-1)
        acc.update(truth, p.astype(int), sample_weight=w)
        return acc.counts

    with mock.patch.object(_numpy_counts, "take", lambda cells: True):
        by_numpy = count()
    by_kernel = _count(count, blocks)
    assert by_kernel.unknown is not None
    np.testing.assert_array_equal(by_kernel.row_unknown, by_numpy.row_unknown)
    for f in by_numpy.__dataclass_fields__:  # weights add up block by block
        a, b = getattr(by_numpy, f), getattr(by_kernel, f)
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9, err_msg=f)


@pytest.mark.parametrize("L", [1, 7, 8, 9, 15, 16, 17, 64, 100])
def test_full_byte_counters_do_not_overflow(L):
    """Every cell true in 255 * 3 + 1 rows: each byte counter reaches 255 before a flush."""
    n = 255 * 3 + 1
    t = np.ones((n, L), dtype=bool)
    c = _count(lambda: Counts.from_arrays(t, t), blocks=False)
    assert c.tp.tolist() == [n] * L
    assert c.fp.tolist() == c.fn.tolist() == c.tn.tolist() == [0] * L
    assert (c.row_true.tolist(), c.row_count.tolist()) == ([L], [n])


@pytest.mark.parametrize("L", [255, 256, 2047, 2048, 2100])
def test_rows_of_hundreds_of_true_labels(L):
    """Row sizes past a byte (and past 255 words of a row) are summed exactly."""
    rng = np.random.default_rng(L)
    t = rng.random((5, L)) < 0.95
    t[0] = True
    p = rng.random((5, L)) < 0.5
    data = counts_module.coerce_pair(t, p)
    out = _count(lambda: counts_module.per_row_counts(data), blocks=False)
    for got, want in zip(out[4:], (t.sum(1), p.sum(1), (t & p).sum(1))):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(out[0], (t & p).sum(0))


def test_flat_bytes_pads_short_matrices_and_views_long_ones():
    x = np.ones((3, 4), dtype=bool)
    assert np.shares_memory(flat_bytes(x), x)
    assert flat_bytes(np.ones((1, 3), dtype=bool)).tolist() == [1, 1, 1, 0, 0, 0, 0, 0]
    assert flat_bytes(np.asfortranarray(np.eye(3, dtype=bool))).tolist()[:9] == [
        1, 0, 0, 0, 1, 0, 0, 0, 1]


@pytest.mark.parametrize("weighted", [False, True])
def test_kept_histograms_are_zero_again_for_the_next_batch(weighted):
    # a batch of full rows writes far into the row-group histogram; the next batch,
    # of sparse rows, gets the same histogram back and must count only its own rows
    rng = np.random.default_rng(4)
    full = np.ones((300, 40), dtype=bool)
    sparse_t = rng.random((500, 40)) < 0.05
    sparse_p = rng.random((500, 40)) < 0.05
    w_full = rng.random(300) + 0.5 if weighted else None
    w_sparse = rng.random(500) + 0.5 if weighted else None
    for _ in range(3):
        _count(lambda: Counts.from_arrays(full, full, sample_weight=w_full), True)
        got = _count(lambda: Counts.from_arrays(sparse_t, sparse_p, sample_weight=w_sparse),
                     True)
        ref = _brute_force(sparse_t, sparse_p, w_sparse)
        for name in ("row_true", "row_pred", "row_both", "row_count"):
            np.testing.assert_array_equal(getattr(got, name), ref[name])
        np.testing.assert_allclose(got.row_weight, ref["row_weight"], rtol=1e-12)
    assert counts_module._HISTOGRAMS._free  # the histograms were kept, and reused


@pytest.mark.parametrize("weighted", [False, True])
def test_tallied_batches_count_their_rows_once_however_the_state_is_read(weighted):
    # batches counted by the kernels put their rows into the accumulator's tally,
    # which is read once when the state is: the row groups are those of all the rows
    rng = np.random.default_rng(6)
    n, L = 2400, 30
    t = rng.random((n, L)) < rng.uniform(0.02, 0.6, L)
    p = rng.random((n, L)) < rng.uniform(0.02, 0.6, L)
    w = rng.random(n) + 0.5 if weighted else None
    with mock.patch.object(_numpy_counts, "take", lambda cells: False):
        acc = Accumulator()
        for lo in range(0, n, 100):
            acc.update(t[lo:lo + 100], p[lo:lo + 100],
                       sample_weight=None if w is None else w[lo:lo + 100])
            if lo == 1000:
                half = pickle.loads(pickle.dumps(acc))
                copy = acc.copy()
        assert acc.__dict__["_tally"].rows > 0  # rows wait in the tally, not in counts
        got = acc.counts
        assert acc.__dict__["_tally"].rows == 0
    ref = _brute_force(t, p, w)
    for name in ("row_true", "row_pred", "row_both", "row_count"):
        np.testing.assert_array_equal(getattr(got, name), ref[name])
    np.testing.assert_allclose(got.row_weight, ref["row_weight"], rtol=1e-12)
    np.testing.assert_array_equal(got.tp, ref["tp"]) if not weighted else \
        np.testing.assert_allclose(got.tp, ref["tp"], rtol=1e-12)
    assert half.n_samples == copy.n_samples == 1100 and got.n_samples == n
    assert half.counts == copy.counts
    assert half.counts.row_count.sum() == 1100
