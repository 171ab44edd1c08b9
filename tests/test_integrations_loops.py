"""The training-loop example of docs/integrations.md, with stand-ins for torch.

A small tensor class stands in for torch tensors (read through ``__array__`` once on
the CPU), a function for the model, and a list of shards for the data-parallel
ranks; ``json``/``pickle`` round trips stand in for ``all_gather_object``.
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import labelwise

LABELS = ["a", "b", "c", "d", "e"]


class Tensor:
    def __init__(self, values, device="cpu"):
        self.values, self.device = np.asarray(values), device

    def cpu(self):
        return Tensor(self.values)

    def __array__(self, dtype=None, copy=None):
        if self.device != "cpu":
            raise TypeError("can't convert cuda:0 device type tensor to numpy")
        return self.values if dtype is None else self.values.astype(dtype)


def sigmoid(t: Tensor) -> Tensor:
    return Tensor(1 / (1 + np.exp(-t.values)), t.device)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(1000, 5))
    y = ((x + rng.normal(scale=0.8, size=x.shape)) > 0.6).astype(int)
    return x, y


def model(x: Tensor) -> Tensor:
    return Tensor(x.values * 1.5 - 0.9, x.device)


def loader(x, y, batch=64, device="cuda:0"):
    for lo in range(0, len(x), batch):
        yield Tensor(x[lo:lo + batch], device), Tensor(y[lo:lo + batch], device)


def validation_epoch(x, y):
    acc = labelwise.Accumulator(labels=LABELS)
    for xb, yb in loader(x, y):
        acc.update(yb.cpu(), y_score=sigmoid(model(xb)).cpu())
    return acc


def test_validation_loop_equals_evaluate_on_all_the_data(data):
    x, y = data
    report = validation_epoch(x, y).report()
    scores = 1 / (1 + np.exp(-(x * 1.5 - 0.9)))
    whole = labelwise.evaluate(y, y_score=scores, labels=LABELS)
    assert report.metrics.keys() == whole.metrics.keys()
    for name, value in whole.metrics.items():
        assert report[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def test_a_tensor_left_on_the_device_is_refused_with_the_fix(data):
    x, y = data
    acc = labelwise.Accumulator(labels=LABELS)
    xb, yb = next(loader(x, y))
    with pytest.raises((labelwise.InputError, TypeError), match="cpu|cuda"):
        acc.update(yb.cpu(), y_score=sigmoid(model(xb)))


@pytest.mark.parametrize("transport", ["to_dict", "pickle"])
def test_states_gathered_across_ranks_equal_one_evaluation(data, transport):
    x, y = data
    world = 3
    states = [validation_epoch(x[rank::world], y[rank::world]) for rank in range(world)]
    if transport == "to_dict":  # all_gather_object(states, acc.to_dict())
        gathered = [json.loads(json.dumps(s.to_dict())) for s in states]
        merged = sum(labelwise.Accumulator.from_dict(s) for s in gathered)
    else:  # all_gather_object(states, acc)
        merged = sum(pickle.loads(pickle.dumps(s)) for s in states)
    report = merged.report()
    whole = validation_epoch(x, y).report()
    assert report.n_samples == len(x)
    for name, value in whole.metrics.items():
        assert report[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name
    # every rank logs the same flat dict
    assert report.to_flat_dict(prefix="val/").keys() == whole.to_flat_dict(prefix="val/").keys()


def test_lightning_style_hooks_log_a_flat_dict(data):
    x, y = data
    logged = []

    class Classifier:  # the hooks of the docs' LightningModule, on one device
        def __call__(self, xb):
            return model(xb)

        def log_dict(self, metrics):
            logged.append(metrics)

        def on_validation_epoch_start(self):
            self.val_state = labelwise.Accumulator(labels=LABELS)

        def validation_step(self, batch, batch_idx):
            xb, yb = batch
            self.val_state.update(yb.cpu(), y_score=sigmoid(self(xb)).cpu())

        def on_validation_epoch_end(self):
            self.log_dict(self.val_state.report().to_flat_dict(prefix="val/"))

    module = Classifier()
    for epoch in range(2):
        module.on_validation_epoch_start()
        for i, batch in enumerate(loader(x, y)):
            module.validation_step(batch, i)
        module.on_validation_epoch_end()
    assert len(logged) == 2 and logged[0] == logged[1]  # each epoch starts afresh
    expected = validation_epoch(x, y).report().to_flat_dict(prefix="val/")
    assert logged[0].keys() == expected.keys()
    assert all(isinstance(v, float) for v in logged[0].values())
