"""Score-based metrics: label ranking, ROC-AUC and average precision, and @k.

Two reductions cover all of them:

* **per row** (:func:`row_sums`): one compiled pass gives each sample's label
  ranking average precision, ranking loss, coverage, one-error, ROC-AUC over
  its labels, and hits and DCG at each cutoff ``k``. Their weighted sums
  (:class:`RowSums`) add up across chunks.
* **per label** (:func:`auc_ap`): each label's scores sorted once give its
  ROC-AUC and average precision, with ties grouped exactly as scikit-learn does.

Ties are handled exactly: ranking metrics follow scikit-learn; the @k metrics
take the mean over every order of tied labels (for untied scores this is the
plain definition of the Extreme Classification Repository).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

import numpy as np
from . import _sparse as sp

from . import _kernels, _partial_kernels, _rank_kernels, _rank_numpy
from ._budget import NUMPY_CELLS, SCORES
from ._key_sort import choose, sort_keys
from ._parallel import SERIAL_CELLS, in_threads, run_all
from ._validate import RankingInput

__all__ = ["RowSums", "row_sums", "row_values", "at_k_values", "at_k_sums", "sum_rows", "per_k", "PER_K", "AucAp", "auc_ap", "discount_cumsum", "Curve", "curves"]


def discount_cumsum(m: int) -> np.ndarray:
    """``D[j]`` = DCG discount of the first ``j`` ranks, ``1 / log2(rank + 1)`` summed; ``D[0] = 0``."""
    discount = 1 / (np.log(np.arange(m) + 2) / np.log(2))
    return np.concatenate([[0.0], np.cumsum(discount)])


# --------------------------------------------------------------------------
# Per-row values and their additive sums
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RowSums:
    """Weighted sums of per-sample ranking values; chunks add up with ``+``.

    ``ks`` are the cutoffs of the ``*_at_k`` arrays. ``auc_weight`` is the
    weight of the samples whose ROC-AUC is defined (some but not all labels true).
    """

    ks: tuple
    weight: float = 0.0
    n_samples: int = 0
    lrap: float = 0.0
    ranking_loss: float = 0.0
    coverage: float = 0.0
    one_error: float = 0.0
    ap: float = 0.0
    auc: float = 0.0
    auc_weight: float = 0.0
    precision_at_k: np.ndarray = field(default=None)
    recall_at_k: np.ndarray = field(default=None)
    ndcg_at_k: np.ndarray = field(default=None)
    ps_hits_at_k: np.ndarray = field(default=None)
    ps_best_hits_at_k: np.ndarray = field(default=None)
    ps_ndcg_at_k: np.ndarray = field(default=None)
    ps_best_ndcg_at_k: np.ndarray = field(default=None)

    def __add__(self, other: "RowSums") -> "RowSums":
        if not isinstance(other, RowSums):
            return NotImplemented
        if other.ks != self.ks:
            raise ValueError(f"cannot add sums at cutoffs {other.ks} to sums at {self.ks}")
        return RowSums(
            self.ks,
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)[1:]},
        )

    def mean(self, name: str):
        """Weighted mean of one sum (``auc`` over the samples where it is defined).

        Sums with a leading replicate axis give one mean per replicate.
        """
        total = np.asarray(self.auc_weight if name == "auc" else self.weight, dtype=np.float64)
        value = np.asarray(getattr(self, name), dtype=np.float64)
        total = total.reshape(total.shape + (1,) * (value.ndim - total.ndim))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(total == 0, math.nan, value / np.where(total == 0, 1.0, total))
        return float(out) if out.ndim == 0 else out


def row_values(data: RankingInput, ks=(1, 3, 5), inv_propensity=None) -> dict:
    """Each sample's ranking values, one array per :class:`RowSums` field.

    The values are unweighted and one row per sample: ``(n,)`` for the ranking
    metrics, ``(n, len(ks))`` for the ``*_at_k`` fields. ``auc`` is 0 where a
    sample's ROC-AUC is undefined, and ``auc_weight`` is 1 where it is defined;
    ``weight`` is 1. A weighted sum over samples of each array is that field of
    :func:`row_sums`, except for the fields of :data:`PER_K`: they hold the hit
    counts, and the sums are divided by ``k`` (counts add up exactly, whatever the
    order of the batches).
    """
    ks_arr = np.asarray(ks, dtype=np.int64)
    L = data.n_labels
    D = discount_cumsum(max(int(ks_arr.max()), 1) if ks_arr.size else 1)
    D = np.concatenate([D, np.full(max(0, L + 1 - D.shape[0]), D[-1])])
    p = np.empty(0) if inv_propensity is None else np.asarray(inv_propensity, dtype=np.float64)
    t = data.y_true
    n = t.shape[0]
    # Each field's values are contiguous, in rows of buffers padded so that the fields
    # (written side by side, row by row) do not fall on the same cache sets.
    m = n + 8 + (72 - (n + 8)) % 512
    nk = ks_arr.shape[0]
    vals = np.empty((7, m))[:, :n]
    at_k = np.empty((3, nk, m))[:, :, :n]
    ps = np.zeros((4, nk, m))[:, :, :n]  # written only with inverse propensities
    dense = data.dense_scores is not None
    s = data.partial_scores
    # the same values in numpy passes, for a process's first small inputs: nothing to
    # compile (the work of sparse and top-k scores grows with their entries)
    small = SCORES.take(n * L if dense else s.nnz + t.nnz)
    if small and dense:
        with np.errstate(divide="ignore", invalid="ignore"):
            _rank_numpy.dense_row_values(t.indptr, t.indices, data.dense_scores, ks_arr, D, p,
                                         vals, at_k, ps)
    elif small:
        with np.errstate(divide="ignore", invalid="ignore"):
            _rank_numpy.partial_row_values(t.indptr, t.indices, s.indptr, s.indices, s.data, L,
                                           ks_arr, D, p, vals, at_k, ps)
    elif dense:
        scores = data.dense_scores

        def run(lo: int, hi: int) -> int:  # the rows left to sort: many true labels
            return _rank_kernels.dense_rows(t.indptr, t.indices, scores, ks_arr, D, p, lo, hi,
                                            vals, at_k, ps)

        def run_sorting(lo: int, hi: int) -> None:
            _rank_kernels.dense_rows_sorting(t.indptr, t.indices, scores, ks_arr, D, p, lo, hi,
                                             vals, at_k, ps)
    else:

        def run(lo: int, hi: int) -> None:
            _partial_kernels.partial_rows(t.indptr, t.indices, s.indptr, s.indices, s.data, L,
                                          ks_arr, D, p, lo, hi, vals, at_k, ps)
    # work per row: a pass over L scores (dense), or a small sort of the scored entries
    # (blocks of the command line's size run serially: on a shared machine, threads there
    # cost more time than they save)
    per_row = L if data.dense_scores is not None else 8 * max(1, s.nnz // max(n, 1))
    if n and not small:
        left = in_threads(run, n, per_row)
        if data.dense_scores is not None and sum(left):
            in_threads(run_sorting, n, per_row)
    return {
        "weight": np.ones(n),
        "lrap": vals[0],
        "ranking_loss": vals[1],
        "coverage": vals[2],
        "one_error": vals[3],
        "ap": vals[4],
        "auc": vals[5],
        "auc_weight": vals[6],
        "precision_at_k": at_k[0].T,
        "recall_at_k": at_k[1].T,
        "ndcg_at_k": at_k[2].T,
        "ps_hits_at_k": ps[0].T,
        "ps_best_hits_at_k": ps[1].T,
        "ps_ndcg_at_k": ps[2].T,
        "ps_best_ndcg_at_k": ps[3].T,
    }


def at_k_values(data: RankingInput, ks=(1, 3, 5), inv_propensity=None) -> dict:
    """Only the ``*_at_k`` fields of :func:`row_values` (the same numbers), and ``weight``.

    Sparse and top-k scores take a lean pass that finds each true label's place
    among the row's scored labels and nothing else; dense scores take
    :func:`row_values`. The ``ps_*`` fields are present with inverse propensities only.
    """
    if data.partial_scores is None:
        values = row_values(data, ks, inv_propensity)
        names = ("weight",) + AT_K_FIELDS + (PS_FIELDS if inv_propensity is not None else ())
        return {name: values[name] for name in names}
    ks_arr = np.asarray(ks, dtype=np.int64)
    L = data.n_labels
    D = discount_cumsum(max(int(ks_arr.max()), 1) if ks_arr.size else 1)
    D = np.concatenate([D, np.full(max(0, L + 1 - D.shape[0]), D[-1])])
    p = np.empty(0) if inv_propensity is None else np.asarray(inv_propensity, dtype=np.float64)
    t, s = data.y_true, data.partial_scores
    n, nk = t.shape[0], ks_arr.shape[0]
    m = n + 8 + (72 - (n + 8)) % 512  # padded rows, as in row_values
    at_k = np.empty((3, nk, m))[:, :, :n]
    ps = np.zeros((4, nk, m if p.shape[0] else 0))[:, :, :n]  # rows without labels: 0

    def run(lo: int, hi: int) -> None:
        _partial_kernels.partial_at_k(t.indptr, t.indices, s.indptr, s.indices, s.data, L,
                                      ks_arr, D, p, lo, hi, at_k, ps)

    if n:
        in_threads(run, n, 4 * max(1, s.nnz // max(n, 1)))
    out = {"weight": np.ones(n), "precision_at_k": at_k[0].T, "recall_at_k": at_k[1].T,
           "ndcg_at_k": at_k[2].T}
    if p.shape[0]:
        out.update(zip(PS_FIELDS, (ps[0].T, ps[1].T, ps[2].T, ps[3].T)))
    return out


#: The @k fields of :func:`row_values`, and those that need inverse propensities.
AT_K_FIELDS = ("precision_at_k", "recall_at_k", "ndcg_at_k")
PS_FIELDS = ("ps_hits_at_k", "ps_best_hits_at_k", "ps_ndcg_at_k", "ps_best_ndcg_at_k")


def at_k_sums(data: RankingInput, ks=(1, 3, 5), sample_weight=None,
              inv_propensity=None) -> RowSums:
    """The :class:`RowSums` of :func:`at_k_values`: the @k sums only (the ranking sums
    are left at 0, and the ``ps_*`` sums at None without inverse propensities)."""
    return sum_rows(at_k_values(data, ks, inv_propensity), ks, sample_weight)


def truth_csr(y: np.ndarray):
    """Dense 0/1 truth (bool or uint8, C-contiguous) as a CSR matrix with sorted indices,
    as ``scipy.sparse.csr_matrix(y)`` gives it (bool data, int32 indices while they fit)."""
    n, L = y.shape
    wide = n * L >= 2**31
    index = np.int64 if wide else np.int32
    t = np.ascontiguousarray(y).view(np.uint8)
    indptr = np.empty(n + 1, dtype=index)
    indptr[0] = 0
    if n * L < NUMPY_CELLS or not n:  # numpy's passes: nothing to compile for a small input
        rows, indices = np.nonzero(t)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        indices = indices.astype(index, copy=False)
    else:  # the rows' counts, then their indices (over row blocks on threads, if large)

        def count(lo: int, hi: int) -> None:
            _kernels.dense_row_counts(t, lo, hi, indptr)

        in_threads(count, n, L)
        np.cumsum(indptr[1:], out=indptr[1:])
        indices = np.empty(int(indptr[-1]), dtype=index)

        def fill(lo: int, hi: int) -> None:
            _kernels.dense_indices(t, lo, hi, indptr, indices)

        in_threads(fill, n, L)
    out = sp.csr_matrix((np.ones(indices.shape[0], dtype=np.bool_), indices, indptr),
                        shape=(n, L))
    out.has_sorted_indices = True
    return out


def row_sums(data: RankingInput, ks=(1, 3, 5), sample_weight=None, inv_propensity=None) -> RowSums:
    """Reduce validated scores to :class:`RowSums` at cutoffs ``ks``."""
    return sum_rows(row_values(data, ks, inv_propensity), ks, sample_weight)


def sum_rows(values: dict, ks, sample_weight=None) -> RowSums:
    """The :class:`RowSums` of per-sample values (:func:`row_values`)."""
    n = values["weight"].shape[0]
    w = sample_weight

    def total(x):  # weighted column sums, without BLAS (no thread pool for small work)
        if sample_weight is not None:
            x = x * w.reshape((-1,) + (1,) * (x.ndim - 1))
        if x.ndim == 1:
            return float(np.ascontiguousarray(x).sum())
        # pairwise summation runs along a contiguous axis: summing down the rows of a
        # C-ordered matrix would add them one by one, with an error growing with n
        y = np.moveaxis(x, 0, -1)
        if y.ndim == 2 and y.strides[-1] == y.itemsize:  # each row contiguous already
            return np.array([row.sum() for row in y])
        return np.ascontiguousarray(y).sum(axis=-1)

    ks = tuple(int(k) for k in ks)
    return RowSums(ks=ks, n_samples=n, **per_k({name: total(v) for name, v in values.items()},
                                               ks))


#: Fields of :func:`row_values` that count hits; their sums are divided by k.
PER_K = ("precision_at_k", "ps_hits_at_k", "ps_best_hits_at_k")


def per_k(sums: dict, ks) -> dict:
    """``sums`` with the :data:`PER_K` fields divided by their cutoffs (last axis)."""
    k = np.asarray(ks, dtype=np.float64)
    return {name: v / k if name in PER_K else v for name, v in sums.items()}


# --------------------------------------------------------------------------
# Per-label ROC-AUC and average precision
# --------------------------------------------------------------------------


_POSITIVES_PER_PASS = 1 << 20


def _auc_ap_sorted(ordered: np.ndarray, pos: np.ndarray) -> tuple[float, float]:
    """Unweighted ROC-AUC and AP from all scores sorted and the positives' scores.

    Each positive needs only its rank among all scores and among the positives
    (ties counted apart), found by binary search: O(P log n) after one sort.
    """
    n, P = ordered.shape[0], pos.shape[0]
    if P == 0:
        return math.nan, 0.0
    pos = np.sort(pos)
    neg_below = neg_tied = 0
    ap_sum = 0.0
    for lo in range(0, P, _POSITIVES_PER_PASS):  # bounded temporaries for pooled scores
        part = pos[lo : lo + _POSITIVES_PER_PASS]
        lo_all = np.searchsorted(ordered, part, side="left")
        hi_all = np.searchsorted(ordered, part, side="right")
        lo_pos = np.searchsorted(pos, part, side="left")
        hi_pos = np.searchsorted(pos, part, side="right")
        neg_below += int((lo_all - lo_pos).sum())
        neg_tied += int(((hi_all - lo_all) - (hi_pos - lo_pos)).sum())
        ap_sum += float(np.sum((P - lo_pos) / (n - lo_all)))
    N = n - P
    auc = float((neg_below + 0.5 * neg_tied) / (P * N)) if N > 0 else math.nan
    return auc, ap_sum / P


def _auc_ap_weighted(y: np.ndarray, s: np.ndarray, w: np.ndarray, has_both: bool):
    """Weighted ROC-AUC and AP, grouping tied scores."""
    order = np.argsort(s, kind="stable")
    ordered = s[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    pos = np.add.reduceat(w[order] * y[order], starts)
    neg = np.add.reduceat(w[order] * ~y[order], starts)
    P, N = pos.sum(), neg.sum()
    if P == 0:
        return math.nan, 0.0
    auc = math.nan
    if has_both and N > 0:
        auc = float(np.sum(pos * (np.cumsum(neg) - 0.5 * neg)) / (P * N))
    pos_ge = np.cumsum(pos[::-1])[::-1]
    all_ge = np.cumsum((pos + neg)[::-1])[::-1]
    keep = pos > 0
    return auc, float(np.sum(pos[keep] / P * (pos_ge[keep] / all_ge[keep])))


def _auc_ap(y: np.ndarray, s: np.ndarray, w, ordered=None) -> tuple[float, float]:
    n_pos = int(y.sum())
    if w is not None:
        return _auc_ap_weighted(y, s, w, 0 < n_pos < y.shape[0])
    return _auc_ap_sorted(np.sort(s) if ordered is None else ordered, s[y])


_NUMPY_LABELS = 512  # small inputs of at most this many labels sort each label with numpy
_KEY_SAMPLE = 1 << 16  # scores sampled (whole rows) for the buckets of the parallel sort
_KEY_BUCKETS = 64
_POOLED_TASKS = 16  # row blocks, and runs of buckets, of the parallel sort
_LABEL_CELLS = 1 << 17  # buckets x labels counted per row block (twice this at most)
_KEY_BUDGET = 1 << 23  # bytes of packed keys held at once, at least ...
_KEY_SHARE = 1.0  # ... else this share of the scores' bytes


def _pooled(y_true, scores: np.ndarray, quantiles=None):
    """Per-label and micro ROC-AUC sums and AP of unweighted float32 or float64 scores
    from one pooled sort, or None when the packed keys cannot hold them.

    The order keys of the scores (:mod:`labelwise._pooled_kernels`) are cut into
    buckets by their top 16 bits (at quantiles of a sample of them on the thread
    pool, and so that each bucket's range fits its packed keys); the entries of
    each bucket are counted, per label and truth, in a pass over the rows. Then,
    for the buckets a group at a time (at most the scores' bytes of keys), a
    second pass writes each entry's packed key into its bucket's place, and the
    buckets are sorted (:mod:`labelwise._key_sort`) and read side by side, each
    starting from the counts of those below it. ``quantiles`` (see :func:`auc_ap`)
    gets its bin sums read off the same sorted buckets.
    """
    from . import _pooled_kernels as pk

    n, L = scores.shape
    wide = scores.dtype == np.float64
    bits = np.ascontiguousarray(scores).view(np.uint64 if wide else np.uint32)
    shift = 48 if wide else 16
    lb = max(2, int(2 * L - 1).bit_length())  # bits of label << 1 | truth
    if 64 - lb < shift:  # a bucket could not hold one value of the top 16 bits
        return None
    m = n * L
    # The tasks and buckets depend on the data only, never on the number of cores, and
    # their sums are added in task order, so that a result is the same on any machine.
    parallel = m >= SERIAL_CELLS
    indptr, indices = y_true.indptr, y_true.indices
    n_tasks = _POOLED_TASKS if parallel else 1
    bounds = [n * q // n_tasks for q in range(n_tasks + 1)]
    found = [None] * n_tasks

    def extent(q: int) -> None:
        found[q] = pk.order_range(bits, bounds[q], bounds[q + 1])

    run_all(extent, n_tasks)
    low = min(int(f[0]) for f in found) >> shift
    high = max(int(f[1]) for f in found) >> shift
    starts = np.array([low], dtype=np.int64)
    n_quantiles = min(_KEY_BUCKETS, max(1, _LABEL_CELLS // L)) if parallel else 1
    if n_quantiles > 1 and high > low:
        rows = np.arange(0, n, max(1, m // _KEY_SAMPLE))
        sample = pk.sample_orders(bits, rows)
        choose(sample)
        sort_keys(sample, np.empty_like(sample))
        cuts = (sample[(np.arange(1, n_quantiles) * sample.shape[0]) // n_quantiles]
                >> np.uint64(shift)).astype(np.int64)
        starts = np.unique(np.concatenate([starts, cuts[(cuts > low) & (cuts <= high)]]))
    ends = np.append(starts[1:], high + 1)
    # 32-bit keys where the buckets they need stay few, else 64-bit ones
    for width in (32, 64) if not wide else (64,):
        if width - lb < shift:
            continue
        span = 1 << min(16, width - lb - shift)  # values of the top 16 bits per bucket
        pieces = -(-(ends - starts) // span)
        if int(pieces.sum()) * L <= 2 * _LABEL_CELLS:
            break
    else:
        return None
    starts = np.concatenate([np.arange(a, e, span) for a, e in zip(starts, ends)])
    B = starts.shape[0]
    table = np.searchsorted(starts, np.arange(1 << 16), side="right") - 1
    table = np.clip(table, 0, B - 1).astype(np.int32)
    base = starts.astype(np.uint64) << np.uint64(shift)
    ushift = np.uint64(shift)

    labels = np.zeros((n_tasks, B, 2 * L), dtype=np.int64)
    top = np.zeros((n_tasks, B, L) if quantiles is not None else (0, 0), dtype=np.uint64)

    def count(q: int) -> None:
        pk.bucket_counts(bits, indptr, indices, table, ushift, bounds[q], bounds[q + 1],
                         labels[q], top[q] if top.shape[0] else top)

    run_all(count, n_tasks)
    counts = labels.sum(axis=2)  # (n_tasks, B) entries of each bucket in each row block
    sizes = counts.sum(axis=0)
    by_label = labels.sum(axis=0)
    del labels
    total = by_label[:, 0::2] + by_label[:, 1::2]  # (B, L) entries per bucket and label
    pos = np.ascontiguousarray(by_label[:, 1::2])
    positives = pos.sum(axis=0)
    seen0 = np.cumsum(total, axis=0) - total
    pos0 = np.cumsum(pos, axis=0) - pos
    all0 = np.cumsum(sizes) - sizes
    all_pos = pos.sum(axis=1)
    all_pos0 = np.cumsum(all_pos) - all_pos
    if quantiles is not None:
        highest = np.maximum.accumulate(top.max(axis=0), axis=0)
        below = np.concatenate([np.zeros((1, L), dtype=np.uint64), highest[:-1]])
        q_frac = np.true_divide(np.linspace(0, 1, quantiles.n_bins + 1) * 100, 100)
        scale = float(quantiles.scale)
        unknown = np.zeros(0, dtype=np.int64) if getattr(quantiles, "unknown", None) is None \
            else np.ascontiguousarray(quantiles.unknown, dtype=np.int64)
    else:
        below = np.zeros((B, 0), dtype=np.uint64)
        q_frac, scale = np.zeros(2), 0.0
        unknown = np.zeros(0, dtype=np.int64)
    del top

    # groups of buckets whose keys are held at once
    item = width // 8
    budget = max(1, max(_KEY_BUDGET, int(bits.nbytes * _KEY_SHARE)) // item)
    groups = []
    first = 0
    while first < B:
        last, held = first, 0
        while last < B and (last == first or held + sizes[last] <= budget):
            held += sizes[last]
            last += 1
        groups.append((first, last))
        first = last
    keys = np.empty(max(int(sizes[a:b].sum()) for a, b in groups),
                    dtype=np.uint32 if width == 32 else np.uint64)
    per_task = np.cumsum(counts, axis=0) - counts  # entries of each bucket in earlier blocks
    outputs = []
    for first, last in groups:
        offsets = np.zeros(B + 1, dtype=np.int64)
        offsets[first + 1 : last + 1] = np.cumsum(sizes[first:last])
        cursor = offsets[:-1][None, :] + per_task

        def scatter(q: int) -> None:
            pk.bucket_scatter(bits, indptr, indices, table, ushift, base, lb, first, last,
                              bounds[q], bounds[q + 1], cursor[q], keys)

        run_all(scatter, n_tasks)
        # the group's buckets in runs of about equal size, one run per task
        share = np.cumsum(sizes[first:last])
        cut = np.searchsorted(share, share[-1] * np.arange(1, n_tasks) / n_tasks) + 1
        edges = np.unique(np.clip(np.concatenate([[0], cut, [last - first]]), 0,
                                  last - first)) + first

        runs = [None] * (edges.shape[0] - 1)

        def read(t: int) -> None:
            auc_num, ap, micro = np.zeros(L), np.zeros(L), np.zeros(2)
            bins = np.zeros((L, quantiles.n_bins, 3) if quantiles is not None else (0, 0, 3))
            spare = np.empty(int(sizes[edges[t] : edges[t + 1]].max()), dtype=keys.dtype)
            for b in range(edges[t], edges[t + 1]):
                part = keys[offsets[b] : offsets[b + 1]]
                if not part.shape[0]:
                    continue
                sort_keys(part, spare)
                pk.read_bucket(part, lb, base[b], wide, n, positives, seen0[b], pos0[b],
                               int(all0[b]), int(all_pos0[b]), m, auc_num, ap, micro, q_frac,
                               scale, below[b], bins, unknown)
            runs[t] = (auc_num, ap, micro, bins)

        run_all(read, edges.shape[0] - 1)
        outputs += runs  # in bucket order, whichever task ended first
    auc_num = sum(o[0] for o in outputs)
    ap = sum(o[1] for o in outputs)
    micro = sum(o[2] for o in outputs)
    if quantiles is not None:
        quantiles.bins = sum(o[3] for o in outputs)
    neg = n - positives
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = np.where((positives > 0) & (neg > 0), auc_num / (positives * neg), np.nan)
    P_all = int(positives.sum())
    N_all = m - P_all
    micro_auc = float(micro[0] / (P_all * N_all)) if P_all > 0 and N_all > 0 else math.nan
    return AucAp(auc, ap, micro_auc, float(micro[1]))


class AucAp(NamedTuple):
    """ROC-AUC and average precision per label (NaN AUC where truth is constant), and pooled."""

    label_auc: np.ndarray
    label_ap: np.ndarray
    micro_auc: float
    micro_ap: float


def auc_ap(y_true, scores: np.ndarray, sample_weight=None, *, quantiles=None) -> AucAp:
    """Per-label and micro-averaged ROC-AUC and average precision.

    Parameters
    ----------
    y_true : scipy.sparse.csr_matrix
        0/1 truth (n_samples, n_labels) with sorted, unique indices.
    scores : ndarray of shape (n_samples, n_labels)
        Dense scores, without NaN.
    sample_weight : ndarray of shape (n_samples,), optional
        Weights of the rows.
    quantiles : object, optional
        With attributes ``n_bins`` (int), ``scale`` (float: > 0 decodes float32
        codes of decimals with ``rint(code * scale) / scale``) and ``unknown`` (None,
        or each label's number of unknown entries, scored ``-inf`` and left out of
        its bins); when the pooled sort
        runs, its attribute ``bins`` is set to each label's equal-mass bin sums
        ``(n_labels, n_bins, 3)`` (count, sum of scores, sum of truths) read off
        the same sorted keys (see :class:`labelwise.calibration_adaptive.KeyQuantiles`),
        and is left alone otherwise.

    Returns
    -------
    AucAp
        Ties are one threshold, as in scikit-learn.

    Notes
    -----
    Unweighted float32 and float64 scores take one pooled sort of (score, label,
    truth) keys that serves every label and the micro average at once
    (:func:`_pooled`); weighted scores, float64 scores of more than 2**15 labels,
    and small inputs (fewer than :data:`~labelwise._budget.NUMPY_CELLS` cells, at
    most ``_NUMPY_LABELS`` labels) sort each label's column, and the pooled scores,
    apart, with numpy. The two ways give the same values up to the order of float
    sums (about 1e-16).
    """
    n, L = scores.shape
    small = n * L < NUMPY_CELLS and L <= _NUMPY_LABELS  # numpy's sorts: nothing to compile
    if (sample_weight is None and scores.dtype in (np.float32, np.float64) and n * L
            and L < 2**30 and not small):
        found = _pooled(y_true, scores, quantiles)
        if found is not None:
            return found
    auc = np.empty(L)
    ap = np.empty(L)
    for j, y in enumerate(_column_truth(y_true)):  # one column at a time: bounded memory
        auc[j], ap[j] = _auc_ap(y, np.ascontiguousarray(scores[:, j]), sample_weight)
    y = np.zeros(n * L, dtype=np.bool_)
    rows = np.repeat(np.arange(n), np.diff(y_true.indptr))
    y[rows * L + y_true.indices] = True
    w = None if sample_weight is None else np.repeat(sample_weight, L)
    return AucAp(auc, ap, *_auc_ap(y, np.ascontiguousarray(scores).ravel(), w))


# --------------------------------------------------------------------------
# Curves
# --------------------------------------------------------------------------


class Curve(NamedTuple):
    """One curve: ``x`` and ``y`` coordinates and the score thresholds behind them.

    For ROC: ``x`` = false positive rate, ``y`` = true positive rate. For PR:
    ``x`` = recall, ``y`` = precision. The layout of each follows
    ``sklearn.metrics.roc_curve`` and ``precision_recall_curve``.
    """

    x: np.ndarray
    y: np.ndarray
    thresholds: np.ndarray


def _cumulative(y: np.ndarray, s: np.ndarray, w: np.ndarray | None):
    """Weighted tp and fp counts at each distinct score, highest score first."""
    if w is not None:
        keep = w != 0
        y, s, w = y[keep], s[keep], w[keep]
    order = np.argsort(s, kind="stable")[::-1]
    s, y = s[order], y[order].astype(np.float64)
    last = np.append(np.flatnonzero(np.diff(s)), s.shape[0] - 1)
    if w is None:
        tps = np.cumsum(y)[last]
        fps = 1 + last - tps
    else:
        w = w[order]
        tps = np.cumsum(y * w)[last]
        fps = np.cumsum((1 - y) * w)[last]
    return tps, fps, s[last]


def _roc(y, s, w, drop_intermediate=True) -> Curve:
    tps, fps, thr = _cumulative(y, s, w)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.flatnonzero(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])
        tps, fps, thr = tps[keep], fps[keep], thr[keep]
    tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
    thr = np.r_[np.inf, thr.astype(np.float64)]
    fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
    return Curve(fpr, tpr, thr)


def _pr(y, s, w, drop_intermediate=False) -> Curve:
    tps, fps, thr = _cumulative(y, s, w)
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.flatnonzero(
            np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        )
        tps, fps, thr = tps[keep], fps[keep], thr[keep]
    ps = tps + fps
    precision = np.divide(tps, ps, out=np.zeros_like(tps), where=ps != 0)
    recall = tps / tps[-1] if tps[-1] != 0 else np.ones_like(tps)
    return Curve(np.r_[recall[::-1], 0.0], np.r_[precision[::-1], 1.0], thr[::-1])


def _column_truth(y_true) -> list[np.ndarray]:
    cols = y_true.tocsc()
    n = y_true.shape[0]
    out = []
    for j in range(y_true.shape[1]):
        y = np.zeros(n, dtype=np.bool_)
        y[cols.indices[cols.indptr[j] : cols.indptr[j + 1]]] = True
        out.append(y)
    return out


def curves(data: RankingInput, kind: str, sample_weight=None, drop_intermediate=None):
    """Per-label curves of ``kind`` ("roc" or "pr") as a dict, and the pooled curve."""
    make = _roc if kind == "roc" else _pr
    drop = (kind == "roc") if drop_intermediate is None else drop_intermediate
    s = data.dense_scores
    out = {
        label: make(y, np.ascontiguousarray(s[:, j]), sample_weight, drop)
        for j, (label, y) in enumerate(zip(data.labels, _column_truth(data.y_true)))
    }
    n, L = s.shape
    y = np.zeros(n * L, dtype=np.bool_)
    rows = np.repeat(np.arange(n), np.diff(data.y_true.indptr))
    y[rows * L + data.y_true.indices] = True
    w = None if sample_weight is None else np.repeat(sample_weight, L)
    return out, make(y, s.ravel(), w, drop)


# --------------------------------------------------------------------------
# Everything a report needs from scores
# --------------------------------------------------------------------------

REPORT_KS = (1, 3, 5)


@dataclass(frozen=True, eq=False)
class ScoreSummary:
    """Score-based results of one evaluation.

    ``rows`` holds the per-sample sums at the report's cutoffs; the per-label
    and micro ROC-AUC and average precision are present for dense scores only.
    ``calibration`` is the :class:`~labelwise.calibration_bins.CalibrationBins` of
    dense scores that are probabilities (or logits read as such), and
    ``ece_adaptive`` the macro adaptive ECE (equal-mass bins) when every score was
    kept; both None otherwise.
    """

    rows: RowSums
    label_auc: np.ndarray | None = None
    label_ap: np.ndarray | None = None
    label_support: np.ndarray | None = None
    micro_auc: float = math.nan
    micro_ap: float = math.nan
    has_propensity: bool = False
    calibration: Any = None
    ece_adaptive: Any = None

    @property
    def dense(self) -> bool:
        return self.label_auc is not None

    def at_k(self, name: str, k: int):
        return _value(self.rows.mean(name)[..., self.rows.ks.index(k)])

    def ps_at_k(self, name: str, k: int):
        q = self.rows.ks.index(k)
        num = np.asarray(getattr(self.rows, f"ps_{name}_at_k"))[..., q]
        den = np.asarray(getattr(self.rows, f"ps_best_{name}_at_k"))[..., q]
        with np.errstate(divide="ignore", invalid="ignore"):
            return _value(np.where(den > 0, num / np.where(den > 0, den, 1.0), math.nan))


def _value(x):
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def label_support(y_true, sample_weight=None) -> np.ndarray:
    """Weighted count of true samples per label."""
    w = None if sample_weight is None else np.repeat(sample_weight, np.diff(y_true.indptr))
    return np.bincount(y_true.indices, weights=w, minlength=y_true.shape[1]).astype(np.float64)


def average_label_values(values: np.ndarray, support: np.ndarray, average: str):
    """Macro or support-weighted mean of per-label values, leaving out NaN labels.

    As scikit-learn, labels without support weigh 0 in the weighted mean, and a
    weighted mean over zero total support is 0. Values with a leading replicate
    axis give one mean per replicate.
    """
    values = np.asarray(values, dtype=np.float64)
    if average == "weighted":
        support = np.broadcast_to(np.asarray(support, dtype=np.float64), values.shape)
        defined = ~np.isnan(values) | (support == 0)
        vals = np.where(defined & (support != 0), values, 0.0)
        weights = np.where(defined, support, 0.0)
        total = weights.sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = (vals * weights).sum(axis=-1) / np.where(total == 0, 1.0, total)
        out = np.where(total == 0, np.where(defined.all(axis=-1), 0.0, math.nan), mean)
        return _value(out)
    keep = ~np.isnan(values)
    kept = keep.sum(axis=-1)
    mean = np.where(keep, values, 0.0).sum(axis=-1) / np.maximum(kept, 1)
    return _value(np.where(kept == 0, math.nan, mean))
