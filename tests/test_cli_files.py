"""Files as people have them, through ``labelwise evaluate`` and ``labelwise leakage``:
metadata columns, label spaces read off label sets, format slips, compression, other
encodings, standard input, weights, the metric options and contradictory options.

Every number is checked against :func:`labelwise.evaluate` on the same arrays.
"""

from __future__ import annotations

import bz2
import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import labelwise
from labelwise.cli import main
from test_cli import (
    IDS, LABELS, P, PRED_CSV, RUNNER, S, SCORES_CSV, TRUTH_CSV, Y, assert_error, assert_same,
    cli, cli_json, expect_pred, expect_scores, sets_file, write_lines,
)


def _csv(matrix, names=LABELS, ids=IDS, extra=None, sep=",") -> str:
    """A CSV text with an id column, optional extra columns, and one column per label."""
    extra = extra or {}
    head = ["id", *extra, *names]
    rows = [sep.join([i, *(str(v[k]) for v in extra.values()), *map(str, r)])
            for k, (i, r) in enumerate(zip(ids, matrix))]
    return sep.join(head) + "\n" + "\n".join(rows) + "\n"


# --------------------------------------------------------------------------
# Metadata columns are never scored as labels silently
# --------------------------------------------------------------------------


def test_a_0_1_metadata_column_is_a_label_until_excluded(tmp_path):
    fold = {"fold": [0, 1] * 4}
    truth = write_lines(tmp_path / "truth.csv", _csv(Y, extra=fold))
    pred = write_lines(tmp_path / "pred.csv", _csv(P, extra=fold))
    taken = cli_json("--true", truth, "--pred", pred)
    assert taken["labels"] == ["fold", *LABELS]  # shown, so the user can see it
    assert taken["inputs"]["label_columns"] == ["fold", *LABELS]
    doc = cli_json("--true", truth, "--pred", pred, "--exclude-columns", "fold")
    assert_same(doc, expect_pred())
    doc = cli_json("--true", truth, "--pred", pred, "--label-columns", "joy,calm,anger")
    assert_same(doc, expect_pred())


