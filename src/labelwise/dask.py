"""``labelwise.dask``: the same report on a Dask cluster, by moving counts, not rows.

Each partition of the data becomes one :class:`~labelwise.Accumulator` state on the
worker that holds it; the states are merged in a tree on the cluster, and only the
final state (a few kilobytes of counts, whatever the number of rows) reaches the
client, which computes the report from it. Per-partition scores are never averaged:
that is wrong for F1, for AUC and for uneven partitions.

ROC-AUC and average precision use the binned state by default (``auc="binned"``,
``(bins, n_labels, 2)`` counts per state, with the error bound in
``report.params``). ``auc="exact"`` keeps every score in the states, so the merged
state carries all of them to the client: 4 bytes per float32 score (8 per float64)
plus the truth, which must fit in the client's memory.

With ``ci=``, intervals come from the Poisson bootstrap, whose replicates merge like
counts: partition ``i`` draws its weights from ``seed=(seed, i)``.

Needs the ``dask`` extra: ``pip install "labelwise[dask]"``.
"""

from __future__ import annotations

import math

import numpy as np

from . import defaults as D
from ._validate import RawSets
from .engine import Accumulator
from .errors import InputError
from .report import Report

try:  # the extra
    import dask
    import dask.array as da
except ImportError as _err:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "labelwise.dask needs Dask: pip install \"labelwise[dask]\" (it installs "
        "dask[distributed,dataframe])."
    ) from _err

__all__ = ["evaluate", "partition_states"]


def evaluate(y_true, y_pred=None, *, y_score=None, labels=None, labels_column=None,
             id_column=None, allow_missing=False, threshold=D.THRESHOLD, inclusive=False,
             k=D.CUTOFFS, auc="binned", bins=D.BINS, score_range=D.SCORE_RANGE,
             zero_division=D.ZERO_DIVISION, beta=D.BETA, inv_propensity=None,
             scores_are_logits=False, sep=",", ci=None, n_bootstrap=1000, seed=None,
             unknown=None, calibration_bins=D.CALIBRATION_BINS, split_every=8) -> Report:
    """Evaluate dask arrays or dask DataFrames on the cluster; the same report as
    :func:`labelwise.evaluate` on the data in memory.

    Parameters
    ----------
    y_true : dask.array.Array or dask.dataframe.DataFrame
        The truth: a 2-D 0/1 array (uneven row chunks allowed, the label axis may be
        chunked too), or a DataFrame with one column per label or a label-set column
        (``labels_column``) and, with ``id_column``, an id column.
    y_pred, y_score : the same kinds, optional
        Hard predictions or scores (exactly one). Arrays are matched to the truth
        row by row; DataFrames by position (the same partitions with the same
        lengths), or by ``id_column`` through a join on the cluster.
    labels : sequence, optional
        The label vocabulary (for arrays: the names of the columns).
    labels_column : str, optional
        Of DataFrames: the column holding each row's label set (lists of labels, or
        strings split at ``sep``), in both frames.
    id_column : str, optional
        Of DataFrames: join truth and predictions on this column. An id on one side
        only, or repeated, is counted on the cluster and raises
        :class:`~labelwise.InputError`, unless ``allow_missing=True`` (then the
        matched rows are evaluated and ``report.params["rows"]`` says how many were
        left out).
    auc : {"binned", "exact"}, default "binned"
        See the module notes.
    ci, n_bootstrap, seed
        Poisson-bootstrap intervals (the only method whose replicates merge).
    unknown : number, str or "nan", optional
        The value marking unknown (not annotated) truth entries, in a truth array or in
        the truth's label columns, as in :func:`labelwise.evaluate` (``docs/metrics.md``,
        "Unknown truth entries"). Not with ``labels_column`` (label sets) or ``ci``.
    calibration_bins : int, default 15
        Equal-width bins of the calibration errors (``ece_*``) of probabilities, as in
        :func:`labelwise.evaluate`; their state adds up across partitions.
    split_every : int, default 8
        How many states each merge task of the tree takes.
    threshold, inclusive, k, bins, score_range, zero_division, beta, inv_propensity, scores_are_logits, sep
        As in :func:`labelwise.evaluate` and :class:`labelwise.Accumulator`.

    Returns
    -------
    Report
    """
    if (y_pred is None) == (y_score is None):
        raise InputError("give exactly one of y_pred (hard 0/1 predictions or label sets) and "
                         "y_score (scores); got " + ("both." if y_pred is not None else
                                                      "neither."))
    if isinstance(split_every, bool) or not isinstance(split_every, (int, np.integer)) or \
            split_every < 2:
        raise InputError(f"split_every must be an integer of at least 2 (states per merge "
                         f"task), got {split_every!r}.")
    settings = dict(threshold=threshold, inclusive=inclusive, k=k, auc=auc, bins=bins,
                    score_range=score_range, zero_division=zero_division, beta=beta,
                    inv_propensity=inv_propensity, scores_are_logits=scores_are_logits, sep=sep,
                    calibration_bins=calibration_bins)
    if unknown is not None:
        if labels_column is not None:
            raise InputError(
                f"unknown={unknown!r} marks entries of label columns, but labels_column="
                f"{labels_column!r} holds label sets: give the truth one 0/1 column per label "
                "(with the unknown value in it), or leave unknown= out.")
        if ci is not None:
            raise InputError(
                "unknown truth entries cannot be combined with ci= yet: the counts leave "
                "unknown entries out, but the bootstrap replicates do not. Leave out ci=, or "
                "fill the unknown entries (with 0) to get intervals on the filled data.")
        settings["unknown"] = unknown
    if y_score is None:
        given = [key for key in _SCORE_ONLY if not _default(settings[key], _SCORE_ONLY[key])]
        if given:
            raise InputError(
                f"{', '.join(given)} apply to scores (y_score=), but y_pred holds hard "
                "predictions: drop them, or pass the scores as y_score= to threshold them.")
        settings = {key: v for key, v in settings.items() if key not in _SCORE_ONLY}
    if ci is not None:
        from .stats.bootstrap import seed_entropy

        seed = seed_entropy(seed)
        settings.update(ci=ci, n_bootstrap=n_bootstrap, ci_method="poisson")
    Accumulator(labels, **settings)  # checks the settings before anything runs
    other = y_pred if y_score is None else y_score
    kind = "labels" if y_score is None else "scores"
    small = kind == "labels" and ci is None  # counts only: a few kilobytes a state
    acc = None
    if isinstance(y_true, da.Array) and isinstance(other, da.Array):
        acc = _held_states(y_true, other, kind, labels, settings, seed, split_every, small)
        rows = None
    if acc is None:
        states, rows = partition_states(y_true, other, kind, labels=labels,
                                        labels_column=labels_column, id_column=id_column,
                                        allow_missing=allow_missing, settings=settings,
                                        seed=seed)
        # Small states: the last few merge on the client (no merge task, no transfer
        # between workers); large ones (binned or exact scores, bootstrap replicates)
        # merge down to one on the cluster, so one state reaches the client.
        last = _tree_merge(states, split_every, split_every if small else 1)
        acc = _merge(*dask.compute(*last))
    report = acc.report()
    params = dict(report.params)
    if rows is not None:
        params["rows"] = rows
    if ci is not None:  # the seed given, from which partition i drew with (seed, i)
        params["seed"] = list(seed) if isinstance(seed, tuple) else seed
    from dataclasses import replace

    return replace(report, params=params)


