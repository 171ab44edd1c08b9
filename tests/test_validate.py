"""Input handling: every accepted input kind gives the same numbers, and every
rejected input raises :class:`labelwise.InputError` with a message that says
what is wrong, where, and how to fix it."""

from __future__ import annotations

import dataclasses
import math
import pathlib
import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import labelwise
from labelwise import Counts, InputError
from labelwise._validate import coerce_pair
from labelwise.metrics import (
    classification_report,
    f1_score,
    multilabel_confusion_matrix,
    precision_score,
)

# --------------------------------------------------------------------------
# Reference data: 6 samples, 3 labels named in sorted order, so that label
# sets, DataFrames and plain matrices all describe the same columns.
# --------------------------------------------------------------------------

LABELS = ["jazz", "live", "rock"]
Y = np.array(
    [
        [1, 0, 1],
        [0, 1, 0],
        [1, 1, 0],
        [0, 0, 1],
        [1, 0, 0],
        [0, 0, 0],
    ],
    dtype=np.int64,
)
P = np.array(
    [
        [1, 0, 0],
        [0, 1, 1],
        [1, 0, 0],
        [0, 0, 1],
        [1, 1, 0],
        [0, 0, 1],
    ],
    dtype=np.int64,
)
THRESHOLDS = np.array([0.2, 0.5, 0.8])


def metrics(y_true, y_pred=None, **kwargs) -> dict:
    """The threshold metrics of a report (scores add ranking metrics on top)."""
    found = labelwise.evaluate(y_true, y_pred, **kwargs).to_dict()["metrics"]
    return {k: v for k, v in found.items() if not labelwise.REGISTRY[k].needs_scores}


EXPECTED = metrics(Y, P)
EXPECTED_COUNTS = Counts.from_arrays(Y, P)


def as_sets(m, names=LABELS, container=list):
    """Rows of a 0/1 matrix as label sets, each listed in reverse column order."""
    return [container(names[j] for j in reversed(np.flatnonzero(row))) for row in m]


def as_strings(m, sep=",", pad=""):
    return [sep.join(f"{pad}{LABELS[j]}{pad}" for j in np.flatnonzero(row)) for row in m]


def messy_csr(m, cls=sp.csr_matrix):
    """The pattern of ``m`` as CSR with unsorted indices, explicit zeros and
    duplicate entries (0.5 + 0.5) that sum to 1."""
    data, indices, indptr = [], [], [0]
    for row in np.asarray(m):
        cols = list(np.flatnonzero(row))
        entries = []
        for k, j in enumerate(cols):
            if k == 0:
                entries += [(j, 0.5), (j, 0.5)]  # duplicate pair summing to 1
            else:
                entries.append((j, 1.0))
        zero_col = next((j for j in range(m.shape[1]) if j not in cols), None)
        if zero_col is not None:
            entries.append((zero_col, 0.0))  # explicit stored zero
        entries.reverse()  # unsorted indices
        for j, v in entries:
            indices.append(j)
            data.append(v)
        indptr.append(len(indices))
    out = cls(
        (np.array(data), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int32)),
        shape=m.shape,
    )
    assert not out.has_canonical_format
    return out


class DLPackOnly:
    """Offers nothing but the DLPack protocol (like a CPU tensor)."""

    def __init__(self, a):
        self._a = a

    def __dlpack__(self, **kwargs):
        return self._a.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()


class ArrayOnly:
    """Offers nothing but ``__array__``."""

    def __init__(self, a):
        self._a = a

    def __array__(self, dtype=None, copy=None):
        return self._a if dtype is None else self._a.astype(dtype)


def check_error(call, *fragments):
    """``call()`` raises InputError whose message contains every fragment."""
    with pytest.raises(InputError, match=re.escape(fragments[0])) as info:
        call()
    message = str(info.value)
    for fragment in fragments[1:]:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# ==========================================================================
# Part A: every accepted input kind gives the same numbers
# ==========================================================================


def test_reference_metrics_are_finite():
    assert EXPECTED and all(math.isfinite(v) for v in EXPECTED.values())
    assert EXPECTED["hamming_loss"] == pytest.approx(5 / 18)


_BIG = np.zeros((12, 7), dtype=np.int64)
_BIG[::2, 1::2] = Y
_BIG_P = np.zeros((12, 7), dtype=np.int64)
_BIG_P[::2, 1::2] = P

