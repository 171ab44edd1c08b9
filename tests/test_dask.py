"""labelwise.dask.evaluate on a real local cluster (two worker processes on loopback).

Every report of the cluster is compared with the report of the same data in memory:
:func:`labelwise.evaluate`, or an ``Accumulator(auc="binned")`` fed all the rows at
once for the binned ROC-AUC and average precision. Two reports are the same when
they have the same labels, sample count and metric names, every metric equal to
1e-9 (NaN equal to NaN), the same per-label table and the same undefined metrics.

The data are dask arrays with uneven row chunks and a chunked label axis,
partitioned Parquet files read back with ``dask.dataframe.read_parquet``, label-set
columns (Parquet lists, and pandas lists turned into their text by dask), and id
joins of shuffled, repartitioned predictions. Then Spark's documented
``MultilabelMetrics`` example, the failure paths (a bad value, a worker killed
mid-computation, missing and repeated ids), Poisson intervals and argument errors.
"""

from __future__ import annotations

import logging
import math
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from fractions import Fraction

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402

import labelwise  # noqa: E402
import labelwise.dask as ldask  # noqa: E402
from labelwise import Accumulator, InputError  # noqa: E402

pytestmark = pytest.mark.slow

TOL = 1e-9
NAMES = ["rock", "jazz", "pop", "blues", "folk", "metal", "soul"]
ROW_CHUNKS = (1000, 37, 2500, 1)
N = sum(ROW_CHUNKS)
LABEL_CHUNKS = (3, 4)


