"""The Poisson bootstrap as additive state: replicates that merge like counts.

In each replicate every sample gets an independent Poisson(1) weight (Chamandy
et al. 2012), so a replicate of two batches is the sum of the replicates of each:
an accumulator keeps, per replicate, the sums the metrics need (per-label tp, fp and
fn, the weight of each per-sample triple, the ranking sums) and never the rows. Its
memory is ``n_bootstrap x (3 x n_labels + distinct triples + ranking values)``
floats, whatever the number of samples, and states of separate workers merge.

Each batch draws its weights from ``SeedSequence(seed, spawn_key=(batch,))``, so the
same batches with the same seed give the same intervals. Two states drawn from the
same seed would share weights; merging them is refused: give each worker its own
seed, such as ``seed=(0, rank)``.

Per-label and micro ROC-AUC and AP are not sums over samples; they get no Poisson
interval (``"bca"`` and ``"percentile"`` give them one).
"""

from __future__ import annotations

import numpy as np
from .. import _sparse as sp

from ..errors import InputError
from ..ranking import RowSums, ScoreSummary, per_k
from .bootstrap import weight_blocks
from .replicates import BatchCounts, Samples, block_metrics, undefined_units

__all__ = ["PoissonState"]


class PoissonState:
    """Sums of ``n_bootstrap`` Poisson-bootstrap replicates, batch by batch."""

    def __init__(self, n_bootstrap: int, seed):
        self.n_bootstrap = int(n_bootstrap)
        self.seed = seed
        self.batches = 0
        self.seeds = {_key(seed)}  # every seed whose batches are in this state
        self.sums: dict | None = None  # tp, fp, fn (R, L); total (R,)
        self.keys: np.ndarray | None = None  # (G, 3) per-sample triples
        self.groups: np.ndarray | None = None  # (R, G) their weights
        self.ranking: dict | None = None  # RowSums field -> (R,) or (R, n_k)
        self.n_samples = 0

    # -- adding ---------------------------------------------------------------------

    def add(self, samples: Samples) -> None:
        """Draw the Poisson weights of one batch and add its replicate sums."""
        blocks = weight_blocks(samples.n, self.n_bootstrap, "poisson", self.seed,
                               key=(self.batches,))
        parts = [samples.sums(samples.weights(W)) for W in blocks]
        sums = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
        keys = np.stack([samples.row_true, samples.row_pred, samples.row_both], axis=1)
        ranking = None
        if samples.ranking is not None:
            ranking = {}
            for name, at, width, scalar in samples.layout:
                part = sums["ranking"][:, at:at + width]
                ranking[name] = np.ascontiguousarray(part[:, 0] if scalar else part)
        self._add(sums, keys, ranking, samples.n)
        self.batches += 1

    def _add(self, sums: dict, keys: np.ndarray, ranking, n: int) -> None:
        base = {k: sums[k] for k in ("tp", "fp", "fn", "total")}
        if self.sums is None:
            self.sums, self.keys, self.ranking = base, keys, ranking
            self.groups = np.ascontiguousarray(sums["groups"])
        else:
            self.sums = {k: self.sums[k] + base[k] for k in base}
            self.keys, self.groups = _merge_groups(self.keys, self.groups, keys, sums["groups"])
            if (self.ranking is None) != (ranking is None):
                raise InputError("cannot add Poisson replicates of scores to those of hard "
                                 "predictions.")
            if ranking is not None:
                self.ranking = {k: self.ranking[k] + ranking[k] for k in ranking}
        self.n_samples += n

    def merge(self, other: "PoissonState") -> "PoissonState":
        """A new state with both states' replicates added (different seeds only)."""
        if other.n_bootstrap != self.n_bootstrap:
            raise InputError(f"cannot merge {other.n_bootstrap} Poisson replicates into "
                             f"{self.n_bootstrap}: build both with the same n_bootstrap.")
        shared = self.seeds & other.seeds
        if shared and self.sums is not None and other.sums is not None:
            raise InputError(
                f"both accumulators drew their Poisson weights from seed {_shown(shared)}, so "
                "their replicates are not independent: give each worker its own seed, such "
                "as seed=(0, rank).")
        new = self.copy()
        if other.sums is not None:
            if new.sums is None:
                new.sums, new.keys, new.groups, new.ranking = (
                    dict(other.sums), other.keys, np.ascontiguousarray(other.groups),
                    other.ranking)
                new.n_samples = other.n_samples
            else:
                new._add({**other.sums, "groups": other.groups}, other.keys, other.ranking,
                         other.n_samples)
        new.seeds = self.seeds | other.seeds
        return new

    def copy(self) -> "PoissonState":
        new = PoissonState(self.n_bootstrap, self.seed)
        new.__dict__.update(self.__dict__)
        new.seeds = set(self.seeds)
        return new

    def over(self, columns: np.ndarray, n_labels: int) -> "PoissonState":
        """The state with label column ``j`` moved to ``columns[j]`` of ``n_labels``."""
        new = self.copy()
        if self.sums is not None:
            def move(a):
                out = np.zeros((a.shape[0], n_labels))
                out[:, columns] = a
                return out

            new.sums = {k: (move(v) if k != "total" else v) for k, v in self.sums.items()}
        return new

    # -- replicates -----------------------------------------------------------------

    def metrics(self, names, counts, zero_division, beta, ks, has_propensity, dense):
        """Every metric of ``names`` in each replicate: (values, undefined) as
        :func:`~labelwise.stats.replicates.block_metrics`; ``counts`` are the whole
        data's counts (for what is undefined on it)."""
        s = self.sums
        tp, fp, fn, total = s["tp"], s["fp"], s["fn"], s["total"]
        batch = BatchCounts(tp, fp, fn, total[:, None] - tp - fp - fn, self.keys[:, 0],
                            self.keys[:, 1], self.keys[:, 2], self.groups, total,
                            self.n_samples, tp.shape[1])
        summary = None
        if self.ranking is not None:
            rows = RowSums(ks=tuple(ks), n_samples=self.n_samples, **per_k(self.ranking, ks))
            extra = {}
            if dense:
                nan = np.full(tp.shape, np.nan)
                extra = dict(label_auc=nan, label_ap=nan, label_support=tp + fn)
            summary = ScoreSummary(rows, has_propensity=has_propensity, **extra)
        return block_metrics(batch, summary, names, zero_division, beta,
                             undefined_units(counts))

    # -- checkpoints ----------------------------------------------------------------

    def to_dict(self, to_json) -> dict:
        return {"n_bootstrap": self.n_bootstrap, "seed": to_json(self.seed),
                "batches": self.batches, "seeds": [list(k) for k in sorted(self.seeds)],
                "n_samples": self.n_samples,
                "sums": None if self.sums is None else {k: to_json(v)
                                                        for k, v in self.sums.items()},
                "keys": to_json(self.keys), "groups": to_json(self.groups),
                "ranking": None if self.ranking is None else {k: to_json(v) for k, v in
                                                              self.ranking.items()}}

    @classmethod
    def from_dict(cls, d: dict, from_json) -> "PoissonState":
        seed = from_json(d["seed"])
        new = cls(d["n_bootstrap"], tuple(seed) if isinstance(seed, list) else seed)
        new.batches, new.n_samples = d["batches"], d["n_samples"]
        new.seeds = {tuple(k) for k in d["seeds"]}
        new.sums = None if d["sums"] is None else {k: from_json(v) for k, v in d["sums"].items()}
        new.keys, new.groups = from_json(d["keys"]), from_json(d["groups"])
        new.ranking = None if d["ranking"] is None else {k: from_json(v) for k, v in
                                                         d["ranking"].items()}
        return new


def _key(seed) -> tuple:
    return tuple(seed) if isinstance(seed, (tuple, list)) else (seed,)


def _shown(seeds) -> str:
    k = sorted(seeds)[0]
    return str(k[0]) if len(k) == 1 else str(k)


def _merge_groups(keys_a, groups_a, keys_b, groups_b):
    """Add two histograms of per-sample triples over the union of their triples."""
    keys = np.concatenate([keys_a, keys_b])
    uniq, where = np.unique(keys, axis=0, return_inverse=True)
    where = np.asarray(where).reshape(-1)
    M = sp.csr_matrix((np.ones(where.shape[0]), (np.arange(where.shape[0]), where)),
                      shape=(where.shape[0], uniq.shape[0]))
    both = np.hstack([groups_a, groups_b])
    return uniq, np.ascontiguousarray(np.asarray(M.T @ both.T).T)
