"""Calibration: metrics.calibration_curve, ece, brier_score and log_loss against
scikit-learn and a reference written here, and the additive CalibrationBins state."""

from __future__ import annotations

import json
import math
from unittest import mock

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise
from labelwise import _budget
from labelwise.calibration_bins import CalibrationBins, check_probabilities
from labelwise.metrics import brier_score, calibration_curve, ece, log_loss

sk_cal = pytest.importorskip("sklearn.calibration")
sk_metrics = pytest.importorskip("sklearn.metrics")


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------


def data(seed, n=200, L=5, edges=False, weights=False):
    """Truth, scores (with exact 0, 1 and bin edges sprinkled in) and weights."""
    rng = np.random.default_rng(seed)
    s = rng.random((n, L))
    if edges and n:
        grid = np.concatenate([[0.0, 1.0], np.linspace(0, 1, 16), np.linspace(0, 1, 6)])
        pick = rng.random((n, L)) < 0.3
        s[pick] = rng.choice(grid, size=int(pick.sum()))
    y = (rng.random((n, L)) < s).astype(np.int64)
    w = rng.random(n) * 3 if weights else None
    return y, s, w


@st.composite
def problems(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(1, 60))
    L = draw(st.integers(1, 5))
    y, s, _ = data(seed, n, L, edges=True)
    rng = np.random.default_rng(seed + 1)
    if draw(st.booleans()):
        y[:, rng.integers(L)] = 0  # a label with no positive
    if draw(st.booleans()):
        s = np.round(s, draw(st.integers(0, 2)))  # many ties, and scores at 0 and 1
    return y, s


def reference_ece(y, p, n_bins, strategy="uniform", w=None):
    """ECE of one label written out: bins, then sum of share * |frequency - mean score|."""
    y = np.asarray(y, float)
    p = np.asarray(p, float)
    w = np.ones_like(p) if w is None else np.asarray(w, float)
    if strategy == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
    else:
        edges = np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)  # as scikit-learn
    total, out = w.sum(), 0.0
    for b in range(n_bins):
        if b == 0:
            inside = p <= edges[1] if n_bins > 1 else np.ones(p.shape, bool)
        elif b == n_bins - 1:
            inside = p > edges[b]
        else:
            inside = (p > edges[b]) & (p <= edges[b + 1])
        nb = w[inside].sum()
        if nb > 0:
            out += nb / total * abs(np.sum(w[inside] * y[inside]) / nb
                                    - np.sum(w[inside] * p[inside]) / nb)
    return out


# --------------------------------------------------------------------------
# against scikit-learn
# --------------------------------------------------------------------------


@pytest.mark.parametrize("weights", [False, True])
def test_brier_and_log_loss_per_label_equal_sklearn_per_column(weights):
    y, s, w = data(0, edges=True, weights=weights)
    got_b = brier_score(y, s, average=None, sample_weight=w)
    got_l = log_loss(y, s, average=None, sample_weight=w)
    for j in range(y.shape[1]):
        assert got_b[j] == pytest.approx(
            sk_metrics.brier_score_loss(y[:, j], s[:, j], sample_weight=w), rel=1e-12)
        assert got_l[j] == pytest.approx(
            sk_metrics.log_loss(y[:, j], s[:, j], labels=[0, 1], sample_weight=w), rel=1e-12)
    assert brier_score(y, s, sample_weight=w) == pytest.approx(got_b.mean(), rel=1e-12)
    assert log_loss(y, s, average="micro", sample_weight=w) == pytest.approx(got_l.mean())


def test_log_loss_clipping_is_stated_and_auto_follows_the_dtype():
    y = np.array([[1], [0]])
    s = np.array([[0.0], [1.0]])
    eps = np.finfo(np.float64).eps
    assert log_loss(y, s) == pytest.approx(-math.log(eps))
    assert log_loss(y, s) == pytest.approx(sk_metrics.log_loss(y[:, 0], s[:, 0], labels=[0, 1]))
    s32 = np.array([[0.0], [1.0]], dtype=np.float32)
    auto = log_loss(y, s32, eps="auto")
    assert auto == pytest.approx(sk_metrics.log_loss(y[:, 0], s32[:, 0], labels=[0, 1]),
                                 rel=1e-6)
    assert log_loss(y, s32) == pytest.approx(-math.log(eps))  # the default ignores dtype
    assert log_loss(y, s, eps=0.01) == pytest.approx(-math.log(0.01))


