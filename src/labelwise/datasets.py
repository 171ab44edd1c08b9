"""Example data shipped inside the package."""

from __future__ import annotations

from importlib import resources
from typing import NamedTuple

import numpy as np

__all__ = ["load_emotions"]


class Example(NamedTuple):
    y_true: np.ndarray
    y_score: np.ndarray
    labels: list


def load_emotions() -> Example:
    """The test split of Mulan *emotions* with a logistic-regression model's scores.

    202 music clips, 6 emotion labels. ``y_score`` holds predicted probabilities
    from one logistic regression per label trained on the train split. See
    ``labelwise/data/README.md`` for the source and citation.

    Examples
    --------
    >>> from labelwise.datasets import load_emotions
    >>> data = load_emotions()
    >>> data.y_true.shape, data.labels[0]
    ((202, 6), 'amazed-suprised')
    """
    with resources.files("labelwise").joinpath("data/emotions_test.npz").open("rb") as f:
        npz = np.load(f, allow_pickle=False)
        return Example(npz["y_true"], npz["y_score"], [str(x) for x in npz["labels"]])
