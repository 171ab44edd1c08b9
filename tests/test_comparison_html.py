"""Comparison.to_html() and labelwise compare --format html."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
from click.testing import CliRunner

import labelwise
from labelwise.cli import main


def _models():
    rng = np.random.default_rng(0)
    y = rng.random((400, 4)) < 0.3
    good = np.where(rng.random((400, 4)) < 0.92, y, ~y)
    poor = np.where(rng.random((400, 4)) < 0.7, y, ~y)
    return y, {"good": good, "<b>poor</b> & 'x'": poor}


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.scripts = [], 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


def test_comparison_html_marks_the_best_and_escapes_names():
    y, models = _models()
    cmp = labelwise.compare(y, models, n_resamples=500, seed=0)
    page = cmp.to_html()
    assert "<b>poor</b>" not in page and "&lt;b&gt;poor&lt;/b&gt; &amp; &#39;x&#39;" in page
    row = re.search(r"<tr><td>f1_micro</td>(.*?)</tr>", page).group(1)
    cells = re.findall(r"<td class=\"(.*?)\">(.*?)</td>", row)
    assert cells[0][0] == "lw-best" and cells[0][1].endswith("<sup>b</sup>")
    assert cells[1][0] == "" and "<sup>" not in cells[1][1]
    d, lo, hi = cmp.difference("f1_micro", "good", "<b>poor</b> & 'x'")
    assert f"<td>{d:+.4f}</td><td>[{lo:+.4f}, {hi:+.4f}]</td>" in page
    refs = _Refs()
    refs.feed(page)
    assert refs.scripts == 1  # the per-label table's sorting, nothing else
    assert not [r for r in refs.refs if re.match(r"\s*(https?:)?//", r)]


def test_compare_format_html_writes_the_page(tmp_path):
    y, models = _models()
    cols = ["l0", "l1", "l2", "l3"]
    import pandas as pd

    pd.DataFrame(y.astype(int), columns=cols).to_csv(tmp_path / "truth.csv", index=False)
    for name, pred in (("good", models["good"]), ("poor", models["<b>poor</b> & 'x'"])):
        pd.DataFrame(pred.astype(int), columns=cols).to_csv(tmp_path / f"{name}.csv",
                                                            index=False)
    out = tmp_path / "cmp.html"
    result = CliRunner().invoke(main, ["compare", "--true", str(tmp_path / "truth.csv"),
                                       str(tmp_path / "good.csv"), str(tmp_path / "poor.csv"),
                                       "--n-resamples", "300", "--seed", "1", "--format",
                                       "html", "--output", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "a: good" in page and "b: poor" in page
    assert "paired bootstrap test, 300 resamples, seed 1" in page
