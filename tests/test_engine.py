"""labelwise.Accumulator: batches, merges and checkpoints give evaluate()'s report.

The oracle is :func:`labelwise.evaluate` on all the data at once (and scikit-learn
for ROC-AUC and average precision). The data are cut into 1 to 5 batches of uneven
sizes, batches of one row included, and fed to an accumulator in every input kind
it takes: dense 0/1 arrays, nested lists, CSR matrices, DataFrames with named
(and, after the first batch, reordered) columns, label sets with and without
``labels=``, delimited strings; and for scores dense float64 and float32 matrices,
sparse CSR scores and top-k ``(indices, scores)`` pairs.

A report equals another when it has the same metric names with values equal to
1e-12 (NaN equal to NaN), the same per-label table, labels, parameters, undefined
metrics and finding codes.
"""

from __future__ import annotations

import functools
import json
import math
import operator
import pickle
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import Accumulator, InputError, evaluate
from strategies import as_format, label_matrices, label_names, sample_weights

ATOL = 1e-12
ZERO_DIVISIONS = (0, 1, math.nan)

HARD_KINDS = ("dense", "list", "csr", "frame", "sets", "sets+labels", "strings")
TRUTH_KINDS_WITH_SCORES = ("dense", "list", "csr", "frame", "sets+labels")
SCORE_KINDS = ("float64", "float32", "sparse", "topk")
DENSE_SCORE_KINDS = ("float64", "float32")
GROWING_KINDS = ("sets", "strings")  # label sets without labels=: the vocabulary grows
_AS_FORMAT = {"dense": "int64", "list": "list", "csr": "csr", "sets": "sets",
              "sets+labels": "sets", "strings": "strings"}

# Metrics that auc="binned" computes from bins; every other one stays exact.
BINNED_METRICS = frozenset(f"{family}_{average}" for family in ("roc_auc", "average_precision")
                           for average in ("macro", "micro", "weighted"))


# --------------------------------------------------------------------------
# Comparing reports
# --------------------------------------------------------------------------


def _same_value(got, expected) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(got, float) and math.isnan(got)
    if isinstance(expected, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(expected)
                and all(_same_value(g, e) for g, e in zip(got, expected)))
    if isinstance(expected, dict):
        return (isinstance(got, dict) and set(got) == set(expected)
                and all(_same_value(got[k], v) for k, v in expected.items()))
    if isinstance(expected, float) and isinstance(got, (int, float)):
        return abs(got - expected) <= ATOL
    return got == expected


def assert_same_report(got, expected, what="", skip=frozenset()):
    """Same metrics (to ATOL, NaN equal NaN), per-label table, labels, params, findings.

    ``skip`` names metrics (and the per-label ``roc_auc``/``average_precision``
    columns, when it holds binned ones) left out of the value comparison.
    """
    # binned ROC-AUC keeps no scores, so it has no adaptive (equal-mass) ECE
    absent = {"ece_adaptive_macro"} if skip & BINNED_METRICS else set()
    assert set(got.metrics) == set(expected.metrics) - absent, (
        what, sorted(set(got.metrics) ^ set(expected.metrics)))
    for name, value in expected.metrics.items():
        if name not in skip and name not in absent:
            assert _same_value(got.metrics[name], value), (what, name, got.metrics[name], value)
    assert got.labels == expected.labels, what
    assert got.n_samples == expected.n_samples, what
    assert got.per_label.columns == expected.per_label.columns, what
    binned_columns = {"roc_auc", "average_precision"} if skip & BINNED_METRICS else set()
    for column in expected.per_label.columns:
        if column == "label":
            assert list(got.per_label[column]) == list(expected.per_label[column]), what
        elif column not in binned_columns:
            np.testing.assert_allclose(
                np.asarray(got.per_label[column], dtype=np.float64),
                np.asarray(expected.per_label[column], dtype=np.float64),
                rtol=0, atol=ATOL, equal_nan=True, err_msg=f"{what} per_label[{column!r}]")
    if not skip:
        assert _same_value(got.params, expected.params), (what, got.params, expected.params)
    assert got.undefined == expected.undefined, what
    assert [f.code for f in got.findings] == [f.code for f in expected.findings], what


def outcome(acc):
    """The accumulator's report, or the message of the InputError it raises (as for a
    state of zero-weight samples only, which evaluate() refuses too)."""
    try:
        return acc.report()
    except InputError as err:
        return str(err)


def assert_same_outcome(got, expected, what=""):
    if isinstance(expected, str):
        assert got == expected, what
    else:
        assert not isinstance(got, str), (what, got)
        assert_same_report(got, expected, what)


# --------------------------------------------------------------------------
# Streams: one data set, its input kind, its settings and its batches
# --------------------------------------------------------------------------


@dataclass
class Stream:
    """The keyword arguments of evaluate() on all the data, and of update() per batch.

    ``options`` are the settings evaluate() and Accumulator() share (labels,
    threshold, zero_division, ...).
    """

    kind: str
    score_kind: str | None
    whole: dict
    parts: list
    options: dict = field(default_factory=dict)
    shown: dict = field(default_factory=dict)

    @property
    def dense_scores(self) -> bool:
        return self.score_kind in DENSE_SCORE_KINDS

    def evaluate(self, **extra):
        return evaluate(**self.whole, **{**self.options, **extra})

    def accumulator(self, **extra) -> Accumulator:
        return Accumulator(**{**self.options, **extra})

    def fed(self, parts=None, **extra) -> Accumulator:
        acc = self.accumulator(**extra)
        for part in self.parts if parts is None else parts:
            acc.update(**part)
        return acc

    def __repr__(self) -> str:
        return (f"Stream(kind={self.kind!r}, score_kind={self.score_kind!r}, "
                f"options={self.options!r}, {self.shown!r})")


def make_stream(kind, y_true, cuts, *, y_pred=None, scores=None, score_kind=None,
                weights=None, options=None, perms=None, sparse_mask=None, topk=None):
    """A :class:`Stream` of ``y_true`` with ``y_pred`` or ``scores`` cut at ``cuts``.

    ``weights`` is None, or one entry per batch: an array of its weights, or None
    (that batch unweighted, which counts as weight 1 in the whole). ``perms`` give,
    per batch, the column orders of the truth and the second input of a DataFrame
    batch (None keeps the order). ``sparse_mask`` keeps those scores of a sparse
    batch; ``topk`` is the width of top-k scores.
    """
    n, L = y_true.shape
    names = label_names(L)
    bounds = list(zip(cuts[:-1], cuts[1:]))
    perms = perms or [(None, None)] * len(bounds)

    def frame(values, a, b, perm):
        df = pd.DataFrame(values[a:b], columns=names, index=pd.RangeIndex(a, b))
        return df if perm is None else df.iloc[:, list(perm)]

    def truth(a, b, perm):
        if kind == "frame":
            return frame(y_true, a, b, perm)
        return as_format(y_true[a:b], _AS_FORMAT[kind])

    if scores is None:
        def second(a, b, perm):
            if kind == "frame":
                return frame(y_pred, a, b, perm)
            return as_format(y_pred[a:b], _AS_FORMAT[kind])
        key = "y_pred"
    else:
        key = "y_score"
        if score_kind == "topk":
            order = np.argsort(-scores, axis=1, kind="stable")[:, :topk]
            top = (order, np.take_along_axis(scores, order, axis=1))

        def second(a, b, perm):
            if score_kind == "sparse":
                return sp.csr_matrix(np.where(sparse_mask[a:b], scores[a:b], 0))
            if score_kind == "topk":
                return top[0][a:b], top[1][a:b]
            if kind == "frame":
                return frame(scores, a, b, perm)
            return scores[a:b]

    parts = []
    for (a, b), (tp, sp_) in zip(bounds, perms):
        part = {"y_true": truth(a, b, tp), key: second(a, b, sp_)}
        if weights is not None:
            part["sample_weight"] = weights[len(parts)]
        parts.append(part)
    whole = {"y_true": truth(0, n, None), key: second(0, n, None)}
    if weights is not None and any(w is not None for w in weights):
        whole["sample_weight"] = np.concatenate([
            np.ones(b - a) if w is None else w for (a, b), w in zip(bounds, weights)])
    options = dict(options or {})
    if kind == "sets+labels":
        options.setdefault("labels", names)
    shown = {"y_true": y_true.tolist(), "cuts": list(cuts),
             "weights": None if weights is None else [
                 None if w is None else w.tolist() for w in weights]}
    if y_pred is not None:
        shown["y_pred"] = y_pred.tolist()
    if scores is not None:
        shown["scores"] = scores.tolist()
    return Stream(kind, score_kind, whole, parts, options, shown)


