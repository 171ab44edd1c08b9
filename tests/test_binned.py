"""Tests for labelwise.binned: the additive binned state for ROC-AUC and average precision."""

from __future__ import annotations

import json
import math
import pickle
import time
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, roc_auc_score

import labelwise
from labelwise import binned
from labelwise.binned import BinnedAucAp, BinnedScores
from labelwise.ranking import auc_ap

TOL = 1e-12  # room for rounding when comparing against a bound


def make_data(seed, n, L, density=0.05, dtype=np.float64, scores=None):
    rng = np.random.default_rng(seed)
    y = rng.random((n, L)) < density
    s = rng.random((n, L)).astype(dtype) if scores is None else scores(rng, (n, L))
    return sp.csr_matrix(y.astype(np.int8)), s


def assert_within_bound(found: BinnedAucAp, exact, tol=TOL):
    """The exact values lie within the stated bounds, and NaN exactly where exact is NaN."""
    np.testing.assert_array_equal(np.isnan(found.label_auc), np.isnan(exact.label_auc))
    np.testing.assert_array_equal(np.isnan(found.label_auc_bound), np.isnan(exact.label_auc))
    ok = ~np.isnan(exact.label_auc)
    assert np.all(np.abs(found.label_auc - exact.label_auc)[ok] <= found.label_auc_bound[ok] + tol)
    assert np.all(np.abs(found.label_ap - exact.label_ap) <= found.label_ap_bound + tol)
    assert math.isnan(found.micro_auc) == math.isnan(exact.micro_auc)
    if not math.isnan(exact.micro_auc):
        assert abs(found.micro_auc - exact.micro_auc) <= found.micro_auc_bound + tol
    assert abs(found.micro_ap - exact.micro_ap) <= found.micro_ap_bound + tol


def loose_ap_bound(state: BinnedScores) -> np.ndarray:
    """Share of positives whose bin holds a negative or lies below one (per label)."""
    neg, pos = state.counts[..., 0], state.counts[..., 1]
    neg_ge = np.cumsum(neg[::-1], axis=0)[::-1]
    P = pos.sum(axis=0)
    return np.where(P > 0, (pos * (neg_ge > 0)).sum(axis=0) / np.where(P > 0, P, 1), 0.0)


# --------------------------------------------------------------------------------------
# Worked examples with hand-checked numbers
# --------------------------------------------------------------------------------------


