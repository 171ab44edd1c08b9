"""Threshold tuning: exactness against brute force, constraints, JSON, findings, real data."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelwise
from labelwise import InputError, Thresholds, tune_thresholds

YEAST = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "yeast"
FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Few distinct values, so that ties within and across labels are common.
_VALUES = [0.0, 0.1, 0.2, 0.5, 0.7, 1.0]


@st.composite
def problems(draw, max_rows=10, max_labels=3, weighted=False):
    n = draw(st.integers(1, max_rows))
    L = draw(st.integers(1, max_labels))
    y = np.array(draw(st.lists(st.lists(st.booleans(), min_size=L, max_size=L),
                               min_size=n, max_size=n)), dtype=int)
    s = np.array(draw(st.lists(st.lists(st.sampled_from(_VALUES), min_size=L, max_size=L),
                               min_size=n, max_size=n)), dtype=float)
    w = None
    if weighted:
        w = np.array(draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=n,
                                   max_size=n)))
    return y, s, w


def _metric(y, pred, objective, w=None):
    """The objective of hard predictions, computed by evaluate() (the registry's formulas)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return labelwise.evaluate(y, pred.astype(int), sample_weight=w)[objective]


def _sign(objective):
    return 1.0 if labelwise.REGISTRY[objective].higher_is_better else -1.0


def _column_cuts(col):
    """Every set of rows a threshold on one column can predict: none, or score >= v."""
    return [np.zeros(col.shape[0], dtype=bool)] + [col >= v for v in np.unique(col)]


def _tuned(y, s, t, objective, w=None, inclusive=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return labelwise.evaluate(y, y_score=s, threshold=t, inclusive=inclusive,
                                  sample_weight=w)[objective]


# --------------------------------------------------------------------------
# Exactness against brute force
# --------------------------------------------------------------------------

PER_LABEL_OBJECTIVES = ["f1_macro", "jaccard_weighted", "mcc_macro", "fbeta_macro",
                        "precision_macro", "balanced_accuracy_weighted"]
GLOBAL_OBJECTIVES = ["f1_micro", "f1_macro", "jaccard_weighted", "mcc_micro", "hamming_loss",
                     "recall_micro", "specificity_macro"]


@FAST
@given(problems(weighted=False), st.sampled_from(PER_LABEL_OBJECTIVES), st.booleans())
def test_per_label_reaches_the_brute_force_optimum(problem, objective, inclusive):
    y, s, _ = problem
    t = tune_thresholds(y, s, objective=objective, inclusive=inclusive)
    best = []
    for j in range(y.shape[1]):
        col = [_sign(objective) * _metric(y[:, [j]], cut[:, None], objective)
               for cut in _column_cuts(s[:, j])]
        best.append(max(col))
    if "macro" in objective:
        assert _sign(objective) * t.score == pytest.approx(np.mean(best), abs=1e-12)
    # Each label alone is at its own optimum, so the average is too.
    for j in range(y.shape[1]):
        pred = (s[:, j] >= t.values[j]) if inclusive else (s[:, j] > t.values[j])
        got = _sign(objective) * _metric(y[:, [j]], pred[:, None], objective)
        assert got == pytest.approx(best[j], abs=1e-12)
    assert t.score == pytest.approx(_tuned(y, s, t, objective, inclusive=inclusive), abs=1e-12)


@FAST
@given(problems(weighted=True), st.sampled_from(GLOBAL_OBJECTIVES), st.booleans())
def test_global_threshold_reaches_the_brute_force_optimum(problem, objective, inclusive):
    y, s, w = problem
    t = tune_thresholds(y, s, objective=objective, per_label=False, inclusive=inclusive,
                        sample_weight=w)
    assert isinstance(t.values, float)
    pooled = s.ravel()
    cuts = [np.zeros_like(s, dtype=bool)] + [s >= v for v in np.unique(pooled)]
    brute = max(_sign(objective) * _metric(y, c, objective, w) for c in cuts)
    got = _sign(objective) * _tuned(y, s, t, objective, w, inclusive)
    assert got == pytest.approx(brute, abs=1e-9)
    assert t.score == pytest.approx(_sign(objective) * got, abs=1e-9)


@FAST
@given(problems(weighted=True), st.sampled_from(["f1_micro", "jaccard_micro", "mcc_micro",
                                                 "hamming_loss", "precision_micro"]))
def test_coordinate_ascent_is_never_below_the_global_optimum(problem, objective):
    y, s, w = problem
    glob = tune_thresholds(y, s, objective=objective, per_label=False, sample_weight=w)
    per = tune_thresholds(y, s, objective=objective, sample_weight=w)
    sign = _sign(objective)
    assert sign * per.score >= sign * glob.score - 1e-12
    assert per.score == pytest.approx(_tuned(y, s, per, objective, w), abs=1e-12)


@FAST
@given(problems(max_rows=6, max_labels=2), st.booleans())
def test_hamming_loss_per_label_is_exact(problem, inclusive):
    """hamming_loss is a sum over labels, so coordinate ascent reaches the optimum."""
    y, s, _ = problem
    t = tune_thresholds(y, s, objective="hamming_loss", inclusive=inclusive)
    errors = sum(min(int(np.sum(c != y[:, j].astype(bool))) for c in _column_cuts(s[:, j]))
                 for j in range(y.shape[1]))
    assert t.score == pytest.approx(errors / y.size)


@FAST
@given(problems(), st.sampled_from([0.5, 0.75, 1.0]), st.sampled_from(["precision", "recall"]),
       st.booleans())
def test_constraints_match_brute_force_and_report_unmet(problem, bound, which, inclusive):
    y, s, _ = problem
    kw = {f"min_{which}": bound}
    t = tune_thresholds(y, s, inclusive=inclusive, **kw)
    other = "recall" if which == "precision" else "precision"
    for j in range(y.shape[1]):
        truth = y[:, j].astype(bool)
        figures = []
        for cut in _column_cuts(s[:, j]):
            tp = np.sum(cut & truth)
            p = tp / cut.sum() if cut.sum() else np.nan
            r = tp / truth.sum() if truth.sum() else np.nan
            figures.append({"precision": p, "recall": r})
        meeting = [f for f in figures if f[which] >= bound - 1e-12]
        label = t.labels[j]
        if meeting:
            assert label not in t.unmet
            assert getattr(t, which)[j] >= bound - 1e-12
            best_other = max(np.nan_to_num(f[other], nan=0.0) for f in meeting)
            assert getattr(t, other)[j] == pytest.approx(best_other)
        else:
            assert label in t.unmet
            closest = max(np.nan_to_num(f[which], nan=0.0) for f in figures)
            assert getattr(t, which)[j] == pytest.approx(closest)


def test_constraint_worked_example():
    y = np.array([[1, 0], [1, 0], [0, 0], [1, 0], [0, 1]])
    s = np.array([[0.9, 0.9], [0.8, 0.8], [0.7, 0.7], [0.3, 0.3], [0.2, 0.1]])
    t = tune_thresholds(y, s, min_precision=0.75, labels=["a", "b"])
    # a: predicting 0.9, 0.8, 0.7, 0.3 gives precision 3/4 and recall 1.
    assert t.values[0] == pytest.approx(0.25)
    assert t.recall[0] == 1.0 and t.precision[0] == 0.75
    # b: its only positive scores lowest, so precision 0.75 cannot be met.
    assert t.unmet == ("b",)
    assert t.constraint == {"min_precision": 0.75}
    r = tune_thresholds(y, s, min_recall=0.6)
    assert r.recall[0] >= 0.6 and r.precision[0] == 1.0


def test_ties_between_rows_move_together():
    # Rows 0 and 1 tie at 0.5: no threshold separates them, so the best is to
    # predict 0.9 and both 0.5 (F1 0.8), not 0.9 alone (F1 2/3).
    y = np.array([[1], [0], [1], [0]])
    s = np.array([[0.5], [0.5], [0.9], [0.1]])
    t = tune_thresholds(y, s, objective="f1_macro")
    assert t.values[0] == pytest.approx(0.3)
    assert t.score == pytest.approx(0.8)
    inc = tune_thresholds(y, s, objective="f1_macro", inclusive=True)
    assert inc.rule == ">=" and inc.score == pytest.approx(0.8)


# --------------------------------------------------------------------------
# The result object
# --------------------------------------------------------------------------


def _frames():
    rng = np.random.default_rng(3)
    names = ["rock", "jazz", "soul", "folk"]
    y = pd.DataFrame(rng.random((200, 4)) < [0.4, 0.2, 0.1, 0.5], columns=names).astype(int)
    s = pd.DataFrame(np.clip(0.35 * y.to_numpy() + 0.65 * rng.random((200, 4)), 0, 1),
                     columns=names)
    return y, s


def test_thresholds_fields_and_baseline():
    y, s = _frames()
    t = tune_thresholds(y, s)
    assert t.labels == ("rock", "jazz", "soul", "folk")
    assert t.objective == "f1_macro" and t.rule == ">"
    assert t.values.shape == (4,) and t.per_label
    assert t.baseline == pytest.approx(labelwise.evaluate(y, y_score=s)["f1_macro"])
    assert t.score >= t.baseline
    rep = labelwise.evaluate(y, y_score=s, threshold=t)
    assert t.score == pytest.approx(rep["f1_macro"])
    np.testing.assert_allclose(t.f1, rep.per_label["f1"])
    np.testing.assert_allclose(t.precision, rep.per_label["precision"])
    np.testing.assert_allclose(t.recall, rep.per_label["recall"])
    np.testing.assert_allclose(t.support, y.sum(axis=0).to_numpy())
    assert "Thresholds(4 per-label values" in repr(t)


def test_json_round_trip_with_labels_in_another_order():
    y, s = _frames()
    t = tune_thresholds(y, s, cv=3, seed=0)
    d = json.loads(t.to_json())
    assert d["format"] == "labelwise.Thresholds/1" and d["labels"] == list(t.labels)
    # The same thresholds written with the labels in another order.
    order = [2, 0, 3, 1]
    for key in ("labels", "values", "precision", "recall", "f1", "support", "cv_spread"):
        d[key] = [d[key][i] for i in order]
    shuffled = Thresholds.from_json(json.dumps(d))
    assert shuffled.labels == ("soul", "rock", "folk", "jazz")
    a = labelwise.evaluate(y, y_score=s, threshold=t)
    b = labelwise.evaluate(y, y_score=s, threshold=shuffled)
    assert a.metrics == b.metrics
    back = Thresholds.from_json(json.dumps(d), labels=list(y.columns))
    assert back.labels == t.labels
    np.testing.assert_array_equal(back.values, t.values)
    np.testing.assert_array_equal(back.cv_spread, t.cv_spread)
    assert back.tuned_on == t.tuned_on and back.cv_score == t.cv_score
    # And with the score columns in another order too.
    c = labelwise.evaluate(y, y_score=s[["folk", "soul", "jazz", "rock"]], threshold=shuffled)
    assert c.metrics == a.metrics


def test_global_thresholds_round_trip():
    y, s = _frames()
    t = tune_thresholds(y, s, per_label=False, objective="f1_micro")
    back = Thresholds.from_json(t.to_json())
    assert back.values == t.values and not back.per_label
    assert back.as_dict() == {lab: t.values for lab in t.labels}


def test_accumulator_takes_thresholds_and_finding_fires():
    y, s = _frames()
    t = tune_thresholds(y, s)
    rep = labelwise.evaluate(y, y_score=s, threshold=t)
    found = {f.code: f for f in rep.findings}
    assert "thresholds_tuned_on_eval" in found
    assert "cv=" in found["thresholds_tuned_on_eval"].suggestion
    acc = labelwise.Accumulator(threshold=t)
    acc.update(y.iloc[:120], y_score=s.iloc[:120]).update(y.iloc[120:], y_score=s.iloc[120:])
    streamed = acc.report()
    assert "thresholds_tuned_on_eval" in {f.code for f in streamed.findings}
    assert streamed.metrics == rep.metrics
    # Other data: no finding.
    other = labelwise.evaluate(y.iloc[:100], y_score=s.iloc[:100], threshold=t)
    assert "thresholds_tuned_on_eval" not in {f.code for f in other.findings}


def test_unnamed_columns_match_by_position():
    y = np.array([[1, 0], [0, 1], [1, 1]])
    s = np.array([[0.6, 0.1], [0.2, 0.7], [0.4, 0.3]])
    t = tune_thresholds(y, s)
    assert t.labels == (0, 1)
    assert labelwise.evaluate(y, y_score=s, threshold=t)["f1_macro"] == t.score


def test_cv_is_deterministic_and_spread_has_one_value_per_label():
    y, s = _frames()
    a = tune_thresholds(y, s, cv=4, seed=7)
    b = tune_thresholds(y, s, cv=4, seed=7)
    assert a.cv_score == b.cv_score
    np.testing.assert_array_equal(a.cv_spread, b.cv_spread)
    assert a.cv_spread.shape == (4,) and (a.cv_spread >= 0).all()
    g = tune_thresholds(y, s, cv=4, seed=7, per_label=False, objective="f1_micro")
    assert isinstance(g.cv_spread, float)


def test_sample_weight_and_label_sets():
    sets = [["a"], ["b"], ["a", "b"], []]
    s = pd.DataFrame({"a": [0.9, 0.2, 0.6, 0.4], "b": [0.1, 0.8, 0.3, 0.5]})
    t = tune_thresholds(sets, s, sample_weight=[1, 2, 1, 3])
    assert t.labels == ("a", "b")
    r = labelwise.evaluate(sets, y_score=s, threshold=t, sample_weight=[1, 2, 1, 3])
    assert r["f1_macro"] == pytest.approx(t.score)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------

Y2 = [[1, 0], [0, 1], [1, 1]]
S2 = [[0.6, 0.1], [0.2, 0.7], [0.4, 0.3]]


@pytest.mark.parametrize("kwargs, words", [
    ({"objective": "f1_mikro"}, "not a metric of the registry"),
    ({"objective": 3}, "objective must be the name"),
    ({"objective": "roc_auc_macro"}, "computed from scores"),
    ({"objective": "f1_samples"}, "combines the labels of each sample"),
    ({"objective": "subset_accuracy"}, "combines the labels of each sample"),
    ({"min_precision": 0.5, "min_recall": 0.5}, "at most one of min_precision"),
    ({"min_precision": 1.5}, "between 0 and 1"),
    ({"min_recall": 0.5, "per_label": False}, "cannot be combined with per_label=False"),
    ({"per_label": "yes"}, "per_label must be True or False"),
    ({"cv": 1}, "at least 2"),
    ({"cv": 10}, "use fewer folds"),
    ({"zero_division": "nan"}, "zero_division must be 0 or 1"),
    ({"cv": 2, "seed": "abc"}, "seed must be an integer"),
])
def test_argument_errors(kwargs, words):
    with pytest.raises(InputError, match=words):
        tune_thresholds(Y2, S2, **kwargs)


def test_input_errors():
    with pytest.raises(InputError, match="dense score matrix"):
        tune_thresholds(Y2, sp.csr_matrix(S2))
    with pytest.raises(InputError, match="dense score matrix"):
        tune_thresholds(Y2, (np.array([[0], [1], [0]]), np.array([[0.5], [0.5], [0.5]])))
    with pytest.raises(InputError, match="shape"):
        tune_thresholds(Y2, [[0.1, 0.2, 0.3]] * 3)
    with pytest.raises(InputError, match="finite"):
        tune_thresholds(Y2, [[0.6, np.nan], [0.2, 0.7], [0.4, 0.3]])
    with pytest.raises(InputError, match="sample_weight"):
        tune_thresholds(Y2, S2, sample_weight=[1, 2])


def test_json_and_threshold_errors():
    with pytest.raises(InputError, match="not thresholds JSON"):
        Thresholds.from_json('{"format": "other"}')
    with pytest.raises(InputError, match="does not parse"):
        Thresholds.from_json("{")
    y, s = _frames()
    t = tune_thresholds(y, s)
    with pytest.raises(InputError, match="no value for label"):
        Thresholds.from_json(t.to_json(), labels=["rock", "blues"])
    with pytest.raises(InputError, match="name their labels"):
        labelwise.evaluate(y.to_numpy(), y_score=s.to_numpy(), threshold=t)
    with pytest.raises(InputError, match=r"unknown \['folk'\]"):
        labelwise.evaluate(y.drop(columns="folk"), y_score=s.drop(columns="folk"), threshold=t)
    fewer = tune_thresholds(y.drop(columns="folk"), s.drop(columns="folk"))
    with pytest.raises(InputError, match=r"missing \['folk'\]"):
        labelwise.evaluate(y, y_score=s, threshold=fewer)


# --------------------------------------------------------------------------
# Real data: yeast
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def yeast():
    if not (YEAST / "yeast-train.arff").exists():
        pytest.skip(f"the yeast data set is not at {YEAST} (shared data folder absent)")
    sklearn = pytest.importorskip("sklearn", reason="scikit-learn trains the yeast model")
    from scipy.io import arff
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    from labelwise.io.arff import read_arff

    def split(name):
        path = YEAST / f"yeast-{name}.arff"
        y = read_arff(path).read_all().astype(int)
        data, meta = arff.loadarff(path)
        x = np.column_stack([data[a] for a in meta.names() if a.startswith("Att")])
        return x.astype(float), y

    x_tr, y_tr = split("train")
    x_te, y_te = split("test")
    assert sklearn is not None
    model = OneVsRestClassifier(LogisticRegression(max_iter=500)).fit(x_tr, y_tr)
    return y_tr, model.predict_proba(x_tr), y_te, model.predict_proba(x_te)


def test_yeast_tuning_on_train_raises_test_macro_f1(yeast):
    y_tr, s_tr, y_te, s_te = yeast
    t = tune_thresholds(y_tr, s_tr, objective="f1_macro")
    at_half = labelwise.evaluate(y_te, y_score=s_te)["f1_macro"]
    tuned = labelwise.evaluate(y_te, y_score=s_te, threshold=t)
    assert tuned["f1_macro"] > at_half
    assert "thresholds_tuned_on_eval" not in {f.code for f in tuned.findings}
    again = labelwise.evaluate(y_tr, y_score=s_tr, threshold=t)
    assert "thresholds_tuned_on_eval" in {f.code for f in again.findings}


def test_yeast_cv_estimate_is_below_the_in_sample_score(yeast):
    _, _, y_te, s_te = yeast
    t = tune_thresholds(y_te, s_te, objective="f1_macro", cv=5, seed=0)
    assert t.cv_score < t.score
    assert t.cv_spread.shape == (y_te.shape[1],)


# --------------------------------------------------------------------------
# Curves
# --------------------------------------------------------------------------


@FAST
@given(problems(weighted=True), st.sampled_from(["f1", "jaccard", "mcc", "precision"]),
       st.sampled_from(["micro", "macro", "weighted"]), st.booleans())
def test_averaged_curve_equals_evaluate_at_every_threshold(problem, metric, average, inclusive):
    y, s, w = problem
    c = labelwise.threshold_curve(y, s, metric=metric, average=average, inclusive=inclusive,
                                  sample_weight=w)
    assert np.all(np.diff(c.thresholds) > 0)
    assert len(c.thresholds) == np.unique(s).size + 1
    for t, v, p, r in zip(c.thresholds, c.values, c.precision, c.recall):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rep = labelwise.evaluate(y, y_score=s, threshold=float(t), inclusive=inclusive,
                                     sample_weight=w)
        assert v == pytest.approx(rep[f"{metric}_{average}"], abs=1e-9)
        assert p == pytest.approx(rep[f"precision_{average}"], abs=1e-9)
        assert r == pytest.approx(rep[f"recall_{average}"], abs=1e-9)


@FAST
@given(problems(), st.sampled_from(["f1", "recall", "balanced_accuracy"]))
def test_one_label_curve_equals_evaluate_and_its_best_is_the_tuned_threshold(problem, metric):
    y, s, _ = problem
    j = y.shape[1] - 1
    c = labelwise.threshold_curve(y, s, metric=metric, label=j)
    assert c.label == j and c.average is None
    for t, v in zip(c.thresholds, c.values):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rep = labelwise.evaluate(y, y_score=s, threshold=float(t))
        assert v == pytest.approx(rep.per_label[metric][j], abs=1e-12)
    tuned = tune_thresholds(y, s, objective=f"{metric}_macro")
    assert c.best()[1] == pytest.approx(
        {"f1": tuned.f1, "recall": tuned.recall}.get(metric, [c.best()[1]] * (j + 1))[j])
    assert c.best()[0] == pytest.approx(tuned.values[j])


def test_curve_errors_and_json():
    with pytest.raises(InputError, match="metric must be one of"):
        labelwise.threshold_curve(Y2, S2, metric="auc")
    with pytest.raises(InputError, match="average must be"):
        labelwise.threshold_curve(Y2, S2, average="samples")
    with pytest.raises(InputError, match="not one of the labels"):
        labelwise.threshold_curve(Y2, S2, label="rock")
    with pytest.raises(InputError, match="dense score matrix"):
        labelwise.threshold_curve(Y2, sp.csr_matrix(S2))
    d = json.loads(json.dumps(labelwise.threshold_curve(Y2, S2).to_dict()))
    assert d["metric"] == "f1" and d["average"] == "micro" and len(d["values"]) == 7


def test_thresholds_json_file_on_the_command_line(tmp_path):
    """The command line's --threshold FILE.json takes Thresholds.to_json() output."""
    from click.testing import CliRunner

    from labelwise.cli import main

    y, s = _frames()
    t = tune_thresholds(y, s)
    (tmp_path / "t.json").write_text(t.to_json())
    y.to_csv(tmp_path / "true.csv", index_label="id")
    s[["folk", "soul", "jazz", "rock"]].to_csv(tmp_path / "scores.csv", index_label="id")
    assert labelwise._validate.check_threshold(
        json.loads(t.to_json()), 4, ["folk", "soul", "jazz", "rock"]).tolist() == \
        [t.as_dict()[x] for x in ["folk", "soul", "jazz", "rock"]]
    out = CliRunner().invoke(main, ["evaluate", "--true", str(tmp_path / "true.csv"),
                                    "--scores", str(tmp_path / "scores.csv"),
                                    "--id-column", "id", "--threshold", str(tmp_path / "t.json"),
                                    "--format", "json"])
    assert out.exit_code == 0, out.output
    metrics = json.loads(out.output)["metrics"]
    assert metrics["f1_macro"] == pytest.approx(t.score)