SAME_NUMBERS = {
    "bool": lambda: (Y.astype(bool), P.astype(bool)),
    "int8": lambda: (Y.astype(np.int8), P.astype(np.int8)),
    "uint8": lambda: (Y.astype(np.uint8), P.astype(np.uint8)),
    "int32": lambda: (Y.astype(np.int32), P.astype(np.int32)),
    "int64": lambda: (Y.astype(np.int64), P.astype(np.int64)),
    "uint64": lambda: (Y.astype(np.uint64), P.astype(np.uint64)),
    "float64": lambda: (Y.astype(np.float64), P.astype(np.float64)),
    "float32": lambda: (Y.astype(np.float32), P.astype(np.float32)),
    "mixed_dtypes": lambda: (Y.astype(bool), P.astype(np.float32)),
    "fortran": lambda: (np.asfortranarray(Y), np.asfortranarray(P)),
    "fortran_uint8": lambda: (np.asfortranarray(Y, np.uint8), np.asfortranarray(P, np.uint8)),
    "strided_slice": lambda: (_BIG[::2, 1::2], _BIG_P[::2, 1::2]),
    "strided_slice_uint8": lambda: (
        _BIG.astype(np.uint8)[::2, 1::2],
        _BIG_P.astype(np.uint8)[::2, 1::2],
    ),
    "reversed_view": lambda: (Y[::-1][::-1], P[:, ::-1][:, ::-1]),
    "nested_lists": lambda: (Y.tolist(), P.tolist()),
    "nested_bool_lists": lambda: (Y.astype(bool).tolist(), P.astype(bool).tolist()),
    "tuples_of_tuples": lambda: (
        tuple(map(tuple, Y.tolist())),
        tuple(map(tuple, P.tolist())),
    ),
    "list_of_arrays": lambda: (list(Y), list(P)),
    "dataframe_and_array": lambda: (pd.DataFrame(Y, columns=LABELS), P),
    "array_and_dataframe": lambda: (Y, pd.DataFrame(P, columns=LABELS)),
    "dataframe_bool": lambda: (
        pd.DataFrame(Y.astype(bool), columns=LABELS),
        pd.DataFrame(P.astype(bool), columns=LABELS),
    ),
    "dataframe_nullable_int": lambda: (
        pd.DataFrame(Y, columns=LABELS).astype("Int64"),
        pd.DataFrame(P, columns=LABELS).astype("boolean"),
    ),
    "csr_matrix": lambda: (sp.csr_matrix(Y), sp.csr_matrix(P)),
    "csc_matrix": lambda: (sp.csc_matrix(Y), sp.csc_matrix(P)),
    "coo_matrix": lambda: (sp.coo_matrix(Y), sp.coo_matrix(P)),
    "csr_array": lambda: (sp.csr_array(Y), sp.csr_array(P)),
    "csc_array": lambda: (sp.csc_array(Y), sp.csc_array(P)),
    "coo_array": lambda: (sp.coo_array(Y), sp.coo_array(P)),
    "bool_csr": lambda: (sp.csr_matrix(Y.astype(bool)), sp.csr_matrix(P.astype(bool))),
    "sparse_and_dense": lambda: (sp.csr_matrix(Y), P),
    "dense_and_sparse": lambda: (Y, sp.coo_array(P)),
    "messy_csr": lambda: (messy_csr(Y), messy_csr(P)),
    "messy_csr_array": lambda: (messy_csr(Y, sp.csr_array), messy_csr(P, sp.csr_array)),
    "dlpack_only": lambda: (DLPackOnly(Y), DLPackOnly(P)),
    "dlpack_only_bool": lambda: (DLPackOnly(Y.astype(bool)), DLPackOnly(P.astype(bool))),
    "array_only": lambda: (ArrayOnly(Y), ArrayOnly(P)),
    "array_only_and_dlpack": lambda: (ArrayOnly(Y.astype(np.float64)), DLPackOnly(P)),
    "label_sets": lambda: (as_sets(Y), as_sets(P)),
    "label_sets_tuples": lambda: (as_sets(Y, container=tuple), as_sets(P, container=tuple)),
    "label_sets_python_sets": lambda: (as_sets(Y, container=set), as_sets(P, container=frozenset)),
    "label_sets_numpy_rows": lambda: (
        [np.array(r, dtype=str) for r in as_sets(Y)],
        [np.array(r, dtype=str) for r in as_sets(P)],
    ),
    "delimited_strings": lambda: (as_strings(Y), as_strings(P)),
    "strings_and_lists": lambda: (as_strings(Y), as_sets(P)),
    "string_series": lambda: (pd.Series(as_strings(Y)), pd.Series(as_strings(P))),
    "string_numpy_1d": lambda: (np.array(as_strings(Y), dtype=object), np.array(as_strings(P))),
    "sets_and_named_dataframe": lambda: (as_sets(Y), pd.DataFrame(P, columns=LABELS)),
    "named_dataframe_and_strings": lambda: (pd.DataFrame(Y, columns=LABELS), as_strings(P)),
}


@pytest.mark.parametrize("make", SAME_NUMBERS.values(), ids=SAME_NUMBERS.keys())
def test_accepted_input_gives_the_same_numbers(make):
    y_true, y_pred = make()
    assert metrics(y_true, y_pred) == EXPECTED
    y_true, y_pred = make()  # fresh objects: some kinds are single-use in principle
    counts = Counts.from_arrays(y_true, y_pred)
    assert counts.labels in (None, tuple(LABELS))  # named inputs name the counts
    assert dataclasses.replace(counts, labels=None) == EXPECTED_COUNTS


@pytest.mark.parametrize(
    "make",
    [
        lambda: (as_sets(Y), as_sets(P)),
        lambda: (as_strings(Y), as_strings(P)),
        lambda: (pd.DataFrame(Y, columns=LABELS), pd.DataFrame(P, columns=LABELS)),
        lambda: (as_sets(Y), pd.DataFrame(P, columns=LABELS)),
    ],
    ids=["sets", "strings", "dataframes", "sets_and_dataframe"],
)
def test_named_inputs_report_label_names(make):
    report = labelwise.evaluate(*make())
    assert report.labels == tuple(LABELS)
    assert [r["label"] for r in report.to_dict()["per_label"]] == LABELS


def test_named_inputs_give_the_same_per_label_rows_as_labels_argument():
    plain = labelwise.evaluate(Y, P, labels=LABELS).to_dict()
    named = labelwise.evaluate(as_sets(Y), as_strings(P)).to_dict()
    assert named["per_label"] == plain["per_label"]
    assert named["metrics"] == plain["metrics"] == EXPECTED


def test_dataframes_with_reordered_columns_are_aligned_by_name():
    order = ["rock", "jazz", "live"]
    y_true = pd.DataFrame(Y, columns=LABELS)
    y_pred = pd.DataFrame(P, columns=LABELS)[order]
    assert list(y_pred.columns) == order
    report = labelwise.evaluate(y_true, y_pred)
    assert report.labels == tuple(LABELS)
    assert report.to_dict()["metrics"] == EXPECTED
    assert report.to_dict()["per_label"] == labelwise.evaluate(
        Y, P, labels=LABELS
    ).to_dict()["per_label"]


def test_dataframes_follow_the_order_of_labels_argument():
    order = ["rock", "jazz", "live"]
    perm = [LABELS.index(x) for x in order]
    report = labelwise.evaluate(
        pd.DataFrame(Y, columns=LABELS), pd.DataFrame(P, columns=LABELS), labels=order
    )
    assert report.labels == tuple(order)
    reference = labelwise.evaluate(Y[:, perm], P[:, perm], labels=order)
    assert report.to_dict() == reference.to_dict()


def test_label_sets_with_labels_argument():
    report = labelwise.evaluate(as_sets(Y), as_sets(P), labels=LABELS)
    assert report.labels == tuple(LABELS)
    assert report.to_dict()["metrics"] == EXPECTED


def test_label_sets_with_a_reordered_and_larger_vocabulary():
    order = ["rock", "jazz", "live", "blues"]  # "blues" never occurs
    report = labelwise.evaluate(as_sets(Y), as_sets(P), labels=order)
    assert report.labels == tuple(order)
    perm = [LABELS.index(x) for x in order[:3]]
    zeros = np.zeros((len(Y), 1), dtype=int)
    reference = labelwise.evaluate(
        np.hstack([Y[:, perm], zeros]), np.hstack([P[:, perm], zeros]), labels=order
    )
    assert report.to_dict() == reference.to_dict()
    assert report.to_dict()["metrics"]["f1_micro"] == EXPECTED["f1_micro"]


def test_label_sets_without_labels_use_the_sorted_union_of_both_sides():
    y_true = [["rock", "live"], [], ["jazz"]]
    y_pred = [["rock"], ["blues"], ["jazz"]]  # "blues" only predicted, "live" only true
    report = labelwise.evaluate(y_true, y_pred)
    assert report.labels == ("blues", "jazz", "live", "rock")
    reference = labelwise.evaluate(
        [[0, 0, 1, 1], [0, 0, 0, 0], [0, 1, 0, 0]],
        [[0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]],
        labels=("blues", "jazz", "live", "rock"),
    )
    # the numbers agree; findings may differ (one vocabulary was read off the data)
    got, want = report.to_dict(), reference.to_dict()
    assert got["metrics"] == want["metrics"]
    assert got["per_label"] == want["per_label"]
    assert Counts.from_arrays(y_true, y_pred).labels == ("blues", "jazz", "live", "rock")
    # strings and a named DataFrame: the union with the DataFrame's columns
    assert labelwise.evaluate(["live", "rock,live"], [["rock"], []]).labels == ("live", "rock")


