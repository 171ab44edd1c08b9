"""Bootstrap intervals for every metric of a report, from re-weighted samples.

A replicate resamples the rows (samples), never the cells: the labels of one
sample are correlated. Three methods:

``"percentile"``
    multinomial resampling of the ``n`` rows; the interval is the replicates'
    quantiles.
``"bca"`` (the default)
    the same replicates, bias-corrected and accelerated (Efron 1987). The
    acceleration comes from the jackknife computed on the same state: each
    deletion is the data with one sample's weight set to 0 (with more than
    :data:`JACKKNIFE_GROUPS` samples, one group of samples, taken every
    ``n / JACKKNIFE_GROUPS``-th row, so the cost stays bounded).
``"poisson"``
    every sample gets an independent Poisson(1) weight in each replicate
    (Chamandy et al. 2012), so replicates of separate batches add up; the
    interval is the replicates' quantiles.

Weights are drawn in blocks of replicates (:func:`block_size`, which depends on
the number of samples only), each from its own child of
``numpy.random.SeedSequence(seed)``, and every sum over samples runs in a fixed
order, so a seed gives the same intervals whatever the thread count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._draw_kernels import draw_counts
from ..errors import InputError
from .intervals import bca_interval, check_level, percentile_interval
from .replicates import Samples

__all__ = ["METHODS", "Bootstrap", "bootstrap", "poisson_intervals", "check_bootstrap",
           "seed_entropy", "block_size", "weight_blocks"]

METHODS = ("bca", "percentile", "poisson")
BLOCK_CELLS = 1 << 21  # weights per block: n samples x block_size(n) replicates
JACKKNIFE_GROUPS = 1000
UNDEFINED_SHARE = 0.01  # more undefined replicates than this are reported


def check_bootstrap(ci, n_bootstrap, ci_method) -> None:
    """Argument checks for ``ci=``, ``n_bootstrap=`` and ``ci_method=``."""
    if ci is not None:
        check_level(ci)
    if (isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer))
            or n_bootstrap < 2):
        raise InputError(f"n_bootstrap must be an integer of at least 2 (1000 is usual), got "
                         f"{n_bootstrap!r}.")
    if ci_method not in METHODS:
        raise InputError(f"ci_method must be one of {', '.join(map(repr, METHODS))}, got "
                         f"{ci_method!r}.")


def seed_entropy(seed) -> int | tuple:
    """The seed as stored in a report: ``seed`` itself, or fresh entropy for None, so
    that the same intervals can be drawn again."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, (tuple, list)):
        return tuple(_seed_int(s) for s in seed)
    return _seed_int(seed)


def _seed_int(s) -> int:
    if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
        raise InputError(f"seed must be a non-negative integer (or a tuple of them), got {s!r}.")
    return int(s)


