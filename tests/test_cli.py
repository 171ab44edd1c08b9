"""``labelwise evaluate`` end to end: every input format and layout, row and label
matching, the outputs, the --require gate, and the error messages.

Every number the command prints is checked against :func:`labelwise.evaluate`
called on the same arrays.
"""

from __future__ import annotations

import csv
import inspect
import json
import math
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

import labelwise
from labelwise.io import source as lw_io
from labelwise.cli import main

LABELS = ["joy", "calm", "anger"]  # deliberately not sorted
IDS = [f"s{i}" for i in range(1, 9)]
Y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1],
              [1, 0, 0], [0, 1, 1], [0, 0, 0], [1, 1, 1]])
S = np.array([[0.91, 0.12, 0.62], [0.23, 0.71, 0.44], [0.81, 0.35, 0.05], [0.15, 0.28, 0.74],
              [0.66, 0.52, 0.31], [0.42, 0.83, 0.58], [0.08, 0.19, 0.26], [0.77, 0.47, 0.93]])
P = (S > 0.5).astype(int)
SCHEMA = json.loads(
    resources.files("labelwise").joinpath("schema/report.schema.json").read_text()
)

_kw = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
RUNNER = CliRunner(**_kw)


# --------------------------------------------------------------------------
# Writing inputs
# --------------------------------------------------------------------------


def sets_of(matrix, names=LABELS) -> list[list[str]]:
    return [[n for n, v in zip(names, row) if v] for row in matrix]


