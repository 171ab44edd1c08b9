"""Counts are additive sufficient statistics: chunks add up to the whole, exactly."""

from __future__ import annotations

import dataclasses
import math
import re
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise
import labelwise.counts as counts_module
from labelwise import Counts, InputError
from labelwise.engine import build_report
from strategies import (
    MATRIX_FORMATS,
    SET_FORMATS,
    as_format,
    label_matrices,
    label_names,
    sample_weights,
)

FORMATS = MATRIX_FORMATS + SET_FORMATS
COUNT_FIELDS = ("tp", "fp", "fn", "tn")
ROW_FIELDS = ("row_true", "row_pred", "row_both", "row_count", "row_weight")


def counts_of(y_true, y_pred, fmt, sample_weight=None) -> Counts:
    """Counts of int 0/1 matrices given to labelwise in the input kind ``fmt``.

    Every kind is given the same ``labels=``, so that all carry the same names.
    """
    labels = label_names(y_true.shape[1])
    return Counts.from_arrays(as_format(y_true, fmt), as_format(y_pred, fmt),
                              sample_weight=sample_weight, labels=labels)


def assert_counts_equal(a: Counts, b: Counts):
    """Field by field (clearer failures than ``a == b``), then ``==`` itself."""
    for field in COUNT_FIELDS + ROW_FIELDS:
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    assert a.n_samples == b.n_samples
    assert a.total_weight == b.total_weight
    assert a == b


@st.composite
def chunked(draw, n_chunks=st.integers(2, 4), integer_weights=True):
    """Matrices, optional integer-valued weights, cut points, and an input kind.

    Every chunk keeps a positive weight (labelwise rejects all-zero weights).
    """
    n_chunks = draw(n_chunks)
    y_true, y_pred = draw(label_matrices(min_rows=n_chunks, max_rows=30))
    n = y_true.shape[0]
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), min_size=n_chunks - 1,
                               max_size=n_chunks - 1)))
    w = None
    if draw(st.booleans()):
        w = draw(sample_weights(n, integer_valued=integer_weights))
        for lo, hi in zip([0, *cuts], [*cuts, n]):
            if not w[lo:hi].any():
                w[lo] = 1.0
    return y_true, y_pred, w, cuts, draw(st.sampled_from(FORMATS))


def pieces(y_true, y_pred, w, cuts):
    bounds = list(zip([0, *cuts], [*cuts, y_true.shape[0]]))
    return [(y_true[lo:hi], y_pred[lo:hi], None if w is None else w[lo:hi]) for lo, hi in bounds]


# --------------------------------------------------------------------------
# Additivity
# --------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(chunked(n_chunks=st.just(2)))
def test_two_chunks_add_up_to_the_whole(drawn):
    y_true, y_pred, w, cuts, fmt = drawn
    (t1, p1, w1), (t2, p2, w2) = pieces(y_true, y_pred, w, cuts)
    a, b = counts_of(t1, p1, fmt, w1), counts_of(t2, p2, fmt, w2)
    whole = counts_of(y_true, y_pred, fmt, w)
    assert_counts_equal(a + b, whole)
    assert_counts_equal(b + a, whole)
    assert (a + b).n_samples == a.n_samples + b.n_samples == y_true.shape[0]
    expected_total = y_true.shape[0] if w is None else w.sum()
    assert (a + b).total_weight == expected_total


@settings(max_examples=80, deadline=None)
@given(chunked(n_chunks=st.integers(2, 5)))
def test_sum_of_many_chunks(drawn):
    y_true, y_pred, w, cuts, fmt = drawn
    parts = [counts_of(t, p, fmt, pw) for t, p, pw in pieces(y_true, y_pred, w, cuts)]
    whole = counts_of(y_true, y_pred, fmt, w)
    assert_counts_equal(sum(parts), whole)  # sum() starts from 0
    assert_counts_equal(sum(reversed(parts)), whole)
    assert_counts_equal(sum(parts[1:], parts[0]), whole)