@st.composite
def batch_cuts(draw, n: int):
    """``[0, ..., n]``: 1 to 5 batches of uneven sizes (one row each is allowed)."""
    n_batches = min(n, draw(st.sampled_from([2, 3, 5, 4, 1]), label="n_batches"))
    inner = draw(st.lists(st.integers(1, n - 1), min_size=n_batches - 1,
                          max_size=n_batches - 1, unique=True), label="cuts") if n > 1 else []
    return [0, *sorted(inner), n]


def _give_a_label(y_true, y_other, rng):
    """evaluate() refuses label sets without ``labels=`` that hold no label at all."""
    if not (y_true.any() or y_other.any()):
        y_true[0, rng.integers(y_true.shape[1])] = 1


@st.composite
def batch_weights(draw, cuts):
    """None, or weights per batch: every batch weighted, or some of them left unweighted.

    A batch may weigh 0 in all, though the whole data never does.
    """
    mode = draw(st.sampled_from(["none", "all", "some"]), label="weighting")
    if mode == "none":
        return None
    w = draw(sample_weights(cuts[-1]))
    return [None if mode == "some" and draw(st.booleans(), label="unweighted") else w[a:b]
            for a, b in zip(cuts[:-1], cuts[1:])]


@st.composite
def _perms(draw, kind, n_labels, n_batches):
    """Column orders of the DataFrame batches after the first (which fixes the order)."""
    if kind != "frame":
        return None
    perm = st.permutations(range(n_labels)).map(tuple)
    return [(None, None)] + [(draw(perm), draw(perm)) for _ in range(n_batches - 1)]


@st.composite
def hard_streams(draw, kind):
    """Hard 0/1 predictions (or label sets) in input kind ``kind``."""
    max_labels = 12 if kind in ("sets", "sets+labels", "strings") else 8
    y_true, y_pred = draw(label_matrices(min_rows=2, max_rows=24, max_labels=max_labels))
    n, L = y_true.shape
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    cuts = draw(batch_cuts(n))
    if kind in GROWING_KINDS:
        if len(cuts) > 2 and draw(st.booleans(), label="late labels"):
            # some labels first occur in a later batch: the vocabulary grows there
            late = rng.random(L) < 0.5
            start = cuts[draw(st.integers(1, len(cuts) - 2), label="first seen in batch")]
            y_true[:start, late] = 0
            y_pred[:start, late] = 0
            if late.any():
                y_true[start, rng.choice(np.flatnonzero(late))] = 1
        _give_a_label(y_true, y_pred, rng)
    options = {"zero_division": draw(st.sampled_from(ZERO_DIVISIONS), label="zero_division"),
               "beta": draw(st.sampled_from([2.0, 0.5, 1.0]), label="beta")}
    if kind == "sets+labels":
        options["labels"] = draw(st.permutations(label_names(L)), label="labels")
    return make_stream(kind, y_true, cuts, y_pred=y_pred, weights=draw(batch_weights(cuts)),
                       options=options, perms=draw(_perms(kind, L, len(cuts) - 1)))


@st.composite
def score_streams(draw, score_kind, kind=None):
    """Scores of ``score_kind`` with truth in ``kind`` (drawn when None) and drawn settings."""
    if kind is None:
        kind = draw(st.sampled_from(TRUTH_KINDS_WITH_SCORES), label="truth kind")
    y_true, _ = draw(label_matrices(min_rows=2, max_rows=24, max_labels=8))
    n, L = y_true.shape
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    cuts = draw(batch_cuts(n))
    scores = rng.random((n, L))
    grid = draw(st.sampled_from([None, 0.1, 0.25]), label="grid")  # ties, and scores at 0.5
    if grid is not None:
        scores = np.round(scores / grid) * grid
    logits = draw(st.booleans(), label="scores_are_logits")
    if logits:
        scores = (scores - 0.5) * 8
    scores = scores.astype(np.float32 if score_kind == "float32" or
                           (score_kind != "float64" and draw(st.booleans())) else np.float64)
    per_label = st.lists(st.sampled_from([0.1, 0.25, 0.5, 0.75]), min_size=L, max_size=L)
    threshold = draw(st.one_of(st.sampled_from([0.5, 0.3, 0.0, 1.0]), per_label),
                     label="threshold")
    if kind in ("frame", "sets+labels") and draw(st.booleans(), label="threshold by name"):
        named = dict(zip(label_names(L), draw(per_label, label="thresholds")))
        threshold = {**dict(list(named.items())[:draw(st.integers(0, L))]),
                     "*": named["L0"]}  # some labels by name, the others under "*"
    options = {
        "threshold": threshold,
        "inclusive": draw(st.booleans(), label="inclusive"),
        "k": draw(st.sampled_from([(1, 3, 5), (1,), (2, 4), (1, 2, 10)]), label="k"),
        "zero_division": draw(st.sampled_from(ZERO_DIVISIONS), label="zero_division"),
        "scores_are_logits": logits,
    }
    if draw(st.booleans(), label="propensity"):
        options["inv_propensity"] = rng.uniform(1.0, 5.0, L).tolist()
    mask = rng.random((n, L)) < draw(st.sampled_from([0.2, 0.6, 1.0]), label="stored")
    return make_stream(kind, y_true, cuts, scores=scores, score_kind=score_kind,
                       weights=draw(batch_weights(cuts)), options=options,
                       perms=draw(_perms(kind if score_kind in DENSE_SCORE_KINDS else None,
                                         L, len(cuts) - 1)),
                       sparse_mask=mask, topk=draw(st.integers(1, L), label="top-k width"))


def any_stream():
    return st.one_of(
        *[hard_streams(kind) for kind in HARD_KINDS],
        *[score_streams(score_kind) for score_kind in SCORE_KINDS],
    )


# --------------------------------------------------------------------------
# Shared worked data
# --------------------------------------------------------------------------


def _fixed_stream(name: str) -> Stream:
    """Deterministic streams for the checkpoint and merge examples."""
    rng = np.random.default_rng(sum(map(ord, name)))
    n, L = 37, 6
    y_true = (rng.random((n, L)) < 0.3).astype(np.int64)
    y_pred = (rng.random((n, L)) < 0.3).astype(np.int64)
    scores = np.round(rng.random((n, L)), 2)
    cuts = [0, 1, 12, 30, n]
    if name == "hard":
        return make_stream("dense", y_true, cuts, y_pred=y_pred)
    if name in ("scores-exact", "scores-binned"):
        return make_stream("dense", y_true, cuts, scores=scores, score_kind="float64",
                           options={"threshold": [0.3, 0.5, 0.5, 0.7, 0.5, 0.2]})
    if name == "sets-growing":
        y_true[:12, 3:] = 0  # labels L3, L4 and L5 first appear in the third batch
        y_pred[:12, 3:] = 0
        return make_stream("sets", y_true, cuts, y_pred=y_pred)
    if name == "weighted":
        w = rng.uniform(0.0, 3.0, n)
        return make_stream("frame", y_true, cuts, scores=scores, score_kind="float32",
                           weights=[w[a:b] for a, b in zip(cuts[:-1], cuts[1:])])
    raise ValueError(name)


