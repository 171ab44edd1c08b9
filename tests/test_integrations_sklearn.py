"""labelwise.integrations.sklearn: scorers in scikit-learn's model selection.

The first tests need no scikit-learn (stand-in estimators); the others run the real
GridSearchCV, cross_validate and permutation_importance on the yeast data and hold
the results against scikit-learn's own scorers where those exist.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

import labelwise
from labelwise.integrations.sklearn import make_scorer, response_scores, scorers

YEAST = Path(__file__).resolve().parents[2] / "shared" / "data" / "yeast" / "yeast-train.arff"


class ProbaModel:
    """A fitted stand-in: predict_proba returns the scores it was given."""

    def __init__(self, scores, classes=None):
        self.scores = scores
        if classes is not None:
            self.classes_ = classes

    def predict_proba(self, X):
        return self.scores


class PredictModel:
    def __init__(self, pred):
        self.pred = pred

    def predict(self, X):
        return self.pred


class DecisionModel:
    def __init__(self, decision):
        self.decision = decision

    def decision_function(self, X):
        return self.decision


Y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
S = np.array([[0.9, 0.2, 0.6], [0.1, 0.7, 0.4], [0.8, 0.3, 0.2], [0.3, 0.1, 0.9]])
X = np.zeros((4, 1))


# --------------------------------------------------------------------------
# Without scikit-learn
# --------------------------------------------------------------------------


def test_scorer_gives_the_reports_value_and_negates_losses():
    expected = labelwise.evaluate(Y, y_score=S)
    model = ProbaModel(S)
    assert make_scorer("f1_macro")(model, X, Y) == expected["f1_macro"]
    assert make_scorer("roc_auc_macro")(model, X, Y) == expected["roc_auc_macro"]
    assert make_scorer("hamming_loss")(model, X, Y) == -expected["hamming_loss"]
    assert make_scorer("coverage_error")(model, X, Y) == -expected["coverage_error"]
    assert make_scorer("hamming_loss").greater_is_better is False
    assert make_scorer("f1_macro").greater_is_better is True


def test_threshold_and_settings_reach_the_evaluation():
    model = ProbaModel(S)
    for thr in (0.25, [0.5, 0.1, 0.5]):
        assert make_scorer("f1_micro", threshold=thr)(model, X, Y) == \
            labelwise.evaluate(Y, y_score=S, threshold=thr)["f1_micro"]
    w = np.array([1.0, 2.0, 0.5, 1.0])
    assert make_scorer("f1_micro")(model, X, Y, sample_weight=w) == \
        labelwise.evaluate(Y, y_score=S, sample_weight=w)["f1_micro"]
    assert make_scorer("fbeta_macro", beta=0.5)(model, X, Y) == \
        labelwise.evaluate(Y, y_score=S, beta=0.5)["fbeta_macro"]
    named = make_scorer("f1_macro", labels=["a", "b", "c"]).report(model, X, Y)
    assert named.labels == ("a", "b", "c")


def test_decision_function_is_read_as_logits_with_the_threshold_on_the_probability_scale():
    decision = np.log(S / (1 - S))
    model = DecisionModel(decision)
    for thr in (0.5, 0.35):
        assert make_scorer("f1_macro", threshold=thr)(model, X, Y) == \
            labelwise.evaluate(Y, y_score=S, threshold=thr)["f1_macro"]
    assert make_scorer("roc_auc_macro")(model, X, Y) == \
        labelwise.evaluate(Y, y_score=S)["roc_auc_macro"]


def test_predict_response_gives_the_threshold_metrics():
    pred = (S > 0.5).astype(int)
    assert make_scorer("f1_samples")(PredictModel(pred), X, Y) == \
        labelwise.evaluate(Y, pred)["f1_samples"]

    class Both(ProbaModel, PredictModel):
        def __init__(self):
            ProbaModel.__init__(self, S)
            PredictModel.__init__(self, Y)  # a perfect predict, unlike the scores

    assert make_scorer("jaccard_macro", response="predict")(Both(), X, Y) == 1.0
    assert make_scorer("jaccard_macro")(Both(), X, Y) == \
        labelwise.evaluate(Y, y_score=S)["jaccard_macro"] < 1.0


def test_auto_prefers_predict_proba_then_decision_function_then_predict():
    class Both(ProbaModel, DecisionModel):
        def __init__(self):
            ProbaModel.__init__(self, S)
            DecisionModel.__init__(self, -np.log(S / (1 - S)))  # the opposite ranking

    auc = make_scorer("roc_auc_macro")
    assert auc(Both(), X, Y) == labelwise.evaluate(Y, y_score=S)["roc_auc_macro"]
    assert make_scorer("roc_auc_macro", response="decision_function")(Both(), X, Y) == \
        labelwise.evaluate(Y, y_score=1 - S)["roc_auc_macro"]


def test_list_of_probability_arrays_takes_class_1_and_single_class_labels():
    proba = [np.column_stack([1 - S[:, 0], S[:, 0]]), np.ones((4, 1)), np.ones((4, 1))]
    classes = [np.array([0, 1]), np.array([0]), np.array([1])]
    got = response_scores(proba, "predict_proba", ProbaModel(proba, classes))
    np.testing.assert_array_equal(got[:, 0], S[:, 0])
    np.testing.assert_array_equal(got[:, 1], 0.0)  # only class 0 seen: never predicted
    np.testing.assert_array_equal(got[:, 2], 1.0)  # only class 1 seen: always predicted
    # classes in the other order, and booleans
    swapped = [np.column_stack([S[:, j], 1 - S[:, j]]) for j in range(3)]
    model = ProbaModel(swapped, [np.array([True, False])] * 3)
    np.testing.assert_array_equal(response_scores(swapped, "predict_proba", model), S)
    # without classes_, the second of two columns is class 1
    plain = [np.column_stack([1 - S[:, j], S[:, j]]) for j in range(3)]
    assert make_scorer("roc_auc_macro")(ProbaModel(plain), X, Y) == \
        labelwise.evaluate(Y, y_score=S)["roc_auc_macro"]


def test_scorers_share_one_report_per_fold():
    calls = []

    class Counting(ProbaModel):
        def predict_proba(self, X):
            calls.append(1)
            return self.scores

    group = scorers(["f1_macro", "hamming_loss", "roc_auc_macro"])
    model = Counting(S)
    values = {name: s(model, X, Y) for name, s in group.items()}
    assert len(calls) == 1
    expected = labelwise.evaluate(Y, y_score=S)
    assert values == {"f1_macro": expected["f1_macro"], "hamming_loss": -expected["hamming_loss"],
                      "roc_auc_macro": expected["roc_auc_macro"]}
    # another fold (another X) is predicted again
    other_fold = X.copy()
    for s in group.values():
        s(model, other_fold, Y)
    assert len(calls) == 2
    # a metric read twice from the same arguments starts a new report: the data may have
    # been changed in place
    group["f1_macro"](model, X, Y)
    group["f1_macro"](model, X, Y)
    assert len(calls) == 4


def test_scorer_pickles_and_the_copy_keeps_the_group_shared():
    group = scorers(["f1_macro", "hamming_loss"])
    group["f1_macro"](ProbaModel(S), X, Y)
    copy = pickle.loads(pickle.dumps(group))
    assert copy["f1_macro"]._group is copy["hamming_loss"]._group
    assert copy["f1_macro"](ProbaModel(S), X, Y) == group["f1_macro"](ProbaModel(S), X.copy(), Y)
    assert repr(copy["f1_macro"]) == "make_scorer('f1_macro', threshold=0.5, response='auto')"
    assert repr(make_scorer("f1_macro", zero_division=1)).endswith(", zero_division=1)")


# --------------------------------------------------------------------------
# Errors: what was expected, what was found, and the fix
# --------------------------------------------------------------------------


@pytest.mark.parametrize("call,message", [
    (lambda: make_scorer("f1_makro"),
     "make_scorer: no metric 'f1_makro' in the registry. Did you mean f1_macro"),
    (lambda: make_scorer(3), "a metric is named by a string such as 'f1_macro', got 3 (int)"),
    (lambda: scorers([]), "scorers: the list of metrics is empty"),
    (lambda: scorers(5), "scorers: give a list of metric names"),
    (lambda: scorers(["f1_macro", "f1_macro"]), "f1_macro given more than once"),
    (lambda: make_scorer("f1_macro", response="proba"),
     "response must be one of auto, predict_proba, decision_function, predict, got 'proba'"),
    (lambda: make_scorer("roc_auc_macro", response="predict"),
     "roc_auc_macro need(s) scores, but response='predict' gives hard 0/1 predictions"),
    (lambda: make_scorer("f1_macro", threshold=2.0), "threshold 2.0 is not a probability"),
    (lambda: make_scorer("f1_macro", threshold="0.5"), "threshold must be a number"),
    (lambda: make_scorer("f1_macro", average="macro"),
     "unexpected keyword argument(s) average; it passes on only inclusive, zero_division"),
])
def test_bad_arguments_say_what_to_do(call, message):
    with pytest.raises(labelwise.InputError) as err:
        call()
    assert message in str(err.value)


@pytest.mark.parametrize("model,metric,message", [
    (PredictModel((S > 0.5).astype(int)), "roc_auc_macro",
     "roc_auc_macro need(s) scores, but PredictModel has neither predict_proba nor "
     "decision_function"),
    (object(), "f1_macro", "object has none of predict_proba, decision_function and predict"),
    (PredictModel(np.ones(4)), "f1_macro",
     "predict() returned one value per sample (shape (4,)), but a multi-label estimator"),
    (ProbaModel([np.ones((4, 3))] * 3), "f1_macro",
     "predict_proba() gave label 0 an array of shape (4, 3); expected (n_samples, 2)"),
    (ProbaModel([np.ones((4, 1))] * 3), "f1_macro",
     "gave label 0 a single column, and the estimator has no classes_"),
    (ProbaModel([np.ones((4, 2))] * 3, [np.array([0, 1])] * 2), "f1_macro",
     "returned 3 arrays (one per label) but the estimator's classes_ lists 2 outputs"),
    (ProbaModel([np.ones((4, 2))] * 3, [np.array([0, 1, 2])] * 3), "f1_macro",
     "gave label 0 2 columns but classes_ lists 3 classes for it"),
    (ProbaModel([np.ones((4, 2))] * 3, [np.array([2, 3])] * 3), "f1_macro",
     "label 0 has classes [2, 3]; a multi-label target holds 0 and 1"),
    (ProbaModel(S), "precision_at_5", "the report of this fold has no precision_at_5"),
])
def test_bad_responses_say_what_to_do(model, metric, message):
    with pytest.raises(labelwise.InputError) as err:
        make_scorer(metric)(model, X, Y)
    assert message in str(err.value)


def test_a_missing_response_method_is_named():
    with pytest.raises(labelwise.InputError, match=r"ProbaModel has no decision_function\(\); "
                                                   r"use response='auto'"):
        make_scorer("f1_macro", response="decision_function")(ProbaModel(S), X, Y)


# --------------------------------------------------------------------------
# The real scikit-learn, on yeast
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def yeast():
    pytest.importorskip("sklearn")
    if not YEAST.is_file():
        pytest.skip(f"needs {YEAST.parent}, Mulan's yeast data set in the shared data folder "
                    "beside the repository; absent")
    from scipy.io import arff

    data, meta = arff.loadarff(YEAST)
    names = meta.names()
    labels = [n for n in names if n.startswith("Class")]
    features = [n for n in names if n not in labels]
    X = np.column_stack([data[n] for n in features]).astype(float)
    Y = np.column_stack([data[n].astype(int) for n in labels])
    return X, Y


# labelwise's name -> scikit-learn's own scorer of the same number
SKLEARN_NAMES = {
    "f1_macro": "f1_macro", "f1_micro": "f1_micro", "f1_samples": "f1_samples",
    "f1_weighted": "f1_weighted", "precision_macro": "precision_macro",
    "recall_micro": "recall_micro", "jaccard_samples": "jaccard_samples",
    "subset_accuracy": "accuracy",
}


def _sklearn_scoring(score_metrics: dict):
    from sklearn.metrics import hamming_loss, make_scorer as sk_make_scorer

    out = {f"sk_{k}": v for k, v in SKLEARN_NAMES.items()}
    out["sk_hamming_loss"] = sk_make_scorer(hamming_loss, greater_is_better=False)
    for name, (function, kwargs) in score_metrics.items():
        out[f"sk_{name}"] = sk_make_scorer(function, response_method="predict_proba", **kwargs)
    return out


def _agree(cv_results, names):
    for name in names:
        for split in ("split0", "split1", "split2"):
            ours = cv_results[f"{split}_test_{name}"]
            theirs = cv_results[f"{split}_test_sk_{name}"]
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12, err_msg=name)


@pytest.mark.slow
def test_grid_search_one_vs_rest_logistic_regression_agrees_with_sklearn(yeast):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.multiclass import OneVsRestClassifier

    X, Y = yeast
    ours = [*SKLEARN_NAMES, "hamming_loss", "roc_auc_macro", "average_precision_micro",
            "label_ranking_average_precision"]
    from sklearn.metrics import label_ranking_average_precision_score as lrap

    scoring = {**scorers(ours), **_sklearn_scoring({
        "roc_auc_macro": (roc_auc_score, {"average": "macro"}),
        "average_precision_micro": (average_precision_score, {"average": "micro"}),
        "label_ranking_average_precision": (lrap, {}),
    })}
    search = GridSearchCV(OneVsRestClassifier(LogisticRegression(max_iter=1000)),
                          {"estimator__C": [0.01, 1.0]}, scoring=scoring, refit="f1_macro",
                          cv=KFold(3, shuffle=True, random_state=0))
    search.fit(X, Y)
    _agree(search.cv_results_, ours)
    # the two strengths differ, and the refit picked the better macro F1
    f1 = search.cv_results_["mean_test_f1_macro"]
    assert f1[0] != f1[1]
    assert search.best_params_["estimator__C"] == [0.01, 1.0][int(np.argmax(f1))]
    assert np.all(search.cv_results_["mean_test_hamming_loss"] < 0)
    # the decision function, read as logits, gives the same threshold metrics
    by_decision = make_scorer("f1_macro", response="decision_function")
    model = search.best_estimator_
    assert by_decision(model, X, Y) == make_scorer("f1_macro")(model, X, Y)


@pytest.mark.slow
def test_grid_search_random_forest_list_of_arrays_agrees_with_sklearn(yeast):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GridSearchCV, KFold

    X, Y = yeast
    ours = [*SKLEARN_NAMES, "hamming_loss", "roc_auc_macro"]
    scoring = {**scorers(ours),
               **_sklearn_scoring({"roc_auc_macro": (roc_auc_score, {"average": "macro"})})}
    search = GridSearchCV(RandomForestClassifier(n_estimators=15, random_state=0),
                          {"min_samples_leaf": [1, 20]}, scoring=scoring, refit="f1_macro",
                          cv=KFold(3, shuffle=True, random_state=0))
    search.fit(X, Y)
    assert isinstance(search.best_estimator_.predict_proba(X[:2]), list)
    _agree(search.cv_results_, ours)


def test_label_with_a_single_class_in_the_training_fold(yeast):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import KFold, cross_validate

    X, Y = yeast
    X, Y = X[:300], Y[:300, :4].copy()
    Y[:, 3] = 0
    Y[:40, 3] = 1  # positives only in the first fold: the other folds train on 0 alone
    cv = KFold(3)
    model = RandomForestClassifier(n_estimators=10, random_state=0)
    result = cross_validate(model, X, Y, cv=cv, scoring=scorers(["roc_auc_macro", "f1_macro"]),
                            return_estimator=True, return_indices=True)
    assert np.all(np.isfinite(result["test_roc_auc_macro"]))
    fitted, test = result["estimator"][0], result["indices"]["test"][0]
    assert fitted.predict_proba(X[test])[3].shape == (len(test), 1)
    r = make_scorer("roc_auc_macro").report(fitted, X[test], Y[test])
    row = r.per_label.to_records()[3]
    assert row["tp"] + row["fp"] == 0 and row["roc_auc"] == 0.5  # never predicted, no ranking
    # the other labels' scores are their class-1 columns
    proba = fitted.predict_proba(X[test])
    by_hand = np.column_stack([p[:, 1] for p in proba[:3]] + [np.zeros(len(test))])
    np.testing.assert_allclose(roc_auc_score(Y[test], by_hand, average=None)[:3],
                               r.per_label["roc_auc"][:3], rtol=0, atol=1e-12)


def test_cross_validate_predicts_each_fold_once_for_all_metrics(yeast):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_validate
    from sklearn.multiclass import OneVsRestClassifier

    calls = []

    class Counting(OneVsRestClassifier):
        def predict_proba(self, X):
            calls.append(len(X))
            return super().predict_proba(X)

    X, Y = yeast
    X, Y = X[:500], Y[:500]
    names = ["f1_macro", "hamming_loss", "roc_auc_macro", "precision_at_3"]
    model = Counting(LogisticRegression(max_iter=500))
    shared = cross_validate(model, X, Y, cv=3, scoring=scorers(names))
    assert len(calls) == 3
    calls.clear()
    single = cross_validate(model, X, Y, cv=3, scoring={n: make_scorer(n) for n in names})
    assert len(calls) == 3 * len(names)
    for n in names:
        np.testing.assert_array_equal(shared[f"test_{n}"], single[f"test_{n}"])


def test_permutation_importance_with_shared_scorers(yeast):
    from sklearn.inspection import permutation_importance
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    X, Y = yeast
    X, Y = X[:400, :5], Y[:400]
    model = OneVsRestClassifier(LogisticRegression(max_iter=500)).fit(X, Y)
    names = ["f1_macro", "hamming_loss"]
    shared = permutation_importance(model, X, Y, scoring=scorers(names), n_repeats=3,
                                    random_state=0)
    for n in names:  # permuting X in place never serves a stale report
        alone = permutation_importance(model, X, Y, scoring=make_scorer(n), n_repeats=3,
                                       random_state=0)
        np.testing.assert_array_equal(shared[n].importances, alone.importances)
    assert np.any(shared["f1_macro"].importances != 0)


def test_pandas_truth_keeps_label_names(yeast):
    pd = pytest.importorskip("pandas")
    from sklearn.model_selection import KFold, cross_validate
    from sklearn.neighbors import KNeighborsClassifier

    X, Y = yeast
    frame = pd.DataFrame(Y[:300], columns=[f"Class{j + 1}" for j in range(Y.shape[1])])
    model = KNeighborsClassifier(n_neighbors=5)
    result = cross_validate(model, X[:300], frame, cv=KFold(3, shuffle=True, random_state=0),
                            scoring=scorers(["f1_micro"]), return_estimator=True,
                            return_indices=True)
    fitted, test = result["estimator"][0], result["indices"]["test"][0]
    report = make_scorer("f1_micro").report(fitted, X[test], frame.iloc[test])
    assert report.labels == tuple(frame.columns)
    assert report["f1_micro"] == result["test_f1_micro"][0]
