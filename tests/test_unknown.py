"""Unknown truth entries: every metric equals a brute-force computation on the masked
data, the counts stay additive, and every error is clear."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import metrics as M

import labelwise
from labelwise import Accumulator, InputError

TOL = 1e-12


# --------------------------------------------------------------------------
# Brute force on the masked data
# --------------------------------------------------------------------------


def _confusion(y, p, w):
    y, p = y.astype(bool), p.astype(bool)
    return (w[y & p].sum(), w[~y & p].sum(), w[y & ~p].sum(), w[~y & ~p].sum())


def _ratio(a, b, zd=0.0):
    return zd if b == 0 else a / b


def _family(name, tp, fp, fn, tn):
    if name == "precision":
        return _ratio(tp, tp + fp)
    if name == "recall":
        return _ratio(tp, tp + fn)
    if name == "f1":
        return _ratio(2 * tp, 2 * tp + fp + fn)
    if name == "jaccard":
        return _ratio(tp, tp + fp + fn)
    if name == "specificity":
        return _ratio(tn, tn + fp)
    if name == "mcc":
        den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
        return _ratio(tp * tn - fp * fn, den)
    raise ValueError(name)


FAMILIES = ("precision", "recall", "f1", "jaccard", "specificity", "mcc")


def brute_threshold(Y, P, U, w):
    """Every threshold metric on the known entries only, one unit at a time."""
    n, L = Y.shape
    K = ~U
    out = {}
    for fam in FAMILIES:
        per = []
        for j in range(L):
            k = K[:, j]
            per.append(_family(fam, *_confusion(Y[k, j], P[k, j], w[k])))
        out[f"{fam}_macro"] = float(np.mean(per))
        support = np.array([w[K[:, j] & (Y[:, j] == 1)].sum() for j in range(L)])
        out[f"{fam}_weighted"] = (float(np.average(per, weights=support)) if support.sum()
                                  else float(np.mean(per)))
        ww = np.repeat(w, L).reshape(n, L)
        out[f"{fam}_micro"] = _family(fam, *_confusion(Y[K], P[K], ww[K]))
        rows = [i for i in range(n) if K[i].any()]
        vals = [_family(fam, *_confusion(Y[i, K[i]], P[i, K[i]], np.full(K[i].sum(), 1.0)))
                for i in rows]
        out[f"{fam}_samples"] = float(np.average(vals, weights=w[rows])) if rows else 0.0
        out[f"per_label_{fam}"] = np.array(per)
    ww = np.repeat(w, L).reshape(n, L)
    out["hamming_loss"] = float((ww[K] * (Y[K] != P[K])).sum() / ww[K].sum())
    rows = [i for i in range(n) if K[i].any()]
    exact = [float((Y[i, K[i]] == P[i, K[i]]).all()) for i in rows]
    out["subset_accuracy"] = float(np.average(exact, weights=w[rows]))
    return out


def brute_scores(Y, S, U, w, ks=(1, 2)):
    """Ranking, ROC-AUC/AP and @k on each sample's (or label's) known entries."""
    n, L = Y.shape
    K = ~U
    out = {}
    aucs, aps = [], []
    for j in range(L):
        k = K[:, j]
        y, s = Y[k, j], S[k, j]
        if 0 < y.sum() < y.size:
            aucs.append(M.roc_auc_score(y, s, sample_weight=w[k]))
        else:
            aucs.append(np.nan)
        # no known entry: no positive either, which AP scores 0 (as scikit-learn does)
        aps.append(M.average_precision_score(y, s, sample_weight=w[k]) if y.size else 0.0)
    out["label_auc"], out["label_ap"] = np.array(aucs), np.array(aps)
    ww = np.repeat(w, L).reshape(n, L)
    out["roc_auc_micro"] = M.roc_auc_score(Y[K], S[K], sample_weight=ww[K])
    out["average_precision_micro"] = M.average_precision_score(Y[K], S[K], sample_weight=ww[K])
    rows = [i for i in range(n) if K[i].any()]
    per_row = {m: [] for m in ("lrap", "rl", "cov", "one", "auc")}
    at_k = {f"{m}_{k}": [] for m in ("p", "ndcg") for k in ks}
    auc_w = []
    for i in rows:
        y, s = Y[i, K[i]][None], S[i, K[i]][None]
        lrap, rl, cov, auc = _row_ranking(y[0].astype(bool), s[0])
        per_row["lrap"].append(lrap)
        per_row["rl"].append(rl)
        per_row["cov"].append(cov)
        top = np.flatnonzero(s[0] == s[0].max())
        per_row["one"].append(1.0 - y[0, top].mean())
        if auc is not None:
            per_row["auc"].append(auc)
            auc_w.append(w[i])
        for k in ks:  # the mean over every order of tied labels
            D = np.concatenate([[0.0], np.cumsum(1 / np.log2(np.arange(2, s.size + 2)))])
            hits = dcg = 0.0
            for j in np.flatnonzero(y[0]):
                start, eq = int((s[0] > s[0, j]).sum()), int((s[0] == s[0, j]).sum())
                stop = min(start + eq, k)
                if start < k:
                    hits += (stop - start) / eq
                    dcg += (D[stop] - D[start]) / eq
            ideal = D[min(k, int(y.sum()))]
            at_k[f"p_{k}"].append(hits / k)
            at_k[f"ndcg_{k}"].append(dcg / ideal if ideal else 0.0)
    wr = w[rows]
    out["label_ranking_average_precision"] = np.average(per_row["lrap"], weights=wr)
    out["label_ranking_loss"] = np.average(per_row["rl"], weights=wr)
    out["coverage_error"] = np.average(per_row["cov"], weights=wr)
    out["one_error"] = np.average(per_row["one"], weights=wr)
    out["roc_auc_samples"] = (np.average(per_row["auc"], weights=auc_w)
                              if auc_w and sum(auc_w) else np.nan)
    for k in ks:
        out[f"precision_at_{k}"] = np.average(at_k[f"p_{k}"], weights=wr)
        out[f"ndcg_at_{k}"] = np.average(at_k[f"ndcg_{k}"], weights=wr)
    return out


def _row_ranking(y, s):
    """One sample's LRAP, ranking loss, coverage and ROC-AUC over its labels, by their
    definitions (scikit-learn's conventions for rows with no or only true labels)."""
    r, m = int(y.sum()), y.size
    at_or_above = [(s >= s[j]) for j in np.flatnonzero(y)]
    cov = max((int(a.sum()) for a in at_or_above), default=0)
    if r in (0, m):
        return 1.0, 0.0, cov, None
    lrap = np.mean([(a & y).sum() / a.sum() for a in at_or_above])
    pos, neg = s[y], s[~y]
    wrong = sum(int((neg >= p).sum()) for p in pos)
    good = sum(float((p > neg).sum()) + 0.5 * float((p == neg).sum()) for p in pos)
    return lrap, wrong / (r * (m - r)), cov, good / (r * (m - r))


@st.composite
def masked_case(draw, min_rows=1, max_rows=30, max_labels=6):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(min_rows, max_rows))
    L = draw(st.integers(2, max_labels))
    Y = (rng.random((n, L)) < draw(st.sampled_from([0.1, 0.3, 0.6]))).astype(np.int64)
    P = (rng.random((n, L)) < draw(st.sampled_from([0.0, 0.3, 0.7]))).astype(np.int64)
    U = rng.random((n, L)) < draw(st.sampled_from([0.05, 0.3, 0.6]))
    if draw(st.booleans()):
        U[rng.integers(n)] = True  # a sample with no known entry
    if U.all():
        U[0, 0] = False
    S = np.round(rng.random((n, L)), draw(st.sampled_from([1, 6])))  # ties at 1 place
    weighted = draw(st.booleans())
    w = rng.uniform(0.5, 2.0, n) if weighted else np.ones(n)
    return Y, P, S, U, (w if weighted else None)


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(masked_case())
def test_threshold_metrics_equal_brute_force_on_the_known_entries(case):
    Y, P, _, U, w = case
    Yu = np.where(U, -1, Y)
    r = labelwise.evaluate(Yu, P, unknown=-1, sample_weight=w)
    ref = brute_threshold(Y, P, U, np.ones(Y.shape[0]) if w is None else w)
    for name, value in ref.items():
        if name.startswith("per_label_"):
            np.testing.assert_allclose(r.per_label[name[len("per_label_"):]], value,
                                       atol=TOL, rtol=0)
        else:
            assert r[name] == pytest.approx(value, abs=TOL), name
    if not U.any():  # nothing unknown: the report is today's
        assert "unknown" not in r.params
        return
    assert r.params["unknown"]["entries"] == pytest.approx(
        U.sum() if w is None else (U * w[:, None]).sum())
    assert r.params["unknown"]["samples_without_known"] == int(U.all(axis=1).sum())
    np.testing.assert_allclose(r.per_label["unknown"],
                               (U * (1 if w is None else w[:, None])).sum(0)
                               / (len(Y) if w is None else w.sum()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(masked_case(min_rows=2))
def test_score_metrics_equal_brute_force_on_the_known_entries(case):
    Y, _, S, U, w = case
    K = ~U
    if not (Y[K].any() and (Y[K] == 0).any()):
        return  # micro ROC-AUC needs both classes among the known entries
    Yu = np.where(U, -1, Y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = labelwise.evaluate(Yu, y_score=S, unknown=-1, sample_weight=w, k=(1, 2))
        ref = brute_scores(Y, S, U, np.ones(Y.shape[0]) if w is None else w)
    np.testing.assert_allclose(r.per_label["roc_auc"], ref["label_auc"], atol=TOL, rtol=0)
    np.testing.assert_allclose(r.per_label["average_precision"], ref["label_ap"], atol=TOL,
                               rtol=0)
    for name, value in ref.items():
        if name.startswith("label_") and name not in r.metrics:
            continue
        if isinstance(value, float) and math.isnan(value):
            continue
        assert r[name] == pytest.approx(value, abs=TOL), name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(masked_case(min_rows=2), st.data())
def test_counts_with_unknown_entries_add_up_across_batches(case, data):
    Y, P, S, U, w = case
    Yu = np.where(U, -1, Y)
    cut = data.draw(st.integers(1, Y.shape[0] - 1))
    for kwargs in ({"y_pred": P}, {"y_score": S}):
        whole = labelwise.evaluate(Yu, unknown=-1, sample_weight=w, **kwargs)
        parts = []
        for sl in (slice(0, cut), slice(cut, None)):
            acc = Accumulator(unknown=-1)
            kw = {k: v[sl] for k, v in kwargs.items()}
            parts.append(acc.update(Yu[sl], sample_weight=None if w is None else w[sl], **kw))
        b, a = parts
        merged = (b + a) if data.draw(st.booleans()) else (a + b)
        back = Accumulator.from_dict(json.loads(json.dumps(merged.to_dict())))
        for r in (merged.report(), back.report()):
            for name, value in whole.metrics.items():
                if isinstance(value, float) and math.isnan(value):
                    assert math.isnan(r[name]), name
                else:
                    assert r[name] == pytest.approx(value, abs=1e-12), name


@settings(max_examples=30, deadline=None)
@given(masked_case(min_rows=2))
def test_binned_auc_leaves_unknown_entries_out(case):
    Y, _, S, U, w = case
    Yu = np.where(U, -1, Y)
    exact = labelwise.evaluate(Yu, y_score=np.round(S, 1), unknown=-1, sample_weight=w)
    acc = Accumulator(unknown=-1, auc="binned", bins=11)  # one bin per decimal: no error
    centred = (np.round(S * 10) + 0.5) / 11  # decimal k/10 in the middle of bin k
    binned = acc.update(Yu, y_score=centred, sample_weight=w).report()
    np.testing.assert_allclose(binned.per_label["roc_auc"], exact.per_label["roc_auc"],
                               atol=1e-9)


def test_no_unknown_entry_gives_exactly_todays_results():
    rng = np.random.default_rng(3)
    Y = (rng.random((50, 5)) < 0.3).astype(int)
    S = rng.random((50, 5))
    for kwargs in ({"y_pred": (S > 0.5).astype(int)}, {"y_score": S}):
        today = labelwise.evaluate(Y, **kwargs)
        for extra in ({"unknown": -1}, {"unknown": "nan"},
                      {"y_true_unknown": np.zeros_like(Y)}):
            r = labelwise.evaluate(Y, **kwargs, **extra)
            assert r.metrics == today.metrics
            assert "unknown" not in r.params and "unknown" not in r.per_label.columns


def test_the_same_unknowns_in_every_input_kind():
    Y = np.array([[1, -1, 0], [0, 1, -1], [1, 0, 1], [-1, -1, -1]])
    P = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 1], [1, 0, 0]])
    ref = labelwise.evaluate(Y, P, unknown=-1)
    nan = np.where(Y == -1, np.nan, Y.astype(float))
    names = ["a", "b", "c"]
    sets_true = [["a"], ["b"], ["a", "c"], []]
    sets_unknown = [["b"], ["c"], [], ["a", "b", "c"]]
    sets_pred = [["a", "b"], ["a", "b", "c"], ["c"], ["a"]]
    obj = pd.DataFrame(np.where(Y == -1, "?", Y.astype(str)).astype(object), columns=names)
    obj = obj.apply(lambda col: [x if x == "?" else int(x) for x in col])
    variants = [
        labelwise.evaluate(nan, P, unknown="nan"),
        labelwise.evaluate(pd.DataFrame(nan, columns=names), pd.DataFrame(P, columns=names),
                           unknown="nan"),
        labelwise.evaluate(sp.csr_matrix(Y), P, unknown=-1),
        labelwise.evaluate(obj, pd.DataFrame(P, columns=names), unknown="?"),
        labelwise.evaluate(sets_true, sets_pred, y_true_unknown=sets_unknown),
        labelwise.evaluate(np.where(Y == -1, 0, Y), P, y_true_unknown=(Y == -1).astype(int)),
        labelwise.evaluate(Y.tolist(), P.tolist(), unknown=-1),
    ]
    for r in variants:
        assert r.metrics == pytest.approx(ref.metrics, abs=1e-15)
        assert r.params["unknown"] == ref.params["unknown"]


