"""docs/integrations.md and docs/ci.md show what really happens.

The ``>>>`` examples of docs/integrations.md run as doctests; the GitHub Actions job
of docs/ci.md runs its labelwise commands on the shipped example files, and the
output quoted on the page must be what they print.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_integrations_page_examples_run():
    pytest.importorskip("sklearn")
    pytest.importorskip("pandas")
    result = doctest.testfile(str(ROOT / "docs" / "integrations.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                              report=True, verbose=False)
    assert result.attempted > 10
    assert result.failed == 0
