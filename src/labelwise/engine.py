"""The one engine: :class:`Accumulator` reduces batches to additive state and reports.

Every entry point feeds it: :func:`labelwise.evaluate` is
``Accumulator(...).update(...).report()``, the command line updates one accumulator
block by block, and a training loop or a pool of workers updates, merges and
reports. The state holds:

* :class:`~labelwise.counts.Counts` for every threshold metric;
* with scores, :class:`~labelwise.ranking.RowSums` for the per-sample ranking and
  ``@k`` metrics, and for ROC-AUC and average precision either the scores
  themselves (``auc="exact"``) or a :class:`~labelwise.binned.BinnedScores` count
  state (``auc="binned"``);
* the range of each label's scores, for the findings.

Each part adds up across batches, so ``a + b`` of two accumulators is the
accumulator of the data of both.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from . import _sparse as sp

from ._validate.unknown import apply_unknown, check_unknown, split_unknown, unknown_mask
from ._validate import (
    Labelled,
    RankingInput,
    RawMatrix,
    RawSets,
    align_scores,
    check_beta,
    check_cutoffs,
    check_labels,
    check_propensity,
    check_sample_weight,
    check_threshold,
    check_zero_division,
    canonical_pair,
    coerce_pair,
    coerce_ranking,
    is_topk_form,
    plain,
    read_raw,
    sorted_union,
)
from ._parallel import beside
from . import defaults as D
from .counts import Counts, RowTally
from .diagnose import (
    DEFAULT_BANDS,
    Context,
    ScoreShape,
    Thresholding,
    check_bands,
    fingerprint,
    interpret,
    run_detectors,
)
from .diagnose.context import scan_scores
from .errors import InputError
from .exact_scores import Codes, Kept, joined, places_of, plain_codes, to_codes, values_of
from .formulas import FAMILIES, per_label
from .ranking import RowSums, ScoreSummary, auc_ap, row_values, sum_rows, truth_csr
from .stats.bootstrap import bootstrap, check_bootstrap, poisson_intervals, seed_entropy
from .stats.replicates import Samples
from .stats.poisson import PoissonState
from .stats.sample_log import SampleLog
from .state_json import (array_from_json, array_to_json, exact_from_dict, exact_to_dict,
                         from_json, rowsums_from_dict, rowsums_to_dict, shape_to_dict, to_json)
from .registry import lookup, needs_sorted_scores, score_values, threshold_values
from .report import PerLabelTable, Report, ScoreSource
from .calibration_bins import CalibrationBins, check_n_bins
from .unknown_entries import corrected_auc, corrected_rows, sentinel_scores, unknown_params

__all__ = ["Accumulator", "build_report", "diagnosed"]

AUC_MODES = ("exact", "binned")


def _logit_threshold(t):
    """The logit-scale threshold equivalent to ``sigmoid(score) > t``."""
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = np.where(t <= 0, -np.inf, np.where(t >= 1, np.inf, np.log(t) - np.log1p(-t)))
    return float(out) if out.ndim == 0 else out


class Accumulator:
    """Additive evaluation state: update it batch by batch, merge it, report from it.

    Parameters
    ----------
    labels : sequence, optional
        The complete label vocabulary, in column order. Without it, the first batch
        fixes the labels (DataFrame columns, or column positions), except for label
        sets: their vocabulary is the sorted union of the labels seen so far, and a
        batch with a new label widens it (the earlier samples count as true
        negatives of that label), so the result equals :func:`labelwise.evaluate`
        on all the data at once.
    n_labels : int, optional
        The number of labels of unnamed matrices (checked on every batch).
    threshold : float, sequence or dict, default 0.5
        As in :func:`labelwise.evaluate`.
    inclusive : bool, default False
        ``score >= threshold`` predicts; else ``score > threshold``.
    k : int or sequence of int, default (1, 3, 5)
        Cutoffs of the ``*_at_k`` metrics.
    auc : {"exact", "binned"}, default "exact"
        How ROC-AUC and average precision are computed from dense scores. ``"exact"``
        keeps the scores and the truth until :meth:`report` (the scores' own size:
        4 bytes per float32 score, 8 per float64, plus the truth's nonzeros); results
        equal the in-memory computation. ``"binned"`` keeps ``(bins, n_labels, 2)``
        counts whatever the data's size, with the error bound of
        :class:`~labelwise.binned.BinnedScores`, reported in ``report.params``.
    bins : int, default 10000
        Score bins of ``auc="binned"``.
    score_range : (float, float), default (0.0, 1.0)
        The range the bins cover (with ``scores_are_logits``, the sigmoid's (0, 1)).
    zero_division, beta, inv_propensity, scores_are_logits, sep
        As in :func:`labelwise.evaluate`.
    mlcm : bool, default False
        Also count the multi-label confusion matrix (:func:`labelwise.metrics.mlcm`),
        an additive ``(n_labels + 1)`` square state, reported as ``report.mlcm``.
    calibration_bins : int, default 15
        Equal-width bins of the calibration errors (``ece_*``), as in
        :func:`labelwise.evaluate`; their ``(bins, n_labels, 3)`` state adds up.
    unknown : number, str or "nan", optional
        The value marking unknown (not annotated) entries of a truth matrix, as in
        :func:`labelwise.evaluate`; :meth:`update` also takes them apart, as
        ``y_true_unknown``. Their counts add up across batches like the others.
    ci, n_bootstrap, ci_method, seed
        Bootstrap confidence intervals in :meth:`report`, as in
        :func:`labelwise.evaluate`. With ``ci_method="bca"`` or ``"percentile"`` the
        accumulator also keeps each sample's rows (see
        :mod:`labelwise.stats.sample_log` for the memory), because they resample
        samples; accumulators with different seeds merge, and the report draws with
        the seed of the one it is called on. With ``"poisson"`` it keeps replicate
        sums instead, whose size does not grow with the data
        (:mod:`labelwise.stats.poisson`); give each worker its own seed, such as
        ``seed=(0, rank)``, and merge their states.

    Examples
    --------
    >>> import labelwise
    >>> acc = labelwise.Accumulator(labels=["rock", "jazz"])
    >>> _ = acc.update([[1, 0], [0, 1]], [[1, 0], [1, 1]]).update([[1, 1]], [[1, 0]])
    >>> acc.report()["f1_micro"] == labelwise.evaluate(
    ...     [[1, 0], [0, 1], [1, 1]], [[1, 0], [1, 1], [1, 0]], labels=["rock", "jazz"]
    ... )["f1_micro"]
    True
    >>> a = labelwise.Accumulator().update([["rock"]], [["rock"]])
    >>> b = labelwise.Accumulator().update([["jazz"]], [["rock"]])
    >>> (a + b).report().labels
    ('jazz', 'rock')
    """

    def __init__(self, labels=None, n_labels=None, *, threshold=D.THRESHOLD, inclusive=False,
                 k=D.CUTOFFS, auc=D.AUC, bins=D.BINS, score_range=D.SCORE_RANGE,
                 zero_division=D.ZERO_DIVISION, beta=D.BETA, inv_propensity=None,
                 scores_are_logits=False, sep=",", mlcm=False, ci=None, n_bootstrap=1000,
                 ci_method="bca", seed=None, unknown=None,
                 calibration_bins=D.CALIBRATION_BINS):
        check_zero_division(zero_division)
        check_bootstrap(ci, n_bootstrap, ci_method)
        if auc not in AUC_MODES:
            raise InputError(f"auc must be 'exact' or 'binned', got {auc!r}.")
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
            raise InputError(f"bins must be a positive integer, got {bins!r}.")
        if n_labels is not None and (isinstance(n_labels, bool) or
                                     not isinstance(n_labels, (int, np.integer)) or n_labels < 1):
            raise InputError(f"n_labels must be a positive integer, got {n_labels!r}.")
        try:
            lo, hi = (float(x) for x in score_range)
        except (TypeError, ValueError):
            lo = hi = math.nan
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise InputError(f"score_range must be two finite numbers (low, high) with low < "
                             f"high, got {score_range!r}.")
        rule = getattr(threshold, "rule", None)
        if rule in (">", ">=") and (rule == ">=") != bool(inclusive):
            raise InputError(
                f"these thresholds were tuned for score {rule} threshold, but inclusive="
                f"{bool(inclusive)} applies score {'>=' if inclusive else '>'} threshold: pass "
                f"inclusive={rule == '>='} to apply them as tuned."
            )
        self.settings = dict(
            threshold=threshold, inclusive=bool(inclusive), k=check_cutoffs(k), auc=auc,
            bins=int(bins), score_range=(lo, hi),
            zero_division=zero_division, beta=check_beta(beta),
            scores_are_logits=bool(scores_are_logits), sep=sep,
            ci=None if ci is None else float(ci), n_bootstrap=int(n_bootstrap),
            ci_method=ci_method, mlcm=bool(mlcm), unknown=check_unknown(unknown),
            calibration_bins=check_n_bins(calibration_bins, "calibration_bins"),
        )
        self.mlcm = None  # (n_labels + 1, n_labels + 1) counts, with mlcm=True
        self.calibration = None  # CalibrationBins of dense probabilities
        self.calibration_off = None  # why the scores have no calibration, once known
        if seed is not None:
            seed_entropy(seed)  # checks it
        self.seed = seed
        self.log = None if ci is None or ci_method == "poisson" else SampleLog()
        self.poisson = None
        if ci is not None and ci_method == "poisson":
            self.poisson = PoissonState(n_bootstrap, seed_entropy(seed))
        self.inv_propensity = inv_propensity
        self.labels = None if labels is None else check_labels(labels)
        self._fixed = labels is not None  # labels=, named columns or positions fix them
        self.n_labels = n_labels if labels is None else len(self.labels)
        self.named = labels is not None
        self.kind = None  # "labels" or "scores", fixed by the first batch
        self.counts: Counts | None = None
        self.rows: RowSums | None = None
        self.exact: list = []  # (truth CSR, dense scores, weights) per batch
        self.binned = None
        self.low = self.high = None  # each label's score range
        self.partial = False  # some batch had sparse or top-k scores
        self.shape = None  # ScoreShape of the dense scores (for the findings)
        self.dense = True  # every batch had dense scores
        self.width = None  # the largest usable k: n_labels, or the top-k width
        self.ks = None  # the cutoffs in use, fixed by the first batch with scores
        self.sets_only = True  # every batch was label sets on both sides
        self.weighted = False
        self.index_rows = False
        self._truth_parts: list = []  # kept only for a tuned threshold's fingerprint
        self._thr = None

    # -- updating ----------------------------------------------------------------

    def update(self, y_true, y_pred=None, *, y_score=None, sample_weight=None,
               y_true_unknown=None) -> "Accumulator":
        """Add one batch (any input kind :func:`labelwise.evaluate` takes); returns self.

        ``y_true_unknown`` gives the batch's unknown truth entries apart, as in
        :func:`labelwise.evaluate`.
        """
        if (y_score is None and sample_weight is None and y_true_unknown is None
                and self._plain(y_true, y_pred)):
            return self
        if (y_pred is None) == (y_score is None):
            raise InputError(
                "give exactly one of y_pred (hard 0/1 predictions or label sets) and y_score "
                "(scores to threshold); got " + ("both." if y_pred is not None else "neither.")
            )
        kind = "labels" if y_score is None else "scores"
        if self.kind is not None and kind != self.kind:
            raise InputError(
                f"this accumulator was fed {self.kind}; a batch of {kind} cannot join it: "
                "use one accumulator for hard predictions and another for scores."
            )
        sep = self.settings["sep"]
        rt, ru = split_unknown(read_raw(y_true, "y_true", sep), self.settings["unknown"],
                               y_true_unknown, sep)
        if kind == "labels":
            self._refuse_score_settings()
            rp = read_raw(y_pred, "y_pred", sep)
            if ru is None and self._all_empty_sets(rt, rp):
                return self._add_unlabelled(rt, rp, sample_weight)
            data, wider, sets = self._labelled(rt, rp, ru)
            plan = None
        else:
            data, ranked, how, thr, shape = self._scored(rt, y_score, ru)
            wider, sets = None, False
        mask = unknown_mask(ru, data.labels if data.named else None, data.y_true.shape)
        if mask is not None:
            self._refuse_unknown_with()
            data = apply_unknown(data, mask)
        weights = check_sample_weight(sample_weight, data.n_samples, data.index,
                                      allow_zero_sum=True)
        if kind == "scores":  # the thresholded labels are counted beside the ranking pass
            counted = beside(Counts.from_labelled, data, weights, mask)
            plan = self._plan_scores(ranked, weights, mask, how, shape)
            counts = counted()
        else:
            counts = Counts.from_labelled(data, weights, unknown=mask,
                                          tally=None if mask is not None
                                          else self._tally_for(data, weights))
        # Everything is checked: the state changes only from here (the bins, which come
        # first, leave themselves unchanged when they refuse a score).
        if plan is not None:
            self._add_scores(ranked, how, weights, plan)
            self._thr = thr
        if wider is not None:
            if self.counts is not None:
                self.counts = self.counts.widen(wider)
            if self.log is not None:
                self.log = self.log.over(_positions(self.labels or (), wider), len(wider))
            if self.poisson is not None:
                self.poisson = self.poisson.over(_positions(self.labels or (), wider),
                                                 len(wider))
            if self.mlcm is not None:
                self.mlcm = _mlcm_over(self.mlcm, _positions(self.labels or (), wider),
                                       len(wider))
            self.labels, self.n_labels, self.named = wider, len(wider), True
        if self.log is not None:
            self.log.add(data.y_true, data.y_pred, weights,
                         None if plan is None else plan["values"])
        if self.poisson is not None:
            self.poisson.add(Samples(data.y_true, data.y_pred, sample_weight=weights,
                                     ranking=None if plan is None else plan["values"],
                                     ks=self.ks))
        if self.settings["mlcm"]:
            from .mlcm import mlcm_counts

            m = mlcm_counts(data.y_true, data.y_pred, weights)
            self.mlcm = m if self.mlcm is None else self.mlcm + m
        self.sets_only &= sets
        self._fix_labels(data)
        self._add_counts(counts)
        self.kind = kind
        self.weighted |= weights is not None
        self.index_rows |= data.index is not None
        if getattr(self.settings["threshold"], "tuned_on", None):
            self._truth_parts.append(sp.csr_matrix(data.y_true))
        return self

    def _plain(self, y_true, y_pred) -> bool:
        """Count a batch of hard labels as the earlier ones when both are canonical
        (:func:`~labelwise._validate.canonical_pair`) and nothing else is kept per
        row: the steps of :meth:`update` that such a batch passes through unchanged
        are skipped (a training loop's many small batches). False, and nothing done,
        for any other batch."""
        if (self.kind != "labels" or self.named or self.log is not None
                or self.poisson is not None or self.settings["mlcm"]
                or self.settings["unknown"] is not None
                or getattr(self.settings["threshold"], "tuned_on", None)
                or not canonical_pair(y_true, y_pred)):
            return False
        self._check_width(y_true.shape[1], "this batch")
        data = Labelled(y_true, y_pred, tuple(range(y_true.shape[1])), False, None)
        self._add_counts(Counts.from_labelled(data, tally=self._tally_for(data, None)))
        return True

    #: Batches' counts added up at once, in order (row groups merged once, not per batch)
    _PENDING = 64

    @property
    def counts(self) -> Counts | None:
        """The :class:`~labelwise.Counts` of every batch so far (None before any)."""
        return self._add_up()

    def _add_up(self) -> Counts | None:
        """Add the waiting batches' counts to the state's, in batch order, with the rows
        tallied for them (:class:`~labelwise.counts.RowTally`); the total."""
        pending = self.__dict__.get("_pending")
        tally = self.__dict__.get("_tally")
        tallied = tally is not None and tally.rows > 0
        if pending or tallied:
            held = self.__dict__.get("_counts")
            parts = ([] if held is None else [held]) + list(pending or ())
            if tallied:
                parts.append(Counts.of_row_groups(tally.groups(), parts[0]))
            self.__dict__["_counts"] = Counts.total(parts)
            self.__dict__["_pending"] = []
        return self.__dict__.get("_counts")

    def _tally_for(self, data, weights):
        """The tally that counts the rows of dense batches until the state is read (one
        reading of the row groups for many batches), or None for other batches."""
        if sp.issparse(data.y_true) or not RowTally.fits(data.n_labels):
            return None
        tally = self.__dict__.get("_tally")
        if tally is None or tally.n_labels != data.n_labels or \
                tally.weighted != (weights is not None):
            if tally is not None and tally.rows:
                self._add_up()
            tally = RowTally(data.n_labels, weights is not None)
            self.__dict__["_tally"] = tally
        return tally

    def __getstate__(self) -> dict:  # pickled with its counts added up, and no tally
        self._add_up()
        state = dict(self.__dict__)
        state["_tally"] = None
        return state

    @counts.setter
    def counts(self, value: Counts | None) -> None:
        self.__dict__["_counts"] = value
        self.__dict__["_pending"] = []

    def _add_counts(self, counts: Counts) -> None:
        """Add a batch's counts: kept aside, and added with the others when the state is
        read (or when many wait), in the order of the batches."""
        held = self.__dict__.get("_counts")
        pending = self.__dict__.setdefault("_pending", [])
        last = pending[-1] if pending else held
        if last is None:
            self.counts = counts
            return
        if (last.n_labels != counts.n_labels or last.labels != counts.labels
                or last.unknown is not None or counts.unknown is not None):
            self.counts = self._add_up() + counts  # refused here, if it is, as + refuses
            return
        pending.append(counts)
        if len(pending) >= self._PENDING:
            self._add_up()

    def _fix_labels(self, data) -> None:
        if self._counts_labels() is None or self._counts_labels() == ():
            self.named = bool(getattr(data, "named", True))
            self.labels = tuple(data.labels) if self.named else None
            self.n_labels = data.n_labels
            self._fixed = self._fixed or not self.sets_only

    def _counts_labels(self):
        """The labels of the counts so far (None before any), without adding them up."""
        held = self.__dict__.get("_counts")
        return None if held is None else held.labels

    def _vocabulary(self, rt, rp, ru=None):
        """The labels to validate a batch against, the wider vocabulary new label sets
        bring (or None), and whether the batch is label sets on both sides."""
        sets = isinstance(rt, RawSets) and (rp is None or isinstance(rp, RawSets))
        if self._fixed or not (sets and self.sets_only) or self.kind == "scores":
            return self.labels, None, sets
        pairs = [("y_true", rt.rows)] + ([] if rp is None else [("y_pred", rp.rows)])
        if isinstance(ru, RawSets):  # a label nobody annotated is a label all the same
            pairs.append(("y_true_unknown", ru.rows))
        seen = sorted_union(pairs)
        if self.labels is None:
            if self.counts is not None and seen:  # earlier rows had no label at all
                return seen, seen, sets
            return (seen if seen else None), None, sets
        if set(seen) <= set(self.labels):
            return self.labels, None, sets
        wider = _union(self.labels, seen)
        return wider, wider, sets

    def _check_width(self, n: int, name: str) -> None:
        if self.n_labels is not None and n != self.n_labels:
            raise InputError(
                f"{name} has {n} label columns but this accumulator has {self.n_labels} "
                f"labels{'' if self.labels is None else ' (' + _few(self.labels) + ')'}: "
                "every batch needs the same label columns."
            )

    def _refuse_score_settings(self) -> None:
        """Settings that apply to scores are an error with hard predictions, not ignored."""
        if self.kind == "labels":  # checked with the first batch: the settings stay
            return
        s = self.settings
        given = {"threshold": s["threshold"], "inclusive": s["inclusive"],
                 "scores_are_logits": s["scores_are_logits"],
                 "inv_propensity": self.inv_propensity, "k": s["k"]}
        used = [name for name, value in given.items() if not _is_default(name, value)]
        if used:
            raise InputError(
                f"{', '.join(used)} apply to scores (y_score=), but y_pred holds hard "
                "predictions: drop them, or pass the scores as y_score= to threshold them."
            )

    def _all_empty_sets(self, rt, rp) -> bool:
        """A batch of label sets, all empty, before any label is known."""
        return (self.labels is None and not self._fixed and self.sets_only
                and isinstance(rt, RawSets) and isinstance(rp, RawSets)
                and not any(rt.rows) and not any(rp.rows))

    def _add_unlabelled(self, rt, rp, sample_weight) -> "Accumulator":
        if len(rt.rows) != len(rp.rows):
            raise InputError(f"y_pred has {len(rp.rows)} rows but y_true has {len(rt.rows)}: "
                             "both need one row per sample.")
        if not rt.rows:
            raise InputError("y_true is empty: it has no samples.")
        weights = check_sample_weight(sample_weight, len(rt.rows), allow_zero_sum=True)
        counts = Counts.of_unlabelled_rows(len(rt.rows), weights)
        self.counts = counts if self.counts is None else self.counts + counts
        if self.settings["mlcm"]:  # no label on either side: the (none, none) cell
            m = np.array([[len(rt.rows) if weights is None else float(weights.sum())]])
            self.mlcm = m if self.mlcm is None else self.mlcm + m
        if self.log is not None or self.poisson is not None:
            empty = sp.csr_matrix((len(rt.rows), 0), dtype=np.bool_)
            if self.log is not None:
                self.log.add(empty, empty, weights)
            else:
                self.poisson.add(Samples(empty, empty, sample_weight=weights))
        self.kind = "labels"
        self.weighted |= weights is not None
        return self

    def _refuse_unknown_with(self) -> None:
        """Parts of the state that do not count unknown entries yet refuse them."""
        used = [name for name, on in (("ci", self.settings["ci"] is not None),
                                      ("mlcm", self.settings["mlcm"])) if on]
        if used or self.log is not None:
            raise InputError(
                f"unknown truth entries cannot be combined with {' and '.join(used) or 'kept rows'}"
                " yet: their counts leave unknown entries out, but "
                f"{'these do' if len(used) > 1 else 'this does'} not. Evaluate without "
                f"{' and '.join(used) or 'keep_rows()'}, or fill the unknown entries (with 0) "
                "to get them on the filled data."
            )

    def _labelled(self, rt, rp, ru=None) -> Labelled:
        sep = self.settings["sep"]
        vocab, wider, sets = self._vocabulary(rt, rp, ru)
        data = coerce_pair(rt, rp, labels=vocab, sep=sep)
        if wider is None:
            self._check_width(data.n_labels, "this batch")
        return data, wider, sets

    def _threshold(self, n_labels: int, labels):
        if self._thr is not None:
            return self._thr
        return check_threshold(self.settings["threshold"], n_labels, labels)

    def _scored(self, y_true, y_score, ru=None):
        """Validate truth with scores once: counts input, ranking input, Thresholding."""
        s = self.settings
        labels, sep, inclusive = self.labels, s["sep"], s["inclusive"]
        rule = _logit_threshold if s["scores_are_logits"] else (lambda t: t)
        if sp.issparse(y_score) or is_topk_form(y_score):
            if ru is not None:
                raise InputError(
                    "unknown truth entries need a score for every label (a dense score "
                    "matrix): with sparse or top-k scores, an unknown label left out of a "
                    "row's scores cannot be told from a label scored below the rest. Pass "
                    "the scores as a dense (n_samples, n_labels) array."
                )
            ranked = coerce_ranking(y_true, y_score, labels=labels, sep=sep)
            self._check_width(ranked.n_labels, "this batch's scores")
            thr = self._threshold(ranked.n_labels, ranked.labels)
            part = ranked.partial_scores
            cut = rule(thr)
            from ._partial_numpy import kernels_for

            if type(cut) is float:  # as numpy compares entries with a Python float: in their dtype
                cuts = np.array([cut], dtype=part.data.dtype).astype(np.float64)
            else:  # one cut per label
                cuts = np.asarray(cut, dtype=np.float64).reshape(-1)
            kept = beside(kernels_for(part.nnz).kept_entries, part.indptr, part.indices,
                          part.data, cuts, bool(inclusive))  # beside the scores' range
            how = Thresholding.of(part, thr, cut, inclusive=inclusive,
                                  scores_are_logits=s["scores_are_logits"])
            indptr, indices = kept()
            pred = sp.csr_matrix((np.ones(indices.shape[0], dtype=np.bool_), indices, indptr),
                                 shape=part.shape)
            pred.has_sorted_indices = True
            data = Labelled(ranked.y_true, pred, ranked.labels, ranked.named, ranked.index)
            return data, ranked, how, thr, None
        y_true, scores, vocab = align_scores(y_true, y_score, labels=labels, sep=sep)
        self._check_width(scores.values.shape[1], "this batch's scores")
        thr = self._threshold(scores.values.shape[1], vocab)
        cut = rule(thr)
        pred, how, shape = scan_scores(scores.values, thr, cut, inclusive=inclusive,
                                       scores_are_logits=s["scores_are_logits"])
        pred = RawMatrix(pred, vocab)
        data = coerce_pair(y_true, pred, labels=vocab, sep=sep)
        if isinstance(data.y_true, np.ndarray) and data.y_true.dtype in (np.bool_, np.uint8):
            t = truth_csr(data.y_true)  # one compiled pass, not scipy's general conversion
        else:
            t = sp.csr_matrix(data.y_true)
            t.sort_indices()
        ranked = RankingInput(t, np.ascontiguousarray(scores.values), None, data.labels,
                              data.n_labels, data.named, data.index)
        return data, ranked, how, thr, shape

    def _plan_scores(self, ranked: RankingInput, weights, mask=None, how=None,
                     shape=None) -> dict:
        """Everything a batch of scores adds, computed without changing the state
        (with unknown entries in ``mask``, the scores the exact state keeps, with
        ``-inf`` in their place: :mod:`labelwise.unknown_entries`)."""
        s = self.settings
        ks, width, p = self.ks, self.width, self.inv_propensity
        if ks is None:
            width = ranked.width
            ks = tuple(k for k in s["k"] if k <= ranked.width) or (1,)
            if p is not None:
                p = check_propensity(p, ranked.n_labels)
        elif ranked.width < max(ks):
            raise InputError(
                f"this batch scores {ranked.width} labels per row, but earlier batches "
                f"scored {self.width}: every batch needs the same top-k width."
            )
        kept = None
        if mask is not None:
            kept = sentinel_scores(ranked.dense_scores, mask)
            values = row_values(replace(ranked, dense_scores=kept), ks=ks, inv_propensity=p)
            values = corrected_rows(values, ranked.y_true, mask)
        else:
            values = row_values(ranked, ks=ks, inv_propensity=p)
        rows = sum_rows(values, ks, weights)
        if ranked.dense_scores is None or s["scores_are_logits"]:
            shape = None
        elif shape is None:  # (the thresholding pass reads it off the scores it thresholds)
            shape = ScoreShape.of(ranked.dense_scores, how)  # its range read off ``how``
        return {"ks": ks, "width": width, "p": p, "rows": rows, "shape": shape,
                "values": values if self.log is not None or self.poisson is not None
                else None, "mask": mask, "kept": kept}

    def _add_scores(self, ranked: RankingInput, how: Thresholding, weights, plan) -> None:
        s = self.settings
        dense = self.dense and ranked.dense_scores is not None
        if dense and s["auc"] == "binned":  # may refuse: first
            self._bin(ranked.y_true, ranked.dense_scores, weights, unknown=plan["mask"])
        self.ks, self.width, self.inv_propensity = plan["ks"], plan["width"], plan["p"]
        self.rows = plan["rows"] if self.rows is None else self.rows + plan["rows"]
        self.low = how.low if self.low is None else np.fmin(self.low, how.low)
        self.high = how.high if self.high is None else np.fmax(self.high, how.high)
        self.partial |= how.partial
        if plan["shape"] is not None:
            self.shape = plan["shape"] if self.shape is None else self.shape + plan["shape"]
        self._calibrate(ranked, how, weights, plan)
        if ranked.dense_scores is None:
            self.dense = False
            self.exact, self.binned = [], None
        elif dense and s["auc"] == "exact":
            scores = ranked.dense_scores if plan["kept"] is None else plan["kept"]
            self._keep(ranked.y_true, scores, weights, how)

    def _calibrate(self, ranked: RankingInput, how: Thresholding, weights, plan) -> None:
        """Add a batch's probabilities to the calibration state, unless the scores are
        not probabilities (outside [0, 1], and not logits), or not dense."""
        s = self.settings
        if self.calibration_off is not None:
            return
        off = None
        if ranked.dense_scores is None:
            off = "the scores are sparse or top-k: calibration needs a score for every label"
        elif not s["scores_are_logits"] and ranked.dense_scores.size and (
                float(np.min(how.low)) < 0.0 or float(np.max(how.high)) > 1.0):
            off = ("the scores lie outside [0, 1], so they are not probabilities (pass "
                   "scores_are_logits=True for logits)")
        if off is not None:
            self.calibration, self.calibration_off = None, off
            return
        p = ranked.dense_scores
        if s["scores_are_logits"]:
            p = _sigmoid(p)
            if plan["mask"] is not None:
                p = sentinel_scores(p, plan["mask"])
        elif plan["kept"] is not None:  # -inf at the unknown entries
            p = plan["kept"]
        if self.calibration is None:
            self.calibration = CalibrationBins(ranked.n_labels, s["calibration_bins"])
        self.calibration.update(ranked.y_true, p, weights, checked=True)

    def _keep(self, y, scores, weights, how: Thresholding) -> None:
        """Add a batch to the exact state: written into the last part when this
        accumulator's updates made it (one growing array for all the batches, so that
        :meth:`report` sorts the scores without joining copies of them first), else
        appended as a new part. With :meth:`_compact_scores`, short decimals are kept as
        float32 codes (:class:`Codes`)."""
        kept = getattr(self, "_kept", None)
        if kept is not None and not kept.owns(self.exact):
            kept = None
        places = None
        if getattr(self, "_compact", False) and scores.size and scores.dtype == np.float64 \
                and (kept is None or kept.places is not None):
            top = float(max(np.abs(how.low).max(), np.abs(how.high).max()))
            if kept is not None:
                top = max(top, kept.top)
            places = places_of(scores, top, 0 if kept is None else kept.places)
            if places is not None:
                scores = to_codes(scores, places)
        else:
            top = 0.0
        if kept is None:
            self.exact.append((y, scores, weights))
            buffers: dict = {}
        else:
            self.exact[-1], buffers = kept.extend(self.exact[-1], y, scores, weights)
        self._kept = Kept(self.exact, places, top, buffers, getattr(self, "_rows_hint", 0))

    def _bin(self, y_true, scores, weights, logits=None, unknown=None) -> None:
        """Add scores to the bins; a refusal is put in the Accumulator's terms."""
        from .binned import BinnedScores

        s = self.settings
        if self.binned is None:
            self.binned = BinnedScores(self.n_labels or y_true.shape[1], s["bins"],
                                       s["score_range"],
                                       logits=s["scores_are_logits"] if logits is None else logits)
        try:
            self.binned.update(y_true, scores, weights, unknown=unknown)
        except InputError as err:
            if "score_range" not in str(err):
                raise
            lo, hi = float(np.nanmin(scores)), float(np.nanmax(scores))
            r_lo, r_hi = s["score_range"]
            wide = (math.floor(min(lo, r_lo)), math.ceil(max(hi, r_hi)))
            raise InputError(
                f"scores range from {lo:g} to {hi:g}, but the bins cover score_range=("
                f"{r_lo:g}, {r_hi:g}): pass score_range=({wide[0]:g}, {wide[1]:g}) (or wider) "
                "to the Accumulator, or scores_are_logits=True for logits; auc='exact' keeps "
                "the scores and needs no range."
            ) from None

    def _compact_scores(self) -> "Accumulator":
        """Keep the exact path's scores as float32 codes while they are short decimals
        (numbers read from a text file, such as ``0.125``): half the memory of float64,
        and the same results, since the codes keep the scores' order and ties and decode
        to the very float64 values (:class:`Codes`). For an accumulator that is reported
        and resampled, not saved: :meth:`to_dict` writes the codes as plain float32
        values. Call it before the first update; returns self."""
        self._compact = True
        return self

    def _expect_rows(self, n: int) -> "Accumulator":
        """Say how many rows the updates bring at most (a reader's bound from a file's
        size): the kept scores then grow into one buffer of that many rows, with no copy
        of the rows kept so far. Room that no row fills is address space only, never
        memory in use. More rows than ``n`` grow the buffer as before; returns self."""
        self._rows_hint = int(n)
        return self

    @property
    def exact_bytes(self) -> int:
        """Memory held for exact ROC-AUC and AP: the scores (4 bytes each as float32,
        8 as float64), the truth and the weights kept so far."""
        return sum(scores.nbytes + y.indices.nbytes + y.indptr.nbytes + y.data.nbytes
                   + (0 if w is None else w.nbytes) for y, scores, w in self.exact)

    def bin_scores(self) -> "Accumulator":
        """Switch to ``auc="binned"``: the scores kept so far go into the bins and are
        dropped, so memory stops growing. Scores outside ``score_range`` (when not
        logits) are binned on the sigmoid scale instead, which keeps their order, all
        that ROC-AUC and AP depend on. Returns self."""
        from .binned import BinnedScores

        s = self.settings
        if s["auc"] == "binned":
            return self
        lo, hi = s["score_range"]
        inside = self.low is None or (np.nanmin(self.low) >= lo and np.nanmax(self.high) <= hi)
        logits = s["scores_are_logits"] or not inside
        s["auc"] = "binned"
        if self.dense and self.exact:
            self.binned = BinnedScores(self.n_labels, s["bins"], s["score_range"], logits=logits)
            for y, scores, w in self.exact:
                step = max(1, _BIN_CELLS // max(1, scores.shape[1]))
                for lo in range(0, scores.shape[0], step):  # bounded temporaries
                    hi = lo + step
                    chunk = values_of(scores[lo:hi])
                    unknown = np.isneginf(chunk)  # the places of unknown entries
                    if unknown.any():
                        chunk = np.where(unknown, 0.0, chunk).astype(chunk.dtype)
                    self.binned.update(y[lo:hi], chunk, None if w is None else w[lo:hi],
                                       unknown=unknown if unknown.any() else None)
        self.exact = []
        self._kept = None
        return self

    # -- merging -----------------------------------------------------------------

    def _same_settings(self, other: "Accumulator") -> None:
        if not isinstance(other, Accumulator):
            raise InputError(f"can only merge an Accumulator, not a {type(other).__name__}.")
        diff = [k for k in self.settings if not _same(self.settings[k], other.settings[k])]
        if not _same(self.inv_propensity, other.inv_propensity):
            diff.append("inv_propensity")
        if diff:
            shown = ", ".join(f"{k}={self.settings.get(k)!r} vs {other.settings.get(k)!r}"
                              for k in diff if k in self.settings)
            raise InputError(
                f"cannot merge accumulators built with different settings ({', '.join(diff)}"
                f"{': ' + shown if shown else ''}); build both with the same arguments."
            )
        if self.kind and other.kind and self.kind != other.kind:
            raise InputError(f"cannot merge an accumulator of {self.kind} with one of "
                             f"{other.kind}.")

    def merge(self, other: "Accumulator") -> "Accumulator":
        """Add ``other``'s state to this one (same settings); returns self.

        Label sets collected without ``labels=`` merge into their sorted union; named
        columns in another order are matched by name. A failed merge changes nothing.
        """
        self._same_settings(other)
        if other.counts is None:
            return self
        if self.counts is None:  # take their state, keep our seed
            seed, poisson = self.seed, self.poisson
            self.__dict__.update(other.copy().__dict__)
            self.seed = seed
            if poisson is not None:
                self.poisson = poisson.merge(other.poisson)
            return self
        theirs = other
        wider = None
        if self.labels != other.labels:
            growing = not (self._fixed or other._fixed) and self.sets_only and other.sets_only
            same_names = (self.labels is not None and other.labels is not None
                          and set(self.labels) == set(other.labels))
            if growing:
                wider = _union(self.labels or (), other.labels or ())
                theirs = other._over(wider)
            elif same_names:
                positional = [k for k in ("threshold", "inv_propensity") if _per_column(
                    self.settings["threshold"] if k == "threshold" else self.inv_propensity)]
                if positional:
                    raise InputError(
                        f"cannot merge accumulators whose labels came in different column "
                        f"orders ({_few(self.labels)} and {_few(other.labels)}) while "
                        f"{' and '.join(positional)} gives one value per column: each state "
                        "applied it in its own order. Give it by label name (a dict), or feed "
                        "every batch in one column order."
                    )
                theirs = other._over(self.labels)
            else:
                raise InputError(
                    f"cannot merge accumulators over different labels: {_few(self.labels)} "
                    f"and {_few(other.labels)}" if self.labels is not None or
                    other.labels is not None else
                    f"cannot merge accumulators over {self.n_labels} and {other.n_labels} "
                    "labels."
                )
        elif self.n_labels != other.n_labels:
            raise InputError(f"cannot merge accumulators over {self.n_labels} and "
                             f"{other.n_labels} labels.")
        if self.kind == "scores" and self.ks != other.ks:
            raise InputError(f"cannot merge @k sums at cutoffs {self.ks} and {other.ks}.")
        mine = self if wider is None else self._over(wider)
        counts = mine.counts + theirs.counts  # the last check: nothing changed before it
        if wider is not None:
            self.labels, self.n_labels = wider, len(wider)
        self.counts = counts
        if self.kind == "scores":
            self.rows = self.rows + theirs.rows
            self.low, self.high = np.fmin(self.low, theirs.low), np.fmax(self.high, theirs.high)
            self.partial |= theirs.partial
            self.dense &= theirs.dense
            if self.shape is not None and theirs.shape is not None:
                self.shape = self.shape + theirs.shape
            if self.calibration_off is None and theirs.calibration_off is None:
                self.calibration = self.calibration + theirs.calibration
            else:
                self.calibration = None
                self.calibration_off = self.calibration_off or theirs.calibration_off
            if not self.dense:
                self.exact, self.binned = [], None
            elif self.binned is not None:
                self.binned = self.binned + theirs.binned
            else:
                self.exact = self.exact + theirs.exact
        self.weighted |= other.weighted
        self.index_rows |= other.index_rows
        self.sets_only &= other.sets_only
        self._truth_parts = self._truth_parts + other._truth_parts
        if self.log is not None:
            self.log = mine.log.copy()
            self.log.extend(theirs.log)
        if self.poisson is not None:
            self.poisson = mine.poisson.merge(theirs.poisson)
        if mine.mlcm is not None and theirs.mlcm is not None:
            self.mlcm = mine.mlcm + theirs.mlcm
        return self

    def _over(self, labels: tuple) -> "Accumulator":
        """A copy whose state is over ``labels``: the same labels in another order, or
        (label sets of hard predictions) a superset of them."""
        new = self.copy()
        new.counts = self.counts.widen(labels)
        if self.log is not None:
            new.log = self.log.over(_positions(self.labels or (), labels), len(labels))
        if self.poisson is not None:
            new.poisson = self.poisson.over(_positions(self.labels or (), labels), len(labels))
        if self.mlcm is not None:
            new.mlcm = _mlcm_over(self.mlcm, _positions(self.labels or (), labels), len(labels))
        if self.labels is None:  # rows of empty label sets only: nothing else to reorder
            new.labels, new.n_labels, new.named = tuple(labels), len(labels), True
            return new
        if self.kind == "scores":  # the same labels, reordered: permute the label axes
            order = np.array([self.labels.index(x) for x in labels], dtype=np.int64)
            new.low, new.high = self.low[order], self.high[order]
            if self.calibration is not None:
                new.calibration = self.calibration.over(_positions(self.labels, labels),
                                                        len(labels))
            new.exact = [(y[:, order].tocsr(), sc[:, order], w) for y, sc, w in self.exact]
            if self.binned is not None:
                new.binned = self.binned.copy()
                new.binned.counts = self.binned.counts[:, order, :].copy()
        new.labels = tuple(labels)
        return new

    def __add__(self, other: "Accumulator") -> "Accumulator":
        if not isinstance(other, Accumulator):
            return NotImplemented
        return self.copy().merge(other)

    def __radd__(self, other):
        if isinstance(other, int) and other == 0:  # lets sum() work
            return self
        return NotImplemented

    def copy(self) -> "Accumulator":
        """A shallow copy whose later updates leave this one unchanged."""
        self._add_up()  # so that the copy shares no list of waiting counts, nor a tally
        new = object.__new__(Accumulator)
        new.__dict__.update(self.__dict__)
        new.__dict__["_pending"] = []
        new.__dict__["_tally"] = None
        new.settings = dict(self.settings)
        new.exact = list(self.exact)
        new._truth_parts = list(self._truth_parts)
        new.log = None if self.log is None else self.log.copy()
        new.poisson = None if self.poisson is None else self.poisson.copy()
        new.calibration = None if self.calibration is None else self.calibration.copy()
        if self.binned is not None:
            new.binned = self.binned + type(self.binned)(
                self.binned.n_labels, self.binned.bins, self.binned.score_range,
                logits=self.binned.logits)
        return new

    # -- reporting ---------------------------------------------------------------

    @property
    def n_samples(self) -> int:
        return 0 if self.counts is None else self.counts.n_samples

    def _summary(self) -> ScoreSummary:
        extra: dict = {}
        params: dict = {}
        if self.dense and self.binned is not None:
            found = self.binned.auc_ap()
            extra = dict(label_auc=found.label_auc, label_ap=found.label_ap,
                         micro_auc=found.micro_auc, micro_ap=found.micro_ap)
            params = {"auc": "binned", "bins": self.settings["bins"],
                      "auc_error_bound": _max_bound(found.label_auc_bound, found.micro_auc_bound),
                      "ap_error_bound": _max_bound(found.label_ap_bound, found.micro_ap_bound)}
        elif self.dense and self.exact:
            if len(self.exact) > 1:
                self.exact = [joined(self.exact)]  # one copy of the scores, not two
            y, scores, w = self.exact[0]
            ranked, places = self._ranked(scores)
            read = self._adaptive_reader(places)
            found = corrected_auc(auc_ap(y, ranked, w, quantiles=read), self.counts)
            if read is not None:  # read off the same sorted keys, if they were sorted
                self._adaptive = read.ece()
            extra = found._asdict()
            params = {"auc": "exact"}
        if extra:
            extra["label_support"] = np.asarray(self.counts.tp + self.counts.fn, dtype=np.float64)
        if self.calibration is not None:
            extra["calibration"] = self.calibration
            extra["ece_adaptive"] = self._adaptive_ece()
            self._adaptive = None
            params["calibration_bins"] = self.settings["calibration_bins"]
        elif self.calibration_off is not None:
            params["calibration"] = "none: " + self.calibration_off
        return (ScoreSummary(self.rows, has_propensity=self.inv_propensity is not None,
                             **extra), params)

    def _adaptive_reader(self, places):
        """A :class:`~labelwise.calibration_adaptive.KeyQuantiles` that reads the
        adaptive ECE off exact ROC-AUC's sorted keys (see
        :func:`labelwise.ranking.auc_ap`), or None when it would not apply."""
        self._adaptive = None
        if self.calibration is None or self.settings["scores_are_logits"]:
            return None
        from .calibration_adaptive import KeyQuantiles

        return KeyQuantiles(self.settings["calibration_bins"], places, self.counts.unknown)

    def _adaptive_ece(self):
        """Macro adaptive ECE (equal-mass bins) from the kept scores (unknown entries,
        kept as -inf, left out); None when they are not kept (binned ROC-AUC)."""
        if not self.exact:
            return None
        if getattr(self, "_adaptive", None) is not None:  # read off the sorted keys
            return self._adaptive
        from .calibration_adaptive import adaptive_ece

        y, scores, w = self.exact[0]
        return adaptive_ece(y, scores, w, self.settings["calibration_bins"],
                            logits=self.settings["scores_are_logits"], decode=values_of)

    def _ranked(self, scores: np.ndarray):
        """The scores to rank for exact ROC-AUC and AP: float32 codes when the scores are
        short decimals (kept as codes, or as float64 values that code exactly), so that
        every way in (``evaluate()``, batches, the command line) ranks the same numbers
        the same way, in one pooled sort; else the scores themselves. With the decimal
        places of the codes (None for scores)."""
        if isinstance(scores, Codes):
            return plain_codes(scores), scores.places
        if scores.dtype != np.float64 or not scores.size or self.low is None:
            return scores, None
        top = float(max(np.abs(self.low).max(), np.abs(self.high).max()))
        places = 0
        step = max(1, _BIN_CELLS // scores.shape[1])
        for lo in range(0, scores.shape[0], step):  # bounded temporaries
            places = places_of(scores[lo : lo + step], top, places)
            if places is None:
                return scores, None
        codes = np.empty(scores.shape, dtype=np.float32)
        for lo in range(0, scores.shape[0], step):
            codes[lo : lo + step] = scores[lo : lo + step]
        return codes, places

    def _params(self) -> dict:
        s = self.settings
        params: dict = {"zero_division": s["zero_division"], "beta": s["beta"]}
        if self.kind == "scores":
            thr = self._thr
            params.update(k=list(s["k"]), threshold=thr if isinstance(thr, float) else
                          thr.tolist(), inclusive=s["inclusive"],
                          scores_are_logits=s["scores_are_logits"])
        params["weighted"] = self.weighted
        if self.settings["unknown"] is not None:
            params["unknown_value"] = self.settings["unknown"]
        unknown = None if self.counts is None else unknown_params(self.counts)
        if unknown is not None:
            params["unknown"] = unknown
        return params

    def report(self, train=None, bands=None) -> Report:
        """The :class:`~labelwise.report.Report` of everything added so far.

        ``train`` and ``bands`` are as in :func:`labelwise.evaluate`.
        """
        if self.counts is None:
            raise InputError("nothing to report: update() the accumulator with a batch first.")
        if not self.counts.n_labels:
            raise InputError(
                "the label sets contain no labels at all; pass labels=[...] to name the "
                "vocabulary (every sample then counts as having no label)."
            )
        if self.weighted and self.counts.total_weight == 0:
            raise InputError("sample_weight sums to 0: at least one sample needs a positive "
                             "weight.")
        band_table = DEFAULT_BANDS if bands is None else {**DEFAULT_BANDS, **check_bands(bands)}
        s = self.settings
        zd = check_zero_division(s["zero_division"])
        params = self._params()
        summary = None
        if self.kind == "scores":
            summary, auc_params = self._summary()
            params.update(auc_params)
        labels = self.labels if self.labels is not None else tuple(range(self.n_labels))
        report = build_report(self.counts, labels, zd, s["beta"], params, summary)
        if self.mlcm is not None:
            known = np.arange(self.mlcm.shape[0] - 1)  # label sets may have met fewer
            report = replace(report, mlcm=_mlcm_over(self.mlcm, known, len(labels)))
        if s["ci"] is not None:
            report = self._with_intervals(report, zd)
        if self.kind == "scores" and self.dense and self.exact and not s["scores_are_logits"] \
                and self.counts.unknown is None:
            y, scores, w = self.exact[0]  # joined by _summary
            report = replace(report, scores=ScoreSource(y, scores, w, self._thr,
                                                        s["inclusive"]))
        train_metrics = self._train_metrics(train)
        if train_metrics is not None:
            report = replace(report, train=dict(train_metrics))
        tuned_on = getattr(s["threshold"], "tuned_on", None)
        thresholding = None
        if self.kind == "scores":
            rule = _logit_threshold if s["scores_are_logits"] else (lambda t: t)
            thresholding = Thresholding(self.low, self.high, self._thr, rule(self._thr),
                                        s["inclusive"], s["scores_are_logits"], self.partial)
        context = Context(
            metrics=report.metrics,
            labels=report.labels,
            counts=self.counts,
            score_shape=self.shape if self.dense else None,
            zero_division=zd,
            undefined=report.undefined,
            train_metrics=train_metrics,
            thresholds_tuned_on=tuned_on,
            data_fingerprint=(fingerprint(sp.vstack(self._truth_parts, format="csr"))
                              if tuned_on and self._truth_parts else None),
            label_space=self._label_space(),
            thresholding=thresholding,
            calibration=self.calibration if self.kind == "scores" else None,
            scores_are_logits=s["scores_are_logits"],
            positions=self.labels is None,
        )
        return diagnosed(report, context, band_table)

    def keep_rows(self) -> "Accumulator":
        """Keep each sample's rows from now on, as ``ci=`` does, without intervals in the
        report: :func:`labelwise.compare` resamples them. Call it before the first
        update; returns self."""
        if self.counts is not None:
            raise InputError("keep_rows() must come before the first update().")
        if self.log is None:
            self.log = SampleLog()
        return self

    def reorder_rows(self, order) -> "Accumulator":
        """Put the kept rows in another order: row ``i`` becomes row ``order[i]``'s place
        (``order`` a permutation of the rows). Counts do not depend on the order; a
        comparison of models pairs their rows by position, so models read in different
        row orders are put in one. Returns self."""
        order = np.asarray(order, dtype=np.int64)
        n = self.n_samples
        if self.log is None or order.shape != (n,) or not np.array_equal(np.sort(order),
                                                                          np.arange(n)):
            raise InputError(f"reorder_rows() needs a permutation of the {n} kept rows.")
        self.log = self.log.reordered(order)
        if self.exact:
            y, scores, w = joined(self.exact)
            self.exact = [(y[order], scores[order], None if w is None else w[order])]
        return self

    def samples(self):
        """Every row kept so far as :class:`~labelwise.stats.replicates.Samples`, ready for
        re-weighting, or None when no rows are kept (no ``ci=``, no :meth:`keep_rows`)."""
        if self.log is None or self.counts is None:
            return None
        scores = None
        if self.kind == "scores" and self.dense and self.exact:
            self.exact = [joined(self.exact)]  # the rows of the log, in the same order
            scores = self.exact[0][1]
        return self.log.samples(scores, ks=self.ks,
                                has_propensity=self.inv_propensity is not None,
                                dense=self.kind == "scores" and self.dense)

    def _with_intervals(self, report: Report, zero_division) -> Report:
        """``report`` with a bootstrap interval for every metric it holds."""
        s = self.settings
        metrics = {k: v for k, v in report.metrics.items() if not _calibration_metric(k)}
        if self.poisson is not None:
            names = {k: v for k, v in metrics.items() if not needs_sorted_scores(k)}
            boot = poisson_intervals(
                self.poisson, names, level=s["ci"], counts=self.counts,
                zero_division=zero_division, beta=s["beta"], ks=self.ks,
                has_propensity=self.inv_propensity is not None,
                dense=self.kind == "scores" and self.dense)
        else:
            samples = self.samples()
            names = {k: v for k, v in metrics.items()
                     if samples.orders is not None or not needs_sorted_scores(k)}
            boot = bootstrap(samples, names, level=s["ci"], n_bootstrap=s["n_bootstrap"],
                             method=s["ci_method"], seed=self.seed,
                             zero_division=zero_division, beta=s["beta"])
        params = {**report.params, **boot.params()}
        if boot.undefined:
            params["ci_undefined"] = boot.undefined
        left_out = [k for k in report.metrics if k not in names]
        if left_out:
            params["ci_left_out"] = left_out
        return replace(report, ci=boot.ci, params=params)

    def _label_space(self) -> dict | None:
        if self._fixed or not self.sets_only or self.labels is None:
            return None
        support = np.asarray(self.counts.tp + self.counts.fn)
        return {"source": "data", "n_labels": len(self.labels),
                "only_in_predictions": int(np.count_nonzero(support == 0))}

    def _train_metrics(self, train):
        if train is None:
            return None
        if isinstance(train, Report):
            return train.metrics
        if isinstance(train, dict):
            unknown = set(train) - {"y_true", "y_pred", "y_score"}
            if "y_true" not in train or unknown:
                raise InputError(
                    "train= as a dict needs 'y_true' and one of 'y_pred' or 'y_score'"
                    + (f"; unknown keys {sorted(unknown)}" if unknown else "") + "."
                )
            kwargs = {k: v for k, v in train.items() if k != "y_true"}
            y_true = train["y_true"]
        else:
            if not isinstance(train, (tuple, list)) or len(train) != 2:
                raise InputError(
                    "train= must be (y_true_train, y_pred_or_scores_train) or a dict with "
                    "'y_true' and 'y_pred' or 'y_score'."
                )
            y_true, second = train
            kwargs = {"y_score" if looks_like_scores(second) else "y_pred": second}
        s = self.settings
        labels = self.labels if self._fixed and self.named else None
        scored = {} if "y_score" not in kwargs else dict(
            threshold=s["threshold"], inclusive=s["inclusive"],
            scores_are_logits=s["scores_are_logits"])
        acc = Accumulator(labels, zero_division=s["zero_division"], beta=s["beta"],
                          sep=s["sep"], **scored)
        return acc.update(y_true, **kwargs).report().metrics

    # -- checkpoints ---------------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain JSON-safe data of the settings and the state; see :meth:`from_dict`.

        >>> import json, labelwise
        >>> acc = labelwise.Accumulator().update([[1, 0], [0, 1]], y_score=[[0.9, 0.2], [0.4, 0.3]])
        >>> back = labelwise.Accumulator.from_dict(json.loads(json.dumps(acc.to_dict())))
        >>> back.report().metrics == acc.report().metrics
        True
        """
        s = dict(self.settings)
        s["threshold"] = to_json(s["threshold"])
        zd = s["zero_division"]
        if isinstance(zd, float) and math.isnan(zd):
            s["zero_division"] = "nan"  # strict JSON has no NaN
        s["k"] = list(s["k"])
        s["score_range"] = list(s["score_range"])
        state = {
            "labels": None if self.labels is None else [plain(x) for x in self.labels],
            "fixed": self._fixed, "n_labels": self.n_labels, "named": self.named,
            "kind": self.kind, "counts": None if self.counts is None else self.counts.to_dict(),
            "rows": None if self.rows is None else rowsums_to_dict(self.rows),
            "exact": [exact_to_dict(part) for part in self.exact],
            "binned": None if self.binned is None else self.binned.to_dict(),
            "low": to_json(self.low), "high": to_json(self.high), "partial": self.partial,
            "shape": None if self.shape is None else shape_to_dict(self.shape),
            "dense": self.dense, "width": self.width,
            "ks": None if self.ks is None else list(self.ks), "sets_only": self.sets_only,
            "weighted": self.weighted, "index_rows": self.index_rows,
            "thr": to_json(self._thr),
            "truth_parts": [exact_to_dict((t, None, None)) for t in self._truth_parts],
            "seed": to_json(self.seed),
            "log": None if self.log is None else self.log.to_dict(array_to_json),
            "poisson": None if self.poisson is None else self.poisson.to_dict(to_json),
            "mlcm": to_json(self.mlcm),
            "calibration": None if self.calibration is None else self.calibration.to_dict(),
            "calibration_off": self.calibration_off,
        }
        return {"format": "labelwise.Accumulator/1", "settings": s,
                "inv_propensity": to_json(self.inv_propensity), "state": state}

    @classmethod
    def from_dict(cls, d: dict) -> "Accumulator":
        """An accumulator from :meth:`to_dict` data, ready for more updates."""
        if not isinstance(d, dict) or d.get("format") != "labelwise.Accumulator/1":
            raise InputError("not the data of Accumulator.to_dict() (no 'format': "
                             "'labelwise.Accumulator/1').")
        s = dict(d["settings"])
        st = d["state"]
        acc = cls(st["labels"] if st["fixed"] and st["named"] else None,
                  st["n_labels"] if st["fixed"] and not st["named"] else None,
                  threshold=from_json(s["threshold"]), inclusive=s["inclusive"], k=s["k"],
                  auc=s["auc"], bins=s["bins"], score_range=tuple(s["score_range"]),
                  zero_division=math.nan if s["zero_division"] == "nan" else s["zero_division"],
                  beta=s["beta"], inv_propensity=from_json(d["inv_propensity"]),
                  scores_are_logits=s["scores_are_logits"], sep=s["sep"],
                  mlcm=s.get("mlcm", False), ci=s.get("ci"),
                  n_bootstrap=s.get("n_bootstrap", 1000), ci_method=s.get("ci_method", "bca"),
                  seed=from_json(st.get("seed")), unknown=s.get("unknown"),
                  calibration_bins=s.get("calibration_bins", D.CALIBRATION_BINS))
        if st.get("log") is not None:
            acc.log = SampleLog.from_dict(st["log"], array_from_json)
        if st.get("poisson") is not None:
            acc.poisson = PoissonState.from_dict(st["poisson"], from_json)
        acc.mlcm = from_json(st.get("mlcm"))
        if st.get("calibration") is not None:
            acc.calibration = CalibrationBins.from_dict(st["calibration"])
        acc.calibration_off = st.get("calibration_off")
        if "calibration" not in st and st["kind"] == "scores":  # saved before calibration
            acc.calibration_off = ("the state was saved by a labelwise without calibration, "
                                   "so its earlier batches have none")
        acc.labels = None if st["labels"] is None else tuple(st["labels"])
        acc._fixed, acc.n_labels, acc.named, acc.kind = (st["fixed"], st["n_labels"],
                                                         st["named"], st["kind"])
        acc.counts = None if st["counts"] is None else Counts.from_dict(st["counts"])
        acc.rows = None if st["rows"] is None else rowsums_from_dict(st["rows"])
        acc.exact = [exact_from_dict(part) for part in st["exact"]]
        if st["binned"] is not None:
            from .binned import BinnedScores

            acc.binned = BinnedScores.from_dict(st["binned"])
        acc.low, acc.high = from_json(st["low"]), from_json(st["high"])
        acc.partial, acc.dense, acc.width = st["partial"], st["dense"], st["width"]
        acc.shape = None if st["shape"] is None else ScoreShape(**st["shape"])
        acc.ks = None if st["ks"] is None else tuple(st["ks"])
        acc.sets_only, acc.weighted, acc.index_rows = (st["sets_only"], st["weighted"],
                                                       st["index_rows"])
        acc._thr = from_json(st["thr"])
        acc._truth_parts = [exact_from_dict(p)[0] for p in st["truth_parts"]]
        return acc

    def __repr__(self) -> str:
        what = self.kind or "nothing yet"
        return (f"Accumulator({self.n_samples} samples of {what}, "
                f"{self.n_labels if self.n_labels is not None else '?'} labels, "
                f"auc={self.settings['auc']!r})")


# --------------------------------------------------------------------------
# Reports from state
# --------------------------------------------------------------------------


def build_report(counts: Counts, labels, zero_division, beta, params=None,
                 summary: ScoreSummary | None = None) -> Report:
    """Compute every registry metric the inputs allow, and the per-label table (a report
    without findings: :func:`diagnosed` gives the finished one)."""
    memo: dict = {}
    metrics = threshold_values(counts, zero_division, beta, memo)
    # The table applies zero_division (and warns) once more, on the same formula values.
    memo = {k: v for k, v in memo.items() if k[0] == "formula"}
    columns = {
        "label": list(labels),
        "support": counts.tp + counts.fn,
        "tp": counts.tp,
        "fp": counts.fp,
        "fn": counts.fn,
        "tn": counts.tn,
    }
    if counts.unknown is not None:  # the fraction of each label's entries nobody annotated
        columns["unknown"] = np.asarray(counts.unknown, dtype=np.float64) / max(
            float(counts.total_weight), 1e-300)
    for name, fam in FAMILIES.items():
        columns[name] = per_label(counts, fam, zero_division, beta, memo)
    undefined: dict = {}
    if summary is not None:
        metrics.update(score_values(summary))
        if summary.dense:
            columns["roc_auc"] = summary.label_auc
            columns["average_precision"] = summary.label_ap
            no_auc = [labels[j] for j in np.flatnonzero(np.isnan(summary.label_auc))]
            if no_auc:
                undefined["roc_auc"] = no_auc
        if summary.calibration is not None:
            columns["ece"] = summary.calibration.ece(None)
            columns["brier"] = summary.calibration.brier(None)
    return Report(metrics, PerLabelTable(columns), tuple(labels), counts, dict(params or {}),
                  undefined)


def diagnosed(report: Report, context: Context, bands=DEFAULT_BANDS) -> Report:
    """The finished report: ``report`` with its findings and interpretation."""
    return replace(report, findings=tuple(run_detectors(context)),
                   interpretation=interpret(report.metrics, bands))


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _calibration_metric(name: str) -> bool:
    """Calibration metrics have no bootstrap interval yet (``params["ci_left_out"]``)."""
    m = lookup(name)
    return m is not None and m.group == "calibration"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """The probabilities of logits, in float64 (float32 would reach 1.0 at a logit of
    about 17, and clip the log loss), as :mod:`labelwise.metrics.calibration` reads them."""
    from scipy.special import expit

    return expit(np.asarray(x, dtype=np.float64))


def _mlcm_over(matrix: np.ndarray, positions: np.ndarray, n_labels: int) -> np.ndarray:
    """An MLCM over ``n_labels`` labels: label ``j`` moved to ``positions[j]``, the last
    row and column ("no true label", "no predicted label") kept last."""
    where = np.append(np.asarray(positions, dtype=np.int64), n_labels)
    out = np.zeros((n_labels + 1, n_labels + 1), dtype=matrix.dtype)
    out[np.ix_(where, where)] = matrix
    return out


def _positions(old, new) -> np.ndarray:
    """Where each of the labels ``old`` sits in ``new``."""
    at = {x: j for j, x in enumerate(new)}
    return np.array([at[x] for x in old], dtype=np.int64)


def looks_like_scores(x) -> bool:
    """Whether a model's output reads as scores: sparse, top-k, or values besides 0/1."""
    if sp.issparse(x) or is_topk_form(x):
        return True
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        return False  # label sets
    return arr.ndim == 2 and bool(np.any((arr != 0) & (arr != 1)))


_BIN_CELLS = 1 << 20  # cells binned at a time by bin_scores()

_SCORE_ONLY = {"threshold": D.THRESHOLD, "inclusive": False, "scores_are_logits": False,
               "inv_propensity": None, "k": D.CUTOFFS}


def _is_default(name: str, value) -> bool:
    """Whether a score-only setting is left at its default."""
    default = _SCORE_ONLY[name]
    if value is None or default is None:
        return value is default
    if name == "k":
        return isinstance(value, (tuple, list)) and tuple(value) == default
    return type(value) in (bool, int, float) and value == default


def _per_column(setting) -> bool:
    """A per-label setting given by position (a list or array), not by label name."""
    if setting is None or isinstance(setting, (dict, str, float, int)) or \
            hasattr(setting, "labels"):
        return False
    return np.ndim(setting) == 1


def _union(a, b) -> tuple:
    """The sorted union of two vocabularies, as label sets give it."""
    return sorted_union([("labels", [list(a)]), ("batch", [list(b)])])


def _few(labels, n: int = 5) -> str:
    labels = list(labels or ())
    return "[" + ", ".join(repr(x) for x in labels[:n]) + (", ...]" if len(labels) > n else "]")


def _same(a, b) -> bool:
    if hasattr(a, "to_json") and hasattr(b, "to_json"):  # tuned Thresholds
        return a.to_json() == b.to_json()
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple, np.ndarray)) or \
            isinstance(b, (list, tuple)) and isinstance(a, np.ndarray):
        try:
            return np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        except (TypeError, ValueError):
            return list(a) == list(b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return a is not None and b is not None and np.array_equal(np.asarray(a), np.asarray(b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _max_bound(labels: np.ndarray, micro: float) -> float:
    finite = np.asarray(labels, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return float(max(finite.max() if finite.size else 0.0, micro if micro == micro else 0.0))