_SCORE_ONLY = {"threshold": D.THRESHOLD, "inclusive": False, "k": D.CUTOFFS,
               "inv_propensity": None, "scores_are_logits": False}


def _default(value, default) -> bool:
    if default is None:
        return value is None
    if isinstance(default, tuple):
        return isinstance(value, (tuple, list)) and tuple(value) == default
    return type(value) in (bool, int, float) and value == default


def partition_states(y_true, other, kind, *, labels=None, labels_column=None, id_column=None,
                     allow_missing=False, settings=None, seed=None):
    """One delayed :class:`~labelwise.Accumulator` per partition, and the row matching
    (None unless joined by id)."""
    settings = dict(settings or {})
    if isinstance(y_true, da.Array) or isinstance(other, da.Array):
        if not (isinstance(y_true, da.Array) and isinstance(other, da.Array)):
            raise InputError("y_true and the predictions must both be dask arrays (or both "
                             "dask DataFrames); got "
                             f"{type(y_true).__name__} and {type(other).__name__}.")
        return _array_states(y_true, other, kind, labels, settings, seed), None
    import dask.dataframe as dd

    if not (isinstance(y_true, dd.DataFrame) and isinstance(other, dd.DataFrame)):
        raise InputError(
            "labelwise.dask.evaluate takes dask arrays or dask DataFrames (dask.array, "
            f"dask.dataframe); got {type(y_true).__name__} and {type(other).__name__}: "
            "for data in memory, call labelwise.evaluate.")
    return _frame_states(y_true, other, kind, labels, labels_column, id_column,
                         allow_missing, settings, seed)


# --------------------------------------------------------------------------
# Arrays
# --------------------------------------------------------------------------


