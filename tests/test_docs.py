"""The docs enumerate the same metrics as the registry."""

from __future__ import annotations

import re
from pathlib import Path

import labelwise

ROOT = Path(__file__).resolve().parents[1]


def test_metrics_doc_lists_exactly_the_registry():
    text = (ROOT / "docs" / "metrics.md").read_text()
    named = set(re.findall(r"`([a-z0-9_]+)`", text))
    registry = set(labelwise.REGISTRY)
    assert registry <= named, sorted(registry - named)
    families = {n.rsplit("_", 1)[0] for n in registry if n.endswith("_micro")}
    documented = {n for n in named if n + "_micro" in registry}
    assert documented == families


def test_demo_prints_the_full_report(capsys):
    from labelwise import demo

    demo.main()
    out = capsys.readouterr().out
    assert "labelwise report: 202 samples, 6 labels" in out
    assert "relaxing-calm" in out and "predicted when score > 0.5" in out


def test_readme_quotes_real_demo_output(capsys):
    from labelwise import demo

    demo.main()
    out = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text()
    quoted = readme.split("Its output\nbegins:\n\n```\n")[1].split("```")[0]
    assert quoted.strip() in out