def test_hand_worked_counts_follow_ignore_index_semantics():
    # As torchmetrics' multilabel stat scores with ignore_index=-1: an ignored target
    # entry is in none of tp, fp, tn, fn.
    y_true = [[1, -1, 0], [0, 1, -1], [1, 0, 1]]
    y_pred = [[1, 1, 0], [1, 1, 1], [0, 0, 1]]
    c = labelwise.evaluate(y_true, y_pred, unknown=-1, labels=["a", "b", "c"]).counts
    #          label a: t=[1,0,1] p=[1,1,0]; b: rows 1-2 t=[1,0] p=[1,0]; c: rows 0, 2
    assert c.tp.tolist() == [1, 1, 1]
    assert c.fp.tolist() == [1, 0, 0]
    assert c.tn.tolist() == [0, 1, 1]
    assert c.fn.tolist() == [1, 0, 0]
    assert c.unknown.tolist() == [0, 1, 1]
    r = labelwise.evaluate(y_true, y_pred, unknown=-1)
    assert r["hamming_loss"] == 2 / 7  # two of the seven known entries are wrong
    assert r["subset_accuracy"] == 1 / 3  # only row 1 matches on its known entries


def test_a_sample_with_no_known_entry_is_counted_and_left_out_of_sample_averages():
    y_true = [[1, 0], [-1, -1]]
    y_pred = [[1, 0], [1, 1]]
    r = labelwise.evaluate(y_true, y_pred, unknown=-1)
    assert r["subset_accuracy"] == 1.0
    assert r["f1_samples"] == 1.0
    assert r.params["unknown"] == {"entries": 2, "fraction": 0.5, "samples_without_known": 1}
    assert "1 sample(s) with no known entry" in str(r)