def _array_states(t, p, kind, labels, settings, seed):
    if t.ndim != 2 or p.ndim != 2:
        raise InputError(f"y_true and the predictions must be 2-D (samples x labels); got "
                         f"{t.ndim}-D and {p.ndim}-D arrays.")
    if t.shape[1] != p.shape[1] or (not math.isnan(t.shape[0]) and not math.isnan(p.shape[0])
                                    and t.shape[0] != p.shape[0]):
        raise InputError(f"the predictions have shape {p.shape} but y_true {t.shape}: both "
                         "need one row per sample and one column per label.")
    if any(math.isnan(c) for c in t.chunks[0]):
        t = t.compute_chunk_sizes()
    if any(math.isnan(c) for c in p.chunks[0]):
        p = p.compute_chunk_sizes()
    if t.shape[0] != p.shape[0]:
        raise InputError(f"the predictions have {p.shape[0]} rows but y_true {t.shape[0]}: "
                         "both need one row per sample.")
    t = t.rechunk({1: -1})
    p = p.rechunk({0: t.chunks[0], 1: -1})
    starts = np.concatenate([[0], np.cumsum(t.chunks[0])[:-1]]).astype(int)
    tb, pb = t.to_delayed().ravel(), p.to_delayed().ravel()
    state = dask.delayed(_state, pure=True)
    return [state(a, b, kind, labels, settings, _seed(seed, i), i, int(starts[i]))
            for i, (a, b) in enumerate(zip(tb, pb))]


def _held_states(t, p, kind, labels, settings, seed, split_every, small):
    """The merged Accumulator of two arrays already held in the workers' memory
    (persisted, with the same row chunks and the label axis in one chunk): one task
    per worker, over the partitions that worker holds, so nothing moves but the
    states and no merge task waits for another worker. None for any other arrays
    (then the graph of :func:`partition_states` runs)."""
    client = _client_of(t, p)
    if client is None or t.ndim != 2 or p.ndim != 2 or t.shape[1] != p.shape[1]:
        return None
    if len(t.chunks[1]) != 1 or len(p.chunks[1]) != 1 or t.chunks[0] != p.chunks[0] or \
            any(math.isnan(c) for c in t.chunks[0]):
        return None
    tf, pf = _futures(t, client), _futures(p, client)
    if tf is None or pf is None:
        return None
    who = client.who_has(tf + pf)
    groups: dict = {}
    starts = np.concatenate([[0], np.cumsum(t.chunks[0])[:-1]]).astype(int)
    for i, (a, b) in enumerate(zip(tf, pf)):
        at, bt = list(who.get(a.key, ())), list(who.get(b.key, ()))
        if not at or not bt:  # lost: the graph recomputes it
            return None
        both = sorted(set(at) & set(bt))
        # Where both blocks are, else where the larger one is.
        worker = both[0] if both else (bt[0] if p.dtype.itemsize > t.dtype.itemsize else at[0])
        groups.setdefault(worker, []).append((a, b, i, int(starts[i])))
    from dask.base import tokenize

    token = tokenize(tf, pf, kind, labels, settings, seed)
    states = [client.submit(_local_state, parts, kind, labels, settings, seed,
                            key=f"_local_state-{token}-{n}", workers=[worker],
                            allow_other_workers=True, pure=False)
              for n, (worker, parts) in enumerate(sorted(groups.items()))]
    level = 0
    while len(states) > (split_every if small else 1):
        level += 1
        states = [client.submit(_merge, *states[i:i + split_every],
                                key=f"_merge-{token}-{level}-{i}", pure=False)
                  for i in range(0, len(states), split_every)]
    return _merge(*client.gather(states))


def _client_of(*arrays):
    """The distributed Client that would compute ``arrays``, or None."""
    from dask.base import get_scheduler

    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - the extra installs it
        return None
    client = getattr(get_scheduler(collections=list(arrays)), "__self__", None)
    return client if isinstance(client, Client) else None


def _futures(a, client):
    """The futures of ``a``'s blocks in row order, when ``a`` is persisted on
    ``client`` (its graph holds only finished futures), else None."""
    from dask.core import flatten
    from distributed import Future

    layers = getattr(a.__dask_graph__(), "layers", None)
    if not layers or len(layers) != 1:
        return None
    layer = next(iter(layers.values()))
    if type(layer).__name__ != "MaterializedLayer":
        return None
    out = []
    for key in flatten(a.__dask_keys__()):
        f = layer.get(key)
        if not isinstance(f, Future) or f.client is not client or f.status != "finished":
            return None
        out.append(f)
    return out