class TestWorkedExamples:
    # one label; scores and truth, highest first: 0.9 (neg), 0.5 (pos), 0.4 (pos), 0.1 (neg)
    y = sp.csr_matrix(np.array([[0], [1], [1], [0]]))
    s = np.array([[0.9], [0.5], [0.4], [0.1]])

    def test_fine_bins_are_exact(self):
        r = BinnedScores(1, bins=10).update(self.y, self.s).auc_ap()
        # pairs (pos > neg): 0.5 > 0.1, 0.4 > 0.1 -> 2 of 4
        assert r.label_auc[0] == 0.5
        # precision at the positives: 1/2 and 2/3
        expected = Fraction(1, 2) * (Fraction(1, 2) + Fraction(2, 3))
        assert r.label_ap[0] == pytest.approx(float(expected))
        assert r.label_auc_bound[0] == 0 and r.label_ap_bound[0] == 0

    def test_two_bins(self):
        # bins [0, 0.5) and [0.5, 1]: {0.1 neg, 0.4 pos} and {0.5 pos, 0.9 neg}
        r = BinnedScores(1, bins=2).update(self.y, self.s).auc_ap()
        # pairs within a bin count 1/2: (0.5, 0.9) and (0.4, 0.1); (0.5, 0.1) counts 1
        assert r.label_auc[0] == 0.5
        assert r.label_auc_bound[0] == 0.5 * 2 / 4
        # the upper bin: 1 positive of 2, precision 1/2; both bins: 2 of 4
        assert r.label_ap[0] == 0.5
        exact = auc_ap(self.y, self.s)
        assert abs(r.label_auc[0] - exact.label_auc[0]) <= r.label_auc_bound[0]
        assert abs(r.label_ap[0] - exact.label_ap[0]) <= r.label_ap_bound[0]

    def test_bin_of_positives_only_below_a_negative_moves_ap(self):
        # 0.9 (neg), 0.7 (pos), 0.6 (pos): exact precision at the positives 1/2 and 2/3
        y = sp.csr_matrix(np.array([[0], [1], [1]]))
        s = np.array([[0.9], [0.7], [0.6]])
        assert auc_ap(y, s).label_ap[0] == pytest.approx(7 / 12)
        # bins [0.5, 0.75) and [0.75, 1]: the two positives share the lower bin, which holds
        # no negative; tied, both see precision 2/3
        state = BinnedScores(1, bins=2, score_range=(0.5, 1.0)).update(y, s)
        r = state.auc_ap()
        assert r.label_ap[0] == pytest.approx(2 / 3)
        # the bound is reached: the lower end, positives one by one, is (1/2 + 2/3) / 2
        assert r.label_ap_bound[0] == pytest.approx(1 / 12)
        assert loose_ap_bound(state)[0] == 1.0  # the bin lies below a negative
        assert r.label_auc[0] == 0.0 and r.label_auc_bound[0] == 0.0

    def test_one_bin_ties_everything(self):
        r = BinnedScores(1, bins=1).update(self.y, self.s).auc_ap()
        assert r.label_auc[0] == 0.5 and r.label_auc_bound[0] == 0.5
        assert r.label_ap[0] == 0.5  # P / n

    def test_constant_truth(self):
        y = sp.csr_matrix(np.array([[1, 0], [1, 0], [1, 0]]))
        s = np.array([[0.2, 0.3], [0.5, 0.1], [0.7, 0.9]])
        r = BinnedScores(2, bins=10).update(y, s).auc_ap()  # one score per bin
        exact = auc_ap(y, s)
        # label 0 has no negative: NaN AUC, AP 1; label 1 no positive: NaN AUC, AP 0
        assert np.isnan(r.label_auc).all() and np.isnan(r.label_auc_bound).all()
        assert r.label_ap.tolist() == exact.label_ap.tolist() == [1.0, 0.0]
        assert r.label_ap_bound.tolist() == [0.0, 0.0]
        assert r.micro_auc == pytest.approx(exact.micro_auc)

    def test_empty_state(self):
        r = BinnedScores(3, bins=5).auc_ap()
        assert np.isnan(r.label_auc).all() and math.isnan(r.micro_auc)
        assert r.label_ap.tolist() == [0.0, 0.0, 0.0] and r.micro_ap == 0.0
        assert r.micro_ap_bound == 0.0

    def test_edges(self):
        # lo goes in the first bin, hi in the last, an inner edge in the bin above it
        state = BinnedScores(1, bins=4, score_range=(-1.0, 1.0))
        state.update(sp.csr_matrix(np.ones((3, 1))), np.array([[-1.0], [1.0], [0.5]]))
        assert state.counts[:, 0, 1].tolist() == [1.0, 0.0, 0.0, 2.0]
        assert state.edges.tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]

    def test_update_counts_layout(self):
        state = BinnedScores(2, bins=2)
        state.update(sp.csr_matrix(np.array([[1, 0], [0, 1]])), np.array([[0.9, 0.1], [0.2, 0.6]]))
        assert state.counts.shape == (2, 2, 2)
        # label 0: positive in bin 1, negative in bin 0; label 1: negative bin 0, positive bin 1
        assert state.counts[:, 0].tolist() == [[1.0, 0.0], [0.0, 1.0]]
        assert state.counts[:, 1].tolist() == [[1.0, 0.0], [0.0, 1.0]]


# --------------------------------------------------------------------------------------
# Against the exact path and scikit-learn
# --------------------------------------------------------------------------------------


def test_w2_shaped_10000_bins():
    """100,000 x 100 float32 uniform scores, 5% density, 10,000 bins.

    ROC-AUC is within 1e-4 of exact for every label and micro. Average precision
    weighs every positive 1/P, and the first positives' precision depends on the
    order within the top bins (about 10 samples each here): a label's AP can be off
    by a few 1e-4 (about 1/P = 2e-4), always within its bound, while micro AP and
    the mean over labels are within 1e-4.
    """
    y, s = make_data(7, 100_000, 100, density=0.05, dtype=np.float32)
    start = time.perf_counter()
    state = BinnedScores(100, bins=10_000).update(y, s)
    found = state.auc_ap()
    elapsed = time.perf_counter() - start
    exact = auc_ap(y, s)
    assert np.abs(found.label_auc - exact.label_auc).max() < 1e-4
    assert abs(found.micro_auc - exact.micro_auc) < 1e-4
    assert abs(found.micro_ap - exact.micro_ap) < 1e-4
    assert abs(found.label_ap.mean() - exact.label_ap.mean()) < 1e-4
    assert np.median(np.abs(found.label_ap - exact.label_ap)) < 1e-4
    assert np.abs(found.label_ap - exact.label_ap).max() < 5e-4
    assert_within_bound(found, exact)
    assert found.label_auc_bound.max() < 1e-4 and found.label_ap_bound.max() < 1e-3
    assert state.counts.sum() == 100_000 * 100
    assert elapsed < 10  # typically well under a second; generous for loaded machines