def test_label_sets_of_integer_ids():
    ids_true = [set(np.flatnonzero(r).tolist()) for r in Y]
    ids_pred = [frozenset(np.flatnonzero(r).tolist()) for r in P]
    report = labelwise.evaluate(ids_true, ids_pred)
    assert report.labels == (0, 1, 2)
    assert report.to_dict()["metrics"] == EXPECTED
    # Tuples of ids are label sets as soon as any row is a set (a set has no column order).
    tuples_pred = [tuple(sorted(s)) for s in ids_pred]
    tuples_pred[-1] = set(tuples_pred[-1])
    assert metrics(ids_true, tuples_pred) == EXPECTED
    # numpy integer ids are plain ids too
    np_ids = [{np.int64(j) for j in s} for s in ids_true]
    assert metrics(np_ids, ids_pred) == EXPECTED


def test_label_sets_of_integer_ids_against_a_matrix_with_labels():
    ids_true = [set(np.flatnonzero(r).tolist()) for r in Y]
    report = labelwise.evaluate(ids_true, P, labels=[0, 1, 2])
    assert report.to_dict()["metrics"] == EXPECTED


def test_sets_against_an_unnamed_matrix_with_labels():
    assert metrics(as_sets(Y), P, labels=LABELS) == EXPECTED
    assert metrics(Y.astype(bool), as_strings(P), labels=LABELS) == EXPECTED


@pytest.mark.parametrize("sep", [",", "|", ";", " / "])
def test_delimited_strings_with_any_separator(sep):
    report = labelwise.evaluate(as_strings(Y, sep=sep), as_strings(P, sep=sep), sep=sep)
    assert report.labels == tuple(LABELS)
    assert report.to_dict()["metrics"] == EXPECTED


def test_whitespace_around_names_is_ignored_in_delimited_strings():
    assert metrics(as_strings(Y, pad="  "), as_strings(P, sep=" , "), sep=",") == EXPECTED
    assert metrics(as_strings(Y, sep=" | ", pad=" "), as_strings(P, sep="|"), sep="|") == EXPECTED
    report = labelwise.evaluate([" rock , live ", "", "\tjazz\n"], [["rock"], [], ["jazz"]])
    assert report.labels == ("jazz", "live", "rock")


def test_empty_string_and_separator_only_rows_have_no_labels():
    report = labelwise.evaluate(["a,b", "", " , "], [["a"], [], []])
    assert report.labels == ("a", "b")
    assert report.to_dict()["per_label"][0]["tp"] == 1
    assert report.counts.n_samples == 3


def test_string_series_with_labels_argument():
    report = labelwise.evaluate(
        pd.Series(as_strings(Y, sep="|")), pd.Series(as_strings(P, sep="|")),
        sep="|", labels=LABELS,
    )
    assert report.to_dict()["metrics"] == EXPECTED


# -- y_score and thresholds ------------------------------------------------


def _scores_for(pred, thresholds, margin=0.1):
    """Scores that give ``pred`` under ``score > thresholds``."""
    return np.where(pred == 1, thresholds + margin, thresholds - margin)


def test_y_score_with_scalar_threshold():
    scores = np.where(P == 1, 0.9, 0.1)
    assert metrics(Y, y_score=scores) == EXPECTED  # default threshold 0.5
    assert metrics(Y, y_score=scores.tolist(), threshold=0.3) == EXPECTED
    assert metrics(Y, y_score=np.float32(4) * scores - 2, threshold=0.0) == EXPECTED  # logits


def test_y_score_with_per_label_threshold_list_and_array():
    scores = _scores_for(P, THRESHOLDS)
    assert metrics(Y, y_score=scores, threshold=THRESHOLDS) == EXPECTED
    assert metrics(Y, y_score=scores, threshold=THRESHOLDS.tolist()) == EXPECTED
    assert metrics(Y, y_score=scores, threshold=tuple(THRESHOLDS)) == EXPECTED
    # a single threshold would give different predictions for these scores
    assert metrics(Y, y_score=scores, threshold=0.5) != EXPECTED


def test_y_score_with_dict_threshold():
    scores = _scores_for(P, THRESHOLDS)
    by_name = dict(zip(LABELS, THRESHOLDS))
    reversed_dict = dict(reversed(list(by_name.items())))  # dict order does not matter
    assert metrics(Y, y_score=scores, threshold=reversed_dict, labels=LABELS) == EXPECTED
    named_scores = pd.DataFrame(scores, columns=LABELS)
    assert metrics(as_sets(Y), y_score=named_scores, threshold=by_name) == EXPECTED
    assert metrics(pd.DataFrame(Y, columns=LABELS), y_score=named_scores,
                   threshold=reversed_dict) == EXPECTED


def test_y_score_accepts_every_dense_kind():
    scores = np.where(P == 1, 0.75, 0.25)
    for kind in (
        scores.astype(np.float32),
        np.asfortranarray(scores),
        scores.tolist(),
        DLPackOnly(scores),
        ArrayOnly(scores),
        pd.DataFrame(scores, columns=LABELS),
        P.astype(bool),  # booleans are scores 0.0 / 1.0
        P.astype(np.int8),
    ):
        assert metrics(Y, y_score=kind) == EXPECTED


def test_inclusive_threshold_counts_equal_scores_as_predicted():
    at_threshold = np.where(P == 1, THRESHOLDS, THRESHOLDS - 0.1)
    assert metrics(Y, y_score=at_threshold, threshold=THRESHOLDS, inclusive=True) == EXPECTED
    nothing = metrics(Y, np.zeros_like(P))
    assert metrics(Y, y_score=at_threshold, threshold=THRESHOLDS) == nothing
    scalar = np.where(P == 1, 0.5, 0.0)
    assert metrics(Y, y_score=scalar, threshold=0.5, inclusive=True) == EXPECTED
    assert metrics(Y, y_score=scalar, threshold=0.5) == nothing
    params = labelwise.evaluate(Y, y_score=scalar, inclusive=True).params
    assert params["inclusive"] is True and params["threshold"] == 0.5


