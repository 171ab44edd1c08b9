"""Findings and interpretation bands: each detector fires when it should, stays quiet
just on the other side of its thresholds, and says what it saw and what to do.

Real-data checks read Mulan's yeast and medical sets from ``../shared/data`` beside
the repository (the layout CI uses); they are skipped when that folder is absent.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise
from labelwise import diagnose
from labelwise.diagnose import (
    DEFAULT_BANDS,
    DETECTORS,
    Context,
    check_bands,
    check_leakage,
    fingerprint,
    interpret,
    run_detectors,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def codes(report) -> list[str]:
    return [f.code for f in report.findings]


def the(report, code):
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, (code, codes(report))
    return found[0]


def check_finding(f, code, severity, numbers=(), labels=(), fix_words=()):
    """The shared contract: code, severity, numbers and label names in the message,
    a non-empty suggestion that says what to do."""
    assert f.code == code
    assert f.severity == severity, (f.severity, f.message)
    for n in numbers:
        assert n in f.message, (n, f.message)
    for name in labels:
        assert repr(str(name)) in f.message, (name, f.message)
        assert name in f.labels, (name, f.labels)
    assert f.suggestion.strip(), f
    for w in fix_words:
        assert w.lower() in f.suggestion.lower(), (w, f.suggestion)


def columns(n, spec, labels=None):
    """y_true, y_pred with n rows; ``spec[j] = (tp, fn, fp)`` for label j, placed in
    rows 0.. of each column (true-and-predicted, then true only, then predicted only)."""
    yt = np.zeros((n, len(spec)), dtype=np.int8)
    yp = np.zeros_like(yt)
    for j, (tp, fn, fp) in enumerate(spec):
        yt[: tp + fn, j] = 1
        yp[:tp, j] = 1
        yp[tp + fn: tp + fn + fp, j] = 1
    return yt, yp


def clean_case(seed=0, n=2000, n_labels=8, prevalence=0.3, error=0.05):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, n_labels)) < prevalence).astype(np.int8)
    flip = rng.random(y.shape) < error
    return y, np.where(flip, 1 - y, y).astype(np.int8)


# --------------------------------------------------------------------------
# the clean case: nothing to warn about
# --------------------------------------------------------------------------


class TestCleanCase:
    names = [f"L{j}" for j in range(8)]

    def assert_quiet(self, report):
        loud = [(f.code, f.message) for f in report.findings if f.severity != "info"]
        assert not loud, loud

    def test_hard_predictions(self):
        y, p = clean_case()
        r = labelwise.evaluate(y, p, labels=self.names)
        assert 0.94 <= r["label_accuracy"] <= 0.96
        assert r.per_label["tp"].min() > 0 and (r.per_label["tp"] + r.per_label["fp"]).min() > 0
        self.assert_quiet(r)
        # Rows with no true label (0.7**8, about 6%) make recall_samples 0/0 there: an info.
        assert set(codes(r)) <= {"undefined_metric"}

    def test_scores_and_train(self):
        y, p = clean_case()
        rng = np.random.default_rng(1)
        u = rng.random(y.shape)
        scores = np.where(p == 1, 0.55 + 0.4 * u, 0.45 * u)
        y_tr, p_tr = clean_case(seed=2, error=0.03)
        r = labelwise.evaluate(y, y_score=scores, labels=self.names, train=(y_tr, p_tr))
        np.testing.assert_array_equal(r.per_label["tp"], labelwise.evaluate(y, p)
                                      .per_label["tp"])
        # these made-up scores are no probabilities (a true label's is 0.55-0.95 for a
        # model right 97% of the time): only the calibration finding may say so
        assert {f.code for f in r.findings if f.severity != "info"} <= {"miscalibrated"}
        assert "overfitting" not in codes(r) and "softmax_scores" not in codes(r)

    def test_every_detector_is_quiet_on_a_perfect_balanced_model(self):
        y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 50)
        r = labelwise.evaluate(y, y, labels=["a", "b"])
        assert codes(r) == ["undefined_metric"]  # the 25% of rows with no label at all
        y = np.array([[1, 0], [0, 1], [1, 1]] * 50)
        assert codes(labelwise.evaluate(y, y, labels=["a", "b"])) == []


# --------------------------------------------------------------------------
# accuracy_paradox
# --------------------------------------------------------------------------


class TestAccuracyParadox:
    def test_98_percent_accuracy_12_percent_recall(self):
        # 1250 samples x 8 labels, 25 positives per label: tp 3, fn 22, fp 3 per label.
        yt, yp = columns(1250, [(3, 22, 3)] * 8)
        names = [f"tag{j}" for j in range(8)]
        r = labelwise.evaluate(yt, yp, labels=names)
        assert r["label_accuracy"] == pytest.approx(0.98)
        assert r["recall_micro"] == pytest.approx(0.12)
        f = the(r, "accuracy_paradox")
        check_finding(f, "accuracy_paradox", "critical",
                      numbers=["98.0%", "12.0% (micro)", "12.0% (macro)", "only 2.0%",
                               "would already score 98.0%", "8 of 8"],
                      labels=names, fix_words=["recall", "F1", "not by"])
        assert f.evidence["all_negative_accuracy"] == pytest.approx(0.98)

    def test_accuracy_boundary(self):
        # 100 x 2, recall 5/15 per label; 20 wrong cells of 200 = accuracy 0.9 exactly.
        yt, yp = columns(100, [(5, 10, 0), (5, 10, 0)])
        r = labelwise.evaluate(yt, yp)
        assert r["label_accuracy"] == pytest.approx(0.9)
        assert "accuracy_paradox" in codes(r)
        yt, yp = columns(100, [(5, 10, 1), (5, 10, 0)])  # 21 wrong: 0.895
        assert "accuracy_paradox" not in codes(labelwise.evaluate(yt, yp))

    @pytest.mark.parametrize("tp,fn,expect", [
        (10, 10, "warning"),   # recall 0.5: fires
        (11, 10, None),        # 0.524: quiet
        (21, 79, "warning"),   # 0.21
        (2, 8, "critical"),    # 0.2: critical
    ])
    def test_recall_boundaries(self, tp, fn, expect):
        yt, yp = columns(1000, [(tp, fn, 0)] * 2)
        r = labelwise.evaluate(yt, yp, labels=["x", "y"])
        got = [f.severity for f in r.findings if f.code == "accuracy_paradox"]
        assert got == ([] if expect is None else [expect])

    def test_macro_recall_alone_can_trigger_and_counts_only_labels_that_occur(self):
        # Label "a" is recalled well (90 of 100), "b" not at all (0 of 10): micro 0.82,
        # macro 0.45. Label "none" never occurs: it does not drag the macro figure.
        yt, yp = columns(2000, [(90, 10, 0), (0, 10, 0), (0, 0, 0)])
        f = the(labelwise.evaluate(yt, yp, labels=["a", "b", "none"]), "accuracy_paradox")
        check_finding(f, "accuracy_paradox", "warning",
                      numbers=["81.8% (micro)", "45.0% (macro over the 2 labels that occur)",
                               "1 of 2"], labels=["b"])
        assert "a" not in f.labels

    def test_quiet_without_positives(self):
        y = np.zeros((50, 3), dtype=int)
        assert "accuracy_paradox" not in codes(labelwise.evaluate(y, y, zero_division="nan"))


# --------------------------------------------------------------------------
# label_imbalance
# --------------------------------------------------------------------------


class TestLabelImbalance:
    def test_ratio_of_20_fires(self):
        yt, _ = columns(200, [(100, 0, 0), (5, 0, 0), (60, 0, 0)])
        r = labelwise.evaluate(yt, yt, labels=["common", "scarce", "mid"])
        f = the(r, "label_imbalance")
        check_finding(f, "label_imbalance", "warning",
                      numbers=["from 5 to 100", "ratio 20", "1/20", "'common' (100)",
                               "'scarce' (5 positives)", "1.000 micro"],
                      labels=["scarce"], fix_words=["macro", "rare"])
        assert f.labels == ("scarce",)

    @pytest.mark.parametrize("supports", [(100, 6), (99, 5)])
    def test_just_below_ratio_20_and_5_positives_is_quiet(self, supports):
        yt, _ = columns(200, [(s, 0, 0) for s in supports])
        assert "label_imbalance" not in codes(labelwise.evaluate(yt, yt))

    def test_fewer_than_5_positives_fires_without_a_large_ratio(self):
        yt, yp = columns(50, [(10, 0, 0), (3, 1, 0), (5, 0, 0)])
        f = the(labelwise.evaluate(yt, yp, labels=["ten", "four", "five"]), "label_imbalance")
        check_finding(f, "label_imbalance", "warning",
                      numbers=["ratio 2.5", "1 label(s) have fewer than 5 positives",
                               "'four' (4 positives)", "handful"], labels=["four"])
        assert "five" not in f.labels and "Micro averages" not in f.message

    def test_rare_labels_among_the_thin_ones(self):
        yt, _ = columns(300, [(200, 0, 0), (2, 0, 0), (9, 0, 0)])
        f = the(labelwise.evaluate(yt, yt, labels=["big", "two", "nine"]), "label_imbalance")
        assert "2 label(s) have at most 1/20" in f.message
        assert "1 of them fewer than 5" in f.message
        assert f.labels == ("two", "nine")  # rarest first

    def test_sample_weights_do_not_make_every_label_rare(self):
        yt, _ = columns(100, [(30, 0, 0), (20, 0, 0)])
        w = np.full(100, 1 / 100)  # supports 0.3 and 0.2 in weight units
        assert "label_imbalance" not in codes(labelwise.evaluate(yt, yt, sample_weight=w))
        w2 = np.ones(100)
        w2[:30] = 0.1  # the 30 positives of label 0 now weigh 3 in all
        f = the(labelwise.evaluate(yt, yt, sample_weight=w2), "label_imbalance")
        assert "in units of the mean sample weight" in f.message

    def test_single_present_label_is_quiet(self):
        yt, _ = columns(50, [(2, 0, 0), (0, 0, 0)])
        assert "label_imbalance" not in codes(labelwise.evaluate(yt, yt))


# --------------------------------------------------------------------------
# no_support, never_predicted
# --------------------------------------------------------------------------


class TestNoSupport:
    names = [f"c{j}" for j in range(8)]

    @pytest.mark.parametrize("k,severity", [(1, "info"), (2, "info"), (3, "warning")])
    def test_labels_without_positives(self, k, severity):
        spec = [(0, 0, 0)] * k + [(20, 0, 0)] * (8 - k)
        yt, yp = columns(40, spec)
        f = the(labelwise.evaluate(yt, yp, labels=self.names), "no_support")
        check_finding(f, "no_support", severity, numbers=[f"{k} of 8"],
                      labels=self.names[:k], fix_words=["split", "zero_division"])
        assert f.labels == tuple(self.names[:k])

    def test_quiet_when_every_label_occurs(self):
        yt, yp = columns(40, [(1, 0, 0)] * 8)
        assert "no_support" not in codes(labelwise.evaluate(yt, yp))


class TestNeverPredicted:
    def test_fires_and_names_labels_with_their_support(self):
        yt, yp = columns(60, [(10, 0, 0), (0, 7, 0), (0, 1, 0)])
        f = the(labelwise.evaluate(yt, yp, labels=["ok", "missed", "once"]), "never_predicted")
        check_finding(f, "never_predicted", "warning",
                      numbers=["2 of 3", "'missed' (7 positives)", "'once' (1 positive)",
                               "recall is 0"],
                      labels=["missed", "once"], fix_words=["threshold"])

    def test_one_prediction_is_enough_to_be_quiet(self):
        yt, yp = columns(60, [(10, 0, 0), (0, 7, 1)])  # predicted once, wrongly
        assert "never_predicted" not in codes(labelwise.evaluate(yt, yp))

    def test_labels_without_support_are_not_never_predicted(self):
        yt, yp = columns(60, [(10, 0, 0), (0, 0, 0)])
        assert "never_predicted" not in codes(labelwise.evaluate(yt, yp))


# --------------------------------------------------------------------------
# empty_predictions
# --------------------------------------------------------------------------


def empty_rows_case(n, empty_pred, empty_true):
    """Every row has label "a" except the first ``empty_true``; predictions match the
    truth except that the last ``empty_pred - empty_true`` labelled rows get nothing."""
    yt = np.zeros((n, 2), dtype=np.int8)
    yt[empty_true:, 0] = 1
    yt[::3, 1] = 1
    yt[:empty_true] = 0
    yp = yt.copy()
    yp[n - (empty_pred - empty_true):] = 0
    return yt, yp


class TestEmptyPredictions:
    @pytest.mark.parametrize("empty,severity", [(200, "warning"), (499, "warning"),
                                                (500, "critical")])
    def test_fires(self, empty, severity):
        yt, yp = empty_rows_case(1000, empty, 0)
        f = the(labelwise.evaluate(yt, yp), "empty_predictions")
        check_finding(f, "empty_predictions", severity,
                      numbers=[f"{empty / 10:.1f}% of samples", "only 0.0%"],
                      fix_words=["threshold"])

    def test_just_below_20_percent_is_quiet(self):
        yt, yp = empty_rows_case(1000, 199, 0)
        assert "empty_predictions" not in codes(labelwise.evaluate(yt, yp))

    def test_compared_with_rows_that_truly_have_no_label(self):
        yt, yp = empty_rows_case(1000, 300, 150)  # 30% vs 15%: not more than twice
        assert "empty_predictions" not in codes(labelwise.evaluate(yt, yp))
        yt, yp = empty_rows_case(1000, 300, 149)
        f = the(labelwise.evaluate(yt, yp), "empty_predictions")
        assert "30.0%" in f.message and "14.9%" in f.message


# --------------------------------------------------------------------------
# single_label_predictions, softmax_scores, multiclass_data
# --------------------------------------------------------------------------


def one_label_each(n, several, doubled_pred=0):
    """n rows over 3 labels; the first ``several`` rows carry two true labels; each row
    is predicted exactly one label, except ``doubled_pred`` rows that get two."""
    yt = np.zeros((n, 3), dtype=np.int8)
    yt[np.arange(n), np.arange(n) % 3] = 1
    yt[:several, 2] = 1
    yt[:several, 0] = 1
    yt[:several, 1] = 0
    yp = np.zeros_like(yt)
    yp[np.arange(n), np.arange(n) % 3] = 1
    yp[:several, :] = 0
    yp[:several, 0] = 1
    yp[n - doubled_pred:, 1] = 1
    yp[n - doubled_pred:, 2] = 1
    return yt, yp


class TestSingleLabelPredictions:
    def test_fires(self):
        yt, yp = one_label_each(1000, 200)
        f = the(labelwise.evaluate(yt, yp), "single_label_predictions")
        check_finding(f, "single_label_predictions", "critical",
                      numbers=["Every sample", "20.0% of samples"], fix_words=["sigmoid"])

    def test_99_9_percent_single_fires_99_8_is_quiet(self):
        yt, yp = one_label_each(1000, 200, doubled_pred=1)
        f = the(labelwise.evaluate(yt, yp), "single_label_predictions")
        assert "99.90% of samples get exactly one" in f.message
        yt, yp = one_label_each(1000, 200, doubled_pred=2)
        assert "single_label_predictions" not in codes(labelwise.evaluate(yt, yp))

    def test_few_multi_label_samples_is_quiet(self):
        yt, yp = one_label_each(1000, 199)
        assert "single_label_predictions" not in codes(labelwise.evaluate(yt, yp))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class TestSoftmaxScores:
    def multi_label(self, n=1000, seed=0):
        rng = np.random.default_rng(seed)
        y = (rng.random((n, 5)) < 0.4).astype(int)
        return y, rng.normal(size=y.shape)

    def test_fires_on_multi_label_truth(self):
        y, z = self.multi_label()
        r = labelwise.evaluate(y, y_score=softmax(z))
        several = np.mean(y.sum(axis=1) > 1)
        check_finding(the(r, "softmax_scores"), "softmax_scores", "critical",
                      numbers=["100.0% of samples sum to 1", f"{several:.1%} of samples"],
                      fix_words=["sigmoid"])

    def test_90_percent_boundary(self):
        y, z = self.multi_label()
        s = softmax(z)
        s[900:] = 1 / (1 + np.exp(-z[900:]))  # 100 rows of sigmoids: 90% sum to 1
        f = the(labelwise.evaluate(y, y_score=s), "softmax_scores")
        assert "90.0%" in f.message
        s[899] = 1 / (1 + np.exp(-z[899]))
        assert "softmax_scores" not in codes(labelwise.evaluate(y, y_score=s))

    def test_sigmoid_scores_are_quiet(self):
        y, z = self.multi_label()
        assert "softmax_scores" not in codes(labelwise.evaluate(y, y_score=1 / (1 + np.exp(-z))))

    def test_softmax_on_multi_class_data_is_appropriate(self):
        rng = np.random.default_rng(3)
        y = np.eye(4, dtype=int)[rng.integers(0, 4, 300)]
        r = labelwise.evaluate(y, y_score=softmax(rng.normal(size=y.shape)))
        assert "softmax_scores" not in codes(r)
        assert "multiclass_data" in codes(r)

    def test_logits_flag_turns_score_checks_off(self):
        y, z = self.multi_label()
        r = labelwise.evaluate(y, y_score=z, scores_are_logits=True)
        assert not {"softmax_scores", "logits_not_probabilities"} & set(codes(r))


class TestMulticlassData:
    def test_fires(self):
        y = np.eye(3, dtype=int)[np.arange(90) % 3]
        f = the(labelwise.evaluate(y, y, labels=["x", "y", "z"]), "multiclass_data")
        check_finding(f, "multiclass_data", "info", numbers=["90 samples", "one of the 3 labels"],
                      fix_words=["softmax"])

    @pytest.mark.parametrize("change", [(0, [1, 1, 0]), (0, [0, 0, 0])])
    def test_one_row_with_two_or_no_labels_is_quiet(self, change):
        y = np.eye(3, dtype=int)[np.arange(90) % 3]
        y[change[0]] = change[1]
        assert "multiclass_data" not in codes(labelwise.evaluate(y, y))


# --------------------------------------------------------------------------
# logits_not_probabilities
# --------------------------------------------------------------------------


class TestLogits:
    def test_fires_on_logits(self):
        rng = np.random.default_rng(0)
        y = (rng.random((400, 4)) < 0.3).astype(int)
        z = np.where(y == 1, 2.0, -2.0) + rng.normal(size=y.shape)
        z[0, 0], z[1, 1] = -6.5, 5.25
        f = the(labelwise.evaluate(y, y_score=z), "logits_not_probabilities")
        outside = np.mean((z < 0) | (z > 1))
        check_finding(f, "logits_not_probabilities", "warning",
                      numbers=["-6.5 to 5.25", f"{outside:.1%} of them"],
                      fix_words=["scores_are_logits=True", "sigmoid"])

    @pytest.mark.parametrize("lo,hi,fires", [(0.0, 1.0, False), (-1e-9, 1 + 1e-9, False),
                                             (0.0, 1.01, True), (-0.01, 1.0, True)])
    def test_range_boundaries(self, lo, hi, fires):
        s = np.array([[lo, 0.7], [0.2, hi], [0.6, 0.4]])
        r = labelwise.evaluate([[0, 1], [0, 1], [1, 0]], y_score=s)
        assert ("logits_not_probabilities" in codes(r)) is fires

    def test_hard_predictions_have_no_scores(self):
        assert "logits_not_probabilities" not in codes(labelwise.evaluate([[1, 0]], [[1, 0]]))


    def test_names_the_labels_the_threshold_lies_beyond(self):
        # Logits thresholded at 0.5: labels "low" and "lower" never reach it.
        y = np.array([[1, 0, 0], [0, 1, 1], [1, 1, 0], [0, 0, 1]] * 25)
        z = np.where(y == 1, 2.0, -2.0)
        z[:, 1] -= 3.0  # -5 or -1
        z[:, 2] -= 2.5  # -4.5 or -0.5
        f = the(labelwise.evaluate(y, y_score=z, labels=["ok", "low", "lower"]),
                "logits_not_probabilities")
        check_finding(f, "logits_not_probabilities", "warning",
                      numbers=["-5 to 2", "At threshold 0.5, every score of 2 of 3 label(s) "
                               "is at or below it, so they are never predicted."])
        assert f.evidence["n_never_predicted"] == 2 and f.evidence["n_always_predicted"] == 0
        assert "threshold_outside_scores" not in codes(
            labelwise.evaluate(y, y_score=z, labels=["ok", "low", "lower"]))

    def test_no_threshold_sentence_when_the_threshold_splits_every_label(self):
        z = np.array([[-3.0, 2.0], [4.0, -1.0]])
        f = the(labelwise.evaluate([[0, 1], [1, 0]], y_score=z), "logits_not_probabilities")
        assert "At threshold" not in f.message


# --------------------------------------------------------------------------
# threshold_outside_scores
# --------------------------------------------------------------------------


class TestThresholdOutsideScores:
    names = ["p", "q", "r", "s"]

    def data(self, seed=0):
        """Probabilities in [0.05, 0.95] for 4 labels, positives scored higher."""
        rng = np.random.default_rng(seed)
        y = (rng.random((200, 4)) < 0.4).astype(int)
        s = np.round(np.clip(0.3 * y + 0.6 * rng.random(y.shape), 0.05, 0.95), 3)
        s[0], s[1] = 0.05, 0.95  # every label spans 0.05 to 0.95
        return y, s

    def finding(self, y, score, **kw):
        return the(labelwise.evaluate(y, y_score=score, labels=self.names, **kw),
                   "threshold_outside_scores")

    def test_probabilities_read_as_logits_predict_everything(self):
        y, s = self.data()
        f = self.finding(y, s, scores_are_logits=True)
        check_finding(f, "threshold_outside_scores", "critical",
                      numbers=["At threshold 0.5, which with scores_are_logits=True means "
                               "score > 0,", "every score of 4 of 4 label(s) is above it, so "
                               "they are predicted for every sample",
                               "range from 0.05 to 0.95. The labels concerned",
                               "'p' (0.05 to 0.95)"],
                      labels=self.names, fix_words=["drop scores_are_logits"])
        assert f.evidence["cut"] == 0.0 and f.evidence["n_always_predicted"] == 4
        r = labelwise.evaluate(y, y_score=s, scores_are_logits=True)
        assert r["recall_micro"] == 1.0

    def test_threshold_as_a_percentage_predicts_nothing(self):
        y, s = self.data()
        f = self.finding(y, s, threshold=50)
        check_finding(f, "threshold_outside_scores", "critical",
                      numbers=["At threshold 50, every score of 4 of 4 label(s) is at or "
                               "below it, so they are never predicted",
                               "range from 0.05 to 0.95."],
                      labels=self.names, fix_words=["0.5, not 50", "validation"])
        assert "scores_are_logits" not in f.suggestion  # scores within [0, 1]: not logits

    def test_per_label_thresholds_beyond_most_labels(self):
        rng = np.random.default_rng(2)
        y = (rng.random((100, 10)) < 0.5).astype(int)
        s = np.round(0.1 + 0.4 * y + 0.4 * rng.random(y.shape), 3)  # 0.1 to 0.9
        s[0], s[1] = 0.1, 0.9
        names = [f"t{j}" for j in range(10)]
        thr = [0.95] * 5 + [0.05] * 4 + [0.5]
        f = the(labelwise.evaluate(y, y_score=s, threshold=thr, labels=names),
                "threshold_outside_scores")
        check_finding(f, "threshold_outside_scores", "warning",
                      numbers=["At per-label thresholds from 0.05 to 0.95,",
                               "every score of 5 of 10 label(s) is at or below it",
                               "every score of 4 of 10 label(s) is above it",
                               "within the scores of only 1 of the 10 label(s)",
                               "with their score range and threshold: "
                               "'t0' (0.1 to 0.9, threshold 0.95)",
                               "'t5' (0.1 to 0.9, threshold 0.05)", "and 1 more"],
                      labels=names[:8])
        assert f.labels == tuple(names[:9]) and "'t9'" not in f.message
        assert "0.5, not 50" not in f.suggestion and "per label" in f.suggestion
        # 8 of 10 is below the 90% the finding needs.
        thr[8] = 0.5
        r = labelwise.evaluate(y, y_score=s, threshold=thr, labels=names)
        assert "threshold_outside_scores" not in codes(r)

    def test_share_boundary_is_90_percent(self):
        rng = np.random.default_rng(1)
        y = (rng.random((100, 10)) < 0.5).astype(int)
        s = np.clip(0.2 + 0.3 * y + 0.4 * rng.random(y.shape), 0, 1)  # 0.2 to 0.9
        s[:, 0] = 0.2 + 0.1 * y[:, 0] + 0.1 * rng.random(100)  # at most 0.4
        low = s.copy()
        low[:, :9] = np.minimum(low[:, :9], 0.45)  # 9 of 10 labels stay below 0.5
        r = labelwise.evaluate(y, y_score=low)
        check_finding(the(r, "threshold_outside_scores"), "threshold_outside_scores",
                      "warning", numbers=["9 of 10 label(s)", "only 1 of the 10"])
        low[:, 8] = s[:, 8]  # 8 of 10
        assert "threshold_outside_scores" not in codes(labelwise.evaluate(y, y_score=low))

    @pytest.mark.parametrize("inclusive,fires", [(False, True), (True, False)])
    def test_a_score_equal_to_the_threshold(self, inclusive, fires):
        y = [[1, 0], [0, 1], [1, 1]]
        s = [[0.5, 0.2], [0.1, 0.5], [0.3, 0.4]]  # the highest score of each label is 0.5
        r = labelwise.evaluate(y, y_score=s, inclusive=inclusive)
        assert ("threshold_outside_scores" in codes(r)) is fires
        if fires:
            assert "is at or below it" in the(r, "threshold_outside_scores").message

    def test_both_sides_at_once(self):
        y, s = self.data()
        f = self.finding(y, s, threshold=[2.0, 2.0, -1.0, -1.0])
        check_finding(f, "threshold_outside_scores", "critical",
                      numbers=["every score of 2 of 4 label(s) is at or below it",
                               "and every score of 2 of 4 label(s) is above it",
                               "The threshold lies within the scores of no label.",
                               "'r' (0.05 to 0.95, threshold -1)"],
                      labels=self.names, fix_words=["0.5, not 50"])

    def test_close_scores_are_shown_apart_from_the_threshold(self):
        y = [[1, 0], [0, 1]]
        f = the(labelwise.evaluate(y, y_score=[[0.4996, 0.1], [0.2, 0.49991]], labels=["a", "b"]),
                "threshold_outside_scores")
        # 3 digits would show 0.4996 and 0.49991 as 0.5, the threshold itself.
        assert "range from 0.1 to 0.4999." in f.message
        assert "'a' (0.2 to 0.4996), 'b' (0.1 to 0.4999)" in f.message
        # ... and a probability just below 1 is not shown as 1.
        f = the(labelwise.evaluate(y, y_score=[[0.99996, 0.6], [0.7, 0.8]], threshold=0.01),
                "threshold_outside_scores")
        assert "range from 0.6 to 0.99996." in f.message

    def test_sparse_scores_count_only_stored_entries(self):
        y, s = self.data()
        low = sp.csr_matrix(np.where(s > 0.5, 0.0, s))  # every stored score at most 0.5
        f = self.finding(y, low)
        check_finding(f, "threshold_outside_scores", "critical",
                      numbers=["4 of 4 label(s) is at or below it", "the stored scores range "
                               "from 0.05 to 0.5"])
        # A threshold below every stored score predicts exactly the stored entries: for
        # top-k scores that may be meant, so it is a warning.
        topk = (np.argsort(-s, axis=1)[:, :2], -np.sort(-s, axis=1)[:, :2])
        f = self.finding(y, topk, threshold=0.01)
        assert f.severity == "warning"
        assert "predicted wherever they are scored" in f.message
        assert "Every stored entry is predicted: the threshold does nothing." in f.message

    def test_sparse_labels_whose_stored_scores_all_pass_are_normal(self):
        y, s = self.data()
        topk = (np.argsort(-s, axis=1)[:, :2], -np.sort(-s, axis=1)[:, :2])
        r = labelwise.evaluate(y, y_score=topk, labels=self.names)
        assert "threshold_outside_scores" not in codes(r)

    def test_sparse_logits(self):
        y, s = self.data()
        z = sp.csr_matrix(np.log(s / (1 - s)) - 3.0)  # logits all below 0: never above 0.5
        f = self.finding(y, z)
        assert f.severity == "critical"
        assert "scores_are_logits=True" in f.suggestion
        assert "threshold_outside_scores" not in codes(
            labelwise.evaluate(y, y_score=z, labels=self.names, scores_are_logits=True,
                               threshold=0.01))

    def test_quiet_on_sound_probabilities_and_hard_predictions(self):
        y, s = self.data()
        assert "threshold_outside_scores" not in codes(labelwise.evaluate(y, y_score=s))
        assert "threshold_outside_scores" not in codes(labelwise.evaluate(y, (s > 0.5) * 1))

    def test_label_names_are_escaped_in_the_text_report(self):
        y, s = self.data()
        names = ["a\nb", "\x1b[2Jc", "d", "e"]
        r = labelwise.evaluate(y, y_score=s, threshold=2.0, labels=names)
        assert the(r, "threshold_outside_scores").labels == tuple(names)
        text = str(r)
        assert "'a\\nb' (0.05 to 0.95)" in text and "\x1b" not in text

    def test_the_range_is_read_once_where_the_scores_are_binarised(self, monkeypatch):
        from labelwise import engine

        seen = []
        real = diagnose.Thresholding.of.__func__

        def spy(cls, scores, *args, **kw):
            seen.append(type(scores).__name__)
            return real(cls, scores, *args, **kw)

        monkeypatch.setattr(engine.Thresholding, "of", classmethod(spy))
        y, s = self.data()
        labelwise.evaluate(y, y_score=s)
        labelwise.evaluate(y, y_score=sp.csr_matrix(s))
        assert seen == ["ndarray", "csr_matrix"]


class TestThresholding:
    def test_dense_and_sparse_ranges(self):
        s = np.array([[0.2, 0.0, 0.9], [0.4, 0.0, 0.1]], dtype=np.float32)
        t = diagnose.Thresholding.of(s, 0.5)
        assert t.low.dtype == np.float64 and t.low.tolist() == pytest.approx([0.2, 0.0, 0.1])
        assert t.high.tolist() == pytest.approx([0.4, 0.0, 0.9]) and not t.partial
        u = diagnose.Thresholding.of(sp.csr_matrix(s), 0.5)  # column 1 stores nothing
        assert np.isnan(u.low[1]) and np.isnan(u.high[1]) and u.partial
        assert u.low[[0, 2]].tolist() == pytest.approx([0.2, 0.1])
        # An explicitly stored zero is a score.
        m = sp.csr_matrix((np.array([0.2, 0.0, 0.9]), np.array([0, 1, 2]),
                           np.array([0, 3, 3])), shape=(2, 3))
        assert diagnose.Thresholding.of(m, 0.5).high.tolist() == [0.2, 0.0, 0.9]

    def test_no_scored_label_is_quiet(self):
        y = np.array([[1, 0], [0, 1]])
        ctx = Context(metrics={}, labels=("a", "b"),
                      counts=labelwise.Counts.from_arrays(y, y),
                      thresholding=diagnose.Thresholding.of(sp.csr_matrix((2, 2)), 0.5))
        assert diagnose.threshold_outside_scores(ctx) is None


# --------------------------------------------------------------------------
# label_space_from_data
# --------------------------------------------------------------------------


class TestLabelSpaceFromData:
    truth = [["cat", "dog"], ["dog"], ["bird"], ["cat", "bird"]]
    pred = [["cat"], ["dog", "bird"], ["bird"], ["cat", "fish"]]

    def test_label_sets_without_labels(self):
        r = labelwise.evaluate(self.truth, self.pred)
        f = the(r, "label_space_from_data")
        check_finding(f, "label_space_from_data", "info",
                      numbers=["The 4 label(s) evaluated are those that occur in the data",
                               "1 of them only in the predictions", "macro average",
                               "zero_division", "hamming_loss"],
                      fix_words=["labels=[...]", "--labels-file", "--labels"])
        assert f.evidence == {"source": "data", "n_labels": 4, "only_in_predictions": 1}
        assert r.labels == ("bird", "cat", "dog", "fish")

    def test_delimited_strings_and_no_label_only_predicted(self):
        f = the(labelwise.evaluate(["cat,dog", "dog", ""], ["cat", "dog", "cat"]),
                "label_space_from_data")
        assert "The 2 label(s)" in f.message and "only in the predictions" not in f.message
        assert f.evidence["only_in_predictions"] == 0

    def test_what_the_message_says_about_the_averages_holds(self):
        # With two more labels of the task, absent from this split: macro averages and the
        # metrics that count true negatives change; the others do not.
        small = labelwise.evaluate(self.truth, self.pred)
        full = labelwise.evaluate(self.truth, self.pred,
                                  labels=["bird", "cat", "dog", "fish", "ant", "eel"])
        assert "label_space_from_data" not in codes(full)
        changed = {m for m in small.metrics if small[m] != pytest.approx(full[m], abs=1e-12)}
        assert {m for m in small.metrics if m.endswith("_macro")} <= changed
        assert {"hamming_loss", "label_accuracy", "specificity_micro", "mcc_samples"} <= changed
        for fam in ("precision", "recall", "f1", "jaccard"):
            for avg in ("micro", "weighted", "samples"):
                assert f"{fam}_{avg}" not in changed
        assert "subset_accuracy" not in changed
        assert full["f1_macro"] == pytest.approx(small["f1_macro"] * 4 / 6)

    @pytest.mark.parametrize("kind", ["labels", "matrix", "frame", "scores"])
    def test_quiet_when_the_label_list_is_known(self, kind):
        if kind == "labels":
            r = labelwise.evaluate(self.truth, self.pred, labels=["bird", "cat", "dog", "fish"])
        elif kind == "matrix":
            r = labelwise.evaluate([[1, 0], [0, 1]], [[1, 0], [1, 1]])
        elif kind == "frame":
            pd = pytest.importorskip("pandas")
            truth = pd.DataFrame({"cat": [1, 0], "dog": [0, 1]})
            r = labelwise.evaluate(truth, [["cat"], ["dog"]])
        else:
            pd = pytest.importorskip("pandas")
            scores = pd.DataFrame({"cat": [0.9, 0.2], "dog": [0.1, 0.8]})
            r = labelwise.evaluate([["cat"], ["dog"]], y_score=scores)
        assert "label_space_from_data" not in codes(r)

    def test_context_filled_by_another_reader(self):
        # The command line fills the same field for its label-set files.
        y = np.array([[1, 0], [0, 1]])
        ctx = Context(metrics={}, labels=("a", "b"), counts=labelwise.Counts.from_arrays(y, y),
                      label_space={"source": "data", "n_labels": 2, "only_in_predictions": 0})
        f = diagnose.label_space_from_data(ctx)
        assert f.code == "label_space_from_data" and "The 2 label(s)" in f.message
        assert diagnose.label_space_from_data(
            Context(metrics={}, labels=("a", "b"), counts=ctx.counts)) is None

    def test_in_every_rendering(self):
        from labelwise.report import render_markdown

        r = labelwise.evaluate(self.truth, self.pred)
        assert "[info] label_space_from_data: The 4 label(s)" in str(r)
        assert "label_space_from_data" in render_markdown(r)
        d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
        got = next(f for f in d["findings"] if f["code"] == "label_space_from_data")
        assert got["evidence"]["only_in_predictions"] == 1


# --------------------------------------------------------------------------
# undefined_metric
# --------------------------------------------------------------------------


class TestUndefinedMetric:
    def case(self):
        # label "never" is true 4 times but never predicted; "absent" never occurs.
        yt, yp = columns(40, [(20, 0, 0), (0, 4, 0), (0, 0, 0), (30, 0, 0)])
        return yt, yp, ["a", "never", "absent", "b"]

    @pytest.mark.parametrize("zd,text", [(0, "set to 0 (zero_division=0)"),
                                         (1, "set to 1 (zero_division=1)"),
                                         ("nan", "left out of the averages (zero_division=nan)")])
    def test_fires_and_says_what_was_done(self, zd, text):
        yt, yp, names = self.case()
        f = the(labelwise.evaluate(yt, yp, labels=names, zero_division=zd), "undefined_metric")
        check_finding(f, "undefined_metric", "info",
                      numbers=["precision of 2 label(s) never predicted",
                               "recall of 1 label(s) that never occur", text],
                      labels=["never", "absent"], fix_words=["zero_division"])

    def test_roc_auc_of_constant_labels_is_left_out_whatever_zero_division(self):
        yt, yp, names = self.case()
        scores = np.where(yp == 1, 0.9, 0.1)
        f = the(labelwise.evaluate(yt, y_score=scores, labels=names), "undefined_metric")
        assert "left out of the averages: roc_auc of 1 label(s) whose truth is constant " \
               "('absent')" in f.message

    def test_samples_terms_from_one_percent(self):
        yt, _ = columns(1000, [(990, 0, 0), (500, 0, 0)])  # 10 rows with no true label
        yt[990:, 1] = 0
        yt[:10, 1] = 1
        assert (yt.sum(axis=1) == 0).sum() == 10
        f = the(labelwise.evaluate(yt, yt), "undefined_metric")
        assert "the recall_samples term of the 1.0% of samples with no true label" in f.message
        assert "precision_samples term of the 1.0%" in f.message
        yt[990] = 1  # 9 rows: 0.9%
        assert "undefined_metric" not in codes(labelwise.evaluate(yt, yt))

    def test_quiet_when_everything_is_defined(self):
        yt, yp = columns(20, [(10, 0, 1), (5, 5, 3)])
        yt[:, 0], yp[:, 0] = 1, 1  # every sample has a true and a predicted label
        assert "undefined_metric" not in codes(labelwise.evaluate(yt, yp))


# --------------------------------------------------------------------------
# overfitting
# --------------------------------------------------------------------------


class TestOverfitting:
    perfect = columns(30, [(10, 0, 0), (10, 0, 0)])[0]

    @pytest.mark.parametrize("spec,test_f1,severity", [
        ((9, 2, 0), 0.9, "warning"),      # gap 0.1 exactly (1.0 - 0.9)
        ((19, 2, 2), 38 / 42, None),      # gap 0.095
        ((19, 12, 0), 0.76, "warning"),   # gap 0.24
        ((3, 2, 0), 0.75, "critical"),    # gap 0.25
    ])
    def test_gap_boundaries(self, spec, test_f1, severity):
        yt, yp = columns(40, [spec, spec])
        r = labelwise.evaluate(yt, yp, labels=["p", "q"], train=(self.perfect, self.perfect))
        assert r["f1_micro"] == pytest.approx(test_f1)
        got = [f for f in r.findings if f.code == "overfitting"]
        if severity is None:
            assert not got
            return
        check_finding(got[0], "overfitting", severity,
                      numbers=["f1_micro 1.000 on train vs", f"{test_f1:.3f} on test",
                               f"(gap {1 - test_f1:.3f})", "f1_macro"],
                      fix_words=["test numbers", "validation"])

    def test_train_as_dict_with_scores(self):
        yt, yp = columns(40, [(3, 2, 0)] * 2)
        train = {"y_true": self.perfect, "y_score": self.perfect * 0.8 + 0.1}
        assert "overfitting" in codes(labelwise.evaluate(yt, yp, train=train))

    def test_no_train_no_finding(self):
        yt, yp = columns(40, [(3, 2, 0)] * 2)
        assert "overfitting" not in codes(labelwise.evaluate(yt, yp))

    def test_undefined_train_values_are_skipped(self):
        ctx = Context(metrics={"f1_micro": 0.5, "f1_macro": math.nan},
                      labels=("a",), counts=labelwise.Counts.from_arrays([[1]], [[1]]),
                      train_metrics={"f1_micro": 0.55, "f1_macro": 1.0})
        assert diagnose.overfitting(ctx) is None


# --------------------------------------------------------------------------
# thresholds_tuned_on_eval and fingerprint
# --------------------------------------------------------------------------


class Tuned(float):
    """A threshold that remembers the data it was tuned on."""

    def __new__(cls, value, tuned_on):
        obj = super().__new__(cls, value)
        obj.tuned_on = tuned_on
        return obj


class TunedPerLabel(list):
    def __init__(self, values, tuned_on):
        super().__init__(values)
        self.tuned_on = tuned_on


class TestThresholdsTunedOnEval:
    def data(self):
        rng = np.random.default_rng(5)
        y = (rng.random((200, 4)) < 0.3).astype(int)
        return y, np.clip(y * 0.6 + rng.random(y.shape) * 0.5, 0, 1)

    def test_fires_when_fingerprints_match(self):
        y, s = self.data()
        fp = fingerprint(y)
        r = labelwise.evaluate(y, y_score=s, threshold=Tuned(0.4, fp))
        check_finding(the(r, "thresholds_tuned_on_eval"), "thresholds_tuned_on_eval",
                      "critical", numbers=[fp, "optimistic"], fix_words=["validation"])
        r = labelwise.evaluate(y, y_score=s, threshold=TunedPerLabel([0.4] * 4, fp))
        assert "thresholds_tuned_on_eval" in codes(r)

    def test_same_labels_in_another_layout_match(self):
        y, s = self.data()
        r = labelwise.evaluate(sp.csr_matrix(y), y_score=sp.csr_matrix(s),
                               threshold=Tuned(0.4, fingerprint(y.astype(bool))))
        assert "thresholds_tuned_on_eval" in codes(r)

    def test_quiet_for_other_data_or_plain_thresholds(self):
        y, s = self.data()
        other = y.copy()
        other[0, 0] ^= 1
        r = labelwise.evaluate(y, y_score=s, threshold=Tuned(0.4, fingerprint(other)))
        assert "thresholds_tuned_on_eval" not in codes(r)
        assert "thresholds_tuned_on_eval" not in codes(labelwise.evaluate(y, y_score=s))

    def test_fingerprint(self):
        y = np.array([[1, 0, 1], [0, 0, 0]])
        assert fingerprint(y) == fingerprint(sp.csr_matrix(y)) == fingerprint(y.tolist())
        assert fingerprint(y) != fingerprint(np.array([[1, 0, 1], [0, 0, 0], [0, 0, 0]]))
        assert fingerprint(y) != fingerprint(np.array([[1, 0, 1, 0], [0, 0, 0, 0]]))
        assert re.fullmatch(r"[0-9a-f]{24}", fingerprint(y))
        with pytest.raises(labelwise.InputError, match="2-D"):
            fingerprint([1, 0, 1])


# --------------------------------------------------------------------------
# check_leakage
# --------------------------------------------------------------------------


class TestLeakage:
    def test_strings_after_white_space_and_case(self):
        train = ["The cat sat.", "A dog barked", "unrelated"]
        test = ["a bird", "  the CAT\n sat. ", "A DOG\tbarked", "a fish"]
        f = check_leakage(train, test)
        check_finding(f, "leakage", "critical",
                      numbers=["2 of 4 test rows (50.0%)", "white space and case",
                               "rows [1, 2]", "'the CAT sat.'"],
                      fix_words=["remove the duplicates"])
        assert f.evidence["test_rows"] == [1, 2]

    def test_strings_differing_in_content_do_not_match(self):
        assert check_leakage(["the cat sat"], ["the cat sat.", "thecat sat"]) is None

    def test_numpy_feature_rows(self):
        rng = np.random.default_rng(0)
        X_train = rng.normal(size=(50, 6))
        X_test = rng.normal(size=(30, 6))
        assert check_leakage(X_train, X_test) is None
        X_test[[4, 17]] = X_train[[10, 3]]
        f = check_leakage(X_train, X_test)
        assert f.evidence["n_leaked"] == 2 and "rows [4, 17]" in f.message
        assert "white space" not in f.message
        X_test[4, 0] += 1e-12  # exact comparison: no longer a duplicate
        assert check_leakage(X_train, X_test).evidence["test_rows"] == [17]

    def test_equal_numbers_in_another_dtype_match(self):
        train = np.array([[1, 0, 2], [3, 3, 3]], dtype=np.int64)
        test = np.array([[1.0, 0.0, 2.0], [0.0, -0.0, 1.0]], dtype=np.float32)
        assert check_leakage(train, test).evidence["test_rows"] == [0]

    def test_pandas_series_and_frames(self):
        pd = pytest.importorskip("pandas")
        train = pd.Series(["Alpha beta", "gamma"], index=[10, 11])
        test = pd.Series(["delta", "ALPHA  beta"], index=[0, 5])
        f = check_leakage(train, test)
        assert f.evidence["test_rows"] == [1]  # positions, not index values
        frame_tr = pd.DataFrame({"x": [1, 2, 3], "y": [0.5, 0.5, 0.25]})
        frame_te = pd.DataFrame({"x": [3, 9], "y": [0.25, 0.5]})
        assert check_leakage(frame_tr, frame_te).evidence["test_rows"] == [0]

    def test_sparse_rows_show_their_non_zero_entries(self):
        X_train = sp.csr_matrix(np.eye(40)[:20])
        X_test = sp.csr_matrix(np.eye(40)[15:25] * np.r_[np.ones(5), 2 * np.ones(5)][:, None])
        f = check_leakage(X_train, X_test)
        check_finding(f, "leakage", "critical",
                      numbers=["5 of 10 test rows (50.0%)", "rows [0, 1, 2]",
                               "'non-zero {15: 1}'; 'non-zero {16: 1}'"])

    def test_a_set_of_keys(self):
        assert check_leakage({"a", "b"}, {"B"}).evidence["n_leaked"] == 1

    def test_severity_boundary_at_one_percent(self):
        train = ["dup"]
        assert check_leakage(train, ["dup"] + [f"r{i}" for i in range(99)]).severity \
            == "critical"
        f = check_leakage(train, ["dup"] + [f"r{i}" for i in range(100)])
        assert f.severity == "warning" and "1 of 101" in f.message

    def test_no_leak_is_none(self):
        assert check_leakage(["a", "b"], ["c"]) is None
        assert check_leakage([], ["c"]) is None

    @pytest.mark.parametrize("test", [[], np.empty((0, 3))])
    def test_empty_test_is_an_error(self, test):
        with pytest.raises(labelwise.InputError, match="test_keys is empty"):
            check_leakage(["a"], test)

    @pytest.mark.parametrize("bad", ["just one string", 42, (x for x in "ab")])
    def test_keys_must_be_a_sequence(self, bad):
        with pytest.raises(labelwise.InputError, match="sequence of keys"):
            check_leakage(bad, ["a"])


# --------------------------------------------------------------------------
# interpretation bands
# --------------------------------------------------------------------------


class TestBands:
    @pytest.mark.parametrize("value,reading", [
        (0.8, "good"), (0.81, "good"), (0.7999, "fair"), (0.5, "fair"), (0.4999, "bad"),
        (0.0, "bad"), (1.0, "good"),
    ])
    def test_higher_is_better(self, value, reading):
        assert interpret({"f1_micro": value}) == {"f1_micro": reading}

    @pytest.mark.parametrize("value,reading", [
        (0.05, "good"), (0.0, "good"), (0.0501, "fair"), (0.3, "fair"), (0.3001, "bad"),
    ])
    def test_lower_is_better(self, value, reading):
        assert interpret({"hamming_loss": value}) == {"hamming_loss": reading}

    @pytest.mark.parametrize("pattern", list(DEFAULT_BANDS))
    def test_every_default_band_at_and_around_its_boundaries(self, pattern):
        import fnmatch

        name = next(n for n in labelwise.REGISTRY if fnmatch.fnmatchcase(n, pattern))
        good, bad = DEFAULT_BANDS[pattern]
        d = 1e-3 if labelwise.REGISTRY[name].higher_is_better else -1e-3
        expect = {good + d: "good", good: "good", good - d: "fair",
                  bad + d: "fair", bad: "fair", bad - d: "bad"}
        for value, reading in expect.items():
            assert interpret({name: value}) == {name: reading}, (name, value)

    def test_complementary_metrics_agree_on_the_boundaries(self):
        # label_accuracy = 1 - hamming_loss and their default bands mirror each other.
        for acc in (0.95, 0.7, 0.5, 0.99, 0.8, 0.9500001, 0.6999999):
            got = interpret({"label_accuracy": acc, "hamming_loss": 1 - acc})
            assert got["label_accuracy"] == got["hamming_loss"], (acc, got)

    @pytest.mark.parametrize("name,value,reading", [
        ("one_error", 0.2, "good"), ("one_error", 0.5, "fair"), ("one_error", 0.51, "bad"),
        ("label_ranking_loss", 0.31, "bad"), ("roc_auc_macro", 0.85, "good"),
        ("roc_auc_macro", 0.64, "bad"), ("subset_accuracy", 0.1, "fair"),
        ("subset_accuracy", 0.09, "bad"), ("precision_at_1", 0.8, "good"),
        ("mcc_samples", 0.45, "fair"), ("jaccard_weighted", 0.3, "bad"),
    ])
    def test_other_defaults(self, name, value, reading):
        assert interpret({name: value}) == {name: reading}

    def test_nan_unknown_and_unbanded_metrics_are_skipped(self):
        got = interpret({"f1_micro": math.nan, "made_up": 0.9, "coverage_error": 2.0,
                         "recall_macro": 0.9})
        assert got == {"recall_macro": "good"}

    def test_defaults_are_valid(self):
        assert check_bands(DEFAULT_BANDS) == DEFAULT_BANDS

    def test_evaluate_overrides_one_entry(self, seed):
        base = labelwise.evaluate(seed.y_true, seed.y_pred)
        assert base.interpretation["f1_micro"] == "fair"  # 0.727
        r = labelwise.evaluate(seed.y_true, seed.y_pred, bands={"f1_micro": (0.7, 0.6)})
        assert r.interpretation["f1_micro"] == "good"
        assert r.interpretation["f1_macro"] == base.interpretation["f1_macro"]
        assert r.interpretation["hamming_loss"] == base.interpretation["hamming_loss"]

    def test_evaluate_patterns(self, seed):
        r = labelwise.evaluate(seed.y_true, seed.y_pred, bands={"f1_*": [0.95, 0.9]})
        assert {r.interpretation[f"f1_{a}"] for a in ("micro", "macro", "samples")} == {"bad"}
        assert r.interpretation["precision_micro"] == "good"  # 0.8, default band
        # A new pattern overlapping a default one wins over it.
        r = labelwise.evaluate(seed.y_true, seed.y_pred, bands={"*_macro": [0.1, 0.05]})
        assert r.interpretation["f1_macro"] == "good"
        assert r.interpretation["f1_micro"] == "fair"
        # ... but an exact name beats any pattern.
        r = labelwise.evaluate(seed.y_true, seed.y_pred,
                               bands={"*_macro": [0.1, 0.05], "f1_macro": [0.99, 0.98]})
        assert r.interpretation["f1_macro"] == "bad"

    def test_readings_in_the_text_report(self, seed):
        r = labelwise.evaluate(seed.y_true, seed.y_pred, bands={"hamming_loss": (0.3, 0.5)})
        assert re.search(r"hamming_loss \(lower is better\) +0\.2500 +good", str(r))
        assert re.search(r"label_accuracy +0\.7500 +fair", str(r))

    @pytest.mark.parametrize("bands,match", [
        ({"f2_micro": (0.8, 0.5)}, "'f2_micro' matches no metric"),
        ({"f1_*": (0.8,)}, r"needs two numbers \[good, bad\]"),
        ({"f1_*": (0.8, 0.5, 0.1)}, "needs two numbers"),
        ({"f1_*": ("high", "low")}, "needs two numbers"),
        ({"f1_*": "ab"}, "needs two numbers"),
        ({"f1_*": 0.8}, "needs two numbers"),
        ({"f1_*": (math.nan, 0.5)}, "finite"),
        ({"f1_micro": (0.5, 0.8)}, "f1_micro is better when higher, so good must be >= bad"),
        ({"hamming_loss": (0.3, 0.05)}, "better when lower, so good must be <= bad"),
        ({"*_loss": (0.8, 0.5)}, "separate patterns"),
        ({1: (0.8, 0.5)}, "keys must be metric names"),
        ([("f1_*", (0.8, 0.5))], "bands must be a dict"),
    ])
    def test_invalid_bands(self, seed, bands, match):
        with pytest.raises(labelwise.InputError, match=match):
            labelwise.evaluate(seed.y_true, seed.y_pred, bands=bands)


# --------------------------------------------------------------------------
# findings in reports
# --------------------------------------------------------------------------


class TestFindingsInReports:
    labels = ["plain", "line\nbreak", "\x1b[31mred"]

    def report(self):
        # "line\nbreak" and the ANSI-coloured label occur but are never predicted.
        yt, yp = columns(1000, [(40, 0, 0), (0, 8, 0), (0, 3, 0)])
        return labelwise.evaluate(yt, yp, labels=self.labels)

    def test_to_dict_holds_findings_and_is_json_safe(self):
        r = self.report()
        d = r.to_dict()
        assert [f["code"] for f in d["findings"]] == codes(r)
        text = json.dumps(d["findings"], allow_nan=False)
        back = json.loads(text)
        never = next(f for f in back if f["code"] == "never_predicted")
        assert never["labels"] == ["line\nbreak", "\x1b[31mred"]
        assert never["severity"] == "warning" and never["suggestion"]
        json.dumps(d)

    def test_finding_to_dict_converts_numpy_and_nan(self):
        f = diagnose.Finding("x", "info", "m", "s", labels=(np.int64(3),),
                             evidence={"a": np.float32(0.5), "b": math.nan,
                                       "c": np.array([1, 2]), 4: (np.bool_(True),)})
        d = f.to_dict()
        assert d["labels"] == [3] and type(d["labels"][0]) is int
        assert d["evidence"] == {"a": 0.5, "b": None, "c": [1, 2], "4": [True]}
        json.dumps(d, allow_nan=False)

    def test_text_report_has_a_findings_section_with_escaped_names(self):
        r = self.report()
        text = str(r)
        assert "\x1b" not in text
        section = text.split("\nFindings\n", 1)[1]
        assert "[warning] never_predicted: 2 of 3 label(s)" in section
        assert "'line\\nbreak' (8 positives)" in section
        assert "'\\x1b[31mred' (3 positives)" in section
        assert "what to do: Lower the threshold" in section
        lines = section.splitlines()
        assert all(line.startswith("  ") for line in lines if line and
                   not line.startswith("note:")), lines

    def test_most_severe_first(self):
        yt, yp = columns(1250, [(3, 22, 3)] * 7 + [(0, 25, 0)])
        sev = [f.severity for f in labelwise.evaluate(yt, yp).findings]
        order = {s: i for i, s in enumerate(diagnose.SEVERITIES)}
        assert sev == sorted(sev, key=lambda s: -order[s]) and sev[0] == "critical"

    def test_each_detector_returns_its_own_code(self):
        assert [d.__name__ for d in DETECTORS] == [
            "accuracy_paradox", "label_imbalance", "no_support", "mostly_unknown",
            "never_predicted", "empty_predictions", "single_label_predictions",
            "softmax_scores", "logits_not_probabilities", "threshold_outside_scores",
            "undefined_metric", "overfitting", "multiclass_data", "label_space_from_data",
            "thresholds_tuned_on_eval", "miscalibrated", "threshold_not_probability"]
        yt, yp = columns(1250, [(3, 22, 3)] * 7 + [(0, 25, 0)] + [(0, 0, 0)])
        r = labelwise.evaluate(yt, yp)
        ctx = Context(metrics=r.metrics, labels=r.labels, counts=r.counts)
        for f in run_detectors(ctx):
            assert getattr(diagnose, f.code)(ctx) == f


# --------------------------------------------------------------------------
# real data
# --------------------------------------------------------------------------

needs_data = pytest.mark.skipif(
    not DATA.is_dir(),
    reason=f"needs {DATA}, the shared data folder beside the repository that holds "
           "Mulan's yeast and medical data sets (ARFF with their .xml label lists); absent",
)


def _examples():
    """The ARFF readers of examples/findings_examples.py (one reader for docs and tests)."""
    spec = importlib.util.spec_from_file_location(
        "findings_examples", ROOT / "examples" / "findings_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_dense(name: str, split: str):
    return _examples().load_dense(name, split)


def load_sparse(name: str, split: str):
    return _examples().load_sparse(name, split)


def tree_per_label(X_train, Y_train, X_sets):
    """One unpruned decision tree per label (it memorises its training data)."""
    from sklearn.tree import DecisionTreeClassifier

    out = [np.zeros((X.shape[0], Y_train.shape[1]), dtype=np.int8) for X in X_sets]
    for j in range(Y_train.shape[1]):
        if Y_train[:, j].min() == Y_train[:, j].max():  # constant in training
            for o in out:
                o[:, j] = Y_train[0, j]
            continue
        model = DecisionTreeClassifier(random_state=0).fit(X_train, Y_train[:, j])
        for o, X in zip(out, X_sets):
            o[:, j] = model.predict(X)
    return out


@needs_data
def test_yeast_memorising_trees_overfit():
    pytest.importorskip("sklearn")
    X_tr, Y_tr, labels = load_dense("yeast", "train")
    X_te, Y_te, _ = load_dense("yeast", "test")
    assert Y_tr.shape == (1500, 14) and Y_te.shape == (917, 14)
    P_tr, P_te = tree_per_label(X_tr, Y_tr, [X_tr, X_te])
    r = labelwise.evaluate(Y_te, P_te, labels=labels, train=(Y_tr, P_tr))
    f = the(r, "overfitting")
    check_finding(f, "overfitting", "critical",
                  numbers=["f1_micro 1.000 on train", f"vs {r['f1_micro']:.3f} on test"])
    assert f.evidence["gap"]["f1_micro"] > 0.25
    # Yeast's rarest class (Class14, 13 test positives) is far rarer than Class12 (688).
    g = the(r, "label_imbalance")
    assert g.labels == ("Class14",) and "'Class14' (13 positives)" in g.message


@needs_data
def test_medical_label_imbalance_names_the_rare_codes():
    pytest.importorskip("sklearn")
    X_tr, Y_tr, labels = load_sparse("medical", "train")
    X_te, Y_te, _ = load_sparse("medical", "test")
    assert Y_tr.shape == (333, 45) and Y_te.shape == (645, 45)
    P_te, = tree_per_label(X_tr, Y_tr, [X_te])
    r = labelwise.evaluate(Y_te, P_te, labels=labels)
    f = the(r, "label_imbalance")
    support = Y_te.sum(axis=0)
    rare = {labels[j] for j in np.flatnonzero((support > 0) & (support < 5))}
    assert len(rare) >= 10 and rare <= set(f.labels)
    check_finding(f, "label_imbalance", "warning",
                  numbers=[f"from 1 to {support.max()}", "fewer than 5"],
                  labels=[labels[j] for j in np.flatnonzero(support == 1)][:3])
    # Six ICD-9 codes never occur in the test split.
    absent = [labels[j] for j in np.flatnonzero(support == 0)]
    check_finding(the(r, "no_support"), "no_support", "info", numbers=["6 of 45"],
                  labels=absent)


@pytest.mark.parametrize("scores", [
    np.round(np.random.default_rng(0).random((500, 6)), 3),  # zeros among them
    np.random.default_rng(1).random((300, 4)) * 3 - 1,  # outside [0, 1]
    np.array([[-0.0, 0.5], [0.0, 1.0]]),
    np.array([[0.0, -0.0]]),
    np.array([[-0.0, -0.0], [-2.0, -0.0]]),
    np.random.default_rng(2).random((20, 3)).astype(np.float32),
])
def test_score_shape_read_off_the_thresholding_is_the_same(scores):
    from labelwise.diagnose import ScoreShape, Thresholding

    plain = ScoreShape.of(scores)
    ranged = ScoreShape.of(scores, Thresholding.of(scores, threshold=0.5))
    assert ranged == plain
    assert np.signbit(ranged.low) == np.signbit(plain.low)  # a zero keeps its sign
    assert np.signbit(ranged.high) == np.signbit(plain.high)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.integers(-3, 70_000).map(float), st.floats(allow_nan=True,
                                                                      allow_infinity=True)),
                min_size=0, max_size=600))
def test_stable_order_is_the_stable_argsort(values):
    """Whole numbers that fit uint16 take the radix sort; any other values (negative,
    large, fractional, NaN, infinite) the merge sort: the same order either way."""
    from labelwise.diagnose.findings import stable_order

    v = np.array(values, dtype=np.float64)
    np.testing.assert_array_equal(stable_order(v), np.argsort(v, kind="stable"))
    whole = np.abs(np.nan_to_num(v, nan=0, posinf=0, neginf=0)) % 60_000 // 1
    for w in (whole, np.tile(whole, 300 // max(whole.size, 1) + 1), np.tile(v, 3)):
        np.testing.assert_array_equal(stable_order(w), np.argsort(w, kind="stable"))
