"""The HTML report: escaping, self-containment, figures, size, save() and notebooks."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

import labelwise
from labelwise import InputError
from labelwise.diagnose.findings import Finding

NASTY = "<script>alert(1)</script>"
QUOTES = "say \"hi\" it's"
ALL_PLOTS = {"plot-f1-support", "plot-pr", "plot-threshold", "plot-mlcm", "plot-cardinality",
             "plot-reliability"}
HARD_PLOTS = {"plot-f1-support", "plot-cardinality"}


def _data(n=80, L=6, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.random((n, L)) < np.linspace(0.15, 0.6, L)
    s = np.clip(0.35 * y + 0.65 * rng.random((n, L)), 0, 1)
    return y, s


LABELS = [NASTY, QUOTES, "calm", "joy", "sad", "tense"]


@pytest.fixture(scope="module")
def scored():
    y, s = _data()
    return labelwise.evaluate(y, y_score=s, labels=LABELS)


@pytest.fixture(scope="module")
def hard():
    y, s = _data()
    return labelwise.evaluate(y, s > 0.5, labels=LABELS)


@pytest.fixture(scope="module")
def page(scored):
    """The scored report's page, rendered once."""
    return scored.to_html()


class Page(HTMLParser):
    """Collects tags with their (unescaped) attributes, and the figures' ids."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def attrs(self, tag=None, name=None):
        return [a[name] if name else a for t, a in self.tags
                if (tag is None or t == tag) and (name is None or name in a)]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def figure_ids(html: str) -> set:
    return set(parse(html).attrs("figure", "id"))


# --------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["scored", "hard"])
def test_a_label_with_markup_is_shown_as_text(which, request):
    report = request.getfixturevalue(which)
    html = report.to_html(title=NASTY, inputs={"truth": NASTY + ".csv",
                                               "predictions": "p.csv"})
    assert NASTY not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the page's own sorting script is its only script element, figures included
    assert html.count("<script") == 1
    assert "<script" not in "".join(re.findall(r"<svg.*?</svg>", html, re.S))
    page = parse(html)
    assert NASTY in "".join(page.text)  # as text, once unescaped
    assert NASTY + ".csv" in "".join(page.text)


def test_label_names_in_attributes_are_escaped(page):
    html = page
    assert 'data-label="say \\"hi' not in html and "data-label=\"say \"hi\"" not in html
    assert "say &#34;hi&#34; it&#39;s" in html
    labels = parse(html).attrs("tr", "data-label")
    assert QUOTES in labels and NASTY in labels


def test_figures_escape_the_label_names_they_draw():
    from labelwise import plots

    svg = plots.mlcm_heatmap(np.eye(len(LABELS) + 1), LABELS).svg
    assert "&lt;script&gt;alert(1" in svg  # a tick label (names are cut at 18 characters)
    assert "<script" not in svg
    svg = plots.pr_curves(*_nasty_best()).svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg  # in the legend
    assert "<script" not in svg


def _nasty_best():
    """A score source whose best label by F1 is the one named like markup."""
    from labelwise.report import ScoreSource
    import scipy.sparse as sp

    y, s = _data()
    s[:, 0] = 0.2 + 0.6 * y[:, 0]
    source = ScoreSource(sp.csr_matrix(y), s, None, 0.5, False)
    f1 = np.r_[1.0, np.full(len(LABELS) - 1, 0.4)]
    f1[1] = 0.1
    return source, LABELS, f1


# --------------------------------------------------------------------------
# Self-containment
# --------------------------------------------------------------------------


def test_the_page_references_nothing_outside_itself(scored):
    html = scored.to_html(inputs={"truth": "https://example.org/t.csv", "predictions": "p"})
    page = parse(html)
    refs = page.attrs(name="src") + page.attrs(name="href") + page.attrs(name="xlink:href")
    assert refs, "the page has in-page links"
    for ref in refs:
        assert not re.match(r"\s*(https?:)?//", ref, re.I), ref
    assert all(ref.startswith("#") for ref in refs), [r for r in refs if r[:1] != "#"][:3]
    assert not page.attrs("link") and not page.attrs("img") and not page.attrs("iframe")
    assert "@import" not in html and "url(http" not in html
    assert "@font-face" not in html


def test_svg_ids_are_unique_across_figures(page):
    ids = parse(page).attrs(name="id")
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------


def test_every_figure_with_scores(page):
    html = page
    assert figure_ids(html) == ALL_PLOTS
    for fid in ALL_PLOTS:
        block = html.split(f'<figure id="{fid}"', 1)[1].split("</figure>", 1)[0]
        assert "<svg" in block, fid


def test_hard_labels_give_the_figures_that_need_no_scores(hard):
    assert figure_ids(hard.to_html()) == HARD_PLOTS


def test_scores_outside_0_1_have_no_reliability_diagram():
    y, s = _data()
    report = labelwise.evaluate(y, y_score=4 * s - 2, threshold=0.0)
    assert figure_ids(report.to_html()) == ALL_PLOTS - {"plot-reliability"}


def test_the_matrix_needs_no_metrics_module_function(scored, monkeypatch):
    # counted from the report's scores by the page itself, as a sparse matrix
    monkeypatch.delattr(labelwise.metrics, "mlcm", raising=False)
    assert figure_ids(scored.to_html()) == ALL_PLOTS


def test_many_labels_give_a_table_of_confused_pairs():
    y, s = _data(n=60, L=45, seed=3)
    html = labelwise.evaluate(y, y_score=s).to_html()
    block = html.split('<figure id="plot-mlcm"', 1)[1].split("</figure>", 1)[0]
    assert "<svg" not in block and 'class="lw-pairs"' in block
    assert block.count("<tr>") >= 2


def test_header_summarises_the_data(scored):
    html = scored.to_html(inputs={"truth": "truth.csv", "predictions": "scores.csv"})
    text = " ".join(" ".join(parse(html).text).split())
    c = scored.counts
    cardinality = (c.row_true * c.row_weight).sum() / c.total_weight
    assert "samples 80" in text and "labels 6" in text
    assert f"label cardinality {cardinality:.4f}" in text
    assert f"label density {cardinality / 6:.4f}" in text
    assert "truth.csv" in text and "scores.csv" in text


def test_cards_show_every_headline_metric_with_its_reading(scored, page):
    cards = [a for t, a in parse(page).tags if t == "li" and "data-metric" in a]
    names = [a["data-metric"] for a in cards]
    assert names == ["subset_accuracy", "hamming_loss", "f1_micro", "f1_macro", "f1_samples",
                     "roc_auc_macro", "average_precision_macro",
                     "label_ranking_average_precision", "precision_at_1"]
    for a in cards:
        assert scored.interpretation[a["data-metric"]] in a["class"].split()
    assert 'class="lw-ci"' not in page


def test_hard_label_cards_leave_out_the_score_metrics(hard):
    names = parse(hard.to_html()).attrs("li", "data-metric")
    assert names == ["subset_accuracy", "hamming_loss", "f1_micro", "f1_macro", "f1_samples"]


def test_cards_show_intervals_when_they_were_computed():
    y, s = _data()
    report = labelwise.evaluate(y, y_score=s, ci=0.95, seed=0)
    html = report.to_html()
    lo, hi = report.ci["f1_micro"]
    card = html.split('data-metric="f1_micro"', 1)[1].split("</li>", 1)[0]
    assert f"[{lo:.4f}, {hi:.4f}]" in card
    assert html.count('class="lw-ci"') == 9
    assert 'title="95% interval"' in card


def test_findings_most_severe_first(hard):
    report = hard.with_findings(
        Finding("a_info", "info", "an info <b>", "relax"),
        Finding("a_critical", "critical", "it broke", "fix it"),
        Finding("a_warning", "warning", "careful", "look"),
    )
    severities = parse(report.to_html()).attrs("li", "data-severity")
    rank = {"critical": 0, "warning": 1, "info": 2}
    assert severities == sorted(severities, key=rank.get)
    assert severities[0] == "critical"
    html = report.to_html()
    assert "it broke" in html and "fix it" in html and "an info &lt;b&gt;" in html


def test_every_metric_table_is_there(scored, page):
    from labelwise.report import sections

    html = page
    for sec in sections(scored)[:-1]:
        assert f"<h3>{sec.title}</h3>" in html
        for row in sec.rows:
            assert f">{row[1]}<" in html


def test_per_label_table(scored, page):
    html = page
    page = parse(html)
    heads = page.attrs("th", "data-col")
    assert heads == ["label", "support", "tp", "fp", "fn", "precision", "recall", "f1",
                     "roc_auc", "average_precision", "ece", "brier"]  # scores in [0, 1]
    assert len(page.attrs("tr", "data-label")) == 6
    support = np.asarray(scored.per_label["support"])
    first = page.attrs("tr", "data-label")[0]
    assert first == LABELS[int(np.argmax(support))]
    table = html.split('id="per-label-table"', 1)[1].split("</table>", 1)[0]
    assert "<button" in table and "data-v=" in table
    assert "<thead>" in table and "<tbody>" in table  # a plain table without scripts


def test_per_label_thresholds_get_a_column():
    y, s = _data()
    t = labelwise.tune_thresholds(y, s, objective="f1_macro", labels=LABELS)
    report = labelwise.evaluate(y, y_score=s, threshold=t, labels=LABELS)
    html = report.to_html()
    assert parse(html).attrs("th", "data-col")[-1] == "threshold"
    assert f"{t.values[2]:.4f}" in html
    assert "per-label thresholds used" in html  # the F1 curve's legend


def test_weighted_reports_render():
    y, s = _data()
    w = np.random.default_rng(1).random(len(y)) + 0.1
    html = labelwise.evaluate(y, y_score=s, sample_weight=w).to_html()
    assert "total weight" in html and figure_ids(html) == ALL_PLOTS


# --------------------------------------------------------------------------
# Size
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["scores", "labels"])
def test_five_thousand_labels_stay_small(kind):
    rng = np.random.default_rng(0)
    n, L = 120, 5000
    y = rng.random((n, L)) < rng.power(0.3, L) * 0.05 + 0.002
    s = np.clip(0.4 * y + 0.6 * rng.random((n, L)), 0, 1)
    labels = [f"label {j}" for j in range(L)]
    report = (labelwise.evaluate(y, y_score=s, labels=labels) if kind == "scores"
              else labelwise.evaluate(y, s > 0.7, labels=labels))
    html = report.to_html()
    assert len(html.encode()) < 5_000_000
    page = parse(html)
    assert len(page.attrs("tr", "data-label")) == 200
    assert "4,800 more labels" in html and "Showing the 100 labels" in html
    assert "<tfoot>" in html
    expected = ALL_PLOTS if kind == "scores" else HARD_PLOTS
    assert figure_ids(html) == expected
    if kind == "scores":  # the most confused pairs, whatever the number of labels
        block = html.split('<figure id="plot-mlcm"', 1)[1].split("</figure>", 1)[0]
        assert 'class="lw-pairs"' in block and block.count("<tr>") == 16
        assert "5,001 x 5,001 matrix" in block


def test_confused_pairs_of_thousands_of_labels_match_the_dense_matrix():
    from labelwise import plots

    rng = np.random.default_rng(2)
    n, L = 150, 2500  # above the 1,000 labels the page once stopped at
    y = rng.random((n, L)) < 0.004
    pred = y ^ (rng.random((n, L)) < 0.002)
    labels = [f"<i>l{j}</i>" for j in range(L)]
    report = labelwise.evaluate(y, pred, labels=labels, mlcm=True)
    html = report.to_html()
    assert len(html.encode()) < 5_000_000
    block = html.split('<figure id="plot-mlcm"', 1)[1].split("</figure>", 1)[0]
    want = plots.confused_pairs(report.mlcm, labels)
    assert len(want) == 15
    for row in want[:3]:
        name = row["true"].replace("<", "&lt;").replace(">", "&gt;")
        assert f"<tr><td>{name}</td>" in block
    assert "<i>" not in html


# --------------------------------------------------------------------------
# save() and notebooks
# --------------------------------------------------------------------------


def test_save_picks_the_format_from_the_suffix(scored, tmp_path):
    page = scored.save(tmp_path / "r.html", title="T")
    assert page == tmp_path / "r.html"
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    doc = json.loads(scored.save(tmp_path / "r.json", inputs={"truth": "t"}).read_text())
    assert doc["n_labels"] == 6 and doc["inputs"] == {"truth": "t"}
    assert scored.save(str(tmp_path / "r.md")).read_text(encoding="utf-8") == \
        scored.to_markdown()
    assert scored.save(tmp_path / "R.HTML").read_text(encoding="utf-8").startswith("<!DOCTYPE")


@pytest.mark.parametrize("name", ["r.txt", "r", "r.html.gz"])
def test_save_names_the_suffixes_it_knows(scored, tmp_path, name):
    with pytest.raises(InputError, match=r"\.html, \.json, \.md"):
        scored.save(tmp_path / name)
    assert not (tmp_path / name).exists()


def test_repr_html_is_compact(scored, page):
    html = scored._repr_html_()
    assert not html.lstrip().startswith("<!DOCTYPE") and "<html" not in html
    assert "<figure" not in html and "<svg" not in html
    assert 'class="lw-cards"' in html and 'id="per-label-table"' in html
    assert 'id="findings"' in html
    assert NASTY not in html
    assert len(html) < len(page) / 4


def test_unknown_entries_in_the_summary_and_the_per_label_table():
    rng = np.random.default_rng(0)
    p = rng.random((50, 3))
    y = (rng.random((50, 3)) < p).astype(int)
    y[:10, 1] = -1
    html = labelwise.evaluate(y, y_score=p, unknown=-1, labels=["a", "b", "c"]).to_html()
    assert "unknown truth entries" in html and "10 (6.7%), left out" in html
    assert parse(html).attrs("th", "data-col")[-1] == "unknown"
    assert ">unknown share<" in html