# -- canonical forms and no mutation ---------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: sp.csr_matrix(Y),
        lambda: sp.csc_matrix(Y),
        lambda: sp.coo_matrix(Y),
        lambda: sp.csr_array(Y),
        lambda: sp.coo_array(Y),
        lambda: messy_csr(Y),
    ],
    ids=["csr", "csc", "coo", "csr_array", "coo_array", "messy_csr"],
)
def test_sparse_input_stays_sparse(make):
    data = coerce_pair(make(), make())
    for m in (data.y_true, data.y_pred):
        assert sp.issparse(m) and m.format == "csr"
        assert m.has_canonical_format
        assert m.dtype == np.bool_ and m.data.all()
    np.testing.assert_array_equal(data.y_true.toarray(), Y.astype(bool))


def test_sparse_with_dense_makes_both_sparse_and_sets_are_sparse():
    data = coerce_pair(sp.csr_matrix(Y), P)
    assert sp.issparse(data.y_true) and sp.issparse(data.y_pred)
    np.testing.assert_array_equal(data.y_pred.toarray(), P.astype(bool))
    data = coerce_pair(as_sets(Y), as_sets(P))
    assert sp.issparse(data.y_true) and sp.issparse(data.y_pred)
    np.testing.assert_array_equal(data.y_true.toarray(), Y.astype(bool))


def test_dense_input_becomes_c_contiguous_bool():
    data = coerce_pair(np.asfortranarray(Y), _BIG_P[::2, 1::2])
    for m in (data.y_true, data.y_pred):
        assert isinstance(m, np.ndarray) and m.dtype == np.bool_ and m.flags.c_contiguous
    np.testing.assert_array_equal(data.y_pred, P.astype(bool))


@pytest.mark.parametrize("cls", [sp.csr_matrix, sp.csr_array])
def test_messy_sparse_input_is_not_mutated(cls):
    y_true, y_pred = messy_csr(Y, cls), messy_csr(P, cls)
    before = [(m.data.copy(), m.indices.copy(), m.indptr.copy()) for m in (y_true, y_pred)]
    data = coerce_pair(y_true, y_pred)
    labelwise.evaluate(y_true, y_pred)
    f1_score(y_true, y_pred, average="micro")
    for m, (d, i, p) in zip((y_true, y_pred), before):
        np.testing.assert_array_equal(m.data, d)
        np.testing.assert_array_equal(m.indices, i)
        np.testing.assert_array_equal(m.indptr, p)
        assert not m.has_canonical_format
    np.testing.assert_array_equal(data.y_true.toarray(), Y.astype(bool))


def test_canonical_sparse_and_dense_input_are_not_mutated():
    csr = sp.csr_matrix(Y.astype(np.float64))
    csr_before = (csr.data.copy(), csr.indices.copy(), csr.indptr.copy())
    dense = Y.astype(np.uint8)
    dense_before = dense.copy()
    labelwise.evaluate(csr, dense)
    np.testing.assert_array_equal(csr.data, csr_before[0])
    assert csr.data.dtype == np.float64
    np.testing.assert_array_equal(csr.indices, csr_before[1])
    np.testing.assert_array_equal(csr.indptr, csr_before[2])
    np.testing.assert_array_equal(dense, dense_before)
    assert dense.dtype == np.uint8


def test_sample_weight_accepts_lists_arrays_and_dlpack():
    w = np.array([1.0, 2.0, 0.5, 1.0, 3.0, 0.0])
    ref = metrics(Y, P, sample_weight=w)
    assert ref != EXPECTED
    assert metrics(Y, P, sample_weight=w.tolist()) == ref
    assert metrics(Y, P, sample_weight=DLPackOnly(w)) == ref
    assert metrics(sp.csr_matrix(Y), P, sample_weight=pd.Series(w)) == ref
    assert metrics(as_sets(Y), as_sets(P), sample_weight=pd.Series(w)) == ref
    assert metrics(Y, P, sample_weight=np.ones(len(Y))) == EXPECTED


# ==========================================================================
# Part B: every InputError, with its message
# ==========================================================================


def test_input_error_is_a_value_error():
    assert issubclass(InputError, ValueError)
    assert issubclass(InputError, labelwise.LabelwiseError)
    with pytest.raises(ValueError):
        labelwise.evaluate([[1, 0]], [[1, 0, 1]])