FIXED_STREAMS = ("hard", "scores-exact", "scores-binned", "sets-growing", "weighted")


def _extra(name: str) -> dict:
    return {"auc": "binned"} if name == "scores-binned" else {}


@pytest.fixture(params=FIXED_STREAMS)
def fixed(request):
    """(name, stream, Accumulator settings beyond the stream's own)."""
    return request.param, _fixed_stream(request.param), _extra(request.param)


@pytest.fixture(scope="module")
def w2():
    """W2-shaped data: 20,000 x 50 float32 scores in [0, 1], about 5% of labels true.

    Negatives score uniformly, positives higher on average (the square root of a
    uniform draw), so ROC-AUC is about 0.67 rather than 0.5.
    """
    rng = np.random.default_rng(20_000)
    y = rng.random((20_000, 50)) < 0.05
    u = rng.random((20_000, 50), dtype=np.float32)
    scores = np.where(y, np.sqrt(u), u).astype(np.float32)
    logits = (rng.normal(size=(20_000, 50)) + 2.0 * y).astype(np.float32)
    return y.astype(np.int8), scores, logits


W2_CUTS = [0, 1, 4_999, 12_000, 20_000]


def _batches(*arrays, cuts=W2_CUTS):
    for a, b in zip(cuts[:-1], cuts[1:]):
        yield tuple(x[a:b] for x in arrays)


@pytest.fixture
def small():
    """A small scored data set: 3 labels named A, B, C over 8 samples."""
    rng = np.random.default_rng(8)
    y = (rng.random((8, 3)) < 0.5).astype(np.int64)
    y[0] = [1, 0, 1]
    y[1] = [0, 1, 0]
    return y, rng.random((8, 3)), ["A", "B", "C"]


# --------------------------------------------------------------------------
# 1. Batches through an Accumulator give evaluate()'s report
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", HARD_KINDS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_hard_label_batches_equal_evaluate(kind, data):
    stream = data.draw(hard_streams(kind), label="stream")
    assert_same_report(stream.fed().report(), stream.evaluate(), repr(stream))