@settings(max_examples=60, deadline=None)
@given(label_matrices(), st.sampled_from(FORMATS), st.sampled_from(FORMATS), st.data())
def test_every_input_kind_counts_the_same(matrices, fmt_a, fmt_b, data):
    y_true, y_pred = matrices
    w = data.draw(st.none() | sample_weights(y_true.shape[0], integer_valued=True))
    assert_counts_equal(counts_of(y_true, y_pred, fmt_a, w), counts_of(y_true, y_pred, fmt_b, w))


@settings(max_examples=80, deadline=None)
@given(label_matrices(), st.sampled_from(FORMATS), st.booleans(), st.data())
def test_row_order_does_not_matter(matrices, fmt, weighted, data):
    y_true, y_pred = matrices
    n = y_true.shape[0]
    w = data.draw(sample_weights(n, integer_valued=True)) if weighted else None
    order = np.array(data.draw(st.permutations(range(n)), label="order"), dtype=np.int64)
    shuffled = counts_of(y_true[order], y_pred[order], fmt, None if w is None else w[order])
    assert_counts_equal(shuffled, counts_of(y_true, y_pred, fmt, w))


@settings(max_examples=60, deadline=None)
@given(label_matrices(max_rows=12), st.sampled_from(FORMATS), st.data())
def test_an_integer_weight_is_that_many_copies_of_the_row(matrices, fmt, data):
    y_true, y_pred = matrices
    n = y_true.shape[0]
    w = data.draw(sample_weights(n, integer_valued=True))
    repeats = w.astype(np.int64)
    weighted = counts_of(y_true, y_pred, fmt, w)
    copied = counts_of(np.repeat(y_true, repeats, axis=0), np.repeat(y_pred, repeats, axis=0),
                       fmt)
    for field in COUNT_FIELDS:
        np.testing.assert_array_equal(getattr(weighted, field), getattr(copied, field), field)
    # a row of weight 0 is still a (weightless) group of the histogram; it has no copy
    kept = weighted.row_weight > 0
    for field in ("row_true", "row_pred", "row_both", "row_weight"):
        np.testing.assert_array_equal(getattr(weighted, field)[kept], getattr(copied, field),
                                      field)
    assert weighted.total_weight == copied.total_weight == repeats.sum()
    assert weighted.weighted and not copied.weighted
    assert weighted.n_samples == n  # the rows themselves are counted once each
    assert copied.n_samples == repeats.sum()


@settings(max_examples=40, deadline=None)
@given(chunked(n_chunks=st.just(2)))
def test_histogram_does_not_depend_on_the_grouping_method(drawn):
    """Small row sizes are histogrammed by bincount, large ones by np.unique: same result."""
    y_true, y_pred, w, cuts, fmt = drawn
    (t1, p1, w1), (t2, p2, w2) = pieces(y_true, y_pred, w, cuts)
    by_bincount = counts_of(t1, p1, fmt, w1) + counts_of(t2, p2, fmt, w2)
    with mock.patch.object(counts_module, "_DENSE_KEY_LIMIT", 0):
        by_unique = counts_of(t1, p1, fmt, w1) + counts_of(t2, p2, fmt, w2)
        whole_by_unique = counts_of(y_true, y_pred, fmt, w)
    assert_counts_equal(by_bincount, by_unique)
    assert_counts_equal(by_bincount, whole_by_unique)


@pytest.mark.parametrize("fmt", ["int64", "bool", "csr", "sets"])
def test_wide_rows_use_the_unique_path_and_still_add_up(fmt):
    # rows of 200+ labels make base**3 exceed the bincount limit
    rng = np.random.default_rng(7)
    y_true = (rng.random((9, 400)) < 0.7).astype(np.int64)
    y_pred = (rng.random((9, 400)) < 0.6).astype(np.int64)
    y_pred[3] = y_true[3]
    y_pred[5] = 0
    whole = counts_of(y_true, y_pred, fmt)
    assert (int(max(whole.row_true.max(), whole.row_pred.max())) + 1) ** 3 > (
        counts_module._DENSE_KEY_LIMIT)
    np.testing.assert_array_equal(np.sort(whole.row_true), np.sort(y_true.sum(axis=1)))
    parts = counts_of(y_true[:4], y_pred[:4], fmt) + counts_of(y_true[4:], y_pred[4:], fmt)
    assert_counts_equal(parts, whole)
    assert whole.row_count.sum() == 9


