"""The rows an accumulator keeps for bootstrap intervals.

Counts forget which sample contributed what; a bootstrap needs it. When an
:class:`~labelwise.Accumulator` is asked for intervals (``ci=``), every batch also
leaves its rows here: truth and predictions as sparse 0/1 rows, the sample
weights, and with scores each sample's ranking values. That costs about 9 bytes
per true or predicted label, plus 8 per sample and per ranking value (the dense
scores that ROC-AUC and AP need are the ones ``auc="exact"`` keeps already).
"""

from __future__ import annotations

import numpy as np
from .. import _sparse as sp

from .replicates import Samples

__all__ = ["SampleLog"]


def _bool_csr(m) -> sp.csr_matrix:
    out = sp.csr_matrix(m, dtype=np.bool_)
    out.sort_indices()
    return out


class SampleLog:
    """Per-sample rows of the batches added so far, in the order they came."""

    def __init__(self):
        self.parts: list = []  # (truth CSR, pred CSR, weights or None, ranking dict or None)

    def add(self, y_true, y_pred, weights=None, ranking=None) -> None:
        self.parts.append((_bool_csr(y_true), _bool_csr(y_pred), weights, ranking))

    def __len__(self) -> int:
        return sum(p[0].shape[0] for p in self.parts)

    def copy(self) -> "SampleLog":
        new = SampleLog()
        new.parts = list(self.parts)
        return new

    def extend(self, other: "SampleLog") -> None:
        self.parts = self.parts + other.parts

    def over(self, columns: np.ndarray, n_labels: int) -> "SampleLog":
        """The rows with column ``j`` moved to ``columns[j]`` of ``n_labels`` columns
        (a reordering, or a wider vocabulary)."""
        columns = np.asarray(columns, dtype=np.int64)

        def move(m):
            out = sp.csr_matrix((m.data, columns[m.indices], m.indptr),
                                shape=(m.shape[0], n_labels))
            out.sort_indices()
            return out

        new = SampleLog()
        new.parts = [(move(t), move(p), w, r) for t, p, w, r in self.parts]
        return new

    def reordered(self, order: np.ndarray) -> "SampleLog":
        """The rows as one part, in a new order: row ``i`` of the result is row
        ``order[i]``."""
        t = sp.vstack([p[0] for p in self.parts], format="csr")[order]
        pred = sp.vstack([p[1] for p in self.parts], format="csr")[order]
        w = None
        if any(p[2] is not None for p in self.parts):
            w = np.concatenate([np.ones(p[0].shape[0]) if p[2] is None else p[2]
                                for p in self.parts])[order]
        ranking = None
        if self.parts and self.parts[0][3] is not None:
            ranking = {k: np.concatenate([p[3][k] for p in self.parts])[order]
                       for k in self.parts[0][3]}
        new = SampleLog()
        new.add(t, pred, w, ranking)
        return new

    def samples(self, scores=None, ks=None, has_propensity=False, ranking=True,
                dense=True) -> Samples:
        """All the rows as :class:`~labelwise.stats.replicates.Samples`; ``scores`` are
        the dense scores of the same rows, for ROC-AUC and AP; ``ranking=False`` leaves
        out the ranking values; ``dense`` says whether they come from dense scores."""
        t = sp.vstack([p[0] for p in self.parts], format="csr")
        pred = sp.vstack([p[1] for p in self.parts], format="csr")
        weights = None
        if any(p[2] is not None for p in self.parts):
            weights = np.concatenate([np.ones(p[0].shape[0]) if p[2] is None else p[2]
                                      for p in self.parts])
        ranking_values = None
        if ranking and self.parts and self.parts[0][3] is not None:
            ranking_values = {k: np.concatenate([p[3][k] for p in self.parts])
                              for k in self.parts[0][3]}
        return Samples(t, pred, sample_weight=weights, ranking=ranking_values, ks=ks,
                       scores=scores, dense=dense,
                       has_propensity=has_propensity)

    # -- checkpoints --------------------------------------------------------------

    def to_dict(self, array_to_json) -> list:
        def csr(m):
            return {"shape": list(m.shape), "indptr": array_to_json(m.indptr),
                    "indices": array_to_json(m.indices)}

        return [{"truth": csr(t), "pred": csr(p),
                 "weights": None if w is None else array_to_json(w),
                 "ranking": None if r is None else {k: array_to_json(v) for k, v in r.items()}}
                for t, p, w, r in self.parts]

    @classmethod
    def from_dict(cls, parts: list, array_from_json) -> "SampleLog":
        def csr(d):
            indices = array_from_json(d["indices"])
            return sp.csr_matrix((np.ones(indices.shape[0], dtype=np.bool_), indices,
                                  array_from_json(d["indptr"])), shape=tuple(d["shape"]))

        log = cls()
        log.parts = [(csr(d["truth"]), csr(d["pred"]),
                      None if d["weights"] is None else array_from_json(d["weights"]),
                      None if d["ranking"] is None else
                      {k: array_from_json(v) for k, v in d["ranking"].items()})
                     for d in parts]
        return log
