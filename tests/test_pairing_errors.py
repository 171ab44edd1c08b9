"""Each value of a file is checked once, by the library's own checks; the reader's
pairing puts their errors in the file's terms (its line and column).

The library's errors about one value say where it is (``err.row``, ``err.column``,
``err.value``); :func:`labelwise.pairing.as_raw` validates a block with them and
hands the library canonical 0/1 truth and checked scores, which it does not check
again. The messages users see keep the file, the line and the column.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

import labelwise
from labelwise import pairing
from labelwise._validate import (RawMatrix, check_finite_entries, coerce_pair, coerce_scores,
                                 location, to_canonical)
from labelwise._validate import scores as validate_scores
from labelwise.errors import InputError
from labelwise.io import Block, Source

LABELS = ("joy", "calm", "anger")


# --------------------------------------------------------------------------
# The library's errors say where the bad value is
# --------------------------------------------------------------------------


@pytest.mark.parametrize("values, where, value", [
    (np.array([[0, 1, 0], [1, 0, 2]]), (1, 2), 2),
    (np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 1.0]]), (1, 0), 0.5),
    (np.array([[0.0, 1.0, math.nan]]), (0, 2), math.nan),
    (np.array([[0, -1, 0]]), (0, 1), -1),
])
def test_dense_0_1_errors_carry_row_column_and_value(values, where, value):
    with pytest.raises(InputError) as err:
        to_canonical(RawMatrix(values, LABELS), "y_true", LABELS)
    row, column, found = location(err.value)
    assert (row, column) == where
    assert found == value or (math.isnan(value) and math.isnan(found))
    assert isinstance(row, int) and isinstance(column, int)
    # the message itself is the library's, as before
    assert f"row {where[0]}, column {where[1]} ({LABELS[where[1]]!r})" in str(err.value)


def test_sparse_0_1_errors_carry_row_column_and_value():
    m = sp.csr_matrix(np.array([[1, 0, 0], [0, 0, 3], [0, 0, 0]]))
    with pytest.raises(InputError) as err:
        to_canonical(RawMatrix(m, LABELS), "y_true", LABELS)
    assert location(err.value) == (1, 2, 3)
    assert not err.value.summed
    twice = sp.csr_matrix((np.ones(2), np.array([1, 1]), np.array([0, 0, 2])), shape=(2, 3))
    with pytest.raises(InputError, match="duplicate entries are summed") as err:
        to_canonical(RawMatrix(twice, LABELS), "y_pred", LABELS)
    assert location(err.value) == (1, 1, 2)
    assert err.value.summed


def test_score_errors_carry_row_column_and_value():
    s = np.array([[0.1, 0.2, 0.3], [0.4, math.inf, 0.6]])
    with pytest.raises(InputError, match=r"y_score has inf at row 1, column 1 \('calm'\)") as err:
        coerce_scores(RawMatrix(s, LABELS))
    assert location(err.value) == (1, 1, math.inf)
    m = sp.csr_matrix(np.array([[0.0, 0.5, 0.0], [0.0, 0.0, 0.7]]))
    m.data[1] = math.nan
    with pytest.raises(InputError, match="in row 1") as err:
        check_finite_entries(m)
    row, column, value = location(err.value)
    assert (row, column) == (1, 2) and math.isnan(value)


def test_api_messages_are_unchanged():
    """The location is extra data: what the user reads is the message as it was."""
    with pytest.raises(InputError, match=r"^y_true must hold only 0 and 1, but has 2 at row 1, "
                                         r"column 2 \('c'\)\. Binarise it first"):
        labelwise.evaluate(np.array([[1, 0, 0], [0, 1, 2]]), np.array([[1, 0, 0], [0, 1, 1]]),
                           labels=["a", "b", "c"])


def test_errors_not_about_one_value_have_no_location():
    with pytest.raises(InputError) as err:
        coerce_pair(np.zeros((2, 3)), np.zeros((2, 4)))
    assert location(err.value) is None


def test_checked_scores_are_not_checked_again(monkeypatch):
    raw = coerce_scores(RawMatrix(np.array([[0.1, 0.9, 0.5]]), LABELS))
    assert raw.checked
    monkeypatch.setattr(validate_scores.np, "isfinite", None)  # any check would fail now
    assert coerce_scores(raw) is raw


# --------------------------------------------------------------------------
# Pairing validates each block once and names the file's line
# --------------------------------------------------------------------------


def _source(tmp_path, text: str, name: str = "file.csv") -> Source:
    path = tmp_path / name
    path.write_text(text)
    src = Source(path)
    src.label_names()
    return src


def _block(src: Source, start: int = 0) -> Block:
    blocks = list(src.blocks())
    assert blocks[0].start == 0
    return blocks[0] if start == 0 else blocks[0].take(start, blocks[0].n_rows)


def test_truth_comes_out_canonical_and_scores_checked(tmp_path):
    truth = _source(tmp_path, "joy,calm,anger\n1,0,1\n0,1,0\n", "truth.csv")
    raw = pairing.as_raw(truth, _block(truth), LABELS, "labels", truth=True)
    assert raw.values.dtype == np.bool_ and raw.names == LABELS
    np.testing.assert_array_equal(raw.values, [[1, 0, 1], [0, 1, 0]])
    scores = _source(tmp_path, "joy,calm,anger\n0.5,0.25,1\n0.125,0,0.75\n", "scores.csv")
    raw = pairing.as_raw(scores, _block(scores), LABELS, "scores")
    assert raw.checked and raw.values.dtype == np.float64


@pytest.mark.parametrize("truth, cell, fragments", [
    (True, "3", ["file.csv:3, column 'calm': 3 is not 0 or 1. True labels are 0 or 1."]),
    (False, "0.7", ["file.csv:3, column 'calm': 0.7 is not 0 or 1. Hard predictions need 0/1 "
                    "values; for scores or probabilities use --scores."]),
])
def test_0_1_errors_name_the_line_and_column(tmp_path, truth, cell, fragments):
    src = _source(tmp_path, f"joy,calm,anger\n1,0,1\n0,{cell},0\n1,1,0\n")
    with pytest.raises(InputError) as err:
        pairing.as_raw(src, _block(src), LABELS, "labels", truth=truth)
    for fragment in fragments:
        assert fragment in str(err.value)
    assert location(err.value) is None  # put in the file's terms: nothing left to locate


def test_the_line_counts_from_the_block_start(tmp_path):
    rows = "".join("1,0,1\n" for _ in range(5)) + "0,2,0\n"
    src = _source(tmp_path, "joy,calm,anger\n" + rows)
    with pytest.raises(InputError, match=r"file\.csv:7, column 'calm': 2 is not 0 or 1"):
        pairing.as_raw(src, _block(src, start=3), LABELS, "labels", truth=True)


def test_a_metadata_column_gets_its_hint(tmp_path):
    rows = "".join(f"1,{i},0\n" for i in range(6))
    src = _source(tmp_path, "joy,fold,anger\n" + rows)
    with pytest.raises(InputError, match=r"file\.csv:4, column 'fold': 2 is not 0 or 1\. The "
                                         r"column holds whole numbers up to 5: it looks like an id"):
        pairing.as_raw(src, _block(src), ("joy", "fold", "anger"), "labels", truth=True)


def test_non_finite_scores_name_the_line_and_column(tmp_path):
    src = _source(tmp_path, "joy,calm,anger\n0.5,0.25,1\n0.125,-inf,0.75\n")
    with pytest.raises(InputError, match=r"^.*file\.csv:3, column 'calm': the score -inf is not "
                                         r"finite\.$"):
        pairing.as_raw(src, _block(src), LABELS, "scores")


def test_sparse_blocks_name_the_line_and_label(tmp_path):
    src = _source(tmp_path, "2 3\n0:1 2:1\n1:1 2:4\n", "truth.txt")
    with pytest.raises(InputError, match=r"truth\.txt:3, label 'anger': 4 is not 0 or 1\.$"):
        pairing.as_raw(src, _block(src), LABELS, "labels", truth=True)
    m = sp.csr_matrix(np.array([[0.5, 0.0, 0.25], [0.0, 0.0, 0.0], [0.0, 0.75, 0.0]]))
    m.data[-1] = math.inf
    sp.save_npz(tmp_path / "scores.npz", m)
    src = Source(tmp_path / "scores.npz")
    with pytest.raises(InputError, match=r"scores\.npz row 2, label '1': the score inf is not "
                                         r"finite\.$"):
        pairing.as_raw(src, _block(src), ("0", "1", "2"), "scores")


def test_the_command_line_checks_each_block_once(tmp_path, monkeypatch):
    """The engine takes the reader's checked blocks as they are: its own 0/1 and finite
    checks see canonical truth and checked scores only."""
    from labelwise._validate import labels as validate_labels

    truth = tmp_path / "truth.csv"
    scores = tmp_path / "scores.csv"
    rng = np.random.default_rng(3)
    y = (rng.random((50, 3)) < 0.4).astype(int)
    s = rng.random((50, 3)).round(3)
    truth.write_text("joy,calm,anger\n" + "".join(",".join(map(str, r)) + "\n" for r in y))
    scores.write_text("joy,calm,anger\n" + "".join(",".join(f"{v:g}" for v in r) + "\n"
                                                  for r in s))
    seen = []
    real = validate_labels._dense_01

    def spy(values, name, names):
        seen.append((name, values.dtype.kind))
        return real(values, name, names)

    monkeypatch.setattr(validate_labels, "_dense_01", spy)
    from labelwise.cli.evaluate import Layout, Scoring, feed
    import labelwise.defaults as D

    scoring = Scoring(threshold=None, ge=False, logits=False, zero_division=D.ZERO_DIVISION, beta=D.BETA,
                      propensity_from=None, propensity_a=D.PROPENSITY_A,
                      propensity_b=D.PROPENSITY_B, k=D.CUTOFFS, auc="exact", auc_auto=True,
                      bins=D.BINS, memory_limit=2e9)
    fed = feed(truth, None, scores, Layout(), scoring)
    # the truth's 0/1 columns were read as bytes and checked once, by the reader; the
    # engine saw booleans
    assert [k for name, k in seen if name == "y_true"] == ["u", "b"]
    report = fed.acc.report()
    want = labelwise.evaluate(y, y_score=s, labels=list(LABELS))
    assert report.metrics == pytest.approx(want.metrics, rel=1e-12, abs=1e-15, nan_ok=True)


# --------------------------------------------------------------------------
# 0/1 columns read as bytes, and read again as floats where a value is not one
# --------------------------------------------------------------------------


def _long_truth(tmp_path, cell=None, at=None, n=300_000):
    """A truth CSV of more than one reader block (1 MiB), ``cell`` at data row ``at``."""
    rng = np.random.default_rng(7)
    y = (rng.random((n, 3)) < 0.3).astype(np.uint8)
    lines = [",".join("01"[v] for v in row) for row in y]
    if cell is not None:
        parts = lines[at].split(",")
        parts[1] = cell
        lines[at] = ",".join(parts)
    path = tmp_path / "truth.csv"
    path.write_text("joy,calm,anger\n" + "\n".join(lines) + "\n")
    return path, y


def test_0_1_columns_are_read_as_bytes(tmp_path):
    path, y = _long_truth(tmp_path)
    src = Source(path)
    blocks = list(src.blocks())
    assert {b.values.dtype for b in blocks} == {np.dtype(np.uint8)}
    np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), y)
    # not for scores, nor with an unknown marker (whose cells read as floats)
    assert Source(path, role="scores")._narrow_columns() == frozenset()
    assert Source(path, unknown="-1")._narrow_columns() == frozenset()


@pytest.mark.parametrize("cell, message", [
    ("0.5", "0.5 is not 0 or 1. True labels are 0 or 1."),
    ("300", "300 is not 0 or 1. True labels are 0 or 1."),
    ("2", "2 is not 0 or 1. True labels are 0 or 1."),
    ("-1", "-1 is not 0 or 1. True labels are 0 or 1."),
    ("x", "'x' is not a number."),
    ("", "the value is empty; every label column needs a number in every row."),
])
def test_a_value_past_the_first_block_that_is_not_a_byte_names_its_line(tmp_path, cell,
                                                                       message):
    path, _ = _long_truth(tmp_path, cell, at=250_000)
    src = Source(path)
    with pytest.raises(InputError) as err:
        for block in src.blocks():
            pairing.as_raw(src, block, LABELS, "labels", truth=True)
    assert f"truth.csv:250002, column 'calm': {message}" in str(err.value)


def test_a_float_past_the_first_block_reads_on_as_floats(tmp_path):
    # "1.0" is 1: the rows from the block where it is are read again, as floats
    path, y = _long_truth(tmp_path, "1.0", at=250_000)
    y[250_000, 1] = 1
    src = Source(path)
    blocks = list(src.blocks())
    assert blocks[0].values.dtype == np.uint8 and blocks[-1].values.dtype == np.float64
    assert [b.start for b in blocks] == sorted({b.start for b in blocks})
    np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), y)
    raws = [pairing.as_raw(src, b, LABELS, "labels", truth=True) for b in blocks]
    np.testing.assert_array_equal(np.concatenate([r.values for r in raws]), y.astype(bool))
