"""Every registry entry against its twin in labelwise.metrics, across input kinds.

For each metric with a twin, ``evaluate(...)[name] == twin(...)`` to 1e-12 (NaN
equal to NaN), with the same settings (``zero_division=0``, ``beta``,
``inv_propensity``, ``sample_weight``) and the same data, given as a dense 0/1
matrix, label sets with ``labels=``, a scipy sparse matrix and, for the score
metrics, dense scores (a named DataFrame beside label sets), and for the @k
metrics also sparse and top-k scores. Metrics without a twin are listed in
:data:`NO_TWIN` with the reason, so that a new entry cannot go untested.
"""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import labelwise
from labelwise.propensity import inverse_propensity
from labelwise.ranking import REPORT_KS
from labelwise.registry import AT_K_FAMILIES, REGISTRY, Twin, at_k_metric, lookup

_NO_FUNCTION = "labelwise.metrics has no {} function for multi-label input"

#: Registry entries without a twin, and why.
NO_TWIN = {
    "label_accuracy": "1 - hamming_loss; labelwise.metrics has no function of its own for it",
    "specificity_micro": _NO_FUNCTION.format("specificity"),
    "specificity_macro": _NO_FUNCTION.format("specificity"),
    "specificity_weighted": _NO_FUNCTION.format("specificity"),
    "specificity_samples": _NO_FUNCTION.format("specificity"),
    "balanced_accuracy_micro": _NO_FUNCTION.format("balanced accuracy"),
    "balanced_accuracy_macro": _NO_FUNCTION.format("balanced accuracy"),
    "balanced_accuracy_weighted": _NO_FUNCTION.format("balanced accuracy"),
    "balanced_accuracy_samples": _NO_FUNCTION.format("balanced accuracy"),
    "mcc_micro": _NO_FUNCTION.format("MCC"),
    "mcc_macro": _NO_FUNCTION.format("MCC"),
    "mcc_weighted": _NO_FUNCTION.format("MCC"),
    "mcc_samples": _NO_FUNCTION.format("MCC"),
}

N_LABELS = 8
LABELS = [f"l{j}" for j in range(N_LABELS)]
SETTINGS = {"zero_division": 0, "beta": 2.0}
OTHER_K = 7  # a cutoff the registry does not list


class Data:
    """Truth, scores and hard predictions of one data set, with its settings."""

    def __init__(self, name, y_true, y_score, weighted=False, seed=0):
        self.name = name
        self.y_true = y_true
        self.y_score = y_score
        self.y_pred = (y_score > 0.5).astype(int)
        rng = np.random.default_rng(seed + 100)
        self.sample_weight = rng.uniform(0.2, 3.0, len(y_true)) if weighted else None
        self.inv_propensity = inverse_propensity(y_true)
        # every label has a positive and a negative, every sample a true and a false label
        self.defined = bool(y_true.any(0).all() and (~y_true.astype(bool)).any(0).all()
                            and y_true.any(1).all() and (~y_true.astype(bool)).any(1).all())

    def __repr__(self) -> str:
        return self.name


def _random(seed, n=40, ties=False, weighted=False) -> Data:
    rng = np.random.default_rng(seed)
    y = (rng.random((n, N_LABELS)) < 0.35).astype(int)
    true = rng.integers(0, N_LABELS, n)
    y[np.arange(n), true] = 1  # a true label in every row
    y[np.arange(n), (true + rng.integers(1, N_LABELS, n)) % N_LABELS] = 0  # and a false one
    y[0, :] = 0
    y[0, :2] = 1
    y[1:3, :] = 1
    y[1:3, 0] = 0  # every label has a positive and a negative
    y[1:3, 1] = 0
    s = np.clip(0.35 * y + rng.random((n, N_LABELS)) * 0.75, 0, 1)
    if ties:
        s = np.round(s, 1)
    name = f"random{seed}" + ("-ties" if ties else "") + ("-weighted" if weighted else "")
    return Data(name, y, s, weighted, seed)


def _edge() -> Data:
    """A label with no support and a row with no label."""
    rng = np.random.default_rng(7)
    y = (rng.random((15, N_LABELS)) < 0.4).astype(int)
    y[:, 5] = 0
    y[3, :] = 0
    y[4, :] = 1
    y[4, 5] = 0
    s = rng.random((15, N_LABELS))
    s[:, 2] = 0.5  # a label scored the same everywhere
    return Data("edge", y, s)


DATA = [_random(0), _random(1, ties=True), _random(2, weighted=True), _edge()]


# --------------------------------------------------------------------------
# Input kinds: (y_true, prediction or scores, labels= for the twin)
# --------------------------------------------------------------------------


def _sets(y) -> list:
    return [[LABELS[j] for j in np.flatnonzero(row)] for row in np.asarray(y)]


def _top(s: np.ndarray, width: int):
    order = np.argsort(-s, axis=1, kind="stable")[:, :width]
    return order, np.take_along_axis(s, order, axis=1)