def test_no_assert_statement_guards_input():
    src = pathlib.Path(labelwise.__file__).parent
    offenders = [
        f"{path.name}:{n}"
        for path in sorted(src.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.match(r"^\s*assert ", line)
    ]
    assert len(list(src.rglob("*.py"))) >= 5
    assert offenders == []


# -- shapes ----------------------------------------------------------------


def test_shape_mismatch_names_both_shapes():
    check_error(
        lambda: labelwise.evaluate(Y, P[:, :2]),
        "y_pred has shape (6, 2) but y_true has shape (6, 3)",
        "same order",
    )
    check_error(
        lambda: labelwise.evaluate(as_sets(Y), as_sets(P)[:4]),
        "y_pred has shape (4, 3) but y_true has shape (6, 3)",
    )
    check_error(
        lambda: labelwise.evaluate(sp.csr_matrix(Y), P[:5]),
        "y_pred has shape (5, 3) but y_true has shape (6, 3)",
    )


def test_one_dimensional_input():
    check_error(
        lambda: labelwise.evaluate(np.array([1, 0, 1]), np.array([1, 0, 0])),
        "y_true must be 2-D", "got 1-D with shape (3,)", "np.reshape(y, (-1, 1))",
    )
    check_error(
        lambda: labelwise.evaluate([1, 0, 1], [1, 0, 0]),
        "y_true is 1-D (length 3)", "np.reshape(y, (-1, 1))",
    )
    check_error(
        lambda: labelwise.evaluate(Y, pd.Series([1, 0, 1, 0, 1, 0])),
        "y_pred is 1-D (length 6)",
    )
    check_error(
        lambda: labelwise.evaluate(sp.csr_array(np.array([1, 0, 1])), Y),
        "y_true must be 2-D", "1-D sparse array with shape (3,)",
    )


def test_three_dimensional_input():
    check_error(
        lambda: labelwise.evaluate(np.zeros((2, 3, 4)), np.zeros((2, 3, 4))),
        "y_true must be 2-D", "got 3-D with shape (2, 3, 4)",
    )
    check_error(
        lambda: labelwise.evaluate(Y, [[[1, 0]], [[0, 1]]]),
        "y_pred must be 2-D", "3-D with shape (2, 1, 2)",
    )
    check_error(
        lambda: labelwise.evaluate(sp.coo_array(np.ones((2, 2, 2))), Y),
        "y_true must be 2-D", "3-D sparse array with shape (2, 2, 2)",
    )


def test_empty_input_with_no_rows():
    check_error(
        lambda: labelwise.evaluate(np.zeros((0, 3)), np.zeros((0, 3))),
        "y_true is empty: it has no samples (shape (0, 3))",
    )
    check_error(
        lambda: labelwise.evaluate(sp.csr_matrix((0, 3)), sp.csr_matrix((0, 3))),
        "y_true is empty: it has no samples (shape (0, 3))",
    )
    check_error(
        lambda: labelwise.evaluate(pd.DataFrame(columns=LABELS), pd.DataFrame(columns=LABELS)),
        "y_true is empty",
    )


def test_empty_input_with_no_columns():
    check_error(
        lambda: labelwise.evaluate(np.zeros((3, 0)), np.zeros((3, 0))),
        "y_true has no labels (shape (3, 0))",
    )
    check_error(
        lambda: labelwise.evaluate(sp.csr_matrix((3, 0)), sp.csr_matrix((3, 0))),
        "y_true has no labels (shape (3, 0))",
    )


def test_empty_list():
    check_error(lambda: labelwise.evaluate([], []), "y_true is empty: it has no samples")
    check_error(lambda: labelwise.evaluate([], [], labels=LABELS), "y_true is empty")
    check_error(lambda: labelwise.evaluate(Y, []), "y_pred is empty")
    check_error(lambda: labelwise.evaluate(np.array([]), np.array([])), "y_true is empty")


def test_label_sets_with_no_labels_at_all():
    check_error(
        lambda: labelwise.evaluate([[], []], ["", ""]),
        "the label sets contain no labels at all", "labels=[...]",
    )
    report = labelwise.evaluate([[], []], ["", ""], labels=["a"])
    assert report.to_dict()["per_label"][0]["tn"] == 2


def test_ragged_nested_list_names_the_rows():
    check_error(
        lambda: labelwise.evaluate([[1, 0, 1], [0, 1, 0], [1, 1]], Y[:3]),
        "y_true is a ragged nested list", "row 0 has 3 entries but row 2 has 2",
        "[{0, 2}, {1}]",
    )
    check_error(
        lambda: labelwise.evaluate(Y[:2], [[1, 0, 1], 1]),
        "y_pred is a ragged nested list", "row 1 has a scalar",
    )


# -- values ----------------------------------------------------------------


def test_value_not_zero_or_one_gives_row_column_and_value():
    bad = Y.copy()
    bad[3, 2] = 2
    check_error(
        lambda: labelwise.evaluate(bad, P),
        "y_true must hold only 0 and 1, but has 2 at row 3, column 2.", "Binarise",
    )
    neg = P.astype(np.int8)
    neg[1, 0] = -1
    check_error(
        lambda: labelwise.evaluate(Y, neg),
        "y_pred must hold only 0 and 1, but has -1 at row 1, column 0.",
    )
    probs = Y.astype(float)
    probs[4, 1] = 0.5
    check_error(
        lambda: labelwise.evaluate(probs, P),
        "but has 0.5 at row 4, column 1.", "y_score=",
    )


def test_value_not_zero_or_one_names_the_label_when_known():
    bad = Y.copy()
    bad[3, 2] = 7
    check_error(
        lambda: labelwise.evaluate(bad, P, labels=LABELS),
        "has 7 at row 3, column 2 ('rock')",
    )
    check_error(
        lambda: labelwise.evaluate(pd.DataFrame(bad, columns=LABELS), P),
        "has 7 at row 3, column 2 ('rock')",
    )
    # the position refers to the DataFrame after alignment to the vocabulary
    check_error(
        lambda: labelwise.evaluate(Y, pd.DataFrame(bad, columns=LABELS)[["rock", "jazz", "live"]],
                                   labels=LABELS),
        "y_pred must hold only 0 and 1, but has 7 at row 3, column 2 ('rock')",
    )


def test_sparse_value_not_zero_or_one():
    bad = sp.csr_matrix(np.where(Y == 1, 3, 0))
    check_error(
        lambda: labelwise.evaluate(bad, P, labels=LABELS),
        "y_true must hold only 0 and 1, but has 3 at row 0, column 0 ('jazz')",
    )
    dup = sp.csr_matrix(
        (np.array([1, 1]), np.array([1, 1]), np.array([0, 0, 2])), shape=(2, 3)
    )
    check_error(
        lambda: labelwise.evaluate(dup, Y[:2]),
        "has 2 at row 1, column 1 (duplicate entries are summed)",
    )
    bool_dup = sp.csr_matrix(
        (np.array([True, True]), np.array([0, 0]), np.array([0, 2, 2])), shape=(2, 3)
    )
    check_error(lambda: labelwise.evaluate(bool_dup, Y[:2]), "has 2 at row 0, column 0")


def test_missing_values_in_a_matrix():
    check_error(
        lambda: labelwise.evaluate([[1, None], [0, 1]], [[1, 0], [0, 1]]),
        "y_true has a missing value (None) at row 0, column 1", "Fill missing values",
    )
    check_error(
        lambda: labelwise.evaluate([[1, 0], [0, 1]], [[1, 0], [math.nan, 1]]),
        "y_pred has a missing value (nan) at row 1, column 0",
    )
    nullable = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": [0, 1]})
    check_error(
        lambda: labelwise.evaluate(nullable, [[1, 0], [0, 1]]),
        "y_true has a missing value (<NA>) at row 1, column 0 ('a')",
    )
    check_error(
        lambda: labelwise.evaluate(sp.csr_matrix(np.array([[1.0, np.nan]])), [[1, 0]]),
        "y_true has a missing value (nan) stored at row 0, column 1",
    )


def test_nan_and_inf_in_y_score_give_the_position():
    scores = np.where(P == 1, 0.9, 0.1)
    scores[2, 1] = np.nan
    check_error(
        lambda: labelwise.evaluate(Y, y_score=scores),
        "y_score has nan at row 2, column 1; scores must be finite",
    )
    scores[2, 1] = 0.5
    scores[5, 0] = -np.inf
    check_error(
        lambda: labelwise.evaluate(Y, y_score=scores, labels=LABELS),
        "y_score has -inf at row 5, column 0",
    )
    check_error(
        lambda: labelwise.evaluate(Y, y_score=pd.DataFrame(scores, columns=LABELS)),
        "y_score has -inf at row 5, column 0 ('jazz')",
    )


def test_string_in_nested_list_matrix():
    check_error(
        lambda: labelwise.evaluate([[1, 0], [0, "1"]], [[1, 0], [0, 1]]),
        "y_true has the string '1' at row 1, column 1 where a number was expected",
        "label sets",
    )


def test_string_in_two_dimensional_numpy_array():
    check_error(
        lambda: labelwise.evaluate(np.array([["1", "0"], ["0", "x"]]), [[1, 0], [0, 1]]),
        "y_true has the string '1' at row 0, column 0 where a number was expected",
    )
    check_error(
        lambda: labelwise.evaluate(Y, pd.DataFrame({"jazz": [1] * 6, "live": ["0"] * 6,
                                                    "rock": [0] * 6})),
        "y_pred has the string '0' at row 0, column 1 ('live')",
    )


def test_string_in_y_score():
    check_error(
        lambda: labelwise.evaluate([[1, 0], [0, 1]], y_score=[[0.9, 0.1], [0.2, "high"]]),
        "y_score has the string 'high' at row 1, column 1 where a number was expected",
        "floats",
    )
    check_error(
        lambda: labelwise.evaluate([[1, 0], [0, 1]], y_score=[["0.9", 0.1], [0.2, 0.8]]),
        "y_score has the string '0.9' at row 0, column 0",
    )
    check_error(
        lambda: labelwise.evaluate([[1, 0], [0, 1]], y_score=np.array([["0.9", "0.1"]] * 2)),
        "y_score has '0.9' at row 0, column 0 where a number was expected",
    )
    check_error(
        lambda: labelwise.evaluate([[1, 0], [0, 1]], y_score=[[0.9, None], [0.2, 0.8]]),
        "y_score has None at row 0, column 1 where a number was expected",
    )


def test_y_score_given_as_label_sets():
    check_error(
        lambda: labelwise.evaluate(as_sets(Y), y_score=as_sets(P)),
        "y_score must be a numeric matrix of scores", "looks like label sets", "y_pred=",
    )
    check_error(
        lambda: labelwise.evaluate(as_sets(Y), y_score=as_strings(P)),
        "looks like label sets",
    )


def test_y_score_given_sparse_predicts_only_scored_entries():
    # Sparse scores hold only the scored entries; unscored labels are never predicted.
    scores = sp.csr_matrix(np.where(P == 1, 0.9, 0.0))
    assert metrics(Y, y_score=scores) == EXPECTED
    assert metrics(Y, y_score=scores, threshold=-1.0) == EXPECTED
    # Ranking every label needs every score: the report then has only the @k metrics.
    report = labelwise.evaluate(Y, y_score=scores)
    assert "precision_at_1" in report and "roc_auc_macro" not in report


def test_sparse_scores_with_coerce_scores_are_rejected_for_thresholding_helpers():
    from labelwise._validate import coerce_scores

    check_error(
        lambda: coerce_scores(sp.csr_matrix(np.where(P == 1, 0.9, 0.0))),
        "y_score is a sparse matrix", "Pass a dense array",
    )


def test_y_score_with_wrong_dimensions():
    check_error(
        lambda: labelwise.evaluate(Y, y_score=np.full(6, 0.5)),
        "y_score must be 2-D", "got 1-D with shape (6,)",
    )
    check_error(
        lambda: labelwise.evaluate(Y, y_score=np.full((6, 2), 0.9)),
        "y_pred has shape (6, 2) but y_true has shape (6, 3)",
    )


# -- label vocabulary ------------------------------------------------------


def test_label_outside_the_vocabulary():
    check_error(
        lambda: labelwise.evaluate([["rock"], ["Jazz", "live"]], [["rock"], ["jazz"]],
                                   labels=LABELS),
        "y_true row 1 has the label 'Jazz', which is not in the label vocabulary",
        "(did you mean 'jazz'?)", "Known labels: 'jazz', 'live', 'rock'", "labels=",
    )
    # one edit in a short name is another label, not a slip: no suggestion
    message = check_error(
        lambda: labelwise.evaluate([["rock"], ["jaz"]], [["rock"], ["jazz"]], labels=LABELS),
        "y_true row 1 has the label 'jaz'",
    )
    assert "did you mean" not in message
    message = check_error(
        lambda: labelwise.evaluate(as_sets(Y), [["metal"]] * 6, labels=LABELS),
        "y_pred row 0 has the label 'metal'",
    )
    assert "did you mean" not in message
    check_error(
        lambda: labelwise.evaluate([{0}, {5}], [{0}, {1}], labels=[0, 1]),
        "y_true row 1 has the label 5",
    )
    check_error(
        lambda: labelwise.evaluate(["rock,jazz", "Live"], pd.DataFrame(P[:2], columns=LABELS)),
        "y_true row 1 has the label 'Live'", "did you mean 'live'?",
    )


def test_labels_argument_is_the_whole_vocabulary():
    """With labels=, a label of y_true or y_pred outside it is an error, never dropped."""
    for y_true, y_pred, where in [
        ([["rock"], ["soul"]], [["rock"], []], "y_true row 1 has the label 'soul'"),
        ([["rock"], []], [["rock"], ["soul"]], "y_pred row 1 has the label 'soul'"),
        (["rock", ""], ["rock", "jazz,soul"], "y_pred row 1 has the label 'soul'"),
        (pd.Series(["rock", "soul"]), ["rock", ""], "y_true row 1 has the label 'soul'"),
    ]:
        check_error(lambda: labelwise.evaluate(y_true, y_pred, labels=LABELS), where,
                    "which is not in the label vocabulary",
                    "Known labels: 'jazz', 'live', 'rock'. Add it to labels= or fix the data.")
        check_error(lambda: Counts.from_arrays(y_true, y_pred, labels=LABELS), where)
        check_error(lambda: f1_score(y_true, y_pred, labels=LABELS, average="micro"), where)


def test_did_you_mean_only_for_near_identical_labels():
    codes = ["PDOC00670", "PDOC00671", "PDOC-00900"]
    message = check_error(
        lambda: labelwise.evaluate([["PDOC00750"]], [["PDOC00670"]], labels=codes),
        "y_true row 0 has the label 'PDOC00750', which is not in the label vocabulary. "
        "Known labels: 'PDOC00670', 'PDOC00671', 'PDOC-00900'.",
    )
    assert "did you mean" not in message
    check_error(
        lambda: labelwise.evaluate([["pdoc00900"]], [["PDOC00670"]], labels=codes),
        "has the label 'pdoc00900', which is not in the label vocabulary "
        "(did you mean 'PDOC-00900'?)",
    )
    check_error(
        lambda: labelwise.evaluate([["amazed-suprised"]], [[]],
                                   labels=["amazed-surprised", "angry-aggresive"]),
        "(did you mean 'amazed-surprised'?)",
    )
    check_error(
        lambda: labelwise.evaluate([{0}, {"1"}], [{0}, {1}], labels=[0, 1, 2]),
        "y_true row 1 has the label '1', which is not in the label vocabulary (it is a str; "
        "did you mean the int 1?)",
    )


def test_duplicate_names_in_labels_argument():
    check_error(
        lambda: labelwise.evaluate(Y, P, labels=["jazz", "rock", "jazz"]),
        "labels has duplicate names ['jazz']", "each label must appear once",
    )


def test_duplicate_dataframe_columns():
    df = pd.DataFrame(Y, columns=["jazz", "rock", "jazz"])
    check_error(
        lambda: labelwise.evaluate(df, P),
        "y_true has duplicate column names ['jazz']", "Rename or drop",
    )
    check_error(lambda: labelwise.evaluate(Y, df), "y_pred has duplicate column names")


def test_bad_labels_argument():
    check_error(lambda: labelwise.evaluate(Y, P, labels="jazz"), "got the string 'jazz'")
    check_error(lambda: labelwise.evaluate(Y, P, labels=[]), "labels is empty")
    check_error(lambda: labelwise.evaluate(Y, P, labels=3), "labels must be a list of label names")
    check_error(
        lambda: labelwise.evaluate(Y, P, labels=[["a"], ["b"], ["c"]]),
        "labels holds ['a'] (list)",
    )
    check_error(
        lambda: labelwise.evaluate(Y, P, labels=["a", "b"]),
        "y_true has 3 columns but there are 2 labels",
    )


def test_none_and_nan_rows_in_label_sets():
    check_error(
        lambda: labelwise.evaluate([["rock"], None, ["jazz"]], [["rock"], [], ["jazz"]]),
        "y_true row 1 is missing (None)", "empty string or an empty list",
    )
    check_error(
        lambda: labelwise.evaluate(["rock", "", "jazz"], ["rock", math.nan, "jazz"]),
        "y_pred row 1 is missing (nan)",
    )
    check_error(
        lambda: labelwise.evaluate(pd.Series(["rock", None, "jazz"]), ["rock", "", "jazz"]),
        "y_true row 1 is missing",
    )
    check_error(
        lambda: labelwise.evaluate([None, ["rock"]], [["rock"], ["rock"]]),
        "y_true row 0 is missing (None)",
    )


def test_bad_items_inside_label_sets():
    check_error(
        lambda: labelwise.evaluate([["rock", 1.5]], [["rock"]]),
        "y_true row 0 holds 1.5 (float)", "label names (strings) or integer label ids",
    )
    check_error(
        lambda: labelwise.evaluate([{True}], [{0}]),
        "y_true row 0 holds True (bool)",
    )
    check_error(
        lambda: labelwise.evaluate([["rock"], 7], [["rock"], ["rock"]]),
        "y_true row 1 is 7 (int)", "expected a label set",
    )


def test_mixed_int_and_str_labels_without_labels_argument():
    check_error(
        lambda: labelwise.evaluate([["rock"], [1]], [["rock"], [1]]),
        "label sets mix integer ids and string names", "labels=",
    )
    report = labelwise.evaluate([["rock"], [1]], [["rock"], [1]], labels=["rock", 1])
    assert report.to_dict()["metrics"]["subset_accuracy"] == 1.0


def test_label_sets_against_an_unnamed_matrix_without_labels():
    check_error(
        lambda: labelwise.evaluate(as_sets(Y), P),
        "one input is a matrix without label names and the other holds label sets",
        "Pass labels=[...]",
    )
    check_error(
        lambda: labelwise.evaluate(Y, [{0, 2}, {1}, {0}, {2}, {0, 1}, set()]),
        "cannot be matched to the matrix columns",
    )


def test_dataframe_columns_not_matching_labels():
    df = pd.DataFrame(Y, columns=LABELS)
    check_error(
        lambda: labelwise.evaluate(df, P, labels=["jazz", "live", "metal"]),
        "y_true's columns do not match the labels ['jazz', 'live', 'metal']",
        "lacks ['metal']", "not in the vocabulary ['rock']", "matched by name",
    )
    check_error(
        lambda: labelwise.evaluate(df, pd.DataFrame(P, columns=["jazz", "live", "pop"])),
        "y_pred's columns do not match the labels ['jazz', 'live', 'rock']",
        "lacks ['rock']", "['pop']",
    )


def test_unsupported_containers():
    check_error(
        lambda: labelwise.evaluate({"jazz": [1, 0]}, {"jazz": [1, 0]}),
        "y_true is a dict", "DataFrame",
    )
    check_error(lambda: labelwise.evaluate("rock,live", "rock"), "got str")
    check_error(lambda: labelwise.evaluate(5, 5), "got int")
    check_error(lambda: labelwise.evaluate(None, P), "y_true is missing")


# -- arguments ------------------------------------------------------------


def test_both_y_pred_and_y_score():
    check_error(
        lambda: labelwise.evaluate(Y, P, y_score=np.where(P == 1, 0.9, 0.1)),
        "give exactly one of y_pred", "got both.",
    )


def test_neither_y_pred_nor_y_score():
    check_error(lambda: labelwise.evaluate(Y), "give exactly one of y_pred", "got neither.")


def test_threshold_vector_of_the_wrong_length():
    check_error(
        lambda: labelwise.evaluate(Y, y_score=np.full((6, 3), 0.5), threshold=[0.5, 0.5]),
        "threshold has 2 values but there are 3 labels", "exactly one per label",
    )
    check_error(
        lambda: labelwise.evaluate(Y, y_score=np.full((6, 3), 0.5), threshold=[[0.5] * 3]),
        "threshold must be one number or a 1-D list", "shape (1, 3)",
    )


def test_threshold_dict_default_covers_the_labels_not_named():
    scores = np.array([[0.3, 0.6, 0.45], [0.1, 0.2, 0.9]])
    got = labelwise.evaluate([[1, 1, 0], [0, 0, 1]], y_score=scores, labels=LABELS,
                             threshold={"jazz": 0.25, "*": 0.5})
    want = labelwise.evaluate([[1, 1, 0], [0, 0, 1]], y_score=scores, labels=LABELS,
                              threshold=[0.25, 0.5, 0.5])
    assert got.metrics == want.metrics and got.params["threshold"] == [0.25, 0.5, 0.5]
    # a label called "*" is a label, not the default
    starred = labelwise.evaluate([[1, 0]], y_score=[[0.3, 0.6]], labels=["*", "a"],
                                 threshold={"*": 0.2, "a": 0.7})
    assert starred.params["threshold"] == [0.2, 0.7]
    message = check_error(
        lambda: labelwise.evaluate(Y, y_score=np.full((6, 3), 0.5), labels=LABELS,
                                   threshold={"Jazz": 0.2, "*": 0.5}),
        "unknown ['Jazz'] (did you mean 'jazz'?)",
    )
    assert "missing" not in message


def test_threshold_dict_with_missing_or_unknown_labels():
    scores = np.full((6, 3), 0.5)
    check_error(
        lambda: labelwise.evaluate(Y, y_score=scores, labels=LABELS,
                                   threshold={"jazz": 0.5, "live": 0.5}),
        "threshold dict must give one value per label, or a default under \"*\": "
        "missing ['rock']",
        "The labels are ['jazz', 'live', 'rock']",
    )
    message = check_error(
        lambda: labelwise.evaluate(Y, y_score=scores, labels=LABELS,
                                   threshold={"jazz": 0.5, "live": 0.5, "rock": 0.5, "pop": 1}),
        "unknown ['pop']",
    )
    assert "missing" not in message
    check_error(
        lambda: labelwise.evaluate(Y, y_score=scores, threshold={"jazz": 0.5}),
        "a dict of thresholds needs label names", "labels=[...]",
    )


def test_non_finite_threshold():
    scores = np.full((6, 3), 0.5)
    check_error(
        lambda: labelwise.evaluate(Y, y_score=scores, threshold=math.nan),
        "threshold must be a finite number, got nan",
    )
    check_error(
        lambda: labelwise.evaluate(Y, y_score=scores, threshold=[0.5, math.inf, 0.5]),
        "threshold for label 1 is inf", "must be finite",
    )
    check_error(
        lambda: labelwise.evaluate(Y, y_score=scores, labels=LABELS,
                                   threshold={"jazz": 0.5, "live": 0.5, "rock": -math.inf}),
        "threshold for label 2 ('rock') is -inf",
    )


def test_threshold_that_is_not_a_number():
    scores = np.full((6, 3), 0.5)
    for bad in ("0.5", None, True):
        check_error(
            lambda: labelwise.evaluate(Y, y_score=scores, threshold=bad),
            "threshold must be a number", repr(bad),
        )
    check_error(
        lambda: labelwise.evaluate(Y, y_score=scores, threshold=[0.5, "x", 0.5]),
        "threshold must be a number or one number per label",
    )


@pytest.mark.parametrize("bad", [2, -1, 0.5, "zero", None, True])
def test_bad_zero_division(bad):
    check_error(
        lambda: labelwise.evaluate(Y, P, zero_division=bad),
        "zero_division must be 'warn', 0, 1 or nan", f"got {bad!r}",
    )


@pytest.mark.parametrize("bad", [-1, -0.5, math.nan, "2", None, True])
def test_bad_beta(bad):
    check_error(
        lambda: labelwise.evaluate(Y, P, beta=bad),
        "beta must be a non-negative number", f"got {bad!r}",
    )


def test_sample_weight_of_the_wrong_length():
    check_error(
        lambda: labelwise.evaluate(Y, P, sample_weight=[1.0] * 5),
        "sample_weight has shape (5,) but there are 6 samples", "one weight per sample",
    )
    check_error(
        lambda: labelwise.evaluate(Y, P, sample_weight=np.ones((6, 1))),
        "sample_weight has shape (6, 1)",
    )


def test_negative_sample_weight():
    check_error(
        lambda: labelwise.evaluate(Y, P, sample_weight=[1, 1, -2, 1, 1, 1]),
        "sample_weight[2] is -2.0", "finite and non-negative",
    )


def test_nan_sample_weight():
    check_error(
        lambda: labelwise.evaluate(Y, P, sample_weight=[1, 1, 1, 1, math.nan, 1]),
        "sample_weight[4] is nan",
    )
    check_error(
        lambda: labelwise.evaluate(Y, P, sample_weight=[1, 1, 1, 1, 1, math.inf]),
        "sample_weight[5] is inf",
    )


def test_all_zero_sample_weight():
    check_error(
        lambda: labelwise.evaluate(Y, P, sample_weight=np.zeros(6)),
        "sample_weight sums to 0", "positive weight",
    )


def test_non_numeric_sample_weight():
    check_error(
        lambda: labelwise.evaluate(Y, P, sample_weight=list("abcdef")),
        "sample_weight must be numeric",
    )


# -- drop-in metrics -------------------------------------------------------


def test_metrics_average_binary_on_multilabel_input():
    check_error(
        lambda: f1_score(Y, P),
        "Target is multilabel-indicator but average='binary'", "'micro'",
    )
    # a single label column is binary and allowed
    assert f1_score(Y[:, :1], P[:, :1]) == 1.0


def test_metrics_bad_average_name():
    check_error(
        lambda: precision_score(Y, P, average="mikro"),
        "average must be one of [None, 'binary', 'micro', 'macro', 'weighted', 'samples']",
        "got 'mikro'",
    )


def test_metrics_labels_with_out_of_range_column_index():
    check_error(
        lambda: f1_score(Y, P, average="micro", labels=[0, 3]),
        "labels holds column index 3, but the input has 3 columns", "[0, 3)",
    )
    check_error(
        lambda: multilabel_confusion_matrix(Y, P, labels=[-1]),
        "labels holds column index -1",
    )
    check_error(
        lambda: f1_score(Y, P, average="micro", labels=["jazz"]),
        "labels must be a non-empty list of column indices",
    )


def test_metrics_labels_select_columns():
    assert f1_score(Y, P, average=None, labels=[2, 0]).tolist() == [
        f1_score(Y, P, average=None)[2], f1_score(Y, P, average=None)[0]
    ]


def test_classification_report_target_names_of_the_wrong_length():
    check_error(
        lambda: classification_report(Y, P, target_names=["jazz", "live"], zero_division=0),
        "target_names has 2 names but there are 3 labels", "one name per label",
    )
    text = classification_report(Y, P, target_names=LABELS, zero_division=0)
    assert "rock" in text


def test_metrics_share_the_input_checks():
    check_error(lambda: f1_score(Y, P[:, :2], average="micro"), "y_pred has shape (6, 2)")
    check_error(
        lambda: f1_score(Y, P, average="micro", zero_division=3),
        "zero_division must be",
    )
    check_error(
        lambda: f1_score(Y, P, average="micro", sample_weight=[1] * 4),
        "sample_weight has shape (4,)",
    )
    assert f1_score(as_sets(Y), as_strings(P), average="micro") == EXPECTED["f1_micro"]


@pytest.mark.parametrize("shape", [(6, 3), (3000, 700)])  # numpy's counts, and the kernels'
def test_bool_views_of_other_bytes_count_every_nonzero_byte_as_true(shape):
    # u8.view(bool) keeps the bytes: a 2 or a 255 is True, as numpy reads it
    raw_t = np.zeros(shape, np.uint8)
    raw_t[:, 0] = 1
    raw_t[1, 1] = 255
    raw_p = raw_t * 2
    raw_p[2, 2] = 7
    t, p = raw_t.view(bool), raw_p.view(bool)
    want = labelwise.evaluate(t.copy() != 0, p != 0)  # the same truth, as 0/1 bytes
    for pred in (p, p[:, ::-1][:, ::-1]):
        got = labelwise.evaluate(t, pred)
        assert got.metrics == want.metrics
    assert want["precision_micro"] == pytest.approx((shape[0] + 1) / (shape[0] + 2))
    assert want["recall_micro"] == 1.0
    numpy_own = np.zeros(shape, bool)
    assert labelwise._validate.labels._made_by_numpy(numpy_own[1:])
    assert not labelwise._validate.labels._made_by_numpy(t)
