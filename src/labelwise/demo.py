"""``python -m labelwise.demo``: evaluate a real model on the shipped example data."""

from __future__ import annotations

from .datasets import load_emotions
from .evaluation import evaluate


def main() -> None:
    data = load_emotions()
    print(
        "Mulan emotions, test split: one logistic regression per label, "
        "scores thresholded at 0.5\n"
    )
    print(evaluate(data.y_true, y_score=data.y_score, threshold=0.5, labels=data.labels))


if __name__ == "__main__":
    main()