def _local_state(parts, kind, labels, settings, seed):
    """One worker's partitions (runs on the worker holding them): each partition's
    accumulator, with its own seed, merged in row order."""
    acc = None
    for t, p, i, start in parts:
        if acc is not None and settings.get("ci") is None:  # no replicates: update in place
            _state(t, p, kind, labels, settings, None, i, start, acc=acc)
            continue
        one = _state(t, p, kind, labels, settings, _seed(seed, i), i, start)
        acc = one if acc is None else acc.merge(one)
    return acc


def _seed(seed, i):
    if seed is None:
        return None
    return (*seed, i) if isinstance(seed, tuple) else (seed, i)


def _state(t, p, kind, labels, settings, seed, partition, start=None, weights=None, acc=None):
    """The accumulator of one partition (runs on a worker), or ``acc`` updated with it."""
    if acc is None:
        acc = Accumulator(labels, seed=seed, **settings)
    if len(t.rows if isinstance(t, RawSets) else t) == 0:
        return acc
    try:
        if kind == "labels":
            acc.update(t, p, sample_weight=weights)
        else:
            acc.update(t, y_score=p, sample_weight=weights)
    except InputError as err:
        where = f"partition {partition}" + ("" if start is None else
                                            f" (rows from {start} of the data)")
        raise InputError(f"{where}: {err}") from None
    return acc


def _merge(*accs):
    out = accs[0].copy()
    for a in accs[1:]:
        out.merge(a)
    return out


def _tree_merge(states, split_every: int, width: int = 1) -> list:
    """Merge tasks of ``split_every`` states each, level by level, until at most
    ``width`` states are left; returns them."""
    if not states:
        raise InputError("the data has no partitions.")
    merge = dask.delayed(_merge, pure=True)
    level = list(states)
    while len(level) > max(1, width):
        level = [merge(*level[i:i + split_every]) for i in range(0, len(level), split_every)]
    return level


# --------------------------------------------------------------------------
# DataFrames
# --------------------------------------------------------------------------


def _frame_states(t, p, kind, labels, labels_column, id_column, allow_missing, settings, seed):
    rows = None
    if id_column is not None:
        for frame, name in ((t, "y_true"), (p, "predictions")):
            if id_column not in frame.columns:
                raise InputError(f"{name} has no id column {id_column!r} (its columns: "
                                 f"{', '.join(map(str, list(frame.columns)[:10]))}).")
        label_cols = _label_columns(t, p, labels, labels_column, [id_column])
        both, rows = _joined(t, p, id_column, allow_missing)
    else:
        label_cols = _label_columns(t, p, labels, labels_column, [])
    if labels is None and labels_column is None:
        labels = label_cols
    if id_column is not None:  # one joined frame: its partitions split on the worker
        state = dask.delayed(_joined_state, pure=True)
        return [state(part, kind, labels, label_cols, labels_column, settings,
                      _seed(seed, i), i) for i, part in enumerate(both.to_delayed())], rows
    t, p = _aligned(t, p)
    state = dask.delayed(_frame_state, pure=True)
    return [state(a, b, kind, labels, label_cols, labels_column, settings, _seed(seed, i), i)
            for i, (a, b) in enumerate(zip(t.to_delayed(), p.to_delayed()))], rows


def _label_columns(t, p, labels, labels_column, skip):
    if labels_column is not None:
        for frame, name in ((t, "y_true"), (p, "predictions")):
            if labels_column not in frame.columns:
                raise InputError(f"{name} has no column {labels_column!r} of label sets.")
        return None
    cols = [c for c in t.columns if c not in skip]
    if labels is not None:
        missing = [x for x in labels if x not in cols]
        if missing:
            raise InputError(f"y_true has no column for label(s) {missing[:5]}.")
        cols = list(labels)
    absent = [c for c in cols if c not in p.columns]
    if absent:
        raise InputError(f"the predictions have no column for label(s) {absent[:5]}: both "
                         "frames need one column per label, with the same names.")
    return cols


def _aligned(t, p):
    """Frames matched by position: the same partitions with the same lengths."""
    if t.npartitions != p.npartitions:
        raise InputError(
            f"y_true has {t.npartitions} partitions but the predictions {p.npartitions}: "
            "matched by position, both need the same partitions; pass id_column= to join "
            "them on an id instead.")
    lt, lp = dask.compute(t.map_partitions(len), p.map_partitions(len))
    lt, lp = list(lt), list(lp)
    for i, (a, b) in enumerate(zip(lt, lp)):
        if a != b:
            raise InputError(
                f"partition {i} has {a} rows in y_true but {b} in the predictions: "
                "matched by position, every partition needs the same rows; pass "
                "id_column= to join them on an id instead.")
    return t, p


