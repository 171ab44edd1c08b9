"""labelwise.integrations.transformers.compute_metrics, without transformers or torch.

A named tuple stands in for ``transformers.EvalPrediction`` (the same fields), and a
small tensor class for a torch tensor on a device.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
import pytest

import labelwise
from labelwise.integrations.transformers import compute_metrics

EvalPrediction = namedtuple("EvalPrediction", "predictions label_ids")


class Tensor:
    """A stand-in tensor: numpy reads it only once it is detached and on the CPU."""

    def __init__(self, values, device="cuda:0", dtype="torch.float32", grad=True):
        self.values, self.device, self.dtype, self.grad = np.asarray(values), device, dtype, grad

    def detach(self):
        return Tensor(self.values, self.device, self.dtype, grad=False)

    def cpu(self):
        return Tensor(self.values, "cpu", self.dtype, self.grad)

    def float(self):
        return Tensor(self.values.astype(np.float32), self.device, "torch.float32", self.grad)

    def __array__(self, dtype=None, copy=None):
        if self.device != "cpu":
            raise TypeError("can't convert cuda:0 device type tensor to numpy")
        if self.grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad")
        if self.dtype == "torch.bfloat16":
            raise TypeError("Got unsupported ScalarType BFloat16")
        return self.values if dtype is None else self.values.astype(dtype)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    truth = (rng.random((200, 4)) < 0.35).astype(np.float32)  # float labels, as HF gives them
    logits = rng.normal(size=(200, 4)) + 2.0 * truth - 1.0
    return logits, truth


def test_whole_set_equals_evaluate_of_the_logits(data):
    logits, truth = data
    got = compute_metrics()(EvalPrediction(logits, truth))
    report = labelwise.evaluate(truth, y_score=logits, scores_are_logits=True)
    assert got == {k: v for k, v in report.metrics.items() if not math.isnan(v)}
    probs = 1 / (1 + np.exp(-logits))
    assert compute_metrics(logits=False)(EvalPrediction(probs, truth))["f1_macro"] == \
        labelwise.evaluate(truth, y_score=probs)["f1_macro"]


def test_batches_stream_into_one_result_and_the_next_evaluation_starts_afresh(data):
    logits, truth = data
    fn = compute_metrics(labels=["a", "b", "c", "d"], threshold=0.4, per_label=True)
    whole = fn(EvalPrediction(logits, truth))
    for _ in range(2):  # two evaluations, e.g. two epochs
        parts = []
        for lo in range(0, 200, 64):
            batch = EvalPrediction(Tensor(logits[lo:lo + 64]), Tensor(truth[lo:lo + 64]))
            parts.append(fn(batch, compute_result=lo + 64 >= 200))
        assert parts[:-1] == [{}, {}, {}]
        assert parts[-1].keys() == whole.keys()
        for k, v in whole.items():
            assert parts[-1][k] == pytest.approx(v, rel=1e-12, abs=1e-12), k


def test_reset_forgets_an_evaluation_stopped_midway(data):
    logits, truth = data
    fn = compute_metrics(metrics=["f1_micro"])
    fn(EvalPrediction(logits[:50], truth[:50]), compute_result=False)
    fn.reset()
    fn(EvalPrediction(logits[50:], truth[50:]), compute_result=False)
    assert fn(EvalPrediction(logits[:0], truth[:0]), compute_result=True) == \
        fn(EvalPrediction(logits[50:], truth[50:]))


def test_tuple_predictions_take_the_logits_and_a_plain_pair_is_read(data):
    logits, truth = data
    hidden = np.zeros((200, 7, 3))
    fn = compute_metrics(metrics=["f1_macro", "roc_auc_macro"])
    expected = fn(EvalPrediction(logits, truth))
    assert fn(EvalPrediction((logits, hidden), truth)) == expected
    assert fn((logits, truth)) == expected
    assert fn(EvalPrediction((Tensor(logits), Tensor(hidden)), Tensor(truth))) == expected


def test_bfloat16_tensors_are_read_as_float32(data):
    logits, truth = data
    fn = compute_metrics(metrics=["roc_auc_micro"])
    got = fn(EvalPrediction(Tensor(logits, dtype="torch.bfloat16"), Tensor(truth)))
    assert got == fn(EvalPrediction(logits.astype(np.float32), truth))


def test_keys_prefix_per_label_names_and_id2label(data):
    logits, truth = data
    id2label = {"0": "joy", "1": "anger & rage", "2": "love:high", "3": "calm"}
    fn = compute_metrics(labels=id2label, metrics=["f1_macro"], prefix="val/",
                         per_label=["f1", "support"])
    got = fn(EvalPrediction(logits, truth))
    report = labelwise.evaluate(truth, y_score=logits, scores_are_logits=True,
                                labels=["joy", "anger & rage", "love:high", "calm"])
    assert list(got)[:3] == ["val/f1_macro", "val/f1/joy", "val/f1/anger _ rage"]
    assert got["val/f1/love_high"] == report.per_label["f1"][2]
    assert got["val/support/calm"] == report.per_label["support"][3]
    assert all(isinstance(v, float) for v in got.values())


def test_undefined_values_are_left_out_or_kept(data):
    logits, truth = data
    truth = truth.copy()
    truth[:, 0] = 1  # no negative: specificity of label 0 undefined with zero_division=nan
    kw = dict(per_label=["specificity"], zero_division=float("nan"))
    assert "specificity/0" not in compute_metrics(**kw)(EvalPrediction(logits, truth))
    kept = compute_metrics(nan="keep", **kw)(EvalPrediction(logits, truth))
    assert math.isnan(kept["specificity/0"])


def test_settings_reach_the_accumulator(data):
    logits, truth = data
    got = compute_metrics(auc="binned", bins=50, metrics=["roc_auc_macro"], k=2)(
        EvalPrediction(logits, truth))
    exact = labelwise.evaluate(truth, y_score=logits, scores_are_logits=True)["roc_auc_macro"]
    assert got["roc_auc_macro"] != exact and abs(got["roc_auc_macro"] - exact) < 0.02
    assert "precision_at_2" in compute_metrics(k=2)(EvalPrediction(logits, truth))


@pytest.mark.parametrize("call,message", [
    (lambda: compute_metrics(metrics=["f1_makro"]), "no metric 'f1_makro' in the registry"),
    (lambda: compute_metrics(prefix=3), "prefix must be a string such as 'val/', got 3"),
    (lambda: compute_metrics(logits="yes"), "logits must be True (the model returns logits)"),
    (lambda: compute_metrics(nan="drop"), "nan must be 'omit', 'keep' or a number, got 'drop'"),
    (lambda: compute_metrics(labels={"a": "joy"}), "a dict of labels is read as id2label"),
    (lambda: compute_metrics(labels={1: "joy", 2: "calm"}),
     "id2label must number the columns 0 to 1, got keys [1, 2]"),
    (lambda: compute_metrics(sample_weight=[1]),
     "unexpected keyword argument(s) sample_weight; it passes on only inclusive"),
    (lambda: compute_metrics(zero_division=5), "zero_division"),
])
def test_bad_arguments_say_what_to_do(call, message):
    with pytest.raises(labelwise.InputError) as err:
        call()
    assert message in str(err.value)


@pytest.mark.parametrize("given,message", [
    ("logits", "expected an EvalPrediction (with predictions and label_ids) or a "
               "(predictions, label_ids) pair, got str"),
    (EvalPrediction(np.zeros((2, 2)), None), "got no label_ids: the evaluation set has no labels"),
    (EvalPrediction(np.zeros(2), np.zeros(2)),
     "expected predictions of shape (n_samples, n_labels), one logit per label, got shape (2,)"),
])
def test_bad_predictions_say_what_to_do(given, message):
    with pytest.raises(labelwise.InputError) as err:
        compute_metrics()(given)
    assert message in str(err.value)


def test_a_metric_the_predictions_do_not_define_is_named():
    fn = compute_metrics(metrics=["precision_at_5"])
    with pytest.raises(labelwise.InputError, match="the report has no precision_at_5"):
        fn(EvalPrediction(np.zeros((3, 2)), np.eye(2)[[0, 1, 0]]))