PREDICTION_KINDS = {
    "dense": lambda d: (d.y_true, d.y_pred, None),
    "label sets": lambda d: (_sets(d.y_true), _sets(d.y_pred), LABELS),
    "sparse": lambda d: (sp.csr_matrix(d.y_true), sp.csr_matrix(d.y_pred), None),
}


def _frame(s):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(s, columns=LABELS)


SCORE_KINDS = {
    "dense": lambda d: (d.y_true, d.y_score),
    # the score twins take no labels=: a named frame tells the label sets its columns
    "label sets": lambda d: (_sets(d.y_true), _frame(d.y_score)),
    "sparse truth": lambda d: (sp.csr_matrix(d.y_true), d.y_score),
}

# scores that only the @k metrics read
AT_K_SCORE_KINDS = {
    "sparse scores": lambda d: (d.y_true, sp.csr_matrix(np.where(d.y_score > 0.3, d.y_score, 0))),
    "top-k scores": lambda d: (d.y_true, _top(d.y_score, OTHER_K)),
}


# --------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12


def _twin_value(m, d: Data, y_true, y, labels=None) -> float:
    kw = {"sample_weight": d.sample_weight}
    options = {**SETTINGS, "inv_propensity": d.inv_propensity, "scores_are_logits": False}
    kw.update({s: options[s] for s in m.twin.settings})
    twin = m.twin_function()
    if labels is not None and "labels" in inspect.signature(twin).parameters:
        kw["labels"] = labels  # accuracy_score and hamming_loss take none: sets name the labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's warnings for NaN ROC-AUC, AP of 0
        return float(twin(y_true, y, **kw))


def _mismatches(report, metrics, d: Data, y_true, y, labels=None) -> list:
    """(name, evaluate's value, the twin's) where they disagree beyond what the twin says."""
    out = []
    for m in metrics:
        assert m.name in report, f"{m.name} missing from the report of {d}"
        ours, theirs = report[m.name], _twin_value(m, d, y_true, y, labels)
        if _same(ours, theirs):
            continue
        if m.twin.differs and math.isnan(theirs) and not math.isnan(ours) and not d.defined:
            continue  # documented: the twin is NaN where evaluate() averages what is defined
        out.append((m.name, ours, theirs))
    return out


def _with_twin(metrics) -> list:
    return [m for m in metrics if m.twin is not None]


def _at_k(ks) -> list:
    return [at_k_metric(f.prefix, k) for f in AT_K_FAMILIES.values() for k in ks]


THRESHOLD = _with_twin(m for m in REGISTRY.values() if not m.needs_scores)
SCORED = _with_twin(m for m in REGISTRY.values() if m.needs_scores and m.k is None)


def _evaluate(d: Data, y_true, labels=None, ks=None, **given):
    if ks is not None:  # settings of scores only
        given.update(inv_propensity=d.inv_propensity, k=ks)
    return labelwise.evaluate(y_true, labels=labels, sample_weight=d.sample_weight,
                              **SETTINGS, **given)


@pytest.mark.parametrize("kind", PREDICTION_KINDS)
@pytest.mark.parametrize("d", DATA, ids=repr)
def test_threshold_metrics_equal_their_twins(d, kind):
    y_true, y_pred, labels = PREDICTION_KINDS[kind](d)
    report = _evaluate(d, y_true, labels, y_pred=y_pred)
    assert _mismatches(report, THRESHOLD, d, y_true, y_pred, labels) == []


@pytest.mark.parametrize("d", DATA, ids=repr)
def test_threshold_metrics_from_scores_equal_their_twins_on_the_thresholded_scores(d):
    report = _evaluate(d, d.y_true, ks=REPORT_KS, y_score=d.y_score)
    assert _mismatches(report, THRESHOLD, d, d.y_true, d.y_pred) == []


@pytest.mark.parametrize("ks", [REPORT_KS, (OTHER_K,)], ids=["k=1,3,5", f"k={OTHER_K}"])
@pytest.mark.parametrize("kind", SCORE_KINDS)
@pytest.mark.parametrize("d", DATA, ids=repr)
def test_score_metrics_equal_their_twins(d, kind, ks):
    y_true, y_score = SCORE_KINDS[kind](d)
    report = _evaluate(d, y_true, ks=ks, y_score=y_score)
    metrics = SCORED + _at_k(ks)
    assert _mismatches(report, metrics, d, y_true, y_score) == []


@pytest.mark.parametrize("ks", [REPORT_KS, (OTHER_K,)], ids=["k=1,3,5", f"k={OTHER_K}"])
@pytest.mark.parametrize("kind", AT_K_SCORE_KINDS)
@pytest.mark.parametrize("d", DATA, ids=repr)
def test_at_k_metrics_from_sparse_and_top_k_scores_equal_their_twins(d, kind, ks):
    y_true, y_score = AT_K_SCORE_KINDS[kind](d)
    report = _evaluate(d, y_true, ks=ks, y_score=y_score)
    assert _mismatches(report, _at_k(ks), d, y_true, y_score) == []


