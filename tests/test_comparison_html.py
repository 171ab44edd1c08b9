"""Comparison.to_html() and labelwise compare --format html."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest
from click.testing import CliRunner

import labelwise
from labelwise import InputError
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
    text = " ".join("".join(_parse(page).text).split())
    assert f"truth: {tmp_path / 'truth.csv'}" in text  # the files compared, in the header
    assert f"a: good: {tmp_path / 'good.csv'}" in text
    assert _figures(page) == {"plot-f1-pair", "plot-cardinality-models"}


def test_compare_format_html_of_scores_with_named_models(tmp_path):
    import pandas as pd

    y, good, poor = _scores()
    cols = ["<b>l0</b>", "l1", "l2", "l3", "l4"]
    pd.DataFrame(y.astype(int), columns=cols).to_csv(tmp_path / "truth.csv", index=False)
    pd.DataFrame(good.round(4), columns=cols).to_csv(tmp_path / "g.csv", index=False)
    pd.DataFrame(poor.round(4), columns=cols).to_csv(tmp_path / "p.csv", index=False)
    result = CliRunner().invoke(main, ["compare", "--true", str(tmp_path / "truth.csv"),
                                       str(tmp_path / "g.csv"), str(tmp_path / "p.csv"),
                                       "--scores", "--name", MODEL, "--name", "old",
                                       "--n-resamples", "200", "--seed", "0",
                                       "--format", "html"])
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert "<b>l0</b>" not in page and "&lt;b&gt;l0&lt;/b&gt;" in page
    assert "<i>m</i>" not in page and MODEL in " ".join(_parse(page).text)
    assert _figures(page) == {"plot-f1-pair", "plot-pr-models", "plot-cardinality-models"}


# --------------------------------------------------------------------------
# The side-by-side page of a Comparison
# --------------------------------------------------------------------------

NASTY = "<script>alert(1)</script>"
QUOTES = "say \"hi\" it's"
LABELS = [NASTY, QUOTES, "calm", "joy", "sad"]
MODEL = "<i>m</i> \"q\" 'a'"


class _Page(HTMLParser):
    """Tags with their unescaped attributes, and the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)

    def attrs(self, tag=None, name=None):
        return [a[name] if name else a for t, a in self.tags
                if (tag is None or t == tag) and (name is None or name in a)]


