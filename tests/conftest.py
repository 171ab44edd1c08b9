"""Shared worked examples with hand-checked numbers."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest


class Seed:
    """Labels A, B, C over four samples.

    Per label (tp, fp, fn, tn): A (2, 0, 0, 2); B (1, 0, 1, 2); C (1, 1, 1, 1).
    Pooled: tp 4, fp 1, fn 2, tn 5.
    """

    labels = ["A", "B", "C"]
    y_true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    y_pred = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 0], [0, 0, 1]])
    expected = {
        "hamming_loss": Fraction(3, 12),
        "subset_accuracy": Fraction(1, 4),
        "label_accuracy": Fraction(9, 12),
        "precision_micro": Fraction(4, 5),
        "recall_micro": Fraction(2, 3),
        "f1_micro": Fraction(8, 11),
        "precision_macro": Fraction(5, 6),
        "recall_macro": Fraction(2, 3),
        "f1_macro": Fraction(13, 18),
        # per sample (|t|, |p|, |t&p|): (2,1,1) (1,2,1) (2,1,1) (1,1,1)
        "precision_samples": Fraction(1 + Fraction(1, 2) + 1 + 1, 4),
        "recall_samples": Fraction(Fraction(1, 2) + 1 + Fraction(1, 2) + 1, 4),
        "jaccard_samples": Fraction(Fraction(1, 2) * 3 + 1, 4),
        "jaccard_micro": Fraction(4, 7),
        "specificity_micro": Fraction(5, 6),
    }


@pytest.fixture
def seed():
    return Seed