# --------------------------------------------------------------------------
# Metrics of added counts
# --------------------------------------------------------------------------


def assert_reports_equal(got, expected):
    assert list(got.metrics) == list(expected.metrics)
    for name, value in expected.metrics.items():
        assert math.isclose(got.metrics[name], value, rel_tol=0, abs_tol=1e-12) or (
            math.isnan(got.metrics[name]) and math.isnan(value)), name
    assert got.per_label.columns == expected.per_label.columns
    assert list(got.per_label["label"]) == list(expected.per_label["label"])
    for column in expected.per_label.columns[1:]:
        np.testing.assert_allclose(
            np.asarray(got.per_label[column], dtype=float),
            np.asarray(expected.per_label[column], dtype=float), rtol=0, atol=1e-12,
            equal_nan=True, err_msg=column)


@pytest.mark.parametrize("zero_division", [0, 1, np.nan], ids=str)
@settings(max_examples=25, deadline=None)
@given(chunked(n_chunks=st.integers(2, 4)), st.sampled_from([0.0, 0.5, 1.0, 2.0, math.inf]))
def test_metrics_of_added_counts_equal_metrics_of_the_whole(zero_division, drawn, beta):
    y_true, y_pred, w, cuts, fmt = drawn
    labels = label_names(y_true.shape[1])
    parts = [counts_of(t, p, fmt, pw) for t, p, pw in pieces(y_true, y_pred, w, cuts)]
    zd = float(zero_division)
    merged = build_report(sum(parts), labels, zd, beta)
    whole = labelwise.evaluate(y_true, y_pred, sample_weight=w, labels=labels,
                               zero_division=zero_division, beta=beta)
    assert_reports_equal(merged, whole)
    assert merged.n_samples == whole.n_samples == y_true.shape[0]


# --------------------------------------------------------------------------
# Misuse
# --------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 8), min_size=2, max_size=2, unique=True), st.data())
def test_adding_counts_over_different_labels_raises(n_labels, data):
    first, second = (data.draw(label_matrices(min_labels=k, max_labels=k)) for k in n_labels)
    w = data.draw(st.none() | sample_weights(first[0].shape[0]))
    a, b = Counts.from_arrays(*first, sample_weight=w), Counts.from_arrays(*second)
    with pytest.raises(InputError, match="labels"):
        a + b
    with pytest.raises(InputError, match="labels"):
        b + a
    with pytest.raises(InputError, match="labels"):
        sum([a, a, b])


def test_adding_counts_over_different_labels_raises_explicit():
    a = Counts.from_arrays([[1, 0, 1]], [[1, 0, 0]])
    b = Counts.from_arrays([[1, 0]], [[1, 1]])
    with pytest.raises(InputError, match="cannot add counts over 2 labels to counts over 3"):
        a + b
    with pytest.raises(InputError):
        sum([a, b])


# --------------------------------------------------------------------------
# Label names travel with the counts
# --------------------------------------------------------------------------


def test_counts_carry_the_labels_of_their_input():
    assert Counts.from_arrays([[1, 0]], [[1, 1]]).labels is None
    assert Counts.from_arrays([[1, 0]], [[1, 1]], labels=["x", "y"]).labels == ("x", "y")
    assert Counts.from_arrays([["rock"]], [["jazz"]]).labels == ("jazz", "rock")
    frame = pd.DataFrame([[1, 0]], columns=["b", "a"])
    assert Counts.from_arrays(frame, frame).labels == ("b", "a")
    report = labelwise.evaluate([["rock"]], [["jazz"]])
    assert report.counts.labels == report.labels == ("jazz", "rock")