def test_the_twins_differ_only_where_the_registry_says():
    d = DATA[-1]
    report = _evaluate(d, d.y_true, ks=REPORT_KS, y_score=d.y_score)
    nan_twins = {m.name for m in SCORED
                 if math.isnan(_twin_value(m, d, d.y_true, d.y_score)) and m.twin.differs}
    # a label without support and a row without labels: scikit-learn's macro and samples
    # ROC-AUC are NaN there, evaluate() averages the defined labels and samples
    assert nan_twins == {"roc_auc_macro", "roc_auc_samples"}
    assert all(math.isfinite(report[n]) for n in nan_twins)
    assert report.undefined["roc_auc"] == [5]
    assert all(d.defined for d in DATA[:-1]) and not DATA[-1].defined


@pytest.mark.parametrize("d", DATA, ids=repr)
def test_every_label_occurs_in_the_truth_or_the_predictions(d):
    # accuracy_score and hamming_loss take no labels=, so with label sets their
    # vocabulary is the labels that occur: the sweep is exact only if that is all of them
    assert (d.y_true | d.y_pred).any(axis=0).all()


# --------------------------------------------------------------------------
# The registry's own fields
# --------------------------------------------------------------------------


def test_every_entry_has_a_twin_or_a_reason():
    without = {m.name for m in REGISTRY.values() if m.twin is None}
    assert without == set(NO_TWIN), (
        "a registry entry without a twin must be listed in NO_TWIN with the reason: "
        f"{sorted(without ^ set(NO_TWIN))}")
    assert all(reason for reason in NO_TWIN.values())


def test_every_twin_is_a_function_of_labelwise_metrics():
    import labelwise.metrics

    for m in REGISTRY.values():
        if m.twin is None:
            continue
        module, _, attr = m.twin.function.rpartition(".")
        assert module == "labelwise.metrics" and attr in labelwise.metrics.__all__, m.name
        assert callable(m.twin_function())
        # settings are evaluate()'s own keywords, passed on under the same names
        assert set(m.twin.settings) <= set(inspect.signature(labelwise.evaluate).parameters)
        assert set(m.twin.settings) <= {"zero_division", "beta", "inv_propensity",
                                        "scores_are_logits"}, m.name


def test_fields_describe_every_entry():
    for m in REGISTRY.values():
        if m.group == "calibration":  # log_loss pools every entry; the others name it
            assert (m.average is None) == (m.name == "log_loss"), m.name
        else:
            assert (m.average is None) == (m.group in ("example", "ranking", "at_k")), m.name
        assert (m.k is None) == (m.group != "at_k"), m.name
        if m.group == "calibration":
            assert m.twin.kwargs["average"] == (m.average or "micro"), m.name
        elif m.average is not None:
            assert m.group == m.average
            assert m.twin is None or m.twin.kwargs == {"average": m.average}, m.name
        if m.k is not None:
            assert m.family in AT_K_FAMILIES and m.twin.kwargs == {"k": m.k}
            assert m.needs_scores
    families = list(dict.fromkeys(m.family for m in REGISTRY.values()
                                  if m.average and m.group != "calibration"))
    assert families == [*labelwise.formulas.FAMILIES, "roc_auc", "average_precision"]
    calibration = list(dict.fromkeys(m.family for m in REGISTRY.values()
                                     if m.group == "calibration"))
    assert calibration == ["ece", "ece_adaptive", "brier", "log_loss"]
    assert sorted({m.k for m in REGISTRY.values() if m.k}) == list(REPORT_KS)


def test_lookup_resolves_any_cutoff_with_its_fields_and_twin():
    m = lookup("precision_at_7")
    assert (m.name, m.family, m.average, m.k) == ("precision_at_7", "precision_at_k", None, 7)
    assert m.twin == Twin("labelwise.metrics.precision_at_k", {"k": 7})
    assert m.twin_function()([[1, 0, 1, 0, 0, 0, 0, 0]], [[0.9, 0.8, 0.1, 0.3, 0, 0, 0, 0]]) \
        == pytest.approx(2 / 7)
    ps = lookup("psndcg_at_12")
    assert (ps.family, ps.k, ps.twin.settings) == ("psndcg_at_k", 12, ("inv_propensity",))
    assert lookup("precision_at_0") is None and lookup("f1_mikro") is None
    for name, m in REGISTRY.items():
        assert lookup(name) is m


def test_registry_does_not_import_the_metric_functions():
    # the twins are imported when asked for, so labelwise.metrics may import the registry
    source = open(labelwise.registry.__file__).read()
    assert "metrics" not in "".join(line for line in source.splitlines()
                                    if line.startswith(("import ", "from ")))
