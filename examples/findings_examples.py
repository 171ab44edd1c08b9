"""Worked examples for ``docs/findings.md``: one per finding code.

Each example trains a simple model on the train split of a Mulan data set
(emotions, yeast or medical), evaluates it on the test split, and prints the
finding exactly as labelwise reports it. Where the data alone cannot show a
pitfall, the example makes the mistake on purpose with the real model (too high
a threshold, an argmax, a softmax, raw logits, probabilities read as logits, a
threshold given as a percentage, label sets without the label list, thresholds
tuned on the test split); the one constructed case says so.

Data: Mulan (github.com/tsoumakas/mulan, data/multi-label/), see
``../shared/data/*/README.txt``. Cite: Trohidis et al., ISMIR 2008 (emotions);
Elisseeff and Weston, NIPS 2001 (yeast); Pestian et al., BioNLP 2007 (medical).

usage: python examples/findings_examples.py [PATH_TO/shared/data] [CODE ...]
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.io import arff
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import labelwise
from labelwise.diagnose import check_leakage, fingerprint

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


# --------------------------------------------------------------------------
# data and models
# --------------------------------------------------------------------------


def label_names(folder: Path, name: str) -> list[str]:
    root = ET.parse(folder / f"{name}.xml").getroot()
    return [e.get("name") for e in root.iter() if e.tag.endswith("label")]


def load_dense(name: str, split: str):
    """A dense ARFF file: features, then the label columns named in the .xml file."""
    labels = label_names(DATA / name, name)
    data, meta = arff.loadarff(DATA / name / f"{name}-{split}.arff")
    features = [n for n in meta.names() if n not in set(labels)]
    X = np.column_stack([data[n].astype(np.float64) for n in features])
    Y = np.column_stack([data[n].astype(str).astype(int) for n in labels])
    return X, Y, labels


def load_sparse(name: str, split: str):
    """A sparse ARFF file, rows ``{index value, ...}`` with 0-based attribute indices."""
    labels = label_names(DATA / name, name)
    attributes, rows, cols, n, in_data = [], [], [], 0, False
    with open(DATA / name / f"{name}-{split}.arff", encoding="utf-8", errors="replace") as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("%"):
                continue
            if not in_data:
                m = re.match(r"@attribute\s+('(?:\\'|[^'])*'|\"[^\"]*\"|\S+)", s, re.I)
                if m:
                    attributes.append(m.group(1).strip("'\""))
                elif s.lower().startswith("@data"):
                    in_data = True
                continue
            for item in filter(None, s.strip("{}").split(",")):
                k, v = item.split()
                if float(v) != 0:
                    rows.append(n)
                    cols.append(int(k))
            n += 1
    M = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(attributes)))
    where = {a: i for i, a in enumerate(attributes)}
    features = [i for i, a in enumerate(attributes) if a not in set(labels)]
    Y = M[:, [where[x] for x in labels]].toarray().astype(np.int8)
    return M[:, features].tocsr(), Y, labels


def splits(name: str):
    load = load_sparse if name == "medical" else load_dense
    X_tr, Y_tr, labels = load(name, "train")
    X_te, Y_te, _ = load(name, "test")
    return X_tr, Y_tr, X_te, Y_te, labels


def per_label(make, X_tr, Y_tr, X_sets, how):
    """One model per label; ``how`` is 'predict', 'proba' or 'logit'."""
    out = [np.zeros((X.shape[0], Y_tr.shape[1])) for X in X_sets]
    for j in range(Y_tr.shape[1]):
        if Y_tr[:, j].min() == Y_tr[:, j].max():  # constant in training: predict it
            for o in out:
                o[:, j] = Y_tr[0, j] if how != "logit" else (20.0 if Y_tr[0, j] else -20.0)
            continue
        model = make().fit(X_tr, Y_tr[:, j])
        for o, X in zip(out, X_sets):
            if how == "predict":
                o[:, j] = model.predict(X)
            elif how == "proba":
                o[:, j] = model.predict_proba(X)[:, 1]
            else:
                o[:, j] = model.decision_function(X)
    return out


def logistic():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def tree():
    return DecisionTreeClassifier(random_state=0)


_cache: dict = {}


def emotions_lr():
    """Emotions, one logistic regression per label: test scores and test logits."""
    if "emotions" not in _cache:
        X_tr, Y_tr, X_te, Y_te, labels = splits("emotions")
        proba, = per_label(logistic, X_tr, Y_tr, [X_te], "proba")
        logit, = per_label(logistic, X_tr, Y_tr, [X_te], "logit")
        _cache["emotions"] = Y_te, proba, logit, labels
    return _cache["emotions"]


def medical_lr():
    """Medical, one logistic regression per label: test logits."""
    if "medical_lr" not in _cache:
        X_tr, Y_tr, X_te, Y_te, labels = splits("medical")
        logit, = per_label(lambda: LogisticRegression(max_iter=1000), X_tr, Y_tr, [X_te],
                           "logit")
        _cache["medical_lr"] = Y_te, logit, labels
    return _cache["medical_lr"]


def medical_trees():
    """Medical, one unpruned decision tree per label: test predictions."""
    if "medical" not in _cache:
        X_tr, Y_tr, X_te, Y_te, labels = splits("medical")
        pred, = per_label(tree, X_tr, Y_tr, [X_te], "predict")
        _cache["medical"] = Y_te, pred.astype(np.int8), labels
    return _cache["medical"]


# --------------------------------------------------------------------------
# the examples
# --------------------------------------------------------------------------


def ex_accuracy_paradox():
    """medical, a decision tree per label."""
    y, pred, labels = medical_trees()
    return labelwise.evaluate(y, pred, labels=labels)


def ex_accuracy_paradox_constructed():
    """constructed: 1,250 samples x 8 labels, 25 positives per label, of which the model
    finds 3, with 3 false alarms per label (98% label accuracy, 12% recall)."""
    y = np.zeros((1250, 8), dtype=np.int8)
    y[:25] = 1
    pred = np.zeros_like(y)
    pred[:3] = 1
    pred[25:28] = 1
    return labelwise.evaluate(y, pred, labels=[f"tag{j}" for j in range(8)])


def ex_label_imbalance():
    """medical, a decision tree per label."""
    return ex_accuracy_paradox()


def ex_no_support():
    """medical, a decision tree per label."""
    return ex_accuracy_paradox()


def ex_never_predicted():
    """medical, a decision tree per label."""
    return ex_accuracy_paradox()


def ex_undefined_metric():
    """medical, a decision tree per label."""
    return ex_accuracy_paradox()


def ex_empty_predictions():
    """emotions, logistic regression per label, thresholded at 0.8 instead of 0.5."""
    y, proba, _, labels = emotions_lr()
    return labelwise.evaluate(y, y_score=proba, threshold=0.8, labels=labels)


def ex_single_label_predictions():
    """emotions, logistic regression per label, only the top-scored label predicted."""
    y, proba, _, labels = emotions_lr()
    top1 = np.zeros_like(y)
    top1[np.arange(len(y)), proba.argmax(axis=1)] = 1
    return labelwise.evaluate(y, top1, labels=labels)


def ex_softmax_scores():
    """emotions, a softmax taken over the six logistic regressions' logits."""
    y, _, logit, labels = emotions_lr()
    e = np.exp(logit - logit.max(axis=1, keepdims=True))
    return labelwise.evaluate(y, y_score=e / e.sum(axis=1, keepdims=True), labels=labels)


