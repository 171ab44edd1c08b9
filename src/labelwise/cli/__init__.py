"""The ``labelwise`` command: parse, load, call the library, render.

Exit codes: 0 all good, 1 a ``--require`` gate failed (or, for ``leakage``, leaked
rows were found), 2 bad input or usage (or an unexpected internal error, reported in
one line; ``--debug`` shows its traceback).
"""

from __future__ import annotations

import click

from .. import __version__
from .compare import compare_command
from .diff import diff_command
from .evaluate import EXAMPLES, evaluate_command
from .leakage import leakage_command
from .metrics import metrics_command
from .tune import tune_command

__all__ = ["main"]


@click.group(help="Evaluate multi-label classifiers.\n" + EXAMPLES)
@click.version_option(__version__, prog_name="labelwise")
def main() -> None:
    pass


main.add_command(compare_command)
main.add_command(diff_command)
main.add_command(evaluate_command)
main.add_command(leakage_command)
main.add_command(metrics_command)
main.add_command(tune_command)
