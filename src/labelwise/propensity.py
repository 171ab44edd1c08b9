"""Inverse label propensities, for the propensity-scored @k metrics.

Rare labels are missing from the training labels more often than common ones;
the propensity-scored metrics (``psprecision_at_k``, ``psndcg_at_k``) weigh
each true label by its inverse propensity, estimated from the training labels.
"""

from __future__ import annotations

import numpy as np

from ._validate import read_raw, to_canonical, vocabulary_of

__all__ = ["inverse_propensity"]


def inverse_propensity(y_train, A=0.55, B=1.5, *, labels=None):
    """Inverse propensity of each label (Jain, Prabhu and Varma, KDD 2016).

    ``1 + C (N_j + B) ** -A`` with ``C = (ln N - 1) (B + 1) ** A``, where ``N`` is
    the number of training samples and ``N_j`` those carrying label ``j``.
    Usual constants: ``A=0.55, B=1.5`` in general; ``A=0.6, B=2.6`` for Amazon
    data sets; ``A=0.5, B=0.4`` for Wikipedia data sets.

    Examples
    --------
    >>> inverse_propensity([[1, 0], [1, 1], [1, 0]]).round(4).tolist()
    [1.0714, 1.0986]
    """
    raw = read_raw(y_train, "y_train", ",")
    t = to_canonical(raw, "y_train", vocabulary_of(raw, raw, labels))
    n = t.shape[0]
    freq = np.asarray(t.sum(axis=0), dtype=np.float64).ravel()
    C = (np.log(n) - 1) * (B + 1) ** A
    return 1.0 + C * (freq + B) ** -A
