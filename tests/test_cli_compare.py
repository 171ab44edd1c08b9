"""``labelwise evaluate --ci`` and ``labelwise compare`` end to end.

Every interval and p-value the commands print is checked against
:func:`labelwise.evaluate` and :func:`labelwise.compare` called on the same arrays
with the same seed; values, marks and McNemar p-values are also recomputed here
from the arrays.
"""

from __future__ import annotations

import inspect
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats as sps

import labelwise
from labelwise.cli import main

_kw = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
RUNNER = CliRunner(**_kw)

LABELS = ["joy", "calm", "anger"]  # deliberately not sorted
N = 60
R = 800  # resamples of every compare run: small, so the file stays fast
IDS = [f"s{i:02d}" for i in range(N)]

_rng = np.random.default_rng(20240611)
Y = (_rng.random((N, 3)) < 0.4).astype(int)
GOOD = np.where(_rng.random((N, 3)) < 0.95, Y, 1 - Y)  # about 5% of the cells wrong
POOR = np.where(_rng.random((N, 3)) < 0.60, Y, 1 - Y)  # about 40% wrong
NEAR = GOOD.copy()  # GOOD with two more mistakes: not significantly different
NEAR[3, 0] = 1 - NEAR[3, 0]
NEAR[17, 2] = 1 - NEAR[17, 2]
# scores: the good model puts true labels well above 0.5, the poor one barely
S_GOOD = np.round(np.where(Y == 1, _rng.uniform(0.55, 0.99, (N, 3)),
                           _rng.uniform(0.01, 0.45, (N, 3))), 4)
S_POOR = np.round(np.clip(0.5 + 0.15 * (Y - 0.5) + _rng.normal(0, 0.25, (N, 3)), 0.001, 0.999),
                  4)
S_POOR[np.isclose(S_POOR, 0.5)] = 0.5001  # no score exactly at the threshold
SHUFFLE_A = _rng.permutation(N)
SHUFFLE_B = _rng.permutation(N)


# --------------------------------------------------------------------------
# Files and runs
# --------------------------------------------------------------------------


def _cell(v) -> str:
    v = v.item() if isinstance(v, np.generic) else v
    return repr(v) if isinstance(v, float) else str(v)


def write_csv(path: Path, matrix, ids=IDS, rows=None, weights=None) -> Path:
    """An id column, an optional weight column, one column per label; ``rows`` picks
    (and orders) the rows written."""
    rows = range(len(matrix)) if rows is None else rows
    head = ["id"] + (["w"] if weights is not None else []) + LABELS
    lines = [",".join(head)]
    for i in rows:
        extra = [_cell(weights[i])] if weights is not None else []
        lines.append(",".join([ids[i], *extra, *(_cell(v) for v in matrix[i])]))
    path.write_text("\n".join(lines) + "\n")
    return path


def run(*args):
    return RUNNER.invoke(main, [str(a) for a in args], catch_exceptions=False)


