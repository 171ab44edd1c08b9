"""Build the example files for ``labelwise evaluate`` in ``examples/data/``.

Trains one logistic regression per label on the train split of Mulan's *yeast*
data set (genes described by 103 features, 14 functional classes) and writes,
for the 917 genes of the test split:

* ``yeast_truth.csv``: ``id`` and one 0/1 column per label (``Class1`` ... ``Class14``);
* ``yeast_scores.csv``: ``id`` and one predicted probability per label, rounded to
  4 decimals, rows shuffled (so rows must be matched by ``--id-column id``);
* ``yeast_pred_sets.jsonl``: ``{"id": ..., "labels": [...]}``, the labels whose
  rounded score is above 0.5.

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


def main(folder: Path) -> None:
    root = ET.parse(folder / "yeast.xml").getroot()
    named = {e.get("name") for e in root.iter() if e.tag.endswith("label")}
    _, meta = arff.loadarff(folder / "yeast-test.arff")
    labels = [n for n in meta.names() if n in named]  # in file order: Class1 ... Class14
    X_train, Y_train = load(folder / "yeast-train.arff", labels)
    X_test, Y_test = load(folder / "yeast-test.arff", labels)
    scores = np.empty(Y_test.shape)
    for j in range(len(labels)):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        model.fit(X_train, Y_train[:, j])
        scores[:, j] = model.predict_proba(X_test)[:, 1]
    scores = scores.round(4)
    ids = [f"gene{i:04d}" for i in range(1, Y_test.shape[0] + 1)]

    OUT.mkdir(exist_ok=True)
    write_csv(OUT / "yeast_truth.csv", ["id", *labels],
              ([i, *map(int, row)] for i, row in zip(ids, Y_test)))
    order = np.random.default_rng(0).permutation(len(ids))
    write_csv(OUT / "yeast_scores.csv", ["id", *labels],
              ([ids[k], *(f"{v:.4f}" for v in scores[k])] for k in order))
    with open(OUT / "yeast_pred_sets.jsonl", "w", encoding="utf-8") as f:
        for i, row in zip(ids, scores):
            chosen = [lab for lab, v in zip(labels, row) if v > THRESHOLD]
            f.write(json.dumps({"id": i, "labels": chosen}) + "\n")
    print(f"wrote {OUT}: {len(ids)} test samples, {len(labels)} labels")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/yeast"))
