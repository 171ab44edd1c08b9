"""evaluate(): the one call that returns everything."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.sparse as sp

import labelwise
from labelwise import REGISTRY


def test_seed_example_hand_checked(seed):
    report = labelwise.evaluate(seed.y_true, seed.y_pred, labels=seed.labels)
    for name, value in seed.expected.items():
        assert report[name] == pytest.approx(float(value), abs=1e-15), name


def test_report_holds_every_threshold_metric(seed):
    report = labelwise.evaluate(seed.y_true, seed.y_pred)
    assert set(report.metrics) == {m.name for m in REGISTRY.values() if not m.needs_scores}
    assert all(isinstance(v, float) for v in report.metrics.values())


def test_per_label_table(seed):
    table = labelwise.evaluate(seed.y_true, seed.y_pred, labels=seed.labels).per_label
    assert table["label"] == ["A", "B", "C"]
    assert table["support"].tolist() == [2, 2, 2]
    assert table["tp"].tolist() == [2, 1, 1]
    assert table["fp"].tolist() == [0, 0, 1]
    assert table["fn"].tolist() == [0, 1, 1]
    assert table["tn"].tolist() == [2, 2, 1]
    assert table["precision"].tolist() == [1.0, 1.0, 0.5]
    assert table["recall"].tolist() == [1.0, 0.5, 0.5]
    assert table["jaccard"].tolist() == pytest.approx([1.0, 0.5, 1 / 3])
    assert table["specificity"].tolist() == [1.0, 1.0, 0.5]
    rows = list(table)
    assert rows[2]["label"] == "C" and rows[2]["tp"] == 1 and isinstance(rows[2]["tp"], int)
    assert len(table) == 3
    with pytest.raises(KeyError, match="columns are label, support"):
        table["nope"]


def test_per_label_confusion_matrices(seed):
    counts = labelwise.evaluate(seed.y_true, seed.y_pred).counts
    assert counts.confusion_matrices().tolist() == [
        [[2, 0], [0, 2]],
        [[2, 0], [1, 1]],
        [[1, 1], [1, 1]],
    ]


def test_to_dict_is_json_ready(seed):
    d = labelwise.evaluate(seed.y_true, seed.y_pred, labels=seed.labels).to_dict()
    assert list(d)[:5] == ["n_samples", "n_labels", "labels", "metrics", "per_label"]
    assert (d["n_samples"], d["n_labels"], d["labels"]) == (4, 3, ["A", "B", "C"])
    assert d["metrics"]["f1_micro"] == pytest.approx(8 / 11)
    assert d["per_label"][1] == pytest.approx(
        {**d["per_label"][1], "label": "B", "support": 2, "tp": 1, "recall": 0.5}
    )
    assert json.loads(json.dumps(d)) == d


def test_unknown_metric_name_lists_the_known_ones(seed):
    report = labelwise.evaluate(seed.y_true, seed.y_pred)
    with pytest.raises(KeyError, match="available: subset_accuracy"):
        report["f1"]
    assert "f1_macro" in report and "f1" not in report


def test_scores_are_thresholded_strictly_by_default():
    y_true = [[1, 0], [0, 1]]
    scores = [[0.5, 0.2], [0.1, 0.9]]
    strict = labelwise.evaluate(y_true, y_score=scores, threshold=0.5)
    assert strict.per_label["tp"].tolist() == [0, 1]
    inclusive = labelwise.evaluate(y_true, y_score=scores, threshold=0.5, inclusive=True)
    assert inclusive.per_label["tp"].tolist() == [1, 1]
    assert inclusive.params["inclusive"] is True and strict.params["threshold"] == 0.5


def test_per_label_threshold_and_dict():
    y_true = [[1, 0], [0, 1]]
    scores = [[0.3, 0.2], [0.1, 0.9]]
    by_list = labelwise.evaluate(y_true, y_score=scores, threshold=[0.25, 0.5])
    by_dict = labelwise.evaluate(
        y_true, y_score=scores, threshold={"b": 0.5, "a": 0.25}, labels=["a", "b"]
    )
    assert by_list["f1_micro"] == by_dict["f1_micro"] == 1.0
    assert by_dict.params["threshold"] == [0.25, 0.5]


def test_logits_are_not_squashed():
    # Logits of -2 and 3 with threshold 0.5: only the 3 is above, no sigmoid applied.
    report = labelwise.evaluate([[1, 1]], y_score=[[-2.0, 3.0]], threshold=0.5)
    assert report.per_label["tp"].tolist() == [0, 1]


@pytest.mark.parametrize("given", ["both", "neither"])
def test_exactly_one_of_pred_and_score(given):
    kwargs = {"y_pred": [[1]], "y_score": [[0.7]]} if given == "both" else {}
    with pytest.raises(labelwise.InputError, match=f"exactly one of y_pred.*{given}"):
        labelwise.evaluate([[1]], **kwargs)


def test_zero_division_values_and_nan_drops_labels():
    y_true = np.array([[1, 0, 0], [1, 0, 0]])
    y_pred = np.array([[1, 0, 0], [0, 0, 0]])
    zero = labelwise.evaluate(y_true, y_pred, zero_division=0)
    one = labelwise.evaluate(y_true, y_pred, zero_division=1)
    nan = labelwise.evaluate(y_true, y_pred, zero_division=np.nan)
    # label A: P 1, R 1/2; labels B and C: no truth, no prediction -> undefined
    assert zero["precision_macro"] == pytest.approx(1 / 3)
    assert one["precision_macro"] == 1.0
    assert nan["precision_macro"] == 1.0
    assert zero["recall_macro"] == pytest.approx(1 / 6)
    assert nan["recall_macro"] == 0.5
    assert math.isnan(nan.per_label["recall"][1])


def test_zero_division_warn_warns():
    with pytest.warns(labelwise.UndefinedMetricWarning, match="zero_division"):
        labelwise.evaluate([[1, 0]], [[1, 0]], zero_division="warn")


def test_sample_weight_changes_counts_to_weighted_sums(seed):
    w = [1.0, 2.0, 0.5, 0.0]
    report = labelwise.evaluate(seed.y_true, seed.y_pred, sample_weight=w)
    assert report.per_label["tp"].tolist() == [1.5, 2.0, 0.0]  # C: its one tp has weight 0
    assert report.counts.total_weight == 3.5
    # duplicating a sample equals giving it weight 2
    dup_t = np.vstack([seed.y_true, seed.y_true[1:2]])
    dup_p = np.vstack([seed.y_pred, seed.y_pred[1:2]])
    plain = labelwise.evaluate(dup_t, dup_p)
    weighted = labelwise.evaluate(seed.y_true, seed.y_pred, sample_weight=[1, 2, 1, 1])
    for name in plain.metrics:
        assert weighted[name] == pytest.approx(plain[name], abs=1e-12), name


def test_dense_sparse_and_label_sets_agree(seed):
    dense = labelwise.evaluate(seed.y_true, seed.y_pred, labels=seed.labels)
    sparse = labelwise.evaluate(
        sp.csr_matrix(seed.y_true), sp.csc_matrix(seed.y_pred), labels=seed.labels
    )
    sets_t = [[seed.labels[j] for j in np.flatnonzero(r)] for r in seed.y_true]
    sets_p = [",".join(seed.labels[j] for j in np.flatnonzero(r)) for r in seed.y_pred]
    sets = labelwise.evaluate(sets_t, sets_p)
    assert dense.counts == sparse.counts == sets.counts
    assert dense.metrics == sparse.metrics == sets.metrics


def test_beta_is_the_fbeta_parameter(seed):
    report = labelwise.evaluate(seed.y_true, seed.y_pred, beta=1.0)
    assert report["fbeta_micro"] == pytest.approx(report["f1_micro"], abs=1e-15)
    assert labelwise.evaluate(seed.y_true, seed.y_pred).params["beta"] == 2.0


def test_dict_threshold_follows_score_columns_by_name():
    import pandas as pd

    truth = pd.DataFrame({"a": [1, 0], "b": [0, 1]})
    scores = pd.DataFrame({"b": [0.5, 0.95], "a": [0.2, 0.05]})
    report = labelwise.evaluate(
        truth, y_score=scores, threshold={"a": 0.1, "b": 0.9}, labels=["a", "b"]
    )
    assert report.per_label["tp"].tolist() == [1, 1]
    assert report.per_label["fp"].tolist() == [0, 0]
    # names known from y_true alone are enough for a dict threshold
    plain = labelwise.evaluate(truth, y_score=[[0.2, 0.5], [0.05, 0.95]], threshold={"a": 0.1, "b": 0.9})
    assert plain.per_label["tp"].tolist() == [1, 1]


def test_k_sets_the_cutoffs_of_the_at_k_metrics():
    import labelwise.metrics as lm

    rng = np.random.default_rng(11)
    y = (rng.random((40, 15)) < 0.25).astype(int)
    s = rng.random((40, 15))
    inv = labelwise.inverse_propensity(y)
    r = labelwise.evaluate(y, y_score=s, k=[10, 2, 30], inv_propensity=inv)
    assert r.params["k"] == [2, 10, 30]
    assert sorted(n for n in r.metrics if n.startswith("precision_at_")) == [
        "precision_at_10", "precision_at_2"]  # 30 is more than the 15 labels
    for k in (2, 10):
        assert r[f"precision_at_{k}"] == pytest.approx(lm.precision_at_k(y, s, k=k), abs=1e-12)
        assert r[f"ndcg_at_{k}"] == pytest.approx(lm.ndcg_at_k(y, s, k=k), abs=1e-12)
        assert r[f"psprecision_at_{k}"] == pytest.approx(
            lm.psprecision_at_k(y, s, k=k, inv_propensity=inv), abs=1e-12)
    assert labelwise.evaluate(y, y_score=s, k=4).params["k"] == [4]


@pytest.mark.parametrize("k, words", [(0, "0 is not a positive integer"), ([], "(empty)"),
                                      ("3", "'3' is not a positive integer"),
                                      (2.5, "got 2.5"), ([1, True], "True")])
def test_bad_cutoffs_are_refused(k, words):
    with pytest.raises(labelwise.InputError, match="k must be a positive integer") as err:
        labelwise.evaluate([[1, 0]], y_score=[[0.2, 0.9]], k=k)
    assert words in str(err.value)
