"""The saved HTML report in a real browser (the system's chromium, headless, offline):
no script errors, no request leaves the file, every figure has a size, and the
per-label table sorts when a column header is clicked."""

from __future__ import annotations

import os

import pytest

import labelwise
from labelwise.datasets import load_emotions

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not os.path.exists(CHROMIUM) and os.environ.get("LABELWISE_REQUIRE_BROWSER"):
    raise RuntimeError(f"{CHROMIUM} is absent but LABELWISE_REQUIRE_BROWSER is set")
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is absent (Debian: apt-get install chromium; .ci/run installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is absent (pip install -e .[dev])")

FIGURES = ["plot-f1-support", "plot-pr", "plot-threshold", "plot-mlcm", "plot-cardinality",
           "plot-reliability"]


@pytest.fixture(scope="module")
def browser():
    """One headless chromium for the module (playwright runs one sync session at a time)."""
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=20_000)
        try:
            yield b
        finally:
            b.close()


def _open(browser, path):
    """``path`` opened in a new page: (page, errors, requests)."""
    page = browser.new_page(viewport={"width": 1240, "height": 1000})
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}")
            if m.type == "error" else None)
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, errors, requests


@pytest.fixture(scope="module")
def opened(browser, tmp_path_factory):
    """The emotions report saved as HTML and opened: (page, errors, requests, path)."""
    data = load_emotions()
    labels = list(data.labels)
    labels[0] = "<img src=x onerror=alert(1)> \"quoted\" 'label'"
    report = labelwise.evaluate(data.y_true, y_score=data.y_score, threshold=0.5,
                                labels=labels, ci=0.95, seed=0)
    path = report.save(tmp_path_factory.mktemp("html") / "report.html", title="Emotions",
                       inputs={"truth": "emotions_truth.csv", "predictions": "scores.csv"})
    page, errors, requests = _open(browser, path)
    yield page, errors, requests, path
    page.close()


def test_no_script_errors_and_no_requests(opened):
    page, errors, requests, path = opened
    assert errors == []
    assert requests == [path.resolve().as_uri()]
    assert page.title() == "Emotions"


def test_every_figure_is_drawn_with_a_size(opened):
    page = opened[0]
    ids = page.eval_on_selector_all("figure", "els => els.map(e => e.id)")
    assert ids == FIGURES
    for fid in FIGURES:
        box = page.locator(f"#{fid} svg").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, (fid, box)


def _column(page, col: str) -> list:
    return page.eval_on_selector_all(
        "#per-label-table tbody tr",
        f"""rows => rows.map(r => {{
            const i = [...r.closest('table').tHead.rows[0].cells]
                .findIndex(h => h.dataset.col === '{col}');
            return i === 0 ? r.dataset.label : parseFloat(r.cells[i].dataset.v);
        }})""")


def test_clicking_a_header_sorts_the_table(opened):
    page = opened[0]
    support = _column(page, "support")
    assert support == sorted(support, reverse=True)  # as written, by support
    before = _column(page, "label")
    page.click("#per-label-table th[data-col=f1] button")
    f1 = _column(page, "f1")
    assert f1 == sorted(f1, reverse=True) and _column(page, "label") != before
    assert page.get_attribute("#per-label-table th[data-col=f1]", "aria-sort") == "descending"
    page.click("#per-label-table th[data-col=f1] button")
    assert _column(page, "f1") == sorted(f1)
    page.click("#per-label-table th[data-col=label] button")
    labels = _column(page, "label")
    assert labels[0].startswith("<img") and sorted(labels) == sorted(before)
    assert page.get_attribute("#per-label-table th[data-col=support]", "aria-sort") is None


def test_label_markup_stays_text(opened):
    page = opened[0]
    assert page.locator("img").count() == 0
    assert page.locator("#per-label-table tbody th", has_text="<img src=x").count() == 1


# --------------------------------------------------------------------------
# The side-by-side page of a comparison
# --------------------------------------------------------------------------

SIDE_FIGURES = ["plot-f1-pair", "plot-pr-models", "plot-cardinality-models"]
MODEL = "<img src=x onerror=alert(2)> \"new\""


@pytest.fixture(scope="module")
def compared(browser, tmp_path_factory):
    """Two models of the emotions data compared, saved as HTML and opened."""
    import numpy as np

    data = load_emotions()
    labels = list(data.labels)
    labels[0] = "<img src=x onerror=alert(1)> \"quoted\" 'label'"
    rng = np.random.default_rng(0)
    worse = np.clip(data.y_score + rng.normal(0, 0.25, data.y_score.shape), 0, 1)
    cmp = labelwise.compare(data.y_true, {MODEL: data.y_score, "noisy": worse},
                            labels=labels, n_resamples=500, seed=0)
    path = tmp_path_factory.mktemp("html") / "comparison.html"
    path.write_text(cmp.to_html(title="Emotions: two models"), encoding="utf-8")
    page, errors, requests = _open(browser, path)
    yield page, errors, requests, path
    page.close()


def test_comparison_has_no_script_errors_and_no_requests(compared):
    page, errors, requests, path = compared
    assert errors == []
    assert requests == [path.resolve().as_uri()]
    assert page.title() == "Emotions: two models"
    assert page.locator("img").count() == 0
    assert page.locator("#models li", has_text="<img src=x onerror=alert(2)>").count() == 1


def test_comparison_figures_are_drawn_with_a_size(compared):
    page = compared[0]
    ids = page.eval_on_selector_all("figure", "els => els.map(e => e.id)")
    assert ids == SIDE_FIGURES
    for fid in SIDE_FIGURES:
        box = page.locator(f"#{fid} svg").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, (fid, box)


def test_comparison_table_sorts_by_a_difference(compared):
    page = compared[0]
    support = _column(page, "support")
    assert support == sorted(support, reverse=True)
    before = _column(page, "label")
    page.click("#per-label-table th[data-col=f1-a-b] button")
    diff = _column(page, "f1-a-b")
    assert diff == sorted(diff, reverse=True) and _column(page, "label") != before
    assert page.get_attribute("#per-label-table th[data-col=f1-a-b]", "aria-sort") == \
        "descending"
    page.click("#per-label-table th[data-col=f1-a-b] button")
    assert _column(page, "f1-a-b") == sorted(diff)
    page.click("#per-label-table th[data-col=recall-b] button")
    recall = _column(page, "recall-b")
    assert recall == sorted(recall, reverse=True)
    assert page.get_attribute("#per-label-table th[data-col=f1-a-b]", "aria-sort") is None
    page.click("#per-label-table th[data-col=label] button")
    labels = _column(page, "label")
    assert labels[0].startswith("<img") and sorted(labels) == sorted(before)
