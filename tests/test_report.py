"""Report rendering."""

from __future__ import annotations

import pytest

import labelwise
from labelwise import REGISTRY
from labelwise.report import safe_label


def test_text_shows_every_metric_and_label(seed):
    text = str(labelwise.evaluate(seed.y_true, seed.y_pred, labels=seed.labels))
    assert text.startswith("labelwise report: 4 samples, 3 labels")
    for m in (m for m in REGISTRY.values() if not m.needs_scores):
        family = m.name.rsplit("_", 1)[0] if m.group != "example" else m.name
        assert family in text, m.name
    assert "0.7273" in text  # f1_micro = 8/11
    assert "hamming_loss (lower is better)  0.2500" in text
    lines = text.splitlines()
    per_label = lines[lines.index("Per label (by support)") + 1 :]
    per_label = per_label[: per_label.index("")] if "" in per_label else per_label
    assert per_label[0].split()[:6] == ["label", "support", "tp", "fp", "fn", "tn"]
    assert [line.split()[0] for line in per_label[1:]] == ["A", "B", "C"]


def test_per_label_sorted_by_support():
    text = str(labelwise.evaluate([[1, 1], [0, 1]], [[1, 1], [0, 1]], labels=["rare", "common"]))
    body = text.split("Per label (by support)\n")[1].split("\n\n")[0].splitlines()[1:]
    assert [line.split()[0] for line in body] == ["common", "rare"]


def test_label_names_are_escaped_in_text():
    report = labelwise.evaluate([["a\nb"], ["c\x1b[31m"]], [["a\nb"], []])
    text = str(report)
    assert "a\\nb" in text and "\x1b" not in text
    assert "\n" not in safe_label("x\ny\r")


def test_repr_is_short(seed):
    assert repr(labelwise.evaluate(seed.y_true, seed.y_pred)) == (
        "<Report: 4 samples, 3 labels, 35 metrics>"
    )


def test_text_shows_score_sections_and_undefined_labels():
    y_true = [[1, 0, 0], [0, 1, 0], [1, 1, 0]]
    scores = [[0.9, 0.2, 0.1], [0.3, 0.8, 0.4], [0.6, 0.7, 0.2]]
    report = labelwise.evaluate(y_true, y_score=scores, labels=["a", "b", "never"])
    text = str(report)
    for heading in ("Ranking (from scores)", "Score-based", "At k"):
        assert heading in text
    assert "roc_auc" in text and "precision" in text and "@3" in text
    assert report.undefined == {"roc_auc": ["never"]}
    assert "note: roc_auc is undefined for 1 label(s) whose truth is constant (never)" in text
    from labelwise.report import render_markdown

    md = render_markdown(report)
    assert "| roc_auc |" in md and "**Per label (by support)**" in md and "never" in md
    assert report.to_dict()["undefined"] == {"roc_auc": ["never"]}


def test_markdown_escapes_label_names():
    from labelwise.report import render_markdown

    md = render_markdown(labelwise.evaluate([["a|b"], ["<x>"]], [["a|b"], []]))
    assert "a\\|b" in md and "&lt;x&gt;" in md and "<x>" not in md


def test_reports_are_frozen_and_render_through_their_methods():
    import dataclasses
    import json

    report = labelwise.evaluate([[1, 0], [0, 1]], [[1, 0], [1, 1]], labels=["a", "b"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.findings = ()
    assert isinstance(report.findings, tuple)
    assert report.to_text() == str(report)
    assert report.to_markdown().startswith("**labelwise report**: 2 samples, 2 labels")
    doc = json.loads(report.to_json(inputs={"kind": "labels"}))
    assert doc["metrics"]["f1_micro"] == report["f1_micro"] and doc["inputs"] == {"kind": "labels"}
    from rich.console import Console

    console = Console(record=True, width=200)
    report.to_rich(console)
    assert "labelwise report: 2 samples, 2 labels" in console.export_text()
    extra = labelwise.Finding("x_code", "info", "message", "suggestion")
    more = report.with_findings(extra)
    assert more.findings == report.findings + (extra,) and report.findings != more.findings