# --------------------------------------------------------------------------
# The cluster
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes with one thread each on loopback, and a client that every
    ``dask.compute`` of the module goes through."""
    with warnings.catch_warnings():
        # The scheduler's HTTP server falls back to a free port when 8787 is taken.
        warnings.simplefilter("ignore", UserWarning)
        lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None, host="127.0.0.1",
                                      silence_logs=logging.CRITICAL)
    client = distributed.Client(lc)
    try:
        yield lc, client
    finally:
        client.close()
        lc.close()


@pytest.fixture
def client(cluster):
    lc, client = cluster
    client.wait_for_workers(2, timeout=60)
    return client


def ran_on_cluster(client, prefix: str) -> bool:
    """Whether the scheduler has run tasks of ``prefix`` (the per-partition states, whose
    keys ``_state-<token>`` have the prefix ``state``), i.e. the work went to the
    workers."""
    return client.run_on_scheduler(
        lambda dask_scheduler: prefix in dask_scheduler.task_prefixes)


# --------------------------------------------------------------------------
# Comparing reports
# --------------------------------------------------------------------------


def _close(got, want, tol) -> bool:
    got, want = float(got), float(want)
    if math.isnan(want):
        return math.isnan(got)
    return abs(got - want) <= tol


def assert_same_report(got, want, tol=TOL):
    assert tuple(got.labels) == tuple(want.labels)
    assert got.n_samples == want.n_samples
    assert set(got.metrics) == set(want.metrics)
    bad = {name: (got.metrics[name], value) for name, value in want.metrics.items()
           if not _close(got.metrics[name], value, tol)}
    assert not bad, f"metrics differ (dask, in memory): {bad}"
    assert got.per_label.columns == want.per_label.columns
    for column in want.per_label.columns:
        g, w = got.per_label[column], want.per_label[column]
        if column == "label":
            assert list(g) == list(w)
        else:
            assert all(_close(a, b, tol) for a, b in zip(g, w)), column
    assert {k: list(v) for k, v in got.undefined.items()} == \
        {k: list(v) for k, v in want.undefined.items()}


def binned_reference(y_true, y_score, labels=None, **settings):
    return Accumulator(labels, auc="binned", **settings).update(
        y_true, y_score=y_score).report()


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def generated(n=N, n_labels=len(NAMES), seed=0):
    """Truth, hard predictions and scores that follow the truth (so rows matched
    wrongly change every metric). The last label is never true and never predicted
    (undefined recall, precision and AUC); the one before it is never predicted."""
    rng = np.random.default_rng(seed)
    prevalence = np.linspace(0.05, 0.5, n_labels)
    y_true = (rng.random((n, n_labels)) < prevalence).astype(np.int8)
    y_true[:, -1] = 0
    y_score = np.clip(0.35 * y_true + 0.65 * rng.random((n, n_labels)), 0.0, 1.0)
    y_score[:, -2] *= 0.5
    y_score[:, -1] *= 0.4
    y_pred = (y_score > 0.5).astype(np.int8)
    return y_true, y_pred, y_score


@pytest.fixture(scope="module")
def data():
    return generated()


def as_sets(matrix, names):
    return [[names[j] for j in np.flatnonzero(row)] for row in matrix]


def write_parquet(frame, directory, bounds):
    """``frame`` cut at ``bounds`` into one Parquet file per piece, in ``directory``."""
    directory.mkdir()
    edges = [0, *bounds, len(frame)]
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        frame.iloc[a:b].to_parquet(directory / f"part.{i:02d}.parquet", index=False)
    return directory


# --------------------------------------------------------------------------
# 1. Dask arrays: uneven row chunks, a chunked label axis
# --------------------------------------------------------------------------


def test_arrays_hard_predictions(client, data):
    y_true, y_pred, _ = data
    truth = da.from_array(y_true, chunks=(ROW_CHUNKS, LABEL_CHUNKS))
    pred = da.from_array(y_pred, chunks=((500, 1500, 1538), (2, 5)))
    assert truth.chunks != pred.chunks
    want = labelwise.evaluate(y_true, y_pred, labels=NAMES)
    got = ldask.evaluate(truth, pred, labels=NAMES)
    assert_same_report(got, want)
    assert ran_on_cluster(client, "state")
    # Without names the labels are the column positions; a deeper merge tree changes
    # nothing.
    assert_same_report(ldask.evaluate(truth, pred, split_every=2),
                       labelwise.evaluate(y_true, y_pred))


def test_arrays_scores_binned_by_default(client, data):
    y_true, _, y_score = data
    truth = da.from_array(y_true, chunks=(ROW_CHUNKS, LABEL_CHUNKS))
    scores = da.from_array(y_score, chunks=((2000, 1, 1537), (5, 2)))
    got = ldask.evaluate(truth, y_score=scores, labels=NAMES)
    want = binned_reference(y_true, y_score, NAMES)
    assert_same_report(got, want)
    assert got.undefined == {"roc_auc": ["soul"]}  # never true
    assert got.params["auc"] == "binned"
    assert got.params["auc_error_bound"] == want.params["auc_error_bound"]
    assert got.params["ap_error_bound"] == want.params["ap_error_bound"]


def test_arrays_scores_binned_with_settings(client, data):
    y_true, _, y_score = data
    truth = da.from_array(y_true, chunks=(ROW_CHUNKS, LABEL_CHUNKS))
    scores = da.from_array(y_score.astype(np.float32), chunks=(700, 7))
    threshold = {name: t for name, t in zip(NAMES, np.linspace(0.3, 0.7, len(NAMES)))}
    settings = dict(threshold=threshold, inclusive=True, k=(1, 2, 4), bins=64, beta=0.5)
    got = ldask.evaluate(truth, y_score=scores, labels=NAMES, split_every=3, **settings)
    want = binned_reference(y_true, y_score.astype(np.float32), NAMES, **settings)
    assert_same_report(got, want)
    assert got.params["bins"] == 64


def test_arrays_scores_exact_auc_equals_evaluate(client, data):
    y_true, _, y_score = data
    truth = da.from_array(y_true, chunks=(ROW_CHUNKS, LABEL_CHUNKS))
    scores = da.from_array(y_score, chunks=((1, 1200, 2337), (1, 6)))
    got = ldask.evaluate(truth, y_score=scores, labels=NAMES, auc="exact")
    assert_same_report(got, labelwise.evaluate(y_true, y_score=y_score, labels=NAMES))
    assert "roc_auc_macro" in got.metrics and "average_precision_micro" in got.metrics


def test_arrays_with_an_empty_chunk(client, data):
    y_true, y_pred, _ = data
    chunks = ((1000, 0, 37, 2501), LABEL_CHUNKS)
    got = ldask.evaluate(da.from_array(y_true, chunks=chunks),
                         da.from_array(y_pred, chunks=chunks))
    assert_same_report(got, labelwise.evaluate(y_true, y_pred))


# --------------------------------------------------------------------------
# 2. Partitioned Parquet files, one column per label and an id column
# --------------------------------------------------------------------------


def _frames_with_ids(y_true, other, names, seed=1):
    """Truth and predictions (or scores) with an id column, the predictions' rows
    shuffled by ``seed``. Row ``i`` has the same id whatever the seed."""
    ids = np.random.default_rng(0).permutation(len(y_true)) * 3 + 11  # not row positions
    rng = np.random.default_rng(seed)
    truth = pd.DataFrame(y_true, columns=names)
    truth.insert(0, "id", ids)
    pred = pd.DataFrame(other, columns=names)
    pred.insert(0, "id", ids)
    return truth, pred.iloc[rng.permutation(len(pred))].reset_index(drop=True)


def test_parquet_label_columns_joined_by_id(client, data, tmp_path):
    y_true, y_pred, y_score = data
    truth, pred = _frames_with_ids(y_true, y_pred, NAMES)
    _, scores = _frames_with_ids(y_true, y_score, NAMES)
    write_parquet(truth, tmp_path / "truth", [1000, 1037, 3537])
    write_parquet(pred, tmp_path / "pred", [700, 2900])
    write_parquet(scores, tmp_path / "scores", [1800])
    t = dd.read_parquet(tmp_path / "truth")
    p = dd.read_parquet(tmp_path / "pred")
    s = dd.read_parquet(tmp_path / "scores")
    assert (t.npartitions, p.npartitions, s.npartitions) == (4, 3, 2)

    got = ldask.evaluate(t, p, id_column="id")
    assert_same_report(got, labelwise.evaluate(y_true, y_pred, labels=NAMES))
    assert got.params["rows"] == {"by": "id", "truth_rows": N, "pred_rows": N,
                                  "matched": N, "left_out": {}}

    got = ldask.evaluate(t, y_score=s, id_column="id")
    assert_same_report(got, binned_reference(y_true, y_score, NAMES))

    # Two labels only, in the order given.
    pick = ["jazz", "rock"]
    got = ldask.evaluate(t, p, id_column="id", labels=pick)
    assert_same_report(got, labelwise.evaluate(y_true[:, [1, 0]], y_pred[:, [1, 0]],
                                               labels=pick))


def test_parquet_label_columns_matched_by_position(client, data, tmp_path):
    y_true, y_pred, _ = data
    bounds = [1000, 1037, 3537]
    write_parquet(pd.DataFrame(y_true, columns=NAMES), tmp_path / "truth", bounds)
    write_parquet(pd.DataFrame(y_pred, columns=NAMES), tmp_path / "pred", bounds)
    got = ldask.evaluate(dd.read_parquet(tmp_path / "truth"),
                         dd.read_parquet(tmp_path / "pred"))
    assert_same_report(got, labelwise.evaluate(y_true, y_pred, labels=NAMES))
    assert "rows" not in got.params


# --------------------------------------------------------------------------
# 3. A label-set column
# --------------------------------------------------------------------------

# Names with a quote and a comma survive both the Parquet lists and dask's text of
# a list; "zydeco" appears only in the last rows (the last partitions), so merging
# partition states widens the vocabulary; "ska" is only ever predicted.
SET_NAMES = ["rock'n'roll", "r&b, soul", "jazz", "pop", "blues"]


@pytest.fixture(scope="module")
def label_sets():
    rng = np.random.default_rng(5)
    n = 1500
    y_true = (rng.random((n, len(SET_NAMES))) < 0.3).astype(np.int8)
    y_pred = np.where(rng.random(y_true.shape) < 0.8, y_true, 1 - y_true)
    truth, pred = as_sets(y_true, SET_NAMES), as_sets(y_pred, SET_NAMES)
    for i in range(1300, n, 7):
        truth[i] = truth[i] + ["zydeco"]
        if i % 2:
            pred[i] = pred[i] + ["zydeco"]
    for i in range(0, n, 97):
        pred[i] = pred[i] + ["ska"]
    truth[3], pred[3] = [], []
    return truth, pred


def test_label_set_parquet_lists(client, label_sets, tmp_path):
    truth, pred = label_sets
    n = len(truth)
    ids = np.arange(n) + 100
    bounds = [400, 401, 1200]
    write_parquet(pd.DataFrame({"id": ids, "tags": truth}), tmp_path / "truth", bounds)
    shuffled = np.random.default_rng(0).permutation(n)
    write_parquet(pd.DataFrame({"id": ids, "tags": pred}), tmp_path / "pred", bounds)
    write_parquet(pd.DataFrame({"id": ids[shuffled], "tags": [pred[i] for i in shuffled]}),
                  tmp_path / "pred_shuffled", [900])
    t = dd.read_parquet(tmp_path / "truth")
    first = t.partitions[0].compute()["tags"].iloc[0]
    assert not isinstance(first, str)  # a list column, not text
    want = labelwise.evaluate(truth, pred)
    assert "zydeco" in want.labels and "ska" in want.labels

    got = ldask.evaluate(t, dd.read_parquet(tmp_path / "pred"), labels_column="tags")
    assert_same_report(got, want)

    got = ldask.evaluate(t, dd.read_parquet(tmp_path / "pred_shuffled"), labels_column="tags",
                         id_column="id")
    assert_same_report(got, want)

    vocabulary = [*SET_NAMES, "zydeco", "ska", "never seen"]
    got = ldask.evaluate(t, dd.read_parquet(tmp_path / "pred"), labels_column="tags",
                         labels=vocabulary)
    assert_same_report(got, labelwise.evaluate(truth, pred, labels=vocabulary))


@pytest.mark.parametrize("convert_string", [True, False], ids=["as-text", "as-lists"])
def test_label_set_from_pandas(client, label_sets, convert_string):
    truth, pred = label_sets
    with dask.config.set({"dataframe.convert-string": convert_string}):
        t = dd.from_pandas(pd.DataFrame({"tags": truth}), npartitions=4)
        p = dd.from_pandas(pd.DataFrame({"tags": pred}), npartitions=4)
        first = t.partitions[0].compute()["tags"].iloc[0]
        # With the conversion on (dask's default), the lists reach the workers as
        # their text, "['rock\'n\'roll', 'pop']", which the library reads back.
        assert isinstance(first, str) == convert_string
        got = ldask.evaluate(t, p, labels_column="tags")
    assert_same_report(got, labelwise.evaluate(truth, pred))


def test_a_missing_label_set_is_an_error_from_parquet_and_from_pandas(client, tmp_path):
    """A missing set (None, NA) is refused as labelwise.evaluate refuses it: an empty
    list is a sample without labels, a missing value is not silently one."""
    truth = [["a"], None, ["b", "a"], [], ["b"], ["a"]]
    pred = [["a"], ["b"], ["a"], [], ["b"], []]
    with pytest.raises(InputError, match="row 1 is missing"):
        labelwise.evaluate(truth, pred)
    write_parquet(pd.DataFrame({"tags": truth}), tmp_path / "truth", [3])
    write_parquet(pd.DataFrame({"tags": pred}), tmp_path / "pred", [3])
    with pytest.raises(InputError, match=r"partition 0: y_true row 1 of column 'tags' has no "
                                         r"label set \(missing\)\. Use an empty list"):
        ldask.evaluate(dd.read_parquet(tmp_path / "truth"), dd.read_parquet(tmp_path / "pred"),
                       labels_column="tags")
    with dask.config.set({"dataframe.convert-string": True}):
        with pytest.raises(InputError, match="has no label set"):
            ldask.evaluate(dd.from_pandas(pd.DataFrame({"tags": truth}), npartitions=2),
                           dd.from_pandas(pd.DataFrame({"tags": pred}), npartitions=2),
                           labels_column="tags")

# --------------------------------------------------------------------------
# 4. An id join of shuffled, repartitioned predictions
# --------------------------------------------------------------------------


def test_id_join_with_shuffled_partitions(client):
    y_true, y_pred, y_score = generated(n=2400, seed=7)
    truth, pred = _frames_with_ids(y_true, y_pred, NAMES, seed=3)
    _, scores = _frames_with_ids(y_true, y_score, NAMES, seed=4)
    t = dd.from_pandas(truth, npartitions=5)
    p = dd.from_pandas(pred, npartitions=3).shuffle(on="id", npartitions=6)
    s = dd.from_pandas(scores, npartitions=2).repartition(npartitions=7)
    assert len({t.npartitions, p.npartitions, s.npartitions}) == 3

    got = ldask.evaluate(t, p, id_column="id")
    assert_same_report(got, labelwise.evaluate(y_true, y_pred, labels=NAMES))
    assert got.params["rows"]["matched"] == 2400
    assert ran_on_cluster(client, "joined_state")

    # Exact AUC pairs every score with its own row's truth.
    got = ldask.evaluate(t, y_score=s, id_column="id", auc="exact")
    assert_same_report(got, labelwise.evaluate(y_true, y_score=y_score, labels=NAMES))


# --------------------------------------------------------------------------
# 5. Spark's MultilabelMetrics example
# --------------------------------------------------------------------------

# (prediction, label) per document, as in Spark's documentation.
SPARK_DOCS = [([0, 1], [0, 2]), ([0, 2], [0, 1]), ([], [0]), ([2], [2]), ([2, 0], [2, 0]),
              ([0, 1, 2], [0, 1]), ([1], [1, 2])]
SPARK_EXACT = {
    "subset_accuracy": Fraction(2, 7),
    "precision_samples": Fraction(2, 3),
    "precision_micro": Fraction(8, 11),
    "recall_micro": Fraction(2, 3),
    "f1_micro": Fraction(16, 23),
}
SPARK_PUBLISHED = {  # four decimals in Spark's documentation
    "jaccard_samples": 0.5476,  # Spark's "accuracy"
    "recall_samples": 0.6429,
    "f1_samples": 0.6381,
}


def _spark_inputs(kind):
    pred = [p for p, _ in SPARK_DOCS]
    true = [t for _, t in SPARK_DOCS]
    if kind == "arrays":
        dense = [np.array([np.isin([0, 1, 2], row) for row in rows], dtype=np.int8)
                 for rows in (true, pred)]
        return (da.from_array(dense[0], chunks=((3, 1, 3), (2, 1))),
                da.from_array(dense[1], chunks=((2, 5), 3)), {}, (0, 1, 2))
    if kind == "named label sets":
        true = [[str(x) for x in row] for row in true]
        pred = [[str(x) for x in row] for row in pred]
    labels = ("0", "1", "2") if kind == "named label sets" else (0, 1, 2)
    return (dd.from_pandas(pd.DataFrame({"labels": true}), npartitions=3),
            dd.from_pandas(pd.DataFrame({"labels": pred}), npartitions=3),
            dict(labels_column="labels"), labels)


@pytest.mark.parametrize("kind", [
    "arrays",
    "named label sets",
    "integer label sets",
])
def test_spark_multilabel_metrics_example(client, kind):
    truth, pred, options, labels = _spark_inputs(kind)
    report = ldask.evaluate(truth, pred, **options)
    assert report.n_samples == 7 and tuple(report.labels) == labels
    for name, value in SPARK_EXACT.items():
        assert report[name] == pytest.approx(float(value), abs=1e-12, rel=0), name
    for name, value in SPARK_PUBLISHED.items():
        assert report[name] == pytest.approx(value, abs=1e-4, rel=0), name
    # Spark's Hamming loss divides the wrong (document, label) pairs, 7 here, by the
    # number of documents times the number of distinct labels in the truth. Every
    # label 0, 1, 2 occurs in the truth, and labelwise's vocabulary is the same three
    # labels, so its hamming_loss, 7 / (7 x 3), is Spark's 1/3.
    assert report["hamming_loss"] == pytest.approx(1 / 3, abs=1e-12, rel=0)
    in_memory = labelwise.evaluate([set(t) for _, t in SPARK_DOCS],
                                   [set(p) for p, _ in SPARK_DOCS])
    assert report.metrics.keys() == in_memory.metrics.keys()
    assert all(_close(report[name], in_memory[name], 1e-12) for name in in_memory.metrics)


def test_integer_label_sets_are_sets(client):
    truth = dd.from_pandas(pd.DataFrame({"tags": [[0, 1], [1, 0], [1, 0]]}), npartitions=1)
    pred = dd.from_pandas(pd.DataFrame({"tags": [[0, 1], [0, 1], [1, 0]]}), npartitions=1)
    report = ldask.evaluate(truth, pred, labels_column="tags")
    assert tuple(report.labels) == (0, 1)
    assert report["subset_accuracy"] == 1.0  # every predicted set is the true set


# --------------------------------------------------------------------------
# 6. Failure paths
# --------------------------------------------------------------------------


def test_bad_value_names_partition_row_and_column(client, data):
    y_true, y_pred, _ = data
    bad = y_true.copy()
    bad[1040, 5] = 2  # partition 2 (rows 1037 to 3536), its row 3
    truth = da.from_array(bad, chunks=(ROW_CHUNKS, LABEL_CHUNKS))
    with pytest.raises(InputError) as err:
        ldask.evaluate(truth, da.from_array(y_pred, chunks=500))
    message = str(err.value)
    assert re.search(r"\bpartition 2\b", message), message
    assert "rows from 1037" in message
    assert re.search(r"\brow 3\b", message) and re.search(r"\bcolumn 5\b", message), message
    assert "y_true" in message and "2" in message

    # In a DataFrame: the partition, its row and the column's name.
    pred = pd.DataFrame(y_pred, columns=NAMES)
    pred.loc[1500, "jazz"] = 2  # 4 partitions of 885, 885, 884, 884 rows: partition 1
    frames = (dd.from_pandas(pd.DataFrame(y_true, columns=NAMES), npartitions=4),
              dd.from_pandas(pred, npartitions=4))
    starts = np.cumsum([0, *frames[1].map_partitions(len).compute()])
    part = int(np.searchsorted(starts, 1500, side="right") - 1)
    with pytest.raises(InputError) as err:
        ldask.evaluate(*frames)
    message = str(err.value)
    assert re.search(rf"\bpartition {part}\b", message), message
    assert re.search(rf"\brow {1500 - starts[part]}\b", message), message
    assert "'jazz'" in message and "y_pred" in message


def _slow_block(block):
    time.sleep(0.3)
    return block


def test_worker_killed_mid_computation(client, cluster, data):
    lc, _ = cluster
    y_true, y_pred, _ = data
    truth = da.from_array(y_true[:1200], chunks=(100, 7)).map_blocks(_slow_block,
                                                                    dtype=y_true.dtype)
    pred = da.from_array(y_pred[:1200], chunks=(300, 7))
    assert truth.numblocks == (12, 1)
    before = client.run(os.getpid)  # worker address -> process id
    victim = sorted(before)[0]
    out = {}

    def run():
        try:
            out["report"] = ldask.evaluate(truth, pred)
        except BaseException as exc:  # pragma: no cover - reported below
            out["error"] = exc

    started = time.monotonic()
    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive()  # killed mid-computation: 12 blocks of 0.3 s on 2 workers
    os.kill(before[victim], signal.SIGKILL)
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert "error" not in out, out.get("error")
    assert_same_report(out["report"], labelwise.evaluate(y_true[:1200], y_pred[:1200]))
    assert time.monotonic() - started > 1.0
    client.wait_for_workers(2, timeout=60)  # the nanny started a new worker
    after = client.run(os.getpid)
    assert victim not in after and before[victim] not in after.values()


def test_missing_ids_are_counted_and_allowed(client):
    y_true, y_pred, _ = generated(n=1200, seed=11)
    truth, pred = _frames_with_ids(y_true, y_pred, NAMES, seed=2)
    t = dd.from_pandas(truth, npartitions=4)
    p_full = dd.from_pandas(pred, npartitions=3)
    # Three ids dropped from one partition of the predictions, two unknown ids added.
    dropped = pred["id"].iloc[410:413].tolist()
    extra = pd.DataFrame(np.zeros((2, len(NAMES)), dtype=np.int8), columns=NAMES)
    extra.insert(0, "id", [-1, -2])
    parts = [p_full.partitions[0], p_full.partitions[1][~p_full.partitions[1]["id"].isin(
        dropped)], p_full.partitions[2], dd.from_pandas(extra, npartitions=1)]
    p = dd.concat(parts)
    assert p.partitions[1].map_partitions(len).compute().sum() == 400 - 3
    with pytest.raises(InputError, match=r"3 truth id\(s\) have no prediction and 2 "
                       r"prediction id\(s\) are not in the truth \(column 'id'\).*"
                       r"allow_missing=True.*1197 matched rows"):
        ldask.evaluate(t, p, id_column="id")

    got = ldask.evaluate(t, p, id_column="id", allow_missing=True)
    assert got.params["rows"] == {
        "by": "id", "truth_rows": 1200, "pred_rows": 1199, "matched": 1197,
        "left_out": {"truth id not in predictions": 3, "prediction id not in truth": 2}}
    keep = ~truth["id"].isin(dropped).to_numpy()
    by_id = pred.set_index("id").loc[truth["id"][keep], NAMES].to_numpy()
    assert_same_report(got, labelwise.evaluate(truth[NAMES].to_numpy()[keep], by_id,
                                               labels=NAMES))


def test_repeated_ids_raise(client):
    y_true, y_pred, _ = generated(n=300, seed=12)
    truth, pred = _frames_with_ids(y_true, y_pred, NAMES)
    p = dd.from_pandas(pd.concat([pred, pred.iloc[:2]], ignore_index=True), npartitions=2)
    for allow in (False, True):
        with pytest.raises(InputError, match=r"0 id\(s\) appear more than once in y_true and "
                           r"2 in the predictions"):
            ldask.evaluate(dd.from_pandas(truth, npartitions=2), p, id_column="id",
                           allow_missing=allow)


# --------------------------------------------------------------------------
# 7. Poisson intervals
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ci_data():
    y_true, y_pred, _ = generated(n=3000, n_labels=4, seed=21)
    y_true[:, -1] = np.random.default_rng(2).random(3000) < 0.2  # every label defined
    chunks = ((1000, 37, 1962, 1), (2, 2))
    return y_true, y_pred, da.from_array(y_true, chunks=chunks), \
        da.from_array(y_pred, chunks=(600, 4))


def test_poisson_intervals(client, ci_data):
    y_true, y_pred, truth, pred = ci_data
    got = ldask.evaluate(truth, pred, ci=0.95, seed=7)
    again = ldask.evaluate(truth, pred, ci=0.95, seed=7)
    other = ldask.evaluate(truth, pred, ci=0.95, seed=8)
    want = labelwise.evaluate(y_true, y_pred, ci=0.95, ci_method="poisson", seed=7)
    assert_same_report(got, want)  # the point estimates
    assert got.params["ci_method"] == "poisson" and got.params["n_bootstrap"] == 1000
    assert got.ci and set(got.ci) == set(want.ci)
    assert {"f1_micro", "f1_macro", "hamming_loss", "subset_accuracy",
            "jaccard_samples"} <= set(got.ci)
    assert got.ci == again.ci  # the same seed, the same intervals
    assert got.ci != other.ci
    for name, (lo, hi) in want.ci.items():
        g_lo, g_hi = got.ci[name]
        width = hi - lo
        assert width > 0, name
        # Other draws of the same bootstrap: the endpoints agree to Monte Carlo error.
        assert abs(g_lo - lo) <= 0.2 * width and abs(g_hi - hi) <= 0.2 * width, \
            (name, got.ci[name], want.ci[name])
        assert g_lo <= got.metrics[name] <= g_hi, name


def test_poisson_intervals_of_label_sets_with_a_growing_vocabulary(client, label_sets):
    truth, pred = label_sets
    t = dd.from_pandas(pd.DataFrame({"tags": truth}), npartitions=3)
    p = dd.from_pandas(pd.DataFrame({"tags": pred}), npartitions=3)
    got = ldask.evaluate(t, p, labels_column="tags", ci=0.9, seed=3)
    want = labelwise.evaluate(truth, pred, ci=0.9, ci_method="poisson",
                              seed=3)
    assert_same_report(got, want)
    assert set(got.ci) == set(want.ci)
    for name, (lo, hi) in want.ci.items():
        width = hi - lo
        g_lo, g_hi = got.ci[name]
        assert abs(g_lo - lo) <= 0.2 * width + 1e-12 and abs(g_hi - hi) <= 0.2 * width + 1e-12, \
            (name, got.ci[name], want.ci[name])


def test_poisson_report_records_the_seed_given(client, ci_data):
    _, _, truth, pred = ci_data
    report = ldask.evaluate(truth, pred, ci=0.95, seed=7, n_bootstrap=200)
    assert report.params["seed"] == 7


def test_poisson_intervals_redrawn_from_the_recorded_seed(client, ci_data):
    _, _, truth, pred = ci_data
    first = ldask.evaluate(truth, pred, ci=0.95, n_bootstrap=200)
    seed = first.params["seed"]
    seed = tuple(seed) if isinstance(seed, list) else seed
    again = ldask.evaluate(truth, pred, ci=0.95, n_bootstrap=200, seed=seed)
    assert again.ci == first.ci


# --------------------------------------------------------------------------
# 8. Argument errors
# --------------------------------------------------------------------------


def test_array_mixed_with_a_dataframe(client, data):
    y_true, y_pred, _ = data
    array = da.from_array(y_true, chunks=1000)
    frame = dd.from_pandas(pd.DataFrame(y_pred, columns=NAMES), npartitions=2)
    with pytest.raises(InputError, match="both be dask arrays"):
        ldask.evaluate(array, frame)
    with pytest.raises(InputError, match="both be dask arrays"):
        ldask.evaluate(frame, y_score=da.from_array(y_pred.astype(float)))


def test_numpy_arrays_are_refused(client, data):
    y_true, y_pred, _ = data
    with pytest.raises(InputError, match=r"dask arrays or dask DataFrames.*labelwise\.evaluate"):
        ldask.evaluate(y_true, y_pred)
    with pytest.raises(InputError, match=r"labelwise\.evaluate"):
        ldask.evaluate(pd.DataFrame(y_true), pd.DataFrame(y_pred))
    with pytest.raises(InputError, match="both be dask arrays"):
        ldask.evaluate(y_true, da.from_array(y_pred))


def test_frames_matched_by_position_need_the_same_partitions(client, data):
    y_true, y_pred, _ = data
    truth = pd.DataFrame(y_true, columns=NAMES)
    pred = pd.DataFrame(y_pred, columns=NAMES)
    with pytest.raises(InputError, match="y_true has 4 partitions but the predictions 3.*"
                       "id_column="):
        ldask.evaluate(dd.from_pandas(truth, npartitions=4), dd.from_pandas(pred, npartitions=3))
    # The same number of partitions, of other lengths.
    t = dd.from_pandas(truth, npartitions=2)
    p = dd.concat([dd.from_pandas(pred.iloc[:1000], npartitions=1),
                   dd.from_pandas(pred.iloc[1000:], npartitions=1)])
    assert t.npartitions == p.npartitions == 2
    with pytest.raises(InputError, match=r"partition 0 has 1769 rows in y_true but 1000"):
        ldask.evaluate(t, p)


def test_predictions_and_scores_both_or_neither(client, data):
    y_true, y_pred, y_score = data
    truth = da.from_array(y_true, chunks=1000)
    with pytest.raises(InputError, match="exactly one of y_pred.*both"):
        ldask.evaluate(truth, da.from_array(y_pred, chunks=1000),
                       y_score=da.from_array(y_score, chunks=1000))
    with pytest.raises(InputError, match="exactly one of y_pred.*neither"):
        ldask.evaluate(truth)


def test_other_argument_errors(client, data):
    y_true, y_pred, _ = data
    truth = da.from_array(y_true, chunks=1000)
    with pytest.raises(InputError, match="shape"):
        ldask.evaluate(truth, da.from_array(y_pred[:, :5], chunks=1000))
    with pytest.raises(InputError, match="shape"):
        ldask.evaluate(truth, da.from_array(y_pred[:-1], chunks=1000))
    with pytest.raises(InputError, match="auc must be"):
        ldask.evaluate(truth, y_score=truth, auc="roc")
    frame = dd.from_pandas(pd.DataFrame(y_true, columns=NAMES), npartitions=2)
    with pytest.raises(InputError, match="no id column 'id'"):
        ldask.evaluate(frame, frame, id_column="id")
    with pytest.raises(InputError, match="no column 'tags'"):
        ldask.evaluate(frame, frame, labels_column="tags")


@pytest.mark.parametrize("setting", [dict(threshold=0.3), dict(k=(1, 2)),
                                     dict(inclusive=True)], ids=str)
def test_score_settings_with_hard_predictions_are_refused(client, data, setting):
    y_true, y_pred, _ = data
    with pytest.raises(InputError, match="apply to scores"):
        labelwise.evaluate(y_true, y_pred, **setting)
    with pytest.raises(InputError, match="apply to scores"):
        ldask.evaluate(da.from_array(y_true, chunks=1000), da.from_array(y_pred, chunks=1000),
                       **setting)


@pytest.mark.parametrize("split_every", [0, -1])
def test_split_every_below_two_is_refused(data, split_every):
    y_true, y_pred, _ = data
    with pytest.raises(InputError, match="split_every"):
        ldask.evaluate(da.from_array(y_true, chunks=1000), da.from_array(y_pred, chunks=1000),
                       split_every=split_every)


def test_split_every_one_is_refused_not_endless():
    script = textwrap.dedent("""
        import numpy as np, dask.array as da
        import labelwise, labelwise.dask as ldask
        y = da.from_array(np.eye(4, dtype=int), chunks=1)
        try:
            ldask.evaluate(y, y, split_every=1)
        except labelwise.InputError as err:
            print("InputError", err)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("labelwise.dask.evaluate(..., split_every=1) did not return in 10 s")
    assert out.startswith("InputError") and "split_every" in out