def test_adding_counts_over_different_vocabularies_raises():
    # Each chunk read without labels= has its own vocabulary: one column each,
    # 'rock' in the first and 'jazz' in the second. Adding them would mix two labels.
    rock = Counts.from_arrays([["rock"]], [["rock"]])
    jazz = Counts.from_arrays([["jazz"]], [["jazz"]])
    assert rock.n_labels == jazz.n_labels == 1
    expected = (
        "cannot add counts over different labels: column 0 is 'rock' on the left of + but "
        "'jazz' on the right (left: ['rock'], right: ['jazz']). Count every chunk with the "
        "same labels=[...], the whole vocabulary in one order, so that the columns line up."
    )
    with pytest.raises(InputError) as info:
        rock + jazz
    assert str(info.value) == expected
    with pytest.raises(InputError, match="column 0 is 'rock' on the left"):
        sum([rock, rock, jazz])  # the running sum is on the left
    vocab = ["jazz", "rock"]
    total = sum(Counts.from_arrays(t, t, labels=vocab) for t in ([["rock"]], [["jazz"]]))
    assert total.labels == ("jazz", "rock") and total.tp.tolist() == [1, 1]


def test_adding_counts_names_the_first_differing_label():
    a = Counts.from_arrays([[1, 0, 1]], [[1, 0, 0]], labels=["jazz", "live", "rock"])
    b = Counts.from_arrays([[1, 0, 1]], [[1, 0, 0]], labels=["jazz", "live", "soul"])
    with pytest.raises(InputError, match=re.escape(
            "column 2 is 'rock' on the left of + but 'soul' on the right (left: ['jazz', "
            "'live', 'rock'], right: ['jazz', 'live', 'soul'])")):
        a + b
    c = Counts.from_arrays([[1, 0, 1]], [[1, 0, 0]], labels=["rock", "live", "jazz"])
    with pytest.raises(InputError, match=re.escape(
            "cannot add counts over different labels (the same labels in another order): "
            "column 0 is 'jazz' on the left of + but 'rock' on the right")):
        a + c
    d = Counts.from_arrays([[1, 0]], [[1, 0]], labels=["jazz", "live"])
    with pytest.raises(InputError, match=re.escape(
            "only the left of + has column 2 ('rock'); the other has 2 label(s)")):
        a + d
    with pytest.raises(InputError, match=re.escape(
            "only the right of + has column 2 ('rock'); the other has 2 label(s)")):
        d + a
    many = [f"L{j}" for j in range(12)]
    e = Counts.from_arrays(np.eye(12, dtype=int), np.eye(12, dtype=int), labels=many)
    f = Counts.from_arrays(np.eye(12, dtype=int), np.eye(12, dtype=int),
                           labels=many[:11] + ["other"])
    with pytest.raises(InputError, match=re.escape(
            "column 11 is 'L11' on the left of + but 'other' on the right (left: ['L0', "
            "'L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8', 'L9', ...], right:")):
        e + f


def test_counts_without_labels_add_to_counts_of_the_same_width():
    named = Counts.from_arrays([[1, 0]], [[1, 1]], labels=["x", "y"])
    plain = Counts.from_arrays([[0, 1]], [[0, 1]])
    both = Counts.from_arrays([[1, 0], [0, 1]], [[1, 1], [0, 1]], labels=["x", "y"])
    assert (named + plain) == both and (plain + named) == both
    assert (named + plain).labels == ("x", "y")
    with pytest.raises(InputError, match="cannot add counts over 3 labels to counts over 2"):
        named + Counts.from_arrays([[0, 1, 1]], [[0, 1, 1]])