@pytest.mark.parametrize("weighted", [False, True])
def test_ties_at_bin_resolution_equal_sklearn(weighted):
    bins = 40
    rng = np.random.default_rng(3)
    n, L = 500, 4
    y = rng.random((n, L)) < 0.3
    s = (rng.integers(0, bins, (n, L)) + 0.5) / bins  # bin centres: exact ties
    w = rng.random(n) * 3 if weighted else None
    found = BinnedScores(L, bins=bins).update(sp.csr_matrix(y), s, w).auc_ap()
    for j in range(L):
        assert found.label_auc[j] == pytest.approx(
            roc_auc_score(y[:, j], s[:, j], sample_weight=w), abs=1e-12)
        assert found.label_ap[j] == pytest.approx(
            average_precision_score(y[:, j], s[:, j], sample_weight=w), abs=1e-12)
    wr = None if w is None else np.repeat(w, L)
    assert found.micro_auc == pytest.approx(roc_auc_score(y.ravel(), s.ravel(), sample_weight=wr),
                                            abs=1e-12)
    assert found.micro_ap == pytest.approx(
        average_precision_score(y.ravel(), s.ravel(), sample_weight=wr), abs=1e-12)
    exact = auc_ap(sp.csr_matrix(y), s, w)
    np.testing.assert_allclose(found.label_auc, exact.label_auc, rtol=0, atol=1e-12)
    np.testing.assert_allclose(found.label_ap, exact.label_ap, rtol=0, atol=1e-12)


def _uniform(rng, shape):
    return rng.random(shape)


def _heavily_tied(rng, shape):
    return rng.integers(0, 7, shape) / 6.0  # seven values, some on bin edges


def _beta(rng, shape):
    return rng.beta(0.3, 0.3, shape)  # piled up near 0 and 1


@pytest.mark.parametrize("scores", [_uniform, _heavily_tied, _beta],
                         ids=["uniform", "tied", "beta"])
@pytest.mark.parametrize("bins", [1, 3, 16, 1000])
@pytest.mark.parametrize("weights", [None, "float", "integer", "with_zeros"])
def test_bound_holds(scores, bins, weights):
    n, L = 300, 5
    y, s = make_data(11 + bins, n, L, density=0.2, scores=scores)
    rng = np.random.default_rng(bins)
    w = {None: None, "float": rng.random(n) * 4, "integer": rng.integers(1, 4, n).astype(float),
         "with_zeros": np.where(rng.random(n) < 0.3, 0.0, rng.random(n))}[weights]
    state = BinnedScores(L, bins=bins).update(y, s, w)
    found = state.auc_ap()
    assert_within_bound(found, auc_ap(y, s, w))
    assert state.integer_weights == (weights in (None, "integer"))
    assert np.all(found.label_ap_bound <= loose_ap_bound(state) + TOL)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True])
def test_logits_within_bound(dtype, weighted):
    n, L = 2000, 6
    y, x = make_data(5, n, L, density=0.1,
                     scores=lambda rng, shape: rng.normal(0, 3, shape).astype(dtype))
    w = np.random.default_rng(1).random(n) if weighted else None
    for bins in (50, 10_000):
        state = BinnedScores(L, bins=bins, logits=True).update(y, x, w)
        found = state.auc_ap()
        assert_within_bound(found, auc_ap(y, x, w))
    assert np.abs(found.label_auc - auc_ap(y, x, w).label_auc).max() < 1e-3