def test_the_text_header_lists_the_label_columns(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    out = cli("--true", truth, "--pred", pred).stdout
    assert "  labels: joy, calm, anger" in out.splitlines()[:4]


def test_many_label_columns_are_counted_not_listed(tmp_path):
    names = [f"tag{j}" for j in range(30)]
    y = np.tile(np.eye(30, dtype=int), (1, 1))[:8]
    truth = write_lines(tmp_path / "truth.csv", _csv(y, names=names))
    out = cli("--true", truth, "--pred", truth).stdout
    assert "  labels: 30 (tag0, tag1, tag2, tag3, tag4, ...)" in out


def test_an_unnamed_column_is_refused_with_the_pandas_hint(tmp_path):
    text = "," + TRUTH_CSV.replace("id,", "id,", 1)
    lines = text.splitlines()
    indexed = "\n".join([lines[0]] + [f"{k},{line}" for k, line in enumerate(lines[1:])]) + "\n"
    truth = write_lines(tmp_path / "truth.csv", indexed)
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    assert_error(cli("--true", truth, "--pred", pred), "truth.csv: column 1 has no name",
                 "to_csv(index=False)", "--id-column NAME")
    pandas = write_lines(tmp_path / "pandas.csv", indexed.replace(",id", "Unnamed: 0,id", 1))
    assert_error(cli("--true", pandas, "--pred", pred), "column 1 has no name ('Unnamed: 0')")


def test_an_integer_metadata_column_is_named_as_such(tmp_path):
    folds = {"fold": [0, 1, 2, 3, 4, 0, 1, 2]}
    truth = write_lines(tmp_path / "truth.csv", _csv(Y, extra=folds))
    pred = write_lines(tmp_path / "pred.csv", _csv(P, extra=folds))
    assert_error(cli("--true", truth, "--pred", pred), "truth.csv:4, column 'fold'",
                 "2 is not 0 or 1", "looks like an id or other metadata",
                 "--id-column fold", "--exclude-columns fold")
    # one typo in a label column is just a typo
    one = write_lines(tmp_path / "one.csv", TRUTH_CSV.replace("s2,0,1,0", "s2,0,2,0"))
    err = assert_error(cli("--true", one, "--pred", pred, "--exclude-columns", "fold"),
                       "one.csv:3, column 'calm'", "True labels are 0 or 1")
    assert "looks like an id" not in err


def test_column_options_that_name_nothing_or_contradict(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    assert_error(cli("--true", truth, "--pred", pred, "--exclude-columns", "Fold"),
                 "--exclude-columns names 'Fold'", "neither file has")
    assert_error(cli("--true", truth, "--pred", pred, "--label-columns", "joy,Calm"),
                 "lacks the label columns ['Calm']", "did you mean 'calm'?")
    for args, words in (
        (["--labels-column", "id", "--id-column", "id"], "both name 'id'"),
        (["--sep", ""], "--sep ''"),
        (["--label-columns", "joy", "--labels-column", "tags"], "not both"),
        (["--label-columns", "joy", "--labels", "joy"], "--labels or --label-columns"),
        (["--label-columns", "joy", "--exclude-columns", "joy"], "also given as"),
        (["--label-columns", ","], "names no column"),
        (["--weight-column", "id", "--id-column", "id"], "a column of their own"),
    ):
        result = cli("--true", truth, "--pred", pred, *args)
        assert result.exit_code == 2 and words in result.stderr, (args, result.stderr)


def test_labels_column_equal_to_id_column_used_to_score_ids(tmp_path):
    truth = sets_file(tmp_path / "truth.jsonl", Y)
    pred = sets_file(tmp_path / "pred.jsonl", P)
    result = cli("--true", truth, "--pred", pred, "--labels-column", "id", "--id-column", "id")
    assert result.exit_code == 2 and "a column holds either each row's id" in result.stderr


# --------------------------------------------------------------------------
# The label space of label sets
# --------------------------------------------------------------------------


def test_label_sets_take_the_union_of_both_files_and_say_so(tmp_path):
    y = Y.copy()
    y[:, 2] = 0  # 'anger' never occurs in the truth ...
    truth = sets_file(tmp_path / "truth.jsonl", y)
    pred = sets_file(tmp_path / "pred.jsonl", P)  # ... but is predicted
    doc = cli_json("--true", truth, "--pred", pred, "--labels-column", "tags")
    want = labelwise.evaluate([[n for n, v in zip(LABELS, r) if v] for r in y],
                              [[n for n, v in zip(LABELS, r) if v] for r in P])
    assert doc["labels"] == sorted(LABELS)
    assert doc["metrics"]["f1_macro"] == pytest.approx(want["f1_macro"], abs=1e-12)
    finding = next(f for f in doc["findings"] if f["code"] == "label_space_from_data")
    assert "3" in finding["message"] and "--labels-file" in finding["suggestion"]
    # with the vocabulary given, nothing is said
    doc = cli_json("--true", truth, "--pred", pred, "--labels-column", "tags",
                   "--labels", "joy,calm,anger,surprise")
    assert "label_space_from_data" not in [f["code"] for f in doc["findings"]]
    assert doc["n_labels"] == 4


def test_a_predicted_label_outside_given_labels_is_an_error(tmp_path):
    truth = sets_file(tmp_path / "truth.jsonl", Y)
    pred = sets_file(tmp_path / "pred.jsonl", P)
    assert_error(cli("--true", truth, "--pred", pred, "--labels-column", "tags",
                     "--labels", "joy,calm"), "the label 'anger' is not among the 2 known labels")


def test_distinct_codes_are_never_proposed_as_one(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", "id,tags\na,PDOC00750\nb,PDOC00750\n")
    pred = write_lines(tmp_path / "pred.csv", "id,tags\na,PDOC00670\nb,PDOC00750\n")
    err = assert_error(cli("--true", truth, "--pred", pred, "--labels-column", "tags",
                           "--labels", "PDOC00750"), "'PDOC00670' is not among")
    assert "did you mean" not in err


# --------------------------------------------------------------------------
# XC files
# --------------------------------------------------------------------------


def _xc_truth(path, y):
    lines = [f"{y.shape[0]} {y.shape[1]}"] + [
        " ".join(f"{j}:1" for j in np.flatnonzero(r)) for r in y]
    return write_lines(path, "\n".join(lines) + "\n")


def test_xc_scores_with_the_data_files_header_are_read_as_scores(tmp_path):
    truth = _xc_truth(tmp_path / "truth.txt", Y)
    entries = [" ".join(f"{j}:{s[j]!r}" for j in range(3)) for s in S.tolist()]
    scores = write_lines(tmp_path / "scores.txt", "\n".join(["8 100 3"] + entries) + "\n")
    plain = write_lines(tmp_path / "plain.txt", "\n".join(["8 3"] + entries) + "\n")
    result = cli("--true", truth, "--scores", scores, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    want = cli_json("--true", truth, "--scores", plain)
    assert doc["metrics"] == want["metrics"] and doc["metrics"]["precision_at_1"] > 0.5
    assert "header 'N D L' read as 8 rows over 3 labels" in result.stderr


def test_xc_scores_holding_a_data_file_are_refused(tmp_path):
    truth = _xc_truth(tmp_path / "truth.txt", Y)
    data = write_lines(tmp_path / "data.txt", "8 4 3\n" + "0,2 1:0.5 3:1\n" * 8)
    assert_error(cli("--true", truth, "--scores", data), "data.txt:2", "'0,2' is a label list")


@pytest.mark.parametrize("form", ["N L", "N D L truth", "N D L scores"])
def test_xc_label_ids_out_of_range_are_errors(tmp_path, form):
    truth = _xc_truth(tmp_path / "truth.txt", Y)
    if form == "N L":
        bad = write_lines(tmp_path / "bad.txt", "8 3\n" + "0:0.5\n" * 3 + "7:0.2\n" + "1:1\n" * 4)
        result = cli("--true", truth, "--scores", bad)
    elif form == "N D L truth":
        bad = write_lines(tmp_path / "bad.txt", "8 4 3\n" + "0 1:1\n" * 3 + "0,5 2:1\n"
                          + "1 2:1\n" * 4)
        result = cli("--true", bad, "--scores", write_lines(
            tmp_path / "s.txt", "8 3\n" + "0:0.5\n" * 8))
    else:
        bad = write_lines(tmp_path / "bad.txt", "8 9 3\n" + "0:0.5\n" * 3 + "3:0.2\n"
                          + "1:1\n" * 4)
        result = cli("--true", truth, "--scores", bad)
    assert_error(result, "bad.txt:5", "outside the 3 labels of the header", "0 to 2")


def test_xc_label_twice_in_a_row_is_an_error(tmp_path):
    truth = _xc_truth(tmp_path / "truth.txt", Y)
    bad = write_lines(tmp_path / "bad.txt", "8 3\n" + "0:0.5\n" * 2 + "1:0.2 1:0.3\n"
                      + "1:1\n" * 5)
    assert_error(cli("--true", truth, "--scores", bad), "bad.txt:4", "label 1 appears more")


def test_a_table_saved_as_txt_is_pointed_to_csv(tmp_path):
    truth = write_lines(tmp_path / "truth.txt", TRUTH_CSV)
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    assert_error(cli("--true", truth, "--pred", pred), "truth.txt:1", "expected an XC header",
                 "--input-format csv")
    assert_same(cli_json("--true", truth, "--pred", pred, "--input-format", "csv"),
                expect_pred())


# --------------------------------------------------------------------------
# Format slips
# --------------------------------------------------------------------------


@pytest.mark.parametrize("delim, name", [(";", "';'"), ("\t", "a tab"), ("|", "'|'")])
def test_other_delimiters_in_a_csv_are_detected_and_said(tmp_path, delim, name):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV.replace(",", delim))
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    result = cli("--true", truth, "--pred", pred, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert_same(json.loads(result.stdout), expect_pred())
    assert f"truth.csv: columns are separated by {name}" in result.stderr


def test_the_delimiter_option(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV.replace(",", ";"))
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV.replace(",", ";"))
    result = cli("--true", truth, "--pred", pred, "--delimiter", ";", "--format", "json")
    assert_same(json.loads(result.stdout), expect_pred())
    assert "separated by" not in result.stderr  # given, not detected
    assert_error(cli("--true", truth, "--pred", pred, "--delimiter", ";;"), "--delimiter ';;'")
    tsv = write_lines(tmp_path / "truth.tsv", TRUTH_CSV.replace(",", "\t"))
    ptsv = write_lines(tmp_path / "pred.tsv", PRED_CSV.replace(",", "\t"))
    assert_same(cli_json("--true", tsv, "--pred", ptsv, "--delimiter", "\\t"), expect_pred())


def test_decimal_commas(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    text = "id;joy;calm;anger\n" + "".join(
        f"{i};" + ";".join(f"{v:.2f}".replace(".", ",") for v in r) + "\n" for i, r in zip(IDS, S))
    scores = write_lines(tmp_path / "scores.csv", text)
    assert_error(cli("--true", truth, "--scores", scores), "scores.csv:2, column 'joy'",
                 "'0,91' is not a number", "decimal comma", "--decimal ','")
    assert_same(cli_json("--true", truth, "--scores", scores, "--decimal", ","),
                expect_scores(scores=S.round(2)))
    # in a comma-separated file, decimal commas split the row
    commas = write_lines(tmp_path / "commas.csv", text.replace(";", ","))
    assert_error(cli("--true", truth, "--scores", commas), "commas.csv:2", "ragged",
                 "decimal commas")
    assert_error(cli("--true", truth, "--scores", commas, "--decimal", ","), "ragged")
    plain = write_lines(tmp_path / "plain.csv", SCORES_CSV)
    assert_error(cli("--true", truth, "--scores", plain, "--decimal", ","),
                 "--decimal ',' needs a file whose columns are not separated by commas")


def test_json_lines_in_a_csv(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    pred = write_lines(tmp_path / "pred.csv", '{"id": "s1", "joy": 1}\n')
    assert_error(cli("--true", truth, "--pred", pred), "pred.csv:1 starts with '{'",
                 "--input-format jsonl")


def test_a_table_in_a_jsonl(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    pred = write_lines(tmp_path / "pred.jsonl", PRED_CSV)
    assert_error(cli("--true", truth, "--pred", pred), "pred.jsonl:1 does not start with '{'",
                 "--input-format csv")


def test_json_errors_name_one_based_lines(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    lines = [json.dumps({"id": i, **dict(zip(LABELS, map(int, r))), }) for i, r in zip(IDS, P)]
    lines[4] = lines[4][:-1]  # line 5 lost its closing brace
    pred = write_lines(tmp_path / "pred.jsonl", "\n".join(lines) + "\n")
    assert_error(cli("--true", truth, "--pred", pred, "--id-column", "id"), "pred.jsonl:5",
                 "not valid JSON")


def test_duplicate_column_names(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV.replace("calm", "joy", 1))
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    assert_error(cli("--true", truth, "--pred", pred),
                 "truth.csv: the header names the columns ['joy'] more than once")


@pytest.mark.parametrize("suffix, opener", [(".gz", gzip.open), (".bz2", bz2.open)])
def test_compressed_files_are_read(tmp_path, suffix, opener):
    truth = tmp_path / f"truth.csv{suffix}"
    with opener(truth, "wt") as f:
        f.write(TRUTH_CSV)
    scores = tmp_path / f"scores.jsonl{suffix}"
    with opener(scores, "wt") as f:
        for i, r in zip(IDS, S):
            f.write(json.dumps({"id": i, **dict(zip(LABELS, r.tolist()))}) + "\n")
    assert_same(cli_json("--true", truth, "--scores", scores, "--id-column", "id"),
                expect_scores())


def test_gzip_without_its_extension_is_recognised(tmp_path):
    truth = tmp_path / "truth.csv"
    truth.write_bytes(gzip.compress(TRUTH_CSV.encode()))
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    assert_same(cli_json("--true", truth, "--pred", pred), expect_pred())


def test_zstd_files_are_read(tmp_path):
    pa = pytest.importorskip("pyarrow")
    truth = tmp_path / "truth.csv.zst"
    with pa.CompressedOutputStream(str(truth), "zstd") as out:
        out.write(TRUTH_CSV.encode())
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    assert_same(cli_json("--true", truth, "--pred", pred), expect_pred())


def test_latin1_files_need_their_encoding(tmp_path):
    names = ["joie", "calmé", "colère"]
    text = _csv(Y, names=names)
    truth = tmp_path / "truth.csv"
    truth.write_bytes(text.encode("latin-1"))
    pred = tmp_path / "pred.csv"
    pred.write_bytes(_csv(P, names=names).encode("latin-1"))
    assert_error(cli("--true", truth, "--pred", pred), "truth.csv:1", "not UTF-8",
                 "byte 0xe9", "--encoding latin-1")
    doc = cli_json("--true", truth, "--pred", pred, "--encoding", "latin-1")
    assert doc["labels"] == names
    assert_same(doc, labelwise.evaluate(Y, P, labels=names))
    assert_error(cli("--true", truth, "--pred", pred, "--encoding", "klingon"),
                 "--encoding 'klingon'", "unknown text encoding")


def test_latin1_in_a_data_row(tmp_path):
    truth = tmp_path / "truth.csv"
    truth.write_bytes(b"id,tags\na,caf\xe9\nb,tea\n")
    pred = write_lines(tmp_path / "pred.csv", "id,tags\na,tea\nb,tea\n")
    assert_error(cli("--true", truth, "--pred", pred, "--labels-column", "tags"),
                 "truth.csv:2", "not UTF-8", "column 6")
    doc = cli_json("--true", truth, "--pred", pred, "--labels-column", "tags", "--encoding",
                   "latin-1")
    assert doc["labels"] == ["café", "tea"]


# --------------------------------------------------------------------------
# Standard input, weights, the metric options
# --------------------------------------------------------------------------


def test_standard_input(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    result = RUNNER.invoke(main, ["evaluate", "--true", str(truth), "--pred", "-",
                                  "--input-format", "csv", "--format", "json"], input=PRED_CSV)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert_same(doc, expect_pred())
    assert doc["inputs"]["predictions"] == "<stdin>"
    result = RUNNER.invoke(main, ["evaluate", "--true", str(truth), "--pred", "-"],
                           input=PRED_CSV)
    assert_error(result, "'-' reads standard input", "--input-format")
    result = RUNNER.invoke(main, ["evaluate", "--true", "-", "--pred", "-",
                                  "--input-format", "csv"], input=PRED_CSV)
    assert result.exit_code == 2 and "only one of the files can be '-'" in result.stderr


def test_standard_input_through_a_real_pipe(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    run = subprocess.run(
        [sys.executable, "-m", "labelwise", "evaluate", "--true", str(truth), "--pred", "-",
         "--input-format", "csv", "--format", "json"],
        input=PRED_CSV, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert_same(json.loads(run.stdout), expect_pred())


def test_weight_column(tmp_path):
    w = [1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 0.0, 2.5]
    truth = write_lines(tmp_path / "truth.csv", _csv(Y, extra={"w": w}))
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    doc = cli_json("--true", truth, "--pred", pred, "--weight-column", "w")
    assert_same(doc, labelwise.evaluate(Y, P, labels=LABELS, sample_weight=w))
    shuffled = write_lines(tmp_path / "s.csv", "id,joy,calm,anger\n" + "".join(
        PRED_CSV.splitlines(keepends=True)[1:][::-1]))
    doc = cli_json("--true", truth, "--pred", shuffled, "--weight-column", "w", "--id-column",
                   "id")
    assert_same(doc, labelwise.evaluate(Y, P, labels=LABELS, sample_weight=w))
    scores = write_lines(tmp_path / "scores.csv", SCORES_CSV)
    doc = cli_json("--true", truth, "--scores", scores, "--weight-column", "w")
    assert_same(doc, expect_scores(sample_weight=w))
    bad = write_lines(tmp_path / "bad.csv", _csv(Y, extra={"w": [1, 1, -2, 1, 1, 1, 1, 1]}))
    assert_error(cli("--true", bad, "--pred", pred, "--weight-column", "w"),
                 "bad.csv:4, column 'w'", "-2 is not a finite number >= 0")
    assert_error(cli("--true", truth, "--pred", pred, "--weight-column", "weight"),
                 "has no column 'weight'")


def test_zero_division_and_beta(tmp_path):
    y = Y.copy()
    y[:, 1] = 0  # no support for 'calm'
    truth = write_lines(tmp_path / "truth.csv", _csv(y))
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    for zd, value in (("1", 1), ("nan", float("nan"))):
        doc = cli_json("--true", truth, "--pred", pred, "--zero-division", zd, "--beta", "0.5")
        assert_same(doc, labelwise.evaluate(y, P, labels=LABELS, zero_division=value, beta=0.5))
    result = cli("--true", truth, "--pred", pred, "--beta", "0")
    assert result.exit_code == 2 and "--beta 0.0: beta must be a positive number" in result.stderr


def test_propensities_from_a_training_file(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    scores = write_lines(tmp_path / "scores.csv", SCORES_CSV)
    y_train = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 0], [1, 0, 1], [0, 0, 0]])
    train = write_lines(tmp_path / "train.csv", _csv(y_train, ids=[f"t{i}" for i in range(5)]))
    doc = cli_json("--true", truth, "--scores", scores, "--propensity-from", train,
                   "--propensity-a", "0.6", "--propensity-b", "2.6",
                   "--require", "psprecision_at_1>=0")
    inv = labelwise.inverse_propensity(y_train, 0.6, 2.6)
    assert_same(doc, expect_scores(inv_propensity=inv))
    assert "psprecision_at_1" in doc["metrics"]
    result = cli("--true", truth, "--scores", scores, "--require", "psprecision_at_1>=0.1")
    assert result.exit_code == 2 and "--propensity-from" in result.stderr
    result = cli("--true", truth, "--pred", truth, "--propensity-from", train)
    assert result.exit_code == 2 and "need --scores" in result.stderr


def test_metrics_command_lists_the_registry():
    result = CliRunner().invoke(main, ["metrics"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["metric", "better", "needs"]
    assert [line.split()[0] for line in lines[1:]] == list(labelwise.REGISTRY)
    hamming = next(line for line in lines if line.startswith("hamming_loss "))
    assert hamming.split()[1:3] == ["lower", "labels"]
    doc = json.loads(CliRunner().invoke(main, ["metrics", "--scores", "--format",
                                               "json"]).output)
    assert [d["name"] for d in doc] == labelwise.metric_names(needs_scores=True)
    assert all(d["needs_scores"] for d in doc)
    ndcg = next(d for d in doc if d["name"] == "ndcg_at_3")
    assert (ndcg["family"], ndcg["k"], ndcg["twin"]) == ("ndcg_at_k", 3,
                                                          "labelwise.metrics.ndcg_at_k")


def test_unknown_require_name_points_to_the_metrics_command(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    result = cli("--true", truth, "--pred", truth, "--require", "f1-micro>=0.5")
    assert result.exit_code == 2
    assert "did you mean 'f1_micro'?" in result.stderr and "labelwise metrics" in result.stderr


# --------------------------------------------------------------------------
# Wide files
# --------------------------------------------------------------------------


@pytest.mark.slow
def test_wide_csv_files_are_read_in_linear_time(tmp_path):
    """500 rows by 5,000 label columns: the per-column work is linear in the width."""
    import time

    rng = np.random.default_rng(3)
    n, L = 500, 5000
    names = [f"l{j}" for j in range(L)]
    y = (rng.random((n, L)) < 0.05).astype(int)
    p = (rng.random((n, L)) < 0.05).astype(int)
    ids = [f"r{i}" for i in range(n)]
    truth = write_lines(tmp_path / "truth.csv", _csv(y, names=names, ids=ids))
    pred = write_lines(tmp_path / "pred.csv", _csv(p, names=names, ids=ids))
    start = time.perf_counter()
    doc = cli_json("--true", truth, "--pred", pred)
    assert time.perf_counter() - start < 60  # quadratic reading took minutes here
    assert doc["n_labels"] == L
    want = labelwise.evaluate(y, p, labels=names)
    assert doc["metrics"]["f1_macro"] == pytest.approx(want["f1_macro"], abs=1e-12)


# --------------------------------------------------------------------------
# labelwise leakage
# --------------------------------------------------------------------------


def _leak(*args):
    return RUNNER.invoke(main, ["leakage", *map(str, args)], catch_exceptions=False)


def test_leakage_key_leaves_out_ids_and_labels(tmp_path):
    train = write_lines(tmp_path / "train.csv", "id,text,joy\n1,hello there,1\n2,good bye,0\n"
                        "3,see you,1\n")
    test = write_lines(tmp_path / "test.csv", "id,text,joy\n10,Hello  there,0\n11,new one,1\n")
    result = _leak("--train", train, "--test", test)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == "key: text"
    assert "1 of the 2 test rows" in result.output or "1 " in result.output
    doc = json.loads(_leak("--train", train, "--test", test, "--format", "json").output)
    assert doc["key_columns"] == ["text"] and doc["finding"]["code"] == "leakage"


def test_leakage_numeric_features_key_excludes_named_labels(tmp_path):
    train = write_lines(tmp_path / "train.csv", "sample_id,f1,f2,joy\n1,0.5,1.5,1\n2,0.1,0.2,0\n")
    test = write_lines(tmp_path / "test.csv", "sample_id,f1,f2,joy\n7,0.5,1.5,0\n")
    result = _leak("--train", train, "--test", test, "--labels", "joy")
    assert result.exit_code == 1 and result.output.splitlines()[0] == "key: f1, f2"
    result = _leak("--train", train, "--test", test)  # the label differs: no exact duplicate
    assert result.exit_code == 0 and result.output.splitlines()[0] == "key: f1, f2, joy"


def test_leakage_headerless_tsv(tmp_path):
    train = write_lines(tmp_path / "train.tsv", "1\thello there\tjoy\n2\tgood bye\tcalm\n")
    test = write_lines(tmp_path / "test.tsv", "9\tgood bye\tjoy\n10\tnew text here\tjoy\n")
    result = _leak("--train", train, "--test", test)
    assert "looks like data" in result.stderr and "--no-header" in result.stderr
    result = _leak("--train", train, "--test", test, "--no-header", "--key-column", "column_2")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == "key: column_2"
    doc = json.loads(_leak("--train", train, "--test", test, "--no-header", "--key-column",
                           "column_2", "--format", "json").output)
    assert doc["train_rows"] == 2 and doc["test_rows"] == 2


# --------------------------------------------------------------------------
# ARFF
# --------------------------------------------------------------------------

ARFF_HEADER = ("@relation 'moods: -C -3'\n@attribute f1 numeric\n@attribute f2 numeric\n"
               + "".join(f"@attribute {n} {{0,1}}\n" for n in LABELS) + "@data\n")


def test_dense_and_sparse_arff_truth(tmp_path):
    dense = write_lines(tmp_path / "truth.arff", ARFF_HEADER + "".join(
        f"0.5,{k}," + ",".join(map(str, r)) + "\n" for k, r in enumerate(Y)))
    sparse = write_lines(tmp_path / "sparse.arff", ARFF_HEADER + "".join(
        "{" + ", ".join([f"0 {k + 1}"] + [f"{j + 2} 1" for j in np.flatnonzero(r)]) + "}\n"
        for k, r in enumerate(Y)))
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    for truth in (dense, sparse):
        result = cli("--true", truth, "--pred", pred, "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert_same(json.loads(result.stdout), expect_pred())
        assert "labels from MEKA's -C" in result.stderr
    shuffled = write_lines(tmp_path / "pred2.csv", "id,anger,joy,calm\n" + "".join(
        f"{i},{r[2]},{r[0]},{r[1]}\n" for i, r in zip(IDS, P)))
    assert_same(cli_json("--true", sparse, "--pred", shuffled), expect_pred())
    bad = write_lines(tmp_path / "bad.arff", ARFF_HEADER + "0.5,1,1,0,1\n" * 2 + "0.5,1,2,0,1\n")
    assert_error(cli("--true", bad, "--pred", pred), "bad.arff:", "not 0 or 1")


DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.skipif(not (DATA / "yeast").is_dir(),
                    reason=f"the Mulan yeast data set is read from {DATA}/yeast, absent here")
def test_mulan_yeast_arff_against_itself_and_scipy(tmp_path):
    from scipy.io import arff

    path = DATA / "yeast" / "yeast-test.arff"
    data, meta = arff.loadarff(path)
    names = [n for n in meta.names() if n.startswith("Class")]
    y = np.array([[int(row[n]) for n in names] for row in data])
    rng = np.random.default_rng(0)
    p = np.where(rng.random(y.shape) < 0.2, 1 - y, y)
    pred = write_lines(tmp_path / "pred.csv", _csv(p, names=names,
                                                   ids=[str(i) for i in range(len(y))]))
    doc = cli_json("--true", path, "--pred", pred, "--exclude-columns", "id")
    assert_same(doc, labelwise.evaluate(y, p, labels=names))


def test_truth_label_sets_take_the_labels_of_the_score_columns(tmp_path):
    y = Y.copy()
    y[:, 1] = 0  # 'calm' never occurs in the truth, but the model scores it
    truth = sets_file(tmp_path / "truth.jsonl", y)
    scores = write_lines(tmp_path / "scores.csv", SCORES_CSV)
    doc = cli_json("--true", truth, "--scores", scores, "--labels-column", "tags")
    assert_same(doc, expect_scores(y_true=y))
    assert "label_space_from_data" not in [f["code"] for f in doc["findings"]]


def test_truth_label_sets_with_unnamed_scores_say_where_the_labels_came_from(tmp_path):
    truth = sets_file(tmp_path / "truth.jsonl", Y, ids=None)
    scores = tmp_path / "scores.npy"
    order = np.argsort(LABELS)  # the sorted labels of the sets, in column order
    np.save(scores, S[:, order])
    doc = cli_json("--true", truth, "--scores", scores, "--labels-column", "tags")
    assert doc["labels"] == sorted(LABELS)
    assert "label_space_from_data" in [f["code"] for f in doc["findings"]]


def test_threshold_files_with_a_default_or_as_a_list(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    scores = write_lines(tmp_path / "scores.csv", SCORES_CSV)
    starred = write_lines(tmp_path / "t.json", json.dumps({"calm": 0.3, "*": 0.6}))
    doc = cli_json("--true", truth, "--scores", scores, "--threshold", starred)
    assert_same(doc, expect_scores(threshold=[0.6, 0.3, 0.6]))
    assert doc["thresholds"]["values"] == {"joy": 0.6, "calm": 0.3, "anger": 0.6}
    listed = write_lines(tmp_path / "l.json", json.dumps([0.6, 0.3, 0.6]))
    assert_same(cli_json("--true", truth, "--scores", scores, "--threshold", listed),
                expect_scores(threshold=[0.6, 0.3, 0.6]))
    partial = write_lines(tmp_path / "p.json", json.dumps({"calm": 0.3}))
    assert_error(cli("--true", truth, "--scores", scores, "--threshold", partial),
                 "--threshold", "p.json", "missing ['joy', 'anger']", 'default under "*"')


def test_k_sets_the_cutoffs_and_a_requirement_brings_its_own(tmp_path):
    rng = np.random.default_rng(5)
    names = [f"tag{j}" for j in range(12)]
    y = (rng.random((8, 12)) < 0.3).astype(int)
    s = rng.random((8, 12)).round(4)
    truth = write_lines(tmp_path / "truth.csv", _csv(y, names=names))
    scores = write_lines(tmp_path / "scores.csv", _csv(s, names=names))
    doc = cli_json("--true", truth, "--scores", scores, "--k", "2,10")
    assert_same(doc, labelwise.evaluate(y, y_score=s, labels=names, k=(2, 10)))
    assert doc["metrics"]["precision_at_10"] == pytest.approx(
        labelwise.metrics.precision_at_k(y, s, k=10), abs=1e-12)
    assert "precision_at_1" not in doc["metrics"]
    out = cli("--true", truth, "--scores", scores, "--k", "2,10").stdout
    assert "  metric         @2     @10" in out
    doc = cli_json("--true", truth, "--scores", scores, "--require", "ndcg_at_7>=0")
    assert "ndcg_at_7" in doc["metrics"] and "ndcg_at_5" in doc["metrics"]
    for bad in ("0", "a,b", ""):
        result = cli("--true", truth, "--scores", scores, "--k", bad)
        assert result.exit_code == 2 and "--k" in result.stderr and "positive" in result.stderr
    result = cli("--true", truth, "--pred", truth, "--k", "10")
    assert result.exit_code == 2 and "need --scores" in result.stderr


def test_a_tuned_thresholds_file_keeps_its_rule_and_where_it_was_tuned(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    scores = write_lines(tmp_path / "scores.csv", SCORES_CSV)
    tuned = labelwise.tune_thresholds(Y, S, labels=LABELS, inclusive=True)
    path = write_lines(tmp_path / "tuned.json", tuned.to_json())
    doc = cli_json("--true", truth, "--scores", scores, "--threshold", path)
    assert doc["thresholds"]["rule"] == ">="
    assert_same(doc, labelwise.evaluate(Y, y_score=S, labels=LABELS, threshold=tuned,
                                        inclusive=True))
    assert "thresholds_tuned_on_eval" in [f["code"] for f in doc["findings"]]
    plain = labelwise.tune_thresholds(Y, S, labels=LABELS)
    path = write_lines(tmp_path / "plain.json", plain.to_json())
    assert_error(cli("--true", truth, "--scores", scores, "--threshold", path, "--inclusive"),
                 "tuned for score > threshold; drop --inclusive")
    with pytest.raises(labelwise.InputError, match="pass inclusive=False"):
        labelwise.evaluate(Y, y_score=S, labels=LABELS, threshold=plain, inclusive=True)


def test_accumulators_with_tuned_thresholds_checkpoint_and_merge():
    tuned = labelwise.tune_thresholds(Y, S, labels=LABELS)
    a = labelwise.Accumulator(LABELS, threshold=tuned).update(Y[:4], y_score=S[:4])
    b = labelwise.Accumulator(LABELS, threshold=tuned).update(Y[4:], y_score=S[4:])
    back = labelwise.Accumulator.from_dict(json.loads(json.dumps(a.to_dict())))
    merged = (back + b).report()
    whole = labelwise.evaluate(Y, y_score=S, labels=LABELS, threshold=tuned)
    assert merged.metrics.keys() == whole.metrics.keys()
    for name, value in whole.metrics.items():
        assert merged[name] == pytest.approx(value, abs=1e-12, nan_ok=True), name
    assert [f.code for f in merged.findings] == [f.code for f in whole.findings]
