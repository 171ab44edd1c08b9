"""Calibration in evaluate() and the Accumulator: the registry metrics equal the
functions of labelwise.metrics on every path (float32, float64, short decimals,
weights, logits, batches, merges, checkpoints), unknown entries are left out, and
scores that are no probabilities get none, with the reason."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit, logit

import labelwise
from labelwise import Accumulator
from labelwise.metrics import brier_score, ece, log_loss

TOL = 1e-12
NAMES = ("ece_macro", "ece_micro", "ece_adaptive_macro", "brier_macro", "brier_micro",
         "log_loss")


def expected(y, p, w=None, logits=False):
    kw = dict(sample_weight=w, scores_are_logits=logits)
    return {
        "ece_macro": ece(y, p, **kw), "ece_micro": ece(y, p, average="micro", **kw),
        "ece_adaptive_macro": ece(y, p, strategy="quantile", **kw),
        "brier_macro": brier_score(y, p, **kw), "brier_micro": brier_score(y, p, average="micro",
                                                                         **kw),
        "log_loss": log_loss(y, p, average="micro", **kw),
    }


def assert_calibration(report, want, names=NAMES):
    for name in names:
        assert report[name] == pytest.approx(want[name], abs=TOL, rel=1e-12), name


@st.composite
def problems(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 60))
    L = draw(st.integers(1, 5))
    p = rng.random((n, L))
    kind = draw(st.sampled_from(["float32", "float64", "decimals", "edges"]))
    if kind == "float32":
        p = p.astype(np.float32)
    elif kind == "decimals":  # the short decimals a text file holds: kept as codes
        p = np.round(p, 2)
    elif kind == "edges":  # scores on the bin edges, 0 and 1
        p = np.round(p * 15) / 15
    y = (rng.random((n, L)) < p).astype(np.int64)
    w = rng.uniform(0.2, 3.0, n) if draw(st.booleans()) else None
    return y, p, w


@settings(max_examples=80, deadline=None)
@given(problems())
def test_evaluate_equals_the_functions(problem):
    y, p, w = problem
    r = labelwise.evaluate(y, y_score=p, sample_weight=w)
    assert_calibration(r, expected(y, p, w))
    np.testing.assert_allclose(r.per_label["ece"], ece(y, p, average=None, sample_weight=w),
                               atol=TOL)
    np.testing.assert_allclose(r.per_label["brier"],
                               brier_score(y, p, average=None, sample_weight=w), atol=TOL)


@settings(max_examples=40, deadline=None)
@given(problems(), st.data())
def test_batches_merges_and_checkpoints_equal_one_call(problem, data):
    y, p, w = problem
    if len(y) < 2:
        return
    cut = data.draw(st.integers(1, len(y) - 1))
    whole = labelwise.evaluate(y, y_score=p, sample_weight=w)
    parts = [Accumulator().update(y[sl], y_score=p[sl],
                                  sample_weight=None if w is None else w[sl])
             for sl in (slice(0, cut), slice(cut, None))]
    merged = parts[1] + parts[0] if data.draw(st.booleans()) else parts[0] + parts[1]
    back = Accumulator.from_dict(json.loads(json.dumps(merged.to_dict())))
    for r in (merged.report(), back.report()):
        assert_calibration(r, whole.metrics)


def test_logits_are_read_through_the_sigmoid():
    rng = np.random.default_rng(1)
    p = rng.random((300, 4))
    y = (rng.random((300, 4)) < p).astype(int)
    r = labelwise.evaluate(y, y_score=logit(p), scores_are_logits=True)
    assert_calibration(r, expected(y, logit(p), logits=True))
    assert_calibration(r, expected(y, expit(logit(p))))


def test_adaptive_ece_read_off_the_sorted_keys_equals_the_sorting_function():
    rng = np.random.default_rng(2)
    p = rng.random((20_000, 30)).astype(np.float32)  # big enough for the parallel sort
    y = (rng.random((20_000, 30)) < p ** 2).astype(np.int8)
    r = labelwise.evaluate(sp.csr_matrix(y), y_score=p)
    assert r["ece_adaptive_macro"] == pytest.approx(ece(y, p, strategy="quantile"), abs=TOL)
    codes = np.round(p.astype(np.float64), 3)  # decimals: kept as float32 codes
    acc = Accumulator()._compact_scores().update(y, y_score=codes)
    assert acc.report()["ece_adaptive_macro"] == pytest.approx(
        ece(y, codes, strategy="quantile"), abs=TOL)


def test_binned_auc_keeps_no_scores_so_no_adaptive_ece():
    rng = np.random.default_rng(3)
    p = rng.random((200, 3))
    y = (rng.random((200, 3)) < p).astype(int)
    r = Accumulator(auc="binned").update(y, y_score=p).report()
    assert "ece_adaptive_macro" not in r.metrics
    assert_calibration(r, expected(y, p), names=[n for n in NAMES if "adaptive" not in n])


def test_unknown_entries_are_left_out_of_the_calibration():
    rng = np.random.default_rng(4)
    p = rng.random((400, 3))
    y = (rng.random((400, 3)) < p).astype(int)
    unknown = rng.random((400, 3)) < 0.3
    r = labelwise.evaluate(np.where(unknown, -1, y), y_score=p, unknown=-1)
    for j in range(3):
        known = ~unknown[:, j]
        assert r.per_label["ece"][j] == pytest.approx(ece(y[known, j], p[known, j]), abs=TOL)
        assert r.per_label["brier"][j] == pytest.approx(
            brier_score(y[known, j], p[known, j]), abs=TOL)
    assert r["ece_micro"] == pytest.approx(ece(y[~unknown], p[~unknown]), abs=TOL)
    assert r["log_loss"] == pytest.approx(log_loss(y[~unknown], p[~unknown]), abs=TOL)
    adaptive = [ece(y[~unknown[:, j], j], p[~unknown[:, j], j], strategy="quantile")
                for j in range(3)]  # each label's edges from its known scores
    assert r["ece_adaptive_macro"] == pytest.approx(np.mean(adaptive), abs=TOL)
    logits = labelwise.evaluate(np.where(unknown, -1, y), y_score=logit(p), unknown=-1,
                                scores_are_logits=True)
    assert logits["ece_adaptive_macro"] == pytest.approx(np.mean(adaptive), abs=1e-9)
    assert logits["log_loss"] == pytest.approx(r["log_loss"], abs=1e-9)


def test_float32_logits_are_read_in_float64():
    s = np.float32([[20.0], [20.0]])
    r = labelwise.evaluate([[0], [1]], y_score=s, scores_are_logits=True)
    assert r["log_loss"] == pytest.approx(log_loss([0, 1], s.ravel().astype(np.float64),
                                                   scores_are_logits=True), rel=1e-12)
    assert abs(r["log_loss"] - 10.0) < 1e-6  # -log(1 - sigmoid(20)) / 2, not a clipped 18


def test_a_state_saved_before_calibration_says_it_has_none():
    acc = Accumulator().update([[1, 0]], y_score=[[0.9, 0.2]])
    d = json.loads(json.dumps(acc.to_dict()))
    del d["state"]["calibration"], d["state"]["calibration_off"]
    old = Accumulator.from_dict(d).update([[0, 1]], y_score=[[0.3, 0.6]])
    r = old.report()
    assert "ece_macro" not in r.metrics
    assert "saved by a labelwise without calibration" in r.params["calibration"]
    merged = Accumulator.from_dict(d) + Accumulator().update([[0, 1]], y_score=[[0.3, 0.6]])
    assert "ece_macro" not in merged.report().metrics


def test_scores_outside_0_1_get_no_calibration_and_say_why():
    rng = np.random.default_rng(5)
    s = rng.normal(size=(100, 3))
    y = (s > 0).astype(int)
    r = labelwise.evaluate(y, y_score=s)
    assert not {n for n in NAMES if n in r.metrics}
    assert r.params["calibration"].startswith("none: the scores lie outside [0, 1]")
    assert "ece" not in r.per_label.columns


def test_sparse_scores_get_no_calibration_and_say_why():
    r = labelwise.evaluate([[1, 0], [0, 1]], y_score=sp.csr_matrix([[0.9, 0.0], [0.0, 0.8]]))
    assert "ece_macro" not in r.metrics
    assert "sparse or top-k" in r.params["calibration"]


def test_calibration_bins_setting_and_its_errors():
    rng = np.random.default_rng(6)
    p = rng.random((200, 2))
    y = (rng.random((200, 2)) < p).astype(int)
    r = labelwise.evaluate(y, y_score=p, calibration_bins=5)
    assert r["ece_macro"] == pytest.approx(ece(y, p, n_bins=5), abs=TOL)
    assert r["ece_adaptive_macro"] == pytest.approx(ece(y, p, n_bins=5, strategy="quantile"),
                                                    abs=TOL)
    assert r.params["calibration_bins"] == 5
    with pytest.raises(labelwise.InputError, match="calibration_bins must be a positive "
                                                   "integer"):
        labelwise.evaluate(y, y_score=p, calibration_bins=0)
    with pytest.raises(labelwise.InputError, match="different settings|calibration_bins"):
        Accumulator(calibration_bins=5).update(y, y_score=p).merge(
            Accumulator().update(y, y_score=p))


def test_a_pattern_over_both_directions_bands_only_its_own():
    rng = np.random.default_rng(7)
    p = rng.random((500, 3))
    y = (rng.random((500, 3)) < p).astype(int)
    default = labelwise.evaluate(y, y_score=p).interpretation["ece_macro"]
    r = labelwise.evaluate(y, y_score=p, bands={"*_macro": (0.99, 0.98)})
    assert r.interpretation["f1_macro"] == "bad"
    assert r.interpretation["ece_macro"] == default  # lower is better: its band stays


def test_calibrated_scores_read_well_and_sharpened_ones_badly():
    rng = np.random.default_rng(8)
    p = rng.random((5000, 4))
    y = (rng.random((5000, 4)) < p).astype(int)
    calm = labelwise.evaluate(y, y_score=p)
    assert calm.interpretation["ece_macro"] == "good" and calm["ece_macro"] < 0.05
    sharp = labelwise.evaluate(y, y_score=expit(3 * logit(p)))
    assert sharp.interpretation["ece_macro"] == "bad"
    found = {f.code: f for f in sharp.findings}
    assert "overconfident" in found["miscalibrated"].message
    assert sharp["roc_auc_macro"] == calm["roc_auc_macro"]  # the same ranking
    assert math.isfinite(sharp["log_loss"]) and sharp["log_loss"] > calm["log_loss"]


def test_kept_float32_scores_read_at_report_time_match_the_state_on_every_path():
    rng = np.random.default_rng(9)
    p = rng.random((600, 4)).astype(np.float32)
    y = (rng.random((600, 4)) < p).astype(int)
    w = rng.uniform(0.5, 2.0, 600)
    whole = labelwise.evaluate(y, y_score=p.astype(np.float64))  # the state, every batch
    # float32 first (left for the report), then float64 (the state): one state
    mixed = Accumulator().update(y[:300], y_score=p[:300]).update(
        y[300:], y_score=p[300:].astype(np.float64)).report()
    assert_calibration(mixed, whole.metrics)
    # switched to bins after float32 batches: their calibration is kept
    binned = Accumulator().update(y[:300], y_score=p[:300]).bin_scores().update(
        y[300:], y_score=p[300:]).report()
    assert_calibration(binned, whole.metrics, names=[n for n in NAMES if "adaptive" not in n])
    # merged with a weighted accumulator, and reordered by label name
    a = Accumulator().update(y[:300], y_score=p[:300])
    b = Accumulator().update(y[300:], y_score=p[300:], sample_weight=w[300:])
    ww = np.r_[np.ones(300), w[300:]]
    assert_calibration((a + b).report(), expected(y, p.astype(np.float64), ww),
                       names=[n for n in NAMES if "adaptive" not in n])
    import pandas as pd

    cols = ["a", "b", "c", "d"]
    fa = Accumulator().update(pd.DataFrame(y[:300], columns=cols),
                              y_score=pd.DataFrame(p[:300], columns=cols))
    fb = Accumulator().update(pd.DataFrame(y[300:], columns=cols)[cols[::-1]],
                              y_score=pd.DataFrame(p[300:], columns=cols)[cols[::-1]])
    r = (fa + fb).report()
    assert_calibration(r, whole.metrics)
    np.testing.assert_allclose(r.per_label["ece"], whole.per_label["ece"], atol=TOL)
