"""Build the demo data shipped in ``labelwise/data/``.

Trains one logistic regression per label on the train split of Mulan's
*emotions* data set (593 music clips, 72 audio features, 6 emotion labels) and
saves the test split's true labels and predicted probabilities.

Data source: Mulan (github.com/tsoumakas/mulan, data/multi-label/emotions/).
Cite: K. Trohidis, G. Tsoumakas, G. Kalliris, I. Vlahavas, "Multilabel
Classification of Music into Emotions", ISMIR 2008.

usage: python examples/make_emotions_demo.py [PATH_TO/emotions]
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from scipy.io import arff
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

OUT = Path(__file__).resolve().parents[1] / "src" / "labelwise" / "data" / "emotions_test.npz"


def load(path: Path, label_names: list[str]):
    data, meta = arff.loadarff(path)
    names = meta.names()
    features = [n for n in names if n not in label_names]
    X = np.column_stack([data[n].astype(np.float64) for n in features])
    Y = np.column_stack([data[n].astype(str).astype(int) for n in label_names])
    return X, Y


def main(folder: Path) -> None:
    root = ET.parse(folder / "emotions.xml").getroot()
    labels = [e.get("name") for e in root.iter() if e.tag.endswith("label")]
    X_train, Y_train = load(folder / "emotions-train.arff", labels)
    X_test, Y_test = load(folder / "emotions-test.arff", labels)
    scores = np.empty(Y_test.shape)
    for j in range(len(labels)):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        model.fit(X_train, Y_train[:, j])
        scores[:, j] = model.predict_proba(X_test)[:, 1]
    np.savez_compressed(
        OUT,
        y_true=Y_test.astype(np.int8),
        y_score=scores.round(6),
        labels=np.array(labels),
    )
    print(f"wrote {OUT.name}: {Y_test.shape[0]} test samples, {len(labels)} labels")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/emotions"))
