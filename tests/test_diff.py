"""``labelwise diff``: two saved JSON reports, metric by metric."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import inspect

import numpy as np
import pytest
from click.testing import CliRunner

import labelwise
from labelwise.cli import main
from labelwise.registry import lookup


@pytest.fixture(scope="module")
def models():
    rng = np.random.default_rng(7)
    y = (rng.random((300, 5)) < 0.3).astype(int)
    a = np.clip(y * 0.35 + rng.random((300, 5)) * 0.65, 0, 1)
    b = np.clip(y * 0.25 + rng.random((300, 5)) * 0.75, 0, 1)
    return y, a, b


def _save(tmp_path, name, report) -> str:
    path = tmp_path / name
    path.write_text(report.to_json())
    return str(path)


def _write(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


_KW = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}


def run(*args):
    """The command's result: ``.stdout`` and ``.stderr`` apart, ``.output`` both."""
    return CliRunner(**_KW).invoke(main, ["diff", *map(str, args)])


def test_json_gives_every_change_with_the_registrys_direction(tmp_path, models):
    y, a, b = models
    ra, rb = labelwise.evaluate(y, y_score=a), labelwise.evaluate(y, y_score=b)
    result = run(_save(tmp_path, "a.json", ra), _save(tmp_path, "b.json", rb), "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    rows = {r["metric"]: r for r in out["changes"]}
    assert list(rows) == list(ra.metrics)
    for name, r in rows.items():
        assert r["old"] == ra[name] and r["new"] == rb[name]
        assert r["change"] == rb[name] - ra[name]
        higher = lookup(name).higher_is_better
        if r["change"] == 0:
            assert r["verdict"] == "same"
        else:
            assert r["verdict"] == ("better" if (r["change"] > 0) == higher else "worse")
        assert r["regression"] == (abs(r["change"]) if r["verdict"] == "worse" else 0)
        assert r["outside_ci"] is None
    # a weaker model: its F1 fell and its Hamming loss rose, both worse
    assert rows["f1_macro"]["verdict"] == rows["hamming_loss"]["verdict"] == "worse"
    assert rows["hamming_loss"]["change"] > 0


def test_fail_on_regression_exits_1_beyond_the_margin_only(tmp_path, models):
    y, a, b = models
    old = _save(tmp_path, "a.json", labelwise.evaluate(y, y_score=a))
    new = _save(tmp_path, "b.json", labelwise.evaluate(y, y_score=b))
    rows = json.loads(run(old, new, "--format", "json").stdout)["changes"]
    worst = max(r["regression"] for r in rows)
    failing = run(old, new, "--fail-on-regression", worst / 2)
    assert failing.exit_code == 1
    named = [r["metric"] for r in rows if r["regression"] > worst / 2]
    for name in named:
        assert f"regression: {name} = " in failing.output
    assert f"more than {worst / 2:g}" in failing.output
    assert run(old, new, "--fail-on-regression", worst * 1.01).exit_code == 0
    # the other way round, the regressions are improvements, which never fail
    assert run(new, old, "--fail-on-regression", 0, *sum((["--metric", m] for m in named), [])
               ).exit_code == 0


def test_intervals_say_whether_they_lie_apart(tmp_path):
    old = {"metrics": {"f1_macro": 0.50, "hamming_loss": 0.20, "f1_micro": 0.6},
           "ci": {"f1_macro": [0.45, 0.55], "hamming_loss": [0.18, 0.22]}}
    new = {"metrics": {"f1_macro": 0.40, "hamming_loss": 0.19, "f1_micro": 0.7},
           "ci": {"f1_macro": [0.35, 0.44], "hamming_loss": [0.17, 0.21], "f1_micro": [0.6, 0.8]}}
    result = run(_write(tmp_path, "o.json", old), _write(tmp_path, "n.json", new),
                 "--format", "json")
    rows = {r["metric"]: r for r in json.loads(result.stdout)["changes"]}
    for name, r in rows.items():
        if name in old["ci"] and name in new["ci"]:
            (lo1, hi1), (lo2, hi2) = old["ci"][name], new["ci"][name]
            assert r["outside_ci"] == (hi1 < lo2 or hi2 < lo1)
            assert r["old_ci"] == old["ci"][name] and r["new_ci"] == new["ci"][name]
        else:
            assert r["outside_ci"] is None
    assert rows["f1_macro"]["outside_ci"] is True and rows["hamming_loss"]["outside_ci"] is False
    text = run(_write(tmp_path, "o.json", old), _write(tmp_path, "n.json", new)).output
    header, *lines = text.splitlines()
    assert header.split() == ["metric", "old", "new", "change", "verdict", "intervals"]
    assert lines[0].split()[-2:] == ["worse", "apart"]
    assert lines[1].split()[-2:] == ["better", "overlap"]
    assert lines[2].split()[-2:] == ["better", "-"]


def test_real_intervals_from_evaluate(tmp_path, models):
    y, a, b = models
    kw = dict(ci=0.95, seed=0, n_bootstrap=200)
    ra, rb = labelwise.evaluate(y, y_score=a, **kw), labelwise.evaluate(y, y_score=b, **kw)
    result = run(_save(tmp_path, "a.json", ra), _save(tmp_path, "b.json", rb), "--format", "json")
    for r in json.loads(result.stdout)["changes"]:
        if r["metric"] not in ra.ci:  # the calibration metrics have no interval yet
            assert r["outside_ci"] is None
            continue
        (lo1, hi1), (lo2, hi2) = ra.ci[r["metric"]], rb.ci[r["metric"]]
        assert r["outside_ci"] == (hi1 < lo2 or hi2 < lo1)


def test_text_and_markdown_tables(tmp_path, models):
    y, a, b = models
    old = _save(tmp_path, "a.json", labelwise.evaluate(y, y_score=a))
    new = _save(tmp_path, "b.json", labelwise.evaluate(y, y_score=b))
    text = run(old, new, "--metric", "f1_macro", "--metric", "roc_auc_macro").output
    lines = text.splitlines()
    assert lines[0].split() == ["metric", "old", "new", "change", "verdict"]
    assert [ln.split()[0] for ln in lines[1:]] == ["f1_macro", "roc_auc_macro"]
    md = run(old, new, "--format", "markdown", "--metric", "f1_macro").output.splitlines()
    assert md[0] == "| metric | old | new | change | verdict |"
    assert md[1] == "|---|---:|---:|---:|---|"
    assert md[2].startswith("| f1_macro | ") and md[2].endswith(" | worse |")
    # unchanged metrics are counted, and listed with --all
    same = run(old, old)
    assert same.exit_code == 0
    n = len(labelwise.evaluate(y, y_score=a).metrics)
    assert same.output.strip() == f"{n} metric(s) unchanged (--all lists them)."
    assert len(run(old, old, "--all").output.splitlines()) == n + 1


def test_metrics_in_one_report_only_and_notes_about_the_data(tmp_path, models):
    y, a, _ = models
    scores = _save(tmp_path, "s.json", labelwise.evaluate(y, y_score=a))
    labels = _save(tmp_path, "l.json", labelwise.evaluate(y[:200], (a[:200] > 0.5).astype(int)))
    out = json.loads(run(scores, labels, "--format", "json").stdout)
    verdicts = {r["metric"]: r["verdict"] for r in out["changes"]}
    assert verdicts["roc_auc_macro"] == "removed" and verdicts["f1_macro"] != "removed"
    back = {r["metric"]: r["verdict"] for r in
            json.loads(run(labels, scores, "--format", "json").stdout)["changes"]}
    assert back["roc_auc_macro"] == "added"
    assert out["notes"] == ["the reports cover different samples: 300 and 200; a change may "
                            "come from the data, not the model."]
    assert "note: the reports cover different samples" in run(scores, labels).stderr


def test_undefined_values_and_names_outside_the_registry(tmp_path):
    old = _write(tmp_path, "o.json", {"metrics": {"mcc_macro": None, "my_score": 0.5}})
    new = _write(tmp_path, "n.json", {"metrics": {"mcc_macro": 0.3, "my_score": 0.4}})
    rows = {r["metric"]: r for r in json.loads(run(old, new, "--format", "json").stdout)["changes"]}
    assert rows["mcc_macro"]["verdict"] == "undefined" and rows["mcc_macro"]["old"] is None
    assert rows["my_score"]["verdict"] == "changed" and rows["my_score"]["direction"] is None
    assert run(old, new, "--fail-on-regression", 0).exit_code == 0
    assert math.isclose(rows["my_score"]["change"], -0.1)


@pytest.mark.parametrize("content,message", [
    ("{not json", "is not JSON (Expecting property name enclosed in double quotes at line 1, "
                  "column 2); give a report written by labelwise evaluate --format json"),
    ("[1, 2]", "is not a labelwise report: expected an object with \"metrics\": {name: value}, "
               "found a JSON list. Write one with labelwise evaluate --format json"),
    ('{"n_samples": 3}', "found an object with keys n_samples"),
    ('{"metrics": {"f1_macro": "high"}}', "metrics.f1_macro is 'high'; a report's metric values "
                                          "are numbers (null where undefined)."),
    ('{"metrics": {"f1_macro": 0.5}, "ci": {"f1_macro": [0.4]}}',
     "ci.f1_macro is [0.4]; an interval is [low, high]."),
])
def test_bad_reports_say_what_to_do(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    good = _write(tmp_path, "good.json", {"metrics": {"f1_macro": 0.5}})
    result = run(good, bad)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"labelwise: error: {bad}")
    assert message in result.output


def test_binary_file_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe\x00")
    good = _write(tmp_path, "good.json", {"metrics": {"f1_macro": 0.5}})
    result = run(good, bad)
    assert result.exit_code == 2 and "is not a text file; give a JSON report" in result.output


def test_bad_options_say_what_to_do(tmp_path):
    good = _write(tmp_path, "good.json", {"metrics": {"f1_macro": 0.5, "f1_micro": 0.6}})
    result = run(good, good, "--metric", "f1_makro")
    assert result.exit_code == 2
    assert "--metric f1_makro: neither report has it; they have f1_macro, f1_micro." in \
        result.output
    result = run(good, good, "--fail-on-regression", -0.1)
    assert result.exit_code == 2
    assert "--fail-on-regression -0.1: give a margin of 0 or more" in result.output
    assert run(good, tmp_path / "missing.json").exit_code == 2


def test_through_a_real_subprocess(tmp_path, models):
    y, a, b = models
    old = _save(tmp_path, "a.json", labelwise.evaluate(y, y_score=a))
    new = _save(tmp_path, "b.json", labelwise.evaluate(y, y_score=b))
    proc = subprocess.run([sys.executable, "-m", "labelwise", "diff", old, new, "--metric",
                           "f1_macro", "--fail-on-regression", "0"], capture_output=True,
                          text=True)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[1].startswith("f1_macro")
    assert proc.stderr.startswith("regression: f1_macro = ")