def test_logits_far_out_fit_without_warnings():
    y = sp.csr_matrix(np.array([[1], [0], [1], [0]]))
    x = np.array([[1e300], [-1e300], [40.0], [-800.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        state = BinnedScores(1, bins=10, logits=True).update(y, x)
    assert state.counts[:, 0].tolist()[0] == [2.0, 0.0]
    assert state.counts[:, 0].tolist()[-1] == [0.0, 2.0]
    assert state.score_range == (0.0, 1.0)
    # the range passed is not used with logits
    assert BinnedScores(1, bins=10, score_range=(-5, 5), logits=True).score_range == (0.0, 1.0)


def test_float32_and_float64_share_bins():
    y, s = make_data(2, 400, 3, density=0.3, dtype=np.float32)
    a = BinnedScores(3, bins=997).update(y, s)
    b = BinnedScores(3, bins=997).update(y, s.astype(np.float64))
    np.testing.assert_array_equal(a.counts, b.counts)


def test_unweighted_bound_is_zero_without_shared_bins():
    rng = np.random.default_rng(0)
    n = 50
    s = ((rng.permutation(n) + 0.5) / n).reshape(-1, 1)  # one sample per bin
    y = sp.csr_matrix((rng.random((n, 1)) < 0.4).astype(int))
    found = BinnedScores(1, bins=n).update(y, s).auc_ap()
    exact = auc_ap(y, s)
    assert found.label_auc_bound[0] == 0 and found.label_ap_bound[0] == pytest.approx(0, abs=1e-13)
    assert found.label_ap[0] == pytest.approx(exact.label_ap[0], abs=1e-12)
    assert found.label_auc[0] == pytest.approx(exact.label_auc[0], abs=1e-12)


def test_small_chunks_give_the_same_counts(monkeypatch):
    y, s = make_data(4, 257, 9, density=0.3)
    w = np.random.default_rng(0).random(257)
    whole = BinnedScores(9, bins=64).update(y, s, w)
    monkeypatch.setattr(binned, "_CHUNK_CELLS", 7)  # a row or less per step
    chunked = BinnedScores(9, bins=64).update(y, s, w)
    np.testing.assert_allclose(chunked.counts, whole.counts, rtol=1e-12)
    monkeypatch.setattr(binned, "_LABEL_CELLS", 100)  # one or two labels per step
    a, b = chunked.auc_ap(), whole.auc_ap()
    for field in BinnedAucAp._fields:
        np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=1e-12)


def test_truth_forms():
    y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0]])
    s = np.random.default_rng(0).random((3, 3))
    ref = BinnedScores(3, bins=5).update(sp.csr_matrix(y), s).counts
    for form in (y, y.astype(bool), sp.csc_matrix(y), sp.csr_array(y), sp.coo_matrix(y)):
        np.testing.assert_array_equal(BinnedScores(3, bins=5).update(form, s).counts, ref)
    unsorted = sp.csr_matrix((np.ones(3), np.array([2, 0, 1]), np.array([0, 2, 3, 3])),
                             shape=(3, 3))
    assert not unsorted.has_sorted_indices
    expected = BinnedScores(3, bins=5).update(unsorted.toarray(), s).counts
    np.testing.assert_array_equal(BinnedScores(3, bins=5).update(unsorted, s).counts, expected)


def test_empty_update_and_integer_scores():
    state = BinnedScores(2, bins=3)
    assert state.update(sp.csr_matrix((0, 2)), np.empty((0, 2))) is state
    assert state.counts.sum() == 0
    state.update(sp.csr_matrix(np.array([[1, 0]])), np.array([[1, 0]]))
    assert state.counts[2, 0, 1] == 1 and state.counts[0, 1, 0] == 1


# --------------------------------------------------------------------------------------
# Additivity and serialisation
# --------------------------------------------------------------------------------------


def test_halves_add_up_to_the_whole():
    y, s = make_data(8, 2001, 7, density=0.2, dtype=np.float32)
    whole = BinnedScores(7, bins=500).update(y, s)
    a = BinnedScores(7, bins=500).update(y[:900], s[:900])
    b = BinnedScores(7, bins=500).update(y[900:], s[900:])
    np.testing.assert_array_equal((a + b).counts, whole.counts)
    assert (a + b).integer_weights
    again = BinnedScores(7, bins=500).update(y[:900], s[:900]).update(y[900:], s[900:])
    np.testing.assert_array_equal(again.counts, whole.counts)


