"""docs/findings.md documents every finding code, the default bands as coded, and
quotes the worked examples as examples/findings_examples.py prints them."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from labelwise.diagnose import DEFAULT_BANDS, DETECTORS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "findings.md"
DATA = ROOT.parent / "shared" / "data"
CODES = [d.__name__ for d in DETECTORS] + ["leakage"]


def sections() -> dict[str, str]:
    text = DOC.read_text()
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    return {p.split("\n", 1)[0].strip(): p for p in parts}


def quoted(body: str) -> list[str]:
    """The fenced blocks of a section that quote example output."""
    return [b.strip() for b in re.findall(r"^```\n(.*?)^```$", body, flags=re.M | re.S)]


def test_every_code_has_a_section_and_no_other():
    found = {title.strip("`") for title in sections() if title.startswith("`")}
    assert found == set(CODES), (set(CODES) - found, found - set(CODES))


@pytest.mark.parametrize("code", CODES)
def test_each_section_says_when_what_and_shows_an_example(code):
    body = sections()[f"`{code}`"]
    for part in ("**Severity:**", "**When it fires.**", "**The message**",
                 "**What to do.**", "**Example**"):
        assert part in body, (code, part)
    blocks = quoted(body)
    assert blocks
    for block in blocks:
        assert block.startswith(f"== {code}: ") and f"] {code}: " in block
        assert "\n    what to do: " in block


def test_bands_table_matches_the_defaults():
    body = sections()["Interpretation bands"]
    rows = re.findall(r"^\| `([^`]+)` \| (higher|lower) \| ([0-9.]+) \| ([0-9.]+) \|$",
                      body, flags=re.M)
    assert {p: (float(g), float(b)) for p, _, g, b in rows} == DEFAULT_BANDS
    assert [p for p, *_ in rows] == list(DEFAULT_BANDS)


needs_data = pytest.mark.skipif(
    not DATA.is_dir(),
    reason=f"needs {DATA}, the shared data folder beside the repository that holds "
           "Mulan's emotions, yeast and medical data sets the worked examples train on; absent",
)


def examples_module():
    spec = importlib.util.spec_from_file_location(
        "findings_examples", ROOT / "examples" / "findings_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_data
def test_examples_are_quoted_as_printed(capsys):
    pytest.importorskip("sklearn")
    module = examples_module()
    module.main([str(DATA)])
    printed = capsys.readouterr().out.strip().split("\n\n")
    doc = sections()
    assert {b.split(":", 1)[0].removeprefix("== ") for b in printed} == set(CODES)
    in_doc = [b for code in CODES for b in quoted(doc[f"`{code}`"])]
    assert in_doc == printed


@needs_data
def test_label_space_example_figures_in_the_prose():
    """The f1_macro figures the label_space_from_data section quotes, as computed."""
    pytest.importorskip("sklearn")
    import labelwise

    module = examples_module()
    module.DATA = DATA
    from_data = module.ex_label_space_from_data()
    y, pred, labels = module.medical_trees()
    full = labelwise.evaluate(y, pred, labels=labels)
    body = " ".join(sections()["`label_space_from_data`"].split())
    assert (f"{from_data.n_labels} labels are evaluated: `f1_macro` is "
            f"{from_data['f1_macro']:.3f}, against {full['f1_macro']:.3f} over all "
            f"{len(labels)}") in body
