"""Write the metric tables of ``docs/metrics.md`` from the registry.

The tables sit between the lines ``<!-- registry:start -->`` and
``<!-- registry:end -->``; the prose around them is kept as it is. With
``--check``, write nothing and exit 1 if the page is out of step.

usage: python docs/make_metrics_doc.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

from labelwise.registry import splice_markdown

PAGE = Path(__file__).resolve().parent / "metrics.md"


def main(argv: list[str]) -> int:
    text = PAGE.read_text(encoding="utf-8")
    new = splice_markdown(text)
    if "--check" in argv:
        if new != text:
            print(f"{PAGE} is out of step with the registry; run python docs/make_metrics_doc.py")
            return 1
        return 0
    if new != text:
        PAGE.write_text(new, encoding="utf-8")
        print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