@settings(max_examples=60, deadline=None)
@given(problems(), st.integers(1, 12), st.sampled_from(["uniform", "quantile"]))
def test_curve_of_one_label_equals_sklearn(problem, n_bins, strategy):
    y, s = problem
    for j in range(y.shape[1]):
        want = sk_cal.calibration_curve(y[:, j], s[:, j], n_bins=n_bins, strategy=strategy)
        got = calibration_curve(y, s, label=j, n_bins=n_bins, strategy=strategy)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
    pooled = calibration_curve(y, s, n_bins=n_bins, strategy=strategy)
    want = sk_cal.calibration_curve(y.ravel(), s.ravel(), n_bins=n_bins, strategy=strategy)
    np.testing.assert_array_equal(pooled[0], want[0])
    np.testing.assert_array_equal(pooled[1], want[1])


def test_curve_of_a_single_sample_and_1d_input():
    got = calibration_curve([1], [0.7], n_bins=5, return_counts=True)
    assert [a.tolist() for a in got] == [[1.0], [0.7], [1.0]]
    want = sk_cal.calibration_curve([0, 1, 1], [0.2, 0.6, 1.0], n_bins=3)
    got = calibration_curve(np.array([0, 1, 1]), np.array([0.2, 0.6, 1.0]), n_bins=3)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_curve_counts_and_label_names():
    import pandas as pd

    y, s, _ = data(3, n=50, L=3)
    yt = pd.DataFrame(y, columns=["a", "b", "c"])
    ys = pd.DataFrame(s, columns=["a", "b", "c"])
    pt, pp, counts = calibration_curve(yt, ys, label="b", n_bins=4, return_counts=True)
    ref_t, ref_p = sk_cal.calibration_curve(y[:, 1], s[:, 1], n_bins=4)
    np.testing.assert_array_equal(pt, ref_t)
    np.testing.assert_array_equal(pp, ref_p)
    assert counts.sum() == 50 and (counts > 0).all()


def test_weighted_curve_is_the_curve_of_repeated_rows():
    y, s, _ = data(4, n=40, L=2)
    w = np.random.default_rng(0).integers(0, 4, 40)
    got = calibration_curve(y, s, label=1, n_bins=5, sample_weight=w, return_counts=True)
    rep = np.repeat(np.arange(40), w)
    want = calibration_curve(y[rep], s[rep], label=1, n_bins=5, return_counts=True)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12)


# --------------------------------------------------------------------------
# ECE against the reference
# --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(problems(), st.integers(1, 12), st.sampled_from(["uniform", "quantile"]))
def test_ece_equals_the_reference(problem, n_bins, strategy):
    y, s = problem
    per = ece(y, s, average=None, n_bins=n_bins, strategy=strategy)
    want = [reference_ece(y[:, j], s[:, j], n_bins, strategy) for j in range(y.shape[1])]
    np.testing.assert_allclose(per, want, rtol=1e-12, atol=1e-15)
    assert ece(y, s, n_bins=n_bins, strategy=strategy) == pytest.approx(np.mean(want))
    assert ece(y, s, average="micro", n_bins=n_bins, strategy=strategy) == pytest.approx(
        reference_ece(y.ravel(), s.ravel(), n_bins, strategy), abs=1e-14)


def test_weighted_ece_equals_the_reference():
    y, s, w = data(5, edges=True, weights=True)
    per = ece(y, s, average=None, sample_weight=w)
    want = [reference_ece(y[:, j], s[:, j], 15, w=w) for j in range(y.shape[1])]
    np.testing.assert_allclose(per, want, rtol=1e-12)


def test_ece_is_the_weighted_gap_of_the_curve():
    y, s, _ = data(6)
    pt, pp, n = calibration_curve(y, s, label=2, return_counts=True)
    assert ece(y, s, average=None)[2] == pytest.approx(np.sum(n / n.sum() * np.abs(pt - pp)))


def test_logits():
    from scipy.special import expit

    y, s, _ = data(7)
    z = np.log(s / (1 - s))
    assert ece(y, z, scores_are_logits=True) == pytest.approx(ece(y, expit(z)))
    assert brier_score(y, z, scores_are_logits=True) == pytest.approx(brier_score(y, s))


def test_calibrated_model_has_ece_near_0_and_sharpened_more():
    from scipy.special import expit, logit

    rng = np.random.default_rng(8)
    p = rng.random((20000, 4))
    y = (rng.random(p.shape) < p).astype(int)
    assert ece(y, p) < 0.02
    assert ece(y, expit(3 * logit(p))) > 0.1


