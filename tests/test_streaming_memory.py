"""The exact path's memory: scores kept once, in one growing array, as float32 codes
while they are short decimals; the command line's readers bounded and ahead.

* Codes decode to the very float64 scores and keep their order and ties, so every
  exact number is the one the float64 scores give.
* Batches are written into one array that grows (no list of parts joined by a copy
  at ``report()``), and copies, merges, pickles and ``bin_scores()`` keep their own
  rows.
* ``exact_bytes`` (what ``--memory-limit`` compares) counts what is held: 4 bytes per
  code, 8 per float64 score, and the truth.
* The readers join pyarrow's small blocks into Blocks of up to ``STREAM_ROWS`` rows, read
  them in a thread of their own, raise their errors in order and stop when closed.
"""

from __future__ import annotations

import copy
import json
import math
import pickle
import threading
import tracemalloc

import numpy as np
import pytest

import labelwise
import labelwise.defaults as D
from labelwise import Accumulator, exact_scores
from labelwise.cli.evaluate import Layout, Scoring, feed
from labelwise.errors import InputError
from labelwise.io import Source
from labelwise.io import source as lw_io

RNG = np.random.default_rng(11)
N, L = 6000, 5
Y = RNG.random((N, L)) < np.linspace(0.05, 0.5, L)
DECIMALS = np.round(np.clip(RNG.normal(0.35 + 0.3 * Y, 0.2), 0, 1), 3)  # many ties
FLOATS = RNG.random((N, L))
WEIGHTS = RNG.random(N) + 0.5
CUTS = [0, 1, 700, 701, 2500, 4000, 6000]


def compact() -> Accumulator:
    return Accumulator()._compact_scores()


def fed(acc: Accumulator, y, s, cuts=CUTS, w=None) -> Accumulator:
    for lo, hi in zip(cuts, cuts[1:]):
        acc.update(y[lo:hi], y_score=s[lo:hi], sample_weight=None if w is None else w[lo:hi])
    return acc


# The weighted averages weigh labels by their support, a sum over batches.
SORTED = [f"{m}_{avg}" for m in ("roc_auc", "average_precision") for avg in ("macro", "micro")]


def assert_same(got, want):
    """ROC-AUC and AP (from the kept scores) equal to the last bit; the other metrics,
    sums over batches, as evaluate() gives them up to the order of the additions."""
    assert set(got.metrics) == set(want.metrics)
    for name, value in want.metrics.items():
        other = got.metrics[name]
        if name in SORTED:
            assert other == value or (math.isnan(other) and math.isnan(value)), (name, other,
                                                                                  value)
        else:
            assert other == pytest.approx(value, rel=1e-12, abs=1e-15, nan_ok=True), name
    for column in ("roc_auc", "average_precision"):
        np.testing.assert_array_equal(got.per_label[column], want.per_label[column])


# --------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------


@pytest.mark.parametrize("places", range(0, 8))
@pytest.mark.parametrize("largest", [1, 999, 4_000_000])
def test_codes_decode_bit_for_bit_and_keep_order_and_ties(places, largest):
    m = RNG.integers(-largest, largest + 1, size=(3000, 3))
    x = m / 10.0 ** places
    x[0, 0] = -0.0
    top = float(np.abs(x).max())
    found = exact_scores.places_of(x, top, 0)
    if top * 10.0 ** places > exact_scores.CODE_LIMIT:
        return  # beyond the bound (then the scores stay float64, see below)
    assert found is not None and found <= places
    codes = exact_scores.to_codes(x, found)
    assert codes.dtype == np.float32
    back = exact_scores.values_of(codes)
    assert back.dtype == np.float64 and np.array_equal(back, x)
    assert np.array_equal(np.signbit(back), np.signbit(x))
    flat, cflat = x.ravel(), exact_scores.plain_codes(codes).ravel()
    order = np.argsort(flat, kind="stable")
    assert np.array_equal(order, np.argsort(cflat, kind="stable"))
    assert np.array_equal(np.diff(flat[order]) == 0, np.diff(cflat[order]) == 0)


@pytest.mark.parametrize("x", [
    RNG.random((500, 4)),  # full float64 precision
    np.round(RNG.random((500, 4)), 7),  # 7 places of values near 1: past the bound
    RNG.random((500, 4)).astype(np.float32).astype(np.float64),
])
def test_scores_that_are_not_short_decimals_have_no_codes(x):
    assert exact_scores.places_of(x, float(np.abs(x).max()), 0) is None


