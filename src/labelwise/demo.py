"""``python -m labelwise.demo [HTML_PATH]``: evaluate a real model on the shipped example
data, print the report, and write it as HTML (``labelwise-demo.html`` by default)."""

from __future__ import annotations

import sys
from pathlib import Path

from .datasets import load_emotions
from .evaluation import evaluate

HTML = "labelwise-demo.html"


def main(html: str | Path | None = HTML) -> None:
    data = load_emotions()
    print(
        "Mulan emotions, test split: one logistic regression per label, "
        "scores thresholded at 0.5, with 95% bootstrap intervals\n"
    )
    report = evaluate(data.y_true, y_score=data.y_score, threshold=0.5, labels=data.labels,
                      ci=0.95, seed=0)
    print(report)
    if html is not None:
        path = report.save(html, title="Mulan emotions, test split")
        print(f"\nHTML report: {Path(path).resolve()}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HTML)