# --------------------------------------------------------------------------
# the state
# --------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(1, 4), st.integers(1, 20),
       st.lists(st.integers(0, 40), max_size=4), st.booleans(), st.booleans())
def test_state_equals_the_functions_across_batches(seed, n, L, n_bins, cuts, weighted,
                                                   reverse):
    y, s, w = data(seed, n, L, edges=True, weights=weighted)
    bounds = [0, *sorted(min(c, n) for c in cuts), n]
    parts = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        part = CalibrationBins(L, bins=n_bins)
        yb = sp.csr_matrix(y[lo:hi]) if seed % 2 else y[lo:hi]
        parts.append(part.update(yb, s[lo:hi], None if w is None else w[lo:hi]))
    if reverse:
        parts = parts[::-1]
    state = sum(parts)
    kw = {"n_bins": n_bins, "sample_weight": w}
    np.testing.assert_allclose(state.ece(None), ece(y, s, average=None, **kw), atol=1e-12)
    assert state.ece("micro") == pytest.approx(ece(y, s, average="micro", **kw), abs=1e-12)
    assert state.ece("macro") == pytest.approx(ece(y, s, **kw), abs=1e-12)
    for avg in (None, "micro", "macro"):
        np.testing.assert_allclose(state.brier(avg), brier_score(y, s, average=avg,
                                                                 sample_weight=w), rtol=1e-10)
        np.testing.assert_allclose(state.log_loss(avg), log_loss(y, s, average=avg,
                                                                 sample_weight=w), rtol=1e-10)
    for label in (None, 0, L - 1):
        r = state.reliability(label)
        want = calibration_curve(y, s, label=label, return_counts=True, **kw)
        for a, b in zip(r, want):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    back = CalibrationBins.from_dict(json.loads(json.dumps(state.to_dict())))
    np.testing.assert_array_equal(back.counts, state.counts)
    np.testing.assert_array_equal(back.squared, state.squared)
    np.testing.assert_array_equal(back.log_losses, state.log_losses)
    assert back.ece(None).tolist() == state.ece(None).tolist() or np.isnan(state.ece(None)).any()


def test_state_bins_match_searchsorted_on_float32_at_the_edges():
    edges = np.linspace(0, 1, 16)
    s = np.concatenate([edges, np.nextafter(edges, 2), np.nextafter(edges, -1)])
    s = np.clip(s, 0, 1).astype(np.float32).reshape(-1, 1)
    state = CalibrationBins(1).update(np.zeros(s.shape, int), s)
    want = np.bincount(np.searchsorted(edges[1:-1], s.astype(np.float64).ravel()),
                       minlength=15)
    np.testing.assert_array_equal(state.counts[:, 0, 0], want)