def test_unknown_chunk_sizes_give_a_true_partition_start(client):
    y_true = np.zeros((50, 4), dtype=np.int64)
    y_true[::3, 1] = 1
    y_pred = y_true.copy()
    y_true[41, 2] = 2  # 3 partitions of 17, 17 and 16 rows: partition 2, its row 7
    truth = dd.from_pandas(pd.DataFrame(y_true), npartitions=3).to_dask_array()
    pred = dd.from_pandas(pd.DataFrame(y_pred), npartitions=3).to_dask_array()
    assert math.isnan(truth.shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(InputError) as err:
            ldask.evaluate(truth, pred)
    message = str(err.value)
    assert re.search(r"\bpartition 2\b", message) and re.search(r"\brow 7\b", message)
    assert "rows from 34 " in message or "rows from" not in message, message


# --------------------------------------------------------------------------
# Arrays held in the workers' memory: one task per worker
# --------------------------------------------------------------------------


def _held(client, *arrays):
    held = client.persist(list(arrays))
    distributed.wait(held)
    return held


def test_held_arrays_one_task_per_worker(client, data):
    y_true, y_pred, y_score = data
    chunks = ((1000, 0, 37, 1500, 1001), (7,))
    truth, pred, scores = _held(client, *(da.from_array(a, chunks=chunks)
                                          for a in (y_true, y_pred, y_score)))
    with distributed.get_task_stream(client) as stream:
        assert_same_report(ldask.evaluate(truth, pred, labels=NAMES),
                           labelwise.evaluate(y_true, y_pred, labels=NAMES))
    # One task for each worker that holds a block, whatever the number of blocks, and
    # no merge task: the two small states merge on the client.
    names = [dask.utils.key_split(t["key"]) for t in stream.data]
    assert set(names) == {"local_state"} and 1 <= len(names) <= 2, names
    assert_same_report(ldask.evaluate(truth, y_score=scores, labels=NAMES, bins=128),
                       binned_reference(y_true, y_score, NAMES, bins=128))


def test_held_arrays_poisson_intervals_as_the_graph(client, ci_data):
    y_true, y_pred, truth, pred = ci_data
    truth, pred = truth.rechunk({1: -1}), pred.rechunk((truth.chunks[0], -1))
    graph = ldask.evaluate(truth, pred, ci=0.95, seed=7)
    held = ldask.evaluate(*_held(client, truth, pred), ci=0.95, seed=7)
    assert_same_report(held, labelwise.evaluate(y_true, y_pred))
    assert set(held.ci) == set(graph.ci)
    for name, (lo, hi) in graph.ci.items():  # the same draws, merged in another order
        assert abs(held.ci[name][0] - lo) <= TOL and abs(held.ci[name][1] - hi) <= TOL, name


def test_held_arrays_bad_value_names_partition_and_row(client, data):
    y_true, y_pred, _ = data
    bad = y_true.copy()
    bad[1040, 5] = 2  # partition 2 (rows 1037 to 3536), its row 3
    truth, pred = _held(client, da.from_array(bad, chunks=(ROW_CHUNKS, 7)),
                        da.from_array(y_pred, chunks=(ROW_CHUNKS, 7)))
    with pytest.raises(InputError) as err:
        ldask.evaluate(truth, pred)
    message = str(err.value)
    assert re.search(r"\bpartition 2\b", message) and "rows from 1037" in message, message
    assert re.search(r"\brow 3\b", message) and re.search(r"\bcolumn 5\b", message), message


# --------------------------------------------------------------------------
# unknown= and calibration_bins=
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unknown_data(data):
    """The module's data with about 10% of the truth unknown (-1)."""
    y_true, y_pred, y_score = data
    marked = y_true.astype(np.int8)
    marked[np.random.default_rng(5).random(marked.shape) < 0.1] = -1
    return marked, y_pred, y_score


def test_unknown_entries_in_arrays(client, unknown_data):
    y_true, y_pred, y_score = unknown_data
    truth = da.from_array(y_true, chunks=(ROW_CHUNKS, LABEL_CHUNKS))
    want = labelwise.evaluate(y_true, y_pred, labels=NAMES, unknown=-1)
    got = ldask.evaluate(truth, da.from_array(y_pred, chunks=700), labels=NAMES, unknown=-1)
    assert_same_report(got, want)
    assert got.params["unknown"] == want.params["unknown"]
    assert got.params["unknown"]["entries"] > 0
    scores = da.from_array(y_score, chunks=((2000, 1, 1537), (5, 2)))
    got = ldask.evaluate(truth, y_score=scores, labels=NAMES, unknown=-1, calibration_bins=7)
    want = binned_reference(y_true, y_score, NAMES, unknown=-1, calibration_bins=7)
    assert_same_report(got, want)
    assert got.params["unknown"] == want.params["unknown"]
    assert {"ece_macro", "ece_micro", "brier_macro"} <= set(got.metrics)
    # The bins count: 7 bins do not give the default 15's ECE.
    assert got["ece_macro"] != binned_reference(y_true, y_score, NAMES, unknown=-1)["ece_macro"]


@pytest.mark.parametrize("marker", [-1, "nan"])
def test_unknown_entries_in_label_columns(client, unknown_data, marker):
    y_true, y_pred, y_score = unknown_data
    values = y_true if marker == -1 else np.where(y_true == -1, np.nan, y_true)
    truth = dd.from_pandas(pd.DataFrame(values, columns=NAMES), npartitions=3)
    pred = dd.from_pandas(pd.DataFrame(y_pred, columns=NAMES), npartitions=3)
    want = labelwise.evaluate(y_true, y_pred, labels=NAMES, unknown=-1)
    assert_same_report(ldask.evaluate(truth, pred, unknown=marker), want)
    scores = dd.from_pandas(pd.DataFrame(y_score, columns=NAMES), npartitions=3)
    assert_same_report(
        ldask.evaluate(truth, y_score=scores, unknown=marker, calibration_bins=4),
        binned_reference(y_true, y_score, NAMES, unknown=-1, calibration_bins=4))


def test_unknown_and_calibration_bins_errors(client, data):
    y_true, y_pred, y_score = data
    truth, pred = da.from_array(y_true, chunks=1000), da.from_array(y_pred, chunks=1000)
    with pytest.raises(InputError, match=r"unknown=1 would mark true \(or false\) entries"):
        ldask.evaluate(truth, pred, unknown=1)
    with pytest.raises(InputError, match="unknown truth entries cannot be combined with ci= "
                                         "yet.*Leave out ci="):
        ldask.evaluate(truth, pred, unknown=-1, ci=0.95)
    frame = dd.from_pandas(pd.DataFrame({"tags": [["a"], ["b"]]}), npartitions=1)
    with pytest.raises(InputError, match=r"unknown=-1 marks entries of label columns, but "
                                         r"labels_column='tags' holds label sets"):
        ldask.evaluate(frame, frame, labels_column="tags", unknown=-1)
    with pytest.raises(InputError, match="calibration_bins"):
        ldask.evaluate(truth, y_score=da.from_array(y_score, chunks=1000), calibration_bins=0)