def test_weighted_halves_add_up_to_the_whole():
    y, s = make_data(9, 2001, 7, density=0.2)
    w = np.random.default_rng(9).random(2001) * 10
    whole = BinnedScores(7, bins=500).update(y, s, w)
    parts = BinnedScores(7, bins=500).update(y[:1000], s[:1000], w[:1000]) + \
        BinnedScores(7, bins=500).update(y[1000:], s[1000:], w[1000:])
    np.testing.assert_allclose(parts.counts, whole.counts, rtol=1e-12, atol=1e-12)
    assert not parts.integer_weights
    a, b = parts.auc_ap(), whole.auc_ap()
    for field in BinnedAucAp._fields:
        np.testing.assert_allclose(getattr(a, field), getattr(b, field), rtol=1e-12, atol=1e-12)


def test_merge_order_does_not_matter():
    y, s = make_data(10, 900, 4, density=0.3)
    cuts = [0, 100, 350, 351, 900]
    parts = [BinnedScores(4, bins=32).update(y[a:b], s[a:b]) for a, b in zip(cuts, cuts[1:])]
    forward = parts[0] + parts[1] + parts[2] + parts[3]
    backward = parts[3] + (parts[2] + (parts[1] + parts[0]))
    tree = (parts[2] + parts[0]) + (parts[3] + parts[1])
    total = sum(parts)
    in_place = BinnedScores(4, bins=32)
    for p in reversed(parts):
        assert in_place.merge(p) is in_place
    for other in (backward, tree, total, in_place):
        np.testing.assert_array_equal(other.counts, forward.counts)
    # adding makes a new state and leaves both sides alone
    before = parts[0].counts.copy()
    _ = parts[0] + parts[1]
    np.testing.assert_array_equal(parts[0].counts, before)


def test_to_dict_round_trip_through_json():
    y, s = make_data(12, 300, 3, density=0.3)
    w = np.random.default_rng(2).random(300)
    for state in (BinnedScores(3, bins=100).update(y, s),
                  BinnedScores(3, bins=7, score_range=(-1, 2)).update(y, s, w),
                  BinnedScores(3, bins=50, logits=True).update(y, s * 8 - 4)):
        d = json.loads(json.dumps(state.to_dict()))
        back = BinnedScores.from_dict(d)
        np.testing.assert_array_equal(back.counts, state.counts)
        assert (back.n_labels, back.bins, back.score_range, back.logits, back.integer_weights) == (
            state.n_labels, state.bins, state.score_range, state.logits, state.integer_weights)
        more = s * 8 - 4 if state.logits else s
        back.update(y, more)  # ready for more
        np.testing.assert_array_equal(back.counts, state.copy().update(y, more).counts)


def test_pickle():
    y, s = make_data(13, 200, 3, density=0.3)
    state = BinnedScores(3, bins=64).update(y, s, np.arange(200.0))
    back = pickle.loads(pickle.dumps(state))
    np.testing.assert_array_equal(back.counts, state.counts)
    assert back.integer_weights and back.bins == 64
    for a, b in zip(back.auc_ap(), state.auc_ap()):
        np.testing.assert_array_equal(a, b)


def test_repr():
    state = BinnedScores(2, bins=3)
    state.update(sp.csr_matrix(np.array([[1, 0]])), np.array([[0.5, 0.5]]))
    assert repr(state) == "BinnedScores(n_labels=2, bins=3, score_range=(0.0, 1.0), weight=1)"
    assert "logits=True" in repr(BinnedScores(2, logits=True))


# --------------------------------------------------------------------------------------
# Every error message
# --------------------------------------------------------------------------------------


def test_scores_outside_the_range():
    y = sp.csr_matrix(np.array([[1, 0], [0, 1], [1, 1]]))
    s = np.array([[0.5, 1.7], [-0.25, 0.5], [0.1, 0.2]])
    state = BinnedScores(2, bins=10)
    with pytest.raises(labelwise.InputError) as err:
        state.update(y, s)
    msg = str(err.value)
    assert "scores range from -0.25 to 1.7" in msg
    assert "score_range=(0, 1)" in msg
    assert "2 of 6 scores fall outside" in msg
    assert "Pass score_range=(-1, 2) (or wider)" in msg and "logits=True" in msg
    assert state.counts.sum() == 0  # left as it was
    assert isinstance(err.value, ValueError)