def write_table(path: Path, columns: dict, sep: str = ",") -> Path:
    """Columns (name -> values) as csv, tsv, jsonl or parquet; list values are label sets."""
    fmt = path.suffix.lstrip(".")
    names = list(columns)
    rows = list(zip(*columns.values()))
    if fmt in ("csv", "tsv"):
        with open(path, "w", newline="") as f:
            w = csv.writer(f, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
            w.writerow(names)
            for row in rows:
                w.writerow([sep.join(v) if isinstance(v, list) else _num(v) for v in row])
    elif fmt == "jsonl":
        with open(path, "w") as f:
            for row in rows:
                f.write(json.dumps({n: _plain(v) for n, v in zip(names, row)}) + "\n")
    else:
        pq.write_table(pa.table({n: [_plain(v) for v in vals] for n, vals in columns.items()}),
                       path)
    return path


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _num(v):
    return repr(_plain(v)) if isinstance(_plain(v), float) else str(_plain(v))


def columns_file(path: Path, values, names=LABELS, ids=IDS, order=None) -> Path:
    """One column per label (in ``order`` of label positions), plus an id column."""
    order = range(len(names)) if order is None else order
    cols = {} if ids is None else {"id": list(ids)}
    for j in order:
        cols[names[j]] = [_plain(v) for v in values[:, j]]
    return write_table(path, cols)


def sets_file(path: Path, matrix, ids=IDS, column="tags", sep=",") -> Path:
    cols = {} if ids is None else {"id": list(ids)}
    cols[column] = sets_of(matrix)
    return write_table(path, cols, sep=sep)


def write_lines(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def xc_data_file(path: Path, y) -> Path:
    """Extreme Classification data file: header 'N D L', then 'l1,l2 f:v f:v' per row."""
    lines = [f"{y.shape[0]} 4 {y.shape[1]}"]
    for i, row in enumerate(y):
        labs = ",".join(str(j) for j in np.flatnonzero(row))
        lines.append(f"{labs} 0:{0.5 + i} 3:1.25")
    return write_lines(path, "\n".join(lines) + "\n")


def xc_scores_file(path: Path, scores) -> Path:
    """Header 'N L', then 'label:score' entries (in no particular order) per row."""
    lines = [f"{scores.shape[0]} {scores.shape[1]}"]
    for row in scores:
        entries = [f"{j}:{float(row[j])!r}" for j in reversed(range(len(row))) if row[j]]
        lines.append(" ".join(entries))
    return write_lines(path, "\n".join(lines) + "\n")


# --------------------------------------------------------------------------
# Running the command and checking what it printed
# --------------------------------------------------------------------------


def cli(*args):
    return RUNNER.invoke(main, ["evaluate", *map(str, args)], catch_exceptions=False)


def cli_json(*args) -> dict:
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    return doc


def assert_same(doc: dict, report) -> None:
    """The JSON report holds exactly the numbers of ``report``."""
    jsonschema.validate(doc, SCHEMA)
    assert doc["n_samples"] == report.n_samples
    assert doc["n_labels"] == report.n_labels
    assert doc["labels"] == [str(x) for x in report.labels]
    assert set(doc["metrics"]) == set(report.metrics)
    for name, value in report.metrics.items():
        _same(doc["metrics"][name], value, name)
    assert doc.get("interpretation", {}) == getattr(report, "interpretation", {})
    assert [f["code"] for f in doc["findings"]] == [
        f.code for f in getattr(report, "findings", [])]
    assert len(doc["per_label"]) == len(report.per_label)
    for got, want in zip(doc["per_label"], report.per_label.to_records()):
        assert got["label"] == str(want["label"])
        for key, value in want.items():
            if key != "label":
                _same(got[key], value, f"{want['label']}/{key}")


def _same(got, want, what) -> None:
    if isinstance(want, float) and math.isnan(want):
        assert got is None, what
    else:
        assert got == pytest.approx(want, rel=1e-12, abs=1e-15), what


def assert_error(result, *fragments) -> str:
    """Exit code 2 and one line on stderr that holds every fragment; no traceback."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    err = result.stderr.strip()
    assert "Traceback" not in result.output
    assert err.startswith("labelwise: error: ") and "\n" not in err, err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    return err


def expect_scores(y_true=Y, scores=S, labels=LABELS, **kw):
    return labelwise.evaluate(y_true, y_score=scores, labels=labels, **kw)


def expect_pred(y_true=Y, pred=P, labels=LABELS):
    return labelwise.evaluate(y_true, pred, labels=labels)


# --------------------------------------------------------------------------
# Formats and layouts
# --------------------------------------------------------------------------

TABLES = ["csv", "tsv", "jsonl", "parquet"]


@pytest.mark.parametrize("fmt", TABLES)
def test_columns_layout_scores_aligned_by_name(tmp_path, fmt):
    truth = columns_file(tmp_path / f"truth.{fmt}", Y)
    scores = columns_file(tmp_path / f"scores.{fmt}", S, order=[2, 0, 1])  # anger, joy, calm
    doc = cli_json("--true", truth, "--scores", scores)
    assert_same(doc, expect_scores())
    assert doc["thresholds"] == {"rule": ">", "values": 0.5}
    assert doc["inputs"]["kind"] == "scores"
    assert doc["inputs"]["rows"] == {"by": "position", "truth_rows": 8, "pred_rows": 8,
                                     "matched": 8, "left_out": {}}


@pytest.mark.parametrize("fmt", TABLES)
def test_columns_layout_hard_predictions(tmp_path, fmt):
    truth = columns_file(tmp_path / f"truth.{fmt}", Y, order=[1, 2, 0])
    pred = columns_file(tmp_path / f"pred.{fmt}", P, order=[2, 1, 0])
    doc = cli_json("--true", truth, "--pred", pred)
    # the vocabulary follows the truth file's column order
    names = [LABELS[j] for j in (1, 2, 0)]
    assert_same(doc, expect_pred(Y[:, [1, 2, 0]], P[:, [1, 2, 0]], names))
    assert doc["thresholds"] is None and doc["inputs"]["kind"] == "labels"


@pytest.mark.parametrize("fmt", TABLES)
def test_label_sets_layout_on_both_sides(tmp_path, fmt):
    truth = sets_file(tmp_path / f"truth.{fmt}", Y)
    pred = sets_file(tmp_path / f"pred.{fmt}", P)
    doc = cli_json("--true", truth, "--pred", pred, "--labels-column", "tags")
    assert_same(doc, labelwise.evaluate(sets_of(Y), sets_of(P)))
    assert doc["labels"] == sorted(LABELS)


@pytest.mark.parametrize("fmt", TABLES)
def test_truth_as_label_sets_with_scores_as_columns(tmp_path, fmt):
    truth = sets_file(tmp_path / f"truth.{fmt}", Y)
    scores = columns_file(tmp_path / "scores.csv", S, order=[1, 0, 2])
    doc = cli_json("--true", truth, "--scores", scores, "--labels-column", "tags")
    order = [1, 0, 2]  # the labels of the score columns, in their order
    assert_same(doc, expect_scores(Y[:, order], S[:, order], [LABELS[j] for j in order]))


def test_label_sets_with_another_delimiter(tmp_path):
    truth = sets_file(tmp_path / "truth.tsv", Y, sep="|")
    pred = sets_file(tmp_path / "pred.csv", P, sep="|")
    doc = cli_json("--true", truth, "--pred", pred, "--labels-column", "tags", "--sep", "|")
    assert_same(doc, labelwise.evaluate(sets_of(Y), sets_of(P)))


@pytest.mark.parametrize("kind", ["npy", "npz", "npz-sparse"])
def test_array_files(tmp_path, kind):
    truth, scores, pred = (tmp_path / f"{n}.{kind[:3]}" for n in ("truth", "scores", "pred"))
    if kind == "npy":
        np.save(truth, Y.astype(np.int8))
        np.save(scores, S)
        np.save(pred, P)
    elif kind == "npz":
        np.savez(truth, Y)
        np.savez_compressed(scores, scores=S)
        np.savez(pred, P)
    else:
        sp.save_npz(truth, sp.csr_matrix(Y))
        sp.save_npz(scores, sp.csr_matrix(S))
        sp.save_npz(pred, sp.csr_matrix(P))
    y_score = sp.csr_matrix(S) if kind == "npz-sparse" else S
    doc = cli_json("--true", truth, "--scores", scores)
    assert_same(doc, labelwise.evaluate(Y, y_score=y_score))
    assert doc["labels"] == ["0", "1", "2"]
    assert ("roc_auc_macro" in doc["metrics"]) == (kind != "npz-sparse")  # dense scores only
    assert_same(cli_json("--true", truth, "--pred", pred), labelwise.evaluate(Y, P))


def test_xc_scores_against_an_xc_data_file(tmp_path):
    truth = xc_data_file(tmp_path / "test.txt", Y)
    scores = xc_scores_file(tmp_path / "scores.txt", S)
    doc = cli_json("--true", truth, "--scores", scores)
    assert_same(doc, labelwise.evaluate(Y, y_score=sp.csr_matrix(S)))
    assert doc["metrics"]["precision_at_1"] == pytest.approx(
        np.mean(Y[np.arange(len(Y)), S.argmax(1)]))


def test_xc_hard_predictions_and_truth_in_label_form(tmp_path):
    truth = write_lines(tmp_path / "truth.xc", "8 3\n" + "".join(
        " ".join(f"{j}:1" for j in np.flatnonzero(r)) + "\n" for r in Y))
    pred = write_lines(tmp_path / "pred.svm", "8 3\n" + "".join(
        " ".join(str(j) for j in np.flatnonzero(r)) + "\n" for r in P))
    assert_same(cli_json("--true", truth, "--pred", pred), labelwise.evaluate(Y, P))


def test_input_format_overrides_the_extension(tmp_path):
    truth = columns_file(tmp_path / "truth.csv", Y)
    scores = columns_file(tmp_path / "scores.csv", S)
    dat = tmp_path / "scores.dat"
    dat.write_text(scores.read_text())
    doc = cli_json("--true", truth, "--scores", dat, "--input-format", "csv")
    assert_same(doc, expect_scores())
    assert_error(cli("--true", truth, "--scores", dat), "scores.dat", "--input-format")


# --------------------------------------------------------------------------
# Matching rows
# --------------------------------------------------------------------------


def test_id_join_with_shuffled_predictions(tmp_path):
    shuffle = [5, 2, 7, 0, 3, 6, 1, 4]
    truth = columns_file(tmp_path / "truth.csv", Y)
    scores = columns_file(tmp_path / "scores.parquet", S[shuffle], ids=[IDS[i] for i in shuffle],
                          order=[2, 1, 0])
    doc = cli_json("--true", truth, "--scores", scores, "--id-column", "id")
    assert_same(doc, expect_scores())
    assert doc["inputs"]["rows"]["by"] == "id"
    sets = sets_file(tmp_path / "pred.jsonl", P[shuffle], ids=[IDS[i] for i in shuffle])
    doc = cli_json("--true", truth, "--pred", sets, "--id-column", "id", "--labels-column", "tags")
    assert_same(doc, expect_pred())
    # matched by position instead, the shared id column shows the rows are out of order
    assert_error(cli("--true", truth, "--scores", scores), "truth.csv:2, column 'id'", "'s1'",
                 "scores.parquet row 0", "'s6'", "--id-column id")


def test_integer_ids_match_across_formats(tmp_path):
    ids = list(range(100, 108))
    truth = columns_file(tmp_path / "truth.jsonl", Y, ids=ids)
    scores = columns_file(tmp_path / "scores.csv", S[::-1], ids=ids[::-1])
    assert_same(cli_json("--true", truth, "--scores", scores, "--id-column", "id"),
                expect_scores())


def test_many_blocks_stream_and_match(tmp_path, monkeypatch):
    """Tiny reader blocks: block boundaries differ between the files, and a score column
    holds only whole numbers in its first block."""
    monkeypatch.setattr(lw_io, "BLOCK_BYTES", 64)
    rng = np.random.default_rng(7)
    n = 300
    y = (rng.random((n, 3)) < 0.4).astype(int)
    s = rng.random((n, 3)).round(3)
    s[:40] = s[:40].round()  # "0.0"/"1.0" at first
    ids = [f"row{i}" for i in range(n)]
    truth = columns_file(tmp_path / "truth.csv", y, ids=ids)
    scores = tmp_path / "scores.csv"
    with open(scores, "w") as f:
        f.write("id,anger,joy,calm\n")
        for i in range(n):
            f.write(f"{ids[i]},{s[i, 2]:g},{s[i, 0]:g},{s[i, 1]:g}\n")
    doc = cli_json("--true", truth, "--scores", scores)
    assert_same(doc, expect_scores(y, s))
    pred = columns_file(tmp_path / "pred.csv", (s > 0.5).astype(int), ids=ids, order=[2, 1, 0])
    assert_same(cli_json("--true", truth, "--pred", pred), expect_pred(y, (s > 0.5).astype(int)))
    perm = rng.permutation(n)
    shuffled = columns_file(tmp_path / "shuffled.csv", s[perm], ids=[ids[i] for i in perm])
    assert_same(cli_json("--true", truth, "--scores", shuffled, "--id-column", "id"),
                expect_scores(y, s))
    # a bad value far down the file still names its line
    lines = scores.read_text().splitlines()
    lines[250] = lines[250].rsplit(",", 1)[0] + ",oops"
    scores.write_text("\n".join(lines) + "\n")
    assert_error(cli("--true", truth, "--scores", scores), "scores.csv:251, column 'calm'",
                 "'oops' is not a number")


def test_allow_missing_evaluates_the_matched_rows(tmp_path):
    truth = columns_file(tmp_path / "truth.csv", Y)
    keep = [0, 1, 2, 4, 6, 7]  # s4 and s6 have no prediction
    ids = [IDS[i] for i in keep] + ["x1"]  # x1 is not in the truth
    scores = columns_file(tmp_path / "scores.csv", np.vstack([S[keep], [[0.3, 0.6, 0.9]]]),
                          ids=ids)
    err = assert_error(cli("--true", truth, "--scores", scores, "--id-column", "id"),
                       "2 truth id(s) of", "('s4', 's6')", "1 prediction id(s) of",
                       "('x1')", "--allow-missing")
    assert "truth.csv" in err and "scores.csv" in err
    result = cli("--true", truth, "--scores", scores, "--id-column", "id", "--allow-missing",
                 "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert_same(doc, expect_scores(Y[keep], S[keep]))
    assert doc["inputs"]["rows"] == {
        "by": "id", "truth_rows": 8, "pred_rows": 7, "matched": 6,
        "left_out": {"prediction id not in truth": 1, "truth id without prediction": 2},
    }
    note = result.stderr.strip()
    assert note.startswith("note: --allow-missing: evaluated the 6 matched rows")
    assert "2 (truth id without prediction)" in note and "1 (prediction id not in truth)" in note
    # the note is printed with --output too, and nothing when every row matched
    out = tmp_path / "report.md"
    result = cli("--true", truth, "--scores", scores, "--id-column", "id", "--allow-missing",
                 "--format", "markdown", "--output", out)
    assert result.stdout == "" and "evaluated the 6 matched rows" in result.stderr
    assert out.read_text().startswith("**labelwise report**: 6 samples, 3 labels")
    full = columns_file(tmp_path / "full.csv", S)
    result = cli("--true", truth, "--scores", full, "--id-column", "id", "--allow-missing")
    assert result.exit_code == 0 and result.stderr == ""


# --------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------


@pytest.fixture
def yeasty(tmp_path):
    """Truth and scores with ids, as the README walks through them."""
    return (columns_file(tmp_path / "truth.csv", Y), columns_file(tmp_path / "scores.csv", S))


def test_table_output(yeasty):
    truth, scores = yeasty
    result = cli("--true", truth, "--scores", scores)
    assert result.exit_code == 0 and result.stderr == ""
    out = result.stdout
    report = expect_scores()
    assert out.startswith("labelwise report: 8 samples, 3 labels\n")
    assert "predicted when score > 0.5" in out
    f1 = next(line for line in out.splitlines() if line.strip().startswith("f1 "))
    assert f1.split()[1:] == [f"{report[f'f1_{a}']:.4f}"
                              for a in ("micro", "macro", "weighted", "samples")]
    assert "…" not in out  # plain text in pipes and files: nothing cut off


def test_markdown_output(yeasty):
    truth, scores = yeasty
    result = cli("--true", truth, "--scores", scores, "--format", "markdown")
    assert result.exit_code == 0
    report = expect_scores()
    out = result.stdout
    assert out.startswith("**labelwise report**: 8 samples, 3 labels")
    assert "| metric | micro | macro | weighted | samples |" in out
    assert (f"| f1 | {report['f1_micro']:.4f} | {report['f1_macro']:.4f} | "
            f"{report['f1_weighted']:.4f} | {report['f1_samples']:.4f} |") in out
    assert f"| label_ranking_average_precision | " \
           f"{report['label_ranking_average_precision']:.4f} |" in out


@pytest.mark.parametrize("fmt", ["json", "markdown", "table"])
def test_output_file(yeasty, tmp_path, fmt):
    truth, scores = yeasty
    out = tmp_path / f"report.{fmt}"
    result = cli("--true", truth, "--scores", scores, "--format", fmt, "--output", out)
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    text = out.read_text()
    if fmt == "json":
        assert_same(json.loads(text), expect_scores())
    else:
        assert text == cli("--true", truth, "--scores", scores, "--format", fmt).stdout


def test_quiet_prints_nothing(yeasty):
    truth, scores = yeasty
    result = cli("--true", truth, "--scores", scores, "--quiet")
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""


# --------------------------------------------------------------------------
# Thresholds and vocabulary
# --------------------------------------------------------------------------


def test_threshold_as_a_number(yeasty):
    truth, scores = yeasty
    doc = cli_json("--true", truth, "--scores", scores, "--threshold", "0.3")
    assert_same(doc, expect_scores(threshold=0.3))
    assert doc["thresholds"] == {"rule": ">", "values": 0.3}
    assert doc["metrics"]["f1_micro"] != expect_scores()["f1_micro"]


def test_threshold_file(yeasty, tmp_path):
    truth, scores = yeasty
    per_label = {"anger": 0.6, "joy": 0.25, "calm": 0.5}
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps(per_label))
    doc = cli_json("--true", truth, "--scores", scores, "--threshold", path)
    assert_same(doc, expect_scores(threshold=per_label))
    assert doc["thresholds"] == {"rule": ">", "values": {"joy": 0.25, "calm": 0.5, "anger": 0.6}}
    path.write_text(json.dumps({"joy": 0.25, "calm": 0.5}))
    assert_error(cli("--true", truth, "--scores", scores, "--threshold", path),
                 "--threshold", "thresholds.json", "missing ['anger']")
    path.write_text("{not json")
    assert_error(cli("--true", truth, "--scores", scores, "--threshold", path),
                 "thresholds.json", "cannot read a JSON threshold file")
    assert_error(cli("--true", truth, "--scores", scores, "--threshold", "high"),
                 "--threshold 'high'", "a number or a JSON file")


def test_ge_counts_scores_equal_to_the_threshold(tmp_path):
    tied = S.copy()
    tied[[0, 3, 5], [1, 0, 2]] = 0.5
    truth = columns_file(tmp_path / "truth.csv", Y)
    scores = columns_file(tmp_path / "scores.csv", tied)
    strict = cli_json("--true", truth, "--scores", scores)
    inclusive = cli_json("--true", truth, "--scores", scores, "--ge")
    assert_same(strict, expect_scores(scores=tied))
    assert_same(inclusive, expect_scores(scores=tied, inclusive=True))
    assert inclusive["thresholds"]["rule"] == ">="
    assert inclusive["per_label"][0]["fp"] != strict["per_label"][0]["fp"]


def test_labels_choose_and_order_the_vocabulary(yeasty, tmp_path):
    truth, scores = yeasty
    doc = cli_json("--true", truth, "--scores", scores, "--labels", "anger,joy")
    assert_same(doc, expect_scores(Y[:, [2, 0]], S[:, [2, 0]], ["anger", "joy"]))
    names = tmp_path / "labels.txt"
    names.write_text("calm\n\nanger\n")
    pred = columns_file(tmp_path / "pred.csv", P)
    doc = cli_json("--true", truth, "--pred", pred, "--labels-file", names)
    assert_same(doc, expect_pred(Y[:, [1, 2]], P[:, [1, 2]], ["calm", "anger"]))
    assert_error(cli("--true", truth, "--pred", pred, "--labels", "joy,angry"),
                 "truth.csv", "['angry']")
    result = cli("--true", truth, "--pred", pred, "--labels", "joy", "--labels-file", names)
    assert result.exit_code == 2 and "not both" in result.stderr


def test_threshold_needs_scores(yeasty, tmp_path):
    truth, _ = yeasty
    pred = columns_file(tmp_path / "pred.csv", P)
    for extra in (["--threshold", "0.3"], ["--ge"]):
        result = cli("--true", truth, "--pred", pred, *extra)
        assert result.exit_code == 2 and "need --scores" in result.stderr


# --------------------------------------------------------------------------
# The --require gate
# --------------------------------------------------------------------------


def test_require_passes(yeasty):
    truth, scores = yeasty
    report = expect_scores()
    result = cli("--true", truth, "--scores", scores, "--quiet",
                 "--require", f"f1_micro>={report['f1_micro']}",
                 "--require", "hamming_loss<0.5", "--require", "precision_at_1 > 0.1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


def test_require_fails_naming_each_failure(yeasty):
    truth, scores = yeasty
    report = expect_scores()
    result = cli("--true", truth, "--scores", scores,
                 "--require", "f1_micro>=0.99", "--require", "hamming_loss<=0.01",
                 "--require", "recall_micro>0.1", "--format", "json")
    assert result.exit_code == 1
    json.loads(result.stdout)  # the report is still printed
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"requirement failed: f1_micro = {report['f1_micro']:.4f}, required >= 0.99",
        f"requirement failed: hamming_loss = {report['hamming_loss']:.4f}, required <= 0.01",
    ]


def test_require_unknown_metric(yeasty):
    truth, scores = yeasty
    result = cli("--true", truth, "--scores", scores, "--require", "f1_mikro>=0.5")
    assert result.exit_code == 2
    assert "unknown metric 'f1_mikro'" in result.stderr
    assert "did you mean 'f1_micro'" in result.stderr
    assert "'labelwise metrics' lists the valid names" in result.stderr
    result = cli("--true", truth, "--scores", scores, "--require", "f1_micro=0.5")
    assert result.exit_code == 2 and "METRIC>=VALUE" in result.stderr


def test_require_score_metric_without_scores(yeasty, tmp_path):
    truth, _ = yeasty
    pred = columns_file(tmp_path / "pred.csv", P)
    result = cli("--true", truth, "--pred", pred, "--require", "roc_auc_macro>=0.5")
    assert result.exit_code == 2
    assert "roc_auc_macro" in result.stderr and "--scores" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.output


def test_require_metric_these_inputs_lack(yeasty):
    truth, scores = yeasty  # 3 labels: no precision_at_5
    result = cli("--true", truth, "--scores", scores, "--quiet",
                 "--require", "precision_at_5>=0.1")
    assert result.exit_code == 2
    assert "no precision_at_5" in result.stderr


# --------------------------------------------------------------------------
# Bad input: exit 2, one line naming file, line, column and value
# --------------------------------------------------------------------------

TRUTH_CSV = "id,joy,calm,anger\n" + "".join(
    f"{i},{','.join(map(str, r))}\n" for i, r in zip(IDS, Y))
SCORES_CSV = "id,joy,calm,anger\n" + "".join(
    f"{i},{','.join(map(str, r))}\n" for i, r in zip(IDS, S))
PRED_CSV = "id,joy,calm,anger\n" + "".join(
    f"{i},{','.join(map(str, r))}\n" for i, r in zip(IDS, P))


def _edit(text: str, line: int, column: str, value: str) -> str:
    """``text`` with the cell at (1-based ``line``, ``column``) replaced."""
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


BAD_INPUTS = {
    "non-numeric score": (
        "--scores", "scores.csv", _edit(SCORES_CSV, 4, "calm", "high"),
        ["scores.csv:4, column 'calm'", "'high' is not a number"]),
    "non-numeric score in jsonl": (
        "--scores", "scores.jsonl",
        "".join(json.dumps({"id": i, "joy": 0.1, "calm": 0.9 if k != 5 else "n/a",
                            "anger": 0.3}) + "\n" for k, i in enumerate(IDS)),
        ["scores.jsonl:6, column 'calm'", "'n/a' is not a number"]),
    "not 0 or 1": (
        "--pred", "pred.csv", _edit(PRED_CSV, 5, "anger", "2"),
        ["pred.csv:5, column 'anger'", "2 is not 0 or 1", "--scores"]),
    "a score given as a prediction": (
        "--pred", "pred.csv", _edit(PRED_CSV, 3, "joy", "0.7"),
        ["pred.csv:3, column 'joy'", "0.7 is not 0 or 1", "use --scores"]),
    "ragged row": (
        "--pred", "pred.csv", PRED_CSV.replace("s3,1,0,0", "s3,1,0"),
        ["pred.csv:4", "expected 4 columns", "found 3", "ragged"]),
    "empty file": ("--pred", "pred.csv", "", ["pred.csv is empty"]),
    "header only": ("--pred", "pred.csv", "id,joy,calm,anger\n",
                    ["pred.csv has a header but no data rows"]),
    "missing value": (
        "--scores", "scores.csv", _edit(SCORES_CSV, 7, "joy", ""),
        ["scores.csv:7, column 'joy'", "the value is empty"]),
    "missing-value marker": (
        "--scores", "scores.csv", _edit(SCORES_CSV, 8, "anger", "NA"),
        ["scores.csv:8, column 'anger'", "'NA' marks a missing value"]),
    "infinite score": (
        "--scores", "scores.csv", _edit(SCORES_CSV, 2, "calm", "inf"),
        ["scores.csv:2, column 'calm'", "inf is not finite"]),
    "label not in the vocabulary": (
        "--pred", "pred.jsonl",
        "".join(json.dumps({"id": i, "tags": ["Anger"] if k == 2 else ["joy"]}) + "\n"
                for k, i in enumerate(IDS)),
        ["pred.jsonl:3, column 'tags'", "'Anger'", "did you mean 'anger'?"]),
    "label column not in the truth": (
        "--pred", "pred.csv", PRED_CSV.replace("id,joy,calm,anger", "id,joy,calm ,anger"),
        ["pred.csv", "['calm ']", "did you mean 'calm' for 'calm '"]),
    "duplicate prediction id": (
        "--pred", "pred.csv", PRED_CSV.replace("s7,", "s2,"),
        ["pred.csv:8, column 'id'", "the id 's2' is already at line 3", "1 row(s)"]),
    "different row counts": (
        "--pred", "pred.csv", PRED_CSV.rsplit("s8", 1)[0],
        ["truth.csv has 8 rows but", "pred.csv has 7", "--id-column"]),
    "xc label outside the header": (
        "--scores", "scores.txt", "8 3\n" + "0:0.5\n" * 4 + "1:0.2 3:0.9\n" + "2:0.1\n" * 3,
        ["scores.txt:6", "label 3 is outside the 3 labels"]),
    "xc non-numeric score": (
        "--scores", "scores.txt", "8 3\n" + "0:0.5\n" * 6 + "1:x\n" + "2:0.1\n",
        ["scores.txt:8, label 1", "'x' is not a number"]),
    "xc header": ("--scores", "scores.txt", "0:0.5 1:0.25\n", ["scores.txt:1", "header"]),
    "unknown extension": ("--scores", "scores.xlsx", "whatever", ["scores.xlsx", ".xlsx"]),
    "no such file": ("--scores", None, None, ["nowhere.csv: no such file"]),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_predictions_are_named(tmp_path, case):
    flag, name, text, fragments = BAD_INPUTS[case]
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    if name is None:
        path = tmp_path / "nowhere.csv"
    else:
        path = write_lines(tmp_path / name, text)
    args = ["--true", truth, flag, path]
    if "xc" in case:
        args[1] = xc_data_file(tmp_path / "truth.txt", Y)
    if name and name.endswith(".jsonl") and "tags" in text:
        args += ["--labels-column", "tags"]
    if "duplicate" in case:
        args += ["--id-column", "id"]
    assert_error(cli(*args), *fragments)


BAD_TRUTH = {
    "not 0 or 1": (_edit(TRUTH_CSV, 4, "calm", "3"),
                   ["truth.csv:4, column 'calm'", "3 is not 0 or 1", "True labels are 0 or 1"]),
    "non-numeric": (_edit(TRUTH_CSV, 2, "anger", "yes"),
                    ["truth.csv:2, column 'anger'", "'yes' is not a number"]),
    "missing value": (_edit(TRUTH_CSV, 9, "joy", ""), ["truth.csv:9, column 'joy'", "empty"]),
    "duplicate id": (TRUTH_CSV.replace("s5,", "s1,"),
                     ["truth.csv:6, column 'id'", "the id 's1' is already at line 2",
                      "1 id(s) appear more than once ('s1')"]),
    "header only": ("id,joy,calm,anger\n", ["truth.csv has a header but no data rows"]),
    "empty": ("", ["truth.csv is empty"]),
}


@pytest.mark.parametrize("case", list(BAD_TRUTH))
def test_bad_truth_is_named(tmp_path, case):
    text, fragments = BAD_TRUTH[case]
    truth = write_lines(tmp_path / "truth.csv", text)
    scores = write_lines(tmp_path / "scores.csv", SCORES_CSV)
    assert_error(cli("--true", truth, "--scores", scores, "--id-column", "id"), *fragments)


def test_ids_without_partner_are_counted_and_shown(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    pred = columns_file(tmp_path / "pred.csv", P[:1], ids=IDS[:1])
    assert_error(cli("--true", truth, "--pred", pred, "--id-column", "id"),
                 "7 truth id(s) of", "have no prediction ('s2', 's3', 's4', 's5', 's6', ...)")
    more = columns_file(tmp_path / "more.csv", np.vstack([P, P]),
                        ids=IDS + [f"new{i}" for i in range(8)])
    assert_error(cli("--true", truth, "--pred", more, "--id-column", "id"),
                 "8 prediction id(s) of", "are not in the truth ('new0', 'new1', 'new2', "
                 "'new3', 'new4', ...)")
    other = columns_file(tmp_path / "other.csv", P, ids=[f"x{i}" for i in range(8)])
    assert_error(cli("--true", truth, "--pred", other, "--id-column", "id", "--allow-missing"),
                 "no id of", "matches an id of")


def test_duplicate_ids_within_a_block_and_across_blocks(tmp_path, monkeypatch):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    twice = PRED_CSV + "s4,1,0,0\ns2,0,0,0\n"
    pred = write_lines(tmp_path / "pred.csv", twice)
    for block in (1 << 20, 32):
        monkeypatch.setattr(lw_io, "BLOCK_BYTES", block)
        assert_error(cli("--true", truth, "--pred", pred, "--id-column", "id"),
                     "pred.csv:10, column 'id'", "the id 's4' is already at line 5",
                     "2 row(s) repeat an earlier id ('s4', 's2')")


def test_id_column_and_labels_column_must_exist(tmp_path):
    truth = write_lines(tmp_path / "truth.csv", TRUTH_CSV)
    pred = write_lines(tmp_path / "pred.csv", PRED_CSV)
    assert_error(cli("--true", truth, "--pred", pred, "--id-column", "key"),
                 "no column 'key'", "['id', 'joy', 'calm', 'anger']")
    assert_error(cli("--true", truth, "--pred", pred, "--labels-column", "tags"),
                 "--labels-column 'tags'", "neither file has this column")
    npy = tmp_path / "pred.npy"
    np.save(npy, P)
    assert_error(cli("--true", truth, "--pred", npy, "--id-column", "id"),
                 "pred.npy", "tables only")


def test_array_shape_errors(tmp_path):
    truth = tmp_path / "truth.npy"
    np.save(truth, Y)
    wide = tmp_path / "wide.npy"
    np.save(wide, np.zeros((8, 4)))
    assert_error(cli("--true", truth, "--scores", wide), "wide.npy has 4 label columns",
                 "3 labels")
    flat = tmp_path / "flat.npy"
    np.save(flat, np.zeros(8))
    assert_error(cli("--true", truth, "--scores", flat), "flat.npy", "shape (8,)")
    several = tmp_path / "several.npz"
    np.savez(several, a=S, b=S)
    err = assert_error(cli("--true", truth, "--scores", several), "several.npz holds several "
                       "arrays ['a', 'b']")
    assert err.count("several.npz") == 1


# --------------------------------------------------------------------------
# Tracebacks, help, version, python -m
# --------------------------------------------------------------------------


def test_no_traceback_unless_debug(yeasty, monkeypatch):
    truth, scores = yeasty
    bad = write_lines(Path(truth).with_name("bad.csv"), _edit(SCORES_CSV, 3, "joy", "?"))
    result = cli("--true", truth, "--scores", bad, "--debug")
    assert result.exit_code == 2 and "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("labelwise: error: ")

    def broken(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr("labelwise.engine.Accumulator.report", broken)
    result = cli("--true", truth, "--scores", scores)
    assert result.exit_code == 2 and "Traceback" not in result.output
    err = result.stderr.strip()
    assert "\n" not in err and "internal error: RuntimeError: something broke" in err
    assert "--debug" in err
    result = cli("--true", truth, "--scores", scores, "--debug")
    assert result.exit_code == 2 and "Traceback" in result.stderr


def test_version():
    result = RUNNER.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"labelwise, version {labelwise.__version__}"


@pytest.mark.parametrize("args", [["--help"], ["evaluate", "--help"]])
def test_help_shows_the_examples(args):
    result = RUNNER.invoke(main, args)
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "labelwise evaluate --true truth.csv --pred pred.csv" in result.stdout
    assert '--require "precision_at_1>=0.6"' in result.stdout


def test_usage_errors(yeasty):
    truth, scores = yeasty
    for args in ([], ["--true", truth], ["--true", truth, "--pred", scores, "--scores", scores]):
        result = cli(*args)
        assert result.exit_code == 2 and "Traceback" not in result.output


def test_python_m_labelwise_in_a_subprocess(tmp_path):
    truth = columns_file(tmp_path / "truth.csv", Y)
    scores = columns_file(tmp_path / "scores.parquet", S[::-1], ids=IDS[::-1])
    proc = subprocess.run(
        [sys.executable, "-m", "labelwise", "evaluate", "--true", str(truth),
         "--scores", str(scores), "--id-column", "id", "--format", "json",
         "--require", "f1_micro>=0.99"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert_same(json.loads(proc.stdout), expect_scores())
    assert proc.stderr.startswith("requirement failed: f1_micro = ")
    proc = subprocess.run(
        [sys.executable, "-m", "labelwise", "evaluate", "--true", str(truth),
         "--scores", str(scores)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Traceback" not in proc.stderr and "--id-column id" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "labelwise", "--version"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and labelwise.__version__ in proc.stdout
