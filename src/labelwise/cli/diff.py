"""``labelwise diff OLD.json NEW.json``: two saved reports, metric by metric.

The change of each metric, whether it is better or worse (the registry says which
way is better), and, with ``--fail-on-regression DELTA``, exit code 1 when a metric
got worse by more than ``DELTA``. When both reports carry intervals (``--ci``), each
change is marked by whether the two intervals lie apart or overlap.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import click

from ..errors import InputError
from ..registry import lookup
from . import options as O

__all__ = ["diff_command", "read_report", "diff_reports"]


def read_report(path: str) -> dict:
    """A saved JSON report (``labelwise evaluate --format json``), checked enough to diff.

    Returns a dict with ``metrics`` ({name: float, NaN for null}), ``ci`` ({name:
    (low, high)}), ``n_samples`` and ``labels`` (None when absent).
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a text file; give a JSON report written by "
                         "labelwise evaluate --format json --output FILE.") from None
    except json.JSONDecodeError as err:
        raise InputError(f"{path} is not JSON ({err.msg} at line {err.lineno}, column "
                         f"{err.colno}); give a report written by labelwise evaluate --format "
                         "json --output FILE.") from None
    metrics = data.get("metrics") if isinstance(data, dict) else None
    if not isinstance(metrics, dict):
        found = (f"an object with keys {', '.join(list(data)[:6]) or 'none'}"
                 if isinstance(data, dict) else f"a JSON {type(data).__name__}")
        raise InputError(f"{path} is not a labelwise report: expected an object with "
                         f"\"metrics\": {{name: value}}, found {found}. Write one with "
                         "labelwise evaluate --format json --output FILE.")
    out = {}
    for name, value in metrics.items():
        if value is None:
            value = math.nan
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"{path}: metrics.{name} is {value!r}; a report's metric values "
                             "are numbers (null where undefined).")
        out[name] = float(value)
    ci = {}
    for name, bounds in (data.get("ci") or {}).items():
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(b is None or isinstance(b, (int, float)) for b in bounds)):
            raise InputError(f"{path}: ci.{name} is {bounds!r}; an interval is [low, high].")
        ci[name] = tuple(math.nan if b is None else float(b) for b in bounds)
    return {"metrics": out, "ci": ci, "n_samples": data.get("n_samples"),
            "labels": data.get("labels")}


def _verdict(change: float, direction: str | None) -> str:
    if math.isnan(change):
        return "undefined"
    if change == 0:
        return "same"
    if direction is None:
        return "changed"
    return "better" if (change > 0) == (direction == "higher") else "worse"


def _apart(a, b) -> bool | None:
    """Whether intervals a and b lie apart (None if one is missing or undefined)."""
    if a is None or b is None or any(math.isnan(x) for x in (*a, *b)):
        return None
    return a[1] < b[0] or b[1] < a[0]


def diff_reports(old: dict, new: dict, metrics=None) -> list[dict]:
    """One row per metric of :func:`read_report`'s two reports.

    Each row: ``metric``, ``old``, ``new`` (None where a report lacks it), ``change``
    (new - old), ``direction`` (``"higher"``/``"lower"`` is better, None for a name
    the registry does not know), ``verdict`` (``better``, ``worse``, ``same``,
    ``undefined``, ``changed`` without a direction, ``added`` or ``removed``),
    ``regression`` (how much worse, else 0), and ``old_ci``, ``new_ci`` and
    ``outside_ci`` (whether the intervals lie apart; None unless both have one).
    """
    names = list(old["metrics"]) + [n for n in new["metrics"] if n not in old["metrics"]]
    if metrics:
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise InputError(f"--metric {', '.join(unknown)}: neither report has it; they "
                             f"have {', '.join(names[:8])}{', ...' if len(names) > 8 else ''}.")
        names = list(dict.fromkeys(metrics))
    rows = []
    for name in names:
        m = lookup(name)
        direction = None if m is None else m.direction
        a, b = old["metrics"].get(name), new["metrics"].get(name)
        oci, nci = old["ci"].get(name), new["ci"].get(name)
        row = {"metric": name, "old": a, "new": b, "change": None, "direction": direction,
               "verdict": "added" if a is None else "removed", "regression": 0.0,
               "old_ci": oci, "new_ci": nci, "outside_ci": _apart(oci, nci)}
        if a is not None and b is not None:
            change = b - a
            row["change"] = change
            row["verdict"] = _verdict(change, direction)
            if row["verdict"] == "worse":
                row["regression"] = abs(change)
        rows.append(row)
    return rows


