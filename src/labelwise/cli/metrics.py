"""``labelwise metrics``: the registry's metric names, as --require takes them."""

from __future__ import annotations

import json

import click

from ..registry import REGISTRY


@click.command("metrics")
@click.option("--scores/--no-scores", "scores", default=None,
              help="Only the metrics that need scores (or only those that do not).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def metrics_command(scores, fmt):
    """List every metric a report can hold: its name (as --require takes it), which
    way is better, and whether it needs scores (--scores rather than --pred).

    \b
    Example:
      labelwise metrics --scores
    """
    rows = [m for m in REGISTRY.values() if scores is None or m.needs_scores == scores]
    if fmt == "json":
        click.echo(json.dumps([{"name": m.name, "direction": m.direction,
                                "needs_scores": m.needs_scores, "group": m.group,
                                "family": m.family, "average": m.average, "k": m.k,
                                "twin": None if m.twin is None else m.twin.function,
                                "description": m.description} for m in rows], indent=2))
        return
    width = max(len(m.name) for m in rows)
    click.echo(f"{'metric':<{width}}  better  needs   description")
    for m in rows:
        needs = "scores" if m.needs_scores else "labels"
        click.echo(f"{m.name:<{width}}  {m.direction:<6}  {needs}  {m.description}")