def test_equal_counts_need_equal_labels():
    a = Counts.from_arrays([[1, 0]], [[1, 1]], labels=["x", "y"])
    assert a == Counts.from_arrays([[1, 0]], [[1, 1]], labels=["x", "y"])
    assert a != Counts.from_arrays([[1, 0]], [[1, 1]], labels=["y", "x"])
    assert a != Counts.from_arrays([[1, 0]], [[1, 1]])
    assert dataclasses.replace(a, labels=None) == Counts.from_arrays([[1, 0]], [[1, 1]])


def test_counts_need_one_label_per_column():
    a = Counts.from_arrays([[1, 0]], [[1, 1]])
    with pytest.raises(InputError, match=re.escape(
            "Counts has 2 label columns but 3 labels (['x', 'y', 'z']): give one label per "
            "column, or labels=None.")):
        dataclasses.replace(a, labels=["x", "y", "z"])
    assert dataclasses.replace(a, labels=["x", "y"]).labels == ("x", "y")  # made a tuple


def test_repr_shows_the_labels():
    assert repr(Counts.from_arrays([[1, 0]], [[1, 1]], labels=["x", "y"])) == (
        "Counts(n_samples=1, n_labels=2, labels=['x', 'y'], total_weight=1, row_groups=1)")
    assert ", labels=" not in repr(Counts.from_arrays([[1, 0]], [[1, 1]]))


def test_blocks_counted_with_one_vocabulary_add_up_to_the_whole():
    """The command line counts each block with labels=vocab and sums the blocks."""
    vocab = ("jazz", "live", "rock")
    t = [["rock"], ["jazz", "live"], [], ["live"]]
    p = [["rock"], ["jazz"], ["rock"], ["live", "jazz"]]
    blocks = [Counts.from_arrays(t[i:i + 2], p[i:i + 2], labels=vocab) for i in (0, 2)]
    whole = Counts.from_arrays(t, p, labels=vocab)
    assert sum(blocks) == whole and sum(blocks).labels == vocab


def test_only_counts_and_zero_add_to_counts():
    a = Counts.from_arrays([[1, 0]], [[1, 1]])
    assert 0 + a is a
    with pytest.raises(TypeError):
        a + 1
    with pytest.raises(TypeError):
        1 + a
    assert (a == "counts") is False
    assert a != Counts.from_arrays([[1, 0]], [[1, 0]])


# --------------------------------------------------------------------------
# The worked example, checked by hand
# --------------------------------------------------------------------------

SEED_LABELS = ["A", "B", "C"]
SEED_TRUE = [[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]]
SEED_PRED = [[1, 0, 0], [0, 1, 1], [1, 0, 0], [0, 0, 1]]


def test_seed_example_counts():
    c = Counts.from_arrays(SEED_TRUE, SEED_PRED, labels=SEED_LABELS)
    # A: true rows {0, 2}, predicted {0, 2}
    # B: true rows {1, 2}, predicted {1}
    # C: true rows {0, 3}, predicted {1, 3}
    assert c.tp.tolist() == [2, 1, 1]
    assert c.fp.tolist() == [0, 0, 1]
    assert c.fn.tolist() == [0, 1, 1]
    assert c.tn.tolist() == [2, 2, 1]
    assert c.confusion_matrices().tolist() == [
        [[2, 0], [0, 2]], [[2, 0], [1, 1]], [[1, 1], [1, 1]]]
    # per sample (|true|, |predicted|, |both|): (2,1,1) (1,2,1) (2,1,1) (1,1,1)
    assert c.row_true.tolist() == [1, 1, 2]
    assert c.row_pred.tolist() == [1, 2, 1]
    assert c.row_both.tolist() == [1, 1, 1]
    assert c.row_count.tolist() == [1, 1, 2]
    assert c.row_weight.tolist() == [1.0, 1.0, 2.0]
    assert c.n_samples == 4 and c.total_weight == 4.0 and c.n_labels == 3
    assert not c.weighted


