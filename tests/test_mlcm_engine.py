"""The MLCM carried by the engine: evaluate(mlcm=True), Accumulator batches and merges."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import labelwise
from labelwise.metrics import mlcm

Y_TRUE = [[1, 1, 0], [1, 1, 1], [0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 0, 0], [1, 0, 0],
          [1, 1, 0], [1, 1, 0]]
Y_PRED = [[1, 1, 0], [1, 0, 1], [0, 0, 0], [1, 1, 1], [1, 1, 1], [0, 1, 1], [0, 1, 1],
          [1, 0, 1], [0, 0, 1]]
PUBLISHED = [[5, 2, 4, 0], [0, 2, 3, 1], [0, 0, 1, 0], [0, 1, 1, 1]]


def test_evaluate_gives_the_published_mlcm_only_when_asked():
    assert labelwise.evaluate(Y_TRUE, Y_PRED, mlcm=True).mlcm.tolist() == PUBLISHED
    assert labelwise.evaluate(Y_TRUE, Y_PRED).mlcm is None


@pytest.mark.parametrize("cut", [1, 4, 8])
def test_batches_and_merges_add_up_to_the_whole(cut):
    a = labelwise.Accumulator(mlcm=True).update(Y_TRUE[:cut], Y_PRED[:cut])
    b = labelwise.Accumulator(mlcm=True).update(Y_TRUE[cut:], Y_PRED[cut:])
    assert (a + b).report().mlcm.tolist() == PUBLISHED
    assert (b + a).report().mlcm.tolist() == PUBLISHED
    one = labelwise.Accumulator(mlcm=True).update(Y_TRUE[:cut], Y_PRED[:cut])
    assert one.update(Y_TRUE[cut:], Y_PRED[cut:]).report().mlcm.tolist() == PUBLISHED


def test_checkpoints_keep_it():
    acc = labelwise.Accumulator(mlcm=True).update(Y_TRUE, Y_PRED)
    back = labelwise.Accumulator.from_dict(json.loads(json.dumps(acc.to_dict())))
    assert back.report().mlcm.tolist() == PUBLISHED
    assert pickle.loads(pickle.dumps(acc)).report().mlcm.tolist() == PUBLISHED


def test_a_growing_vocabulary_moves_the_cells_with_their_labels():
    truth = [[], ["a"], [], ["b", "a"], ["c"]]
    pred = [[], ["a"], ["b"], ["b"], []]
    acc = labelwise.Accumulator(mlcm=True)
    for i in range(len(truth)):  # first batch: no label at all yet
        acc.update(truth[i:i + 1], pred[i:i + 1])
    report = acc.report()
    assert report.labels == ("a", "b", "c")
    assert report.mlcm.tolist() == mlcm(truth, pred, labels=["a", "b", "c"]).tolist()


def test_named_columns_in_another_order_merge_by_name():
    pd = pytest.importorskip("pandas")
    t = pd.DataFrame(Y_TRUE, columns=["x", "y", "z"])
    p = pd.DataFrame(Y_PRED, columns=["x", "y", "z"])
    a = labelwise.Accumulator(mlcm=True).update(t[:5], p[:5])
    b = labelwise.Accumulator(mlcm=True).update(t[5:][["z", "x", "y"]], p[5:][["z", "x", "y"]])
    assert (a + b).report().mlcm.tolist() == PUBLISHED


def test_weights_and_scores():
    w = np.arange(1, 10, dtype=float)
    r = labelwise.evaluate(Y_TRUE, Y_PRED, mlcm=True, sample_weight=w)
    assert np.allclose(r.mlcm, mlcm(Y_TRUE, Y_PRED, sample_weight=w))
    scores = np.where(np.asarray(Y_PRED) == 1, 0.8, 0.1)
    assert labelwise.evaluate(Y_TRUE, y_score=scores, mlcm=True).mlcm.tolist() == PUBLISHED


def test_it_is_in_the_report_data_and_json():
    r = labelwise.evaluate(Y_TRUE, Y_PRED, mlcm=True)
    assert r.to_dict()["mlcm"] == PUBLISHED
    assert json.loads(r.to_json())["mlcm"] == PUBLISHED
    assert "mlcm" not in labelwise.evaluate(Y_TRUE, Y_PRED).to_dict()


def test_accumulators_with_and_without_it_do_not_merge():
    a = labelwise.Accumulator(mlcm=True).update(Y_TRUE, Y_PRED)
    b = labelwise.Accumulator().update(Y_TRUE, Y_PRED)
    with pytest.raises(labelwise.InputError, match="different settings.*mlcm"):
        a + b


def test_the_html_report_draws_it_for_hard_labels():
    page = labelwise.evaluate(Y_TRUE, Y_PRED, mlcm=True).to_html()
    assert 'id="plot-mlcm"' in page
    assert 'id="plot-mlcm"' not in labelwise.evaluate(Y_TRUE, Y_PRED).to_html()


def test_the_html_report_shows_train_beside_test():
    rng = np.random.default_rng(0)
    y = rng.random((300, 4)) < 0.3
    pred = np.where(rng.random((300, 4)) < 0.9, y, ~y)
    fitted = np.where(rng.random((300, 4)) < 0.99, y, ~y)
    r = labelwise.evaluate(y, pred, train=(y, fitted))
    train = labelwise.evaluate(y, fitted)
    assert r.train["f1_micro"] == train["f1_micro"]
    page = r.to_html()
    gap = r["f1_micro"] - train["f1_micro"]
    assert (f"<tr><td>f1_micro</td><td>{train['f1_micro']:.4f}</td>"
            f"<td>{r['f1_micro']:.4f}</td><td>{gap:+.4f}</td></tr>") in page
    assert 'id="train-table"' not in labelwise.evaluate(y, pred).to_html()
