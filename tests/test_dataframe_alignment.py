"""Rows of pandas inputs: matched by index when both sides have one, else by
position, and said so when only one side has an index."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import labelwise
from labelwise import Counts, InputError
from labelwise._validate import check_sample_weight, coerce_pair, coerce_ranking
from labelwise.errors import RowOrderWarning
from labelwise.metrics import f1_score, roc_auc_score

# --------------------------------------------------------------------------
# A worked example: 5 samples, 2 labels, ids out of order in the predictions.
#
#   id   true (a, b)   pred (a, b)
#   s1   1 0           1 0
#   s2   0 1           0 1
#   s3   1 1           1 0
#   s4   1 0           1 0
#   s5   0 1           0 1
#
# Aligned by id: tp a = 3, tp b = 2, fp = 0, fn b = 1 (s3), so
# f1_micro = 2 * 5 / (2 * 5 + 0 + 1) = 10/11.
# The predictions below list the ids as s4, s5, s1, s2, s3; matched by position
# instead, the rows pair s1-s4, s2-s5, s3-s1, s4-s2, s5-s3:
#   tp = 1 (s1: a) + 1 (s2: b) + 1 (s3: a) + 0 + 0 = 3, fp = 2 (s4, s5), fn = 3,
# so f1_micro = 6 / (6 + 2 + 3) = 6/11.
# --------------------------------------------------------------------------

IDS = ["s1", "s2", "s3", "s4", "s5"]
TRUE = np.array([[1, 0], [0, 1], [1, 1], [1, 0], [0, 1]])
PRED = np.array([[1, 0], [0, 1], [1, 0], [1, 0], [0, 1]])
SHUFFLE = [3, 4, 0, 1, 2]
ALIGNED_F1 = 10 / 11
POSITIONAL_F1 = 6 / 11


def truth_df():
    return pd.DataFrame(TRUE, columns=["a", "b"], index=IDS)


def shuffled_pred_df():
    return pd.DataFrame(PRED, columns=["a", "b"], index=IDS).iloc[SHUFFLE]


def scores_df():
    """Scores that binarise at 0.5 to PRED, shuffled like the predictions."""
    return pd.DataFrame(PRED * 0.6 + 0.2, columns=["a", "b"], index=IDS).iloc[SHUFFLE]


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_the_worked_example_by_hand(no_warnings):
    assert labelwise.evaluate(TRUE, PRED)["f1_micro"] == pytest.approx(ALIGNED_F1)
    assert labelwise.evaluate(TRUE, PRED[SHUFFLE])["f1_micro"] == pytest.approx(POSITIONAL_F1)


# --------------------------------------------------------------------------
# Both sides indexed: rows follow the index
# --------------------------------------------------------------------------


def test_dataframes_with_the_same_index_in_another_order_are_aligned(no_warnings):
    y_true, y_pred = truth_df(), shuffled_pred_df()
    assert list(y_pred.index) != IDS
    report = labelwise.evaluate(y_true, y_pred)
    assert report["f1_micro"] == pytest.approx(ALIGNED_F1)
    assert report.to_dict()["metrics"] == labelwise.evaluate(
        TRUE, PRED, labels=["a", "b"]).to_dict()["metrics"]
    assert f1_score(y_true, y_pred, average="micro") == pytest.approx(ALIGNED_F1)


def test_columns_and_rows_are_both_aligned(no_warnings):
    y_pred = shuffled_pred_df()[["b", "a"]]
    data = coerce_pair(truth_df(), y_pred)
    assert data.labels == ("a", "b")
    assert data.y_pred.astype(int).tolist() == PRED.tolist()
    assert list(data.index) == IDS


def test_label_set_series_are_aligned_by_index(no_warnings):
    sets_true = pd.Series([["a"], ["b"], ["a", "b"], ["a"], ["b"]], index=IDS)
    sets_pred = pd.Series(["a", "b", "a", "a", "b"], index=IDS).iloc[SHUFFLE]
    report = labelwise.evaluate(sets_true, sets_pred)
    assert report.labels == ("a", "b")
    assert report["f1_micro"] == pytest.approx(ALIGNED_F1)
    # a label-set Series against a DataFrame
    assert labelwise.evaluate(sets_true, shuffled_pred_df())["f1_micro"] == pytest.approx(
        ALIGNED_F1)


def test_integer_and_multi_indexes_are_aligned(no_warnings):
    ints = [10, 20, 30, 40, 50]
    y_true = pd.DataFrame(TRUE, columns=["a", "b"], index=ints)
    y_pred = pd.DataFrame(PRED, columns=["a", "b"], index=ints).iloc[SHUFFLE]
    assert labelwise.evaluate(y_true, y_pred)["f1_micro"] == pytest.approx(ALIGNED_F1)
    multi = pd.MultiIndex.from_tuples([("x", i) for i in range(5)])
    y_true = pd.DataFrame(TRUE, columns=["a", "b"], index=multi)
    y_pred = pd.DataFrame(PRED, columns=["a", "b"], index=multi).iloc[SHUFFLE]
    assert labelwise.evaluate(y_true, y_pred)["f1_micro"] == pytest.approx(ALIGNED_F1)


def test_a_permuted_default_index_on_both_sides_is_aligned(no_warnings):
    y_true = pd.DataFrame(TRUE, columns=["a", "b"]).iloc[[4, 3, 2, 1, 0]]
    y_pred = pd.DataFrame(PRED, columns=["a", "b"]).iloc[[1, 0, 4, 2, 3]]
    assert labelwise.evaluate(y_true, y_pred)["f1_micro"] == pytest.approx(ALIGNED_F1)


def test_identical_indexes_match_as_they_are_even_with_repeats(no_warnings):
    repeated = ["s1", "s1", "s2", "s3", "s3"]
    y_true = pd.DataFrame(TRUE, columns=["a", "b"], index=repeated)
    y_pred = pd.DataFrame(PRED, columns=["a", "b"], index=repeated)
    assert labelwise.evaluate(y_true, y_pred)["f1_micro"] == pytest.approx(ALIGNED_F1)


def test_scores_are_aligned_by_index(no_warnings):
    y_true, y_score = truth_df(), scores_df()
    report = labelwise.evaluate(y_true, y_score=y_score)
    reference = labelwise.evaluate(TRUE, y_score=PRED * 0.6 + 0.2, labels=["a", "b"])
    assert report["f1_micro"] == pytest.approx(ALIGNED_F1)
    assert report.to_dict()["metrics"] == reference.to_dict()["metrics"]
    ranked = coerce_ranking(y_true, y_score)
    assert ranked.dense_scores.tolist() == (PRED * 0.6 + 0.2).tolist()
    assert list(ranked.index) == IDS and ranked.named
    assert roc_auc_score(y_true, y_score, average="micro") == pytest.approx(
        roc_auc_score(TRUE, PRED * 0.6 + 0.2, average="micro"))


def test_counts_are_aligned_by_index(no_warnings):
    counts = Counts.from_arrays(truth_df(), shuffled_pred_df())
    assert counts == Counts.from_arrays(TRUE, PRED, labels=["a", "b"])


# --------------------------------------------------------------------------
# Both sides indexed, but the indexes do not match: an error, never a guess
# --------------------------------------------------------------------------


def check_error(call, *fragments):
    with pytest.raises(InputError, match=re.escape(fragments[0])) as info:
        call()
    message = str(info.value)
    for fragment in fragments[1:]:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def test_index_values_on_one_side_only_are_counted_and_shown():
    y_pred = shuffled_pred_df().rename(index={"s2": "x2", "s3": "x3"})
    check_error(
        lambda: labelwise.evaluate(truth_df(), y_pred),
        "y_true and y_pred both have an index, so their rows are matched by index, but "
        "2 index value(s) of y_true are not in y_pred ('s2', 's3') and 2 index value(s) of "
        "y_pred are not in y_true ('x2', 'x3').",
        "Nothing is dropped silently",
        "y_true.index.intersection(y_pred.index)",
        "call .reset_index(drop=True) on both y_true and y_pred to match rows by position.",
    )


def test_fewer_predictions_than_truth_rows():
    message = check_error(
        lambda: labelwise.evaluate(truth_df(), shuffled_pred_df().iloc[:3]),
        "2 index value(s) of y_true are not in y_pred (",
    )
    assert "of y_pred are not in y_true" not in message


def test_many_missing_values_show_only_a_few():
    y_true = pd.DataFrame(np.eye(2, dtype=int)[np.arange(20) % 2], columns=["a", "b"],
                          index=[f"t{i}" for i in range(20)])
    y_pred = y_true.set_axis([f"p{i}" for i in range(20)])
    check_error(
        lambda: labelwise.evaluate(y_true, y_pred),
        "20 index value(s) of y_true are not in y_pred ('t0', 't1', 't2', 't3', 't4', ...)",
        "20 index value(s) of y_pred are not in y_true ('p0', 'p1', 'p2', 'p3', 'p4', ...)",
    )


def test_repeated_index_values_are_an_error():
    y_pred = shuffled_pred_df().rename(index={"s2": "s1"})
    check_error(
        lambda: labelwise.evaluate(truth_df(), y_pred),
        "y_pred's index has 1 value(s) that appear more than once ('s1'), so the rows of "
        "y_pred cannot be matched to those of y_true by index.",
        "Give each sample one row, or call .reset_index(drop=True) on both y_true and "
        "y_pred to match rows by position.",
    )
    y_true = truth_df().rename(index={"s4": "s3", "s5": "s3"})
    check_error(lambda: labelwise.evaluate(y_true, shuffled_pred_df()),
                "y_true's index has 1 value(s) that appear more than once ('s3')")


def test_scores_with_unmatched_index_name_y_score():
    check_error(
        lambda: labelwise.evaluate(truth_df(), y_score=scores_df().iloc[1:]),
        "1 index value(s) of y_true are not in y_score",
        "on both y_true and y_score",
    )


def test_reset_index_matches_by_position(no_warnings):
    y_true = truth_df().reset_index(drop=True)
    y_pred = shuffled_pred_df().reset_index(drop=True)
    assert labelwise.evaluate(y_true, y_pred)["f1_micro"] == pytest.approx(POSITIONAL_F1)


# --------------------------------------------------------------------------
# Only one side indexed: by position, with a warning that says so
# --------------------------------------------------------------------------

ONLY_PRED = (
    "the rows of y_true and y_pred were matched by position, because only y_pred has an "
    "index (y_true has none, or the default 0..n-1). If the rows are in different orders, "
    "give y_true its sample ids as a pandas index like y_pred's, so that rows are matched "
    "by index; if the order is right, pass y_pred.reset_index(drop=True) to say so."
)
ONLY_TRUE = (
    "the rows of y_true and y_pred were matched by position, because only y_true has an "
    "index (y_pred has none, or the default 0..n-1). If the rows are in different orders, "
    "give y_pred its sample ids as a pandas index like y_true's, so that rows are matched "
    "by index; if the order is right, pass y_true.reset_index(drop=True) to say so."
)


@pytest.mark.parametrize(
    "make, expected, f1",
    [
        (lambda: (pd.DataFrame(TRUE, columns=["a", "b"]), shuffled_pred_df()), ONLY_PRED,
         POSITIONAL_F1),
        (lambda: (truth_df(), shuffled_pred_df().reset_index(drop=True)), ONLY_TRUE,
         POSITIONAL_F1),
    ],
    ids=["default_and_indexed", "indexed_and_default"],
)
def test_two_frames_one_index_match_by_position_and_warn(make, expected, f1):
    y_true, y_pred = make()
    with pytest.warns(RowOrderWarning) as caught:
        report = labelwise.evaluate(y_true, y_pred, labels=["a", "b"])
    assert [str(w.message) for w in caught] == [expected]
    assert caught[0].filename == __file__  # points at the caller, not at labelwise
    assert report["f1_micro"] == pytest.approx(f1)


@pytest.mark.parametrize(
    "make, f1",
    [
        (lambda: (TRUE, shuffled_pred_df()), POSITIONAL_F1),
        (lambda: (truth_df(), PRED[SHUFFLE]), POSITIONAL_F1),
        (lambda: (truth_df(), [["a"], ["b"], ["a"], ["a"], ["b"]]), ALIGNED_F1),
    ],
    ids=["array_and_indexed", "indexed_and_array", "indexed_and_label_sets"],
)
def test_a_frame_and_a_plain_array_match_by_position_quietly(make, f1):
    """``evaluate(y_test_df, model.predict(X_test))``: the array has one order only."""
    y_true, y_pred = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = labelwise.evaluate(y_true, y_pred, labels=["a", "b"])
    assert report["f1_micro"] == pytest.approx(f1)


def test_only_one_index_with_scores_names_y_score():
    with pytest.warns(RowOrderWarning, match=re.escape(
            "the rows of y_true and y_score were matched by position, because only y_score "
            "has an index (y_true has none, or the default 0..n-1).")):
        report = labelwise.evaluate(pd.DataFrame(TRUE, columns=["a", "b"]), y_score=scores_df(),
                                    labels=["a", "b"])
    assert report["f1_micro"] == pytest.approx(POSITIONAL_F1)


def test_sparse_scores_against_an_indexed_truth_match_by_position():
    scores = sp.csr_matrix(PRED * 0.6 + 0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ranked = coerce_ranking(truth_df(), scores)
    assert ranked.index is None


def test_the_warning_can_be_silenced_by_its_class():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", RowOrderWarning)
        labelwise.evaluate(truth_df(), shuffled_pred_df().reset_index(drop=True))


@pytest.mark.parametrize(
    "make",
    [
        lambda: (TRUE, PRED),
        lambda: (pd.DataFrame(TRUE, columns=["a", "b"]), pd.DataFrame(PRED, columns=["a", "b"])),
        lambda: (pd.DataFrame(TRUE, columns=["a", "b"]), PRED),
        # an integer index 0..n-1 in order says no more than the positions
        lambda: (pd.DataFrame(TRUE, columns=["a", "b"], index=pd.Index(range(5), dtype="int64")),
                 PRED),
        lambda: (pd.DataFrame(TRUE, columns=["a", "b"]).iloc[::-1].sort_index(), PRED),
    ],
    ids=["arrays", "default_frames", "default_and_array", "int_index_0_to_n", "sorted_back"],
)
def test_no_index_on_either_side_is_silent(make, no_warnings):
    y_true, y_pred = make()
    assert labelwise.evaluate(y_true, y_pred, labels=["a", "b"])["f1_micro"] == pytest.approx(
        ALIGNED_F1)


# --------------------------------------------------------------------------
# sample_weight follows the rows
# --------------------------------------------------------------------------

WEIGHTS = np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # by id: s1 -> 1, ..., s5 -> 5


def test_weights_with_an_index_follow_rows_matched_by_index(no_warnings):
    shuffled = pd.Series(WEIGHTS, index=IDS).iloc[[2, 0, 4, 1, 3]]
    got = Counts.from_arrays(truth_df(), shuffled_pred_df(), sample_weight=shuffled)
    assert got == Counts.from_arrays(TRUE, PRED, sample_weight=WEIGHTS, labels=["a", "b"])
    # fn of b is s3 alone, whose weight is 3
    assert got.fn.tolist() == [0.0, 3.0]


def test_weights_without_an_index_are_in_the_truths_row_order(no_warnings):
    expected = Counts.from_arrays(TRUE, PRED, sample_weight=WEIGHTS, labels=["a", "b"])
    for w in (WEIGHTS, WEIGHTS.tolist(), pd.Series(WEIGHTS)):
        assert Counts.from_arrays(truth_df(), shuffled_pred_df(), sample_weight=w) == expected


def test_weights_with_an_index_that_does_not_match_the_rows():
    w = pd.Series(WEIGHTS, index=["s1", "s2", "s3", "s4", "s9"])
    check_error(
        lambda: Counts.from_arrays(truth_df(), shuffled_pred_df(), sample_weight=w),
        "y_true and sample_weight both have an index, so their rows are matched by index, "
        "but 1 index value(s) of y_true are not in sample_weight ('s5') and 1 index "
        "value(s) of sample_weight are not in y_true ('s9').",
        "pass sample_weight.to_numpy() to give the weights in the rows' order.",
    )
    w = pd.Series(WEIGHTS, index=["s1", "s2", "s2", "s4", "s5"])
    check_error(
        lambda: Counts.from_arrays(truth_df(), shuffled_pred_df(), sample_weight=w),
        "sample_weight's index has 1 value(s) that appear more than once ('s2')",
    )


def test_weights_are_read_by_position_when_rows_were(no_warnings):
    shuffled = pd.Series(WEIGHTS, index=IDS).iloc[[2, 0, 4, 1, 3]]
    got = Counts.from_arrays(TRUE, PRED, sample_weight=shuffled)
    assert got == Counts.from_arrays(TRUE, PRED, sample_weight=WEIGHTS[[2, 0, 4, 1, 3]])


def test_check_sample_weight_with_an_index():
    rows = pd.Index(IDS)
    w = pd.Series(WEIGHTS, index=IDS).iloc[::-1]
    assert check_sample_weight(w, 5, rows).tolist() == WEIGHTS.tolist()
    assert check_sample_weight(w, 5).tolist() == WEIGHTS[::-1].tolist()
    assert check_sample_weight(w.to_numpy(), 5, rows).tolist() == WEIGHTS[::-1].tolist()


# --------------------------------------------------------------------------
# The cost stays with pandas users
# --------------------------------------------------------------------------


def test_plain_arrays_never_import_pandas():
    code = (
        "import sys, numpy as np, labelwise\n"
        "labelwise.evaluate(np.eye(3, dtype=int), np.eye(3, dtype=int), sample_weight=[1, 2, 3])\n"
        "labelwise.evaluate([['a'], ['b']], y_score=[[0.9, 0.1], [0.2, 0.7]], labels=['a', 'b'])\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
