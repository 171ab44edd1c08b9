"""Build the example files for ``labelwise evaluate`` in ``examples/data/``.

Trains one logistic regression per label on the train split of Mulan's *yeast*
data set (genes described by 103 features, 14 functional classes) and writes,
for the 917 genes of the test split:

* ``yeast_truth.csv``: ``id`` and one 0/1 column per label (``Class1`` ... ``Class14``);
* ``yeast_scores.csv``: ``id`` and one predicted probability per label, rounded to
  4 decimals, rows shuffled (so rows must be matched by ``--id-column id``);
* ``yeast_pred_sets.jsonl``: ``{"id": ..., "labels": [...]}``, the labels whose
  rounded score is above 0.5;
* ``yeast_scores_c001.csv``: the scores of a second, strongly regularised model
  (``C=0.01`` instead of scikit-learn's default 1.0), in the layout of
  ``yeast_scores.csv``, for ``labelwise compare``.

For tuning thresholds on rows the evaluation never sees, it also holds out a
fixed 30% of the train split (450 of the 1,500 genes, drawn with seed 1), trains a
second model of the same kind on the other 1,050, and writes for the held-out genes:

* ``yeast_val_truth.csv`` and ``yeast_val_scores.csv``: the same layout as the test
  files; the ids (``train0001`` ...) give each gene's row in ``yeast-train.arff``.

The first model, and so the test files, still use the whole train split.

Data source: Mulan (github.com/tsoumakas/mulan, data/multi-label/yeast/).
Cite: A. Elisseeff, J. Weston, "A kernel method for multi-labelled
classification", NIPS 2001.

usage: python examples/make_cli_examples.py [PATH_TO/yeast]
"""

from __future__ import annotations

import csv
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from scipy.io import arff
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

OUT = Path(__file__).resolve().parent / "data"
THRESHOLD = 0.5
VAL_FRACTION = 0.3
VAL_SEED = 1


def load(path: Path, label_names: list[str]):
    data, meta = arff.loadarff(path)
    features = [n for n in meta.names() if n not in label_names]
    X = np.column_stack([data[n].astype(np.float64) for n in features])
    Y = np.column_stack([data[n].astype(str).astype(int) for n in label_names])
    return X, Y


def write_csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def fit_scores(X_fit, Y_fit, X_score, C: float = 1.0) -> np.ndarray:
    """One logistic regression per label, fitted on ``X_fit``; scores of ``X_score``."""
    scores = np.empty((X_score.shape[0], Y_fit.shape[1]))
    for j in range(Y_fit.shape[1]):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000))
        model.fit(X_fit, Y_fit[:, j])
        scores[:, j] = model.predict_proba(X_score)[:, 1]
    return scores.round(4)


def write_split(stem: str, ids: list[str], labels: list[str], Y, scores) -> None:
    """``{stem}_truth.csv`` in id order and ``{stem}_scores.csv`` with rows shuffled."""
    write_csv(OUT / f"{stem}_truth.csv", ["id", *labels],
              ([i, *map(int, row)] for i, row in zip(ids, Y)))
    write_scores(OUT / f"{stem}_scores.csv", ids, labels, scores)


def write_scores(path: Path, ids: list[str], labels: list[str], scores) -> None:
    """Scores with rows shuffled (one fixed order)."""
    order = np.random.default_rng(0).permutation(len(ids))
    write_csv(path, ["id", *labels], ([ids[k], *(f"{v:.4f}" for v in scores[k])]
                                      for k in order))


def main(folder: Path) -> None:
    root = ET.parse(folder / "yeast.xml").getroot()
    named = {e.get("name") for e in root.iter() if e.tag.endswith("label")}
    _, meta = arff.loadarff(folder / "yeast-test.arff")
    labels = [n for n in meta.names() if n in named]  # in file order: Class1 ... Class14
    X_train, Y_train = load(folder / "yeast-train.arff", labels)
    X_test, Y_test = load(folder / "yeast-test.arff", labels)
    scores = fit_scores(X_train, Y_train, X_test)
    ids = [f"gene{i:04d}" for i in range(1, Y_test.shape[0] + 1)]

    OUT.mkdir(exist_ok=True)
    write_split("yeast", ids, labels, Y_test, scores)
    with open(OUT / "yeast_pred_sets.jsonl", "w", encoding="utf-8") as f:
        for i, row in zip(ids, scores):
            chosen = [lab for lab, v in zip(labels, row) if v > THRESHOLD]
            f.write(json.dumps({"id": i, "labels": chosen}) + "\n")
    write_scores(OUT / "yeast_scores_c001.csv", ids, labels,
                 fit_scores(X_train, Y_train, X_test, C=0.01))

    n_train = Y_train.shape[0]
    held = np.random.default_rng(VAL_SEED).permutation(n_train)[: round(VAL_FRACTION * n_train)]
    held.sort()
    rest = np.setdiff1d(np.arange(n_train), held)
    val_scores = fit_scores(X_train[rest], Y_train[rest], X_train[held])
    val_ids = [f"train{k + 1:04d}" for k in held]
    write_split("yeast_val", val_ids, labels, Y_train[held], val_scores)
    print(f"wrote {OUT}: {len(ids)} test samples, {len(val_ids)} validation samples "
          f"(model fitted on the other {len(rest)} train samples), {len(labels)} labels")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/yeast"))
