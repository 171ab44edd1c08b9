"""Helpers shared by the metric modules."""

from __future__ import annotations

import numbers

import numpy as np

from .._validate import (check_k, check_ks, check_propensity, check_sample_weight,
                         coerce_ranking)
from ..ranking import RowSums, at_k_sums, row_sums


def score_rows(y_true, y_score, sample_weight, *, ks=(1,), need_dense=True, labels=None,
               inv_propensity=None) -> RowSums:
    """Validate score input and arguments, then sum the per-sample values of every row."""
    data = coerce_ranking(y_true, y_score, labels=labels, need_dense=need_dense)
    w = check_sample_weight(sample_weight, data.n_samples)
    for k in ks:
        check_k(k, data.width)
    p = None if inv_propensity is None else check_propensity(inv_propensity, data.n_labels)
    return row_sums(data, ks=ks, sample_weight=w, inv_propensity=p)


def score_at_k(y_true, y_score, sample_weight, k, inv_propensity=None) -> tuple[RowSums, bool]:
    """Validate score input and arguments, then sum the @k values of every row at the
    cutoff ``k``, or at each of a sequence of cutoffs, in one pass.

    Returns the sums (only their @k fields) and whether ``k`` was a sequence.
    """
    data = coerce_ranking(y_true, y_score, need_dense=False)
    w = check_sample_weight(sample_weight, data.n_samples)
    ks, many = check_ks(k, data.width)
    p = None if inv_propensity is None else check_propensity(inv_propensity, data.n_labels)
    return at_k_sums(data, ks=ks, sample_weight=w, inv_propensity=p), many


def is_class(value, k: int) -> bool:
    """Whether ``value`` is the class ``k`` (0 or 1) of a binary target."""
    return isinstance(value, (numbers.Number, np.generic)) and bool(value == k)