def ex_logits_not_probabilities():
    """emotions, logistic regression per label, logits (decision_function) passed as scores."""
    y, _, logit, labels = emotions_lr()
    return labelwise.evaluate(y, y_score=logit, labels=labels)


def ex_logits_not_probabilities_medical():
    """medical, logistic regression per label, logits (decision_function) passed as
    scores."""
    y, logit, labels = medical_lr()
    return labelwise.evaluate(y, y_score=logit, labels=labels)


def ex_threshold_outside_scores():
    """emotions, logistic regression per label; its probabilities passed with
    scores_are_logits=True, as if they were logits."""
    y, proba, _, labels = emotions_lr()
    return labelwise.evaluate(y, y_score=proba, labels=labels, scores_are_logits=True)


def ex_threshold_outside_scores_percent():
    """emotions, logistic regression per label; the threshold given as a percentage
    (50) instead of 0.5."""
    y, proba, _, labels = emotions_lr()
    return labelwise.evaluate(y, y_score=proba, threshold=50, labels=labels)


def ex_overfitting():
    """yeast, a decision tree per label, with its results on its own training data."""
    X_tr, Y_tr, X_te, Y_te, labels = splits("yeast")
    p_tr, p_te = per_label(tree, X_tr, Y_tr, [X_tr, X_te], "predict")
    return labelwise.evaluate(Y_te, p_te, labels=labels, train=(Y_tr, p_tr))


def ex_multiclass_data():
    """medical test reports that carry exactly one ICD-9 code (a filtered subset)."""
    y, pred, labels = medical_trees()
    one = y.sum(axis=1) == 1
    return labelwise.evaluate(y[one], pred[one], labels=labels)


def ex_label_space_from_data():
    """medical, a decision tree per label; truth and predictions given as label sets
    (each report's list of ICD-9 codes) without labels=."""
    y, pred, labels = medical_trees()
    as_sets = [[labels[j] for j in np.flatnonzero(row)] for row in y]
    pred_sets = [[labels[j] for j in np.flatnonzero(row)] for row in pred]
    return labelwise.evaluate(as_sets, pred_sets)


class TunedThresholds(list):
    """Per-label thresholds that remember (by fingerprint) the truth they were tuned on."""

    def __init__(self, values, tuned_on: str):
        super().__init__(values)
        self.tuned_on = tuned_on