def test_float32_scores_just_outside_are_caught():
    lo = 0.1  # float32(0.1) is above 0.1, the next float32 below is below it
    below = np.nextafter(np.float32(lo), np.float32(0))
    state = BinnedScores(1, bins=10, score_range=(lo, 1.0))
    with pytest.raises(labelwise.InputError, match="1 of 2 scores fall outside"):
        state.update(sp.csr_matrix(np.array([[1], [0]])),
                     np.array([[below], [0.5]], dtype=np.float32))
    state.update(sp.csr_matrix(np.array([[1]])), np.array([[lo]], dtype=np.float32))
    assert state.counts[0, 0, 1] == 1


@pytest.mark.parametrize("logits", [False, True])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_scores(logits, bad):
    s = np.array([[0.5, bad], [0.1, 0.2]])
    with pytest.raises(labelwise.InputError,
                       match=r"scores hold 1 non-finite value\(s\) \(NaN or infinite\) among 4"):
        BinnedScores(2, logits=logits).update(sp.csr_matrix((2, 2)), s)


@pytest.mark.parametrize("setting, other, expected", [
    ("n_labels", BinnedScores(3, bins=10), "n_labels 3 vs 2"),
    ("bins", BinnedScores(2, bins=11), "bins 11 vs 10"),
    ("score_range", BinnedScores(2, bins=10, score_range=(-1, 1)),
     "score_range (-1.0, 1.0) vs (0.0, 1.0)"),
    ("logits", BinnedScores(2, bins=10, logits=True), "logits True vs False"),
])
def test_mismatched_merge(setting, other, expected):
    state = BinnedScores(2, bins=10)
    for attempt in (lambda: state + other, lambda: state.merge(other)):
        with pytest.raises(labelwise.InputError) as err:
            attempt()
        assert "cannot merge BinnedScores with different settings" in str(err.value)
        assert expected in str(err.value)
    both = BinnedScores(3, bins=11)
    with pytest.raises(labelwise.InputError, match="n_labels 3 vs 2; bins 11 vs 10"):
        state.merge(both)


def test_merge_with_something_else():
    state = BinnedScores(2)
    with pytest.raises(labelwise.InputError, match="can only merge a BinnedScores, got dict"):
        state.merge({})
    with pytest.raises(TypeError):
        state + 1


@pytest.mark.parametrize("y, s, w, expected", [
    (sp.csr_matrix((2, 2)), np.zeros((2, 3)),
     None, "scores have 3 columns but this BinnedScores counts 2 labels"),
    (sp.csr_matrix((3, 2)), np.zeros((2, 2)), None,
     r"y_true has shape \(3, 2\) but scores have shape \(2, 2\)"),
    (sp.csr_matrix((2, 2)), np.zeros(2), None, r"scores must be a 2-D .* got 1 dimension"),
    (sp.csr_matrix((2, 2)), sp.csr_matrix((2, 2)), None, "got a sparse matrix"),
    (sp.csr_matrix((2, 2)), np.array([["a", "b"], ["c", "d"]]), None, "scores must be numbers"),
    (sp.csr_matrix((2, 2)), np.zeros((2, 2)), np.ones(3),
     r"sample_weight has shape \(3,\) but there are 2 samples"),
    (sp.csr_matrix((2, 2)), np.zeros((2, 2)), np.array([1.0, -1.0]),
     "sample_weight must be finite and >= 0; 1 of 2"),
    (sp.csr_matrix((2, 2)), np.zeros((2, 2)), np.array([1.0, np.nan]),
     "sample_weight must be finite and >= 0; 1 of 2"),
    (sp.csr_matrix((2, 2)), np.zeros((2, 2)), ["a", "b"], "sample_weight must be numbers"),
    (sp.csr_matrix(np.array([[2, 0], [0, 1]])), np.zeros((2, 2)), None,
     "y_true stores values other than 1"),
    (np.array([[2, 0], [0, 1]]), np.zeros((2, 2)), None, "y_true must be a scipy.sparse CSR"),
    (np.zeros(2), np.zeros((2, 2)), None, "y_true must be a scipy.sparse CSR"),
])
def test_update_shape_and_value_errors(y, s, w, expected):
    state = BinnedScores(2)
    with pytest.raises(labelwise.InputError, match=expected):
        state.update(y, s, w)
    assert state.counts.sum() == 0