def test_unknown_only_label_sets_widen_the_vocabulary():
    acc = Accumulator()
    acc.update([["rock"]], [["rock"]], y_true_unknown=[["jazz"]])
    acc.update([["jazz"]], [["jazz"]])
    r = acc.report()
    assert r.labels == ("jazz", "rock")
    assert r.counts.tn.tolist() == [0, 1]  # row 0 knows nothing of jazz; row 1 is no rock
    assert r.counts.unknown.tolist() == [1, 0]


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value,message", [
    (0, "unknown=0 would mark true (or false) entries"),
    (1.0, "unknown=1.0 would mark true (or false) entries"),
    (True, "unknown must be a number such as -1"),
    ([1], "unknown must be a number such as -1"),
])
def test_bad_unknown_markers_are_refused(value, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        labelwise.evaluate([[1, 0]], [[1, 0]], unknown=value)


def test_an_entry_both_true_and_unknown_is_an_error():
    with pytest.raises(InputError, match=r"row 1, column 0 \('a'\) as true, and "
                                         "y_true_unknown marks it as unknown"):
        labelwise.evaluate([[], ["a"]], [[], ["a"]], y_true_unknown=[[], ["a"]])


def test_unknown_marker_with_label_sets_points_to_y_true_unknown():
    with pytest.raises(InputError, match="give the labels nobody annotated as a second set"):
        labelwise.evaluate([["a"]], [["a"]], unknown=-1)


def test_both_ways_at_once_is_an_error():
    with pytest.raises(InputError, match="not both"):
        labelwise.evaluate([[1, -1]], [[1, 0]], unknown=-1, y_true_unknown=[[0, 1]])


def test_y_true_unknown_needs_one_row_per_sample():
    with pytest.raises(InputError, match="y_true_unknown has 2 rows but y_true has 1"):
        labelwise.evaluate([["a"]], [["a"]], y_true_unknown=[["b"], []])


def test_y_true_unknown_matrix_of_another_shape_is_an_error():
    with pytest.raises(InputError, match=r"y_true_unknown has shape \(1, 3\) but y_true has "
                                         r"shape \(1, 2\)"):
        labelwise.evaluate([[1, 0]], [[1, 0]], y_true_unknown=[[0, 1, 1]])


def test_y_true_unknown_with_a_label_outside_the_vocabulary():
    with pytest.raises(InputError, match="y_true_unknown row 0 has the label 'x'"):
        labelwise.evaluate([["a"]], [["a"]], labels=["a", "b"], y_true_unknown=[["x"]])


def test_unknown_entries_with_sparse_scores_are_refused():
    with pytest.raises(InputError, match="unknown truth entries need a score for every label"):
        labelwise.evaluate([[1, -1]], y_score=sp.csr_matrix([[0.5, 0.0]]), unknown=-1)


@pytest.mark.parametrize("kwargs,what", [({"ci": 0.9}, "ci"), ({"mlcm": True}, "mlcm")])
def test_unknown_entries_with_intervals_or_mlcm_are_refused(kwargs, what):
    with pytest.raises(InputError, match=f"cannot be combined with {what} yet"):
        labelwise.evaluate([[1, -1], [0, 1]], [[1, 0], [0, 1]], unknown=-1, **kwargs)


def test_unknown_entries_with_kept_rows_are_refused():
    acc = Accumulator(unknown=-1).keep_rows()
    with pytest.raises(InputError, match="cannot be combined with kept rows yet"):
        acc.update([[1, -1]], [[1, 0]])


def test_a_minus_one_without_unknown_stays_an_error():
    with pytest.raises(InputError, match="must hold only 0 and 1, but has -1"):
        labelwise.evaluate([[1, -1]], [[1, 0]])


def test_accumulators_with_different_unknown_markers_do_not_merge():
    a = Accumulator(unknown=-1).update([[1, -1]], [[1, 0]])
    b = Accumulator().update([[1, 0]], [[1, 0]])
    with pytest.raises(InputError, match="unknown"):
        a.merge(b)


def test_binned_state_refuses_a_mask_of_another_shape():
    from labelwise.binned import BinnedScores

    with pytest.raises(InputError, match=r"unknown has shape \(1, 1\) but the scores have "
                                         r"shape \(1, 2\)"):
        BinnedScores(2).update(sp.csr_matrix([[1, 0]]), np.array([[0.5, 0.5]]),
                               unknown=np.array([[True]]))


def test_switching_to_bins_keeps_unknown_entries_out():
    rng = np.random.default_rng(5)
    Y = (rng.random((80, 4)) < 0.4).astype(int)
    S = (np.floor(rng.random((80, 4)) * 11) + 0.5) / 11
    Yu = np.where(rng.random((80, 4)) < 0.3, -1, Y)
    direct = Accumulator(unknown=-1, auc="binned", bins=11).update(Yu, y_score=S).report()
    switched = Accumulator(unknown=-1, bins=11).update(Yu[:40], y_score=S[:40]).bin_scores()
    switched = switched.update(Yu[40:], y_score=S[40:]).report()
    assert switched.params["auc"] == "binned"
    np.testing.assert_allclose(switched.per_label["roc_auc"], direct.per_label["roc_auc"],
                               atol=1e-12)
    assert switched["average_precision_micro"] == pytest.approx(
        direct["average_precision_micro"], abs=1e-12)


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------


def _cli(*args):
    import inspect

    from click.testing import CliRunner

    from labelwise.cli import main

    kw = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
    return CliRunner(**kw).invoke(main, ["evaluate", *map(str, args)], catch_exceptions=False)


def _write(path, rows):
    path.write_text("\n".join(",".join(map(str, r)) for r in rows) + "\n")
    return path


TRUTH = [[1, -1, 0], [0, 1, -1], [1, 0, 1]]
PRED = [[1, 1, 0], [1, 1, 1], [0, 0, 1]]


@pytest.mark.parametrize("marker", ["-1", "?", ""])
def test_cli_unknown_value_equals_the_api(tmp_path, marker):
    cells = [[marker if v == -1 else v for v in row] for row in TRUTH]
    truth = _write(tmp_path / "t.csv", [["id", "a", "b", "c"]] + [[i, *r] for i, r in
                                                                enumerate(cells)])
    pred = _write(tmp_path / "p.csv", [["id", "a", "b", "c"]] + [[i, *r] for i, r in
                                                               enumerate(PRED)])
    result = _cli("--true", truth, "--pred", pred, "--id-column", "id",
                  f"--unknown-value={marker}", "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    want = labelwise.evaluate(TRUTH, PRED, unknown=-1, labels=["a", "b", "c"])
    assert got["metrics"] == pytest.approx(want.metrics)
    assert got["params"]["unknown"] == want.params["unknown"]


def _write_jsonl(path, header, rows, ascii_file=False):
    """JSON Lines with text as UTF-8 (or, ``ascii_file``, as \\u escapes)."""
    path.write_text("".join(json.dumps(dict(zip(header, r)), ensure_ascii=ascii_file) + "\n"
                            for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("ascii_file", [False, True])
@pytest.mark.parametrize("marker", ["-1", "?", "", "n/a \"x\"", "é—"])
def test_cli_unknown_value_in_json_lines_equals_the_api(tmp_path, marker, ascii_file):
    # a text marker mixed with numbers in one column: read as unknown, not refused
    cells = [[(marker if marker != "-1" else -1) if v == -1 else v for v in row]
             for row in TRUTH]
    header = ["id", "a", "b", "c"]
    truth = _write_jsonl(tmp_path / "t.jsonl", header, [[f"r{i}: {marker}", *r]
                                                       for i, r in enumerate(cells)],
                         ascii_file)
    pred = _write_jsonl(tmp_path / "p.jsonl", header, [[f"r{i}: {marker}", *r]
                                                      for i, r in enumerate(PRED)])
    result = _cli("--true", truth, "--pred", pred, "--id-column", "id",
                  f"--unknown-value={marker}", "--format", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    want = labelwise.evaluate(TRUTH, PRED, unknown=-1, labels=["a", "b", "c"])
    assert got["metrics"] == pytest.approx(want.metrics)
    assert got["params"]["unknown"] == want.params["unknown"]
    assert got["params"]["unknown"]["entries"] == 2


@pytest.mark.parametrize("chunk", [1, 7, 1 << 20])
def test_json_lines_marker_read_as_null_across_chunks(chunk):
    import io

    from labelwise.io._files import MarkerAsNull

    lines = [b'{"a": %d, "b": "?" , "?": 1, "id": "x: \\"?\\""}\n' % i for i in range(50)]
    data = b"".join(lines) + b'{"a": "?"}'  # the last line without a newline
    out = MarkerAsNull(io.BytesIO(data), "?", chunk=chunk).read()
    want = b"".join(x.replace(b'"b": "?"', b'"b": null') for x in lines) + b'{"a": null}'
    assert out == want  # keys and quotes inside strings are left alone


def test_cli_json_lines_text_other_than_the_marker_is_an_error(tmp_path):
    header = ["a", "b"]
    truth = _write_jsonl(tmp_path / "t.jsonl", header, [[1, "?"], [0, 1], ["??", 0]])
    pred = _write_jsonl(tmp_path / "p.jsonl", header, [[1, 0], [0, 1], [1, 0]])
    result = _cli("--true", truth, "--pred", pred, "--unknown-value=?")
    assert result.exit_code == 2
    assert "t.jsonl:3, column 'a': '??' is not a number" in result.stderr, result.stderr


def test_cli_minus_one_without_unknown_value_names_the_option(tmp_path):
    truth = _write(tmp_path / "t.csv", [["a", "b", "c"], *TRUTH])
    pred = _write(tmp_path / "p.csv", [["a", "b", "c"], *PRED])
    result = _cli("--true", truth, "--pred", pred)
    assert result.exit_code == 2
    assert "t.csv:2, column 'b': -1 is not 0 or 1" in result.stderr
    assert "pass --unknown-value -1" in result.stderr


def test_cli_numeric_marker_keeps_empty_cells_an_error(tmp_path):
    truth = _write(tmp_path / "t.csv", [["a", "b"], [1, ""], [0, -1]])
    pred = _write(tmp_path / "p.csv", [["a", "b"], [1, 0], [0, 1]])
    result = _cli("--true", truth, "--pred", pred, "--unknown-value=-1")
    assert result.exit_code == 2
    assert "t.csv:2, column 'b': nan is not 0 or 1" in result.stderr


def test_cli_unknown_value_with_label_sets_is_refused(tmp_path):
    truth = tmp_path / "t.csv"
    truth.write_text('id,tags\n1,"a,b"\n2,b\n')
    pred = tmp_path / "p.csv"
    pred.write_text('id,tags\n1,a\n2,b\n')
    result = _cli("--true", truth, "--pred", pred, "--id-column", "id", "--labels-column",
                  "tags", "--unknown-value", "?")
    assert result.exit_code == 2
    assert "--unknown-value marks entries of files with one column per label" in result.stderr


@pytest.mark.parametrize("by_id", [False, True])
def test_cli_unknown_column_of_label_sets_equals_the_api(tmp_path, by_id):
    truth = tmp_path / "t.csv"
    truth.write_text('id,tags,unannotated\n1,rock,jazz\n2,jazz,\n3,"rock,live",jazz\n'
                     '4,,"rock,live"\n')
    pred = tmp_path / "p.csv"
    rows = [("1", "rock,jazz"), ("2", "jazz"), ("3", "live"), ("4", "live")]
    if by_id:
        rows = rows[::-1]
    pred.write_text("id,tags\n" + "".join(f'{i},"{t}"\n' for i, t in rows))
    args = ["--true", truth, "--pred", pred, "--labels-column", "tags", "--unknown-column",
            "unannotated", "--format", "json"] + (["--id-column", "id"] if by_id else [])
    result = _cli(*args)
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    want = labelwise.evaluate([["rock"], ["jazz"], ["rock", "live"], []],
                              [["rock", "jazz"], ["jazz"], ["live"], ["live"]],
                              y_true_unknown=[["jazz"], [], ["jazz"], ["rock", "live"]])
    assert got["metrics"] == pytest.approx(want.metrics)
    assert got["params"]["unknown"] == want.params["unknown"]
    assert got["params"]["unknown"]["entries"] == 4


def test_cli_unknown_column_needs_a_labels_column(tmp_path):
    truth = _write(tmp_path / "t.csv", [["a", "b"], [1, 0]])
    result = _cli("--true", truth, "--pred", truth, "--unknown-column", "x")
    assert result.exit_code == 2
    assert "--unknown-column names a column of label sets: it needs --labels-column" in \
        result.stderr


def test_cli_unknown_column_missing_from_the_file(tmp_path):
    truth = tmp_path / "t.csv"
    truth.write_text('tags\nrock\n')
    result = _cli("--true", truth, "--pred", truth, "--labels-column", "tags",
                  "--unknown-column", "nope")
    assert result.exit_code == 2
    assert "no column 'nope' (the --unknown-column) among its columns ('tags')" in \
        result.stderr


def test_label_sets_carrying_their_unknown_labels_refuse_a_second_mask():
    from labelwise._validate import RawSets

    with pytest.raises(InputError, match="carry their unknown labels already"):
        labelwise.evaluate(RawSets([["a"]], unknown=[["b"]]), [["a"]], y_true_unknown=[["b"]])


@pytest.mark.parametrize("flag", [["--unknown-value", "-1"],
                                  ["--labels-column", "tags", "--unknown-column", "u"]])
def test_cli_unknown_options_with_dask_are_refused_not_ignored(tmp_path, flag):
    truth = _write(tmp_path / "t.csv", [["tags", "u"], ["a", "b"]])
    result = _cli("--true", truth, "--pred", truth, *flag, "--dask", "local:1")
    assert result.exit_code == 2
    assert "with --dask, call labelwise.dask.evaluate(..., unknown=-1)" in result.stderr


def test_a_numeric_marker_given_as_text_marks_the_number():
    r = labelwise.evaluate(np.array([[1, -1], [0, 1]]), [[1, 0], [0, 1]], unknown="-1")
    assert r.params["unknown"]["entries"] == 1


def test_cli_reports_the_marker_as_given(tmp_path):
    truth = _write(tmp_path / "t.csv", [["a", "b"], [1, "?"], [0, 1]])
    pred = _write(tmp_path / "p.csv", [["a", "b"], [1, 0], [0, 1]])
    result = _cli("--true", truth, "--pred", pred, "--unknown-value", "?", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["params"]["unknown_value"] == "?"


def test_cli_unknown_value_with_an_xc_truth_file_is_refused(tmp_path):
    truth = tmp_path / "t.txt"
    truth.write_text("2 1 2\n0 0:1\n1 0:1\n")
    result = _cli("--true", truth, "--pred", truth, "--unknown-value=-1")
    assert result.exit_code == 2
    assert "--unknown-value applies to files with one column per label" in result.stderr