def block_size(n: int) -> int:
    """Replicates per block of weights: 64 to 1024, fewer for more samples."""
    return int(min(1024, max(64, BLOCK_CELLS // max(n, 1))))


def weight_blocks(n: int, n_bootstrap: int, method: str, seed, key=()):
    """Blocks of replicate weights, shape (n, <= block_size(n)), sample-major.

    Poisson weights are float64. Multinomial ones are the counts of each sample's
    draws, as uint8 (a block in which a sample is drawn more than 255 times in one
    replicate, which needs few samples or much luck, is float64): an eighth of the
    memory to write, transpose and read, and the same sums."""
    root = np.random.SeedSequence(seed, spawn_key=tuple(key))
    block = block_size(n)
    n_blocks = -(-n_bootstrap // block)
    for b, child in enumerate(root.spawn(n_blocks)):
        size = min(block, n_bootstrap - b * block)
        rng = np.random.default_rng(child)
        if method == "poisson":
            yield rng.poisson(1.0, size=(n, size)).astype(np.float64)
        else:
            draws = rng.integers(0, n, size=(size, n), dtype=np.int64 if n >= 2**31 else
                                 np.int32)
            counts = np.zeros((size, n), dtype=np.uint8)  # one replicate per row
            if draw_counts(draws, counts):  # a sample drawn more than 255 times
                counts = np.empty((size, n))
                for r in range(size):
                    counts[r] = np.bincount(draws[r], minlength=n)
            yield np.ascontiguousarray(counts.T)


@dataclass(frozen=True)
class Bootstrap:
    """Intervals of one report.

    Attributes
    ----------
    ci : dict
        Metric name to ``(low, high)``.
    level, method, n_bootstrap, seed
        How they were made (``seed`` reproduces them).
    undefined : dict
        Metric name to the share of replicates in which a label (or the pooled
        counts) defined on all the data had no positive, no prediction or no
        negative, so that ``zero_division`` decided its value; only shares above
        1% are listed.
    replicates : ndarray of shape (n_bootstrap, n_metrics)
        The replicate values, columns in the order of ``names``.
    names : tuple
    """

    ci: dict
    level: float
    method: str
    n_bootstrap: int
    seed: object
    undefined: dict = field(default_factory=dict)
    replicates: np.ndarray | None = field(default=None, repr=False)
    names: tuple = ()

    def params(self) -> dict:
        """The settings as report parameters."""
        return {"ci": self.level, "ci_method": self.method, "n_bootstrap": self.n_bootstrap,
                "seed": list(self.seed) if isinstance(self.seed, tuple) else self.seed}


def stacked(blocks, names):
    """Stack blocks of (values, undefined) dicts: (R, len(names)) values and flags."""
    values, flags = [], []
    for v, u in blocks:
        R = next(iter(v.values())).shape[0]
        values.append(np.stack([v[n] for n in names], axis=1))
        flags.append(np.stack([u.get(n, np.zeros(R, bool)) for n in names], axis=1))
    return np.concatenate(values), np.concatenate(flags)


def replicate_values(samples: Samples, names, blocks, zero_division, beta):
    """The metrics of every block of replicate weights, stacked (see :func:`stacked`)."""
    return stacked((samples.metrics(W, names, zero_division, beta) for W in blocks), names)


def poisson_intervals(state, estimate: dict, *, level, counts, zero_division, beta, ks,
                      has_propensity, dense) -> Bootstrap:
    """Percentile intervals from an additive Poisson state
    (:class:`~labelwise.stats.poisson.PoissonState`)."""
    names = tuple(estimate)
    v, u = state.metrics(names, counts, zero_division, beta, ks, has_propensity, dense)
    R = state.n_bootstrap
    reps = np.stack([v[n] for n in names], axis=1) if names else np.empty((R, 0))
    flags = np.stack([u.get(n, np.zeros(R, bool)) for n in names], axis=1) if names else \
        np.empty((R, 0), bool)
    low, high = percentile_interval(reps, level)
    share = flags.mean(axis=0)
    return Bootstrap(
        ci={n: (float(lo), float(hi)) for n, lo, hi in zip(names, low, high)},
        level=float(level), method="poisson", n_bootstrap=R, seed=state.seed,
        undefined={n: float(s) for n, s in zip(names, share) if s > UNDEFINED_SHARE},
        replicates=reps, names=names,
    )


def bootstrap(samples: Samples, estimate: dict, *, level=0.95, n_bootstrap=1000, method="bca",
              seed=None, zero_division=0.0, beta=1.0, key=()) -> Bootstrap:
    """Intervals for every metric in ``estimate`` (name -> value on all the data)."""
    check_bootstrap(level, n_bootstrap, method)
    seed = seed_entropy(seed)
    names = tuple(estimate)
    reps, flags = replicate_values(
        samples, names, weight_blocks(samples.n, n_bootstrap, method, seed, key),
        zero_division, beta)
    if method == "bca":
        jack, _ = stacked(samples.jackknife(names, zero_division, beta,
                                            min(samples.n, JACKKNIFE_GROUPS),
                                            block_size(samples.n)), names)
        est = np.array([estimate[n] for n in names], dtype=np.float64)
        low, high = bca_interval(reps, est, jack, level)
    else:
        low, high = percentile_interval(reps, level)
    share = flags.mean(axis=0)
    return Bootstrap(
        ci={n: (float(lo), float(hi)) for n, lo, hi in zip(names, low, high)},
        level=float(level), method=method, n_bootstrap=int(n_bootstrap), seed=seed,
        undefined={n: float(s) for n, s in zip(names, share) if s > UNDEFINED_SHARE},
        replicates=reps, names=names,
    )