def test_codes_survive_slicing_indexing_pickling_and_stay_values_when_computed_on():
    codes = exact_scores.to_codes(DECIMALS, 3)
    for part in (codes[10:20], codes[[3, 1, 2]], codes[:, [2, 0]], codes.T,
                 pickle.loads(pickle.dumps(codes)), copy.deepcopy(codes)):
        assert isinstance(part, exact_scores.Codes) and part.places == 3
    assert np.array_equal(exact_scores.values_of(codes[[3, 1, 2]]), DECIMALS[[3, 1, 2]])
    assert type(codes + 1) is np.ndarray and type(codes.max()) is not exact_scores.Codes


# --------------------------------------------------------------------------
# One growing part, the same numbers
# --------------------------------------------------------------------------


@pytest.mark.parametrize("scores", ["decimals", "floats"])
@pytest.mark.parametrize("make", [Accumulator, compact], ids=["values", "codes"])
def test_batches_grow_one_part_and_give_the_numbers_of_one_evaluate(scores, make):
    s = DECIMALS if scores == "decimals" else FLOATS
    acc = fed(make(), Y, s)
    assert len(acc.exact) == 1
    kept = acc.exact[0][1]
    coded = make is compact and scores == "decimals"
    assert isinstance(kept, exact_scores.Codes) == coded
    assert kept.dtype == (np.float32 if coded else np.float64)
    assert np.array_equal(exact_scores.values_of(kept), s)
    assert_same(acc.report(), labelwise.evaluate(Y, y_score=s))