def test_seed_example_metrics():
    report = labelwise.evaluate(SEED_TRUE, SEED_PRED, labels=SEED_LABELS)
    assert report["hamming_loss"] == pytest.approx(3 / 12)
    assert report["subset_accuracy"] == pytest.approx(1 / 4)
    assert report["precision_micro"] == pytest.approx(4 / 5)
    assert report["recall_micro"] == pytest.approx(2 / 3)
    assert report["f1_micro"] == pytest.approx(8 / 11)
    assert report["precision_macro"] == pytest.approx(5 / 6)
    assert report["recall_macro"] == pytest.approx(2 / 3)
    assert report["f1_macro"] == pytest.approx(13 / 18)
    # per sample precision 1, 1/2, 1, 1; recall 1/2, 1, 1/2, 1; jaccard 1/2, 1/2, 1/2, 1
    assert report["precision_samples"] == pytest.approx(7 / 8)
    assert report["recall_samples"] == pytest.approx(3 / 4)
    assert report["jaccard_samples"] == pytest.approx(5 / 8)
    assert report.per_label["f1"].tolist() == pytest.approx([1, 2 / 3, 1 / 2])
    assert report.per_label["support"].tolist() == [2, 2, 2]


def test_seed_example_in_halves_and_rows_add_up():
    whole = Counts.from_arrays(SEED_TRUE, SEED_PRED, labels=SEED_LABELS)
    first = Counts.from_arrays(SEED_TRUE[:2], SEED_PRED[:2], labels=SEED_LABELS)
    second = Counts.from_arrays(SEED_TRUE[2:], SEED_PRED[2:], labels=SEED_LABELS)
    assert first + second == whole
    rows = [Counts.from_arrays([t], [p]) for t, p in zip(SEED_TRUE, SEED_PRED)]
    assert sum(rows).labels is None
    assert sum(rows) == dataclasses.replace(whole, labels=None)
    assert first + sum(rows[2:]) == whole  # unnamed counts take the names of the others
    merged = build_report(first + second, SEED_LABELS, 0.0, 1.0)
    assert merged["f1_micro"] == pytest.approx(8 / 11)
    assert merged["f1_macro"] == pytest.approx(13 / 18)
    # the same rows as label sets, split differently
    sets_t = [["A", "C"], ["B"], ["A", "B"], ["C"]]
    sets_p = [["A"], ["B", "C"], ["A"], ["C"]]
    head = Counts.from_arrays(sets_t[:1], sets_p[:1], labels=SEED_LABELS)
    tail = Counts.from_arrays(sets_t[1:], sets_p[1:], labels=SEED_LABELS)
    assert head + tail == whole


def test_seed_example_weighted():
    w = [1.0, 2.0, 0.0, 3.0]
    c = Counts.from_arrays(SEED_TRUE, SEED_PRED, sample_weight=w)
    # A is tp in rows 0 (1) and 2 (0), tn in rows 1 (2) and 3 (3)
    assert c.tp.tolist() == [1.0, 2.0, 3.0]
    assert c.fp.tolist() == [0.0, 0.0, 2.0]
    assert c.fn.tolist() == [0.0, 0.0, 1.0]
    assert c.tn.tolist() == [5.0, 4.0, 0.0]
    assert c.total_weight == 6.0
    # groups (1,1,1) row 3, (1,2,1) row 1, (2,1,1) rows 0 and 2
    assert c.row_count.tolist() == [1, 1, 2]
    assert c.row_weight.tolist() == [3.0, 2.0, 1.0]
    assert c.weighted


def test_total_is_the_chained_sum_and_refuses_nothing_to_add():
    rng = np.random.default_rng(12)
    parts = [Counts.from_arrays(rng.random((n, 6)) < 0.4, rng.random((n, 6)) < 0.4,
                                sample_weight=rng.random(n) + 0.5) for n in (5, 30, 1, 12)]
    chained = parts[0] + parts[1] + parts[2] + parts[3]
    assert Counts.total(parts) == chained  # every sum in the same order: equal bit for bit
    assert Counts.total(parts[:1]) is parts[0]
    with pytest.raises(InputError, match=r"^Counts.total\(\) needs at least one Counts"):
        Counts.total([])
