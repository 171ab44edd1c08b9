"""``labelwise evaluate --dask``: Parquet files read and evaluated on a Dask cluster."""

from __future__ import annotations

import click

from ..errors import InputError

__all__ = ["connect", "run"]


def connect(address: str):
    """A client of the scheduler at ``address``, or of a new ``local:N`` cluster of N
    worker processes; returns (client, cluster or None)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--dask needs Dask: pip install \"labelwise[dask]\".") from None
    if address.startswith("local:"):
        try:
            n = int(address.split(":", 1)[1])
        except ValueError:
            n = 0
        if n < 1:
            raise click.UsageError(f"--dask {address}: give local:N with N >= 1 worker "
                                   "processes, e.g. local:2.")
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(address, timeout="10s"), None
    except OSError as err:
        raise InputError(f"--dask {address}: cannot reach the scheduler ({err}); give its "
                         "address (tcp://host:8786) or local:N.") from None


def run(address: str, true, pred, scores, layout, scoring, threshold, *, allow_missing):
    """Evaluate Parquet files (globs or directories) on the cluster: (report, thresholds,
    inputs), as the in-memory path gives them."""
    other_path = pred or scores
    for path in (true, other_path):
        if str(path) == "-":
            raise click.UsageError("--dask reads Parquet files, not standard input.")
    client, cluster = connect(address)
    import dask.dataframe as dd

    from .. import dask as ldask

    try:
        truth = _read(dd, true)
        other = _read(dd, other_path)
        labels = layout.names or layout.label_columns
        if labels is None and layout.labels_column is None:
            skip = {layout.id_column, layout.weight_column, *layout.exclude_columns}
            labels = [c for c in truth.columns if c not in skip]
        if labels is not None:
            keep = [c for c in [layout.id_column] if c] + list(labels)
            truth = truth[[c for c in keep if c in truth.columns]]
            other = other[[c for c in keep if c in other.columns]]
        kind = "scores" if scores else "labels"
        scored = {} if not scores else dict(
            y_score=other, threshold=threshold, inclusive=scoring.ge, k=scoring.k,
            scores_are_logits=scoring.logits)
        report = ldask.evaluate(
            truth, None if scores else other, labels=labels,
            labels_column=layout.labels_column, id_column=layout.id_column,
            allow_missing=allow_missing, auc="exact" if scoring.auc == "exact" and
            not scoring.auc_auto else "binned", bins=scoring.bins,
            zero_division=scoring.zero_division, beta=scoring.beta, sep=layout.sep,
            ci=scoring.ci, n_bootstrap=scoring.n_bootstrap, seed=scoring.seed,
            calibration_bins=scoring.calibration_bins, **scored)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    thresholds = None
    if kind == "scores":
        thr = report.params["threshold"]
        thresholds = {"rule": ">=" if scoring.ge else ">",
                      "values": thr if isinstance(thr, float) else dict(zip(report.labels, thr))}
    rows = report.params.get("rows") or {
        "by": "position", "truth_rows": report.n_samples, "pred_rows": report.n_samples,
        "matched": report.n_samples, "left_out": {}}
    notes = [f"evaluated on the Dask cluster at {address}: one state per partition, merged "
             "on the cluster"]
    if kind == "scores" and report.params.get("auc") == "binned":
        notes.append(f"ROC-AUC and average precision are binned ({scoring.bins} bins; error "
                     "bounds in params); pass --auc exact to keep every score (they then all "
                     "reach this machine).")
    inputs = {"truth": str(true), "predictions": str(other_path), "kind": kind,
              "label_columns": list(report.labels), "rows": rows, "notes": notes}
    return report, thresholds, inputs


def _read(dd, path):
    try:
        return dd.read_parquet(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"--dask reads Parquet files (a file, a glob such as 'part-*.parquet' "
                         f"or a directory); {path}: {err}") from None