def _num(x) -> str:
    return "-" if x is None else ("nan" if math.isnan(x) else f"{x:.4f}")


def _signed(x) -> str:
    if x is None:
        return "-"
    if math.isnan(x):
        return "nan"
    return "0" if x == 0 else f"{x:+.4f}"


def _table(rows: list[dict], with_ci: bool) -> tuple[list[str], list[list[str]]]:
    header = ["metric", "old", "new", "change", "verdict"] + (["intervals"] if with_ci else [])
    body = []
    for r in rows:
        cells = [r["metric"], _num(r["old"]), _num(r["new"]), _signed(r["change"]), r["verdict"]]
        if with_ci:
            cells.append({True: "apart", False: "overlap", None: "-"}[r["outside_ci"]])
        body.append(cells)
    return header, body


def _text(header, body) -> str:
    widths = [max(len(c) for c in col) for col in zip(header, *body)]
    lines = []
    for row in [header, *body]:
        cells = [f"{c:<{w}}" if j in (0, 4, 5) else f"{c:>{w}}"
                 for j, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _markdown(header, body) -> str:
    align = ["---" if j in (0, 4, 5) else "---:" for j in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
    return "\n".join(lines)


def _notes(old: dict, new: dict) -> list[str]:
    notes = []
    if old["n_samples"] != new["n_samples"]:
        notes.append(f"the reports cover different samples: {old['n_samples']} and "
                     f"{new['n_samples']}; a change may come from the data, not the model.")
    if old["labels"] is not None and new["labels"] is not None and old["labels"] != new["labels"]:
        notes.append("the reports cover different labels (or another order); macro averages "
                     "then compare different sets of labels.")
    return notes


@click.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
@click.option("--metric", "metrics", multiple=True, metavar="NAME",
              help="Compare (and gate) only this metric; repeatable. Default: every metric "
                   "of either report.")
@click.option("--fail-on-regression", "fail_on", type=float, metavar="DELTA", default=None,
              help="Exit 1 if a metric got worse by more than DELTA (in the metric's units, "
                   "e.g. 0.01); which way is worse comes from the metric.")
@click.option("--all", "show_all", is_flag=True,
              help="List unchanged metrics too (default: only those that changed).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="Output format.")
@O.debug_option
def diff_command(old, new, metrics, fail_on, show_all, fmt, debug):
    """Compare two saved JSON reports (labelwise evaluate --format json) metric by metric:
    the change, and whether it is better or worse.

    When both reports have intervals (--ci), the intervals column says whether they
    lie apart or overlap; for a test of the difference on the same samples, use
    labelwise compare. Exit codes: 0 ok, 1 a --fail-on-regression gate failed, 2 bad
    input or usage.

    \b
    Example:
      labelwise diff baseline.json report.json --fail-on-regression 0.01
    """
    if fail_on is not None and not (fail_on >= 0 and math.isfinite(fail_on)):
        raise click.UsageError(f"--fail-on-regression {fail_on}: give a margin of 0 or more, "
                               "e.g. 0.01 (0 fails on any regression).")
    _diff(old, new, list(metrics), fail_on, show_all, fmt, debug=debug)


@O.guarded
def _diff(old_path, new_path, metrics, fail_on, show_all, fmt):
    old, new = read_report(old_path), read_report(new_path)
    rows = diff_reports(old, new, metrics)
    failed = [r for r in rows if fail_on is not None and r["regression"] > fail_on]
    notes = _notes(old, new)
    if fmt == "json":
        click.echo(json.dumps({
            "old": old_path, "new": new_path, "fail_on_regression": fail_on,
            "changes": [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                         for k, v in r.items()} for r in rows],
            "regressions": [r["metric"] for r in failed], "notes": notes,
        }, indent=2, default=list))
    else:
        shown = rows if show_all or metrics else [r for r in rows if r["verdict"] != "same"]
        with_ci = any(r["outside_ci"] is not None for r in rows)
        if shown:
            header, body = _table(shown, with_ci)
            click.echo(_markdown(header, body) if fmt == "markdown" else _text(header, body))
        same = len(rows) - len(shown)
        if same:
            click.echo(f"{'' if not shown else chr(10)}{same} metric(s) unchanged "
                       "(--all lists them).")
    for note in notes:
        click.echo(f"note: {note}", err=True)
    for r in failed:
        click.echo(f"regression: {r['metric']} = {_num(r['new'])}, was {_num(r['old'])}: worse "
                   f"by {r['regression']:.4f}, more than {fail_on:g}", err=True)
    sys.exit(1 if failed else 0)