@pytest.mark.parametrize("kwargs, expected", [
    (dict(n_labels=0), "n_labels must be a positive whole number, got 0"),
    (dict(n_labels=2.5), "n_labels must be a positive whole number, got 2.5"),
    (dict(n_labels=2, bins=0), "bins must be a positive whole number, got 0"),
    (dict(n_labels=2, bins=True), "bins must be a positive whole number, got True"),
    (dict(n_labels=2, score_range=(1, 0)),
     r"score_range must be finite with lo < hi, got \(1, 0\)"),
    (dict(n_labels=2, score_range=(0, np.inf)), "score_range must be finite with lo < hi"),
    (dict(n_labels=2, score_range=0.5), r"score_range must be two numbers \(lo, hi\), got 0.5"),
    (dict(n_labels=2, score_range=(0, 1, 2)), r"score_range must be two numbers"),
])
def test_constructor_errors(kwargs, expected):
    with pytest.raises(labelwise.InputError, match=expected):
        BinnedScores(**kwargs)


def test_from_dict_errors():
    good = BinnedScores(2, bins=4).to_dict()
    with pytest.raises(labelwise.InputError, match="not the data of BinnedScores.to_dict"):
        BinnedScores.from_dict({"format": "something else"})
    with pytest.raises(labelwise.InputError, match="not the data of BinnedScores.to_dict"):
        BinnedScores.from_dict([1, 2])
    for broken in ({k: v for k, v in good.items() if k != "counts"},
                   dict(good, counts="not base64!"),
                   dict(good, bins=5),  # counts of the wrong size
                   dict(good, n_labels=0)):
        with pytest.raises(labelwise.InputError, match="not the data of BinnedScores.to_dict"):
            BinnedScores.from_dict(broken)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------


def test_harmonic_difference_matches_direct_sums():
    c = np.array([0, 1, 5, 62, 63, 64, 65, 100, 1e4, 1e7, 3e12], dtype=float)
    for m in (0, 1, 2, 7, 50, 200):
        found = binned._harmonic_difference(c, np.full_like(c, m))
        for ci, f in zip(c, found):
            expected = math.fsum(1.0 / (ci + j) for j in range(1, m + 1))
            assert f == pytest.approx(expected, rel=1e-13, abs=1e-300)


@st.composite
def small_cases(draw):
    n = draw(st.integers(1, 25))
    L = draw(st.integers(1, 3))
    bins = draw(st.integers(1, 12))
    logits = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["uniform", "few_values", "bin_edges"]))
    if logits:
        s = rng.normal(0, 3, (n, L)) if kind == "uniform" else rng.integers(-3, 4, (n, L)) * 1.0
    elif kind == "uniform":
        s = rng.random((n, L))
    elif kind == "few_values":
        s = rng.choice([0.0, 0.3, 0.7, 1.0], (n, L))
    else:
        s = rng.integers(0, bins + 1, (n, L)) / bins
    density = draw(st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]))
    y = rng.random((n, L)) < density
    weights = draw(st.sampled_from([None, "float", "integer"]))
    w = None
    if weights == "float":
        w = np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0.01, 10, n))
    elif weights == "integer":
        w = rng.integers(0, 4, n).astype(float)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    return sp.csr_matrix(y.astype(np.int8)), s.astype(dtype), w, bins, logits


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cases())
def test_bound_always_holds(case):
    y, s, w, bins, logits = case
    state = BinnedScores(y.shape[1], bins=bins, logits=logits).update(y, s, w)
    found = state.auc_ap()
    assert_within_bound(found, auc_ap(y, s, w), tol=1e-9)
    assert np.all(found.label_ap_bound <= loose_ap_bound(state) + 1e-9)
    assert np.all((found.label_ap_bound >= 0) & (found.label_ap_bound <= 1 + 1e-12))
    half = y.shape[0] // 2
    parts = BinnedScores(y.shape[1], bins=bins, logits=logits)
    parts.update(y[:half], s[:half], None if w is None else w[:half])
    parts += BinnedScores(y.shape[1], bins=bins, logits=logits).update(
        y[half:], s[half:], None if w is None else w[half:])
    np.testing.assert_allclose(parts.counts, state.counts, rtol=1e-12, atol=1e-12)
