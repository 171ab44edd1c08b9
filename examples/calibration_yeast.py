"""Calibration of two models of the yeast data set, as quoted in ``docs/metrics.md``.

Trains one model per label on Mulan's yeast train split (Elisseeff and Weston, NIPS
2001; see ``../shared/data/yeast/README.txt``): 10 nearest neighbours, and a logistic
regression on standardised features; evaluates both on the test split and prints
their calibration metrics beside ROC-AUC.

usage: python examples/calibration_yeast.py [PATH_TO/shared/data]
"""

from __future__ import annotations

import sys
from pathlib import Path

from sklearn.neighbors import KNeighborsClassifier

import labelwise

sys.path.insert(0, str(Path(__file__).resolve().parent))
import findings_examples as fx  # noqa: E402

METRICS = ("roc_auc_macro", "ece_macro", "ece_adaptive_macro", "brier_macro", "log_loss")


def reports():
    X_tr, Y_tr, X_te, Y_te, labels = fx.splits("yeast")
    models = {"10 nearest neighbours": lambda: KNeighborsClassifier(n_neighbors=10),
              "logistic regression": fx.logistic}
    out = {}
    for name, make in models.items():
        proba, = fx.per_label(make, X_tr, Y_tr, [X_te], "proba")
        out[name] = labelwise.evaluate(Y_te, y_score=proba, labels=labels)
    return out


def main(argv: list[str]) -> None:
    if argv:
        fx.DATA = Path(argv[0])
    rs = reports()
    print("| model | " + " | ".join(f"`{m}`" for m in METRICS) + " |")
    print("|---|" + "---:|" * len(METRICS))
    for name, r in rs.items():
        print(f"| {name} | " + " | ".join(f"{r[m]:.4f}" for m in METRICS) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
