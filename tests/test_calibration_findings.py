"""The calibration detectors: miscalibrated and threshold_not_probability."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit

import labelwise
from labelwise.calibration_bins import CalibrationBins
from labelwise.diagnose import DEFAULT_BANDS, Context, ScoreShape, Thresholding
from labelwise.diagnose.bands import CALIBRATION_BANDS, check_bands
from labelwise.diagnose.detectors import (
    CALIBRATION_DETECTORS,
    DETECTORS,
    miscalibrated,
    threshold_not_probability,
)
from labelwise.diagnose.detectors.calibration import noise_floor


def context(y, p, *, logits=None, raw=None, threshold=None):
    """The Context the engine gives the detectors: counts, the probabilities' state and
    the shape of the scores as given (``raw``, default ``p``)."""
    raw = p if raw is None else raw
    r = labelwise.evaluate(y, (p > 0.5).astype(int))
    t = None if threshold is None else Thresholding.of(
        raw, threshold, logit(threshold) if logits else threshold, scores_are_logits=bool(logits))
    return Context(metrics=r.metrics, labels=tuple(f"L{j}" for j in range(y.shape[1])),
                   counts=r.counts, calibration=CalibrationBins(y.shape[1]).update(y, p),
                   score_shape=ScoreShape.of(raw), scores_are_logits=logits, thresholding=t)


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    p = rng.random((4000, 6))
    y = (rng.random(p.shape) < p).astype(int)
    return y, p


def test_a_calibrated_model_fires_nothing(model):
    y, p = model
    c = context(y, p)
    assert c.calibration.ece() < 0.03
    assert [d(c) for d in CALIBRATION_DETECTORS] == [None, None]


def test_a_sharpened_copy_is_overconfident(model):
    y, p = model
    f = miscalibrated(context(y, expit(3 * logit(p))))
    assert f.code == "miscalibrated" and f.severity == "warning"
    assert f.evidence["direction"] == "overconfident" and f.evidence["n_overconfident"] == 6
    assert "The scores are overconfident" in f.message
    assert len(f.labels) == 6 and f.labels[0] in f.message
    assert "temperature scaling" in f.suggestion and "isotonic" in f.suggestion
    assert "validation data" in f.suggestion


def test_a_flattened_copy_is_underconfident(model):
    y, p = model
    f = miscalibrated(context(y, expit(logit(p) / 3)))
    assert f.evidence["direction"] == "underconfident"
    assert f.evidence["n_underconfident"] == 6 and "underconfident" in f.message


def test_worst_labels_first_and_only_the_miscalibrated_ones(model):
    y, p = model
    q = p.copy()
    q[:, 4] = expit(4 * logit(p[:, 4]))
    q[:, 1] = expit(2 * logit(p[:, 1]))
    f = miscalibrated(context(y, q), band=(0.02, 0.1))
    assert f.labels == ("L4", "L1")
    assert f.severity == "info"  # macro ECE between the band's bounds


def test_few_entries_do_not_fire_on_noise():
    rng = np.random.default_rng(1)
    p = rng.random((40, 3))
    y = (rng.random(p.shape) < p).astype(int)
    c = context(y, p)
    assert c.calibration.ece() > CALIBRATION_BANDS["ece_*"][0]  # noisy, but...
    assert miscalibrated(c) is None  # ...within what a calibrated model shows on 40 rows


def test_noise_floor_of_a_calibrated_model_is_about_its_ece():
    rng = np.random.default_rng(2)
    p = rng.random((20000, 5))
    y = (rng.random(p.shape) < p).astype(int)
    state = CalibrationBins(5).update(y, p)
    floor = noise_floor(state.counts)
    assert (state.ece(None) < 2 * floor).all() and (state.ece(None) > 0.3 * floor).all()


def test_without_the_state_nothing_fires(model):
    y, p = model
    c = context(y, expit(3 * logit(p)))
    c.calibration = None
    assert miscalibrated(c) is None


def test_probabilities_passed_as_logits(model):
    y, p = model
    y = (np.random.default_rng(3).random(p.shape) < p * 0.5).astype(int)
    f = threshold_not_probability(context(y, expit(p * 0.5), logits=True, raw=p * 0.5))
    assert f.code == "threshold_not_probability" and f.evidence["scores_are_logits"]
    assert "drop scores_are_logits" in f.suggestion
    # the same read from the thresholding, when it is there
    c = context(y, expit(p * 0.5), raw=p * 0.5, threshold=0.6, logits=True)
    c.scores_are_logits = None
    assert threshold_not_probability(c) is not None


def test_a_sigmoid_applied_to_probabilities(model):
    y, p = model
    y = (np.random.default_rng(4).random(p.shape) < p * 0.5).astype(int)
    q = expit(p * 0.5)
    c = context(y, q)
    f = threshold_not_probability(c)
    assert f is not None and "sigmoid(probability)" in f.message
    assert "apply the sigmoid once" in f.suggestion
    assert miscalibrated(c) is None  # one cause, one finding


def test_leaves_other_detectors_their_cases(model):
    y, p = model
    z = logit(np.clip(p, 1e-6, 1 - 1e-6))
    # scores outside [0, 1]: logits_not_probabilities says it
    c = context(y, p, raw=z)
    assert threshold_not_probability(c) is None
    assert labelwise.diagnose.logits_not_probabilities(c) is not None
    # every sigmoid passes the threshold: threshold_outside_scores says it
    c = context(y, expit(p), logits=True, raw=p, threshold=0.5)
    assert labelwise.diagnose.threshold_outside_scores(c) is not None
    assert threshold_not_probability(c) is None


def test_plain_probabilities_are_left_alone(model):
    y, p = model
    assert threshold_not_probability(context(y, p)) is None
    mostly_true = (np.random.default_rng(5).random(p.shape) < 0.8).astype(int)
    assert threshold_not_probability(context(mostly_true, 0.5 + 0.2 * p)) is None
    c = context(y, p)
    c.score_shape = None
    assert threshold_not_probability(c) is None


def test_findings_are_json_safe(model):
    import json

    y, p = model
    f = miscalibrated(context(y, expit(3 * logit(p))))
    json.dumps(f.to_dict())


def test_bands():
    assert CALIBRATION_BANDS == {"ece_*": (0.05, 0.1), "brier_*": (0.1, 0.25)}
    # they join the defaults for the registry metrics they match, and stay valid
    assert check_bands(DEFAULT_BANDS) == DEFAULT_BANDS
    for pattern in CALIBRATION_BANDS:
        matched = any(__import__("fnmatch").fnmatchcase(n, pattern) for n in labelwise.REGISTRY)
        assert (pattern in DEFAULT_BANDS) == matched


def test_registered_last_in_the_default_run():
    assert [d.__name__ for d in CALIBRATION_DETECTORS] == ["miscalibrated",
                                                           "threshold_not_probability"]
    assert DETECTORS[-len(CALIBRATION_DETECTORS):] == CALIBRATION_DETECTORS
