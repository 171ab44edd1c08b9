"""labelwise evaluate --format html."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def _files(tmp_path, scores: bool):
    rng = np.random.default_rng(4)
    y = rng.random((300, 3)) < 0.4
    s = np.clip(y * 0.35 + rng.random((300, 3)) * 0.65, 0, 1).round(4)
    cols = ["<i>a</i>", "b", "c"]
    pd.DataFrame(y.astype(int), columns=cols).to_csv(tmp_path / "truth.csv", index=False)
    out = pd.DataFrame(s if scores else (s > 0.5).astype(int), columns=cols)
    out.to_csv(tmp_path / "out.csv", index=False)
    return str(tmp_path / "truth.csv"), str(tmp_path / "out.csv")


def test_evaluate_format_html_writes_the_page_with_the_input_files(tmp_path):
    truth, scores = _files(tmp_path, scores=True)
    page_path = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["evaluate", "--true", truth, "--scores", scores,
                                       "--format", "html", "--output", str(page_path)])
    assert result.exit_code == 0, result.output
    page = page_path.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert truth in page and scores in page  # the input files, in the header
    assert "<i>a</i>" not in page and "&lt;i&gt;a&lt;/i&gt;" in page
    figures = set(re.findall(r'<figure[^>]* id="(plot-[a-z-]+)"', page))
    assert len(figures) >= 5, figures


def test_evaluate_format_html_of_hard_labels_has_fewer_figures(tmp_path):
    truth, pred = _files(tmp_path, scores=False)
    result = CliRunner().invoke(main, ["evaluate", "--true", truth, "--pred", pred,
                                       "--format", "html"])
    assert result.exit_code == 0, result.output
    figures = set(re.findall(r'<figure[^>]* id="(plot-[a-z-]+)"', result.stdout))
    assert 1 <= len(figures) < 5, figures