@pytest.mark.parametrize("n_bins", [1, 2, 3, 7, 10, 15, 16, 20, 100, 999, 5000, 2**20 - 1, 2**20])
@pytest.mark.parametrize("dtype", ["float32", "float32 values as float64", "float64"])
def test_kernel_bins_match_searchsorted_beside_every_edge(n_bins, dtype):
    """The compiled pass bins every score as ``np.searchsorted(edges[1:-1], p)``: the
    scores next to each edge (a few steps of the score's own precision either
    side), the edges themselves where they are float32 values, 0 and 1, and random
    scores, for bin counts on both sides of the limit of the shortcut."""
    edges = np.linspace(0, 1, n_bins + 1)
    if n_bins > 5000:  # a sample of the edges, with the first and the last
        edges_near = edges[np.unique(np.r_[0, 1, 2, np.random.default_rng(0).integers(
            0, n_bins + 1, 300), n_bins - 1, n_bins])]
    else:
        edges_near = edges
    near = [edges_near]
    for width in (np.float32, np.float64):
        e = edges_near.astype(width)
        for _ in range(3):
            near += [np.nextafter(e, width(2)), np.nextafter(e, width(-1))]
            e = near[-1]
        e = edges_near.astype(width)
        for _ in range(3):
            e = np.nextafter(e, width(2))
            near.append(e)
    rng = np.random.default_rng(n_bins)
    s = np.concatenate([np.concatenate(near).astype(np.float64), [0.0, 0.5, 0.25, 1.0],
                        rng.random(500), rng.random(500).astype(np.float32)])
    s = np.clip(s, 0, 1)
    s = s.astype(np.float32) if dtype != "float64" else s
    s = s.astype(np.float64) if dtype == "float32 values as float64" else s
    s = np.resize(s, (len(s) // 4 * 4,)).reshape(-1, 4)  # four labels, whole rows
    y = rng.random(s.shape) < 0.5
    with mock.patch.object(_budget.SCORES, "take", lambda cells: False):
        state = CalibrationBins(4, n_bins).update(sp.csr_matrix(y), s)
        weighted = CalibrationBins(4, n_bins).update(sp.csr_matrix(y), s,
                                                     np.full(s.shape[0], 2.0))
    for j in range(4):
        want = np.bincount(np.searchsorted(edges[1:-1], s[:, j].astype(np.float64)),
                           minlength=n_bins)
        np.testing.assert_array_equal(state.counts[:, j, 0], want)
        np.testing.assert_array_equal(weighted.counts[:, j, 0], 2 * want)
        np.testing.assert_array_equal(
            state.counts[:, j, 2],
            np.bincount(np.searchsorted(edges[1:-1], s[y[:, j], j].astype(np.float64)),
                        minlength=n_bins))


def test_state_on_large_input_uses_blocks_and_agrees():
    y, s, _ = data(9, n=30000, L=80)
    s = s.astype(np.float32)
    state = CalibrationBins(80).update(sp.csr_matrix(y), s)
    assert state.ece("macro") == pytest.approx(ece(y, s), abs=1e-12)
    assert state.log_loss("micro") == pytest.approx(log_loss(y, s, average="micro"), rel=1e-12)


def test_state_over_a_wider_vocabulary():
    y, s, _ = data(10, n=30, L=2)
    state = CalibrationBins(2).update(y, s)
    wide = state.over([2, 0], 3)
    assert np.isnan(wide.ece(None)[1]) and wide.ece(None)[2] == state.ece(None)[0]
    assert wide.ece("macro") == pytest.approx(state.ece("macro"))
    assert wide.brier(None)[0] == state.brier(None)[1]
    with pytest.raises(labelwise.InputError, match="distinct place among 3"):
        state.over([0, 0], 3)


def test_signed_gap_direction():
    from scipy.special import expit, logit

    rng = np.random.default_rng(11)
    p = rng.random((5000, 3))
    y = (rng.random(p.shape) < p).astype(int)
    sharp = CalibrationBins(3).update(y, expit(3 * logit(p)))
    flat = CalibrationBins(3).update(y, expit(logit(p) / 3))
    assert (sharp.signed_gap(None) > 0.05).all() and (flat.signed_gap(None) < -0.05).all()


def test_empty_state_and_batches():
    state = CalibrationBins(2).update(np.zeros((0, 2), int), np.zeros((0, 2)))
    assert np.isnan(state.ece(None)).all() and math.isnan(state.ece())
    assert math.isnan(state.brier("micro")) and state.reliability().counts.size == 0


# --------------------------------------------------------------------------
# errors: every message
# --------------------------------------------------------------------------

Y = [[1, 0], [0, 1]]
S = [[0.8, 0.3], [0.2, 0.6]]


@pytest.mark.parametrize("call,match", [
    (lambda: ece(Y, [[0.8, 1.3], [0.2, 0.6]]),
     r"y_score has 1\.3 at row 0, column 1, but calibration reads scores as probabilities, "
     r"which lie in \[0, 1\]\. If the scores are logits, pass scores_are_logits=True or "
     r"apply a sigmoid"),
    (lambda: brier_score(Y, [[0.8, -0.1], [0.2, 0.6]]), r"-0\.1 at row 0, column 1"),
    (lambda: log_loss(Y, [[0.8, 0.3], [np.nan, 0.6]]), r"nan at row 1, column 0.*finite"),
    (lambda: calibration_curve(Y, [[0.8, 0.3, 0.1], [0.2, 0.6, 0.1]]),
     r"y_score has shape \(2, 3\) but y_true has shape \(2, 2\)"),
    (lambda: calibration_curve(Y, S, n_bins=0), r"n_bins must be a positive integer"),
    (lambda: ece(Y, S, n_bins=2.5), r"n_bins must be a positive integer .* got 2\.5"),
    (lambda: ece(Y, S, strategy="equal"),
     r"strategy must be 'uniform' \(equal-width bins\) or 'quantile'.*'equal'"),
    (lambda: calibration_curve(Y, S, strategy="kmeans"), r"strategy must be"),
    (lambda: ece(Y, S, average="weighted"),
     r"average must be one of \[None, 'micro', 'macro'\], got 'weighted'"),
    (lambda: brier_score(Y, S, average="samples"), r"average must be one of"),
    (lambda: log_loss(Y, S, eps=0), r"eps must be 'auto' or a number in \(0, 0\.5\)"),
    (lambda: ece(Y, S, sample_weight=[1.0]), r"sample_weight has shape \(1,\)"),
    (lambda: calibration_curve(Y, S, label=5),
     r"label must be a column index from 0 to 1 \(the labels have no names\), got 5"),
])
def test_function_errors(call, match):
    with pytest.raises(labelwise.InputError, match=match):
        call()


def test_unknown_label_name_suggests_the_close_one():
    import pandas as pd

    yt = pd.DataFrame(Y, columns=["jazz", "rock"])
    ys = pd.DataFrame(S, columns=["jazz", "rock"])
    with pytest.raises(labelwise.InputError,
                       match=r"label 'Jazz' is not one of the labels \['jazz', 'rock'\] "
                             r"\(did you mean 'jazz'\?\)\. Pass label=None"):
        calibration_curve(yt, ys, label="Jazz")


def test_bad_score_error_says_where():
    with pytest.raises(labelwise.InputError) as info:
        check_probabilities(np.array([[0.1, 0.2], [0.3, 7.0]]))
    assert (info.value.row, info.value.column, info.value.value) == (1, 1, 7.0)


@pytest.mark.parametrize("call,match", [
    (lambda: CalibrationBins(0), r"n_labels must be a positive integer, got 0"),
    (lambda: CalibrationBins(2, bins=0), r"bins must be a positive integer"),
    (lambda: CalibrationBins(2, eps=1.0), r"eps must be a number in \(0, 0\.5\)"),
    (lambda: CalibrationBins(2).update(Y, [[0.1, 0.2, 0.3]] * 2),
     r"scores have shape \(2, 3\) but the state holds 2 labels"),
    (lambda: CalibrationBins(2).update([[1, 0]], S),
     r"y_true has shape \(1, 2\) but the scores have shape \(2, 2\)"),
    (lambda: CalibrationBins(2).update([1, 0], S), r"y_true has shape \(2,\); expected"),
    (lambda: CalibrationBins(2).update([[2, 0], [0, 1]], S), r"y_true must hold 0/1 truth"),
    (lambda: CalibrationBins(2).update(sp.csr_matrix([[2, 0], [0, 1]]), S),
     r"y_true must hold 0/1 truth"),
    (lambda: CalibrationBins(2).update(Y, [["a", "b"], ["c", "d"]]),
     r"scores have dtype <U1; expected floating-point probabilities"),
    (lambda: CalibrationBins(2).update(Y, [[0.1, 2.0], [0.3, 0.4]]),
     r"scores has 2\.0 at row 0, column 1, but calibration reads scores as probabilities"),
    (lambda: CalibrationBins(2).update(Y, S, weights=[1.0, -1.0]),
     r"sample_weight\[1\] is -1\.0"),
    (lambda: CalibrationBins(2) + CalibrationBins(3),
     r"cannot merge calibration states with 15 bins and 3 labels into one with 15 bins "
     r"and 2 labels"),
    (lambda: CalibrationBins(2).merge(CalibrationBins(2, bins=10)), r"with 10 bins"),
    (lambda: CalibrationBins(2).merge(CalibrationBins(2, eps=1e-7)),
     r"cannot merge calibration states whose log losses clip at eps=1e-07"),
    (lambda: CalibrationBins(2).merge("state"), r"can only merge another CalibrationBins, got str"),
    (lambda: CalibrationBins.from_dict({"format": "other"}),
     r"not the data of CalibrationBins.to_dict\(\) \(no 'format'"),
    (lambda: CalibrationBins.from_dict({**CalibrationBins(2).to_dict(), "n_labels": 3}),
     r"not the data of CalibrationBins.to_dict\(\) \(94 sums for 141 cells\)"),
    (lambda: CalibrationBins(2).reliability(label=2),
     r"label must be a column index from 0 to 1, got 2"),
    (lambda: CalibrationBins(2).ece(average="weighted"), r"average must be one of"),
    (lambda: CalibrationBins(2).over([0, 1], 0), r"n_labels must be a positive integer"),
])
def test_state_errors(call, match):
    with pytest.raises(labelwise.InputError, match=match):
        call()
