"""What each metric does with unknown truth entries.

An unknown entry (a sample's label that nobody annotated, see
:mod:`labelwise._validate.unknown`) is neither true nor false. It is left out:

* of the per-label counts ``tp``, ``fp``, ``fn``, ``tn`` and of the per-sample
  ``|true|``, ``|pred|`` and ``|true & pred|`` (:class:`~labelwise.counts.Counts`
  keeps their number per label and per row instead);
* Hamming loss divides by the number of known entries, subset accuracy asks for a
  match on the known entries, and the samples averages and subset accuracy leave
  out the samples with no known entry (which are counted and reported);
* the ranking metrics and @k rank each sample's known labels only;
* per-label ROC-AUC and AP leave out the samples whose entry is unknown, and the
  micro averages the unknown entries.

The ranking kernels are not told about unknown entries. Each unknown score is
replaced by ``-inf`` (:func:`sentinel_scores`), which puts the entry below every
known label and makes it a negative that no true label ever ranks under. The
values that depend on the number of negatives are then put right exactly
(:func:`corrected_rows` and :func:`corrected_auc`): with ``U`` such entries
below all ``P`` positives and ``N`` known negatives, the ROC-AUC computed is
``(A·P·N + P·U) / (P·(N + U))``, and ``A`` follows from it; average precision
does not change, since nothing ranks below the last positive's precision.
"""

from __future__ import annotations

import numpy as np
from . import _sparse as sp

__all__ = ["sentinel_scores", "corrected_rows", "corrected_auc", "unknown_params"]


def sentinel_scores(scores: np.ndarray, mask: sp.csr_matrix) -> np.ndarray:
    """A copy of ``scores`` with ``-inf`` at every unknown entry of ``mask``.

    >>> import numpy as np, scipy.sparse as sp
    >>> sentinel_scores(np.array([[0.2, 0.7]]), sp.csr_matrix([[False, True]])).tolist()
    [[0.2, -inf]]
    """
    out = np.array(scores, copy=True)
    rows = np.repeat(np.arange(mask.shape[0]), np.diff(mask.indptr))
    out[rows, mask.indices] = -np.inf
    return out


def corrected_rows(values: dict, y_true: sp.csr_matrix, mask: sp.csr_matrix) -> dict:
    """Per-sample ranking values (:func:`labelwise.ranking.row_values` of
    :func:`sentinel_scores`) over each sample's known labels only.

    Ranking loss and the sample's ROC-AUC divide by the known negatives; a sample
    with no known entry gets weight 0 and every value 0, so it adds nothing to the
    sums.
    """
    n, L = y_true.shape
    r = np.diff(y_true.indptr).astype(np.float64)
    known = L - np.diff(mask.indptr).astype(np.float64)
    out = dict(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where((r > 0) & (r < known), (L - r) / (known - r), 0.0)
    out["ranking_loss"] = values["ranking_loss"] * scale
    defined = (r > 0) & (r < known)
    out["auc"] = np.where(defined, 1.0 - (1.0 - values["auc"]) * scale, 0.0)
    out["auc_weight"] = defined.astype(np.float64)
    empty = known == 0
    if empty.any():
        for name, v in out.items():
            v = np.array(v, copy=True)
            v[empty] = 0.0
            out[name] = v
    return out


def corrected_auc(found, counts):
    """Exact per-label and micro ROC-AUC (a :class:`~labelwise.ranking.AucAp`) from
    the values computed on :func:`sentinel_scores`, with the counts' unknown
    entries (``counts.unknown``) taken back out; AP is unchanged."""
    if counts.unknown is None:
        return found
    pos = np.asarray(counts.tp + counts.fn, dtype=np.float64)
    neg = np.asarray(counts.tn + counts.fp, dtype=np.float64)
    u = np.asarray(counts.unknown, dtype=np.float64)

    def fix(a, p, n, u):
        a, p, n, u = (np.asarray(x, dtype=np.float64) for x in (a, p, n, u))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where((p > 0) & (n > 0), (a * (n + u) - u) / n, np.nan)
        return np.clip(out, 0.0, 1.0)

    label_auc = fix(found.label_auc, pos, neg, u)
    micro = float(fix(found.micro_auc, pos.sum(), neg.sum(), u.sum()))
    return found._replace(label_auc=label_auc, micro_auc=micro)


def unknown_params(counts) -> dict | None:
    """``report.params["unknown"]``: how many entries were unknown (their total sample
    weight, when samples are weighted) and their share of all entries, and how many
    samples had no known entry (a count); None without unknown entries."""
    if counts.unknown is None:
        return None
    cells = float(counts.total_weight) * counts.n_labels
    entries = float(np.sum(counts.unknown))
    empty = ~counts.known_rows
    return {
        "entries": int(entries) if float(entries).is_integer() else entries,
        "fraction": entries / cells if cells else 0.0,
        "samples_without_known": int(counts.row_count[empty].sum()),
    }