@pytest.mark.parametrize("make", [Accumulator, compact], ids=["values", "codes"])
def test_expected_rows_keep_the_scores_in_one_buffer_that_never_moves(make):
    acc = make()._expect_rows(N)
    bases = []
    for lo, hi in zip(CUTS, CUTS[1:]):
        acc.update(Y[lo:hi], y_score=DECIMALS[lo:hi], sample_weight=WEIGHTS[lo:hi])
        bases.append(exact_scores.owner(acc.exact[0][1]))
    assert all(b is bases[1] for b in bases[1:])  # from the second batch on: one buffer
    assert bases[1].shape[0] == N  # the room asked for, not half as much again
    assert_same(acc.report(), labelwise.evaluate(Y, y_score=DECIMALS, sample_weight=WEIGHTS))
    more = fed(make()._expect_rows(N // 4), Y, DECIMALS)  # fewer than come: it grows
    assert len(more.exact) == 1 and exact_scores.owner(more.exact[0][1]).shape[0] > N
    assert_same(more.report(), labelwise.evaluate(Y, y_score=DECIMALS))


def test_a_batch_that_is_not_decimals_turns_the_codes_back_into_values():
    s = np.vstack([DECIMALS[:3000], FLOATS[3000:]])
    acc = fed(compact(), Y, s)
    assert acc.exact[0][1].dtype == np.float64
    assert np.array_equal(acc.exact[0][1], s)
    assert_same(acc.report(), labelwise.evaluate(Y, y_score=s))


def test_codes_widen_to_more_places():
    s = np.vstack([np.round(DECIMALS[:2500], 1), DECIMALS[2500:]])
    acc = fed(compact(), Y, s)
    assert acc.exact[0][1].places == 3
    assert np.array_equal(exact_scores.values_of(acc.exact[0][1]), s)
    assert_same(acc.report(), labelwise.evaluate(Y, y_score=s))


def test_weights_of_some_batches_only():
    w = WEIGHTS.copy()
    w[:700] = 1.0
    w[4000:] = 1.0
    acc = compact()
    for lo, hi in zip(CUTS, CUTS[1:]):
        weighted = 700 <= lo < 4000
        acc.update(Y[lo:hi], y_score=DECIMALS[lo:hi],
                   sample_weight=w[lo:hi] if weighted else None)
    assert np.array_equal(acc.exact[0][2], w)
    assert_same(acc.report(), labelwise.evaluate(Y, y_score=DECIMALS, sample_weight=w))


@pytest.mark.parametrize("make", [Accumulator, compact], ids=["values", "codes"])
def test_copies_merges_and_pickles_keep_their_own_rows(make):
    acc = fed(make(), Y[:4000], DECIMALS[:4000], cuts=[0, 1000, 2000, 4000])
    twin = acc.copy()
    acc.update(Y[4000:5000], y_score=DECIMALS[4000:5000])
    twin.update(Y[5000:], y_score=DECIMALS[5000:])
    both = acc + twin
    saved = pickle.loads(pickle.dumps(acc))
    saved.update(Y[:10], y_score=DECIMALS[:10])
    deep = copy.deepcopy(acc)
    rows = {
        "acc": np.r_[0:5000],
        "twin": np.r_[0:4000, 5000:6000],
        "both": np.r_[0:5000, 0:4000, 5000:6000],
        "saved": np.r_[0:5000, 0:10],
        "deep": np.r_[0:5000],
    }
    for name, got in (("acc", acc), ("twin", twin), ("both", both), ("saved", saved),
                      ("deep", deep)):
        r = rows[name]
        assert_same(got.report(), labelwise.evaluate(Y[r], y_score=DECIMALS[r]))


def test_saved_states_of_values_read_back():
    acc = fed(Accumulator(), Y, DECIMALS)
    back = Accumulator.from_dict(json.loads(json.dumps(acc.to_dict())))
    assert_same(back.report(), acc.report())
    back.update(Y[:100], y_score=DECIMALS[:100])
    assert_same(back.report(), labelwise.evaluate(np.r_[Y, Y[:100]],
                                                  y_score=np.r_[DECIMALS, DECIMALS[:100]]))


def test_bin_scores_bins_the_decoded_scores():
    acc = fed(compact(), Y, DECIMALS).bin_scores()
    assert acc.exact == [] and acc.exact_bytes == 0
    binned = fed(Accumulator(auc="binned"), Y, DECIMALS)
    assert_same(acc.report(), binned.report())


def test_rows_reordered_and_resampled_from_codes():
    order = RNG.permutation(N)
    acc = fed(compact().keep_rows(), Y, DECIMALS)
    acc.reorder_rows(order)
    want = Accumulator().keep_rows()
    want.update(Y, y_score=DECIMALS)
    want.reorder_rows(order)
    assert_same(acc.report(), want.report())
    a, b = acc.samples(), want.samples()
    for x, y in zip(a.orders, b.orders):
        np.testing.assert_array_equal(x.rows, y.rows)
        np.testing.assert_array_equal(x.truth, y.truth)


# --------------------------------------------------------------------------
# What is held, and what report() adds
# --------------------------------------------------------------------------


TRUTH_BYTES = int(Y.sum()) * 5 + (N + 1) * 4  # int32 indices, bool data, int32 indptr


def test_exact_bytes_counts_what_is_held():
    assert fed(compact(), Y, DECIMALS).exact_bytes == N * L * 4 + TRUTH_BYTES
    assert fed(Accumulator(), Y, DECIMALS).exact_bytes == N * L * 8 + TRUTH_BYTES
    assert fed(compact(), Y, DECIMALS, w=WEIGHTS).exact_bytes == (N * L * 4 + TRUTH_BYTES
                                                                  + N * 8)


def test_report_sorts_the_kept_codes_without_copying_them():
    """One array of codes for all the batches: report() adds the pooled sort's keys
    (8 bytes a score) and small arrays, not a joined copy of the scores."""
    n = 200_000
    y = RNG.random((n, L)) < 0.3
    s = np.round(RNG.random((n, L)), 3)
    acc = compact()
    for lo in range(0, n, 20_000):
        acc.update(y[lo : lo + 20_000], y_score=s[lo : lo + 20_000])
    assert len(acc.exact) == 1 and acc.exact[0][1].dtype == np.float32
    tracemalloc.start()
    try:
        acc.report()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    keys = 8 * n * L
    assert peak < keys + 0.5 * acc.exact_bytes, (peak, keys, acc.exact_bytes)


# --------------------------------------------------------------------------
# The command line keeps codes, and --memory-limit counts them
# --------------------------------------------------------------------------


def _files(tmp_path, y, s):
    names = [f"l{j}" for j in range(y.shape[1])]
    truth, scores = tmp_path / "truth.csv", tmp_path / "scores.csv"
    truth.write_text(",".join(names) + "\n" + "".join(",".join(map(str, r)) + "\n"
                                                        for r in y.astype(int)))
    scores.write_text(",".join(names) + "\n" + "".join(",".join(f"{v:g}" for v in r) + "\n"
                                                         for r in s))
    return truth, scores, names


def _scoring(limit: float) -> Scoring:
    return Scoring(threshold=None, ge=False, logits=False, zero_division=D.ZERO_DIVISION,
                   beta=D.BETA, propensity_from=None, propensity_a=D.PROPENSITY_A,
                   propensity_b=D.PROPENSITY_B, k=D.CUTOFFS, auc="exact", auc_auto=True,
                   bins=D.BINS, memory_limit=limit)


def test_the_command_line_keeps_decimals_as_codes_within_the_memory_limit(tmp_path):
    truth, scores, names = _files(tmp_path, Y, DECIMALS)
    held = N * L * 4 + TRUTH_BYTES
    limit = held + N * L * 2  # float64 scores (8 bytes each) would be past it
    got = feed(truth, None, scores, Layout(), _scoring(limit))
    assert got.binned_note is None
    assert got.acc.exact[0][1].dtype == np.float32 and got.acc.exact_bytes == held
    # room for every row the scores file can hold, from its size: "0," per score at least
    rows = (scores.stat().st_size // (2 * L) + 1)
    assert got.acc._rows_hint == min(rows, int(limit) // (4 * L) + 1) >= N
    assert_same(got.acc.report(), labelwise.evaluate(Y, y_score=DECIMALS, labels=names))
    past = feed(truth, None, scores, Layout(), _scoring(0.5 * held))
    assert past.binned_note is not None and past.acc.report().params["auc"] == "binned"


# --------------------------------------------------------------------------
# Readers: big Blocks, read ahead, errors in order, stopped when closed
# --------------------------------------------------------------------------


def _readers() -> list:
    return [t for t in threading.enumerate() if t.name.startswith("labelwise reader")]


def test_blocks_join_the_readers_blocks(tmp_path, monkeypatch):
    path = tmp_path / "scores.csv"
    s = np.round(RNG.random((3000, 3)), 3)
    path.write_text("a,b,c\n" + "".join(",".join(f"{v:g}" for v in r) + "\n" for r in s))
    monkeypatch.setattr(lw_io, "BLOCK_BYTES", 256)  # pyarrow blocks of about 15 rows
    monkeypatch.setattr(lw_io, "STREAM_BLOCKS", 8)
    blocks = list(Source(path).blocks())
    assert len(blocks) > 10
    starts = [b.start for b in blocks]
    assert starts == list(np.cumsum([0] + [b.n_rows for b in blocks[:-1]]))
    assert max(b.values.nbytes for b in blocks) <= 8 * 256 + 8 * 3 * 30
    np.testing.assert_array_equal(np.vstack([b.values for b in blocks]), s)
    monkeypatch.setattr(lw_io, "STREAM_BLOCKS", 1000)
    blocks = list(Source(path).blocks(block_rows=100))
    assert all(100 <= b.n_rows < 120 for b in blocks[:-1])
    monkeypatch.setattr(lw_io, "STREAM_ROWS", 250)
    blocks = list(Source(path).blocks())
    assert all(250 <= b.n_rows < 270 for b in blocks[:-1])


def test_a_reader_raises_its_error_after_the_blocks_before_it(tmp_path, monkeypatch):
    monkeypatch.setattr(lw_io, "BLOCK_BYTES", 64)
    monkeypatch.setattr(lw_io, "STREAM_BLOCKS", 1)
    path = tmp_path / "scores.csv"
    rows = ["0.5,0.25"] * 40 + ["0.5,high"] + ["0.5,0.25"] * 5
    path.write_text("a,b\n" + "\n".join(rows) + "\n")
    got = []
    with pytest.raises(InputError, match=r"scores\.csv:42, column 'b': 'high' is not a number"):
        for block in Source(path).blocks():
            got.append(block.n_rows)
    assert 0 < sum(got) <= 40
    assert not _readers()


def test_closing_the_blocks_stops_the_reader(tmp_path, monkeypatch):
    monkeypatch.setattr(lw_io, "BLOCK_BYTES", 64)
    monkeypatch.setattr(lw_io, "STREAM_BLOCKS", 1)
    path = tmp_path / "scores.csv"
    path.write_text("a,b\n" + "0.5,0.25\n" * 2000)
    blocks = Source(path).blocks()
    first = next(blocks)
    assert first.n_rows > 0 and _readers()
    blocks.close()
    assert not _readers()


def test_readers_of_few_columns_run_further_ahead(tmp_path, monkeypatch):
    depths = []
    real = lw_io._read_ahead

    def spy(read, depth, name):
        depths.append(depth)
        return real(read, depth, name)

    monkeypatch.setattr(lw_io, "_read_ahead", spy)
    narrow, wide = tmp_path / "narrow.csv", tmp_path / "wide.csv"
    narrow.write_text("a,b\n" + "0.5,0.25\n" * 50)
    names = [f"c{j}" for j in range(40)]
    wide.write_text(",".join(names) + "\n" + (",".join(["0.5"] * 40) + "\n") * 50)
    for path in (narrow, wide):
        assert sum(b.n_rows for b in Source(path).blocks()) == 50
    # 32,768 rows of 2 columns fit in SMALL_BLOCK_BYTES; of 40 columns they do not
    assert depths == [lw_io.READ_AHEAD_SMALL, lw_io.READ_AHEAD]
    assert not _readers()


@pytest.mark.parametrize("places", [0, 1, 3, 6])
def test_places_are_found_alike_by_numpy_and_by_the_kernel(places, monkeypatch):
    x = np.concatenate([np.round(RNG.random(3000) * 100, places), RNG.random(50),
                        [0.1 + 0.2, -0.0, 1e-300]])
    by_numpy = exact_scores._on_places(x, places)
    monkeypatch.setattr(exact_scores, "_NUMPY_CELLS", 0)
    np.testing.assert_array_equal(exact_scores._on_places(x, places), by_numpy)
    assert by_numpy[:3000].all() and not by_numpy[-3]  # 0.30000000000000004 has 17 places
