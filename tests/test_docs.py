"""The docs enumerate the same metrics as the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labelwise._validate import AVERAGES
from labelwise.registry import MARKDOWN_END, MARKDOWN_START, REGISTRY, lookup, markdown

ROOT = Path(__file__).resolve().parents[1]
METRICS_MD = ROOT / "docs" / "metrics.md"
REGENERATE = ("docs/metrics.md is out of step with labelwise.registry; "
              "write its tables again with: python docs/make_metrics_doc.py")


def _parts(text: str) -> tuple[str, str]:
    """(the generated tables, the hand-written prose around them)."""
    assert text.count(MARKDOWN_START) == 1 and text.count(MARKDOWN_END) == 1, (
        f"docs/metrics.md needs one line {MARKDOWN_START} and one line {MARKDOWN_END}")
    before, rest = text.split(MARKDOWN_START + "\n", 1)
    generated, after = rest.split(MARKDOWN_END, 1)
    return generated, before + after


def test_metrics_doc_tables_are_the_registry():
    generated, _ = _parts(METRICS_MD.read_text(encoding="utf-8"))
    listed = re.findall(r"^\| `([a-z0-9_]+)` \|", generated, flags=re.M)
    assert sorted(set(REGISTRY) - set(listed)) == [], f"missing from the tables. {REGENERATE}"
    assert sorted(set(listed) - set(REGISTRY)) == [], f"not in the registry. {REGENERATE}"
    assert len(listed) == len(set(listed)), f"listed twice. {REGENERATE}"
    assert generated == markdown(), REGENERATE


def test_metrics_doc_prose_names_only_registry_metrics_and_defines_every_family():
    _, prose = _parts(METRICS_MD.read_text(encoding="utf-8"))
    named = set(re.findall(r"`([a-z0-9_]+)`", prose))
    metric_like = {n for n in named
                   if n.endswith(tuple(f"_{a}" for a in AVERAGES)) or re.search(r"_at_\d+$", n)}
    assert sorted(n for n in metric_like if lookup(n) is None) == []
    families = {m.family for m in REGISTRY.values() if m.average is not None}
    assert families <= named, sorted(families - named)


def test_metrics_doc_generator_script_checks_the_page():
    import runpy

    script = runpy.run_path(str(ROOT / "docs" / "make_metrics_doc.py"))
    assert script["main"](["--check"]) == 0


def test_demo_prints_the_full_report_and_writes_the_html_one(capsys, tmp_path):
    from labelwise import demo

    demo.main(tmp_path / "demo.html")
    out = capsys.readouterr().out
    assert "labelwise report: 202 samples, 6 labels" in out
    assert "relaxing-calm" in out and "predicted when score > 0.5" in out
    assert "95% BCa intervals from 1000 bootstrap replicates, seed 0" in out
    page = (tmp_path / "demo.html").read_text()
    assert out.rstrip().endswith(f"HTML report: {(tmp_path / 'demo.html').resolve()}")
    assert page.startswith("<!DOCTYPE html>") and "Mulan emotions, test split" in page


def test_readme_quotes_real_demo_output(capsys):
    from labelwise import demo

    demo.main(None)
    out = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text()
    quoted = readme.split("Its output\nbegins:\n\n```\n")[1].split("```")[0]
    assert quoted.strip() in out


@pytest.mark.skipif(not (ROOT.parent / "shared" / "data" / "yeast").is_dir(),
                    reason="needs ../shared/data/yeast, the Mulan yeast data set beside the "
                           "repository, to train the two models; absent")
def test_metrics_doc_quotes_the_yeast_calibration_table_as_printed(capsys):
    import runpy

    script = runpy.run_path(str(ROOT / "examples" / "calibration_yeast.py"))
    script["main"]([str(ROOT.parent / "shared" / "data")])
    printed = capsys.readouterr().out.strip()
    assert printed.count("\n") == 3 and printed in METRICS_MD.read_text(encoding="utf-8")
