"""Input coercion and argument checks: the single home of error wording.

Everything a user hands to labelwise passes through here once. What comes out
is one of two canonical forms, never anything else:

* a dense C-contiguous ``bool`` array of shape ``(n_samples, n_labels)``, or
* a :class:`scipy.sparse.csr_matrix` with sorted, unique indices and every
  stored value equal to 1 (only the pattern matters afterwards).

Formulas and kernels downstream never see user input and never validate again.

Rows of truth and predictions (or scores) are paired by position, unless both
are pandas objects with a row index other than the default ``0..n-1``: then the
predictions are put in the truth's index order, and an index value missing on
one side, or repeated, is an error. When only one of the two has such an index,
the rows are paired by position, with a :class:`~labelwise.errors.RowOrderWarning`
when both are pandas objects (a plain array or a list has its rows in the only
order it has, so pairing it by position with an indexed frame is not remarked).
``sample_weight`` follows the same rule (see :func:`check_sample_weight`).

The modules, each importing only those before it:

* :mod:`.raw`: the raw forms :class:`RawMatrix` and :class:`RawSets`, the
  protocol file readers and callers may pass in, and reading any input into one;
* :mod:`.checks`: sample weights, ``zero_division``, ``beta``, ``average``,
  inverse propensities and cutoffs;
* :mod:`.labels`: the ``labels`` argument, the vocabulary, label-set encoding and
  canonical 0/1 truth and predictions (:func:`coerce_pair`);
* :mod:`.scores`: dense, sparse and top-k scores, thresholds and binarising.
"""

from .checks import (
    AVERAGES,
    check_average,
    check_beta,
    check_cutoffs,
    check_k,
    check_ks,
    check_propensity,
    check_sample_weight,
    check_zero_division,
)
from .labels import (
    Labelled,
    check_labels,
    canonical_pair,
    coerce_pair,
    sorted_union,
    to_canonical,
    vocabulary_of,
)
from .raw import RawMatrix, RawSets, located, location, plain, read_raw
from .scores import (
    RankingInput,
    align_scores,
    binarize,
    check_finite_entries,
    check_threshold,
    coerce_ranking,
    coerce_scores,
    is_topk_form,
)

__all__ = [
    "AVERAGES",
    "Labelled",
    "RankingInput",
    "RawMatrix",
    "RawSets",
    "align_scores",
    "binarize",
    "check_average",
    "check_beta",
    "check_cutoffs",
    "check_finite_entries",
    "check_k",
    "check_ks",
    "check_labels",
    "check_propensity",
    "check_sample_weight",
    "check_threshold",
    "check_zero_division",
    "canonical_pair",
    "coerce_pair",
    "coerce_ranking",
    "coerce_scores",
    "is_topk_form",
    "located",
    "location",
    "read_raw",
    "plain",
    "sorted_union",
    "to_canonical",
    "vocabulary_of",
]
