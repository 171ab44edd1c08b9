"""``labelwise tune``: thresholds tuned from two files, written as JSON, applied by
``labelwise evaluate --threshold FILE``; every number checked against the library."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import labelwise
from labelwise.cli import main
from test_cli import (
    IDS, LABELS, RUNNER, S, Y, assert_error, cli_json, columns_file, sets_file,
)


def tune(*args):
    return RUNNER.invoke(main, ["tune", *map(str, args)], catch_exceptions=False)


@pytest.fixture
def files(tmp_path):
    return (columns_file(tmp_path / "truth.csv", Y), columns_file(tmp_path / "scores.csv", S),
            tmp_path / "thresholds.json")


def test_per_label_thresholds_round_trip_and_evaluate_reproduces_the_objective(files):
    truth, scores, out = files
    result = tune("--true", truth, "--scores", scores, "--objective", "f1_macro",
                  "--output", out)
    assert result.exit_code == 0, result.stderr
    want = labelwise.tune_thresholds(Y, S, labels=LABELS, objective="f1_macro")
    back = labelwise.Thresholds.from_json(out.read_text())
    assert back.labels == tuple(LABELS)
    assert back.values.tolist() == want.values.tolist()
    assert back.score == want.score and back.baseline == want.baseline
    lines = result.stdout.splitlines()
    assert lines[0] == (f"labelwise tune: 8 samples, 3 labels: 3 per-label thresholds "
                        f"(score > threshold) written to {out}")
    assert lines[1].split()[:5] == ["label", "threshold", "precision", "recall", "f1"]
    half = labelwise.evaluate(Y, y_score=S, labels=LABELS).per_label.to_records()
    for line, label, value, h, j in zip(lines[2:5], LABELS, want.values, half, range(3)):
        cells = line.split()
        assert cells[0] == label and float(cells[1]) == pytest.approx(value, abs=5e-5)
        assert [float(x) for x in cells[2:5]] == pytest.approx(
            [want.precision[j], want.recall[j], want.f1[j]], abs=5e-5)
        assert [float(x) for x in cells[6:9]] == pytest.approx(
            [h["precision"], h["recall"], h["f1"]], abs=5e-5)
    assert lines[5] == f"f1_macro: {want.baseline:.4f} at 0.5 -> {want.score:.4f} tuned (on these rows)"
    doc = cli_json("--true", truth, "--scores", scores, "--threshold", out)
    assert doc["metrics"]["f1_macro"] == pytest.approx(want.score, rel=1e-12)
    assert "thresholds_tuned_on_eval" in [f["code"] for f in doc["findings"]]


def test_one_global_threshold(files):
    truth, scores, out = files
    result = tune("--true", truth, "--scores", scores, "--objective", "f1_micro", "--global",
                  "--output", out)
    assert result.exit_code == 0, result.stderr
    want = labelwise.tune_thresholds(Y, S, labels=LABELS, objective="f1_micro", per_label=False)
    back = labelwise.Thresholds.from_json(out.read_text())
    assert not back.per_label and back.values == want.values
    assert "one threshold for every label" in result.stdout.splitlines()[0]
    doc = cli_json("--true", truth, "--scores", scores, "--threshold", out)
    assert doc["metrics"]["f1_micro"] == pytest.approx(want.score, rel=1e-12)


def test_inclusive_constraint_cv_and_ids_in_another_order(tmp_path):
    truth = sets_file(tmp_path / "truth.jsonl", Y)
    order = [5, 2, 7, 0, 1, 3, 6, 4]
    scores = columns_file(tmp_path / "scores.csv", S[order], ids=[IDS[i] for i in order],
                          order=[2, 0, 1])  # anger, joy, calm
    out = tmp_path / "t.json"
    result = tune("--true", truth, "--labels-column", "tags", "--scores", scores,
                  "--id-column", "id", "--min-recall", "0.75", "--ge", "--cv", "2",
                  "--seed", "3", "--output", out)
    assert result.exit_code == 0, result.stderr
    cols = [2, 0, 1]  # the labels in the order of the scores' columns
    rows = np.array(order)[:, None]  # by id, rows come in the scores file's order
    want = labelwise.tune_thresholds(Y[rows, cols], S[rows, cols],
                                     labels=[LABELS[j] for j in cols],
                                     min_recall=0.75, inclusive=True, cv=2, seed=3)
    back = labelwise.Thresholds.from_json(out.read_text())
    assert back.labels == ("anger", "joy", "calm")
    assert back.rule == ">=" and back.values.tolist() == want.values.tolist()
    assert back.cv_score == want.cv_score and back.constraint == {"min_recall": 0.75}
    assert result.stdout.splitlines()[-1].endswith(
        f"; cross-fitted over 2 folds: {want.cv_score:.4f}")


def test_format_json_and_output_to_stdout(files):
    truth, scores, out = files
    result = tune("--true", truth, "--scores", scores, "--output", out, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["thresholds"] == json.loads(out.read_text())
    assert [r["label"] for r in doc["per_label"]] == LABELS
    assert doc["summary"]["objective"] == "f1_macro"
    assert doc["inputs"]["rows"]["matched"] == 8
    half = labelwise.evaluate(Y, y_score=S, labels=LABELS).per_label.to_records()
    assert [r["f1_at_0.5"] for r in doc["per_label"]] == pytest.approx([h["f1"] for h in half])
    printed = tune("--true", truth, "--scores", scores, "--output", "-")
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == json.loads(out.read_text())


def test_warnings_few_positives_and_extreme_thresholds(tmp_path):
    y = Y.copy()
    y[:, 1] = 1  # calm: every row positive, so its best threshold predicts every row
    truth = columns_file(tmp_path / "truth.csv", y)
    scores = columns_file(tmp_path / "scores.csv", S)
    result = tune("--true", truth, "--scores", scores, "--output", tmp_path / "t.json")
    assert result.exit_code == 0
    err = result.stderr.splitlines()
    assert "warning: threshold of 'joy' rests on 4 positives; treat with care." in err
    assert any(line.startswith("warning: the best threshold of 'calm' (") and
               line.endswith("predicts it for every row.") for line in err)
    y[:, 2] = 0  # anger: no positive, no row predicted
    columns_file(tmp_path / "truth.csv", y)
    err = tune("--true", truth, "--scores", scores, "--output", tmp_path / "t.json").stderr
    assert "warning: threshold of 'anger' rests on 0 positives; treat with care." in err
    assert "predicts it for no row." in err
    result = tune("--true", truth, "--scores", scores, "--min-precision", "0.99",
                  "--output", tmp_path / "t.json")
    assert "warning: 'anger' cannot reach precision 0.99" in result.stderr


@pytest.mark.parametrize("args,fragment", [
    (["--objective", "f1-macro"], "'f1-macro' is not an objective (did you mean 'f1_macro'?)"),
    (["--objective", "roc_auc_macro"], "'roc_auc_macro' is not an objective"),
    (["--min-precision", "0.9", "--min-recall", "0.8"],
     "give --min-precision or --min-recall, not both"),
    (["--global", "--min-recall", "0.8"], "cannot be combined with --global"),
    (["--output", "-", "--format", "json"], "cannot be combined with --format json"),
])
def test_usage_errors(files, args, fragment):
    truth, scores, out = files
    full = ["--true", truth, "--scores", scores, "--output", out, *args]
    result = tune(*full)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert not out.exists()


def test_input_errors_are_one_line(files, tmp_path):
    truth, scores, out = files
    assert_error(tune("--true", truth, "--scores", scores, "--cv", "1", "--output", out),
                 "cv")
    short = columns_file(tmp_path / "short.csv", S[:, :2], names=LABELS[:2])
    assert_error(tune("--true", truth, "--scores", short, "--output", out),
                 "short.csv lacks columns for the labels ['anger']")
    shuffled = columns_file(tmp_path / "shuffled.csv", S[::-1], ids=IDS[::-1])
    assert_error(tune("--true", truth, "--scores", shuffled, "--output", out),
                 "rows are matched by position", "--id-column id")
    assert_error(tune("--true", truth, "--scores", scores, "--min-precision", "1.5",
                      "--output", out), "min_precision")
    assert not out.exists()


def test_the_installed_command(files):
    truth, scores, out = files
    proc = subprocess.run([sys.executable, "-m", "labelwise", "tune", "--true", str(truth),
                           "--scores", str(scores), "--output", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("labelwise tune: 8 samples, 3 labels")
    assert labelwise.Thresholds.from_json(out.read_text()).objective == "f1_macro"
