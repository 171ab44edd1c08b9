"""Every metric under many weightings of the samples at once.

A bootstrap replicate, a jackknife deletion and a Poisson replicate are all the
same data with other sample weights. :class:`Samples` keeps what each sample adds
to the evaluation state (its true, predicted and correct labels, its per-sample
ranking values, and for ROC-AUC and AP its scores sorted once per label), so a
block of ``R`` weight vectors gives ``R`` states by sums over samples, and the
registry's formulas, which work along the last axis, give every metric for all
``R`` in one call each. Nothing is re-validated and no replicate is a Python loop.

ROC-AUC and average precision per label and micro-averaged are not sums over
samples: each replicate re-reads every label's scores in the order sorted once,
with that replicate's weights (one pass of ``n`` per label and replicate).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from .. import _sparse as sp

from .._sum_kernels import weighted_column_sums
from ..formulas import FAMILIES
from ..ranking import RowSums, ScoreSummary, per_k
from ..registry import lookup

__all__ = ["Samples", "BatchCounts", "block_metrics", "undefined_units"]

_RANKING_FIELDS = ("weight", "lrap", "ranking_loss", "coverage", "one_error", "ap", "auc",
                   "auc_weight", "precision_at_k", "recall_at_k", "ndcg_at_k", "ps_hits_at_k",
                   "ps_best_hits_at_k", "ps_ndcg_at_k", "ps_best_ndcg_at_k")


@dataclass(frozen=True, eq=False)
class BatchCounts:
    """:class:`~labelwise.counts.Counts` with a leading replicate axis, for the formulas.

    ``tp``, ``fp``, ``fn``, ``tn`` have shape ``(R, n_labels)``, ``row_weight``
    ``(R, n_groups)`` and ``total_weight`` ``(R,)``; the row triples are shared.
    """

    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray
    row_true: np.ndarray
    row_pred: np.ndarray
    row_both: np.ndarray
    row_weight: np.ndarray
    total_weight: np.ndarray
    n_samples: int
    n_labels: int


def _csr(m, n_labels: int) -> sp.csr_matrix:
    out = sp.csr_matrix(m, dtype=np.float64) if sp.issparse(m) else sp.csr_matrix(
        np.asarray(m, dtype=np.float64))
    out.sum_duplicates()
    out.data[:] = 1.0
    out.eliminate_zeros()
    return out


class Samples:
    """What each sample adds to the state, row by row.

    Parameters
    ----------
    y_true, y_pred : 0/1 matrices (dense bool or scipy sparse), shape (n, n_labels)
        Validated truth and hard predictions (thresholded scores).
    sample_weight : ndarray of shape (n,), optional
        The user's weights; every weighting multiplies them.
    ranking : dict, optional
        Per-sample ranking values (:func:`labelwise.ranking.row_values`).
    ks : tuple, optional
        Their cutoffs.
    scores : ndarray of shape (n, n_labels), optional
        Dense scores, for per-label and micro ROC-AUC and AP.
    has_propensity : bool
        Whether the ranking values include propensity-scored ones.
    dense : bool
        Whether the ranking values come from dense scores (which define the ranking
        metrics), even when the scores themselves are not given.
    """

    def __init__(self, y_true, y_pred, *, sample_weight=None, ranking=None, ks=None,
                 scores=None, has_propensity=False, dense=True):
        t = _csr(y_true, 0)
        p = _csr(y_pred, 0)
        self.n, self.n_labels = t.shape
        self.sample_weight = sample_weight
        both = t.multiply(p).tocsr()
        # tp, fp and fn cells are disjoint: each true or predicted cell is read once
        self.both_c = both.tocsr()
        self.fp_c = (p - both).tocsr()
        self.fn_c = (t - both).tocsr()
        rt = np.diff(t.indptr)
        rp = np.diff(p.indptr)
        rb = np.diff(both.indptr)
        keys = np.stack([rt, rp, rb], axis=1)
        uniq, group = np.unique(keys, axis=0, return_inverse=True)
        group = np.asarray(group).reshape(-1)
        self.row_true, self.row_pred, self.row_both = (uniq[:, 0], uniq[:, 1], uniq[:, 2])
        self.group = group
        self.groups = sp.csr_matrix((np.ones(self.n), (np.arange(self.n), group)),
                                    shape=(self.n, uniq.shape[0]))
        self.ks = ks
        self.has_propensity = has_propensity
        self.dense = dense
        self.ranking = None
        if ranking is not None:
            cols, self.layout = [], []
            at = 0
            for name in _RANKING_FIELDS:
                v = np.asarray(ranking[name], dtype=np.float64).reshape(self.n, -1)
                cols.append(v)
                self.layout.append((name, at, v.shape[1], np.ndim(ranking[name]) == 1))
                at += v.shape[1]
            self.ranking = sp.csr_matrix(np.hstack(cols))
        self.orders = None
        if scores is not None:
            from .._boot_kernels import pooled_cells, sorted_cells

            t.sort_indices()
            self.orders = (sorted_cells(t, scores), pooled_cells(t, scores))

    def exact_match(self) -> np.ndarray:
        """Per sample: whether its predicted label set equals the true one."""
        exact = (self.row_true == self.row_both) & (self.row_pred == self.row_both)
        return exact[self.group]

    def weights(self, W: np.ndarray) -> np.ndarray:
        """The user's sample weights times each column of ``W`` (shape (n, R)): float64,
        or without sample weights ``W`` itself when it holds uint8 counts."""
        W = np.asarray(W)
        if W.dtype != np.uint8 or self.sample_weight is not None:
            W = W.astype(np.float64, copy=False)
        return W if self.sample_weight is None else W * self.sample_weight[:, None]

    # -- state ----------------------------------------------------------------------

    def _matrices(self) -> dict:
        out = {"tp": self.both_c, "fp": self.fp_c, "fn": self.fn_c, "groups": self.groups}
        if self.ranking is not None:
            out["ranking"] = self.ranking
        return out

    def _stacked(self):
        """Every per-sample matrix side by side in one CSR matrix, and where each sits:
        one pass over the samples reads each row of weights once for all of them."""
        if getattr(self, "_stack", None) is None:
            parts = self._matrices()
            at, spans = 0, {}
            for name, m in parts.items():
                spans[name] = (at, at + m.shape[1])
                at += m.shape[1]
            ones = sp.csr_matrix(np.ones((self.n, 1)))  # the total weight
            spans["total"] = (at, at + 1)
            self._stack = (sp.hstack([*parts.values(), ones], format="csr"), spans)
        return self._stack

    def sums(self, W: np.ndarray) -> dict:
        """Every additive sum under each column of ``W`` (already with the user's weights):
        name -> array of shape (R, width)."""
        stack, spans = self._stacked()
        everything = weighted_column_sums(stack, W).T  # (R, all columns)
        out = {name: np.ascontiguousarray(everything[:, lo:hi]) for name, (lo, hi) in
               spans.items()}
        out["total"] = out["total"][:, 0].copy()
        return out

    def deleted_sums(self, groups: int) -> dict:
        """The sums with each sample group left out in turn (shape (groups, width));
        sample ``i`` is in group ``i % groups``. One pass over the data: all minus
        each group."""
        w = np.ones(self.n) if self.sample_weight is None else self.sample_weight
        member = np.arange(self.n) % groups
        A = sp.csr_matrix((w, (member, np.arange(self.n))), shape=(groups, self.n))
        full = self.sums(w[:, None])
        out = {name: full[name] - (A @ m.tocsr()).toarray()
               for name, m in self._matrices().items()}
        out["total"] = full["total"] - np.asarray(A.sum(axis=1)).ravel()
        return out

    def counts(self, sums: dict) -> BatchCounts:
        """The confusion counts of a block of sums."""
        tp, fp, fn, total = sums["tp"], sums["fp"], sums["fn"], sums["total"]
        return BatchCounts(tp, fp, fn, total[:, None] - tp - fp - fn, self.row_true,
                           self.row_pred, self.row_both, sums["groups"], total, self.n,
                           self.n_labels)

    def summary(self, sums: dict, counts: BatchCounts, W=None) -> ScoreSummary | None:
        """The score-based state of a block of sums, or None without scores; ``W``, the
        same weights as columns (with the user's), is needed for ROC-AUC and AP."""
        if self.ranking is None:
            return None
        fields: dict[str, Any] = {}
        for name, at, width, scalar in self.layout:
            part = sums["ranking"][:, at:at + width]
            fields[name] = part[:, 0] if scalar else part
        rows = RowSums(ks=self.ks, n_samples=self.n, **per_k(fields, self.ks))
        extra: dict = {}
        if self.orders is not None and W is not None:
            from .._boot_kernels import label_auc_ap, pooled_auc_ap

            label_auc, label_ap = label_auc_ap(self.orders[0], W)
            micro_auc, micro_ap = pooled_auc_ap(self.orders[1], W)
            extra = dict(label_auc=label_auc, label_ap=label_ap, micro_auc=micro_auc,
                         micro_ap=micro_ap, label_support=counts.tp + counts.fn)
        elif self.dense:  # ranking metrics are defined; per-label AUC and AP are not kept
            nan = np.full(counts.tp.shape, np.nan)
            extra = dict(label_auc=nan, label_ap=nan, label_support=counts.tp + counts.fn)
        return ScoreSummary(rows, has_propensity=self.has_propensity, **extra)

    # -- metrics --------------------------------------------------------------------

    def metrics(self, W: np.ndarray, names, zero_division, beta) -> tuple[dict, dict]:
        """Every metric in ``names`` under each column of ``W`` (shape (n, R), without the
        user's weights: they are applied here).

        Returns
        -------
        values : dict
            Metric name to an array of shape (R,).
        undefined : dict
            Metric name to a boolean array of shape (R,): the replicates in which a
            unit defined on the whole data (a label with a positive, a prediction,
            both classes) is undefined, so that ``zero_division`` (or, for ROC-AUC,
            leaving the label out) decided its value.
        """
        W = self.weights(W)
        return self.metrics_of(self.sums(W), W, names, zero_division, beta)

    def jackknife(self, names, zero_division, beta, groups: int, block: int):
        """Blocks of :meth:`metrics` with each sample group left out in turn."""
        member = np.arange(self.n) % groups
        deleted = self.deleted_sums(groups)
        for lo in range(0, groups, block):
            hi = min(groups, lo + block)
            W = None
            if self.orders is not None:
                W = self.weights((member[:, None] != np.arange(lo, hi)[None, :])
                                 .astype(np.float64))
            part = {name: v[lo:hi] for name, v in deleted.items()}
            yield self.metrics_of(part, W, names, zero_division, beta)

    def metrics_of(self, sums: dict, W, names, zero_division, beta) -> tuple[dict, dict]:
        """:meth:`metrics` of a block of sums (and its weights, for ROC-AUC and AP)."""
        counts = self.counts(sums)
        summary = self.summary(sums, counts, W)
        if getattr(self, "_full", None) is None:
            self._full = self._undefined_on_all_data()
        return block_metrics(counts, summary, names, zero_division, beta, self._full)

    def _undefined_on_all_data(self):
        counts = self.counts(self.sums(self.weights(np.ones((self.n, 1)))))
        auc = micro_auc = None
        if self.orders is not None:
            from .._boot_kernels import label_auc_ap, pooled_auc_ap

            W = self.weights(np.ones((self.n, 1)))
            auc = label_auc_ap(self.orders[0], W)[0][0]
            micro_auc = pooled_auc_ap(self.orders[1], W)[0][0]
        return undefined_units(counts, auc, micro_auc)


def block_metrics(counts: BatchCounts, summary, names, zero_division, beta, full
                  ) -> tuple[dict, dict]:
    """Every metric in ``names`` for a block of replicate states, and where each was
    undefined (see :meth:`Samples.metrics`); ``full`` is :func:`undefined_units` of the
    whole data."""
    R = counts.total_weight.shape[0]
    memo: dict = {}
    values, undefined = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(divide="ignore", invalid="ignore"):
            gaps = _gaps(counts, summary, full)
            for name in names:
                m = lookup(name)
                if m.needs_scores:
                    v = m.compute(summary)
                else:
                    v = m.compute(counts, zero_division, beta, memo)
                values[name] = np.broadcast_to(np.asarray(v, dtype=np.float64), (R,)).copy()
                gap = gaps.get(m.family)
                if gap is not None and m.average in ("micro", "macro", "weighted"):
                    undefined[name] = gap[m.average == "micro"]
    return values, undefined


def undefined_units(counts, label_auc=None, micro_auc=None):
    """Which units are 0/0 on the whole data (counts with one leading row, or plain
    :class:`~labelwise.counts.Counts`): per family, per label and pooled."""
    label, micro = {}, {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, fam in FAMILIES.items():
            lab, mic = _nan_units(fam, counts)
            label[name], micro[name] = np.asarray(lab).reshape(-1, lab.shape[-1])[0], \
                bool(np.asarray(mic).reshape(-1)[0])
    auc = None if label_auc is None else np.isnan(np.asarray(label_auc))
    mauc = None if micro_auc is None else bool(np.isnan(micro_auc))
    return label, micro, auc, mauc


def _gaps(counts: BatchCounts, summary, full) -> dict:
    """family -> (per-label gap, micro gap): replicates where a unit defined on all the
    data is 0/0."""
    full_label, full_micro, full_auc, full_micro_auc = full
    out = {}
    for name, fam in FAMILIES.items():
        label_rep, micro_rep = _nan_units(fam, counts)
        out[name] = ((label_rep & ~full_label[name]).any(axis=-1),
                     micro_rep & ~full_micro[name])
    if summary is not None and summary.dense and full_auc is not None:
        out["roc_auc"] = ((np.isnan(summary.label_auc) & ~full_auc).any(axis=-1),
                          np.isnan(summary.micro_auc) & ~full_micro_auc)
    return out


def _nan_units(fam, c):
    """Where a family's formula is 0/0: per label (R, L) and micro (R,)."""
    label = np.isnan(fam(c.tp, c.fp, c.fn, c.tn))
    micro = np.isnan(fam(*(np.asarray(u).sum(-1) for u in (c.tp, c.fp, c.fn, c.tn))))
    return label, micro
