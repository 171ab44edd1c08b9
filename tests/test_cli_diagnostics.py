"""The command line's findings, bands, training-data and leakage options."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main

LABELS = ["calm", "happy", "sad"]


def _write(path, header, rows):
    path.write_text(",".join(header) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return str(path)


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    y = (rng.random((300, 3)) < 0.4).astype(int)
    p_good = y.copy()
    p_bad = np.where(rng.random(y.shape) < 0.35, 1 - y, y)
    prob = np.clip(np.where(y == 1, 0.75, 0.25) + rng.normal(0, 0.1, y.shape), 0.01, 0.99)
    logit = np.log(prob) - np.log1p(-prob)
    ids = [[f"s{i}"] for i in range(len(y))]
    h = ["id", *LABELS]
    return {
        "truth": _write(tmp_path / "truth.csv", h, [i + list(r) for i, r in zip(ids, y)]),
        "good": _write(tmp_path / "good.csv", h, [i + list(r) for i, r in zip(ids, p_good)]),
        "bad": _write(tmp_path / "bad.csv", h, [i + list(r) for i, r in zip(ids, p_bad)]),
        "prob": _write(tmp_path / "prob.csv", h,
                       [i + [f"{v:.6f}" for v in r] for i, r in zip(ids, prob)]),
        "logit": _write(tmp_path / "logit.csv", h,
                        [i + [f"{v:.6f}" for v in r] for i, r in zip(ids, logit)]),
        "dir": tmp_path,
    }


def run(*args):
    return CliRunner().invoke(main, list(args))


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_scores_are_logits_matches_probabilities_and_silences_the_finding(files):
    prob = _json(run("evaluate", "--true", files["truth"], "--scores", files["prob"],
                     "--format", "json"))
    logit = _json(run("evaluate", "--true", files["truth"], "--scores", files["logit"],
                      "--scores-are-logits", "--format", "json"))
    for name in ("f1_micro", "recall_macro", "subset_accuracy"):
        assert logit["metrics"][name] == pytest.approx(prob["metrics"][name], abs=1e-9)
    assert "logits_not_probabilities" not in [f["code"] for f in logit["findings"]]
    raw = _json(run("evaluate", "--true", files["truth"], "--scores", files["logit"],
                    "--format", "json"))
    found = {f["code"]: f for f in raw["findings"]}
    assert "--scores-are-logits" in found["logits_not_probabilities"]["suggestion"]


def test_scores_are_logits_needs_scores(files):
    result = run("evaluate", "--true", files["truth"], "--pred", files["good"],
                 "--scores-are-logits")
    assert result.exit_code == 2 and "--scores-are-logits needs --scores" in result.output


def test_bands_file_changes_the_reading(files):
    bands = files["dir"] / "bands.json"
    default = _json(run("evaluate", "--true", files["truth"], "--pred", files["bad"],
                        "--format", "json"))
    assert default["interpretation"]["f1_micro"] == "fair"
    bands.write_text(json.dumps({"f1_*": [0.5, 0.3]}))
    relaxed = _json(run("evaluate", "--true", files["truth"], "--pred", files["bad"],
                        "--bands", str(bands), "--format", "json"))
    assert relaxed["interpretation"]["f1_micro"] == "good"
    assert relaxed["interpretation"]["hamming_loss"] == default["interpretation"]["hamming_loss"]


def test_bad_bands_file_is_exit_2(files):
    bands = files["dir"] / "bands.json"
    bands.write_text(json.dumps({"nonsense_metric": [0.8, 0.5]}))
    result = run("evaluate", "--true", files["truth"], "--pred", files["bad"], "--bands",
                 str(bands))
    assert result.exit_code == 2 and "matches no metric" in result.output
    bands.write_text("{not json")
    result = run("evaluate", "--true", files["truth"], "--pred", files["bad"], "--bands",
                 str(bands))
    assert result.exit_code == 2 and "not a readable JSON file" in result.output


def test_training_results_reveal_overfitting(files):
    result = _json(run("evaluate", "--true", files["truth"], "--pred", files["bad"],
                       "--train-true", files["truth"], "--train-pred", files["good"],
                       "--format", "json"))
    found = {f["code"]: f for f in result["findings"]}
    assert found["overfitting"]["severity"] in ("warning", "critical")
    assert "f1_micro 1.000 on train" in found["overfitting"]["message"]
    assert result["inputs"]["train"]["predictions"] == files["good"]
    same = _json(run("evaluate", "--true", files["truth"], "--pred", files["bad"],
                     "--train-true", files["truth"], "--train-pred", files["bad"],
                     "--format", "json"))
    assert "overfitting" not in [f["code"] for f in same["findings"]]


def test_training_options_usage(files):
    result = run("evaluate", "--true", files["truth"], "--pred", files["bad"], "--train-pred",
                 files["good"])
    assert result.exit_code == 2 and "need --train-true" in result.output
    result = run("evaluate", "--true", files["truth"], "--pred", files["bad"], "--train-true",
                 files["truth"])
    assert result.exit_code == 2 and "exactly one of --train-pred and --train-scores" in result.output


def test_findings_appear_in_the_table_output(files):
    result = run("evaluate", "--true", files["truth"], "--scores", files["logit"])
    assert result.exit_code == 0
    assert "Findings" in result.output and "logits_not_probabilities" in result.output
    assert "what to do:" in result.output


def test_leakage_found_none_and_json(tmp_path):
    train = _write(tmp_path / "train.csv", ["id", "text", "tags"],
                   [[1, "A cat sat", "a"], [2, "the dog", "b"], [3, "Birds fly", "a"]])
    test = _write(tmp_path / "test.csv", ["id", "text", "tags"],
                  [[7, "a  CAT sat ", "a"], [8, "fish swim", "b"]])
    clean = _write(tmp_path / "clean.csv", ["id", "text", "tags"], [[9, "new text", "a"]])
    found = run("leakage", "--train", train, "--test", test, "--key-column", "text")
    assert found.exit_code == 1
    assert "1 of 2 test rows (50.0%) also appear in the training data" in found.output
    assert "'a CAT sat'" in found.output and "what to do:" in found.output
    none = run("leakage", "--train", train, "--test", clean, "--id-column", "id",
               "--labels-column", "tags")
    assert none.exit_code == 0 and "no leakage" in none.output
    as_json = run("leakage", "--train", train, "--test", test, "--id-column", "id",
                  "--labels-column", "tags", "--format", "json")
    data = json.loads(as_json.output)
    assert as_json.exit_code == 1 and data["finding"]["evidence"]["n_leaked"] == 1
    assert (data["train_rows"], data["test_rows"]) == (3, 2)


def test_leakage_on_feature_matrices(tmp_path):
    train = np.arange(12, dtype=float).reshape(4, 3)
    test = np.vstack([train[2], [100.0, 101.0, 102.0]])
    np.save(tmp_path / "train.npy", train)
    np.save(tmp_path / "test.npy", test)
    result = run("leakage", "--train", str(tmp_path / "train.npy"), "--test",
                 str(tmp_path / "test.npy"))
    assert result.exit_code == 1 and "1 of 2 test rows" in result.output


def test_leakage_bad_key_column_is_exit_2(tmp_path):
    train = _write(tmp_path / "train.csv", ["id", "text"], [[1, "a"]])
    result = run("leakage", "--train", train, "--test", train, "--key-column", "txt")
    assert result.exit_code == 2
    assert "no key column ['txt']" in result.output and "--key-column" in result.output