def _parse(html):
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _scores(n=300, L=5, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.random((n, L)) < np.linspace(0.2, 0.5, L)
    good = np.clip(0.45 * y + 0.55 * rng.random((n, L)), 0, 1)
    poor = np.clip(0.2 * y + 0.8 * rng.random((n, L)), 0, 1)
    return y, good, poor


@pytest.fixture(scope="module")
def scored_cmp():
    y, good, poor = _scores()
    return labelwise.compare(y, {"good": good, MODEL: poor}, labels=LABELS, n_resamples=300,
                             seed=0)


@pytest.fixture(scope="module")
def scored_page(scored_cmp):
    return scored_cmp.to_html()


def _figures(html):
    return set(_parse(html).attrs("figure", "id"))


def test_label_and_model_names_are_text_everywhere(scored_page):
    html = scored_page
    assert NASTY not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<i>m</i>" not in html and "&lt;i&gt;m&lt;/i&gt; &#34;q&#34; &#39;a&#39;" in html
    assert html.count("<script") == 1
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        assert "<script" not in svg and "<i>" not in svg
    page = _parse(html)
    # inside attributes, quotes are escaped and come back whole
    assert QUOTES in page.attrs("tr", "data-label") and NASTY in page.attrs("tr", "data-label")
    assert MODEL in page.attrs("li", "data-model")
    assert 'data-label="say "hi' not in html and 'data-model="<i>' not in html
    assert NASTY in "".join(page.text) and MODEL in "".join(page.text)


def test_a_title_with_markup_is_escaped(scored_cmp):
    html = scored_cmp.to_html(title=NASTY, inputs={"truth": NASTY + ".csv",
                                                   "models": {"good": "g.csv", MODEL: "p.csv"}})
    assert NASTY not in html and "<title>&lt;script&gt;" in html
    text = " ".join(_parse(html).text)
    assert NASTY + ".csv" in text and "g.csv" in text and "p.csv" in text


def test_the_page_references_nothing_outside_itself(scored_page):
    page = _parse(scored_page)
    refs = page.attrs(name="src") + page.attrs(name="href") + page.attrs(name="xlink:href")
    assert refs
    for ref in refs:
        assert not re.match(r"\s*(https?:)?//", ref, re.I), ref
        assert ref.startswith("#"), ref
    assert not page.attrs("link") and not page.attrs("img") and not page.attrs("iframe")
    assert "@import" not in scored_page and "url(http" not in scored_page
    ids = page.attrs(name="id")
    assert len(ids) == len(set(ids))


def test_each_model_has_its_cards_with_the_paired_intervals(scored_cmp, scored_page):
    cards = _parse(scored_page).attrs("li", "data-metric")
    heads = ["subset_accuracy", "hamming_loss", "f1_micro", "f1_macro", "f1_samples",
             "roc_auc_macro", "average_precision_macro", "label_ranking_average_precision",
             "precision_at_1"]
    assert cards == heads + heads
    models = [a["data-model"] for a in _parse(scored_page).attrs("li")
              if "data-metric" in a]
    assert models == ["good"] * 9 + [MODEL] * 9
    for m in scored_cmp.models:
        lo, hi = scored_cmp.intervals["f1_micro"][m]
        escaped = m.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") \
            .replace("'", "&#39;")
        card = scored_page.split(f'data-metric="f1_micro" data-model="{escaped}"', 1)[1] \
            .split("</li>", 1)[0]
        assert f"{scored_cmp.values['f1_micro'][m]:.4f}" in card
        assert f"[{lo:.4f}, {hi:.4f}]" in card and 'title="95% paired-bootstrap interval"' in card


def test_every_difference_has_its_p_values_and_verdict(scored_cmp, scored_page):
    table = scored_page.split('id="difference-table"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(\w+)</td>(.*?)</tr>", table)
    assert [x for x, _ in rows] == list(scored_cmp.metrics)
    for x, row in rows:
        d, lo, hi = scored_cmp.difference(x, "good", MODEL)
        p = scored_cmp.pvalue(x, "good", MODEL)
        raw = scored_cmp.raw_pvalues[(x, "good", MODEL)]
        assert f"<td>{d:+.4f}</td><td>[{lo:+.4f}, {hi:+.4f}]</td><td>{p:.4g}</td>" \
               f"<td>{raw:.4g}</td>" in row
        verdict = ("a better" if scored_cmp.better(x, "good", MODEL) else "b better"
                   if scored_cmp.better(x, MODEL, "good") else "no significant difference")
        assert f">{verdict}</td>" in row
    assert "a better" in table  # the good model wins somewhere at this size


def test_the_values_table_marks_the_best_model(scored_cmp, scored_page):
    row = re.search(r"<tr><td>roc_auc_macro</td>(.*?)</tr>", scored_page).group(1)
    cells = re.findall(r"<td class=\"(.*?)\">(.*?)</td>", row)
    assert scored_cmp.best("roc_auc_macro") == "good"
    assert cells[0][0] == "lw-best" and cells[1][0] == ""


def test_each_models_findings_are_shown(scored_cmp, scored_page):
    section = scored_page.split('<section id="findings">', 1)[1].split("</section>", 1)[0]
    assert section.count("<h3>") == 2
    for m, r in scored_cmp.reports.items():
        for f in r.findings:
            assert f.code in section


def test_the_per_label_table_puts_the_models_side_by_side(scored_cmp, scored_page):
    page = _parse(scored_page)
    heads = [a["data-col"] for a in page.attrs("th") if "data-col" in a]
    assert heads == ["label", "support", "f1-a", "f1-b", "f1-a-b", "precision-a",
                     "precision-b", "precision-a-b", "recall-a", "recall-b", "recall-a-b"]
    ra, rb = scored_cmp.reports["good"], scored_cmp.reports[MODEL]
    support = np.asarray(ra.per_label["support"])
    assert page.attrs("tr", "data-label")[0] == LABELS[int(np.argmax(support))]
    for j, name in enumerate(LABELS):
        escaped = (name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   .replace('"', "&#34;").replace("'", "&#39;"))
        row = scored_page.split(f'<tr data-label="{escaped}">', 1)[1].split("</tr>", 1)[0]
        keys = [float(v) for v in re.findall(r'data-v="([^"]+)"', row)]
        fa, fb = ra.per_label["f1"][j], rb.per_label["f1"][j]
        assert keys[:4] == [support[j], fa, fb, fa - fb]
        assert f"{fa - fb:+.4f}" in row
    table = scored_page.split('id="per-label-table"', 1)[1].split("</table>", 1)[0]
    assert "<thead>" in table and "<tbody>" in table and "<button" in table


def test_figures_with_scores(scored_page):
    assert _figures(scored_page) == {"plot-f1-pair", "plot-pr-models",
                                     "plot-cardinality-models"}
    for fid in _figures(scored_page):
        block = scored_page.split(f'<figure id="{fid}"', 1)[1].split("</figure>", 1)[0]
        assert "<svg" in block, fid


def test_figures_of_hard_predictions_leave_out_the_curves():
    y, models = _models()
    page = labelwise.compare(y, models, n_resamples=200, seed=0).to_html()
    assert _figures(page) == {"plot-f1-pair", "plot-cardinality-models"}
    assert "precision-recall curves need" not in page


def test_scores_for_one_model_only_say_why_the_curves_are_missing():
    y, good, poor = _scores()
    page = labelwise.compare(y, {"s": good, "h": poor > 0.5}, n_resamples=200,
                             seed=0).to_html()
    assert "plot-pr-models" not in _figures(page)
    assert "need the dense scores of every model; b gave hard predictions" in page


def test_three_models_compare_each_with_the_first():
    y, good, poor = _scores()
    mid = (good + poor) / 2
    cmp = labelwise.compare(y, {"x": good, "y": mid, "z": poor}, n_resamples=200, seed=0)
    page = cmp.to_html()
    assert _figures(page) == {"plot-f1-pair-b", "plot-f1-pair-c", "plot-pr-models",
                              "plot-cardinality-models"}
    heads = _parse(page).attrs("th", "data-col")
    assert heads[:7] == ["label", "support", "f1-a", "f1-b", "f1-c", "f1-a-b", "f1-a-c"]
    assert page.count("<title>labelwise comparison of 3 models</title>") == 1
    table = page.split('id="difference-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr><td>f1_micro</td>") == 3  # a-b, a-c, b-c


def test_five_thousand_labels_stay_under_five_megabytes():
    rng = np.random.default_rng(0)
    n, L = 120, 5000
    y = rng.random((n, L)) < rng.power(0.3, L) * 0.05 + 0.002
    a = np.clip(0.4 * y + 0.6 * rng.random((n, L)), 0, 1)
    b = np.clip(0.3 * y + 0.7 * rng.random((n, L)), 0, 1)
    labels = [f"label {j}" for j in range(L)]
    cmp = labelwise.compare(y, {"a": a, "b": b}, labels=labels, n_resamples=20, seed=0)
    html = cmp.to_html()
    assert len(html.encode()) < 5_000_000
    page = _parse(html)
    assert len(page.attrs("tr", "data-label")) == 200
    assert "4,800 more labels" in html and "Showing the 100 labels" in html
    assert _figures(html) == {"plot-f1-pair", "plot-pr-models", "plot-cardinality-models"}
    assert "1,500 of them are drawn" in html  # the F1 scatter, thinned


# --------------------------------------------------------------------------
# report.to_html(other=..., names=...)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair():
    y, good, poor = _scores()
    return (labelwise.evaluate(y, y_score=good, labels=LABELS, ci=0.9, seed=0),
            labelwise.evaluate(y, y_score=poor, labels=LABELS))


def test_a_report_with_another_beside_it(pair):
    a, b = pair
    html = a.to_html(other=b, names=("tuned", MODEL))
    assert "<title>labelwise: tuned against &lt;i&gt;m&lt;/i&gt;" in html
    assert _figures(html) == {"plot-f1-pair", "plot-pr-models", "plot-cardinality-models"}
    assert "the differences are not tested" in html
    table = html.split('id="difference-table"', 1)[1].split("</table>", 1)[0]
    assert "p-value" not in table
    d = a["f1_micro"] - b["f1_micro"]
    assert "<tr><td>f1_micro</td><td>tuned</td>" in table and f"<td>{d:+.4f}</td>" in table
    # the first report's own intervals, on its cards and in the values table
    lo, hi = a.ci["f1_micro"]
    assert html.count(f"[{lo:.4f}, {hi:.4f}]") == 2
    assert html.count('class="lw-ci"') == 9  # only the report with intervals has them


def test_names_default_to_a_and_b(pair):
    a, b = pair
    html = a.to_html(other=b)
    assert "<title>labelwise: A against B</title>" in html
    assert a.to_html(other=b, title="Mine").count("<title>Mine</title>") == 1


def test_reports_on_other_data_get_a_support_column_each(pair):
    a, _ = pair
    y, good, _ = _scores(n=200, seed=9)
    other = labelwise.evaluate(y, y_score=good, labels=LABELS)
    html = a.to_html(other=other)
    heads = _parse(html).attrs("th", "data-col")
    assert heads[:3] == ["label", "support-a", "support-b"]
    assert "samples (a)" in html and "samples (b)" in html
    assert "made on different truth" in html


def test_save_writes_the_side_by_side_page(pair, tmp_path):
    a, b = pair
    path = a.save(tmp_path / "ab.html", other=b, names=("x", "y"))
    assert path.read_text(encoding="utf-8") == a.to_html(other=b, names=("x", "y"))


@pytest.mark.parametrize("suffix", [".json", ".md"])
def test_save_draws_other_only_in_html(pair, tmp_path, suffix):
    a, b = pair
    with pytest.raises(InputError, match=r"only the HTML report does, but .* ends in "
                                         rf"'\{suffix}': save to a \.html path"):
        a.save(tmp_path / f"ab{suffix}", other=b)
    with pytest.raises(InputError, match="only the HTML report does"):
        a.save(tmp_path / f"ab{suffix}", names=("x", "y"))
    assert not (tmp_path / f"ab{suffix}").exists()


def test_other_must_be_a_report(pair):
    a, _ = pair
    with pytest.raises(InputError, match=r"other must be a labelwise Report, got a dict: pass "
                                         r"other=labelwise.evaluate\(y_true, y_pred_b\)"):
        a.to_html(other={"f1_micro": 0.5})


def test_other_must_cover_the_same_labels(pair):
    a, _ = pair
    y, good, _ = _scores(L=4)
    fewer = labelwise.evaluate(y, y_score=good)
    with pytest.raises(InputError, match=r"same labels in the same order, but this report has "
                                         r"5 labels and other has 4: evaluate both with the "
                                         r"same labels=\[\.\.\.\]"):
        a.to_html(other=fewer)
    y, good, _ = _scores()
    renamed = labelwise.evaluate(y, y_score=good, labels=["x", *LABELS[1:]])
    with pytest.raises(InputError, match=r"but label 0 is '<script>alert\(1\)</script>' here "
                                         r"and 'x' in other"):
        a.to_html(other=renamed)


@pytest.mark.parametrize("names", [("A",), ("A", "B", "C"), "AB", ("A", ""), ("A", 2), None])
def test_names_must_be_two_strings(pair, names):
    a, b = pair
    if names is None:  # the default is fine
        assert a.to_html(other=b, names=None)
        return
    with pytest.raises(InputError, match=r"names must be two non-empty strings, one for this "
                                         r"report and one for other, got .*: pass "
                                         r"names=\('A', 'B'\)"):
        a.to_html(other=b, names=names)


def test_names_must_differ(pair):
    a, b = pair
    with pytest.raises(InputError, match=r"names must differ, got 'A' twice"):
        a.to_html(other=b, names=("A", "A"))


def test_names_need_other(pair):
    a, _ = pair
    with pytest.raises(InputError, match=r"names=\('A', 'B'\) names the two reports of a "
                                         r"side-by-side page, but other is not given"):
        a.to_html(names=("A", "B"))


def test_each_models_most_confused_pairs(scored_cmp, scored_page):
    from labelwise import plots

    section = scored_page.split('<section id="confusions">', 1)[1].split("</section>", 1)[0]
    tables = section.split("<table")[1:]
    assert len(tables) == 2
    for table, (m, r) in zip(tables, scored_cmp.reports.items()):
        want = plots.confused_pairs(
            plots.mlcm_sparse(r.scores.y_true, plots.predictions(r.scores)), LABELS, 10)
        assert table.count("<tr>") == 1 + len(want) == 11
        assert f"<td>{want[0]['count']}</td><td>{want[0]['share']}</td>" in table
    assert "<script>" not in section and "&lt;script&gt;" in section


def test_hard_predictions_have_confused_pairs_only_with_mlcm():
    y, models = _models()
    accs = {}
    for name, pred in models.items():
        accs[name] = labelwise.Accumulator(mlcm=True)
        accs[name].keep_rows()
        accs[name].update(y, pred)
    from labelwise.comparison import compare_accumulators

    page = compare_accumulators(accs, n_resamples=200, seed=0).to_html()
    assert '<section id="confusions">' in page and 'href="#confusions"' in page
    plain = labelwise.compare(y, models, n_resamples=200, seed=0).to_html()
    assert 'id="confusions"' not in plain and 'href="#confusions"' not in plain


def test_a_comparison_without_its_reports_says_how_to_make_one(scored_cmp):
    from dataclasses import replace

    bare = replace(scored_cmp, reports={})
    with pytest.raises(InputError, match=r"holds no report of 'good', .* \(0 of its 2 models "
                                         r"have one\).*make it with labelwise.compare\(\.\.\.\)"):
        bare.to_html()