def ex_thresholds_tuned_on_eval():
    """emotions, logistic regression; per-label thresholds picked to maximise F1 on the
    test split itself, then evaluated on that same split."""
    y, proba, _, labels = emotions_lr()
    grid = np.round(np.arange(0.05, 0.96, 0.05), 2)
    best = []
    for j in range(y.shape[1]):
        f1 = [labelwise.metrics.f1_score(y[:, [j]], (proba[:, [j]] > t).astype(int),
                                         average="micro") for t in grid]
        best.append(float(grid[int(np.argmax(f1))]))
    thresholds = TunedThresholds(best, tuned_on=fingerprint(y))
    return labelwise.evaluate(y, y_score=proba, threshold=thresholds, labels=labels)


def ex_mostly_unknown():
    """emotions, logistic regression per label; each test sample's truth of
    'happy-pleased' hidden with probability 0.6 and of 'sad-lonely' with probability
    0.7, as if never annotated (unknown=-1)."""
    y, proba, _, labels = emotions_lr()
    rng = np.random.default_rng(0)
    partial = y.astype(int).copy()
    partial[rng.random(len(y)) < 0.6, labels.index("happy-pleased")] = -1
    partial[rng.random(len(y)) < 0.7, labels.index("sad-lonely")] = -1
    return labelwise.evaluate(partial, y_score=proba, labels=labels, unknown=-1)


def ex_miscalibrated():
    """yeast, an unpruned decision tree per label: its probabilities are 0 or 1."""
    X_tr, Y_tr, X_te, Y_te, labels = splits("yeast")
    proba, = per_label(tree, X_tr, Y_tr, [X_te], "proba")
    return labelwise.evaluate(Y_te, y_score=proba, labels=labels)


def ex_miscalibrated_knn():
    """yeast, 10 nearest neighbours per label: probabilities in steps of 0.1."""
    X_tr, Y_tr, X_te, Y_te, labels = splits("yeast")
    proba, = per_label(lambda: KNeighborsClassifier(n_neighbors=10), X_tr, Y_tr, [X_te],
                       "proba")
    return labelwise.evaluate(Y_te, y_score=proba, labels=labels)


def ex_threshold_not_probability():
    """emotions, logistic regression per label; its probabilities passed through a
    sigmoid a second time, thresholded at 0.6."""
    y, proba, _, labels = emotions_lr()
    return labelwise.evaluate(y, y_score=expit(proba), threshold=0.6, labels=labels)


def ex_leakage():
    """medical: bag-of-words rows of the test split that also occur in the train split."""
    X_tr, _, X_te, _, _ = splits("medical")
    return check_leakage(X_tr, X_te)


EXAMPLES = {
    "accuracy_paradox": (ex_accuracy_paradox, ex_accuracy_paradox_constructed),
    "label_imbalance": ex_label_imbalance,
    "no_support": ex_no_support,
    "mostly_unknown": ex_mostly_unknown,
    "never_predicted": ex_never_predicted,
    "empty_predictions": ex_empty_predictions,
    "single_label_predictions": ex_single_label_predictions,
    "softmax_scores": ex_softmax_scores,
    "logits_not_probabilities": (ex_logits_not_probabilities,
                                 ex_logits_not_probabilities_medical),
    "threshold_outside_scores": (ex_threshold_outside_scores,
                                 ex_threshold_outside_scores_percent),
    "undefined_metric": ex_undefined_metric,
    "overfitting": ex_overfitting,
    "multiclass_data": ex_multiclass_data,
    "label_space_from_data": ex_label_space_from_data,
    "thresholds_tuned_on_eval": ex_thresholds_tuned_on_eval,
    "miscalibrated": (ex_miscalibrated, ex_miscalibrated_knn),
    "threshold_not_probability": ex_threshold_not_probability,
    "leakage": ex_leakage,
}


def show(code: str) -> None:
    examples = EXAMPLES[code]
    for example in examples if isinstance(examples, tuple) else (examples,):
        got = example()
        found = got if code == "leakage" else next(
            (f for f in got.findings if f.code == code), None)
        print(f"== {code}: {' '.join(example.__doc__.split())}")
        if found is None:
            raise SystemExit(f"{code}: the example did not produce the finding")
        print(f"[{found.severity}] {found.code}: {found.message}")
        print(f"    what to do: {found.suggestion}")
        print()


def main(argv: list[str]) -> None:
    global DATA
    if argv and argv[0] not in EXAMPLES:
        DATA = Path(argv.pop(0))
    unknown = [code for code in argv if code not in EXAMPLES]
    if unknown or not DATA.is_dir():
        raise SystemExit(f"unknown codes {unknown}" if unknown else f"no data sets at {DATA}")
    for code in argv or EXAMPLES:
        show(code)


if __name__ == "__main__":
    main(sys.argv[1:])