def compare_json(*args) -> dict:
    result = run("compare", *args, "--format", "json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def evaluate_json(*args) -> dict:
    result = run("evaluate", *args, "--format", "json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def as_json(cmp) -> dict:
    """A Comparison's dict as it reads back from JSON (tuples become lists)."""
    return json.loads(json.dumps(cmp.to_dict()))


def assert_usage_error(result, *fragments) -> str:
    """Click's usage error: exit 2, the fragments on stderr, no traceback, no output."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in {result.stderr!r}"
    return result.stderr


def assert_input_error(result, *fragments) -> str:
    """An input error: exit 2 and one line ``labelwise: error: ...`` holding the fragments."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    err = result.stderr.strip()
    assert err.startswith("labelwise: error: ") and "\n" not in err, err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    return err


@pytest.fixture
def files(tmp_path):
    return {
        "truth": write_csv(tmp_path / "truth.csv", Y),
        "good": write_csv(tmp_path / "good.csv", GOOD),
        "poor": write_csv(tmp_path / "poor.csv", POOR),
        "near": write_csv(tmp_path / "near.csv", NEAR),
        "s_good": write_csv(tmp_path / "good_scores.csv", S_GOOD),
        "s_poor": write_csv(tmp_path / "poor_scores.csv", S_POOR),
    }


def lib_compare(models: dict, **kw):
    kw.setdefault("n_resamples", R)
    kw.setdefault("seed", 0)
    return labelwise.compare(Y, models, labels=LABELS, **kw)


def test_the_data_make_the_intended_cases():
    """The fixtures' premises, checked on the arrays: GOOD is far better than POOR and
    barely differs from NEAR, and every model file row is a permutation of the ids."""
    assert np.mean(GOOD != Y) < 0.1 < 0.3 < np.mean(POOR != Y)
    assert int(np.sum(GOOD != NEAR)) == 2
    assert sorted(SHUFFLE_A) == list(range(N)) and not np.array_equal(SHUFFLE_A, SHUFFLE_B)
    assert not np.any(S_POOR == 0.5) and not np.any(S_GOOD == 0.5)


# --------------------------------------------------------------------------
# labelwise evaluate --ci
# --------------------------------------------------------------------------

CI_CELL = re.compile(r"(-?\d+\.\d{4}|nan) \[(-?\d+\.\d{4}|nan), (-?\d+\.\d{4}|nan)\]")


def _shown(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.4f}"


def test_evaluate_ci_text_shows_value_and_interval_cells(files):
    result = run("evaluate", "--true", files["truth"], "--pred", files["good"], "--ci", "0.95",
                 "--seed", "0")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    want = labelwise.evaluate(Y, GOOD, labels=LABELS, ci=0.95, seed=0)
    assert want.ci, "the library gives intervals"
    for name in ("subset_accuracy", "hamming_loss", "label_accuracy"):
        lo, hi = want.ci[name]
        cell = f"{_shown(want.metrics[name])} [{_shown(lo)}, {_shown(hi)}]"
        line = next(x for x in out.splitlines() if x.strip().startswith(name))
        assert cell in line, (cell, line)
    # the label-based grid: f1 micro and macro cells with their intervals
    f1 = next(x for x in out.splitlines() if x.strip().startswith("f1 "))
    cells = CI_CELL.findall(f1)
    assert len(cells) == 4  # micro, macro, weighted, samples
    for (v, lo, hi), avg in zip(cells, ("micro", "macro", "weighted", "samples")):
        name = f"f1_{avg}"
        assert v == _shown(want.metrics[name])
        assert (lo, hi) == tuple(_shown(x) for x in want.ci[name])
        assert float(lo) <= float(v) <= float(hi)
    assert "95% BCa intervals from 1000 bootstrap replicates, seed 0" in out


def test_evaluate_ci_json_equals_the_library(files):
    doc = evaluate_json("--true", files["truth"], "--pred", files["good"], "--ci", "0.95",
                        "--seed", "0")
    want = labelwise.evaluate(Y, GOOD, labels=LABELS, ci=0.95, seed=0)
    assert doc["params"]["ci"] == 0.95
    assert doc["params"]["ci_method"] == "bca"
    assert doc["params"]["n_bootstrap"] == 1000
    assert doc["params"]["seed"] == 0
    assert set(doc["ci"]) == set(want.ci) and len(doc["ci"]) > 10
    for name, (lo, hi) in want.ci.items():
        assert doc["ci"][name] == [lo, hi], name  # exact: the same replicates
        assert lo <= want.metrics[name] <= hi, name
    for name, value in want.metrics.items():
        assert doc["metrics"][name] == value
    # recomputed here: the point values do not depend on the bootstrap
    assert doc["metrics"]["subset_accuracy"] == np.mean(np.all(GOOD == Y, axis=1))
    assert doc["metrics"]["hamming_loss"] == pytest.approx(np.mean(GOOD != Y), abs=1e-15)


def test_evaluate_without_ci_has_no_intervals(files):
    doc = evaluate_json("--true", files["truth"], "--pred", files["good"])
    assert not doc.get("ci")
    assert not doc["params"].get("ci")


def test_evaluate_ci_options_reach_the_library(files):
    doc = evaluate_json("--true", files["truth"], "--pred", files["poor"], "--ci", "0.9",
                        "--n-bootstrap", "300", "--seed", "7")
    want = labelwise.evaluate(Y, POOR, labels=LABELS, ci=0.9, n_bootstrap=300, seed=7)
    assert doc["params"]["ci"] == 0.9 and doc["params"]["n_bootstrap"] == 300
    assert doc["params"]["seed"] == 7
    assert doc["ci"] == {k: [lo, hi] for k, (lo, hi) in want.ci.items()}


def test_evaluate_ci_markdown_shows_the_intervals(files):
    result = run("evaluate", "--true", files["truth"], "--pred", files["good"], "--ci", "0.95",
                 "--seed", "0", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    want = labelwise.evaluate(Y, GOOD, labels=LABELS, ci=0.95, seed=0)
    lo, hi = want.ci["hamming_loss"]
    row = next(x for x in result.stdout.splitlines() if x.startswith("| hamming_loss"))
    assert f"| {_shown(want.metrics['hamming_loss'])} [{_shown(lo)}, {_shown(hi)}] |" in row
    assert "95% BCa intervals" in result.stdout
    assert len(CI_CELL.findall(result.stdout)) >= 20


@pytest.mark.parametrize("method, shown", [("percentile", "percentile"), ("poisson", "Poisson")])
def test_evaluate_other_ci_methods(files, method, shown):
    args = ("--true", files["truth"], "--pred", files["good"], "--ci", "0.95", "--seed", "3",
            "--n-bootstrap", "400", "--ci-method", method)
    doc = evaluate_json(*args)
    want = labelwise.evaluate(Y, GOOD, labels=LABELS, ci=0.95, seed=3, n_bootstrap=400,
                              ci_method=method)
    assert doc["params"]["ci_method"] == method
    assert doc["ci"] == {k: [lo, hi] for k, (lo, hi) in want.ci.items()}
    bca = labelwise.evaluate(Y, GOOD, labels=LABELS, ci=0.95, seed=3, n_bootstrap=400)
    assert want.ci != bca.ci  # the method changes the intervals
    text = run("evaluate", *args).stdout
    assert f"95% {shown} intervals from 400 bootstrap replicates, seed 3" in text


def test_evaluate_ci_with_scores_gives_roc_auc_intervals(files):
    doc = evaluate_json("--true", files["truth"], "--scores", files["s_poor"], "--ci", "0.95",
                        "--seed", "0", "--n-bootstrap", "300")
    want = labelwise.evaluate(Y, y_score=S_POOR, labels=LABELS, ci=0.95, seed=0,
                              n_bootstrap=300)
    for name in ("roc_auc_macro", "roc_auc_micro", "average_precision_macro"):
        assert name in doc["ci"], name
        lo, hi = doc["ci"][name]
        assert [lo, hi] == list(want.ci[name])
        assert 0 <= lo <= doc["metrics"][name] <= hi <= 1
    # macro ROC-AUC recomputed from the arrays
    auc = np.mean([sps.mannwhitneyu(S_POOR[Y[:, j] == 1, j], S_POOR[Y[:, j] == 0, j]).statistic
                   / (np.sum(Y[:, j]) * np.sum(1 - Y[:, j])) for j in range(3)])
    assert doc["metrics"]["roc_auc_macro"] == pytest.approx(auc, abs=1e-12)


def test_evaluate_same_seed_same_json(files):
    args = ("--true", files["truth"], "--pred", files["poor"], "--ci", "0.95", "--seed", "11",
            "--n-bootstrap", "300", "--format", "json")
    first, second = run("evaluate", *args), run("evaluate", *args)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    other = evaluate_json("--true", files["truth"], "--pred", files["poor"], "--ci", "0.95",
                          "--seed", "12", "--n-bootstrap", "300")
    assert other["ci"] != json.loads(first.stdout)["ci"]


def test_evaluate_without_seed_prints_one_that_draws_the_intervals_again(files):
    args = ("--true", files["truth"], "--pred", files["poor"], "--ci", "0.95",
            "--n-bootstrap", "200")
    doc = evaluate_json(*args)
    seed = doc["params"]["seed"]
    assert isinstance(seed, int) and seed >= 0, seed  # --seed takes it back
    again = evaluate_json(*args, "--seed", str(seed))
    assert again["ci"] == doc["ci"]


def test_evaluate_ci_with_id_column_and_shuffled_predictions_keeps_the_values(files, tmp_path):
    shuffled = write_csv(tmp_path / "shuffled.csv", GOOD, rows=SHUFFLE_A)
    doc = evaluate_json("--true", files["truth"], "--pred", shuffled, "--id-column", "id",
                        "--ci", "0.95", "--seed", "0")
    want = labelwise.evaluate(Y, GOOD, labels=LABELS, ci=0.95, seed=0)
    assert doc["metrics"] == dict(want.metrics)
    assert set(doc["ci"]) == set(want.ci)
    for name, (lo, hi) in doc["ci"].items():
        assert lo <= doc["metrics"][name] <= hi, name


def test_evaluate_ci_with_id_column_does_not_depend_on_the_prediction_row_order(files,
                                                                                tmp_path):
    shuffled = write_csv(tmp_path / "shuffled.csv", GOOD, rows=SHUFFLE_A)
    args = ("--id-column", "id", "--ci", "0.95", "--seed", "0")
    plain = evaluate_json("--true", files["truth"], "--pred", files["good"], *args)
    moved = evaluate_json("--true", files["truth"], "--pred", shuffled, *args)
    want = labelwise.evaluate(Y, GOOD, labels=LABELS, ci=0.95, seed=0)
    assert plain["ci"] == {k: [lo, hi] for k, (lo, hi) in want.ci.items()}
    assert moved["ci"] == plain["ci"]


def test_evaluate_ci_as_a_percentage_is_refused(files):
    result = run("evaluate", "--true", files["truth"], "--pred", files["good"], "--ci", "95")
    err = assert_usage_error(result, "--ci must be", "between 0 and 1", "95")
    assert "0.95" in err  # says what to give instead
    assert result.stdout == ""


@pytest.mark.parametrize("level", ["0", "1", "-0.5", "nan"])
def test_evaluate_ci_outside_0_1_is_refused(files, level):
    result = run("evaluate", "--true", files["truth"], "--pred", files["good"], "--ci", level)
    assert_usage_error(result, "--ci must be", "between 0 and 1")


def test_evaluate_one_bootstrap_replicate_is_a_usage_error(files):
    result = run("evaluate", "--true", files["truth"], "--pred", files["good"], "--ci", "0.95",
                 "--n-bootstrap", "1")
    assert_usage_error(result, "--n-bootstrap", "1")


def test_evaluate_unknown_ci_method_is_a_usage_error(files):
    result = run("evaluate", "--true", files["truth"], "--pred", files["good"], "--ci", "0.95",
                 "--ci-method", "normal")
    assert_usage_error(result, "--ci-method", "normal")


# --------------------------------------------------------------------------
# labelwise compare: names, table, formats
# --------------------------------------------------------------------------


def test_model_names_default_to_file_stems(files):
    doc = compare_json("--true", files["truth"], files["good"], files["poor"],
                       "--n-resamples", R, "--seed", "0")
    assert doc["models"] == ["good", "poor"]
    assert [(c["a"], c["b"]) for c in doc["comparisons"]] == [("good", "poor")] * len(
        doc["metrics"])
    doc = compare_json("--true", files["truth"], files["poor"], files["good"], files["near"],
                       "--n-resamples", R, "--seed", "0")
    assert doc["models"] == ["poor", "good", "near"]  # the order of the files
    pairs = {(c["a"], c["b"]) for c in doc["comparisons"]}
    assert pairs == {("poor", "good"), ("poor", "near"), ("good", "near")}


def test_name_overrides_the_stems(files):
    doc = compare_json("--true", files["truth"], files["good"], files["poor"],
                       "--name", "tuned", "--name", "baseline", "--n-resamples", R,
                       "--seed", "0")
    assert doc["models"] == ["tuned", "baseline"]
    want = lib_compare({"tuned": GOOD, "baseline": POOR})
    assert doc == as_json(want)


def test_name_count_mismatch_is_a_usage_error(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--name", "only")
    assert_usage_error(result, "--name is given 1 times for 2 model files")
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--name", "a", "--name", "b", "--name", "c")
    assert_usage_error(result, "--name is given 3 times for 2 model files")


def test_duplicate_names_are_a_usage_error(files, tmp_path):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--name", "m", "--name", "m")
    assert_usage_error(result, "two model files have the name 'm'", "--name")
    # two files with the same stem in different folders clash too
    (tmp_path / "other").mkdir()
    twin = write_csv(tmp_path / "other" / "good.csv", POOR)
    result = run("compare", "--true", files["truth"], files["good"], twin)
    assert_usage_error(result, "two model files have the name 'good'")


def _table_rows(text: str) -> dict:
    """metric -> the model cells of the fixed-width table."""
    rows = {}
    for line in text.splitlines()[1:]:
        if not line.strip():
            break
        metric, rest = line.split(None, 1)
        rows[metric] = re.findall(r"\*?\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]\S*", rest)
    return rows


def test_a_clearly_better_model_is_marked_in_the_table(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--n-resamples", R, "--seed", "0")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    header = out.splitlines()[0]
    assert "a: good" in header and "b: poor" in header
    rows = _table_rows(out)
    assert list(rows) == ["subset_accuracy", "hamming_loss", "f1_micro", "f1_macro",
                          "f1_samples"]
    for metric, (good, poor) in rows.items():
        assert good.startswith("*"), (metric, good)  # the best value
        assert good.endswith("ᵇ"), (metric, good)  # significantly better than model b
        assert not poor.startswith("*") and poor.endswith("]"), (metric, poor)
    # the values shown are the metrics of each model, recomputed here
    good_sa = np.mean(np.all(GOOD == Y, axis=1))
    poor_hl = np.mean(POOR != Y)
    assert rows["subset_accuracy"][0].startswith(f"*{good_sa:.4f} [")
    assert rows["hamming_loss"][1].startswith(f"{poor_hl:.4f} [")
    assert f"paired bootstrap test, {R} resamples, seed 0" in out
    assert "Holm-corrected p < 0.05" in out


def test_models_that_barely_differ_get_no_marks(files):
    result = run("compare", "--true", files["truth"], files["good"], files["near"],
                 "--n-resamples", R, "--seed", "0")
    assert result.exit_code == 0, result.stderr
    for metric, cells in _table_rows(result.stdout).items():
        assert all(c.endswith("]") for c in cells), (metric, cells)
        assert sum(c.startswith("*") for c in cells) == 1, (metric, cells)


def test_json_equals_the_library(files):
    doc = compare_json("--true", files["truth"], files["good"], files["poor"], files["near"],
                       "--n-resamples", R, "--seed", "5")
    want = lib_compare({"good": GOOD, "poor": POOR, "near": NEAR}, seed=5)
    assert doc == as_json(want)  # every value, interval and p-value, exactly
    assert doc["seed"] == 5 and doc["n_resamples"] == R and doc["test"] == "paired_bootstrap"
    assert doc["ci"] == 0.95 and doc["alpha"] == 0.05 and doc["correction"] == "holm"
    # independent checks of what the library gives
    for model, arr in (("good", GOOD), ("poor", POOR), ("near", NEAR)):
        assert doc["values"]["subset_accuracy"][model] == np.mean(np.all(arr == Y, axis=1))
        assert doc["values"]["hamming_loss"][model] == pytest.approx(np.mean(arr != Y),
                                                                     abs=1e-15)
        ref = labelwise.evaluate(Y, arr, labels=LABELS)
        for metric in doc["metrics"]:
            assert doc["values"][metric][model] == ref.metrics[metric]
            lo, hi = doc["intervals"][metric][model]
            assert lo <= doc["values"][metric][model] <= hi
    for c in doc["comparisons"]:
        va, vb = doc["values"][c["metric"]][c["a"]], doc["values"][c["metric"]][c["b"]]
        assert c["difference"] == pytest.approx(va - vb, abs=1e-15)
        assert c["low"] <= c["difference"] <= c["high"]
        assert 0 < c["pvalue_raw"] <= c["pvalue"] <= 1
        assert c["pvalue_raw"] >= 1 / (R + 1)
    assert doc["best"]["f1_micro"] == "good" and doc["best"]["hamming_loss"] == "good"
    pair = next(c for c in doc["comparisons"] if c["metric"] == "f1_micro"
                and {c["a"], c["b"]} == {"good", "poor"})
    assert pair["a_better"] and not pair["b_better"]


def test_same_seed_same_json_and_another_seed_other_intervals(files):
    args = ("--true", files["truth"], files["good"], files["poor"], "--n-resamples", R)
    first = compare_json(*args, "--seed", "1")
    assert compare_json(*args, "--seed", "1") == first
    assert compare_json(*args, "--seed", "2")["intervals"] != first["intervals"]


def test_without_seed_the_json_seed_reproduces_the_run(files):
    args = ("--true", files["truth"], files["good"], files["near"], "--n-resamples", "300")
    doc = compare_json(*args)
    assert doc["seed"] is not None
    seed = doc["seed"]
    assert isinstance(seed, int), seed  # --seed takes an integer
    again = compare_json(*args, "--seed", str(seed))
    assert again == doc


def test_markdown_renders(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--n-resamples", R, "--seed", "0", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "| metric | a: good | b: poor |"
    assert lines[1] == "|---|---:|---:|"
    body = lines[2:7]
    assert [x.split(" | ")[0] for x in body] == [
        "| subset_accuracy", "| hamming_loss", "| f1_micro", "| f1_macro", "| f1_samples"]
    for row in body:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1].startswith("**") and cells[1].endswith("**<sup>b</sup>"), row
        assert not cells[2].startswith("**") and "<sup>" not in cells[2], row
    assert "paired bootstrap test" in result.stdout


def test_latex_renders(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--name", "new_model", "--name", "old", "--n-resamples", R, "--seed", "0",
                 "--format", "latex")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "\\begin{tabular}{lrr}" and lines[-1] == "\\end{tabular}"
    assert "a: new\\_model & b: old \\\\" in lines[2]  # the underscore is escaped
    rows = [x for x in lines if x.startswith(("subset", "hamming", "f1"))]
    assert rows[0].startswith("subset\\_accuracy & \\textbf{")
    for row in rows:
        assert row.endswith(" \\\\")
        good, old = row[:-3].split(" & ")[1:]
        assert good.startswith("\\textbf{") and good.endswith("}$^{b}$"), row
        assert "textbf" not in old and "$^" not in old, row


def test_output_writes_the_table(files, tmp_path):
    target = tmp_path / "out" / "cmp.txt"
    target.parent.mkdir()
    args = ("--true", files["truth"], files["good"], files["poor"], "--n-resamples", R,
            "--seed", "0")
    result = run("compare", *args, "--output", target)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    written = target.read_text(encoding="utf-8")
    assert written == run("compare", *args).stdout
    assert list(_table_rows(written)) == ["subset_accuracy", "hamming_loss", "f1_micro",
                                          "f1_macro", "f1_samples"]
    jtarget = tmp_path / "cmp.json"
    assert run("compare", *args, "--format", "json", "--output", jtarget).exit_code == 0
    assert json.loads(jtarget.read_text()) == as_json(lib_compare({"good": GOOD, "poor": POOR}))


# --------------------------------------------------------------------------
# labelwise compare: scores, metrics, tests
# --------------------------------------------------------------------------


def test_score_files_bring_the_ranking_metrics(files):
    doc = compare_json("--true", files["truth"], "--scores", files["s_good"], files["s_poor"],
                       "--n-resamples", R, "--seed", "0")
    assert doc["models"] == ["good_scores", "poor_scores"]
    assert "roc_auc_macro" in doc["metrics"]
    assert set(doc["metrics"]) >= {"subset_accuracy", "f1_micro", "average_precision_macro",
                                   "label_ranking_average_precision"}
    want = lib_compare({"good_scores": S_GOOD, "poor_scores": S_POOR})
    assert doc == as_json(want)
    # the good scores separate the labels perfectly: ROC-AUC 1 on every label
    assert doc["values"]["roc_auc_macro"]["good_scores"] == 1.0
    hard = labelwise.evaluate(Y, (S_POOR > 0.5).astype(int), labels=LABELS)
    assert doc["values"]["f1_macro"]["poor_scores"] == hard.metrics["f1_macro"]


def test_threshold_applies_to_every_score_file(files):
    doc = compare_json("--true", files["truth"], "--scores", "--threshold", "0.3",
                       files["s_good"], files["s_poor"], "--metric", "f1_micro",
                       "--n-resamples", "300", "--seed", "0")
    for name, s in (("good_scores", S_GOOD), ("poor_scores", S_POOR)):
        ref = labelwise.evaluate(Y, (s > 0.3).astype(int), labels=LABELS)
        assert doc["values"]["f1_micro"][name] == ref.metrics["f1_micro"]


def test_hard_prediction_files_have_no_ranking_metrics(files):
    doc = compare_json("--true", files["truth"], files["good"], files["poor"],
                       "--n-resamples", "300", "--seed", "0")
    assert "roc_auc_macro" not in doc["metrics"]
    assert doc["metrics"] == ["subset_accuracy", "hamming_loss", "f1_micro", "f1_macro",
                              "f1_samples"]


def test_metric_restricts_the_comparison(files):
    doc = compare_json("--true", files["truth"], files["good"], files["poor"],
                       "--metric", "f1_macro", "--metric", "hamming_loss",
                       "--n-resamples", R, "--seed", "0")
    assert doc["metrics"] == ["f1_macro", "hamming_loss"]
    assert set(doc["values"]) == set(doc["intervals"]) == {"f1_macro", "hamming_loss"}
    assert {c["metric"] for c in doc["comparisons"]} == {"f1_macro", "hamming_loss"}
    want = lib_compare({"good": GOOD, "poor": POOR}, metrics=["f1_macro", "hamming_loss"])
    assert doc == as_json(want)
    text = run("compare", "--true", files["truth"], files["good"], files["poor"],
               "--metric", "f1_macro", "--metric", "hamming_loss", "--n-resamples", R,
               "--seed", "0").stdout
    assert list(_table_rows(text)) == ["f1_macro", "hamming_loss"]


def test_unknown_metric_is_a_usage_error(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--metric", "f1_macr")
    assert_usage_error(result, "--metric 'f1_macr' is not a metric", "labelwise metrics")


def test_unknown_at_k_metric_is_an_error(files):
    result = run("compare", "--true", files["truth"], "--scores", files["s_good"],
                 files["s_poor"], "--metric", "nonsense_at_3", "--n-resamples", "100")
    assert_input_error(result, "unknown metric 'nonsense_at_3'", "labelwise metrics")


def test_a_score_metric_of_hard_predictions_is_an_error(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--metric", "roc_auc_macro", "--n-resamples", "100")
    assert_input_error(result, "roc_auc_macro", "scores")


def test_permutation_test(files):
    args = ("--true", files["truth"], files["good"], files["near"], files["poor"],
            "--test", "permutation", "--metric", "f1_micro", "--metric", "subset_accuracy",
            "--n-resamples", R, "--seed", "4")
    doc = compare_json(*args)
    assert doc["test"] == "permutation"
    want = lib_compare({"good": GOOD, "near": NEAR, "poor": POOR}, test="permutation",
                       metrics=["f1_micro", "subset_accuracy"], seed=4)
    assert doc == as_json(want)
    p = {(c["metric"], c["a"], c["b"]): c["pvalue"] for c in doc["comparisons"]}
    assert p[("f1_micro", "good", "poor")] < 0.01
    assert p[("f1_micro", "good", "near")] > 0.2
    text = run("compare", *args).stdout
    assert f"permutation test, {R} resamples, seed 4" in text


def test_permutation_refuses_sorted_score_metrics(files):
    result = run("compare", "--true", files["truth"], "--scores", files["s_good"],
                 files["s_poor"], "--test", "permutation", "--metric", "roc_auc_macro",
                 "--n-resamples", "100")
    assert_input_error(result, "permutation", "roc_auc_macro")


def _mcnemar_p(a, b) -> float:
    """McNemar's two-sided p-value of exact matches, computed here."""
    ea, eb = np.all(a == Y, axis=1), np.all(b == Y, axis=1)
    n01, n10 = int(np.sum(ea & ~eb)), int(np.sum(eb & ~ea))
    n = n01 + n10
    if n == 0:
        return 1.0
    if n < 25:
        return min(1.0, 2 * sps.binom.cdf(min(n01, n10), n, 0.5))
    return float(sps.chi2.sf(max(abs(n01 - n10) - 1, 0) ** 2 / n, 1))


def test_bonferroni_and_no_correction(files):
    args = ("--true", files["truth"], files["good"], files["near"], files["poor"],
            "--metric", "f1_micro", "--n-resamples", R, "--seed", "0")
    none = compare_json(*args, "--correction", "none")
    bonf = compare_json(*args, "--correction", "bonferroni")
    assert none["correction"] == "none" and bonf["correction"] == "bonferroni"
    for c0, cb in zip(none["comparisons"], bonf["comparisons"]):
        assert (c0["a"], c0["b"]) == (cb["a"], cb["b"])
        assert c0["pvalue"] == c0["pvalue_raw"] == cb["pvalue_raw"]
        assert cb["pvalue"] == pytest.approx(min(1.0, 3 * c0["pvalue_raw"]), rel=1e-12)
    assert bonf == as_json(lib_compare({"good": GOOD, "near": NEAR, "poor": POOR},
                                       metrics=["f1_micro"], correction="bonferroni"))


def test_permutation_on_score_files_with_the_default_metrics(files):
    # the default metrics leave out those the permutation test cannot take
    doc = compare_json("--true", files["truth"], "--scores", files["s_good"], files["s_poor"],
                       "--test", "permutation", "--n-resamples", "300", "--seed", "0")
    assert doc["test"] == "permutation"
    assert "f1_macro" in doc["metrics"] and "subset_accuracy" in doc["metrics"]
    assert "roc_auc_macro" not in doc["metrics"]
    assert "average_precision_macro" not in doc["metrics"]
    want = lib_compare({"good_scores": S_GOOD, "poor_scores": S_POOR}, test="permutation",
                       n_resamples=300)
    assert doc == as_json(want)


def test_mcnemar_test(files):
    doc = compare_json("--true", files["truth"], files["good"], files["poor"], files["near"],
                       "--test", "mcnemar", "--correction", "none", "--n-resamples", "300",
                       "--seed", "0")
    assert doc["test"] == "mcnemar" and doc["metrics"] == ["subset_accuracy"]
    arrays = {"good": GOOD, "poor": POOR, "near": NEAR}
    for c in doc["comparisons"]:
        assert c["pvalue"] == c["pvalue_raw"]
        assert c["pvalue"] == pytest.approx(_mcnemar_p(arrays[c["a"]], arrays[c["b"]]),
                                            rel=1e-12, abs=1e-15), (c["a"], c["b"])
    want = lib_compare(arrays, test="mcnemar", correction="none", n_resamples=300)
    assert doc == as_json(want)


def test_mcnemar_with_holm_correction(files):
    doc = compare_json("--true", files["truth"], files["good"], files["poor"], files["near"],
                       "--test", "mcnemar", "--n-resamples", "300", "--seed", "0")
    arrays = {"good": GOOD, "poor": POOR, "near": NEAR}
    raw = {(c["a"], c["b"]): _mcnemar_p(arrays[c["a"]], arrays[c["b"]])
           for c in doc["comparisons"]}
    # Holm by hand: sorted ascending, multiplied by (m - rank), running maximum, capped at 1
    keys = sorted(raw, key=raw.get)
    running, holm = 0.0, {}
    for rank, k in enumerate(keys):
        running = max(running, min(1.0, (len(keys) - rank) * raw[k]))
        holm[k] = running
    for c in doc["comparisons"]:
        assert c["pvalue"] == pytest.approx(holm[(c["a"], c["b"])], rel=1e-12, abs=1e-15)


def test_mcnemar_with_another_metric_is_an_error(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--test", "mcnemar", "--metric", "f1_micro", "--n-resamples", "100")
    assert_input_error(result, "mcnemar", "subset_accuracy")


def test_unknown_test_is_a_usage_error(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--test", "wilcoxon")
    assert_usage_error(result, "--test", "wilcoxon")


def test_ci_level_of_compare_is_checked(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--ci", "95", "--n-resamples", "100")
    assert_usage_error(result, "--ci must be", "between 0 and 1", "95")
    doc = compare_json("--true", files["truth"], files["good"], files["poor"], "--ci", "0.8",
                       "--n-resamples", R, "--seed", "0")
    assert doc["ci"] == 0.8
    assert doc == as_json(lib_compare({"good": GOOD, "poor": POOR}, ci=0.8))


# --------------------------------------------------------------------------
# labelwise compare --require-better
# --------------------------------------------------------------------------


def test_require_better_passes_for_a_clearly_better_model(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--n-resamples", R, "--seed", "0", "--require-better", "good")
    assert result.exit_code == 0, result.stderr
    assert "requirement failed" not in result.stderr
    assert "a: good" in result.stdout  # the table is still printed


def test_require_better_fails_for_the_worse_model(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--n-resamples", R, "--seed", "0", "--require-better", "poor")
    assert result.exit_code == 1, result.stderr
    err = result.stderr
    assert err.startswith("requirement failed: poor is significantly worse than ")
    assert "good on subset_accuracy (p = " in err and "good on f1_macro (p = " in err
    assert "a: good" in result.stdout


def test_require_better_fails_when_the_difference_is_noise(files):
    result = run("compare", "--true", files["truth"], files["good"], files["near"],
                 files["poor"], "--metric", "f1_micro", "--n-resamples", R, "--seed", "0",
                 "--require-better", "good")
    assert result.exit_code == 1, result.stderr
    err = result.stderr
    assert "requirement failed: good is not significantly better than near on f1_micro" in err
    assert "poor on" not in err  # good does beat poor
    m = re.search(r"near on f1_micro \(p = ([0-9.e-]+)\)", err)
    want = lib_compare({"good": GOOD, "near": NEAR, "poor": POOR}, metrics=["f1_micro"])
    assert float(m.group(1)) == pytest.approx(want.pvalue("f1_micro", "good", "near"),
                                              rel=1e-2)


def test_require_better_fails_on_a_higher_but_not_significant_value(files):
    good_sa = np.mean(np.all(GOOD == Y, axis=1))
    near_sa = np.mean(np.all(NEAR == Y, axis=1))
    assert good_sa > near_sa  # good is ahead, by one sample
    result = run("compare", "--true", files["truth"], files["good"], files["near"],
                 "--metric", "subset_accuracy", "--n-resamples", "300", "--seed", "0",
                 "--require-better", "good")
    assert result.exit_code == 1
    m = re.search(r"near on subset_accuracy \(p = ([0-9.e-]+)\)", result.stderr)
    assert m and float(m.group(1)) > 0.05, result.stderr


def test_alpha_sets_the_marks_and_the_gate(files):
    # with R resamples no p-value is below 1 / (R + 1), so alpha 0.001 marks nothing
    assert 1 / (R + 1) > 0.001
    args = ("--true", files["truth"], files["good"], files["poor"], "--n-resamples", R,
            "--seed", "0", "--alpha", "0.001")
    result = run("compare", *args, "--require-better", "good")
    assert result.exit_code == 1
    assert "requirement failed: good is not significantly better than poor" in result.stderr
    rows = _table_rows(result.stdout)
    assert all(c.endswith("]") for cells in rows.values() for c in cells), rows
    assert all(cells[0].startswith("*") for cells in rows.values())  # still the best
    assert "p < 0.001" in result.stdout
    doc = compare_json(*args)
    assert doc["alpha"] == 0.001
    assert not any(c["a_better"] or c["b_better"] for c in doc["comparisons"])


def test_require_better_names_a_model(files):
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--require-better", "best")
    assert_usage_error(result, "--require-better 'best' is not one of the models",
                       "good, poor")
    result = run("compare", "--true", files["truth"], files["good"], files["poor"],
                 "--name", "x", "--name", "y", "--require-better", "good")
    assert_usage_error(result, "'good' is not one of the models (x, y)")


# --------------------------------------------------------------------------
# labelwise compare: matching rows by id
# --------------------------------------------------------------------------


def test_id_column_with_shuffled_model_files_gives_the_same_result(files, tmp_path):
    base = ("--n-resamples", R, "--seed", "0", "--id-column", "id")
    plain = compare_json("--true", files["truth"], files["good"], files["poor"], *base)
    good = write_csv(tmp_path / "gs.csv", GOOD, rows=SHUFFLE_A)
    poor = write_csv(tmp_path / "ps.csv", POOR, rows=SHUFFLE_B)
    shuffled = compare_json("--true", files["truth"], good, poor, "--name", "good",
                            "--name", "poor", *base)
    assert shuffled == plain
    assert plain == as_json(lib_compare({"good": GOOD, "poor": POOR}))


def test_id_column_with_shuffled_score_files_gives_the_same_result(files, tmp_path):
    base = ("--scores", "--n-resamples", "500", "--seed", "2", "--id-column", "id")
    plain = compare_json("--true", files["truth"], files["s_good"], files["s_poor"], *base)
    good = write_csv(tmp_path / "g.csv", S_GOOD, rows=SHUFFLE_A)
    poor = write_csv(tmp_path / "p.csv", S_POOR, rows=SHUFFLE_B)
    shuffled = compare_json("--true", files["truth"], good, poor, "--name", "good_scores",
                            "--name", "poor_scores", *base)
    assert "roc_auc_macro" in shuffled["metrics"]
    assert shuffled == plain
    assert plain == as_json(lib_compare({"good_scores": S_GOOD, "poor_scores": S_POOR},
                                        n_resamples=500, seed=2))


def test_id_column_with_a_shuffled_truth_file_follows_the_truth_order(tmp_path):
    order = SHUFFLE_B
    truth = write_csv(tmp_path / "truth.csv", Y, rows=order)
    good = write_csv(tmp_path / "good.csv", GOOD, rows=SHUFFLE_A)
    poor = write_csv(tmp_path / "poor.csv", POOR)
    doc = compare_json("--true", truth, good, poor, "--id-column", "id", "--n-resamples", R,
                       "--seed", "0")
    want = labelwise.compare(Y[order], {"good": GOOD[order], "poor": POOR[order]},
                             labels=LABELS, n_resamples=R, seed=0)
    assert doc == as_json(want)


def test_id_column_with_weights(tmp_path):
    w = np.round(np.linspace(0.5, 2.0, N), 3)
    truth = write_csv(tmp_path / "truth.csv", Y, weights=w)
    (tmp_path / "shuffled").mkdir()
    args = ("--id-column", "id", "--weight-column", "w", "--n-resamples", R, "--seed", "0")
    plain = compare_json("--true", truth, write_csv(tmp_path / "good.csv", GOOD),
                         write_csv(tmp_path / "poor.csv", POOR), *args)
    want = as_json(lib_compare({"good": GOOD, "poor": POOR}, sample_weight=w))
    assert plain == want
    hl = np.sum(w[:, None] * (POOR != Y)) / (3 * np.sum(w))
    assert plain["values"]["hamming_loss"]["poor"] == pytest.approx(hl, abs=1e-14)
    shuffled = compare_json(
        "--true", truth, write_csv(tmp_path / "shuffled" / "good.csv", GOOD, rows=SHUFFLE_A),
        write_csv(tmp_path / "shuffled" / "poor.csv", POOR, rows=SHUFFLE_B), *args)
    # the resamples see the rows in the truth's order: the same intervals and p-values
    assert shuffled["intervals"] == plain["intervals"]
    assert [(c["pvalue"], c["pvalue_raw"], c["low"], c["high"])
            for c in shuffled["comparisons"]] == [
        (c["pvalue"], c["pvalue_raw"], c["low"], c["high"]) for c in plain["comparisons"]]
    # the weighted sums are added in each file's row order: equal up to rounding
    for metric, per in plain["values"].items():
        for model, value in per.items():
            assert shuffled["values"][metric][model] == pytest.approx(value, rel=1e-12,
                                                                      abs=1e-15)


def test_label_set_model_files(files, tmp_path):
    def sets_jsonl(path, matrix, rows):
        path.write_text("".join(json.dumps({"id": IDS[i], "tags": [n for n, v in
                                            zip(LABELS, matrix[i]) if v]}) + "\n"
                                for i in rows))
        return path

    good = sets_jsonl(tmp_path / "good.jsonl", GOOD, SHUFFLE_A)
    poor = sets_jsonl(tmp_path / "poor.jsonl", POOR, range(N))
    truth = sets_jsonl(tmp_path / "truth.jsonl", Y, range(N))
    doc = compare_json("--true", truth, good, poor, "--labels-column", "tags",
                       "--labels", ",".join(LABELS), "--id-column", "id",
                       "--n-resamples", R, "--seed", "0")
    assert doc == as_json(lib_compare({"good": GOOD, "poor": POOR}))


def test_model_files_with_different_ids_are_refused(files, tmp_path):
    ids = list(IDS)
    ids[4] = "extra"
    odd = write_csv(tmp_path / "odd.csv", POOR, ids=ids)
    result = run("compare", "--true", files["truth"], files["good"], odd, "--id-column", "id",
                 "--n-resamples", "100")
    assert_input_error(result, "'s04'", "'extra'", "odd.csv", "--allow-missing")


def test_allow_missing_needs_the_same_ids_in_every_model_file(files, tmp_path):
    keep_a = [i for i in range(N) if i != 4]
    keep_b = [i for i in range(N) if i != 9]
    a = write_csv(tmp_path / "a.csv", GOOD, rows=keep_a)
    b = write_csv(tmp_path / "b.csv", POOR, rows=keep_b)
    result = run("compare", "--true", files["truth"], a, b, "--id-column", "id",
                 "--allow-missing", "--n-resamples", "100")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    assert "labelwise: error: " in result.stderr
    assert "different truth ids" in result.stderr and "same ids" in result.stderr
    assert result.stdout == ""


def test_allow_missing_with_the_same_ids_compares_on_them(files, tmp_path):
    keep = [i for i in range(N) if i not in (4, 9)]
    a = write_csv(tmp_path / "a.csv", GOOD, rows=[i for i in SHUFFLE_A if i in keep])
    b = write_csv(tmp_path / "b.csv", POOR, rows=keep)
    result = run("compare", "--true", files["truth"], a, b, "--id-column", "id",
                 "--allow-missing", "--n-resamples", R, "--seed", "0", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "note: a: compared on the 58 matched rows" in result.stderr
    want = labelwise.compare(Y[keep], {"a": GOOD[keep], "b": POOR[keep]}, labels=LABELS,
                             n_resamples=R, seed=0)
    assert json.loads(result.stdout) == as_json(want)


def test_model_files_of_other_lengths_by_position_are_refused(files, tmp_path):
    short = write_csv(tmp_path / "short.csv", POOR[:-1], ids=IDS[:-1])
    result = run("compare", "--true", files["truth"], files["good"], short,
                 "--n-resamples", "100")
    assert_input_error(result)


# --------------------------------------------------------------------------
# labelwise compare: usage
# --------------------------------------------------------------------------


def test_one_model_file_is_a_usage_error(files):
    result = run("compare", "--true", files["truth"], files["good"])
    assert_usage_error(result, "at least two model files")


def test_no_model_file_is_a_usage_error(files):
    result = run("compare", "--true", files["truth"])
    assert_usage_error(result, "MODELS")


def test_a_missing_model_file_is_a_usage_error(files, tmp_path):
    result = run("compare", "--true", files["truth"], files["good"], tmp_path / "nope.csv")
    assert_usage_error(result, "nope.csv")


def test_a_missing_truth_file_is_an_error(files, tmp_path):
    result = run("compare", "--true", tmp_path / "nope.csv", files["good"], files["poor"],
                 "--n-resamples", "100")
    assert_input_error(result, "nope.csv")


def test_python_m_labelwise_compare_in_a_subprocess(files):
    proc = subprocess.run(
        [sys.executable, "-m", "labelwise", "compare", "--true", str(files["truth"]),
         str(files["good"]), str(files["poor"]), "--n-resamples", str(R), "--seed", "0",
         "--format", "json", "--require-better", "poor"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout) == as_json(lib_compare({"good": GOOD, "poor": POOR}))
    assert proc.stderr.startswith("requirement failed: poor is significantly worse than "
                                  "good on ")
    proc = subprocess.run(
        [sys.executable, "-m", "labelwise", "compare", "--true", str(files["truth"]),
         str(files["good"])], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "at least two model files" in proc.stderr and "Traceback" not in proc.stderr