@pytest.mark.parametrize("score_kind", SCORE_KINDS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_score_batches_equal_evaluate(score_kind, data):
    stream = data.draw(score_streams(score_kind), label="stream")
    expected = stream.evaluate()
    assert_same_report(stream.fed().report(), expected, repr(stream))
    has_auc = "roc_auc_micro" in expected.metrics
    assert has_auc == stream.dense_scores  # exact ROC-AUC/AP with dense scores only


@pytest.mark.parametrize("truth_kind", ("dense", "frame", "sets+labels"))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_exact_auc_and_ap_match_sklearn(truth_kind, data):
    stream = data.draw(score_streams("float64", kind=truth_kind), label="stream")
    report = stream.fed().report()
    assert report.params["auc"] == "exact"
    y = np.asarray(stream.shown["y_true"])
    scores = np.asarray(stream.shown["scores"])
    w = stream.whole.get("sample_weight")
    names = label_names(y.shape[1])
    order = [names.index(x) if x in names else x for x in report.labels]  # labels= may reorder
    y, scores = y[:, order], scores[:, order]
    support = (y * (1 if w is None else w[:, None])).sum(axis=0)
    negatives = ((1 - y) * (1 if w is None else w[:, None])).sum(axis=0)
    both = (support > 0) & (negatives > 0)
    if support.sum() > 0 and negatives.sum() > 0:
        assert report["roc_auc_micro"] == pytest.approx(
            skm.roc_auc_score(y, scores, average="micro", sample_weight=w), abs=ATOL)
        assert report["average_precision_micro"] == pytest.approx(
            skm.average_precision_score(y, scores, average="micro", sample_weight=w), abs=ATOL)
    for j in np.flatnonzero(both):
        assert report.per_label["roc_auc"][j] == pytest.approx(
            skm.roc_auc_score(y[:, j], scores[:, j], sample_weight=w), abs=ATOL)
        assert report.per_label["average_precision"][j] == pytest.approx(
            skm.average_precision_score(y[:, j], scores[:, j], sample_weight=w), abs=ATOL)
    if both.all():
        assert report["roc_auc_macro"] == pytest.approx(
            skm.roc_auc_score(y, scores, average="macro", sample_weight=w), abs=ATOL)


def test_label_sets_vocabulary_grows_to_the_sorted_union():
    batches = [([["rock"], []], [["rock", "live"], ["rock"]]),
               ([["jazz"]], [[]]),
               ([["blues", "rock"], ["jazz"]], [["blues"], ["pop"]])]
    acc = Accumulator()
    seen = []
    for y_true, y_pred in batches:
        acc.update(y_true, y_pred)
        seen.append(acc.report().labels)
    assert seen == [("live", "rock"), ("jazz", "live", "rock"),
                    ("blues", "jazz", "live", "pop", "rock")]
    whole_true = [row for y_true, _ in batches for row in y_true]
    whole_pred = [row for _, y_pred in batches for row in y_pred]
    expected = evaluate(whole_true, whole_pred)
    assert_same_report(acc.report(), expected)
    assert "label_space_from_data" in [f.code for f in expected.findings]


def test_label_sets_with_labels_keep_the_given_order():
    labels = ["rock", "jazz", "blues"]
    acc = Accumulator(labels=labels).update([["jazz"]], [["jazz"]]).update([["rock"]], [[]])
    expected = evaluate([["jazz"], ["rock"]], [["jazz"], []], labels=labels)
    assert acc.report().labels == tuple(labels)
    assert_same_report(acc.report(), expected)


def test_dataframe_batches_are_matched_by_column_name(small):
    y, scores, names = small
    frame = pd.DataFrame(y, columns=names)
    score_frame = pd.DataFrame(scores, columns=names)
    acc = Accumulator().update(frame.iloc[:3], y_score=score_frame.iloc[:3])
    acc.update(frame.iloc[3:][["C", "A", "B"]], y_score=score_frame.iloc[3:][["B", "C", "A"]])
    assert_same_report(acc.report(), evaluate(frame, y_score=score_frame))


def test_batches_with_and_without_weights_count_the_unweighted_as_one(small):
    y, scores, _ = small
    w = np.array([0.5, 2.0, 0.0, 1.5, 3.0])
    acc = Accumulator().update(y[:3], y_score=scores[:3]).update(y[3:], y_score=scores[3:],
                                                                 sample_weight=w)
    expected = evaluate(y, y_score=scores, sample_weight=np.r_[np.ones(3), w])
    assert_same_report(acc.report(), expected)
    assert acc.report().params["weighted"] is True


# --------------------------------------------------------------------------
# 2. Merging
# --------------------------------------------------------------------------


def _merge_orders(accs, options):
    """The same batch states merged in several orders and ways.

    Yields ``(how, merged, leftmost)``: the leftmost operand's DataFrame columns
    give the order of the labels, as ``pd.concat`` takes the first frame's.
    """
    first, last = accs[0], accs[-1]
    yield "a + b + c", functools.reduce(operator.add, accs), first
    yield "c + (b + a)", functools.reduce(lambda acc, nxt: nxt + acc, accs), last
    yield "sum", sum(accs), first
    chained = accs[0].copy()
    for other in accs[1:]:
        chained.merge(other)
    yield "merge chain", chained, first
    empty = Accumulator(**options)
    for other in reversed(accs):
        empty.merge(other)
    yield "into an empty one", empty, last
    half = len(accs) // 2 or 1
    left, right = accs[:half], accs[half:]
    yield "tree", (sum(left) + sum(right)) if right else sum(left), first


def _per_label_settings_by_name(stream: Stream) -> Stream:
    """Per-label thresholds as a dict by name, and no inverse propensities.

    One per label in column order names the labels by position, and the DataFrame
    batches that start their own accumulators order their columns differently (see
    test_merging_reordered_columns_with_per_label_settings_raises).
    """
    options = dict(stream.options)
    options.pop("inv_propensity", None)
    if isinstance(options.get("threshold"), list):
        names = label_names(len(options["threshold"]))
        options["threshold"] = dict(zip(names, options["threshold"]))
    return replace(stream, options=options)


@settings(max_examples=60, deadline=None)
@given(stream=any_stream())
def test_merging_batch_states_in_any_order_equals_evaluate(stream):
    if stream.kind == "frame":
        stream = _per_label_settings_by_name(stream)
    expected = stream.evaluate()
    accs = [stream.fed([part]) for part in stream.parts]
    before = [outcome(acc) for acc in accs]
    for how, merged, leftmost in _merge_orders(accs, stream.options):
        ordered = expected
        if stream.kind == "frame" and leftmost.labels != expected.labels:
            ordered = stream.evaluate(labels=leftmost.labels)  # that batch's column order
        assert_same_report(merged.report(), ordered, f"{how}: {stream!r}")
    for acc, report in zip(accs, before):  # merging leaves its operands as they were
        assert_same_outcome(outcome(acc), report, repr(stream))
    if stream.dense_scores:  # binned states add up to the state of all the data
        binned = stream.fed(auc="binned").report()
        accs = [stream.fed([part], auc="binned") for part in stream.parts]
        for how, merged, leftmost in _merge_orders(accs, {**stream.options, "auc": "binned"}):
            ordered = binned
            if stream.kind == "frame" and leftmost.labels != binned.labels:
                ordered = stream.fed(auc="binned", labels=leftmost.labels).report()
            assert_same_report(merged.report(), ordered, f"binned {how}: {stream!r}")


def test_merging_binned_states_equals_one_binned_accumulator():
    stream, extra = _fixed_stream("scores-binned"), _extra("scores-binned")
    whole = stream.fed(**extra).report()
    accs = [stream.fed([part], **extra) for part in stream.parts]
    for how, merged, _ in _merge_orders(accs, {**stream.options, **extra}):
        assert_same_report(merged.report(), whole, how)
    assert whole.params["auc"] == "binned"


def test_merging_label_sets_widens_both_vocabularies():
    a = Accumulator().update([["rock"]], [["rock"]])
    b = Accumulator().update([["jazz", "pop"]], [["jazz"]])
    expected = evaluate([["rock"], ["jazz", "pop"]], [["rock"], ["jazz"]])
    for merged in (a + b, b + a):
        assert merged.report().labels == ("jazz", "pop", "rock")
        assert_same_report(merged.report(), expected)


def test_merging_the_same_labels_in_another_column_order(small):
    y, scores, names = small
    frame, score_frame = pd.DataFrame(y, columns=names), pd.DataFrame(scores, columns=names)
    a = Accumulator().update(frame.iloc[:4], y_score=score_frame.iloc[:4])
    b = Accumulator().update(frame.iloc[4:][["C", "B", "A"]],
                             y_score=score_frame.iloc[4:][["C", "B", "A"]])
    assert_same_report((a + b).report(), evaluate(frame, y_score=score_frame))


def test_merging_an_accumulator_of_empty_label_sets():
    empty_sets = Accumulator().update([[], []], [[], []])
    rock = Accumulator().update([["rock"]], [["rock"]])
    expected = evaluate([[], [], ["rock"]], [[], [], ["rock"]])
    assert_same_report((empty_sets + rock).report(), expected)
    assert_same_report((rock + empty_sets).report(), expected)


@pytest.mark.parametrize("setting", [{"threshold": [0.2, 0.5]}, {"inv_propensity": [1.0, 5.0]}],
                         ids=["threshold", "inv_propensity"])
def test_merging_reordered_columns_with_per_label_settings_raises(setting):
    truth = pd.DataFrame([[1, 1], [1, 1]], columns=["a", "b"])
    scores = pd.DataFrame([[0.3, 0.1], [0.3, 0.1]], columns=["a", "b"])
    first = Accumulator(**setting).update(truth.iloc[:1], y_score=scores.iloc[:1])
    second = Accumulator(**setting).update(truth.iloc[1:][["b", "a"]],
                                           y_score=scores.iloc[1:][["b", "a"]])
    with pytest.raises(InputError, match=next(iter(setting))):
        first + second


SETTINGS_THAT_DIFFER = [
    ("threshold", {"threshold": 0.3}),
    ("inclusive", {"inclusive": True}),
    ("k", {"k": (1, 2)}),
    ("auc", {"auc": "binned"}),
    ("bins", {"bins": 100}),
    ("score_range", {"score_range": (0.0, 2.0)}),
    ("zero_division", {"zero_division": 1}),
    ("beta", {"beta": 0.5}),
    ("scores_are_logits", {"scores_are_logits": True}),
    ("sep", {"sep": "|"}),
    ("inv_propensity", {"inv_propensity": [1.0, 2.0, 3.0]}),
]


@pytest.mark.parametrize("setting, changed", SETTINGS_THAT_DIFFER,
                         ids=[s for s, _ in SETTINGS_THAT_DIFFER])
@pytest.mark.parametrize("fed", [False, True], ids=["empty", "fed"])
def test_merging_different_settings_names_the_setting(setting, changed, fed, small):
    y, scores, _ = small
    a, b = Accumulator(), Accumulator(**changed)
    if fed:
        a.update(y[:4], y_score=scores[:4])
        b.update(y[4:], y_score=scores[4:])
    for left, right in ((a, b), (b, a)):
        with pytest.raises(InputError, match=rf"different settings \({setting}\b.*build both "
                                             r"with the same arguments"):
            left.merge(right)
        with pytest.raises(InputError, match=rf"different settings \({setting}\b"):
            left + right


def test_merging_labels_with_scores_raises(small):
    y, scores, _ = small
    hard = Accumulator().update(y, (scores > 0.5).astype(int))
    soft = Accumulator().update(y, y_score=scores)
    for left, right in ((hard, soft), (soft, hard)):
        with pytest.raises(InputError, match=r"cannot merge an accumulator of (labels|scores) "
                                             r"with one of (scores|labels)"):
            left + right


def test_merging_different_labels_raises(small):
    y, _, _ = small
    a = Accumulator(labels=["A", "B", "C"]).update(y, y)
    b = Accumulator(labels=["A", "B", "D"]).update(y, y)
    with pytest.raises(InputError, match=r"different labels: \['A', 'B', 'C'\] and "
                                         r"\['A', 'B', 'D'\]"):
        a + b
    with pytest.raises(InputError, match=r"over 3 and 2 labels"):
        Accumulator().update(y, y) + Accumulator().update(y[:, :2], y[:, :2])


def test_merging_something_else_raises(small):
    y, _, _ = small
    acc = Accumulator().update(y, y)
    with pytest.raises(InputError, match=r"can only merge an Accumulator, not a dict"):
        acc.merge({})
    with pytest.raises(TypeError):
        acc + 1


def test_copy_is_independent(small):
    y, scores, _ = small
    acc = Accumulator().update(y[:4], y_score=scores[:4])
    copy = acc.copy().update(y[4:], y_score=scores[4:])
    assert_same_report(acc.report(), evaluate(y[:4], y_score=scores[:4]))
    assert_same_report(copy.report(), evaluate(y, y_score=scores))


# --------------------------------------------------------------------------
# 3. Checkpoints: to_dict / from_dict through JSON, and pickle
# --------------------------------------------------------------------------


def via_json(acc: Accumulator) -> Accumulator:
    return Accumulator.from_dict(json.loads(json.dumps(acc.to_dict())))


def via_pickle(acc: Accumulator) -> Accumulator:
    return pickle.loads(pickle.dumps(acc))


ROUTES = {"json": via_json, "pickle": via_pickle}


@pytest.mark.parametrize("route", ROUTES)
def test_checkpoint_round_trip_then_more_updates(fixed, route):
    name, stream, extra = fixed
    restore = ROUTES[route]
    everything = stream.fed(**extra)
    for at in range(1, len(stream.parts)):
        acc = stream.fed(stream.parts[:at], **extra)
        back = restore(acc)
        assert_same_report(back.report(), acc.report(), f"{name} after {at} batches")
        for part in stream.parts[at:]:
            back.update(**part)
        assert_same_report(back.report(), everything.report(), f"{name} restored at {at}")
        rest = stream.fed(stream.parts[at:], **extra)
        assert_same_report((restore(acc) + rest).report(), everything.report(),
                           f"{name}: restored + the rest")
    if not extra:
        assert_same_report(everything.report(), stream.evaluate(), name)


def test_checkpoint_data_is_plain_json(fixed):
    _, stream, extra = fixed
    data = stream.fed(**extra).to_dict()
    text = json.dumps(data, allow_nan=False)  # strict JSON: no NaN or Infinity tokens
    assert json.loads(text) == data
    assert data["format"] == "labelwise.Accumulator/1"


@settings(max_examples=50, deadline=None)
@given(stream=any_stream(), data=st.data())
def test_checkpoint_anywhere_equals_one_accumulator_fed_everything(stream, data):
    at = data.draw(st.integers(0, len(stream.parts)), label="checkpoint after")
    route = data.draw(st.sampled_from(sorted(ROUTES)), label="route")
    extra = ({"auc": "binned"} if stream.dense_scores and data.draw(st.booleans(), label="binned")
             else {})
    acc = stream.fed(stream.parts[:at], **extra)
    back = ROUTES[route](acc)
    if at:
        assert_same_outcome(outcome(back), outcome(acc), repr(stream))
    for part in stream.parts[at:]:
        back.update(**part)
    everything = stream.fed(**extra).report()
    assert_same_report(back.report(), everything, repr(stream))
    if not extra:
        assert_same_report(back.report(), stream.evaluate(), repr(stream))


def test_restored_accumulator_merges_with_the_same_tuple_threshold(small):
    y, scores, _ = small
    a = Accumulator(threshold=(0.3, 0.5, 0.7)).update(y[:4], y_score=scores[:4])
    b = Accumulator(threshold=(0.3, 0.5, 0.7)).update(y[4:], y_score=scores[4:])
    expected = evaluate(y, y_score=scores, threshold=(0.3, 0.5, 0.7))
    assert_same_report((via_json(a) + b).report(), expected)


@pytest.mark.parametrize("bad", [None, {}, {"format": "labelwise.BinnedScores/1"}, [1]])
def test_from_dict_refuses_other_data(bad):
    with pytest.raises(InputError, match=r"not the data of Accumulator.to_dict\(\)"):
        Accumulator.from_dict(bad)


# --------------------------------------------------------------------------
# 4. Binned ROC-AUC and AP
# --------------------------------------------------------------------------


def _binned_errors(binned, exact):
    """Largest |binned - exact| of ROC-AUC and of AP, over labels, macro and micro."""
    out = {}
    for family in ("roc_auc", "average_precision"):
        diffs = [abs(binned[f"{family}_{avg}"] - exact[f"{family}_{avg}"])
                 for avg in ("macro", "micro", "weighted")]
        per_label = np.abs(binned.per_label[family] - exact.per_label[family])
        diffs.append(np.nanmax(per_label))
        out[family] = max(diffs)
    return out


def assert_binned_close(binned, exact, auc_tol=1e-4):
    """ROC-AUC within ``auc_tol``, both families within the stated bounds, the rest exact."""
    assert binned.params["auc"] == "binned"
    assert binned.params["bins"] == 10_000
    errors = _binned_errors(binned, exact)
    for avg in ("macro", "micro"):
        assert abs(binned[f"roc_auc_{avg}"] - exact[f"roc_auc_{avg}"]) <= auc_tol
    assert errors["roc_auc"] <= binned.params["auc_error_bound"] + ATOL
    assert errors["average_precision"] <= binned.params["ap_error_bound"] + ATOL
    assert_same_report(binned, exact, skip=BINNED_METRICS)


def test_binned_auc_on_w2_data_is_within_1e4_of_exact(w2):
    y, scores, _ = w2
    acc = Accumulator(auc="binned")
    for yb, sb in _batches(y, scores):
        acc.update(yb, y_score=sb)
    assert acc.exact_bytes == 0
    exact = evaluate(y, y_score=scores)
    assert exact.params["auc"] == "exact"
    assert_binned_close(acc.report(), exact)


def test_binned_logits_on_w2_data_are_within_1e4_of_exact(w2):
    y, _, logits = w2
    acc = Accumulator(auc="binned", scores_are_logits=True)
    for yb, sb in _batches(y, logits):
        acc.update(yb, y_score=sb)
    report = acc.report()
    assert report.params["scores_are_logits"] is True
    assert_binned_close(report, evaluate(y, y_score=logits, scores_are_logits=True))


def test_binned_scores_outside_the_range_raise_with_the_fix(small):
    y, scores, _ = small
    acc = Accumulator(auc="binned").update(y[:4], y_score=scores[:4])
    with pytest.raises(InputError, match=r"scores range from .* but the bins cover "
                                         r"score_range=\(0, 1\).*[Pp]ass score_range=\(0, 3\)"):
        acc.update(y[4:], y_score=scores[4:] * 3)


def test_binned_out_of_range_message_names_the_accumulator_settings(small):
    y, scores, _ = small
    with pytest.raises(InputError, match=r"score_range=\(0, 3\).*scores_are_logits=True") as err:
        Accumulator(auc="binned").update(y, y_score=scores * 3)
    assert "BinnedScores" not in str(err.value)


def test_bin_scores_after_exact_updates_switches_to_binned(w2):
    y, scores, _ = w2
    y, scores = y[:4000], scores[:4000]
    cuts = [0, 700, 1500, 3999, 4000]
    acc = Accumulator()
    binned_all_along = Accumulator(auc="binned")
    for i, (yb, sb) in enumerate(_batches(y, scores, cuts=cuts)):
        acc.update(yb, y_score=sb)
        binned_all_along.update(yb, y_score=sb)
        if i == 1:
            assert acc.exact_bytes > 0
            assert acc.report().params["auc"] == "exact"
            assert acc.bin_scores() is acc
            assert acc.exact_bytes == 0
    report = acc.report()
    assert report.params["auc"] == "binned"
    assert_same_report(report, binned_all_along.report())
    assert_binned_close(report, evaluate(y, y_score=scores), auc_tol=1e-3)


def test_bin_scores_outside_the_range_bins_on_the_sigmoid_scale(w2):
    y, _, logits = w2
    y, logits = y[:3000], logits[:3000]
    acc = Accumulator().update(y[:1000], y_score=logits[:1000]).bin_scores()
    acc.update(y[1000:], y_score=logits[1000:])
    report = acc.report()
    assert report.params["auc"] == "binned"
    assert_binned_close(report, evaluate(y, y_score=logits), auc_tol=1e-3)


def test_bin_scores_on_a_binned_accumulator_changes_nothing(small):
    y, scores, _ = small
    acc = Accumulator(auc="binned").update(y, y_score=scores)
    before = acc.report()
    assert_same_report(acc.bin_scores().report(), before)


def test_bin_scores_on_a_copy_leaves_the_original_exact(small):
    y, scores, _ = small
    acc = Accumulator().update(y[:4], y_score=scores[:4])
    acc.copy().bin_scores()
    (acc + Accumulator()).bin_scores()
    Accumulator().merge(acc).bin_scores()
    acc.update(y[4:], y_score=scores[4:])
    assert acc.settings["auc"] == "exact"
    assert_same_report(acc.report(), evaluate(y, y_score=scores))


# --------------------------------------------------------------------------
# 5. Errors, each with its message
# --------------------------------------------------------------------------


def test_later_dataframe_with_other_column_names_raises(seed):
    frame = pd.DataFrame(seed.y_true, columns=seed.labels)
    other = frame.rename(columns={"C": "D"})
    acc = Accumulator().update(frame, frame)
    with pytest.raises(InputError, match=r"y_true's columns do not match the labels "
                                         r"\['A', 'B', 'C'\]: it lacks \['C'\] and has columns "
                                         r"not in the vocabulary \['D'\]"):
        acc.update(other, other)
    scored = Accumulator().update(frame, y_score=frame * 0.9)
    with pytest.raises(InputError, match=r"y_score's columns do not match the labels "
                                         r"\['A', 'B', 'C'\]: it lacks \['C'\]"):
        scored.update(frame, y_score=other * 0.9)


def test_later_matrix_of_another_width_raises(seed):
    acc = Accumulator().update(seed.y_true, seed.y_pred)
    with pytest.raises(InputError, match=r"this batch has 2 label columns but this accumulator "
                                         r"has 3 labels: every batch needs the same label "
                                         r"columns"):
        acc.update(seed.y_true[:, :2], seed.y_pred[:, :2])
    scored = Accumulator().update(seed.y_true, y_score=seed.y_pred * 0.8)
    with pytest.raises(InputError, match=r"this batch's scores has 4 label columns but this "
                                         r"accumulator has 3 labels"):
        scored.update(np.c_[seed.y_true, seed.y_true[:, :1]],
                      y_score=np.c_[seed.y_pred, seed.y_pred[:, :1]] * 0.8)
    named = Accumulator(labels=seed.labels).update(seed.y_true, seed.y_pred)
    with pytest.raises(InputError, match=r"has 2 columns but there are 3 labels"):
        named.update(seed.y_true[:, :2], seed.y_pred[:, :2])


def test_n_labels_is_checked_on_every_batch(seed):
    with pytest.raises(InputError, match=r"this batch has 3 label columns but this accumulator "
                                         r"has 4 labels"):
        Accumulator(n_labels=4).update(seed.y_true, seed.y_pred)
    acc = Accumulator(n_labels=3).update(seed.y_true, seed.y_pred)
    assert_same_report(acc.report(), evaluate(seed.y_true, seed.y_pred))


def test_unknown_label_with_labels_given_raises():
    acc = Accumulator(labels=["rock", "jazz"]).update([["rock"]], [["jazz"]])
    with pytest.raises(InputError, match=r"y_pred row 0 has the label 'pop', which is not in "
                                         r"the label vocabulary. Known labels: 'rock', 'jazz'. "
                                         r"Add it to labels= or fix the data"):
        acc.update([["rock"]], [["pop"]])
    with pytest.raises(InputError, match=r"y_true row 1 has the label 'Jazz'.*did you mean "
                                         r"'jazz'"):
        acc.update([["rock"], ["Jazz"]], [[], []])


def test_mixing_predictions_and_scores_raises(seed):
    hard = Accumulator().update(seed.y_true, seed.y_pred)
    with pytest.raises(InputError, match=r"this accumulator was fed labels; a batch of scores "
                                         r"cannot join it: use one accumulator for hard "
                                         r"predictions and another for scores"):
        hard.update(seed.y_true, y_score=seed.y_pred * 0.7)
    soft = Accumulator().update(seed.y_true, y_score=seed.y_pred * 0.7)
    with pytest.raises(InputError, match=r"this accumulator was fed scores; a batch of labels "
                                         r"cannot join it"):
        soft.update(seed.y_true, seed.y_pred)


@pytest.mark.parametrize("given_, word", [("both", "both"), ("neither", "neither")])
def test_update_needs_exactly_one_of_y_pred_and_y_score(seed, given_, word):
    kwargs = ({"y_pred": seed.y_pred, "y_score": seed.y_pred * 0.7} if given_ == "both"
              else {})
    with pytest.raises(InputError, match=rf"give exactly one of y_pred \(hard 0/1 predictions "
                                         rf"or label sets\) and y_score \(scores to "
                                         rf"threshold\); got {word}\."):
        Accumulator().update(seed.y_true, **kwargs)


def test_report_before_any_update_raises():
    with pytest.raises(InputError, match=r"nothing to report: update\(\) the accumulator with "
                                         r"a batch first"):
        Accumulator().report()
    with pytest.raises(InputError, match=r"nothing to report"):
        (Accumulator() + Accumulator()).report()


@pytest.mark.parametrize("kwargs, message", [
    ({"auc": "approx"}, r"auc must be 'exact' or 'binned', got 'approx'"),
    ({"auc": None}, r"auc must be 'exact' or 'binned', got None"),
    ({"bins": 0}, r"bins must be a positive integer, got 0"),
    ({"bins": 2.5}, r"bins must be a positive integer, got 2.5"),
    ({"bins": True}, r"bins must be a positive integer, got True"),
    ({"bins": "100"}, r"bins must be a positive integer, got '100'"),
    ({"n_labels": 0}, r"n_labels must be a positive integer, got 0"),
    ({"n_labels": 3.0}, r"n_labels must be a positive integer, got 3.0"),
    ({"n_labels": True}, r"n_labels must be a positive integer, got True"),
    ({"k": 0}, r"k must be a positive integer or a list of them, got 0 \(0 is not a positive "
               r"integer\)"),
    ({"k": []}, r"k must be a positive integer or a list of them, got \[\] \(empty\)"),
    ({"k": [1, -3]}, r"got \[1, -3\] \(-3 is not a positive integer\)"),
    ({"k": "3"}, r"got '3' \('3' is not a positive integer\)"),
    ({"k": 2.0}, r"k must be a positive integer or a list of them, got 2.0"),
    ({"zero_division": 2}, r"zero_division must be 'warn', 0, 1 or nan, got 2"),
    ({"beta": -1}, r"beta must be a non-negative number, got -1"),
], ids=lambda v: repr(v) if isinstance(v, dict) else "")
def test_bad_settings_raise(kwargs, message):
    with pytest.raises(InputError, match=message):
        Accumulator(**kwargs)


@pytest.mark.parametrize("score_range", [("a", "b"), 5, (1.0, 0.0), (0.0, math.inf)])
def test_bad_score_range_raises_at_construction(score_range):
    with pytest.raises(InputError, match=r"score_range must be"):
        Accumulator(score_range=score_range)


def test_inv_propensity_with_hard_labels_raises(seed):
    with pytest.raises(InputError, match=r"inv_propensity apply to scores \(y_score=\), but "
                                         r"y_pred holds hard predictions"):
        Accumulator(inv_propensity=[1.0, 2.0, 3.0]).update(seed.y_true, seed.y_pred)


def test_narrower_top_k_batch_raises(seed):
    idx = np.array([[0, 2, 1], [1, 2, 0], [0, 1, 2], [2, 0, 1]])
    val = np.array([[0.9, 0.6, 0.2]] * 4)
    acc = Accumulator().update(seed.y_true, y_score=(idx, val))
    with pytest.raises(InputError, match=r"this batch scores 2 labels per row, but earlier "
                                         r"batches scored 3: every batch needs the same top-k "
                                         r"width"):
        acc.update(seed.y_true, y_score=(idx[:, :2], val[:, :2]))
    assert_same_report(acc.report(), evaluate(seed.y_true, y_score=(idx, val)))


# --------------------------------------------------------------------------
# 6. Arrays from other libraries: __dlpack__ and __array__ without importing them
# --------------------------------------------------------------------------


class DLPackArray:
    """A stand-in for a tensor: DLPack on a given device, delegated to a numpy array.

    Like torch, jax and cupy arrays it has a length; it has no ``__array__``.
    """

    def __init__(self, array, device=(1, 0)):
        self._array = np.asarray(array)
        self._device = device

    def __dlpack__(self, *args, **kwargs):
        return self._array.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._device

    def __len__(self):
        return len(self._array)


class ArrayOnly:
    """An object that only offers ``__array__``."""

    def __init__(self, array):
        self._array = np.asarray(array)

    def __array__(self, dtype=None, copy=None):
        return self._array if dtype is None else self._array.astype(dtype)


CUDA = (2, 0)

WRAPPERS = {"dlpack": DLPackArray, "array": ArrayOnly}


@pytest.mark.parametrize("wrap", WRAPPERS)
@pytest.mark.parametrize("truth_dtype", [np.int64, np.bool_, np.float32])
def test_foreign_hard_labels_give_the_numpy_report(seed, wrap, truth_dtype):
    w = np.array([1.0, 0.5, 2.0, 0.0])
    wrapped = WRAPPERS[wrap]
    y, p = seed.y_true.astype(truth_dtype), seed.y_pred.astype(truth_dtype)
    expected = evaluate(y, p, sample_weight=w)
    assert_same_report(evaluate(wrapped(y), wrapped(p), sample_weight=wrapped(w)), expected)
    acc = Accumulator()
    for a, b in ((0, 1), (1, 4)):
        acc.update(wrapped(y[a:b]), wrapped(p[a:b]), sample_weight=wrapped(w[a:b]))
    assert_same_report(acc.report(), expected)


@pytest.mark.parametrize("wrap", WRAPPERS)
@pytest.mark.parametrize("score_dtype", [np.float64, np.float32])
def test_foreign_scores_give_the_numpy_report(small, wrap, score_dtype):
    y, scores, _ = small
    scores = scores.astype(score_dtype)
    wrapped = WRAPPERS[wrap]
    expected = evaluate(y, y_score=scores, inv_propensity=[1.0, 2.0, 3.0])
    got = evaluate(wrapped(y), y_score=wrapped(scores), inv_propensity=wrapped([1.0, 2.0, 3.0]))
    assert_same_report(got, expected)
    acc = Accumulator()
    for a, b in ((0, 5), (5, 6), (6, 8)):
        acc.update(wrapped(y[a:b]), y_score=wrapped(scores[a:b]))
    assert_same_report(acc.report(), evaluate(y, y_score=scores))


def test_foreign_top_k_gives_the_numpy_report(small):
    y, scores, _ = small
    idx = np.argsort(-scores, axis=1)[:, :2]
    val = np.take_along_axis(scores, idx, axis=1)
    expected = evaluate(y, y_score=(idx, val))
    assert_same_report(evaluate(y, y_score=(DLPackArray(idx), DLPackArray(val))), expected)
    acc = Accumulator()
    for a, b in ((0, 3), (3, 8)):
        acc.update(y[a:b], y_score=(DLPackArray(idx[a:b]), DLPackArray(val[a:b])))
    assert_same_report(acc.report(), expected)


GPU_MESSAGE = r"on a CUDA device \(DLPackArray\).*move it there first, e\.g\. tensor\.cpu\(\)"


@pytest.mark.parametrize("where", ["y_true", "y_pred", "y_score"])
def test_tensor_on_a_gpu_says_to_move_it_to_the_host(small, where):
    y, scores, _ = small
    p = (scores > 0.5).astype(int)
    on_gpu = {"y_true": y, "y_pred": p, "y_score": scores}
    args = {"y_true": y, ("y_pred" if where == "y_pred" else "y_score"): on_gpu[where]}
    args[where] = DLPackArray(on_gpu[where], CUDA)
    with pytest.raises(InputError, match=rf"{where} is {GPU_MESSAGE}"):
        evaluate(**args)
    with pytest.raises(InputError, match=rf"{where} is {GPU_MESSAGE}"):
        Accumulator().update(**args)


@pytest.mark.parametrize("where", ["sample_weight", "inv_propensity", "top-k indices",
                                   "top-k scores"])
def test_other_arguments_on_a_gpu_say_to_move_them_to_the_host(small, where):
    y, scores, _ = small
    idx = np.argsort(-scores, axis=1)[:, :2]
    val = np.take_along_axis(scores, idx, axis=1)
    kwargs = {
        "sample_weight": {"y_score": scores, "sample_weight": DLPackArray(np.ones(8), CUDA)},
        "inv_propensity": {"y_score": scores, "inv_propensity": DLPackArray(np.ones(3), CUDA)},
        "top-k indices": {"y_score": (DLPackArray(idx, CUDA), val)},
        "top-k scores": {"y_score": (idx, DLPackArray(val, CUDA))},
    }[where]
    with pytest.raises(InputError, match=rf"{where} is {GPU_MESSAGE}"):
        evaluate(y, **kwargs)


# --------------------------------------------------------------------------
# 7. evaluate() refuses score-only options with hard predictions
# --------------------------------------------------------------------------


@pytest.mark.parametrize("option, value", [
    ("threshold", 0.3),
    ("threshold", [0.3, 0.5, 0.5]),
    ("inclusive", True),
    ("scores_are_logits", True),
    ("k", (1,)),
    ("k", 10),
    ("inv_propensity", [1.0, 2.0, 3.0]),
])
def test_evaluate_refuses_score_options_with_y_pred(seed, option, value):
    with pytest.raises(InputError, match=rf"^{option} apply to scores \(y_score=\), but y_pred "
                                         r"holds hard predictions: drop them, or pass the "
                                         r"scores as y_score= to threshold them\.$"):
        evaluate(seed.y_true, seed.y_pred, **{option: value})


def test_evaluate_names_every_score_option_given_with_y_pred(seed):
    with pytest.raises(InputError, match=r"^threshold, inclusive, k apply to scores"):
        evaluate(seed.y_true, seed.y_pred, threshold=0.3, inclusive=True, k=1)


def test_evaluate_takes_the_defaults_spelled_out_with_y_pred(seed):
    spelled = evaluate(seed.y_true, seed.y_pred, threshold=0.5, inclusive=False, k=[1, 3, 5],
                       scores_are_logits=False, inv_propensity=None)
    assert_same_report(spelled, evaluate(seed.y_true, seed.y_pred))


# --------------------------------------------------------------------------
# Edge cases: empty and zero-weight batches, failed updates and merges
# --------------------------------------------------------------------------


def test_a_batch_of_zero_weights_adds_nothing(seed):
    w = np.array([1.0, 2.0, 0.0, 0.0])
    acc = Accumulator().update(seed.y_true[:2], seed.y_pred[:2], sample_weight=w[:2])
    acc.update(seed.y_true[2:], seed.y_pred[2:], sample_weight=w[2:])
    assert_same_report(acc.report(), evaluate(seed.y_true, seed.y_pred, sample_weight=w))


def test_a_first_batch_of_empty_label_sets_is_counted():
    acc = Accumulator().update([[], []], [[], []]).update([["rock"]], [["rock"]])
    assert_same_report(acc.report(), evaluate([[], [], ["rock"]], [[], [], ["rock"]]))


def _binned_out_of_range(acc, y, scores):
    acc.update(y[4:], y_score=scores[4:] * 3)


def _sets_rows_mismatch(acc, y, scores):
    acc.update([["new"]], [["new"], ["A"]])


def _sets_bad_weights(acc, y, scores):
    acc.update([["new"]], [["new"]], sample_weight=[1.0, 2.0])


def _wrong_width(acc, y, scores):
    acc.update(y[:, :2], y_score=scores[:, :2])


def _narrow_top_k(acc, y, scores):
    acc.update(y, y_score=(np.zeros((8, 1), dtype=int), scores[:, :1]))  # after width 3


def _scores_into_labels(acc, y, scores):
    acc.update(y, y_score=scores)


FAILED_UPDATES = [
    pytest.param("binned", _binned_out_of_range, id="binned-out-of-range"),
    pytest.param("sets", _sets_rows_mismatch, id="sets-row-mismatch"),
    pytest.param("sets", _sets_bad_weights, id="sets-bad-weights"),
    pytest.param("scores", _wrong_width, id="scores-wrong-width"),
    pytest.param("topk", _narrow_top_k, id="narrow-top-k"),
    pytest.param("labels", _scores_into_labels, id="scores-into-labels"),
]


@pytest.mark.parametrize("state, fail", FAILED_UPDATES)
def test_a_failed_update_leaves_the_accumulator_as_it_was(small, state, fail):
    y, scores, _ = small
    idx = np.argsort(-scores, axis=1)
    first = {
        "binned": (Accumulator(auc="binned"), {"y_true": y[:4], "y_score": scores[:4]}),
        "sets": (Accumulator(), {"y_true": [["A"], ["B"]], "y_pred": [["A"], []]}),
        "scores": (Accumulator(), {"y_true": y[:4], "y_score": scores[:4]}),
        "topk": (Accumulator(), {"y_true": y, "y_score": (idx, np.take_along_axis(scores, idx,
                                                                                  axis=1))}),
        "labels": (Accumulator(), {"y_true": y, "y_pred": y}),
    }[state]
    acc, batch = first
    acc.update(**batch)
    before = acc.report()
    with pytest.raises(InputError):
        fail(acc, y, scores)
    assert_same_report(acc.report(), before)


def test_a_failed_merge_leaves_the_accumulator_as_it_was(small):
    y, scores, _ = small
    idx = np.argsort(-scores, axis=1)
    val = np.take_along_axis(scores, idx, axis=1)
    narrow = Accumulator().update(y, y_score=(idx[:, :1], val[:, :1]))  # cutoffs (1,)
    wide = Accumulator().update(y, y_score=(idx, val))  # cutoffs (1, 3)
    before = narrow.report()
    with pytest.raises(InputError, match=r"cannot merge @k sums at cutoffs \(1,\) and \(1, 3\)"):
        narrow.merge(wide)
    assert_same_report(narrow.report(), before)


def test_to_dict_is_strict_json_with_zero_division_nan():
    acc = Accumulator(zero_division=math.nan).update([[1, 0], [0, 0]], [[1, 0], [0, 1]])
    text = json.dumps(acc.to_dict(), allow_nan=False)
    back = Accumulator.from_dict(json.loads(text))
    assert math.isnan(back.settings["zero_division"])
    assert_same_report(back.report(), acc.report())


@pytest.mark.parametrize("setting, name", [({"threshold": 0.3}, "threshold"),
                                           ({"inclusive": True}, "inclusive"),
                                           ({"scores_are_logits": True}, "scores_are_logits"),
                                           ({"k": (1,)}, "k")])
def test_score_settings_are_refused_with_hard_predictions(setting, name):
    with pytest.raises(InputError, match=rf"{name} apply to scores \(y_score=\)"):
        Accumulator(**setting).update([[1, 0]], [[1, 1]])


@pytest.mark.parametrize("weighted", [False, True])
def test_many_batches_add_up_as_one_evaluate_whatever_reads_the_state(weighted):
    # batches' counts wait to be added up together: every way of reading the state
    # (report, copy, pickle, to_dict, merge, n_samples) sees all of them, in order
    rng = np.random.default_rng(8)
    n, L = 3000, 7
    y, p = rng.random((n, L)) < 0.3, rng.random((n, L)) < 0.3
    w = rng.random(n) + 0.5 if weighted else None
    acc = Accumulator()
    for lo in range(0, n, 20):  # 150 batches: more than wait at once
        acc.update(y[lo:lo + 20], p[lo:lo + 20],
                   sample_weight=None if w is None else w[lo:lo + 20])
        if lo == 1000:
            early = acc.copy()
            assert early.n_samples == 1020
    want = evaluate(y, p, sample_weight=w)
    for got in (acc, pickle.loads(pickle.dumps(acc)), acc.copy(),
                Accumulator.from_dict(json.loads(json.dumps(acc.to_dict())))):
        assert got.report().metrics == pytest.approx(want.metrics, rel=1e-12, abs=1e-15)
    assert acc.counts.row_count.sum() == n and acc.n_samples == n
    assert early.n_samples == 1020  # the copy kept its own batches
    rest = Accumulator()
    for lo in range(1020, n, 20):
        rest.update(y[lo:lo + 20], p[lo:lo + 20],
                    sample_weight=None if w is None else w[lo:lo + 20])
    merged = early.merge(rest).report()
    assert merged.metrics == pytest.approx(want.metrics, rel=1e-12, abs=1e-15)


def test_canonical_bool_batches_take_the_short_way_with_the_same_counts(monkeypatch):
    rng = np.random.default_rng(12)
    batches = [(rng.random((n, 6)) < 0.3, rng.random((n, 6)) < 0.4) for n in (5, 40, 1, 17)]
    calls = []
    real = Accumulator._labelled
    monkeypatch.setattr(Accumulator, "_labelled",
                        lambda self, *a: calls.append(1) or real(self, *a))
    short = Accumulator()
    for t, p in batches:
        short.update(t, p)
    assert len(calls) == 1  # the first batch only: the others were canonical already
    monkeypatch.undo()
    long = Accumulator()
    for t, p in batches:  # lists: every batch validated and converted
        long.update(t.astype(int).tolist(), p.astype(int).tolist())
    assert short.to_dict() == long.to_dict()
    assert_same_report(short.report(), evaluate(np.vstack([t for t, _ in batches]),
                                                np.vstack([p for _, p in batches])))


def test_batches_that_are_not_canonical_bool_arrays_are_validated_as_before():
    rng = np.random.default_rng(13)
    t, p = rng.random((30, 5)) < 0.3, rng.random((30, 5)) < 0.4
    odd = p.view(np.uint8).copy()
    odd[odd == 1] = 2  # bool views of other bytes read as True
    acc = Accumulator().update(t, p)
    acc.update(t.astype(np.uint8), p.astype(np.uint8))  # uint8: checked to be 0/1
    acc.update(np.asfortranarray(t), np.asfortranarray(p))  # not C-contiguous
    acc.update(t, odd.view(np.bool_))
    assert_same_report(acc.report(), evaluate(np.vstack([t] * 4), np.vstack([p] * 4)))
    with pytest.raises(InputError, match=r"y_pred must hold only 0 and 1, but has 2 at row 0"):
        acc.update(t.astype(np.uint8), odd)
    with pytest.raises(InputError, match=r"this batch has 4 label columns but this "
                                         r"accumulator has 5 labels"):
        acc.update(np.ascontiguousarray(t[:, :4]), np.ascontiguousarray(p[:, :4]))
    named = Accumulator(labels=list("abcde")).update(t, p).update(t, p)  # named: the long way
    assert named.report()["f1_micro"] == acc.report()["f1_micro"]