def _joined(t, p, id_column, allow_missing):
    """Truth and predictions joined on ``id_column``, on the cluster; missing and repeated
    ids counted there."""
    t_ids, p_ids = t[id_column], p[id_column]
    t_dup = (t_ids.value_counts() > 1).sum()
    p_dup = (p_ids.value_counts() > 1).sum()
    t_ren = t.rename(columns={c: f"t::{c}" for c in t.columns if c != id_column})
    p_ren = p.rename(columns={c: f"p::{c}" for c in p.columns if c != id_column})
    both = t_ren.merge(p_ren, on=id_column, how="outer", indicator=True)
    side = both["_merge"].value_counts()
    n_t, n_p, t_dup, p_dup, side = dask.compute(t_ids.count(), p_ids.count(), t_dup, p_dup,
                                                side)
    side = {str(k): int(v) for k, v in side.items()}
    only_t, only_p = side.get("left_only", 0), side.get("right_only", 0)
    if t_dup or p_dup:
        raise InputError(
            f"{int(t_dup)} id(s) appear more than once in y_true and {int(p_dup)} in the "
            f"predictions (column {id_column!r}): each sample needs one row.")
    rows = {"by": id_column, "truth_rows": int(n_t), "pred_rows": int(n_p),
            "matched": side.get("both", 0),
            "left_out": {k: v for k, v in (("truth id not in predictions", only_t),
                                           ("prediction id not in truth", only_p)) if v}}
    if (only_t or only_p) and not allow_missing:
        raise InputError(
            f"{only_t} truth id(s) have no prediction and {only_p} prediction id(s) are not "
            f"in the truth (column {id_column!r}); pass allow_missing=True to evaluate the "
            f"{rows['matched']} matched rows.")
    return both[both["_merge"] == "both"], rows


def _joined_state(part, kind, labels, label_cols, labels_column, settings, seed, partition):
    """The accumulator of one partition of the joined frame (runs on a worker)."""
    t = part[[c for c in part.columns if str(c).startswith("t::")]]
    p = part[[c for c in part.columns if str(c).startswith("p::")]]
    t = t.rename(columns={c: c[3:] for c in t.columns})
    p = p.rename(columns={c: c[3:] for c in p.columns})
    return _frame_state(t, p, kind, labels, label_cols, labels_column, settings, seed,
                        partition)


def _frame_state(t, p, kind, labels, label_cols, labels_column, settings, seed, partition):
    """The accumulator of one DataFrame partition (runs on a worker)."""
    if labels_column is not None:
        sep = settings.get("sep", ",")
        tv = _sets(t[labels_column], "y_true", partition, sep)
        pv = _sets(p[labels_column], "the predictions", partition, sep)
    else:
        tv, pv = t[label_cols].to_numpy(), p[label_cols].to_numpy()
        if kind == "labels":
            pv = _as_labels(pv)
        tv = _as_labels(tv)
    return _state(tv, pv, kind, labels, settings, seed, partition)


def _as_labels(values: np.ndarray) -> np.ndarray:
    """Whole-number columns as integers (so the validation speaks of 0/1, not floats)."""
    if values.dtype.kind == "f" and np.all(np.isfinite(values)) and np.all(values == np.round(
            values)):
        return values.astype(np.int64)
    return values


def _sets(column, name: str, partition: int, sep: str = ",") -> RawSets:
    """A label-set column as label sets (lists, or strings split at ``sep``; integer
    labels stay labels). Dask turns a pandas column of lists into their text
    (``"['a', 'b']"``) unless ``dataframe.convert-string`` is off; such text is read
    back as the list it shows. A missing set (None, NaN, NA) is an error, as in
    :func:`labelwise.evaluate`: an empty list is a sample without labels."""
    out = []
    for i, v in enumerate(column.tolist()):
        if _missing(v):
            raise InputError(
                f"partition {partition}: {name} row {i} of column {column.name!r} has no "
                "label set (missing). Use an empty list or an empty string for a sample "
                "with no labels.")
        if isinstance(v, str):
            v = _listed(v)
        if isinstance(v, str):  # delimited: "cat,dog"
            v = [x.strip() for x in v.split(sep) if x.strip()]
        out.append(list(v))
    return RawSets(out)


def _missing(v) -> bool:
    if v is None or type(v).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(v, float) and math.isnan(v)


def _listed(text: str):
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        import ast

        try:
            value = ast.literal_eval(stripped)
        except (ValueError, SyntaxError):
            return text
        if isinstance(value, list):
            return value
    return text
